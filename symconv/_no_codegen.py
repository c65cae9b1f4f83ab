"""Keeping SymPy from generating code out of untrusted expressions.

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
"""

import contextlib
import threading

import sympy as sp
from sympy.core import evalf as _evalf

__all__ = ["no_numeric_summation"]

_lock = threading.RLock()
_depth = 0
_saved = None


def _refuse(expr, prec, options):
    raise NotImplementedError("numerical summation is switched off while untrusted "
                              "expressions are evaluated")


@contextlib.contextmanager
def no_numeric_summation():
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
