"""Regression tests of issue 12: grading an instructor can trust.

No wrong answer earns credit (small domains are checked everywhere, superscripts are
exponents, differences outside the sampling window are found), every right notation
does, and feedback names what is wrong."""

import pytest
import sympy as sp

import symconv.grading as sg
from symconv.grading.equivalence import Sampler
from symconv.grading.keys import Variable, load_keys

KEYS = load_keys("tests/data/grading_keys.toml")
GEOMETRIC = {"type": "expression", "answer": "(2 - (1/2)^n) u[n]", "points": 1,
             "variables": {"n": {"domain": "integer", "min": -10, "max": 25}}}


# ---------------------------------------------------------------- small domains, everywhere

def test_small_integer_domain_is_exhaustive_before_any_point_is_built():
    n = sp.Symbol("n", integer=True)
    sampler = Sampler({n: Variable("integer", -10, 25)}, samples=20)
    ref = sp.Heaviside(n, 1)
    # reference_points used to read `exhaustive` before the lazy point list set it
    assert len(sampler.reference_points(ref)) == 36


@pytest.mark.parametrize("answer", ["(2 - (1/2)^n)(u[n] - u[n-10])",
                                    "(2 - (1/2)^n) u[n] + delta[n-17]",
                                    "(2 - (1/2)^n) u[n] - delta[n - 25]"])
def test_answers_wrong_at_a_few_points_of_a_small_domain_get_no_credit(answer):
    result = sg.grade(answer, GEOMETRIC)
    assert result.status == "incorrect", result


def test_shipped_step_conv_key_refuses_a_truncated_ramp():
    assert sg.grade("(n+1)(u[n] - u[n-10])", KEYS["step-conv"]).status == "incorrect"
    assert sg.grade("(n+1) u[n]", KEYS["step-conv"]).status == "correct"


# ---------------------------------------------------------------- superscripts are exponents

@pytest.mark.parametrize("text, expected", [
    ("2ⁿ + 1", "2**n + 1"), ("(1/2)ⁿ", "(1/2)**n"), ("2ⁿ⁺¹", "2**(n + 1)"),
    ("x²³", "x**23"), ("x⁻¹", "1/x"), ("eᵃᵗ", "exp(a*t)"), ("2⁽ⁿ⁻¹⁾", "2**(n - 1)")])
def test_superscripts_are_exponents(text, expected):
    from symconv.parsing import parse_math

    assert parse_math(text) == parse_math(expected)


def test_subscripts_and_bad_scripts():
    from symconv.errors import ParseError
    from symconv.parsing import parse_math

    k1 = sp.Symbol("k1")
    assert parse_math("k₁ + 1", symbols={"k1": k1}) == k1 + 1
    assert parse_math("x₁₂") == sp.Symbol("x_12")
    with pytest.raises(ParseError, match="subscript"):
        parse_math("(x)₁")
    with pytest.raises(ParseError, match="empty superscript"):
        parse_math("2⁽⁾")


def test_superscript_letters_never_read_as_plain_letters():
    key = {"type": "expression", "answer": "2n + 1",
           "variables": {"n": {"domain": "integer", "min": 0, "max": 20}}}
    assert sg.grade("2ⁿ + 1", key).status == "incorrect"
    assert sg.grade("2ⁿ", {"type": "expression", "answer": "2^n",
                           "variables": {"n": {"domain": "integer", "min": 0, "max": 20}}}).status \
        == "correct"
    assert sg.grade("(1/2)ⁿ u[n]", {"type": "expression", "answer": "(1/2)^n u[n]",
                                    "variables": {"n": {"domain": "integer", "min": -5, "max": 30}}}
                    ).status == "correct"


# ---------------------------------------------------------------- beyond the sampling window

RAMP = {"type": "expression", "answer": "t u(t)", "variables": {"t": {"domain": "real", "min": -4, "max": 4}}}


@pytest.mark.parametrize("answer", ["min(t, 5) u(t)", "t u(t) + u(t - 50)",
                                    "t u(t) + u(t - 50) - u(t - 50.5)", "t u(t) - t u(-t - 7)",
                                    "t (u(t) - u(t - 9))", "Max(t, 0) - Max(t - 6, 0)"])
def test_differences_outside_the_window_are_found(answer):
    assert sg.grade(answer, RAMP).status == "incorrect"


@pytest.mark.parametrize("answer", ["t u(t)", "ramp(t)", "(abs(t) + t)/2", "max(t, 0)",
                                    "t u(t) (1 - u(t - 50)) + t u(t - 50)"])
def test_equal_signals_stay_correct_with_breakpoints_beyond_the_window(answer):
    assert sg.grade(answer, RAMP).status == "correct"


def test_discrete_differences_outside_the_window_are_found():
    step = KEYS["step-conv"]                       # n in [-10, 25]
    assert sg.grade("(n+1)(u[n] - u[n-30])", step).status == "incorrect"
    assert sg.grade("(n+1) u[n] + delta[n + 40]", step).status == "incorrect"
    assert sg.grade("(n+1) u[n] (1 - u[n - 100]) + (n + 1) u[n - 100]", step).status == "correct"


def test_window_only_is_an_explicit_opt_in_and_the_verdict_says_so():
    key = dict(RAMP, window_only=True)
    result = sg.grade("min(t, 5) u(t)", key)
    assert result.status == "correct"
    assert result.feedback == "Correct (compared on t in [-4, 4] only)."
    assert any("on t in [-4, 4] only" in entry.detail for entry in result.trail)
    assert sg.grade("min(t, 3) u(t)", key).status == "incorrect"
    with pytest.raises(sg.GradingError if hasattr(sg, "GradingError") else Exception):
        sg.as_key(dict(RAMP, window_only="yes"))


def test_positive_domains_are_not_probed_below_zero():
    key = {"type": "expression", "answer": "t", "variables": {"t": {"domain": "positive", "max": 3}}}
    assert sg.grade("abs(t)", key).status == "correct"
    assert sg.grade("t u(t - 1) + t u(1 - t)", key).status == "correct"
    assert sg.grade("min(t, 7)", key).status == "incorrect"


# ---------------------------------------------------------------- huge numbers get a grade

@pytest.mark.parametrize("answer", ["floor(10^999/7)", "ceil(10^500/3)", "floor(10^999*sqrt(2))",
                                    "ceil(-10^999/3)", "10^999/7"])
def test_huge_floor_and_ceil_on_an_integer_key_get_a_grade_with_a_reason(answer):
    result = sg.grade(answer, KEYS["param-count"])
    assert result.status == "incorrect", result
    assert len(result.feedback) < 300 and "Precision" not in result.feedback


def test_floor_of_a_huge_rational_is_exact():
    from symconv.parsing import parse_math

    assert parse_math("floor(10^999/7)") == sp.Integer(10**999 // 7)
    assert parse_math("ceil(-10^999/3)") == -(sp.Integer(10**999) // 3)
    assert sg.grade("floor(10^999/7) - floor(10^999/7) + 15", KEYS["param-count"]).status == "correct"


def test_an_unexpected_error_is_a_reviewed_zero_not_a_crash(monkeypatch):
    from symconv.grading import grader

    def boom(*args, **kwargs):
        raise KeyError("internal detail")

    key = sg.as_key({"type": "expression", "answer": "n + 1"})
    monkeypatch.setattr(grader, "_coerce", boom)
    result = sg.grade("n + 1", key)
    assert (result.status, result.score, result.review) == ("invalid", 0.0, True)
    assert "internal detail" not in result.feedback and "KeyError" in result.trail[-1].detail


# ---------------------------------------------------------------- piecewise answers

@pytest.mark.parametrize("answer", [
    "Piecewise((t, t >= 0), (0, True))", "Piecewise((t, t > 0), (0, True))",
    r"\begin{cases} t & t \ge 0 \\ 0 & \text{otherwise} \end{cases}",
    r"\begin{cases} t, & \text{if } t \geq 0, \\ 0, & \text{else.} \end{cases}",
    r"\begin{cases} t & \text{for}\: t \geq 0 \\0 & \text{otherwise} \end{cases}",   # sympy.latex
    r"\left\{\begin{array}{ll} t & t \ge 0 \\ 0 & t < 0 \end{array}\right.",
    "t for t >= 0, 0 otherwise", "t for t ≥ 0; 0 otherwise", "0 for t < 0, t for t >= 0",
    "t if t >= 0 else 0", "t for t >= 0, 0 for all other t", "t if t in [0, oo) else 0",
    "0 if t < 0 else t", r"\begin{cases} 0 & t < 0 \\ t & 0 \le t < 100 \\ t & t \geq 100 \end{cases}"])
def test_piecewise_answers_are_read_and_graded(answer):
    assert sg.grade(answer, RAMP).status == "correct", sg.grade(answer, RAMP)


@pytest.mark.parametrize("answer", ["t for t >= 1, 0 otherwise", "t for 0 <= t < 10, 0 otherwise",
                                    "Piecewise((t, t >= 0), (1, True))"])
def test_wrong_piecewise_answers_are_refused(answer):
    assert sg.grade(answer, RAMP).status == "incorrect"


def test_discrete_piecewise_and_parser_details():
    from symconv.errors import ParseError
    from symconv.parsing import parse_math

    assert sg.grade("n + 1 for n >= 0, 0 otherwise", KEYS["step-conv"]).status == "correct"
    assert sg.grade("n + 1 for n > 0, 0 otherwise", KEYS["step-conv"]).status == "incorrect"
    t = sp.Symbol("t")
    box = sp.Piecewise((1, sp.And(t >= 0, t < 1)), (0, True))
    assert parse_math("1 for 0 <= t < 1, 0 otherwise") == box
    assert parse_math("Piecewise((1, (t >= 0) & (t < 1)), (0, True))") == box
    assert parse_math(r"\begin{cases} 1 & t \in [0, 1) \\ 0 & \text{otherwise}\end{cases}") == box
    assert parse_math(r"\begin{cases} 1 & t \ge 0 \land t < 1 \\ 0 & \text{otherwise}\end{cases}") == box
    for bad, fragment in [("t for t, 0 otherwise", "condition"), ("t for t >= 0, 0", "condition"),
                          ("[x for x in y]", "'for' is not allowed"), ("for", "can only join"),
                          ("t and 1", "joins conditions"), (r"\text{a b}", "plain name")]:
        with pytest.raises(ParseError, match=fragment):
            parse_math(bad)
    result = sg.grade("0 <= t < 1", RAMP)
    assert result.status == "invalid" and "is a condition" in result.feedback


# ---------------------------------------------------------------- matrices and brackets in LaTeX

@pytest.mark.parametrize("answer", [
    r"\left[\begin{matrix}1 & 2 & 0\\0 & 1 & 2\end{matrix}\right]",      # sympy.latex(Matrix)
    r"\begin{pmatrix} 1 & 2 & 0 \\ 0 & 1 & 2 \end{pmatrix}",
    r"\begin{bmatrix} 1 & 2 & 0 \\ 0 & 1 & 2 \end{bmatrix}",
    r"\left(\begin{array}{ccc} 1 & 2 & 0 \\ 0 & 1 & 2 \end{array}\right)"])
def test_latex_matrices(answer):
    assert sg.grade(answer, KEYS["conv-matrix"]).status == "correct"


def test_sympy_latex_of_the_key_matrix_is_correct():
    m = sp.Matrix([[0, 2], [6, 8]])
    assert sg.grade(sp.latex(m), {"type": "matrix", "answer": "[[0, 2], [6, 8]]"}).status == "correct"


def test_vmatrix_is_a_determinant_and_the_feedback_says_so():
    from symconv.parsing import parse_math

    assert parse_math(r"\begin{vmatrix} 1 & 2 \\ 3 & 4 \end{vmatrix}") == -2
    result = sg.grade(r"\begin{vmatrix} 1 & 2 \\ 0 & 1 \end{vmatrix}",
                      {"type": "matrix", "answer": "[[1, 2], [0, 1]]"})
    assert result.status == "incorrect" and "determinant" in result.feedback


def test_square_brackets_group_in_latex():
    key = {"type": "expression", "answer": "exp(-t) (u(t) - e u(t - 1))",
           "variables": {"t": {"domain": "real", "min": -2, "max": 4}}}
    assert sg.grade(r"e^{-t}\left[u(t) - e\,u(t-1)\right]", key).status == "correct"
    assert sg.grade(r"e^{-t}[u(t) - e\,u(t-1)]", key).status == "correct"
    assert sg.grade(r"\left[5\right]", {"type": "sequence", "answer": "[5]"}).status == "correct"


# ---------------------------------------------------------------- derivatives and integrals

RECT2 = {"type": "expression", "answer": "tri(t)",
         "variables": {"t": {"domain": "real", "min": -2, "max": 2}}}
STEP = {"type": "expression", "answer": "u(t)", "variables": {"t": {"domain": "real", "min": -3, "max": 3}}}
EXP = {"type": "expression", "answer": "(1 - exp(-t)) u(t)",
       "variables": {"t": {"domain": "real", "min": -3, "max": 6}}}


@pytest.mark.parametrize("key, answer", [
    (RECT2, r"\int_{-\infty}^{\infty} rect(\tau) rect(t-\tau) d\tau"),
    (RECT2, "integrate(rect(tau) rect(t - tau), (tau, -oo, oo))"),
    (STEP, "Derivative(t u(t), t)"), (STEP, "Derivative(ramp(t), t)"),
    (STEP, r"\frac{d}{dt}\left[t\,u(t)\right]"), (STEP, r"\frac{d^2}{dt^2} \frac{t^2}{2} u(t)"),
    (EXP, r"\int_0^t e^{-\tau} u(\tau) d\tau"), (EXP, r"\int_{-\infty}^{t} e^{-\tau}u(\tau)\,d\tau"),
    ({"type": "expression", "answer": "(2 - (1/2)^n) u[n]",
      "variables": {"n": {"domain": "integer", "min": -5, "max": 30}}},
     "sum((1/2)^k u[k] u[n - k], (k, -oo, oo))")])
def test_operations_are_evaluated_before_grading(key, answer):
    result = sg.grade(answer, key)
    assert result.status == "correct", result
    assert result.seconds < 5


def test_integrals_mean_what_they_say():
    # for t < 0, \int_0^t e^{-tau} d tau = 1 - e^{-t} != 0
    assert sg.grade(r"\int_0^t e^{-\tau} d\tau", EXP).status == "incorrect"
    assert sg.grade("Derivative(t^2 u(t), t)", STEP).status == "incorrect"
    # t delta(t) is 0 (sifting): the derivative of (t + 1) u(t) is delta(t) + u(t)
    key = {"type": "expression", "answer": "delta(t) + u(t)",
           "variables": {"t": {"domain": "real", "min": -3, "max": 3}}}
    assert sg.grade("Derivative((t + 1) u(t), t)", key).status == "correct"


def test_an_integral_without_closed_form_is_not_an_answer_and_says_so():
    result = sg.grade(r"\int_{-\infty}^{\infty} \sin(\tau^3) rect(t-\tau) d\tau",
                      dict(RECT2, time_limit=0.5))
    assert result.status == "incorrect" and result.review
    assert "unevaluated integral is not an answer" in result.feedback
    assert result.seconds < 3


def test_derivative_order_is_bounded():
    from symconv.errors import ParseError
    from symconv.parsing import parse_math

    with pytest.raises(ParseError, match="order 9 exceeds"):
        parse_math("Derivative(exp(t^2), " + ", ".join(["t"] * 9) + ")")


# ---------------------------------------------------------------- other notations for signals

@pytest.mark.parametrize("answer", [r"t\theta(t)", "t θ(t)", "t Θ(t)", "t H(t)", "t step(t)",
                                    "ramp(t)", r"t \Theta(t)"])
def test_step_and_ramp_notations(answer):
    assert sg.grade(answer, RAMP).status == "correct"


@pytest.mark.parametrize("answer", [r"\Lambda(t)", "Λ(t)", "tri(t)",
                                    r"\int_{-\infty}^{\infty} \Pi(\tau) \Pi(t-\tau) d\tau"])
def test_triangle_and_rectangle_notations(answer):
    assert sg.grade(answer, RECT2).status == "correct"


@pytest.mark.parametrize("answer, name", [("r(t)", "ramp(t)"), ("sinc(t)", "sin(pi t)/(pi t)"),
                                          (r"\operatorname{sinc}(t)", "sin(pi t)/(pi t)")])
def test_refused_notations_name_what_to_write(answer, name):
    result = sg.grade(answer, RAMP)
    assert result.status == "incorrect" and name in result.feedback


def test_a_key_can_accept_more_notations_and_declared_names_win():
    assert sg.grade("r(t)", dict(RAMP, aliases={"r": "ramp"})).status == "correct"
    key = {"type": "expression", "answer": "sin(pi t)/(pi t)", "aliases": {"sinc": "normalized sinc"},
           "variables": {"t": {"domain": "real", "min": -3, "max": 3}}}
    assert sg.grade(r"\operatorname{sinc}(t)", key).status == "correct"
    # a declared variable theta keeps its meaning: theta(t + 1) is a product
    key = {"type": "expression", "answer": "theta t + theta", "variables": {"theta": "real", "t": "real"}}
    assert sg.grade(r"\theta(t + 1)", key).status == "correct"
    with pytest.raises(Exception, match="alias 'r' must name one of"):
        sg.as_key(dict(RAMP, aliases={"r": "os.system"}))


# ---------------------------------------------------------------- feedback a student can act on

@pytest.mark.parametrize("key, answer, fragments", [
    (RAMP, "-t u(t)", ["for t = 1 ", "opposite sign", "right for t < 0 but wrong for t > 0"]),
    (RAMP, "2 t u(t)", ["2 times the expected one"]),
    (RAMP, "t u(t) + 1", ["by the constant 1"]),
    (RAMP, "t u(t) + sin(t)^2 + cos(t)^2", ["off by the constant 1 everywhere"]),
    (RAMP, "abs(t)", ["missing the factor u(t)", "right for t > 0 but wrong for t < 0"]),
    (RAMP, "(t - 1) u(t - 1)", ["delayed by 1 in t"]),
    (RAMP, "ramp(t + 2)", ["advanced by 2 in t"]),
    (RAMP, "-t u(-t)", ["reflected"]),
    (RAMP, "min(t, 5) u(t)", ["for t = 6 ", "right for t < 5 but wrong for t > 5"]),
    (RAMP, "t u(t) + u(t - 50)", ["for t = 51 ", "wrong for t > 50"]),
    (KEYS["step-conv"], "(n+1)(u[n] - u[n-10])", ["for n = 10 ", "right for n <= 9 but wrong for n >= 10"]),
    (KEYS["step-conv"], "(n + 2) u[n + 1]", ["advanced by 1 in n"]),
    (KEYS["step-conv"], "(n+1) u[n-1]", ["wrong for n = 0"]),
    (KEYS["step-conv"], "-(n + 1) u[n]", ["opposite sign"]),
    (dict(KEYS["conv-size"].to_dict(), mistakes=[]), "(n + 2p - k)/s + 1", ["round it down (floor)"]),
    (KEYS["conv-size"], "floor((n + 2p - k + 1)/s) + 1", ["off by one"]),
    (KEYS["full-length"], "n*m", ["for m = 2, n = 2 "]),
])
def test_feedback_names_the_mistake_and_a_simple_point(key, answer, fragments):
    result = sg.grade(answer, key)
    assert result.status == "incorrect"
    for fragment in fragments:
        assert fragment in result.feedback, result.feedback


def test_counterexamples_use_simple_numbers_for_parameters_too():
    key = {"type": "expression", "answer": "(exp(-a t) - exp(-b t))/(b - a) u(t)",
           "variables": {"t": {"domain": "real", "min": -4, "max": 6},
                         "a": {"domain": "positive", "min": 0.3, "max": 1.2},
                         "b": {"domain": "positive", "min": 1.5, "max": 3}}}
    result = sg.grade("(exp(-a t) - exp(-b t))/(a - b) u(t)", key)
    assert "for a = 1, b = 2, t = 1 " in result.feedback and "opposite sign" in result.feedback
    result = sg.grade("(exp(-a t) - exp(-b t))/(b - a)", key)
    assert "missing the factor u(t)" in result.feedback


def test_no_diagnosis_without_show_expected_and_feedback_never_fails_a_grade(monkeypatch):
    result = sg.grade("2 t u(t)", dict(RAMP, show_expected=False))
    assert "times the expected" not in result.feedback and "expected value" not in result.feedback
    from symconv.grading import feedback

    def broken(*args, **kwargs):
        raise ValueError("bug")

    monkeypatch.setattr(feedback, "diagnose", broken)
    assert sg.grade("2 t u(t)", RAMP).status == "incorrect"


def test_operations_too_costly_to_evaluate_are_bounded_and_said_so():
    nested = "Derivative(" * 8 + "exp(exp(exp(t)))" + ", t, t, t, t, t, t, t, t)" * 8
    result = sg.grade(nested, RAMP, time_limit=10)
    assert result.status == "incorrect" and result.review
    assert "unevaluated derivative is not an answer" in result.feedback
    assert result.seconds < 6
