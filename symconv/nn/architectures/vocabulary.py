"""More layer specifications: resampling (:class:`Upsample`, :class:`PixelShuffle`),
normalisation (:class:`LayerNorm`, :class:`GroupNorm`) and reshaping
(:class:`Permute`, :class:`Slice`, :class:`ClassToken`, :class:`PositionEmbedding`).

Each has PyTorch's shape rule and parameter count and runs on NumPy arrays for
``symconv shapes --check``.

>>> Upsample(scale_factor=2).output_shape((1, 8, 5, 7))
(1, 8, 10, 14)
>>> PixelShuffle(2).output_shape((1, 12, 4, 4))
(1, 3, 8, 8)
>>> GroupNorm(8).num_params((1, 64, 9, 9)), LayerNorm(768).num_params((1, 197, 768))
(128, 1536)
"""

from dataclasses import dataclass

import numpy as np
import sympy as sp

from symconv._util import validate as _params
from symconv.errors import ShapeError, SymconvError
from symconv.nn.architectures.specs import Layer, _fmt, _known, _prod, _spatial, _times, _tuple

__all__ = ["Upsample", "PixelShuffle", "LayerNorm", "GroupNorm", "Permute", "Slice",
           "ClassToken", "PositionEmbedding"]


def _equal_or_condition(got, expected, what, shape):
    """Raise when ``got`` can never be ``expected``; else return the condition (or None)."""
    if _known(got):
        if int(got) != expected:
            raise ShapeError(f"{what} expects {expected}, but got {got} (input shape {_fmt(shape)})")
        return None
    return sp.Eq(got, expected)


@dataclass(frozen=True)
class Upsample(Layer):
    """``torch.nn.Upsample``: nearest or bilinear (linear/trilinear by rank) resampling of
    the spatial axes to a fixed ``size`` or by ``scale_factor`` (output
    ``floor(n*scale_factor)``). ``align_corners`` as in PyTorch (interpolating modes only).
    """

    scale_factor: object = None
    size: object = None
    mode: str = "nearest"
    align_corners: bool = False
    name: object = None
    kind = "upsample"

    def __post_init__(self):
        _params.check_choice(self.mode, ("nearest", "bilinear", "linear", "trilinear"),
                             "upsample mode")
        if (self.scale_factor is None) == (self.size is None):
            raise SymconvError("upsample needs exactly one of size and scale_factor, but got "
                               f"size={self.size!r}, scale_factor={self.scale_factor!r}")

    def _factors(self, ndim):
        values = self.scale_factor if isinstance(self.scale_factor, (list, tuple)) \
            else (self.scale_factor,) * ndim
        if len(values) != ndim or any(not isinstance(v, (int, float)) or isinstance(v, bool)
                                      or v <= 0 for v in values):
            raise SymconvError(f"scale_factor must be a positive number or {ndim} of them, "
                               f"but got {self.scale_factor!r}")
        return tuple(sp.Rational(str(v)) for v in values)

    def output_shape(self, shape):
        spatial = _spatial(shape, "upsample")
        if self.size is not None:
            out = _tuple(self.size, len(spatial), "size", 1)
        else:
            out = []
            for n, f in zip(spatial, self._factors(len(spatial))):
                if f.is_Integer:
                    value = n * int(f)
                elif _known(n):
                    value = int(sp.floor(int(n) * f))
                else:
                    value = sp.floor(n * f)
                out.append(int(value) if _known(value) else value)
            out = tuple(out)
            for v in out:
                if _known(v) and v < 1:
                    raise ShapeError(f"upsample gives an empty output {_fmt(out)} for input "
                                     f"{_fmt(shape)}")
        return (*shape[:2], *out)

    def describe(self, shape):
        how = f"x{_same_text(self.scale_factor)}" if self.size is None else \
            f"-> {_times(self.output_shape(shape)[2:])}"
        return f"upsample {self.mode} {how}"

    def forward(self, x, rng):
        import numpy as np

        out = self.output_shape(x.shape)[2:]
        y = x
        for axis, (n, m) in enumerate(zip(x.shape[2:], out), start=2):
            # PyTorch's source coordinate: scale = 1/scale_factor when given, else n/m
            if self.size is None:
                f = self._factors(x.ndim - 2)[axis - 2]
                scale = 1.0 / float(f)
            else:
                scale = n / m
            j = np.arange(m, dtype=np.float64)
            if self.mode == "nearest":
                src = np.minimum(np.floor(j * scale).astype(int), n - 1)
                y = np.take(y, src, axis=axis)
                continue
            if self.align_corners:
                pos = j * ((n - 1) / (m - 1)) if m > 1 else np.zeros(m)
            else:
                pos = np.maximum((j + 0.5) * scale - 0.5, 0.0)
            lo = np.minimum(np.floor(pos).astype(int), n - 1)
            hi = np.minimum(lo + 1, n - 1)
            w = (pos - lo).astype(x.dtype)
            view = [1] * y.ndim
            view[axis] = m
            w = w.reshape(view)
            y = np.take(y, lo, axis=axis) * (1 - w) + np.take(y, hi, axis=axis) * w
        return y.astype(x.dtype)


def _same_text(value):
    if isinstance(value, (list, tuple)):
        return _times(value) if len(set(value)) > 1 else str(value[0])
    return str(value)


@dataclass(frozen=True)
class PixelShuffle(Layer):
    """``torch.nn.PixelShuffle(r)``: ``(N, C*r^2, H, W) -> (N, C, H*r, W*r)``."""

    upscale_factor: int
    name: object = None
    kind = "pixel_shuffle"

    def __post_init__(self):
        _params.as_int(self.upscale_factor, "upscale_factor", 1)

    def output_shape(self, shape):
        if len(shape) != 4:
            raise ShapeError(f"pixel shuffle needs an input (N, C, H, W), but got shape {_fmt(shape)}")
        r = self.upscale_factor
        c = shape[1]
        if _known(c) and int(c) % (r * r):
            raise ShapeError(f"pixel shuffle expects input channels divisible by {r * r} "
                             f"(upscale_factor {r} squared), but got {c}")
        channels = int(c) // (r * r) if _known(c) else c / (r * r)
        return (shape[0], channels, shape[2] * r, shape[3] * r)

    def describe(self, shape):
        return f"pixel shuffle x{self.upscale_factor}"

    def forward(self, x, rng):
        n, c, h, w = x.shape
        r = self.upscale_factor
        y = x.reshape(n, c // (r * r), r, r, h, w).transpose(0, 1, 4, 2, 5, 3)
        return y.reshape(n, c // (r * r), h * r, w * r)


@dataclass(frozen=True)
class LayerNorm(Layer):
    """``torch.nn.LayerNorm(normalized_shape)`` over the last axes; ``2*prod(normalized_shape)``
    parameters with ``elementwise_affine`` (weight and, when ``bias``, a shift)."""

    normalized_shape: object
    eps: float = 1e-5
    elementwise_affine: bool = True
    bias: bool = True
    name: object = None
    kind = "layernorm"

    def _dims(self):
        dims = self.normalized_shape if isinstance(self.normalized_shape, (list, tuple)) \
            else (self.normalized_shape,)
        return tuple(_params.as_int(v, "normalized_shape", 1) for v in dims)

    def output_shape(self, shape):
        dims = self._dims()
        if len(shape) < len(dims):
            raise ShapeError(f"layer norm over {_fmt(dims)} needs an input of rank >= {len(dims)}, "
                             f"but got shape {_fmt(shape)}")
        for got, expected in zip(shape[len(shape) - len(dims):], dims):
            if _known(got) and int(got) != expected:
                raise ShapeError(f"layer norm expects the last axes to be {_fmt(dims)}, but got "
                                 f"shape {_fmt(shape)}")
        return tuple(shape)

    def conditions(self, shape):
        dims = self._dims()
        return tuple(sp.Eq(g, e) for g, e in zip(shape[len(shape) - len(dims):], dims)
                     if not _known(g))

    def num_params(self, shape):
        if not self.elementwise_affine:
            return 0
        return _prod(self._dims()) * (2 if self.bias else 1)

    def describe(self, shape):
        return f"layer norm {_times(self._dims())}"

    def forward(self, x, rng):
        axes = tuple(range(x.ndim - len(self._dims()), x.ndim))
        mean = x.mean(axis=axes, keepdims=True)
        var = x.var(axis=axes, keepdims=True)
        return ((x - mean) / (var + self.eps) ** 0.5).astype(x.dtype)


@dataclass(frozen=True)
class GroupNorm(Layer):
    """``torch.nn.GroupNorm(num_groups, C)``: ``2*C`` parameters (``affine``); the group
    count must divide the channels."""

    num_groups: int
    eps: float = 1e-5
    affine: bool = True
    name: object = None
    kind = "groupnorm"

    def output_shape(self, shape):
        if len(shape) < 2:
            raise ShapeError(f"group norm needs an input (N, C, ...), but got shape {_fmt(shape)}")
        if _known(shape[1]) and int(shape[1]) % self.num_groups:
            raise ShapeError(f"group norm expects channels divisible by num_groups "
                             f"{self.num_groups}, but got {shape[1]}")
        return tuple(shape)

    def num_params(self, shape):
        return 2 * shape[1] if self.affine else 0

    def describe(self, shape):
        return f"group norm {self.num_groups} groups ({shape[1]})"

    def forward(self, x, rng):
        n, c = x.shape[:2]
        g = x.reshape(n, self.num_groups, -1)
        g = (g - g.mean(axis=2, keepdims=True)) / (g.var(axis=2, keepdims=True) + self.eps) ** 0.5
        return g.reshape(x.shape).astype(x.dtype)


@dataclass(frozen=True)
class Permute(Layer):
    """``x.permute(*dims)`` (``transpose(1, 2)`` is ``Permute((0, 2, 1))`` on rank 3)."""

    dims: tuple
    name: object = None
    kind = "permute"

    def __post_init__(self):
        object.__setattr__(self, "dims", tuple(self.dims))
        if sorted(self.dims) != list(range(len(self.dims))):
            raise SymconvError(f"permute dims must be a permutation of 0..{len(self.dims) - 1}, "
                               f"but got {self.dims!r}")

    def output_shape(self, shape):
        if len(shape) != len(self.dims):
            raise ShapeError(f"permute {self.dims} expects an input of rank {len(self.dims)}, "
                             f"but got shape {_fmt(shape)}")
        return tuple(shape[i] for i in self.dims)

    def describe(self, shape):
        return "permute " + ",".join(map(str, self.dims))

    def forward(self, x, rng):
        return x.transpose(self.dims)


@dataclass(frozen=True)
class Slice(Layer):
    """``x[..., start:stop:step, ...]`` on axis ``dim`` (Python's slice rules, negative
    ``start``/``stop`` count from the end); a crop of a spatial axis, or ``x[:, 0]``-style
    token picking with ``index``: ``Slice(1, index=0)`` drops the axis as ``x[:, 0]`` does.
    """

    dim: int
    start: object = None
    stop: object = None
    step: int = 1
    index: object = None
    name: object = None
    kind = "slice"

    def _axis(self, shape):
        dim = self.dim + len(shape) if self.dim < 0 else self.dim
        if not 0 <= dim < len(shape):
            raise ShapeError(f"slice dim must be an axis of the input, but got dim={self.dim} "
                             f"for shape {_fmt(shape)}")
        return dim

    def output_shape(self, shape):
        dim = self._axis(shape)
        n = shape[dim]
        if self.index is not None:
            if _known(n) and not -int(n) <= self.index < int(n):
                raise ShapeError(f"index {self.index} is out of range for axis {dim} of size {n}")
            return (*shape[:dim], *shape[dim + 1:])
        if _known(n):
            length = len(range(int(n))[slice(self.start, self.stop, self.step)])
            if length < 1:
                raise ShapeError(f"slice {self.start}:{self.stop}:{self.step} of axis {dim} "
                                 f"(size {n}) is empty")
        else:
            lo = 0 if self.start is None else (self.start if self.start >= 0 else n + self.start)
            hi = n if self.stop is None else (self.stop if self.stop >= 0 else n + self.stop)
            if self.step != 1 or (self.stop is not None and self.stop >= 0):
                if self.stop is not None and self.stop >= 0 and self.step == 1:
                    # min(stop, n) - lo: n >= stop is made a condition by the table
                    length = hi - lo
                else:
                    raise ShapeError("a slice of a symbolic axis needs step 1 and a stop that "
                                     f"is None or negative, but got {self.start}:{self.stop}:{self.step}")
            else:
                length = hi - lo
        return (*shape[:dim], length, *shape[dim + 1:])

    def conditions(self, shape):
        dim = self._axis(shape)
        n = shape[dim]
        if _known(n):
            return ()
        out = self.output_shape(shape)
        found = [] if self.index is not None else [sp.Ge(out[dim], 1)]
        if self.stop is not None and self.stop >= 0:
            found.append(sp.Ge(n, self.stop))
        if self.index is not None:
            found.append(sp.Ge(n, self.index + 1 if self.index >= 0 else -self.index))
        return tuple(c for c in found if c is not sp.true)

    def describe(self, shape):
        if self.index is not None:
            return f"select [{self.index}] on axis {self.dim}"
        text = f"slice axis {self.dim} [{'' if self.start is None else self.start}:" \
               f"{'' if self.stop is None else self.stop}"
        return text + (f":{self.step}]" if self.step != 1 else "]")

    def forward(self, x, rng):
        dim = self._axis(x.shape)
        key = [slice(None)] * x.ndim
        key[dim] = self.index if self.index is not None else slice(self.start, self.stop, self.step)
        return x[tuple(key)]


@dataclass(frozen=True)
class ClassToken(Layer):
    """Learned tokens put in front of a token sequence ``(N, L, D) -> (N, L + count, D)``
    (ViT's class token: ``count*D`` parameters)."""

    count: int = 1
    name: object = None
    kind = "class_token"

    def output_shape(self, shape):
        if len(shape) != 3:
            raise ShapeError(f"class tokens need a token sequence (N, L, D), but got shape {_fmt(shape)}")
        return (shape[0], shape[1] + self.count, shape[2])

    def num_params(self, shape):
        return self.count * shape[2]

    def describe(self, shape):
        return f"prepend {self.count} learned token" + ("s" if self.count != 1 else "")

    def forward(self, x, rng):
        import numpy as np

        tokens = np.zeros((x.shape[0], self.count, x.shape[2]), dtype=x.dtype)
        return np.concatenate([tokens, x], axis=1)


@dataclass(frozen=True)
class PositionEmbedding(Layer):
    """A learned embedding added to a sequence ``(N, L, D)`` of fixed ``length`` L
    (``length*D`` parameters); a symbolic L must equal ``length``."""

    length: int
    name: object = None
    kind = "position_embedding"

    def output_shape(self, shape):
        if len(shape) != 3:
            raise ShapeError(f"a position embedding needs (N, L, D), but got shape {_fmt(shape)}")
        _equal_or_condition(shape[1], self.length, "position embedding length", shape)
        return tuple(shape)

    def conditions(self, shape):
        cond = _equal_or_condition(shape[1], self.length, "position embedding length", shape)
        return () if cond is None else (cond,)

    def num_params(self, shape):
        return self.length * shape[2]

    def describe(self, shape):
        return f"add position embedding ({self.length})"

    def forward(self, x, rng):
        return x + rng.standard_normal(x.shape[1:], dtype=x.dtype)[None] * 0.02


@dataclass(frozen=True)
class ChannelShuffle(Layer):
    """``torch.nn.ChannelShuffle(groups)`` (ShuffleNet's reshape ``(N, g, C/g, H, W)`` ->
    transpose -> ``(N, C, H, W)``): the shape is unchanged; ``groups`` must divide C.

    >>> ChannelShuffle(2).output_shape((1, 116, 28, 28))
    (1, 116, 28, 28)
    """

    groups: int
    name: object = None
    kind = "channel_shuffle"

    def __post_init__(self):
        _params.as_int(self.groups, "groups", 1)

    def output_shape(self, shape):
        if len(shape) < 3:
            raise ShapeError(f"channel shuffle needs an input (N, C, *spatial), but got shape "
                             f"{_fmt(shape)}")
        if _known(shape[1]) and int(shape[1]) % self.groups:
            raise ShapeError(f"channel shuffle expects channels divisible by groups "
                             f"{self.groups}, but got {shape[1]}")
        return tuple(shape)

    def describe(self, shape):
        return f"channel shuffle {self.groups} groups"

    def forward(self, x, rng):
        n, c = x.shape[:2]
        g = self.groups
        y = x.reshape(n, g, c // g, *x.shape[2:]).swapaxes(1, 2)
        return y.reshape(x.shape)


@dataclass(frozen=True)
class LayerNorm2d(Layer):
    """Layer norm over the channel axis of ``(N, C, *spatial)`` at every position
    (torchvision's ``LayerNorm2d`` in ConvNeXt: permute to channels-last, ``LayerNorm(C)``,
    permute back); ``2*C`` parameters.

    >>> LayerNorm2d().num_params((1, 96, 56, 56))
    192
    """

    eps: float = 1e-6
    name: object = None
    kind = "layernorm2d"

    def output_shape(self, shape):
        if len(shape) < 3:
            raise ShapeError(f"layer norm 2d needs an input (N, C, *spatial), but got shape "
                             f"{_fmt(shape)}")
        return tuple(shape)

    def num_params(self, shape):
        return 2 * shape[1]

    def describe(self, shape):
        return f"layer norm over channels ({shape[1]})"

    def forward(self, x, rng):
        mean = x.mean(axis=1, keepdims=True)
        var = x.var(axis=1, keepdims=True)
        return ((x - mean) / (var + self.eps) ** 0.5).astype(x.dtype)


@dataclass(frozen=True)
class LayerScale(Layer):
    """A learned per-channel scale ``gamma * x`` with ``gamma`` of shape ``(C, 1, ...)``
    (ConvNeXt's and CaiT's layer scale, initialised to ``init``): C parameters.

    >>> LayerScale().num_params((1, 96, 56, 56))
    96
    """

    init: float = 1e-6
    name: object = None
    kind = "layer_scale"

    def output_shape(self, shape):
        if len(shape) < 2:
            raise ShapeError(f"layer scale needs an input (N, C, ...), but got shape {_fmt(shape)}")
        return tuple(shape)

    def num_params(self, shape):
        return shape[1]

    def describe(self, shape):
        return f"layer scale ({shape[1]})"

    def forward(self, x, rng):
        return (x * x.dtype.type(self.init)).astype(x.dtype)


@dataclass(frozen=True)
class Mean(Layer):
    """``x.mean(dims, keepdim)`` (ShuffleNet's global pool ``x.mean([2, 3])``).

    >>> Mean((2, 3)).output_shape((1, 1024, 7, 7))
    (1, 1024)
    """

    dims: tuple = (2, 3)
    keepdim: bool = False
    name: object = None
    kind = "mean"

    def __post_init__(self):
        dims = (self.dims,) if isinstance(self.dims, int) else tuple(self.dims)
        object.__setattr__(self, "dims", dims)

    def _axes(self, shape):
        axes = sorted({d + len(shape) if d < 0 else d for d in self.dims})
        if not axes or any(not 0 <= a < len(shape) for a in axes):
            raise ShapeError(f"mean dims must be axes of the input, but got {self.dims} for "
                             f"shape {_fmt(shape)}")
        return axes

    def output_shape(self, shape):
        axes = self._axes(shape)
        if self.keepdim:
            return tuple(1 if i in axes else v for i, v in enumerate(shape))
        return tuple(v for i, v in enumerate(shape) if i not in axes)

    def describe(self, shape):
        return "mean over axes " + ",".join(map(str, self._axes(shape)))

    def forward(self, x, rng):
        return x.mean(axis=tuple(self._axes(x.shape)), keepdims=self.keepdim)


__all__ += ["ChannelShuffle", "LayerNorm2d", "LayerScale", "Mean"]


@dataclass(frozen=True)
class LearnedTensor(Layer):
    """``x * p`` or ``x + p`` with a tensor ``p`` of fixed ``shape`` that belongs to the
    model (a ``torch.nn.Parameter`` used directly: ConvNeXt's layer scale ``gamma * x``
    with ``gamma`` of shape ``(C, 1, 1)``); shapes broadcast as in PyTorch. It counts
    ``prod(shape)`` parameters unless ``params`` is False (a buffer, or a parameter that
    another row counts).

    >>> t = LearnedTensor((96, 1, 1))
    >>> t.output_shape((1, 96, 56, 56)), t.num_params((1, 96, 56, 56))
    ((1, 96, 56, 56), 96)
    """

    shape: tuple
    op: str = "multiply"
    params: bool = True
    name: object = None
    kind = "learned_tensor"

    def __post_init__(self):
        _params.check_choice(self.op, ("multiply", "add"), "learned tensor op")
        shape = tuple(self.shape) if isinstance(self.shape, (list, tuple)) else (self.shape,)
        object.__setattr__(self, "shape", tuple(_params.as_int(v, "learned tensor shape", 1)
                                                for v in shape))

    def _merge(self, shape):
        from symconv.nn.architectures.graph import Add, Multiply

        merge = Multiply() if self.op == "multiply" else Add()
        return merge.merge([tuple(shape), self.shape], f"{self.op} by {_fmt(self.shape)}")

    def output_shape(self, shape):
        return self._merge(shape)[0]

    def conditions(self, shape):
        return self._merge(shape)[1]

    def num_params(self, shape):
        return _prod(self.shape) if self.params else 0

    def describe(self, shape):
        what = "learned" if self.params else "tensor"
        return f"{'multiply by' if self.op == 'multiply' else 'add'} {what} {_times(self.shape)}"

    def forward(self, x, rng):
        p = (1.0 + 0.1 * rng.standard_normal(self.shape)).astype(x.dtype)
        return (x * p if self.op == "multiply" else x + p).astype(x.dtype)


__all__ += ["LearnedTensor"]


@dataclass(frozen=True)
class Shared(Layer):
    """``layer`` applied once more with the parameters of the row ``owner`` (a module a
    network calls twice, as a siamese branch does): PyTorch counts a parameter once, so
    this row counts 0; the shape rule and conditions are ``layer``'s. Other attributes
    (``in_features``, a convolution's geometry) read through to ``layer``.

    >>> from symconv.nn.architectures.specs import Conv
    >>> again = Shared(Conv(8, 3, padding=1, in_channels=8), owner="conv")
    >>> again.output_shape((1, 8, 5, 5)), again.num_params((1, 8, 5, 5)), again.kind
    ((1, 8, 5, 5), 0, 'conv')
    >>> again.describe((1, 8, 5, 5))
    "conv 8->8, 3x3, pad 1 (the parameters of 'conv')"
    """

    layer: Layer
    owner: str
    name: object = None

    def __post_init__(self):
        if not isinstance(self.layer, Layer):
            raise SymconvError(f"a shared layer must wrap a layer specification, but got "
                               f"{self.layer!r}")

    @property
    def kind(self):   # type: ignore[override]  # the wrapped layer's kind
        return self.layer.kind

    def __getattr__(self, attribute):
        if attribute.startswith("__") or attribute == "layer":
            raise AttributeError(attribute)
        return getattr(self.layer, attribute)

    def output_shape(self, shape):
        return self.layer.output_shape(shape)

    def conditions(self, shape):
        extra = getattr(self.layer, "conditions", None)
        return extra(shape) if callable(extra) else []

    def describe(self, shape):
        return f"{self.layer.describe(shape)} (the parameters of '{self.owner}')"

    def forward(self, x, rng):
        return self.layer.forward(x, rng)

    def to_dict(self):
        out = {"type": "shared", "layer": self.layer.to_dict(), "owner": self.owner}
        if self.name is not None:
            out["name"] = self.name
        return out


__all__ += ["Shared"]


_SCALAR_OPS = {"add": ("add", "+"), "subtract": ("subtract", "-"),
               "multiply": ("multiply by", "*"), "divide": ("divide by", "/"),
               "power": ("raise to the power", "**")}


@dataclass(frozen=True)
class Scalar(Layer):
    """``x <op> value`` elementwise with a number (``x * 0.5``, ``x / 8``, ``x + 1``), or
    ``value <op> x`` when ``reverse`` (``1 - x``); ``op`` is 'add', 'subtract',
    'multiply', 'divide' or 'power'. The shape is the input's; no parameters.

    >>> half = Scalar("multiply", 0.5)
    >>> half.output_shape((1, 8, 5, 5)), half.num_params((1, 8, 5, 5)), half.describe(None)
    ((1, 8, 5, 5), 0, 'multiply by 0.5')
    >>> Scalar("subtract", 1, reverse=True).describe(None)
    '1 - x'
    """

    op: str
    value: float
    reverse: bool = False
    name: object = None
    kind = "scalar"

    def __post_init__(self):
        _params.check_choice(self.op, tuple(_SCALAR_OPS), "scalar op")
        if isinstance(self.value, bool) or not isinstance(self.value, (int, float)):
            raise SymconvError(f"a scalar layer's value must be a number, but got {self.value!r}")

    def output_shape(self, shape):
        return tuple(shape)

    def describe(self, shape):
        words, symbol = _SCALAR_OPS[self.op]
        return f"{self.value:g} {symbol} x" if self.reverse else f"{words} {self.value:g}"

    def forward(self, x, rng):
        a, b = (self.value, x) if self.reverse else (x, self.value)
        with np.errstate(all="ignore"):
            out = {"add": np.add, "subtract": np.subtract, "multiply": np.multiply,
                   "divide": np.divide, "power": np.power}[self.op](a, b)
        return np.asarray(out, dtype=x.dtype)


__all__ += ["Scalar"]
