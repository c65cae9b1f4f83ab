"""The instances of a numeric check: random finite sequences (discrete), random smooth
rapidly decaying functions (continuous), values of the free symbols inside their facts and
the stated setting (:data:`DOMAIN`), and the :class:`_Instance` that holds them and turns
into a :class:`~symconv.proofs.report.Counterexample`. :mod:`~symconv.proofs.numeric`
evaluates the two sides of a step on them.
"""

import contextvars
import math

import numpy as np
import sympy as sp
from sympy import Add, Dummy, Lambda, Symbol

from symconv.proofs.report import Counterexample


class _Unsupported(Exception):
    """The numeric evaluator cannot evaluate this expression."""


class _Sequence:
    """A random finite sequence (any number of indices), zero outside its box."""

    def __init__(self, name, values, origin):
        self.name = name
        self.values = np.asarray(values, dtype=float)
        self.origin = tuple(origin)

    def __call__(self, *idx):
        if len(idx) != self.values.ndim:
            raise _Unsupported(f"{self.name} takes {self.values.ndim} index(es)")
        out_mask = None
        cells = []
        for axis, i in enumerate(idx):
            i = np.real(np.asarray(i))
            r = np.rint(i)
            if np.any(np.abs(i - r) > 1e-9):
                raise _Unsupported(f"the sequence {self.name} was evaluated at a non-integer index")
            pos = r.astype(np.int64) - self.origin[axis]
            ok = (pos >= 0) & (pos < self.values.shape[axis])
            out_mask = ok if out_mask is None else out_mask & ok
            cells.append(pos)
        cells = np.broadcast_arrays(*cells, out_mask)
        mask = cells[-1]
        safe = [np.where(mask, c, 0) for c in cells[:-1]]
        return np.where(mask, self.values[tuple(safe)], 0.0)

    def support(self):
        return [(o, o + n - 1) for o, n in zip(self.origin, self.values.shape)]

    def data(self):
        return self.origin, _nested_tuple(self.values.astype(int).tolist())

    def describe(self):
        # the sequence's own index names (i, j, ...), not a symbol of the step such as n
        idx = ", ".join("ijlm"[i] for i in range(self.values.ndim))
        if self.values.ndim == 1:
            vals = [int(v) for v in self.values]
            lo = self.origin[0]
            return (f"[{', '.join(map(str, vals))}] at i = {lo}..{lo + len(vals) - 1} "
                    "(0 elsewhere)")
        vals = self.values.astype(int).tolist()
        ranges = ", ".join(f"{o}..{o + n - 1}" for o, n in zip(self.origin, self.values.shape))
        return f"{vals} at ({idx}) in ({ranges}) (0 elsewhere)"


class _Smooth:
    """A random smooth, rapidly decaying function: a sum of Gaussian bumps times
    linear polynomials, with rational coefficients (so it can be reproduced)."""

    def __init__(self, name, expr, xs, radius):
        self.name = name
        self.expr = expr
        self.xs = xs
        self.radius = radius
        self._cache = {}

    def derivative(self, orders):
        orders = tuple(orders)
        if orders not in self._cache:
            e = self.expr
            for x, k in zip(self.xs, orders):
                if k:
                    e = sp.diff(e, x, k)
            self._cache[orders] = sp.lambdify(self.xs, e, "numpy")
        return self._cache[orders]

    def __call__(self, *args):
        return self.derivative((0,) * len(self.xs))(*args)

    def support(self):
        return [(-self.radius, self.radius)] * len(self.xs)

    def data(self):
        return Lambda(self.xs, self.expr)

    def describe(self):
        names = ("x", "y", "z", "w")[:len(self.xs)]
        shown = self.expr.xreplace({x: Symbol(n) for x, n in zip(self.xs, names)})
        return f"({', '.join(names)}) -> {shown}"


def _nested_tuple(values):
    return tuple(_nested_tuple(v) for v in values) if isinstance(values, list) else values


def _random_sequence(rng, name, arity):
    """A finite sequence with distinct nonzero integer values (so that a term counted
    twice, or one missing, changes the total): 1-D of length 2..7 starting in -3..2,
    N-D of 1..3 entries per axis."""
    if arity == 1:
        shape = (int(rng.integers(2, 8)),)
    else:
        shape = tuple(int(rng.integers(1, 4)) for _ in range(arity))
    origin = tuple(int(rng.integers(-3, 3)) for _ in range(arity))
    size = int(np.prod(shape))
    pool = np.array([v for v in range(-12, 13) if v])
    values = rng.choice(pool, size=size, replace=size > len(pool)).reshape(shape)
    return _Sequence(name, values, origin)


def _random_smooth(rng, name, arity):
    xs = tuple(Dummy(f"x{i}", real=True) for i in range(arity))
    terms = []
    max_c, min_alpha = 0, 10
    for _ in range(int(rng.integers(1, 3)) + 1):
        a = sp.Rational(int(rng.choice([-6, -5, -4, -3, -2, 2, 3, 4, 5, 6])), 4)
        b = sp.Rational(int(rng.integers(-3, 4)), 4)
        cs = [sp.Rational(int(rng.integers(-4, 5)), 4) for _ in xs]
        alphas = [sp.Rational(int(rng.integers(4, 11)), 4) for _ in xs]
        max_c = max([max_c] + [abs(float(c)) for c in cs])
        min_alpha = min([min_alpha] + [float(al) for al in alphas])
        expo = -sum(al * (x - c) ** 2 for al, x, c in zip(alphas, xs, cs))
        terms.append(a * (1 + b * (xs[0] - cs[0])) * sp.exp(expo))
    radius = max_c + math.sqrt(42.0 / min_alpha)
    return _Smooth(name, Add(*terms), xs, radius)


# the stated setting of a check (``check_proof(..., assume="n >= 0, s >= 1")``): Symbol ->
# name -> (lowest, highest) value, None for no bound; set by check_step/check_proof for
# the duration of a check
DOMAIN = contextvars.ContextVar("symconv_proof_domain", default=None)


def _bounds(sym):
    """(lo, hi) of an integer symbol from its SymPy facts and the stated domain."""
    lo = hi = None
    if sym.is_positive:
        lo = 1
    elif sym.is_nonnegative:
        lo = 0
    if sym.is_negative:
        hi = -1
    elif sym.is_nonpositive:
        hi = 0
    stated = (DOMAIN.get() or {}).get(sym.name)
    if stated is not None:
        if stated[0] is not None:
            lo = stated[0] if lo is None else max(lo, stated[0])
        if stated[1] is not None:
            hi = stated[1] if hi is None else min(hi, stated[1])
    return lo, hi


def _small_values(sym, span=14):
    """The small integer values tried for an integer symbol: 0, 1, -1, 2, ... inside its
    domain (the edges of the domain first)."""
    lo, hi = _bounds(sym)
    order = [0, 1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 6, -6, 7, 8, 9, 10, 11, 12]
    if lo is not None:
        order = [lo, lo + 1, lo + 2] + order + [lo + i for i in range(3, span)]
    if hi is not None:
        order = [hi, hi - 1] + order + [hi - i for i in range(2, span)]
    out = []
    for v in order:
        if (lo is None or v >= lo) and (hi is None or v <= hi) and v not in out:
            out.append(v)
    return out[:span]


def _random_value(rng, sym):
    """A random value for a free symbol, respecting its assumptions and the stated domain."""
    if sym.is_integer:
        lo, hi = _bounds(sym)
        # small: sums over infinite ranges are truncated at |index| = 12
        a = lo if lo is not None else (hi - 5 if hi is not None else -4)
        b = hi if hi is not None else a + 5
        return sp.Integer(int(rng.integers(a, b + 1)))
    stated = (DOMAIN.get() or {}).get(sym.name)
    if stated is not None and stated[0] is not None:
        return sp.Rational(stated[0]) + sp.Rational(int(rng.integers(1, 17)), 8)
    if stated is not None and stated[1] is not None:
        return sp.Rational(stated[1]) - sp.Rational(int(rng.integers(1, 17)), 8)
    if sym.is_positive:
        return sp.Rational(int(rng.integers(2, 17)), 8)
    if sym.is_nonnegative:
        return sp.Rational(int(rng.integers(0, 17)), 8)
    if sym.is_negative:
        return -sp.Rational(int(rng.integers(2, 17)), 8)
    return sp.Rational(int(rng.choice([i for i in range(-16, 17) if i])), 8)


class _Instance:
    def __init__(self, symbols, functions, seed):
        self.symbols = symbols          # Symbol -> SymPy number
        self.functions = functions      # name -> _Sequence | _Smooth
        self.seed = seed

    def counterexample(self, lhs, rhs):
        syms = tuple((str(s), v) for s, v in sorted(self.symbols.items(), key=lambda kv: str(kv[0])))
        funcs = tuple((name, fn.describe()) for name, fn in sorted(self.functions.items()))
        data = tuple((name, fn.data()) for name, fn in sorted(self.functions.items()))
        return Counterexample(syms, funcs, lhs, rhs, self.seed, data)


def _free_sign(sym):
    """True when nothing fixes the sign of ``sym`` (no sign fact, no stated bound)."""
    stated = (DOMAIN.get() or {}).get(sym.name)
    return (sym.is_positive is None and sym.is_nonnegative is None and sym.is_negative is None
            and sym.is_nonpositive is None and (stated is None or stated == (None, None)))


def _both_signs(values, first, index):
    """Continuous instances give every symbol of free sign both signs: instance 1 has the
    signs of instance 0 reversed, instance 2 those of every other symbol (a step true
    only for t > 0, such as a delta sifted over [0, oo), is not confirmed on three
    positive draws). ``values`` is changed in place; returns instance 0's values."""
    if index == 0 or first is None:
        return dict(values)
    for j, (sym, value) in enumerate(sorted(values.items(), key=lambda kv: str(kv[0]))):
        if index > 2 or not _free_sign(sym) or sym not in first or first[sym] == 0:
            continue
        flip = index == 1 or j % 2 == 1
        sign = -1 if (first[sym] > 0) == flip else 1
        values[sym] = sign * abs(value)
    return first
