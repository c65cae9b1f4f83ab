r"""Building blocks for signals: step, impulse, box, triangle, ramp, reversal, delay.

Every helper returns a *plain* SymPy expression (``Heaviside``, ``DiracDelta``,
``KroneckerDelta``, ``Piecewise``, ``Abs``), never a new class, so an expression
typed directly in SymPy works everywhere a helper's output does, and the output
of a helper can be handed to any SymPy function.

Whether a signal is continuous or discrete is read off its argument: an argument
that SymPy knows to be an integer (``Symbol('n', integer=True)``, ``n - 3``, ...)
gives the discrete version.

=========  ===========================================  ===============================
helper     continuous argument ``t``                    integer argument ``n``
=========  ===========================================  ===============================
``u``      ``Heaviside(t)`` (value 1/2 at ``t = 0``)    ``Heaviside(n, 1)`` (``u[0] = 1``)
``delta``  ``DiracDelta(t)``                            ``KroneckerDelta(n, 0)``
``rect``   ``Heaviside(t + 1/2) - Heaviside(t - 1/2)``  same formula (``= delta[n]``)
``tri``    ``Piecewise((1 - Abs(t), Abs(t) < 1), (0, True))``
``ramp``   ``t*Heaviside(t)``                           ``n*Heaviside(n, 1)``
=========  ===========================================  ===============================

Values on the edges (a set of measure zero, irrelevant inside a convolution
integral): ``rect(±1/2) = 1/2``, the midpoint convention that also makes the
inverse Fourier transform of ``sinc`` exact; ``tri`` is continuous, ``tri(±1) = 0``;
``u(0) = 1/2`` as in SymPy's ``Heaviside``.

>>> from sympy import Symbol
>>> t = Symbol('t', real=True)
>>> n = Symbol('n', integer=True)
>>> u(t), u(n)
(Heaviside(t), Heaviside(n, 1))
>>> delta(t - 2), delta(n - 2)
(DiracDelta(t - 2), KroneckerDelta(0, n - 2))
>>> rect(t)
-Heaviside(t - 1/2) + Heaviside(t + 1/2)
>>> shift(flip(u(t) * t, t), t, 3)
-(t - 3)*Heaviside(3 - t)
"""

import numbers

import sympy as sp

from symconv.errors import SymconvError

__all__ = ["u", "delta", "rect", "tri", "ramp", "flip", "shift"]

_HALF = sp.Rational(1, 2)


def _as_expr(value, name):
    """Return ``value`` as a SymPy expression, refusing text (which must be parsed safely).

    Only objects that are already SymPy expressions or Python numbers are accepted:
    strings are never handed to ``sympify`` (use :func:`symconv.parsing.parse_math`).
    """
    if isinstance(value, sp.Basic):
        if isinstance(value, sp.Expr):
            return value
        raise SymconvError(f"{name} must be a SymPy expression, but got {value!r}")
    if isinstance(value, bool) or not isinstance(value, numbers.Number):
        raise SymconvError(
            f"{name} must be a SymPy expression or a number "
            f"(parse text with symconv.parsing.parse_math), but got {value!r}")
    return sp.sympify(value)  # a Python number: safe


def _as_var(var, name="var"):
    """Check that ``var`` is a SymPy ``Symbol`` (the time or index variable)."""
    if not isinstance(var, sp.Symbol):
        raise SymconvError(f"{name} must be a SymPy Symbol, but got {var!r}")
    return var


def _is_integer(x):
    """True when SymPy knows ``x`` takes integer values only (discrete signal)."""
    return bool(x.is_integer)


def u(x):
    r"""Unit step.

    .. math:: u(t) = 1 \text{ for } t > 0,\ 0 \text{ for } t < 0;\qquad
              u[n] = 1 \text{ for } n \ge 0,\ 0 \text{ for } n < 0.

    Parameters
    ----------
    x : sympy.Expr or number
        The argument. Integer-valued (SymPy knows ``x.is_integer``; this includes
        a plain integer such as ``0``) gives the discrete step.

    Returns
    -------
    sympy.Expr
        ``Heaviside(x)`` (continuous, ``u(0) = 1/2``) or ``Heaviside(x, 1)``
        (discrete, ``u[0] = 1``).

    Examples
    --------
    >>> from sympy import Symbol
    >>> t, n = Symbol('t', real=True), Symbol('n', integer=True)
    >>> u(t - 1)
    Heaviside(t - 1)
    >>> u(n + 2)
    Heaviside(n + 2, 1)
    >>> u(n).subs(n, 0), u(t).subs(t, 0)
    (1, 1/2)
    >>> u(0)
    1
    """
    x = _as_expr(x, "x")
    if _is_integer(x):
        return sp.Heaviside(x, 1)
    return sp.Heaviside(x)


def delta(x):
    r"""Unit impulse: Dirac's delta, or Kronecker's for an integer argument.

    .. math:: \int \delta(t)\,\varphi(t)\,dt = \varphi(0);\qquad
              \delta[n] = 1 \text{ if } n = 0 \text{ else } 0.

    Parameters
    ----------
    x : sympy.Expr or number

    Returns
    -------
    sympy.Expr
        ``DiracDelta(x)`` or ``KroneckerDelta(x, 0)``.

    Examples
    --------
    >>> from sympy import Symbol
    >>> t, n = Symbol('t', real=True), Symbol('n', integer=True)
    >>> delta(t + 1)
    DiracDelta(t + 1)
    >>> delta(n), delta(n).subs(n, 0)
    (KroneckerDelta(0, n), 1)
    """
    x = _as_expr(x, "x")
    if _is_integer(x):
        return sp.KroneckerDelta(x, 0)
    return sp.DiracDelta(x)


def rect(x):
    r"""Unit box (rectangular pulse) of width 1 centred at 0.

    .. math:: \operatorname{rect}(t) = 1 \text{ for } |t| < 1/2,\quad
              0 \text{ for } |t| > 1/2,\quad 1/2 \text{ at } t = \pm 1/2.

    Parameters
    ----------
    x : sympy.Expr or number
        ``rect(t/T)`` is a box of width ``T`` (declare ``T`` positive).

    Returns
    -------
    sympy.Expr
        ``Heaviside(x + 1/2) - Heaviside(x - 1/2)``; the edge value 1/2 comes
        from ``Heaviside(0) = 1/2``.

    Examples
    --------
    >>> from sympy import Symbol, Rational
    >>> t = Symbol('t', real=True)
    >>> T = Symbol('T', positive=True)
    >>> rect(t / T)
    -Heaviside(-1/2 + t/T) + Heaviside(1/2 + t/T)
    >>> [rect(v) for v in (0, Rational(1, 2), 1)]
    [1, 1/2, 0]
    """
    x = _as_expr(x, "x")
    return sp.Heaviside(x + _HALF) - sp.Heaviside(x - _HALF)


def tri(x):
    r"""Unit triangle: ``max(1 - |t|, 0)``, of area 1; ``tri = rect * rect``.

    Parameters
    ----------
    x : sympy.Expr or number

    Returns
    -------
    sympy.Expr
        ``Piecewise((1 - Abs(x), Abs(x) < 1), (0, True))`` (continuous; 0 at ``±1``).

    Examples
    --------
    >>> from sympy import Symbol, Rational
    >>> t = Symbol('t', real=True)
    >>> tri(t)
    Piecewise((1 - Abs(t), Abs(t) < 1), (0, True))
    >>> [tri(v) for v in (0, Rational(-1, 4), 1, 3)]
    [1, 3/4, 0, 0]
    """
    x = _as_expr(x, "x")
    return sp.Piecewise((1 - sp.Abs(x), sp.Abs(x) < 1), (0, True))


def ramp(x):
    r"""Unit ramp ``r(t) = t u(t)`` (``n u[n]`` for an integer argument).

    Examples
    --------
    >>> from sympy import Symbol
    >>> t = Symbol('t', real=True)
    >>> ramp(t - 2)
    (t - 2)*Heaviside(t - 2)
    """
    x = _as_expr(x, "x")
    return x * u(x)


def flip(f, var):
    r"""Time reversal: ``f(t) -> f(-t)`` (``x[n] -> x[-n]``).

    Parameters
    ----------
    f : sympy.Expr
        The signal, an expression in ``var``.
    var : sympy.Symbol
        The time (or index) variable.

    Returns
    -------
    sympy.Expr

    Examples
    --------
    >>> from sympy import Symbol, exp
    >>> t = Symbol('t', real=True)
    >>> a = Symbol('a', positive=True)
    >>> flip(exp(-a*t) * u(t), t)
    exp(a*t)*Heaviside(-t)
    """
    f = _as_expr(f, "f")
    var = _as_var(var)
    return f.subs(var, -var)


def shift(f, var, t0):
    r"""Delay by ``t0``: ``f(t) -> f(t - t0)`` (a positive ``t0`` moves the signal right).

    Parameters
    ----------
    f : sympy.Expr
        The signal, an expression in ``var``.
    var : sympy.Symbol
        The time (or index) variable.
    t0 : sympy.Expr or number
        The delay (must not contain ``var``).

    Returns
    -------
    sympy.Expr

    Examples
    --------
    >>> from sympy import Symbol
    >>> t = Symbol('t', real=True)
    >>> shift(rect(t), t, 2)
    -Heaviside(t - 5/2) + Heaviside(t - 3/2)
    """
    f = _as_expr(f, "f")
    var = _as_var(var)
    t0 = _as_expr(t0, "t0")
    if t0.has(var):
        raise SymconvError(f"t0 must not depend on {var}, but got {t0}")
    return f.subs(var, var - t0)
