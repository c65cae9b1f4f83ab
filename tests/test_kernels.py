"""Tests for symconv.nn.kernels: weights, orientation, exactness, convergence, image effects.

Weights are checked against an independent solve of the Taylor (Vandermonde) moment
conditions and textbook tables; applications against NumPy/SciPy (``numpy.correlate``,
``numpy.convolve``, ``scipy.ndimage``, ``scipy.integrate``) and the NumPy executor.
"""

import math
from fractions import Fraction

import numpy as np
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st
from scipy import integrate, ndimage
from sympy import Rational

import symconv.numeric as sn
from symconv.errors import SymconvError
from symconv.nn.kernels import (
    Kernel, derivative_kernel, directional_derivative_kernel, edge_images, image_kernel,
    integral_kernel, laplacian_kernel, min_kernel_size, mixed_partial_kernel, scharr_kernel,
    sobel_kernel, verify_kernel)
from symconv.nn.matrix import conv_matrix

R = Rational


def moment_weights(order, points):
    """Solve sum_m w_m o_m**j = order! [j == order], j = 0..n-1, directly (no Fornberg)."""
    n = len(points)
    V = sympy.Matrix(n, n, lambda j, m: sympy.Integer(points[m]) ** j)
    rhs = sympy.Matrix([math.factorial(order) if j == order else 0 for j in range(n)])
    return list(V.LUsolve(rhs))


# ---------------------------------------------------------------------------
# weights
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("order, accuracy, expected", [
    (1, 2, [R(-1, 2), 0, R(1, 2)]),
    (1, 4, [R(1, 12), R(-2, 3), 0, R(2, 3), R(-1, 12)]),
    (2, 2, [1, -2, 1]),
    (2, 4, [R(-1, 12), R(4, 3), R(-5, 2), R(4, 3), R(-1, 12)]),
    (3, 2, [R(-1, 2), 1, 0, -1, R(1, 2)]),
    (4, 2, [1, -4, 6, -4, 1]),
])
def test_central_weights_match_the_textbook_table(order, accuracy, expected):
    assert derivative_kernel(order, accuracy).tolist() == expected


@given(st.integers(1, 4), st.integers(1, 4), st.sampled_from(["central", "forward", "backward"]))
def test_weights_solve_the_moment_system(order, accuracy, kind):
    if kind == "central" and accuracy % 2:
        with pytest.raises(SymconvError, match="even"):
            derivative_kernel(order, accuracy, offsets=kind)
        return
    k = derivative_kernel(order, accuracy, offsets=kind)
    points = list(k.offsets[0])
    assert k.tolist() == moment_weights(order, points)
    assert k.order == accuracy


@given(st.integers(1, 4), st.sets(st.integers(-6, 6), min_size=2, max_size=7), st.data())
def test_arbitrary_offsets_are_exact_on_random_polynomials(order, offsets, data):
    offsets = sorted(offsets)
    if len(offsets) < order + 1:
        with pytest.raises(SymconvError, match="min_kernel_size"):
            derivative_kernel(order, offsets=offsets)
        return
    k = derivative_kernel(order, offsets=offsets)
    # a random polynomial of degree n - 1 at a random rational point, exact arithmetic
    coeffs = data.draw(st.lists(st.integers(-9, 9), min_size=len(offsets), max_size=len(offsets)))
    x0 = Fraction(data.draw(st.integers(-20, 20)), data.draw(st.integers(1, 7)))
    poly = lambda t: sum(c * t ** j for j, c in enumerate(coeffs))  # noqa: E731
    deriv = sum(c * math.perm(j, order) * x0 ** (j - order)
                for j, c in enumerate(coeffs) if j >= order)
    weights = dict(zip(range(min(offsets), max(offsets) + 1), k.tolist()))
    approx = sum(Fraction(int(w.p), int(w.q)) * poly(x0 + o) for o, w in weights.items())
    assert approx == deriv


def test_spacing_scales_the_weights():
    h = sympy.Symbol("h", positive=True)
    assert derivative_kernel(2, spacing=h).tolist() == [1 / h ** 2, -2 / h ** 2, 1 / h ** 2]
    assert derivative_kernel(1, spacing=R(1, 10)).tolist() == [-5, 0, 5]
    assert integral_kernel("trapezoid", spacing=h).tolist() == [h / 2, h / 2]


# ---------------------------------------------------------------------------
# orientation
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("kernel", [
    derivative_kernel(1), derivative_kernel(3), derivative_kernel(1, offsets="forward"),
    derivative_kernel(2, offsets=[-3, 0, 1]), integral_kernel("trapezoid", 3),
    integral_kernel("running_sum", 4)])
def test_conv_form_is_the_flip_and_computes_the_same(kernel):
    corr, conv = kernel.as_form("corr"), kernel.as_form("conv")
    assert conv.tolist() == corr.tolist()[::-1]
    assert conv.offsets[0] == tuple(-o for o in reversed(corr.offsets[0]))
    rng = np.random.default_rng(0)
    signal = rng.integers(-9, 10, 12)
    w_corr = np.array([float(v) for v in corr.tolist()])
    w_conv = np.array([float(v) for v in conv.tolist()])
    # numpy's own definitions: correlate with the corr array == convolve with the conv array
    assert np.allclose(np.correlate(signal, w_corr, "valid"), np.convolve(signal, w_conv, "valid"))
    exact = [float(v) for v in corr.apply(signal.tolist())]
    assert np.allclose(exact, np.correlate(signal, w_corr, "valid"))
    assert corr.apply(signal.tolist()) == conv.apply(signal.tolist())


def test_odd_derivative_flips_sign_between_forms():
    assert derivative_kernel(1, form="conv").tolist() == [R(1, 2), 0, R(-1, 2)]
    assert derivative_kernel(2, form="conv").tolist() == derivative_kernel(2).tolist()
    # the central first difference of n**2 is 2n at the window centre, in both forms
    samples = [n ** 2 for n in range(6)]
    assert derivative_kernel(1).apply(samples) == [2, 4, 6, 8]
    assert derivative_kernel(1, form="conv").apply(samples) == [2, 4, 6, 8]


def test_kernel_objects_feed_the_matrix_builder():
    k = derivative_kernel(2)
    assert conv_matrix(k, 4) == conv_matrix([1, -2, 1], 4)
    # a conv-form kernel still yields the matrix of the operation it approximates
    d1 = conv_matrix(derivative_kernel(1, form="conv"), 5)
    assert list(d1 * sympy.Matrix([n ** 2 for n in range(5)])) == [2, 4, 6]
    f = sympy.Function("f")
    assert k.stencil().subs(sympy.Symbol("x", real=True), 0) == f(-1) - 2 * f(0) + f(1)


# ---------------------------------------------------------------------------
# N-d kernels
# ---------------------------------------------------------------------------

def test_laplacian_is_the_sum_of_axis_second_differences():
    L = laplacian_kernel(dims=3, accuracy=4)
    d2 = derivative_kernel(2, accuracy=4).tolist()
    W = np.array(L.tolist(), dtype=object)
    expected = np.zeros((5, 5, 5), dtype=object)
    for axis in range(3):
        idx = [2, 2, 2]
        for m in range(5):
            idx[axis] = m
            expected[tuple(idx)] += d2[m]
    assert (W == expected).all()
    # exact on a quadratic image: Laplacian of x0**2 + 3*x1**2 is 8
    img = sympy.Matrix(5, 6, lambda i, j: i ** 2 + 3 * j ** 2)
    assert laplacian_kernel().apply(img) == sympy.Matrix(3, 4, lambda i, j: 8)


def test_mixed_partial_is_exact_on_its_monomial():
    k = mixed_partial_kernel((1, 2))
    img = sympy.Matrix(6, 6, lambda i, j: i * j ** 2 + i ** 2 * j)   # d/dx0 d^2/dx1^2 = 2
    assert k.apply(img) == sympy.Matrix(4, 4, lambda i, j: 2)
    assert k.tolist() == (sympy.Matrix([R(-1, 2), 0, R(1, 2)]) * sympy.Matrix([[1, -2, 1]])).tolist()


def test_directional_derivative_ignores_edges_parallel_to_v():
    images = edge_images()
    along_rows = directional_derivative_kernel((0, 1))
    assert along_rows.tolist() == [[0, 0, 0], [R(-1, 2), 0, R(1, 2)], [0, 0, 0]]
    assert not along_rows.apply(images["vertical"]).is_zero_matrix
    assert along_rows.apply(images["horizontal"]).is_zero_matrix
    diag = directional_derivative_kernel((1, 1))      # along the diagonal edge: no response
    assert diag.apply(images["diagonal"]).is_zero_matrix
    across = directional_derivative_kernel((1, -1))   # across it: a response on the edge
    assert not across.apply(images["diagonal"]).is_zero_matrix
    with pytest.raises(SymconvError, match="non-zero"):
        directional_derivative_kernel((0, 0))


def test_sobel_and_scharr_are_smoothed_derivatives_matching_scipy():
    assert sobel_kernel().tolist() == (sympy.Matrix([1, 2, 1]) * sympy.Matrix([[-1, 0, 1]])).tolist()
    assert scharr_kernel(axis=0).tolist() == (sympy.Matrix([-1, 0, 1]) * sympy.Matrix([[3, 10, 3]])).tolist()
    rng = np.random.default_rng(5)
    img = rng.integers(0, 10, (6, 7))
    for axis in (0, 1):
        ours = np.array(sobel_kernel(axis=axis).apply(img.tolist()).tolist(), dtype=float)
        theirs = ndimage.sobel(img.astype(float), axis=axis)[1:-1, 1:-1]
        assert np.array_equal(ours, theirs)
    assert sobel_kernel(dims=3, axis=0).shape == (3, 3, 3)


def test_image_kernels_agree_with_the_numeric_correlate():
    images = edge_images()
    for name in ("box_blur", "gaussian_blur", "vertical_edge", "horizontal_edge",
                 "diagonal_edge", "antidiagonal_edge", "laplacian", "sharpen"):
        k = image_kernel(name)
        for img in images.values():
            exact = np.array(k.apply(img).tolist(), dtype=float)
            numeric = sn.correlate(np.array(img.tolist(), dtype=float), k.to_numpy(), mode="valid")
            assert np.allclose(exact, numeric), name


def test_edge_detector_effects_on_the_textbook_images():
    images = edge_images()
    vertical = image_kernel("vertical_edge")
    out = vertical.apply(images["vertical"])
    assert out.shape == (6, 7)
    assert all(list(out.row(i)) == [0, 1, 0, 0, 0, -1, 0] for i in range(6))
    assert vertical.apply(images["horizontal"]).is_zero_matrix
    # the transposed kernel finds the transposed edges
    assert image_kernel("horizontal_edge").apply(images["horizontal"]) == out.T
    # a diagonal edge answers to both axis-aligned detectors, on the diagonal only
    d = vertical.apply(images["diagonal"])
    assert {(i, j) for i in range(5) for j in range(4) if d[i, j] != 0} == {(i, i - 1) for i in range(1, 5)}
    assert image_kernel("antidiagonal_edge").apply(images["diagonal"]).is_zero_matrix


# ---------------------------------------------------------------------------
# integrals
# ---------------------------------------------------------------------------

def test_running_sum_convolution_is_the_cumulative_sum():
    x = [3, -1, 4, 1, -5, 9]
    k = integral_kernel("running_sum", cells=len(x), form="conv")
    assert k.apply(x, padding=[(len(x) - 1, 0)]) == np.cumsum(x).tolist()
    assert integral_kernel("running_sum", 2).apply(x) == [2, 3, 5, -4, 4]


@pytest.mark.parametrize("cells", [2, 4, 6])
def test_quadrature_kernels_match_scipy_and_exact_integrals(cells):
    xs = np.linspace(0.0, 1.0, cells + 1)
    y = np.exp(xs) * np.cos(3 * xs)
    h = 1.0 / cells
    simpson = float(integral_kernel("simpson", cells, spacing=R(1, cells)).apply(y.tolist())[0])
    assert simpson == pytest.approx(integrate.simpson(y, dx=h), rel=1e-12)
    trap = float(integral_kernel("trapezoid", cells, spacing=R(1, cells)).apply(y.tolist())[0])
    assert trap == pytest.approx(np.trapezoid(y, dx=h), rel=1e-12)
    # Simpson is exact on cubics: the integral of t**3 - 2t over [0, 1] is -3/4
    cubic = [R(i, cells) ** 3 - 2 * R(i, cells) for i in range(cells + 1)]
    assert integral_kernel("simpson", cells, spacing=R(1, cells)).apply(cubic) == [R(-3, 4)]


def test_integral_kernel_errors():
    with pytest.raises(SymconvError, match="even number of cells"):
        integral_kernel("simpson", 3)
    with pytest.raises(SymconvError, match="rule must be one of"):
        integral_kernel("gauss")


# ---------------------------------------------------------------------------
# verification reports
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("kernel, degree, order", [
    (derivative_kernel(1), 2, 2),
    (derivative_kernel(1, accuracy=6), 6, 6),
    (derivative_kernel(2, accuracy=4), 5, 4),
    (derivative_kernel(3), 4, 2),
    (derivative_kernel(1, accuracy=2, offsets="forward"), 2, 2),
    (derivative_kernel(2, offsets=[-1, 0, 2]), 2, 1),
    (laplacian_kernel(), 3, 2),
    (mixed_partial_kernel((1, 1)), 3, 2),
    (directional_derivative_kernel((1, 2)), 2, 2),
    (sobel_kernel(normalized=True), 2, 2),
    (integral_kernel("rectangle"), 0, 2),
    (integral_kernel("trapezoid", 2), 1, 3),
    (integral_kernel("simpson"), 3, 5),
    (integral_kernel("running_sum"), 0, 1),
    (image_kernel("gaussian_blur"), 1, 2),
    (image_kernel("vertical_edge"), 1, 2),
    (image_kernel("sharpen"), 3, 4),
])
def test_verification_reports_exactness_and_convergence(kernel, degree, order):
    report = kernel.verify()
    assert report.ok, str(report)
    assert report.exact_degree == degree
    assert report.predicted_order == order
    assert abs(report.measured_order - order) < 0.3
    # the failing monomial really is not reproduced, checked here independently
    assert report.failing_monomial is not None
    assert sympy.total_degree(report.failing_monomial) == degree + 1
    assert "verdict: ok" in str(report)


def test_superconvergent_symmetric_offsets_are_reported_as_achieved():
    # three symmetric points promise degree 2 / order 1 for f'' but achieve 3 / 2
    report = derivative_kernel(2, offsets=[-1, 0, 1]).verify()
    assert report.promised_degree == 2 and report.exact_degree == 3
    assert report.promised_order == 1 and report.predicted_order == 2
    assert report.ok


def test_leading_error_terms():
    x = sympy.Symbol("x", real=True)
    f = sympy.Function("f")(x)
    h = sympy.Symbol("h", positive=True)
    assert derivative_kernel(1).verify().leading_error == h ** 2 * sympy.Derivative(f, (x, 3)) / 6
    # trapezoid minus integral over one cell: + h**3 f''/12 (the classic error term)
    assert integral_kernel("trapezoid").verify().leading_error == h ** 3 * sympy.Derivative(f, (x, 2)) / 12
    assert integral_kernel("simpson").verify().leading_error == h ** 5 * sympy.Derivative(f, (x, 4)) / 90


def test_a_wrong_kernel_fails_its_verification():
    good = derivative_kernel(2)
    # same promises, one weight perturbed: no longer exact on constants, order collapses
    bad = Kernel({(-1,): 1, (0,): -2, (1,): R(11, 10)}, [(-1, 1)], -2, good._target,
                 name="perturbed second difference", exact_degree=3)
    report = verify_kernel(bad)
    assert not report.ok
    assert report.exact_degree == -1 and report.failing_monomial == 1
    assert "FAILED" in str(report)
    # a correct kernel that promises too much is caught as well
    boastful = Kernel({(-1,): 1, (0,): -2, (1,): 1}, [(-1, 1)], -2, good._target,
                      name="over-promising second difference", exact_degree=5)
    assert not boastful.verify().ok


def test_convergence_on_a_user_function():
    x = sympy.Symbol("x", real=True)
    report = derivative_kernel(1, accuracy=4).verify(function=sympy.cos(2 * x) * sympy.exp(x / 3),
                                                     point=[R(1, 5)])
    assert report.ok and abs(report.measured_order - 4) < 0.3


# ---------------------------------------------------------------------------
# minimum size
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("order", [1, 2, 3, 4])
def test_min_kernel_size_argument_is_proven_symbolically(order):
    assert min_kernel_size(order) == order + 1
    arg = min_kernel_size(order, explain=True)
    assert int(arg) == order + 1
    assert [status for _c, status, _r in arg.checks] == ["proven"] * 3
    assert arg.weights == [(-1) ** (order - k) * math.comb(order, k) for k in range(order + 1)]
    assert "Vandermonde" in str(arg) and "\\det V" in arg.latex()


def test_min_kernel_size_large_order_is_confirmed_numerically():
    arg = min_kernel_size(6, explain=True)
    statuses = [status for _c, status, _r in arg.checks]
    assert statuses == ["confirmed", "confirmed", "proven"]


def test_fewer_taps_cannot_give_the_derivative():
    # independent of the library: with d taps the moment system of order d is inconsistent
    for d in (1, 2, 3):
        pts = list(range(d))
        V = sympy.Matrix(d + 1, d, lambda j, m: sympy.Integer(pts[m]) ** j)
        rhs = sympy.Matrix([0] * d + [math.factorial(d)])
        assert V.rank() < V.row_join(rhs).rank()
        with pytest.raises(SymconvError, match=f"at least {d + 1} distinct offsets"):
            derivative_kernel(d, offsets=pts)


@pytest.mark.parametrize("call, message", [
    (lambda: derivative_kernel(0), "order"),
    (lambda: derivative_kernel(1, accuracy=3), "even"),
    (lambda: derivative_kernel(1, offsets=[0, 0, 1]), "distinct"),
    (lambda: derivative_kernel(1, offsets="sideways"), "offsets must be one of"),
    (lambda: derivative_kernel(1, form="convolution"), "form must be one of"),
    (lambda: derivative_kernel(1, spacing="h"), "string"),
    (lambda: derivative_kernel(1, spacing=-1), "positive"),
    (lambda: derivative_kernel(1, dims=2, axis=2), "axis"),
    (lambda: image_kernel("emboss"), "name must be one of"),
    (lambda: image_kernel("box_blur", size=4), "odd"),
    (lambda: mixed_partial_kernel((0, 0)), "positive"),
    (lambda: min_kernel_size(0), "order"),
])
def test_errors(call, message):
    with pytest.raises(SymconvError, match=message.replace("(", r"\(")):
        call()


# ---------------------------------------------------------------------------
# command line
# ---------------------------------------------------------------------------

def run_cli(capsys, *argv):
    from symconv.cli import main

    status = main(["kernel", *argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_cli_derivative_with_verification(capsys):
    status, out, _ = run_cli(capsys, "derivative", "--order", "2", "--accuracy", "4")
    assert status == 0
    assert "weights: [-1/12, 4/3, -5/2, 4/3, -1/12]" in out
    assert "not exact on x**6" in out and "verdict: ok" in out


def test_cli_derivative_dims_and_integral(capsys):
    status, out, _ = run_cli(capsys, "derivative", "--order", "2", "--dims", "2", "--no-verify")
    assert status == 0
    assert "weights: [[1, -2, 1]]" in out and "weights: [[0, 1, 0], [1, -4, 1], [0, 1, 0]]" in out
    status, out, _ = run_cli(capsys, "integral", "--rule", "simpson", "--cells", "4")
    assert status == 0 and "weights: [1/3, 4/3, 2/3, 4/3, 1/3]" in out and "verdict: ok" in out


def test_cli_other_kinds(capsys):
    assert run_cli(capsys, "min-size", "--order", "3")[1].startswith("min_kernel_size(3) = 4")
    status, out, _ = run_cli(capsys, "image", "--name", "vertical_edge", "--demo", "--no-verify")
    assert status == 0 and "[0  1  0  0  0  -1  0]" in out
    status, out, _ = run_cli(capsys, "directional", "--direction", "sqrt(2)/2, sqrt(2)/2")
    assert status == 0 and "verdict: ok" in out
    status, out, _ = run_cli(capsys, "derivative", "--order", "1", "--spacing", "h", "--latex",
                             "--no-verify")
    assert status == 0 and "\\frac{f{\\left(h + x \\right)}}{2 h}" in out


@pytest.mark.parametrize("argv, message", [
    (("derivative", "--order", "1", "--offsets", "0"), "at least 2 distinct offsets"),
    (("derivative", "--order", "1", "--spacing", "__import__('os')"), "dunder"),
    (("derivative", "--order", "1", "--spacing", "-1"), "positive"),
    (("integral", "--rule", "simpson", "--cells", "3"), "even number"),
])
def test_cli_errors(capsys, argv, message):
    status, out, err = run_cli(capsys, *argv)
    assert status == 2 and message in err
