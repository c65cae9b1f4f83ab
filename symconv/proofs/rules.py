r"""The named rules of the proof checker, as objects.

Each rule states itself (a name the report prints, a LaTeX form, a description) and can
be applied mechanically: ``rule.apply(expr)`` rewrites the first place in ``expr`` where
the rule applies and returns the new expression, or None when it does not apply. The
canonical forms (:mod:`~symconv.proofs.canon`) record the rules they used as these
objects, so a proven step names them; the checker also uses them to name the one rule
a student's step used (:func:`rule_of_step`), and a few *mistaken* rules
(:data:`MISTAKES`, e.g. a floor distributed over a sum) to say which rule a refuted
step misapplied (:func:`mistake_of_step`).

This follows SymPy's ``manualintegrate``, where every integration rule is a small object
that states itself and evaluates; here a rule is data, not a string in a trace.

Examples
--------
>>> from sympy import symbols, floor, Function, Sum
>>> x = symbols('x')
>>> m, k, n = symbols('m k n', integer=True)
>>> FLOOR_INTEGER.apply(floor(x + m, evaluate=False))
m + floor(x)
>>> print(FLOOR_INTEGER)
an integer moves inside the floor
>>> f = Function('f')
>>> CONSTANT_OUT.apply(Sum(3*f(k), (k, 0, n)))
3*Sum(f(k), (k, 0, n))
>>> RULES['fubini'].name
'swapping the order of summation/integration (Fubini)'
"""

import sympy as sp
from sympy import Add, Derivative, Integral, Mul, S, Sum, oo


class Rule:
    """A named rule: ``name`` (what the report prints), ``latex`` (the rule as a formula),
    ``description`` (when it applies) and :meth:`apply`.

    Parameters
    ----------
    key : str
        The rule's short identifier in :data:`RULES`.
    name : str
    latex : str
    description : str
    apply : callable
        ``apply(expr) -> expr or None``: the rule applied at the first place it fits.
    """

    def __init__(self, key, name, latex, description, apply):
        self.key, self.name, self.latex, self.description = key, name, latex, description
        self._apply = apply

    def apply(self, expr):
        """``expr`` with the rule applied once, at the first place it fits; None when the
        rule does not apply (or changes nothing)."""
        if not isinstance(expr, sp.Basic):
            return None
        try:
            out = self._apply(expr)
        except (TypeError, ValueError, AttributeError, NotImplementedError, sp.PolynomialError):
            return None
        return None if out is None or out == expr else out

    def matches(self, before, after):
        """True when the rule applied once to ``before`` gives ``after`` up to expansion."""
        got = self.apply(before)
        return got is not None and _same(got, after)

    def explain(self, before, after):
        """What a report says of a step that misapplied this rule: its name and why."""
        return f"{self.name} is {self.description}"

    def __str__(self):
        return self.name

    def __repr__(self):
        return f"<Rule {self.key}: {self.name}>"


class NamedRule(Rule):
    """A rule applied with parameters that are part of its name, such as a change of
    variables ``k -> n - m``: ``str()`` gives the full name, ``rule`` the generic rule."""

    def __init__(self, rule, name, apply):
        super().__init__(rule.key, name, rule.latex, rule.description, apply)
        self.rule = rule

    def __eq__(self, other):
        return isinstance(other, NamedRule) and (self.key, self.name) == (other.key, other.name)

    def __hash__(self):
        return hash((self.key, self.name))


# ---------------------------------------------------------------------------
# helpers: the first node where a rewrite fits
# ---------------------------------------------------------------------------

def _first(expr, rewrite):
    """Apply ``rewrite(node) -> new or None`` at the first node (pre-order) where it
    returns something; the whole expression with that node replaced, or None."""
    for node in sp.preorder_traversal(expr):
        new = rewrite(node)
        if new is not None and new != node:
            return expr.xreplace({node: new})
    return None


def _nests():
    from symconv.proofs.canon import _NESTS
    return _NESTS


def _single(node):
    """(cls, function, var, lo, hi) of a single-limit Sum/Integral, else None."""
    if isinstance(node, _nests()) and len(node.limits) == 1 and len(node.limits[0]) == 3:
        var, lo, hi = node.limits[0]
        return node.func, node.function, var, lo, hi
    return None


# ---------------------------------------------------------------------------
# the rules of the canonical forms
# ---------------------------------------------------------------------------

def _definition(cls_name):
    def apply(expr):
        from symconv.proofs.notation import _Pairing
        return _first(expr, lambda e: e.definition() if isinstance(e, _Pairing)
                      and type(e).__name__ == cls_name else None)
    return apply


def _linearity(expr):
    from symconv.proofs.canon import _distribute
    return _distribute(expr)


def _constant_out(expr):
    def rewrite(node):
        one = _single(node)
        if one is None:
            return None
        cls, body, var, lo, hi = one
        inside = [f for f in Mul.make_args(body) if var in f.free_symbols]
        outside = [f for f in Mul.make_args(body) if var not in f.free_symbols]
        if not outside or all(f == 1 for f in outside):
            return None
        return Mul(*outside) * cls(Mul(*inside), (var, lo, hi))
    return _first(expr, rewrite)


def _split_sum(expr):
    def rewrite(node):
        one = _single(node)
        if one is None or not isinstance(one[1], Add):
            return None
        cls, body, var, lo, hi = one
        return Add(*[cls(t, (var, lo, hi)) for t in body.args])
    return _first(expr, rewrite)


def _fubini(expr):
    def rewrite(node):
        if isinstance(node, _nests()) and len(node.limits) >= 2 and \
                all(len(lim) == 3 for lim in node.limits[:2]):
            (v1, l1, h1), (v2, l2, h2) = node.limits[:2]
            if v1 in (l2.free_symbols | h2.free_symbols) or v2 in (l1.free_symbols | h1.free_symbols):
                return None
            return node.func(node.function, node.limits[1], node.limits[0], *node.limits[2:])
        one = _single(node)
        if one is None:
            return None
        inner = _single(one[1])
        if inner is None:
            return None
        cls, _, var, lo, hi = one
        icls, body, ivar, ilo, ihi = inner
        if var in (ilo.free_symbols | ihi.free_symbols) or ivar in (lo.free_symbols | hi.free_symbols):
            return None  # a triangle: the limits must be rewritten, not only swapped
        return icls(cls(body, (var, lo, hi)), (ivar, ilo, ihi))
    return _first(expr, rewrite)


def _sifting(cls_wanted):
    def apply(expr):
        from symconv.proofs.canon import _sift

        def rewrite(node):
            one = _single(node)
            if one is None or one[0] is not cls_wanted:
                return None
            cls, body, var, lo, hi = one
            res = _sift(cls, var, lo, hi, body)
            if res is None:
                return None
            core, coeff, cond = res
            return core * coeff * (S.One if cond in (S.true, True) else cond)
        return _first(expr, rewrite)
    return apply


def _step_restricts(expr):
    from symconv.proofs.canon import _restrict

    def rewrite(node):
        one = _single(node)
        if one is None:
            return None
        cls, body, var, lo, hi = one
        res = _restrict(cls, var, lo, hi, body)
        if res is None:
            return None
        (lo2, hi2), core, factor = res
        return factor * cls(core, (var, lo2, hi2))
    return _first(expr, rewrite)


def _reverse_limits(expr):
    def rewrite(node):
        one = _single(node)
        if one is None or one[0] is not Integral:
            return None
        _, body, var, lo, hi = one
        if lo == oo or hi == -oo or (not (lo.is_infinite or hi.is_infinite)
                                     and (hi - lo).could_extract_minus_sign()):
            return -Integral(body, (var, hi, lo))
        return None
    return _first(expr, rewrite)


def _constant_summand(expr):
    def rewrite(node):
        one = _single(node)
        if one is None:
            return None
        cls, body, var, lo, hi = one
        if var in body.free_symbols or not (lo.is_finite and hi.is_finite):
            return None
        return body * ((hi - lo + 1) if cls is Sum else (hi - lo))
    return _first(expr, rewrite)


def _differentiate_under(expr):
    def rewrite(node):
        if isinstance(node, Derivative) and node.expr.has(*_nests()) \
                and all(v.is_Symbol for v, _ in node.variable_count):
            return node.doit(deep=False)
        return None
    return _first(expr, rewrite)


def _mod_as_floor(expr):
    if not expr.has(sp.Mod):
        return None
    return expr.rewrite(sp.floor)


def _floor_integer(expr):
    """floor(x + m) = floor(x) + m (and ceiling) for an integer m: the integer terms of
    the argument (after expansion) move out."""
    def rewrite(node):
        if not isinstance(node, (sp.floor, sp.ceiling)):
            return None
        arg = sp.expand(node.args[0])
        ints = [t for t in Add.make_args(arg) if t.is_integer]
        rest = [t for t in Add.make_args(arg) if not t.is_integer]
        if not rest and len(ints) > 1:   # floor(x + m) with x an integer too, as written
            rest, ints = ints[:1], ints[1:]
        if not ints or not rest:
            return None
        return node.func(Add(*rest), evaluate=False) + Add(*ints)
    return _first(expr, rewrite)


def _index_shift(expr):
    """The first sum's index shifted by one: sum_{k=a}^{b} x(k) = sum_{k=a+1}^{b+1} x(k - 1)
    (the generic form; a checked step states its own shift, see :func:`index_shift`)."""
    def rewrite(node):
        one = _single(node)
        if one is None or one[0] is not Sum:
            return None
        _, body, var, lo, hi = one
        return Sum(body.xreplace({var: var - 1}), (var, lo + 1, hi + 1))
    return _first(expr, rewrite)


def _rule(key, name, latex, description, apply):
    return Rule(key, name, latex, description, apply)


DEFINITION_CONV = _rule(
    "definition_conv", "definition of convolution",
    r"(f * g)(t) = \int_{-\infty}^{\infty} f(\tau)\, g(t - \tau)\, d\tau",
    "the convolution notation replaced by its defining sum or integral",
    _definition("Convolution"))
DEFINITION_CORR = _rule(
    "definition_corr", "definition of correlation",
    r"(f \star g)(t) = \int_{-\infty}^{\infty} f(t + \tau)\, g(\tau)\, d\tau",
    "the correlation notation replaced by its defining sum or integral",
    _definition("Correlation"))
LINEARITY = _rule(
    "linearity", "linearity",
    r"\sum_k (a\, x_k + b\, y_k) = a \sum_k x_k + b \sum_k y_k",
    "constants (free of the bound variable) and sums move through a Sum/Integral "
    "(absolutely convergent)", _linearity)
CONSTANT_OUT = _rule(
    "constant_out", "a constant moves out of the sum",
    r"\sum_k c\, x_k = c \sum_k x_k",
    "a factor free of the bound variable moves out of a Sum/Integral", _constant_out)
SPLIT_SUM = _rule(
    "split_sum", "a sum of terms splits into sums",
    r"\sum_k (x_k + y_k) = \sum_k x_k + \sum_k y_k",
    "a Sum/Integral of a sum is the sum of the Sums/Integrals (absolutely convergent)",
    _split_sum)
FUBINI = _rule(
    "fubini", "swapping the order of summation/integration (Fubini)",
    r"\sum_j \sum_k x_{jk} = \sum_k \sum_j x_{jk}",
    "independent summations/integrations commute (absolutely convergent); a region whose "
    "limits depend on each other is rewritten with unit steps first", _fubini)
SIFTING_KRONECKER = _rule(
    "sifting_kronecker", "sifting property of KroneckerDelta",
    r"\sum_k x_k\, \delta[k - m] = x_m",
    "a sum against a Kronecker delta picks one term", _sifting(Sum))
SIFTING_DIRAC = _rule(
    "sifting_dirac", "sifting property of DiracDelta",
    r"\int_{c}^{d} x(\tau)\, \delta(a\tau + b)\, d\tau = \frac{x(p)}{|a|}\,"
    r"\bigl(u(p - c) - u(p - d)\bigr), \quad p = -b/a",
    "an integral against a Dirac delta picks one value: all of it over the line, over "
    "[c, d] only when the point is inside (half of it at an endpoint, as u(0) = 1/2)",
    _sifting(Integral))
STEP_RESTRICTS = _rule(
    "step_restricts", "unit step restricts the range",
    r"\sum_{k=-\infty}^{\infty} x_k\, u[k - c] = \sum_{k=c}^{\infty} x_k",
    "a unit step in the bound variable turns an infinite side of the range into its edge",
    _step_restricts)
REVERSE_LIMITS = _rule(
    "reverse_limits", "reversing the limits of integration",
    r"\int_a^b x\, d\tau = -\int_b^a x\, d\tau",
    "an integral written from the larger limit to the smaller one changes sign",
    _reverse_limits)
CONSTANT_SUMMAND = _rule(
    "constant_summand", "sum/integral of a constant",
    r"\sum_{k=a}^{b} c = (b - a + 1)\, c",
    "a summand free of the bound variable is multiplied by the length of the range",
    _constant_summand)
DIFFERENTIATION_UNDER = _rule(
    "differentiation_under", "differentiation under the integral/summation sign",
    r"\frac{d}{dt} \int_{a(t)}^{b(t)} x(t, \tau)\, d\tau = \dots",
    "Leibniz's rule, boundary terms included (SymPy's Derivative.doit)",
    _differentiate_under)
MOD_AS_FLOOR = _rule(
    "mod_as_floor", "Mod(a, N) = a - N floor(a/N), exp(2 pi i integer) = 1",
    r"a \bmod N = a - N \lfloor a/N \rfloor",
    "periodic indices written with the floor, so that exp(2 pi i integer) = 1 is seen",
    _mod_as_floor)
FLOOR_INTEGER = _rule(
    "floor_integer", "an integer moves inside the floor",
    r"\lfloor x + m \rfloor = \lfloor x \rfloor + m \quad (m \in \mathbb{Z})",
    "an integer term of the argument of a floor (or ceiling) moves out of it, and only an "
    "integer one", _floor_integer)
INDEX_SHIFT = _rule(
    "index_shift", "index shift",
    r"\sum_{k=a}^{b} x_k = \sum_{j=a+c}^{b+c} x_{j-c}",
    "a sum's index shifted by a constant, both limits moved by the same constant",
    _index_shift)
CHANGE_OF_VARIABLES = _rule(
    "change_of_variables", "change of variables",
    r"\int x(\tau)\, d\tau = \int x(\varphi(u))\, |\varphi'(u)|\, du",
    "an affine change of the bound variable, limits included (Sum.change_index, "
    "Integral.transform)", lambda expr: None)

#: every rule, by key
RULES = {r.key: r for r in (
    DEFINITION_CONV, DEFINITION_CORR, LINEARITY, CONSTANT_OUT, SPLIT_SUM, FUBINI,
    SIFTING_KRONECKER, SIFTING_DIRAC, STEP_RESTRICTS, REVERSE_LIMITS, CONSTANT_SUMMAND,
    DIFFERENTIATION_UNDER, MOD_AS_FLOOR, FLOOR_INTEGER, INDEX_SHIFT, CHANGE_OF_VARIABLES)}


def change_of_variables(node, var, phi, W, text):
    """The change of variables ``var -> phi(W)`` in the Sum/Integral ``node``, as a rule
    named by ``text`` (``"change of variables k -> n - m (Sum.change_index, ...)"``)."""
    from symconv.proofs.canon import _is_linear_in

    def apply(expr):
        if isinstance(node, Sum):
            s, c = _is_linear_in(phi, W)
            new = node.change_index(var, s * (var - c), W)
        else:
            new = node.transform(var, (phi, W))
        return expr.xreplace({node: new})
    return NamedRule(CHANGE_OF_VARIABLES, text, apply)


# ---------------------------------------------------------------------------
# mistaken rules: what a refuted step may have applied
# ---------------------------------------------------------------------------

def _floor_over_sum(expr):
    """floor(a + b) -> floor(a) + floor(b) for every term: wrong unless all terms but
    one are integers."""
    def rewrite(node):
        if not isinstance(node, (sp.floor, sp.ceiling)):
            return None
        terms = Add.make_args(sp.expand(node.args[0]))
        if len(terms) < 2 or sum(1 for t in terms if not t.is_integer) < 2:
            return None
        return Add(*[node.func(t) for t in terms])
    return _first(expr, rewrite)


class _FloorOverSum(Rule):
    """Also recognises the terms regrouped: floor((a + b + c)/s) written as
    floor(a/s) + floor((b + c)/s), an integer part already taken out."""

    def matches(self, before, after):
        if super().matches(before, after):
            return True
        for fn in (sp.floor, sp.ceiling):
            mine = set(before.atoms(fn))
            theirs = [t for t in after.atoms(fn) if t not in mine]
            if len(theirs) < 2:
                continue
            # the floors of the other side must all stand as whole terms of it
            if not all(t in Add.make_args(after) for t in theirs):
                continue
            total = sp.expand(Add(*[t.args[0] for t in theirs]))
            for atom in mine:
                diff = sp.expand(atom.args[0] - total)
                if diff == 0 or diff.is_integer:
                    return True
        return False


FLOOR_OVER_SUM = _FloorOverSum(
    "floor_over_sum", "the floor distributed over a sum",
    r"\lfloor a + b \rfloor \ne \lfloor a \rfloor + \lfloor b \rfloor",
    "wrong in general: floor(a + b) = floor(a) + floor(b) only when a or b is an integer "
    "(the rule is: an integer moves inside the floor)", _floor_over_sum)

# -- mistakes about convolution and correlation --------------------------------

def _rewrites(expr, rewrite):
    """(node, new) for every node of ``expr`` (pre-order) where ``rewrite`` applies: a
    mistake may sit anywhere, not only at the first place that fits."""
    seen = set()
    for node in sp.preorder_traversal(expr):
        if node in seen:
            continue
        seen.add(node)
        new = rewrite(node)
        if new is not None and new != node:
            yield node, new


def _oriented(expr):
    """Integrals written from the larger limit to the smaller one, turned round (with a
    minus sign) where the order is clear: int_oo^-oo x = -int_-oo^oo x."""
    def turn(node):
        one = _single(node)
        if one is None or one[0] is not Integral:
            return node
        _, body, var, lo, hi = one
        if lo == oo or hi == -oo or (lo.is_finite and hi.is_finite and (hi - lo).is_negative):
            return -Integral(body, (var, hi, lo))
        return node
    return expr.replace(lambda e: isinstance(e, Integral), turn)


def _normal(expr):
    """``expr`` in the form mistakes are compared in: convolution notation expanded,
    derivatives of a function of an expression written with the chain rule
    (d/dt g(t - tau) = g'(t - tau)), integrals oriented, bound variables renamed in
    order of appearance (so tau and u compare equal)."""
    from symconv.proofs.notation import _expand_notation

    expr = _expand_notation(expr)
    expr = expr.replace(
        lambda e: isinstance(e, Derivative) and isinstance(e.expr, sp.core.function.AppliedUndef)
        and not all(a.is_Symbol for a in e.expr.args), lambda e: e.doit(deep=False))
    expr = _oriented(expr)
    names = {}
    for node in sp.preorder_traversal(expr):
        if isinstance(node, _nests()):
            for lim in node.limits:
                var = lim[0]
                if var not in names:
                    names[var] = sp.Symbol(f"_bound{len(names)}", **var.assumptions0)
    return expr.xreplace(names)


class _Mistake(Rule):
    """A mistaken rule. It matches a step when the rewrite, applied at *some* place of
    the left side, gives the right side up to notation, names of bound variables, the
    form of derivatives and the orientation of integrals (:func:`_normal`)."""

    def __init__(self, key, name, latex, description, rewrite):
        super().__init__(key, name, latex, description, lambda e: _first(e, rewrite))
        self.rewrite = rewrite

    def place(self, before, after):
        """(node, new): where the rewrite turns ``before`` into ``after``, or None; in
        the lines as written when possible, else in their normal form."""
        target = _normal(after)
        for source in (before, _normal(before)):
            for node, new in _rewrites(source, self.rewrite):
                if _same(_normal(source.xreplace({node: new})), target):
                    return node, new
        return None

    def matches(self, before, after):
        return self.place(before, after) is not None


class _EvenAssumed(_Mistake):
    """Names the reflected function application in its report."""

    def explain(self, before, after):
        found = self.place(before, after)
        if found is None:
            return super().explain(before, after)
        node, new = found
        return f"{self.name}: {new} in place of {node} is {self.description}"


def _undefined_factors(body, var):
    """The factors of ``body`` that are undefined functions of ``var``."""
    from sympy.core.function import AppliedUndef

    return [f for f in Mul.make_args(body) if isinstance(f, AppliedUndef) and var in f.free_symbols]


def _derivative_of_factors(node):
    """d/dt sum_tau f(tau) g(t - tau) -> sum_tau f'(tau) g'(t - tau): every function
    factor differentiated (by t where it depends on t, else by the bound variable)."""
    if not isinstance(node, Derivative) or len(node.variable_count) != 1 \
            or node.variable_count[0][1] != 1:
        return None
    t = node.variable_count[0][0]
    one = _single(node.expr)
    if one is None:
        return None
    cls, body, var, lo, hi = one
    factors = _undefined_factors(body, var)
    if len(factors) < 2 or not any(t in f.free_symbols for f in factors):
        return None
    new = Mul(*[(Derivative(f, t) if t in f.free_symbols else Derivative(f, var))
                if f in factors else f for f in Mul.make_args(body)])
    return cls(new, (var, lo, hi))


def _correlation_commuted(node):
    """sum_m f(n + m) g(m) -> sum_m g(n + m) f(m): the two functions of a correlation
    exchanged, their arguments kept (true for a convolution, not for a correlation)."""
    one = _single(node)
    if one is None:
        return None
    cls, body, var, lo, hi = one
    factors = _undefined_factors(body, var)
    if len(factors) != 2 or factors[0].func == factors[1].func \
            or any(len(f.args) != 1 for f in factors):
        return None
    from symconv.proofs.canon import _is_linear_in

    slopes = [_is_linear_in(f.args[0], var) for f in factors]
    if any(s is None for s in slopes) or slopes[0][0] != slopes[1][0] \
            or slopes[0][0] not in (1, -1) or sp.expand(factors[0].args[0] - factors[1].args[0]) == 0:
        return None   # f(tau) g(t - tau), a convolution, may exchange its functions
    p, q = factors
    return cls(body.xreplace({p: q.func(p.args[0]), q: p.func(q.args[0])}), (var, lo, hi))


def _even_assumed(node):
    """f(x) -> f(-x) for one function application: true only for an even f."""
    from sympy.core.function import AppliedUndef

    if not isinstance(node, AppliedUndef) or len(node.args) != 1 or node.args[0] == 0:
        return None
    return node.func(-node.args[0])


DERIVATIVE_OF_FACTORS = _Mistake(
    "derivative_of_factors", "the derivative applied to both factors of a convolution",
    r"(f * g)' \ne f' * g'",
    "wrong: the derivative of a convolution falls on one factor only, (f * g)' = f' * g = "
    "f * g' (it is a product rule only for pointwise products)", _derivative_of_factors)
CORRELATION_COMMUTED = _Mistake(
    "correlation_commuted", "cross-correlation treated as commutative",
    r"f \star g \ne g \star f",
    "wrong: exchanging the functions of a correlation reflects it, "
    "corr(g, f)(t) = corr(f, g)(-t); only convolution commutes", _correlation_commuted)
EVEN_ASSUMED = _EvenAssumed(
    "even_assumed", "f(-x) replaced by f(x)",
    r"f(-x) = f(x) \text{ only for an even } f",
    "true only for an even function, and nothing says it is even (a reflection of the "
    "argument changes the function)", _even_assumed)


class _LimitsNotTransformed(Rule):
    """A change of variables tau = c - u (or tau = u + c) whose body was rewritten but
    whose limits were copied unchanged, or whose limits were mapped while d tau = -du
    was written as +du."""

    def matches(self, before, after):
        return self._correction(before, after) is not None

    def explain(self, before, after):
        found = self._correction(before, after)
        if found is None:
            return super().explain(before, after)
        return f"{self.name}: {found}"

    def _correction(self, before, after):
        """The text that names the substitution, its limits, what the line did and the
        corrected line; None when the step is not this mistake."""
        target = _normal(after)
        for node, var, W, phi, s, c in _unit_substitutions(before, after):
            _, body, _, lo, hi = _single(node)
            new_lo, new_hi = sp.expand((lo - c) / s), sp.expand((hi - c) / s)
            moved = body.xreplace({var: phi})
            ends = (new_lo, new_hi) if s == 1 else (new_hi, new_lo)
            correct = _oriented(Integral(moved, (W, *ends)))
            wrong = {"but the line kept the old limits": Integral(moved, (W, lo, hi))}
            if s == -1:
                wrong[f"but the line wrote d{var} = d{W}"] = Integral(moved, (W, new_lo, new_hi))
            right = _normal(before.xreplace({node: correct}))
            for what, variant in wrong.items():
                line = _normal(before.xreplace({node: variant}))
                if _same(line, target) and not _same(line, right):
                    turn = f", and d{var} = -d{W} turns them round" if s == -1 else ""
                    return (f"{var} = {phi} takes {var} from {lo} to {hi} into {W} from "
                            f"{new_lo} to {new_hi}{turn}, {what}; the corrected line is "
                            f"{before.xreplace({node: correct})}")
        return None


def _unit_substitutions(before, after):
    """(node, var, W, phi, s, c): an integral of ``before`` over ``var`` and a variable
    ``W`` bound in ``after`` such that ``var = phi = s W + c`` (s = +-1) turns an argument
    of a function in the one into the argument of the same function in the other (the
    substitutions of :mod:`~symconv.proofs.search`, narrowed to shifts and reflections)."""
    from sympy.core.function import AppliedUndef

    from symconv.proofs.canon import _is_linear_in

    bound = {lim[0] for node in sp.preorder_traversal(after) if isinstance(node, _nests())
             for lim in node.limits}
    seen = set()
    for node in sp.preorder_traversal(before):
        one = _single(node)
        if one is None or one[0] is not Integral:
            continue
        _, body, var, _, _ = one
        for app_a in body.atoms(AppliedUndef):
            for app_b in after.atoms(AppliedUndef):
                if app_b.func != app_a.func or len(app_b.args) != len(app_a.args):
                    continue
                for arg_a, arg_b in zip(app_a.args, app_b.args):
                    for W in arg_b.free_symbols & bound:
                        lin = _is_linear_in(arg_a - arg_b, var)
                        if var not in arg_a.free_symbols or lin is None or lin[0] == 0:
                            continue
                        phi = sp.expand(-lin[1] / lin[0])
                        sc = _is_linear_in(phi, W)
                        if sc is None or sc[0] not in (1, -1) or (node, var, phi) in seen:
                            continue
                        seen.add((node, var, phi))
                        yield node, var, W, phi, sc[0], sc[1]


LIMITS_NOT_TRANSFORMED = _LimitsNotTransformed(
    "limits_not_transformed", "a change of variables whose limits were not transformed",
    r"\int_a^b x(\tau)\, d\tau = \int_{c-b}^{c-a} x(c - u)\, du",
    "wrong: the limits move with the variable (tau = c - u maps a, b to c - a, c - b, and "
    "d tau = -du turns them round; tau = u + c maps them to a - c, b - c)", lambda expr: None)

#: rules a wrong step often applies
MISTAKES = {r.key: r for r in (FLOOR_OVER_SUM, DERIVATIVE_OF_FACTORS, CORRELATION_COMMUTED,
                               LIMITS_NOT_TRANSFORMED, EVEN_ASSUMED)}

#: the rules tried, in order, to name the one rule a student's step used
STUDENT_RULES = (FLOOR_INTEGER, CONSTANT_OUT, SPLIT_SUM, INDEX_SHIFT, FUBINI, REVERSE_LIMITS,
                 SIFTING_KRONECKER, SIFTING_DIRAC, STEP_RESTRICTS, CONSTANT_SUMMAND)


def _same(x, y):
    if x == y:
        return True
    try:
        return sp.expand(x - y) == 0
    except Exception:
        return False


def rule_of_step(before, after, rules=STUDENT_RULES):
    """The rule of ``rules`` that, applied once to ``before`` (or to ``after``), gives the
    other side up to expansion; None when none does.

    >>> from sympy import symbols, floor
    >>> x = symbols('x'); m = symbols('m', integer=True)
    >>> rule_of_step(floor(x + m, evaluate=False), floor(x) + m).name
    'an integer moves inside the floor'
    """
    for rule in rules:
        for a, b in ((before, after), (after, before)):
            if rule.matches(a, b):
                return rule
    return None


def mistake_of_step(before, after, mistakes=None):
    """The mistaken rule that turns ``before`` into ``after`` (or back), or None.

    >>> from sympy import symbols, floor
    >>> a, b = symbols('a b')
    >>> mistake_of_step(floor(a + b), floor(a) + floor(b)).key
    'floor_over_sum'
    """
    return rule_of_step(before, after, tuple(MISTAKES.values()) if mistakes is None else mistakes)
