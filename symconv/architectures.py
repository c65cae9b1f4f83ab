"""The architecture catalogue under its public name (DESIGN fixes ``import
symconv.architectures``). The code lives in :mod:`symconv.nn.architectures`; this
module re-exports its public names (the same objects).

>>> import symconv.architectures as A
>>> A.get('lenet5').name
'lenet5'
"""

from symconv.nn.architectures import *  # noqa: F403
from symconv.nn.architectures import __all__  # noqa: F401
