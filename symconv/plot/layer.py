"""``plot_layer``: convolution-arithmetic diagrams of one layer, direct or transposed.

The picture follows Dumoulin and Visin's guide: the input grid (blue) with its zero
padding (white, dashed), the window of kernel taps that computes one output entry
(orange, dilation gaps included) and the output grid (green) with that entry
highlighted. A transposed convolution is drawn as the direct convolution it equals:
stride 1 over the input with ``s - 1`` zeros inserted between neighbours and
``d*(k - 1) - p`` zeros of padding on each side (grey cells where that number is
negative and the padding crops), the kernel flipped. The caption gives the size
formula with the layer's numbers substituted; the sizes come from
:func:`symconv.conv_output_size` and :func:`symconv.conv_transpose_output_size`.

References
----------
V. Dumoulin and F. Visin, *A guide to convolution arithmetic for deep learning*,
arXiv:1603.07285 (2016).
"""

from dataclasses import dataclass

from matplotlib.patches import FancyArrowPatch, Rectangle

import symconv as sc
from symconv.errors import SymconvError
from symconv.plot import style
from symconv.plot._canvas import figure_and_axes, styled
from symconv.plot._draw import plain

__all__ = ["plot_layer", "layer_geometry", "Axis"]

_MAX_CELLS = 40       # cells per side of the drawn input grid
_CELL = 0.26          # inches per cell in a new figure
_GAP = 2.2            # cells between the input and the output grid


def _per_dim(value, ndim, name, minimum):
    values = value if isinstance(value, (tuple, list)) else (value,) * ndim
    if len(values) != ndim:
        raise SymconvError(f"plot_layer: {name} must be an int or one int per dimension "
                           f"({ndim}), but got {value!r}")
    out = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, int) or v < minimum:
            raise SymconvError(f"plot_layer: {name} must be an integer >= {minimum} (or one "
                               f"per dimension), but got {value!r}")
        out.append(v)
    return tuple(out)


def _paddings(padding, ndim, sizes, kernel, stride, dilation):
    """Per dimension ``(lo, hi)`` from an int, pairs, 'valid' or 'same'."""
    if padding == "valid":
        return ((0, 0),) * ndim
    if padding == "same":
        return tuple(tuple(sc.same_padding(k, s, d, n=n))
                     for n, k, s, d in zip(sizes, kernel, stride, dilation))
    if isinstance(padding, int) and not isinstance(padding, bool):
        items = (padding,) * ndim
    elif isinstance(padding, (tuple, list)) and len(padding) == 2 and ndim == 1 and all(
            isinstance(p, int) for p in padding):
        items = (tuple(padding),)
    elif isinstance(padding, (tuple, list)) and len(padding) == ndim:
        items = tuple(padding)
    else:
        raise SymconvError(f"plot_layer: padding must be an int, 'same', 'valid', or one int "
                           f"or (lo, hi) pair per dimension ({ndim}), but got {padding!r}")
    out = []
    for item in items:
        pair = tuple(item) if isinstance(item, (tuple, list)) else (item, item)
        if len(pair) != 2 or not all(isinstance(p, int) and not isinstance(p, bool) and p >= 0
                                     for p in pair):
            raise SymconvError(f"plot_layer: padding entries must be integers >= 0 or (lo, hi) "
                               f"pairs of them, but got {padding!r}")
        out.append(pair)
    return tuple(out)


@dataclass(frozen=True)
class Axis:
    """The geometry of one dimension of the diagram.

    ``cells`` lists, from the first drawn cell to the last, what each one is
    (``'input'``, ``'padding'``, ``'inserted'`` or ``'cropped'``); ``sources`` gives the
    input index of each ``'input'`` cell (None elsewhere); ``window`` the drawn cells
    that the highlighted window covers; ``output`` the output length; ``caption`` the
    size formula with numbers substituted.
    """

    cells: tuple
    sources: tuple
    window: tuple
    output: int
    caption: str


def layer_geometry(n, k, s, pad, d, transposed, output_padding, at):
    """One dimension's :class:`Axis` (sizes from the library's shape functions).

    >>> g = layer_geometry(5, 3, 2, (1, 1), 1, False, 0, 0)
    >>> g.cells
    ('padding', 'input', 'input', 'input', 'input', 'input', 'padding')
    >>> g.window, g.output
    ((0, 1, 2), 3)
    >>> g = layer_geometry(3, 3, 2, (1, 1), 1, True, 0, 1)
    >>> g.cells
    ('padding', 'input', 'inserted', 'input', 'inserted', 'input', 'padding')
    >>> g.sources, g.window, g.output
    ((None, 0, None, 1, None, 2, None), (1, 2, 3), 5)
    """
    lo, hi = pad
    if not transposed:
        out = sc.conv_output_size(n, k, s, (lo, hi), d)
        cells = ["padding"] * lo + ["input"] * n + ["padding"] * hi
        sources = [None] * lo + list(range(n)) + [None] * hi
        window = tuple(at * s + d * m for m in range(k))
        pads = f"{lo} + {hi}" if lo != hi else f"2·{lo}"
        pad_name = "p_lo + p_hi" if lo != hi else "2p"
        caption = (f"o = ⌊(n + {pad_name} − d(k − 1) − 1)/s⌋ + 1"
                   f"\n   = ⌊({n} + {pads} − {d}·({k} − 1) − 1)/{s}⌋ + 1 = {out}")
        return Axis(tuple(cells), tuple(sources), window, out, caption)
    out = sc.conv_transpose_output_size(n, k, s, (lo, hi), output_padding, d)
    implicit_lo = d * (k - 1) - lo
    implicit_hi = d * (k - 1) - hi + output_padding
    last = (n - 1) * s                         # stretched position of the last input
    first_drawn = min(0, -implicit_lo)
    last_drawn = max(last, last + implicit_hi)
    cells, sources = [], []
    for q in range(first_drawn, last_drawn + 1):
        used = -implicit_lo <= q <= last + implicit_hi
        if not used:
            cells.append("cropped")
        elif 0 <= q <= last and q % s == 0:
            cells.append("input")
        elif 0 <= q <= last:
            cells.append("inserted")
        else:
            cells.append("padding")
        sources.append(q // s if (0 <= q <= last and q % s == 0) else None)
    start = -implicit_lo - first_drawn        # drawn index of the first used cell
    window = tuple(start + at + d * m for m in range(k))
    pads = f"{lo} − {hi}" if lo != hi else f"2·{lo}"
    pad_name = "p_lo − p_hi" if lo != hi else "2p"
    caption = (f"o = (n − 1)s − {pad_name} + d(k − 1) + output_padding + 1"
               f"\n   = ({n} − 1)·{s} − {pads} + {d}·({k} − 1) + {output_padding} + 1 = {out}")
    return Axis(tuple(cells), tuple(sources), window, out, caption)


_FACE = {kind: style.CELL_COLORS[kind]
         for kind in ("input", "padding", "inserted", "cropped", "output", "selected")}


def _cell_kind(kinds):
    if "cropped" in kinds:
        return "cropped"
    if "padding" in kinds:
        return "padding"
    if "inserted" in kinds:
        return "inserted"
    return "input"


def _draw_grid(ax, x0, rows, cols, kind_of, y_top):
    edge = style.CELL_COLORS["edge"]
    for r in range(rows):
        for c in range(cols):
            kind = kind_of(r, c)
            dashed = kind in ("padding", "inserted")
            selected = kind == "selected"
            ax.add_patch(Rectangle((x0 + c, y_top - r - 1), 1, 1, facecolor=_FACE[kind],
                                   edgecolor=(style.OKABE_ITO["black"] if selected else
                                              edge if kind != "cropped" else "#B0B0B0"),
                                   linewidth=1.3 if selected else 0.6,
                                   linestyle="--" if dashed else "-", zorder=3 if selected else 1,
                                   gid=f"{kind}-{r}-{c}"))


@styled
def plot_layer(input_shape, kernel_size, stride=1, padding=0, dilation=1, *, transposed=False,
               output_padding=0, at=None, ax=None):
    """Draw a convolution (or transposed convolution) layer as a grid diagram.

    Parameters
    ----------
    input_shape : int or tuple of one or two ints
        The spatial input size (1-D or 2-D; channels are not drawn).
    kernel_size, stride, dilation : int or tuple
        Per dimension or one for all (PyTorch's meaning).
    padding : int, (lo, hi), per-dimension tuple, 'same' or 'valid'
        Zero padding of the direct convolution; for ``transposed=True`` the padding the
        transposed layer removes (PyTorch's ``ConvTranspose`` argument).
    transposed : bool, default False
        Draw ``ConvTranspose`` as a stride-1 convolution over the zero-inserted input.
    output_padding : int or tuple, default 0
        Transposed only: extra rows/columns at the high end.
    at : int or tuple, optional
        The output position whose window is highlighted (default the first, 0).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
        Cells are Rectangle patches with ``gid`` ``'<kind>-<row>-<col>'``; kinds are
        ``input``, ``padding``, ``inserted``, ``cropped``, ``window`` (the highlighted
        taps, one per kernel entry), ``output`` and ``selected``.

    Raises
    ------
    SymconvError
        For invalid sizes (the message of :func:`symconv.conv_output_size` or
        :func:`symconv.conv_transpose_output_size`), an output position outside the
        output, or a grid too large to draw (more than 40 cells per side).

    Examples
    --------
    >>> fig = plot_layer((5, 5), 3, stride=2, padding=1)
    >>> ax = fig.axes[0]
    >>> sum(p.get_gid().startswith('window-') for p in ax.patches)
    9
    >>> sum(p.get_gid().startswith('output-') or p.get_gid().startswith('selected-')
    ...     for p in ax.patches)
    9
    >>> plot_layer((5, 5), 3, stride=2, padding=1, at=(3, 0))
    Traceback (most recent call last):
    ...
    symconv.errors.SymconvError: plot_layer: at must be an output position with 0 <= at < (3, 3) per dimension, but got (3, 0)
    """
    shape = (input_shape,) if isinstance(input_shape, int) else input_shape
    if not isinstance(shape, (tuple, list)) or len(shape) not in (1, 2):
        raise SymconvError(f"plot_layer: input_shape must be an int or a tuple of one or two "
                           f"ints (spatial sizes), but got {input_shape!r}")
    ndim = len(shape)
    sizes = _per_dim(tuple(shape), ndim, "input_shape", 1)
    kernel = _per_dim(kernel_size, ndim, "kernel_size", 1)
    strides = _per_dim(stride, ndim, "stride", 1)
    dilations = _per_dim(dilation, ndim, "dilation", 1)
    extra = _per_dim(output_padding, ndim, "output_padding", 0)
    if not transposed and any(extra):
        raise SymconvError(f"plot_layer: output_padding applies to transposed=True only, "
                           f"but got output_padding={output_padding!r}")
    if transposed and padding in ("same", "valid"):
        raise SymconvError(f"plot_layer: a transposed layer's padding must be an int or "
                           f"(lo, hi) pairs, but got {padding!r}")
    pads = _paddings(padding, ndim, sizes, kernel, strides, dilations)
    position = (0,) * ndim if at is None else ((at,) if isinstance(at, int) else tuple(at))
    # output sizes first (the library's rules raise on impossible layers)
    outputs = [geometry.output for geometry in (
        layer_geometry(n, k, s, p, d, transposed, op, 0)
        for n, k, s, p, d, op in zip(sizes, kernel, strides, pads, dilations, extra))]
    if len(position) != ndim or not all(isinstance(i, int) and not isinstance(i, bool)
                                        and 0 <= i < o for i, o in zip(position, outputs)):
        raise SymconvError(f"plot_layer: at must be an output position with 0 <= at < "
                           f"{tuple(outputs) if ndim > 1 else outputs[0]} per dimension, but "
                           f"got {at!r}")
    axes_geo = [layer_geometry(n, k, s, p, d, transposed, op, i)
                for n, k, s, p, d, op, i in zip(sizes, kernel, strides, pads, dilations, extra,
                                                position)]
    if ndim == 1:
        rows_geo, cols_geo = None, axes_geo[0]
    else:
        rows_geo, cols_geo = axes_geo
    in_rows = len(rows_geo.cells) if rows_geo else 1
    in_cols = len(cols_geo.cells)
    out_rows = rows_geo.output if rows_geo else 1
    out_cols = cols_geo.output
    if max(in_rows, in_cols, out_rows, out_cols) > _MAX_CELLS:
        raise SymconvError(f"plot_layer: the diagram draws every cell, so at most {_MAX_CELLS} "
                           f"per side, but this layer needs {max(in_rows, in_cols)} x "
                           f"{max(out_rows, out_cols)}")

    # caption: the layer, then one size formula per distinct dimension
    kind = "transposed convolution" if transposed else "convolution"
    lines = [f"{kind}: kernel {'×'.join(map(str, kernel))}, stride {'×'.join(map(str, strides))}"
             + (f", dilation {'×'.join(map(str, dilations))}" if any(d > 1 for d in dilations)
                else "")
             + (f", output_padding {'×'.join(map(str, extra))}" if any(extra) else "")]
    if ndim == 1 or axes_geo[0].caption == axes_geo[1].caption:
        lines[0] += "; the same size rule along both axes" if ndim == 2 else ""
        lines.append(axes_geo[0].caption)
    else:
        lines += [f"height: {axes_geo[0].caption}", f"width: {axes_geo[1].caption}"]
    lines = "\n".join(lines).split("\n")
    if transposed:
        def same(values):
            return str(values[0]) if len(set(values)) == 1 else "×".join(map(str, values))

        def sides(k, d, p, op):
            lo, hi = d * (k - 1) - p[0], d * (k - 1) - p[1] + op
            return plain(lo) if lo == hi else f"{plain(lo)}:{plain(hi)}"

        inserted = same([s - 1 for s in strides])
        implicit = same([sides(k, d, p, op) for k, d, p, op in zip(kernel, dilations, pads,
                                                                       extra)])
        cropped = "cropped" in cols_geo.cells + (rows_geo.cells if rows_geo else ())
        lines.append(f"drawn as the equal stride-1 convolution: s − 1 = {inserted} zero(s) "
                     f"inserted between inputs,")
        lines.append(f"d(k − 1) − p = {implicit} zero(s) of padding per side"
                     + (" (negative: the grey cells are cropped)" if cropped else "")
                     + ", the kernel flipped")

    width_cells = in_cols + _GAP + out_cols
    height_cells = max(in_rows, out_rows)
    line = 0.19                                   # inches per caption line
    caption_inches = line * len(lines) + 0.15
    if ax is None:
        cell = min(_CELL, (style.WIDTH - 0.4) / width_cells)
        label_inches = 0.3
        fig_height = 0.1 + height_cells * cell + label_inches + caption_inches
        grid_width = width_cells * cell
        rect = ((style.WIDTH - grid_width) / 2 / style.WIDTH,
                (caption_inches + label_inches) / fig_height,
                grid_width / style.WIDTH, height_cells * cell / fig_height)
        fig, ax = figure_and_axes(None, style.WIDTH, fig_height, "plot_layer", rect=rect)
        fig.text(0.2 / style.WIDTH, caption_inches / fig_height, "\n".join(lines), ha="left",
                 va="top", fontsize=style.SMALL_FONT_SIZE, linespacing=1.6,
                 gid="caption")
    else:
        fig, ax = figure_and_axes(ax, what="plot_layer")
        ax.set_title("\n".join(lines), loc="left", fontsize=style.SMALL_FONT_SIZE,
                     linespacing=1.5, gid="caption")

    top = height_cells - (height_cells - in_rows) / 2

    def input_kind(r, c):
        kinds = [cols_geo.cells[c]] + ([rows_geo.cells[r]] if rows_geo else [])
        return _cell_kind(kinds)

    _draw_grid(ax, 0, in_rows, in_cols, input_kind, top)
    # the window: one highlighted cell per kernel tap
    window_rows = rows_geo.window if rows_geo else (0,)
    for r in window_rows:
        for c in cols_geo.window:
            ax.add_patch(Rectangle((c, top - r - 1), 1, 1, facecolor=style.CELL_COLORS["window"],
                                   alpha=0.5, edgecolor=style.OKABE_ITO["black"], linewidth=1.3,
                                   gid=f"window-{r}-{c}", zorder=3))
    out_top = height_cells - (height_cells - out_rows) / 2
    x_out = in_cols + _GAP
    selected = (position[0], position[1]) if ndim == 2 else (0, position[0])
    _draw_grid(ax, x_out, out_rows, out_cols,
               lambda r, c: "selected" if (r, c) == selected else "output", out_top)
    r, c = selected
    # an arrow from the window to the output entry it computes
    wr = sum(window_rows) / len(window_rows)
    wc = sum(cols_geo.window) / len(cols_geo.window)
    ax.add_patch(FancyArrowPatch((wc + 0.5, top - wr - 0.5), (x_out + c + 0.5, out_top - r - 0.5),
                                 arrowstyle="-|>", mutation_scale=9, linewidth=0.9,
                                 color=style.OKABE_ITO["black"], alpha=0.55,
                                 connectionstyle="arc3,rad=-0.25", zorder=4, gid="arrow",
                                 shrinkA=2, shrinkB=6))
    in_text = "×".join(str(v) for v in sizes)
    out_text = "×".join(str(v) for v in (outputs if ndim == 2 else outputs[:1]))
    pad_values = sorted({lo for lo, _ in pads} | {hi for _, hi in pads})
    pad_text = (str(pad_values[0]) if len(pad_values) == 1 else
                ", ".join(f"{lo}" if lo == hi else f"{lo}:{hi}" for lo, hi in pads))
    label = f"input {in_text}"
    if any(map(any, pads)):
        label += f", padding {pad_text}" + (" (removed)" if transposed else "")
    ax.text(in_cols / 2, top - in_rows - 0.3, label, ha="center", va="top",
            fontsize=style.SMALL_FONT_SIZE + 0.5)
    ax.text(x_out + out_cols / 2, out_top - out_rows - 0.3, f"output {out_text}",
            ha="center", va="top", fontsize=style.SMALL_FONT_SIZE + 0.5)
    ax.set_xlim(-0.1, width_cells + 0.1)
    ax.set_ylim(-0.05, height_cells + 0.05)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_clip_on(False)
    return fig
