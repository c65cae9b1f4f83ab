r"""Plain gradient descent on one convolution layer, with the numeric executor.

The layer has one output channel: ``Y_hat = X ⋆ w (+ b)``. The loss is the sum (or the
mean) of the squared residuals, and every step moves the kernel against the gradient
that :func:`symconv.numeric.conv_layer_backward` returns:

.. math::

    L(w, b) = c \sum_o (\hat y_o - y_o)^2, \qquad
    w \leftarrow w - \eta \, \partial L / \partial w, \qquad
    b \leftarrow b - \eta \, \partial L / \partial b,

with ``c = 1`` for ``loss='sum'`` and ``c = 1/m`` (``m`` outputs) for ``loss='mean'``.
"""

from dataclasses import dataclass

import numpy as np

import symconv.numeric as sn

from ._inputs import as_steps, exact_lr, exact_number, initial_weight, problem

__all__ = ["learn_kernel", "Trajectory", "UNIFORM_SCALE"]

#: half-width of the default random start ``init='uniform'``: U(-0.07, 0.07), the
#: default initialiser of MXNet Gluon layers (the seed notebook's framework)
UNIFORM_SCALE = 0.07


@dataclass(frozen=True, repr=False)
class Trajectory:
    """The history of a gradient-descent run (what :func:`learn_kernel` returns).

    Attributes
    ----------
    losses : numpy.ndarray, shape (steps + 1,)
        ``losses[k]`` is the loss at the parameters after ``k`` updates, ``L(θ_k)``.
        A notebook that prints the loss computed inside step ``s`` (before that
        step's update) prints ``losses[s - 1]``; see :attr:`step_losses`.
    weights : numpy.ndarray, shape (steps + 1, kh, kw) or (steps + 1, C, kh, kw)
        The kernel after ``k`` updates (the channel axis only for ``C > 1``).
    biases : numpy.ndarray of shape (steps + 1,), or None
        The bias after ``k`` updates when it is learned.
    lr : sympy.Rational
        The learning rate, exactly as given (``0.05`` is ``1/20``).
    loss : {'sum', 'mean'}
    """

    losses: np.ndarray
    weights: np.ndarray
    biases: object
    lr: object
    loss: str

    @property
    def steps(self):
        """Number of updates made."""
        return len(self.losses) - 1

    @property
    def step_losses(self):
        """The loss computed in steps ``1 .. steps`` (before each update): ``losses[:-1]``."""
        return self.losses[:-1]

    @property
    def weight(self):
        """The final kernel."""
        return self.weights[-1]

    @property
    def diverged(self):
        """True when the loss overflowed or is larger at the end than at the start."""
        return not np.isfinite(self.losses[-1]) or self.losses[-1] > self.losses[0]

    def __repr__(self):
        return (f"<Trajectory: {self.steps} step(s) at lr {self.lr}, loss {self.loss} "
                f"{self.losses[0]:.6g} -> {self.losses[-1]:.6g}>")


def learn_kernel(X, Y, kernel_shape, lr, steps, bias=False, loss="sum", init="zeros", *,
                 init_bias=0.0, seed=0):
    r"""Learn a kernel by plain gradient descent on one convolution layer.

    Every step runs the layer forward with :func:`symconv.numeric.conv_layer`, takes
    the gradient of the squared loss with :func:`symconv.numeric.conv_layer_backward`
    and updates the parameters:

    .. math::

        r = X \star w + b - Y, \quad L = c \lVert r \rVert^2, \quad
        w \leftarrow w - \eta \, (X \star 2 c\, r), \quad b \leftarrow b - \eta \sum 2 c\, r.

    Parameters
    ----------
    X : array_like, shape (h, w) or (N, C, h, w)
        The image (or a batch of images with ``C`` channels). Entries must be rational
        numbers (floats are read as the decimal they print as).
    Y : array_like, shape (h - kh + 1, w - kw + 1) or (N, 1, oh, ow)
        The target output.
    kernel_shape : (int, int)
        ``(kh, kw)``; the layer's weight is ``(1, C, kh, kw)``.
    lr : number
        The learning rate ``η > 0``.
    steps : int
        Number of updates.
    bias : bool, default False
        Learn a bias too. With False the layer has no bias at all (the seed notebook
        ignored its bias, which stays at its initial value 0).
    loss : {'sum', 'mean'}, default 'sum'
        ``c = 1`` (the sum of the squared residuals: what backpropagating a tensor of
        squared errors computes) or ``c = 1/m`` over the ``m`` outputs.
    init : {'zeros', 'uniform'} or array_like, default 'zeros'
        The starting kernel: zeros, uniform on ``(-0.07, 0.07)`` (drawn with ``seed``;
        MXNet's default initialiser), or given.
    init_bias : float, default 0.0
        The starting bias (used only with ``bias=True``).
    seed : int, default 0
        Seed of the random start ``init='uniform'``.

    Returns
    -------
    Trajectory
        Loss, weight (and bias) after every update. An exploding run overflows to
        ``inf``/``nan`` silently (it is expected there).

    Examples
    --------
    Learn ``K = [1, -1]`` from the row ``[0, 1, 1, 0]``. The Hessian's eigenvalues are
    6 and 2 (``symconv.learn.analyze``), so ``lr = 1/4`` contracts both modes by 1/2 per
    step and the loss falls by 4 per step:

    >>> run = learn_kernel([[0, 1, 1, 0]], [[-1, 0, 1]], (1, 2), 0.25, 20)
    >>> run
    <Trajectory: 20 step(s) at lr 1/4, loss sum 2 -> 1.81899e-12>
    >>> run.losses[:4]
    array([2.     , 0.5    , 0.125  , 0.03125])
    >>> np.round(run.weight, 4)
    array([[ 1., -1.]])
    """
    prob = problem(X, Y, kernel_shape, bias, loss)
    eta_exact = exact_lr(lr)
    steps = as_steps(steps)
    eta = float(eta_exact)
    x, y = prob.x_float(), prob.y_float()
    c = float(prob.scale)
    w = initial_weight(init, prob, seed, UNIFORM_SCALE)
    b = np.array([float(exact_number(init_bias, "init_bias"))]) if bias else None
    losses, weights, biases = [], [], []
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(steps + 1):
            residual = sn.conv_layer(x, w, b) - y
            losses.append(c * float(np.sum(residual * residual)))
            weights.append(w.copy())
            if bias:
                biases.append(float(b[0]))
            if k == steps:
                break
            _, grad_w, grad_b = sn.conv_layer_backward(x, w, 2.0 * c * residual)
            w = w - eta * grad_w
            if bias:
                b = b - eta * grad_b
    shape = prob.kernel_shape if prob.channels == 1 else prob.weight_shape[1:]
    return Trajectory(np.array(losses), np.array(weights).reshape((steps + 1,) + shape),
                      np.array(biases) if bias else None, eta_exact, loss)
