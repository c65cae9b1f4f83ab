r"""Why a learning rate makes gradient descent on a kernel converge or diverge.

:func:`explain_run` turns the exact analysis of :mod:`symconv.learn._least_squares`
into an argument a reader can follow and a machine can check:

1. the loss is a quadratic form around the least-squares kernel ``θ*``, and in the
   eigenbasis of the Hessian ``H = 2c AᵀA`` a sum of independent modes
   ``L = L* + Σ λ_i/2 · z_i²``;
2. one step ``θ ← θ − η∇L(θ)`` multiplies mode ``i`` by ``1 − ηλ_i``, so its share
   of the loss by ``(1 − ηλ_i)²``; two steps by ``(1 − ηλ_i)⁴``;
3. hence the run converges for every start iff ``η < 2/λ_max``; otherwise the loss
   grows like ``(1 − ηλ_max)^{2k}``.

Steps 1 and 2 are :class:`symconv.Derivation` chains whose lines are computed from the
data (the loss written out, the loss after one and two updates) and verified by
:meth:`symconv.Derivation.check`; the numbers (eigenvalues, bound, factors) are the
exact ones of :func:`symconv.learn.analyze`.
"""

from functools import cached_property

import sympy as sp

import symconv as sc
from symconv.errors import SymconvError

from ._inputs import exact_lr, exact_number
from ._least_squares import analyze

__all__ = ["explain_run", "RunExplanation"]


def _fmt(value, digits=6):
    """An exact value, with a decimal approximation when it is not an integer."""
    value = sp.sympify(value)
    if value.is_Integer or value is sp.oo:
        return str(value)
    return f"{sp.sstr(value)} ≈ {float(sp.N(value, 30)):.{digits}g}"


def _vec(v):
    return "(" + ", ".join(sp.sstr(x) for x in v) + ")"


def _mat(M):
    return "[" + ", ".join("[" + ", ".join(sp.sstr(x) for x in M.row(i)) + "]"
                           for i in range(M.rows)) + "]"


def _term(coefficient, expression):
    """``coefficient * expression`` kept as a visible product."""
    if coefficient == 1:
        return expression
    return sp.Mul(coefficient, expression, evaluate=False)


class RunExplanation:
    """Why gradient descent with step ``lr`` converges or diverges on one problem.

    Built by :func:`explain_run`; read it with ``print(explanation)`` or
    ``explanation.latex()``. Attributes are exact SymPy numbers.

    Attributes
    ----------
    analysis : LeastSquares
        The exact analysis (with the bias setting of the run).
    lr : sympy.Rational
    verdict : {'converges', 'oscillates', 'diverges'}
    bound : the largest stable step ``2/λ_max`` (the run needs ``lr`` below it)
    factors : tuple
        ``1 − lr λ_i`` per eigenvalue, largest eigenvalue first.
    rate : ``max |1 − lr λ_i|`` over the positive eigenvalues
    growth_per_step, growth_per_two_steps :
        ``rate²`` and ``rate⁴``: the factor of ``L − L*`` per step and per two steps
        once the dominant mode has taken over.
    observed : tuple of (int, float)
        Printed ``(step, loss)`` pairs being explained (may be empty).
    """

    def __init__(self, analysis, lr, observed=(), tol=1e-6, title=None):
        self.analysis = analysis
        self.lr = exact_lr(lr)
        self.tol = exact_number(tol, "tol")
        self.title = title
        self.observed = tuple(observed)
        ls = analysis
        self.verdict = ls.verdict(self.lr)
        self.bound = ls.stable_bound
        self.factors = ls.mode_factors(self.lr)
        self.rate = ls.rate(self.lr)
        self.growth_per_step = ls.loss_growth(self.lr, 1)
        self.growth_per_two_steps = ls.loss_growth(self.lr, 2)
        self.steps_to_tolerance = ls.steps_to_tolerance(self.lr, self.tol)

    # -- the other bias setting, for "what a learnable bias changes" ------------------
    @cached_property
    def other_bias(self):
        """The same problem with the bias setting flipped (its exact analysis)."""
        p = self.analysis.problem
        return analyze(p.x, p.y, p.kernel_shape, not p.bias, p.loss)

    # -- comparison with printed numbers ------------------------------------------
    @property
    def observed_ratios(self):
        """``((s_a, s_b, printed ratio, predicted ratio, relative deviation), ...)`` for
        consecutive printed losses; the prediction is ``rate^(2 (s_b - s_a))``, the
        asymptotic factor of ``L − L*``."""
        out = []
        L_star = float(self.analysis.min_loss)
        for (sa, la), (sb, lb) in zip(self.observed, self.observed[1:]):
            printed = (lb - L_star) / (la - L_star)
            predicted = float(sp.N(self.rate ** (2 * (sb - sa)), 30))
            out.append((sa, sb, printed, predicted, abs(printed / predicted - 1)))
        return tuple(out)

    # -- the derivations ------------------------------------------------------
    def _error(self):
        ls = self.analysis
        return [p - s for p, s in zip(ls.parameters, ls.solution)]

    def _gram_form(self, error):
        ls = self.analysis
        n = len(error)
        c = ls.scale
        terms = []
        for i in range(n):
            for j in range(i, n):
                coefficient = c * ls.gram[i, j] * (1 if i == j else 2)
                if coefficient != 0:
                    product = error[i] ** 2 if i == j else sp.Mul(error[i], error[j])
                    terms.append(sp.Mul(coefficient, product, evaluate=False))
        return ls.min_loss + sp.Add(*terms)

    def _modal_form(self, power):
        """``L* + Σ (1 − ηλ)^power λ/(2 v·v) (v·e)^2`` or None without exact modes."""
        ls = self.analysis
        if ls.modes is None:
            return None
        e = sp.Matrix(self._error())
        terms = []
        for lam, v in ls.modes:
            if lam == 0:
                continue
            weight = sp.radsimp(lam / (2 * (v.T * v)[0]))
            mode = sp.expand((v.T * e)[0]) ** 2
            factor = sp.radsimp((1 - self.lr * lam) ** power)
            terms.append(_term(factor, _term(weight, mode)) if power else _term(weight, mode))
        return ls.min_loss + sp.Add(*terms, evaluate=False) if terms else ls.min_loss

    def _after_steps(self, steps):
        """The loss written out at the parameters after ``steps`` updates (from the
        symbols), and the updated parameters."""
        ls = self.analysis
        L = ls.loss_expression()
        theta = list(ls.parameters)
        current = theta
        for _ in range(steps):
            grad = [sp.diff(L, p) for p in theta]
            step = {p: q for p, q in zip(theta, current)}
            current = [sp.expand(q - self.lr * g.xreplace(step)) for q, g in zip(current, grad)]
        return L.xreplace(dict(zip(theta, current))), current

    @cached_property
    def derivations(self):
        """The checked argument: a tuple of :class:`symconv.Derivation`."""
        ls = self.analysis
        lams = ", ".join(sp.sstr(v) for v in ls.eigenvalues)
        star = _vec(ls.solution)
        out = []
        steps = [ls.loss_expression(),
                 (self._gram_form(self._error()),
                  f"expand around the least-squares solution {star}: the normal equations "
                  f"AᵀA θ* = Aᵀy cancel the linear term; AᵀA = {_mat(ls.gram)}")]
        modal = self._modal_form(0)
        if modal is not None:
            vecs = "; ".join(f"λ = {sp.sstr(lam)}: v = {_vec(v)}"
                             for lam, v in ls.modes if lam != 0)
            steps.append((modal, f"eigenvectors of H = 2c AᵀA ({vecs}); each term is "
                                 "λ/2 times the squared coordinate along v/|v|"))
        out.append(sc.Derivation(steps,
                                 title=f"The loss as a sum of modes (eigenvalues of H: {lams})"))
        for count in (1, 2):
            after, update = self._after_steps(count)
            chain = [after]
            modal = self._modal_form(2 * count)
            if modal is not None:
                chain.append((modal, f"each mode is multiplied by (1 - ηλ)^{2 * count} with "
                                     f"η = {sp.sstr(self.lr)}: "
                             + ", ".join(sp.sstr(sp.radsimp((1 - self.lr * lam) ** (2 * count)))
                                         for lam, _ in ls.modes if lam != 0)))
            else:
                e = sp.Matrix(self._error())
                M = (sp.eye(len(e)) - self.lr * ls.hessian) ** count
                chain.append((self._gram_form(list(M * e)),
                              f"the error after {count} step(s) is (I - ηH)^{count} (θ - θ*)"))
            word = "one step" if count == 1 else "two steps"
            out.append(sc.Derivation(chain, title=f"The loss after {word} of gradient descent "
                                                  f"θ ← θ - {sp.sstr(self.lr)} ∇L(θ), written "
                                                  f"out"))
        return tuple(out)

    @cached_property
    def reports(self):
        """The :class:`ProofReport` of every derivation (checked on first use)."""
        return tuple(d.check() for d in self.derivations)

    @property
    def checked(self):
        """True when every step of every derivation is proven or confirmed."""
        return all(r.valid for r in self.reports)

    # -- words ------------------------------------------------------------------
    def verdict_line(self):
        """One line: ``verdict: diverges (lr 1/20 > 2/λ_max = 1/42)``."""
        sign = {"converges": "<", "oscillates": "=", "diverges": ">"}[self.verdict]
        return (f"verdict: {self.verdict} (lr {sp.sstr(self.lr)} {sign} 2/λ_max = "
                f"{sp.sstr(self.bound)})")

    def lines(self):
        """The explanation as a list of text lines (without the derivations)."""
        ls = self.analysis
        kh, kw = ls.kernel_shape
        what = "sum" if ls.loss == "sum" else f"mean (c = {ls.scale})"
        out = [f"Gradient descent on a {kh}x{kw} kernel{' and a bias' if ls.bias else ''}, "
               f"{ls.outputs} outputs, loss: {what} of the squared residuals, lr = "
               f"{_fmt(self.lr)}"]
        out.append(f"  loss L(θ) = {sp.sstr(ls.loss_expression())}")
        ident = ("identifiable" if ls.identifiable else
                 f"NOT identifiable: rank {ls.rank} < {len(ls.parameters)}; the data cannot "
                 f"see the direction(s) {', '.join(_vec(v) for v in ls.nullspace)} (the "
                 f"smallest-norm solution is shown)")
        out.append(f"  least squares: θ* = {_vec(ls.solution)}, L* = {sp.sstr(ls.min_loss)} "
                   f"(rank(AᵀA) = {ls.rank} of {len(ls.parameters)}: {ident})")
        out.append(f"  Hessian H = 2c AᵀA = {_mat(ls.hessian)}, eigenvalues "
                   + ", ".join(sp.sstr(v) for v in ls.eigenvalues))
        out.append("  one step multiplies the error along each eigenvector by 1 - lr λ = "
                   + ", ".join(sp.sstr(f) for f in self.factors))
        out.append(f"  stable iff lr < 2/λ_max = {_fmt(self.bound)}; best constant step "
                   f"2/(λ_min + λ_max) = {_fmt(ls.optimal_step)} (error factor "
                   f"{_fmt(ls.optimal_rate)} per step)")
        if self.verdict == "converges":
            steps = self.steps_to_tolerance
            out.append(f"  lr {sp.sstr(self.lr)} converges: the error shrinks at least by "
                       f"{_fmt(self.rate)} per step (the loss by {_fmt(self.growth_per_step)}); "
                       f"{steps} step(s) reduce the error of any start by {_fmt(self.tol)}")
        elif self.verdict == "oscillates":
            out.append(f"  lr {sp.sstr(self.lr)} sits on the bound: the top mode flips sign "
                       "with constant size; the loss does not go to L*")
        else:
            out.append(f"  lr {sp.sstr(self.lr)} diverges: the top mode grows by "
                       f"|1 - lr λ_max| = {_fmt(self.rate)} per step, so L - L* grows by "
                       f"{_fmt(self.growth_per_step)} per step and "
                       f"{_fmt(self.growth_per_two_steps)} per two steps")
            unseen = self._unstable_directions_free_of_target()
            if unseen:
                out.append("  the least-squares kernel has no component along the growing "
                           f"direction(s) {', '.join(unseen)}: only the start's component "
                           "along them grows (a random start has one); from a start without "
                           "it, such as zeros, the iteration converges even at this step in "
                           "exact arithmetic")
        for sa, sb, printed, predicted, dev in self.observed_ratios:
            note = "within 1%" if dev <= 0.01 else "the other modes still count"
            out.append(f"  printed: (L - L*) from step {sa} to {sb} x {printed:.6g}; predicted "
                       f"asymptotically x {predicted:.6g} ({100 * dev:.2f}% off: {note})")
        other = self.other_bias
        word = "with a learnable bias" if other.bias else "without the bias"
        out.append(f"  {word}: eigenvalues " + ", ".join(sp.sstr(v) for v in other.eigenvalues)
                   + f", bound 2/λ_max = {_fmt(other.stable_bound)}, least squares "
                   f"{_vec(other.solution)}, L* = {sp.sstr(other.min_loss)}")
        return out

    def _unstable_directions_free_of_target(self):
        ls = self.analysis
        if ls.modes is None:
            return []
        out = []
        for lam, v in ls.modes:
            if lam != 0 and abs(1 - self.lr * lam) > 1 and sp.simplify((v.T * ls.solution)[0]) == 0:
                out.append(_vec(v))
        return out

    def __str__(self):
        lines = [self.title] if self.title else []
        lines += self.lines()
        lines.append("  checked derivations (symconv.proofs):")
        for r in self.reports:
            lines.append(f"    {r.title}: {r.summary}")
        lines.append(self.verdict_line())
        return "\n".join(lines)

    def __repr__(self):
        return f"<RunExplanation: lr {self.lr}, {self.verdict}, bound {self.bound}>"

    def latex(self):
        """The explanation as LaTeX: the facts, then each checked derivation."""
        from symconv.latex import escape_text, expr_latex

        ls = self.analysis
        parts = []
        if self.title:
            parts.append(r"\paragraph{" + escape_text(self.title) + "}")
        parts.append(escape_text(
            f"Gradient descent on a {ls.kernel_shape[0]}x{ls.kernel_shape[1]} kernel with "
            f"{ls.outputs} outputs and the {ls.loss} of the squared residuals."))
        parts.append(r"\[ H = 2c\,A^\top A = " + expr_latex(ls.hessian) + r", \qquad \lambda \in \{"
                     + ", ".join(expr_latex(v) for v in ls.eigenvalues) + r"\} \]")
        sign = {"converges": "<", "oscillates": "=", "diverges": ">"}[self.verdict]
        parts.append(r"\[ \eta = " + expr_latex(self.lr) + " " + sign
                     + r" \frac{2}{\lambda_{\max}} = " + expr_latex(self.bound)
                     + r", \qquad 1 - \eta\lambda_i \in \{"
                     + ", ".join(expr_latex(f) for f in self.factors) + r"\} \]")
        parts.append(escape_text(
            f"Verdict: the run {self.verdict}. Per step L - L* changes by the factor "
            f"{sp.sstr(self.growth_per_step)}, per two steps by "
            f"{sp.sstr(self.growth_per_two_steps)} (once the dominant mode has taken over)."))
        for r in self.reports:
            parts.append(r.latex())
        return "\n\n".join(parts)


def explain_run(X, Y=None, kernel_shape=None, lr=None, bias=False, loss="sum", *,
                observed=(), tol=1e-6):
    r"""Explain why gradient descent with step ``lr`` converges or diverges.

    Parameters
    ----------
    X : array_like, or a NotebookRun, or ``'seed'`` / ``'d2l'``
        The image (then ``Y``, ``kernel_shape`` and ``lr`` are required), or one of
        the source notes' runs (then its data and step are used, and its printed losses
        are compared when ``lr``, ``bias`` and ``loss`` are the run's own).
    Y, kernel_shape, bias, loss
        As in :func:`symconv.learn.analyze`.
    lr : number
        The step ``η``.
    observed : sequence of (step, loss), optional
        Printed losses to compare with the prediction (the loss of step ``s`` is
        computed before that step's update).
    tol : number, default 1e-6
        For a converging step: report how many steps shrink the error by ``tol``.

    Returns
    -------
    RunExplanation

    Examples
    --------
    >>> ex = explain_run("seed")
    >>> ex.verdict_line()
    'verdict: diverges (lr 1/20 > 2/λ_max = 1/42)'
    >>> ex.factors, ex.growth_per_two_steps, ex.checked
    ((-16/5, 2/5), 65536/625, True)
    """
    from ._notebook import NotebookRun, notebook_run

    title = None
    if isinstance(X, str):
        X = notebook_run(X)
    if isinstance(X, NotebookRun):
        run = X
        title = f"Learning a kernel: the {run.name} run ({run.description})"
        lr = run.lr if lr is None else lr
        same = (bias, loss) == (run.bias, run.loss) and exact_lr(lr) == run.lr
        if same and not observed:  # the printed losses belong to the run's own settings
            observed = tuple(zip(run.printed_steps, run.printed_losses))
        analysis = run.analysis if (bias, loss) == (run.bias, run.loss) else \
            analyze(run.image, run.target, run.kernel_shape, bias, loss)
        return RunExplanation(analysis, lr, observed, tol, title)
    if Y is None or kernel_shape is None or lr is None:
        raise SymconvError("explain_run needs X, Y, kernel_shape and lr (or a notebook run), "
                           f"but got Y={Y!r}, kernel_shape={kernel_shape!r}, lr={lr!r}")
    return RunExplanation(analyze(X, Y, kernel_shape, bias, loss), lr, observed, tol, title)
