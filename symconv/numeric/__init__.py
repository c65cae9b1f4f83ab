r"""The NumPy executor: fast, vectorised layer operations and signal convolutions.

This module is the numeric twin of the exact layers in :mod:`symconv.nn.layers`. It
shares no computation with them (only argument parsing from :mod:`symconv._util.validate`
and integer output-size rules of its own, :mod:`symconv.numeric._sizes`, checked against :mod:`symconv.nn.shapes` by the tests), so that agreement between the
two means something. Arrays are channel-first, as in PyTorch: an input is
``(N, C, *spatial)`` with one, two or three spatial dimensions. float32 and float64
inputs keep their precision: the result has the wider dtype of ``x`` and ``w``
(integer and boolean arrays count as float64), and a bias or output gradient is
cast to it.

Definitions (per spatial dimension; ``s`` stride, ``d`` dilation, ``(p_lo, p_hi)``
padding, ``k`` kernel length, ``G`` groups, ``Cg = C/G``, ``Fg = F/G``, ``g`` the group
of output channel ``f``)::

    conv_layer            y[n, f, o] = b[f] + sum_{c<Cg} sum_t xp[n, g*Cg + c, o*s + t*d] * w[f, c, t]
                          out = floor((n + p_lo + p_hi - d*(k - 1) - 1)/s) + 1
    conv_transpose_layer  y[n, g*Fg + f, i*s + t*d - p_lo] += x[n, c, i] * w[c, f, t]   (scatter)
                          out = (n - 1)*s - p_lo - p_hi + d*(k - 1) + output_padding + 1
    pool_layer            y[n, c, o] = max_t / mean_t of x[n, c, o*s + t*d - p_lo]
    correlate             c[k] = sum_j a[j + k] * conj(v[j])        (numpy.correlate)
    convolve              y[j] = sum_i a[i] * v[j - i]              (numpy.convolve)

``xp`` is the input padded according to ``padding_mode`` ('zeros', 'reflect' without
repeating the edge, 'replicate' repeating it, 'circular' wrapping around). The
transposed convolution is the adjoint of the convolution with the same arguments,
``<conv_layer(x, w), y> = <x, conv_transpose_layer(y, w)>``, which is also why the input
gradient of a convolution is a transposed convolution of the output gradient.

How it is computed
------------------
No Python loop runs over pixels. A layer is a few BLAS matrix products
(:func:`conv_strategy` says which kind):

* ``'im2col'``: for a chunk of images, the window of every tap at every output,
  ``xp[..., o*s + t*d]``, is gathered by one strided copy per tap (straight from the
  input, or all taps at once from a zero-padded copy of the chunk) into a
  ``(C/groups * taps, outputs)`` matrix per image, which is multiplied once by the
  filters, straight into the result. Taken with few channels, with a stride, and where
  its extra copies cost less than the additions and unused positions of 'taps' (1x1
  and 2x2 kernels, small images).
* ``'taps'``: the zero-padded input is flattened into "phase" arrays, one per residue
  of the position modulo the stride, channel-major with the images side by side; the
  windows of a tap are then one contiguous slice of a phase array at a fixed offset,
  read through a row pitch that leaves a few unused columns at the end of each output
  row. The ``k_last`` shifted copies along the last dimension are stacked as rows,
  multiplied once by the filters of every kernel row, and the kernel rows' partial
  results are added with their offsets (3x3 and larger kernels on large images).
* ``'depthwise'`` (one input channel per group): elementwise multiply-adds per tap,
  in cache-sized blocks.

The weight gradient uses the same gathered windows or stacked copies, multiplied by
the output gradient; the input gradient is the transposed convolution. A transposed
convolution is a stride-1 correlation with the flipped kernel; with stride ``s`` it
splits into ``s**D`` of them, one per output phase, each with the taps that reach that
phase (sub-pixel decomposition), so no zero is multiplied and nothing is scattered.
When every phase's taps cover the same window (a kernel of ``s*(E + 1)`` taps, e.g.
k4 s2), the phases are one correlation with ``s**D`` times the filters, each phase
then copied to its strided place in the output. Pooling is an elementwise maximum or
sum over strided views, one per tap.

:func:`correlate` / :func:`convolve` sum directly or by FFT (:func:`signal_method`
says which 'auto' picks). The direct sum adds small kernels tap by tap (a multiply-add
of a shifted view, in cache-sized blocks); larger kernels become matrix products: the
outputs along the last axis are cut into blocks of ``P``, and each block is a row of
``P + m - 1`` inputs (an overlapping strided view) times a ``(P + m - 1, P)`` banded
Toeplitz matrix of the kernel. The FFT path (``numpy.fft.rfftn``) pads both signals
to a length ``2**i 3**j 5**k >= n + m - 1`` per axis.

The large temporaries (padded inputs, stacked copies, partial products) live in
scratch memory that each thread keeps between calls: allocating them afresh costs a
page fault per page, about a quarter of a layer's time. Results never share it.

Examples
--------
>>> import numpy as np
>>> import symconv.numeric as sn
>>> x = np.arange(16.0).reshape(1, 1, 4, 4)
>>> sn.conv_layer(x, np.ones((1, 1, 2, 2)), stride=2)
array([[[[10., 18.],
         [42., 50.]]]])
>>> sn.pool_layer(x, 2, mode='max')
array([[[[ 5.,  7.],
         [13., 15.]]]])
>>> sn.correlate([1.0, 2.0, 3.0], [0.0, 1.0, 0.5], mode='same')
array([2. , 3.5, 3. ])
"""

from symconv.numeric import _workspace, layers, signal  # noqa: F401 - submodules
from symconv.numeric.layers import (
                                    conv_layer,
                                    conv_layer_backward,
                                    conv_strategy,
                                    conv_transpose_layer,
                                    pool_layer,
)
from symconv.numeric._threads import get_threads, set_threads
from symconv.numeric.signal import convolve, correlate, signal_method

__all__ = [
    "conv_layer",
    "conv_transpose_layer",
    "pool_layer",
    "conv_layer_backward",
    "convolve",
    "correlate",
    "conv_strategy",
    "signal_method",
    "set_threads",
    "get_threads",
]
