"""Layer graphs: named nodes, branches and the merge operations :class:`Concat`,
:class:`Add` and :class:`Multiply`.

A :class:`Graph` is a layer whose inside is a list of nodes. Each node is a layer with a
name and the names of the nodes it reads (``inputs``); a node without ``inputs`` reads
the node before it (the first node reads the graph's input, called ``'input'``). The
last node is the graph's output. A merge node reads two or more nodes:

* :class:`Concat` ``(dim=1)``: every axis but ``dim`` must agree; ``dim`` adds up;
* :class:`Add`, :class:`Multiply`: elementwise with broadcasting (NumPy's and PyTorch's
  rule: shapes are aligned from the right, and an axis of size 1 stretches). Broadcasting
  is decided on the symbolic shapes: an axis that *is* the integer 1 stretches; two
  symbolic sizes must be equal.

Where two sizes must agree and SymPy cannot decide it, the table records the condition
(``2*floor(n/2) = n``) and :func:`symconv.nn.architectures.infer_shapes` solves it over
the integers (U-Net: ``n ≡ 0 (mod 16)``). Sizes that can never agree are an error at once.

>>> from symconv.architectures import Conv, Pool, ConvTranspose, infer_shapes
>>> g = Graph([Node(Conv(8, 3, padding=1), name="enc"),
...            Node(Pool(2), name="down"),
...            Node(ConvTranspose(8, 2, stride=2), name="up"),
...            Node(Concat(), ("enc", "up"), name="cat")])
>>> t = infer_shapes([g], (1, 3, "n", "n"))
>>> t.output_shape
(1, 16, n, n)
>>> t.validity_text()
'valid for integer n >= 2 with n ≡ 0 (mod 2)'
"""

from dataclasses import dataclass

import sympy as sp

from symconv.errors import ShapeError, SymconvError
from symconv.nn.architectures.specs import Layer, _fmt

__all__ = ["Graph", "Node", "Concat", "Add", "Multiply", "merge_sizes", "INPUT"]

INPUT = "input"


def _is_one(value):
    return value == 1 and (isinstance(value, int) or getattr(value, "is_Integer", False))


def merge_sizes(a, b, what):
    """The size two merged axes give, and the condition for them to agree (or None).

    ``what`` names the axes in the error message (a string, or a function giving it:
    printing symbolic shapes is slow, so merges build the text only on error). Raises
    :class:`ShapeError` when they can never agree.
    """
    if isinstance(a, int) and isinstance(b, int):
        if a != b:
            raise ShapeError(f"{_text(what)}: expected sizes to agree, but got {a} and {b}")
        return a, None
    difference = sp.simplify(sp.sympify(a) - b)
    if difference == 0:
        return a, None
    if difference.is_zero is False or (difference.is_number and difference != 0):
        raise ShapeError(f"{_text(what)}: expected sizes to agree, but got {a} and {b}, which "
                         f"differ by {difference} for every input size")
    return a, sp.Eq(a, b)


def _text(what):
    return what() if callable(what) else what


class _Merge(Layer):
    """A node that reads several inputs."""

    def output_shape(self, shape):
        raise SymconvError(f"{self.kind} merges several inputs; use it as a node of a Graph")

    def merge(self, shapes, where):
        """``(output_shape, conditions)`` for the input ``shapes``."""
        raise NotImplementedError


@dataclass(frozen=True)
class Concat(_Merge):
    """``torch.cat(inputs, dim)``: every axis but ``dim`` must agree; ``dim`` adds up."""

    dim: int = 1
    name: object = None
    kind = "concat"

    def merge(self, shapes, where):
        rank = len(shapes[0])
        if any(len(s) != rank for s in shapes):
            raise ShapeError(f"concat '{where}': expected inputs of equal rank, but got "
                             f"{', '.join(_fmt(s) for s in shapes)}")
        dim = self.dim + rank if self.dim < 0 else self.dim
        if not 0 <= dim < rank:
            raise ShapeError(f"concat '{where}': dim must be an axis of the inputs, but got "
                             f"dim={self.dim} for rank {rank}")
        out, conditions = list(shapes[0]), []
        for other in shapes[1:]:
            for axis in range(rank):
                if axis == dim:
                    out[axis] = out[axis] + other[axis]
                    continue
                size, cond = merge_sizes(
                    out[axis], other[axis],
                    lambda axis=axis: f"concat '{where}' axis {axis} (inputs "
                                      f"{', '.join(_fmt(s) for s in shapes)})")
                out[axis] = size
                if cond is not None and cond not in conditions:
                    conditions.append(cond)
        return tuple(out), tuple(conditions)

    def describe(self, shape):
        return f"concat dim {self.dim}"

    def combine(self, arrays):
        import numpy as np

        return np.concatenate(arrays, axis=self.dim)


class _Elementwise(_Merge):
    def merge(self, shapes, where):
        rank = max(len(s) for s in shapes)
        out = [1] * rank
        conditions = []
        for shape in shapes:
            padded = (1,) * (rank - len(shape)) + tuple(shape)
            for axis, size in enumerate(padded):
                if _is_one(size):
                    continue
                if _is_one(out[axis]):
                    out[axis] = size
                    continue
                size, cond = merge_sizes(
                    out[axis], size,
                    lambda axis=axis: f"{self.kind} '{where}' axis {axis} (inputs "
                                      f"{', '.join(_fmt(s) for s in shapes)}, broadcasting)")
                if cond is not None and cond not in conditions:
                    conditions.append(cond)
        return tuple(out), tuple(conditions)


@dataclass(frozen=True)
class Add(_Elementwise):
    """Elementwise sum of the inputs, with broadcasting (an optional ``activation``)."""

    activation: object = None
    name: object = None
    kind = "add"

    def describe(self, shape):
        return "add" + (f", {self.activation}" if self.activation else "")

    def combine(self, arrays):
        from symconv.nn.architectures.specs import _activate

        out = arrays[0]
        for a in arrays[1:]:
            out = out + a
        return _activate(out, self.activation or "identity")


@dataclass(frozen=True)
class Multiply(_Elementwise):
    """Elementwise product of the inputs, with broadcasting (gates, squeeze-and-excitation)."""

    name: object = None
    kind = "multiply"

    def describe(self, shape):
        return "multiply"

    def combine(self, arrays):
        out = arrays[0]
        for a in arrays[1:]:
            out = out * a
        return out


@dataclass(frozen=True)
class Node:
    """A layer in a :class:`Graph`: its ``name`` (default: the layer's name, else its
    position) and the names of the nodes it reads (default: the node before it)."""

    layer: Layer
    inputs: tuple = ()
    name: object = None

    def __post_init__(self):
        inputs = (self.inputs,) if isinstance(self.inputs, str) else tuple(self.inputs)
        object.__setattr__(self, "inputs", inputs)
        if not isinstance(self.layer, Layer):
            raise SymconvError(f"a graph node must hold a layer specification, but got {self.layer!r}")
        if self.name is None and self.layer.name is not None:
            object.__setattr__(self, "name", str(self.layer.name))


@dataclass(frozen=True)
class Graph(Layer):
    """A layer graph (see the module text). ``nodes`` holds :class:`Node` objects or plain
    layers (which read the node before them). Node names must be unique; an unnamed node
    is called by its position. Rows are named ``<graph>.<node>``.
    """

    nodes: tuple
    name: object = None
    kind = "graph"

    def __post_init__(self):
        nodes = []
        for index, node in enumerate(self.nodes):
            if isinstance(node, Layer):
                node = Node(node)
            if not isinstance(node, Node):
                raise SymconvError(f"graph nodes must be Node objects or layers, but got {node!r}")
            if node.name is None:
                node = Node(node.layer, node.inputs, str(index))
            nodes.append(node)
        if not nodes:
            raise SymconvError("a graph needs at least one node, but got none")
        seen = {INPUT}
        for index, node in enumerate(nodes):
            if node.name in seen:
                raise SymconvError(f"graph node names must be unique and not {INPUT!r}, but "
                                   f"{node.name!r} appears twice")
            for source in node.inputs:
                if source not in seen:
                    raise SymconvError(f"graph node {node.name!r} reads {source!r}, but no node "
                                       "before it has that name")
            merge = isinstance(node.layer, _Merge)
            if merge and len(node.inputs) < 2:
                raise SymconvError(f"merge node {node.name!r} ({node.layer.kind}) expects at "
                                   f"least 2 inputs, but got {len(node.inputs)}")
            if not merge and len(node.inputs) > 1:
                raise SymconvError(f"node {node.name!r} ({node.layer.kind}) expects 1 input, but "
                                   f"got {len(node.inputs)}; merge them with concat, add or multiply")
            seen.add(node.name)
        object.__setattr__(self, "nodes", tuple(nodes))

    def sources(self, index):
        """The names of the nodes node ``index`` reads."""
        node = self.nodes[index]
        if node.inputs:
            return node.inputs
        return (INPUT,) if index == 0 else (self.nodes[index - 1].name,)

    def output_shape(self, shape):
        from symconv.nn.architectures.trace import trace

        return trace([self], shape)[-1].output_shape

    def describe(self, shape):
        return f"graph of {len(self.nodes)} nodes"

    def to_dict(self):
        nodes = []
        for index, node in enumerate(self.nodes):
            entry = node.layer.to_dict()
            entry["name"] = node.name
            if node.inputs:
                entry["inputs"] = list(node.inputs)
            nodes.append(entry)
        out = {"type": "graph", "nodes": nodes}
        if self.name is not None:
            out["name"] = self.name
        return out


def branches(*paths, merge=None, name=None, names=None):
    """A graph that runs each path (a list of layers) on the same input and merges them
    (default :class:`Concat` on the channels): Inception and fire modules.

    ``names`` optionally names the paths (``'branch1'``, ...); the layers inside a path
    are named ``<path>.<layer name or position>``.

    >>> from symconv.architectures import Conv, infer_shapes
    >>> g = branches([Conv(4, 1)], [Conv(6, 3, padding=1)], names=("a", "b"))
    >>> [r.name for r in infer_shapes([g], (1, 3, 8, 8)).rows]
    ['0.a', '0.b', '0.cat']
    """
    merge = Concat() if merge is None else merge
    nodes, ends = [], []
    for p, path in enumerate(paths):
        label = names[p] if names else f"branch{p}"
        path = list(path)
        if not path:
            ends.append(INPUT)
            continue
        for i, layer in enumerate(path):
            inner = layer.name if layer.name is not None else str(i)
            node_name = label if len(path) == 1 else f"{label}.{inner}"
            nodes.append(Node(layer, (INPUT,) if i == 0 else (nodes[-1].name,), node_name))
        ends.append(nodes[-1].name)
    short = {"concat": "cat", "add": "add", "multiply": "mul"}[merge.kind]
    nodes.append(Node(merge, tuple(ends), short if merge.name is None else merge.name))
    return Graph(tuple(nodes), name=name)


__all__.append("branches")
