"""The data behind the explorer page, computed from symconv at build time.

Everything the page shows as a number or a formula comes from here:

* :func:`size_table`: for every 1-D setting of the bounded :data:`GRID`, the output length
  from :func:`symconv.conv_output_size` / :func:`symconv.conv_transpose_output_size`, or
  the exact text of the :class:`~symconv.errors.SymconvError` they raise.
* :func:`same_paddings`: the ``(lo, hi)`` pair of ``padding='same'`` from
  :func:`symconv.same_padding`.
* :func:`size_formulas`: the symbolic output-size rules, obtained by calling the same two
  functions with SymPy symbols, as LaTeX (and as a template whose symbols the page
  replaces by the current numbers).
* :func:`kernel_table`: the kernel choices (symbolic letters, an edge detector, and
  :func:`symconv.derivative_kernel`), entry by entry as text and LaTeX.
* :data:`GEOMETRY`: where the page draws things, per dimension: the frame (the padded
  input, or for a transposed convolution the zero-inserted and fully padded input), where
  input ``x[i]`` sits in it, where the window of output ``o`` starts and how far apart its
  taps are. These are short expressions in the hyper-parameters, exported to JavaScript
  with SymPy's JavaScript printer. :func:`check_geometry` rebuilds the matrix of every
  valid setting of the grid from them and compares it entry by entry with
  :func:`symconv.conv_matrix` / :func:`symconv.conv_transpose_matrix`; the site is
  written only when they agree, so a cell's formula on the page is a row of symconv's
  matrix.

A 2-D setting is a pair of 1-D settings (rows, columns): its output grid is the product
of the two axes, and the tap of kernel entry ``(m1, m2)`` reads ``x[i1, i2]`` exactly when
each axis' tap reads its index (the doubly-block Toeplitz structure described in
:mod:`symconv`'s matrix docs). The page combines the two axes that way; the browser tests
compare its 2-D formulas and errors with symconv's 2-D matrices.

>>> table = size_table()
>>> table["sizes"][setting_index(0, n=7, k=3, s=2, p=1, d=1)]
4
>>> table["errors"][-1 - table["sizes"][setting_index(0, n=2, k=5, s=1, p=0, d=1)]]
'conv: padded input n + p_lo + p_hi must be >= the dilated kernel d*(k - 1) + 1, but got 2 < 5 (n=2, kernel_size=5, padding=(0, 0), dilation=1)'
"""

import itertools
import math
import re

import sympy as sp

import symconv as sc
from symconv.errors import SymconvError

__all__ = ["GRID", "GEOMETRY", "setting_index", "settings", "size_table", "same_paddings",
           "size_formulas", "kernel_table", "kernel_values", "geometry_js", "check_geometry",
           "page_data"]

# the bounded grid of 1-D settings the page covers (2-D: one per axis); a URL outside it
# gets a message saying so
GRID = {
    "n": tuple(range(1, 17)),
    "k": tuple(range(1, 6)),
    "s": tuple(range(1, 4)),
    "p": (0, 1, 2, 3, "same"),
    "d": tuple(range(1, 4)),
    "op": tuple(range(0, 3)),
}
# modes: 0 = convolution, 1 + op = transposed convolution with output padding op
MODES = 1 + len(GRID["op"])

_SYM = dict(zip(("n", "k", "s", "lo", "hi", "d", "op"),
                sp.symbols("n k s lo hi d op", integer=True, nonnegative=True)))


def setting_index(mode, n, k, s, p, d):
    """Position of a 1-D setting in the flat size table (mode 0: conv, 1 + op: transposed).

    >>> setting_index(0, 1, 1, 1, 0, 1), setting_index(1, 1, 1, 1, 0, 1)
    (0, 3600)
    """
    index = mode
    for name, value in (("n", n), ("k", k), ("s", s), ("p", p), ("d", d)):
        index = index * len(GRID[name]) + GRID[name].index(value)
    return index


def settings():
    """Every 1-D setting ``(mode, n, k, s, p, d)`` in table order."""
    return itertools.product(range(MODES), GRID["n"], GRID["k"], GRID["s"], GRID["p"], GRID["d"])


def _size(mode, n, k, s, p, d):
    if mode == 0:
        return sc.conv_output_size(n, k, stride=s, padding=p, dilation=d)
    return sc.conv_transpose_output_size(n, k, stride=s, padding=p, output_padding=mode - 1,
                                         dilation=d)


def size_table():
    """Output sizes and error messages of the whole grid, straight from ``symconv.nn.shapes``.

    Returns
    -------
    dict
        ``sizes``: one int per setting (:func:`setting_index` order), the output length
        when it is >= 1, else ``-1 - i`` for the message ``errors[i]``; ``errors``: the
        distinct messages.
    """
    sizes, errors, where = [], [], {}
    for setting in settings():
        try:
            sizes.append(int(_size(*setting)))
        except SymconvError as exc:
            message = str(exc)
            if message not in where:
                where[message] = len(errors)
                errors.append(message)
            sizes.append(-1 - where[message])
    return {"sizes": sizes, "errors": errors}


def same_paddings():
    """``{"k,d": [lo, hi]}`` for ``padding='same'`` (stride 1), from :func:`symconv.same_padding`.

    >>> same_paddings()["4,1"]
    [1, 2]
    """
    return {f"{k},{d}": list(sc.same_padding(k, stride=1, dilation=d))
            for k in GRID["k"] for d in GRID["d"]}


# ---------------------------------------------------------------------------
# the output-size rules as LaTeX, from symconv's own symbolic answer
# ---------------------------------------------------------------------------

_TEX_NAMES = {"n": "n", "k": "k", "s": "s", "lo": r"p_{\mathrm{lo}}", "hi": r"p_{\mathrm{hi}}",
              "d": "d", "op": r"p_{\mathrm{out}}"}


def size_formulas():
    """The symbolic output-size rules as LaTeX, plus templates for the numbers.

    ``tex`` is SymPy's LaTeX of what symconv returns for symbolic arguments; ``template``
    is the same LaTeX with every symbol written ``@name@`` (the page substitutes the
    current values).

    >>> print(size_formulas()["transposed"]["template"])
    @d@ \\cdot @k@ - @d@ - @hi@ - @lo@ + @n@ \\cdot @s@ + @op@ - @s@ + 1
    """
    S = _SYM
    exprs = {
        "conv": sc.conv_output_size(S["n"], S["k"], stride=S["s"], padding=(S["lo"], S["hi"]),
                                    dilation=S["d"]),
        "transposed": sc.conv_transpose_output_size(
            S["n"], S["k"], stride=S["s"], padding=(S["lo"], S["hi"]), output_padding=S["op"],
            dilation=S["d"]),
    }
    out = {}
    for mode, expr in exprs.items():
        tex = sp.latex(expr, mul_symbol="dot",
                       symbol_names={S[name]: _TEX_NAMES[name] for name in S})
        template = sp.latex(expr, mul_symbol="dot", symbol_names={S[name]: f"@{name}@" for name in S})
        out[mode] = {"tex": tex, "template": template, "text": str(expr)}
    return out


# ---------------------------------------------------------------------------
# kernels
# ---------------------------------------------------------------------------

# letters for the symbolic kernel, row-major; x, y, z are the input and output names
_LETTERS = "abcdefghijklmnopqrstuvw"


def _centred_offsets(k):
    first = -((k - 1) // 2)
    return list(range(first, first + k))


def kernel_values(kind, shape):
    """The kernel the page uses: a nested list of SymPy numbers or symbols.

    Parameters
    ----------
    kind : {'letters', 'edge', 'deriv'}
        Symbolic letters ``a, b, c, ...`` (row-major; ``w_{i,j}`` when there are more than
        23 entries); an edge detector (binomial smoothing down the rows times a step
        ``-1 ... 0 ... 1`` across the columns: the Sobel kernel at 3 x 3); or the first
        derivative :func:`symconv.derivative_kernel` on centred offsets (in 2-D along the
        columns, ``dims=2, axis=1``, one row high).
    shape : tuple of int
        ``(k,)`` or ``(k1, k2)``.

    Raises
    ------
    SymconvError
        When the kernel does not exist at that size (symconv's own message for the
        derivative kernel).

    Examples
    --------
    >>> kernel_values('letters', (3,))
    [a, b, c]
    >>> kernel_values('edge', (3, 3))
    [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]
    >>> kernel_values('deriv', (4,))
    [-1/3, -1/2, 1, -1/6]
    >>> kernel_values('deriv', (1,))
    Traceback (most recent call last):
    ...
    symconv.errors.SymconvError: a derivative of order 1 needs at least 2 distinct offsets (min_kernel_size(1) = 2), but got 1: [0]
    """
    size = math.prod(shape)
    if kind == "letters":
        if size <= len(_LETTERS):
            flat = list(sp.symbols(list(_LETTERS[:size])))
        else:
            flat = [sp.Symbol(f"w_{{{i},{j}}}") for i in range(shape[0]) for j in range(shape[1])]
        if len(shape) == 1:
            return flat
        return [flat[r * shape[1]:(r + 1) * shape[1]] for r in range(shape[0])]
    if kind == "edge":
        width = shape[-1]
        if width < 2:
            raise SymconvError(f"the edge detector must be at least 2 wide, but got kernel width {width}")
        step = [sp.sign(sp.Rational(2 * j - (width - 1), 2)) for j in range(width)]
        if len(shape) == 1:
            return step
        return [[sp.binomial(shape[0] - 1, i) * v for v in step] for i in range(shape[0])]
    if kind == "deriv":
        if len(shape) == 1:
            return sc.derivative_kernel(1, offsets=_centred_offsets(shape[0])).tolist()
        if shape[0] != 1:
            raise SymconvError(
                "the derivative kernel derivative_kernel(1, dims=2, axis=1) must be 1 row high, "
                f"but got kernel size {shape[0]}x{shape[1]} (try k=1x{shape[1]})")
        return sc.derivative_kernel(1, offsets=_centred_offsets(shape[1]), dims=2, axis=1).tolist()
    raise SymconvError(f"kernel must be one of 'letters', 'edge', 'deriv', but got {kind!r}")


def _flat(values):
    return [v for row in values for v in row] if values and isinstance(values[0], list) else values


def _entry(w):
    """How one kernel entry is written: text and LaTeX, as first term and as later term."""
    w = sp.sympify(w)
    negative = bool(w.is_number and w < 0)
    size = -w if negative else w

    def lead(value, text):
        if value == 1:
            return ""
        return (str(value) + "·") if text else (sp.latex(value) + r" \cdot ")

    sign_text = "-" if negative else ""
    return {
        "text": str(w), "tex": sp.latex(w), "zero": bool(w == 0),
        "lead": sign_text + lead(size, True), "cont": (" - " if negative else " + ") + lead(size, True),
        "leadTex": sign_text + lead(size, False),
        "contTex": (" - " if negative else " + ") + lead(size, False),
    }


def kernel_table():
    """Every kernel choice at every size of the grid: entries or a message.

    Keys are ``"kind:k"`` (1-D) and ``"kind:k1xk2"`` (2-D); values are
    ``{"entries": [...]}`` (row-major, see :func:`kernel_values`) or ``{"error": text}``.

    >>> kernel_table()["deriv:3"]["entries"][0]["text"]
    '-1/2'
    >>> kernel_table()["deriv:1"]["error"]
    'a derivative of order 1 needs at least 2 distinct offsets (min_kernel_size(1) = 2), but got 1: [0]'
    """
    table = {}
    shapes = [(k,) for k in GRID["k"]] + list(itertools.product(GRID["k"], GRID["k"]))
    for kind in ("letters", "edge", "deriv"):
        for shape in shapes:
            key = f"{kind}:" + "x".join(map(str, shape))
            try:
                table[key] = {"entries": [_entry(w) for w in _flat(kernel_values(kind, shape))]}
            except SymconvError as exc:
                table[key] = {"error": str(exc)}
    return table


# ---------------------------------------------------------------------------
# geometry of the drawing, checked against symconv's matrices
# ---------------------------------------------------------------------------

def _geometry():
    n, k, s, lo, hi, d, op = (_SYM[name] for name in ("n", "k", "s", "lo", "hi", "d", "op"))
    full = d * (k - 1)  # the transposed convolution pads its zero-inserted input fully
    return {
        # conv: the frame is the zero-padded input; window o starts at o*s
        "conv": {"L": n + lo + hi, "x0": lo, "xstep": sp.Integer(1), "w0": sp.Integer(0),
                 "wstep": s, "tap": d, "flip": sp.Integer(0)},
        # transposed: x[i] sits at full + i*s among inserted zeros; the kernel is flipped
        # and slides with step 1; the first lo outputs are cropped away
        "transposed": {"L": 2 * full + (n - 1) * s + 1 + op, "x0": full, "xstep": s, "w0": lo,
                       "wstep": sp.Integer(1), "tap": d, "flip": sp.Integer(1)},
    }


GEOMETRY = _geometry()
_ARGS = [_SYM[name] for name in ("n", "k", "s", "lo", "hi", "d", "op")]


def geometry_js():
    """The geometry as JavaScript functions of ``(n, k, s, lo, hi, d, op)`` (SymPy's printer)."""
    parts = []
    for mode, fields in GEOMETRY.items():
        body = ", ".join(f"{name}: function (n, k, s, lo, hi, d, op) {{ return {sp.jscode(expr)}; }}"
                         for name, expr in fields.items())
        parts.append(f"{mode}: {{{body}}}")
    return "{" + ", ".join(parts) + "}"


def _compiled():
    return {mode: {name: sp.lambdify(_ARGS, expr, modules=[]) for name, expr in fields.items()}
            for mode, fields in GEOMETRY.items()}


def rows_from_geometry(geo, out, n, k, lo, hi, d_, s, op):
    """Matrix entries ``{(row, col): m}`` that the drawing implies (1-D, kernel index m)."""
    args = (n, k, s, lo, hi, d_, op)
    L, x0, xstep, w0, wstep, tap, flip = (int(geo[f](*args)) for f in
                                          ("L", "x0", "xstep", "w0", "wstep", "tap", "flip"))
    entries = {}
    for o in range(out):
        start = w0 + wstep * o
        for j in range(k):
            pos = start + tap * j
            if not 0 <= pos < L:
                raise AssertionError(f"window {o} leaves the frame at setting {args}")
            if (pos - x0) % xstep == 0 and 0 <= (pos - x0) // xstep < n:
                entries[(o, (pos - x0) // xstep)] = k - 1 - j if flip else j
    return entries


def check_geometry():
    """Compare the drawing geometry with symconv's matrices on every valid grid setting.

    Returns the number of settings checked; raises ``AssertionError`` on the first
    disagreement (the build then writes nothing).

    >>> check_geometry() > 5000
    True
    """
    compiled = _compiled()
    same = same_paddings()
    checked = 0
    for mode, n, k, s, p, d in settings():
        try:
            out = _size(mode, n, k, s, p, d)
        except SymconvError:
            continue
        lo, hi = same[f"{k},{d}"] if p == "same" else (p, p)
        w = list(sp.symbols(f"w0:{k}"))
        if mode == 0:
            M = sc.conv_matrix(w, n, stride=s, padding=p, dilation=d)
        else:
            M = sc.conv_transpose_matrix(w, n, stride=s, padding=p, output_padding=mode - 1,
                                         dilation=d)
        expected = {key: w.index(v) for key, v in M.todok().items()}
        geo = compiled["conv" if mode == 0 else "transposed"]
        got = rows_from_geometry(geo, out, n, k, lo, hi, d, s, mode - 1 if mode else 0)
        if M.rows != out or got != expected:
            raise AssertionError(f"drawing geometry disagrees with symconv's matrix at mode={mode}, "
                                 f"n={n}, k={k}, s={s}, p={p!r}, d={d}")
        checked += 1
    return checked


def _templates(messages):
    """Messages as ``(templates, [[template index, numbers], ...])``: digits become ``%``.

    >>> _templates(["got 2 < 5", "got 3 < 7", "no digits"])
    (['got % < %', 'no digits'], [[0, ['2', '5']], [0, ['3', '7']], [1, []]])
    """
    templates, where, coded = [], {}, []
    for message in messages:
        if "%" in message:
            raise AssertionError(f"a message holds the placeholder '%': {message!r}")
        template = re.sub(r"[0-9]+", "%", message)
        if template not in where:
            where[template] = len(templates)
            templates.append(template)
        coded.append([where[template], re.findall(r"[0-9]+", message)])
    return templates, coded


def page_data():
    """Everything ``data.js`` holds, as a JSON-able dict (without the geometry functions).

    Error messages are stored as templates plus their numbers, and kernel entries once
    each (kernels list indices into ``values``): the page rebuilds both exactly.
    """
    table = size_table()
    templates, errors = _templates(table["errors"])
    values, where, kernels = [], {}, {}
    for key, kernel in kernel_table().items():
        if "error" in kernel:
            kernels[key] = {"error": kernel["error"]}
            continue
        indices = []
        for entry in kernel["entries"]:
            tag = entry["text"]
            if tag not in where:
                where[tag] = len(values)
                values.append(entry)
            indices.append(where[tag])
        kernels[key] = {"entries": indices}
    return {
        "symconv": sc.__version__,
        "grid": {name: list(values) for name, values in GRID.items()},
        "sizes": table["sizes"],
        "templates": templates,
        "errors": errors,
        "same": same_paddings(),
        "formulas": size_formulas(),
        "values": values,
        "kernels": kernels,
    }
