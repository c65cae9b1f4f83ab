"""Learning a kernel by gradient descent: the step-size bound that explains the seed
notebook's exploding run, the textbook run that converges, and what an image can and
cannot determine about a kernel."""

from fractions import Fraction

import numpy as np
import sympy as sp
from sympy import Matrix, Rational

import symconv as sc
import symconv.learn as sl

from . import _brute
from ._checks import derivation_check, exact_check, numeric_check
from ._keys import key, mistake
from ._registry import exercise

TOPIC = "learning"


# -- independent references: the windows from the naive loops of _brute, and SymPy's
#    own eigenvalue routine on the Hessian built from them (the library builds its
#    design matrix with conv_matrix and takes the roots of the characteristic polynomial)

def _hessian(X, kernel_shape, scale=1):
    A = Matrix(_brute.im2col(X, *kernel_shape))
    return 2 * scale * A.T * A


def _eigenvalues(X, kernel_shape, scale=1):
    values = _hessian(X, kernel_shape, scale).eigenvals(multiple=True)
    return sorted(values, key=lambda v: float(v), reverse=True)


def _loss_figure(run, analysis, lr, steps, **init):
    """Drawn by the solutions book only: a descent run (the given Trajectory, or a new one
    of ``steps`` updates when ``run`` is a NotebookRun-like setting) and the exact
    prediction ``analysis.predicted_losses`` for the same start."""
    from symconv.plot import plot_loss_curve

    if not hasattr(run, "losses"):
        image, target, shape = run
        run = sl.learn_kernel(image, target, shape, lr, steps, **init)
    predicted = analysis.predicted_losses(lr, run.steps, **init)
    return plot_loss_curve(run, predicted)


def _vec(v):
    return "(" + ", ".join(str(x) for x in v) + ")"


def _band(width):
    return Matrix(6, width, lambda i, j: 0 if 2 <= j <= 5 else 1)


def _first_k(rate, tol):
    """The smallest k with rate^k <= tol, by counting (rate, tol rational)."""
    rate, tol, k, power = Fraction(str(rate)), Fraction(str(tol)), 0, Fraction(1)
    while power > tol:
        power *= rate
        k += 1
    return k


@exercise("learn-seed-divergence", topic=TOPIC,
          title="Why the notebook's kernel learning exploded",
          source="the course notebook's 'Learning a Kernel' run (seed notes)",
          prompt="""The course notebook fits a 1x2 kernel w to the 6x9 image X whose entries
          are 1 except for zeros in columns 2 to 5, with target Y = X ⋆ [1, -1]. It starts
          from small random weights, uses no bias, and minimises the sum of the squared
          errors by plain gradient descent with step 0.05. Every second step it printed the
          loss: 2.016, 8.918, 929.946, 97511.852, 10224868. (a) List the eigenvalues of the
          Hessian of the loss, largest first. (b) Give, as an exact fraction, the step size
          below which gradient descent converges from every start. (c) Once the growth has
          settled, by what exact factor does the loss grow over two steps? (d) Why is the
          first printed ratio, 8.918/2.016, so far from that factor?""")
def _seed(s):
    run = sl.notebook_run("seed")
    explanation = sl.explain_run(run)
    ls = explanation.analysis
    eigen = list(ls.eigenvalues)
    lr = run.lr
    indep = _eigenvalues(run.image, run.kernel_shape)
    s.say("The layer is linear in w, so the loss is a quadratic: L(w) = ||A w - y||^2 with "
          "the windows of X as the rows of A. Its Hessian is the constant matrix 2 A^T A. "
          "Gradient descent moves the error w - w* by the matrix I - lr H, so along each "
          "eigenvector of H the error is multiplied by 1 - lr λ in every step: it shrinks "
          "only if |1 - lr λ| < 1, i.e. lr < 2/λ.")
    s.show(explanation, "The exact analysis (symconv.learn.explain_run), with its derivations "
                        "checked step by step:")
    rows = [["step", "printed", "closed form from the recovered start", "ratio to 2 steps before"]]
    start = sl.recover_initial_weight(run)
    printed = dict(zip(run.printed_steps, run.printed_losses))
    steps = sorted(printed)
    for i, step in enumerate(steps):
        ratio = "" if i == 0 else f"{printed[step] / printed[steps[i - 1]]:.4f}"
        rows.append([str(step), str(printed[step]), f"{start.fitted_losses[i]:.6g}", ratio])
    s.show(rows, "The notebook's printed losses next to the closed form L(w_k) = sum_i "
                 "E_i (1 - lr λ_i)^(2k), with the two mode energies fitted to the printout "
                 f"(the start it implies, {np.round(start.weight.ravel(), 5).tolist()}, lies "
                 "inside the initialiser's range (-0.07, 0.07)):")
    proof = derivation_check(explanation.derivations[0], "the loss as a sum of modes")
    s.part("a", answer=eigen, prompt="eigenvalues of the Hessian, largest first",
           key=key("sequence", eigen, mistakes=[
               mistake([v / 2 for v in eigen], "Those are the eigenvalues of A^T A; the "
                                               "Hessian of a sum of squares is 2 A^T A.", 0.25),
               mistake(eigen[::-1], "List the largest first.", 0.5)]),
           checks=[exact_check(eigen, indep, "SymPy's eigenvals of 2 A^T A with A built by "
                                             "naive loops over the windows"),
                   proof])
    bound = ls.stable_bound
    s.part("b", answer=bound, prompt="the largest stable step 2/λ_max",
           key=key("rational", bound, mistakes=[
               mistake(1 / ls.lambda_max, "1/λ_max removes the top mode in one step; the "
                                          "iteration stays stable up to twice that.", 0),
               mistake(4 / ls.lambda_max, "Use 2/λ_max of the Hessian 2 A^T A (that is "
                                          "1/λ_max of A^T A), not 2/λ_max of A^T A.", 0.25)]),
           checks=[exact_check(bound, 2 / indep[0], "2 divided by the largest independent "
                                                    "eigenvalue of (a)"),
                   derivation_check(explanation.derivations[1], "one step multiplies each "
                                                                "mode by (1 - lr λ)^2")])
    growth = explanation.growth_per_two_steps
    check_run = sl.learn_kernel(run.image, run.target, run.kernel_shape, lr, 14,
                                init="uniform", seed=3)
    s.figure("The notebook's setting run for 14 steps from a random start (seed 3) with step "
             "0.05, above the bound 1/42: the loss explodes exactly as the closed form "
             "predicts (dashed).", _loss_figure, check_run, ls, lr, 14, init="uniform", seed=3)
    s.part("c", answer=growth, prompt="growth factor of the loss per two steps",
           note=f"(1 - lr λ_max)^4 = (-16/5)^4 ≈ {float(growth):.4f}; the printed ratios from "
                "step 4 on are within 1% of it.",
           key=key("rational", growth, mistakes=[
               mistake(explanation.growth_per_step, "That is the factor per step; two steps "
                                                    "multiply it by itself.", 0.25),
               mistake(explanation.rate, "That is the error's factor per step; the loss is "
                                         "quadratic in the error, and two steps compound it: "
                                         "raise it to the 4th power.", 0)]),
           checks=[exact_check(growth, (1 - lr * indep[0]) ** 4, "(1 - lr λ_max)^4 with the "
                                                                  "independent λ_max of (a)"),
                   derivation_check(explanation.derivations[2], "two steps multiply each mode "
                                                                "by (1 - lr λ)^4"),
                   numeric_check(growth, check_run.losses[13] / check_run.losses[11],
                                 "the loss ratio from step 12 to 14 of a gradient-descent run "
                                 "from a random start (symconv.learn.learn_kernel with the "
                                 "numeric executor)", tolerance=1e-4, seed=3)])
    (lam_up, v_up), (lam_down, v_down) = ls.modes
    up, down = (1 - lr * lam_up), (1 - lr * lam_down)
    s.part("d", written=True, prompt="why the first ratio is small",
           answer=f"The loss is a sum of two modes. Along {_vec(v_up)} the error is multiplied "
                  f"by 1 - {lr}*{lam_up} = {up} per step, along {_vec(v_down)} by "
                  f"1 - {lr}*{lam_down} = {down}. The target kernel {_vec(ls.solution)} lies "
                  "entirely along the second, decaying direction, so at the start almost all "
                  "of the loss sits there and only the small random part of the first weights "
                  f"lies along {_vec(v_up)}. At step 2 the decaying mode still dominates, so "
                  "the first ratio mixes growth and decay; from step 4 on the exploding mode "
                  f"dominates and every ratio is ({up})^4 = {growth} ≈ {float(growth):.2f}.")


@exercise("learn-d2l-converges", topic=TOPIC,
          title="The textbook's run converges",
          source="D2L 7.2 (learning a kernel), the original 6x8 setting",
          prompt="""In the textbook version the image has 6 rows and 8 columns (again ones with
          zeros in columns 2 to 5), the target is made by the kernel [1, -1], and gradient
          descent on the sum of squared errors uses step 0.03. (a) What is the largest stable
          step, as an exact fraction? (b) By what factor does the error shrink per step in
          the slowest direction? (c) How many steps guarantee that the error of any start
          has fallen to at most one millionth of its initial size?""")
def _d2l(s):
    run = sl.notebook_run("d2l")
    explanation = sl.explain_run(run)
    ls = explanation.analysis
    indep = _eigenvalues(run.image, run.kernel_shape)
    lam = ls.eigenvalues
    s.figure(f"The textbook's setting: 40 steps of gradient descent from the zero kernel with "
             f"step {run.lr}, below the bound; the loss falls as the exact prediction "
             "(dashed) says.", _loss_figure, (run.image, run.target, run.kernel_shape), ls,
             run.lr, 40, init="zeros")
    s.say(f"Here A^T A has eigenvalues {', '.join(str(v / 2) for v in lam)}, so the Hessian "
          f"2 A^T A has {', '.join(map(str, lam))}. The step {run.lr} is below 2/{lam[0]}, so "
          "every factor 1 - lr λ is smaller than 1 in size: "
          + ", ".join(f"1 - {run.lr}*{v} = {1 - run.lr * v}" for v in lam)
          + "; the one largest in size sets the pace.")
    s.show(explanation)
    s.part("a", answer=ls.stable_bound, prompt="largest stable step",
           key=key("rational", ls.stable_bound, mistakes=[
               mistake(1 / ls.lambda_max, "That step zeroes the top mode in one step; the "
                                          "bound is twice as large.", 0)]),
           checks=[exact_check(ls.stable_bound, 2 / indep[0], "2 over the largest eigenvalue of "
                                                              "2 A^T A (A by naive loops)")])
    rate = explanation.rate
    s.part("b", answer=rate, prompt="error factor per step (slowest direction)",
           key=key("expression", rate, mistakes=[
               mistake(sp.Abs(1 - run.lr * indep[-1]), "That is the faster direction's "
                                                       "factor; the slowest one has the "
                                                       "largest |1 - lr λ|.", 0.25),
               mistake(1 - run.lr * indep[0], "The error along the top direction flips sign "
                                              "every step; the question asks how much its "
                                              "size shrinks.", 0.5)]),
           checks=[exact_check(rate, max(abs(1 - run.lr * v) for v in indep),
                               "max |1 - lr λ| over the independent eigenvalues")])
    steps = explanation.steps_to_tolerance
    s.part("c", answer=steps, prompt="steps for a 10^-6 reduction",
           key=key("integer", steps, mistakes=[
               mistake(_first_k(rate ** 2, Rational(1, 10 ** 6)),
                       "That many steps shrink the loss by 10^-6; the error needs twice as "
                       "many (the loss is its square).", 0.25)]),
           checks=[exact_check(steps, _first_k(max(abs(1 - run.lr * v) for v in indep),
                                               Rational(1, 10 ** 6)),
                               "counting powers of the independent factor in exact fractions "
                               "until they reach 10^-6")])


@exercise("learn-largest-stable-lr", topic=TOPIC,
          title="The largest stable learning rate for a given image",
          source="the stability bound of gradient descent applied to the notes' setting",
          prompt="""A 1x2 kernel is learned by gradient descent from the 3x4 image with rows
          (1, 2, 0, 1), (2, 0, 1, 2), (0, 1, 2, 0). (a) For the sum of squared errors, what is
          the largest stable step? (b) Which constant step contracts the error fastest?
          (c) What is the largest stable step if the loss is the mean of the squared errors
          instead? (d) Does the answer to (a) depend on the kernel that produced the
          target?""")
def _stable_lr(s):
    X = Matrix([[1, 2, 0, 1], [2, 0, 1, 2], [0, 1, 2, 0]])
    target = Matrix(sc.corr2d(X, [[1, -1]]).tolist())
    ls = sl.analyze(X, target, (1, 2))
    mean = sl.analyze(X, target, (1, 2), loss="mean")
    indep = _eigenvalues(X, (1, 2))
    s.say("The Hessian 2 A^T A depends only on the windows of the image. Here A^T A = "
          f"{ls.gram.tolist()}, so the Hessian has eigenvalues {', '.join(map(str, indep))}; "
          "the bound is 2/λ_max and the best constant step balances the slowest and the "
          "fastest direction: 2/(λ_min + λ_max), with error factor "
          "(λ_max - λ_min)/(λ_max + λ_min) per step.")
    s.part("a", answer=ls.stable_bound, prompt="largest stable step (sum)",
           key=key("expression", ls.stable_bound, mistakes=[
               mistake(1 / ls.lambda_max, "Stability allows up to 2/λ_max.", 0),
               mistake(4 / ls.lambda_max, "The Hessian is 2 A^T A: its top eigenvalue is twice "
                                          "that of A^T A.", 0.25)]),
           checks=[exact_check(ls.stable_bound, 2 / indep[0],
                               "2 over the top eigenvalue of 2 A^T A (A by naive loops)")])
    best = ls.optimal_step
    s.figure(f"Gradient descent from the zero kernel with the fastest constant step {best}: "
             "25 steps, measured and predicted.", _loss_figure, (X, target, (1, 2)), ls, best,
             25, init="zeros")
    s.part("b", answer=best, prompt="fastest constant step",
           note=f"Its error factor per step is {ls.optimal_rate}.",
           key=key("expression", best, mistakes=[
               mistake(1 / ls.lambda_max, "1/λ_max removes the top mode at once but leaves the "
                                          "slow one nearly untouched; balance both ends.", 0)]),
           checks=[exact_check(best, 2 / (indep[0] + indep[-1]), "2/(λ_min + λ_max) from the "
                                                                 "independent eigenvalues")])
    m = len(list(target))
    s.part("c", answer=mean.stable_bound, prompt="largest stable step (mean)",
           note=f"The mean divides the loss, and so the Hessian, by the m = {m} outputs: the "
                "bound grows m times.",
           key=key("expression", mean.stable_bound, mistakes=[
               mistake(ls.stable_bound, "With the mean the curvature is m times smaller, so "
                                        "the bound is m times larger.", 0),
               mistake(ls.stable_bound / m, "The bound grows (it does not shrink) when the "
                                            "loss is divided by m.", 0)]),
           checks=[exact_check(mean.stable_bound,
                               2 / _eigenvalues(X, (1, 2), Rational(1, m))[0],
                               "2 over the top eigenvalue of (2/m) A^T A")])
    other = sl.analyze(X, Matrix(sc.corr2d(X, [[3, 5]]).tolist()), (1, 2))
    s.part("d", written=True, prompt="dependence on the target",
           answer="No. The Hessian 2 A^T A is built from the windows of the image alone; the "
                  "target only moves the minimiser w* (through A^T y), not the curvature. The "
                  "same image with any target kernel, for example [3, 5], has the same "
                  f"eigenvalues and the same bound {other.stable_bound}.")


@exercise("learn-diagonal-edge", topic=TOPIC,
          title="Learning a diagonal-edge kernel: what the image cannot see",
          source="the notes' edge detection, extended to learning a 2x2 kernel",
          prompt="""Let X be the 5x5 image with ones on and above the main diagonal and zeros
          below it, and let the target be Y = X ⋆ K for the 2x2 kernel K with rows (0, 1) and
          (-1, 0). A 2x2 kernel is learned by least squares (gradient descent from the zero
          kernel with a stable step). (a) What is the rank of A^T A (A: the windows of X as
          rows)? (b) Give the nonzero 2x2 kernel D with top-left entry 1 that X cannot detect
          at all (X ⋆ D = 0). (c) Which kernel does gradient descent from zero converge
          to?""")
def _diagonal(s):
    X = Matrix(5, 5, lambda i, j: 1 if j >= i else 0)
    K = Matrix([[0, 1], [-1, 0]])
    Y = Matrix(sc.corr2d(X, K).tolist())
    ls = sl.analyze(X, Y, (2, 2))
    A = Matrix(_brute.im2col(X, 2, 2))
    s.say("Only three kinds of 2x2 windows occur in X: all ones (above the diagonal), "
          "(1, 1; 0, 1) on it and (0, 1; 0, 0) just below; the rest are zero. Three distinct "
          "windows give rank 3 for four unknowns, so one direction of kernels is invisible. "
          "Gradient descent from zero never moves along an invisible direction (its gradient "
          "A^T r has no component there), so it converges to the least-squares kernel of "
          "smallest norm.")
    rank = ls.rank
    s.part("a", answer=rank, prompt="rank of A^T A",
           key=key("integer", rank, mistakes=[
               mistake(4, "Count the distinct windows: only three kinds occur.", 0)]),
           checks=[exact_check(rank, (A.T * A).rank(), "the rank of A^T A with A built by naive "
                                                       "loops")])
    (v,) = ls.nullspace
    D = Matrix(2, 2, list(v / v[0]))
    s.part("b", answer=D, prompt="the invisible kernel D",
           note="D compares X[i, j] with X[i + 1, j + 1]: a difference along the diagonal, "
                "parallel to the edge, where the image never changes.",
           key=key("matrix", D, mistakes=[
               mistake(K, "K is what made the target; it sees the edge.", 0),
               mistake(Matrix([[1, 0], [0, 1]]), "That kernel sums along the diagonal; X ⋆ D "
                                                 "must vanish, so the signs must differ.", 0)]),
           checks=[exact_check(Matrix(_brute.corr2d(X, D)), sp.zeros(4, 4),
                               "the zero matrix (X ⋆ D, computed by naive loops, vanishes)")])
    learned = ls.solution_kernel
    lr = 1 / sp.ceiling(ls.lambda_max)          # a rational step below 1/λ_max: stable
    steps = ls.steps_to_tolerance(lr, Rational(1, 10 ** 12))
    run = sl.learn_kernel(X, Y, (2, 2), lr, steps, init="zeros")
    gap = float(np.abs(run.weight - np.array(learned.tolist(), dtype=float)).max())
    s.figure(f"The descent from zero with step {lr}: the loss reaches the least-squares "
             "minimum 0 although the kernel is not identifiable (dashed: exact prediction).",
             _loss_figure, run, ls, lr, steps, init="zeros")
    s.part("c", answer=learned, prompt="the limit of gradient descent from zero",
           note="Every kernel K + t D fits equally well; K itself is orthogonal to D, so it is "
                f"the one of smallest norm. Gradient descent from zero with step {lr} "
                f"(symconv.learn.learn_kernel, {steps} steps) ends {gap:.1e} away from it.",
           key=key("matrix", learned, mistakes=[
               mistake(K + D, "This fits as well, but gradient descent from zero never moves "
                              "along D.", 0.25)]),
           checks=[exact_check(learned, Matrix(2, 2, list(A.pinv() * Matrix(list(Y)))),
                               "the minimum-norm least-squares solution A⁺ y (SymPy's pinv of "
                               "the naive-loop A)")])


@exercise("learn-3x3-identifiability", topic=TOPIC,
          title="What an image determines about a 3x3 kernel",
          source="identifiability of a learned kernel (rank of A^T A)",
          prompt="""A 3x3 kernel is learned by least squares. (a) For a constant 5x5 image
          (all entries 2), what is the rank of A^T A? (b) For the notebook's 6x9 band image
          (ones, zeros in columns 2 to 5), what is the rank? (c) The band image's target is
          made by the kernel with rows (-1, 0, 1), (-2, 0, 2), (-1, 0, 1). Which kernel of
          smallest norm reproduces it?""")
def _identifiable(s):
    C = Matrix(5, 5, lambda i, j: 2)
    band = _band(9)
    sobel = Matrix([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    const = sl.analyze(C, Matrix(sc.corr2d(C, sobel).tolist()), (3, 3))
    edge = sl.analyze(band, Matrix(sc.corr2d(band, sobel).tolist()), (3, 3))
    s.say("Every window of a constant image is the same, so A has rank 1: only the sum of "
          "the kernel's entries is determined, and any kernel with the same sum fits "
          "equally well. In the band image all rows are equal, so every window repeats one "
          "row pattern three times: only the three column sums of the kernel are seen, and "
          "the smallest-norm solution spreads each column sum evenly over the column.")
    s.part("a", answer=const.rank, prompt="rank, constant image",
           key=key("integer", const.rank, mistakes=[
               mistake(9, "A constant image has a single kind of window.", 0)]),
           checks=[exact_check(const.rank, (Matrix(_brute.im2col(C, 3, 3)).T
                                            * Matrix(_brute.im2col(C, 3, 3))).rank(),
                               "the rank of A^T A with A built by naive loops")])
    A = Matrix(_brute.im2col(band, 3, 3))
    s.part("b", answer=edge.rank, prompt="rank, band image",
           key=key("integer", edge.rank, mistakes=[
               mistake(9, "Identical rows make identical window rows: only column sums are "
                          "seen.", 0),
               mistake(1, "The columns do vary across the band.", 0)]),
           checks=[exact_check(edge.rank, (A.T * A).rank(), "the rank of A^T A with A built by "
                                                            "naive loops")])
    learned = edge.solution_kernel
    s.figure("The smallest-norm kernel for the band image: each column sum of the Sobel "
             "kernel (-4, 0, 4) spread evenly over its column.", "plot_kernel", learned)
    s.part("c", answer=learned, prompt="smallest-norm kernel",
           key=key("matrix", learned, mistakes=[
               mistake(sobel, "The Sobel kernel fits, but it is not the one of smallest norm: "
                              "the image sees only the column sums (-4, 0, 4).", 0.25)]),
           checks=[exact_check(learned, Matrix(3, 3, list(A.pinv() * Matrix(
               _brute.corr2d(band, sobel)).reshape(len(A.col(0)), 1))),
                               "the minimum-norm least-squares solution A⁺ y (SymPy's pinv of "
                               "the naive-loop A)")])
