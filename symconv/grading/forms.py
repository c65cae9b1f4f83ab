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

What an answer is *built from* (the key fields ``closed_form``, ``operations``,
``forbidden`` and ``at_most``) is read from the same unevaluated parse:
:func:`operations` lists every operation written, :func:`closed_form_problem` and
:func:`operations_problem` say in words what breaks the key's rules (or return None).

>>> sorted(op for op, _node in operations(parse_math("b + max(a - b, 0)", evaluate=False)))
['add', 'add', 'relu']
>>> operations_problem(parse_math("max(a, b)", evaluate=False), allowed=("add", "relu"))
'the question asks for an answer built only from addition/subtraction and ReLU (max(x, 0)), but your answer uses a maximum that is not a ReLU (Max(a, b))'
>>> closed_form_problem(parse_math("integrate(tau, (tau, 0, t))"))
'the question asks for a closed form, but your answer still contains an unevaluated integral, Integral(tau, (tau, 0, t)): evaluate it and write the result'
"""

import math
import re

import sympy as sp

from symconv.errors import ParseError

__all__ = ["satisfies", "describe", "operations", "closed_form_problem", "operations_problem",
           "UNEVALUATED"]

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


# ---------------------------------------------------------------- what an answer is built from
#
#: the operations a key may allow or forbid, with how feedback names them (also
#: ``symconv.grading.keys.OPERATIONS``)
OPERATIONS = {
    "add": "addition/subtraction", "negate": "negation", "scale": "multiplication by numbers",
    "multiply": "products", "divide": "division", "power": "powers", "sqrt": "square roots",
    "exp": "exp", "log": "log", "sin": "sin", "cos": "cos", "tan": "tan", "abs": "abs",
    "sign": "sign", "floor": "floor", "ceil": "ceil", "mod": "mod", "factorial": "factorial",
    "binomial": "binomial", "max": "max", "relu": "ReLU (max(x, 0))", "min": "min",
    "step": "unit steps", "delta": "impulses", "piecewise": "piecewise definitions",
    "function": "calls of the declared functions", "complex": "conjugate/re/im",
    "integral": "integrals", "sum": "sums", "product": "products of a sequence (Product)",
    "derivative": "derivatives", "limit": "limits", "conv": "conv(...) calls",
}


# The names of the operations are those of ``OPERATIONS`` (the key
# fields ``operations``, ``forbidden`` and ``at_most``); each use of an operation in the
# written answer is one entry of :func:`operations`. Numbers (``2``, ``1/2``, ``pi``) are
# not operations: ``a/2`` is one 'scale', ``2^(-1)`` nothing.

#: operations that leave the question unanswered: a closed form has none of them
UNEVALUATED = ("integral", "sum", "product", "derivative", "limit", "conv")
#: names of undefined functions read as a convolution or correlation left as a call
CONVOLUTION_CALLS = ("conv", "convolve", "convolution", "corr", "correlate", "xcorr")
#: an operation also counts as the more general one (a ReLU is a maximum)
_BROADER = {"relu": "max"}

_NOUNS = {
    "add": "an addition or subtraction", "negate": "a negation", "scale":
    "a multiplication or division by a number", "multiply": "a product of two expressions",
    "divide": "a division by an expression", "power": "a power", "sqrt": "a square root",
    "exp": "an exponential", "log": "a logarithm", "sin": "a sine", "cos": "a cosine",
    "tan": "a tangent", "abs": "an absolute value", "sign": "a sign function",
    "floor": "a floor", "ceil": "a ceiling", "mod": "a remainder (mod)",
    "factorial": "a factorial", "binomial": "a binomial coefficient",
    "max": "a maximum that is not a ReLU", "relu": "a ReLU (max(x, 0))", "min": "a minimum",
    "step": "a unit step", "delta": "an impulse", "piecewise": "a piecewise definition",
    "function": "a call of a function", "complex": "a complex part or conjugate",
    "integral": "an unevaluated integral", "sum": "an unevaluated sum",
    "product": "an unevaluated product", "derivative": "an unevaluated derivative",
    "limit": "an unevaluated limit", "conv": "a convolution left as a call",
}

_CLASSES = [
    (sp.Min, "min"), (sp.Abs, "abs"), (sp.sign, "sign"), (sp.floor, "floor"),
    (sp.ceiling, "ceil"), (sp.Mod, "mod"), (sp.factorial, "factorial"),
    (sp.binomial, "binomial"), (sp.exp, "exp"), (sp.log, "log"), (sp.sin, "sin"),
    (sp.cos, "cos"), (sp.tan, "tan"), (sp.Heaviside, "step"), (sp.DiracDelta, "delta"),
    (sp.KroneckerDelta, "delta"), (sp.Piecewise, "piecewise"),
    (sp.conjugate, "complex"), (sp.re, "complex"), (sp.im, "complex"),
    (sp.Integral, "integral"), (sp.Sum, "sum"), (sp.Product, "product"),
    (sp.Derivative, "derivative"), (sp.Limit, "limit"),
]
_LITERAL_TYPES = (sp.Number, sp.NumberSymbol, sp.core.numbers.ImaginaryUnit, sp.Add, sp.Mul,
                  sp.Pow)


def _literal(e):
    """A number written with numbers, + - * / and powers only (2, 1/2, -3, pi, 2^(-1))."""
    return all(isinstance(x, _LITERAL_TYPES) for x in sp.preorder_traversal(e))


def _is_zero(e):
    return isinstance(e, sp.Number) and e == 0


def _negative_literal(e):
    try:
        return bool(e.is_negative)
    except TypeError:
        return False


def _operation_of(e):
    if isinstance(e, sp.Max):
        zeros = [a for a in e.args if _is_zero(a)]
        return "relu" if len(e.args) == 2 and len(zeros) == 1 else "max"
    for cls, name in _CLASSES:
        if isinstance(e, cls):
            return name
    if isinstance(e, sp.core.function.AppliedUndef):
        return "conv" if e.func.__name__.lower() in CONVOLUTION_CALLS else "function"
    if isinstance(e, sp.Function):
        return type(e).__name__.lower()
    return None


def _subtracted(term):
    """A term of a sum without its minus sign (``-b`` and ``-2b`` in ``a - b``, ``a - 2b``)."""
    if isinstance(term, sp.Mul) and term.args and isinstance(term.args[0], sp.Number) \
            and term.args[0].is_negative:
        c, rest = -term.args[0], term.args[1:]
        if c == 1:
            return rest[0] if len(rest) == 1 else sp.Mul(*rest, evaluate=False)
        return sp.Mul(c, *rest, evaluate=False)
    return term


def _walk(e, found):
    if not isinstance(e, sp.Basic) or isinstance(e, sp.Atom) or _literal(e):
        return
    if isinstance(e, sp.Add):
        found.extend([("add", e)] * (len(e.args) - 1))
        for a in e.args:     # a minus sign inside a sum is the subtraction itself
            _walk(_subtracted(a), found)
        return
    if isinstance(e, sp.Mul):
        numbers = [a for a in e.args if _literal(a)]
        rest = [a for a in e.args if not _literal(a)]
        if any(_negative_literal(a) for a in numbers):     # -a, and -2a (coefficient -2)
            found.append(("negate", e))
        if any(a != 1 and a != -1 for a in numbers):
            found.append(("scale", e))
        factors = [a for a in rest if not (isinstance(a, sp.Pow) and _literal(a.exp)
                                           and _negative_literal(a.exp))]
        found.extend([("multiply", e)] * max(0, len(factors) - 1))
        for a in rest:
            _walk(a, found)
        return
    if isinstance(e, sp.Pow):
        base, exponent = e.args
        if base == sp.E:
            found.append(("exp", e))
        elif exponent == sp.S.Half:
            found.append(("sqrt", e))
        elif _literal(exponent) and _negative_literal(exponent):
            found.append(("divide", e))
            if exponent != -1:
                found.append(("power", e))
        else:
            found.append(("power", e))
        _walk(base, found)
        _walk(exponent, found)
        return
    name = _operation_of(e)
    if name is not None:
        found.append((name, e))
    if isinstance(e, (sp.Integral, sp.Sum, sp.Product)):
        _walk(e.function, found)
        for limit in e.limits:
            for bound in limit[1:]:
                _walk(bound, found)
    elif isinstance(e, sp.Derivative):
        _walk(e.expr, found)
    elif isinstance(e, sp.Piecewise):
        for piece in e.args:
            _walk(piece.expr, found)
    elif isinstance(e, sp.Heaviside):
        _walk(e.args[0], found)
    else:
        for a in e.args:
            _walk(a, found)


def operations(obj):
    """Every operation written in an answer: a list of ``(name, node)``, one per use.

    ``obj`` is the answer as parsed (``parse_math(text, evaluate=False)`` keeps what was
    written: ``2(a + b)`` is a 'scale' of a sum). Names are those of
    ``OPERATIONS``: a sum of k terms is k - 1 'add' (a minus sign
    inside a sum belongs to its subtraction), ``-x`` elsewhere is 'negate', a number
    factor 'scale', ``max(x, 0)`` 'relu' (any other maximum 'max'), an unevaluated
    integral 'integral', a call ``conv(...)`` 'conv', and so on. Numbers are not
    operations.

    >>> from symconv.parsing import parse_math
    >>> sorted(op for op, _ in operations(parse_math("-max(-a, -b)", evaluate=False)))
    ['max', 'negate', 'negate', 'negate']
    >>> sorted(op for op, _ in operations(parse_math("(a + b + |a - b|)/2", evaluate=False)))
    ['abs', 'add', 'add', 'add', 'scale']
    """
    found = []
    for item in _items(obj):
        if isinstance(item, sp.Basic):
            _walk(item, found)
    return found


def _covers(name):
    broader = _BROADER.get(name)
    return {name, broader} if broader else {name}


def _show(node, limit=80):
    from symconv._util.sympy_safety import sstr_safe

    text = sstr_safe(node)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _label(name):

    return OPERATIONS.get(name, name)


def _and(items):
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def closed_form_problem(obj):
    """Why the answer is not a closed form (an unevaluated integral, sum, product,
    derivative or limit, or a ``conv(...)`` call), or None when it is one."""
    for name, node in operations(obj):
        if name in UNEVALUATED:
            return (f"the question asks for a closed form, but your answer still contains "
                    f"{_NOUNS[name]}, {_show(node)}: evaluate it and write the result")
    return None


def operations_problem(obj, allowed=(), forbidden=(), at_most=None):
    """Why the answer is not built as the key requires, or None.

    ``allowed``: the only operations it may use (empty: any); ``forbidden``: operations
    it must not use; ``at_most``: ``{name: count}`` limits. A ReLU is also a maximum
    (allowing or forbidding 'max' covers it). The reason names the first use of each
    offending operation.
    """
    found = operations(obj)
    at_most = dict(at_most or {})
    allowed, forbidden = set(allowed), set(forbidden)
    rule = []
    if allowed:
        rule.append("built only from " + _and(_label(n) for n in sorted(allowed)))
    if forbidden:
        rule.append("without " + _and(_label(n) for n in sorted(forbidden)))
    for name, limit in sorted(at_most.items()):
        rule.append(f"with at most {limit} {_label(name)}")
    bad, seen = [], set()
    for name, node in found:
        covers = _covers(name)
        wrong = (allowed and not covers & allowed) or covers & forbidden
        if wrong and name not in seen:
            seen.add(name)
            bad.append(f"{_NOUNS.get(name, name)} ({_show(node)})")
    for name, limit in sorted(at_most.items()):
        used = sum(1 for op, _node in found if name in _covers(op))
        if used > limit:
            bad.append(f"{_label(name)} {used} times")
    if not bad:
        return None
    return (f"the question asks for an answer {', '.join(rule)}, but your answer uses "
            f"{_and(bad)}")
