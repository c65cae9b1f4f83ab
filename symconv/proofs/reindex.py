r"""From a fully connected layer to a convolution: the reindexing argument, checked.

A fully connected layer that maps an ``h x w`` image ``X`` to an ``h x w`` hidden
representation ``H`` has a weight for every (output pixel, input pixel) pair:

.. math::  H_{i,j} = U_{i,j} + \sum_k \sum_l W_{i,j,k,l} X_{k,l}.

Five stages turn it into a convolution layer, each cutting the number of parameters:

1. the fully connected layer itself: ``h^2 w^2 + h w`` parameters;
2. reindexing ``k = i + a``, ``l = j + b`` with ``V[i,j,a,b] = W[i,j,i+a,j+b]``: the same
   layer written with *offsets* ``(a, b)`` from the output pixel (a bijection, so the
   count does not change);
3. translation invariance: ``V[i,j,a,b] = V[a,b]`` and ``U[i,j] = u``: the weights depend
   only on the offset, ``(2h-1)(2w-1) + 1`` parameters, and the layer is a
   cross-correlation of the zero-padded image with a ``(2h-1) x (2w-1)`` kernel;
4. locality: ``V[a,b] = 0`` for ``|a| > Delta`` or ``|b| > Delta``: a
   ``(2 Delta + 1)^2`` kernel, ``(2 Delta + 1)^2 + 1`` parameters;
5. channels: ``H[i,j,d] = u_d + sum_a sum_b sum_c V[a,b,c,d] X[i+a,j+b,c]``,
   ``(2 Delta + 1)^2 C_in C_out + C_out`` parameters: the convolution layer.

With ``Delta = 0`` the window is the pixel itself, and the layer is the same small fully
connected layer over channels applied at every pixel: the ``1 x 1`` convolution.

Every step is verified by drawing random weights obeying that stage's constraints:
the fully connected layer built from them (an explicit matrix acting on the flattened
image) must give exactly the output of the cross-correlation layer
(:func:`symconv.nn.layers.conv_layer` with padding ``Delta``, or the NumPy executor for
large sizes). A step is reported ``proven`` only when the identity was shown
symbolically (symbolic weights and image, expanded) at the requested size, or by an
index substitution valid for every size; otherwise ``confirmed``, with the sizes used.
"""

import itertools
import random

import numpy as np
import sympy
from sympy import IndexedBase, Sum, Symbol

from symconv._util.validate import as_int
from symconv.errors import SymconvError

__all__ = ["mlp_to_conv", "parameter_counts"]

# sizes above which the symbolic / exact checks move to a smaller representative size
_SYMBOLIC_PIXELS = 36          # h*w for the symbolic identity
_SYMBOLIC_ENTRIES = 36 ** 2 * 4   # entries of the symbolic fully connected matrix
_FC_ENTRIES = 4_000_000        # entries of the dense fully connected matrix
_EXACT_LAYER_WORK = 60_000     # h*w*kernel_area*C_in*C_out for the exact SymPy layer


def _size(value, name, minimum):
    if isinstance(value, Symbol):
        if value.is_integer is not True:
            value = Symbol(value.name, integer=True, positive=minimum > 0, nonnegative=True)
        return value
    if isinstance(value, str):
        raise SymconvError(f"{name} must be an int or a SymPy symbol, but got the string {value!r}")
    return as_int(value, name, minimum)


def parameter_counts(height, width, channels_in=1, channels_out=1, delta=None):
    """Free parameters at each stage: ``[(stage, formula, value), ...]``.

    ``formula`` is a SymPy expression in ``h, w, Delta, C_in, C_out``; ``value`` is it
    evaluated at the given sizes (an int when all are concrete, else an expression).

    >>> for stage, formula, value in parameter_counts(28, 28, delta=1):
    ...     print(f"{stage:22} {str(formula):32} {value}")
    fully connected        h**2*w**2 + h*w                  615440
    reindexed              h**2*w**2 + h*w                  615440
    translation invariant  (2*h - 1)*(2*w - 1) + 1          3026
    local                  (2*Delta + 1)**2 + 1             10
    channels               C_in*C_out*(2*Delta + 1)**2 + C_out 10
    """
    h, w = Symbol("h", integer=True, positive=True), Symbol("w", integer=True, positive=True)
    D = Symbol("Delta", integer=True, nonnegative=True)
    ci, co = Symbol("C_in", integer=True, positive=True), Symbol("C_out", integer=True, positive=True)
    formulas = [
        ("fully connected", h ** 2 * w ** 2 + h * w),
        ("reindexed", h ** 2 * w ** 2 + h * w),
        ("translation invariant", (2 * h - 1) * (2 * w - 1) + 1),
        ("local", (2 * D + 1) ** 2 + 1),
        ("channels", (2 * D + 1) ** 2 * ci * co + co),
    ]
    height, width = _size(height, "height", 1), _size(width, "width", 1)
    channels_in, channels_out = _size(channels_in, "channels_in", 1), _size(channels_out, "channels_out", 1)
    delta = D if delta is None else _size(delta, "delta", 0)
    values = {h: height, w: width, D: delta, ci: channels_in, co: channels_out}
    out = []
    for stage, formula in formulas:
        value = formula.subs(values)
        out.append((stage, formula, int(value) if value.is_Integer else value))
    return out


# ---------------------------------------------------------------------------
# the two sides of every check
# ---------------------------------------------------------------------------

class _Stage:
    """A stage's constraint: which offsets carry weights, channels, shared bias."""

    def __init__(self, name, h, w, ci, co, radius, shared):
        self.name, self.h, self.w, self.ci, self.co = name, h, w, ci, co
        self.radius = radius        # (Ra, Rb): offsets |a| <= Ra, |b| <= Rb carry weights
        self.shared = shared        # translation invariant (V depends on the offset only)

    @property
    def kernel_shape(self):
        return (self.co, self.ci, 2 * self.radius[0] + 1, 2 * self.radius[1] + 1)


def _draw(stage, rng, symbolic):
    """Random (or symbolic) parameters obeying the stage: kernel V[d][c][a][b] and bias u[d]."""
    co, ci, ka, kb = stage.kernel_shape
    if symbolic:
        V = [[[[Symbol(f"V_{a - stage.radius[0]}_{b - stage.radius[1]}_{c}_{d}")
                for b in range(kb)] for a in range(ka)] for c in range(ci)] for d in range(co)]
        u = [Symbol(f"u_{d}") for d in range(co)]
    else:
        V = [[[[rng.randint(-5, 5) for _ in range(kb)] for _ in range(ka)] for _ in range(ci)]
             for _ in range(co)]
        u = [rng.randint(-5, 5) for _ in range(co)]
    return V, u


def _fully_connected(stage, V, u, X, symbolic):
    """``H = U + W vec(X)`` with the dense weight ``W[(d,i,j), (c,k,l)] = V[d][c][k-i+Ra][l-j+Rb]``.

    Built entry by entry from the constraint, with no convolution routine involved.
    """
    h, w, ci, co = stage.h, stage.w, stage.ci, stage.co
    Ra, Rb = stage.radius
    n_out, n_in = co * h * w, ci * h * w
    W = sympy.zeros(n_out, n_in) if symbolic else np.zeros((n_out, n_in), dtype=np.int64)
    # visit only the allowed offsets: W[(d,i,j), (c,i+a,j+b)] = V[d][c][a+Ra][b+Rb]
    for a in range(-min(Ra, h - 1), min(Ra, h - 1) + 1):
        rows_i = [i for i in range(h) if 0 <= i + a < h]
        for b in range(-min(Rb, w - 1), min(Rb, w - 1) + 1):
            rows_j = [j for j in range(w) if 0 <= j + b < w]
            pix = [(i, j) for i in rows_i for j in rows_j]
            out_pix = np.array([i * w + j for i, j in pix], dtype=np.int64)
            in_pix = np.array([(i + a) * w + (j + b) for i, j in pix], dtype=np.int64)
            for d in range(co):
                for c in range(ci):
                    value = V[d][c][a + Ra][b + Rb]
                    if symbolic:
                        for r, q in zip(out_pix, in_pix):
                            W[d * h * w + int(r), c * h * w + int(q)] = value
                    else:
                        W[d * h * w + out_pix, c * h * w + in_pix] = value
    U = [u[d] for d in range(co) for _ in range(h * w)]
    if symbolic:
        flat = sympy.Matrix([X[c][k][l] for c in range(ci) for k in range(h) for l in range(w)])
        return [sympy.expand(v) for v in (W * flat + sympy.Matrix(U))]
    flat = np.array([X[c][k][l] for c in range(ci) for k in range(h) for l in range(w)], dtype=np.int64)
    return (W @ flat + np.array(U, dtype=np.int64)).tolist()


def _conv_side(stage, V, u, X, symbolic):
    """The same layer as a cross-correlation with zero padding (exact or NumPy)."""
    Ra, Rb = stage.radius
    co, ci, ka, kb = stage.kernel_shape
    work = stage.h * stage.w * ka * kb * ci * co
    if symbolic or work <= _EXACT_LAYER_WORK:
        from symconv.nn.layers import conv_layer

        y = conv_layer(X, V, bias=u, padding=(Ra, Rb))
        values = [sympy.expand(v) for v in sympy.flatten(y.tolist())]
        return values, "symconv.nn.layers.conv_layer (exact)"
    from symconv.numeric import conv_layer

    y = conv_layer(np.array(X, dtype=float)[None], np.array(V, dtype=float),
                   bias=np.array(u, dtype=float), padding=(Ra, Rb))[0]
    # integers below 2**53 are exact in float64 sums of this size
    return [int(round(v)) for v in y.ravel()], "symconv.numeric.conv_layer (float64, exact on these integers)"


def _unroll(expr):
    """Write out every finite ``Sum`` with integer limits as the plain sum of its terms."""
    table = {}
    for total in expr.atoms(Sum):
        variables = [lim[0] for lim in total.limits]
        ranges = [range(int(lim[1]), int(lim[2]) + 1) for lim in total.limits]
        terms = [total.function.xreplace(dict(zip(variables, values)))
                 for values in itertools.product(*ranges)]
        table[total] = sympy.Add(*terms)
    return expr.xreplace(table)


def _formula_values(formula, stage, V, u, X, sizes):
    """Evaluate a displayed stage formula at every output ``(d, i, j)``, with ``X = 0`` outside.

    ``sizes`` maps the size symbols of the formula (h, w, C_in, Delta) to this stage's values.
    """
    i, j, d = (Symbol(s, integer=True) for s in "ijd")
    Ra, Rb = stage.radius
    out = []
    for dv, iv, jv in itertools.product(range(stage.co), range(stage.h), range(stage.w)):
        expanded = _unroll(formula.subs(sizes).subs({i: iv, j: jv, d: dv}))
        table = {}
        for item in expanded.atoms(sympy.Indexed):
            name, idx = item.base.label.name, [int(t) for t in item.indices]
            if name == "X":
                k, l = idx[0], idx[1]
                c = idx[2] if len(idx) == 3 else 0
                inside = 0 <= k < stage.h and 0 <= l < stage.w
                table[item] = X[c][k][l] if inside else 0
            elif name == "V":
                if len(idx) == 2 and stage.radius == (0, 0):      # V[c, d] of the 1x1 layer
                    table[item] = V[idx[1]][idx[0]][0][0]
                else:
                    a, b = idx[0], idx[1]
                    c, dd = (idx[2], idx[3]) if len(idx) == 4 else (0, 0)
                    table[item] = V[dd][c][a + Ra][b + Rb]
            elif name == "u":
                table[item] = u[idx[0]]
        value = expanded.xreplace(table).xreplace({Symbol("u"): u[0]})
        out.append(sympy.expand(value))
    return out


def _image(stage, rng, symbolic):
    if symbolic:
        return [[[Symbol(f"X_{k}_{l}_{c}") for l in range(stage.w)] for k in range(stage.h)]
                for c in range(stage.ci)]
    return [[[rng.randint(-9, 9) for _ in range(stage.w)] for _ in range(stage.h)]
            for _ in range(stage.ci)]


def _fits(h, w, ci, co):
    return (h * w) ** 2 * ci * co <= _FC_ENTRIES


def _check_stage(make_stage, h, w, ci, co, seed, instances, formula, size_symbols):
    """Verify ``FC(W obeying the stage) == conv layer``: symbolic, then random integers.

    Returns a StepCheck. ``make_stage(h, w, ci, co)`` builds the constraint for a size.
    """
    from symconv.proofs.report import StepCheck

    sizes_known = all(isinstance(v, int) for v in (h, w, ci, co))
    concrete = sizes_known and make_stage.concrete
    # symbolic identity: at the requested size when small, else at a representative size
    if concrete and h * w <= _SYMBOLIC_PIXELS and (h * w) ** 2 * ci * co <= _SYMBOLIC_ENTRIES:
        sym_size, at_requested = (h, w, ci, co), True
    else:
        sym_size, at_requested = (3, 4, min(ci, 2) if isinstance(ci, int) else 2,
                                  min(co, 2) if isinstance(co, int) else 2), False
    stage = make_stage(*sym_size)
    V, u = _draw(stage, None, True)
    X = _image(stage, None, True)
    lhs = _fully_connected(stage, V, u, X, True)
    rhs, _how = _conv_side(stage, V, u, X, True)
    sizes = {sym: val for sym, val in zip(size_symbols, (stage.h, stage.w, stage.ci,
                                                          stage.radius[0]))
             if isinstance(sym, Symbol)}
    shown = _formula_values(formula, stage, V, u, X, sizes)
    if shown != lhs:
        bad = next(n for n, (p, q) in enumerate(zip(shown, lhs)) if sympy.expand(p - q) != 0)
        return StepCheck("refuted", f"the displayed formula differs from the fully connected "
                         f"layer at output entry {bad} for {_fmt(sym_size)}",
                         counterexample=(shown[bad], lhs[bad]), method="custom")
    if lhs != rhs:
        bad = next(n for n, (p, q) in enumerate(zip(lhs, rhs)) if sympy.expand(p - q) != 0)
        return StepCheck("refuted", f"symbolic expansion differs at output entry {bad} for "
                         f"{_fmt(sym_size)}", counterexample=(lhs[bad], rhs[bad]), method="custom")
    sym_text = (f"with symbolic weights, bias and image on {_fmt(sym_size)} the stage formula "
                f"(X = 0 outside the image), the fully connected layer and the cross-correlation "
                f"layer expand to identical polynomials")
    # random exact-integer instances at the requested size (or the largest that fits)
    if sizes_known:
        rh, rw = h, w
        while not _fits(rh, rw, ci, co):
            rh, rw = max(1, rh // 2), max(1, rw // 2)
        num_size = (rh, rw, ci, co)
    else:
        num_size = (5, 6, ci if isinstance(ci, int) else 2, co if isinstance(co, int) else 3)
    rng = random.Random(seed)
    how = ""
    for trial in range(instances):
        stage = make_stage(*num_size)
        V, u = _draw(stage, rng, False)
        X = _image(stage, rng, False)
        lhs = _fully_connected(stage, V, u, X, False)
        rhs, how = _conv_side(stage, V, u, X, False)
        if lhs != rhs:
            bad = next(n for n, (p, q) in enumerate(zip(lhs, rhs)) if p != q)
            return StepCheck("refuted", f"random instance {trial} (seed {seed}) differs at output "
                             f"entry {bad}: {lhs[bad]} != {rhs[bad]}",
                             counterexample={"V": V, "u": u, "X": X}, method="custom")
    num_text = (f"{instances} random integer instances (seed {seed}) on {_fmt(num_size)} agree "
                f"exactly with {how}")
    if at_requested:
        return StepCheck("proven", f"{sym_text} (the requested size); also {num_text}", method="custom")
    reduced = "" if not sizes_known or num_size == (h, w, ci, co) else \
        f" (reduced from {_fmt((h, w, ci, co))} to keep the dense matrix small)"
    return StepCheck("confirmed", f"{num_text}{reduced}; {sym_text} (a smaller size: not a proof "
                     f"for the requested one)", method="custom")


def _fmt(size):
    h, w, ci, co = size
    return f"{h}x{w} with {ci} -> {co} channel(s)"


# ---------------------------------------------------------------------------
# the derivation
# ---------------------------------------------------------------------------

def mlp_to_conv(height, width, channels_in=1, channels_out=1, delta=None, *, seed=0, instances=3):
    r"""The argument that turns a fully connected layer on images into a convolution.

    Parameters
    ----------
    height, width : int or SymPy Symbol
        Image size ``h x w`` (input and hidden representation alike).
    channels_in, channels_out : int, default 1
        Channels of the input and of the hidden representation (stage 5).
    delta : int or None
        Half-width ``Delta`` of the local window (kernel ``2 Delta + 1``); None keeps it a
        symbol in the formulas and verifies with ``Delta = 1``. ``0`` adds a final step:
        the ``1 x 1`` convolution, i.e. the per-pixel fully connected layer over channels.
    seed, instances : int
        Random integer instances drawn per step for the numeric part of each check.

    Returns
    -------
    symconv.proofs.Derivation
        Steps: the fully connected layer, reindexing, translation invariance, locality,
        channels (and the ``1 x 1`` case for ``delta=0``). Each justification states the
        constraint and the number of parameters (formula = value); each step carries its
        own check (``derivation.check()``), comparing the fully connected layer built
        from random constrained weights with the cross-correlation layer.

    Notes
    -----
    Sums over offsets ``a`` run where the image exists (``X`` is zero outside it), which
    is exactly the zero padding ``Delta`` of the convolution layer. The image is indexed
    ``X[i, j, c]`` as in the textbook formula; the layer functions use channel-first
    arrays ``X[c, i, j]`` and weights ``K[d, c, a + Delta, b + Delta] = V[a, b, c, d]``.

    Examples
    --------
    >>> d = mlp_to_conv(3, 3, delta=1)
    >>> print(d)   # doctest: +NORMALIZE_WHITESPACE
    MLP -> convolution on 3x3 images, 1 -> 1 channel(s), Delta = 1
        U[i, j] + Sum(W[i, j, k, l]*X[k, l], (k, 0, 2), (l, 0, 2))
      = U[i, j] + Sum(V[i, j, a, b]*X[a + i, b + j], (a, -i, 2 - i), (b, -j, 2 - j))  ...
      ...
    >>> report = d.check()
    >>> report.valid, [s.status for s in report.steps]
    (True, ['proven', 'proven', 'proven', 'proven'])
    >>> [s.status for s in mlp_to_conv(8, 8, delta=1).check().steps]
    ['proven', 'confirmed', 'confirmed', 'confirmed']
    """
    from symconv.proofs.derivation import Derivation
    from symconv.proofs.report import Step, StepCheck

    h = _size(height, "height", 1)
    w = _size(width, "width", 1)
    ci = _size(channels_in, "channels_in", 1)
    co = _size(channels_out, "channels_out", 1)
    D = Symbol("Delta", integer=True, nonnegative=True) if delta is None else _size(delta, "delta", 0)
    seed = as_int(seed, "seed")
    instances = as_int(instances, "instances", 1)
    counts = parameter_counts(h, w, ci, co, D)

    def count_text(n):
        stage, formula, value = counts[n]
        if value == formula or not isinstance(value, int):
            return f"{stage}: {sympy.sstr(value)} parameters"
        return f"{stage}: {sympy.sstr(formula)} = {value} parameters"

    i, j, k, l, a, b, c, dd = (Symbol(s, integer=True) for s in "i j k l a b c d".split())
    U, W, V, X = IndexedBase("U"), IndexedBase("W"), IndexedBase("V"), IndexedBase("X")
    u = Symbol("u")
    u_d = IndexedBase("u")

    # stage formulas over size symbols (templates), displayed at the requested sizes
    hs, ws = Symbol("h", integer=True, positive=True), Symbol("w", integer=True, positive=True)
    cs, Ds = Symbol("C_in", integer=True, positive=True), Symbol("Delta", integer=True, nonnegative=True)
    templates = [
        U[i, j] + Sum(W[i, j, k, l] * X[k, l], (k, 0, hs - 1), (l, 0, ws - 1)),
        U[i, j] + Sum(V[i, j, a, b] * X[i + a, j + b], (a, -i, hs - 1 - i), (b, -j, ws - 1 - j)),
        u + Sum(V[a, b] * X[i + a, j + b], (a, -i, hs - 1 - i), (b, -j, ws - 1 - j)),
        u + Sum(V[a, b] * X[i + a, j + b], (a, -Ds, Ds), (b, -Ds, Ds)),
        u_d[dd] + Sum(V[a, b, c, dd] * X[i + a, j + b, c], (a, -Ds, Ds), (b, -Ds, Ds), (c, 0, cs - 1)),
        u_d[dd] + Sum(V[c, dd] * X[i, j, c], (c, 0, cs - 1)),
    ]
    actual = {hs: h, ws: w, cs: ci, Ds: D}
    e0, e1, e2, e3, e4, e5 = (t.subs(actual) for t in templates)

    def reindex_check():
        # valid for every size: change the summation indices, then use the definition of V
        summed = Sum(W[i, j, k, l] * X[k, l], (k, 0, h - 1), (l, 0, w - 1))
        summed = summed.change_index(k, k - i, a).change_index(l, l - j, b)
        defined = e1.xreplace({V[i, j, a, b]: W[i, j, i + a, j + b]})
        if U[i, j] + summed == defined:
            return StepCheck("proven", "for every size: Sum.change_index with k = i + a, l = j + b "
                             "(limits 0..h-1 become -i..h-1-i), then V[i,j,a,b] = W[i,j,i+a,j+b] "
                             "by definition; both sides are the same expression", method="custom")
        return StepCheck("unverified", f"the index change gave {U[i, j] + summed}, "
                         f"not {defined}", method="custom")

    def verify_delta():
        return 1 if not isinstance(D, int) else D

    def make(name, radius_fn, shared=True, channels=False, concrete=True):
        def factory(hh, ww, cci, cco):
            ci_, co_ = (cci, cco) if channels else (1, 1)
            return _Stage(name, hh, ww, ci_, co_, radius_fn(hh, ww), shared)
        factory.concrete = concrete
        return factory

    sizes_concrete = all(isinstance(v, int) for v in (h, w, ci, co))
    delta_concrete = isinstance(D, int)
    invariant = make("translation invariant", lambda hh, ww: (hh - 1, ww - 1))
    local = make("local", lambda hh, ww: (verify_delta(), verify_delta()), concrete=delta_concrete)
    chans = make("channels", lambda hh, ww: (verify_delta(), verify_delta()), channels=True,
                 concrete=delta_concrete)

    def stage_check(factory, formula, note=""):
        def run():
            result = _check_stage(factory, h if sizes_concrete else None,
                                  w if sizes_concrete else None,
                                  ci if isinstance(ci, int) else 2, co if isinstance(co, int) else 2,
                                  seed, instances, formula, (hs, ws, cs, Ds))
            if note:
                return StepCheck(result.status, f"{result.reason}; {note}", result.counterexample,
                                 result.method)
            return result
        return run

    dnote = "" if delta_concrete else "verified with Delta = 1 (Delta is symbolic in the formulas)"
    steps = [
        Step(e0, None),
        Step(e1, "reindex k = i + a, l = j + b; V[i,j,a,b] = W[i,j,i+a,j+b] (a bijection); "
                 + count_text(1), reindex_check),
        Step(e2, "translation invariance: V[i,j,a,b] = V[a,b], U[i,j] = u, i.e. a "
                 "cross-correlation with a (2h-1)x(2w-1) kernel, zero padding (h-1, w-1); "
                 + count_text(2), stage_check(invariant, templates[2])),
        Step(e3, "locality: V[a,b] = 0 for |a| > Delta or |b| > Delta (X is 0 outside the image: "
                 "zero padding Delta); " + count_text(3), stage_check(local, templates[3], dnote)),
        Step(e4, "channels: V[a,b,c,d] maps input channel c to output channel d, bias u[d]; "
                 + count_text(4), stage_check(chans, templates[4], dnote)),
    ]
    if delta == 0:
        per_pixel = make("1x1", lambda hh, ww: (0, 0), channels=True)
        steps.append(Step(e5, "Delta = 0: only a = b = 0 remains, V[0,0,c,d] = V[c,d]: the same "
                              f"fully connected layer over channels at every pixel (a 1x1 "
                              f"convolution); {_pixel_count(ci, co)}", stage_check(per_pixel, templates[5])))
    title = (f"MLP -> convolution on {sympy.sstr(h)}x{sympy.sstr(w)} images, "
             f"{sympy.sstr(ci)} -> {sympy.sstr(co)} channel(s), "
             + (f"Delta = {D}" if delta_concrete else "Delta symbolic"))
    return Derivation(steps, title=title, kind="discrete")


def _pixel_count(ci, co):
    value = ci * co + co
    return f"C_in*C_out + C_out = {sympy.sstr(value)} parameters"
