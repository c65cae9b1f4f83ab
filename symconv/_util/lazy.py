"""Modules imported on first use, for the command line's fast start (no SymPy import).

``symconv --help`` builds every subcommand's parser; a command module that imported
SymPy at the top would make that cost ~0.5 s. Such modules write
``from symconv._util.lazy import sympy as sp`` instead: the first attribute looked up
(``sp.Symbol``) imports SymPy, every later one is a plain attribute of the real module.

>>> from symconv._util.lazy import sympy as sp
>>> sp.Integer(2) + 1
3
"""

import importlib
import types
from typing import Any

__all__ = ["LazyModule", "sympy"]


class LazyModule(types.ModuleType):
    """A stand-in for the module ``name`` that imports it when an attribute is first read."""

    def __getattr__(self, attr: str) -> Any:
        module = importlib.import_module(self.__name__)
        return getattr(module, attr)


sympy = LazyModule("sympy")
