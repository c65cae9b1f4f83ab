"""Pooling: the worked example, output sizes, average pooling as a convolution, why max
pooling is not one, max with ReLUs, minimum pooling, and the cost of a pooling layer."""

import itertools

import numpy as np
import sympy as sp
from sympy import Matrix, Rational, symbols

import symconv.numeric as sn
from symconv.nn.layers import conv_layer, corr2d, pool2d, pool_layer
from symconv.nn.shapes import conv_output_size, pool_output_size

from . import _brute
from ._checks import exact_check, grid_check, numeric_check
from ._keys import key, mistake
from ._registry import Check, exercise

TOPIC = "pooling"
SOURCE = "D2L 7.5 (pooling)"


@exercise("pooling-2x2", topic=TOPIC, title="Max and average pooling of a 3x3 input",
          source="worked example of the notes (pool2d)",
          prompt="""Pool the input with rows (0, 1, 2), (3, 4, 5), (6, 7, 8) with a 2x2 window,
          stride 1 and no padding: (a) with the maximum, (b) with the average.""")
def _pool_example(s):
    X = Matrix(3, 3, range(9))
    mx = Matrix(pool2d(X, (2, 2)).tolist())
    av = Matrix(pool2d(X, (2, 2), "avg").tolist())
    # the anticipated mistakes, each computed from the wrong reasoning its feedback names
    whole = Matrix(pool2d(X, (3, 3)).tolist())                     # one window: the whole input
    stride2 = Matrix(pool_layer([[X.tolist()]], 2)[0, 0].tolist())  # stride = window (2)
    window_sum = Matrix(corr2d(X, Matrix.ones(2, 2)).tolist())     # weights 1, not 1/4
    s.say("The four windows are the same as for a 2x2 convolution; pooling replaces the "
          "weighted sum by the maximum or the mean of the window and has no parameters.")
    s.part("a", answer=mx, prompt="maximum",
           key=key("matrix", mx, mistakes=[
               mistake(av, "That is the average; max pooling keeps the largest entry.", 0),
               mistake(whole, "That is the maximum of the whole 3x3 input; a 2x2 window "
                              "with stride 1 has four positions, one maximum each.", 0),
               mistake(stride2, "That is pooling with stride 2 (only the top-left window "
                                "fits); with stride 1 the 2x2 window has four positions.", 0)]),
           checks=[exact_check(mx, _brute.pool2d(X, 2, 1, "max"), "a loop over the windows")])
    s.part("b", answer=av, prompt="average",
           key=key("matrix", av, mistakes=[
               mistake(mx, "That is the maximum; average pooling takes the mean.", 0),
               mistake(window_sum, "That is the window sum; divide by the 4 entries.", 0.5)]),
           checks=[exact_check(av, _brute.pool2d(X, 2, 1, "avg"), "a loop over the windows")])


@exercise("pooling-output-size", topic=TOPIC, title="Output sizes of pooling layers",
          source="D2L 7.5 (padding and stride of pooling); the AlexNet walk of the notes",
          prompt="""(a) AlexNet max-pools its first 55x55 feature map with 3x3 windows and
          stride 2. What is the output size? (b) A 6-long input is max-pooled with window 3
          and stride 2 in ceil mode (a last, partial window is kept when it starts inside the
          input). How long is the output?""")
def _pool_sizes(s):
    a = pool_output_size(55, 3, stride=2)
    b = pool_output_size(6, 3, stride=2, ceil_mode=True)
    s.say("Pooling uses the convolution size rule floor((n + 2p - k)/s) + 1: "
          "floor((55 - 3)/2) + 1 = 27 (overlapping windows). In ceil mode the division is "
          "rounded up, ceil((6 - 3)/2) + 1 = 3, as long as the last window still starts "
          "inside the input.")
    x = np.arange(55.0 * 55).reshape(1, 1, 55, 55)
    s.part("a", answer=a, prompt="55x55, window 3, stride 2",
           key=key("integer", a, mistakes=[
               mistake(pool_output_size(55, 3), "The stride is 2, not the window size: the "
                                                "windows overlap.", 0),
               mistake(a - 1, "Count the first window: floor(...) + 1.", 0.5)]),
           checks=[exact_check(a, sn.pool_layer(x, 3, stride=2).shape[-1],
                               "the size produced by symconv.numeric.pool_layer"),
                   exact_check(a, _brute.count_windows(55, 3, 2, 0), "counting window starts")])
    y = sn.pool_layer(np.arange(6.0).reshape(1, 1, 6), 3, stride=2, ceil_mode=True)
    s.part("b", answer=b, prompt="length 6, window 3, stride 2, ceil mode",
           key=key("integer", b, mistakes=[
               mistake(pool_output_size(6, 3, stride=2), "That is floor mode; ceil mode keeps "
                                                         "the partial last window.", 0.25)]),
           checks=[exact_check(b, y.shape[-1], "the length produced by symconv.numeric."
                                                "pool_layer(ceil_mode=True)")])


@exercise("d2l-7.5.1", topic=TOPIC, title="Average pooling is a convolution",
          source=SOURCE + ", exercise 1",
          prompt="""Implement 2x2 average pooling with stride 2 as a convolutional layer on one
          channel: (a) give its 2x2 kernel; (b) give its stride.""")
def _avg_as_conv(s):
    xs = sp.Array(symbols("x0:16")).reshape(1, 1, 4, 4)
    kernel = Matrix(2, 2, [Rational(1, 4)] * 4)
    pooled = pool_layer(xs, 2, mode="avg")
    as_conv = conv_layer(xs, [[kernel.tolist()]], stride=2)
    s.say("The mean of a window is a weighted sum with equal weights 1/(window size), and "
          "non-overlapping windows mean a stride equal to the window. On a symbolic 4x4 input "
          "the two layers agree entry by entry.")
    s.part("a", answer=kernel, prompt="kernel",
           key=key("matrix", kernel, mistakes=[
               mistake(Matrix(2, 2, [1] * 4), "Ones give the window sum; divide by the 4 "
                                              "entries.", 0.5),
               mistake(Matrix(2, 2, [Rational(1, 2)] * 4), "The weights must add up to 1: "
                                                           "1/4 each.", 0.25)]),
           checks=[exact_check(as_conv, pooled, "symconv.nn.layers.pool_layer(mode='avg') on a "
                                                "symbolic 4x4 input")])
    stride = 2
    s.part("b", answer=stride, prompt="stride",
           key=key("integer", stride, mistakes=[
               mistake(1, "Stride 1 gives overlapping windows; pooling layers default to a "
                          "stride equal to the window.", 0)]),
           checks=[exact_check(list(conv_layer(xs, [[kernel.tolist()]], stride=stride).shape),
                               list(pooled.shape), "the pooled shape (1, 1, 2, 2)")])


@exercise("d2l-7.5.2", topic=TOPIC, title="Max pooling is not a convolution",
          source=SOURCE + ", exercise 2",
          prompt="""Prove that max pooling cannot be written as a convolution (a linear layer)
          alone.""")
def _max_not_conv(s):
    x = [[[1, 0]]]
    y = [[[0, 1]]]
    both = [[[1, 1]]]
    lhs = pool_layer(both, 2)[0, 0, 0]
    rhs = pool_layer(x, 2)[0, 0, 0] + pool_layer(y, 2)[0, 0, 0]
    s.part(written=True, answer=(
        "A convolution (with any kernel, stride and padding, without bias) is a linear map: "
        "conv(x + y) = conv(x) + conv(y) and conv(c x) = c conv(x). Max pooling is not "
        "additive: on the two-sample windows x = [1, 0] and y = [0, 1] the pooled values are "
        f"1 and 1, but x + y = [1, 1] pools to {lhs}, not {rhs}. A single counterexample "
        "suffices, so no kernel reproduces max pooling. (It is positively homogeneous for "
        "c >= 0 but not for c = -1, since max(-x) = -min(x).) With a bias the layer is affine, "
        "and the same example applied to the differences still contradicts it."),
        checks=[Check("proven" if lhs != rhs else "refuted", "counterexample",
                      f"symconv.nn.layers.pool_layer gives max([1, 1]) = {lhs} but "
                      f"max([1, 0]) + max([0, 1]) = {rhs}: additivity fails")])


@exercise("d2l-7.5.3", topic=TOPIC, title="The maximum from ReLUs",
          source=SOURCE + ", exercise 3",
          prompt="""Let ReLU(x) = max(x, 0). (a) Write max(a, b) using additions, subtractions and
          one ReLU (type ReLU(x) as max(x, 0)). (b) Use this to build 2x2 max pooling from
          convolutions and ReLU layers. How many such stages does a 2x2 window need, and how
          many a 3x3 window?""")
def _relu_max(s):
    a, b, t = symbols("a b t", real=True)
    tpos = symbols("t", nonnegative=True)

    def relu(x):
        return sp.Max(x, 0)

    form = b + relu(a - b)
    case1 = sp.simplify(form.subs(a, b + tpos) - sp.Max(b + tpos, b))
    case2 = sp.simplify(form.subs(a, b - tpos) - sp.Max(b - tpos, b))
    s.say("If a >= b then ReLU(a - b) = a - b and the sum is a; otherwise ReLU(a - b) = 0 "
          "and the sum is b. The symmetric form (a + b)/2 + (ReLU(a - b) + ReLU(b - a))/2 "
          "also works.")
    s.part("a", answer=form, prompt="max(a, b) with one ReLU",
           text="b + max(a - b, 0)",
           key=key("expression", form, variables={"a": {"domain": "real"},
                                                  "b": {"domain": "real"}},
                   operations=["add", "relu"], at_most={"relu": 1},
                   mistakes=[
                       mistake(relu(a) + relu(b), "ReLU(a) + ReLU(b) adds both positive "
                                                  "parts: for a = b = 1 it gives 2.", 0,
                               agrees="min(a, b) <= 0 <= max(a, b)"),
                       mistake((a + b) / 2 + relu(a - b) / 2,
                               "Right for a >= b, but for b > a this gives the mean (a + b)/2, "
                               "not b: half of |a - b| is missing there. With one ReLU, start "
                               "from b and add the part of a that exceeds it.", 0.25,
                               agrees="a >= b (the feedback says so)")]),
           checks=[Check("proven" if case1 == 0 and case2 == 0 else "refuted", "sympy",
                         "with a = b + t and a = b - t (t >= 0) SymPy reduces "
                         "b + max(a - b, 0) - max(a, b) to 0 in both cases")])
    rng = np.random.default_rng(4)
    x = rng.standard_normal((1, 1, 6, 6))

    def relu(v):
        return np.maximum(v, 0)

    def pair_max(u, v):
        return v + relu(u - v)

    # stage 1: horizontal pairs (two 1x2 convolutions pick the neighbours), stride 2
    left = sn.conv_layer(x, np.array([[[[1.0, 0.0]]]]), stride=(1, 2))
    right = sn.conv_layer(x, np.array([[[[0.0, 1.0]]]]), stride=(1, 2))
    rows = pair_max(left, right)
    top = sn.conv_layer(rows, np.array([[[[1.0], [0.0]]]]), stride=(2, 1))
    bottom = sn.conv_layer(rows, np.array([[[[0.0], [1.0]]]]), stride=(2, 1))
    built = pair_max(top, bottom)
    s.part("b", written=True, prompt="max pooling from convolutions and ReLUs", answer=(
        "A pairwise maximum is one stage: a convolution that forms u - v (and passes v "
        "along in a second channel), a ReLU, and a 1x1 convolution that adds v back. A "
        "window of m entries needs a tree of pairwise maxima, ceil(log2 m) stages deep with "
        "m - 1 maxima: 2 stages for a 2x2 window (first the two horizontal pairs, then the "
        "two results), 4 stages for a 3x3 window (9 -> 5 -> 3 -> 2 -> 1). Each stage needs "
        "two channels per value it carries (the difference and the passed-along value), so "
        "a 2x2 window uses 2 + 2 channels in its two stages. The check builds 2x2 max "
        "pooling this way from 1x2 and 2x1 convolutions with NumPy ReLUs and compares it with "
        "the pooling layer."),
        checks=[numeric_check(built, sn.pool_layer(x, 2),
                              "two stages of convolution + ReLU against symconv.numeric."
                              "pool_layer(2) on random data", tolerance=1e-12, seed=4)])


@exercise("d2l-7.5.4", topic=TOPIC, title="The cost of a pooling layer",
          source=SOURCE + ", exercise 4",
          prompt="""A max-pooling layer with a p_h x p_w window, padding (p_h, p_w) and strides
          (s_h, s_w) is applied to an input of size c x h x w. (a) Write the output height o_h
          as a formula in h, p_h and s_h. (b) Count the comparisons: how many does the layer
          make? Answer in terms of c, o_h, o_w, p_h and p_w.""")
def _pool_cost(s):
    c, oh, ow, ph, pw, h, sh = symbols("c o_h o_w p_h p_w h s_h", integer=True, positive=True)
    height = conv_output_size(h, ph, stride=sh, padding=ph)
    comparisons = c * oh * ow * (ph * pw - 1)
    s.say("Each window of p_h p_w entries needs p_h p_w - 1 comparisons to find its maximum, "
          "and there are c o_h o_w windows, with o_h = floor((h + 2p_h - p_h)/s_h) + 1 = "
          "floor((h + p_h)/s_h) + 1 (the usual size rule) and o_w likewise. Average pooling "
          "needs p_h p_w - 1 additions and one division per window instead. There are no "
          "parameters and no multiplications by weights.")
    sizes = {"h": {"domain": "positive integer", "max": 64},
             "p_h": {"domain": "positive integer", "max": 5},
             "s_h": {"domain": "positive integer", "max": 4}}
    s.part("a", answer=height, prompt="output height o_h",
           key=key("expression", height, variables=sizes, mistakes=[
               mistake(conv_output_size(h, ph, stride=sh), "The padding is missing: p_h zeros "
                                                          "are added on each side, so the padded "
                                                          "height is h + 2p_h.", 0.5,
                       agrees="when the 2p_h missing zeros do not complete another window"),
               mistake(sp.floor((h + ph) / sh), "Count the first window: + 1.", 0.5)]),
           checks=[grid_check(lambda hh, pp, ss: height.subs({h: hh, ph: pp, sh: ss}),
                              lambda hh, pp, ss: _brute.count_windows(hh, pp, ss, pp),
                              list(itertools.product(range(1, 10), range(1, 4), range(1, 4))),
                              "the formula against counting window starts, h <= 9, "
                              "p_h <= 3, s_h <= 3")])

    def count(cc, out_h, out_w, kh, kw):
        comparisons_made = 0
        rng = np.random.default_rng(0)
        data = rng.standard_normal((cc, out_h * kh, out_w * kw))
        for ch, i, j in itertools.product(range(cc), range(out_h), range(out_w)):
            window = data[ch, i * kh:(i + 1) * kh, j * kw:(j + 1) * kw].ravel()
            best = window[0]
            for value in window[1:]:
                comparisons_made += 1
                best = value if value > best else best
        return comparisons_made

    variables = {str(v): {"domain": "positive integer", "max": 9} for v in (c, oh, ow, ph, pw)}
    s.part("b", answer=comparisons, prompt="number of comparisons",
           key=key("expression", comparisons, variables=variables, mistakes=[
               mistake(c * oh * ow * ph * pw, "Finding the maximum of m numbers takes m - 1 "
                                              "comparisons.", 0.75),
               mistake(oh * ow * (ph * pw - 1), "Every channel is pooled separately: times "
                                                "c.", 0.5,
                       agrees="c = 1")]),
           checks=[grid_check(lambda *v: comparisons.subs(dict(zip((c, oh, ow, ph, pw), v))),
                              count, list(itertools.product((1, 2), (1, 3), (2,), (1, 2, 3),
                                                            (2, 3))),
                              "the formula against counting the comparisons of a running-"
                              "maximum loop")])


@exercise("d2l-7.5.6", topic=TOPIC, title="Minimum pooling from maximum pooling",
          source=SOURCE + ", exercise 6",
          prompt="""Do we need a separate minimum-pooling layer? Write min(a, b) using max and
          negation only, and check that minimum pooling of X equals a max pooling of -X,
          negated.""")
def _min_pool(s):
    a, b = symbols("a b", real=True)
    t = symbols("t", nonnegative=True)
    form = -sp.Max(-a, -b)
    rng = np.random.default_rng(9)
    X = rng.integers(-9, 10, size=(4, 4)).tolist()
    via_max = (-Matrix(pool_layer([[[[-v for v in row] for row in X]]], 2)[0, 0].tolist()))
    brute_min = Matrix([[min(X[i][j], X[i][j + 1], X[i + 1][j], X[i + 1][j + 1])
                         for j in (0, 2)] for i in (0, 2)])
    s.say("Negation reverses order, so min(a, b) = -max(-a, -b); a minimum-pooling layer is a "
          "max-pooling layer between two negations, and no new layer is needed.")
    s.part(answer=form, text="-max(-a, -b)",
           key=key("expression", form, variables={"a": {"domain": "real"},
                                                  "b": {"domain": "real"}},
                   operations=["max", "negate"],
                   mistakes=[mistake(sp.Max(-a, -b), "Negate the result too: max(-a, -b) is "
                                                     "-min(a, b).", 0.25),
                             mistake(-sp.Max(a, b), "Negate the inputs before taking the "
                                                    "maximum.", 0)]),
           checks=[exact_check(form.subs({a: 3, b: -2}), sp.Min(3, -2), "min(3, -2)"),
                   exact_check(via_max, brute_min,
                               "2x2 minimum pooling by loops on a random integer 4x4 input "
                               "(seed 9), compared with -pool_layer(-X)"),
                   Check("proven" if all(sp.simplify((form - sp.Min(a, b)).subs(a, b + d)) == 0
                                         for d in (t, -t)) else "refuted",
                         "sympy", "with a = b + t and a = b - t (t >= 0) SymPy reduces "
                                  "-max(-a, -b) - min(a, b) to 0 in both cases")])


@exercise("d2l-7.5.5", topic=TOPIC, title="Why max and average pooling behave differently",
          source=SOURCE + ", exercise 5",
          prompt="""Why should we expect max pooling and average pooling to behave differently?""")
def _max_vs_avg(s):
    s.part(written=True, answer=(
        "Average pooling is linear: it is a low-pass filter followed by subsampling, so it "
        "smooths, keeps the overall intensity and lets every input contribute (and receive "
        "gradient) equally. Max pooling is nonlinear: it reports whether a feature fired "
        "anywhere in the window, ignores how many times and exactly where, is invariant to "
        "small shifts within the window, and passes the gradient only to the winning entry. "
        "For detectors of sparse features (edges, parts) the presence matters more than the "
        "average response, which a few strong activations would otherwise dilute; for dense "
        "statistics (texture, global summaries, the final global average pool) averaging is "
        "the better fit."))
