"""``plot_architecture``: feature-map sizes through a network, layer by layer.

Two bar charts share the layers along the horizontal axis: the spatial size of each
layer's output (height; the full ``C×H×W`` written on the bar) and its channels or
features (logarithmic scale). The sizes are the rows of the table that
:func:`symconv.infer_shapes` returns; a table with symbolic sizes is first evaluated
at the values given in ``subs`` (``ShapeTable.substitute``).
"""

import numpy as np
import sympy as sp
from matplotlib.patches import Patch

import symconv as sc
from symconv.errors import SymconvError
from symconv.plot import style
from symconv.plot._canvas import axes_list, styled, tidy_axes
from symconv.plot._draw import panel_title

__all__ = ["plot_architecture", "KIND_COLORS", "HIDDEN_KINDS"]

KIND_COLORS = {
    "input": style.OKABE_ITO["black"],
    "conv": style.OKABE_ITO["blue"],
    "conv_transpose": style.OKABE_ITO["orange"],
    "pool": style.OKABE_ITO["sky_blue"],
    "adaptive_pool": style.OKABE_ITO["purple"],
    "residual": style.OKABE_ITO["green"],
    "flatten": "#999999",
    "linear": style.OKABE_ITO["vermillion"],
}
# layers that keep the shape and carry no size information: left out by default
HIDDEN_KINDS = ("activation", "dropout", "batchnorm")
_MAX_BARS = 80


def _shape_text(shape):
    return "×".join(str(v) for v in shape[1:])


def _as_table(table, input_shape, subs):
    if not hasattr(table, "rows") or not hasattr(table, "input_shape"):
        table = sc.infer_shapes(table, input_shape)
    elif input_shape is not None:
        raise SymconvError("plot_architecture: input_shape is used with a network name or "
                           "layer list only, but got a shape table as well")
    symbols = list(getattr(table, "symbols", []))
    if symbols:
        if not subs:
            names = ", ".join(s.name for s in symbols)
            smallest = getattr(table, "smallest", None) or {}
            hint = (" (the smallest valid: " + ", ".join(f"{k}={v}" for k, v in smallest.items())
                    + ")") if smallest else ""
            raise SymconvError(f"plot_architecture: the sizes are symbolic in {names}; give "
                               f"subs={{{', '.join(f'{s.name}: ...' for s in symbols)}}}"
                               f"{hint}, but got none")
        table = table.substitute(subs)
    elif subs:
        raise SymconvError(f"plot_architecture: subs applies to symbolic sizes, but this "
                           f"table has none (got subs={subs!r})")
    return table


@styled
def plot_architecture(table, *, subs=None, input_shape=None, depth=0, hide=HIDDEN_KINDS,
                      ax=None):
    """Bar charts of the output size of every layer of a network.

    Parameters
    ----------
    table : ShapeTable, str, Architecture or list of layers
        What :func:`symconv.infer_shapes` returns, or anything it accepts (then called
        with ``input_shape``).
    subs : mapping, optional
        Values of the symbolic input sizes (``{'n': 64}``); required when there are any.
    input_shape : tuple, optional
        Passed to :func:`symconv.infer_shapes` when ``table`` is not a table.
    depth : int, default 0
        Deepest nesting level shown (0: the top-level layers and residual blocks).
    hide : tuple of str, default ('activation', 'dropout', 'batchnorm')
        Layer kinds left out (they keep the shape).
    ax : sequence of two matplotlib Axes, optional
        Panels for the spatial size and the channels.

    Returns
    -------
    matplotlib.figure.Figure
        Bars carry ``gid`` ``'spatial-<i>'`` and ``'channels-<i>'``, ``i = 0`` being the
        input; layers whose output has no spatial axis (after ``flatten``) have a
        channels bar only.

    Examples
    --------
    >>> fig = plot_architecture('lenet5')
    >>> bars = [p for p in fig.axes[1].patches if (p.get_gid() or '').startswith('channels-')]
    >>> [int(b.get_height()) for b in bars]
    [1, 6, 6, 16, 16, 400, 120, 84, 10]
    >>> plot_architecture('lenet5', input_shape=(1, 'n', 'n'))
    Traceback (most recent call last):
    ...
    symconv.errors.SymconvError: plot_architecture: the sizes are symbolic in n; give subs={n: ...} (the smallest valid: n=32), but got none
    """
    table = _as_table(table, input_shape, subs)
    rows = [row for row in table.rows if row.depth <= depth and row.kind not in hide]
    entries = [("input", "input", tuple(table.input_shape))] + [
        (row.name, row.kind, tuple(row.output_shape)) for row in rows]
    if len(entries) > _MAX_BARS:
        raise SymconvError(f"plot_architecture: at most {_MAX_BARS} layers are drawn, but "
                           f"{len(entries)} are selected; lower depth= or hide more kinds")
    for name, _, shape in entries:
        if not all(isinstance(v, (int, np.integer, sp.Integer)) for v in shape):
            raise SymconvError(f"plot_architecture: sizes must be integers, but layer "
                               f"{name!r} has {shape}")
    count = len(entries)
    fig, (top, bottom) = axes_list(ax, 2, "plot_architecture", panel_height=1.55,
                                   title_lines=[1.3, 0.3], bottom=1.05, left=1.0)
    x = np.arange(count)
    for i, (name, kind, shape) in enumerate(entries):
        colour = KIND_COLORS.get(kind, style.OKABE_ITO["yellow"])
        if len(shape) >= 3:
            height = int(shape[2])
            top.bar(i, height, width=0.7, color=colour, gid=f"spatial-{i}")
            top.text(i, height, " " + _shape_text(shape), rotation=90, ha="center",
                     va="bottom", fontsize=style.SMALL_FONT_SIZE - 1)
        bottom.bar(i, int(shape[1]), width=0.7, color=colour, gid=f"channels-{i}")
    top.set_ylabel("height H", fontsize=style.SMALL_FONT_SIZE + 1)
    bottom.set_ylabel("channels C\n/ features", fontsize=style.SMALL_FONT_SIZE + 1)
    bottom.set_yscale("log")
    # plain labels (1, 10, 100, ...) and no minor ticks: the default log ticks are math
    # text and dozens of minor ticks, which tripled the time to render
    from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

    bottom.yaxis.set_major_locator(LogLocator(base=10, numticks=6))
    bottom.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    bottom.yaxis.set_minor_locator(NullLocator())
    # room above the bars for their rotated C×H×W labels (about 0.055 inch per character)
    tallest = max([int(shape[2]) for _, _, shape in entries if len(shape) >= 3], default=1)
    longest = max([len(_shape_text(shape)) for _, _, shape in entries if len(shape) >= 3],
                  default=0)
    share = min(0.6, (0.055 * longest + 0.08) / 1.55)
    top.set_ylim(0, tallest / (1 - share))
    bottom.set_xticks(x, labels=[name for name, _, _ in entries], rotation=60, ha="right",
                      rotation_mode="anchor", fontsize=style.SMALL_FONT_SIZE - (count > 30))
    bottom.set_xlim(-0.6, count - 0.4)
    top.set_xlim(-0.6, count - 0.4)
    top.set_xticks(x)
    top.tick_params(labelbottom=False)
    for axis in (top, bottom):
        tidy_axes(axis)
    kinds = list(dict.fromkeys(kind for _, kind, _ in entries))
    most = max(int(shape[1]) for _, _, shape in entries)
    bottom.set_ylim(top=most * 12)
    bottom.legend(handles=[Patch(color=KIND_COLORS.get(k, style.OKABE_ITO["yellow"]),
                              label=k.replace("_", " ")) for k in kinds],
               loc="upper left", ncols=min(4, len(kinds)), fontsize=style.SMALL_FONT_SIZE - 1,
               handlelength=1.0, columnspacing=1.0)
    params = table.total_params
    params_text = f"{params:,}" if isinstance(params, int) else str(params)
    panel_title(top, f"{table.name}: input {_shape_text(table.input_shape)} (batch "
                     f"{table.input_shape[0]}), {params_text} parameters", pad=4)
    return fig
