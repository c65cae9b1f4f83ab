"""A padding layer: :class:`Pad`, PyTorch's ``nn.ConstantPad*d``/``ZeroPad*d``,
``nn.ReflectionPad*d``, ``nn.ReplicationPad*d``, ``nn.CircularPad*d`` and ``F.pad``.

Each spatial size grows by the padding on its two sides, ``n -> n + lo + hi``. Reflection
needs ``lo, hi < n`` (the mirrored rows must exist), circular padding ``lo, hi <= n``,
replication ``n >= 1``; with a symbolic ``n`` these are the layer's conditions.

>>> Pad(((2, 0),)).output_shape((1, 4, 10))
(1, 4, 12)
>>> import sympy as sp
>>> n = sp.Symbol("n", integer=True, positive=True)
>>> Pad(((3, 3), (3, 3)), mode="reflect").conditions((1, 3, n, n))
[n >= 4]
"""

from dataclasses import dataclass

import numpy as np
import sympy as sp

from symconv._util import validate as _params
from symconv.errors import ShapeError, SymconvError
from symconv.nn.architectures.specs import Layer, _fmt, _spatial

__all__ = ["Pad"]

_MODES = ("constant", "reflect", "replicate", "circular")
_NUMPY_MODE = {"constant": "constant", "reflect": "reflect", "replicate": "edge",
               "circular": "wrap"}


@dataclass(frozen=True)
class Pad(Layer):
    """Pad each spatial axis by ``(lo, hi)``: ``padding`` holds one pair per spatial axis,
    the first spatial axis first (PyTorch's ``pad`` tuples list the last axis first;
    :func:`from_torch` reorders them). ``mode`` is 'constant' (with ``value``),
    'reflect', 'replicate' or 'circular'. No parameters.

    >>> Pad(((1, 1), (0, 2)), value=-1.0).describe((1, 3, 5, 5))
    'pad (1, 1), (0, 2) with -1'
    """

    padding: tuple
    mode: str = "constant"
    value: float = 0.0
    name: object = None
    kind = "pad"

    def __post_init__(self):
        _params.check_choice(self.mode, _MODES, "pad mode")
        pairs = self.padding
        if not isinstance(pairs, (list, tuple)) or not pairs or not all(
                isinstance(p, (list, tuple)) and len(p) == 2 for p in pairs):
            raise SymconvError(f"pad padding must be a (lo, hi) pair per spatial axis, but got "
                               f"{pairs!r}")
        object.__setattr__(self, "padding", tuple(
            (_params.as_int(lo, "pad padding", 0), _params.as_int(hi, "pad padding", 0))
            for lo, hi in pairs))
        if isinstance(self.value, bool) or not isinstance(self.value, (int, float)):
            raise SymconvError(f"pad value must be a number, but got {self.value!r}")

    def _sizes(self, shape):
        spatial = _spatial(shape, self.kind)
        if len(spatial) != len(self.padding):
            raise ShapeError(f"pad has {len(self.padding)} (lo, hi) pair(s), one per spatial "
                             f"axis, but got input shape {_fmt(shape)}")
        return spatial

    def output_shape(self, shape):
        spatial = self._sizes(shape)
        return (*shape[:2], *(n + lo + hi for n, (lo, hi) in zip(spatial, self.padding)))

    def conditions(self, shape):
        found = []
        for n, (lo, hi) in zip(self._sizes(shape), self.padding):
            need = {"reflect": max(lo, hi) + 1, "circular": max(lo, hi),
                    "replicate": 1}.get(self.mode, 0)
            if need <= 0:
                continue
            if isinstance(n, int) or (isinstance(n, sp.Basic) and n.is_Integer):
                if int(n) < need:
                    raise ShapeError(f"{self.mode} padding by {max(lo, hi)} needs a size of at "
                                     f"least {need}, but got {n} (input shape {_fmt(shape)})")
            elif sp.Ge(n, need) not in found:
                found.append(sp.Ge(n, need))
        return found

    def describe(self, shape):
        pairs = ", ".join(f"({lo}, {hi})" for lo, hi in self.padding)
        how = f"with {self.value:g}" if self.mode == "constant" else self.mode
        return f"pad {pairs} {how}"

    def forward(self, x, rng):
        widths = [(0, 0), (0, 0), *self.padding]
        if self.mode == "constant":
            return np.pad(x, widths, mode="constant", constant_values=self.value)
        return np.pad(x, widths, mode=_NUMPY_MODE[self.mode])


def pairs_from_torch(pad, rank):
    """PyTorch's ``pad`` tuple (last axis first: ``(left, right, top, bottom)``) as
    :class:`Pad`'s pairs for ``rank`` spatial axes (first axis first; axes it does not
    reach get ``(0, 0)``).

    >>> pairs_from_torch((1, 2, 3, 4), 2)
    ((3, 4), (1, 2))
    >>> pairs_from_torch((1, 1), 2)
    ((0, 0), (1, 1))
    """
    pad = tuple(pad)
    if len(pad) % 2 or not pad or len(pad) // 2 > rank:
        raise SymconvError(f"expected a pad tuple of 2, 4, ... entries reaching at most the "
                           f"{rank} spatial axis(es), but got {pad!r}")
    pairs = [(pad[i], pad[i + 1]) for i in range(0, len(pad), 2)][::-1]
    return tuple([(0, 0)] * (rank - len(pairs)) + pairs)
