"""A small vocabulary of layer specifications and the classic CNN catalogue.

A network is a list of layer *specifications*: small immutable records that say what
a layer is (``Conv(64, 3, padding=1)``), not tensors. Each specification knows

* its output shape for an input shape whose sizes may be SymPy symbols
  (the size rules come from :mod:`symconv.shapes`),
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

The catalogue (:data:`CATALOGUE`, :func:`get`) holds LeNet-5, AlexNet, VGG-11/13/16/19
and ResNet-18/34/50/101/152 with torchvision's layer definitions and module names, so
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

import json
import math
import os
import re
from dataclasses import dataclass, field

import sympy as sp

from symconv import _params
from symconv.errors import ShapeError, SymconvError
from symconv.shapes import conv_output_size, conv_transpose_output_size, pool_output_size

__all__ = [
    "Conv", "ConvTranspose", "Pool", "AdaptivePool", "Linear", "Flatten", "BatchNorm",
    "Activation", "Dropout", "Residual", "basic_block", "bottleneck",
    "Architecture", "Row", "CATALOGUE", "get", "names", "trace", "run_numpy",
    "layer_from_dict", "layers_from_json", "load_json",
]


# ---------------------------------------------------------------------------
# small helpers
# ---------------------------------------------------------------------------

def _prod(values):
    out = 1
    for v in values:
        out = out * v
    return out


def _tuple(value, ndim, name, minimum):
    return _params.int_tuple(value, ndim, name, minimum)


def _times(values):
    return "x".join(str(v) for v in values)


def _same(values):
    """Print ``(3, 3)`` as ``3`` when every entry is equal."""
    return str(values[0]) if len(set(values)) == 1 else _times(values)


def _pad_text(pairs):
    """``((1, 1), (1, 1))`` -> ``'1'``; otherwise ``'lo:hi'`` per dimension."""
    if len(set(pairs)) == 1 and pairs[0][0] == pairs[0][1]:
        return str(pairs[0][0])
    return ",".join(f"{lo}:{hi}" if lo != hi else str(lo) for lo, hi in pairs)


def _spatial(shape, what, minimum_rank=3):
    if len(shape) < minimum_rank:
        raise ShapeError(f"{what} needs an input (N, C, *spatial) with at least "
                         f"{minimum_rank - 2} spatial dimension(s), but got shape {_fmt(shape)}")
    return shape[2:]


def _fmt(shape):
    return "(" + ", ".join(str(s) for s in shape) + ")"


def _check_channels(shape, expected, what):
    channels = shape[1]
    if expected is not None and sp.simplify(sp.sympify(channels) - expected) != 0:
        raise ShapeError(f"{what} expects {expected} input channels, but got {channels} "
                         f"(input shape {_fmt(shape)})")
    return channels


def _divisible(value, groups, what):
    if isinstance(value, int) and value % groups:
        raise ShapeError(f"groups must divide {what}, but {groups} does not divide {value}")


def _rng_weights(rng, shape, fan_in):
    import numpy as np

    weights = rng.standard_normal(shape, dtype=np.float32)
    weights *= np.float32(1.0 / math.sqrt(max(int(fan_in), 1)))
    return weights


class Layer:
    """Base of the layer specifications (immutable dataclasses)."""

    kind = "layer"

    def output_shape(self, shape):
        """The output shape for an input ``shape`` (ints or SymPy expressions)."""
        raise NotImplementedError

    def num_params(self, shape):
        """Trainable parameters for an input ``shape``; 0 unless overridden."""
        return 0

    def describe(self, shape):
        """A short human description, e.g. ``'conv 3->64, 11x11/4, pad 2'``."""
        return self.kind

    def forward(self, x, rng):
        """Run the layer on a NumPy array with random weights drawn from ``rng``."""
        raise NotImplementedError

    def to_dict(self):
        """The JSON mapping that :func:`layer_from_dict` turns back into this layer."""
        out = {"type": self.kind}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            default = self.__dataclass_fields__[name].default
            if value != default:
                out[name] = list(value) if isinstance(value, tuple) else value
        return out


class _Grouped(Layer):
    """What :class:`Conv` and :class:`ConvTranspose` share: ``out_channels`` and
    ``groups`` checks, the kernel/stride/dilation tuples, the input channel check and
    the random bias."""

    def __post_init__(self):
        _params.as_int(self.out_channels, "out_channels", 1)
        _params.as_int(self.groups, "groups", 1)
        _divisible(self.out_channels, self.groups, "out_channels")

    def _ksd(self, ndim):
        return (_tuple(self.kernel_size, ndim, "kernel_size", 1),
                _tuple(self.stride, ndim, "stride", 1),
                _tuple(self.dilation, ndim, "dilation", 1))

    def _input_spatial(self, shape):
        spatial = _spatial(shape, self.kind)
        channels = _check_channels(shape, self.in_channels, self.kind)
        _divisible(channels, self.groups, "in_channels")
        return spatial

    def _random_bias(self, rng):
        return _rng_weights(rng, (self.out_channels,), 1) if self.bias else None


# ---------------------------------------------------------------------------
# the vocabulary
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Conv(_Grouped):
    """A convolution (cross-correlation) layer, as ``torch.nn.Conv{1,2,3}d``.

    ``kernel_size``, ``stride``, ``dilation``: an int or one int per spatial dimension;
    ``padding``: an int, one int or ``(lo, hi)`` pair per dimension, ``'same'`` or
    ``'valid'``. ``in_channels`` is taken from the input when omitted. Parameters:
    ``out_channels * in_channels/groups * prod(kernel_size)`` weights plus
    ``out_channels`` biases.
    """

    out_channels: int
    kernel_size: object
    stride: object = 1
    padding: object = 0
    dilation: object = 1
    groups: int = 1
    bias: bool = True
    in_channels: object = None
    name: object = None
    kind = "conv"

    def _geometry(self, ndim):
        k, s, d = self._ksd(ndim)
        p = _params.padding_pairs(self.padding, k, s, d)
        return k, s, p, d

    def output_shape(self, shape):
        spatial = self._input_spatial(shape)
        k, s, p, d = self._geometry(len(spatial))
        out = tuple(conv_output_size(n, ki, si, pi, di)
                    for n, ki, si, pi, di in zip(spatial, k, s, p, d))
        return (shape[0], self.out_channels, *out)

    def num_params(self, shape):
        k = _tuple(self.kernel_size, len(shape) - 2, "kernel_size", 1)
        weights = self.out_channels * (shape[1] // self.groups if isinstance(shape[1], int)
                                       else shape[1] / self.groups) * _prod(k)
        return weights + (self.out_channels if self.bias else 0)

    def describe(self, shape):
        k, s, p, d = self._geometry(len(shape) - 2)
        text = f"conv {shape[1]}->{self.out_channels}, {_times(k)}"
        if set(s) != {1}:
            text += f"/{_same(s)}"
        if any(pair != (0, 0) for pair in p):
            text += ", pad " + _pad_text(p)
        if set(d) != {1}:
            text += f", dil {_same(d)}"
        if self.groups != 1:
            text += f", groups {self.groups}"
        if not self.bias:
            text += ", no bias"
        return text

    def forward(self, x, rng):
        import symconv.numeric as sn

        ndim = x.ndim - 2
        k, s, p, d = self._geometry(ndim)
        cin = x.shape[1] // self.groups
        w = _rng_weights(rng, (self.out_channels, cin, *k), cin * _prod(k))
        b = self._random_bias(rng)
        return sn.conv_layer(x, w, b, stride=s, padding=p, dilation=d, groups=self.groups)


@dataclass(frozen=True)
class ConvTranspose(_Grouped):
    """A transposed convolution, as ``torch.nn.ConvTranspose{1,2,3}d``.

    Weight shape ``(in_channels, out_channels/groups, *kernel_size)``; ``padding`` an int
    or per-dimension ints or ``(lo, hi)`` pairs, ``output_padding`` an int or per-dimension ints.
    """

    out_channels: int
    kernel_size: object
    stride: object = 1
    padding: object = 0
    output_padding: object = 0
    dilation: object = 1
    groups: int = 1
    bias: bool = True
    in_channels: object = None
    name: object = None
    kind = "conv_transpose"

    def _geometry(self, ndim):
        k, s, d = self._ksd(ndim)
        if isinstance(self.padding, str):
            raise SymconvError(f"conv_transpose padding must be ints or (lo, hi) pairs, "
                               f"but got {self.padding!r}")
        p = _params.padding_pairs(self.padding, k, s, d)
        op = _tuple(self.output_padding, ndim, "output_padding", 0)
        return k, s, p, op, d

    def output_shape(self, shape):
        spatial = self._input_spatial(shape)
        k, s, p, op, d = self._geometry(len(spatial))
        out = tuple(conv_transpose_output_size(n, ki, si, pi, oi, di)
                    for n, ki, si, pi, oi, di in zip(spatial, k, s, p, op, d))
        return (shape[0], self.out_channels, *out)

    def num_params(self, shape):
        k = _tuple(self.kernel_size, len(shape) - 2, "kernel_size", 1)
        weights = shape[1] * (self.out_channels // self.groups) * _prod(k)
        return weights + (self.out_channels if self.bias else 0)

    def describe(self, shape):
        k, s, p, op, d = self._geometry(len(shape) - 2)
        text = f"conv_transpose {shape[1]}->{self.out_channels}, {_times(k)}/{_same(s)}"
        if any(pair != (0, 0) for pair in p):
            text += ", pad " + _pad_text(p)
        if set(op) != {0}:
            text += f", out_pad {_same(op)}"
        return text

    def forward(self, x, rng):
        import symconv.numeric as sn

        ndim = x.ndim - 2
        k, s, p, op, d = self._geometry(ndim)
        fout = self.out_channels // self.groups
        w = _rng_weights(rng, (x.shape[1], fout, *k), x.shape[1] * _prod(k))
        b = self._random_bias(rng)
        return sn.conv_transpose_layer(x, w, b, stride=s, padding=p, output_padding=op,
                                       dilation=d, groups=self.groups)


@dataclass(frozen=True)
class Pool(Layer):
    """Max or average pooling, as ``torch.nn.MaxPool2d`` / ``AvgPool2d`` (no parameters).

    ``stride`` defaults to ``kernel_size``; ``ceil_mode`` follows PyTorch's rule (see
    :func:`symconv.shapes.pool_output_size`).
    """

    kernel_size: object
    stride: object = None
    padding: object = 0
    dilation: object = 1
    mode: str = "max"
    ceil_mode: bool = False
    count_include_pad: bool = True
    name: object = None
    kind = "pool"

    def __post_init__(self):
        _params.check_choice(self.mode, ("max", "avg"), "pool mode")
        if not isinstance(self.ceil_mode, bool):
            raise SymconvError(f"ceil_mode must be True or False, but got {self.ceil_mode!r}")

    def _geometry(self, ndim):
        k = _tuple(self.kernel_size, ndim, "kernel_size", 1)
        s = k if self.stride is None else _tuple(self.stride, ndim, "stride", 1)
        d = _tuple(self.dilation, ndim, "dilation", 1)
        if isinstance(self.padding, str):
            raise SymconvError(f"pool padding must be ints or (lo, hi) pairs, but got {self.padding!r}")
        p = _params.padding_pairs(self.padding, k, s, d)
        return k, s, p, d

    def output_shape(self, shape):
        spatial = _spatial(shape, f"{self.mode} pool")
        k, s, p, d = self._geometry(len(spatial))
        out = tuple(pool_output_size(n, ki, si, pi, di, self.ceil_mode)
                    for n, ki, si, pi, di in zip(spatial, k, s, p, d))
        return (*shape[:2], *out)

    def describe(self, shape):
        k, s, p, d = self._geometry(len(shape) - 2)
        text = f"{self.mode} pool {_times(k)}/{_same(s)}"
        if any(pair != (0, 0) for pair in p):
            text += ", pad " + _pad_text(p)
        if set(d) != {1}:
            text += f", dil {_same(d)}"
        if self.ceil_mode:
            text += ", ceil"
        return text

    def forward(self, x, rng):
        import symconv.numeric as sn

        k, s, p, d = self._geometry(x.ndim - 2)
        return sn.pool_layer(x, k, stride=s, padding=p, dilation=d, mode=self.mode,
                             ceil_mode=self.ceil_mode, count_include_pad=self.count_include_pad)


@dataclass(frozen=True)
class AdaptivePool(Layer):
    """Adaptive max or average pooling to a fixed ``output_size`` (``AdaptiveAvgPool2d``).

    Output cell ``i`` of a dimension of length ``n`` pools the inputs
    ``floor(i*n/out) <= j < ceil((i + 1)*n/out)`` (PyTorch's windows).
    """

    output_size: object
    mode: str = "avg"
    name: object = None
    kind = "adaptive_pool"

    def __post_init__(self):
        _params.check_choice(self.mode, ("max", "avg"), "adaptive pool mode")

    def output_shape(self, shape):
        spatial = _spatial(shape, "adaptive pool")
        out = _tuple(self.output_size, len(spatial), "output_size", 1)
        return (*shape[:2], *out)

    def describe(self, shape):
        return f"adaptive {self.mode} pool -> {_times(self.output_shape(shape)[2:])}"

    def forward(self, x, rng):
        import numpy as np

        out_size = _tuple(self.output_size, x.ndim - 2, "output_size", 1)
        reduce = np.max if self.mode == "max" else np.mean
        y = x
        # pool one spatial axis at a time (max and mean are separable over a box)
        for axis, (n, m) in enumerate(zip(x.shape[2:], out_size), start=2):
            pieces = []
            for i in range(m):
                lo, hi = (i * n) // m, -((-(i + 1) * n) // m)
                pieces.append(reduce(np.take(y, np.arange(lo, hi), axis=axis), axis=axis,
                                     keepdims=True))
            y = np.concatenate(pieces, axis=axis)
        return y


@dataclass(frozen=True)
class Linear(Layer):
    """A fully connected layer on the last axis (``torch.nn.Linear``).

    ``in_features`` is taken from the input when omitted; when given, the input's last
    size must equal it (for a symbolic input this becomes a condition on the symbols).
    """

    out_features: int
    in_features: object = None
    bias: bool = True
    name: object = None
    kind = "linear"

    def __post_init__(self):
        _params.as_int(self.out_features, "out_features", 1)
        if self.in_features is not None:
            _params.as_int(self.in_features, "in_features", 1)

    def output_shape(self, shape):
        if len(shape) < 2:
            raise ShapeError(f"linear needs an input (N, ..., features), but got shape {_fmt(shape)}")
        got = shape[-1]
        if self.in_features is not None:
            same = sp.Eq(got, self.in_features) if not isinstance(got, int) else got == self.in_features
            if same is False or same is sp.false:
                raise ShapeError(f"linear expects {self.in_features} input features, but got {got} "
                                 f"(input shape {_fmt(shape)})")
        return (*shape[:-1], self.out_features)

    def num_params(self, shape):
        features = shape[-1] if self.in_features is None else self.in_features
        return features * self.out_features + (self.out_features if self.bias else 0)

    def describe(self, shape):
        features = shape[-1] if self.in_features is None else self.in_features
        return f"linear {features}->{self.out_features}" + ("" if self.bias else ", no bias")

    def forward(self, x, rng):
        w = _rng_weights(rng, (self.out_features, x.shape[-1]), x.shape[-1])
        y = x @ w.T
        if self.bias:
            y = y + _rng_weights(rng, (self.out_features,), 1)
        return y


@dataclass(frozen=True)
class Flatten(Layer):
    """Flatten every axis after the batch axis: ``(N, C, H, W) -> (N, C*H*W)``."""

    name: object = None
    kind = "flatten"

    def output_shape(self, shape):
        if len(shape) < 2:
            raise ShapeError(f"flatten needs an input with a batch axis, but got shape {_fmt(shape)}")
        return (shape[0], _prod(shape[1:]))

    def forward(self, x, rng):
        return x.reshape(x.shape[0], -1)


@dataclass(frozen=True)
class BatchNorm(Layer):
    """Batch normalisation over the channel axis; ``2*C`` parameters (scale and shift).

    The check runs it in evaluation mode with random running statistics.
    """

    eps: float = 1e-5
    name: object = None
    kind = "batchnorm"

    def output_shape(self, shape):
        if len(shape) < 2:
            raise ShapeError(f"batch norm needs an input (N, C, ...), but got shape {_fmt(shape)}")
        return tuple(shape)

    def num_params(self, shape):
        return 2 * shape[1]

    def describe(self, shape):
        return f"batch norm ({shape[1]})"

    def forward(self, x, rng):
        import numpy as np

        c = x.shape[1]
        view = (1, c) + (1,) * (x.ndim - 2)
        mean = rng.standard_normal(c).astype(np.float32).reshape(view) * 0.1
        var = (1.0 + rng.random(c)).astype(np.float32).reshape(view)
        gamma = (1.0 + 0.1 * rng.standard_normal(c)).astype(np.float32).reshape(view)
        beta = (0.1 * rng.standard_normal(c)).astype(np.float32).reshape(view)
        return ((x - mean) / np.sqrt(var + np.float32(self.eps)) * gamma + beta).astype(x.dtype)


_ACTIVATIONS = ("relu", "tanh", "sigmoid", "leaky_relu", "gelu", "identity")


def _activate(x, kind):
    import numpy as np

    if kind == "relu":
        return np.maximum(x, 0)
    if kind == "tanh":
        return np.tanh(x)
    if kind == "sigmoid":
        return 1 / (1 + np.exp(-x))
    if kind == "leaky_relu":
        return np.where(x > 0, x, x * np.float32(0.01))
    if kind == "gelu":
        return 0.5 * x * (1 + np.tanh(np.float32(0.7978845608) * (x + 0.044715 * x ** 3)))
    return x


@dataclass(frozen=True)
class Activation(Layer):
    """An elementwise activation: one of relu, tanh, sigmoid, leaky_relu, gelu, identity."""

    function: str = "relu"
    name: object = None
    kind = "activation"

    def __post_init__(self):
        _params.check_choice(self.function, _ACTIVATIONS, "activation")

    def output_shape(self, shape):
        return tuple(shape)

    def describe(self, shape):
        return self.function

    def forward(self, x, rng):
        return _activate(x, self.function)


@dataclass(frozen=True)
class Dropout(Layer):
    """Dropout: no parameters, no shape change (the identity at evaluation time)."""

    p: float = 0.5
    name: object = None
    kind = "dropout"

    def output_shape(self, shape):
        return tuple(shape)

    def describe(self, shape):
        return f"dropout {self.p}"

    def forward(self, x, rng):
        return x


@dataclass(frozen=True)
class Residual(Layer):
    """``activation(main(x) + shortcut(x))``: a residual block.

    ``main`` and ``shortcut`` are lists of layers (an empty shortcut is the identity);
    both paths must produce the same shape. Rows are produced for every inner layer,
    named ``<block>.<inner>``, followed by one row for the sum itself.
    """

    main: tuple
    shortcut: tuple = ()
    activation: object = "relu"
    name: object = None
    kind = "residual"

    def __post_init__(self):
        object.__setattr__(self, "main", tuple(_as_layer(x) for x in self.main))
        object.__setattr__(self, "shortcut", tuple(_as_layer(x) for x in self.shortcut))
        if not self.main:
            raise SymconvError("a residual block must have a non-empty main path, but got main=()")
        if self.activation is not None:
            _params.check_choice(self.activation, _ACTIVATIONS, "activation")

    def output_shape(self, shape):
        rows = trace(self.main, shape, prefix=None)
        return rows[-1].output_shape

    def describe(self, shape):
        act = "" if self.activation in (None, "identity") else f", {self.activation}"
        return ("add shortcut" if self.shortcut else "add identity") + act

    def to_dict(self):
        out = {"type": "residual", "main": [x.to_dict() for x in self.main]}
        if self.shortcut:
            out["shortcut"] = [x.to_dict() for x in self.shortcut]
        if self.activation != "relu":
            out["activation"] = self.activation
        if self.name is not None:
            out["name"] = self.name
        return out


def basic_block(inplanes, planes, stride=1, name=None):
    """torchvision's ``BasicBlock``: two 3x3 convolutions (expansion 1).

    The shortcut is a 1x1 convolution with the block's stride plus batch norm when the
    stride is not 1 or the channel count changes, and the identity otherwise.
    """
    main = (Conv(planes, 3, stride, 1, bias=False, name="conv1"), BatchNorm(name="bn1"),
            Activation("relu", name="relu"),
            Conv(planes, 3, 1, 1, bias=False, name="conv2"), BatchNorm(name="bn2"))
    shortcut = ()
    if stride != 1 or inplanes != planes:
        shortcut = (Conv(planes, 1, stride, bias=False, name="downsample.0"),
                    BatchNorm(name="downsample.1"))
    return Residual(main, shortcut, "relu", name=name)


def bottleneck(inplanes, planes, stride=1, name=None, expansion=4):
    """torchvision's ``Bottleneck`` (ResNet v1.5: the stride sits on the 3x3 convolution).

    1x1 down to ``planes``, 3x3 with the stride, 1x1 up to ``expansion*planes``; the
    shortcut is a strided 1x1 convolution plus batch norm when the shape changes.
    """
    out = planes * expansion
    main = (Conv(planes, 1, bias=False, name="conv1"), BatchNorm(name="bn1"),
            Activation("relu", name="relu1"),
            Conv(planes, 3, stride, 1, bias=False, name="conv2"), BatchNorm(name="bn2"),
            Activation("relu", name="relu2"),
            Conv(out, 1, bias=False, name="conv3"), BatchNorm(name="bn3"))
    shortcut = ()
    if stride != 1 or inplanes != out:
        shortcut = (Conv(out, 1, stride, bias=False, name="downsample.0"),
                    BatchNorm(name="downsample.1"))
    return Residual(main, shortcut, "relu", name=name)


# ---------------------------------------------------------------------------
# tracing: shapes and parameters row by row
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    """One row of a shape table.

    ``name`` is the dotted module name, ``kind`` the layer type, ``description`` a short
    summary, ``input_shape``/``output_shape`` tuples of ints or SymPy expressions,
    ``params`` the layer's own trainable parameters (a residual block's row counts 0:
    its inner layers have rows of their own), ``depth`` the nesting level, and
    ``conditions`` the conditions on symbolic sizes under which the layer is valid
    (each a SymPy relation, empty when nothing is left undecided).
    """

    name: str
    kind: str
    description: str
    input_shape: tuple
    output_shape: tuple
    params: object
    depth: int = 0
    conditions: tuple = field(default=())


def _undecided(condition):
    """Return the condition unless it is decidably true; raise nothing."""
    if condition is True or condition is sp.true:
        return None
    return condition


def _conditions(layer, shape, out):
    """Conditions on the symbols for this layer to be valid (sizes >= 1, matching features)."""
    found = []
    for size in out[2:] if layer.kind in ("conv", "conv_transpose", "pool") else ():
        if not isinstance(size, int):
            cond = _undecided(sp.Ge(size, 1))
            if cond is not None and cond not in found:
                found.append(cond)
    if layer.kind == "linear" and layer.in_features is not None and not isinstance(shape[-1], int):
        cond = _undecided(sp.Eq(shape[-1], layer.in_features))
        if cond is not None:
            found.append(cond)
    return tuple(found)


def _join(prefix, name):
    return name if prefix is None else f"{prefix}.{name}"


def trace(layers, input_shape, prefix=None, depth=0):
    """Propagate ``input_shape`` through ``layers`` and return one :class:`Row` per layer.

    Parameters
    ----------
    layers : sequence of Layer or mapping
        The network (mappings are read by :func:`layer_from_dict`).
    input_shape : tuple
        ``(N, C, *spatial)``; entries are ints or SymPy expressions.

    Returns
    -------
    list of Row
        Rows in execution order; a residual block contributes the rows of its main path,
        then of its shortcut, then its own row (the sum).

    Raises
    ------
    ShapeError
        When a layer cannot take its input; the message names the layer.
    """
    rows = []
    shape = tuple(input_shape)
    for index, layer in enumerate(layers):
        layer = _as_layer(layer)
        name = _join(prefix, layer.name if layer.name is not None else str(index))
        try:
            if isinstance(layer, Residual):
                inner = trace(layer.main, shape, name, depth + 1)
                side = trace(layer.shortcut, shape, name, depth + 1)
                rows.extend(inner)
                rows.extend(side)
                out = inner[-1].output_shape
                short = side[-1].output_shape if side else shape
                conditions = _match(out, short, name)
                rows.append(Row(name, layer.kind, layer.describe(shape), shape, out, 0, depth,
                                conditions))
            else:
                out = tuple(layer.output_shape(shape))
                rows.append(Row(name, layer.kind, layer.describe(shape), shape, out,
                                layer.num_params(shape), depth, _conditions(layer, shape, out)))
        except ShapeError as exc:
            message = str(exc)
            if not message.startswith("layer '"):
                message = f"layer '{name}' ({layer.kind}) with input {_fmt(shape)}: {message}"
            raise ShapeError(message) from None
        shape = out
    return rows


def _match(a, b, name):
    """Conditions for the two paths of a residual block to have equal shapes."""
    if len(a) != len(b):
        raise ShapeError(f"residual block '{name}': both paths must give the same shape, "
                         f"but got {_fmt(a)} and {_fmt(b)}")
    found = []
    for x, y in zip(a, b):
        if isinstance(x, int) and isinstance(y, int):
            if x != y:
                raise ShapeError(f"residual block '{name}': both paths must give the same shape, "
                                 f"but got {_fmt(a)} and {_fmt(b)}")
            continue
        difference = sp.simplify(sp.sympify(x) - y)
        if difference == 0:
            continue
        if difference.is_zero is False:
            raise ShapeError(f"residual block '{name}': both paths must give the same shape, "
                             f"but got {_fmt(a)} and {_fmt(b)}")
        found.append(sp.Eq(x, y))
    return tuple(found)


def run_numpy(layers, x, rng=None, prefix=None):
    """Run ``layers`` on the array ``x`` with random weights; return ``(y, [(name, shape), ...])``.

    The list has one entry per row of :func:`trace`, in the same order and with the same
    names, holding the shape of the array each layer actually produced. Convolutions and
    pooling go through :mod:`symconv.numeric`.
    """
    import numpy as np

    rng = np.random.default_rng(0) if rng is None else rng
    shapes = []
    for index, layer in enumerate(layers):
        layer = _as_layer(layer)
        name = _join(prefix, layer.name if layer.name is not None else str(index))
        if isinstance(layer, Residual):
            y, inner = run_numpy(layer.main, x, rng, name)
            if layer.shortcut:
                short, side = run_numpy(layer.shortcut, x, rng, name)
            else:
                short, side = x, []
            shapes.extend(inner)
            shapes.extend(side)
            if y.shape != short.shape:
                raise ShapeError(f"residual block '{name}': the paths gave arrays of shapes "
                                 f"{y.shape} and {short.shape}")
            x = _activate(y + short, layer.activation or "identity")
        else:
            x = layer.forward(x, rng)
        shapes.append((name, tuple(x.shape)))
    return x, shapes


# ---------------------------------------------------------------------------
# user networks: mappings and JSON
# ---------------------------------------------------------------------------

_TYPES = {
    "conv": Conv, "conv_transpose": ConvTranspose, "pool": Pool,
    "adaptive_pool": AdaptivePool, "linear": Linear, "flatten": Flatten,
    "batchnorm": BatchNorm, "activation": Activation, "dropout": Dropout,
    "residual": Residual,
}
_ALIASES = {
    "conv2d": "conv", "convtranspose": "conv_transpose", "deconv": "conv_transpose",
    "maxpool": ("pool", {"mode": "max"}), "avgpool": ("pool", {"mode": "avg"}),
    "adaptive_avg_pool": ("adaptive_pool", {"mode": "avg"}),
    "adaptive_max_pool": ("adaptive_pool", {"mode": "max"}),
    "dense": "linear", "fc": "linear", "batch_norm": "batchnorm", "bn": "batchnorm",
    "relu": ("activation", {"function": "relu"}), "tanh": ("activation", {"function": "tanh"}),
    "sigmoid": ("activation", {"function": "sigmoid"}),
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
    ========================  ===========================================================

    Shorthands: ``maxpool``/``avgpool`` (a pool with that mode), ``relu``/``tanh``/
    ``sigmoid`` (an activation), ``fc``/``dense`` (linear), ``bn`` (batchnorm). Every
    layer may carry a ``name``. Values are plain JSON numbers, strings and lists; lists
    (``[3, 3]``, padding ``[[0, 1], [0, 1]]``) become tuples.

    >>> layer_from_dict({"type": "conv", "out_channels": 6, "kernel_size": [5, 5]})
    Conv(out_channels=6, kernel_size=(5, 5), stride=1, padding=0, dilation=1, groups=1, bias=True, in_channels=None, name=None)
    >>> layer_from_dict({"type": "maxpool", "kernel_size": 2})
    Pool(kernel_size=2, stride=None, padding=0, dilation=1, mode='max', ceil_mode=False, count_include_pad=True, name=None)
    >>> layer_from_dict({"type": "softmax"})
    Traceback (most recent call last):
    ...
    symconv.errors.SymconvError: layer type must be one of 'conv', 'conv_transpose', 'pool', 'adaptive_pool', 'linear', 'flatten', 'batchnorm', 'activation', 'dropout', 'residual' (or a shorthand: conv2d, convtranspose, deconv, maxpool, avgpool, adaptive_avg_pool, adaptive_max_pool, dense, fc, batch_norm, bn, relu, tanh, sigmoid), but got 'softmax'
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
    if kind == "residual":
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
    return layer_from_dict(value)


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
