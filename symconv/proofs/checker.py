r"""Machine-checked derivations: chains of equal expressions, each step verified.

A :class:`Derivation` is an immutable chain ``e0 = e1 = e2 = ...`` in which every
step ``e(i-1) = e(i)`` carries a justification ("substitute m = n - k",
"swap the order of summation", free text, ...). :meth:`Derivation.check` verifies
every step and returns a :class:`ProofReport` whose entries say, step by step,
how the equality was established:

``proven``
    structurally identical; or SymPy decided it (``simplify(a - b) == 0`` and
    friends, under a time limit); or a named rule applied mechanically to the
    left side reproduced the right side. The rules are: the definition of
    convolution/correlation (the :func:`convolution`/:func:`correlation`
    notation), linearity (constants and sums move through a Sum/Integral),
    Fubini (the order of independent summations/integrations), a change of
    variables (``Sum.change_index`` / ``Integral.transform``, limits included),
    the sifting property of ``DiracDelta``/``KroneckerDelta`` and the support
    restriction by a unit step. Before any numeric test, sums with integer limits
    are written out term by term (at most 64 terms per side: a one-term sum
    disappears) and integrals with finite numeric limits are evaluated by SymPy's
    ``doit`` when it can; periodic indices are handled by writing ``Mod(a, N)`` as
    ``a - N floor(a/N)``.
``confirmed``
    not decided symbolically, but both sides agreed on random instances:
    undefined functions replaced by random finite sequences (discrete) or random
    Gaussian-times-polynomial functions (continuous, integrated by Gauss-Legendre
    quadrature), free symbols by random values. The reason states how many
    instances and which tolerance.
``refuted``
    the sides differ on a concrete instance, given as a reproducible
    :class:`Counterexample` (every sequence, function and value listed). A
    continuous step is first tried on simple functions a student can integrate by
    hand (a unit box, a one-sided exponential, a ramp; Gaussians where a function is
    differentiated: :mod:`~symconv.proofs.witnesses`), so that the counterexample
    reads ``f(x) = rect(x - 1/2) (a unit box on [0, 1))``; they only ever refute,
    and only far above the tolerance, so what is confirmed is unchanged. A refuted
    step that matches a known mistake (:data:`~symconv.proofs.rules.MISTAKES`: a
    floor distributed over a sum, the derivative of a convolution on both factors,
    a correlation treated as commutative, ``f(-x)`` replaced by ``f(x)``, the limits
    of a change of variables left as they were) says so.
``unverified``
    neither decided nor testable (e.g. a custom check gave up, or the expression
    contains something the numeric evaluator cannot evaluate).

A derivation is valid when every step is proven or confirmed.

The rules are the textbook ones and carry the textbook's standing assumption:
sums and integrals converge absolutely (integrable functions, finitely supported
sequences), so that linearity and Fubini apply. Sums with reversed limits follow
SymPy's convention, both in the rules and in the numeric evaluation.

Examples
--------
>>> from sympy import symbols, Function, Sum, oo
>>> from symconv.proofs import Derivation
>>> n, k, m = symbols('n k m', integer=True)
>>> f, g = Function('f'), Function('g')
>>> d = Derivation([Sum(f(k)*g(n - k), (k, -oo, oo)),
...                 (Sum(f(n - m)*g(m), (m, -oo, oo)), "substitute k = n - m")],
...                title="commutativity")
>>> report = d.check()
>>> report.valid, report.steps[0].status
(True, 'proven')
>>> print(report.steps[0].reason)
change of variables k -> n - m (Sum.change_index, limits included), as stated
"""

import re
import time

import sympy as sp
from sympy import Eq, Expr, Heaviside, MatrixBase, Piecewise, Symbol
from sympy.core.function import AppliedUndef

from symconv._util.sympy_safety import no_numeric_summation
from symconv._util.deadline import TIMED_OUT, bounded_call
from symconv.errors import SymconvError

from symconv.proofs import rules
from symconv.proofs.canon import _Canon, _NESTS, _Overdue, _Trace, _bounded, _canon_equal, _distribute, _is_zero, _nest_nodes, _write_out
from symconv.proofs.notation import _expand_notation, _parse
from symconv.proofs.instances import DOMAIN
from symconv.proofs.numeric import _detect_kind, _numeric_check
from symconv.proofs.report import ProofReport, StepCheck, StepReport, _KINDS
from symconv.proofs.witnesses import simple_refutation
from symconv.proofs.search import _Substitution, _substitutions, _search_substitutions, _stated_substitutions


def _rules_text(ta, tb):
    keys = [r for r in ta.rules if r not in tb.rules] + [r for r in tb.rules if r not in ta.rules]
    if not keys:
        keys = ta.rules or tb.rules
    return ", ".join(str(rules.RULES[key]) for key in keys)


class _Symbolic:
    """The symbolic side of a step check, in two phases: ``quick`` (definitions,
    SymPy on expressions without sums/integrals, normal forms) and ``deep``
    (search over changes of variables, SymPy's ``doit``). The checker runs the
    numeric test in between, so a wrong step is refuted without the deep phase."""

    def __init__(self, a, b, seconds, justification=None, kind=None):
        self.seconds = seconds
        self.justification = justification
        self.kind = kind
        self.a2, self.b2 = _expand_notation(a), _expand_notation(b)
        self.definitions = [r for r in (rules.DEFINITION_CONV, rules.DEFINITION_CORR)
                            if any(r.apply(e) is not None for e in (a, b))]
        kinds = [r.name.replace("definition of ", "") for r in self.definitions]
        self.prefix = ("definition of " + " and ".join(kinds) + "; ") if kinds else ""
        self.has_nests = self.a2.has(*_NESTS) or self.b2.has(*_NESTS)
        self.ca = self.cb = None

    def quick(self):
        a2, b2, prefix = self.a2, self.b2, self.prefix
        deadline = time.monotonic() + self.seconds
        if a2 == b2:
            return StepCheck("proven", prefix.rstrip("; ") + " reproduces the next line", method="rule")
        if not self.has_nests and _is_zero(a2 - b2, max(0.5, self.seconds / 2)):
            return StepCheck("proven", prefix + "SymPy: simplify(left - right) == 0", method="sympy")
        ta, tb = _Trace(), _Trace()

        def canonical():
            return _Canon(ta, deadline)(a2), _Canon(tb, deadline)(b2)

        try:
            both = bounded_call(canonical, max(0.1, deadline - time.monotonic()), TIMED_OUT)
        except (_Overdue, Exception):
            both = TIMED_OUT
        if both is TIMED_OUT:
            self.ca = self.cb = None
            return None
        self.ca, self.cb = both
        per = max(0.3, min(2.0, deadline - time.monotonic()))
        if _canon_equal(self.ca, self.cb, per, ta):
            rules = _rules_text(ta, tb)
            text = (f"both sides agree after {rules}" if rules else
                    "both sides agree after expansion and renaming of bound variables")
            return StepCheck("proven", prefix + text, method="rule" if rules else "sympy")
        return None

    def finite(self):
        """Write out sums with numeric limits and evaluate integrals with numeric limits
        (bounded: :data:`_FINITE_TERMS`, the time limit), then compare: a sum of one term
        that disappears, or a short sum written out by hand, is proven here."""
        if not self.has_nests:
            return None
        deadline = time.monotonic() + self.seconds
        a3, b3 = _write_out(self.a2, deadline), _write_out(self.b2, deadline)
        if a3 is None and b3 is None:
            return None
        a3 = self.a2 if a3 is None else a3
        b3 = self.b2 if b3 is None else b3
        what = (self.prefix + "sums and integrals with numeric limits evaluated term by term "
                "(doit); then ")
        if a3 == b3:
            return StepCheck("proven", what + "both sides are identical", method="sympy")
        if _is_zero(a3 - b3, max(0.5, deadline - time.monotonic())):
            return StepCheck("proven", what + "SymPy: simplify(left - right) == 0",
                             method="sympy")
        return None

    def deep(self):
        a2, b2, prefix = self.a2, self.b2, self.prefix
        deadline = time.monotonic() + self.seconds
        if self.ca is not None and self.has_nests and self.justification:
            found = _bounded(lambda: self.stated(deadline), max(0.1, deadline - time.monotonic()))
            if found is not None:
                return StepCheck("proven", prefix + found, method="rule")
        if self.ca is not None and self.has_nests:
            found = _bounded(lambda: _search_substitutions(
                _distribute(a2), self.cb, _distribute(b2), self.ca, deadline),
                max(0.1, deadline - time.monotonic()))
            if found is not None:
                return StepCheck("proven", prefix + found, method="rule")
        piecewise = (Heaviside, sp.Min, sp.Max, sp.floor, sp.ceiling, sp.Mod, Piecewise)
        if not (a2.atoms(AppliedUndef) or b2.atoms(AppliedUndef)) and self.has_nests \
                and not (a2.has(*piecewise) or b2.has(*piecewise)) and time.monotonic() < deadline:
            left = deadline - time.monotonic()
            ad = _bounded(lambda: a2.doit(), left / 2)
            bd = _bounded(lambda: b2.doit(), left / 2)
            if ad is not None and bd is not None and not (ad.has(*_NESTS) and bd.has(*_NESTS)) \
                    and _is_zero(ad - bd, max(0.5, deadline - time.monotonic())):
                return StepCheck("proven", prefix + "SymPy evaluated both sides to the same closed form",
                                 method="sympy")
        return None


    def stated(self, deadline):
        """Apply the change(s) of variables stated in the justification, then compare."""
        subs = _stated_substitutions(self.justification, self.a2, self.b2, self.kind)
        if not subs:
            return None
        expr = _distribute(self.a2)
        done = []
        for var, phi, W in subs:
            nodes = [n for n, v, _ in _nest_nodes(expr) if v == var]
            if not nodes:
                return None
            for node in nodes:
                current = [n for n, v, _ in _nest_nodes(expr) if v == var]
                if not current:
                    break
                sub = _Substitution(current[0], var, phi, W)
                expr = sub.apply(expr)
            done.append(_Substitution(nodes[0], var, phi, W).describe())
        c = _Canon(_Trace(), deadline)(expr)
        if _canon_equal(c, self.cb, max(0.3, deadline - time.monotonic())):
            return "; ".join(done) + ", as stated"
        return None




def _symbolic_check(a, b, seconds):
    """StepCheck('proven', ...) when SymPy or a mechanical rule shows a == b, else None."""
    sym = _Symbolic(a, b, seconds)
    return sym.quick() or sym.finite() or sym.deep()


def _named_rule(res, a, b):
    """``res`` with the one rule the step used named ("by the rule: an integer moves inside
    the floor") when a proven step is that rule applied once; for a refuted step, the
    rule it misapplied (a floor distributed over a sum, an index shift whose limits did
    not move with it), when one is recognised."""
    if res.status == "proven" and "by the rule:" not in res.reason:
        rule = _bounded(lambda: rules.rule_of_step(a, b), 0.5)
        if rule is not None:
            return StepCheck(res.status, f"by the rule: {rule.name} ({res.reason})",
                             res.counterexample, res.method)
    elif res.status == "refuted" and "misapplied" not in res.reason:
        wrong = _bounded(lambda: rules.mistake_of_step(a, b), 0.5)
        if wrong is not None:
            text = _bounded(lambda: wrong.explain(a, b), 0.5) or f"{wrong.name} is {wrong.description}"
            return StepCheck(res.status, f"{res.reason}; the step misapplied a rule: {text}",
                             res.counterexample, res.method)
        shift = _bounded(lambda: _shift_with_wrong_limits(a, b), 0.5)
        if shift is not None:
            return StepCheck(res.status, f"{res.reason}; the step misapplied a rule: {shift}",
                             res.counterexample, res.method)
    return res


def _shift_with_wrong_limits(a, b):
    """For a sum rewritten by an index shift whose summand is right but whose limits did
    not move with it: the text naming the shift and the corrected limits, else None."""
    if not (isinstance(a, sp.Sum) and isinstance(b, sp.Sum) and len(a.limits) == 1
            and len(b.limits) == 1):
        return None
    var_b, lo_b, hi_b = b.limits[0]
    for sub in _substitutions(a, b):
        if sub.node is not a:
            continue
        moved = sub.apply(a)
        if not isinstance(moved, sp.Sum) or len(moved.limits) != 1:
            continue
        var_m, lo_m, hi_m = moved.limits[0]
        body_m = moved.function.xreplace({var_m: var_b})
        if sp.expand(body_m - b.function) != 0:
            continue
        if (lo_m, hi_m) == (lo_b, hi_b):
            return None
        rule = rules.INDEX_SHIFT if sub.phi.xreplace({sub.W: 0}) != 0 and \
            (sub.phi - sub.W).free_symbols == set() else rules.CHANGE_OF_VARIABLES
        return (f"{rule.name} {sub.var} -> {sub.phi} moves the limits to "
                f"({var_b}, {lo_m.xreplace({var_m: var_b})}, {hi_m.xreplace({var_m: var_b})}), "
                f"but the line has ({var_b}, {lo_b}, {hi_b}); the corrected line is "
                f"{sp.Sum(b.function, (var_b, lo_m, hi_m))}")
    return None


def _check_scalar(a, b, kind, seed, instances, numeric, seconds, justification=None):
    return _named_rule(_check_scalar_plain(a, b, kind, seed, instances, numeric, seconds,
                                           justification), a, b)


def _check_scalar_plain(a, b, kind, seed, instances, numeric, seconds, justification=None):
    if a == b:
        return StepCheck("proven", "the two lines are identical", method="identical")
    sym = _Symbolic(a, b, seconds, justification, kind or _detect_kind(a, b))
    result = sym.quick() or sym.finite()
    if result is not None:
        return result
    if not numeric:
        return sym.deep() or StepCheck("unverified", "not decided symbolically (numeric check disabled)")
    kind = kind or _detect_kind(a, b)
    if kind == "continuous":
        # first simple functions (a box, a ramp, a one-sided exponential): a readable
        # counterexample when one refutes the step; they never accept one
        budget = min(1.0, seconds / 4)
        simple = _bounded(lambda: simple_refutation(a, b, budget), 2 * budget)
        if simple is not None:
            return simple
        # quadrature costs more than the search over changes of variables: screen with
        # one instance, then search, then confirm on the full set of instances
        screen = _numeric_check(a, b, kind, seed, 1)
        if screen.status == "refuted":
            return screen
        return sym.deep() or _numeric_check(a, b, kind, seed, instances)
    tested = _numeric_check(a, b, kind, seed, instances)
    if tested.status == "refuted":
        return tested
    return sym.deep() or tested


def check_step(before, after, *, kind=None, seed=0, instances=None, numeric=True, time_limit=4.0,
               justification=None, assume=None):
    """Decide whether ``before == after``; returns a :class:`StepCheck`.

    Parameters
    ----------
    before, after : sympy objects
        Expressions, equations (``Eq``) or matrices of the same shape.
    kind : {'discrete', 'continuous'}, optional
        How undefined functions are instantiated for the numeric check; by default
        discrete when every argument of every undefined function is an integer.
    seed : int
        Seed of the random instances (the check is reproducible).
    instances : int, optional
        Number of random instances (default 6 discrete, 3 continuous).
    numeric : bool
        Whether to fall back to random instances when SymPy cannot decide.
    time_limit : float
        Seconds allowed for each phase of the symbolic part.
    justification : str, optional
        A stated change of variables (``"substitute k = n - m"``, ``"u = tau + 1"``,
        several separated by commas) is tried first.
    assume : str, optional
        The stated setting, e.g. ``"n >= 0, s >= 1"``: integer bounds on named symbols.
        Numeric checks only draw values inside it, so a counterexample stays there.

    Examples
    --------
    >>> from sympy import symbols
    >>> x = symbols('x')
    >>> check_step((x + 1)**2, x**2 + 2*x + 1).status
    'proven'
    >>> check_step((x + 1)**2, x**2 + 1).status
    'refuted'
    """
    domain = parse_assumptions(assume)
    token = DOMAIN.set({**(DOMAIN.get() or {}), **domain}) if domain else None
    try:
        return _check_step(before, after, kind, seed, instances, numeric, time_limit, justification)
    finally:
        if token is not None:
            DOMAIN.reset(token)


def _check_step(before, after, kind, seed, instances, numeric, time_limit, justification):
    kind = _check_kind(kind)
    _check_options(seed, instances, time_limit)
    before = _as_sympy(before, "before")
    after = _as_sympy(after, "after")
    if isinstance(before, MatrixBase) or isinstance(after, MatrixBase):
        return _check_matrix(before, after, kind, seed, instances, numeric, time_limit, justification)
    if isinstance(before, Eq) or isinstance(after, Eq):
        return _check_equations(before, after, kind, seed, instances, numeric, time_limit)
    if isinstance(before, sp.Basic) and not isinstance(before, Expr) or \
            isinstance(after, sp.Basic) and not isinstance(after, Expr):
        if before == after:
            return StepCheck("proven", "the two lines are identical", method="identical")
        return StepCheck("unverified", f"cannot compare {type(before).__name__} with "
                         f"{type(after).__name__}")
    return _check_scalar(before, after, kind, seed, instances, numeric, time_limit, justification)


_CONDITION = re.compile(r"\s*(?:([A-Za-z_]\w*)\s*(>=|<=|>|<|≥|≤)\s*(-?\d+)|(-?\d+)\s*(>=|<=|>|<|≥|≤)\s*([A-Za-z_]\w*))\s*")
_FLIP = {">=": "<=", "<=": ">=", ">": "<", "<": ">", "≥": "≤", "≤": "≥"}


def parse_assumptions(assume):
    """{name: (lowest, highest)} from ``"n >= 0, s >= 1, p >= 0"`` (integer bounds; None
    for no bound). The stated setting of a proof: numeric checks draw values inside it,
    so a counterexample never leaves it.

    >>> parse_assumptions("n >= 0, s > 0, 3 >= k")
    {'n': (0, None), 's': (1, None), 'k': (None, 3)}
    """
    if assume is None or assume == "":
        return {}
    if isinstance(assume, dict):
        return dict(assume)
    if not isinstance(assume, str):
        raise SymconvError(f"assume must be a str such as 'n >= 0, s >= 1', but got {type(assume).__name__}")
    out = {}
    for part in re.split(r",|;|\band\b", assume):
        if not part.strip():
            continue
        m = _CONDITION.fullmatch(part)
        if m is None:
            raise SymconvError("assume: each condition must compare a name with an integer, as in "
                               f"'n >= 0' or 's > 0', but got {part.strip()!r}")
        if m.group(1):
            name, op, value = m.group(1), m.group(2), int(m.group(3))
        else:
            name, op, value = m.group(6), _FLIP[m.group(5)], int(m.group(4))
        lo, hi = out.get(name, (None, None))
        if op in (">=", "≥", ">"):
            bound = value + (op == ">")
            lo = bound if lo is None else max(lo, bound)
        else:
            bound = value - (op == "<")
            hi = bound if hi is None else min(hi, bound)
        if lo is not None and hi is not None and lo > hi:
            raise SymconvError(f"assume: the conditions on {name} leave no value, but got {assume!r}")
        out[name] = (lo, hi)
    return out


def _assumed_symbols(domain, kind, symbols):
    """Symbols carrying what SymPy can use of the stated setting (sign facts)."""
    out = dict(symbols or {})
    for name, (lo, hi) in domain.items():
        if name in out:
            continue
        facts = {"integer": True} if kind == "discrete" else {"real": True}
        if lo is not None and lo >= 1:
            facts["positive"] = True
        elif lo is not None and lo >= 0:
            facts["nonnegative"] = True
        elif hi is not None and hi <= -1:
            facts["negative"] = True
        elif hi is not None and hi <= 0:
            facts["nonpositive"] = True
        out[name] = Symbol(name, **facts)
    return out


def _check_options(seed, instances, time_limit):
    from symconv._util.validate import as_int

    as_int(seed, "seed")
    if instances is not None:
        as_int(instances, "instances", minimum=1)
    if isinstance(time_limit, bool) or not isinstance(time_limit, (int, float)) or not time_limit > 0:
        raise SymconvError(f"time_limit must be a positive number of seconds, but got {time_limit!r}")


def _check_kind(kind):
    if kind is None:
        return None
    if kind == "2d":
        return "discrete"
    if kind not in _KINDS:
        raise SymconvError(f"kind must be one of 'continuous', 'discrete', '2d', but got {kind!r}")
    return kind


def _as_sympy(value, what):
    if isinstance(value, (sp.Basic, MatrixBase)):
        return value
    if isinstance(value, str):
        raise SymconvError(f"{what} must be a SymPy object (parse text with Derivation or "
                           f"check_proof), but got the string {value!r}")
    try:
        return sp.sympify(value, strict=True)
    except sp.SympifyError:
        raise SymconvError(f"{what} must be a SymPy expression, but got {value!r}") from None


def _check_matrix(a, b, kind, seed, instances, numeric, seconds, justification=None):
    if not (isinstance(a, MatrixBase) and isinstance(b, MatrixBase)):
        return StepCheck("refuted", "a matrix cannot equal a scalar", method="identical")
    if a.shape != b.shape:
        return StepCheck("refuted", f"the shapes differ: {a.shape} vs {b.shape}", method="identical")
    statuses = []
    for idx, (x, y) in enumerate(zip(a, b)):
        res = _check_scalar(sp.sympify(x), sp.sympify(y), kind, seed + idx, instances, numeric,
                            max(0.5, seconds / max(1, len(a))), justification)
        if res.status in ("refuted", "unverified"):
            row, col = divmod(idx, a.shape[1])
            return StepCheck(res.status, f"entry ({row}, {col}): {res.reason}", res.counterexample,
                             res.method)
        statuses.append(res)
    if all(s.status == "proven" for s in statuses):
        return StepCheck("proven", "every entry agrees (" + statuses[0].reason + ")"
                         if statuses else "empty matrices", method="sympy")
    return StepCheck("confirmed", "every entry agrees; some only numerically: "
                     + next(s.reason for s in statuses if s.status == "confirmed"), method="numeric")


def _check_equations(a, b, kind, seed, instances, numeric, seconds):
    if not (isinstance(a, Eq) and isinstance(b, Eq)):
        return StepCheck("refuted", "a step must relate two expressions or two equations, "
                         "not an equation and an expression", method="identical")
    da, db = a.lhs - a.rhs, b.lhs - b.rhs
    for sign in (1, -1):
        res = _symbolic_check(da, sign * db, seconds / 2)
        if res is not None:
            return StepCheck("proven", "the equations are the same up to moving terms across "
                             f"(left - right agree: {res.reason})", method=res.method)
    if a.lhs == b.lhs:
        res = _check_scalar(a.rhs, b.rhs, kind, seed, instances, numeric, seconds)
        return StepCheck(res.status, "right-hand sides: " + res.reason, res.counterexample, res.method)
    if a.rhs == b.rhs:
        res = _check_scalar(a.lhs, b.lhs, kind, seed, instances, numeric, seconds)
        return StepCheck(res.status, "left-hand sides: " + res.reason, res.counterexample, res.method)
    return StepCheck("unverified", "the equivalence of these two equations could not be decided")



def _guarded_check(before, after, **options):
    """check_step, turning any failure of the checker itself into an 'unverified' step
    (a report is always produced; nothing a user typed can crash it)."""
    try:
        return check_step(before, after, **options)
    except SymconvError as exc:
        return StepCheck("unverified", str(exc))
    except _Overdue:
        return StepCheck("unverified", "the check ran out of time")
    except RecursionError:
        return StepCheck("unverified", "the expressions are nested too deeply to check")
    except Exception as exc:  # a failure of SymPy or of the checker: say so, do not crash
        return StepCheck("unverified", f"the checker failed on this step ({type(exc).__name__}: {exc})")


def _run_custom(verify):
    try:
        result = verify()
    except SymconvError as exc:
        return StepCheck("unverified", f"the step's own check failed: {exc}", method="custom")
    if not isinstance(result, StepCheck):
        return StepCheck("unverified", "the step's own check must return a StepCheck, "
                         f"but returned {type(result).__name__}", method="custom")
    if not result.method:
        result = StepCheck(result.status, result.reason, result.counterexample, "custom")
    return result


# ---------------------------------------------------------------------------
# checking a proof typed as text
# ---------------------------------------------------------------------------

def _split_equation(formula):
    """The student's text left and right of the one top-level '=' of a line."""
    depth = 0
    for i, ch in enumerate(formula):
        depth += (ch in "([{") - (ch in ")]}")
        if ch == "=" and depth == 0 and formula[i - 1:i] not in ("<", ">", "!", "=") \
                and formula[i + 1:i + 2] != "=":
            return formula[:i].strip(), formula[i + 1:].strip()
    return formula, formula


def _split_comment(line):
    """(formula, justification or None): the first '#' not escaped by a backslash."""
    for i, ch in enumerate(line):
        if ch == "#" and (i == 0 or line[i - 1] != "\\"):
            just = line[i + 1:].strip()
            return line[:i].strip(), (just or None)
    return line.strip(), None


def check_proof(lines, kind="discrete", functions=("f", "g", "h"), symbols=None, *, seed=0,
                instances=None, time_limit=4.0, total_time_limit=None, assume=None):
    r"""Check a proof written as text, one expression a line.

    Each line is an expression (SymPy syntax such as ``sum(f(k)*g(n - k), (k, -oo, oo))``,
    or LaTeX) optionally followed by ``# justification``; a leading ``=`` is
    ignored, and a line ``A = B`` contributes both ``A`` and ``B`` to the chain.
    Lines are parsed by :func:`symconv.parsing.parse_math` (never evaluated as
    code): undeclared names are symbols (integer symbols for the discrete kind),
    names in ``functions`` are undefined functions. A line that does not parse is
    reported as "could not be parsed" (status 'unverified', at the student's own line
    and column) and the proof stops there: the lines after it are listed as not
    checked, never silently compared with an earlier line.

    Parameters
    ----------
    lines : str or sequence of str
        The proof (a string is split into lines; blank lines and lines starting
        with ``#`` are skipped).
    kind : {'discrete', 'continuous'}
    functions : tuple of str
    symbols : dict, optional
        Names mapped to ready-made SymPy symbols (to carry assumptions).
    seed, instances, time_limit
        As in :meth:`Derivation.check` (``time_limit`` bounds each step).
    assume : str, optional
        The stated setting, e.g. ``"n >= 0, s >= 1, p >= 0"`` (integer bounds): the
        symbols carry the sign facts SymPy can use, and numeric checks draw values only
        inside the bounds, so a counterexample never leaves the setting.
    total_time_limit : float, optional
        Seconds for the whole proof: each step gets at most what is left, and the
        steps after the budget is spent are reported 'unverified' without being
        checked (default: no overall limit).

    Returns
    -------
    ProofReport
        Same type as :meth:`Derivation.check`; ``report.first_failure.reason``
        explains the first step that is not proven or confirmed.

    Notes
    -----
    Symbols range over all integers (discrete) or all reals (continuous) unless
    ``symbols`` says otherwise, and a sum whose upper limit is below its lower
    limit follows SymPy's convention (``sum_{k=a}^{b} = -sum_{k=b+1}^{a-1}``). A
    statement meant for ``n >= 0`` only, such as ``sum(k, (k, 0, n)) = n(n+1)/2``
    with absolute values, should declare it:
    ``symbols={'n': Symbol('n', integer=True, nonnegative=True)}``.
    """
    if isinstance(lines, str):
        lines = lines.splitlines()
    if not hasattr(lines, "__iter__"):
        raise SymconvError(f"lines must be a str or a sequence of str, but got {type(lines).__name__}")
    lines = list(lines)
    kind_n = _check_kind(kind)
    if kind_n is None:
        raise SymconvError("kind must be one of 'continuous', 'discrete', '2d', but got None")
    _check_options(seed, instances, time_limit)
    if total_time_limit is not None:
        if isinstance(total_time_limit, bool) or not isinstance(total_time_limit, (int, float)) \
                or not total_time_limit > 0:
            raise SymconvError(f"total_time_limit must be a positive number of seconds, but got "
                               f"{total_time_limit!r}")
        deadline = time.monotonic() + total_time_limit
    if isinstance(functions, str):
        functions = tuple(f.strip() for f in functions.split(",") if f.strip())
    domain = parse_assumptions(assume)
    symbols = _assumed_symbols(domain, kind_n, symbols)
    token = DOMAIN.set(domain) if domain else None
    try:
        return _check_lines(lines, kind_n, functions, symbols, seed, instances, time_limit,
                            total_time_limit, deadline if total_time_limit is not None else None)
    finally:
        if token is not None:
            DOMAIN.reset(token)


def _rule_as_written(res, before_text, after_text, kind, functions, symbols):
    """A step whose two lines SymPy made identical (``floor(x + m)`` is ``floor(x) + m``
    once parsed): the rule it used, read from the lines as written, when one rule
    applied once to one line gives the other."""
    if not before_text or not after_text:
        return res

    def name():
        a = _parse(before_text, kind, functions, symbols, evaluate=False)
        b = _parse(after_text, kind, functions, symbols, evaluate=False)
        return rules.rule_of_step(a, b)

    rule = _bounded(name, 0.5)
    if rule is None:
        return res
    return StepCheck(res.status, f"by the rule: {rule.name} (the two lines are identical once "
                     "SymPy has normalised them)", res.counterexample, res.method)


def _check_lines(lines, kind_n, functions, symbols, seed, instances, time_limit, total_time_limit,
                 deadline):
    chain = []  # (line number, expression or raw text, justification, parse error)
    texts = {}  # chain position -> the student's own text of that expression
    for number, raw in enumerate(lines, start=1):
        if not isinstance(raw, str):
            raise SymconvError(f"every line must be a str, but line {number} is {type(raw).__name__}")
        formula, just = _split_comment(raw)
        if not formula:
            continue
        if formula.startswith("="):
            formula = formula[1:].strip()
        try:
            expr = _parse(formula, kind_n, functions, symbols)
        except SymconvError as exc:
            where = f"line {number}"
            position = getattr(exc, "position", None)
            if position is not None:
                where += f", column {raw.find(formula) + position + 1}"
            chain.append((number, formula, just, f"{where} could not be parsed: {exc}"))
            texts[len(chain) - 1] = formula
            continue
        if isinstance(expr, (list, tuple)):
            chain.append((number, formula, just, f"line {number} must hold one expression, "
                          f"but it holds {len(expr)} items"))
            texts[len(chain) - 1] = formula
            continue
        if isinstance(expr, Eq):
            left, right = _split_equation(formula)
            chain.append((number, expr.lhs, None, None))
            texts[len(chain) - 1] = left
            chain.append((number, expr.rhs, just, None))
            texts[len(chain) - 1] = right
        else:
            chain.append((number, expr, just, None))
            texts[len(chain) - 1] = formula
    parsed = [c for c in chain if c[3] is None]
    if len(chain) < 2:
        raise SymconvError(f"a proof must have at least two expressions, but got {len(chain)}")
    reports = []
    exprs = []
    previous = previous_text = None
    index = 0
    stopped = None
    for position, (number, expr, just, error) in enumerate(chain):
        text = texts.get(position)
        if stopped is not None:
            index += 1
            exprs.append(expr)
            reports.append(StepReport(index, previous, expr, just, "unverified",
                                      f"not checked: the proof stops at line {stopped}, which could "
                                      "not be parsed", None, "parse", 0.0, number, text))
            continue
        if previous is None and error is None:
            previous, previous_text = expr, text
            exprs.append(expr)
            continue
        index += 1
        t0 = time.perf_counter()
        if error is not None:
            exprs.append(expr)
            reports.append(StepReport(index, previous, expr, just, "unverified", error, None,
                                      "parse", time.perf_counter() - t0, number, text))
            stopped = number
            continue
        budget = time_limit if total_time_limit is None else min(
            time_limit, deadline - time.monotonic())
        if budget <= 0:
            res = StepCheck("unverified", f"not checked: the proof's overall time limit of "
                                          f"{total_time_limit:g} s ran out before this step")
        else:
            with no_numeric_summation():   # untrusted text (see symconv._util.sympy_safety)
                res = _guarded_check(previous, expr, kind=kind_n, seed=seed + index,
                                     instances=instances, time_limit=budget, justification=just)
        exprs.append(expr)
        if res.status == "proven" and res.reason == "the two lines are identical":
            res = _rule_as_written(res, previous_text, text, kind_n, functions, symbols)
        reports.append(StepReport(index, previous, expr, just, res.status, res.reason,
                                  res.counterexample, res.method, time.perf_counter() - t0, number, text))
        previous, previous_text = expr, text
    if not parsed:
        exprs = [c[1] for c in chain]
    return ProofReport(None, tuple(exprs), tuple(reports), texts=(texts.get(0),))
