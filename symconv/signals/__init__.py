"""Signals and their convolution in closed form (SymPy).

* :mod:`~symconv.signals.functions` -- ``u``, ``delta``, ``rect``, ``tri``, ``ramp``,
  ``flip``, ``shift``;
* :mod:`~symconv.signals.continuous` -- ``(f*g)(t) = ∫ f(τ) g(t−τ) dτ`` and the
  cross-correlation, by pieces, Laplace transforms or SymPy's integrator;
* :mod:`~symconv.signals.discrete` -- ``(x*h)[n] = Σ_k x[k] h[n−k]``: geometric
  sequences, finite sequences (``conv_seq``), periodic and circular convolution.

The engines return the closed form or the unevaluated ``Integral``/``Sum``; checking a
result against the numeric executor is a layer above (:func:`symconv.conv` with
``verify=True``, :mod:`symconv.verify`).
"""

from symconv.signals.continuous import conv, corr
from symconv.signals.discrete import conv_discrete, conv_seq, corr_discrete, corr_seq
from symconv.signals.functions import delta, flip, ramp, rect, shift, tri, u

__all__ = ["u", "delta", "rect", "tri", "ramp", "flip", "shift",
           "conv", "corr", "conv_seq", "corr_seq", "conv_discrete", "corr_discrete"]
