"""``symconv check-proof``: check a proof written in a text file, step by step.

One expression a line (SymPy syntax such as ``sum(f(k)*g(n-k), (k, -oo, oo))``,
``integrate(...)``, ``(f*g)[n]`` or LaTeX), optionally followed by
``# justification``; blank lines and lines starting with ``#`` are skipped::

    symconv check-proof proof.txt --kind discrete --functions f,g
    symconv check-proof - < proof.txt

The text is parsed by the safe parser (never evaluated). The report gives every
step's status and, for the first failing step, the reason and a counterexample.
``--assume "n >= 0, s >= 1, p >= 0"`` states the setting: numeric checks draw values
only inside it, so a counterexample never leaves it.

Exit status:

* 0 -- PROVEN: every step proven (symbolically or by a named rule);
* 3 -- PLAUSIBLE: no step refuted, but some only checked numerically on instances;
* 1 -- REFUTED or UNDECIDED: some step is false (with a counterexample), could not be
  parsed, or could be neither decided nor tested;
* 2 -- invalid input (unreadable file, bad options).
"""

import sys

from symconv._util.text import terminal_text
from symconv.errors import SymconvError

NAME = "check-proof"
HELP = "check each step of a proof written one expression per line"

_MAX_BYTES = 200_000
EXIT_STATUS = {"proven": 0, "plausible": 3, "refuted": 1, "undecided": 1}


def add_arguments(parser):
    parser.add_argument("file", help="the proof (one step a line; '-' reads standard input)")
    parser.add_argument("--kind", default="discrete", choices=("discrete", "continuous"),
                        help="integer symbols and sequences (discrete, the default) or real "
                             "variables and functions (continuous)")
    parser.add_argument("--functions", default="f,g,h",
                        help="comma-separated names of the undefined functions (default f,g,h)")
    parser.add_argument("--assume", default=None, metavar="CONDITIONS",
                        help="the stated setting, e.g. \"n >= 0, s >= 1, p >= 0\" (integer bounds); "
                             "counterexamples stay inside it")
    parser.add_argument("--latex", action="store_true", help="print the report as LaTeX")
    parser.add_argument("--pdf", metavar="OUT", default=None, help="compile the report to a PDF")
    parser.add_argument("--seed", type=int, default=0, help="seed of the numeric checks (default 0)")
    parser.add_argument("--time-limit", type=float, default=4.0, metavar="S",
                        help="seconds for each step (default 4)")
    parser.add_argument("--total-time", type=float, default=120.0, metavar="S",
                        help="seconds for the whole proof; later steps are reported unverified "
                             "(default 120)")


def _read(path):
    if path == "-":
        text = sys.stdin.read(_MAX_BYTES + 1)
    else:
        try:
            with open(path, "r", encoding="utf-8") as fh:
                text = fh.read(_MAX_BYTES + 1)
        except OSError as exc:
            raise SymconvError(f"the proof file must be readable, but {path!r} gave: "
                               f"{exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise SymconvError(f"the proof file must be UTF-8 text, but {path!r} is not") from None
    if len(text) > _MAX_BYTES:
        raise SymconvError(f"the proof file must be at most {_MAX_BYTES} bytes, but it is longer")
    return text


def run(args):
    from symconv.proofs import check_proof

    functions = tuple(n.strip() for n in args.functions.split(",") if n.strip())
    for name in functions:
        if not name.isidentifier() or name.startswith("_"):
            raise SymconvError(f"--functions must list plain names, but got {name!r}")
    text = _read(args.file)
    report = check_proof(text, kind=args.kind, functions=functions, seed=args.seed,
                         time_limit=args.time_limit, total_time_limit=args.total_time,
                         assume=args.assume)
    # what was read, first (as every command does); the file name is the user's text
    lines = sum(1 for line in text.splitlines() if line.split("#", 1)[0].strip())
    source = "standard input" if args.file == "-" else args.file
    read = (f"input: a proof of {lines} line(s) from {source}, {args.kind} "
            f"({'integer symbols and sequences' if args.kind == 'discrete' else 'real variables'}), "
            f"functions {', '.join(functions) or 'none'}"
            + (f"; assuming {args.assume}" if args.assume else ""))
    print(terminal_text(("% " if args.latex else "") + read))
    # the justifications are the user's text: control characters are shown, not obeyed
    print(terminal_text(report.latex() if args.latex else str(report)))
    if args.pdf:
        from symconv.latex import compile_pdf, document

        path = compile_pdf(document([report], title="Proof check"), args.pdf)
        print(f"wrote {path}", file=sys.stderr)
    return EXIT_STATUS[report.verdict]
