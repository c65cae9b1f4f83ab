"""Report types of the proof checker: :class:`StepCheck`, :class:`Step`, :class:`StepReport`,
:class:`ProofReport` and :class:`Counterexample`, with their text rendering.
"""

import re
from dataclasses import dataclass, field


from symconv.errors import SymconvError
from symconv._util.explaining import short as _ex_short
from symconv._util.explaining import wrap as _wrap



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

    def __str__(self):
        parts = [f"{name} = {value}" for name, value in self.symbols]
        parts += [_function_text(name, desc) for name, desc in self.functions]
        where = ", ".join(parts) if parts else "no free symbols"
        return f"{where}: left side = {_fmt_number(self.lhs)}, right side = {_fmt_number(self.rhs)}"


_MAPS_TO = re.compile(r"\(([^()]*)\) -> (.*)", re.S)


def _function_text(name, desc):
    """``f(x) = rect(x - 1/2) ...`` for a function described as ``(x) -> rect(x - 1/2) ...``;
    ``f = [3, 8] at i = 0..1 ...`` for a sequence.

    >>> _function_text("g", "(x) -> e^(-x) u(x) (a one-sided exponential)")
    'g(x) = e^(-x) u(x) (a one-sided exponential)'
    """
    m = _MAPS_TO.fullmatch(desc) if isinstance(desc, str) else None
    if m is None:
        return f"{name} = {desc}"
    return f"{name}({m.group(1)}) = {m.group(2)}"


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
    text: object = None

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

    def __explain__(self, check=True):
        """The lines :func:`symconv.explain` prints for this object."""
        return _step_report(self, check)


# how numeric_check states its number of instances or points
_CHECKED_ON = re.compile(r"(?:on|at every|at a random sample of) (\d+) (?:random instance|point)")

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
    texts : tuple, optional
        The student's own text of ``e0`` (for a proof typed as text); each step's
        ``text`` holds that of its right-hand side.
    """

    title: object
    expressions: tuple
    steps: tuple
    texts: tuple = ()

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
    def verdict(self):
        """'proven' (every step proven), 'plausible' (none refuted or undecided, some only
        checked numerically), 'refuted' (some step is false) or 'undecided'."""
        if self.refuted:
            return "refuted"
        if self.unverified:
            return "undecided"
        return "plausible" if self.confirmed else "proven"

    @property
    def summary(self):
        """One line: the verdict, and how many steps were proven or only checked numerically.

        A step confirmed on instances is evidence, not a proof, so a proof with such steps
        is PLAUSIBLE, never PROVEN."""
        total = len(self.steps)
        counts = ", ".join(f"{len(self._indices(s))} {s}" for s in STATUSES if self._indices(s))
        verdict = self.verdict
        if verdict == "proven":
            return f"PROVEN: all {total} step(s) proven"
        if verdict == "plausible":
            numbers = [int(m.group(1)) for s in self.steps if s.status == "confirmed"
                       for m in [_CHECKED_ON.search(s.reason)] if m]
            on = f" on {min(numbers)}{'+' if len(set(numbers)) > 1 else ''} instance(s)" if numbers else ""
            return (f"PLAUSIBLE: {len(self.proven)} of {total} step(s) proven, "
                    f"{len(self.confirmed)} only checked numerically{on}")
        if verdict == "refuted":
            first = self.steps[self.refuted[0] - 1]
            where = f" (line {first.line})" if first.line is not None else ""
            return f"REFUTED at step {first.index}{where}: {total} step(s) ({counts})"
        return f"UNDECIDED: {total} step(s) ({counts})"

    def __str__(self):
        lines = [self.title] if self.title else []
        lines.append(self.summary)
        first = self.texts[0] if self.texts and self.texts[0] else None
        if self.expressions:
            lines.append(f"    {first or _short(self.expressions[0])}")
        for s in self.steps:
            # the student's own line when the proof was typed as text, not SymPy's rewrite
            lines.append(f"  = {s.text or _short(s.after)}")
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

    def __explain__(self, check=True):
        """The lines :func:`symconv.explain` prints for this object."""
        return _proof_report(self, check)


_PRINTER = None


def proof_str(expr):
    """An expression of a proof as a reader writes it: a sum starts with a positive term
    (``n - c``, not ``-c + n``; otherwise SymPy's order), and a shifted function
    ``Lambda(x, f(x - c))`` as ``f(· - c)``.

    >>> import sympy as sp
    >>> n, c, x = sp.symbols('n c x')
    >>> f = sp.Function('f')
    >>> proof_str(sp.Sum(f(n - c - x), (x, 0, n)))
    'Sum(f(n - c - x), (x, 0, n))'
    >>> proof_str((x + 1)**2 - x**2)
    '(x + 1)**2 - x**2'
    >>> proof_str(sp.Lambda(x, f(x - c)))
    'f(· - c)'
    """
    global _PRINTER
    if _PRINTER is None:
        import sympy as sp
        from sympy.printing.str import StrPrinter

        class ProofStrPrinter(StrPrinter):
            def _as_ordered_terms(self, expr, order=None):
                terms = list(super()._as_ordered_terms(expr, order=order))
                if terms and terms[0].could_extract_minus_sign():
                    first = next((i for i, term in enumerate(terms)
                                  if not term.could_extract_minus_sign()), None)
                    if first is not None:
                        terms.insert(0, terms.pop(first))
                return terms

            def _print_Lambda(self, obj):
                if len(obj.variables) == 1:
                    return self._print(obj.expr.xreplace({obj.variables[0]: sp.Symbol("·")}))
                return super()._print_Lambda(obj)

        _PRINTER = ProofStrPrinter
    from symconv._util.sympy_safety import print_order

    return _PRINTER({"order": print_order(expr)}).doprint(expr)


def _short(expr, limit=200):
    text = proof_str(expr)
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
# explain(): what these results say about how they were obtained and checked
# ---------------------------------------------------------------------------

_METHOD_TEXT = {
    "identical": "the two sides are identical (after normalisation)",
    "sympy": "SymPy decided the equality",
    "rule": "a named rule applied mechanically",
    "numeric": "agreement on random instances",
    "custom": "the step's own check",
    "parse": "the line could not be read",
}


_STATUS_MEANING = {
    "proven": "established exactly (identical after normalisation, decided by SymPy, or a "
              "named rule reproduced the right side); holds for every value of the symbols.",
    "confirmed": "SymPy could not decide it, but both sides agreed on random instances "
                 "(random sequences or functions for f, g, random values for the symbols; "
                 "seeded, so check() with the same seed repeats them). Strong evidence, not "
                 "a proof.",
    "refuted": "the two sides differ on the concrete instance shown (the counterexample): "
               "the step is wrong as written.",
    "unverified": "neither decided nor testable; nothing is claimed about this step.",
}


def _meaning(statuses):
    present = [s for s in ("proven", "confirmed", "refuted", "unverified") if s in statuses]
    if not present:
        return []
    out = ["meaning:"]
    for status in present:
        out += _wrap(f"{status}: {_STATUS_MEANING[status]}", "  ", "    ")
    return out


def _proof_report(report, check):
    title = report.title or "a proof"
    out = [f"proof report: {title}", f"verdict: {report.summary}"]
    out += _wrap("obtained: symconv.proofs checked every step e(i-1) = e(i) on its own; the "
                 "justifications are shown but never trusted.")
    if report.expressions:
        out.append(f"    {_ex_short(report.expressions[0])}")
    for s in report.steps:
        out.append(f"  = {_ex_short(s.after)}")
        why = f" [{s.justification}]" if s.justification else ""
        where = f" (line {s.line})" if s.line is not None else ""
        how = _METHOD_TEXT.get(s.method, "")
        if s.method == "numeric" and s.status == "refuted":
            how = "a random instance on which the sides differ"
        out.append(f"    step {s.index}{where}{why}: {s.status.upper()}" + (f" by {how}" if how else ""))
        out += _wrap(s.reason, "      ", "      ")
        if s.counterexample is not None:
            out += _wrap(f"counterexample: {s.counterexample}", "      ", "        ")
    failure = report.first_failure
    if failure is not None:
        where = f" (line {failure.line})" if failure.line is not None else ""
        out.append(f"first step that is not proven or confirmed: {failure.index}{where}")
    out += _meaning({s.status for s in report.steps})
    return out


def _step_report(step, check):
    why = f" [{step.justification}]" if step.justification else ""
    where = f" (line {step.line})" if step.line is not None else ""
    how = _METHOD_TEXT.get(step.method, "")
    if step.method == "numeric" and step.status == "refuted":
        how = "a random instance on which the sides differ"
    out = [f"proof step {step.index}{where}{why}: {step.status.upper()}"
           + (f" by {how}" if how else ""),
           f"    {_ex_short(step.before)}",
           f"  = {_ex_short(step.after)}"]
    out += _wrap(f"reason: {step.reason}", "", "  ")
    if step.counterexample is not None:
        out += _wrap(f"counterexample: {step.counterexample}", "", "  ")
    return out + _meaning({step.status})
