"""Deciding whether two answers are the same mathematical object.

The verdict is one of 'equivalent', 'not equivalent' (with a counterexample) or
'undecided', and it carries the *trail*: every strategy that ran, what it found and
how long it took. Strategies, in the order they run:

1. **structural** -- the two SymPy objects are identical once both are in SymPy's
   canonical form (symbols are matched by name first). A proof.
2. **expand** -- ``expand(a - b) == 0`` for differences small enough to expand
   safely (no integer power above 12, at most 400 operations). A proof.
3. **sampling** -- both sides are evaluated at seeded sample points of the declared
   domains: integers in their ranges for sizes (so ``floor``/``ceil`` formulas are
   checked where they are meant to hold; constraints such as ``n + 2p >= k`` filter
   the points), random reals elsewhere. Points where the reference is undefined are
   skipped; where only the answer is undefined, that is a counterexample. Exact
   values are compared exactly; others with ``|a - b| <= 1e-12 + tol*max(|a|, |b|)``.
   A differing point refutes (the verdict names it); agreement at every point
   *confirms* the equivalence numerically (``proven`` stays False). Integer domains of
   at most 64 points are checked at every point. When either side has a step, delta,
   piecewise condition, min/max or absolute value, the sides are also compared around
   the breakpoints of both, inside every interval between them and beyond the sampling
   window on each side the domain leaves open (with several such variables, also with
   all of them beyond their windows at once): a signal lives on the whole line
   (``window_only`` restricts the comparison to the window, and the verdict says so).
4. **simplify** -- ``simplify(a - b) == 0`` under a wall-time limit. It runs when
   ``prove=True`` (to upgrade a numeric confirmation to a proof) or when sampling
   could not decide (too few points where the reference is defined). Sampling runs
   before simplify because a counterexample is a cheap and certain refutation, while
   ``simplify`` of a floor formula takes a tenth of a second or more and often
   cannot finish the job.

Containers are compared by type first: sequences by length, then entry by entry;
matrices by shape, then entry by entry; finite sets by size, then by matching
elements; equations as ``lhs - rhs`` up to sign (and up to a nonzero constant factor
when ``scale=True``); inequalities after turning ``>`` into ``<``.

>>> import sympy as sp
>>> n, s = sp.symbols("n s", integer=True, positive=True)
>>> v = equivalent(sp.floor((n - 1)/s) + 1, sp.ceiling(n/s), variables={"n": (1, 40), "s": (1, 6)})
>>> v.status, v.strategy, v.proven
('equivalent', 'sampling', False)
>>> v = equivalent(sp.floor(n/s) + 1, sp.ceiling(n/s), variables={"n": (1, 40), "s": (1, 6)})
>>> v.status, v.counterexample["point"]
('not equivalent', {'n': '1', 's': '1'})

Why one module of this size: the sampler, the comparer and its strategies share the
domains, the point lists and the time budget; breakpoints and beyond-the-window probes
are in regions, operators in operators.
"""

import functools
import html
import itertools
import math
import random
import time
import zlib
from dataclasses import dataclass, field
from fractions import Fraction

import sympy as sp

from symconv._util.sympy_safety import no_numeric_summation
from symconv._util.sympy_safety import sstr_safe  # noqa: F401 - re-exported (callers import it from here)
from symconv.verdict import Status
from symconv.errors import GradingError
from symconv.grading.keys import Variable
from symconv._util.deadline import TIMED_OUT, bounded_call, enforceable
from symconv._util.explaining import wrap as _wrap

__all__ = ["equivalent", "Verdict", "TrailEntry", "Sampler", "DEFAULT_TOLERANCE"]

DEFAULT_TOLERANCE = 1e-9
_ATOL = 1e-12


@dataclass
class TrailEntry:
    """One strategy's contribution to a verdict."""

    strategy: str
    outcome: str          # 'equivalent' | 'not equivalent' | 'inconclusive' | 'skipped' | 'timeout'
    detail: str = ""
    seconds: float = 0.0

    def to_dict(self):
        return {"strategy": self.strategy, "outcome": self.outcome, "detail": self.detail,
                "seconds": round(self.seconds, 6)}

    def __str__(self):
        extra = f": {self.detail}" if self.detail else ""
        return f"{self.strategy} -> {self.outcome}{extra} ({self.seconds * 1000:.1f} ms)"


@dataclass
class Verdict:
    """The outcome of :func:`equivalent`.

    ``status`` is 'equivalent', 'not equivalent' or 'undecided'; ``strategy`` the
    strategy that decided; ``proven`` whether the decision is a proof (structural,
    expand, simplify, or a counterexample at an exact point) rather than numeric
    agreement; ``counterexample`` (when not equivalent) holds the ``point`` (names to
    printed values), the printed ``answer`` and ``expected`` values there, or a
    ``reason`` for a type or shape mismatch.
    """

    status: str
    strategy: object = None
    proven: bool = False
    trail: list = field(default_factory=list)
    counterexample: object = None
    tolerance: object = None
    points: int = 0
    detail: str = ""

    @property
    def equivalent(self):
        """True, False, or None (undecided)."""
        return {"equivalent": True, "not equivalent": False}.get(self.status)

    @property
    def verdict(self):
        """The :class:`symconv.verdict.Status` of this decision: equivalent by a proof is
        ``proven``, by sampling ``confirmed``; not equivalent is ``refuted`` (a concrete
        point, or a proof); undecided is ``unverified``."""
        if self.status == "equivalent":
            return Status.PROVEN if self.proven else Status.CONFIRMED
        return Status.REFUTED if self.status == "not equivalent" else Status.UNVERIFIED

    def to_dict(self):
        return {"status": self.status, "strategy": self.strategy, "proven": self.proven,
                "counterexample": self.counterexample, "tolerance": self.tolerance,
                "points": self.points, "detail": self.detail,
                "trail": [t.to_dict() for t in self.trail]}

    def _head(self):
        return (f"{self.status} (by {self.strategy or 'no strategy'}"
                f"{', proven' if self.proven else ''})")

    def __str__(self):
        lines = [self._head()]
        if self.detail:
            lines.append(f"  {self.detail}")
        lines += [f"  {t}" for t in self.trail]
        return "\n".join(lines)

    def __repr__(self):
        detail = f": {self.detail}" if self.detail else ""
        if len(detail) > 100:
            detail = detail[:97] + "..."
        return f"<Verdict {self._head()}{detail}>"

    def _repr_html_(self):
        # for Jupyter: the verdict, the detail, and the strategies that ran
        esc = html.escape
        detail = f"<p>{esc(self.detail)}</p>" if self.detail else ""
        trail = "".join(f"<li>{esc(str(t))}</li>" for t in self.trail)
        return (f"<div><strong>{esc(self._head())}</strong>{detail}"
                f"{'<ul>' + trail + '</ul>' if trail else ''}</div>")

    def __explain__(self, check=True):
        """The lines :func:`symconv.explain` prints for this object."""
        return _verdict(self, check)


# --------------------------------------------------------------------------- values


_MAX_DIGITS = 20_000       # exact values larger than this are not computed


def _log10_bound(expr, point):
    """Upper bound on log10|value| of ``expr`` at an integer ``point``, computed in
    floating point without building the value (``inf`` when it is astronomically
    large); 0.0 for parts it does not understand (bounded functions)."""
    if isinstance(expr, sp.Symbol):
        v = point.get(expr)
        return math.log10(abs(int(v))) if isinstance(v, sp.Integer) and v != 0 else 0.0
    if isinstance(expr, sp.Integer):
        return math.log10(abs(int(expr))) if expr != 0 else 0.0
    if isinstance(expr, sp.Rational):
        return max(math.log10(abs(expr.p)) if expr.p else 0.0, math.log10(expr.q))
    if not expr.args:
        return 0.0
    if isinstance(expr, sp.Pow):
        base = _log10_bound(expr.base, point)
        exp = _log10_bound(expr.exp, point)
        if exp > 15:
            return math.inf if base > 0 else 0.0
        return max(base, 1.0) * 10.0 ** exp
    if isinstance(expr, (sp.factorial, sp.binomial, sp.gamma)):
        arg = max(_log10_bound(a, point) for a in expr.args)
        if arg > 15:
            return math.inf
        v = 10.0 ** arg
        return v * math.log10(v + 1) + 1
    bounds = [_log10_bound(a, point) for a in expr.args]
    if isinstance(expr, sp.Mul):
        return sum(bounds)
    return max(bounds) + math.log10(len(bounds))


@functools.lru_cache(maxsize=4096)
def _explosive(expr):
    """Whether evaluating ``expr`` exactly at integers could build a huge number: a
    power with a variable exponent or of a variable base with a large exponent, or a
    factorial of a variable."""
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Pow) and (node.exp.free_symbols or (
                node.base.free_symbols and not (node.exp.is_Number and abs(node.exp) <= 64))):
            return True
        if isinstance(node, (sp.factorial, sp.binomial, sp.gamma)) and node.free_symbols:
            return True
    return False


def _value(expr, point):
    """Evaluate ``expr`` at ``point``: an exact Rational, a complex number, +-oo, or
    ``None`` where the expression is undefined (or too large to compute exactly, or
    holds an infinite sum or product: :meth:`Sampler._prepared` has already looked for
    its closed form, and SymPy's numerical summation is switched off while grading,
    see :mod:`symconv._util.sympy_safety`)."""
    try:
        if point and any(isinstance(v, sp.Integer) for v in point.values()) and _explosive(expr) \
                and _log10_bound(expr, point) > _MAX_DIGITS:
            return None
        v = expr.xreplace(point) if point else expr
        if any(bound.has(sp.oo, -sp.oo) for op in v.atoms(sp.Sum, sp.Product)
               for bound in op.limits):
            return None
        if v.has(sp.Derivative):
            return None     # a derivative left after _prepared: at a point it means nothing
        if v.has(sp.Sum, sp.Integral, sp.Product):
            v = v.doit()
        if isinstance(v, sp.Rational):
            return v
        if v in (sp.oo, -sp.oo):
            return v
        if v.has(sp.nan, sp.zoo) or v.free_symbols:
            return None
        if v.is_Piecewise or v.has(sp.Piecewise):
            v = sp.piecewise_fold(v)
        if not isinstance(v, sp.Rational):
            w = v.evalf(30)
            if w.has(sp.nan, sp.zoo) or not w.is_number:
                return None
            if w in (sp.oo, -sp.oo):
                return w
            if w.is_Rational:
                return w
            c = complex(w)
            if math.isnan(c.real) or math.isnan(c.imag) or math.isinf(abs(c)):
                return None
            return c
        return v
    except (ArithmeticError, TypeError, ValueError, AttributeError, RecursionError,
            NotImplementedError):
        return None


def _same(a, b, tol, exact=True):
    """Whether two sampled values agree: exact Rationals exactly (when ``exact``),
    anything else within ``|a - b| <= 1e-12 + tol*max(|a|, |b|)``.

    A value too large for a float is never rounded to ``inf`` (``inf <= inf`` would
    make any two astronomically large values, or one of them and a finite value, look
    equal): such comparisons are done in exact rational arithmetic, and a non-finite
    float never equals anything.

    >>> _same(sp.Integer(10)**400, complex(2.0), 1e-9)
    False
    >>> _same(sp.Integer(10)**400, sp.Integer(10)**400 + sp.Rational(1, 2), 1e-9, exact=False)
    True
    """
    if a is None or b is None:
        return a is b
    if isinstance(a, sp.Rational) and isinstance(b, sp.Rational) and (tol == 0 or exact):
        return a == b
    if a in (sp.oo, -sp.oo) or b in (sp.oo, -sp.oo):
        return a == b
    if isinstance(a, sp.Rational) and isinstance(b, sp.Rational) and a == b:
        return True
    try:
        ca, cb = complex(a), complex(b)
    except (OverflowError, TypeError, ValueError):
        ca = cb = None
    if ca is not None and all(math.isfinite(v) for v in (ca.real, ca.imag, cb.real, cb.imag)):
        return abs(ca - cb) <= _ATOL + tol * max(abs(ca), abs(cb))
    # some magnitude overflows a float: compare exactly (a stricter bound than the
    # float test: squares, without the cross term 2*atol*tol*max)
    pa, pb = _exact_parts(a), _exact_parts(b)
    if pa is None or pb is None:
        return False
    d2 = (pa[0] - pb[0]) ** 2 + (pa[1] - pb[1]) ** 2
    m2 = max(pa[0] ** 2 + pa[1] ** 2, pb[0] ** 2 + pb[1] ** 2)
    t = Fraction(tol)
    return d2 <= Fraction(_ATOL) ** 2 + t * t * m2


def _exact_parts(v):
    """(real, imaginary) as Fractions, or None for a non-finite or unknown value."""
    if isinstance(v, sp.Rational):
        return Fraction(int(v.p), int(v.q)), Fraction(0)
    if isinstance(v, sp.Float):
        if not v.is_finite:
            return None
        return Fraction(int(sp.Rational(v).p), int(sp.Rational(v).q)), Fraction(0)
    if isinstance(v, (complex, float, int)):
        c = complex(v)
        if not (math.isfinite(c.real) and math.isfinite(c.imag)):
            return None
        return Fraction(c.real), Fraction(c.imag)
    return None




def brief(v, digits=30):
    """A number for feedback: exact, or, past ``digits`` digits, its size and first
    digits (a 999-digit integer helps nobody).

    >>> brief(sp.Integer(10)**40 // 7)
    'a number with 40 digits (142857142857...)'
    >>> brief(sp.Rational(-3, 4))
    '-3/4'
    """
    if isinstance(v, sp.Rational):
        size = max(abs(v.p), v.q).bit_length() * 0.30103
        if size > digits:
            head = str(abs(v.p))[:12] if abs(v.p).bit_length() < 12_000 else ""
            count = len(str(abs(v.p))) if abs(v.p).bit_length() < 12_000 else int(size) + 1
            what = "number" if v.q == 1 else "fraction"
            sign = "-" if v.p < 0 else ""
            return f"a {what} with {count} digits ({sign}{head}...)" if head else \
                f"a {what} with about {count} digits"
    return sstr_safe(v)


def _show(v):
    if v is None:
        return "undefined"
    if isinstance(v, sp.Rational):
        return brief(v)
    if isinstance(v, complex):
        if abs(v.imag) <= 1e-12 * max(1.0, abs(v.real)):
            return f"{v.real:.10g}"
        return f"{v.real:.10g}{v.imag:+.10g}j"
    return sstr_safe(v)


def _show_point(point):
    return {s.name: (sstr_safe(v) if not isinstance(v, sp.Float) else f"{float(v):.6g}")
            for s, v in sorted(point.items(), key=lambda kv: kv[0].name)}


# --------------------------------------------------------------------------- sampler

class Sampler:
    """Seeded sample points over variable domains, with cached values.

    Parameters
    ----------
    domains : dict
        ``{Symbol: Variable}`` for every variable that may occur.
    constraints : sequence of SymPy relations
        Points where a constraint is not ``True`` are dropped.
    samples : int
        Number of points (where the reference is defined) to compare at.
    seed : int
        Seed of the random points; the same seed gives the same points.
    tolerance : float
        Relative tolerance of inexact comparisons.
    exact : bool
        Compare exact (Rational) values exactly; False applies the tolerance to them
        too (a key with an explicit tolerance: 0.3333 for 1/3).
    window_only : bool
        Compare only inside the variables' sampling ranges. By default, once the base
        points agree, both sides are also compared around the breakpoints of their
        steps, deltas, piecewise conditions, min/max and absolute values, inside and
        beyond the ranges (see :mod:`symconv.grading.regions`): a signal is defined on
        the whole line, and ``min(t, 5) u(t)`` differs from ``t u(t)`` only for t > 5.
    """

    def __init__(self, domains, constraints=(), samples=20, seed=0, tolerance=DEFAULT_TOLERANCE,
                 exact=True, window_only=False):
        self.domains = dict(domains)
        self.window_only = bool(window_only)
        self._extra = []          # points beyond the base list (breakpoints, far points)
        self._signatures = {}     # point signature -> index, for every point made so far
        self.last_extra = 0       # extra points compared by the last compare()
        self.exact = exact
        self.symbols = sorted(self.domains, key=lambda s: s.name)
        self.constraints = list(constraints)
        self.samples = int(samples)
        self.seed = int(seed)
        self.tolerance = float(tolerance)
        self._points = None
        self._cache = {}      # values of reference-side expressions (kept)
        self._scratch = {}    # values of the answer being graded (cleared per answer)
        self._pinned = set()
        self._exhaustive = False

    EXHAUSTIVE = 64   # integer domains with at most this many points are checked everywhere

    @property
    def points(self):
        if self._points is None:
            self._points = self._make_points()
        return self._points

    @property
    def exhaustive(self):
        """Whether the domain is small enough to be checked at every point (at most
        ``EXHAUSTIVE`` integer points). Reading it builds the points first: it used to
        be a plain attribute set while building them, so a caller that read it before
        the first point was made saw False and compared only ``samples`` points of a
        small domain (36 points cut to 20).

        >>> import sympy as sp
        >>> from symconv.grading.keys import Variable
        >>> Sampler({sp.Symbol("n", integer=True): Variable("integer", -10, 25)}).exhaustive
        True
        """
        self.points  # noqa: B018 - builds the lazy point list, which sets self.exhaustive
        return self._exhaustive

    def _make_points(self):
        """Candidate points, in this order: every point of a small integer domain
        (at most ``EXHAUSTIVE`` of them); otherwise all-low and all-high corners, then
        each variable at its special values (0, 1, -1, 2 and its bounds, when in
        range) with the others random, then random points. Points violating a
        constraint are dropped; the order is fixed by the seed."""
        rng = random.Random(self.seed)
        ranges = [(s, self.domains[s].bounds(), self.domains[s].is_integer) for s in self.symbols]
        if self._space_size() <= self.EXHAUSTIVE:
            grids = [range(int(math.ceil(lo)), int(math.floor(hi)) + 1) for _, (lo, hi), _ in ranges]
            points = [dict(zip(self.symbols, map(sp.Integer, combo)))
                      for combo in itertools.product(*grids)]
            self._exhaustive = True
            return [pt for pt in points if self._satisfies(pt)]
        want = 3 * self.samples + 10
        points, seen = [], set()

        def value(is_int, lo, hi, fixed=None):
            if fixed is not None:
                v = fixed
            elif is_int:
                v = rng.randint(int(math.ceil(lo)), int(math.floor(hi)))
            else:
                v = round(rng.uniform(lo, hi), 6)
            return sp.Integer(int(v)) if is_int else sp.Float(v, 30)

        def special(is_int, lo, hi):
            values = [lo, hi] + ([0, 1, -1, 2] if is_int else [])
            out = []
            for v in values:
                if lo <= v <= hi and v not in out:
                    out.append(v)
            return out

        plans = [{s: lo for s, (lo, hi), _ in ranges}, {s: hi for s, (lo, hi), _ in ranges}]
        for s, (lo, hi), is_int in ranges:
            plans.extend({s: v} for v in special(is_int, lo, hi))
        attempts = 0
        while len(points) < want and attempts < 40 * want:
            plan = plans[attempts] if attempts < len(plans) else {}
            attempts += 1
            pt = {s: value(is_int, lo, hi, plan.get(s)) for s, (lo, hi), is_int in ranges}
            signature = tuple(pt.values())
            if signature in seen:
                continue
            seen.add(signature)
            if self._satisfies(pt):
                points.append(pt)
        return points

    def _space_size(self):
        size = 1
        for s in self.symbols:
            var = self.domains[s]
            if not var.is_integer:
                return math.inf
            lo, hi = var.bounds()
            size *= int(math.floor(hi)) - int(math.ceil(lo)) + 1
        return size

    def _satisfies(self, pt):
        for c in self.constraints:
            try:
                if c.xreplace(pt) is not sp.true:
                    return False
            except (TypeError, ValueError, ArithmeticError):
                return False
        return True

    def point(self, index):
        """The point of an index: a base point, or an extra one (:meth:`extra_points`)."""
        base = self.points
        return base[index] if index < len(base) else self._extra[index - len(base)]

    def value(self, expr, index):
        cache = self._cache if expr in self._pinned else self._scratch
        key = (expr, index)
        if key not in cache:
            cache[key] = _value(self._prepared(expr, cache), self.point(index))
        return cache[key]

    _MAX_EXTRA = 20_000     # extra points kept across answers before they are forgotten
    _BASES = 3              # base points whose other coordinates the probes reuse

    def _signature(self, pt):
        return tuple(pt[s] for s in self.symbols)

    def _add_extra(self, pt):
        if not self._signatures:
            self._signatures = {self._signature(p): i for i, p in enumerate(self.points)}
        sig = self._signature(pt)
        if sig not in self._signatures:
            self._signatures[sig] = len(self.points) + len(self._extra)
            self._extra.append(pt)
        return self._signatures[sig]

    def _forget_extra(self):
        base = len(self.points)
        self._extra = []
        self._signatures = {}
        self._cache = {k: v for k, v in self._cache.items()
                       if not (isinstance(k[1], int) and k[1] >= base)}

    def extra_points(self, answer, reference):
        """Indices of the points that probe both sides beyond the base points: for each
        variable in an argument of a step, delta, piecewise condition, min/max or
        absolute value of either side, the breakpoints in that variable (the other
        variables as at the first base points) give values inside every interval
        between breakpoints and beyond the last one on each side the variable's domain
        leaves open (only inside the sampling range with ``window_only``). Empty when
        neither side has such a function. Deterministic: the values depend only on
        the breakpoints and the seed, not on the answers graded before."""
        key = ("__extra__", answer, reference)
        cache = self._cache if answer in self._pinned else self._scratch
        if key not in cache:
            cache[key] = self._extra_points(answer, reference)
        return cache[key]

    def _extra_points(self, answer, reference):
        from symconv.grading import regions

        arguments = tuple(dict.fromkeys(regions.switch_arguments(answer)
                                        + regions.switch_arguments(reference)))
        if not arguments:
            return []
        names = {x for g in arguments for x in g.free_symbols}
        variables = [x for x in self.symbols if x in names]
        if not variables:
            return []
        if len(self._extra) > self._MAX_EXTRA:
            self._forget_extra()
        indices = []
        for x in variables:
            bases, seen = [], set()
            for i in self.reference_points(reference):
                others = tuple(v for s, v in self.points[i].items() if s != x)
                if others not in seen:
                    seen.add(others)
                    bases.append(i)
                if len(bases) >= self._BASES:
                    break
            var = self.domains[x]
            window = var.bounds()
            lo = 0 if var.domain.startswith(("positive", "nonnegative")) else None
            if var.domain.startswith("positive") and var.is_integer:
                lo = 1
            domain = window if self.window_only else (lo, None)
            for b in bases:
                base = self.points[b]
                bps = regions.breakpoints(arguments, x, base)
                tag = zlib.crc32(f"{self.seed}|{x.name}|{sorted(map(str, bps))}".encode())
                values = regions.probe_values(bps, var.is_integer, window, domain,
                                              random.Random(tag))
                for v in values:
                    if not var.is_integer and var.domain.startswith("positive") and v <= 0:
                        continue
                    pt = dict(base)
                    pt[x] = v
                    if self._satisfies(pt):
                        indices.append(self._add_extra(pt))
        if len(variables) >= 2 and not self.window_only:
            indices += self._joint_far_points(variables[:3], reference)
        return list(dict.fromkeys(indices))

    def _joint_far_points(self, variables, reference):
        """Points with *every* signal variable beyond its window at once (each side its
        domain leaves open): ``min(a, b)`` and ``-max(-b, -min(7, a))`` differ only where
        a and b both exceed 7, which probing one variable at a time never reaches."""
        base = self.points[self.reference_points(reference)[0]] \
            if self.reference_points(reference) else None
        if base is None:
            return []
        rng = random.Random(zlib.crc32(f"{self.seed}|joint|{[x.name for x in variables]}".encode()))
        sides = []
        for x in variables:
            var = self.domains[x]
            lo, hi = var.bounds()
            width = max(float(hi - lo), 1.0)
            options = [("high", hi)]
            if not var.domain.startswith(("positive", "nonnegative")):
                options.append(("low", lo))
            sides.append((x, var, width, options))
        out = []
        for combo in itertools.product(*[opts for _, _, _, opts in sides]):
            for scale in (rng.uniform(0.3, 0.9), rng.uniform(2.5, 3.5)):
                pt = dict(base)
                for (x, var, width, _), (side, edge) in zip(sides, combo):
                    v = float(edge) + (width * scale if side == "high" else -width * scale)
                    pt[x] = sp.Integer(round(v)) if var.is_integer else sp.Float(round(v, 6), 30)
                if self._satisfies(pt):
                    out.append(self._add_extra(pt))
        return out

    DOIT_LIMIT = 2.0   # seconds for evaluating the sums, integrals and derivatives of one side

    def _prepared(self, expr, cache):
        """Sums, integrals and derivatives are evaluated symbolically once, before any
        point is substituted (a derivative of a value at a point is meaningless), under
        ``DOIT_LIMIT`` seconds (the grader has already evaluated an answer's operations
        with :mod:`symconv.grading.operators`)."""
        if not isinstance(expr, sp.Basic) or not expr.has(sp.Sum, sp.Integral, sp.Derivative):
            return expr
        key = ("__doit__", expr)
        if key not in cache:
            try:
                done = bounded_call(expr.doit, self.DOIT_LIMIT, default=expr)
            except (ArithmeticError, TypeError, ValueError, NotImplementedError, RecursionError):
                done = expr
            cache[key] = done
        return cache[key]

    def begin_answer(self):
        """Forget the values of the previous answer (reference values are kept)."""
        self._scratch.clear()

    def reference_points(self, reference):
        """Indices of up to ``samples`` points where ``reference`` is defined."""
        key = ("__points__", reference)
        self._pinned.add(reference)
        if key not in self._cache:
            chosen = []
            limit = len(self.points) if self.exhaustive else self.samples
            for i in range(len(self.points)):
                if self.value(reference, i) is not None:
                    chosen.append(i)
                    if len(chosen) >= limit:
                        break
            self._cache[key] = chosen
        return self._cache[key]

    def compare(self, answer, reference, tolerance=None):
        """Compare two scalar expressions at the points where ``reference`` is defined.

        Returns ``(status, index, compared)``: status 'equivalent' (agreement at all
        points), 'not equivalent' (``index`` is the first differing point) or
        'undecided' (too few usable points).
        """
        tol = self.tolerance if tolerance is None else tolerance
        indices = self.reference_points(reference)
        self.last_extra = 0
        needed = min(self.samples, max(1, len(self.points)))
        if self.exhaustive:
            needed = min(needed, len(indices)) or 1
        if len(indices) < max(1, min(needed, 3)) or (len(indices) < needed // 4):
            return "undecided", None, len(indices)
        for count, i in enumerate(indices, 1):
            if not _same(self.value(answer, i), self.value(reference, i), tol, self.exact):
                return "not equivalent", i, count
        count = len(indices)
        for i in self.extra_points(answer, reference):
            want = self.value(reference, i)
            if want is None:
                continue
            count += 1
            self.last_extra += 1
            if not _same(self.value(answer, i), want, tol, self.exact):
                return "not equivalent", i, count
        return "equivalent", None, count

    def window_text(self):
        """The sampling ranges, e.g. 't in [-4, 4]' (for a verdict restricted to them)."""
        return ", ".join(f"{s.name} in [{_num(self.domains[s].bounds()[0])}, "
                         f"{_num(self.domains[s].bounds()[1])}]"
                         for s in self.symbols if not s.name.startswith("delta")
                         and not isinstance(s, sp.Dummy))

    def exact_points(self):
        return all(self.domains[s].is_integer for s in self.symbols)


def _domains_for(symbols, variables):
    """Map each free symbol to a Variable: declared by name, else from its assumptions."""
    domains = {}
    for s in symbols:
        spec = variables.get(s.name)
        if spec is None:
            if s.is_integer:
                spec = Variable("positive integer" if s.is_positive else
                                "nonnegative integer" if s.is_nonnegative else "integer")
            elif s.is_positive:
                spec = Variable("positive")
            elif s.is_nonnegative:
                spec = Variable("nonnegative")
            else:
                spec = Variable("real")
        domains[s] = spec
    return domains


# --------------------------------------------------------------------------- comparison engine

def _free_symbols(obj):
    if isinstance(obj, (list, tuple)):
        out = set()
        for x in obj:
            out |= _free_symbols(x)
        return out
    if isinstance(obj, sp.Basic):
        return set(obj.free_symbols)
    return set()


def _unify(obj, by_name):
    """Replace symbols by the canonical symbol of the same name."""
    if isinstance(obj, list):
        return [_unify(x, by_name) for x in obj]
    if isinstance(obj, tuple):
        return tuple(_unify(x, by_name) for x in obj)
    if isinstance(obj, sp.MatrixBase):
        return obj.applyfunc(lambda e: _unify(e, by_name))
    if isinstance(obj, sp.Basic):
        mapping = {s: by_name[s.name] for s in obj.free_symbols
                   if s.name in by_name and by_name[s.name] != s}
        return obj.xreplace(mapping) if mapping else obj
    return obj


def _replace_deltas(a, b):
    """Dirac deltas vanish at almost every sample point: replace each distinct one by
    a fresh real variable so that their coefficients are compared as functions."""
    atoms = sorted(_atoms(a, sp.DiracDelta) | _atoms(b, sp.DiracDelta), key=sp.default_sort_key)
    if not atoms:
        return a, b, {}
    mapping, domains = {}, {}
    for i, atom in enumerate(atoms):
        d = sp.Dummy(f"delta{i}", real=True)
        mapping[atom] = d
        domains[d] = Variable("real", -3, 3)
    return _subs_atoms(a, mapping), _subs_atoms(b, mapping), domains


def _atoms(obj, kind):
    if isinstance(obj, (list, tuple)):
        out = set()
        for x in obj:
            out |= _atoms(x, kind)
        return out
    if isinstance(obj, sp.Basic):
        return set(obj.atoms(kind))
    return set()


def _subs_atoms(obj, mapping):
    if isinstance(obj, list):
        return [_subs_atoms(x, mapping) for x in obj]
    if isinstance(obj, tuple):
        return tuple(_subs_atoms(x, mapping) for x in obj)
    if isinstance(obj, sp.MatrixBase):
        return obj.applyfunc(lambda e: e.xreplace(mapping))
    return obj.xreplace(mapping)


def _expandable(d):
    if sp.count_ops(d, visual=False) > 400:
        return False
    for p in d.atoms(sp.Pow):
        if p.exp.is_Integer and abs(p.exp) > 12:
            return False
    return True


class Comparer:
    """Compares an answer with a reference, recording the trail (used by
    :func:`equivalent` and by the grader, which keeps one per answer key so that the
    reference is evaluated once for all answers)."""

    def __init__(self, sampler, *, prove=False, time_limit_s=2.0, scale=False, tolerance=None):
        self.sampler = sampler
        self.prove = prove
        self.time_limit = time_limit_s
        self.scale = scale
        self.tolerance = sampler.tolerance if tolerance is None else tolerance
        self.last_point = None     # the point of the last counterexample found by sampling
        self.quiet = False         # True: no printed counterexample (the status is enough)

    # ---- scalars
    def scalar(self, answer, reference, trail):
        """Verdict status for two scalar SymPy expressions, with a counterexample."""
        t0 = time.perf_counter()
        if answer == reference:
            trail.append(TrailEntry("structural", "equivalent", "identical canonical forms",
                                    time.perf_counter() - t0))
            return "equivalent", "structural", True, None
        diff = None
        try:
            diff = answer - reference
        except (TypeError, ValueError):
            diff = None
        if diff is not None and diff == 0:
            trail.append(TrailEntry("structural", "equivalent", "the difference is 0",
                                    time.perf_counter() - t0))
            return "equivalent", "structural", True, None
        trail.append(TrailEntry("structural", "inconclusive", "", time.perf_counter() - t0))
        if diff is not None and isinstance(diff, sp.Expr):
            t0 = time.perf_counter()
            if _expandable(diff):
                expanded = bounded_call(lambda: sp.expand(diff), self.time_limit, TIMED_OUT)
                if expanded is TIMED_OUT:
                    trail.append(TrailEntry("expand", "timeout", f"after {self.time_limit:g} s",
                                            time.perf_counter() - t0))
                    expanded = None
                if expanded is not None:
                    if expanded == 0:
                        trail.append(TrailEntry("expand", "equivalent", "expand(a - b) == 0",
                                                time.perf_counter() - t0))
                        return "equivalent", "expand", True, None
                    if expanded.is_Rational and (self.tolerance == 0 or self.sampler.exact):
                        trail.append(TrailEntry("expand", "not equivalent",
                                                f"the difference is the constant {sstr_safe(expanded)}",
                                                time.perf_counter() - t0))
                        return "not equivalent", "expand", True, {
                            "point": {}, "answer": None, "expected": None,
                            "reason": f"the answer differs from the expected one by the constant "
                                      f"{brief(expanded)}"}
                    trail.append(TrailEntry("expand", "inconclusive", "", time.perf_counter() - t0))
            else:
                trail.append(TrailEntry("expand", "skipped", "too large to expand safely", 0.0))
        return self._sample_then_simplify(answer, reference, diff, trail)

    def _sample_then_simplify(self, answer, reference, diff, trail):
        t0 = time.perf_counter()
        status, index, count = self.sampler.compare(answer, reference, self.tolerance)
        exact = self.sampler.exact_points()
        tol_note = "exact arithmetic" if exact and (self.tolerance == 0 or self.sampler.exact) \
            else f"relative tolerance {self.tolerance:g}"
        if status == "not equivalent":
            point = self.sampler.point(index)
            if self.quiet:          # only the status is wanted (anticipated mistakes)
                trail.append(TrailEntry("sampling", "not equivalent", "",
                                        time.perf_counter() - t0))
                return "not equivalent", "sampling", False, None
            self.last_point = point
            got, want = self.sampler.value(answer, index), self.sampler.value(reference, index)
            cex = {"point": _show_point(point), "answer": _show(got), "expected": _show(want)}
            proven = isinstance(want, sp.Rational) and (got is None or isinstance(got, sp.Rational)) \
                and exact
            trail.append(TrailEntry("sampling", "not equivalent",
                                    f"differs at {_fmt_point(cex['point'])} (point {count}, {tol_note})",
                                    time.perf_counter() - t0))
            return "not equivalent", "sampling", proven, cex
        if status == "equivalent":
            extra = self.sampler.last_extra
            if self.sampler.window_only:
                where = f"; on {self.sampler.window_text()} only (the key restricts the " \
                        f"comparison to this window)"
            elif extra:
                where = f"; {extra} of them around the breakpoints and beyond the sampling window"
            else:
                where = ""
            trail.append(TrailEntry("sampling", "equivalent",
                                    f"agrees at {count} points ({tol_note}, seed "
                                    f"{self.sampler.seed}){where}",
                                    time.perf_counter() - t0))
            if not self.prove:
                trail.append(TrailEntry("simplify", "skipped",
                                        "sampling agreed; set prove=true for a symbolic proof", 0.0))
                return "equivalent", "sampling", False, None
        else:
            trail.append(TrailEntry("sampling", "inconclusive",
                                    f"only {count} usable points", time.perf_counter() - t0))
        proved = self._simplify(diff, trail)
        if proved:
            return "equivalent", "simplify", True, None
        if status == "equivalent":
            return "equivalent", "sampling", False, None
        return "undecided", None, False, None

    def _simplify(self, diff, trail):
        if diff is None or not isinstance(diff, sp.Expr):
            trail.append(TrailEntry("simplify", "skipped", "not an expression", 0.0))
            return False
        t0 = time.perf_counter()
        try:
            zero = bounded_call(lambda: sp.simplify(diff) == 0, self.time_limit, TIMED_OUT)
        except (TypeError, ValueError, ArithmeticError, NotImplementedError, RecursionError) as exc:
            trail.append(TrailEntry("simplify", "inconclusive", f"{type(exc).__name__}",
                                    time.perf_counter() - t0))
            return False
        if zero is TIMED_OUT:
            trail.append(TrailEntry("simplify", "timeout", f"after {self.time_limit:g} s",
                                    time.perf_counter() - t0))
            return False
        note = "" if enforceable() else "time limit not enforced off the main thread"
        trail.append(TrailEntry("simplify", "equivalent" if zero else "inconclusive",
                                "simplify(a - b) == 0" if zero else note,
                                time.perf_counter() - t0))
        return zero

    # ---- containers and relations
    def compare(self, answer, reference, kind, trail):
        """Returns a Verdict-like tuple (status, strategy, proven, counterexample, detail)."""
        if kind in ("sequence",):
            return self.sequence(answer, reference, trail)
        if kind == "matrix":
            return self.matrix(answer, reference, trail)
        if kind == "set":
            return self.finite_set(answer, reference, trail)
        if kind == "equation":
            return self.relation(answer, reference, trail)
        status, strategy, proven, cex = self.scalar(answer, reference, trail)
        return status, strategy, proven, cex, ""

    def entries(self, answer, reference, trail, what):
        strategies, proven_all = set(), True
        for idx, (a, r) in enumerate(zip(answer, reference)):
            sub = []
            status, strategy, proven, cex = self.scalar(a, r, sub)
            trail.extend(TrailEntry(f"{what}[{idx}] {t.strategy}", t.outcome, t.detail, t.seconds)
                         for t in sub if t.outcome != "skipped" or status != "equivalent")
            if status != "equivalent":
                label = f"entry {idx + 1}"
                if cex is not None:
                    cex = dict(cex, entry=label)
                return status, strategy, proven, cex, f"{label} differs"
            strategies.add(strategy)
            proven_all = proven_all and proven
        strategy = "sampling" if "sampling" in strategies else (sorted(strategies)[0]
                                                                if strategies else "structural")
        return "equivalent", strategy, proven_all, None, ""

    def sequence(self, answer, reference, trail):
        if len(answer) != len(reference):
            reason = f"expected {len(reference)} entries, but the answer has {len(answer)}"
            trail.append(TrailEntry("type", "not equivalent", reason))
            return "not equivalent", "type", True, {"reason": reason}, reason
        trail.append(TrailEntry("type", "inconclusive", f"both have {len(answer)} entries"))
        return self.entries(list(answer), list(reference), trail, "")

    def matrix(self, answer, reference, trail):
        if answer.shape != reference.shape:
            reason = (f"expected a {reference.shape[0]}x{reference.shape[1]} matrix, but the answer "
                      f"is {answer.shape[0]}x{answer.shape[1]}")
            trail.append(TrailEntry("shape", "not equivalent", reason))
            return "not equivalent", "shape", True, {"reason": reason}, reason
        trail.append(TrailEntry("shape", "inconclusive", f"both {answer.shape[0]}x{answer.shape[1]}"))
        status, strategy, proven, cex, detail = self.entries(list(answer), list(reference), trail, "")
        if cex is not None and "entry" in cex:
            k = int(cex["entry"].split()[1]) - 1
            cex["entry"] = f"entry ({k // answer.shape[1] + 1}, {k % answer.shape[1] + 1})"
            detail = f"{cex['entry']} differs"
        return status, strategy, proven, cex, detail

    def finite_set(self, answer, reference, trail):
        a_items, r_items = list(answer), list(reference)
        if len(a_items) != len(r_items):
            reason = f"expected {len(r_items)} elements, but the answer has {len(a_items)}"
            trail.append(TrailEntry("size", "not equivalent", reason))
            return "not equivalent", "size", True, {"reason": reason}, reason
        unmatched = list(range(len(a_items)))
        proven_all = True
        for r in r_items:
            found = None
            for j in unmatched:
                sub = []
                a = a_items[j]
                if isinstance(a, sp.Tuple) != isinstance(r, sp.Tuple):
                    continue
                if isinstance(r, sp.Tuple):
                    if len(a) != len(r):
                        continue
                    res = self.entries(list(a), list(r), sub, "")
                    status, proven = res[0], res[2]
                else:
                    status, _, proven, _ = self.scalar(a, r, sub)
                if status == "equivalent":
                    found = j
                    proven_all = proven_all and proven
                    break
            if found is None:
                reason = f"the expected element {sstr_safe(r)} is missing"
                trail.append(TrailEntry("elements", "not equivalent", reason))
                return "not equivalent", "elements", False, {"reason": reason}, reason
            unmatched.remove(found)
        trail.append(TrailEntry("elements", "equivalent", f"all {len(r_items)} elements matched"))
        return "equivalent", "elements", proven_all, None, ""

    def relation(self, answer, reference, trail):
        a_op, a_diff = _normal_relation(answer)
        r_op, r_diff = _normal_relation(reference)
        if a_op != r_op:
            reason = f"expected a relation of the kind '{r_op}', but the answer uses '{a_op}'"
            trail.append(TrailEntry("relation", "not equivalent", reason))
            return "not equivalent", "relation", True, {"reason": reason}, reason
        sub = []
        status, strategy, proven, cex = self.scalar(a_diff, r_diff, sub)
        trail.extend(sub)
        if status == "equivalent":
            return status, strategy, proven, None, ""
        if a_op in ("=", "!="):
            sub = []
            status2, strategy2, proven2, _ = self.scalar(-a_diff, r_diff, sub)
            trail.extend(TrailEntry(f"sides swapped: {t.strategy}", t.outcome, t.detail, t.seconds)
                         for t in sub)
            if status2 == "equivalent":
                return status2, strategy2, proven2, None, ""
        if self.scale:
            if self._constant_ratio(a_diff, r_diff, positive=a_op not in ("=", "!="), trail=trail):
                return "equivalent", "scale", False, None, ""
        reason = "the two sides do not describe the same relation"
        return "not equivalent", strategy, proven, cex or {"reason": reason}, reason

    def _constant_ratio(self, a, r, positive, trail):
        t0 = time.perf_counter()
        s = self.sampler
        ratio = None
        for i in s.reference_points(r):
            va, vr = s.value(a, i), s.value(r, i)
            if va is None:
                return False
            if _same(vr, sp.Integer(0), self.tolerance, s.exact):
                if not _same(va, sp.Integer(0), self.tolerance, s.exact):
                    break
                continue
            try:
                q = complex(va) / complex(vr)
            except (OverflowError, ZeroDivisionError, TypeError, ValueError):
                return False
            if not (math.isfinite(q.real) and math.isfinite(q.imag)):
                return False
            if ratio is None:
                ratio = q
            elif abs(q - ratio) > 1e-9 * max(1.0, abs(ratio)):
                ratio = None
                break
        else:
            ok = ratio is not None and abs(ratio) > 1e-12 and (not positive or ratio.real > 0)
            trail.append(TrailEntry("scale", "equivalent" if ok else "not equivalent",
                                    f"constant factor {ratio.real:.6g}" if ok else "",
                                    time.perf_counter() - t0))
            return ok
        trail.append(TrailEntry("scale", "not equivalent", "no constant factor",
                                time.perf_counter() - t0))
        return False


def _normal_relation(rel):
    if isinstance(rel, sp.Eq):
        return "=", rel.lhs - rel.rhs
    if isinstance(rel, sp.Ne):
        return "!=", rel.lhs - rel.rhs
    if isinstance(rel, (sp.StrictLessThan,)):
        return "<", rel.lhs - rel.rhs
    if isinstance(rel, (sp.LessThan,)):
        return "<=", rel.lhs - rel.rhs
    if isinstance(rel, sp.StrictGreaterThan):
        return "<", rel.rhs - rel.lhs
    if isinstance(rel, sp.GreaterThan):
        return "<=", rel.rhs - rel.lhs
    raise GradingError(f"expected an equation or inequality, but got {rel!r}")


def _num(v):
    return f"{v:g}" if isinstance(v, float) else str(v)


def _fmt_point(point):
    return ", ".join(f"{k}={v}" for k, v in point.items()) or "every point"


def kind_of(obj):
    """The answer kind of a parsed object: 'expression', 'sequence', 'matrix', 'set',
    'equation' (relations too), or None."""
    if isinstance(obj, (list, tuple, sp.Tuple)):
        return "sequence"
    if isinstance(obj, sp.MatrixBase):
        return "matrix"
    if isinstance(obj, sp.Set):
        return "set" if isinstance(obj, sp.FiniteSet) or obj is sp.EmptySet else None
    if isinstance(obj, sp.core.relational.Relational):
        return "equation"
    if isinstance(obj, sp.Expr):
        return "expression"
    return None


def _as_object(value, variables):
    if isinstance(value, str):
        from symconv.parsing import parse_math

        return parse_math(value, unknown_functions="multiply")
    if isinstance(value, sp.MatrixBase):
        return sp.Matrix(value)
    if isinstance(value, (list, tuple, sp.Basic)):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return sp.nsimplify(value) if isinstance(value, float) else sp.Integer(value)
    raise GradingError(f"an answer must be text or a SymPy object, but got {value!r}")


def equivalent(answer, expected, *, variables=None, constraints=(), tolerance=None,
               samples=20, seed=0, prove=True, time_limit=2.0, scale=False, window_only=False):
    """Decide whether ``answer`` is mathematically the same as ``expected``.

    Parameters
    ----------
    answer, expected : SymPy object, list, tuple or str
        Expressions, sequences, matrices, finite sets or relations (text is read with
        :func:`symconv.parsing.parse_math`, safely).
    variables : dict, optional
        ``{name: Variable | {"domain", "min", "max"} | (min, max)}``; a ``(min, max)``
        pair of ints means an integer range. Undeclared symbols are sampled from the
        domain their assumptions say (integer, positive, ...), reals otherwise.
    constraints : sequence of relations or str
        Only points satisfying every constraint are sampled.
    tolerance : float, optional
        Relative tolerance. By default exact values (Rationals) are compared exactly
        and inexact ones with 1e-9; a given tolerance applies to both.
    samples, seed : int
        Number of sample points and their seed.
    prove : bool, default True
        Run ``simplify(a - b) == 0`` (under ``time_limit`` seconds) when sampling agrees.
    scale : bool, default False
        Equations: accept a nonzero constant multiple (inequalities: a positive one).
    window_only : bool, default False
        Compare only inside the variables' ranges; by default signals are also
        compared around their breakpoints and beyond the ranges (see :class:`Sampler`).

    Returns
    -------
    Verdict
        ``.status`` in 'equivalent', 'not equivalent', 'undecided'; ``.trail``.

    Examples
    --------
    >>> import sympy as sp
    >>> x = sp.Symbol("x")
    >>> v = equivalent((x + 1)**2, x**2 + 2*x + 1)
    >>> v.status, v.strategy, v.proven
    ('equivalent', 'expand', True)
    >>> equivalent([1, 2, 3], [1, 2]).detail
    'expected 2 entries, but the answer has 3'
    >>> equivalent("y = 2x + 1", "2x - y = -1").status
    'equivalent'

    A signal is compared beyond its sampling window, unless the caller restricts it:

    >>> window = {"t": {"domain": "real", "min": -4, "max": 4}}
    >>> equivalent("min(t, 5) u(t)", "t u(t)", variables=window, prove=False).status
    'not equivalent'
    >>> v = equivalent("min(t, 5) u(t)", "t u(t)", variables=window, prove=False, window_only=True)
    >>> v.status, v.trail[-2].detail.split("; ")[-1]
    ('equivalent', 'on t in [-4, 4] only (the key restricts the comparison to this window)')
    """
    spec = {}
    for name, v in (variables or {}).items():
        if isinstance(v, tuple) and len(v) == 2:
            v = Variable("integer", v[0], v[1]) if all(isinstance(b, int) for b in v) \
                else Variable("real", v[0], v[1])
        elif not isinstance(v, Variable):
            from symconv.grading.keys import _variable

            v = _variable(None, name, v)
        spec[name] = v
    a = _as_object(answer, spec)
    b = _as_object(expected, spec)
    cons = [_as_object(c, spec) for c in constraints]
    by_name = {}
    for s in sorted(_free_symbols(b) | _free_symbols(a), key=lambda s: s.name):
        by_name.setdefault(s.name, spec[s.name].symbol(s.name) if s.name in spec else s)
    a, b = _unify(a, by_name), _unify(b, by_name)
    cons = [_unify(c, by_name) for c in cons]
    a, b, delta_domains = _replace_deltas(a, b)
    domains = _domains_for(_free_symbols(a) | _free_symbols(b) - set(delta_domains), spec)
    domains.update(delta_domains)
    sampler = Sampler(domains, cons, samples=samples, seed=seed,
                      tolerance=DEFAULT_TOLERANCE if tolerance is None else tolerance,
                      exact=tolerance is None, window_only=window_only)
    comparer = Comparer(sampler, prove=prove, time_limit_s=time_limit, scale=scale)
    trail = []
    ka, kb = kind_of(a), kind_of(b)
    if isinstance(a, sp.MatrixBase) and kb == "sequence":
        a, ka = list(a), "sequence"
    if isinstance(b, sp.MatrixBase) and ka == "sequence":
        b, kb = list(b), "sequence"
    if ka != kb or ka is None:
        reason = f"expected {_article(kb)}, but the answer is {_article(ka)}"
        trail.append(TrailEntry("type", "not equivalent", reason))
        return Verdict("not equivalent", "type", True, trail, {"reason": reason}, tolerance, 0, reason)
    with no_numeric_summation():   # answers are untrusted text (see symconv._util.sympy_safety)
        status, strategy, proven, cex, detail = comparer.compare(a, b, ka, trail)
    count = len(sampler._points or [])
    return Verdict(status, strategy, proven, trail, cex, tolerance,
                   min(count, samples) if any(t.strategy.endswith("sampling") for t in trail) else 0,
                   detail)


def _article(kind):
    return {"expression": "an expression", "sequence": "a sequence", "matrix": "a matrix",
            "set": "a set", "equation": "an equation", None: "something else"}.get(kind, kind)


# ---------------------------------------------------------------------------
# explain(): what these results say about how they were obtained and checked
# ---------------------------------------------------------------------------

def _trail_lines(trail):
    out = []
    for entry in trail:
        detail = f": {entry.detail}" if entry.detail else ""
        out += _wrap(f"{entry.strategy} -> {entry.outcome}{detail}", "  ", "      ")
    return out


def _verdict(verdict, check):
    out = [f"equivalence verdict: {verdict.status}"]
    if verdict.detail:
        out += _wrap(verdict.detail, "  ", "    ")
    out += _wrap("obtained: symconv.grading.equivalent tried its strategies in order:")
    out += _trail_lines(verdict.trail)
    if verdict.strategy:
        kind = ("exact: a proof of the verdict (an identity, or a counterexample in exact "
                "arithmetic)" if verdict.proven else "numerically (not a proof)")
        extra = ""
        if not verdict.proven and verdict.points:
            extra = f" at {verdict.points} point(s)"
            if verdict.tolerance is not None:
                extra += f", tolerance {verdict.tolerance:g}"
        out += _wrap(f"decided by: {verdict.strategy}, {kind}{extra}")
    if verdict.counterexample:
        out += _wrap(f"counterexample: {verdict.counterexample}", "", "  ")
    return out
