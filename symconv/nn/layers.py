r"""Deep-learning layer operations on exact SymPy arrays.

The layers of a convolutional network compute *cross-correlations* (the kernel is
not flipped).  This module evaluates them exactly, entry by entry, from their
defining index formulas, so that integers stay integers, averages become
``Rational`` numbers and symbolic entries give the formula itself::

    >>> from sympy import symbols
    >>> x0, x1, x2, k0, k1 = symbols('x0 x1 x2 k0 k1')
    >>> conv_layer([[[x0, x1, x2]]], [[[k0, k1]]])
    [[[k0*x0 + k1*x1, k0*x1 + k1*x2]]]

Two families of functions are provided.

* The textbook functions :func:`corr2d`, :func:`corr2d_multi_in`,
  :func:`corr2d_multi_in_out` and :func:`pool2d` work on plain 2-D arrays
  (with a leading channel axis for the multi-channel ones) without padding and
  with stride 1.
* The N-d layers :func:`conv_layer`, :func:`conv_transpose_layer` and
  :func:`pool_layer` take channel-first tensors ``(N, C, *spatial)`` and have
  the signatures and the PyTorch meaning of the float executor
  :mod:`symconv.numeric` (stride, padding as an int / per dimension / ``(lo, hi)``
  pairs / ``'same'`` / ``'valid'``, dilation, groups, padding modes,
  ``output_padding``, ``ceil_mode``, ``count_include_pad``).

Inputs may be nested lists, tuples, SymPy ``Array``/``MutableDenseNDimArray``
objects, SymPy matrices (2-D) or NumPy arrays (integer or ``object`` dtype).
Entries must be numbers (integers, ``Fraction``, ``Rational``, floats, complex)
or SymPy expressions; strings are refused (nothing here parses text).  Results
are immutable SymPy arrays (``sympy.Array``).

Notes
-----
This code is deliberately independent of :mod:`symconv.numeric`: it shares only
argument parsing (:mod:`symconv._util.validate`) and the output-size rules
(:mod:`symconv.nn.shapes`).  Each output entry is one ``Add`` of its terms, built in
a single call (``Add(*terms)``), which keeps symbolic layers fast.
"""

import itertools
import math
import numbers
from fractions import Fraction

import sympy as sp

from symconv.nn import shapes
from symconv._util.validate import as_int, check_choice, int_tuple, padding_pairs
from symconv._util.rowmajor import row_major_strides
from symconv.errors import ShapeError, SymconvError

__all__ = ["corr2d", "corr2d_multi_in", "corr2d_multi_in_out", "pool2d",
           "conv_layer", "conv_transpose_layer", "pool_layer"]

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")
_POOL_MODES = ("max", "avg")


# ---------------------------------------------------------------------------
# exact tensors: a flat row-major list of entries and a shape
# ---------------------------------------------------------------------------

class _Tensor:
    """A row-major flat list of exact entries and its shape (internal)."""

    __slots__ = ("flat", "shape")

    def __init__(self, flat, shape):
        self.flat = flat
        self.shape = tuple(shape)

    @property
    def ndim(self):
        return len(self.shape)

    def to_array(self):
        return sp.ImmutableDenseNDimArray(self.flat, self.shape)


def _entry(value, name):
    """One entry as a Python int (fast path) or a SymPy number/expression."""
    if isinstance(value, bool):
        raise SymconvError(f"{name} entries must be numbers or SymPy expressions, "
                           f"but got the boolean {value!r}")
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, sp.Basic):
        if value.is_Integer:
            return int(value)
        if not isinstance(value, sp.Expr):
            raise SymconvError(f"{name} entries must be numbers or SymPy expressions, "
                               f"but got {value!r}")
        return value
    if isinstance(value, Fraction):
        return sp.Rational(value.numerator, value.denominator)
    if isinstance(value, numbers.Number):  # float, complex, numpy scalars
        if isinstance(value, numbers.Real):
            return sp.Float(float(value))
        return sp.Float(value.real) + sp.I * sp.Float(value.imag)
    if isinstance(value, (str, bytes)):
        raise SymconvError(f"{name} entries must be numbers or SymPy expressions, but got "
                           f"the string {value!r} (build symbols with sympy.symbols)")
    raise SymconvError(f"{name} entries must be numbers or SymPy expressions, "
                       f"but got {value!r} of type {type(value).__name__}")


def _nested_shape(value, name):
    """Shape and flat list of a (possibly nested) list/tuple, checking it is rectangular."""
    if not isinstance(value, (list, tuple)):
        return (), [value]
    if len(value) == 0:
        return (0,), []
    parts = [_nested_shape(v, name) for v in value]
    inner = parts[0][0]
    for shape, _ in parts[1:]:
        if shape != inner:
            raise ShapeError(f"{name} must be a rectangular (non-ragged) array, but its "
                             f"rows have shapes {inner} and {shape}")
    flat = [e for _, items in parts for e in items]
    return (len(value),) + inner, flat


def _as_tensor(value, name):
    """Convert any accepted array-like to a :class:`_Tensor` of exact entries."""
    if isinstance(value, _Tensor):
        return value
    if isinstance(value, (str, bytes)):
        raise SymconvError(f"{name} must be an array of numbers or SymPy expressions, "
                           f"but got the string {value!r}")
    if isinstance(value, sp.MatrixBase):
        shape, raw = value.shape, list(value)
    elif isinstance(value, sp.NDimArray):
        shape = tuple(value.shape)
        raw = list(sp.flatten(value.tolist())) if len(shape) > 0 else [value[()]]
    elif hasattr(value, "ndim") and hasattr(value, "tolist") and hasattr(value, "shape"):
        shape = tuple(int(s) for s in value.shape)  # a NumPy array
        raw = value.reshape(-1).tolist()
    elif isinstance(value, (list, tuple)):
        shape, raw = _nested_shape(value, name)
    else:
        shape, raw = (), [value]
    return _Tensor([_entry(v, name) for v in raw], shape)


def _flat_add(terms):
    """Sum of ``terms`` in one step (ints added natively, anything else by one ``Add``)."""
    if all(type(t) is int for t in terms):
        return sum(terms)
    return sp.Add(*terms)


def _operands(x, w, stride, dilation, layout):
    """What conv_layer and conv_transpose_layer read first: the weight (``layout`` names
    its axes in the error message), the input and whether it was batched, and the
    per-dimension stride and dilation."""
    wt = _as_tensor(w, "w")
    if wt.ndim < 3:
        raise ShapeError(f"w must have shape {layout} with at least one spatial "
                         f"dimension, but got shape {wt.shape}")
    nd = wt.ndim - 2
    xt, unbatched = _split_batch(_as_tensor(x, "x"), nd)
    stride_t = int_tuple(stride, nd, "stride", minimum=1)
    dilation_t = int_tuple(dilation, nd, "dilation", minimum=1)
    return wt, nd, xt, unbatched, stride_t, dilation_t


def _flat_pairs(per_dim, out, k_strides, x_strides):
    """For every output position (row-major over ``out``): the pairs (flat kernel offset,
    flat input offset) that meet there. ``per_dim[d][o]`` lists the ``(k, i)`` pairs of
    dimension ``d`` at output index ``o``; a position takes every combination."""
    found = []
    for o in itertools.product(*(range(o_i) for o_i in out)):
        pairs = []
        for combo in itertools.product(*(table[o_d] for table, o_d in zip(per_dim, o))):
            pairs.append((sum(k * st for (k, _), st in zip(combo, k_strides)),
                          sum(i * st for (_, i), st in zip(combo, x_strides))))
        found.append(pairs)
    return found


def _weighted_sums(xs, ws, bases, pairs_per_output, bias):
    """One output entry per item of ``pairs_per_output``: ``bias`` (None: no term) plus
    ``xs[xb + xo] * ws[wb + ko]`` over the channel bases ``(xb, wb)`` and the pairs
    ``(ko, xo)``, added in that order."""
    out = []
    for pairs in pairs_per_output:
        terms = [] if bias is None else [bias]
        for xb, wb in bases:
            terms.extend(xs[xb + xo] * ws[wb + ko] for ko, xo in pairs)
        out.append(_flat_add(terms))
    return out


# ---------------------------------------------------------------------------
# shared validation
# ---------------------------------------------------------------------------

def _split_batch(x, spatial_ndim, name="x"):
    """Accept ``(N, C, *spatial)`` (or unbatched ``(C, *spatial)``); return batched, flag."""
    if x.ndim == spatial_ndim + 2:
        return x, False
    if x.ndim == spatial_ndim + 1:
        return _Tensor(x.flat, (1,) + x.shape), True
    raise ShapeError(f"{name} must have shape (N, C, *spatial) with {spatial_ndim} spatial "
                     f"dimension(s) (or (C, *spatial) unbatched), but got shape {x.shape}")


def _unbatch(result, unbatched):
    if unbatched:
        return _Tensor(result.flat, result.shape[1:])
    return result


def _check_bias(bias, channels):
    if bias is None:
        return None
    b = _as_tensor(bias, "bias")
    if b.shape != (channels,):
        raise ShapeError(f"bias must have shape ({channels},) (one entry per output channel), "
                         f"but got shape {b.shape}")
    return b.flat


def _padded_index(p, n, mode):
    """Input index read at padded position ``p`` (``-p_lo <= p < n + p_hi``); None = zero."""
    if 0 <= p < n:
        return p
    if mode == "zeros":
        return None
    if mode == "reflect":       # mirror without repeating the edge: -1 -> 1, n -> n-2
        return -p if p < 0 else 2 * (n - 1) - p
    if mode == "replicate":     # repeat the edge value
        return 0 if p < 0 else n - 1
    return p % n                # circular


# ---------------------------------------------------------------------------
# N-d convolution layer (cross-correlation)
# ---------------------------------------------------------------------------

def conv_layer(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1,
               padding_mode="zeros"):
    r"""Exact N-d convolution layer (a cross-correlation, as in deep learning).

    Parameters
    ----------
    x : array-like, shape ``(N, C, *spatial)`` (or ``(C, *spatial)`` unbatched)
        Input tensor with exact entries.
    w : array-like, shape ``(F, C // groups, *kernel)``
        Filters; the number of spatial dimensions is ``w.ndim - 2``.
    bias : array-like of shape ``(F,)``, optional
        Added to every output position of channel ``f``.
    stride, dilation : int or sequence of ints, default 1
        Step between output positions; spacing between kernel taps.
    padding : int, sequence, sequence of ``(lo, hi)`` pairs, ``'same'`` or ``'valid'``
        Implicit padding on each side of each spatial dimension (PyTorch meaning;
        ``'same'`` needs stride 1 and puts the odd element on the high side).
    groups : int, default 1
        Channels are split into ``groups`` blocks; filter ``f`` sees only the input
        channels of its block.  ``groups`` must divide both ``C`` and ``F``.
    padding_mode : {'zeros', 'reflect', 'replicate', 'circular'}, default 'zeros'
        What the padded positions contain: zeros, the mirror image without the edge
        (``x[-i] = x[i]``), the edge value, or the wrapped-around signal.

    Returns
    -------
    sympy.Array
        Shape ``(N, F, *out)`` (``(F, *out)`` for an unbatched input), with
        ``out_i = floor((n_i + lo_i + hi_i - d_i (k_i - 1) - 1) / s_i) + 1``.

    Notes
    -----
    With ``C_g = C / groups``, ``F_g = F / groups`` and ``g = f // F_g``:

    .. math::

        y[n, f, o] = b[f] + \sum_{c=0}^{C_g - 1} \sum_{k}
                     \tilde x[n, g C_g + c, o s + k d - lo] \; w[f, c, k]

    (``o``, ``k``, ``s``, ``d``, ``lo`` are multi-indices; ``\tilde x`` is ``x``
    extended by ``padding_mode``).  No flip of ``w``: that is what makes it a
    cross-correlation.

    Examples
    --------
    >>> from sympy import symbols, Rational
    >>> conv_layer([[[1, 2, 3, 4]]], [[[1, -1]]], bias=[10])
    [[[9, 9, 9]]]
    >>> a, b = symbols('a b')
    >>> conv_layer([[[a, b]]], [[[1, 1, 1]]], padding=1, padding_mode='circular')
    [[[a + 2*b, 2*a + b]]]
    >>> conv_layer([[[1, 2, 3, 4, 5]]], [[[Rational(1, 2), Rational(1, 2)]]], stride=2)
    [[[3/2, 7/2]]]
    """
    wt, _nd, xt, unbatched, stride_t, dilation_t = _operands(x, w, stride, dilation,
                                                            "(F, C/groups, *kernel)")
    groups = as_int(groups, "groups", minimum=1)
    check_choice(padding_mode, _PADDING_MODES, "padding_mode")
    N, C = xt.shape[:2]
    F, Cg = wt.shape[:2]
    spatial, kernel = xt.shape[2:], wt.shape[2:]
    if F % groups:
        raise ShapeError(f"groups must divide the number of filters, but {groups} does not "
                         f"divide F={F}")
    if C % groups:
        raise ShapeError(f"groups must divide the number of input channels, but {groups} does "
                         f"not divide C={C}")
    if Cg * groups != C:
        raise ShapeError(f"w.shape[1] * groups must equal the input channels, but got "
                         f"w.shape[1]={Cg}, groups={groups} and C={C}")
    if any(k == 0 for k in kernel):
        raise ShapeError(f"kernel sizes must be >= 1, but got w of shape {wt.shape}")
    pads = padding_pairs(padding, kernel, stride_t, dilation_t)
    if padding_mode != "zeros":
        for n_i, (lo, hi) in zip(spatial, pads):
            if padding_mode == "reflect" and max(lo, hi) >= n_i:
                raise ShapeError(f"padding_mode='reflect' needs padding < input size, but got "
                                 f"padding {(lo, hi)} for a dimension of size {n_i}")
            if padding_mode == "circular" and max(lo, hi) > n_i:
                raise ShapeError(f"padding_mode='circular' needs padding <= input size, but got "
                                 f"padding {(lo, hi)} for a dimension of size {n_i}")
            if n_i == 0:
                raise ShapeError(f"padding_mode={padding_mode!r} needs non-empty input, but "
                                 f"got spatial shape {spatial}")
    out = tuple(shapes.conv_output_size(n_i, k_i, s_i, pad, d_i)
                for n_i, k_i, s_i, pad, d_i in zip(spatial, kernel, stride_t, pads, dilation_t))
    b = _check_bias(bias, F)

    # per output position: the (kernel offset, input spatial offset) pairs that read
    # an input value (padding zeros contribute nothing and are skipped)
    x_sstr, k_sstr = row_major_strides(spatial), row_major_strides(kernel)
    per_dim = []
    for n_i, k_i, s_i, (lo, _), d_i, o_i in zip(spatial, kernel, stride_t, pads, dilation_t, out):
        table = []
        for o in range(o_i):
            row = []
            for k in range(k_i):
                src = _padded_index(o * s_i + k * d_i - lo, n_i, padding_mode)
                if src is not None:
                    row.append((k, src))
            table.append(row)
        per_dim.append(table)
    taps = _flat_pairs(per_dim, out, k_sstr, x_sstr)

    x_size, k_size = math.prod(spatial), math.prod(kernel)
    Fg = F // groups
    result = []
    for n in range(N):
        for f in range(F):
            g = f // Fg
            bases = [((n * C + g * Cg + c) * x_size, (f * Cg + c) * k_size) for c in range(Cg)]
            result.extend(_weighted_sums(xt.flat, wt.flat, bases, taps,
                                         None if b is None else b[f]))
    return _unbatch(_Tensor(result, (N, F) + out), unbatched).to_array()


# ---------------------------------------------------------------------------
# N-d transposed convolution
# ---------------------------------------------------------------------------

def conv_transpose_layer(x, w, bias=None, stride=1, padding=0, output_padding=0,
                         dilation=1, groups=1):
    r"""Exact N-d transposed convolution (the adjoint of :func:`conv_layer`).

    Parameters
    ----------
    x : array-like, shape ``(N, C, *spatial)`` (or ``(C, *spatial)`` unbatched)
    w : array-like, shape ``(C, F // groups, *kernel)``
        Note the order: input channels first (PyTorch's ``ConvTranspose`` layout).
    bias : array-like of shape ``(F,)``, optional
    stride, dilation : int or sequence of ints, default 1
    padding : int, sequence or sequence of ``(lo, hi)`` pairs, default 0
        Removes ``lo``/``hi`` positions from each end of the full output (the
        padding of the convolution this layer is the adjoint of).
    output_padding : int or sequence of ints, default 0
        Extra positions added at the high end; must be smaller than the stride or
        the dilation, so that it only resolves the ambiguity of the output size.
    groups : int, default 1

    Returns
    -------
    sympy.Array
        Shape ``(N, F, *out)`` with
        ``out_i = (n_i - 1) s_i - lo_i - hi_i + d_i (k_i - 1) + output_padding_i + 1``.

    Notes
    -----
    Every input entry scatters a scaled copy of its filter (``C_g = C / groups``,
    ``F_g = F / groups``, ``g = c // C_g``):

    .. math::

        y[n, g F_g + f, i s + k d - lo] \mathrel{+}= x[n, c, i] \; w[c, f, k]

    plus ``b[f]`` everywhere; positions outside ``[0, out)`` are dropped.
    Equivalently ``y = M^T x`` where ``M`` is the matrix of the matching
    :func:`conv_layer`.

    Examples
    --------
    >>> conv_transpose_layer([[[1, 2]]], [[[1, 10, 100]]])
    [[[1, 12, 120, 200]]]
    >>> from sympy import symbols
    >>> a, b, k0, k1 = symbols('a b k0 k1')
    >>> conv_transpose_layer([[[a, b]]], [[[k0, k1]]], stride=2)
    [[[a*k0, a*k1, b*k0, b*k1]]]
    """
    wt, nd, xt, unbatched, stride_t, dilation_t = _operands(x, w, stride, dilation,
                                                            "(C, F/groups, *kernel)")
    outpad_t = int_tuple(output_padding, nd, "output_padding", minimum=0)
    groups = as_int(groups, "groups", minimum=1)
    N, C = xt.shape[:2]
    Cw, Fg = wt.shape[:2]
    spatial, kernel = xt.shape[2:], wt.shape[2:]
    if C % groups:
        raise ShapeError(f"groups must divide the number of input channels, but {groups} does "
                         f"not divide C={C}")
    if Cw != C:
        raise ShapeError(f"w.shape[0] must equal the input channels C of x, but got "
                         f"w.shape[0]={Cw} and C={C}")
    if any(k == 0 for k in kernel):
        raise ShapeError(f"kernel sizes must be >= 1, but got w of shape {wt.shape}")
    if isinstance(padding, str):
        raise SymconvError(f"padding of conv_transpose_layer must be an int, a sequence or "
                           f"(lo, hi) pairs, but got {padding!r}")
    pads = padding_pairs(padding, kernel, stride_t, dilation_t)
    for op, s_i, d_i in zip(outpad_t, stride_t, dilation_t):
        if op >= max(s_i, d_i):
            raise ShapeError(f"output_padding must be smaller than stride or dilation, but got "
                             f"output_padding={op} with stride={s_i} and dilation={d_i}")
    out = tuple(shapes.conv_transpose_output_size(n_i, k_i, s_i, pad, op, d_i)
                for n_i, k_i, s_i, pad, op, d_i
                in zip(spatial, kernel, stride_t, pads, outpad_t, dilation_t))
    F = Fg * groups
    b = _check_bias(bias, F)
    Cg = C // groups

    # scatter map per dimension: input index i and kernel tap k land on o (if inside)
    per_dim = []
    for n_i, k_i, s_i, (lo, _), d_i, o_i in zip(spatial, kernel, stride_t, pads, dilation_t, out):
        table = [[] for _ in range(o_i)]
        for i in range(n_i):
            for k in range(k_i):
                o = i * s_i + k * d_i - lo
                if 0 <= o < o_i:
                    table[o].append((k, i))
        per_dim.append(table)
    gathers = _flat_pairs(per_dim, out, row_major_strides(kernel), row_major_strides(spatial))

    x_size, k_size = math.prod(spatial), math.prod(kernel)
    result = []
    for n in range(N):
        for f_all in range(F):
            g, f = divmod(f_all, Fg)
            bases = [((n * C + c) * x_size, (c * Fg + f) * k_size)
                     for c in range(g * Cg, (g + 1) * Cg)]
            result.extend(_weighted_sums(xt.flat, wt.flat, bases, gathers,
                                         None if b is None else b[f_all]))
    return _unbatch(_Tensor(result, (N, F) + out), unbatched).to_array()


# ---------------------------------------------------------------------------
# N-d pooling
# ---------------------------------------------------------------------------

def _max(values):
    if all(type(v) is int for v in values):
        return max(values)
    return sp.Max(*values)


def pool_layer(x, kernel_size, stride=None, padding=0, dilation=1, mode="max",
               ceil_mode=False, count_include_pad=True):
    r"""Exact N-d max or average pooling, channel by channel.

    Parameters
    ----------
    x : array-like, shape ``(N, C, *spatial)`` (or ``(C, *spatial)`` unbatched)
        The number of spatial dimensions is ``len(kernel_size)``, or
        ``x.ndim - 2`` when ``kernel_size`` is an int.
    kernel_size : int or sequence of ints
    stride : int or sequence of ints, default ``kernel_size``
        (non-overlapping windows, PyTorch's default).
    padding : int, sequence or ``(lo, hi)`` pairs, default 0
        At most half the kernel size.  Max pooling ignores padded positions
        (they act as ``-inf``); average pooling treats them as zeros.
    dilation : int or sequence of ints, default 1
    mode : {'max', 'avg'}, default 'max'
    ceil_mode : bool, default False
        Round the output size up; a last window must still start inside the input
        or the low padding.
    count_include_pad : bool, default True
        For ``'avg'``: divide by the number of window positions inside the padded
        input (True) or inside the input proper (False).  Positions added only by
        ``ceil_mode`` beyond the padding never count.

    Returns
    -------
    sympy.Array
        Shape ``(N, C, *out)``.  Max pooling of symbolic entries gives ``Max(...)``,
        average pooling exact ``Rational`` multiples.

    Notes
    -----
    With ``p = o s + j d - lo`` the positions read by output ``o`` (``0 <= j < k``):

    .. math::

        y_{max}[o] = \max_{j:\,0 \le p < n} x[p], \qquad
        y_{avg}[o] = \frac{1}{D(o)} \sum_{j:\,0 \le p < n} x[p]

    where ``D(o)`` counts the positions with ``p < n + hi`` (including padding) or
    with ``0 <= p < n`` (excluding it).

    Examples
    --------
    >>> pool_layer([[[1, 5, 2, 8, 3, 3]]], 2)
    [[[5, 8, 3]]]
    >>> pool_layer([[[1, 5, 2, 8, 3]]], 2, mode='avg', padding=1)
    [[[1/2, 7/2, 11/2]]]
    >>> from sympy import symbols
    >>> a, b, c = symbols('a b c')
    >>> pool_layer([[[a, b, c]]], 2, stride=1)
    [[[Max(a, b), Max(b, c)]]]
    """
    check_choice(mode, _POOL_MODES, "mode")
    if isinstance(kernel_size, (list, tuple)):
        nd = len(kernel_size)
        if nd == 0:
            raise ShapeError("kernel_size must have at least one entry, but got ()")
    else:
        probe = _as_tensor(x, "x")
        nd = probe.ndim - 2
        if nd < 1:
            raise ShapeError(f"x must have shape (N, C, *spatial) with at least one spatial "
                             f"dimension, but got shape {probe.shape}")
        x = probe
    kernel = int_tuple(kernel_size, nd, "kernel_size", minimum=1)
    stride_t = kernel if stride is None else int_tuple(stride, nd, "stride", minimum=1)
    dilation_t = int_tuple(dilation, nd, "dilation", minimum=1)
    if isinstance(padding, str):
        raise SymconvError(f"padding of pool_layer must be an int, a sequence or (lo, hi) pairs, "
                           f"but got {padding!r}")
    pads = padding_pairs(padding, kernel, stride_t, dilation_t)
    xt, unbatched = _split_batch(_as_tensor(x, "x"), nd)
    N, C = xt.shape[:2]
    spatial = xt.shape[2:]
    out = tuple(shapes.pool_output_size(n_i, k_i, s_i, pad, d_i, ceil_mode=bool(ceil_mode))
                for n_i, k_i, s_i, pad, d_i in zip(spatial, kernel, stride_t, pads, dilation_t))

    # per dimension and output position: input indices read, and the padded count
    per_dim = []
    for n_i, k_i, s_i, (lo, hi), d_i, o_i in zip(spatial, kernel, stride_t, pads, dilation_t, out):
        table = []
        for o in range(o_i):
            positions = [o * s_i + j * d_i - lo for j in range(k_i)]
            inside = [p for p in positions if 0 <= p < n_i]
            padded = sum(1 for p in positions if p < n_i + hi)
            table.append((inside, padded))
        per_dim.append(table)
    x_sstr = row_major_strides(spatial)
    windows = []
    for o in itertools.product(*(range(o_i) for o_i in out)):
        rows = [per_dim[d][o[d]] for d in range(nd)]
        offsets = [sum(p * st for p, st in zip(combo, x_sstr))
                   for combo in itertools.product(*(r[0] for r in rows))]
        if count_include_pad:
            divisor = math.prod(r[1] for r in rows)
        else:
            divisor = len(offsets)
        windows.append((offsets, divisor))
    if any(not offs and (mode == "max" or not divisor) for offs, divisor in windows):
        raise ShapeError(f"a {mode}-pooling window lies entirely in the padding, so its value is "
                         f"undefined; reduce padding or dilation (kernel_size={kernel}, "
                         f"padding={pads}, dilation={dilation_t})")

    xs, x_size = xt.flat, math.prod(spatial)
    result = []
    for nc in range(N * C):
        base = nc * x_size
        for offsets, divisor in windows:
            values = [xs[base + off] for off in offsets]
            if mode == "max":
                result.append(_max(values))
            else:
                total = _flat_add(values)
                if type(total) is int:
                    result.append(sp.Rational(total, divisor))
                else:
                    result.append(total / divisor)
    return _unbatch(_Tensor(result, (N, C) + out), unbatched).to_array()


# ---------------------------------------------------------------------------
# the textbook functions (2-D, no padding, stride 1)
# ---------------------------------------------------------------------------

def _require_rank(t, rank, name, layout):
    if t.ndim != rank:
        raise ShapeError(f"{name} must have shape {layout}, but got shape {t.shape}")


def corr2d(X, K):
    r"""2-D cross-correlation of a matrix ``X`` with a kernel ``K`` (no padding, stride 1).

    Parameters
    ----------
    X : array-like, shape ``(h, w)``
    K : array-like, shape ``(kh, kw)`` with ``kh <= h`` and ``kw <= w``

    Returns
    -------
    sympy.Array of shape ``(h - kh + 1, w - kw + 1)``

    Notes
    -----
    .. math:: Y[i, j] = \sum_{a=0}^{k_h - 1} \sum_{b=0}^{k_w - 1} X[i + a, j + b] \, K[a, b]

    Examples
    --------
    >>> corr2d([[0, 1, 2], [3, 4, 5], [6, 7, 8]], [[0, 1], [2, 3]])
    [[19, 25], [37, 43]]
    >>> from sympy import Matrix, symbols
    >>> a, b, c, d = symbols('a b c d')
    >>> corr2d(Matrix([[a, b], [c, d]]), [[1, -1]])
    [[a - b], [c - d]]
    """
    Xt, Kt = _as_tensor(X, "X"), _as_tensor(K, "K")
    _require_rank(Xt, 2, "X", "(h, w)")
    _require_rank(Kt, 2, "K", "(kh, kw)")
    y = conv_layer(_Tensor(Xt.flat, (1, 1) + Xt.shape), _Tensor(Kt.flat, (1, 1) + Kt.shape))
    return y[0, 0]


def corr2d_multi_in(X, K):
    r"""Multi-input-channel 2-D cross-correlation: one kernel per channel, summed.

    Parameters
    ----------
    X : array-like, shape ``(C, h, w)``
    K : array-like, shape ``(C, kh, kw)``

    Returns
    -------
    sympy.Array of shape ``(h - kh + 1, w - kw + 1)``

    Notes
    -----
    .. math:: Y[i, j] = \sum_{c} \sum_{a, b} X[c, i + a, j + b] \, K[c, a, b]

    Examples
    --------
    >>> X = [[[0, 1, 2], [3, 4, 5], [6, 7, 8]], [[1, 2, 3], [4, 5, 6], [7, 8, 9]]]
    >>> K = [[[0, 1], [2, 3]], [[1, 2], [3, 4]]]
    >>> corr2d_multi_in(X, K)
    [[56, 72], [104, 120]]
    """
    Xt, Kt = _as_tensor(X, "X"), _as_tensor(K, "K")
    _require_rank(Xt, 3, "X", "(C, h, w)")
    _require_rank(Kt, 3, "K", "(C, kh, kw)")
    if Xt.shape[0] != Kt.shape[0]:
        raise ShapeError(f"X and K must have the same number of channels, but got "
                         f"{Xt.shape[0]} and {Kt.shape[0]}")
    y = conv_layer(_Tensor(Xt.flat, (1,) + Xt.shape), _Tensor(Kt.flat, (1,) + Kt.shape))
    return y[0, 0]


def corr2d_multi_in_out(X, K):
    r"""Multi-input, multi-output 2-D cross-correlation: one output channel per kernel.

    Parameters
    ----------
    X : array-like, shape ``(C, h, w)``
    K : array-like, shape ``(F, C, kh, kw)``

    Returns
    -------
    sympy.Array of shape ``(F, h - kh + 1, w - kw + 1)``

    Notes
    -----
    .. math:: Y[f, i, j] = \sum_{c} \sum_{a, b} X[c, i + a, j + b] \, K[f, c, a, b]

    Examples
    --------
    >>> X = [[[0, 1, 2], [3, 4, 5], [6, 7, 8]], [[1, 2, 3], [4, 5, 6], [7, 8, 9]]]
    >>> K0 = [[[0, 1], [2, 3]], [[1, 2], [3, 4]]]
    >>> K1 = [[[v + 1 for v in row] for row in ch] for ch in K0]
    >>> corr2d_multi_in_out(X, [K0, K1])
    [[[56, 72], [104, 120]], [[76, 100], [148, 172]]]
    """
    Xt, Kt = _as_tensor(X, "X"), _as_tensor(K, "K")
    _require_rank(Xt, 3, "X", "(C, h, w)")
    _require_rank(Kt, 4, "K", "(F, C, kh, kw)")
    if Xt.shape[0] != Kt.shape[1]:
        raise ShapeError(f"K.shape[1] must equal the channels of X, but got "
                         f"K.shape[1]={Kt.shape[1]} and C={Xt.shape[0]}")
    y = conv_layer(_Tensor(Xt.flat, (1,) + Xt.shape), Kt)
    return y[0]


def pool2d(X, pool_size, mode="max"):
    r"""2-D max or average pooling of a matrix with stride 1 and no padding.

    This is the textbook function; :func:`pool_layer` has strides (default: the
    window size), padding and the other PyTorch options.

    Parameters
    ----------
    X : array-like, shape ``(h, w)``
    pool_size : int or pair ``(p_h, p_w)``
    mode : {'max', 'avg'}, default 'max'

    Returns
    -------
    sympy.Array of shape ``(h - p_h + 1, w - p_w + 1)``

    Notes
    -----
    .. math:: Y[i, j] = \max_{0 \le a < p_h,\, 0 \le b < p_w} X[i + a, j + b]
              \quad\text{or}\quad \frac{1}{p_h p_w} \sum_{a, b} X[i + a, j + b]

    Examples
    --------
    >>> X = [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    >>> pool2d(X, (2, 2))
    [[4, 5], [7, 8]]
    >>> pool2d(X, (2, 2), 'avg')
    [[2, 3], [5, 6]]
    >>> pool2d([[1, 2], [4, 4]], 2, 'avg')
    [[11/4]]
    """
    check_choice(mode, _POOL_MODES, "mode")
    Xt = _as_tensor(X, "X")
    _require_rank(Xt, 2, "X", "(h, w)")
    size = int_tuple(pool_size, 2, "pool_size", minimum=1)
    y = pool_layer(_Tensor(Xt.flat, (1, 1) + Xt.shape), size, stride=1, mode=mode)
    return y[0, 0]
