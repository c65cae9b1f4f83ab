"""``plot_loss_curve``: the loss of a gradient-descent run, step by step.

The measured losses (a :class:`symconv.learn.Trajectory` or plain numbers) are drawn as
markers joined by a line; the losses an exact analysis predicts (for instance
:meth:`symconv.learn.LeastSquares.predicted_losses`) as a dashed line over them, so a
reader sees at once whether the run does what the analysis says. A loss that grows or
shrinks by orders of magnitude is drawn on a logarithmic axis.

This module takes plain arrays; it does not import :mod:`symconv.learn` (a
``Trajectory`` is read through its ``losses`` attribute).
"""

import math

import numpy as np

from symconv.errors import SymconvError
from symconv.plot import style
from symconv.plot._canvas import figure_and_axes, styled, tidy_axes
from symconv.plot._draw import panel_title

__all__ = ["plot_loss_curve"]

_MAX_STEPS = 100_000


def _losses(value, what):
    losses = getattr(value, "losses", value)
    try:
        array = np.array([float(v) for v in losses], dtype=float)
    except (TypeError, ValueError):
        raise SymconvError(f"plot_loss_curve: {what} must be a Trajectory or a sequence of "
                           f"numbers, but got {type(value).__name__}") from None
    if not 1 <= array.size <= _MAX_STEPS:
        raise SymconvError(f"plot_loss_curve: {what} must have 1 to {_MAX_STEPS} losses, but "
                           f"got {array.size}")
    if (array < 0).any():
        raise SymconvError(f"plot_loss_curve: {what} must be losses (numbers >= 0), but "
                           f"got {float(array[array < 0][0])!r}")
    return array


@styled
def plot_loss_curve(trajectory, predicted=None, *, log=None, title=None, ax=None):
    """Plot the loss after each update of a gradient-descent run.

    Parameters
    ----------
    trajectory : symconv.learn.Trajectory or sequence of numbers
        What :func:`symconv.learn.learn_kernel` returns, or the losses themselves:
        ``losses[k]`` is the loss after ``k`` updates (``k = 0`` is the start). Values
        that overflowed (``inf``, ``nan``: a diverged run) are left as gaps.
    predicted : sequence of numbers, optional
        The losses an analysis predicts for the same steps (e.g.
        ``LeastSquares.predicted_losses(lr, steps, init=..., seed=...)``), drawn dashed;
        it may be shorter or longer than the run.
    log : bool, optional
        Logarithmic loss axis; by default when the positive losses span more than two
        orders of magnitude (losses of exactly 0 are then left out).
    title : str, optional
        Default: the number of steps and the first and last loss.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
        The run's line has ``gid`` ``'losses'``, the prediction ``'predicted'``.

    Examples
    --------
    >>> from symconv.plot import plot_loss_curve
    >>> fig = plot_loss_curve([4.0, 1.0, 0.25, 0.0625], predicted=[4, 1, 0.25, 0.0625])
    >>> [line.get_gid() for line in fig.axes[0].lines]
    ['losses', 'predicted']
    >>> plot_loss_curve([1.0, -0.5])
    Traceback (most recent call last):
    ...
    symconv.errors.SymconvError: plot_loss_curve: the run's losses must be losses (numbers >= 0), but got -0.5
    """
    losses = _losses(trajectory, "the run's losses")
    expected = None if predicted is None else _losses(predicted, "predicted")
    every = np.concatenate([losses, expected]) if expected is not None else losses
    finite = every[np.isfinite(every)]
    positive = finite[finite > 0]
    if log is None:
        log = positive.size > 0 and positive.max() > 100 * positive.min()
    fig, axis = figure_and_axes(ax, width=style.WIDTH, height=2.6, what="plot_loss_curve",
                                rect=(0.13, 0.19, 0.83, 0.68))

    def shown(values):
        values = values.copy()
        values[~np.isfinite(values)] = np.nan
        if log:
            values[values <= 0] = np.nan
        return values

    steps = np.arange(losses.size)
    marker = "o" if losses.size <= 60 else None
    axis.plot(steps, shown(losses), color=style.SIGNAL_COLORS["f"], marker=marker,
              markersize=3.5, linewidth=1.4, gid="losses", label="gradient descent (measured)")
    if expected is not None:
        axis.plot(np.arange(expected.size), shown(expected), color=style.SIGNAL_COLORS["g"],
                  linestyle="--", linewidth=1.4, gid="predicted", label="exact prediction")
    if log:
        axis.set_yscale("log")
        from matplotlib.ticker import LogLocator, NullLocator

        axis.yaxis.set_major_locator(LogLocator(base=10, numticks=6))
        axis.yaxis.set_minor_locator(NullLocator())
    axis.set_xlabel("update k")
    axis.set_ylabel("loss L(θ_k)")
    axis.set_xlim(-0.02 * max(steps[-1], 1), max(steps[-1], 1) * 1.02)
    tidy_axes(axis)
    axis.legend(loc="best")
    if title is None:
        last = losses[-1]
        trend = ("diverges" if not math.isfinite(last) or last > 10 * max(losses[0], 1e-300)
                 else "converges" if last < losses[0] else "does not decrease")
        title = (f"{losses.size - 1} updates: loss {losses[0]:.4g} → {last:.4g} ({trend})")
    panel_title(axis, title)
    return fig
