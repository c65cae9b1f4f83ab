"""Figures to bytes and files: PNG, SVG or PDF, chosen by name; animations to GIF or HTML.

The output is reproducible: no creation date is written and SVG ids are salted with a
fixed string, so rebuilding the book gives byte-identical figures when nothing changed.

>>> from matplotlib.figure import Figure
>>> fig = Figure(figsize=(2, 1))
>>> _ = fig.add_subplot().plot([0, 1], [0, 1])
>>> figure_bytes(fig, "svg")[:5], figure_bytes(fig, "pdf")[:5], figure_bytes(fig, "png")[1:4]
(b'<?xml', b'%PDF-', b'PNG')
>>> figure_bytes(fig, "jpg")
Traceback (most recent call last):
...
symconv.errors.SymconvError: figure format must be one of pdf, png, svg, but got 'jpg'
"""

import io
import pathlib

from symconv.errors import SymconvError
from symconv.plot import style
from symconv.plot._canvas import style_context

__all__ = ["figure_bytes", "save_figure", "save_animation", "format_of"]

_METADATA = {
    "pdf": {"Creator": "symconv", "Producer": None, "CreationDate": None},
    "svg": {"Creator": "symconv", "Date": None},
    "png": {"Software": "symconv"},
}
_ANIMATION_FORMATS = ("gif", "html")


_FIGURE_FORMATS = tuple(sorted(style.FORMATS))


def format_of(path, allowed=_FIGURE_FORMATS):
    """The file format named by ``path``'s suffix (``'conv.svg'`` -> ``'svg'``).

    >>> format_of("figures/layer.PNG")
    'png'
    >>> format_of("layer")
    Traceback (most recent call last):
    ...
    symconv.errors.SymconvError: output file name must end in .pdf, .png or .svg, but got 'layer'
    """
    suffix = pathlib.PurePath(str(path)).suffix.lower().lstrip(".")
    if suffix not in allowed:
        names = [f".{a}" for a in allowed]
        expected = ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0]
        raise SymconvError(f"output file name must end in {expected}, but got {str(path)!r}")
    return suffix


def _check_format(fmt):
    if not isinstance(fmt, str) or fmt.lower() not in style.FORMATS:
        raise SymconvError(f"figure format must be one of {', '.join(sorted(style.FORMATS))}, "
                           f"but got {fmt!r}")
    return fmt.lower()


def figure_bytes(fig, format="pdf", *, dpi=None):
    """Render ``fig`` and return the file's bytes.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        Any figure (one of symconv's, or the caller's own).
    format : {'pdf', 'png', 'svg'}, default 'pdf'
    dpi : float, optional
        Raster resolution for PNG (default :data:`symconv.plot.style.DPI`).

    Returns
    -------
    bytes
    """
    fmt = _check_format(format)
    buffer = io.BytesIO()
    with style_context():
        fig.savefig(buffer, format=fmt, dpi=dpi or style.DPI, metadata=_METADATA[fmt])
    return buffer.getvalue()


def save_figure(fig, path, *, format=None, dpi=None):
    """Write ``fig`` to ``path`` in the format its suffix names (or ``format``).

    The parent directory must exist. Returns the path as a :class:`pathlib.Path`.
    """
    path = pathlib.Path(path)
    fmt = _check_format(format) if format is not None else format_of(path)
    data = figure_bytes(fig, fmt, dpi=dpi)
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise SymconvError(f"cannot write the figure to {str(path)!r}: {exc.strerror}") from None
    return path


def save_animation(animation, path, *, fps=10, dpi=100):
    """Write a matplotlib animation as a GIF (Pillow) or a self-contained HTML page.

    Neither needs an external program: GIFs come from matplotlib's ``PillowWriter``
    (Pillow is a dependency of matplotlib), HTML from ``Animation.to_jshtml`` (the
    frames embedded as PNG, with JavaScript controls).
    """
    from matplotlib.animation import PillowWriter

    path = pathlib.Path(path)
    fmt = format_of(path, _ANIMATION_FORMATS)
    with style_context():
        try:
            if fmt == "gif":
                animation.save(str(path), writer=PillowWriter(fps=fps), dpi=dpi)
            else:
                path.write_text(animation.to_jshtml(fps=fps), encoding="utf-8")
        except OSError as exc:
            raise SymconvError(f"cannot write the animation to {str(path)!r}: "
                               f"{exc.strerror}") from None
    return path
