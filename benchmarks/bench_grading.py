"""Grading throughput and a large batch with hostile answers.

    python benchmarks/bench_grading.py [--answers 2000] [--batch 10000] [--workers 2]

1. *Throughput*: a realistic mix (the equivalent forms, anticipated mistakes and wrong
   answers of the answer corpus for the formula parts, plus piecewise, integral,
   derivative and other-notation answers to the signal parts) graded with
   ``grade_batch`` in isolated worker processes; reported as total answers/s
   (including worker start-up) and sustained answers/s (from the first to the last
   result), next to in-process grading on one core for the ratio.
2. *Batch*: a 10,000-answer batch in which 1% of the answers are hostile (taken from
   the corpus: code injection, dunder access, huge powers, megabyte strings, deep
   nesting, NUL bytes, lookalikes, LaTeX \\write18, and two answers that run into the
   time limit); reports wall time, peak memory of the parent and of a worker, rows in
   and rows out, and the slowest answer next to the limit.

Every figure is measured in the same run; the machine and its load are printed first.
"""

import argparse
import json
import os
import platform
import random
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from symconv.grading import grade, load_keys  # noqa: E402
from symconv.grading.batch import grade_batch  # noqa: E402

DATA = ROOT / "tests" / "data"
FORMULA_PARTS = ("conv-size", "transposed-size", "full-length", "step-conv", "exp-conv",
                 "ramp-conv", "param-count", "expanded", "fraction", "diff-kernel", "conv-matrix")


def corpus():
    rows = []
    with open(DATA / "grading_corpus.jsonl", encoding="utf-8") as fh:
        for line in fh:
            rows.append(json.loads(line))
    return rows


def expand(answer):
    if isinstance(answer, dict):
        text = answer["repeat"] * answer["times"]
        if "then" in answer:
            text += answer["then"] + answer["close"] * answer["times"]
        return text
    return answer


# answers students write for the signal parts beyond plain formulas: piecewise forms,
# the defining integral or sum, derivatives, other step notations, and wrong ones that
# differ only outside the sampling window (issue 12's realistic mix)
REALISTIC = [
    ("ramp-conv", "Piecewise((t, t >= 0), (0, True))"), ("ramp-conv", "t for t >= 0, 0 otherwise"),
    ("ramp-conv", r"\begin{cases} t & t \ge 0 \\ 0 & \text{otherwise} \end{cases}"),
    ("ramp-conv", r"\int_{-\infty}^{t} u(\tau)\,d\tau"), ("ramp-conv", r"\int_0^t u(\tau) d\tau"),
    ("ramp-conv", r"t\,\theta(t)"), ("ramp-conv", "min(t, 5) u(t)"), ("ramp-conv", "(t - 1) u(t - 1)"),
    ("ramp-conv", "Derivative(t^2 u(t)/2, t)"), ("ramp-conv", "t if t > 0 else 0"),
    ("exp-conv", r"\int_0^t e^{-\tau} u(\tau)\, d\tau"), ("exp-conv", "1 - exp(-t) for t >= 0, 0 otherwise"),
    ("exp-conv", r"\left(1 - e^{-t}\right)\theta(t)"), ("exp-conv", "(1 - exp(-t)) u(t - 1)"),
    ("step-conv", "n + 1 for n >= 0, 0 otherwise"), ("step-conv", "sum(u[k] u[n - k], (k, -oo, oo))"),
    ("step-conv", r"\begin{cases} n+1 & n \geq 0 \\ 0 & n < 0 \end{cases}"),
    ("step-conv", "(n+1)(u[n] - u[n-10])"), ("step-conv", "(n + 1) u[n - 1]"),
]


def typical_rows(pool, count, rng, realistic=True):
    normal = [r for r in pool if r["part"] in FORMULA_PARTS
              and r["category"] in ("equivalent form", "anticipated mistake", "unanticipated wrong",
                                    "wrong form")]
    if realistic:
        normal = normal + [{"part": p, "answer": a} for p, a in REALISTIC] * 3
    out = []
    for i in range(count):
        r = rng.choice(normal)
        out.append({"student": f"student{i % 500:03d}", "part": r["part"], "answer": r["answer"]})
    return out


def hostile_rows(pool, count, rng):
    bad = [r for r in pool if r["category"] in ("hostile", "too slow")]
    slow = [r for r in bad if r["category"] == "too slow"]
    rest = [r for r in bad if r["category"] != "too slow"]
    picked = slow[:2] + [rng.choice(rest) for _ in range(count - 2)]
    return [{"student": f"mallory{i:03d}", "part": r["part"], "answer": expand(r["answer"])}
            for i, r in enumerate(picked)]


class Clock:
    def __init__(self):
        self.times = []

    def __call__(self, row):
        self.times.append(time.monotonic())


def worker_peak_kib():
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--answers", type=int, default=2000)
    ap.add_argument("--batch", type=int, default=10_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--time-limit", type=float, default=5.0)
    ap.add_argument("--formula-only", action="store_true",
                    help="the corpus formula answers only (the mix of the earlier runs)")
    args = ap.parse_args()
    rng = random.Random(0)
    keys = load_keys(DATA / "grading_keys.toml")
    pool = corpus()

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load average at start {os.getloadavg()[0]:.2f}")

    # ---- 1. throughput
    rows = typical_rows(pool, args.answers, rng, realistic=not args.formula_only)
    distinct = len({(r["part"], r["answer"]) for r in rows})
    t0 = time.monotonic()
    for r in rows:
        grade(expand(r["answer"]), keys[r["part"]])
    inproc_wall = time.monotonic() - t0
    inproc = len(rows) / inproc_wall

    table = []
    for workers in sorted({1, args.workers}):
        clock = Clock()
        t0 = time.monotonic()
        report = grade_batch(rows, keys, workers=workers, time_limit=args.time_limit, on_result=clock)
        total = time.monotonic() - t0
        first = clock.times[min(len(clock.times) - 1, workers * 5)]
        sustained = (len(clock.times) - workers * 5 - 1) / max(clock.times[-1] - first, 1e-9)
        assert len(report.results) == len(rows)
        table.append((workers, len(rows), total, len(rows) / total, sustained))
        textbook_slowest = max(r["seconds"] or 0 for r in report.results)
        timeouts = report.summary["counts"].get("timeout", 0)

    mix = "formula answers of the corpus" if args.formula_only else \
        "a realistic mix of answers (piecewise, integral and derivative answers included)"
    print(f"\nThroughput on {mix}: {len(rows)} answers, {distinct} distinct texts over "
          f"{len({r['part'] for r in rows})} parts")
    print(f"{'workers':>8} {'answers':>8} {'wall s':>8} {'answers/s':>10} {'sustained/s':>12} "
          f"{'vs in-process':>14}")
    print(f"{'in-proc':>8} {len(rows):>8} {inproc_wall:>8.2f} {inproc:>10.1f} {inproc:>12.1f} {1.0:>14.2f}")
    for workers, n, total, rate, sustained in table:
        print(f"{workers:>8} {n:>8} {total:>8.2f} {rate:>10.1f} {sustained:>12.1f} "
              f"{sustained / inproc:>14.2f}")

    print(f"slowest answer of the mix: {textbook_slowest:.3f} s (time limit {args.time_limit:g} s), "
          f"timeouts: {timeouts}")

    # ---- 2. the 10k batch with 1% hostile answers
    n_bad = max(2, args.batch // 100)
    rows = typical_rows(pool, args.batch - n_bad, rng, realistic=not args.formula_only) \
        + hostile_rows(pool, n_bad, rng)
    rng.shuffle(rows)
    out = ROOT / "benchmarks" / ".bench_grading_out.jsonl"
    if out.exists():
        out.unlink()
    t0 = time.monotonic()
    report = grade_batch(rows, keys, workers=args.workers, time_limit=args.time_limit, out=out)
    wall = time.monotonic() - t0
    lines = sum(1 for _ in open(out, encoding="utf-8"))
    slowest = max(r["seconds"] or 0 for r in report.results)
    parent_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_peak = worker_peak_kib() / 1024
    counts = report.summary["counts"]
    hostile_ok = all(r["status"] in ("invalid", "timeout") for r in report.results
                     if r["student"].startswith("mallory"))
    out.unlink()
    print(f"\nBatch of {len(rows)} answers ({n_bad} hostile), {args.workers} workers, "
          f"time limit {args.time_limit:g} s")
    print(f"{'wall s':>8} {'answers/s':>10} {'rows in':>8} {'rows out':>9} {'file lines':>11} "
          f"{'slowest s':>10} {'parent MiB':>11} {'worker MiB':>11}")
    print(f"{wall:>8.1f} {len(rows) / wall:>10.1f} {len(rows):>8} {len(report.results):>9} {lines:>11} "
          f"{slowest:>10.2f} {parent_peak:>11.0f} {child_peak:>11.0f}")
    print("outcomes:", ", ".join(f"{k} {v}" for k, v in counts.items()),
          "| every hostile answer invalid or timeout:", hostile_ok)
    print(f"load average at end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
