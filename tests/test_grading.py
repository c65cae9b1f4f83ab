"""Unit tests of symconv.grading: keys, equivalence strategies, forms, grade()."""

import json
import sys
import time

import pytest
import sympy as sp
from hypothesis import given, strategies as st

import symconv.grading as sg
from symconv.errors import GradingError, ParseError
from symconv.grading.equivalence import Sampler
from symconv.grading.keys import Variable, load_keys

SIZE_VARS = {"n": {"domain": "integer", "min": 1, "max": 64},
             "k": {"domain": "integer", "min": 1, "max": 7},
             "p": {"domain": "integer", "min": 0, "max": 3},
             "s": {"domain": "integer", "min": 1, "max": 4}}
SIZE_KEY = {"type": "expression", "answer": "floor((n + 2p - k)/s) + 1", "points": 2,
            "variables": SIZE_VARS, "constraints": ["n + 2p >= k"],
            "hints": ["Count the window positions."],
            "mistakes": [{"answer": "floor((n + 2p - k)/s)", "feedback": "forgot + 1", "credit": 0.5},
                         {"answer": "ceil((n + 2p - k)/s) + 1", "feedback": "ceil", "credit": 0.25}]}


def brute_size(n, k, p, s):
    """Number of window positions, counted one by one."""
    return sum(1 for start in range(0, n + 2 * p - k + 1, s))


# ---------------------------------------------------------------- keys

def test_key_validation_messages():
    with pytest.raises(GradingError, match="type must be one of"):
        sg.as_key({"type": "formula", "answer": "1"})
    with pytest.raises(GradingError, match="unknown field"):
        sg.as_key({"type": "expression", "answer": "1", "pionts": 2})
    with pytest.raises(GradingError, match="points must be a number"):
        sg.as_key({"type": "expression", "answer": "1", "points": -1})
    with pytest.raises(GradingError, match="domain of 'n'"):
        sg.as_key({"type": "expression", "answer": "n", "variables": {"n": {"domain": "int"}}})
    with pytest.raises(GradingError, match="min <= max"):
        sg.as_key({"type": "expression", "answer": "n",
                   "variables": {"n": {"domain": "integer", "min": 5, "max": 1}}})
    with pytest.raises(GradingError, match="credit of mistake 1"):
        sg.as_key({"type": "expression", "answer": "n",
                   "mistakes": [{"answer": "n+1", "feedback": "x", "credit": 2}]})
    with pytest.raises(GradingError, match="forms must be among"):
        sg.as_key({"type": "expression", "answer": "n", "forms": ["pretty"]})
    with pytest.raises(GradingError, match="an answer is required"):
        sg.as_key({"type": "expression"})
    with pytest.raises(GradingError, match="cannot be parsed"):
        sg.as_key({"type": "expression", "answer": "n +"}).reference
    with pytest.raises(GradingError, match="must be a number"):
        sg.grade("1", {"type": "integer", "answer": "n"})
    with pytest.raises(GradingError, match="constraint"):
        sg.grade("n", {"type": "expression", "answer": "n", "constraints": ["n + 1"]})


def test_load_keys_toml_and_json(tmp_path):
    keys = load_keys("tests/data/grading_keys.toml")
    assert keys["conv-size"].points == 2.0
    assert keys["conv-size"].variables["s"] == Variable("integer", 1, 4)
    assert keys["conv-size"].mistakes[0].credit == 0.5
    doc = {"format_version": 1, "parts": {"q": {"type": "integer", "answer": "7", "points": 3}}}
    path = tmp_path / "keys.json"
    path.write_text(json.dumps(doc))
    assert load_keys(path)["q"].reference == 7
    bad = tmp_path / "bad.toml"
    bad.write_text("format_version = 2\n[parts.q]\ntype='integer'\nanswer='1'\n")
    with pytest.raises(GradingError, match="format_version must be 1"):
        load_keys(bad)
    bad.write_text("[parts.q\n")
    with pytest.raises(GradingError, match="not valid TOML"):
        load_keys(bad)
    with pytest.raises(GradingError, match="cannot read"):
        load_keys(tmp_path / "missing.toml")


def test_key_round_trips_through_to_dict():
    key = sg.as_key(SIZE_KEY)
    again = sg.as_key(key.to_dict())
    assert again.reference == key.reference
    assert again.variables == key.variables
    assert [m.credit for m in again.mistakes] == [0.5, 0.25]


def test_key_answer_may_be_a_sympy_object_with_other_assumptions():
    n = sp.Symbol("n", integer=True, positive=True)       # as the library would build it
    key = {"type": "expression", "answer": sp.floor((n - 3) / 2) + 1,
           "variables": {"n": {"domain": "integer", "min": 3, "max": 40}}}
    assert sg.grade("floor((n - 1)/2)", key).status == "correct"
    assert sg.grade("floor((n - 1)/2) + 1", key).status == "incorrect"


# ---------------------------------------------------------------- equivalence

def test_equivalent_strategies_are_recorded_in_order():
    x = sp.Symbol("x")
    v = sg.equivalent(x + 1, 1 + x)
    assert (v.status, v.strategy, v.proven) == ("equivalent", "structural", True)
    v = sg.equivalent((x + 1) ** 2, x ** 2 + 2 * x + 1)
    assert v.strategy == "expand" and [t.strategy for t in v.trail] == ["structural", "expand"]
    v = sg.equivalent(sp.sin(x) ** 2 + sp.cos(x) ** 2, sp.Integer(1), prove=True)
    assert v.status == "equivalent" and v.proven
    assert [t.strategy for t in v.trail][-1] == "simplify"
    v = sg.equivalent(sp.sin(x) ** 2 + sp.cos(x) ** 2, sp.Integer(1), prove=False)
    assert v.status == "equivalent" and not v.proven and v.strategy == "sampling"
    assert "relative tolerance" in v.trail[-2].detail
    assert v.trail[-1].outcome == "skipped"


def test_floor_formulas_are_sampled_on_integers():
    n, s = sp.symbols("n s", integer=True, positive=True)
    # equal on integers, different on reals
    v = sg.equivalent(sp.ceiling(n / s), sp.floor((n + s - 1) / s),
                      variables={"n": (1, 50), "s": (1, 7)}, prove=False)
    assert v.status == "equivalent" and v.strategy == "sampling"
    assert "exact arithmetic" in v.trail[-2].detail
    ns, ss = sp.symbols("n s", positive=True)
    v = sg.equivalent(sp.ceiling(ns / ss), sp.floor((ns + ss - 1) / ss),
                      variables={"n": {"domain": "positive", "min": 1, "max": 50},
                                 "s": {"domain": "positive", "min": 1, "max": 7}}, prove=False)
    assert v.status == "not equivalent"


def test_counterexample_is_a_real_counterexample():
    n, k, p, s = sp.symbols("n k p s", integer=True)
    v = sg.equivalent(sp.floor((n + 2 * p - k) / s), sp.floor((n + 2 * p - k) / s) + 1 - 1 + 1,
                      variables={"n": (1, 30), "k": (1, 5), "p": (0, 2), "s": (1, 3)})
    assert v.status == "not equivalent"
    assert v.proven


@given(st.integers(1, 40), st.integers(1, 7), st.integers(0, 3), st.integers(1, 4))
def test_reference_formula_matches_brute_force(n, k, p, s):
    # the key's formula is itself checked against counting windows
    if n + 2 * p < k:
        return
    key = sg.as_key(SIZE_KEY)
    syms = key.symbols()
    value = key.reference.xreplace({syms["n"]: n, syms["k"]: k, syms["p"]: p, syms["s"]: s})
    assert value == brute_size(n, k, p, s)


def test_counterexample_point_disagrees_with_brute_force():
    r = sg.grade("floor((n + 2p - k)/(s + 1)) + 1", SIZE_KEY)
    assert r.status == "incorrect"
    cex = next(t for t in r.trail if t.strategy == "sampling").detail
    values = dict(item.split("=") for item in cex.split(" (")[0].replace("differs at ", "").split(", "))
    n, k, p, s = (int(values[v]) for v in "nkps")
    assert (n + 2 * p - k) // (s + 1) + 1 != brute_size(n, k, p, s)


def test_undefined_points_are_skipped_and_only_the_answer_undefined_is_a_counterexample():
    x = sp.Symbol("x")
    v = sg.equivalent(x ** 2 / x, x, variables={"x": (-3, 3)})
    assert v.status == "equivalent"      # x = 0 is skipped (reference defined, answer 0/0 -> nan)
    v = sg.equivalent(1 / (x - 1), 1 / (x - 1) + 0 * x, variables={"x": (-3, 3)})
    assert v.status == "equivalent"
    v = sg.equivalent(1 / x, sp.Integer(1) / x, variables={"x": (1, 5)})
    assert v.status == "equivalent"
    v = sg.equivalent(1 / (x - 2), sp.Integer(0), variables={"x": (1, 5)})
    assert v.status == "not equivalent"


def test_type_aware_comparisons():
    assert sg.equivalent([1, 2, 3], [1, 2]).detail == "expected 2 entries, but the answer has 3"
    v = sg.equivalent(sp.Matrix([[1, 2]]), sp.Matrix([[1], [2]]))
    assert v.status == "not equivalent" and "2x1 matrix" in v.detail
    assert sg.equivalent(sp.FiniteSet(2, 1), sp.FiniteSet(1, 2)).status == "equivalent"
    v = sg.equivalent(sp.FiniteSet(1, 3), sp.FiniteSet(1, 2))
    assert v.status == "not equivalent" and "missing" in v.detail
    assert sg.equivalent("y = 2x + 1", "2x + 1 = y").status == "equivalent"
    assert sg.equivalent("2y = 4x + 2", "y = 2x + 1").status == "not equivalent"
    assert sg.equivalent("2y = 4x + 2", "y = 2x + 1", scale=True).status == "equivalent"
    assert sg.equivalent("x < y", "y > x").status == "equivalent"
    assert sg.equivalent("x < y", "x <= y").status == "not equivalent"
    assert sg.equivalent("-2x < -2y", "x > y", scale=True).status == "equivalent"
    assert sg.equivalent("2x < 2y", "x > y", scale=True).status == "not equivalent"
    v = sg.equivalent("[1, 2]", "x + 1")
    assert v.status == "not equivalent" and v.strategy == "type"


def test_dirac_deltas_are_compared_by_coefficient():
    t = sp.Symbol("t", real=True)
    assert sg.equivalent(2 * sp.DiracDelta(t - 1), sp.DiracDelta(t - 1) * 2).status == "equivalent"
    assert sg.equivalent(sp.DiracDelta(t - 1), sp.DiracDelta(t - 2)).status == "not equivalent"
    assert sg.equivalent(sp.DiracDelta(t), sp.Integer(0)).status == "not equivalent"


def test_sampler_is_deterministic_and_respects_constraints():
    n, k = sp.symbols("n k", integer=True)
    doms = {n: Variable("integer", 1, 100), k: Variable("integer", 1, 100)}
    a = Sampler(doms, [sp.Ge(n, k)], samples=10, seed=3).points
    b = Sampler(doms, [sp.Ge(n, k)], samples=10, seed=3).points
    c = Sampler(doms, [sp.Ge(n, k)], samples=10, seed=4).points
    assert a == b and a != c
    assert all(pt[n] >= pt[k] for pt in a)
    small = Sampler({n: Variable("integer", -3, 3)}, samples=5)
    assert sorted(int(pt[n]) for pt in small.points) == list(range(-3, 4))   # exhaustive


# ---------------------------------------------------------------- grade()

def test_grade_statuses_scores_and_feedback():
    r = sg.grade("floor((n - k + 2p)/s) + 1", SIZE_KEY)
    assert (r.status, r.score, r.max_score, r.feedback) == ("correct", 2.0, 2.0, "Correct.")
    r = sg.grade(r"\lfloor\frac{n+2p-k}{s}\rfloor", SIZE_KEY)
    assert (r.status, r.score, r.mistake, r.feedback) == ("partial", 1.0, 0, "forgot + 1")
    r = sg.grade("ceil((n + 2p - k)/s) + 1", SIZE_KEY)
    assert (r.status, r.score, r.mistake) == ("partial", 0.5, 1)
    r = sg.grade("floor((n + 2p - k)/s) + 2", SIZE_KEY)
    assert r.status == "incorrect" and r.score == 0
    assert "Hint: Count the window positions." in r.feedback
    r = sg.grade("floor((n + 2p - k)/s", SIZE_KEY)
    assert r.status == "invalid" and "could not be read" in r.feedback
    r = sg.grade("", SIZE_KEY)
    assert r.status == "invalid"
    r = sg.grade("m + 1", SIZE_KEY)
    assert r.status == "incorrect" and "uses m" in r.feedback


def test_mistake_recognised_by_equivalence_not_by_string():
    # none of these strings is the mistake's text
    for text in ["floor((2p + n - k)/s)", "(n + 2p - k)//s", "ceil((n + 2p - k + 1)/s) - 1"]:
        r = sg.grade(text, SIZE_KEY)
        assert (r.status, r.mistake) == ("partial", 0), text


def test_feedback_names_the_counterexample_and_can_hide_the_expected_value():
    r = sg.grade("n + 2p - k", SIZE_KEY)
    assert "your answer gives" in r.feedback and "expected value is" in r.feedback
    r = sg.grade("n + 2p - k", dict(SIZE_KEY, show_expected=False))
    assert "your answer gives" in r.feedback and "expected value" not in r.feedback
    key = {"type": "expression", "answer": "n^2", "variables": {"n": "integer"}}
    assert "opposite sign" in sg.grade("-n^2", key).feedback


def test_grading_is_deterministic():
    answers = ["floor((n + 2p - k)/s) + 1", "(n + 2p - k)/s", "n", "ceil((n+2p-k+1)/s)"]
    first = [sg.grade(a, SIZE_KEY).to_dict() for a in answers]
    second = [sg.grade(a, sg.as_key(SIZE_KEY)).to_dict() for a in answers]
    strip = lambda d: {k: v for k, v in d.items() if k not in ("seconds", "trail")}   # noqa: E731
    assert [strip(d) for d in first] == [strip(d) for d in second]
    assert [[t["detail"] for t in d["trail"]] for d in first] == \
        [[t["detail"] for t in d["trail"]] for d in second]


def test_trail_and_timing_are_reported():
    r = sg.grade("ceil((n + 2p - k + 1)/s)", SIZE_KEY)
    strategies = [t.strategy for t in r.trail]
    assert strategies[:4] == ["parse", "structural", "expand", "sampling"]
    assert r.strategy == "sampling" and r.proven is False
    assert r.seconds > 0 and all(t.seconds >= 0 for t in r.trail)
    d = r.to_dict()
    assert json.loads(json.dumps(d)) == d


def test_prove_runs_simplify_within_its_time_limit():
    key = {"type": "expression", "answer": "sin(x)^2", "prove": True, "time_limit": 5,
           "variables": {"x": "real"}}
    r = sg.grade("1 - cos(x)^2", key)
    assert r.status == "correct" and r.proven and r.strategy == "simplify"


def test_forms():
    key = {"type": "expression", "answer": "(n + 1)^2", "forms": ["expanded"],
           "variables": {"n": "integer"}}
    assert sg.grade("n^2 + 2n + 1", key).status == "correct"
    r = sg.grade("(n+1)(n+1)", key)
    assert (r.status, r.score) == ("partial", 0.5) and "fully expanded" in r.feedback
    key = {"type": "rational", "answer": "3/4", "forms": ["lowest terms"], "form_credit": 0}
    assert sg.grade(r"\frac{3}{4}", key).status == "correct"
    assert sg.grade("6/8", key).status == "incorrect"
    key = {"type": "expression", "answer": "(n+1)^2", "forms": ["expanded", "factored"],
           "variables": {"n": "integer"}}
    assert sg.grade("(n+1)(n+1)", key).status == "correct"      # any accepted form
    assert sg.grade("n(n+2) + 1", key).status == "partial"
    key = {"type": "rational", "answer": "1/3", "forms": ["exact rational"]}
    assert sg.grade("2/6", key).status == "correct"
    assert sg.grade("1 - 2/3", key).status == "correct"
    assert sg.grade("0.3333", dict(key, tolerance=1e-3)).status == "partial"
    assert sg.grade("sqrt(1/9)", key).status == "partial"


def test_kernel_orientation():
    key = {"type": "sequence", "answer": "[1, 2, 3]", "forms": ["correlation"]}
    assert sg.grade("[1, 2, 3]", key).status == "correct"
    r = sg.grade("[3, 2, 1]", key)
    assert r.status == "incorrect" and "flipped" in r.feedback
    key = {"type": "matrix", "answer": "[[1, 2], [3, 4]]", "forms": ["any orientation"]}
    assert sg.grade("[[4, 3], [2, 1]]", key).status == "correct"
    assert sg.grade("[[1, 3], [2, 4]]", key).status == "incorrect"


def test_integer_and_rational_types():
    key = {"type": "integer", "answer": "15"}
    assert sg.grade("2^4 - 1", key).status == "correct"
    r = sg.grade("15/2", key)
    assert r.status == "incorrect" and "integer" in r.feedback
    key = {"type": "rational", "answer": "pi", "tolerance": 1e-4}
    assert sg.grade("3.1416", key).status == "correct"
    assert sg.grade("3.14", key).status == "incorrect"


def test_text_answers():
    key = {"type": "text", "answer": ["cross-correlation", "correlation"],
           "mistakes": [{"answer": "convolution", "feedback": "no flip in layers", "credit": 0.0}]}
    assert sg.grade("  Cross-Correlation. ", key).status == "correct"
    r = sg.grade("Convolution", key)
    assert (r.status, r.feedback) == ("incorrect", "no flip in layers")


def test_time_limit_gives_timeout():
    key = sg.as_key(SIZE_KEY)
    start = time.monotonic()
    r = sg.grade("floor((n+2p-k)/s) + sum(j^j, (j, s, 3000)) - sum(j^j, (j, s+1, 3000))", key,
                 time_limit=0.5)
    assert r.status == "timeout" and r.score == 0 and "time limit" in r.feedback
    assert time.monotonic() - start < 3


def test_parse_answer_uses_key_settings():
    key = {"type": "expression", "answer": "u[n]", "variables": {"n": "integer"}}
    got = sg.parse_answer("u[n] + delta[n]", key)
    n = sp.Symbol("n", integer=True)
    assert got == sp.Heaviside(n, 1) + sp.KroneckerDelta(n, 0)
    with pytest.raises(ParseError):
        sg.parse_answer("().__class__", key)


def test_proof_answers():
    pytest.importorskip("symconv.proofs")
    key = {"type": "proof", "kind": "discrete", "functions": ["f", "g"], "points": 3,
           "answer": "sum(f(k)*g(n-k), (k, -oo, oo)) = sum(g(k)*f(n-k), (k, -oo, oo))"}
    good = ("sum(f(k)*g(n-k), (k, -oo, oo))\n"
            "= sum(f(n-m)*g(m), (m, -oo, oo))   # substitute m = n - k\n"
            "= sum(g(k)*f(n-k), (k, -oo, oo))   # rename m to k")
    r = sg.grade(good, key)
    assert (r.status, r.score) == ("correct", 3.0)
    bad = good.replace("g(k)*f(n-k), (k, -oo, oo))   # rename", "g(k)*f(n+k), (k, -oo, oo))   # rename")
    r = sg.grade(bad, key)
    assert r.status == "partial" and r.score == pytest.approx(1.5)     # 1 of 2 steps
    assert r.feedback.startswith("Step 2 (line 3) is refuted")
    r = sg.grade("sum(f(k)*g(n-k), (k, -oo, oo))", key)
    assert r.status == "invalid"


def test_proof_checker_missing_means_invalid(monkeypatch):
    monkeypatch.setitem(sys.modules, "symconv.proofs", None)      # import fails
    r = sg.grade("a\n= a", {"type": "proof", "kind": "discrete"})
    assert r.status == "invalid" and "proof checker" in r.feedback


def test_answer_key_documentation_examples_run():
    import doctest
    import tomllib
    from pathlib import Path

    text = (Path(__file__).parents[1] / "docs" / "answer-keys.md").read_text()
    block = text.split("```python")[1].split("```")[0]
    test = doctest.DocTestParser().get_doctest(block, {}, "answer-keys.md", "answer-keys.md", 0)
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    assert runner.summarize(verbose=False).failed == 0
    keys = load_keys(tomllib.loads(text.split("```toml")[1].split("```")[0]))
    assert set(keys) == {"conv-size", "kernel", "layer-op"}
    assert sg.grade("[1/2, 0, -1/2]", keys["kernel"]).feedback.startswith("Your kernel is flipped")
