"""Make the exercise catalogue importable from a source checkout.

The catalogue's source is the repository's top-level ``exercises/`` folder. An
installed package carries it as the subpackage :mod:`symconv.exercises`
(``pyproject.toml`` maps the folder there). A plain checkout has no
``symconv/exercises``; this finder, consulted only after every other finder has
failed, then serves ``symconv.exercises`` from ``<checkout>/exercises``, so that
``python -m symconv exercises list`` and the tests work without installing.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType

_NAME = "symconv.exercises"


class _CheckoutCatalogue(importlib.abc.MetaPathFinder):
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def find_spec(self, fullname: str, path: Sequence[str] | None = None,
                  target: ModuleType | None = None) -> ModuleSpec | None:
        if fullname != _NAME:
            return None  # submodules are found through the package's __path__
        return importlib.util.spec_from_file_location(
            fullname, self.folder / "__init__.py",
            submodule_search_locations=[str(self.folder)])


def install() -> None:
    """Register the finder when running from a checkout (idempotent, cheap)."""
    root = Path(__file__).resolve().parents[2]
    folder = root / "exercises"
    if not ((root / "pyproject.toml").is_file() and (folder / "_registry.py").is_file()):
        return  # an installed package: symconv.exercises is a real subpackage
    if not any(isinstance(f, _CheckoutCatalogue) for f in sys.meta_path):
        sys.meta_path.append(_CheckoutCatalogue(folder))
