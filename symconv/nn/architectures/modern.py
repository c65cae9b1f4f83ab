"""The modern part of the catalogue: MobileNetV3, EfficientNet-B0, DenseNet-121, GoogLeNet,
ShuffleNetV2, ConvNeXt-Tiny and the DCGAN pair.

Each builder follows torchvision's module layout (``features.3.block.1.0``), so the rows
of a table can be matched one to one with ``model.named_modules()``; the layers that
torchvision calls as functions (GoogLeNet's and DenseNet's final ``relu``, ShuffleNet's
``mean``) get rows with descriptive names. Squeeze-and-excitation blocks, Inception
blocks, dense blocks and ShuffleNet units are :class:`~symconv.nn.architectures.Graph`
nodes. The parameter totals equal torchvision's published ones (the tests check them
against torch modules written after torchvision's source).

>>> from symconv.architectures import infer_shapes
>>> infer_shapes(tuple(_dcgan_discriminator()), (1, 3, 64, 64)).output_shape
(1, 1, 1, 1)
"""

import dataclasses

from symconv.nn.architectures.graph import INPUT, Concat, Graph, Multiply, Node
from symconv.nn.architectures.specs import (
    Activation,
    AdaptivePool,
    BatchNorm,
    Conv,
    ConvTranspose,
    Dropout,
    Flatten,
    Linear,
    Pool,
    Residual,
)
from symconv.nn.architectures.vocabulary import (
    ChannelShuffle,
    LayerNorm,
    LayerNorm2d,
    LayerScale,
    Mean,
    Permute,
    Slice,
)

__all__ = []


def _make_divisible(value, divisor=8):
    # torchvision's _make_divisible: round to a multiple of divisor, never below 90%
    new = max(divisor, int(value + divisor / 2) // divisor * divisor)
    return new + divisor if new < 0.9 * value else new


def _prefixed(prefix, layers):
    return [dataclasses.replace(x, name=f"{prefix}.{x.name}") for x in layers]


def _cna(out, kernel, stride=1, groups=1, act="relu", name="0", dilation=1, eps=1e-5,
         bias=False):
    """torchvision's Conv2dNormActivation: ``name.0`` conv, ``name.1`` BN, ``name.2`` act."""
    pad = (kernel - 1) // 2 * dilation
    layers = [Conv(out, kernel, stride, pad, dilation, groups, bias, name=f"{name}.0"),
              BatchNorm(eps, name=f"{name}.1")]
    if act is not None:
        layers.append(Activation(act, name=f"{name}.2"))
    return layers


def _squeeze_excitation(channels, squeeze, act, scale, name):
    # torchvision.ops.SqueezeExcitation: scale(fc2(act(fc1(avgpool(x))))) * x
    return Graph((
        Node(AdaptivePool(1), name="avgpool"),
        Node(Conv(squeeze, 1), name="fc1"),
        Node(Activation(act), name="activation"),
        Node(Conv(channels, 1), name="fc2"),
        Node(Activation(scale), name="scale_activation"),
        Node(Multiply(), ("scale_activation", INPUT), "mul"),
    ), name=name)


def _mb_block(inp, out, kernel, expanded, stride, act, se, name, eps, se_act, se_scale,
              squeeze, drop=False):
    """An inverted residual of MobileNetV3 / EfficientNet's MBConv (``name.block.j``)."""
    body, j = [], 0
    if expanded != inp:
        body += _cna(expanded, 1, act=act, name=f"block.{j}", eps=eps)
        j += 1
    body += _cna(expanded, kernel, stride, expanded, act, f"block.{j}", eps=eps)
    j += 1
    if se:
        body.append(_squeeze_excitation(expanded, squeeze, se_act, se_scale, f"block.{j}"))
        j += 1
    body += _cna(out, 1, act=None, name=f"block.{j}", eps=eps)
    if stride == 1 and inp == out:
        if drop:
            body.append(Dropout(0.0, name="stochastic_depth"))
        return [Residual(tuple(body), (), None, name=name)]
    return _prefixed(name, body)


_V3_LARGE = [  # input, kernel, expanded, out, SE, activation, stride
    (16, 3, 16, 16, False, "relu", 1), (16, 3, 64, 24, False, "relu", 2),
    (24, 3, 72, 24, False, "relu", 1), (24, 5, 72, 40, True, "relu", 2),
    (40, 5, 120, 40, True, "relu", 1), (40, 5, 120, 40, True, "relu", 1),
    (40, 3, 240, 80, False, "hardswish", 2), (80, 3, 200, 80, False, "hardswish", 1),
    (80, 3, 184, 80, False, "hardswish", 1), (80, 3, 184, 80, False, "hardswish", 1),
    (80, 3, 480, 112, True, "hardswish", 1), (112, 3, 672, 112, True, "hardswish", 1),
    (112, 5, 672, 160, True, "hardswish", 2), (160, 5, 960, 160, True, "hardswish", 1),
    (160, 5, 960, 160, True, "hardswish", 1),
]
_V3_SMALL = [
    (16, 3, 16, 16, True, "relu", 2), (16, 3, 72, 24, False, "relu", 2),
    (24, 3, 88, 24, False, "relu", 1), (24, 5, 96, 40, True, "hardswish", 2),
    (40, 5, 240, 40, True, "hardswish", 1), (40, 5, 240, 40, True, "hardswish", 1),
    (40, 5, 120, 48, True, "hardswish", 1), (48, 5, 144, 48, True, "hardswish", 1),
    (48, 5, 288, 96, True, "hardswish", 2), (96, 5, 576, 96, True, "hardswish", 1),
    (96, 5, 576, 96, True, "hardswish", 1),
]


def _mobilenet_v3(settings, last_channel, num_classes=1000):
    # torchvision.models.mobilenetv3 (batch norm eps 0.001; SE squeeze = make_divisible(C/4))
    eps = 1e-3
    layers = _cna(16, 3, 2, act="hardswish", name="features.0", eps=eps)
    for index, (inp, k, exp, out, se, act, stride) in enumerate(settings, start=1):
        layers += _mb_block(inp, out, k, exp, stride, act, se, f"features.{index}", eps,
                            "relu", "hardsigmoid", _make_divisible(exp // 4))
    last = 6 * settings[-1][3]
    layers += _cna(last, 1, act="hardswish", name=f"features.{len(settings) + 1}", eps=eps)
    layers += [AdaptivePool(1, name="avgpool"), Flatten(name="flatten"),
               Linear(last_channel, name="classifier.0"),
               Activation("hardswish", name="classifier.1"), Dropout(0.2, name="classifier.2"),
               Linear(num_classes, name="classifier.3")]
    return tuple(layers)


def _efficientnet_b0(num_classes=1000):
    # torchvision.models.efficientnet_b0: MBConv stages, SiLU, SE squeeze = max(1, in/4)
    stages = [(1, 3, 1, 32, 16, 1), (6, 3, 2, 16, 24, 2), (6, 5, 2, 24, 40, 2),
              (6, 3, 2, 40, 80, 3), (6, 5, 1, 80, 112, 3), (6, 5, 2, 112, 192, 4),
              (6, 3, 1, 192, 320, 1)]
    layers = _cna(32, 3, 2, act="silu", name="features.0")
    for stage, (t, k, s, inp, out, count) in enumerate(stages, start=1):
        for i in range(count):
            cin = inp if i == 0 else out
            layers += _mb_block(cin, out, k, cin * t, s if i == 0 else 1, "silu", True,
                                f"features.{stage}.{i}", 1e-5, "silu", "sigmoid",
                                max(1, cin // 4), drop=True)
    layers += _cna(1280, 1, act="silu", name="features.8")
    layers += [AdaptivePool(1, name="avgpool"), Flatten(name="flatten"),
               Dropout(0.2, name="classifier.0"), Linear(num_classes, name="classifier.1")]
    return tuple(layers)


def _dense_block(layers, growth, bn_size, name):
    # each dense layer reads the concatenation of the block input and every earlier layer
    nodes, source = [], INPUT
    for i in range(1, layers + 1):
        p = f"denselayer{i}"
        for j, layer in enumerate((BatchNorm(name="norm1"), Activation(name="relu1"),
                                   Conv(bn_size * growth, 1, bias=False, name="conv1"),
                                   BatchNorm(name="norm2"), Activation(name="relu2"),
                                   Conv(growth, 3, padding=1, bias=False, name="conv2"))):
            nodes.append(Node(layer, (source,) if j == 0 else (), f"{p}.{layer.name}"))
        nodes.append(Node(Concat(1), (source, f"{p}.conv2"), f"{p}.cat"))
        source = f"{p}.cat"
    return Graph(tuple(nodes), name=name)


def _densenet121(num_classes=1000):
    # torchvision.models.densenet121: growth 32, blocks (6, 12, 24, 16), bn_size 4
    f = "features"
    layers = [Conv(64, 7, 2, 3, bias=False, name=f"{f}.conv0"), BatchNorm(name=f"{f}.norm0"),
              Activation(name=f"{f}.relu0"), Pool(3, 2, 1, name=f"{f}.pool0")]
    channels = 64
    for i, count in enumerate((6, 12, 24, 16), start=1):
        layers.append(_dense_block(count, 32, 4, f"{f}.denseblock{i}"))
        channels += count * 32
        if i != 4:
            channels //= 2
            layers += _prefixed(f"{f}.transition{i}", [
                BatchNorm(name="norm"), Activation(name="relu"),
                Conv(channels, 1, bias=False, name="conv"), Pool(2, 2, mode="avg", name="pool")])
    layers += [BatchNorm(name=f"{f}.norm5"), Activation(name="relu"),
               AdaptivePool(1, name="adaptive_avg_pool2d"), Flatten(name="flatten"),
               Linear(num_classes, name="classifier")]
    return tuple(layers)


def _basic_conv(out, kernel, name, **kwargs):
    # GoogLeNet's BasicConv2d: conv without bias, batch norm (eps 0.001), relu
    return [Conv(out, kernel, bias=False, name=f"{name}.conv", **kwargs),
            BatchNorm(1e-3, name=f"{name}.bn"), Activation(name=f"{name}.relu")]


def _inception(ch1, red3, ch3, red5, ch5, proj, name):
    # torchvision's Inception (its "5x5" branch uses a 3x3 kernel, as torchvision does)
    paths = [
        ("branch1", _basic_conv(ch1, 1, "branch1")),
        ("branch2", _basic_conv(red3, 1, "branch2.0") + _basic_conv(ch3, 3, "branch2.1", padding=1)),
        ("branch3", _basic_conv(red5, 1, "branch3.0") + _basic_conv(ch5, 3, "branch3.1", padding=1)),
        ("branch4", [Pool(3, 1, 1, ceil_mode=True, name="branch4.0")]
         + _basic_conv(proj, 1, "branch4.1")),
    ]
    nodes, ends = [], []
    for _, path in paths:
        for j, layer in enumerate(path):
            nodes.append(Node(layer, (INPUT,) if j == 0 else (), layer.name))
        ends.append(nodes[-1].name)
    nodes.append(Node(Concat(1), tuple(ends), "cat"))
    return Graph(tuple(nodes), name=name)


def _googlenet(num_classes=1000):
    # torchvision.models.googlenet(aux_logits=False, transform_input=False)
    pool = dict(ceil_mode=True)
    blocks = {"3a": (64, 96, 128, 16, 32, 32), "3b": (128, 128, 192, 32, 96, 64),
              "4a": (192, 96, 208, 16, 48, 64), "4b": (160, 112, 224, 24, 64, 64),
              "4c": (128, 128, 256, 24, 64, 64), "4d": (112, 144, 288, 32, 64, 64),
              "4e": (256, 160, 320, 32, 128, 128), "5a": (256, 160, 320, 32, 128, 128),
              "5b": (384, 192, 384, 48, 128, 128)}
    layers = (_basic_conv(64, 7, "conv1", stride=2, padding=3) + [Pool(3, 2, name="maxpool1", **pool)]
              + _basic_conv(64, 1, "conv2") + _basic_conv(192, 3, "conv3", padding=1)
              + [Pool(3, 2, name="maxpool2", **pool)])
    for key in ("3a", "3b", "4a", "4b", "4c", "4d", "4e", "5a", "5b"):
        layers.append(_inception(*blocks[key], name=f"inception{key}"))
        if key == "3b":
            layers.append(Pool(3, 2, name="maxpool3", **pool))
        elif key == "4e":
            layers.append(Pool(2, 2, name="maxpool4", **pool))
    layers += [AdaptivePool(1, name="avgpool"), Flatten(name="flatten"),
               Dropout(0.2, name="dropout"), Linear(num_classes, name="fc")]
    return tuple(layers)


def _shuffle_unit(inp, out, stride, name):
    # torchvision's shufflenetv2.InvertedResidual: two branches, concatenated, shuffled
    half = out // 2
    branch2 = [Conv(half, 1, bias=False), BatchNorm(), Activation(),
               Conv(half, 3, stride, 1, groups=half, bias=False), BatchNorm(),
               Conv(half, 1, bias=False), BatchNorm(), Activation()]
    nodes = []
    if stride == 1:
        nodes += [Node(Slice(1, 0, half), (INPUT,), "chunk.0"),
                  Node(Slice(1, half, None), (INPUT,), "chunk.1")]
        first, source = "chunk.0", "chunk.1"
    else:
        branch1 = [Conv(inp, 3, stride, 1, groups=inp, bias=False), BatchNorm(),
                   Conv(half, 1, bias=False), BatchNorm(), Activation()]
        for j, layer in enumerate(branch1):
            nodes.append(Node(layer, (INPUT,) if j == 0 else (), f"branch1.{j}"))
        first, source = "branch1.4", INPUT
    for j, layer in enumerate(branch2):
        nodes.append(Node(layer, (source,) if j == 0 else (), f"branch2.{j}"))
    nodes += [Node(Concat(1), (first, "branch2.7"), "cat"),
              Node(ChannelShuffle(2), (), "channel_shuffle")]
    return Graph(tuple(nodes), name=name)


def _shufflenet_v2_x1_0(num_classes=1000):
    # torchvision.models.shufflenet_v2_x1_0: stages of 4, 8, 4 units, widths 116/232/464
    layers = [Conv(24, 3, 2, 1, bias=False, name="conv1.0"), BatchNorm(name="conv1.1"),
              Activation(name="conv1.2"), Pool(3, 2, 1, name="maxpool")]
    inp = 24
    for stage, (repeats, out) in enumerate(zip((4, 8, 4), (116, 232, 464)), start=2):
        for i in range(repeats):
            layers.append(_shuffle_unit(inp, out, 2 if i == 0 else 1, f"stage{stage}.{i}"))
            inp = out
    layers += [Conv(1024, 1, bias=False, name="conv5.0"), BatchNorm(name="conv5.1"),
               Activation(name="conv5.2"), Mean((2, 3), name="mean"), Linear(num_classes, name="fc")]
    return tuple(layers)


def _convnext_tiny(num_classes=1000):
    # torchvision.models.convnext_tiny: 4x4/4 stem, stages (96, 192, 384, 768) x (3, 3, 9, 3)
    # of CNBlocks (7x7 depthwise, channels-last LayerNorm, MLP x4, layer scale), 2x2/2
    # downsampling between stages
    layers = [Conv(96, 4, 4, name="features.0.0"), LayerNorm2d(name="features.0.1")]
    index = 1
    widths, depths = (96, 192, 384, 768), (3, 3, 9, 3)
    for stage, (dim, depth) in enumerate(zip(widths, depths)):
        for i in range(depth):
            block = (Conv(dim, 7, padding=3, groups=dim, name="block.0"),
                     Permute((0, 2, 3, 1), name="block.1"), LayerNorm(dim, 1e-6, name="block.2"),
                     Linear(4 * dim, name="block.3"), Activation("gelu", name="block.4"),
                     Linear(dim, name="block.5"), Permute((0, 3, 1, 2), name="block.6"),
                     LayerScale(name="layer_scale"), Dropout(0.0, name="stochastic_depth"))
            layers.append(Residual(block, (), None, name=f"features.{index}.{i}"))
        index += 1
        if stage < 3:
            layers += [LayerNorm2d(name=f"features.{index}.0"),
                       Conv(widths[stage + 1], 2, 2, name=f"features.{index}.1")]
            index += 1
    layers += [AdaptivePool(1, name="avgpool"), LayerNorm2d(name="classifier.0"),
               Flatten(name="classifier.1"), Linear(num_classes, name="classifier.2")]
    return tuple(layers)


def _dcgan_generator(nz=100, ngf=64, nc=3):
    # the DCGAN of Radford et al. 2016 as in PyTorch's DCGAN tutorial: a 100-d code
    # (N, 100, 1, 1) -> transposed convolutions -> a 64x64 RGB image
    widths = (ngf * 8, ngf * 4, ngf * 2, ngf)
    layers = [ConvTranspose(widths[0], 4, 1, 0, bias=False), BatchNorm(), Activation()]
    for out in widths[1:]:
        layers += [ConvTranspose(out, 4, 2, 1, bias=False), BatchNorm(), Activation()]
    layers += [ConvTranspose(nc, 4, 2, 1, bias=False), Activation("tanh")]
    return tuple(dataclasses.replace(x, name=f"main.{i}") for i, x in enumerate(layers))


def _dcgan_discriminator(nc=3, ndf=64):
    # the matching discriminator: strided convolutions, LeakyReLU 0.2, a sigmoid score
    lrelu = dict(function="leaky_relu", negative_slope=0.2)
    layers = [Conv(ndf, 4, 2, 1, bias=False), Activation(**lrelu)]
    for out in (ndf * 2, ndf * 4, ndf * 8):
        layers += [Conv(out, 4, 2, 1, bias=False), BatchNorm(), Activation(**lrelu)]
    layers += [Conv(1, 4, 1, 0, bias=False), Activation("sigmoid")]
    return tuple(dataclasses.replace(x, name=f"main.{i}") for i, x in enumerate(layers))


def entries(Architecture):
    """The modern catalogue entries (``Architecture`` is passed in: it lives in the
    catalogue module, which imports this one)."""
    tv = "as torchvision.models."
    return {
        "mobilenet_v3_small": Architecture(
            "mobilenet_v3_small", _mobilenet_v3(_V3_SMALL, 1024), (3, 224, 224),
            f"MobileNetV3-Small (SE blocks, hardswish) {tv}mobilenet_v3_small"),
        "mobilenet_v3_large": Architecture(
            "mobilenet_v3_large", _mobilenet_v3(_V3_LARGE, 1280), (3, 224, 224),
            f"MobileNetV3-Large (SE blocks, hardswish) {tv}mobilenet_v3_large"),
        "efficientnet_b0": Architecture(
            "efficientnet_b0", _efficientnet_b0(), (3, 224, 224),
            f"EfficientNet-B0 (MBConv, SiLU, SE) {tv}efficientnet_b0"),
        "densenet121": Architecture(
            "densenet121", _densenet121(), (3, 224, 224),
            f"DenseNet-121 (dense blocks concatenate every earlier layer) {tv}densenet121"),
        "googlenet": Architecture(
            "googlenet", _googlenet(), (3, 224, 224),
            f"GoogLeNet (Inception blocks), no auxiliary heads, {tv}googlenet"),
        "shufflenet_v2_x1_0": Architecture(
            "shufflenet_v2_x1_0", _shufflenet_v2_x1_0(), (3, 224, 224),
            f"ShuffleNetV2 1.0x (channel split and shuffle) {tv}shufflenet_v2_x1_0"),
        "convnext_tiny": Architecture(
            "convnext_tiny", _convnext_tiny(), (3, 224, 224),
            f"ConvNeXt-Tiny (7x7 depthwise, LayerNorm, layer scale) {tv}convnext_tiny"),
        "dcgan_generator": Architecture(
            "dcgan_generator", _dcgan_generator(), (100, 1, 1),
            "DCGAN generator (PyTorch's DCGAN tutorial): 100-d code -> 3x64x64"),
        "dcgan_discriminator": Architecture(
            "dcgan_discriminator", _dcgan_discriminator(), (3, 64, 64),
            "DCGAN discriminator (PyTorch's DCGAN tutorial): 3x64x64 -> real/fake score"),
    }
