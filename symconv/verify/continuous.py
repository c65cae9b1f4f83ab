"""Continuous signals checked against a grid convolution of cell averages (the executor,
:func:`symconv.numeric.convolve`, at spacings h and h/2) and adaptive quadrature of the
defining integral (:func:`scipy.integrate.quad`); delta terms by the sifting rule."""

import math
import warnings
from dataclasses import replace

import numpy as np

from symconv.verify._evaluate import (
    _ABS_FLOOR,
    _GAUSS_NODES,
    _GL_NODES,
    _GL_WEIGHTS,
    _GOLDEN,
    _MAX_COMPARE,
    _PROBE_HALF_WIDTH,
    _PROBE_POINTS,
    _QUAD_POINTS,
    _REL_FLOOR,
    _SPAN,
    _breakpoints,
    _executor,
    _merge_deltas,
    _note_pointwise,
    _Numeric,
    _ranges,
    _real_if_close,
    _require_scipy,
    _split_deltas,
    _support,
    _t_range,
    _Unsupported,
)
from symconv.verify.report import CheckResult, _compare

# ---------------------------------------------------------------------------
# continuous signals
# ---------------------------------------------------------------------------

def _cell_averages(fn, start, n, h, breaks=()):
    """Averages of ``fn`` over the cells ``[c_i - h/2, c_i + h/2]``, ``c_i = start + i h``.

    Gauss-Legendre on every cell; a cell that contains a breakpoint (jump or kink of
    ``fn``) is split there and each piece integrated separately, so the averages stay
    accurate to high order even at discontinuities.
    """
    centers = start + np.arange(n) * h
    pts = centers[:, None] + _GL_NODES[None, :] * (h / 2)
    avg = (fn(pts.ravel()).reshape(n, _GAUSS_NODES) * _GL_WEIGHTS).sum(axis=1) / 2
    split = {}
    for b in breaks:
        i = int(round((b - start) / h))
        if 0 <= i < n and abs(b - centers[i]) < h / 2 * (1 - 1e-12):
            split.setdefault(i, []).append(b)
    for i, inner in split.items():
        edges = [centers[i] - h / 2] + sorted(inner) + [centers[i] + h / 2]
        total = 0j
        for lo, hi in zip(edges[:-1], edges[1:]):
            if hi > lo:
                nodes = (lo + hi) / 2 + _GL_NODES * (hi - lo) / 2
                total += (fn(nodes) * _GL_WEIGHTS).sum() * (hi - lo) / 2
        avg = avg.astype(complex) if np.iscomplexobj(total) and not np.iscomplexobj(avg) else avg
        avg[i] = total / h
    return avg


def _grid_reference(Ff, Fg, origin_f, origin_g, nf, ng, h, op, bf, bg):
    """Grid convolution/correlation of the regular parts; returns (t values, values)."""
    sn = _executor()
    fa = _real_if_close(_cell_averages(Ff, origin_f, nf, h, bf))
    ga = _real_if_close(_cell_averages(Fg, origin_g, ng, h, bg))
    if op == "conv":
        values = sn.convolve(fa, ga, mode="full") * h
        t = origin_f + origin_g + np.arange(nf + ng - 1) * h
    else:
        values = sn.correlate(fa, ga, mode="full") * h
        t = origin_f - origin_g + (np.arange(nf + ng - 1) - (ng - 1)) * h
    return t, values


def _sifted(Ff, Fg, df, dg, t, op):
    """Delta contributions evaluated numerically by the sifting rule, at points ``t``."""
    total = np.zeros(len(t), dtype=complex)
    for a, w in df:
        total += w * (Fg(t - a) if op == "conv" else np.conj(Fg(a - t)))
    for b, v in dg:
        total += (v if op == "conv" else np.conj(v)) * Ff(t + (-b if op == "conv" else b))
    return total


def _quad(fn, lo, hi, points):
    """Adaptive quadrature of a complex scalar integrand on [lo, hi]: (value, error, warned)."""
    inner = [p for p in points if lo < p < hi]
    integrate = _require_scipy()
    warned = False
    value, error = 0j, 0.0
    for part in ("real", "imag"):
        def integrand(s, part=part):
            v = fn(s)
            return v.real if part == "real" else v.imag
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            val, err = integrate.quad(integrand, lo, hi, points=inner or None, limit=400,
                                      epsabs=1e-13, epsrel=1e-11)
        warned = warned or bool(caught)
        value += val if part == "real" else 1j * val
        error += err
        if part == "real" and all(fn(lo + (hi - lo) * q).imag == 0 for q in (0.21, 0.5, 0.83)):
            break
    return value, error, warned


def _check_continuous(res, f, g, var, op, rng, notes):
    res_reg, res_deltas = _split_deltas(res, var)
    f_reg, df = _split_deltas(f, var)
    g_reg, dg = _split_deltas(g, var)
    if df or dg or res_deltas:
        notes.add("delta terms: the reference convolves the regular parts on the grid and "
                  "applies the sifting rule numerically to the delta terms "
                  "(delta(t - a) * g contributes g(t - a)); delta terms of the result are "
                  "compared by location and weight")
    Ff, Fg, Fr = _Numeric(f_reg, var), _Numeric(g_reg, var), _Numeric(res_reg, var)
    probe = np.linspace(-_PROBE_HALF_WIDTH, _PROBE_HALF_WIDTH, _PROBE_POINTS)
    probe = probe + _GOLDEN * (probe[1] - probe[0])
    sf = _support(Ff(probe), probe, [d[0] for d in df])
    sg = _support(Fg(probe), probe, [d[0] for d in dg])
    t_lo, t_hi = _t_range(sf, sg, op, _SPAN)
    regular = not (sf.empty or sg.empty)
    checks = []
    if regular:
        rf, rg = _ranges(sf, sg, t_lo, t_hi, op)
        if not all(math.isfinite(v) for v in rf + rg):
            raise _Unsupported("the signals do not decay, so the integral over an infinite "
                               "range has no numeric reference")
        if rf[1] <= rf[0] or rg[1] <= rg[0]:
            regular = False
    if regular:
        longest = max(rf[1] - rf[0], rg[1] - rg[0])
        n = min(max(int(longest / 0.02), 300), 800)
        h = longest / n
        bf, bg = _breakpoints(f_reg, var), _breakpoints(g_reg, var)
        # shared origins: the nodes of the h/2 grid include those of the h grid; the
        # irrational offsets keep rational breakpoints off the nodes
        origin_f = rf[0] - 2 * h + _GOLDEN * h
        origin_g = rg[0] - 2 * h + (1 - _GOLDEN) * h / 2
        nf = int(math.ceil((rf[1] + 2 * h - origin_f) / h)) + 1
        ng = int(math.ceil((rg[1] + 2 * h - origin_g) / h)) + 1
        t_f, v_f = _grid_reference(Ff, Fg, origin_f, origin_g, 2 * nf - 1, 2 * ng - 1, h / 2,
                                   op, bf, bg)
        # three coarse grids whose f and g nodes are shifted in opposite directions (for
        # 'corr': the same direction) by thirds of a cell: the t nodes stay the same while
        # the positions of the jumps inside the cells change, so the spread captures the
        # part of the discretisation error that depends on those positions
        coarse = []
        for k in range(3):
            shift = k * h / 3
            t_c, v = _grid_reference(Ff, Fg, origin_f + shift,
                                     origin_g + (-shift if op == "conv" else shift),
                                     nf, ng, h, op, bf, bg)
            coarse.append(v)
        idx_c = np.flatnonzero((t_c >= t_lo) & (t_c <= t_hi))
        idx_f = np.rint((t_c[idx_c] - t_f[0]) / (h / 2)).astype(int)
        if idx_f.size and (idx_f.max() >= len(t_f)
                           or np.abs(t_f[idx_f] - t_c[idx_c]).max() > 1e-6 * h):
            raise _Unsupported("internal grid mismatch between the spacings h and h/2")
        # error estimate per node: |I_h - I_{h/2}|, widened to the largest value within
        # 5% of the range on either side (the difference can vanish by accident at a
        # single node, the error itself does not)
        local = np.max([np.abs(v_f[idx_f] - v[idx_c]) for v in coarse], axis=0)
        width = max(2, local.size // 20)
        padded = np.concatenate([np.zeros(width), local, np.zeros(width)])
        widened = np.lib.stride_tricks.sliding_window_view(padded, 2 * width + 1).max(axis=1)
        keep = np.arange(idx_c.size)
        if keep.size > _MAX_COMPARE:
            keep = keep[np.linspace(0, keep.size - 1, _MAX_COMPARE).astype(int)]
        pts = t_c[idx_c[keep]]
        estimate = widened[keep]
        reference = v_f[idx_f[keep]] + _sifted(Ff, Fg, df, dg, pts, op)
        closed = Fr(pts)
        scale = max(np.abs(reference).max(), np.abs(closed).max(), 0.0)
        tol = 3.0 * estimate + _REL_FLOOR * scale + _ABS_FLOOR
        checks.append(_compare(
            "grid", closed, reference, tol,
            f"t in [{t_lo:.3g}, {t_hi:.3g}], h = {h:.3g} and {h / 2:.3g}, error estimate "
            f"|I_h - I_h/2| per point: median {np.median(estimate):.2g}, "
            f"max {estimate.max():.2g}", at=pts, var=str(var)))
        # adaptive quadrature of the defining integral at a few random points, drawn
        # where the supports overlap (elsewhere the integral is 0 without any quadrature,
        # and the grid already compares those points)
        if op == "conv":
            q_lo, q_hi = max(t_lo, sf.lo + sg.lo), min(t_hi, sf.hi + sg.hi)
        else:
            q_lo, q_hi = max(t_lo, sf.lo - sg.hi), min(t_hi, sf.hi - sg.lo)
        if not q_hi > q_lo:
            q_lo, q_hi = t_lo, t_hi
        q_pts = np.sort(rng.uniform(q_lo, q_hi, _QUAD_POINTS))
        q_ref, q_err, q_warn, q_empty = [], [], False, 0
        for t0 in q_pts:
            if op == "conv":
                lo, hi = max(sf.lo, t0 - sg.hi), min(sf.hi, t0 - sg.lo)
                brk = bf + [t0 - p for p in bg]
                integrand = (lambda s, t0=t0: Ff.scalar(s) * Fg.scalar(t0 - s))
            else:
                lo, hi = max(sg.lo, sf.lo - t0), min(sg.hi, sf.hi - t0)
                brk = bg + [p - t0 for p in bf]
                integrand = (lambda s, t0=t0: Ff.scalar(t0 + s) * Fg.scalar(s).conjugate())
            if hi > lo:
                val, err, warned = _quad(integrand, lo, hi, sorted(brk))
            else:   # the supports do not overlap at t0: the integral is exactly 0
                val, err, warned = 0j, 0.0, False
                q_empty += 1
            q_warn = q_warn or warned
            q_ref.append(val)
            q_err.append(err)
        q_ref = np.array(q_ref) + _sifted(Ff, Fg, df, dg, q_pts, op)
        q_closed = Fr(q_pts)
        q_scale = max(np.abs(q_ref).max(), np.abs(q_closed).max())
        q_tol = 10.0 * np.array(q_err) + _REL_FLOOR * q_scale + _ABS_FLOOR
        q_detail = "scipy.integrate.quad" + (" (with an integration warning)"
                                             if q_warn else "")
        if q_empty:
            q_detail += (f"; at {q_empty} of the points the supports do not overlap "
                         "(reference exactly 0, no quadrature)")
        checks.append(_compare("quad", q_closed, q_ref, q_tol, q_detail, at=q_pts,
                               var=str(var)))
    else:
        # no regular x regular part: only sifted terms (exact evaluations) remain
        pts = np.linspace(t_lo, t_hi, 101) + _GOLDEN * (t_hi - t_lo) / 100
        reference = _sifted(Ff, Fg, df, dg, pts, op)
        closed = Fr(pts)
        scale = max(np.abs(reference).max(), np.abs(closed).max(), 0.0)
        checks.append(_compare("sifted terms", closed, reference,
                               1e-9 * scale + _ABS_FLOOR,
                               f"t in [{t_lo:.3g}, {t_hi:.3g}]", at=pts, var=str(var)))
    _note_pointwise(notes, (("f", Ff), ("g", Fg), ("the result", Fr)))
    # delta x delta terms of the result
    if op == "conv":
        expected = [(a + b, w * v) for a, w in df for b, v in dg]
    else:
        expected = [(a - b, w * np.conj(v)) for a, w in df for b, v in dg]
    expected, got = _merge_deltas(expected), _merge_deltas(res_deltas)
    if expected or got:
        checks.append(_delta_check(expected, got))
    return checks


def _delta_check(expected, got):
    """Delta terms of the result against the expected ones: locations and weights, each
    within ``1e-8 (1 + |value|)``."""
    detail = ("expected " + ", ".join(f"{_c(w)}*delta(t - {l:.6g})" for l, w in expected)
              + "; result has " + (", ".join(f"{_c(w)}*delta(t - {l:.6g})" for l, w in got)
                                   or "none"))
    if len(expected) != len(got):
        return CheckResult("delta terms", max(len(expected), len(got)), math.inf, 0.0, False,
                           detail, at=f"{len(got)} delta term(s) instead of {len(expected)}")
    labels = [f"the location of term {i + 1}" for i in range(len(expected))] + \
             [f"the weight of term {i + 1}" for i in range(len(expected))]
    want = np.array([le for le, _ in expected] + [we for _, we in expected], dtype=complex)
    have = np.array([lg for lg, _ in got] + [wg for _, wg in got], dtype=complex)
    check = _compare("delta terms", have, want, 1e-8 * (1 + np.abs(want)),
                     "locations and weights match", at=labels)
    return replace(check, points=len(expected),
                   detail=check.detail if check.ok else detail)


def _c(w):
    w = complex(w)
    return f"{w.real:.6g}" if abs(w.imag) < 1e-14 else f"({w.real:.6g}{w.imag:+.6g}j)"
