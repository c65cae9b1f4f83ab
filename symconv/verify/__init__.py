"""Symbolic results checked against the independent numeric executor.

* :mod:`~symconv.verify.crosscheck` -- :func:`crosscheck` (continuous and discrete signals,
  finite sequences) and :func:`crosscheck_layer` (exact layers), with their reports;
* :mod:`~symconv.verify.checked` -- the public :func:`symconv.conv` / :func:`symconv.corr`,
  the engines of :mod:`symconv.signals` plus ``verify=True``.
"""

from symconv.verify.checked import conv, corr
from symconv.verify.crosscheck import (
                                       Checked,
                                       CheckResult,
                                       CrosscheckReport,
                                       Instance,
                                       crosscheck,
                                       crosscheck_layer,
)

__all__ = ["crosscheck", "crosscheck_layer", "CrosscheckReport", "Checked", "CheckResult",
           "Instance", "conv", "corr"]
