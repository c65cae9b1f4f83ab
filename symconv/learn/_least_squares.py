r"""The exact analysis of learning a kernel: a least-squares problem in the kernel entries.

A convolution layer is linear in its parameters. Collect the windows of the image as
the rows of the *design matrix* ``A`` (im2col; with a learned bias, a column of ones
is appended) and the target as the vector ``y``; then

.. math::

    L(\theta) = c \lVert A\theta - y \rVert^2, \qquad
    \nabla L = 2c A^\top (A\theta - y), \qquad H = 2c A^\top A,

and gradient descent with step ``η`` moves the error ``e = θ - θ*`` (``θ*`` a
least-squares solution) by the fixed linear map

.. math::

    e_{k+1} = (I - \eta H)\, e_k, \qquad
    L(\theta_k) = L^* + c\, e_k^\top A^\top A\, e_k
                = L^* + \sum_i \tfrac{\lambda_i}{2} (1 - \eta\lambda_i)^{2k} z_i^2

(``λ_i`` the eigenvalues of ``H``, ``z_i`` the coordinates of ``e_0`` in its orthonormal
eigenbasis). Everything follows from the eigenvalues: the run converges for every start
exactly when ``0 < η < 2/λ_max``; each mode is multiplied by ``1 - ηλ_i`` per step; the
best constant step is ``2/(λ_min + λ_max)`` (``λ_min`` the smallest *positive*
eigenvalue); directions with ``λ = 0`` (the null space of ``A``) are never seen by the
data and never move.

Everything here is exact (SymPy ``Rational``, radicals, or ``CRootOf`` for eigenvalues
that have no radical form). ``A`` is built by :func:`symconv.conv_matrix` from a kernel
of symbols, so the analysis shares no inner computation with the numeric executor
that :func:`symconv.learn.learn_kernel` runs.
"""

import math
from fractions import Fraction
from functools import cached_property

import numpy as np
import sympy as sp

import symconv as sc
from symconv.errors import SymconvError

from ._inputs import as_steps, exact_lr, exact_number, initial_weight, problem

__all__ = ["design_matrix", "analyze", "LeastSquares", "VERDICTS"]

#: what :meth:`LeastSquares.verdict` can say about a constant step
VERDICTS = ("converges", "oscillates", "diverges")


def _parameter_symbols(prob):
    count = int(np.prod(prob.weight_shape))
    ws = sp.symbols(f"w0:{count}", real=True)
    return ws + ((sp.Symbol("b", real=True),) if prob.bias else ())


def _design(prob, symbols):
    """The im2col matrix of ``prob.x``, built through ``symconv.conv_matrix``."""
    N, C, h, w = prob.x.shape
    kh, kw = prob.kernel_shape
    ws = symbols[:C * kh * kw]
    weight = [[[[ws[(c * kh + i) * kw + j] for j in range(kw)] for i in range(kh)]
               for c in range(C)]]
    M = sc.conv_matrix(weight, (C, h, w))          # vec(y) = M(w) vec(x)
    blocks = []
    for n in range(N):
        outputs = M * sp.Matrix(prob.x[n].reshape(-1).tolist())
        block = outputs.jacobian(ws)                 # row o: the window seen by output o
        if prob.bias:
            block = block.row_join(sp.ones(block.rows, 1))
        blocks.append(sp.Matrix(block))
    return sp.Matrix.vstack(*blocks)


def design_matrix(X, kernel_shape, bias=False):
    r"""The design (im2col) matrix ``A`` of an image: ``vec(X ⋆ K) = A vec(K)``.

    Row ``o`` holds the window of ``X`` that output ``o`` sees (outputs and kernel
    entries both flattened row-major; the channels of the kernel first). With
    ``bias=True`` a column of ones is appended, so ``vec(X ⋆ K + b) = A [vec(K); b]``.

    Parameters
    ----------
    X : array_like, shape (h, w) or (N, C, h, w)
        Rational entries.
    kernel_shape : (int, int)
    bias : bool, default False

    Returns
    -------
    sympy.Matrix, shape (N * oh * ow, C * kh * kw (+ 1))

    Notes
    -----
    Built from :func:`symconv.conv_matrix` of a kernel of symbols ``w0, w1, ...``:
    ``M(w) vec(x)`` is linear in ``w`` and ``A`` is its Jacobian.

    Examples
    --------
    >>> design_matrix([[1, 2, 3], [4, 5, 6]], (1, 2))
    Matrix([
    [1, 2],
    [2, 3],
    [4, 5],
    [5, 6]])
    >>> design_matrix([[1, 2, 3]], (1, 2), bias=True)
    Matrix([
    [1, 2, 1],
    [2, 3, 1]])
    """
    prob = problem(X, None, kernel_shape, bias)
    return _design(prob, _parameter_symbols(prob))


def _sort_desc(values):
    return sorted(values, key=lambda v: float(sp.N(v, 30)), reverse=True)


def _primitive(vector):
    """An exact vector scaled to coprime integers when it is rational."""
    if all(v.is_Rational for v in vector):
        den = math.lcm(*[int(v.q) for v in vector])
        ints = [int(v * den) for v in vector]
        g = math.gcd(*ints) or 1
        first = next(i for i in ints if i != 0)
        sign = 1 if first > 0 else -1
        return sp.Matrix([sign * i // g for i in ints])
    return sp.Matrix([sp.radsimp(v) for v in vector])


def analyze(X, Y, kernel_shape, bias=False, loss="sum"):
    r"""The exact least-squares analysis of learning a kernel by gradient descent.

    Parameters
    ----------
    X : array_like, shape (h, w) or (N, C, h, w)
        The image(s); rational entries.
    Y : array_like, shape (oh, ow) or (N, 1, oh, ow)
        The target output.
    kernel_shape : (int, int)
    bias : bool, default False
        Learn a bias: the design matrix gains a column of ones.
    loss : {'sum', 'mean'}, default 'sum'
        ``L = c ||A θ - y||^2`` with ``c = 1`` or ``c = 1/m`` (``m`` outputs).

    Returns
    -------
    LeastSquares

    Examples
    --------
    The seed notebook's image: ones with a black band in columns 2..5, the target made
    by the edge kernel ``[1, -1]``:

    >>> X = [[1, 1, 0, 0, 0, 0, 1, 1, 1]] * 6
    >>> Y = [[0, 1, 0, 0, 0, -1, 0, 0]] * 6
    >>> ls = analyze(X, Y, (1, 2))
    >>> ls.hessian
    Matrix([
    [48, 36],
    [36, 48]])
    >>> ls.eigenvalues, ls.stable_bound, ls.optimal_step
    ((84, 12), 1/42, 1/48)
    >>> ls.contraction_factors(0.05), ls.loss_growth(0.05, steps=2)
    ((16/5, 2/5), 65536/625)
    >>> ls.verdict(0.05), ls.solution.T, ls.min_loss, ls.rank
    ('diverges', Matrix([[1, -1]]), 0, 2)
    """
    return LeastSquares(problem(X, Y, kernel_shape, bias, loss))


class LeastSquares:
    r"""Exact facts about ``L(θ) = c ||A θ - y||^2`` and gradient descent on it.

    Built by :func:`analyze`. Attributes are computed on first use and cached.

    Attributes
    ----------
    design : sympy.Matrix
        ``A`` (see :func:`design_matrix`).
    target : sympy.Matrix
        ``y = vec(Y)``, a column.
    parameters : tuple of sympy.Symbol
        ``w0, w1, ...`` (the kernel, row-major) and ``b`` with a bias.
    scale : sympy.Rational
        ``c``: 1 for the sum loss, ``1/m`` for the mean.

    Examples
    --------
    The row ``[0, 1, 1, 0]`` with target ``[-1, 0, 1]`` (made by ``[1, -1]``): the
    Hessian has eigenvalues 6 and 2 with eigenvectors ``(1, 1)`` and ``(1, -1)``, so the
    step ``1/4`` multiplies the error by ``-1/2`` and ``1/2`` along them and the loss
    falls by 4 per step from any start:

    >>> from sympy import Rational
    >>> ls = analyze([[0, 1, 1, 0]], [[-1, 0, 1]], (1, 2))
    >>> [(lam, list(v)) for lam, v in ls.modes]
    [(6, [1, 1]), (2, [1, -1])]
    >>> ls.mode_factors(Rational(1, 4)), ls.rate(Rational(1, 4)), ls.loss_growth(Rational(1, 4))
    ((-1/2, 1/2), 1/2, 1/4)
    >>> ls.predicted_losses(Rational(1, 4), 3)          # from the zero kernel
    (2, 1/2, 1/8, 1/32)

    A constant row determines only the sum of the two entries: rank 1, and the kernels
    ``θ* + t (1, -1)`` all fit; the smallest one is returned.

    >>> const = analyze([[1, 1, 1]], [[2, 2]], (1, 2))
    >>> const.rank, const.identifiable, list(const.nullspace[0]), list(const.solution)
    (1, False, [1, -1], [1, 1])
    """

    def __init__(self, prob):
        self._prob = prob
        self.parameters = _parameter_symbols(prob)
        self.design = _design(prob, self.parameters)
        self.target = sp.Matrix(prob.y.reshape(-1).tolist())
        self.scale = prob.scale

    # -- the problem ------------------------------------------------------------
    @property
    def kernel_shape(self):
        return self._prob.kernel_shape

    @property
    def bias(self):
        return self._prob.bias

    @property
    def loss(self):
        return self._prob.loss

    @property
    def outputs(self):
        """``m``, the number of outputs (rows of ``A``)."""
        return self.design.rows

    @property
    def problem(self):
        return self._prob

    def loss_expression(self):
        r"""``L(θ) = c Σ_o (A_o θ - y_o)^2`` in the parameter symbols (equal windows are
        collected by SymPy into one term with a count).

        >>> analyze([[1, 2, 3]], [[1, 1]], (1, 2)).loss_expression()
        (w0 + 2*w1 - 1)**2 + (2*w0 + 3*w1 - 1)**2
        """
        theta = sp.Matrix(self.parameters)
        residual = self.design * theta - self.target
        return self.scale * sp.Add(*[r ** 2 for r in residual])

    # -- second-order structure -----------------------------------------------
    @cached_property
    def gram(self):
        """``AᵀA``."""
        return self.design.T * self.design

    @cached_property
    def hessian(self):
        """``H = 2c AᵀA``, the (constant) Hessian of the loss."""
        return 2 * self.scale * self.gram

    @cached_property
    def eigenvalues(self):
        """The eigenvalues of ``H``, largest first, with multiplicity, exact."""
        return tuple(_sort_desc(self.hessian.charpoly().all_roots()))

    @cached_property
    def rank(self):
        """``rank(AᵀA)``: how many independent combinations of the parameters the data
        determine."""
        return self.gram.rank()

    @property
    def identifiable(self):
        """True when the data determine every parameter (``AᵀA`` invertible)."""
        return self.rank == len(self.parameters)

    @cached_property
    def nullspace(self):
        """A basis (columns) of the parameter directions the data cannot see:
        ``A v = 0``, so ``θ`` and ``θ + t v`` fit equally well."""
        return tuple(_primitive(v) for v in self.gram.nullspace())

    @property
    def lambda_max(self):
        return self.eigenvalues[0]

    @property
    def lambda_min(self):
        """The smallest *positive* eigenvalue (0 only when ``H = 0``)."""
        positive = [v for v in self.eigenvalues if v != 0]
        return positive[-1] if positive else sp.Integer(0)

    @property
    def stable_bound(self):
        """``2/λ_max``: a constant step converges from every start iff ``0 < η`` and
        ``η < 2/λ_max`` (``oo`` when ``H = 0``)."""
        return sp.oo if self.lambda_max == 0 else sp.radsimp(2 / self.lambda_max)

    @property
    def optimal_step(self):
        """``2/(λ_min + λ_max)``, the constant step with the smallest contraction factor
        ``(λ_max - λ_min)/(λ_max + λ_min)`` on the identifiable directions."""
        if self.lambda_max == 0:
            return sp.oo
        return sp.radsimp(2 / (self.lambda_min + self.lambda_max))

    @property
    def optimal_rate(self):
        """The contraction factor per step at :attr:`optimal_step`."""
        if self.lambda_max == 0:
            return sp.Integer(0)
        return sp.radsimp((self.lambda_max - self.lambda_min) / (self.lambda_max + self.lambda_min))

    @cached_property
    def modes(self):
        """``((λ, v), ...)``: an orthogonal eigenbasis of ``H`` with exact vectors (scaled
        to integers where they are rational), positive eigenvalues first; ``None`` when
        an eigenvalue has no radical form (then only the eigenvalues are exact)."""
        if any(v.has(sp.CRootOf) for v in self.eigenvalues):
            return None
        out = []
        n = len(self.parameters)
        for lam in dict.fromkeys(self.eigenvalues):
            basis = (self.hessian - lam * sp.eye(n)).nullspace(simplify=True)
            for v in sp.GramSchmidt(basis) if len(basis) > 1 else basis:
                out.append((lam, _primitive(v)))
        return tuple(out)

    # -- the solution -----------------------------------------------------------
    @cached_property
    def solution(self):
        """The least-squares solution ``θ*`` (a column; the one of smallest norm when it
        is not unique): ``(AᵀA)⁺ Aᵀ y``."""
        rhs = self.design.T * self.target
        if self.identifiable:
            return self.gram.LUsolve(rhs)
        return self.gram.pinv() * rhs

    @property
    def solution_kernel(self):
        """The kernel part of :attr:`solution`, shaped ``(kh, kw)`` (``(C, kh, kw)`` as a
        list of matrices for several channels)."""
        kh, kw = self.kernel_shape
        C = self._prob.channels
        flat = list(self.solution)[:C * kh * kw]
        mats = [sp.Matrix(kh, kw, flat[c * kh * kw:(c + 1) * kh * kw]) for c in range(C)]
        return mats[0] if C == 1 else mats

    @property
    def solution_bias(self):
        """The bias of :attr:`solution` (None without a bias)."""
        return self.solution[-1] if self.bias else None

    @cached_property
    def min_loss(self):
        """``L* = L(θ*)``: 0 when some kernel reproduces ``Y`` exactly."""
        r = self.design * self.solution - self.target
        return sp.nsimplify(self.scale * (r.T * r)[0])

    # -- gradient descent with a constant step ----------------------------------
    def mode_factors(self, lr):
        """``1 - η λ_i`` for every eigenvalue (largest first): each eigen-direction of the
        error is multiplied by its factor in every step."""
        eta = exact_lr(lr)
        return tuple(sp.radsimp(1 - eta * lam) for lam in self.eigenvalues)

    def contraction_factors(self, lr):
        """``|1 - η λ_i|`` for every eigenvalue (largest first)."""
        return tuple(abs(f) for f in self.mode_factors(lr))

    def rate(self, lr):
        """``max |1 - η λ|`` over the positive eigenvalues: the error shrinks (< 1) or
        grows (> 1) at least/at most by this factor per step, and exactly so
        asymptotically for a generic start."""
        eta = exact_lr(lr)
        positive = [lam for lam in self.eigenvalues if lam != 0]
        if not positive:
            return sp.Integer(0)
        return max((sp.radsimp(abs(1 - eta * lam)) for lam in positive),
                   key=lambda v: float(sp.N(v, 30)))

    def verdict(self, lr):
        """``'converges'`` (``η < 2/λ_max``), ``'oscillates'`` (``η = 2/λ_max``: the top
        mode flips sign with constant size) or ``'diverges'`` (``η > 2/λ_max``), for a
        generic start."""
        eta = exact_lr(lr)
        bound = self.stable_bound
        if bound == sp.oo:
            return "converges"
        if bound.is_Rational:  # a rational step can equal only a rational bound
            return "converges" if eta < bound else "oscillates" if eta == bound else "diverges"
        return "converges" if bool(eta < bound) else "diverges"  # exact sign (SymPy)

    def loss_growth(self, lr, steps=1):
        """``rate^(2 steps)``: the factor by which ``L - L*`` changes over ``steps`` steps
        once the dominant mode has taken over (the loss is quadratic in the error)."""
        return sp.radsimp(self.rate(lr) ** (2 * as_steps(steps)))

    def steps_to_tolerance(self, lr, tol=1e-6):
        """The fewest steps ``k`` with ``rate^k <= tol``: after them the error of *every*
        start, on the identifiable directions, is at most ``tol`` times the initial one
        (and ``L - L*`` at most ``tol^2`` times its initial value). None when the step does
        not converge.

        >>> X = [[1, 1, 0, 0, 0, 0, 1, 1]] * 6
        >>> ls = analyze(X, [[0, 1, 0, 0, 0, -1, 0]] * 6, (1, 2))
        >>> ls.rate(0.03), ls.steps_to_tolerance(0.03)
        (4/5, 62)
        """
        tolerance = exact_number(tol, "tol")
        if not 0 < tolerance:
            raise SymconvError(f"tol must be a positive number, but got {tol!r}")
        rho = self.rate(lr)
        if tolerance >= 1 or rho == 0:
            return 0 if tolerance >= 1 else 1
        if self.verdict(lr) != "converges":
            return None
        estimate = sp.N(sp.log(tolerance) / sp.log(rho), 50)
        k = max(int(math.ceil(float(estimate))), 0)

        def within(n):
            return n >= 0 and bool(sp.N(rho ** n - tolerance, 50) <= 0) if not (
                rho.is_Rational) else n >= 0 and rho ** n <= tolerance

        while k > 0 and within(k - 1):
            k -= 1
        while not within(k):
            k += 1
        return k

    def predicted_losses(self, lr, steps, init="zeros", *, init_bias=0.0, seed=0):
        r"""``L(θ_k)`` for ``k = 0 .. steps`` from the closed form of the iteration.

        ``θ_k = θ* + (I - ηH)^k (θ_0 - θ*)`` and ``L(θ_k) = L* + c e_kᵀ AᵀA e_k``,
        evaluated in exact rational arithmetic; the start ``θ_0`` is the float start that
        :func:`symconv.learn.learn_kernel` uses for the same ``init``/``seed`` (taken
        exactly, bit for bit).

        Returns
        -------
        tuple of sympy.Rational
        """
        eta = exact_lr(lr)
        steps = as_steps(steps)
        w0 = initial_weight(init, self._prob, seed, _uniform_scale())
        start = [Fraction(float(v)) for v in w0.reshape(-1)]
        if self.bias:
            start.append(Fraction(float(exact_number(init_bias, "init_bias"))))
        n = len(start)
        # integers only inside the loop: e_k = E_k / d_k and I - ηH = N / q, so that
        # E_{k+1} = N E_k and d_{k+1} = q d_k (no gcd per step; one division per loss)
        error = [s - _fraction(t) for s, t in zip(start, self.solution)]
        d = math.lcm(*[e.denominator for e in error])
        E = [int(e * d) for e in error]
        M = sp.eye(n) - eta * self.hessian
        q = math.lcm(*[int(v.q) for v in M])
        N = [[int(M[i, j] * q) for j in range(n)] for i in range(n)]
        g = math.lcm(*[int(v.q) for v in self.gram])
        G = [[int(self.gram[i, j] * g) for j in range(n)] for i in range(n)]
        c, L_star = _fraction(self.scale), _fraction(self.min_loss)
        out = []
        for k in range(steps + 1):
            quad = sum(E[i] * sum(G[i][j] * E[j] for j in range(n)) for i in range(n))
            out.append(sp.Rational(L_star + c * Fraction(quad, g * d * d)))
            if k < steps:
                E = [sum(N[i][j] * E[j] for j in range(n)) for i in range(n)]
                d *= q
        return tuple(out)

    def __repr__(self):
        kh, kw = self.kernel_shape
        return (f"<LeastSquares: {self.outputs} outputs, {kh}x{kw} kernel"
                f"{' + bias' if self.bias else ''}, loss {self.loss}>")


def _fraction(value):
    return Fraction(int(value.p), int(value.q))


def _uniform_scale():
    from ._descent import UNIFORM_SCALE

    return UNIFORM_SCALE
