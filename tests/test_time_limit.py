"""Tests of the shared wall-time limit (symconv/_time_limit.py) and of its users:
limits nest across the grader, the proof checker and the symbolic engines."""

import random
import signal
import threading
import time

import pytest
import sympy as sp

from symconv._util.deadline import REFIRE, TimeLimitExceeded, bounded_call, time_limit


def spin(seconds):
    """Busy work in Python bytecode (a signal handler runs between instructions)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


@pytest.fixture(autouse=True)
def nothing_left_armed():
    before = signal.getsignal(signal.SIGALRM)
    yield
    assert signal.getitimer(signal.ITIMER_REAL)[0] == 0, "a timer was left armed"
    assert signal.getsignal(signal.SIGALRM) is before, "the SIGALRM handler was not restored"


def test_a_limit_stops_its_block_and_names_itself():
    limit = time_limit(0.1)
    t0 = time.monotonic()
    with pytest.raises(TimeLimitExceeded) as info:
        with limit:
            assert limit.enforced and 0 < limit.remaining() <= 0.1
            spin(5)
    assert info.value.limit is limit and limit.fired
    assert str(info.value) == "time limit of 0.1 s exceeded"
    assert 0.1 <= time.monotonic() - t0 < 1.0


def test_a_block_that_finishes_in_time_is_not_interrupted():
    with time_limit(2) as limit:
        spin(0.05)
    assert limit.enforced and not limit.fired


def test_inner_limit_shorter_than_outer_fires_inside_it():
    outer, inner = time_limit(5), time_limit(0.1)
    t0 = time.monotonic()
    with outer:
        with pytest.raises(TimeLimitExceeded) as info:
            with inner:
                spin(5)
        assert info.value.limit is inner
        inner_time = time.monotonic() - t0
        spin(0.2)                      # the outer block goes on, still bounded
        assert outer.remaining() > 3
    assert 0.1 <= inner_time < 1.0
    assert inner.fired and not outer.fired


def test_inner_limit_longer_than_outer_is_cut_by_the_outer_one():
    outer, inner = time_limit(0.2), time_limit(30)
    t0 = time.monotonic()
    with pytest.raises(TimeLimitExceeded) as info:
        with outer:
            with inner:
                spin(5)
    assert info.value.limit is outer
    assert outer.fired and not inner.fired
    assert 0.2 <= time.monotonic() - t0 < 1.0


def test_an_inner_owner_does_not_catch_the_outer_limit_as_its_own():
    seen = []
    outer = time_limit(0.2)
    with pytest.raises(TimeLimitExceeded) as info:
        with outer:
            # the inner owner's pattern: handle its own limit, re-raise any other
            inner = time_limit(30)
            try:
                with inner:
                    spin(5)
            except TimeLimitExceeded as exc:
                seen.append(exc.limit)
                if exc.limit is not inner:
                    raise
            pytest.fail("the outer limit was swallowed")
    assert seen == [outer] and info.value.limit is outer
    with pytest.raises(TimeLimitExceeded) as info:
        with time_limit(0.2) as outer:
            bounded_call(lambda: spin(5), 30, default="inner timed out")
    assert info.value.limit is outer


def test_bounded_call_returns_the_default_for_its_own_limit_only():
    assert bounded_call(lambda: spin(5), 0.1, default="late") == "late"
    assert bounded_call(lambda: 42, 1) == 42
    with pytest.raises(ZeroDivisionError):
        bounded_call(lambda: 1 / 0, 1)


def test_outermost_expired_limit_wins():
    """Both deadlines have passed when the alarm is delivered (the signal was blocked
    meanwhile): the exception names the outer block, whose owner must handle it."""
    outer, inner = time_limit(0.1), time_limit(0.05)
    with pytest.raises(TimeLimitExceeded) as info:
        with outer:
            with inner:
                signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
                try:
                    spin(0.3)
                finally:
                    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGALRM})
                spin(1)
    assert info.value.limit is outer


def test_a_swallowed_exception_fires_again_until_its_block_is_left():
    fired_at = []
    t0 = time.monotonic()
    with pytest.raises(TimeLimitExceeded):
        with time_limit(0.1) as limit:
            for _ in range(4):
                try:
                    spin(5)
                except TimeLimitExceeded as exc:   # careless code swallows it
                    assert exc.limit is limit
                    fired_at.append(time.monotonic() - t0)
            spin(5)
    assert len(fired_at) == 4
    gaps = [b - a for a, b in zip(fired_at, fired_at[1:])]
    assert all(0.8 * REFIRE <= g < 10 * REFIRE for g in gaps), gaps
    # once the block is left, nothing fires any more
    spin(3 * REFIRE)


def test_an_alarm_inside_a_gc_callback_or_a_finaliser_waits_for_the_block():
    """Raised inside a garbage-collector callback (hypothesis installs one) or a __del__,
    the exception would be swallowed as "Exception ignored" and handed to
    sys.unraisablehook; the alarm waits until it can reach the block instead."""
    import gc
    import sys

    from symconv._util import deadline

    decided = []

    def alarm_here():        # the handler, as if the timer fired in the caller's frame
        try:
            deadline._on_alarm(signal.SIGALRM, sys._getframe(1))
        except TimeLimitExceeded:
            decided.append("raised")
            return
        armed = signal.getitimer(signal.ITIMER_REAL)[0] > 0
        decided.append("waited" if armed else "dropped")
        signal.setitimer(signal.ITIMER_REAL, 0)

    def callback(phase, info):
        if phase == "start":
            alarm_here()

    class Finalised:
        def __del__(self):
            alarm_here()

    limit = time_limit(10)
    with pytest.raises(TimeLimitExceeded):
        with limit:
            limit.deadline = time.monotonic() - 1     # expired, its timer switched off
            signal.setitimer(signal.ITIMER_REAL, 0)
            gc.callbacks.append(callback)
            try:
                gc.collect()
            finally:
                gc.callbacks.remove(callback)
            Finalised()
            alarm_here()                              # an ordinary frame: raised ...
            spin(1)                                   # ... and it fires again here
    assert decided == ["waited", "waited", "raised"]

    # the same with the real timer, callbacks taking half of the time
    unraisable = []
    previous_hook = sys.unraisablehook
    sys.unraisablehook = unraisable.append
    gc.callbacks.append(lambda phase, info: spin(0.0005))
    try:
        for _ in range(5):
            with pytest.raises(TimeLimitExceeded):
                with time_limit(0.01):
                    for _ in range(4000):
                        gc.collect(0)
                        spin(0.0005)
                    pytest.fail("the time limit never reached its block (4 s of work)")
    finally:
        gc.callbacks.pop()
        sys.unraisablehook = previous_hook
    assert unraisable == []


def test_a_swallowed_outer_limit_fires_again_after_the_inner_block():
    with pytest.raises(TimeLimitExceeded) as info:
        with time_limit(0.1) as outer:
            try:
                with time_limit(30):
                    spin(5)
            except TimeLimitExceeded:
                pass                    # swallowed by a fallback
            spin(5)
            pytest.fail("the outer limit did not fire again")
    assert info.value.limit is outer


def test_the_previous_handler_is_restored_only_by_the_outermost_block():
    def handler(signum, frame):
        pass

    previous = signal.signal(signal.SIGALRM, handler)
    try:
        with time_limit(5):
            installed = signal.getsignal(signal.SIGALRM)
            assert installed is not handler
            with time_limit(3):
                assert signal.getsignal(signal.SIGALRM) is installed
            assert signal.getsignal(signal.SIGALRM) is installed
        assert signal.getsignal(signal.SIGALRM) is handler
        with pytest.raises(TimeLimitExceeded):
            with time_limit(0.05):
                spin(5)
        assert signal.getsignal(signal.SIGALRM) is handler
    finally:
        signal.signal(signal.SIGALRM, previous)


def test_a_timer_armed_before_keeps_its_time_and_handler():
    calls = []
    previous = signal.signal(signal.SIGALRM, lambda signum, frame: calls.append(time.monotonic()))
    try:
        t0 = time.monotonic()
        signal.setitimer(signal.ITIMER_REAL, 0.2)
        with time_limit(5) as limit:
            spin(0.5)                   # the other timer fires in here
        assert len(calls) == 1 and 0.2 <= calls[0] - t0 < 0.45
        assert not limit.fired
        # a timer still pending when the block ends is armed again with its remaining time
        signal.setitimer(signal.ITIMER_REAL, 1.0)
        with pytest.raises(TimeLimitExceeded):
            with time_limit(0.1):
                spin(5)
        left = signal.getitimer(signal.ITIMER_REAL)[0]
        assert 0.5 < left < 0.95
        signal.setitimer(signal.ITIMER_REAL, 0)
        assert len(calls) == 1
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_not_enforced_off_the_main_thread_or_without_seconds():
    out = {}

    def work():
        with time_limit(0.05) as limit:
            time.sleep(0.2)
        out["limit"] = limit

    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    limit = out["limit"]
    assert not limit.enforced and not limit.fired and limit.remaining() is None
    with time_limit(None) as limit:
        spin(0.05)
    assert not limit.enforced and limit.remaining() is None


@pytest.mark.parametrize("seconds", [0, -1])
def test_a_spent_budget_raises_at_once_in_any_thread(seconds):
    limit = time_limit(seconds)
    with pytest.raises(TimeLimitExceeded) as info:
        with limit:
            pytest.fail("the block ran")
    assert info.value.limit is limit and limit.fired
    out = []
    worker = threading.Thread(target=lambda: out.append(bounded_call(lambda: "ran", seconds, "spent")))
    worker.start()
    worker.join()
    assert out == ["spent"]


def test_many_short_nested_limits_leave_nothing_behind():
    """Limits entered and left at random, some firing while others are being entered
    or left: every exception reaches its own owner and nothing stays armed."""
    rng = random.Random(0)
    outcomes = {"late": 0, "done": 0}

    def nested(depth):
        if depth == 0:
            spin(rng.uniform(0, 0.004))
            return "done"
        return bounded_call(lambda: nested(depth - 1), rng.uniform(0.0005, 0.004), "late")

    with time_limit(60) as outer:
        for _ in range(300):
            outcomes[nested(rng.randint(1, 4))] += 1
    assert not outer.fired
    assert outcomes["late"] > 10 and outcomes["done"] > 10, outcomes


# --- the users of the shared limit ------------------------------------------------

t = sp.Symbol("t", real=True)
y = sp.Symbol("y", real=True)
# SymPy cannot decide this step and keeps trying for as long as it is allowed to
SLOW_STEP = (sp.Integral(sp.sin(t)**3 * sp.exp(-t**2) / (1 + t**2), (t, 0, y)),
             sp.Integral(sp.cos(t)**3 * sp.exp(-t**2) / (1 + t**2), (t, 0, y)))
# no closed form: conv keeps trying until its timeout
SLOW_CONV = (sp.exp(-t**2) * sp.sin(t)**3 / (1 + t**2), sp.exp(-t**2))


def test_proof_checker_budget_is_enforced_under_an_outer_limit():
    from symconv.proofs import check_step

    with time_limit(30) as outer:
        t0 = time.monotonic()
        report = check_step(*SLOW_STEP, time_limit=0.3, numeric=False)
        elapsed = time.monotonic() - t0
    assert report.status == "unverified" and not outer.fired
    assert elapsed < 3, elapsed


def test_proof_checker_does_not_swallow_an_outer_limit():
    from symconv.proofs import Derivation

    derivation = Derivation([SLOW_STEP[0], (SLOW_STEP[1], None)])
    t0 = time.monotonic()
    with pytest.raises(TimeLimitExceeded) as info:
        with time_limit(0.5) as outer:
            derivation.check(time_limit=30, numeric=False)
    assert info.value.limit is outer
    assert time.monotonic() - t0 < 3


def test_conv_timeout_is_enforced_under_an_outer_limit_and_passes_the_outer_one_on():
    from symconv.signals.continuous import conv

    with time_limit(30) as outer:
        t0 = time.monotonic()
        result = conv(*SLOW_CONV, t, time_limit=0.3)
        elapsed = time.monotonic() - t0
    assert isinstance(result, sp.Integral) and not outer.fired
    assert elapsed < 3, elapsed
    t0 = time.monotonic()
    with pytest.raises(TimeLimitExceeded) as info:
        with time_limit(0.3) as outer:
            conv(*SLOW_CONV, t, time_limit=30)
    assert info.value.limit is outer
    assert time.monotonic() - t0 < 3


def test_private_names_still_import():
    from symconv.signals.continuous import _Timeout, _time_limit

    assert _Timeout is TimeLimitExceeded and _time_limit is time_limit


def test_a_limit_interrupts_a_c_function_called_directly():
    """``fn`` without a Python frame of its own (time.sleep runs the handler when the
    signal interrupts it): the limit still fires."""
    import functools

    t0 = time.monotonic()
    assert bounded_call(functools.partial(time.sleep, 3), 0.1, default="late") == "late"
    assert time.monotonic() - t0 < 1


def test_timeout_is_the_deprecated_name_of_time_limit():
    import warnings

    import symconv as sc

    t = sp.Symbol("t", real=True)
    from symconv._util.validate import renamed_time_limit
    from symconv.errors import SymconvError

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = sc.conv(sc.u(t), sc.u(t), t, timeout=5)
    assert result == t * sp.Heaviside(t)
    assert [w.category for w in caught] == [DeprecationWarning]
    assert "time_limit" in str(caught[0].message)
    with pytest.raises(SymconvError, match="give time_limit only"):
        sc.conv(sc.u(t), sc.u(t), t, time_limit=3, timeout=5)
    with pytest.raises(SymconvError, match="give time_limit only"):
        renamed_time_limit(3, 5, "f", 10)
