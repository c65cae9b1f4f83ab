"""Tests for symconv.proofs.reindex: the MLP -> convolution argument and its checks.

Besides running the derivation's own checks, the tests rebuild the constrained fully
connected layer here, independently, and compare it with the NumPy executor and the
loop reference; and they show that a wrong stage formula is refuted.
"""

import numpy as np
import pytest
import sympy
from sympy import IndexedBase, Sum, Symbol

import naive_reference as naive
import symconv.numeric as sn
from symconv.errors import SymconvError
from symconv.proofs import Derivation
from symconv.proofs.reindex import _check_stage, _Stage, mlp_to_conv, parameter_counts


# ---------------------------------------------------------------------------
# parameter counts
# ---------------------------------------------------------------------------

def test_parameter_counts_for_concrete_sizes():
    values = [v for _s, _f, v in parameter_counts(28, 28, delta=1)]
    assert values == [28 ** 4 + 28 ** 2, 28 ** 4 + 28 ** 2, 55 * 55 + 1, 9 + 1, 9 + 1]
    values = [v for _s, _f, v in parameter_counts(32, 24, channels_in=3, channels_out=16, delta=2)]
    assert values[2] == 63 * 47 + 1
    assert values[4] == 25 * 3 * 16 + 16
    assert all(isinstance(v, int) for v in values)


def test_parameter_counts_are_formulas_for_symbolic_sizes():
    n = Symbol("n", integer=True, positive=True)
    counts = parameter_counts(n, n)
    Delta = Symbol("Delta", integer=True, nonnegative=True)
    assert sympy.expand(counts[0][2] - (n ** 4 + n ** 2)) == 0
    assert sympy.expand(counts[2][2] - ((2 * n - 1) ** 2 + 1)) == 0
    assert sympy.expand(counts[3][2] - ((2 * Delta + 1) ** 2 + 1)) == 0
    # every stage never increases the count (for n >= 1, Delta < n)
    for nv in range(1, 6):
        for dv in range(nv):
            nums = [int(v.subs({n: nv, Delta: dv})) for _s, _f, v in counts]
            assert nums[0] == nums[1] >= nums[2] >= nums[3] == nums[4]


# ---------------------------------------------------------------------------
# the derivation
# ---------------------------------------------------------------------------

def test_derivation_expressions_are_the_textbook_formulas():
    d = mlp_to_conv(3, 4, delta=1)
    assert isinstance(d, Derivation) and len(d) == 5
    i, j, k, l, a, b, c, dd = (Symbol(s, integer=True) for s in "i j k l a b c d".split())
    U, W, V, X = (IndexedBase(s) for s in "UWVX")
    assert d.expressions[0] == U[i, j] + Sum(W[i, j, k, l] * X[k, l], (k, 0, 2), (l, 0, 3))
    assert d.expressions[1] == U[i, j] + Sum(V[i, j, a, b] * X[i + a, j + b],
                                             (a, -i, 2 - i), (b, -j, 3 - j))
    assert d.expressions[3] == Symbol("u") + Sum(V[a, b] * X[i + a, j + b], (a, -1, 1), (b, -1, 1))
    assert d.expressions[4].has(V[a, b, c, dd])
    assert "reindexed: h**2*w**2 + h*w = 156 parameters" in d.justifications[0]
    assert "= 10 parameters" in d.justifications[2]


def test_small_sizes_are_proven_at_the_requested_size():
    report = mlp_to_conv(3, 3, delta=1).check()
    assert report.valid
    assert [s.status for s in report.steps] == ["proven"] * 4
    assert "for every size" in report.steps[0].reason
    assert "(the requested size)" in report.steps[2].reason


def test_delta_zero_is_the_one_by_one_convolution():
    d = mlp_to_conv(3, 2, channels_in=2, channels_out=3, delta=0)
    assert len(d) == 6
    c, dd = Symbol("c", integer=True), Symbol("d", integer=True)
    V, X, u = IndexedBase("V"), IndexedBase("X"), IndexedBase("u")
    i, j = Symbol("i", integer=True), Symbol("j", integer=True)
    assert d.result == u[dd] + Sum(V[c, dd] * X[i, j, c], (c, 0, 1))
    assert "1x1 convolution" in d.justifications[-1] and "= 9 parameters" in d.justifications[-1]
    report = d.check()
    assert report.valid and report.steps[-1].status == "proven"
    # independently: a 1x1 convolution is the same channel matrix applied at every pixel
    rng = np.random.default_rng(2)
    M = rng.integers(-5, 6, (3, 2))
    x = rng.integers(-5, 6, (1, 2, 4, 5))
    per_pixel = np.einsum("dc,nchw->ndhw", M, x)
    assert np.array_equal(sn.conv_layer(x.astype(float), M[:, :, None, None].astype(float)), per_pixel)


def test_large_or_symbolic_sizes_are_only_confirmed_and_say_so():
    report = mlp_to_conv(8, 8, delta=1).check()
    assert report.valid
    assert [s.status for s in report.steps] == ["proven", "confirmed", "confirmed", "confirmed"]
    assert "on 8x8" in report.steps[1].reason and "not a proof" in report.steps[1].reason
    n = Symbol("n")
    report = mlp_to_conv(n, n).check()
    assert report.valid and report.steps[0].status == "proven"
    assert "Delta = 1" in report.steps[2].reason
    assert mlp_to_conv(n, n).title.endswith("Delta symbolic")


def test_dense_matrix_is_reduced_for_large_channel_counts():
    report = mlp_to_conv(32, 32, channels_in=3, channels_out=4, delta=1).check()
    assert report.valid
    assert "reduced from 32x32" in report.steps[3].reason


def test_window_larger_than_the_image():
    assert mlp_to_conv(2, 3, delta=4).check().valid


# ---------------------------------------------------------------------------
# independent rebuild of the constrained fully connected layer
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("h, w, ci, co, delta", [(4, 5, 1, 1, 1), (3, 3, 2, 3, 1), (5, 4, 2, 2, 2),
                                                 (4, 4, 3, 2, 0)])
def test_constrained_fully_connected_layer_is_the_padded_correlation(h, w, ci, co, delta):
    rng = np.random.default_rng(h * 100 + w * 10 + delta)
    K = rng.integers(-5, 6, (co, ci, 2 * delta + 1, 2 * delta + 1))
    bias = rng.integers(-5, 6, co)
    x = rng.integers(-9, 10, (ci, h, w))
    # H[d,i,j] = u_d + sum_{k,l,c} W[d,i,j,c,k,l] X[c,k,l], W from the locality constraint
    Wfull = np.zeros((co, h, w, ci, h, w), dtype=np.int64)
    for d, i, j, c, k, l in np.ndindex(co, h, w, ci, h, w):
        if abs(k - i) <= delta and abs(l - j) <= delta:
            Wfull[d, i, j, c, k, l] = K[d, c, k - i + delta, l - j + delta]
    H = np.einsum("dijckl,ckl->dij", Wfull, x) + bias[:, None, None]
    ref = naive.conv_layer(x[None], K, bias=bias, padding=delta)[0]
    assert np.array_equal(H, ref)
    assert np.array_equal(H, sn.conv_layer(x[None].astype(float), K.astype(float),
                                           bias=bias.astype(float), padding=delta)[0])


def test_a_wrong_stage_formula_is_refuted():
    # the convolution-orientation formula X[i - a, j - b] is not what the layer computes
    i, j, a, b = (Symbol(s, integer=True) for s in "ijab")
    V, X = IndexedBase("V"), IndexedBase("X")
    D = Symbol("Delta", integer=True, nonnegative=True)
    hs, ws = Symbol("h", integer=True, positive=True), Symbol("w", integer=True, positive=True)
    cs = Symbol("C_in", integer=True, positive=True)
    wrong = Symbol("u") + Sum(V[a, b] * X[i - a, j - b], (a, -D, D), (b, -D, D))

    def factory(hh, ww, ci, co):
        return _Stage("local", hh, ww, 1, 1, (1, 1), True)
    factory.concrete = True
    result = _check_stage(factory, 3, 3, 1, 1, 0, 2, wrong, (hs, ws, cs, D))
    assert result.status == "refuted"
    assert "displayed formula differs" in result.reason
    right = Symbol("u") + Sum(V[a, b] * X[i + a, j + b], (a, -D, D), (b, -D, D))
    assert _check_stage(factory, 3, 3, 1, 1, 0, 2, right, (hs, ws, cs, D)).status == "proven"


@pytest.mark.parametrize("call, message", [
    (lambda: mlp_to_conv(0, 3), "height"),
    (lambda: mlp_to_conv("n", 3), "string"),
    (lambda: mlp_to_conv(3, 3, delta=-1), "delta"),
    (lambda: mlp_to_conv(3, 3, channels_in=0), "channels_in"),
])
def test_errors(call, message):
    with pytest.raises(SymconvError, match=message):
        call()


# ---------------------------------------------------------------------------
# command line
# ---------------------------------------------------------------------------

def test_cli(capsys):
    from symconv.cli import main

    assert main(["mlp-to-conv", "--delta", "1", "--height", "4", "--width", "4"]) == 0
    out = capsys.readouterr().out
    assert "PROVEN: all 4 step(s) proven" in out
    assert "translation invariant  (2*h - 1)*(2*w - 1) + 1 = 50" in out
    assert main(["mlp-to-conv", "--delta", "0", "--height", "3", "--width", "3", "--latex"]) == 0
    out = capsys.readouterr().out
    assert "\\begin{align*}" in out and "1x1 convolution" in out
    assert main(["mlp-to-conv", "--height", "n", "--width", "n", "--no-check"]) == 0
    assert "Delta symbolic" in capsys.readouterr().out
    assert main(["mlp-to-conv", "--height", "n+1"]) == 2
    assert "--height must be a positive int" in capsys.readouterr().err
