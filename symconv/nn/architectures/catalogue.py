"""The classic CNN catalogue: LeNet-5, AlexNet, VGG and ResNet with torchvision's layer
definitions and module names."""

import dataclasses
import re
from dataclasses import dataclass

from symconv.errors import SymconvError
from symconv.nn.architectures.specs import (
    Activation,
    AdaptivePool,
    BatchNorm,
    Conv,
    Dropout,
    Flatten,
    Linear,
    Pool,
    Residual,
    basic_block,
    bottleneck,
)
from symconv.nn.architectures.graph import Concat, Graph, Node
from symconv.nn.architectures.specs import ConvTranspose

__all__ = ["Architecture", "CATALOGUE", "get", "names"]


# ---------------------------------------------------------------------------
# the catalogue
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Architecture:
    """A named network: its layers, a default input ``(C, *spatial)`` and a description."""

    name: str
    layers: tuple
    input_shape: object = None
    description: str = ""

    @property
    def ndim(self):
        """Number of spatial dimensions of the default input (None when there is none)."""
        return None if self.input_shape is None else len(self.input_shape) - 1

    def __repr__(self):
        # one line: the full layer list is what str() and infer_shapes() are for
        shape = "no default input" if self.input_shape is None else \
            "input (" + ", ".join(str(v) for v in self.input_shape) + ")"
        return f"<Architecture {self.name}: {len(self.layers)} layers, {shape}>"

    def __str__(self):
        head = self.name + (f": {self.description}" if self.description else "")
        return "\n".join([head] + [f"  {layer!r}" for layer in self.layers])


def _lenet5():
    # LeCun et al. 1998, the variant usually taught: every C3 map sees all six S2 maps,
    # tanh activations, 2x2 average pooling ("subsampling"), a 32x32 grey input
    return (
        Conv(6, 5, name="conv1"), Activation("tanh", name="act1"),
        Pool(2, mode="avg", name="pool1"),
        Conv(16, 5, name="conv2"), Activation("tanh", name="act2"),
        Pool(2, mode="avg", name="pool2"),
        Flatten(name="flatten"),
        Linear(120, 16 * 5 * 5, name="fc1"), Activation("tanh", name="act3"),
        Linear(84, name="fc2"), Activation("tanh", name="act4"),
        Linear(10, name="fc3"),
    )


def _alexnet(num_classes=1000):
    # torchvision.models.AlexNet (the one-GPU variant of Krizhevsky et al. 2012)
    features = [
        Conv(64, 11, 4, 2), Activation(), Pool(3, 2),
        Conv(192, 5, padding=2), Activation(), Pool(3, 2),
        Conv(384, 3, padding=1), Activation(),
        Conv(256, 3, padding=1), Activation(),
        Conv(256, 3, padding=1), Activation(), Pool(3, 2),
    ]
    classifier = [
        Dropout(), Linear(4096, 256 * 6 * 6), Activation(),
        Dropout(), Linear(4096), Activation(),
        Linear(num_classes),
    ]
    return (*_named("features", features), AdaptivePool(6, name="avgpool"),
            Flatten(name="flatten"), *_named("classifier", classifier))


_VGG_CONFIGS = {
    # torchvision's cfgs 'A', 'B', 'D', 'E': channel counts, "M" = 2x2 max pool
    "vgg11": (64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"),
    "vgg13": (64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"),
    "vgg16": (64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M",
              512, 512, 512, "M"),
    "vgg19": (64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M",
              512, 512, 512, 512, "M"),
}


def _vgg(config, num_classes=1000):
    features = []
    for item in config:
        if item == "M":
            features.append(Pool(2, 2))
        else:
            features.extend([Conv(item, 3, padding=1), Activation()])
    classifier = [
        Linear(4096, 512 * 7 * 7), Activation(), Dropout(),
        Linear(4096), Activation(), Dropout(),
        Linear(num_classes),
    ]
    return (*_named("features", features), AdaptivePool(7, name="avgpool"),
            Flatten(name="flatten"), *_named("classifier", classifier))


_RESNET_CONFIGS = {
    "resnet18": (basic_block, 1, (2, 2, 2, 2)),
    "resnet34": (basic_block, 1, (3, 4, 6, 3)),
    "resnet50": (bottleneck, 4, (3, 4, 6, 3)),
    "resnet101": (bottleneck, 4, (3, 4, 23, 3)),
    "resnet152": (bottleneck, 4, (3, 8, 36, 3)),
}


def _resnext50_32x4d(num_classes=1000):
    import functools

    block = functools.partial(bottleneck, groups=32, base_width=4)
    return _resnet(block, 4, (3, 4, 6, 3), num_classes)


def _fire(squeeze, expand1x1, expand3x3, name):
    # torchvision's Fire: squeeze 1x1, then two expand paths concatenated on the channels
    return Graph((
        Node(Conv(squeeze, 1), name="squeeze"),
        Node(Activation(), name="squeeze_activation"),
        Node(Conv(expand1x1, 1), ("squeeze_activation",), "expand1x1"),
        Node(Activation(), name="expand1x1_activation"),
        Node(Conv(expand3x3, 3, padding=1), ("squeeze_activation",), "expand3x3"),
        Node(Activation(), name="expand3x3_activation"),
        Node(Concat(1), ("expand1x1_activation", "expand3x3_activation"), "cat"),
    ), name=name)


def _squeezenet1_1(num_classes=1000):
    fires = {3: (16, 64, 64), 4: (16, 64, 64), 6: (32, 128, 128), 7: (32, 128, 128),
             9: (48, 192, 192), 10: (48, 192, 192), 11: (64, 256, 256), 12: (64, 256, 256)}
    features = []
    for index in range(13):
        name = f"features.{index}"
        if index == 0:
            features.append(Conv(64, 3, 2, name=name))
        elif index == 1:
            features.append(Activation(name=name))
        elif index in (2, 5, 8):
            features.append(Pool(3, 2, ceil_mode=True, name=name))
        else:
            features.append(_fire(*fires[index], name=name))
    classifier = [Dropout(name="classifier.0"), Conv(num_classes, 1, name="classifier.1"),
                  Activation(name="classifier.2"), AdaptivePool(1, name="classifier.3")]
    return (*features, *classifier, Flatten(name="flatten"))


def _conv_bn_act(out, kernel, stride=1, groups=1, act="relu6", name=None):
    # torchvision's Conv2dNormActivation: conv (no bias), batch norm, activation
    pad = (kernel - 1) // 2
    return [Conv(out, kernel, stride, pad, groups=groups, bias=False, name=f"{name}.0"),
            BatchNorm(name=f"{name}.1"), Activation(act, name=f"{name}.2")]


def _mobilenet_v2(num_classes=1000):
    settings = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
                (6, 160, 3, 2), (6, 320, 1, 1)]
    layers = _conv_bn_act(32, 3, 2, name="features.0")
    inp, index = 32, 1
    for t, c, count, s in settings:
        for i in range(count):
            stride = s if i == 0 else 1
            hidden = int(round(inp * t))
            body, j = [], 0
            if t != 1:
                body += _conv_bn_act(hidden, 1, name=f"conv.{j}")
                j += 1
            body += _conv_bn_act(hidden, 3, stride, groups=hidden, name=f"conv.{j}")
            body += [Conv(c, 1, bias=False, name=f"conv.{j + 1}"), BatchNorm(name=f"conv.{j + 2}")]
            name = f"features.{index}"
            if stride == 1 and inp == c:
                layers.append(Residual(tuple(body), (), None, name=name))
            else:
                layers += [dataclasses.replace(x, name=f"{name}.{x.name}") for x in body]
            inp, index = c, index + 1
    layers += _conv_bn_act(1280, 1, name=f"features.{index}")
    layers += [AdaptivePool(1, name="avgpool"), Flatten(name="flatten"),
               Dropout(0.2, name="classifier.0"), Linear(num_classes, name="classifier.1")]
    return tuple(layers)


def _unet(in_channels=3, classes=2, widths=(64, 128, 256, 512, 1024)):
    # the padded U-Net (Ronneberger et al. 2015 with 3x3 'same' convolutions and batch
    # norm, as the common PyTorch implementations): the skips are concatenated without
    # cropping, so every level needs an even size (n a multiple of 16 in all)
    nodes = []

    def double(out, name, source=None):
        for j, layer in enumerate((Conv(out, 3, padding=1, bias=False), BatchNorm(), Activation(),
                                   Conv(out, 3, padding=1, bias=False), BatchNorm(), Activation())):
            nodes.append(Node(layer, (source,) if (j == 0 and source) else (), f"{name}.{j}"))
        return f"{name}.5"

    skips = [double(widths[0], "inc")]
    for level, width in enumerate(widths[1:], start=1):
        nodes.append(Node(Pool(2), (), f"down{level}.pool"))
        skips.append(double(width, f"down{level}.conv"))
    last = skips.pop()
    for level, width in enumerate(reversed(widths[:-1]), start=1):
        nodes.append(Node(ConvTranspose(width, 2, 2), (last,), f"up{level}.up"))
        nodes.append(Node(Concat(1), (skips.pop(), f"up{level}.up"), f"up{level}.cat"))
        last = double(width, f"up{level}.conv")
    nodes.append(Node(Conv(classes, 1), (last,), "outc"))
    return (Graph(tuple(nodes), name=""),)


def _resnet(block, expansion, counts, num_classes=1000):
    # torchvision.models.ResNet: 7x7/2 stem, 3x3/2 max pool, four stages of blocks
    # (64, 128, 256, 512 planes; the first block of stages 2-4 has stride 2),
    # global average pool, one linear layer
    layers = [Conv(64, 7, 2, 3, bias=False, name="conv1"), BatchNorm(name="bn1"),
              Activation(name="relu"), Pool(3, 2, 1, name="maxpool")]
    inplanes = 64
    for stage, (planes, count) in enumerate(zip((64, 128, 256, 512), counts), start=1):
        for index in range(count):
            stride = 2 if (index == 0 and stage > 1) else 1
            layers.append(block(inplanes, planes, stride, name=f"layer{stage}.{index}"))
            inplanes = planes * expansion
    layers += [AdaptivePool(1, name="avgpool"), Flatten(name="flatten"),
               Linear(num_classes, 512 * expansion, name="fc")]
    return tuple(layers)


def _named(prefix, layers):
    """Name layers ``prefix.0``, ``prefix.1``, ... as ``torch.nn.Sequential`` does."""
    import dataclasses

    return [dataclasses.replace(layer, name=f"{prefix}.{i}") for i, layer in enumerate(layers)]


def _catalogue():
    entries = {
        "lenet5": Architecture("lenet5", _lenet5(), (1, 32, 32),
                               "LeNet-5 (LeCun et al. 1998), full C3 connections, tanh, average pooling"),
        "alexnet": Architecture("alexnet", _alexnet(), (3, 224, 224),
                                "AlexNet as torchvision.models.alexnet"),
    }
    for name, config in _VGG_CONFIGS.items():
        entries[name] = Architecture(name, _vgg(config), (3, 224, 224),
                                     f"{name.upper()} without batch norm, as torchvision.models.{name}")
    for name, (block, expansion, counts) in _RESNET_CONFIGS.items():
        entries[name] = Architecture(name, _resnet(block, expansion, counts), (3, 224, 224),
                                     f"ResNet-{name[6:]} as torchvision.models.{name}")
    entries["resnext50_32x4d"] = Architecture(
        "resnext50_32x4d", _resnext50_32x4d(), (3, 224, 224),
        "ResNeXt-50 32x4d as torchvision.models.resnext50_32x4d")
    entries["squeezenet1_1"] = Architecture(
        "squeezenet1_1", _squeezenet1_1(), (3, 224, 224),
        "SqueezeNet 1.1 (fire modules: concatenated expand paths) as torchvision's")
    entries["mobilenet_v2"] = Architecture(
        "mobilenet_v2", _mobilenet_v2(), (3, 224, 224),
        "MobileNetV2 (inverted residuals, depthwise convolutions, ReLU6) as torchvision's")
    entries["unet"] = Architecture(
        "unet", _unet(), (3, 256, 256),
        "U-Net with padded 3x3 convolutions and batch norm, skips concatenated (3 -> 2 classes)")
    from symconv.nn.architectures import modern

    entries.update(modern.entries(Architecture))
    return entries


CATALOGUE = _catalogue()
_KEYS = {re.sub(r"[-_ ]", "", key): key for key in CATALOGUE}


def names():
    """The catalogue's names, in a stable order.

    >>> names()   # doctest: +NORMALIZE_WHITESPACE
    ['lenet5', 'alexnet', 'vgg11', 'vgg13', 'vgg16', 'vgg19', 'resnet18', 'resnet34',
     'resnet50', 'resnet101', 'resnet152', 'resnext50_32x4d', 'squeezenet1_1', 'mobilenet_v2',
     'unet', 'mobilenet_v3_small', 'mobilenet_v3_large', 'efficientnet_b0', 'densenet121',
     'googlenet', 'shufflenet_v2_x1_0', 'convnext_tiny', 'dcgan_generator',
     'dcgan_discriminator']
    """
    return list(CATALOGUE)


def get(name):
    """The catalogue entry ``name`` (case and ``-``/``_`` insensitive: ``'ResNet-18'`` works).

    >>> get('vgg16').input_shape
    (3, 224, 224)
    >>> get('resnet-18').name
    'resnet18'
    """
    if isinstance(name, Architecture):
        return name
    key = str(name).lower()
    if key not in CATALOGUE:
        key = _KEYS.get(re.sub(r"[-_ ]", "", key), key)
    if key not in CATALOGUE:
        import difflib

        close = difflib.get_close_matches(key, list(CATALOGUE), n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise SymconvError(f"architecture must be one of {', '.join(CATALOGUE)}, but got "
                           f"{name!r}{hint}")
    return CATALOGUE[key]
