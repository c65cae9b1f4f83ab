"""Discrete signals and finite sequences checked against the executor
(:func:`symconv.numeric.convolve` / ``correlate``) and plain sums."""

import math
import numbers

import numpy as np
import sympy as sp

from symconv.errors import SymconvError
from symconv.verify._evaluate import (
    _ABS_FLOOR,
    _DISCRETE_PROBE,
    _draw,
    _executor,
    _note_pointwise,
    _Numeric,
    _ranges,
    _real_if_close,
    _resolve_pins,
    _support,
    _t_range,
    _Unsupported,
)
from symconv.verify.report import CheckResult, Instance, _aggregate, _compare

# ---------------------------------------------------------------------------
# discrete signals
# ---------------------------------------------------------------------------

def _check_discrete(res, x, h, var, op, rng, notes):
    sn = _executor()
    for name, e in (("x", x), ("h", h), ("result", res)):
        if e.has(sp.DiracDelta):
            raise _Unsupported(f"the discrete {name} contains DiracDelta (use KroneckerDelta)")
    Fx, Fh, Fr = _Numeric(x, var), _Numeric(h, var), _Numeric(res, var)
    probe = np.arange(-_DISCRETE_PROBE, _DISCRETE_PROBE + 1, dtype=float)
    sx, sh = _support(Fx(probe), probe), _support(Fh(probe), probe)
    t_lo, t_hi = _t_range(sx, sh, op, 20.0)
    n_lo, n_hi = int(math.floor(t_lo)), int(math.ceil(t_hi))
    pts = np.arange(n_lo, n_hi + 1, dtype=float)
    closed = Fr(pts)
    if sx.empty or sh.empty:
        reference = np.zeros(len(pts))
        direct = []
    else:
        rx, rh = _ranges(sx, sh, n_lo, n_hi, op)
        if not all(math.isfinite(v) for v in rx + rh):
            raise _Unsupported("the sequences do not decay, so the infinite sum has no "
                               "numeric reference")
        ax, bx = int(math.floor(rx[0])), int(math.ceil(rx[1]))
        ah, bh = int(math.floor(rh[0])), int(math.ceil(rh[1]))
        if bx < ax or bh < ah:
            reference, direct = np.zeros(len(pts)), []
        else:
            xs = _real_if_close(Fx(np.arange(ax, bx + 1, dtype=float)))
            hs = _real_if_close(Fh(np.arange(ah, bh + 1, dtype=float)))
            if op == "conv":
                full = sn.convolve(xs, hs, mode="full")
                n_full = ax + ah + np.arange(len(full))
            else:
                full = sn.correlate(xs, hs, mode="full")
                n_full = ax - ah + np.arange(len(full)) - (len(hs) - 1)
            lookup = dict(zip(n_full.tolist(), full))
            reference = np.array([lookup.get(int(n), 0.0) for n in pts], dtype=complex)
            # plain sums at a few points, independent of the executor's vectorisation
            direct = []
            k = np.arange(ax, bx + 1)
            for n in rng.choice(pts, size=min(3, len(pts)), replace=False):
                if op == "conv":
                    other = Fh(n - k)
                    direct.append((n, complex(np.sum(Fx(k) * other))))
                else:
                    m = np.arange(ah, bh + 1)
                    direct.append((n, complex(np.sum(Fx(n + m) * np.conj(Fh(m))))))
    scale = max(np.abs(reference).max(initial=0), np.abs(closed).max(initial=0))
    tol = 1e-9 * scale + _ABS_FLOOR
    checks = [_compare("window sum", closed, reference, tol,
                       f"n in [{n_lo}, {n_hi}], symconv.numeric."
                       f"{'convolve' if op == 'conv' else 'correlate'}", at=pts,
                       var=str(var))]
    if direct:
        d_pts = np.array([d[0] for d in direct])
        checks.append(_compare("direct sums", Fr(d_pts), np.array([d[1] for d in direct]),
                               tol, "plain sums at random n", at=d_pts, var=str(var)))
    _note_pointwise(notes, (("x", Fx), ("h", Fh), ("the result", Fr)))
    return checks


# ---------------------------------------------------------------------------
# finite sequences
# ---------------------------------------------------------------------------

def _is_sequence(value):
    return isinstance(value, (list, tuple, sp.MatrixBase, sp.NDimArray, np.ndarray))


def _flat_exprs(value, name):
    if isinstance(value, sp.MatrixBase):
        items = list(value)
    elif isinstance(value, sp.NDimArray):
        items = list(sp.flatten(value.tolist()))
    elif isinstance(value, np.ndarray):
        items = value.ravel().tolist()
    else:
        items = list(value)
    out = []
    for v in items:
        if isinstance(v, (str, bytes)):
            raise SymconvError(f"{name} entries must be numbers or SymPy expressions, but got "
                               f"the string {v!r}")
        out.append(sp.sympify(v) if isinstance(v, (numbers.Number, sp.Basic)) else
                   _refuse(v, name))
    return out


def _refuse(v, name):
    raise SymconvError(f"{name} entries must be numbers or SymPy expressions, but got {v!r}")


def _numbers(exprs, values):
    out = []
    for e in exprs:
        v = e.subs(values) if e.free_symbols else e
        try:
            out.append(complex(v.evalf()))
        except TypeError:
            raise _Unsupported(f"an entry does not evaluate to a number: {v}") from None
    return np.array(out)


def _sample_free(symbols, rng, pinned, complex_ok=False):
    """Values in about [-2, 2] for entries of sequences/tensors; with ``complex_ok``,
    symbols not known to be real get complex values (exercising conjugations)."""
    values = dict(pinned)
    for s in symbols:
        if s in values:
            continue
        if s.is_integer:
            values[s] = _draw(s, rng, False)
            continue
        v = rng.uniform(0.25, 2.0)
        sign = -1 if (s.is_negative or s.is_nonpositive) else (
            1 if (s.is_positive or s.is_nonnegative) else int(rng.choice([-1, 1])))
        value = sp.Rational(int(round(sign * v * 100)), 100)
        if complex_ok and s.is_real is None:
            value += sp.I * sp.Rational(int(round(rng.uniform(-2.0, 2.0) * 100)), 100)
        values[s] = value
    return values


def _check_sequences(result, a, b, op, mode, period, seed, instances, pinned):
    sn = _executor()
    ea, eb = _flat_exprs(a, "f"), _flat_exprs(b, "g")
    er = _flat_exprs(result, "result")
    mode = mode or ("circular" if period is not None else ("full" if op == "conv" else "valid"))
    if mode == "circular" and period is None:
        period = max(len(ea), len(eb))
    fn = "convolve" if op == "conv" else "correlate"
    method = (f"symconv.numeric.{fn}(mode={mode!r}) on random values of the symbols "
              "(complex for symbols not known to be real)"
              if mode != "circular" else
              f"symconv.numeric.{fn}(mode='full') folded modulo the period {period}, on "
              "random values of the symbols (complex for symbols not known to be real)")
    symbols = sorted(set().union(*(e.free_symbols for e in ea + eb + er)), key=lambda s: s.name)
    pinned = _resolve_pins(pinned, symbols)
    rng = np.random.default_rng(seed)
    runs = []
    for i in range(max(1, instances)):
        label = f"instance {i + 1}"
        try:
            values = _sample_free(symbols, rng, pinned, complex_ok=True)
            na, nb, nr = _numbers(ea, values), _numbers(eb, values), _numbers(er, values)
            na, nb = _real_if_close(na), _real_if_close(nb)
            if mode != "circular":
                ref = (sn.convolve if op == "conv" else sn.correlate)(na, nb, mode=mode)
            elif op == "conv":
                # entry j of the full convolution belongs to n = j mod P
                full = sn.convolve(na, nb, mode="full")
                ref = np.zeros(int(period), dtype=complex)
                np.add.at(ref, np.arange(len(full)) % int(period), full)
            else:
                # entry j of the full correlation has lag j - (M - 1); lags fold mod P
                full = sn.correlate(na, nb, mode="full")
                ref = np.zeros(int(period), dtype=complex)
                np.add.at(ref, (np.arange(len(full)) - (len(nb) - 1)) % int(period), full)
            if len(ref) != len(nr):
                runs.append(Instance(label, values, "disagree",
                                     (CheckResult("length", 1, math.inf, 0.0, False,
                                                  f"result has {len(nr)} entries, the "
                                                  f"reference {len(ref)}"),),
                                     f"length {len(nr)} instead of {len(ref)}"))
                continue
            scale = max(np.abs(ref).max(initial=0), np.abs(nr).max(initial=0))
            check = _compare("entries", nr, ref, 1e-9 * scale + _ABS_FLOOR)
            runs.append(Instance(label, values, "agree" if check.ok else "disagree", (check,),
                                 "" if check.ok else "entries differ"))
        except _Unsupported as exc:
            runs.append(Instance(label, {}, "not verified", (), str(exc)))
    return _aggregate(runs, seed=seed, method=method, kind="sequence", op=op)
