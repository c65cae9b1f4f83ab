"""Tests of symconv.nn.shapes: integer and symbolic size rules, same padding, receptive field.

Integer results are compared with brute-force counts of valid window positions (the
definition, not the formula); symbolic results are compared with the integer results by
substitution over grids and hypothesis strategies.
"""

import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from symconv.errors import ShapeError, SymconvError
from symconv.nn.shapes import (
    conv_output_size,
    conv_transpose_output_size,
    pool_output_size,
    receptive_field,
    same_padding,
)

n = sp.Symbol("n", integer=True, positive=True)


# ---------------------------------------------------------------------------
# brute-force references: count window positions, never use the closed form
# ---------------------------------------------------------------------------

def brute_conv(size, k, s, lo, hi, d):
    """Number of window starts whose every tap lies inside the padded input."""
    padded = size + lo + hi
    count = 0
    start = 0
    while start + d * (k - 1) <= padded - 1:
        count += 1
        start += s
    return count


def brute_pool(size, k, s, lo, hi, d, ceil_mode):
    """PyTorch's pooling windows, described window by window.

    Floor mode keeps windows lying inside the padded input. Ceil mode keeps a window
    when the previous one had not yet reached the end of the padded input and the window
    itself starts inside the input or the left padding (not in the right padding).
    """
    padded = size + lo + hi
    span = d * (k - 1) + 1
    count = 0
    j = 0
    while True:
        start = j * s
        if ceil_mode:
            ok = (j - 1) * s + span < padded and start < size + lo
        else:
            ok = start + span <= padded
        if not ok:
            return count
        count += 1
        j += 1


def brute_transpose(size, k, s, lo, hi, op, d):
    """Length of the scatter-add output: last written position + 1, cropped, plus output_padding."""
    last = max(j * s + d * t for j in range(size) for t in range(k))
    return last + 1 - lo - hi + op


# ---------------------------------------------------------------------------
# integer results against brute force, over full grids
# ---------------------------------------------------------------------------

GRID = [(size, k, s, p, d)
        for size in range(1, 13) for k in range(1, 6) for s in range(1, 4)
        for p in range(0, 3) for d in range(1, 3)]


def test_conv_int_matches_brute_force_grid():
    checked = 0
    for size, k, s, p, d in GRID:
        for lo, hi in ((p, p), (p, 0), (0, p)):
            expected = brute_conv(size, k, s, lo, hi, d)
            if expected == 0:
                with pytest.raises(ShapeError):
                    conv_output_size(size, k, s, (lo, hi), d)
            else:
                got = conv_output_size(size, k, s, (lo, hi), d)
                assert type(got) is int and got == expected, (size, k, s, lo, hi, d)
                checked += 1
    assert checked > 1000


def test_pool_int_matches_brute_force_grid():
    checked = 0
    for size, k, s, p, d in GRID:
        if 2 * p > k:
            with pytest.raises(ShapeError, match="kernel_size/2"):
                pool_output_size(size, k, s, p, d)
            continue
        for ceil_mode in (False, True):
            expected = brute_pool(size, k, s, p, p, d, ceil_mode)
            if expected == 0:
                with pytest.raises(ShapeError):
                    pool_output_size(size, k, s, p, d, ceil_mode)
            else:
                got = pool_output_size(size, k, s, p, d, ceil_mode)
                assert type(got) is int and got == expected, (size, k, s, p, d, ceil_mode)
                checked += 1
    assert checked > 1000


def test_transpose_int_matches_brute_force_grid():
    for size, k, s, p, d in GRID:
        for op in range(max(s, d)):
            expected = brute_transpose(size, k, s, p, p, op, d)
            if expected < 1:
                with pytest.raises(ShapeError):
                    conv_transpose_output_size(size, k, s, p, op, d)
            else:
                assert conv_transpose_output_size(size, k, s, p, op, d) == expected


@given(size=st.integers(1, 40), k=st.integers(1, 7), s=st.integers(1, 5),
       p=st.integers(0, 4), d=st.integers(1, 3), op=st.integers(0, 4))
def test_transpose_inverts_conv_size(size, k, s, p, d, op):
    """A convolution maps the transposed output length back to n, for every output_padding."""
    if op >= max(s, d):
        with pytest.raises(ShapeError, match="output_padding"):
            conv_transpose_output_size(size, k, s, p, op, d)
        return
    try:
        out = conv_transpose_output_size(size, k, s, p, op, d)
    except ShapeError:
        assert (size - 1) * s - 2 * p + d * (k - 1) + op + 1 < 1
        return
    if op < s:
        assert conv_output_size(out, k, s, p, d) == size


def test_ceil_mode_drops_window_starting_in_right_padding():
    # 5 inputs, k=2, s=2, p=1: padded length 7; ceil gives 4 windows starting at
    # 0, 2, 4, 6, and the one at 6 starts in the right padding (inputs occupy 1..5)
    assert brute_pool(5, 2, 2, 1, 1, 1, True) == 3
    assert pool_output_size(5, 2, stride=2, padding=1, ceil_mode=True) == 3
    # without padding, a stride larger than the kernel can also start past the end
    assert pool_output_size(5, 1, stride=3, ceil_mode=True) == 2
    assert pool_output_size(6, 3, stride=2, ceil_mode=True) == 3
    assert pool_output_size(6, 3, stride=2) == 2


def test_pool_stride_defaults_to_kernel():
    assert pool_output_size(28, 2) == 14
    assert pool_output_size(7, 2) == 3
    assert pool_output_size(7, 2, ceil_mode=True) == 4


# ---------------------------------------------------------------------------
# symbolic results: substitution gives the integer results
# ---------------------------------------------------------------------------

def test_symbolic_examples():
    assert conv_output_size(n, 5, padding=2) == n
    assert conv_output_size(n, 3, padding=1) == n
    assert sp.simplify(conv_output_size(n, 3, stride=2) - (sp.floor((n - 3) / 2) + 1)) == 0
    assert conv_transpose_output_size(n, 4, stride=2, padding=1) == 2 * n
    assert pool_output_size(n, 2) == sp.floor(n / 2)


def test_nested_floors_are_flattened():
    # ResNet stem: 7x7/2 conv then 3x3/2 max pool, then a 3x3/2 conv
    a = conv_output_size(n, 7, stride=2, padding=3)
    b = pool_output_size(a, 3, stride=2, padding=1)
    c = conv_output_size(b, 3, stride=2, padding=1)
    assert c == sp.floor((n - 1) / 8) + 1
    assert c.count(sp.floor) == 1
    for value in range(1, 200):
        ai = conv_output_size(value, 7, stride=2, padding=3)
        bi = pool_output_size(ai, 3, stride=2, padding=1)
        assert c.subs(n, value) == conv_output_size(bi, 3, stride=2, padding=1)


def assert_agrees_with_int_rule(expr, int_rule, sizes):
    """``expr``, a size formula in ``n``, equals ``int_rule(value)`` at every value of
    ``sizes`` where the integer rule gives a size (values it refuses are skipped)."""
    for value in sizes:
        try:
            expected = int_rule(value)
        except ShapeError:
            continue
        assert expr.subs(n, value) == expected


@given(k=st.integers(1, 6), s=st.integers(1, 4), lo=st.integers(0, 3), hi=st.integers(0, 3),
       d=st.integers(1, 3))
def test_conv_symbolic_substitutes_to_int(k, s, lo, hi, d):
    expr = conv_output_size(n, k, s, (lo, hi), d)
    assert_agrees_with_int_rule(expr, lambda v: conv_output_size(v, k, s, (lo, hi), d),
                                range(1, 30))


@given(k=st.integers(1, 6), s=st.integers(1, 4), p=st.integers(0, 3), d=st.integers(1, 3),
       ceil_mode=st.booleans())
def test_pool_symbolic_substitutes_to_int(k, s, p, d, ceil_mode):
    if 2 * p > k:
        with pytest.raises(ShapeError):
            pool_output_size(n, k, s, p, d, ceil_mode)
        return
    expr = pool_output_size(n, k, s, p, d, ceil_mode)
    assert not expr.has(sp.Min)  # the ceil-mode case is decided for concrete k, s, p, d
    assert_agrees_with_int_rule(expr, lambda v: pool_output_size(v, k, s, p, d, ceil_mode),
                                range(1, 30))


@given(k=st.integers(1, 6), s=st.integers(1, 4), p=st.integers(0, 3), d=st.integers(1, 3),
       op=st.integers(0, 3))
def test_transpose_symbolic_substitutes_to_int(k, s, p, d, op):
    if op >= max(s, d):
        with pytest.raises(ShapeError):
            conv_transpose_output_size(n, k, s, p, op, d)
        return
    expr = conv_transpose_output_size(n, k, s, p, op, d)
    assert_agrees_with_int_rule(expr, lambda v: conv_transpose_output_size(v, k, s, p, op, d),
                                range(1, 20))


def test_symbolic_hyper_parameters():
    k, s, p = sp.symbols("k s p", integer=True, positive=True)
    expr = conv_output_size(n, k, stride=s, padding=p)
    for values in [(10, 3, 1, 1), (17, 5, 2, 2), (9, 4, 3, 1)]:
        sub = dict(zip((n, k, s, p), values))
        assert expr.subs(sub) == conv_output_size(*values[:2], stride=values[2], padding=values[3])
    t = conv_transpose_output_size(n, k, stride=s, padding=p)
    assert sp.expand(t - ((n - 1) * s - 2 * p + k)) == 0
    # the ceil-mode drop cannot be decided without knowing s + p - k: a Min remains, and
    # it still agrees with the integer rule on every valid substitution
    pooled = pool_output_size(n, k, stride=s, ceil_mode=True)
    for nv in range(1, 12):
        for kv in range(1, 5):
            for sv in range(1, 5):
                sub = {n: nv, k: kv, s: sv}
                try:
                    expected = pool_output_size(nv, kv, sv, ceil_mode=True)
                except ShapeError:
                    continue
                assert pooled.subs(sub) == expected


def test_plain_symbol_is_accepted():
    m = sp.Symbol("m")
    assert conv_output_size(m, 5, padding=2) == sp.floor(m)


# ---------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("call, match", [
    (lambda: conv_output_size(10, 3, stride=0), "stride must be >= 1, but got 0"),
    (lambda: conv_output_size(10, 0), "kernel_size must be >= 1"),
    (lambda: conv_output_size(10, 3, dilation=0), "dilation must be >= 1"),
    (lambda: conv_output_size(10, 3, padding=-1), "padding must be >= 0"),
    (lambda: conv_output_size(0, 1), "input size n must be >= 1"),
    (lambda: conv_output_size(4, 3, dilation=2), r"but got 4 < 5"),
    (lambda: conv_output_size(10, 3, padding=(1, 2, 3)), "pair"),
    (lambda: conv_output_size(10.0, 3), "must be an integer"),
    (lambda: conv_output_size(10, True), "must be an integer"),
    (lambda: conv_output_size(10, sp.Rational(1, 2)), "must be an integer"),
    (lambda: conv_output_size(10, 3, padding="full"), "padding must be"),
    (lambda: conv_transpose_output_size(3, 3, stride=2, output_padding=2), "output_padding must be < max"),
    (lambda: conv_transpose_output_size(1, 1, padding=1), "must be >= 1, but got -1"),
    (lambda: pool_output_size(3, 3, padding=2), "kernel_size/2"),
    (lambda: pool_output_size(2, 3), "dilated kernel"),
    (lambda: pool_output_size(4, 2, ceil_mode="yes"), "ceil_mode"),
])
def test_errors_name_the_constraint(call, match):
    with pytest.raises(SymconvError, match=match):
        call()


def test_symbolic_errors_when_decidable():
    s = sp.Symbol("s", integer=True, negative=True)
    with pytest.raises(ShapeError, match="stride"):
        conv_output_size(n, 3, stride=s)
    # n >= 1 and a 3-tap kernel: undecidable, so the expression comes back
    assert conv_output_size(n, 3) == n - 2
    # n + 10 is always long enough for a 5-tap kernel: nothing to check
    assert conv_output_size(n + 10, 5) == n + 6
    with pytest.raises(ShapeError, match="output_padding"):
        conv_transpose_output_size(n, 3, stride=2, output_padding=2)


def test_same_padding_keeps_length_at_stride_one():
    for k in range(1, 8):
        for d in range(1, 4):
            lo, hi = same_padding(k, dilation=d)
            assert hi - lo in (0, 1)
            for size in range(1, 12):
                assert conv_output_size(size, k, padding=(lo, hi), dilation=d) == size
            assert conv_output_size(n, k, padding="same", dilation=d) == n


def test_same_padding_tensorflow_rule():
    for k in range(1, 7):
        for s in range(2, 5):
            for size in range(1, 20):
                lo, hi = same_padding(k, stride=s, n=size)
                assert hi - lo in (0, 1) and lo >= 0
                assert conv_output_size(size, k, stride=s, padding=(lo, hi)) == -(-size // s)
    expr_lo, expr_hi = same_padding(3, stride=2, n=n)
    for size in range(1, 20):
        assert (expr_lo.subs(n, size), expr_hi.subs(n, size)) == same_padding(3, 2, n=size)


def test_same_padding_needs_n_for_strides():
    with pytest.raises(ShapeError, match="TensorFlow"):
        same_padding(3, stride=2)
    with pytest.raises(ShapeError, match="stride 1"):
        conv_output_size(10, 3, stride=2, padding="same")


# ---------------------------------------------------------------------------
# receptive field: against the set of input indices that reach an output
# ---------------------------------------------------------------------------

def brute_field(layers, i):
    """Input indices (in unpadded coordinates) read by output ``i`` of the stack."""
    reached = {i}
    for k, s, p, d in reversed(layers):
        reached = {o * s - p + t * d for o in reached for t in range(k)}
    return min(reached), max(reached)


layer_strategy = st.tuples(st.integers(1, 5), st.integers(1, 3), st.integers(0, 2),
                           st.integers(1, 3))


@given(st.lists(layer_strategy, min_size=0, max_size=4))
def test_receptive_field_matches_brute_force(layers):
    rf = receptive_field(layers)
    for i in range(4):
        lo, hi = brute_field(layers, i)
        assert rf.span(i) == (lo, hi)
        assert rf.size == hi - lo + 1
        assert rf.start + i * rf.jump == sp.Rational(lo + hi, 2)
    if layers:
        assert rf.jump == brute_field(layers, 1)[0] - brute_field(layers, 0)[0]


def test_receptive_field_forms_and_symbols():
    assert receptive_field([]) == receptive_field([(1, 1)])
    assert receptive_field([]).size == 1
    as_maps = [{"kernel_size": 3, "stride": 2, "padding": 1}, {"kernel_size": 3, "dilation": 2}]
    assert receptive_field(as_maps) == receptive_field([(3, 2, 1), (3, 1, 0, 2)])
    # VGG-16's feature extractor: the classic 196 at conv5_3 and 212 after pool5
    vgg = []
    for convs in (2, 2, 3, 3, 3):
        vgg += [(3, 1, 1)] * convs + [(2, 2)]
    assert receptive_field(vgg[:-1]).size == 196
    assert receptive_field(vgg).size == 212
    assert receptive_field(vgg).jump == 32
    k, s, p = sp.symbols("k s p", integer=True, positive=True)
    rf = receptive_field([(k, s, p)] * 3)
    for kv, sv, pv in [(3, 2, 1), (5, 1, 2), (2, 3, 1)]:
        sub = {k: kv, s: sv, p: pv}
        concrete = receptive_field([(kv, sv, pv)] * 3)
        assert (rf.size.subs(sub), rf.jump.subs(sub), rf.start.subs(sub)) == \
            (concrete.size, concrete.jump, concrete.start)


@pytest.mark.parametrize("layers, match", [
    ([(3,)], "layer 0 must be"),
    ([(3, 0)], "stride must be >= 1"),
    ([{"kernel": 3}], "kernel_size"),
    ([(3, 1, -1)], "padding must be >= 0"),
    (5, "sequence of layers"),
])
def test_receptive_field_errors(layers, match):
    with pytest.raises(SymconvError, match=match):
        receptive_field(layers)


def test_same_padding_messages_say_which_rule_refuses_it():
    with pytest.raises(ShapeError, match=r"padding='same' applies to convolutions only"):
        conv_transpose_output_size(5, 3, padding="same")
    with pytest.raises(ShapeError, match=r"padding='same' applies to convolutions only"):
        pool_output_size(5, 3, padding="same")
    with pytest.raises(ShapeError, match=r"padding='same' requires stride 1 .*stride=2"):
        conv_output_size(5, 3, stride=2, padding="same")
    assert conv_output_size(5, 3, padding="same") == 5
