"""Symbolic shape tables of a user's ``torch.nn.Module`` (:func:`from_torch`).

The module is traced with ``torch.fx``; every node is mapped to a layer specification
of :mod:`symconv.nn.architectures` (leaf modules here, calls by the rules of :mod:`.torch_rules`) and the nodes
become a :class:`Graph` whose node names are the module's qualified names
(``features.0``) or, for function calls, fx's node names (``cat``, ``add``). Shapes
are followed symbolically while mapping, so ``x.size()`` and ``x.shape`` are sizes of
the example input that ``view`` and ``reshape`` can use. What cannot be mapped is
refused, naming the node. PyTorch is optional: it is imported here only, when the
function is called.
"""

from symconv.errors import ShapeError, SymconvError
from symconv.nn.architectures.graph import INPUT, Graph, Node, _Merge
from symconv.nn.architectures.padding import Pad, pairs_from_torch
from symconv.nn.architectures.reshape import Unflatten
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
    _fmt,
)
from symconv.nn.architectures.torch_rules import (
    ModelTensor,
    Tensor,
    _has_none,
    call_rules,
    describe_value,
)
from symconv.nn.architectures.vocabulary import (
    ChannelShuffle,
    GroupNorm,
    LayerNorm,
    PixelShuffle,
    Shared,
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
        wn = hasattr(m, "parametrizations") and "weight" in m.parametrizations
        if m.padding_mode == "zeros":
            return Conv(m.out_channels, m.kernel_size, m.stride, m.padding, m.dilation,
                        m.groups, m.bias is not None, m.in_channels, weight_norm=wn)
        # reflect/replicate/circular: PyTorch pads first (F.pad), then convolves unpadded
        rank = len(m.kernel_size)
        pad = Pad(pairs_from_torch(m._reversed_padding_repeated_twice, rank), m.padding_mode)
        return [pad, Conv(m.out_channels, m.kernel_size, m.stride, 0, m.dilation, m.groups,
                          m.bias is not None, m.in_channels, weight_norm=wn)]
    pads = {"ConstantPad": "constant", "ZeroPad": "constant", "ReflectionPad": "reflect",
            "ReplicationPad": "replicate", "CircularPad": "circular"}
    for prefix, mode in pads.items():
        for rank in (1, 2, 3):
            cls = getattr(nn, f"{prefix}{rank}d", None)
            if cls is not None and isinstance(m, cls):
                value = float(getattr(m, "value", 0.0) or 0.0)
                return Pad(pairs_from_torch(m.padding, rank), mode, value)
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
    if isinstance(m, nn.Unflatten) and all(isinstance(v, int) for v in m.unflattened_size):
        return Unflatten(m.dim, tuple(m.unflattened_size))
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


class _Builder:
    """The graph being built: its nodes, the value of every fx node, the parameters
    already counted, and the fx node being mapped (for error messages)."""

    def __init__(self, traced, torch, input_shape):
        self.traced = traced
        self.torch = torch
        self.modules = dict(traced.named_modules())
        self.input_shape = input_shape
        self.nodes = []
        self.names = {INPUT}
        self.values = {}
        self.node = None
        # the row of each leaf module with parameters that was called already
        self.owners = {}
        # parameters of the leaf modules that are called: their layers count them
        self.counted = {id(p) for n in traced.graph.nodes if n.op == "call_module"
                        for p in self.modules[n.target].parameters()}

    # -- what the rules use ---------------------------------------------------

    def shape(self, tensor):
        """The symbolic shape of ``tensor``; refused when no example shape was given."""
        if tensor.shape is None:
            raise SymconvError("expected an example input shape to follow sizes through the "
                               "module, but got none: call graph_from_torch(module, "
                               "example_shape)")
        return tensor.shape

    def count(self, model_tensor):
        """True the first time a parameter is counted (then the caller's row counts it)."""
        if not model_tensor.is_param or model_tensor.ident in self.counted:
            return False
        self.counted.add(model_tensor.ident)
        return True

    def emit(self, layer, sources, name=None):
        """Add a node reading the tensors ``sources``; return its :class:`Tensor`."""
        name = self._unique(name or self.node.name)
        shapes = [s.shape for s in sources]
        out = None
        if all(shape is not None for shape in shapes):
            try:
                if isinstance(layer, _Merge):
                    out = layer.merge(shapes, name)[0]
                else:
                    out = tuple(layer.output_shape(shapes[0]))
            except ShapeError as exc:
                raise ShapeError(f"layer '{name}' ({layer.kind}) with input "
                                 f"{', '.join(_fmt(s) for s in shapes)}: {exc}") from None
        self.nodes.append(Node(layer, tuple(s.name for s in sources), name))
        self.names.add(name)
        return Tensor(name, out)

    def emit_chain(self, layers, source):
        """Layers one after the other; the last is named after the fx node, the others
        ``<node>.<i>``. No layers: the value is ``source`` itself."""
        for i, layer in enumerate(layers):
            last = i == len(layers) - 1
            source = self.emit(layer, [source], None if last else f"{self.node.name}.{i}")
        return source

    def _unique(self, name):
        """``name``, else the fx node's name (a module called twice), else that with _k."""
        candidate, k = (name if name not in self.names else self.node.name), 0
        while candidate in self.names:
            k += 1
            candidate = f"{self.node.name}_{k}"
        return candidate

    # -- the fx nodes ---------------------------------------------------------

    def visit(self, node, rules):
        self.node = node
        if node.op == "placeholder":
            if self.values:
                raise SymconvError(f"from_torch handles modules with one input, but got a "
                                   f"second input {node.name!r}")
            value = Tensor(INPUT, self.input_shape)
        elif node.op == "get_attr":
            value = self._attribute(node.target)
        elif node.op == "output":
            return self.resolve(node.args[0])
        elif node.op == "call_module":
            value = self._module(node)
        else:
            value = self._call(node, rules)
        self.values[node] = value
        return None

    def resolve(self, value):
        return self.torch.fx.node.map_arg(value, lambda n: self.values[n])

    def _attribute(self, target):
        value = self.traced
        for part in target.split("."):
            value = getattr(value, part)
        if isinstance(value, self.torch.Tensor):
            is_param = isinstance(value, self.torch.nn.Parameter)
            return ModelTensor(target, tuple(int(v) for v in value.shape), is_param, id(value))
        return value

    def _module(self, node):
        module = self.modules[node.target]
        layer = _module_layer(module, self.torch.nn)
        if layer is None:
            raise SymconvError(f"from_torch cannot map module {node.target!r} "
                               f"({type(module).__name__}) to the layer vocabulary: expected "
                               "one of the leaf modules help(from_torch) lists")
        args = self.resolve(node.args)
        if len(args) != 1 or node.kwargs or not isinstance(args[0], Tensor):
            got = ", ".join(describe_value(a) for a in args)
            raise SymconvError(f"from_torch expects module {node.target!r} to be called on one "
                               f"tensor computed from the input, but got {got or 'nothing'}")
        source = args[0]
        if isinstance(layer, list):          # a convolution that pads first: two rows
            source = self.emit(layer[0], [source], f"{node.target}.pad")
            layer = layer[1]
        if node.target in self.owners:       # called again: its parameters count once
            layer = Shared(layer, self.owners[node.target])
        out = self.emit(layer, [source], node.target)
        if any(True for _ in module.parameters()):
            self.owners.setdefault(node.target, out.name)
        return out

    def _call(self, node, rules):
        what = getattr(node.target, "__name__", node.target)
        try:
            rule = rules.get(node.target)
        except TypeError:           # an unhashable target
            rule = None
        if rule is None:
            raise SymconvError(f"from_torch cannot map the call {what!r} (node {node.name!r}) "
                               "to the layer vocabulary: expected one of the functions and "
                               "methods help(from_torch) lists")
        args, kwargs = self.resolve(node.args), self.resolve(node.kwargs)
        try:
            return rule(self, tuple(args), dict(kwargs))
        except ShapeError:
            raise
        except SymconvError as exc:
            raise SymconvError(f"from_torch cannot map the call {what!r} (node {node.name!r}): "
                               f"{exc}") from None


def graph_from_torch(module, example_shape=None):
    """The :class:`Graph` of a ``torch.nn.Module`` (traced with ``torch.fx``).

    ``example_shape`` (``(N, C, *spatial)``, entries may be identifiers) lets the mapping
    follow shapes, which ``x.size()``, ``view``, ``transpose``, ``chunk`` and indexing
    need. Raises :class:`SymconvError` naming the first node that has no mapping (a
    custom leaf module, data-dependent control flow, ...).
    """
    torch = _torch()
    if not isinstance(module, torch.nn.Module):
        raise SymconvError(f"from_torch expects a torch.nn.Module, but got {type(module).__name__}")
    input_shape = None
    if example_shape is not None:
        from symconv.nn.architectures.table import _input_entry

        input_shape = tuple(_input_entry(v, i) for i, v in enumerate(example_shape))
    try:
        traced = torch.fx.symbolic_trace(module)
    except Exception as exc:  # fx raises many types for untraceable code
        raise SymconvError(f"from_torch could not trace {type(module).__name__} with torch.fx "
                           f"(data-dependent control flow?): {type(exc).__name__}: {exc}") from None
    builder = _Builder(traced, torch, input_shape)
    rules = call_rules(torch)
    output = None
    for node in traced.graph.nodes:
        found = builder.visit(node, rules)
        output = found if node.op == "output" else output
    nodes = builder.nodes
    if not nodes:
        raise SymconvError(f"from_torch found no layers in {type(module).__name__}")
    if not isinstance(output, Tensor):
        raise SymconvError("from_torch handles modules returning one tensor computed from the "
                           f"input, but got {describe_value(output)}")
    if output.name != nodes[-1].name:       # the graph's output must be its last node
        nodes.append(Node(Activation("identity"), (output.name,), builder._unique("output")))
    return Graph(tuple(nodes), name="")


def from_torch(module, example_shape):
    """The symbolic shape table of a ``torch.nn.Module``.

    Parameters
    ----------
    module : torch.nn.Module
        Traceable by ``torch.fx`` (no control flow that depends on the data) and built
        from what is mapped:

        * leaf modules: convolutions and transposed convolutions (zero padding), max and
          average pooling, adaptive pooling, ``Linear``, ``Flatten``, ``Unflatten``,
          batch, layer and group norm, activations (ReLU, ReLU6, Tanh, Sigmoid, SiLU,
          Hardswish, Hardsigmoid, GELU, LeakyReLU, ELU, PReLU), ``Identity``, dropout,
          ``Upsample`` (nearest/linear modes), ``PixelShuffle``, ``ChannelShuffle``,
          padding (``ConstantPad*d``, ``ZeroPad*d``, ``ReflectionPad*d``,
          ``ReplicationPad*d``, ``CircularPad*d``; a convolution's non-zero
          ``padding_mode`` is a pad row before it);
        * merges: ``torch.cat``, ``+`` and ``*`` of two tensors (broadcasting), and
          ``+``/``*`` of a tensor with a parameter of the model (a learned tensor, e.g.
          ConvNeXt's layer scale; counted once); ``+ - * / **`` of a tensor and a
          number (``x * 0.5``, ``1 - x``: a scalar layer);
        * a leaf module called more than once: its parameters count once (the later
          rows say whose parameters they use);
        * shapes: ``x.size()``, ``x.shape``, ``x.dim()``, indexing them and integer
          arithmetic on them (``c // groups``); ``view``/``reshape`` (with ``-1``; written
          as flatten and unflatten layers, checked to keep the element count for every
          input size), ``flatten``, ``unflatten``, ``permute``, ``transpose``,
          ``contiguous``, ``chunk``/``split`` and their pieces, indexing with integers
          and slices, ``mean`` over given axes;
        * functions: ``F.layer_norm`` with the module's weight and bias, the functional
          activations, ``F.adaptive_avg_pool1d/2d``, ``F.max_pool1d/2d``.

        Anything else is refused with a :class:`SymconvError` that names the node and
        says what was expected (custom leaf modules, a view splitting an axis into two
        input-dependent sizes, several inputs or outputs).
    example_shape : tuple
        ``(N, C, *spatial)``; entries may be identifiers (``'n'``) for symbolic sizes.

    Returns
    -------
    ShapeTable
        As :func:`infer_shapes`; rows are named after the module's submodules, and
        function calls after fx's nodes (``cat``, ``view_1``; a call written as several
        layers has rows ``<node>.0``, ..., ``<node>``).

    The examples need PyTorch; see ``tests/test_architectures_torch.py`` and
    docs/tutorials/layers-and-shapes.md.
    """
    from symconv.nn.architectures.catalogue import Architecture
    from symconv.nn.architectures.table import infer_shapes

    graph = graph_from_torch(module, example_shape)
    arch = Architecture(type(module).__name__, (graph,))
    return infer_shapes(arch, tuple(example_shape))
