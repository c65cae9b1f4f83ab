"""How many threads the executor's own work uses (internal; no SymPy).

The count is, first match: the ``threads=`` argument of a call, :func:`set_threads`,
the environment variables ``SYMCONV_NUM_THREADS``, ``OMP_NUM_THREADS``,
``OPENBLAS_NUM_THREADS``, ``MKL_NUM_THREADS`` (the first one set to a positive
integer), and otherwise the CPUs this process may run on. The split of the work
depends only on the count and the shapes, so results are bit-for-bit the same for
a given count.
"""

import os
import threading
from concurrent.futures import ThreadPoolExecutor

from symconv.errors import SymconvError

_ENV = ("SYMCONV_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
_SETTING = None
_POOLS: dict = {}
_LOCK = threading.Lock()


def _cpus():
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _check(value, name):
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SymconvError(f"{name} must be a positive integer or None, but got {value!r}")
    return value


def set_threads(count):
    """Set the default thread count of the executor (None: back to the environment)."""
    global _SETTING
    _SETTING = None if count is None else _check(count, "threads")


def get_threads(threads=None):
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


def run_split(fn, total, threads):
    """``fn(a, b)`` over ``threads`` contiguous blocks of ``range(total)``, in parallel
    (NumPy's ufuncs release the GIL); the blocks depend only on total and threads."""
    k = min(threads, total)
    bounds = [(total * i // k, total * (i + 1) // k) for i in range(k)]
    if k <= 1:
        for a, b in bounds:
            fn(a, b)
        return
    with _LOCK:
        pool = _POOLS.get(k)
        if pool is None:
            pool = _POOLS[k] = ThreadPoolExecutor(k, thread_name_prefix="symconv")
    for future in [pool.submit(fn, a, b) for a, b in bounds]:
        future.result()
