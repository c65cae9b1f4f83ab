"""Shape walks through the classic networks of the notes: LeNet-5, AlexNet, VGG-16 and
ResNet-18, plus the receptive field argument for stacks of 3x3 kernels.

The library's tables (:func:`symconv.nn.shapes.infer_shapes`) are checked against an
independent walk written here: it follows the layer specifications, counts window
positions one by one and counts parameters from the textbook formulas, using neither
the size rules of :mod:`symconv.nn.shapes` nor the layers' own ``num_params``.
"""

import dataclasses

import numpy as np
import sympy as sp
from sympy import symbols

from symconv import architectures as arch
from symconv.nn.layers import conv_layer
from symconv.nn.architectures import infer_shapes
from symconv.nn.architectures.receptive import receptive_field

from . import _brute
from ._checks import exact_check, grid_check
from ._keys import key, mistake
from ._registry import exercise

TOPIC = "architectures"
SOURCE = "the notes' CNN case studies"


def _pair(value):
    return tuple(value) if isinstance(value, (tuple, list)) else (value, value)


def walk(layers, shape):
    """Independent walk: ``(final shape, parameter count, [(layer type, shape), ...])``.

    ``shape`` is ``(C, H, W)`` (or ``(F,)`` after flattening), batch omitted.
    """
    params = 0
    trail = []
    for layer in layers:
        if isinstance(layer, arch.Residual):
            main_shape, main_params, main_trail = walk(layer.main, shape)
            side_shape, side_params, side_trail = walk(layer.shortcut, shape) if layer.shortcut \
                else (shape, 0, [])
            if main_shape != side_shape:
                raise ValueError(f"residual paths disagree: {main_shape} vs {side_shape}")
            params += main_params + side_params
            trail += main_trail + side_trail
            shape = main_shape
        elif isinstance(layer, arch.Conv):
            c, h, w = shape
            (kh, kw), (sh, sw), (ph, pw) = (_pair(layer.kernel_size), _pair(layer.stride),
                                            _pair(layer.padding))
            shape = (layer.out_channels, _brute.count_windows(h, kh, sh, ph),
                     _brute.count_windows(w, kw, sw, pw))
            params += layer.out_channels * (c // layer.groups) * kh * kw
            params += layer.out_channels if layer.bias else 0
        elif isinstance(layer, arch.Pool):
            c, h, w = shape
            k = _pair(layer.kernel_size)
            st = k if layer.stride is None else _pair(layer.stride)
            pad = _pair(layer.padding)
            if layer.ceil_mode:
                raise ValueError("the independent walk covers floor-mode pooling only")
            shape = (c, _brute.count_windows(h, k[0], st[0], pad[0]),
                     _brute.count_windows(w, k[1], st[1], pad[1]))
        elif isinstance(layer, arch.AdaptivePool):
            shape = (shape[0], *_pair(layer.output_size))
        elif isinstance(layer, arch.Flatten):
            shape = (int(np.prod(shape)),)
        elif isinstance(layer, arch.Linear):
            params += shape[-1] * layer.out_features + (layer.out_features if layer.bias else 0)
            shape = (layer.out_features,)
        elif isinstance(layer, arch.BatchNorm):
            params += 2 * shape[0]
        elif isinstance(layer, (arch.Activation, arch.Dropout)):
            pass
        else:
            raise ValueError(f"the independent walk does not know {type(layer).__name__}")
        trail.append((layer.kind, shape))
    return shape, params, trail


def _row(table, name):
    for row in table.rows:
        if row.name == name:
            return row
    raise KeyError(name)


def _biases(table):
    return sum(row.output_shape[1] for row in table.rows if row.kind in ("conv", "linear")
               and "no bias" not in row.description)


def _parameters_part(s, label, table, layers):
    """The 'trainable parameters' part of a network on a 3x224x224 image: the table's total,
    checked against an independent count; the anticipated mistake forgets the biases."""
    total = table.total_params
    s.part(label, answer=total, prompt="trainable parameters",
           key=key("integer", total, mistakes=[
               mistake(total - _biases(table), "Count the biases too.", 0.5)]),
           checks=[exact_check(total, walk(layers, (3, 224, 224))[1],
                               "an independent count from the layer specifications")])


@exercise("arch-lenet5", topic=TOPIC, title="Shape walk through LeNet-5",
          source=SOURCE + " (LeNet-5)",
          prompt="""LeNet-5 takes a 1x32x32 image through a 5x5 convolution to 6 channels, 2x2
          pooling with stride 2, a 5x5 convolution to 16 channels, 2x2 pooling, then fully
          connected layers 120, 84 and 10 (no padding anywhere). (a) How many numbers enter
          the first fully connected layer? (b) How many trainable parameters does the network
          have (weights and biases)? (c) The first fully connected layer is built for exactly
          that many inputs. For which square input sizes n x n does the network still run?
          Give the largest n.""")
def _lenet(s):
    table = infer_shapes("lenet5")
    s.figure("LeNet-5: height and channels of every layer's output (1x32x32 input).",
             "plot_architecture", table)
    flat = _row(table, "flatten").output_shape[1]
    total = table.total_params
    s.say("Each 5x5 convolution removes 4 pixels per side length and each pooling halves it: "
          "32 -> 28 -> 14 -> 10 -> 5, so 16 x 5 x 5 numbers are flattened.")
    s.show(table, "The layer table computed by symconv.nn.shapes.infer_shapes:")
    a_shape, a_params, _trail = walk(arch.get("lenet5").layers, (1, 32, 32))
    x = np.random.default_rng(0).standard_normal((1, 1, 32, 32)).astype(np.float32)
    _y, ran = arch.run_numpy(arch.get("lenet5").layers, x)
    ran_flat = dict(ran)["flatten"][1]
    # the anticipated mistakes, each computed from the wrong reasoning its feedback names
    features = arch.get("lenet5").layers[:7]
    side = 32
    for _conv in range(2):                  # n - k instead of n - k + 1, then the pooling
        side = (side - 5) // 2
    off_by_one = 16 * side * side
    same = [dataclasses.replace(layer, padding=2) if isinstance(layer, arch.Conv) else layer
            for layer in features]          # convolutions that keep the size
    padded = infer_shapes(same, (1, 1, 32, 32)).output_shape[1]
    one_pool = infer_shapes([layer for layer in features if layer.name != "pool2"],
                            (1, 1, 32, 32)).output_shape[1]
    s.part("a", answer=flat, prompt="inputs of the first fully connected layer",
           key=key("integer", flat, mistakes=[
               mistake(off_by_one, "Each convolution without padding keeps n - k + 1 = n - 4 "
                                   "pixels, not n - 5: 28, 14, 10, 5.", 0.25),
               mistake(padded, "That is what size-preserving ('same') padding would give "
                               "(32, 16, 16, 8); here there is no padding, so each 5x5 "
                               "convolution removes 4 pixels: 32 -> 28 and 14 -> 10.", 0.25),
               mistake(one_pool, "Both pooling layers halve the size: the second one takes "
                                 "10 -> 5.", 0.25)]),
           checks=[exact_check(flat, ran_flat, "the flattened size in a NumPy run of the network "
                                               "(symconv.architectures.run_numpy)"),
                   exact_check(flat, walk(arch.get("lenet5").layers[:7], (1, 32, 32))[0][0],
                               "an independent walk counting window positions")])
    s.part("b", answer=total, prompt="trainable parameters",
           key=key("integer", total, mistakes=[
               mistake(total - _biases(table), "Count the biases too: one per output channel "
                                               "or unit.", 0.5)]),
           checks=[exact_check(total, a_params, "an independent count from the layer "
                                                "specifications (out x in x k x k + out per "
                                                "convolution, in x out + out per dense layer)")])
    valid = infer_shapes("lenet5", (1, "n", "n")).valid
    largest = int(list(valid.values())[0].sup)

    def runs(size):
        try:
            shape = walk(arch.get("lenet5").layers[:7], (1, size, size))[0]
        except ValueError:
            return False
        return shape == (400,)

    brute = max(size for size in range(5, 60) if runs(size))
    s.part("c", answer=largest, prompt="largest input side",
           note="Sizes 32 to 35 all end at 5x5 after the second pooling (floors absorb the "
                "extra pixels); 36 gives 6x6.",
           key=key("integer", largest, mistakes=[
               mistake(32, "32 is the design size, but the floors of the two poolings absorb up "
                           "to three extra pixels.", 0.25)]),
           checks=[exact_check(largest, brute, "the largest n in 5..59 for which the "
                                               "independent walk gives 400 flattened inputs")])


@exercise("arch-alexnet", topic=TOPIC, title="Shape walk through AlexNet",
          source=SOURCE + " (AlexNet, torchvision's single-GPU variant)",
          prompt="""AlexNet (torchvision's version) starts with an 11x11 convolution with stride 4
          and padding 2 on a 3x224x224 image, followed by 3x3 max pooling with stride 2, a 5x5
          convolution with padding 2, pooling, three 3x3 convolutions with padding 1 and a last
          pooling; an adaptive average pooling then resizes whatever map comes out to 6x6 for
          the fully connected classifier (256 x 6 x 6 inputs). (a) What is the side of the
          first feature map? (b) What is the shape (channels, height, width) at the end of the
          convolutional part, before the adaptive pooling? (c) How many trainable parameters
          does the whole network have? (d) What is the smallest square input side this
          network (with its adaptive pooling) accepts?""")
def _alexnet(s):
    table = infer_shapes("alexnet")
    s.figure("AlexNet: height and channels of every layer's output.", "plot_architecture",
             table)
    side = table.rows[0].output_shape[2]
    end = list(_row(table, "features.12").output_shape[1:])
    smallest = infer_shapes("alexnet", (3, "n", "n")).smallest
    smallest = int(list(smallest.values())[0])
    layers = arch.get("alexnet").layers
    features = [layer for layer in layers if layer.name and layer.name.startswith("features")]
    s.say("The first layer gives floor((224 + 2*2 - 11)/4) + 1 = 55; the 3x3/2 poolings "
          "take 55 -> 27 -> 13 -> 6, and the padded convolutions keep the size.")
    s.show(table, "The layer table computed by symconv.nn.shapes.infer_shapes:")
    s.part("a", answer=side, prompt="side of the first feature map",
           key=key("integer", side, mistakes=[
               mistake(side - 1, "Count the first window position: floor(217/4) + 1.", 0.5),
               mistake(-(-(224 + 4 - 11) // 4) + 1, "Round down: a window that does not fit "
                                                     "is dropped.", 0.5)]),
           checks=[exact_check(side, _brute.count_windows(224, 11, 4, 2),
                               "counting window starts one by one")])
    walked = walk(features, (3, 224, 224))[0]
    before_last_pool = list(_row(table, "features.11").output_shape[1:])
    s.part("b", answer=end, prompt="shape after the convolutional part",
           key=key("sequence", end, mistakes=[
               mistake(before_last_pool, "The last max pooling (3x3, stride 2) still follows: "
                                         "13 -> 6.", 0.5)]),
           checks=[exact_check(end, list(walked), "an independent walk over the layer "
                                                  "specifications")])
    _parameters_part(s, "c", table, layers)

    def accepts(size):
        shape = (3, size, size)
        for layer in features:
            try:
                shape = walk([layer], shape)[0]
            except ValueError:
                return False
            if min(shape[1:]) < 1:
                return False
        return True

    brute = next(size for size in range(11, 400) if _safe_accepts(accepts, size))
    # the anticipated mistakes, computed from the reasoning their feedback names
    kernel_side = features[0].kernel_size
    fits = int(list(infer_shapes(features[:1], (1, 3, "n", "n")).smallest.values())[0])
    fixed = [layer for layer in layers if not isinstance(layer, arch.AdaptivePool)]
    fixed_smallest = int(list(infer_shapes(fixed, (1, 3, "n", "n")).smallest.values())[0])
    s.part("d", answer=smallest, prompt="smallest input side",
           note=f"Without the adaptive pooling, a classifier built for exactly 256 x 6 x 6 "
                f"inputs would need the convolutional part to end at 6x6, which takes a side "
                f"of at least {fixed_smallest}.",
           key=key("integer", smallest, mistakes=[
               mistake(kernel_side, f"{kernel_side} is the size of the first kernel (with "
                                    f"padding 2 it already fits at {fits}); the three 3x3 "
                                    f"poolings with stride 2 that follow need maps of at least "
                                    f"3 pixels.", 0),
               mistake(fixed_smallest, f"{fixed_smallest} is the smallest side for an AlexNet "
                                       f"without the adaptive pooling, whose classifier takes "
                                       f"exactly 256 x 6 x 6 inputs; with the adaptive pooling "
                                       f"any final map of at least 1x1 is resized to 6x6.",
                       0.25)]),
           checks=[exact_check(smallest, brute, "the first n >= 11 for which the independent "
                                                "walk reaches the end with every size >= 1")])


def _safe_accepts(accepts, size):
    try:
        return accepts(size)
    except Exception:
        return False


@exercise("arch-vgg16", topic=TOPIC, title="Shape walk through VGG-16",
          source=SOURCE + " (VGG, configuration D)",
          prompt="""VGG-16 stacks 13 convolutions, all 3x3 with padding 1, in five blocks (64, 128,
          256, 512, 512 channels), each block ending in 2x2 max pooling with stride 2, on a
          3x224x224 image; then three fully connected layers (4096, 4096, 1000). (a) What is
          the shape at the end of the last block? (b) How many trainable parameters does it
          have?""")
def _vgg(s):
    table = infer_shapes("vgg16")
    s.figure("VGG-16: five blocks of 3x3 convolutions, each block ending in a 2x2 pooling "
             "that halves the height.", "plot_architecture", table)
    layers = arch.get("vgg16").layers
    features = [layer for layer in layers if layer.name and layer.name.startswith("features")]
    end = list(_row(table, features[-1].name).output_shape[1:])
    four_pools = list(_row(table, features[-2].name).output_shape[1:])   # before the last one
    s.say("A 3x3 convolution with padding 1 keeps the size, so only the five poolings change "
          "it: 224 / 2^5 = 7. Most parameters sit in the first fully connected layer: "
          "512 x 7 x 7 x 4096 + 4096 of them.")
    s.part("a", answer=end, prompt="shape after the last block",
           key=key("sequence", end, mistakes=[
               mistake(four_pools, "There are five poolings, one per block: 224 / 32.", 0.5)]),
           checks=[exact_check(end, list(walk(features, (3, 224, 224))[0]),
                               "an independent walk over the layer specifications")])
    _parameters_part(s, "b", table, layers)


@exercise("arch-resnet18", topic=TOPIC, title="Shape walk through ResNet-18",
          source=SOURCE + " (ResNet, torchvision's layout)",
          prompt="""ResNet-18 (torchvision's layout) starts with a 7x7 convolution with stride 2 and
          padding 3 to 64 channels and a 3x3 max pooling with stride 2 and padding 1, then four
          stages of two residual blocks with 64, 128, 256 and 512 channels, the first block of
          stages 2 to 4 having stride 2. On a 3x224x224 image: (a) what is the side of the map
          entering the first stage? (b) What is the shape leaving the last stage? (c) How many
          trainable parameters does it have?""")
def _resnet(s):
    table = infer_shapes("resnet18")
    s.figure("ResNet-18: the residual stages halve the height and double the channels.",
             "plot_architecture", table)
    layers = arch.get("resnet18").layers
    stem_side = _row(table, "maxpool").output_shape[2]
    end = list(_row(table, "layer4.1").output_shape[1:])
    two_halvings = [end[0], stem_side // 4, stem_side // 4]   # one of the three halvings missed
    total = table.total_params
    stem = [layer for layer in layers if layer.name in ("conv1", "bn1", "relu", "maxpool")]
    body = [layer for layer in layers if layer.name and layer.name.startswith("layer")]
    rows = [("Stage", "Output shape")]
    rows += [(name, str(_row(table, name).output_shape[1:]))
             for name in ("maxpool", "layer1.1", "layer2.1", "layer3.1", "layer4.1")]
    s.say("The stem divides the side by 4 (224 -> 112 -> 56); each later stage halves it once "
          "more, 56 -> 28 -> 14 -> 7, while the channels double. Shortcuts of blocks that "
          "change the shape are strided 1x1 convolutions with batch norm.")
    s.show(rows)
    s.part("a", answer=stem_side, prompt="side entering the first stage",
           key=key("integer", stem_side, mistakes=[
               mistake(_row(table, "conv1").output_shape[2], "That is after the first "
                                                             "convolution; the max pooling "
                                                             "halves it again.", 0.25)]),
           checks=[exact_check(stem_side, walk(stem, (3, 224, 224))[0][1],
                               "an independent walk over the stem")])
    s.part("b", answer=end, prompt="shape after the last stage",
           key=key("sequence", end, mistakes=[
               mistake(two_halvings, "Stages 2, 3 and 4 each halve the side: 56 -> 7.", 0.5)]),
           checks=[exact_check(end, list(walk(stem + body, (3, 224, 224))[0]),
                               "an independent walk through all residual blocks")])
    s.part("c", answer=total, prompt="trainable parameters",
           key=key("integer", total, mistakes=[
               mistake(total - 2 * sum(r.output_shape[1] for r in table.rows
                                       if r.kind == "batchnorm"),
                       "Batch norm layers have two trainable parameters per channel.", 0.5)]),
           checks=[exact_check(total, walk(layers, (3, 224, 224))[1],
                               "an independent count from the layer specifications")])


@exercise("arch-receptive-field", topic=TOPIC, title="Stacks of 3x3 kernels",
          source="the notes' VGG discussion; D2L 7.2 (receptive field)",
          prompt="""VGG replaces large kernels by stacks of 3x3 convolutions (stride 1). (a) How
          wide is the receptive field of one output of three stacked 3x3 layers? (b) With C
          channels in and out of every layer and no biases, how many weights do the three
          layers have? (One 7x7 layer has 49 C^2.)""")
def _receptive(s):
    rf = receptive_field([(3, 1), (3, 1), (3, 1)])
    C = symbols("C", integer=True, positive=True)
    weights = 3 * 3 * 3 * C ** 2
    xs = list(symbols("x0:9"))
    out = conv_layer(conv_layer(conv_layer([[xs]], [[[1, 1, 1]]]), [[[1, 1, 1]]]),
                     [[[1, 1, 1]]])
    seen = sorted(sp.sympify(out[0, 0, 0]).free_symbols, key=lambda v: v.name)
    s.say("Each 3x3 layer widens the field by 2: 3, 5, 7. So three layers see as far as one "
          "7x7 layer, with 27 C^2 instead of 49 C^2 weights and two extra nonlinearities.")
    s.part("a", answer=rf.size, prompt="receptive field",
           key=key("integer", rf.size, mistakes=[
               mistake(3 + 3 + 3, "The fields overlap: each extra layer adds k - 1 = 2, "
                                  "not 3.", 0.25),
               mistake(3 * 3 * 3, "The field grows additively, not multiplicatively.", 0)]),
           checks=[exact_check(rf.size, len(seen), "the number of input symbols that output 0 "
                                                   "of three stacked exact layers depends on")])
    s.part("b", answer=weights, prompt="weights of the three layers",
           key=key("expression", weights, variables={"C": {"domain": "positive integer",
                                                           "max": 512}},
                   mistakes=[mistake(49 * C ** 2, "That is the single 7x7 layer.", 0),
                             mistake(27 * C, "Each layer has C x C kernels of 9 weights.",
                                     0.25,
                                     agrees="C = 1")]),
           checks=[grid_check(lambda c: weights.subs(C, c),
                              lambda c: sum(walk([arch.Conv(c, 3, padding=1, bias=False)] * 3,
                                                 (c, 8, 8))[1:2]),
                              [(c,) for c in (1, 2, 3, 8, 64)],
                              "27 C^2 against the independent parameter count of three "
                              "3x3 layers")])
