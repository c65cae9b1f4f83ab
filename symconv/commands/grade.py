"""``symconv grade``: grade a file of student answers against an answer-key file.

    symconv grade --key keys.toml --answers answers.csv --out results.jsonl \\
        [--gradescope results.json] [--csv grades.csv] [--workers N] [--scheduler ADDRESS]

Input rows have ``student``, ``part`` and ``answer`` (CSV with a header, or JSON lines);
every input row gets exactly one JSON line in ``--out`` with ``student``, ``part``,
``score``, ``max_score``, ``status`` and ``feedback`` (plus ``row``, ``strategy``,
``proven``, ``mistake``, ``review``, ``seconds``). Results are written as they come,
so an interrupted run resumes where it stopped when rerun with the same ``--out`` (a
row whose answer or key changed since is graded again, and the summary says how many).
SIGINT or SIGTERM stop the run within a second, workers included, keeping every
finished row (exit status 130 or 143). Rows naming a part that is not in the key file
are graded invalid, listed in the summary and make the exit status 3 (unless
``--allow-unknown-parts``).
The summary (outcomes, score histogram, slowest answers) goes to stdout, the progress
bar to stderr when it is a terminal.
"""

import json
import sys

from symconv._util.text import terminal_text
from symconv.errors import GradingError

NAME = "grade"
HELP = "grade student answers (CSV or JSON lines) against an answer-key file, safely and in parallel"


def add_arguments(parser):
    parser.add_argument("--key", required=True, metavar="KEYS",
                        help="answer-key file (.toml or .json, see docs/answer-keys.md)")
    parser.add_argument("--answers", required=True, metavar="FILE",
                        help="answers: .csv with columns student,part,answer, or .jsonl")
    parser.add_argument("--out", required=True, metavar="FILE",
                        help="results as JSON lines (resumed if it exists)")
    parser.add_argument("--gradescope", metavar="FILE", help="also write Gradescope results.json")
    parser.add_argument("--csv", metavar="FILE", help="also write a CSV gradebook")
    parser.add_argument("--workers", type=int, default=2, metavar="N",
                        help="worker processes (default 2; 0 grades in-process without "
                             "isolation)")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="run on a Dask distributed scheduler (e.g. tcp://host:8786)")
    parser.add_argument("--time-limit", type=float, default=10.0, metavar="SECONDS",
                        help="wall-time limit per answer (default 10)")
    parser.add_argument("--memory-limit", type=int, default=2048, metavar="MIB",
                        help="address-space limit per worker process in MiB (default 2048)")
    parser.add_argument("--restart", action="store_true",
                        help="ignore an existing --out file instead of resuming it")
    parser.add_argument("--trail", action="store_true",
                        help="include each answer's verdict trail in the output")
    parser.add_argument("--summary-json", action="store_true",
                        help="print the summary as JSON instead of text")
    parser.add_argument("--allow-unknown-parts", action="store_true",
                        help="exit with status 0 even when some rows name a part that is not "
                             "in the key file (they are graded invalid either way)")


def run(args):
    from symconv.grading.batch import (Interrupted, format_summary, grade_batch, read_answers,
                                       write_gradebook, write_gradescope)
    from symconv.grading.keys import load_keys

    if args.workers < 0:
        raise GradingError(f"--workers must be >= 0, but got {args.workers}")
    if args.time_limit <= 0:
        raise GradingError(f"--time-limit must be positive, but got {args.time_limit}")
    if args.memory_limit <= 0:
        raise GradingError(f"--memory-limit must be positive, but got {args.memory_limit}")
    keys = load_keys(args.key)
    rows = read_answers(args.answers)
    # what was read, first (on stderr with --summary-json, which keeps stdout pure JSON)
    read = (f"input: {len(rows)} answer row(s) from {args.answers}, {len(keys)} key part(s) "
            f"from {args.key}; {args.workers} worker(s), {args.time_limit:g} s per answer")
    print(terminal_text(read), file=sys.stderr if args.summary_json else sys.stdout, flush=True)
    try:
        report = grade_batch(rows, keys, workers=args.workers, time_limit=args.time_limit,
                             memory_limit=args.memory_limit << 20, out=args.out,
                             resume=not args.restart, scheduler=args.scheduler,
                             progress=sys.stderr if sys.stderr.isatty() else False,
                             trail=args.trail)
    except Interrupted as exc:
        import signal

        name = signal.Signals(exc.signum).name if exc.signum else "an interrupt"
        print(f"symconv grade: stopped by {name}: {exc.kept} of {exc.total} rows are graded "
              f"and kept in {args.out}; run the same command again to grade the rest",
              file=sys.stderr)
        return 128 + int(exc.signum or 2)
    if args.gradescope:
        write_gradescope(report.results, args.gradescope, keys)
    if args.csv:
        write_gradebook(report.results, args.csv, keys)
    if args.summary_json:
        print(json.dumps(report.summary, indent=2))
    else:
        print(format_summary(report.summary))
    unknown = report.summary.get("unknown_parts")
    if unknown and not args.allow_unknown_parts:
        print(f"symconv grade: {sum(unknown.values())} row(s) name a part that is not in "
              f"{args.key}: {', '.join(sorted(map(repr, unknown)))} (exit status 3; "
              f"--allow-unknown-parts accepts this)", file=sys.stderr)
        return 3
    return 0
