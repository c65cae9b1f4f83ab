"""Printing SymPy objects without evaluating them.

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
"""

import unicodedata

import sympy as sp

__all__ = ["print_order", "sstr", "terminal_text"]

_OPERATORS = (sp.Sum, sp.Product, sp.Integral)


def print_order(obj):
    """``'none'`` when ``obj`` (an expression, a matrix, or a list, tuple or set of them)
    holds a sum, product or integral that is a number (see the module notes), else
    ``None`` (SymPy's default order)."""
    if isinstance(obj, (list, tuple, set, frozenset)):
        return "none" if any(print_order(item) for item in obj) else None
    if not isinstance(obj, (sp.Basic, sp.MatrixBase)) or not obj.has(*_OPERATORS):
        return None
    numeric = any(op.is_number for op in obj.atoms(*_OPERATORS))
    return "none" if numeric else None


def sstr(obj):
    """``sympy.sstr(obj)`` in the order chosen by :func:`print_order`."""
    return sp.sstr(obj, order=print_order(obj))


def terminal_text(text):
    r"""``text`` with every control or format character except newline and tab written
    as an escape, for printing text that came from a user to a terminal.

    Escape sequences (``[2J`` clears the screen, others retitle the window or worse)
    and bidirectional overrides (which make text display in another order than it
    reads) are shown, not obeyed.

    >>> print(terminal_text("step 2\x1b[2J\u202egnp.exe"))
    step 2\x1b[2J\u202egnp.exe
    """
    return "".join(ch if ch in "\n\t" or unicodedata.category(ch)[0] != "C"
                   else (f"\\x{ord(ch):02x}" if ord(ch) < 256 else f"\\u{ord(ch):04x}")
                   for ch in text)
