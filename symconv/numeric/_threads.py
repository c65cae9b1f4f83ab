"""How many threads the executor's own work uses (internal; no SymPy).

The count is, first match: the ``threads=`` argument of a call, :func:`set_threads`,
the environment variables ``SYMCONV_NUM_THREADS``, ``OMP_NUM_THREADS``,
``OPENBLAS_NUM_THREADS``, ``MKL_NUM_THREADS`` (the first one set to a positive
integer), and otherwise the CPUs this process may run on. The split of the work
depends only on the count and the shapes, so results are bit-for-bit the same for
a given count.

When a call splits its work over several threads, each of them calls BLAS on its
own block, so BLAS must not start threads of its own meanwhile (two threads each
asking OpenBLAS for two would oversubscribe the cores, and OpenBLAS serialises
concurrent threaded calls). :func:`blas_limit` sets the thread count of the
OpenBLAS library that NumPy loaded (found among the process's shared libraries, as
threadpoolctl does) for the duration of the split, and restores it afterwards.
Without an OpenBLAS (another BLAS, another platform) it does nothing.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from symconv.errors import SymconvError

_ENV = ("SYMCONV_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
_SETTING: int | None = None
_POOLS: dict[int, ThreadPoolExecutor] = {}
_LOCK = threading.Lock()


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _check(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SymconvError(f"{name} must be a positive integer or None, but got {value!r}")
    return value


def set_threads(count: int | None) -> None:
    """Set the default thread count of the executor (None: back to the environment)."""
    global _SETTING
    _SETTING = None if count is None else _check(count, "threads")


def get_threads(threads: int | None = None) -> int:
    """The thread count a call uses (see the module notes for the order)."""
    if threads is not None:
        return _check(threads, "threads")
    if _SETTING is not None:
        return _SETTING
    for var in _ENV:
        value = os.environ.get(var, "").strip()
        if value.isdigit() and int(value) > 0:
            return int(value)
    return _cpus()


# ---------------------------------------------------------------------------
# the thread count of OpenBLAS
# ---------------------------------------------------------------------------

_BLAS_PREFIXES = ("", "scipy_")
_BLAS_SUFFIXES = ("", "64_")
# [(get, set)] of every OpenBLAS loaded, found once
_BLAS: list[tuple[Callable[[], int], Callable[[int], Any]]] | None = None
_BLAS_STATE: dict[str, Any] = {"users": 0, "saved": None}


def _find_blas() -> list[tuple[Callable[[], int], Callable[[int], Any]]]:
    """``[(get_num_threads, set_num_threads)]`` of the OpenBLAS libraries in this process."""
    global _BLAS
    if _BLAS is not None:
        return _BLAS
    found = []
    try:
        with open("/proc/self/maps") as fh:
            paths = sorted({line.split()[-1] for line in fh
                            if "openblas" in line.lower() and ".so" in line})
    except OSError:  # not Linux: no control, BLAS keeps its own setting
        paths = []
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix in _BLAS_PREFIXES:
            for suffix in _BLAS_SUFFIXES:
                get = getattr(lib, f"{prefix}openblas_get_num_threads{suffix}", None)
                put = getattr(lib, f"{prefix}openblas_set_num_threads{suffix}", None)
                if get is not None and put is not None:
                    get.restype, put.argtypes = ctypes.c_int, [ctypes.c_int]
                    found.append((get, put))
    _BLAS = found
    return found


def blas_threads() -> int | None:
    """The thread count of NumPy's OpenBLAS (None when there is no OpenBLAS to ask)."""
    libs = _find_blas()
    return libs[0][0]() if libs else None


@contextlib.contextmanager
def blas_limit(count: int) -> Iterator[None]:
    """Let OpenBLAS use at most ``count`` threads inside the block (process-wide).

    Nested and concurrent uses are counted: the first one in saves the setting, the
    last one out restores it, and a limit never raises the count of an outer one.
    """
    libs = _find_blas()
    if not libs:
        yield
        return
    with _LOCK:
        if _BLAS_STATE["users"] == 0:
            _BLAS_STATE["saved"] = [get() for get, _ in libs]
        current = [get() for get, _ in libs]
        for (_, put), now in zip(libs, current):
            if count < now:
                put(count)
        _BLAS_STATE["users"] += 1
    try:
        yield
    finally:
        with _LOCK:
            _BLAS_STATE["users"] -= 1
            if _BLAS_STATE["users"] == 0:
                for (_, put), saved in zip(libs, _BLAS_STATE["saved"]):
                    put(saved)


def split_bounds(total: int, threads: int) -> list[tuple[int, int]]:
    """The contiguous blocks of ``range(total)`` that :func:`run_split` hands out."""
    k = max(1, min(threads, total))
    return [(total * i // k, total * (i + 1) // k) for i in range(k)]


def run_split(fn: Callable[[int, int], object], total: int, threads: int) -> None:
    """``fn(a, b)`` over ``threads`` contiguous blocks of ``range(total)``, in parallel
    (NumPy's ufuncs and BLAS release the GIL); the blocks depend only on total and
    threads. While more than one block runs, BLAS is held to one thread per block."""
    bounds = split_bounds(total, threads)
    if len(bounds) == 1:
        fn(*bounds[0])
        return
    k = len(bounds)
    with _LOCK:
        pool = _POOLS.get(k)
        if pool is None:
            pool = _POOLS[k] = ThreadPoolExecutor(k, thread_name_prefix="symconv")
    with blas_limit(1):
        futures = [pool.submit(fn, a, b) for a, b in bounds[1:]]
        try:
            fn(*bounds[0])  # the calling thread takes the first block
        finally:
            for future in futures:
                future.result()
