"""Validation and normalisation of layer hyper-parameters (concrete integers).

Shared by the exact layers, the NumPy executor and the matrix builder so that all
three read ``stride=2``, ``padding=(1, (0, 2))`` or ``padding='same'`` the same way
(PyTorch's meaning). Only argument handling lives here, never the computation.
Shape *formulas* over symbols live in :mod:`symconv.nn.shapes`.
"""

from __future__ import annotations

import numbers
from collections.abc import Collection, Sequence
from typing import Any, SupportsIndex, TypeAlias, TypeVar

from symconv.errors import ShapeError, SymconvError

__all__ = ["as_int", "int_tuple", "padding_pairs", "check_choice"]

_T = TypeVar("_T")

# the argument types of the layer hyper-parameters, for annotations (an int may also be a
# NumPy or SymPy integer: anything with __index__)
#: an int, or one int per spatial dimension (stride, dilation, kernel_size, output_padding)
IntOrInts: TypeAlias = SupportsIndex | Sequence[SupportsIndex]
#: an int, one int or (lo, hi) pair per spatial dimension, 'same' or 'valid'
Padding: TypeAlias = str | SupportsIndex | Sequence[SupportsIndex | Sequence[SupportsIndex]]


def as_int(value: Any, name: str, minimum: int | None = None) -> int:
    """Return ``value`` as a Python int, or raise a :class:`SymconvError` naming ``name``.

    >>> as_int(3, "stride", minimum=1)
    3
    >>> as_int(0, "stride", minimum=1)
    Traceback (most recent call last):
    ...
    symconv.errors.SymconvError: stride must be an integer >= 1, but got 0
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        # SymPy Integer is not numbers.Integral-registered in every version
        if getattr(value, "is_Integer", False):
            value = int(value)
        else:
            bound = "" if minimum is None else f" >= {minimum}"
            raise SymconvError(f"{name} must be an integer{bound}, but got {value!r}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise SymconvError(f"{name} must be an integer >= {minimum}, but got {value}")
    return value


def int_tuple(value: object, ndim: int, name: str,
              minimum: int | None = None) -> tuple[int, ...]:
    """Expand an int or a length-``ndim`` sequence of ints into a tuple.

    >>> int_tuple(2, 3, "stride", minimum=1)
    (2, 2, 2)
    >>> int_tuple((1, 2), 2, "dilation", minimum=1)
    (1, 2)
    >>> int_tuple((1, 2), 3, "stride")
    Traceback (most recent call last):
    ...
    symconv.errors.SymconvError: stride must be an int or a sequence of 3 ints, but got (1, 2)
    """
    if isinstance(value, (list, tuple)):
        if len(value) != ndim:
            raise SymconvError(
                f"{name} must be an int or a sequence of {ndim} ints, but got {tuple(value)!r}")
        return tuple(as_int(v, name, minimum) for v in value)
    return (as_int(value, name, minimum),) * ndim


def padding_pairs(padding: object, kernel_size: Sequence[int], stride: Sequence[int],
                  dilation: Sequence[int]) -> tuple[tuple[int, int], ...]:
    """Normalise ``padding`` to one ``(lo, hi)`` pair per spatial dimension.

    Accepted forms (PyTorch's meaning): an int (both sides of every dimension),
    one int per dimension, one ``(lo, hi)`` pair per dimension, ``'valid'`` (no
    padding) and ``'same'`` (stride 1 only; total ``d*(k-1)`` per dimension with the
    odd extra element on the high side).

    >>> padding_pairs(1, (3, 3), (1, 1), (1, 1))
    ((1, 1), (1, 1))
    >>> padding_pairs('same', (4,), (1,), (1,))
    ((1, 2),)
    >>> padding_pairs([(0, 1), 2], (3, 3), (1, 1), (1, 1))
    ((0, 1), (2, 2))
    >>> padding_pairs('same', (3,), (2,), (1,))
    Traceback (most recent call last):
    ...
    symconv.errors.ShapeError: padding='same' requires stride 1 in every dimension, but got stride (2,)
    """
    ndim = len(kernel_size)
    if isinstance(padding, str):
        mode = padding.lower()
        if mode == "valid":
            return ((0, 0),) * ndim
        if mode == "same":
            if any(s != 1 for s in stride):
                raise ShapeError("padding='same' requires stride 1 in every dimension, "
                                 f"but got stride {tuple(stride)}")
            pairs = []
            for k, d in zip(kernel_size, dilation):
                total = d * (k - 1)
                pairs.append((total // 2, total - total // 2))
            return tuple(pairs)
        raise SymconvError(f"padding must be an int, a sequence, 'same' or 'valid', but got {padding!r}")
    if isinstance(padding, (list, tuple)):
        if len(padding) != ndim:
            raise SymconvError(f"padding must have one entry per spatial dimension ({ndim}), "
                               f"but got {tuple(padding)!r}")
        pairs = []
        for p in padding:
            if isinstance(p, (list, tuple)):
                if len(p) != 2:
                    raise SymconvError(f"a padding pair must be (lo, hi), but got {tuple(p)!r}")
                pairs.append((as_int(p[0], "padding", 0), as_int(p[1], "padding", 0)))
            else:
                p = as_int(p, "padding", 0)
                pairs.append((p, p))
        return tuple(pairs)
    p = as_int(padding, "padding", 0)
    return ((p, p),) * ndim


def check_choice(value: _T, choices: Collection[object], name: str) -> _T:
    """Return ``value`` if it is one of ``choices``, else raise a clear error.

    >>> check_choice('max', ('max', 'avg'), 'mode')
    'max'
    >>> check_choice('mean', ('max', 'avg'), 'mode')
    Traceback (most recent call last):
    ...
    symconv.errors.SymconvError: mode must be one of 'max', 'avg', but got 'mean'
    """
    if value not in choices:
        options = ", ".join(repr(c) for c in choices)
        raise SymconvError(f"{name} must be one of {options}, but got {value!r}")
    return value


#: the default of an argument that was not given (Any: it stands in for any type)
_UNSET: Any = object()


def renamed_time_limit(time_limit: float | None, timeout: float | None, where: str,
                       default: float | None = _UNSET) -> float | None:
    """The time budget of ``where`` from ``time_limit`` or its deprecated name ``timeout``.

    ``time_limit`` (seconds) is the one name of a time budget across the public API;
    ``timeout`` is accepted for one release with a :class:`DeprecationWarning`. Giving
    both (``time_limit`` other than its ``default``) is an error. ``_UNSET`` marks an
    argument that was not given.

    >>> renamed_time_limit(5, _UNSET, "conv")
    5
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     renamed_time_limit(_UNSET, 3, "conv"), caught[0].category.__name__
    (3, 'DeprecationWarning')
    """
    if timeout is _UNSET:
        return time_limit
    if time_limit is not _UNSET and time_limit != default:
        raise SymconvError(f"{where}: give time_limit only (timeout is its old name), but got "
                           f"both time_limit={time_limit!r} and timeout={timeout!r}")
    import warnings

    warnings.warn(f"{where}(timeout=...) is deprecated; use time_limit=... (seconds)",
                  DeprecationWarning, stacklevel=3)
    return timeout
