"""Changes of variables: the candidate substitutions between two sides, those stated in a
justification ('substitute k = n - m'), and the bounded breadth-first search over them.
"""

import re
import time

import sympy as sp
from sympy import (Dummy, Expr, Sum, Symbol)
from sympy.core.function import AppliedUndef

from symconv._util.deadline import TIMED_OUT, bounded_call
from symconv.errors import SymconvError

from symconv.proofs.rules import change_of_variables
from symconv.proofs.canon import _Canon, _Overdue, _Trace, _all_symbols, _assumptions, _bound_vars, _canon_equal, _fmt_affine, _is_linear_in, _nest_nodes


class _Substitution:
    """A change of variables ``var -> phi(W)`` applied to one nest node."""

    def __init__(self, node, var, phi, W):
        self.node, self.var, self.phi, self.W = node, var, phi, W

    def rule(self):
        """This change of variables as a :class:`~symconv.proofs.rules.Rule` (its name is
        :meth:`describe`)."""
        return change_of_variables(self.node, self.var, self.phi, self.W, self.describe())

    def apply(self, expr):
        return self.rule()._apply(expr)

    def describe(self):
        how = "Sum.change_index" if isinstance(self.node, Sum) else "Integral.transform"
        return (f"change of variables {self.var.name} -> {_fmt_affine(self.phi, self.W)} "
                f"({how}, limits included)")


def _substitutions(a, b, limit=40):
    """Candidate changes of variables that may turn ``a`` into ``b``: match the
    arguments of the same undefined function on both sides and solve for the
    bound variable of ``a``."""
    free_a = a.free_symbols
    names_a = {s.name for s in _all_symbols(a)}
    b_bound = _bound_vars(b)
    apps_b = [app for app in b.atoms(AppliedUndef)]
    seen = set()
    out = []
    for node, var, outer in _nest_nodes(a):
        scope = free_a | outer
        for app_a in node.function.atoms(AppliedUndef):
            for app_b in apps_b:
                if app_b.func != app_a.func or len(app_b.args) != len(app_a.args):
                    continue
                for arg_a, arg_b in zip(app_a.args, app_b.args):
                    if var not in arg_a.free_symbols:
                        continue
                    for w in arg_b.free_symbols & b_bound:
                        name = w.name if w.name not in names_a - {var.name} else w.name + "'"
                        W = Symbol(name, **_assumptions(w, node.func))
                        tmp = Dummy("w", **_assumptions(w, node.func))
                        lin = _is_linear_in(arg_a - arg_b.xreplace({w: tmp}), var)
                        if lin is None or lin[0] == 0:
                            continue
                        phi_t = sp.expand(-lin[1] / lin[0])
                        if tmp not in phi_t.free_symbols or not phi_t.free_symbols <= scope | {tmp}:
                            continue
                        if phi_t == tmp and W == var:
                            continue
                        lin_w = _is_linear_in(phi_t, tmp)
                        if lin_w is None:
                            continue
                        phi = phi_t.xreplace({tmp: W})
                        if isinstance(node, Sum) and (lin_w[0] not in (1, -1)
                                                      or lin_w[1].is_integer is False):
                            continue
                        key = (node, var, phi)
                        if key in seen:
                            continue
                        seen.add(key)
                        out.append(_Substitution(node, var, phi, W))
                        if len(out) >= limit:
                            return out
    return out



_STATED = re.compile(r"([^\s=,;:()]+)\s*(?:=|->|→|↦)\s*([^,;]+)")


def _stated_substitutions(text, a, b, kind):
    """[(old bound variable of a, phi(W), W)] read from 'substitute k = n - m' and the like.

    Either side may name the old variable: ``k = n - m`` (old in terms of new) or
    ``m = n - k`` (new in terms of old, solved for the old one). Text that does not
    parse is ignored (a justification is free text)."""
    from symconv.parsing import parse_math

    bound_a = {v.name: v for v in _bound_vars(a)}
    bound_b = {v.name: v for v in _bound_vars(b)}
    known = {s.name: s for s in (a.atoms(Symbol) | b.atoms(Symbol))}
    out = []
    for m in _STATED.finditer(text):
        left, right = m.group(1), m.group(2).strip()
        right = re.split(r"\s+(?:in|and|so|then|since|because|where|for)\b", right)[0]
        try:
            lhs = parse_math(left, discrete=(kind == "discrete"), symbols=known)
            rhs = parse_math(right, discrete=(kind == "discrete"), symbols=known)
        except SymconvError:
            continue
        if not isinstance(lhs, Symbol) or not isinstance(rhs, Expr):
            continue
        if lhs.name in bound_a and not (rhs.free_symbols & {bound_a[lhs.name]}):
            var = bound_a[lhs.name]
            news = [s for s in rhs.free_symbols if s.name in bound_b or s.name not in known]
            if len(news) > 1:
                # an outer bound variable (tau in t = u + tau) is a constant here: the new
                # variable is the one bound only on the right
                news = [s for s in news if s.name not in bound_a]
            if len(news) != 1:
                continue
            W = news[0]
            if W.name in bound_b:
                W = bound_b[W.name]
            phi = rhs.xreplace({news[0]: W})
        elif lhs.name not in bound_a or lhs.name in bound_b:
            olds = [s for s in rhs.free_symbols if s.name in bound_a]
            if len(olds) != 1:
                continue
            var = bound_a[olds[0].name]
            W = bound_b.get(lhs.name, lhs)
            lin = _is_linear_in(rhs.xreplace({olds[0]: var}) - W, var)
            if lin is None or lin[0] == 0:
                continue
            phi = sp.expand(-lin[1] / lin[0])
        else:
            continue
        lin_w = _is_linear_in(phi, W)
        if lin_w is None:
            continue
        if a.has(Sum) and var.is_integer and lin_w[0] not in (1, -1):
            continue
        out.append((var, phi, W))
    return out



def _search_substitutions(a, cb, b, ca, deadline, depth=2):
    """Breadth-first search over changes of variables turning a into b (or b into a)."""
    out_of_time, failed = object(), object()
    tried = 0

    def attempt(compute):
        """``compute()`` within what is left of the deadline (at most 121 attempts in
        all): its value, ``failed`` when SymPy raised, ``out_of_time`` otherwise (an
        enclosing limit that runs out meanwhile is not ours: it propagates)."""
        nonlocal tried
        if time.monotonic() > deadline or tried > 120:
            return out_of_time
        tried += 1
        try:
            value = bounded_call(compute, max(0.05, deadline - time.monotonic()), TIMED_OUT)
            return out_of_time if value is TIMED_OUT else value
        except _Overdue:
            return out_of_time
        except Exception:
            return failed

    def canon_of(e):
        return _Canon(_Trace(), deadline)(e)

    def moved_left(sub, expr):
        moved = sub.apply(expr)
        return moved, _canon_equal(canon_of(moved), cb, 1.0)

    frontier = [(a, [])]
    for level in range(depth):
        new_frontier = []
        for expr, path in frontier:
            for sub in _substitutions(expr, b):
                got = attempt(lambda: moved_left(sub, expr))  # noqa: B023 - called before the loop moves on
                if got is out_of_time:
                    return None
                if got is failed:
                    continue
                moved, same = got
                steps = path + [sub.describe()]
                if same:
                    return "; then ".join(steps)
                new_frontier.append((moved, steps))
        if level == 0:
            # the other direction: a change of variables in the right-hand side
            for sub in _substitutions(b, a):
                same = attempt(lambda: _canon_equal(ca, canon_of(sub.apply(b)), 1.0))  # noqa: B023 - called before the loop moves on
                if same is out_of_time:
                    return None
                if same is not failed and same:
                    return sub.describe() + " in the right-hand side"
        frontier = new_frontier[:30]
    return None
