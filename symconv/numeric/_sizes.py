"""Output sizes over integers, for the executor (no SymPy; internal).

The same rules as :mod:`symconv.nn.shapes`, restricted to Python ints and to padding
already resolved into a ``(lo, hi)`` pair (:func:`symconv._util.validate.padding_pairs`),
with the same error messages. Keeping them here lets ``import symconv.numeric`` run
without SymPy; ``tests/test_shapes.py`` checks both versions against each other on a
grid of settings, errors included.

>>> conv_output_size(32, 5, 1, (2, 2), 1)
32
>>> conv_transpose_output_size(28, 4, 2, (1, 1), 0, 1)
56
>>> pool_output_size(5, 2, 2, (0, 0), 1, True)
3
"""

from __future__ import annotations

from symconv.errors import ShapeError

__all__ = ["conv_output_size", "conv_transpose_output_size", "pool_output_size"]


def _at_least(value: int, minimum: int, name: str) -> int:
    if value < minimum:
        raise ShapeError(f"{name} must be >= {minimum}, but got {value}")
    return value


def _common(n: int, k: int, s: int, d: int) -> None:
    _at_least(n, 1, "input size n")
    _at_least(k, 1, "kernel_size")
    _at_least(s, 1, "stride")
    _at_least(d, 1, "dilation")


def conv_output_size(n: int, k: int, s: int, pads: tuple[int, int], d: int) -> int:
    """``floor((n + p_lo + p_hi - d*(k - 1) - 1)/s) + 1``, or ShapeError."""
    _common(n, k, s, d)
    lo, hi = (_at_least(p, 0, "padding") for p in pads)
    padded, span = n + lo + hi, d * (k - 1) + 1
    if padded < span:
        raise ShapeError(
            "conv: padded input n + p_lo + p_hi must be >= the dilated kernel d*(k - 1) + 1, "
            f"but got {padded} < {span} (n={n}, kernel_size={k}, padding=({lo}, {hi}), "
            f"dilation={d})")
    return (padded - span) // s + 1


def conv_transpose_output_size(n: int, k: int, s: int, pads: tuple[int, int],
                               output_padding: int, d: int) -> int:
    """``(n - 1)*s - p_lo - p_hi + d*(k - 1) + output_padding + 1``, or ShapeError."""
    _common(n, k, s, d)
    lo, hi = (_at_least(p, 0, "padding") for p in pads)
    op = _at_least(output_padding, 0, "output_padding")
    if op >= max(s, d):
        raise ShapeError("conv_transpose: output_padding must be < max(stride, dilation), "
                         f"but got output_padding={op}, stride={s}, dilation={d}")
    out = (n - 1) * s - lo - hi + d * (k - 1) + op + 1
    if out < 1:
        raise ShapeError(
            "conv_transpose: output size (n - 1)*s - p_lo - p_hi + d*(k - 1) + output_padding + 1 "
            f"must be >= 1, but got {out} (n={n}, kernel_size={k}, stride={s}, "
            f"padding=({lo}, {hi}), output_padding={op}, dilation={d})")
    return out


def pool_output_size(n: int, k: int, s: int | None, pads: tuple[int, int], d: int,
                     ceil_mode: bool) -> int:
    """PyTorch's pooling rule (floor or ceil, the last window must start inside), or ShapeError."""
    if s is None:
        s = k
    _common(n, k, s, d)
    lo, hi = (_at_least(p, 0, "padding") for p in pads)
    for p in (lo, hi):
        if 2 * p > k:
            raise ShapeError("pool: padding must be <= kernel_size/2 on each side, "
                             f"but got padding=({lo}, {hi}), kernel_size={k}")
    padded, span = n + lo + hi, d * (k - 1) + 1
    where = (f"(n={n}, kernel_size={k}, stride={s}, padding=({lo}, {hi}), "
             f"dilation={d}, ceil_mode={ceil_mode})")
    if ceil_mode:
        out = (padded - span + s - 1) // s + 1
        if (out - 1) * s >= n + lo:
            out -= 1
    else:
        if padded < span:
            raise ShapeError("pool: padded input n + p_lo + p_hi must be >= the dilated kernel "
                             f"d*(k - 1) + 1, but got {padded} < {span} {where}")
        out = (padded - span) // s + 1
    if out < 1:
        raise ShapeError(f"pool: output size must be >= 1, but got {out} {where}")
    return out
