"""Symbolic decision: bounded SymPy calls and the canonical forms of sums and integrals
(linearity, Fubini, sifting, support restriction), zero tests.
"""

import functools
import time
from itertools import permutations

import numpy as np
import sympy as sp
from sympy import (Abs, Add, Derivative, DiracDelta, Dummy, Heaviside,
                   Integral, KroneckerDelta, Mul, S, Subs,
                   Sum, Symbol, oo)
from sympy.core.function import AppliedUndef

from symconv._util.deadline import bounded_call
from symconv.errors import SymconvError



# ---------------------------------------------------------------------------
# bounded time for SymPy calls
# ---------------------------------------------------------------------------

class _Overdue(BaseException):
    """A cooperative deadline check (``_Canon.check_time``, which works off the main
    thread too) found the deadline passed. Raised only inside a bounded block, whose
    catch treats it as its own time-out (a BaseException, like TimeLimitExceeded)."""


def _bounded(fn, seconds, default=None):
    """``fn()`` or ``default`` if it times out or SymPy raises (an enclosing limit that
    runs out meanwhile is not ours: it propagates)."""
    try:
        return bounded_call(fn, seconds, default)
    except (_Overdue, Exception):  # SymPy failures are "undecided", never fatal
        return default


# ---------------------------------------------------------------------------
# symbolic decision: canonical forms of sums and integrals
# ---------------------------------------------------------------------------

_NESTS = (Sum, Integral)

#: a step's sums with numeric limits are written out when they hold at most this many
#: terms in all (per side); larger ones are left to the other strategies
_FINITE_TERMS = 64


def _numeric_limit(node, lim):
    """``(var, lo, hi)`` when ``lim`` can be written out: integer limits of a Sum (with
    ``hi >= lo - 1``), finite numeric limits of an Integral; else None."""
    if len(lim) != 3:
        return None
    var, lo, hi = lim
    if isinstance(node, Sum):
        if lo.is_Integer and hi.is_Integer and hi >= lo - 1:
            return var, int(lo), int(hi)
        return None
    if lo.is_number and hi.is_number and lo.is_finite and hi.is_finite:
        return var, lo, hi
    return None


def _peel(node):
    """Split a Sum/Integral into one limit with numeric bounds and the rest:
    ``((var, lo, hi), rest)`` where ``node`` is the sum/integral of ``rest`` over that
    limit, or None. The innermost limit is tried first (no other limit depends on its
    variable), then the outermost (inner limits may depend on it; they become numbers
    once it is written out)."""
    limits = node.limits
    if len(limits) == 1:
        lim = _numeric_limit(node, limits[0])
        return None if lim is None else (lim, node.function)
    lim = _numeric_limit(node, limits[0])
    if lim is not None:
        return lim, node.function, limits[1:]
    lim = _numeric_limit(node, limits[-1])
    if lim is not None:
        return lim, node.func(node.function, *limits[:-1])
    return None


def _write_out(expr, deadline, budget=None):
    """``expr`` with every Sum over integer limits written out term by term (at most
    ``_FINITE_TERMS`` terms in all) and every Integral over finite numeric limits
    replaced by SymPy's ``doit`` when that removes it; ``None`` when nothing changed.

    Limits are handled innermost first, and written-out terms are visited again, so an
    inner sum whose limits depend on an outer index is written out once that index is a
    number."""
    budget = [_FINITE_TERMS] if budget is None else budget
    if not isinstance(expr, sp.Basic) or not expr.has(*_NESTS):
        return None
    changed = False
    args = []
    for arg in expr.args:
        new = _write_out(arg, deadline, budget)
        changed |= new is not None
        args.append(arg if new is None else new)
    node = expr.func(*args) if changed else expr
    if not isinstance(node, _NESTS):
        return node if changed else None
    peeled = _peel(node)
    if peeled is None or time.monotonic() > deadline:
        return node if changed else None
    (var, lo, hi), inner, *outer = peeled
    if isinstance(node, Sum):
        count = hi - lo + 1
        if count > budget[0]:
            return node if changed else None
        budget[0] -= count
        rebinds = any(var in n.variables for n in inner.atoms(*_NESTS)) if inner.has(*_NESTS) \
            else False
        put = (lambda v: inner.subs(var, v)) if rebinds else (lambda v: inner.xreplace({var: v}))
        terms = Add(*[put(S(v)) for v in range(lo, hi + 1)])
    else:
        single = Integral(inner, (var, lo, hi))
        terms = _bounded(lambda: single.doit(), max(0.05, min(1.0, deadline - time.monotonic())))
        if terms is None or terms.has(Integral):
            return node if changed else None
    if outer:
        terms = node.func(terms, *outer[0])
    again = _write_out(terms, deadline, budget)
    return terms if again is None else again


def _limit(lim):
    if len(lim) == 3:
        return lim[0], lim[1], lim[2]
    raise SymconvError(f"every Sum/Integral must have explicit limits (x, a, b), but got {tuple(lim)}")


class _Trace:
    """The named rules used while normalising (for the reason of a proven step): their
    keys in :data:`symconv.proofs."rules"`, in the order first used (keys, not the
    rule objects: the rules apply themselves with this module's normal forms)."""

    def __init__(self):
        self.rules = []

    def add(self, key):
        if key not in self.rules:
            self.rules.append(key)


_EXPAND_HINTS = dict(deep=True, mul=True, power_exp=True, power_base=False, multinomial=True,
                     log=False, basic=True)


def _expand(expr):
    try:
        out = sp.expand(expr, **_EXPAND_HINTS)
    except Exception:
        return expr
    if out.has(Heaviside):
        out = out.replace(
            lambda e: e.is_Pow and isinstance(e.base, Heaviside) and e.exp.is_Integer and e.exp > 0
            and len(e.base.args) > 1 and e.base.args[1] in (0, 1), lambda e: e.base)
    if out.has(Subs):
        out = out.replace(lambda e: isinstance(e, Subs) and all(p.is_Symbol for p in e.point),
                          lambda e: e.doit())
    return out


def _canon_symbol(i, cls, lo, hi):
    return Symbol(f"_b{i}", **_assumptions(None, cls, lo, hi))


def _canon_index(sym):
    name = getattr(sym, "name", "")
    if name.startswith("_b") and name[2:].isdigit():
        return int(name[2:])
    return -1


def _build(limits, core):
    """Nest single-limit objects: limits listed outermost first."""
    body = core
    for cls, var, lo, hi in reversed(limits):
        body = cls(body, (var, lo, hi))
    return body


def _is_linear_in(expr, var):
    """(a, b) with expr = a*var + b, a and b free of var, or None."""
    try:
        poly = sp.Poly(expr, var)
    except Exception:
        return None
    if poly.degree() != 1:
        return None
    a, b = poly.all_coeffs()
    if a.has(var) or b.has(var):
        return None
    return a, b


class _Canon:
    """Normal form: sum of terms ``coeff * nest``; a nest is a chain of single-limit
    Sum/Integral objects (independent limits in a canonical order, canonical bound
    names ``_b0, _b1, ...``) around an expanded core; constants pulled out."""

    def __init__(self, trace, deadline):
        self.trace = trace
        self.deadline = deadline

    def check_time(self):
        if time.monotonic() > self.deadline:
            raise _Overdue()

    def __call__(self, expr):
        self.check_time()
        if not isinstance(expr, sp.Basic) or not expr.has(*_NESTS):
            return expr
        if isinstance(expr, _NESTS):
            return self.nest(expr)
        if isinstance(expr, Derivative) and expr.expr.has(*_NESTS):
            bound_vars = {v for v, _ in expr.variable_count}
            if all(v.is_Symbol for v in bound_vars):
                inner = expr.doit(deep=False)
                if inner != expr:
                    self.trace.add("differentiation_under")
                    return self(inner)
        args = [self(a) for a in expr.args]
        rebuilt = expr.func(*args) if args != list(expr.args) else expr
        if isinstance(rebuilt, Mul) and sum(1 for f in rebuilt.args if isinstance(f, _NESTS)) >= 1 \
                and not all(not isinstance(f, _NESTS) for f in rebuilt.args):
            return self.term_to_canon(rebuilt)
        if isinstance(rebuilt, Add):
            return Add(*[self.term_to_canon(t) if isinstance(t, Mul) and any(
                isinstance(f, _NESTS) for f in t.args) else t for t in rebuilt.args])
        return rebuilt

    # -- nests -------------------------------------------------------------
    def nest(self, node):
        limits = []
        body = node
        while isinstance(body, _NESTS):
            lims = list(body.limits)
            for lim in reversed(lims):  # outermost first
                var, lo, hi = _limit(lim)
                limits.append((body.func, var, self(lo), self(hi)))
            body = body.function
        # rename the bound variables apart (fresh dummies) before reshaping
        fresh = {}
        new_limits = []
        for cls, var, lo, hi in limits:
            lo, hi = lo.xreplace(fresh), hi.xreplace(fresh)
            d = Dummy('v', **_assumptions(var, cls, lo, hi))
            fresh[var] = d
            new_limits.append((cls, d, lo, hi))
        core = self(body.xreplace(fresh))
        return self.terms(new_limits, core)

    def term_to_canon(self, product):
        """A product containing nests: merge them into one nest."""
        return self.terms([], product)

    def terms(self, limits, core):
        """Canonical form of ``nest(limits, core)``; core may contain nests (merged)."""
        self.check_time()
        expanded = _expand(core)
        parts = Add.make_args(expanded)
        if len(parts) > 1 and limits:
            self.trace.add("linearity")
        return Add(*[self.term(list(limits), t) for t in parts])

    def term(self, limits, term):
        """One product term under ``limits``: merge nest factors, then normalise."""
        factors = list(Mul.make_args(term))
        idx = next((i for i, f in enumerate(factors) if isinstance(f, _NESTS)), None)
        if idx is not None:
            inner = factors[idx]
            rest = factors[:idx] + factors[idx + 1:]
            inner_limits = []
            while isinstance(inner, _NESTS):
                for lim in reversed(inner.limits):
                    var, lo, hi = _limit(lim)
                    inner_limits.append((inner.func, var, lo, hi))
                inner = inner.function
            fresh = {}
            renamed = []
            for cls, var, lo, hi in inner_limits:
                lo, hi = lo.xreplace(fresh), hi.xreplace(fresh)
                d = Dummy('v', **_assumptions(var, cls, lo, hi))
                renamed.append((cls, d, lo, hi))
                fresh[var] = d
            if limits or any(f.free_symbols for f in rest):
                self.trace.add("linearity")
            return self.terms(limits + renamed, Mul(*rest) * inner.xreplace(fresh))
        if not limits:
            return term
        limits, core, coeff = self.simplify_nest(limits, term)
        if not limits:
            return coeff * core
        return coeff * self.canonical_nest(limits, core)

    def simplify_nest(self, limits, core):
        """Sifting, unit-step range restriction, constants, orientation. Returns
        (limits, core, coeff)."""
        coeff = S.One
        changed = True
        while changed:
            changed = False
            self.check_time()
            # sifting, innermost variable first (as a nested evaluation would do it)
            for idx in reversed(range(len(limits))):
                cls, var, lo, hi = limits[idx]
                depends = any(var in (l[2].free_symbols | l[3].free_symbols) for l in limits[idx + 1:])
                res = _sift(cls, var, lo, hi, core)
                if res is not None and not depends:
                    core = _expand(res[0])
                    coeff = coeff * res[1]
                    if res[2] != S.true and res[2] is not True:
                        core = core * res[2]
                    limits = limits[:idx] + limits[idx + 1:]
                    self.trace.add("sifting_kronecker" if cls is Sum else "sifting_dirac")
                    changed = True
                    break
            if changed:
                continue
            for idx, (cls, var, lo, hi) in enumerate(limits):
                inner_vars = {l[1] for l in limits[idx + 1:]}
                depends = any(var in (l[2].free_symbols | l[3].free_symbols) for l in limits[idx + 1:])
                not_yet = inner_vars  # a new limit of var may not refer to variables inside it
                # unit steps restrict the range
                res = _restrict(cls, var, lo, hi, core, not_yet)
                if res is not None:
                    (lo, hi), core, factor = res
                    new_var = Dummy('v', **_assumptions(var, cls, lo, hi))
                    swap = {var: new_var}
                    limits = limits[:idx] + [(cls, new_var, lo, hi)] + [
                        (c2, v2, l2.xreplace(swap), h2.xreplace(swap)) for c2, v2, l2, h2 in limits[idx + 1:]]
                    core = core.xreplace(swap)
                    coeff = coeff * factor
                    self.trace.add("step_restricts")
                    changed = True
                    break
                # orientation of integrals
                if cls is Integral:
                    if lo == oo or hi == -oo or (not (lo.is_infinite or hi.is_infinite)
                                                 and (hi - lo).could_extract_minus_sign()):
                        limits[idx] = (cls, var, hi, lo)
                        coeff = -coeff
                        self.trace.add("reverse_limits")
                        changed = True
                        break
                # a bound variable that does not occur
                if var not in core.free_symbols and not depends and not inner_vars & {var}:
                    if lo.is_finite and hi.is_finite or (lo.is_infinite is False and hi.is_infinite is False):
                        width = (hi - lo + 1) if cls is Sum else (hi - lo)
                        coeff = coeff * width
                        limits = limits[:idx] + limits[idx + 1:]
                        self.trace.add("constant_summand")
                        changed = True
                        break
        # constants out (factors free of every bound variable)
        bound = {l[1] for l in limits}
        inside, outside = [], []
        for fac in Mul.make_args(core):
            (inside if fac.free_symbols & bound else outside).append(fac)
        if outside and limits:
            if any(o != 1 for o in outside):
                self.trace.add("linearity")
            coeff = coeff * Mul(*outside)
            core = Mul(*inside)
        return limits, core, coeff

    def canonical_nest(self, limits, core):
        """Pick the order of the limits and the bound names canonically.

        Independent limits are permuted freely (Fubini). When a limit depends on
        another bound variable (a triangle such as 0 <= tau <= t), the region is
        rewritten with unit steps over the whole line and restricted again in
        every order, so both descriptions of the same region meet."""
        k = len(limits)
        bound = {l[1] for l in limits}
        dependent = any((l[2].free_symbols | l[3].free_symbols) & bound for l in limits)
        if dependent and 1 < k <= 4:
            form = _indicator_form(limits, core)
            if form is not None:
                best = None
                ind_limits, ind_core = form
                for order in permutations(range(k)):
                    lims = [ind_limits[i] for i in order]
                    try:
                        new_limits, new_core, coeff = self.simplify_nest(list(lims), ind_core)
                    except Exception:
                        continue
                    if any(l[2] == -oo and l[3] == oo for l in new_limits) and \
                            not any(l[2] == -oo and l[3] == oo for l in limits):
                        continue  # this order could not restore finite ranges
                    if not new_limits:
                        cand = coeff * new_core
                    else:
                        cand = coeff * self._named(new_limits, new_core, [tuple(range(len(new_limits)))])[1]
                    key = str(cand)
                    if best is None or key < best[0]:
                        best = (key, cand, order)
                if best is not None:
                    if best[2] != tuple(range(k)):
                        self.trace.add("fubini")
                    return best[1]
        orders = [tuple(range(k))]
        if 1 < k <= 5:
            orders = [p for p in permutations(range(k)) if _respects(p, limits)]
        order, nest = self._named(limits, core, orders)
        if order != tuple(range(k)):
            self.trace.add("fubini")
        return nest

    def _named(self, limits, core, orders):
        """(order, nest) with canonical names, for the order giving the least key."""
        start = 1 + max([_canon_index(s) for s in core.free_symbols | _all_symbols(core)] + [-1])
        best = None
        for order in orders:
            rename = {}
            new_limits = []
            for pos, i in enumerate(order):
                cls, var, lo, hi = limits[i]
                lo, hi = lo.xreplace(rename), hi.xreplace(rename)
                sym = _canon_symbol(start + pos, cls, lo, hi)
                rename[var] = sym
                new_limits.append((cls, sym, lo, hi))
            new_core = core.xreplace(rename)
            key = (str(new_limits), str(new_core))
            if best is None or key < best[0]:
                best = (key, new_limits, new_core, order)
        return best[3], _build(best[1], best[2])


def _indicator_form(limits, core):
    """The nest over the whole line/lattice with unit steps for the ranges, or None
    when a range's orientation is not known (then the steps would change the value)."""
    out_limits = []
    factors = []
    rename = {}
    for cls, var, lo, hi in limits:
        if lo == oo or hi == -oo:
            return None
        if lo != -oo and hi != oo:
            width = (hi - lo + 1) if cls is Sum else (hi - lo)
            if not width.is_nonnegative:
                return None
        lo, hi = lo.xreplace(rename), hi.xreplace(rename)
        new = Dummy("v", **_assumptions(var, cls))
        rename[var] = new
        if lo != -oo:
            factors.append(Heaviside(new - lo, 1))
        if hi != oo:
            factors.append(Heaviside(hi - new, 1))
        out_limits.append((cls, new, S.NegativeInfinity, S.Infinity))
    out_limits = [(c, v, lo.xreplace(rename), hi.xreplace(rename)) for c, v, lo, hi in out_limits]
    return out_limits, _expand(core.xreplace(rename) * Mul(*factors))


def _all_symbols(expr):
    return {a for a in expr.atoms(Symbol)}


def _respects(order, limits):
    """True when every limit only refers to variables placed outside it."""
    placed = set()
    for i in order:
        cls, var, lo, hi = limits[i]
        others = {l[1] for l in limits} - {var}
        if (lo.free_symbols | hi.free_symbols) & (others - placed):
            return False
        placed.add(var)
    return True


def _assumptions(var, cls, lo=None, hi=None):
    """Assumptions of a bound variable: integer for sums, real for integrals, and
    (almost everywhere) positive when the range is known to run upwards from a
    nonnegative value (with SymPy's reversed-limit conventions a range written
    from 0 to a negative t covers negative values, so that case is excluded)."""
    nonneg = False
    if lo is not None and hi is not None and lo.is_nonnegative:
        if hi == oo:
            nonneg = True
        else:
            nonneg = bool(((hi - lo + 1) if cls is Sum else (hi - lo)).is_nonnegative)
    if cls is Sum:
        return {"integer": True, "nonnegative": True} if nonneg else {"integer": True}
    return {"positive": True} if nonneg else {"real": True}


def _sift(cls, var, lo, hi, core):
    """Apply the sifting property to one delta factor in ``var``; (core, coeff, cond)."""
    for fac in Mul.make_args(core):
        if cls is Sum and isinstance(fac, KroneckerDelta) and var in fac.free_symbols:
            lin = _is_linear_in(fac.args[0] - fac.args[1], var)
            if lin is None or lin[0] not in (1, -1):
                continue
            point = -lin[1] / lin[0]
            if not point.is_integer and point.is_integer is not None:
                continue
            cond = _inside(point, lo, hi, closed=True)
            if cond is None:
                continue
            rest = Mul(*[f for f in Mul.make_args(core) if f is not fac])
            return rest.xreplace({var: point}), S.One, cond
        if cls is Integral and isinstance(fac, DiracDelta) and len(fac.args) == 1 \
                and var in fac.free_symbols:
            lin = _is_linear_in(fac.args[0], var)
            if lin is None or lin[0].is_zero is not False:
                continue
            a, b = lin
            point = -b / a
            rest = Mul(*[f for f in Mul.make_args(core) if f is not fac])
            return rest.xreplace({var: point}), 1 / Abs(a), _between(point, lo, hi)
    return None


def _between(point, lo, hi):
    r"""How much of a Dirac delta at ``point`` an integral from ``lo`` to ``hi`` takes:
    ``H(point - lo) - H(point - hi)``, the antiderivative ``u`` of the delta taken
    between the limits, so 1 inside, 0 outside, 1/2 at an endpoint (the library's
    ``u(0) = 1/2``), and negative for limits written from the larger to the smaller.

    >>> from sympy import symbols, oo
    >>> t = symbols('t', real=True)
    >>> _between(t, -oo, oo), _between(t, 0, oo), _between(t, 0, 1), _between(t, -oo, 2)
    (True, Heaviside(t), Heaviside(t) - Heaviside(t - 1), Heaviside(2 - t))
    >>> _between(t, oo, 0), _between(t, 0, -oo)
    (-Heaviside(t), -Heaviside(-t))
    """
    lo, hi = sp.sympify(lo), sp.sympify(hi)
    if lo == -oo and hi == oo:
        return S.true
    if lo == oo and hi == -oo:
        return S.NegativeOne
    # one infinite end: one step, u(x) rather than 1 - u(-x)
    if hi == oo:
        return Heaviside(point - lo)
    if lo == -oo:
        return Heaviside(hi - point)
    if lo == oo:
        return -Heaviside(point - hi)
    if hi == -oo:
        return -Heaviside(lo - point)
    return Heaviside(point - lo) - Heaviside(point - hi)


def _inside(point, lo, hi, closed):
    """Whether lo <= point <= hi: S.true, or a Heaviside factor, or None (undecided)."""
    if lo == -oo and hi == oo:
        return S.true
    if lo == -oo:
        d = hi - point
        return S.true if d.is_nonnegative else Heaviside(d, 1)
    if hi == oo:
        d = point - lo
        return S.true if d.is_nonnegative else Heaviside(d, 1)
    return None


def _restrict(cls, var, lo, hi, core, forbidden=frozenset()):
    """A unit step u(var - c) or u(c - var) turns an infinite side of the range into c.

    Returns ((lo, hi), core without the step, factor) or None. The factor keeps
    the result right when the new range is empty (a unit step in the gap).
    """
    for fac in Mul.make_args(core):
        if not isinstance(fac, Heaviside) or var not in fac.free_symbols:
            continue
        h0 = fac.args[1] if len(fac.args) > 1 else None
        lin = _is_linear_in(fac.args[0], var)
        if lin is None or lin[0] not in (1, -1):
            continue
        a, b = lin
        c = -b / a  # the step is at var = c
        if c.free_symbols & set(forbidden):
            continue
        if cls is Sum and (h0 != 1 or not c.is_integer):
            continue  # only u[n] = 1 for n >= 0 gives a clean index range

        def step(x):
            return Heaviside(x, 1) if cls is Sum else Heaviside(x)

        rest = Mul(*[f for f in Mul.make_args(core) if f is not fac])
        if a == 1:  # the step keeps var >= c
            if (c - lo).is_nonpositive:
                return (lo, hi), rest, S.One  # already true on the whole range
            if lo == -oo:
                return (c, hi), rest, (S.One if hi == oo else step(hi - c))
            if hi == oo and (c - lo).is_nonnegative:
                return (c, hi), rest, S.One
        else:  # the step keeps var <= c
            if (c - hi).is_nonnegative:
                return (lo, hi), rest, S.One
            if hi == oo:
                return (lo, c), rest, (S.One if lo == -oo else step(c - lo))
            if lo == -oo and (hi - c).is_nonnegative:
                return (lo, c), rest, S.One
    return None


def _group(canon):
    """Map nest skeleton -> sum of coeff*core (None for the terms without nest)."""
    groups = {}
    for term in Add.make_args(canon):
        nest = None
        rest = []
        for fac in Mul.make_args(term):
            if isinstance(fac, _NESTS) and nest is None:
                nest = fac
            else:
                rest.append(fac)
        if nest is None:
            key, value = None, term
        else:
            limits = []
            body = nest
            while isinstance(body, _NESTS):
                for lim in reversed(body.limits):  # outermost first
                    var, lo, hi = _limit(lim)
                    limits.append((body.func.__name__, var, lo, hi))
                body = body.function
            key, value = tuple(limits), Mul(*rest) * body
        groups[key] = groups.get(key, S.Zero) + value
    return groups


def _opaque_atoms(expr):
    """Applications of undefined functions (and their derivatives): algebraically
    independent unknowns, as far as an identity for *every* f, g, h is concerned."""
    out = set(expr.atoms(AppliedUndef))
    out |= {d for d in expr.atoms(Derivative) if d.expr.atoms(AppliedUndef)}
    out |= {s for s in expr.atoms(Subs) if s.expr.atoms(AppliedUndef)}
    out |= set(expr.atoms(*_NESTS))
    return out


def _is_zero(expr, seconds, trace=None):
    """True when SymPy shows expr == 0 within the time bound (False = undecided).

    The unknown function values (and any unevaluated Sum/Integral) are treated as
    independent unknowns: the expression is a polynomial in them, and it is zero
    exactly when every coefficient is, which is decided coefficient by
    coefficient (a nonzero numeric coefficient answers "not shown" at once)."""
    if expr == 0:
        return True
    e = _bounded(lambda: _expand(expr), seconds)
    if e is None:
        return False
    if e == 0:
        return True
    opaque = _opaque_atoms(e)
    if opaque:
        stand_in = {a: Dummy("y") for a in opaque}
        poly = _bounded(lambda: sp.Poly(e.xreplace(stand_in), *stand_in.values()), seconds)
        if poly is not None:
            coeffs = poly.coeffs()
            if any(c.is_number and c != 0 and not c.has(sp.I, sp.E, sp.pi) for c in coeffs):
                return False
            return all(_is_zero_plain(c, seconds / max(1, len(coeffs)), trace) for c in coeffs)
    return _is_zero_plain(e, seconds, trace)


# sample values for _surely_nonzero: small integers and non-integer rationals, each with
# its SymPy facts (so a value is only used for a symbol whose assumptions it satisfies)
_PROBES = [S(v) for v in range(-9, 10)] + [S(p) / q for q in (3, 7) for p in (-11, -5, -2, 2, 5, 11)]


@functools.lru_cache(maxsize=None)
def _probe_fits(facts):
    """The probe values having every fact ``(name, value)`` in ``facts``."""
    return tuple(v for v in _PROBES if all(getattr(v, "is_" + k, None) == val for k, val in facts))


def _probe_for(symbol, rng):
    fits = _probe_fits(tuple(sorted(symbol.assumptions0.items())))
    return fits[rng.integers(len(fits))] if fits else None


def _surely_nonzero(e, seconds, tries=2):
    """True when ``e`` is shown not to be identically zero: at a point that satisfies every
    symbol's assumptions, SymPy evaluates it (``evalf``, 30 digits, ``strict``: every
    returned digit is correct) to a nonzero number. False means "not shown" (no point
    could be evaluated, or the value could not be told from zero). Used to skip a
    ``simplify`` that cannot succeed: ``simplify(e) == 0`` would be wrong for such ``e``."""
    symbols = sorted(e.free_symbols, key=sp.default_sort_key)
    rng = np.random.default_rng(len(symbols))
    for _ in range(tries):
        point = {}
        for sym in symbols:
            value = _probe_for(sym, rng)
            if value is None:
                return False
            point[sym] = value
        at = e.xreplace(point)
        if not at.is_number:
            return False
        value = _bounded(lambda: sp.N(at, 30, strict=True), seconds)  # noqa: B023 - called before the loop moves on
        if value is None or value.has(S.NaN, sp.zoo, S.Infinity, S.NegativeInfinity):
            continue
        if value.is_number and value != 0:
            return True
    return False


def _is_zero_plain(e, seconds, trace=None):
    if e == 0:
        return True
    if e.is_number and e.is_zero is False:
        return False
    if sp.count_ops(e) > 600:
        return False
    if e.has(sp.Mod):
        # Mod(a, N) = a - N floor(a/N): an exponential of 2 pi i times an integer then
        # evaluates to 1 (periodic indices, as in the DFT), which simplify does not see
        res = _bounded(lambda: _expand(e.rewrite(sp.floor)), seconds)
        if res is not None and res == 0:
            if trace is not None:
                trace.add("mod_as_floor")
            return True
    if _surely_nonzero(e, min(0.5, seconds)):
        return False
    res = _bounded(lambda: sp.simplify(e), seconds)
    if res is not None and res == 0:
        return True
    if e.has(sp.sinh, sp.cosh, sp.tanh, sp.sin, sp.cos, sp.tan):
        res = _bounded(lambda: sp.simplify(e.rewrite(sp.exp)), seconds)
        if res is not None and res == 0:
            return True
    if e.has(sp.I):
        res = _bounded(lambda: sp.simplify(sp.expand_complex(e)), seconds)
        return res is not None and res == 0
    return False


def _canon_equal(ca, cb, seconds, trace=None):
    ga, gb = _group(ca), _group(cb)
    for key in set(ga) | set(gb):
        if not _is_zero(ga.get(key, S.Zero) - gb.get(key, S.Zero), seconds, trace):
            return False
    return True


def _distribute(expr):
    """Linearity with the user's names kept: a single-limit Sum/Integral of a sum
    becomes a sum of them, and factors free of the bound variable move out."""
    if not isinstance(expr, sp.Basic) or not expr.has(*_NESTS):
        return expr
    if isinstance(expr, _NESTS):
        bound = {lim[0] for lim in expr.limits}
        body = _distribute(expr.function)
        out = []
        for term in Add.make_args(_expand(body)):
            inside = [f for f in Mul.make_args(term) if f.free_symbols & bound]
            outside = [f for f in Mul.make_args(term) if not f.free_symbols & bound]
            out.append(Mul(*outside) * expr.func(Mul(*inside), *expr.limits))
        return Add(*out)
    args = [_distribute(a) if isinstance(a, sp.Basic) else a for a in expr.args]
    return expr.func(*args) if args != list(expr.args) else expr


def _nest_nodes(expr):
    """Every single-limit Sum/Integral node in ``expr`` with the variables bound
    outside it (pre-order)."""
    out = []

    def walk(e, outer):
        if isinstance(e, _NESTS):
            scope = set(outer)
            for lim in reversed(e.limits):  # outermost first
                out.append((e, lim[0], frozenset(scope)))
                for part in lim[1:]:
                    walk(part, scope)
                scope = scope | {lim[0]}
            walk(e.function, scope)
            return
        for arg in getattr(e, "args", ()):
            if isinstance(arg, sp.Basic):
                walk(arg, outer)

    walk(expr, set())
    return out


def _bound_vars(expr):
    return {n[1] for n in _nest_nodes(expr)}


def _fmt_affine(phi, W):
    shown = {d: Symbol(d.name) for d in phi.atoms(Dummy)}
    phi, W = phi.xreplace(shown), shown.get(W, W)
    lin = _is_linear_in(phi, W)
    if lin is None:
        return str(phi)
    s, c = lin
    if c == 0:
        return str(W) if s == 1 else (f"-{W}" if s == -1 else str(phi))
    if s == 1:
        return f"{c} + {W}" if not c.could_extract_minus_sign() else f"{W} - {-c}"
    if s == -1:
        return f"{c} - {W}"
    return str(phi)
