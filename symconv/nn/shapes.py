"""Output-size rules of convolution and pooling layers, over integers and symbols.

Every function here is a small pure function of the layer's hyper-parameters, in the
spirit of JAX's ``conv_shape_tuple``: it knows nothing about tensors. Called with
Python integers it returns a Python ``int``; called with a SymPy symbol anywhere (an
input size ``n``, a kernel size ``k``, a stride ``s``, ...) it returns a simplified
SymPy expression written with ``floor``. The same formula serves both cases, so a
symbolic answer turns into the integer answer when numbers are substituted.

The rules (per spatial dimension; PyTorch's meaning of every argument)::

    convolution      out = floor((n + p_lo + p_hi - d*(k - 1) - 1) / s) + 1
    transposed       out = (n - 1)*s - p_lo - p_hi + d*(k - 1) + output_padding + 1
    pooling          as convolution, or with ceil instead of floor when ceil_mode=True,
                     minus the last window when it would start in the right padding

An impossible configuration (a kernel wider than the padded input, a stride of 0,
an output padding that is too large, ...) raises :class:`~symconv.errors.ShapeError`
naming the constraint and the values. With symbols, whatever can be decided from the
symbols' assumptions is checked; the rest is left to the caller (see
:func:`symconv.nn.architectures.infer_shapes`, which also reports for which input sizes a
network is valid).

Declare size symbols as ``Symbol('n', integer=True, positive=True)``: with a plain
symbol SymPy cannot use the fact that sizes are whole numbers, and expressions such
as ``floor(n)`` stay unsimplified.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import sympy as sp

from symconv.errors import ShapeError, SymconvError
from symconv._util.explaining import short as _short
from symconv._util.explaining import wrap as _wrap

#: a size, stride, dilation or padding: an int, or a SymPy expression (symbols allowed)
Size: TypeAlias = int | sp.Expr
#: a padding: one Size for both sides, a (lo, hi) pair, 'valid' or (for convolutions) 'same'
PaddingSize: TypeAlias = Size | str | Sequence[Size]

__all__ = [
    "conv_output_size",
    "conv_transpose_output_size",
    "pool_output_size",
    "same_padding",
    "receptive_field",
    "ReceptiveField",
]


# ---------------------------------------------------------------------------
# argument handling: ints stay ints, anything symbolic becomes a SymPy expression
# ---------------------------------------------------------------------------

def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _size(value: Any, name: str) -> Size:
    """Return ``value`` as an ``int`` or a SymPy expression that may be an integer.

    Floats, strings, booleans and SymPy numbers that are not integers are refused.
    """
    if _is_int(value):
        return int(value)
    if isinstance(value, sp.Basic):
        if value.is_Integer:
            return int(value)
        if isinstance(value, sp.Expr) and value.free_symbols and value.is_integer is not False:
            return value
    raise SymconvError(f"{name} must be an integer or a SymPy expression, but got {value!r}")


def _all_int(*values: object) -> bool:
    return all(isinstance(v, int) for v in values)


def _holds(condition: object) -> bool | None:
    """Decide a condition built from ints or SymPy objects: True, False or None (unknown)."""
    if isinstance(condition, bool):
        return condition
    # SymPy relations evaluate themselves when the assumptions decide them
    if condition is sp.true:
        return True
    if condition is sp.false:
        return False
    return None


def _require(condition: object, message: str) -> None:
    """Raise :class:`ShapeError` when ``condition`` is decidably false."""
    if _holds(condition) is False:
        raise ShapeError(message)


def _at_least(value: Size, minimum: int, name: str) -> Size:
    """Check ``value >= minimum`` as far as it can be decided."""
    condition = value >= minimum if isinstance(value, int) else sp.Ge(value, minimum)
    _require(condition, f"{name} must be >= {minimum}, but got {value}")
    return value


def _padding_pair(padding: PaddingSize, kernel_size: Size | None = None, stride: Size = 1,
                  dilation: Size = 1) -> tuple[Size, Size]:
    """``padding`` as a ``(lo, hi)`` pair of ints or expressions (each checked >= 0)."""
    if isinstance(padding, str):
        mode = padding.lower()
        if mode == "valid":
            return 0, 0
        if mode == "same" and kernel_size is None:
            raise ShapeError("padding='same' applies to convolutions only (as in PyTorch); "
                             "give an int or a (lo, hi) pair, but got 'same'")
        if mode == "same":
            if isinstance(stride, int) and stride > 1:
                raise ShapeError(f"padding='same' requires stride 1 (PyTorch's rule; "
                                 f"same_padding(k, stride, n=...) gives TensorFlow's), but got "
                                 f"stride={stride}")
            return same_padding(kernel_size, stride=stride, dilation=dilation)
        raise SymconvError(
            f"padding must be an int, a (lo, hi) pair, 'same' or 'valid', but got {padding!r}")
    if isinstance(padding, (list, tuple)):
        if len(padding) != 2:
            raise SymconvError(f"padding must be an int or a (lo, hi) pair, but got {tuple(padding)!r}")
        lo, hi = (_size(p, "padding") for p in padding)
    else:
        lo = hi = _size(padding, "padding")
    for p in (lo, hi):
        _at_least(p, 0, "padding")
    return lo, hi


def _floor_div(numerator: Size, denominator: Size) -> Size:
    """``floor(numerator / denominator)``, flattening a nested floor when it is exact.

    For real ``x``, an integer-valued ``m`` and a positive integer ``q``::

        floor((floor(x) + m) / q) == floor((x + m) / q)

    so a stack of strided layers gives ``floor((n - 1)/4)`` instead of
    ``floor(floor((n - 1)/2)/2)``.
    """
    if _all_int(numerator, denominator):
        return numerator // denominator
    numerator = sp.sympify(numerator)
    denominator = sp.sympify(denominator)
    if denominator.is_integer and denominator.is_positive:
        floors = [t for t in sp.Add.make_args(numerator) if isinstance(t, sp.floor)]
        if len(floors) == 1:
            inner = floors[0].args[0]
            rest = numerator - floors[0]
            if inner.is_real and rest.is_integer:
                return sp.floor((inner + rest) / denominator)
    return sp.floor(numerator / denominator)


def _finish(value: Size) -> Size:
    """Return an ``int`` for integer results, otherwise the (expanded) SymPy expression."""
    if isinstance(value, int):
        return value
    value = sp.sympify(value)
    if value.is_Integer:
        return int(value)
    return value


def _fmt_pair(pair: tuple[Size, Size]) -> str:
    lo, hi = pair
    return f"({lo}, {hi})"


# ---------------------------------------------------------------------------
# the three size rules
# ---------------------------------------------------------------------------

def conv_output_size(n: Size, kernel_size: Size, stride: Size = 1, padding: PaddingSize = 0,
                     dilation: Size = 1) -> Size:
    """Output length of a convolution (cross-correlation) layer along one dimension.

    Parameters
    ----------
    n : int or sympy.Expr
        Input length (>= 1).
    kernel_size : int or sympy.Expr
        Kernel length ``k`` (>= 1).
    stride : int or sympy.Expr, default 1
        Step ``s`` between windows (>= 1).
    padding : int, sympy.Expr, (lo, hi) pair, 'valid' or 'same', default 0
        Zeros added to each side (an int), or ``(p_lo, p_hi)`` added to the low and the
        high end. ``'same'`` is PyTorch's rule (stride 1 only, see :func:`same_padding`).
    dilation : int or sympy.Expr, default 1
        Spacing ``d`` between kernel taps (>= 1).

    Returns
    -------
    int or sympy.Expr
        ``floor((n + p_lo + p_hi - d*(k - 1) - 1) / s) + 1``: an ``int`` when every
        argument is an int, otherwise a SymPy expression.

    Raises
    ------
    ShapeError
        When a stride, dilation or kernel size is not positive, a padding is negative,
        or the dilated kernel ``d*(k - 1) + 1`` is longer than the padded input.

    Notes
    -----
    Output ``i`` reads the padded input at ``i*s + d*m`` for ``m = 0, ..., k - 1``; the
    formula counts the window starts ``i*s`` whose last tap ``i*s + d*(k - 1)`` still
    lies inside the padded input of length ``n + p_lo + p_hi``.

    Examples
    --------
    >>> from sympy import Symbol
    >>> conv_output_size(32, 5)
    28
    >>> conv_output_size(224, 11, stride=4, padding=2)
    55
    >>> n = Symbol('n', integer=True, positive=True)
    >>> conv_output_size(n, 5, padding=2)
    n
    >>> conv_output_size(n, 3, stride=2)
    floor(n/2 - 3/2) + 1
    >>> conv_output_size(n, 3, padding=(0, 2), dilation=2)
    n - 2
    >>> conv_output_size(4, 5)
    Traceback (most recent call last):
    ...
    symconv.errors.ShapeError: conv: padded input n + p_lo + p_hi must be >= the dilated kernel d*(k - 1) + 1, but got 4 < 5 (n=4, kernel_size=5, padding=(0, 0), dilation=1)
    """
    n = _at_least(_size(n, "input size n"), 1, "input size n")
    k = _at_least(_size(kernel_size, "kernel_size"), 1, "kernel_size")
    s = _at_least(_size(stride, "stride"), 1, "stride")
    d = _at_least(_size(dilation, "dilation"), 1, "dilation")
    lo, hi = _padding_pair(padding, k, s, d)
    padded = n + lo + hi
    span = d * (k - 1) + 1
    _require(padded >= span if _all_int(padded, span) else sp.Ge(padded, span),
             "conv: padded input n + p_lo + p_hi must be >= the dilated kernel d*(k - 1) + 1, "
             f"but got {padded} < {span} (n={n}, kernel_size={k}, padding={_fmt_pair((lo, hi))}, "
             f"dilation={d})")
    return _finish(_floor_div(padded - span, s) + 1)


def conv_transpose_output_size(n: Size, kernel_size: Size, stride: Size = 1,
                               padding: PaddingSize = 0, output_padding: Size = 0,
                               dilation: Size = 1) -> Size:
    """Output length of a transposed convolution along one dimension.

    Parameters
    ----------
    n : int or sympy.Expr
        Input length (>= 1).
    kernel_size, stride, dilation : int or sympy.Expr
        As for :func:`conv_output_size` (each >= 1).
    padding : int, sympy.Expr or (lo, hi) pair, default 0
        Removed from the low and the high end of the full transposed output.
    output_padding : int or sympy.Expr, default 0
        Extra length added at the high end; ``0 <= output_padding < max(s, d)``.

    Returns
    -------
    int or sympy.Expr
        ``(n - 1)*s - p_lo - p_hi + d*(k - 1) + output_padding + 1``.

    Notes
    -----
    A transposed convolution is the adjoint of the convolution with the same
    arguments: it maps an input of this output length back to length ``n``, and
    ``output_padding`` chooses among the input lengths that a strided convolution maps
    to the same ``n`` (which is why it must be smaller than the stride or dilation).

    Examples
    --------
    >>> from sympy import Symbol
    >>> conv_transpose_output_size(28, 4, stride=2, padding=1)
    56
    >>> n = Symbol('n', integer=True, positive=True)
    >>> conv_transpose_output_size(n, 4, stride=2, padding=1)
    2*n
    >>> conv_transpose_output_size(n, 3, stride=2, padding=1, output_padding=1)
    2*n
    >>> conv_transpose_output_size(5, 3, stride=2, output_padding=2)
    Traceback (most recent call last):
    ...
    symconv.errors.ShapeError: conv_transpose: output_padding must be < max(stride, dilation), but got output_padding=2, stride=2, dilation=1
    """
    n = _at_least(_size(n, "input size n"), 1, "input size n")
    k = _at_least(_size(kernel_size, "kernel_size"), 1, "kernel_size")
    s = _at_least(_size(stride, "stride"), 1, "stride")
    d = _at_least(_size(dilation, "dilation"), 1, "dilation")
    lo, hi = _padding_pair(padding)
    op = _at_least(_size(output_padding, "output_padding"), 0, "output_padding")
    bound = max(s, d) if _all_int(s, d) else sp.Max(s, d)
    _require(op < bound if _all_int(op, bound) else sp.Lt(op, bound),
             "conv_transpose: output_padding must be < max(stride, dilation), "
             f"but got output_padding={op}, stride={s}, dilation={d}")
    out = (n - 1) * s - lo - hi + d * (k - 1) + op + 1
    _require(out >= 1 if isinstance(out, int) else sp.Ge(out, 1),
             "conv_transpose: output size (n - 1)*s - p_lo - p_hi + d*(k - 1) + output_padding + 1 "
             f"must be >= 1, but got {out} (n={n}, kernel_size={k}, stride={s}, "
             f"padding={_fmt_pair((lo, hi))}, output_padding={op}, dilation={d})")
    return _finish(sp.expand(out) if not isinstance(out, int) else out)


def pool_output_size(n: Size, kernel_size: Size, stride: Size | None = None,
                     padding: PaddingSize = 0, dilation: Size = 1, ceil_mode: bool = False) -> Size:
    """Output length of a max or average pooling layer along one dimension (PyTorch's rule).

    Parameters
    ----------
    n : int or sympy.Expr
        Input length (>= 1).
    kernel_size : int or sympy.Expr
        Window length ``k`` (>= 1).
    stride : int or sympy.Expr, optional
        Step between windows; defaults to ``kernel_size``, as in PyTorch.
    padding : int, sympy.Expr or (lo, hi) pair, default 0
        Implicit padding on each side; each side at most ``k/2`` (PyTorch's limit).
    dilation : int or sympy.Expr, default 1
        Spacing between window taps (max pooling).
    ceil_mode : bool, default False
        Round the window count up instead of down.

    Returns
    -------
    int or sympy.Expr
        With ``L = n + p_lo + p_hi`` and ``D = d*(k - 1) + 1``:

        * ``ceil_mode=False``: ``floor((L - D)/s) + 1`` (as a convolution);
        * ``ceil_mode=True``: ``m = ceil((L - D)/s) + 1`` windows, minus one when the last
          window would start in the right padding, i.e. when ``(m - 1)*s >= n + p_lo``.

    Notes
    -----
    The ceil-mode count keeps a last, partial window that runs past the end of the
    padded input, as long as it starts inside the input or the left padding. With
    symbols, the two cases are decided when ``s + p_hi - D`` has a known sign: if it is
    positive the count is ``floor((n + p_lo - 1)/s) + 1``, otherwise no window is ever
    dropped and the count is ``floor((L - D + s - 1)/s) + 1``; when the sign is unknown
    the result is the ``Min`` of the two.

    Examples
    --------
    >>> from sympy import Symbol
    >>> pool_output_size(55, 3, stride=2)
    27
    >>> pool_output_size(6, 3, stride=2, ceil_mode=True)
    3
    >>> pool_output_size(5, 2, stride=2, padding=1, ceil_mode=True)
    3
    >>> n = Symbol('n', integer=True, positive=True)
    >>> pool_output_size(n, 2)
    floor(n/2)
    >>> pool_output_size(n, 3, stride=2, ceil_mode=True)
    floor(n/2)
    >>> pool_output_size(n, 2, stride=3, ceil_mode=True)
    floor(n/3 - 1/3) + 1
    >>> pool_output_size(8, 2, padding=2)
    Traceback (most recent call last):
    ...
    symconv.errors.ShapeError: pool: padding must be <= kernel_size/2 on each side, but got padding=(2, 2), kernel_size=2
    """
    if not isinstance(ceil_mode, (bool, sp.logic.boolalg.BooleanAtom)):
        raise SymconvError(f"ceil_mode must be True or False, but got {ceil_mode!r}")
    ceil_mode = bool(ceil_mode)
    n = _at_least(_size(n, "input size n"), 1, "input size n")
    k = _at_least(_size(kernel_size, "kernel_size"), 1, "kernel_size")
    s = k if stride is None else _at_least(_size(stride, "stride"), 1, "stride")
    d = _at_least(_size(dilation, "dilation"), 1, "dilation")
    lo, hi = _padding_pair(padding)
    for p in (lo, hi):
        _require(2 * p <= k if _all_int(p, k) else sp.Le(2 * p, k),
                 "pool: padding must be <= kernel_size/2 on each side, "
                 f"but got padding={_fmt_pair((lo, hi))}, kernel_size={k}")
    padded = n + lo + hi
    span = d * (k - 1) + 1
    where = (f"(n={n}, kernel_size={k}, stride={s}, padding={_fmt_pair((lo, hi))}, "
             f"dilation={d}, ceil_mode={ceil_mode})")

    if _all_int(n, k, s, d, lo, hi):
        # PyTorch's integer rule, literally
        if ceil_mode:
            out = (padded - span + s - 1) // s + 1
            if (out - 1) * s >= n + lo:
                out -= 1
        else:
            if padded < span:
                raise ShapeError(
                    "pool: padded input n + p_lo + p_hi must be >= the dilated kernel "
                    f"d*(k - 1) + 1, but got {padded} < {span} {where}")
            out = (padded - span) // s + 1
        if out < 1:
            raise ShapeError(f"pool: output size must be >= 1, but got {out} {where}")
        return out

    if not ceil_mode:
        _require(sp.Ge(padded, span),
                 "pool: padded input n + p_lo + p_hi must be >= the dilated kernel d*(k - 1) + 1, "
                 f"but got {padded} < {span} {where}")
        return _finish(_floor_div(padded - span, s) + 1)

    _require(sp.Ge(padded - span + s - 1, 0),
             f"pool: output size must be >= 1, but got ceil(({padded} - {span})/{s}) + 1 {where}")
    kept_all = _floor_div(padded - span + s - 1, s) + 1
    start_bound = _floor_div(n + lo - 1, s) + 1
    sign = _holds(sp.Gt(s + hi - span, 0))
    if sign is True:
        return _finish(start_bound)
    if sign is False:
        return _finish(kept_all)
    return sp.Min(kept_all, start_bound)


def same_padding(kernel_size: Size, stride: Size = 1, dilation: Size = 1,
                 n: Size | None = None) -> tuple[Size, Size]:
    """The ``(lo, hi)`` padding that makes a convolution output ``ceil(n / stride)`` long.

    Parameters
    ----------
    kernel_size, stride, dilation : int or sympy.Expr
        The layer's ``k``, ``s`` and ``d`` (each >= 1).
    n : int or sympy.Expr, optional
        The input length; needed only when ``stride > 1``.

    Returns
    -------
    tuple
        ``(lo, hi)`` with ``lo = floor(total/2)`` and ``hi = total - lo``: the odd extra
        element goes to the high end.

    Notes
    -----
    Two rules are in use, and they agree at stride 1:

    * **PyTorch** (``padding='same'`` in ``torch.nn.Conv2d``): stride 1 only; the total
      padding is ``d*(k - 1)``, so ``out = n`` for every ``n``. PyTorch refuses
      ``'same'`` with a stride larger than 1.
    * **TensorFlow / Keras** (``padding='SAME'``): any stride; the output length is
      ``ceil(n/s)`` and the total padding is
      ``max((ceil(n/s) - 1)*s + d*(k - 1) + 1 - n, 0)``, which depends on ``n``
      when ``s > 1``.

    Both put the odd element on the high side (right/bottom). This function uses the
    common stride-1 rule when ``stride == 1`` and TensorFlow's rule otherwise, which is
    why ``n`` is then required.

    Examples
    --------
    >>> same_padding(3)
    (1, 1)
    >>> same_padding(4)
    (1, 2)
    >>> same_padding(3, dilation=2)
    (2, 2)
    >>> same_padding(3, stride=2, n=8)
    (0, 1)
    >>> same_padding(3, stride=2, n=7)
    (1, 1)
    >>> from sympy import Symbol
    >>> k = Symbol('k', integer=True, positive=True)
    >>> same_padding(2*k + 1)
    (k, k)
    >>> same_padding(3, stride=2)
    Traceback (most recent call last):
    ...
    symconv.errors.ShapeError: same padding with stride > 1 must be given the input length n (TensorFlow's rule; PyTorch allows 'same' only at stride 1), but got stride=2, n=None
    """
    k = _at_least(_size(kernel_size, "kernel_size"), 1, "kernel_size")
    s = _at_least(_size(stride, "stride"), 1, "stride")
    d = _at_least(_size(dilation, "dilation"), 1, "dilation")
    if _holds(sp.Eq(s, 1) if not isinstance(s, int) else s == 1):
        total = d * (k - 1)
    else:
        if n is None:
            raise ShapeError(
                "same padding with stride > 1 must be given the input length n (TensorFlow's "
                f"rule; PyTorch allows 'same' only at stride 1), but got stride={s}, n=None")
        n = _at_least(_size(n, "input size n"), 1, "input size n")
        if _all_int(n, s, k, d):
            out = -(-n // s)
            total = max((out - 1) * s + d * (k - 1) + 1 - n, 0)
        else:
            out = sp.ceiling(sp.sympify(n) / s)
            total = sp.Max((out - 1) * s + d * (k - 1) + 1 - n, 0)
    lo = _floor_div(total, 2)
    return _finish(lo), _finish(total - lo)


# ---------------------------------------------------------------------------
# receptive field of a stack of layers
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class ReceptiveField:
    """Receptive field of one output element of a layer stack, in input coordinates.

    ``size`` is the number of input positions from the first to the last one that can
    influence an output element (dilated kernels may skip some in between), ``jump``
    the distance in the input between neighbouring outputs (the product of the
    strides), ``start`` the input coordinate of the centre of output 0's field (a
    half-integer for even sizes; negative values lie in the padding) and ``first`` the
    lowest input index that output 0 reads, so ``first = start - (size - 1)/2``.
    """

    size: Size
    jump: Size
    start: Size
    first: Size
    # for a network: what receptive_field followed (see report()); not in the repr, so a
    # field reads the same whether it came from tuples or from a network
    path: tuple = field(default=(), repr=False)
    branches: tuple = field(default=(), repr=False)
    notes: tuple = field(default=(), repr=False)

    def report(self) -> str:
        """What was computed for a network: the field, the layers of the path followed,
        and at every merge the field of each path reaching it and which one was kept.

        >>> from symconv.architectures import Conv, branches
        >>> fire = branches([Conv(4, 1)], [Conv(4, 3, padding=1)], names=("e1", "e3"))
        >>> from symconv import receptive_field
        >>> print(receptive_field([fire]).report())
        receptive field 3, jump 1, start 0 (first input index -1)
        path: 0.e3
        merge '0.cat': e1 field 1, e3 field 3 -> kept e3
        """
        lines = [f"receptive field {self.size}, jump {self.jump}, start {self.start} "
                 f"(first input index {self.first})"]
        if self.path:
            lines.append("path: " + " -> ".join(self.path))
        for where, sizes, chosen in self.branches:
            lines.append(f"merge '{where}': " + ", ".join(f"{label} field {size}"
                                                          for label, size in sizes)
                         + f" -> kept {chosen}")
        lines.extend(self.notes)
        return "\n".join(lines)

    def span(self, i: Size) -> tuple[Size, Size]:
        """Input indices ``(lo, hi)`` (inclusive) seen by output element ``i``.

        >>> receptive_field([(3, 1, 1), (3, 2)]).span(2)
        (3, 7)
        """
        lo = self.first + i * self.jump
        return _finish(lo), _finish(lo + self.size - 1)

    def __explain__(self, check: bool = True) -> list[str]:
        """The lines :func:`symconv.explain` prints for this object."""
        return _receptive_field(self, check)


def _layer_geometry(layer: object, index: int) -> tuple[Size, Size, Size, Size]:
    names = ("kernel_size", "stride", "padding", "dilation")
    if isinstance(layer, dict):
        unknown = sorted(set(layer) - set(names))
        if unknown or "kernel_size" not in layer:
            raise SymconvError(
                f"layer {index} must be a mapping with kernel_size and optional stride, padding, "
                f"dilation, but got keys {sorted(layer)!r}")
        values = [layer.get("kernel_size"), layer.get("stride", 1), layer.get("padding", 0),
                  layer.get("dilation", 1)]
    elif isinstance(layer, (list, tuple)) and 2 <= len(layer) <= 4:
        values = list(layer) + [0, 1][len(layer) - 2:]
    else:
        raise SymconvError(
            f"layer {index} must be (kernel_size, stride[, padding[, dilation]]) or a mapping, "
            f"but got {layer!r}")
    k = _at_least(_size(values[0], "kernel_size"), 1, "kernel_size")
    s = _at_least(_size(values[1], "stride"), 1, "stride")
    lo, _ = _padding_pair(values[2])
    d = _at_least(_size(values[3], "dilation"), 1, "dilation")
    return k, s, lo, d


def receptive_field(layers: object) -> ReceptiveField:
    """Receptive field size, jump and start of a stack of convolution/pooling layers.

    Parameters
    ----------
    layers : sequence
        One entry per layer, first layer first: a tuple ``(kernel_size, stride[,
        padding[, dilation]])`` or a mapping with those keys (``padding`` an int or a
        ``(lo, hi)`` pair; only the low side moves the field). Entries may be SymPy
        symbols. (Whole networks -- a catalogue name, a table, a graph -- are taken by
        :func:`symconv.receptive_field`, i.e.
        :func:`symconv.nn.architectures.receptive_field`, which follows their main path
        and comes back here with its tuples.)

    Returns
    -------
    ReceptiveField
        With ``.size``, ``.jump``, ``.start`` and ``.first``; for a network also
        ``.path`` (the layer names followed), ``.branches`` (per merge: each path's
        field and the one kept) and ``.notes``; ``.report()`` prints them.

    Raises
    ------
    ShapeError
        For a network with upsampling (transposed convolution, upsample, pixel
        shuffle) on the path, naming the layer: past it one size and jump do not
        describe the field.

    Notes
    -----
    Layer ``l`` with kernel ``k``, stride ``s``, low padding ``p`` and dilation ``d``
    updates, starting from ``size = jump = 1`` and ``start = 0``::

        size  += d*(k - 1) * jump
        start += (d*(k - 1)/2 - p) * jump
        jump  *= s

    (the ``jump`` on the right-hand side is the one before the layer). Output element
    ``i`` of the stack then sees the inputs ``start + i*jump +- (size - 1)/2``.

    Examples
    --------
    >>> rf = receptive_field([(3, 1, 1), (3, 1, 1)])
    >>> rf.size, rf.jump, rf.start
    (5, 1, 0)
    >>> receptive_field([(11, 4, 2), (3, 2), (5, 1, 2), (3, 2)]).size
    67
    >>> receptive_field([(2, 2), (2, 2)]).start
    3/2
    >>> from sympy import symbols
    >>> k, s = symbols('k s', integer=True, positive=True)
    >>> rf = receptive_field([(k, s), (k, s)])
    >>> rf.size, rf.jump
    (k*s + k - s, s**2)
    """
    if isinstance(layers, dict) or not hasattr(layers, "__iter__"):
        raise SymconvError(f"layers must be a sequence of layers, but got {layers!r}")
    size, jump, first = 1, 1, 0
    for index, layer in enumerate(layers):
        k, s, lo, d = _layer_geometry(layer, index)
        first = first - lo * jump
        size = size + d * (k - 1) * jump
        jump = jump * s
    start = first + sp.Rational(1, 2) * (size - 1)
    return ReceptiveField(_finish(_tidy(size)), _finish(_tidy(jump)), _finish(_tidy(start)),
                          _finish(_tidy(first)))


def _tidy(value: Size) -> Size:
    return value if isinstance(value, int) else sp.expand(value)


# ---------------------------------------------------------------------------
# explain(): what these results say about how they were obtained and checked
# ---------------------------------------------------------------------------

def _receptive_field(rf: ReceptiveField, check: bool) -> list[str]:
    return [f"receptive field: size {_short(rf.size)}, jump {_short(rf.jump)}, start "
            f"{_short(rf.start)}, first input index {_short(rf.first)}",
            *_wrap("obtained: symconv.nn.shapes.receptive_field composed the layers' kernel "
                   "sizes, strides, paddings and dilations (size grows by d(k-1) times the "
                   "jump, the jump multiplies by the stride)."),
            *_wrap("verified: no check is attached; rf.span(i) gives the input indices seen "
                   "by output i, which can be compared with the non-zero pattern of a "
                   "conv_matrix row.")]
