"""Finite-difference, quadrature and classic image kernels, exact and self-verifying.

A kernel here is a finite stencil: weights ``w[o]`` at integer offsets ``o`` (one
offset per axis) on a grid of spacing ``h``. Applied to samples of a function ``f`` it
approximates a linear quantity at the sample point ``x``::

    sum_o w[o] * f(x + o*h)   ~   T[f](x)            (correlation orientation)

where ``T`` is a derivative (``f''(x)``), a combination of partial derivatives (the
Laplacian, a directional derivative), an integral over a window
(``int_x^{x + L h} f``) or a smoothing (``f(x)`` itself, for blurs).

Orientation
-----------
Every kernel is available in two orientations that differ by a flip:

* ``form='corr'`` (default): the array is indexed by the offsets in increasing order,
  and **cross-correlating** samples with it (``y[n] = sum_m x[n + m] k[m]``, what
  deep-learning layers and ``numpy.correlate`` do) computes the approximation.
* ``form='conv'``: the flipped array, for **convolution**
  (``y[n] = sum_m x[n - m] k[m]``, ``numpy.convolve``). Its ``offsets`` are the negated
  offsets in the flipped order, so that ``y[n] = sum_m k[m] x[n - offsets[m]]``.

For symmetric stencils (second derivative, Laplacian, blurs) the two arrays coincide;
for odd derivatives the ``conv`` array is the negative of the ``corr`` array:
``[-1/2, 0, 1/2]`` versus ``[1/2, 0, -1/2]`` for ``f'``.

Verification
------------
Each :class:`Kernel` knows the quantity ``T`` it approximates and the polynomial degree
up to which it must be exact; :meth:`Kernel.verify` checks, symbolically, that it is
exact on every monomial up to that degree (identically in the point and in ``h``),
finds the first monomial on which it is not, derives the leading error term from it,
and measures the convergence order on a smooth function (least-squares slope of
``log |error|`` against ``log h``, evaluated with 50-digit arithmetic).

The weights come from Taylor expansion: requiring exactness on ``1, x, ..., x^(n-1)``
at ``n`` distinct offsets is a Vandermonde system with a unique solution, which SymPy's
:func:`~sympy.calculus.finite_diff.finite_diff_weights` solves with Fornberg's
recursion (B. Fornberg, *Generation of finite difference formulas on arbitrarily
spaced grids*, Math. Comp. 51 (1988) 699-706).

Why one module of this size: the kernel family (derivatives of any order and dimension,
mixed partials, Sobel/Scharr, integral kernels) shares the moment-equation solver and
the self-verification report; each public function is short.
"""

import itertools
import math

import sympy
from sympy import Rational
from sympy.calculus.finite_diff import finite_diff_weights
from sympy.core.sympify import _sympify

from symconv._util.sympy_safety import ReadsAsText, strict_sympify
from symconv._util.validate import as_int, check_choice
from symconv.errors import ShapeError, SymconvError
from symconv._util.explaining import short as _short
from symconv._util.explaining import wrap as _wrap

__all__ = [
    "Kernel", "KernelReport", "MinSizeArgument",
    "derivative_kernel", "min_kernel_size", "laplacian_kernel", "mixed_partial_kernel",
    "directional_derivative_kernel", "sobel_kernel", "scharr_kernel",
    "integral_kernel", "image_kernel", "edge_images", "verify_kernel",
]

_ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth"}
_H = sympy.Symbol("h", positive=True)
_FORMS = ("corr", "conv")


def _ordinal(n):
    return _ORDINALS.get(n, f"order-{n}")


def _variables(ndim):
    """Coordinate symbols: ``x`` in 1-D, ``x0, x1, ...`` (one per axis) otherwise."""
    if ndim == 1:
        return (sympy.Symbol("x", real=True),)
    return tuple(sympy.Symbol(f"x{i}", real=True) for i in range(ndim))


def _exact(value, name):
    return strict_sympify(value, f"{name} must be a number or a SymPy expression")


def _spacing(spacing):
    h = _exact(spacing, "spacing")
    if h.is_positive is False or h.is_zero:
        raise SymconvError(f"spacing must be positive, but got {spacing!r}")
    return h


def _form(form):
    return check_choice(form, _FORMS, "form")


def _axis(axis, dims):
    axis = as_int(axis, "axis")
    if not -dims <= axis < dims:
        raise SymconvError(f"axis must be in [{-dims}, {dims - 1}], but got {axis}")
    return axis % dims


def _central_weights(order, accuracy):
    """Central stencil for ``f^(order)``: offsets ``-p..p`` and exact weights."""
    if accuracy % 2:
        raise SymconvError("accuracy of a central stencil must be even (central "
                           f"differences have even orders of accuracy), but got {accuracy}")
    half = (order + 1) // 2 - 1 + accuracy // 2
    points = list(range(-half, half + 1))
    return points, list(finite_diff_weights(order, points, 0)[order][-1])


# ---------------------------------------------------------------------------
# the kernel object
# ---------------------------------------------------------------------------

class Kernel(ReadsAsText):
    """A stencil with exact weights, its orientation, and what it approximates.

    Built by the functions of this module; not usually constructed directly.

    Attributes
    ----------
    name : str
        What the kernel is (``'second derivative (central, accuracy 2)'``).
    weights : sympy.Array
        The array in the requested orientation, including the spacing factor
        ``spacing**power``.
    offsets : tuple of tuples
        Per axis, the grid offset that each array index stands for (see the module
        notes for the meaning in the ``'conv'`` orientation).
    origin : tuple of int
        Per axis, the array index of offset 0 (may lie outside the array for one-sided
        stencils that do not use the point itself).
    form : {'corr', 'conv'}
    spacing, power
        ``weights = unit_weights * spacing**power``.
    approximates : sympy.Expr
        The quantity ``T[f](x)`` as an expression in an undefined function ``f``.
    exact_degree : int
        Polynomials of total degree up to this are reproduced exactly (the promise
        that :meth:`verify` checks).
    order : int
        Promised order of the error ``O(h**order)`` on smooth functions.
    statement : str
        What applying the kernel to samples computes, in words.
    """

    def __init__(self, unit, bounds, power, target, *, name, exact_degree, spacing=1,
                 form="corr", statement=""):
        self._unit = {tuple(o): _sympify(w) for o, w in unit.items() if w != 0}
        self.bounds = tuple(tuple(b) for b in bounds)
        self.ndim = len(self.bounds)
        self.power = int(power)
        self._target = target
        self.name = name
        self.exact_degree = exact_degree
        self.spacing = _spacing(spacing)
        self.form = _form(form)
        self.statement = statement
        self.variables = _variables(self.ndim)

    # ------------------------------------------------------------ orientation
    @property
    def shape(self):
        return tuple(hi - lo + 1 for lo, hi in self.bounds)

    @property
    def offsets(self):
        if self.form == "corr":
            return tuple(tuple(range(lo, hi + 1)) for lo, hi in self.bounds)
        return tuple(tuple(range(-hi, -lo + 1)) for lo, hi in self.bounds)

    @property
    def origin(self):
        if self.form == "corr":
            return tuple(-lo for lo, _hi in self.bounds)
        return tuple(hi for _lo, hi in self.bounds)

    def _unit_array(self):
        values = []
        for index in itertools.product(*(range(n) for n in self.shape)):
            if self.form == "corr":
                offset = tuple(lo + i for (lo, _hi), i in zip(self.bounds, index))
            else:
                offset = tuple(hi - i for (_lo, hi), i in zip(self.bounds, index))
            values.append(self._unit.get(offset, sympy.S.Zero))
        return values

    @property
    def weights(self):
        scale = self.spacing ** self.power
        return sympy.ImmutableDenseNDimArray([v * scale for v in self._unit_array()], self.shape)

    def tolist(self):
        """The weights as (nested) Python lists of SymPy numbers."""
        return self.weights.tolist()

    def to_numpy(self):
        """The weights as a float NumPy array (the spacing must be a number)."""
        import numpy as np

        return np.array(self.weights.tolist(), dtype=float)

    def as_form(self, form):
        """The same kernel in the other orientation (``'corr'`` or ``'conv'``)."""
        other = object.__new__(Kernel)
        other.__dict__.update(self.__dict__)
        other.form = _form(form)
        return other

    # ------------------------------------------------------------ meaning
    @property
    def approximates(self):
        f = sympy.Function("f")(*self.variables)
        return self._target(f, self.variables, self.spacing)

    def stencil(self, f=None):
        """The approximation as an expression: ``h**power * sum_o w[o] f(x + o h)``.

        >>> derivative_kernel(2).stencil()
        -2*f(x) + f(x - 1) + f(x + 1)
        >>> from sympy import Symbol
        >>> derivative_kernel(1, spacing=Symbol('h', positive=True)).stencil()
        -f(-h + x)/(2*h) + f(h + x)/(2*h)
        """
        func = sympy.Function("f") if f is None else f
        xs, h = self.variables, self.spacing
        terms = [w * func(*[x + o * h for x, o in zip(xs, offset)])
                 for offset, w in sorted(self._unit.items())]
        return sympy.expand(h ** self.power * sympy.Add(*terms))

    def _apply_to(self, expr, xs, h):
        """``h**power * sum_o w[o] expr(x + o h)`` for an expression in ``xs``."""
        total = sympy.S.Zero
        for offset, w in self._unit.items():
            total += w * expr.subs({x: x + o * h for x, o in zip(xs, offset)}, simultaneous=True)
        return h ** self.power * total

    def apply(self, signal, padding=0, stride=1):
        """Apply the kernel to exact samples (valid positions unless padded).

        Correlates with the ``'corr'`` array or convolves with the ``'conv'`` array; both
        give the same numbers, ``y[n] = sum_o w[o] * x[n + o - min_offset]`` per axis.
        Returns a list (1-D), a SymPy Matrix (2-D) or a SymPy Array.

        >>> derivative_kernel(1, form='conv').apply([0, 1, 4, 9, 16])
        [2, 4, 6]
        """
        from symconv.nn.matrix import _nested_shape_and_values, conv_matrix, unvec

        shape, values = _nested_shape_and_values(signal, "signal")
        if len(shape) != self.ndim:
            raise ShapeError(f"signal must have {self.ndim} axes like the kernel, but got shape {shape}")
        M = conv_matrix(self.weights, shape, stride=stride, padding=padding,
                        flip=self.form == "conv")
        out = M * sympy.Matrix(values)
        out_shape = _output_shape(shape, self.shape, padding, stride)
        result = unvec(out, out_shape)
        if self.ndim == 1:
            return list(result)
        if self.ndim == 2:
            return result.tomatrix()
        return result

    # ------------------------------------------------------------ verification
    def verify(self, extra_degrees=3, spacings=None, function=None, point=None):
        """Check the kernel's promises; returns a :class:`KernelReport`.

        Parameters
        ----------
        extra_degrees : int, default 3
            How many degrees beyond ``exact_degree`` to search for the first monomial on
            which the kernel is not exact.
        spacings : sequence of numbers, optional
            Grid spacings for the convergence measurement (default ``2**-3 ... 2**-7``).
        function : sympy.Expr, optional
            Smooth test function of ``self.variables`` (default
            ``exp(a.x) + sin(b.x + 2/5)`` with fixed generic rational ``a``, ``b``).
        point : sequence, optional
            Where to measure (default fixed generic rationals).
        """
        return verify_kernel(self, extra_degrees, spacings, function, point)

    # ------------------------------------------------------------ display
    def __repr__(self):
        offs = self.offsets[0] if self.ndim == 1 else self.offsets
        return (f"Kernel({self.name}: {self.tolist()} at offsets {offs}, "
                f"form={self.form!r})")

    def __str__(self):
        lines = [f"{self.name} ({self.form} form)",
                 f"  weights: {self.tolist()}",
                 f"  offsets: {self.offsets[0] if self.ndim == 1 else self.offsets}",
                 f"  approximates: {self.approximates}",
                 f"  exact for polynomials of degree <= {self.exact_degree}, "
                 f"error O(h**{self.order})"]
        if self.statement:
            lines.append(f"  {self.statement}")
        return "\n".join(lines)

    def latex(self):
        """``approximates \\approx stencil`` as a LaTeX string."""
        return (f"{sympy.latex(self.approximates)} \\approx {sympy.latex(self.stencil())}")

    def _repr_latex_(self):
        # for Jupyter: the approximation and the weights in this orientation
        return (f"${self.latex()} \\qquad \\text{{({self.form} weights }}"
                f"{sympy.latex(sympy.Matrix(self.tolist()) if self.ndim == 2 else self.weights)}"
                f"\\text{{)}}$")

    @property
    def order(self):
        # every target here scales like h**(power + |beta|) on a monomial of degree |beta|,
        # so the first inexact degree exact_degree + 1 sets the error order
        return self.power + self.exact_degree + 1

    def __explain__(self, check=True):
        """The lines :func:`symconv.explain` prints for this object."""
        return _kernel(self, check)


def _output_shape(shape, kshape, padding, stride):
    from symconv.nn.matrix import matrix_shapes

    placeholder = sympy.ImmutableDenseNDimArray([0] * math.prod(kshape), kshape)
    return matrix_shapes(placeholder, shape, stride=stride, padding=padding)[1]


# ---------------------------------------------------------------------------
# verification
# ---------------------------------------------------------------------------

class KernelReport(ReadsAsText):
    """Outcome of :func:`verify_kernel` (readable with ``str``).

    Attributes
    ----------
    kernel : str
        The kernel's name.
    promised_degree, exact_degree : int
        Degree the kernel must be exact for, and the degree it was found exact for
        (``None`` when no failure was found within the search range: see ``checked_degree``).
    checked_degree : int
        Highest degree examined.
    failing_monomial : sympy.Expr or None
        First monomial (lowest degree) on which the kernel is not exact.
    leading_error : sympy.Expr or None
        The leading term of ``stencil - approximated quantity``, from the failing degree.
    promised_order, predicted_order : int
        Error order promised by the construction, and the one implied by the leading
        error term (its power of ``h``).
    spacings, errors : lists of floats
        The convergence measurement.
    measured_order : float
        Least-squares slope of ``log |error|`` against ``log h``.
    tolerance : float
        Allowed distance between measured and predicted order.
    ok : bool
        Exact up to the promised degree, predicted order at least the promised one, and
        measured order within the tolerance of the predicted order.
    """

    def __init__(self, **fields):
        self.__dict__.update(fields)

    def __bool__(self):
        return bool(self.ok)

    def __str__(self):
        lines = [f"verification of {self.kernel}"]
        if self.exact_degree is None:
            lines.append(f"  exact on every monomial up to degree {self.checked_degree} "
                         f"(promised {self.promised_degree}); symbolic, identically in the "
                         f"point and in h")
        else:
            lines.append(f"  exact on every monomial up to degree {self.exact_degree} "
                         f"(promised {self.promised_degree}); symbolic, identically in the "
                         f"point and in h")
            lines.append(f"  not exact on {self.failing_monomial}; leading error "
                         f"{self.leading_error}")
        lines.append(f"  convergence on f = {self.function} at {self.point}:")
        lines.append("      h            |error|")
        for h, e in zip(self.spacings, self.errors):
            lines.append(f"      {h:<12.6g} {e:.3e}")
        lines.append(f"  measured order {self.measured_order:.2f} (least-squares slope of log|error| "
                     f"vs log h), predicted {self.predicted_order}, promised {self.promised_order}, "
                     f"tolerance {self.tolerance}")
        lines.append("  verdict: " + ("ok" if self.ok else "FAILED: " + "; ".join(self.problems)))
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self):
        # for Jupyter: the verdict, the exactness claim and the convergence table
        from html import escape

        body = str(self).splitlines()
        # the exactness lines: between the title and the convergence table
        head = body[1:next(i for i, line in enumerate(body) if "convergence on" in line)]
        rows = "".join(f"<tr><td>{h:.6g}</td><td>{e:.3e}</td></tr>"
                       for h, e in zip(self.spacings, self.errors))
        verdict = "ok" if self.ok else "FAILED: " + "; ".join(self.problems)
        items = "".join(f"<li>{escape(line.strip())}</li>" for line in head)
        return (f"<div><strong>verification of {escape(self.kernel)}</strong>: {escape(verdict)}"
                f"<ul>{items}</ul>"
                f"<table><caption>convergence on f = {escape(str(self.function))} at "
                f"{escape(str(self.point))}</caption><thead><tr><th>h</th><th>|error|</th></tr>"
                f"</thead><tbody>{rows}</tbody></table>"
                f"<p>measured order {self.measured_order:.2f}, predicted {self.predicted_order}, "
                f"promised {self.promised_order} (tolerance {self.tolerance})</p></div>")

    def __explain__(self, check=True):
        """The lines :func:`symconv.explain` prints for this object."""
        return _kernel_report(self, check)


def _mp(value, dps):
    """An exact SymPy number as an mpmath float at the current working precision."""
    import mpmath

    if value.is_Rational:
        return mpmath.mpf(int(value.p)) / int(value.q)
    number = sympy.N(value, dps + 10)
    if not number.is_real:
        raise SymconvError(f"kernel weights, points and spacings must be real numbers to measure "
                           f"convergence, but got {value}")
    return mpmath.mpf(str(number))


def _monomials(xs, degree):
    for combo in itertools.combinations_with_replacement(xs, degree):
        yield sympy.Mul(*combo)


def verify_kernel(kernel, extra_degrees=3, spacings=None, function=None, point=None):
    """Check a :class:`Kernel`: exactness on polynomials and the convergence order.

    Exactness: for every monomial ``m`` of total degree ``t = 0, 1, ...`` the stencil
    applied to ``m`` is compared with the approximated quantity ``T[m]`` as polynomials
    in the point and in ``h`` (``expand(S[m] - T[m]) == 0``), up to the promised degree
    and beyond it until the first failure (at most ``extra_degrees`` further). The
    failing degree gives the leading error ``sum_beta c_beta * d^beta f`` with
    ``c_beta = (S - T)[x^beta / beta!]`` (lower-degree terms cancel by exactness).

    Convergence: errors ``|S[f](x0) - T[f](x0)|`` on a smooth ``f`` at spacings ``h``,
    computed with 50 significant digits, and the least-squares slope of ``log|error|``
    against ``log h``.

    >>> report = verify_kernel(derivative_kernel(2))
    >>> report.exact_degree, report.failing_monomial, report.leading_error
    (3, x**4, h**2*Derivative(f(x), (x, 4))/12)
    >>> report.ok, round(report.measured_order)
    (True, 2)
    """
    import mpmath

    xs, h = kernel.variables, _H
    promised = kernel.exact_degree
    # --- symbolic exactness, degree by degree
    exact_degree, failing, leading = None, None, None
    top = promised + extra_degrees
    for degree in range(0, top + 1):
        bad = []
        for m in _monomials(xs, degree):
            diff = sympy.expand(kernel._apply_to(m, xs, h) - kernel._target(m, xs, h))
            if diff != 0:
                bad.append(m)
        if bad:
            exact_degree, failing = degree - 1, bad[0]
            f = sympy.Function("f")(*xs)
            terms, h_powers = [], set()
            for m in _monomials(xs, degree):
                powers = m.as_powers_dict()
                norm = sympy.Mul(*[sympy.factorial(powers.get(x, 0)) for x in xs])
                coeff = sympy.expand(kernel._apply_to(m / norm, xs, h)
                                     - kernel._target(m / norm, xs, h))
                coeff = sympy.simplify(coeff.subs({x: 0 for x in xs}))
                if coeff != 0:
                    h_powers.add(sympy.expand(coeff).as_coeff_exponent(h)[1])
                    derivative = sympy.Derivative(f, *[(x, powers[x]) for x in xs if powers.get(x)])
                    terms.append(coeff * derivative)
            leading = sympy.Add(*terms)
            break
    predicted = None
    if exact_degree is not None:
        # the power of h in the leading error term (every term carries the same power)
        predicted = int(min(h_powers))
    # --- numeric convergence
    if function is None:
        a = (Rational(3, 10), Rational(-1, 5), Rational(1, 7), Rational(2, 9))
        b = (Rational(7, 10), Rational(1, 2), Rational(9, 10), Rational(-3, 8))
        function = (sympy.exp(sum(ai * x for ai, x in zip(a, xs)))
                    + sympy.sin(sum(bi * x for bi, x in zip(b, xs)) + Rational(2, 5)))
    if point is None:
        point = (Rational(1, 3), Rational(-1, 4), Rational(1, 5), Rational(2, 7))[:len(xs)]
    point = tuple(_exact(p, "point") for p in point)
    if spacings is None:
        spacings = [Rational(1, 2 ** k) for k in range(3, 8)]
    spacings = [_exact(s, "spacing") for s in spacings]
    dps = 50
    with mpmath.workdps(dps):
        target_expr = kernel._target(function, xs, h)
        fnum = sympy.lambdify(xs, function, "mpmath")
        errors = []
        for hv in spacings:
            hm = _mp(hv, dps)
            total = mpmath.mpf(0)
            for offset, w in kernel._unit.items():
                args = [_mp(p, dps) + o * hm for p, o in zip(point, offset)]
                total += _mp(w, dps) * fnum(*args)
            total *= hm ** kernel.power
            exact = target_expr.subs({**dict(zip(xs, point)), h: hv})
            exact_value = mpmath.mpf(str(sympy.N(exact, dps + 10)))
            errors.append(abs(total - exact_value))
        logs_h = [mpmath.log(_mp(s, dps)) for s in spacings]
        logs_e = [mpmath.log(e) if e > 0 else mpmath.mpf(-10 ** 6) for e in errors]
        n = len(spacings)
        mh, me = sum(logs_h) / n, sum(logs_e) / n
        slope = (sum((x - mh) * (y - me) for x, y in zip(logs_h, logs_e))
                 / sum((x - mh) ** 2 for x in logs_h))
        measured = float(slope)
        errors = [float(e) for e in errors]
    tolerance = 0.3
    problems = []
    if exact_degree is not None and exact_degree < promised:
        problems.append(f"exact only up to degree {exact_degree}, promised {promised}")
    if predicted is not None and predicted < kernel.order:
        problems.append(f"leading error is O(h**{predicted}), promised O(h**{kernel.order})")
    reference = predicted if predicted is not None else kernel.order
    if exact_degree is not None and abs(measured - reference) > tolerance:
        problems.append(f"measured order {measured:.2f} differs from {reference} by more than {tolerance}")
    if exact_degree is None and measured < reference - tolerance:
        problems.append(f"measured order {measured:.2f} below {reference}")
    return KernelReport(
        kernel=kernel.name, promised_degree=promised, exact_degree=exact_degree,
        checked_degree=top if exact_degree is None else exact_degree + 1,
        failing_monomial=failing, leading_error=leading, promised_order=kernel.order,
        predicted_order=predicted, function=function, point=point,
        spacings=[float(s) for s in spacings], errors=errors, measured_order=measured,
        tolerance=tolerance, ok=not problems, problems=problems)


# ---------------------------------------------------------------------------
# derivatives
# ---------------------------------------------------------------------------

def _embed(weights_1d, points, axis, dims):
    """1-D stencil along ``axis`` of a ``dims``-dimensional grid."""
    unit = {}
    for p, w in zip(points, weights_1d):
        offset = [0] * dims
        offset[axis] = p
        unit[tuple(offset)] = w
    bounds = [(0, 0)] * dims
    bounds[axis] = (min(points), max(points))
    return unit, bounds


def derivative_kernel(order, accuracy=2, offsets=None, spacing=1, form="corr", *,
                      dims=1, axis=-1):
    """Finite-difference kernel for the ``order``-th derivative, with exact weights.

    Parameters
    ----------
    order : int
        Derivative order ``d >= 1``.
    accuracy : int, default 2
        Order ``p`` of the error ``O(h**p)`` when the offsets are chosen here
        (``offsets`` None / ``'central'``: ``p`` must be even; ``'forward'`` /
        ``'backward'``: any ``p >= 1``). Ignored when explicit offsets are given: then the
        promise is the one those offsets guarantee (see Notes) and :meth:`Kernel.verify`
        reports the order actually achieved.
    offsets : None, 'central', 'forward', 'backward' or sequence of int
        Where the samples are taken, in units of ``h`` relative to the point: central
        ``-q..q`` with ``2q + 1 = 2*floor((d+1)/2) - 1 + p`` points, forward ``0..d+p-1``,
        backward ``-(d+p-1)..0``, or any distinct integers (at least ``d + 1`` of them,
        see :func:`min_kernel_size`).
    spacing : number or positive SymPy symbol, default 1
        Grid spacing ``h``; the weights carry the factor ``h**(-d)``.
    form : {'corr', 'conv'}, default 'corr'
        Orientation: the array to cross-correlate with, or the flipped array to convolve
        with (module notes).
    dims, axis : int, keyword-only
        Embed the 1-D stencil along ``axis`` of a ``dims``-dimensional grid (shape
        ``(1, 3)`` for ``dims=2``, ``axis=1``): the partial derivative along that axis.

    Returns
    -------
    Kernel

    Notes
    -----
    With ``n`` distinct offsets ``o_m``, the weights are the unique solution of the
    Taylor (Vandermonde) conditions ``sum_m w_m o_m**j = d! * [j == d]`` for
    ``j = 0..n-1``: the stencil differentiates the interpolating polynomial of degree
    ``n - 1``, so it is exact for polynomials of degree ``n - 1`` (sometimes more:
    symmetric stencils gain one degree) and its error is ``O(h**(n - d))``. Central
    stencils reach order ``p`` with fewer points than one-sided ones.

    Examples
    --------
    >>> derivative_kernel(2)
    Kernel(second derivative (central, accuracy 2): [1, -2, 1] at offsets (-1, 0, 1), form='corr')
    >>> derivative_kernel(1).tolist(), derivative_kernel(1, form='conv').tolist()
    ([-1/2, 0, 1/2], [1/2, 0, -1/2])
    >>> derivative_kernel(1, accuracy=4).tolist()
    [1/12, -2/3, 0, 2/3, -1/12]
    >>> derivative_kernel(2, accuracy=4).tolist()
    [-1/12, 4/3, -5/2, 4/3, -1/12]
    >>> derivative_kernel(1, accuracy=1, offsets='forward').tolist()
    [-1, 1]
    >>> derivative_kernel(1, offsets='backward').tolist()
    [1/2, -2, 3/2]
    >>> derivative_kernel(1, offsets=[-2, 0, 1]).tolist()
    [-1/6, 0, -1/2, 2/3]
    >>> from sympy import Symbol
    >>> derivative_kernel(2, spacing=Symbol('h', positive=True)).tolist()
    [h**(-2), -2/h**2, h**(-2)]
    >>> derivative_kernel(1, dims=2).tolist()
    [[-1/2, 0, 1/2]]

    The ``conv`` form convolves, the ``corr`` form correlates; both compute ``f'``:

    >>> derivative_kernel(1).apply([0, 1, 4, 9, 16]), derivative_kernel(1, form='conv').apply([0, 1, 4, 9, 16])
    ([2, 4, 6], [2, 4, 6])
    """
    order = as_int(order, "order", 1)
    accuracy = as_int(accuracy, "accuracy", 1)
    dims = as_int(dims, "dims", 1)
    axis = _axis(axis, dims)
    _form(form)
    if offsets is None or (isinstance(offsets, str) and offsets == "central"):
        points, weights = _central_weights(order, accuracy)
        kind = f"central, accuracy {accuracy}"
        promised = order + accuracy - 1
    elif isinstance(offsets, str):
        check_choice(offsets, ("central", "forward", "backward"), "offsets")
        n = order + accuracy
        points = list(range(0, n)) if offsets == "forward" else list(range(-(n - 1), 1))
        weights = list(finite_diff_weights(order, points, 0)[order][-1])
        kind = f"{offsets}, accuracy {accuracy}"
        promised = n - 1
    else:
        if isinstance(offsets, (bytes, dict)) or not hasattr(offsets, "__iter__"):
            raise SymconvError(f"offsets must be 'central', 'forward', 'backward' or a sequence "
                               f"of distinct integers, but got {offsets!r}")
        points = [as_int(o, "offsets") for o in offsets]
        if len(set(points)) != len(points):
            raise SymconvError(f"offsets must be distinct, but got {list(offsets)!r}")
        if len(points) < order + 1:
            raise SymconvError(
                f"a derivative of order {order} needs at least {order + 1} distinct offsets "
                f"(min_kernel_size({order}) = {order + 1}), but got {len(points)}: {points}")
        points = sorted(points)
        weights = list(finite_diff_weights(order, points, 0)[order][-1])
        kind = f"offsets {points}"
        promised = len(points) - 1
    unit, bounds = _embed(weights, points, axis, dims)
    xname = "" if dims == 1 else f" along axis {axis}"

    def target(f, xs, h, _axis=axis, _order=order):
        return sympy.diff(f, xs[_axis], _order)

    statement = (f"Cross-correlating samples with the corr array (or convolving with the conv "
                 f"array) gives at output n the {_ordinal(order)} derivative at the sample under "
                 f"offset 0; error O(h**{promised + 1 - order}).")
    return Kernel(unit, bounds, -order, target, spacing=spacing, form=form,
                  name=f"{_ordinal(order)} derivative{xname} ({kind})",
                  exact_degree=promised, statement=statement)


def laplacian_kernel(dims=2, accuracy=2, spacing=1, form="corr"):
    """The Laplacian ``sum_i d^2 f / dx_i^2``: a central second difference on each axis.

    >>> laplacian_kernel().tolist()
    [[0, 1, 0], [1, -4, 1], [0, 1, 0]]
    >>> laplacian_kernel(dims=1, accuracy=4).tolist()
    [-1/12, 4/3, -5/2, 4/3, -1/12]
    >>> laplacian_kernel(dims=3).shape
    (3, 3, 3)
    >>> laplacian_kernel().verify().ok
    True
    """
    dims = as_int(dims, "dims", 1)
    accuracy = as_int(accuracy, "accuracy", 1)
    points, weights = _central_weights(2, accuracy)
    unit = {}
    for axis in range(dims):
        for p, w in zip(points, weights):
            offset = [0] * dims
            offset[axis] = p
            unit[tuple(offset)] = unit.get(tuple(offset), 0) + w
    bounds = [(min(points), max(points))] * dims

    def target(f, xs, h):
        return sympy.Add(*[sympy.diff(f, x, 2) for x in xs])

    return Kernel(unit, bounds, -2, target, spacing=spacing, form=form,
                  name=f"{dims}-d Laplacian (central, accuracy {accuracy})",
                  exact_degree=accuracy + 1,
                  statement="Correlating gives the sum of the second differences along every "
                            "axis: the discrete Laplacian at the centre of each window.")


def mixed_partial_kernel(orders, accuracy=2, spacing=1, form="corr"):
    """Mixed partial derivative ``d^|o| f / dx_0^o_0 ... dx_N^o_N`` as an outer product.

    The kernel is the outer product of the central 1-D kernels of each order (order 0
    is the identity ``[1]``). A product stencil is exact on ``x^a * y^b`` whenever each
    factor is exact on its own power, which gives exactness up to total degree
    ``|o| + accuracy - 1`` and error ``O(h**accuracy)``.

    >>> mixed_partial_kernel((1, 1)).tolist()
    [[1/4, 0, -1/4], [0, 0, 0], [-1/4, 0, 1/4]]
    >>> mixed_partial_kernel((2, 1)).shape
    (3, 3)
    >>> mixed_partial_kernel((1, 1)).verify().ok
    True
    """
    if isinstance(orders, (str, bytes)) or not hasattr(orders, "__iter__"):
        raise SymconvError(f"orders must be a sequence of non-negative ints, but got {orders!r}")
    orders = tuple(as_int(o, "orders", 0) for o in orders)
    if not orders or sum(orders) == 0:
        raise SymconvError(f"orders must contain a positive derivative order, but got {orders}")
    accuracy = as_int(accuracy, "accuracy", 1)
    factors = []
    for o in orders:
        factors.append(_central_weights(o, accuracy) if o else ([0], [sympy.S.One]))
    unit = {}
    for combo in itertools.product(*[list(zip(p, w)) for p, w in factors]):
        offset = tuple(p for p, _w in combo)
        unit[offset] = sympy.Mul(*[w for _p, w in combo])
    bounds = [(min(p), max(p)) for p, _w in factors]
    total = sum(orders)

    def target(f, xs, h):
        return sympy.diff(f, *[(x, o) for x, o in zip(xs, orders) if o])

    label = ", ".join(str(o) for o in orders)
    return Kernel(unit, bounds, -total, target, spacing=spacing, form=form,
                  name=f"mixed partial of orders ({label}) (central, accuracy {accuracy})",
                  exact_degree=total + accuracy - 1,
                  statement="Outer product of central 1-D derivative kernels, one per axis.")


def directional_derivative_kernel(direction, accuracy=2, spacing=1, form="corr"):
    """Derivative along ``v``: ``grad f . v``, the edge detector for edges orthogonal to ``v``.

    The kernel is ``sum_i v_i D_i`` with ``D_i`` the central first difference along axis
    ``i`` (axis 0 runs down the rows of an image, axis 1 along the columns). It responds
    where the intensity changes along ``v``, i.e. to edges that run orthogonal to ``v``,
    and vanishes on an edge parallel to ``v``. Pass a unit vector for the derivative per
    unit length; ``v`` is used as given (exact entries such as ``sqrt(2)/2`` are fine).

    >>> directional_derivative_kernel((0, 1)).tolist()
    [[0, 0, 0], [-1/2, 0, 1/2], [0, 0, 0]]
    >>> directional_derivative_kernel((1, 1)).tolist()
    [[0, -1/2, 0], [-1/2, 0, 1/2], [0, 1/2, 0]]
    >>> X = edge_images()['vertical']            # an edge running down the image
    >>> directional_derivative_kernel((1, 0)).apply(X).is_zero_matrix   # v along the edge
    True
    """
    if isinstance(direction, (str, bytes)) or not hasattr(direction, "__iter__"):
        raise SymconvError(f"direction must be a sequence of numbers, but got {direction!r}")
    v = [_exact(c, "direction") for c in direction]
    if not v or all(c == 0 for c in v):
        raise SymconvError(f"direction must be a non-zero vector, but got {list(direction)!r}")
    dims = len(v)
    points, weights = _central_weights(1, as_int(accuracy, "accuracy", 1))
    unit = {}
    for axis, c in enumerate(v):
        for p, w in zip(points, weights):
            offset = [0] * dims
            offset[axis] = p
            unit[tuple(offset)] = unit.get(tuple(offset), 0) + c * w
    bounds = [(min(points), max(points))] * dims

    def target(f, xs, h):
        return sympy.Add(*[c * sympy.diff(f, x) for c, x in zip(v, xs)])

    return Kernel(unit, bounds, -1, target, spacing=spacing, form=form,
                  name=f"derivative along {tuple(v)} (central, accuracy {accuracy})",
                  exact_degree=accuracy,
                  statement=f"Responds to intensity changes along {tuple(v)}, i.e. to edges "
                            "orthogonal to that direction.")


def _smoothed_derivative(smooth, axis, dims, normalized, spacing, form, label):
    axis = _axis(axis, as_int(dims, "dims", 2))
    dims = as_int(dims, "dims", 2)
    deriv = [(-1, -1), (0, 0), (1, 1)]
    smooth_sum = sum(smooth)
    scale = 2 * smooth_sum ** (dims - 1)   # what the integer kernel multiplies h*df/dx by
    unit = {}
    for combo in itertools.product(*[deriv if i == axis else list(zip((-1, 0, 1), smooth))
                                     for i in range(dims)]):
        offset = tuple(p for p, _w in combo)
        weight = sympy.Mul(*[sympy.Integer(w) for _p, w in combo])
        unit[offset] = weight / scale if normalized else weight
    bounds = [(-1, 1)] * dims

    def target(f, xs, h):
        d = sympy.diff(f, xs[axis])
        return d if normalized else scale * h * d

    what = "d f / d x_%d" % axis if normalized else f"{scale} h d f / d x_{axis}"
    return Kernel(unit, bounds, -1 if normalized else 0, target, spacing=spacing, form=form,
                  name=f"{label} along axis {axis}{' (normalized)' if normalized else ''}",
                  exact_degree=2,
                  statement=f"Smoothing {list(smooth)} across axis {axis} times the central "
                            f"difference [-1, 0, 1] along it; estimates {what}.")


def sobel_kernel(axis=-1, dims=2, normalized=False, spacing=1, form="corr"):
    """Sobel kernel: a central difference along ``axis`` smoothed by ``[1, 2, 1]`` across it.

    The classic integer kernel is the outer product ``[1, 2, 1] x [-1, 0, 1]`` and
    estimates ``8 h df/dx`` in 2-D; ``normalized=True`` divides by ``8 h`` so that it
    estimates ``df/dx`` itself (error ``O(h**2)``, exact up to degree 2).

    >>> sobel_kernel().tolist()
    [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]
    >>> sobel_kernel(axis=0).tolist()
    [[-1, -2, -1], [0, 0, 0], [1, 2, 1]]
    >>> sobel_kernel(normalized=True).tolist()[1]
    [-1/4, 0, 1/4]
    >>> sobel_kernel().verify().ok
    True
    """
    return _smoothed_derivative((1, 2, 1), axis, dims, normalized, spacing, form, "Sobel")


def scharr_kernel(axis=-1, dims=2, normalized=False, spacing=1, form="corr"):
    """Scharr kernel: like Sobel with the smoothing ``[3, 10, 3]`` (estimates ``32 h df/dx``).

    >>> scharr_kernel().tolist()
    [[-3, 0, 3], [-10, 0, 10], [-3, 0, 3]]
    """
    return _smoothed_derivative((3, 10, 3), axis, dims, normalized, spacing, form, "Scharr")


# ---------------------------------------------------------------------------
# integrals
# ---------------------------------------------------------------------------

_RULES = ("running_sum", "rectangle", "midpoint", "trapezoid", "simpson")


def integral_kernel(rule="trapezoid", cells=None, spacing=1, form="corr"):
    """Quadrature kernels: what a kernel for an integral looks like.

    Parameters
    ----------
    rule : {'running_sum', 'rectangle', 'midpoint', 'trapezoid', 'simpson'}
        * ``'running_sum'``: ``cells`` ones (default 3). Correlating gives the moving sum
          ``x[n] + ... + x[n + L - 1]``; convolving gives the causal moving sum
          ``x[n] + x[n-1] + ... + x[n-L+1]``, and with ``L`` at least the signal length
          (full padding) the cumulative sum ``sum_{k <= n} x[k]``: the discrete
          ``int_{-inf}^t``, i.e. convolution with the unit step. It approximates
          ``(1/h) int_x^{x + L h} f`` (times ``h`` it is the rectangle rule).
        * ``'rectangle'``: left endpoints, ``h * [1, ..., 1]`` over ``cells`` cells (default 1).
        * ``'midpoint'``: ``cells`` even (default 2); ``2h`` at the middle of each pair of cells.
        * ``'trapezoid'``: ``h * [1/2, 1, ..., 1, 1/2]`` over ``cells`` cells (default 1).
        * ``'simpson'``: ``cells`` even (default 2); ``h/3 * [1, 4, 2, 4, ..., 4, 1]``.
    cells : int, optional
        Number of grid cells the window spans (the kernel has ``cells + 1`` taps, except
        the running sum and the rectangle rule which have ``cells``).
    spacing, form
        As for :func:`derivative_kernel`.

    Returns
    -------
    Kernel
        Correlating samples ``f(x_k)`` with it gives ``y[n] ~ int_{x_n}^{x_n + cells h} f``.
        Exact for polynomials of degree 0 (running sum, rectangle), 1 (midpoint,
        trapezoid) or 3 (Simpson); the error per window is ``O(h**(degree + 2))``, and
        over a fixed interval made of ``~1/h`` windows it is ``O(h**(degree + 1))``
        (``O(h**(degree+1))`` per window for the running sum, which lacks the factor ``h``).

    Examples
    --------
    >>> integral_kernel('trapezoid', cells=3).tolist()
    [1/2, 1, 1, 1/2]
    >>> integral_kernel('simpson', cells=4).tolist()
    [1/3, 4/3, 2/3, 4/3, 1/3]
    >>> from sympy import Symbol
    >>> integral_kernel('simpson', spacing=Symbol('h', positive=True)).tolist()
    [h/3, 4*h/3, h/3]
    >>> integral_kernel('running_sum', cells=4, form='conv').apply([1, 2, 3, 4], padding=[(3, 0)])
    [1, 3, 6, 10]
    >>> integral_kernel('simpson').approximates
    Integral(f(t), (t, x, x + 2))
    >>> integral_kernel('simpson').verify().exact_degree
    3
    """
    rule = check_choice(rule, _RULES, "rule")
    default = {"running_sum": 3, "rectangle": 1, "midpoint": 2, "trapezoid": 1, "simpson": 2}[rule]
    cells = default if cells is None else as_int(cells, "cells", 1)
    if rule in ("midpoint", "simpson") and cells % 2:
        raise SymconvError(f"the {rule} rule needs an even number of cells, but got {cells}")
    if rule == "running_sum":
        weights, power, degree = [sympy.S.One] * cells, 0, 0
        span = cells
    elif rule == "rectangle":
        weights, power, degree = [sympy.S.One] * cells, 1, 0
        span = cells
    elif rule == "midpoint":
        weights = [sympy.Integer(2 if i % 2 else 0) for i in range(cells + 1)]
        power, degree, span = 1, 1, cells
    elif rule == "trapezoid":
        weights = [Rational(1, 2)] + [sympy.S.One] * (cells - 1) + [Rational(1, 2)]
        power, degree, span = 1, 1, cells
    else:
        weights = [Rational(1, 3)] + [Rational(4 if i % 2 else 2, 3) for i in range(1, cells)] \
            + [Rational(1, 3)]
        power, degree, span = 1, 3, cells
    unit = {(i,): w for i, w in enumerate(weights)}
    bounds = [(0, len(weights) - 1)]
    t = sympy.Symbol("t", real=True)

    def target(f, xs, h, _span=span, _sum=rule == "running_sum"):
        (x,) = xs
        integrand = f.subs(x, t)
        if getattr(f, "is_Function", False) or f.has(sympy.core.function.AppliedUndef):
            value = sympy.Integral(integrand, (t, x, x + _span * h))
        else:
            value = sympy.integrate(integrand, (t, x, x + _span * h))
        return value / h if _sum else value

    what = "(1/h) * " if rule == "running_sum" else ""
    return Kernel(unit, bounds, power, target, spacing=spacing, form=form,
                  name=f"{rule.replace('_', ' ')} over {cells} cell{'s' if cells > 1 else ''}",
                  exact_degree=degree,
                  statement=f"Correlating samples f(x_k) with it gives y[n] ~ {what}"
                            f"integral of f over [x_n, x_n + {span} h].")


# ---------------------------------------------------------------------------
# classic image kernels
# ---------------------------------------------------------------------------

_IMAGE_KERNELS = ("box_blur", "gaussian_blur", "vertical_edge", "horizontal_edge",
                  "diagonal_edge", "antidiagonal_edge", "laplacian", "sharpen",
                  "sobel_x", "sobel_y", "scharr_x", "scharr_y")


def _grid_kernel(rows, origin, target, *, name, degree, statement, form):
    unit = {}
    for i, row in enumerate(rows):
        for j, w in enumerate(row):
            unit[(i - origin[0], j - origin[1])] = strict_sympify(w, "kernel weights must be numbers")
    bounds = [(-origin[0], len(rows) - 1 - origin[0]), (-origin[1], len(rows[0]) - 1 - origin[1])]
    return Kernel(unit, bounds, 0, target, name=name, exact_degree=degree, form=form,
                  statement=statement)


def image_kernel(name, size=3, form="corr"):
    """Classic 2-D image kernels (axis 0: rows, downwards; axis 1: columns, rightwards).

    ============== ======================================= ===================================
    name           weights                                 approximates (h: pixel size)
    ============== ======================================= ===================================
    box_blur       ones(size, size) / size**2 (odd size)   f (the local mean)
    gaussian_blur  outer(b, b), b binomial / 2**(size-1)   f (a smoothed f)
    vertical_edge  [[1, -1]]                               -h df/dx_1: changes along a row
    horizontal_edge [[1], [-1]]                            -h df/dx_0: changes down a column
    diagonal_edge  [[0, 1], [-1, 0]]                       h (df/dx_1 - df/dx_0): across a
                                                           main-diagonal edge
    antidiagonal_edge [[1, 0], [0, -1]]                    -h (df/dx_0 + df/dx_1): across an
                                                           anti-diagonal edge
    laplacian      [[0, 1, 0], [1, -4, 1], [0, 1, 0]]      h**2 (Laplacian of f)
    sharpen        [[0, -1, 0], [-1, 5, -1], [0, -1, 0]]   f - h**2 (Laplacian of f)
    sobel_x/_y     see :func:`sobel_kernel` (x = axis 1, y = axis 0)
    scharr_x/_y    see :func:`scharr_kernel`
    ============== ======================================= ===================================

    The ``vertical_edge`` kernel (a 1 x 2 difference along each row) finds vertical
    edges: on the image of :func:`edge_images` it marks the left edge of the dark band
    with 1 and the right edge with -1, and on the transposed image (horizontal edges) it
    gives zero. On a diagonal edge both difference kernels respond:

    >>> images = edge_images()
    >>> K = image_kernel('vertical_edge')
    >>> K.apply(images['vertical'])
    Matrix([
    [0, 1, 0, 0, 0, -1, 0],
    [0, 1, 0, 0, 0, -1, 0],
    [0, 1, 0, 0, 0, -1, 0],
    [0, 1, 0, 0, 0, -1, 0],
    [0, 1, 0, 0, 0, -1, 0],
    [0, 1, 0, 0, 0, -1, 0]])
    >>> K.apply(images['horizontal']).is_zero_matrix
    True
    >>> image_kernel('horizontal_edge').apply(images['horizontal']).T == K.apply(images['vertical'])
    True
    >>> images['diagonal']
    Matrix([
    [1, 1, 1, 1, 1],
    [0, 1, 1, 1, 1],
    [0, 0, 1, 1, 1],
    [0, 0, 0, 1, 1],
    [0, 0, 0, 0, 1]])
    >>> K.apply(images['diagonal'])
    Matrix([
    [ 0, 0, 0, 0],
    [-1, 0, 0, 0],
    [ 0, -1, 0, 0],
    [ 0, 0, -1, 0],
    [ 0, 0, 0, -1]])
    >>> K.apply(images['diagonal'].T)
    Matrix([
    [1, 0, 0, 0],
    [0, 1, 0, 0],
    [0, 0, 1, 0],
    [0, 0, 0, 1],
    [0, 0, 0, 0]])

    Each edge detector is named after the edges it finds, and differences *across* them:
    the diagonal detector marks the diagonal edge, the anti-diagonal one ignores it.

    >>> image_kernel('diagonal_edge').apply(images['diagonal'])
    Matrix([
    [1, 0, 0, 0],
    [1, 1, 0, 0],
    [0, 1, 1, 0],
    [0, 0, 1, 1]])
    >>> image_kernel('antidiagonal_edge').apply(images['diagonal']).is_zero_matrix
    True
    >>> image_kernel('gaussian_blur').tolist()
    [[1/16, 1/8, 1/16], [1/8, 1/4, 1/8], [1/16, 1/8, 1/16]]
    >>> image_kernel('box_blur').apply(images['vertical'])[0, :]
    Matrix([[2/3, 1/3, 0, 0, 1/3, 2/3]])
    """
    name = check_choice(name, _IMAGE_KERNELS, "name")
    form = _form(form)
    if name.startswith("sobel_") or name.startswith("scharr_"):
        axis = 1 if name.endswith("_x") else 0
        maker = sobel_kernel if name.startswith("sobel_") else scharr_kernel
        return maker(axis=axis, form=form)
    if name in ("box_blur", "gaussian_blur"):
        size = as_int(size, "size", 1)
        if size % 2 == 0 or (name == "gaussian_blur" and size < 3):
            raise SymconvError(f"size of a {name} must be odd (and >= 3 for the Gaussian), "
                               f"but got {size}")
        if name == "box_blur":
            row = [Rational(1, size)] * size
            what = f"the mean over a {size} x {size} window"
        else:
            row = [Rational(math.comb(size - 1, k), 2 ** (size - 1)) for k in range(size)]
            what = f"binomial (discrete Gaussian) weights {[math.comb(size - 1, k) for k in range(size)]}"
        rows = [[a * b for b in row] for a in row]

        def target(f, xs, h):
            return f

        return _grid_kernel(rows, (size // 2, size // 2), target, name=f"{size}x{size} {name.replace('_', ' ')}",
                            degree=1, form=form,
                            statement=f"Replaces each pixel by {what}; reproduces linear "
                                      "images exactly, error O(h**2) on smooth ones.")
    table = {
        "vertical_edge": ([[1, -1]], (0, 0), lambda f, xs, h: -h * sympy.diff(f, xs[1]),
                          "vertical edges: differences along each row (-h df/dx_1)"),
        "horizontal_edge": ([[1], [-1]], (0, 0), lambda f, xs, h: -h * sympy.diff(f, xs[0]),
                            "horizontal edges: differences down each column (-h df/dx_0)"),
        "diagonal_edge": ([[0, 1], [-1, 0]], (0, 0),
                          lambda f, xs, h: h * (sympy.diff(f, xs[1]) - sympy.diff(f, xs[0])),
                          "edges running along the main diagonal: differences across it, "
                          "along (-1, 1)"),
        "antidiagonal_edge": ([[1, 0], [0, -1]], (0, 0),
                              lambda f, xs, h: -h * (sympy.diff(f, xs[0]) + sympy.diff(f, xs[1])),
                              "edges running along the anti-diagonal: differences across it, "
                              "along (1, 1)"),
        "laplacian": ([[0, 1, 0], [1, -4, 1], [0, 1, 0]], (1, 1),
                      lambda f, xs, h: h ** 2 * (sympy.diff(f, xs[0], 2) + sympy.diff(f, xs[1], 2)),
                      "blobs and edges of both orientations: h**2 times the Laplacian"),
        "sharpen": ([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], (1, 1),
                    lambda f, xs, h: f - h ** 2 * (sympy.diff(f, xs[0], 2) + sympy.diff(f, xs[1], 2)),
                    "sharpening: the image minus h**2 times its Laplacian"),
    }
    rows, origin, target, what = table[name]
    degree = 3 if name in ("laplacian", "sharpen") else 1
    return _grid_kernel(rows, origin, target, name=f"{name.replace('_', ' ')} detector"
                        if name.endswith("edge") else name, degree=degree, form=form,
                        statement=f"Responds to {what}.")


def edge_images():
    """Small exact test images: ``'vertical'``, ``'horizontal'`` (its transpose), ``'diagonal'``.

    ``'vertical'`` is 6 x 8, bright (1) with a dark band (0) in columns 2-5, so it has
    two vertical edges; ``'diagonal'`` is the 5 x 5 upper triangle of ones (an edge
    running along the main diagonal).

    >>> edge_images()['vertical'][0, :]
    Matrix([[1, 1, 0, 0, 0, 0, 1, 1]])
    """
    vertical = sympy.Matrix(6, 8, lambda i, j: 0 if 2 <= j <= 5 else 1)
    return {"vertical": vertical, "horizontal": vertical.T,
            "diagonal": sympy.Matrix(5, 5, lambda i, j: 1 if j >= i else 0)}


# ---------------------------------------------------------------------------
# minimum size
# ---------------------------------------------------------------------------

class MinSizeArgument(ReadsAsText):
    """Why a derivative of order ``d`` needs ``d + 1`` taps, with the checks behind it.

    Attributes: ``order``, ``size`` (``d + 1``), ``vandermonde`` (the ``(d+1) x (d+1)``
    system matrix for symbolic offsets), ``determinant`` (its factored determinant),
    ``weights`` (the unique solution at offsets ``0..d``: the d-th forward difference),
    ``checks`` (list of ``(claim, status, reason)`` with status ``'proven'`` when SymPy
    established it symbolically for this ``d``, ``'confirmed'`` when only checked on
    random numeric offsets), and ``text``. ``int(argument)`` is the size.
    """

    def __init__(self, order):
        d = order
        self.order, self.size = d, d + 1
        o = sympy.symbols(f"o0:{d + 1}")
        w = sympy.symbols(f"w0:{d + 1}")
        self.offsets, self.unknowns = o, w
        V = sympy.Matrix(d + 1, d + 1, lambda j, m: o[m] ** j)
        self.vandermonde = V
        self.rhs = sympy.Matrix([0] * d + [sympy.factorial(d)])
        product = sympy.Mul(*[o[j] - o[i] for i in range(d + 1) for j in range(i + 1, d + 1)])
        self.determinant = product
        self.checks = []
        symbolic = d <= 4
        # 1. the determinant of the square Vandermonde system is prod (o_j - o_i)
        if symbolic:
            ok = sympy.expand(V.det(method="berkowitz") - product) == 0
            self.checks.append((f"det V = prod_(i<j) (o_j - o_i) for {d + 1} offsets",
                                "proven" if ok else "refuted", "expanded symbolically"))
        else:
            self.checks.append(self._numeric_det_check(V, product, o))
        # 2. with only d taps the conditions j = 0..d are inconsistent
        Vd = V[:, :d]
        if symbolic:
            sol = sympy.linsolve((Vd, self.rhs), list(w[:d]))
            self.checks.append((f"with {d} taps the {d + 1} conditions have no solution",
                                "proven" if sol == sympy.EmptySet else "refuted",
                                "linsolve on symbolic offsets (pivots are Vandermonde minors, "
                                "non-zero for distinct offsets)"))
        else:
            self.checks.append(self._numeric_inconsistency(Vd, o))
        # 3. with d + 1 taps at 0..d the unique solution is the d-th forward difference
        at = {o[m]: m for m in range(d + 1)}
        sol = V.subs(at).LUsolve(self.rhs)
        expected = [(-1) ** (d - k) * math.comb(d, k) for k in range(d + 1)]
        fornberg = list(finite_diff_weights(d, list(range(d + 1)), 0)[d][-1])
        ok = list(sol) == expected == fornberg
        self.weights = list(sol)
        self.checks.append((f"with {d + 1} taps at 0..{d} the unique weights are "
                            f"(-1)**({d}-k) C({d}, k) = {expected}",
                            "proven" if ok else "refuted",
                            "exact solve, equal to finite_diff_weights (Fornberg)"))

    def _numeric_det_check(self, V, product, o):
        import random

        rng = random.Random(0)
        for _ in range(5):
            values = rng.sample(range(-50, 50), len(o))
            sub = dict(zip(o, values))
            if V.subs(sub).det() != product.subs(sub):
                return ("det V = prod (o_j - o_i)", "refuted", f"offsets {values}")
        return (f"det V = prod_(i<j) (o_j - o_i) for {len(o)} offsets", "confirmed",
                "5 random sets of distinct integer offsets (seed 0); too large to expand")

    def _numeric_inconsistency(self, Vd, o):
        import random

        rng = random.Random(0)
        for _ in range(5):
            values = rng.sample(range(-50, 50), len(o))
            A = Vd.subs(dict(zip(o, values)))
            if A.rank() != A.row_join(self.rhs).rank() - 1:
                return ("too few taps", "refuted", f"offsets {values}")
        return (f"with {self.order} taps the {self.order + 1} conditions have no solution",
                "confirmed", "rank test on 5 random sets of distinct offsets (seed 0)")

    def __int__(self):
        return self.size

    @property
    def text(self):
        d = self.order
        return "\n".join([
            f"A kernel w_1..w_n at distinct offsets o_1..o_n estimates the {_ordinal(d)} derivative",
            f"as h**(-{d}) * sum_m w_m f(x + o_m h). Expanding f in a Taylor series,",
            "    sum_m w_m f(x + o_m h) = sum_j h**j f^(j)(x)/j! * (sum_m w_m o_m**j),",
            f"so reproducing f^({d}) for every polynomial of degree <= {d} means the {d + 1} moment conditions",
            f"    sum_m w_m o_m**j = 0 for j = 0..{d - 1},   sum_m w_m o_m**{d} = {sympy.factorial(d)}.",
            f"With n <= {d} taps, the first n conditions form a square Vandermonde system",
            "V w = 0 with det V = prod_(i<j) (o_j - o_i) != 0, so w = 0 and the last condition",
            f"reads 0 = {sympy.factorial(d)}: impossible. With n = {d + 1} taps the system is square and",
            f"invertible, so exactly one kernel exists: at least {d + 1} taps are needed and enough.",
        ])

    def __str__(self):
        lines = [f"min_kernel_size({self.order}) = {self.size}", self.text, "checks:"]
        for claim, status, reason in self.checks:
            lines.append(f"  [{status}] {claim} ({reason})")
        return "\n".join(lines)

    __repr__ = __str__

    def _system_rows(self):
        """The two aligned rows: ``V w &= rhs`` and ``\\det V &= ...``."""
        w = sympy.Matrix(self.unknowns)
        return (f"{sympy.latex(self.vandermonde)} {sympy.latex(w)} &= {sympy.latex(self.rhs)}",
                f"\\det V &= {sympy.latex(self.determinant)}")

    def _repr_latex_(self):
        # MathJax renders aligned inside display math (align* is a document environment)
        system, det = self._system_rows()
        return "$$\\begin{aligned}" + system + "\\\\" + det + "\\end{aligned}$$"

    def latex(self):
        """The moment system and its determinant as a LaTeX ``align*`` block."""
        system, det = self._system_rows()
        return "\\begin{align*}\n" + system + "\\\\\n" + det + "\n\\end{align*}"

    def __explain__(self, check=True):
        """The lines :func:`symconv.explain` prints for this object."""
        return _min_size(self, check)


def min_kernel_size(order, explain=False):
    """Fewest taps of a kernel that computes a derivative of the given order: ``order + 1``.

    A ``d``-th derivative needs ``d + 1`` taps: the weights must annihilate the ``d``
    polynomials ``1, x, ..., x^(d-1)`` and map ``x^d`` to ``d!``, which is ``d + 1``
    linear conditions. With ``n <= d`` taps the first ``n`` conditions are a homogeneous
    square Vandermonde system whose determinant ``prod (o_j - o_i)`` is non-zero, forcing
    all weights to 0 and violating the last condition; ``d + 1`` taps make the system
    square and uniquely solvable.

    Parameters
    ----------
    order : int
        Derivative order ``d >= 1``.
    explain : bool, default False
        Return a :class:`MinSizeArgument` (the derivation with its symbolic checks)
        instead of the int.

    Examples
    --------
    >>> min_kernel_size(2)
    3
    >>> arg = min_kernel_size(2, explain=True)
    >>> arg.vandermonde
    Matrix([
    [    1,     1,     1],
    [   o0,    o1,    o2],
    [o0**2, o1**2, o2**2]])
    >>> arg.determinant
    (-o0 + o1)*(-o0 + o2)*(-o1 + o2)
    >>> [status for _claim, status, _reason in arg.checks]
    ['proven', 'proven', 'proven']
    >>> arg.weights
    [1, -2, 1]
    """
    order = as_int(order, "order", 1)
    if explain:
        return MinSizeArgument(order)
    return order + 1


# ---------------------------------------------------------------------------
# explain(): what these results say about how they were obtained and checked
# ---------------------------------------------------------------------------

def _kernel(kernel, check):
    offsets = kernel.offsets[0] if kernel.ndim == 1 else kernel.offsets
    out = [f"kernel: {kernel.name} ({kernel.form} form)",
           f"  weights {kernel.tolist()} at offsets {offsets}",
           f"  approximates {_short(kernel.approximates)}"]
    out += _wrap("obtained: exact weights from symconv.nn.kernels (Taylor expansion: exactness on "
                 "polynomials is a Vandermonde system, solved exactly; Fornberg's recursion "
                 "for derivatives).")
    if kernel.statement:
        out += _wrap(f"use: {kernel.statement}", "  ", "    ")
    if not check:
        out += _wrap(f"verified: NOT checked here; kernel.verify() checks exactness up to "
                     f"degree {kernel.exact_degree} and the error order O(h**{kernel.order}).")
        return out
    return out + _kernel_report_lines(kernel.verify())


def _kernel_report_lines(report):
    verdict = "ok" if report.ok else "FAILED"
    out = [f"verified ({verdict}) by Kernel.verify():"]
    for line in str(report).splitlines()[1:]:
        body = line.lstrip(" ")
        indent = " " * (len(line) - len(body))
        out += _wrap(body, indent, indent + "  ")
    out += _wrap("meaning: exactness is proven symbolically (identically in the point and "
                 "in h); the convergence order is measured numerically with 50-digit "
                 "arithmetic and compared with the order predicted by the leading error term.")
    return out


def _kernel_report(report, check):
    return [f"kernel verification: {report.kernel}"] + _kernel_report_lines(report)


def _min_size(arg, check):
    out = [f"minimum kernel size for a derivative of order {arg.order}: {arg.size} taps",
           *_wrap("obtained: symconv.nn.kernels.min_kernel_size; the argument is the moment "
                  "system sum_m w_m o_m**j (j = 0..d), a Vandermonde system:"),
           *("  " + line for line in arg.text.splitlines()),
           "verified:"]
    for claim, status, reason in arg.checks:
        out += _wrap(f"[{status}] {claim} ({reason})", "  ", "    ")
    statuses = {status for _c, status, _r in arg.checks}
    if "proven" in statuses:
        out += _wrap(f"proven: established symbolically by SymPy for this order (d = "
                     f"{arg.order}), with symbolic offsets.", "", "  ")
    if "confirmed" in statuses:
        out += _wrap("confirmed: too large to expand symbolically; checked on random sets of "
                     "distinct integer offsets (seed 0) only.", "", "  ")
    if statuses & {"refuted", "unverified"}:
        out += _wrap("refuted/unverified: the claim failed or could not be checked; the "
                     "argument does not stand as given.", "", "  ")
    return out
