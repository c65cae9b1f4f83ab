r"""Numeric cross-checks of symbolic results against the NumPy executor.

A closed form is only as good as its verification.  :func:`crosscheck` takes a
symbolic convolution (or correlation) ``result`` of two signals ``f`` and ``g``,
replaces every symbolic parameter by random numbers (seeded, respecting the
symbols' assumptions, away from singular cases such as ``a = b``), evaluates the
closed form, and compares it with an independent numeric computation:

* **continuous signals** -- a grid convolution computed by
  :func:`symconv.numeric.convolve` / :func:`symconv.numeric.correlate` on cell
  averages of the two signals, at two grid spacings ``h`` and ``h/2`` (their
  difference is the error estimate that sets the tolerance), plus an adaptive
  quadrature (:func:`scipy.integrate.quad`) of the defining integral at a few points;
* **discrete signals** (an integer variable) -- the direct sum over a window that
  contains everything non-negligible, by :func:`symconv.numeric.convolve`, plus
  plain sums at a few points;
* **finite sequences** -- :func:`symconv.numeric.convolve` / ``correlate`` with the
  same ``mode``;
* **layers** -- :func:`crosscheck_layer` against the layer of :mod:`symconv.numeric`.

Dirac deltas cannot be sampled on a grid.  A signal is therefore split into a
regular part and terms ``w * DiracDelta(alpha*t + beta)``; the numeric reference
convolves the regular parts on the grid and applies the *sifting rule numerically*
to the delta terms (``delta(t - a) * g`` contributes ``g(t - a)``, with ``g``
evaluated by floating point), while delta terms of the result are compared by
location and weight.  The report says so whenever deltas were present.

The result is a :class:`CrosscheckReport`; its ``agree`` is ``True`` only when
every comparison passed, ``False`` when one failed, and ``None`` when the result
could not be verified (an unevaluated ``Integral``/``Sum``, non-decaying signals
whose integral cannot be truncated, unsupported delta terms ...).  A partial or
failed check is never reported as agreement.

Examples
--------
>>> from sympy import symbols, exp, Heaviside
>>> t = symbols('t', real=True)
>>> a, b = symbols('a b', positive=True)
>>> f, g = exp(-a*t)*Heaviside(t), exp(-b*t)*Heaviside(t)
>>> closed = (exp(-a*t) - exp(-b*t))/(b - a)*Heaviside(t)
>>> crosscheck(closed, f, g, t).agree
True
>>> crosscheck(2*closed, f, g, t).agree
False

Why one module of this size: the report types, the SymPy-to-NumPy evaluator and the
continuous, discrete, sequence and layer comparisons share the instance drawing and the
tolerance rules; the planned split (report, continuous, discrete, layer) is recorded in
docs/architecture.md.
"""

import html
import math
import numbers
import warnings
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

import numpy as np
import sympy as sp

from symconv._util.validate import check_choice
from symconv.errors import SymconvError

__all__ = ["crosscheck", "crosscheck_layer", "CrosscheckReport", "Checked",
           "CheckResult", "Instance"]

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
# the report
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class CheckResult:
    """One comparison inside an instance (grid, quadrature, delta terms, ...).

    The tolerance may differ from point to point. When the check passed, every error
    is within its own tolerance: ``max_error`` is the largest error and ``tolerance``
    the largest tolerance. When it failed, both are taken at the *worst point* (the
    largest ratio error/tolerance, located by ``at``), so ``max_error > tolerance``
    and the printed numbers always agree with the verdict.

    >>> CheckResult("quad", 3, 9.4e-07, 2.8e-09, False, at="t = 0.53").ok
    False
    >>> print(CheckResult("quad", 3, 9.4e-07, 2.8e-09, False, at="t = 0.53"))
    quad: 3 point(s), FAILED: error 9.4e-07 > tolerance 2.8e-09 at t = 0.53
    """

    name: str
    points: int
    max_error: float
    tolerance: float
    ok: bool
    detail: str = ""
    at: str = ""

    @property
    def ratio(self):
        """``max_error / tolerance`` (inf for a zero tolerance and a non-zero error)."""
        if self.tolerance > 0:
            return self.max_error / self.tolerance
        return 0.0 if self.max_error == 0 else math.inf

    def __str__(self):
        if self.ok:
            text = (f"{self.name}: {self.points} point(s), max error {self.max_error:.3g} "
                    f"(tolerance {self.tolerance:.3g}) ok")
        else:
            text = (f"{self.name}: {self.points} point(s), FAILED: error {self.max_error:.3g} "
                    f"> tolerance {self.tolerance:.3g}" + (f" at {self.at}" if self.at else ""))
        return text + (f"; {self.detail}" if self.detail else "")


@dataclass(frozen=True)
class Instance:
    """The checks run for one choice of parameter values."""

    label: str
    values: dict
    status: str                 # 'agree' | 'disagree' | 'not verified'
    checks: tuple = ()
    reason: str = ""

    def values_text(self):
        if not self.values:
            return "no parameters"
        return ", ".join(f"{k} = {_fmt_value(v)}" for k, v in self.values.items())


@dataclass(frozen=True)
class CrosscheckReport:
    """What was checked, how, and with which outcome.

    Attributes
    ----------
    agree : bool or None
        ``True``: every comparison of every instance passed.  ``False``: at least
        one failed (the closed form is wrong for those values).  ``None``: not
        verified (see ``reason``); never counts as a pass.
    max_error, tolerance : float or None
        When the result agrees: the largest absolute error seen and the largest
        tolerance used (every error is within its own tolerance). When it disagrees:
        the error and the tolerance at the worst point of the worst failed comparison
        (largest ratio error/tolerance), so ``max_error > tolerance``.
    seed : int
        Seed of the random parameter values and points; the check is reproducible.
    method : str
        The numeric reference used.
    points : int
        Number of points (or entries) compared over all instances.
    kind : str
        'continuous', 'discrete', 'sequence' or 'layer'.
    op : str
        'conv', 'corr' or the layer name.
    instances : tuple of Instance
        Per parameter draw: the values and the individual comparisons.
    reason : str
        Why the result was not verified or which comparison failed.
    notes : tuple of str
        Further remarks (delta handling, truncation, quadrature warnings).
    """

    agree: Any
    max_error: Any
    tolerance: Any
    seed: int
    method: str
    points: int
    kind: str
    op: str
    instances: tuple = ()
    reason: str = ""
    notes: tuple = field(default_factory=tuple)

    @property
    def status(self):
        """'agree', 'disagree' or 'not verified'."""
        return {True: "agree", False: "disagree"}.get(self.agree, "not verified")

    @property
    def verified(self):
        return self.agree is True

    def __bool__(self):
        return self.agree is True

    def lines(self):
        head = {"agree": "AGREES with", "disagree": "DISAGREES with",
                "not verified": "NOT VERIFIED against"}[self.status]
        out = [f"crosscheck ({self.kind} {self.op}, seed {self.seed}): the result {head} "
               f"the numeric reference"]
        if self.reason:
            out.append(f"  reason: {self.reason}")
        out.append(f"  method: {self.method}")
        worst = self._worst()
        if worst is not None:
            inst, check = worst
            out.append(f"  {self.points} point(s) compared; worst: error {self.max_error:.3g} "
                       f"> tolerance {self.tolerance:.3g} (the {check.name} check of "
                       f"[{inst.label}]" + (f" at {check.at}" if check.at else "") + ")")
        elif self.max_error is not None:
            out.append(f"  {self.points} point(s) compared; max error {self.max_error:.3g}, "
                       f"tolerance {self.tolerance:.3g}")
        for inst in self.instances:
            out.append(f"  [{inst.label}] {inst.values_text()}: {inst.status}"
                       + (f" ({inst.reason})" if inst.reason else ""))
            for check in inst.checks:
                out.append(f"      {check}")
        for note in self.notes:
            out.append(f"  note: {note}")
        return out

    def __str__(self):
        return "\n".join(self.lines())

    def _worst(self):
        """(instance, check) of the failed comparison with the largest error/tolerance."""
        failed = [(inst, c) for inst in self.instances for c in inst.checks if not c.ok]
        return max(failed, key=lambda ic: ic[1].ratio) if failed else None

    def short(self):
        """One line: the outcome, the largest error against the tolerance, points, seed."""
        text = f"{self.kind} {self.op}: {self.status}"
        worst = self._worst()
        if worst is not None:
            text += (f", error {self.max_error:.3g} > tolerance {self.tolerance:.3g} "
                     f"({worst[1].name}) on {self.points} point(s)")
        elif self.max_error is not None:
            text += (f", max error {self.max_error:.3g} (tolerance {self.tolerance:.3g}) "
                     f"on {self.points} point(s)")
        return text + f", seed {self.seed}"

    def __repr__(self):
        return f"<CrosscheckReport {self.short()}>"

    def latex(self):
        """The report as a LaTeX ``verbatim`` block (for :func:`symconv.latex.document`)."""
        body = str(self).replace("\\end{verbatim}", "\\end {verbatim}")
        return "\\begin{verbatim}\n" + body + "\n\\end{verbatim}"

    def _repr_html_(self):
        # for Jupyter: what lines() says, the checks of each instance as a nested list
        esc = html.escape
        head, *rest = self.lines()
        items, depth = [], 0
        for line in rest:
            inner = line.startswith("      ")
            if inner and not depth and items:
                items[-1] = items[-1].removesuffix("</li>") + "<ul>"
            elif depth and not inner:
                items.append("</ul></li>")
            depth = inner
            items.append(f"<li>{esc(line.strip())}</li>")
        if depth:
            items.append("</ul></li>")
        return f"<div><strong>{esc(head)}</strong><ul>{''.join(items)}</ul></div>"


def _shorten(text, limit):
    return text if len(text) <= limit else text[:limit - 3] + "..."


class Checked(NamedTuple):
    """A value together with the report of its numeric cross-check.

    ``str`` shows the value and the whole report; ``repr`` one line; in a notebook the
    value is displayed as LaTeX with the outcome of the check beside it.
    """

    value: Any
    report: CrosscheckReport

    def __repr__(self):
        report = self.report.short()
        return f"Checked({_shorten(str(self.value), max(40, 185 - len(report)))}, <{report}>)"

    def __str__(self):
        return f"{self.value}\n{self.report}"

    def _repr_latex_(self):
        from symconv.latex import escape_text, expr_latex

        outcome = {"agree": "numerically cross-checked: agrees",
                   "disagree": "numerically cross-checked: DISAGREES",
                   "not verified": "NOT verified numerically"}[self.report.status]
        if self.report.max_error is not None:
            outcome += (f" (max error {self.report.max_error:.3g}, "
                        f"tolerance {self.report.tolerance:.3g})")
        return (f"$${expr_latex(self.value)} \\qquad \\text{{{escape_text(outcome)}}}$$")


def _fmt_value(v):
    if isinstance(v, sp.Basic):
        if v.is_Integer or v.is_Symbol:
            return str(v)
        try:
            z = complex(v)
        except TypeError:
            return str(v)
        if z.imag == 0:
            return f"{z.real:.6g}"
        return f"{z.real:.6g}{z.imag:+.6g}i"
    return str(v)


def _aggregate(instances, *, seed, method, kind, op, notes=(), reason=""):
    checks = [c for inst in instances for c in inst.checks]
    statuses = [inst.status for inst in instances]
    if not instances:
        agree = None
    elif "disagree" in statuses:
        agree = False
        bad = [inst for inst in instances if inst.status == "disagree"]
        reason = reason or "; ".join(f"{inst.label} ({inst.values_text()}): {inst.reason}"
                                     for inst in bad)
    elif "not verified" in statuses:
        agree = None
        bad = [inst for inst in instances if inst.status == "not verified"]
        reason = reason or "; ".join(f"{inst.label}: {inst.reason}" for inst in bad)
        if any(s == "agree" for s in statuses):
            reason += " (the other instances agreed, so the check is only partial)"
    else:
        agree = True
    failed = [c for c in checks if not c.ok]
    if failed:   # the numbers of the worst failure: they must agree with the verdict
        worst = max(failed, key=lambda c: c.ratio)
        max_error, tolerance = worst.max_error, worst.tolerance
    else:
        max_error = max((c.max_error for c in checks), default=None)
        tolerance = max((c.tolerance for c in checks), default=None)
    return CrosscheckReport(
        agree=agree, max_error=max_error, tolerance=tolerance,
        seed=seed, method=method, points=sum(c.points for c in checks), kind=kind, op=op,
        instances=tuple(instances), reason=reason, notes=tuple(notes))


def _not_verified(reason, *, seed, method, kind, op, notes=()):
    return CrosscheckReport(agree=None, max_error=None, tolerance=None, seed=seed,
                            method=method, points=0, kind=kind, op=op, reason=reason,
                            notes=tuple(notes))


def _compare(name, closed, reference, tol, detail="", at=None, var="t"):
    """A CheckResult comparing two arrays under an absolute tolerance (scalar or per point).

    ``at`` (the points compared: values of ``var``, or labels) locates the worst point of
    a failure.
    """
    closed = np.asarray(closed, dtype=complex)
    reference = np.asarray(reference, dtype=complex)
    tol = np.broadcast_to(np.asarray(tol, dtype=float), reference.shape)
    if closed.size == 0:
        return CheckResult(name, 0, 0.0, 0.0, True, detail)

    def where(i):
        if at is None:
            return f"comparison point #{i}"
        point = at[i] if isinstance(at, (list, tuple)) else np.ravel(at)[i]
        return point if isinstance(point, str) else f"{var} = {float(point):.6g}"

    err = np.abs(closed - reference).ravel()
    finite = np.isfinite(err)
    if not finite.all():
        i = int(np.flatnonzero(~finite)[0])
        return CheckResult(name, closed.size, math.inf, float(tol.ravel()[i]), False,
                           (detail + "; " if detail else "") + "a value is not finite",
                           at=where(i))
    flat_tol = tol.ravel()
    ok = bool(np.all(err <= flat_tol))
    if ok:
        return CheckResult(name, int(closed.size), float(err.max()), float(flat_tol.max()),
                           True, detail)
    i = int(np.argmax(err / np.maximum(flat_tol, np.finfo(float).tiny)))
    return CheckResult(name, int(closed.size), float(err[i]), float(flat_tol[i]), False,
                       detail, at=where(i))


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


# ---------------------------------------------------------------------------
# continuous signals
# ---------------------------------------------------------------------------

def _executor():
    import symconv.numeric as sn
    return sn


_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(_GAUSS_NODES)


def _cell_averages(fn, start, n, h, breaks=()):
    """Averages of ``fn`` over the cells ``[c_i - h/2, c_i + h/2]``, ``c_i = start + i h``.

    Gauss-Legendre on every cell; a cell that contains a breakpoint (jump or kink of
    ``fn``) is split there and each piece integrated separately, so the averages stay
    accurate to high order even at discontinuities.
    """
    centers = start + np.arange(n) * h
    pts = centers[:, None] + _GL_NODES[None, :] * (h / 2)
    avg = (fn(pts.ravel()).reshape(n, _GAUSS_NODES) * _GL_WEIGHTS).sum(axis=1) / 2
    split = {}
    for b in breaks:
        i = int(round((b - start) / h))
        if 0 <= i < n and abs(b - centers[i]) < h / 2 * (1 - 1e-12):
            split.setdefault(i, []).append(b)
    for i, inner in split.items():
        edges = [centers[i] - h / 2] + sorted(inner) + [centers[i] + h / 2]
        total = 0j
        for lo, hi in zip(edges[:-1], edges[1:]):
            if hi > lo:
                nodes = (lo + hi) / 2 + _GL_NODES * (hi - lo) / 2
                total += (fn(nodes) * _GL_WEIGHTS).sum() * (hi - lo) / 2
        avg = avg.astype(complex) if np.iscomplexobj(total) and not np.iscomplexobj(avg) else avg
        avg[i] = total / h
    return avg


def _grid_reference(Ff, Fg, origin_f, origin_g, nf, ng, h, op, bf, bg):
    """Grid convolution/correlation of the regular parts; returns (t values, values)."""
    sn = _executor()
    fa = _real_if_close(_cell_averages(Ff, origin_f, nf, h, bf))
    ga = _real_if_close(_cell_averages(Fg, origin_g, ng, h, bg))
    if op == "conv":
        values = sn.convolve(fa, ga, mode="full") * h
        t = origin_f + origin_g + np.arange(nf + ng - 1) * h
    else:
        values = sn.correlate(fa, ga, mode="full") * h
        t = origin_f - origin_g + (np.arange(nf + ng - 1) - (ng - 1)) * h
    return t, values


def _sifted(Ff, Fg, df, dg, t, op):
    """Delta contributions evaluated numerically by the sifting rule, at points ``t``."""
    total = np.zeros(len(t), dtype=complex)
    for a, w in df:
        total += w * (Fg(t - a) if op == "conv" else np.conj(Fg(a - t)))
    for b, v in dg:
        total += (v if op == "conv" else np.conj(v)) * Ff(t + (-b if op == "conv" else b))
    return total


def _quad(fn, lo, hi, points):
    """Adaptive quadrature of a complex scalar integrand on [lo, hi]: (value, error, warned)."""
    inner = [p for p in points if lo < p < hi]
    integrate = _require_scipy()
    warned = False
    value, error = 0j, 0.0
    for part in ("real", "imag"):
        def integrand(s, part=part):
            v = fn(s)
            return v.real if part == "real" else v.imag
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            val, err = integrate.quad(integrand, lo, hi, points=inner or None, limit=400,
                                      epsabs=1e-13, epsrel=1e-11)
        warned = warned or bool(caught)
        value += val if part == "real" else 1j * val
        error += err
        if part == "real" and all(fn(lo + (hi - lo) * q).imag == 0 for q in (0.21, 0.5, 0.83)):
            break
    return value, error, warned


def _check_continuous(res, f, g, var, op, rng, notes):
    res_reg, res_deltas = _split_deltas(res, var)
    f_reg, df = _split_deltas(f, var)
    g_reg, dg = _split_deltas(g, var)
    if df or dg or res_deltas:
        notes.add("delta terms: the reference convolves the regular parts on the grid and "
                  "applies the sifting rule numerically to the delta terms "
                  "(delta(t - a) * g contributes g(t - a)); delta terms of the result are "
                  "compared by location and weight")
    Ff, Fg, Fr = _Numeric(f_reg, var), _Numeric(g_reg, var), _Numeric(res_reg, var)
    probe = np.linspace(-_PROBE_HALF_WIDTH, _PROBE_HALF_WIDTH, _PROBE_POINTS)
    probe = probe + _GOLDEN * (probe[1] - probe[0])
    sf = _support(Ff(probe), probe, [d[0] for d in df])
    sg = _support(Fg(probe), probe, [d[0] for d in dg])
    t_lo, t_hi = _t_range(sf, sg, op, _SPAN)
    regular = not (sf.empty or sg.empty)
    checks = []
    if regular:
        rf, rg = _ranges(sf, sg, t_lo, t_hi, op)
        if not all(math.isfinite(v) for v in rf + rg):
            raise _Unsupported("the signals do not decay, so the integral over an infinite "
                               "range has no numeric reference")
        if rf[1] <= rf[0] or rg[1] <= rg[0]:
            regular = False
    if regular:
        longest = max(rf[1] - rf[0], rg[1] - rg[0])
        n = min(max(int(longest / 0.02), 300), 800)
        h = longest / n
        bf, bg = _breakpoints(f_reg, var), _breakpoints(g_reg, var)
        # shared origins: the nodes of the h/2 grid include those of the h grid; the
        # irrational offsets keep rational breakpoints off the nodes
        origin_f = rf[0] - 2 * h + _GOLDEN * h
        origin_g = rg[0] - 2 * h + (1 - _GOLDEN) * h / 2
        nf = int(math.ceil((rf[1] + 2 * h - origin_f) / h)) + 1
        ng = int(math.ceil((rg[1] + 2 * h - origin_g) / h)) + 1
        t_f, v_f = _grid_reference(Ff, Fg, origin_f, origin_g, 2 * nf - 1, 2 * ng - 1, h / 2,
                                   op, bf, bg)
        # three coarse grids whose f and g nodes are shifted in opposite directions (for
        # 'corr': the same direction) by thirds of a cell: the t nodes stay the same while
        # the positions of the jumps inside the cells change, so the spread captures the
        # part of the discretisation error that depends on those positions
        coarse = []
        for k in range(3):
            shift = k * h / 3
            t_c, v = _grid_reference(Ff, Fg, origin_f + shift,
                                     origin_g + (-shift if op == "conv" else shift),
                                     nf, ng, h, op, bf, bg)
            coarse.append(v)
        idx_c = np.flatnonzero((t_c >= t_lo) & (t_c <= t_hi))
        idx_f = np.rint((t_c[idx_c] - t_f[0]) / (h / 2)).astype(int)
        if idx_f.size and (idx_f.max() >= len(t_f)
                           or np.abs(t_f[idx_f] - t_c[idx_c]).max() > 1e-6 * h):
            raise _Unsupported("internal grid mismatch between the spacings h and h/2")
        # error estimate per node: |I_h - I_{h/2}|, widened to the largest value within
        # 5% of the range on either side (the difference can vanish by accident at a
        # single node, the error itself does not)
        local = np.max([np.abs(v_f[idx_f] - v[idx_c]) for v in coarse], axis=0)
        width = max(2, local.size // 20)
        padded = np.concatenate([np.zeros(width), local, np.zeros(width)])
        widened = np.lib.stride_tricks.sliding_window_view(padded, 2 * width + 1).max(axis=1)
        keep = np.arange(idx_c.size)
        if keep.size > _MAX_COMPARE:
            keep = keep[np.linspace(0, keep.size - 1, _MAX_COMPARE).astype(int)]
        pts = t_c[idx_c[keep]]
        estimate = widened[keep]
        reference = v_f[idx_f[keep]] + _sifted(Ff, Fg, df, dg, pts, op)
        closed = Fr(pts)
        scale = max(np.abs(reference).max(), np.abs(closed).max(), 0.0)
        tol = 3.0 * estimate + _REL_FLOOR * scale + _ABS_FLOOR
        checks.append(_compare(
            "grid", closed, reference, tol,
            f"t in [{t_lo:.3g}, {t_hi:.3g}], h = {h:.3g} and {h / 2:.3g}, error estimate "
            f"|I_h - I_h/2| per point: median {np.median(estimate):.2g}, "
            f"max {estimate.max():.2g}", at=pts, var=str(var)))
        # adaptive quadrature of the defining integral at a few random points, drawn
        # where the supports overlap (elsewhere the integral is 0 without any quadrature,
        # and the grid already compares those points)
        if op == "conv":
            q_lo, q_hi = max(t_lo, sf.lo + sg.lo), min(t_hi, sf.hi + sg.hi)
        else:
            q_lo, q_hi = max(t_lo, sf.lo - sg.hi), min(t_hi, sf.hi - sg.lo)
        if not q_hi > q_lo:
            q_lo, q_hi = t_lo, t_hi
        q_pts = np.sort(rng.uniform(q_lo, q_hi, _QUAD_POINTS))
        q_ref, q_err, q_warn, q_empty = [], [], False, 0
        for t0 in q_pts:
            if op == "conv":
                lo, hi = max(sf.lo, t0 - sg.hi), min(sf.hi, t0 - sg.lo)
                brk = bf + [t0 - p for p in bg]
                integrand = (lambda s, t0=t0: Ff.scalar(s) * Fg.scalar(t0 - s))
            else:
                lo, hi = max(sg.lo, sf.lo - t0), min(sg.hi, sf.hi - t0)
                brk = bg + [p - t0 for p in bf]
                integrand = (lambda s, t0=t0: Ff.scalar(t0 + s) * Fg.scalar(s).conjugate())
            if hi > lo:
                val, err, warned = _quad(integrand, lo, hi, sorted(brk))
            else:   # the supports do not overlap at t0: the integral is exactly 0
                val, err, warned = 0j, 0.0, False
                q_empty += 1
            q_warn = q_warn or warned
            q_ref.append(val)
            q_err.append(err)
        q_ref = np.array(q_ref) + _sifted(Ff, Fg, df, dg, q_pts, op)
        q_closed = Fr(q_pts)
        q_scale = max(np.abs(q_ref).max(), np.abs(q_closed).max())
        q_tol = 10.0 * np.array(q_err) + _REL_FLOOR * q_scale + _ABS_FLOOR
        q_detail = "scipy.integrate.quad" + (" (with an integration warning)"
                                             if q_warn else "")
        if q_empty:
            q_detail += (f"; at {q_empty} of the points the supports do not overlap "
                         "(reference exactly 0, no quadrature)")
        checks.append(_compare("quad", q_closed, q_ref, q_tol, q_detail, at=q_pts,
                               var=str(var)))
    else:
        # no regular x regular part: only sifted terms (exact evaluations) remain
        pts = np.linspace(t_lo, t_hi, 101) + _GOLDEN * (t_hi - t_lo) / 100
        reference = _sifted(Ff, Fg, df, dg, pts, op)
        closed = Fr(pts)
        scale = max(np.abs(reference).max(), np.abs(closed).max(), 0.0)
        checks.append(_compare("sifted terms", closed, reference,
                               1e-9 * scale + _ABS_FLOOR,
                               f"t in [{t_lo:.3g}, {t_hi:.3g}]", at=pts, var=str(var)))
    _note_pointwise(notes, (("f", Ff), ("g", Fg), ("the result", Fr)))
    # delta x delta terms of the result
    if op == "conv":
        expected = [(a + b, w * v) for a, w in df for b, v in dg]
    else:
        expected = [(a - b, w * np.conj(v)) for a, w in df for b, v in dg]
    expected, got = _merge_deltas(expected), _merge_deltas(res_deltas)
    if expected or got:
        checks.append(_delta_check(expected, got))
    return checks


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


def _delta_check(expected, got):
    """Delta terms of the result against the expected ones: locations and weights, each
    within ``1e-8 (1 + |value|)``."""
    detail = ("expected " + ", ".join(f"{_c(w)}*delta(t - {l:.6g})" for l, w in expected)
              + "; result has " + (", ".join(f"{_c(w)}*delta(t - {l:.6g})" for l, w in got)
                                   or "none"))
    if len(expected) != len(got):
        return CheckResult("delta terms", max(len(expected), len(got)), math.inf, 0.0, False,
                           detail, at=f"{len(got)} delta term(s) instead of {len(expected)}")
    labels = [f"the location of term {i + 1}" for i in range(len(expected))] + \
             [f"the weight of term {i + 1}" for i in range(len(expected))]
    want = np.array([le for le, _ in expected] + [we for _, we in expected], dtype=complex)
    have = np.array([lg for lg, _ in got] + [wg for _, wg in got], dtype=complex)
    check = _compare("delta terms", have, want, 1e-8 * (1 + np.abs(want)),
                     "locations and weights match", at=labels)
    return replace(check, points=len(expected),
                   detail=check.detail if check.ok else detail)


def _c(w):
    w = complex(w)
    return f"{w.real:.6g}" if abs(w.imag) < 1e-14 else f"({w.real:.6g}{w.imag:+.6g}j)"


# ---------------------------------------------------------------------------
# discrete signals
# ---------------------------------------------------------------------------

def _check_discrete(res, x, h, var, op, rng, notes):
    sn = _executor()
    for name, e in (("x", x), ("h", h), ("result", res)):
        if e.has(sp.DiracDelta):
            raise _Unsupported(f"the discrete {name} contains DiracDelta (use KroneckerDelta)")
    Fx, Fh, Fr = _Numeric(x, var), _Numeric(h, var), _Numeric(res, var)
    probe = np.arange(-_DISCRETE_PROBE, _DISCRETE_PROBE + 1, dtype=float)
    sx, sh = _support(Fx(probe), probe), _support(Fh(probe), probe)
    t_lo, t_hi = _t_range(sx, sh, op, 20.0)
    n_lo, n_hi = int(math.floor(t_lo)), int(math.ceil(t_hi))
    pts = np.arange(n_lo, n_hi + 1, dtype=float)
    closed = Fr(pts)
    if sx.empty or sh.empty:
        reference = np.zeros(len(pts))
        direct = []
    else:
        rx, rh = _ranges(sx, sh, n_lo, n_hi, op)
        if not all(math.isfinite(v) for v in rx + rh):
            raise _Unsupported("the sequences do not decay, so the infinite sum has no "
                               "numeric reference")
        ax, bx = int(math.floor(rx[0])), int(math.ceil(rx[1]))
        ah, bh = int(math.floor(rh[0])), int(math.ceil(rh[1]))
        if bx < ax or bh < ah:
            reference, direct = np.zeros(len(pts)), []
        else:
            xs = _real_if_close(Fx(np.arange(ax, bx + 1, dtype=float)))
            hs = _real_if_close(Fh(np.arange(ah, bh + 1, dtype=float)))
            if op == "conv":
                full = sn.convolve(xs, hs, mode="full")
                n_full = ax + ah + np.arange(len(full))
            else:
                full = sn.correlate(xs, hs, mode="full")
                n_full = ax - ah + np.arange(len(full)) - (len(hs) - 1)
            lookup = dict(zip(n_full.tolist(), full))
            reference = np.array([lookup.get(int(n), 0.0) for n in pts], dtype=complex)
            # plain sums at a few points, independent of the executor's vectorisation
            direct = []
            k = np.arange(ax, bx + 1)
            for n in rng.choice(pts, size=min(3, len(pts)), replace=False):
                if op == "conv":
                    other = Fh(n - k)
                    direct.append((n, complex(np.sum(Fx(k) * other))))
                else:
                    m = np.arange(ah, bh + 1)
                    direct.append((n, complex(np.sum(Fx(n + m) * np.conj(Fh(m))))))
    scale = max(np.abs(reference).max(initial=0), np.abs(closed).max(initial=0))
    tol = 1e-9 * scale + _ABS_FLOOR
    checks = [_compare("window sum", closed, reference, tol,
                       f"n in [{n_lo}, {n_hi}], symconv.numeric."
                       f"{'convolve' if op == 'conv' else 'correlate'}", at=pts,
                       var=str(var))]
    if direct:
        d_pts = np.array([d[0] for d in direct])
        checks.append(_compare("direct sums", Fr(d_pts), np.array([d[1] for d in direct]),
                               tol, "plain sums at random n", at=d_pts, var=str(var)))
    _note_pointwise(notes, (("x", Fx), ("h", Fh), ("the result", Fr)))
    return checks


# ---------------------------------------------------------------------------
# finite sequences
# ---------------------------------------------------------------------------

def _is_sequence(value):
    return isinstance(value, (list, tuple, sp.MatrixBase, sp.NDimArray, np.ndarray))


def _flat_exprs(value, name):
    if isinstance(value, sp.MatrixBase):
        items = list(value)
    elif isinstance(value, sp.NDimArray):
        items = list(sp.flatten(value.tolist()))
    elif isinstance(value, np.ndarray):
        items = value.ravel().tolist()
    else:
        items = list(value)
    out = []
    for v in items:
        if isinstance(v, (str, bytes)):
            raise SymconvError(f"{name} entries must be numbers or SymPy expressions, but got "
                               f"the string {v!r}")
        out.append(sp.sympify(v) if isinstance(v, (numbers.Number, sp.Basic)) else
                   _refuse(v, name))
    return out


def _refuse(v, name):
    raise SymconvError(f"{name} entries must be numbers or SymPy expressions, but got {v!r}")


def _numbers(exprs, values):
    out = []
    for e in exprs:
        v = e.subs(values) if e.free_symbols else e
        try:
            out.append(complex(v.evalf()))
        except TypeError:
            raise _Unsupported(f"an entry does not evaluate to a number: {v}") from None
    return np.array(out)


def _sample_free(symbols, rng, pinned, complex_ok=False):
    """Values in about [-2, 2] for entries of sequences/tensors; with ``complex_ok``,
    symbols not known to be real get complex values (exercising conjugations)."""
    values = dict(pinned)
    for s in symbols:
        if s in values:
            continue
        if s.is_integer:
            values[s] = _draw(s, rng, False)
            continue
        v = rng.uniform(0.25, 2.0)
        sign = -1 if (s.is_negative or s.is_nonpositive) else (
            1 if (s.is_positive or s.is_nonnegative) else int(rng.choice([-1, 1])))
        value = sp.Rational(int(round(sign * v * 100)), 100)
        if complex_ok and s.is_real is None:
            value += sp.I * sp.Rational(int(round(rng.uniform(-2.0, 2.0) * 100)), 100)
        values[s] = value
    return values


def _check_sequences(result, a, b, op, mode, period, seed, instances, pinned):
    sn = _executor()
    ea, eb = _flat_exprs(a, "f"), _flat_exprs(b, "g")
    er = _flat_exprs(result, "result")
    mode = mode or ("circular" if period is not None else ("full" if op == "conv" else "valid"))
    if mode == "circular" and period is None:
        period = max(len(ea), len(eb))
    fn = "convolve" if op == "conv" else "correlate"
    method = (f"symconv.numeric.{fn}(mode={mode!r}) on random values of the symbols "
              "(complex for symbols not known to be real)"
              if mode != "circular" else
              f"symconv.numeric.{fn}(mode='full') folded modulo the period {period}, on "
              "random values of the symbols (complex for symbols not known to be real)")
    symbols = sorted(set().union(*(e.free_symbols for e in ea + eb + er)), key=lambda s: s.name)
    pinned = _resolve_pins(pinned, symbols)
    rng = np.random.default_rng(seed)
    runs = []
    for i in range(max(1, instances)):
        label = f"instance {i + 1}"
        try:
            values = _sample_free(symbols, rng, pinned, complex_ok=True)
            na, nb, nr = _numbers(ea, values), _numbers(eb, values), _numbers(er, values)
            na, nb = _real_if_close(na), _real_if_close(nb)
            if mode != "circular":
                ref = (sn.convolve if op == "conv" else sn.correlate)(na, nb, mode=mode)
            elif op == "conv":
                # entry j of the full convolution belongs to n = j mod P
                full = sn.convolve(na, nb, mode="full")
                ref = np.zeros(int(period), dtype=complex)
                np.add.at(ref, np.arange(len(full)) % int(period), full)
            else:
                # entry j of the full correlation has lag j - (M - 1); lags fold mod P
                full = sn.correlate(na, nb, mode="full")
                ref = np.zeros(int(period), dtype=complex)
                np.add.at(ref, (np.arange(len(full)) - (len(nb) - 1)) % int(period), full)
            if len(ref) != len(nr):
                runs.append(Instance(label, values, "disagree",
                                     (CheckResult("length", 1, math.inf, 0.0, False,
                                                  f"result has {len(nr)} entries, the "
                                                  f"reference {len(ref)}"),),
                                     f"length {len(nr)} instead of {len(ref)}"))
                continue
            scale = max(np.abs(ref).max(initial=0), np.abs(nr).max(initial=0))
            check = _compare("entries", nr, ref, 1e-9 * scale + _ABS_FLOOR)
            runs.append(Instance(label, values, "agree" if check.ok else "disagree", (check,),
                                 "" if check.ok else "entries differ"))
        except _Unsupported as exc:
            runs.append(Instance(label, {}, "not verified", (), str(exc)))
    return _aggregate(runs, seed=seed, method=method, kind="sequence", op=op)


# ---------------------------------------------------------------------------
# the public entry points
# ---------------------------------------------------------------------------

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


def _unevaluated(expr):
    return expr.has(sp.Integral) or expr.has(sp.Sum)


def crosscheck(result, f, g, var=None, *, op="conv", seed=0, discrete=None, mode=None,
               period=None, values=None, instances=2, special_cases=True):
    r"""Compare a symbolic convolution/correlation with an independent numeric one.

    Parameters
    ----------
    result : sympy.Expr or sequence
        The claimed closed form of ``conv(f, g)`` (``op='conv'``) or ``corr(f, g)``
        (``op='corr'``), or a finite sequence for sequence inputs.
    f, g : sympy.Expr or sequence
        The two signals (expressions in ``var``), or two finite sequences (lists,
        tuples, SymPy matrices/arrays, NumPy arrays) with numeric or symbolic entries.
    var : sympy.Symbol
        The variable of the signals (not needed for sequences).  An ``integer=True``
        symbol means discrete signals.
    op : {'conv', 'corr'}, default 'conv'
        ``conv``: ``(f*g)(t) = ∫ f(s) g(t - s) ds`` (sum for discrete);
        ``corr``: ``(f⋆g)(t) = ∫ f(t + s) conj(g(s)) ds``.
    seed : int, default 0
        Seed of the random parameter values and quadrature points.
    discrete : bool, optional
        Force the discrete (True) or continuous (False) check; by default
        ``var.is_integer`` decides.
    mode : {'full', 'same', 'valid', 'circular'}, optional
        Sequences only: numpy's modes (default 'full' for conv, 'valid' for corr) or
        the circular convolution/correlation (as in :func:`symconv.signals.discrete.conv_seq`).
    period : int, optional
        Sequences only: the period of mode 'circular' (default the longer length;
        giving a period implies mode 'circular').
    values : dict, optional
        Parameter values to use instead of random ones (``{a: 2}``).
    instances : int, default 2
        Number of random parameter draws.
    special_cases : bool, default True
        Also check the branches ``Eq(a, b)`` of a ``Piecewise`` result by substituting
        the equality (e.g. ``a = b``) before drawing the other parameters.

    Returns
    -------
    CrosscheckReport
        ``agree`` is True / False / None (not verified), with the errors, the
        tolerance, the seed, the method and the points compared.

    Notes
    -----
    *Parameters.*  Integer symbols get small integers (sign from the assumptions);
    other symbols get two-decimal values with magnitude in [0.5, 2] (continuous) or
    [0.3, 0.9] (discrete: bases of powers), negative when declared negative and
    positive otherwise (symbols without a sign assumption are treated as the rates
    and widths of textbook signals).  Draws where two real parameters are within
    0.2 of each other (or of each other's negative) or where a parameter
    denominator of ``result`` is near 0 are rejected.

    *Continuous reference.*  Each signal is probed on [-100, 100] to find where it
    is non-negligible (relative 1e-12); signals that do not decay there must be
    zero on the other side (causal/anticausal), else the check is 'not verified'.
    The cell averages (4-point Gauss-Legendre per cell, cells split at the
    jumps and kinks found in the expressions) of the two regular parts are
    convolved by :mod:`symconv.numeric` at spacings ``h`` and ``h/2``.  Three
    random points where the two supports overlap are also checked by adaptive
    quadrature, :func:`scipy.integrate.quad` (tolerance ``10 x`` its error estimate
    plus the same floor).  The grid tolerance is per point: three times the largest
    ``|I_h - I_{h/2}|`` within 5% of the t-range around the point, plus
    ``1e-8`` times the largest value compared.  A failed comparison reports the error
    and the tolerance at its worst point (largest ratio), so they agree with the
    verdict.  Values that NumPy/SciPy cannot compute are evaluated by SymPy's
    ``evalf`` (30 digits), and the report's notes say so.

    *Discrete reference.*  The sequences are evaluated on a window of integers
    covering everything above 1e-12 of their peak and summed by
    :func:`symconv.numeric.convolve` (tolerance ``1e-9 scale``), plus plain sums
    at three points.

    Examples
    --------
    >>> from sympy import symbols, Heaviside, KroneckerDelta, Rational
    >>> n = symbols('n', integer=True)
    >>> x = Rational(1, 2)**n*Heaviside(n, 1)
    >>> crosscheck(x, x, KroneckerDelta(n, 0), n).agree
    True
    >>> crosscheck((n + 1)*x, x, x, n).status
    'agree'
    >>> crosscheck(n*x, x, x, n).status
    'disagree'
    >>> a, b = symbols('a b')
    >>> crosscheck([a, 2*a + b, 2*b], [1, 2], [a, b]).agree
    True
    """
    check_choice(op, ("conv", "corr"), "op")
    if _is_sequence(f) or _is_sequence(g):
        if not (_is_sequence(f) and _is_sequence(g) and _is_sequence(result)):
            raise SymconvError("for sequences, result, f and g must all be sequences, but got "
                               f"{type(result).__name__}, {type(f).__name__} and "
                               f"{type(g).__name__}")
        if mode is not None:
            check_choice(mode, ("full", "same", "valid", "circular"), "mode")
        return _check_sequences(result, f, g, op, mode, period, seed, instances, values)
    for name, value in (("result", result), ("f", f), ("g", g)):
        if isinstance(value, (str, bytes)):
            raise SymconvError(f"{name} must be a SymPy expression, but got the string {value!r} "
                               "(parse text with symconv.parsing.parse_math first)")
    result, f, g = (sp.sympify(v, strict=True) for v in (result, f, g))
    if not isinstance(var, sp.Symbol):
        raise SymconvError(f"var must be a SymPy Symbol, but got {var!r}")
    _require_scipy()
    if discrete is None:
        discrete = bool(var.is_integer)
    kind = "discrete" if discrete else "continuous"
    if discrete:
        method = ("direct sum over a window (symconv.numeric."
                  f"{'convolve' if op == 'conv' else 'correlate'}) + plain sums at 3 points")
    else:
        method = ("grid convolution of cell averages (symconv.numeric."
                  f"{'convolve' if op == 'conv' else 'correlate'}, spacings h and h/2) "
                  f"+ adaptive quadrature at {_QUAD_POINTS} points")
    if isinstance(result, (sp.Integral, sp.Sum)) or (
            _unevaluated(result) and not result.atoms(sp.Piecewise)):
        return _not_verified("no closed form: the result is an unevaluated "
                             f"{'Sum' if result.has(sp.Sum) else 'Integral'}",
                             seed=seed, method=method, kind=kind, op=op)
    params = sorted((f.free_symbols | g.free_symbols | result.free_symbols) - {var},
                    key=lambda s: s.name)
    pinned = _resolve_pins(values, params)
    extra = result.free_symbols - f.free_symbols - g.free_symbols - {var}
    notes = set()
    if extra:
        notes.add("the result has symbols that f and g do not have: "
                  + ", ".join(sorted(map(str, extra))))
    rng = np.random.default_rng(seed)
    draws = max(1, instances) if params else 1
    plans = [(f"random {i + 1}" if params else "no parameters", {}) for i in range(draws)]
    if special_cases:
        for sub in _special_cases(result, params, var):
            plans.append(("special case " + ", ".join(f"{k} = {v}" for k, v in sub.items()),
                          sub))
    dens = _denominators(result, var)
    runs = []
    for label, sub in plans:
        try:
            fs, gs, rs = (e.subs(sub) for e in (f, g, result))
            remaining = [p for p in params if p not in sub]
            vals = _sample(remaining, rng, discrete, pinned,
                           {d.subs(sub) for d in dens} - {sp.S.Zero})
            fi, gi, ri = (e.subs(vals) for e in (fs, gs, rs))
            shown = dict(vals)
            shown.update({k: v.subs(vals) for k, v in sub.items()})
            shown = {str(k): shown[k] for k in sorted(shown, key=lambda s: s.name)}
            if _unevaluated(ri):
                runs.append(Instance(label, shown, "not verified", (),
                                     "no closed form for these values (unevaluated "
                                     "Integral/Sum)"))
                continue
            leftover = ri.free_symbols - {var}
            if leftover or (fi.free_symbols | gi.free_symbols) - {var}:
                raise _Unsupported("symbols left after substitution: "
                                   + ", ".join(map(str, leftover)))
            with np.errstate(all="ignore"):
                if discrete:
                    checks = _check_discrete(ri, fi, gi, var, op, rng, notes)
                else:
                    checks = _check_continuous(ri, fi, gi, var, op, rng, notes)
            ok = all(c.ok for c in checks)
            failed = [c.name for c in checks if not c.ok]
            runs.append(Instance(label, shown, "agree" if ok else "disagree", tuple(checks),
                                 "" if ok else "failed: " + ", ".join(failed)))
        except _Unsupported as exc:
            runs.append(Instance(label, {}, "not verified", (), str(exc)))
        except (ArithmeticError, TypeError, ValueError, AttributeError,
                NotImplementedError) as exc:
            # a failure of the numeric reference itself is reported, never taken as a pass
            runs.append(Instance(label, {}, "not verified", (),
                                 f"the numeric reference failed: {type(exc).__name__}: {exc}"))
    return _aggregate(runs, seed=seed, method=method, kind=kind, op=op, notes=sorted(notes))


_LAYERS = ("conv_layer", "conv_transpose_layer", "pool_layer")


def crosscheck_layer(result, layer, *args, seed=0, instances=2, values=None, **kwargs):
    r"""Compare an exact layer output with the NumPy layer of :mod:`symconv.numeric`.

    Parameters
    ----------
    result : array-like
        The exact output (e.g. of :func:`symconv.nn.layers.conv_layer`).
    layer : {'conv_layer', 'conv_transpose_layer', 'pool_layer'} or the function
    *args, **kwargs
        The layer's arguments (``x, w, bias`` ... and keywords), possibly symbolic.
    seed, instances, values
        As in :func:`crosscheck`: symbols receive random values in [-2, 2]
        (respecting sign assumptions; integers for integer symbols).

    Returns
    -------
    CrosscheckReport

    Examples
    --------
    >>> from sympy import symbols
    >>> from symconv.nn.layers import conv_layer
    >>> a, b, c = symbols('a b c')
    >>> y = conv_layer([[[a, b, c]]], [[[1, -1]]])
    >>> crosscheck_layer(y, 'conv_layer', [[[a, b, c]]], [[[1, -1]]]).agree
    True
    >>> crosscheck_layer([[[a - b, c - b]]], 'conv_layer', [[[a, b, c]]], [[[1, -1]]]).agree
    False
    """
    from symconv.nn.layers import _as_tensor

    name = getattr(layer, "__name__", layer)
    check_choice(name, _LAYERS, "layer")
    sn = _executor()
    tensors = [None if v is None else (_as_tensor(v, f"argument {i}")
                                       if _is_sequence(v) else v)
               for i, v in enumerate(args)]
    res = _as_tensor(result, "result")
    exprs = list(res.flat)
    for t in tensors:
        if t is not None and hasattr(t, "flat"):
            exprs.extend(t.flat)
    symbols = sorted(set().union(*(sp.sympify(e).free_symbols for e in exprs)),
                     key=lambda s: s.name)
    pinned = _resolve_pins(values, symbols)
    rng = np.random.default_rng(seed)
    runs = []
    for i in range(max(1, instances)):
        label = f"instance {i + 1}"
        vals = _sample_free(symbols, rng, pinned)
        try:
            num_args = []
            for t in tensors:
                if t is None or not hasattr(t, "flat"):
                    num_args.append(t)
                else:
                    num_args.append(_real_if_close(_numbers(
                        [sp.sympify(e) for e in t.flat], vals)).reshape(t.shape))
            ref = np.asarray(getattr(sn, name)(*num_args, **kwargs))
            got = _numbers([sp.sympify(e) for e in res.flat], vals).reshape(res.shape)
            if got.shape != ref.shape:
                runs.append(Instance(label, {str(k): v for k, v in vals.items()}, "disagree",
                                     (CheckResult("shape", 1, math.inf, 0.0, False,
                                                  f"{got.shape} vs {ref.shape}"),),
                                     f"shape {got.shape} instead of {ref.shape}"))
                continue
            scale = max(np.abs(ref).max(initial=0), np.abs(got).max(initial=0))
            check = _compare("entries", got, ref, 1e-9 * scale + _ABS_FLOOR)
            runs.append(Instance(label, {str(k): v for k, v in vals.items()},
                                 "agree" if check.ok else "disagree", (check,),
                                 "" if check.ok else "entries differ"))
        except _Unsupported as exc:
            runs.append(Instance(label, {}, "not verified", (), str(exc)))
    return _aggregate(runs, seed=seed, method=f"symconv.numeric.{name} on random values",
                      kind="layer", op=name)
