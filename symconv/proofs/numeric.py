"""Numeric confirmation: instances (:mod:`~symconv.proofs.instances`: random sequences,
smooth functions, symbol values) evaluated with NumPy, compared within a tolerance.
"""

import functools
import itertools
import math
import time

import numpy as np
import sympy as sp
from sympy import (Abs, Add, Derivative, DiracDelta, Heaviside,
                   Integral, KroneckerDelta, Mul, Piecewise, Pow, S, Subs,
                   Sum, Symbol, oo)
from sympy.core.function import AppliedUndef


from symconv.proofs.canon import _Canon, _Trace, _bound_vars, _bounded, _is_linear_in, _limit
from symconv.proofs.instances import (_Instance, _Smooth, _Unsupported, _both_signs,
                                      _random_sequence, _random_smooth, _random_value,
                                      _small_values)
from symconv.proofs.notation import _Pairing, _expand_notation
from symconv.proofs.report import StepCheck, _fmt_number


# ---------------------------------------------------------------------------
# numeric confirmation: instances evaluated with NumPy
# ---------------------------------------------------------------------------

_MAX_CELLS = 4_000_000


_NP_FUNCS = {
    sp.exp: np.exp, sp.log: np.log, sp.sin: np.sin, sp.cos: np.cos, sp.tan: np.tan,
    sp.sinh: np.sinh, sp.cosh: np.cosh, sp.tanh: np.tanh, sp.atan: np.arctan,
    sp.asin: np.arcsin, sp.acos: np.arccos,
    sp.re: np.real, sp.im: np.imag, sp.conjugate: np.conj,
    sp.sign: lambda x: np.sign(np.real(x)),
    sp.floor: lambda x: np.floor(np.real(x)), sp.ceiling: lambda x: np.ceil(np.real(x)),
}


@functools.lru_cache(maxsize=64)
def _gauss_legendre(m):
    """Nodes and weights of the m-point Gauss-Legendre rule on [-1, 1] (cached: the
    eigenvalue problem behind them costs more than most integrals)."""
    x, w = np.polynomial.legendre.leggauss(m)
    x.flags.writeable = False
    w.flags.writeable = False
    return x, w


def _peak(x):
    """The largest finite magnitude in ``x`` (0 when none is finite): the scale of an
    integrand or summand, not spoiled by an undefined value at one point of a batch."""
    x = np.abs(np.asarray(x))
    return float(np.max(x, initial=0.0, where=np.isfinite(x)))


def _lift(x, depth):
    x = np.asarray(x)
    if x.ndim < depth:
        x = x.reshape(x.shape + (1,) * (depth - x.ndim))
    return x


class _Evaluator:
    """Evaluates a SymPy expression on one instance with NumPy broadcasting: every
    bound variable of a Sum/Integral gets its own trailing array axis."""

    def __init__(self, instance, refine=1):
        self.inst = instance
        self.refine = refine
        self.default_reach = 12 * refine

    def value(self, expr):
        env = {s: np.asarray(complex(v)) for s, v in self.inst.symbols.items()}
        self.cells = 1
        out = np.asarray(self.ev(expr, env, 0))
        return complex(out.reshape(-1)[0]) if out.size else 0j

    # -- helpers -------------------------------------------------------------
    def real(self, expr, env, depth):
        return np.real(_lift(self.ev(expr, env, depth), depth))

    def ev(self, e, env, depth):
        if e.is_Number or e.is_NumberSymbol or e is sp.I:
            if e.is_infinite or e is sp.nan or e is sp.zoo:
                raise _Unsupported("an infinite value occurs outside a limit")
            return np.asarray(complex(e))
        if isinstance(e, Symbol):
            if e not in env:
                raise _Unsupported(f"the symbol {e} has no value")
            return _lift(env[e], depth)
        if isinstance(e, Add):
            total = 0
            for a in e.args:
                total = total + _lift(self.ev(a, env, depth), depth)
            return total
        if isinstance(e, Mul):
            total = 1
            for a in e.args:
                total = total * _lift(self.ev(a, env, depth), depth)
            return total
        if isinstance(e, Pow):
            base = _lift(self.ev(e.base, env, depth), depth).astype(complex)
            ex = e.exp
            if ex.is_Integer:
                with np.errstate(all="ignore"):
                    return base ** int(ex)
            expo = _lift(self.ev(ex, env, depth), depth)
            with np.errstate(all="ignore"):
                return np.power(base, expo)
        if isinstance(e, AppliedUndef):
            fn = self.inst.functions.get(e.func.__name__)
            if fn is None:
                raise _Unsupported(f"no instance for the function {e.func.__name__}")
            args = [np.real(_lift(self.ev(a, env, depth), depth)) for a in e.args]
            return _lift(np.asarray(fn(*args), dtype=complex), depth)
        if isinstance(e, Derivative):
            inner = e.expr
            if isinstance(inner, AppliedUndef) and all(isinstance(a, Symbol) for a in inner.args) \
                    and len(set(inner.args)) == len(inner.args):
                fn = self.inst.functions.get(inner.func.__name__)
                if not isinstance(fn, _Smooth):
                    raise _Unsupported(f"cannot differentiate the instance of {inner.func.__name__}")
                orders = [0] * len(inner.args)
                for v, k in e.variable_count:
                    if v not in inner.args:
                        return np.asarray(0j)
                    orders[inner.args.index(v)] += int(k)
                args = [np.real(_lift(self.ev(a, env, depth), depth)) for a in inner.args]
                return _lift(np.asarray(fn.derivative(orders)(*args), dtype=complex), depth)
            done = _bounded(lambda: e.doit(deep=False), 5)
            if done is None or done == e or (isinstance(done, Derivative) and done.expr == e.expr):
                raise _Unsupported("a derivative that could not be evaluated")
            return self.ev(done, env, depth)
        if isinstance(e, Subs):
            env2 = dict(env)
            for var, point in zip(e.variables, e.point):
                env2[var] = _lift(self.ev(point, env, depth), depth)
            return self.ev(e.expr, env2, depth)
        if isinstance(e, Sum):
            return self.sum(e, env, depth)
        if isinstance(e, Integral):
            return self.integral(e, env, depth)
        if isinstance(e, _Pairing):
            return self.ev(e.definition(), env, depth)
        if isinstance(e, KroneckerDelta):
            a = self.real(e.args[0], env, depth)
            b = self.real(e.args[1], env, depth)
            return (np.abs(a - b) < 1e-9).astype(complex)
        if isinstance(e, Heaviside):
            x = self.real(e.args[0], env, depth)
            h0 = 0.5
            if len(e.args) > 1 and e.args[1] is not None and e.args[1] != sp.nan:
                h0 = float(e.args[1])
            out = np.where(x > 0, 1.0, np.where(x < 0, 0.0, h0))
            return np.where(np.isnan(x), np.nan, out).astype(complex)
        if isinstance(e, Abs):
            return np.abs(_lift(self.ev(e.args[0], env, depth), depth)).astype(complex)
        if isinstance(e, (sp.Max, sp.Min)):
            vals = [self.real(a, env, depth) for a in e.args]
            op = np.maximum if isinstance(e, sp.Max) else np.minimum
            out = vals[0]
            for v in vals[1:]:
                out = op(out, v)
            return out.astype(complex)
        if isinstance(e, sp.Mod):
            a = self.real(e.args[0], env, depth)
            b = self.real(e.args[1], env, depth)
            return np.mod(a, b).astype(complex)
        if isinstance(e, Piecewise):
            result = None
            taken = None
            for expr_i, cond in e.args:
                c = self.cond(cond, env, depth)
                v = _lift(self.ev(expr_i, env, depth), depth)
                if result is None:
                    result, taken = np.where(c, v, np.nan), c
                else:
                    result = np.where(~taken & c, v, result)
                    taken = taken | c
            return result
        if isinstance(e, DiracDelta):
            raise _Unsupported("a Dirac delta cannot be evaluated pointwise")
        func = _NP_FUNCS.get(e.func)
        if func is not None and len(e.args) == 1:
            with np.errstate(all="ignore"):
                return np.asarray(func(_lift(self.ev(e.args[0], env, depth), depth)), dtype=complex)
        raise _Unsupported(f"cannot evaluate {type(e).__name__} numerically")

    def cond(self, c, env, depth):
        if c is S.true or c is True:
            return np.ones((1,) * depth, dtype=bool)
        if c is S.false or c is False:
            return np.zeros((1,) * depth, dtype=bool)
        if isinstance(c, sp.And):
            out = self.cond(c.args[0], env, depth)
            for a in c.args[1:]:
                out = out & self.cond(a, env, depth)
            return out
        if isinstance(c, sp.Or):
            out = self.cond(c.args[0], env, depth)
            for a in c.args[1:]:
                out = out | self.cond(a, env, depth)
            return out
        if isinstance(c, sp.Not):
            return ~self.cond(c.args[0], env, depth)
        if isinstance(c, sp.core.relational.Relational):
            a = self.real(c.lhs, env, depth)
            b = self.real(c.rhs, env, depth)
            ops = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal}
            if c.rel_op in ops:
                return ops[c.rel_op](a, b)
            if c.rel_op == "==":
                return np.abs(a - b) < 1e-12
            if c.rel_op == "!=":
                return np.abs(a - b) >= 1e-12
        raise _Unsupported(f"cannot evaluate the condition {c}")

    # -- ranges ---------------------------------------------------------------
    def support_range(self, body, var, env, depth):
        """(lo, hi) arrays outside of which ``body`` vanishes as a function of
        ``var`` (from the supports of the instances), or None if unbounded."""
        if isinstance(body, Add):
            ranges = [self.support_range(t, var, env, depth) for t in body.args
                      if var in t.free_symbols]
            if not ranges or any(r is None for r in ranges):
                return None
            return (np.minimum.reduce([r[0] for r in ranges]),
                    np.maximum.reduce([r[1] for r in ranges]))
        if isinstance(body, Mul):
            lo = hi = None
            for fac in body.args:
                r = self.support_range(fac, var, env, depth)
                if r is not None:
                    lo = r[0] if lo is None else np.maximum(lo, r[0])
                    hi = r[1] if hi is None else np.minimum(hi, r[1])
            return None if lo is None else (lo, hi)
        if isinstance(body, Pow) and body.exp.is_Integer and body.exp > 0:
            return self.support_range(body.base, var, env, depth)
        if isinstance(body, Heaviside):
            lin = _is_linear_in(body.args[0], var)
            if lin is None:
                return None
            a = self.real(lin[0], env, depth)
            if np.any(a == 0):
                return None
            edge = -self.real(lin[1], env, depth) / a
            edge, a = np.broadcast_arrays(edge, a)
            return np.where(a > 0, edge, -np.inf), np.where(a > 0, np.inf, edge)
        app, args = None, None
        if isinstance(body, AppliedUndef):
            app, args = body, body.args
        elif isinstance(body, Subs) and isinstance(body.expr, Derivative) \
                and isinstance(body.expr.expr, AppliedUndef):
            inner = body.expr.expr
            mapping = dict(zip(body.variables, body.point))
            app, args = inner, [a.xreplace(mapping) for a in inner.args]
        if app is None:
            return None
        fn = self.inst.functions.get(app.func.__name__)
        if fn is None:
            return None
        lo = hi = None
        for arg, (s_lo, s_hi) in zip(args, fn.support()):
            lin = _is_linear_in(arg, var)
            if lin is None:
                continue
            a = self.real(lin[0], env, depth)
            if np.any(a == 0):
                continue
            b = self.real(lin[1], env, depth)
            p, q = (s_lo - b) / a, (s_hi - b) / a
            r_lo, r_hi = np.minimum(p, q), np.maximum(p, q)
            lo = r_lo if lo is None else np.maximum(lo, r_lo)
            hi = r_hi if hi is None else np.minimum(hi, r_hi)
        return None if lo is None else (lo, hi)

    def limits(self, node, env, depth):
        """The outermost variable, its limits, the body inside it and its support."""
        var, lo, hi = _limit(node.limits[-1])
        body = node.function if len(node.limits) == 1 else node.func(node.function, *node.limits[:-1])
        if lo == oo or hi == -oo:
            if node.func is Sum:
                raise _Unsupported("a sum with reversed infinite limits")
            lo, hi = hi, lo  # an integral from +oo down: the negative of the usual one
            body = -body
        lo_v = None if lo == -oo else self.real(lo, env, depth)
        hi_v = None if hi == oo else self.real(hi, env, depth)
        sup = self.support_range(body, var, env, depth)
        return var, lo_v, hi_v, sup, body

    def sum(self, node, env, depth):
        var, lo_v, hi_v, sup, body = self.limits(node, env, depth)
        reach = float(self.default_reach)
        sign = 1.0
        if lo_v is not None and hi_v is not None:
            # SymPy's (Karr's) convention: sum_{a}^{b} = -sum_{b+1}^{a-1} when b < a - 1
            rev = hi_v < lo_v - 0.5
            sign = np.where(rev, -1.0, 1.0)
            lo_v, hi_v = np.where(rev, hi_v + 1, lo_v), np.where(rev, lo_v - 1, hi_v)
        lo_e = lo_v if lo_v is not None else np.full((1,) * depth, -np.inf)
        hi_e = hi_v if hi_v is not None else np.full((1,) * depth, np.inf)
        if sup is not None:
            lo_e = np.maximum(lo_e, sup[0])
            hi_e = np.minimum(hi_e, sup[1])
        cut_lo = not np.all(np.isfinite(lo_e))
        cut_hi = not np.all(np.isfinite(hi_e))
        lo_e = np.where(np.isfinite(lo_e), lo_e, -reach)
        hi_e = np.where(np.isfinite(hi_e), hi_e, reach)
        lo_e, hi_e = np.ceil(lo_e - 1e-9), np.floor(hi_e + 1e-9)
        kmin, kmax = int(np.min(lo_e)), int(np.max(hi_e))
        if kmax < kmin:
            return np.zeros((1,) * depth, dtype=complex)
        count = kmax - kmin + 1
        self.cells *= count
        if self.cells > _MAX_CELLS:
            raise _Unsupported("the sums are too large to evaluate")
        ks = np.arange(kmin, kmax + 1, dtype=float).reshape((1,) * depth + (count,))
        mask = (ks >= lo_e[..., None]) & (ks <= hi_e[..., None])
        env2 = dict(env)
        env2[var] = ks
        vals = _lift(self.ev(body, env2, depth + 1), depth + 1)
        if (cut_lo or cut_hi) and count > 1:
            masked = np.abs(np.where(mask, vals, 0))
            scale = max(1e-300, _peak(masked))
            ends = ([masked[..., 0]] if cut_lo else []) + ([masked[..., -1]] if cut_hi else [])
            if any(_peak(e) > 1e-12 * scale for e in ends):
                raise _Unsupported("a sum over an infinite range whose terms do not vanish far out "
                                   f"(truncated at |index| = {int(reach)})")
        out = np.sum(np.where(mask, vals, 0), axis=-1) * sign
        self.cells //= count
        return out

    def breakpoints(self, body, var, env, depth):
        pts = []
        inner = _bound_vars(body)
        for atom in body.atoms(Heaviside, Abs, sp.sign, sp.Max, sp.Min, sp.floor, sp.ceiling):
            if var not in atom.free_symbols or atom.free_symbols & inner:
                continue
            args = [atom.args[0]] if not isinstance(atom, (sp.Max, sp.Min)) else \
                [a - b for a in atom.args for b in atom.args if a != b]
            for arg in args:
                lin = _is_linear_in(arg, var)
                a = None if lin is None else self.real(lin[0], env, depth)
                if a is None or np.any(a == 0):
                    if isinstance(atom, (sp.floor, sp.ceiling)):
                        raise _Unsupported("a floor/ceiling of the integration variable")
                    continue
                pts.append(-self.real(lin[1], env, depth) / a)
        # the jumps and kinks of the instances themselves (a box, a ramp): tau = t - 1 ...
        for app in body.atoms(AppliedUndef):
            breaks = getattr(self.inst.functions.get(app.func.__name__), "breaks", ())
            if not breaks or len(app.args) != 1 or var not in app.free_symbols \
                    or app.free_symbols & inner:
                continue
            lin = _is_linear_in(app.args[0], var)
            a = None if lin is None else self.real(lin[0], env, depth)
            if a is None or np.any(a == 0):
                continue
            b = self.real(lin[1], env, depth)
            pts.extend((p - b) / a for p in breaks)
        return pts

    def integral(self, node, env, depth):
        var, lo_v, hi_v, sup, body = self.limits(node, env, depth)
        if body.has(DiracDelta):
            raise _Unsupported("a Dirac delta under an integral that was not sifted")
        sign = 1.0
        if lo_v is not None and hi_v is not None:
            flip = hi_v < lo_v
            sign = np.where(flip, -1.0, 1.0)
            lo_v, hi_v = np.minimum(lo_v, hi_v), np.maximum(lo_v, hi_v)
        reach = 40.0 * self.refine
        a = lo_v if lo_v is not None else (sup[0] if sup is not None else None)
        b = hi_v if hi_v is not None else (sup[1] if sup is not None else None)
        if sup is not None:
            a = sup[0] if a is None else np.maximum(a, sup[0])
            b = sup[1] if b is None else np.minimum(b, sup[1])
        # no known support on a side: truncate, then check that the integrand decays there
        cut = 30.0 * self.refine
        cut_lo = a is None or not np.all(np.isfinite(a))
        cut_hi = b is None or not np.all(np.isfinite(b))
        if cut_lo:
            a = np.full((1,) * depth, -cut) if a is None else np.where(np.isfinite(a), a, -cut)
        if cut_hi:
            b = np.full((1,) * depth, cut) if b is None else np.where(np.isfinite(b), b, cut)
        a, b = np.broadcast_arrays(_lift(a, depth), _lift(b, depth))
        b = np.maximum(a, b)
        if np.max(b - a) > reach * 10:
            raise _Unsupported("an integration range too long to evaluate")
        pts = [np.clip(_lift(p, depth), a, b) for p in self.breakpoints(body, var, env, depth)]
        edges = np.sort(np.stack(np.broadcast_arrays(a, *pts, b), axis=-1), axis=-1)
        nseg = edges.shape[-1] - 1
        length = float(np.max(edges[..., -1] - edges[..., 0])) if edges.size else 0.0
        m = int(min(704, max(24, math.ceil((7 * length + 16) * self.refine))))
        m = -(-m // 16) * 16  # a few sizes only, so the cached rules are reused
        x, w = _gauss_legendre(m)
        lo_e, hi_e = edges[..., :-1], edges[..., 1:]                 # (..., nseg)
        half = (hi_e - lo_e) / 2
        nodes = (lo_e + half)[..., None] + half[..., None] * x        # (..., nseg, m)
        weights = half[..., None] * w
        shape = nodes.shape[:-2] + (nseg * m,)
        nodes, weights = nodes.reshape(shape), weights.reshape(shape)
        self.cells *= nseg * m
        if self.cells > _MAX_CELLS:
            raise _Unsupported("the integrals are too large to evaluate")
        env2 = dict(env)
        env2[var] = nodes
        vals = _lift(self.ev(body, env2, depth + 1), depth + 1)
        if cut_lo or cut_hi:
            scale = max(1e-300, _peak(vals))
            ends = ([vals[..., 0]] if cut_lo else []) + ([vals[..., -1]] if cut_hi else [])
            if any(_peak(e) > 1e-13 * scale for e in ends):
                raise _Unsupported("an integral over an infinite range whose integrand does not "
                                   "visibly decay")
        # a segment of length 0 (a breakpoint on an edge) has its nodes on the edge, where
        # a simple instance may be undefined: it weighs nothing
        out = np.sum(np.where(weights != 0, vals * weights, 0), axis=-1) * sign
        self.cells //= nseg * m
        return out


def _undefined_functions(*exprs):
    """{name: arity} of every undefined function applied in the expressions."""
    out = {}
    for e in exprs:
        for app in e.atoms(AppliedUndef):
            out[app.func.__name__] = max(out.get(app.func.__name__, 0), len(app.args))
    return out


def _detect_kind(*exprs):
    """'discrete' when every argument of every undefined function is an integer (or,
    without undefined functions, when every free symbol is an integer)."""
    exprs = [_expand_notation(e) for e in exprs]
    args = [a for e in exprs for app in e.atoms(AppliedUndef) for a in app.args]
    if args:
        return "discrete" if all(a.is_integer for a in args) else "continuous"
    syms = set().union(*(e.free_symbols for e in exprs))
    return "discrete" if syms and all(s.is_integer for s in syms) else "continuous"


@functools.lru_cache(maxsize=32)
def _prepare_numeric(expr):
    """Notation expanded, derivatives pushed inside (chain rule), deltas sifted (cached:
    the simple functions, the screening instance and the full check of a step share it)."""
    expr = _expand_notation(expr)
    if expr.has(Derivative):
        def push(d):
            done = _bounded(lambda: d.doit(deep=False), 5)
            return d if done is None else done
        expr = expr.replace(lambda e: isinstance(e, Derivative) and not (
            isinstance(e.expr, AppliedUndef) and all(isinstance(a, Symbol) for a in e.expr.args)), push)
    if expr.has(DiracDelta):
        canon = _bounded(lambda: _Canon(_Trace(), time.monotonic() + 10)(expr), 10)
        if canon is not None:
            expr = canon
    return expr


def _close(x, y, rtol):
    return abs(x - y) <= rtol * max(1.0, abs(x), abs(y))


_NOT_ARITHMETIC = (Sum, Integral, Derivative, sp.Product, AppliedUndef, Subs, _Pairing)
_GRID_POINTS = 60_000


def _box_text(symbols, columns):
    return ", ".join(f"{s} in {int(c.min())}..{int(c.max())}" for s, c in zip(symbols, columns))


def _grid_check(a, b, symbols, rtol):
    """An integer identity without sums or functions, evaluated at every point of a box
    of small values (each symbol: 0, 1, -1, 2, ... inside its domain, 14 values; a
    random subset of 60,000 points when the box is larger), smallest points first.
    Returns a StepCheck, or None when no point could be evaluated."""
    lists = [_small_values(sym) for sym in symbols]
    total = math.prod(len(v) for v in lists)
    if total <= _GRID_POINTS:
        mesh = np.meshgrid(*[np.array(v, dtype=float) for v in lists], indexing="ij")
        grid = np.stack([m.reshape(-1) for m in mesh], axis=1)
        exhaustive = True
    else:
        rng = np.random.default_rng(0)
        grid = np.stack([rng.choice(np.array(v, dtype=float), size=_GRID_POINTS) for v in lists], axis=1)
        exhaustive = False
    grid = grid[np.argsort(np.abs(grid).sum(axis=1), kind="stable")]
    env = {sym: grid[:, i].astype(complex) for i, sym in enumerate(symbols)}
    ev = _Evaluator(_Instance({}, {}, 0))
    with np.errstate(all="ignore"):
        lhs = np.broadcast_to(np.asarray(ev.ev(a, env, 0), dtype=complex), (len(grid),))
        rhs = np.broadcast_to(np.asarray(ev.ev(b, env, 0), dtype=complex), (len(grid),))
    ok = np.isfinite(lhs) & np.isfinite(rhs)
    if not ok.any():
        return None
    bad = ok & ~(np.abs(lhs - rhs) <= rtol * np.maximum(1.0, np.maximum(np.abs(lhs), np.abs(rhs))))
    box = _box_text(symbols, grid.T)
    if bad.any():
        i = int(np.argmax(bad))
        values = {sym: sp.Integer(int(grid[i, j])) for j, sym in enumerate(symbols)}
        inst = _Instance(values, {}, 0)
        return StepCheck("refuted", "the two sides differ at a point of the box of small values "
                         f"({box}; relative tolerance {rtol:g})",
                         inst.counterexample(_py_number(lhs[i]), _py_number(rhs[i])), "numeric")
    how = "every" if exhaustive else "a random sample of"
    return StepCheck("confirmed", f"checked numerically at {how} {int(ok.sum())} point(s) of the box "
                     f"{box} (not a proof), relative tolerance {rtol:g}", method="numeric")


def _discrete_instances(symbols, funcs):
    """How many instances a discrete step gets: more for more unknowns (what is at
    stake): 24, plus 12 per free symbol and per unknown sequence, at most 96."""
    return min(96, 24 + 12 * (len(symbols) + len(funcs)))


def _edge_values(symbols, count):
    """Up to ``count`` assignments of small values (domain edges, 0, 1, -1, 2) to the
    symbols, smallest first: the limits and boundary indices a wrong step gets wrong."""
    if not symbols:
        return []
    lists = [_small_values(sym)[:4] for sym in symbols]
    if math.prod(len(v) for v in lists) <= 4096:
        combos = sorted(itertools.product(*lists), key=lambda c: sum(abs(v) for v in c))
        combos = combos[::max(1, len(combos) // count)][:count]
    else:   # many symbols: a deterministic spread instead of the whole product
        combos = [tuple(v[(r + j * (r // len(v))) % len(v)] for j, v in enumerate(lists))
                  for r in range(count)]
    return [dict(zip(symbols, map(sp.Integer, c))) for c in combos]


def _numeric_check(a, b, kind, seed, instances):
    """StepCheck from random instances, or None when nothing could be evaluated.

    Discrete steps are checked hard, since a wrong integer identity often holds at most
    points: an identity without sums or functions at every point of a box of small
    values (:func:`_grid_check`); otherwise 24-96 instances, half of them at the small
    and boundary values of the symbols, with sequences of distinct values."""
    try:
        a = _prepare_numeric(a)
        b = _prepare_numeric(b)
    except Exception as exc:  # pragma: no cover - defensive
        return StepCheck("unverified", f"could not prepare the step for evaluation: {exc}")
    funcs = _undefined_functions(a, b)
    kind = kind or _detect_kind(a, b)
    symbols = sorted(a.free_symbols | b.free_symbols, key=str)
    discrete = kind == "discrete"
    rtol = 1e-9 if discrete else 1e-7
    if discrete and symbols and all(sym.is_integer for sym in symbols) \
            and not (a.has(*_NOT_ARITHMETIC) or b.has(*_NOT_ARITHMETIC)):
        try:
            grid = _grid_check(a, b, symbols, rtol)
        except (_Unsupported, ArithmeticError, ValueError, TypeError, IndexError):
            grid = None
        if grid is not None:
            return grid
    if instances is None:
        instances = _discrete_instances(symbols, funcs) if discrete else 3
    edges = _edge_values([sym for sym in symbols if sym.is_integer], instances // 2) if discrete else []
    rng = np.random.default_rng(seed)
    done = 0
    attempts = 0
    first = None
    last_error = None
    while done < instances and attempts < 3 * instances:
        attempts += 1
        inst_seed = int(rng.integers(0, 2**31 - 1))
        irng = np.random.default_rng(inst_seed)
        values = {s: _random_value(irng, s) for s in symbols}
        if attempts <= len(edges):
            values.update(edges[attempts - 1])
        if not discrete:
            first = _both_signs(values, first, attempts - 1)
        fns = {name: (_random_sequence(irng, name, ar) if discrete else _random_smooth(irng, name, ar))
               for name, ar in sorted(funcs.items())}
        inst = _Instance(values, fns, inst_seed)
        try:
            with np.errstate(all="ignore"):
                lhs = _Evaluator(inst).value(a)
                rhs = _Evaluator(inst).value(b)
        except _Unsupported as exc:
            return StepCheck("unverified", f"not decided symbolically, and not testable numerically: {exc}",
                             method="numeric")
        except (ArithmeticError, ValueError, TypeError, IndexError, KeyError, AttributeError) as exc:
            last_error = exc
            continue
        if not (np.isfinite(lhs) and np.isfinite(rhs)):
            continue
        if not _close(lhs, rhs, rtol):
            # make sure it is not a resolution artefact before calling it refuted
            try:
                with np.errstate(all="ignore"):
                    lhs2 = _Evaluator(inst, refine=2).value(a)
                    rhs2 = _Evaluator(inst, refine=2).value(b)
            except (_Unsupported, ValueError, TypeError, ZeroDivisionError):
                lhs2, rhs2 = lhs, rhs
            stable = _close(lhs, lhs2, rtol * 10) and _close(rhs, rhs2, rtol * 10)
            if stable and not _close(lhs2, rhs2, rtol):
                return StepCheck("refuted", "the two sides differ on a concrete instance "
                                 f"(seed {inst_seed}, relative tolerance {rtol:g})",
                                 inst.counterexample(_py_number(lhs), _py_number(rhs)), "numeric")
            return StepCheck("unverified", "the numeric evaluation is not stable enough to decide "
                             f"(values {_fmt_number(lhs)} vs {_fmt_number(rhs)})", method="numeric")
        done += 1
    if done == 0:
        why = f" ({last_error})" if last_error else ""
        return StepCheck("unverified", "no random instance could be evaluated" + why, method="numeric")
    what = []
    if funcs:
        kind_text = ("random finite integer sequences" if discrete else
                     "random smooth rapidly decaying functions (Gaussian x linear, Gauss-Legendre quadrature)")
        what.append(f"{', '.join(sorted(funcs))}: {kind_text}")
    if symbols:
        what.append(f"{', '.join(map(str, symbols))}: random values")
    detail = f" ({'; '.join(what)})" if what else ""
    return StepCheck("confirmed", f"confirmed numerically on {done} random instance(s){detail}, "
                     f"relative tolerance {rtol:g}", method="numeric")


def _py_number(z):
    z = complex(z)
    if abs(z.imag) <= 1e-12 * max(1.0, abs(z.real)):
        r = z.real
        return int(round(r)) if abs(r - round(r)) < 1e-9 and abs(r) < 1e15 else r
    return z
