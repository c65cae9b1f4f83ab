"""Answer keys: what a correct answer is, how it may be written, and what common
mistakes look like.

A key describes one exercise part. It is an :class:`AnswerKey`, or a plain mapping
with the same fields, and a key *file* (TOML or JSON, format version 1, documented
in ``docs/answer-keys.md``) maps part ids to keys::

    format_version = 1

    [parts.out-size]
    type = "expression"
    answer = "floor((n + 2p - k)/s) + 1"
    points = 2
    variables = { n = { domain = "integer", min = 1, max = 64 },
                  k = { domain = "integer", min = 1, max = 7 },
                  p = { domain = "integer", min = 0, max = 3 },
                  s = { domain = "integer", min = 1, max = 4 } }
    constraints = ["n + 2p >= k"]

    [[parts.out-size.mistakes]]
    answer = "floor((n + 2p - k)/s)"
    feedback = "Count the first window too: the formula ends in + 1."
    credit = 0.5

Every field is checked when the key is built; a malformed key raises
:class:`~symconv.errors.GradingError` naming the part and the field.
"""

import json
import math
import numbers
import os
from dataclasses import dataclass, field, fields

import sympy as sp

from symconv.grading.forms import OPERATIONS
from symconv.errors import GradingError, ParseError

__all__ = ["AnswerKey", "Variable", "Mistake", "load_keys", "as_key", "ANSWER_TYPES",
           "FORMS", "OPERATIONS", "FORMAT_VERSION"]

FORMAT_VERSION = 1
ANSWER_TYPES = ("expression", "integer", "rational", "sequence", "matrix", "set", "equation",
                "proof", "text")
DOMAINS = ("integer", "real", "positive", "nonnegative", "positive integer",
           "nonnegative integer")
POSITIVE_REAL_MIN = 0.01   # default lower sampling bound of a 'positive' (real) variable
# name -> one-line meaning (the checks live in symconv.grading.forms)
FORMS = {
    "expanded": "a sum of terms with no product or integer power of a sum left to expand",
    "fully expanded": "the same as 'expanded'",
    "factored": "written as one product or power (not a sum at the top level)",
    "exact": "exact numbers only: no decimal point anywhere in the answer",
    "exact rational": "a rational number written exactly (integers, fractions; no decimals)",
    "lowest terms": "a single fraction p/q (or an integer) in lowest terms, no decimals",
    "decimal": "written as a decimal number",
    "integer literal": "a plain integer such as 42 or -3, nothing to evaluate",
    "correlation": "a kernel in cross-correlation orientation (the key's orientation); "
                   "the flipped kernel is recognised as the convolution orientation",
    "convolution": "a kernel in convolution orientation (the key's orientation); the "
                   "flipped kernel is recognised as the correlation orientation",
    "any orientation": "a kernel in either orientation (the flipped kernel is accepted too)",
}
# name -> how feedback names it; what an answer may be built from (key fields
# 'operations', 'forbidden', 'at_most'; detected by symconv.grading.forms.operations)


def _fail(part, message):
    where = f"answer key {part!r}: " if part else "answer key: "
    raise GradingError(where + message)


@dataclass(frozen=True)
class Variable:
    """The domain a variable of an answer is sampled from.

    ``domain`` is 'integer' (sizes such as n, k, p, s), 'real', 'positive',
    'nonnegative', 'positive integer' or 'nonnegative integer'; ``min``/``max`` bound the
    sampling range (inclusive). Default ranges: integers -10..10, reals -5..5; a
    positive integer starts at 1, a positive real at ``POSITIVE_REAL_MIN`` (0.01), a
    nonnegative one at 0, and a range with one given end is 20 (integers) or 10 wide.

    >>> Variable("positive").bounds()
    (0.01, 10.01)
    >>> Variable("integer", 1, 64).symbol("n")
    n
    >>> Variable("integer", 1, 64).symbol("n").is_positive
    True
    """

    domain: str = "real"
    min: object = None
    max: object = None

    @property
    def is_integer(self):
        return "integer" in self.domain

    def bounds(self):
        """The inclusive sampling range, with defaults for missing ends."""
        lo, hi = self.min, self.max
        if self.domain.startswith("positive"):
            # a positive real starts just above 0: sampling 0 itself would leave the domain
            lo = (1 if self.is_integer else POSITIVE_REAL_MIN) if lo is None else lo
        elif self.domain.startswith("nonnegative"):
            lo = 0 if lo is None else lo
        if lo is None and hi is None:
            lo, hi = (-10, 10) if self.is_integer else (-5, 5)
        elif lo is None:
            lo = hi - (20 if self.is_integer else 10)
        elif hi is None:
            hi = lo + (20 if self.is_integer else 10)
        return lo, hi

    def symbol(self, name):
        """A SymPy symbol whose assumptions match the domain."""
        lo, _ = self.bounds()
        assumptions = {"integer": True} if self.is_integer else {"real": True}
        if self.domain.startswith("positive") or (lo is not None and lo > 0):
            assumptions["positive"] = True
        elif self.domain.startswith("nonnegative") or (lo is not None and lo >= 0):
            assumptions["nonnegative"] = True
        return sp.Symbol(name, **assumptions)


@dataclass(frozen=True)
class Mistake:
    """An anticipated wrong answer, recognised by equivalence (never by string match).

    ``credit`` is the fraction of the part's points it earns (0 to 1).
    """

    answer: object
    feedback: str
    credit: float = 0.0


_KEY_FIELDS = ("type", "answer", "points", "variables", "tolerance", "forms", "mistakes",
               "hints", "functions", "discrete", "constraints", "samples", "seed", "prove",
               "time_limit", "form_credit", "equation_scale", "kind", "show_expected",
               "prompt", "latex", "closed_form", "operations", "forbidden", "at_most",
               "window_only", "aliases")


@dataclass(eq=False)
class AnswerKey:
    """The key of one exercise part.

    Parameters
    ----------
    type : str
        One of 'expression', 'integer', 'rational', 'sequence', 'matrix', 'set',
        'equation', 'proof', 'text'.
    answer : str or SymPy object
        The reference answer, in the answer syntax of :func:`symconv.parsing.parse_math`
        (read with the safe parser, like a student's answer) or as a SymPy object
        computed by the library. For 'text', a string or a list of accepted strings.
        Not needed for 'proof' (the theorem ``kind`` says what is proven).
    points : float, default 1
        Points of the part.
    variables : dict, optional
        ``{name: {"domain": ..., "min": ..., "max": ...}}`` (or :class:`Variable`).
        Names the answer uses that are not declared get the domain 'integer' when
        ``discrete`` and 'real' otherwise.
    tolerance : float, optional
        Relative tolerance of numeric comparisons (default ``1e-9`` for expressions;
        exact equality for 'integer' and 'rational' unless given).
    forms : list of str, optional
        Accepted written forms (any one suffices), see ``FORMS``.
    mistakes : list of dict, optional
        ``{"answer", "feedback", "credit"}`` anticipated wrong answers.
    hints : list of str, optional
        Shown with an incorrect answer (the first one).
    functions : list of str, optional
        Names of undefined functions the answer may use (``f(t - tau)``).
    discrete : bool, optional
        Parse with ``discrete=True`` (``u[n]`` is ``Heaviside(n, 1)``). Default: True
        when every declared variable is an integer.
    constraints : list of str, optional
        Relations the sample points must satisfy (``"n + 2p >= k"``).
    samples : int, default 20
        Number of sample points for numeric comparison.
    seed : int, default 0
        Seed of the sample points (grading is deterministic).
    prove : bool, default False
        Also run ``simplify(a - b) == 0`` (under ``time_limit``) when sampling agrees, to
        record a symbolic proof in the trail (slower).
    time_limit : float, default 2
        Seconds allowed for a symbolic simplification.
    form_credit : float, default 0.5
        Credit of an equivalent answer that is not in an accepted form.
    closed_form : bool, default False
        Refuse (no credit, saying why) an answer that still holds an unevaluated
        integral, sum, product, derivative or limit, or a ``conv(...)`` call: it restates
        the question. False (the version-1 behaviour): such an answer is evaluated and
        graded by its value.
    operations : list of str, optional
        The only operations the answer may use (names of ``OPERATIONS``; numbers and the
        variables are always allowed). An equivalent answer using another one gets no
        credit, with the reason.
    forbidden : list of str, optional
        Operations the answer must not use.
    at_most : dict, optional
        ``{operation: count}``: how many times an operation may be used ("one ReLU").
    equation_scale : bool, default False
        Accept an equation multiplied through by a nonzero constant.
    kind : str, optional
        For 'proof': the theorem kind handed to :func:`symconv.proofs.check_proof`.
    show_expected : bool, default True
        Tell the student the expected value at the counterexample point.
    prompt : str, optional
        The question, for reports.
    latex : {'auto', True, False}, default 'auto'
        How answer text is read (see :func:`symconv.parsing.parse_math`).
    aliases : dict, optional
        Extra names of signals the answers may use, ``{name: target}`` with a target
        among ``symconv.parsing.ALIAS_TARGETS`` (``{"r": "ramp", "sinc": "normalized
        sinc"}``). The usual ones (``theta``/``Theta``/``step`` for ``u``, ``Lamda`` for
        ``tri``, ``Pi`` for ``rect``: ``symconv.parsing.SIGNAL_ALIASES``) are always
        accepted; a declared variable or function of the same name keeps its meaning.
    window_only : bool, default False
        Compare answers only inside the variables' ``min``/``max`` ranges, and say so
        in the verdict ("on t in [-4, 4] only"). By default a signal is also compared
        beyond them: around the breakpoints of both sides (steps, deltas, piecewise
        conditions, min/max, absolute values) and past the last one on each side the
        variable's domain leaves open.

    Examples
    --------
    >>> key = AnswerKey(type="integer", answer="15", points=2)
    >>> key.points, key.reference
    (2.0, 15)
    """

    type: str
    answer: object = None
    points: float = 1.0
    variables: dict = field(default_factory=dict)
    tolerance: object = None
    forms: tuple = ()
    mistakes: tuple = ()
    hints: tuple = ()
    functions: tuple = ()
    discrete: object = None
    constraints: tuple = ()
    samples: int = 20
    seed: int = 0
    prove: bool = False
    time_limit: float = 2.0
    form_credit: float = 0.5
    equation_scale: bool = False
    kind: object = None
    show_expected: bool = True
    prompt: object = None
    latex: object = "auto"
    closed_form: bool = False
    operations: tuple = ()
    forbidden: tuple = ()
    at_most: dict = field(default_factory=dict)
    window_only: bool = False
    aliases: dict = field(default_factory=dict)
    part: object = None

    def __post_init__(self):
        part = self.part
        if self.type not in ANSWER_TYPES:
            _fail(part, f"type must be one of {', '.join(ANSWER_TYPES)}, but got {self.type!r}")
        if isinstance(self.points, bool) or not isinstance(self.points, numbers.Real) \
                or not math.isfinite(self.points) or self.points < 0:
            _fail(part, f"points must be a number >= 0, but got {self.points!r}")
        self.points = float(self.points)
        variables = {}
        for name, spec in dict(self.variables or {}).items():
            if not isinstance(name, str) or not name.isidentifier() or name.startswith("_"):
                _fail(part, f"a variable name must be a plain identifier, but got {name!r}")
            variables[name] = _variable(part, name, spec)
        self.variables = variables
        if self.tolerance is not None:
            if isinstance(self.tolerance, bool) or not isinstance(self.tolerance, numbers.Real) \
                    or not 0 <= self.tolerance < 1:
                _fail(part, f"tolerance must be a number in [0, 1), but got {self.tolerance!r}")
            self.tolerance = float(self.tolerance)
        self.forms = tuple(_string_list(part, "forms", self.forms))
        for form in self.forms:
            if form not in FORMS:
                _fail(part, f"forms must be among {', '.join(FORMS)}, but got {form!r}")
        self.hints = tuple(_string_list(part, "hints", self.hints))
        self.functions = tuple(_string_list(part, "functions", self.functions))
        self.constraints = tuple(_string_list(part, "constraints", self.constraints))
        for name, value, lo in (("samples", self.samples, 1), ("seed", self.seed, 0)):
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < lo:
                _fail(part, f"{name} must be an integer >= {lo}, but got {value!r}")
        if self.samples > 10_000:
            _fail(part, f"samples must be at most 10000, but got {self.samples}")
        for name in ("prove", "equation_scale", "show_expected", "window_only"):
            if not isinstance(getattr(self, name), bool):
                _fail(part, f"{name} must be true or false, but got {getattr(self, name)!r}")
        if self.discrete is not None and not isinstance(self.discrete, bool):
            _fail(part, f"discrete must be true or false, but got {self.discrete!r}")
        for name, value in (("time_limit", self.time_limit), ("form_credit", self.form_credit)):
            if isinstance(value, bool) or not isinstance(value, numbers.Real) or value < 0 \
                    or (name == "form_credit" and value > 1):
                bound = "in [0, 1]" if name == "form_credit" else ">= 0"
                _fail(part, f"{name} must be a number {bound}, but got {value!r}")
        if self.latex not in ("auto", True, False):
            _fail(part, f"latex must be 'auto', true or false, but got {self.latex!r}")
        self.mistakes = tuple(_mistake(part, i, m) for i, m in enumerate(self.mistakes or ()))
        self._check_build_fields()
        if not isinstance(self.aliases, dict):
            _fail(part, f"aliases must be a table of name = target, but got {self.aliases!r}")
        from symconv.parsing import _check_aliases

        try:
            self.aliases = _check_aliases(self.aliases)
        except ParseError as exc:
            _fail(part, str(exc))
        if self.type == "proof":
            if self.kind is not None and not isinstance(self.kind, str):
                _fail(part, f"kind must be a string, but got {self.kind!r}")
        elif self.type == "text":
            accepted = self.answer if isinstance(self.answer, (list, tuple)) else [self.answer]
            if not accepted or not all(isinstance(a, str) and a.strip() for a in accepted):
                _fail(part, "a 'text' answer must be a non-empty string or a list of strings")
        elif self.answer is None:
            _fail(part, f"an answer is required for type {self.type!r}")
        self._reference = None
        self._symbols = None

    def _check_build_fields(self):
        part = self.part
        if not isinstance(self.closed_form, bool):
            _fail(part, f"closed_form must be true or false, but got {self.closed_form!r}")
        self.operations = tuple(_string_list(part, "operations", self.operations))
        self.forbidden = tuple(_string_list(part, "forbidden", self.forbidden))
        if not isinstance(self.at_most, dict):
            _fail(part, f"at_most must be a table {{operation = count}}, but got {self.at_most!r}")
        for name, count in self.at_most.items():
            if isinstance(count, bool) or not isinstance(count, numbers.Integral) or count < 0:
                _fail(part, f"at_most.{name} must be an integer >= 0, but got {count!r}")
        self.at_most = {str(k): int(v) for k, v in self.at_most.items()}
        for what, names in (("operations", self.operations), ("forbidden", self.forbidden),
                            ("at_most", tuple(self.at_most))):
            for name in names:
                if name not in OPERATIONS:
                    _fail(part, f"{what} must name operations among {', '.join(OPERATIONS)}, "
                                f"but got {name!r}")
        both = set(self.operations) & set(self.forbidden)
        if both:
            _fail(part, f"an operation cannot be both allowed and forbidden, but got "
                        f"{', '.join(sorted(both))}")
        if self.type in ("proof", "text") and self.has_build_rules:
            _fail(part, f"closed_form, operations, forbidden and at_most apply to answers read "
                        f"as math, not to type {self.type!r}")

    @property
    def has_build_rules(self):
        """Whether the key restricts what an answer may be built from (besides forms)."""
        return bool(self.closed_form or self.operations or self.forbidden or self.at_most)

    def build_problem(self, written, *, closed_form=True, operations=True):
        """Why an answer (as parsed, ideally unevaluated) breaks this key's rules on what it
        may be built from, or None. See :func:`symconv.grading.forms.operations_problem`."""
        from symconv.grading.forms import closed_form_problem, operations_problem

        if closed_form and self.closed_form:
            problem = closed_form_problem(written)
            if problem:
                return problem
        if operations and (self.operations or self.forbidden or self.at_most):
            return operations_problem(written, self.operations, self.forbidden, self.at_most)
        return None

    def _check_own_build(self, value, written, what):
        """The key's own answer must obey its rules; a mistake that is no closed form could
        never be recognised (such answers are refused before mistakes are looked at).

        The operations are those of the answer as written: they are checked when the answer
        is text (``written``); a SymPy object computed by a library has no written form
        (a convolution may come back as a Piecewise), only its closed form is checked."""
        if not self.has_build_rules:
            return
        if what == "the answer" and written is not None:
            problem = self.build_problem(written)
        else:
            problem = self.build_problem(value, operations=False)
        if problem:
            _fail(self.part, f"{what} breaks the key's own rules: "
                             f"{problem.replace('but your answer', 'but it')}")

    def _written(self, value):
        if isinstance(value, str):
            try:
                return self.parse(value, evaluate=False)
            except ParseError:
                return None
        return None

    # ---- pickling (worker processes): caches are rebuilt on the other side
    _CACHES = ("_reference", "_symbols", "_mistake_values", "_grading_context")

    def __getstate__(self):
        return {k: v for k, v in self.__dict__.items() if k not in self._CACHES}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._reference = None
        self._symbols = None

    # ---- derived data
    @property
    def is_discrete(self):
        """Whether answers are parsed with ``discrete=True``."""
        if self.discrete is not None:
            return self.discrete
        return bool(self.variables) and all(v.is_integer for v in self.variables.values())

    def symbols(self):
        """``{name: Symbol}`` for the declared variables (assumptions from the domains)."""
        if self._symbols is None:
            self._symbols = {name: v.symbol(name) for name, v in self.variables.items()}
        return self._symbols

    def parse(self, text, evaluate=True):
        """Read answer text (student's or key's) with this key's settings, safely."""
        from symconv.parsing import SIGNAL_ALIASES, parse_math

        return parse_math(text, discrete=self.is_discrete, functions=self.functions,
                          symbols=self.symbols(), latex=self.latex, evaluate=evaluate,
                          aliases={**SIGNAL_ALIASES, **self.aliases},
                          unknown_functions="multiply")  # unknown names get the grader's hints

    def _value(self, value, what):
        if isinstance(value, str):
            try:
                return self.parse(value)
            except ParseError as exc:
                _fail(self.part, f"{what} cannot be parsed: {exc}")
        if isinstance(value, (list, tuple)):
            return type(value)(self._value(v, what) for v in value)
        if isinstance(value, sp.MatrixBase):
            return sp.Matrix(value)
        if isinstance(value, sp.Basic):
            return value
        if isinstance(value, bool) or not isinstance(value, numbers.Number):
            _fail(self.part, f"{what} must be answer text or a SymPy object, but got {value!r}")
        return sp.nsimplify(value) if isinstance(value, float) else sp.sympify(value)

    @property
    def reference(self):
        """The reference answer as a SymPy object (parsed once)."""
        if self.type in ("proof", "text"):
            return self.answer
        if self._reference is None:
            value = self._value(self.answer, "the answer")
            self._check_own_build(value, self._written(self.answer), "the answer")
            self._reference = value
        return self._reference

    def mistake_values(self):
        """The anticipated wrong answers as SymPy objects (parsed once)."""
        if self.type == "text":
            return [m.answer for m in self.mistakes]
        if not hasattr(self, "_mistake_values"):
            values = [self._value(m.answer, f"mistake {i + 1}")
                      for i, m in enumerate(self.mistakes)]
            for i, (m, v) in enumerate(zip(self.mistakes, values)):
                self._check_own_build(v, self._written(m.answer), f"mistake {i + 1}")
            self._mistake_values = values
        return self._mistake_values

    def to_dict(self):
        """A JSON-ready mapping (answers that are SymPy objects are printed)."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "part" or value in (None, (), {}) or value == f.default:
                if f.name not in ("type", "points"):
                    continue
            if f.name == "variables":
                value = {n: {k: x for k, x in (("domain", v.domain), ("min", v.min),
                                                ("max", v.max)) if x is not None}
                         for n, v in value.items()}
            elif f.name == "mistakes":
                value = [{"answer": _printable(m.answer), "feedback": m.feedback,
                          "credit": m.credit} for m in value]
            elif f.name == "answer":
                value = _printable(value)
            elif isinstance(value, tuple):
                value = list(value)
            out[f.name] = value
        return out


def _printable(value):
    if isinstance(value, (str, int, float)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_printable(v) for v in value]
    if isinstance(value, sp.MatrixBase):
        return str(value.tolist())
    return sp.sstr(value)


def _string_list(part, name, value):
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        _fail(part, f"{name} must be a list of strings, but got {value!r}")
    return list(value)


def _variable(part, name, spec):
    if isinstance(spec, Variable):
        spec = {"domain": spec.domain, "min": spec.min, "max": spec.max}
    if isinstance(spec, str):
        spec = {"domain": spec}
    if not isinstance(spec, dict):
        _fail(part, f"variable {name!r} must be a table with a domain, but got {spec!r}")
    unknown = set(spec) - {"domain", "min", "max"}
    if unknown:
        _fail(part, f"variable {name!r} has unknown field(s) {', '.join(sorted(unknown))}")
    domain = spec.get("domain", "real")
    if domain not in DOMAINS:
        _fail(part, f"the domain of {name!r} must be one of {', '.join(DOMAINS)}, but got {domain!r}")
    lo, hi = spec.get("min"), spec.get("max")
    for label, v in (("min", lo), ("max", hi)):
        if v is not None and (isinstance(v, bool) or not isinstance(v, numbers.Real)
                              or not math.isfinite(v)):
            _fail(part, f"the {label} of {name!r} must be a finite number, but got {v!r}")
        if v is not None and "integer" in domain and int(v) != v:
            _fail(part, f"the {label} of integer variable {name!r} must be an integer, but got {v!r}")
    if lo is not None and hi is not None and lo > hi:
        _fail(part, f"variable {name!r} must have min <= max, but got min={lo}, max={hi}")
    if "integer" in domain:
        lo = None if lo is None else int(lo)
        hi = None if hi is None else int(hi)
    var = Variable(domain, lo, hi)
    a, b = var.bounds()
    if "integer" in domain and b - a > 10**12:
        _fail(part, f"the range of {name!r} is too wide to sample, but got [{a}, {b}]")
    if domain.startswith("positive") and a <= 0:
        kind, least = ("integer ", "min >= 1") if "integer" in domain else ("", "min > 0")
        _fail(part, f"a positive {kind}variable {name!r} needs {least}, but got {a}")
    return var


def _mistake(part, index, spec):
    if isinstance(spec, Mistake):
        spec = {"answer": spec.answer, "feedback": spec.feedback, "credit": spec.credit}
    if not isinstance(spec, dict):
        _fail(part, f"mistake {index + 1} must be a table with answer and feedback, but got {spec!r}")
    unknown = set(spec) - {"answer", "feedback", "credit"}
    if unknown:
        _fail(part, f"mistake {index + 1} has unknown field(s) {', '.join(sorted(unknown))}")
    if spec.get("answer") is None or not isinstance(spec.get("feedback"), str):
        _fail(part, f"mistake {index + 1} needs an answer and a feedback text")
    credit = spec.get("credit", 0.0)
    if isinstance(credit, bool) or not isinstance(credit, numbers.Real) or not 0 <= credit <= 1:
        _fail(part, f"the credit of mistake {index + 1} must be in [0, 1], but got {credit!r}")
    return Mistake(spec["answer"], spec["feedback"], float(credit))


def as_key(key, part=None):
    """Return ``key`` as an :class:`AnswerKey` (a mapping is checked and converted).

    >>> as_key({"type": "expression", "answer": "n + 1"}).reference
    n + 1
    >>> as_key({"type": "expression", "anwser": "n"})
    Traceback (most recent call last):
    ...
    symconv.errors.GradingError: answer key: unknown field(s) anwser (known: type, answer, points, ...)
    """
    if isinstance(key, AnswerKey):
        return key
    if not isinstance(key, dict):
        _fail(part, f"a key must be an AnswerKey or a mapping, but got {type(key).__name__}")
    unknown = set(key) - set(_KEY_FIELDS) - {"part"}
    if unknown:
        _fail(part, f"unknown field(s) {', '.join(sorted(unknown))} (known: type, answer, points, ...)")
    if "type" not in key:
        _fail(part, "the field 'type' is required")
    data = dict(key)
    data.setdefault("part", part)
    for name in ("forms", "mistakes", "hints", "functions", "constraints", "operations",
                 "forbidden"):
        if isinstance(data.get(name), list):
            data[name] = tuple(data[name])
    return AnswerKey(**data)


def load_keys(source):
    """Load a key file (TOML or JSON) into ``{part id: AnswerKey}``.

    ``source`` is a path (``.toml`` or ``.json``) or an already-loaded mapping. The
    document has ``format_version = 1`` and a ``parts`` table of keys; a document
    without ``parts`` is read as the table itself.

    >>> keys = load_keys({"format_version": 1,
    ...                   "parts": {"q1": {"type": "integer", "answer": "7"}}})
    >>> keys["q1"].reference, keys["q1"].part
    (7, 'q1')
    """
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        try:
            with open(path, "rb") as fh:
                raw = fh.read()
        except OSError as exc:
            raise GradingError(f"cannot read the key file {path}: {exc.strerror}") from None
        try:
            if path.endswith(".json"):
                doc = json.loads(raw.decode("utf-8"))
            else:
                import tomllib

                doc = tomllib.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise GradingError(f"the key file {path} is not valid "
                               f"{'JSON' if path.endswith('.json') else 'TOML'}: {exc}") from None
    elif isinstance(source, dict):
        doc = source
    else:
        raise GradingError(f"keys must be a path or a mapping, but got {type(source).__name__}")
    if not isinstance(doc, dict):
        raise GradingError("a key file must hold a table of parts")
    version = doc.get("format_version", FORMAT_VERSION)
    if version != FORMAT_VERSION:
        raise GradingError(f"format_version must be {FORMAT_VERSION}, but got {version!r}")
    parts = doc["parts"] if "parts" in doc else {k: v for k, v in doc.items()
                                                  if k != "format_version"}
    if not isinstance(parts, dict) or not parts:
        raise GradingError("a key file must define at least one part")
    out = {}
    for part_id, spec in parts.items():
        out[str(part_id)] = as_key(spec, part=str(part_id))
    return out
