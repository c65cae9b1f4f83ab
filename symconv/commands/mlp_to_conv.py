"""``symconv mlp-to-conv``: the MLP -> convolution argument, stage by stage, checked.

Examples::

    symconv mlp-to-conv --delta 1                       # 28 x 28 images (the default)
    symconv mlp-to-conv --delta 0 --channels-in 3 --channels-out 16
    symconv mlp-to-conv --height n --width n            # symbolic sizes, symbolic Delta
    symconv mlp-to-conv --delta 1 --height 4 --width 4 --latex

Prints the derivation (each stage with its constraint and parameter count), then the
check of every step: ``proven`` (by an index change valid for every size, or by a
symbolic identity at the requested size) or ``confirmed`` (random exact integer
instances, with the sizes used). ``--latex`` prints the checked chain as LaTeX.
"""

import re

from symconv._util.lazy import sympy
from symconv.errors import SymconvError

NAME = "mlp-to-conv"
HELP = "From a fully connected layer to a convolution: reindexing, invariance, locality, channels"

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*\Z")
_WRAP = 300


def _wrapped(text, limit):
    """``text`` with every line longer than ``limit`` broken at spaces, continuation lines
    indented like the line they continue plus four spaces."""
    import textwrap

    if not limit or limit <= 0:
        return text
    out = []
    for line in str(text).splitlines():
        if len(line) <= limit:
            out.append(line)
            continue
        indent = line[:len(line) - len(line.lstrip())]
        out.extend(textwrap.wrap(line, width=limit, subsequent_indent=indent + "    ",
                                 break_long_words=True, break_on_hyphens=False))
    return "\n".join(out)


def add_arguments(parser):
    parser.add_argument("--height", default="28", help="image height: an int or a name (default 28)")
    parser.add_argument("--width", default="28", help="image width: an int or a name (default 28)")
    parser.add_argument("--channels-in", type=int, default=1,
                        help="input channels C_in of the layer (default 1)")
    parser.add_argument("--channels-out", type=int, default=1,
                        help="output channels C_out of the layer (default 1)")
    parser.add_argument("--delta", type=int, default=None,
                        help="half-width of the local window (kernel 2*delta+1); omit to keep it "
                             "symbolic; 0 shows the 1x1 convolution")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random instances")
    parser.add_argument("--no-check", action="store_true", help="print the derivation only")
    parser.add_argument("--latex", action="store_true", help="print LaTeX instead of text")
    parser.add_argument("--width-limit", type=int, default=_WRAP, metavar="COLUMNS",
                        help=f"wrap text lines longer than this (default {_WRAP}; 0: never wrap)")


def _size(text, name):
    text = str(text).strip()
    if text.isdigit():
        return int(text)
    if _NAME.match(text):
        return sympy.Symbol(text, integer=True, positive=True)
    raise SymconvError(f"{name} must be a positive int or a name such as n, but got {text!r}")


def run(args):
    from symconv.proofs.reindex import mlp_to_conv, parameter_counts

    h, w = _size(args.height, "--height"), _size(args.width, "--width")
    derivation = mlp_to_conv(h, w, args.channels_in, args.channels_out, args.delta, seed=args.seed)
    counts = parameter_counts(h, w, args.channels_in, args.channels_out, args.delta)
    if args.no_check:
        print(derivation.latex() if args.latex else _wrapped(derivation, args.width_limit))
        return 0
    report = derivation.check()
    if args.latex:
        print(report.latex())
        return 0
    print(_wrapped(report, args.width_limit))
    print()
    print("parameters per stage:")
    width = max(len(stage) for stage, _f, _v in counts)
    for stage, formula, value in counts:
        shown = sympy.sstr(value)
        print(_wrapped(f"  {stage.ljust(width)}  {sympy.sstr(formula)}"
                       + ("" if shown == sympy.sstr(formula) else f" = {shown}"), args.width_limit))
    return 0 if report.valid else 1
