"""From SymPy expressions to sample arrays: values, breakpoints, impulses, plot ranges.

A signal to plot is a SymPy expression in one variable (continuous, or discrete when
the variable is an integer symbol) or a finite sequence. Everything except the
variable must have a value (``subs``); the expression is then turned into a NumPy
function with :func:`sympy.lambdify` after rewriting what NumPy cannot take
(``KroneckerDelta`` becomes a Piecewise). Dirac impulses cannot be sampled: they are
split off and drawn as arrows of their weight.
"""

import math
import warnings

import numpy as np
import sympy as sp

from symconv.errors import SymconvError
from symconv.plot import style

__all__ = ["Signal", "as_signal", "normalise_subs", "substitute", "breakpoints", "plot_range",
           "sample_points", "number_label"]

_MAX_SEQUENCE = 10_000


def normalise_subs(subs, what):
    """``{Symbol or name: number}`` -> ``({name: sympy number}, original mapping)``."""
    if subs is None:
        return {}
    if not isinstance(subs, dict):
        raise SymconvError(f"{what}: subs must be a mapping such as {{a: 2}}, but got "
                           f"{type(subs).__name__}")
    out = {}
    for key, value in subs.items():
        name = key.name if isinstance(key, sp.Symbol) else key
        if not isinstance(name, str):
            raise SymconvError(f"{what}: subs keys must be symbols or names, but got {key!r}")
        try:
            number = sp.sympify(value, strict=True)
        except (sp.SympifyError, TypeError):
            number = None
        if number is None or not number.is_number or number.is_real is False:
            raise SymconvError(f"{what}: subs values must be real numbers, but got "
                               f"{name}={value!r}")
        out[name] = number
    return out


def substitute(expr, values):
    """``expr`` with the symbols named in ``values`` replaced by their numbers."""
    if not values:
        return expr
    mapping = {s: values[s.name] for s in expr.free_symbols
               if isinstance(s, sp.Symbol) and s.name in values}
    return expr.subs(mapping) if mapping else expr


def _free_names(expr, var):
    return sorted({s.name for s in expr.free_symbols if s != var})


_MAX_FOLD = 4


def _rewrite(expr):
    """What lambdify's NumPy printer cannot take, rewritten exactly.

    ``KroneckerDelta`` becomes a Piecewise. A few steps are folded into one Piecewise
    (``exp(-t)*u(t)`` becomes ``Piecewise((0, t < 0), ..., (exp(-t), True))``), so the
    zero side is never computed as ``inf * 0 = nan`` far out on the left.
    """
    if expr.has(sp.KroneckerDelta):
        expr = expr.replace(sp.KroneckerDelta,
                            lambda a, b: sp.Piecewise((1, sp.Eq(a, b)), (0, True)))
    if 0 < len(expr.atoms(sp.Heaviside, sp.Piecewise)) <= _MAX_FOLD:
        expr = sp.piecewise_fold(expr.rewrite(sp.Piecewise))
    return expr


def _split_impulses(expr, var, what):
    """``expr = regular + sum_i w_i DiracDelta(var - t_i)``: ``(regular, [(t_i, w_i)])``."""
    if not expr.has(sp.DiracDelta):
        return expr, []
    regular, impulses = sp.S.Zero, []
    for term in sp.Add.make_args(sp.expand(expr, deep=False, mul=True, multinomial=False)):
        deltas = [a for a in sp.Mul.make_args(term) if isinstance(a, sp.DiracDelta)]
        if not deltas:
            if term.has(sp.DiracDelta):
                raise SymconvError(f"{what}: Dirac impulses can be drawn only as weighted "
                                   f"terms c*delta(a*{var} + b), but got {term}")
            regular += term
            continue
        delta = deltas[0]
        weight = sp.Mul(*[a for a in sp.Mul.make_args(term) if a is not delta])
        argument = delta.args[0]
        poly = sp.Poly(argument, var) if argument.is_polynomial(var) else None
        if (len(deltas) != 1 or len(delta.args) != 1 or weight.has(sp.DiracDelta)
                or poly is None or poly.degree() != 1):
            raise SymconvError(f"{what}: Dirac impulses can be drawn only as weighted terms "
                               f"c*delta(a*{var} + b), but got {term}")
        a, b = poly.all_coeffs()
        location = -b / a
        impulses.append((location, weight.subs(var, location) / abs(a)))
    return regular, impulses


class Signal:
    """One signal ready to draw.

    ``kind`` is ``'continuous'``, ``'discrete'`` (an expression in an integer
    variable) or ``'sequence'`` (finite values at ``start, start+1, ...``).
    ``expr`` is the regular part, ``impulses`` the Dirac terms as
    ``(location, weight)`` pairs of exact numbers.
    """

    def __init__(self, kind, var, expr=None, values=None, start=0, impulses=(), what="plot"):
        self.what = what
        self.kind = kind
        self.var = var
        self.expr = expr
        self.values = values
        self.start = start
        self.impulses = list(impulses)
        self._function = None

    @property
    def discrete(self):
        return self.kind != "continuous"

    def __call__(self, x):
        """Values at the points ``x`` (a float array), impulses left out."""
        x = np.asarray(x, dtype=float)
        if self.kind == "sequence":
            out = np.zeros_like(x)
            index = np.rint(x).astype(np.int64) - self.start
            inside = (index >= 0) & (index < len(self.values)) & (np.rint(x) == x)
            out[inside] = np.asarray(self.values, dtype=float)[index[inside]]
            return out
        if self._function is None:
            self._function = sp.lambdify(self.var, _rewrite(self.expr), "numpy")
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                y = self._function(x)
            except (OverflowError, ZeroDivisionError) as exc:
                raise SymconvError(f"{self.what}: the signal must have values a float can "
                                   f"hold, but evaluating {self.expr} failed ({exc})") from None
        y = np.broadcast_to(np.asarray(y), x.shape)
        if np.iscomplexobj(y):
            if np.any(np.abs(y.imag) > 1e-9 * (1 + np.abs(y.real))):
                raise SymconvError(f"{self.what}: signals must be real-valued, but {self.expr} "
                                   "takes complex values")
            y = y.real
        return np.array(y, dtype=float)

    def breakpoints(self):
        """Exact points where the signal may jump or kink, sorted."""
        if self.kind == "sequence":
            return [sp.Integer(self.start), sp.Integer(self.start + len(self.values) - 1)]
        points = set(breakpoints(self.expr, self.var))
        points |= {location for location, _ in self.impulses}
        return sorted(points, key=float)


def as_signal(value, var, subs, what, discrete=None, start=0):
    """Check and convert one signal (expression or sequence) for plotting.

    Raises :class:`SymconvError` naming the free symbols that have no value.
    """
    if isinstance(value, (list, tuple, np.ndarray)) or (
            isinstance(value, sp.MatrixBase) and 1 in value.shape):
        items = list(np.asarray(value, dtype=object).ravel()) if not isinstance(
            value, sp.MatrixBase) else list(value)
        if not items or len(items) > _MAX_SEQUENCE:
            raise SymconvError(f"{what}: a sequence must have 1 to {_MAX_SEQUENCE} entries, "
                               f"but got {len(items)}")
        numbers = []
        for item in items:
            try:
                entry = substitute(sp.sympify(item, strict=True), subs)
            except (sp.SympifyError, TypeError):
                raise SymconvError(f"{what}: sequence entries must be numbers or SymPy "
                                   f"expressions, but got {item!r}") from None
            free = sorted(s.name for s in entry.free_symbols)
            if free:
                raise SymconvError(f"{what}: every symbol needs a value to be plotted; give "
                                   f"subs={{{', '.join(f'{n}: ...' for n in free)}}}, but "
                                   f"{', '.join(free)} {'has' if len(free) == 1 else 'have'} "
                                   "none")
            number = complex(sp.N(entry))
            if abs(number.imag) > 1e-12 * (1 + abs(number.real)):
                raise SymconvError(f"{what}: signals must be real-valued, but got {item}")
            numbers.append(number.real)
        return Signal("sequence", var, values=numbers, start=start, what=what)
    try:
        expr = sp.sympify(value, strict=True)
    except (sp.SympifyError, TypeError):
        raise SymconvError(f"{what}: a signal must be a SymPy expression or a sequence, but "
                           f"got {type(value).__name__}") from None
    if not isinstance(expr, sp.Expr):
        raise SymconvError(f"{what}: a signal must be a SymPy expression or a sequence, but "
                           f"got {expr!r}")
    if expr.has(sp.Integral, sp.Sum):
        raise SymconvError(f"{what}: only closed forms can be plotted, but got an unevaluated "
                           f"{'integral' if expr.has(sp.Integral) else 'sum'}: {expr}")
    expr = substitute(expr, subs)
    free = _free_names(expr, var)
    if free:
        raise SymconvError(f"{what}: every symbol except the variable {var} needs a value to "
                           f"be plotted; give subs={{{', '.join(f'{n}: ...' for n in free)}}}, "
                           f"but {', '.join(free)} {'has' if len(free) == 1 else 'have'} none")
    discrete = bool(var.is_integer) if discrete is None else discrete
    regular, impulses = _split_impulses(expr, var, what)
    if discrete and impulses:
        raise SymconvError(f"{what}: a discrete signal uses delta[n] (KroneckerDelta), but "
                           f"got a Dirac impulse in {expr}")
    return Signal("discrete" if discrete else "continuous", var, expr=regular,
                  impulses=impulses, what=what)


def _piecewise_polynomial(argument, var):
    """Whether ``argument`` is built from polynomials in ``var`` with |.|, min, max, sign."""
    for node in sp.preorder_traversal(argument):
        if isinstance(node, (sp.Abs, sp.Min, sp.Max, sp.sign)):
            continue
        if isinstance(node, sp.Function) or (isinstance(node, sp.Pow) and node.base.has(var)
                                             and not (node.exp.is_Integer and node.exp > 0)):
            return False
    return True


def _roots(argument, var):
    """Real roots of ``argument`` in ``var``: a polynomial of degree <= 2, or one built
    with |.|, min and max from such polynomials (``|t - 1| - 1``)."""
    if not argument.has(var):
        return []
    if argument.is_polynomial(var):
        poly = sp.Poly(argument, var)
        if poly.degree() > 2:
            return []
        return [r for r in sp.roots(poly, multiple=True) if r.is_real]
    if not _piecewise_polynomial(argument, var):
        return []
    solutions = sp.solveset(argument, var, sp.S.Reals)
    return list(solutions) if isinstance(solutions, sp.FiniteSet) else []


def breakpoints(expr, var):
    """Points where ``expr`` switches formula: steps, piece boundaries, |.|, min/max, deltas.

    >>> from sympy import Symbol, Heaviside, Piecewise, Abs, Rational
    >>> t = Symbol('t', real=True)
    >>> breakpoints(Heaviside(t + 1) - Heaviside(t - 2) + Abs(t - Rational(1, 2)), t)
    [-1, 1/2, 2]
    >>> breakpoints(Piecewise((0, t < -1), (t**2, t < 3), (1, True)), t)
    [-1, 3]
    """
    found = set()
    for node in sp.preorder_traversal(expr):
        if isinstance(node, (sp.Heaviside, sp.DiracDelta, sp.Abs, sp.sign)):
            found.update(_roots(node.args[0], var))
        elif isinstance(node, sp.KroneckerDelta):
            found.update(_roots(node.args[0] - node.args[1], var))
        elif isinstance(node, (sp.Min, sp.Max)):
            args = node.args
            for i in range(len(args)):
                for j in range(i + 1, len(args)):
                    found.update(_roots(args[i] - args[j], var))
        elif isinstance(node, sp.Piecewise):
            for _, condition in node.args:
                for relation in sp.preorder_traversal(condition):
                    if isinstance(relation, sp.core.relational.Relational):
                        found.update(_roots(relation.lhs - relation.rhs, var))
    return sorted((p for p in found if p.is_finite), key=float)


def plot_range(signals, breakpoints_, xlim=None, what="plot"):
    """``(lo, hi)`` of the horizontal axis: all breakpoints with a margin, extended to
    where the signals have decayed to 1% of their peak (at most four widths out)."""
    if xlim is not None:
        try:
            lo, hi = (float(v) for v in xlim)
        except (TypeError, ValueError):
            raise SymconvError(f"{what}: xlim must be a pair (lo, hi) of numbers, but got "
                               f"{xlim!r}") from None
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            raise SymconvError(f"{what}: xlim must be finite with lo < hi, but got {xlim!r}")
        return lo, hi
    points = [float(p) for p in breakpoints_]
    lo, hi = (min(points), max(points)) if points else (0.0, 0.0)
    width = max(1.0, hi - lo)
    window = np.linspace(lo - 4 * width, hi + 4 * width, 1601)
    left, right = lo - width / 2, hi + width / 2
    for signal in signals:
        y = np.abs(signal(window))
        y[~np.isfinite(y)] = 0.0
        peak = y.max(initial=0.0)
        if peak > 0:
            support = window[y > 0.01 * peak]
            left, right = min(left, support[0]), max(right, support[-1])
    pad = 0.04 * (right - left)
    return left - pad, right + pad


def sample_points(lo, hi, breakpoints_, discrete, num=style.SAMPLES):
    """Sample points: integers for discrete signals; otherwise an even grid with every
    breakpoint and its two close neighbours added, so jumps are drawn upright."""
    if discrete:
        return np.arange(math.ceil(lo), math.floor(hi) + 1, dtype=float)
    x = np.linspace(lo, hi, num)
    eps = (hi - lo) * 1e-6
    extra = [float(p) + d for p in breakpoints_ for d in (-eps, 0.0, eps)
             if lo < float(p) < hi]
    return np.unique(np.concatenate([x, extra]))


def number_label(value, digits=3):
    """A short decimal: ``0.368``, ``-2``, ``1.2e+04``."""
    number = float(sp.N(value)) if isinstance(value, sp.Basic) else float(value)
    return f"{number:.{digits}g}"
