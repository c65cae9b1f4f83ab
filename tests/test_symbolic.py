"""Tests of symconv.signals.continuous: closed forms of continuous convolutions/correlations.

Every closed form is compared with an independent numeric evaluation of the
*defining integral* (scipy.integrate.quad, split at the signals' discontinuities,
which are found by sympy.solve, not by the engine), at several values of t and
for random parameter values that respect the symbols' assumptions; textbook
answers are compared exactly as well.  Hypothesis drives the algebraic properties
(commutativity, linearity, shift equivariance, the delta identity) on random
members of each supported family, checked numerically.
"""

import math
import random
import signal
import time

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate

import symconv as sc
from symconv.signals import continuous as symbolic
from symconv.errors import SymconvError
from symconv.signals import delta, flip, ramp, rect, shift, tri, u
from symconv.signals.continuous import conv, corr

t = sp.Symbol("t", real=True)
a, b, T, W = sp.symbols("a b T W", positive=True)
w = sp.Symbol("w", positive=True)
c = sp.Symbol("c", real=True)
s1, s2 = sp.symbols("sigma1 sigma2", positive=True)
m1, m2 = sp.symbols("mu1 mu2", real=True)


# --------------------------------------------------------------------------------
# the independent numeric reference
# --------------------------------------------------------------------------------

def _breaks(expr, var):
    """Real points where ``expr`` may jump or kink (zeros of the arguments of
    Heaviside/Abs/sign, of the sides of relations and of the differences of Max/Min
    arguments), found with sympy.solve."""
    args = []
    for node in sp.preorder_traversal(expr):
        if isinstance(node, (sp.Heaviside, sp.Abs, sp.sign)):
            args.append(node.args[0])
        elif isinstance(node, sp.core.relational.Relational):
            args.append(node.lhs - node.rhs)
        elif isinstance(node, (sp.Max, sp.Min)):
            args += [p - q for i, p in enumerate(node.args) for q in node.args[i + 1:]]
    points = set()
    for arg in args:
        if arg.has(var):
            try:
                roots = sp.solve(arg, var)
            except NotImplementedError:      # nested Max/Min: only costs accuracy
                roots = []
            points.update(float(r) for r in roots if r.is_real)
    return sorted(points)


def _function(expr, var):
    fast = sp.lambdify(var, expr, modules=["scipy", "numpy"])
    exact = sp.lambdify(var, expr, modules="mpmath")    # no overflow: exp(500)*0 == 0

    def value(x):
        with np.errstate(all="ignore"):
            v = complex(fast(x))
        if not (math.isfinite(v.real) and math.isfinite(v.imag)):
            v = complex(exact(x))
        return v
    return value


def numeric_conv(f, g, t0, values=None, op="conv"):
    """∫ f(τ) g(t0 − τ) dτ (op='conv') or ∫ f(t0 + τ) conj(g(τ)) dτ (op='corr') by quad."""
    values = values or {}
    fv = sp.sympify(f).subs(values)
    gv = sp.sympify(g).subs(values)
    F, G = _function(fv, t), _function(gv, t)
    if op == "conv":
        def integrand(x):
            return F(x) * G(t0 - x)
        cuts = set(_breaks(fv, t)) | {t0 - p for p in _breaks(gv, t)}
    else:
        def integrand(x):
            return F(t0 + x) * G(x).conjugate()
        cuts = {p - t0 for p in _breaks(fv, t)} | set(_breaks(gv, t))
    edges = [-np.inf, *sorted(cuts), np.inf]
    complex_valued = fv.has(sp.I) or gv.has(sp.I)
    total = 0j
    for lo, hi in zip(edges[:-1], edges[1:]):
        if hi - lo == 0:
            continue
        opts = dict(limit=400, epsabs=1e-11, epsrel=1e-11)
        re_part = integrate.quad(lambda x: integrand(x).real, lo, hi, **opts)[0]
        im_part = (integrate.quad(lambda x: integrand(x).imag, lo, hi, **opts)[0]
                   if complex_valued else 0.0)
        total += complex(re_part, im_part)
    return total


def evaluate(expr, t0, values=None):
    """The closed form at t = t0 (parameters substituted first)."""
    e = sp.sympify(expr).subs(values or {})
    assert not e.has(sp.Integral), f"no closed form: {expr}"
    return complex(sp.N(e.subs(t, t0), 30))


def random_values(symbols, rng):
    values = {}
    for s in symbols:
        if s.is_positive:
            values[s] = sp.Rational(rng.randint(30, 250), 100)
        elif s.is_real:
            values[s] = sp.Rational(rng.randint(-200, 200), 100)
        else:
            values[s] = sp.Rational(rng.randint(-200, 200), 100)
    return values


def assert_matches_quadrature(result, f, g, *, values=None, points=(-1.7, -0.3, 0.45, 1.3, 2.6),
                              op="conv", tol=1e-7):
    for t0 in points:
        got = evaluate(result, t0, values)
        want = numeric_conv(f, g, t0, values, op)
        assert abs(got - want) <= tol * max(1.0, abs(want)), (t0, values, got, want, result)


def check_random(result, f, g, symbols, seeds=(1, 2, 3), **kw):
    for seed in seeds:
        rng = random.Random(seed)
        values = random_values(symbols, rng)
        points = [rng.uniform(-3, 5) for _ in range(4)]
        assert_matches_quadrature(result, f, g, values=values, points=points, **kw)


def same_function(e1, e2, points=np.linspace(-4.3, 5.1, 29), values=None):
    for t0 in points:
        v1, v2 = evaluate(e1, t0, values), evaluate(e2, t0, values)
        assert abs(v1 - v2) < 1e-9 * max(1, abs(v2)), (t0, v1, v2)


# --------------------------------------------------------------------------------
# textbook pairs, exact and numeric
# --------------------------------------------------------------------------------

def test_step_with_step_is_ramp():
    assert conv(u(t), u(t), t) == t * sp.Heaviside(t)


def test_ramp_with_step():
    r = conv(ramp(t), u(t), t)
    assert sp.simplify(r - t ** 2 / 2 * sp.Heaviside(t)) == 0
    assert_matches_quadrature(r, ramp(t), u(t))


def test_two_boxes_make_a_triangle():
    box = u(t) - u(t - 1)
    r = conv(box, box, t)
    expected = sp.Piecewise((0, t < 0), (t, t < 1), (2 - t, t < 2), (0, True))
    assert r == expected
    assert_matches_quadrature(r, box, box)


def test_rect_with_rect_is_tri():
    r = conv(rect(t), rect(t), t)
    same_function(r, tri(t))
    assert_matches_quadrature(r, rect(t), rect(t))


def test_causal_exponentials_textbook_form_and_equal_rates():
    f, g = sp.exp(-a * t) * u(t), sp.exp(-b * t) * u(t)
    r = conv(f, g, t)
    generic = (sp.exp(-a * t) - sp.exp(-b * t)) / (b - a) * sp.Heaviside(t)
    assert r.is_Mul and sp.Heaviside(t) in r.args   # the textbook "... u(t)" shape
    assert sp.simplify(r.subs(b, a + 1) - generic.subs(b, a + 1)) == 0
    assert sp.simplify(r.subs(b, a) - t * sp.exp(-a * t) * sp.Heaviside(t)) == 0
    check_random(r, f, g, [a, b])
    assert_matches_quadrature(r, f, g, values={a: 1.3, b: 1.3})
    assert sp.Eq(a, b) in [arg.cond for arg in r.atoms(sp.Piecewise).pop().args]


def test_equal_rates_have_no_case_split():
    r = conv(sp.exp(-a * t) * u(t), sp.exp(-a * t) * u(t), t)
    assert r == t * sp.exp(-a * t) * sp.Heaviside(t)


def test_exponential_with_box():
    f, g = sp.exp(-a * t) * u(t), u(t) - u(t - T)
    r = conv(f, g, t)
    assert not r.has(sp.Integral)
    check_random(r, f, g, [a, T])


def test_boxes_of_symbolic_widths_split_on_their_order():
    f, g = rect(t / T), rect(t / W)
    r = conv(f, g, t)
    assert isinstance(r, sp.Piecewise) and r.args[0].cond == sp.Ge(T, W)
    for vals in ({T: 2, W: 1}, {T: sp.Rational(1, 2), W: sp.Rational(3, 2)}, {T: 1, W: 1}):
        assert_matches_quadrature(r, f, g, values=vals)
    # the plateau of the trapezoid is the smaller width
    assert r.subs({T: 3, W: 1, t: 0}) == 1


def test_triangle_with_box():
    r = conv(tri(t), rect(t), t)
    assert_matches_quadrature(r, tri(t), rect(t))
    assert r.subs(t, 0) == sp.Rational(3, 4)


def test_gaussians_equal_and_different_widths_shifted():
    g1 = sp.exp(-(t - m1) ** 2 / (2 * s1 ** 2))
    g2 = sp.exp(-(t - m2) ** 2 / (2 * s2 ** 2))
    r = conv(g1, g2, t)
    expected = (sp.sqrt(2 * sp.pi) * s1 * s2 / sp.sqrt(s1 ** 2 + s2 ** 2)
                * sp.exp(-(t - m1 - m2) ** 2 / (2 * (s1 ** 2 + s2 ** 2))))
    assert sp.simplify(r - expected) == 0
    check_random(r, g1, g2, [s1, s2, m1, m2])
    same = conv(sp.exp(-t ** 2), sp.exp(-t ** 2), t)
    assert sp.simplify(same - sp.sqrt(sp.pi / 2) * sp.exp(-t ** 2 / 2)) == 0


def test_gaussian_with_box_uses_erf():
    r = conv(sp.exp(-t ** 2), rect(t), t)
    assert r.has(sp.erf)
    assert_matches_quadrature(r, sp.exp(-t ** 2), rect(t))


def test_polynomial_gaussian_and_trig_gaussian():
    f = t ** 2 * sp.exp(-t ** 2)
    g = sp.cos(2 * t) * sp.exp(-t ** 2 / 3)
    r = conv(f, g, t)
    assert not r.has(sp.I)
    assert_matches_quadrature(r, f, g)


def test_trig_with_causal_exponential_is_real_and_textbook():
    f, g = sp.cos(w * t) * u(t), sp.exp(-a * t) * u(t)
    r = conv(f, g, t)
    assert not r.has(sp.I)
    expected = (a * sp.cos(w * t) + w * sp.sin(w * t) - a * sp.exp(-a * t)) / (a ** 2 + w ** 2)
    assert sp.simplify(r - expected * sp.Heaviside(t)) == 0
    check_random(r, f, g, [a, w])


def test_sine_with_itself_and_step():
    assert sp.simplify(conv(sp.sin(t) * u(t), u(t), t) - (1 - sp.cos(t)) * sp.Heaviside(t)) == 0
    r = conv(sp.sin(t) * u(t), sp.sin(t) * u(t), t)
    assert_matches_quadrature(r, sp.sin(t) * u(t), sp.sin(t) * u(t))


def test_complex_exponential_input():
    f, g = sp.exp(sp.I * w * t) * u(t), sp.exp(-a * t) * u(t)
    r = conv(f, g, t)
    check_random(r, f, g, [a, w])


def test_two_sided_exponential_autocorrelation_uses_abs():
    f = sp.exp(-a * sp.Abs(t))
    r = conv(f, f, t)
    assert sp.simplify(r - (1 + a * sp.Abs(t)) * sp.exp(-a * sp.Abs(t)) / a) == 0
    check_random(r, f, f, [a])


def test_polynomial_times_exponential_with_box_and_shift():
    f = t ** 2 * sp.exp(-t) * u(t)
    g = u(t - 1) - u(t - 3)
    r = conv(f, g, t)
    assert_matches_quadrature(r, f, g, points=(-1, 0.5, 1.5, 2.5, 3.5, 7.0))


def test_symbolic_shift_of_unknown_sign():
    f = sp.exp(-t) * u(t)
    g = u(t) - u(t - c)          # a box on (0, c) for c > 0, minus a box on (c, 0) for c < 0
    r = conv(f, g, t)
    assert not r.has(sp.Integral)
    for cv in (sp.Rational(3, 2), sp.Rational(-7, 10)):
        assert_matches_quadrature(r, f, g, values={c: cv})


def test_width_compared_with_a_constant_and_a_symbolic_shift():
    f = 2 * rect(t - c)
    g = u(t + 1) - u(t + 1 - W)                 # a box of width W; the plateau is min(W, 1)
    r = conv(f, g, t)
    assert isinstance(r, sp.Piecewise) and r.args[0].cond == (W <= 1)
    for vals in ({W: sp.Rational(1, 2), c: sp.Rational(3, 10)}, {W: sp.Rational(5, 2), c: -1},
                 {W: 1, c: 0}):
        assert_matches_quadrature(r, f, g, values=vals)


def test_symbols_without_assumptions_split_on_every_sign():
    A, B = sp.symbols("A B")
    f, g = u(t) - u(t - A), u(t) - u(t - B)
    r = conv(f, g, t)
    assert not r.has(sp.Integral)
    for vals in ({A: 2, B: 1}, {A: 1, B: 3}, {A: -2, B: 1}, {A: 1, B: -sp.Rational(1, 2)},
                 {A: -1, B: -3}, {A: -3, B: -1}):
        assert_matches_quadrature(r, f, g, values=vals)


def test_shifted_causal_exponential():
    f = sp.exp(-a * (t - c)) * u(t - c)
    g = u(t + 1)
    r = conv(f, g, t)
    check_random(r, f, g, [a, c])


def test_delta_sifting_and_scaled_delta():
    f = sp.exp(-t) * u(t)
    assert conv(delta(t - 2), f, t) == sp.exp(2 - t) * sp.Heaviside(t - 2)
    assert conv(f, delta(t), t) == f
    # delta(2 t - 1) = delta(t - 1/2) / 2
    r = conv(sp.DiracDelta(2 * t - 1), rect(t), t)
    same_function(r, rect(t - sp.Rational(1, 2)) / 2, points=np.linspace(-2.1, 2.3, 23))
    assert conv(delta(t - 1), delta(t + 3), t) == sp.DiracDelta(t + 2)


def test_derivatives_of_delta_differentiate():
    f = sp.exp(-t) * u(t)
    assert conv(sp.DiracDelta(t, 1), f, t) == sp.DiracDelta(t) - sp.exp(-t) * sp.Heaviside(t)
    # the jumps of a Piecewise signal become impulses (SymPy's diff of Piecewise drops them)
    r = conv(sp.DiracDelta(t, 2), tri(t), t)
    assert r == sp.DiracDelta(t + 1) - 2 * sp.DiracDelta(t) + sp.DiracDelta(t - 1)
    # delta'(2 t - 1) = delta'(t - 1/2) / 4
    r = conv(sp.DiracDelta(2 * t - 1, 1), sp.exp(-t ** 2), t)
    assert sp.simplify(r - sp.diff(sp.exp(-t ** 2), t).subs(t, t - sp.Rational(1, 2)) / 4) == 0
    # t delta'(t - 1) = delta'(t - 1) - delta(t - 1)
    g = t ** 2 * u(t)
    r = conv(t * sp.DiracDelta(t - 1, 1), g, t)
    expected = (sp.diff(g, t) - g).subs(t, t - 1)
    same_function(r, expected, points=np.linspace(-2.1, 3.3, 13))


def test_delta_plus_regular_part():
    f = delta(t) + u(t) * sp.exp(-t)
    g = rect(t)
    r = conv(f, g, t)
    regular = conv(u(t) * sp.exp(-t), g, t)
    same_function(r, regular + rect(t), points=np.linspace(-2.2, 3.3, 20))


def test_plain_sympy_piecewise_max_and_abs_inputs():
    pw = sp.Piecewise((t, (t > 0) & (t < 1)), (2 - t, (t >= 1) & (t < 2)), (0, True))
    r1 = conv(pw, rect(t), t)
    r2 = conv(tri(t - 1), rect(t), t)
    same_function(r1, r2)
    mx = sp.Max(1 - sp.Abs(t), 0)
    r3 = conv(mx, rect(t), t)
    same_function(r3, conv(tri(t), rect(t), t))
    assert_matches_quadrature(r1, pw, rect(t))


def test_nonlinear_breakpoints_with_numeric_roots():
    f = sp.Heaviside(1 - t ** 2)          # the box on (-1, 1)
    r = conv(f, u(t) * sp.exp(-t), t)
    assert_matches_quadrature(r, f, u(t) * sp.exp(-t))


def test_sign_and_abs_kinks():
    f = sp.sign(t) * sp.exp(-sp.Abs(t))
    g = sp.Abs(t) * rect(t)
    r = conv(f, g, t)
    assert_matches_quadrature(r, f, g)


# --------------------------------------------------------------------------------
# conditions, fallbacks and honesty
# --------------------------------------------------------------------------------

def test_convergence_condition_when_sign_is_unknown():
    k = sp.Symbol("k", real=True)
    f = sp.exp(-k * sp.Abs(t))
    r = conv(f, f, t)
    assert isinstance(r, sp.Piecewise)
    assert r.args[0].cond == (k > 0)
    assert r.args[-1].expr.has(sp.Integral)
    assert_matches_quadrature(r.args[0].expr, f, f, values={k: sp.Rational(3, 4)})


def test_divergent_integral_is_left_unevaluated():
    for f, g in ((sp.S.One, sp.S.One), (sp.exp(t), sp.exp(t)), (u(t), u(-t))):
        r = conv(f, g, t, time_limit=3)
        assert isinstance(r, sp.Integral), r


def test_lorentzians_by_residues_match_quadrature():
    lorentz = 1 / (1 + t ** 2)
    r = conv(lorentz, lorentz, t)
    assert sp.simplify(r - 2 * sp.pi / (t ** 2 + 4)) == 0
    assert_matches_quadrature(r, lorentz, lorentz)
    # widths a, b: the Cauchy densities add their widths
    f, g = a / (a ** 2 + t ** 2), b / (b ** 2 + t ** 2)
    r = conv(f, g, t)
    assert sp.simplify(r - sp.pi * (a + b) / ((a + b) ** 2 + t ** 2)) == 0
    check_random(r, f, g, [a, b])
    # double poles, a shifted pole pair, odd numerators and poles of degree four
    for f, g in ((1 / (1 + t ** 2) ** 2, lorentz), (1 / (t ** 2 + 2 * t + 5), (t + 1) / (t ** 2 + 9) ** 2),
                 (t / (1 + t ** 2), lorentz), (1 / (1 + t ** 4), lorentz),
                 (1 / (t ** 2 + a ** 2), 1 / ((t - T) ** 2 + b ** 2))):
        r = conv(f, g, t)
        assert not r.has(sp.Integral), (f, g, r)
        check_random(r, f, g, sorted(r.free_symbols - {t}, key=str), seeds=(4, 5))
    r = corr(lorentz, 1 / (4 + t ** 2), t)
    assert_matches_quadrature(r, lorentz, 1 / (4 + t ** 2), op="corr")


def test_divergent_rational_pairs_are_decided_without_the_fallbacks(monkeypatch):
    def must_not_run(*args):
        raise AssertionError("the slow fallback ran although the integral diverges")
    monkeypatch.setattr(symbolic, "_integrate", must_not_run)
    monkeypatch.setattr(symbolic, "_laplace", must_not_run)
    lorentz = 1 / (1 + t ** 2)
    for f, g in ((lorentz, t), (t / (1 + t ** 2), 1 + 0 * t + 1 / (2 + t ** 2) * t ** 2),
                 (1 / t, lorentz), (1 / (t ** 2 - 1), lorentz)):
        r = conv(f, g, t)
        assert isinstance(r, sp.Integral), (f, g, r)


def test_laplace_fallback_for_power_law():
    f = sp.sqrt(t) * u(t)
    r = conv(f, u(t), t)
    assert not r.has(sp.Integral)
    for t0 in (0.5, 1.3, 2.6):      # ∫_0^t sqrt(τ) dτ (quad: the lambdified sqrt is nan for τ < 0)
        assert abs(evaluate(r, t0) - integrate.quad(math.sqrt, 0, t0)[0]) < 1e-9
    assert evaluate(r, -1.0) == 0


def test_unsupported_input_never_gives_a_wrong_answer():
    f = sp.exp(-t ** 4)          # no closed form
    r = conv(f, f, t, time_limit=2)
    assert r.has(sp.Integral)
    tau = sp.Symbol("tau", real=True)
    assert r == sp.Integral(sp.exp(-tau ** 4) * sp.exp(-(t - tau) ** 4), (tau, -sp.oo, sp.oo))


def test_pieces_integrate_non_elementary_pairs_with_sympy_on_finite_intervals():
    r = conv(u(t) / (t + 1) ** 2, u(t), t, method="pieces")
    assert sp.simplify(r - t / (t + 1) * sp.Heaviside(t)) == 0
    f, g = sp.sin(t) / t, rect(t)            # a removable singularity inside the piece
    r = conv(f, g, t)
    assert r.has(sp.Si)
    for t0 in (-1.3, 0.2, 2.4):
        want = integrate.quad(lambda x: math.sin(x) / x, t0 - 0.5, t0 + 0.5)[0]
        assert abs(evaluate(r, t0) - want) < 1e-9
    # a pole inside a piece is never handed to the integrator
    r = conv(u(t) * (u(t) - u(t - 2)) / (t - 1), u(t), t, time_limit=2)
    assert r.has(sp.Integral)


def test_method_pieces_only_and_bad_arguments():
    r = conv(sp.exp(-t ** 4), u(t), t, method="pieces", time_limit=1)
    assert isinstance(r, sp.Integral)
    with pytest.raises(SymconvError, match="method must be one of"):
        conv(u(t), u(t), t, method="magic")
    with pytest.raises(SymconvError, match="needs the variable"):
        conv(u(t), u(t))
    with pytest.raises(SymconvError, match="must be a SymPy expression"):
        conv("exp(-t)", u(t), t)
    with pytest.raises(SymconvError, match="must be a SymPy Symbol"):
        conv(u(t), u(t), t + 1)
    with pytest.raises(SymconvError, match="two sequences or two expressions"):
        conv([1, 2], u(t), t)
    with pytest.raises(SymconvError, match="timeout must be"):
        conv(u(t), u(t), t, time_limit=-1)
    with pytest.raises(SymconvError, match="KroneckerDelta in a continuous variable"):
        conv(sp.KroneckerDelta(t, 0), u(t), t)
    tp = sp.Symbol("t", positive=True)
    with pytest.raises(SymconvError, match="without sign assumptions"):
        conv(sp.exp(-tp), sp.exp(-tp), tp)


def test_variable_without_assumptions_and_other_name():
    x = sp.Symbol("x")
    r = conv(sp.exp(-x) * sp.Heaviside(x), sp.Heaviside(x), x)
    assert r.free_symbols == {x}
    assert sp.simplify(r - (1 - sp.exp(-x)) * sp.Heaviside(x)) == 0


# --------------------------------------------------------------------------------
# correlation
# --------------------------------------------------------------------------------

def test_corr_is_conv_with_flipped_kernel():
    pairs = [
        (sp.exp(-a * t) * u(t), u(t) - u(t - 1)),
        (rect(t - 1), tri(t)),
        (sp.exp(-t ** 2), sp.exp(-(t - 1) ** 2)),
        (t * u(t) * sp.exp(-t), sp.exp(-2 * t) * u(t)),
    ]
    for x, k in pairs:
        r1 = corr(x, k, t)
        r2 = conv(x, flip(k, t), t)
        vals = {a: sp.Rational(3, 2)}
        same_function(r1, r2, values=vals)
        assert_matches_quadrature(r1, x, k, values=vals, op="corr")


def test_corr_orientation_shifts_the_first_argument():
    # x(t) = delta(t - 1): corr(x, k)(t) = ∫ delta(t + τ - 1) k(τ) dτ = k(1 - t)
    k = sp.exp(-t) * u(t)
    r = corr(delta(t - 1), k, t)
    same_function(r, k.subs(t, 1 - t))
    # the other convention ∫ f(τ) g(t + τ) dτ is corr(g, f)
    f, g = rect(t), sp.exp(-t) * u(t)
    other = corr(g, f, t)
    for t0 in (-1.2, 0.3, 2.0):
        lo = max(-0.5, -t0)          # g(t0 + τ) f(τ) lives on max(-1/2, -t0) < τ < 1/2
        direct = integrate.quad(lambda x: math.exp(-(t0 + x)), lo, 0.5)[0] if lo < 0.5 else 0
        assert abs(evaluate(other, t0) - direct) < 1e-9


def test_corr_conjugates_a_complex_kernel():
    x = sp.exp(-t) * u(t)
    k = sp.exp(sp.I * 2 * t) * (u(t) - u(t - 1))
    r = corr(x, k, t)
    assert_matches_quadrature(r, x, k, op="corr")


# --------------------------------------------------------------------------------
# dispatch to the discrete layer and to the verifier
# --------------------------------------------------------------------------------

def test_sequences_dispatch_to_conv_seq():
    x, y = sp.symbols("x y")
    assert conv([1, 2, 3], [x, y]) == [x, 2 * x + y, 3 * x + 2 * y, 3 * y]
    assert list(conv([1, 2, 3], [1, 1], mode="valid")) == list(np.convolve([1, 2, 3], [1, 1], "valid"))
    assert list(corr([1, 2, 3], [0, 1])) == list(np.correlate([1, 2, 3], [0, 1]))
    assert symbolic.conv_seq is not None and symbolic.corr_seq is not None


def test_integer_variable_dispatches_to_the_discrete_engine():
    from symconv.signals import discrete
    n = sp.Symbol("n", integer=True)
    x, h = sp.Rational(1, 2) ** n * u(n), u(n) - u(n - 3)
    assert conv(x, h, n) == discrete.conv_discrete(x, h, n)
    assert corr(x, h, n) == discrete.corr_discrete(x, h, n)


def test_verify_returns_a_checked_report():
    checked = sc.conv(sp.exp(-a * t) * u(t), rect(t), t, verify=True)
    assert checked.report.agree is True
    assert checked.value == conv(sp.exp(-a * t) * u(t), rect(t), t)


# --------------------------------------------------------------------------------
# properties on random members of the families (hypothesis), checked numerically
# --------------------------------------------------------------------------------

small = st.integers(-4, 4).map(lambda v: sp.Rational(v, 2))
rate = st.integers(1, 6).map(lambda v: sp.Rational(v, 3))
width = st.integers(1, 6).map(lambda v: sp.Rational(v, 2))
amp = st.sampled_from([-5, -4, -3, -2, -1, 1, 2, 3, 4, 5]).map(lambda v: sp.Rational(v, 2))


@st.composite
def signals(draw):
    kind = draw(st.sampled_from(["causal", "box", "tri", "gauss", "twosided", "trig"]))
    s0, A = draw(small), draw(amp)
    if kind == "causal":
        k = draw(st.integers(0, 2))
        return A * (t - s0) ** k * sp.exp(-draw(rate) * (t - s0)) * u(t - s0)
    if kind == "box":
        return A * (u(t - s0) - u(t - s0 - draw(width)))
    if kind == "tri":
        return A * tri((t - s0) / draw(width))
    if kind == "gauss":
        return A * sp.exp(-(t - s0) ** 2 / draw(width))
    if kind == "twosided":
        return A * sp.exp(-draw(rate) * sp.Abs(t - s0))
    return A * sp.cos(draw(st.integers(1, 3)) * t) * sp.exp(-draw(rate) * t) * u(t)


probe = st.lists(st.integers(-30, 40).map(lambda v: v / 10 + 0.013), min_size=2, max_size=2)


@settings(max_examples=10)
@given(signals(), signals(), probe)
def test_property_commutative_and_equal_to_quadrature(f, g, points):
    r1, r2 = conv(f, g, t), conv(g, f, t)
    for t0 in points:
        v1, v2 = evaluate(r1, t0), evaluate(r2, t0)
        ref = numeric_conv(f, g, t0)
        assert abs(v1 - ref) < 1e-7 * max(1, abs(ref)), (f, g, t0, v1, ref)
        assert abs(v2 - ref) < 1e-7 * max(1, abs(ref)), (g, f, t0, v2, ref)


@settings(max_examples=6)
@given(signals(), signals(), signals(), amp, amp, probe)
def test_property_linear(f1, f2, g, alpha, beta, points):
    lhs = conv(alpha * f1 + beta * f2, g, t)
    rhs = alpha * conv(f1, g, t) + beta * conv(f2, g, t)
    for t0 in points:
        v1, v2 = evaluate(lhs, t0), evaluate(rhs, t0)
        assert abs(v1 - v2) < 1e-8 * max(1, abs(v2))


@settings(max_examples=6)
@given(signals(), signals(), small, probe)
def test_property_shift_equivariant(f, g, s0, points):
    shifted = conv(shift(f, t, s0), g, t)
    base = conv(f, g, t)
    for t0 in points:
        v1, v2 = evaluate(shifted, t0), evaluate(base, t0 - float(s0))
        assert abs(v1 - v2) < 1e-8 * max(1, abs(v2))


@settings(max_examples=10)
@given(signals(), small, probe)
def test_property_delta_identity(f, s0, points):
    r = conv(f, delta(t - s0), t)
    for t0 in points:
        assert abs(evaluate(r, t0) - evaluate(f, t0 - float(s0))) < 1e-12


@settings(max_examples=6)
@given(signals(), signals(), probe)
def test_property_corr_matches_its_defining_integral(x, k, points):
    r = corr(x, k, t)
    for t0 in points:
        ref = numeric_conv(x, k, t0, op="corr")
        assert abs(evaluate(r, t0) - ref) < 1e-7 * max(1, abs(ref))


def _spin(seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def test_time_limits_nest_and_a_swallowed_timeout_cannot_unbound_the_outer_one():
    from symconv.signals.continuous import _time_limit, _Timeout

    with pytest.raises(_Timeout):
        with _time_limit(0.2):
            try:
                with _time_limit(30):        # the inner block keeps the outer deadline
                    _spin(2)
            except _Timeout:                 # a fallback swallows it ...
                pass
            _spin(3)                         # ... the outer limit still stops this
            pytest.fail("the outer time limit did not fire again")
    # nothing stays armed afterwards
    assert signal.getitimer(signal.ITIMER_REAL)[0] == 0
    _spin(0.2)


def test_timeout_covers_the_discrete_engine_and_the_piece_engine():
    n = sp.Symbol("n", integer=True)
    # a degree-10001 Faulhaber polynomial takes minutes: the unevaluated Sum instead
    value = symbolic.conv(n**10000 * sp.Heaviside(n, 1), sp.Heaviside(n, 1), n, time_limit=1)
    assert isinstance(value, sp.Sum)
    # the piece engine's zero tests would sum k**k numerically for minutes
    t, k = sp.Symbol("t", real=True), sp.Symbol("k", integer=True)
    big = sp.Sum(k**k, (k, 1, 1000))
    value = symbolic.conv(big + sp.Heaviside(t), sp.Heaviside(t), t, time_limit=1)
    assert isinstance(value, sp.Integral) and value.has(big)
    # an easy pair is unaffected by a short timeout
    assert symbolic.conv(n**2 * sp.Heaviside(n, 1), sp.Heaviside(n, 1), n, time_limit=5).has(sp.Sum) is False
