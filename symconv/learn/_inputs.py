"""The learning problem's data, validated once (internal).

Gradient descent (:mod:`symconv.learn._descent`) and the exact analysis
(:mod:`symconv.learn._least_squares`) read the same problem: an image batch ``X``,
a target ``Y``, a kernel shape, the loss and whether a bias is learned. This module
checks those arguments and keeps every number twice: exactly (SymPy ``Rational``) for
the analysis and as ``float64`` for the numeric executor. Nothing here computes a
convolution.
"""

import math
import numbers
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import sympy as sp

from symconv.errors import ShapeError, SymconvError

__all__ = ["LOSSES", "Problem", "problem", "exact_number", "exact_lr", "as_steps"]

#: the two losses: the sum of the squared residuals, or their mean over the outputs
LOSSES = ("sum", "mean")


def exact_number(value, name):
    """A rational number as a SymPy ``Rational``; a float by its shortest decimal form.

    The float ``0.05`` is read as ``1/20`` (its ``repr``), not as the binary fraction
    closest to it, because that is the number the user typed.

    >>> exact_number(0.05, "lr"), exact_number(3, "x"), exact_number(Fraction(1, 3), "x")
    (1/20, 3, 1/3)
    >>> exact_number("1/2", "lr")
    Traceback (most recent call last):
    ...
    symconv.errors.SymconvError: lr must be a rational number (int, float, Fraction or SymPy Rational), but got '1/2'
    """
    what = f"{name} must be a rational number (int, float, Fraction or SymPy Rational)"
    if isinstance(value, bool):
        raise SymconvError(f"{what}, but got {value!r}")
    if isinstance(value, sp.Basic):
        if value.is_Rational:
            return value
        if value.is_Float:
            value = float(value)
        else:
            raise SymconvError(f"{what}, but got {value!r}")
    if isinstance(value, numbers.Integral):
        return sp.Integer(int(value))
    if isinstance(value, Fraction):
        return sp.Rational(value.numerator, value.denominator)
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(value):
            raise SymconvError(f"{name} must be a finite number, but got {value!r}")
        return sp.Rational(repr(float(value)))
    raise SymconvError(f"{what}, but got {value!r}")


def exact_lr(lr):
    """The learning rate as a positive ``Rational``.

    >>> exact_lr(0.05)
    1/20
    >>> exact_lr(0)
    Traceback (most recent call last):
    ...
    symconv.errors.SymconvError: lr must be a positive number, but got 0
    """
    value = exact_number(lr, "lr")
    if not value > 0:
        raise SymconvError(f"lr must be a positive number, but got {lr!r}")
    return value


def as_steps(steps, name="steps"):
    """A number of steps: an int >= 0."""
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral):
        raise SymconvError(f"{name} must be an integer >= 0, but got {steps!r}")
    if steps < 0:
        raise SymconvError(f"{name} must be an integer >= 0, but got {steps}")
    return int(steps)


def _nested(value, name):
    """Any array-like as a NumPy object array of exact Rationals."""
    if isinstance(value, str):
        raise SymconvError(f"{name} must be an array of numbers, but got the string {value!r}")
    if isinstance(value, sp.MatrixBase):
        value = value.tolist()
    elif isinstance(value, sp.NDimArray):
        value = value.tolist()
    try:
        arr = np.array(value, dtype=object)
    except ValueError:
        raise SymconvError(f"{name} must be a rectangular array of numbers, but got a ragged "
                           "nested list") from None
    if arr.size == 0:
        raise SymconvError(f"{name} must not be empty, but got shape {arr.shape}")
    out = np.empty(arr.shape, dtype=object)
    for idx, v in np.ndenumerate(arr):
        if isinstance(v, (list, tuple)):
            raise SymconvError(f"{name} must be a rectangular array of numbers, but got a ragged "
                               "nested list")
        out[idx] = exact_number(v, f"every entry of {name}")
    return out


def _batch(value, name, layout):
    arr = _nested(value, name)
    if arr.ndim == 2:
        return arr[None, None]
    if arr.ndim == 4:
        return arr
    raise ShapeError(f"{name} must be a 2-D image (h, w) or a batch {layout}, "
                     f"but got {arr.ndim} dimension(s) (shape {arr.shape})")


def kernel_shape_pair(kernel_shape):
    """``(kh, kw)`` from a pair (or a single int for a square kernel)."""
    if isinstance(kernel_shape, numbers.Integral) and not isinstance(kernel_shape, bool):
        kernel_shape = (kernel_shape, kernel_shape)
    if not isinstance(kernel_shape, (tuple, list)) or len(kernel_shape) != 2 or any(
            isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 1
            for k in kernel_shape):
        raise SymconvError("kernel_shape must be a pair of integers >= 1 (kh, kw), "
                           f"but got {kernel_shape!r}")
    return int(kernel_shape[0]), int(kernel_shape[1])


@dataclass(frozen=True)
class Problem:
    """A validated problem: ``x`` (N, C, h, w) and ``y`` (N, 1, oh, ow) as exact object
    arrays, the kernel shape, whether a bias is learned and the loss."""

    x: np.ndarray
    y: np.ndarray
    kernel_shape: tuple
    bias: bool
    loss: str

    @property
    def channels(self):
        return self.x.shape[1]

    @property
    def weight_shape(self):
        """The layer weight ``(1, C, kh, kw)`` (one output channel)."""
        return (1, self.channels) + self.kernel_shape

    @property
    def outputs(self):
        """``m``: how many outputs the loss adds up (N * oh * ow)."""
        return int(np.prod(self.y.shape))

    @property
    def scale(self):
        """``c`` in ``L = c * sum of squared residuals``: 1 for 'sum', 1/m for 'mean'."""
        return sp.Integer(1) if self.loss == "sum" else sp.Rational(1, self.outputs)

    @property
    def parameters(self):
        """Number of learned numbers (kernel entries, plus one for a bias)."""
        return int(np.prod(self.weight_shape)) + int(self.bias)

    def x_float(self):
        return self.x.astype(float)

    def y_float(self):
        return self.y.astype(float)


def problem(X, Y, kernel_shape, bias=False, loss="sum"):
    """Check the data of a kernel-learning problem; returns a :class:`Problem`.

    ``Y=None`` stands for a zero target (when only the windows of ``X`` matter).

    >>> p = problem([[1, 2, 3]], [[5, 8]], (1, 2))
    >>> p.weight_shape, p.outputs, p.scale, p.parameters
    ((1, 1, 1, 2), 2, 1, 2)
    >>> problem([[1, 2, 3]], [[5, 8, 1]], (1, 2))
    Traceback (most recent call last):
    ...
    symconv.errors.ShapeError: Y must have the output shape (1, 1, 1, 2) of a (1, 2) kernel on X of shape (1, 1, 1, 3), but got shape (1, 1, 1, 3)
    """
    if loss not in LOSSES:
        raise SymconvError(f"loss must be one of 'sum', 'mean', but got {loss!r}")
    if not isinstance(bias, (bool, np.bool_)):
        raise SymconvError(f"bias must be True or False, but got {bias!r}")
    x = _batch(X, "X", "(N, C, h, w)")
    kh, kw = kernel_shape_pair(kernel_shape)
    N, C, h, w = x.shape
    if kh > h or kw > w:
        raise ShapeError(f"kernel_shape must fit in the image: ({kh}, {kw}) does not fit in "
                         f"{h} x {w}")
    expected = (N, 1, h - kh + 1, w - kw + 1)
    if Y is None:  # only the design matters (no target yet)
        return Problem(x, np.full(expected, sp.Integer(0), dtype=object), (kh, kw), bool(bias),
                       loss)
    y = _batch(Y, "Y", "(N, 1, oh, ow)")
    if y.shape != expected:
        raise ShapeError(f"Y must have the output shape {expected} of a ({kh}, {kw}) kernel on "
                         f"X of shape {x.shape}, but got shape {y.shape}")
    return Problem(x, y, (kh, kw), bool(bias), loss)


def initial_weight(init, prob, seed, scale):
    """The starting kernel as a float array of the layer's weight shape."""
    shape = prob.weight_shape
    if isinstance(init, str):
        if init == "zeros":
            return np.zeros(shape)
        if init == "uniform":
            rng = np.random.default_rng(seed)
            return rng.uniform(-scale, scale, size=shape)
        raise SymconvError(f"init must be 'zeros', 'uniform' or an array of shape "
                           f"{prob.kernel_shape}, but got {init!r}")
    arr = _nested(init, "init").astype(float)
    if arr.size != int(np.prod(shape)) or arr.shape not in (shape, shape[1:], shape[2:]):
        expected = prob.kernel_shape if prob.channels == 1 else shape[1:]
        raise ShapeError(f"init must have the kernel shape {expected}, but got shape {arr.shape}")
    return arr.reshape(shape)
