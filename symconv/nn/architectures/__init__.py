"""A small vocabulary of layer specifications and the classic CNN catalogue.

A network is a list of layer *specifications*: small immutable records that say what
a layer is (``Conv(64, 3, padding=1)``), not tensors. Each specification knows

* its output shape for an input shape whose sizes may be SymPy symbols
  (the size rules come from :mod:`symconv.nn.shapes`),
* its number of trainable parameters (what ``sum(p.numel() for p in
  model.parameters())`` counts in PyTorch: weights and biases, batch-norm scale and
  shift; running statistics are buffers, not parameters),
* how to run itself with random weights on a NumPy array (through the executor
  :mod:`symconv.numeric`), so that ``symconv shapes ARCH --check N`` can confirm a
  symbolic shape table on real arrays.

The vocabulary: :class:`Conv`, :class:`ConvTranspose`, :class:`Pool` (max or average,
``ceil_mode``), :class:`AdaptivePool`, :class:`Linear`, :class:`Flatten`,
:class:`BatchNorm`, :class:`Activation`, :class:`Dropout` and :class:`Residual` (a
main path plus a shortcut, added; :func:`basic_block` and :func:`bottleneck` build
ResNet's two kinds). Shapes are channel-first, ``(N, C, *spatial)``, as in PyTorch.

The catalogue (:data:`CATALOGUE`, :func:`get`) holds LeNet-5, AlexNet, VGG-11/13/16/19,
ResNet-18/34/50/101/152, ResNeXt-50, SqueezeNet 1.1, MobileNetV2/V3, EfficientNet-B0,
DenseNet-121, GoogLeNet, ShuffleNetV2, ConvNeXt-Tiny (:mod:`.modern`), a U-Net and a DCGAN
pair with torchvision's layer definitions and module names, so
rows can be compared one to one with ``model.named_modules()``. Parameter totals are
computed from the specifications, layer by layer; the tests compare them with the
numbers torchvision publishes (AlexNet 61,100,840; ResNet-18 11,689,512; ...).

A user's network can be given as a list of specifications or of mappings (the JSON
format, see :func:`layer_from_dict`):

>>> from symconv.architectures import Conv, Pool, Flatten, Linear, trace
>>> rows = trace([Conv(6, 5, padding=2), Pool(2), Flatten(), Linear(10)], (1, 1, 28, 28))
>>> [(r.name, r.output_shape, r.params) for r in rows]
[('0', (1, 6, 28, 28), 156), ('1', (1, 6, 14, 14), 0), ('2', (1, 1176), 0), ('3', (1, 10), 11770)]
"""

from symconv.nn.architectures.catalogue import CATALOGUE, Architecture, get, names
from symconv.nn.architectures.from_torch import from_torch, graph_from_torch
from symconv.nn.architectures.graph import INPUT, Add, Concat, Graph, Multiply, Node, branches
from symconv.nn.architectures.io import layer_from_dict, layers_from_json, load_json
from symconv.nn.architectures.specs import (
                                            Activation,
                                            AdaptivePool,
                                            BatchNorm,
                                            Conv,
                                            ConvTranspose,
                                            Dropout,
                                            Flatten,
                                            Layer,
                                            Linear,
                                            Pool,
                                            PReLU,
                                            Residual,
                                            basic_block,
                                            bottleneck,
)
from symconv.nn.architectures.table import ShapeTable, infer_shapes
from symconv.nn.architectures.reshape import Unflatten, view_layers
from symconv.nn.architectures.padding import Pad
from symconv.nn.architectures.receptive import receptive_field  # noqa: F401 - in __all__ below
from symconv.nn.architectures.trace import Row, run_numpy, trace
from symconv.nn.architectures.vocabulary import (
                                                 ChannelShuffle,
                                                 ClassToken,
                                                 GroupNorm,
                                                 LayerNorm,
                                                 LayerNorm2d,
                                                 LayerScale,
                                                 LearnedTensor,
                                                 Mean,
                                                 Permute,
                                                 PixelShuffle,
                                                 PositionEmbedding,
                                                 Scalar,
                                                 Shared,
                                                 Slice,
                                                 Upsample,
)

__all__ = [
    "Layer", "Conv", "ConvTranspose", "Pool", "AdaptivePool", "Linear", "Flatten", "BatchNorm",
    "Activation", "PReLU", "Dropout", "Residual", "basic_block", "bottleneck",
    "Graph", "Node", "Concat", "Add", "Multiply", "branches", "INPUT",
    "Upsample", "PixelShuffle", "LayerNorm", "GroupNorm", "Permute", "Slice", "ClassToken",
    "PositionEmbedding", "ChannelShuffle", "LayerNorm2d", "LayerScale", "Mean",
    "LearnedTensor", "Pad", "Scalar", "Shared", "Unflatten", "view_layers",
    "from_torch", "graph_from_torch",
    "Architecture", "Row", "CATALOGUE", "get", "names", "trace", "run_numpy",
    "layer_from_dict", "layers_from_json", "load_json", "infer_shapes", "ShapeTable",
    "receptive_field",
]
