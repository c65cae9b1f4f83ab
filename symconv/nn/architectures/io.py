"""User networks as mappings and JSON (see :func:`layer_from_dict` for the format)."""

import json
import os

from symconv._util import validate as _params
from symconv.errors import SymconvError
from symconv.nn.architectures.catalogue import Architecture
from symconv.nn.architectures.graph import Add, Concat, Graph, Multiply, Node
from symconv.nn.architectures.padding import Pad
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
from symconv.nn.architectures.reshape import Unflatten
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
)

__all__ = ["layer_from_dict", "layers_from_json", "load_json"]


# ---------------------------------------------------------------------------
# user networks: mappings and JSON
# ---------------------------------------------------------------------------

_TYPES = {
    "conv": Conv, "conv_transpose": ConvTranspose, "pool": Pool,
    "adaptive_pool": AdaptivePool, "linear": Linear, "flatten": Flatten,
    "batchnorm": BatchNorm, "activation": Activation, "dropout": Dropout,
    "residual": Residual, "prelu": PReLU, "graph": Graph, "concat": Concat, "add": Add,
    "multiply": Multiply, "upsample": Upsample, "pixel_shuffle": PixelShuffle,
    "layernorm": LayerNorm, "groupnorm": GroupNorm, "permute": Permute, "slice": Slice,
    "class_token": ClassToken, "position_embedding": PositionEmbedding,
    "channel_shuffle": ChannelShuffle, "layernorm2d": LayerNorm2d, "layer_scale": LayerScale,
    "mean": Mean, "unflatten": Unflatten, "learned_tensor": LearnedTensor, "shared": Shared,
    "scalar": Scalar, "pad": Pad,
}
_ALIASES = {
    "conv2d": "conv", "convtranspose": "conv_transpose", "deconv": "conv_transpose",
    "maxpool": ("pool", {"mode": "max"}), "avgpool": ("pool", {"mode": "avg"}),
    "adaptive_avg_pool": ("adaptive_pool", {"mode": "avg"}),
    "adaptive_max_pool": ("adaptive_pool", {"mode": "max"}),
    "dense": "linear", "fc": "linear", "batch_norm": "batchnorm", "bn": "batchnorm",
    "relu": ("activation", {"function": "relu"}), "tanh": ("activation", {"function": "tanh"}),
    "sigmoid": ("activation", {"function": "sigmoid"}),
    "relu6": ("activation", {"function": "relu6"}), "silu": ("activation", {"function": "silu"}),
    "swish": ("activation", {"function": "silu"}),
    "hardswish": ("activation", {"function": "hardswish"}),
    "hardsigmoid": ("activation", {"function": "hardsigmoid"}),
    "elu": ("activation", {"function": "elu"}), "gelu": ("activation", {"function": "gelu"}),
    "leaky_relu": ("activation", {"function": "leaky_relu"}),
    "cat": "concat", "mul": "multiply", "layer_norm": "layernorm", "group_norm": "groupnorm",
    "interpolate": "upsample", "pixelshuffle": "pixel_shuffle", "crop": "slice",
}


def _check_json_value(value, where):
    """Only ints, bools, strings, floats (dropout p, eps), lists and nulls are accepted."""
    if isinstance(value, (list, tuple)):
        return tuple(_check_json_value(v, where) for v in value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise SymconvError(f"{where} must hold numbers, strings or lists, but got {value!r}")


def layer_from_dict(spec):
    """Build a layer from a mapping such as ``{"type": "conv", "out_channels": 6, "kernel_size": 5}``.

    The keys are the fields of the layer classes, plus ``"type"``:

    ========================  ===========================================================
    ``type``                  fields (defaults as in the class)
    ========================  ===========================================================
    ``conv``                  out_channels, kernel_size, stride, padding, dilation, groups,
                              bias, in_channels
    ``conv_transpose``        out_channels, kernel_size, stride, padding, output_padding,
                              dilation, groups, bias, in_channels
    ``pool``                  kernel_size, stride, padding, dilation, mode ('max'/'avg'),
                              ceil_mode, count_include_pad
    ``adaptive_pool``         output_size, mode
    ``linear``                out_features, in_features, bias
    ``flatten``               (none)
    ``batchnorm``             eps
    ``activation``            function ('relu', 'tanh', 'sigmoid', 'leaky_relu', 'gelu')
    ``dropout``               p
    ``residual``              main (a list of layers), shortcut (a list), activation
    ``graph``                 nodes: a list of layers, each with a ``name`` and optional
                              ``inputs`` (node names; default the node before; the
                              graph's input is ``"input"``); the last node is the output
    ``concat``                dim (a graph node reading two or more nodes)
    ``add``/``multiply``      activation (add only); broadcasting graph merges
    ``prelu``                 num_parameters, init
    ``upsample``              scale_factor or size, mode ('nearest', 'bilinear'), align_corners
    ``pixel_shuffle``         upscale_factor
    ``layernorm``             normalized_shape, eps, elementwise_affine, bias
    ``groupnorm``             num_groups, eps, affine
    ``permute``               dims
    ``slice``                 dim, start, stop, step, index
    ``class_token``           count
    ``position_embedding``    length
    ``channel_shuffle``       groups
    ``layernorm2d``           eps (layer norm over the channels, ConvNeXt)
    ``layer_scale``           init (a learned per-channel scale)
    ``mean``                  dims, keepdim
    ``unflatten``             dim, sizes (positive, at most one -1)
    ``learned_tensor``        shape, op ('multiply'/'add'), params (a model tensor
                              combined with the input, broadcasting)
    ``scalar``                op ('add', 'subtract', 'multiply', 'divide', 'power'),
                              value, reverse (``value - x``); elementwise, no parameters
    ``pad``                   padding (a [lo, hi] pair per spatial axis, first axis
                              first), mode ('constant', 'reflect', 'replicate',
                              'circular'), value
    ``shared``                layer (a layer mapping), owner (the row whose parameters it
                              uses again: counted there, 0 here)
    ========================  ===========================================================

    ``activation`` also takes relu6, silu (swish), hardswish, hardsigmoid, elu (with
    ``alpha``), softmax, and leaky_relu with ``negative_slope``; ``conv`` takes
    ``padding: "causal"`` (1-D) and ``weight_norm``; ``flatten`` takes start_dim, end_dim.

    Shorthands: ``maxpool``/``avgpool`` (a pool with that mode), ``relu``/``tanh``/
    ``sigmoid`` (an activation), ``fc``/``dense`` (linear), ``bn`` (batchnorm). Every
    layer may carry a ``name``. Values are plain JSON numbers, strings and lists; lists
    (``[3, 3]``, padding ``[[0, 1], [0, 1]]``) become tuples.

    >>> layer_from_dict({"type": "conv", "out_channels": 6, "kernel_size": [5, 5]})
    Conv(out_channels=6, kernel_size=(5, 5), stride=1, padding=0, dilation=1, groups=1, bias=True, in_channels=None, weight_norm=False, name=None)
    >>> layer_from_dict({"type": "maxpool", "kernel_size": 2})
    Pool(kernel_size=2, stride=None, padding=0, dilation=1, mode='max', ceil_mode=False, count_include_pad=True, name=None)
    >>> layer_from_dict({"type": "lstm"})
    Traceback (most recent call last):
    ...
    symconv.errors.SymconvError: layer type must be one of ...but got 'lstm'
    """
    if isinstance(spec, Layer):
        return spec
    if not isinstance(spec, dict):
        raise SymconvError(f"a layer must be a mapping with a 'type' key, but got {spec!r}")
    spec = dict(spec)
    kind = spec.pop("type", None)
    if not isinstance(kind, str):
        raise SymconvError(f"a layer mapping needs a 'type' string, but got {kind!r}")
    kind = kind.lower()
    extra = {}
    if kind in _ALIASES:
        alias = _ALIASES[kind]
        kind, extra = (alias, {}) if isinstance(alias, str) else alias
    if kind not in _TYPES:
        known = ", ".join(repr(t) for t in _TYPES)
        raise SymconvError(f"layer type must be one of {known} (or a shorthand: "
                           f"{', '.join(_ALIASES)}), but got {spec.get('type', kind)!r}")
    cls = _TYPES[kind]
    fields = set(cls.__dataclass_fields__)
    unknown = sorted(set(spec) - fields)
    if unknown:
        raise SymconvError(f"{kind} layer fields must be among {', '.join(sorted(fields))}, "
                           f"but got {', '.join(map(repr, unknown))}")
    if kind == "graph":
        nodes = spec.get("nodes")
        if not isinstance(nodes, (list, tuple)) or not nodes:
            raise SymconvError(f"graph nodes must be a non-empty list of layers, but got {nodes!r}")
        built = []
        for entry in nodes:
            if not isinstance(entry, dict):
                raise SymconvError(f"a graph node must be a mapping with a 'type' key, but got {entry!r}")
            entry = dict(entry)
            inputs = entry.pop("inputs", ())
            if isinstance(inputs, str):
                inputs = (inputs,)
            if not isinstance(inputs, (list, tuple)) or not all(isinstance(x, str) for x in inputs):
                raise SymconvError(f"a graph node's inputs must be a list of node names, but got "
                                   f"{inputs!r}")
            built.append(Node(layer_from_dict(entry), tuple(inputs), entry.get("name")))
        spec["nodes"] = tuple(built)
    elif kind == "shared":
        spec["layer"] = layer_from_dict(spec.get("layer"))
        spec = {key: value if key == "layer" else _check_json_value(value, f"shared field {key!r}")
                for key, value in spec.items()}
    elif kind == "residual":
        for key in ("main", "shortcut"):
            if key in spec:
                if not isinstance(spec[key], (list, tuple)):
                    raise SymconvError(f"residual {key} must be a list of layers, but got {spec[key]!r}")
                spec[key] = tuple(layer_from_dict(x) for x in spec[key])
    else:
        spec = {key: _check_json_value(value, f"{kind} field {key!r}") for key, value in spec.items()}
    spec.update({k: v for k, v in extra.items() if k not in spec})
    try:
        return cls(**spec)
    except TypeError as exc:  # a missing required field
        raise SymconvError(f"{kind} layer: {exc}") from None


def _as_layer(value):
    return value if isinstance(value, Layer) else layer_from_dict(value)


def layers_from_json(text, default_name="network"):
    """Read a network from JSON text: a list of layers, or ``{"layers": [...], ...}``.

    The object form may also give ``"name"`` (else ``default_name``), ``"input"`` (a
    default input shape ``[C, *spatial]``) and ``"description"``. Returns an
    :class:`Architecture`.

    >>> arch = layers_from_json('{"name": "tiny", "input": [1, 8, 8], "layers": '
    ...                         '[{"type": "conv", "out_channels": 4, "kernel_size": 3}, {"type": "flatten"}]}')
    >>> arch.name, arch.input_shape, len(arch.layers)
    ('tiny', (1, 8, 8), 2)
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SymconvError(f"a network file must be valid JSON, but got: {exc}") from None
    if isinstance(data, list):
        data = {"layers": data}
    if not isinstance(data, dict) or not isinstance(data.get("layers"), list):
        raise SymconvError("a network file must be a JSON list of layers or an object with a "
                           "'layers' list, but got " + type(data).__name__)
    unknown = sorted(set(data) - {"name", "input", "layers", "description"})
    if unknown:
        raise SymconvError("a network file's keys must be among name, input, layers, description, "
                           f"but got {', '.join(map(repr, unknown))}")
    input_shape = data.get("input")
    if input_shape is not None:
        if not isinstance(input_shape, list) or len(input_shape) < 2:
            raise SymconvError(f"'input' must be a list [C, *spatial], but got {input_shape!r}")
        input_shape = tuple(_params.as_int(v, "input size", 1) for v in input_shape)
    return Architecture(str(data.get("name", default_name)),
                        tuple(layer_from_dict(x) for x in data["layers"]),
                        input_shape, str(data.get("description", "")))


def load_json(path):
    """Read a network from a JSON file (see :func:`layers_from_json`); named after the file
    unless the file gives a ``"name"``."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError as exc:
        raise SymconvError(f"a network file must be readable, but got {exc}") from None
    return layers_from_json(text, default_name=os.path.splitext(os.path.basename(path))[0])


