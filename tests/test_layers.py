"""Tests of the exact layers (symconv.nn.layers).

The exact layers are compared with two independent implementations: the loop
reference ``tests/naive_reference.py`` and the vectorised executor
``symconv.numeric``, on random integer tensors over hypothesis-drawn
configurations (so exact integers must match floats exactly).  Symbolic inputs are
checked by substituting numbers afterwards.
"""

import numpy as np
import pytest
import sympy as sp
from hypothesis import assume, given, strategies as st

import naive_reference as ref
import symconv
import symconv.numeric as sn
from symconv.errors import ShapeError, SymconvError
from symconv.nn.layers import (conv_layer, conv_transpose_layer, corr2d, corr2d_multi_in,
                            corr2d_multi_in_out, pool2d, pool_layer)


def as_numpy(arr):
    """An exact integer/rational SymPy array as float64 (exact for our small values)."""
    return np.array(arr.tolist(), dtype=object).astype(float)


def rng_from(seed):
    return np.random.default_rng(seed)


# ---------------------------------------------------------------------------
# the textbook functions
# ---------------------------------------------------------------------------

def test_corr2d_textbook_example():
    X = [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    K = [[0, 1], [2, 3]]
    assert corr2d(X, K).tolist() == [[19, 25], [37, 43]]


def test_corr2d_edge_detector():
    # the textbook's vertical-edge example: ones with a band of zeros, kernel [1, -1]
    X = [[1, 1, 0, 0, 0, 0, 1, 1]] * 6
    Y = corr2d(X, [[1, -1]])
    assert Y.tolist() == [[0, 1, 0, 0, 0, -1, 0]] * 6
    # the transposed image sees no vertical edges
    Xt = [list(col) for col in zip(*X)]
    assert corr2d(Xt, [[1, -1]]).tolist() == [[0] * 5] * 8


def test_corr2d_accepts_numpy_matrix_and_array():
    X = np.arange(12).reshape(3, 4)
    K = sp.Matrix([[1, 0], [0, -1]])
    expected = [[X[i, j] - X[i + 1, j + 1] for j in range(3)] for i in range(2)]
    assert corr2d(X, K).tolist() == expected
    assert corr2d(sp.Array(X.tolist()), np.array(K.tolist(), dtype=object)).tolist() == expected


def test_multi_channel_textbook_examples():
    X = [[[0, 1, 2], [3, 4, 5], [6, 7, 8]], [[1, 2, 3], [4, 5, 6], [7, 8, 9]]]
    K = np.array([[[0, 1], [2, 3]], [[1, 2], [3, 4]]])
    assert corr2d_multi_in(X, K).tolist() == [[56, 72], [104, 120]]
    K3 = np.stack([K, K + 1, K + 2])
    out = corr2d_multi_in_out(X, K3)
    assert out.shape == (3, 2, 2)
    assert out.tolist() == [[[56, 72], [104, 120]], [[76, 100], [148, 172]],
                            [[96, 128], [192, 224]]]
    # a 1x1 kernel mixes channels position by position
    K11 = np.array([[[[1]], [[2]]], [[[0]], [[-1]]]])
    mixed = corr2d_multi_in_out(X, K11)
    Xn = np.array(X)
    assert as_numpy(mixed).tolist() == [(Xn[0] + 2 * Xn[1]).tolist(), (-Xn[1]).tolist()]


def test_pool2d_textbook_examples():
    X = [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    assert pool2d(X, (2, 2)).tolist() == [[4, 5], [7, 8]]
    assert pool2d(X, (2, 2), "avg").tolist() == [[2, 3], [5, 6]]
    avg = pool2d([[1, 2, 4], [0, 0, 1]], 2, mode="avg")
    assert avg.tolist() == [[sp.Rational(3, 4), sp.Rational(7, 4)]]
    assert pool2d(X, (1, 3), "max").tolist() == [[2], [5], [8]]


def test_symbolic_entries_give_the_formula():
    a, b, c, d, k0, k1 = sp.symbols("a b c d k0 k1")
    Y = corr2d([[a, b], [c, d]], [[k0, k1]])
    assert Y.tolist() == [[a * k0 + b * k1], [c * k0 + d * k1]]
    assert pool2d([[a, b], [c, d]], 2).tolist() == [[sp.Max(a, b, c, d)]]
    assert pool2d([[a, b], [c, d]], 2, "avg")[0, 0] == (a + b + c + d) / 4
    # Max simplifies what it can decide
    p = sp.Symbol("p", positive=True)
    assert pool2d([[p, 0], [-1, -p]], 2)[0, 0] == p


# ---------------------------------------------------------------------------
# hypothesis strategies: layer configurations that are valid by construction
# ---------------------------------------------------------------------------

@st.composite
def conv_configs(draw):
    nd = draw(st.integers(1, 2))
    groups = draw(st.integers(1, 2))
    C = groups * draw(st.integers(1, 2))
    F = groups * draw(st.integers(1, 2))
    N = draw(st.integers(1, 2))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(nd))
    padding_mode = draw(st.sampled_from(["zeros", "reflect", "replicate", "circular"]))
    kind = draw(st.sampled_from(["int", "per-dim", "pairs", "same", "valid"]))
    stride = (1,) * nd if kind == "same" else tuple(draw(st.integers(1, 3)) for _ in range(nd))
    spatial = tuple(draw(st.integers(1, 6)) for _ in range(nd))
    if kind == "int":
        padding = draw(st.integers(0, 2))
        pairs = [(padding, padding)] * nd
    elif kind == "per-dim":
        padding = tuple(draw(st.integers(0, 2)) for _ in range(nd))
        pairs = [(p, p) for p in padding]
    elif kind == "pairs":
        padding = tuple((draw(st.integers(0, 2)), draw(st.integers(0, 2))) for _ in range(nd))
        pairs = list(padding)
    elif kind == "same":
        padding = "same"
        pairs = [(d * (k - 1) // 2, d * (k - 1) - d * (k - 1) // 2)
                 for k, d in zip(kernel, dilation)]
    else:
        padding = "valid"
        pairs = [(0, 0)] * nd
    for n, k, d, (lo, hi) in zip(spatial, kernel, dilation, pairs):
        assume(n + lo + hi >= d * (k - 1) + 1)
        if padding_mode == "reflect":
            assume(max(lo, hi) < n)
        if padding_mode == "circular":
            assume(max(lo, hi) <= n)
    seed = draw(st.integers(0, 2**32 - 1))
    with_bias = draw(st.booleans())
    return dict(shape_x=(N, C) + spatial, shape_w=(F, C // groups) + kernel,
                bias=with_bias, stride=stride, padding=padding, dilation=dilation,
                groups=groups, padding_mode=padding_mode, seed=seed)


def _conv_args(cfg):
    rng = rng_from(cfg["seed"])
    x = rng.integers(-5, 6, size=cfg["shape_x"])
    w = rng.integers(-3, 4, size=cfg["shape_w"])
    b = rng.integers(-4, 5, size=cfg["shape_w"][0]) if cfg["bias"] else None
    kwargs = {k: cfg[k] for k in ("stride", "padding", "dilation", "groups", "padding_mode")}
    return x, w, b, kwargs


def _as_floats(x, w, b):
    return x.astype(float), w.astype(float), None if b is None else b.astype(float)


# the float implementations an exact layer is compared with, and the tolerance: the
# loop reference adds in the defining order and must agree exactly (atol=0 is equality)
FLOAT_IMPLEMENTATIONS = pytest.mark.parametrize(
    "implementation, atol", [(ref, 0), (sn, 1e-9)], ids=["naive_reference", "numeric_executor"])


@FLOAT_IMPLEMENTATIONS
@given(conv_configs())
def test_conv_layer_matches_float_implementation(implementation, atol, cfg):
    x, w, b, kwargs = _conv_args(cfg)
    exact = conv_layer(x, w, b, **kwargs)
    expected = implementation.conv_layer(*_as_floats(x, w, b), **kwargs)
    assert exact.shape == expected.shape
    assert np.allclose(as_numpy(exact), expected, rtol=0, atol=atol)


@given(conv_configs())
def test_conv_layer_symbolic_then_substituted(cfg):
    # the same layer on symbols, with the random integers substituted afterwards
    cfg = dict(cfg, shape_x=(1,) + cfg["shape_x"][1:])
    x, w, b, kwargs = _conv_args(cfg)
    xs = np.array(sp.symbols(f"x0:{x.size}"), dtype=object).reshape(x.shape)
    ws = np.array(sp.symbols(f"w0:{w.size}"), dtype=object).reshape(w.shape)
    sym = conv_layer(xs, ws, None if b is None else sp.symbols(f"b0:{b.size}"), **kwargs)
    values = dict(zip(xs.ravel(), x.ravel().tolist()))
    values.update(zip(ws.ravel(), w.ravel().tolist()))
    if b is not None:
        values.update(zip(sp.symbols(f"b0:{b.size}"), b.tolist()))
    substituted = sym.applyfunc(lambda e: e.xreplace(values))  # plain replacement: fast
    assert substituted.tolist() == conv_layer(x, w, b, **kwargs).tolist()


@st.composite
def transpose_configs(draw):
    nd = draw(st.integers(1, 2))
    groups = draw(st.integers(1, 2))
    C = groups * draw(st.integers(1, 2))
    Fg = draw(st.integers(1, 2))
    N = draw(st.integers(1, 2))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(nd))
    spatial = tuple(draw(st.integers(1, 4)) for _ in range(nd))
    output_padding = tuple(draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation))
    if draw(st.booleans()):
        padding = tuple((draw(st.integers(0, 2)), draw(st.integers(0, 2))) for _ in range(nd))
        pairs = list(padding)
    else:
        padding = draw(st.integers(0, 2))
        pairs = [(padding, padding)] * nd
    for n, k, s, d, op, (lo, hi) in zip(spatial, kernel, stride, dilation, output_padding, pairs):
        assume((n - 1) * s - lo - hi + d * (k - 1) + op + 1 >= 1)
    return dict(shape_x=(N, C) + spatial, shape_w=(C, Fg) + kernel, bias=draw(st.booleans()),
                stride=stride, padding=padding, output_padding=output_padding,
                dilation=dilation, groups=groups, seed=draw(st.integers(0, 2**32 - 1)))


def _transpose_args(cfg):
    rng = rng_from(cfg["seed"])
    x = rng.integers(-5, 6, size=cfg["shape_x"])
    w = rng.integers(-3, 4, size=cfg["shape_w"])
    F = cfg["shape_w"][1] * cfg["groups"]
    b = rng.integers(-4, 5, size=F) if cfg["bias"] else None
    kwargs = {k: cfg[k] for k in ("stride", "padding", "output_padding", "dilation", "groups")}
    return x, w, b, kwargs


@FLOAT_IMPLEMENTATIONS
@given(transpose_configs())
def test_conv_transpose_matches_float_implementation(implementation, atol, cfg):
    x, w, b, kwargs = _transpose_args(cfg)
    exact = conv_transpose_layer(x, w, b, **kwargs)
    expected = implementation.conv_transpose_layer(*_as_floats(x, w, b), **kwargs)
    assert exact.shape == expected.shape
    assert np.allclose(as_numpy(exact), expected, rtol=0, atol=atol)


@given(transpose_configs())
def test_conv_transpose_is_the_adjoint_of_conv(cfg):
    # <conv(y, w), x> == <y, conv_transpose(x, w)> for every y of the transposed output
    # shape (zero padding, no bias, output_padding only changes which y are allowed)
    x, w, _, kwargs = _transpose_args(cfg)
    groups = cfg["groups"]
    ct = conv_transpose_layer(x, w, **kwargs)
    y = rng_from(cfg["seed"] + 1).integers(-4, 5, size=ct.shape)
    # conv weight of the forward layer: (C, Fg, k) read as (F_conv=C, C_conv/groups=Fg)
    fwd = conv_layer(y, w, stride=kwargs["stride"], padding=kwargs["padding"],
                     dilation=kwargs["dilation"], groups=groups)
    # the forward layer may produce extra trailing outputs (output_padding, strides):
    # the adjoint identity concerns the first x.shape entries
    assert all(a >= b for a, b in zip(fwd.shape, x.shape))
    fwd_np = as_numpy(fwd)[tuple(slice(0, m) for m in x.shape)]
    lhs = int((fwd_np * x).sum())
    rhs = int((as_numpy(ct) * y).sum())
    assert lhs == rhs


@st.composite
def pool_configs(draw):
    nd = draw(st.integers(1, 2))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    stride = draw(st.one_of(st.none(), st.tuples(*[st.integers(1, 3)] * nd)))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(nd))
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    spatial = tuple(draw(st.integers(1, 6)) for _ in range(nd))
    ceil_mode = draw(st.booleans())
    mode = draw(st.sampled_from(["max", "avg"]))
    count_include_pad = draw(st.booleans())
    s = kernel if stride is None else stride
    for n, k, si, d, p in zip(spatial, kernel, s, dilation, padding):
        assume(n + 2 * p >= d * (k - 1) + 1)
        if mode == "max" or not count_include_pad:
            # every window must read a real element (else -inf for max, 0/0 for the average)
            L = n + 2 * p - d * (k - 1) - 1
            m = (-(-L // si) if ceil_mode else L // si) + 1
            if ceil_mode and (m - 1) * si >= n + p:
                m -= 1
            for o in range(m):
                assume(any(0 <= o * si + j * d - p < n for j in range(k)))
    return dict(shape=(draw(st.integers(1, 2)), draw(st.integers(1, 2))) + spatial,
                kernel_size=kernel, stride=stride, padding=padding, dilation=dilation,
                mode=mode, ceil_mode=ceil_mode, count_include_pad=count_include_pad,
                seed=draw(st.integers(0, 2**32 - 1)))


@given(pool_configs())
def test_pool_layer_matches_naive_reference_and_executor(cfg):
    x = rng_from(cfg["seed"]).integers(-9, 10, size=cfg["shape"])
    kwargs = {k: cfg[k] for k in ("kernel_size", "stride", "padding", "dilation", "mode",
                                  "ceil_mode", "count_include_pad")}
    exact = pool_layer(x, **kwargs)
    expected = ref.pool_layer(x.astype(float), **kwargs)
    assert exact.shape == expected.shape
    assert np.allclose(as_numpy(exact), expected, rtol=1e-12, atol=0)
    fast = sn.pool_layer(x.astype(float), **kwargs)
    assert np.allclose(as_numpy(exact), fast, rtol=1e-12, atol=0)
    if cfg["mode"] == "avg":
        assert all(isinstance(v, sp.Rational) for v in sp.flatten(exact.tolist()))


def test_pool_layer_exact_averages_and_symbolic_max():
    a, b, c = sp.symbols("a b c")
    out = pool_layer([[[a, b, c]]], 2, padding=1, mode="avg")
    assert out.tolist() == [[[a / 2, (b + c) / 2]]]
    out = pool_layer([[[a, b, c]]], 2, padding=1, mode="avg", count_include_pad=False)
    assert out.tolist() == [[[a, (b + c) / 2]]]
    assert pool_layer([[[a, b, c]]], 2, ceil_mode=True).tolist() == [[[sp.Max(a, b), c]]]
    # ceil_mode: the last partial window's overhang is not counted
    out = pool_layer([[[3, 1, 2]]], 2, mode="avg", ceil_mode=True)
    assert out.tolist() == [[[2, 2]]]


def test_unbatched_input():
    x = [[1, 2, 3]]
    assert conv_layer(x, [[[1, 1]]]).tolist() == [[3, 5]]
    assert pool_layer(x, (2,), stride=1).tolist() == [[2, 3]]
    assert conv_transpose_layer(x, [[[1, 1]]]).tolist() == [[1, 3, 5, 3]]


def test_public_api_names():
    assert symconv.conv_layer is conv_layer
    assert symconv.corr2d is corr2d
    assert symconv.pool_layer is pool_layer


# ---------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("call, kind, message", [
    (lambda: corr2d([[1, 2], [3]], [[1]]), ShapeError, "rectangular"),
    (lambda: corr2d([[1, 2]], [[1, 2, 3]]), ShapeError, "dilated kernel"),
    (lambda: corr2d([1, 2, 3], [[1]]), ShapeError, "X must have shape (h, w)"),
    (lambda: corr2d([["x", 1]], [[1]]), SymconvError, "the string 'x'"),
    (lambda: corr2d([[True, 1]], [[1]]), SymconvError, "boolean"),
    (lambda: corr2d_multi_in(np.zeros((2, 3, 3), int), np.zeros((3, 2, 2), int)),
     ShapeError, "same number of channels"),
    (lambda: corr2d_multi_in_out(np.zeros((2, 3, 3), int), np.zeros((4, 3, 2, 2), int)),
     ShapeError, "K.shape[1] must equal the channels"),
    (lambda: pool2d([[1, 2]], 2, mode="mean"), SymconvError, "mode must be one of"),
    (lambda: conv_layer(np.zeros((1, 4, 5), int), np.zeros((3, 2, 2), int), groups=2),
     ShapeError, "does not divide F=3"),
    (lambda: conv_layer(np.zeros((1, 4, 5), int), np.zeros((2, 3, 2), int)),
     ShapeError, "w.shape[1] * groups must equal the input channels"),
    (lambda: conv_layer(np.zeros((1, 1, 5), int), np.zeros((2, 1, 2), int), bias=[1, 2, 3]),
     ShapeError, "bias must have shape (2,)"),
    (lambda: conv_layer(np.zeros((1, 1, 5), int), np.zeros((1, 1, 3), int), stride=2,
                        padding="same"), ShapeError, "requires stride 1"),
    (lambda: conv_layer(np.zeros((1, 1, 2), int), np.zeros((1, 1, 3), int), padding=2,
                        padding_mode="reflect"), ShapeError, "padding < input size"),
    (lambda: conv_layer(np.zeros((1, 1, 2), int), np.zeros((1, 1, 3), int), padding=3,
                        padding_mode="circular"), ShapeError, "padding <= input size"),
    (lambda: conv_layer(np.zeros((1, 1, 5), int), np.zeros((1, 1, 3), int),
                        padding_mode="mirror"), SymconvError, "padding_mode must be one of"),
    (lambda: conv_layer(np.zeros((1, 5), int), np.zeros((1, 1, 3, 3), int)),
     ShapeError, "2 spatial dimension(s)"),
    (lambda: conv_layer(np.zeros((1, 1, 5), int), np.zeros((1, 1, 3), int), stride=0),
     SymconvError, "stride must be an integer >= 1"),
    (lambda: conv_transpose_layer(np.zeros((1, 2, 3), int), np.zeros((3, 1, 2), int)),
     ShapeError, "w.shape[0] must equal the input channels"),
    (lambda: conv_transpose_layer(np.zeros((1, 1, 3), int), np.zeros((1, 1, 2), int),
                                  stride=2, output_padding=2), ShapeError, "output_padding"),
    (lambda: conv_transpose_layer(np.zeros((1, 1, 3), int), np.zeros((1, 1, 2), int),
                                  padding="same"), SymconvError, "padding of conv_transpose"),
    (lambda: pool_layer(np.zeros((1, 1, 6), int), 2, padding=2), ShapeError, "kernel_size/2"),
    (lambda: pool_layer(np.zeros((1, 1, 2), int), 2, padding=1, dilation=3), ShapeError,
     "entirely in the padding"),
    (lambda: pool_layer(np.zeros((1, 6), int), (2, 2)), ShapeError, "2 spatial dimension"),
])
def test_errors(call, kind, message):
    with pytest.raises(kind) as info:
        call()
    assert message in str(info.value)
