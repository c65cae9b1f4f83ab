"""What an answer may be built from: the key fields closed_form, operations, forbidden and
at_most (symconv.grading.forms.operations and the grader's refusals)."""

import pickle
import tomllib

import pytest
import sympy as sp

import symconv.grading as sg
from symconv.errors import GradingError
from symconv.grading.forms import closed_form_problem, operations, operations_problem
from symconv.grading.grader import prepare
from symconv.parsing import parse_math

REAL_AB = {"a": {"domain": "real"}, "b": {"domain": "real"}}
MAX_WITH_ONE_RELU = {"type": "expression", "answer": "b + max(a - b, 0)", "variables": REAL_AB,
                     "operations": ["add", "relu"], "at_most": {"relu": 1},
                     "mistakes": [{"answer": "max(a, 0) + max(b, 0)", "credit": 0,
                                   "feedback": "ReLU(a) + ReLU(b) adds both positive parts."}]}
MIN_FROM_MAX = {"type": "expression", "answer": "-max(-a, -b)", "variables": REAL_AB,
                "operations": ["max", "negate"]}
RAMP_STEP = {"type": "expression", "answer": "t^2/2 u(t)", "closed_form": True,
             "variables": {"t": {"domain": "real", "min": -4, "max": 6}}}


def ops(text, **options):
    return sorted(name for name, _node in operations(parse_math(text, evaluate=False, **options)))


# ---------------------------------------------------------------- reading the written answer

@pytest.mark.parametrize("text, expected", [
    ("a + b - c", ["add", "add"]),
    ("-a", ["negate"]),
    ("2a", ["scale"]),
    ("a/2", ["scale"]),
    ("-2a", ["negate", "scale"]),
    ("a - 2b", ["add", "scale"]),
    ("a b", ["multiply"]),
    ("a/b", ["divide"]),
    ("a b/c", ["divide", "multiply"]),
    ("a^2", ["power"]),
    ("a^-2", ["divide", "power"]),
    ("sqrt(a)", ["sqrt"]),
    ("e^a", ["exp"]),
    ("exp(a)", ["exp"]),
    ("max(a, 0)", ["relu"]),
    ("max(0, a)", ["relu"]),
    ("max(a, b)", ["max"]),
    ("max(a, b, 0)", ["max"]),
    ("min(a, b)", ["min"]),
    ("|a| + floor(a/2)", ["abs", "add", "floor", "scale"]),
    ("2 + 1/2 + pi", []),              # numbers are not operations
    ("a", []),
])
def test_operations_of_a_written_answer(text, expected):
    assert ops(text) == expected


def test_unevaluated_operations_are_recognised():
    assert "integral" in ops("integrate(tau, (tau, 0, t))")
    assert "integral" in ops(r"\int_0^t \tau \, d\tau")
    assert "sum" in ops("sum(a^k b^(n - k), (k, 0, n))")
    assert "derivative" in ops("Derivative(t^2, t)")
    assert ops("conv(f(t), g(t))", functions=("conv", "f", "g")).count("conv") == 1
    assert ops("f(t)", functions=("f",)) == ["function"]
    t = sp.Symbol("t")
    assert [n for n, _ in operations(sp.Limit(sp.sin(t) / t, t, 0))][0] == "limit"


def test_operations_walk_containers_and_equations():
    assert ops("[a + b, 2c]") == ["add", "scale"]
    assert ops("[[a, -b], [a b, 1]]") == ["multiply", "negate"]
    assert ops("y = a + b") == ["add"]


def test_problem_texts_say_what_was_expected_and_what_was_given():
    problem = closed_form_problem(parse_math("integrate(tau, (tau, 0, t)) u(t)"))
    assert "closed form" in problem and "Integral(tau, (tau, 0, t))" in problem
    assert closed_form_problem(parse_math("t^2/2 u(t)")) is None
    problem = operations_problem(parse_math("(a + b + |a - b|)/2", evaluate=False),
                                 allowed=("add", "relu"), at_most={"relu": 1})
    assert "built only from addition/subtraction and ReLU" in problem
    assert "an absolute value (Abs(a - b))" in problem
    assert "multiplication or division by a number" in problem
    problem = operations_problem(parse_math("max(a, 0) + max(b, 0)", evaluate=False),
                                 at_most={"relu": 1})
    assert "ReLU (max(x, 0)) 2 times" in problem
    problem = operations_problem(parse_math("max(a, 0)", evaluate=False), forbidden=("max",))
    assert "without max" in problem            # a ReLU is a maximum too
    assert operations_problem(parse_math("max(a, 0)", evaluate=False), allowed=("max",)) is None


# ---------------------------------------------------------------- grading

@pytest.mark.parametrize("text", ["max(a, b)", "(a + b + Abs(a - b))/2", "(a + b + |a - b|)/2",
                                  "(a + b)/2 + (max(a - b, 0) + max(b - a, 0))/2",
                                  "Max(b, a)"])
def test_restating_the_maximum_gets_no_credit(text):
    r = sg.grade(text, MAX_WITH_ONE_RELU)
    assert (r.status, r.score) == ("incorrect", 0)
    assert "built only from addition/subtraction and ReLU" in r.feedback


@pytest.mark.parametrize("text", ["b + max(a - b, 0)", "a + max(b - a, 0)", "max(0, a - b) + b"])
def test_the_maximum_with_one_relu_gets_full_credit(text):
    assert sg.grade(text, MAX_WITH_ONE_RELU).status == "correct"


def test_a_mistake_is_still_recognised_with_its_feedback():
    r = sg.grade("max(b, 0) + max(a, 0)", MAX_WITH_ONE_RELU)
    assert r.mistake == 0 and r.feedback.startswith("ReLU(a) + ReLU(b)")


def test_minimum_from_maximum_and_negation():
    assert sg.grade("-max(-a, -b)", MIN_FROM_MAX).status == "correct"
    assert sg.grade("-(max(-b, -a))", MIN_FROM_MAX).status == "correct"
    for text, word in (("min(a, b)", "a minimum (Min(a, b))"),
                       ("a + b - max(a, b)", "an addition or subtraction")):
        r = sg.grade(text, MIN_FROM_MAX)
        assert (r.status, r.score) == ("incorrect", 0) and word in r.feedback, str(r)


def test_closed_form_refuses_the_restated_question_before_evaluating_it():
    for text in ("Integral(tau, (tau, 0, t))*u(t)", "integrate(tau, (tau, 0, t)) u(t)",
                 r"\int_0^t \tau \, d\tau \cdot u(t)"):
        r = sg.grade(text, RAMP_STEP)
        assert (r.status, r.score) == ("incorrect", 0), str(r)
        assert "closed form" in r.feedback and "unevaluated integral" in r.feedback
        assert [t.strategy for t in r.trail][-1] == "closed form"   # nothing was evaluated
    assert sg.grade("t^2 u(t)/2", RAMP_STEP).status == "correct"
    geometric = {"type": "expression", "answer": "(a^(n+1) - b^(n+1))/(a - b) u[n]",
                 "discrete": True, "closed_form": True,
                 "variables": {"n": {"domain": "integer", "min": -4, "max": 20},
                               "a": {"domain": "positive", "min": 0.2, "max": 0.5},
                               "b": {"domain": "positive", "min": 0.6, "max": 0.95}}}
    r = sg.grade("Sum(a**k*b**(n-k), (k, 0, n))*u[n]", geometric)
    assert r.score == 0 and "unevaluated sum" in r.feedback
    conv_key = dict(RAMP_STEP, functions=["conv", "r"])
    r = sg.grade("conv(r(t), u(t))", conv_key)
    assert r.score == 0 and "convolution left as a call" in r.feedback


def test_without_closed_form_an_integral_is_evaluated_as_in_version_1():
    key = {k: v for k, v in RAMP_STEP.items() if k != "closed_form"}
    assert sg.grade("Integral(tau, (tau, 0, t))*u(t)", key).status == "correct"
    assert sg.grade("Integral(tau, (tau, 0, t))*u(t)", dict(key, closed_form=False)).status \
        == "correct"


# ---------------------------------------------------------------- the key format

def test_key_fields_are_checked_when_loaded():
    base = {"type": "expression", "answer": "b + max(a - b, 0)"}
    for extra, message in (({"closed_form": "yes"}, "closed_form must be true or false"),
                           ({"operations": ["relux"]}, "operations must name operations"),
                           ({"forbidden": "abs"}, None),
                           ({"at_most": {"relu": -1}}, "at_most.relu must be an integer"),
                           ({"at_most": ["relu"]}, "at_most must be a table"),
                           ({"operations": ["add"], "forbidden": ["add"]}, "both allowed and"),
                           ({"operations": ["add", "max"], "at_most": {"max": 0}},
                            "the answer breaks the key's own rules")):
        if message is None:
            prepare(dict(base, **extra))
            continue
        with pytest.raises(GradingError, match=message):
            prepare(dict(base, **extra))
    with pytest.raises(GradingError, match="not to type 'text'"):
        sg.as_key({"type": "text", "answer": "yes", "closed_form": True})
    with pytest.raises(GradingError, match="mistake 1 breaks the key's own rules"):
        prepare(dict(RAMP_STEP, mistakes=[{"answer": "integrate(tau, (tau, 0, t))",
                                           "feedback": "unreachable"}]))


def test_key_file_round_trip_and_worker_pickle():
    text = """
format_version = 1
[parts.max]
type = "expression"
answer = "b + max(a - b, 0)"
variables = { a = "real", b = "real" }
operations = ["add", "relu"]
at_most = { relu = 1 }
[parts.ramp]
type = "expression"
answer = "t^2/2 u(t)"
closed_form = true
"""
    keys = sg.load_keys(tomllib.loads(text))
    assert keys["max"].operations == ("add", "relu") and keys["max"].at_most == {"relu": 1}
    assert keys["ramp"].closed_form is True
    assert keys["max"].to_dict()["at_most"] == {"relu": 1}
    assert "closed_form" not in sg.as_key({"type": "expression", "answer": "1"}).to_dict()
    again = pickle.loads(pickle.dumps(keys))
    assert sg.grade("max(a, b)", again["max"]).score == 0
    assert sg.grade("integrate(tau, (tau, 0, t))", again["ramp"]).score == 0


def test_the_examples_of_the_answer_keys_page_run():
    """docs/answer-keys.md writes its examples as ```python blocks (not run by test_docs)."""
    import doctest
    import pathlib
    import re

    page = pathlib.Path(__file__).resolve().parent.parent / "docs" / "answer-keys.md"
    source = "\n".join(re.findall(r"```python\n(.*?)```", page.read_text(encoding="utf-8"), re.S))
    test = doctest.DocTestParser().get_doctest(source, {}, page.name, str(page), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    report = []
    runner.run(test, out=report.append)
    assert runner.failures == 0 and runner.tries >= 10, "".join(report)
