"""``symconv prove``: print a theorem of the library as a checked derivation.

    symconv prove --list
    symconv prove commutativity --kind discrete
    symconv prove convolution_theorem --kind laplace --latex
    symconv prove associativity --pdf assoc.pdf

Every step is checked and the report says whether it was proven (SymPy or a rule
applied mechanically) or only confirmed numerically. ``--latex`` prints the
``align*`` block of the derivation; ``--pdf`` compiles a standalone document with
the checked derivation. Exit status as for ``check-proof``: 0 when every step is proven, 3 when some step
is only checked numerically (plausible), 1 otherwise, 2 for invalid input.
"""

import sys

from symconv.errors import SymconvError

NAME = "prove"
HELP = "print a theorem about convolution as a step-by-step derivation, each step checked"


def add_arguments(parser):
    parser.add_argument("name", nargs="?", help="theorem name (see --list)")
    parser.add_argument("--kind", default=None,
                        help="continuous, discrete or 2d (fourier, laplace, dft or z for "
                             "convolution_theorem); default: the theorem's first kind")
    parser.add_argument("--list", action="store_true", help="list the theorems and their kinds")
    parser.add_argument("--latex", action="store_true", help="print the derivation as LaTeX (align*)")
    parser.add_argument("--pdf", metavar="OUT", default=None,
                        help="compile a standalone PDF of the checked derivation (needs pdflatex)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the numeric checks (default 0)")


def run(args):
    from symconv.proofs.theorems import NAMES, kinds, theorem

    if args.list:
        width = max(len(n) for n in NAMES)
        for name in NAMES:
            print(f"{name.ljust(width)}  {', '.join(kinds(name))}")
        return 0
    if not args.name:
        raise SymconvError("a theorem name must be given (or --list), but got none")
    derivation = theorem(args.name, kind=args.kind)
    report = derivation.check(seed=args.seed)
    if args.latex:
        print(derivation.latex())
    else:
        print(report)
    if args.pdf:
        from symconv.latex import compile_pdf, document

        path = compile_pdf(document([report], title=derivation.title), args.pdf)
        print(f"wrote {path}", file=sys.stderr)
    from symconv.commands.check_proof import EXIT_STATUS

    return EXIT_STATUS[report.verdict]
