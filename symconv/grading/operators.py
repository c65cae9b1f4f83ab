"""Answers written as operations: derivatives, the defining integral or sum of a
convolution, and impulses times signals.

A student may answer with the operation instead of its value: ``Derivative(t u(t), t)``
or ``\\frac{d}{dt}[...]``, or the defining integral
``\\int_{-\\infty}^{\\infty} rect(\\tau) rect(t-\\tau) d\\tau``. Such an answer is graded
by *evaluating* the operation first -- derivatives with SymPy (before any sample point
is substituted), convolution integrals and sums with symconv's own engines
(:func:`symconv.signals.continuous.conv`), within the grading time limit -- and when an integral
cannot be evaluated the student is told plainly that an unevaluated integral is not an
answer.

>>> import sympy as sp
>>> t, tau = sp.symbols("t tau", real=True)
>>> evaluate(sp.Derivative(t * sp.Heaviside(t), t), 2.0)
Heaviside(t)
>>> rect = lambda x: sp.Heaviside(x + sp.Rational(1, 2)) - sp.Heaviside(x - sp.Rational(1, 2))
>>> evaluate(sp.Integral(rect(tau) * rect(t - tau), (tau, -sp.oo, sp.oo)), 2.0)
Piecewise((0, t < -1), (t + 1, t < 0), (1 - t, t < 1), (0, True))
"""

import time

import sympy as sp

from symconv._util.deadline import bounded_call

__all__ = ["evaluate", "sift", "Unevaluated"]


class Unevaluated(Exception):
    """An integral or a derivative in the answer could not be evaluated within the
    limit (``operator`` is the one that failed)."""

    def __init__(self, operator):
        super().__init__(operator)
        self.operator = operator


def _has_operator(expr):
    return isinstance(expr, sp.Basic) and expr.has(sp.Derivative, sp.Integral, sp.Sum)


def evaluate(expr, time_limit_s, deadline=None):
    """``expr`` with its derivatives, integrals and convolution sums evaluated, innermost
    first. Raises :class:`Unevaluated` for an integral that neither symconv's engine
    nor (briefly) SymPy can evaluate; a sum that is not a convolution is left as it is
    (the sampler evaluates finite sums exactly at integer points)."""
    if not _has_operator(expr):
        return expr
    deadline = deadline or (time.monotonic() + time_limit_s)

    def visit(node):
        if not node.args or not _has_operator(node):
            return node
        if isinstance(node, (sp.Derivative, sp.Integral, sp.Sum)):
            inner = visit(node.args[0])
            node = node.func(inner, *node.args[1:])
            return _one(node, deadline)
        return node.func(*[visit(a) for a in node.args])

    return sift(visit(expr))


def _remaining(deadline):
    return max(0.05, deadline - time.monotonic())


def _one(node, deadline):
    if isinstance(node, sp.Derivative):
        done = _bounded(node.doit, deadline)
        if done is None or done.has(sp.Derivative):
            raise Unevaluated(node)
        return done
    if isinstance(node, sp.Integral):
        done = _as_convolution(node, deadline)
        if done is None or done.has(sp.Integral):
            # SymPy's integrator, briefly: polynomials and exponentials on finite
            # intervals are quick; products of steps on the whole line are not
            done = _bounded(node.doit, deadline, cap=1.0)
        if done is None or done.has(sp.Integral):
            raise Unevaluated(node)
        return done
    if isinstance(node, sp.Sum):
        if any(b.has(sp.oo, -sp.oo) for lim in node.limits for b in lim[1:]):
            done = _as_convolution(node, deadline)
            if done is not None and not done.has(sp.Sum):
                return done
        return node
    return node


def _bounded(fn, deadline, cap=None):
    budget = _remaining(deadline) if cap is None else min(cap, _remaining(deadline))
    try:
        return bounded_call(fn, budget)
    except (ArithmeticError, TypeError, ValueError, NotImplementedError, AttributeError,
            RecursionError, IndexError):
        return None


def _as_convolution(node, deadline):
    """``Integral(f(tau) g(t - tau), (tau, a, b))`` (or the ``Sum``) as ``conv(f, g)``
    evaluated at ``t``, when the integrand splits into a factor of ``tau`` and a factor
    of ``t - tau`` and each bound is a constant, infinite, or ``t`` minus a constant."""
    if len(node.limits) != 1 or len(node.limits[0]) != 3:
        return None
    tau, lo, hi = node.limits[0]
    body = node.function
    discrete = isinstance(node, sp.Sum)
    candidates = sorted((body.free_symbols | lo.free_symbols | hi.free_symbols) - {tau},
                        key=lambda s: s.name)
    for t in candidates:
        if discrete != bool(t.is_integer):
            continue
        split = _split(body, tau, t, lo, hi, discrete)
        if split is None:
            continue
        outer, terms, x = split
        total = sp.S.Zero
        for f, g, sign in terms:
            try:
                from symconv.signals.continuous import conv

                value = _bounded(lambda: conv(f, g, x, time_limit=_remaining(deadline)), deadline)  # noqa: B023 - called before the loop moves on
            except Exception:      # noqa: BLE001 - SymconvError for signals it does not take
                value = None
            if value is None or value.has(sp.Integral, sp.Sum):
                return None
            total += sign * value
        return outer * total.xreplace({x: t})
    return None


def _split(body, tau, t, lo, hi, discrete):
    """``(outer, [(f, g, sign), ...], x)``: the integral is ``outer`` times the sum of
    ``sign * conv(f, g)``; ``None`` when the integrand does not split."""
    step = (lambda a: sp.Heaviside(a, 1)) if discrete else sp.Heaviside
    x = sp.Symbol("x_conv", integer=True) if discrete else sp.Symbol("x_conv", real=True)
    y = sp.Dummy("y")
    outer, f, g = [], [], []

    def classify(factor, again=True):
        has_tau, has_t = factor.has(tau), factor.has(t)
        if not has_tau:
            outer.append(factor)
            return True
        if not has_t:
            f.append(factor.xreplace({tau: x}))
            return True
        shifted = factor.xreplace({t: y + tau})
        if not shifted.has(tau):
            g.append(shifted.xreplace({y: x}))
            return True
        if again and sp.count_ops(factor) < 200:
            # e^{-b(t - tau)} e^{-a tau} may come as one exponential: split it
            return all(classify(part, False) for part in sp.Mul.make_args(sp.expand(factor)))
        return False

    if not all(classify(factor) for factor in sp.Mul.make_args(body)):
        return None
    f_lo, g_lo, f_hi, g_hi = [], [], [], []      # indicator of lo < tau (and < hi)
    for bound, is_lower in ((lo, True), (hi, False)):
        if bound in (sp.oo, -sp.oo):
            continue
        if not bound.has(t):
            # tau > lo | tau < hi, and for the reversed interval tau < lo | tau > hi
            (f_lo if is_lower else f_hi).append(
                (step(x - bound), step(bound - x)) if is_lower else (step(bound - x), step(x - bound)))
            continue
        c = sp.expand(t - bound)
        if c.has(t) or c.has(tau):
            return None
        # tau > t - c  <=>  t - tau < c ;  tau < t - c  <=>  t - tau > c
        (g_lo if is_lower else g_hi).append(
            (step(c - x), step(x - c)) if is_lower else (step(x - c), step(c - x)))
    bounds = f_lo + f_hi + g_lo + g_hi
    base_f, base_g = sp.Mul(*f), sp.Mul(*g)
    terms = [(base_f * sp.Mul(*[a for a, _ in f_lo + f_hi]),
              base_g * sp.Mul(*[a for a, _ in g_lo + g_hi]), 1)]
    if len(bounds) == 2:
        # \int_a^b is minus \int_b^a when b < a: the reversed interval, subtracted
        terms.append((base_f * sp.Mul(*[b for _, b in f_lo + f_hi]),
                      base_g * sp.Mul(*[b for _, b in g_lo + g_hi]), -1))
    return sp.Mul(*outer), terms, x


def sift(expr):
    """Impulses pick the value of what multiplies them: ``f(t) DiracDelta(t - a)`` is
    ``f(a) DiracDelta(t - a)`` (the sifting property), so ``t DiracDelta(t)`` is 0,
    as the derivative of ``t u(t)`` needs.

    >>> t = sp.Symbol("t", real=True)
    >>> sift(t * sp.DiracDelta(t) + sp.Heaviside(t))
    Heaviside(t)
    >>> sift(sp.exp(-t) * sp.DiracDelta(t - 2))
    exp(-2)*DiracDelta(t - 2)
    >>> sift(t**2 * sp.DiracDelta(t, 1) + t * sp.DiracDelta(t, 1))
    -DiracDelta(t)
    """
    if not isinstance(expr, sp.Basic) or not expr.has(sp.DiracDelta):
        return expr

    def is_sifting(node):
        return node.is_Mul and any(isinstance(f, sp.DiracDelta) for f in node.args)

    def apply(node):
        deltas = [f for f in node.args if isinstance(f, sp.DiracDelta)]
        if len(deltas) != 1:
            return node
        delta = deltas[0]
        arg, order = delta.args[0], (int(delta.args[1]) if len(delta.args) > 1 else 0)
        rest = sp.Mul(*[f for f in node.args if f is not delta])
        for x in sorted(arg.free_symbols, key=lambda s: s.name):
            slope = arg.diff(x)
            if slope.has(x) or slope == 0:
                continue
            root = -arg.xreplace({x: 0}) / slope
            if order == 0:
                return rest.xreplace({x: root}) * delta
            if slope not in (1, -1) or order > 4:
                return node
            # f(x) delta^(k)(x - c) = sum_j (-1)^j C(k, j) f^(j)(c) delta^(k-j)(x - c)
            sign = slope ** order
            total = sp.S.Zero
            for j in range(order + 1):
                weight = (-1) ** j * sp.binomial(order, j) * rest.diff(x, j).xreplace({x: root})
                total += weight * (sp.DiracDelta(x - root, order - j) if order > j
                                   else sp.DiracDelta(x - root))
            return sign * total
        return node

    try:
        return expr.replace(is_sifting, apply)
    except (TypeError, ValueError, ArithmeticError, RecursionError):
        return expr
