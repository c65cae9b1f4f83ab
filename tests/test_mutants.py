"""A mutation campaign over the theorem library (issue 19): change one expression of a
built-in derivation (an index shifted by one, a sign flipped, a limit moved, a floor
dropped) and check that the checker never accepts the mutated chain.

A mutant may be *equivalent* (shifting f inside a product that is zero anyway; moving a
limit over terms that vanish): those are recognised by checking the mutated expression
against the original one, and are not counted. Every other mutant must be refuted (not
undecided, and never PROVEN or PLAUSIBLE).

By default a sample runs (the first mutant of each derivation); ``SYMCONV_ALL_MUTANTS=1``
runs the whole campaign (up to 3 mutants per expression, several minutes).
"""

import os

import pytest
import sympy as sp
from sympy import Integral, Sum, ceiling, floor
from sympy.core.function import AppliedUndef

from symconv.proofs import Derivation, Step, check_step
from symconv.proofs.theorems import NAMES, kinds, theorem

ALL = bool(os.environ.get("SYMCONV_ALL_MUTANTS"))


def mutants(e):
    """(description, mutated expression): one change each, in a fixed order."""
    out = []
    for app in sorted(e.atoms(AppliedUndef), key=sp.default_sort_key)[:2]:
        for i, a in enumerate(app.args):
            if not a.free_symbols:
                continue
            shifted = list(app.args)
            shifted[i] = a + 1
            out.append((f"index shift {app} -> {app.func(*shifted)}", e.xreplace({app: app.func(*shifted)})))
            s0 = sorted(a.free_symbols, key=str)[0]
            flipped = list(app.args)
            flipped[i] = a.xreplace({s0: -s0})
            out.append((f"sign {app} -> {app.func(*flipped)}", e.xreplace({app: app.func(*flipped)})))
            break
    for node in sorted(e.atoms(Sum, Integral), key=sp.default_sort_key)[:2]:
        limits = list(node.limits)
        v, lo, hi = limits[-1]
        limits[-1] = (v, lo, hi + 1) if hi.is_finite else (v, lo - 1, hi) if lo.is_finite else (v, 0, hi)
        out.append((f"limit -> {limits[-1]}", e.xreplace({node: node.func(node.function, *limits)})))
    for fl in sorted(e.atoms(floor, ceiling), key=sp.default_sort_key)[:1]:
        out.append((f"dropped {fl.func.__name__}", e.xreplace({fl: fl.args[0]})))
    return [(d, m) for d, m in out if m != e]


def campaign(all_mutants):
    for name in NAMES:
        for kind in kinds(name):
            d = theorem(name, kind)
            steps = list(d.steps)
            for i in range(1, len(steps)):
                found = mutants(steps[i].expression)
                for desc, m in (found[:3] if all_mutants else found[:1]):
                    yield name, kind, d, i, desc, m
                if found and not all_mutants:
                    break


def _verdict(name, kind, d, i, desc, m):
    steps = list(d.steps)
    new = steps[:i] + [Step(m, steps[i].justification, None)] + steps[i + 1:]
    report = Derivation(new, f"{name} ({kind}), mutant: {desc}", kind=d.kind).check()
    if report.verdict == "refuted":
        return "refuted", report
    same = check_step(steps[i].expression, m, kind=d.kind if d.kind in ("discrete", "continuous") else None)
    if same.status in ("proven", "confirmed"):
        return "equivalent", report
    return report.verdict, report


CASES = list(campaign(ALL))


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}-{c[1]}-{c[3]}-{c[4][:40]}" for c in CASES])
def test_no_mutant_of_a_builtin_derivation_is_accepted(case):
    verdict, report = _verdict(*case)
    assert verdict in ("refuted", "equivalent"), str(report)


def test_the_campaign_is_not_empty():
    assert len(CASES) >= 30


def test_the_identity_mutant_with_limits_from_zero_is_refuted():
    """int_0^oo f(tau) delta(t - tau) dtau is f(t) u(t), not f(t): the last undecided
    mutant of the full campaign (sifting over a half line was not supported)."""
    d = theorem("identity", "continuous")
    found = [(desc, m) for desc, m in mutants(d.steps[1].expression) if desc.startswith("limit")]
    assert [desc for desc, _ in found] == ["limit -> (tau, 0, oo)"]
    verdict, report = _verdict("identity", "continuous", d, 1, *found[0])
    assert verdict == "refuted", str(report)
    assert d.check().valid


if __name__ == "__main__":
    from collections import Counter

    counts = Counter(_verdict(*case)[0] for case in campaign(True))
    print(f"{sum(counts.values())} mutants: " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())))
