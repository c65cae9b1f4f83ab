"""Receptive fields of whole networks: the main path of a catalogue network, a table,
a graph or a list of layer specifications, reduced to the per-layer tuples that
:func:`symconv.nn.shapes.receptive_field` composes.

>>> rf = receptive_field('resnet18')
>>> rf.size, rf.branches[0]
(435, ('layer1.0', (('main', 27), ('shortcut', 11)), 'main'))
>>> receptive_field([(3, 1, 1), (3, 1, 1)]).size
5
"""

from __future__ import annotations

import dataclasses
from typing import Any

from symconv.nn import shapes
from symconv.nn.architectures.trace import receptive_path
from symconv.nn.shapes import ReceptiveField

__all__ = ["receptive_field"]


def receptive_field(layers: Any) -> ReceptiveField:
    """:func:`symconv.nn.shapes.receptive_field`, also for whole networks.

    ``layers`` may be what :func:`symconv.nn.shapes.receptive_field` takes (tuples or
    mappings per layer), or a catalogue name (``'vgg16'``), an Architecture, a
    ShapeTable, a Graph or a list of layer specifications. For a network its main path
    is followed up to the first layer that sees the whole input (adaptive pool,
    flatten, linear); at every merge (residual blocks, concatenations) the path with the
    largest field is kept, and the result's ``.path``, ``.branches`` and ``.notes`` say
    which (``.report()`` prints them).

    Raises
    ------
    ShapeError
        For a network with upsampling (transposed convolution, upsample, pixel
        shuffle) on the path, naming the layer: past it one size and jump do not
        describe the field.
    """
    kinds = ("Architecture", "ShapeTable", "Graph")
    is_specs = isinstance(layers, (list, tuple)) and bool(layers) and all(
        hasattr(x, "kind") and hasattr(x, "output_shape") for x in layers)
    if not (isinstance(layers, str) or type(layers).__name__ in kinds or is_specs):
        return shapes.receptive_field(layers)
    if type(layers).__name__ == "ShapeTable":
        layers = layers.name
    steps, notes, branches = receptive_path(layers)
    rf = shapes.receptive_field([t for _, t in steps])
    return dataclasses.replace(rf, path=tuple(n for n, _ in steps), branches=tuple(branches),
                               notes=tuple(notes))
