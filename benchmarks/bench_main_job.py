"""The user's path, timed: a fresh venv, ``pip install .``, then README command 1's main job.

    python benchmarks/bench_main_job.py [--runs 3] [--ref GIT_REF] [--without-scipy]
                                        [--no-pdf] [--timeout SECONDS] [--keep]

1. The source is what a fresh clone would hold: the files git tracks (as they are in
   the working tree), or with ``--ref`` the tree of that commit (``git archive``), copied
   to a temporary directory, so no ``build/`` or ``*.egg-info`` of this checkout leaks in.
2. A new virtual environment (``python -m venv``) gets ``python -m pip install .`` and
   nothing else; the venv creation and the install are timed separately.
3. The main job, ``symconv solve --all --out solutions``, runs ``--runs`` times, each in
   a new empty directory; each run's wall time, exit status and the summary's counts of
   unverified and refuted answers are printed, then the minimum and the median.

``--without-scipy`` uninstalls SciPy from the venv before the runs (for the record of
what a SciPy-less install did before SciPy became a dependency: combine it with
``--ref`` of such a commit). ``--timeout`` stops a run that takes longer.

This is a benchmark script, not a timed test: the figure of record (30 s on the
project's 2-core machine) is checked by reading its output. The machine, its load and
the installed versions are printed first.
"""

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAIN_JOB = ["symconv", "solve", "--all", "--out", "solutions"]


def fresh_source(dest, ref=None):
    """Copy what a fresh clone holds (tracked files, or the tree of ``ref``) to ``dest``."""
    dest.mkdir(parents=True)
    if ref is not None:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", ref],
                                 check=True, capture_output=True).stdout
        with tempfile.TemporaryFile() as fh:
            fh.write(archive)
            fh.seek(0)
            with tarfile.open(fileobj=fh) as tar:
                tar.extractall(dest, **({"filter": "data"} if hasattr(tarfile, "data_filter")
                                        else {}))
        return dest
    listed = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z"], check=True,
                            capture_output=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        src = ROOT / name
        if src.is_file():           # a tracked file deleted in the working tree is skipped
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    return dest


def timed(cmd, **kwargs):
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    return time.perf_counter() - t0, proc


def count(row, text):
    m = re.search(rf"^\s+{row}\s+(\d+)", text, re.M)
    return int(m.group(1)) if m else None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="main-job runs (default 3)")
    parser.add_argument("--ref", help="install this git commit instead of the working tree")
    parser.add_argument("--without-scipy", action="store_true",
                        help="pip uninstall scipy from the venv before the runs")
    parser.add_argument("--no-pdf", action="store_true", help="pass --no-pdf to the main job")
    parser.add_argument("--timeout", type=float, default=1800.0,
                        help="seconds before a run is stopped (default 1800)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="symconv-bench-main-"))
    try:
        print(f"machine: {platform.machine()}, {os.cpu_count()} logical cores; "
              f"python {platform.python_version()}; load average at start "
              f"{os.getloadavg()[0]:.2f}; pdflatex "
              f"{'present' if shutil.which('pdflatex') and not args.no_pdf else 'not used'}")
        src = fresh_source(tmp / "src", args.ref)
        print(f"source: {'git ' + args.ref if args.ref else 'working tree (tracked files)'}")
        venv = tmp / "venv"
        seconds, proc = timed([sys.executable, "-m", "venv", str(venv)])
        proc.check_returncode()
        print(f"venv created in {seconds:.1f} s")
        py = venv / "bin" / "python"
        seconds, proc = timed([str(py), "-m", "pip", "install", "-q", "."], cwd=src)
        if proc.returncode:
            print(proc.stdout + proc.stderr)
            return 1
        print(f"pip install . in {seconds:.1f} s")
        if args.without_scipy:
            subprocess.run([str(py), "-m", "pip", "uninstall", "-q", "-y", "scipy"], check=True)
            print("scipy is not in the venv (uninstalled if it was there)")
        versions = subprocess.run(
            [str(py), "-c", "import importlib.metadata as m\n"
             "for p in ('sympy', 'numpy', 'scipy', 'mpmath'):\n"
             "    try: print(p, m.version(p), end='; ')\n"
             "    except m.PackageNotFoundError: print(p, 'absent', end='; ')"],
            capture_output=True, text=True).stdout
        print(f"installed: {versions.rstrip('; ')}")
        env = dict(os.environ, PATH=f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}")
        env.pop("PYTHONPATH", None)
        walls, worst = [], 0
        for run in range(1, args.runs + 1):
            work = tmp / f"run{run}"
            work.mkdir()
            cmd = MAIN_JOB + (["--no-pdf"] if args.no_pdf else [])
            try:
                seconds, proc = timed(cmd, cwd=work, env=env, timeout=args.timeout,
                                      stdin=subprocess.DEVNULL)
            except subprocess.TimeoutExpired:
                print(f"run {run}: stopped after {args.timeout:.0f} s")
                worst = 1
                continue
            walls.append(seconds)
            out = proc.stdout
            pdf = (work / "solutions" / "solutions.pdf").exists()
            print(f"run {run}: {seconds:.1f} s wall, exit {proc.returncode}, unverified "
                  f"{count('unverified', out)}, refuted {count('refuted', out)}, PDF "
                  f"{'written' if pdf else 'not written'}")
            if proc.returncode or "Traceback" in proc.stderr:
                print(out[-2000:] + proc.stderr[-2000:])
                worst = 1
        if walls:
            print(f"main job: min {min(walls):.1f} s, median {statistics.median(walls):.1f} s "
                  f"over {len(walls)} run(s) (target: 30 s on 2 cores)")
        return worst
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
