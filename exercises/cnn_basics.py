"""From a dense layer to a convolution: locality, translation invariance, the kernel of
size 0, commutativity of convolution, and the discursive questions of the chapter."""

import itertools

import numpy as np
import sympy as sp
from sympy import Function, Integral, Sum, oo, symbols

import symconv.numeric as sn
from symconv.nn.layers import conv_layer
from symconv.proofs import Derivation, convolution
from symconv.proofs.reindex import mlp_to_conv, parameter_counts

from ._checks import derivation_check, exact_check, grid_check, numeric_check
from ._keys import key, mistake
from ._registry import exercise

TOPIC = "cnn-basics"
SOURCE = "D2L 7.1 (from fully connected layers to convolutions)"


@exercise("d2l-7.1.1", topic=TOPIC, title="A kernel of size 0 is a per-pixel dense layer",
          source=SOURCE + ", exercise 1",
          prompt="""A convolutional layer with input channels c and output channels d computes
          H[i, j, d] = U[d] + sum over |a| <= Δ, |b| <= Δ and c of V[a, b, c, d] X[i + a, j + b, c].
          Suppose the window has size Δ = 0. Show that the layer then applies the same
          fully connected layer (from the c input channels to the d output channels)
          to every pixel on its own. Write the proof as a chain of equal expressions.""")
def _delta_zero(s):
    i, j, a, b, c, C, d = symbols("i j a b c C d", integer=True)
    V, X, U = Function("V"), Function("X"), Function("U")
    start = U(d) + Sum(Sum(Sum(V(a, b, c, d) * X(i + a, j + b, c), (a, 0, 0)), (b, 0, 0)),
                       (c, 1, C))
    end = U(d) + Sum(V(0, 0, c, d) * X(i, j, c), (c, 1, C))
    # the checker writes out the one-term sums over a and b itself (numeric limits)
    deriv = Derivation([start, (end, "with Δ = 0 the window holds only the offset a = b = 0")],
                       title="kernel of size Δ = 0", kind="discrete")
    s.say("With Δ = 0 the sums over the offsets a and b have the single term a = b = 0, so "
          "the output at pixel (i, j) depends only on the input at the same pixel: it is the "
          "matrix W[d, c] = V[0, 0, c, d] applied to the channel vector X[i, j, :], plus the "
          "bias, with the same W at every pixel (a 1x1 convolution; stacking them gives the "
          "'network in network' idea).")
    s.show(deriv)
    proof = "\n".join([
        "U(d) + sum(sum(sum(V(a,b,c,d)*X(i+a,j+b,c), (a,0,0)), (b,0,0)), (c,1,C))",
        "= U(d) + sum(V(0,0,c,d)*X(i,j,c), (c,1,C))  # the window is the single offset a = b = 0"])
    # the same statement on numbers: a 1x1 convolution equals a per-pixel matrix product
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 3, 4, 5))
    w = rng.standard_normal((4, 3, 1, 1))
    per_pixel = np.einsum("fc,nchw->nfhw", w[:, :, 0, 0], x)
    xs = sp.Array(sp.symbols("x0:12")).reshape(3, 2, 2)
    ws = sp.Array(sp.symbols("w0:6")).reshape(2, 3, 1, 1)
    exact = conv_layer(xs, ws)
    by_hand = [[[sum(ws[f, cc, 0, 0] * xs[cc, p, q] for cc in range(3)) for q in range(2)]
                for p in range(2)] for f in range(2)]
    s.part(answer=deriv.result, text=proof,
           key=key("proof", "U(d) + sum(sum(sum(V(a,b,c,d)*X(i+a,j+b,c), (a,0,0)), (b,0,0)), "
                            "(c,1,C)) = U(d) + sum(V(0,0,c,d)*X(i,j,c), (c,1,C))",
                   kind="discrete", functions=["U", "V", "X"], points=2),
           checks=[derivation_check(deriv),
                   exact_check(exact.tolist(), by_hand,
                               "the per-pixel matrix product sum_c W[f, c] x[c, i, j] on a "
                               "symbolic 3-channel input (symconv.nn.layers.conv_layer with a 1x1 "
                               "kernel)"),
                   numeric_check(sn.conv_layer(x, w), per_pixel,
                                 "symconv.numeric.conv_layer with a 1x1 kernel against numpy.einsum "
                                 "of the per-pixel matrix product on random data", seed=7,
                                 tolerance=1e-12)])


@exercise("d2l-7.1.2", topic=TOPIC, title="When translation invariance hurts",
          source=SOURCE + ", exercise on translation invariance",
          prompt="""Translation invariance says a layer reacts to a pattern the same way wherever
          it appears. Give situations in which this assumption is a poor one.""")
def _invariance(s):
    s.part(written=True, answer=(
        "The assumption fails whenever position carries meaning. In aligned images (passport "
        "photos, medical scans registered to an atlas, a fixed camera watching a road) the "
        "same texture means different things at different places: an eye is expected in the "
        "upper half of a face crop, a tumour at a location where tissue should be uniform is "
        "the signal. Absolute position also matters for the layout of documents and user "
        "interfaces, for the horizon in landscape photos, and near the image border where a "
        "pattern is only partly visible. A fully shared kernel cannot express 'this filter "
        "only at the top', so networks add position information back (coordinate channels, "
        "positional encodings, locally connected layers, or the fully connected layers at "
        "the end). Finally, exact invariance is lost anyway through striding and pooling, "
        "which make outputs depend on the shift modulo the stride."))


@exercise("d2l-7.1.3", topic=TOPIC, title="Pixels at the border",
          source=SOURCE + ", exercise on boundaries",
          prompt="""Near the border of an image a window centred on a pixel sticks out of the
          image. What choices do we have for those hidden units, and what does each cost?""")
def _border(s):
    s.part(written=True, answer=(
        "Three options are common. (1) Keep only positions where the whole window fits (no "
        "padding): the output shrinks by k - 1 per layer, and border pixels influence fewer "
        "outputs than central ones, so information at the edge is used less and deep stacks "
        "eat the image away. (2) Pad the input: zeros (cheap, but introduces an artificial "
        "dark frame that the filters can detect, a weak source of position information), "
        "or values copied from the image (replicate the edge, reflect it, or wrap around "
        "circularly, which assumes periodicity). With padding (k - 1)/2 on each side the "
        "output keeps the input size. (3) Treat the border units specially, e.g. renormalise "
        "by the number of valid pixels in the window. Whatever is chosen changes the outputs "
        "only within (k - 1)/2 pixels of the edge."))


@exercise("d2l-7.1.4", topic=TOPIC, title="A convolutional layer for audio",
          source=SOURCE + ", exercise on audio",
          prompt="""Describe the convolutional layer you would use for sound, and write the
          formula for its output.""")
def _audio(s):
    s.part(written=True, answer=(
        "A waveform is a sequence x[t] of samples (one channel per microphone), so the same "
        "two principles give a one-dimensional layer: h[t, d] = u[d] + sum over |a| <= Δ and "
        "channels c of v[a, c, d] x[t + a, c]. Translation invariance in time says a sound "
        "event (a phoneme, a drum hit) means the same thing whenever it happens; locality "
        "says the output at time t depends on a short window around t. Alternatively, turn "
        "the sound into a spectrogram (time x frequency) and apply a 2-D convolution; "
        "invariance along time is natural, along frequency it holds only roughly (a pitch "
        "shift), which is why many models convolve along time and treat frequencies as "
        "channels. Dilated 1-D convolutions give the long receptive fields that raw audio "
        "needs (thousands of samples per second)."))


@exercise("d2l-7.1.5", topic=TOPIC, title="Convolutions for text",
          source=SOURCE + ", exercise on text",
          prompt="""Would convolutional layers also make sense for text? Argue for or against.""")
def _text(s):
    s.part(written=True, answer=(
        "Yes, with care. After embedding, a sentence is a sequence of vectors, one per token, "
        "and a 1-D convolution over positions (embedding dimensions as channels) detects "
        "local patterns such as n-grams wherever they occur, which is a reasonable "
        "invariance for phrases; max pooling over time then gives a fixed-size summary. "
        "Such text CNNs work well for classification. The limits: meaning often depends on "
        "distant words (negation, coreference), which a small window cannot see without "
        "many layers, dilation or pooling; and word order and position matter more than in "
        "images, so full translation invariance loses information. Attention-based models "
        "handle long-range dependencies directly, which is why they replaced convolutions "
        "for most language tasks."))


@exercise("d2l-7.1.6", topic=TOPIC, title="Convolution is commutative",
          source=SOURCE + ", exercise 6",
          prompt="""Prove that f ∗ g = g ∗ f, for the convolution of functions on the real line,
          of sequences, and of two-dimensional arrays (images).""")
def _commutative(s):
    f, g = Function("f"), Function("g")
    n, k, m = symbols("n k m", integer=True)
    t, tau, u = symbols("t tau u", real=True)
    i, j, a, b, p, q = symbols("i j a b p q", integer=True)
    chains = [
        Derivation([convolution(f, g, t),
                    (Integral(f(tau) * g(t - tau), (tau, -oo, oo)), "definition of f ∗ g"),
                    (Integral(g(u) * f(t - u), (u, -oo, oo)), "substitute τ = t - u"),
                    (convolution(g, f, t), "definition of g ∗ f")],
                   title="functions on the real line"),
        Derivation([convolution(f, g, n),
                    (Sum(f(k) * g(n - k), (k, -oo, oo)), "definition of f ∗ g"),
                    (Sum(g(m) * f(n - m), (m, -oo, oo)), "substitute k = n - m"),
                    (convolution(g, f, n), "definition of g ∗ f")],
                   title="sequences"),
        Derivation([convolution(f, g, (i, j)),
                    (Sum(Sum(f(a, b) * g(i - a, j - b), (b, -oo, oo)), (a, -oo, oo)),
                     "definition of f ∗ g"),
                    (Sum(Sum(g(p, q) * f(i - p, j - q), (q, -oo, oo)), (p, -oo, oo)),
                     "substitute a = i - p, b = j - q"),
                    (convolution(g, f, (i, j)), "definition of g ∗ f")],
                   title="two-dimensional arrays"),
    ]
    s.say("In each case substitute the summation (integration) variable so that the shifted "
          "argument becomes the new variable: the substitution maps the whole line (lattice) "
          "onto itself, so the limits stay -∞ and ∞, and the integrand becomes the one of "
          "g ∗ f. (For probability densities there is a one-line argument: f ∗ g is the "
          "density of X + Y and X + Y = Y + X.)")
    for d in chains:
        s.show(d)
    proof = "\n".join(["sum(f(k)*g(n-k), (k, -oo, oo))",
                       "= sum(f(n-m)*g(m), (m, -oo, oo))  # substitute k = n - m",
                       "= sum(g(m)*f(n-m), (m, -oo, oo))  # the factors commute"])
    s.part(answer=chains[1].expressions[2], text=proof, prompt="(the graded part: the discrete case)",
           key=key("proof", "sum(f(k)*g(n-k), (k, -oo, oo)) = sum(g(m)*f(n-m), (m, -oo, oo))",
                   kind="discrete", functions=["f", "g"], points=2),
           checks=[derivation_check(d) for d in chains])


@exercise("cnn-parameter-count", topic=TOPIC, title="What locality and translation "
                                                    "invariance save",
          source="D2L 7.1 (the argument of the section), own exercise",
          prompt="""A hidden layer maps an h x w image to an h x w hidden representation
          (one channel each). Count the free parameters, weights and biases: (a) of a fully
          connected layer; (b) once the weights may depend only on the offset between
          hidden and input pixel and the bias is shared (translation invariance); (c) when,
          in addition, only offsets with |a| <= Δ and |b| <= Δ are kept (locality).""")
def _parameters(s):
    counts = {stage: formula for stage, formula, _value in parameter_counts(
        symbols("h", integer=True, positive=True), symbols("w", integer=True, positive=True))}
    dense, invariant, local = (counts["fully connected"], counts["translation invariant"],
                               counts["local"])
    h, w = sorted(dense.free_symbols, key=lambda v: v.name)
    D = next(iter(local.free_symbols))
    s.say("(a) Every hidden pixel has its own weight for every input pixel, plus its own "
          "bias: (hw)^2 + hw parameters, about 10^12 for a megapixel image. (b) Writing "
          "W[i, j, k, l] = V[k - i, l - j], only the offsets matter; they range over "
          "-(h-1)..(h-1) and -(w-1)..(w-1), plus one shared bias. (c) Locality keeps "
          "(2Δ + 1)^2 offsets, independent of the image size. symconv.proofs.reindex.mlp_to_conv "
          "checks that each constrained dense layer equals the corresponding "
          "cross-correlation layer (here on 4x4 images with Δ = 1):")
    s.show(mlp_to_conv(4, 4, delta=1).check())

    def brute_dense(hh, ww):
        weights = set(itertools.product(range(hh), range(ww), range(hh), range(ww)))
        return len(weights) + hh * ww

    def brute_offsets(hh, ww):
        offsets = {(k - i, l - j) for i, j, k, l in itertools.product(range(hh), range(ww),
                                                                         range(hh), range(ww))}
        return len(offsets) + 1

    def brute_local(delta):
        return len({(a, b) for a in range(-delta, delta + 1)
                    for b in range(-delta, delta + 1)}) + 1

    sizes = [(hh, ww) for hh in range(1, 6) for ww in range(1, 6)]
    variables = {"h": {"domain": "positive integer", "max": 200},
                 "w": {"domain": "positive integer", "max": 200}}
    s.part("a", answer=dense, prompt="fully connected",
           key=key("expression", dense, variables=variables, mistakes=[
               mistake(dense - h * w, "Count the biases too: one per hidden unit.", 0.75),
               mistake(h * w, "That is the number of hidden units; each needs h*w weights "
                              "and a bias.", 0)]),
           checks=[grid_check(lambda hh, ww: dense.subs({h: hh, w: ww}), brute_dense, sizes,
                              "symconv.proofs.reindex.parameter_counts against counting the index "
                              "pairs (hidden pixel, input pixel) and the biases, "
                              "h, w = 1..5")])
    s.part("b", answer=invariant, prompt="translation invariant",
           key=key("expression", invariant, variables=variables, mistakes=[
               mistake(invariant - 1, "Count the shared bias too.", 0.75),
               mistake(h * w + 1, "Offsets can be negative: k - i runs from -(h - 1) to "
                                  "h - 1.", 0.25)]),
           checks=[grid_check(lambda hh, ww: invariant.subs({h: hh, w: ww}), brute_offsets,
                              sizes, "symconv.proofs.reindex.parameter_counts against counting the "
                                     "distinct offsets (k - i, l - j) plus one bias, "
                                     "h, w = 1..5")])
    s.part("c", answer=local, prompt="translation invariant and local",
           key=key("expression", local,
                   variables={"Delta": {"domain": "nonnegative integer", "max": 50}}, mistakes=[
                       mistake(local - 1, "Count the shared bias too.", 0.75),
                       mistake((2 * D) ** 2 + 1, "The offsets run from -Δ to Δ inclusive: "
                                                 "2Δ + 1 values per axis.", 0.25)]),
           checks=[grid_check(lambda dd: local.subs(D, dd), brute_local,
                              [(dd,) for dd in range(0, 8)],
                              "symconv.proofs.reindex.parameter_counts against counting the offsets "
                              "|a|, |b| <= Δ plus one bias, Δ = 0..7")])
