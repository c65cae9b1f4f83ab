"""Tests of symconv.explain: every kind of result is explained truthfully.

The explanation of a verified result must name the independent method, the seed and
the tolerance that the result's own report holds; a failed or missing verification
must never read as a pass; a bare value must say that it carries no verification.
"""

import io
from pathlib import Path
import sys
import re

import pytest
import sympy as sp
from sympy import Function, Rational, Sum, exp, oo, symbols

import symconv as sc
from symconv.verify import crosscheck
from symconv.errors import SymconvError
from symconv.explain import Explanation, explain
from symconv.proofs import Derivation, Step, StepCheck

t = sp.Symbol("t", real=True)
a, b = symbols("a b", positive=True)
n, k, m = symbols("n k m", integer=True)
f, g = Function("f"), Function("g")


def flat(text):
    """The text with every run of whitespace (line wraps included) as one space."""
    return " ".join(text.split())


def _closed():
    return (exp(-a * t) - exp(-b * t)) / (b - a) * sc.u(t)


# --------------------------------------------------------------------------- output channel

def test_prints_exactly_what_it_returns(capsys):
    text = explain(t ** 2)
    assert capsys.readouterr().out == text + "\n"
    assert isinstance(text, str) and isinstance(text, Explanation)


def test_quiet_and_file():
    buffer = io.StringIO()
    text = explain(t ** 2, file=buffer)
    assert buffer.getvalue() == text + "\n"
    quiet = io.StringIO()
    import contextlib

    with contextlib.redirect_stdout(quiet):
        again = explain(t ** 2, quiet=True)
    assert quiet.getvalue() == "" and again == text


def test_repr_is_a_short_tag_not_the_text_again():
    text = explain(sp.Matrix([[1, 2], [3, 4]]), quiet=True)
    assert repr(text).startswith("<explanation: a plain SymPy matrix (2 x 2)")
    assert "\n" not in repr(text)


def test_unknown_objects_are_refused():
    with pytest.raises(SymconvError, match="explain needs a symconv result.*object"):
        explain(object())
    with pytest.raises(SymconvError, match="check must be True or False"):
        explain(t, check="yes")


# --------------------------------------------------------------------------- plain values

def test_a_plain_expression_is_never_called_verified():
    value = sc.conv(exp(-t) * sc.u(t), sc.u(t), t)
    text = explain(value, quiet=True)
    assert sp.sstr(value) in text
    assert "verified: NO" in text and "verify=True" in text and "crosscheck(" in text
    assert "AGREES" not in text


def test_an_unevaluated_integral_says_no_closed_form():
    text = explain(sp.Integral(exp(-t ** 4), (t, 0, oo)), quiet=True)
    assert text.startswith("an unevaluated Integral") and "no closed form" in text


def test_numbers_lists_arrays_and_matrices():
    assert explain(sc.conv_output_size(32, 5, padding=2), quiet=True).startswith("a plain number: 32")
    text = explain(sc.conv_seq([a, b], [1, 2]), quiet=True)
    assert text.startswith("a plain list of 3 value(s): [a, 2*a + b, 2*b]")
    assert "verify=True" in text
    text = explain(sc.conv_matrix([1, 2], 3), quiet=True)
    assert text.startswith("a plain SymPy matrix (2 x 3)") and "conv_layer" in text
    import numpy as np

    assert explain(np.zeros((2, 3)), quiet=True).startswith("a NumPy array of shape (2, 3)")


# --------------------------------------------------------------------------- cross-checks

def _numbers_in(report):
    return [f"seed {report.seed}", f"max error {report.max_error:.3g}",
            f"tolerance {report.tolerance:.3g}"]


def test_checked_value_shows_its_report():
    result = sc.conv(exp(-a * t) * sc.u(t), exp(-b * t) * sc.u(t), t, verify=True)
    assert result.report.agree is True
    text = flat(explain(result, quiet=True))
    assert text.startswith("a checked result: ")
    assert "AGREES" in text and "not a symbolic proof" in text
    for piece in _numbers_in(result.report):
        assert piece in text
    # every instance of the report is listed with its parameter values and verdict
    for inst in result.report.instances:
        assert f"[{inst.label}] {inst.values_text()}: {inst.status}" in text


def test_a_wrong_closed_form_is_explained_as_wrong():
    report = crosscheck(2 * _closed(), exp(-a * t) * sc.u(t), exp(-b * t) * sc.u(t), t)
    assert report.agree is False
    text = flat(explain(report, quiet=True))
    assert "DISAGREES" in text and not re.search(r"\bAGREES", text) and "wrong" in text


def test_an_unverifiable_result_is_not_called_checked():
    report = crosscheck(sp.Integral(sp.exp(t), (t, 0, 1)) * t, sc.u(t), sc.u(t), t)
    assert report.agree is None
    text = flat(explain(report, quiet=True))
    assert "could NOT be compared" in text and "NOT checked" in text


def test_sequence_report_names_the_sequence_call():
    result = sc.conv([a, b], [1, 2], verify=True)
    text = explain(result, quiet=True)
    assert "crosscheck(result, a, b, op='conv', seed=0)" in text


# --------------------------------------------------------------------------- proofs

def _commutativity():
    return Derivation([Sum(f(k) * g(n - k), (k, -oo, oo)),
                       (Sum(f(n - m) * g(m), (m, -oo, oo)), "substitute k = n - m")],
                      title="commutativity")


def test_derivation_is_checked_and_every_step_listed():
    d = sc.theorem("associativity", kind="discrete")
    report = d.check()
    text = explain(d, quiet=True)
    assert text == explain(report, quiet=True)       # same verdicts, same words
    statuses = re.findall(r"step (\d+)[^:]*: (PROVEN|CONFIRMED|REFUTED|UNVERIFIED)", text)
    assert [(int(i), s.lower()) for i, s in statuses] == [(s.index, s.status) for s in report.steps]
    assert report.summary in text


def test_unchecked_derivation_runs_no_check():
    calls = []

    def verify():
        calls.append(1)
        return StepCheck("proven", "by hand")

    d = Derivation([t, Step(t, "same", verify=verify)], title="trivial")
    text = explain(d, check=False, quiet=True)
    assert calls == [] and "NOT checked" in text and "(has its own check)" in text
    text = explain(d, quiet=True)
    assert calls == [1] and "PROVEN by the step's own check" in text


def test_refuted_step_shows_the_counterexample():
    report = sc.check_proof(["sum(f(k)*g(n-k), (k, -oo, oo))",
                             "= sum(f(k)*g(n+k), (k, -oo, oo))  # wrong shift"])
    assert report.steps[0].status == "refuted"
    text = explain(report, quiet=True)
    assert "REFUTED by a random instance on which the sides differ" in text
    assert "counterexample: " in text and "left side = " in text
    assert "first step that is not proven or confirmed: 1 (line 2)" in text
    assert "VALID" not in text.replace("NOT VALID", "")


def test_a_single_step_report():
    report = sc.check_proof(["sum(f(k)*g(n-k), (k, -oo, oo))",
                             "= sum(f(k)*g(n+k), (k, -oo, oo))  # wrong shift"])
    text = flat(explain(report.steps[0], quiet=True))
    assert text.startswith("proof step 1 (line 2) [wrong shift]: REFUTED")
    assert "counterexample: " in text and "refuted: the two sides differ" in text


def test_confirmed_step_is_explained_as_evidence_not_proof():
    confirmed = StepCheck("confirmed", "agreed on 6 random instances (seed 3)", method="numeric")
    d = Derivation([t, Step(t, "numbers", verify=lambda: confirmed)])
    text = explain(d, quiet=True)
    assert "CONFIRMED by agreement on random instances" in text
    assert "not a proof" in flat(text)


def test_explanation_is_deterministic():
    assert explain(_commutativity(), quiet=True) == explain(_commutativity(), quiet=True)


# --------------------------------------------------------------------------- shapes

def test_shape_table_symbolic_and_numeric():
    table = sc.infer_shapes("alexnet", (3, "n", "n"))
    text = explain(table, quiet=True)
    assert text.startswith("shape table: alexnet, input (1, 3, n, n), output (1, 1000), "
                           "61,100,840 parameters")
    assert "valid for integer n >= 63" in text and "smallest valid input: n = 63" in text
    assert "symconv shapes alexnet --check" in text
    assert "no numeric check of its own" in text
    text = explain(sc.infer_shapes("lenet5"), quiet=True)
    assert "61,706 parameters" in text and "symbolic input (" not in text


def test_receptive_field():
    rf = sc.receptive_field([(3, 1, 1), (3, 2)])
    text = explain(rf, quiet=True)
    assert text.startswith(f"receptive field: size {rf.size}, jump {rf.jump}")


# --------------------------------------------------------------------------- kernels

def test_kernel_is_verified_on_the_spot():
    kernel = sc.derivative_kernel(2)
    text = explain(kernel, quiet=True)
    report = kernel.verify()
    assert "verified (ok) by Kernel.verify()" in text
    assert f"measured order {report.measured_order:.2f}" in text
    assert "leading error h**2*Derivative(f(x), (x, 4))/12" in text
    unchecked = explain(kernel, check=False, quiet=True)
    assert "NOT checked" in unchecked and "measured order" not in unchecked


def test_a_failing_kernel_is_reported_failed():
    from symconv.nn.kernels import Kernel

    good = sc.derivative_kernel(2)
    bad = Kernel({(-1,): 1, (0,): -2, (1,): Rational(11, 10)}, [(-1, 1)], -2, good._target,
                 name="perturbed second difference", exact_degree=3)
    text = explain(bad, quiet=True)
    assert "verified (FAILED)" in text and "(ok)" not in text


def test_min_kernel_size_argument():
    text = explain(sc.min_kernel_size(3, explain=True), quiet=True)
    assert text.startswith("minimum kernel size for a derivative of order 3: 4 taps")
    assert text.count("[proven]") == 3
    assert "established symbolically by SymPy for this order (d = 3)" in flat(text)


# --------------------------------------------------------------------------- grading

KEY = {"type": "expression", "answer": "2n + 1", "points": 2,
       "variables": {"n": {"domain": "integer", "min": 0, "max": 20}}}


def test_grade_explanations_follow_the_trail():
    import symconv.grading as sg

    wrong = sg.grade("2n", KEY)
    text = explain(wrong, quiet=True)
    assert text.startswith("grade: incorrect, 0/2")
    for entry in wrong.trail:
        assert f"{entry.strategy} -> {entry.outcome}" in text
    assert "ms)" not in text                      # no timings: the text is reproducible
    sampled = sg.grade("sin(n)**2 + cos(n)**2 + 2n", KEY)
    assert sampled.status == "correct" and not sampled.proven
    assert "numerically, at seeded sample points within the key's tolerance (not a proof)" in \
        flat(explain(sampled, quiet=True))
    proved = sg.grade("n + n + 1", KEY)
    assert proved.proven and "exact: a proof of the verdict" in flat(explain(proved, quiet=True))


def test_batch_report_counts_without_timings():
    import symconv.grading as sg

    rows = [{"student": "a", "part": "p", "answer": "2n + 1"},
            {"student": "b", "part": "p", "answer": "2n"},
            {"student": "c", "part": "p", "answer": "__import__('os')"}]
    report = sg.grade_batch(rows, {"p": KEY}, workers=0)
    text = explain(report, quiet=True)
    assert text.startswith("batch of 3 graded answer(s): correct 1, partial 0, incorrect 1, "
                           "invalid 1, timeout 0")
    assert "points: 2 of 6" in text
    assert not re.search(r"\d s\b|answers/s", text)


def test_verdict():
    import symconv.grading as sg

    verdict = sg.equivalent("2*x + 2", "2*(x + 1)")
    text = explain(verdict, quiet=True)
    assert text.startswith(f"equivalence verdict: {verdict.status}")


# --------------------------------------------------------------------------- exercises

def test_exercise_solution():
    ex = pytest.importorskip("symconv.exercises")
    exercise = ex.all_exercises()[0]
    solution = exercise.solve()
    text = explain(solution, quiet=True)
    assert text.startswith(f"exercise {exercise.id}: {exercise.title}")
    for part in solution.parts:
        for check in part.checks:
            assert check.method in text
    assert explain(exercise, quiet=True) == text
    assert "not solved here" in explain(exercise, check=False, quiet=True)


def test_every_result_class_explains_itself():
    # explain() asks the object (__explain__, defined beside each class); no table of
    # module and class names that a move or rename could silently break
    import importlib

    classes = [("symconv.proofs.report", "ProofReport"), ("symconv.proofs.report", "StepReport"),
               ("symconv.proofs.derivation", "Derivation"), ("symconv.verify.report", "Checked"),
               ("symconv.verify.report", "CrosscheckReport"),
               ("symconv.nn.architectures.table", "ShapeTable"),
               ("symconv.nn.shapes", "ReceptiveField"), ("symconv.nn.kernels", "Kernel"),
               ("symconv.nn.kernels", "KernelReport"), ("symconv.nn.kernels", "MinSizeArgument"),
               ("symconv.grading.grader", "GradeResult"), ("symconv.grading.equivalence", "Verdict"),
               ("symconv.grading.batch", "BatchReport"), ("symconv.exercises._registry", "Solution"),
               ("symconv.exercises._registry", "Part"), ("symconv.exercises._registry", "Check"),
               ("symconv.exercises._registry", "Exercise")]
    for module_name, class_name in classes:
        cls = getattr(importlib.import_module(module_name), class_name)
        assert callable(getattr(cls, "__explain__", None)), f"{class_name} cannot explain itself"
    source = (Path(sys.modules["symconv.explain"].__file__)).read_text(encoding="utf-8")
    assert "sys.modules" not in source and "_handlers" not in source


def test_every_family_maps_its_words_to_one_status():
    import sympy as sp

    import symconv.grading as sg
    from symconv.verdict import ORDER, Status, weakest

    t = sp.Symbol("t", real=True)
    report = sc.conv(sc.u(t), sc.u(t), t, verify=True).report
    assert report.verdict is Status.CONFIRMED                 # numeric evidence, never proven
    x = sp.Symbol("x")
    assert sg.equivalent((x + 1)**2, x**2 + 2*x + 1).verdict is Status.PROVEN
    assert sg.equivalent(x**2, x**2 + 1).verdict is Status.REFUTED
    assert weakest(["proven", "agree", "proven"]) is Status.CONFIRMED
    assert list(ORDER) == [Status.REFUTED, Status.UNVERIFIED, Status.CONFIRMED, Status.PROVEN]
    import symconv.exercises as ex
    assert ex.STATUS_ORDER == tuple(s.value for s in ORDER)
