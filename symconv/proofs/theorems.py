r"""The theorem library: classic facts about convolution as checkable derivations.

``theorem(name, kind=...)`` returns a :class:`~symconv.proofs.Derivation` whose
every step is verified by :meth:`~symconv.proofs.Derivation.check` (proven by
SymPy or by a mechanically applied rule where possible, otherwise confirmed
numerically on random instances; the report says which). ``theorem()`` lists the
names and :func:`kinds` the kinds available for a name.

Conventions are those of symconv: ``(f*g)(t) = ∫ f(τ) g(t-τ) dτ``, discrete
``(f*g)[n] = Σ_k f[k] g[n-k]``, cross-correlation ``(f⋆g)(t) = ∫ f(t+τ) g(τ) dτ``
(the first argument is shifted, as in ``numpy.correlate`` and in deep-learning
layers).

Examples
--------
>>> d = theorem('commutativity', kind='discrete')
>>> d.title
'Convolution is commutative: f * g = g * f (discrete)'
>>> report = d.check()
>>> report.valid, report.steps[-1].status
(True, 'proven')
>>> 'convolution_theorem' in theorem()
True
>>> kinds('convolution_theorem')
('fourier', 'laplace', 'dft', 'z')
"""

import re

import sympy as sp
from sympy import (Add, Derivative, DiracDelta, Function, Heaviside, Integral, KroneckerDelta,
                   Lambda, Matrix, Max, Min, Mod, Mul, Sum, Symbol, exp, floor, oo, pi, sqrt)
from sympy import I as IMAG

from symconv.errors import SymconvError
from symconv.proofs.derivation import Derivation
from symconv.proofs.notation import convolution, correlation

__all__ = ["theorem", "kinds", "NAMES"]

f, g, h = Function("f"), Function("g"), Function("h")

_GEOMETRY = ("continuous", "discrete", "2d")

# name -> (kinds, default kind)
_CATALOGUE = {
    "commutativity": (_GEOMETRY, "continuous"),
    "associativity": (_GEOMETRY, "continuous"),
    "distributivity": (_GEOMETRY, "continuous"),
    "linearity": (_GEOMETRY, "continuous"),
    "shift_equivariance": (_GEOMETRY, "continuous"),
    "identity": (_GEOMETRY, "continuous"),
    "conv_corr_flip": (_GEOMETRY, "continuous"),
    "corr_not_commutative": (("continuous", "discrete"), "discrete"),
    "derivative": (("continuous", "discrete"), "continuous"),
    "support_length": (_GEOMETRY, "discrete"),
    "convolution_theorem": (("fourier", "laplace", "dft", "z"), "fourier"),
    "stacked_convolutions": (_GEOMETRY, "discrete"),
    "transpose_adjoint": (_GEOMETRY, "discrete"),
    "backprop": (("discrete", "2d"), "discrete"),
    "output_size": (("discrete", "2d"), "discrete"),
    "probabilistic_commutativity": (("continuous", "discrete"), "continuous"),
}
NAMES = tuple(_CATALOGUE)


class _Domain:
    """Symbols and builders for one geometry: 1-D continuous, 1-D discrete, 2-D discrete."""

    def __init__(self, kind):
        self.kind = kind
        self.discrete = kind != "continuous"
        if kind == "continuous":
            t, tau, sigma, u = sp.symbols("t tau sigma u", real=True)
            self.at, self.b1, self.b2, self.b3 = (t,), (tau,), (sigma,), (u,)
            self.c = (Symbol("c", real=True),)
        elif kind == "discrete":
            n, k, m, j = sp.symbols("n k m j", integer=True)
            self.at, self.b1, self.b2, self.b3 = (n,), (k,), (m,), (j,)
            self.c = (Symbol("c", integer=True),)
        else:
            i, j, k, l, p, q, r, s = sp.symbols("i j k l p q r s", integer=True)
            self.at, self.b1, self.b2, self.b3 = (i, j), (k, l), (p, q), (r, s)
            self.c = sp.symbols("c_1 c_2", integer=True)

    def total(self, body, bound):
        """Sum or integral of ``body`` over every variable in ``bound`` (whole line/lattice)."""
        cls = Sum if self.discrete else Integral
        return cls(body, *[(v, -oo, oo) for v in reversed(bound)])

    def fn(self, make):
        """A Lambda over fresh variables: ``make(*xs)`` is its body."""
        assume = {"integer": True} if self.discrete else {"real": True}
        xs = tuple(sp.Dummy(f"x{i}", **assume) for i in range(len(self.at)))
        return Lambda(xs, make(*xs))

    @staticmethod
    def minus(a, b):
        return tuple(x - y for x, y in zip(a, b))

    @staticmethod
    def plus(a, b):
        return tuple(x + y for x, y in zip(a, b))

    def delta(self, *xs):
        if self.discrete:
            return Mul(*[KroneckerDelta(x, 0) for x in xs])
        return Mul(*[DiracDelta(x) for x in xs])

    @property
    def word(self):
        return {"continuous": "continuous", "discrete": "discrete", "2d": "2-D discrete"}[self.kind]


_GREEK = {"tau": "τ", "sigma": "σ", "omega": "ω", "rho": "ρ", "mu": "μ"}


def _text(expr):
    """Plain text for an expression, with Greek names as letters (as in the LaTeX)."""
    out = sp.sstr(expr)
    for name, letter in _GREEK.items():
        out = re.sub(rf"\b{name}\b", letter, out)
    return out


def _subst_text(D, old, new):
    """'substitute k = n - m' for one or several coordinates."""
    parts = [f"{_text(o)} = {_text(n)}" for o, n in zip(old, new)]
    return "substitute " + ", ".join(parts)


# ---------------------------------------------------------------------------
# algebraic properties
# ---------------------------------------------------------------------------

def _commutativity(D):
    at, b1, b2 = D.at, D.b1, D.b2
    steps = [convolution(f, g, at),
             (D.total(f(*b1) * g(*D.minus(at, b1)), b1), "definition of convolution")]
    if D.discrete:
        steps.append((D.total(f(*D.minus(at, b2)) * g(*b2), b2),
                      _subst_text(D, b1, D.minus(at, b2)) + " (it runs over all integers too)"))
    else:
        (t,), _, (sigma,) = at, b1, b2
        steps.append((Integral(-f(t - sigma) * g(sigma), (sigma, oo, -oo)),
                      "substitute τ = t - σ, dτ = -dσ: the limits swap"))
        steps.append((Integral(f(t - sigma) * g(sigma), (sigma, -oo, oo)),
                      "reverse the limits, absorbing the sign"))
    steps.append((convolution(g, f, at), "definition of convolution with the roles of f and g exchanged"))
    return steps, "Convolution is commutative: f * g = g * f"


def _associativity(D):
    at, b1, b2, b3 = D.at, D.b1, D.b2, D.b3
    fg = D.fn(lambda *x: convolution(f, g, x))
    gh = D.fn(lambda *x: convolution(g, h, x))
    inner_fg = D.total(f(*b2) * g(*D.minus(b1, b2)), b2)
    steps = [
        convolution(fg, h, at),
        (D.total(convolution(f, g, b1) * h(*D.minus(at, b1)), b1), "definition of the outer convolution"),
        (D.total(inner_fg * h(*D.minus(at, b1)), b1), "definition of the inner convolution"),
        (D.total(f(*b2) * D.total(g(*D.minus(b1, b2)) * h(*D.minus(at, b1)), b1), b2),
         "swap the order of " + ("summation" if D.discrete else "integration") + " (Fubini); "
         "f does not depend on the inner variable"),
        (D.total(f(*b2) * D.total(g(*b3) * h(*D.minus(D.minus(at, b2), b3)), b3), b2),
         _subst_text(D, b1, D.plus(b2, b3)) + " in the inner " + ("sum" if D.discrete else "integral")),
        (D.total(f(*b2) * convolution(g, h, D.minus(at, b2)), b2),
         "definition of g * h, evaluated at " + ", ".join(_text(x) for x in D.minus(at, b2))),
        (convolution(f, gh, at), "definition of convolution"),
    ]
    return steps, "Convolution is associative: (f * g) * h = f * (g * h)"


def _distributivity(D):
    at, b1 = D.at, D.b1
    gh = D.fn(lambda *x: g(*x) + h(*x))
    steps = [
        convolution(f, gh, at),
        (D.total(f(*b1) * (g(*D.minus(at, b1)) + h(*D.minus(at, b1))), b1), "definition of convolution"),
        (D.total(f(*b1) * g(*D.minus(at, b1)), b1) + D.total(f(*b1) * h(*D.minus(at, b1)), b1),
         "linearity of the " + ("sum" if D.discrete else "integral")),
        (convolution(f, g, at) + convolution(f, h, at), "definition of convolution, twice"),
    ]
    return steps, "Convolution distributes over addition: f * (g + h) = f * g + f * h"


def _linearity(D):
    at, b1 = D.at, D.b1
    a, b = sp.symbols("a b")
    comb = D.fn(lambda *x: a * g(*x) + b * h(*x))
    steps = [
        convolution(f, comb, at),
        (D.total(f(*b1) * (a * g(*D.minus(at, b1)) + b * h(*D.minus(at, b1))), b1),
         "definition of convolution"),
        (a * D.total(f(*b1) * g(*D.minus(at, b1)), b1) + b * D.total(f(*b1) * h(*D.minus(at, b1)), b1),
         "linearity: split the " + ("sum" if D.discrete else "integral") + " and pull out the constants"),
        (a * convolution(f, g, at) + b * convolution(f, h, at), "definition of convolution, twice"),
    ]
    return steps, "Convolution is linear: f * (a g + b h) = a (f * g) + b (f * h)"


def _shift_equivariance(D):
    at, b1, b2, c = D.at, D.b1, D.b2, D.c
    shifted = D.fn(lambda *x: f(*D.minus(x, c)))
    steps = [
        convolution(shifted, g, at),
        (D.total(f(*D.minus(b1, c)) * g(*D.minus(at, b1)), b1),
         "definition of convolution; the input is f shifted by " + ", ".join(map(_text, c))),
        (D.total(f(*b2) * g(*D.minus(D.minus(at, c), b2)), b2), _subst_text(D, b1, D.plus(b2, c))),
        (convolution(f, g, D.minus(at, c)),
         "definition of convolution, evaluated at the shifted point"),
    ]
    return steps, "Convolution is shift-equivariant: shifting the input shifts the output"


def _identity(D):
    at, b1 = D.at, D.b1
    unit = D.fn(lambda *x: D.delta(*x))
    name = "Kronecker delta" if D.discrete else "Dirac delta"
    steps = [
        convolution(f, unit, at),
        (D.total(f(*b1) * D.delta(*D.minus(at, b1)), b1), "definition of convolution"),
        (f(*at), f"sifting property of the {name}"),
    ]
    return steps, f"The {name} is the identity: f * δ = f"


def _conv_corr_flip(D):
    at, b1, b2 = D.at, D.b1, D.b2
    flipped = D.fn(lambda *x: g(*[-v for v in x]))
    steps = [
        correlation(f, g, at),
        (D.total(f(*D.plus(at, b1)) * g(*b1), b1), "definition of cross-correlation"),
        (D.total(f(*b2) * g(*D.minus(b2, at)), b2), _subst_text(D, b1, D.minus(b2, at))),
        (convolution(f, flipped, at), "definition of convolution with the flipped kernel ğ(x) = g(-x)"),
    ]
    return steps, "Cross-correlation is convolution with a flipped kernel: f ⋆ g = f * ğ"


def _corr_not_commutative(D):
    if D.discrete:
        n1 = sp.Integer(1)
        m = D.b2[0]
        x = Lambda(Symbol("v", integer=True), KroneckerDelta(Symbol("v", integer=True), 0)
                   + 2 * KroneckerDelta(Symbol("v", integer=True), 1))
        y = Lambda(Symbol("v", integer=True), KroneckerDelta(Symbol("v", integer=True), 0)
                   + 3 * KroneckerDelta(Symbol("v", integer=True), 1))
        steps = [
            correlation(x, y, n1) - correlation(y, x, n1),
            (Sum(x(1 + m) * y(m), (m, -oo, oo)) - Sum(y(1 + m) * x(m), (m, -oo, oo)),
             "definition of cross-correlation with x = δ + 2δ[· - 1], y = δ + 3δ[· - 1]"),
            (Add(Mul(2, 1, evaluate=False), Mul(-1, 3, 1, evaluate=False), evaluate=False),
             "only m = 0 contributes: x[1] y[0] - y[1] x[0] (sifting)"),
            (sp.Integer(-1), "arithmetic: the two orders differ"),
        ]
        return steps, ("Cross-correlation is not commutative: a counterexample with "
                       "x = δ + 2δ[n-1], y = δ + 3δ[n-1] at n = 1")
    t, tau, u = D.at[0], D.b1[0], D.b3[0]
    v = Symbol("v", real=True)
    p = Lambda(v, exp(-v ** 2))
    q = Lambda(v, exp(-(v - 1) ** 2))
    c = (t - 1) / 2
    steps = [
        correlation(p, q, t) - correlation(q, p, t),
        (Integral(exp(-(t + tau) ** 2) * exp(-(tau - 1) ** 2), (tau, -oo, oo))
         - Integral(exp(-(t + tau - 1) ** 2) * exp(-tau ** 2), (tau, -oo, oo)),
         "definition of cross-correlation with p(x) = exp(-x²), q(x) = exp(-(x-1)²)"),
        (exp(-(t + 1) ** 2 / 2) * Integral(exp(-2 * (tau + c) ** 2), (tau, -oo, oo))
         - exp(-(t - 1) ** 2 / 2) * Integral(exp(-2 * (tau + c) ** 2), (tau, -oo, oo)),
         "complete the square in each exponent"),
        ((exp(-(t + 1) ** 2 / 2) - exp(-(t - 1) ** 2 / 2)) * Integral(exp(-2 * u ** 2), (u, -oo, oo)),
         "substitute u = τ + (t - 1)/2"),
        (sqrt(pi / 2) * (exp(-(t + 1) ** 2 / 2) - exp(-(t - 1) ** 2 / 2)), "Gaussian integral"),
        (-sqrt(2 * pi) * exp(-(t ** 2 + 1) / 2) * sp.sinh(t), "combine: nonzero for every t ≠ 0"),
    ]
    return steps, ("Cross-correlation is not commutative: p ⋆ q - q ⋆ p is not zero "
                   "for two Gaussians")


def _derivative(D):
    if D.discrete:
        n, k = D.at[0], D.b1[0]
        nabla_f = D.fn(lambda x: f(x) - f(x - 1))
        nabla_g = D.fn(lambda x: g(x) - g(x - 1))
        steps = [
            convolution(nabla_f, g, n),
            (Sum((f(k) - f(k - 1)) * g(n - k), (k, -oo, oo)),
             "definition of convolution, with the backward difference ∇f[k] = f[k] - f[k-1]"),
            (Sum(f(k) * g(n - k), (k, -oo, oo)) - Sum(f(k - 1) * g(n - k), (k, -oo, oo)), "linearity"),
            (Sum(f(k) * g(n - k), (k, -oo, oo)) - Sum(f(k) * g(n - 1 - k), (k, -oo, oo)),
             "substitute k → k + 1 in the second sum"),
            (convolution(f, g, n) - convolution(f, g, n - 1),
             "definition of convolution: this is ∇(f * g)[n]"),
            (Sum(f(k) * (g(n - k) - g(n - 1 - k)), (k, -oo, oo)), "definition and linearity"),
            (convolution(f, nabla_g, n), "definition of convolution with ∇g"),
        ]
        return steps, "Differences commute with convolution: ∇f * g = ∇(f * g) = f * ∇g"
    t, tau, sigma = D.at[0], D.b1[0], D.b2[0]
    x, y = sp.symbols("x y", real=True)
    fp = Lambda(x, sp.Subs(Derivative(f(y), y), y, x))
    gp = Lambda(x, sp.Subs(Derivative(g(y), y), y, x))
    steps = [
        convolution(fp, g, t),
        (Integral(fp(tau) * g(t - tau), (tau, -oo, oo)), "definition of convolution"),
        (Integral(fp(t - sigma) * g(sigma), (sigma, -oo, oo)), "substitute τ = t - σ"),
        (Derivative(Integral(f(t - sigma) * g(sigma), (sigma, -oo, oo)), t),
         "differentiation under the integral sign (f' integrable, g bounded)"),
        (Derivative(convolution(f, g, t), t), "definition of convolution, substituting σ = t - τ"),
        (Integral(f(tau) * gp(t - tau), (tau, -oo, oo)), "differentiation under the integral sign"),
        (convolution(f, gp, t), "definition of convolution"),
    ]
    return steps, "Derivative of a convolution: f' * g = (f * g)' = f * g'"


def _support_length(D):
    if D.kind == "continuous":
        A, B, s = sp.symbols("A B s", positive=True)
        tau = D.b1[0]
        fA = D.fn(lambda x: f(x) * (Heaviside(x) - Heaviside(x - A)))
        gB = D.fn(lambda x: g(x) * (Heaviside(x) - Heaviside(x - B)))

        def w(x, L):
            return Heaviside(x) - Heaviside(x - L)

        far = A + B + s
        steps = [
            convolution(fA, gB, far),
            (Integral(f(tau) * w(tau, A) * g(far - tau) * w(far - tau, B), (tau, -oo, oo)),
             "definition of convolution at t = A + B + s (s > 0)"),
            (Integral(f(tau) * g(far - tau) * w(far - tau, B), (tau, 0, A)),
             "the window of f keeps only 0 ≤ τ ≤ A"),
            (sp.Integer(0), "for τ ≤ A the argument of g exceeds B, outside its window"),
            (Integral(f(tau) * g(-s - tau) * w(-s - tau, B), (tau, 0, A)),
             "likewise at t = -s: the argument of g is negative"),
            (convolution(fA, gB, -s), "definition of convolution at t = -s"),
        ]
        return steps, ("Support of a convolution: f supported in [0, A], g in [0, B] give "
                       "f * g supported in [0, A + B], of length A + B")
    if D.kind == "discrete":
        N, M = sp.symbols("N M", positive=True, integer=True)
        n, k = D.at[0], D.b1[0]

        def w(x, L):
            return Heaviside(x, 1) - Heaviside(x - L, 1)

        steps = [
            Sum(Heaviside(Sum(w(k, N) * w(n - k, M), (k, -oo, oo)) - 1, 1), (n, -oo, oo)),
            (Sum(Heaviside(Min(N - 1, n) - Max(0, n - M + 1), 1), (n, -oo, oo)),
             "the terms of (x * h)[n] inside both supports are k = max(0, n-M+1), ..., min(N-1, n)"),
            (Sum(1, (n, 0, N + M - 2)), "that range is non-empty exactly when 0 ≤ n ≤ N + M - 2"),
            (N + M - 1, "count the output positions"),
        ]
        return steps, ("Length of a convolution: x of length N and h of length M give x * h "
                       "of length N + M - 1 (count the n with at least one term)")
    N1, M1, N2, M2 = sp.symbols("N_1 M_1 N_2 M_2", positive=True, integer=True)
    i, j = D.at
    k, l = D.b1

    def w(x, L):
        return Heaviside(x, 1) - Heaviside(x - L, 1)

    def ok(x, N, M):
        return Heaviside(Min(N - 1, x) - Max(0, x - M + 1), 1)

    steps = [
        Sum(Heaviside(Sum(w(k, N1) * w(l, N2) * w(i - k, M1) * w(j - l, M2), (l, -oo, oo), (k, -oo, oo))
                      - 1, 1), (j, -oo, oo), (i, -oo, oo)),
        (Sum(ok(i, N1, M1) * ok(j, N2, M2), (j, -oo, oo), (i, -oo, oo)),
         "the terms form a rectangle of indices; it is non-empty when both sides are"),
        (Sum(1, (j, 0, N2 + M2 - 2), (i, 0, N1 + M1 - 2)), "each side is non-empty on its own range"),
        ((N1 + M1 - 1) * (N2 + M2 - 1), "count the output positions"),
    ]
    return steps, ("Size of a 2-D convolution: an N1 x N2 input and an M1 x M2 kernel give "
                   "(N1 + M1 - 1) x (N2 + M2 - 1) outputs")


# ---------------------------------------------------------------------------
# transforms
# ---------------------------------------------------------------------------

def _convolution_theorem(kind):
    if kind == "fourier":
        t, tau, u, w = sp.symbols("t tau u omega", real=True)
        steps = [
            Integral(convolution(f, g, t) * exp(-IMAG * w * t), (t, -oo, oo)),
            (Integral(Integral(f(tau) * g(t - tau), (tau, -oo, oo)) * exp(-IMAG * w * t), (t, -oo, oo)),
             "definition of convolution"),
            (Integral(f(tau) * Integral(g(t - tau) * exp(-IMAG * w * t), (t, -oo, oo)), (tau, -oo, oo)),
             "swap the order of integration (Fubini)"),
            (Integral(f(tau) * Integral(g(u) * exp(-IMAG * w * (u + tau)), (u, -oo, oo)), (tau, -oo, oo)),
             "substitute t = u + τ in the inner integral"),
            (Integral(f(tau) * exp(-IMAG * w * tau), (tau, -oo, oo))
             * Integral(g(u) * exp(-IMAG * w * u), (u, -oo, oo)),
             "split the exponential; the two integrals separate: F(ω) G(ω)"),
        ]
        return steps, "Convolution theorem (Fourier): the transform of f * g is F(ω) G(ω)"
    if kind == "laplace":
        t, tau, v = sp.symbols("t tau v", real=True)
        s = Symbol("s", positive=True)
        steps = [
            Integral(Integral(f(tau) * g(t - tau), (tau, 0, t)) * exp(-s * t), (t, 0, oo)),
            (Integral(Integral(f(tau) * g(t - tau) * Heaviside(t - tau), (tau, 0, oo)) * exp(-s * t),
                      (t, 0, oo)),
             "the unit step u(t - τ) lets the inner integral run to infinity"),
            (Integral(f(tau) * Integral(g(t - tau) * Heaviside(t - tau) * exp(-s * t), (t, 0, oo)),
                      (tau, 0, oo)),
             "swap the order of integration (Fubini)"),
            (Integral(f(tau) * Integral(g(v) * Heaviside(v) * exp(-s * (v + tau)), (v, -tau, oo)),
                      (tau, 0, oo)),
             "substitute t = v + τ in the inner integral"),
            (Integral(f(tau) * exp(-s * tau), (tau, 0, oo)) * Integral(g(v) * exp(-s * v), (v, 0, oo)),
             "u(v) = 0 for v < 0; split the exponential: F(s) G(s)"),
        ]
        return steps, ("Convolution theorem (Laplace): for causal f and g the transform of "
                       "∫_0^t f(τ) g(t-τ) dτ is F(s) G(s)")
    if kind == "dft":
        N = Symbol("N", positive=True, integer=True)
        k, n, m, r = sp.symbols("k n m r", integer=True)
        x, hh = Function("x"), Function("h")

        def W(e):
            return exp(-2 * pi * IMAG * k * e / N)

        steps = [
            Sum(Sum(x(m) * hh(Mod(n - m, N)), (m, 0, N - 1)) * W(n), (n, 0, N - 1)),
            (Sum(x(m) * Sum(hh(Mod(n - m, N)) * W(n), (n, 0, N - 1)), (m, 0, N - 1)),
             "swap the order of summation"),
            (Sum(x(m) * W(m) * Sum(hh(Mod(n - m, N)) * W(n - m), (n, 0, N - 1)), (m, 0, N - 1)),
             "split the exponential"),
            (Sum(x(m) * W(m) * Sum(hh(Mod(n - m, N)) * W(Mod(n - m, N)), (n, 0, N - 1)), (m, 0, N - 1)),
             "the exponential has period N in its index"),
            (Sum(x(m) * W(m) * Sum(hh(r) * W(r), (r, 0, N - 1)), (m, 0, N - 1)),
             "as n runs over one period, r = (n - m) mod N runs over 0, ..., N-1 once"),
            (Sum(x(m) * W(m), (m, 0, N - 1)) * Sum(hh(r) * W(r), (r, 0, N - 1)),
             "linearity: X[k] H[k]"),
        ]
        return steps, ("Convolution theorem (DFT): the DFT of the circular convolution "
                       "Σ_m x[m] h[(n-m) mod N] is X[k] H[k]")
    if kind == "z":
        n, k, m = sp.symbols("n k m", integer=True)
        z = Symbol("z", nonzero=True)
        x, hh = Function("x"), Function("h")
        steps = [
            Sum(Sum(x(k) * hh(n - k), (k, -oo, oo)) * z ** (-n), (n, -oo, oo)),
            (Sum(x(k) * Sum(hh(n - k) * z ** (-n), (n, -oo, oo)), (k, -oo, oo)),
             "swap the order of summation"),
            (Sum(x(k) * Sum(hh(m) * z ** (-(m + k)), (m, -oo, oo)), (k, -oo, oo)),
             "substitute n = m + k in the inner sum"),
            (Sum(x(k) * z ** (-k), (k, -oo, oo)) * Sum(hh(m) * z ** (-m), (m, -oo, oo)),
             "split the power; the sums separate: X(z) H(z)"),
        ]
        return steps, "Convolution theorem (z-transform): Z{x * h}(z) = X(z) H(z)"
    raise AssertionError(kind)


# ---------------------------------------------------------------------------
# deep learning
# ---------------------------------------------------------------------------

def _stacked_convolutions(D):
    at, b1, b2, b3 = D.at, D.b1, D.b2, D.b3
    x, a, b = Function("x"), Function("a"), Function("b")
    first = D.fn(lambda *v: correlation(x, a, v))
    kernel = D.fn(lambda *v: convolution(a, b, v))
    word = "sum" if D.discrete else "integral"
    steps = [
        correlation(first, b, at),
        (D.total(correlation(x, a, D.plus(at, b3)) * b(*b3), b3), "definition of the second layer"),
        (D.total(D.total(x(*D.plus(D.plus(at, b3), b1)) * a(*b1), b1) * b(*b3), b3),
         "definition of the first layer"),
        (D.total(D.total(x(*D.plus(at, b2)) * a(*D.minus(b2, b3)), b2) * b(*b3), b3),
         _subst_text(D, b1, D.minus(b2, b3)) + f" in the inner {word}"),
        (D.total(x(*D.plus(at, b2)) * D.total(a(*D.minus(b2, b3)) * b(*b3), b3), b2),
         "swap the order (Fubini)"),
        (D.total(x(*D.plus(at, b2)) * convolution(b, a, b2), b2), "definition of convolution (b * a)"),
        (D.total(x(*D.plus(at, b2)) * convolution(a, b, b2), b2), "commutativity of convolution"),
        (correlation(x, kernel, at), "definition of cross-correlation with the kernel a * b"),
    ]
    size = ("k1 + k2 - 1" if D.kind != "2d" else "(k1 + k2 - 1) x (k1' + k2' - 1)")
    return steps, ("Two stacked convolution layers without a nonlinearity are one layer: "
                   f"(x ⋆ a) ⋆ b = x ⋆ (a * b), kernel size {size}")


def _transpose_adjoint(D):
    at, b1, b2 = D.at, D.b1, D.b2
    x, w, y = Function("x"), Function("w"), Function("y")
    steps = [
        D.total(correlation(x, w, at) * y(*at), at),
        (D.total(D.total(x(*D.plus(at, b1)) * w(*b1), b1) * y(*at), at),
         "⟨Cx, y⟩ with the layer Cx = x ⋆ w (definition of cross-correlation)"),
        (D.total(D.total(x(*b2) * w(*D.minus(b2, at)), b2) * y(*at), at),
         _subst_text(D, b1, D.minus(b2, at))),
        (D.total(x(*b2) * D.total(y(*at) * w(*D.minus(b2, at)), at), b2),
         "swap the order (Fubini)"),
        (D.total(x(*b2) * convolution(y, w, b2), b2),
         "definition of convolution: ⟨x, Cᵀy⟩ with Cᵀy = y * w, the transposed convolution"),
    ]
    return steps, ("The transposed convolution is the adjoint: ⟨x ⋆ w, y⟩ = ⟨x, y * w⟩, "
                   "so Cᵀ is convolution with w")


def _backprop(D):
    x, w, d = Function("x"), Function("w"), Function("dy")
    at, b1 = D.at, D.b1
    p = D.b2
    q = D.b3

    def kd(u, v):
        return Mul(*[KroneckerDelta(a, b) for a, b in zip(u, v)])

    steps = [
        Matrix([
            D.total(d(*at) * D.total(kd(D.plus(at, b1), p) * w(*b1), b1), at),
            D.total(d(*at) * D.total(x(*D.plus(at, b1)) * kd(b1, q), b1), at),
            D.total(d(*at), at),
        ]),
        (Matrix([
            D.total(d(*at) * w(*D.minus(p, at)), at),
            D.total(d(*at) * x(*D.plus(at, q)), at),
            D.total(d(*at), at),
        ]), "sifting property of the Kronecker delta"),
        (Matrix([convolution(d, w, p), correlation(x, d, q), D.total(d(*at), at)]),
         "definitions: full convolution of dy with w (a transposed convolution), "
         "cross-correlation of x with dy"),
    ]
    idx = ", ".join(map(str, at))
    return steps, (f"Backpropagation through y[{idx}] = Σ x[{idx} + k] w[k] + b with upstream "
                   "gradient dy = ∂L/∂y: the rows are ∂L/∂x, ∂L/∂w, ∂L/∂b "
                   "(chain rule, with ∂x[i]/∂x[p] = δ_ip)")


def _output_size(D):
    if D.kind == "discrete":
        dims = [("", )]
    else:
        dims = [("_1",), ("_2",)]
    factors_start, factors_mid, factors_end, idx = [], [], [], []
    for (suffix,) in dims:
        n, k, s, dl = sp.symbols(f"n{suffix} k{suffix} s{suffix} d{suffix}", positive=True, integer=True)
        plo, phi = sp.symbols(f"p_lo{suffix} p_hi{suffix}", nonnegative=True, integer=True)
        i = Symbol(f"i{suffix}", integer=True)
        room = n + plo + phi - dl * (k - 1) - 1
        idx.append(i)
        factors_start.append((Heaviside(room - s * i, 1), (i, 0, oo)))
        factors_mid.append((Heaviside(room, 1), (i, 0, floor(room / s))))
        factors_end.append(Heaviside(room, 1) * (floor(room / s) + 1))
    if len(dims) == 1:
        (body, lim), = factors_start
        start = Sum(body, lim)
        (fac, lim2), = factors_mid
        mid = fac * Sum(1, lim2)
        end = factors_end[0]
    else:
        start = Sum(Mul(*[b for b, _ in factors_start]), *[lim for _, lim in reversed(factors_start)])
        mid = Mul(*[fac * Sum(1, lim) for fac, lim in factors_mid])
        end = Mul(*factors_end)
    steps = [
        start,
        (mid, "window i covers padded positions i·s, i·s + d, ..., i·s + d(k-1); it fits when "
              "i·s ≤ n + p_lo + p_hi - d(k-1) - 1, i.e. i ≤ floor((n + p_lo + p_hi - d(k-1) - 1)/s), "
              "and no window fits when that is negative"),
        (end, "count the valid positions"),
    ]
    return steps, ("Output size of a convolution layer: count the window positions that fit in the "
                   "padded input, floor((n + p_lo + p_hi - d(k-1) - 1)/s) + 1")


def _probabilistic_commutativity(D):
    if D.discrete:
        n, k, m = D.at[0], D.b1[0], D.b2[0]
        steps = [
            Sum(Sum(f(k) * g(m) * KroneckerDelta(n, k + m), (m, -oo, oo)), (k, -oo, oo)),
            (Sum(f(k) * g(n - k), (k, -oo, oo)), "sifting: only m = n - k contributes"),
            (convolution(f, g, n), "definition of convolution"),
            (Sum(g(m) * f(n - m), (m, -oo, oo)), "substitute k = n - m"),
            (Sum(Sum(g(m) * f(k) * KroneckerDelta(n, m + k), (k, -oo, oo)), (m, -oo, oo)),
             "the same event {Y + X = n}, summed in the other order"),
            (convolution(g, f, n), "sifting and the definition of convolution: the pmf of Y + X"),
        ]
        return steps, ("Probabilistic commutativity: for independent integer X ~ f, Y ~ g, "
                       "P(X + Y = n) = (f * g)[n] = (g * f)[n]")
    z, x, y = sp.symbols("z x y", real=True)
    steps = [
        Derivative(Integral(Integral(f(x) * g(y) * Heaviside(z - x - y), (y, -oo, oo)), (x, -oo, oo)), z),
        (Integral(f(x) * Integral(g(y) * DiracDelta(z - x - y), (y, -oo, oo)), (x, -oo, oo)),
         "differentiate under the integral sign; the derivative of the unit step is δ"),
        (Integral(f(x) * g(z - x), (x, -oo, oo)), "sifting property of the Dirac delta"),
        (convolution(f, g, z), "definition of convolution"),
        (Integral(g(y) * f(z - y), (y, -oo, oo)), "substitute x = z - y"),
        (Derivative(Integral(Integral(g(y) * f(x) * Heaviside(z - y - x), (x, -oo, oo)), (y, -oo, oo)), z),
         "the same computation for Y + X, integrating over x first"),
        (convolution(g, f, z), "the density of Y + X (definition of convolution)"),
    ]
    return steps, ("Probabilistic commutativity: for independent X, Y with densities f, g, "
                   "the density of X + Y = Y + X is f * g = g * f (differentiate P(X + Y ≤ z))")


_BUILDERS = {
    "commutativity": _commutativity,
    "associativity": _associativity,
    "distributivity": _distributivity,
    "linearity": _linearity,
    "shift_equivariance": _shift_equivariance,
    "identity": _identity,
    "conv_corr_flip": _conv_corr_flip,
    "corr_not_commutative": _corr_not_commutative,
    "derivative": _derivative,
    "support_length": _support_length,
    "stacked_convolutions": _stacked_convolutions,
    "transpose_adjoint": _transpose_adjoint,
    "backprop": _backprop,
    "output_size": _output_size,
    "probabilistic_commutativity": _probabilistic_commutativity,
}


def kinds(name):
    """The kinds available for a theorem (the first one is its default).

    >>> kinds('identity')
    ('continuous', 'discrete', '2d')
    """
    if name not in _CATALOGUE:
        raise SymconvError(f"name must be one of {', '.join(NAMES)}, but got {name!r}")
    allowed, default = _CATALOGUE[name]
    return (default,) + tuple(k for k in allowed if k != default)


def theorem(name=None, kind=None):
    """A classic fact about convolution as a checkable :class:`~symconv.proofs.Derivation`.

    Parameters
    ----------
    name : str, optional
        One of :data:`NAMES`; without it, the tuple of names is returned.
    kind : str, optional
        ``'continuous'``, ``'discrete'`` or ``'2d'`` (2-D discrete) where
        meaningful; for ``'convolution_theorem'`` one of ``'fourier'``,
        ``'laplace'``, ``'dft'``, ``'z'``. Defaults to the first of :func:`kinds`.

    Returns
    -------
    Derivation or tuple of str

    Examples
    --------
    >>> d = theorem('identity', kind='discrete')
    >>> print(d)
    The Kronecker delta is the identity: f * δ = f (discrete)
        conv(f, (x0 -> KroneckerDelta(0, x0)))(n)
      = Sum(f(k)*KroneckerDelta(0, n - k), (k, -oo, oo))    [definition of convolution]
      = f(n)                                                [sifting property of the Kronecker delta]
    >>> [s.status for s in d.check().steps]
    ['proven', 'proven']
    """
    if name is None:
        return NAMES
    if not isinstance(name, str) or name not in _CATALOGUE:
        raise SymconvError(f"name must be one of {', '.join(NAMES)}, but got {name!r}")
    allowed, default = _CATALOGUE[name]
    kind = default if kind is None else kind
    if kind not in allowed:
        options = ", ".join(repr(k) for k in allowed)
        raise SymconvError(f"kind for {name!r} must be one of {options}, but got {kind!r}")
    if name == "convolution_theorem":
        steps, title = _convolution_theorem(kind)
        dkind = "continuous" if kind in ("fourier", "laplace") else "discrete"
        return Derivation(steps, f"{title}", kind=dkind)
    D = _Domain(kind)
    steps, title = _BUILDERS[name](D)
    return Derivation(steps, f"{title} ({D.word})", kind="continuous" if kind == "continuous" else "discrete")
