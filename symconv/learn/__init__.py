r"""Learning a kernel by gradient descent, and the exact analysis that explains it.

A convolution layer is linear in its kernel, so fitting a kernel to an image and its
target output under the squared loss is a least-squares problem. This package runs the
descent numerically and analyses it exactly:

* :func:`learn_kernel` runs plain gradient descent with the numeric executor
  (:func:`symconv.numeric.conv_layer` forward, :func:`symconv.numeric.conv_layer_backward`
  backward) and returns the loss and weight history (a :class:`Trajectory`);
* :func:`analyze` returns the exact :class:`LeastSquares` analysis: the design matrix
  (built with :func:`symconv.conv_matrix`), the Hessian ``2c AᵀA``, its eigenvalues, the
  stability bound ``2/λ_max``, the contraction factors ``|1 - ηλ_i|``, the best constant
  step, the steps to a tolerance, the least-squares solution and what is identifiable;
* :func:`explain_run` returns a :class:`RunExplanation`: why a given learning rate
  converges or diverges, with a derivation checked step by step by
  :mod:`symconv.proofs` and rendered as LaTeX;
* :func:`notebook_run` gives the two settings of the source notes (``'seed'``: the
  notebook's 6x9 image whose run exploded; ``'d2l'``: the textbook's 6x8 image).

>>> import symconv.learn as sl
>>> seed = sl.notebook_run("seed")
>>> ls = sl.analyze(seed.image, seed.target, seed.kernel_shape)
>>> ls.stable_bound, ls.verdict(seed.lr)
(1/42, 'diverges')
"""

from ._descent import UNIFORM_SCALE, Trajectory, learn_kernel
from ._explanation import RunExplanation, explain_run
from ._least_squares import VERDICTS, LeastSquares, analyze, design_matrix
from ._notebook import NotebookRun, notebook_run, recover_initial_weight

__all__ = ["learn_kernel", "Trajectory", "UNIFORM_SCALE", "analyze", "design_matrix",
           "LeastSquares", "VERDICTS", "explain_run", "RunExplanation", "notebook_run",
           "NotebookRun", "recover_initial_weight"]
