"""Reshaping: :class:`Unflatten` and :func:`view_layers`, which writes ``x.view(target)``
as :class:`Flatten` and :class:`Unflatten` layers.

A view of a contiguous tensor keeps the order of the elements, so it only merges
neighbouring axes and splits axes. :func:`view_layers` finds those groups by matching
products of sizes from the left (symbolic sizes too) and returns one layer per merge or
split. The layers refer to the axes of their input, not to the sizes of the example, so
the same layers reshape every input size the view accepts:

>>> import sympy as sp
>>> h = sp.Symbol("h", integer=True, positive=True)
>>> view_layers((1, 116, h, h), (1, 2, 58, h, h))      # ShuffleNet: split the channels
[Unflatten(dim=1, sizes=(2, 58), name=None)]
>>> view_layers((1, 58, 2, h, h), (1, -1, h, h))       # ... and merge them back
[Flatten(start_dim=1, end_dim=2, name=None)]
>>> Unflatten(1, (2, -1)).output_shape((1, 116, 28, 28))
(1, 2, 58, 28, 28)
"""

from dataclasses import dataclass

import sympy as sp

from symconv.errors import ShapeError, SymconvError
from symconv.nn.architectures.specs import Flatten, Layer, _fmt, _known, _prod, _times

__all__ = ["Unflatten", "view_layers"]


def _same(a, b):
    return sp.expand(sp.sympify(a) - b) == 0


def _whole(expr):
    """True when ``expr`` is a polynomial with integer coefficients in its atoms (sizes
    and ``floor(...)`` terms): an integer for every input size."""
    expr = sp.cancel(sp.sympify(expr))
    numerator, denominator = sp.fraction(expr)
    if denominator != 1:
        return False
    if numerator.is_number:
        return bool(numerator.is_Integer)
    try:
        poly = sp.Poly(numerator)       # generators: the sizes and floor(...) terms
    except sp.PolynomialError:
        return False
    return all(c.is_Integer for c in poly.coeffs())


@dataclass(frozen=True)
class Unflatten(Layer):
    """Split axis ``dim`` into ``sizes`` (``torch.nn.Unflatten``, ``x.unflatten``): the
    sizes are positive integers and at most one ``-1``, which takes what is left; their
    product must be the axis's size.

    >>> Unflatten(2, (4, 4)).output_shape((1, 8, 16))
    (1, 8, 4, 4)
    """

    dim: int
    sizes: tuple
    name: object = None
    kind = "unflatten"

    def __post_init__(self):
        sizes = tuple(self.sizes) if isinstance(self.sizes, (list, tuple)) else None
        if (not sizes or any(not isinstance(v, int) or isinstance(v, bool) or (v < 1 and v != -1)
                             for v in sizes) or sizes.count(-1) > 1):
            raise SymconvError("unflatten sizes must be positive integers with at most one -1, "
                               f"but got {self.sizes!r}")
        if not isinstance(self.dim, int) or isinstance(self.dim, bool):
            raise SymconvError(f"unflatten dim must be an integer, but got {self.dim!r}")
        object.__setattr__(self, "sizes", sizes)

    def _split(self, shape):
        """``(axis, resolved sizes, condition or None)``."""
        dim = self.dim + len(shape) if self.dim < 0 else self.dim
        if not 0 <= dim < len(shape):
            raise ShapeError(f"unflatten dim must be an axis of the input, but got dim={self.dim} "
                             f"for shape {_fmt(shape)}")
        n = shape[dim]
        fixed = _prod(v for v in self.sizes if v != -1)
        free = -1 in self.sizes
        if _known(n):
            n = int(n)
            if (n % fixed if free else n != fixed):
                need = f"a multiple of {fixed}" if free else str(fixed)
                raise ShapeError(f"unflatten of axis {dim} into {self.sizes} needs a size that is "
                                 f"{need}, but got {n} (input shape {_fmt(shape)})")
            rest, condition = n // fixed, None
        elif free:
            rest = sp.floor(n / fixed) if fixed != 1 else n
            condition = sp.Eq(fixed * rest, n) if fixed != 1 else None
        else:
            rest, condition = None, sp.Eq(n, fixed)
        return dim, tuple(rest if v == -1 else v for v in self.sizes), condition

    def output_shape(self, shape):
        dim, sizes, _ = self._split(tuple(shape))
        return (*shape[:dim], *sizes, *shape[dim + 1:])

    def conditions(self, shape):
        condition = self._split(tuple(shape))[2]
        return () if condition is None else (condition,)

    def describe(self, shape):
        dim, sizes, _ = self._split(tuple(shape))
        return f"unflatten axis {dim} -> {_times(sizes)}"

    def forward(self, x, rng):
        return x.reshape(self.output_shape(x.shape))


def _resolve(shape, target):
    """The target with its ``-1`` replaced by the size that keeps the element count."""
    target = [sp.sympify(v) if not isinstance(v, int) else v for v in target]
    free = [i for i, v in enumerate(target) if _known(v) and int(v) == -1]
    bad = [v for v in target if (_known(v) and int(v) < 1 and int(v) != -1)
           or (not _known(v) and not _whole(v))]
    if len(free) > 1 or bad:
        raise SymconvError(f"a view's sizes must be positive integers with at most one -1, "
                           f"but got {_fmt(target)}")
    total = _prod(shape)
    if free:
        rest = _prod(v for i, v in enumerate(target) if i != free[0])
        inferred = sp.cancel(sp.sympify(total) / rest)
        if not _whole(inferred):
            raise SymconvError(f"a view of {_fmt(shape)} as {_fmt(target)} needs {rest} to divide "
                               f"the element count {total} for every input size, but it does not")
        target[free[0]] = int(inferred) if inferred.is_Integer else inferred
    elif not _same(total, _prod(target)):
        raise SymconvError(f"a view of {_fmt(shape)} as {_fmt(target)} must keep the element "
                           f"count, but {total} and {_prod(target)} differ")
    return [int(v) if _known(v) else v for v in target]


def _groups(shape, target):
    """Pairs of axis lists ``(source axes, target axes)`` with equal products, left to right."""
    groups, i, j = [], 0, 0
    while i < len(shape) and j < len(target):
        src, dst, a, b = [i], [j], shape[i], target[j]
        i, j = i + 1, j + 1
        while not _same(a, b):
            if _known(a) and _known(b):
                grow_source = int(a) < int(b)
            elif _whole(sp.sympify(b) / a) or _whole(sp.sympify(a) / b):
                grow_source = _whole(sp.sympify(b) / a)
            else:       # (4, n) -> (n, 4): merge on until the products meet
                grow_source = i < len(shape)
            if grow_source and i < len(shape):
                a, i = a * shape[i], i + 1
                src.append(i - 1)
            elif j < len(target):
                b, j = b * target[j], j + 1
                dst.append(j - 1)
            else:
                raise SymconvError(
                    f"a view of {_fmt(shape)} as {_fmt(target)} must merge neighbouring axes or "
                    "split an axis for every input size, but the sizes "
                    f"{_fmt([shape[k] for k in src])} and {_fmt([target[k] for k in dst])} do "
                    "not line up")
        groups.append((src, dst))
    for k in range(i, len(shape)):      # trailing axes of size 1
        groups[-1][0].append(k)
    for k in range(j, len(target)):
        groups[-1][1].append(k)
    return groups


def view_layers(shape, target):
    """The :class:`Flatten` / :class:`Unflatten` layers that turn an input of ``shape``
    into ``target`` as ``x.view(target)`` does (``target`` may hold one ``-1``); ``[]``
    when the view changes nothing.

    Raises :class:`SymconvError` when the element counts differ, or when a split axis
    would need two sizes that depend on the input (``(h*w,) -> (h, w)``): an
    :class:`Unflatten` has fixed sizes and one ``-1``.
    """
    shape = tuple(shape)
    if not shape or not target:
        raise SymconvError(f"a view needs an input and a target of rank >= 1, but got "
                           f"{_fmt(shape)} and {_fmt(tuple(target))}")
    target = _resolve(shape, target)
    layers, position = [], 0
    for src, dst in _groups(shape, target):
        if len(src) > 1:
            layers.append(Flatten(position, position + len(src) - 1))
        if len(dst) > 1:
            sizes = [target[k] for k in dst]
            symbolic = [v for v in sizes if not _known(v)]
            if len(symbolic) > 1:
                raise SymconvError(
                    f"a view of {_fmt(shape)} as {_fmt(target)} splits an axis into "
                    f"{_fmt(sizes)}, which holds more than one size that depends on the input; "
                    "an unflatten takes fixed sizes and one -1")
            layers.append(Unflatten(position, tuple(-1 if not _known(v) else int(v) for v in sizes)))
        position += len(dst)
    return layers
