"""Tests of symconv.verify: correct closed forms pass, wrong ones are caught,
and what cannot be checked is reported as not verified (never as a pass)."""

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings, strategies as st
from sympy import Abs, DiracDelta, Eq, Heaviside, KroneckerDelta, Piecewise, Rational, exp, pi

from symconv.verify import Checked, CrosscheckReport, crosscheck, crosscheck_layer
from symconv.signals.discrete import conv_seq, corr_seq
from symconv.errors import SymconvError
from symconv.nn.layers import conv_layer, conv_transpose_layer, pool_layer

t = sp.Symbol("t", real=True)
n = sp.Symbol("n", integer=True)
a, b = sp.symbols("a b", positive=True)
T = sp.Symbol("T", positive=True)
N = sp.Symbol("N", integer=True, positive=True)
H = Heaviside


def u_d(x):
    return Heaviside(x, 1)


EXP_PAIR = Piecewise((t * exp(-a * t) * H(t), Eq(a, b)),
                     ((exp(-a * t) - exp(-b * t)) / (b - a) * H(t), True))
BOX = H(t) - H(t - 1)
TRIANGLE = Piecewise((0, t < 0), (t, t < 1), (2 - t, t < 2), (0, True))


# ---------------------------------------------------------------------------
# continuous signals: correct closed forms agree ...
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("result, f, g, op", [
    (EXP_PAIR, exp(-a * t) * H(t), exp(-b * t) * H(t), "conv"),
    (TRIANGLE, BOX, BOX, "conv"),
    (t**2 / 2 * H(t), t * H(t), H(t), "conv"),
    ((1 - sp.cos(t)) * H(t), sp.sin(t) * H(t), H(t), "conv"),
    ((1 + a * Abs(t)) * exp(-a * Abs(t)) / a, exp(-a * Abs(t)), exp(-a * Abs(t)), "conv"),
    (sp.sqrt(pi) * exp(-t**2 / 4), exp(-t**2 / 2), exp(-t**2 / 2), "conv"),
    (exp(-a * Abs(t)) / (2 * a), exp(-a * t) * H(t), exp(-a * t) * H(t), "corr"),
    # corr(x, k) shifts x: box against a causal exponential
    (Piecewise((0, t < -1),
               ((1 - exp(-a * (t + 1))) / a, t < 0),
               ((exp(-a * t) - exp(-a * (t + 1))) / a, True)),
     exp(-a * t) * H(t), BOX, "corr"),
])
def test_correct_continuous_results_agree(result, f, g, op):
    report = crosscheck(result, f, g, t, op=op)
    assert report.agree is True, str(report)
    assert report.status == "agree" and bool(report)
    assert report.max_error <= report.tolerance
    assert report.points > 0
    assert report.kind == "continuous"


# ... and wrong ones are caught

@pytest.mark.parametrize("wrong, f, g, op", [
    (2 * EXP_PAIR, exp(-a * t) * H(t), exp(-b * t) * H(t), "conv"),        # coefficient
    ((exp(-a * t) - exp(-b * t)) / (a - b) * H(t),                           # sign
     exp(-a * t) * H(t), exp(-b * t) * H(t), "conv"),
    ((exp(-a * t) - exp(-b * t)) / (b - a) * H(t - 1),                       # support
     exp(-a * t) * H(t), exp(-b * t) * H(t), "conv"),
    (Rational(101, 100) * TRIANGLE, BOX, BOX, "conv"),                       # 1% off
    (t**2 * H(t), t * H(t), H(t), "conv"),
    (sp.sqrt(pi) * exp(-t**2 / 2), exp(-t**2 / 2), exp(-t**2 / 2), "conv"),  # width
    (exp(-a * Abs(t)) / a, exp(-a * t) * H(t), exp(-a * t) * H(t), "corr"),
    # the other correlation convention (shift of the second argument) is mirrored
    (Piecewise((0, t < -1), ((1 - exp(-a * (t + 1))) / a, t < 0),
               ((exp(-a * t) - exp(-a * (t + 1))) / a, True)).subs(t, -t),
     exp(-a * t) * H(t), BOX, "corr"),
])
def test_wrong_continuous_results_are_caught(wrong, f, g, op):
    report = crosscheck(wrong, f, g, t, op=op)
    assert report.agree is False, str(report)
    assert not report
    assert report.max_error > report.tolerance
    assert "DISAGREES" in str(report)


def test_special_case_branch_is_checked_separately():
    wrong_special = Piecewise((2 * t * exp(-a * t) * H(t), Eq(a, b)),
                              ((exp(-a * t) - exp(-b * t)) / (b - a) * H(t), True))
    report = crosscheck(wrong_special, exp(-a * t) * H(t), exp(-b * t) * H(t), t)
    assert report.agree is False
    labels = {inst.label: inst.status for inst in report.instances}
    assert labels["random 1"] == "agree" and labels["random 2"] == "agree"
    special = [inst for inst in report.instances if inst.label.startswith("special case")]
    assert special and special[0].status == "disagree"
    assert special[0].values["a"] == special[0].values["b"]
    # without the special cases only the generic branch is exercised
    assert crosscheck(wrong_special, exp(-a * t) * H(t), exp(-b * t) * H(t), t,
                      special_cases=False).agree is True


def test_random_values_avoid_the_singular_case_and_respect_assumptions():
    c = sp.Symbol("c", negative=True)
    k = sp.Symbol("k", integer=True, positive=True)
    f = exp(c * t) * H(t) + 0 * k
    closed = (1 - exp(c * t)) / (-c) * H(t)
    report = crosscheck(closed, f, H(t), t, instances=4)
    assert report.agree is True, str(report)
    for inst in report.instances:
        assert inst.values["c"] < 0
    report = crosscheck(EXP_PAIR, exp(-a * t) * H(t), exp(-b * t) * H(t), t, instances=5,
                        special_cases=False, seed=3)
    for inst in report.instances:
        assert inst.values["a"] > 0 and inst.values["b"] > 0
        assert abs(inst.values["a"] - inst.values["b"]) >= Rational(1, 5)


def test_seed_makes_the_check_reproducible():
    f, g = exp(-a * t) * H(t), exp(-b * t) * H(t)
    r1 = crosscheck(EXP_PAIR, f, g, t, seed=7)
    r2 = crosscheck(EXP_PAIR, f, g, t, seed=7)
    r3 = crosscheck(EXP_PAIR, f, g, t, seed=8)
    assert [i.values for i in r1.instances] == [i.values for i in r2.instances]
    assert [i.values for i in r1.instances] != [i.values for i in r3.instances]
    assert r1.max_error == r2.max_error and r1.seed == 7


def test_pinned_values():
    report = crosscheck(EXP_PAIR, exp(-a * t) * H(t), exp(-b * t) * H(t), t,
                        values={a: 1, "b": 3}, special_cases=False, instances=1)
    assert report.agree is True
    assert report.instances[0].values == {"a": 1, "b": 3}


# ---------------------------------------------------------------------------
# delta terms
# ---------------------------------------------------------------------------

def test_delta_terms_are_sifted_numerically_and_reported():
    f = exp(-a * t) * H(t)
    report = crosscheck(f.subs(t, t - T), f, DiracDelta(t - T), t)
    assert report.agree is True
    assert any("sifting rule" in note for note in report.notes)
    assert crosscheck(f.subs(t, t + T), f, DiracDelta(t - T), t).agree is False
    # a delta with a scaled argument has weight 1/|alpha|
    assert crosscheck(f / 2, f, DiracDelta(2 * t), t).agree is True
    assert crosscheck(f, f, DiracDelta(2 * t), t).agree is False


def test_delta_times_delta_is_compared_by_location_and_weight():
    f, g = 3 * DiracDelta(t - 1), DiracDelta(t - T) + H(t) - H(t - 1)
    right = 3 * DiracDelta(t - 1 - T) + 3 * (H(t - 1) - H(t - 2))
    assert crosscheck(right, f, g, t).agree is True
    assert crosscheck(2 * DiracDelta(t - 1 - T) + 3 * (H(t - 1) - H(t - 2)), f, g, t).agree \
        is False
    assert crosscheck(3 * DiracDelta(t - T) + 3 * (H(t - 1) - H(t - 2)), f, g, t).agree \
        is False
    missing = crosscheck(3 * (H(t - 1) - H(t - 2)), f, g, t)
    assert missing.agree is False and "delta terms" in str(missing)


def test_unsupported_delta_forms_are_not_verified():
    report = crosscheck(DiracDelta(t, 1), DiracDelta(t, 1), DiracDelta(t), t)
    assert report.agree is None and "derivatives of DiracDelta" in report.reason


# ---------------------------------------------------------------------------
# what cannot be verified says so
# ---------------------------------------------------------------------------

def test_unevaluated_integral_is_not_verified():
    s = sp.Symbol("s", real=True)
    f, g = exp(-a * t) * H(t), exp(-b * t) * H(t)
    integral = sp.Integral(f.subs(t, s) * g.subs(t, t - s), (s, -sp.oo, sp.oo))
    report = crosscheck(integral, f, g, t)
    assert report.agree is None and report.status == "not verified"
    assert not report
    assert "no closed form" in report.reason and "NOT VERIFIED" in str(report)
    assert report.max_error is None and report.points == 0


def test_integral_in_the_selected_branch_is_not_verified():
    s = sp.Symbol("s", real=True)
    integral = sp.Integral(exp(-s**4), (s, 0, t))
    result = Piecewise((exp(-a * t) * t * H(t), a > 1), (integral, True))
    report = crosscheck(result, exp(-a * t) * H(t), H(t) * 0 + DiracDelta(t) * 0 + H(t), t,
                        values={a: Rational(1, 2)})
    assert report.agree is None
    assert "unevaluated" in str(report)


def test_partial_check_is_not_a_pass():
    s = sp.Symbol("s", real=True)
    closed = (1 - exp(-a * t)) / a * H(t)
    result = Piecewise((closed, a > 1), (sp.Integral(exp(-a * s), (s, 0, t)), True))
    # one draw lands in each branch: a = 3/2 and a = 3/4 (pinned per call)
    ok = crosscheck(result, exp(-a * t) * H(t), H(t), t, values={a: Rational(3, 2)})
    assert ok.agree is True
    report = crosscheck(result, exp(-a * t) * H(t), H(t), t, values={a: Rational(3, 4)})
    assert report.agree is None


def test_non_decaying_signals_are_not_verified():
    report = crosscheck(sp.oo, sp.Integer(1), sp.cos(t), t)
    assert report.agree is None
    assert "do not decay" in report.reason


# ---------------------------------------------------------------------------
# discrete signals
# ---------------------------------------------------------------------------

GEO = Piecewise(((n + 1) * a**n * u_d(n), Eq(a, b)),
                ((a**(n + 1) - b**(n + 1)) / (a - b) * u_d(n), True))


def test_discrete_closed_forms():
    x, h = a**n * u_d(n), b**n * u_d(n)
    report = crosscheck(GEO, x, h, n)
    assert report.agree is True and report.kind == "discrete"
    assert any(inst.label.startswith("special case") for inst in report.instances)
    assert crosscheck(GEO + KroneckerDelta(n, 3), x, h, n).agree is False
    wrong_special = GEO.subs((n + 1) * a**n * u_d(n), n * a**n * u_d(n))
    assert crosscheck(wrong_special, x, h, n).agree is False
    box = u_d(n) - u_d(n - N)
    tri = Piecewise((0, n < 0), (n + 1, n < N), (2 * N - 1 - n, n < 2 * N - 1), (0, True))
    assert crosscheck(tri, box, box, n).agree is True
    assert crosscheck(tri + KroneckerDelta(n, 2 * N), box, box, n).agree is False
    shifted = a**(n - 2) * u_d(n - 2)
    assert crosscheck(shifted, a**n * u_d(n), KroneckerDelta(n, 2), n).agree is True
    assert crosscheck(shifted, a**n * u_d(n), KroneckerDelta(n, -2), n).agree is False


def test_discrete_correlation_and_unevaluated_sum():
    x = a**n * u_d(n)
    assert crosscheck(a**Abs(n) / (1 - a**2), x, x, n, op="corr",
                      values={a: Rational(1, 2)}).agree is True
    assert crosscheck(a**Abs(n), x, x, n, op="corr", values={a: Rational(1, 2)}).agree is False
    k = sp.Symbol("k", integer=True)
    report = crosscheck(sp.Sum(a**k * b**(n - k), (k, 0, n)), x, b**n * u_d(n), n)
    assert report.agree is None and "Sum" in report.reason


# ---------------------------------------------------------------------------
# sequences and layers
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_sequences_against_conv_seq_and_corr_seq(mode):
    x, y, z = sp.symbols("x y z")
    A, B = [1, x, 2, y], [z, 3]
    assert crosscheck(conv_seq(A, B, mode), A, B, mode=mode).agree is True
    assert crosscheck(corr_seq(A, B, mode), A, B, op="corr", mode=mode).agree is True
    wrong = list(conv_seq(A, B, mode))
    wrong[0] = wrong[0] + x / 1000
    assert crosscheck(wrong, A, B, mode=mode).agree is False


def test_circular_sequences_and_lengths():
    x, y = sp.symbols("x y")
    assert crosscheck([4 * x + 2 * y, 2 * x + 4 * y], [1, 2, 3], [x, y], period=2).agree
    for p in (2, 3, 5):
        A, B = [1, x, 3], [y, 2]
        assert crosscheck(conv_seq(A, B, "circular", period=p), A, B, mode="circular",
                          period=p).agree is True
        assert crosscheck(corr_seq(A, B, "circular", period=p), A, B, op="corr",
                          mode="circular", period=p).agree is True
        # the correlation without the conjugation is caught (x, y are complex here)
        plain = corr_seq(A, B, "circular", period=p, conjugate=False)
        assert crosscheck(plain, A, B, op="corr", mode="circular", period=p).agree is False
    report = crosscheck([x], [1, 2, 3], [x, y])
    assert report.agree is False and "length" in report.reason


@given(st.lists(st.integers(-5, 5), min_size=1, max_size=6),
       st.lists(st.integers(-5, 5), min_size=1, max_size=6),
       st.integers(0, 10), st.integers(1, 4), st.sampled_from(["full", "same", "valid"]))
def test_sequence_perturbations_are_always_caught(A, B, where, delta, mode):
    s = sp.symbols("s0:3")
    A = [A[0] + s[0]] + A[1:]
    B = list(B) + [s[1]]
    good = list(conv_seq(A, B, mode))
    assert crosscheck(good, A, B, mode=mode, instances=1).agree is True
    bad = list(good)
    bad[where % len(bad)] += Rational(delta, 10)
    assert crosscheck(bad, A, B, mode=mode, instances=1).agree is False


@settings(max_examples=8)
@given(st.integers(1, 40), st.integers(1, 40), st.integers(1, 9),
       st.sampled_from(["coefficient", "rate", "shift"]))
def test_exponential_pairs_property(p, q, c, how):
    # random exact rates a != b and amplitude c: the textbook form agrees; a perturbed
    # form (coefficient 5%, one rate 0.1, or a 0.2 shift) never does
    ra, rb = Rational(p, 10), Rational(q, 10) + Rational(1, 20)
    f, g = c * exp(-ra * t) * H(t), exp(-rb * t) * H(t)
    good = c * (exp(-ra * t) - exp(-rb * t)) / (rb - ra) * H(t)
    assert crosscheck(good, f, g, t, instances=1).agree is True
    if how == "coefficient":
        bad = good * Rational(105, 100)
    elif how == "rate":
        bad = c * (exp(-(ra + Rational(1, 10)) * t) - exp(-rb * t)) / (rb - ra) * H(t)
    else:
        bad = good.subs(t, t - Rational(1, 5))
    assert crosscheck(bad, f, g, t, instances=1).agree is False


def test_layers_crosscheck():
    syms = sp.symbols("x0:12")
    x = np.array(syms, dtype=object).reshape(1, 1, 3, 4)
    w = [[[[1, -1], [2, sp.Symbol("k")]]]]
    y = conv_layer(x, w, padding=1, stride=(1, 2))
    report = crosscheck_layer(y, "conv_layer", x, w, padding=1, stride=(1, 2))
    assert report.agree is True and report.kind == "layer"
    bad = y.tolist()
    bad[0][0][1][1] += syms[0] / 100
    assert crosscheck_layer(bad, conv_layer, x, w, padding=1, stride=(1, 2)).agree is False
    p = pool_layer(x, 2, padding=1, mode="max")
    assert crosscheck_layer(p, "pool_layer", x, 2, padding=1, mode="max").agree is True
    ct = conv_transpose_layer(x, w, stride=2)
    assert crosscheck_layer(ct, "conv_transpose_layer", x, w, stride=2).agree is True
    report = crosscheck_layer(ct, "conv_layer", x, w, stride=2)
    assert report.agree is False and "shape" in str(report)


# ---------------------------------------------------------------------------
# the report, Checked, input validation
# ---------------------------------------------------------------------------

def test_report_text_and_checked():
    report = crosscheck(TRIANGLE, BOX, BOX, t)
    text = str(report)
    for piece in ("AGREES", "seed 0", "method:", "grid", "quad", "tolerance", "max error"):
        assert piece in text
    assert isinstance(report, CrosscheckReport)
    checked = Checked(TRIANGLE, report)
    value, rep = checked
    assert value is TRIANGLE and rep.agree is True and checked.report is report
    assert report.latex().startswith("\\begin{verbatim}")


def test_input_validation():
    with pytest.raises(SymconvError, match="op must be one of"):
        crosscheck(t, t, t, t, op="convolve")
    with pytest.raises(SymconvError, match="string"):
        crosscheck("t", t, t, t)
    with pytest.raises(SymconvError, match="var must be a SymPy Symbol"):
        crosscheck(t, t, t, "t")
    with pytest.raises(SymconvError, match="must all be sequences"):
        crosscheck(t, [1, 2], t, t)
    with pytest.raises(SymconvError, match="layer must be one of"):
        crosscheck_layer([[1]], "dense", [[1]])


# ---------------------------------------------------------------------------
# the numbers of a report agree with its verdict, and name what ran
# ---------------------------------------------------------------------------

def test_a_failure_states_numbers_that_agree_with_its_verdict():
    # off by one part in a million: the grid (tolerance ~1e-3) cannot see it, the
    # quadrature (tolerance ~1e-9) does; the report must not print the grid's large
    # tolerance next to the verdict of the quadrature
    wrong = (1 + Rational(1, 10**6)) * sp.sqrt(pi / 2) * exp(-t**2 / 2)
    report = crosscheck(wrong, exp(-t**2), exp(-t**2), t)
    assert report.agree is False
    grid, quad = report.instances[0].checks
    assert grid.ok and not quad.ok
    assert quad.max_error > quad.tolerance and report.max_error > report.tolerance
    assert (report.max_error, report.tolerance) == (quad.max_error, quad.tolerance)
    assert f"error {quad.max_error:.3g} > tolerance {quad.tolerance:.3g} at t = " in str(quad)
    assert "worst: error" in str(report) and "the quad check of [no parameters]" in str(report)
    assert "(quad)" in report.short() and " > tolerance " in report.short()


def test_per_point_tolerances_report_the_worst_point():
    from symconv.verify.report import _compare

    # the largest error (1e-3) is within its tolerance; the small one is not
    check = _compare("grid", [1e-3, 1e-6, 0.0], [0.0, 0.0, 0.0], [1e-2, 1e-8, 1e-8],
                     at=np.array([0.5, 2.0, 3.0]))
    assert not check.ok
    assert (check.max_error, check.tolerance, check.at) == (1e-6, 1e-8, "t = 2")
    assert check.ratio == pytest.approx(100)
    passed = _compare("grid", [1e-3, 1e-9], [0.0, 0.0], [1e-2, 1e-8])
    assert passed.ok and (passed.max_error, passed.tolerance) == (1e-3, 1e-2)


def test_the_report_names_the_evaluation_that_ran():
    # 0F0(;;z) = exp(z): NumPy and SciPy have no hyper(), so SymPy's evalf evaluates it
    closed = sp.sqrt(pi / 2) * sp.hyper([], [], -t**2 / 2)
    report = crosscheck(closed, exp(-t**2), exp(-t**2), t)
    assert report.agree is True, str(report)
    assert any("values of the result were computed one by one by SymPy evalf" in note
               for note in report.notes), report.notes
    assert "scipy.integrate.quad" in str(report.instances[0].checks[1])
    # a plain closed form is evaluated by lambdify only: no such note
    plain = crosscheck(sp.sqrt(pi / 2) * exp(-t**2 / 2), exp(-t**2), exp(-t**2), t)
    assert plain.agree is True and not any("evalf" in note for note in plain.notes)


def test_without_scipy_the_check_fails_loudly(monkeypatch):
    # SciPy is a dependency: a broken installation is an error naming the fix, never a
    # silent fallback to a slower, less accurate method
    import sys

    monkeypatch.setitem(sys.modules, "scipy.integrate", None)
    with pytest.raises(SymconvError, match=r"needs SciPy .*pip install 'scipy"):
        crosscheck(exp(-t) * H(t), exp(-t) * H(t), H(t), t)


def test_quadrature_points_lie_where_the_supports_overlap():
    # causal signals: the convolution is 0 for t < 0 without any integral; the three
    # quadrature points must be real quadratures (t > 0), not free zeros
    report = crosscheck(EXP_PAIR, exp(-a * t) * H(t), exp(-b * t) * H(t), t, seed=0)
    assert report.agree is True
    for inst in report.instances:
        quad = next(c for c in inst.checks if c.name == "quad")
        assert quad.points == 3 and "do not overlap" not in quad.detail, str(quad)


def test_delta_terms_report_the_tolerance_they_were_judged_by():
    from symconv.verify.continuous import _delta_check

    # the location tolerance is relative (1e-8 (1 + |t|)): at t = 100 an offset of 5e-7 passes
    ok = _delta_check([(100.0, 1.0)], [(100.0 + 5e-7, 1.0)])
    assert ok.ok and ok.max_error <= ok.tolerance, str(ok)
    bad = _delta_check([(100.0, 1.0)], [(100.0, 1.5)])
    assert not bad.ok and bad.max_error > bad.tolerance and bad.at == "the weight of term 1"
    missing = _delta_check([(1.0, 3.0)], [])
    assert not missing.ok and "0 delta term(s) instead of 1" in str(missing)
