"""Wall-time limits inside one process (nestable, SIGALRM based).

``time_limit(seconds)`` interrupts the code in its block with
:class:`TimeLimitExceeded` when the time is up. It derives from ``BaseException``
so that SymPy's internal ``except Exception`` clauses cannot swallow it. Limits nest:
the earliest deadline fires first and only the block that set it catches it.

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

import signal
import threading
import time

__all__ = ["time_limit", "TimeLimitExceeded"]


class TimeLimitExceeded(BaseException):
    """Raised inside a :func:`time_limit` block whose time is up."""

    def __init__(self, limit):
        super().__init__(f"time limit of {limit.seconds:g} s exceeded")
        self.limit = limit


_active = []          # open limits, outermost first
_previous_handler = None


def _arm():
    if not _active:
        signal.setitimer(signal.ITIMER_REAL, 0)
        return
    remaining = min(lim.deadline for lim in _active) - time.monotonic()
    signal.setitimer(signal.ITIMER_REAL, max(remaining, 1e-4))


def _on_alarm(signum, frame):
    now = time.monotonic()
    for lim in _active:                     # outermost expired limit wins
        if lim.deadline <= now + 1e-4 and not lim.fired:
            lim.fired = True
            raise TimeLimitExceeded(lim)
    _arm()


class time_limit:
    """Context manager bounding the wall time of its block (see the module notes)."""

    def __init__(self, seconds):
        self.seconds = None if seconds is None else float(seconds)
        self.enforced = False
        self.fired = False
        self.deadline = None

    def __enter__(self):
        global _previous_handler
        if self.seconds is None or threading.current_thread() is not threading.main_thread() \
                or not hasattr(signal, "setitimer"):
            return self
        self.enforced = True
        self.deadline = time.monotonic() + self.seconds
        if not _active:
            _previous_handler = signal.signal(signal.SIGALRM, _on_alarm)
        _active.append(self)
        _arm()
        return self

    def __exit__(self, *exc):
        global _previous_handler
        if not self.enforced:
            return False
        _active.remove(self)
        _arm()
        if not _active:
            signal.signal(signal.SIGALRM, _previous_handler or signal.SIG_DFL)
            _previous_handler = None
        return False

    def remaining(self):
        """Seconds left (``None`` when unlimited or not enforced)."""
        if not self.enforced:
            return None
        return max(0.0, self.deadline - time.monotonic())
