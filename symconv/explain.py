r"""Say how a result was obtained and how (or whether) it was verified.

:func:`explain` takes anything symconv hands back and prints, in plain words, what
it is, which part of the library computed it, what was checked, by which
independent method, with which tolerance and seed, and what the verdict means. A
result that carries no verification (a bare SymPy expression, a matrix, a number)
is never described as checked: the explanation says so and shows the call that
would check it.

What it understands
-------------------
* a :class:`~symconv.proofs.Derivation` (checked on the spot unless ``check=False``)
  and a :class:`~symconv.proofs.ProofReport` (from ``Derivation.check()``,
  :func:`~symconv.proofs.check_proof`, :func:`~symconv.proofs.theorems.theorem` ...):
  every step with its status and the reason;
* a :class:`~symconv.verify.CrosscheckReport` and a
  :class:`~symconv.verify.Checked` value (``conv(..., verify=True)``);
* a :class:`~symconv.nn.shapes.ShapeTable` (:func:`~symconv.nn.shapes.infer_shapes`);
* a :class:`~symconv.nn.kernels.Kernel` (verified on the spot unless ``check=False``),
  a :class:`~symconv.nn.kernels.KernelReport` and a
  :class:`~symconv.nn.kernels.MinSizeArgument`;
* a grade (:class:`~symconv.grading.GradeResult`), an equivalence
  :class:`~symconv.grading.Verdict` and a batch report;
* an exercise :class:`~symconv.exercises.Solution` (and its parts and checks);
* plain values: SymPy expressions, matrices, arrays, numbers and lists of them.

Timings are left out on purpose, so that the same object is always explained by
the same text.

Examples
--------
>>> from sympy import Symbol, exp
>>> from symconv import conv, u
>>> t = Symbol('t', real=True)
>>> text = explain(conv(exp(-t)*u(t), u(t), t))
a plain SymPy expression: (1 - exp(-t))*Heaviside(t)
obtained: not recorded (a bare value does not remember where it came from)
verified: NO - a bare value carries no verification.
  To get one, ask for it where the value is computed, e.g.
  conv(f, g, t, verify=True) or corr(f, g, t, verify=True), which return
  Checked(value, report); or check an existing closed form with
  crosscheck(value, f, g, t).
>>> text.splitlines()[0]
'a plain SymPy expression: (1 - exp(-t))*Heaviside(t)'
"""

import sys

import sympy as sp

from symconv._util.explaining import short as _short
from symconv._util.explaining import wrap as _wrap
from symconv.errors import SymconvError

__all__ = ["explain", "Explanation"]


class Explanation(str):
    """The text of an explanation (a ``str``) with a short ``repr``.

    :func:`explain` has already printed the text, so an interactive session that
    echoes the return value shows only a one-line tag instead of the text again.
    """

    __slots__ = ()

    def __repr__(self):
        first = self.split("\n", 1)[0]
        if len(first) > 60:
            first = first[:57] + "..."
        return f"<explanation: {first}>"


def explain(obj, *, check=True, quiet=False, file=None):
    """Print how ``obj`` was obtained and verified, and return that text.

    Parameters
    ----------
    obj : object
        A symconv result (see the module notes for the list) or a plain value.
    check : bool, default True
        For a :class:`~symconv.proofs.Derivation`, run ``Derivation.check()``; for a
        :class:`~symconv.nn.kernels.Kernel`, run ``Kernel.verify()``. With ``False`` they
        are only described, and the text says that nothing was checked.
    quiet : bool, default False
        Do not print; only return the text.
    file : file-like, optional
        Where to print (default ``sys.stdout``).

    Returns
    -------
    Explanation
        The printed text (a ``str`` subclass whose ``repr`` is a one-line tag).

    Raises
    ------
    SymconvError
        When ``obj`` is of a type that :func:`explain` does not know.

    Examples
    --------
    >>> from sympy import symbols, Function, Sum, oo
    >>> from symconv.proofs import Derivation
    >>> n, k, m = symbols('n k m', integer=True)
    >>> f, g = Function('f'), Function('g')
    >>> d = Derivation([Sum(f(k)*g(n - k), (k, -oo, oo)),
    ...                 (Sum(f(n - m)*g(m), (m, -oo, oo)), "substitute k = n - m")],
    ...                title="commutativity")
    >>> text = explain(d, check=False)
    derivation: commutativity (2 expressions), NOT checked
      (explain(d) or d.check() checks every step)
    obtained: written by hand or by a symconv function; a justification is only shown,
      never trusted
    steps (claims, unchecked):
        Sum(f(k)*g(-k + n), (k, -oo, oo))
      = Sum(f(-m + n)*g(m), (m, -oo, oo))    [substitute k = n - m]
    >>> explain(d)
    proof report: commutativity
    verdict: PROVEN: all 1 step(s) proven
    obtained: symconv.proofs checked every step e(i-1) = e(i) on its own; the justifications
      are shown but never trusted.
        Sum(f(k)*g(-k + n), (k, -oo, oo))
      = Sum(f(-m + n)*g(m), (m, -oo, oo))
        step 1 [substitute k = n - m]: PROVEN by a named rule applied mechanically
          change of variables k -> n - m (Sum.change_index, limits included)...
    meaning:
      proven: established exactly (identical after normalisation, decided by SymPy, or a
        named rule reproduced the right side); holds for every value of the symbols.
    <explanation: proof report: commutativity>
    >>> explain(3, quiet=True).splitlines()[0]
    'a plain number: 3'
    """
    if not isinstance(check, bool):
        raise SymconvError(f"check must be True or False, but got {check!r}")
    lines = _explain_lines(obj, check)
    text = Explanation("\n".join(lines))
    if not quiet:
        print(text, file=sys.stdout if file is None else file)
    return text


# ---------------------------------------------------------------------------
# dispatch
# ---------------------------------------------------------------------------

def _explain_lines(obj, check):
    """Every result class says what it is and how it was checked (``__explain__``, in its
    own module); plain values are described here."""
    method = getattr(type(obj), "__explain__", None)
    if method is not None:
        return method(obj, check)
    plain = _plain(obj)
    if plain is not None:
        return plain
    raise SymconvError(
        "explain needs a symconv result (a Derivation or proof report, a crosscheck report or "
        "Checked value, a shape table, a kernel or its report, a grade, an exercise solution) "
        f"or a plain SymPy/number value, but got an object of type {type(obj).__name__}")


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


# ---------------------------------------------------------------------------
# proofs
# ---------------------------------------------------------------------------


# ---------------------------------------------------------------------------
# numeric cross-checks
# ---------------------------------------------------------------------------


# ---------------------------------------------------------------------------
# shapes
# ---------------------------------------------------------------------------


# ---------------------------------------------------------------------------
# kernels
# ---------------------------------------------------------------------------


# ---------------------------------------------------------------------------
# grading
# ---------------------------------------------------------------------------


# ---------------------------------------------------------------------------
# exercises
# ---------------------------------------------------------------------------


# ---------------------------------------------------------------------------
# plain values
# ---------------------------------------------------------------------------

_HOW_TO_VERIFY = (
    "verified: NO - a bare value carries no verification.",
    "  To get one, ask for it where the value is computed, e.g.",
    "  conv(f, g, t, verify=True) or corr(f, g, t, verify=True), which return",
    "  Checked(value, report); or check an existing closed form with",
    "  crosscheck(value, f, g, t).",
)


def _plain(obj):
    if isinstance(obj, bool):
        return None
    if isinstance(obj, sp.MatrixBase):
        out = [f"a plain SymPy matrix ({obj.rows} x {obj.cols})"]
        out += _wrap("obtained: not recorded (a Matrix, for instance from conv_matrix, does not "
                     "remember its kernel or hyper-parameters)")
        out += _wrap("verified: NO - a matrix carries no verification. For M = "
                     "conv_matrix(w, shape, ...), compare M * vec(x) with "
                     "conv_layer(x, w, ...) on a symbolic x (unvec reshapes the product), or "
                     "use crosscheck_layer to compare the exact layer with the NumPy executor.")
        return out
    if isinstance(obj, sp.NDimArray):
        return [f"a plain SymPy array of shape {tuple(obj.shape)}",
                "obtained: not recorded (a bare value does not remember where it came from)",
                *_wrap("verified: NO - an array carries no verification. For a layer output y "
                       "= conv_layer(x, w, ...), crosscheck_layer(y, 'conv_layer', x, w, ...) "
                       "compares it with the NumPy executor on random values of its symbols.")]
    if isinstance(obj, sp.Basic):
        what = "a plain SymPy expression"
        if isinstance(obj, sp.Integral) or isinstance(obj, sp.Sum):
            kind = "Integral" if isinstance(obj, sp.Integral) else "Sum"
            return [f"an unevaluated {kind}: {_short(obj)}",
                    *_wrap(f"obtained: no closed form was found, so the unevaluated {kind} is "
                           "returned (SymPy's convention); it is the exact definition, never a "
                           "guess."),
                    *_wrap("verified: there is nothing to verify; a numeric value at a point "
                           "is obj.subs(...).evalf(), and method='laplace' or "
                           "method='integrate' may still find a closed form.")]
        if obj.has(sp.Integral, sp.Sum):
            what = "a SymPy expression that still holds an unevaluated Integral or Sum"
        return [f"{what}: {_short(obj)}",
                "obtained: not recorded (a bare value does not remember where it came from)",
                *_HOW_TO_VERIFY]
    if isinstance(obj, (int, float)) or (hasattr(obj, "dtype") and getattr(obj, "ndim", 1) == 0):
        return [f"a plain number: {obj}",
                *_wrap("obtained: not recorded; sizes from conv_output_size and friends are "
                       "evaluations of the formula in symconv.nn.shapes (pass SymPy symbols to see "
                       "the formula itself)."),
                "verified: NO - a bare number carries no verification."]
    if hasattr(obj, "shape") and hasattr(obj, "dtype"):
        return [f"a NumPy array of shape {tuple(obj.shape)} ({obj.dtype})",
                *_wrap("obtained: not recorded; arrays of symconv.numeric come from the "
                       "vectorised executor, which is the independent reference that symbolic "
                       "results are checked against (it is tested against a naive loop "
                       "implementation)."),
                "verified: NO - an array carries no verification of its own."]
    if isinstance(obj, (list, tuple)) and obj and all(
            isinstance(v, (sp.Basic, int, float)) and not isinstance(v, bool) for v in obj):
        return [f"a plain {type(obj).__name__} of {len(obj)} value(s): {_short(list(obj))}",
                "obtained: not recorded (a bare value does not remember where it came from)",
                "verified: NO - a bare value carries no verification.",
                *_wrap("  For sequences, conv(a, b, verify=True) (or corr) returns "
                       "Checked(value, report) compared with symconv.numeric.convolve.",
                       "", "  ")]
    return None
