"""Padding, stride and output shapes: the size formulas (forward and transposed), the
notes' 32x32 example, 'same' padding for odd and even kernels, mirror padding, and the
discursive questions about strides."""

import itertools

import numpy as np
import sympy as sp
from sympy import floor, symbols

import symconv.numeric as sn
from symconv.nn.layers import conv_layer, conv_transpose_layer
from symconv.nn.shapes import conv_output_size, conv_transpose_output_size, same_padding

from . import _brute
from ._checks import exact_check, grid_check, instance_check, numeric_check, sympy_check
from ._keys import key, mistake
from ._registry import Check, exercise

TOPIC = "padding-stride"
SOURCE = "D2L 7.3 (padding and stride)"

_SIZES = {"n": {"domain": "positive integer", "max": 64},
          "k": {"domain": "positive integer", "max": 7},
          "p": {"domain": "nonnegative integer", "max": 3},
          "s": {"domain": "positive integer", "max": 4}}


@exercise("shapes-output-size", topic=TOPIC, title="The output-size formula",
          source="the notes' output dimension formula; D2L 7.3",
          prompt="""An input of length n is padded with p zeros on each side and a kernel of
          length k slides over it in steps of s. Give the number of output positions as a
          formula in n, k, p and s (assume n + 2p >= k).""")
def _output_size(s):
    n, k, p, st = symbols("n k p s", integer=True, positive=True)
    p = symbols("p", integer=True, nonnegative=True)
    formula = conv_output_size(n, k, stride=st, padding=p)
    s.figure("One instance of the rule: n = 7, k = 3, p = 1, s = 2 gives "
             "floor((7 + 2 - 3)/2) + 1 = 4 outputs; the highlighted window makes output 1.",
             "plot_layer", 7, 3, stride=2, padding=1, at=1)
    s.say("The windows start at 0, s, 2s, ... and the last start must leave room for the "
          "kernel: start + k <= n + 2p. So the number of starts is floor((n + 2p - k)/s) + 1. "
          "With s = 1 this is n + 2p - k + 1, and p = (k - 1)/2 keeps the size.")
    wrong = [
        mistake(floor((n + 2 * p - k) / st), "Count the first window too: the formula ends in "
                                             "+ 1.", 0.5),
        mistake(sp.ceiling((n + 2 * p - k) / st) + 1, "Round down: a last window that does not "
                                                       "fit completely is not computed.", 0.5,
                agrees="s divides n + 2p - k: no partial last window"),
        mistake(conv_output_size(n, k, stride=st, padding=(p, 0)),
                "The padding is added on both sides: 2p, not p.", 0.5,
                agrees="p = 0, or the p missing zeros do not complete another window"),
        mistake(conv_transpose_output_size(n, k, stride=st, padding=p),
                "That is the size of a transposed convolution (it enlarges the input).", 0,
                agrees="isolated sizes, e.g. s = 1 with k = 2p + 1"),
    ]
    grid = [(nn, kk, pp, ss) for nn, kk, pp, ss in itertools.product(range(1, 13), range(1, 6),
                                                                     range(0, 3), range(1, 4))
            if nn + 2 * pp >= kk]
    rng = np.random.default_rng(3)
    x = rng.standard_normal((1, 1, 23))
    w = rng.standard_normal((1, 1, 4))
    numeric_len = sn.conv_layer(x, w, stride=3, padding=2).shape[-1]
    s.part(answer=formula,
           key=key("expression", formula, points=2, variables=_SIZES, constraints=["n + 2p >= k"],
                   mistakes=wrong),
           checks=[grid_check(lambda *a: formula.subs(dict(zip((n, k, p, st), a))),
                              lambda nn, kk, pp, ss: _brute.count_windows(nn, kk, ss, pp), grid,
                              "the formula against counting window starts one by one for "
                              "n <= 12, k <= 5, p <= 2, s <= 3"),
                   instance_check(formula.subs({n: 23, k: 4, p: 2, st: 3}), numeric_len,
                                  "the length produced by symconv.numeric.conv_layer for "
                                  "n = 23, k = 4, p = 2, s = 3")])


@exercise("shapes-transposed-size", topic=TOPIC, title="The output size of a transposed "
                                                        "convolution",
          source="the notes' transposed convolution section",
          prompt="""A transposed convolution spreads each of its n input values over a copy of
          a length-k kernel, the copies placed s apart; the overlaps are added, and p entries
          are then cut off at each end. How long is the output?""")
def _transposed_size(s):
    n, k, st = symbols("n k s", integer=True, positive=True)
    p = symbols("p", integer=True, nonnegative=True)
    formula = conv_transpose_output_size(n, k, stride=st, padding=p)
    s.figure("One instance: n = 3 inputs, k = 3, s = 2, p = 1 gives (3 - 1)·2 + 3 - 2 = 5 "
             "outputs; the transposed layer is a convolution over the zero-stuffed input.",
             "plot_layer", 3, 3, stride=2, padding=1, transposed=True)
    s.say("The last copy starts at (n - 1)s and ends at (n - 1)s + k - 1, so the full output "
          "has (n - 1)s + k entries; removing p at both ends leaves (n - 1)s + k - 2p. It "
          "inverts the forward size rule: a convolution with the same k, s, p maps this length "
          "back to n (exactly when (n - 1)s + k - 2p is not cut short by the floor).")
    grid = [(nn, kk, pp, ss) for nn, kk, pp, ss in itertools.product(range(1, 8), range(1, 6),
                                                                     range(0, 3), range(1, 4))
            if (nn - 1) * ss + kk - 2 * pp >= 1]
    s.part(answer=formula,
           key=key("expression", formula, points=2, variables=_SIZES,
                   constraints=["(n - 1)s + k - 2p >= 1"], mistakes=[
                       mistake(conv_output_size(n, k, stride=st, padding=p),
                               "That is the forward (downsampling) formula; the transposed "
                               "convolution goes the other way.", 0,
                               agrees="isolated sizes, e.g. s = 1 with k = 2p + 1"),
                       mistake(n * st + k - 2 * p, "The first copy starts at 0: there are "
                                                   "n - 1 gaps of s, not n.", 0.5),
                       mistake(conv_transpose_output_size(n, k, stride=st, padding=(p, 0)),
                               "The padding is removed at both ends: 2p.", 0.5,
                               agrees="p = 0")]),
           checks=[grid_check(lambda *a: formula.subs(dict(zip((n, k, p, st), a))),
                              lambda nn, kk, pp, ss: _brute.transposed_length(nn, kk, ss, pp),
                              grid, "the formula against the length of a scatter-add loop for "
                                    "n <= 7, k <= 5, p <= 2, s <= 3")])


@exercise("d2l-7.3.1", topic=TOPIC, title="A rectangular kernel with uneven padding and stride",
          source=SOURCE + ", exercise 1",
          prompt="""An 8x8 input is convolved with a 3x5 kernel (height x width), padding 0 rows
          and 1 column on each side, and strides 3 (vertical) and 4 (horizontal). What is the
          output shape?""")
def _rect_kernel(s):
    shape = [conv_output_size(8, 3, stride=3, padding=0), conv_output_size(8, 5, stride=4, padding=1)]
    s.figure("The 8x8 input with one zero column on each side, the 3x5 kernel at strides "
             "(3, 4): a 2x2 output.", "plot_layer", (8, 8), (3, 5), stride=(3, 4),
             padding=(0, 1), at=(1, 1))
    s.say("Apply the size rule per axis: height floor((8 - 3)/3) + 1 = 2, width "
          "floor((8 + 2 - 5)/4) + 1 = 2.")
    y = sn.conv_layer(np.zeros((1, 1, 8, 8)), np.zeros((1, 1, 3, 5)), stride=(3, 4),
                      padding=(0, 1))
    s.part(answer=shape,
           key=key("sequence", shape, mistakes=[
               mistake([conv_output_size(8, 3, stride=3), conv_output_size(8, 5, stride=4)],
                       "The width has one column of padding on each side.", 0.5),
               mistake([(8 - 3) // 3 + 1 - 1, (8 + 2 - 5) // 4], "Each axis has floor(...) + 1 "
                                                                 "positions.", 0.25)]),
           checks=[exact_check(shape, list(y.shape[2:]), "the shape produced by "
                                                          "symconv.numeric.conv_layer"),
                   exact_check(shape, [_brute.count_windows(8, 3, 3, 0),
                                       _brute.count_windows(8, 5, 4, 1)],
                               "counting the window starts along each axis")])


@exercise("shapes-filter-5x5-pad2", topic=TOPIC, title="A 5x5 filter with padding 2 on 32x32 "
                                                        "images",
          source="worked example of the notes (the forward pass of a convolution)",
          prompt="""A batch of 10 RGB images of size 32x32 is stored channel-first, shape
          (10, 3, 32, 32). One filter of shape (1, 3, 5, 5) with a bias is applied with zero
          padding 2 and stride 1. What is the shape of the output?""")
def _filter_5x5(s):
    side = conv_output_size(32, 5, stride=1, padding=2)
    s.figure("The same rule on a 7x7 input: a 5x5 kernel with padding 2 and stride 1 keeps "
             "the size (7 + 4 - 5 + 1 = 7).", "plot_layer", (7, 7), 5, padding=2, at=(0, 0))
    shape = [10, 1, side, side]
    s.say("The batch size is kept, the number of output channels is the number of filters "
          "(the filter spans all 3 input channels), and each spatial size is "
          "(32 + 2*2 - 5)/1 + 1 = 32: padding (k - 1)/2 = 2 keeps the size.")
    rng = np.random.default_rng(11)
    y = sn.conv_layer(rng.standard_normal((10, 3, 32, 32)), rng.standard_normal((1, 3, 5, 5)),
                      rng.standard_normal(1), padding=2)
    s.part(answer=shape,
           key=key("sequence", shape, mistakes=[
               mistake([10, 1] + [conv_output_size(32, 5)] * 2,
                       "Without padding the output would shrink to 28; here 2 zeros are added "
                       "on each side.", 0.25),
               mistake([10, 1] + [conv_output_size(32, 5, padding=(2, 0))] * 2,
                       "The padding is added on both sides of each axis.", 0.5),
               mistake([10, 3, side, side], "A filter sums over all input channels: one output "
                                            "channel per filter.", 0.5)]),
           checks=[exact_check(shape, list(y.shape), "the shape of symconv.numeric.conv_layer's "
                                                      "output on random data (seed 11)")])


@exercise("shapes-same-odd", topic=TOPIC, title="'Same' padding for an odd kernel",
          source="D2L 7.3 (padding); the notes' padding section",
          prompt="""With stride 1 and a kernel of odd size k, how many zeros p must be added on
          each side so that the output has the same length as the input?""")
def _same_odd(s):
    k = symbols("k", integer=True, positive=True)
    m = symbols("m", integer=True, nonnegative=True)
    lo, hi = same_padding(2 * m + 1)
    answer = sp.factor(lo.subs(m, (k - 1) / 2))
    n = symbols("n", integer=True, positive=True)
    kept = conv_output_size(n, 2 * m + 1, padding=answer.subs(k, 2 * m + 1))
    s.figure("k = 3, p = (k - 1)/2 = 1: the output of a 5x5 input is again 5x5.",
             "plot_layer", (5, 5), 3, padding=1, at=(0, 0))
    s.say("The output length is n + 2p - k + 1, which equals n when 2p = k - 1. For odd k the "
          "two sides get the same amount, (k - 1)/2 (symconv.nn.shapes.same_padding(2m + 1) gives "
          f"({lo}, {hi})).")
    s.part(answer=answer,
           key=key("expression", answer,
                   variables={"k": {"domain": "positive integer", "max": 31}},
                   constraints=["mod(k, 2) = 1"], mistakes=[
                       mistake(k - 1, "That is the total padding; half of it goes on each "
                                      "side.", 0.5,
                               agrees="k = 1 (no padding)"),
                       mistake(k / 2, "For odd k this is not an integer: the total must be "
                                      "k - 1.", 0)]),
           checks=[grid_check(lambda nn, kk: nn + 2 * answer.subs(k, kk) - kk + 1,
                              lambda nn, kk: _brute.count_windows(nn, kk, 1, int(answer.subs(k, kk))),
                              [(nn, kk) for nn in range(1, 15) for kk in range(1, 10, 2)
                               if nn + kk - 1 >= kk],
                              "n + 2p - k + 1 with p = (k - 1)/2 against counting window "
                              "starts, n <= 14, odd k <= 9"),
                   sympy_check(kept, n, "for every odd k = 2m + 1 and every n, the output size "
                                        "conv_output_size(n, 2m + 1, padding=m) (symconv.nn.shapes, "
                                        "symbolic) against n")])


@exercise("shapes-same-even", topic=TOPIC, title="'Same' padding for an even kernel",
          source="the notes' Conv2dSame module (padding with an even kernel)",
          prompt="""With stride 1 and a kernel of even size k the zeros cannot be split evenly.
          (a) How many zeros are needed in total (both sides together) to keep the length?
          (b) PyTorch's padding='same' puts the extra zero on one side. For k = 4, give the
          pair (zeros before, zeros after) that it uses.""")
def _same_even(s):
    k = symbols("k", integer=True, positive=True)
    lo, hi = same_padding(4)
    s.figure(f"k = 4 with PyTorch's 'same' split ({lo} before, {hi} after): the length 6 is "
             "kept.", "plot_layer", 6, 4, padding=(lo, hi), at=0)
    m = symbols("m", integer=True, positive=True)
    total = sp.expand(sp.sympify(sum(same_padding(2 * m))).subs(m, k / 2))
    s.say("The length n + p_total - k + 1 equals n when p_total = k - 1, which is odd for even "
          "k. PyTorch (and TensorFlow) put floor((k - 1)/2) zeros before and the rest after, "
          f"so k = 4 gets ({lo}, {hi}). A module that pads k//2 before and k//2 - 1 after, as "
          "some code does, also keeps the size but shifts the output by one position relative "
          "to PyTorch's.")
    s.part("a", answer=total, prompt="total padding for even k",
           key=key("expression", total, variables={"k": {"domain": "positive integer", "max": 32}},
                   constraints=["mod(k, 2) = 0"], mistakes=[
                       mistake(k, "k zeros make the output one longer than the input.", 0),
                       mistake(k / 2 - 1, "That is only the smaller side.", 0.25)]),
           checks=[grid_check(lambda nn, kk: nn,
                              lambda nn, kk: _brute.count_windows(nn, kk, 1, (kk - 1) // 2, kk // 2),
                              [(nn, kk) for nn in range(4, 16) for kk in (2, 4, 6, 8) if nn >= kk],
                              "output length n with k - 1 zeros split floor/ceil, counted "
                              "window by window, n <= 15, k <= 8")])
    pair = [lo, hi]
    rng = np.random.default_rng(5)
    x = rng.standard_normal((1, 1, 9, 12))
    w = rng.standard_normal((1, 1, 4, 4))
    same = sn.conv_layer(x, w, padding="same")
    explicit = sn.conv_layer(x, w, padding=((lo, hi), (lo, hi)))
    notes = sn.conv_layer(x, w, padding=((hi, lo), (hi, lo)))
    shifted = bool(np.allclose(notes[..., 1:, 1:], same[..., :-1, :-1]))
    s.part("b", answer=pair, prompt="PyTorch's split for k = 4",
           note=f"Checked: padding (2, 1) instead gives the same size, its output shifted by "
                f"one position in each axis ({'confirmed' if shifted else 'NOT confirmed'} "
                f"on random data).",
           key=key("sequence", pair, mistakes=[
               mistake([hi, lo], "Same length, but PyTorch puts the extra zero after (right and "
                                 "bottom), not before.", 0.5),
               mistake([2, 2], "Two zeros on each side give an output one longer than the "
                               "input.", 0)]),
           checks=[exact_check([int(v) for v in same.shape], [int(v) for v in explicit.shape],
                               "the shape with explicit padding ((1, 2), (1, 2))"),
                   numeric_check(same, explicit, "symconv.numeric.conv_layer with padding='same' "
                                                 "against explicit padding ((1, 2), (1, 2)), "
                                                 "random data", seed=5, tolerance=0.0)])


@exercise("d2l-7.3.3", topic=TOPIC, title="Mirror padding",
          source=SOURCE + ", exercise on mirror padding",
          prompt="""Instead of zeros, pad a signal with its mirror image at each end, without
          repeating the edge value. Pad x = [1, 2, 3, 4] by two entries on each side.""")
def _mirror(s):
    x = [1, 2, 3, 4]
    padded = list(conv_layer([[x]], [[[1]]], padding=2, padding_mode="reflect")[0, 0])
    s.say("Reflection without repeating the edge continues x[-i] = x[i] and "
          "x[n - 1 + i] = x[n - 1 - i]. A convolution with the one-tap kernel [1] returns its "
          "padded input unchanged, so symconv.nn.layers.conv_layer(..., padding_mode='reflect') "
          "shows the padding itself.")
    s.part(answer=padded,
           key=key("sequence", padded, mistakes=[
               mistake([int(v) for v in np.pad(x, 2, mode="symmetric")],
                       "That mirror repeats the edge value (symmetric padding); reflect "
                       "about the edge sample instead.", 0.5),
               mistake([int(v) for v in np.pad(x, 2, mode="edge")],
                       "That repeats the edge value (replicate padding), it does not mirror.",
                       0.25),
               mistake([int(v) for v in np.pad(x, 2, mode="wrap")],
                       "That wraps around (circular padding).", 0.25)]),
           checks=[exact_check(padded, [int(v) for v in np.pad(x, 2, mode="reflect")],
                               "numpy.pad(x, 2, mode='reflect')")])


@exercise("d2l-7.3.4", topic=TOPIC, title="What a stride saves",
          source=SOURCE + ", exercise on the computational benefits of strides",
          prompt="""A layer with a k x k kernel is applied to an n x n input with stride s in both
          directions instead of stride 1 (same padding p). For large n, by what factor does
          the number of multiply-adds go down?""")
def _stride_saving(s):
    n, k, st = symbols("n k s", integer=True, positive=True)
    p = symbols("p", integer=True, nonnegative=True)
    ratio_exact = (conv_output_size(n, k, padding=p) / conv_output_size(n, k, stride=st,
                                                                        padding=p)) ** 2
    big = sp.Integer(10) ** 6
    s.figure("Stride 2 on a 7x7 input (k = 3, p = 1): 4x4 outputs instead of 7x7, about "
             "s² = 4 times fewer windows.", "plot_layer", (7, 7), 3, stride=2, padding=1,
             at=(1, 2))
    factor = st ** 2
    s.say("The work per output position (k*k multiply-adds per channel pair) does not depend "
          "on the stride; the number of positions per axis drops from n + 2p - k + 1 to "
          "floor((n + 2p - k)/s) + 1, about 1/s as many. Over two axes the saving tends to s^2. "
          "Memory for the output shrinks by the same factor.")
    points = [(kk, pp, ss) for kk in (1, 3, 5) for pp in (0, 1) for ss in (1, 2, 3, 4)]
    worst = max(abs(float(ratio_exact.subs({n: big, k: kk, p: pp, st: ss})) / ss ** 2 - 1)
                for kk, pp, ss in points)
    s.part(answer=factor,
           key=key("expression", factor, variables={"s": {"domain": "positive integer", "max": 8}},
                   mistakes=[mistake(st, "The stride applies along both axes.", 0.5,
                                     agrees="s = 1")]),
           checks=[Check("confirmed" if worst < 1e-5 else "refuted", "numeric",
                         f"the exact ratio of output counts (from symconv.nn.shapes."
                         f"conv_output_size) at n = 10^6 is within {worst:.2g} of s^2 for "
                         f"k in 1, 3, 5, p in 0, 1, s in 1..4", tolerance=1e-5, seed=0)])


@exercise("d2l-7.3.2", topic=TOPIC, title="A stride of 2 for audio",
          source=SOURCE + ", exercise on audio",
          prompt="""For an audio signal, what does a convolution with stride 2 correspond to?""")
def _audio_stride(s):
    s.figure("Stride 2 in one dimension (k = 3, n = 9): the windows start at every second "
             "sample, so the output has half the sampling rate.", "plot_layer", 9, 3, stride=2,
             at=2)
    s.part(written=True, answer=(
        "It filters the waveform and then keeps every second output, i.e. it halves the "
        "sampling rate (decimation by 2). Each output stands for twice as long a stretch of "
        "time, the frequencies that the new rate can represent are halved (the new Nyquist "
        "frequency is a quarter of the original sampling rate), and the kernel acts as the "
        "anti-aliasing low-pass filter that a careful downsampler applies first. Stacking "
        "strided layers builds a time hierarchy: milliseconds at the bottom, syllables and "
        "words higher up."))


@exercise("d2l-7.3.5", topic=TOPIC, title="Statistical effects of a stride",
          source=SOURCE + ", exercise on the statistical benefits of strides",
          prompt="""Apart from saving computation, why might a stride larger than 1 help a
          model statistically?""")
def _stride_statistics(s):
    s.part(written=True, answer=(
        "Neighbouring pixels are strongly correlated, so outputs one pixel apart carry "
        "nearly the same information; skipping them loses little while reducing the size "
        "of every later layer and, with it, the parameters of any dense layers on top, "
        "which lowers the risk of overfitting. A stride also grows the receptive field of "
        "later layers quickly (the jump between neighbouring outputs multiplies), so deep "
        "units see large regions with few layers, and it adds a little tolerance to small "
        "shifts of the input. The price is aliasing: fine detail above the new sampling rate "
        "can fold into spurious patterns, which is why a smoothing filter before the stride "
        "helps."))


@exercise("d2l-7.3.6", topic=TOPIC, title="A stride of 1/2",
          source=SOURCE + ", exercise on fractional strides",
          prompt="""How could a stride of 1/2 be implemented, and what does it correspond to?""")
def _half_stride(s):
    a, b, c = symbols("a b c")
    x, y, z = symbols("x y z")
    direct = list(conv_transpose_layer([[[a, b, c]]], [[[x, y, z]]], stride=2)[0, 0])
    stuffed = [a, 0, b, 0, c]
    via_zeros = _brute.conv1d_full(stuffed, [x, y, z])
    s.figure("Stride 1/2 as a transposed convolution with stride 2: zeros are inserted "
             "between the three inputs, then a kernel of length 3 slides with stride 1.",
             "plot_layer", 3, 3, stride=2, transposed=True)
    s.part(written=True, answer=(
        "Move the kernel half a pixel per output, i.e. produce two outputs per input sample: "
        "insert a zero between neighbouring input samples (and pad), then convolve with "
        "stride 1. This is the transposed convolution with stride 2, also called a "
        "fractionally strided convolution; it upsamples by 2 and, with a learned kernel, "
        "interpolates between the samples. It is used to enlarge feature maps in decoders "
        "and generators. The check below confirms the equivalence on the sequence "
        "[a, b, c] with the kernel [x, y, z]."),
        checks=[exact_check(direct, via_zeros,
                            "zero insertion [a, 0, b, 0, c] followed by a full stride-1 "
                            "convolution with [x, y, z] (symconv.nn.layers.conv_transpose_layer, "
                            "stride 2, on the other side)")])
