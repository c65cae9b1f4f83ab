"""``symconv plot``: figures of signals, layers, matrices, kernels and networks.

Examples::

    symconv plot conv "exp(-t)*u(t)" "rect(t)" --out conv.svg
    symconv plot corr "rect(t)" "exp(-a*t)*u(t)" --subs a=2 --out corr.pdf
    symconv plot conv "[1, 2, 3]" "[1, -1]" --out seq.png
    symconv plot slide "exp(-t)*u(t)" "rect(t)" --at=-0.25,0.5,2 --out slide.pdf
    symconv plot slide "rect(t)" "rect(t)" --animate --out slide.gif
    symconv plot layer --input 5,5 --kernel 3 --stride 2 --padding 1 --out layer.png
    symconv plot layer --input 3,3 --kernel 3 --stride 2 --padding 1 --transposed --out t.png
    symconv plot matrix --kernel "[x, y, z]" --input 5 --padding 1 --out matrix.svg
    symconv plot kernel --derivative 2 --accuracy 4 --out stencil.pdf
    symconv plot arch alexnet --input 3,n,n --subs n=224 --out alexnet.pdf

The file format follows the ``--out`` suffix: ``.png``, ``.svg`` or ``.pdf`` (and
``.gif`` or ``.html`` for ``slide --animate``). Signals are read exactly as by
``symconv conv`` (the safe parser; ``--var``, ``--assume``, ``--discrete``); symbols
other than the variable need values, given with ``--subs a=2,b=1/2``.
"""

import argparse
import re

from symconv.commands import _signal_args
from symconv.commands.matrix import int_list
from symconv.errors import ParseError, SymconvError

NAME = "plot"
HELP = "Figures (PNG/SVG/PDF): signals and their convolution, flip-and-slide, layer " \
       "diagrams, matrices, kernels, networks"

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")


def _out(parser, suffixes="png, svg or pdf"):
    parser.add_argument("--out", required=True, metavar="FILE",
                        help=f"the file to write; its suffix ({suffixes}) picks the format")


def _subs_option(parser):
    parser.add_argument("--subs", default="", metavar="NAME=VALUE,...",
                        help="values of the symbols other than the variable, e.g. a=2,b=1/2")


def add_arguments(parser):
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = "examples:" + __doc__.split("Examples::", 1)[1].split("The file format", 1)[0]
    sub = parser.add_subparsers(dest="figure", metavar="FIGURE", required=True)
    for op, what in (("conv", "convolution"), ("corr", "cross-correlation")):
        p = sub.add_parser(op, help=f"f, g and their {what}, one above the other")
        _signal_args.add_signal_arguments(p, op)
        _subs_option(p)
        p.add_argument("--xlim", default=None, metavar="LO,HI",
                       help="horizontal range (--xlim=-2,5 when LO is negative)")
        _out(p)
    p = sub.add_parser("slide", help="flip and slide: f(τ), g(t − τ) and their product "
                                     "at a few shifts t (or an animation)")
    _signal_args.add_signal_arguments(p, "conv")
    _subs_option(p)
    p.add_argument("--op", choices=("conv", "corr"), default="conv",
                   help="convolution (default) or cross-correlation")
    p.add_argument("--at", default=None, metavar="T1,T2,...",
                   help="the shifts to show, one panel each (default: three spread over the "
                        "result); write --at=-1,0,1 when the first is negative")
    p.add_argument("--xlim", default=None, metavar="LO,HI",
                   help="range of t (--xlim=-2,5 when LO is negative)")
    p.add_argument("--animate", action="store_true",
                   help="write an animation instead (--out name.gif or name.html)")
    p.add_argument("--frames", type=int, default=60, help="frames of the animation (default 60)")
    _out(p, "png, svg or pdf; gif or html with --animate")
    p = sub.add_parser("layer", help="convolution-arithmetic diagram of one layer")
    p.add_argument("--input", required=True, metavar="H,W",
                   help="spatial input size: 5 (1-D) or 5,5 (2-D)")
    p.add_argument("--kernel", required=True, metavar="K", help="kernel size: 3 or 3,2")
    p.add_argument("--stride", default="1", help="int or one per dimension (default 1)")
    p.add_argument("--padding", default="0",
                   help="int, one per dimension, lo:hi pairs (0:1,1:1), same or valid")
    p.add_argument("--dilation", default="1", help="int or one per dimension (default 1)")
    p.add_argument("--transposed", action="store_true",
                   help="a transposed convolution, drawn over the zero-inserted input")
    p.add_argument("--output-padding", default="0",
                   help="transposed only: int or one per dimension (default 0)")
    p.add_argument("--at", default=None, metavar="I,J",
                   help="the output position whose window is shown (default 0,0)")
    _out(p)
    p = sub.add_parser("matrix", help="the matrix of a convolution (conv_matrix), cell by cell")
    p.add_argument("--kernel", required=True, help='kernel entries, e.g. "[x, y, z]" or '
                                                   '"[[1, 0], [0, -1]]"')
    p.add_argument("--input", required=True, metavar="N[,N]", help="input shape: 5 or 3,3")
    p.add_argument("--stride", default="1")
    p.add_argument("--padding", default="0")
    p.add_argument("--dilation", default="1")
    p.add_argument("--transpose", action="store_true", help="the transposed convolution's T = M.T")
    _out(p)
    p = sub.add_parser("kernel", help="a stencil with its exact weights")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--weights", help='the weights, e.g. "[1, -2, 1]" or "[[0,1,0],[1,-4,1],[0,1,0]]"')
    group.add_argument("--derivative", type=int, metavar="ORDER",
                       help="the central finite-difference kernel of this derivative order")
    p.add_argument("--accuracy", type=int, default=2, help="with --derivative (default 2)")
    p.add_argument("--form", choices=("corr", "conv"), default="corr",
                   help="with --derivative: orientation (default corr)")
    _out(p)
    p = sub.add_parser("arch", help="output sizes through a network (symconv shapes as bars)")
    p.add_argument("arch", help="catalogue name (see symconv shapes --list) or a JSON layer file")
    p.add_argument("--input", default=None, metavar="C,H,W",
                   help="input size without the batch axis (names allowed: 3,n,n)")
    _subs_option(p)
    p.add_argument("--depth", type=int, default=0,
                   help="deepest nesting level shown (default 0: blocks, not their layers)")
    _out(p)


# ---------------------------------------------------------------------------
# text -> values
# ---------------------------------------------------------------------------

def _number(text, what):
    from symconv.parsing import parse_math

    value = parse_math(text.strip(), latex=False)
    if not getattr(value, "is_number", False) or value.is_real is False:
        raise ParseError(f"{what} must be a real number, but got {text.strip()!r}")
    return value


def parse_subs(text):
    """``'a=2, b=1/2'`` -> ``{'a': 2, 'b': 1/2}`` (values through the safe parser).

    >>> parse_subs('a=2, b=1/2')
    {'a': 2, 'b': 1/2}
    >>> parse_subs('a')
    Traceback (most recent call last):
    ...
    symconv.errors.ParseError: --subs items must look like name=value, but got 'a'
    """
    out = {}
    for item in filter(None, (part.strip() for part in (text or "").split(","))):
        name, equals, value = item.partition("=")
        if not equals or not _NAME.match(name.strip()) or not value.strip():
            raise ParseError(f"--subs items must look like name=value, but got {item!r}")
        out[name.strip()] = _number(value, f"--subs value of {name.strip()}")
    return out


def _pair(text, name):
    if text is None:
        return None
    parts = text.split(",")
    if len(parts) != 2:
        raise ParseError(f"{name} must be two numbers LO,HI, but got {text!r}")
    return tuple(float(_number(p, name)) for p in parts)


def _shifts(text):
    if text is None:
        return None
    return [_number(p, "--at entries") for p in text.split(",")]


# ---------------------------------------------------------------------------
# run
# ---------------------------------------------------------------------------

def _signals(args, op):
    """The two signals and the variable; every other symbol must be in ``--subs``."""
    f, g, var, _symbols = _signal_args.read_signals(args, op)
    print(_signal_args.interpretation(args, op, f, g, var))   # what was read, first
    subs = parse_subs(args.subs)
    names = set()
    for signal in (f, g):
        for value in signal if isinstance(signal, list) else [signal]:
            names |= {s.name for s in value.free_symbols if s != var}
    missing = sorted(names - set(subs))
    if missing:
        which = f"symbol other than the variable {var}" if var is not None else "symbol"
        raise SymconvError(f"--subs must give a value to every {which}, but got none for "
                           f"{', '.join(missing)} (e.g. --subs "
                           f"{','.join(f'{m}=1' for m in missing)})")
    return f, g, var, subs


def _figure(args):
    import symconv.plot as sp_plot

    kind = args.figure
    if kind in ("conv", "corr"):
        f, g, var, subs = _signals(args, kind)
        return sp_plot.plot_signals(f, g, var, op=kind, subs=subs,
                                    xlim=_pair(args.xlim, "--xlim"))
    if kind == "slide":
        f, g, var, subs = _signals(args, args.op)
        return sp_plot.plot_flip_and_slide(f, g, var, _shifts(args.at), op=args.op, subs=subs,
                                           xlim=_pair(args.xlim, "--xlim"),
                                           animate=args.animate, frames=args.frames)
    if kind == "layer":
        from symconv.commands.matrix import parse_padding

        padding = parse_padding(args.padding)
        if isinstance(padding, list):           # one (lo, hi) pair for a 1-D layer
            padding = padding[0]
        print(f"input: a {'transposed ' if args.transposed else ''}convolution layer, input "
              f"{args.input}, kernel {args.kernel}, stride {args.stride}, padding {padding}, "
              f"dilation {args.dilation}"
              + (f", output padding {args.output_padding}" if args.transposed else ""))
        return sp_plot.plot_layer(
            int_list(args.input, "--input", 1), int_list(args.kernel, "--kernel", 1),
            stride=int_list(args.stride, "--stride", 1), padding=padding,
            dilation=int_list(args.dilation, "--dilation", 1), transposed=args.transposed,
            output_padding=int_list(args.output_padding, "--output-padding", 0),
            at=None if args.at is None else int_list(args.at, "--at", 0))
    if kind == "matrix":
        import symconv as sc
        from symconv.commands.matrix import parse_nested, parse_padding

        kernel = parse_nested(args.kernel)
        function = sc.conv_transpose_matrix if args.transpose else sc.conv_matrix
        M = function(kernel, int_list(args.input, "--input", 1),
                     stride=int_list(args.stride, "--stride", 1),
                     padding=parse_padding(args.padding),
                     dilation=int_list(args.dilation, "--dilation", 1))
        return sp_plot.plot_matrix(M)
    if kind == "kernel":
        import symconv as sc

        if args.weights is not None:
            from symconv.commands.matrix import parse_nested

            return sp_plot.plot_kernel(parse_nested(args.weights, "--weights"))
        return sp_plot.plot_kernel(sc.derivative_kernel(args.derivative, accuracy=args.accuracy,
                                                        form=args.form))
    if kind == "arch":
        import symconv as sc
        from symconv.commands.shapes import parse_input
        from symconv.nn import architectures

        name = args.arch
        arch = architectures.load_json(name) if name.lower().endswith(".json") else \
            architectures.get(name)
        shape = None if args.input is None else (1, *parse_input(args.input))
        table = sc.infer_shapes(arch, shape)
        return sp_plot.plot_architecture(table, subs=parse_subs(args.subs) or None,
                                         depth=args.depth)
    raise SymconvError(f"plot: unknown figure {kind!r}")   # argparse prevents this


def run(args):
    """Draw the figure and write it; prints the file name and size."""
    from symconv.plot import output

    animate = getattr(args, "animate", False)
    # check the name first: a typo in --out should not cost a computation
    output.format_of(args.out, ("gif", "html") if animate else output._FIGURE_FORMATS)
    try:
        figure = _figure(args)
    except SymconvError:
        raise
    except RecursionError:
        raise SymconvError("plot: the input is nested too deeply for SymPy (maximum recursion "
                           "depth exceeded)") from None
    except Exception as exc:  # noqa: BLE001 -- SymPy and matplotlib raise many types
        message = " ".join(str(exc).split())[:200]
        raise SymconvError(f"plot {args.figure} failed ({type(exc).__name__}: {message})") \
            from None
    path = (output.save_animation(figure, args.out) if animate
            else output.save_figure(figure, args.out))
    print(f"wrote {path} ({path.stat().st_size:,} bytes)")
    return 0
