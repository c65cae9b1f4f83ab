"""Symbolic results checked against the independent numeric executor.

* :mod:`~symconv.verify.crosscheck` -- :func:`crosscheck` (continuous and discrete signals,
  finite sequences) and :func:`crosscheck_layer` (exact layers);
* :mod:`~symconv.verify.report` -- the reports; :mod:`~symconv.verify.continuous`,
  :mod:`~symconv.verify.discrete` -- the comparisons; :mod:`~symconv.verify._evaluate` --
  settings, SymPy-to-NumPy evaluation, parameter drawing, supports;
* :mod:`~symconv.verify.checked` -- the public :func:`symconv.conv` / :func:`symconv.corr`,
  the engines of :mod:`symconv.signals` plus ``verify=True``.
"""

from symconv.verify.checked import conv, corr
from symconv.verify.crosscheck import crosscheck, crosscheck_layer
from symconv.verify.report import CheckResult, Checked, CrosscheckReport, Instance

__all__ = ["crosscheck", "crosscheck_layer", "CrosscheckReport", "Checked", "CheckResult",
           "Instance", "conv", "corr"]
