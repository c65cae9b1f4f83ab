"""Wall-time limits inside one process (nestable, SIGALRM based).

The implementation is shared with the rest of symconv (:mod:`symconv._time_limit`),
so the grader's limits nest with the proof checker's and the symbolic engines'.

``time_limit(seconds)`` interrupts the code in its block with
:class:`TimeLimitExceeded` when the time is up. It derives from ``BaseException``
so that SymPy's internal ``except Exception`` clauses cannot swallow it. Limits nest:
the earliest deadline fires first; code that catches the exception re-raises it
unless ``exc.limit`` is its own block.

Signals are delivered to the main thread only, so off the main thread (or on a
platform without ``setitimer``) the limit is *not enforced* and ``enforced`` is False;
the batch grader therefore always grades in worker processes whose main thread runs
the grading, and the parent process adds a hard wall-time limit on top (it kills a
worker that does not answer in time), which also covers long C-level computations
that a signal cannot interrupt.

>>> with time_limit(5) as limit:
...     limit.enforced
True
>>> import time
>>> try:
...     with time_limit(0.05) as limit:
...         time.sleep(1)
... except TimeLimitExceeded as exc:
...     print(exc.limit is limit, exc)
True time limit of 0.05 s exceeded
"""

from symconv._time_limit import TimeLimitExceeded, time_limit

__all__ = ["time_limit", "TimeLimitExceeded"]
