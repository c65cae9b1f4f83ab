"""Handling SymPy objects from outside without evaluating or running them.

The one module of :mod:`symconv._util` that imports SymPy. Three guards:

* :func:`print_order` / :func:`sstr`: printing without numeric evaluation;
* :func:`no_numeric_summation`: no code generated from untrusted sums;
* :func:`strict_sympify`: data to SymPy, never text.

Printing
--------

SymPy's printers sort the terms of a sum by numeric value where they can: ordering a
term calls ``complex()`` on each of its numeric factors. For a numeric ``Sum``,
``Product`` or ``Integral`` that means a numerical summation (Euler-Maclaurin, or for
an infinite sum ``hypsum``, which generates and runs Python code) or a quadrature, which
may run for minutes. :func:`print_order` picks SymPy's unordered ``'none'`` printing
for exactly those objects, and the usual order for everything else.

>>> import sympy as sp
>>> k, x = sp.symbols("k x", integer=True)
>>> sstr(x**2 + 2*x + 1)
'x**2 + 2*x + 1'
>>> sstr(sp.Sum(k**k, (k, 1, 1000)) + 1)     # instantly; SymPy's str() runs for minutes
'1 + Sum(k**k, (k, 1, 1000))'
>>> sstr([sp.Matrix([[sp.Sum(1/k**2, (k, 1, sp.oo)) - 1]]), x + 1])
'[Matrix([[-1 + Sum(k**(-2), (k, 1, oo))]]), 1 + x]'

No code generated from untrusted sums
-------------------------------------
To evaluate an infinite ``Sum`` numerically, SymPy's ``evalf`` calls ``hypsum``, which
writes Python source from the summand, ``compile``s and runs it (``lambdify``). Any
numeric evaluation can get there: ``floor`` of a sum, ordering the terms of a sum for
printing, a sampled value. symconv promises never to run code built from a student's
text, so while untrusted expressions are evaluated (grading, checking a student's
proof), :func:`no_numeric_summation` switches SymPy's numerical summation off: a
numeric ``Sum`` then has no numeric value (``evalf`` leaves it as it is, ``float()``
raises ``TypeError``, ``floor`` of it stays unevaluated), which callers treat as
"undefined here". Symbolic summation (``Sum.doit``) is untouched.

>>> import sympy as sp
>>> k = sp.Symbol("k", integer=True)
>>> series = sp.Sum(1 / (k**3 + 1), (k, 0, sp.oo))
>>> with no_numeric_summation():
...     print(series.evalf(), sp.floor(series + 2))
Sum(1/(k**3 + 1), (k, 0, oo)) floor(Sum(1/(k**3 + 1), (k, 0, oo))) + 2
>>> sp.floor(series + 3)          # outside the block SymPy sums numerically as usual
4

SymPy caches function values, so a value first computed inside the block keeps its
unevaluated form afterwards (and one computed before the block is reused in it, without
summing again).

Data, never text
----------------
Kernels, spacings and matrix entries are data: numbers or SymPy objects built by the
caller. They go through SymPy's strict ``_sympify``, which converts numbers and
SymPy objects but refuses strings, so nothing here ever parses (or evaluates) text;
text must go through :func:`symconv.parsing.parse_math` first.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, NoReturn

import sympy as sp
from sympy.core import evalf as _evalf
from sympy.core.sympify import SympifyError, _sympify

from symconv.errors import SymconvError

if TYPE_CHECKING:
    from sympy.printing.pretty.stringpict import prettyForm
    from sympy.printing.printer import Printer

__all__ = ["print_order", "sstr", "no_numeric_summation", "strict_sympify", "pretty_text",
           "ReadsAsText", "sstr_safe"]

_OPERATORS = (sp.Sum, sp.Product, sp.Integral)


def print_order(obj: object) -> str | None:
    """``'none'`` when ``obj`` (an expression, a matrix, or a list, tuple or set of them)
    holds a sum, product or integral that is a number (see the module notes), else
    ``None`` (SymPy's default order)."""
    if isinstance(obj, (list, tuple, set, frozenset)):
        return "none" if any(print_order(item) for item in obj) else None
    if not isinstance(obj, (sp.Basic, sp.MatrixBase)) or not obj.has(*_OPERATORS):
        return None
    numeric = any(op.is_number for op in obj.atoms(*_OPERATORS))
    return "none" if numeric else None


def sstr(obj: object) -> str:
    """``sympy.sstr(obj)`` in the order chosen by :func:`print_order`."""
    return sp.sstr(obj, order=print_order(obj))


_lock = threading.RLock()
_depth = 0
_saved: Any = None


def _refuse(expr: object, prec: int, options: object) -> NoReturn:
    raise NotImplementedError("numerical summation is switched off while untrusted "
                              "expressions are evaluated")


@contextlib.contextmanager
def no_numeric_summation() -> Iterator[None]:
    """Within the block, ``evalf`` of a ``Sum`` raises ``NotImplementedError`` (nestable;
    the table entry is process-wide, so other threads see the switch too)."""
    global _depth, _saved
    with _lock:
        if not _evalf.evalf_table:
            _evalf._create_evalf_table()
        if _depth == 0:
            _saved = _evalf.evalf_table.get(sp.Sum)
            _evalf.evalf_table[sp.Sum] = _refuse
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                _evalf.evalf_table[sp.Sum] = _saved
                _saved = None


def strict_sympify(value: object, constraint: str, string_hint: str = "") -> sp.Basic:
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


def pretty_text(text: object, width: int = 79) -> prettyForm:
    """``text`` (a multi-line report) as a SymPy ``prettyForm``, left-aligned, with lines
    longer than ``width`` wrapped at spaces (continuations indented under their line).

    SymPy's pretty printer centres the lines of a plain string; a report (a kernel, a
    shape table, a check) reads left-aligned, as ``print`` shows it. Result classes
    return this from their ``_pretty`` method, which SymPy's printer calls (under
    ``init_printing()`` the REPL pretty-prints every value).

    >>> print(pretty_text("first line\\nsecond, longer line"))
    first line
    second, longer line
    """
    import textwrap

    from sympy.printing.pretty.stringpict import prettyForm

    lines = []
    for line in str(text).split("\n"):
        indent = " " * (len(line) - len(line.lstrip()) + 2)
        lines += textwrap.wrap(line, width, subsequent_indent=indent, break_long_words=False,
                               drop_whitespace=True) or [""]
    longest = max(len(line) for line in lines)
    return prettyForm("\n".join(line.ljust(longest) for line in lines))


class ReadsAsText:
    """Mixin for result objects whose ``str`` is a report: SymPy's printers (``sstr``,
    ``pretty``, the REPL under ``init_printing()``) show that report, left-aligned,
    instead of centring it or printing the object's fields."""

    def _sympystr(self, printer: Printer) -> str:
        return str(self)

    def _pretty(self, printer: Printer) -> prettyForm:
        return pretty_text(str(self))


def sstr_safe(obj: Any) -> str:
    """``sympy.sstr`` that never fails on a huge number.

    Python refuses to turn an integer of more than 4,300 digits into text, so printing
    such a value (in a trail, a counterexample or feedback) would raise ``ValueError``
    and turn a grade into a crash. Here every such integer or fraction is written as
    ``<number with N digits>`` instead.

    >>> sstr_safe(sp.Integer(10)**5000 + sp.Symbol("x"))
    '<number with 5001 digits> + x'
    >>> sstr_safe(sp.Rational(1, 3))
    '1/3'
    """
    try:
        return sstr(obj)
    except ValueError:
        pass

    def digits(r: Any) -> int:
        return int(max(abs(r.p), r.q).bit_length() * 0.30103) + 1

    big = {r: sp.Symbol(f"<number with {digits(r)} digits>") for r in
           (obj.atoms(sp.Rational) if isinstance(obj, sp.Basic) else ())
           if max(abs(r.p), r.q).bit_length() > 12_000}
    try:
        return sstr(obj.xreplace(big) if big else obj)
    except ValueError:
        return f"<{type(obj).__name__} too large to print>"
