"""``plot_matrix`` and ``plot_kernel``: grids of exact entries.

``plot_matrix`` shows a matrix such as :func:`symconv.conv_matrix` returns as a grid
with one colour per distinct non-zero entry, so the (doubly-block) Toeplitz structure
of a convolution shows as diagonals of one colour; small matrices carry their entries
as labels. ``plot_kernel`` shows a stencil: each weight in its cell (exact), blue for
positive and vermillion for negative weights (stronger for larger magnitude), the
grid offsets on the axes and the cell of offset 0 outlined.
"""

import numpy as np
import sympy as sp
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch, Rectangle

from symconv.errors import SymconvError
from symconv.plot import style
from symconv.plot._canvas import figure_and_axes, styled, tidy_axes
from symconv.plot._draw import panel_title, plain

__all__ = ["plot_matrix", "plot_kernel", "as_exact_grid"]

_MAX_SIDE = 400        # rows or columns drawn
_MAX_LABELS = 600      # cells labelled with their entry
_MAX_COLOURS = len(style.CYCLE)


def as_exact_grid(value, what):
    """A 2-D list of SymPy entries from a Matrix, Array, NumPy array or nested lists."""
    if isinstance(value, sp.MatrixBase):
        return [[value[i, j] for j in range(value.cols)] for i in range(value.rows)]
    if isinstance(value, sp.NDimArray):
        value = value.tolist()
    array = np.asarray(value, dtype=object)
    if array.ndim == 1:
        array = array.reshape(1, -1)
    if array.ndim != 2 or 0 in array.shape:
        raise SymconvError(f"{what}: expected a non-empty 1-D or 2-D array of numbers or "
                           f"SymPy expressions, but got shape {array.shape}")
    try:
        return [[sp.sympify(v, strict=True) for v in row] for row in array.tolist()]
    except (sp.SympifyError, TypeError):
        raise SymconvError(f"{what}: entries must be numbers or SymPy expressions, but got "
                           f"{value!r}") from None


def _text_colour(face, alpha):
    """Black on light cells, white on dark ones (relative luminance, WCAG's formula)."""
    from matplotlib.colors import to_rgb

    channels = [alpha * c + (1 - alpha) for c in to_rgb(face)]   # over white
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "white" if luminance < 0.22 else "black"


def _number(value):
    """A float for a numeric entry, None for a symbolic one."""
    if value.free_symbols:
        return None
    number = complex(sp.N(value))
    return number.real if abs(number.imag) <= 1e-12 * (1 + abs(number.real)) else None


@styled
def plot_matrix(M, *, labels=None, ax=None, title=None):
    """Draw a matrix cell by cell, one colour per distinct non-zero entry.

    Parameters
    ----------
    M : sympy Matrix (dense or sparse), NumPy array or nested lists
        For instance ``symconv.conv_matrix(kernel, input_shape, ...)``.
    labels : bool, optional
        Write each non-zero entry in its cell (default: when the matrix has at most
        600 cells and 40 columns).
    ax : matplotlib Axes, optional
    title : str, optional
        Default: ``'<rows> × <cols>, <k> non-zeros'``.

    Returns
    -------
    matplotlib.figure.Figure
        The cells are one QuadMesh (``gid`` ``'cells'``) whose array holds the colour
        code of each cell: 0 for a zero, ``i >= 1`` for the ``i``-th distinct non-zero
        value (the legend lists them when there are at most eight).

    Examples
    --------
    >>> import sympy as sp, symconv as sc
    >>> x, y, z = sp.symbols('x y z')
    >>> fig = plot_matrix(sc.conv_matrix([x, y, z], 5))
    >>> mesh = [c for c in fig.axes[0].collections if c.get_gid() == 'cells'][0]
    >>> int((mesh.get_array() > 0).sum())
    9
    >>> sorted(t.get_text() for t in fig.axes[0].texts if t.get_gid() == 'entry')[:4]
    ['x', 'x', 'x', 'y']
    """
    grid = as_exact_grid(M, "plot_matrix")
    rows, cols = len(grid), len(grid[0])
    if rows > _MAX_SIDE or cols > _MAX_SIDE:
        raise SymconvError(f"plot_matrix: at most {_MAX_SIDE} rows and columns are drawn, but "
                           f"got a {rows} x {cols} matrix")
    distinct = {entry for row in grid for entry in row if entry != 0}
    values = list(sp.ordered(distinct))
    index = {entry: k + 1 for k, entry in enumerate(values)}
    codes = np.array([[index.get(entry, 0) for entry in row] for row in grid], dtype=int)
    nonzero = int((codes > 0).sum())
    categorical = len(values) <= _MAX_COLOURS
    if categorical:
        colours = [style.CELL_COLORS["zero"]] + style.CYCLE[:len(values)]
    else:
        colours = [style.CELL_COLORS["zero"], style.OKABE_ITO["blue"]]
        codes = (codes > 0).astype(int)

    legend_width = 1.3 if categorical and values else 0.0
    if ax is None:
        cell = min(0.32, (style.WIDTH - 0.9 - legend_width) / cols, 6.5 / rows)
        width = max(cols * cell + 0.9 + legend_width, 3.0)
        height = rows * cell + 0.85
        rect = (0.55 / width, 0.15 / height, cols * cell / width, rows * cell / height)
        fig, ax = figure_and_axes(None, width, height, "plot_matrix", rect=rect)
    else:
        fig, ax = figure_and_axes(ax, what="plot_matrix")
        cell = None
    edge = "#C8C8C8" if max(rows, cols) <= 80 else "face"
    mesh = ax.pcolormesh(np.arange(cols + 1), np.arange(rows + 1), codes,
                         cmap=ListedColormap(colours[:max(codes.max(), 0) + 1] if categorical
                                             else colours),
                         vmin=0, vmax=max(codes.max(), 1), edgecolors=edge, linewidth=0.3,
                         gid="cells")
    mesh.set_array(codes.ravel())
    ax.set_xlim(0, cols)
    ax.set_ylim(rows, 0)
    ax.set_aspect("equal")
    ax.xaxis.tick_top()
    ax.tick_params(labelsize=style.SMALL_FONT_SIZE, length=2)
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(True)
        ax.spines[side].set_linewidth(0.6)
    step_r = max(1, rows // 12)
    step_c = max(1, cols // 12)
    ax.set_yticks(np.arange(0, rows, step_r) + 0.5, labels=[str(i) for i in range(0, rows, step_r)])
    ax.set_xticks(np.arange(0, cols, step_c) + 0.5, labels=[str(j) for j in range(0, cols, step_c)])
    show_labels = labels if labels is not None else (rows * cols <= _MAX_LABELS and cols <= 40)
    if show_labels:
        size = style.SMALL_FONT_SIZE if cell is None else max(4.5, min(8.0, cell * 72 * 0.42))
        for i in range(rows):
            for j in range(cols):
                if grid[i][j] != 0:
                    ax.text(j + 0.5, i + 0.5, plain(grid[i][j], 8), ha="center",
                            va="center", fontsize=size, gid="entry",
                            color=_text_colour(colours[codes[i, j]], 1.0))
    if categorical and values:
        handles = [Patch(facecolor=c, edgecolor="#808080", label=plain(v, 14))
                   for c, v in zip(style.CYCLE, values)]
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0),
                  borderaxespad=0, handlelength=1.2, title="entries",
                  title_fontsize=style.SMALL_FONT_SIZE)
    panel_title(ax, title if title is not None else
                f"{rows} × {cols}, {nonzero} non-zero{'s' if nonzero != 1 else ''}",
                pad=16, size=style.FONT_SIZE)
    return fig


def _kernel_parts(kernel):
    """``(grid, offsets per axis, origin, name)`` for a Kernel or an array of weights."""
    if hasattr(kernel, "weights") and hasattr(kernel, "offsets") and hasattr(kernel, "origin"):
        weights = kernel.weights
        shape = tuple(weights.shape)
        if len(shape) > 2:
            raise SymconvError(f"plot_kernel: kernels of 1 or 2 dimensions can be drawn, but "
                               f"got {len(shape)} ({getattr(kernel, 'name', 'kernel')})")
        grid = as_exact_grid(weights, "plot_kernel")
        offsets = tuple(kernel.offsets)
        origin = tuple(kernel.origin)
        if len(shape) == 1:
            offsets, origin = ((0,), offsets[0]), (0, origin[0])
        name = f"{kernel.name}, form '{getattr(kernel, 'form', 'corr')}'"
        return grid, offsets, origin, name
    grid = as_exact_grid(kernel, "plot_kernel")
    rows, cols = len(grid), len(grid[0])
    return grid, (tuple(range(rows)), tuple(range(cols))), None, None


@styled
def plot_kernel(kernel, *, ax=None, title=None):
    """Draw a 1-D or 2-D kernel (stencil) with its exact weights.

    Parameters
    ----------
    kernel : symconv Kernel, sympy Matrix/Array, NumPy array or nested lists
        A :class:`~symconv.nn.kernels.Kernel` (from :func:`symconv.derivative_kernel` and
        friends) brings its grid offsets, the cell of offset 0 and its name.
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        One Rectangle per cell (``gid`` ``'weight-<row>-<col>'``, coloured unless the
        weight is 0), one Text per weight (``gid`` ``'weight'``) and, for a Kernel, an
        outline around offset 0 (``gid`` ``'origin'``).

    Examples
    --------
    >>> import symconv as sc
    >>> fig = plot_kernel(sc.derivative_kernel(1, accuracy=4))
    >>> [t.get_text() for t in fig.axes[0].texts if t.get_gid() == 'weight']
    ['1/12', '−2/3', '0', '2/3', '−1/12']
    >>> [t.get_text() for t in fig.axes[0].get_xticklabels()]
    ['−2', '−1', '0', '1', '2']
    """
    grid, offsets, origin, name = _kernel_parts(kernel)
    rows, cols = len(grid), len(grid[0])
    if rows > 25 or cols > 25:
        raise SymconvError(f"plot_kernel: at most 25 x 25 weights are drawn, but got "
                           f"{rows} x {cols}")
    numbers = [[_number(v) for v in row] for row in grid]
    finite = [abs(n) for row in numbers for n in row if n is not None]
    largest = max(finite) if finite else 0.0
    new = ax is None
    if new:
        cell = min(0.62, (style.WIDTH - 1.0) / cols, 4.5 / rows)
        width = max(cols * cell + 1.0, 5.0)
        height = rows * cell + 0.95 + (0.18 if name and len(name) > 70 else 0)
        rect = ((width - cols * cell) / 2 / width, 0.45 / height, cols * cell / width,
                rows * cell / height)
        fig, ax = figure_and_axes(None, width, height, "plot_kernel", rect=rect)
    else:
        fig, ax = figure_and_axes(ax, what="plot_kernel")
        cell = 0.5
    size = max(6.0, min(10.0, cell * 72 * 0.3))
    for i in range(rows):
        for j in range(cols):
            number = numbers[i][j]
            if number is None:
                face, alpha = "#D9D9D9", 1.0
            elif number == 0:
                face, alpha = style.CELL_COLORS["zero"], 1.0
            else:
                face = style.CELL_COLORS["positive" if number > 0 else "negative"]
                alpha = 0.2 + 0.6 * abs(number) / largest
            ax.add_patch(Rectangle((j, i), 1, 1, facecolor=face, alpha=alpha, edgecolor="none",
                                   gid=f"weight-{i}-{j}"))
            ax.add_patch(Rectangle((j, i), 1, 1, facecolor="none",
                                   edgecolor=style.CELL_COLORS["edge"], linewidth=0.7))
            ax.text(j + 0.5, i + 0.5, plain(grid[i][j], 10), ha="center", va="center",
                    fontsize=size, gid="weight", color=_text_colour(face, alpha))
    if origin is not None and 0 <= origin[0] < rows and 0 <= origin[1] < cols:
        ax.add_patch(Rectangle((origin[1], origin[0]), 1, 1, facecolor="none",
                               edgecolor=style.OKABE_ITO["black"], linewidth=2.2, gid="origin",
                               zorder=4))
    ax.set_xlim(0, cols)
    ax.set_ylim(rows, 0)
    ax.set_aspect("equal")
    ax.set_xticks(np.arange(cols) + 0.5, labels=[plain(o) for o in offsets[1]])
    ax.set_yticks(np.arange(rows) + 0.5, labels=[plain(o) for o in offsets[0]])
    tidy_axes(ax)
    ax.tick_params(length=0)
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)
    if rows == 1:
        ax.set_yticks([])
    label = "offset" if origin is not None else "index"
    ax.set_xlabel(f"{label} along the last axis" if rows > 1 else label,
                  fontsize=style.SMALL_FONT_SIZE)
    text = title if title is not None else name
    if text is not None:
        if new:
            import textwrap

            fig.text(0.5, 1 - 0.08 / fig.get_figheight(), "\n".join(textwrap.wrap(text, 70)),
                     ha="center", va="top", fontsize=style.FONT_SIZE, gid="title")
        else:
            panel_title(ax, text, pad=5, size=style.FONT_SIZE)
    return fig
