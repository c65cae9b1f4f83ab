r"""Say how a result was obtained and how (or whether) it was verified.

:func:`explain` takes anything symconv hands back and prints, in plain words, what
it is, which part of the library computed it, what was checked, by which
independent method, with which tolerance and seed, and what the verdict means. A
result that carries no verification (a bare SymPy expression, a matrix, a number)
is never described as checked: the explanation says so and shows the call that
would check it.

What it understands
-------------------
* a :class:`~symconv.proofs.Derivation` (checked on the spot unless ``check=False``)
  and a :class:`~symconv.proofs.ProofReport` (from ``Derivation.check()``,
  :func:`~symconv.proofs.check_proof`, :func:`~symconv.proofs.theorems.theorem` ...):
  every step with its status and the reason;
* a :class:`~symconv.verify.CrosscheckReport` and a
  :class:`~symconv.verify.Checked` value (``conv(..., verify=True)``);
* a :class:`~symconv.nn.shapes.ShapeTable` (:func:`~symconv.nn.shapes.infer_shapes`);
* a :class:`~symconv.nn.kernels.Kernel` (verified on the spot unless ``check=False``),
  a :class:`~symconv.nn.kernels.KernelReport` and a
  :class:`~symconv.nn.kernels.MinSizeArgument`;
* a grade (:class:`~symconv.grading.GradeResult`), an equivalence
  :class:`~symconv.grading.Verdict` and a batch report;
* an exercise :class:`~symconv.exercises.Solution` (and its parts and checks);
* plain values: SymPy expressions, matrices, arrays, numbers and lists of them.

Timings are left out on purpose, so that the same object is always explained by
the same text.

Examples
--------
>>> from sympy import Symbol, exp
>>> from symconv import conv, u
>>> t = Symbol('t', real=True)
>>> text = explain(conv(exp(-t)*u(t), u(t), t))
a plain SymPy expression: (1 - exp(-t))*Heaviside(t)
obtained: not recorded (a bare value does not remember where it came from)
verified: NO - a bare value carries no verification.
  To get one, ask for it where the value is computed, e.g.
  conv(f, g, t, verify=True) or corr(f, g, t, verify=True), which return
  Checked(value, report); or check an existing closed form with
  crosscheck(value, f, g, t).
>>> text.splitlines()[0]
'a plain SymPy expression: (1 - exp(-t))*Heaviside(t)'
"""

import sys
import textwrap

import sympy as sp

from symconv.errors import SymconvError

__all__ = ["explain", "Explanation"]

_WIDTH = 88


class Explanation(str):
    """The text of an explanation (a ``str``) with a short ``repr``.

    :func:`explain` has already printed the text, so an interactive session that
    echoes the return value shows only a one-line tag instead of the text again.
    """

    __slots__ = ()

    def __repr__(self):
        first = self.split("\n", 1)[0]
        if len(first) > 60:
            first = first[:57] + "..."
        return f"<explanation: {first}>"


def explain(obj, *, check=True, quiet=False, file=None):
    """Print how ``obj`` was obtained and verified, and return that text.

    Parameters
    ----------
    obj : object
        A symconv result (see the module notes for the list) or a plain value.
    check : bool, default True
        For a :class:`~symconv.proofs.Derivation`, run ``Derivation.check()``; for a
        :class:`~symconv.nn.kernels.Kernel`, run ``Kernel.verify()``. With ``False`` they
        are only described, and the text says that nothing was checked.
    quiet : bool, default False
        Do not print; only return the text.
    file : file-like, optional
        Where to print (default ``sys.stdout``).

    Returns
    -------
    Explanation
        The printed text (a ``str`` subclass whose ``repr`` is a one-line tag).

    Raises
    ------
    SymconvError
        When ``obj`` is of a type that :func:`explain` does not know.

    Examples
    --------
    >>> from sympy import symbols, Function, Sum, oo
    >>> from symconv.proofs import Derivation
    >>> n, k, m = symbols('n k m', integer=True)
    >>> f, g = Function('f'), Function('g')
    >>> d = Derivation([Sum(f(k)*g(n - k), (k, -oo, oo)),
    ...                 (Sum(f(n - m)*g(m), (m, -oo, oo)), "substitute k = n - m")],
    ...                title="commutativity")
    >>> text = explain(d, check=False)
    derivation: commutativity (2 expressions), NOT checked
      (explain(d) or d.check() checks every step)
    obtained: written by hand or by a symconv function; a justification is only shown,
      never trusted
    steps (claims, unchecked):
        Sum(f(k)*g(-k + n), (k, -oo, oo))
      = Sum(f(-m + n)*g(m), (m, -oo, oo))    [substitute k = n - m]
    >>> explain(d)
    proof report: commutativity
    verdict: PROVEN: all 1 step(s) proven
    obtained: symconv.proofs checked every step e(i-1) = e(i) on its own; the justifications
      are shown but never trusted.
        Sum(f(k)*g(-k + n), (k, -oo, oo))
      = Sum(f(-m + n)*g(m), (m, -oo, oo))
        step 1 [substitute k = n - m]: PROVEN by a named rule applied mechanically
          change of variables k -> n - m (Sum.change_index, limits included)...
    meaning:
      proven: established exactly (identical after normalisation, decided by SymPy, or a
        named rule reproduced the right side); holds for every value of the symbols.
    <explanation: proof report: commutativity>
    >>> explain(3, quiet=True).splitlines()[0]
    'a plain number: 3'
    """
    if not isinstance(check, bool):
        raise SymconvError(f"check must be True or False, but got {check!r}")
    lines = _explain_lines(obj, check)
    text = Explanation("\n".join(lines))
    if not quiet:
        print(text, file=sys.stdout if file is None else file)
    return text


# ---------------------------------------------------------------------------
# dispatch
# ---------------------------------------------------------------------------

def _loaded(module, name):
    """The class ``module.name`` if that module is already imported, else None.

    An object of a class from a module that was never imported cannot exist, so
    nothing needs importing just to ask.
    """
    mod = sys.modules.get(module)
    return getattr(mod, name, None) if mod is not None else None


def _is(obj, module, name):
    cls = _loaded(module, name)
    return cls is not None and isinstance(obj, cls)


def _explain_lines(obj, check):
    for module, name, handler in _handlers():
        if _is(obj, module, name):
            return handler(obj, check)
    plain = _plain(obj)
    if plain is not None:
        return plain
    raise SymconvError(
        "explain needs a symconv result (a Derivation or proof report, a crosscheck report or "
        "Checked value, a shape table, a kernel or its report, a grade, an exercise solution) "
        f"or a plain SymPy/number value, but got an object of type {type(obj).__name__}")


def _handlers():
    """(defining module, class name, handler); tests/test_explain.py checks that every
    entry names a class that exists, so a rename or a move fails loudly."""
    return [
        ("symconv.proofs.report", "ProofReport", _proof_report),
        ("symconv.proofs.derivation", "Derivation", _derivation),
        ("symconv.proofs.report", "StepReport", _step_report),
        ("symconv.verify.report", "Checked", _checked),
        ("symconv.verify.report", "CrosscheckReport", _crosscheck_report),
        ("symconv.nn.architectures.table", "ShapeTable", _shape_table),
        ("symconv.nn.shapes", "ReceptiveField", _receptive_field),
        ("symconv.nn.kernels", "Kernel", _kernel),
        ("symconv.nn.kernels", "KernelReport", _kernel_report),
        ("symconv.nn.kernels", "MinSizeArgument", _min_size),
        ("symconv.grading.grader", "GradeResult", _grade_result),
        ("symconv.grading.equivalence", "Verdict", _verdict),
        ("symconv.grading.batch", "BatchReport", _batch_report),
        ("symconv.exercises._registry", "Solution", _solution),
        ("symconv.exercises._registry", "Part", _part),
        ("symconv.exercises._registry", "Check", _exercise_check),
        ("symconv.exercises._registry", "Exercise", _exercise),
    ]


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

def _wrap(text, indent="", subsequent=None, width=_WIDTH):
    """Fill ``text`` to the width; ``subsequent`` indents the continuation lines."""
    sub = indent + "  " if subsequent is None else subsequent
    return textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=sub,
                         break_long_words=False, break_on_hyphens=False) or [indent.rstrip()]


def _short(value, limit=300):
    text = sp.sstr(value) if isinstance(value, sp.Basic) else str(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


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


# ---------------------------------------------------------------------------
# proofs
# ---------------------------------------------------------------------------

def _proof_report(report, check):
    title = report.title or "a proof"
    out = [f"proof report: {title}", f"verdict: {report.summary}"]
    out += _wrap("obtained: symconv.proofs checked every step e(i-1) = e(i) on its own; the "
                 "justifications are shown but never trusted.")
    if report.expressions:
        out.append(f"    {_short(report.expressions[0])}")
    for s in report.steps:
        out.append(f"  = {_short(s.after)}")
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
           f"    {_short(step.before)}",
           f"  = {_short(step.after)}"]
    out += _wrap(f"reason: {step.reason}", "", "  ")
    if step.counterexample is not None:
        out += _wrap(f"counterexample: {step.counterexample}", "", "  ")
    return out + _meaning({step.status})


def _derivation(d, check):
    if check:
        return _proof_report(d.check(), check)
    n = len(d.expressions)
    out = [f"derivation: {d.title or 'untitled'} ({n} expressions), NOT checked",
           "  (explain(d) or d.check() checks every step)",
           *_wrap("obtained: written by hand or by a symconv function; a justification is "
                  "only shown, never trusted"),
           "steps (claims, unchecked):",
           f"    {_short(d.expressions[0])}"]
    for step in d.steps[1:]:
        why = f"    [{step.justification}]" if step.justification else ""
        own = " (has its own check)" if step.verify is not None else ""
        out.append(f"  = {_short(step.expression)}{why}{own}")
    return out


# ---------------------------------------------------------------------------
# numeric cross-checks
# ---------------------------------------------------------------------------

_VERDICT = {"agree": "AGREES with", "disagree": "DISAGREES with",
            "not verified": "could NOT be compared with"}


def _crosscheck_body(report):
    out = _wrap(f"verified: the result {_VERDICT[report.status]} an independent numeric "
                f"computation ({report.kind} {report.op}, seed {report.seed})")
    if report.reason:
        out += _wrap(f"reason: {report.reason}", "  ", "    ")
    out += _wrap(f"reference: {report.method}", "  ", "    ")
    if report.max_error is not None:
        out.append(f"  {report.points} point(s) compared over {len(report.instances)} "
                   f"instance(s); max error {report.max_error:.3g}, tolerance "
                   f"{report.tolerance:.3g}")
    for inst in report.instances:
        extra = f" ({inst.reason})" if inst.reason else ""
        out += _wrap(f"[{inst.label}] {inst.values_text()}: {inst.status}{extra}", "  ", "      ")
        for c in inst.checks:
            out += _wrap(str(c), "      ", "        ")
    for note in report.notes:
        out += _wrap(f"note: {note}", "  ", "    ")
    meaning = {
        "agree": "every comparison passed: strong numeric evidence that the closed form is "
                 "right for the parameter values tried (and the special cases listed); it is not "
                 "a symbolic proof.",
        "disagree": "at least one comparison failed: the closed form is wrong for the values "
                    "shown.",
        "not verified": "nothing was compared successfully, so nothing is claimed; the result "
                        "is NOT checked.",
    }[report.status]
    out += _wrap(f"meaning: {meaning}")
    call = {"layer": f"crosscheck_layer(result, {report.op!r}, ..., seed={report.seed})",
            "sequence": f"crosscheck(result, a, b, op={report.op!r}, seed={report.seed})"}.get(
        report.kind, f"crosscheck(result, f, g, var, op={report.op!r}, seed={report.seed})")
    out += _wrap(f"reproduce: {call} draws the same instances.")
    return out


def _crosscheck_report(report, check):
    return [f"crosscheck report ({report.kind} {report.op}): {report.status}"] + \
        _crosscheck_body(report)


def _checked(value, check):
    result, report = value
    engine = ("symconv.signals.continuous, the closed-form engine (pieces, exact antiderivatives, "
              "case splits; see the notes of symconv.signals.continuous)"
              if report.kind == "continuous" else
              "symconv.signals.discrete, the closed-form sum engine (regions, geometric and "
              "Faulhaber sums)" if report.kind == "discrete" else
              "symconv.signals.discrete.conv_seq / corr_seq, the defining sum entry by entry"
              if report.kind == "sequence" else "the exact layer of symconv.nn.layers")
    out = [f"a checked result: {_short(result)}"]
    out += _wrap(f"obtained: {report.op} computed by {engine}")
    return out + _crosscheck_body(report)


# ---------------------------------------------------------------------------
# shapes
# ---------------------------------------------------------------------------

def _shape_table(table, check):
    out = [f"shape table: {table.name}, input {_shape(table.input_shape)}, output "
           f"{_shape(table.output_shape)}, {_count(table.total_params)} parameters"]
    out += _wrap("obtained: symconv.nn.shapes applied each layer's output-size rule in turn "
                 "(convolution floor((n + p_lo + p_hi - d(k-1) - 1)/s) + 1, the transposed and "
                 "pooling rules, PyTorch's ceil_mode rule), and counted each layer's weights "
                 "and biases from its specification.")
    if table.symbols:
        names = ", ".join(s.name for s in table.symbols)
        out += _wrap(f"symbolic input ({names}): the sizes are formulas, valid where every "
                     f"layer has a size >= 1 (and matching features); {table.validity_text()}.")
        for where, condition in table.constraints:
            out.append(f"  layer {where} needs {_short(condition)}")
        if table.valid is not None and table.smallest:
            smallest = ", ".join(f"{k} = {v}" for k, v in table.smallest.items())
            out.append(f"  smallest valid input: {smallest} (found by a doubling search and "
                       f"bisection on monotone conditions)")
    out += _wrap("verified: the table is computed from the formulas, not by running the "
                 "network, so it carries no numeric check of its own.")
    out += _wrap(f"to confirm it on real arrays: symconv shapes {table.name} --check "
                 "(with --input ... and a size N for a symbolic input) runs the NumPy executor "
                 "(symconv.numeric) through the network with random weights and compares every "
                 "row's shape; in Python, symconv.architectures.run_numpy(layers, x) gives the "
                 "shapes it produced." if table.name != "network" else
                 "to confirm it on real arrays: symconv.architectures.run_numpy(layers, x) runs "
                 "the NumPy executor (symconv.numeric) with random weights and returns the shape "
                 "each layer produced, to compare with the rows.")
    return out


def _shape(shape):
    return "(" + ", ".join(_short(v) for v in shape) + ")"


def _count(value):
    return f"{value:,}" if isinstance(value, int) else _short(value)


def _receptive_field(rf, check):
    return [f"receptive field: size {_short(rf.size)}, jump {_short(rf.jump)}, start "
            f"{_short(rf.start)}, first input index {_short(rf.first)}",
            *_wrap("obtained: symconv.nn.shapes.receptive_field composed the layers' kernel "
                   "sizes, strides, paddings and dilations (size grows by d(k-1) times the "
                   "jump, the jump multiplies by the stride)."),
            *_wrap("verified: no check is attached; rf.span(i) gives the input indices seen "
                   "by output i, which can be compared with the non-zero pattern of a "
                   "conv_matrix row.")]


# ---------------------------------------------------------------------------
# kernels
# ---------------------------------------------------------------------------

def _kernel(kernel, check):
    offsets = kernel.offsets[0] if kernel.ndim == 1 else kernel.offsets
    out = [f"kernel: {kernel.name} ({kernel.form} form)",
           f"  weights {kernel.tolist()} at offsets {offsets}",
           f"  approximates {_short(kernel.approximates)}"]
    out += _wrap("obtained: exact weights from symconv.nn.kernels (Taylor expansion: exactness on "
                 "polynomials is a Vandermonde system, solved exactly; Fornberg's recursion "
                 "for derivatives).")
    if kernel.statement:
        out += _wrap(f"use: {kernel.statement}", "  ", "    ")
    if not check:
        out += _wrap(f"verified: NOT checked here; kernel.verify() checks exactness up to "
                     f"degree {kernel.exact_degree} and the error order O(h**{kernel.order}).")
        return out
    return out + _kernel_report_lines(kernel.verify())


def _kernel_report_lines(report):
    verdict = "ok" if report.ok else "FAILED"
    out = [f"verified ({verdict}) by Kernel.verify():"]
    for line in str(report).splitlines()[1:]:
        body = line.lstrip(" ")
        indent = " " * (len(line) - len(body))
        out += _wrap(body, indent, indent + "  ")
    out += _wrap("meaning: exactness is proven symbolically (identically in the point and "
                 "in h); the convergence order is measured numerically with 50-digit "
                 "arithmetic and compared with the order predicted by the leading error term.")
    return out


def _kernel_report(report, check):
    return [f"kernel verification: {report.kernel}"] + _kernel_report_lines(report)


def _min_size(arg, check):
    out = [f"minimum kernel size for a derivative of order {arg.order}: {arg.size} taps",
           *_wrap("obtained: symconv.nn.kernels.min_kernel_size; the argument is the moment "
                  "system sum_m w_m o_m**j (j = 0..d), a Vandermonde system:"),
           *("  " + line for line in arg.text.splitlines()),
           "verified:"]
    for claim, status, reason in arg.checks:
        out += _wrap(f"[{status}] {claim} ({reason})", "  ", "    ")
    statuses = {status for _c, status, _r in arg.checks}
    if "proven" in statuses:
        out += _wrap(f"proven: established symbolically by SymPy for this order (d = "
                     f"{arg.order}), with symbolic offsets.", "", "  ")
    if "confirmed" in statuses:
        out += _wrap("confirmed: too large to expand symbolically; checked on random sets of "
                     "distinct integer offsets (seed 0) only.", "", "  ")
    if statuses & {"refuted", "unverified"}:
        out += _wrap("refuted/unverified: the claim failed or could not be checked; the "
                     "argument does not stand as given.", "", "  ")
    return out


# ---------------------------------------------------------------------------
# grading
# ---------------------------------------------------------------------------

def _trail_lines(trail):
    out = []
    for entry in trail:
        detail = f": {entry.detail}" if entry.detail else ""
        out += _wrap(f"{entry.strategy} -> {entry.outcome}{detail}", "  ", "      ")
    return out


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


def _verdict(verdict, check):
    out = [f"equivalence verdict: {verdict.status}"]
    if verdict.detail:
        out += _wrap(verdict.detail, "  ", "    ")
    out += _wrap("obtained: symconv.grading.equivalent tried its strategies in order:")
    out += _trail_lines(verdict.trail)
    if verdict.strategy:
        kind = ("exact: a proof of the verdict (an identity, or a counterexample in exact "
                "arithmetic)" if verdict.proven else "numerically (not a proof)")
        extra = ""
        if not verdict.proven and verdict.points:
            extra = f" at {verdict.points} point(s)"
            if verdict.tolerance is not None:
                extra += f", tolerance {verdict.tolerance:g}"
        out += _wrap(f"decided by: {verdict.strategy}, {kind}{extra}")
    if verdict.counterexample:
        out += _wrap(f"counterexample: {verdict.counterexample}", "", "  ")
    return out


def _batch_report(report, check):
    rows = list(report.results)
    order = ("correct", "partial", "incorrect", "invalid", "timeout")
    counts = {status: sum(1 for r in rows if r.get("status") == status) for status in order}
    score = sum(float(r.get("score") or 0) for r in rows)
    best = sum(float(r.get("max_score") or 0) for r in rows)
    out = [f"batch of {len(rows)} graded answer(s): "
           + ", ".join(f"{status} {n}" for status, n in counts.items()),
           f"points: {score:g} of {best:g}"]
    out += _wrap("obtained: symconv.grading.grade_batch graded every answer on its own (in an "
                 "isolated worker process with time and memory limits, unless workers=0), "
                 "each against its part's key, exactly as grade() does.")
    proven = sum(1 for r in rows if r.get("proven"))
    decided = [r for r in rows if r.get("strategy")]
    if decided:
        out += _wrap(f"decided: {proven} of {len(decided)} verdict(s) exact (an identity or "
                     f"an exact counterexample), {len(decided) - proven} numerically at seeded "
                     "sample points")
    review = [r for r in rows if r.get("review")]
    if review:
        which = ", ".join(str(r.get("row")) for r in review[:10])
        out += _wrap(f"flagged for review by a human: {len(review)} row(s) ({which}"
                     + (", ..." if len(review) > 10 else "") + ")")
    out += _wrap("each row keeps its feedback (and its trail with trail=True); "
                 "explain(grade(answer, key)) explains one answer.")
    return out


# ---------------------------------------------------------------------------
# exercises
# ---------------------------------------------------------------------------

_EX_STATUS = {"proven": "proven", "unverified": "UNVERIFIED", "refuted": "REFUTED",
              "written": "written answer only"}


def _ex_status(item):
    # a confirmed part, solution or check says how: numerically or on finitely many cases
    if item.status != "confirmed":
        return _EX_STATUS[item.status]
    if hasattr(item, "status_text"):
        return item.status_text
    return "confirmed " + item.basis


def _part_lines(part, indent=""):
    label = f"part {part.label}" if part.label is not None else "answer"
    shown = _short(part.answer, 200) if not part.written else "(written model answer)"
    out = _wrap(f"{label}: {shown}", indent, indent + "    ")
    out.append(f"{indent}  verification: {_ex_status(part)}")
    for c in part.checks:
        out += _wrap(str(c), indent + "    - ", indent + "      ")
    out.append(f"{indent}  " + ("gradable: answer key with "
                                f"{len(part.key.get('mistakes', ()) or ())} anticipated "
                                "mistake(s)" if part.key is not None else
                                "not auto-gradable (no answer key)"))
    return out


def _solution(solution, check):
    ex = solution.exercise
    out = [f"exercise {ex.id}: {ex.title}",
           f"status: {_ex_status(solution)} (the weakest status of its parts)"]
    out += _wrap("obtained: the exercise's solver called the library to compute every "
                 "answer (no pasted constants) and attached the checks below.")
    for part in solution.parts:
        out += _part_lines(part, "  ")
    out += _wrap("meaning: 'proven' = established exactly (a checked derivation, an identity "
                 "SymPy decided, or exact agreement with an independent computation); "
                 "'confirmed numerically' = agreement with an independent numeric computation "
                 "within the stated tolerance and seed; 'confirmed on finitely many cases' = "
                 "exact agreement of a general formula on a finite grid of cases (or one "
                 "instance), which is evidence, not a proof for all values.")
    return out


def _part(part, check):
    return [f"exercise part {part.id}"] + _part_lines(part)


def _exercise_check(c, check):
    return [f"verification of an exercise answer: {_ex_status(c)}",
            *_wrap(str(c), "  ", "    ")]


def _exercise(ex, check):
    if check:
        return _solution(ex.solve(), check)
    return [f"exercise {ex.id}: {ex.title} (not solved here: exercise.solve() computes and "
            "verifies it)"]


# ---------------------------------------------------------------------------
# plain values
# ---------------------------------------------------------------------------

_HOW_TO_VERIFY = (
    "verified: NO - a bare value carries no verification.",
    "  To get one, ask for it where the value is computed, e.g.",
    "  conv(f, g, t, verify=True) or corr(f, g, t, verify=True), which return",
    "  Checked(value, report); or check an existing closed form with",
    "  crosscheck(value, f, g, t).",
)


def _plain(obj):
    if isinstance(obj, bool):
        return None
    if isinstance(obj, sp.MatrixBase):
        out = [f"a plain SymPy matrix ({obj.rows} x {obj.cols})"]
        out += _wrap("obtained: not recorded (a Matrix, for instance from conv_matrix, does not "
                     "remember its kernel or hyper-parameters)")
        out += _wrap("verified: NO - a matrix carries no verification. For M = "
                     "conv_matrix(w, shape, ...), compare M * vec(x) with "
                     "conv_layer(x, w, ...) on a symbolic x (unvec reshapes the product), or "
                     "use crosscheck_layer to compare the exact layer with the NumPy executor.")
        return out
    if isinstance(obj, sp.NDimArray):
        return [f"a plain SymPy array of shape {tuple(obj.shape)}",
                "obtained: not recorded (a bare value does not remember where it came from)",
                *_wrap("verified: NO - an array carries no verification. For a layer output y "
                       "= conv_layer(x, w, ...), crosscheck_layer(y, 'conv_layer', x, w, ...) "
                       "compares it with the NumPy executor on random values of its symbols.")]
    if isinstance(obj, sp.Basic):
        what = "a plain SymPy expression"
        if isinstance(obj, sp.Integral) or isinstance(obj, sp.Sum):
            kind = "Integral" if isinstance(obj, sp.Integral) else "Sum"
            return [f"an unevaluated {kind}: {_short(obj)}",
                    *_wrap(f"obtained: no closed form was found, so the unevaluated {kind} is "
                           "returned (SymPy's convention); it is the exact definition, never a "
                           "guess."),
                    *_wrap("verified: there is nothing to verify; a numeric value at a point "
                           "is obj.subs(...).evalf(), and method='laplace' or "
                           "method='integrate' may still find a closed form.")]
        if obj.has(sp.Integral, sp.Sum):
            what = "a SymPy expression that still holds an unevaluated Integral or Sum"
        return [f"{what}: {_short(obj)}",
                "obtained: not recorded (a bare value does not remember where it came from)",
                *_HOW_TO_VERIFY]
    if isinstance(obj, (int, float)) or (hasattr(obj, "dtype") and getattr(obj, "ndim", 1) == 0):
        return [f"a plain number: {obj}",
                *_wrap("obtained: not recorded; sizes from conv_output_size and friends are "
                       "evaluations of the formula in symconv.nn.shapes (pass SymPy symbols to see "
                       "the formula itself)."),
                "verified: NO - a bare number carries no verification."]
    if hasattr(obj, "shape") and hasattr(obj, "dtype"):
        return [f"a NumPy array of shape {tuple(obj.shape)} ({obj.dtype})",
                *_wrap("obtained: not recorded; arrays of symconv.numeric come from the "
                       "vectorised executor, which is the independent reference that symbolic "
                       "results are checked against (it is tested against a naive loop "
                       "implementation)."),
                "verified: NO - an array carries no verification of its own."]
    if isinstance(obj, (list, tuple)) and obj and all(
            isinstance(v, (sp.Basic, int, float)) and not isinstance(v, bool) for v in obj):
        return [f"a plain {type(obj).__name__} of {len(obj)} value(s): {_short(list(obj))}",
                "obtained: not recorded (a bare value does not remember where it came from)",
                "verified: NO - a bare value carries no verification.",
                *_wrap("  For sequences, conv(a, b, verify=True) (or corr) returns "
                       "Checked(value, report) compared with symconv.numeric.convolve.",
                       "", "  ")]
    return None
