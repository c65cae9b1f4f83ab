"""Drawing one signal on an axes: a curve, stems, or impulse arrows; and math labels.

Every artist gets a ``gid`` naming its role (``'f'``, ``'g'``, ``'result'``, with
suffixes ``-stems`` and ``-impulse``): SVG output writes it as the element's ``id``,
and tests find the artists by it.
"""

import numpy as np
import sympy as sp

from symconv.plot import style

__all__ = ["draw_signal", "math_text", "fits_mathtext", "plain", "plain_formula", "panel_title"]

_PARSER = None


def fits_mathtext(text):
    """Whether matplotlib's mathtext can typeset ``text`` (which may contain ``$...$``)."""
    global _PARSER
    from matplotlib.mathtext import MathTextParser

    if _PARSER is None:
        _PARSER = MathTextParser("path")
    if text.count("$") % 2:
        return False
    try:
        _PARSER.parse(text, 72)
    except ValueError:
        return False
    return True


def math_text(expr, limit=90):
    """``$latex$`` for a SymPy object, or None when too long or not typesettable.

    >>> from sympy import Symbol, exp, Heaviside
    >>> t = Symbol('t')
    >>> math_text(exp(-t) * Heaviside(t))
    '$e^{- t} u\\\\left(t\\\\right)$'
    """
    from symconv.latex import expr_latex

    tex = expr_latex(expr)
    text = f"${tex}$"
    if len(tex) > limit or not fits_mathtext(text):
        return None
    return text


def plain(value, limit=24):
    """Unicode text for a symbol or exact number (no mathtext: it is much faster to draw).

    >>> from sympy import Rational, Symbol, pi
    >>> plain(Rational(-1, 2)), plain(Symbol('tau')), plain(Symbol('x_1')), plain(pi / 3)
    ('−1/2', 'τ', 'x₁', 'π/3')
    >>> plain(Rational(1, 3) + 1000 * pi), plain(Rational(1, 3) + 1000 * pi, limit=8)
    ('1/3 + 1000·π', '3141.9')
    """
    value = sp.sympify(value)
    if isinstance(value, sp.Symbol):
        return sp.pretty(value, use_unicode=True)
    text = sp.sstr(value).replace("pi", "π").replace("sqrt", "√").replace("*", "·")
    text = text.replace("-", "−")
    if len(text) > limit or "**" in sp.sstr(value):
        text = f"{float(sp.N(value)):.5g}".replace("-", "−")
    return text


def plain_formula(expr, limit=90):
    """SymPy's one-line text of ``expr`` with Unicode minus signs, cut at ``limit``."""
    text = sp.sstr(expr).replace("Heaviside", "u").replace("**", "^").replace("-", "−")
    return text if len(text) <= limit else text[:limit - 1] + "…"


def panel_title(ax, text, pad=4.0, size=style.TITLE_FONT_SIZE, **kwargs):
    """A left-aligned title ``pad`` points above ``ax``'s top edge.

    Placed as plain text rather than with ``Axes.set_title``, whose automatic
    placement measures every artist of the axes at each draw (a third of the render time).
    """
    from matplotlib.transforms import ScaledTranslation

    offset = ScaledTranslation(0, pad / 72, ax.figure.dpi_scale_trans)
    return ax.text(0, 1, text, transform=ax.transAxes + offset, ha="left", va="bottom",
                   fontsize=size, **kwargs)


def draw_signal(ax, signal, x, role, label=None, color=None, linestyle=None, marker=None,
                zorder=2):
    """Draw ``signal`` sampled at ``x`` on ``ax``; returns ``(x, y)`` as drawn.

    Continuous: one line. Discrete: a stem plot (markers on stems, no baseline).
    Dirac impulses: upward (or downward) arrows of their weight, labelled when the
    weight is not 1.
    """
    color = color or style.SIGNAL_COLORS.get(role, style.OKABE_ITO["black"])
    y = signal(x)
    if signal.discrete:
        container = ax.stem(x, y, linefmt="-", markerfmt=marker or
                            style.SIGNAL_MARKERS.get(role, "o"), basefmt=" ", label=label)
        container.markerline.set(color=color, markersize=4.5, gid=role, zorder=zorder + 1)
        container.stemlines.set(color=color, linewidth=1.2, gid=f"{role}-stems", zorder=zorder)
    else:
        ax.plot(x, y, color=color, linestyle=linestyle or style.SIGNAL_LINESTYLES.get(role, "-"),
                label=label, gid=role, zorder=zorder)
    for location, weight in signal.impulses:
        where, height = float(location), float(sp.N(weight))
        ax.annotate("", xy=(where, height), xytext=(where, 0.0), gid=f"{role}-impulse",
                    arrowprops={"arrowstyle": "-|>", "color": color, "linewidth": 1.6,
                                "shrinkA": 0, "shrinkB": 0}, zorder=zorder + 1)
        if weight != 1:
            ax.annotate(math_text(weight, 20) or f"{height:.3g}", xy=(where, height),
                        xytext=(4, 0), textcoords="offset points", color=color,
                        fontsize=style.SMALL_FONT_SIZE, va="center")
        ax.update_datalim([(where, 0.0), (where, height)])
        ax.autoscale_view()
    return np.asarray(x), y
