"""``symconv kernel``: exact derivative, integral and image kernels, with their verification.

Examples::

    symconv kernel derivative --order 2
    symconv kernel derivative --order 1 --accuracy 4 --form conv
    symconv kernel derivative --order 2 --dims 2          # per-axis kernels and the Laplacian
    symconv kernel derivative --order 1 --offsets -2,0,1 --spacing h
    symconv kernel integral --rule simpson --cells 4
    symconv kernel laplacian --dims 3
    symconv kernel mixed --orders 1,1
    symconv kernel directional --direction 1,1
    symconv kernel image --name sobel_x
    symconv kernel min-size --order 3

Every kernel is printed with its orientation, what it approximates, and (unless
``--no-verify``) the verification: symbolic exactness on polynomials up to the promised
degree, the first monomial where it fails with the leading error term, and the measured
convergence order. Text arguments (``--spacing``, ``--direction``) go through the safe
parser :func:`symconv.parsing.parse_math`.
"""

from symconv._util.lazy import sympy
from symconv.errors import SymconvError

NAME = "kernel"
HELP = "Exact finite-difference / quadrature / image kernels with their verification"


def _common(p, accuracy=True):
    if accuracy:
        p.add_argument("--accuracy", type=int, default=2, help="order of the error O(h^p) (default 2)")
    p.add_argument("--spacing", default="1", help="grid spacing: a number or a name such as h")
    p.add_argument("--form", choices=("corr", "conv"), default="corr",
                   help="corr: array to cross-correlate with (default); conv: flipped, to convolve")
    p.add_argument("--no-verify", action="store_true", help="skip the verification report")
    p.add_argument("--latex", action="store_true",
                   help="print LaTeX only: the approximation, and the verification as %% comments")


def add_arguments(parser):
    sub = parser.add_subparsers(dest="kind", metavar="KIND", required=True)
    p = sub.add_parser("derivative", help="d-th derivative (central, one-sided or given offsets)")
    p.add_argument("--order", type=int, required=True, help="derivative order d (1 = first derivative)")
    p.add_argument("--offsets", default="central",
                   help="central (default), forward, backward, or a comma list such as -2,0,1")
    p.add_argument("--dims", type=int, default=1,
                   help="grid dimension: prints the partial derivative along every axis "
                        "(and the Laplacian for --order 2)")
    _common(p)
    p = sub.add_parser("integral", help="running sum / rectangle / midpoint / trapezoid / Simpson")
    p.add_argument("--rule", default="trapezoid",
                   choices=("running_sum", "rectangle", "midpoint", "trapezoid", "simpson"),
                   help="quadrature rule (default trapezoid)")
    p.add_argument("--cells", type=int, default=None, help="window length in grid cells")
    _common(p, accuracy=False)
    p = sub.add_parser("laplacian", help="sum of second differences along every axis")
    p.add_argument("--dims", type=int, default=2, help="grid dimension (default 2)")
    _common(p)
    p = sub.add_parser("mixed", help="mixed partial derivative, e.g. --orders 1,1")
    p.add_argument("--orders", required=True, help="derivative order per axis, comma list")
    _common(p)
    p = sub.add_parser("directional", help="derivative along a direction v (edges orthogonal to v)")
    p.add_argument("--direction", required=True, help="comma list, e.g. 1,1 or 0,1")
    _common(p)
    for name in ("sobel", "scharr"):
        p = sub.add_parser(name, help=f"{name.title()} smoothed derivative")
        p.add_argument("--axis", type=int, default=-1,
                       help="axis along which the derivative is taken (default -1, the last)")
        p.add_argument("--dims", type=int, default=2, help="grid dimension (default 2)")
        p.add_argument("--normalized", action="store_true", help="divide so it estimates df/dx")
        _common(p, accuracy=False)
    p = sub.add_parser("image", help="classic image kernels (blur, edge detectors, sharpen)")
    p.add_argument("--name", required=True,
                   choices=("box_blur", "gaussian_blur", "vertical_edge", "horizontal_edge",
                            "diagonal_edge", "antidiagonal_edge", "laplacian", "sharpen",
                            "sobel_x", "sobel_y", "scharr_x", "scharr_y"),
                   help="which kernel")
    p.add_argument("--size", type=int, default=3, help="blur size (odd)")
    p.add_argument("--demo", action="store_true",
                   help="apply it to the small exact edge images and print the results")
    _common(p, accuracy=False)
    p = sub.add_parser("min-size", help="fewest taps for a d-th derivative, with the argument")
    p.add_argument("--order", type=int, required=True, help="derivative order d")
    p.add_argument("--latex", action="store_true", help="print the argument as LaTeX only")


def _spacing(text):
    from symconv.parsing import parse_math

    value = parse_math(str(text), latex=False)
    if not isinstance(value, sympy.Expr):
        raise SymconvError(f"--spacing must be a number or a name, but got {text!r}")
    # names become positive symbols (a spacing is a length)
    return value.subs({s: sympy.Symbol(s.name, positive=True) for s in value.free_symbols})


def _numbers(text, name):
    from symconv.parsing import parse_math

    values = []
    for part in str(text).split(","):
        value = parse_math(part.strip(), latex=False)
        if not isinstance(value, sympy.Expr):
            raise SymconvError(f"{name} must be a comma list of numbers, but got {text!r}")
        values.append(value)
    return values


def _ints(text, name):
    values = []
    for part in str(text).split(","):
        try:
            values.append(int(part.strip()))
        except ValueError:
            raise SymconvError(f"{name} must be a comma list of ints, but got {text!r}") from None
    return values


def _text(text, args):
    """Print ``text``; under ``--latex`` as LaTeX comment lines, so the output stays LaTeX only."""
    if getattr(args, "latex", False):
        text = "\n".join(("% " + line) if line.strip() else line for line in str(text).splitlines())
    print(text)


def _show(kernel, args):
    if getattr(args, "latex", False):
        print(kernel.latex())
    else:
        print(kernel)
    if not getattr(args, "no_verify", False):
        _text(kernel.verify(), args)
    print()


def run(args):
    from symconv.nn import kernels as K

    if args.kind == "min-size":
        arg = K.min_kernel_size(args.order, explain=True)
        print(arg.latex() if args.latex else arg)
        return 0
    spacing = _spacing(args.spacing)
    shown = []
    if args.kind == "derivative":
        offsets = args.offsets
        if offsets not in ("central", "forward", "backward"):
            offsets = _ints(offsets, "--offsets")
        if args.dims == 1:
            shown.append(K.derivative_kernel(args.order, args.accuracy, offsets, spacing, args.form))
        else:
            for axis in range(args.dims):
                shown.append(K.derivative_kernel(args.order, args.accuracy, offsets, spacing,
                                                 args.form, dims=args.dims, axis=axis))
            if args.order == 2:
                shown.append(K.laplacian_kernel(args.dims, args.accuracy, spacing, args.form))
    elif args.kind == "integral":
        shown.append(K.integral_kernel(args.rule, args.cells, spacing, args.form))
    elif args.kind == "laplacian":
        shown.append(K.laplacian_kernel(args.dims, args.accuracy, spacing, args.form))
    elif args.kind == "mixed":
        shown.append(K.mixed_partial_kernel(_ints(args.orders, "--orders"), args.accuracy,
                                            spacing, args.form))
    elif args.kind == "directional":
        shown.append(K.directional_derivative_kernel(_numbers(args.direction, "--direction"),
                                                     args.accuracy, spacing, args.form))
    elif args.kind in ("sobel", "scharr"):
        maker = K.sobel_kernel if args.kind == "sobel" else K.scharr_kernel
        shown.append(maker(args.axis, args.dims, args.normalized, spacing, args.form))
    elif args.kind == "image":
        if spacing != 1:
            raise SymconvError(f"image kernels are defined for unit pixels, but got --spacing {args.spacing}")
        shown.append(K.image_kernel(args.name, args.size, args.form))
    for kernel in shown:
        _show(kernel, args)
    if args.kind == "image" and args.demo:
        for name, image in K.edge_images().items():
            _text(f"{name} edge image:", args)
            _print_matrix(image, args)
            _text(f"after {shown[0].name}:", args)
            _print_matrix(shown[0].apply(image), args)
            print()
    return 0


def _print_matrix(M, args):
    cells = [[str(M[i, j]) for j in range(M.cols)] for i in range(M.rows)]
    widths = [max(len(cells[i][j]) for i in range(M.rows)) for j in range(M.cols)]
    for row in cells:
        _text("  [" + "  ".join(c.rjust(w) for c, w in zip(row, widths)) + "]", args)
