"""Where does an anticipated mistake agree with the answer?

A mistake is a wrong *formula* (or list, or matrix), but it may still take the right value
on part of the domain: ``2 floor((d + 1)/2) + 1`` equals ``d + 1`` for every even d, and a
causal signal without its ``u(t)`` equals the answer for t >= 0. Its feedback must then be
true there too: conditional ("for odd d ..."), or about the formula rather than the value.
:func:`mistake_agreement` finds those points on a grid over the key's declared domains,
and the catalogue states them next to the feedback (``mistake(..., agrees="t >= 0")``);
the tests compare the two and print :func:`agreement_report`.
"""

import itertools
import math
import random

import sympy as sp

__all__ = ["mistake_agreement", "agreement_report"]

_MAX_POINTS = 60


def _axis(variable, position):
    """Sample values of one variable: all integers of a small range, else a spread; reals
    on an interior grid shifted by a different fraction for each variable, so that
    coincidences of measure zero (two variables equal, a variable exactly 0) are not
    sampled: for a real variable, only agreement on a whole region counts."""
    lo, hi = variable.bounds()
    if variable.is_integer:
        if hi - lo <= 24:
            return [sp.Integer(v) for v in range(lo, hi + 1)]
        step = max(1, (hi - lo) // 24)
        return [sp.Integer(v) for v in sorted({lo, hi, *range(lo, hi + 1, step)})]
    lo, hi = sp.nsimplify(lo), sp.nsimplify(hi)
    shift = sp.Rational(position + 1, 7 * (position + 2))
    return sorted({lo + (hi - lo) * (i + shift) / 9 for i in range(9)})


def _points(key, names):
    from symconv.grading.keys import Variable

    default = Variable("integer" if key.is_discrete else "real")
    axes = [_axis(key.variables.get(n, default), i) for i, n in enumerate(names)]
    if math.prod(len(a) for a in axes) <= _MAX_POINTS:
        return list(itertools.product(*axes))
    rnd = random.Random(0)
    return sorted({tuple(rnd.choice(a) for a in axes) for _ in range(_MAX_POINTS)}, key=str)


def _entries(obj):
    if isinstance(obj, sp.MatrixBase):
        return obj.shape, list(obj)
    if isinstance(obj, (list, tuple)):
        return (len(obj),), list(obj)
    return (), [obj]


def _value(e, sub):
    e = sp.sympify(e).xreplace(sub)
    if e.has(sp.nan, sp.zoo) or e.free_symbols:
        return None
    if e.is_Rational:
        return e
    try:
        v = complex(e.evalf(20))
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v.real) or math.isinf(abs(v)) else v


def _same(a, b, sub):
    (sa, ea), (sb, eb) = _entries(a), _entries(b)
    if sa != sb:
        return False
    for x, y in zip(ea, eb):
        x, y = _value(x, sub), _value(y, sub)
        if x is None or y is None:
            return None
        if isinstance(x, sp.Rational) and isinstance(y, sp.Rational):
            if x != y:
                return False
        elif abs(complex(x) - complex(y)) > 1e-9 * max(1.0, abs(complex(x)), abs(complex(y))):
            return False
    return True


def mistake_agreement(part):
    """``{mistake index: (points where it equals the answer, points compared)}`` for the
    mistakes of ``part`` that agree with the answer somewhere on the grid (a point is a
    ``{variable name: value}`` dict; points where either side is undefined are skipped)."""
    key = part.answer_key()
    if key.type in ("proof", "text") or not key.mistakes:
        return {}
    reference, mistakes = key.reference, key.mistake_values()
    by_name = {}
    for obj in [reference, *mistakes]:
        for e in _entries(obj)[1]:
            for s in getattr(sp.sympify(e), "free_symbols", ()):
                by_name.setdefault(s.name, set()).add(s)
    names = sorted(by_name)
    constraints = [key.parse(c) for c in key.constraints]
    points = _points(key, names) if names else [()]
    found = {}
    for index, wrong in enumerate(mistakes):
        agree, compared = [], 0
        for point in points:
            sub = {s: v for n, v in zip(names, point) for s in by_name[n]}
            named = dict(zip(names, point))
            if not all(bool(c.xreplace({s: named[s.name] for s in c.free_symbols}))
                       for c in constraints):
                continue
            same = _same(reference, wrong, sub)
            if same is None:
                continue
            compared += 1
            if same:
                agree.append(named)
        if agree:
            found[index] = (agree, compared)
    return found


def agreement_report(parts):
    """A readable report: for every mistake that agrees with the answer somewhere, where
    (the first points), how often, what the catalogue says (``agrees``) and its feedback."""
    lines = []
    for part in parts:
        if part.key is None:
            continue
        for index, (agree, compared) in mistake_agreement(part).items():
            m = part.key["mistakes"][index]
            shown = "; ".join(", ".join(f"{k} = {v}" for k, v in p.items()) or "always"
                              for p in agree[:3])
            lines.append(f"{part.id} mistake {index + 1}: equals the answer at {len(agree)} of "
                         f"{compared} points ({shown}{', ...' if len(agree) > 3 else ''})")
            lines.append(f"    declared: {m.get('_agrees') or 'NOTHING'}")
            lines.append(f"    feedback: {m['feedback']}")
    return "\n".join(lines)
