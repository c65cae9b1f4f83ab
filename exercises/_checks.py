"""Verification helpers: turn the library's reports and independent computations into
:class:`~exercises._registry.Check` objects.

Which status each helper can give:

=====================  ==============================================================
helper                 status
=====================  ==============================================================
derivation_check       'proven' when every step is proven, 'confirmed' when some step
                       was only confirmed numerically, else 'refuted'/'unverified'
crosscheck_check       'confirmed' (numeric agreement, tolerance and seed reported),
                       'refuted', or 'unverified' (the report's agree is None)
exact_check            'proven' when the value equals an independent exact computation
                       of the *same finite object*; 'refuted' otherwise
instance_check         'confirmed': one instance of a general formula, exactly
sympy_check            'proven' when SymPy simplifies the difference to 0
grid_check             'confirmed': a general formula agrees exactly with a brute-force
                       count at every point of a finite grid (not a proof for all values)
numeric_check          'confirmed' within a tolerance against a float computation
kernel_check           'proven' exactness on polynomials (symbolic) plus the measured
                       convergence order, from :meth:`symconv.nn.kernels.Kernel.verify`
=====================  ==============================================================
"""

import numbers

import numpy as np
import sympy as sp

from ._registry import Check

__all__ = ["derivation_check", "crosscheck_check", "exact_check", "instance_check",
           "sympy_check", "grid_check", "numeric_check", "kernel_check", "to_sympy",
           "same_exact"]


def derivation_check(derivation, what=None, **options):
    """Check a :class:`symconv.proofs.Derivation` step by step."""
    report = derivation.check(**options)
    statuses = [s.status for s in report.steps]
    counts = ", ".join(f"{statuses.count(k)} {k}" for k in ("proven", "confirmed", "refuted",
                                                             "unverified") if k in statuses)
    title = what or derivation.title or "derivation"
    if any(s == "refuted" for s in statuses):
        status = "refuted"
    elif any(s == "unverified" for s in statuses):
        status = "unverified"
    elif any(s == "confirmed" for s in statuses):
        status = "confirmed"
    else:
        status = "proven"
    reasons = "; ".join(f"step {s.index}: {s.reason}" for s in report.steps)
    return Check(status, "derivation",
                 f"{title}: {len(statuses)} step(s) checked by symconv.proofs ({counts}). {reasons}",
                 report=report)


def crosscheck_check(report, what):
    """A :class:`symconv.verify.CrosscheckReport` as a check."""
    status = {True: "confirmed", False: "refuted"}.get(report.agree, "unverified")
    verdict = {"agree": "agrees with", "disagree": "DISAGREES with",
               "not verified": "could not be compared with"}[report.status]
    detail = (f"{what}: the closed form {verdict} the independent numeric reference "
              f"({report.method}); {report.points} point(s) compared")
    if report.max_error is not None:
        detail += f", max error {report.max_error:.3g}"
    if report.reason:
        detail += f"; {report.reason}"
    return Check(status, "crosscheck", detail, tolerance=report.tolerance, seed=report.seed,
                 report=report)


def to_sympy(value):
    """Lists, tuples, arrays, matrices and numbers as SymPy objects (nested lists kept)."""
    if isinstance(value, (sp.MatrixBase, sp.NDimArray)):
        return to_sympy(value.tolist())
    if isinstance(value, np.ndarray):
        return to_sympy(value.tolist())
    if isinstance(value, (list, tuple)):
        return [to_sympy(v) for v in value]
    if isinstance(value, bool):
        return sp.sympify(int(value))
    if isinstance(value, float):
        raise TypeError("exact comparisons take no floats")
    return sp.sympify(value)


def _flat(value):
    if isinstance(value, list):
        shapes, flat = [len(value)], []
        for v in value:
            s, f = _flat(v)
            shapes.append(s)
            flat.extend(f)
        return tuple(map(str, shapes)), flat
    return (), [value]


def same_exact(a, b):
    """True when two exact objects (numbers, expressions, nested lists, matrices) are equal:
    same shape and every entry's difference expands (or simplifies) to 0."""
    a, b = to_sympy(a), to_sympy(b)
    sa, fa = _flat(a)
    sb, fb = _flat(b)
    if sa != sb or len(fa) != len(fb):
        return False
    for x, y in zip(fa, fb):
        d = sp.expand(x - y)
        if d != 0 and sp.simplify(d) != 0:
            return False
    return True


def exact_check(value, reference, against):
    """Exact agreement with an independent exact computation (``against`` says which)."""
    ok = same_exact(value, reference)
    return Check("proven" if ok else "refuted", "exact",
                 f"equal, entry by entry and exactly, to {against}" if ok
                 else f"DIFFERS from {against}: {reference}")


def instance_check(value, reference, against):
    """Exact agreement of one *instance* of a general answer with an independent computation.

    Exact, but it covers one case of a formula, so it only confirms the formula (status
    'confirmed', tolerance 0); see :func:`grid_check` for many cases.
    """
    ok = same_exact(value, reference)
    return Check("confirmed" if ok else "refuted", "instance",
                 f"one instance, exactly equal to {against}" if ok
                 else f"one instance DIFFERS from {against}: {reference}", tolerance=0.0)


def sympy_check(lhs, rhs, what):
    """SymPy decides ``lhs == rhs`` (simplify of the difference)."""
    if same_exact(lhs, rhs):
        return Check("proven", "sympy", f"{what}: SymPy simplifies the difference to 0")
    return Check("refuted", "sympy", f"{what}: the difference does not simplify to 0")


def grid_check(formula, brute_force, points, what, *, seed=None):
    """A formula against a brute-force count, exactly, at every point of a grid."""
    points = list(points)
    bad = []
    for p in points:
        f, b = formula(*p), brute_force(*p)
        if sp.sympify(f) != sp.sympify(b):
            bad.append((p, f, b))
            break
    if bad:
        p, f, b = bad[0]
        return Check("refuted", "grid", f"{what}: at {p} the formula gives {f}, brute force {b}",
                     tolerance=0.0, seed=seed)
    return Check("confirmed", "grid",
                 f"{what}: the formula equals a brute-force count exactly at all {len(points)} "
                 f"grid points (a check on finitely many cases, not a proof for all values)",
                 tolerance=0.0, seed=seed)


def numeric_check(value, reference, what, *, tolerance=1e-9, seed=None, subs=None):
    """A value (exact, optionally after substituting ``subs``, or a float array) against an
    independent float reference."""
    if isinstance(value, np.ndarray):
        got = np.asarray(value, dtype=float)
    else:
        exact = to_sympy(value)
        if subs:
            exact = _subs(exact, subs)
        got = np.array(_evalf(exact), dtype=float)
    ref = np.asarray(reference, dtype=float)
    if got.shape != ref.shape:
        return Check("refuted", "numeric", f"{what}: shape {got.shape} instead of {ref.shape}",
                     tolerance=tolerance, seed=seed)
    scale = max(1.0, float(np.abs(ref).max(initial=0.0)))
    err = float(np.abs(got - ref).max(initial=0.0))
    ok = err <= tolerance * scale
    return Check("confirmed" if ok else "refuted", "numeric",
                 f"{what}: max abs error {err:.3g} against the float computation "
                 f"(allowed {tolerance:g} x max(1, max|reference|))",
                 tolerance=tolerance, seed=seed)


def _subs(value, subs):
    if isinstance(value, list):
        return [_subs(v, subs) for v in value]
    return value.xreplace(subs)


def _evalf(value):
    if isinstance(value, list):
        return [_evalf(v) for v in value]
    if isinstance(value, numbers.Number):
        return float(value)
    return float(sp.N(value))


def kernel_check(kernel):
    """A :class:`symconv.nn.kernels.Kernel` checked by its own ``verify()``."""
    report = kernel.verify()
    if report.ok:
        detail = (f"{kernel.name}: exact on every polynomial of degree <= "
                  f"{report.promised_degree} (symbolic, identically in x and h); "
                  f"first failure on {report.failing_monomial}, leading error "
                  f"{report.leading_error}; measured convergence order "
                  f"{report.measured_order:.2f} (predicted {report.predicted_order})")
        return Check("proven", "kernel", detail, report=report)
    return Check("refuted", "kernel", f"{kernel.name}: " + "; ".join(report.problems),
                 report=report)
