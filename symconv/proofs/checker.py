r"""Machine-checked derivations: chains of equal expressions, each step verified.

A :class:`Derivation` is an immutable chain ``e0 = e1 = e2 = ...`` in which every
step ``e(i-1) = e(i)`` carries a justification ("substitute m = n - k",
"swap the order of summation", free text, ...). :meth:`Derivation.check` verifies
every step and returns a :class:`ProofReport` whose entries say, step by step,
how the equality was established:

``proven``
    structurally identical; or SymPy decided it (``simplify(a - b) == 0`` and
    friends, under a time limit); or a named rule applied mechanically to the
    left side reproduced the right side. The rules are: the definition of
    convolution/correlation (the :func:`convolution`/:func:`correlation`
    notation), linearity (constants and sums move through a Sum/Integral),
    Fubini (the order of independent summations/integrations), a change of
    variables (``Sum.change_index`` / ``Integral.transform``, limits included),
    the sifting property of ``DiracDelta``/``KroneckerDelta`` and the support
    restriction by a unit step. Before any numeric test, sums with integer limits
    are written out term by term (at most 64 terms per side: a one-term sum
    disappears) and integrals with finite numeric limits are evaluated by SymPy's
    ``doit`` when it can; periodic indices are handled by writing ``Mod(a, N)`` as
    ``a - N floor(a/N)``.
``confirmed``
    not decided symbolically, but both sides agreed on random instances:
    undefined functions replaced by random finite sequences (discrete) or random
    Gaussian-times-polynomial functions (continuous, integrated by Gauss-Legendre
    quadrature), free symbols by random values. The reason states how many
    instances and which tolerance.
``refuted``
    the sides differ on a concrete instance, given as a reproducible
    :class:`Counterexample` (every sequence, function and value listed).
``unverified``
    neither decided nor testable (e.g. a custom check gave up, or the expression
    contains something the numeric evaluator cannot evaluate).

A derivation is valid when every step is proven or confirmed.

The rules are the textbook ones and carry the textbook's standing assumption:
sums and integrals converge absolutely (integrable functions, finitely supported
sequences), so that linearity and Fubini apply. Sums with reversed limits follow
SymPy's convention, both in the rules and in the numeric evaluation.

Examples
--------
>>> from sympy import symbols, Function, Sum, oo
>>> n, k, m = symbols('n k m', integer=True)
>>> f, g = Function('f'), Function('g')
>>> d = Derivation([Sum(f(k)*g(n - k), (k, -oo, oo)),
...                 (Sum(f(n - m)*g(m), (m, -oo, oo)), "substitute k = n - m")],
...                title="commutativity")
>>> report = d.check()
>>> report.valid, report.steps[0].status
(True, 'proven')
>>> print(report.steps[0].reason)
change of variables k -> n - m (Sum.change_index, limits included), as stated
"""

import functools
import math
import re
import time
from dataclasses import dataclass, field
from itertools import permutations

import numpy as np
import sympy as sp
from sympy import (Abs, Add, Derivative, DiracDelta, Dummy, Eq, Expr, Function, Heaviside,
                   Integral, KroneckerDelta, Lambda, MatrixBase, Mul, Piecewise, Pow, S, Subs,
                   Sum, Symbol, Tuple, oo)
from sympy.core.function import AppliedUndef, UndefinedFunction

from symconv._util.sympy_safety import no_numeric_summation
from symconv._util.sympy_safety import sstr
from symconv._util.deadline import TimeLimitExceeded, bounded_call, time_limit as _time_limit
from symconv.errors import ParseError, SymconvError

__all__ = ["Derivation", "Step", "StepCheck", "StepReport", "ProofReport", "Counterexample",
           "convolution", "correlation", "Convolution", "Correlation",
           "check_step", "check_proof", "STATUSES"]

STATUSES = ("proven", "confirmed", "refuted", "unverified")
_KINDS = ("continuous", "discrete")


# ---------------------------------------------------------------------------
# results of checking
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Counterexample:
    """A concrete instance on which the two sides of a step differ.

    Attributes
    ----------
    symbols : tuple of (str, value)
        The value given to every free symbol.
    functions : tuple of (str, str)
        Each undefined function and the concrete sequence or function used for it.
    lhs, rhs : complex or float
        The values of the two sides on this instance.
    seed : int or None
        Seed of the random generator that produced the instance.
    data : tuple of (str, object)
        The instance in machine-readable form: for a sequence ``(origin, values)``
        (``values`` nested tuples of ints, ``origin`` the index of the first entry
        on each axis); for a continuous function a SymPy ``Lambda``.
    """

    symbols: tuple = ()
    functions: tuple = ()
    lhs: object = None
    rhs: object = None
    seed: object = None
    data: tuple = ()

    def as_dict(self):
        """The instance as a plain dict (symbols and functions by name)."""
        return {"symbols": dict(self.symbols), "functions": dict(self.functions),
                "lhs": self.lhs, "rhs": self.rhs, "seed": self.seed}

    def __str__(self):
        parts = [f"{name} = {value}" for name, value in self.symbols]
        parts += [f"{name} = {desc}" for name, desc in self.functions]
        where = ", ".join(parts) if parts else "no free symbols"
        return f"{where}: left side = {_fmt_number(self.lhs)}, right side = {_fmt_number(self.rhs)}"


def _fmt_number(value):
    if value is None:
        return "?"
    if isinstance(value, complex):
        if abs(value.imag) <= 1e-12 * max(1.0, abs(value.real)):
            value = value.real
        else:
            return f"{value.real:.10g}{value.imag:+.10g}i"
    if isinstance(value, float):
        return f"{value:.10g}"
    return str(value)


@dataclass(frozen=True)
class StepCheck:
    """The verdict of a check on one step.

    Parameters
    ----------
    status : {'proven', 'confirmed', 'refuted', 'unverified'}
    reason : str
        Human-readable: which rule, which SymPy decision, or which numeric test.
    counterexample : object, optional
        For a refuted step: the instance on which the sides differ (a
        :class:`Counterexample`, or any printable object from a custom check).
    method : str, optional
        ``'identical'``, ``'sympy'``, ``'rule'``, ``'numeric'`` or ``'custom'``.

    Examples
    --------
    >>> StepCheck('proven', 'both sides expand to the same polynomial')
    StepCheck('proven', 'both sides expand to the same polynomial')
    """

    status: str
    reason: str
    counterexample: object = None
    method: str = ""

    def __post_init__(self):
        if self.status not in STATUSES:
            options = ", ".join(repr(s) for s in STATUSES)
            raise SymconvError(f"status must be one of {options}, but got {self.status!r}")
        if not isinstance(self.reason, str):
            raise SymconvError(f"reason must be a str, but got {type(self.reason).__name__}")

    def __repr__(self):
        extra = "" if self.counterexample is None else f", counterexample={self.counterexample!r}"
        return f"StepCheck({self.status!r}, {self.reason!r}{extra})"


@dataclass(frozen=True)
class Step:
    """One line of a derivation: an expression and why it equals the previous line.

    Parameters
    ----------
    expression : sympy.Basic or str
        The new expression (strings are parsed safely by the derivation).
    justification : str, optional
        A named rule or free text; it is shown, not trusted.
    verify : callable, optional
        A zero-argument function returning a :class:`StepCheck`; when given it
        replaces the built-in checker for this step.

    Examples
    --------
    >>> from sympy import symbols
    >>> x = symbols('x')
    >>> Step(2*x, 'double')
    Step(2*x, 'double')
    """

    expression: object
    justification: object = None
    verify: object = field(default=None, compare=False)

    def __post_init__(self):
        if self.justification is not None and not isinstance(self.justification, str):
            raise SymconvError("a step's justification must be a str or None, "
                               f"but got {type(self.justification).__name__}")
        if self.verify is not None and not callable(self.verify):
            raise SymconvError(f"verify must be a zero-argument callable, but got {self.verify!r}")

    def __repr__(self):
        extra = "" if self.verify is None else ", verify=<custom>"
        return f"Step({self.expression}, {self.justification!r}{extra})"


@dataclass(frozen=True)
class StepReport:
    """The check of step ``index``: ``before = after`` because ``justification``.

    ``status``/``reason``/``counterexample``/``method`` come from the
    :class:`StepCheck`; ``seconds`` is the time the check took.
    """

    index: int
    before: object
    after: object
    justification: object
    status: str
    reason: str
    counterexample: object = None
    method: str = ""
    seconds: float = 0.0
    line: object = None

    @property
    def ok(self):
        """True for a proven or confirmed step."""
        return self.status in ("proven", "confirmed")

    def __str__(self):
        why = f" [{self.justification}]" if self.justification else ""
        where = f" (line {self.line})" if self.line is not None else ""
        text = f"step {self.index}{where}{why}: {self.status.upper()} - {self.reason}"
        if self.counterexample is not None:
            text += f"\n    counterexample: {self.counterexample}"
        return text


_STATUS_MARK = {"proven": "proven", "confirmed": "confirmed numerically",
                "refuted": "REFUTED", "unverified": "unverified"}


@dataclass(frozen=True)
class ProofReport:
    """The step-by-step verdict on a derivation (what :meth:`Derivation.check` returns).

    Attributes
    ----------
    title : str or None
    expressions : tuple
        The chain ``e0, e1, ...`` that was checked.
    steps : tuple of StepReport
        One entry per step ``e(i-1) = e(i)``.
    """

    title: object
    expressions: tuple
    steps: tuple

    @property
    def valid(self):
        """True when every step is proven or confirmed numerically."""
        return all(s.ok for s in self.steps)

    def _indices(self, status):
        return tuple(s.index for s in self.steps if s.status == status)

    @property
    def proven(self):
        """Indices (1-based) of the steps proven symbolically or by a rule."""
        return self._indices("proven")

    @property
    def confirmed(self):
        """Indices of the steps only confirmed numerically."""
        return self._indices("confirmed")

    @property
    def refuted(self):
        """Indices of the refuted steps."""
        return self._indices("refuted")

    @property
    def unverified(self):
        """Indices of the steps that could be neither decided nor tested."""
        return self._indices("unverified")

    @property
    def first_failure(self):
        """The first step that is not proven or confirmed (a StepReport), or None."""
        return next((s for s in self.steps if not s.ok), None)

    @property
    def summary(self):
        """One line: valid or not, and how many steps of each status."""
        counts = ", ".join(f"{len(self._indices(s))} {s}" for s in STATUSES if self._indices(s))
        verdict = "VALID" if self.valid else "NOT VALID"
        return f"{verdict}: {len(self.steps)} step(s)" + (f" ({counts})" if counts else "")

    def __str__(self):
        lines = [self.title] if self.title else []
        lines.append(self.summary)
        if self.expressions:
            lines.append(f"    {_short(self.expressions[0])}")
        for s in self.steps:
            lines.append(f"  = {_short(s.after)}")
            lines.append("      " + str(s).replace("\n", "\n      "))
        failure = self.first_failure
        if failure is not None:
            where = f" (line {failure.line})" if failure.line is not None else ""
            lines.append(f"first failing step: {failure.index}{where}: {failure.reason}")
        return "\n".join(lines)

    def __repr__(self):
        return f"<ProofReport {self.title!r}: {self.summary}>"

    def latex(self):
        r"""The checked chain as an ``align*`` block, each line tagged with its verdict."""
        from symconv.latex import escape_text

        notes = []
        for s in self.steps:
            note = _STATUS_MARK[s.status]
            if s.justification:
                note = f"{s.justification} [{note}]"
            notes.append(note)
        body = _align(self.expressions, notes)
        head = ""
        if self.title:
            head = r"\paragraph{" + escape_text(str(self.title)) + "}\n"
        verdict = escape_text(self.summary)
        failure = self.first_failure
        if failure is not None:
            verdict += r"\\" + "\n" + escape_text(f"First failing step {failure.index}: {failure.reason}")
            if failure.counterexample is not None:
                verdict += r"\\" + "\n" + escape_text(f"Counterexample: {failure.counterexample}")
        return head + body + "\n" + verdict + "\n"

    def _repr_latex_(self):
        return "$$" + _aligned(self.expressions,
                               [r"\text{" + _STATUS_MARK[s.status] + "}" for s in self.steps]) + "$$"


def _short(expr, limit=200):
    text = sstr(expr)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _align(expressions, notes):
    """``align*`` lines; ``notes`` are plain (unescaped) texts or None."""
    from symconv.latex import expr_latex, note as note_tex

    lines = []
    for i, e in enumerate(expressions):
        if i == 0:
            lines.append("  & " + expr_latex(e))
        else:
            text = notes[i - 1]
            tail = "" if not text else " && " + note_tex(text)
            lines.append("  &= " + expr_latex(e) + tail)
    return "\\begin{align*}\n" + " \\\\\n".join(lines) + "\n\\end{align*}"


def _aligned(expressions, notes):
    from symconv.latex import expr_latex

    lines = []
    for i, e in enumerate(expressions):
        if i == 0:
            lines.append("& " + expr_latex(e))
        else:
            lines.append("&= " + expr_latex(e) + (r" && " + notes[i - 1] if notes[i - 1] else ""))
    return "\\begin{aligned}" + " \\\\ ".join(lines) + "\\end{aligned}"


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


# ---------------------------------------------------------------------------
# bounded time for SymPy calls
# ---------------------------------------------------------------------------

class _Overdue(BaseException):
    """A cooperative deadline check (``_Canon.check_time``, which works off the main
    thread too) found the deadline passed. Raised only inside a bounded block, whose
    catch treats it as its own time-out (a BaseException, like TimeLimitExceeded)."""


def _bounded(fn, seconds, default=None):
    """``fn()`` or ``default`` if it times out or SymPy raises (an enclosing limit that
    runs out meanwhile is not ours: it propagates)."""
    try:
        return bounded_call(fn, seconds, default)
    except (_Overdue, Exception):  # SymPy failures are "undecided", never fatal
        return default


# ---------------------------------------------------------------------------
# symbolic decision: canonical forms of sums and integrals
# ---------------------------------------------------------------------------

_NESTS = (Sum, Integral)

#: a step's sums with numeric limits are written out when they hold at most this many
#: terms in all (per side); larger ones are left to the other strategies
_FINITE_TERMS = 64


def _numeric_limit(node, lim):
    """``(var, lo, hi)`` when ``lim`` can be written out: integer limits of a Sum (with
    ``hi >= lo - 1``), finite numeric limits of an Integral; else None."""
    if len(lim) != 3:
        return None
    var, lo, hi = lim
    if isinstance(node, Sum):
        if lo.is_Integer and hi.is_Integer and hi >= lo - 1:
            return var, int(lo), int(hi)
        return None
    if lo.is_number and hi.is_number and lo.is_finite and hi.is_finite:
        return var, lo, hi
    return None


def _peel(node):
    """Split a Sum/Integral into one limit with numeric bounds and the rest:
    ``((var, lo, hi), rest)`` where ``node`` is the sum/integral of ``rest`` over that
    limit, or None. The innermost limit is tried first (no other limit depends on its
    variable), then the outermost (inner limits may depend on it; they become numbers
    once it is written out)."""
    limits = node.limits
    if len(limits) == 1:
        lim = _numeric_limit(node, limits[0])
        return None if lim is None else (lim, node.function)
    lim = _numeric_limit(node, limits[0])
    if lim is not None:
        return lim, node.function, limits[1:]
    lim = _numeric_limit(node, limits[-1])
    if lim is not None:
        return lim, node.func(node.function, *limits[:-1])
    return None


def _write_out(expr, deadline, budget=None):
    """``expr`` with every Sum over integer limits written out term by term (at most
    ``_FINITE_TERMS`` terms in all) and every Integral over finite numeric limits
    replaced by SymPy's ``doit`` when that removes it; ``None`` when nothing changed.

    Limits are handled innermost first, and written-out terms are visited again, so an
    inner sum whose limits depend on an outer index is written out once that index is a
    number."""
    budget = [_FINITE_TERMS] if budget is None else budget
    if not isinstance(expr, sp.Basic) or not expr.has(*_NESTS):
        return None
    changed = False
    args = []
    for arg in expr.args:
        new = _write_out(arg, deadline, budget)
        changed |= new is not None
        args.append(arg if new is None else new)
    node = expr.func(*args) if changed else expr
    if not isinstance(node, _NESTS):
        return node if changed else None
    peeled = _peel(node)
    if peeled is None or time.monotonic() > deadline:
        return node if changed else None
    (var, lo, hi), inner, *outer = peeled
    if isinstance(node, Sum):
        count = hi - lo + 1
        if count > budget[0]:
            return node if changed else None
        budget[0] -= count
        rebinds = any(var in n.variables for n in inner.atoms(*_NESTS)) if inner.has(*_NESTS) \
            else False
        put = (lambda v: inner.subs(var, v)) if rebinds else (lambda v: inner.xreplace({var: v}))
        terms = Add(*[put(S(v)) for v in range(lo, hi + 1)])
    else:
        single = Integral(inner, (var, lo, hi))
        terms = _bounded(lambda: single.doit(), max(0.05, min(1.0, deadline - time.monotonic())))
        if terms is None or terms.has(Integral):
            return node if changed else None
    if outer:
        terms = node.func(terms, *outer[0])
    again = _write_out(terms, deadline, budget)
    return terms if again is None else again


def _limit(lim):
    if len(lim) == 3:
        return lim[0], lim[1], lim[2]
    raise SymconvError(f"every Sum/Integral must have explicit limits (x, a, b), but got {tuple(lim)}")


class _Trace:
    """The named rules used while normalising (for the reason of a proven step)."""

    def __init__(self):
        self.rules = []

    def add(self, rule):
        if rule not in self.rules:
            self.rules.append(rule)


_EXPAND_HINTS = dict(deep=True, mul=True, power_exp=True, power_base=False, multinomial=True,
                     log=False, basic=True)


def _expand(expr):
    try:
        out = sp.expand(expr, **_EXPAND_HINTS)
    except Exception:
        return expr
    if out.has(Heaviside):
        out = out.replace(
            lambda e: e.is_Pow and isinstance(e.base, Heaviside) and e.exp.is_Integer and e.exp > 0
            and len(e.base.args) > 1 and e.base.args[1] in (0, 1), lambda e: e.base)
    if out.has(Subs):
        out = out.replace(lambda e: isinstance(e, Subs) and all(p.is_Symbol for p in e.point),
                          lambda e: e.doit())
    return out


def _canon_symbol(i, cls, lo, hi):
    return Symbol(f"_b{i}", **_assumptions(None, cls, lo, hi))


def _canon_index(sym):
    name = getattr(sym, "name", "")
    if name.startswith("_b") and name[2:].isdigit():
        return int(name[2:])
    return -1


def _build(limits, core):
    """Nest single-limit objects: limits listed outermost first."""
    body = core
    for cls, var, lo, hi in reversed(limits):
        body = cls(body, (var, lo, hi))
    return body


def _is_linear_in(expr, var):
    """(a, b) with expr = a*var + b, a and b free of var, or None."""
    try:
        poly = sp.Poly(expr, var)
    except Exception:
        return None
    if poly.degree() != 1:
        return None
    a, b = poly.all_coeffs()
    if a.has(var) or b.has(var):
        return None
    return a, b


class _Canon:
    """Normal form: sum of terms ``coeff * nest``; a nest is a chain of single-limit
    Sum/Integral objects (independent limits in a canonical order, canonical bound
    names ``_b0, _b1, ...``) around an expanded core; constants pulled out."""

    def __init__(self, trace, deadline):
        self.trace = trace
        self.deadline = deadline

    def check_time(self):
        if time.monotonic() > self.deadline:
            raise _Overdue()

    def __call__(self, expr):
        self.check_time()
        if not isinstance(expr, sp.Basic) or not expr.has(*_NESTS):
            return expr
        if isinstance(expr, _NESTS):
            return self.nest(expr)
        if isinstance(expr, Derivative) and expr.expr.has(*_NESTS):
            bound_vars = {v for v, _ in expr.variable_count}
            if all(v.is_Symbol for v in bound_vars):
                inner = expr.doit(deep=False)
                if inner != expr:
                    self.trace.add("differentiation under the integral/summation sign")
                    return self(inner)
        args = [self(a) for a in expr.args]
        rebuilt = expr.func(*args) if args != list(expr.args) else expr
        if isinstance(rebuilt, Mul) and sum(1 for f in rebuilt.args if isinstance(f, _NESTS)) >= 1 \
                and not all(not isinstance(f, _NESTS) for f in rebuilt.args):
            return self.term_to_canon(rebuilt)
        if isinstance(rebuilt, Add):
            return Add(*[self.term_to_canon(t) if isinstance(t, Mul) and any(
                isinstance(f, _NESTS) for f in t.args) else t for t in rebuilt.args])
        return rebuilt

    # -- nests -------------------------------------------------------------
    def nest(self, node):
        limits = []
        body = node
        while isinstance(body, _NESTS):
            lims = list(body.limits)
            for lim in reversed(lims):  # outermost first
                var, lo, hi = _limit(lim)
                limits.append((body.func, var, self(lo), self(hi)))
            body = body.function
        # rename the bound variables apart (fresh dummies) before reshaping
        fresh = {}
        new_limits = []
        for cls, var, lo, hi in limits:
            lo, hi = lo.xreplace(fresh), hi.xreplace(fresh)
            d = Dummy('v', **_assumptions(var, cls, lo, hi))
            fresh[var] = d
            new_limits.append((cls, d, lo, hi))
        core = self(body.xreplace(fresh))
        return self.terms(new_limits, core)

    def term_to_canon(self, product):
        """A product containing nests: merge them into one nest."""
        return self.terms([], product)

    def terms(self, limits, core):
        """Canonical form of ``nest(limits, core)``; core may contain nests (merged)."""
        self.check_time()
        expanded = _expand(core)
        parts = Add.make_args(expanded)
        if len(parts) > 1 and limits:
            self.trace.add("linearity")
        return Add(*[self.term(list(limits), t) for t in parts])

    def term(self, limits, term):
        """One product term under ``limits``: merge nest factors, then normalise."""
        factors = list(Mul.make_args(term))
        idx = next((i for i, f in enumerate(factors) if isinstance(f, _NESTS)), None)
        if idx is not None:
            inner = factors[idx]
            rest = factors[:idx] + factors[idx + 1:]
            inner_limits = []
            while isinstance(inner, _NESTS):
                for lim in reversed(inner.limits):
                    var, lo, hi = _limit(lim)
                    inner_limits.append((inner.func, var, lo, hi))
                inner = inner.function
            fresh = {}
            renamed = []
            for cls, var, lo, hi in inner_limits:
                lo, hi = lo.xreplace(fresh), hi.xreplace(fresh)
                d = Dummy('v', **_assumptions(var, cls, lo, hi))
                renamed.append((cls, d, lo, hi))
                fresh[var] = d
            if limits or any(f.free_symbols for f in rest):
                self.trace.add("linearity")
            return self.terms(limits + renamed, Mul(*rest) * inner.xreplace(fresh))
        if not limits:
            return term
        limits, core, coeff = self.simplify_nest(limits, term)
        if not limits:
            return coeff * core
        return coeff * self.canonical_nest(limits, core)

    def simplify_nest(self, limits, core):
        """Sifting, unit-step range restriction, constants, orientation. Returns
        (limits, core, coeff)."""
        coeff = S.One
        changed = True
        while changed:
            changed = False
            self.check_time()
            # sifting, innermost variable first (as a nested evaluation would do it)
            for idx in reversed(range(len(limits))):
                cls, var, lo, hi = limits[idx]
                depends = any(var in (l[2].free_symbols | l[3].free_symbols) for l in limits[idx + 1:])
                res = _sift(cls, var, lo, hi, core)
                if res is not None and not depends:
                    core = _expand(res[0])
                    coeff = coeff * res[1]
                    if res[2] != S.true and res[2] is not True:
                        core = core * res[2]
                    limits = limits[:idx] + limits[idx + 1:]
                    self.trace.add("sifting property of " + ("KroneckerDelta" if cls is Sum else "DiracDelta"))
                    changed = True
                    break
            if changed:
                continue
            for idx, (cls, var, lo, hi) in enumerate(limits):
                inner_vars = {l[1] for l in limits[idx + 1:]}
                depends = any(var in (l[2].free_symbols | l[3].free_symbols) for l in limits[idx + 1:])
                not_yet = inner_vars  # a new limit of var may not refer to variables inside it
                # unit steps restrict the range
                res = _restrict(cls, var, lo, hi, core, not_yet)
                if res is not None:
                    (lo, hi), core, factor = res
                    new_var = Dummy('v', **_assumptions(var, cls, lo, hi))
                    swap = {var: new_var}
                    limits = limits[:idx] + [(cls, new_var, lo, hi)] + [
                        (c2, v2, l2.xreplace(swap), h2.xreplace(swap)) for c2, v2, l2, h2 in limits[idx + 1:]]
                    core = core.xreplace(swap)
                    coeff = coeff * factor
                    self.trace.add("unit step restricts the range")
                    changed = True
                    break
                # orientation of integrals
                if cls is Integral:
                    if lo == oo or hi == -oo or (not (lo.is_infinite or hi.is_infinite)
                                                 and (hi - lo).could_extract_minus_sign()):
                        limits[idx] = (cls, var, hi, lo)
                        coeff = -coeff
                        self.trace.add("reversing the limits of integration")
                        changed = True
                        break
                # a bound variable that does not occur
                if var not in core.free_symbols and not depends and not inner_vars & {var}:
                    if lo.is_finite and hi.is_finite or (lo.is_infinite is False and hi.is_infinite is False):
                        width = (hi - lo + 1) if cls is Sum else (hi - lo)
                        coeff = coeff * width
                        limits = limits[:idx] + limits[idx + 1:]
                        self.trace.add("sum/integral of a constant")
                        changed = True
                        break
        # constants out (factors free of every bound variable)
        bound = {l[1] for l in limits}
        inside, outside = [], []
        for fac in Mul.make_args(core):
            (inside if fac.free_symbols & bound else outside).append(fac)
        if outside and limits:
            if any(o != 1 for o in outside):
                self.trace.add("linearity")
            coeff = coeff * Mul(*outside)
            core = Mul(*inside)
        return limits, core, coeff

    def canonical_nest(self, limits, core):
        """Pick the order of the limits and the bound names canonically.

        Independent limits are permuted freely (Fubini). When a limit depends on
        another bound variable (a triangle such as 0 <= tau <= t), the region is
        rewritten with unit steps over the whole line and restricted again in
        every order, so both descriptions of the same region meet."""
        k = len(limits)
        bound = {l[1] for l in limits}
        dependent = any((l[2].free_symbols | l[3].free_symbols) & bound for l in limits)
        if dependent and 1 < k <= 4:
            form = _indicator_form(limits, core)
            if form is not None:
                best = None
                ind_limits, ind_core = form
                for order in permutations(range(k)):
                    lims = [ind_limits[i] for i in order]
                    try:
                        new_limits, new_core, coeff = self.simplify_nest(list(lims), ind_core)
                    except Exception:
                        continue
                    if any(l[2] == -oo and l[3] == oo for l in new_limits) and \
                            not any(l[2] == -oo and l[3] == oo for l in limits):
                        continue  # this order could not restore finite ranges
                    if not new_limits:
                        cand = coeff * new_core
                    else:
                        cand = coeff * self._named(new_limits, new_core, [tuple(range(len(new_limits)))])[1]
                    key = str(cand)
                    if best is None or key < best[0]:
                        best = (key, cand, order)
                if best is not None:
                    if best[2] != tuple(range(k)):
                        self.trace.add("swapping the order of summation/integration (Fubini)")
                    return best[1]
        orders = [tuple(range(k))]
        if 1 < k <= 5:
            orders = [p for p in permutations(range(k)) if _respects(p, limits)]
        order, nest = self._named(limits, core, orders)
        if order != tuple(range(k)):
            self.trace.add("swapping the order of summation/integration (Fubini)")
        return nest

    def _named(self, limits, core, orders):
        """(order, nest) with canonical names, for the order giving the least key."""
        start = 1 + max([_canon_index(s) for s in core.free_symbols | _all_symbols(core)] + [-1])
        k = len(limits)
        best = None
        for order in orders:
            rename = {}
            new_limits = []
            for pos, i in enumerate(order):
                cls, var, lo, hi = limits[i]
                lo, hi = lo.xreplace(rename), hi.xreplace(rename)
                sym = _canon_symbol(start + pos, cls, lo, hi)
                rename[var] = sym
                new_limits.append((cls, sym, lo, hi))
            new_core = core.xreplace(rename)
            key = (str(new_limits), str(new_core))
            if best is None or key < best[0]:
                best = (key, new_limits, new_core, order)
        return best[3], _build(best[1], best[2])


def _indicator_form(limits, core):
    """The nest over the whole line/lattice with unit steps for the ranges, or None
    when a range's orientation is not known (then the steps would change the value)."""
    out_limits = []
    factors = []
    rename = {}
    for cls, var, lo, hi in limits:
        if lo == oo or hi == -oo:
            return None
        if lo != -oo and hi != oo:
            width = (hi - lo + 1) if cls is Sum else (hi - lo)
            if not width.is_nonnegative:
                return None
        lo, hi = lo.xreplace(rename), hi.xreplace(rename)
        new = Dummy("v", **_assumptions(var, cls))
        rename[var] = new
        if lo != -oo:
            factors.append(Heaviside(new - lo, 1))
        if hi != oo:
            factors.append(Heaviside(hi - new, 1))
        out_limits.append((cls, new, S.NegativeInfinity, S.Infinity))
    out_limits = [(c, v, lo.xreplace(rename), hi.xreplace(rename)) for c, v, lo, hi in out_limits]
    return out_limits, _expand(core.xreplace(rename) * Mul(*factors))


def _all_symbols(expr):
    return {a for a in expr.atoms(Symbol)}


def _respects(order, limits):
    """True when every limit only refers to variables placed outside it."""
    placed = set()
    for i in order:
        cls, var, lo, hi = limits[i]
        others = {l[1] for l in limits} - {var}
        if (lo.free_symbols | hi.free_symbols) & (others - placed):
            return False
        placed.add(var)
    return True


def _assumptions(var, cls, lo=None, hi=None):
    """Assumptions of a bound variable: integer for sums, real for integrals, and
    (almost everywhere) positive when the range is known to run upwards from a
    nonnegative value (with SymPy's reversed-limit conventions a range written
    from 0 to a negative t covers negative values, so that case is excluded)."""
    nonneg = False
    if lo is not None and hi is not None and lo.is_nonnegative:
        if hi == oo:
            nonneg = True
        else:
            nonneg = bool(((hi - lo + 1) if cls is Sum else (hi - lo)).is_nonnegative)
    if cls is Sum:
        return {"integer": True, "nonnegative": True} if nonneg else {"integer": True}
    return {"positive": True} if nonneg else {"real": True}


def _sift(cls, var, lo, hi, core):
    """Apply the sifting property to one delta factor in ``var``; (core, coeff, cond)."""
    for fac in Mul.make_args(core):
        if cls is Sum and isinstance(fac, KroneckerDelta) and var in fac.free_symbols:
            lin = _is_linear_in(fac.args[0] - fac.args[1], var)
            if lin is None or lin[0] not in (1, -1):
                continue
            point = -lin[1] / lin[0]
            if not point.is_integer and point.is_integer is not None:
                continue
            cond = _inside(point, lo, hi, closed=True)
            if cond is None:
                continue
            rest = Mul(*[f for f in Mul.make_args(core) if f is not fac])
            return rest.xreplace({var: point}), S.One, cond
        if cls is Integral and isinstance(fac, DiracDelta) and len(fac.args) == 1 \
                and var in fac.free_symbols:
            lin = _is_linear_in(fac.args[0], var)
            if lin is None or lin[0].is_zero is not False:
                continue
            a, b = lin
            point = -b / a
            if not (lo == -oo and hi == oo):
                continue
            rest = Mul(*[f for f in Mul.make_args(core) if f is not fac])
            return rest.xreplace({var: point}), 1 / Abs(a), S.true
    return None


def _inside(point, lo, hi, closed):
    """Whether lo <= point <= hi: S.true, or a Heaviside factor, or None (undecided)."""
    if lo == -oo and hi == oo:
        return S.true
    if lo == -oo:
        d = hi - point
        return S.true if d.is_nonnegative else Heaviside(d, 1)
    if hi == oo:
        d = point - lo
        return S.true if d.is_nonnegative else Heaviside(d, 1)
    return None


def _restrict(cls, var, lo, hi, core, forbidden=frozenset()):
    """A unit step u(var - c) or u(c - var) turns an infinite side of the range into c.

    Returns ((lo, hi), core without the step, factor) or None. The factor keeps
    the result right when the new range is empty (a unit step in the gap).
    """
    for fac in Mul.make_args(core):
        if not isinstance(fac, Heaviside) or var not in fac.free_symbols:
            continue
        h0 = fac.args[1] if len(fac.args) > 1 else None
        lin = _is_linear_in(fac.args[0], var)
        if lin is None or lin[0] not in (1, -1):
            continue
        a, b = lin
        c = -b / a  # the step is at var = c
        if c.free_symbols & set(forbidden):
            continue
        if cls is Sum and (h0 != 1 or not c.is_integer):
            continue  # only u[n] = 1 for n >= 0 gives a clean index range

        def step(x):
            return Heaviside(x, 1) if cls is Sum else Heaviside(x)

        rest = Mul(*[f for f in Mul.make_args(core) if f is not fac])
        if a == 1:  # the step keeps var >= c
            if (c - lo).is_nonpositive:
                return (lo, hi), rest, S.One  # already true on the whole range
            if lo == -oo:
                return (c, hi), rest, (S.One if hi == oo else step(hi - c))
            if hi == oo and (c - lo).is_nonnegative:
                return (c, hi), rest, S.One
        else:  # the step keeps var <= c
            if (c - hi).is_nonnegative:
                return (lo, hi), rest, S.One
            if hi == oo:
                return (lo, c), rest, (S.One if lo == -oo else step(c - lo))
            if lo == -oo and (hi - c).is_nonnegative:
                return (lo, c), rest, S.One
    return None


def _group(canon):
    """Map nest skeleton -> sum of coeff*core (None for the terms without nest)."""
    groups = {}
    for term in Add.make_args(canon):
        nest = None
        rest = []
        for fac in Mul.make_args(term):
            if isinstance(fac, _NESTS) and nest is None:
                nest = fac
            else:
                rest.append(fac)
        if nest is None:
            key, value = None, term
        else:
            limits = []
            body = nest
            while isinstance(body, _NESTS):
                for lim in reversed(body.limits):  # outermost first
                    var, lo, hi = _limit(lim)
                    limits.append((body.func.__name__, var, lo, hi))
                body = body.function
            key, value = tuple(limits), Mul(*rest) * body
        groups[key] = groups.get(key, S.Zero) + value
    return groups


def _opaque_atoms(expr):
    """Applications of undefined functions (and their derivatives): algebraically
    independent unknowns, as far as an identity for *every* f, g, h is concerned."""
    out = set(expr.atoms(AppliedUndef))
    out |= {d for d in expr.atoms(Derivative) if d.expr.atoms(AppliedUndef)}
    out |= {s for s in expr.atoms(Subs) if s.expr.atoms(AppliedUndef)}
    out |= set(expr.atoms(*_NESTS))
    return out


def _is_zero(expr, seconds, trace=None):
    """True when SymPy shows expr == 0 within the time bound (False = undecided).

    The unknown function values (and any unevaluated Sum/Integral) are treated as
    independent unknowns: the expression is a polynomial in them, and it is zero
    exactly when every coefficient is, which is decided coefficient by
    coefficient (a nonzero numeric coefficient answers "not shown" at once)."""
    if expr == 0:
        return True
    e = _bounded(lambda: _expand(expr), seconds)
    if e is None:
        return False
    if e == 0:
        return True
    opaque = _opaque_atoms(e)
    if opaque:
        stand_in = {a: Dummy("y") for a in opaque}
        poly = _bounded(lambda: sp.Poly(e.xreplace(stand_in), *stand_in.values()), seconds)
        if poly is not None:
            coeffs = poly.coeffs()
            if any(c.is_number and c != 0 and not c.has(sp.I, sp.E, sp.pi) for c in coeffs):
                return False
            return all(_is_zero_plain(c, seconds / max(1, len(coeffs)), trace) for c in coeffs)
    return _is_zero_plain(e, seconds, trace)


# sample values for _surely_nonzero: small integers and non-integer rationals, each with
# its SymPy facts (so a value is only used for a symbol whose assumptions it satisfies)
_PROBES = [S(v) for v in range(-9, 10)] + [S(p) / q for q in (3, 7) for p in (-11, -5, -2, 2, 5, 11)]


@functools.lru_cache(maxsize=None)
def _probe_fits(facts):
    """The probe values having every fact ``(name, value)`` in ``facts``."""
    return tuple(v for v in _PROBES if all(getattr(v, "is_" + k, None) == val for k, val in facts))


def _probe_for(symbol, rng):
    fits = _probe_fits(tuple(sorted(symbol.assumptions0.items())))
    return fits[rng.integers(len(fits))] if fits else None


def _surely_nonzero(e, seconds, tries=2):
    """True when ``e`` is shown not to be identically zero: at a point that satisfies every
    symbol's assumptions, SymPy evaluates it (``evalf``, 30 digits, ``strict``: every
    returned digit is correct) to a nonzero number. False means "not shown" (no point
    could be evaluated, or the value could not be told from zero). Used to skip a
    ``simplify`` that cannot succeed: ``simplify(e) == 0`` would be wrong for such ``e``."""
    symbols = sorted(e.free_symbols, key=sp.default_sort_key)
    rng = np.random.default_rng(len(symbols))
    for _ in range(tries):
        point = {}
        for sym in symbols:
            value = _probe_for(sym, rng)
            if value is None:
                return False
            point[sym] = value
        at = e.xreplace(point)
        if not at.is_number:
            return False
        value = _bounded(lambda: sp.N(at, 30, strict=True), seconds)
        if value is None or value.has(S.NaN, sp.zoo, S.Infinity, S.NegativeInfinity):
            continue
        if value.is_number and value != 0:
            return True
    return False


def _is_zero_plain(e, seconds, trace=None):
    if e == 0:
        return True
    if e.is_number and e.is_zero is False:
        return False
    if sp.count_ops(e) > 600:
        return False
    if e.has(sp.Mod):
        # Mod(a, N) = a - N floor(a/N): an exponential of 2 pi i times an integer then
        # evaluates to 1 (periodic indices, as in the DFT), which simplify does not see
        res = _bounded(lambda: _expand(e.rewrite(sp.floor)), seconds)
        if res is not None and res == 0:
            if trace is not None:
                trace.add("Mod(a, N) = a - N floor(a/N), exp(2 pi i integer) = 1")
            return True
    if _surely_nonzero(e, min(0.5, seconds)):
        return False
    res = _bounded(lambda: sp.simplify(e), seconds)
    if res is not None and res == 0:
        return True
    if e.has(sp.sinh, sp.cosh, sp.tanh, sp.sin, sp.cos, sp.tan):
        res = _bounded(lambda: sp.simplify(e.rewrite(sp.exp)), seconds)
        if res is not None and res == 0:
            return True
    if e.has(sp.I):
        res = _bounded(lambda: sp.simplify(sp.expand_complex(e)), seconds)
        return res is not None and res == 0
    return False


def _canon_equal(ca, cb, seconds, trace=None):
    ga, gb = _group(ca), _group(cb)
    for key in set(ga) | set(gb):
        if not _is_zero(ga.get(key, S.Zero) - gb.get(key, S.Zero), seconds, trace):
            return False
    return True


def _distribute(expr):
    """Linearity with the user's names kept: a single-limit Sum/Integral of a sum
    becomes a sum of them, and factors free of the bound variable move out."""
    if not isinstance(expr, sp.Basic) or not expr.has(*_NESTS):
        return expr
    if isinstance(expr, _NESTS):
        bound = {lim[0] for lim in expr.limits}
        body = _distribute(expr.function)
        out = []
        for term in Add.make_args(_expand(body)):
            inside = [f for f in Mul.make_args(term) if f.free_symbols & bound]
            outside = [f for f in Mul.make_args(term) if not f.free_symbols & bound]
            out.append(Mul(*outside) * expr.func(Mul(*inside), *expr.limits))
        return Add(*out)
    args = [_distribute(a) if isinstance(a, sp.Basic) else a for a in expr.args]
    return expr.func(*args) if args != list(expr.args) else expr


def _nest_nodes(expr):
    """Every single-limit Sum/Integral node in ``expr`` with the variables bound
    outside it (pre-order)."""
    out = []

    def walk(e, outer):
        if isinstance(e, _NESTS):
            scope = set(outer)
            for lim in reversed(e.limits):  # outermost first
                out.append((e, lim[0], frozenset(scope)))
                for part in lim[1:]:
                    walk(part, scope)
                scope = scope | {lim[0]}
            walk(e.function, scope)
            return
        for arg in getattr(e, "args", ()):
            if isinstance(arg, sp.Basic):
                walk(arg, outer)

    walk(expr, set())
    return out


def _bound_vars(expr):
    return {n[1] for n in _nest_nodes(expr)}


def _fmt_affine(phi, W):
    shown = {d: Symbol(d.name) for d in phi.atoms(Dummy)}
    phi, W = phi.xreplace(shown), shown.get(W, W)
    lin = _is_linear_in(phi, W)
    if lin is None:
        return str(phi)
    s, c = lin
    if c == 0:
        return str(W) if s == 1 else (f"-{W}" if s == -1 else str(phi))
    if s == 1:
        return f"{c} + {W}" if not c.could_extract_minus_sign() else f"{W} - {-c}"
    if s == -1:
        return f"{c} - {W}"
    return str(phi)


class _Substitution:
    """A change of variables ``var -> phi(W)`` applied to one nest node."""

    def __init__(self, node, var, phi, W):
        self.node, self.var, self.phi, self.W = node, var, phi, W

    def apply(self, expr):
        node = self.node
        if isinstance(node, Sum):
            lin = _is_linear_in(self.phi, self.W)
            s, c = lin
            new = node.change_index(self.var, s * (self.var - c), self.W)
        else:
            new = node.transform(self.var, (self.phi, self.W))
        return expr.xreplace({node: new})

    def describe(self):
        how = "Sum.change_index" if isinstance(self.node, Sum) else "Integral.transform"
        return (f"change of variables {self.var.name} -> {_fmt_affine(self.phi, self.W)} "
                f"({how}, limits included)")


def _substitutions(a, b, limit=40):
    """Candidate changes of variables that may turn ``a`` into ``b``: match the
    arguments of the same undefined function on both sides and solve for the
    bound variable of ``a``."""
    free_a = a.free_symbols
    names_a = {s.name for s in _all_symbols(a)}
    b_bound = _bound_vars(b)
    apps_b = [app for app in b.atoms(AppliedUndef)]
    seen = set()
    out = []
    for node, var, outer in _nest_nodes(a):
        scope = free_a | outer
        for app_a in node.function.atoms(AppliedUndef):
            for app_b in apps_b:
                if app_b.func != app_a.func or len(app_b.args) != len(app_a.args):
                    continue
                for arg_a, arg_b in zip(app_a.args, app_b.args):
                    if var not in arg_a.free_symbols:
                        continue
                    for w in arg_b.free_symbols & b_bound:
                        name = w.name if w.name not in names_a - {var.name} else w.name + "'"
                        W = Symbol(name, **_assumptions(w, node.func))
                        tmp = Dummy("w", **_assumptions(w, node.func))
                        lin = _is_linear_in(arg_a - arg_b.xreplace({w: tmp}), var)
                        if lin is None or lin[0] == 0:
                            continue
                        phi_t = sp.expand(-lin[1] / lin[0])
                        if tmp not in phi_t.free_symbols or not phi_t.free_symbols <= scope | {tmp}:
                            continue
                        if phi_t == tmp and W == var:
                            continue
                        lin_w = _is_linear_in(phi_t, tmp)
                        if lin_w is None:
                            continue
                        phi = phi_t.xreplace({tmp: W})
                        if isinstance(node, Sum) and (lin_w[0] not in (1, -1)
                                                      or lin_w[1].is_integer is False):
                            continue
                        key = (node, var, phi)
                        if key in seen:
                            continue
                        seen.add(key)
                        out.append(_Substitution(node, var, phi, W))
                        if len(out) >= limit:
                            return out
    return out


# ---------------------------------------------------------------------------
# numeric confirmation: random instances, evaluated with NumPy
# ---------------------------------------------------------------------------

class _Unsupported(Exception):
    """The numeric evaluator cannot evaluate this expression."""


_MAX_CELLS = 4_000_000


class _Sequence:
    """A random finite sequence (any number of indices), zero outside its box."""

    def __init__(self, name, values, origin):
        self.name = name
        self.values = np.asarray(values, dtype=float)
        self.origin = tuple(origin)

    def __call__(self, *idx):
        if len(idx) != self.values.ndim:
            raise _Unsupported(f"{self.name} takes {self.values.ndim} index(es)")
        out_mask = None
        cells = []
        for axis, i in enumerate(idx):
            i = np.real(np.asarray(i))
            r = np.rint(i)
            if np.any(np.abs(i - r) > 1e-9):
                raise _Unsupported(f"the sequence {self.name} was evaluated at a non-integer index")
            pos = r.astype(np.int64) - self.origin[axis]
            ok = (pos >= 0) & (pos < self.values.shape[axis])
            out_mask = ok if out_mask is None else out_mask & ok
            cells.append(pos)
        cells = np.broadcast_arrays(*cells, out_mask)
        mask = cells[-1]
        safe = [np.where(mask, c, 0) for c in cells[:-1]]
        return np.where(mask, self.values[tuple(safe)], 0.0)

    def support(self):
        return [(o, o + n - 1) for o, n in zip(self.origin, self.values.shape)]

    def data(self):
        return self.origin, _nested_tuple(self.values.astype(int).tolist())

    def describe(self):
        idx = ", ".join("nmlk"[i] if self.values.ndim > 1 else "n" for i in range(self.values.ndim))
        if self.values.ndim == 1:
            vals = [int(v) for v in self.values]
            lo = self.origin[0]
            return (f"[{', '.join(map(str, vals))}] at n = {lo}..{lo + len(vals) - 1} "
                    "(0 elsewhere)")
        vals = self.values.astype(int).tolist()
        ranges = ", ".join(f"{o}..{o + n - 1}" for o, n in zip(self.origin, self.values.shape))
        return f"{vals} at ({idx}) in ({ranges}) (0 elsewhere)"


class _Smooth:
    """A random smooth, rapidly decaying function: a sum of Gaussian bumps times
    linear polynomials, with rational coefficients (so it can be reproduced)."""

    def __init__(self, name, expr, xs, radius):
        self.name = name
        self.expr = expr
        self.xs = xs
        self.radius = radius
        self._cache = {}

    def derivative(self, orders):
        orders = tuple(orders)
        if orders not in self._cache:
            e = self.expr
            for x, k in zip(self.xs, orders):
                if k:
                    e = sp.diff(e, x, k)
            self._cache[orders] = sp.lambdify(self.xs, e, "numpy")
        return self._cache[orders]

    def __call__(self, *args):
        return self.derivative((0,) * len(self.xs))(*args)

    def support(self):
        return [(-self.radius, self.radius)] * len(self.xs)

    def data(self):
        return Lambda(self.xs, self.expr)

    def describe(self):
        names = ("x", "y", "z", "w")[:len(self.xs)]
        shown = self.expr.xreplace({x: Symbol(n) for x, n in zip(self.xs, names)})
        return f"({', '.join(names)}) -> {shown}"


def _nested_tuple(values):
    return tuple(_nested_tuple(v) for v in values) if isinstance(values, list) else values


def _random_sequence(rng, name, arity):
    shape = tuple(int(rng.integers(1, 5 if arity == 1 else 4)) for _ in range(arity))
    origin = tuple(int(rng.integers(-2, 2)) for _ in range(arity))
    values = rng.integers(-4, 5, size=shape)
    while not values.any():
        values = rng.integers(-4, 5, size=shape)
    return _Sequence(name, values, origin)


def _random_smooth(rng, name, arity):
    xs = tuple(Dummy(f"x{i}", real=True) for i in range(arity))
    terms = []
    max_c, min_alpha = 0, 10
    for _ in range(int(rng.integers(1, 3)) + 1):
        a = sp.Rational(int(rng.choice([-6, -5, -4, -3, -2, 2, 3, 4, 5, 6])), 4)
        b = sp.Rational(int(rng.integers(-3, 4)), 4)
        cs = [sp.Rational(int(rng.integers(-4, 5)), 4) for _ in xs]
        alphas = [sp.Rational(int(rng.integers(4, 11)), 4) for _ in xs]
        max_c = max([max_c] + [abs(float(c)) for c in cs])
        min_alpha = min([min_alpha] + [float(al) for al in alphas])
        expo = -sum(al * (x - c) ** 2 for al, x, c in zip(alphas, xs, cs))
        terms.append(a * (1 + b * (xs[0] - cs[0])) * sp.exp(expo))
    radius = max_c + math.sqrt(42.0 / min_alpha)
    return _Smooth(name, Add(*terms), xs, radius)


def _random_value(rng, sym):
    """A random value for a free symbol, respecting its assumptions."""
    if sym.is_integer:
        if sym.is_positive:
            return sp.Integer(int(rng.integers(1, 6)))
        if sym.is_nonnegative:
            return sp.Integer(int(rng.integers(0, 5)))
        if sym.is_negative:
            return -sp.Integer(int(rng.integers(1, 5)))
        if sym.is_nonpositive:
            return -sp.Integer(int(rng.integers(0, 5)))
        return sp.Integer(int(rng.integers(-3, 4)))
    if sym.is_positive:
        return sp.Rational(int(rng.integers(2, 17)), 8)
    if sym.is_nonnegative:
        return sp.Rational(int(rng.integers(0, 17)), 8)
    if sym.is_negative:
        return -sp.Rational(int(rng.integers(2, 17)), 8)
    return sp.Rational(int(rng.choice([i for i in range(-16, 17) if i])), 8)


class _Instance:
    def __init__(self, symbols, functions, seed):
        self.symbols = symbols          # Symbol -> SymPy number
        self.functions = functions      # name -> _Sequence | _Smooth
        self.seed = seed

    def counterexample(self, lhs, rhs):
        syms = tuple((str(s), v) for s, v in sorted(self.symbols.items(), key=lambda kv: str(kv[0])))
        funcs = tuple((name, fn.describe()) for name, fn in sorted(self.functions.items()))
        data = tuple((name, fn.data()) for name, fn in sorted(self.functions.items()))
        return Counterexample(syms, funcs, lhs, rhs, self.seed, data)


_NP_FUNCS = {
    sp.exp: np.exp, sp.log: np.log, sp.sin: np.sin, sp.cos: np.cos, sp.tan: np.tan,
    sp.sinh: np.sinh, sp.cosh: np.cosh, sp.tanh: np.tanh, sp.atan: np.arctan,
    sp.asin: np.arcsin, sp.acos: np.arccos,
    sp.re: np.real, sp.im: np.imag, sp.conjugate: np.conj,
    sp.sign: lambda x: np.sign(np.real(x)),
    sp.floor: lambda x: np.floor(np.real(x)), sp.ceiling: lambda x: np.ceil(np.real(x)),
}


@functools.lru_cache(maxsize=64)
def _gauss_legendre(m):
    """Nodes and weights of the m-point Gauss-Legendre rule on [-1, 1] (cached: the
    eigenvalue problem behind them costs more than most integrals)."""
    x, w = np.polynomial.legendre.leggauss(m)
    x.flags.writeable = False
    w.flags.writeable = False
    return x, w


def _lift(x, depth):
    x = np.asarray(x)
    if x.ndim < depth:
        x = x.reshape(x.shape + (1,) * (depth - x.ndim))
    return x


class _Evaluator:
    """Evaluates a SymPy expression on one instance with NumPy broadcasting: every
    bound variable of a Sum/Integral gets its own trailing array axis."""

    def __init__(self, instance, refine=1):
        self.inst = instance
        self.refine = refine
        self.default_reach = 12 * refine

    def value(self, expr):
        env = {s: np.asarray(complex(v)) for s, v in self.inst.symbols.items()}
        self.cells = 1
        out = np.asarray(self.ev(expr, env, 0))
        return complex(out.reshape(-1)[0]) if out.size else 0j

    # -- helpers -------------------------------------------------------------
    def real(self, expr, env, depth):
        return np.real(_lift(self.ev(expr, env, depth), depth))

    def ev(self, e, env, depth):
        if e.is_Number or e.is_NumberSymbol or e is sp.I:
            if e.is_infinite or e is sp.nan or e is sp.zoo:
                raise _Unsupported("an infinite value occurs outside a limit")
            return np.asarray(complex(e))
        if isinstance(e, Symbol):
            if e not in env:
                raise _Unsupported(f"the symbol {e} has no value")
            return _lift(env[e], depth)
        if isinstance(e, Add):
            total = 0
            for a in e.args:
                total = total + _lift(self.ev(a, env, depth), depth)
            return total
        if isinstance(e, Mul):
            total = 1
            for a in e.args:
                total = total * _lift(self.ev(a, env, depth), depth)
            return total
        if isinstance(e, Pow):
            base = _lift(self.ev(e.base, env, depth), depth).astype(complex)
            ex = e.exp
            if ex.is_Integer:
                with np.errstate(all="ignore"):
                    return base ** int(ex)
            expo = _lift(self.ev(ex, env, depth), depth)
            with np.errstate(all="ignore"):
                return np.power(base, expo)
        if isinstance(e, AppliedUndef):
            fn = self.inst.functions.get(e.func.__name__)
            if fn is None:
                raise _Unsupported(f"no instance for the function {e.func.__name__}")
            args = [np.real(_lift(self.ev(a, env, depth), depth)) for a in e.args]
            return _lift(np.asarray(fn(*args), dtype=complex), depth)
        if isinstance(e, Derivative):
            inner = e.expr
            if isinstance(inner, AppliedUndef) and all(isinstance(a, Symbol) for a in inner.args) \
                    and len(set(inner.args)) == len(inner.args):
                fn = self.inst.functions.get(inner.func.__name__)
                if not isinstance(fn, _Smooth):
                    raise _Unsupported(f"cannot differentiate the instance of {inner.func.__name__}")
                orders = [0] * len(inner.args)
                for v, k in e.variable_count:
                    if v not in inner.args:
                        return np.asarray(0j)
                    orders[inner.args.index(v)] += int(k)
                args = [np.real(_lift(self.ev(a, env, depth), depth)) for a in inner.args]
                return _lift(np.asarray(fn.derivative(orders)(*args), dtype=complex), depth)
            done = _bounded(lambda: e.doit(deep=False), 5)
            if done is None or done == e or (isinstance(done, Derivative) and done.expr == e.expr):
                raise _Unsupported("a derivative that could not be evaluated")
            return self.ev(done, env, depth)
        if isinstance(e, Subs):
            env2 = dict(env)
            for var, point in zip(e.variables, e.point):
                env2[var] = _lift(self.ev(point, env, depth), depth)
            return self.ev(e.expr, env2, depth)
        if isinstance(e, Sum):
            return self.sum(e, env, depth)
        if isinstance(e, Integral):
            return self.integral(e, env, depth)
        if isinstance(e, _Pairing):
            return self.ev(e.definition(), env, depth)
        if isinstance(e, KroneckerDelta):
            a = self.real(e.args[0], env, depth)
            b = self.real(e.args[1], env, depth)
            return (np.abs(a - b) < 1e-9).astype(complex)
        if isinstance(e, Heaviside):
            x = self.real(e.args[0], env, depth)
            h0 = 0.5
            if len(e.args) > 1 and e.args[1] is not None and e.args[1] != sp.nan:
                h0 = float(e.args[1])
            return np.where(x > 0, 1.0, np.where(x < 0, 0.0, h0)).astype(complex)
        if isinstance(e, Abs):
            return np.abs(_lift(self.ev(e.args[0], env, depth), depth)).astype(complex)
        if isinstance(e, (sp.Max, sp.Min)):
            vals = [self.real(a, env, depth) for a in e.args]
            op = np.maximum if isinstance(e, sp.Max) else np.minimum
            out = vals[0]
            for v in vals[1:]:
                out = op(out, v)
            return out.astype(complex)
        if isinstance(e, sp.Mod):
            a = self.real(e.args[0], env, depth)
            b = self.real(e.args[1], env, depth)
            return np.mod(a, b).astype(complex)
        if isinstance(e, Piecewise):
            result = None
            taken = None
            for expr_i, cond in e.args:
                c = self.cond(cond, env, depth)
                v = _lift(self.ev(expr_i, env, depth), depth)
                if result is None:
                    result, taken = np.where(c, v, np.nan), c
                else:
                    result = np.where(~taken & c, v, result)
                    taken = taken | c
            return result
        if isinstance(e, DiracDelta):
            raise _Unsupported("a Dirac delta cannot be evaluated pointwise")
        func = _NP_FUNCS.get(e.func)
        if func is not None and len(e.args) == 1:
            with np.errstate(all="ignore"):
                return np.asarray(func(_lift(self.ev(e.args[0], env, depth), depth)), dtype=complex)
        raise _Unsupported(f"cannot evaluate {type(e).__name__} numerically")

    def cond(self, c, env, depth):
        if c is S.true or c is True:
            return np.ones((1,) * depth, dtype=bool)
        if c is S.false or c is False:
            return np.zeros((1,) * depth, dtype=bool)
        if isinstance(c, sp.And):
            out = self.cond(c.args[0], env, depth)
            for a in c.args[1:]:
                out = out & self.cond(a, env, depth)
            return out
        if isinstance(c, sp.Or):
            out = self.cond(c.args[0], env, depth)
            for a in c.args[1:]:
                out = out | self.cond(a, env, depth)
            return out
        if isinstance(c, sp.Not):
            return ~self.cond(c.args[0], env, depth)
        if isinstance(c, sp.core.relational.Relational):
            a = self.real(c.lhs, env, depth)
            b = self.real(c.rhs, env, depth)
            ops = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal}
            if c.rel_op in ops:
                return ops[c.rel_op](a, b)
            if c.rel_op == "==":
                return np.abs(a - b) < 1e-12
            if c.rel_op == "!=":
                return np.abs(a - b) >= 1e-12
        raise _Unsupported(f"cannot evaluate the condition {c}")

    # -- ranges ---------------------------------------------------------------
    def support_range(self, body, var, env, depth):
        """(lo, hi) arrays outside of which ``body`` vanishes as a function of
        ``var`` (from the supports of the instances), or None if unbounded."""
        if isinstance(body, Add):
            ranges = [self.support_range(t, var, env, depth) for t in body.args
                      if var in t.free_symbols]
            if not ranges or any(r is None for r in ranges):
                return None
            return (np.minimum.reduce([r[0] for r in ranges]),
                    np.maximum.reduce([r[1] for r in ranges]))
        if isinstance(body, Mul):
            lo = hi = None
            for fac in body.args:
                r = self.support_range(fac, var, env, depth)
                if r is not None:
                    lo = r[0] if lo is None else np.maximum(lo, r[0])
                    hi = r[1] if hi is None else np.minimum(hi, r[1])
            return None if lo is None else (lo, hi)
        if isinstance(body, Pow) and body.exp.is_Integer and body.exp > 0:
            return self.support_range(body.base, var, env, depth)
        if isinstance(body, Heaviside):
            lin = _is_linear_in(body.args[0], var)
            if lin is None:
                return None
            a = self.real(lin[0], env, depth)
            if np.any(a == 0):
                return None
            edge = -self.real(lin[1], env, depth) / a
            edge, a = np.broadcast_arrays(edge, a)
            return np.where(a > 0, edge, -np.inf), np.where(a > 0, np.inf, edge)
        app, args = None, None
        if isinstance(body, AppliedUndef):
            app, args = body, body.args
        elif isinstance(body, Subs) and isinstance(body.expr, Derivative) \
                and isinstance(body.expr.expr, AppliedUndef):
            inner = body.expr.expr
            mapping = dict(zip(body.variables, body.point))
            app, args = inner, [a.xreplace(mapping) for a in inner.args]
        if app is None:
            return None
        fn = self.inst.functions.get(app.func.__name__)
        if fn is None:
            return None
        lo = hi = None
        for arg, (s_lo, s_hi) in zip(args, fn.support()):
            lin = _is_linear_in(arg, var)
            if lin is None:
                continue
            a = self.real(lin[0], env, depth)
            if np.any(a == 0):
                continue
            b = self.real(lin[1], env, depth)
            p, q = (s_lo - b) / a, (s_hi - b) / a
            r_lo, r_hi = np.minimum(p, q), np.maximum(p, q)
            lo = r_lo if lo is None else np.maximum(lo, r_lo)
            hi = r_hi if hi is None else np.minimum(hi, r_hi)
        return None if lo is None else (lo, hi)

    def limits(self, node, env, depth):
        """The outermost variable, its limits, the body inside it and its support."""
        var, lo, hi = _limit(node.limits[-1])
        body = node.function if len(node.limits) == 1 else node.func(node.function, *node.limits[:-1])
        if lo == oo or hi == -oo:
            if node.func is Sum:
                raise _Unsupported("a sum with reversed infinite limits")
            lo, hi = hi, lo  # an integral from +oo down: the negative of the usual one
            body = -body
        lo_v = None if lo == -oo else self.real(lo, env, depth)
        hi_v = None if hi == oo else self.real(hi, env, depth)
        sup = self.support_range(body, var, env, depth)
        return var, lo_v, hi_v, sup, body

    def sum(self, node, env, depth):
        var, lo_v, hi_v, sup, body = self.limits(node, env, depth)
        reach = float(self.default_reach)
        sign = 1.0
        if lo_v is not None and hi_v is not None:
            # SymPy's (Karr's) convention: sum_{a}^{b} = -sum_{b+1}^{a-1} when b < a - 1
            rev = hi_v < lo_v - 0.5
            sign = np.where(rev, -1.0, 1.0)
            lo_v, hi_v = np.where(rev, hi_v + 1, lo_v), np.where(rev, lo_v - 1, hi_v)
        lo_e = lo_v if lo_v is not None else np.full((1,) * depth, -np.inf)
        hi_e = hi_v if hi_v is not None else np.full((1,) * depth, np.inf)
        if sup is not None:
            lo_e = np.maximum(lo_e, sup[0])
            hi_e = np.minimum(hi_e, sup[1])
        cut_lo = not np.all(np.isfinite(lo_e))
        cut_hi = not np.all(np.isfinite(hi_e))
        lo_e = np.where(np.isfinite(lo_e), lo_e, -reach)
        hi_e = np.where(np.isfinite(hi_e), hi_e, reach)
        lo_e, hi_e = np.ceil(lo_e - 1e-9), np.floor(hi_e + 1e-9)
        kmin, kmax = int(np.min(lo_e)), int(np.max(hi_e))
        if kmax < kmin:
            return np.zeros((1,) * depth, dtype=complex)
        count = kmax - kmin + 1
        self.cells *= count
        if self.cells > _MAX_CELLS:
            raise _Unsupported("the sums are too large to evaluate")
        ks = np.arange(kmin, kmax + 1, dtype=float).reshape((1,) * depth + (count,))
        mask = (ks >= lo_e[..., None]) & (ks <= hi_e[..., None])
        env2 = dict(env)
        env2[var] = ks
        vals = _lift(self.ev(body, env2, depth + 1), depth + 1)
        if (cut_lo or cut_hi) and count > 1:
            masked = np.abs(np.where(mask, vals, 0))
            scale = max(1e-300, float(np.max(masked)))
            ends = ([masked[..., 0]] if cut_lo else []) + ([masked[..., -1]] if cut_hi else [])
            if any(float(np.max(e)) > 1e-12 * scale for e in ends):
                raise _Unsupported("a sum over an infinite range whose terms do not vanish far out "
                                   f"(truncated at |index| = {int(reach)})")
        out = np.sum(np.where(mask, vals, 0), axis=-1) * sign
        self.cells //= count
        return out

    def breakpoints(self, body, var, env, depth):
        pts = []
        inner = _bound_vars(body)
        for atom in body.atoms(Heaviside, Abs, sp.sign, sp.Max, sp.Min, sp.floor, sp.ceiling):
            if var not in atom.free_symbols or atom.free_symbols & inner:
                continue
            args = [atom.args[0]] if not isinstance(atom, (sp.Max, sp.Min)) else \
                [a - b for a in atom.args for b in atom.args if a != b]
            for arg in args:
                lin = _is_linear_in(arg, var)
                a = None if lin is None else self.real(lin[0], env, depth)
                if a is None or np.any(a == 0):
                    if isinstance(atom, (sp.floor, sp.ceiling)):
                        raise _Unsupported("a floor/ceiling of the integration variable")
                    continue
                pts.append(-self.real(lin[1], env, depth) / a)
        return pts

    def integral(self, node, env, depth):
        var, lo_v, hi_v, sup, body = self.limits(node, env, depth)
        if body.has(DiracDelta):
            raise _Unsupported("a Dirac delta under an integral that was not sifted")
        sign = 1.0
        if lo_v is not None and hi_v is not None:
            flip = hi_v < lo_v
            sign = np.where(flip, -1.0, 1.0)
            lo_v, hi_v = np.minimum(lo_v, hi_v), np.maximum(lo_v, hi_v)
        reach = 40.0 * self.refine
        a = lo_v if lo_v is not None else (sup[0] if sup is not None else None)
        b = hi_v if hi_v is not None else (sup[1] if sup is not None else None)
        if sup is not None:
            a = sup[0] if a is None else np.maximum(a, sup[0])
            b = sup[1] if b is None else np.minimum(b, sup[1])
        # no known support on a side: truncate, then check that the integrand decays there
        cut = 30.0 * self.refine
        cut_lo = a is None or not np.all(np.isfinite(a))
        cut_hi = b is None or not np.all(np.isfinite(b))
        if cut_lo:
            a = np.full((1,) * depth, -cut) if a is None else np.where(np.isfinite(a), a, -cut)
        if cut_hi:
            b = np.full((1,) * depth, cut) if b is None else np.where(np.isfinite(b), b, cut)
        a, b = np.broadcast_arrays(_lift(a, depth), _lift(b, depth))
        b = np.maximum(a, b)
        if np.max(b - a) > reach * 10:
            raise _Unsupported("an integration range too long to evaluate")
        pts = [np.clip(_lift(p, depth), a, b) for p in self.breakpoints(body, var, env, depth)]
        edges = np.sort(np.stack(np.broadcast_arrays(a, *pts, b), axis=-1), axis=-1)
        nseg = edges.shape[-1] - 1
        length = float(np.max(edges[..., -1] - edges[..., 0])) if edges.size else 0.0
        m = int(min(704, max(24, math.ceil((7 * length + 16) * self.refine))))
        m = -(-m // 16) * 16  # a few sizes only, so the cached rules are reused
        x, w = _gauss_legendre(m)
        lo_e, hi_e = edges[..., :-1], edges[..., 1:]                 # (..., nseg)
        half = (hi_e - lo_e) / 2
        nodes = (lo_e + half)[..., None] + half[..., None] * x        # (..., nseg, m)
        weights = half[..., None] * w
        shape = nodes.shape[:-2] + (nseg * m,)
        nodes, weights = nodes.reshape(shape), weights.reshape(shape)
        self.cells *= nseg * m
        if self.cells > _MAX_CELLS:
            raise _Unsupported("the integrals are too large to evaluate")
        env2 = dict(env)
        env2[var] = nodes
        vals = _lift(self.ev(body, env2, depth + 1), depth + 1)
        if cut_lo or cut_hi:
            scale = max(1e-300, float(np.max(np.abs(vals))))
            ends = ([vals[..., 0]] if cut_lo else []) + ([vals[..., -1]] if cut_hi else [])
            if any(float(np.max(np.abs(e))) > 1e-13 * scale for e in ends):
                raise _Unsupported("an integral over an infinite range whose integrand does not "
                                   "visibly decay")
        out = np.sum(vals * weights, axis=-1) * sign
        self.cells //= nseg * m
        return out


def _undefined_functions(*exprs):
    """{name: arity} of every undefined function applied in the expressions."""
    out = {}
    for e in exprs:
        for app in e.atoms(AppliedUndef):
            out[app.func.__name__] = max(out.get(app.func.__name__, 0), len(app.args))
    return out


def _detect_kind(*exprs):
    """'discrete' when every argument of every undefined function is an integer (or,
    without undefined functions, when every free symbol is an integer)."""
    exprs = [_expand_notation(e) for e in exprs]
    args = [a for e in exprs for app in e.atoms(AppliedUndef) for a in app.args]
    if args:
        return "discrete" if all(a.is_integer for a in args) else "continuous"
    syms = set().union(*(e.free_symbols for e in exprs))
    return "discrete" if syms and all(s.is_integer for s in syms) else "continuous"


def _prepare_numeric(expr):
    """Notation expanded, derivatives pushed inside (chain rule), deltas sifted."""
    expr = _expand_notation(expr)
    if expr.has(Derivative):
        def push(d):
            done = _bounded(lambda: d.doit(deep=False), 5)
            return d if done is None else done
        expr = expr.replace(lambda e: isinstance(e, Derivative) and not (
            isinstance(e.expr, AppliedUndef) and all(isinstance(a, Symbol) for a in e.expr.args)), push)
    if expr.has(DiracDelta):
        canon = _bounded(lambda: _Canon(_Trace(), time.monotonic() + 10)(expr), 10)
        if canon is not None:
            expr = canon
    return expr


def _close(x, y, rtol):
    return abs(x - y) <= rtol * max(1.0, abs(x), abs(y))


def _numeric_check(a, b, kind, seed, instances):
    """StepCheck from random instances, or None when nothing could be evaluated."""
    try:
        a = _prepare_numeric(a)
        b = _prepare_numeric(b)
    except Exception as exc:  # pragma: no cover - defensive
        return StepCheck("unverified", f"could not prepare the step for evaluation: {exc}")
    funcs = _undefined_functions(a, b)
    kind = kind or _detect_kind(a, b)
    symbols = sorted(a.free_symbols | b.free_symbols, key=str)
    discrete = kind == "discrete"
    if instances is None:
        instances = 6 if discrete else 3
    rtol = 1e-9 if discrete else 1e-7
    rng = np.random.default_rng(seed)
    done = 0
    attempts = 0
    last_error = None
    while done < instances and attempts < 3 * instances:
        attempts += 1
        inst_seed = int(rng.integers(0, 2**31 - 1))
        irng = np.random.default_rng(inst_seed)
        values = {s: _random_value(irng, s) for s in symbols}
        fns = {name: (_random_sequence(irng, name, ar) if discrete else _random_smooth(irng, name, ar))
               for name, ar in sorted(funcs.items())}
        inst = _Instance(values, fns, inst_seed)
        try:
            with np.errstate(all="ignore"):
                lhs = _Evaluator(inst).value(a)
                rhs = _Evaluator(inst).value(b)
        except _Unsupported as exc:
            return StepCheck("unverified", f"not decided symbolically, and not testable numerically: {exc}",
                             method="numeric")
        except (ArithmeticError, ValueError, TypeError, IndexError, KeyError, AttributeError) as exc:
            last_error = exc
            continue
        if not (np.isfinite(lhs) and np.isfinite(rhs)):
            continue
        if not _close(lhs, rhs, rtol):
            # make sure it is not a resolution artefact before calling it refuted
            try:
                with np.errstate(all="ignore"):
                    lhs2 = _Evaluator(inst, refine=2).value(a)
                    rhs2 = _Evaluator(inst, refine=2).value(b)
            except (_Unsupported, ValueError, TypeError, ZeroDivisionError):
                lhs2, rhs2 = lhs, rhs
            stable = _close(lhs, lhs2, rtol * 10) and _close(rhs, rhs2, rtol * 10)
            if stable and not _close(lhs2, rhs2, rtol):
                return StepCheck("refuted", "the two sides differ on a concrete instance "
                                 f"(seed {inst_seed}, relative tolerance {rtol:g})",
                                 inst.counterexample(_py_number(lhs), _py_number(rhs)), "numeric")
            return StepCheck("unverified", "the numeric evaluation is not stable enough to decide "
                             f"(values {_fmt_number(lhs)} vs {_fmt_number(rhs)})", method="numeric")
        done += 1
    if done == 0:
        why = f" ({last_error})" if last_error else ""
        return StepCheck("unverified", "no random instance could be evaluated" + why, method="numeric")
    what = []
    if funcs:
        kind_text = ("random finite integer sequences" if discrete else
                     "random smooth rapidly decaying functions (Gaussian x linear, Gauss-Legendre quadrature)")
        what.append(f"{', '.join(sorted(funcs))}: {kind_text}")
    if symbols:
        what.append(f"{', '.join(map(str, symbols))}: random values")
    detail = f" ({'; '.join(what)})" if what else ""
    return StepCheck("confirmed", f"confirmed numerically on {done} random instance(s){detail}, "
                     f"relative tolerance {rtol:g}", method="numeric")


def _py_number(z):
    z = complex(z)
    if abs(z.imag) <= 1e-12 * max(1.0, abs(z.real)):
        r = z.real
        return int(round(r)) if abs(r - round(r)) < 1e-9 and abs(r) < 1e15 else r
    return z


def _rules_text(ta, tb):
    rules = [r for r in ta.rules if r not in tb.rules] + [r for r in tb.rules if r not in ta.rules]
    if not rules:
        rules = ta.rules or tb.rules
    return ", ".join(rules)


class _Symbolic:
    """The symbolic side of a step check, in two phases: ``quick`` (definitions,
    SymPy on expressions without sums/integrals, normal forms) and ``deep``
    (search over changes of variables, SymPy's ``doit``). The checker runs the
    numeric test in between, so a wrong step is refuted without the deep phase."""

    def __init__(self, a, b, seconds, justification=None, kind=None):
        self.seconds = seconds
        self.justification = justification
        self.kind = kind
        self.a2, self.b2 = _expand_notation(a), _expand_notation(b)
        kinds = sorted({t.func.__name__.lower() for e in (a, b) for t in e.atoms(_Pairing)})
        self.prefix = ("definition of " + " and ".join(kinds) + "; ") if kinds else ""
        self.has_nests = self.a2.has(*_NESTS) or self.b2.has(*_NESTS)
        self.ca = self.cb = None

    def quick(self):
        a2, b2, prefix = self.a2, self.b2, self.prefix
        deadline = time.monotonic() + self.seconds
        if a2 == b2:
            return StepCheck("proven", prefix.rstrip("; ") + " reproduces the next line", method="rule")
        if not self.has_nests and _is_zero(a2 - b2, max(0.5, self.seconds / 2)):
            return StepCheck("proven", prefix + "SymPy: simplify(left - right) == 0", method="sympy")
        ta, tb = _Trace(), _Trace()
        limit = _time_limit(max(0.1, deadline - time.monotonic()))
        try:
            with limit:
                self.ca = _Canon(ta, deadline)(a2)
                self.cb = _Canon(tb, deadline)(b2)
        except TimeLimitExceeded as exc:
            if exc.limit is not limit:
                raise
            self.ca = self.cb = None
            return None
        except (_Overdue, Exception):
            self.ca = self.cb = None
            return None
        per = max(0.3, min(2.0, deadline - time.monotonic()))
        if _canon_equal(self.ca, self.cb, per, ta):
            rules = _rules_text(ta, tb)
            text = (f"both sides agree after {rules}" if rules else
                    "both sides agree after expansion and renaming of bound variables")
            return StepCheck("proven", prefix + text, method="rule" if rules else "sympy")
        return None

    def finite(self):
        """Write out sums with numeric limits and evaluate integrals with numeric limits
        (bounded: :data:`_FINITE_TERMS`, the time limit), then compare: a sum of one term
        that disappears, or a short sum written out by hand, is proven here."""
        if not self.has_nests:
            return None
        deadline = time.monotonic() + self.seconds
        a3, b3 = _write_out(self.a2, deadline), _write_out(self.b2, deadline)
        if a3 is None and b3 is None:
            return None
        a3 = self.a2 if a3 is None else a3
        b3 = self.b2 if b3 is None else b3
        what = (self.prefix + "sums and integrals with numeric limits evaluated term by term "
                "(doit); then ")
        if a3 == b3:
            return StepCheck("proven", what + "both sides are identical", method="sympy")
        if _is_zero(a3 - b3, max(0.5, deadline - time.monotonic())):
            return StepCheck("proven", what + "SymPy: simplify(left - right) == 0",
                             method="sympy")
        return None

    def deep(self):
        a2, b2, prefix = self.a2, self.b2, self.prefix
        deadline = time.monotonic() + self.seconds
        if self.ca is not None and self.has_nests and self.justification:
            found = _bounded(lambda: self.stated(deadline), max(0.1, deadline - time.monotonic()))
            if found is not None:
                return StepCheck("proven", prefix + found, method="rule")
        if self.ca is not None and self.has_nests:
            found = _bounded(lambda: _search_substitutions(
                _distribute(a2), self.cb, _distribute(b2), self.ca, deadline),
                max(0.1, deadline - time.monotonic()))
            if found is not None:
                return StepCheck("proven", prefix + found, method="rule")
        piecewise = (Heaviside, sp.Min, sp.Max, sp.floor, sp.ceiling, sp.Mod, Piecewise)
        if not (a2.atoms(AppliedUndef) or b2.atoms(AppliedUndef)) and self.has_nests \
                and not (a2.has(*piecewise) or b2.has(*piecewise)) and time.monotonic() < deadline:
            left = deadline - time.monotonic()
            ad = _bounded(lambda: a2.doit(), left / 2)
            bd = _bounded(lambda: b2.doit(), left / 2)
            if ad is not None and bd is not None and not (ad.has(*_NESTS) and bd.has(*_NESTS)) \
                    and _is_zero(ad - bd, max(0.5, deadline - time.monotonic())):
                return StepCheck("proven", prefix + "SymPy evaluated both sides to the same closed form",
                                 method="sympy")
        return None


    def stated(self, deadline):
        """Apply the change(s) of variables stated in the justification, then compare."""
        subs = _stated_substitutions(self.justification, self.a2, self.b2, self.kind)
        if not subs:
            return None
        expr = _distribute(self.a2)
        done = []
        for var, phi, W in subs:
            nodes = [n for n, v, _ in _nest_nodes(expr) if v == var]
            if not nodes:
                return None
            for node in nodes:
                current = [n for n, v, _ in _nest_nodes(expr) if v == var]
                if not current:
                    break
                sub = _Substitution(current[0], var, phi, W)
                expr = sub.apply(expr)
            done.append(_Substitution(nodes[0], var, phi, W).describe())
        c = _Canon(_Trace(), deadline)(expr)
        if _canon_equal(c, self.cb, max(0.3, deadline - time.monotonic())):
            return "; ".join(done) + ", as stated"
        return None


_STATED = re.compile(r"([^\s=,;:()]+)\s*(?:=|->|→|↦)\s*([^,;]+)")


def _stated_substitutions(text, a, b, kind):
    """[(old bound variable of a, phi(W), W)] read from 'substitute k = n - m' and the like.

    Either side may name the old variable: ``k = n - m`` (old in terms of new) or
    ``m = n - k`` (new in terms of old, solved for the old one). Text that does not
    parse is ignored (a justification is free text)."""
    from symconv.parsing import parse_math

    bound_a = {v.name: v for v in _bound_vars(a)}
    bound_b = {v.name: v for v in _bound_vars(b)}
    known = {s.name: s for s in (a.atoms(Symbol) | b.atoms(Symbol))}
    out = []
    for m in _STATED.finditer(text):
        left, right = m.group(1), m.group(2).strip()
        right = re.split(r"\s+(?:in|and|so|then|since|because|where|for)\b", right)[0]
        try:
            lhs = parse_math(left, discrete=(kind == "discrete"), symbols=known)
            rhs = parse_math(right, discrete=(kind == "discrete"), symbols=known)
        except SymconvError:
            continue
        if not isinstance(lhs, Symbol) or not isinstance(rhs, Expr):
            continue
        if lhs.name in bound_a and not (rhs.free_symbols & {bound_a[lhs.name]}):
            var = bound_a[lhs.name]
            news = [s for s in rhs.free_symbols if s.name in bound_b or s.name not in known]
            if len(news) > 1:
                # an outer bound variable (tau in t = u + tau) is a constant here: the new
                # variable is the one bound only on the right
                news = [s for s in news if s.name not in bound_a]
            if len(news) != 1:
                continue
            W = news[0]
            if W.name in bound_b:
                W = bound_b[W.name]
            phi = rhs.xreplace({news[0]: W})
        elif lhs.name not in bound_a or lhs.name in bound_b:
            olds = [s for s in rhs.free_symbols if s.name in bound_a]
            if len(olds) != 1:
                continue
            var = bound_a[olds[0].name]
            W = bound_b.get(lhs.name, lhs)
            lin = _is_linear_in(rhs.xreplace({olds[0]: var}) - W, var)
            if lin is None or lin[0] == 0:
                continue
            phi = sp.expand(-lin[1] / lin[0])
        else:
            continue
        lin_w = _is_linear_in(phi, W)
        if lin_w is None:
            continue
        if a.has(Sum) and var.is_integer and lin_w[0] not in (1, -1):
            continue
        out.append((var, phi, W))
    return out


def _symbolic_check(a, b, seconds):
    """StepCheck('proven', ...) when SymPy or a mechanical rule shows a == b, else None."""
    sym = _Symbolic(a, b, seconds)
    return sym.quick() or sym.finite() or sym.deep()


def _search_substitutions(a, cb, b, ca, deadline, depth=2):
    """Breadth-first search over changes of variables turning a into b (or b into a)."""
    out_of_time, failed = object(), object()
    tried = 0

    def attempt(compute):
        """``compute()`` within what is left of the deadline (at most 121 attempts in
        all): its value, ``failed`` when SymPy raised, ``out_of_time`` otherwise (an
        enclosing limit that runs out meanwhile is not ours: it propagates)."""
        nonlocal tried
        if time.monotonic() > deadline or tried > 120:
            return out_of_time
        tried += 1
        limit = _time_limit(max(0.05, deadline - time.monotonic()))
        try:
            with limit:
                return compute()
        except TimeLimitExceeded as exc:
            if exc.limit is not limit:
                raise
            return out_of_time
        except _Overdue:
            return out_of_time
        except Exception:
            return failed

    def canon_of(e):
        return _Canon(_Trace(), deadline)(e)

    def moved_left(sub, expr):
        moved = sub.apply(expr)
        return moved, _canon_equal(canon_of(moved), cb, 1.0)

    frontier = [(a, [])]
    for level in range(depth):
        new_frontier = []
        for expr, path in frontier:
            for sub in _substitutions(expr, b):
                got = attempt(lambda: moved_left(sub, expr))
                if got is out_of_time:
                    return None
                if got is failed:
                    continue
                moved, same = got
                steps = path + [sub.describe()]
                if same:
                    return "; then ".join(steps)
                new_frontier.append((moved, steps))
        if level == 0:
            # the other direction: a change of variables in the right-hand side
            for sub in _substitutions(b, a):
                same = attempt(lambda: _canon_equal(ca, canon_of(sub.apply(b)), 1.0))
                if same is out_of_time:
                    return None
                if same is not failed and same:
                    return sub.describe() + " in the right-hand side"
        frontier = new_frontier[:30]
    return None


def _check_scalar(a, b, kind, seed, instances, numeric, seconds, justification=None):
    if a == b:
        return StepCheck("proven", "the two lines are identical", method="identical")
    sym = _Symbolic(a, b, seconds, justification, kind or _detect_kind(a, b))
    result = sym.quick() or sym.finite()
    if result is not None:
        return result
    if not numeric:
        return sym.deep() or StepCheck("unverified", "not decided symbolically (numeric check disabled)")
    kind = kind or _detect_kind(a, b)
    if kind == "continuous":
        # quadrature costs more than the search over changes of variables: screen with
        # one instance, then search, then confirm on the full set of instances
        screen = _numeric_check(a, b, kind, seed, 1)
        if screen.status == "refuted":
            return screen
        return sym.deep() or _numeric_check(a, b, kind, seed, instances)
    tested = _numeric_check(a, b, kind, seed, instances)
    if tested.status == "refuted":
        return tested
    return sym.deep() or tested


def check_step(before, after, *, kind=None, seed=0, instances=None, numeric=True, time_limit=4.0,
               justification=None):
    """Decide whether ``before == after``; returns a :class:`StepCheck`.

    Parameters
    ----------
    before, after : sympy objects
        Expressions, equations (``Eq``) or matrices of the same shape.
    kind : {'discrete', 'continuous'}, optional
        How undefined functions are instantiated for the numeric check; by default
        discrete when every argument of every undefined function is an integer.
    seed : int
        Seed of the random instances (the check is reproducible).
    instances : int, optional
        Number of random instances (default 6 discrete, 3 continuous).
    numeric : bool
        Whether to fall back to random instances when SymPy cannot decide.
    time_limit : float
        Seconds allowed for each phase of the symbolic part.
    justification : str, optional
        A stated change of variables (``"substitute k = n - m"``, ``"u = tau + 1"``,
        several separated by commas) is tried first.

    Examples
    --------
    >>> from sympy import symbols
    >>> x = symbols('x')
    >>> check_step((x + 1)**2, x**2 + 2*x + 1).status
    'proven'
    >>> check_step((x + 1)**2, x**2 + 1).status
    'refuted'
    """
    kind = _check_kind(kind)
    _check_options(seed, instances, time_limit)
    before = _as_sympy(before, "before")
    after = _as_sympy(after, "after")
    if isinstance(before, MatrixBase) or isinstance(after, MatrixBase):
        return _check_matrix(before, after, kind, seed, instances, numeric, time_limit, justification)
    if isinstance(before, Eq) or isinstance(after, Eq):
        return _check_equations(before, after, kind, seed, instances, numeric, time_limit)
    if isinstance(before, sp.Basic) and not isinstance(before, Expr) or \
            isinstance(after, sp.Basic) and not isinstance(after, Expr):
        if before == after:
            return StepCheck("proven", "the two lines are identical", method="identical")
        return StepCheck("unverified", f"cannot compare {type(before).__name__} with "
                         f"{type(after).__name__}")
    return _check_scalar(before, after, kind, seed, instances, numeric, time_limit, justification)


def _check_options(seed, instances, time_limit):
    from symconv._util.validate import as_int

    as_int(seed, "seed")
    if instances is not None:
        as_int(instances, "instances", minimum=1)
    if isinstance(time_limit, bool) or not isinstance(time_limit, (int, float)) or not time_limit > 0:
        raise SymconvError(f"time_limit must be a positive number of seconds, but got {time_limit!r}")


def _check_kind(kind):
    if kind is None:
        return None
    if kind == "2d":
        return "discrete"
    if kind not in _KINDS:
        raise SymconvError(f"kind must be one of 'continuous', 'discrete', '2d', but got {kind!r}")
    return kind


def _as_sympy(value, what):
    if isinstance(value, (sp.Basic, MatrixBase)):
        return value
    if isinstance(value, str):
        raise SymconvError(f"{what} must be a SymPy object (parse text with Derivation or "
                           f"check_proof), but got the string {value!r}")
    try:
        return sp.sympify(value, strict=True)
    except sp.SympifyError:
        raise SymconvError(f"{what} must be a SymPy expression, but got {value!r}") from None


def _check_matrix(a, b, kind, seed, instances, numeric, seconds, justification=None):
    if not (isinstance(a, MatrixBase) and isinstance(b, MatrixBase)):
        return StepCheck("refuted", "a matrix cannot equal a scalar", method="identical")
    if a.shape != b.shape:
        return StepCheck("refuted", f"the shapes differ: {a.shape} vs {b.shape}", method="identical")
    statuses = []
    for idx, (x, y) in enumerate(zip(a, b)):
        res = _check_scalar(sp.sympify(x), sp.sympify(y), kind, seed + idx, instances, numeric,
                            max(0.5, seconds / max(1, len(a))), justification)
        if res.status in ("refuted", "unverified"):
            row, col = divmod(idx, a.shape[1])
            return StepCheck(res.status, f"entry ({row}, {col}): {res.reason}", res.counterexample,
                             res.method)
        statuses.append(res)
    if all(s.status == "proven" for s in statuses):
        return StepCheck("proven", "every entry agrees (" + statuses[0].reason + ")"
                         if statuses else "empty matrices", method="sympy")
    return StepCheck("confirmed", "every entry agrees; some only numerically: "
                     + next(s.reason for s in statuses if s.status == "confirmed"), method="numeric")


def _check_equations(a, b, kind, seed, instances, numeric, seconds):
    if not (isinstance(a, Eq) and isinstance(b, Eq)):
        return StepCheck("refuted", "a step must relate two expressions or two equations, "
                         "not an equation and an expression", method="identical")
    da, db = a.lhs - a.rhs, b.lhs - b.rhs
    for sign in (1, -1):
        res = _symbolic_check(da, sign * db, seconds / 2)
        if res is not None:
            return StepCheck("proven", "the equations are the same up to moving terms across "
                             f"(left - right agree: {res.reason})", method=res.method)
    if a.lhs == b.lhs:
        res = _check_scalar(a.rhs, b.rhs, kind, seed, instances, numeric, seconds)
        return StepCheck(res.status, "right-hand sides: " + res.reason, res.counterexample, res.method)
    if a.rhs == b.rhs:
        res = _check_scalar(a.lhs, b.lhs, kind, seed, instances, numeric, seconds)
        return StepCheck(res.status, "left-hand sides: " + res.reason, res.counterexample, res.method)
    return StepCheck("unverified", "the equivalence of these two equations could not be decided")


# ---------------------------------------------------------------------------
# derivations
# ---------------------------------------------------------------------------

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
        name = f"symconvpairing{len(mapping)}"
        mapping[name] = (cls, first, second)
        return name

    return _PAIRING_TEXT.sub(sub, text), mapping


def _parse(text, kind, functions, symbols):
    """parse_math with the convolution notation and real symbols for the continuous kind."""
    from symconv.parsing import parse_math

    functions = tuple(functions)
    text, mapping = _pairing_placeholders(text, functions)
    expr = parse_math(text, discrete=(kind == "discrete"), functions=functions + tuple(mapping),
                      symbols=symbols)
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


class Derivation:
    r"""An immutable chain of equal expressions, each step with a justification.

    Parameters
    ----------
    steps : sequence
        ``steps[0]`` is the starting expression; every later item is a
        :class:`Step`, a pair ``(expression, justification)`` (justification may be
        None) or a bare expression. Expressions are SymPy objects or strings;
        strings are parsed safely with :func:`symconv.parsing.parse_math`.
    title : str, optional
    kind : {'continuous', 'discrete', '2d'}, optional
        How strings are parsed (integer symbols for 'discrete'/'2d') and how
        undefined functions are instantiated in numeric checks (detected from the
        expressions when omitted).
    functions : tuple of str
        Names that strings treat as undefined functions.
    symbols : dict, optional
        Ready-made SymPy symbols for names in strings (to carry assumptions).

    Examples
    --------
    >>> from sympy import symbols
    >>> x = symbols('x')
    >>> d = Derivation([(x + 1)**2, (x**2 + 2*x + 1, "expand the square")], title="square")
    >>> d
    Derivation('square', 2 expressions)
    >>> print(d)
    square
        (x + 1)**2
      = x**2 + 2*x + 1    [expand the square]
    >>> print(d.latex())
    \begin{align*}
      & \left(x + 1\right)^{2} \\
      &= x^{2} + 2 x + 1 && \text{expand the square}
    \end{align*}
    """

    __slots__ = ("_steps", "_title", "_kind")

    def __init__(self, steps, title=None, *, kind=None, functions=("f", "g", "h"), symbols=None):
        if isinstance(steps, (str, sp.Basic)) or not hasattr(steps, "__iter__"):
            raise SymconvError("steps must be a sequence whose first item is the starting expression, "
                               f"but got {type(steps).__name__}")
        items = list(steps)
        if not items:
            raise SymconvError("steps must contain at least the starting expression, but got []")
        if title is not None and not isinstance(title, str):
            raise SymconvError(f"title must be a str or None, but got {type(title).__name__}")
        kind_n = _check_kind(kind)
        parse_kind = kind_n or "continuous"
        converted = []
        for i, item in enumerate(items):
            if isinstance(item, Step):
                step = item
            elif isinstance(item, (tuple, list)) and len(item) == 2 and i > 0:
                step = Step(item[0], item[1])
            elif isinstance(item, (tuple, list)) and i == 0 and len(item) == 2 \
                    and (item[1] is None or isinstance(item[1], str)):
                step = Step(item[0], item[1])
            else:
                step = Step(item)
            expr = step.expression
            if isinstance(expr, str):
                try:
                    expr = _parse(expr, parse_kind, functions, symbols)
                except ParseError as exc:
                    raise ParseError(f"step {i} could not be parsed: {exc}", exc.position) from None
            else:
                expr = _as_sympy(expr, f"step {i}")
            if isinstance(expr, (list, tuple)):
                raise SymconvError(f"step {i} must be one expression or equation, but got {expr!r}")
            converted.append(Step(expr, step.justification, step.verify))
        object.__setattr__(self, "_steps", tuple(converted))
        object.__setattr__(self, "_title", title)
        object.__setattr__(self, "_kind", kind)

    def __setattr__(self, name, value):
        raise AttributeError("a Derivation is immutable; use .then(...) to extend it")

    # -- read-only views --------------------------------------------------------
    @property
    def steps(self):
        """Tuple of :class:`Step` (the first one is the starting expression)."""
        return self._steps

    @property
    def expressions(self):
        """Tuple of the expressions of the chain."""
        return tuple(s.expression for s in self._steps)

    @property
    def justifications(self):
        """Tuple of the justifications of steps 1, 2, ... (None where absent)."""
        return tuple(s.justification for s in self._steps[1:])

    @property
    def title(self):
        return self._title

    @property
    def kind(self):
        return self._kind

    @property
    def start(self):
        return self._steps[0].expression

    @property
    def result(self):
        return self._steps[-1].expression

    def __len__(self):
        return len(self._steps)

    def __iter__(self):
        return iter(self._steps)

    def __eq__(self, other):
        return isinstance(other, Derivation) and (self._steps, self._title) == (other._steps, other._title)

    def __hash__(self):
        return hash((self._steps, self._title))

    def then(self, expression, justification=None, verify=None):
        """A new derivation with one more step (this one is unchanged)."""
        d = Derivation(list(self._steps) + [Step(expression, justification, verify)],
                       self._title, kind=self._kind)
        return d

    # -- checking ---------------------------------------------------------------
    def check(self, *, seed=0, instances=None, numeric=True, time_limit=4.0):
        """Verify every step; returns a :class:`ProofReport`.

        Parameters
        ----------
        seed : int
            Seed of the random instances used by numeric confirmation (each step
            uses ``seed + step index``), so a check is reproducible.
        instances : int, optional
            Random instances per numerically checked step (default 6 for discrete,
            3 for continuous).
        numeric : bool
            Fall back to random instances when SymPy cannot decide a step.
        time_limit : float
            Seconds allowed for the symbolic part of each step.
        """
        kind = _check_kind(self._kind)
        _check_options(seed, instances, time_limit)
        reports = []
        exprs = self.expressions
        for i in range(1, len(self._steps)):
            step = self._steps[i]
            t0 = time.perf_counter()
            if step.verify is not None:
                result = _run_custom(step.verify)
            else:
                result = _guarded_check(exprs[i - 1], exprs[i], kind=kind, seed=seed + i,
                                        instances=instances, numeric=numeric, time_limit=time_limit,
                                        justification=step.justification)
            reports.append(StepReport(i, exprs[i - 1], exprs[i], step.justification, result.status,
                                      result.reason, result.counterexample, result.method,
                                      time.perf_counter() - t0))
        return ProofReport(self._title, exprs, tuple(reports))

    # -- display ------------------------------------------------------------------
    def latex(self):
        r"""The chain as an ``align*`` block, justifications as ``\text{}`` on the right."""
        return _align(self.expressions, list(self.justifications))

    def _repr_latex_(self):
        from symconv.latex import escape_text

        return "$$" + _aligned(self.expressions, [
            r"\text{" + escape_text(j) + "}" if j else "" for j in self.justifications]) + "$$"

    def __str__(self):
        lines = [self._title] if self._title else []
        width = max(len(_short(e, 120)) for e in self.expressions)
        for i, step in enumerate(self._steps):
            text = _short(step.expression, 120)
            if i == 0:
                lines.append(f"    {text}")
            else:
                tail = f"    [{step.justification}]" if step.justification else ""
                lines.append(f"  = {text.ljust(width)}{tail}".rstrip())
        return "\n".join(lines)

    def __repr__(self):
        return f"Derivation({self._title!r}, {len(self._steps)} expressions)"


def _guarded_check(before, after, **options):
    """check_step, turning any failure of the checker itself into an 'unverified' step
    (a report is always produced; nothing a user typed can crash it)."""
    try:
        return check_step(before, after, **options)
    except SymconvError as exc:
        return StepCheck("unverified", str(exc))
    except _Overdue:
        return StepCheck("unverified", "the check ran out of time")
    except RecursionError:
        return StepCheck("unverified", "the expressions are nested too deeply to check")
    except Exception as exc:  # a failure of SymPy or of the checker: say so, do not crash
        return StepCheck("unverified", f"the checker failed on this step ({type(exc).__name__}: {exc})")


def _run_custom(verify):
    try:
        result = verify()
    except SymconvError as exc:
        return StepCheck("unverified", f"the step's own check failed: {exc}", method="custom")
    if not isinstance(result, StepCheck):
        return StepCheck("unverified", "the step's own check must return a StepCheck, "
                         f"but returned {type(result).__name__}", method="custom")
    if not result.method:
        result = StepCheck(result.status, result.reason, result.counterexample, "custom")
    return result


# ---------------------------------------------------------------------------
# checking a proof typed as text
# ---------------------------------------------------------------------------

def _split_comment(line):
    """(formula, justification or None): the first '#' not escaped by a backslash."""
    for i, ch in enumerate(line):
        if ch == "#" and (i == 0 or line[i - 1] != "\\"):
            just = line[i + 1:].strip()
            return line[:i].strip(), (just or None)
    return line.strip(), None


def check_proof(lines, kind="discrete", functions=("f", "g"), symbols=None, *, seed=0,
                instances=None, time_limit=4.0, total_time_limit=None):
    r"""Check a proof written as text, one expression a line.

    Each line is an expression (SymPy syntax such as ``sum(f(k)*g(n - k), (k, -oo, oo))``,
    or LaTeX) optionally followed by ``# justification``; a leading ``=`` is
    ignored, and a line ``A = B`` contributes both ``A`` and ``B`` to the chain.
    Lines are parsed by :func:`symconv.parsing.parse_math` (never evaluated as
    code): undeclared names are symbols (integer symbols for the discrete kind),
    names in ``functions`` are undefined functions. A line that does not parse is
    reported as a refuted step and the next line is compared with the last line
    that did parse.

    Parameters
    ----------
    lines : str or sequence of str
        The proof (a string is split into lines; blank lines and lines starting
        with ``#`` are skipped).
    kind : {'discrete', 'continuous'}
    functions : tuple of str
    symbols : dict, optional
        Names mapped to ready-made SymPy symbols (to carry assumptions).
    seed, instances, time_limit
        As in :meth:`Derivation.check` (``time_limit`` bounds each step).
    total_time_limit : float, optional
        Seconds for the whole proof: each step gets at most what is left, and the
        steps after the budget is spent are reported 'unverified' without being
        checked (default: no overall limit).

    Returns
    -------
    ProofReport
        Same type as :meth:`Derivation.check`; ``report.first_failure.reason``
        explains the first step that is not proven or confirmed.

    Notes
    -----
    Symbols range over all integers (discrete) or all reals (continuous) unless
    ``symbols`` says otherwise, and a sum whose upper limit is below its lower
    limit follows SymPy's convention (``sum_{k=a}^{b} = -sum_{k=b+1}^{a-1}``). A
    statement meant for ``n >= 0`` only, such as ``sum(k, (k, 0, n)) = n(n+1)/2``
    with absolute values, should declare it:
    ``symbols={'n': Symbol('n', integer=True, nonnegative=True)}``.
    """
    if isinstance(lines, str):
        lines = lines.splitlines()
    if not hasattr(lines, "__iter__"):
        raise SymconvError(f"lines must be a str or a sequence of str, but got {type(lines).__name__}")
    lines = list(lines)
    kind_n = _check_kind(kind)
    if kind_n is None:
        raise SymconvError("kind must be one of 'continuous', 'discrete', '2d', but got None")
    _check_options(seed, instances, time_limit)
    if total_time_limit is not None:
        if isinstance(total_time_limit, bool) or not isinstance(total_time_limit, (int, float)) \
                or not total_time_limit > 0:
            raise SymconvError(f"total_time_limit must be a positive number of seconds, but got "
                               f"{total_time_limit!r}")
        deadline = time.monotonic() + total_time_limit
    if isinstance(functions, str):
        functions = tuple(f.strip() for f in functions.split(",") if f.strip())
    chain = []  # (line number, expression or raw text, justification, parse error)
    for number, raw in enumerate(lines, start=1):
        if not isinstance(raw, str):
            raise SymconvError(f"every line must be a str, but line {number} is {type(raw).__name__}")
        formula, just = _split_comment(raw)
        if not formula:
            continue
        if formula.startswith("="):
            formula = formula[1:].strip()
        try:
            expr = _parse(formula, kind_n, functions, symbols)
        except ParseError as exc:
            chain.append((number, formula, just, f"line {number} could not be parsed: {exc}"))
            continue
        except SymconvError as exc:
            chain.append((number, formula, just, f"line {number} could not be parsed: {exc}"))
            continue
        if isinstance(expr, (list, tuple)):
            chain.append((number, formula, just, f"line {number} must hold one expression, "
                          f"but it holds {len(expr)} items"))
            continue
        if isinstance(expr, Eq):
            chain.append((number, expr.lhs, None, None))
            chain.append((number, expr.rhs, just, None))
        else:
            chain.append((number, expr, just, None))
    parsed = [c for c in chain if c[3] is None]
    if len(chain) < 2:
        raise SymconvError(f"a proof must have at least two expressions, but got {len(chain)}")
    reports = []
    exprs = []
    previous = None
    index = 0
    for number, expr, just, error in chain:
        if previous is None and error is None:
            previous = expr
            exprs.append(expr)
            continue
        index += 1
        t0 = time.perf_counter()
        if error is not None:
            exprs.append(expr)
            reports.append(StepReport(index, previous, expr, just, "refuted", error, None,
                                      "parse", time.perf_counter() - t0, number))
            continue
        budget = time_limit if total_time_limit is None else min(
            time_limit, deadline - time.monotonic())
        if budget <= 0:
            res = StepCheck("unverified", f"not checked: the proof's overall time limit of "
                                          f"{total_time_limit:g} s ran out before this step")
        else:
            with no_numeric_summation():   # untrusted text (see symconv._util.sympy_safety)
                res = _guarded_check(previous, expr, kind=kind_n, seed=seed + index,
                                     instances=instances, time_limit=budget, justification=just)
        exprs.append(expr)
        reports.append(StepReport(index, previous, expr, just, res.status, res.reason,
                                  res.counterexample, res.method, time.perf_counter() - t0, number))
        previous = expr
    if not parsed:
        exprs = [c[1] for c in chain]
    return ProofReport(None, tuple(exprs), tuple(reports))

