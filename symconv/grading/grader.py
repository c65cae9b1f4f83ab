"""Grading one answer against one key: score, status, feedback, and the reasons.

``grade(answer_text, key)`` reads the answer with the safe parser, checks its type,
decides equivalence with the reference (strategies and trail from
:mod:`symconv.grading.equivalence`), checks the required written form, recognises
anticipated mistakes *by equivalence with the anticipated wrong answer*, and writes
feedback a student can act on. The same input always gets the same grade: sample
points are seeded by the key, and symbolic simplification (the only step whose
success could depend on the machine's speed) runs only when the key asks for a
proof (``prove = true``) or when sampling cannot decide.

Statuses
--------
correct
    Equivalent and in an accepted form: full points.
partial
    Equivalent but not in an accepted form (``form_credit``), a recognised mistake
    with credit, or a proof with a valid prefix.
incorrect
    Anything else that could be read (including an undecided comparison, which is
    also flagged ``review=True`` for a human).
invalid
    The answer could not be read (empty, malformed, hostile, over a limit), or a
    proof could not be checked.
timeout
    Grading the answer ran past its time (or memory) limit.

Why one module of this size: grade() is one pipeline (parse, coerce to the key's type,
closed-form and operation rules, equivalence, anticipated mistakes, feedback, the trail)
whose stages share the key context and the time budget; the strategies themselves live
in equivalence, regions, operators, feedback and forms.
"""

import html
import re
import time
from dataclasses import dataclass, field

import sympy as sp

from symconv._util.sympy_safety import no_numeric_summation
from symconv._util.validate import _UNSET, renamed_time_limit
from symconv.errors import GradingError, ParseError, SymconvError
from symconv.grading.equivalence import (DEFAULT_TOLERANCE, Comparer, Sampler, TrailEntry,
                                         _show, _show_point, brief, sstr_safe,
                                         _atoms, _domains_for, _free_symbols, _unify,
                                         kind_of, _trail_lines)
from symconv.grading import feedback, operators
from symconv.grading.forms import describe, satisfies
from symconv.grading.keys import as_key
from symconv._util.deadline import TIMED_OUT, bounded_call
from symconv._util.explaining import wrap as _wrap

__all__ = ["grade", "parse_answer", "GradeResult", "STATUSES", "DEFAULT_TIME_LIMIT"]

STATUSES = ("correct", "partial", "incorrect", "invalid", "timeout")
DEFAULT_TIME_LIMIT = 10.0
_ORIENTATION = ("correlation", "convolution", "any orientation")


@dataclass
class GradeResult:
    """The grade of one answer.

    Attributes
    ----------
    score, max_score : float
    status : str
        'correct', 'partial', 'incorrect', 'invalid' or 'timeout'.
    feedback : str
        What was right or wrong, for the student.
    trail : list of TrailEntry
        Every check that ran (parse, type, strategies, forms, mistakes).
    seconds : float
        Wall time of the grading.
    strategy : str or None
        The strategy that decided equivalence with the reference.
    proven : bool
        Whether that decision is a proof rather than numeric agreement.
    mistake : int or None
        Index of the anticipated mistake that was recognised.
    review : bool
        True when a human should look (the comparison was undecided).
    """

    score: float
    max_score: float
    status: str
    feedback: str
    trail: list = field(default_factory=list)
    seconds: float = 0.0
    strategy: object = None
    proven: bool = False
    mistake: object = None
    review: bool = False
    part: object = None

    def to_dict(self):
        """A JSON-ready mapping."""
        return {"score": self.score, "max_score": self.max_score, "status": self.status,
                "feedback": self.feedback, "strategy": self.strategy, "proven": self.proven,
                "mistake": self.mistake, "review": self.review,
                "seconds": round(self.seconds, 6), "trail": [t.to_dict() for t in self.trail]}

    def __str__(self):
        head = f"{self.status}: {self.score:g}/{self.max_score:g}"
        return f"{head} - {self.feedback}" if self.feedback else head

    def _how(self):
        how = f" by {self.strategy}" if self.strategy else ""
        if self.strategy:
            how += " (proven)" if self.proven else " (numeric)"
        return how + (", review" if self.review else "")

    def __repr__(self):
        return f"<GradeResult {self.status} {self.score:g}/{self.max_score:g}{self._how()}>"

    def _repr_html_(self):
        # for Jupyter: status and score, the feedback, and the checks that ran
        esc = html.escape
        trail = "".join(f"<li>{esc(str(t))}</li>" for t in self.trail)
        details = (f"<details><summary>{len(self.trail)} check(s)</summary><ul>{trail}</ul>"
                   f"</details>") if self.trail else ""
        return (f"<div><strong>{esc(self.status)}: {self.score:g}/{self.max_score:g}</strong>"
                f"{esc(self._how())}<p>{esc(self.feedback)}</p>{details}</div>")

    def __explain__(self, check=True):
        """The lines :func:`symconv.explain` prints for this object."""
        return _grade_result(self, check)


# --------------------------------------------------------------------------- per-key context

class _KeyContext:
    """Everything about a key that is the same for every answer (built once)."""

    def __init__(self, key):
        self.key = key
        self.reference = key.reference
        mistakes = key.mistake_values() if key.mistakes else []
        if key.type in ("text", "proof"):
            self.mistakes = mistakes
            return
        by_name = dict(key.symbols())
        for s in sorted(_free_symbols(self.reference) | _free_symbols(mistakes),
                        key=lambda s: s.name):
            by_name.setdefault(s.name, s)
        self.by_name = by_name
        self.reference = _unify(self.reference, by_name)
        self.mistakes = [_unify(m, by_name) for m in mistakes]
        # the key's own derivatives and integrals, evaluated as an answer's would be
        try:
            self.reference = _evaluate_operations(self.reference, 10.0) \
                if _has_operations(self.reference) else self.reference
            self.mistakes = [_evaluate_operations(m, 10.0) if _has_operations(m) else m
                             for m in self.mistakes]
        except operators.Unevaluated as exc:
            raise GradingError(f"answer key {key.part!r}: the answer (or a mistake) holds "
                               f"{exc.operator}, which has no closed form") from None
        constraints = []
        for text in key.constraints:
            try:
                c = _unify(key.parse(text), by_name)
            except ParseError as exc:
                raise GradingError(f"answer key {key.part!r}: constraint {text!r} cannot be parsed: "
                                   f"{exc}") from None
            if not isinstance(c, sp.core.relational.Relational):
                raise GradingError(f"answer key {key.part!r}: a constraint must be a relation such "
                                   f"as 'n >= k', but got {text!r}")
            constraints.append(c)
        self.known_names = set(by_name) | set(key.variables)
        # Dirac deltas are replaced by fresh variables (see equivalence._replace_deltas)
        deltas = sorted(_atoms([self.reference, *self.mistakes], sp.DiracDelta),
                        key=sp.default_sort_key)
        self.delta_map = {d: sp.Dummy(f"delta{i}", real=True) for i, d in enumerate(deltas)}
        from symconv.grading.keys import Variable

        domains = _domains_for(set(by_name.values()), key.variables)
        domains.update({d: Variable("real", -3, 3) for d in self.delta_map.values()})
        self.reference = self._deltas(self.reference)
        self.mistakes = [self._deltas(m) for m in self.mistakes]
        exact = key.type in ("integer", "rational")
        tol = key.tolerance if key.tolerance is not None else (0.0 if exact else DEFAULT_TOLERANCE)
        self.tolerance = tol
        self.sampler = Sampler(domains, constraints, key.samples, key.seed, tol,
                               exact=key.tolerance is None or key.tolerance == 0,
                               window_only=getattr(key, "window_only", False))
        self.comparer = Comparer(self.sampler, prove=key.prove, time_limit_s=key.time_limit,
                                 scale=key.equation_scale, tolerance=tol)
        self.kind = _KIND[key.type]
        ref_kind = kind_of(self.reference)
        if isinstance(self.reference, sp.MatrixBase) and self.kind == "sequence":
            self.reference = list(self.reference)
            ref_kind = "sequence"
        if key.type in ("integer", "rational"):
            if not (isinstance(self.reference, sp.Expr) and self.reference.is_number):
                raise GradingError(f"answer key {key.part!r}: the answer of a {key.type!r} part "
                                   f"must be a number, but got {self.reference}")
            if key.type == "integer" and not self.reference.is_integer:
                raise GradingError(f"answer key {key.part!r}: the answer of an 'integer' part must "
                                   f"be an integer, but got {self.reference}")
        elif ref_kind != self.kind and not (self.kind == "set" and ref_kind == "sequence"):
            raise GradingError(f"answer key {key.part!r}: type {key.type!r} needs "
                               f"{_ARTICLE[self.kind]} as the answer, but got {_ARTICLE.get(ref_kind)}")
        if self.kind == "set" and isinstance(self.reference, (list, tuple)):
            self.reference = sp.FiniteSet(*self.reference)

    def _deltas(self, obj):
        if not self.delta_map:
            return obj
        if isinstance(obj, list):
            return [self._deltas(x) for x in obj]
        if isinstance(obj, tuple):
            return tuple(self._deltas(x) for x in obj)
        if isinstance(obj, sp.MatrixBase):
            return obj.applyfunc(lambda e: e.xreplace(self.delta_map))
        return obj.xreplace(self.delta_map)


_KIND = {"expression": "expression", "integer": "expression", "rational": "expression",
         "sequence": "sequence", "matrix": "matrix", "set": "set", "equation": "equation"}
_ARTICLE = {"expression": "an expression", "sequence": "a sequence (a list [a, b, ...])",
            "matrix": "a matrix", "set": "a set {a, b, ...}", "equation": "an equation (a = b)",
            None: "something else"}


def _context(key):
    ctx = getattr(key, "_grading_context", None)
    if ctx is None:
        ctx = _KeyContext(key)
        key._grading_context = ctx
    return ctx


def prepare(key):
    """Check a key and build its grading context now (raises GradingError if broken)."""
    key = as_key(key)
    _context(key)
    return key


# --------------------------------------------------------------------------- parsing answers

def parse_answer(text, key=None, *, evaluate=True):
    """Read an answer safely, with the key's variables, functions and mode.

    Parameters
    ----------
    text : str
        The student's answer.
    key : AnswerKey or mapping, optional
        Supplies declared variables (with their assumptions), functions, discrete
        mode and LaTeX setting; without a key, :func:`symconv.parsing.parse_math`
        defaults apply.
    evaluate : bool, default True
        False keeps the written form (for form checks).

    Returns
    -------
    SymPy object, list or tuple

    Raises
    ------
    ParseError
        For malformed, hostile or oversized text.

    Examples
    --------
    >>> key = {"type": "expression", "answer": "n + 1", "variables": {"n": {"domain": "integer"}}}
    >>> e = parse_answer("2n + 1", key)
    >>> e, e.free_symbols.pop().is_integer
    (2*n + 1, True)
    >>> parse_answer("os.system('x')")
    Traceback (most recent call last):
    ...
    symconv.errors.ParseError: answer rejected: '.' (attribute access) is not allowed at position 2
    """
    if text is None:
        text = ""
    if not isinstance(text, str):
        raise ParseError(f"an answer must be text, but got {type(text).__name__}")
    if key is None:
        from symconv.parsing import parse_math

        return parse_math(text, evaluate=evaluate, unknown_functions="multiply")
    return as_key(key).parse(text, evaluate=evaluate)


# --------------------------------------------------------------------------- grading

def grade(answer_text, key, *, time_limit=None, time_limit_s=_UNSET):
    """Grade one answer against a key.

    Parameters
    ----------
    answer_text : str
        The student's answer (plain math, LaTeX, or proof lines for a 'proof' key).
    key : AnswerKey or mapping
        See :class:`~symconv.grading.keys.AnswerKey`.
    time_limit : float, optional
        Wall-time limit in seconds (default 10). Enforced in the main thread of the
        process (the batch grader also enforces it from outside, with a memory limit).
        ``time_limit_s`` is its old name (a ``DeprecationWarning``, for one release).

    Returns
    -------
    GradeResult

    Examples
    --------
    >>> key = {"type": "expression", "answer": "floor((n + 2p - k)/s) + 1", "points": 2,
    ...        "variables": {"n": {"domain": "integer", "min": 1, "max": 40},
    ...                      "k": {"domain": "integer", "min": 1, "max": 5},
    ...                      "p": {"domain": "integer", "min": 0, "max": 2},
    ...                      "s": {"domain": "integer", "min": 1, "max": 3}},
    ...        "constraints": ["n + 2p >= k"],
    ...        "mistakes": [{"answer": "floor((n + 2p - k)/s)", "credit": 0.5,
    ...                      "feedback": "Count the first window: the formula ends in + 1."}]}
    >>> r = grade(r"\\left\\lfloor \\frac{n - k + 2p}{s} \\right\\rfloor + 1", key)
    >>> r.status, r.score
    ('correct', 2.0)
    >>> r = grade("floor((n + 2p - k)/s)", key)
    >>> r.status, r.score, r.feedback
    ('partial', 1.0, 'Count the first window: the formula ends in + 1.')
    >>> grade("__import__('os')", key).status
    'invalid'
    """
    t0 = time.perf_counter()
    key = as_key(key)
    ctx = _context(key)
    seconds = renamed_time_limit(time_limit, time_limit_s, "grade", None)
    limit_s = DEFAULT_TIME_LIMIT if seconds is None else seconds
    trail = []
    try:
        with no_numeric_summation():
            result = bounded_call(lambda: _grade(answer_text, key, ctx, trail), limit_s, TIMED_OUT)
        if result is TIMED_OUT:
            trail.append(TrailEntry("grading", "timeout", f"after {limit_s:g} s",
                                    time.perf_counter() - t0))
            result = GradeResult(0.0, key.points, "timeout",
                                 f"time limit: grading this answer took longer than {limit_s:g} s, "
                                 f"so it gets no credit. Simplify your answer and resubmit.", trail)
    except RecursionError:
        trail.append(TrailEntry("grading", "invalid", "recursion too deep",
                                time.perf_counter() - t0))
        result = GradeResult(0.0, key.points, "invalid",
                             "answer rejected: the expression is too deeply nested to grade", trail)
    except MemoryError:
        raise                      # the batch worker reports it as the memory limit
    except SymconvError:           # a broken key (GradingError): the caller's problem
        raise
    except Exception as exc:       # noqa: BLE001 - a bad answer must never crash a grade
        trail.append(TrailEntry("grading", "invalid",
                                f"internal error {type(exc).__name__}: {str(exc)[:200]}",
                                time.perf_counter() - t0))
        result = GradeResult(0.0, key.points, "invalid",
                             "The grader could not evaluate this answer (an internal error, "
                             "recorded in the trail); it gets no credit for now and has been "
                             "flagged for review by a person.", trail, review=True)
    result.trail = trail
    result.part = key.part
    result.seconds = time.perf_counter() - t0
    return result


def _result(key, status, credit, feedback, trail, **extra):
    score = round(key.points * credit, 9)
    return GradeResult(score, key.points, status, feedback, trail, **extra)


def _grade(text, key, ctx, trail):
    if text is None:
        text = ""
    if not isinstance(text, str):
        text = str(text)
    if not text.strip():
        trail.append(TrailEntry("parse", "invalid", "empty answer"))
        return _result(key, "invalid", 0, "No answer was given.", trail)
    if key.type == "text":
        return _grade_text(text, key, ctx, trail)
    if key.type == "proof":
        return _grade_proof(text, key, trail)
    t0 = time.perf_counter()
    try:
        answer = key.parse(text)
    except ParseError as exc:
        trail.append(TrailEntry("parse", "invalid", str(exc), time.perf_counter() - t0))
        return _result(key, "invalid", 0, f"Your answer could not be read: {exc}", trail)
    trail.append(TrailEntry("parse", "ok", _short(answer), time.perf_counter() - t0))
    if isinstance(answer, (sp.And, sp.Or, sp.logic.boolalg.BooleanAtom)):
        reason = (f"your answer is a condition ({_short(answer, 60)}), not a value; a "
                  f"piecewise answer gives the value for each case, e.g. 't for t >= 0, "
                  f"0 otherwise'")
        trail.append(TrailEntry("type", "invalid", reason))
        return _result(key, "invalid", 0, f"Your answer could not be read as a value: {reason}.",
                       trail)
    answer = _unify(answer, ctx.by_name)
    if _has_operations(answer):
        t1 = time.perf_counter()
        try:
            answer = _evaluate_operations(answer, key.time_limit)
        except operators.Unevaluated as exc:
            what = {sp.Sum: "a sum", sp.Derivative: "a derivative"}.get(type(exc.operator),
                                                                        "an integral")
            trail.append(TrailEntry("evaluate", "undecided",
                                    f"no closed form for {_short(exc.operator, 100)} within "
                                    f"{key.time_limit:g} s", time.perf_counter() - t1))
            return _result(key, "incorrect", 0,
                           f"Your answer contains {what} that could not be evaluated: an "
                           f"unevaluated {what[3:] if what.startswith('an ') else what[2:]} is "
                           f"not an answer, write its value (a closed form). It has been "
                           f"flagged for review by a person.", trail, review=True)
        trail.append(TrailEntry("evaluate", "ok", f"derivatives and integrals evaluated: "
                                f"{_short(answer)}", time.perf_counter() - t1))
    unknown = sorted({s.name for s in _free_symbols(answer)} - ctx.known_names)
    if unknown:
        names = ", ".join(unknown)
        reason = (f"your answer uses {names}, which {'is not a variable' if len(unknown) == 1 else 'are not variables'} "
                  f"of this exercise (variables: {', '.join(sorted(ctx.known_names)) or 'none'})")
        hints = [_NOTATIONS[n] for n in unknown if n in _NOTATIONS]
        if hints:
            reason += ". " + " ".join(hints)
        trail.append(TrailEntry("variables", "not equivalent", reason))
        return _result(key, "incorrect", 0, _sentence(reason) + _hint(key), trail)
    if key.closed_form:     # a restated question is refused before it is evaluated
        try:    # the answer as written: operators may already have been evaluated
            written = key.parse(text, evaluate=False)
        except ParseError:
            written = answer
        problem = key.build_problem(written, operations=False)
        if problem:
            trail.append(TrailEntry("closed form", "refused", problem))
            return _result(key, "incorrect", 0, _sentence(problem), trail)
    extra_deltas = _atoms(answer, sp.DiracDelta) - set(ctx.delta_map)
    if extra_deltas:
        reason = (f"your answer contains the impulse {sstr_safe(sorted(extra_deltas, key=sp.default_sort_key)[0])}, "
                  "which the expected answer does not have")
        trail.append(TrailEntry("impulses", "not equivalent", reason))
        return _result(key, "incorrect", 0, _sentence(reason) + _hint(key), trail)
    answer = ctx._deltas(answer)
    ctx.sampler.begin_answer()
    answer, problem = _coerce(answer, key, ctx)
    if problem and ctx.kind == "matrix" and "vmatrix" in text:
        problem += (" (\\begin{vmatrix} ... \\end{vmatrix} is a determinant, a number: write "
                    "the matrix with bmatrix or pmatrix)")
    if problem:
        trail.append(TrailEntry("type", "not equivalent", problem))
        return _result(key, "incorrect", 0, _sentence(problem) + _hint(key), trail)

    status, strategy, proven, cex, detail = ctx.comparer.compare(answer, ctx.reference, ctx.kind, trail)
    if status == "equivalent":
        return _check_forms(text, answer, key, ctx, trail, strategy, proven)

    # anticipated mistakes, recognised by equivalence
    for i, (mistake, value) in enumerate(zip(key.mistakes, ctx.mistakes)):
        sub = []
        if kind_of(value) != kind_of(answer) and not (ctx.kind == "sequence"):
            continue
        ctx.comparer.quiet = True
        try:
            m_status = ctx.comparer.compare(answer, value, ctx.kind, sub)[0]
        finally:
            ctx.comparer.quiet = False
        trail.append(TrailEntry(f"mistake {i + 1}", m_status,
                                "; ".join(f"{t.strategy}: {t.outcome}" for t in sub),
                                sum(t.seconds for t in sub)))
        if m_status == "equivalent":
            st = "partial" if mistake.credit > 0 else "incorrect"
            return _result(key, st, mistake.credit, mistake.feedback, trail, strategy=strategy,
                           mistake=i)
    orientation = [f for f in key.forms if f in _ORIENTATION]
    if orientation and ctx.kind in ("sequence", "matrix"):
        flipped = _flip(ctx.reference)
        sub = []
        ctx.comparer.quiet = True
        try:
            f_status = ctx.comparer.compare(answer, flipped, ctx.kind, sub)[0]
        finally:
            ctx.comparer.quiet = False
        trail.append(TrailEntry("flipped kernel", f_status,
                                "; ".join(f"{t.strategy}: {t.outcome}" for t in sub),
                                sum(t.seconds for t in sub)))
        if f_status == "equivalent":
            if "any orientation" in orientation:
                return _check_forms(text, answer, key, ctx, trail, "flipped", proven)
            want = orientation[0]
            other = "convolution" if want == "correlation" else "cross-correlation"
            name = "cross-correlation" if want == "correlation" else "convolution"
            return _result(key, "incorrect", 0,
                           f"Your kernel is flipped: it is in {other} orientation, but the "
                           f"question asks for the {name} orientation." + _hint(key), trail,
                           strategy="flipped")
    if status == "undecided":
        return _result(key, "incorrect", 0,
                       "The grader could not decide whether your answer is equivalent to the "
                       "expected one; it has been flagged for review by a person.", trail,
                       strategy=strategy, review=True)
    return _result(key, "incorrect", 0, _explain(answer, key, ctx, cex, detail) + _hint(key), trail,
                   strategy=strategy, proven=proven)


#: names students use for the signals that are not accepted by default, and what to write
_NOTATIONS = {
    "r": "If r(t) is meant as the ramp, write ramp(t).",
    "sinc": "sinc has two conventions: write sin(pi t)/(pi t) (normalized, as NumPy) or "
            "sin(t)/t.",
    "epsilon": "If \u03b5(t) is meant as the unit step, write u(t).",
    "sigma": "If \u03c3(t) is meant as the unit step, write u(t).",
    "Delta": "If \u0394(t) is meant as the triangle, write tri(t).",
    "Heaviside": "Write u(t) or H(t) for the unit step.",
    "heaviside": "Write u(t) or H(t) for the unit step.",
    "sgn": "Write sign(t) for the sign function.",
    "Rect": "Write rect(t) for the rectangle.",
    "Tri": "Write tri(t) for the triangle.",
}


def _has_operations(obj):
    if isinstance(obj, (list, tuple)):
        return any(_has_operations(x) for x in obj)
    if isinstance(obj, sp.MatrixBase):
        return any(_has_operations(x) for x in obj)
    return isinstance(obj, sp.Basic) and (obj.has(sp.Derivative, sp.Integral, sp.DiracDelta)
                                          or (obj.has(sp.Sum) and obj.has(sp.oo)))


def _evaluate_operations(obj, seconds):
    """Derivatives, integrals and convolution sums evaluated, impulses sifted (see
    :mod:`symconv.grading.operators`), entry by entry for containers."""
    if isinstance(obj, list):
        return [_evaluate_operations(x, seconds) for x in obj]
    if isinstance(obj, tuple):
        return tuple(_evaluate_operations(x, seconds) for x in obj)
    if isinstance(obj, sp.MatrixBase):
        return obj.applyfunc(lambda e: _evaluate_operations(e, seconds))
    if isinstance(obj, sp.Basic) and not isinstance(obj, sp.Expr):   # relations
        return obj.func(*[_evaluate_operations(a, seconds) for a in obj.args]) \
            if isinstance(obj, sp.core.relational.Relational) else obj
    return operators.evaluate(obj, seconds)


def _coerce(answer, key, ctx):
    """Bring the answer into the key's kind; returns (answer, problem or None)."""
    kind = ctx.kind
    got = kind_of(answer)
    if kind == "sequence":
        if isinstance(answer, sp.MatrixBase) and 1 in answer.shape:
            return list(answer), None
        if isinstance(answer, (list, tuple)):
            if any(not isinstance(x, sp.Expr) for x in answer):
                return None, "expected a sequence of numbers or expressions"
            return list(answer), None
        if got == "expression" and len(ctx.reference) == 1:
            return [answer], None          # \left[5\right] in LaTeX is a bracketed 5
    elif kind == "matrix":
        if isinstance(answer, sp.MatrixBase):
            return answer, None
        if isinstance(answer, (list, tuple)) and 1 in ctx.reference.shape \
                and all(isinstance(x, sp.Expr) for x in answer):
            return sp.Matrix(ctx.reference.shape[0], ctx.reference.shape[1], list(answer)) \
                if len(answer) == max(ctx.reference.shape) else sp.Matrix([list(answer)]), None
    elif kind == "set":
        if isinstance(answer, sp.FiniteSet) or answer is sp.EmptySet:
            return answer, None
        if isinstance(answer, (list, tuple)):
            return sp.FiniteSet(*[sp.Tuple(*x) if isinstance(x, tuple) else x for x in answer]), None
    elif kind == "equation":
        if got == "equation":
            return answer, None
    else:  # expression, integer, rational
        if got == "expression":
            if key.type in ("integer", "rational"):
                if answer.free_symbols:
                    return None, f"expected a number, but your answer depends on " \
                                 f"{', '.join(sorted(s.name for s in answer.free_symbols))}"
                if key.type == "integer" and key.tolerance in (None, 0):
                    value = answer if answer.is_Rational else None
                    if value is None:
                        try:
                            value = bounded_call(
                                lambda: sp.nsimplify(answer) if answer.is_real else None,
                                key.time_limit)
                        except (ArithmeticError, TypeError, ValueError, NotImplementedError):
                            # PrecisionExhausted (an ArithmeticError): floor of a huge
                            # irrational number; the comparison below says it cannot be
                            # evaluated
                            value = None
                    if value is not None and value.is_Rational and not value.is_Integer:
                        return None, f"expected an integer, but your answer is {brief(value)}"
            return answer, None
    return None, f"expected {_ARTICLE[kind]}, but your answer is {_ARTICLE.get(got, 'something else')}"


def _check_forms(text, answer, key, ctx, trail, strategy, proven):
    forms = [f for f in key.forms if f not in _ORIENTATION]
    rules = key.operations or key.forbidden or key.at_most
    correct = "Correct."
    if strategy == "sampling" and ctx.sampler.window_only:
        correct = f"Correct (compared on {ctx.sampler.window_text()} only)."
    if not forms and not rules:
        return _result(key, "correct", 1.0, correct, trail, strategy=strategy, proven=proven)
    t0 = time.perf_counter()
    try:
        unevaluated = key.parse(text, evaluate=False)
    except ParseError:
        unevaluated = answer
    if rules:   # what the answer may be built from: equivalent but built otherwise earns nothing
        problem = key.build_problem(unevaluated, closed_form=False)
        trail.append(TrailEntry("operations", "refused" if problem else "ok", problem or "",
                                time.perf_counter() - t0))
        if problem:
            return _result(key, "incorrect", 0, _sentence(problem), trail, strategy=strategy,
                           proven=proven)
        if not forms:
            return _result(key, "correct", 1.0, correct, trail, strategy=strategy,
                           proven=proven)
    ok = [f for f in forms if satisfies(f, text, unevaluated)]
    trail.append(TrailEntry("form", "ok" if ok else "not satisfied",
                            f"accepted: {', '.join(forms)}", time.perf_counter() - t0))
    if ok:
        return _result(key, "correct", 1.0, correct, trail, strategy=strategy, proven=proven)
    st = "partial" if key.form_credit > 0 else "incorrect"
    return _result(key, st, key.form_credit,
                   f"Your answer is equivalent to the expected one, but it must be written "
                   f"{describe(forms)}.", trail, strategy=strategy, proven=proven)


def _flip(ref):
    if isinstance(ref, sp.MatrixBase):
        return ref[::-1, ::-1]
    return list(reversed(ref))


def _sentence(text):
    text = text[0].upper() + text[1:] if text else text
    return text if text.endswith(".") else text + "."


def _hint(key):
    return f" Hint: {key.hints[0]}" if key.hints else ""


def _short(obj, limit=160):
    try:
        s = sstr_safe(obj) if isinstance(obj, sp.Basic) else str(obj)
    except ValueError:   # a container holding a number too large to print
        s = f"<{type(obj).__name__} too large to print>"
    return s if len(s) <= limit else s[:limit - 3] + "..."


def _explain(answer, key, ctx, cex, detail):
    """Feedback for a wrong answer: where it differs (at a simple point when there is
    one), what kind of mistake it is and, for a signal, where it is wrong (see
    :mod:`symconv.grading.feedback`)."""
    if cex is None:
        return _sentence(detail or "Your answer is not equivalent to the expected one")
    if "reason" in cex and not cex.get("point"):
        if cex.get("entry"):
            return f"In {cex['entry']}: {_sentence(cex['reason'])}"
        return _sentence(cex["reason"])
    point = ctx.comparer.last_point
    clock = feedback._Clock()
    scalar = ctx.kind == "expression" and isinstance(answer, sp.Expr) and not cex.get("entry")
    if scalar and point:
        simple = feedback.simple_point(answer, ctx.reference, ctx.sampler, point, ctx.tolerance,
                                       clock)
        if simple is not None:
            point, got, want = simple
            cex = dict(cex, point=_show_point(point), answer=_show(got), expected=_show(want))
    where = ", ".join(f"{k} = {v}" for k, v in cex["point"].items())
    entry = f" ({cex['entry']})" if cex.get("entry") else ""
    text = f"Not equivalent to the expected answer{entry}"
    if not where and cex.get("answer") == "undefined":
        text += (": your answer cannot be evaluated (a number too large to compute exactly, "
                 "or undefined)")
        if key.show_expected and cex.get("expected") not in (None, "undefined"):
            text += f", but the expected value is {cex['expected']}"
    elif where and cex["answer"] == "undefined":
        text += (f": for {where} your answer cannot be evaluated (undefined, too large to "
                 f"compute, or an infinite sum without a closed form)")
        if key.show_expected:
            text += f", but the expected value is {cex['expected']}"
    elif where:
        text += f": for {where} your answer gives {cex['answer']}"
        if key.show_expected:
            text += f", but the expected value is {cex['expected']}"
    text += "."
    if scalar:
        try:
            if key.show_expected:
                kind = feedback.diagnose(answer, ctx.reference, ctx.sampler, ctx.tolerance, clock)
                text += f" {kind}" if kind else ""
            where_wrong = feedback.region(answer, ctx.reference, ctx.sampler, point or {},
                                          ctx.tolerance, clock)
            text += f" {where_wrong}" if where_wrong else ""
        except (ArithmeticError, TypeError, ValueError, AttributeError):
            pass          # feedback only describes the verdict: never let it fail a grade
    return text


def _normal_text(s):
    return re.sub(r"\s+", " ", s.strip().lower()).rstrip(".")


def _grade_text(text, key, ctx, trail):
    accepted = key.answer if isinstance(key.answer, (list, tuple)) else [key.answer]
    got = _normal_text(text)
    if got in {_normal_text(a) for a in accepted}:
        trail.append(TrailEntry("text", "equivalent", "matches an accepted answer"))
        return _result(key, "correct", 1.0, "Correct.", trail, strategy="text", proven=True)
    for i, mistake in enumerate(key.mistakes):
        if isinstance(mistake.answer, str) and got == _normal_text(mistake.answer):
            trail.append(TrailEntry(f"mistake {i + 1}", "equivalent", "text matches"))
            st = "partial" if mistake.credit > 0 else "incorrect"
            return _result(key, st, mistake.credit, mistake.feedback, trail, mistake=i)
    trail.append(TrailEntry("text", "not equivalent", "no accepted answer matches"))
    return _result(key, "incorrect", 0, "Not the expected answer." + _hint(key), trail,
                   strategy="text")


def _grade_proof(text, key, trail):
    t0 = time.perf_counter()
    try:
        from symconv.proofs import check_proof
    except ImportError as exc:
        trail.append(TrailEntry("proof", "invalid", f"proof checker unavailable: {exc}"))
        return _result(key, "invalid", 0,
                       "Proofs cannot be graded here: the proof checker (symconv.proofs."
                       "check_proof) is not available.", trail)
    kind = key.kind or ("discrete" if key.is_discrete else "continuous")
    lines = [line for line in text.splitlines() if line.strip()]
    try:
        report = check_proof(lines, kind=kind, functions=key.functions or ("f", "g"),
                             symbols=key.symbols() or None,
                             time_limit=max(0.5, min(key.time_limit, 4.0)))
    except ParseError as exc:
        trail.append(TrailEntry("proof", "invalid", str(exc), time.perf_counter() - t0))
        return _result(key, "invalid", 0, f"Your proof could not be read: {exc}", trail)
    except SymconvError as exc:
        trail.append(TrailEntry("proof", "invalid", str(exc), time.perf_counter() - t0))
        return _result(key, "invalid", 0, f"Your proof could not be checked: {exc}", trail)
    steps = list(report.steps)
    for s in steps:
        trail.append(TrailEntry(f"proof step {s.index}", s.status, s.reason, s.seconds))
    total = len(steps)
    prefix = 0
    for s in steps:
        if not s.ok:
            break
        prefix += 1
    if prefix == total:
        goal_problem = _proof_goal(report, key, kind, trail)
        if goal_problem is None:
            note = "" if not report.confirmed else (
                f" (step{'s' if len(report.confirmed) > 1 else ''} "
                f"{', '.join(map(str, report.confirmed))} only confirmed numerically)")
            return _result(key, "correct", 1.0, f"Correct: every step of the proof holds{note}.",
                           trail, strategy="proof", proven=not report.confirmed)
        st = "partial" if key.form_credit > 0 else "incorrect"
        return _result(key, st, key.form_credit,
                       f"Every step holds, but {goal_problem}.", trail, strategy="proof")
    failure = steps[prefix]
    where = f" (line {failure.line})" if failure.line is not None else ""
    why = failure.reason
    if failure.counterexample is not None:
        why += f"; counterexample: {failure.counterexample}"
    credit = prefix / total if total else 0.0
    st = "partial" if credit > 0 else "incorrect"
    return _result(key, st, credit,
                   f"Step {failure.index}{where} is {failure.status}: {why}. "
                   f"{prefix} of {total} steps before it hold." + _hint(key), trail,
                   strategy="proof")


def _proof_goal(report, key, kind, trail):
    """With a key answer 'A = B', the proof must start at A and end at B."""
    if key.answer is None:
        return None
    statement = key.reference
    if isinstance(statement, str):
        from symconv.parsing import parse_math

        try:
            statement = parse_math(statement, discrete=kind != "continuous",
                                   functions=key.functions or ("f", "g"),
                                   symbols=key.symbols() or None, latex=key.latex)
        except ParseError as exc:
            raise GradingError(f"answer key {key.part!r}: the proof statement cannot be parsed: "
                               f"{exc}") from None
    if not isinstance(statement, sp.Eq):
        raise GradingError(f"answer key {key.part!r}: a proof's answer must be a statement A = B")
    from symconv.proofs import check_step

    exprs = report.expressions
    for label, mine, want in (("start", exprs[0], statement.lhs), ("end", exprs[-1], statement.rhs)):
        if mine == want:
            continue
        res = check_step(want, mine, kind=kind, seed=key.seed,
                         time_limit=max(0.5, min(key.time_limit, 4.0)))
        trail.append(TrailEntry(f"proof {label}", res.status, res.reason))
        if res.status not in ("proven", "confirmed"):
            return f"the proof must {label} at {sstr_safe(want)}"
    return None


# ---------------------------------------------------------------------------
# explain(): what these results say about how they were obtained and checked
# ---------------------------------------------------------------------------

def _grade_result(result, check):
    part = f" (part {result.part})" if result.part else ""
    out = [f"grade{part}: {result.status}, {result.score:g}/{result.max_score:g}"]
    if result.feedback:
        out += _wrap(f"feedback: {result.feedback}")
    out += _wrap("obtained: symconv.grading read the answer with the safe parser (never "
                 "evaluated as code) and compared it with the key's reference, strategy by "
                 "strategy, until one decided:")
    out += _trail_lines(result.trail)
    if result.strategy:
        kind = ("exact: a proof of the verdict (an identity, or a counterexample in exact "
                "arithmetic)" if result.proven else
                "numerically, at seeded sample points within the key's tolerance (not a proof)")
        out += _wrap(f"decided by: {result.strategy}, {kind}")
    else:
        out.append("decided by: no strategy decided")
    if result.mistake is not None:
        out.append(f"recognised anticipated mistake #{result.mistake} of the key")
    if result.review:
        out.append("flagged for review: the comparison was undecided; a human should look")
    out += _wrap("reproduce: the same answer and key always get the same grade (sample "
                 "points are seeded by the key).")
    return out
