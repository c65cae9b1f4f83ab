"""Checks of the *written form* of an answer (the value is checked elsewhere).

Each check reads the answer text and its unevaluated parse
(``parse_math(text, evaluate=False)``), so ``2(n + 1)`` is seen as a product even
though SymPy would distribute the 2. The orientation forms ('correlation',
'convolution', 'any orientation') concern kernels and are handled by the grader,
which compares the answer with the flipped reference; here they always hold.

>>> from symconv.parsing import parse_math
>>> def ok(form, text):
...     return satisfies(form, text, parse_math(text, evaluate=False))
>>> ok("expanded", "n^2 + 2n + 1"), ok("expanded", "(n + 1)^2"), ok("expanded", "2(n + 1)")
(True, False, False)
>>> ok("factored", "(n + 1)^2"), ok("factored", "n^2 + 2n + 1")
(True, False)
>>> ok("lowest terms", "3/4"), ok("lowest terms", "6/8"), ok("lowest terms", "3*4^-1")
(True, False, False)
>>> ok("lowest terms", r"-\\frac{3}{4}"), ok("exact", "0.75")
(True, False)
"""

import math
import re

import sympy as sp

from symconv.errors import ParseError

__all__ = ["satisfies", "describe"]

_DECIMAL = re.compile(r"(\d\.\d|\.\d|\d\.(?!\d))", re.ASCII)
# p/q, -p/q, (p)/(q), \frac{p}{q}, -\frac{p}{q} (\dfrac, \tfrac), or an integer
_FRACTION_TEXT = re.compile(
    r"^[-+]?(\d+|\(\d+\))(/(\d+|\(\d+\)))?$|^[-+]?\\[dt]?frac\{\d+\}\{\d+\}$", re.ASCII)


def _items(obj):
    if isinstance(obj, (list, tuple)):
        for x in obj:
            yield from _items(x)
    elif isinstance(obj, sp.MatrixBase):
        yield from obj
    elif isinstance(obj, sp.FiniteSet):
        yield from obj.args
    elif isinstance(obj, sp.core.relational.Relational):
        yield obj.lhs
        yield obj.rhs
    else:
        yield obj


def _strip_sign(e):
    if isinstance(e, sp.Mul) and e.args and e.args[0] == -1:
        rest = e.args[1:]
        return rest[0] if len(rest) == 1 else sp.Mul(*rest, evaluate=False)
    return e


def _expanded(e):
    for node in sp.preorder_traversal(e):
        if isinstance(node, sp.Mul) and any(isinstance(a, sp.Add) for a in node.args):
            return False
        if isinstance(node, sp.Pow) and isinstance(node.base, sp.Add) \
                and node.exp.is_Integer and node.exp > 1:
            return False
    return True


def _factored(e):
    e = _strip_sign(e)
    return not isinstance(e, sp.Add)


def _lowest_terms(e):
    e = _strip_sign(e)
    if isinstance(e, sp.Integer):
        return True
    if isinstance(e, sp.Rational):       # a literal decimal parses to a Rational
        return False
    if isinstance(e, sp.Mul) and len(e.args) == 2:
        p, q = e.args
        if isinstance(p, sp.Integer) and isinstance(q, sp.Pow) and q.exp == -1 \
                and isinstance(q.base, sp.Integer) and q.base > 1:
            return math.gcd(int(p), int(q.base)) == 1
    if isinstance(e, sp.Pow) and e.exp == -1 and isinstance(e.base, sp.Integer):
        return e.base > 1
    return False


def _rational_literals(e):
    """Built from integers with + - * / and integer powers only (no symbols, roots)."""
    for node in sp.preorder_traversal(e):
        if isinstance(node, sp.Pow) and not node.exp.is_Integer:
            return False
        if not isinstance(node, (sp.Add, sp.Mul, sp.Pow, sp.Rational)):
            return False
    return True


def _integer_literal(e):
    return isinstance(e, sp.Integer) or (isinstance(e, sp.Mul) and e.args == (-1,))


_CHECKS = {
    "expanded": lambda text, items: all(_expanded(e) for e in items),
    "fully expanded": lambda text, items: all(_expanded(e) for e in items),
    "factored": lambda text, items: all(_factored(e) for e in items),
    "exact": lambda text, items: not _DECIMAL.search(text),
    "exact rational": lambda text, items: not _DECIMAL.search(text)
    and all(_rational_literals(e) for e in items),
    "lowest terms": lambda text, items: bool(_FRACTION_TEXT.match(re.sub(r"[\s$]", "", text)))
    and all(_lowest_terms(e) for e in items),
    "decimal": lambda text, items: bool(_DECIMAL.search(text))
    and all(isinstance(_strip_sign(e), sp.Rational) for e in items),
    "integer literal": lambda text, items: all(isinstance(e, sp.Integer) for e in items),
    "correlation": lambda text, items: True,
    "convolution": lambda text, items: True,
    "any orientation": lambda text, items: True,
}


def satisfies(form, text, unevaluated):
    """Whether the answer ``text`` (parsed unevaluated) is written in ``form``.

    The text is first normalised as the parser reads it, so lookalike characters (a
    full-width stop, full-width digits) count as what they mean.
    """
    from symconv.parsing import normalized_text

    try:
        text = normalized_text(text)
    except ParseError:   # not parseable text: keep it (the form checks then fail or hold as written)
        pass
    items = [e for e in _items(unevaluated) if isinstance(e, sp.Basic)]
    return bool(_CHECKS[form](text, items))


def describe(forms):
    """A readable list of forms: "fully expanded or factored"."""
    names = {"expanded": "fully expanded", "exact rational": "as an exact rational number", "lowest terms": "a fraction in lowest terms",
             "exact": "exact (no decimals)", "decimal": "a decimal number",
             "integer literal": "a plain integer", "factored": "factored (a product)"}
    return " or ".join(names.get(f, f) for f in forms)
