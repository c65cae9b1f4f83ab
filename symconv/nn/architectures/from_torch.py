"""Symbolic shape tables of a user's ``torch.nn.Module`` (:func:`from_torch`).

The module is traced with ``torch.fx``; every node is mapped to a layer specification
of :mod:`symconv.nn.architectures` and the nodes become a :class:`Graph` whose node
names are the module's qualified names (``features.0``) or, for function calls, fx's
node names (``cat``, ``add``). What cannot be mapped is refused, naming the node.
PyTorch is optional: it is imported here only, when the function is called.
"""

import operator

from symconv.errors import SymconvError
from symconv.nn.architectures.graph import INPUT, Add, Concat, Graph, Multiply, Node
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
    PReLU,
)
from symconv.nn.architectures.vocabulary import (
    ChannelShuffle,
    GroupNorm,
    LayerNorm,
    Mean,
    Permute,
    PixelShuffle,
    Upsample,
)

__all__ = ["from_torch", "graph_from_torch"]


def _torch():
    try:
        import torch
        import torch.fx  # noqa: F401
    except ImportError:
        raise SymconvError("from_torch needs PyTorch (pip install torch), but it is not "
                           "installed") from None
    return torch


def _module_layer(m, nn):
    """The specification of one leaf module, or None when it has no mapping."""
    conv = (nn.Conv1d, nn.Conv2d, nn.Conv3d)
    if isinstance(m, conv):
        if m.padding_mode != "zeros":
            return None
        wn = hasattr(m, "parametrizations") and "weight" in m.parametrizations
        return Conv(m.out_channels, m.kernel_size, m.stride, m.padding, m.dilation, m.groups,
                    m.bias is not None, m.in_channels, weight_norm=wn)
    if isinstance(m, (nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d)):
        return ConvTranspose(m.out_channels, m.kernel_size, m.stride, m.padding,
                             m.output_padding, m.dilation, m.groups, m.bias is not None,
                             m.in_channels)
    if isinstance(m, (nn.MaxPool1d, nn.MaxPool2d, nn.MaxPool3d)):
        return Pool(m.kernel_size, m.stride, m.padding, m.dilation, "max", m.ceil_mode)
    if isinstance(m, (nn.AvgPool1d, nn.AvgPool2d, nn.AvgPool3d)):
        if getattr(m, "divisor_override", None) is not None:
            return None
        return Pool(m.kernel_size, m.stride, m.padding, 1, "avg", m.ceil_mode,
                    m.count_include_pad)
    if isinstance(m, (nn.AdaptiveAvgPool1d, nn.AdaptiveAvgPool2d, nn.AdaptiveAvgPool3d)):
        return None if _has_none(m.output_size) else AdaptivePool(m.output_size, "avg")
    if isinstance(m, (nn.AdaptiveMaxPool1d, nn.AdaptiveMaxPool2d, nn.AdaptiveMaxPool3d)):
        return None if _has_none(m.output_size) else AdaptivePool(m.output_size, "max")
    if isinstance(m, nn.Linear):
        return Linear(m.out_features, m.in_features, m.bias is not None)
    if isinstance(m, nn.Flatten):
        return Flatten(m.start_dim, m.end_dim)
    if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)):
        return BatchNorm(m.eps) if m.affine else None
    if isinstance(m, nn.LayerNorm):
        return LayerNorm(tuple(m.normalized_shape), m.eps, m.elementwise_affine,
                         getattr(m, "bias", None) is not None or not m.elementwise_affine)
    if isinstance(m, nn.GroupNorm):
        return GroupNorm(m.num_groups, m.eps, m.affine)
    if isinstance(m, nn.PReLU):
        return PReLU(m.num_parameters)
    if isinstance(m, nn.LeakyReLU):
        return Activation("leaky_relu", negative_slope=m.negative_slope)
    if isinstance(m, nn.ELU):
        return Activation("elu", alpha=m.alpha)
    simple = {nn.ReLU: "relu", nn.ReLU6: "relu6", nn.Tanh: "tanh", nn.Sigmoid: "sigmoid",
              nn.SiLU: "silu", nn.Hardswish: "hardswish", nn.Hardsigmoid: "hardsigmoid",
              nn.GELU: "gelu", nn.Identity: "identity"}
    for cls, name in simple.items():
        if type(m) is cls:
            return Activation(name)
    if isinstance(m, (nn.Dropout, nn.Dropout2d, nn.Dropout1d, nn.Dropout3d)):
        return Dropout(m.p)
    if isinstance(m, nn.Upsample):
        if m.mode not in ("nearest", "bilinear", "linear", "trilinear"):
            return None
        scale = m.scale_factor
        return Upsample(scale_factor=tuple(scale) if isinstance(scale, tuple) else scale,
                        size=m.size, mode=m.mode, align_corners=bool(m.align_corners))
    if isinstance(m, nn.PixelShuffle):
        return PixelShuffle(m.upscale_factor)
    if isinstance(m, nn.ChannelShuffle):
        return ChannelShuffle(m.groups)
    return None


def _has_none(value):
    return value is None or (isinstance(value, tuple) and None in value)


def _function_layer(node, torch):
    """``(layer, input_nodes)`` for a call_function / call_method node, or None."""
    F = torch.nn.functional
    target, args, kwargs = node.target, node.args, node.kwargs
    fx = torch.fx.Node
    if target in (torch.cat, torch.concat) or (node.op == "call_method" and target == "cat"):
        dim = kwargs.get("dim", args[1] if len(args) > 1 else 0)
        if len(args[0]) == 1:      # torch.cat([x]) is x (DenseNet's first dense layer)
            return Activation("identity"), list(args[0])
        return Concat(dim), list(args[0])
    if target in (operator.add, torch.add, operator.iadd) or target in ("add", "add_"):
        if all(isinstance(a, fx) for a in args[:2]) and not kwargs:
            return Add(), list(args[:2])
        return None
    if target in (operator.mul, torch.mul, operator.imul) or target in ("mul", "mul_"):
        if all(isinstance(a, fx) for a in args[:2]):
            return Multiply(), list(args[:2])
        return None
    if target in (torch.flatten,) or target == "flatten":
        start = kwargs.get("start_dim", args[1] if len(args) > 1 else 0)
        end = kwargs.get("end_dim", args[2] if len(args) > 2 else -1)
        return Flatten(start, end), [args[0]]
    if (target == "mean" or target is torch.mean) and len(args) > 1:
        dims = kwargs.get("dim", args[1])
        keep = kwargs.get("keepdim", args[2] if len(args) > 2 else False)
        return Mean(tuple(dims) if isinstance(dims, (list, tuple)) else dims, bool(keep)), [args[0]]
    if target == "permute" or target is torch.permute:
        dims = args[1] if len(args) == 2 and isinstance(args[1], (list, tuple)) else args[1:]
        return Permute(tuple(dims)), [args[0]]
    activations = {F.relu: "relu", torch.relu: "relu", F.relu6: "relu6", torch.sigmoid: "sigmoid",
                   F.silu: "silu", F.hardswish: "hardswish", F.hardsigmoid: "hardsigmoid",
                   torch.tanh: "tanh", F.gelu: "gelu", "relu": "relu", "sigmoid": "sigmoid",
                   "tanh": "tanh", "relu_": "relu"}
    try:
        name = activations.get(target)
    except TypeError:
        name = None
    if name is not None:
        return Activation(name), [args[0]]
    if target is F.adaptive_avg_pool2d or target is F.adaptive_avg_pool1d:
        size = kwargs.get("output_size", args[1] if len(args) > 1 else None)
        return (None if _has_none(size) else (AdaptivePool(size, "avg"), [args[0]]))
    if target is F.max_pool2d:
        k = args[1] if len(args) > 1 else kwargs["kernel_size"]
        s = args[2] if len(args) > 2 else kwargs.get("stride")
        return Pool(k, s or None), [args[0]]
    return None


def graph_from_torch(module):
    """The :class:`Graph` of a ``torch.nn.Module`` (traced with ``torch.fx``).

    Raises :class:`SymconvError` naming the first node that has no mapping (a custom
    module, data-dependent control flow, arithmetic with constants, ...).
    """
    torch = _torch()
    nn = torch.nn
    if not isinstance(module, nn.Module):
        raise SymconvError(f"from_torch expects a torch.nn.Module, but got {type(module).__name__}")
    try:
        traced = torch.fx.symbolic_trace(module)
    except Exception as exc:  # fx raises many types for untraceable code
        raise SymconvError(f"from_torch could not trace {type(module).__name__} with torch.fx "
                           f"(data-dependent control flow?): {type(exc).__name__}: {exc}") from None
    modules = dict(traced.named_modules())
    names = {}
    nodes = []
    output = None
    for node in traced.graph.nodes:
        if node.op == "placeholder":
            if names:
                raise SymconvError(f"from_torch handles modules with one input, but "
                                   f"{type(module).__name__} has a second input {node.name!r}")
            names[node] = INPUT
            continue
        if node.op == "output":
            output = node.args[0]
            continue
        if node.op == "call_module":
            layer = _module_layer(modules[node.target], nn)
            if layer is None:
                raise SymconvError(
                    f"from_torch cannot map module {node.target!r} "
                    f"({type(modules[node.target]).__name__}) to the layer vocabulary")
            sources = [node.args[0]]
            name = node.target
        elif node.op in ("call_function", "call_method"):
            found = _function_layer(node, torch)
            if found is None:
                what = getattr(node.target, "__name__", node.target)
                raise SymconvError(f"from_torch cannot map the call {what!r} (node {node.name!r}) "
                                   "to the layer vocabulary")
            layer, sources = found
            name = node.name
        else:
            raise SymconvError(f"from_torch cannot map the {node.op} node {node.name!r} "
                               "(parameters used directly are not supported)")
        for source in sources:
            if source not in names:
                raise SymconvError(f"from_torch: node {node.name!r} reads {source!r}, which is "
                                   "not a tensor computed from the input")
        if name in {n.name for n in nodes} or name == INPUT:
            name = node.name
        nodes.append(Node(layer, tuple(names[s] for s in sources), name))
        names[node] = name
    if not nodes:
        raise SymconvError(f"from_torch found no layers in {type(module).__name__}")
    if not isinstance(output, torch.fx.Node) or names.get(output) != nodes[-1].name:
        # the graph's output must be its last node
        if isinstance(output, torch.fx.Node) and output in names:
            nodes.append(Node(Activation("identity"), (names[output],), "output"))
        else:
            raise SymconvError("from_torch handles modules returning one tensor, but got "
                               f"{output!r}")
    return Graph(tuple(nodes), name="")


def from_torch(module, example_shape):
    """The symbolic shape table of a ``torch.nn.Module``.

    Parameters
    ----------
    module : torch.nn.Module
        Traceable by ``torch.fx`` and built from the mapped modules and functions
        (convolutions, pooling, linear, norms, activations, dropout, upsample, pixel
        shuffle, flatten, permute, ``torch.cat``, ``+``, ``*``).
    example_shape : tuple
        ``(N, C, *spatial)``; entries may be identifiers (``'n'``) for symbolic sizes.

    Returns
    -------
    ShapeTable
        As :func:`infer_shapes`; rows are named after the module's submodules.

    Examples
    --------
    >>> import torch.nn as nn                                  # doctest: +SKIP
    >>> net = nn.Sequential(nn.Conv2d(3, 8, 3, stride=2), nn.ReLU())   # doctest: +SKIP
    >>> from_torch(net, (1, 3, 'n', 'n')).rows[0].output_shape         # doctest: +SKIP
    (1, 8, floor(n/2 - 3/2) + 1, floor(n/2 - 3/2) + 1)
    """
    from symconv.nn.architectures.catalogue import Architecture
    from symconv.nn.architectures.table import infer_shapes

    graph = graph_from_torch(module)
    arch = Architecture(type(module).__name__, (graph,))
    return infer_shapes(arch, tuple(example_shape))
