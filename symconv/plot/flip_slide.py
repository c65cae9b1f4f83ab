"""``plot_flip_and_slide``: the textbook picture of how a convolution is computed.

For each chosen ``t``, one panel over the integration variable ``τ`` shows ``f(τ)``,
the flipped and shifted ``g(t − τ)``, and their product shaded: the shaded area (or,
for discrete signals, the sum of the bars ``f[k] g[n − k]``) is the value of
``(f ∗ g)(t)``, which the bottom panel marks on the result curve. For the
cross-correlation ``(f ⋆ g)(t) = ∫ f(t + τ) g(τ) dτ`` the first signal is the one that
slides (and nothing is flipped). With ``animate=True`` the shift sweeps the whole range
as a matplotlib animation (GIF via Pillow, or HTML with ``to_jshtml``; see
:func:`symconv.plot.save_animation`).

Dirac impulses are drawn as arrows but not shaded: their contribution to the value is
the product's weight at a point, which has no area to show.
"""

import numpy as np
import sympy as sp

from symconv.errors import SymconvError
from symconv.plot import _sampling, style
from symconv.plot._canvas import axes_list, styled, tidy_axes
from symconv.plot._draw import draw_signal, math_text, panel_title, plain
from symconv.plot.signals import compute_result, prepare_signals, result_name

__all__ = ["plot_flip_and_slide", "SlideGeometry"]

_MAX_PANELS = 6


class _Shifted:
    """A signal seen as a function of ``τ`` at a fixed ``t``: ``g(t − τ)`` or ``f(t + τ)``."""

    def __init__(self, signal, t, sign):
        self.signal, self.t, self.sign = signal, t, sign
        self.discrete = signal.discrete
        # an impulse at L of the signal lands at tau = t - L (flipped) or L - t
        self.impulses = [(location - t if sign == 1 else t - location, weight)
                         for location, weight in signal.impulses]

    def __call__(self, tau):
        tau = np.asarray(tau, dtype=float)
        return self.signal(self.t - tau if self.sign == -1 else self.t + tau)

    def breakpoints(self):
        return [(p - self.t) if self.sign == 1 else (self.t - p)
                for p in self.signal.breakpoints()]


class SlideGeometry:
    """What one flip-and-slide picture needs: the signals as functions of ``τ``.

    ``static`` is the signal that stays (``f`` for conv, ``g`` for corr) and
    ``moving(t)`` the one that slides, as a function of ``τ``; ``product(t, tau)``
    their product (impulses left out).
    """

    def __init__(self, fs, gs, op):
        self.op = op
        self.static = fs if op == "conv" else gs
        self._mover = gs if op == "conv" else fs
        self._sign = -1 if op == "conv" else 1

    def moving(self, t):
        return _Shifted(self._mover, float(t), self._sign)

    def product(self, t, tau):
        return self.static(tau) * self.moving(t)(tau)


def _exact(value, what):
    try:
        number = sp.nsimplify(value, rational=True) if isinstance(value, float) else \
            sp.sympify(value, strict=True)
    except (sp.SympifyError, TypeError):
        number = None
    if number is None or not number.is_number or number.is_real is False \
            or not number.is_finite:
        raise SymconvError(f"{what}: at must be a list of real numbers, but got {value!r}")
    return number


def _default_at(lo, hi, discrete):
    width = hi - lo
    points = np.linspace(lo + 0.22 * width, hi - 0.3 * width, 3)
    if discrete:
        values = sorted({round(float(p)) for p in points})
        return [sp.Integer(v) for v in values]
    return sorted({sp.Rational(round(float(p) * 4), 4) for p in points})


def _tau_range(geometry, at, static_range, mover_range):
    """Union of where the static signal lives and where the moving one lands for each t."""
    lo, hi = static_range
    mlo, mhi = mover_range
    for t in at:
        t = float(t)
        if geometry._sign == -1:          # g(t - tau): tau in [t - mhi, t - mlo]
            lo, hi = min(lo, t - mhi), max(hi, t - mlo)
        else:                             # f(t + tau): tau in [mlo - t, mhi - t]
            lo, hi = min(lo, mlo - t), max(hi, mhi - t)
    return lo, hi


def _value_text(rs, result, var, t, kind, name_at):
    """``'(f ∗ g)(1/2) = 1 − e^{−1} ≈ 0.632'``: exact when the result is a formula."""
    number = float(rs(np.array([float(t)]))[0])
    exact = None
    if kind == "expression":
        exact = sp.simplify(result.subs(var, t)) if result.has(var) else result
        if exact.has(sp.Piecewise, sp.Heaviside):
            exact = None
    text = f"{name_at} = "
    if exact is not None:
        tex = math_text(exact, 40)
        if tex is not None and exact.is_Rational:
            return text + plain(exact, 12), number
        if tex is not None:
            return text + tex + f" ≈ {number:.4g}".replace("-", "−"), number
    return text + f"{number:.4g}".replace("-", "−"), number


def _shade(ax, tau, product, discrete, gid, colour):
    if discrete:
        bars = ax.bar(tau, product, width=0.55, color=colour, alpha=0.55, zorder=1)
        for bar in bars:
            bar.set_gid(gid)
        return bars
    return ax.fill_between(tau, 0, product, color=colour, alpha=0.45, linewidth=0, zorder=1,
                           gid=gid)


def _check_at(at, what):
    if isinstance(at, (str, bytes)) or not hasattr(at, "__iter__"):
        raise SymconvError(f"{what}: at must be a list of shifts such as [0, 0.5, 1], but "
                           f"got {at!r}")
    values = [_exact(v, what) for v in at]
    if not 1 <= len(values) <= _MAX_PANELS:
        raise SymconvError(f"{what}: at must hold 1 to {_MAX_PANELS} shifts (one panel "
                           f"each), but got {len(values)}")
    return values


@styled
def plot_flip_and_slide(f, g, var=None, at=None, *, op="conv", subs=None, result=None,
                        xlim=None, animate=False, frames=60, ax=None, names=("f", "g")):
    r"""Flip, slide, multiply, integrate: the convolution at a few shifts ``t``.

    Parameters
    ----------
    f, g, var, op, subs, result, names
        As in :func:`symconv.plot.plot_signals`.
    at : sequence of numbers, optional
        The shifts ``t`` to show, one panel each (1 to 6; exact numbers stay exact in
        the labels). Default: three shifts spread over the result's range.
    xlim : (float, float), optional
        Range of ``t`` in the result panel (and of the animation's sweep).
    animate : bool, default False
        Return a :class:`matplotlib.animation.FuncAnimation` instead of a figure: one
        ``τ`` panel with the shift sweeping ``xlim`` in ``frames`` steps (every integer
        for discrete signals) and the result drawn as it is computed.
    frames : int, default 60
        Frames of the animation (continuous signals).
    ax : sequence of matplotlib Axes, optional
        ``len(at) + 1`` panels (two with ``animate=True``).

    Returns
    -------
    matplotlib.figure.Figure or matplotlib.animation.FuncAnimation
        In the figure, the product of panel ``i`` is shaded with ``gid`` ``'overlap-<i>'``
        (a fill for continuous signals, one bar per term for discrete ones) and the
        values are marked on the result with ``gid`` ``'marks'``.

    Examples
    --------
    >>> import sympy as sp, symconv as sc
    >>> t = sp.Symbol('t', real=True)
    >>> fig = plot_flip_and_slide(sc.rect(t), sc.rect(t), t, at=[-0.5, 0, 0.75])
    >>> marks = [l for l in fig.axes[-1].lines if l.get_gid() == 'marks'][0]
    >>> [float(v) for v in marks.get_ydata()]
    [0.5, 1.0, 0.25]
    >>> plot_flip_and_slide(sc.rect(t), sc.rect(t), t, at=[])
    Traceback (most recent call last):
    ...
    symconv.errors.SymconvError: plot_flip_and_slide: at must hold 1 to 6 shifts (one panel each), but got 0
    """
    what = "plot_flip_and_slide"
    kind, f, g, var, values = prepare_signals(f, g, var, op, subs, what)
    start = 0
    if result is None:
        result, start = compute_result(kind, f, g, var, op)
    elif kind == "sequence":
        start = 0 if op == "conv" else -(len(g) - 1)
    if kind == "expression" and result.has(sp.Integral, sp.Sum):
        raise SymconvError(f"{what}: only a closed form can be plotted, but the result was "
                           "left as an unevaluated integral or sum; pass result= if you know it")
    fs = _sampling.as_signal(f, var, values, f"{what}: f")
    gs = _sampling.as_signal(g, var, values, f"{what}: g")
    rs = _sampling.as_signal(result, var, values, f"{what}: result", start=start,
                             discrete=None if kind == "expression" else True)
    discrete = fs.discrete
    geometry = SlideGeometry(fs, gs, op)
    t_points = rs.breakpoints()
    t_lo, t_hi = _sampling.plot_range([rs], t_points, xlim, what)
    at = _default_at(t_lo, t_hi, discrete) if at is None else _check_at(at, what)
    if discrete and any(not v.is_integer for v in at):
        raise SymconvError(f"{what}: discrete signals shift by integers, but got at={at}")
    t_lo, t_hi = min(t_lo, min(float(v) for v in at)), max(t_hi, max(float(v) for v in at))
    if discrete:
        t_lo, t_hi = np.floor(t_lo) - 0.5, np.ceil(t_hi) + 0.5
    static = geometry.static
    mover = geometry._mover
    static_range = _sampling.plot_range([static], static.breakpoints(), None, what)
    mover_range = _sampling.plot_range([mover], mover.breakpoints(), None, what)
    sweep = at if not animate else [t_lo, t_hi]
    tau_lo, tau_hi = _tau_range(geometry, sweep, static_range, mover_range)
    if discrete:
        tau_lo, tau_hi = np.floor(tau_lo) - 0.5, np.ceil(tau_hi) + 0.5

    star = "∗" if op == "conv" else "⋆"
    v = plain(var)
    tau_name = "k" if discrete else "τ"
    left, right = ("[", "]") if discrete else ("(", ")")
    name = result_name(op, names, var, discrete)
    mover_name = (f"{names[1]}{left}{v} − {tau_name}{right}" if op == "conv"
                  else f"{names[0]}{left}{v} + {tau_name}{right}")
    static_name = (f"{names[0]}{left}{tau_name}{right}" if op == "conv"
                   else f"{names[1]}{left}{tau_name}{right}")

    def tau_grid(t_values):
        points = list(static.breakpoints())
        for t in t_values:
            points += geometry.moving(t).breakpoints()
        return _sampling.sample_points(tau_lo, tau_hi, points, discrete)

    if animate:
        return _animation(geometry, rs, result, var, kind, discrete, (t_lo, t_hi),
                          (tau_lo, tau_hi), tau_grid, frames, ax, names, op, what,
                          static_name, mover_name, tau_name, name, star)

    count = len(at)
    fig, axes = axes_list(ax, count + 1, what, sharex=False,
                          panel_height=1.05 if count > 2 else 1.25,
                          title_lines=[1.45] * count + [2.0])
    marks = []
    for i, (axis, t) in enumerate(zip(axes, at)):
        tau = tau_grid([t])
        moving = geometry.moving(t)
        draw_signal(axis, static, tau, "f" if op == "conv" else "g",
                    label=f"{static_name}")
        draw_signal(axis, moving, tau, "g" if op == "conv" else "f",
                    label=f"{mover_name}")
        product = geometry.product(t, tau)
        _shade(axis, tau, product, discrete, f"overlap-{i}", style.SIGNAL_COLORS["overlap"])
        axis.axvline(float(t), color=style.SIGNAL_COLORS["guide"], linestyle=":", linewidth=0.8)
        axis.axhline(0, color=style.SIGNAL_COLORS["guide"], linewidth=0.6, zorder=0)
        axis.set_xlim(tau_lo, tau_hi)
        tidy_axes(axis)
        label = f"({names[0]} {star} {names[1]}){left}{plain(t, 10)}{right}"
        text, number = _value_text(rs, result, var, t, kind, label)
        marks.append((float(t), number))
        panel_title(axis, f"{v} = {plain(t, 10)}:   {text}   (shaded "
                          f"{'sum' if discrete else 'area'})", size=style.SMALL_FONT_SIZE + 1)
        if i == count - 1:
            axis.set_xlabel(tau_name, fontstyle="italic", fontsize=style.SMALL_FONT_SIZE,
                            labelpad=1)
        if i == 0:
            axis.legend(loc="upper right", fontsize=style.SMALL_FONT_SIZE, ncols=2)
    axis = axes[-1]
    x = _sampling.sample_points(t_lo, t_hi, rs.breakpoints(), discrete)
    draw_signal(axis, rs, x, "result")
    xs, ys = zip(*marks)
    axis.plot(xs, ys, linestyle="none", marker="o", markersize=6,
              color=style.SIGNAL_COLORS["mark"], markeredgecolor="black", zorder=5, gid="marks")
    for x_mark, y_mark in marks:
        axis.axvline(x_mark, color=style.SIGNAL_COLORS["guide"], linestyle=":", linewidth=0.8)
    axis.axhline(0, color=style.SIGNAL_COLORS["guide"], linewidth=0.6, zorder=0)
    axis.set_xlim(t_lo, t_hi)
    axis.set_xlabel(v, fontstyle="italic")
    axis.set_ylabel(name, fontstyle="italic", fontsize=style.SMALL_FONT_SIZE + 1)
    tidy_axes(axis)
    panel_title(axis, f"{name}: the marked values are the shaded "
                      f"{'sums' if discrete else 'areas'} above", pad=6,
                size=style.SMALL_FONT_SIZE + 1)
    return fig


def _animation(geometry, rs, result, var, kind, discrete, t_range, tau_range, tau_grid,
               frames, ax, names, op, what, static_name, mover_name, tau_name, name, star):
    from matplotlib.animation import FuncAnimation

    t_lo, t_hi = t_range
    tau_lo, tau_hi = tau_range
    if discrete:
        shifts = np.arange(np.ceil(t_lo), np.floor(t_hi) + 1)
    else:
        if isinstance(frames, bool) or not isinstance(frames, int) or not 2 <= frames <= 600:
            raise SymconvError(f"{what}: frames must be an integer from 2 to 600, but got "
                               f"{frames!r}")
        shifts = np.linspace(t_lo, t_hi, frames)
    fig, (top, bottom) = axes_list(ax, 2, what, sharex=False, panel_height=1.6,
                                   title_lines=[1, 1])
    tau = tau_grid(list(shifts[[0, -1]]))
    static = geometry.static
    draw_signal(top, static, tau, "f" if op == "conv" else "g", label=static_name)
    colour = style.SIGNAL_COLORS["g" if op == "conv" else "f"]
    if discrete:
        moving_line, = top.plot([], [], linestyle="none", marker="s", markersize=4.5,
                                color=colour, label=mover_name, gid="moving")
    else:
        moving_line, = top.plot([], [], color=colour, linestyle="--", label=mover_name,
                                gid="moving")
    top.axhline(0, color=style.SIGNAL_COLORS["guide"], linewidth=0.6, zorder=0)
    top.set_xlim(tau_lo, tau_hi)
    lows, highs = [], []
    for t in shifts[:: max(1, len(shifts) // 20)]:
        y = geometry.moving(t)(tau)
        lows.append(np.nanmin(y)), highs.append(np.nanmax(y))
    y_static = static(tau)
    low = min(min(lows), np.nanmin(y_static), 0.0)
    high = max(max(highs), np.nanmax(y_static), 0.0)
    pad = 0.08 * (high - low or 1.0)
    top.set_ylim(low - pad, high + pad)
    top.set_xlabel(tau_name, fontstyle="italic", fontsize=style.SMALL_FONT_SIZE)
    top.legend(loc="upper right", fontsize=style.SMALL_FONT_SIZE, ncols=2)
    title = panel_title(top, "", size=style.SMALL_FONT_SIZE + 1)
    x = _sampling.sample_points(t_lo, t_hi, rs.breakpoints(), discrete)
    y = rs(x)
    bottom.plot(x, y, color=style.SIGNAL_COLORS["guide"], linewidth=0.8, alpha=0.6)
    drawn, = bottom.plot([], [], color=style.SIGNAL_COLORS["result"], gid="result",
                         marker="D" if discrete else None, markersize=4,
                         linestyle="none" if discrete else "-")
    point, = bottom.plot([], [], marker="o", markersize=6, linestyle="none",
                         color=style.SIGNAL_COLORS["mark"], markeredgecolor="black", zorder=5)
    bottom.axhline(0, color=style.SIGNAL_COLORS["guide"], linewidth=0.6, zorder=0)
    bottom.set_xlim(t_lo, t_hi)
    bottom.set_xlabel(plain(var), fontstyle="italic")
    bottom.set_ylabel(name, fontstyle="italic", fontsize=style.SMALL_FONT_SIZE + 1)
    for axis in (top, bottom):
        tidy_axes(axis)
    shade = []

    def update(index):
        t = shifts[index]
        moving = geometry.moving(t)(tau)
        if discrete:
            moving_line.set_data(tau, moving)
        else:
            moving_line.set_data(tau, moving)
        for artist in shade:
            artist.remove()
        shade.clear()
        product = geometry.product(t, tau)
        made = _shade(top, tau, product, discrete, "overlap", style.SIGNAL_COLORS["overlap"])
        shade.extend(list(made) if discrete else [made])
        value = float(rs(np.array([t]))[0])
        done = x <= t + 1e-12
        drawn.set_data(x[done], y[done])
        point.set_data([t], [value])
        title.set_text(f"{plain(var)} = {t:.3g}:   value {value:.4g}   "
                       f"(shaded {'sum' if discrete else 'area'})".replace("-", "−"))
        return [moving_line, drawn, point, title, *shade]

    animation = FuncAnimation(fig, update, frames=len(shifts), interval=100, blit=False)
    animation.figure = fig
    return animation
