"""Wall-time bounds that a loaded CI machine does not turn into false failures.

A bound on a cheap operation (the parser rejects a megabyte of text in microseconds) is
there to catch an algorithmic blow-up, and a blow-up is slow on every attempt; a busy
machine or a full garbage collection of the suite's heap stalls one attempt. So
:func:`within` retries a slow attempt (after collecting garbage: only then, since a
collection of the whole suite's heap costs far more than the operations timed here),
failing only when every attempt is over the bound, and the failure lists each time.
"""

import gc
import time


def within(seconds, fn, attempts=3, what=None):
    """Return ``fn()`` from the first of ``attempts`` runs that takes under ``seconds``.

    >>> within(1.0, lambda: 2 + 2)
    4
    """
    took = []
    for attempt in range(attempts):
        if attempt:
            gc.collect()
        start = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - start
        if elapsed < seconds:
            return result
        took.append(f"{elapsed:.3f}")
    raise AssertionError(f"{what or getattr(fn, '__name__', 'the call')} took "
                         f"{', '.join(took)} s in {attempts} attempts (bound {seconds} s)")
