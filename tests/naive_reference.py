"""A tiny, obviously-correct loop reference for the layer and signal operations.

Every function here is the defining index formula written as plain Python loops
(over the batch, the output channels, the output positions, the input channels and
the kernel taps), with no vectorisation and no cleverness.  It is slow on purpose:
it exists so that the fast code (:mod:`symconv.numeric`), the exact layers
(:mod:`symconv.nn.layers`) and the matrix builder can be tested against something
whose correctness can be checked by reading it.

The function names and argument lists are those of :mod:`symconv.numeric`
(``conv_layer``, ``conv_transpose_layer``, ``pool_layer``, ``conv_layer_backward``,
``convolve``, ``correlate``), so a test can swap one for the other.  Arguments are
normalised by the small helpers at the top of this file, deliberately *not* by
``symconv._util.validate``, so that a mistake there cannot hide in both implementations.
Inputs are assumed to be valid; only the few checks needed to keep the loops
meaningful raise ``ValueError``.

Conventions (PyTorch's, channel-first):

* ``x`` has shape ``(N, C, *spatial)``; a convolution weight ``(F, C // groups, *k)``;
  a transposed-convolution weight ``(C, F // groups, *k)``; bias ``(F,)``.
* Layers are cross-correlations:
  ``y[n, f, o] = b[f] + sum_{c, t} x_pad[n, g*Cg + c, o*s + t*d] * w[f, c, t]``
  where ``g = f // (F // groups)`` is the group of output channel ``f``.
* Output length per dimension: ``floor((n + p_lo + p_hi - d*(k-1) - 1) / s) + 1``.
* Transposed convolution is the scatter of every input element through the kernel:
  ``y[n, g*Fg + f, i*s + t*d - p_lo] += x[n, c, i] * w[c, f, t]``, with output length
  ``(n-1)*s - p_lo - p_hi + d*(k-1) + output_padding + 1``.
"""

import itertools

import numpy as np

__all__ = ["conv_layer", "conv_transpose_layer", "pool_layer", "conv_layer_backward",
           "convolve", "correlate"]


# --------------------------------------------------------------------------- helpers
def _expand(value, ndim):
    """An int or a sequence of ``ndim`` ints -> a tuple of ``ndim`` ints."""
    if isinstance(value, (list, tuple)):
        if len(value) != ndim:
            raise ValueError(f"expected {ndim} values, got {value!r}")
        return tuple(int(v) for v in value)
    return (int(value),) * ndim


def _pairs(padding, kernel, dilation):
    """Padding in any accepted form -> one ``(lo, hi)`` pair per dimension.

    ``'same'`` puts ``d*(k-1) // 2`` on the low side and the rest on the high side
    (PyTorch's split); ``'valid'`` is no padding.
    """
    ndim = len(kernel)
    if isinstance(padding, str):
        if padding == "valid":
            return [(0, 0)] * ndim
        if padding == "same":
            total = [d * (k - 1) for k, d in zip(kernel, dilation)]
            return [(t // 2, t - t // 2) for t in total]
        raise ValueError(f"unknown padding {padding!r}")
    if isinstance(padding, (list, tuple)):
        out = []
        for p in padding:
            out.append((int(p[0]), int(p[1])) if isinstance(p, (list, tuple)) else (int(p), int(p)))
        if len(out) != ndim:
            raise ValueError(f"expected {ndim} padding entries, got {padding!r}")
        return out
    return [(int(padding), int(padding))] * ndim


def _source_index(i, n, padding_mode):
    """Where position ``i`` of the padded axis (0 = first real element) reads from.

    Returns ``None`` for a zero-padding position.  ``reflect`` mirrors without
    repeating the edge element, ``replicate`` repeats the edge element, ``circular``
    wraps around.
    """
    if 0 <= i < n:
        return i
    if padding_mode == "zeros":
        return None
    if padding_mode == "replicate":
        return 0 if i < 0 else n - 1
    if padding_mode == "circular":
        return i % n
    if padding_mode == "reflect":
        while not 0 <= i < n:
            i = -i if i < 0 else 2 * (n - 1) - i
        return i
    raise ValueError(f"unknown padding_mode {padding_mode!r}")


def _out_len(n, k, s, lo, hi, d):
    return (n + lo + hi - d * (k - 1) - 1) // s + 1


def _result_dtype(*arrays):
    return np.result_type(*[np.asarray(a).dtype for a in arrays], np.float32)


def _conv_geometry(x, w, stride, padding, dilation):
    """Spatial sizes of ``x (N, C, *spatial)`` and ``w (., ., *kernel)``, with the stride,
    dilation and padding pairs normalised to one entry per spatial dimension."""
    spatial = x.shape[2:]
    kernel = w.shape[2:]
    ndim = len(spatial)
    s = _expand(stride, ndim)
    d = _expand(dilation, ndim)
    return spatial, kernel, ndim, s, d, _pairs(padding, kernel, d)


# --------------------------------------------------------------------------- layers
def conv_layer(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1,
               padding_mode="zeros"):
    """Cross-correlation layer by the definition (PyTorch's ``conv{1,2,3}d``).

    ``y[n, f, o] = bias[f] + sum_{c < C/groups} sum_t x_pad[n, g*C/groups + c, o*s + t*d] * w[f, c, t]``
    with ``g = f // (F/groups)`` and ``x_pad`` the input extended by ``padding``
    according to ``padding_mode`` ('zeros', 'reflect', 'replicate', 'circular').

    >>> x = np.arange(5.0).reshape(1, 1, 5)
    >>> conv_layer(x, np.array([[[1.0, 0.0, -1.0]]]), padding=1)
    array([[[-1., -2., -2., -2.,  3.]]])
    """
    x = np.asarray(x)
    w = np.asarray(w)
    N = x.shape[0]
    F, Cg = w.shape[:2]
    spatial, kernel, ndim, s, d, pads = _conv_geometry(x, w, stride, padding, dilation)
    Fg = F // groups
    out_shape = tuple(_out_len(spatial[i], kernel[i], s[i], pads[i][0], pads[i][1], d[i])
                      for i in range(ndim))
    y = np.zeros((N, F) + out_shape, dtype=_result_dtype(x, w))
    for n in range(N):
        for f in range(F):
            g = f // Fg
            for o in itertools.product(*[range(m) for m in out_shape]):
                total = 0.0 if bias is None else float(bias[f])
                for c in range(Cg):
                    for t in itertools.product(*[range(k) for k in kernel]):
                        src = []
                        for i in range(ndim):
                            pos = o[i] * s[i] + t[i] * d[i] - pads[i][0]
                            src.append(_source_index(pos, spatial[i], padding_mode))
                        if None in src:
                            continue
                        total += float(x[(n, g * Cg + c) + tuple(src)]) * float(w[(f, c) + t])
                y[(n, f) + o] = total
    return y


def conv_transpose_layer(x, w, bias=None, stride=1, padding=0, output_padding=0,
                         dilation=1, groups=1):
    """Transposed convolution by scattering every input element (PyTorch's ``conv_transpose``).

    Weight shape ``(C, F/groups, *k)``.  Each ``x[n, c, i]`` adds
    ``x[n, c, i] * w[c, f, t]`` to ``y[n, g*F/groups + f, i*s + t*d - p_lo]`` (``g`` the
    group of ``c``); positions outside ``[0, out)`` are cropped.  ``padding`` is an int,
    one int per dimension or ``(lo, hi)`` pairs (the amount cropped on each side).

    >>> x = np.array([[[1.0, 2.0]]])
    >>> conv_transpose_layer(x, np.array([[[1.0, 10.0, 100.0]]]), stride=2)
    array([[[  1.,  10., 102.,  20., 200.]]])
    """
    x = np.asarray(x)
    w = np.asarray(w)
    N, C = x.shape[:2]
    Fg = w.shape[1]
    spatial, kernel, ndim, s, d, pads = _conv_geometry(x, w, stride, padding, dilation)
    op = _expand(output_padding, ndim)
    Cg = C // groups
    F = Fg * groups
    out_shape = tuple((spatial[i] - 1) * s[i] - pads[i][0] - pads[i][1]
                      + d[i] * (kernel[i] - 1) + op[i] + 1 for i in range(ndim))
    y = np.zeros((N, F) + out_shape, dtype=_result_dtype(x, w))
    for n in range(N):
        for c in range(C):
            g = c // Cg
            for i in itertools.product(*[range(m) for m in spatial]):
                for f in range(Fg):
                    for t in itertools.product(*[range(k) for k in kernel]):
                        pos = tuple(i[a] * s[a] + t[a] * d[a] - pads[a][0] for a in range(ndim))
                        if all(0 <= pos[a] < out_shape[a] for a in range(ndim)):
                            y[(n, g * Fg + f) + pos] += x[(n, c) + i] * w[(c, f) + t]
    if bias is not None:
        for f in range(F):
            y[:, f] += bias[f]
    return y


def pool_layer(x, kernel_size, stride=None, padding=0, dilation=1, mode="max",
               ceil_mode=False, count_include_pad=True):
    """Max or average pooling by the definition (PyTorch's ``max_pool``/``avg_pool``).

    Window ``o`` reads positions ``o*s + t*d - p_lo`` for every tap ``t``.  Max pooling
    ignores positions outside the input.  Average pooling divides the sum of the real
    elements by the number of taps inside ``[-p_lo, n + p_hi)`` when
    ``count_include_pad`` is true, else by the number of taps inside ``[0, n)``.
    With ``ceil_mode`` the output length rounds up, but a window that would start in
    the high-side padding (``o*s >= n + p_lo``) is dropped.  ``stride`` defaults to
    ``kernel_size``.

    >>> x = np.array([[[1.0, 5.0, 2.0, 4.0, 3.0]]])
    >>> pool_layer(x, 2, ceil_mode=True)
    array([[[5., 4., 3.]]])
    >>> pool_layer(x, 2, mode='avg', padding=1)
    array([[[0.5, 3.5, 3.5]]])
    """
    x = np.asarray(x)
    N, C = x.shape[:2]
    spatial = x.shape[2:]
    ndim = len(spatial)
    kernel = _expand(kernel_size, ndim)
    s = kernel if stride is None else _expand(stride, ndim)
    d = _expand(dilation, ndim)
    pads = _pairs(padding, kernel, d)
    out_shape = []
    for i in range(ndim):
        span = spatial[i] + pads[i][0] + pads[i][1] - d[i] * (kernel[i] - 1) - 1
        m = (-(-span // s[i]) if ceil_mode else span // s[i]) + 1
        if ceil_mode and (m - 1) * s[i] >= spatial[i] + pads[i][0]:
            m -= 1
        out_shape.append(m)
    out_shape = tuple(out_shape)
    y = np.zeros((N, C) + out_shape, dtype=_result_dtype(x))
    for n in range(N):
        for c in range(C):
            for o in itertools.product(*[range(m) for m in out_shape]):
                values = []
                in_padded = 0
                for t in itertools.product(*[range(k) for k in kernel]):
                    pos = tuple(o[a] * s[a] + t[a] * d[a] - pads[a][0] for a in range(ndim))
                    if all(-pads[a][0] <= pos[a] < spatial[a] + pads[a][1] for a in range(ndim)):
                        in_padded += 1
                    if all(0 <= pos[a] < spatial[a] for a in range(ndim)):
                        values.append(float(x[(n, c) + pos]))
                if mode == "max":
                    y[(n, c) + o] = max(values)
                elif mode == "avg":
                    divisor = in_padded if count_include_pad else len(values)
                    y[(n, c) + o] = sum(values) / divisor
                else:
                    raise ValueError(f"unknown mode {mode!r}")
    return y


def conv_layer_backward(x, w, grad_out, stride=1, padding=0, dilation=1, groups=1):
    """Gradients of ``sum(conv_layer(x, w, b, ...) * grad_out)`` by the chain rule, as loops.

    Every term ``x_pad[n, c_in, o*s + t*d] * w[f, c, t]`` of the forward sum sends
    ``grad_out[n, f, o] * w[f, c, t]`` to ``grad_x`` at that input position (nothing for
    a padding position) and ``grad_out[n, f, o] * x[...]`` to ``grad_w[f, c, t]``;
    ``grad_b[f]`` is the sum of ``grad_out[:, f]``.  Zero padding only.

    >>> x = np.array([[[1.0, 2.0, 3.0]]])
    >>> w = np.array([[[1.0, -1.0]]])
    >>> gx, gw, gb = conv_layer_backward(x, w, np.array([[[1.0, 1.0]]]))
    >>> gx, gw, gb
    (array([[[ 1.,  0., -1.]]]), array([[[3., 5.]]]), array([2.]))
    """
    x = np.asarray(x)
    w = np.asarray(w)
    grad_out = np.asarray(grad_out)
    N = x.shape[0]
    F, Cg = w.shape[:2]
    spatial, kernel, ndim, s, d, pads = _conv_geometry(x, w, stride, padding, dilation)
    Fg = F // groups
    out_shape = grad_out.shape[2:]
    dtype = _result_dtype(x, w, grad_out)
    grad_x = np.zeros(x.shape, dtype=dtype)
    grad_w = np.zeros(w.shape, dtype=dtype)
    for n in range(N):
        for f in range(F):
            g = f // Fg
            for o in itertools.product(*[range(m) for m in out_shape]):
                go = grad_out[(n, f) + o]
                for c in range(Cg):
                    for t in itertools.product(*[range(k) for k in kernel]):
                        pos = tuple(o[a] * s[a] + t[a] * d[a] - pads[a][0] for a in range(ndim))
                        if all(0 <= pos[a] < spatial[a] for a in range(ndim)):
                            grad_x[(n, g * Cg + c) + pos] += go * w[(f, c) + t]
                            grad_w[(f, c) + t] += go * x[(n, g * Cg + c) + pos]
    grad_b = grad_out.sum(axis=(0,) + tuple(range(2, grad_out.ndim))).astype(dtype)
    return grad_x, grad_w, grad_b


# --------------------------------------------------------------------------- signals
def _full_correlate(a, v):
    """``c[k] = sum_j a[j + k] * conj(v[j])`` for every shift with overlap (N-D).

    Index ``k`` runs from ``-(m-1)`` to ``n-1`` per axis; entry ``k`` is stored at
    ``k + m - 1``.
    """
    a = np.asarray(a)
    v = np.asarray(v)
    out_shape = tuple(n + m - 1 for n, m in zip(a.shape, v.shape))
    dtype = np.result_type(a.dtype, v.dtype, np.float32)
    c = np.zeros(out_shape, dtype=dtype)
    for k in itertools.product(*[range(-(m - 1), n) for n, m in zip(a.shape, v.shape)]):
        total = 0
        for j in itertools.product(*[range(m) for m in v.shape]):
            src = tuple(jj + kk for jj, kk in zip(j, k))
            if all(0 <= src[i] < a.shape[i] for i in range(a.ndim)):
                total += a[src] * np.conj(v[j])
        c[tuple(kk + m - 1 for kk, m in zip(k, v.shape))] = total
    return c


def _full_convolve(a, v):
    """``y[j] = sum_i a[i] * v[j - i]`` for ``j`` from 0 to ``n + m - 2`` per axis (N-D)."""
    a = np.asarray(a)
    v = np.asarray(v)
    out_shape = tuple(n + m - 1 for n, m in zip(a.shape, v.shape))
    dtype = np.result_type(a.dtype, v.dtype, np.float32)
    y = np.zeros(out_shape, dtype=dtype)
    for j in itertools.product(*[range(L) for L in out_shape]):
        total = 0
        for i in itertools.product(*[range(n) for n in a.shape]):
            src = tuple(jj - ii for jj, ii in zip(j, i))
            if all(0 <= src[q] < v.shape[q] for q in range(v.ndim)):
                total += a[i] * v[src]
        y[j] = total
    return y


def _crop(full, a_shape, v_shape, mode, correlate):
    """Cut numpy's 'full' / 'same' / 'valid' window out of the full result, per axis.

    Per axis with lengths ``n`` (a) and ``m`` (v): 'same' keeps ``max(n, m)`` entries,
    'valid' keeps ``max(n, m) - min(n, m) + 1``; the start offsets are numpy's
    (for 'same': ``(min(n, m) - 1) // 2``, except ``n // 2`` for a correlation whose
    second argument is the longer one; for 'valid': ``min(n, m) - 1``).
    """
    if mode == "full":
        return full
    index = []
    for n, m in zip(a_shape, v_shape):
        if mode == "same":
            length = max(n, m)
            start = n // 2 if (correlate and m > n) else (min(n, m) - 1) // 2
        elif mode == "valid":
            length = max(n, m) - min(n, m) + 1
            start = min(n, m) - 1
        else:
            raise ValueError(f"unknown mode {mode!r}")
        index.append(slice(start, start + length))
    return full[tuple(index)]


def convolve(a, v, mode="full"):
    """Discrete convolution ``y[j] = sum_i a[i] v[j - i]`` by the definition, any rank.

    ``mode`` has ``numpy.convolve``'s meaning, applied per axis.

    >>> convolve([1.0, 2.0, 3.0], [0.0, 1.0, 0.5])
    array([0. , 1. , 2.5, 4. , 1.5])
    """
    a = np.atleast_1d(np.asarray(a))
    v = np.atleast_1d(np.asarray(v))
    return _crop(_full_convolve(a, v), a.shape, v.shape, mode, correlate=False)


def correlate(a, v, mode="valid"):
    """Cross-correlation ``c[k] = sum_j a[j + k] conj(v[j])`` by the definition, any rank.

    ``mode`` has ``numpy.correlate``'s meaning, applied per axis.

    >>> correlate([1.0, 2.0, 3.0], [0.0, 1.0, 0.5], mode='full')
    array([0.5, 2. , 3.5, 3. , 0. ])
    """
    a = np.atleast_1d(np.asarray(a))
    v = np.atleast_1d(np.asarray(v))
    return _crop(_full_correlate(a, v), a.shape, v.shape, mode, correlate=True)


if __name__ == "__main__":  # pragma: no cover - a quick self-check
    import doctest
    doctest.testmod(raise_on_error=True)
