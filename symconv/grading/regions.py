"""Breakpoints of signals: where an answer may differ outside the sampling window.

A key's variables have a sampling window (``t`` in [-4, 4]), but a signal is defined
on the whole line, and two signals that agree on the window may differ beyond it
(``min(t, 5) u(t)`` and ``t u(t)`` differ for ``t > 5``). Between two consecutive
*breakpoints* -- the zeros of the arguments of ``Heaviside``, ``KroneckerDelta``,
``Abs``, ``sign``, ``Max``/``Min`` and of the ``Piecewise`` conditions -- both sides
are analytic, so agreement at points inside every interval (the unbounded ones
included) is what equivalence on the whole line needs; for an integer variable every
point next to a breakpoint counts.

This module finds the breakpoints of both sides in one variable (for the other
variables fixed at a sample point) and proposes the values of that variable to probe:
points inside every interval between breakpoints, and beyond the last breakpoint on
each unbounded side. It also names the intervals where two signals differ, for
feedback ("your answer is wrong for t > 1").

>>> import sympy as sp
>>> t = sp.Symbol("t", real=True)
>>> args = switch_arguments(sp.Min(t, 5) * sp.Heaviside(t))
>>> sorted(breakpoints(args, t, {}))
[0, 5]
>>> describe_region([(None, 0, False), (0, 5, False), (5, None, True)], "t", False)
't > 5'
"""

import functools
import math

import sympy as sp
from sympy.core.relational import Relational
from sympy.logic.boolalg import Boolean

__all__ = ["switch_arguments", "breakpoints", "probe_values", "describe_region", "intervals"]

_MAX_ARGS = 24          # switch arguments considered per expression
_MAX_VARIANTS = 8       # sign choices for |.|, max/min inside one argument
_MAX_BREAKPOINTS = 16   # breakpoints per variable and base point


@functools.lru_cache(maxsize=4096)
def switch_arguments(expr):
    """The expressions whose zeros are breakpoints of ``expr`` (a tuple).

    >>> n = sp.Symbol("n", integer=True)
    >>> switch_arguments(sp.Heaviside(n - 10, 1) + sp.KroneckerDelta(n, 17))
    (17 - n, n - 10)
    """
    found = []
    if not isinstance(expr, sp.Basic):
        return ()

    def add(g):
        if isinstance(g, sp.Expr) and g.free_symbols and g not in found and len(found) < _MAX_ARGS:
            found.append(g)

    def conditions(c):
        if isinstance(c, Relational):
            try:
                add(sp.expand(c.lhs - c.rhs) if c.lhs.is_Add or c.rhs.is_Add else c.lhs - c.rhs)
            except (TypeError, ValueError):
                pass
        elif isinstance(c, Boolean):
            for a in c.args:
                conditions(a)

    for node in sp.preorder_traversal(expr):
        if isinstance(node, (sp.Heaviside, sp.Abs, sp.sign)):
            add(node.args[0])
        elif isinstance(node, sp.KroneckerDelta):
            add(node.args[0] - node.args[1])
        elif isinstance(node, (sp.Max, sp.Min)):
            items = node.args[:6]
            for i, a in enumerate(items):
                for b in items[i + 1:]:
                    add(a - b)
        elif isinstance(node, sp.Piecewise):
            for _, cond in node.args:
                conditions(cond)
        if len(found) >= _MAX_ARGS:
            break
    return tuple(sorted(found, key=sp.default_sort_key))


def _variants(g):
    """``g`` with each |h|, max and min resolved one way (the zeros of ``g`` are among
    the zeros of the variants that hold on their own side)."""
    out = [g]
    for node in g.atoms(sp.Abs, sp.Max, sp.Min, sp.sign, sp.Heaviside):
        if isinstance(node, sp.Abs):
            choices = [node.args[0], -node.args[0]]
        elif isinstance(node, sp.sign):
            choices = [sp.S.One, -sp.S.One, sp.S.Zero]
        elif isinstance(node, sp.Heaviside):
            choices = [sp.S.Zero, sp.S.One]
        else:
            choices = list(node.args[:3])
        out = [v.xreplace({node: c}) for v in out for c in choices]
        if len(out) > _MAX_VARIANTS:
            return out[:_MAX_VARIANTS]
    return out


def _roots(g, x):
    """Real roots of ``g`` (a polynomial of degree at most 2 in ``x``, numeric
    coefficients), exact when the coefficients are."""
    try:
        poly = sp.Poly(g, x)
    except (sp.PolynomialError, sp.GeneratorsNeeded, TypeError, ValueError):
        return []
    if not all(c.is_number for c in poly.all_coeffs()):
        return []
    coeffs = poly.all_coeffs()
    if len(coeffs) == 2:
        a, b = coeffs
        return [-b / a] if a != 0 else []
    if len(coeffs) == 3:
        a, b, c = coeffs
        disc = b * b - 4 * a * c
        if disc.is_negative or a == 0:
            return []
        r = sp.sqrt(disc)
        return [(-b - r) / (2 * a), (-b + r) / (2 * a)]
    return []


def breakpoints(arguments, x, point):
    """The real breakpoints in ``x`` of the switch ``arguments`` with every other
    variable set as in ``point`` (a set of SymPy numbers).

    >>> t, a = sp.symbols("t a", real=True)
    >>> sorted(breakpoints((sp.Abs(t) - 1, t - a), t, {a: sp.Integer(3)}))
    [-1, 1, 3]
    """
    found = set()
    others = {s: v for s, v in point.items() if s != x}
    for g in arguments:
        if x not in g.free_symbols:
            continue
        try:
            h = g.xreplace(others) if others else g
            if h.free_symbols - {x}:
                continue
            for variant in _variants(h):
                for r in _roots(variant, x):
                    if not (r.is_real and r.is_finite):
                        continue
                    value = h.xreplace({x: r})
                    if value.is_number and abs(complex(value.evalf(20))) <= 1e-9 * max(1, abs(float(r))):
                        found.add(r if r.is_Rational else sp.Float(r, 30))
        except (TypeError, ValueError, ArithmeticError, AttributeError, RecursionError):
            continue
        if len(found) >= _MAX_BREAKPOINTS:
            break
    return found


def intervals(bps, lower, upper):
    """Consecutive (a, b) intervals cut by the sorted breakpoints, between ``lower``
    and ``upper`` (``None`` for an unbounded side)."""
    inner = sorted({b for b in bps if (lower is None or b > lower) and (upper is None or b < upper)},
                   key=float)
    edges = [lower] + inner + [upper]
    return list(zip(edges[:-1], edges[1:]))


def probe_values(bps, is_integer, window, domain, rng):
    """Values of one variable to compare at: for an integer variable every value next
    to a breakpoint and two values beyond the last one on each unbounded side; for a
    real variable two points inside every interval between breakpoints (unbounded
    intervals included), never a breakpoint itself (the value *at* a jump, Heaviside(0),
    is a convention and carries no meaning for a signal of a real variable).

    ``window`` is the sampling range (lo, hi); ``domain`` the range the variable lives
    in (``None`` for an unbounded side), the window itself for a key that restricts
    the comparison to it.

    >>> import random
    >>> probe_values({sp.Integer(10)}, True, (0, 5), (None, None), random.Random(0))
    [-5, -1, 9, 10, 11, 12, 16]
    """
    if not bps:
        return []
    lo_w, hi_w = window
    width = max(float(hi_w - lo_w), 1.0)
    dom_lo, dom_hi = domain
    values = []
    if is_integer:
        near = set()
        for b in bps:
            f = math.floor(b)
            near.update(range(f - 1, f + 2) if b == f else range(f - 1, f + 3))
        top = max(max(near), int(hi_w))
        bottom = min(min(near), int(lo_w))
        if dom_hi is None:
            near.update((top + 1, top + int(width)))
        if dom_lo is None:
            near.update((bottom - 1, bottom - int(width)))
        values = sorted(v for v in near if (dom_lo is None or v >= dom_lo)
                        and (dom_hi is None or v <= dom_hi))
        return [sp.Integer(v) for v in values]
    for a, b in intervals(bps, dom_lo, dom_hi):
        if a is None and b is None:
            continue
        if a is None:
            b = float(b)
            picks = [b - width * rng.uniform(0.1, 0.9), b - 3 * width * rng.uniform(0.9, 1.1)]
        elif b is None:
            a = float(a)
            picks = [a + width * rng.uniform(0.1, 0.9), a + 3 * width * rng.uniform(0.9, 1.1)]
        else:
            a, b = float(a), float(b)
            if b - a < 1e-6:
                continue
            picks = [a + (b - a) * rng.uniform(0.15, 0.45), a + (b - a) * rng.uniform(0.55, 0.85)]
        values.extend(sp.Float(v, 30) for v in picks)
    return values


def _show(v):
    if v.is_Rational if isinstance(v, sp.Basic) else float(v).is_integer():
        return sp.sstr(v) if isinstance(v, sp.Basic) else f"{int(v)}"
    return f"{float(v):.6g}"


def describe_region(pieces, name, is_integer):
    """Words for where an answer is wrong, from ``[(a, b, differs), ...]`` (the
    intervals between breakpoints in order, ``None`` for an unbounded end; for an
    integer variable the pieces are single values ``(v, v, differs)``).

    >>> describe_region([(None, 0, False), (0, 1, True), (1, None, True)], "t", False)
    't > 0'
    >>> describe_region([(None, 0, True), (0, None, False)], "t", False)
    't < 0'
    >>> describe_region([(None, -1, False), (-1, 1, True), (1, None, False)], "t", False)
    '-1 < t < 1'
    >>> describe_region([(3, 3, False), (4, 4, True), (5, 5, True), (6, 6, False)], "n", True)
    '4 <= n <= 5'
    """
    merged = []
    for a, b, bad in pieces:
        if merged and merged[-1][2] == bad:
            merged[-1] = (merged[-1][0], b, bad)
        else:
            merged.append((a, b, bad))
    parts = []
    for a, b, bad in merged:
        if not bad:
            continue
        if is_integer:
            if a is not None and b is not None and a == b:
                parts.append(f"{name} = {_show(a)}")
            elif a is None and b is None:
                parts.append(f"every {name}")
            elif a is None:
                parts.append(f"{name} <= {_show(b)}")
            elif b is None:
                parts.append(f"{name} >= {_show(a)}")
            else:
                parts.append(f"{_show(a)} <= {name} <= {_show(b)}")
        else:
            if a is None and b is None:
                parts.append(f"every {name}")
            elif a is None:
                parts.append(f"{name} < {_show(b)}")
            elif b is None:
                parts.append(f"{name} > {_show(a)}")
            else:
                parts.append(f"{_show(a)} < {name} < {_show(b)}")
    if not parts:
        return ""
    if len(parts) > 3:
        parts = parts[:3] + ["elsewhere"]
    return " and for ".join(parts) if len(parts) <= 2 else ", ".join(parts[:-1]) + " and " + parts[-1]
