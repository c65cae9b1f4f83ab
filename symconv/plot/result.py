"""``plot_result``: a checked convolution or correlation, drawn with its verification.

A :class:`symconv.verify.Checked` (what ``conv(..., verify=True)`` returns) holds the
closed form and the cross-check report, not the signals, so the signals are passed
again; the figure is :func:`symconv.plot.plot_signals` with the checked value as the
result (nothing is recomputed), the operation taken from the report, and a line under
the result panel saying how the value was verified.

This is symconv's ``result.plot()``: ``Checked`` lives in the verify layer, which must
not import the plot layer (``tests/test_import_layers.py``), so the picture of a
checked result is a function of the plot layer that takes the result, rather than a
method of the result.
"""

from symconv.errors import SymconvError
from symconv.plot import style
from symconv.plot.signals import plot_signals

__all__ = ["plot_result"]


def _verification_line(report):
    agree = getattr(report, "agree", None)
    if agree is None:
        parts = [f"verification: {getattr(report, 'status', None) or 'none'}"]
    else:
        parts = ["verified: agrees with the NumPy executor" if agree else
                 "verification FAILED: disagrees with the NumPy executor"]
    max_error, tolerance = getattr(report, "max_error", None), getattr(report, "tolerance", None)
    if max_error is not None and tolerance is not None:
        try:
            parts.append(f"max error {float(max_error):.2g} (tolerance {float(tolerance):.2g})")
        except (TypeError, ValueError):
            pass
    seed = getattr(report, "seed", None)
    if seed is not None:
        parts.append(f"seed {seed}")
    return "; ".join(parts)


def plot_result(checked, f, g, var=None, *, subs=None, xlim=None, ax=None, names=("f", "g")):
    """Plot a checked result: f, g and the checked closed form, with its verification.

    Parameters
    ----------
    checked : symconv.verify.Checked
        What ``symconv.conv(f, g, var, verify=True)`` (or ``corr``) returned.
    f, g, var
        The signals and variable it was computed from.
    subs, xlim, ax, names
        As in :func:`symconv.plot.plot_signals`.

    Returns
    -------
    matplotlib.figure.Figure
        The figure of :func:`plot_signals`, plus a text artist with ``gid``
        ``'verification'`` stating the status, the largest error, the tolerance and the
        seed of the cross-check.

    Examples
    --------
    >>> import sympy as sp, symconv as sc
    >>> from symconv.plot import plot_result
    >>> t = sp.Symbol('t', real=True)
    >>> checked = sc.conv(sc.rect(t), sc.rect(t), t, verify=True)
    >>> fig = plot_result(checked, sc.rect(t), sc.rect(t), t)
    >>> [x.get_text() for x in fig.texts if x.get_gid() == 'verification'][0][:41]
    'verified: agrees with the NumPy executor;'
    >>> plot_result(checked.value, sc.rect(t), sc.rect(t), t)
    Traceback (most recent call last):
    ...
    symconv.errors.SymconvError: plot_result: checked must be a Checked result (conv(..., verify=True)), but got Piecewise
    """
    value, report = getattr(checked, "value", None), getattr(checked, "report", None)
    if value is None or report is None or not hasattr(report, "op"):
        raise SymconvError("plot_result: checked must be a Checked result (conv(..., "
                           f"verify=True)), but got {type(checked).__name__}")
    op = report.op if report.op in ("conv", "corr") else "conv"
    fig = plot_signals(f, g, var, op=op, subs=subs, result=value, xlim=xlim, ax=ax,
                       names=names)
    fig.text(0.01, 0.005, _verification_line(report), ha="left", va="bottom",
             fontsize=style.SMALL_FONT_SIZE, color=style.SIGNAL_COLORS["guide"],
             gid="verification")
    return fig
