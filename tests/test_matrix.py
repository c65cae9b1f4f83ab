"""Tests for symconv.nn.matrix: the matrix of a convolution and of its transpose.

The matrices are checked against three independent implementations of the layer:
the loop reference ``tests/naive_reference.py``, the NumPy executor
``symconv.numeric`` and the exact layers ``symconv.nn.layers``, on random
configurations drawn by hypothesis (1-3 spatial dimensions, channels, groups,
stride, asymmetric padding, dilation), plus hand-computed small cases.
"""

import math

import numpy as np
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st
from scipy import signal as sps

import naive_reference as naive
import symconv.numeric as sn
from symconv.nn import layers
from symconv.errors import ShapeError, SymconvError
from symconv.nn.matrix import conv_matrix, conv_transpose_matrix, matrix_shapes, unvec, vec

a, b, c, d, x, y, z = sympy.symbols("a b c d x y z")


def to_numpy(M):
    """Exact integer matrix -> int64 ndarray, from the non-zero entries only."""
    out = np.zeros(M.shape, dtype=np.int64)
    for (i, j), v in M.todok().items():
        out[i, j] = int(v)
    return out


# ---------------------------------------------------------------------------
# hand-computed cases
# ---------------------------------------------------------------------------

def test_1d_toeplitz_with_padding_acts_like_the_padded_sum():
    M = conv_matrix([x, y, z], 4, padding=1)
    assert M == sympy.Matrix([[y, z, 0, 0], [x, y, z, 0], [0, x, y, z], [0, 0, x, y]])
    out = M * sympy.Matrix([a, b, c, d])
    # y[n] = sum_m x_pad[n + m] k[m] with x_pad = [0, a, b, c, d, 0]
    assert list(out) == [a * y + b * z, a * x + b * y + c * z, b * x + c * y + d * z, c * x + d * y]


def test_padded_form_has_a_column_per_padding_zero():
    Mp = conv_matrix([x, y, z], 4, padding=1, padded=True)
    assert Mp.shape == (4, 6)
    assert Mp == sympy.Matrix([[x, y, z, 0, 0, 0], [0, x, y, z, 0, 0],
                               [0, 0, x, y, z, 0], [0, 0, 0, x, y, z]])
    # dropping the padding columns gives the unpadded matrix
    assert Mp[:, 1:5] == conv_matrix([x, y, z], 4, padding=1)


def test_transposed_convolution_worked_example():
    # [a, b] upsampled by the kernel [x, y, z] with stride 2
    T = conv_transpose_matrix([x, y, z], 2, stride=2)
    assert list(T * sympy.Matrix([a, b])) == [a * x, a * y, a * z + b * x, b * y, b * z]
    assert T == conv_matrix([x, y, z], 5, stride=2).T


def test_2d_doubly_block_toeplitz_structure():
    k = sympy.Matrix(3, 3, sympy.symbols("k0:9"))
    M = conv_matrix(k, (4, 5), padding=1, sparse=False)
    assert M.shape == (20, 20)
    # block (I, J) of size 5x5 depends only on J - I, and each block is Toeplitz
    block = lambda I, J: M[5 * I:5 * I + 5, 5 * J:5 * J + 5]  # noqa: E731
    for I in range(4):
        for J in range(4):
            if abs(I - J) > 1:
                assert block(I, J).is_zero_matrix
            else:
                assert block(I, J) == conv_matrix(list(k.row(J - I + 1)), 5, padding=1)


def test_flip_gives_the_mathematical_convolution():
    rng = np.random.default_rng(1)
    sig = rng.integers(-5, 6, 9)
    ker = rng.integers(-5, 6, 4)
    M = conv_matrix(ker.tolist(), 9, flip=True)
    assert (to_numpy(M) @ sig).tolist() == np.convolve(sig, ker, mode="valid").tolist()
    img = rng.integers(-5, 6, (5, 6))
    ker2 = rng.integers(-5, 6, (2, 3))
    M2 = conv_matrix(ker2.tolist(), (5, 6), flip=True)
    expected = sps.convolve2d(img, ker2, mode="valid")
    assert (to_numpy(M2) @ img.ravel()).reshape(expected.shape).tolist() == expected.tolist()
    # and without flip it is scipy's correlate2d
    M3 = conv_matrix(ker2.tolist(), (5, 6))
    expected = sps.correlate2d(img, ker2, mode="valid")
    assert (to_numpy(M3) @ img.ravel()).reshape(expected.shape).tolist() == expected.tolist()


def test_sparse_and_dense_agree_and_zeros_are_not_stored():
    k = [[1, 0, -1], [2, 0, -2], [1, 0, -1]]
    S = conv_matrix(k, (6, 6), padding=1)
    D = conv_matrix(k, (6, 6), padding=1, sparse=False)
    assert isinstance(S, sympy.SparseMatrix) and not isinstance(D, sympy.SparseMatrix)
    assert S == D
    assert S.nnz() == sum(1 for v in D if v != 0)


def test_kernel_input_forms():
    expected = conv_matrix([[1, 2], [3, 4]], (3, 3))
    assert conv_matrix(sympy.Matrix([[1, 2], [3, 4]]), (3, 3)) == expected
    assert conv_matrix(np.array([[1, 2], [3, 4]]), (3, 3)) == expected
    assert conv_matrix(sympy.Array([[1, 2], [3, 4]]), (3, 3)) == expected
    assert conv_matrix(((1, 2), (3, 4)), [3, 3]) == expected


def test_vec_unvec_round_trip_and_shapes():
    X = sympy.Array(sympy.symbols("x0:24"), (2, 3, 4))
    assert unvec(vec(X), (2, 3, 4)) == X
    assert matrix_shapes(np.ones((2, 3, 3, 3)), (3, 6, 6), padding="same") == ((3, 6, 6), (2, 6, 6))
    assert matrix_shapes(np.ones((2, 3, 3)), (2, 4), stride=2, transpose=True,
                         output_padding=1) == ((2, 4), (3, 10))


@pytest.mark.parametrize("bad, message", [
    (lambda: conv_matrix([1, 2], (3, 3)), "input_shape must have"),
    (lambda: conv_matrix([[[1, 2]]], (1, 5)), None),
    (lambda: conv_matrix([[[1, 2]]], (2, 5)), "input channels must equal"),
    (lambda: conv_matrix([["x", 1]], (2, 2)), "string"),
    (lambda: conv_matrix([[1, 2], [3]], (3, 3)), "rectangular"),
    (lambda: conv_matrix([1, 2, 3], 2), "padded input"),
    (lambda: conv_matrix([1, 2, 3], 0), "input_shape"),
    (lambda: conv_matrix([1, 2, 3], 5, stride=0), "stride"),
    (lambda: conv_transpose_matrix([1, 2, 3], 4, stride=2, output_padding=2), "output_padding"),
    (lambda: conv_transpose_matrix(np.ones((2, 3, 2)), (3, 4)), "kernel.shape[0]"),
    (lambda: unvec([1, 2, 3], (2, 2)), "prod(shape)"),
])
def test_errors_are_symconv_errors(bad, message):
    if message is None:  # a valid call: 1 channel in, 1 out, no error
        assert bad().shape == (4, 5)
        return
    with pytest.raises(SymconvError) as info:
        bad()
    assert message in str(info.value)


def test_error_types():
    with pytest.raises(ShapeError):
        conv_matrix([[1, 2], [3]], (3, 3))
    with pytest.raises(ShapeError):
        conv_matrix([1, 2], (3, 3))


# ---------------------------------------------------------------------------
# random configurations against the independent layer implementations
# ---------------------------------------------------------------------------

@st.composite
def layer_configs(draw, max_ndim=3):
    """A convolution configuration with ints small enough for loop references."""
    ndim = draw(st.integers(1, max_ndim))
    kmax, nmax = {1: (4, 9), 2: (3, 6), 3: (2, 4)}[ndim]
    groups = draw(st.sampled_from([1, 1, 2]))
    Cg, Fg = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    ks, ss, ds, pads, ns = [], [], [], [], []
    for _ in range(ndim):
        k = draw(st.integers(1, kmax))
        s = draw(st.integers(1, 3))
        dil = draw(st.integers(1, 2))
        lo, hi = draw(st.integers(0, 2)), draw(st.integers(0, 2))
        n_min = max(1, dil * (k - 1) + 1 - lo - hi)
        n = draw(st.integers(n_min, max(n_min, nmax)))
        ks.append(k), ss.append(s), ds.append(dil), pads.append((lo, hi)), ns.append(n)
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    w = rng.integers(-4, 5, (Fg * groups, Cg, *ks))
    xin = rng.integers(-4, 5, (1, Cg * groups, *ns))
    return dict(w=w, x=xin, stride=tuple(ss), padding=tuple(pads), dilation=tuple(ds),
                groups=groups)


def _layer_and_matrix(cfg):
    """The weight, the batched input, the layer's keyword arguments and its matrix."""
    kw = {name: cfg[name] for name in ("stride", "padding", "dilation", "groups")}
    return cfg["w"], cfg["x"], kw, conv_matrix(cfg["w"], cfg["x"].shape[1:], **kw)


@given(layer_configs())
def test_matrix_times_vec_equals_naive_layer(cfg):
    w, xin, kw, M = _layer_and_matrix(cfg)
    expected = naive.conv_layer(xin, w, **kw)[0]
    assert M.shape == (expected.size, xin[0].size)
    got = to_numpy(M) @ xin[0].ravel()
    assert got.tolist() == expected.ravel().astype(np.int64).tolist()
    # the padded form applied to the zero-padded input gives the same values
    Mp = conv_matrix(w, xin.shape[1:], padded=True, **kw)
    xp = np.pad(xin[0], [(0, 0), *cfg["padding"]])
    assert (to_numpy(Mp) @ xp.ravel()).tolist() == got.tolist()
    # the vectorised NumPy executor agrees (floats: integers this small are exact)
    numeric = sn.conv_layer(xin.astype(float), w.astype(float), **kw)[0]
    assert np.array_equal(got, numeric.ravel())


@given(layer_configs(max_ndim=2))
def test_matrix_times_vec_equals_exact_layer(cfg):
    w, xin, kw, M = _layer_and_matrix(cfg)
    exact = layers.conv_layer(xin[0].tolist(), w.tolist(), **kw)
    assert list(M * vec(xin[0])) == list(vec(exact))


@given(layer_configs())
def test_transpose_matrix_equals_naive_transposed_layer_and_restores_shape(cfg):
    w, xin, kw, M = _layer_and_matrix(cfg)
    small_shape = (w.shape[0], *naive.conv_layer(xin, w, **kw).shape[2:])
    # the output_padding that restores the original length (< stride because the
    # forward layer drops at most s - 1 trailing positions)
    ops = []
    for n, k, s, dil, (lo, hi), m in zip(xin.shape[2:], w.shape[2:], cfg["stride"],
                                         cfg["dilation"], cfg["padding"], small_shape[1:]):
        ops.append(n - ((m - 1) * s - lo - hi + dil * (k - 1) + 1))
    ops = tuple(ops)
    assert all(0 <= op < s for op, s in zip(ops, cfg["stride"]))
    T = conv_transpose_matrix(w, small_shape, output_padding=ops, **kw)
    assert T == M.T
    assert T.shape == (xin[0].size, math.prod(small_shape))
    rng = np.random.default_rng(0)
    small = rng.integers(-4, 5, (1, *small_shape))
    expected = naive.conv_transpose_layer(small, w, output_padding=ops, **kw)
    assert expected.shape[1:] == xin.shape[1:]  # restores the input shape
    got = to_numpy(T) @ small[0].ravel()
    assert got.tolist() == expected.ravel().astype(np.int64).tolist()
    numeric = sn.conv_transpose_layer(small.astype(float), w.astype(float), output_padding=ops, **kw)
    assert np.array_equal(got, numeric.ravel())
    exact = layers.conv_transpose_layer(small[0].tolist(), w.tolist(), output_padding=ops, **kw)
    assert list(T * vec(small[0])) == list(vec(exact))


@given(layer_configs(max_ndim=2))
def test_input_gradient_is_transpose_times_output_gradient(cfg):
    w, xin, kw, M = _layer_and_matrix(cfg)
    grad_y = np.random.default_rng(3).integers(-4, 5, naive.conv_layer(xin, w, **kw).shape)
    grad_x, _gw, _gb = naive.conv_layer_backward(xin, w, grad_y, **kw)
    got = to_numpy(M).T @ grad_y.ravel()
    assert got.tolist() == grad_x.ravel().astype(np.int64).tolist()
    numeric_gx, _gw, _gb = sn.conv_layer_backward(xin.astype(float), w.astype(float),
                                                  grad_y.astype(float), **kw)
    assert np.array_equal(got, numeric_gx.ravel())


def test_output_padding_beyond_stride_with_dilation():
    # output_padding may reach the dilation when it exceeds the stride (PyTorch's rule)
    w = np.arange(1, 7).reshape(1, 2, 3)
    small = np.array([[[2, -1, 3]]])
    T = conv_transpose_matrix(w, (1, 3), stride=1, dilation=3, output_padding=2)
    expected = naive.conv_transpose_layer(small, w, stride=1, dilation=3, output_padding=2)
    got = to_numpy(T) @ small[0].ravel()
    assert got.tolist() == expected.ravel().astype(np.int64).tolist()


def test_symbolic_entries_match_the_index_formula():
    # every entry of M is the kernel tap predicted by row (f, o), column (c, o*s + d*m - lo)
    w = sympy.Array(sympy.symbols("w0:12"), (2, 2, 3))
    M = conv_matrix(w, (2, 7), stride=2, padding=[(1, 2)], dilation=2)
    out = (7 + 3 - 2 * 2 - 1) // 2 + 1
    expected = sympy.zeros(2 * out, 14)
    for f in range(2):
        for o in range(out):
            for ch in range(2):
                for m in range(3):
                    p = 2 * o + 2 * m - 1
                    if 0 <= p < 7:
                        expected[f * out + o, ch * 7 + p] = w[f, ch, m]
    assert M == expected


def test_symbolic_kernel_and_input_match_the_exact_layer():
    # fully symbolic: two channels in, two filters out, 2-D, stride and padding
    w = sympy.Array(sympy.symbols("w0:16"), (2, 2, 2, 2))
    X = sympy.Array(sympy.symbols("x0:24"), (2, 3, 4))
    kw = dict(stride=(1, 2), padding=[(1, 0), (0, 1)])
    M = conv_matrix(w, (2, 3, 4), **kw)
    exact = layers.conv_layer(X, w, **kw)
    assert [sympy.expand(v) for v in M * vec(X)] == [sympy.expand(v) for v in vec(exact)]
    # the transposed matrix reproduces the exact transposed layer on a symbolic input
    Y = sympy.Array(sympy.symbols("y0:%d" % M.shape[0]), exact.shape)
    T = conv_transpose_matrix(w, exact.shape, output_padding=(0, 1), **kw)
    assert T == M.T
    back = layers.conv_transpose_layer(Y, w, output_padding=(0, 1), **kw)
    assert back.shape == X.shape
    assert [sympy.expand(v) for v in T * vec(Y)] == [sympy.expand(v) for v in vec(back)]


def test_matrix_transpose_is_the_adjoint():
    # <M x, y> = <x, M^T y> for symbolic vectors: the defining property of the transpose
    k = sympy.Matrix(3, 3, sympy.symbols("k0:9"))
    M = conv_matrix(k, (4, 4), stride=2, padding=1)
    xs = sympy.Matrix(sympy.symbols("x0:16"))
    ys = sympy.Matrix(sympy.symbols("y0:%d" % M.shape[0]))
    lhs = ((M * xs).T * ys)[0]
    rhs = (xs.T * (conv_transpose_matrix(k, (2, 2), stride=2, padding=1, output_padding=1) * ys))[0]
    assert sympy.expand(lhs - rhs) == 0


# ---------------------------------------------------------------------------
# command line
# ---------------------------------------------------------------------------

def run_cli(capsys, *argv):
    from symconv.cli import main

    status = main(["matrix", *argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_cli_prints_the_toeplitz_matrix_and_the_product(capsys):
    status, out, _ = run_cli(capsys, "--kernel", "[x, y, z]", "--input", "4", "--padding", "1",
                             "--apply")
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == "kernel [x, y, z]"
    assert "M is 4 x 4 with 10 non-zeros" in lines[1]
    assert lines[2:6] == ["[y  z  0  0]", "[x  y  z  0]", "[0  x  y  z]", "[0  0  x  y]"]
    assert lines[-4].strip("[] ") == "X0*y + X1*z"


def test_cli_transpose_worked_example_and_latex(capsys):
    status, out, _ = run_cli(capsys, "--kernel", "[x,y,z]", "--input", "2", "--stride", "2",
                             "--transpose", "--apply")
    assert status == 0
    assert out.splitlines()[-3].strip("[] ") == "X0*z + X1*x"
    status, out, _ = run_cli(capsys, "--kernel", "[x,y,z]", "--input", "4", "--padding", "1", "--latex")
    assert status == 0
    assert "\\begin{matrix}y & z & 0 & 0\\\\x & y & z & 0" in out


def test_cli_multichannel_padding_pairs_and_large_inputs(capsys):
    status, out, _ = run_cli(capsys, "--kernel", "[[[1, 2]], [[0, 1]]]", "--input", "1,5")
    assert status == 0 and "y shape (2, 4)" in out
    status, out, _ = run_cli(capsys, "--kernel", "[[1,2],[3,4]]", "--input", "3,3",
                             "--padding", "0:1,1:0")
    assert status == 0 and "y shape (3, 3)" in out
    status, out, _ = run_cli(capsys, "--kernel", "[[a,b,c],[d,e,f],[g,h,i]]", "--input", "32,32",
                             "--padding", "same")
    assert status == 0 and "1024 x 1024 with 8836 non-zeros" in out and "too large" in out


@pytest.mark.parametrize("kernel", ["[__import__('os').system('true')]", "[1, 2", "x, y",
                                    "[f(1, 2)]", "[1,,2]"])
def test_cli_rejects_hostile_or_malformed_kernels(capsys, kernel):
    status, out, err = run_cli(capsys, "--kernel", kernel, "--input", "3")
    assert status == 2 and out == ""
    assert err.startswith("symconv matrix: error:")


def test_cli_single_letters_are_symbols_and_euler_is_named(capsys):
    """Issue 13: ``e`` in a list of symbolic entries is a symbol, not Euler's number."""
    status, out, _ = run_cli(capsys, "--kernel", "[[a,b,c],[d,e,f],[g,h,i]]", "--input", "3,3")
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == "kernel [[a, b, c], [d, e, f], [g, h, i]]"
    assert lines[2].strip("[] ").split() == list("abcdefghi")
    assert "E" not in out and "exp" not in out
    status, out, _ = run_cli(capsys, "--kernel", "[e^t, I, exp(-1)]", "--input", "3")
    assert status == 0
    first = out.splitlines()[0]
    assert first.startswith("kernel [exp(t), I, exp(-1)]")
    assert "Euler's number e in: exp(t), exp(-1)" in first
    status, out, _ = run_cli(capsys, "--kernel", "[e, j]", "--input", "2", "--latex")
    assert status == 0 and out.splitlines()[0] == "% kernel [e, j]"
    assert out.splitlines()[2] == "\\left[\\begin{matrix}e & j\\end{matrix}\\right]"


def test_cli_unknown_function_in_a_kernel_is_refused(capsys):
    status, out, err = run_cli(capsys, "--kernel", "[sinc(1), step(2)]", "--input", "3")
    assert status == 2 and out == ""
    assert "unknown function 'step'; did you mean 'u'?" in err
