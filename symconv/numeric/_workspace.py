"""Scratch memory kept per thread between calls of the executor (internal)."""

from __future__ import annotations

import math
import threading

import numpy as np
import numpy.typing as npt

_WORKSPACE = threading.local()
# scratch arrays larger than this are allocated afresh and not kept
_WORKSPACE_MAX_BYTES = 1 << 30


def _scratch(name: str, shape: tuple[int, ...], dtype: npt.DTypeLike) -> np.ndarray:
    """An uninitialised array for temporary use, backed by memory kept between calls.

    Large temporaries (padded inputs, stacked copies, partial products) are touched
    once per call; allocating them afresh costs the kernel a page fault per page,
    about a quarter of a layer's time. Each thread keeps one growing byte buffer per
    ``name``; two scratch arrays in use at the same time must have different names,
    and no scratch array is ever returned to the caller.
    """
    dtype = np.dtype(dtype)
    nbytes = math.prod(shape) * dtype.itemsize
    if nbytes > _WORKSPACE_MAX_BYTES:
        return np.empty(shape, dtype=dtype)
    pool = getattr(_WORKSPACE, "pool", None)
    if pool is None:
        pool = _WORKSPACE.pool = {}
    raw = pool.get(name)
    if raw is None or raw.nbytes < nbytes:
        raw = pool[name] = np.empty(max(nbytes, 64), dtype=np.uint8)
    return raw[:nbytes].view(dtype).reshape(shape)


def _clear_workspace() -> None:
    """Release the scratch memory kept by the calling thread."""
    _WORKSPACE.pool = {}


