"""Speed of the NumPy executor (symconv.numeric) against its peers, measured in one run.

Peers, each on the same float32 data:

* naive  -- the loop reference ``tests/naive_reference.py`` (the definition as Python
  loops). It is far too slow for the full workloads, so it is timed on a slice of the
  work (one image and one output channel, or one input channel for the transposed
  convolution) and the time is scaled by the number of such slices. The loops do the
  same work for every output element, so the scaling is linear; the table marks these
  numbers with ``~``.
* scipy  -- ``scipy.signal.correlate`` (method 'auto') called per (image, output
  channel, input channel) and summed over input channels; strides by subsampling the
  stride-1 result, dilation by a zero-dilated kernel, the transposed convolution by
  ``scipy.signal.convolve`` of the zero-upsampled input. Forward passes only.
* torch  -- PyTorch CPU ``torch.nn.functional`` (``conv2d``, ``conv_transpose2d``,
  ``max_pool2d``; the backward pass is ``torch.autograd.grad`` of a retained graph, for
  x, w and b).

Threads: symconv, numpy's BLAS and torch get the same count (``--threads``, default:
all cores), set through the environment variables below *before* numpy is imported,
``symconv.numeric.set_threads`` and ``torch.set_num_threads``. symconv splits a batch
with enough work into blocks of images over its threads (BLAS at one thread inside
each block), so its elementwise passes use every core too.

Each timing is the best single call over ``--repeat`` rounds; in every round each
implementation runs a block of consecutive calls (at least two, for at least 20 ms),
the blocks in an order shuffled every round, so that a noisy neighbour on the machine
slows all alike while no call is timed right after another library's (see
``interleaved``). Ratios are of best times.
On a machine shared with other jobs, ``--threads 1 --clock cpu`` measures CPU time
instead of elapsed time, which is what an idle machine would take with one thread.

For every layer workload the script also times a "floor" in the same run
(``floor_fn``): the part that the executor's method cannot avoid, alone -- the bare
matrix products of the 'taps', 'im2col' and transposed layers at their full size, the
two elementwise passes per tap of a depthwise layer (NumPy has no fused multiply-add)
-- and prints it next to PyTorch's time for the workloads more than 1.5 times slower
than PyTorch: a floor above or near PyTorch's whole layer bounds the method.

Usage::

    python benchmarks/bench_numeric.py [--threads N] [--repeat R] [--quick] [--clock wall|cpu]
    python benchmarks/bench_numeric.py --calibrate   # check convolve(method='auto')

The second table is a long 1-D signal (float64, 'full' mode) through
``symconv.numeric.convolve`` (method 'auto', and each method forced), ``numpy.convolve``
(direct sums), ``scipy.signal.fftconvolve`` and the loop reference
``naive_reference.convolve`` (timed on a prefix of the output and scaled, ``~``).

``--calibrate`` times ``convolve(method='direct')`` and ``convolve(method='fft')`` on a
grid of 1-D, 2-D and 3-D float64 sizes, to check the constants of the cost model that
``method='auto'`` uses (``symconv.numeric.signal_method``): it reports, per case, what
'auto' picks and how much slower that is than the faster method, and how far the
measured times are from the modelled ones (the constants are set by hand from these
ratios: a least-squares fit was at the mercy of a single preempted run).
"""

import argparse
import os
import sys


def _parse():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1,
                        help="threads for numpy's BLAS and for torch (default: all cores)")
    parser.add_argument("--repeat", type=int, default=15, help="timed runs per measurement (best is kept)")
    parser.add_argument("--quick", action="store_true", help="fewer repeats, skip the slow peers")
    parser.add_argument("--calibrate", action="store_true",
                        help="check the cost model of convolve(method='auto') instead")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                        help="wall: elapsed time (default); cpu: CPU time of the process, which "
                             "with --threads 1 estimates the time on an idle machine when other "
                             "jobs share the cores")
    return parser.parse_args()


ARGS = _parse() if __name__ == "__main__" else None
if ARGS is not None:  # before numpy is imported
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
        os.environ[var] = str(ARGS.threads)

import math  # noqa: E402
import platform  # noqa: E402
import random  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

import symconv.numeric as sn  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
import naive_reference as nr  # noqa: E402

try:
    import scipy
    import scipy.signal as signal
    scipy_version = scipy.__version__
except ImportError:  # pragma: no cover - optional peer
    signal = None
try:
    import torch
    import torch.nn.functional as tF
except ImportError:  # pragma: no cover - optional peer
    torch = None


CLOCK = time.perf_counter


def best_of(fn, repeat):
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        t0 = CLOCK()
        fn()
        times.append(CLOCK() - t0)
    return min(times)


# each implementation runs for at least this long (and at least twice) per round
BLOCK_SECONDS = 0.02


def interleaved(fns, repeat):
    """Best time of each callable, over ``repeat`` rounds of blocks of consecutive calls.

    In every round each callable runs a block of back-to-back calls (one untimed, then
    at least two, and for at least ``BLOCK_SECONDS``), the blocks in an order shuffled
    (seeded) every round, and its best single call is kept. Why blocks and not single calls in turn:
    a call runs on the state its predecessor left. Caches: with a fixed cyclic order a
    0.45 ms signal convolution took 0.6 ms whenever it followed scipy's FFT. Threads:
    after a two-thread PyTorch call, PyTorch's OpenMP workers keep spinning on the
    cores for milliseconds, and a symconv call timed right after it ran about 35%
    slower (the textbook layer, two threads: 0.83-0.93 ms after a PyTorch call against
    0.62 ms within a block of symconv calls, the same as with one thread; measured in
    one run, 2026-12-07); PyTorch's own time, too, is lower in its block (its workers
    are awake). A block measures each implementation in its steady state, as a
    network's consecutive layers would run it; shuffling the blocks still spreads a
    noisy neighbour over all of them.
    """
    shuffle = random.Random(0).shuffle
    for fn in fns:
        fn()
    best = [float("inf")] * len(fns)
    order = list(range(len(fns)))
    for _ in range(repeat):
        shuffle(order)
        for i in order:
            fns[i]()                   # untimed: the block starts from its own state
            start, calls = CLOCK(), 0
            while calls < 2 or CLOCK() - start < BLOCK_SECONDS:
                t0 = CLOCK()
                fns[i]()
                best[i] = min(best[i], CLOCK() - t0)
                calls += 1
    return best


# ---------------------------------------------------------------------------
# workloads
# ---------------------------------------------------------------------------

def make_workloads(rng):
    def arr(*shape):
        return rng.standard_normal(shape).astype(np.float32)

    resnet = dict(x=arr(8, 64, 56, 56), w=arr(64, 64, 3, 3), b=arr(64))
    return [
        dict(name="textbook 10x3x32x32, 8@5x5, p2", kind="conv", x=arr(10, 3, 32, 32), w=arr(8, 3, 5, 5),
             b=arr(8), kw=dict(padding=2)),
        dict(name="ResNet 8x64x56x56, 64@3x3, p1", kind="conv", **resnet, kw=dict(padding=1)),
        dict(name="  strided s2", kind="conv", **resnet, kw=dict(padding=1, stride=2)),
        dict(name="  dilated d2, p2", kind="conv", **resnet, kw=dict(padding=2, dilation=2)),
        dict(name="  depthwise g64", kind="conv", x=resnet["x"], w=arr(64, 1, 3, 3), b=arr(64),
             kw=dict(padding=1, groups=64)),
        dict(name="transposed 8x64x28x28 -> 32, k4 s2 p1", kind="transpose", x=arr(8, 64, 28, 28),
             w=arr(64, 32, 4, 4), b=arr(32), kw=dict(stride=2, padding=1)),
        dict(name="backward textbook", kind="backward", x=arr(10, 3, 32, 32), w=arr(8, 3, 5, 5),
             b=arr(8), kw=dict(padding=2)),
        dict(name="backward ResNet", kind="backward", **resnet, kw=dict(padding=1)),
        dict(name="  backward strided s2", kind="backward", **resnet, kw=dict(padding=1, stride=2)),
        dict(name="  backward depthwise g64", kind="backward", x=resnet["x"], w=arr(64, 1, 3, 3),
             b=arr(64), kw=dict(padding=1, groups=64)),
        dict(name="max pool 3x3 s2 p1 (ResNet stem)", kind="pool", x=resnet["x"], w=None, b=None,
             kw=dict(kernel_size=3, stride=2, padding=1)),
    ]


def ours(work, grad=None):
    x, w, b, kw = work["x"], work["w"], work["b"], work["kw"]
    if work["kind"] == "conv":
        return lambda: sn.conv_layer(x, w, b, **kw)
    if work["kind"] == "transpose":
        return lambda: sn.conv_transpose_layer(x, w, b, **kw)
    if work["kind"] == "pool":
        return lambda: sn.pool_layer(x, **kw)
    return lambda: sn.conv_layer_backward(x, w, grad, **kw)


def naive_time(work):
    """Time of the loop reference on a slice of the work, scaled to the whole (seconds)."""
    x, w, b, kw = work["x"], work["w"], work["b"], work["kw"]
    N = x.shape[0]
    if work["kind"] == "pool":  # one (image, channel) plane
        t = best_of(lambda: nr.pool_layer(x[:1, :1], **kw), 1)
        return t * N * x.shape[1]
    if work["kind"] == "transpose":
        # one image, one input channel: the scatter loops run once per (n, c_in)
        xs, ws = x[:1, :1], w[:1]
        t = best_of(lambda: nr.conv_transpose_layer(xs, ws, b, **kw), 1)
        return t * N * x.shape[1]
    F = w.shape[0]
    # one image, one output channel (with the input channels of its group)
    Cg = w.shape[1]
    xs = x[:1, :Cg]
    ws = w[:1]
    kws = dict(kw, groups=1)
    if work["kind"] == "conv":
        t = best_of(lambda: nr.conv_layer(xs, ws, b[:1], **kws), 1)
    else:
        g = np.ones((1, 1) + sn.conv_layer(xs, ws, **kws).shape[2:], dtype=np.float32)
        t = best_of(lambda: nr.conv_layer_backward(xs, ws, g, **kws), 1)
    return t * N * F


def scipy_forward(work):
    """A per-channel scipy.signal implementation of the forward workloads."""
    x, w, b, kw = work["x"], work["w"], work["b"], work["kw"]
    if work["kind"] == "transpose":
        s, p = kw["stride"], kw["padding"]
        N, C, H, W = x.shape
        Fo, k = w.shape[1], w.shape[2]

        def run():
            up = np.zeros((N, C, (H - 1) * s + 1, (W - 1) * s + 1), dtype=x.dtype)
            up[:, :, ::s, ::s] = x
            out = None
            for n in range(N):
                for f in range(Fo):
                    acc = sum(signal.convolve(up[n, c], w[c, f], mode="full") for c in range(C))
                    if out is None:
                        out = np.empty((N, Fo) + acc.shape, dtype=x.dtype)
                    out[n, f] = acc + b[f]
            return out[:, :, p:out.shape[2] - p, p:out.shape[3] - p]
        return run
    pad, s, d = kw.get("padding", 0), kw.get("stride", 1), kw.get("dilation", 1)
    groups = kw.get("groups", 1)
    F, Cg = w.shape[:2]
    Fg = F // groups
    wd = w
    if d > 1:
        k = w.shape[2]
        wd = np.zeros(w.shape[:2] + ((k - 1) * d + 1,) * 2, dtype=w.dtype)
        wd[:, :, ::d, ::d] = w

    def run():
        xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
        out = None
        for n in range(x.shape[0]):
            for f in range(F):
                g = f // Fg
                acc = sum(signal.correlate(xp[n, g * Cg + c], wd[f, c], mode="valid") for c in range(Cg))
                acc = acc[::s, ::s]
                if out is None:
                    out = np.empty((x.shape[0], F) + acc.shape, dtype=x.dtype)
                out[n, f] = acc + b[f]
        return out
    return run


def torch_fn(work, grad=None):
    t = torch.from_numpy
    x, kw = t(work["x"]), work["kw"]
    w, b = (None, None) if work["w"] is None else (t(work["w"]), t(work["b"]))
    if work["kind"] == "conv":
        return lambda: tF.conv2d(x, w, b, **kw)
    if work["kind"] == "transpose":
        return lambda: tF.conv_transpose2d(x, w, b, **kw)
    if work["kind"] == "pool":
        return lambda: tF.max_pool2d(x, **kw)
    xr, wr, br = x.clone().requires_grad_(), w.clone().requires_grad_(), b.clone().requires_grad_()
    y = tF.conv2d(xr, wr, br, **kw)
    g = t(grad)
    return lambda: torch.autograd.grad(y, (xr, wr, br), g, retain_graph=True)


def _strategy(work):
    """``conv_strategy`` of a convolution workload (its label in the table)."""
    kw = dict(work["kw"])
    return sn.conv_strategy(work["x"].shape, work["w"].shape, kw.pop("groups", 1), **kw)


def _geometry(work):
    """(plan, pads, out_shape, G, Fg, Cg) of a convolution workload, as the executor plans it."""
    x, w, kw = work["x"], work["w"], work["kw"]
    s, p, d = kw.get("stride", 1), kw.get("padding", 0), kw.get("dilation", 1)
    G = kw.get("groups", 1)
    D = x.ndim - 2
    out_shape = sn.conv_layer(x[:1], w, **kw).shape[2:]
    pads = ((p, p),) * D
    plan = sn.layers._Plan(tuple(n + 2 * p for n in x.shape[2:]), w.shape[2:], (s,) * D, (d,) * D, out_shape)
    return plan, pads, out_shape, G, w.shape[0] // G, w.shape[1]


def _products(shapes, rng, threads):
    """A callable doing the matrix products ``a (G, m, k) @ b (G, k, n)`` for (G, m, k, n) in
    shapes; repeated shapes (one per image) reuse their operands, which stay in cache as an
    image's gathered windows do in the executor."""
    operands = {shape: (rng.standard_normal(shape[:3], dtype=np.float32),
                        rng.standard_normal((shape[0], shape[2], shape[3]), dtype=np.float32),
                        np.empty((shape[0], shape[1], shape[3]), dtype=np.float32)) for shape in dict.fromkeys(shapes)}
    ops = [operands[shape] for shape in shapes]

    def run():
        with sn._threads.blas_limit(threads):
            for a, b, out in ops:
                np.matmul(a, b, out=out)
    return run


def _depthwise_passes(work, source, threads):
    """A callable doing the executor's depthwise multiply-adds alone (2 passes per tap, in
    cache blocks) on the zero-padded phase array of ``source``, channels split over threads."""
    plan, pads, _, G, Fg, _ = _geometry(work)
    N = source.shape[0]
    buffers = {ph: buf.copy() for ph, buf in plan.buffers(source, pads, np.float32, tail=plan.max_tap).items()}
    wt = work["w"].reshape(G, Fg, -1).astype(np.float32)
    out = np.empty((G, Fg, N * plan.size), dtype=np.float32)

    def block(a, b):
        sn.layers._depthwise({ph: buf[a:b] for ph, buf in buffers.items()}, plan, wt[a:b], out[a:b])
    return lambda: sn._threads.run_split(block, G, threads)


def _captured_products(run):
    """The matrix products ``[(G, m, k, n)]`` of the correlations ``run()`` makes the executor
    run (read off one call): a 'taps' correlation multiplies ``(kernel rows * filters,
    Cg * k_last)`` by the stacked copies of the batch, an 'im2col' one ``(filters, Cg * taps)``
    by each image's windows. For a transposed layer (or the input gradient of the
    backward pass) these are one correlation for all output phases, or one per phase."""
    layers = sn.layers
    shapes = []
    real_ext, real_im2col = layers._correlate_ext, layers._im2col_forward

    def ext(x, pads, plan, w, groups, *args, **kwargs):
        Fg, Cg = w.shape[0] // groups, w.shape[1]
        shapes.append((groups, len(plan.lead) * Fg, Cg * plan.k_last, x.shape[0] * plan.size))
        return real_ext(x, pads, plan, w, groups, *args, **kwargs)

    def im2col(x, w, stride, dilation, pads, out_shape, groups, *args, **kwargs):
        Fg, Cg = w.shape[0] // groups, w.shape[1]
        T = math.prod(w.shape[2:])
        shapes.extend([(groups, Fg, Cg * T, math.prod(out_shape))] * x.shape[0])
        return real_im2col(x, w, stride, dilation, pads, out_shape, groups, *args, **kwargs)
    layers._correlate_ext, layers._im2col_forward = ext, im2col
    try:
        run()
    finally:
        layers._correlate_ext, layers._im2col_forward = real_ext, real_im2col
    return shapes


def _describe(shapes):
    """``products (...)``: each shape once, with its count."""
    counts = {shape: shapes.count(shape) for shape in shapes}  # in order, each shape once
    return "products (" + " + ".join((f"{c} x " if c > 1 else "") + f"{m}x{k} @ {k}x{n}"
                                     + (f", {G} groups" if G > 1 else "")
                                     for (G, m, k, n), c in counts.items()) + ")"


def floor_fn(work, grad, threads, rng):
    """``(what, callable)``: the part of a workload that the executor's method cannot avoid,
    timed alone (None for pooling).

    * 'taps': its matrix products alone, at their full size (one product per kernel row
      of the whole batch, BLAS at ``threads`` threads);
    * the transposed layer: the products of the correlation(s) it runs, as they run
      (``_captured_products``: k4 s2 is one correlation for the four output phases, with
      four times the filters, by gathered windows);
    * 'im2col' (small channel counts, and strided layers): the per-image products of the
      gathered windows (one chunk's windows, in cache, multiplied over the executor's
      chunks);
    * 'depthwise': the 2 elementwise passes per tap (multiply, add) over the padded
      input, in the executor's cache blocks (NumPy has no fused multiply-add);
    * backward: the products of the transposed layer of its input gradient (as it runs
      them) plus the weight gradient's products, as the layer's strategy computes them
      (per image against the gathered windows for 'im2col', per kernel row against the
      stacked copies for 'taps'); depthwise: the input gradient's elementwise passes and
      the weight gradient's per-tap dot products.
    """
    if work["kind"] == "pool":
        return None
    x = work["x"]
    N = x.shape[0]
    if work["kind"] == "transpose":
        shapes = _captured_products(
            lambda: sn.conv_transpose_layer(work["x"], work["w"], work["b"], threads=1, **work["kw"]))
        return _describe(shapes), _products(shapes, rng, threads)
    plan, pads, out_shape, G, Fg, Cg = _geometry(work)
    strategy = _strategy(work)
    U, kl, T, M = len(plan.lead), plan.k_last, len(plan.taps), N * plan.size
    if work["kind"] == "backward" and strategy != "depthwise":
        # the input gradient: the products of the transposed layer it runs; the weight
        # gradient: one product per image (P, Fg) against the gathered windows ('im2col'),
        # or one per kernel row (Fg, N*size) @ (N*size, Cg*k_last) against the stacked copies
        shapes = _captured_products(lambda: sn.conv_layer_backward(work["x"], work["w"], grad, threads=1,
                                                                   **work["kw"]))
        if strategy == "im2col":
            weights = [(G, Cg * T, math.prod(out_shape), Fg)] * N
        else:
            weights = [(G, Fg, M, Cg * kl)] * U
        return (f"input gradient {_describe(shapes)}, weight gradient {_describe(weights)}",
                _products(shapes + weights, rng, threads))
    if strategy == "depthwise":
        passes = _depthwise_passes(work, x, threads)
        if work["kind"] == "conv":
            return f"{2 * T} elementwise passes", passes
        back = _depthwise_passes(work, grad, threads)  # the input gradient: the same passes on grad_out
        g = rng.standard_normal((G, Fg, M), dtype=np.float32)
        cols = rng.standard_normal((G, M + plan.max_tap), dtype=np.float32)

        def dots():
            for _, off in plan.taps:
                np.matmul(g, cols[:, off:off + M, None])
        return f"{2 * T} passes + {T} dot products", lambda: (back(), dots())
    if strategy == "im2col":
        # one product per image, (Fg, Cg*T) @ (Cg*T, outputs) for each group, on a batch
        # chunk's gathered windows (in cache, as in the executor), over the executor's chunks
        P = math.prod(out_shape)
        wmat = rng.standard_normal((G, Fg, Cg * T), dtype=np.float32)
        chunks = sn.layers._batch_chunks(N, x.shape[1] * T * P * 4, sn.layers._IM2COL_CHUNK_BYTES)
        n = max(b - a for a, b in chunks)
        cols = rng.standard_normal((n, G, Cg * T, P), dtype=np.float32)
        out = np.empty((n, G, Fg, P), dtype=np.float32)

        def forward():
            with sn._threads.blas_limit(threads):
                for a, b in chunks:
                    np.matmul(wmat, cols[:b - a], out=out[:b - a])
        return f"per-image products ({Fg}x{Cg * T} @ {Cg * T}x{P}{f', {G} groups' if G > 1 else ''})", forward
    return f"products ({U * Fg}x{Cg * kl} @ {Cg * kl}x{M})", _products([(G, U * Fg, Cg * kl, M)], rng, threads)


def check(work, ours_fn, torch_run):
    """Largest relative difference between symconv and torch (they must compute the same)."""
    a = ours_fn()
    b = torch_run()
    if isinstance(a, tuple):
        return max(float(np.abs(u - v.numpy()).max() / (np.abs(v.numpy()).max() + 1e-30)) for u, v in zip(a, b))
    b = b.numpy()
    return float(np.abs(a - b).max() / (np.abs(b).max() + 1e-30))


def fmt(t, approx=False):
    if t is None:
        return "-"
    ms = t * 1e3
    text = f"{ms:,.1f}" if ms < 10_000 else f"{ms:,.0f}"
    return ("~" if approx else "") + text


def fmt_fine(t):
    """Milliseconds with three significant digits or more (the signal table's short times)."""
    if t is None:
        return "-"
    ms = t * 1e3
    return f"{ms:.3f}" if ms < 1 else f"{ms:.2f}" if ms < 100 else f"{ms:,.0f}"


def ratio(a, b):
    if a is None or b is None:
        return "-"
    r = a / b
    return f"{r:,.0f}x" if r >= 100 else f"{r:.2f}x"


# ---------------------------------------------------------------------------
# long 1-D signals
# ---------------------------------------------------------------------------

SIGNAL_CASES = [(3000, 3000), (3000, 40), (100_000, 40), (100_000, 3000), (1_000_000, 64)]


def naive_signal_time(a, v):
    """Time of the loop reference on a piece of the work, scaled to the whole (seconds).

    ``naive_reference.correlate(a, v[::-1], 'full')`` (the same sum as the convolution
    for real ``v``) runs its inner loop ``(n + m - 1) * m`` times, once per shift and
    kernel tap, with the same work every time; it is timed on the first 500 samples of
    ``a`` and at most 200 taps of ``v``, and scaled by the ratio of the loop counts.
    """
    n, m = len(a), len(v)
    k, mm = min(n, 500), min(m, 200)
    a_part, v_part = a[:k], v[::-1][:mm].copy()
    t = best_of(lambda: nr.correlate(a_part, v_part, "full"), 1)
    return t * ((n + m - 1) * m) / ((k + mm - 1) * mm)


def signal_rows(rng, repeat, quick):
    header = ("a x v (float64, full)", "symconv ms", "auto is", "direct ms", "fft ms", "numpy ms",
              "scipy fft ms", "naive ms", "numpy/symconv", "scipy/symconv", "naive/symconv",
              "max rel err")
    rows = []
    for n, m in SIGNAL_CASES:
        a, v = rng.standard_normal(n), rng.standard_normal(m)
        method = sn.signal_method(a, v)
        fns = [lambda a=a, v=v: sn.convolve(a, v), lambda a=a, v=v: sn.convolve(a, v, method="direct"),
               lambda a=a, v=v: sn.convolve(a, v, method="fft"), lambda a=a, v=v: np.convolve(a, v)]
        if signal is not None:
            fns.append(lambda a=a, v=v: signal.fftconvolve(a, v))
        times = interleaved(fns, repeat)
        t_sym, t_dir, t_fft, t_np = times[:4]
        t_sp = times[4] if signal is not None else None
        want = np.convolve(a, v)
        err = float(np.abs(sn.convolve(a, v) - want).max() / np.abs(want).max())
        t_naive = None if quick else naive_signal_time(a, v)
        rows.append((f"{n:,} x {m:,}", fmt_fine(t_sym), method, fmt_fine(t_dir), fmt_fine(t_fft),
                     fmt_fine(t_np), fmt_fine(t_sp),
                     fmt(t_naive, approx=True), ratio(t_np, t_sym), ratio(t_sp, t_sym),
                     ratio(t_naive, t_sym), f"{err:.1e}"))
        print("  done: signal", n, m, file=sys.stderr)
    return header, rows


def print_table(header, rows):
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    print("| " + " | ".join(h.ljust(wd) for h, wd in zip(header, widths)) + " |")
    print("|" + "|".join("-" * (wd + 2) for wd in widths) + "|")
    for r in rows:
        print("| " + " | ".join(str(c).ljust(wd) for c, wd in zip(r, widths)) + " |")


def calibrate(repeat):
    """Time both methods of convolve on a grid; report the choices of 'auto' and the model's fit."""
    rng = np.random.default_rng(1)
    cases = [((n,), (m,)) for n in (300, 1000, 3000, 10_000, 100_000)
             for m in (3, 7, 8, 20, 60, 150, 400, 1000, 3000) if m <= n]
    cases += [((n, n), (m, m)) for n in (32, 64, 128, 256, 512) for m in (3, 5, 8, 16, 32) if m <= n // 2]
    cases += [((n,) * 3, (m,) * 3) for n in (16, 32, 64) for m in (2, 3, 5, 8)]
    taps, banded, ffts, report = [], [], [], []
    for sa, sv in cases:
        a, v = rng.standard_normal(sa), rng.standard_normal(sv)
        t_dir, t_fft = interleaved([lambda a=a, v=v: sn.convolve(a, v, method="direct"),
                                    lambda a=a, v=v: sn.convolve(a, v, method="fft")], repeat)
        lengths = [n + m - 1 for n, m in zip(sa, sv)]
        k = tuple(sorted(sv))  # the direct sum puts the longest kernel axis last
        kind = sn.signal._direct_kind(k, lengths)
        L = math.prod(lengths)
        if kind == "taps":
            taps.append((t_dir * 1e9, L * math.prod(k)))
        elif kind == "banded":
            width = sn.signal._band(k) + min(k[-1], sn.signal._KERNEL_BLOCK) - 1
            bands = -(-k[-1] // sn.signal._KERNEL_BLOCK)
            banded.append((t_dir * 1e9 / (L * bands), math.prod(k[:-1]) * width))
        N = math.prod(sn.signal._fft_length(n + m - 1) for n, m in zip(sa, sv))
        ffts.append((t_fft * 1e9, N * math.log2(N)))
        pick = sn.signal_method(a, v)
        best = min(t_dir, t_fft)
        report.append((f"{sa} x {sv}", kind, f"{t_dir * 1e3:.3f}", f"{t_fft * 1e3:.3f}", pick,
                       f"{(t_dir if pick == 'direct' else t_fft) / best:.2f}x"))
        print("  done:", sa, sv, file=sys.stderr)
    print_table(("a x v", "direct kind", "direct ms", "fft ms", "auto picks", "auto / best"), report)
    # measured over modelled time, per kind: the constants are right when these are near 1
    model_tap = [t / (sn.signal._COST_TAP * u) for t, u in taps]
    model_band = [t / (sn.signal._COST_BAND * u + sn.signal._COST_ROW) for t, u in banded]
    model_fft = [t / (sn.signal._COST_FFT * u) for t, u in ffts]
    for name, q in (("tap by tap", model_tap), ("banded", model_band), ("fft", model_fft)):
        print(f"{name}: measured / modelled time, median {np.median(q):.2f}, "
              f"range {min(q):.2f} to {max(q):.2f} over {len(q)} cases")
    print(f"constants in use (ns): tap {sn.signal._COST_TAP}, band {sn.signal._COST_BAND} per lead tap and "
          f"column + {sn.signal._COST_ROW} per position, fft {sn.signal._COST_FFT} per point and log2(points)")
    worst = max(float(r[-1][:-1]) for r in report)
    print(f"'auto' within {worst:.2f}x of the faster method on every case")


def main():
    global CLOCK
    args = ARGS
    repeat = 5 if args.quick else args.repeat
    if args.clock == "cpu":
        CLOCK = time.process_time
    if torch is not None:
        torch.set_num_threads(args.threads)
    sn.set_threads(args.threads)
    if args.calibrate:
        calibrate(args.repeat)
        return
    rng = np.random.default_rng(0)
    works = make_workloads(rng)
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    print(f"machine: {model}, {os.cpu_count()} logical cores; python {platform.python_version()}, "
          f"numpy {np.__version__}" + (f", scipy {scipy_version}" if signal else "")
          + (f", torch {torch.__version__}" if torch else "") + f"; threads: {args.threads}; "
          f"float32; {args.clock} clock, best of {repeat}; load average at start {os.getloadavg()[0]:.2f}")
    header = ("workload", "symconv ms", "naive ms", "scipy ms", "torch ms",
              "naive/symconv", "scipy/symconv", "symconv/torch", "strategy")
    rows, floors = [], []
    for work in works:
        grad = None
        if work["kind"] == "backward":
            y = sn.conv_layer(work["x"], work["w"], work["b"], **work["kw"])
            grad = rng.standard_normal(y.shape).astype(np.float32)
        ours_fn = ours(work, grad)
        t_torch = None
        floor = floor_fn(work, grad, args.threads, rng)
        if torch is not None:
            torch_run = torch_fn(work, grad)
            err = check(work, ours_fn, torch_run)
            assert err < 1e-4, (work["name"], err)
            t_ours, t_torch = interleaved([ours_fn, torch_run], repeat)
            if floor:
                # timed on its own: BLAS's worker threads, busy-waiting after the floor's
                # products, slowed the symconv calls after them (strided s2 at two
                # threads: 8.7 ms in shared rounds against 4.8 ms alone)
                floors.append((work["name"], floor[0], interleaved([floor[1]], repeat)[0],
                               t_torch, t_ours))
        else:
            t_ours = best_of(ours_fn, repeat)
        t_scipy = None
        if signal is not None and work["kind"] in ("conv", "transpose") and not args.quick:
            t_scipy = best_of(scipy_forward(work), 1)
        t_naive = None if args.quick else naive_time(work)
        if work["kind"] == "pool":
            strategy = "max of views"
        elif work["kind"] == "transpose" and work["kw"].get("stride", 1) > 1:
            strategy = "sub-pixel"
        else:
            strategy = _strategy(work)  # a backward pass's weight gradient follows it too
        rows.append((work["name"], fmt(t_ours), fmt(t_naive, approx=True), fmt(t_scipy), fmt(t_torch),
                     ratio(t_naive, t_ours), ratio(t_scipy, t_ours), ratio(t_ours, t_torch), strategy))
        print("  done:", work["name"], file=sys.stderr)
    print_table(header, rows)
    print("~ : naive loops timed on one image x one output channel (one input channel for the "
          "transposed convolution) and scaled linearly to the whole workload")
    print()
    slow = [f for f in floors if f[4] > 1.5 * f[3]]
    if slow:
        print(f"What bounds the workloads above 1.5x PyTorch: the part the executor's method cannot "
              f"avoid, timed alone in the same run ({args.threads} thread(s))")
        print_table(("workload", "floor: the unavoidable part", "floor ms", "torch ms", "floor/torch",
                     "symconv/floor"),
                    [(name, what, fmt_fine(tf), fmt_fine(tt), ratio(tf, tt), ratio(to, tf))
                     for name, what, tf, tt, to in slow])
        print()
    print_table(*signal_rows(rng, repeat, args.quick))
    print("~ : naive loops timed on the first outputs and scaled by the number of products; "
          "max rel err: largest |symconv - numpy| over max |numpy|")
    print(f"load average at end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
