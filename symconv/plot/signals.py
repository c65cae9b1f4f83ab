"""``plot_signals``: f, g and their convolution (or cross-correlation) in one figure.

Three stacked panels share the horizontal axis: ``f`` on top, ``g`` in the middle,
the result at the bottom, each titled with its formula. The result's breakpoints
(where its closed form switches formula) are marked with dotted lines and their exact
values on the top edge of its panel, and a piecewise result lists its pieces in the
panel title, interval by interval. Discrete signals (an integer variable, or finite
sequences) are stem plots; Dirac impulses are arrows of their weight.
"""

import itertools

import numpy as np
import sympy as sp

import symconv as sc
from symconv.errors import SymconvError
from symconv.plot import _sampling, style
from symconv.plot._canvas import axes_list, styled, tidy_axes
from symconv.plot._draw import draw_signal, math_text, panel_title, plain, plain_formula

__all__ = ["plot_signals", "compute_result", "prepare_signals", "result_name"]

_OPS = ("conv", "corr")
_MAX_PIECES = 6


def _check_op(op, what):
    if op not in _OPS:
        raise SymconvError(f"{what}: op must be 'conv' or 'corr', but got {op!r}")


def _is_sequence(value):
    return isinstance(value, (list, tuple, np.ndarray)) or (
        isinstance(value, sp.MatrixBase) and 1 in value.shape)


def result_name(op, names=("f", "g"), var="t", discrete=False):
    """The result's name: ``(f ∗ g)(t)`` or ``(f ⋆ g)[n]``."""
    symbol = "∗" if op == "conv" else "⋆"
    left, right = ("[", "]") if discrete else ("(", ")")
    return f"({names[0]} {symbol} {names[1]}){left}{plain(sp.sympify(var))}{right}"


def prepare_signals(f, g, var, op, subs, what):
    """Validate and substitute; returns ``(kind, f, g, var, values)``.

    ``kind`` is ``'sequence'`` (``f``, ``g`` lists of exact numbers) or ``'expression'``
    (``f``, ``g`` SymPy expressions with the values of ``subs`` substituted);
    ``values`` is the normalised ``subs``. Every free symbol other than ``var`` must
    have a value, else :class:`SymconvError` names the missing ones.
    """
    _check_op(op, what)
    values = _sampling.normalise_subs(subs, what)
    if _is_sequence(f) or _is_sequence(g):
        if not (_is_sequence(f) and _is_sequence(g)):
            raise SymconvError(f"{what}: f and g must both be sequences or both be "
                               f"expressions, but got {type(f).__name__} and "
                               f"{type(g).__name__}")
        index = var if isinstance(var, sp.Symbol) else sp.Symbol("n", integer=True)
        exact = []
        for label, sequence in (("f", f), ("g", g)):
            # raises with the names of the symbols that have no value
            _sampling.as_signal(sequence, index, values, f"{what}: {label}")
            items = list(sequence) if not isinstance(sequence, np.ndarray) else \
                sequence.ravel().tolist()
            exact.append([_sampling.substitute(sp.sympify(v, strict=True), values)
                          for v in items])
        return "sequence", exact[0], exact[1], index, values
    if not isinstance(var, sp.Symbol):
        raise SymconvError(f"{what}: var must be a SymPy Symbol (integer=True for discrete "
                           f"signals), but got {var!r}")
    exprs = []
    for label, value in (("f", f), ("g", g)):
        # raises with the names of the symbols that have no value
        _sampling.as_signal(value, var, values, f"{what}: {label}")
        exprs.append(_sampling.substitute(sp.sympify(value, strict=True), values))
    return "expression", exprs[0], exprs[1], var, values


def compute_result(kind, f, g, var, op):
    """The closed form (expression) or the full sequence, and its start index."""
    function = sc.conv if op == "conv" else sc.corr
    if kind == "sequence":
        values = function(list(f), list(g), None, mode="full")
        start = 0 if op == "conv" else -(len(g) - 1)
        return list(values), start
    return function(f, g, var), 0


def _condition_holds(condition, var, point):
    value = condition.subs(var, point) if condition not in (True, sp.true) else sp.true
    return value is sp.true or value is True


def _piece_at(piecewise, var, point):
    for index, (_, condition) in enumerate(piecewise.args):
        if _condition_holds(condition, var, point):
            return index
    return None


def pieces(result, var, points):
    """The pieces of a top-level Piecewise result as ``[(interval text, expr), ...]``.

    The intervals come from the exact breakpoints ``points``: for a continuous variable
    the open intervals between them, for an integer variable the integers, in runs.
    Returns None when the result is not a Piecewise or has too many pieces to list.
    Each item is ``(text, expr, first, last)``; ``first``/``last`` are the exact ends
    (None when unbounded).

    >>> from sympy import Symbol, Piecewise, Rational, exp
    >>> t = Symbol('t', real=True)
    >>> r = Piecewise((0, t < -Rational(1, 2)), (1 - exp(-t), t < Rational(1, 2)), (t, True))
    >>> [(text, str(e)) for text, e, _, _ in pieces(r, t, [-Rational(1, 2), Rational(1, 2)])]
    [('t < −1/2', '0'), ('−1/2 < t < 1/2', '1 - exp(-t)'), ('t > 1/2', 't')]
    >>> n = Symbol('n', integer=True)
    >>> r = Piecewise((2 - 2**-n, (n >= 0) & (n <= 3)), (15 * 2**-n, n >= 4), (0, True))
    >>> [text for text, _, _, _ in pieces(r, n, [0, 3, 4])]
    ['n ≤ −1', '0 ≤ n ≤ 3', 'n ≥ 4']
    """
    if not isinstance(result, sp.Piecewise) or len(points) > 2 * _MAX_PIECES:
        return None
    v = plain(var)
    runs = []  # [piece index, first, last] with first/last exact (None = unbounded)
    if not points:
        runs = [[_piece_at(result, var, sp.S.Zero), None, None]]
    elif var.is_integer:
        lo, hi = int(sp.floor(points[0])), int(sp.ceiling(points[-1]))
        for n in range(lo - 1, hi + 2):
            index = _piece_at(result, var, sp.Integer(n))
            if runs and runs[-1][0] == index:
                runs[-1][2] = n
            else:
                runs.append([index, n, n])
        runs[0][1], runs[-1][2] = None, None
    else:
        edges = [None, *points, None]
        for left, right in itertools.pairwise(edges):
            if left is None:
                point = right - 1
            elif right is None:
                point = left + 1
            else:
                point = (left + right) / 2
            index = _piece_at(result, var, point)
            if runs and runs[-1][0] == index:
                runs[-1][2] = right
            else:
                runs.append([index, left, right])
    if len(runs) > _MAX_PIECES or any(index is None for index, _, _ in runs):
        return None
    less, more = ("≤", "≥") if var.is_integer else ("<", ">")
    out = []
    for index, first, last in runs:
        if first is None and last is None:
            text = f"all {v}"
        elif first is None:
            text = f"{v} {less} {plain(last)}"
        elif last is None:
            text = f"{v} {more} {plain(first)}"
        elif first == last:
            text = f"{v} = {plain(first)}"
        else:
            text = f"{plain(first)} {less} {v} {less} {plain(last)}"
        out.append((text, result.args[index][0], first, last))
    return out


def _pieces_agree(listed, signal, lo, hi):
    """Whether every listed piece gives the signal's values inside its interval
    (checked at sample points, so a wrong listing is never printed)."""
    var = signal.var
    for _, expr, first, last in listed:
        a = lo if first is None else max(lo, float(first))
        b = hi if last is None else min(hi, float(last))
        if a >= b and not (signal.discrete and a == b):
            continue
        if signal.discrete:
            x = np.arange(np.ceil(a), np.floor(b) + 1)
        else:
            margin = 1e-6 * max(1.0, b - a)
            x = np.linspace(a + margin, b - margin, 9)
        if x.size == 0:
            continue
        piece = _sampling.as_signal(expr, var, {}, "piece", discrete=signal.discrete)
        expected, actual = piece(x), signal(x)
        if not np.allclose(expected, actual, rtol=1e-9, atol=1e-12, equal_nan=True):
            return False
    return True


def _sequence_text(values, start, var):
    shown = ", ".join(plain(v, 8) for v in values[:8])
    more = ", ..." if len(values) > 8 else ""
    where = f" from {plain(var)} = {plain(start)}" if start else ""
    return f"[{shown}{more}]{where}"


def _mark_breakpoints(ax, points):
    """Dotted guides at the breakpoints, their exact values on a top axis."""
    for k, p in enumerate(points):
        ax.axvline(float(p), color=style.SIGNAL_COLORS["guide"], linestyle=":", linewidth=0.9,
                   gid=f"breakpoint-{k}", zorder=1)
    if points:
        top = ax.secondary_xaxis("top")
        top.set_xticks([float(p) for p in points], labels=[plain(p, 10) for p in points])
        top.tick_params(labelsize=style.SMALL_FONT_SIZE, length=2, pad=1,
                        colors=style.SIGNAL_COLORS["guide"])
        top.spines["top"].set_visible(False)


@styled
def plot_signals(f, g, var=None, *, op="conv", subs=None, result=None, xlim=None, ax=None,
                 names=("f", "g")):
    r"""Plot ``f``, ``g`` and their convolution (or cross-correlation) one above the other.

    Parameters
    ----------
    f, g : sympy.Expr or sequence
        Signals in ``var`` (continuous, or discrete when ``var`` is an integer symbol),
        or two finite sequences (values at ``n = 0, 1, ...``; ``var`` may then be None).
    var : sympy.Symbol
        The variable; it labels the horizontal axis.
    op : {'conv', 'corr'}, default 'conv'
        Convolution ``(f * g)(t) = ∫ f(τ) g(t − τ) dτ`` or cross-correlation
        ``(f ⋆ g)(t) = ∫ f(t + τ) g(τ) dτ`` (symconv's conventions).
    subs : mapping, optional
        Values of the other symbols (``{a: 2}`` or ``{'a': 2}``). Every symbol except
        ``var`` needs one; otherwise :class:`SymconvError` names those without.
    result : sympy.Expr or sequence, optional
        The result if already known (e.g. from :func:`symconv.conv`); computed with
        :func:`symconv.conv` / :func:`symconv.corr` otherwise.
    xlim : (float, float), optional
        Horizontal range; by default every breakpoint with a margin, widened until the
        signals have decayed to 1% of their peak.
    ax : sequence of three matplotlib Axes, optional
        Panels to draw into (f, g, result); a new figure by default.
    names : (str, str), default ('f', 'g')
        The signals' names in titles and labels.

    Returns
    -------
    matplotlib.figure.Figure
        Artists carry ``gid`` ``'f'``, ``'g'`` and ``'result'`` (the curve, or the stem
        markers of a discrete signal) and ``'breakpoint-<k>'`` (the guides), which SVG
        output keeps as element ids.

    Raises
    ------
    SymconvError
        On symbols without values, an unevaluated result (no closed form found), or
        invalid options.

    Notes
    -----
    The result panel marks the closed form's breakpoints (where a step switches or a
    piece ends) with dotted lines and their exact values along its top edge; a
    piecewise result lists its pieces, interval by interval, above the panel.

    Examples
    --------
    >>> import sympy as sp, symconv as sc
    >>> from symconv.plot import plot_signals
    >>> t = sp.Symbol('t', real=True)
    >>> fig = plot_signals(sp.exp(-t) * sc.u(t), sc.rect(t), t)
    >>> [ax.get_ylabel() for ax in fig.axes[:3]]
    ['f(t)', 'g(t)', '(f ∗ g)(t)']
    >>> a = sp.Symbol('a', positive=True)
    >>> plot_signals(sp.exp(-a * t) * sc.u(t), sc.u(t), t)
    Traceback (most recent call last):
    ...
    symconv.errors.SymconvError: plot_signals: f: every symbol except the variable t needs a value to be plotted; give subs={a: ...}, but a has none
    """
    what = "plot_signals"
    kind, f, g, var, values = prepare_signals(f, g, var, op, subs, what)
    start = 0
    if result is None:
        result, start = compute_result(kind, f, g, var, op)
    elif kind == "sequence":
        start = 0 if op == "conv" else -(len(g) - 1)
    elif not isinstance(result, sp.Basic):
        raise SymconvError(f"{what}: result must be a SymPy expression, but got "
                           f"{type(result).__name__}")
    if kind == "expression" and result.has(sp.Integral, sp.Sum):
        raise SymconvError(
            f"{what}: only a closed form can be plotted, but the "
            f"{'convolution' if op == 'conv' else 'cross-correlation'} was left as an "
            "unevaluated integral or sum; pass result= if you know it")
    fs = _sampling.as_signal(f, var, values, f"{what}: f")
    gs = _sampling.as_signal(g, var, values, f"{what}: g")
    rs = _sampling.as_signal(result, var, values, f"{what}: result", start=start,
                             discrete=None if kind == "expression" else True)
    discrete = fs.discrete
    result_points = rs.breakpoints()
    all_points = sorted(set(fs.breakpoints()) | set(gs.breakpoints()) | set(result_points),
                        key=float)
    lo, hi = _sampling.plot_range([fs, gs, rs], all_points, xlim, what)
    if discrete:
        lo, hi = np.floor(lo) - 0.5, np.ceil(hi) + 0.5

    # titles: each signal's formula; the result's pieces, one per line
    name = result_name(op, names, var, discrete)
    brackets = "[]" if discrete else "()"
    v = plain(var)
    labels = [f"{names[0]}{brackets[0]}{v}{brackets[1]}",
              f"{names[1]}{brackets[0]}{v}{brackets[1]}", name]
    star = r"\ast" if op == "conv" else r"\star"
    tex_var = sp.latex(var)
    tex_labels = [f"{names[0]}{brackets[0]}{tex_var}{brackets[1]}",
                  f"{names[1]}{brackets[0]}{tex_var}{brackets[1]}",
                  f"({names[0]} {star} {names[1]}){brackets[0]}{tex_var}{brackets[1]}"]
    titles = []
    for label, tex_label, signal, original in zip(labels, tex_labels, (fs, gs, rs),
                                                  (f, g, result)):
        if kind == "sequence":
            titles.append(f"{label} = {_sequence_text(original, signal.start, var)}")
            continue
        # the caller's values first: a Piecewise whose conditions name a parameter
        # (a != b) collapses to the branch those values select
        original = _sampling.substitute(original, values)
        folded = original
        if not isinstance(original, sp.Piecewise) and original.has(sp.Piecewise) \
                and len(original.atoms(sp.Piecewise)) == 1:
            folded = sp.piecewise_fold(original)
        listed = pieces(folded, var, signal.breakpoints()) \
            if isinstance(folded, sp.Piecewise) else None
        if listed and not _pieces_agree(listed, signal, lo, hi):
            listed = None
        lines = [(math_text(e, 60), interval) for interval, e, _, _ in listed or ()]
        if listed and all(text is not None for text, _ in lines):
            titles.append(f"${tex_label}$ =\n" + "\n".join(
                f"    {text}  for  {interval}" for text, interval in lines))
        elif isinstance(folded, sp.Piecewise):
            titles.append(f"{label}: piecewise, {len(listed)} pieces" if listed
                          else f"{label}: piecewise")
        else:
            text = math_text(original)
            titles.append(f"${tex_label} = {text[1:]}" if text else
                          f"{label} = {plain_formula(original)}")
    marked = [p for p in result_points if lo < float(p) < hi] if kind == "expression" else []
    heads = [title.count("\n") * 1.25 + 1 for title in titles]
    heads[2] += 0.9 if marked else 0
    fig, axes = axes_list(ax, 3, what, title_lines=heads)

    for axis, signal, role, label, title in zip(axes, (fs, gs, rs), ("f", "g", "result"),
                                                labels, titles):
        x = _sampling.sample_points(lo, hi, signal.breakpoints(), discrete)
        draw_signal(axis, signal, x, role)
        axis.set_ylabel(label, fontstyle="italic")
        axis.axhline(0, color=style.SIGNAL_COLORS["guide"], linewidth=0.6, zorder=0)
        axis.set_xlim(lo, hi)
        tidy_axes(axis)
        panel_title(axis, title, pad=16 if (role == "result" and marked) else 4,
                    linespacing=1.4)
    axes[2].set_xlabel(v, fontstyle="italic")
    _mark_breakpoints(axes[2], marked)
    return fig
