"""The backward pass of a convolution, the transposed convolution and the matrix form."""

import numpy as np
import sympy as sp
from sympy import Matrix, symbols

import symconv.numeric as sn
from symconv.nn.layers import conv_layer, conv_transpose_layer
from symconv.nn.matrix import conv_matrix, conv_transpose_matrix
from symconv.proofs import theorem
from symconv.nn.shapes import conv_output_size, conv_transpose_output_size

from . import _brute
from ._checks import derivation_check, exact_check, numeric_check
from ._keys import key, mistake
from ._registry import exercise

TOPIC = "backprop"


def _seq(array):
    """The single channel of a (1, 1, L) or (1, L) exact layer output as a list."""
    values = array.tolist()
    while isinstance(values[0], list):
        values = values[0]
    return values


@exercise("backprop-1d", topic=TOPIC, title="The backward pass of a 1-D convolution",
          source="the notes' convolution backpropagation section",
          prompt="""A layer computes y = x ⋆ w (cross-correlation, stride 1, no padding) for the
          input x = [x0, x1, x2, x3] and the kernel w = [w0, w1, w2], plus a bias b added to
          both outputs. The loss L has gradient g = [g0, g1] with respect to y. Give
          (a) dL/dw, (b) dL/dx and (c) dL/db.""")
def _backward(s):
    xs = list(symbols("x0:4"))
    ws = list(symbols("w0:3"))
    gs = list(symbols("g0:2"))
    b = symbols("b")
    y = _seq(conv_layer([[xs]], [[ws]], [b]))
    loss = sum(gi * yi for gi, yi in zip(gs, y))   # dL/dy = g by construction
    grad_w = _seq(conv_layer([[xs]], [[gs]]))            # x ⋆ g
    grad_x = _seq(conv_transpose_layer([[gs]], [[ws]]))  # the transposed convolution of g
    grad_b = sum(gs)
    s.figure("The forward layer: the 3-tap kernel slides over the 4 inputs and gives 2 "
             "outputs; the gradient with respect to x runs the same picture backwards, as a "
             "transposed convolution of g.", "plot_layer", 4, 3, at=1)
    s.say("By the chain rule, dL/dw[m] = sum_i g[i] dy[i]/dw[m] = sum_i g[i] x[i + m]: the "
          "cross-correlation of the input with the output gradient. dL/dx[j] = sum_i g[i] "
          "w[j - i]: each g[i] spreads a copy of the kernel over the inputs that produced "
          "y[i], which is the full convolution of g with w, i.e. the transposed convolution "
          "(the adjoint of the forward layer). The bias receives the sum of g.")
    rng = np.random.default_rng(1)
    values = {v: sp.Float(rng.standard_normal()) for v in xs + ws + gs}
    num_x = np.array([[[float(values[v]) for v in xs]]])
    num_w = np.array([[[float(values[v]) for v in ws]]])
    num_g = np.array([[[float(values[v]) for v in gs]]])
    gx, gw, gb = sn.conv_layer_backward(num_x, num_w, num_g)
    real = {v: {"domain": "real"} for v in [str(t) for t in xs + ws + gs]}
    general = theorem("backprop", kind="discrete")
    s.show(general, "For any sequences, the theorem library derives the same rule "
                    "(checked step by step):")
    rule = derivation_check(general, "the general backpropagation rule")
    s.part("a", answer=grad_w, prompt="dL/dw",
           key=key("sequence", grad_w, variables=real, mistakes=[
               mistake(_seq(conv_layer([[xs]], [[gs[::-1]]])),
                       "The output gradient must not be flipped here: dL/dw[m] = "
                       "sum_i g[i] x[i + m].", 0.25)]),
           checks=[exact_check(grad_w, [sp.diff(loss, v) for v in ws],
                               "SymPy's derivative of L = sum g[i] y[i] with respect to each "
                               "weight"),
                   numeric_check(grad_w, gw[0, 0], "symconv.numeric.conv_layer_backward on "
                                                   "random values", subs=values, seed=1),
                   rule])
    s.part("b", answer=grad_x, prompt="dL/dx",
           key=key("sequence", grad_x, variables=real, mistakes=[
               mistake(_seq(conv_transpose_layer([[gs]], [[ws[::-1]]])),
                       "The kernel is flipped in the wrong direction: input x[j] met weight "
                       "w[j - i] in output i (the correlation of the padded gradient with w "
                       "gives this wrong answer too).", 0.25),
               mistake(_seq(conv_transpose_layer([[gs[:1]]], [[ws]])) + [0],
                       "Every output gradient contributes: add the copy of w scaled by g1, "
                       "shifted by one.", 0.25)]),
           checks=[exact_check(grad_x, [sp.diff(loss, v) for v in xs],
                               "SymPy's derivative of L with respect to each input"),
                   numeric_check(grad_x, gx[0, 0], "symconv.numeric.conv_layer_backward on "
                                                   "random values", subs=values, seed=1),
                   rule])
    s.part("c", answer=grad_b, prompt="dL/db",
           key=key("expression", grad_b, variables=real, mistakes=[
               mistake(gs[0], "The bias is added to every output: all of g contributes.", 0)]),
           checks=[exact_check(grad_b, sp.diff(loss, b), "SymPy's derivative of L with respect "
                                                         "to b"),
                   numeric_check(grad_b, gb[0], "symconv.numeric.conv_layer_backward",
                                 subs=values, seed=1)])


@exercise("transposed-1d-stride2", topic=TOPIC, title="Transposed convolution with stride 2",
          source="the notes' one-dimensional transposed convolution example",
          prompt="""A transposed convolution with stride 2 takes the input [a, b] and the kernel
          [x, y, z]. (a) Give the output. (b) What is its length from the size formula?
          (c) Give the matrix T with output = T [a, b]^T.""")
def _transposed(s):
    a, b, x, y, z = symbols("a b x y z")
    out = _seq(conv_transpose_layer([[[a, b]]], [[[x, y, z]]], stride=2))
    length = conv_transpose_output_size(2, 3, stride=2)
    s.say("Each input value scales a copy of the kernel; the copies start 2 apart and their "
          "overlap (the third entry) is summed: a z + b x. The length is (2 - 1)*2 + 3 = 5.")
    variables = {v: {"domain": "real"} for v in "abxyz"}
    s.part("a", answer=out, prompt="output",
           key=key("sequence", out, variables=variables, mistakes=[
               mistake([a * x, a * y, b * x, b * y, b * z], "Overlapping copies are added, not "
                                                             "overwritten: the middle entry is "
                                                             "a z + b x.", 0.25),
               mistake(_seq(conv_transpose_layer([[[a, b]]], [[[x, y, z]]], stride=1)),
                       "That is stride 1; with stride 2 the copies start two entries apart.",
                       0.25)]),
           checks=[exact_check(out, _brute.transposed1d([a, b], [x, y, z], 2),
                               "a scatter-add loop")])
    s.part("b", answer=length, prompt="length",
           key=key("integer", length, mistakes=[
               mistake(conv_output_size(2, 1, stride=1) * 2, "Stride 2 does not simply "
                                                             "double the length: "
                                                             "(n - 1)s + k.", 0),
               mistake(conv_transpose_output_size(2, 3, stride=2) + 1, "There are n - 1 = 1 "
                                                                       "gaps of 2, then the "
                                                                       "kernel: 2 + 3.", 0)]),
           checks=[exact_check(length, len(out), "the length of the output in (a)")])
    T = Matrix(conv_transpose_matrix([x, y, z], 2, stride=2, sparse=False))
    M = Matrix(conv_matrix([x, y, z], 5, stride=2, sparse=False))
    s.figure("The transposed convolution with stride 2: the two inputs are spread 2 apart "
             "(a zero inserted between them) and the 3-tap kernel slides over the result.",
             "plot_layer", 2, 3, stride=2, transposed=True)
    s.figure("The matrix of the transposed convolution (5x2), the transpose of the strided "
             "convolution's matrix: each column holds the kernel x, y, z, shifted down by the "
             "stride.", "plot_matrix", T)
    s.say("The matrix of the transposed convolution is the transpose of the matrix of the "
          "forward convolution with the same kernel and stride, which maps length 5 to "
          "length 2: the transposed convolution restores the size that the strided one "
          "reduced (though not the values).")
    adjoint = theorem("transpose_adjoint", kind="discrete")
    s.show(adjoint)
    s.part("c", answer=T, prompt="the matrix T",
           key=key("matrix", T, variables=variables, mistakes=[
               mistake(M, "That is the forward convolution's matrix (2x5); the transposed "
                          "convolution uses its transpose.", 0.25)]),
           checks=[exact_check(T, M.T, "the transpose of symconv.nn.matrix.conv_matrix([x, y, z], "
                                       "5, stride=2)"),
                   exact_check(list(T * Matrix([a, b])), out, "the output of (a)"),
                   derivation_check(adjoint, "the transposed convolution is the adjoint "
                                             "(general, stride 1)")])


@exercise("matrix-form-padding", topic=TOPIC, title="The matrix form of a padded convolution "
                                                    "and of its transpose",
          source="the notes' matrix form of convolution and transposed convolution",
          prompt="""The input [a, b, c, d] is padded with one zero on each side and
          cross-correlated with [x, y, z] (stride 1). (a) Give the output. (b) Give the 4x6
          matrix M acting on the padded input [0, a, b, c, d, 0]. (c) The transposed
          convolution multiplies by M^T: apply it to [p, q, r, t] and give the 6 entries
          (before the padding positions are cropped).""")
def _matrix_form(s):
    a, b, c, d, x, y, z, p, q, r, t = symbols("a b c d x y z p q r t")
    out = _seq(conv_layer([[[a, b, c, d]]], [[[x, y, z]]], padding=1))
    M = Matrix(conv_matrix([x, y, z], 4, padding=1, padded=True, sparse=False))
    s.figure("The 4x6 matrix of the padded convolution (columns: the padded input, zeros "
             "first and last): a Toeplitz band, the kernel one step further right in each "
             "row.", "plot_matrix", M)
    back = list(M.T * Matrix([p, q, r, t]))
    variables = {v: {"domain": "real"} for v in "abcdxyzpqrt"}
    s.say("Row i of M holds the kernel starting in column i: the kernel slides one step right "
          "per row. The first output sees [0, a, b], so it is a y + b z; the last sees "
          "[c, d, 0]. Multiplying by M^T spreads each of p, q, r, t over three positions.")
    s.part("a", answer=out, prompt="output",
           key=key("sequence", out, variables=variables, mistakes=[
               mistake(_seq(conv_layer([[[a, b, c, d]]], [[[z, y, x]]], padding=1)),
                       "The kernel was flipped (a true convolution); the layer correlates.",
                       0.25),
               mistake(_seq(conv_layer([[[a, b, c, d]]], [[[x, y, z]]])),
                       "Without the padding the output has only 2 entries; pad one zero on "
                       "each side.", 0)]),
           checks=[exact_check(out, _brute.corr1d([a, b, c, d], [x, y, z], padding=1),
                               "a loop over the windows of the padded input"),
                   exact_check(list(M * Matrix([0, a, b, c, d, 0])), out,
                               "M times the padded input")])
    s.part("b", answer=M, prompt="the matrix M",
           key=key("matrix", M, variables=variables, mistakes=[
               mistake(Matrix(conv_matrix([x, y, z], 4, padding=1, padded=True, flip=True,
                                          sparse=False)),
                       "The kernel is flipped in each row; the layer correlates.", 0.25)]),
           checks=[exact_check(M, [[[x, y, z][j - i] if 0 <= j - i < 3 else 0
                                    for j in range(6)] for i in range(4)],
                               "the band matrix with x, y, z starting in column i of row i")])
    s.part("c", answer=back, prompt="M^T [p, q, r, t]",
           key=key("sequence", back, variables=variables, mistakes=[
               mistake(_seq(conv_transpose_layer([[[p, q, r, t]]], [[[x, y, z]]], padding=1)),
                       "Those are the four entries left after cropping the padding positions; "
                       "the question asks for all six.", 0.5)]),
           checks=[exact_check(back, _brute.transposed1d([p, q, r, t], [x, y, z], 1),
                               "a scatter-add loop (the full transposed convolution, padding "
                               "positions kept)"),
                   exact_check([sp.expand(v) for v in back[1:5]],
                               _seq(conv_transpose_layer([[[p, q, r, t]]], [[[x, y, z]]],
                                                         padding=1)),
                               "symconv.nn.layers.conv_transpose_layer(padding=1) for the four "
                               "inner entries")])


@exercise("transposed-2x2-to-4x4", topic=TOPIC, title="Restoring a 4x4 map with a transposed "
                                                      "convolution",
          source="the notes' transposed convolution section",
          prompt="""A 3x3 convolution with stride 2 and padding 1 maps a 4x4 input to 2x2.
          (a) What size does the transposed convolution with the same kernel size, stride and
          padding produce from a 2x2 input? (b) What output padding (extra rows and columns
          at the end) must be added to get back to 4x4?""")
def _restore(s):
    forward = conv_output_size(4, 3, stride=2, padding=1)
    size = conv_transpose_output_size(forward, 3, stride=2, padding=1)
    extra = 4 - size
    restored = conv_transpose_output_size(forward, 3, stride=2, padding=1, output_padding=extra)
    s.figure(f"The transposed convolution from 2x2 with kernel 3, stride 2, padding 1 and "
             f"output padding {extra}: the 4x4 map is restored.", "plot_layer", (2, 2), 3,
             stride=2, padding=1, transposed=True, output_padding=extra)
    s.say(f"The forward rule gives floor((4 + 2 - 3)/2) + 1 = {forward}. The transposed rule "
          f"gives (2 - 1)*2 - 2 + 3 = {size}: with stride 2, both 3x3 and 4x4 inputs map to "
          "2x2, so the transposed convolution cannot know which one to restore. The output "
          "padding (smaller than the stride) picks the larger one.")
    x = np.ones((1, 1, forward, forward))
    w = np.ones((1, 1, 3, 3))
    s.part("a", answer=size, prompt="size without output padding",
           key=key("integer", size, mistakes=[
               mistake(4, "The transposed convolution does not remember the input size: "
                          "(n - 1)s - 2p + k = 3.", 0)]),
           checks=[exact_check(size, sn.conv_transpose_layer(x, w, stride=2, padding=1).shape[-1],
                               "the size produced by symconv.numeric.conv_transpose_layer"),
                   exact_check(size, _brute.transposed_length(2, 3, 2, 1),
                               "the length of a scatter-add loop")])
    s.part("b", answer=extra, prompt="output padding",
           key=key("integer", extra, mistakes=[
               mistake(2, "Output padding adds at the end only, and it must be smaller than "
                          "the stride: one more row and column.", 0)]),
           checks=[exact_check(restored, 4, "the transposed size with output_padding = 1"),
                   exact_check(sn.conv_transpose_layer(x, w, stride=2, padding=1,
                                                       output_padding=extra).shape[-1], 4,
                               "the size produced by symconv.numeric.conv_transpose_layer "
                               "with output_padding = 1")])
