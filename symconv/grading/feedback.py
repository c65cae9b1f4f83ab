"""Feedback a student can act on: a simple counterexample, what kind of mistake the
answer shows, and where a signal is wrong.

Given a wrong scalar answer and the reference, with the sampler that compared them:

* :func:`simple_point` looks for a counterexample a student can check by hand: small
  integers, then halves and thirds, inside the sampling ranges (never at a breakpoint
  of a signal, where a step's value is only a convention);
* :func:`diagnose` recognises, from the values at the sample points, the usual
  mistakes: the opposite sign, a constant factor, a constant offset, a missing step
  factor (``u(t)``), a missing rounding (``floor``/``ceil``), a shift of a variable
  (``t - 1`` for ``t``; for an integer variable an off-by-one), a reflection
  (``-t`` for ``t``);
* :func:`region` names where a signal is wrong ("for t > 1", "for 0 < t < 2").

Everything here only *describes* a verdict that the equivalence strategies have
already reached; it never changes a grade.

>>> import sympy as sp
>>> from symconv.grading.equivalence import Sampler
>>> from symconv.grading.keys import Variable
>>> t = sp.Symbol("t", real=True)
>>> s = Sampler({t: Variable("real", -4, 4)})
>>> ref = t * sp.Heaviside(t)
>>> diagnose(-ref, ref, s)
'Your answer has the opposite sign.'
>>> diagnose(t, ref, s)
'Your answer is missing the factor u(t).'
>>> diagnose((t - 1) * sp.Heaviside(t - 1), ref, s)
'Your answer is the expected one delayed by 1 in t (it has t - 1 where t belongs).'
>>> region(sp.Min(t, 1) * sp.Heaviside(t), ref, s, {})
'It is right for t < 1 but wrong for t > 1.'
"""

import itertools
import math
import time

import sympy as sp

from symconv.grading import regions
from symconv.grading.equivalence import _same, _value, brief

__all__ = ["simple_point", "diagnose", "region", "signal_text"]

_BUDGET = 0.25         # seconds for all feedback of one answer


class _Clock:
    def __init__(self, seconds=_BUDGET):
        self.end = time.perf_counter() + seconds

    def out(self):
        return time.perf_counter() > self.end


def _val(sampler, expr, point):
    cache = sampler._cache if expr in sampler._pinned else sampler._scratch
    return _value(sampler._prepared(expr, cache), point)


def _real(v):
    """A value as a real number for arithmetic (None for complex, infinite, undefined)."""
    if v is None or v in (sp.oo, -sp.oo):
        return None
    if isinstance(v, sp.Rational):
        return v
    if isinstance(v, complex):
        return v.real if abs(v.imag) <= 1e-12 * max(1.0, abs(v.real)) else None
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def signal_text(expr):
    """A signal written as students write it: ``u(t)``, ``u[n]``, ``delta[n - 2]``.

    >>> signal_text(sp.Heaviside(sp.Symbol("t") - 1))
    'u(t - 1)'
    >>> signal_text(sp.Heaviside(sp.Symbol("n", integer=True), 1))
    'u[n]'
    """
    def show(node):
        if isinstance(node, sp.Heaviside):
            inner = sp.sstr(node.args[0])
            return f"u[{inner}]" if len(node.args) > 1 and node.args[1] == 1 else f"u({inner})"
        if isinstance(node, sp.KroneckerDelta):
            return f"delta[{sp.sstr(node.args[0] - node.args[1])}]"
        return sp.sstr(node)
    if isinstance(expr, (sp.Heaviside, sp.KroneckerDelta)):
        return show(expr)
    mapping = {h: sp.Symbol(show(h)) for h in expr.atoms(sp.Heaviside, sp.KroneckerDelta)}
    return sp.sstr(expr.xreplace(mapping))


# --------------------------------------------------------------------------- simple points

def _simple_values(var, count=7, beyond=False):
    """Simple values inside a variable's sampling range, simplest first: small
    integers, then halves, thirds and quarters (exact); with ``beyond``, then integers
    past the range on each side the domain leaves open (a signal may differ only
    there)."""
    lo, hi = var.bounds()
    if beyond:
        inside = _simple_values(var, count)
        width = max(1, int(math.ceil(hi - lo)))
        outside = []
        for k in range(1, 3 * width + 1):
            outside.append(sp.Integer(int(math.floor(hi)) + k))
            if not var.domain.startswith(("positive", "nonnegative")):
                outside.append(sp.Integer(int(math.ceil(lo)) - k))
        return inside + outside[:4 * width]
    out = []
    if var.is_integer:
        for k in itertools.count():
            for v in ((k,) if k == 0 else (k, -k)):
                if lo <= v <= hi:
                    out.append(sp.Integer(v))
            if len(out) >= count or (k > abs(lo) and k > abs(hi)):
                break
        return out[:count]
    for q in (1, 2, 3, 4):
        for p in range(-4 * q, 4 * q + 1):
            v = sp.Rational(p, q)
            if v.q == q and lo <= v <= hi and v not in out:
                out.append(v)
    out.sort(key=lambda v: (int(v.q), abs(v), bool(v < 0)))
    if var.domain.startswith("positive"):
        out = [v for v in out if v > 0]
    return out[:count]


def simple_point(answer, reference, sampler, point, tolerance, clock=None):
    """A point with simple coordinates where the answer and the reference differ (and,
    for a real variable, differ in a neighbourhood: not at a breakpoint), preferring
    points close in simplicity; ``None`` if none is found within the budget."""
    clock = clock or _Clock()
    symbols = [s for s in sampler.symbols if s in point]
    if not symbols or any(isinstance(s, sp.Dummy) for s in symbols):
        return None
    arguments = regions.switch_arguments(answer) + regions.switch_arguments(reference)
    signal = {x for g in arguments for x in g.free_symbols}
    choices = []
    for s in symbols:
        var = sampler.domains[s]
        values = _simple_values(var)
        if s in signal and not sampler.window_only:
            # integers at and next to the breakpoints (u(t - 50) differs only past t = 50),
            # then integers beyond the sampling range
            lo = var.bounds()[0]
            for b in sorted(regions.breakpoints(arguments, s, point), key=float)[:6]:
                near = (math.floor(b), math.floor(b) + 1, math.ceil(b) - 1) if var.is_integer \
                    else (math.floor(b) + 1, math.ceil(b) - 1)
                for v in map(sp.Integer, near):
                    if v not in values and (lo <= v or not var.domain.startswith(
                            ("positive", "nonnegative"))):
                        values.append(v)
            values += [v for v in _simple_values(var, beyond=True) if v not in values]
        choices.append(values)
    if not all(choices):
        return None
    tried = 0
    for combo in _by_rank([len(c) for c in choices]):
        if tried >= 40 or clock.out():
            return None
        candidate = {s: choices[k][i] for k, (s, i) in enumerate(zip(symbols, combo))}
        if not sampler._satisfies(candidate):
            continue
        tried += 1
        if _at_breakpoint(candidate, arguments, sampler):
            continue
        want = _val(sampler, reference, candidate)
        if want is None:
            continue
        got = _val(sampler, answer, candidate)
        if not _same(got, want, tolerance, sampler.exact):
            return candidate, got, want
    return None


def _by_rank(lengths):
    """Index tuples in order of their sum (simplest first), generated lazily: with eight
    variables the full product has millions of tuples, and only the first few are tried.

    >>> list(_by_rank([2, 2]))
    [(0, 0), (0, 1), (1, 0), (1, 1)]
    """
    def with_sum(k, total):
        if k == len(lengths) - 1:
            if total < lengths[k]:
                yield (total,)
            return
        for first in range(min(total, lengths[k] - 1) + 1):
            for rest in with_sum(k + 1, total - first):
                yield (first,) + rest

    if not lengths:
        return
    for total in range(sum(n - 1 for n in lengths) + 1):
        yield from with_sum(0, total)


def _at_breakpoint(point, arguments, sampler):
    for g in arguments:
        if not all(s in point for s in g.free_symbols):
            continue
        if any(sampler.domains[s].is_integer for s in g.free_symbols if s in sampler.domains):
            continue       # a discrete signal's value at its breakpoint is meaningful
        try:
            v = g.xreplace(point)
            if v.is_number and abs(complex(v.evalf(20))) < 1e-12:
                return True
        except (TypeError, ValueError, ArithmeticError):
            continue
    return False


# --------------------------------------------------------------------------- diagnosis

def _indices(sampler, answer, reference, base=12, extra=8):
    """The points a diagnosis looks at: the first ``base`` sample points and ``extra``
    points around the breakpoints (a diagnosis describes a verdict already reached:
    a few points suffice, and each costs an evaluation of the answer)."""
    indices = list(sampler.reference_points(reference))[:base]
    indices += [i for i in sampler.extra_points(answer, reference)
                if sampler.value(reference, i) is not None][:extra]
    return indices


def diagnose(answer, reference, sampler, tolerance=None, clock=None):
    """The kind of mistake the answer shows (a sentence), or ''."""
    clock = clock or _Clock()
    tol = sampler.tolerance if tolerance is None else tolerance
    pairs = []
    for i in _indices(sampler, answer, reference):
        a, r = sampler.value(answer, i), sampler.value(reference, i)
        if a is None or r is None:
            return ""
        pairs.append((sampler.point(i), a, r))
    if len(pairs) < 3:
        return ""
    same = lambda x, y: _same(x, y, tol, sampler.exact)   # noqa: E731
    nonzero = [(a, r) for _, a, r in pairs if not same(r, sp.Integer(0))]
    if nonzero and all(same(a, _neg(r)) for _, a, r in pairs):
        return "Your answer has the opposite sign."
    factor = _constant(pairs, _ratio, same, sp.Integer(1))
    if factor is not None and all(same(a, sp.Integer(0)) for _, a, r in pairs
                                  if same(r, sp.Integer(0))) and nonzero:
        return f"Your answer is {brief(factor)} times the expected one (a constant factor)."
    offset = _constant(pairs, _diff, same, sp.Integer(0))
    if offset is not None:
        return f"Your answer is off by the constant {brief(offset)} everywhere."
    for step in sorted(reference.atoms(sp.Heaviside), key=sp.default_sort_key):
        if clock.out():
            return ""
        if answer.has(step):
            continue
        if all(same(r, _times(a, _val(sampler, step, p))) for p, a, r in pairs):
            return f"Your answer is missing the factor {signal_text(step)}."
    if reference.has(sp.floor, sp.ceiling) or _all_integers(pairs):
        for name, fn in (("down (floor)", math.floor), ("up (ceil)", math.ceil)):
            if all(_rounds(a, r, fn) for _, a, r in pairs) and not all(same(a, r) for _, a, r in pairs):
                return f"Your answer is right up to rounding: round it {name}."
    return _shift(answer, reference, sampler, pairs, same, clock)


def _neg(v):
    return -v if not isinstance(v, complex) else complex(-v.real, -v.imag)


def _ratio(a, r):
    a, r = _real(a), _real(r)
    if a is None or r is None or r == 0:
        return None
    return a / r


def _diff(a, r):
    a, r = _real(a), _real(r)
    if a is None or r is None:
        return None
    return a - r


def _times(a, h):
    a, h = _real(a), _real(h)
    return None if a is None or h is None else a * h


def _constant(pairs, fn, same, trivial):
    """The common value of ``fn(answer, reference)`` over the points (None if it varies
    or is ``trivial``), as a simple fraction when it is one."""
    first = None
    for _, a, r in pairs:
        v = fn(a, r)
        if v is None:
            continue
        if first is None:
            first = v
        elif not same(v, first):
            return None
    if first is None:
        return None
    if not isinstance(first, sp.Rational):
        simple = sp.nsimplify(first, tolerance=1e-9, rational=True)
        if simple.q <= 12 and abs(float(simple) - float(first)) <= 1e-9 * max(1.0, abs(float(first))):
            first = simple
    return None if same(first, trivial) else first


def _all_integers(pairs):
    return all(isinstance(r, sp.Integer) for _, a, r in pairs)


def _rounds(a, r, fn):
    a = _real(a)
    if a is None or not isinstance(r, sp.Integer):
        return False
    try:
        if isinstance(a, sp.Rational):
            return (sp.floor(a) if fn is math.floor else sp.ceiling(a)) == r
        return fn(a) == int(r)
    except (OverflowError, ValueError):
        return False


def _shift(answer, reference, sampler, pairs, same, clock):
    """Answer(x) = reference(x - d) for one variable x and a small d."""
    cache = sampler._cache if reference in sampler._pinned else sampler._scratch
    prepared = sampler._prepared(reference, cache)
    for x in sampler.symbols:
        if isinstance(x, sp.Dummy):
            continue
        var = sampler.domains[x]
        candidates = [1, -1, 2, -2] if var.is_integer else [1, -1, 2, -2, sp.Rational(1, 2),
                                                             -sp.Rational(1, 2), 3, -3]
        for d in candidates:
            if clock.out():
                return ""
            d = sp.Integer(d) if not isinstance(d, sp.Rational) else d
            usable = matched = 0
            for p, a, _ in pairs:
                q = dict(p)
                q[x] = p[x] - d if not isinstance(p[x], sp.Float) else sp.Float(p[x] - d, 30)
                want = _value(prepared, q)
                if want is None:
                    continue
                usable += 1
                if not same(a, want):
                    break
                matched += 1
            else:
                if usable >= 3 and matched == usable:
                    return _shift_text(x, d, var.is_integer, reference)
    # reflection: answer(x) = reference(-x), for a signal variable
    for x in sampler.symbols:
        if isinstance(x, sp.Dummy) or not any(x in g.free_symbols for g in
                                              regions.switch_arguments(reference)):
            continue
        usable = 0
        for p, a, _ in pairs:
            q = dict(p)
            q[x] = -p[x]
            want = _value(prepared, q)
            if want is None:
                continue
            usable += 1
            if not same(a, want):
                break
        else:
            if usable >= 3:
                return f"Your answer is the expected one reflected: it has -{x.name} where {x.name} belongs."
    return ""


def _shift_text(x, d, is_integer, reference):
    name = x.name
    moved = f"{name} - {d}" if d > 0 else f"{name} + {-d}"
    signal = any(x in g.free_symbols for g in regions.switch_arguments(reference))
    if is_integer and abs(d) == 1 and not signal:
        return f"Your answer is off by one: it is the expected formula with {moved} in place of {name}."
    if d > 0:
        return (f"Your answer is the expected one delayed by {d} in {name} (it has {moved} "
                f"where {name} belongs).")
    return (f"Your answer is the expected one advanced by {-d} in {name} (it has {moved} "
            f"where {name} belongs).")


# --------------------------------------------------------------------------- region

def region(answer, reference, sampler, point, tolerance=None, clock=None):
    """Where a signal answer is wrong, e.g. 'It is right for t < 0 but wrong for
    t > 0.', for the signal variable with the other variables as in ``point``
    (a counterexample); '' when there is no signal variable, or no region where the
    answer is right (then "wrong everywhere" would add nothing)."""
    clock = clock or _Clock()
    tol = sampler.tolerance if tolerance is None else tolerance
    arguments = tuple(dict.fromkeys(regions.switch_arguments(answer)
                                    + regions.switch_arguments(reference)))
    if not arguments:
        return ""
    names = {x for g in arguments for x in g.free_symbols}
    for x in sampler.symbols:
        if x not in names or isinstance(x, sp.Dummy):
            continue
        base = dict(point) if point else {}
        for s in sampler.symbols:
            if s not in base:
                pts = sampler.reference_points(reference)
                if not pts:
                    return ""
                base[s] = sampler.point(pts[0])[s]
        bps = regions.breakpoints(arguments, x, base)
        if not bps:
            continue
        var = sampler.domains[x]
        lower = 0 if var.domain.startswith(("positive", "nonnegative")) else None
        if sampler.window_only:
            lower, upper = var.bounds()
        else:
            upper = None
        pieces = _pieces(answer, reference, sampler, x, var, base, bps, lower, upper, tol, clock)
        if not pieces or all(bad for _, _, bad in pieces) or not any(bad for _, _, bad in pieces):
            return ""
        wrong = regions.describe_region(pieces, x.name, var.is_integer)
        right = regions.describe_region([(a, b, not bad) for a, b, bad in pieces], x.name,
                                        var.is_integer)
        if not wrong:
            return ""
        if right and len(right) < 40:
            return f"It is right for {right} but wrong for {wrong}."
        return f"It is wrong for {wrong}."
    return ""


def _pieces(answer, reference, sampler, x, var, base, bps, lower, upper, tol, clock):
    same = lambda a, b: _same(a, b, tol, sampler.exact)    # noqa: E731

    def differs(v):
        q = dict(base)
        q[x] = v
        if not sampler._satisfies(q):
            return None
        want = _val(sampler, reference, q)
        if want is None:
            return None
        return not same(_val(sampler, answer, q), want)

    ordered = sorted(bps, key=float)
    if var.is_integer:
        lo_w, hi_w = var.bounds()
        start = int(min(math.floor(ordered[0]), lo_w)) - 2
        stop = int(max(math.ceil(ordered[-1]), hi_w)) + 2
        if lower is not None:
            start = max(start, int(lower))
        if upper is not None:
            stop = min(stop, int(upper))
        if stop - start > 120:
            return []
        pieces = []
        if lower is None:
            tail = [differs(sp.Integer(start - k)) for k in (1, 10)]
            if None in tail or tail[0] != tail[1]:
                return []
            pieces.append((None, start - 1, tail[0]))
        for v in range(start, stop + 1):
            if clock.out():
                return []
            bad = differs(sp.Integer(v))
            if bad is None:
                return []
            pieces.append((v, v, bad))
        if upper is None:
            tail = [differs(sp.Integer(stop + k)) for k in (1, 10)]
            if None in tail or tail[0] != tail[1]:
                return []
            pieces.append((stop + 1, None, tail[0]))
        return _merge_integer(pieces)
    pieces = []
    lo_w, hi_w = var.bounds()
    width = max(float(hi_w - lo_w), 1.0)
    for a, b in regions.intervals(ordered, lower, upper):
        if clock.out():
            return []
        if a is None and b is None:
            return []
        if a is None:
            probes = [float(b) - 0.37 * width, float(b) - 2.3 * width]
        elif b is None:
            probes = [float(a) + 0.37 * width, float(a) + 2.3 * width]
        else:
            probes = [float(a) + (float(b) - float(a)) * f for f in (0.31, 0.73)]
        results = [differs(sp.Float(v, 30)) for v in probes]
        if None in results:
            return []
        pieces.append((a, b, any(results)))
    return pieces


def _merge_integer(pieces):
    merged = []
    for a, b, bad in pieces:
        if merged and merged[-1][2] == bad:
            merged[-1] = (merged[-1][0], b, bad)
        else:
            merged.append((a, b, bad))
    return merged
