"""Layer specifications: what a layer is, its output shape over symbols, its parameter
count and how it runs on NumPy arrays (see :mod:`symconv.nn.architectures`)."""

import math
from dataclasses import dataclass

import sympy as sp

from symconv._util import validate as _params
from symconv.errors import ShapeError, SymconvError
from symconv.nn.shapes import (
    conv_output_size,
    conv_transpose_output_size,
    pool_output_size,
)

__all__ = ["Layer", "Conv", "ConvTranspose", "Pool", "AdaptivePool", "Linear", "Flatten",
           "BatchNorm", "Activation", "PReLU", "Dropout", "Residual", "basic_block", "bottleneck"]


# ---------------------------------------------------------------------------
# small helpers
# ---------------------------------------------------------------------------

def _known(value):
    """Whether a size is a known integer (an ``int`` or a SymPy Integer), not a formula."""
    return isinstance(value, int) or (isinstance(value, sp.Basic) and value.is_Integer)


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


def _padding(padding, k, s, d):
    """:func:`padding_pairs` plus ``'causal'`` (1-D: ``d*(k - 1)`` zeros on the left only,
    so output ``t`` sees inputs ``<= t``) and a bare ``(lo, hi)`` pair on a 1-D layer."""
    if isinstance(padding, str) and padding.lower() == "causal":
        if len(k) != 1:
            raise SymconvError(f"padding='causal' is for 1-D layers, but got {len(k)} spatial "
                               "dimensions")
        return ((d[0] * (k[0] - 1), 0),)
    if (len(k) == 1 and isinstance(padding, (list, tuple)) and len(padding) == 2
            and not any(isinstance(v, (list, tuple)) for v in padding)):
        padding = (tuple(padding),)
    return _params.padding_pairs(padding, k, s, d)


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
    weight_norm: bool = False
    name: object = None
    kind = "conv"

    def _geometry(self, ndim):
        k, s, d = self._ksd(ndim)
        p = _padding(self.padding, k, s, d)
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
        # torch.nn.utils.weight_norm (dim=0) adds one magnitude g per output channel
        extra = self.out_channels if self.weight_norm else 0
        return weights + (self.out_channels if self.bias else 0) + extra

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
        if self.weight_norm:
            text += ", weight norm"
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
        p = _padding(self.padding, k, s, d)
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
    :func:`symconv.nn.shapes.pool_output_size`).
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
        p = _padding(self.padding, k, s, d)
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
    weight_norm: bool = False
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
        return (features * self.out_features + (self.out_features if self.bias else 0)
                + (self.out_features if self.weight_norm else 0))

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
    """Flatten the axes ``start_dim..end_dim`` into one (``torch.nn.Flatten``; by default
    every axis after the batch axis: ``(N, C, H, W) -> (N, C*H*W)``).

    >>> Flatten(start_dim=2).output_shape((1, 768, 14, 14))
    (1, 768, 196)
    """

    start_dim: int = 1
    end_dim: int = -1
    name: object = None
    kind = "flatten"

    def _axes(self, rank):
        lo = self.start_dim + rank if self.start_dim < 0 else self.start_dim
        hi = self.end_dim + rank if self.end_dim < 0 else self.end_dim
        if not (0 <= lo < rank and 0 <= hi < rank) or lo > hi:
            raise ShapeError(f"flatten needs start_dim <= end_dim within an input of rank {rank}, "
                             f"but got start_dim={self.start_dim}, end_dim={self.end_dim}")
        return lo, hi

    def output_shape(self, shape):
        if len(shape) < 2:
            raise ShapeError(f"flatten needs an input with a batch axis, but got shape {_fmt(shape)}")
        lo, hi = self._axes(len(shape))
        return (*shape[:lo], _prod(shape[lo:hi + 1]), *shape[hi + 1:])

    def describe(self, shape):
        return "flatten" if (self.start_dim, self.end_dim) == (1, -1) else \
            f"flatten {self.start_dim}..{self.end_dim}"

    def forward(self, x, rng):
        return x.reshape(self.output_shape(x.shape))


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


_ACTIVATIONS = ("relu", "tanh", "sigmoid", "leaky_relu", "gelu", "identity", "relu6", "silu",
                "hardswish", "hardsigmoid", "elu", "softmax")
_ACTIVATION_ALIASES = {"swish": "silu", "hard_swish": "hardswish", "hard_sigmoid": "hardsigmoid"}


def _activate(x, kind, negative_slope=0.01, alpha=1.0):
    import numpy as np

    kind = _ACTIVATION_ALIASES.get(kind, kind)
    if kind == "relu":
        return np.maximum(x, 0)
    if kind == "relu6":
        return np.clip(x, 0, 6)
    if kind == "tanh":
        return np.tanh(x)
    if kind == "sigmoid":
        return 1 / (1 + np.exp(-x))
    if kind == "silu":
        return x / (1 + np.exp(-x))
    if kind == "hardsigmoid":
        return np.clip(x / 6 + 0.5, 0, 1).astype(x.dtype)
    if kind == "hardswish":
        return (x * np.clip(x + 3, 0, 6) / 6).astype(x.dtype)
    if kind == "elu":
        return np.where(x > 0, x, np.float32(alpha) * np.expm1(np.minimum(x, 0))).astype(x.dtype)
    if kind == "leaky_relu":
        return np.where(x > 0, x, x * np.float32(negative_slope))
    if kind == "gelu":
        return 0.5 * x * (1 + np.tanh(np.float32(0.7978845608) * (x + 0.044715 * x ** 3)))
    if kind == "softmax":   # over the channel axis (dim=1), as nn.Softmax(dim=1)
        e = np.exp(x - x.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    return x


@dataclass(frozen=True)
class Activation(Layer):
    """An activation without parameters: relu, relu6, tanh, sigmoid, silu (alias swish),
    hardswish, hardsigmoid, elu (``alpha``), leaky_relu (``negative_slope``, PyTorch's
    default 0.01), gelu, softmax (over the channels) or identity. For PReLU, whose slopes
    are parameters, see :class:`PReLU`.

    >>> Activation("leaky_relu", negative_slope=0.2).describe((1, 3))
    'leaky_relu 0.2'
    """

    function: str = "relu"
    negative_slope: float = 0.01
    alpha: float = 1.0
    name: object = None
    kind = "activation"

    def __post_init__(self):
        function = _ACTIVATION_ALIASES.get(self.function, self.function)
        _params.check_choice(function, _ACTIVATIONS, "activation")
        object.__setattr__(self, "function", function)

    def output_shape(self, shape):
        return tuple(shape)

    def describe(self, shape):
        if self.function == "leaky_relu" and self.negative_slope != 0.01:
            return f"leaky_relu {self.negative_slope}"
        if self.function == "elu" and self.alpha != 1.0:
            return f"elu {self.alpha}"
        return self.function

    def forward(self, x, rng):
        return _activate(x, self.function, self.negative_slope, self.alpha)


@dataclass(frozen=True)
class PReLU(Layer):
    """PReLU, ``max(0, x) + a*min(0, x)`` with learned slopes (``torch.nn.PReLU``):
    ``num_parameters`` is 1 (one shared slope) or the channel count; ``init`` 0.25.

    >>> PReLU(64).num_params((1, 64, 8, 8))
    64
    """

    num_parameters: int = 1
    init: float = 0.25
    name: object = None
    kind = "prelu"

    def __post_init__(self):
        _params.as_int(self.num_parameters, "num_parameters", 1)

    def output_shape(self, shape):
        if self.num_parameters != 1 and len(shape) >= 2 and isinstance(shape[1], int) \
                and shape[1] != self.num_parameters:
            raise ShapeError(f"prelu expects {self.num_parameters} input channels, but got "
                             f"{shape[1]} (input shape {_fmt(shape)})")
        return tuple(shape)

    def num_params(self, shape):
        return self.num_parameters

    def describe(self, shape):
        return f"prelu ({self.num_parameters})"

    def forward(self, x, rng):
        import numpy as np

        view = (1, -1) + (1,) * (x.ndim - 2) if self.num_parameters > 1 else (1,)
        a = np.full(self.num_parameters, self.init, dtype=x.dtype).reshape(view)
        return np.where(x > 0, x, a * x)


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
        for path in ("main", "shortcut"):
            layers = tuple(getattr(self, path))
            for x in layers:
                if not isinstance(x, Layer):
                    raise SymconvError(
                        f"a residual block's {path} path must hold layer specifications (build "
                        f"mappings with layer_from_dict), but got {x!r}")
            object.__setattr__(self, path, layers)
        if not self.main:
            raise SymconvError("a residual block must have a non-empty main path, but got main=()")
        if self.activation is not None:
            object.__setattr__(self, "activation", _ACTIVATION_ALIASES.get(self.activation,
                                                                           self.activation))
            _params.check_choice(self.activation, _ACTIVATIONS, "activation")

    def output_shape(self, shape):
        for layer in self.main:
            shape = layer.output_shape(shape)
        return shape

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


def bottleneck(inplanes, planes, stride=1, name=None, expansion=4, groups=1, base_width=64):
    """torchvision's ``Bottleneck`` (ResNet v1.5: the stride sits on the 3x3 convolution).

    1x1 down to ``width``, 3x3 with the stride (and ``groups``: ResNeXt), 1x1 up to
    ``expansion*planes``, where ``width = int(planes*base_width/64)*groups`` as in
    torchvision; the shortcut is a strided 1x1 convolution plus batch norm when the
    shape changes.
    """
    out = planes * expansion
    width = int(planes * (base_width / 64.0)) * groups
    main = (Conv(width, 1, bias=False, name="conv1"), BatchNorm(name="bn1"),
            Activation("relu", name="relu1"),
            Conv(width, 3, stride, 1, groups=groups, bias=False, name="conv2"),
            BatchNorm(name="bn2"),
            Activation("relu", name="relu2"),
            Conv(out, 1, bias=False, name="conv3"), BatchNorm(name="bn3"))
    shortcut = ()
    if stride != 1 or inplanes != out:
        shortcut = (Conv(out, 1, stride, bias=False, name="downsample.0"),
                    BatchNorm(name="downsample.1"))
    return Residual(main, shortcut, "relu", name=name)


