"""Pictures of convolution: signals, flip-and-slide, layer diagrams, matrices, networks.

============================  ==========================================================
:func:`plot_signals`          f, g and their convolution or correlation, stacked
:func:`plot_flip_and_slide`   f(τ), g(t − τ) and the shaded product at a few t; animated
:func:`plot_layer`            convolution-arithmetic grid diagram of one (transposed) layer
:func:`plot_matrix`           a convolution matrix cell by cell, one colour per entry
:func:`plot_kernel`           a stencil with its exact weights and offsets
:func:`plot_architecture`     output sizes through a network (from ``infer_shapes``)
:func:`plot_loss_curve`       the loss of a gradient-descent run, with the exact prediction
:func:`plot_result`           a checked ``conv``/``corr`` result: f, g and the result
============================  ==========================================================

Every function returns a :class:`matplotlib.figure.Figure` (a notebook shows it) and
accepts ``ax=`` to draw into axes the caller owns. Write a figure with
:func:`save_figure` (PNG, SVG or PDF by the file name) or get its bytes with
:func:`figure_bytes`.

Decisions
---------
* matplotlib is a **runtime dependency** of symconv (``pip install .`` brings it), so
  the solutions book built by the README's first command always has its figures.
* No global state is touched: figures are :class:`matplotlib.figure.Figure` objects
  with their own Agg canvas (file output works on headless machines), ``pyplot`` is
  never imported, ``plt.show`` never called, and the user's backend and ``rcParams``
  are left as they were (the style is applied with ``rc_context`` while drawing and
  saving only).
* One look everywhere: :mod:`symconv.plot.style` holds the colour-blind-safe
  Okabe–Ito palette, the fonts and sizes.

>>> import sympy as sp, symconv as sc
>>> from symconv.plot import plot_signals, figure_bytes
>>> t = sp.Symbol('t', real=True)
>>> fig = plot_signals(sc.rect(t), sc.rect(t), t)
>>> figure_bytes(fig, "svg")[:5]
b'<?xml'
"""

from symconv.plot.architecture import plot_architecture
from symconv.plot.flip_slide import plot_flip_and_slide
from symconv.plot.layer import plot_layer
from symconv.plot.loss import plot_loss_curve
from symconv.plot.matrix import plot_kernel, plot_matrix
from symconv.plot.result import plot_result
from symconv.plot.output import figure_bytes, save_animation, save_figure
from symconv.plot.signals import plot_signals

__all__ = [
    "plot_signals", "plot_flip_and_slide", "plot_layer", "plot_matrix", "plot_kernel",
    "plot_architecture", "plot_loss_curve", "plot_result", "figure_bytes", "save_figure", "save_animation",
]
