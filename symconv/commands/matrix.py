"""``symconv matrix``: the matrix of a convolution (or of its transpose).

Examples::

    symconv matrix --kernel "[x, y, z]" --input 4 --padding 1
    symconv matrix --kernel "[[a, b], [c, d]]" --input 3,3 --apply
    symconv matrix --kernel "[x, y, z]" --input 2 --stride 2 --transpose --apply
    symconv matrix --kernel "[[[1, 2]], [[0, 1]]]" --input 1,5     # 2 filters, 1 channel
    symconv matrix --kernel "[x, y, z]" --input 4 --padding 1 --latex

The kernel is text: a bracketed list (1-D), a list of rows (2-D) or deeper nesting
(N-d, or ``(F, C, *k)`` layer weights when ``--input`` has a leading channel entry).
Every entry is read by the safe parser :func:`symconv.parsing.parse_math`; nothing is
evaluated as Python. In a list of entries a single letter is a symbol
(``letters_are_symbols=True``): ``[[a, b, c], [d, e, f], [g, h, i]]`` has a symbol ``e``,
and ``I``, ``j`` and ``E`` are symbols too. Euler's number is ``e^t`` (``e`` as the base of a
power) or ``exp(t)``; the first line of the output (the kernel as read) says where it
was used.
"""

from symconv._util.lazy import sympy
from symconv.errors import ParseError

NAME = "matrix"
HELP = "Convolution as a (doubly-block) Toeplitz matrix, or its transpose, exact and symbolic"

_MAX_PRINT = 40


def add_arguments(parser):
    parser.add_argument("--kernel", required=True,
                        help='kernel entries, e.g. "[x, y, z]" or "[[1, 0], [0, -1]]"; '
                             "a kernel with one more axis than --input spatial sizes is a layer "
                             "weight (F, C, *k)")
    parser.add_argument("--input", required=True, metavar="N[,N...]",
                        help="input shape without batch: 4, or 5,5, or C,H,W with a channel axis "
                             "(for --transpose: the transposed convolution's own small input)")
    parser.add_argument("--stride", default="1", help="int or comma list per dimension (default 1)")
    parser.add_argument("--padding", default="0",
                        help="int, comma list per dimension, lo:hi pairs (0:1,1:1), same or valid")
    parser.add_argument("--dilation", default="1", help="int or comma list (default 1)")
    parser.add_argument("--output-padding", default="0",
                        help="transposed convolution only: int or comma list (default 0)")
    parser.add_argument("--transpose", action="store_true",
                        help="the transposed convolution's matrix T = M.T")
    parser.add_argument("--flip", action="store_true",
                        help="mathematical convolution (flipped kernel) instead of the layer's "
                             "cross-correlation")
    parser.add_argument("--padded", action="store_true",
                        help="act on the zero-padded input (columns for the padding)")
    parser.add_argument("--apply", action="store_true",
                        help="also print vec(y) = M vec(X) for a symbolic input X0, X1, ...")
    parser.add_argument("--latex", action="store_true", help="print LaTeX instead of text")
    parser.add_argument("--full", action="store_true",
                        help=f"print the matrix even when it is larger than {_MAX_PRINT} x {_MAX_PRINT}")


# ---------------------------------------------------------------------------
# argument parsing (text -> values); leaves go through the safe math parser
# ---------------------------------------------------------------------------

def parse_nested(text, what="kernel"):
    """Split bracket nesting ourselves and hand every leaf entry to ``parse_math``.

    >>> parse_nested("[[[1, x/2]], [[y, 0]]]")
    [[[1, x/2]], [[y, 0]]]
    >>> parse_nested("[[a, b, c], [d, e, f]]")
    [[a, b, c], [d, e, f]]
    >>> parse_nested("[f(1, 2)]")
    Traceback (most recent call last):
    ...
    symconv.errors.ParseError: kernel entry 'f(1, 2)' must be a number or an expression in symbols: cannot parse: unknown function 'f' ...
    """
    from symconv.parsing import parse_math

    text = text.strip()
    if not text.startswith("["):
        raise ParseError(f"{what} must be a bracketed list such as [x, y, z], but got {text!r}", 0)

    def leaf(chunk, start):
        chunk_stripped = chunk.strip()
        if not chunk_stripped:
            raise ParseError(f"{what} has an empty entry at position {start}", start)
        try:
            value = parse_math(chunk_stripped, latex=False, letters_are_symbols=True)
        except ParseError as exc:
            raise ParseError(f"{what} entry {chunk_stripped!r} must be a number or an expression "
                             f"in symbols: {exc}", start) from None
        if not isinstance(value, sympy.Expr) or value.has(sympy.core.function.AppliedUndef):
            raise ParseError(f"{what} entry {chunk_stripped!r} must be a number or an expression "
                             f"in symbols: cannot parse: got {value!r}", start)
        return value

    def parse_list(pos):
        # text[pos] == '['; returns (list, position after ']')
        items, pos = [], pos + 1
        while True:
            while pos < len(text) and text[pos].isspace():
                pos += 1
            if pos >= len(text):
                raise ParseError(f"{what}: missing ']'", pos)
            if text[pos] == "[":
                item, pos = parse_list(pos)
                items.append(item)
            else:
                start, depth = pos, 0
                while pos < len(text) and not (depth == 0 and text[pos] in ",]"):
                    if text[pos] in "([{":
                        depth += 1
                    elif text[pos] in ")]}":
                        depth -= 1
                    pos += 1
                if pos >= len(text):
                    raise ParseError(f"{what}: missing ']'", pos)
                items.append(leaf(text[start:pos], start))
            while pos < len(text) and text[pos].isspace():
                pos += 1
            if pos < len(text) and text[pos] == ",":
                pos += 1
                continue
            if pos < len(text) and text[pos] == "]":
                return items, pos + 1
            raise ParseError(f"{what}: expected ',' or ']' at position {pos}", pos)

    value, end = parse_list(0)
    if text[end:].strip():
        raise ParseError(f"{what}: unexpected text after the closing ']' at position {end}", end)
    return value


def _flat(nested):
    if isinstance(nested, list):
        for item in nested:
            yield from _flat(item)
    else:
        yield nested


def kernel_echo(kernel):
    """The kernel as read, and a note where ``e`` was read as Euler's number.

    >>> kernel_echo(parse_nested("[[a, b], [e, e^t]]"))
    "kernel [[a, b], [e, exp(t)]] (letters are symbols; Euler's number e in: exp(t))"
    >>> kernel_echo(parse_nested("[x, y]"))
    'kernel [x, y]'
    """
    euler = []
    for entry in _flat(kernel):
        if (entry.has(sympy.E) or entry.has(sympy.exp)) and sympy.sstr(entry) not in euler:
            euler.append(sympy.sstr(entry))
    text = f"kernel {sympy.sstr(kernel)}"
    if euler:
        shown = ", ".join(euler[:4]) + (", ..." if len(euler) > 4 else "")
        text += f" (letters are symbols; Euler's number e in: {shown})"
    return text


def int_list(text, name, minimum=None):
    """``'3'`` -> 3, ``'3,2'`` -> (3, 2), each entry at least ``minimum`` when given;
    anything else is a ParseError naming the option ``name``.

    >>> int_list('3', '--stride'), int_list('3, 2', '--stride')
    (3, (3, 2))
    >>> int_list('0', '--stride', minimum=1)
    Traceback (most recent call last):
    ...
    symconv.errors.ParseError: --stride entries must be >= 1, but got '0'
    """
    parts = [p.strip() for p in str(text).split(",")]
    try:
        values = [int(p) for p in parts]
    except ValueError:
        raise ParseError(f"{name} must be an int or a comma-separated list of ints, "
                         f"but got {text!r}") from None
    if minimum is not None and any(v < minimum for v in values):
        raise ParseError(f"{name} entries must be >= {minimum}, but got {text!r}")
    return values[0] if len(values) == 1 else tuple(values)


def parse_padding(text):
    """``'1'``, ``'1,2'``, ``'0:1,1:1'``, ``'same'``, ``'valid'`` -> a padding argument.

    >>> parse_padding('0:1,2'), parse_padding('same'), parse_padding('3')
    (((0, 1), 2), 'same', 3)
    """
    text = str(text).strip()
    if text in ("same", "valid"):
        return text
    parts = [p.strip() for p in text.split(",")]
    out = []
    for p in parts:
        if ":" in p:
            lo, _, hi = p.partition(":")
            out.append((int_list(lo, "padding"), int_list(hi, "padding")))
        else:
            out.append(int_list(p, "padding"))
    if len(out) == 1 and not isinstance(out[0], tuple):
        return out[0]
    if len(out) == 1:
        return [out[0]]
    return tuple(out)


def _shape(text):
    value = int_list(text, "--input")
    return value if isinstance(value, int) else tuple(value)


def run(args):
    from symconv.nn.matrix import conv_matrix, conv_transpose_matrix, matrix_shapes

    kernel = parse_nested(args.kernel)
    shape = _shape(args.input)
    common = dict(stride=int_list(args.stride, "--stride"), padding=parse_padding(args.padding),
                  dilation=int_list(args.dilation, "--dilation"))
    if args.transpose:
        output_padding = int_list(args.output_padding, "--output-padding")
        M = conv_transpose_matrix(kernel, shape, output_padding=output_padding, flip=args.flip,
                                  padded=args.padded, **common)
        x_shape, y_shape = matrix_shapes(kernel, shape, transpose=True,
                                         output_padding=output_padding, **common)
        what = "transposed convolution: vec(z) = T vec(x), T = M^T"
    else:
        M = conv_matrix(kernel, shape, flip=args.flip, padded=args.padded, **common)
        x_shape, y_shape = matrix_shapes(kernel, shape, **common)
        what = ("convolution (flipped kernel)" if args.flip else "cross-correlation layer") + \
               ": vec(y) = M vec(x)"
    if args.padded:
        what += " on the zero-padded input" if not args.transpose else " before cropping the padding"
    rows, cols = M.shape
    letter, out = ("T", "z") if args.transpose else ("M", "y")
    header = (f"{what}; row-major vec; x shape {x_shape}, {out} shape "
              f"{'(uncropped)' if args.padded and args.transpose else y_shape}; "
              f"{letter} is {rows} x {cols} with {M.nnz()} non-zeros")
    xs = sympy.Matrix(sympy.symbols(f"X0:{cols}")) if args.apply else None
    echo = kernel_echo(kernel)
    if args.latex:
        print(f"% {echo}")
        print(f"% {header}")
        if (rows > _MAX_PRINT or cols > _MAX_PRINT) and not args.full:
            print(f"% matrix too large to print ({rows} x {cols}); use --full")
        else:
            print(sympy.latex(sympy.Matrix(M)))
        if xs is not None:
            print(sympy.latex(sympy.Eq(sympy.Symbol("y"), sympy.Matrix(M) * xs, evaluate=False)))
        return 0
    print(echo)
    print(header)
    if (rows > _MAX_PRINT or cols > _MAX_PRINT) and not args.full:
        print(f"(matrix too large to print: {rows} x {cols}; use --full)")
    else:
        print(_table(M))
    if xs is not None:
        print(f"{letter} * [X0, X1, ...]^T =")
        print(_table(M * xs))
    return 0


def _table(M):
    """Plain aligned rows ``[a  b  c]``, one line per matrix row."""
    cells = [[str(M[i, j]) for j in range(M.cols)] for i in range(M.rows)]
    widths = [max(len(cells[i][j]) for i in range(M.rows)) for j in range(M.cols)]
    return "\n".join("[" + "  ".join(c.rjust(w) for c, w in zip(row, widths)) + "]"
                     for row in cells)
