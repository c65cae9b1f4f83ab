"""The fairness campaign (benchmarks/bench_fairness.py) on a seeded sample of the
catalogue: no mutant that differs on the domain is graded correct, no equivalent
rewrite is graded incorrect, and nothing raises. The full run (every generated answer,
more than 5,000) is the benchmark; its figures are in docs/benchmarks.md."""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def campaign():
    spec = importlib.util.spec_from_file_location("bench_fairness",
                                                  ROOT / "benchmarks" / "bench_fairness.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def graded(campaign):
    parts = campaign.catalogue_parts()
    cases = campaign.run(parts, sample=360, seed=12)
    return campaign.report(cases)


def test_the_sample_covers_both_kinds_and_many_parts(graded):
    summary, _ = graded
    assert summary["answers"] == 360
    assert summary["mutants_that_differ"] >= 150 and summary["equivalent_rewrites"] >= 40
    assert summary["parts"] >= 50


def test_no_wrong_answer_is_graded_correct_and_no_right_one_incorrect(graded, campaign):
    summary, exceptions = graded
    assert summary["false_accepts"] == 0, campaign.format_report(summary, exceptions)
    assert summary["false_rejects"] == 0, campaign.format_report(summary, exceptions)
    assert summary["forbidden_form_credited"] == 0, campaign.format_report(summary, exceptions)
    assert summary["exceptions"] == 0 and summary["oracle_unknown"] == 0, exceptions


def test_the_oracle_is_not_the_grader(campaign):
    """The oracle finds a mutant wrong by itself, and knows a swap of symmetric
    parameters is no mistake."""
    import sympy as sp

    part = next(p for p in campaign.catalogue_parts() if p.id == "d2l-7.4.1.b")   # k1 + k2 - 1
    oracle = campaign.Oracle(part)
    k1, k2 = part.key.symbols()["k1"], part.key.symbols()["k2"]
    assert oracle.judge(part.reference.xreplace({k1: k2, k2: k1}), part.reference) == "equivalent"
    assert oracle.judge(part.reference + 1, part.reference) == "differs"
    signal = next(p for p in campaign.catalogue_parts() if p.id == "signals-ramp-step")
    t = signal.key.symbols()["t"]
    clipped = signal.reference.xreplace({sp.Heaviside(t): sp.Heaviside(t) - sp.Heaviside(t - 9)})
    assert campaign.Oracle(signal).judge(clipped, signal.reference) == "differs"   # beyond t = 6


def test_stack_algequiv_cases_agree_with_the_truth_on_the_real_line():
    """benchmarks/bench_stack_algequiv.py: STACK's published AlgEquiv cases, restated.
    The one known disagreement with the truth is a decimal within the default relative
    tolerance 1e-9 of 1/5.1 (a key sets ``tolerance`` to compare decimals tighter)."""
    spec = importlib.util.spec_from_file_location(
        "bench_stack_algequiv", ROOT / "benchmarks" / "bench_stack_algequiv.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rows = module.run()
    wrong = [(r["student"], r["teacher"]) for r in rows if r["got"] != r["math"]]
    assert wrong == [("2^((1/5.1) t)", "2^(0.196078431373 t)")]
    assert len(rows) >= 60
