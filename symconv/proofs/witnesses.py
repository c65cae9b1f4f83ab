r"""Readable counterexamples for continuous steps: simple functions before random ones.

A continuous step that is wrong is refuted on the random Gaussian mixtures of
:mod:`symconv.proofs.instances`, but a counterexample such as
``f(x) = (15/16 - 3*x/4)*exp(-(x + 3/4)**2) + ...`` convinces nobody. Before those, the
checker tries a small family of functions a student can integrate by hand:

=========  ===================================  ======================================
key        the function                         jumps / kinks (quadrature breakpoints)
=========  ===================================  ======================================
box        ``rect(x - 1/2)``: 1 on [0, 1)       0, 1
exp        ``e^(-x) u(x)``                      0
rect       ``rect(x)``: 1 on [-1/2, 1/2)        -1/2, 1/2
ramp       ``x`` on [0, 1), 0 elsewhere         0 (kink), 1
box12      ``rect(x - 3/2)``: 1 on [1, 2)       1, 2
=========  ===================================  ======================================

A function that the step differentiates gets a smooth one instead (the derivative of a
box is a pair of deltas): ``e^(-x^2)``, ``x e^(-x^2)``, ``e^(-(x - 1)^2)``. Free symbols
take readable values (1/2, 3/2, -1/2, ...; small integers for integer symbols), inside
their stated domain.

Only a refutation comes from here, and only a sure one: the sides must differ by far more
than the tolerance (relative 1e-4, the random check uses 1e-7), identically when the
quadrature is refined (each side the same to 1e-6 at two resolutions), and no function
may be evaluated at one of its jumps (the value there is undefined: the instance is
skipped, see :class:`Simple`). Acceptance is unchanged: a step none of these refutes
goes on to the random instances exactly as before.

Examples
--------
>>> from sympy import Function, Integral, symbols, oo
>>> t, tau, u = symbols('t tau u', real=True)
>>> f, g = Function('f'), Function('g')
>>> wrong = Integral(f(t + u) * g(u), (u, -oo, oo))           # tau = t + u, sign lost
>>> res = simple_refutation(Integral(f(tau) * g(t - tau), (tau, -oo, oo)), wrong, 2.0)
>>> res.status
'refuted'
>>> print(res.counterexample)
t = 3/2, f(x) = rect(x - 1/2) (a unit box on [0, 1)), g(x) = rect(x - 1/2) (a unit box on [0, 1)): left side = 0.5, right side = 0
"""

import itertools
import time

import numpy as np
import sympy as sp
from sympy import Derivative, Heaviside, Lambda, Rational, Subs, Symbol, exp
from sympy.core.function import AppliedUndef

from symconv.proofs.notation import _expand_notation
from symconv.proofs.instances import DOMAIN, _Instance, _Smooth, _Unsupported, _small_values
from symconv.proofs.numeric import _Evaluator, _prepare_numeric, _py_number, _undefined_functions
from symconv.proofs.report import StepCheck

#: the relative gap between the sides a simple counterexample must show (the random
#: check refutes at 1e-7): far above any quadrature error
GAP = 1e-4
#: how closely each side must agree with itself when the quadrature is refined
STABLE = 1e-6
#: at most this many assignments of simple functions to the step's functions
MAX_ASSIGNMENTS = 12
#: at most this many assignments of values to the step's free symbols
MAX_POINTS = 8

_X = sp.Dummy("x", real=True)


class Simple:
    """A simple function of one variable, evaluated with NumPy and undefined (NaN) at
    its jumps, so that no counterexample rests on the value at a jump.

    Parameters
    ----------
    key : str
        Short name (``'box'``).
    text : str
        The formula with ``{x}`` for the variable: ``'rect({x} - 1/2)'``.
    what : str
        The plain-words reading: ``'a unit box on [0, 1)'``.
    expr : sympy.Expr
        The function in the variable ``_X`` (for :meth:`data`).
    numpy_fn : callable
        ``x -> values`` on real arrays.
    jumps, kinks : tuple of float
        Where the function jumps (NaN there) and where only its slope does.
    support : (float, float)
        Outside of it the function is 0 (or below 1e-17 of its peak).

    Examples
    --------
    >>> box = FAMILY[0].named('f', 'x')
    >>> box([-0.5, 0.5, 1.0, 1.5]).tolist()
    [0.0, 1.0, nan, 0.0]
    >>> box.describe()
    '(x) -> rect(x - 1/2) (a unit box on [0, 1))'
    >>> box.data()(Rational(1, 2))
    1
    """

    smooth = False

    def __init__(self, key, text, what, expr, numpy_fn, jumps, kinks, support, name=None, var="x"):
        self.key, self.text, self.what, self.expr = key, text, what, expr
        self._fn, self.jumps, self.kinks, self._support = numpy_fn, tuple(jumps), tuple(kinks), support
        self.name, self.var = name, var

    @property
    def breaks(self):
        """The points the quadrature must not integrate across: jumps and kinks."""
        return self.jumps + self.kinks

    def named(self, name, var):
        """This function as the instance of ``name``, described with the variable ``var``."""
        return Simple(self.key, self.text, self.what, self.expr, self._fn, self.jumps,
                      self.kinks, self._support, name, var)

    def __call__(self, x):
        x = np.real(np.asarray(x, dtype=float))
        out = np.asarray(self._fn(x), dtype=float)
        for j in self.jumps:
            out = np.where(np.abs(x - j) <= 1e-12, np.nan, out)
        return out

    def derivative(self, orders):
        if any(orders):
            raise _Unsupported(f"the simple instance {self.text.format(x='x')} has no derivative")
        return self

    def support(self):
        return [self._support]

    def data(self):
        return Lambda(_X, self.expr)

    def formula(self):
        return self.text.format(x=self.var)

    def describe(self):
        return f"({self.var}) -> {self.formula()} ({self.what})"


class SimpleSmooth(_Smooth):
    """A smooth simple function (a Gaussian) for a function the step differentiates;
    ``centre`` and ``radius`` give its numerical support."""

    smooth = True

    def __init__(self, key, text, what, expr, centre, radius, name=None, var="x"):
        super().__init__(name, expr, (_X,), radius)
        self.key, self.text, self.what, self.centre, self.var = key, text, what, centre, var

    def named(self, name, var):
        return SimpleSmooth(self.key, self.text, self.what, self.expr, self.centre,
                            self.radius, name, var)

    def support(self):
        return [(self.centre - self.radius, self.centre + self.radius)]

    def formula(self):
        return self.text.format(x=self.var)

    def describe(self):
        return f"({self.var}) -> {self.formula()} ({self.what})"


def _window(lo, hi):
    return lambda x: ((x > lo) & (x < hi)).astype(float)


_HALF = Rational(1, 2)

#: the discontinuous family, simplest first
FAMILY = (
    Simple("box", "rect({x} - 1/2)", "a unit box on [0, 1)",
           Heaviside(_X) - Heaviside(_X - 1), _window(0.0, 1.0), (0.0, 1.0), (), (0.0, 1.0)),
    Simple("exp", "e^(-{x}) u({x})", "a one-sided exponential",
           exp(-_X) * Heaviside(_X), lambda x: np.where(x > 0, np.exp(-np.maximum(x, 0.0)), 0.0),
           (0.0,), (), (0.0, 40.0)),
    Simple("rect", "rect({x})", "a unit box on [-1/2, 1/2)",
           Heaviside(_X + _HALF) - Heaviside(_X - _HALF), _window(-0.5, 0.5), (-0.5, 0.5), (),
           (-0.5, 0.5)),
    Simple("ramp", "{x} on [0, 1), 0 elsewhere", "a ramp",
           _X * (Heaviside(_X) - Heaviside(_X - 1)), lambda x: np.where((x > 0) & (x < 1), x, 0.0),
           (1.0,), (0.0,), (0.0, 1.0)),
    Simple("box12", "rect({x} - 3/2)", "a unit box on [1, 2)",
           Heaviside(_X - 1) - Heaviside(_X - 2), _window(1.0, 2.0), (1.0, 2.0), (), (1.0, 2.0)),
)

#: the smooth family, for functions the step differentiates (e^(-49) ~ 5e-22 at the edge)
SMOOTH_FAMILY = (
    SimpleSmooth("gauss", "e^(-{x}^2)", "a Gaussian", exp(-_X**2), 0.0, 7.0),
    SimpleSmooth("xgauss", "{x} e^(-{x}^2)", "an odd Gaussian", _X * exp(-_X**2), 0.0, 7.0),
    SimpleSmooth("gauss1", "e^(-({x} - 1)^2)", "a Gaussian centred at 1", exp(-(_X - 1)**2),
                 1.0, 7.0),
)

#: readable values for a real symbol, in the order tried
_READABLE = tuple(Rational(p, q) for p, q in ((1, 2), (3, 2), (-1, 2), (5, 2), (1, 4), (-1, 4),
                                             (-3, 2), (3, 4)))


def _differentiated(*exprs):
    """Names of the undefined functions that appear under a derivative once the
    derivatives are pushed inside (Leibniz's rule, the chain rule): in
    ``d/dt int_0^t f(tau) g(t - tau) dtau = f(t) g(0) + int_0^t f(tau) g'(t - tau) dtau``
    only ``g``, so ``f`` may still be a box (the rule holds where ``f`` is continuous,
    and a simple function is never evaluated at its jumps)."""
    out = set()
    for e in exprs:
        for d in e.atoms(Derivative, Subs):
            out |= {app.func.__name__ for app in d.atoms(AppliedUndef)}
    return out


def _readable_values(sym):
    """A few readable values for ``sym`` inside its facts and stated domain."""
    if sym.is_integer:
        return [sp.Integer(v) for v in _small_values(sym)[:4]]
    lo, hi = None, None
    if sym.is_positive:
        lo = 0
    elif sym.is_nonnegative:
        lo = 0
    if sym.is_negative or sym.is_nonpositive:
        hi = 0
    stated = (DOMAIN.get() or {}).get(sym.name)
    if stated is not None:
        lo = stated[0] if stated[0] is not None else lo
        hi = stated[1] if stated[1] is not None else hi
    strict_lo = lo is not None and (sym.is_positive or (stated is not None and stated[0] is not None
                                                        and stated[0] > 0 and not sym.is_nonnegative))
    vals = [v for v in _READABLE
            if (lo is None or v > lo or (v == lo and not strict_lo)) and (hi is None or v < hi)]
    if len(vals) < 3 and lo is not None:
        vals += [lo + v for v in (_HALF, 3 * _HALF, 5 * _HALF) if hi is None or lo + v < hi]
    if len(vals) < 3 and hi is not None:
        vals += [hi - v for v in (_HALF, 3 * _HALF, 5 * _HALF) if lo is None or hi - v > lo]
    return list(dict.fromkeys(vals))[:MAX_POINTS]


def _points(symbols):
    """Up to :data:`MAX_POINTS` assignments of readable values, simplest first."""
    if not symbols:
        return [{}]
    lists = [_readable_values(s) for s in symbols]
    if any(not v for v in lists):
        return []
    combos = sorted(itertools.product(*[range(len(v)) for v in lists]), key=lambda c: (sum(c), c))
    return [{s: v[i] for s, v, i in zip(symbols, lists, c)} for c in combos[:MAX_POINTS]]


def _assignments(names, families):
    """Assignments of family members to the function names, simplest first."""
    ranges = [range(len(families[n])) for n in names]
    combos = sorted(itertools.product(*ranges), key=lambda c: (sum(c), max(c, default=0), c))
    return [{n: families[n][i] for n, i in zip(names, c)} for c in combos[:MAX_ASSIGNMENTS]]


def _own_variable(*exprs):
    """A name for the functions' own variable that the step does not use."""
    used = {s.name for e in exprs for s in e.atoms(Symbol)}
    return next((v for v in ("x", "s", "y", "v", "w", "z") if v not in used), "x")


def _batch(expr, inst, env, size, refine):
    """``expr`` at every point of the batch (one array axis for the points)."""
    ev = _Evaluator(inst, refine)
    ev.cells = size     # the points of the batch count towards the evaluator's cell limit
    with np.errstate(all="ignore"):
        out = np.asarray(ev.ev(expr, env, 1), dtype=complex)
    return np.broadcast_to(out.reshape(-1) if out.size == size else out, (size,))


def _gap(x, y):
    return np.abs(x - y) > GAP * np.maximum(1.0, np.maximum(np.abs(x), np.abs(y)))


def _steady(x, y):
    return np.abs(x - y) <= STABLE * np.maximum(1.0, np.maximum(np.abs(x), np.abs(y)))


_ERRORS = (_Unsupported, ArithmeticError, ValueError, TypeError, IndexError, KeyError,
           AttributeError)


def simple_refutation(a, b, seconds=1.0):
    """A refuted :class:`~symconv.proofs.report.StepCheck` whose counterexample is built
    from simple functions, or None when none of them refutes ``a == b`` (then the random
    instances decide, as before).

    Parameters
    ----------
    a, b : sympy.Expr
        The two sides of a continuous step.
    seconds : float
        Time for the attempt: no assignment of functions starts after it (the checker
        also stops the attempt at twice this).
    """
    deadline = time.monotonic() + seconds
    try:
        a0, b0 = _expand_notation(a), _expand_notation(b)
        a1, b1 = _prepare_numeric(a), _prepare_numeric(b)
    except Exception:   # pragma: no cover - the random check reports what went wrong
        return None
    funcs = _undefined_functions(a1, b1)
    if not funcs or any(arity != 1 for arity in funcs.values()):
        return None
    smooth = _differentiated(a1, b1)
    names = sorted(funcs)
    families = {n: (SMOOTH_FAMILY if n in smooth else FAMILY) for n in names}
    symbols = sorted(a1.free_symbols | b1.free_symbols, key=str)
    points = _points(symbols)
    if not points:
        return None
    size = len(points)
    env = {s: np.array([complex(p[s]) for p in points]) for s in symbols}
    var = _own_variable(a0, b0)
    for assignment in _assignments(names, families):
        if time.monotonic() > deadline:
            return None
        inst = _Instance({}, {n: fn.named(n, var) for n, fn in assignment.items()}, None)
        try:
            lhs, rhs = (_batch(e, inst, env, size, 1) for e in (a1, b1))
            if not (_gap(lhs, rhs) & np.isfinite(lhs) & np.isfinite(rhs)).any():
                continue
            lhs2, rhs2 = (_batch(e, inst, env, size, 2) for e in (a1, b1))
        except _ERRORS:
            continue
        sure = (np.isfinite(lhs) & np.isfinite(rhs) & _gap(lhs, rhs) & _gap(lhs2, rhs2)
                & _steady(lhs, lhs2) & _steady(rhs, rhs2))
        if not sure.any():
            continue
        i = int(np.argmax(sure))
        inst = _Instance(dict(points[i]), inst.functions, None)
        which = ", ".join(f"{n}: {fn.what}" for n, fn in sorted(inst.functions.items()))
        return StepCheck("refuted", "the two sides differ on a concrete instance of simple "
                         f"functions ({which}; the same at two quadrature resolutions, "
                         f"relative gap above {GAP:g})",
                         inst.counterexample(_py_number(lhs[i]), _py_number(rhs[i])), "numeric")
    return None
