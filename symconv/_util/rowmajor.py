"""Row-major (C order) layout of a flat list of array entries (internal).

The exact layers (:mod:`symconv.nn.layers`) and the matrix builder
(:mod:`symconv.nn.matrix`) both store an N-d array as one flat list in which the last
index runs fastest; the entry ``a[i_0, ..., i_{r-1}]`` sits at position
``sum_j i_j * stride_j`` with ``stride_j = n_{j+1} * ... * n_{r-1}``.
"""

from collections.abc import Sequence

__all__ = ["row_major_strides"]


def row_major_strides(shape: Sequence[int]) -> tuple[int, ...]:
    """Steps in the flat list for a unit step along each axis of ``shape``.

    >>> row_major_strides((2, 3, 4))
    (12, 4, 1)
    >>> row_major_strides(())
    ()
    """
    strides, acc = [], 1
    for n in reversed(shape):
        strides.append(acc)
        acc *= n
    return tuple(reversed(strides))
