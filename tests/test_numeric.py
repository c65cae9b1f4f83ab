"""Tests of the NumPy executor against the loop reference, numpy/scipy and calculus.

* every layer op agrees with ``tests/naive_reference.py`` (the definition as loops) over
  hypothesis-drawn shapes, strides, paddings (ints, pairs, 'same', 'valid'), dilations,
  groups, padding modes, ceil_mode / count_include_pad, and under every computation
  strategy of the executor (im2col, taps, depthwise, batch chunking);
* ``convolve`` / ``correlate`` agree *exactly* with ``numpy.convolve`` /
  ``numpy.correlate`` on integer-valued data, and with ``scipy.signal`` in N-D;
* ``conv_layer_backward`` matches finite differences and the loop reference;
* the transposed convolution is the adjoint of the convolution;
* dtypes are preserved and every bad input gets a clear error.
"""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import symconv.numeric as sn
from symconv.errors import ShapeError, SymconvError

import naive_reference as nr

# ---------------------------------------------------------------------------
# strategies
# ---------------------------------------------------------------------------

# the `strategy` fixture patches module constants once per test, the same for every
# hypothesis input, which is what these tests want
WITH_FIXTURE = dict(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

MAX_SIZE = {1: 9, 2: 6, 3: 4}  # spatial sizes small enough for the loop reference


def _out_len(n, k, s, lo, hi, d):
    return (n + lo + hi - d * (k - 1) - 1) // s + 1


@st.composite
def conv_configs(draw, padding_modes=("zeros", "reflect", "replicate", "circular")):
    """A valid conv_layer configuration: (x, w, bias, kwargs)."""
    D = draw(st.integers(1, 3))
    groups = draw(st.integers(1, 3))
    Cg = draw(st.integers(1, 3))
    Fg = draw(st.integers(1, 2))
    N = draw(st.integers(1, 2))
    spatial = tuple(draw(st.lists(st.integers(1, MAX_SIZE[D]), min_size=D, max_size=D)))
    kernel = tuple(draw(st.lists(st.integers(1, 3), min_size=D, max_size=D)))
    dilation = tuple(draw(st.lists(st.integers(1, 2), min_size=D, max_size=D)))
    kind = draw(st.sampled_from(["int", "per-dim", "pairs", "same", "valid"]))
    stride = (1,) * D if kind == "same" else tuple(
        draw(st.lists(st.integers(1, 3), min_size=D, max_size=D)))
    if kind == "int":
        padding = draw(st.integers(0, 2))
        pairs = [(padding, padding)] * D
    elif kind == "per-dim":
        padding = tuple(draw(st.lists(st.integers(0, 2), min_size=D, max_size=D)))
        pairs = [(p, p) for p in padding]
    elif kind == "pairs":
        padding = tuple(draw(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2)),
                                      min_size=D, max_size=D)))
        pairs = list(padding)
    elif kind == "same":
        padding = "same"
        pairs = [(d * (k - 1) // 2, d * (k - 1) - d * (k - 1) // 2) for k, d in zip(kernel, dilation)]
    else:
        padding = "valid"
        pairs = [(0, 0)] * D
    mode = draw(st.sampled_from(padding_modes))
    for n, k, s, (lo, hi), d in zip(spatial, kernel, stride, pairs, dilation):
        assume(_out_len(n, k, s, lo, hi, d) >= 1)
        if mode == "reflect":
            assume(max(lo, hi) < n)
        if mode == "circular":
            assume(max(lo, hi) <= n)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.standard_normal((N, groups * Cg) + spatial)
    w = rng.standard_normal((groups * Fg, Cg) + kernel)
    bias = rng.standard_normal(groups * Fg) if draw(st.booleans()) else None
    kwargs = dict(stride=stride, padding=padding, dilation=dilation, groups=groups,
                  padding_mode=mode)
    return x, w, bias, kwargs


@pytest.fixture(params=["auto", "taps", "im2col", "im2col-direct", "chunked"])
def strategy(request, monkeypatch):
    """Run a test under each computation path of the executor."""
    if request.param == "taps":  # strided layers too, and one matrix product for the whole batch
        monkeypatch.setattr(sn.layers, "_IM2COL_MIN_ROWS", 0)
        monkeypatch.setattr(sn.layers, "_IM2COL_STRIDED", False)
        monkeypatch.setattr(sn.layers, "_IM2COL_BY_COST", 0)
        monkeypatch.setattr(sn.layers, "_BATCHED_GEMM_MAX_ROWS", 0)
        # and a transposed layer one correlation per output phase, even when its phases
        # could share one (k = s)
        monkeypatch.setattr(sn.layers, "_SUBPIXEL_COMBINED", False)
    elif request.param.startswith("im2col"):  # and one matrix product per image
        monkeypatch.setattr(sn.layers, "_IM2COL_MIN_ROWS", 10**9)
        monkeypatch.setattr(sn.layers, "_BATCHED_GEMM_MAX_ROWS", 10**9)
        # the windows gathered from a zero-padded copy of the input, or straight from x
        # (with the outputs that read padding zeroed slab by slab)
        monkeypatch.setattr(sn.layers, "_IM2COL_PADDED_COPY", 10**9 if request.param == "im2col-direct" else 0)
    elif request.param == "chunked":  # one image (or less) per batch chunk
        monkeypatch.setattr(sn.layers, "_CHUNK_BYTES", 1)
        monkeypatch.setattr(sn.layers, "_IM2COL_CHUNK_BYTES", 1)
        monkeypatch.setattr(sn.layers, "_DEPTHWISE_BLOCK", 1)
    return request.param


# ---------------------------------------------------------------------------
# agreement with the loop reference
# ---------------------------------------------------------------------------

@settings(**WITH_FIXTURE)
@given(conv_configs())
def test_conv_layer_matches_reference(strategy, config):
    x, w, bias, kwargs = config
    got = sn.conv_layer(x, w, bias, **kwargs)
    want = nr.conv_layer(x, w, bias, **kwargs)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)


def test_conv_layer_taps_path_with_many_channels():
    # 16 input channels * 3 taps = 48 rows: the 'taps' path on a large image, dilated;
    # small images and strided layers take 'im2col' whatever their channels
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 32, 45, 46))
    w = rng.standard_normal((4, 16, 3, 3))
    b = rng.standard_normal(4)
    assert sn.conv_strategy(x.shape, w.shape, groups=2, padding=1) == "taps"
    assert sn.conv_strategy(x.shape, w.shape, groups=2, dilation=(1, 2), padding=((0, 2), 1)) == "taps"
    assert sn.conv_strategy(x.shape, w.shape, groups=2, stride=(2, 1), padding=1) == "im2col"
    assert sn.conv_strategy((2, 32, 7, 6), (32, 16, 3, 3), groups=2, padding=1) == "im2col"
    for kw in (dict(padding=1), dict(dilation=(1, 2), padding=((0, 2), 1)),
               dict(stride=(2, 1), dilation=(1, 2), padding=((0, 2), 1))):
        np.testing.assert_allclose(sn.conv_layer(x, w, b, groups=2, **kw),
                                   nr.conv_layer(x, w, b, groups=2, **kw), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("x_shape, w_shape, kw, want", [
    ((8, 64, 56, 56), (64, 64, 3, 3), dict(padding=1), "taps"),
    ((8, 64, 56, 56), (64, 64, 3, 3), dict(padding=2, dilation=2), "taps"),
    ((2, 64, 56, 56), (64, 64, 5, 5), dict(padding=2), "taps"),
    ((8, 64, 56, 56), (64, 64, 3, 3), dict(padding=1, stride=2), "im2col"),
    ((8, 128, 28, 28), (128, 128, 3, 3), dict(padding=1), "im2col"),
    ((8, 64, 56, 56), (256, 64, 1, 1), dict(), "im2col"),
    ((8, 64, 56, 56), (64, 64, 2, 2), dict(padding=1), "im2col"),
    ((10, 3, 32, 32), (8, 3, 5, 5), dict(padding=2), "im2col"),
    ((8, 64, 56, 56), (64, 1, 3, 3), dict(padding=1, groups=64), "depthwise"),
])
def test_conv_strategy_choices(x_shape, w_shape, kw, want):
    # the layers the choice was measured on (see _MAC_COPIES) keep their measured winner
    kw = dict(kw)
    assert sn.conv_strategy(x_shape, w_shape, kw.pop("groups", 1), **kw) == want


@pytest.mark.parametrize("gather", ["padded copy", "from x"])
@pytest.mark.parametrize("chunk", [1, 1 << 21])
@pytest.mark.parametrize("N, C, spatial, F, kernel, kw", [
    (1, 4, (9, 7), 6, (3, 3), dict(stride=2, padding=1)),
    (3, 4, (9, 7), 6, (3, 3), dict(stride=2, padding=1)),
    (2, 6, (11, 10), 4, (3, 2), dict(stride=(3, 2), padding=((2, 0), (1, 2)), dilation=(2, 1), groups=2)),
    (2, 3, (7, 8), 5, (5, 5), dict(padding=2)),  # the textbook shape, stride 1
    (3, 2, (5, 6), 2, (3, 3), dict(stride=3, padding=2, dilation=3)),  # taps that read only padding
    (2, 6, (13,), 3, (4,), dict(stride=2, padding=3, groups=3)),
    (2, 4, (5, 4, 6), 2, (2, 3, 3), dict(stride=(1, 2, 3), padding=1, dilation=(2, 1, 1))),
    (2, 2, (6, 6), 2, (1, 1), dict(stride=2)),  # one tap, no padding
])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_im2col_path_matches_reference(monkeypatch, gather, chunk, N, C, spatial, F, kernel, kw, dtype):
    # the windows gathered per image chunk, from a padded copy or straight from x, written
    # straight into the result (or, for a strided view as the transposed layer passes, through
    # a scratch array); odd sizes, strides 2-3, dilation, groups, batch 1 and more, 1 to 3 dims
    monkeypatch.setattr(sn.layers, "_IM2COL_PADDED_COPY", 0 if gather == "padded copy" else 10**9)
    monkeypatch.setattr(sn.layers, "_IM2COL_CHUNK_BYTES", chunk)
    monkeypatch.setattr(sn.layers, "_IM2COL_MIN_ROWS", 10**9)
    rng = np.random.default_rng(21)
    G = kw.get("groups", 1)
    x = rng.standard_normal((N, C) + spatial).astype(dtype)
    w = rng.standard_normal((F, C // G) + kernel).astype(dtype)
    b = rng.standard_normal(F).astype(dtype)
    assert sn.conv_strategy(x.shape, w.shape, G, kw.get("stride", 1)) == "im2col"
    want = nr.conv_layer(x.astype(float), w.astype(float), b.astype(float), **kw)
    tol = 1e-10 if dtype == np.float64 else 1e-5
    got = sn.conv_layer(x, w, b, **kw)
    assert got.dtype == dtype
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol)
    # into a strided view of a larger array, as the transposed layer's phases write
    big = np.full((N, F) + tuple(2 * n + 1 for n in want.shape[2:]), 7.0, dtype=dtype)
    view = big[(slice(None), slice(None)) + (slice(1, None, 2),) * len(spatial)]
    stride = sn.layers.int_tuple(kw.get("stride", 1), len(spatial), "stride")
    dilation = sn.layers.int_tuple(kw.get("dilation", 1), len(spatial), "dilation")
    pads = sn.layers.padding_pairs(kw.get("padding", 0), kernel, stride, dilation)
    sn.layers._im2col_forward(x, w, stride, dilation, pads, want.shape[2:], G, dtype, b, view)
    np.testing.assert_allclose(view, want, rtol=tol, atol=tol)
    assert np.all(big[(slice(None), slice(None)) + (slice(0, None, 2),) * len(spatial)] == 7.0)
    # the weight gradient from the same gathered windows (the chunk's images side by side)
    g = rng.standard_normal(want.shape).astype(dtype)
    grads = sn.conv_layer_backward(x, w, g, **kw)
    wants = nr.conv_layer_backward(x.astype(float), w.astype(float), g.astype(float), **kw)
    for got_, want_ in zip(grads, wants):
        assert got_.dtype == dtype
        np.testing.assert_allclose(got_, want_, rtol=tol, atol=tol * max(1.0, float(np.abs(want_).max())))


@settings(**WITH_FIXTURE)
@given(conv_configs(padding_modes=("zeros",)), st.data())
def test_conv_transpose_layer_matches_reference(strategy, config, data):
    x, w, bias, kwargs = config
    kwargs.pop("padding_mode")
    padding = kwargs["padding"]
    if isinstance(padding, str):  # 'same' has no transposed meaning
        kwargs["padding"] = 0
    stride, dilation = kwargs["stride"], kwargs["dilation"]
    output_padding = tuple(data.draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation))
    # a transposed weight has shape (C, F/groups, *k): reuse w's transpose within groups
    G = kwargs["groups"]
    F, Cg = w.shape[:2]
    wt = w.reshape((G, F // G, Cg) + w.shape[2:]).swapaxes(1, 2).reshape((G * Cg, F // G) + w.shape[2:])
    xt = np.random.default_rng(1).standard_normal((x.shape[0], G * Cg) + x.shape[2:])
    try:
        want = nr.conv_transpose_layer(xt, wt, bias, output_padding=output_padding, **kwargs)
    except ValueError:
        assume(False)
    assume(all(n >= 1 for n in want.shape[2:]))
    got = sn.conv_transpose_layer(xt, wt, bias, output_padding=output_padding, **kwargs)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("path", ["one correlation, im2col", "one correlation, taps", "per phase"])
@pytest.mark.parametrize("N, C, spatial, F, kernel, kw", [
    (1, 5, (7, 6), 3, (4, 4), dict(stride=2, padding=1)),  # the benchmark's k4 s2 p1, batch 1
    (3, 5, (7, 6), 3, (4, 4), dict(stride=2, padding=1, output_padding=1)),
    (2, 4, (5, 9), 4, (4, 2), dict(stride=2, padding=((0, 2), (1, 0)))),  # asymmetric, k2 s2 (reach 0)
    (2, 6, (5, 4), 4, (6, 3), dict(stride=(3, 3), padding=(2, 1), output_padding=(2, 0), groups=2)),
    (2, 3, (4, 5), 3, (4, 4), dict(stride=2, padding=3, groups=3)),  # one channel per group
    (2, 40, (4, 5), 6, (4, 4), dict(stride=2, padding=1)),  # enough channels for the 'taps' path
    (2, 3, (11,), 2, (6,), dict(stride=2, padding=4)),  # padding crops the input
    (2, 2, (3, 4, 3), 2, (2, 4, 3), dict(stride=(2, 2, 3), padding=1)),
    (2, 4, (6, 5), 2, (2, 3), dict(stride=(2, 1), dilation=(1, 1), padding=(0, 1))),  # stride 1 on one axis
])
def test_subpixel_transposed_layer_matches_reference(monkeypatch, path, N, C, spatial, F, kernel, kw):
    # kernels of s*(E + 1) taps along every strided axis: all output phases are one
    # correlation with s**D times the filters, by gathered windows or by stacked copies
    # (or, switched off, one correlation per phase)
    monkeypatch.setattr(sn.layers, "_SUBPIXEL_COMBINED", path != "per phase")
    monkeypatch.setattr(sn.layers, "_SUBPIXEL_IM2COL", path.endswith("im2col"))
    rng = np.random.default_rng(22)
    G = kw.get("groups", 1)
    x = rng.standard_normal((N, C) + spatial)
    w = rng.standard_normal((C, F // G) + kernel)
    b = rng.standard_normal(F)
    want = nr.conv_transpose_layer(x, w, b, **kw)
    got = sn.conv_transpose_layer(x, w, b, **kw)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)
    got32 = sn.conv_transpose_layer(x.astype(np.float32), w.astype(np.float32), b.astype(np.float32), **kw)
    assert got32.dtype == np.float32
    np.testing.assert_allclose(got32, want, rtol=1e-5, atol=1e-5)


@st.composite
def pool_configs(draw):
    D = draw(st.integers(1, 3))
    spatial = tuple(draw(st.lists(st.integers(1, MAX_SIZE[D] + 1), min_size=D, max_size=D)))
    kernel = tuple(draw(st.lists(st.integers(1, 3), min_size=D, max_size=D)))
    stride = draw(st.one_of(st.none(), st.lists(st.integers(1, 3), min_size=D, max_size=D).map(tuple)))
    dilation = tuple(draw(st.lists(st.integers(1, 2), min_size=D, max_size=D)))
    padding = tuple(draw(st.tuples(st.integers(0, k // 2), st.integers(0, k // 2))) for k in kernel)
    mode = draw(st.sampled_from(["max", "avg"]))
    ceil_mode = draw(st.booleans())
    count_include_pad = draw(st.booleans())
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.standard_normal((draw(st.integers(1, 2)), draw(st.integers(1, 3))) + spatial)
    return x, dict(kernel_size=kernel, stride=stride, padding=padding, dilation=dilation, mode=mode,
                   ceil_mode=ceil_mode, count_include_pad=count_include_pad)


@given(pool_configs())
def test_pool_layer_matches_reference(config):
    x, kwargs = config
    try:
        got = sn.pool_layer(x, **kwargs)
    except ShapeError as exc:  # only for configurations the reference cannot compute either
        assert "output size" in str(exc) or "padded input" in str(exc) or "only padding" in str(exc)
        return
    want = nr.pool_layer(x, **kwargs)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_pool_ceil_mode_drops_window_starting_in_padding():
    # n=5, k=2, s=2, p=1: ceil gives 4 windows, but the 4th would start at 6 >= 5 + 1
    x = np.arange(1.0, 6.0).reshape(1, 1, 5)
    assert sn.pool_layer(x, 2, stride=2, padding=1, ceil_mode=True).shape == (1, 1, 3)
    # n=6, k=3, s=2: ceil gives 3 windows, the last one partial: max(5, 6) = 6
    x = np.arange(1.0, 7.0).reshape(1, 1, 6)
    np.testing.assert_array_equal(sn.pool_layer(x, 3, stride=2, ceil_mode=True), [[[3.0, 5.0, 6.0]]])
    # the average of a partial window divides by the taps inside the input only
    np.testing.assert_array_equal(sn.pool_layer(x, 3, stride=2, mode="avg", ceil_mode=True),
                                  [[[2.0, 4.0, 5.5]]])


def test_max_pool_ignores_padding_even_for_negative_inputs():
    x = -np.arange(1.0, 5.0).reshape(1, 1, 4)
    np.testing.assert_array_equal(sn.pool_layer(x, 2, padding=1), [[[-1.0, -2.0, -4.0]]])


# ---------------------------------------------------------------------------
# backward pass: reference, finite differences, and the transposed-convolution identity
# ---------------------------------------------------------------------------

@settings(**WITH_FIXTURE)
@given(conv_configs(padding_modes=("zeros",)))
def test_conv_layer_backward_matches_reference(strategy, config):
    x, w, _, kwargs = config
    kwargs.pop("padding_mode")
    y = nr.conv_layer(x, w, **kwargs)
    g = np.random.default_rng(2).standard_normal(y.shape)
    got = sn.conv_layer_backward(x, w, g, **kwargs)
    want = nr.conv_layer_backward(x, w, g, **kwargs)
    for a, b in zip(got, want):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("kwargs", [
    dict(),
    dict(stride=2, padding=1),
    dict(stride=(2, 3), padding=((1, 0), 2), dilation=(1, 2)),
    dict(padding="same", dilation=2, groups=2),
    dict(stride=3, dilation=2),  # the last inputs are read by no window
])
def test_conv_layer_backward_by_finite_differences(kwargs):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 4, 7, 8))
    w = rng.standard_normal((2, 4 // kwargs.get("groups", 1), 3, 2))
    b = rng.standard_normal(2)
    g = rng.standard_normal(sn.conv_layer(x, w, b, **kwargs).shape)

    def loss(x_, w_, b_):
        return float(np.sum(sn.conv_layer(x_, w_, b_, **kwargs) * g))

    grad_x, grad_w, grad_b = sn.conv_layer_backward(x, w, g, **kwargs)
    h = 1e-6
    for arr, grad, i in ((x, grad_x, 0), (w, grad_w, 1), (b, grad_b, 2)):
        numeric = np.zeros_like(arr)
        for idx in np.ndindex(*arr.shape):
            args_plus, args_minus = [x.copy(), w.copy(), b.copy()], [x.copy(), w.copy(), b.copy()]
            args_plus[i][idx] += h
            args_minus[i][idx] -= h
            numeric[idx] = (loss(*args_plus) - loss(*args_minus)) / (2 * h)
        np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-6)


@given(conv_configs(padding_modes=("zeros",)))
def test_transpose_is_adjoint_of_conv(config):
    """<conv(x), y> == <x, conv_transpose(y)>, with the output padding that restores x's shape."""
    x, w, _, kwargs = config
    kwargs.pop("padding_mode")
    padding = kwargs["padding"]
    D = x.ndim - 2
    kernel = w.shape[2:]
    stride, dilation = kwargs["stride"], kwargs["dilation"]
    if padding == "same":
        pairs = [(d * (k - 1) // 2, d * (k - 1) - d * (k - 1) // 2) for k, d in zip(kernel, dilation)]
    elif padding == "valid":
        pairs = [(0, 0)] * D
    elif isinstance(padding, int):
        pairs = [(padding, padding)] * D
    else:
        pairs = [p if isinstance(p, tuple) else (p, p) for p in padding]
    conv = sn.conv_layer(x, w, **kwargs)
    y = np.random.default_rng(4).standard_normal(conv.shape)
    output_padding = tuple((n + lo + hi - d * (k - 1) - 1) % s
                           for n, (lo, hi), d, k, s in zip(x.shape[2:], pairs, dilation, kernel, stride))
    back = sn.conv_transpose_layer(y, w, stride=stride, padding=tuple(pairs), dilation=dilation,
                                   groups=kwargs["groups"], output_padding=output_padding)
    assert back.shape == x.shape
    np.testing.assert_allclose(np.vdot(conv, y), np.vdot(x, back), rtol=1e-9, atol=1e-9)


# ---------------------------------------------------------------------------
# signals: exact agreement with numpy, and scipy in N-D
# ---------------------------------------------------------------------------

SIGNAL_PATHS = {  # fixture name -> the executor function that must run
    "default": None,
    "taps": "_taps_product",
    "banded": "_banded_product",
    "banded-blocked": "_banded_product",
}


@pytest.fixture(params=list(SIGNAL_PATHS))
def signal_path(request, monkeypatch):
    """Run a test under each direct-sum path of convolve / correlate (``method='direct'``).

    'default' leaves the module as it is (small inputs gather every window); the others
    force the tap-by-tap sum or the banded products even on tiny inputs, the last one
    with bands of 3 kernel taps and one gathered row block at a time. The forced
    function must have run at least once.
    """
    name = request.param
    if name != "default":
        monkeypatch.setattr(sn.signal, "_WINDOWS_MAX", -1)
        monkeypatch.setattr(sn.signal, "_TAPS_MAX_LENGTH", 10**9 if name == "taps" else 0)
        monkeypatch.setattr(sn.signal, "_TAPS_BLOCK", 3)
    if name == "banded-blocked":
        monkeypatch.setattr(sn.signal, "_KERNEL_BLOCK", 3)
        monkeypatch.setattr(sn.signal, "_TOEPLITZ_BLOCK_BYTES", 1)
    calls = []
    target = SIGNAL_PATHS[name]
    if target:
        original = getattr(sn.signal, target)

        def spy(*args, **kwargs):
            calls.append(target)
            return original(*args, **kwargs)

        monkeypatch.setattr(sn.signal, target, spy)
    yield name
    if target:
        assert calls, f"the {name} path did not run"


int_signal = st.lists(st.integers(-9, 9), min_size=1, max_size=12).map(lambda v: np.array(v, dtype=float))


@settings(**WITH_FIXTURE)
@given(int_signal, int_signal, st.sampled_from(["full", "same", "valid"]))
def test_convolve_and_correlate_equal_numpy_exactly(signal_path, a, v, mode):
    # integer-valued floats: every sum is exact, so the results must be identical
    method = "direct"
    np.testing.assert_array_equal(sn.convolve(a, v, mode, method), np.convolve(a, v, mode))
    np.testing.assert_array_equal(sn.correlate(a, v, mode, method), np.correlate(a, v, mode))


@settings(**WITH_FIXTURE)
@given(int_signal, int_signal, int_signal, int_signal, st.sampled_from(["full", "same", "valid"]))
def test_complex_correlate_conjugates_like_numpy(signal_path, ar, ai, vr, vi, mode):
    method = "direct"
    a = ar[:min(len(ar), len(ai))] + 1j * ai[:min(len(ar), len(ai))]
    v = vr[:min(len(vr), len(vi))] + 1j * vi[:min(len(vr), len(vi))]
    np.testing.assert_array_equal(sn.correlate(a, v, mode, method), np.correlate(a, v, mode))
    np.testing.assert_array_equal(sn.convolve(a, v, mode, method), np.convolve(a, v, mode))


@st.composite
def nd_pairs(draw):
    D = draw(st.integers(2, 3))
    v_shape = tuple(draw(st.lists(st.integers(1, 4), min_size=D, max_size=D)))
    a_shape = tuple(m + draw(st.integers(0, 4)) for m in v_shape)  # a at least as large as v
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    a = rng.integers(-5, 6, a_shape).astype(float)
    v = rng.integers(-5, 6, v_shape).astype(float)
    if draw(st.booleans()):  # either order of sizes on one axis is fine for 'full'
        a, v = v, a
    return a, v


@settings(**WITH_FIXTURE)
@given(nd_pairs(), st.sampled_from(["full", "same", "valid"]))
def test_nd_signals_equal_scipy(signal_path, pair, mode):
    signal = pytest.importorskip("scipy.signal")
    method = "direct"
    a, v = pair
    # integer dtype: 'auto' must take an exact direct path whatever the sizes
    ai, vi = a.astype(np.int64), v.astype(np.int64)
    if mode != "full" and any(n < m for n, m in zip(a.shape, v.shape)):
        # numpy's per-axis rule (the loop reference) where scipy keeps a's shape / refuses
        np.testing.assert_array_equal(sn.convolve(a, v, mode, method), nr.convolve(a, v, mode))
        np.testing.assert_array_equal(sn.correlate(ai, vi, mode), nr.correlate(a, v, mode))
        return
    want = signal.convolve(a, v, mode, method="direct")
    np.testing.assert_array_equal(sn.convolve(a, v, mode, method), want)
    np.testing.assert_array_equal(sn.convolve(ai, vi, mode), want)
    np.testing.assert_array_equal(sn.correlate(a, v, mode, method), signal.correlate(a, v, mode, method="direct"))


@settings(**WITH_FIXTURE)
@given(st.integers(1, 160), st.integers(1, 24), st.sampled_from(["full", "same", "valid"]),
       st.integers(0, 2**32 - 1))
def test_signals_match_loop_reference(signal_path, n, m, mode, seed):
    """Random real data through each path against the definition as loops (1-D and 2-D)."""
    method = "direct"
    rng = np.random.default_rng(seed)
    a, v = rng.standard_normal(n), rng.standard_normal(m)
    np.testing.assert_allclose(sn.correlate(a, v, mode, method), nr.correlate(a, v, mode),
                               rtol=1e-12, atol=1e-12)
    if n <= 60:  # the reference convolution loops over every (output, input) pair
        np.testing.assert_allclose(sn.convolve(a, v, mode, method), nr.convolve(a, v, mode),
                                   rtol=1e-12, atol=1e-12)
    # a 2-D kernel whose longest axis is the first (moved last by the direct sum)
    a2 = rng.standard_normal((min(n, 12), 5))
    v2 = rng.standard_normal((min(m, 9), 2)) + 1j * rng.standard_normal((min(m, 9), 2))
    np.testing.assert_allclose(sn.correlate(a2, v2, mode, method), nr.correlate(a2, v2, mode),
                               rtol=1e-12, atol=1e-12)


# sizes around the block lengths of the direct sum (8 taps, bands of P = 16/32/64 outputs,
# 100 taps, 1024-tap kernel blocks) and around where 'auto' switches to the FFT
BOUNDARY_SIZES = [1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 99, 100, 101, 127, 128, 129,
                  150, 151, 181, 1023, 1024, 1025, 1499, 2047, 2049, 3000, 4099]
sizes = st.one_of(st.sampled_from(BOUNDARY_SIZES), st.integers(1, 5000))


def smooth_length(n):
    """The smallest 2**i 3**j 5**k >= n, by trial (independent of the executor's search)."""
    k = n
    while True:
        r = k
        for p in (2, 3, 5):
            while r % p == 0:
                r //= p
        if r == 1:
            return k
        k += 1


def fft_bound(a, v, dtype):
    """The documented error bound of method='fft' for real or complex a, v."""
    points = math.prod(smooth_length(n + m - 1) for n, m in zip(a.shape, v.shape))
    eps = np.finfo(dtype).eps
    a2, a1 = np.linalg.norm(a.ravel()), np.abs(a).sum()
    v2, v1 = np.linalg.norm(v.ravel()), np.abs(v).sum()
    return 8 * eps * math.log2(max(points, 2)) * min(a2 * v1, a1 * v2)


@given(sizes, sizes, st.sampled_from(["full", "same", "valid"]), st.integers(0, 2**32 - 1))
def test_long_and_odd_sizes(n, m, mode, seed):
    """Long signals: exact where promised, within the stated tolerance of the FFT elsewhere.

    The data are multiples of 2**-7 below 8 in magnitude: every product and partial sum
    fits in float64's 53 bits, so numpy's float64 result is the exact sum.
    """
    rng = np.random.default_rng(seed)
    ai = rng.integers(-1024, 1024, n)
    vi = rng.integers(-1024, 1024, m)
    a, v = ai * 2.0**-7, vi * 2.0**-7
    exact_conv, exact_corr = np.convolve(a, v, mode), np.correlate(a, v, mode)
    # integers: 'auto' never leaves the exact direct sum
    assert sn.signal_method(ai, vi, mode) == "direct"
    np.testing.assert_array_equal(sn.convolve(ai, vi, mode), np.convolve(ai, vi, mode))
    # floats, method='direct': exact on these data
    np.testing.assert_array_equal(sn.convolve(a, v, mode, "direct"), exact_conv)
    np.testing.assert_array_equal(sn.correlate(a, v, mode, "direct"), exact_corr)
    # floats, method='fft' and 'auto': within the documented bound
    bound = fft_bound(a, v, np.float64)
    assert np.abs(sn.convolve(a, v, mode, "fft") - exact_conv).max() <= bound
    assert np.abs(sn.correlate(a, v, mode, "fft") - exact_corr).max() <= bound
    auto = sn.convolve(a, v, mode)
    if sn.signal_method(a, v, mode) == "direct":
        np.testing.assert_array_equal(auto, exact_conv)
    else:
        assert np.abs(auto - exact_conv).max() <= bound


def test_auto_switches_to_fft_for_long_float_signals():
    a, v = np.ones(3000), np.ones(3000)
    assert sn.signal_method(a, v) == "fft"
    assert sn.signal_method(a, v[:40]) == "direct"
    assert sn.signal_method(a.astype(int), v.astype(int)) == "direct"
    assert sn.signal_method(a.astype(object), v) == "direct"
    a_inf = a.copy()
    a_inf[5] = np.inf
    assert sn.signal_method(a_inf, v) == "direct"
    # the switch is monotone in the kernel length for a long signal
    picks = [sn.signal_method(np.ones(100_000), np.ones(m)) for m in (10, 100, 1000, 10_000)]
    assert picks == ["direct", "direct", "fft", "fft"]


def test_fft_tolerance_with_a_wide_dynamic_range():
    # entries from 2**-30 to 2**30: the FFT's error is relative to the norms, not per entry
    rng = np.random.default_rng(11)
    a = rng.choice([-1.0, 1.0], 4000) * 2.0 ** rng.integers(-30, 30, 4000)
    v = rng.integers(-1024, 1024, 2500) * 1.0
    # the exact sums: a * 2**30 holds integers below 2**60, summed as Python ints, rounded once
    a_int = np.array([int(x) for x in a * 2.0**30], dtype=object)
    exact = np.array([float(x) for x in np.convolve(a_int, v.astype(int).astype(object))]) * 2.0**-30
    err = np.abs(sn.convolve(a, v, method="fft") - exact).max()
    assert err <= fft_bound(a, v, np.float64)
    # the direct sum is much closer here: its error is relative to each entry's own terms
    assert np.abs(sn.convolve(a, v, method="direct") - exact).max() < err


def test_long_integer_signals_are_exact():
    rng = np.random.default_rng(5)
    a = rng.integers(-10_000, 10_000, 6000)
    v = rng.integers(-10_000, 10_000, 3001)
    for mode in ("full", "same", "valid"):
        want = np.convolve(a, v, mode)  # int64 arithmetic, exact
        got = sn.convolve(a, v, mode)
        assert got.dtype == np.float64
        np.testing.assert_array_equal(got, want)
        np.testing.assert_array_equal(sn.correlate(v, a, mode), np.correlate(v, a, mode))
    # Python ints in object arrays count as exact input too
    ao, vo = a[:2000].astype(object), v[:700].astype(object)
    np.testing.assert_array_equal(sn.convolve(ao, vo), np.convolve(a[:2000], v[:700]))
    # 2-D integer images with a large kernel (the banded path, not the FFT)
    img = rng.integers(-50, 50, (60, 70))
    ker = rng.integers(-50, 50, (9, 20))
    signal = pytest.importorskip("scipy.signal")
    np.testing.assert_array_equal(sn.correlate(img, ker, "same"),
                                  signal.correlate(img, ker, "same", method="direct"))


def test_complex_and_float32_long_signals():
    rng = np.random.default_rng(12)
    a = rng.standard_normal(5000) + 1j * rng.standard_normal(5000)
    v = rng.standard_normal(2000) - 1j * rng.standard_normal(2000)
    assert sn.signal_method(a, v) == "fft"
    for mode in ("full", "same", "valid"):
        want = np.correlate(a, v, mode)
        got = sn.correlate(a, v, mode)
        assert got.dtype == np.complex128
        assert np.abs(got - want).max() <= fft_bound(a, v, np.float64)
        np.testing.assert_allclose(sn.correlate(a, v, mode, "direct"), want, rtol=1e-10, atol=1e-9)
    a32, v32 = a.real.astype(np.float32), v.real.astype(np.float32)
    for method in ("auto", "direct", "fft"):
        got = sn.convolve(a32, v32, method=method)
        assert got.dtype == np.float32
        want = np.convolve(a32.astype(float), v32.astype(float))
        assert np.abs(got - want).max() <= fft_bound(a32, v32, np.float32) + 2000 * 2.0**-23 * np.abs(
            want).max()


def test_non_finite_long_signals_follow_numpy():
    # one inf and one nan: only the outputs whose sums contain them change, as in numpy
    rng = np.random.default_rng(13)
    a = rng.integers(-9, 10, 5000).astype(float)
    v = rng.integers(-9, 10, 3000).astype(float)
    a[100], a[4000] = np.inf, np.nan
    for mode in ("full", "same", "valid"):
        np.testing.assert_array_equal(sn.convolve(a, v, mode), np.convolve(a, v, mode))


def test_scalars_are_length_one_signals():
    np.testing.assert_array_equal(sn.convolve(3.0, [1.0, 2.0]), np.convolve(3.0, [1.0, 2.0]))


# ---------------------------------------------------------------------------
# dtypes
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("xd, wd, want", [
    (np.float32, np.float32, np.float32),
    (np.float64, np.float64, np.float64),
    (np.float32, np.float64, np.float64),
    (np.int64, np.int64, np.float64),
])
def test_dtypes(xd, wd, want):
    x = np.arange(2 * 4 * 5 * 5).reshape(2, 4, 5, 5).astype(xd)
    w = np.ones((2, 4, 3, 3), dtype=wd)
    y = sn.conv_layer(x, w, padding=1)
    assert y.dtype == want
    np.testing.assert_array_equal(y, nr.conv_layer(x.astype(float), w.astype(float), padding=1))
    assert sn.conv_transpose_layer(x, np.ones((4, 2, 2, 2), dtype=wd), stride=2).dtype == want
    assert sn.pool_layer(x, 2).dtype == np.result_type(xd, np.float32)
    assert all(g.dtype == want for g in sn.conv_layer_backward(x, w, y.astype(want), padding=1))
    # a bias or an output gradient does not change the precision chosen by x and w
    assert sn.conv_layer(x, w, bias=[1.0, 2.0], padding=1).dtype == want
    assert sn.conv_layer_backward(x, w, np.ones(y.shape), padding=1)[1].dtype == want
    assert sn.convolve(x[0, 0, 0], w[0, 0, 0]).dtype == want
    assert sn.correlate(x[0, 0, 0].astype(np.complex64), w[0, 0, 0]).dtype == np.result_type(
        np.complex64, wd)


def test_float32_accuracy_on_a_resnet_like_layer():
    rng = np.random.default_rng(6)
    x = rng.standard_normal((1, 32, 10, 10))
    w = rng.standard_normal((8, 32, 3, 3))
    y32 = sn.conv_layer(x.astype(np.float32), w.astype(np.float32), padding=1)
    np.testing.assert_allclose(y32, sn.conv_layer(x, w, padding=1), rtol=1e-4, atol=1e-4)


def test_inputs_are_not_modified():
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    w = np.ones((1, 1, 2, 2))
    x0, w0 = x.copy(), w.copy()
    sn.conv_layer(x, w, bias=[1.0], padding=1, padding_mode="reflect")
    sn.conv_layer_backward(x, w, np.ones((1, 1, 3, 3)))
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(w, w0)


def test_depthwise_with_multiplier_and_empty_batch():
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 3, 6, 5))
    w = rng.standard_normal((6, 1, 3, 2))  # two filters per input channel
    assert sn.conv_strategy(x.shape, w.shape, groups=3) == "depthwise"
    np.testing.assert_allclose(sn.conv_layer(x, w, groups=3, stride=(1, 2), padding=1),
                               nr.conv_layer(x, w, groups=3, stride=(1, 2), padding=1), rtol=1e-12)
    assert sn.conv_layer(np.zeros((0, 3, 6, 5)), w, groups=3).shape == (0, 6, 4, 4)


@pytest.mark.parametrize("block", [None, 1, 7])
def test_depthwise_adds_the_bias_in_every_block(monkeypatch, block):
    # the depthwise path adds the bias block by block; blocks of 1 and 7 elements cut
    # rows and channels anywhere, and a tiny chunk size splits the batch as well
    if block is not None:
        monkeypatch.setattr(sn.layers, "_DEPTHWISE_BLOCK", block)
        monkeypatch.setattr(sn.layers, "_CHUNK_BYTES", 1)
    rng = np.random.default_rng(14)
    x = rng.standard_normal((3, 4, 7, 6)).astype(np.float32)
    for w in (rng.standard_normal((4, 1, 3, 3)), rng.standard_normal((8, 1, 2, 3))):
        b = rng.standard_normal(w.shape[0])
        got = sn.conv_layer(x, w.astype(np.float32), b, groups=4, padding=1)
        assert got.dtype == np.float32
        np.testing.assert_allclose(got, nr.conv_layer(x.astype(float), w, b, groups=4, padding=1),
                                   rtol=1e-5, atol=1e-5)


def test_depthwise_weight_gradient_is_the_same_for_every_block_of_channels(monkeypatch):
    # the weight gradient takes its dot products in blocks of channels; each channel's
    # products are the same whatever the block, so the bits are too, and they match the loops
    rng = np.random.default_rng(16)
    x = rng.standard_normal((3, 6, 7, 9)).astype(np.float32)
    w = rng.standard_normal((12, 1, 3, 3)).astype(np.float32)  # two filters per channel
    g = rng.standard_normal((3, 12, 7, 9)).astype(np.float32)
    results = []
    for block in (1, 50, 7 * 9 * 3 * 2, 1 << 16):  # one channel, ..., all of them
        monkeypatch.setattr(sn.layers, "_DEPTHWISE_BLOCK", block)
        results.append(sn.conv_layer_backward(x, w, g, padding=1, groups=6, threads=1))
    for got in results[1:]:
        for a, b in zip(got, results[0]):
            assert np.array_equal(a, b)
    want = nr.conv_layer_backward(x.astype(float), w.astype(float), g.astype(float), padding=1, groups=6)
    for a, b in zip(results[0], want):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4 * float(np.abs(b).max()))


# ---------------------------------------------------------------------------
# errors: each constraint is named, with the offending values
# ---------------------------------------------------------------------------

X1 = np.ones((1, 1, 4))
W1 = np.ones((1, 1, 3))


@pytest.mark.parametrize("call, kind, message", [
    (lambda: sn.conv_layer(np.ones((1, 4)), W1), ShapeError,
     r"conv_layer: x must have shape \(N, C, \*spatial\) with 1 to 3 spatial dimensions, but got shape \(1, 4\)"),
    (lambda: sn.conv_layer(np.ones((1, 1, 2, 2, 2, 2)), np.ones((1, 1, 1, 1, 1, 1))), ShapeError,
     "1 to 3 spatial dimensions"),
    (lambda: sn.conv_layer(X1, np.ones((1, 1, 3, 3))), ShapeError,
     r"w must have as many dimensions as x \(3\), but got w.shape=\(1, 1, 3, 3\)"),
    (lambda: sn.conv_layer(np.ones((1, 3, 4)), np.ones((2, 2, 3))), ShapeError,
     r"w.shape\[1\] \* groups must equal the input channels, but got 2 \* 1 = 2 != 3"),
    (lambda: sn.conv_layer(np.ones((1, 4, 4)), np.ones((2, 2, 3)), groups=3), ShapeError,
     "groups must divide the input channels, but 3 does not divide 4"),
    (lambda: sn.conv_layer(np.ones((1, 4, 4)), np.ones((3, 2, 3)), groups=2), ShapeError,
     "groups must divide the output channels, but 2 does not divide 3"),
    (lambda: sn.conv_layer(X1, W1, groups=0), SymconvError, "groups must be an integer >= 1, but got 0"),
    (lambda: sn.conv_layer(X1, W1, stride=0), SymconvError,
     "conv_layer: stride must be an integer >= 1, but got 0"),
    (lambda: sn.conv_layer(X1, W1, dilation=-2), SymconvError,
     "dilation must be an integer >= 1, but got -2"),
    (lambda: sn.conv_layer(X1, W1, padding=-1), SymconvError, "padding must be an integer >= 0, but got -1"),
    (lambda: sn.conv_layer(X1, W1, padding="full"), SymconvError,
     "padding must be an int, a sequence, 'same' or 'valid', but got 'full'"),
    (lambda: sn.conv_layer(X1, W1, stride=2, padding="same"), ShapeError,
     r"padding='same' requires stride 1 in every dimension, but got stride \(2,\)"),
    (lambda: sn.conv_layer(X1, np.ones((1, 1, 5))), ShapeError,
     r"conv_layer: padded input n \+ p_lo \+ p_hi must be >= the dilated kernel d\*\(k - 1\) \+ 1, but got 4 < 5"),
    (lambda: sn.conv_layer(X1, W1, padding=4, padding_mode="reflect"), ShapeError,
     r"reflect padding must be < the input size in each dimension, but got padding \(4, 4\) for size 4"),
    (lambda: sn.conv_layer(X1, W1, padding=5, padding_mode="circular"), ShapeError,
     r"circular padding must be <= the input size in each dimension, but got padding \(5, 5\) for size 4"),
    (lambda: sn.conv_layer(X1, W1, padding_mode="mirror"), SymconvError,
     "padding_mode must be one of 'zeros', 'reflect', 'replicate', 'circular', but got 'mirror'"),
    (lambda: sn.conv_layer(X1, W1, bias=[1.0, 2.0]), ShapeError,
     r"bias must have shape \(1,\) \(one entry per output channel\), but got shape \(2,\)"),
    (lambda: sn.conv_layer(X1 * 1j, W1), SymconvError, "x must be a real numeric array, but got dtype complex128"),
    (lambda: sn.conv_layer(X1, [["a", "b", "c"]]), SymconvError, "w must be a real numeric array"),
    (lambda: sn.conv_layer(np.ones((1, 0, 4)), np.ones((1, 0, 3))), ShapeError, "at least one channel"),
    (lambda: sn.conv_transpose_layer(X1, W1, stride=2, output_padding=2), ShapeError,
     "conv_transpose_layer: output_padding must be < max\\(stride, dilation\\), but got output_padding=2, stride=2"),
    (lambda: sn.conv_transpose_layer(np.ones((1, 2, 4)), W1), ShapeError,
     r"w.shape\[0\] must equal the input channels, but got 1 != 2"),
    (lambda: sn.conv_transpose_layer(np.ones((1, 3, 4)), np.ones((3, 1, 3)), groups=2), ShapeError,
     "groups must divide the input channels, but 2 does not divide 3"),
    (lambda: sn.conv_transpose_layer(X1, W1, padding="same"), SymconvError,
     "padding must be an int, a sequence or 'valid', but got 'same'"),
    (lambda: sn.conv_transpose_layer(np.ones((1, 1, 1)), np.ones((1, 1, 1)), padding=1), ShapeError,
     r"output size .* must be >= 1, but got -1"),
    (lambda: sn.conv_transpose_layer(X1, W1, output_padding=-1), SymconvError,
     "output_padding must be an integer >= 0, but got -1"),
    (lambda: sn.pool_layer(X1, 2, mode="mean"), SymconvError, "mode must be one of 'max', 'avg', but got 'mean'"),
    (lambda: sn.pool_layer(X1, 2, padding=2), ShapeError,
     r"pool_layer: padding must be <= kernel_size/2 on each side, but got padding=\(2, 2\), kernel_size=2"),
    (lambda: sn.pool_layer(X1, 5), ShapeError, "padded input .* but got 4 < 5"),
    (lambda: sn.pool_layer(X1, 0), SymconvError, "kernel_size must be an integer >= 1, but got 0"),
    (lambda: sn.pool_layer(X1, 2, ceil_mode=1), SymconvError, "ceil_mode must be True or False, but got 1"),
    (lambda: sn.pool_layer(X1, 2, count_include_pad="yes"), SymconvError,
     "count_include_pad must be True or False, but got 'yes'"),
    (lambda: sn.pool_layer(np.ones((1, 1, 1)), 2, stride=1, padding=1, dilation=2), ShapeError,
     "every window must cover at least one input element, but window 0 of spatial dimension 0 covers only padding"),
    (lambda: sn.conv_layer_backward(X1, W1, np.ones((1, 1, 3))), ShapeError,
     r"conv_layer_backward: grad_out must have the output shape \(1, 1, 2\), but got shape \(1, 1, 3\)"),
    (lambda: sn.convolve([], [1.0]), ShapeError, r"convolve: a must be non-empty, but got shape \(0,\)"),
    (lambda: sn.correlate([1.0], np.ones((0, 2))), ShapeError, "correlate: v must be non-empty"),
    (lambda: sn.convolve([1.0, 2.0], [[1.0]]), ShapeError,
     r"a and v must have the same number of dimensions, but got a.shape=\(2,\) and v.shape=\(1, 1\)"),
    (lambda: sn.correlate([1.0], [1.0], mode="circular"), SymconvError,
     "correlate: mode must be one of 'full', 'same', 'valid', but got 'circular'"),
    (lambda: sn.convolve(["a"], [1.0]), SymconvError, "convolve: a must be a numeric array"),
    (lambda: sn.convolve([1.0], [1.0], method="fast"), SymconvError,
     "convolve: method must be one of 'auto', 'direct', 'fft', but got 'fast'"),
    (lambda: sn.signal_method([1.0], [[1.0]]), ShapeError,
     "signal_method: a and v must have the same number of dimensions"),
])
def test_errors(call, kind, message):
    with pytest.raises(kind, match=message):
        call()


def test_errors_are_value_errors():
    with pytest.raises(ValueError):
        sn.conv_layer(X1, W1, stride=0)


# ---------------------------------------------------------------------------
# an independent implementation, when installed: PyTorch
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("case", range(6))
def test_against_pytorch_when_installed(case, torch):
    F = torch.nn.functional
    rng = np.random.default_rng(10 + case)
    x = rng.standard_normal((2, 4, 9, 8))
    t = torch.from_numpy
    if case == 0:
        w = rng.standard_normal((6, 2, 4, 3))
        got = sn.conv_layer(x, w, padding="same", dilation=(1, 2), groups=2)
        want = F.conv2d(t(x), t(w), padding="same", dilation=(1, 2), groups=2)
    elif case == 1:
        w = rng.standard_normal((4, 4, 3, 3))
        got = sn.conv_layer(x, w, stride=2, padding=2, padding_mode="reflect")
        want = F.conv2d(F.pad(t(x), (2, 2, 2, 2), mode="reflect"), t(w), stride=2)
    elif case == 2:
        w = rng.standard_normal((4, 3, 4, 3))
        got = sn.conv_transpose_layer(x, w, stride=(2, 3), padding=1, output_padding=(1, 2), dilation=2)
        want = F.conv_transpose2d(t(x), t(w), stride=(2, 3), padding=1, output_padding=(1, 2), dilation=2)
    elif case == 3:
        got = sn.pool_layer(x, 3, stride=2, padding=1, ceil_mode=True, dilation=(2, 1))
        want = F.max_pool2d(t(x), 3, stride=2, padding=1, ceil_mode=True, dilation=(2, 1))
    elif case == 4:
        got = sn.pool_layer(x, (3, 2), stride=2, padding=1, mode="avg", ceil_mode=True,
                            count_include_pad=True)
        want = F.avg_pool2d(t(x), (3, 2), stride=2, padding=1, ceil_mode=True, count_include_pad=True)
    else:
        w = rng.standard_normal((5, 4, 3, 3))
        xt = t(x).requires_grad_()
        wt = t(w).requires_grad_()
        y = F.conv2d(xt, wt, stride=2, padding=1)
        g = torch.from_numpy(rng.standard_normal(tuple(y.shape)))
        y.backward(g)
        gx, gw, _ = sn.conv_layer_backward(x, w, g.numpy(), stride=2, padding=1)
        np.testing.assert_allclose(gx, xt.grad.numpy(), rtol=1e-10, atol=1e-10)
        got, want = gw, wt.grad
    np.testing.assert_allclose(got, want.detach().numpy(), rtol=1e-10, atol=1e-10)


# ---------------------------------------------------------------------------
# scratch memory: reused between calls, never handed out, one pool per thread
# ---------------------------------------------------------------------------

def test_results_do_not_share_scratch_memory():
    rng = np.random.default_rng(8)
    calls = [
        lambda x: sn.conv_layer(x, np.ones((2, 3, 1, 1))),  # the result view is contiguous
        lambda x: sn.conv_layer(x, np.ones((2, 3, 3, 3)), padding=1),
        lambda x: sn.conv_transpose_layer(x, np.ones((3, 2, 2, 2)), stride=2),
        lambda x: sn.conv_layer_backward(x, np.ones((2, 3, 1, 1)), np.ones((1, 2, 4, 4)))[0],
    ]
    for call in calls:
        first = call(rng.standard_normal((1, 3, 4, 4)))
        kept = first.copy()
        call(rng.standard_normal((1, 3, 4, 4)))
        np.testing.assert_array_equal(first, kept)


@pytest.mark.parametrize("method", ["direct", "fft"])
def test_signal_results_do_not_share_scratch_memory(monkeypatch, method):
    monkeypatch.setattr(sn.signal, "_WINDOWS_MAX", -1)  # the scratch-backed paths even when small
    rng = np.random.default_rng(15)
    for m in (3, 40):  # tap by tap, banded
        first = sn.correlate(rng.standard_normal(500), rng.standard_normal(m), "full", method)
        kept = first.copy()
        sn.correlate(rng.standard_normal(500), rng.standard_normal(m), "full", method)
        np.testing.assert_array_equal(first, kept)


def test_threads_compute_independently():
    from concurrent.futures import ThreadPoolExecutor

    rng = np.random.default_rng(9)
    jobs = [(rng.standard_normal((2, 8, 9, 9)), rng.standard_normal((4, 8, 3, 3))) for _ in range(8)]
    serial = [sn.conv_layer(x, w, padding=1, stride=(1, 2)) for x, w in jobs]
    with ThreadPoolExecutor(4) as pool:
        parallel = list(pool.map(lambda job: sn.conv_layer(job[0], job[1], padding=1, stride=(1, 2)), jobs))
    for a, b in zip(serial, parallel):
        np.testing.assert_array_equal(a, b)
    sn._workspace._clear_workspace()
    np.testing.assert_array_equal(sn.conv_layer(*jobs[0], padding=1, stride=(1, 2)), serial[0])


def test_threads_setting_and_bitwise_determinism(monkeypatch):
    from symconv.errors import SymconvError
    monkeypatch.setattr(sn.layers, "_SPLIT_MIN_WORK", 1)
    monkeypatch.setattr(sn.layers, "_SPLIT_MIN_ELEMENTWISE", 1)
    rng = np.random.default_rng(7)
    x = rng.standard_normal((5, 6, 9, 11)).astype(np.float32)
    w = rng.standard_normal((6, 1, 3, 3)).astype(np.float32)
    b = rng.standard_normal(6).astype(np.float32)
    one = sn.conv_layer(x, w, b, padding=1, groups=6, threads=1)
    for threads in (2, 3, 8):
        first = sn.conv_layer(x, w, b, padding=1, groups=6, threads=threads)
        again = sn.conv_layer(x, w, b, padding=1, groups=6, threads=threads)
        assert np.array_equal(first, again)
        # the image blocks are independent: the same bits as one thread
        assert np.array_equal(first, one)
    monkeypatch.setenv("SYMCONV_NUM_THREADS", "3")
    assert sn.get_threads() == 3 and sn.get_threads(1) == 1
    monkeypatch.delenv("SYMCONV_NUM_THREADS")
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    assert sn.get_threads() == 2
    sn.set_threads(1)
    try:
        assert sn.get_threads() == 1
    finally:
        sn.set_threads(None)
    with pytest.raises(SymconvError, match="threads must be a positive integer"):
        sn.conv_layer(x, w, groups=6, threads=0)


# every layer operation splits its batch over threads: fixed bits per thread count

def _thread_cases():
    rng = np.random.default_rng(11)

    def arr(*shape):
        return rng.standard_normal(shape).astype(np.float32)

    x, xd = arr(7, 12, 9, 10), arr(7, 6, 9, 10)
    w_taps, w_im2col, w_dw, w_tr = arr(12, 12, 3, 3), arr(12, 3, 5, 5), arr(6, 1, 3, 3), arr(12, 4, 4, 4)
    b12, b6, b4 = arr(12), arr(6), arr(4)
    g_taps, g_s2, g_dw = arr(7, 12, 9, 10), arr(7, 12, 5, 5), arr(7, 6, 9, 10)
    return {
        "taps": lambda t: sn.conv_layer(x, w_taps, b12, padding=1, threads=t),
        "im2col": lambda t: sn.conv_layer(x[:, :3], w_im2col, b12, padding=2, stride=(2, 1), threads=t),
        "depthwise": lambda t: sn.conv_layer(xd, w_dw, b6, padding=1, groups=6, threads=t),
        "transposed s2": lambda t: sn.conv_transpose_layer(x, w_tr, b4, stride=2, padding=1, threads=t),
        "transposed s1 grouped": lambda t: sn.conv_transpose_layer(x, w_tr, None, groups=2, threads=t),
        "transposed 1-d s3": lambda t: sn.conv_transpose_layer(x[:, :, 0], w_tr[:, :, 0], b4, stride=3,
                                                               output_padding=2, threads=t),
        "backward taps": lambda t: sn.conv_layer_backward(x, w_taps, g_taps, padding=1, threads=t),
        "backward strided": lambda t: sn.conv_layer_backward(x, w_taps, g_s2, padding=1, stride=2, threads=t),
        "backward depthwise": lambda t: sn.conv_layer_backward(xd, w_dw, g_dw, padding=1, groups=6, threads=t),
        "max pool": lambda t: sn.pool_layer(x, 3, stride=2, padding=1, threads=t),
        "avg pool": lambda t: sn.pool_layer(x, 2, mode="avg", threads=t),
        "avg pool padded": lambda t: sn.pool_layer(x, 3, stride=2, padding=1, mode="avg",
                                                   count_include_pad=False, threads=t),
    }


THREAD_CASES = _thread_cases()


def _as_tuple(result):
    return result if isinstance(result, tuple) else (result,)


@pytest.mark.parametrize("name", sorted(THREAD_CASES))
def test_layers_bitwise_deterministic_per_thread_count(name, monkeypatch):
    monkeypatch.setattr(sn.layers, "_SPLIT_MIN_WORK", 1)  # split even these small batches
    monkeypatch.setattr(sn.layers, "_SPLIT_MIN_ELEMENTWISE", 1)
    run = THREAD_CASES[name]
    one = _as_tuple(run(1))
    for threads in (2, 3, 8):
        first, again = _as_tuple(run(threads)), _as_tuple(run(threads))
        for a, b, c in zip(first, again, one):
            assert a.dtype == c.dtype and a.shape == c.shape
            assert np.array_equal(a, b), (name, threads)
            if name.startswith("backward"):
                # grad_w and grad_b add per-block partial sums: float32 rounding may differ
                np.testing.assert_allclose(a, c, rtol=2e-5, atol=2e-5 * float(np.abs(c).max()))
            else:  # an image's result does not depend on its block
                assert np.array_equal(a, c), (name, threads)


def test_threaded_layers_match_torch_when_installed(monkeypatch):
    torch = pytest.importorskip("torch")
    monkeypatch.setattr(sn.layers, "_SPLIT_MIN_WORK", 1)
    monkeypatch.setattr(sn.layers, "_SPLIT_MIN_ELEMENTWISE", 1)
    F = torch.nn.functional
    rng = np.random.default_rng(12)
    x = rng.standard_normal((5, 8, 11, 9))
    w = rng.standard_normal((8, 3, 4, 4))
    got = sn.conv_transpose_layer(x, w, stride=2, padding=1, groups=2, threads=3)
    want = F.conv_transpose2d(torch.from_numpy(x), torch.from_numpy(w), stride=2, padding=1, groups=2)
    np.testing.assert_allclose(got, want.numpy(), rtol=1e-10, atol=1e-10)
    got = sn.pool_layer(x, 3, stride=2, padding=1, threads=3)
    want = F.max_pool2d(torch.from_numpy(x), 3, stride=2, padding=1)
    np.testing.assert_array_equal(got, want.numpy())


def test_blas_limit_restores_the_setting():
    from symconv.numeric import _threads
    before = _threads.blas_threads()
    with _threads.blas_limit(1):
        if before is not None:
            assert _threads.blas_threads() == 1
        with _threads.blas_limit(4):  # never raises an outer limit
            if before is not None:
                assert _threads.blas_threads() == 1
    assert _threads.blas_threads() == before


def test_small_batches_are_not_split(monkeypatch):
    calls = []
    real = sn.layers.run_split
    monkeypatch.setattr(sn.layers, "run_split", lambda fn, total, k: calls.append(k) or real(fn, total, k))
    x = np.ones((4, 3, 8, 8))
    sn.conv_transpose_layer(x, np.ones((3, 2, 3, 3)), threads=4)
    sn.pool_layer(x, 2, threads=4)
    assert calls == [1, 1]  # a few thousand multiply-adds: one thread
    assert sn.layers._split_count(4, 3, 10 * sn.layers._SPLIT_MIN_WORK) == 3  # at most one block per image
    # elementwise work (pooling, depthwise) splits at fewer operations than BLAS work
    work = 2 * sn.layers._SPLIT_MIN_ELEMENTWISE
    assert sn.layers._split_count(2, 8, work) == 1 and sn.layers._split_count(2, 8, work, elementwise=True) == 2
