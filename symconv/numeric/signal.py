"""Signal convolution and correlation of the executor, with ``numpy.convolve`` /
``numpy.correlate`` semantics in any number of dimensions (direct sums or FFT)."""

from __future__ import annotations

import functools
import math
from typing import Literal, TypeAlias

import numpy as np
from numpy.lib.stride_tricks import as_strided, sliding_window_view
from numpy.typing import ArrayLike

from symconv._util.validate import check_choice
from symconv.errors import ShapeError, SymconvError
from symconv.numeric._workspace import _scratch
from symconv.numeric.layers import _CHUNK_BYTES, _in_context

__all__ = ["convolve", "correlate", "signal_method"]

SIGNAL_MODES = ("full", "same", "valid")
SignalMode: TypeAlias = Literal["full", "same", "valid"]
SignalMethod: TypeAlias = Literal["auto", "direct", "fft"]

# ---------------------------------------------------------------------------
# signals: numpy.convolve / numpy.correlate semantics, any number of dimensions
# ---------------------------------------------------------------------------

SIGNAL_METHODS = ("auto", "direct", "fft")
# the direct sum: kernels with fewer taps than this along every axis are summed tap by tap
_TAPS_MAX_LENGTH = 8
# positions per block of the tap-by-tap sum (sized for a core's L2 cache)
_TAPS_BLOCK = 1 << 14
# the banded (Toeplitz) products: kernel taps per band, and bytes per gathered block
_KERNEL_BLOCK = 1024
_TOEPLITZ_BLOCK_BYTES = 1 << 22
# sums with at most this many products (positions * taps) gather every window at once
_WINDOWS_MAX = 1 << 15
# the cost model of method='auto', in nanoseconds, set from timings on the benchmark
# machine and checked by `python benchmarks/bench_numeric.py --calibrate`; see signal_method
_COST_TAP = 0.8     # per position and tap, tap by tap
_COST_BAND = 0.05   # per position, leading tap and band column, banded products
_COST_ROW = 7.5     # per position and band, banded products
_COST_FFT = 1.3     # per transformed point and log2(points)


def _signal_array(value: ArrayLike, name: str, op: str) -> tuple[np.ndarray, bool]:
    """``(array, exact)``: a float or complex ndarray, and whether the input was exact.

    Integers, booleans and object arrays (Python ints, Fractions, ...) become float64
    (complex128 for complex objects); they count as exact input, which
    ``method='auto'`` never sends to the FFT.
    """
    try:
        arr = np.asarray(value)
    except Exception as exc:
        raise SymconvError(f"{op}: {name} must be a numeric array, but got {value!r}") from exc
    exact = arr.dtype.kind not in "fc"
    if arr.dtype.kind in "biu":
        arr = arr.astype(np.float64)
    elif arr.dtype.kind == "O":
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError):
            try:
                arr = arr.astype(np.complex128)
            except (TypeError, ValueError):
                raise SymconvError(f"{op}: {name} must be a numeric array, but got {value!r}") from None
    elif arr.dtype.kind not in "fc":
        raise SymconvError(f"{op}: {name} must be a numeric array, but got dtype {arr.dtype}")
    arr = np.atleast_1d(arr)
    if arr.size == 0:
        raise ShapeError(f"{op}: {name} must be non-empty, but got shape {arr.shape}")
    return arr, exact


def _window(a_shape, k_shape, mode, correlate):
    """``(starts, lengths)``: the entries of the full correlation that ``mode`` keeps, per axis.

    Full index ``q`` holds ``sum_j a[q - (m - 1) + j] * kernel[j]``. The window is
    numpy's: 'full' everything; 'same' ``max(n, m)`` entries from ``(min(n, m) - 1)//2``
    (``n//2`` for a correlation whose second argument is the longer one); 'valid'
    ``|n - m| + 1`` entries from ``min(n, m) - 1``.
    """
    starts, lengths = [], []
    for n, m in zip(a_shape, k_shape):
        if mode == "full":
            starts.append(0)
            lengths.append(n + m - 1)
        elif mode == "same":
            starts.append(n // 2 if (correlate and m > n) else (min(n, m) - 1) // 2)
            lengths.append(max(n, m))
        else:
            starts.append(min(n, m) - 1)
            lengths.append(max(n, m) - min(n, m) + 1)
    return starts, lengths


@functools.lru_cache(maxsize=256)
def _fft_length(n):
    """The smallest ``2**i * 3**j * 5**k >= n`` (numpy's FFT is fastest on such lengths)."""
    best = 1 << max(0, n - 1).bit_length()
    p5 = 1
    while p5 < best:
        p35 = p5
        while p35 < best:
            # the smallest p35 * 2**i >= n
            q = p35 << max(0, (-(-n // p35) - 1).bit_length())
            best = min(best, q)
            p35 *= 3
        p5 *= 5
    return best


def _band(k_shape):
    """Columns per band ``P`` of the banded products for a last kernel axis of ``k_shape[-1]`` taps."""
    m = min(k_shape[-1], _KERNEL_BLOCK)
    return 16 if m < 16 else 32 if m < 100 else 64


def _direct_kind(k_shape, lengths):
    """How the direct sum runs: 'windows', 'taps' or 'banded' (longest kernel axis last)."""
    if math.prod(lengths) * math.prod(k_shape) <= _WINDOWS_MAX:
        return "windows"
    return "taps" if max(k_shape) < _TAPS_MAX_LENGTH else "banded"


def _costs(a_shape, k_shape, lengths):
    """Estimated nanoseconds of the direct sum and of the FFT (see :func:`signal_method`)."""
    points = math.prod(_fft_length(n + m - 1) for n, m in zip(a_shape, k_shape))
    axis = int(np.argmax(k_shape))
    if k_shape[axis] != k_shape[-1]:  # the direct sum puts the longest kernel axis last
        k_shape = tuple(k for i, k in enumerate(k_shape) if i != axis) + (k_shape[axis],)
    positions = math.prod(lengths)
    kind = _direct_kind(k_shape, lengths)
    if kind == "windows":
        return 0.0, math.inf
    if kind == "taps":
        direct = _COST_TAP * positions * math.prod(k_shape)
    else:
        width = _band(k_shape) + min(k_shape[-1], _KERNEL_BLOCK) - 1
        bands = -(-k_shape[-1] // _KERNEL_BLOCK)
        direct = positions * bands * (_COST_BAND * math.prod(k_shape[:-1]) * width + _COST_ROW)
    return direct, _COST_FFT * points * math.log2(points)


def _choose(a, kernel, exact, lengths):
    """'direct' or 'fft' for ``method='auto'`` (``lengths``: the window's, see _window)."""
    if exact:
        return "direct"
    direct, fft = _costs(a.shape, kernel.shape, lengths)
    if fft >= direct:
        return "direct"
    # the FFT mixes every entry into every result: one inf or nan would spoil them all
    if not (np.isfinite(a).all() and np.isfinite(kernel).all()):
        return "direct"
    return "fft"


def _fft_window(a, kernel, starts, lengths, dtype):
    """The window ``[start, start + length)`` of the full correlation, by FFT.

    The full correlation with ``kernel`` is the linear convolution with ``kernel``
    flipped; both are zero-padded to lengths ``>= n + m - 1`` (so the circular
    convolution of the transforms does not wrap around) and multiplied pointwise.
    """
    flipped = kernel[(slice(None, None, -1),) * kernel.ndim]
    shape = tuple(_fft_length(n + m - 1) for n, m in zip(a.shape, kernel.shape))
    axes = tuple(range(a.ndim))
    if np.dtype(dtype).kind == "c":
        spectrum = np.fft.fftn(a.astype(dtype, copy=False), shape, axes)
        spectrum *= np.fft.fftn(flipped.astype(dtype, copy=False), shape, axes)
        full = np.fft.ifftn(spectrum, shape, axes)
    else:
        spectrum = np.fft.rfftn(a.astype(dtype, copy=False), shape, axes)
        spectrum *= np.fft.rfftn(flipped.astype(dtype, copy=False), shape, axes)
        full = np.fft.irfftn(spectrum, shape, axes)
    window = tuple(slice(s, s + L) for s, L in zip(starts, lengths))
    return np.ascontiguousarray(full[window], dtype=dtype)


def _segment(a, kernel, starts, lengths, dtype, extra_last=0):
    """The part of ``a`` (zero-extended) that the window reads, in scratch memory.

    ``seg[p] = a[p + start - (m - 1)]`` (0 outside ``a``), for ``p`` up to
    ``length + m - 1`` along each axis (plus ``extra_last`` zeros along the last one), so
    that output ``q`` of the window is ``sum_j seg[q + j] * kernel[j]``.
    """
    seg_shape = [L + m - 1 for L, m in zip(lengths, kernel.shape)]
    seg_shape[-1] += extra_last
    seg = _scratch("signal_segment", tuple(seg_shape), dtype)
    seg.fill(0)
    dst, src = [], []
    for st, L, n, m in zip(starts, lengths, a.shape, kernel.shape):
        first = st - m + 1  # index into a of seg[0]
        lo, hi = max(first, 0), min(first + L + m - 1, n)
        dst.append(slice(lo - first, hi - first))
        src.append(slice(lo, hi))
    seg[tuple(dst)] = a[tuple(src)]
    return seg


def _windows_product(seg, kernel, lengths, dtype):
    """``out[q] = sum_j seg[q + j] * kernel[j]``, every window gathered and contracted.

    Multiplies exactly the terms of the definition (no padding of the kernel), so an
    ``inf`` or ``nan`` in the input reaches only the outputs whose sums contain it.
    Used for non-finite input.
    """
    windows = sliding_window_view(seg, kernel.shape)  # (*lengths, *kernel.shape), a view
    out = np.empty(tuple(lengths), dtype=dtype)
    row = math.prod(lengths[1:]) * kernel.size * np.dtype(dtype).itemsize
    step = max(1, _CHUNK_BYTES // max(1, row))
    for a0 in range(0, lengths[0], step):
        out[a0:a0 + step] = np.tensordot(windows[a0:a0 + step], kernel, axes=kernel.ndim)
    return out


def _taps_product(seg, kernel, lengths, dtype):
    """``out[q] = sum_j seg[q + j] * kernel[j]`` tap by tap: a multiply-add of a shifted view.

    In blocks of about ``_TAPS_BLOCK`` positions along the first axis, so that a block
    of the output stays in cache while every tap is added to it.
    """
    out = np.empty(tuple(lengths), dtype=dtype)
    inner = math.prod(lengths[1:])
    rows = max(1, _TAPS_BLOCK // max(1, inner))
    tmp = np.empty((min(rows, lengths[0]),) + tuple(lengths[1:]), dtype=dtype)
    taps = list(np.ndindex(*kernel.shape))
    for r0 in range(0, lengths[0], rows):
        r1 = min(lengths[0], r0 + rows)
        o, t_ = out[r0:r1], tmp[:r1 - r0]
        for n, tap in enumerate(taps):
            view = seg[(slice(r0 + tap[0], r1 + tap[0]),)
                       + tuple(slice(j, j + L) for j, L in zip(tap[1:], lengths[1:]))]
            np.multiply(view, kernel[tap], out=o if n == 0 else t_)
            if n:
                o += t_
    return out


def _banded_product(seg, kernel, lengths, dtype):
    """``out[q] = sum_j seg[q + j] * kernel[j]`` as matrix products with banded matrices.

    Along the last axis the outputs are cut into blocks of ``P`` positions. Block ``b``
    of a row reads the ``P + m - 1`` inputs from ``b*P`` on (``m`` the last kernel
    length); with ``X[b, i] = seg[b*P + i]`` (overlapping rows of a strided view) it is
    ``X[b] @ B`` where ``B[i, p] = kernel[i - p]`` for ``0 <= i - p < m``, else 0 (a
    Toeplitz band). The leading kernel taps ``u`` add their shifted rows:
    ``out = [X_u for u] @ [B_u for u]``, one product whose inner dimension has
    ``taps_lead * (P + m - 1)`` terms. Long kernels are split into bands of at most
    ``_KERNEL_BLOCK`` taps whose products are added. ``seg`` must hold
    ``ceil(L/P)*P + m - 1`` entries along the last axis.

    The band's zeros are multiplied too (at most ``P - 1`` per position and leading
    tap), which is why non-finite input does not come here.
    """
    D = kernel.ndim
    lead_k = kernel.shape[:-1]
    lead_L, L = tuple(lengths[:-1]), lengths[-1]
    U = math.prod(lead_k)
    P = _band(kernel.shape)
    A = -(-L // P)
    item = np.dtype(dtype).itemsize
    out = np.empty(tuple(lengths), dtype=dtype)
    # gathered rows (lead positions..., A) in chunks along the first of them
    outer = lead_L[0] if D > 1 else A
    inner_rows = math.prod(lead_L[1:]) * A if D > 1 else 1
    perm = tuple(range(D - 1)) + (2 * (D - 1),) + tuple(range(D - 1, 2 * (D - 1))) + (2 * D - 1,)
    m_all = kernel.shape[-1]
    for c0 in range(0, m_all, _KERNEL_BLOCK):
        c1 = min(m_all, c0 + _KERNEL_BLOCK)
        width = P + (c1 - c0) - 1
        # B[u, i, p] = kernel[u, c0 + i - p] inside the band, from a zero-padded copy
        padded = np.zeros(lead_k + (c1 - c0 + 2 * (P - 1),), dtype=dtype)
        padded[..., P - 1:P - 1 + c1 - c0] = kernel[..., c0:c1]
        band = np.ascontiguousarray(
            sliding_window_view(padded, P, axis=-1)[..., :width, ::-1]).reshape(U * width, P)
        base = seg[..., c0:]
        view = as_strided(base, lead_L + lead_k + (A, width),
                          base.strides[:-1] * 2 + (P * item, item), writeable=False)
        view = view.transpose(perm)  # (lead positions..., A, lead taps..., width)
        step = max(1, _TOEPLITZ_BLOCK_BYTES // max(1, inner_rows * U * width * item))
        for r0 in range(0, outer, step):
            r1 = min(outer, r0 + step)
            rows = (r1 - r0) * inner_rows
            gathered = _scratch("signal_rows", (r1 - r0,) + view.shape[1:], dtype)
            np.copyto(gathered, view[r0:r1])
            product = _scratch("signal_product", (rows, P), dtype)
            np.matmul(gathered.reshape(rows, U * width), band, out=product)
            if D > 1:
                part = product.reshape((r1 - r0,) + lead_L[1:] + (A * P,))[..., :L]
                dst = out[r0:r1]
            else:
                stop = min(L, r1 * P)
                part = product.reshape(-1)[:stop - r0 * P]
                dst = out[r0 * P:stop]
            if c0 == 0:
                dst[...] = part
            else:
                dst += part
    return out


def _direct_window(a, kernel, starts, lengths, dtype):
    """The window of the full correlation, summed directly (no FFT).

    The longest kernel axis is moved last (a correlation does not care about the
    order of the axes), then small kernels are added tap by tap and larger ones
    multiplied as banded matrices; non-finite input takes the gathered windows.
    """
    kernel = kernel.astype(dtype, copy=False)
    D = a.ndim
    axis = int(np.argmax(kernel.shape))
    if kernel.shape[axis] == kernel.shape[-1]:
        axis = D - 1
    order = tuple(i for i in range(D) if i != axis) + (axis,)
    if axis != D - 1:
        a, kernel = a.transpose(order), kernel.transpose(order)
        starts, lengths = [starts[i] for i in order], [lengths[i] for i in order]
    kind = _direct_kind(kernel.shape, lengths)
    if kind == "windows" or not (np.isfinite(a).all() and np.isfinite(kernel).all()):
        out = _windows_product(_segment(a, kernel, starts, lengths, dtype), kernel, lengths, dtype)
    elif kind == "taps":
        out = _taps_product(_segment(a, kernel, starts, lengths, dtype), kernel, lengths, dtype)
    else:
        P = _band(kernel.shape)
        extra = -(-lengths[-1] // P) * P - lengths[-1]
        seg = _segment(a, kernel, starts, lengths, dtype, extra_last=extra)
        out = _banded_product(seg, kernel, lengths, dtype)
    if axis != D - 1:
        out = np.ascontiguousarray(out.transpose(np.argsort(order)))
    return out


def _signal(a, v, mode, correlate, op, method="auto"):
    a, a_exact = _signal_array(a, "a", op)
    v, v_exact = _signal_array(v, "v", op)
    mode = check_choice(mode, SIGNAL_MODES, "mode")
    method = check_choice(method, SIGNAL_METHODS, "method")
    if a.ndim != v.ndim:
        raise ShapeError(f"{op}: a and v must have the same number of dimensions, "
                         f"but got a.shape={a.shape} and v.shape={v.shape}")
    if correlate:
        kernel = np.conj(v) if v.dtype.kind == "c" else v
    else:
        kernel = v[(slice(None, None, -1),) * v.ndim]
    dtype = np.result_type(a.dtype, kernel.dtype, np.float32)
    starts, lengths = _window(a.shape, kernel.shape, mode, correlate)
    if method == "auto":
        method = _choose(a, kernel, a_exact or v_exact, lengths)
    if method == "fft":
        return _fft_window(a, kernel, starts, lengths, dtype)
    return _direct_window(a, kernel, starts, lengths, dtype)


def signal_method(a: ArrayLike, v: ArrayLike, mode: SignalMode = "full") -> Literal["direct", "fft"]:
    """Name the way ``method='auto'`` computes :func:`convolve` / :func:`correlate`: 'direct' or 'fft'.

    'fft' is chosen only when all of these hold:

    * both signals are floating arrays (float or complex dtype): integer, boolean
      and object input always gets the direct sum, which is exact for integer
      values (as long as every partial sum stays below ``2**53``);
    * every entry is finite (one ``inf`` or ``nan`` would spread to every output of
      an FFT);
    * the sum has more than ``2**15`` products (output positions times kernel taps);
    * the estimated time of the FFT is below that of the direct sum. With ``L`` the
      number of output positions, the estimates in nanoseconds are: FFT
      ``1.3 * N * log2(N)``, ``N`` the product over the axes of ``n + m - 1`` rounded
      up to ``2**i 3**j 5**k``; direct, when every kernel axis is shorter than 8,
      ``0.8 * L * taps``; otherwise (banded products with the longest kernel axis,
      of ``m_last`` taps, last; bands of at most 1024 taps; ``P`` output columns per
      band, 16 for bands under 16 taps, 32 under 100, else 64)
      ``L * bands * (0.05 * lead_taps * (P + m_last - 1) + 7.5)``.

    The constants come from timing both methods on the benchmark machine
    (``python benchmarks/bench_numeric.py --calibrate`` checks them and reports how
    much slower 'auto' is than the faster method; see ``docs/benchmarks.md``).
    In 1-D 'auto' picks the FFT from kernels of about 100 taps on (86 for a
    300-sample signal, 224 for 100,000 samples, 313 for a million); in 2-D for
    square kernels from 5 x 5, 6 x 6 or 7 x 7 (larger images: later) up to 7 x 7, and
    again from 11 x 11 (128 x 128 images) to 15 x 15 (1024 x 1024) on; the banded
    sum takes the kernels between.

    The answer is the same for :func:`convolve` and :func:`correlate`.

    >>> signal_method(np.ones(3000), np.ones(3000))
    'fft'
    >>> signal_method(np.ones(3000), np.ones(40))
    'direct'
    >>> signal_method(np.ones(3000, dtype=int), np.ones(3000, dtype=int))
    'direct'
    """
    op = "signal_method"
    a, a_exact = _signal_array(a, "a", op)
    v, v_exact = _signal_array(v, "v", op)
    mode = check_choice(mode, SIGNAL_MODES, "mode")
    if a.ndim != v.ndim:
        raise ShapeError(f"{op}: a and v must have the same number of dimensions, "
                         f"but got a.shape={a.shape} and v.shape={v.shape}")
    return _choose(a, v, a_exact or v_exact, _window(a.shape, v.shape, mode, False)[1])


@_in_context
def correlate(a: ArrayLike, v: ArrayLike, mode: SignalMode = "valid",
              method: SignalMethod = "auto") -> np.ndarray:
    """Cross-correlation of two signals, ``numpy.correlate``'s meaning in any dimension.

    Parameters
    ----------
    a, v : array_like
        Signals with the same number of dimensions (scalars count as length 1).
        Complex ``v`` is conjugated.
    mode : {'full', 'same', 'valid'}, default 'valid'
        Per axis, with lengths ``n`` of ``a`` and ``m`` of ``v``: 'full' gives all
        ``n + m - 1`` shifts with overlap; 'same' the ``max(n, m)`` central ones (numpy's
        centering, including its choice when ``v`` is the longer signal); 'valid'
        the ``|n - m| + 1`` shifts where one signal lies inside the other.
    method : {'auto', 'direct', 'fft'}, default 'auto'
        'direct' sums the products (small kernels tap by tap, larger ones as matrix
        products with banded matrices); 'fft' multiplies discrete Fourier transforms;
        'auto' picks the FFT only for large floating input, as :func:`signal_method`
        documents (integer input always gets the exact direct sum).

    Returns
    -------
    numpy.ndarray
        ``c[k] = sum_j a[j + k] * conj(v[j])``, for ``k`` from ``-(m - 1)`` to ``n - 1``
        in 'full' mode. Integer inputs give float64; otherwise the wider of the two
        dtypes (at least float32).

    Notes
    -----
    For 1-D input this equals ``numpy.correlate(a, v, mode)``; in N-D it equals
    ``scipy.signal.correlate(a, v, mode)`` whenever ``a`` is at least as long as ``v``
    along every axis ('same' then keeps ``a``'s shape). When ``v`` is longer along an
    axis, that axis follows numpy's 1-D rule, where SciPy's 'same' would keep ``a``'s length.

    Accuracy: 'direct' adds the products in some order, so each entry is within the
    usual bound of a dot product, ``m * eps * sum_j |a[..] * v[j]|`` (``m`` the number
    of terms, ``eps`` of the result dtype), of the exact sum; with integer values
    whose partial sums stay below ``2**53`` (float64) it is exact. 'fft' rounds every
    entry relative to the whole signals: each entry is within
    ``8 * eps * log2(points) * min(|a|_2 |v|_1, |a|_1 |v|_2)`` of the exact sum
    (``points`` the FFT length per call, ``|.|_p`` the vector norms), so entries much
    smaller than the largest ones lose relative accuracy and integer results come
    out as nearby floats. Ask for ``method='direct'`` when exact results matter.

    Examples
    --------
    >>> correlate([1.0, 2.0, 3.0], [0.0, 1.0, 0.5])
    array([3.5])
    >>> correlate([1.0, 2.0, 3.0], [0.0, 1.0, 0.5], mode='full')
    array([0.5, 2. , 3.5, 3. , 0. ])
    >>> correlate([[1, 2], [3, 4]], [[1, 0], [0, 1]], mode='full')
    array([[1., 2., 0.],
           [3., 5., 2.],
           [0., 3., 4.]])
    """
    return _signal(a, v, mode, True, "correlate", method)


@_in_context
def convolve(a: ArrayLike, v: ArrayLike, mode: SignalMode = "full",
             method: SignalMethod = "auto") -> np.ndarray:
    """Discrete convolution of two signals, ``numpy.convolve``'s meaning in any dimension.

    Parameters
    ----------
    a, v : array_like
        Signals with the same number of dimensions (scalars count as length 1).
    mode : {'full', 'same', 'valid'}, default 'full'
        As in :func:`correlate` (numpy's lengths and centering, per axis).
    method : {'auto', 'direct', 'fft'}, default 'auto'
        As in :func:`correlate`; :func:`signal_method` says what 'auto' picks.

    Returns
    -------
    numpy.ndarray
        ``y[j] = sum_i a[i] * v[j - i]`` for ``j`` from 0 to ``n + m - 2`` in 'full' mode.

    Notes
    -----
    1-D: equal to ``numpy.convolve(a, v, mode)``; N-D: equal to
    ``scipy.signal.convolve(a, v, mode)`` when ``a`` is at least as long as ``v`` along
    every axis. Convolution is correlation with the flipped kernel:
    ``convolve(a, v) == correlate(a, v[::-1], 'full')`` for real ``v``.

    Accuracy: as in :func:`correlate` ('direct' within a dot product's rounding bound
    and exact for integer values with partial sums below ``2**53``; 'fft' within
    ``8 * eps * log2(points) * min(|a|_2 |v|_1, |a|_1 |v|_2)`` of the exact sum).

    Examples
    --------
    >>> convolve([1.0, 2.0, 3.0], [0.0, 1.0, 0.5])
    array([0. , 1. , 2.5, 4. , 1.5])
    >>> convolve([1.0, 2.0, 3.0], [0.0, 1.0, 0.5], mode='same')
    array([1. , 2.5, 4. ])
    >>> convolve([1.0, 2.0, 3.0], [1.0, 1.0], mode='valid')
    array([3., 5.])
    >>> y = convolve(np.ones(3000), np.ones(3000), method='fft')
    >>> y.shape, bool(np.allclose(y[:3], [1.0, 2.0, 3.0]))
    ((5999,), True)
    """
    return _signal(a, v, mode, False, "convolve", method)
