"""Exact values from data, never from text (internal).

Kernels, spacings and matrix entries are data: numbers or SymPy objects built by the
caller. They go through SymPy's strict ``_sympify``, which converts numbers and
SymPy objects but refuses strings, so nothing here ever parses (or evaluates) text;
text must go through :func:`symconv.parsing.parse_math` first.
"""

from sympy.core.sympify import SympifyError, _sympify

from symconv.errors import SymconvError

__all__ = ["strict_sympify"]


def strict_sympify(value, constraint, string_hint=""):
    """``value`` as a SymPy object, refusing strings and anything SymPy cannot convert.

    Parameters
    ----------
    value : object
        A number or a SymPy object.
    constraint : str
        What ``value`` must be, the start of the error message
        (``"spacing must be a number or a SymPy expression"``).
    string_hint : str, optional
        Added after ``constraint`` when ``value`` is a string.

    Raises
    ------
    SymconvError
        ``"<constraint><string_hint>, but got the string '...'"`` for a string,
        ``"<constraint>, but got ..."`` for any other value SymPy cannot convert.

    Examples
    --------
    >>> strict_sympify(0.5, "h must be a number")
    0.500000000000000
    >>> strict_sympify("x", "h must be a number", " (parse text first)")
    Traceback (most recent call last):
    ...
    symconv.errors.SymconvError: h must be a number (parse text first), but got the string 'x'
    """
    if isinstance(value, str):
        raise SymconvError(f"{constraint}{string_hint}, but got the string {value!r}")
    try:
        return _sympify(value)
    except SympifyError:
        raise SymconvError(f"{constraint}, but got {value!r}") from None
