"""The public :func:`symconv.conv` and :func:`symconv.corr`: the closed-form engines of
:mod:`symconv.signals` plus ``verify=True``, which cross-checks the result against the
numeric executor and returns ``Checked(value, report)``.

The engines sit below this layer and know nothing of verification; these two functions
compose them, so the signals layer never imports the verify layer.

>>> import sympy as sp
>>> from symconv.signals import u
>>> t = sp.Symbol('t', real=True)
>>> result = conv(sp.exp(-t)*u(t), u(t), t, verify=True)
>>> result.value
(1 - exp(-t))*Heaviside(t)
>>> result.report.agree
True
"""

from __future__ import annotations

from typing import Any, Literal, TypeAlias, overload

import numpy as np
import sympy as sp

from symconv._util.validate import _UNSET, renamed_time_limit
from symconv.signals import continuous as _engine
from symconv.signals.continuous import DEFAULT_TIMEOUT
from symconv.verify.crosscheck import crosscheck
from symconv.verify.report import Checked

__all__ = ["conv", "corr"]

#: finite sequences (f and g both, or neither): lists, tuples, NumPy arrays (and
#: SymPy matrices, which type checkers cannot tell from expressions)
FiniteSequence: TypeAlias = list[Any] | tuple[Any, ...] | np.ndarray
#: a signal: an expression in the variable, or a finite sequence
Signal: TypeAlias = sp.Expr | FiniteSequence | sp.MatrixBase
Method: TypeAlias = Literal["auto", "residues", "pieces", "laplace", "integrate"]
SeqMode: TypeAlias = Literal["full", "same", "valid", "circular"]


def _check(op: str, value: Any, f: Signal, g: Signal, var: sp.Symbol | None, verify: bool,
           mode: SeqMode | None, period: int | None) -> Any:
    if not verify:
        return value
    extra = {}
    if _engine._is_sequence(f) and _engine._is_sequence(g):
        extra = {"mode": mode, "period": period}
    return Checked(value, crosscheck(value, f, g, var, op=op, **extra))


@overload
def conv(f: FiniteSequence, g: FiniteSequence, var: sp.Symbol | None = None, *,
         verify: Literal[False] = False,
         method: Method = "auto", time_limit: float | None = DEFAULT_TIMEOUT,
         mode: SeqMode = "full", period: int | None = None,
         timeout: float | None = _UNSET) -> list[sp.Expr]: ...


@overload
def conv(f: sp.Expr, g: sp.Expr, var: sp.Symbol | None = None, *,
         verify: Literal[False] = False,
         method: Method = "auto", time_limit: float | None = DEFAULT_TIMEOUT,
         mode: SeqMode = "full", period: int | None = None,
         timeout: float | None = _UNSET) -> sp.Expr: ...


@overload
def conv(f: Signal, g: Signal, var: sp.Symbol | None = None, *,
         verify: Literal[True],
         method: Method = "auto", time_limit: float | None = DEFAULT_TIMEOUT,
         mode: SeqMode = "full", period: int | None = None,
         timeout: float | None = _UNSET) -> Checked: ...


@overload
def conv(f: Signal, g: Signal, var: sp.Symbol | None = None, *,
         verify: bool = False,
         method: Method = "auto", time_limit: float | None = DEFAULT_TIMEOUT,
         mode: SeqMode = "full", period: int | None = None,
         timeout: float | None = _UNSET) -> sp.Expr | list[sp.Expr] | Checked: ...


def conv(f: Signal, g: Signal, var: sp.Symbol | None = None, *, verify: bool = False,
         method: Method = "auto", time_limit: float | None = DEFAULT_TIMEOUT,
         mode: SeqMode = "full", period: int | None = None,
         timeout: float | None = _UNSET) -> sp.Expr | list[sp.Expr] | Checked:
    r"""Convolution of two signals, in closed form.

    .. math:: (f * g)(t) = \int_{-\infty}^{\infty} f(\tau)\, g(t - \tau)\, d\tau,
              \qquad (x * h)[n] = \sum_k x[k]\, h[n - k].

    Parameters
    ----------
    f, g : sympy.Expr, or finite sequences
        Signals as expressions in ``var`` (``Heaviside``, ``DiracDelta``,
        ``Piecewise``, ``Abs``, ... or the helpers of :mod:`symconv.signals`), or
        two finite sequences (lists, tuples, matrices, NumPy arrays), which are
        handed to :func:`symconv.signals.discrete.conv_seq`.
    var : sympy.Symbol
        The variable. Declared ``integer=True`` it means discrete time and the work is
        done by :func:`symconv.signals.discrete.conv_discrete`; otherwise continuous time.
    verify : bool, default False
        Also compare the result with the independent numeric executor and return
        ``Checked(value, report)`` (see :func:`symconv.verify.crosscheck`).
    method : {'auto', 'residues', 'pieces', 'laplace', 'integrate'}, default 'auto'
        Continuous time only. ``'auto'`` tries, in this order, residues (when both
        signals are rational functions of ``t``: the sum of residues in the upper half
        plane, decided at once when the integral diverges or a pole lies on the real
        axis), the piece engine (see the module notes of
        :mod:`symconv.signals.continuous`), the Laplace transform (when both signals
        vanish for ``t < 0``) and :func:`sympy.integrate` of the whole integral; the
        other values use one of them alone. Whatever fails gives the unevaluated ``Integral``.
    time_limit : float or None, default 10
        Seconds allowed to the whole computation (the piece engine, then SymPy's
        integrators: the pairs the piece engine hands to ``integrate``, the Laplace
        transform, ``integrate``; for an integer ``var``, the discrete engine); when
        they run out the result is the unevaluated integral (sum). ``None`` for no
        limit. Enforced in the main thread on Unix only (SIGALRM). ``timeout=`` is the
        deprecated old name (a ``DeprecationWarning``, for one release).
    mode, period
        For sequences: as in :func:`symconv.signals.discrete.conv_seq`.

    Returns
    -------
    sympy.Expr
        The closed form: a single expression times ``Heaviside`` for a one-sided
        result, a ``Piecewise`` in ``var`` for one made of several intervals, cases
        on the parameters (``Eq(a, b)``, ``T >= W``, ...) as an outer ``Piecewise``,
        and convergence conditions as ``Piecewise((value, cond), (Integral, True))``.
        The unevaluated ``Integral`` when no closed form was found.

    Examples
    --------
    >>> from sympy import Symbol, symbols, exp, DiracDelta
    >>> from symconv.signals import u, rect, delta
    >>> t = Symbol('t', real=True)
    >>> a, b = symbols('a b', positive=True)
    >>> conv(u(t), u(t), t)
    t*Heaviside(t)
    >>> conv(exp(-a*t)*u(t), exp(-b*t)*u(t), t)
    Piecewise((t*exp(-a*t), Eq(a, b)), ((-exp(-b*t) + exp(-a*t))/(-a + b), True))*Heaviside(t)
    >>> conv(rect(t), rect(t), t)
    Piecewise((0, t < -1), (t + 1, t < 0), (1 - t, t < 1), (0, True))
    >>> conv(delta(t - 2), exp(-t)*u(t), t)
    exp(2 - t)*Heaviside(t - 2)
    >>> T = Symbol('T', positive=True)
    >>> conv(u(t), u(t) - u(t - T), t)
    Piecewise((0, t < 0), (t, T > t), (T, True))
    >>> s1, s2 = symbols('sigma1 sigma2', positive=True)
    >>> conv(exp(-t**2/(2*s1**2)), exp(-t**2/(2*s2**2)), t)
    sqrt(2)*sqrt(pi)*sigma1*sigma2*exp(-t**2/(2*(sigma1**2 + sigma2**2)))/sqrt(sigma1**2 + sigma2**2)
    >>> conv(DiracDelta(t, 1), exp(-a*t)*u(t), t)      # delta' differentiates
    -a*exp(-a*t)*Heaviside(t) + DiracDelta(t)

    Notes
    -----
    ``conv`` is commutative; ``conv(f, delta(t - t0), t)`` is ``f`` delayed by ``t0``.
    Values at the breakpoints themselves (a set of measure zero) follow the
    ``Piecewise`` / ``Heaviside(0) = 1/2`` conventions and carry no meaning.
    """
    seconds = renamed_time_limit(time_limit, timeout, "conv", DEFAULT_TIMEOUT)
    value = _engine.conv(f, g, var, method=method, time_limit=seconds, mode=mode, period=period)
    return _check("conv", value, f, g, var, verify, mode, period)


@overload
def corr(f: FiniteSequence, g: FiniteSequence, var: sp.Symbol | None = None, *,
         verify: Literal[False] = False,
         method: Method = "auto", time_limit: float | None = DEFAULT_TIMEOUT,
         mode: SeqMode | None = None, period: int | None = None,
         timeout: float | None = _UNSET) -> list[sp.Expr]: ...


@overload
def corr(f: sp.Expr, g: sp.Expr, var: sp.Symbol | None = None, *,
         verify: Literal[False] = False,
         method: Method = "auto", time_limit: float | None = DEFAULT_TIMEOUT,
         mode: SeqMode | None = None, period: int | None = None,
         timeout: float | None = _UNSET) -> sp.Expr: ...


@overload
def corr(f: Signal, g: Signal, var: sp.Symbol | None = None, *,
         verify: Literal[True],
         method: Method = "auto", time_limit: float | None = DEFAULT_TIMEOUT,
         mode: SeqMode | None = None, period: int | None = None,
         timeout: float | None = _UNSET) -> Checked: ...


@overload
def corr(f: Signal, g: Signal, var: sp.Symbol | None = None, *,
         verify: bool = False,
         method: Method = "auto", time_limit: float | None = DEFAULT_TIMEOUT,
         mode: SeqMode | None = None, period: int | None = None,
         timeout: float | None = _UNSET) -> sp.Expr | list[sp.Expr] | Checked: ...


def corr(f: Signal, g: Signal, var: sp.Symbol | None = None, *, verify: bool = False,
         method: Method = "auto", time_limit: float | None = DEFAULT_TIMEOUT,
         mode: SeqMode | None = None, period: int | None = None,
         timeout: float | None = _UNSET) -> sp.Expr | list[sp.Expr] | Checked:
    r"""Cross-correlation, with the first argument shifted (``numpy.correlate``'s way).

    .. math:: (x \star k)(t) = \int_{-\infty}^{\infty} x(t + \tau)\,
              \overline{k(\tau)}\, d\tau,
              \qquad (x \star k)[n] = \sum_m x[n + m]\, \overline{k[m]}.

    Substituting ``tau -> -tau`` shows ``corr(x, k) = conv(x, conj(flip(k)))``
    (``conv(x, flip(k))`` for real ``k``), which is how it is computed.

    Parameters
    ----------
    f, g : sympy.Expr, or finite sequences
        ``x`` and ``k``; for sequences see :func:`symconv.signals.discrete.corr_seq`.
    var : sympy.Symbol
        As in :func:`conv` (integer means discrete).
    verify, method, time_limit
        As in :func:`conv`.
    mode, period
        For sequences: as in :func:`symconv.signals.discrete.corr_seq` (its default mode is
        numpy's ``'valid'``).

    Returns
    -------
    sympy.Expr

    Examples
    --------
    >>> from sympy import Symbol, exp
    >>> from symconv.signals import u
    >>> t = Symbol('t', real=True)
    >>> a = Symbol('a', positive=True)
    >>> corr(exp(-a*t)*u(t), exp(-a*t)*u(t), t)
    exp(-a*Abs(t))/(2*a)
    >>> corr(u(t) - u(t - 1), u(t), t)
    Piecewise((1, t < 0), (1 - t, t < 1), (0, True))

    Notes
    -----
    The other convention, ``R_fg(t) = ∫ f(tau) g(t + tau) dtau`` (second argument
    shifted, common in probability and some signal texts), is ``corr(g, f)`` here;
    for real signals it is also ``corr(f, g)`` evaluated at ``-t``. The
    autocorrelation ``corr(x, x)`` is the same under both conventions.
    """
    seconds = renamed_time_limit(time_limit, timeout, "corr", DEFAULT_TIMEOUT)
    value = _engine.corr(f, g, var, method=method, time_limit=seconds, mode=mode, period=period)
    return _check("corr", value, f, g, var, verify, mode, period)
