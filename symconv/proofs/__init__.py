"""Derivations whose every step is machine-checked, the theorem library, student proofs,
and the MLP-to-convolution argument.

* :mod:`~symconv.proofs.derivation` -- :class:`Derivation`, a chain of checked steps;
* :mod:`~symconv.proofs.checker` -- :func:`check_step` and :func:`check_proof` (a proof
  typed as text), built on :mod:`~symconv.proofs.canon` (canonical forms),
  :mod:`~symconv.proofs.search` (changes of variables), :mod:`~symconv.proofs.numeric`
  (numeric confirmation on the instances of :mod:`~symconv.proofs.instances`) and
  :mod:`~symconv.proofs.witnesses` (readable counterexamples from simple functions);
* :mod:`~symconv.proofs.report` -- the reports; :mod:`~symconv.proofs.notation` -- the
  unevaluated convolution/correlation notation;
* :mod:`~symconv.proofs.theorems` -- :func:`theorem`: commutativity, associativity,
  shift equivariance, the convolution theorem, ... as checkable derivations;
* :mod:`~symconv.proofs.reindex` -- :func:`mlp_to_conv`: from a dense layer to a
  convolution, step by step, with parameter counts.
"""

from symconv.proofs.checker import check_proof, check_step
from symconv.proofs.derivation import Derivation
from symconv.proofs.notation import Convolution, Correlation, convolution, correlation
from symconv.proofs.report import STATUSES, Counterexample, ProofReport, Step, StepCheck, StepReport
from symconv.proofs.reindex import mlp_to_conv, parameter_counts
from symconv.proofs.theorems import theorem

__all__ = ["Derivation", "Step", "StepCheck", "StepReport", "ProofReport", "Counterexample",
           "convolution", "correlation", "Convolution", "Correlation", "check_step",
           "check_proof", "theorem", "STATUSES", "mlp_to_conv", "parameter_counts"]
