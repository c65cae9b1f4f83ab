"""The call rules of :func:`symconv.nn.architectures.from_torch`: what a function or
method call of a traced module becomes (:func:`call_rules`; leaf modules are mapped in
:mod:`.from_torch`).

A call rule reads its arguments resolved: a tensor computed from the input is a
:class:`Tensor` (its graph node name and symbolic shape), a tensor of the model read by
``get_attr`` is a :class:`ModelTensor`, ``x.chunk(...)`` / ``x.split(...)`` give
:class:`Pieces`, and ``x.size()``, ``x.shape`` and arithmetic on them give ints and
SymPy expressions (the sizes of the example input). A rule returns the node's value:
a tensor made with ``b.emit``, a size, or an earlier value (``x.contiguous()`` is
``x``); it raises :class:`SymconvError` saying what it expected when a call has a
form it does not take. ``b`` is the builder in ``from_torch``.
"""

import builtins
import operator
from dataclasses import dataclass

import sympy as sp

from symconv.errors import SymconvError
from symconv.nn.architectures.graph import Add, Concat, Multiply
from symconv.nn.architectures.padding import Pad, pairs_from_torch
from symconv.nn.architectures.reshape import Unflatten, view_layers
from symconv.nn.architectures.specs import (
    Activation,
    AdaptivePool,
    Flatten,
    Pool,
    _fmt,
    _prod,
)
from symconv.nn.architectures.vocabulary import (
    LayerNorm,
    ClassToken,
    LearnedTensor,
    Mean,
    Permute,
    Scalar,
    Slice,
)

__all__ = ["Tensor", "ModelTensor", "Pieces", "call_rules", "describe_value"]


@dataclass(frozen=True)
class Tensor:
    """A tensor computed from the input: the graph node holding it and its shape (None
    when no example shape was given)."""

    name: str
    shape: object = None


@dataclass(frozen=True)
class ModelTensor:
    """A tensor of the model read with ``get_attr``: a parameter (``is_param``) or a buffer."""

    target: str
    shape: tuple
    is_param: bool
    ident: int


@dataclass(frozen=True)
class Batched:
    """A model tensor of shape ``(1, count, D)`` expanded over the batch
    (``self.class_token.expand(n, -1, -1)``): ViT's class token before it is prepended."""

    tensor: ModelTensor


@dataclass(frozen=True)
class Pieces:
    """The result of ``chunk``/``split``: ``bounds[i]`` is piece i's ``(start, stop)`` on ``dim``."""

    tensor: Tensor
    dim: int
    bounds: tuple


def describe_value(value):
    """A value as an error message shows it."""
    if isinstance(value, Tensor):
        return f"the tensor {value.name!r}" + ("" if value.shape is None else f" {_fmt(value.shape)}")
    if isinstance(value, ModelTensor):
        return f"the model tensor {value.target!r} {_fmt(value.shape)}"
    if isinstance(value, Batched):
        return f"the model tensor {value.tensor.target!r} expanded over the batch"
    if isinstance(value, Pieces):
        return f"the {len(value.bounds)} pieces of {value.tensor.name!r} (chunk/split)"
    if isinstance(value, (int, sp.Basic)) and not isinstance(value, bool):
        return f"the size value {value}"
    if isinstance(value, float):
        return f"the number {value}"
    return repr(value)


def _has_none(value):
    return value is None or (isinstance(value, tuple) and None in value)


# ---------------------------------------------------------------------------
# helpers of the call rules
# ---------------------------------------------------------------------------

_MISSING = object()


def _arg(args, kwargs, index, name, default=_MISSING):
    if len(args) > index:
        return args[index]
    if name in kwargs:
        return kwargs[name]
    if default is _MISSING:
        raise SymconvError(f"expected an argument {name!r} (position {index}), but got none")
    return default


def _tensor(value, what="the input"):
    if not isinstance(value, Tensor):
        raise SymconvError(f"expected {what} to be a tensor computed from the module's input, "
                           f"but got {describe_value(value)}")
    return value


def _int(value, what):
    if isinstance(value, sp.Basic) and value.is_Integer:
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise SymconvError(f"expected {what} to be an integer fixed by the model, but got "
                           f"{describe_value(value)}")
    return value


def _axis(dim, rank, what="dim"):
    dim = _int(dim, what)
    if not -rank <= dim < rank:
        raise SymconvError(f"expected {what} to be an axis of a rank-{rank} tensor, but got {dim}")
    return dim + rank if dim < 0 else dim


def _sizes(values):
    """``view(2, 3)`` and ``view((2, 3))`` alike: the sizes as a list."""
    if len(values) == 1 and isinstance(values[0], (list, tuple)):
        values = values[0]
    out = []
    for v in values:
        if isinstance(v, sp.Basic) and v.is_Integer:
            v = int(v)
        if not (isinstance(v, int) and not isinstance(v, bool)) and not isinstance(v, sp.Expr):
            raise SymconvError(f"expected sizes (integers, -1 or x.size() values), but got "
                               f"{describe_value(v)}")
        out.append(v)
    return out


def _plain(value):
    return not isinstance(value, (Tensor, ModelTensor, Pieces, Batched))


# ---------------------------------------------------------------------------
# call rules
# ---------------------------------------------------------------------------

def _class_token(b, token, x, dim):
    """``torch.cat([token.expand(n, -1, -1), x], dim=1)``: learned tokens put in front."""
    shape = b.shape(x)
    if len(shape) != 3 or _axis(dim, 3) != 1:
        raise SymconvError(f"expected class tokens prepended on axis 1 of a token sequence "
                           f"(N, L, D), but got axis {dim} of {describe_value(x)}")
    count, width = token.shape[1], token.shape[2]
    if shape[2] != width:
        raise SymconvError(f"expected the class token's width {width} to equal the tokens' "
                           f"width, but got {describe_value(x)}")
    if not b.count(token):
        raise SymconvError(f"expected the class token {token.target!r} to be used once, but "
                           "it was counted already")
    return b.emit(ClassToken(count), [x])


def _expand(b, args, kwargs):
    """``param.expand(n, -1, -1)`` of a ``(1, count, D)`` parameter (a class token)."""
    value = _arg(args, kwargs, 0, "input")
    sizes = _sizes(tuple(args[1:]) or tuple(kwargs.get("size", ())))
    if not isinstance(value, ModelTensor) or not value.is_param or len(value.shape) != 3 \
            or value.shape[0] != 1 or len(sizes) != 3 or sizes[1:] not in (
                [-1, -1], [value.shape[1], value.shape[2]], [-1, value.shape[2]],
                [value.shape[1], -1]):
        raise SymconvError(f"expected a (1, count, D) parameter expanded over the batch "
                           f"(a class token: token.expand(n, -1, -1)), but got "
                           f"{describe_value(value)} expanded to {tuple(sizes)}")
    return Batched(value)


def _pad(b, args, kwargs):
    """``F.pad(x, pad, mode='constant', value=0)``: a :class:`Pad` row."""
    x = _tensor(_arg(args, kwargs, 0, "input"))
    pad = [_int(v, "every pad entry") for v in _arg(args, kwargs, 1, "pad")]
    mode = _arg(args, kwargs, 2, "mode", "constant")
    value = _arg(args, kwargs, 3, "value", None)
    rank = len(b.shape(x)) - 2
    return b.emit(Pad(pairs_from_torch(pad, rank), mode, 0.0 if value is None else value), [x])


def _cat(b, args, kwargs):
    tensors = _arg(args, kwargs, 0, "tensors")
    dim = _int(_arg(args, kwargs, 1, "dim", 0), "dim")
    if not isinstance(tensors, (list, tuple)) or not tensors:
        raise SymconvError(f"expected a list of tensors to concatenate, but got "
                           f"{describe_value(tensors)}")
    if len(tensors) == 2 and isinstance(tensors[0], Batched) and isinstance(tensors[1], Tensor):
        return _class_token(b, tensors[0].tensor, tensors[1], dim)
    tensors = [_tensor(t, "every concatenated value (or a class token expanded over the "
                          "batch, then the tokens, on axis 1)") for t in tensors]
    if len(tensors) == 1:           # torch.cat([x]) is x (DenseNet's first dense layer)
        return tensors[0]
    return b.emit(Concat(dim), tensors)


_PYTHON = {"add": operator.add, "sub": operator.sub, "mul": operator.mul,
           "floordiv": operator.floordiv, "truediv": operator.truediv, "mod": operator.mod,
           "pow": operator.pow}


_SCALAR = {"add": "add", "sub": "subtract", "mul": "multiply", "truediv": "divide",
           "pow": "power"}


def _number(value):
    """``value`` as a Python number when it is one (a SymPy size that is a number too)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, sp.Basic) and value.is_number and value.is_real:
        return int(value) if value.is_Integer else float(value)
    return None


def _arithmetic(op):
    """``+`` / ``*`` of tensors (a merge), of a tensor and a model tensor (a learned
    tensor), of a tensor and a number (``x * 0.5``, ``1 - x``: a scalar layer), and any
    operator on sizes (``c // groups``)."""
    merge = {"add": Add, "mul": Multiply}.get(op)

    def rule(b, args, kwargs):
        x, y = _arg(args, kwargs, 0, "input"), _arg(args, kwargs, 1, "other")
        if _plain(x) and _plain(y) and not kwargs:
            return _PYTHON[op](x, y)
        if op in _SCALAR and not kwargs and (isinstance(x, Tensor) ^ isinstance(y, Tensor)):
            tensor, value = (x, y) if isinstance(x, Tensor) else (y, x)
            number = _number(value)
            if number is not None:
                reverse = tensor is y and op not in ("add", "mul")
                return b.emit(Scalar(_SCALAR[op], number, reverse), [tensor])
        if merge is None:
            raise SymconvError(f"expected '{op}' of size values (x.size() arithmetic), but got "
                               f"{describe_value(x)} and {describe_value(y)}")
        if kwargs.get("alpha", 1) != 1:
            raise SymconvError(f"expected '{op}' without alpha, but got alpha={kwargs['alpha']!r}")
        if isinstance(x, Tensor) and isinstance(y, Tensor):
            return b.emit(merge(), [x, y])
        tensor, other = (x, y) if isinstance(x, Tensor) else (y, x)
        if isinstance(tensor, Tensor) and isinstance(other, ModelTensor):
            layer = LearnedTensor(other.shape, "multiply" if op == "mul" else "add",
                                  b.count(other))
            return b.emit(layer, [tensor])
        raise SymconvError(f"expected two tensors computed from the input, or one and a "
                           f"parameter of the model, but got {describe_value(x)} and "
                           f"{describe_value(y)} (arithmetic with constants has no layer)")
    return rule


def _neg(b, args, kwargs):
    x = _arg(args, kwargs, 0, "input")
    if not _plain(x):
        raise SymconvError(f"expected a size value, but got {describe_value(x)}")
    return -x


def _size(b, args, kwargs):
    shape = b.shape(_tensor(_arg(args, kwargs, 0, "input")))
    dim = _arg(args, kwargs, 1, "dim", None)
    return tuple(shape) if dim is None else shape[_axis(dim, len(shape))]


def _getattr(b, args, kwargs):
    x, name = args[0], args[1]
    if isinstance(x, Tensor) and name in ("shape", "ndim"):
        shape = b.shape(x)
        return tuple(shape) if name == "shape" else len(shape)
    raise SymconvError(f"expected .shape or .ndim of a tensor, but got .{name} of "
                       f"{describe_value(x)}")


def _dim(b, args, kwargs):
    return len(b.shape(_tensor(args[0])))


def _numel(b, args, kwargs):
    return _prod(b.shape(_tensor(args[0])))


def _getitem(b, args, kwargs):
    obj, index = args[0], args[1]
    if isinstance(obj, Pieces):
        i = _int(index, "the piece index")
        if not -len(obj.bounds) <= i < len(obj.bounds):
            raise SymconvError(f"expected a piece index below {len(obj.bounds)}, but got {i}")
        start, stop = obj.bounds[i]
        n = b.shape(obj.tensor)[obj.dim]
        return b.emit(Slice(obj.dim, start, None if stop == n else stop), [obj.tensor])
    if isinstance(obj, (tuple, list)):
        return obj[index]
    if isinstance(obj, Tensor):
        return b.emit_chain(_index_layers(b.shape(obj), index), obj)
    raise SymconvError(f"expected to index a tensor, its shape or chunk/split pieces, but got "
                       f"{describe_value(obj)}")


def _index_layers(shape, index):
    """``x[index]`` as :class:`Slice` layers (ints, slices with integer bounds, ``...``)."""
    items = index if isinstance(index, tuple) else (index,)
    if sum(item is Ellipsis for item in items) > 1 or len(items) - (Ellipsis in items) > len(shape):
        raise SymconvError(f"expected an index with at most one ... and at most {len(shape)} "
                           f"entries, but got {index!r}")
    layers, axis = [], 0
    for item in items:
        if item is Ellipsis:
            axis += len(shape) - (len(items) - 1)
        elif isinstance(item, slice):
            bounds = (item.start, item.stop, item.step)
            if any(v is not None and not isinstance(v, int) for v in bounds):
                raise SymconvError(f"expected slice bounds that are integers, but got {item!r}")
            if bounds != (None, None, None) and bounds != (None, None, 1):
                layers.append(Slice(axis, item.start, item.stop, item.step or 1))
            axis += 1
        elif isinstance(item, int) and not isinstance(item, bool):
            layers.append(Slice(axis, index=item))
        else:
            raise SymconvError(f"expected an index of integers, slices and ..., but got "
                               f"{describe_value(item)} (None, tensors and lists are refused)")
    return layers


def _chunk(b, args, kwargs):
    x = _tensor(_arg(args, kwargs, 0, "input"))
    chunks = _int(_arg(args, kwargs, 1, "chunks"), "chunks")
    shape = b.shape(x)
    dim = _axis(_arg(args, kwargs, 2, "dim", 0), len(shape))
    n = _int(shape[dim], f"the size of the chunked axis {dim}")
    if chunks < 1:
        raise SymconvError(f"expected chunks >= 1, but got {chunks}")
    step = -(-n // chunks)
    return Pieces(x, dim, tuple((s, min(s + step, n)) for s in range(0, n, step)))


def _split(b, args, kwargs):
    x = _tensor(_arg(args, kwargs, 0, "input"))
    sizes = _arg(args, kwargs, 1, "split_size_or_sections")
    shape = b.shape(x)
    dim = _axis(_arg(args, kwargs, 2, "dim", 0), len(shape))
    n = _int(shape[dim], f"the size of the split axis {dim}")
    if isinstance(sizes, (list, tuple)):
        sizes = [_int(v, "a section size") for v in sizes]
        if sum(sizes) != n:
            raise SymconvError(f"expected section sizes adding up to {n}, but got {sizes}")
        starts = [sum(sizes[:i]) for i in range(len(sizes))]
        return Pieces(x, dim, tuple((s, s + v) for s, v in zip(starts, sizes)))
    step = _int(sizes, "split_size")
    return Pieces(x, dim, tuple((s, min(s + step, n)) for s in range(0, n, step)))


def _view(b, args, kwargs):
    x = _tensor(args[0])
    target = _sizes(args[1:] or (kwargs.get("shape", kwargs.get("size", ())),))
    return b.emit_chain(view_layers(b.shape(x), target), x)


def _unflatten(b, args, kwargs):
    x = _tensor(_arg(args, kwargs, 0, "input"))
    shape = b.shape(x)
    dim = _axis(_arg(args, kwargs, 1, "dim"), len(shape))
    sizes = [_int(v, "an unflatten size") for v in _sizes((_arg(args, kwargs, 2, "sizes"),))]
    return b.emit(Unflatten(dim, tuple(sizes)), [x])


def _transpose(b, args, kwargs):
    x = _tensor(_arg(args, kwargs, 0, "input"))
    rank = len(b.shape(x))
    d0 = _axis(_arg(args, kwargs, 1, "dim0"), rank, "dim0")
    d1 = _axis(_arg(args, kwargs, 2, "dim1"), rank, "dim1")
    dims = list(range(rank))
    dims[d0], dims[d1] = d1, d0
    return b.emit(Permute(tuple(dims)), [x])


def _permute(b, args, kwargs):
    x = _tensor(args[0])
    dims = args[1] if len(args) == 2 and isinstance(args[1], (list, tuple)) else args[1:]
    dims = kwargs.get("dims", dims)
    if x.shape is not None:
        dims = [_axis(d, len(x.shape)) for d in dims]
    return b.emit(Permute(tuple(_int(d, "a permuted axis") for d in dims)), [x])


def _same_tensor(b, args, kwargs):
    return _tensor(args[0])


def _flatten(b, args, kwargs):
    x = _tensor(_arg(args, kwargs, 0, "input"))
    start = _int(_arg(args, kwargs, 1, "start_dim", 0), "start_dim")
    end = _int(_arg(args, kwargs, 2, "end_dim", -1), "end_dim")
    return b.emit(Flatten(start, end), [x])


def _mean(b, args, kwargs):
    x = _tensor(_arg(args, kwargs, 0, "input"))
    dims = _arg(args, kwargs, 1, "dim", None)
    if dims is None:
        raise SymconvError("expected mean over given dims (x.mean(dims)), but got a mean over "
                           "every axis")
    keep = _arg(args, kwargs, 2, "keepdim", False)
    dims = tuple(dims) if isinstance(dims, (list, tuple)) else dims
    return b.emit(Mean(dims, bool(keep)), [x])


def _layer_norm(b, args, kwargs):
    x = _tensor(_arg(args, kwargs, 0, "input"))
    dims = _arg(args, kwargs, 1, "normalized_shape")
    dims = tuple(_int(v, "normalized_shape") for v in (dims if isinstance(dims, (list, tuple))
                                                          else (dims,)))
    weight = _arg(args, kwargs, 2, "weight", None)
    bias = _arg(args, kwargs, 3, "bias", None)
    eps = _arg(args, kwargs, 4, "eps", 1e-5)
    for what, value in (("weight", weight), ("bias", bias)):
        if value is None:
            continue
        if not isinstance(value, ModelTensor) or not value.is_param or value.shape != dims:
            raise SymconvError(f"expected the layer norm's {what} to be a parameter of shape "
                               f"{_fmt(dims)}, but got {describe_value(value)}")
        if not b.count(value):
            raise SymconvError(f"expected the layer norm's {what} {value.target!r} to be used "
                               "once, but another row counts it already")
    if weight is None and bias is not None:
        raise SymconvError("expected a layer norm with a weight when it has a bias, but got a "
                           "bias only")
    return b.emit(LayerNorm(dims, float(eps), weight is not None, bias is not None), [x])


def _activation(name):
    def rule(b, args, kwargs):
        return b.emit(Activation(name), [_tensor(_arg(args, kwargs, 0, "input"))])
    return rule


def _adaptive_avg_pool(b, args, kwargs):
    x = _tensor(_arg(args, kwargs, 0, "input"))
    size = _arg(args, kwargs, 1, "output_size")
    if _has_none(size):
        raise SymconvError(f"expected an output size without None, but got {size!r}")
    return b.emit(AdaptivePool(size, "avg"), [x])


def _max_pool(b, args, kwargs):
    x = _tensor(_arg(args, kwargs, 0, "input"))
    k = _arg(args, kwargs, 1, "kernel_size")
    s = _arg(args, kwargs, 2, "stride", None)
    p = _arg(args, kwargs, 3, "padding", 0)
    d = _arg(args, kwargs, 4, "dilation", 1)
    ceil = _arg(args, kwargs, 5, "ceil_mode", False)
    return b.emit(Pool(k, s or None, p, d, "max", bool(ceil)), [x])


def call_rules(torch):
    """``{target: rule}`` for call_function targets (functions) and call_method targets
    (method names)."""
    F = torch.nn.functional
    rules = {torch.cat: _cat, torch.concat: _cat, "cat": _cat,
             builtins.getattr: _getattr, "size": _size, "dim": _dim, "numel": _numel,
             operator.getitem: _getitem, operator.neg: _neg,
             "view": _view, "reshape": _view, torch.reshape: _view,
             "unflatten": _unflatten, torch.unflatten: _unflatten,
             "transpose": _transpose, torch.transpose: _transpose, "swapaxes": _transpose,
             torch.swapaxes: _transpose, "permute": _permute, torch.permute: _permute,
             "contiguous": _same_tensor, "flatten": _flatten, torch.flatten: _flatten,
             "chunk": _chunk, torch.chunk: _chunk, "split": _split, torch.split: _split,
             "mean": _mean, torch.mean: _mean, "expand": _expand, F.pad: _pad, F.layer_norm: _layer_norm,
             F.adaptive_avg_pool2d: _adaptive_avg_pool, F.adaptive_avg_pool1d: _adaptive_avg_pool,
             F.max_pool2d: _max_pool, F.max_pool1d: _max_pool}
    for name in ("add", "mul", "sub", "floordiv", "truediv", "mod", "pow"):
        rule = _arithmetic(name)
        rules[getattr(operator, name)] = rule
        if name in ("add", "mul", "sub", "truediv"):
            short = {"truediv": "div"}.get(name, name)
            rules.update({getattr(operator, "i" + name): rule, getattr(torch, short): rule,
                          short: rule, short + "_": rule})
    activations = {F.relu: "relu", torch.relu: "relu", F.relu6: "relu6",
                   torch.sigmoid: "sigmoid", F.silu: "silu", F.hardswish: "hardswish",
                   F.hardsigmoid: "hardsigmoid", torch.tanh: "tanh", F.gelu: "gelu",
                   "relu": "relu", "relu_": "relu", "sigmoid": "sigmoid", "tanh": "tanh"}
    rules.update({target: _activation(name) for target, name in activations.items()})
    return rules

