"""Tests of symconv.signals: values, discrete/continuous choice, reversal and delay."""

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from symconv.errors import SymconvError
from symconv.signals import delta, flip, ramp, rect, shift, tri, u

t = sp.Symbol("t", real=True)
n = sp.Symbol("n", integer=True)
T = sp.Symbol("T", positive=True)
half = sp.Rational(1, 2)


def values(expr, var, points):
    fn = sp.lambdify(var, expr, modules="numpy")
    return np.array([float(fn(p)) for p in points])


def test_step_continuous_and_discrete():
    assert u(t) == sp.Heaviside(t)
    assert u(n) == sp.Heaviside(n, 1)
    assert u(n - 3) == sp.Heaviside(n - 3, 1)          # integer-valued argument
    assert [u(n).subs(n, k) for k in (-2, -1, 0, 1, 2)] == [0, 0, 1, 1, 1]
    assert [u(t).subs(t, v) for v in (-1, 0, 1)] == [0, half, 1]
    assert u(t / 2 + 1) == sp.Heaviside(t / 2 + 1)       # not integer: continuous


def test_impulse_continuous_and_discrete():
    assert delta(t - 1) == sp.DiracDelta(t - 1)
    assert delta(n - 1) == sp.KroneckerDelta(n - 1, 0)
    assert [delta(n).subs(n, k) for k in (-1, 0, 1)] == [0, 1, 0]
    assert sp.integrate(delta(t - 2) * sp.exp(t), (t, -sp.oo, sp.oo)) == sp.exp(2)


def test_numbers_are_accepted():
    # an integer number is integer-valued, hence the discrete step: u[0] = 1
    assert u(0) == 1 and u(sp.Integer(0)) == sp.Heaviside(0, 1)
    assert u(half) == 1 and u(-half) == 0
    assert delta(0) == 1 and delta(2) == 0              # Kronecker
    assert rect(0) == 1 and tri(0) == 1


def test_rect_values_edges_area_and_width():
    pts = [-0.75, -0.5, -0.25, 0.0, 0.25, 0.5, 0.75]
    assert list(values(rect(t), t, pts)) == [0, 0.5, 1, 1, 1, 0.5, 0]
    assert sp.integrate(rect(t), (t, -sp.oo, sp.oo)) == 1
    assert sp.integrate(rect(t / 3), (t, -sp.oo, sp.oo)) == 3
    assert rect(t).subs(t, half) == half


def test_tri_values_and_area():
    grid = np.linspace(-2, 2, 81)
    np.testing.assert_allclose(values(tri(t), t, grid), np.maximum(1 - np.abs(grid), 0), atol=1e-15)
    assert sp.integrate(tri(t), (t, -sp.oo, sp.oo)) == 1
    assert tri(t).subs(t, 1) == 0 and tri(t).subs(t, -1) == 0


def test_ramp():
    assert ramp(t) == t * sp.Heaviside(t)
    assert ramp(n) == n * sp.Heaviside(n, 1)
    assert [ramp(t).subs(t, v) for v in (-2, 0, 3)] == [0, 0, 3]
    assert sp.diff(ramp(t), t).subs(t, 2) == 1


def test_flip_and_shift():
    f = sp.exp(-t) * u(t)
    assert flip(f, t) == sp.exp(t) * sp.Heaviside(-t)
    assert flip(flip(f, t), t) == f
    assert shift(f, t, 2) == sp.exp(2 - t) * sp.Heaviside(t - 2)
    assert shift(shift(f, t, 2), t, -2) == f
    assert flip(u(n - 1), n) == sp.Heaviside(-n - 1, 1)
    assert shift(delta(n), n, 3) == sp.KroneckerDelta(n - 3, 0)


@given(st.integers(-5, 5), st.integers(-5, 5), st.integers(-20, 20))
def test_shift_and_flip_move_values(s1, s2, x):
    f = tri(t / 3) + sp.Rational(1, 3) * rect(t - 1)
    x = sp.Rational(x, 4)
    assert shift(f, t, s1).subs(t, x) == f.subs(t, x - s1)
    assert shift(shift(f, t, s1), t, s2) .subs(t, x) == shift(f, t, s1 + s2).subs(t, x)
    assert flip(f, t).subs(t, x) == f.subs(t, -x)
    # reversing a delayed signal = advancing the reversed one
    assert flip(shift(f, t, s1), t).subs(t, x) == shift(flip(f, t), t, -s1).subs(t, x)


def test_plain_sympy_equivalents():
    pw = sp.Piecewise((1, sp.Abs(t) < half), (0, True))
    grid = np.linspace(-1.3, 1.3, 27) + 0.01
    np.testing.assert_array_equal(values(rect(t), t, grid), values(pw, t, grid))
    mx = sp.Max(1 - sp.Abs(t), 0)
    np.testing.assert_allclose(values(tri(t), t, grid), values(mx, t, grid))


def test_text_is_refused_and_var_must_be_a_symbol():
    with pytest.raises(SymconvError, match="must be a SymPy expression"):
        u("t")
    with pytest.raises(SymconvError, match="must be a SymPy expression"):
        rect([1, 2])
    with pytest.raises(SymconvError, match="must be a SymPy Symbol"):
        flip(u(t), t + 1)
    with pytest.raises(SymconvError, match="must not depend on t"):
        shift(u(t), t, t)
    with pytest.raises(SymconvError, match="must be a SymPy expression"):
        tri(sp.Eq(t, 1))
