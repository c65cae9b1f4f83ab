"""Convolutions for images: the cross-correlation of the layers, edge detection,
diagonal edges, the matrix form, and hand-made derivative and integral kernels."""

import sympy as sp
from sympy import Matrix, Symbol, symbols

from symconv.nn.kernels import (derivative_kernel, edge_images, image_kernel, integral_kernel,
                             min_kernel_size)
from symconv.nn.layers import corr2d
from symconv.nn.matrix import conv_matrix

from . import _brute
from ._checks import exact_check, grid_check, kernel_check
from ._keys import key, mistake
from ._registry import exercise

TOPIC = "images"


def _m(array):
    """A 2-D SymPy Array as a Matrix."""
    return Matrix(array.tolist())


@exercise("images-corr2d", topic=TOPIC,
          title="Cross-correlating a 3x3 input with a 2x2 kernel",
          source="worked example of the notes (corr2d)",
          prompt="""A convolutional layer slides its kernel over the input without flipping
          it and adds up the products in every position (a cross-correlation). Take the
          input X with rows (0, 1, 2), (3, 4, 5), (6, 7, 8) and the kernel K with rows
          (0, 1), (2, 3). Compute the output Y = X ⋆ K (no padding, stride 1).""")
def _corr2d(s):
    X = Matrix(3, 3, range(9))
    K = Matrix([[0, 1], [2, 3]])
    Y = _m(corr2d(X, K))
    s.figure("The 2x2 window at output (0, 0) of the 3x3 input: Y[0, 0] = 0·0 + 1·1 + 3·2 + "
             "4·3 = 19; the window moves one step for each of the 2x2 outputs.", "plot_layer",
             (3, 3), 2, at=(0, 0))
    flipped = _m(corr2d(X, K[::-1, ::-1]))
    s.say("Each output entry is the sum of the products of K with one 2x2 window of X; "
          "the windows start at the four positions (0, 0), (0, 1), (1, 0), (1, 1), so Y is "
          "2x2. For example Y[0, 0] = 0*0 + 1*1 + 3*2 + 4*3 = 19.")
    s.part(answer=Y,
           key=key("matrix", Y, mistakes=[
               mistake(flipped, "That is the convolution: the kernel was rotated by 180 "
                                "degrees first. A layer cross-correlates: slide K as it is.", 0.25),
               mistake(_m(corr2d(X, K.T)), "The kernel was transposed: K[a, b] multiplies "
                                           "X[i + a, j + b] (row offset a, column offset b).", 0)]),
           checks=[exact_check(Y, _brute.corr2d(X, K), "a direct loop over the four 2x2 windows")])


@exercise("images-edge-detection", topic=TOPIC,
          title="Detecting vertical edges with the kernel [1, -1]",
          source="worked example of the notes (object edge detection)",
          prompt="""Let X be the 6x8 image that is 1 (white) everywhere except for a black band
          of 0s in columns 2 to 5 (counting from 0). (a) Cross-correlate X with the 1x2 kernel
          K = [[1, -1]]. (b) Apply the same K to the transposed image X^T. (c) Which 2x1 kernel
          finds the edges of X^T?""")
def _edges(s):
    X = edge_images()["vertical"]
    K = _m(image_kernel("vertical_edge").weights)
    Ya = _m(corr2d(X, K))
    s.say("The kernel computes X[i, j] - X[i, j + 1]: zero wherever two horizontal neighbours "
          "agree, +1 where white turns to black (left edge of the band) and -1 where black "
          "turns to white (right edge).")
    s.part("a", answer=Ya, prompt="X ⋆ K",
           key=key("matrix", Ya, mistakes=[
               mistake(-Ya, "The signs are swapped: the output is X[i, j] - X[i, j + 1], so "
                            "white-to-black gives +1.", 0.5)]),
           checks=[exact_check(Ya, _brute.corr2d(X, K), "a direct loop over the windows")])
    Yb = _m(corr2d(X.T, K))
    s.part("b", answer=Yb, prompt="X^T ⋆ K",
           key=key("matrix", Yb, mistakes=[
               mistake(Ya.T, "The kernel does not turn with the image: K still compares "
                             "horizontal neighbours, and in X^T those are always equal.", 0)]),
           checks=[exact_check(Yb, _brute.corr2d(X.T, K), "a direct loop over the windows")])
    Kc = _m(image_kernel("horizontal_edge").weights)
    s.part("c", answer=Kc, prompt="a kernel that detects the (now horizontal) edges of X^T",
           note="Any 2x1 difference works; [[-1], [1]] finds the same edges with the opposite "
                "signs, so the key accepts both orientations. X^T ⋆ K^T is the transpose of "
                "the answer to (a).",
           key=key("matrix", Kc, forms=["any orientation"], mistakes=[
               mistake(K, "A 1x2 kernel compares horizontal neighbours; the edges of X^T "
                          "separate vertical neighbours.", 0)]),
           checks=[exact_check(_m(corr2d(X.T, Kc)), Ya.T,
                               "the transpose of the output of (a) (X^T ⋆ K^T = (X ⋆ K)^T)")])


@exercise("d2l-7.2.1", topic=TOPIC, title="Diagonal edges",
          source="D2L 7.2 (convolutions for images), exercise 1",
          prompt="""Build an image with a diagonal edge: the 5x5 matrix X with X[i, j] = 1 on and
          above the main diagonal (j >= i) and 0 below it. With the edge kernel K = [[1, -1]]:
          (a) what is X ⋆ K? (b) What happens if you transpose X (compute X^T ⋆ K)?
          (c) What happens if you transpose K instead (compute X ⋆ K^T)?""")
def _diagonal(s):
    X = edge_images()["diagonal"]
    K = _m(image_kernel("vertical_edge").weights)
    s.say("A diagonal edge changes both along rows and along columns, so both difference "
          "kernels respond to it (the outputs are not zero). X ⋆ K computes "
          "X[i, j] - X[i, j + 1], which is -1 exactly when j + 1 = i (the step from 0 to 1 "
          "inside row i).")
    for label, Xin, Kin, prompt, what in (
            ("a", X, K, "X ⋆ K", "-1 on the first subdiagonal (5x4)"),
            ("b", X.T, K, "X^T ⋆ K", "+1 on the main diagonal: the edge now runs the other way"),
            ("c", X, K.T, "X ⋆ K^T", "+1 on the main diagonal (4x5): K^T compares vertical "
                                     "neighbours X[i, j] - X[i + 1, j]")):
        Y = _m(corr2d(Xin, Kin))
        s.part(label, answer=Y, prompt=prompt, note=f"Result: {what}.",
               key=key("matrix", Y, mistakes=[
                   mistake(sp.zeros(*Y.shape), "A diagonal edge is not invisible to a "
                                               "difference of neighbours: the rows and the "
                                               "columns of the image cross the diagonal, where "
                                               "the value changes between 0 and 1.", 0),
                   mistake(-Y, "The sign is reversed: the kernel computes the first minus the "
                               "second neighbour.", 0.5)]),
               checks=[exact_check(Y, _brute.corr2d(Xin, Kin), "a direct loop over the windows")])


@exercise("d2l-7.2.3", topic=TOPIC, title="Cross-correlation as a matrix product",
          source="D2L 7.2 (convolutions for images), exercise 3",
          prompt="""Write the cross-correlation of a 3x3 input X with the 2x2 kernel
          K = [[a, b], [c, d]] as a matrix product. (a) Flatten X and the output row by row
          into vectors vec(X) (length 9) and vec(Y) (length 4): give the 4x9 matrix M with
          vec(Y) = M vec(X). (b) Alternatively keep K as the vector (a, b, c, d) and rearrange
          the input: for X with rows (0, 1, 2), (3, 4, 5), (6, 7, 8), give the 4x4 matrix P of
          image patches with vec(Y) = P (a, b, c, d)^T.""")
def _as_matrix(s):
    a, b, c, d = symbols("a b c d")
    K = Matrix([[a, b], [c, d]])
    M = Matrix(conv_matrix(K, (3, 3), sparse=False))
    s.figure("The 4x9 matrix M of the 2x2 kernel on a 3x3 input: one row per output "
             "window, one colour per kernel entry (a doubly-block Toeplitz pattern).",
             "plot_matrix", M)
    s.say("Changing the kernel into a matrix: row (i, j) of M holds the kernel entries in the "
          "columns of the pixels of window (i, j), zeros elsewhere (a doubly-block Toeplitz "
          "matrix). Its transpose maps output gradients back to the input (the backward pass, "
          "and the transposed convolution).")
    s.part("a", answer=M, prompt="the matrix M",
           key=key("matrix", M, variables={v: {"domain": "real"} for v in "abcd"}, mistakes=[
               mistake(Matrix(conv_matrix(K, (3, 3), flip=True, sparse=False)),
                       "This matrix flips the kernel (a true convolution); the layer "
                       "cross-correlates.", 0.25),
               mistake(M.T, "This is the transpose (9x4): it maps outputs back to inputs.", 0)]),
           checks=[exact_check(M, _brute.corr2d_matrix(K, (3, 3)),
                               "the matrix built by a direct loop that places K[p, q] in row "
                               "(i, j), column (i + p, j + q)")])
    X = Matrix(3, 3, range(9))
    Y = _m(corr2d(X, K))
    kvec = [a, b, c, d]
    P = Matrix([[sp.expand(y).coeff(v) for v in kvec] for y in Y])
    s.say("Changing the input instead (im2col): the output is linear in the kernel entries, "
          "so the coefficients of a, b, c, d in each output of the library's corr2d form the "
          "patch matrix P, one flattened 2x2 window per row.")
    s.part("b", answer=P, prompt="the patch matrix P",
           key=key("matrix", P, mistakes=[
               mistake(Matrix([[sp.expand(y).coeff(v) for v in kvec] for y in _m(corr2d(X, K.T))]),
                       "The windows were flattened column by column; flatten them row by row, "
                       "in the same order as the kernel vector (a, b, c, d).", 0.5)]),
           checks=[exact_check(P, _brute.im2col(X, 2, 2), "the windows of X read off by loops"),
                   exact_check(P * Matrix(kvec), Matrix(list(Y)),
                               "vec(X ⋆ K) from the library's corr2d")])


@exercise("d2l-7.2.4", topic=TOPIC, title="Hand-made kernels: second derivative, integral, "
                                          "minimum size",
          source="D2L 7.2 (convolutions for images), exercise 4",
          prompt="""Design kernels by hand. Samples f(x_k) are taken on a grid with spacing h, and
          the kernel is cross-correlated with them. (a) Give the three-tap kernel (spacing h = 1)
          whose output approximates the second derivative f''. (b) Give the four-tap kernel
          whose output approximates the integral of f over [x_n, x_n + 3h] by the trapezoid
          rule. (c) What is the smallest number of taps of a kernel that computes a derivative
          of order d?""")
def _kernels(s):
    k2 = derivative_kernel(2)
    w2 = list(k2.tolist())
    s.figure("The second-derivative stencil: weights 1, -2, 1 at offsets -1, 0, 1 (in "
             "units of 1/h²).", "plot_kernel", k2)
    s.say("A kernel w at offsets o approximates sum_m w_m f(x + o_m h); Taylor expansion "
          "turns the requirements into moment conditions on the weights. For f'' at "
          "offsets -1, 0, 1: sum w = 0, sum w o = 0, sum w o^2 = 2, whose solution is the "
          "familiar [1, -2, 1] (the 2-D analogue is the Laplacian [[0, 1, 0], [1, -4, 1], "
          "[0, 1, 0]]).")
    s.show(k2)
    s.part("a", answer=w2, prompt="second-derivative kernel (h = 1)",
           key=key("sequence", w2, mistakes=[
               mistake(list(derivative_kernel(1, offsets="forward").tolist()),
                       "That is the one-sided first-derivative kernel on offsets 0, 1, 2, "
                       "(-3f(x) + 4f(x + 1) - f(x + 2))/2: it approximates f', not f''.", 0),
               mistake([-w for w in w2], "Right shape, wrong sign: the weights must satisfy "
                                         "sum w o^2 = 2 > 0.", 0.25),
               mistake([w / 2 for w in w2], "Scaled by 1/2: the second moment sum w o^2 must "
                                            "equal 2! = 2.", 0.5)]),
           checks=[kernel_check(k2)])
    h = Symbol("h", positive=True)
    kt = integral_kernel("trapezoid", cells=3, spacing=h)
    wt = list(kt.tolist())
    s.figure("The trapezoid kernel over three cells: end weights h/2, inner weights h.",
             "plot_kernel", kt)
    s.say("An integral kernel adds the samples with quadrature weights. The trapezoid rule "
          "over three cells weights the two end samples by h/2 and the inner ones by h. (The "
          "integral from minus infinity, a running sum, is the convolution with the unit "
          "step: a kernel of ones as long as the signal.)")
    s.show(kt)
    s.part("b", answer=wt, prompt="trapezoid kernel over [x_n, x_n + 3h]",
           key=key("sequence", wt, variables={"h": {"domain": "positive", "min": 0.1, "max": 2}},
                   mistakes=[
                       mistake(list(integral_kernel("trapezoid", cells=3).tolist()),
                               "The weights must carry the spacing h (the cells have width h).",
                               0.5),
                       mistake([h * w for w in integral_kernel("running_sum", cells=4).tolist()],
                               "Weighting each of the four samples by h adds up four cells of "
                               "width h, one more than the three of [x_n, x_n + 3h]: the "
                               "trapezoid rule gives the two end samples h/2.", 0.25)]),
           checks=[kernel_check(kt)])
    d = Symbol("d", integer=True, positive=True)
    arguments = {order: min_kernel_size(order, explain=True) for order in (1, 2, 3, 4)}
    s.say("A d-th derivative needs d + 1 taps: the weights must satisfy d + 1 moment "
          "conditions (annihilate 1, x, ..., x^(d-1) and map x^d to d!). With d or fewer taps "
          "the first conditions form a square Vandermonde system with nonzero determinant, "
          "which forces w = 0 and contradicts the last condition. For d = 2:")
    s.show(arguments[2])
    size = d + 1

    def machine(order):
        arg = arguments[order]
        return arg.size if all(status == "proven" for _c, status, _r in arg.checks) else None

    s.part("c", answer=size, prompt="minimum number of taps for a derivative of order d",
           key=key("expression", size, variables={"d": {"domain": "positive integer", "max": 30}},
                   mistakes=[
                       mistake(d, "d taps give only d free weights for d + 1 conditions: "
                                  "the Vandermonde argument rules it out.", 0),
                       mistake(2 * sp.floor((d + 1) / 2) + 1,
                               "That is the size of the smallest centred (symmetric) stencil. "
                               "It equals d + 1 when d is even, but for odd d a centred stencil "
                               "needs d + 2 taps, while a one-sided one needs only d + 1.",
                               0.25,
                               agrees="d even (the feedback says so)")]),
           checks=[grid_check(lambda o: size.subs(d, o), machine, [(o,) for o in arguments],
                              "d + 1 against symconv.nn.kernels.min_kernel_size(d, explain=True), "
                              "whose Vandermonde checks are proven symbolically for each d")])
