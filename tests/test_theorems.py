"""Tests of the theorem library: every derivation checks, broken ones are refuted,
and the statements agree with independent NumPy computations."""

import numpy as np
import pytest
import sympy as sp
from sympy import Function, Integral, Matrix, Sum, exp, floor, oo

from symconv.errors import ShapeError, SymconvError
from symconv.proofs import check_step, convolution, correlation
from symconv.proofs.theorems import NAMES, kinds, theorem

ALL = [(name, kind) for name in NAMES for kind in kinds(name)]

# steps (1-based) that SymPy cannot decide and the library honestly reports as
# only confirmed numerically; every other step must be proven
NUMERIC_ONLY = {
    ("support_length", "discrete"): {1, 2},
    ("support_length", "continuous"): {2},
    ("support_length", "2d"): {1, 2},
    ("convolution_theorem", "dft"): {4},
    ("output_size", "discrete"): {1},
    ("output_size", "2d"): {1},
}


def test_listing_and_kinds():
    assert theorem() == NAMES
    assert len(NAMES) == 16 and len(set(NAMES)) == 16
    for name in ("commutativity", "associativity", "distributivity", "linearity",
                 "shift_equivariance", "identity", "conv_corr_flip"):
        assert set(kinds(name)) == {"continuous", "discrete", "2d"}
    assert kinds("convolution_theorem") == ("fourier", "laplace", "dft", "z")
    with pytest.raises(SymconvError, match="name must be one of"):
        theorem("pythagoras")
    with pytest.raises(SymconvError, match="kind for 'backprop' must be one of"):
        theorem("backprop", kind="continuous")


@pytest.mark.parametrize("name,kind", ALL)
def test_every_theorem_checks(name, kind):
    d = theorem(name, kind=kind)
    assert d.title and len(d) >= 3 or name == "identity"
    report = d.check()
    assert report.valid, str(report)
    confirmed = set(report.confirmed)
    assert confirmed == NUMERIC_ONLY.get((name, kind), set()), str(report)
    for step in report.steps:
        assert step.justification
        if step.status == "confirmed":
            assert "random instance" in step.reason and "tolerance" in step.reason


# ---------------------------------------------------------------------------
# deliberately broken steps are refuted with a counterexample
# ---------------------------------------------------------------------------

f, g, h = Function("f"), Function("g"), Function("h")
n, k, m = sp.symbols("n k m", integer=True)
t, tau, sigma, u, w = sp.symbols("t tau sigma u omega", real=True)


def _breaks():
    x, a, b, y, wf, d = (Function(s) for s in ("x", "a", "b", "y", "w", "delta"))
    p, q = sp.symbols("m j", integer=True)
    N, M = sp.symbols("N M", positive=True, integer=True)
    s = sp.Symbol("s", positive=True)
    z = sp.Symbol("z", nonzero=True)
    return [
        ("commutativity", "discrete", 2, Sum(f(n + m) * g(m), (m, -oo, oo))),
        ("commutativity", "continuous", 2, Integral(f(t - sigma) * g(sigma), (sigma, oo, -oo))),
        ("conv_corr_flip", "discrete", 3, convolution(f, g, n)),
        ("identity", "continuous", 2, f(-t)),
        ("derivative", "discrete", 3, Sum(f(k) * g(n - k), (k, -oo, oo))
         - Sum(f(k) * g(n + 1 - k), (k, -oo, oo))),
        ("convolution_theorem", "fourier", 4,
         Integral(f(tau) * exp(-sp.I * w * tau), (tau, -oo, oo))
         * Integral(g(u) * exp(sp.I * w * u), (u, -oo, oo))),
        ("convolution_theorem", "laplace", 2,
         Integral(f(tau) * Integral(g(t - tau) * exp(-s * t), (t, 0, oo)), (tau, 0, oo))),
        ("convolution_theorem", "z", 2,
         Sum(x(k) * Sum(h(m) * z ** (-(m - k)), (m, -oo, oo)), (k, -oo, oo))),
        ("stacked_convolutions", "discrete", 7,
         Sum(x(n + p) * correlation(a, b, p), (p, -oo, oo))),
        ("transpose_adjoint", "discrete", 4, Sum(x(p) * correlation(y, wf, p), (p, -oo, oo))),
        ("support_length", "discrete", 3, N + M),
        ("probabilistic_commutativity", "discrete", 1, Sum(f(k) * g(n + k), (k, -oo, oo))),
        ("output_size", "discrete", 2, None),  # built below: the "+ 1" forgotten
        ("backprop", "discrete", 2, None),     # built below: weight gradient as a convolution
    ]


@pytest.mark.parametrize("name,kind,index,wrong", _breaks(),
                         ids=[f"{b[0]}-{b[1]}-{b[2]}" for b in _breaks()])
def test_a_wrong_step_is_refuted_with_a_counterexample(name, kind, index, wrong):
    d = theorem(name, kind=kind)
    before = d.expressions[index - 1]
    if name == "output_size":
        wrong = d.expressions[2].replace(lambda e: e.is_Add and e.has(floor) and 1 in e.args,
                                         lambda e: e - 1)
    if name == "backprop":
        x, dy = Function("x"), Function("dy")
        defs = d.expressions[2]
        wrong = Matrix([defs[0], convolution(x, dy, defs[1].at[0]), defs[2]])
    assert wrong != d.expressions[index]
    res = check_step(before, wrong, seed=7, time_limit=2)
    assert res.status == "refuted", res.reason
    assert res.counterexample is not None


def test_a_broken_derivation_reports_the_first_failure():
    d = theorem("associativity", kind="discrete")
    steps = list(d.steps)
    k_, m_ = sp.symbols("k m", integer=True)
    broken = steps[:3] + [(Sum(Sum(f(m_) * g(k_ - m_) * h(n + k_), (m_, -oo, oo)), (k_, -oo, oo)),
                           "a sign slipped")] + steps[3:]
    report = type(d)(broken, "broken associativity").check()
    assert not report.valid
    assert report.first_failure.index == 3 and report.first_failure.status == "refuted"
    assert report.steps[3].status == "refuted"  # the step after the slip does not hold either
    assert "REFUTED at step 3" in str(report) and "counterexample" in str(report)


# ---------------------------------------------------------------------------
# the statements against independent NumPy computations
# ---------------------------------------------------------------------------

def test_output_size_formula_agrees_with_the_shape_rules():
    from symconv.nn.shapes import conv_output_size

    final = theorem("output_size").result
    syms = {s.name: s for s in final.free_symbols}
    for n_ in range(1, 9):
        for k_ in range(1, 5):
            for s_ in (1, 2, 3):
                for d_ in (1, 2):
                    for plo, phi in ((0, 0), (1, 0), (2, 1)):
                        value = final.subs({syms["n"]: n_, syms["k"]: k_, syms["s"]: s_, syms["d"]: d_,
                                            syms["p_lo"]: plo, syms["p_hi"]: phi})
                        try:
                            expected = conv_output_size(n_, k_, stride=s_, padding=(plo, phi),
                                                        dilation=d_)
                        except ShapeError:
                            expected = 0
                        assert value == expected, (n_, k_, s_, d_, plo, phi)


def test_support_length_agrees_with_numpy():
    final = theorem("support_length").result
    N, M = sorted(final.free_symbols, key=str)[::-1]
    for a in range(1, 6):
        for b in range(1, 6):
            assert final.subs({N: a, M: b}) == len(np.convolve(np.ones(a), np.ones(b)))


def test_stacked_layers_and_adjoint_and_gradients_with_numpy():
    rng = np.random.default_rng(0)
    x = rng.normal(size=20)
    a, b = rng.normal(size=3), rng.normal(size=4)
    # (x corr a) corr b == x corr (a conv b), valid mode as in a layer
    two = np.correlate(np.correlate(x, a, "valid"), b, "valid")
    one = np.correlate(x, np.convolve(a, b), "valid")
    assert np.allclose(two, one) and len(np.convolve(a, b)) == 3 + 4 - 1
    # <x corr w, y> == <x, y conv w> (transposed convolution is the adjoint)
    wk = rng.normal(size=5)
    y = rng.normal(size=len(x) - len(wk) + 1)
    assert np.isclose(np.dot(np.correlate(x, wk, "valid"), y), np.dot(x, np.convolve(y, wk, "full")))
    # gradients of L = <delta, x corr w> by finite differences
    delta = y

    def loss(xx, ww):
        return np.dot(delta, np.correlate(xx, ww, "valid"))

    eps = 1e-6
    gx = np.array([(loss(x + eps * e, wk) - loss(x - eps * e, wk)) / (2 * eps) for e in np.eye(len(x))])
    gw = np.array([(loss(x, wk + eps * e) - loss(x, wk - eps * e)) / (2 * eps) for e in np.eye(len(wk))])
    assert np.allclose(gx, np.convolve(delta, wk, "full"), atol=1e-6)
    assert np.allclose(gw, np.correlate(x, delta, "valid"), atol=1e-6)


def test_dft_convolution_theorem_with_numpy():
    rng = np.random.default_rng(1)
    for N in (1, 4, 7):
        x, hh = rng.normal(size=N), rng.normal(size=N)
        circ = np.array([sum(x[mm] * hh[(nn - mm) % N] for mm in range(N)) for nn in range(N)])
        assert np.allclose(np.fft.fft(circ), np.fft.fft(x) * np.fft.fft(hh))
