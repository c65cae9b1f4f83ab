"""Derivations whose every step is machine-checked, the theorem library, student proofs,
and the MLP-to-convolution argument.

* :mod:`~symconv.proofs.checker` -- :class:`Derivation`, :func:`check_step`,
  :func:`check_proof` and the reports;
* :mod:`~symconv.proofs.theorems` -- :func:`theorem`: commutativity, associativity,
  shift equivariance, the convolution theorem, ... as checkable derivations;
* :mod:`~symconv.proofs.reindex` -- :func:`mlp_to_conv`: from a dense layer to a
  convolution, step by step, with parameter counts.
"""

from symconv.proofs.checker import (
                                    STATUSES,
                                    Convolution,
                                    Correlation,
                                    Counterexample,
                                    Derivation,
                                    ProofReport,
                                    Step,
                                    StepCheck,
                                    StepReport,
                                    check_proof,
                                    check_step,
                                    convolution,
                                    correlation,
)
from symconv.proofs.reindex import mlp_to_conv, parameter_counts
from symconv.proofs.theorems import theorem

__all__ = ["Derivation", "Step", "StepCheck", "StepReport", "ProofReport", "Counterexample",
           "convolution", "correlation", "Convolution", "Correlation", "check_step",
           "check_proof", "theorem", "STATUSES", "mlp_to_conv", "parameter_counts"]
