"""Layer operations of the executor: convolution, transposed convolution, pooling and
the convolution's backward pass (see :mod:`symconv.numeric` for the method).

Why one module of this size (about 1,300 lines): the strategies (the phase-array engine
:class:`_Plan` with its 'taps' products, 'im2col', 'depthwise', the sub-pixel transposed
layer) are shared by the forward, transposed and backward passes and pooling, and they
read one set of measured tuning constants (below) that the tests switch to reach every
path; splitting them would turn the plan and those switches into a cross-module private
API.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Sequence
from typing import Any, Literal, ParamSpec, SupportsIndex, TypeAlias, TypeVar

import numpy as np
from numpy.lib.stride_tricks import as_strided
from numpy.typing import ArrayLike

from symconv._util.validate import IntOrInts, Padding, check_choice, int_tuple, padding_pairs
from symconv.errors import ShapeError, SymconvError
from symconv.numeric._sizes import (
    conv_output_size,
    conv_transpose_output_size,
    pool_output_size,
)
from symconv.numeric._threads import blas_limit, get_threads, run_split, split_bounds
from symconv.numeric._workspace import _scratch

__all__ = ["conv_layer", "conv_transpose_layer", "pool_layer", "conv_layer_backward", "conv_strategy"]

PADDING_MODES = ("zeros", "reflect", "replicate", "circular")
POOL_MODES = ("max", "avg")
SIGNAL_MODES = ("full", "same", "valid")
PaddingMode: TypeAlias = Literal["zeros", "reflect", "replicate", "circular"]
PoolMode: TypeAlias = Literal["max", "avg"]
Strategy: TypeAlias = Literal["taps", "im2col", "depthwise"]
_NP_PAD_MODE = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}

# below this many rows (C/groups * k_last) per kernel-row product, one im2col product is faster
_IM2COL_MIN_ROWS = 32
# strided layers take 'im2col' whatever their channels (the tests switch this off to
# exercise the 'taps' path on strided layers, which the weight gradient still uses)
_IM2COL_STRIDED = True
# largest im2col matrix of a batch chunk, in bytes: 2**21 (one image of the strided
# ResNet layer, six of the textbook layer; with the output block, in the 2 MiB L2 of the
# Intel VM) measured 5-20% faster than 2**23 on both (one thread, CPU time, same run)
_IM2COL_CHUNK_BYTES = 1 << 21
# im2col gathers from a zero-padded copy of the input when that copy is under 1/4 of the
# gathered matrix (the textbook layer: 5%, 0.43 against 0.51 ms; the 7x7/2 stem on RGB:
# 9%, 13.0 against 13.9 ms), and straight from x otherwise (the strided ResNet layer:
# 48%, 5.9-6.2 against 6.5 ms); one thread, CPU time, same run
_IM2COL_PADDED_COPY = 4
# stride-1 layers take 'im2col' when its extra copies are fewer than the extra passes of
# 'taps' (see _strategy), a multiply-add counting as 1/80 of an element copy. Set from
# 'im2col'/'taps' timings (one thread, CPU time, same run) of 3x3 layers: 64 channels
# 56x56 1.12 and dilated 1.03 (taps), 40x40 1.10 (taps), 128 channels 28x28 0.86,
# 256 at 14x14 0.76, 512 at 7x7 0.58 (im2col); 5x5 on 64 channels 56x56 1.32 (taps); 2x2
# 0.83, 1x3 0.76, 1x1 0.63-0.90 (im2col). The ten cases fix the constant between 1/110
# and 1/55. The tests set _IM2COL_BY_COST to 0 to keep 'taps' on small layers.
_MAC_COPIES = 1 / 80
_IM2COL_BY_COST = 1
# im2col adds the bias (one group) as one more column of w against a row of ones in the
# gathered windows, inside the product instead of a pass over the result: same-run,
# one thread, CPU time, strided ResNet 0.97-0.98, textbook 0.90-0.96 of the separate add
_IM2COL_BIAS_ROW = True
# a strided transposed layer whose phases' sub-kernels fill the same window (k4 s2) is
# one correlation for all phases (the tests switch this off to keep the per-phase path
# tested on such layers)
_SUBPIXEL_COMBINED = True
# ... and that correlation gathers its windows ('im2col') whatever its channels: on the
# k4 s2 benchmark layer 6.16 against 7.03 ms for 'taps' (one thread, CPU time, same run)
_SUBPIXEL_IM2COL = True
# filter matrices with fewer rows are multiplied image by image (see _filter_product)
_BATCHED_GEMM_MAX_ROWS = 64
# elements of one block of the depthwise multiply-adds (the output, the temporary and the
# window each hold this many): 2**16 (256 KiB of float32 per operand, so the three stay in
# the 2 MiB L2 cache of the Intel VM) measured 34% faster than 2**18 there (3.96 against
# 6.00 ms for the multiply-adds of the benchmark's depthwise layer, one thread, CPU time,
# same run) and 10% faster than 2**15; on the AMD VM of the first record 2**18 had been
# 20% faster than 2**15 (the cost is partly per ufunc call, partly memory traffic)
_DEPTHWISE_BLOCK = 1 << 16
# largest im2col / stacked-copies temporary, in bytes; bigger work is done in batch chunks.
# 2**23 (one or two images of a 64-channel 56x56 layer: the stacked copies and the
# kernel rows' products stay in cache between the product and the additions) measured
# 19% faster than 2**27 (the whole batch) on the ResNet 3x3 layer, 19% on its dilated
# variant and 14% on its backward pass (one thread, CPU time, same run)
_CHUNK_BYTES = 1 << 23
# multiply-adds a thread must get before a call splits its batch: handing a block to
# another thread costs tens of microseconds (13.5 us at best, measured), about 2**22
# multiply-adds of BLAS
_SPLIT_MIN_WORK = 1 << 22
# the same for elementwise work (pooling comparisons, depthwise multiply-adds), which
# costs 0.5-1 ns per operation against about 0.01-0.1 ns per multiply-add of BLAS: the
# ResNet stem's max pool (3.6 million comparisons, 4.2 ms) split in two blocks of 1.6 ms
# of CPU time each (measured per thread); 2**19 operations are about 0.5 ms
_SPLIT_MIN_ELEMENTWISE = 1 << 19


def _split_count(threads, N, work, elementwise=False):
    """How many blocks of images a call with ``work`` multiply-adds (BLAS) or elementwise
    operations uses (shapes and ``threads`` only, so the split, hence the bits, are fixed
    for a given count)."""
    return max(1, min(threads, N, work // (_SPLIT_MIN_ELEMENTWISE if elementwise else _SPLIT_MIN_WORK)))


# ---------------------------------------------------------------------------
# argument checking
# ---------------------------------------------------------------------------

_SHAPE_PREFIXES = ("conv: ", "conv_transpose: ", "pool: ")


_P = ParamSpec("_P")
_R = TypeVar("_R")


def _in_context(func: Callable[_P, _R]) -> Callable[_P, _R]:
    """Make every error of ``func`` start with its name, e.g. ``conv_layer: stride must be ...``.

    Messages from the shared helpers (:mod:`symconv._util.validate`, :mod:`symconv.nn.shapes`) do
    not know which operation called them; the error is re-raised, same class, with the
    operation's name in front (``from None``: the user sees one clear message).
    """
    op = func.__name__

    @functools.wraps(func)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return func(*args, **kwargs)
        except SymconvError as exc:
            message = str(exc)
            if message.startswith(op + ": "):
                raise
            for prefix in _SHAPE_PREFIXES:
                if message.startswith(prefix):
                    message = message[len(prefix):]
                    break
            raise type(exc)(f"{op}: {message}") from None

    return wrapper


def _real_array(value: ArrayLike, name: str, op: str) -> np.ndarray:
    """``value`` as a real floating ndarray (ints and bools become float64)."""
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged nested lists and the like
        raise SymconvError(f"{op}: {name} must be a real numeric array, but got {value!r}") from exc
    if arr.dtype.kind in "biu":
        return arr.astype(np.float64)
    if arr.dtype.kind == "f":
        return arr
    if arr.dtype.kind == "O":
        try:
            return arr.astype(np.float64)
        except (TypeError, ValueError):
            pass
    raise SymconvError(f"{op}: {name} must be a real numeric array, but got dtype {arr.dtype}")


def _dtype(*arrays):
    """The computation dtype: the widest float of the inputs, at least float32."""
    return np.result_type(*[a.dtype for a in arrays], np.float32)


def _check_input(x, op, name="x"):
    if not 3 <= x.ndim <= 5:
        raise ShapeError(f"{op}: {name} must have shape (N, C, *spatial) with 1 to 3 spatial "
                         f"dimensions, but got shape {x.shape}")
    if x.shape[1] < 1 or any(n < 1 for n in x.shape[2:]):
        raise ShapeError(f"{op}: {name} must have at least one channel and non-empty spatial "
                         f"dimensions, but got shape {x.shape}")


def _check_weight(x, w, op):
    if w.ndim != x.ndim:
        raise ShapeError(f"{op}: w must have as many dimensions as x ({x.ndim}), "
                         f"but got w.shape={w.shape} for x.shape={x.shape}")
    if w.shape[0] < 1 or w.shape[1] < 1 or any(k < 1 for k in w.shape[2:]):
        raise ShapeError(f"{op}: w must have non-empty dimensions, but got w.shape={w.shape}")


def _check_groups(groups, C, F, op):
    groups = int_tuple(groups, 1, "groups", minimum=1)[0]
    if C % groups:
        raise ShapeError(f"{op}: groups must divide the input channels, but {groups} does not divide {C}")
    if F % groups:
        raise ShapeError(f"{op}: groups must divide the output channels, but {groups} does not divide {F}")
    return groups


def _check_bias(bias, F, op):
    if bias is None:
        return None
    b = _real_array(bias, "bias", op)
    if b.shape != (F,):
        raise ShapeError(f"{op}: bias must have shape ({F},) (one entry per output channel), "
                         f"but got shape {b.shape}")
    return b


def _broadcast_bias(b, ndim_spatial):
    return b.reshape((1, -1) + (1,) * ndim_spatial)


# ---------------------------------------------------------------------------
# the convolution engine: a sum over taps of matrix products on phase arrays
# ---------------------------------------------------------------------------

class _Plan:
    """Where every kernel tap reads a zero-padded input, in flattened phase arrays.

    For stride ``s`` and dilation ``d`` along one dimension, tap ``t`` of output ``o``
    reads padded position ``o*s + t*d = (o + q)*s + r`` with ``r = t*d mod s`` and
    ``q = t*d // s``: element ``o + q`` of the phase array ``xp[r::s]``. Every phase
    array has the same shape ``P = ceil(padded/s)`` (zero-filled at the end) and is
    flattened row-major (strides ``pitch``, ``size`` elements per image). Then the
    window of tap ``t`` is the flat array shifted by ``offset_t = sum_i q_i*pitch_i``,
    and output ``o`` sits at flat index ``sum_i o_i*pitch_i < L`` (the other indices
    below ``L`` are computed and thrown away: a few columns per output row). For
    ``l < L`` every read ``l + offset_t`` stays inside the image's own ``size`` block.

    Buffers are channel-major, ``(C, N*size + tail)``: the images one after another, so
    that one matrix product covers the whole batch. The taps along the last dimension
    (``k_last`` of them) are stacked as rows (``stack[c, j, p] = buffer_j[c, p + q_j]``),
    so a layer is one product with ``C/groups * k_last`` columns of filters per kernel row.
    """

    def __init__(self, padded_shape, kernel, stride, dilation, out_shape):
        D = len(kernel)
        self.stride = stride
        self.out_shape = out_shape
        self.phase_shape = tuple(-(-padded_shape[i] // stride[i]) for i in range(D))
        pitch = [1] * D
        for i in range(D - 2, -1, -1):
            pitch[i] = pitch[i + 1] * self.phase_shape[i + 1]
        self.pitch = tuple(pitch)
        self.size = math.prod(self.phase_shape)
        self.length = sum((out_shape[i] - 1) * pitch[i] for i in range(D)) + 1
        self.k_last = kernel[-1]
        # last-dimension taps j: (phase component, shift)
        self.last = [((j * dilation[-1]) % stride[-1], (j * dilation[-1]) // stride[-1])
                     for j in range(kernel[-1])]
        # leading taps u, row-major over kernel[:-1]: (leading phase, offset)
        self.lead = []
        for u in itertools.product(*[range(k) for k in kernel[:-1]]):
            phase = tuple((u[i] * dilation[i]) % stride[i] for i in range(D - 1))
            offset = sum(((u[i] * dilation[i]) // stride[i]) * pitch[i] for i in range(D - 1))
            self.lead.append((phase, offset))
        self.lead_phases = sorted({p for p, _ in self.lead})
        # every tap, row-major over the whole kernel: (phase, offset)
        self.taps = [(lp + (r,), off + q) for lp, off in self.lead for r, q in self.last]
        self.phases = sorted({p for p, _ in self.taps})
        self.max_lead = max(off for _, off in self.lead)
        self.max_tap = max(off for _, off in self.taps)

    def _fill_phase(self, grid, xt, pads, phase):
        """Write phase ``phase`` of ``xt (C, N, *spatial)``, zero-padded by ``pads``, into ``grid``."""
        spatial = xt.shape[2:]
        dst, src = [slice(None), slice(None)], [slice(None), slice(None)]
        for i in range(len(spatial)):
            lo, s, r, n = pads[i][0], self.stride[i], phase[i], spatial[i]
            # padded positions r + j*s that hold x, i.e. lo <= r + j*s < lo + n
            j0 = max(0, -(-(lo - r) // s))
            j1 = max(j0, -(-(lo + n - r) // s))  # exclusive
            dst.append(slice(j0, j1))
            src.append(slice(r + j0 * s - lo, r + (j1 - 1) * s - lo + 1, s) if j1 > j0 else slice(0, 0))
        _fill_border(grid, dst)
        grid[tuple(dst)] = xt[tuple(src)]

    def buffers(self, x, pads, dtype, tail):
        """Flattened phase arrays ``{phase: (C, N*size + tail)}`` of ``x`` zero-padded by ``pads``."""
        N, C = x.shape[:2]
        xt = x.swapaxes(0, 1)  # (C, N, *spatial), a view
        buffers = {}
        for index, phase in enumerate(self.phases):
            buf = _scratch(f"buffer{index}", (C, N * self.size + tail), dtype)
            buf[:, N * self.size:] = 0
            self._fill_phase(buf[:, :N * self.size].reshape((C, N) + self.phase_shape), xt, pads, phase)
            buffers[phase] = buf
        return buffers

    def stacks(self, x, pads, dtype, tail):
        """``{leading phase: (C, k_last, N*size + tail)}``: the last-dimension taps as rows.

        ``stack[c, j, p] = buffer_j[c, p + q_j]`` (``buffer_j`` the phase array of
        last-dimension tap ``j``), written straight from ``x``: row ``j`` holds the phase
        grid from position ``qmax - q_j`` of a row of length ``qmax + width``, and the
        stack is the view that starts at ``qmax``.
        """
        N, C = x.shape[:2]
        xt = x.swapaxes(0, 1)
        width = N * self.size + tail
        qmax = max(q for _, q in self.last)
        stacks = {}
        for index, lp in enumerate(self.lead_phases):
            raw = _scratch(f"stack{index}", (C, self.k_last, qmax + width), dtype)
            for j, (r, q) in enumerate(self.last):
                start = qmax - q
                grid = raw[:, j, start:start + N * self.size].reshape((C, N) + self.phase_shape)
                self._fill_phase(grid, xt, pads, lp + (r,))
                raw[:, j, start + N * self.size:] = 0
            stacks[lp] = raw[:, :, qmax:]
        return stacks

    def scatter(self, ext):
        """View the result ``(F, N, L or more)`` at the real outputs, as ``(N, F, *out_shape)``."""
        item = ext.itemsize
        return as_strided(ext, shape=(ext.shape[1], ext.shape[0]) + self.out_shape,
                          strides=(ext.strides[1], ext.strides[0]) + tuple(p * item for p in self.pitch))

    def extend(self, y):
        """The inverse of :meth:`scatter`: ``y (N, F, *out_shape)`` into zeros ``(F, N, size)``."""
        ext = _scratch("grad_ext", (y.shape[1], y.shape[0], self.size), y.dtype)
        ext.fill(0)
        self.scatter(ext)[...] = y
        return ext


def _fill_border(grid, inner):
    """Zero ``grid`` outside the box ``inner`` (a tuple of slices), one slab per dimension."""
    _fill_border_value(grid, inner, 0)


def _fill_border_value(grid, inner, value):
    """Set ``grid`` to ``value`` outside the box ``inner`` (a tuple of slices)."""
    lead = [slice(None)] * grid.ndim
    for axis in range(2, grid.ndim):
        sl = inner[axis]
        before = lead.copy()
        before[axis] = slice(0, sl.start)
        grid[tuple(before)] = value
        after = lead.copy()
        after[axis] = slice(sl.stop, None)
        grid[tuple(after)] = value
        lead[axis] = sl


def _strategy(Cg, Fg, kernel, stride, padded, out_shape):
    """'depthwise', 'im2col' or 'taps' for a layer of ``groups`` blocks of ``Cg`` input and
    ``Fg`` output channels (see :func:`conv_strategy`)."""
    if Cg == 1:
        return "depthwise"
    k_last = kernel[-1]
    if Cg * k_last < _IM2COL_MIN_ROWS or (any(s > 1 for s in stride) and _IM2COL_STRIDED):
        return "im2col"
    # stride 1: per image and group, the element copies each method does beyond the other's
    T, P, size = math.prod(kernel), math.prod(out_shape), math.prod(padded)
    gathers = (T - k_last) * Cg * P  # im2col copies every tap, 'taps' k_last of them
    # 'taps': the kernel rows' additions, the copy out of the unused positions' layout, and
    # its products at the unused positions (a multiply-add costs _MAC_COPIES of a copy)
    passes = (T // k_last) * Fg * size + Fg * P + _MAC_COPIES * Fg * Cg * T * (size - P)
    return "im2col" if gathers < passes * _IM2COL_BY_COST else "taps"


def conv_strategy(x_shape: Sequence[int], w_shape: Sequence[int], groups: SupportsIndex = 1,
                  stride: IntOrInts = 1, padding: Padding = 0, dilation: IntOrInts = 1) -> Strategy:
    """Name the way :func:`conv_layer` computes a layer: 'taps', 'im2col' or 'depthwise'.

    * ``'depthwise'`` when each group has one input channel: per tap, an elementwise
      multiply-add of the shifted input, in cache-sized blocks;
    * ``'im2col'``: the window of every tap at every output is gathered (one strided copy
      of the input per tap) into a ``(C/groups * taps, outputs)`` matrix per image, which
      is multiplied once by the filters, straight into the result;
    * ``'taps'``: the ``k_last`` shifted copies of the input along the last dimension are
      stacked and multiplied once by all kernel rows at the same time (a
      ``(rows * F, C/groups * k_last)`` filter matrix); the rows' partial results are
      then added with their shifts. This copies the input ``k_last`` times instead of
      once per tap, but adds the rows, computes a few unused positions (the ends of rows
      and the last rows: the padded input's layout) and copies the result out of that
      layout.

    'im2col' is taken when ``C/groups * k_last < 32`` or a stride is above 1, and
    otherwise when its extra copies are fewer than the extra passes of 'taps' (a cost
    model counting element copies, in which a multiply-add costs 1/80 of a copy, set
    from timings of both methods on ten layers): 1x1 and 2x2 kernels, kernels of one
    row, and 3x3 kernels on small images (28x28 and below with 64 to 512 channels, where
    the unused positions are 15 to 65% of the products). 3x3 and 5x5 kernels on larger
    images take 'taps'.

    >>> conv_strategy((8, 64, 56, 56), (64, 64, 3, 3), padding=1)
    'taps'
    >>> conv_strategy((8, 64, 56, 56), (64, 64, 3, 3), stride=2, padding=1)
    'im2col'
    >>> conv_strategy((8, 64, 56, 56), (256, 64, 1, 1))
    'im2col'
    >>> conv_strategy((8, 256, 14, 14), (256, 256, 3, 3), padding=1)
    'im2col'
    >>> conv_strategy((10, 3, 32, 32), (8, 3, 5, 5), padding=2)
    'im2col'
    >>> conv_strategy((8, 64, 56, 56), (64, 1, 3, 3), groups=64, padding=1)
    'depthwise'
    """
    D = len(w_shape) - 2
    kernel = tuple(int(k) for k in w_shape[2:])
    groups = int_tuple(groups, 1, "groups", minimum=1)[0]
    strides = int_tuple(stride, D, "stride", minimum=1)
    dilations = int_tuple(dilation, D, "dilation", minimum=1)
    pads = padding_pairs(padding, kernel, strides, dilations)
    out_shape = tuple(conv_output_size(int(x_shape[2 + i]), kernel[i], strides[i], pads[i], dilations[i])
                      for i in range(D))
    padded = tuple(int(x_shape[2 + i]) + lo + hi for i, (lo, hi) in enumerate(pads))
    return _strategy(int(w_shape[1]), int(w_shape[0]) // groups, kernel, strides, padded, out_shape)


def _batch_chunks(N, bytes_per_item, chunk_bytes=None):
    step = max(1, (_CHUNK_BYTES if chunk_bytes is None else chunk_bytes) // max(1, bytes_per_item))
    return [(i, min(N, i + step)) for i in range(0, N, step)]


def _filter_product(wmat, cols, n, size):
    """``wmat (G, R, K) @ cols (G, K, n*size)`` as ``(G, R, n, size)`` (a scratch array or a view of one).

    With many filter rows one product covers the whole batch; with few rows (a thin
    matrix, on which OpenBLAS threads poorly) one product per image is faster.
    """
    G, R, K = wmat.shape
    if R >= _BATCHED_GEMM_MAX_ROWS or n == 1:
        out = _scratch("product", (G, R, n * size), wmat.dtype)
        return np.matmul(wmat, cols, out=out).reshape(G, R, n, size)
    per_image = cols.reshape(G, K, n, size).transpose(2, 0, 1, 3)  # (n, G, K, size), a view
    out = _scratch("product", (n, G, R, size), wmat.dtype)
    return np.matmul(wmat, per_image, out=out).transpose(1, 2, 0, 3)


def _im2col_windows(x_shape, kernel, stride, dilation, pads, out_shape):
    """Per tap (row-major over the kernel): ``(dst, src)``, the box of outputs whose window
    reads ``x`` (the others read padding) and the strided slices of ``x`` they read; and
    per dimension the zero slabs ``(dimension, tap value, outputs)`` outside the boxes."""
    D = len(kernel)
    boxes = []  # per dimension and tap value: (o0, o1, src slice)
    for i in range(D):
        s, d, lo, n, out = stride[i], dilation[i], pads[i][0], x_shape[2 + i], out_shape[i]
        per_tap = []
        for t in range(kernel[i]):
            start = t * d - lo  # the input index output 0 reads
            o0 = min(out, max(0, -(start // s)))  # first output with start + o*s >= 0
            o1 = max(o0, min(out, (n - 1 - start) // s + 1 if n - 1 >= start else 0))
            src = slice(start + o0 * s, start + (o1 - 1) * s + 1, s) if o1 > o0 else slice(0, 0)
            per_tap.append((o0, o1, src))
        boxes.append(per_tap)
    taps = []
    for t in itertools.product(*[range(k) for k in kernel]):
        dst = tuple(slice(boxes[i][t[i]][0], boxes[i][t[i]][1]) for i in range(D))
        src = tuple(boxes[i][t[i]][2] for i in range(D))
        taps.append((dst, src))
    slabs = []
    for i in range(D):
        for t, (o0, o1, _) in enumerate(boxes[i]):
            if o0 > 0:
                slabs.append((i, t, slice(0, o0)))
            if o1 < out_shape[i]:
                slabs.append((i, t, slice(o1, out_shape[i])))
    return taps, slabs


def _im2col_chunks(x, kernel, stride, dilation, pads, out_shape, dtype, ones=False):
    """Yield ``(a, b, full)`` per batch chunk of images ``a:b``: ``full (C*T [+ 1], b - a, P)``,
    scratch memory, holds ``cols[c, t, m, o] = xp[a + m, c, o*s + t*d]`` (``P`` the output
    positions, ``T`` the taps, row-major over the kernel) and, with ``ones``, a last row of ones.

    One strided copy gathers each tap's windows. The copies read a zero-padded copy of
    the chunk when that copy is small next to ``cols`` (many taps, or stride 1): then one
    copy of a strided view gathers every tap at once. Otherwise they read ``x`` itself
    and the outputs whose window reads padding are zeroed, one slab per dimension and
    tap value (a padded copy would be a whole extra pass over the input of a strided
    layer, each of whose taps reads only ``1/stride`` of it).
    """
    N, C = x.shape[:2]
    D = len(out_shape)
    T, P = math.prod(kernel), math.prod(out_shape)
    padded = tuple(n + lo + hi for n, (lo, hi) in zip(x.shape[2:], pads))
    lead = (slice(None), slice(None))
    if any(lo or hi for lo, hi in pads) and _IM2COL_PADDED_COPY * math.prod(padded) < T * P:
        inner = lead + tuple(slice(lo, lo + n) for n, (lo, _) in zip(x.shape[2:], pads))
        taps, slabs = [], []
    else:
        inner = None
        taps, slabs = _im2col_windows(x.shape, kernel, stride, dilation, pads, out_shape)
        taps = [(j, lead + dst, lead + src) for j, (dst, src) in enumerate(taps)
                if all(sl.stop > sl.start for sl in dst)]  # the empty ones are all slabs
    item = np.dtype(dtype).itemsize
    for a, b in _batch_chunks(N, C * T * P * item, _IM2COL_CHUNK_BYTES):
        n = b - a
        full = _scratch("cols", (C * T + ones, n, P), dtype)
        if ones:
            full[-1] = 1
        cols = full[:C * T].reshape((C, T, n) + tuple(out_shape))
        src = x[a:b].swapaxes(0, 1)  # (C, n, *spatial), a view
        grid = cols.reshape((C,) + tuple(kernel) + (n,) + tuple(out_shape))
        if inner is not None:
            xp = _scratch("im2col_padded", (C, n) + padded, dtype)
            _fill_border(xp, inner)
            xp[inner] = src
            # every tap's windows at once: grid[c, t, m, o] = xp[c, m, o*s + t*d], a strided view
            st = xp.strides
            np.copyto(grid, as_strided(xp, shape=grid.shape, strides=(st[0],) + tuple(
                d * st[2 + i] for i, d in enumerate(dilation)) + (st[1],) + tuple(
                s * st[2 + i] for i, s in enumerate(stride)), writeable=False))
        for i, t, sl in slabs:  # outputs whose window reads padding, every tap of value t at once
            index = [slice(None)] * grid.ndim
            index[1 + i] = t
            index[2 + D + i] = sl
            grid[tuple(index)] = 0
        for t, dst, sl in taps:
            cols[:, t][dst] = src[sl]
        yield a, b, full


def _im2col_forward(x, w, stride, dilation, pads, out_shape, groups, dtype, bias, out):
    """Zero-padded cross-correlation (plus bias) by gathered windows, into ``out (N, F, *out_shape)``.

    Per batch chunk, the windows of every tap (:func:`_im2col_chunks`) and one product per
    image, ``w (Fg, Cg*T) @ cols[group, :, m] (Cg*T, outputs)``, written into ``out``: no
    unused positions are computed and nothing is added or scattered afterwards (with one
    group, the bias is one more column of ``w`` against a row of ones). An image's result
    does not depend on its chunk.
    """
    F, Cg = w.shape[:2]
    G, Fg, kernel, D = groups, F // groups, w.shape[2:], len(out_shape)
    T, P = math.prod(kernel), math.prod(out_shape)
    wflat = np.ascontiguousarray(w.reshape(G, Fg, Cg * T), dtype=dtype)
    row = bias is not None and G == 1 and _IM2COL_BIAS_ROW  # the bias as one more column of w
    if row:
        wflat = np.concatenate([wflat, bias.astype(dtype, copy=False).reshape(1, F, 1)], axis=2)
        bias = None
    contiguous = out.flags.c_contiguous
    bb = None if bias is None else bias.astype(dtype, copy=False).reshape((1, F) + (1,) * D)
    for a, b, full in _im2col_chunks(x, kernel, stride, dilation, pads, out_shape, dtype, row):
        n = b - a
        target = out[a:b] if contiguous else _scratch("im2col_out", (n, F) + tuple(out_shape), dtype)
        rhs = full.reshape(G, Cg * T + row, n, P).transpose(2, 0, 1, 3)  # (n, G, Cg*T [+ 1], P), a view
        np.matmul(wflat, rhs, out=target.reshape(n, G, Fg, P))
        if bb is not None:
            target += bb  # while the chunk is fresh in cache
        if not contiguous:
            out[a:b] = target
    return out


def _im2col_weight_grad(x, g, w_shape, stride, dilation, pads, out_shape, groups, dtype):
    """``dw[f, c, t] = sum_{n, o} g[n, f, o] * xp[n, g*Cg + c, o*s + t*d]`` from gathered windows.

    Per batch chunk (:func:`_im2col_chunks`), one product per image and group,
    ``cols[group, :, m] (Cg*T, P) @ g[m, group].T (P, Fg)``, summed over the chunk's images
    and added to the result in chunk order. (Per image, with ``g`` read in place: one
    product over the chunk, ``(Fg, n*P) @ (n*P, Cg*T)``, needs ``g`` copied to the images'
    side-by-side layout and took 0.32 against 0.08 ms on the textbook layer's six images.)
    """
    F, Cg = w_shape[:2]
    G, Fg, kernel = groups, F // groups, w_shape[2:]
    T, P = math.prod(kernel), math.prod(out_shape)
    grad_wt = np.zeros((G, Cg * T, Fg), dtype=dtype)
    for a, b, full in _im2col_chunks(x, kernel, stride, dilation, pads, out_shape, dtype):
        n = b - a
        cols = full.reshape(G, Cg * T, n, P).transpose(2, 0, 1, 3)  # (n, G, Cg*T, P), a view
        grad_wt += np.matmul(cols, g[a:b].reshape(n, G, Fg, P).swapaxes(-1, -2)).sum(axis=0)
    return np.ascontiguousarray(grad_wt.swapaxes(1, 2)).reshape(w_shape)


def _correlate_ext(x, pads, plan, w, groups, dtype, bias=None):
    """Forward result ``(F, N, size)`` of a zero-padded cross-correlation layer ('taps' or
    'depthwise'; 'im2col' is :func:`_im2col_forward`).

    Entry ``[f, n, sum_i o_i*pitch_i]`` is output ``o`` of filter ``f`` on image ``n``
    (read it with :meth:`_Plan.scatter`). Returns ``(ext, with_bias)``: the depthwise
    path adds ``bias`` (if given) while a block is still in cache, the others leave it
    to the caller.
    """
    N, C = x.shape[:2]
    F, Cg = w.shape[:2]
    G, Fg, kl, U, size, L = groups, F // groups, plan.k_last, len(plan.lead), plan.size, plan.length
    T = U * kl
    item = np.dtype(dtype).itemsize
    ext = _scratch("ext", (F, N, size), dtype)
    nphase = len(plan.phases)
    if Cg == 1:  # depthwise
        wt = w.reshape(G, Fg, T).astype(dtype, copy=False)
        chunks = _batch_chunks(N, C * size * item * nphase)
        for a, b in chunks:
            buffers = plan.buffers(x[a:b], pads, dtype, tail=plan.max_tap)
            if len(chunks) == 1:  # ext itself, contiguous
                _depthwise(buffers, plan, wt, ext.reshape(G, Fg, N * size), bias)
            else:
                out = _scratch("depthwise", (G, Fg, (b - a) * size), dtype)
                _depthwise(buffers, plan, wt, out, bias)
                ext[:, a:b] = out.reshape(F, b - a, size)
        return ext, bias is not None
    # taps: Z[g, u, f, p] = sum_{c, j} w[g*Fg + f, c, u, j] * stack[g*Cg + c, j, p]
    wall = np.ascontiguousarray(
        w.reshape(G, Fg, Cg, U, kl).transpose(0, 3, 1, 2, 4), dtype=dtype).reshape(G, U * Fg, Cg * kl)
    per_item = size * item * (C * kl + U * F)
    for a, b in _batch_chunks(N, per_item):
        n = b - a
        M = n * size
        stacks = plan.stacks(x[a:b], pads, dtype, tail=0)
        out = ext[:, a:b].reshape(G, Fg, n, size)
        groups_of_rows = {}
        for u, (lp, off) in enumerate(plan.lead):
            groups_of_rows.setdefault(lp, []).append((u, off))
        first = True
        for lp, rows in groups_of_rows.items():
            us = [u for u, _ in rows]
            wsel = wall.reshape(G, U, Fg, Cg * kl)[:, us].reshape(G, len(us) * Fg, Cg * kl)
            Z = _filter_product(wsel, stacks[lp][:, :, :M].reshape(G, Cg * kl, M), n, size)
            Z = Z.reshape(G, len(us), Fg, n, size)
            for i, (u, off) in enumerate(rows):
                part = Z[:, i, :, :, off:off + L]
                if first:
                    out[..., :L] = part
                    first = False
                else:
                    out[..., :L] += part
    return ext, False


def _depthwise(buffers, plan, wt, out, bias=None):
    """``out[g, f, p] = bias[g*Fg + f] + sum_t wt[g, f, t] * buffer_t[g, p + offset_t]``, in blocks.

    Each block of ``_DEPTHWISE_BLOCK`` elements gets one multiply and one add per tap
    (and the bias) while it stays in cache.
    """
    G, Fg, M = out.shape
    if bias is not None:
        bias = bias.astype(out.dtype, copy=False).reshape(G, Fg, 1)
    cols = max(1, min(M, _DEPTHWISE_BLOCK // max(1, Fg)))
    rows = max(1, _DEPTHWISE_BLOCK // (cols * Fg))
    tmp = _scratch("depthwise_tmp", (min(rows, G), Fg, cols), out.dtype)
    for g0 in range(0, G, rows):
        g1 = min(G, g0 + rows)
        for m0 in range(0, M, cols):
            m1 = min(M, m0 + cols)
            o = out[g0:g1, :, m0:m1]
            t_ = tmp[:g1 - g0, :, :m1 - m0]
            for t, (phase, off) in enumerate(plan.taps):
                window = buffers[phase][g0:g1, None, m0 + off:m1 + off]
                np.multiply(wt[g0:g1, :, t, None], window, out=o if t == 0 else t_)
                if t:
                    o += t_
            if bias is not None:
                o += bias[g0:g1]


def _weight_grad(x, pads, plan, grad_ext, w_shape, groups, dtype):
    """``dw[f, c, t] = sum_{n, o} grad[n, f, o] * xp[n, g*Cg + c, o*s + t*d]``, per kernel row.

    ``grad_ext`` is the output gradient laid out by :meth:`_Plan.extend`, ``(F, N, size)``,
    zero at the thrown-away positions; one matrix product per kernel row covers the batch.
    """
    N, C = x.shape[:2]
    F, Cg = w_shape[:2]
    G, Fg, kl, U, size = groups, F // groups, plan.k_last, len(plan.lead), plan.size
    item = np.dtype(dtype).itemsize
    nphase = len(plan.phases)
    if Cg == 1:  # depthwise: one batched dot product per tap, no stacked copies
        grad_w = np.zeros((G, Fg, U * kl), dtype=dtype)
        for a, b in _batch_chunks(N, C * size * item * nphase):
            M = (b - a) * size
            g = np.ascontiguousarray(grad_ext[:, a:b]).reshape(G, Fg, M)
            buffers = plan.buffers(x[a:b], pads, dtype, tail=plan.max_tap)
            # blocks of channels: their gradient rows and input rows stay in cache for all
            # taps (each channel's dot products are the same BLAS calls whatever the block)
            rows = max(1, _DEPTHWISE_BLOCK // ((Fg + 1) * M))
            for g0 in range(0, G, rows):
                g1 = min(G, g0 + rows)
                for t, (phase, off) in enumerate(plan.taps):
                    window = buffers[phase][g0:g1, off:off + M].reshape(g1 - g0, M, 1)
                    grad_w[g0:g1, :, t] += np.matmul(g[g0:g1], window)[..., 0]
        return grad_w.reshape(w_shape)
    grad_w = np.zeros((G, Fg, Cg, U, kl), dtype=dtype)
    for a, b in _batch_chunks(N, size * item * (C * kl + F)):
        M = (b - a) * size
        g = np.ascontiguousarray(grad_ext[:, a:b]).reshape(G, Fg, M)
        stacks = plan.stacks(x[a:b], pads, dtype, tail=plan.max_lead)
        for u, (lp, off) in enumerate(plan.lead):
            window = stacks[lp][:, :, off:off + M].reshape(G, Cg * kl, M)
            grad_w[:, :, :, u] += np.matmul(g, window.swapaxes(-1, -2)).reshape(G, Fg, Cg, kl)
    return grad_w.reshape(w_shape)


# ---------------------------------------------------------------------------
# layer parameters
# ---------------------------------------------------------------------------

def _conv_setup(x, w, stride, padding, dilation, groups, op):
    """Validate a convolution; return (stride, dilation, pads, out_shape, groups)."""
    _check_input(x, op)
    _check_weight(x, w, op)
    D = x.ndim - 2
    C, F, Cg = x.shape[1], w.shape[0], w.shape[1]
    groups = _check_groups(groups, C, F, op)
    if Cg * groups != C:
        raise ShapeError(f"{op}: w.shape[1] * groups must equal the input channels, but got "
                         f"{Cg} * {groups} = {Cg * groups} != {C} (x.shape={x.shape}, w.shape={w.shape})")
    kernel = w.shape[2:]
    stride = int_tuple(stride, D, "stride", minimum=1)
    dilation = int_tuple(dilation, D, "dilation", minimum=1)
    pads = padding_pairs(padding, kernel, stride, dilation)
    out_shape = tuple(conv_output_size(x.shape[2 + i], kernel[i], stride[i], pads[i], dilation[i])
                      for i in range(D))
    return stride, dilation, pads, out_shape, groups


def _pad_nonzero(x, pads, padding_mode, op):
    """Explicitly pad ``x`` for the reflect / replicate / circular modes (PyTorch's limits)."""
    for i, (lo, hi) in enumerate(pads):
        n = x.shape[2 + i]
        if padding_mode == "reflect" and max(lo, hi) >= n:
            raise ShapeError(f"{op}: reflect padding must be < the input size in each dimension, "
                             f"but got padding ({lo}, {hi}) for size {n} in spatial dimension {i}")
        if padding_mode == "circular" and max(lo, hi) > n:
            raise ShapeError(f"{op}: circular padding must be <= the input size in each dimension, "
                             f"but got padding ({lo}, {hi}) for size {n} in spatial dimension {i}")
    return np.pad(x, ((0, 0), (0, 0)) + tuple(pads), mode=_NP_PAD_MODE[padding_mode])


def _correlate_view(x, w, stride, dilation, pads, out_shape, groups, dtype, strategy=None):
    """Zero-padded cross-correlation (no bias), one thread, as a view ``(N, F, *out_shape)`` of
    scratch memory (valid until the next call; copy it out); ``strategy`` overrides the
    usual choice."""
    padded = tuple(n + lo + hi for n, (lo, hi) in zip(x.shape[2:], pads))
    if strategy is None:
        strategy = _strategy(w.shape[1], w.shape[0] // groups, w.shape[2:], stride, padded, out_shape)
    if strategy == "im2col":
        dense = _scratch("correlation", (x.shape[0], w.shape[0]) + tuple(out_shape), dtype)
        return _im2col_forward(x, w, stride, dilation, pads, out_shape, groups, dtype, None, dense)
    plan = _Plan(padded, w.shape[2:], stride, dilation, out_shape)
    ext, _ = _correlate_ext(x, pads, plan, w, groups, dtype)
    return plan.scatter(ext)


def _conv_forward(x, w, stride, dilation, pads, out_shape, groups, dtype, bias=None, threads=1, out=None):
    """Zero-padded cross-correlation (plus bias) into ``out`` (a new contiguous array if None).

    With ``threads > 1`` the batch is split into that many blocks of images, one per
    thread, each computed as a layer of its own with BLAS at one thread (the
    elementwise passes -- stacking, adding the kernel rows, the depthwise
    multiply-adds -- run on one core in NumPy, so splitting the batch is what uses
    every core). An image's result does not depend on its block, so the bits are
    those of one thread.
    """
    N = x.shape[0]
    if out is None:
        out = np.empty((N, w.shape[0]) + tuple(out_shape), dtype=dtype)
    threads = _split_count(threads, N, N * math.prod(w.shape) * math.prod(out_shape),
                           elementwise=w.shape[1] == 1)
    if threads > 1:
        def block(a, b):
            _conv_forward(x[a:b], w, stride, dilation, pads, out_shape, groups, dtype, bias, out=out[a:b])
        run_split(block, N, threads)
        return out
    padded = tuple(n + lo + hi for n, (lo, hi) in zip(x.shape[2:], pads))
    if _strategy(w.shape[1], w.shape[0] // groups, w.shape[2:], stride, padded, out_shape) == "im2col":
        return _im2col_forward(x, w, stride, dilation, pads, out_shape, groups, dtype, bias, out)
    plan = _Plan(padded, w.shape[2:], stride, dilation, out_shape)
    ext, with_bias = _correlate_ext(x, pads, plan, w, groups, dtype, bias)
    view = plan.scatter(ext)  # of scratch memory: always copied out
    if bias is None or with_bias:
        np.copyto(out, view)
    else:
        np.add(view, _broadcast_bias(bias.astype(dtype, copy=False), len(out_shape)), out=out)
    return out


# ---------------------------------------------------------------------------
# public layer operations
# ---------------------------------------------------------------------------

@_in_context
def conv_layer(x: ArrayLike, w: ArrayLike, bias: ArrayLike | None = None, stride: IntOrInts = 1,
               padding: Padding = 0, dilation: IntOrInts = 1, groups: SupportsIndex = 1,
               padding_mode: PaddingMode = "zeros", *, threads: int | None = None) -> np.ndarray:
    """Convolution layer (a cross-correlation, as in PyTorch's ``conv1d/2d/3d``).

    Parameters
    ----------
    x : array_like, shape (N, C, *spatial)
        Input with 1, 2 or 3 spatial dimensions.
    w : array_like, shape (F, C/groups, *kernel)
        Filters.
    bias : array_like, shape (F,), optional
    stride, dilation : int or sequence of ints, default 1
        Each >= 1.
    padding : int, sequence, (lo, hi) pairs, 'same' or 'valid', default 0
        An int pads both sides of every dimension; a sequence gives one int or one
        ``(lo, hi)`` pair per dimension. ``'same'`` (stride 1 only) pads ``d*(k - 1)``
        in total, the odd element on the high side, as PyTorch does.
    groups : int, default 1
        Input and output channels split into ``groups`` independent blocks
        (``groups == C`` with ``C/groups == 1`` is a depthwise convolution).
    padding_mode : {'zeros', 'reflect', 'replicate', 'circular'}, default 'zeros'
    threads : int, optional
        Threads the call may use; default from ``symconv.numeric.set_threads`` or the
        environment (``SYMCONV_NUM_THREADS``, ``OMP_NUM_THREADS``, ...), else the
        available CPUs. A batch with enough work (about 4 million multiply-adds per
        thread, half a million for a depthwise layer) is split into blocks of images,
        one per thread, with BLAS held to one thread inside each; otherwise BLAS gets
        at most ``threads`` threads (it never gets more than it was configured with). Results are bit-for-bit the same for a
        given count; the forward pass gives the same bits for every count.

    Returns
    -------
    numpy.ndarray, shape (N, F, *out)
        ``y[n, f, o] = bias[f] + sum_{c, t} xp[n, g*C/G + c, o*s + t*d] * w[f, c, t]``,
        ``out = floor((n + p_lo + p_hi - d*(k - 1) - 1)/s) + 1`` per dimension.

    Raises
    ------
    ShapeError
        Wrong ranks, a channel count that does not match ``w`` and ``groups``, groups
        not dividing the channels, an empty output, padding too large for the mode.
    SymconvError
        A non-positive stride or dilation, a negative padding, an unknown mode.

    Examples
    --------
    >>> x = np.array([[[1.0, 2.0, 3.0, 4.0]]])
    >>> conv_layer(x, np.array([[[1.0, 0.0, -1.0]]]), padding=1)
    array([[[-2., -2., -2.,  3.]]])
    >>> conv_layer(x, np.array([[[1.0, 1.0]]]), padding='same', padding_mode='reflect')
    array([[[3., 5., 7., 7.]]])
    >>> conv_layer(x, np.ones((1, 1, 2)), stride=2, dilation=2, bias=[10.0])
    array([[[14.]]])
    >>> conv_layer(x, np.ones((1, 2, 2)))
    Traceback (most recent call last):
    ...
    symconv.errors.ShapeError: conv_layer: w.shape[1] * groups must equal the input channels, but got 2 * 1 = 2 != 1 (x.shape=(1, 1, 4), w.shape=(1, 2, 2))
    """
    op = "conv_layer"
    x = _real_array(x, "x", op)
    w = _real_array(w, "w", op)
    padding_mode = check_choice(padding_mode, PADDING_MODES, "padding_mode")
    stride, dilation, pads, out_shape, groups = _conv_setup(x, w, stride, padding, dilation, groups, op)
    b = _check_bias(bias, w.shape[0], op)
    threads = get_threads(threads)
    dtype = _dtype(x, w)
    if padding_mode != "zeros" and any(lo or hi for lo, hi in pads):
        x = _pad_nonzero(x, pads, padding_mode, op)
        pads = ((0, 0),) * len(pads)
    with blas_limit(threads):
        return _conv_forward(x, w, stride, dilation, pads, out_shape, groups, dtype, bias=b,
                             threads=threads)


def _transpose_padding(padding, D, op):
    if isinstance(padding, str):
        if padding.lower() == "valid":
            return ((0, 0),) * D
        raise SymconvError(f"{op}: padding must be an int, a sequence or 'valid', but got {padding!r}")
    return padding_pairs(padding, (1,) * D, (1,) * D, (1,) * D)


@_in_context
def conv_transpose_layer(x: ArrayLike, w: ArrayLike, bias: ArrayLike | None = None,
                         stride: IntOrInts = 1, padding: Padding = 0, output_padding: IntOrInts = 0,
                         dilation: IntOrInts = 1, groups: SupportsIndex = 1, *,
                         threads: int | None = None) -> np.ndarray:
    """Transposed convolution layer (PyTorch's ``conv_transpose1d/2d/3d``).

    Every input element is spread through the kernel: ``x[n, c, i] * w[c, f, t]`` is
    added to output position ``i*s + t*d - p_lo`` of channel ``g*F/G + f`` (``g`` the
    group of ``c``); positions outside the output are dropped. It is the adjoint of
    :func:`conv_layer` with the same arguments.

    Parameters
    ----------
    x : array_like, shape (N, C, *spatial)
    w : array_like, shape (C, F/groups, *kernel)
        Note the order: input channels first, as in PyTorch.
    bias : array_like, shape (F,), optional
    stride, dilation : int or sequence of ints, default 1
    padding : int, sequence of ints or of (lo, hi) pairs, or 'valid', default 0
        Removed from each end of the full transposed output.
    output_padding : int or sequence of ints, default 0
        Extra length on the high end; must be < max(stride, dilation).
    groups : int, default 1
    threads : int, optional
        Threads for the call (the batch is split into blocks of images); the default
        and the determinism are those of :func:`conv_layer`.

    Returns
    -------
    numpy.ndarray, shape (N, F, *out)
        ``out = (n - 1)*s - p_lo - p_hi + d*(k - 1) + output_padding + 1``.

    Examples
    --------
    >>> x = np.array([[[1.0, 2.0]]])
    >>> conv_transpose_layer(x, np.array([[[1.0, 10.0, 100.0]]]), stride=2)
    array([[[  1.,  10., 102.,  20., 200.]]])
    >>> conv_transpose_layer(x, np.array([[[1.0, 1.0, 1.0]]]), stride=2, padding=1, output_padding=1)
    array([[[1., 3., 2., 2.]]])
    """
    op = "conv_transpose_layer"
    x = _real_array(x, "x", op)
    w = _real_array(w, "w", op)
    _check_input(x, op)
    _check_weight(x, w, op)
    D = x.ndim - 2
    C = x.shape[1]
    if w.shape[0] != C:
        raise ShapeError(f"{op}: w.shape[0] must equal the input channels, but got {w.shape[0]} != {C} "
                         f"(x.shape={x.shape}, w.shape={w.shape})")
    groups = int_tuple(groups, 1, "groups", minimum=1)[0]
    if C % groups:
        raise ShapeError(f"{op}: groups must divide the input channels, but {groups} does not divide {C}")
    F = w.shape[1] * groups
    kernel = w.shape[2:]
    stride = int_tuple(stride, D, "stride", minimum=1)
    dilation = int_tuple(dilation, D, "dilation", minimum=1)
    output_padding = int_tuple(output_padding, D, "output_padding", minimum=0)
    pads = _transpose_padding(padding, D, op)
    out_shape = tuple(conv_transpose_output_size(x.shape[2 + i], kernel[i], stride[i], pads[i],
                                                 output_padding[i], dilation[i]) for i in range(D))
    b = _check_bias(bias, F, op)
    threads = get_threads(threads)
    dtype = _dtype(x, w)
    y = np.empty((x.shape[0], F) + tuple(out_shape), dtype=dtype)
    bb = None if b is None else _broadcast_bias(b.astype(dtype, copy=False), D)

    def block(a, b_):
        _transpose_forward(x[a:b_], w, stride, dilation, pads, out_shape, groups, dtype, out=y[a:b_])
        if bb is not None:
            y[a:b_] += bb  # while the block is fresh in cache
    work = x.size * math.prod(w.shape[1:])
    with blas_limit(threads):
        run_split(block, x.shape[0], _split_count(threads, x.shape[0], work))
    return y


def _transpose_stride1(x, w, dilation, p_lo, out_shape, groups, dtype, out):
    """Stride-1 transposed convolution ``y[j] = sum_t x[j + p_lo - t*d] w[t]`` (no bias), into ``out``.

    A correlation of ``x`` padded by ``d*(k - 1) - p_lo`` below (and by what the output
    length needs above; negative amounts crop ``x``) with the kernel flipped and its two
    channel axes swapped inside each group. ``p_lo`` may be negative.
    """
    D = x.ndim - 2
    N, C = x.shape[:2]
    Cg, Fg = C // groups, w.shape[1]
    kernel = w.shape[2:]
    wf = w[(slice(None), slice(None)) + (slice(None, None, -1),) * D]
    wf = wf.reshape((groups, Cg, Fg) + kernel).swapaxes(1, 2).reshape((groups * Fg, Cg) + kernel)
    crop, cpads = [slice(None), slice(None)], []
    for i in range(D):
        n, k, d = x.shape[2 + i], kernel[i], dilation[i]
        lo = d * (k - 1) - p_lo[i]
        hi = out_shape[i] + d * (k - 1) - lo - n  # so that the correlation has out_shape[i] outputs
        start, stop = max(0, -lo), n - max(0, -hi)
        if stop <= start:  # no input element reaches the output
            out[...] = 0
            return out
        crop.append(slice(start, stop))
        cpads.append((max(lo, 0), max(hi, 0)))
    return _conv_forward(x[tuple(crop)], wf, (1,) * D, dilation, tuple(cpads), tuple(out_shape),
                         groups, dtype, out=out)


def _transpose_forward(x, w, stride, dilation, pads, out_shape, groups, dtype, out):
    """Transposed convolution without bias, into ``out``, as one stride-1 correlation per output phase.

    Along one dimension, output ``j`` receives ``x[i] w[t]`` for ``i*s + t*d = j + p_lo``.
    Split the outputs by ``rho = (j + p_lo) mod s`` and write ``j + p_lo = m*s + rho``: only
    the taps with ``t*d = rho (mod s)`` reach them, at ``i = m - (t*d - rho)/s``. Those taps
    are evenly spaced, so each phase ``rho`` is a stride-1 transposed convolution of the
    whole input with a sub-kernel (dilation ``(t1 - t0)*d/s``), written to
    ``y[first::s]`` (straight from the scratch memory of the correlation, no
    intermediate array). No output is scattered twice and no zeros are multiplied.
    """
    D = x.ndim - 2
    if all(s == 1 for s in stride):
        return _transpose_stride1(x, w, dilation, [lo for lo, _ in pads], out_shape, groups, dtype, out)
    y = out
    per_dim = []
    for i in range(D):
        s, d, k, lo, out = stride[i], dilation[i], w.shape[2 + i], pads[i][0], out_shape[i]
        options = []
        for rho in range(s):
            taps = [t for t in range(k) if (t * d) % s == rho]
            m_min = -(-(lo - rho) // s)
            count = (out - 1 + lo - rho) // s - m_min + 1
            if not taps or count <= 0:
                options.append(None)
                continue
            options.append(dict(
                taps=taps,
                dilation=(taps[1] - taps[0]) * d // s if len(taps) > 1 else 1,
                p_lo=m_min - (taps[0] * d - rho) // s,
                count=count,
                m_min=m_min,
                first=m_min * s + rho - lo))
        per_dim.append(options)
    if all(o is not None for opts in per_dim for o in opts) and _SUBPIXEL_COMBINED:
        # reach e = (t*d - rho)/s of tap t in its phase: when every phase's taps fill the
        # same reaches 0..E, the phases are one correlation with s**D * F/groups filters
        reach = [max((t * dilation[i] - rho) // stride[i] for rho, o in enumerate(per_dim[i]) for t in o["taps"])
                 for i in range(D)]
        if math.prod(stride) * math.prod(e + 1 for e in reach) == math.prod(w.shape[2:]):
            return _transpose_subpixel(x, w, stride, dilation, per_dim, reach, groups, dtype, y)
    if any(o is None for opts in per_dim for o in opts):
        y[...] = 0  # outputs that no tap reaches
    for phase in np.ndindex(*stride):
        opts = [per_dim[i][phase[i]] for i in range(D)]
        if any(o is None for o in opts):
            continue
        wsub = w
        for i, o in enumerate(opts):
            wsub = np.take(wsub, o["taps"], axis=2 + i)
        target = y[(slice(None), slice(None)) + tuple(slice(o["first"], o["first"] + (o["count"] - 1) * s + 1, s)
                                                      for o, s in zip(opts, stride))]
        _transpose_stride1(x, wsub, [o["dilation"] for o in opts], [o["p_lo"] for o in opts],
                           [o["count"] for o in opts], groups, dtype, target)
    return y


def _transpose_subpixel(x, w, stride, dilation, per_dim, reach, groups, dtype, y):
    """The transposed convolution as one stride-1 correlation for all output phases, into ``y``.

    With ``j + p_lo = m*s + rho`` (see :func:`_transpose_forward`), phase ``rho`` is
    ``y_rho[m] = sum_t x[m - e_t] w[t]`` over its taps, ``e_t = (t*d - rho)/s``. When the
    taps of every phase have the reaches ``e = 0..E`` (a kernel of ``s*(E + 1)`` taps
    along that dimension, as k4 s2), all phases read the same window ``x[m - E .. m]``:
    one correlation of ``x`` with a ``(E + 1)``-tap kernel and ``s**D * F/groups`` filters
    per group (filter ``(phase, f)`` holds the taps of that phase, reversed) computes
    every phase at once over the union of their ``m`` ranges, and each phase is then
    copied to ``y[first::s]``. Against one correlation per phase, the input is stacked
    once instead of once per phase, the product has ``s**D`` times the rows, and no
    zero is multiplied.
    """
    D = x.ndim - 2
    N, C = x.shape[:2]
    G, Fg = groups, w.shape[1]
    Cg = C // G
    phases = list(np.ndindex(*stride))
    K = tuple(e + 1 for e in reach)
    # filter (g, phase, f) on channel c and window position E - e_t holds w[g*Cg + c, f, t]
    wc = np.zeros((G, len(phases), Fg, Cg) + K, dtype=dtype)
    wg = w.reshape((G, Cg, Fg) + w.shape[2:]).swapaxes(1, 2)  # (G, Fg, Cg, *kernel), a view
    for p, phase in enumerate(phases):
        opts = [per_dim[i][phase[i]] for i in range(D)]
        for t in itertools.product(*[o["taps"] for o in opts]):
            slot = tuple(reach[i] - (t[i] * dilation[i] - phase[i]) // stride[i] for i in range(D))
            wc[(slice(None), p, slice(None), slice(None)) + slot] = wg[(slice(None),) * 3 + t]
    # outputs m in [M0, M0 + Q) of every phase: the correlation's output q reads
    # x[q + M0 - E + e'], e' in 0..E, i.e. x zero-padded by E - M0 below (cropped if negative)
    crop, cpads, low, Q = [slice(None), slice(None)], [], [], []
    for i in range(D):
        n, E = x.shape[2 + i], reach[i]
        M0 = min(o["m_min"] for o in per_dim[i])
        q = max(o["m_min"] + o["count"] for o in per_dim[i]) - M0
        lo = E - M0
        hi = q + E - n - lo
        crop.append(slice(max(0, -lo), n - max(0, -hi)))
        cpads.append((max(lo, 0), max(hi, 0)))
        low.append(M0)
        Q.append(q)
    # gathered windows, whatever the channels (few taps, many filters: one product per image
    # without the kernel rows' additions); a depthwise layer stays elementwise
    strategy = "im2col" if Cg > 1 and _SUBPIXEL_IM2COL else None
    z = _correlate_view(x[tuple(crop)], wc.reshape((G * len(phases) * Fg, Cg) + K), (1,) * D, (1,) * D,
                        tuple(cpads), tuple(Q), G, dtype, strategy)
    z = z.reshape((N, G, len(phases), Fg) + tuple(Q))  # splits the channel axis: a view
    for p, phase in enumerate(phases):
        opts = [per_dim[i][phase[i]] for i in range(D)]
        src = z[(slice(None), slice(None), p, slice(None)) + tuple(slice(o["m_min"] - low[i], o["m_min"] - low[i] + o["count"])
                                                                   for i, o in enumerate(opts))]
        target = y[(slice(None), slice(None)) + tuple(slice(o["first"], o["first"] + (o["count"] - 1) * s + 1, s)
                                                      for o, s in zip(opts, stride))]
        np.copyto(target.reshape(src.shape), src)
    return y


@_in_context
def conv_layer_backward(x: ArrayLike, w: ArrayLike, grad_out: ArrayLike, stride: IntOrInts = 1,
                        padding: Padding = 0, dilation: IntOrInts = 1, groups: SupportsIndex = 1, *,
                        threads: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of a zero-padded convolution layer: ``(grad_x, grad_w, grad_b)``.

    With ``y = conv_layer(x, w, b, stride, padding, dilation, groups)`` and ``grad_out``
    the gradient of a loss with respect to ``y``:

    * ``grad_x`` is the transposed convolution of ``grad_out`` with the same ``w`` and
      arguments (``output_padding`` chosen so that it has the shape of ``x``);
    * ``grad_w[f, c, t] = sum_{n, o} grad_out[n, f, o] * xp[n, g*C/G + c, o*s + t*d]``,
      a cross-correlation of the padded input with ``grad_out`` (dilated by the stride);
    * ``grad_b[f] = sum_{n, o} grad_out[n, f, o]``.

    Parameters
    ----------
    x, w, stride, padding, dilation, groups
        As for :func:`conv_layer` (zero padding only).
    grad_out : array_like, shape (N, F, *out)
        The gradient with respect to the layer's output.
    threads : int, optional
        Threads for the call, as for :func:`conv_layer`. The batch is split into that
        many blocks of images; each computes its part of ``grad_x`` and its partial sums
        of ``grad_w`` and ``grad_b``, which are then added in block order, so the bits
        are fixed for a given count (and may differ in the last place between counts).

    Returns
    -------
    tuple of numpy.ndarray
        ``(grad_x, grad_w, grad_b)`` with the shapes of ``x``, ``w`` and the bias ``(F,)``.

    Notes
    -----
    The weight gradient multiplies a few unused positions (the ends of output rows)
    by zeros, so when ``x`` holds ``inf`` or ``nan`` the weight gradient may be ``nan``
    in entries that an exact computation would leave finite.

    Examples
    --------
    >>> x = np.array([[[1.0, 2.0, 3.0]]])
    >>> w = np.array([[[1.0, -1.0]]])
    >>> gx, gw, gb = conv_layer_backward(x, w, np.array([[[1.0, 1.0]]]))
    >>> gx
    array([[[ 1.,  0., -1.]]])
    >>> gw
    array([[[3., 5.]]])
    >>> gb
    array([2.])
    """
    op = "conv_layer_backward"
    x = _real_array(x, "x", op)
    w = _real_array(w, "w", op)
    g = _real_array(grad_out, "grad_out", op)
    stride, dilation, pads, out_shape, groups = _conv_setup(x, w, stride, padding, dilation, groups, op)
    expected = (x.shape[0], w.shape[0]) + out_shape
    if g.shape != expected:
        raise ShapeError(f"{op}: grad_out must have the output shape {expected}, but got shape {g.shape}")
    threads = get_threads(threads)
    dtype = _dtype(x, w)
    N = x.shape[0]
    threads = _split_count(threads, N, 2 * N * math.prod(w.shape) * math.prod(out_shape),
                           elementwise=w.shape[1] == 1)
    grad_x = np.empty(x.shape, dtype=dtype)
    padded = tuple(n + lo + hi for n, (lo, hi) in zip(x.shape[2:], pads))
    plan = _Plan(padded, w.shape[2:], stride, dilation, out_shape)
    im2col = _strategy(w.shape[1], w.shape[0] // groups, w.shape[2:], stride, padded, out_shape) == "im2col"
    bounds = split_bounds(N, threads)
    partial_w: list[Any] = [None] * len(bounds)  # one array per block, set by block()
    partial_b: list[Any] = [None] * len(bounds)

    def block(a, b):
        gb = g[a:b]
        # input gradient: the transposed convolution of grad_out with the same arguments, with
        # the output padding (n + p_lo + p_hi - d*(k-1) - 1) mod s < s that gives x's shape
        _transpose_forward(gb, w, stride, dilation, pads, x.shape[2:], groups, dtype, out=grad_x[a:b])
        # weight gradient: a cross-correlation of the padded input with grad_out, from the
        # windows the forward layer gathers ('im2col') or from stacked copies
        i = bounds.index((a, b))
        if im2col:
            partial_w[i] = _im2col_weight_grad(x[a:b], gb.astype(dtype, copy=False), w.shape, stride,
                                               dilation, pads, out_shape, groups, dtype)
        else:
            grad_ext = plan.extend(gb.astype(dtype, copy=False))
            partial_w[i] = _weight_grad(x[a:b], pads, plan, grad_ext, w.shape, groups, dtype)
        partial_b[i] = gb.sum(axis=(0,) + tuple(range(2, g.ndim)), dtype=dtype)
    with blas_limit(threads):
        run_split(block, N, threads)
    grad_w, grad_b = partial_w[0], partial_b[0]
    for pw, pb in zip(partial_w[1:], partial_b[1:]):  # in block order: fixed bits
        grad_w += pw
        grad_b += pb
    return grad_x, grad_w, grad_b


def _flag(value, name):
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise SymconvError(f"{name} must be True or False, but got {value!r}")


@_in_context
def pool_layer(x: ArrayLike, kernel_size: IntOrInts, stride: IntOrInts | None = None,
               padding: Padding = 0, dilation: IntOrInts = 1, mode: PoolMode = "max",
               ceil_mode: bool = False, count_include_pad: bool = True, *,
               threads: int | None = None) -> np.ndarray:
    """Max or average pooling (PyTorch's ``max_pool`` / ``avg_pool`` in 1, 2 or 3 dimensions).

    Parameters
    ----------
    x : array_like, shape (N, C, *spatial)
    kernel_size : int or sequence of ints
    stride : int or sequence of ints, optional
        Defaults to ``kernel_size``.
    padding : int, sequence or (lo, hi) pairs, default 0
        At most ``kernel_size/2`` on each side. Padding never wins a maximum.
    dilation : int or sequence of ints, default 1
    mode : {'max', 'avg'}, default 'max'
    ceil_mode : bool, default False
        Count windows with ``ceil`` instead of ``floor``, but drop a last window that
        would start in the high-side padding (PyTorch's rule).
    count_include_pad : bool, default True
        For 'avg': divide by the number of taps inside the padded input (True) or by
        the number of taps on real input elements (False).
    threads : int, optional
        Threads for the call, as for :func:`conv_layer` (the images and channels are
        split into blocks when each thread gets about half a million comparisons; every
        output is computed the same way whatever the count).

    Returns
    -------
    numpy.ndarray, shape (N, C, *out)
        ``y[n, c, o]`` = max or mean of ``x[n, c, o*s + t*d - p_lo]`` over the taps ``t``;
        ``out`` is :func:`symconv.nn.shapes.pool_output_size`.

    Examples
    --------
    >>> x = np.array([[[1.0, 5.0, 2.0, 4.0, 3.0]]])
    >>> pool_layer(x, 2)
    array([[[5., 4.]]])
    >>> pool_layer(x, 2, ceil_mode=True)
    array([[[5., 4., 3.]]])
    >>> pool_layer(x, 2, mode='avg', padding=1)
    array([[[0.5, 3.5, 3.5]]])
    >>> pool_layer(x, 2, mode='avg', padding=1, count_include_pad=False)
    array([[[1. , 3.5, 3.5]]])
    """
    op = "pool_layer"
    x = _real_array(x, "x", op)
    _check_input(x, op)
    mode = check_choice(mode, POOL_MODES, "mode")
    ceil_mode = _flag(ceil_mode, "ceil_mode")
    count_include_pad = _flag(count_include_pad, "count_include_pad")
    D = x.ndim - 2
    kernel = int_tuple(kernel_size, D, "kernel_size", minimum=1)
    stride = kernel if stride is None else int_tuple(stride, D, "stride", minimum=1)
    dilation = int_tuple(dilation, D, "dilation", minimum=1)
    pads = padding_pairs(padding, kernel, stride, dilation)
    spatial = x.shape[2:]
    out_shape = tuple(pool_output_size(spatial[i], kernel[i], stride[i], pads[i], dilation[i], ceil_mode)
                      for i in range(D))
    dtype = _dtype(x)
    # per dimension and output: taps on real elements, and taps inside the padded input
    real_counts, padded_counts = [], []
    for i in range(D):
        pos = (np.arange(out_shape[i])[:, None] * stride[i]
               + np.arange(kernel[i])[None, :] * dilation[i] - pads[i][0])
        real = ((pos >= 0) & (pos < spatial[i])).sum(axis=1)
        # a window on padding only has no maximum and no average over real elements;
        # its average over the padded window (count_include_pad) is a well-defined 0
        if not real.all() and (mode == "max" or not count_include_pad):
            o = int(np.argmin(real))
            raise ShapeError(f"{op}: every window must cover at least one input element, but window {o} "
                             f"of spatial dimension {i} covers only padding (size {spatial[i]}, "
                             f"kernel_size={kernel[i]}, stride={stride[i]}, padding={pads[i]}, "
                             f"dilation={dilation[i]})")
        real_counts.append(real)
        padded_counts.append(((pos >= -pads[i][0]) & (pos < spatial[i] + pads[i][1])).sum(axis=1))
    # the region the windows read, from -p_lo: filled with the neutral element outside x
    need = tuple((out_shape[i] - 1) * stride[i] + dilation[i] * (kernel[i] - 1) + 1 for i in range(D))
    fill = -np.inf if mode == "max" else 0
    dst, src = [slice(None)] * 2, [slice(None)] * 2
    for i in range(D):
        lo = pads[i][0]
        keep = min(spatial[i], need[i] - lo)
        dst.append(slice(lo, lo + keep))
        src.append(slice(0, keep))
    divisor = None
    if mode == "avg":
        counts = padded_counts if count_include_pad else real_counts
        divisor = np.ones((), dtype=dtype)
        for i, c in enumerate(counts):
            divisor = np.multiply.outer(divisor, c.astype(dtype))
    # the (image, channel) planes are independent: blocks of them, one per thread
    N, C = x.shape[:2]
    xr = x.reshape((N * C, 1) + spatial)
    y = np.empty((N * C, 1) + out_shape, dtype=dtype)
    windows = [(slice(None),) * 2 + tuple(
        slice(t[i] * dilation[i], t[i] * dilation[i] + (out_shape[i] - 1) * stride[i] + 1, stride[i])
        for i in range(D)) for t in np.ndindex(*kernel)]
    inside = all(lo == 0 for lo, _ in pads) and all(need[i] <= spatial[i] for i in range(D))

    def block(a, b):
        yb = y[a:b]
        if inside:  # the windows stay inside x: no padded copy
            xp = xr[a:b]
        else:
            xp = _scratch("pool", (b - a, 1) + need, dtype)
            _fill_border_value(xp, dst, fill)
            xp[tuple(dst)] = xr[a:b][tuple(src)]
        np.copyto(yb, xp[windows[0]])
        for window in windows[1:]:
            if mode == "max":
                np.maximum(yb, xp[window], out=yb)
            else:
                yb += xp[window]
        if divisor is not None:
            yb /= divisor
    run_split(block, N * C, _split_count(get_threads(threads), N * C, y.size * math.prod(kernel),
                                         elementwise=True))
    return y.reshape((N, C) + out_shape)


