"""Unevaluated convolution and correlation notation (:func:`convolution`, :func:`correlation`)
and its expansion into the defining Sum/Integral; text lines with that notation parsed
into expressions (:func:`_parse`, through :mod:`symconv.parsing`, never eval).
"""

import re

import sympy as sp
from sympy import (Derivative, Dummy, Expr, Function, Integral, Lambda, Subs,
                   Sum, Symbol, Tuple, oo)
from sympy.core.function import AppliedUndef, UndefinedFunction

from symconv.errors import SymconvError



# ---------------------------------------------------------------------------
# notation: unevaluated convolution and correlation
# ---------------------------------------------------------------------------

def _as_lambda(fn, arity, discrete=False):
    """An undefined function class, a Lambda, or a callable producing SymPy -> Lambda."""
    if isinstance(fn, Lambda):
        if len(fn.variables) != arity:
            raise SymconvError(f"a function of {arity} variable(s) is needed, but got {fn}")
        return fn
    if isinstance(fn, UndefinedFunction) or isinstance(fn, type) and issubclass(fn, sp.Function):
        xs = _lambda_vars(arity, discrete)
        return Lambda(xs, fn(*xs))
    raise SymconvError("a convolution operand must be a sympy Function (e.g. Function('f')) "
                       f"or a Lambda, but got {fn!r}")


def _lambda_vars(arity, discrete=False):
    assume = {"integer": True} if discrete else {"real": True}
    if arity > 1:
        return tuple(Dummy(f"x{i}", **assume) for i in range(arity))
    return (Dummy("x", **assume),)


def _fn_latex(printer, lam):
    """LaTeX for the operand of a convolution: its name, or the map it stands for."""
    body, xs = lam.expr, lam.variables
    if isinstance(body, AppliedUndef) and tuple(body.args) == tuple(xs):
        return printer._print(sp.Symbol(body.func.__name__))
    if isinstance(body, _Pairing) and tuple(body.at) == tuple(xs):
        return (r"\left(" + _fn_latex(printer, body.first) + " " + body._op_latex + " "
                + _fn_latex(printer, body.second) + r"\right)")
    if isinstance(body, Subs) and len(xs) == 1 and tuple(body.point) == tuple(xs) \
            and isinstance(body.expr, Derivative):
        body = body.expr.xreplace({body.variables[0]: xs[0]})
    if isinstance(body, Derivative) and isinstance(body.expr, AppliedUndef) \
            and tuple(body.expr.args) == tuple(xs) and len(xs) == 1:
        order = sum(int(c) for _, c in body.variable_count)
        name = printer._print(sp.Symbol(body.expr.func.__name__))
        return name + ("'" * order if order <= 3 else "^{(%d)}" % order)
    apps = body.atoms(AppliedUndef)
    if apps and all(tuple(a.args) == tuple(xs) for a in apps):
        stripped = body.xreplace({a: sp.Symbol(a.func.__name__) for a in apps})
        if not stripped.free_symbols & set(xs):
            return r"\left(" + printer._print(stripped) + r"\right)"
    return r"\left(" + printer._print(Tuple(*xs) if len(xs) > 1 else xs[0]) + r" \mapsto " \
        + printer._print(body) + r"\right)"


def _fn_str(printer, lam):
    body, xs = lam.expr, lam.variables
    if isinstance(body, AppliedUndef) and tuple(body.args) == tuple(xs):
        return body.func.__name__
    if isinstance(body, _Pairing) and tuple(body.at) == tuple(xs):
        return f"{body._op_name}({_fn_str(printer, body.first)}, {_fn_str(printer, body.second)})"
    if isinstance(body, Subs) and len(xs) == 1 and tuple(body.point) == tuple(xs) \
            and isinstance(body.expr, Derivative):
        body = body.expr.xreplace({body.variables[0]: xs[0]})
    if isinstance(body, Derivative) and isinstance(body.expr, AppliedUndef) \
            and tuple(body.expr.args) == tuple(xs) and len(xs) == 1:
        order = sum(int(c) for _, c in body.variable_count)
        return body.expr.func.__name__ + "'" * order
    if len(xs) == 1 and isinstance(body, AppliedUndef) and body.has(xs[0]):
        # a shifted or scaled function, f(x0 - c) -> f(· - c): the placeholder is the argument
        return printer._print(body.xreplace({xs[0]: Symbol("·")}))
    shown = {x: Symbol(x.name) for x in xs if isinstance(x, Dummy)}
    names = ", ".join(printer._print(shown.get(x, x)) for x in xs)
    if len(xs) > 1:
        names = f"({names})"
    return f"({names} -> {printer._print(body.xreplace(shown))})"


class _Pairing(Expr):
    """Common base of :class:`Convolution` and :class:`Correlation` (unevaluated)."""

    is_commutative = True
    _op_latex = ""
    _op_name = ""

    def __new__(cls, F, G, at, discrete):
        return Expr.__new__(cls, F, G, at, sp.sympify(bool(discrete)))

    @property
    def first(self):
        return self.args[0]

    @property
    def second(self):
        return self.args[1]

    @property
    def at(self):
        """The evaluation point (a Tuple of coordinates)."""
        return self.args[2]

    @property
    def discrete(self):
        return bool(self.args[3])

    def _bound(self):
        if self.discrete:
            names = ("k", "l", "p", "q")
            return [Dummy(names[i % 4], integer=True) for i in range(len(self.at))]
        names = ("tau", "sigma", "rho", "mu")
        return [Dummy(names[i % 4], real=True) for i in range(len(self.at))]

    def definition(self):
        """The defining Sum/Integral over the whole line (or lattice)."""
        raise NotImplementedError

    def doit(self, **hints):
        d = self.definition()
        return d.doit(**hints) if hints.get("deep", True) else d

    def _eval_derivative(self, s):
        return sp.diff(self.definition(), s)

    def _latex(self, printer):
        at = ", ".join(printer._print(a) for a in self.at)
        return (r"\left(" + _fn_latex(printer, self.first) + " " + self._op_latex + " "
                + _fn_latex(printer, self.second) + r"\right)\!\left(" + at + r"\right)")

    def _sympystr(self, printer):
        at = ", ".join(printer._print(a) for a in self.at)
        return (f"{self._op_name}({_fn_str(printer, self.first)}, "
                f"{_fn_str(printer, self.second)})({at})")


class Convolution(_Pairing):
    r"""``(f * g)(t)``, unevaluated; ``definition()`` is the defining integral or sum.

    Continuous: :math:`\int_{-\infty}^{\infty} f(\tau)\, g(t-\tau)\, d\tau`;
    discrete: :math:`\sum_k f[k]\, g[n-k]` (one sum per coordinate in 2-D).
    Build it with :func:`convolution`.
    """

    _op_latex = r"\ast"
    _op_name = "conv"

    def definition(self):
        bound = self._bound()
        body = self.first(*bound) * self.second(*[a - b for a, b in zip(self.at, bound)])
        cls = Sum if self.discrete else Integral
        return cls(body, *[(b, -oo, oo) for b in reversed(bound)])


class Correlation(_Pairing):
    r"""``(f \star g)(t)``, unevaluated (numpy/deep-learning convention, real signals).

    Continuous: :math:`\int f(t+\tau)\, g(\tau)\, d\tau`; discrete:
    :math:`\sum_m f[n+m]\, g[m]`. This equals ``conv(f, flip(g))``. The other
    common convention, :math:`\int f(\tau) g(t+\tau) d\tau`, is this one with the
    arguments swapped and ``t`` negated. Build it with :func:`correlation`.
    """

    _op_latex = r"\star"
    _op_name = "corr"

    def definition(self):
        bound = self._bound()
        body = self.first(*[a + b for a, b in zip(self.at, bound)]) * self.second(*bound)
        cls = Sum if self.discrete else Integral
        return cls(body, *[(b, -oo, oo) for b in reversed(bound)])


def _pairing(cls, f, g, at):
    at = tuple(at) if isinstance(at, (list, tuple, Tuple)) else (at,)
    if not at:
        raise SymconvError("the evaluation point must have at least one coordinate, but got ()")
    at = tuple(sp.sympify(a, strict=True) for a in at)
    discrete = all(getattr(a, "is_integer", False) for a in at)
    return cls(_as_lambda(f, len(at), discrete), _as_lambda(g, len(at), discrete), Tuple(*at), discrete)


def convolution(f, g, at):
    r"""The convolution ``(f * g)(at)`` as an unevaluated SymPy expression.

    Discrete when every coordinate of ``at`` is an integer symbol, continuous
    otherwise; a tuple ``at`` gives the multi-dimensional convolution.

    Examples
    --------
    >>> from sympy import symbols, Function
    >>> t = symbols('t', real=True)
    >>> f, g = Function('f'), Function('g')
    >>> convolution(f, g, t)
    conv(f, g)(t)
    >>> n = symbols('n', integer=True)
    >>> convolution(f, g, n).definition()
    Sum(f(_k)*g(-_k + n), (_k, -oo, oo))
    """
    return _pairing(Convolution, f, g, at)


def correlation(f, g, at):
    r"""The cross-correlation ``(f \star g)(at)`` (first argument shifted), unevaluated.

    Examples
    --------
    >>> from sympy import symbols, Function
    >>> n = symbols('n', integer=True)
    >>> correlation(Function('x'), Function('h'), n).definition()
    Sum(h(_k)*x(_k + n), (_k, -oo, oo))
    """
    return _pairing(Correlation, f, g, at)


def _expand_notation(expr):
    """Replace every Convolution/Correlation by its definition."""
    if not isinstance(expr, sp.Basic) or not expr.has(_Pairing):
        return expr
    return expr.replace(lambda e: isinstance(e, _Pairing), lambda e: e.definition())



_PAIRING_TEXT = re.compile(
    r"(?:\(\s*([A-Za-z][A-Za-z0-9]*)\s*(\*|\\ast|\\star|⋆|∗)\s*([A-Za-z][A-Za-z0-9]*)\s*\)"
    r"|\b(conv|corr)\(\s*([A-Za-z][A-Za-z0-9]*)\s*,\s*([A-Za-z][A-Za-z0-9]*)\s*\))\s*(?=[(\[])")


def _pairing_placeholders(text, functions):
    r"""Rewrite ``(f*g)(t)``, ``(f \star g)[n]``, ``conv(f, g)(t)``, ``corr(f, g)[n]`` (f, g
    declared functions) into calls of placeholder functions; returns (text, mapping)."""
    mapping = {}

    def sub(m):
        if m.group(1):
            first, op, second = m.group(1), m.group(2), m.group(3)
            cls = Correlation if op in ("\\star", "⋆") else Convolution
        else:
            cls = Correlation if m.group(4) == "corr" else Convolution
            first, second = m.group(5), m.group(6)
        if first not in functions or second not in functions:
            return m.group(0)
        # letters only: LaTeX input reads a digit as a separate number
        name = "symconvpairing" + _letters(len(mapping))
        mapping[name] = (cls, first, second)
        return name

    return _PAIRING_TEXT.sub(sub, text), mapping


def _letters(i):
    """0 -> 'a', 25 -> 'z', 26 -> 'ba', ...: a digit-free suffix."""
    out = ""
    while True:
        out = chr(ord("a") + i % 26) + out
        i //= 26
        if not i:
            return out


# d/dt, d/d\tau, \frac{d}{dt}, \frac{\partial}{\partial t}, \partial_t, \partial_{t}
_DERIVATIVE_TEXT = re.compile(
    r"(?<![\w\\])d\s*/\s*d\s*(?P<v1>\\?[A-Za-z]+)"
    r"|\\frac\s*\{\s*d\s*\}\s*\{\s*d\s*(?P<v2>\\?[A-Za-z]+)\s*\}"
    r"|\\frac\s*\{\s*\\partial\s*\}\s*\{\s*\\partial\s*(?P<v3>\\?[A-Za-z]+)\s*\}"
    r"|\\partial_\s*(?:\{\s*(?P<v4>\\?[A-Za-z]+)\s*\}|(?P<v5>\\?[A-Za-z]+))")
_OPEN, _CLOSE = "([{", ")]}"
_DIFFERENTIAL = re.compile(r"d\s*(?:\\[A-Za-z]+|[A-Za-z])(?![A-Za-z(])")


def _operand_end(text, start):
    """End of the operand of a derivative operator written before it: up to the first
    '+', '-', '=', ',' or '#' outside brackets (after the operand began), or the closing
    bracket of the enclosing group, or the end of the line."""
    depth = 0
    i = start
    began = False
    latex = "\\" in text
    integrals = 0   # \int opened inside the operand and not yet closed by a differential
    while i < len(text):
        ch = text[i]
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            if depth == 0:
                return i
            depth -= 1
        elif depth == 0 and began and (ch in "+=,#" or (ch == "-" and text[i - 1] not in "*/^(")):
            return i
        elif depth == 0 and latex and text.startswith("\\int", i):
            integrals += 1
        elif depth == 0 and began and latex and ch == "d" and text[i - 1].isspace() \
                and _DIFFERENTIAL.match(text, i):
            if not integrals:
                return i   # the 'd\tau' closing an enclosing integral is not the operand's
            integrals -= 1
        if not ch.isspace():
            began = True
        i += 1
    return i


_PRIMED = re.compile(r"(?<![\w\\])([A-Za-z][A-Za-z0-9]*)('+)\s*\(")


def _derivative_notation(text, functions):
    r"""Rewrite derivative operators into ``Derivative(operand, var)`` text, so that
    ``d/dt``, ``\frac{d}{dt}``, ``\partial_t`` and ``f'(x)`` are derivatives, never the
    product or quotient of symbols named ``d`` and ``dt``. The operand of an operator
    is what follows it up to the next ``+``/``-``/``=``/``,`` outside brackets.

    ``f'(x)`` (f a declared function) becomes ``Derivative(f(x), x)`` when ``x`` is a
    plain variable; at any other argument (``g'(t - tau)``) the line is refused with a
    message saying how to write it (the derivative of g evaluated at t - tau is not a
    derivative with respect to a variable of the line)."""
    from symconv.errors import ParseError

    for _ in range(50):
        m = _DERIVATIVE_TEXT.search(text)
        if m is None:
            break
        var = next(v for v in m.group("v1", "v2", "v3", "v4", "v5") if v)
        start = m.end()
        end = _operand_end(text, start)
        operand = text[start:end].strip()
        if not operand:
            raise ParseError(f"a derivative operator must be followed by what it differentiates, "
                             f"but nothing follows it at position {m.start()}")
        text = text[:m.start()] + f"Derivative(({operand}), {var})" + text[end:]
    for m in _PRIMED.finditer(text):
        name, primes = m.group(1), m.group(2)
        if name not in functions:
            continue
        close, depth = m.end(), 0
        while close < len(text) and not (text[close] == ")" and depth == 0):
            depth += (text[close] in _OPEN) - (text[close] in _CLOSE)
            close += 1
        arg = text[m.end():close].strip()
        if close >= len(text) or not re.fullmatch(r"\\?[A-Za-z][A-Za-z0-9]*", arg):
            raise ParseError(
                f"{name}{primes}(...) is read as a derivative only at a plain variable, as in "
                f"{name}{primes}(x); at {arg!r} write Derivative({name}(u), u) for the derivative and "
                f"substitute u = {arg} in a separate line (position {m.start()})")
        text = (text[:m.start()] + f"Derivative({name}({arg}), " + ", ".join([arg] * len(primes))
                + ")" + text[close + 1:])
        return _derivative_notation(text, functions)
    return text


def _parse(text, kind, functions, symbols, evaluate=True):
    """parse_math with the convolution and derivative notations and real symbols for the
    continuous kind (``evaluate=False``: as written, for naming the rule of a step)."""
    from symconv.parsing import parse_math

    functions = tuple(functions)
    text = _derivative_notation(text, functions)
    text, mapping = _pairing_placeholders(text, functions)
    expr = parse_math(text, discrete=(kind == "discrete"), functions=functions + tuple(mapping),
                      symbols=symbols, evaluate=evaluate)
    if isinstance(expr, (list, tuple)):
        return expr
    if mapping:
        def build(app):
            cls, first, second = mapping[app.func.__name__]
            return _pairing(cls, Function(first), Function(second), app.args)

        expr = expr.replace(lambda e: isinstance(e, AppliedUndef) and e.func.__name__ in mapping, build)
    if kind != "discrete":
        plain = {s: Symbol(s.name, real=True) for s in expr.atoms(Symbol)
                 if s.assumptions0 == {"commutative": True}}
        if plain:
            expr = expr.xreplace(plain)
    return expr
