"""Multiple input and output channels: the worked examples, two stacked convolutions, the
cost of a layer as formulas, and 1x1 convolutions as matrix products."""

import itertools

import numpy as np
import sympy as sp
from sympy import Matrix, symbols

import symconv.numeric as sn
from symconv.signals.discrete import conv_seq
from symconv.nn.layers import conv_layer, corr2d_multi_in, corr2d_multi_in_out
from symconv.proofs import theorem
from symconv.nn.shapes import conv_output_size

from . import _brute
from ._checks import derivation_check, exact_check, grid_check, numeric_check, sympy_check
from ._keys import key, mistake
from ._registry import Check, exercise

TOPIC = "channels"
SOURCE = "D2L 7.4 (multiple input and multiple output channels)"

X2 = [[[0, 1, 2], [3, 4, 5], [6, 7, 8]], [[1, 2, 3], [4, 5, 6], [7, 8, 9]]]
K2 = [[[0, 1], [2, 3]], [[1, 2], [3, 4]]]


def _plus(K, c):
    return [[[v + c for v in row] for row in ch] for ch in K]


@exercise("channels-multi-in", topic=TOPIC, title="Two input channels, one output channel",
          source="worked example of the notes (corr2d_multi_in)",
          prompt="""The input has two channels, X0 with rows (0, 1, 2), (3, 4, 5), (6, 7, 8) and
          X1 with rows (1, 2, 3), (4, 5, 6), (7, 8, 9). The kernel has one 2x2 slice per
          channel: K0 with rows (0, 1), (2, 3) and K1 with rows (1, 2), (3, 4). Compute the
          single output channel.""")
def _multi_in(s):
    Y = Matrix(corr2d_multi_in(X2, K2).tolist())
    s.say("Each input channel is cross-correlated with its own kernel slice and the results "
          "are added: Y = X0 ⋆ K0 + X1 ⋆ K1.")
    per_channel = [Matrix(_brute.corr2d(x, k)) for x, k in zip(X2, K2)]
    s.part(answer=Y,
           key=key("matrix", Y, mistakes=[
               mistake(per_channel[0], "That is channel 0 alone; the contributions of all input "
                                       "channels are added.", 0.25),
               mistake(per_channel[1], "That is channel 1 alone; add channel 0's contribution.",
                       0.25)]),
           checks=[exact_check(Y, per_channel[0] + per_channel[1],
                               "the sum of the two channels' cross-correlations, each by "
                               "direct loops")])


@exercise("channels-multi-in-out", topic=TOPIC, title="Three output channels",
          source="worked example of the notes (corr2d_multi_in_out)",
          prompt="""The input has two channels, X0 with rows (0, 1, 2), (3, 4, 5), (6, 7, 8) and
          X1 with rows (1, 2, 3), (4, 5, 6), (7, 8, 9). The kernel K has one 2x2 slice per
          channel, K0 with rows (0, 1), (2, 3) and K1 with rows (1, 2), (3, 4). Stack three
          kernels: K, K + 1 and K + 2 (every entry increased by 1 and by 2), giving a kernel
          tensor of shape (3, 2, 2, 2). (a) What is the shape of the output? (b) Give the
          output channel produced by K + 2.""")
def _multi_in_out(s):
    Ks = [K2, _plus(K2, 1), _plus(K2, 2)]
    Y = corr2d_multi_in_out(X2, Ks)
    shape = list(Y.shape)
    s.say("Each kernel of shape (2, 2, 2) produces one output channel exactly as in "
          "channels-multi-in, so the output has shape (3, 2, 2). Since the input channels are "
          "summed, adding 1 to every kernel entry adds the sum of each input window over both "
          "channels.")
    s.part("a", answer=shape, prompt="output shape",
           key=key("sequence", shape, mistakes=[
               mistake([3, 2, 2, 2], "That is the kernel's shape; each kernel gives one 2x2 "
                                     "channel.", 0),
               mistake([len(X2)] + shape[1:], "That keeps the input's 2 channels; the "
                                              "output has one channel per kernel: three "
                                              "kernels, three channels.", 0.25)]),
           checks=[exact_check(shape, list(sn.conv_layer(np.array(X2, float)[None],
                                                          np.array(Ks, float)).shape[1:]),
                               "the shape from symconv.numeric.conv_layer")])
    Y2 = Matrix(Y[2].tolist())
    brute = Matrix(_brute.corr2d(X2[0], Ks[2][0])) + Matrix(_brute.corr2d(X2[1], Ks[2][1]))
    s.part("b", answer=Y2, prompt="the channel of K + 2",
           key=key("matrix", Y2, mistakes=[
               mistake(Matrix(Y[1].tolist()), "That is the channel of K + 1.", 0),
               mistake(Matrix(Y[0].tolist()).applyfunc(lambda v: v + 2), "Adding 2 to the kernel does not add 2 to the "
                                                  "output: it adds 2 times the window sums.", 0)]),
           checks=[exact_check(Y2, brute, "direct loops over both input channels of K + 2")])


@exercise("d2l-7.4.1", topic=TOPIC, title="Two stacked convolutions are one",
          source=SOURCE + ", exercise 1",
          prompt="""Two convolutional layers with kernels of sizes k1 and k2 are applied one after
          the other, with nothing in between (no nonlinearity, stride 1, no padding).
          (a) Show that the result is a single convolutional layer: for the 1-D kernels
          [a, b] and [c, d, e], give the single kernel. (b) How long is the single kernel in
          general? (c) Does every kernel split into two smaller ones?""")
def _stacked(s):
    a, b, c, d, e = symbols("a b c d e")
    k1, k2 = [a, b], [c, d, e]
    single = conv_seq(k1, k2)
    xs = list(symbols("x0:7"))
    twice = conv_layer(conv_layer([[xs]], [[k1]]), [[k2]])
    once = conv_layer([[xs]], [[single]])
    s.say("Layer by layer, y[n] = sum_m x[n + m] k1[m] and z[n] = sum_j y[n + j] k2[j] = "
          "sum_t x[n + t] sum_(m + j = t) k1[m] k2[j]. So z is one cross-correlation of x "
          "with the kernel k1 ∗ k2, the full convolution of the two kernels (the order does "
          "not matter, convolution being commutative). The same holds per axis in 2-D, and "
          "with channels the single kernel is a sum over the intermediate channels.")
    general = theorem("stacked_convolutions", kind="discrete")
    s.show(general, "The general statement, checked step by step by symconv.proofs (the "
                    "theorem library):")
    s.part("a", answer=single, prompt="the single kernel for [a, b] then [c, d, e]",
           key=key("sequence", single, variables={v: {"domain": "real"} for v in "abcde"},
                   mistakes=[
                       mistake(conv_seq(k1, k2[::-1]), "Flipping one kernel gives the "
                                                       "correlation of the kernels; stacked "
                                                       "layers compose by convolution.", 0.25),
                       mistake([a + c, b + d, e],
                               "Adding kernels is what two parallel layers do; layers applied "
                               "one after the other compose by convolution.", 0)]),
           checks=[exact_check(twice, once, "the two layers applied one after the other to a "
                                            "symbolic input of length 7 (symconv.nn.layers."
                                            "conv_layer twice versus once)"),
                   exact_check(single, _brute.conv1d_full(k1, k2),
                               "the full convolution of the kernels by a double loop"),
                   derivation_check(general, "the general identity (x ⋆ a) ⋆ b = x ⋆ (a ∗ b)")])
    K1, K2 = symbols("k1 k2", integer=True, positive=True)
    size = K1 + K2 - 1
    s.part("b", answer=size, prompt="size of the single kernel",
           key=key("expression", size,
                   variables={"k1": {"domain": "positive integer", "max": 20},
                              "k2": {"domain": "positive integer", "max": 20}},
                   mistakes=[mistake(K1 + K2, "The two kernels overlap in one tap: "
                                              "k1 + k2 - 1.", 0.25),
                             mistake(K1 * K2, "The sizes add (minus one), they do not "
                                              "multiply.", 0,
                                     agrees="k1 = 1 or k2 = 1")]),
           checks=[grid_check(lambda p, q: size.subs({K1: p, K2: q}),
                              lambda p, q: len(conv_seq([1] * p, [1] * q)),
                              [(p, q) for p in range(1, 8) for q in range(1, 8)],
                              "k1 + k2 - 1 against the length of symconv's full convolution "
                              "of two kernels, k1, k2 <= 7")])
    p, q, r, t = symbols("p q r t")
    equations = [v - w for v, w in zip(conv_seq([p, q], [r, t]), [1, 0, 1])]
    ideal = sp.groebner(equations, p, q, r, t, order="lex")
    no_real = ideal.contains(p ** 2 + q ** 2) and not ideal.contains(sp.S.One)
    s.part("c", written=True, prompt="can every kernel be split?", answer=(
        "No. Splitting a kernel into two is factoring a polynomial: the kernel [w0, ..., wk] "
        "corresponds to w0 + w1 z + ... + wk z^k and convolution multiplies polynomials. "
        "Over the real numbers a polynomial may have no factor of smaller degree, e.g. "
        "[1, 0, 1] corresponds to 1 + z^2, which has no real root, so it is not the "
        "convolution of two real 2-tap kernels (the check below solves the equations). In "
        "2-D most kernels are not even separable into a column times a row kernel (a 3x3 "
        "kernel is a product of a 3x1 and a 1x3 one only when it has rank 1). What is true "
        "is the converse direction used by VGG: a stack of small kernels realises kernels "
        "of a restricted family with fewer parameters."),
        checks=[Check("proven" if no_real else "refuted", "sympy",
                      "[p, q] ∗ [r, t] = [1, 0, 1] means p r = 1, p t + q r = 0, q t = 1; a "
                      "Groebner basis (SymPy) shows that p^2 + q^2 lies in the ideal of these "
                      "equations, so every solution has p^2 + q^2 = 0, impossible for real p, q "
                      "with p r = 1 (and the system has complex solutions, q = ±i p)")])


@exercise("d2l-7.4.2", topic=TOPIC, title="The cost of a convolutional layer",
          source=SOURCE + ", exercise 2",
          prompt="""An input of shape c_i x h x w is convolved with a kernel of shape
          c_o x c_i x k_h x k_w, padding p_h, p_w and strides s_h, s_w; let o_h and o_w be
          the output height and width. Answer each part in terms of c_i, c_o, k_h, k_w, o_h,
          o_w, h and w. (a) How many multiplications does the forward pass take (count
          products with padded zeros too)? (b) How many numbers must be held in memory for
          the forward pass: input, weights, biases and output? (c) How many multiplications
          does the backward pass take to get the gradients with respect to the input and the
          weights?""")
def _cost(s):
    ci, co, kh, kw, oh, ow, h, w = symbols("c_i c_o k_h k_w o_h o_w h w", integer=True,
                                           positive=True)
    forward = co * ci * kh * kw * oh * ow
    memory = ci * h * w + co * ci * kh * kw + co + co * oh * ow
    backward = 2 * forward
    s.say("Every output number (c_o o_h o_w of them) is a dot product of length c_i k_h k_w. "
          "Backward, the notes' loop adds, for every output position, the window times the "
          "output gradient into the weight gradient and the weights times the output "
          "gradient into the input gradient: two products per forward product (the bias "
          "gradient needs only additions). The output sizes are "
          "o_h = floor((h + 2p_h - k_h)/s_h) + 1 and o_w likewise.")
    variables = {str(v): {"domain": "positive integer", "max": 12} for v in
                 (ci, co, kh, kw, oh, ow, h, w)}
    configs = list(itertools.islice(itertools.product((1, 2), (1, 3), (1, 2, 3), (2, 3),
                                                      (5, 6), (0, 1), (1, 2)), 0, None, 5))

    def sizes(cin, cout, k, kk, n, pad, stride):
        return (conv_output_size(n, k, stride=stride, padding=pad),
                conv_output_size(n + 1, kk, stride=stride, padding=pad))

    def count_forward(cin, cout, k, kk, n, pad, stride):
        out_h, out_w = sizes(cin, cout, k, kk, n, pad, stride)
        products = 0
        for _f, _i, _j in itertools.product(range(cout), range(out_h), range(out_w)):
            for _c, _a, _b in itertools.product(range(cin), range(k), range(kk)):
                products += 1
        return products

    def count_backward(cin, cout, k, kk, n, pad, stride):
        out_h, out_w = sizes(cin, cout, k, kk, n, pad, stride)
        products = 0
        for _f, _i, _j in itertools.product(range(cout), range(out_h), range(out_w)):
            products += cin * k * kk   # grad_weight[f] += window * g
            products += cin * k * kk   # grad_x[window] += weight[f] * g
        return products

    def held(cin, cout, k, kk, n, pad, stride):
        rng = np.random.default_rng(0)
        x = rng.standard_normal((1, cin, n, n + 1))
        wt = rng.standard_normal((cout, cin, k, kk))
        bias = rng.standard_normal(cout)
        y = sn.conv_layer(x, wt, bias, stride=stride, padding=pad)
        return x.size + wt.size + bias.size + y.size

    def formula(expr):
        def f(cin, cout, k, kk, n, pad, stride):
            out_h, out_w = sizes(cin, cout, k, kk, n, pad, stride)
            return expr.subs({ci: cin, co: cout, kh: k, kw: kk, h: n, w: n + 1, oh: out_h,
                              ow: out_w})
        return f

    where = "configurations with c_i <= 2, c_o <= 3, k <= 3, h in 5, 6, w = h + 1, p <= 1, s <= 2"
    s.part("a", answer=forward, prompt="forward multiplications",
           key=key("expression", forward, variables=variables, mistakes=[
               mistake(co * ci * kh * kw * h * w, "Count output positions (o_h o_w), not input "
                                                  "pixels.", 0.5),
               mistake(co * kh * kw * oh * ow, "Each output sums over all c_i input channels.",
                       0.25,
                       agrees="c_i = 1")]),
           checks=[grid_check(formula(forward), count_forward, configs,
                              "the formula against counting the products of the naive "
                              "forward loop, " + where)])
    s.part("b", answer=memory, prompt="numbers held in the forward pass",
           key=key("expression", memory, variables=variables, mistakes=[
               mistake(memory - co * oh * ow, "The output must be stored too.", 0.5),
               mistake(memory - co, "Include the c_o biases.", 0.75)]),
           checks=[grid_check(formula(memory), held, configs,
                              "the formula against the sizes of the arrays of an actual run of "
                              "symconv.numeric.conv_layer, " + where)])
    s.part("c", answer=backward, prompt="backward multiplications",
           key=key("expression", backward, variables=variables, mistakes=[
               mistake(forward, "Two gradients are needed (input and weights), each as costly "
                                "as the forward pass.", 0.5)]),
           checks=[grid_check(formula(backward), count_backward, configs,
                              "the formula against counting the products of the notes' "
                              "backward loop, " + where)])


@exercise("d2l-7.4.3", topic=TOPIC, title="Doubling the channels",
          source=SOURCE + ", exercise 3",
          prompt="""By what factor does the number of multiplications of a convolutional layer
          grow when both the number of input channels and the number of output channels are
          doubled?""")
def _doubling(s):
    ci, co, kh, kw, oh, ow = symbols("c_i c_o k_h k_w o_h o_w", integer=True, positive=True)
    cost = co * ci * kh * kw * oh * ow
    factor = sp.simplify(cost.subs({ci: 2 * ci, co: 2 * co}, simultaneous=True) / cost)
    s.say("The cost c_o c_i k_h k_w o_h o_w is linear in each channel count, so doubling both "
          "multiplies it by 4. (Doubling the padding instead only enlarges o_h and o_w, by "
          "2p/s each: the effect depends on the sizes.)")
    s.part(answer=factor,
           key=key("integer", factor, mistakes=[
               mistake(2, "Both channel counts enter the cost as factors: 2 x 2.", 0)]),
           checks=[sympy_check(factor, 4, "cost(2 c_i, 2 c_o) / cost(c_i, c_o)")])


@exercise("channels-1x1", topic=TOPIC, title="A 1x1 convolution is a matrix product",
          source="D2L 7.4 (1x1 convolutional layer)",
          prompt="""A 1x1 convolution with 2 output channels is applied to an input with 3
          channels of size 2x2. Its weights form the 2x3 matrix W with rows (1, 0, 2) and
          (-1, 3, 1); the input channels are [[1, 2], [3, 4]], [[0, 1], [1, 0]] and
          [[2, 2], [0, 1]]. Flatten each channel row by row, so that the input is a 3x4
          matrix X. Give the 2x4 matrix whose rows are the flattened output channels.""")
def _one_by_one(s):
    W = Matrix([[1, 0, 2], [-1, 3, 1]])
    channels = [[[1, 2], [3, 4]], [[0, 1], [1, 0]], [[2, 2], [0, 1]]]
    weights = [[[[W[f, c]]] for c in range(3)] for f in range(2)]
    Y = conv_layer(channels, weights)
    flat = Matrix([[v for row in Y[f].tolist() for v in row] for f in range(2)])
    X = Matrix([[v for row in ch for v in row] for ch in channels])
    s.say("A 1x1 kernel mixes channels at each pixel separately: output f at pixel (i, j) is "
          "sum_c W[f, c] X[c, i, j]. With pixels as columns this is the matrix product W X: "
          "a 1x1 convolution is a fully connected layer applied at every pixel.")
    s.part(answer=flat,
           key=key("matrix", flat, mistakes=[
               mistake(X.T * W.T, "This is (W X)^T: rows should be the output channels.", 0.5),
               mistake(W.T * W * X, "That multiplies by W and then by W^T, back to 3 rows; the "
                                    "layer is the single product W X, one row per output "
                                    "channel.", 0)]),
           checks=[exact_check(flat, W * X, "the matrix product W X"),
                   numeric_check(flat, sn.conv_layer(np.array(channels, float)[None],
                                                     np.array(weights, float))[0].reshape(2, 4),
                                 "symconv.numeric.conv_layer on the same data", tolerance=1e-12,
                                 seed=0)])


@exercise("d2l-7.4.4", topic=TOPIC, title="Convolution versus matrix product: the same numbers?",
          source=SOURCE + ", exercise on the 1x1 example",
          prompt="""A 1x1 convolution computed by a convolution routine and the same
          computation done as a matrix product are compared in floating point. Will the two
          results be exactly the same? Why?""")
def _same_numbers(s):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((1, 64, 8, 8))
    wts = rng.standard_normal((16, 64, 1, 1))
    via_conv = sn.conv_layer(x, wts)[0].reshape(16, -1)
    via_matmul = wts[:, :, 0, 0] @ x[0].reshape(64, -1)
    # the same sums with the channels added in the opposite order
    reordered = np.zeros_like(via_matmul)
    for c in reversed(range(64)):
        reordered += np.outer(wts[:, c, 0, 0], x[0, c].ravel())
    bitwise = int(np.count_nonzero(reordered != via_matmul))
    gap = float(np.abs(reordered - via_matmul).max())
    s.part(written=True, answer=(
        "Mathematically yes; numerically only up to rounding. Floating-point addition is not "
        "associative, and the two routines add the c_i products of each dot product in "
        "different orders (blocked BLAS kernels, vectorised partial sums, fused "
        "multiply-adds), so the last bits can differ. The differences are of the order of "
        "the machine epsilon times the size of the sums, which is why such results are "
        "compared with a tolerance (numpy.allclose), never with ==. The checks below compare "
        "the convolution routine with a matrix product, and the matrix product with the same "
        f"sums added in the opposite channel order: {bitwise} of the {via_matmul.size} "
        f"results differ in their last bits (by at most {gap:.2g})."),
        checks=[numeric_check(via_conv, via_matmul,
                              "symconv.numeric.conv_layer (1x1, 64 -> 16 channels) against a "
                              "NumPy matrix product on random data", tolerance=1e-12, seed=2),
                Check("confirmed" if 0 < gap < 1e-12 else "refuted", "numeric",
                      f"the channel sums added in reverse order: {bitwise} of "
                      f"{via_matmul.size} results are not bitwise equal to the matrix product, "
                      f"max difference {gap:.2g}", tolerance=1e-12, seed=2)])
