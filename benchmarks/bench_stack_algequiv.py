"""A second fairness benchmark: STACK's published AlgEquiv answer-test cases.

    python benchmarks/bench_stack_algequiv.py

STACK (the Moodle question type for mathematics, built on Maxima) publishes the cases
its ``AlgEquiv`` answer test is checked against, with the expected outcome of each
(the "answer test results" page of its documentation, generated from its unit tests).
The table below restates a selection of those *facts* -- a student answer, a teacher
answer, whether they are algebraically equivalent -- in symconv's answer syntax:
``%i`` is ``I``, ``%pi`` is ``pi``, ``e^x`` stays, ``matrix([1,2],[3,4])`` is
``[[1, 2], [3, 4]]``. Cases that test Maxima itself (predicates such as ``integerp``,
``lowesttermsp``, ``rectform``, ``significantfigures``, ``lg``, ``#pm#``, case folding,
CAS errors on purpose) or functions outside symconv's grammar (``sec``, ``csc``,
``tanh``, ``sinh``) are left out; the ones STACK marks as its own known failures
("should be 1") are recorded with the mathematically right outcome.

Each pair goes through :func:`symconv.grading.equivalent` with its defaults (real
variables sampled on [-5, 5], no symbolic proof requested), and again with every
variable declared positive; the agreement with STACK's outcome and with the truth on
the real line is reported, with the reason for each disagreement.
"""

import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from symconv.errors import SymconvError  # noqa: E402
from symconv.grading import equivalent  # noqa: E402

# (student, teacher, STACK's published outcome, equal on the real line?, section, note).
# The two differ where STACK's Maxima treats variables as positive (principal roots and
# logarithms split), where it does not simplify set elements, and where its own table
# records a known failure.
R, P = True, False   # readability: R = "equivalent", P = "not equivalent"
CASES = [
    ("4^(-1/2)", "1/2", R, R, "numbers", ""),
    ("4^(1/2)", "sqrt(4)", R, R, "numbers", ""),
    ("0.5", "1/2", R, R, "floats and rationals", ""),
    ("0.33", "1/3", P, P, "floats and rationals", ""),
    ("5.1e-2", "51/1000", R, R, "floats and rationals", ""),
    ("0.333333333333333", "1/3", P, P, "floats and rationals", ""),
    ("(0.5 + x)*2", "2x + 1", R, R, "floats and rationals", ""),
    ("sqrt(-1)", "I", R, R, "complex numbers", ""),
    ("I", "e^(I pi/2)", R, R, "complex numbers", ""),
    ("I/sqrt(x)", "sqrt(-1/x)", R, R, "complex numbers", ""),
    ("oo", "oo", R, R, "infinity", ""),
    ("oo", "-oo", P, P, "infinity", ""),
    ("x^(1/2)", "sqrt(x)", R, R, "powers and roots", ""),
    ("x", "sqrt(x^2)", P, P, "powers and roots", ""),
    ("abs(x)", "sqrt(x^2)", R, R, "powers and roots", ""),
    ("1/abs(x)^(1/3)", "(abs(x)^(1/3)/abs(x))^(1/2)", R, R, "powers and roots", ""),
    ("sqrt((x-3)(x-5))", "sqrt(x-3) sqrt(x-5)", P, P, "powers and roots", ""),
    ("1/sqrt(x)", "sqrt(1/x)", R, P, "powers and roots", "differ for x < 0 (-i vs i)"),
    ("x - 1", "(x^2-1)/(x+1)", R, R, "powers and roots", "equal where both are defined"),
    ("2^((1/5.1) t)", "2^((1/5.1) t)", R, R, "powers and roots", ""),
    ("2^((1/5.1) t)", "2^(0.196078431373 t)", P, P, "powers and roots",
     "the decimal differs from 1/5.1 by 2e-12 relatively"),
    ("a^b a^c", "a^(b + c)", R, R, "powers and roots", ""),
    ("2 + 2 sqrt(3 + x)", "2 + sqrt(12 + 4x)", R, R, "powers and roots", ""),
    ("6 e^(6(y^2 + x^2)) + 72 x^2 e^(6(y^2 + x^2))", "(72 x^2 + 6) e^(6(y^2 + x^2))", R, R,
     "powers and roots", ""),
    ("sqrt(k/m) sqrt(m/k)", "1", R, P, "powers and roots", "-1 when k/m < 0"),
    ("(2 pi)*(m/k)^(1/2)", "(2 pi)/(k/m)^(1/2)", R, P, "powers and roots",
     "opposite signs when k/m < 0"),
    ("sqrt(2x/10 + 1)", "sqrt((2x + 10)/10)", R, R, "powers and roots", ""),
    ("((x+3)^2 (x+3))^(1/3)", "((x+3)(x^2+6x+9))^(1/3)", R, R, "powers and roots", ""),
    ("(x-1)^2", "x^2 - 2x + 1", R, R, "polynomials", ""),
    ("(x-1)(x^2+x+1)", "x^3 - 1", R, R, "polynomials", ""),
    ("(x-1)^(-2)", "1/(x^2 - 2x + 1)", R, R, "polynomials", ""),
    ("1/(4x - (pi + sqrt(2)))", "1/(x + 1)", P, P, "polynomials", ""),
    ("(x-a)^6000", "(x-a)^6000", R, R, "polynomials", ""),
    ("(a-x)^6000", "(x-a)^6000", R, R, "polynomials", ""),
    ("(x-a)^6000", "(x-a)^5999", P, P, "polynomials", ""),
    ("(k+8)/(k^2+4k-12)", "(k+8)/(k^2+4k-12)", R, R, "polynomials", ""),
    ("(k+7)/(k^2+4k-12)", "(k+8)/(k^2+4k-12)", P, P, "polynomials", ""),
    ("1/n - 1/(n+1)", "1/(n(n+1))", R, R, "polynomials", ""),
    ("0.5 x^2 + 3x - 1", "x^2/2 + 3x - 1", R, R, "polynomials", ""),
    ("cos(x)", "cos(-x)", R, R, "trigonometry", ""),
    ("cos(x)^2 + sin(x)^2", "1", R, R, "trigonometry", ""),
    ("cos(x+y)", "cos(x)cos(y) - sin(x)sin(y)", R, R, "trigonometry", ""),
    ("cos(x+y)", "cos(x)cos(y) + sin(x)sin(y)", P, P, "trigonometry", ""),
    ("2cos(x)^2 - 1", "cos(2x)", R, R, "trigonometry", ""),
    ("1.0 cos(1200 pi x)", "cos(1200 pi x)", R, R, "trigonometry", ""),
    ("exp(I pi)", "-1", R, R, "trigonometry", ""),
    ("2cos(2x) + x + 1", "-sin(x)^2 + 3cos(x)^2 + x", R, R, "trigonometry", ""),
    ("log(a^2 b)", "2log(a) + log(b)", R, P, "logarithms",
     "differ (by 2 pi i) for a < 0 or b < 0"),
    ("(2log(2x) + x)/(2x)", "(log(2x) + 2)/(2sqrt(x))", P, P, "logarithms", ""),
    ("log(abs(x^2 - 9))", "log(abs(x-3)) + log(abs(x+3))", P, R, "logarithms",
     "equal wherever both are defined"),
    ("x^log(y)", "y^log(x)", R, R, "logarithms", ""),
    ("[1, 2]", "[1, 2, 3]", P, P, "lists", ""),
    ("[1, 2, 4]", "[1, 2, 3]", P, P, "lists", ""),
    ("[(k+8)/(k^2+4k-12), -(2k+6)/(k^2+4k-12)]", "[(k+8)/(k^2+4k-12), -(2k+6)/(k^2+4k-12)]",
     R, R, "lists", ""),
    ("{1, 2}", "{1, 2, 3}", P, P, "sets", ""),
    ("{2/4, 1/3}", "{1/2, 1/3}", R, R, "sets", ""),
    ("{1, 2, 4}", "{1, 2, 3}", P, P, "sets", ""),
    ("{-sqrt(2)/sqrt(3)}", "{-2/sqrt(6)}", R, R, "sets",
     "STACK lists it as a known failure of its own (should be 1)"),
    ("{(2-2^(5/2))/2, (2^(5/2)+2)/2}", "{1-2^(3/2), 2^(3/2)+1}", P, R, "sets",
     "STACK does not simplify set elements"),
    ("{(x-a)^6000}", "{(a-x)^6000}", P, R, "sets", "STACK does not simplify set elements"),
    ("[[1, 2], [2, 3]]", "[[1, 2], [2, 3]]", R, R, "matrices", ""),
    ("[[1, 2], [2, 3]]", "[[1, 2, 3], [2, 3, 3]]", P, P, "matrices", ""),
    ("[[1, 2], [2, 3]]", "[[1, 2], [2, 5]]", P, P, "matrices", ""),
    ("[[0.33, 1], [1, 1]]", "[[0.333, 1], [1, 1]]", P, P, "matrices", ""),
    ("[[x + x, 2], [2, x x]]", "[[2x, 2], [2, x^2]]", R, R, "matrices", ""),
    ("x = 1", "x = 1", R, R, "equations", ""),
    ("1 = x", "1 = x", R, R, "equations", ""),
]


def run(positive=False):
    rows = []
    for student, teacher, stack, math_truth, section, note in CASES:
        names = sorted({c for c in student + teacher if c in "abkmnxyt"})
        variables = {n: "positive" for n in names} if positive else None
        t0 = time.perf_counter()
        try:
            v = equivalent(student, teacher, prove=False, variables=variables)
            got = v.equivalent
            detail = v.detail or v.strategy or ""
        except SymconvError as exc:
            got, detail = None, f"{type(exc).__name__}: {exc}"
        rows.append({"student": student, "teacher": teacher, "stack": stack, "math": math_truth,
                     "got": got, "section": section, "note": note, "detail": detail,
                     "seconds": time.perf_counter() - t0})
    return rows


def _word(v):
    return {True: "equivalent", False: "not equivalent", None: "undecided/error"}[v]


def main():
    rows = run()
    n = len(rows)
    with_stack = sum(r["got"] == r["stack"] for r in rows)
    with_math = sum(r["got"] == r["math"] for r in rows)
    print(f"STACK AlgEquiv cases restated: {n}")
    print(f"symconv agrees with STACK's published outcome on {with_stack} ({with_stack / n:.1%}), "
          f"with the truth on the real line on {with_math} ({with_math / n:.1%})")
    positive = run(positive=True)
    pos_stack = sum(r["got"] == r["stack"] for r in positive)
    print(f"with every variable declared positive (Maxima's default view of roots and logs): "
          f"agrees with STACK on {pos_stack} ({pos_stack / n:.1%})")
    wrong = Counter(r["section"] for r in rows if r["got"] != r["stack"])
    for section in dict.fromkeys(r["section"] for r in rows):
        total = sum(1 for r in rows if r["section"] == section)
        print(f"  {section:22s} {total:3d} cases, {wrong[section]} disagreement(s) with STACK")
    print("disagreements with STACK:")
    for r in rows:
        if r["got"] != r["stack"]:
            why = "symconv is right on the real line" if r["got"] == r["math"] else \
                "symconv is wrong"
            print(f"  [{r['section']}] {r['student']!r} vs {r['teacher']!r}: STACK "
                  f"{_word(r['stack'])}, symconv {_word(r['got'])} ({why}; {r['note']})")
    print(f"slowest case: {max(r['seconds'] for r in rows):.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
