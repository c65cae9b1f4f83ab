"""Proof checking a teacher can trust (issue 19): the staff set of correct and wrong proofs
(tests/data/staff_proofs.py) over many seeds, the stated setting (assume), derivative
notation, honest top lines and the CLI's exit status.

The seed loop runs seeds 0-2 by default; ``SYMCONV_ALL_SEEDS=1`` runs seeds 0-29 (the
acceptance run of issue 19: about two minutes on one core).
"""

import importlib.util
import os
from pathlib import Path

import numpy as np
import pytest

from symconv.cli import main
from symconv.errors import SymconvError
from symconv.proofs import check_proof, check_step
from symconv.proofs.checker import parse_assumptions

_spec = importlib.util.spec_from_file_location("staff_proofs", Path(__file__).parent / "data" / "staff_proofs.py")
staff = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(staff)

SEEDS = range(30) if os.environ.get("SYMCONV_ALL_SEEDS") else range(3)


def _check(entry, seed):
    return check_proof(entry["text"], kind=entry["kind"], seed=seed, assume=entry["assume"])


def test_the_staff_set_is_large_enough():
    assert len(staff.WRONG) >= 15 and len(staff.CORRECT) >= 10


@pytest.mark.parametrize("entry", staff.WRONG, ids=[e["name"] for e in staff.WRONG])
def test_no_wrong_proof_is_accepted(entry):
    for seed in SEEDS:
        report = _check(entry, seed)
        assert not report.valid, f"seed {seed}:\n{report}"
        assert report.verdict in ("refuted", "undecided")


@pytest.mark.parametrize("entry", staff.CORRECT, ids=[e["name"] for e in staff.CORRECT])
def test_no_correct_proof_is_refuted(entry):
    for seed in SEEDS:
        report = _check(entry, seed)
        assert report.valid, f"seed {seed}:\n{report}"


def test_the_issue_examples_are_refuted_inside_the_stated_setting():
    setting = "n >= 0, s >= 1, p >= 0, k >= 1"
    for text in ["floor((n + 2*p - k + s)/s) = floor(n/s) + floor((2*p - k)/s) + floor(s/s)",
                 "k - 2*p + s*floor((n + 2*p - k)/s) = n"]:
        for seed in range(10):
            step = check_proof([text], seed=seed, assume=setting).steps[0]
            assert step.status == "refuted", text
            values = dict(step.counterexample.symbols)
            assert values["n"] >= 0 and values["s"] >= 1 and values["p"] >= 0 and values["k"] >= 1
    report = check_proof(["sum(f(k)*g(n - k), (k, 0, n))",
                          "= sum(f(j - 1)*g(n - j + 1), (j, 1, n))  # j = k + 1"], assume="n >= 0")
    assert report.verdict == "refuted"
    ce = report.steps[0].counterexample
    assert dict(ce.symbols)["n"] >= 0
    # the sequences have their own index name, not the step's n
    assert all(" at i = " in desc for _, desc in ce.functions)


def test_parse_assumptions():
    assert parse_assumptions("n >= 0, s > 0; 3 >= k and m < 2") == {
        "n": (0, None), "s": (1, None), "k": (None, 3), "m": (None, 1)}
    assert parse_assumptions(None) == {} and parse_assumptions("") == {}
    with pytest.raises(SymconvError, match="must compare a name with an integer"):
        parse_assumptions("n is even")
    with pytest.raises(SymconvError, match="leave no value"):
        parse_assumptions("n >= 3, n <= 1")


def test_check_step_respects_assume():
    import sympy as sp

    n = sp.Symbol("n", integer=True)
    # |n| = n only for n >= 0: refuted in general, plausible on the stated setting
    assert check_step(sp.Abs(n), n).status == "refuted"
    assert check_step(sp.Abs(n), n, assume="n >= 0").status in ("proven", "confirmed")


@pytest.mark.parametrize("text", [
    "d/dt integrate(f(tau)*g(t - tau), (tau, 0, t)) = integrate(f(tau)*d/dt g(t - tau), (tau, 0, t))",
    r"\frac{d}{dt} \int_0^t f(\tau) g(t - \tau) d\tau = \int_0^t f(\tau) \frac{d}{dt} g(t - \tau) d\tau",
])
def test_derivative_notation_is_a_derivative(text):
    report = check_proof([text], kind="continuous")
    assert report.verdict == "refuted"   # the boundary term f(t) g(0) was forgotten
    from sympy import Derivative

    assert report.expressions[0].has(Derivative)


def test_derivative_notation_correct_forms():
    ok = check_proof([r"\partial_t \int_{-\infty}^{\infty} f(\tau) g(t - \tau) d\tau",
                      "= integrate(f(tau)*Derivative(g(t - tau), t), (tau, -oo, oo))"], kind="continuous")
    assert ok.valid
    refused = check_proof(["integrate(f(tau)*g(t - tau), (tau, -oo, oo))",
                           "= integrate(f'(tau)*g'(t - tau), (tau, -oo, oo))"], kind="continuous")
    assert refused.verdict == "undecided"
    assert "read as a derivative only at a plain variable" in refused.steps[0].reason


def test_top_lines_are_honest():
    proven = check_proof(["sum(f(k)*g(n - k), (k, -oo, oo))", "= sum(f(n - m)*g(m), (m, -oo, oo))"])
    assert proven.verdict == "proven" and proven.summary == "PROVEN: all 1 step(s) proven"
    plausible = check_proof(["sum(f(k), (k, 0, n))", "= sum(f(k), (k, 0, n - 1)) + f(n)"],
                            assume="n >= 0")
    if plausible.confirmed:   # SymPy may one day prove it
        assert plausible.verdict == "plausible"
        assert plausible.summary.startswith("PLAUSIBLE: 0 of 1 step(s) proven, 1 only checked "
                                            "numerically on ")


def test_the_report_shows_the_students_lines_and_stops_at_an_unparsable_one():
    report = check_proof(["sum(f(k), (k, 0, n))", "= sum(f(k), (k, 0, n-1)) + f(n)",
                          "= sum(f(k), (k, 0, n - 1) + ", "= f(n)"])
    text = str(report)
    assert "  = sum(f(k), (k, 0, n-1)) + f(n)" in text          # as typed, not SymPy's Sum(...)
    assert [s.status for s in report.steps][1:] == ["unverified", "unverified"]
    assert report.steps[1].reason.startswith("line 3, column ")
    assert "proof stops at line 3" in report.steps[2].reason


def test_latex_definition_line_parses():
    report = check_proof([r"(f \ast g)(t) = \int_{-\infty}^{\infty} f(\tau)\, g(t-\tau)\, d\tau   # definition",
                          "= integrate(f(t - u)*g(u), (u, -oo, oo))   # u = t - tau"], kind="continuous")
    assert report.verdict == "proven", str(report)


def test_h_is_a_function_by_default_in_the_api_as_in_the_cli():
    report = check_proof(["sum(f(k)*h(n - k), (k, -oo, oo))", "= sum(f(n - m)*h(m), (m, -oo, oo))"])
    assert report.verdict == "proven"


def test_cli_exit_status_distinguishes_proven_plausible_refuted(tmp_path, capsys):
    proven = tmp_path / "proven.txt"
    proven.write_text("floor((n + 2*p - k + s)/s)\n= floor((n + 2*p - k)/s) + 1\n")
    refuted = tmp_path / "refuted.txt"
    refuted.write_text("floor((n + 2*p - k + s)/s)\n= floor(n/s) + floor((2*p - k)/s) + floor(s/s)\n")
    plausible = tmp_path / "plausible.txt"
    plausible.write_text("Mod(n + 2*s, s)\n= Mod(n, s)\n")
    setting = ["--assume", "n >= 0, s >= 1, p >= 0, k >= 1"]
    assert main(["check-proof", str(proven), *setting]) == 0
    assert main(["check-proof", str(refuted), *setting]) == 1
    out = capsys.readouterr().out
    assert "REFUTED at step 1 (line 2)" in out and "s = -" not in out   # inside the setting
    code = main(["check-proof", str(plausible), *setting])
    out = capsys.readouterr().out
    verdict = out.splitlines()[1]           # after the input line
    assert out.startswith("input: a proof of ")
    assert (code, verdict.split(":")[0]) in ((3, "PLAUSIBLE"), (0, "PROVEN"))
    assert main(["check-proof", str(proven), "--assume", "n is big"]) == 2


# -- readable continuous counterexamples (issue 19) ------------------------------------

def _quad(fn, lo=-np.inf, hi=np.inf, points=()):
    from scipy.integrate import quad

    inside = [p for p in points if lo < p < hi]
    if np.isinf(lo) or np.isinf(hi):      # quad takes breakpoints on finite ranges only
        lo, hi = max(lo, -60.0), min(hi, 60.0)
    return quad(fn, lo, hi, points=inside or None, limit=200, epsabs=1e-11)[0]


def _functions(ce):
    """The counterexample's functions as Python callables (from its SymPy Lambdas)."""
    import sympy as sp

    return {name: sp.lambdify(lam.variables, lam.expr, modules=[{"Heaviside": lambda x, h=0.5:
                                                                 np.heaviside(x, h)}, "numpy"])
            for name, lam in ce.data}


_STAFF = {e["name"]: e for e in staff.WRONG}
_BREAKS = (-1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0)


def test_forgotten_boundary_term_is_refuted_with_a_box():
    report = _check(_STAFF["derivative of a running integral, boundary term forgotten"], 0)
    ce = report.first_failure.counterexample
    assert report.verdict == "refuted"
    # f is not differentiated once Leibniz's rule has been applied: it may be a box; g is
    text = str(ce)
    assert "f(x) = rect(x - 1/2) (a unit box on [0, 1))" in text
    assert "g(x) = e^(-x^2) (a Gaussian)" in text
    assert "simple functions" in report.first_failure.reason
    # the numbers are right: d/dt int_0^t f g(t - .) by a central difference, by SciPy
    fn = _functions(ce)
    t = float(dict(ce.symbols)["t"])
    h = 1e-4

    def running(s):
        return _quad(lambda x: fn["f"](x) * fn["g"](s - x), 0.0, s, _BREAKS)

    lhs = (running(t + h) - running(t - h)) / (2 * h)
    dg = __import__("sympy").lambdify(*next((lam.variables, lam.expr.diff(lam.variables[0]))
                                            for name, lam in ce.data if name == "g"))
    rhs = _quad(lambda x: fn["f"](x) * dg(t - x), 0.0, t, _BREAKS)
    assert abs(lhs - ce.lhs) < 1e-5 and abs(rhs - ce.rhs) < 1e-8
    assert abs(lhs - rhs) > 0.5     # the boundary term f(t) g(0) = 1


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("name", ["continuous substitution with the wrong sign",
                                  "causal convolution, limits not transformed",
                                  "step true only for an even g"])
def test_substitution_mistakes_are_refuted_with_boxes(name, seed):
    report = _check(_STAFF[name], seed)
    ce = report.first_failure.counterexample
    assert report.verdict == "refuted"
    assert "simple functions" in report.first_failure.reason
    for _, desc in ce.functions:   # a box, a ramp or a one-sided exponential, not a mixture
        assert any(w in desc for w in ("unit box", "one-sided exponential", "a ramp")), desc
    # the numbers are right (SciPy's adaptive quadrature, breakpoints at the jumps)
    fn = _functions(ce)
    f_, g_ = fn["f"], fn["g"]
    t = float(dict(ce.symbols)["t"])
    lo = 0.0 if "causal" in name else -np.inf
    lhs = _quad(lambda x: f_(x) * g_(t - x), lo, np.inf, _BREAKS)
    if "causal" in name:
        rhs = _quad(lambda u: f_(t - u) * g_(u), 0.0, np.inf, _BREAKS)
    elif "even" in name:
        rhs = _quad(lambda x: f_(x) * g_(x - t), -np.inf, np.inf, _BREAKS)
    else:
        rhs = _quad(lambda u: f_(t + u) * g_(u), -np.inf, np.inf, _BREAKS)
    assert abs(lhs - ce.lhs) < 1e-8 and abs(rhs - ce.rhs) < 1e-8
    assert abs(lhs - rhs) > 1e-3


def test_a_tiny_error_falls_back_to_random_functions():
    """A step wrong by one part in a million is below what a simple function may claim
    (a relative gap of 1e-4): the random Gaussian mixtures refute it, as before."""
    step = check_proof(["integrate(f(tau)*g(t - tau), (tau, -oo, oo))",
                        "= (1 + 1/1000000)*integrate(f(t - u)*g(u), (u, -oo, oo))"],
                       kind="continuous").steps[0]
    assert step.status == "refuted"
    assert "simple functions" not in step.reason and "seed" in step.reason
    assert all("exp(" in desc for _, desc in step.counterexample.functions)


def test_continuous_instances_give_each_symbol_both_signs():
    """f(t) u(t) = f(t) holds for t > 0 only: three random instances must not all draw a
    positive t (with random signs, seeds 10 and 16 of 0-29 did, and confirmed the step)."""
    import sympy as sp

    from symconv.proofs.numeric import _numeric_check

    t = sp.Symbol("t", real=True)
    f = sp.Function("f")
    for seed in range(30):
        assert _numeric_check(f(t) * sp.Heaviside(t), f(t), "continuous", seed, 3).status == "refuted"


def test_a_simple_function_is_undefined_at_its_jumps():
    from symconv.proofs.witnesses import FAMILY

    box, exp_, rect, ramp, box12 = (fn.named("f", "x") for fn in FAMILY)
    assert np.isnan(box([0.0, 1.0])).all() and box([0.5])[0] == 1.0 and box([1.5])[0] == 0.0
    assert np.isnan(exp_([0.0])).all() and exp_([-1.0])[0] == 0.0
    assert np.isnan(ramp([1.0])).all() and ramp([0.0, 0.25])[1] == 0.25 and ramp([0.0])[0] == 0.0
    assert np.isnan(rect([-0.5, 0.5])).all() and np.isnan(box12([1.0, 2.0])).all()
    # a point at a jump is skipped, not used: f(0) = 1 is refuted by the ramp (0 at 0),
    # not by the box or the exponential (undefined at 0), nor by rect (1 at 0)
    from symconv.proofs.witnesses import simple_refutation
    import sympy as sp

    res = simple_refutation(sp.Function("f")(0), sp.Integer(1), 5.0)
    assert str(res.counterexample) == ("f(x) = x on [0, 1), 0 elsewhere (a ramp): "
                                       "left side = 0, right side = 1")
