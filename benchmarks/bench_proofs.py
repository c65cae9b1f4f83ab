"""Proof checking on the staff set: verdicts over seeds and the time per proof.

    python benchmarks/bench_proofs.py [--seeds 3]

Every proof of ``tests/data/staff_proofs.py`` (correct ones, and wrong ones with the
mistakes students make) goes through :func:`symconv.proofs.check_proof` once per seed,
as ``symconv check-proof`` runs it (the stated setting of each entry as ``assume``).
Printed: how many wrong proofs were accepted and how many correct ones refuted (both
must be 0), the verdicts, and the median and maximum wall time per proof with the
slowest proofs named. The machine and its load are printed first.
"""

import argparse
import importlib.util
import os
import platform
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from symconv.proofs import check_proof  # noqa: E402


def _staff():
    spec = importlib.util.spec_from_file_location(
        "staff_proofs", ROOT / "tests" / "data" / "staff_proofs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3, help="seeds 0..N-1 (default 3)")
    args = parser.parse_args(argv)
    staff = _staff()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} logical "
          f"cores; python {platform.python_version()}; load average at start "
          f"{os.getloadavg()[0]:.2f}")
    entries = [(e, True) for e in staff.WRONG] + [(e, False) for e in staff.CORRECT]
    times, verdicts = [], Counter()
    false_accepts, false_refutations = [], []
    for seed in range(args.seeds):
        for entry, wrong in entries:
            start = time.perf_counter()
            report = check_proof(entry["text"], kind=entry["kind"], seed=seed,
                                 assume=entry["assume"])
            times.append((time.perf_counter() - start, entry["name"], seed))
            verdicts[("wrong" if wrong else "correct", report.verdict)] += 1
            if wrong and report.valid:
                false_accepts.append((entry["name"], seed))
            if not wrong and report.verdict == "refuted":
                false_refutations.append((entry["name"], seed))
    runs = len(times)
    print(f"{len(staff.WRONG)} wrong and {len(staff.CORRECT)} correct proofs, seeds "
          f"0-{args.seeds - 1}: {runs} checks")
    print(f"  wrong proofs accepted     {len(false_accepts)}   {false_accepts[:5] or ''}")
    print(f"  correct proofs refuted    {len(false_refutations)}   {false_refutations[:5] or ''}")
    for (which, verdict), count in sorted(verdicts.items()):
        print(f"  {which:8s} -> {verdict:10s} {count}")
    seconds = sorted(t for t, _, _ in times)
    print(f"time per proof: median {statistics.median(seconds):.3f} s, max {seconds[-1]:.2f} s, "
          f"total {sum(seconds):.1f} s")
    print("slowest:")
    for t, name, seed in sorted(times, reverse=True)[:5]:
        print(f"  {t:6.2f} s  {name} (seed {seed})")
    return 1 if false_accepts or false_refutations else 0


if __name__ == "__main__":
    sys.exit(main())
