"""Bounded wall time for a block of code running in the main thread (SIGALRM based).

``with time_limit(seconds):`` interrupts its block with :class:`TimeLimitExceeded`
once ``seconds`` of wall time have passed. Every time limit in symconv (the grader's,
the proof checker's, the symbolic engines') is one of these, so they nest:

* one SIGALRM handler and one stack of deadlines serve every open block; the timer is
  armed for the earliest deadline, so an inner budget is enforced inside an outer
  one, and an outer deadline that passes inside an inner block still fires there;
* when several deadlines have passed, the exception names the outermost of them
  (``exc.limit``): the caller that owns that block is the one that must handle it;
* the exception derives from ``BaseException``, so the ``except Exception`` clauses
  inside SymPy do not swallow it. Code that catches it and is not the owner must
  re-raise it::

      limit = time_limit(2)
      try:
          with limit:
              value = slow()
      except TimeLimitExceeded as exc:
          if exc.limit is not limit:      # an enclosing limit ran out: not ours
              raise
          value = None

* if the exception is swallowed anyway (by code that does not know about it), the
  alarm fires again every :data:`REFIRE` seconds until the owning block is left, so a
  careless fallback cannot leave an expired block running unbounded.

A budget that is already spent (``seconds <= 0``) raises at the start of the block,
in any thread. Otherwise signals reach the main thread only: off the main thread, on
a platform without ``setitimer``, for ``seconds=None``, or when a SIGALRM handler
that was not installed from Python is in place, the block runs without a limit and
``enforced`` is False. A SIGALRM handler installed from Python and a timer it armed
are kept: the timer still fires at its time (its handler is called), and when the
outermost block is left both are restored.

>>> with time_limit(5) as limit:
...     limit.enforced
True
>>> import time
>>> bounded_call(lambda: time.sleep(1), 0.05, default="out of time")
'out of time'
>>> limit = time_limit(0.05)
>>> try:
...     with limit:
...         time.sleep(1)
... except TimeLimitExceeded as exc:
...     print(exc.limit is limit, limit.fired, exc)
True True time limit of 0.05 s exceeded
"""

from __future__ import annotations

import gc
import os
import signal
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import Any, Literal, TypeVar, overload

_T = TypeVar("_T")
_D = TypeVar("_D")

__all__ = ["time_limit", "TimeLimitExceeded", "bounded_call", "TIMED_OUT", "enforceable", "REFIRE"]

REFIRE = 0.05    # seconds between alarms once a deadline has passed and its block is open
_SOON = 1e-4     # the smallest delay the timer is armed with
_RETRY = 1e-3    # delay of an alarm that arrived while this module updated its state


class _TimedOut:
    """The type of :data:`TIMED_OUT`."""

    def __repr__(self) -> str:
        return "TIMED_OUT"


#: ``bounded_call(fn, seconds, TIMED_OUT)`` returns this when its own time ran out, for a
#: caller that must tell "out of time" from any value ``fn`` can return.
TIMED_OUT = _TimedOut()


class TimeLimitExceeded(BaseException):
    """Raised inside a :class:`time_limit` block whose time is up; ``.limit`` is that block."""

    def __init__(self, limit: time_limit) -> None:
        super().__init__(f"time limit of {limit.seconds:g} s exceeded")
        self.limit = limit


class _Timers:
    """The state shared by every open block (main thread only)."""

    def __init__(self) -> None:
        # enforced limits whose blocks are open, outermost first
        self.open: list[time_limit] = []
        # SIGALRM handler in place before the outermost block (as signal.getsignal gives it)
        self.previous: Any = None
        # time.monotonic() when the previous owner's timer fires
        self.foreign_at: float | None = None
        self.foreign_every = 0.0   # and that timer's repeat interval


_state = _Timers()


def _arm() -> None:
    """Set the timer for the next thing due: a deadline, a repeat, or the foreign timer."""
    now = time.monotonic()
    due = [lim.deadline if lim.deadline > now else now + (REFIRE if lim.fired else 0.0)
           for lim in _state.open]
    if _state.foreign_at is not None:
        due.append(_state.foreign_at)
    if due:
        signal.setitimer(signal.ITIMER_REAL, max(min(due) - now, _SOON))
    else:
        signal.setitimer(signal.ITIMER_REAL, 0)


def _pass_on(signum: int, frame: FrameType | None) -> None:
    """The timer of the handler that was in place before us is due: call that handler."""
    previous = _state.previous
    if _state.foreign_every > 0:
        _state.foreign_at += _state.foreign_every  # type: ignore[operator]  # set when called
    else:
        _state.foreign_at = None
    _arm()
    if callable(previous):
        previous(signum, frame)
    elif previous == signal.SIG_DFL:     # the default action: the process ends
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGALRM)


def _swallowed_here(frame: FrameType | None, depth: int = 6) -> bool:
    """Whether an exception raised in ``frame`` would be swallowed on its way to the
    block: inside a garbage-collector callback or a finaliser (``__del__``), Python
    prints it as "Exception ignored" (or hands it to ``sys.unraisablehook``) and goes on."""
    callbacks = {getattr(cb, "__code__", None) for cb in gc.callbacks}
    while frame is not None and depth > 0:
        if frame.f_code.co_name == "__del__" or frame.f_code in callbacks:
            return True
        frame, depth = frame.f_back, depth - 1
    return False


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    if frame is not None and (frame.f_code in _UPDATING or _swallowed_here(frame)):
        # the alarm came while a block was being entered or left (raising could leave
        # the stack of open blocks half updated), or inside a garbage-collector callback
        # or a finaliser (the exception would be swallowed): try again in a moment
        if _state.open or _state.foreign_at is not None:
            signal.setitimer(signal.ITIMER_REAL, _RETRY)
        return
    now = time.monotonic()
    if _state.foreign_at is not None and _state.foreign_at <= now:
        _pass_on(signum, frame)
    for lim in _state.open:                    # the outermost expired limit wins
        if lim.deadline <= now:
            lim.fired = True
            _arm()                             # repeats until that block is left
            raise TimeLimitExceeded(lim)
    _arm()


class time_limit:
    """Context manager bounding the wall time of its block (see the module notes).

    Parameters
    ----------
    seconds : float or None
        Wall time allowed to the block; ``None`` for no limit, ``<= 0`` for a budget
        that is already spent (the block does not start).

    Attributes
    ----------
    enforced : bool
        Whether a timer guards the block (see the module notes for when it does not).
    fired : bool
        Whether this limit's :class:`TimeLimitExceeded` has been raised.
    """

    def __init__(self, seconds: float | None) -> None:
        self.seconds = None if seconds is None else float(seconds)
        self.enforced = False
        self.fired = False
        # time.monotonic() at which the block ends; set (and read) only once enforced
        self.deadline: float = None  # type: ignore[assignment]

    def __enter__(self) -> time_limit:
        if self.seconds is not None and self.seconds <= 0:
            self.fired = True
            raise TimeLimitExceeded(self)
        if self.seconds is None or not hasattr(signal, "setitimer") \
                or threading.current_thread() is not threading.main_thread():
            return self
        if not _state.open:
            previous = signal.getsignal(signal.SIGALRM)
            if previous is None:           # a handler set outside Python: leave it alone
                return self
            delay, every = signal.getitimer(signal.ITIMER_REAL)
            _state.previous = previous
            _state.foreign_at = time.monotonic() + delay if delay > 0 else None
            _state.foreign_every = every
            signal.signal(signal.SIGALRM, _on_alarm)
        self.enforced = True
        self.deadline = time.monotonic() + self.seconds
        _state.open.append(self)
        _arm()
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        if not self.enforced or self not in _state.open:
            return False
        # blocks nest lexically, so every block opened after this one is closed by now
        # (an entry above it is left over when its __exit__ was cut short)
        del _state.open[_state.open.index(self):]
        if _state.open:
            _arm()
            return False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, _state.previous)
        if _state.foreign_at is not None:
            signal.setitimer(signal.ITIMER_REAL, max(_state.foreign_at - time.monotonic(), _SOON),
                             _state.foreign_every)
        _state.previous, _state.foreign_at, _state.foreign_every = None, None, 0.0
        return False

    def remaining(self) -> float | None:
        """Seconds left (``None`` when unlimited or not enforced)."""
        if not self.enforced:
            return None
        return max(0.0, self.deadline - time.monotonic())


# the code that updates the shared state (an alarm arriving in it is handled a moment later)
_UPDATING = frozenset({time_limit.__enter__.__code__, time_limit.__exit__.__code__, _arm.__code__})


def enforceable() -> bool:
    """Whether a :class:`time_limit` opened here and now would be enforced (a timer and the
    main thread; see the module notes for the rare foreign-handler case)."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@overload
def bounded_call(fn: Callable[[], _T], seconds: float | None) -> _T | None: ...


@overload
def bounded_call(fn: Callable[[], _T], seconds: float | None, default: _D) -> _T | _D: ...


def bounded_call(fn: Callable[[], _T], seconds: float | None,
                 default: object = None) -> object:
    """``fn()``, or ``default`` when ``seconds`` run out first.

    Only this call's own limit is handled: an enclosing limit that runs out meanwhile
    propagates, and so does any exception ``fn`` raises. Pass ``default=TIMED_OUT`` to
    tell running out of time from a ``None`` that ``fn`` returned::

        value = bounded_call(slow, 2, TIMED_OUT)
        if value is TIMED_OUT:
            ...

    >>> bounded_call(lambda: None, 1, TIMED_OUT) is TIMED_OUT
    False
    """
    limit = time_limit(seconds)
    try:
        with limit:
            return fn()
    except TimeLimitExceeded as exc:
        if exc.limit is not limit:
            raise
        return default
