"""symconv: convolution done the way a careful textbook does it.

Symbolic results come from SymPy, every one of them can be cross-checked by an
independent NumPy executor (:mod:`symconv.numeric`), derivations print as LaTeX
(:mod:`symconv.latex`) and exercises are gradable (:mod:`symconv.grading`).

>>> import symconv as sc
>>> sc.conv_output_size(32, 5, padding=2)
32

Names are loaded lazily on first use, so ``import symconv`` stays quick and the
command line starts fast; ``dir(symconv)`` lists exactly the public API.
"""

import sys
import types
from importlib import import_module
from typing import TYPE_CHECKING

from symconv._util import checkout as _checkout
from symconv.errors import SymconvError  # defined first: every layer raises it

_checkout.install()  # from a source checkout, symconv.exercises is ../exercises

__version__ = "0.1.0"

# public name -> the module (under symconv) that defines it
_API = {
    "u": "signals.functions", "delta": "signals.functions", "rect": "signals.functions",
    "tri": "signals.functions", "ramp": "signals.functions", "flip": "signals.functions",
    "shift": "signals.functions",
    "conv": "verify.checked", "corr": "verify.checked",
    "conv_seq": "signals.discrete", "corr_seq": "signals.discrete",
    "corr2d": "nn.layers", "corr2d_multi_in": "nn.layers", "corr2d_multi_in_out": "nn.layers",
    "pool2d": "nn.layers", "conv_layer": "nn.layers", "conv_transpose_layer": "nn.layers",
    "pool_layer": "nn.layers",
    "conv_output_size": "nn.shapes", "conv_transpose_output_size": "nn.shapes",
    "pool_output_size": "nn.shapes", "same_padding": "nn.shapes",
    "receptive_field": "nn.architectures.receptive",
    "infer_shapes": "nn.architectures.table",
    "conv_matrix": "nn.matrix", "conv_transpose_matrix": "nn.matrix",
    "derivative_kernel": "nn.kernels", "integral_kernel": "nn.kernels",
    "min_kernel_size": "nn.kernels",
    "mlp_to_conv": "proofs.reindex",
    "Derivation": "proofs.derivation", "check_proof": "proofs.checker", "theorem": "proofs.theorems",
    "crosscheck": "verify.crosscheck",
    "explain": "explain",
}
# public submodules, reachable as attributes (symconv.numeric, ...)
_SUBMODULES = ("numeric", "grading", "latex", "architectures", "exercises")

__all__ = ["SymconvError", *_API, *_SUBMODULES]

if TYPE_CHECKING:  # the names for type checkers; at run time they load lazily (__getattr__)
    from symconv.explain import explain
    from symconv.nn.architectures.table import infer_shapes
    from symconv.nn.kernels import derivative_kernel, integral_kernel, min_kernel_size
    from symconv.nn.layers import conv_layer, conv_transpose_layer, corr2d, corr2d_multi_in, corr2d_multi_in_out, pool2d, pool_layer
    from symconv.nn.matrix import conv_matrix, conv_transpose_matrix
    from symconv.nn.architectures.receptive import receptive_field
    from symconv.nn.shapes import conv_output_size, conv_transpose_output_size, pool_output_size, same_padding
    from symconv.proofs.checker import check_proof
    from symconv.proofs.derivation import Derivation
    from symconv.proofs.reindex import mlp_to_conv
    from symconv.proofs.theorems import theorem
    from symconv.signals.discrete import conv_seq, corr_seq
    from symconv.signals.functions import delta, flip, ramp, rect, shift, tri, u
    from symconv.verify.checked import conv, corr
    from symconv.verify.crosscheck import crosscheck
    from symconv import architectures, exercises, grading, latex, numeric


def __getattr__(name):
    if name in _API:
        value = getattr(import_module(f"symconv.{_API[name]}"), name)
    elif name in _SUBMODULES:
        value = import_module(f"symconv.{name}")
    else:
        raise AttributeError(f"module 'symconv' has no attribute {name!r}")
    globals()[name] = value  # cache: the next lookup is a plain attribute
    return value


def __dir__():
    return sorted(__all__)


class _Package(types.ModuleType):
    """The module type of ``symconv``: public functions win over same-named submodules.

    ``crosscheck`` and ``explain`` are both public functions and the modules that define
    them. Importing such a submodule (``from symconv.verify import Checked``) makes
    Python's import system bind the *module* to the package attribute, which would shadow
    the function; here the function is bound instead. Reach the module itself through
    ``from symconv.verify import ...`` or ``sys.modules['symconv.verify']``.
    """

    def __setattr__(self, name, value):
        if isinstance(value, types.ModuleType) and _API.get(name) == name:
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
