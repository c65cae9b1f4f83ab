"""The cross-check reports: one comparison (:class:`CheckResult`), one instance of the
parameters (:class:`Instance`), the whole report (:class:`CrosscheckReport`) and a value
with its report (:class:`Checked`); and how comparisons become verdicts."""

import html
import math
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import sympy as sp

from symconv._util.sympy_safety import ReadsAsText
from symconv.verdict import Status
from symconv._util.explaining import short as _short
from symconv._util.explaining import wrap as _wrap

__all__ = ["CheckResult", "Instance", "CrosscheckReport", "Checked"]


# ---------------------------------------------------------------------------
# the report
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class CheckResult:
    """One comparison inside an instance (grid, quadrature, delta terms, ...).

    The tolerance may differ from point to point. When the check passed, every error
    is within its own tolerance: ``max_error`` is the largest error and ``tolerance``
    the largest tolerance. When it failed, both are taken at the *worst point* (the
    largest ratio error/tolerance, located by ``at``), so ``max_error > tolerance``
    and the printed numbers always agree with the verdict.

    >>> CheckResult("quad", 3, 9.4e-07, 2.8e-09, False, at="t = 0.53").ok
    False
    >>> print(CheckResult("quad", 3, 9.4e-07, 2.8e-09, False, at="t = 0.53"))
    quad: 3 point(s), FAILED: error 9.4e-07 > tolerance 2.8e-09 at t = 0.53
    """

    name: str
    points: int
    max_error: float
    tolerance: float
    ok: bool
    detail: str = ""
    at: str = ""

    @property
    def ratio(self):
        """``max_error / tolerance`` (inf for a zero tolerance and a non-zero error)."""
        if self.tolerance > 0:
            return self.max_error / self.tolerance
        return 0.0 if self.max_error == 0 else math.inf

    def __str__(self):
        if self.ok:
            text = (f"{self.name}: {self.points} point(s), max error {self.max_error:.3g} "
                    f"(tolerance {self.tolerance:.3g}) ok")
        else:
            text = (f"{self.name}: {self.points} point(s), FAILED: error {self.max_error:.3g} "
                    f"> tolerance {self.tolerance:.3g}" + (f" at {self.at}" if self.at else ""))
        return text + (f"; {self.detail}" if self.detail else "")


@dataclass(frozen=True)
class Instance:
    """The checks run for one choice of parameter values."""

    label: str
    values: dict
    status: str                 # 'agree' | 'disagree' | 'not verified'
    checks: tuple = ()
    reason: str = ""

    def values_text(self):
        if not self.values:
            return "no parameters"
        return ", ".join(f"{k} = {_fmt_value(v)}" for k, v in self.values.items())


@dataclass(frozen=True)
class CrosscheckReport(ReadsAsText):
    """What was checked, how, and with which outcome.

    Attributes
    ----------
    agree : bool or None
        ``True``: every comparison of every instance passed.  ``False``: at least
        one failed (the closed form is wrong for those values).  ``None``: not
        verified (see ``reason``); never counts as a pass.
    max_error, tolerance : float or None
        When the result agrees: the largest absolute error seen and the largest
        tolerance used (every error is within its own tolerance). When it disagrees:
        the error and the tolerance at the worst point of the worst failed comparison
        (largest ratio error/tolerance), so ``max_error > tolerance``.
    seed : int
        Seed of the random parameter values and points; the check is reproducible.
    method : str
        The numeric reference used.
    points : int
        Number of points (or entries) compared over all instances.
    kind : str
        'continuous', 'discrete', 'sequence' or 'layer'.
    op : str
        'conv', 'corr' or the layer name.
    instances : tuple of Instance
        Per parameter draw: the values and the individual comparisons.
    reason : str
        Why the result was not verified or which comparison failed.
    notes : tuple of str
        Further remarks (delta handling, truncation, quadrature warnings).
    """

    agree: Any
    max_error: Any
    tolerance: Any
    seed: int
    method: str
    points: int
    kind: str
    op: str
    instances: tuple = ()
    reason: str = ""
    notes: tuple = field(default_factory=tuple)

    @property
    def status(self):
        """'agree', 'disagree' or 'not verified'."""
        return {True: "agree", False: "disagree"}.get(self.agree, "not verified")

    @property
    def verdict(self):
        """The :class:`symconv.verdict.Status`: agreement is ``confirmed`` (numeric evidence,
        never a proof), disagreement ``refuted``, no comparison ``unverified``."""
        return Status.of(self.status)

    @property
    def verified(self):
        return self.agree is True

    def __bool__(self):
        return self.agree is True

    def lines(self):
        head = {"agree": "AGREES with", "disagree": "DISAGREES with",
                "not verified": "NOT VERIFIED against"}[self.status]
        out = [f"crosscheck ({self.kind} {self.op}, seed {self.seed}): the result {head} "
               f"the numeric reference"]
        if self.reason:
            out.append(f"  reason: {self.reason}")
        out.append(f"  method: {self.method}")
        worst = self._worst()
        if worst is not None:
            inst, check = worst
            out.append(f"  {self.points} point(s) compared; worst: error {self.max_error:.3g} "
                       f"> tolerance {self.tolerance:.3g} (the {check.name} check of "
                       f"[{inst.label}]" + (f" at {check.at}" if check.at else "") + ")")
        elif self.max_error is not None:
            out.append(f"  {self.points} point(s) compared; max error {self.max_error:.3g}, "
                       f"tolerance {self.tolerance:.3g}")
        for inst in self.instances:
            out.append(f"  [{inst.label}] {inst.values_text()}: {inst.status}"
                       + (f" ({inst.reason})" if inst.reason else ""))
            for check in inst.checks:
                out.append(f"      {check}")
        for note in self.notes:
            out.append(f"  note: {note}")
        return out

    def __str__(self):
        return "\n".join(self.lines())

    def _worst(self):
        """(instance, check) of the failed comparison with the largest error/tolerance."""
        failed = [(inst, c) for inst in self.instances for c in inst.checks if not c.ok]
        return max(failed, key=lambda ic: ic[1].ratio) if failed else None

    def short(self):
        """One line: the outcome, the largest error against the tolerance, points, seed."""
        text = f"{self.kind} {self.op}: {self.status}"
        worst = self._worst()
        if worst is not None:
            text += (f", error {self.max_error:.3g} > tolerance {self.tolerance:.3g} "
                     f"({worst[1].name}) on {self.points} point(s)")
        elif self.max_error is not None:
            text += (f", max error {self.max_error:.3g} (tolerance {self.tolerance:.3g}) "
                     f"on {self.points} point(s)")
        return text + f", seed {self.seed}"

    def __repr__(self):
        return f"<CrosscheckReport {self.short()}>"

    def latex(self):
        """The report as a LaTeX ``verbatim`` block (for :func:`symconv.latex.document`)."""
        body = str(self).replace("\\end{verbatim}", "\\end {verbatim}")
        return "\\begin{verbatim}\n" + body + "\n\\end{verbatim}"

    def _repr_html_(self):
        # for Jupyter: what lines() says, the checks of each instance as a nested list
        esc = html.escape
        head, *rest = self.lines()
        items, depth = [], 0
        for line in rest:
            inner = line.startswith("      ")
            if inner and not depth and items:
                items[-1] = items[-1].removesuffix("</li>") + "<ul>"
            elif depth and not inner:
                items.append("</ul></li>")
            depth = inner
            items.append(f"<li>{esc(line.strip())}</li>")
        if depth:
            items.append("</ul></li>")
        return f"<div><strong>{esc(head)}</strong><ul>{''.join(items)}</ul></div>"

    def __explain__(self, check=True):
        """The lines :func:`symconv.explain` prints for this object."""
        return _crosscheck_report(self, check)


def _shorten(text, limit):
    return text if len(text) <= limit else text[:limit - 3] + "..."


class Checked(NamedTuple):
    """A value together with the report of its numeric cross-check.

    ``str`` shows the value and the whole report; ``repr`` one line; in a notebook the
    value is displayed as LaTeX with the outcome of the check beside it.
    """

    value: Any
    report: CrosscheckReport

    def __repr__(self):
        report = self.report.short()
        return f"Checked({_shorten(str(self.value), max(40, 185 - len(report)))}, <{report}>)"

    def __str__(self):
        return f"{self.value}\n{self.report}"

    # SymPy's printers (and the REPL under sympy.init_printing()) would print the tuple;
    # IPython would use its own tuple printer: both show the value and one report line
    def _sympystr(self, printer):
        return repr(self)

    def _pretty(self, printer):
        from sympy.printing.pretty.stringpict import prettyForm

        from symconv._util.sympy_safety import pretty_text

        value = printer._print(self.value)
        note = pretty_text(f"[{self.report.short()}]")
        lines = value.picture + note.picture
        width = max(len(line) for line in lines)
        return prettyForm("\n".join(line.ljust(width) for line in lines),
                          baseline=value.baseline)

    def _repr_pretty_(self, p, cycle):
        p.text(repr(self) if cycle else sp.pretty(self))

    def _repr_latex_(self):
        from symconv.latex import escape_text, expr_latex

        outcome = {"agree": "numerically cross-checked: agrees",
                   "disagree": "numerically cross-checked: DISAGREES",
                   "not verified": "NOT verified numerically"}[self.report.status]
        if self.report.max_error is not None:
            outcome += (f" (max error {self.report.max_error:.3g}, "
                        f"tolerance {self.report.tolerance:.3g})")
        return (f"$${expr_latex(self.value)} \\qquad \\text{{{escape_text(outcome)}}}$$")

    def __explain__(self, check=True):
        """The lines :func:`symconv.explain` prints for this object."""
        return _checked(self, check)


def _fmt_value(v):
    if isinstance(v, sp.Basic):
        if v.is_Integer or v.is_Symbol:
            return str(v)
        try:
            z = complex(v)
        except TypeError:
            return str(v)
        if z.imag == 0:
            return f"{z.real:.6g}"
        return f"{z.real:.6g}{z.imag:+.6g}i"
    return str(v)


def _aggregate(instances, *, seed, method, kind, op, notes=(), reason=""):
    checks = [c for inst in instances for c in inst.checks]
    statuses = [inst.status for inst in instances]
    if not instances:
        agree = None
    elif "disagree" in statuses:
        agree = False
        bad = [inst for inst in instances if inst.status == "disagree"]
        reason = reason or "; ".join(f"{inst.label} ({inst.values_text()}): {inst.reason}"
                                     for inst in bad)
    elif "not verified" in statuses:
        agree = None
        bad = [inst for inst in instances if inst.status == "not verified"]
        reason = reason or "; ".join(f"{inst.label}: {inst.reason}" for inst in bad)
        if any(s == "agree" for s in statuses):
            reason += " (the other instances agreed, so the check is only partial)"
    else:
        agree = True
    failed = [c for c in checks if not c.ok]
    if failed:   # the numbers of the worst failure: they must agree with the verdict
        worst = max(failed, key=lambda c: c.ratio)
        max_error, tolerance = worst.max_error, worst.tolerance
    else:
        max_error = max((c.max_error for c in checks), default=None)
        tolerance = max((c.tolerance for c in checks), default=None)
    return CrosscheckReport(
        agree=agree, max_error=max_error, tolerance=tolerance,
        seed=seed, method=method, points=sum(c.points for c in checks), kind=kind, op=op,
        instances=tuple(instances), reason=reason, notes=tuple(notes))


def _not_verified(reason, *, seed, method, kind, op, notes=()):
    return CrosscheckReport(agree=None, max_error=None, tolerance=None, seed=seed,
                            method=method, points=0, kind=kind, op=op, reason=reason,
                            notes=tuple(notes))


def _compare(name, closed, reference, tol, detail="", at=None, var="t"):
    """A CheckResult comparing two arrays under an absolute tolerance (scalar or per point).

    ``at`` (the points compared: values of ``var``, or labels) locates the worst point of
    a failure.
    """
    closed = np.asarray(closed, dtype=complex)
    reference = np.asarray(reference, dtype=complex)
    tol = np.broadcast_to(np.asarray(tol, dtype=float), reference.shape)
    if closed.size == 0:
        return CheckResult(name, 0, 0.0, 0.0, True, detail)

    def where(i):
        if at is None:
            return f"comparison point #{i}"
        point = at[i] if isinstance(at, (list, tuple)) else np.ravel(at)[i]
        return point if isinstance(point, str) else f"{var} = {float(point):.6g}"

    err = np.abs(closed - reference).ravel()
    finite = np.isfinite(err)
    if not finite.all():
        i = int(np.flatnonzero(~finite)[0])
        return CheckResult(name, closed.size, math.inf, float(tol.ravel()[i]), False,
                           (detail + "; " if detail else "") + "a value is not finite",
                           at=where(i))
    flat_tol = tol.ravel()
    ok = bool(np.all(err <= flat_tol))
    if ok:
        return CheckResult(name, int(closed.size), float(err.max()), float(flat_tol.max()),
                           True, detail)
    i = int(np.argmax(err / np.maximum(flat_tol, np.finfo(float).tiny)))
    return CheckResult(name, int(closed.size), float(err[i]), float(flat_tol[i]), False,
                       detail, at=where(i))


# ---------------------------------------------------------------------------
# explain(): what these results say about how they were obtained and checked
# ---------------------------------------------------------------------------

_VERDICT = {"agree": "AGREES with", "disagree": "DISAGREES with",
            "not verified": "could NOT be compared with"}


def _crosscheck_body(report):
    out = _wrap(f"verified: the result {_VERDICT[report.status]} an independent numeric "
                f"computation ({report.kind} {report.op}, seed {report.seed})")
    if report.reason:
        out += _wrap(f"reason: {report.reason}", "  ", "    ")
    out += _wrap(f"reference: {report.method}", "  ", "    ")
    if report.max_error is not None:
        out.append(f"  {report.points} point(s) compared over {len(report.instances)} "
                   f"instance(s); max error {report.max_error:.3g}, tolerance "
                   f"{report.tolerance:.3g}")
    for inst in report.instances:
        extra = f" ({inst.reason})" if inst.reason else ""
        out += _wrap(f"[{inst.label}] {inst.values_text()}: {inst.status}{extra}", "  ", "      ")
        for c in inst.checks:
            out += _wrap(str(c), "      ", "        ")
    for note in report.notes:
        out += _wrap(f"note: {note}", "  ", "    ")
    meaning = {
        "agree": "every comparison passed: strong numeric evidence that the closed form is "
                 "right for the parameter values tried (and the special cases listed); it is not "
                 "a symbolic proof.",
        "disagree": "at least one comparison failed: the closed form is wrong for the values "
                    "shown.",
        "not verified": "nothing was compared successfully, so nothing is claimed; the result "
                        "is NOT checked.",
    }[report.status]
    out += _wrap(f"meaning: {meaning}")
    call = {"layer": f"crosscheck_layer(result, {report.op!r}, ..., seed={report.seed})",
            "sequence": f"crosscheck(result, a, b, op={report.op!r}, seed={report.seed})"}.get(
        report.kind, f"crosscheck(result, f, g, var, op={report.op!r}, seed={report.seed})")
    out += _wrap(f"reproduce: {call} draws the same instances.")
    return out


def _crosscheck_report(report, check):
    return [f"crosscheck report ({report.kind} {report.op}): {report.status}"] + \
        _crosscheck_body(report)


def _checked(value, check):
    result, report = value
    engine = ("symconv.signals.continuous, the closed-form engine (pieces, exact antiderivatives, "
              "case splits; see the notes of symconv.signals.continuous)"
              if report.kind == "continuous" else
              "symconv.signals.discrete, the closed-form sum engine (regions, geometric and "
              "Faulhaber sums)" if report.kind == "discrete" else
              "symconv.signals.discrete.conv_seq / corr_seq, the defining sum entry by entry"
              if report.kind == "sequence" else "the exact layer of symconv.nn.layers")
    out = [f"a checked result: {_short(result)}"]
    out += _wrap(f"obtained: {report.op} computed by {engine}")
    return out + _crosscheck_body(report)
