"""Fairness campaign: does the grader accept every right answer and refuse every wrong one?

    python benchmarks/bench_fairness.py [--sample N] [--seed S] [--json report.json]

For every auto-gradable part of the exercise catalogue (``symconv.exercises``; proofs
and text parts aside) this generates, from the key's reference answer:

* **equivalent rewrites** -- the answer expanded, factored, with reordered terms, in
  LaTeX (``sympy.latex``), in Unicode (superscripts, ``·``, ``−``), with the other
  step notations (``u``, ``H``, ``θ``, ``u[n]``), as a piecewise function (plain,
  ``Piecewise(...)`` and ``\\begin{cases}``), an integer written as a sum; lists and
  matrices in their other notations;
* **mutants** -- the opposite sign, an off-by-one (``± 1``), a shift of a variable, a
  scale factor (of the value and of a variable), two parameters swapped, a dropped step
  or ``floor``/``ceil``, ``floor`` for ``ceil``, each numeric constant changed, and for
  lists and matrices an entry changed, two entries swapped, the list reversed, the
  matrix transposed; each mutant in plain text and in LaTeX.

Every generated answer is then classified by an **oracle independent of the grader**:
both the intended object and the reference are evaluated with NumPy (``lambdify``) at
400 seeded points of the domain -- for a signal variable (one in a step, delta,
piecewise condition, min/max or absolute value) three window widths beyond the
sampling window on each side the domain leaves open, since a signal lives on the whole
line -- and a mutant that agrees everywhere is reclassified as an equivalent rewrite
(``k1 + k2 - 1`` with ``k1``, ``k2`` swapped is still right). Then the grader grades the
text, and the campaign reports:

* the **false-accept rate**: mutants that differ on the domain but were graded
  ``correct`` (target 0);
* the **false-reject rate**: equivalent rewrites graded ``incorrect``, ``invalid`` or
  ``timeout`` (target 0); a rewrite graded ``partial`` only because the key requires a
  written form (``expanded``, ``lowest terms``) is counted apart, as it should be;
* every exception, with the part, the answer, the grade and its feedback.

The oracle only sees generated objects (trusted), never student text, so lambdify's
code generation is harmless here. ``--sample`` grades a seeded random subset (the test
suite runs one); without it every generated answer is graded.
"""

import argparse
import itertools
import json
import math
import platform
import random
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import sympy as sp  # noqa: E402

from symconv.grading import grade  # noqa: E402
from symconv.grading.regions import switch_arguments  # noqa: E402

SKIP_TYPES = ("proof", "text")


@dataclass
class Case:
    part: str
    text: str
    intent: object
    op: str
    kind: str                      # 'rewrite' or 'mutant' (before the oracle)
    truth: str = ""                # 'equivalent' or 'differs' (the oracle's verdict)
    status: str = ""
    score: float = 0.0
    feedback: str = ""
    seconds: float = 0.0
    error: str = ""


@dataclass
class Part:
    id: str
    key: object
    reference: object
    text: str
    cases: list = field(default_factory=list)


# --------------------------------------------------------------------------- catalogue

def catalogue_parts():
    import symconv.exercises as ex

    parts = []
    for exercise in ex.all_exercises():
        solution = exercise.solve()
        for part in solution.parts:
            if part.key is None:
                continue
            key = part.answer_key()
            if key.type in SKIP_TYPES:
                continue
            reference = key.reference
            if key.type == "sequence" and isinstance(reference, sp.MatrixBase):
                reference = list(reference)
            parts.append(Part(part.id, key, reference, part.text))
    return parts


# --------------------------------------------------------------------------- rendering

def plain(obj):
    if isinstance(obj, (list, tuple)):
        return "[" + ", ".join(plain(x) for x in obj) + "]"
    if isinstance(obj, sp.MatrixBase):
        return "[" + ", ".join("[" + ", ".join(plain(x) for x in row) + "]"
                               for row in obj.tolist()) + "]"
    return sp.sstr(obj)


def latex(obj):
    if isinstance(obj, (list, tuple)):
        return r"\left[" + ", ".join(sp.latex(x) for x in obj) + r"\right]"
    return sp.latex(obj)


_SUPER = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def unicode_text(obj):
    text = plain(obj)
    out, i = [], 0
    while i < len(text):
        if text.startswith("**", i):
            j = i + 2
            while j < len(text) and text[j].isdigit():
                j += 1
            if j > i + 2:
                out.append(text[i + 2:j].translate(_SUPER))
                i = j
                continue
        out.append(text[i])
        i += 1
    text = "".join(out).replace("*", "·").replace(" - ", " − ").replace("pi", "π")
    return text.replace("sqrt(", "√(")


def implicit(text):
    """``2*n*(n + 1)`` written ``2 n (n + 1)``: a ``*`` before a name or a parenthesis
    becomes a space (before a number it stays: ``n 2`` is not a product)."""
    text = text.replace("**", "^")
    out = []
    for i, ch in enumerate(text):
        nxt = text[i + 1:i + 2]
        out.append(" " if ch == "*" and (nxt.isalpha() or nxt == "(") else ch)
    return "".join(out)


def step_notation(text, discrete, name):
    """Heaviside(x) / Heaviside(x, 1) written with another name of the step."""
    out = []
    i = 0
    while True:
        j = text.find("Heaviside(", i)
        if j < 0:
            out.append(text[i:])
            return "".join(out)
        out.append(text[i:j])
        depth, k = 0, j + len("Heaviside")
        while k < len(text):
            if text[k] == "(":
                depth += 1
            elif text[k] == ")":
                depth -= 1
                if depth == 0:
                    break
            k += 1
        inner = text[j + len("Heaviside("):k]
        if discrete and inner.endswith(", 1"):
            out.append(f"u[{inner[:-3]}]")
        elif not discrete and "," not in inner:
            out.append(f"{name}({inner})")
        else:
            out.append(text[j:k + 1])
        i = k + 1


# --------------------------------------------------------------------------- generation

def _variables(key):
    return {name: sym for name, sym in key.symbols().items()}


def _numbers(expr):
    return sorted({a for a in expr.atoms(sp.Rational) if a not in (0, 1, -1)} |
                  ({sp.Integer(1)} if expr.has(sp.Integer(1)) else set()),
                  key=sp.default_sort_key)


def scalar_rewrites(ref, key):
    out = [("as given", ref)]
    try:
        expanded = sp.expand(ref)
        out.append(("expanded", expanded))
    except (TypeError, ValueError):
        pass
    if not ref.has(sp.Piecewise, sp.Heaviside, sp.floor, sp.ceiling, sp.Max, sp.Min):
        try:
            out.append(("factored", sp.factor(ref)))
        except (TypeError, ValueError, sp.PolynomialError):
            pass
    if ref.is_Add:
        out.append(("reordered", sp.Add(*reversed(ref.args), evaluate=False)))
    if ref.has(sp.Heaviside) and not ref.has(sp.Piecewise):
        pw = sp.piecewise_fold(ref.rewrite(sp.Piecewise))
        out.append(("piecewise", pw))
    out.append(("times 2 over 2", sp.Mul(2, ref, evaluate=False) / 2))
    out.append(("plus 3 minus 3", sp.Add(ref, 3, -3, evaluate=False)))
    return out


def scalar_mutants(ref, key):
    out = []
    variables = _variables(key)
    out.append(("sign", -ref))
    out.append(("plus one", ref + 1))
    out.append(("minus one", ref - 1))
    out.append(("times 2", 2 * ref))
    out.append(("halved", ref / 2))
    for name, x in variables.items():
        if not ref.has(x):
            continue
        out.append((f"shift {name}+1", ref.xreplace({x: x + 1})))
        out.append((f"shift {name}+2", ref.xreplace({x: x + 2})))
        out.append((f"shift {name}-1", ref.xreplace({x: x - 1})))
        if not x.is_integer:
            out.append((f"shift {name}-1/2", ref.xreplace({x: x - sp.Rational(1, 2)})))
        out.append((f"scale {name}*2", ref.xreplace({x: 2 * x})))
    names = [n for n, x in variables.items() if ref.has(x)]
    for a, b in itertools.combinations(names, 2):
        xa, xb = variables[a], variables[b]
        if xa.is_integer == xb.is_integer:
            out.append((f"swap {a},{b}", ref.xreplace({xa: xb, xb: xa})))
    for h in sorted(ref.atoms(sp.Heaviside), key=sp.default_sort_key):
        out.append(("dropped step", ref.xreplace({h: sp.S.One})))
    for f in sorted(ref.atoms(sp.floor, sp.ceiling), key=sp.default_sort_key):
        out.append(("dropped floor/ceil", ref.xreplace({f: f.args[0]})))
        other = sp.ceiling if isinstance(f, sp.floor) else sp.floor
        out.append(("floor<->ceil", ref.xreplace({f: other(f.args[0])})))
    out.append(("plus two", ref + 2))
    if ref.is_Add:
        for k, term in enumerate(ref.args[:4]):
            out.append((f"term {k + 1} dropped", ref - term))
            out.append((f"term {k + 1} negated", ref - 2 * term))
    for p in sorted(ref.atoms(sp.Pow), key=sp.default_sort_key)[:3]:
        if p.exp.is_Integer and p.exp > 0:
            out.append(("exponent + 1", ref.xreplace({p: p.base ** (p.exp + 1)})))
    # differences a grader that samples only the window (or only some points of a small
    # domain) would miss: after the window, at one point, clipped beyond the window
    signal = {x for g in switch_arguments(ref) for x in g.free_symbols}
    for name, x in variables.items():
        if x not in signal:
            continue
        var = key.variables[name]
        lo, hi = var.bounds()
        step = (lambda a: sp.Heaviside(a, 1)) if x.is_integer else sp.Heaviside
        edge = sp.Integer(int(math.floor(hi)) + 2)
        out.append(("truncated past the window", ref * (1 - step(x - edge))))
        out.append(("step added past the window", ref + step(x - edge - 3)))
        if x.is_integer:
            out.append(("one-point spike in the window", ref + sp.KroneckerDelta(x, int(hi) - 1)))
            out.append(("one-point spike past the window", ref - sp.KroneckerDelta(x, int(hi) + 3)))
        else:
            out.append(("clipped past the window", ref.xreplace({x: sp.Min(x, edge)})))
    for c in _numbers(ref)[:6]:
        for new in (c + 1, 2 * c):
            try:
                out.append((f"constant {c}->{new}", ref.xreplace({c: new})))
            except (TypeError, ValueError):
                pass
    return out


def integer_rewrites(value):
    v = int(value)
    return [("as given", sp.Integer(v)), ("sum", sp.Add(sp.Integer(v - 1), 1, evaluate=False)),
            ("product", sp.Mul(sp.Integer(2 * v), sp.Rational(1, 2), evaluate=False)),
            ("difference", sp.Add(sp.Integer(v + 7), -7, evaluate=False))]


def integer_mutants(value):
    v = int(value)
    out = [("plus one", sp.Integer(v + 1)), ("minus one", sp.Integer(v - 1)),
           ("times 2", sp.Integer(2 * v)), ("sign", sp.Integer(-v))]
    if v % 2 == 0:
        out.append(("halved", sp.Integer(v // 2)))
    digits = str(abs(v))
    if len(digits) > 1:
        swapped = digits[:-2] + digits[-1] + digits[-2]
        if swapped != digits:
            out.append(("digits swapped", sp.Integer(int(swapped) * (1 if v >= 0 else -1))))
    return out


def container_mutants(ref):
    out = []
    entries = list(ref) if isinstance(ref, (list, tuple)) else list(ref)
    shape = ref.shape if isinstance(ref, sp.MatrixBase) else None

    def build(items):
        return sp.Matrix(shape[0], shape[1], items) if shape else list(items)

    for k in range(min(len(entries), 6)):
        changed = list(entries)
        changed[k] = changed[k] + 1
        out.append((f"entry {k + 1} + 1", build(changed)))
        changed = list(entries)
        changed[k] = 2 * changed[k]
        if changed[k] != entries[k]:
            out.append((f"entry {k + 1} doubled", build(changed)))
        if changed[k] != 1:
            changed = list(entries)
            changed[k] = -changed[k]
            if changed[k] != entries[k]:
                out.append((f"entry {k + 1} negated", build(changed)))
    for k in range(min(len(entries) - 1, 3)):
        swapped = list(entries)
        swapped[k], swapped[k + 1] = swapped[k + 1], swapped[k]
        out.append((f"entries {k + 1},{k + 2} swapped", build(swapped)))
    out.append(("reversed", build(list(reversed(entries)))))
    if shape:
        out.append(("transposed", ref.T))
        if shape[0] > 1:
            out.append(("row dropped", ref[:-1, :]))
    else:
        out.append(("entry dropped", entries[:-1]))
        out.append(("entry added", entries + [sp.Integer(0)]))
    return out


def container_rewrites(ref):
    out = [("as given", ref)]
    if isinstance(ref, sp.MatrixBase):
        out.append(("entries expanded", ref.applyfunc(sp.expand)))
    else:
        out.append(("entries expanded", [sp.expand(x) for x in ref]))
    return out


def render_rewrite(op, obj, key):
    """Texts for one rewrite: plain, LaTeX, Unicode, other step names."""
    texts = [(op, plain(obj))]
    texts.append((op + ", LaTeX", latex(obj)))
    if isinstance(obj, sp.Expr):
        texts.append((op + ", Unicode", unicode_text(obj)))
        texts.append((op + ", implicit products", implicit(plain(obj))))
        texts.append((op + ", rev-lex order", sp.sstr(obj, order="rev-lex")))
        texts.append((op + ", LaTeX with cdot", sp.latex(obj, mul_symbol="dot")))
        texts.append((op + ", LaTeX with times", sp.latex(obj, mul_symbol="times")))
        texts.append((op + ", double negation", f"-(-({plain(obj)}))"))
        text = plain(obj)
        if "Heaviside(" in text:
            names = ["u"] if key.is_discrete else ["u", "H", "θ", "step"]
            for name in names:
                texts.append((f"{op}, step as {name}", step_notation(text, key.is_discrete, name)))
        if isinstance(obj, sp.Piecewise):
            texts.append((op + ", case list", case_list(obj)))
    elif isinstance(obj, sp.MatrixBase):
        texts.append((op + ", Matrix(...)", sp.sstr(obj).replace("\n", "")))
        texts.append((op + ", rows with ;", "[" + "; ".join(", ".join(plain(x) for x in row)
                                                             for row in obj.tolist()) + "]"))
        body = r" \\ ".join(" & ".join(sp.latex(x) for x in row) for row in obj.tolist())
        texts.append((op + ", bmatrix", rf"\begin{{bmatrix}} {body} \end{{bmatrix}}"))
    elif isinstance(obj, list):
        texts.append((op + ", column", "Matrix([" + ", ".join(plain(x) for x in obj) + "])"))
        texts.append((op + ", tuple", "(" + ", ".join(plain(x) for x in obj) + ")"))
        texts.append((op + ", Unicode", "[" + ", ".join(unicode_text(x) for x in obj) + "]"))
    return texts


def case_list(pw):
    pieces = []
    for value, cond in pw.args:
        if cond is sp.true:
            pieces.append(f"{plain(value)} otherwise")
        else:
            pieces.append(f"{plain(value)} for {plain(cond).replace('&', 'and').replace('|', 'or')}")
    return ", ".join(pieces)


def generate(part):
    key, ref = part.key, part.reference
    cases = []
    if key.type == "integer":
        for op, obj in integer_rewrites(ref):
            cases += [Case(part.id, t, obj, o, "rewrite") for o, t in
                      [(op, plain(obj)), (op + ", LaTeX", latex(obj))]]
        v = int(ref)
        cases.append(Case(part.id, rf"\frac{{{2 * v}}}{{2}}", ref, "fraction, LaTeX", "rewrite"))
        cases.append(Case(part.id, f"{v + 5} − 5", ref, "difference, Unicode", "rewrite"))
        for op, obj in integer_mutants(ref):
            cases += [Case(part.id, plain(obj), obj, op, "mutant"),
                      Case(part.id, f"{plain(obj - 1)} + 1", obj, op + ", as a sum", "mutant")]
        return cases
    if key.type in ("sequence", "matrix"):
        for op, obj in container_rewrites(ref):
            cases += [Case(part.id, t, obj, o, "rewrite") for o, t in render_rewrite(op, obj, key)]
        entries = ref.tolist() if isinstance(ref, sp.MatrixBase) else None
        if entries:
            text = "[" + ", ".join("[" + ", ".join(f"({plain(x)} + 1) - 1" for x in row) + "]"
                                   for row in entries) + "]"
            latex_text = r"\begin{pmatrix} " + r" \\ ".join(
                " & ".join(rf"\frac{{2 \left({sp.latex(x)}\right)}}{{2}}" for x in row)
                for row in entries) + r" \end{pmatrix}"
        else:
            text = "[" + ", ".join(f"({plain(x)} + 1) - 1" for x in ref) + "]"
            latex_text = r"\left[" + ", ".join(rf"\frac{{2 \left({sp.latex(x)}\right)}}{{2}}"
                                                for x in ref) + r"\right]"
        cases.append(Case(part.id, text, ref, "entries plus 1 minus 1", "rewrite"))
        cases.append(Case(part.id, latex_text, ref, "entries as fractions, LaTeX", "rewrite"))
        for op, obj in container_mutants(ref):
            texts = [(op, plain(obj)), (op + ", LaTeX", latex(obj))]
            if isinstance(obj, sp.MatrixBase):
                body = r" \\ ".join(" & ".join(sp.latex(x) for x in row) for row in obj.tolist())
                texts.append((op + ", bmatrix", rf"\begin{{bmatrix}} {body} \end{{bmatrix}}"))
            else:
                texts.append((op + ", Unicode", "[" + ", ".join(unicode_text(x) for x in obj) + "]"))
            cases += [Case(part.id, t, obj, o, "mutant") for o, t in texts]
        return cases
    for op, obj in scalar_rewrites(ref, key):
        cases += [Case(part.id, t, obj, o, "rewrite") for o, t in render_rewrite(op, obj, key)]
    for op, obj in scalar_mutants(ref, key):
        if obj == ref:
            continue
        cases += [Case(part.id, t, obj, o, "mutant") for o, t in
                  [(op, plain(obj)), (op + ", LaTeX", latex(obj)),
                   (op + ", Unicode", unicode_text(obj)),
                   (op + ", implicit products", implicit(plain(obj)))]]
    return cases


# --------------------------------------------------------------------------- the oracle

_KDELTA = sp.Function("kdelta")
_MODULES = [{"kdelta": lambda a, b: np.equal(a, b).astype(float),
             "KroneckerDelta": lambda a, b: np.equal(a, b).astype(float),
             "Heaviside": lambda x, h0=0.5: np.heaviside(np.real(x), h0)}, "numpy"]


class Oracle:
    """Independent of the grader: NumPy values at 400 seeded points of the domain (for
    a signal variable, three window widths beyond the window on each open side)."""

    POINTS = 400

    def __init__(self, part, seed=0):
        key = part.key
        self.key = key
        rng = np.random.default_rng(seed)
        symbols = dict(key.symbols())
        objs = part.reference if isinstance(part.reference, (list, tuple)) else [part.reference]
        free = set()
        for o in (objs if not isinstance(part.reference, sp.MatrixBase) else list(part.reference)):
            if isinstance(o, sp.Basic):
                free |= o.free_symbols
        for s in free:
            symbols.setdefault(s.name, s)
        self.symbols = [symbols[n] for n in sorted(symbols)]
        signal = set()
        for o in (objs if not isinstance(part.reference, sp.MatrixBase) else list(part.reference)):
            if isinstance(o, sp.Basic):
                signal |= {x for g in switch_arguments(o) for x in g.free_symbols}
        columns = []
        from symconv.grading.keys import Variable

        for s in self.symbols:
            var = key.variables.get(s.name) or Variable("integer" if s.is_integer else "real")
            lo, hi = var.bounds()
            if s in signal and not getattr(key, "window_only", False):
                width = hi - lo
                open_low = not var.domain.startswith(("positive", "nonnegative"))
                lo, hi = (lo - 3 * width if open_low else lo), hi + 3 * width
            if var.is_integer and s in signal:
                # every integer of the range, in a shuffled cycle: a discrete signal that
                # differs at one point must be seen there
                values = np.arange(int(math.ceil(lo)), int(math.floor(hi)) + 1)
                col = np.resize(rng.permutation(values), self.POINTS)
            elif var.is_integer:
                col = rng.integers(int(math.ceil(lo)), int(math.floor(hi)) + 1, self.POINTS)
            else:
                col = rng.uniform(lo, hi, self.POINTS)
                if var.domain.startswith("positive"):
                    col = np.maximum(col, 1e-3)
            columns.append(col.astype(float))
        self.columns = columns
        self.exact = bool(self.symbols) and all(s.is_integer for s in self.symbols) \
            or key.type == "integer"
        mask = np.ones(self.POINTS, dtype=bool)
        for text in key.constraints:
            c = key.parse(text)
            c = c.xreplace({x: symbols[x.name] for x in c.free_symbols if x.name in symbols})
            f = sp.lambdify(self.symbols, c, modules=_MODULES)
            mask &= np.asarray(f(*columns), dtype=bool)
        self.mask = mask

    def exact_values(self, expr):
        """Exact values (SymPy arithmetic) at the points, for keys whose variables are
        all integers: float rounding would make floor((n - k)/s) wrong at exact
        multiples."""
        expr = sp.sympify(expr)
        expr = expr.xreplace({x: s for x in expr.free_symbols for s in self.symbols
                              if s.name == x.name and s != x})
        out = []
        for j in range(self.EXACT_POINTS):
            if not self.mask[j]:
                out.append(None)
                continue
            point = {s: sp.Integer(int(col[j])) for s, col in zip(self.symbols, self.columns)}
            try:
                v = expr.xreplace(point)
                v = v.doit() if v.has(sp.Sum) else v
                out.append(v if v.is_number and v.is_finite is not False and not v.has(sp.nan, sp.zoo)
                           else None)
            except (TypeError, ValueError, ZeroDivisionError, ArithmeticError):
                out.append(None)
        return out

    EXACT_POINTS = 400

    def values(self, expr):
        expr = sp.sympify(expr)
        expr = expr.xreplace({x: s for x in expr.free_symbols for s in self.symbols
                              if s.name == x.name and s != x})
        # lambdify prints KroneckerDelta as a Python conditional (not vectorised)
        expr = expr.xreplace({d: _KDELTA(*d.args) for d in expr.atoms(sp.KroneckerDelta)})
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            f = sp.lambdify(self.symbols, expr, modules=_MODULES)
            v = f(*self.columns)
        v = np.broadcast_to(np.asarray(v, dtype=complex), (self.POINTS,))
        return v

    def differs(self, a, b):
        if self.exact:
            va, vb = self.exact_values(a), self.exact_values(b)
            for x, y in zip(va, vb):
                if y is None:
                    continue                      # the reference is undefined there
                if x is None:
                    return True
                if x.is_Rational and y.is_Rational:
                    if x != y:
                        return True
                elif sp.simplify(x - y) != 0:
                    return True
            return False
        va, vb = self.values(a), self.values(b)
        ok = self.mask & np.isfinite(vb)
        bad = ~np.isfinite(va) & ok
        close = np.abs(va - vb) <= 1e-9 + 1e-9 * np.maximum(np.abs(va), np.abs(vb))
        return bool(bad.any() or (ok & np.isfinite(va) & ~close).any())

    def judge(self, intent, reference):
        """'equivalent' or 'differs'; a key that accepts either orientation of a kernel
        ('any orientation') accepts the flipped reference too."""
        verdict = self._judge(intent, reference)
        if verdict == "differs" and "any orientation" in self.key.forms:
            flipped = reference[::-1, ::-1] if isinstance(reference, sp.MatrixBase) \
                else list(reversed(reference))
            return self._judge(intent, flipped)
        return verdict

    def _judge(self, intent, reference):
        if isinstance(reference, sp.MatrixBase) or isinstance(intent, sp.MatrixBase):
            if not (isinstance(intent, sp.MatrixBase) and isinstance(reference, sp.MatrixBase)) \
                    or intent.shape != reference.shape:
                return "differs"
            pairs = zip(list(intent), list(reference))
        elif isinstance(reference, (list, tuple)):
            if not isinstance(intent, (list, tuple)) or len(intent) != len(reference):
                return "differs"
            pairs = zip(intent, reference)
        else:
            pairs = [(intent, reference)]
        for a, b in pairs:
            if self.differs(a, b):
                return "differs"
        return "equivalent"


# --------------------------------------------------------------------------- the campaign

def run(parts, sample=None, seed=0, time_limit=10.0, progress=None):
    cases = []
    for part in parts:
        part.cases = generate(part)
        seen = set()
        for c in part.cases:
            if (c.text, c.part) in seen:
                continue
            seen.add((c.text, c.part))
            cases.append((part, c))
    if sample is not None and sample < len(cases):
        cases = random.Random(seed).sample(cases, sample)
    oracles = {}
    for part, c in cases:
        if part.id not in oracles:
            oracles[part.id] = Oracle(part, seed)
        try:
            c.truth = oracles[part.id].judge(c.intent, part.reference)
        except Exception as exc:      # noqa: BLE001 - report, never hide
            c.truth = "unknown"
            c.error = f"oracle: {type(exc).__name__}: {exc}"
        if c.truth == "equivalent" and _breaks_the_form(part.key, c.text):
            # right in value, but built from operations the prompt rules out (a piecewise
            # rewrite of "write it with ramps"): the grader must refuse it, with that reason
            c.truth = "wrong form"
    for n, (part, c) in enumerate(cases):
        t0 = time.perf_counter()
        try:
            r = grade(c.text, part.key, time_limit=time_limit)
            c.status, c.score, c.feedback = r.status, r.score, r.feedback
        except Exception as exc:          # noqa: BLE001 - every exception is listed
            c.status, c.error = "exception", f"{type(exc).__name__}: {exc}"
        c.seconds = time.perf_counter() - t0
        if progress and n % 200 == 0:
            progress.write(f"\r{n}/{len(cases)} graded")
            progress.flush()
    if progress:
        progress.write("\r")
    return [c for _, c in cases]


def _breaks_the_form(key, text):
    """Whether ``text`` breaks the key's rules on what an answer may be built from."""
    if not (key.operations or key.forbidden or key.at_most or key.closed_form):
        return False
    try:
        return bool(key.build_problem(key.parse(text, evaluate=False)))
    except Exception:  # noqa: BLE001 - an unreadable rewrite is judged by the grader alone
        return False


def report(cases, forms_of=None):
    forms_of = forms_of or {}
    differ = [c for c in cases if c.truth == "differs"]
    same = [c for c in cases if c.truth == "equivalent"]
    unknown = [c for c in cases if c.truth == "unknown"]
    wrong_form = [c for c in cases if c.truth == "wrong form"]
    wrong_form_credited = [c for c in wrong_form if c.status == "correct"]
    false_accept = [c for c in differ if c.status == "correct"]
    false_reject = [c for c in same if c.status in ("incorrect", "invalid", "timeout", "exception")]
    form_partial = [c for c in same if c.status == "partial"]
    errors = [c for c in cases if c.status == "exception" or c.error]
    seconds = [c.seconds for c in cases]
    summary = {
        "answers": len(cases), "parts": len({c.part for c in cases}),
        "mutants_that_differ": len(differ), "false_accepts": len(false_accept),
        "false_accept_rate": len(false_accept) / max(1, len(differ)),
        "equivalent_rewrites": len(same), "false_rejects": len(false_reject),
        "false_reject_rate": len(false_reject) / max(1, len(same)),
        "equivalent_partial_for_form": len(form_partial), "oracle_unknown": len(unknown),
        "rewrites_in_a_forbidden_form": len(wrong_form),
        "forbidden_form_credited": len(wrong_form_credited),
        "mutants_reclassified_equivalent": sum(1 for c in same if c.kind == "mutant"),
        "exceptions": len(errors),
        "grading_seconds_total": round(sum(seconds), 2),
        "grading_seconds_max": round(max(seconds), 3) if seconds else 0.0,
        "by_operation": {},
        "slowest": [{"part": c.part, "op": c.op, "answer": c.text[:120], "status": c.status,
                     "seconds": round(c.seconds, 3)}
                    for c in sorted(cases, key=lambda c: -c.seconds)[:10]],
    }
    for c in cases:
        op = c.op.split(",")[0].split(" ")[0] if c.kind == "mutant" else c.op.split(",")[-1].strip()
        entry = summary["by_operation"].setdefault(f"{c.kind}: {op}", [0, 0])
        entry[0] += 1
        wrong = (c.truth in ("differs", "wrong form") and c.status == "correct") or \
                (c.truth == "equivalent" and c.status in ("incorrect", "invalid", "timeout", "exception"))
        entry[1] += wrong
    exceptions = [{"part": c.part, "op": c.op, "answer": c.text, "truth": c.truth,
                   "status": c.status, "feedback": c.feedback[:300], "error": c.error}
                  for c in false_accept + false_reject + wrong_form_credited
                  + [c for c in errors if c not in false_accept + false_reject]]
    return summary, exceptions


def format_report(summary, exceptions):
    lines = [
        f"answers graded: {summary['answers']} over {summary['parts']} catalogue parts",
        f"mutants that differ on the domain: {summary['mutants_that_differ']}, graded correct: "
        f"{summary['false_accepts']} (false-accept rate {summary['false_accept_rate']:.4%})",
        f"equivalent rewrites: {summary['equivalent_rewrites']} (of which "
        f"{summary['mutants_reclassified_equivalent']} mutants the oracle found equivalent), "
        f"graded incorrect/invalid/timeout: {summary['false_rejects']} (false-reject rate "
        f"{summary['false_reject_rate']:.4%}); partial for a required written form: "
        f"{summary['equivalent_partial_for_form']}",
        f"right in value but in a form the prompt rules out: "
        f"{summary['rewrites_in_a_forbidden_form']}, given credit: "
        f"{summary['forbidden_form_credited']}",
        f"oracle could not judge: {summary['oracle_unknown']}; exceptions: {summary['exceptions']}",
        f"grading time: {summary['grading_seconds_total']} s in all, slowest answer "
        f"{summary['grading_seconds_max']} s",
    ]
    if exceptions:
        lines.append("every exception:")
        for e in exceptions:
            lines.append(f"  [{e['part']}] {e['op']}: {e['answer'][:90]!r} -> {e['status']} "
                         f"(truth: {e['truth']}) {e['feedback'][:140]} {e['error'][:140]}")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sample", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", default=None, help="write the summary and exceptions here")
    args = parser.parse_args(argv)
    import os

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, load average at start {os.getloadavg()[0]:.2f}")
    t0 = time.monotonic()
    parts = catalogue_parts()
    cases = run(parts, args.sample, args.seed, progress=sys.stderr)
    summary, exceptions = report(cases)
    summary["wall_seconds"] = round(time.monotonic() - t0, 1)
    print(format_report(summary, exceptions))
    print("slowest answers:")
    for c in summary["slowest"]:
        print(f"  {c['seconds']:7.3f} s [{c['part']}] {c['op']}: {c['answer'][:80]!r} -> {c['status']}")
    print("by operation (answers, wrong):")
    for op, (count, wrong) in sorted(summary["by_operation"].items()):
        print(f"  {op:40s} {count:6d} {wrong:4d}")
    if args.json:
        Path(args.json).write_text(json.dumps({"summary": summary, "exceptions": exceptions},
                                              indent=2, ensure_ascii=False))
    return 0 if not exceptions else 1


if __name__ == "__main__":
    sys.exit(main())
