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

The pieces: :mod:`~symconv.verify.report` (the report types),
:mod:`~symconv.verify._evaluate` (settings, evaluation, sampling, supports),
:mod:`~symconv.verify.continuous`, :mod:`~symconv.verify.discrete` (the comparisons);
this module holds the two entry points.
"""

import math

import numpy as np
import sympy as sp

from symconv._util.validate import check_choice
from symconv.errors import SymconvError
from symconv.verify._evaluate import (
    _ABS_FLOOR,
    _QUAD_POINTS,
    _denominators,
    _executor,
    _real_if_close,
    _require_scipy,
    _resolve_pins,
    _sample,
    _special_cases,
    _Unsupported,
)
from symconv.verify.continuous import _check_continuous
from symconv.verify.discrete import (
    _check_discrete,
    _check_sequences,
    _is_sequence,
    _numbers,
    _sample_free,
)
from symconv.verify.report import (
    Checked,
    CheckResult,
    CrosscheckReport,
    Instance,
    _aggregate,
    _compare,
    _not_verified,
)

__all__ = ["crosscheck", "crosscheck_layer", "CrosscheckReport", "Checked",
           "CheckResult", "Instance"]


# ---------------------------------------------------------------------------
# the public entry points
# ---------------------------------------------------------------------------

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
