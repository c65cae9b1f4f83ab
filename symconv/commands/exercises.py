"""``symconv exercises``: browse the exercise catalogue and export its answer keys.

Examples::

    symconv exercises list                    # every exercise, grouped by topic
    symconv exercises list --topic pooling    # one topic
    symconv exercises show d2l-7.2.1          # the prompt
    symconv exercises show d2l-7.2.1 --solution
    symconv exercises keys --out keys.toml    # every answer key, for 'symconv grade'

Solutions are computed by ``symconv solve``; ``keys`` solves every exercise first (the
keys hold the answers the library computed) and writes one key file in the format
read by ``symconv grade --key``.
"""

import sys

NAME = "exercises"
HELP = "the exercise catalogue: list, show a prompt, export the answer keys"


def add_arguments(parser):
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    p = sub.add_parser("list", help="list the exercises (id, title), grouped by topic")
    p.add_argument("--topic", metavar="T", help="only this topic")
    p = sub.add_parser("show", help="print one exercise's prompt")
    p.add_argument("id", help="exercise id, e.g. d2l-7.2.1 (see 'symconv exercises list')")
    p.add_argument("--solution", action="store_true", help="also solve it and print the solution")
    p = sub.add_parser("keys", help="write the answer keys of every gradable part (TOML)")
    p.add_argument("--out", metavar="FILE", help="key file to write (default: standard output)")
    p.add_argument("--topic", metavar="T", help="only this topic")


def run(args):
    import symconv.exercises as ex
    from symconv.exercises import _cli

    action = getattr(args, "action", None)
    if action in (None, "list"):
        exercises = ex.all_exercises(getattr(args, "topic", None))
        topics = ex.topics()
        print("\n".join(_cli.listing(exercises, topics)))
        if action is None:
            print("\nactions: list [--topic T] | show ID [--solution] | keys [--out FILE]")
        return 0
    if action == "show":
        exercise = ex.get(args.id)
        if args.solution:
            print(str(exercise.solve()), end="")
        else:
            print(_cli.describe(exercise))
        return 0
    # keys
    bar = _cli.ProgressBar(sys.stderr, label="symconv exercises keys")
    try:
        solutions, failures = ex.solve_all(args.topic, progress=bar)
    finally:
        bar.close()
    text = ex.export_keys(solutions, args.out)
    parts = sum(1 for s in solutions for p in s.parts if p.gradable)
    if args.out:
        print(f"wrote {parts} answer keys ({len(solutions)} exercises) to {args.out}")
    else:
        sys.stdout.write(text)
    for exercise, message in failures:
        print(f"symconv exercises keys: {exercise.id} failed: {message}", file=sys.stderr)
    return 1 if failures else 0
