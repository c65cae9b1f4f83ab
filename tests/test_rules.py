"""The proof checker's named rules as objects (symconv.proofs.rules): each rule applies to
a small example, the reports name the rules, and a refuted step names the rule it
misapplied."""

import pytest
import sympy as sp
from sympy import Function, Heaviside, Integral, KroneckerDelta, Sum, floor, oo, symbols

from symconv.proofs import check_proof, check_step, convolution
from symconv.proofs import rules
from symconv.proofs.rules import RULES, Rule, mistake_of_step, rule_of_step

n, k, m, j = symbols("n k m j", integer=True)
t, tau, x = symbols("t tau x", real=True)
f, g = Function("f"), Function("g")

EXAMPLES = {
    "definition_conv": (convolution(f, g, n), Sum(f(k) * g(n - k), (k, -oo, oo))),
    "linearity": (Sum(2 * f(k) + g(k), (k, 0, n)),
                  2 * Sum(f(k), (k, 0, n)) + Sum(g(k), (k, 0, n))),
    "constant_out": (Sum(3 * f(k), (k, 0, n)), 3 * Sum(f(k), (k, 0, n))),
    "split_sum": (Sum(f(k) + g(k), (k, 0, n)), Sum(f(k), (k, 0, n)) + Sum(g(k), (k, 0, n))),
    "fubini": (Sum(Sum(f(k) * g(j), (k, 0, 2)), (j, 0, 3)),
               Sum(Sum(f(k) * g(j), (j, 0, 3)), (k, 0, 2))),
    "sifting_kronecker": (Sum(f(k) * KroneckerDelta(k, m), (k, -oo, oo)), f(m)),
    "step_restricts": (Sum(f(k) * Heaviside(k, 1), (k, -oo, oo)), Sum(f(k), (k, 0, oo))),
    "reverse_limits": (Integral(f(tau), (tau, 1, 0)), -Integral(f(tau), (tau, 0, 1))),
    "constant_summand": (Sum(m, (k, 1, n)), n * m),
    "floor_integer": (floor(x + m, evaluate=False), floor(x) + m),
    "index_shift": (Sum(f(k), (k, 0, n)), Sum(f(k - 1), (k, 1, n + 1))),
    "mod_as_floor": (sp.Mod(n, 4), n - 4 * floor(n / 4)),
}


def test_every_rule_states_itself():
    for key, rule in RULES.items():
        assert isinstance(rule, Rule) and rule.key == key
        assert rule.name and rule.latex and rule.description
        assert str(rule) == rule.name


@pytest.mark.parametrize("key", sorted(EXAMPLES))
def test_each_rule_applies_to_a_small_example(key):
    before, after = EXAMPLES[key]
    got = RULES[key].apply(before)
    assert got is not None
    assert sp.expand(got - after) == 0 or got == after or got.dummy_eq(after) \
        or check_step(got, after, numeric=False).status == "proven"


def test_a_rule_that_does_not_fit_returns_none():
    assert rules.FLOOR_INTEGER.apply(floor(x) + 1) is None
    assert rules.FUBINI.apply(Sum(f(k), (k, 0, n))) is None
    # a triangle is not a plain swap
    assert rules.FUBINI.apply(Sum(Sum(f(k), (k, 0, j)), (j, 0, n))) is None


def test_the_report_names_the_canonical_rules():
    step = check_proof(["sum(f(k)*delta(k - m), (k, -oo, oo))", "f(m)"]).steps[0]
    assert step.status == "proven" and "sifting property of KroneckerDelta" in step.reason
    step = check_proof(["sum(sum(f(k)*g(j), (k, 0, 2)), (j, 0, 3))",
                        "sum(sum(f(k)*g(j), (j, 0, 3)), (k, 0, 2))"]).steps[0]
    assert step.status == "proven" and "(Fubini)" in step.reason


def test_the_report_names_the_rule_the_student_used():
    step = check_proof(["floor(x + m) = floor(x) + m"]).steps[0]
    assert step.status == "proven"
    assert "by the rule: an integer moves inside the floor" in step.reason
    step = check_proof(["floor((x + 2*s)/s) = floor(x/s) + 2"], assume="s >= 1").steps[0]
    assert "by the rule: an integer moves inside the floor" in step.reason
    step = check_proof(["sum(3*f(k), (k, 0, n)) = 3*sum(f(k), (k, 0, n))"]).steps[0]
    assert step.status == "proven"
    assert "by the rule: a constant moves out of the sum" in step.reason
    assert rule_of_step(*EXAMPLES["index_shift"]) is rules.INDEX_SHIFT


def test_a_refuted_step_names_the_rule_it_misapplied():
    step = check_proof(["floor((n + 2p - k + s)/s) = floor(n/s) + floor((2p - k)/s) + floor(s/s)"],
                       assume="n >= 0, s >= 1, p >= 0").steps[0]
    assert step.status == "refuted"
    assert "misapplied a rule: the floor distributed over a sum" in step.reason
    a, b = symbols("a b", real=True)
    assert mistake_of_step(floor(a + b), floor(a) + floor(b)) is rules.FLOOR_OVER_SUM
    assert mistake_of_step(floor(a + 1), floor(a) + 1) is None
    step = check_proof(["sum(f(k)*g(n - k), (k, 0, n)) = sum(f(j - 1)*g(n - j + 1), (j, 1, n))"
                        "  # j = k + 1"], assume="n >= 0").steps[0]
    assert step.status == "refuted"
    assert "index shift k -> j - 1 moves the limits to (j, 1, n + 1)" in step.reason
    assert "corrected line" in step.reason


# -- named mistakes about convolution and correlation (issue 19) -----------------------

def _misapplied(lines, kind="continuous", **options):
    step = check_proof(lines, kind=kind, **options).steps[-1]
    return step, step.reason.partition("the step misapplied a rule: ")[2]


def test_derivative_on_both_factors_is_named():
    step, text = _misapplied([
        "Derivative(integrate(f(tau)*g(t - tau), (tau, -oo, oo)), t)",
        "= integrate(Derivative(f(tau), tau)*Derivative(g(t - tau), t), (tau, -oo, oo))  # product rule"])
    assert step.status == "refuted"
    assert text.startswith("the derivative applied to both factors of a convolution is wrong")
    conv = Integral(f(tau) * g(t - tau), (tau, -oo, oo))
    assert mistake_of_step(sp.Derivative(conv, t), Integral(
        sp.Derivative(f(tau), tau) * sp.Derivative(g(t - tau), t), (tau, -oo, oo))) \
        is rules.DERIVATIVE_OF_FACTORS
    # the right rule (the derivative on one factor) is not that mistake, and is accepted
    one = Integral(f(tau) * sp.Derivative(g(t - tau), t), (tau, -oo, oo))
    assert mistake_of_step(sp.Derivative(conv, t), one) is None
    step, text = _misapplied([
        "Derivative(integrate(f(tau)*g(t - tau), (tau, -oo, oo)), t)",
        "= integrate(f(tau)*Derivative(g(t - tau), t), (tau, -oo, oo))"])
    assert step.ok and text == ""


def test_correlation_treated_as_commutative_is_named():
    step, text = _misapplied(["sum(f(n + m)*g(m), (m, -oo, oo))",
                              "= sum(g(n + m)*f(m), (m, -oo, oo))   # swap the roles"], kind="discrete")
    assert step.status == "refuted"
    assert text.startswith("cross-correlation treated as commutative is wrong")
    assert "corr(g, f)(t) = corr(f, g)(-t)" in text
    # the notation says the same
    step, text = _misapplied(["corr(f, g)(t) = corr(g, f)(t)"])
    assert step.status == "refuted" and text.startswith("cross-correlation treated as commutative")
    # exchanging the functions of a *convolution* is right, and not that mistake
    assert mistake_of_step(Sum(f(k) * g(n - k), (k, -oo, oo)),
                           Sum(g(k) * f(n - k), (k, -oo, oo))) is None
    step, text = _misapplied(["corr(f, g)(t) = integrate(g(tau - t)*f(tau), (tau, -oo, oo))"])
    assert step.ok and text == ""


def test_a_step_true_only_for_an_even_function_is_named():
    step, text = _misapplied([
        "integrate(f(tau)*g(t - tau), (tau, -oo, oo))",
        "= integrate(f(tau)*g(tau - t), (tau, -oo, oo))   # g(-x) = g(x)"])
    assert step.status == "refuted"
    assert text.startswith("f(-x) replaced by f(x): g(-t + tau) in place of g(t - tau) is true "
                           "only for an even function")
    step, text = _misapplied(["integrate(f(-tau)*g(tau), (tau, -oo, oo))",
                              "= integrate(f(tau)*g(tau), (tau, -oo, oo))"])
    assert step.status == "refuted" and "f(tau) in place of f(-tau)" in text
    # reflecting the variable of a lone integral over the line is right: not labelled
    step, text = _misapplied(["integrate(f(-tau), (tau, -oo, oo))",
                              "= integrate(f(tau), (tau, -oo, oo))"])
    assert step.ok and text == ""
    assert mistake_of_step(f(t - tau), f(t + tau)) is None      # a shift, not a reflection


def test_a_change_of_variables_that_kept_its_limits_is_named():
    step, text = _misapplied([
        "integrate(f(tau)*g(t - tau), (tau, 0, oo))",
        "= integrate(f(t - u)*g(u), (u, 0, oo))   # u = t - tau"])
    assert step.status == "refuted"
    assert text.startswith("a change of variables whose limits were not transformed: tau = t - u "
                           "takes tau from 0 to oo into u from t to -oo")
    assert "but the line kept the old limits" in text
    assert text.endswith("the corrected line is Integral(f(t - u)*g(u), (u, -oo, t))")
    step, text = _misapplied([
        "integrate(f(tau)*g(t - tau), (tau, 0, t))",
        "= integrate(f(t - u)*g(u), (u, t, 0))   # u = t - tau"])
    assert step.status == "refuted" and "but the line wrote dtau = du" in text
    assert text.endswith("the corrected line is Integral(f(t - u)*g(u), (u, 0, t))")
    # the corrected lines are accepted, and over the whole line no flip is needed
    for right in ["integrate(f(t - u)*g(u), (u, -oo, t))"]:
        step, text = _misapplied(["integrate(f(tau)*g(t - tau), (tau, 0, oo))", "= " + right])
        assert step.ok and text == ""
    assert rules.LIMITS_NOT_TRANSFORMED.matches(
        Integral(f(tau) * g(t - tau), (tau, -oo, oo)),
        Integral(f(t - x) * g(x), (x, -oo, oo))) is False


def test_every_mistake_states_itself():
    for key, rule in rules.MISTAKES.items():
        assert isinstance(rule, Rule) and rule.key == key and key not in RULES
        assert rule.name and rule.latex and rule.description
