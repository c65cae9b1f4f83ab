"""The classic CNN catalogue: LeNet-5, AlexNet, VGG and ResNet with torchvision's layer
definitions and module names."""

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
    basic_block,
    bottleneck,
)

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
    return entries


CATALOGUE = _catalogue()


def names():
    """The catalogue's names, in a stable order.

    >>> names()
    ['lenet5', 'alexnet', 'vgg11', 'vgg13', 'vgg16', 'vgg19', 'resnet18', 'resnet34', 'resnet50', 'resnet101', 'resnet152']
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
    key = re.sub(r"[-_ ]", "", str(name).lower())
    if key not in CATALOGUE:
        raise SymconvError(f"architecture must be one of {', '.join(CATALOGUE)}, but got {name!r}")
    return CATALOGUE[key]
