"""Tests for symconv.signals.discrete.

Finite sequences are checked against numpy.convolve / numpy.correlate (and a naive
modular sum for the circular mode). Closed forms are checked against textbook
answers and, independently, against a direct numeric sum over a window computed
with plain Python loops after random numeric values are substituted for the
parameters.
"""

import random

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings, strategies as st

from symconv.signals.discrete import conv_discrete, conv_seq, corr_discrete, corr_seq
from symconv.errors import SymconvError

n = sp.Symbol("n", integer=True)
a, b, c = sp.symbols("a b c")
N = sp.Symbol("N", integer=True, positive=True)
M = sp.Symbol("M", integer=True, positive=True)
n0 = sp.Symbol("n0", integer=True)
x_, y_, z_ = sp.symbols("x y z")


def u(e):
    return sp.Heaviside(e, 1)


def delta(e):
    return sp.KroneckerDelta(e, 0)


# ---------------------------------------------------------------------------
# an independent numeric reference: plain Python sums over a window
# ---------------------------------------------------------------------------

_MODULES = [{"Heaviside": lambda v, h0=0.5: 1.0 if v > 0 else (h0 if v == 0 else 0.0),
             "KroneckerDelta": lambda i, j: 1.0 if i == j else 0.0}, "math"]


def _numeric(expr, values):
    """A Python function of the integer n (parameters substituted)."""
    expr = sp.sympify(expr).subs(values)
    assert not expr.has(sp.Sum), f"expected a closed form, got {expr}"
    free = expr.free_symbols - {n}
    assert not free, f"unsubstituted parameters {free} in {expr}"
    return sp.lambdify(n, expr, modules=_MODULES)


def direct_conv(x, h, values, ns, width=160):
    """Sum_k x[k] h[n-k] for k in [-width, width] (enough for the test signals)."""
    fx, fh = _numeric(x, values), _numeric(h, values)
    xs = {k: complex(fx(k)) for k in range(-width - 40, width + 41)}
    return [sum(xs[k] * complex(fh(m - k)) for k in range(-width, width + 1)) for m in ns]


def direct_corr(x, h, values, ns, width=160):
    """Sum_m x[n+m] conj(h[m]) for m in [-width, width]."""
    fx, fh = _numeric(x, values), _numeric(h, values)
    return [sum(complex(fx(m + j)) * complex(fh(j)).conjugate() for j in range(-width, width + 1))
            for m in ns]


def evaluate(result, values, ns):
    f = _numeric(result, values)
    return [complex(f(m)) for m in ns]


def assert_close(got, want, tol=1e-9):
    scale = max(1.0, max(abs(w) for w in want))
    err = max(abs(g - w) for g, w in zip(got, want))
    assert err <= tol * scale, f"max error {err} (scale {scale})\n got {got}\nwant {want}"


WINDOW = list(range(-12, 13))


def random_values(rng, symbols, low=0.15, high=0.8, distinct=True):
    """Random rationals with low <= |v| <= high, random signs, pairwise distinct."""
    values, used = {}, set()
    for s in symbols:
        while True:
            v = sp.Rational(rng.randint(int(low * 100), int(high * 100)), 100)
            if rng.random() < 0.4:
                v = -v
            if not distinct or v not in used:
                break
        used.add(v)
        values[s] = v
    return values


# ---------------------------------------------------------------------------
# finite sequences against numpy
# ---------------------------------------------------------------------------

def test_conv_seq_docstring_example():
    assert conv_seq([1, 2, 3], [x_, y_]) == [x_, 2 * x_ + y_, 3 * x_ + 2 * y_, 3 * y_]


small_ints = st.integers(-9, 9)
seqs = st.lists(small_ints, min_size=1, max_size=7)
modes = st.sampled_from(["full", "same", "valid"])


@given(seqs, seqs, modes)
def test_conv_seq_matches_numpy_integers(p, q, mode):
    want = np.convolve(p, q, mode).tolist()
    assert conv_seq(p, q, mode) == want


@given(seqs, seqs, modes)
def test_corr_seq_matches_numpy_integers(p, q, mode):
    want = np.correlate(p, q, mode).tolist()
    assert corr_seq(p, q, mode) == want


complex_ints = st.builds(complex, small_ints, small_ints)


@given(st.lists(complex_ints, min_size=1, max_size=6), st.lists(complex_ints, min_size=1, max_size=6),
       modes)
def test_complex_entries_match_numpy_and_correlate_conjugates(p, q, mode):
    # small Gaussian integers: numpy's complex arithmetic is exact here
    got_conv = [complex(v) for v in conv_seq(p, q, mode)]
    got_corr = [complex(v) for v in corr_seq(p, q, mode)]
    assert got_conv == np.convolve(p, q, mode).tolist()
    assert got_corr == np.correlate(p, q, mode).tolist()


rationals = st.fractions(min_value=-5, max_value=5, max_denominator=7).map(sp.Rational)


@given(st.lists(rationals, min_size=1, max_size=6), st.lists(rationals, min_size=1, max_size=6),
       modes)
def test_rational_entries_match_numpy_object_arrays(p, q, mode):
    pa, qa = np.array(p, dtype=object), np.array(q, dtype=object)
    assert conv_seq(pa, qa, mode) == list(np.convolve(pa, qa, mode))
    assert corr_seq(p, q, mode) == list(np.correlate(pa, qa, mode))


@given(st.integers(1, 6), st.integers(1, 6), modes, st.randoms(use_true_random=False))
def test_symbolic_entries_then_substituted(la, lb, mode, rng):
    p = sp.symbols(f"p0:{la}", real=True)
    q = sp.symbols(f"q0:{lb}", real=True)
    conv, corr = conv_seq(p, q, mode), corr_seq(p, q, mode)
    values = {s: rng.randint(-9, 9) for s in (*p, *q)}
    pv, qv = [values[s] for s in p], [values[s] for s in q]
    assert [e.subs(values) for e in conv] == np.convolve(pv, qv, mode).tolist()
    assert [e.subs(values) for e in corr] == np.correlate(pv, qv, mode).tolist()


def test_input_kinds_agree():
    ref = conv_seq([1, 2, 3], [x_, y_])
    assert conv_seq((1, 2, 3), (x_, y_)) == ref
    assert conv_seq(sp.Matrix([1, 2, 3]), sp.Matrix([[x_, y_]])) == ref
    assert conv_seq(np.array([1, 2, 3]), np.array([x_, y_], dtype=object)) == ref
    assert conv_seq(2, [x_, y_]) == [2 * x_, 2 * y_]            # a scalar is a length-1 sequence
    assert all(isinstance(v, sp.Basic) for v in conv_seq(np.array([1, 2]), [1]))


def test_corr_seq_conjugates_plain_symbols_unless_asked_not_to():
    assert corr_seq([1, 2], [z_]) == [sp.conjugate(z_), 2 * sp.conjugate(z_)]
    assert corr_seq([1, 2], [z_], conjugate=False) == [z_, 2 * z_]
    r = sp.Symbol("r", real=True)
    assert corr_seq([1, 2], [r]) == [r, 2 * r]


def test_corr_is_conv_with_the_flipped_conjugate():
    p = [1 + 2 * sp.I, x_, 3]
    q = [y_, 2 - sp.I]
    flipped = [sp.conjugate(v) for v in reversed(q)]
    assert corr_seq(p, q, "full") == conv_seq(p, flipped, "full")


def naive_circular(p, q, period, corr=False):
    out = [0] * period
    for i, pv in enumerate(p):
        for j, qv in enumerate(q):
            if corr:
                out[(i - j) % period] += pv * np.conj(qv)
            else:
                out[(i + j) % period] += pv * qv
    return out


@given(seqs, seqs, st.integers(1, 9))
def test_circular_matches_the_modular_definition(p, q, period):
    assert conv_seq(p, q, "circular", period=period) == naive_circular(p, q, period)
    assert corr_seq(p, q, "circular", period=period) == naive_circular(p, q, period, corr=True)


def test_circular_period_is_bounded():
    # a long zero padding is allowed (the entries beyond the full length are zeros) ...
    x = sp.Symbol("x")
    out = conv_seq([1, 2], [3, x], "circular", period=100_000)
    assert out[:3] == conv_seq([1, 2], [3, x]) and out[3:] == [0] * (100_000 - 3)
    out = corr_seq([1, 2], [3, x], "circular", period=100_000)   # lag -1 wraps to the end
    assert out[:2] + out[-1:] == [3 + 2 * sp.conjugate(x), 6, sp.conjugate(x)]
    assert out[2:-1] == [0] * (100_000 - 3)
    # ... a period of 10^9 (a list of 10^9 entries) is refused before any work
    for fn in (conv_seq, corr_seq):
        with pytest.raises(SymconvError, match="period must be at most"):
            fn([1, 2], [3, 4], "circular", period=10**9)


@given(seqs, seqs)
def test_circular_matches_fft_when_the_period_covers_both(p, q):
    period = max(len(p), len(q))
    got = [float(v) for v in conv_seq(p, q, "circular")]
    want = np.real(np.fft.ifft(np.fft.fft(p, period) * np.fft.fft(q, period)))
    assert np.allclose(got, want)
    # a period at least the full length gives the linear convolution, zero padded
    long_period = len(p) + len(q) - 1
    assert conv_seq(p, q, "circular", period=long_period) == conv_seq(p, q)


@pytest.mark.parametrize("call, message", [
    (lambda: conv_seq([], [1]), "a must be non-empty"),
    (lambda: conv_seq([1], "12"), "b must be a sequence"),
    (lambda: conv_seq([1, "x"], [1]), "entries must be numbers or SymPy expressions"),
    (lambda: conv_seq([[1, 2], [3, 4]], [1]), "entries must be numbers or SymPy expressions"),
    (lambda: corr_seq([1, True], [1]), "entries must be numbers or SymPy expressions"),
    (lambda: conv_seq([1], [1], mode="circle"), "mode must be one of"),
    (lambda: conv_seq([1], [1], period=3), "period is only used with mode='circular'"),
    (lambda: conv_seq([1], [1], mode="circular", period=0), "period must be an integer >= 1"),
    (lambda: conv_seq(sp.ones(2, 2), [1]), "row or column matrix"),
    (lambda: corr_seq(np.ones((2, 2)), [1]), "one-dimensional"),
    (lambda: conv_discrete("a**n", u(n), n), "must be a SymPy expression"),
    (lambda: conv_discrete(u(n), u(n), n + 1), "must be a SymPy Symbol"),
    (lambda: conv_discrete(u(n), u(n), n, form="nice"), "form must be one of"),
])
def test_errors_are_clear(call, message):
    with pytest.raises(SymconvError, match=message):
        call()


# ---------------------------------------------------------------------------
# closed forms: textbook answers
# ---------------------------------------------------------------------------

def is_zero(e):
    return sp.simplify(e) == 0


def test_step_with_step_is_a_ramp():
    assert conv_discrete(u(n), u(n), n) == (n + 1) * u(n)


def test_two_geometrics_with_the_equal_case():
    got = conv_discrete(a**n * u(n), b**n * u(n), n)
    assert isinstance(got, sp.Piecewise)
    (same, cond_same), (other, cond_other) = got.args
    assert cond_same == sp.Eq(a, b) and cond_other == sp.true
    assert is_zero(same - (n + 1) * a**n * u(n))
    assert is_zero(other - (a**(n + 1) - b**(n + 1)) / (a - b) * u(n))


def test_numeric_geometrics_need_no_case():
    got = conv_discrete(sp.Rational(1, 2)**n * u(n), sp.Rational(1, 3)**n * u(n), n)
    want = (3 * sp.Rational(1, 2)**n - 2 * sp.Rational(1, 3)**n) * u(n)
    assert not got.has(sp.Piecewise)
    assert is_zero(got - want)


def test_delta_sifts_and_shifts():
    assert conv_discrete(delta(n - 2), a**n * u(n), n) == a**(n - 2) * u(n - 2)
    assert conv_discrete(a**n * u(n), delta(n - n0), n) == a**(n - n0) * u(n - n0)
    f = sp.Function("f")
    assert conv_discrete(f(n), delta(n + 3), n) == f(n + 3)


def test_box_with_box_is_a_trapezoid():
    box = u(n) - u(n - 3)
    want = sp.Piecewise((n + 1, (n >= 0) & (n <= 2)), (5 - n, (n >= 3) & (n <= 4)), (0, True))
    assert conv_discrete(box, box, n) == want


def test_symbolic_box_with_step():
    got = conv_discrete(u(n) - u(n - N), u(n), n)
    assert got == sp.Piecewise((n + 1, (n >= 0) & (n <= N - 1)), (N, n >= N), (0, True))
    # without a sign for the length the answer stays in unit steps, valid for every N
    L = sp.Symbol("L", integer=True)
    got = conv_discrete(u(n) - u(n - L), u(n), n)
    assert is_zero(got - ((n + 1) * u(n) - (n - L + 1) * u(n - L)))


def test_symbolic_boxes_of_unknown_relative_length():
    got = conv_discrete(u(n) - u(n - N), u(n) - u(n - M), n)
    short_first = sp.Piecewise((n + 1, (n >= 0) & (n <= M - 1)), (M, (M <= n) & (n <= N - 1)),
                               (M + N - n - 1, (N <= n) & (n <= M + N - 2)), (0, True))
    assert got.args[0] == (short_first, M <= N)
    for nv, mv in [(2, 5), (5, 2), (3, 3), (1, 4)]:
        vals = {N: nv, M: mv}
        box_n, box_m = u(n) - u(n - nv), u(n) - u(n - mv)
        assert_close(evaluate(got, vals, WINDOW), direct_conv(box_n, box_m, {}, WINDOW, 20))


def test_two_sided_geometric_states_its_convergence_condition():
    got = conv_discrete(a**sp.Abs(n), 1, n)
    (value, cond), (fallback, always) = got.args
    assert cond == (sp.Abs(a) < 1) and always == sp.true
    assert is_zero(value - (1 + a) / (1 - a))
    assert isinstance(fallback, sp.Sum)


def test_autocorrelation_of_a_causal_geometric():
    r = sp.Symbol("r", positive=True)
    got = corr_discrete(r**n * u(n), r**n * u(n), n)
    (value, cond), (fallback, _) = got.args
    assert cond == (r**2 < 1)
    assert is_zero(value - r**sp.Abs(n) / (1 - r**2))
    assert isinstance(fallback, sp.Sum)


def test_divergent_or_unsupported_sums_stay_unevaluated():
    k = sp.Symbol("k", integer=True)
    assert conv_discrete(u(n), 1, n) == sp.Sum(u(k), (k, -sp.oo, sp.oo))
    got = conv_discrete(1 / (n**2 + 1), u(n), n)
    assert isinstance(got, sp.Sum)
    assert conv_discrete(2**n, 3**n, n).has(sp.Sum)


def test_real_exponential_rates_give_conditions_on_the_rates():
    al, be = sp.symbols("alpha beta", positive=True)
    got = conv_discrete(sp.exp(-al * n) * u(n), sp.exp(-be * n) * u(n), n)
    assert got.args[0][1] == sp.Eq(al, be)
    assert is_zero(got.args[0][0] - (n + 1) * sp.exp(-al * n) * u(n))
    want = (sp.exp(-al * (n + 1)) - sp.exp(-be * (n + 1))) / (sp.exp(-al) - sp.exp(-be)) * u(n)
    assert is_zero((got.args[1][0] - want).subs({al: sp.Rational(1, 3), be: 2}).rewrite(sp.exp))
    # a positive rate makes the two-sided sum converge: no condition left
    two_sided = conv_discrete(sp.exp(-al * sp.Abs(n)), 1, n)
    assert is_zero(two_sided - (1 + sp.exp(-al)) / (1 - sp.exp(-al)))
    w = sp.Symbol("w")
    assert conv_discrete(sp.exp(-w * sp.Abs(n)), 1, n).args[0][1] == (sp.re(w) > 0)


def test_non_integer_index_symbol_is_accepted():
    t = sp.Symbol("t")
    got = conv_discrete(sp.Heaviside(t, 1), sp.Heaviside(t, 1), t)
    assert got == (t + 1) * sp.Heaviside(t, 1)


def test_forms():
    box = u(n) - u(n - 2)
    steps = conv_discrete(box, u(n), n, form="steps")
    piecewise = conv_discrete(box, u(n), n, form="piecewise")
    assert not steps.has(sp.Piecewise) and piecewise.has(sp.Piecewise)
    assert_close(evaluate(steps, {}, WINDOW), evaluate(piecewise, {}, WINDOW))


# ---------------------------------------------------------------------------
# closed forms against the direct numeric sum (random parameter values)
# ---------------------------------------------------------------------------

CONV_PAIRS = [
    (a**n * u(n), b**n * u(n)),
    (n * a**n * u(n), b**n * u(n)),
    (n**2 * a**n * u(n), (n + 1) * b**n * u(n - 1)),
    (a**n * u(n), u(n) - u(n - 4)),
    (a**n * u(n - 2), u(n + 1) - u(n - 3)),
    (u(n) - u(n - 5), u(n) - u(n - 3)),
    (a**sp.Abs(n), b**sp.Abs(n)),
    (a**sp.Abs(n), a**sp.Abs(n)),
    (a**sp.Abs(n - 2), b**n * u(n)),
    (a**sp.Abs(n), u(n) - u(n - 3)),
    (delta(n) + 2 * delta(n - 1) - delta(n + 2), a**n * u(n)),
    (a**n * u(n) + b**n * u(n), c**n * u(n)),
    (a**(-n) * u(-n), b**n * u(n)),                       # anti-causal with causal
    (a**(-n) * u(-n - 1), b**(-n) * u(-n)),
    (sp.Piecewise((n, (n >= -1) & (n < 3)), (a**n, n >= 3), (0, True)), b**n * u(n)),
    (sp.Heaviside(n), a**n * u(n)),                       # Heaviside(0) = 1/2
    (sp.exp(-a * n) * u(n), sp.exp(-b * n) * u(n)),
    ((-1)**n * u(n), a**n * u(n)),
    (a**n * (u(n) - u(n - N)), b**n * u(n)),
    (sp.Heaviside(n / 4 + sp.S.Half) - sp.Heaviside(n / 4 - sp.S.Half), a**n * u(n)),  # rect(n/4)
    (sp.Piecewise((1 - sp.Abs(n) / 3, sp.Abs(n) < 3), (0, True)), u(n)),              # tri(n/3)
    (n * u(n), n * u(n)),
    (u(n) - u(n - N), u(n) - u(n - M)),
]


@pytest.mark.parametrize("x, h", CONV_PAIRS, ids=[f"{i}" for i in range(len(CONV_PAIRS))])
def test_conv_closed_form_matches_direct_sum(x, h):
    rng = random.Random(hash((str(x), str(h))) % 2**32)
    params = sorted((x + h).free_symbols - {n}, key=str)
    result = conv_discrete(x, h, n)
    assert not (isinstance(result, sp.Sum)), f"no closed form for {x} * {h}"
    for trial in range(3):
        values = random_values(rng, params)
        for length in (N, M):
            if length in values:
                values[length] = rng.randint(1, 6)
        want = direct_conv(x, h, values, WINDOW)
        assert_close(evaluate(result, values, WINDOW), want)


@pytest.mark.parametrize("x, h", [
    (a**n * u(n), b**n * u(n)),
    (n * a**n * u(n), b**n * u(n - 1)),
    (a**sp.Abs(n), b**sp.Abs(n)),
    (a**n * u(n) + b**n * u(n), c**n * u(n)),
])
def test_equal_parameter_branches_match_direct_sum(x, h):
    rng = random.Random(11)
    result = conv_discrete(x, h, n)
    for trial in range(3):
        v = random_values(rng, [a])[a]
        values = {a: v, b: v, c: v}
        assert_close(evaluate(result, values, WINDOW), direct_conv(x, h, values, WINDOW))
        values = {a: v, b: -v, c: v}
        assert_close(evaluate(result, values, WINDOW), direct_conv(x, h, values, WINDOW))


CORR_PAIRS = [
    (a**n * u(n), b**n * u(n)),
    (u(n) - u(n - 4), a**n * u(n)),
    (a**sp.Abs(n), u(n) - u(n - 2)),
    (delta(n - 1) + 3 * delta(n - 2), n * a**n * u(n)),
]


@pytest.mark.parametrize("x, h", CORR_PAIRS)
def test_corr_closed_form_matches_direct_sum(x, h):
    rng = random.Random(5)
    ar, br = sp.symbols("a b", real=True)
    x, h = x.subs({a: ar, b: br}), h.subs({a: ar, b: br})
    result = corr_discrete(x, h, n)
    assert not isinstance(result, sp.Sum)
    for trial in range(3):
        values = random_values(rng, [ar, br])
        assert_close(evaluate(result, values, WINDOW), direct_corr(x, h, values, WINDOW))


def test_corr_with_complex_parameter_conjugates():
    w = sp.Symbol("w")
    x, h = delta(n) + 2 * delta(n - 1), w**n * u(n)
    result = corr_discrete(x, h, n)
    values = {w: sp.Rational(1, 2) + sp.I / 3}
    assert_close(evaluate(result, values, WINDOW), direct_corr(x, h, values, WINDOW))
    plain = corr_discrete(x, h, n, conjugate=False)
    assert not plain.has(sp.conjugate)


# ---------------------------------------------------------------------------
# properties
# ---------------------------------------------------------------------------

def _geometric_family(draw_int, draw_bool):
    """A random signal from the supported families, with numeric parameters."""
    kind = draw_int(0, 4)
    r = sp.Rational(draw_int(-8, 8) or 1, 10)
    s = draw_int(-3, 3)
    if kind == 0:
        return r**(n - s) * u(n - s)
    if kind == 1:
        return (n - s) * r**n * u(n - s)
    if kind == 2:
        return u(n - s) - u(n - s - draw_int(1, 4))
    if kind == 3:
        return delta(n - s) * (draw_int(1, 5) if draw_bool() else -1)
    return r**sp.Abs(n - s)


@st.composite
def signals(draw):
    return _geometric_family(lambda lo, hi: draw(st.integers(lo, hi)), lambda: draw(st.booleans()))


@settings(max_examples=20)  # each example computes 2-3 closed forms
@given(signals(), signals())
def test_commutativity(x, h):
    xy, yx = conv_discrete(x, h, n), conv_discrete(h, x, n)
    assert_close(evaluate(xy, {}, WINDOW), evaluate(yx, {}, WINDOW))
    assert_close(evaluate(xy, {}, WINDOW), direct_conv(x, h, {}, WINDOW))


@settings(max_examples=20)  # each example computes 2-3 closed forms
@given(signals(), signals(), signals(), st.integers(-3, 3))
def test_linearity(x, g, h, alpha):
    lhs = conv_discrete(alpha * x + g, h, n)
    rhs = alpha * conv_discrete(x, h, n) + conv_discrete(g, h, n)
    assert_close(evaluate(lhs, {}, WINDOW), evaluate(rhs, {}, WINDOW))


@settings(max_examples=20)  # each example computes 2-3 closed forms
@given(signals(), signals(), st.integers(-4, 4))
def test_shift_equivariance(x, h, s):
    shifted = conv_discrete(x.subs(n, n - s), h, n)
    base = conv_discrete(x, h, n)
    assert_close(evaluate(shifted, {}, WINDOW), evaluate(base.subs(n, n - s), {}, WINDOW))


@settings(max_examples=20)  # each example computes 2-3 closed forms
@given(signals(), st.integers(-4, 4))
def test_delta_identity(x, s):
    got = conv_discrete(x, delta(n - s), n)
    assert_close(evaluate(got, {}, WINDOW), evaluate(x.subs(n, n - s), {}, WINDOW))


@given(st.lists(st.integers(-5, 5), min_size=1, max_size=5),
       st.lists(st.integers(-5, 5), min_size=1, max_size=5),
       st.integers(-3, 3), st.integers(-3, 3))
def test_delta_trains_agree_with_conv_seq(p, q, sp_, sq):
    """Finite sequences written as sums of deltas: the closed form lists conv_seq's values."""
    x = sum(v * delta(n - sp_ - i) for i, v in enumerate(p))
    h = sum(v * delta(n - sq - i) for i, v in enumerate(q))
    got = evaluate(conv_discrete(x, h, n), {}, range(-8, 12))
    full = conv_seq(p, q)
    want = [complex(full[m - sp_ - sq]) if 0 <= m - sp_ - sq < len(full) else 0
            for m in range(-8, 12)]
    assert got == want


# ---------------------------------------------------------------------------
# sinusoids: summed through the exponential form, written back as cos and sin
# ---------------------------------------------------------------------------

w_ = sp.Symbol("omega", positive=True)
ap = sp.Symbol("a", positive=True)
ar = sp.Symbol("r", real=True)


@pytest.mark.parametrize("x, h", [
    (sp.cos(w_ * n) * u(n), u(n)),
    (sp.cos(sp.pi * n / 2) * u(n), u(n)),
    (sp.sin(w_ * n) * u(n), ap**n * u(n)),
    (sp.cos(w_ * n + sp.pi / 5) * u(n), ar**n * u(n)),
    (sp.sin(sp.pi * n / 3) * u(n), u(n) - u(n - 4)),
    (sp.cos(w_ * n) * (u(n) - u(n - N)), u(n)),
])
def test_discrete_sinusoids_have_real_closed_forms(x, h):
    result = conv_discrete(x, h, n)
    assert not result.has(sp.Sum), result
    assert not result.has(sp.I, sp.exp, sp.re, sp.im), f"not written in real form: {result}"
    symbols = sorted((x.free_symbols | h.free_symbols) - {n}, key=str)
    for seed in range(4):
        rng = random.Random(seed)
        values = {}
        for s in symbols:
            if s == w_:
                values[s] = sp.Rational(rng.randint(10, 310), 100)   # 0.1 .. 3.1
            elif s == N:
                values[s] = rng.randint(1, 6)
            elif s == ar:
                values[s] = random_values(rng, [s])[s]
            else:
                values[s] = sp.Rational(rng.randint(15, 80), 100)
        got = evaluate(result, values, WINDOW)
        assert_close(got, direct_conv(x, h, values, WINDOW))
        assert max(abs(v.imag) for v in got) < 1e-12


def test_sinusoid_special_frequency_branch():
    result = conv_discrete(sp.cos(w_ * n) * u(n), u(n), n)
    assert isinstance(result, sp.Piecewise)      # cos(omega) = 1: the sum is n + 1
    for values in ({w_: 2 * sp.pi}, {w_: 4 * sp.pi}):
        assert_close(evaluate(result, values, WINDOW), direct_conv(
            sp.cos(w_ * n) * u(n), u(n), values, WINDOW))


def test_sinusoid_with_a_nonlinear_argument_stays_a_sum():
    assert isinstance(conv_discrete(sp.cos(n**2) * u(n), u(n), n), sp.Sum)
