r"""The two learning runs of the source notes, and the start the seed notebook drew.

``'seed'``
    The course notebook (``../shared/seeds/000_b70d4565524c9d52.txt``, "Learning a
    Kernel"): the 6x9 image of ones with columns 2..5 set to 0, the target made by the
    edge kernel ``[1, -1]``, a 1x2 convolution layer trained for 10 steps with step
    ``5e-2``. Its framework (MXNet Gluon) drew the kernel from the default initialiser,
    uniform on ``(-0.07, 0.07)``, and the bias as 0; the bias was never updated, so the
    layer is effectively bias-free. ``l.backward()`` on the tensor of squared errors
    backpropagates their *sum*. The notebook printed the loss computed inside steps
    2, 4, 6, 8, 10 (each before that step's update) and the final kernel; those printed
    numbers are kept here as observations.
``'d2l'``
    The textbook original: a 6x8 image (same band), the same kernel, step ``3e-2``.
    It converges; no printed numbers are kept (the textbook's run used its own random
    start).
"""

import itertools
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import sympy as sp

import symconv as sc
from symconv.errors import SymconvError

from ._descent import UNIFORM_SCALE
from ._least_squares import analyze

__all__ = ["NotebookRun", "notebook_run", "recover_initial_weight", "RecoveredStart"]


def _band_image(width):
    """Ones with a black band (zeros) in columns 2..5, six rows."""
    return sp.Matrix(6, width, lambda i, j: 0 if 2 <= j <= 5 else 1)


@dataclass(frozen=True)
class NotebookRun:
    """One learning run of the source notes (see :func:`notebook_run`).

    Attributes
    ----------
    name, description : str
    image : sympy.Matrix
    kernel : sympy.Matrix
        The kernel that made the target (``target = corr2d(image, kernel)``).
    lr : sympy.Rational
    steps : int
    loss : {'sum', 'mean'}
    bias : bool
        Whether the run updated a bias.
    start : str
        How the run drew its first kernel.
    printed_steps, printed_losses : tuple
        The losses the notebook printed and the steps they were printed in (the loss
        of step ``s`` is computed before that step's update, i.e. ``L(θ_{s-1})``).
    printed_weight : tuple or None
        The final kernel the notebook printed (row-major).
    """

    name: str
    description: str
    image: object
    kernel: object
    lr: object
    steps: int
    loss: str = "sum"
    bias: bool = False
    start: str = ""
    printed_steps: tuple = ()
    printed_losses: tuple = ()
    printed_weight: object = None

    @property
    def kernel_shape(self):
        return tuple(self.kernel.shape)

    @property
    def target(self):
        """``corr2d(image, kernel)`` (exact, a Matrix)."""
        return sp.Matrix(sc.corr2d(self.image, self.kernel).tolist())

    @cached_property
    def analysis(self):
        """The exact :class:`~symconv.learn.LeastSquares` analysis of the run."""
        return analyze(self.image, self.target, self.kernel_shape, self.bias, self.loss)


_START = ("MXNet Gluon's default initialiser: kernel entries uniform on (-0.07, 0.07), "
          "bias 0 (the bias is never updated)")

_RUNS = {
    "seed": dict(
        description="the course notebook: 6x9 image, ones with columns 2..5 zero; "
                    "target corr2d(X, [1, -1]); 1x2 kernel, no bias, sum loss, lr 5e-2",
        image=_band_image(9), kernel=sp.Matrix([[1, -1]]), lr=sp.Rational(1, 20), steps=10,
        start=_START, printed_steps=(2, 4, 6, 8, 10),
        printed_losses=(2.016, 8.918, 929.946, 97511.852, 10224868.0),
        printed_weight=(1117.4498, 1115.4502)),
    "d2l": dict(
        description="the textbook original: 6x8 image, ones with columns 2..5 zero; "
                    "target corr2d(X, [1, -1]); 1x2 kernel, no bias, sum loss, lr 3e-2",
        image=_band_image(8), kernel=sp.Matrix([[1, -1]]), lr=sp.Rational(3, 100), steps=10,
        start=_START),
}


def notebook_run(name):
    """The run ``'seed'`` or ``'d2l'`` of the source notes.

    >>> run = notebook_run("seed")
    >>> run.image.shape, run.kernel_shape, run.lr, run.printed_losses[-1]
    ((6, 9), (1, 2), 1/20, 10224868.0)
    >>> notebook_run("d2l").analysis.verdict(notebook_run("d2l").lr)
    'converges'
    """
    if name not in _RUNS:
        raise SymconvError(f"name must be one of 'seed', 'd2l', but got {name!r}")
    return NotebookRun(name, **_RUNS[name])


@dataclass(frozen=True)
class RecoveredStart:
    """The start recovered by :func:`recover_initial_weight`.

    Attributes
    ----------
    weight : numpy.ndarray
        The starting kernel, shaped like the kernel.
    fitted_losses : tuple of float
        The losses the closed form predicts at the printed steps from this start.
    misfit : float
        ``max |fitted / printed - 1|`` over the printed losses.
    candidates : int
        How many sign choices put the start inside the initialiser's box (the printed
        final kernel chose among them).
    """

    weight: np.ndarray
    fitted_losses: tuple
    misfit: float
    candidates: int


def recover_initial_weight(run, *, box=UNIFORM_SCALE):
    r"""The starting kernel of a printed run, recovered from its printed losses.

    The closed form ``L(θ_k) = L* + Σ_i E_i (1 - ηλ_i)^{2k}`` is linear in the mode
    energies ``E_i = λ_i z_i^2 / 2``; a least-squares fit of the printed losses (each
    weighted by its own size) gives ``|z_i|``. The signs are the ones that put the start
    inside the initialiser's box ``[-box, box]`` and, among those, bring the predicted
    final kernel closest to the printed one.

    Parameters
    ----------
    run : NotebookRun or str
        A run with printed losses (``'seed'``).
    box : float, default 0.07
        Half-width of the uniform initialiser.

    Returns
    -------
    RecoveredStart

    Notes
    -----
    A fit to printed (rounded, float32) numbers is numeric by nature; it uses NumPy's
    ``eigh`` of the exact Hessian. Directions with eigenvalue 0 do not change the loss
    and cannot be recovered (they are set to the least-squares solution's).

    Examples
    --------
    >>> start = recover_initial_weight("seed")
    >>> np.round(start.weight, 4), start.misfit < 1e-3, start.candidates
    (array([[0.0069, 0.0129]]), True, 2)
    """
    if isinstance(run, str):
        run = notebook_run(run)
    if not run.printed_losses:
        raise SymconvError(f"run must have printed losses to fit, but run {run.name!r} has none")
    ls = run.analysis
    H = np.array(ls.hessian.tolist(), dtype=float)
    lam, V = np.linalg.eigh(H)
    keep = lam > 1e-12 * max(1.0, lam.max())
    lam, V = lam[keep], V[:, keep]
    if len(lam) > len(run.printed_losses):
        raise SymconvError(f"the printed losses must be at least as many as the modes, but got "
                           f"{len(run.printed_losses)} losses for {len(lam)} modes")
    eta = float(run.lr)
    rho = 1.0 - eta * lam
    k = np.array(run.printed_steps) - 1                 # step s printed L(θ_{s-1})
    printed = np.array(run.printed_losses, dtype=float)
    L_star = float(ls.min_loss)
    design = rho[None, :] ** (2 * k[:, None]) / printed[:, None]
    energies, *_ = np.linalg.lstsq(design, (printed - L_star) / printed, rcond=None)
    z_abs = np.sqrt(2 * np.clip(energies, 0, None) / lam)
    star = np.array([float(v) for v in ls.solution])
    candidates = []
    for signs in itertools.product((1.0, -1.0), repeat=len(lam)):
        z = z_abs * np.array(signs)
        theta0 = star + V @ z
        if np.all(np.abs(theta0) <= box + 1e-12):
            final = star + V @ (z * rho ** run.steps)
            miss = 0.0 if run.printed_weight is None else float(
                np.abs(final - np.array(run.printed_weight)).max())
            candidates.append((miss, tuple(theta0), theta0))
    if not candidates:
        raise SymconvError(f"the printed losses must fit a start inside [-{box}, {box}], but "
                           "no choice of signs does")
    candidates.sort(key=lambda c: (c[0], c[1]))
    theta0 = candidates[0][2]
    fitted_losses = tuple(float(L_star + np.sum(0.5 * lam * z_abs ** 2 * r))
                          for r in rho[None, :] ** (2 * k[:, None]))
    misfit = float(np.max(np.abs(np.array(fitted_losses) / printed - 1)))
    size = int(np.prod(run.kernel_shape))
    return RecoveredStart(theta0[:size].reshape(run.kernel_shape), fitted_losses, misfit,
                          len(candidates))
