"""What every comparison of :mod:`symconv.verify` shares: the numeric settings, SymPy
expressions evaluated on NumPy arrays, parameter values drawn per instance, delta
terms, breakpoints and supports."""

import math
import warnings
from dataclasses import dataclass

import numpy as np
import sympy as sp

from symconv.errors import SymconvError

# --- numeric settings (documented in the report's method line) -------------
_PROBE_HALF_WIDTH = 100.0      # continuous supports are probed on [-100, 100]
_PROBE_POINTS = 20001
_DISCRETE_PROBE = 300          # discrete supports are probed on [-300, 300]
_NEGLIGIBLE = 1e-12            # |f| below this fraction of max|f| is truncated
_CORE = 1e-3                   # where |f| exceeds this fraction: the "interesting" part
_SPAN = 10.0                   # length of the t-range beyond a finite edge
_MAX_T_RANGE = 40.0
_GAUSS_NODES = 4               # Gauss-Legendre nodes per grid cell (cell averages)
_MAX_COMPARE = 300             # at most this many grid points are compared
_QUAD_POINTS = 3
_REL_FLOOR = 1e-8              # relative floor of every tolerance
_ABS_FLOOR = 1e-12

_GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0   # irrational grid offset: breakpoints never on nodes
_KD = sp.Function("_symconv_kronecker")


class _Unsupported(Exception):
    """Raised internally when a comparison is impossible; becomes 'not verified'."""


# ---------------------------------------------------------------------------
# numeric evaluation of SymPy expressions (lambdify + safe fallbacks)
# ---------------------------------------------------------------------------

def _kronecker_numpy(x):
    return np.where(np.asarray(x) == 0, 1.0, 0.0)


def _prepare(expr):
    """Replace atoms that lambdify cannot vectorise (KroneckerDelta) by array functions."""
    if expr.has(sp.KroneckerDelta):
        expr = expr.replace(sp.KroneckerDelta, lambda i, j: _KD(i - j))
    return expr


def _require_scipy():
    """Import the parts of SciPy the numeric reference uses (a dependency of symconv).

    A missing SciPy is a broken installation, reported as such: the cross-check never
    falls back silently to a slower or less accurate method.
    """
    try:
        import scipy.integrate
        import scipy.special  # noqa: F401 - lambdify's "scipy" module needs it
    except ImportError as exc:
        raise SymconvError("the numeric cross-check needs SciPy (a dependency of symconv), "
                           f"but importing it failed ({exc}): python -m pip install "
                           "'scipy>=1.11'") from None
    return scipy.integrate


class _Numeric:
    """A SymPy expression in one variable, evaluated on NumPy arrays.

    Vectorised lambdify (NumPy + SciPy special functions) first; points where that
    gives nan/inf (e.g. ``0 * inf`` in a branch), or every point when the expression
    cannot be vectorised, are evaluated one by one with 30-digit ``evalf``.
    ``pointwise`` counts those points and ``why`` says why, so that a report can name
    the evaluation that actually ran.
    """

    def __init__(self, expr, var):
        self.expr = sp.sympify(expr)
        self.var = var
        self.constant = var not in self.expr.free_symbols
        prepared = _prepare(self.expr)
        self._fallback_only = False
        self._scalar_fn, self._scalar_failed = None, False
        self.pointwise, self.why = 0, ""
        try:
            self._fn = sp.lambdify([var], prepared,
                                   modules=[{"_symconv_kronecker": _kronecker_numpy},
                                            "scipy", "numpy"])
        except Exception as exc:  # noqa: BLE001 - any printer failure: point by point
            self._fallback_only = True
            self.why = f"it cannot be vectorised ({type(exc).__name__})"

    def scalar(self, x):
        """Value at one float ``x`` (fast plain-Python path for quadrature)."""
        if self._scalar_fn is None and not self._scalar_failed:
            try:
                self._scalar_fn = sp.lambdify([self.var], _prepare(self.expr), modules=[
                    {"_symconv_kronecker": lambda v: 1.0 if v == 0 else 0.0}, "math"])
            except Exception:  # noqa: BLE001 - printer failure: use the array path
                self._scalar_failed = True
        if self._scalar_fn is not None:
            try:
                v = complex(self._scalar_fn(float(x)))
                if math.isfinite(v.real) and math.isfinite(v.imag):
                    return v
            except Exception:  # noqa: BLE001 - overflow, complex domain, ...: array path
                pass
        return complex(self(np.array([x]))[0])

    def _pointwise(self, x):
        self.pointwise += 1
        value = self.expr.subs(self.var, sp.Float(float(x), 30)).evalf(30)
        try:
            return complex(value)
        except TypeError:
            return complex("nan")

    def __call__(self, x):
        x = np.asarray(x, dtype=float)
        if self._fallback_only:
            return np.array([self._pointwise(v) for v in x.ravel()]).reshape(x.shape)
        try:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                y = self._fn(x)
            y = np.broadcast_to(np.asarray(y), x.shape).astype(complex)
        except Exception as exc:  # noqa: BLE001 - unsupported in NumPy: point by point
            self._fallback_only = True
            self.why = f"NumPy/SciPy cannot evaluate it ({type(exc).__name__})"
            return self(x)
        bad = ~np.isfinite(y)
        if bad.any():
            self.why = self.why or "NumPy/SciPy gave nan or inf there"
            y = y.copy()
            flat_x, flat_y = x.ravel(), y.reshape(-1)
            for i in np.flatnonzero(bad.ravel()):
                flat_y[i] = self._pointwise(flat_x[i])
        return y


def _real_if_close(y):
    y = np.asarray(y, dtype=complex)
    if np.all(np.abs(y.imag) <= 1e-14 * (1.0 + np.abs(y.real))):
        return y.real
    return y


# ---------------------------------------------------------------------------
# parameter sampling
# ---------------------------------------------------------------------------

def _draw(symbol, rng, discrete):
    """A random value for ``symbol`` respecting its assumptions (an exact Rational)."""
    if symbol.is_integer:
        if symbol.is_positive:
            lo, hi = 1, 4
        elif symbol.is_nonnegative:
            lo, hi = 0, 4
        elif symbol.is_negative:
            lo, hi = -4, -1
        elif symbol.is_nonpositive:
            lo, hi = -4, 0
        else:
            lo, hi = -3, 3
        while True:
            v = int(rng.integers(lo, hi + 1))
            if v != 0 or not symbol.is_nonzero:
                return sp.Integer(v)
    lo, hi = (0.3, 0.9) if discrete else (0.5, 2.0)
    magnitude = rng.uniform(lo, hi)
    if symbol.is_negative or symbol.is_nonpositive:
        sign = -1
    else:
        sign = 1   # positive, nonnegative, or no sign information (see the Notes)
    return sp.Rational(int(round(sign * magnitude * 100)), 100)


def _denominators(expr, var):
    """Parameter expressions that appear as denominators (must not vanish)."""
    dens = set()
    for p in expr.atoms(sp.Pow):
        if p.exp.is_negative and var not in p.base.free_symbols and p.base.free_symbols:
            dens.add(p.base)
    return dens


def _sample(symbols, rng, discrete, pinned, dens):
    """Values for ``symbols`` away from singular cases; raises _Unsupported if impossible."""
    free = [s for s in symbols if s not in pinned]
    for _ in range(200):
        values = dict(pinned)
        values.update({s: _draw(s, rng, discrete) for s in free})
        reals = [values[s] for s in free if not s.is_integer]
        if any(abs(float(a - b)) < 0.2 or abs(float(a + b)) < 0.2
               for i, a in enumerate(reals) for b in reals[i + 1:]):
            continue
        try:
            if any(abs(complex(d.subs(values))) < 0.05 for d in dens):
                continue
        except TypeError:
            pass
        return values
    raise _Unsupported("could not find parameter values away from the singular cases")


def _special_cases(result, params, var):
    """Substitutions such as ``{a: b}`` for the ``Eq(a, b)`` branches of a Piecewise."""
    cases = []
    for pw in result.atoms(sp.Piecewise):
        for _, cond in pw.args:
            eqs = [cond] if isinstance(cond, sp.Eq) else [
                c for c in getattr(cond, "args", ()) if isinstance(c, sp.Eq)]
            for eq in eqs:
                diff = eq.lhs - eq.rhs
                syms = sorted(diff.free_symbols & set(params), key=lambda s: s.name)
                if var in diff.free_symbols or not syms or diff.free_symbols - set(params):
                    continue
                for s in reversed(syms):
                    try:
                        sols = sp.solve(diff, s)
                    except (NotImplementedError, TypeError, ValueError):
                        continue
                    if len(sols) == 1:
                        sub = {s: sols[0]}
                        if sub not in cases:
                            cases.append(sub)
                        break
    return cases[:3]


# ---------------------------------------------------------------------------
# delta terms and breakpoints
# ---------------------------------------------------------------------------

def _split_deltas(expr, var):
    """``expr`` = regular part + sum of weight * delta(t - location); returns both."""
    if not expr.has(sp.DiracDelta):
        return expr, []
    regular, deltas = [], []
    for term in sp.Add.make_args(sp.expand(expr, deep=False, power_base=False,
                                           power_exp=False, log=False)):
        if not term.has(sp.DiracDelta):
            regular.append(term)
            continue
        factors = sp.Mul.make_args(term)
        ds = [fa for fa in factors if isinstance(fa, sp.DiracDelta)]
        rest = [fa for fa in factors if not isinstance(fa, sp.DiracDelta)]
        if len(ds) != 1 or any(fa.has(sp.DiracDelta) for fa in rest):
            raise _Unsupported(f"the delta term {term} is not of the form c(t)*DiracDelta(a*t + b)")
        d = ds[0]
        if len(d.args) > 1 and d.args[1] != 0:
            raise _Unsupported(f"derivatives of DiracDelta ({d}) have no numeric reference here")
        arg = d.args[0]
        alpha = sp.diff(arg, var)
        if alpha.free_symbols or alpha == 0:
            raise _Unsupported(f"DiracDelta of a non-linear argument ({d})")
        alpha = float(alpha)
        beta = float(arg.subs(var, 0))
        loc = -beta / alpha
        coeff = _Numeric(sp.Mul(*rest), var)(np.array([loc]))[0]
        deltas.append((loc, complex(coeff) / abs(alpha)))
    return sp.Add(*regular), deltas


def _merge_deltas(deltas):
    merged = []
    for loc, w in sorted(deltas, key=lambda d: d[0]):
        if merged and abs(merged[-1][0] - loc) <= 1e-9 * (1 + abs(loc)):
            merged[-1] = (merged[-1][0], merged[-1][1] + w)
        else:
            merged.append((loc, w))
    return [(loc, w) for loc, w in merged if abs(w) > 1e-12]


def _breakpoints(expr, var):
    """Real points where ``expr`` may jump or kink (linear/quadratic arguments of
    Heaviside, Abs, sign, Min/Max and of Piecewise conditions)."""
    args = []
    for atom in expr.atoms(sp.Heaviside, sp.Abs, sp.sign, sp.floor, sp.ceiling):
        args.append(atom.args[0])
    for atom in expr.atoms(sp.Min, sp.Max):
        a = atom.args
        args.extend(a[i] - a[j] for i in range(len(a)) for j in range(i + 1, len(a)))
    for rel in expr.atoms(sp.core.relational.Relational):
        args.append(rel.lhs - rel.rhs)
    points = set()
    for a in args:
        if var not in a.free_symbols:
            continue
        # Abs(x) inside an argument (e.g. Abs(t) < 1): try both signs of x; spurious
        # roots are harmless (they only add a split point)
        variants = [a]
        for inner in list(a.atoms(sp.Abs))[:3]:
            variants = [v.xreplace({inner: s * inner.args[0]}) for v in variants
                        for s in (1, -1)]
        for v in variants:
            try:
                poly = sp.Poly(v, var)
            except (sp.PolynomialError, sp.PolificationFailed, sp.GeneratorsNeeded):
                continue
            if poly.degree() < 1 or poly.degree() > 2 or poly.free_symbols - {var}:
                continue
            try:
                coeffs = [complex(c) for c in poly.all_coeffs()]
            except TypeError:
                continue
            for r in np.roots(coeffs):
                if abs(r.imag) < 1e-12:
                    points.add(float(r.real))
    return sorted(points)


# ---------------------------------------------------------------------------
# supports
# ---------------------------------------------------------------------------

@dataclass
class _Support:
    lo: float          # effective support (outside: negligible); +-inf if not decaying
    hi: float
    core_lo: float     # where the signal is "large" (chooses the t-range)
    core_hi: float
    empty: bool = False


def _support(values, grid, delta_locs=()):
    y = np.abs(values)
    if not np.all(np.isfinite(y)):
        bad = grid[~np.isfinite(y)][0]
        raise _Unsupported(f"a signal is not finite at {bad:.4g}")
    nz = np.flatnonzero(y > 1e-300)
    step = grid[1] - grid[0]
    if nz.size == 0:
        if not delta_locs:
            return _Support(0.0, 0.0, 0.0, 0.0, empty=True)
        lo, hi = min(delta_locs), max(delta_locs)
        return _Support(math.inf, -math.inf, lo, hi, empty=True)
    peak = y.max()
    tail = max(1, len(grid) // 10)
    first, last = nz[0], nz[-1]
    growing = False
    if first == 0:
        if y[:tail].max() < _NEGLIGIBLE * peak:
            lo = grid[np.flatnonzero(y > _NEGLIGIBLE * peak)[0]] - step
        else:
            lo, growing = -math.inf, True
    else:
        lo = grid[first] - step
    if last == len(grid) - 1:
        if y[-tail:].max() < _NEGLIGIBLE * peak:
            hi = grid[np.flatnonzero(y > _NEGLIGIBLE * peak)[-1]] + step
        else:
            hi, growing = math.inf, True
    else:
        hi = grid[last] + step
    if growing:
        core_lo, core_hi = lo, hi
    else:
        big = np.flatnonzero(y > _CORE * peak)
        core_lo, core_hi = grid[big[0]] - step, grid[big[-1]] + step
    if delta_locs:
        core_lo, core_hi = min(core_lo, min(delta_locs)), max(core_hi, max(delta_locs))
    return _Support(lo, hi, core_lo, core_hi)


def _t_range(sf, sg, op, span):
    if op == "conv":
        r_lo, r_hi = sf.core_lo + sg.core_lo, sf.core_hi + sg.core_hi
    else:
        r_lo, r_hi = sf.core_lo - sg.core_hi, sf.core_hi - sg.core_lo
    lo_fin, hi_fin = math.isfinite(r_lo), math.isfinite(r_hi)
    if lo_fin and hi_fin:
        margin = 0.15 * (r_hi - r_lo) + span / 20
        t_lo, t_hi = r_lo - margin, r_hi + margin
        if t_hi - t_lo > _MAX_T_RANGE * span / _SPAN:
            t_hi = t_lo + _MAX_T_RANGE * span / _SPAN
    elif lo_fin:
        t_lo, t_hi = r_lo - span / 10, r_lo + span
    elif hi_fin:
        t_lo, t_hi = r_hi - span, r_hi + span / 10
    else:
        t_lo, t_hi = -span / 2, span / 2
    return t_lo, t_hi


def _ranges(sf, sg, t_lo, t_hi, op):
    """The parts of the two supports that matter for outputs in [t_lo, t_hi]."""
    if op == "conv":
        rf = (max(sf.lo, t_lo - sg.hi), min(sf.hi, t_hi - sg.lo))
        rg = (max(sg.lo, t_lo - sf.hi), min(sg.hi, t_hi - sf.lo))
    else:   # c(t) = int f(t + s) conj(g(s)) ds
        rf = (max(sf.lo, t_lo + sg.lo), min(sf.hi, t_hi + sg.hi))
        rg = (max(sg.lo, sf.lo - t_hi), min(sg.hi, sf.hi - t_lo))
    return rf, rg


def _executor():
    import symconv.numeric as sn
    return sn


_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(_GAUSS_NODES)


def _note_pointwise(notes, numerics):
    """Say which values were computed by 30-digit ``evalf`` instead of lambdify."""
    for name, fn in numerics:
        if fn.pointwise and fn._fallback_only:
            notes.add(f"the values of {name} were computed one by one by SymPy evalf "
                      f"(30 digits) because {fn.why}")
        elif fn.pointwise:
            notes.add(f"{fn.pointwise} value(s) of {name} were computed one by one by SymPy "
                      f"evalf (30 digits) because {fn.why}; the others by lambdify "
                      "(NumPy and SciPy)")


def _resolve_pins(values, symbols):
    """``values`` with string keys replaced by the symbols of that name."""
    by_name = {s.name: s for s in symbols}
    pinned = {}
    for key, value in (values or {}).items():
        if isinstance(key, str):
            key = by_name.get(key, sp.Symbol(key))
        if not isinstance(key, sp.Symbol):
            raise SymconvError(f"values must map symbols (or their names) to numbers, "
                               f"but got the key {key!r}")
        pinned[key] = sp.sympify(value, strict=True)
    return pinned
