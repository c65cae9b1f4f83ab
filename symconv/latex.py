r"""LaTeX output: safe math rendering, standalone documents, and PDF compilation.

Everything symconv prints as LaTeX goes through this module, so that one place
decides what may reach a TeX engine:

* :func:`escape_text` turns arbitrary text (a justification typed by a student, a
  title, a file name) into LaTeX that typesets those characters literally. No
  control sequence of the input survives: ``\input{/etc/passwd}`` is printed as
  the characters ``\input{/etc/passwd}``, it is never executed.
* :func:`expr_latex` renders a SymPy object with SymPy's LaTeX printer, except that
  symbol and function names which are not plain identifiers are shown as escaped
  text, and the result is screened for engine-level commands (file input/output,
  definitions, catcode changes) before it is returned.
* :func:`document` assembles a standalone ``.tex`` file that needs only
  ``amsmath`` and ``amssymb``.
* :func:`compile_pdf` runs ``pdflatex`` with shell escape disabled, in a scratch
  directory, and fails loudly on any error or undefined control sequence.

Examples
--------
>>> escape_text(r"50% of \input{x}")
'50\\% of \\textbackslash{}input\\{x\\}'
>>> from sympy import symbols
>>> t = symbols('t')
>>> expr_latex(t**2 + 1)
't^{2} + 1'

Why one module of this size: every LaTeX the package writes passes through one escaping
policy (escape_text, prose, the forbidden control sequences) and one printer; splitting
the document and compile parts from it would let a second, weaker policy appear.
"""

import os as _os
import re as _re
import shutil as _shutil
import subprocess as _subprocess
import tempfile as _tempfile
import time as _time
from pathlib import Path as _Path
from pathlib import PurePosixPath as _PurePosixPath

from symconv._util.sympy_safety import print_order as _print_order
from symconv._util.validate import _UNSET
from symconv._util.validate import renamed_time_limit as _renamed_time_limit
from symconv.errors import SymconvError as _SymconvError

__all__ = ["escape_text", "prose", "expr_latex", "latex", "signal_str", "note", "document",  # noqa: F822
           "compile_pdf", "overfull_boxes", "SymconvLatexPrinter"]  # built on first use (module __getattr__)

# ---------------------------------------------------------------------------
# text escaping
# ---------------------------------------------------------------------------

_TEXT_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "%": r"\%",
    "_": r"\_",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
    "<": r"\ensuremath{<}",
    ">": r"\ensuremath{>}",
    "|": r"\ensuremath{|}",
}

# a quote opens after these (or at the start of the text); anywhere else it closes
_OPENING_CONTEXT = " \t\n([{<\u00a0-\u2013\u2014/"

# characters outside ASCII that are common in mathematical prose; each becomes a
# math-mode command that amsmath/amssymb define, anything else becomes '?'
_UNICODE_MATH = {
    "α": r"\alpha", "β": r"\beta", "γ": r"\gamma", "δ": r"\delta", "ε": r"\varepsilon",
    "ζ": r"\zeta", "η": r"\eta", "θ": r"\theta", "ι": r"\iota", "κ": r"\kappa",
    "λ": r"\lambda", "μ": r"\mu", "ν": r"\nu", "ξ": r"\xi", "π": r"\pi", "ρ": r"\rho",
    "σ": r"\sigma", "τ": r"\tau", "υ": r"\upsilon", "φ": r"\varphi", "χ": r"\chi",
    "ψ": r"\psi", "ω": r"\omega", "Γ": r"\Gamma", "Δ": r"\Delta", "Θ": r"\Theta",
    "Λ": r"\Lambda", "Ξ": r"\Xi", "Π": r"\Pi", "Σ": r"\Sigma", "Φ": r"\Phi",
    "Ψ": r"\Psi", "Ω": r"\Omega", "∞": r"\infty", "→": r"\to", "←": r"\leftarrow",
    "⇒": r"\Rightarrow", "⇔": r"\Leftrightarrow", "≤": r"\le", "≥": r"\ge",
    "≠": r"\ne", "≈": r"\approx", "±": r"\pm", "×": r"\times", "·": r"\cdot",
    "∗": r"\ast", "⋆": r"\star", "∑": r"\sum", "∫": r"\int", "∂": r"\partial",
    "∈": r"\in", "ᵀ": r"^{\mathsf{T}}", "′": r"'", "−": "-",
    "⟨": r"\langle", "⟩": r"\rangle", "⋅": r"\cdot", "√": r"\surd", "⌊": r"\lfloor",
    "⌋": r"\rfloor", "⌈": r"\lceil", "⌉": r"\rceil", "∘": r"\circ", "⊗": r"\otimes",
    "∇": r"\nabla", "≡": r"\equiv", "∉": r"\notin", "⊂": r"\subset", "⊆": r"\subseteq",
    "∪": r"\cup", "∩": r"\cap", "∀": r"\forall", "∃": r"\exists", "ℝ": r"\mathbb{R}",
    "ℤ": r"\mathbb{Z}", "ℕ": r"\mathbb{N}", "≪": r"\ll", "≫": r"\gg", "∝": r"\propto",
    "↦": r"\mapsto", "ϕ": r"\phi", "ϑ": r"\vartheta", "⊙": r"\odot", "²": r"^{2}", "³": r"^{3}",
}
_UNICODE_TEXT = {"–": "--", "—": "---", "‘": "`", "’": "'", "“": "``", "”": "''",
                 "…": r"\dots{}", "\u00a0": "~"}


def escape_text(text):
    r"""Return LaTeX (text mode) that typesets ``text`` literally.

    Every character with a meaning to TeX is replaced by a command that prints
    it, so no control sequence, group, math shift, comment, parameter or
    alignment tab of the input reaches the engine. Control characters are dropped
    (a newline becomes a space); common Greek letters and mathematical symbols are
    rendered in math mode; any other non-ASCII character becomes ``?``. Straight quotes
    become typographic ones: ``"a"`` prints as \`\`a'' and ``'a'`` as \`a'
    (a quote that follows a letter, as in ``f''``, stays a closing quote or prime).

    Parameters
    ----------
    text : str
        Arbitrary, possibly hostile, text.

    Returns
    -------
    str
        Text-mode LaTeX, usable inside ``\text{...}`` and in paragraphs.

    Examples
    --------
    >>> escape_text('a_1 & b')
    'a\\_1 \\& b'
    >>> print(escape_text(r'\write18{touch x}'))
    \textbackslash{}write18\{touch x\}
    >>> print(escape_text('τ = 2π'))
    \ensuremath{\tau} = 2\ensuremath{\pi}
    >>> print(escape_text('⟨Cx, y⟩'))
    \ensuremath{\langle}Cx, y\ensuremath{\rangle}
    >>> print(escape_text('"Proven" means \'exact\'; f\'\' is a derivative'))
    ``Proven'' means `exact'; f'' is a derivative
    """
    if not isinstance(text, str):
        raise _SymconvError(f"text must be a str, but got {type(text).__name__}")
    out = []
    for i, ch in enumerate(text):
        if ch in "\"'":
            opening = (i == 0 or text[i - 1] in _OPENING_CONTEXT) and i + 1 < len(text) \
                and not text[i + 1].isspace()
            if ch == '"':
                out.append("``" if opening else "''")
            else:
                out.append("`" if opening else "'")
        elif ch in _TEXT_ESCAPES:
            out.append(_TEXT_ESCAPES[ch])
        elif ch in ("\n", "\r", "\t"):
            out.append(" ")
        elif " " <= ch <= "~":
            out.append(ch)
        elif ch in _UNICODE_MATH:
            out.append(r"\ensuremath{" + _UNICODE_MATH[ch] + "}")
        elif ch in _UNICODE_TEXT:
            out.append(_UNICODE_TEXT[ch])
        elif ord(ch) < 32 or 0x7f <= ord(ch) < 0xa0:
            continue  # control characters (including ^^ tricks' raw bytes)
        else:
            out.append("?")
    return "".join(out)


# ---------------------------------------------------------------------------
# prose with ASCII formulas: x^2, x_k, sqrt(...) typeset as math
# ---------------------------------------------------------------------------

# characters a formula in prose may consist of; nothing else ever reaches math mode
_MATH_ASCII = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                        " +-*/=(),.|'!<>[]^_")
_MATH_WORDS = {"exp": r"\exp", "log": r"\log", "ln": r"\ln", "sin": r"\sin", "cos": r"\cos",
               "tan": r"\tan", "max": r"\max", "min": r"\min", "sum": r"\sum", "prod": r"\prod",
               "sqrt": None, "floor": None, "ceil": None}
_CLOSE = {"(": ")", "[": "]"}


def _matching(s, i):
    """Index of the bracket closing the one at ``s[i]``, or -1."""
    depth = 0
    for j in range(i, len(s)):
        if s[j] in "([":
            depth += 1
        elif s[j] in ")]":
            depth -= 1
            if depth == 0:
                return j if s[j] == _CLOSE[s[i]] else -1
    return -1


def _is_atom(s):
    """Whether ``s`` may be part of a formula: formula characters only, and no word of
    three or more letters except known function names and subscripts."""
    if not s or any(ch not in _MATH_ASCII and ch not in _UNICODE_MATH for ch in s):
        return False
    if _re.search(r"[A-Za-z]\.[A-Za-z]|[A-Za-z]{2}_[A-Za-z]{2}|__", s):
        return False
    for m in _re.finditer(r"[A-Za-z]+", s):
        word, start = m.group(), m.start()
        if len(word) >= 3 and word not in _MATH_WORDS and not (start and s[start - 1] == "_"):
            return False
    return True


_OPERATORS = frozenset("= + - * / < > <= >= != -> ⋆ ∗ · × ≤ ≥ ≠ ≈ → ∈".split())


def _is_formula(s):
    """Whether ``s`` (one run of prose) reads as a formula: only formula characters,
    balanced brackets, a superscript, subscript or known function call, and no word of
    three or more letters except known function names and subscripts (so that code such
    as ``conv_layer`` or ``symconv.latex`` stays text)."""
    if not s or any(ch not in _MATH_ASCII and ch not in _UNICODE_MATH for ch in s):
        return False
    if _re.search(r"[A-Za-z]\.[A-Za-z]", s) or "__" in s or s[-1] in "^_":
        return False
    depth = []
    for ch in s:
        if ch in "([":
            depth.append(_CLOSE[ch])
        elif ch in ")]":
            if not depth or depth.pop() != ch:
                return False
    if depth:
        return False
    if not _is_atom(s):
        return False
    for m in _re.finditer(r"[A-Za-z]+", s):
        word, start = m.group(), m.start()
        if start and s[start - 1] == "_" and len(word) >= 2 and start >= 2 \
                and _re.match(r"[A-Za-z]{2}", s[max(start - 3, 0):start - 1][-2:]) \
                and s[start - 3:start - 1] not in _MATH_WORDS:
            return False   # word_word: an identifier of code, not a subscript
        if word in ("sqrt", "floor", "ceil") and s[m.end():m.end() + 1] != "(":
            return False
    if not _re.search(r"[\^_][A-Za-z0-9(\-]|\b(?:sqrt|floor|ceil|exp|log)\(", s):
        return False
    for m in _re.finditer(r"[\^_]", s):
        nxt = s[m.end():m.end() + 2]
        if not nxt or not (nxt[0].isalnum() or nxt[0] == "(" or (nxt[0] == "-" and nxt[1:].isalnum())):
            return False
    return True


def _math(s):
    """Math-mode LaTeX of a run that passed :func:`_is_formula` (its characters are
    letters, digits, brackets, operators and the symbols of ``_UNICODE_MATH`` only)."""
    out, i = [], 0
    while i < len(s):
        ch = s[i]
        if ch in "^_":
            j = i + 1
            if s[j] == "(":
                end = _matching(s, j)
                body = _math(s[j + 1:end])
                i = end + 1
            else:
                m = _re.match(r"-?(?:[A-Za-z]+|[0-9]+)", s[j:])
                word = m.group()
                body = r"\mathrm{" + word + "}" if ch == "_" and len(word) > 1 and word.isalpha() \
                    else word
                i = j + len(word)
            out.append(ch + "{" + body + "}")
        elif ch.isascii() and ch.isalpha():
            word = _re.match(r"[A-Za-z]+", s[i:]).group()
            i += len(word)
            if word in ("sqrt", "floor", "ceil"):
                end = _matching(s, i)
                inner = _math(s[i + 1:end])
                i = end + 1
                out.append(r"\sqrt{" + inner + "}" if word == "sqrt"
                           else rf"\l{word}" + " " + inner + rf" \r{word}")
            elif word in _MATH_WORDS and not (out and out[-1].endswith("_{")):
                out.append(_MATH_WORDS[word] + " ")
            else:
                out.append(word)
        elif s.startswith("...", i):
            out.append(r"\dots ")
            i += 3
        elif s.startswith("||", i):
            out.append(r"\| ")
            i += 2
        elif s[i:i + 2] in ("<=", ">=", "!=", "->"):
            out.append({"<=": r"\le ", ">=": r"\ge ", "!=": r"\ne ", "->": r"\to "}[s[i:i + 2]])
            i += 2
        elif ch == "*":
            out.append(r"\cdot ")
            i += 1
        elif ch in _UNICODE_MATH:
            out.append(_UNICODE_MATH[ch] + " ")
            i += 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _runs(text):
    """Split prose into runs separated by spaces outside brackets: [(run, separator)]."""
    runs, start, depth = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(depth - 1, 0)
        elif ch == " " and depth == 0:
            runs.append(text[start:i])
            start = i + 1
    runs.append(text[start:])
    return runs


def _prose_run(run):
    core = run.rstrip(".,;:?")
    tail = run[len(core):]
    lead = ""
    # brackets that open or close the surrounding sentence, not the formula
    while core and core[0] in "([" and _matching(core, 0) == -1:
        lead, core = lead + core[0], core[1:]
    trail = ""
    while core and core[-1] in ")]" and not _is_formula(core) and _is_formula(core[:-1]):
        trail, core = core[-1] + trail, core[:-1]
    if _is_formula(core):
        return escape_text(lead) + r"\ensuremath{" + _math(core) + "}" + escape_text(trail + tail)
    if " " in run:   # a bracketed stretch of prose: try its words one by one
        return " ".join(_prose_run(w) for w in run.split(" "))
    return escape_text(run)


def prose(text):
    r"""Return LaTeX (text mode) for prose in which formulas are written in ASCII.

    Like :func:`escape_text` (which renders every character literally), except that a
    run of the text that reads as a formula, one with a superscript ``x^2``, ``e^(-t)``,
    a subscript ``x_k``, ``p_total`` or a call of ``sqrt``, ``floor``, ``exp``..., is
    typeset in math mode. Only letters, digits, brackets, operators and the symbols
    that :func:`escape_text` already shows in math mode can reach math mode; anything
    else (a backslash, a brace, a dollar) leaves its run as escaped text, so ``text``
    may be hostile. Names of code (``conv_layer``, ``symconv.latex``) stay text.

    >>> print(prose("the error shrinks by (1 - ηλ)^2 per step"))
    the error shrinks by \ensuremath{(1 - \eta \lambda )^{2}} per step
    >>> print(prose("x_k for k = 0, 1; see conv_layer."))
    \ensuremath{x_{k}} for k = 0, 1; see conv\_layer.
    >>> print(prose(r"a^\input{x}"))
    a\textasciicircum{}\textbackslash{}input\{x\}
    """
    if not isinstance(text, str):
        raise _SymconvError(f"text must be a str, but got {type(text).__name__}")
    text = _re.sub(r"[\n\r\t]", " ", text)
    runs = _runs(text)
    # a formula written with spaces ("X ⋆ K^T", "||A w - y||^2"): join the runs around
    # a formula run that operators link to it, as long as the joined run is a formula
    merged = []
    for run in runs:
        merged.append(run)
        while len(merged) >= 3 and merged[-2] in _OPERATORS:
            joined = " ".join(merged[-3:])
            if not (_is_formula(joined) or (_is_formula(merged[-3]) and _is_atom(run))
                    or (_is_formula(run.rstrip(".,;:?")) and _is_atom(merged[-3]))):
                break
            if not _is_formula(joined.rstrip(".,;:?")):
                break
            merged[-3:] = [joined]
    return " ".join(_prose_run(run) if ("^" in run or "_" in run or "(" in run) else escape_text(run)
                    for run in merged)


# ---------------------------------------------------------------------------
# safe math rendering
# ---------------------------------------------------------------------------

# control sequences that read or write files, define or redefine macros, change
# category codes or otherwise act on the engine instead of typesetting
_FORBIDDEN = frozenset("""
input include includeonly InputIfFileExists IfFileExists endinput openin openout
read readline write immediate closein closeout special directlua latelua luaexec
def edef gdef xdef let futurelet global long outer protected csname endcsname
expandafter noexpand catcode uccode lccode sfcode mathcode delcode scantokens
everyeof everypar everymath everydisplay everyhbox everyvbox everyjob everycr
newcommand renewcommand providecommand DeclareRobustCommand newenvironment
renewenvironment usepackage RequirePackage documentclass makeatletter makeatother
shipout output lowercase uppercase string meaning detokenize unexpanded dump
batchmode nonstopmode scrollmode errorstopmode errmessage message typeout
pdfprimitive primitive jobname afterassignment aftergroup begingroup endgroup
loop repeat relax the toks toksdef countdef dimendef chardef mathchardef
setbox newtoks newread newwrite openany ShellEscape pdfshellescape
""".split())
_CS = _re.compile(r"\\([A-Za-z@]+|.)", _re.S)
_SAFE_NAME = _re.compile(r"^[A-Za-z][A-Za-z0-9]*('*)(_[A-Za-z0-9]+)*$")


def _unsafe_latex(tex):
    """Why ``tex`` (printer output) may not be passed to TeX, or None if it may."""
    if "^^" in tex:
        return "contains '^^'"
    for i, ch in enumerate(tex):
        if ch == "%" and (i == 0 or tex[i - 1] != "\\"):
            return "contains a comment character"
        if ord(ch) < 32 and ch not in "\n\t":
            return "contains a control character"
        if ord(ch) > 126:
            return "contains a non-ASCII character"
    for m in _CS.finditer(tex):
        name = m.group(1)
        if "@" in name or name in _FORBIDDEN:
            return f"contains the control sequence \\{name}"
    return None


# ---------------------------------------------------------------------------
# the signals' notation: u(t), u[n], delta(t), delta[n], rect, tri, ramp
# ---------------------------------------------------------------------------

def _step_kind(h):
    """'(' for the continuous step Heaviside(x) (H(0) = 1/2), '[' for the discrete
    step Heaviside(n, 1) of an integer argument, None for any other Heaviside."""
    from sympy import Rational

    x = h.args[0]
    h0 = h.args[1] if len(h.args) > 1 else Rational(1, 2)
    if h0 == Rational(1, 2) and not x.is_integer:
        return "("
    if h0 == 1 and x.is_integer:
        return "["
    return None


def _bracket(arg_tex, kind):
    return (r"\left[" + arg_tex + r"\right]") if kind == "[" else (r"\left(" + arg_tex + r"\right)")


_SIGNAL_CLASSES = None


def _signal_classes():
    """Print-only stand-ins for rect, tri and ramp (never returned to a caller)."""
    global _SIGNAL_CLASSES
    if _SIGNAL_CLASSES is None:
        from sympy import Function

        def make(name):
            class Shown(Function):
                nargs = 2  # (argument, bracket kind: 0 = '(', 1 = '[')

                def _sympystr(self, printer):
                    a = printer._print(self.args[0])
                    return f"{name}[{a}]" if self.args[1] == 1 else f"{name}({a})"

                def _latex(self, printer, exp=None):
                    kind = "[" if self.args[1] == 1 else "("
                    tex = r"\operatorname{" + name + "}" + _bracket(printer._print(self.args[0]), kind)
                    return tex if exp is None else r"\left(%s\right)^{%s}" % (tex, exp)

            Shown.__name__ = name
            return Shown

        _SIGNAL_CLASSES = {name: make(name) for name in ("rect", "tri", "ramp")}
    return _SIGNAL_CLASSES


def _recognise_signals(expr):
    """Rewrite the plain SymPy forms of rect, tri and ramp into print-only stand-ins.

    Recognised, exactly as :mod:`symconv.signals` builds them:
    ``c*Heaviside(x + 1/2) - c*Heaviside(x - 1/2)`` -> ``c rect(x)``;
    ``Piecewise((1 - Abs(x), Abs(x) < 1), (0, True))`` -> ``tri(x)``;
    ``c*x*Heaviside(x)`` with ``c`` free of ``x``'s symbols -> ``c ramp(x)``.
    Anything else is returned unchanged (the same object)."""
    from sympy import Abs, Add, Basic, Heaviside, Mul, Piecewise, Rational, StrictLessThan, true

    if not isinstance(expr, Basic) or not expr.args or not expr.has(Heaviside, Piecewise):
        return expr
    args = tuple(_recognise_signals(a) for a in expr.args)
    if any(a is not b for a, b in zip(args, expr.args)):
        expr = expr.func(*args)
    cls = _signal_classes()
    half = Rational(1, 2)
    if isinstance(expr, Piecewise) and len(expr.args) == 2:
        (e1, c1), (e2, c2) = expr.args
        if (e2 == 0 and c2 == true and isinstance(c1, StrictLessThan) and isinstance(c1.lhs, Abs)
                and c1.rhs == 1 and e1 == 1 - c1.lhs):
            x = c1.lhs.args[0]
            return cls["tri"](x, 1 if x.is_integer else 0)
    if isinstance(expr, Mul):
        steps = [f for f in expr.args if isinstance(f, Heaviside) and _step_kind(f)]
        for h in steps:
            x = h.args[0]
            rest = expr / (x * h)
            if not rest.has(Heaviside) and not (rest.free_symbols & x.free_symbols):
                return rest * cls["ramp"](x, 1 if _step_kind(h) == "[" else 0)
    if isinstance(expr, Add):
        terms = list(expr.args)
        parts = []  # (coefficient, step) for the terms c*Heaviside(...)
        for term in terms:
            coeff, factors = term.as_coeff_mul()
            hs = [f for f in factors if isinstance(f, Heaviside) and _step_kind(f)]
            if len(hs) == 1:
                parts.append((term / hs[0], hs[0]))
            else:
                parts.append((None, None))
        used, out = set(), []
        for i, (ci, hi) in enumerate(parts):
            if hi is None or i in used:
                continue
            for j, (cj, hj) in enumerate(parts):
                if (j != i and j not in used and hj is not None and _step_kind(hi) == _step_kind(hj)
                        and (ci + cj) == 0 and (hi.args[0] - hj.args[0] - 1).expand() == 0):
                    used.update((i, j))
                    x = (hi.args[0] - half).expand()
                    out.append(ci * cls["rect"](x, 1 if _step_kind(hi) == "[" else 0))
                    break
        if used:
            return Add(*(out + [t for k, t in enumerate(terms) if k not in used]))
        return expr
    return expr


def _printer_class():
    from sympy.printing.latex import LatexPrinter

    class SymconvLatexPrinter(LatexPrinter):
        """SymPy's LaTeX printer in the course's notation, safe for names.

        ``Heaviside(t)`` prints as u(t), ``Heaviside(n, 1)`` as u[n], ``DiracDelta(t)``
        as delta(t), ``KroneckerDelta(n, 0)`` as delta[n]; the forms that
        :mod:`symconv.signals` builds for rect, tri and ramp print under those names.
        Names that are not plain identifiers print as escaped text."""

        printmethod = "_latex"

        def doprint(self, expr):
            return super().doprint(_recognise_signals(expr))

        def _deal_with_super_sub(self, string, style="plain"):
            if _SAFE_NAME.match(string) or string in ("", ):
                return super()._deal_with_super_sub(string, style=style)
            return r"\text{" + escape_text(string) + "}"

        def _prime(self, deriv):
            """f' for the derivative of an undefined function of one variable."""
            from sympy.core.function import AppliedUndef

            inner = deriv.expr
            if isinstance(inner, AppliedUndef) and len(inner.args) == 1 \
                    and len(deriv.variable_count) == 1 and deriv.variable_count[0][0] == inner.args[0]:
                order = int(deriv.variable_count[0][1])
                name = self._hprint_Function(inner.func.__name__)
                return name + ("'" * order if order <= 3 else "^{(%d)}" % order)
            return None

        def _print_Function(self, expr, exp=None):
            """An undefined function whose name is no plain identifier: escaped text.

            SymPy's own method splices the name into a ``%``-format string, so a name
            such as ``a%b`` would break it (or be read as a format directive)."""
            from sympy.core.function import AppliedUndef

            name = expr.func.__name__
            if not isinstance(expr, AppliedUndef) or _SAFE_NAME.match(name):
                return super()._print_Function(expr, exp)
            tex = (r"\text{" + escape_text(name) + r"}{\left("
                   + ",".join(self._print(arg) for arg in expr.args) + r" \right)}")
            return tex if exp is None else r"\left(%s\right)^{%s}" % (tex, exp)

        def _print_Heaviside(self, expr, exp=None):
            kind = _step_kind(expr)
            if kind is None:  # a value at 0 that is neither convention: SymPy's notation
                return super()._print_Heaviside(expr, exp)
            tex = "u" + _bracket(self._print(expr.args[0]), kind)
            return tex if exp is None else r"\left(%s\right)^{%s}" % (tex, exp)

        def _print_DiracDelta(self, expr, exp=None):
            x = self._print(expr.args[0])
            if len(expr.args) == 1 or expr.args[1] == 0:
                tex = r"\delta\left(" + x + r"\right)"
            else:
                tex = r"\delta^{\left(" + self._print(expr.args[1]) + r"\right)}\left(" + x + r"\right)"
            return tex if exp is None else r"\left(%s\right)^{%s}" % (tex, exp)

        def _print_KroneckerDelta(self, expr, exp=None):
            i, j = expr.args
            if i == 0 or j == 0:
                tex = r"\delta\left[" + self._print(j if i == 0 else i) + r"\right]"
                return tex if exp is None else r"\left(%s\right)^{%s}" % (tex, exp)
            return super()._print_KroneckerDelta(expr, exp)

        def _print_Subs(self, subs):
            from sympy import Derivative

            expr = subs.expr
            if isinstance(expr, Derivative) and len(subs.variables) == 1:
                name = self._prime(expr)
                if name is not None and expr.expr.args[0] == subs.variables[0]:
                    return name + r"{\left(" + self._print(subs.point[0]) + r" \right)}"
            return super()._print_Subs(subs)

    return SymconvLatexPrinter


def __getattr__(name):
    # the printer class is built on first use, so that importing this module
    # does not import SymPy (``symconv --help`` stays fast)
    if name == "SymconvLatexPrinter":
        global _PRINTER
        if _PRINTER is None:
            _PRINTER = _printer_class()
        return _PRINTER
    raise AttributeError(f"module 'symconv.latex' has no attribute {name!r}")


_PRINTER = None


def expr_latex(expr, **settings):
    r"""Render a SymPy object (or number) as math-mode LaTeX, safely.

    Symbol and function names made of letters and digits (optionally one
    ``_subscript``) print as SymPy prints them (``tau`` as ``\tau``, ``x_1`` as
    ``x_{1}``); any other name is shown as escaped text. The output is screened
    and, if it would still contain an engine-level command, the expression is
    shown as escaped plain text instead.

    Parameters
    ----------
    expr : sympy.Basic, number or str
        A string is shown as escaped text (``\text{...}``), never interpreted.
    **settings
        Passed to SymPy's LaTeX printer.

    Returns
    -------
    str

    Examples
    --------
    >>> from sympy import Symbol, Function
    >>> expr_latex(Function('f')(Symbol('tau')))
    'f{\\left(\\tau \\right)}'
    >>> expr_latex(Symbol(r'\input{/etc/passwd}'))
    '\\text{\\textbackslash{}input\\{/etc/passwd\\}}'
    """
    global _PRINTER
    if isinstance(expr, str):
        return r"\text{" + escape_text(expr) + "}"
    from sympy import sympify

    if _PRINTER is None:
        _PRINTER = _printer_class()
    try:
        obj = sympify(expr, strict=True)
    except Exception:
        return r"\text{" + escape_text(str(expr)) + "}"
    settings.setdefault("order", _print_order(obj))
    tex = _PRINTER(settings).doprint(obj)
    if _unsafe_latex(tex) is not None:
        return r"\text{\texttt{" + escape_text(str(obj)) + "}}"
    return tex


_STR_PRINTER = None


def signal_str(expr):
    """``expr`` as plain text in the notation of the book and of :func:`expr_latex`:
    ``u(t)``, ``u[n]``, ``delta(t)``, ``delta[n]``, ``rect``, ``tri``, ``ramp``.

    >>> import sympy as sp
    >>> from symconv.signals import rect, u
    >>> t = sp.Symbol('t', real=True)
    >>> n = sp.Symbol('n', integer=True)
    >>> signal_str(sp.exp(-t)*u(t) + rect(t))
    'rect(t) + exp(-t)*u(t)'
    >>> signal_str(u(n) - u(n - 3))
    'u[n] - u[n - 3]'
    """
    global _STR_PRINTER
    if _STR_PRINTER is None:
        from sympy.printing.str import StrPrinter

        class SignalStrPrinter(StrPrinter):
            def _print_Heaviside(self, h):
                kind = _step_kind(h)
                if kind is None:
                    return super()._print_Heaviside(h)
                arg = self._print(h.args[0])
                return f"u[{arg}]" if kind == "[" else f"u({arg})"

            def _print_DiracDelta(self, d):
                if len(d.args) > 1:
                    return super()._print_DiracDelta(d)
                return f"delta({self._print(d.args[0])})"

            def _print_KroneckerDelta(self, d):
                i, j = d.args
                arg = i if j == 0 else (j if i == 0 else i - j)
                return f"delta[{self._print(arg)}]"

        _STR_PRINTER = SignalStrPrinter
    from symconv._util.sympy_safety import print_order

    return _STR_PRINTER({"order": print_order(expr)}).doprint(_recognise_signals(expr))


def latex(expr, **settings):
    r"""Render ``expr`` as LaTeX in symconv's notation; the same as :func:`expr_latex`.

    A drop-in for ``sympy.latex`` where symconv's signals appear:

    >>> from sympy import Symbol, Heaviside
    >>> latex(Heaviside(Symbol('t', real=True)))
    'u\\left(t\\right)'
    >>> latex(Heaviside(Symbol('n', integer=True), 1))
    'u\\left[n\\right]'
    """
    return expr_latex(expr, **settings)


def note(text, width=42):
    r"""A justification for the right-hand column of an ``align*`` line.

    Short text becomes ``\text{...}``; longer text is set in a narrow ragged
    paragraph so that the line stays within the page. ``text`` is escaped, with its
    ASCII formulas typeset as math (:func:`prose`).

    >>> note("linearity")
    '\\text{linearity}'
    """
    body = prose(text)
    if len(text) <= width:
        return r"\text{" + body + "}"
    return (r"\text{\parbox[t]{0.3\textwidth}{\raggedright\footnotesize " + body + "}}")


# ---------------------------------------------------------------------------
# documents
# ---------------------------------------------------------------------------

_PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage{amsmath}
\usepackage{amssymb}
\setlength{\textwidth}{16.5cm}
\setlength{\oddsidemargin}{0cm}
\setlength{\evensidemargin}{0cm}
\setlength{\textheight}{23cm}
\setlength{\topmargin}{-1cm}
\setlength{\parindent}{0pt}
\setlength{\parskip}{0.6em}
\allowdisplaybreaks
"""


def _item_latex(item):
    if isinstance(item, str):
        return escape_text(item)
    latex_method = getattr(item, "latex", None)
    if callable(latex_method) and not isinstance(item, type):
        out = latex_method()
        if not isinstance(out, str):
            raise _SymconvError(f"item.latex() must return a str, but got {type(out).__name__}")
        return out
    from sympy import Basic, MatrixBase

    if isinstance(item, (Basic, MatrixBase, int, float)):
        return r"\[" + "\n" + expr_latex(item) + "\n" + r"\]"
    if isinstance(item, (list, tuple)) and item and all(isinstance(r, (list, tuple)) for r in item):
        return _table(item)
    raise _SymconvError("a document item must be a str, a SymPy object, a table (list of rows) "
                       f"or have a .latex() method, but got {type(item).__name__}")


def _cell(value):
    if isinstance(value, str):
        return escape_text(value)
    return "$" + expr_latex(value) + "$"


def _table(rows):
    ncols = max(len(r) for r in rows)
    lines = [r"\begin{center}", r"\begin{tabular}{" + "l" * ncols + "}", r"\hline"]
    for i, row in enumerate(rows):
        cells = [_cell(v) for v in row] + [""] * (ncols - len(row))
        lines.append(" & ".join(cells) + r" \\")
        if i == 0:
            lines.append(r"\hline")
    lines += [r"\hline", r"\end{tabular}", r"\end{center}"]
    return "\n".join(lines)


def document(items, title=None, *, packages=()):
    r"""Build a complete, standalone LaTeX document.

    Parameters
    ----------
    items : iterable
        Each item is one of: an object with a ``.latex()`` method (a
        :class:`~symconv.proofs.Derivation`, a proof report, ...), whose output is
        inserted as is; a SymPy object or number (a displayed equation); a ``str``
        (a paragraph of escaped text); or a table given as a list of rows (the
        first row is the header; strings are escaped, other cells are math).
    title : str, optional
        Escaped and set as the document title.
    packages : sequence of str, optional
        Further LaTeX packages to load (names of letters only, e.g. ``('graphicx',)``);
        ``hyperref`` is loaded last, with coloured links.

    Returns
    -------
    str
        The ``.tex`` source; it needs only ``amsmath``, ``amssymb`` and ``packages``.

    Examples
    --------
    >>> from sympy import symbols
    >>> x = symbols('x')
    >>> tex = document(["Note: 100% & more", x**2], title="Demo")
    >>> tex.startswith(r'\documentclass')
    True
    >>> '100\\% \\& more' in tex and 'x^{2}' in tex
    True
    """
    if isinstance(items, str) or not hasattr(items, "__iter__"):
        items = [items]
    body = [_item_latex(item) for item in items]
    parts = [_PREAMBLE]
    for name in packages:
        if not (isinstance(name, str) and name.isascii() and name.isalpha()):
            raise _SymconvError(f"a package name must be letters only, but got {name!r}")
    # hyperref goes last (it redefines what the other packages define), links in colour
    for name in sorted(packages, key=lambda name: name == "hyperref"):
        options = "[colorlinks=true,linkcolor=blue,urlcolor=blue]" if name == "hyperref" else ""
        parts.append(r"\usepackage" + options + "{" + name + "}\n")
    if title is not None:
        parts.append(r"\title{" + escape_text(str(title)) + "}\n\\date{}\n")
    parts.append(r"\begin{document}" + "\n")
    if title is not None:
        parts.append(r"\maketitle" + "\n")
    parts.append("\n\n".join(body))
    parts.append("\n" + r"\end{document}" + "\n")
    return "".join(parts)


_OVERFULL = _re.compile(r"^Overfull \\hbox \((?P<pt>[0-9.]+)pt too wide\) (?P<where>.*)$", _re.M)


def overfull_boxes(log, limit=0.0):
    r"""The overfull ``\hbox`` reports of a pdflatex log wider than ``limit`` points.

    Returns ``[(points, where), ...]`` in the order of the log, ``where`` being the
    log's own words ("in paragraph at lines 12--14", "detected at line 80").

    >>> overfull_boxes("Overfull \\hbox (40.1pt too wide) detected at line 9\n"
    ...                "Overfull \\hbox (2.5pt too wide) in paragraph at lines 3--4", limit=10)
    [(40.1, 'detected at line 9')]
    """
    return [(float(m.group("pt")), m.group("where").strip()) for m in _OVERFULL.finditer(log)
            if float(m.group("pt")) > limit]


_MAX_RUNS = 4
_AUX = (".aux", ".toc", ".lof", ".lot", ".out")


def _aux_state(folder):
    return {ext: (_Path(folder) / ("doc" + ext)).read_bytes()
            for ext in _AUX if (_Path(folder) / ("doc" + ext)).exists()}


def compile_pdf(tex, out_path, *, engine=None, time_limit=120, files=None, timeout=_UNSET,
                log_path=None):
    """Compile LaTeX source to a PDF with ``pdflatex``.

    pdflatex runs again (up to four runs in all) while its auxiliary files (``.aux``,
    table of contents, list of figures, PDF bookmarks) change, so that a table of
    contents and cross-references are filled in.

    The engine runs in a fresh temporary directory with
    ``-no-shell-escape -interaction=nonstopmode -halt-on-error`` and with
    kpathsea's paranoid file-access settings (no reading or writing outside that
    directory and TeX's own tree). Compilation that fails, or whose log reports an
    undefined control sequence, raises :class:`~symconv.errors.SymconvError`
    quoting the first error lines of the log.

    Parameters
    ----------
    tex : str
        The document source (e.g. from :func:`document`).
    out_path : str or os.PathLike
        Where to write the PDF.
    engine : str, optional
        Path of the ``pdflatex`` executable; found on ``PATH`` by default.
    time_limit : float
        Seconds before the engine is stopped.
    files : mapping of str to path, optional
        Files the document reads (e.g. figures for ``\\includegraphics``): each is copied
        into the engine's directory under its key, a relative path such as
        ``'figures/a.pdf'`` (no ``..``, not absolute).
    log_path : str or os.PathLike, optional
        Where to keep pdflatex's log (for :func:`overfull_boxes`); written also when the
        compilation fails.

    Returns
    -------
    pathlib.Path
        ``out_path``.
    """
    seconds = _renamed_time_limit(time_limit, timeout, "compile_pdf", 120)
    if not isinstance(tex, str):
        raise _SymconvError(f"tex must be a str, but got {type(tex).__name__}")
    exe = engine or _shutil.which("pdflatex")
    if not exe:
        raise _SymconvError("pdflatex must be installed to compile a PDF, but it was not found on PATH")
    out_path = _Path(out_path)
    env = dict(_os.environ)
    env.update({"openin_any": "p", "openout_any": "p", "shell_escape": "f", "TEXMFOUTPUT": ""})
    with _tempfile.TemporaryDirectory(prefix="symconv-tex-") as tmp:
        src = _Path(tmp) / "doc.tex"
        src.write_text(tex, encoding="utf-8")
        for name, source in (files or {}).items():
            rel = _PurePosixPath(name)
            if rel.is_absolute() or not rel.parts or ".." in rel.parts or "\\" in name \
                    or rel.name == "doc.tex":
                raise _SymconvError(f"a file for pdflatex must have a relative name inside its "
                                   f"directory, but got {name!r}")
            target = _Path(tmp, *rel.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            _shutil.copyfile(source, target)
        cmd = [exe, "-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"]
        deadline = _time.monotonic() + seconds
        before = None
        for _run in range(_MAX_RUNS):
            try:
                proc = _subprocess.run(cmd, cwd=tmp, env=env, stdin=_subprocess.DEVNULL,
                                      capture_output=True,
                                      timeout=max(deadline - _time.monotonic(), 0.001))
            except _subprocess.TimeoutExpired:
                raise _SymconvError(f"pdflatex must finish within {seconds} s, but it timed out") from None
            # a table of contents, list of figures or cross-reference is read from the
            # auxiliary files of the run before: run again until they stop changing
            after = _aux_state(tmp)
            if proc.returncode != 0 or after == before:
                break
            before = after
        log_file = _Path(tmp) / "doc.log"
        log = log_file.read_text(encoding="latin-1") if log_file.exists() else proc.stdout.decode("latin-1")
        if log_path is not None:
            _Path(log_path).write_text(log, encoding="latin-1")
        pdf = _Path(tmp) / "doc.pdf"
        if proc.returncode != 0 or not pdf.exists() or "Undefined control sequence" in log:
            errors = [line for line in log.splitlines() if line.startswith("!")]
            detail = "; ".join(errors[:3]) or f"exit status {proc.returncode}"
            raise _SymconvError(f"the LaTeX document must compile, but pdflatex reported: {detail}")
        out_path.parent.mkdir(parents=True, exist_ok=True)
        _shutil.copyfile(pdf, out_path)
    return out_path
