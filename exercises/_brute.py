"""Deliberately naive reference computations (plain loops over Python lists).

They share nothing with the library: no shape rule, no padding parser, no matrix
builder. The exercises compare the library's answers with them exactly, so a bug in a
library routine cannot hide behind another library routine. Entries may be ints,
Fractions or SymPy expressions; every function returns nested Python lists.
"""

import itertools

import sympy as sp

__all__ = ["corr2d", "corr1d", "conv1d_full", "transposed1d", "pool2d", "count_windows",
           "corr2d_matrix", "pad1d", "transposed_length", "im2col"]


def _rows(X):
    if isinstance(X, sp.MatrixBase):
        return [list(X.row(i)) for i in range(X.rows)]
    return [list(r) for r in X]


def corr2d(X, K):
    """``Y[i][j] = sum_a sum_b X[i+a][j+b] K[a][b]`` over every window that fits."""
    X, K = _rows(X), _rows(K)
    kh, kw = len(K), len(K[0])
    out = []
    for i in range(len(X) - kh + 1):
        row = []
        for j in range(len(X[0]) - kw + 1):
            total = 0
            for a in range(kh):
                for b in range(kw):
                    total += X[i + a][j + b] * K[a][b]
            row.append(sp.expand(total))
        out.append(row)
    return out


def pad1d(x, lo, hi):
    return [0] * lo + list(x) + [0] * hi


def corr1d(x, k, stride=1, padding=0):
    """``y[o] = sum_m xp[o*stride + m] k[m]`` for every window start inside the padded input."""
    xp = pad1d(x, padding, padding)
    out = []
    start = 0
    while start + len(k) <= len(xp):
        out.append(sp.expand(sum(xp[start + m] * k[m] for m in range(len(k)))))
        start += stride
    return out


def conv1d_full(a, b):
    """``y[n] = sum_k a[k] b[n-k]`` for n = 0 .. len(a)+len(b)-2."""
    out = [0] * (len(a) + len(b) - 1)
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            out[i + j] += x * y
    return [sp.expand(v) for v in out]


def transposed1d(x, k, stride=1, padding=0, output_padding=0):
    """Scatter: every input sample adds ``x[i] * k`` starting at ``i*stride``; overlaps add.
    Then ``padding`` entries are cut from both ends and ``output_padding`` zeros appended."""
    full = [0] * ((len(x) - 1) * stride + len(k) + output_padding)
    for i, xi in enumerate(x):
        for m, km in enumerate(k):
            full[i * stride + m] += xi * km
    out = full[padding:len(full) - padding]
    return [sp.expand(v) for v in out]


def transposed_length(n, k, stride, padding, output_padding=0):
    """Length of :func:`transposed1d`'s output, found by running it on ones."""
    return len(transposed1d([1] * n, [1] * k, stride, padding, output_padding))


def pool2d(X, size, stride, mode):
    """Max or mean over ``size x size`` windows, windows ``stride`` apart, no padding."""
    X = _rows(X)
    out = []
    i = 0
    while i + size <= len(X):
        row = []
        j = 0
        while j + size <= len(X[0]):
            window = [X[i + a][j + b] for a in range(size) for b in range(size)]
            row.append(sp.Max(*window) if mode == "max" else sp.Add(*window) / len(window))
            j += stride
        out.append(row)
        i += stride
    return out


def count_windows(n, k, stride, pad_lo, pad_hi=None):
    """How many window starts ``0, s, 2s, ...`` keep a k-window inside the padded input."""
    pad_hi = pad_lo if pad_hi is None else pad_hi
    length = n + pad_lo + pad_hi
    return sum(1 for start in range(0, length, stride) if start + k <= length)


def corr2d_matrix(K, shape):
    """The matrix M with ``vec(corr2d(X, K)) = M vec(X)`` (row-major), built by loops."""
    K = _rows(K)
    h, w = shape
    kh, kw = len(K), len(K[0])
    oh, ow = h - kh + 1, w - kw + 1
    M = [[0] * (h * w) for _ in range(oh * ow)]
    for i, j in itertools.product(range(oh), range(ow)):
        for a, b in itertools.product(range(kh), range(kw)):
            M[i * ow + j][(i + a) * w + (j + b)] += K[a][b]
    return M


def im2col(X, kh, kw):
    """One row per output position holding that window's entries (row-major)."""
    X = _rows(X)
    rows = []
    for i in range(len(X) - kh + 1):
        for j in range(len(X[0]) - kw + 1):
            rows.append([X[i + a][j + b] for a in range(kh) for b in range(kw)])
    return rows
