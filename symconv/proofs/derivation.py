"""Derivations: :class:`Derivation`, an immutable chain of expressions whose every step is
checked.
"""

import time

import sympy as sp

from symconv.errors import ParseError, SymconvError

from symconv.proofs.checker import _as_sympy, _check_kind, _check_options, _guarded_check, _run_custom
from symconv.proofs.notation import _parse
from symconv.proofs.report import ProofReport, Step, StepReport, _align, _aligned, _short
from symconv.proofs.report import _proof_report
from symconv._util.explaining import short as _ex_short
from symconv._util.explaining import wrap as _wrap


# ---------------------------------------------------------------------------
# derivations
# ---------------------------------------------------------------------------


class Derivation:
    r"""An immutable chain of equal expressions, each step with a justification.

    Parameters
    ----------
    steps : sequence
        ``steps[0]`` is the starting expression; every later item is a
        :class:`Step`, a pair ``(expression, justification)`` (justification may be
        None) or a bare expression. Expressions are SymPy objects or strings;
        strings are parsed safely with :func:`symconv.parsing.parse_math`.
    title : str, optional
    kind : {'continuous', 'discrete', '2d'}, optional
        How strings are parsed (integer symbols for 'discrete'/'2d') and how
        undefined functions are instantiated in numeric checks (detected from the
        expressions when omitted).
    functions : tuple of str
        Names that strings treat as undefined functions.
    symbols : dict, optional
        Ready-made SymPy symbols for names in strings (to carry assumptions).

    Examples
    --------
    >>> from sympy import symbols
    >>> x = symbols('x')
    >>> d = Derivation([(x + 1)**2, (x**2 + 2*x + 1, "expand the square")], title="square")
    >>> d
    Derivation('square', 2 expressions)
    >>> print(d)
    square
        (x + 1)**2
      = x**2 + 2*x + 1    [expand the square]
    >>> print(d.latex())
    \begin{align*}
      & \left(x + 1\right)^{2} \\
      &= x^{2} + 2 x + 1 && \text{expand the square}
    \end{align*}
    """

    __slots__ = ("_steps", "_title", "_kind")

    def __init__(self, steps, title=None, *, kind=None, functions=("f", "g", "h"), symbols=None):
        if isinstance(steps, (str, sp.Basic)) or not hasattr(steps, "__iter__"):
            raise SymconvError("steps must be a sequence whose first item is the starting expression, "
                               f"but got {type(steps).__name__}")
        items = list(steps)
        if not items:
            raise SymconvError("steps must contain at least the starting expression, but got []")
        if title is not None and not isinstance(title, str):
            raise SymconvError(f"title must be a str or None, but got {type(title).__name__}")
        kind_n = _check_kind(kind)
        parse_kind = kind_n or "continuous"
        converted = []
        for i, item in enumerate(items):
            if isinstance(item, Step):
                step = item
            elif isinstance(item, (tuple, list)) and len(item) == 2 and i > 0:
                step = Step(item[0], item[1])
            elif isinstance(item, (tuple, list)) and i == 0 and len(item) == 2 \
                    and (item[1] is None or isinstance(item[1], str)):
                step = Step(item[0], item[1])
            else:
                step = Step(item)
            expr = step.expression
            if isinstance(expr, str):
                try:
                    expr = _parse(expr, parse_kind, functions, symbols)
                except ParseError as exc:
                    raise ParseError(f"step {i} could not be parsed: {exc}", exc.position) from None
            else:
                expr = _as_sympy(expr, f"step {i}")
            if isinstance(expr, (list, tuple)):
                raise SymconvError(f"step {i} must be one expression or equation, but got {expr!r}")
            converted.append(Step(expr, step.justification, step.verify))
        object.__setattr__(self, "_steps", tuple(converted))
        object.__setattr__(self, "_title", title)
        object.__setattr__(self, "_kind", kind)

    def __setattr__(self, name, value):
        raise AttributeError("a Derivation is immutable; use .then(...) to extend it")

    # -- read-only views --------------------------------------------------------
    @property
    def steps(self):
        """Tuple of :class:`Step` (the first one is the starting expression)."""
        return self._steps

    @property
    def expressions(self):
        """Tuple of the expressions of the chain."""
        return tuple(s.expression for s in self._steps)

    @property
    def justifications(self):
        """Tuple of the justifications of steps 1, 2, ... (None where absent)."""
        return tuple(s.justification for s in self._steps[1:])

    @property
    def title(self):
        return self._title

    @property
    def kind(self):
        return self._kind

    @property
    def start(self):
        return self._steps[0].expression

    @property
    def result(self):
        return self._steps[-1].expression

    def __len__(self):
        return len(self._steps)

    def __iter__(self):
        return iter(self._steps)

    def __eq__(self, other):
        return isinstance(other, Derivation) and (self._steps, self._title) == (other._steps, other._title)

    def __hash__(self):
        return hash((self._steps, self._title))

    def then(self, expression, justification=None, verify=None):
        """A new derivation with one more step (this one is unchanged)."""
        d = Derivation(list(self._steps) + [Step(expression, justification, verify)],
                       self._title, kind=self._kind)
        return d

    # -- checking ---------------------------------------------------------------
    def check(self, *, seed=0, instances=None, numeric=True, time_limit=4.0):
        """Verify every step; returns a :class:`ProofReport`.

        Parameters
        ----------
        seed : int
            Seed of the random instances used by numeric confirmation (each step
            uses ``seed + step index``), so a check is reproducible.
        instances : int, optional
            Random instances per numerically checked step (default 6 for discrete,
            3 for continuous).
        numeric : bool
            Fall back to random instances when SymPy cannot decide a step.
        time_limit : float
            Seconds allowed for the symbolic part of each step.
        """
        kind = _check_kind(self._kind)
        _check_options(seed, instances, time_limit)
        reports = []
        exprs = self.expressions
        for i in range(1, len(self._steps)):
            step = self._steps[i]
            t0 = time.perf_counter()
            if step.verify is not None:
                result = _run_custom(step.verify)
            else:
                result = _guarded_check(exprs[i - 1], exprs[i], kind=kind, seed=seed + i,
                                        instances=instances, numeric=numeric, time_limit=time_limit,
                                        justification=step.justification)
            reports.append(StepReport(i, exprs[i - 1], exprs[i], step.justification, result.status,
                                      result.reason, result.counterexample, result.method,
                                      time.perf_counter() - t0))
        return ProofReport(self._title, exprs, tuple(reports))

    # -- display ------------------------------------------------------------------
    def latex(self):
        r"""The chain as an ``align*`` block, justifications as ``\text{}`` on the right."""
        return _align(self.expressions, list(self.justifications))

    def _repr_latex_(self):
        from symconv.latex import escape_text

        return "$$" + _aligned(self.expressions, [
            r"\text{" + escape_text(j) + "}" if j else "" for j in self.justifications]) + "$$"

    def __str__(self):
        lines = [self._title] if self._title else []
        width = max(len(_short(e, 120)) for e in self.expressions)
        for i, step in enumerate(self._steps):
            text = _short(step.expression, 120)
            if i == 0:
                lines.append(f"    {text}")
            else:
                tail = f"    [{step.justification}]" if step.justification else ""
                lines.append(f"  = {text.ljust(width)}{tail}".rstrip())
        return "\n".join(lines)

    def __repr__(self):
        return f"Derivation({self._title!r}, {len(self._steps)} expressions)"

    def __explain__(self, check=True):
        """The lines :func:`symconv.explain` prints for this object."""
        return _derivation(self, check)


# ---------------------------------------------------------------------------
# explain(): what these results say about how they were obtained and checked
# ---------------------------------------------------------------------------

def _derivation(d, check):
    if check:
        return _proof_report(d.check(), check)
    n = len(d.expressions)
    out = [f"derivation: {d.title or 'untitled'} ({n} expressions), NOT checked",
           "  (explain(d) or d.check() checks every step)",
           *_wrap("obtained: written by hand or by a symconv function; a justification is "
                  "only shown, never trusted"),
           "steps (claims, unchecked):",
           f"    {_ex_short(d.expressions[0])}"]
    for step in d.steps[1:]:
        why = f"    [{step.justification}]" if step.justification else ""
        own = " (has its own check)" if step.verify is not None else ""
        out.append(f"  = {_ex_short(step.expression)}{why}{own}")
    return out
