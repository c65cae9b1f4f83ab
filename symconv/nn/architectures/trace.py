"""Tracing a list of layer specifications: shapes and parameters row by row, and the
same network run on NumPy arrays."""

from dataclasses import dataclass, field

import sympy as sp

from symconv.errors import ShapeError
from symconv.nn.architectures.io import _as_layer
from symconv.nn.architectures.graph import INPUT, Graph, _Merge
from symconv.nn.architectures.specs import Residual, _activate, _fmt

__all__ = ["Row", "trace", "run_numpy"]


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


_SPATIAL = ("conv", "conv_transpose", "pool", "upsample")


def _conditions(layer, shape, out):
    """Conditions on the symbols for this layer to be valid (sizes >= 1, matching features)."""
    found = []
    extra = getattr(layer, "conditions", None)
    for cond in (extra(shape) if callable(extra) else ()):
        cond = _undecided(cond)
        if cond is not None and cond not in found:
            found.append(cond)
    for size in out[2:] if layer.kind in _SPATIAL else ():
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
    # a graph named "" (a whole network given as one graph) adds no prefix
    return name if not prefix else f"{prefix}.{name}"


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
            if isinstance(layer, Graph):
                inner = _trace_graph(layer, shape, name, depth + 1)
                rows.extend(inner)
                shape = inner[-1].output_shape
                continue
            if isinstance(layer, Residual):
                inner = trace(layer.main, shape, name, depth + 1)
                side = trace(_shortcut_names(layer.shortcut), shape, name, depth + 1)
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


def _shortcut_names(layers):
    """Unnamed shortcut layers are called ``shortcut.<i>`` (the main path has ``<i>``)."""
    import dataclasses

    return [dataclasses.replace(x, name=f"shortcut.{i}") if x.name is None else x
            for i, x in enumerate(_as_layer(v) for v in layers)]


def _trace_graph(graph, shape, name, depth):
    """Rows of a graph's nodes, in node order; merges add their agreement conditions."""
    rows = []
    shapes = {INPUT: tuple(shape)}
    for index, node in enumerate(graph.nodes):
        sources = graph.sources(index)
        inputs = [shapes[s] for s in sources]
        where = _join(name, node.name)
        if isinstance(node.layer, _Merge):
            try:
                out, conditions = node.layer.merge(inputs, where)
            except ShapeError as exc:
                raise ShapeError(f"layer '{where}' ({node.layer.kind}) reading "
                                 f"{', '.join(sources)}: {exc}") from None
            rows.append(Row(where, node.layer.kind, node.layer.describe(out), inputs[0], out, 0,
                            depth, conditions))
        else:
            import dataclasses

            inner = trace([dataclasses.replace(node.layer, name=node.name)], inputs[0], name,
                          depth)
            rows.extend(inner)
            out = inner[-1].output_shape
        shapes[node.name] = out
    return rows


def _numpy_graph(graph, x, rng, name):
    import dataclasses

    arrays = {INPUT: x}
    produced = []
    for index, node in enumerate(graph.nodes):
        inputs = [arrays[s] for s in graph.sources(index)]
        where = _join(name, node.name)
        if isinstance(node.layer, _Merge):
            try:
                y = node.layer.combine(inputs)
            except ValueError as exc:
                raise ShapeError(f"layer '{where}' ({node.layer.kind}): the executor could not "
                                 f"merge arrays of shapes {', '.join(str(a.shape) for a in inputs)}: "
                                 f"{exc}") from None
            produced.append((where, tuple(y.shape)))
        else:
            y, inner = run_numpy([dataclasses.replace(node.layer, name=node.name)], inputs[0],
                                 rng, name)
            produced.extend(inner)
        arrays[node.name] = y
    return y, produced


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
        if isinstance(layer, Graph):
            x, inner = _numpy_graph(layer, x, rng, name)
            shapes.extend(inner)
            continue
        if isinstance(layer, Residual):
            y, inner = run_numpy(layer.main, x, rng, name)
            if layer.shortcut:
                short, side = run_numpy(_shortcut_names(layer.shortcut), x, rng, name)
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




def receptive_path(arch):
    """The main path of a network for :func:`symconv.nn.shapes.receptive_field`.

    ``arch`` is a catalogue name, an Architecture, a Graph or a list of layers. The walk
    follows the first spatial axis and stops at the first layer that mixes the whole
    input (adaptive pool, flatten, linear, mean). A residual block and every merge of a
    graph have several paths from the input; the one with the largest field is kept and
    each choice is recorded.

    Returns ``(steps, notes, branches)``: ``steps`` the ``(name, (kernel, stride,
    padding_lo, dilation))`` pairs of the chosen path, ``notes`` the strings saying
    where the walk stopped, ``branches`` one ``(merge, ((source, size), ...), chosen)``
    triple per merge point (sizes are the fields of the paths reaching it).

    Raises :class:`ShapeError` at an upsampling layer (transposed convolution, upsample,
    pixel shuffle): after it neighbouring outputs see different numbers of inputs, so
    one size and jump do not describe the field.
    """
    from symconv.nn.architectures import catalogue
    from symconv.nn.architectures.specs import Conv, Pool
    from symconv.nn.architectures.vocabulary import Shared

    if isinstance(arch, str):
        arch = catalogue.get(arch)
    if isinstance(arch, catalogue.Architecture):
        arch = arch.layers
    if isinstance(arch, Graph):
        arch = [arch]
    notes, branches = [], []
    stop = ("adaptive_pool", "flatten", "linear", "mean")
    grow = ("conv_transpose", "upsample", "pixel_shuffle")

    class _Stop(Exception):
        pass

    def walk(layers, path, prefix):
        """Extend ``path`` through ``layers``; raise _Stop(path) at a global layer."""
        for index, layer in enumerate(layers):
            layer = _as_layer(layer)
            name = _join(prefix, layer.name if layer.name is not None else str(index))
            if isinstance(layer, Shared):    # the same geometry as the layer it repeats
                layer = layer.layer
            if isinstance(layer, (Conv, Pool)):
                ndim = max(len(v) for v in (layer.kernel_size, layer.stride, layer.dilation,
                                            layer.padding, (0,))
                           if isinstance(v, (tuple, list)))
                k, s, p, d = layer._geometry(ndim)
                if len({(k[i], s[i], p[i], d[i]) for i in range(ndim)}) > 1:
                    notes.append(f"'{name}' differs between spatial axes: the field follows "
                                 "the first one")
                path = path + [(name, (k[0], s[0], p[0][0], d[0]))]
            elif isinstance(layer, Residual):
                main = walk(layer.main, path, name)
                side = walk(_shortcut_names(layer.shortcut), path, name)
                path = _choose(name, [("main", main), ("shortcut", side)])
            elif isinstance(layer, Graph):
                path = graph(layer, path, name)
            elif layer.kind in stop:
                notes.append(f"stopped at '{name}' ({layer.kind}): it sees the whole input")
                raise _Stop(path)
            elif layer.kind in grow:
                raise ShapeError(
                    f"receptive_field cannot pass layer '{name}' ({layer.kind}): after "
                    "upsampling, neighbouring outputs see different numbers of inputs, so one "
                    "size and jump do not describe the field; give the layers before it")
        return path

    def graph(g, path, prefix):
        best = {INPUT: path}
        for index, node in enumerate(g.nodes):
            sources = g.sources(index)
            where = _join(prefix, node.name)
            if len(sources) > 1:
                best[node.name] = _choose(where, [(s, best[s]) for s in sources])
            else:
                import dataclasses

                best[node.name] = walk([dataclasses.replace(node.layer, name=node.name)],
                                       best[sources[0]], prefix)
        return best[g.nodes[-1].name]

    def _choose(where, candidates):
        sizes = tuple((label, _size_of([t for _, t in p])) for label, p in candidates)
        label, chosen = max(candidates, key=lambda c: _size_of([t for _, t in c[1]]))
        branches.append((where, sizes, label))
        return chosen

    try:
        steps = walk(arch, [], None)
    except _Stop as done:
        steps = done.args[0]
    return steps, notes, branches


def _size_of(path):
    size, jump = 1, 1
    for k, s, _, d in path:
        size += d * (k - 1) * jump
        jump *= s
    return size if isinstance(size, int) else 0
