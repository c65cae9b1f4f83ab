"""The safe math parser: untrusted text in, SymPy objects out, nothing executed.

Student answers, proof lines and command-line arguments are hostile text. This module
never hands them to ``eval``, ``exec``, ``sympify`` or ``parse_expr``: it tokenises the
text itself and parses it with its own Pratt (precedence-climbing) grammar, building
SymPy objects directly. Only the names, functions and LaTeX commands listed below exist;
anything else is rejected with a :class:`~symconv.errors.ParseError` that says what was
wrong and where (``error.position`` is the 0-based offset in the original text).

>>> parse_math("floor((n + 2p - k)/s) + 1")
floor((-k + n + 2*p)/s) + 1
>>> parse_math(r"\\left\\lfloor\\frac{n+2p-k}{s}\\right\\rfloor+1")
floor((-k + n + 2*p)/s) + 1
>>> parse_math("__import__('os').system('ls')")
Traceback (most recent call last):
...
symconv.errors.ParseError: answer rejected: names must not start or end with '_' (dunder names are not allowed) at position 0

The grammar in one screen
-------------------------
* Numbers: ``12``, ``1.25`` and ``.5`` are exact (``Rational``), ``1e-3`` is ``1/1000``
  (a number, ``e`` or ``E``, an optional sign and *digits*; ``2e`` and ``2e^t`` mean
  ``2*E`` and ``2*E**t``).
* Operators, loosest first: relations ``= == < <= > >= !=`` (one per expression, built
  unevaluated: ``Eq``, ``Lt``, ...); ``+ -``; ``* /``, ``//`` (floor division: ``a//b``
  is ``floor(a/b)``) and implicit multiplication (same precedence, left to right, so
  ``1/2n`` is ``n/2``); unary ``-``/``+``; ``^`` or ``**``
  (right-associative, ``-2^2`` is ``-4``); postfix ``!`` (factorial).
* Implicit multiplication: an operand followed by a name, ``(``, a function or a LaTeX
  atom multiplies: ``2n``, ``2(n+1)``, ``(a+b)(c)``, ``n k``, ``2 sqrt(n)``. A number never
  follows an operand implicitly (``2 3`` and ``(n+1)2`` are errors). A *function* name
  (built in, or declared with ``functions=``/``aliases=``) followed by ``(`` is a call; a
  declared symbol (``symbols=``) or a constant followed by ``(`` multiplies
  (``n(n+1)`` with ``n`` declared, ``pi(n+1)``); any other name followed by ``(`` is an
  error that lists the known functions and suggests the nearest ("unknown function
  'step'; did you mean 'u'?"; ``unknown_functions='multiply'`` keeps the old product).
  Names are maximal runs of letters, digits and ``_`` (``nk`` is one name), except that a
  name made only of letters that are all keys of ``symbols`` is split (``nk`` -> ``n*k``),
  and in LaTeX unknown multi-letter names are products of letters, as LaTeX means them.
* Functions: ``floor ceil ceiling abs Abs sqrt root exp log ln sin cos tan sinh cosh
  tanh sign sgn Si max min Max Min Mod mod factorial binomial conjugate conj re im``;
  signals ``u H Heaviside delta DiracDelta KroneckerDelta rect tri ramp sinc``, where
  ``sinc(t) = sin(pi t)/(pi t)``, normalised as ``numpy.sinc`` (the alias target
  'normalized sinc'; write ``sin(t)/t`` for the other convention); ``sum``/``Sum(body, (k, a,
  b))``, ``integrate``/``Integral(body, (t, a, b))`` (always unevaluated; one without free
  variables, such as ``sum(1/2^k, (k, 0, oo))``, is a number and is refused: the answer
  gives its value, see ``_Parser.not_a_bare_number``), ``Derivative``,
  ``Matrix``, ``Eq``. ``sqrt sin cos tan sinh cosh tanh exp log ln`` may also be applied without
  parentheses to the next power-level operand (``sqrt 2``, ``\\sin x``). ``u``, ``H`` and
  ``delta`` not followed by ``(``/``[`` are plain symbols. Signals and declared functions
  may be called with brackets: ``u[n]``, ``x[n-k]``.
* Constants: ``pi``, ``e``/``E`` (Euler's number), ``I`` (imaginary unit), ``j`` (imaginary
  unit when ``discrete=False``; an ordinary symbol when ``discrete=True``, where it is
  usually an index), ``oo``/``inf``/``infinity``. A name given in ``symbols`` always means
  that symbol, overriding constants and functions. With ``letters_are_symbols=True`` (lists
  of symbolic entries, ``symconv matrix --kernel``) the single letters ``e E I j`` are
  symbols, except ``e``/``E`` as the base of a power (``e^t`` is ``exp(t)``).
* Containers: ``[1, 2, 3]`` -> ``list``; ``[[1, 0], [0, 1]]`` or ``[1, 0; 0, 1]`` ->
  ``Matrix``; ``{1, 2}`` -> ``FiniteSet``; ``(1, 2)`` and a top-level ``1, 2`` -> ``tuple``.
* Cases (a ``Piecewise``): ``t for t >= 0, 0 otherwise`` (``if``/``when`` for ``for``,
  ``;`` between cases, ``else``/``elsewhere``/``for all other t`` for the last one),
  ``t if t >= 0 else 0``, ``Piecewise((t, t >= 0), (0, True))``. Conditions are
  relations, chains of inequalities ``0 <= t < 1``, ``t in [0, 1)``, joined with
  ``and``/``or`` (``&``/``|``, ``And(...)``/``Or(...)``). A condition alone is not a value.
* Absolute value bars ``|x|``; Unicode ``⌊x⌋ ⌈x⌉ √ − × · ÷ ≤ ≥ ≠ π ∞`` and Greek
  letters are read as their ASCII meaning. A run of superscript characters is an
  exponent (``x²`` is ``x^2``, ``2ⁿ⁺¹`` is ``2^(n+1)``, ``(1/2)ⁿ`` is ``(1/2)^n``), a run
  of subscript characters after a name is its subscript (``k₁`` is ``k_1``, which
  means a declared ``k1`` when there is no ``k_1``); full-width forms of ASCII
  characters are read as ASCII; any other non-ASCII character is rejected.

LaTeX
-----
With ``latex='auto'`` the text is read as LaTeX when it contains a backslash, ``$`` or
``&``. In LaTeX, braces group (``\\{ \\}`` make a set), ``^``/``_``/``\\frac``/``\\sqrt`` take
one character or one braced group, and ``\\left``/``\\right``/spacing commands are
ignored. Accepted commands: ``\\frac \\dfrac \\tfrac \\sqrt[n]{}``, ``\\cdot \\times \\ast
\\div``, ``\\le \\leq \\ge \\geq \\ne \\neq \\lt \\gt``, ``\\lfloor \\rfloor \\lceil \\rceil
\\lvert \\rvert \\vert``, ``\\sin \\cos \\tan \\exp \\log \\ln \\max \\min``, ``\\pi
\\infty``, ``\\sinh \\cosh \\tanh``, Greek letters (``\\lambda`` is the symbol ``lamda``, as in SymPy),
``\\operatorname{} \\mathrm{} \\text{}`` around a plain name, ``\\sum_{k=a}^{b}`` (the
body runs up to the next ``+``/``-`` at its level), ``\\int_a^b ... d\\tau`` (the integrand
runs up to the differential), ``\\begin{bmatrix|pmatrix|matrix|array} a & b \\\\ c & d
\\end{...}`` (``vmatrix`` is the determinant), ``\\begin{cases} t & t \\ge 0 \\\\ 0 &
\\text{otherwise} \\end{cases}`` (also ``\\left\\{\\begin{array}{ll} ... \\end{array}\\right.``),
``\\frac{d}{dt}`` and ``\\frac{d^2}{dt^2}`` (also with ``\\partial``) as the derivative of
the product that follows (``Derivative`` of order at most 8), ``\\in``, ``\\land``/``\\wedge``, ``\\lor``/``\\vee`` and ``\\text{for all other}``-style
words in conditions; a full stop ending a formula or a row is punctuation. Every other command (``\\input``, ``\\write18``, ``\\def``, ...) is rejected.
SymPy's own ``parse_latex`` is not used: it needs an extra dependency, and its grammar
was not written to face hostile text.

Limits
------
:class:`ParseLimits` bounds the length, the token count, the nesting depth, the digits
of integer literals, numeric exponents and the estimated size of numeric powers, and
factorial arguments. A violation raises ``ParseError("answer rejected: <reason> at
position <i>")`` before anything expensive happens, so ``10^10^10``, ``2^2^2^2^2^2``,
``factorial(10^9)``, a megabyte of text or ten thousand nested parentheses cost
microseconds. Numeric operations that could be slow even within the limits (a root of a
huge integer, ``floor`` of a huge number) are built unevaluated.

Why one module of this size: the tokenizer, the recursive-descent parser, the LaTeX
front end and the size/depth/time guards form one trust boundary for untrusted text;
every path into SymPy must pass the same guards, which is easiest to audit in one place
(the fuzzer in benchmarks/fuzz_parser.py and tests/test_hostile_input.py exercise it as
a whole).
"""

import keyword
import math
import unicodedata
from dataclasses import dataclass

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.logic.boolalg import Boolean

from symconv.errors import ParseError

__all__ = ["parse_math", "ParseLimits", "SIGNAL_ALIASES", "ALIAS_TARGETS", "known_function_names",
           "suggest_function"]


@dataclass(frozen=True)
class ParseLimits:
    """Resource bounds applied while parsing (all violations raise ``ParseError``).

    Attributes
    ----------
    max_length : int
        Maximum number of characters of the text (default 10,000).
    max_tokens : int
        Maximum number of tokens (default 4,000).
    max_depth : int
        Maximum nesting depth of brackets, groups and operators (default 100).
    max_digits : int
        Maximum digits of an integer literal, and of the estimated exact value of a
        numeric power (default 1,000).
    max_exponent : int
        Maximum absolute value of a numeric exponent (default 10,000).
    max_factorial : int
        Maximum numeric argument of ``factorial`` / ``binomial`` / ``!`` (default 1,000).
    max_name_length : int
        Maximum length of a name (default 64).

    >>> ParseLimits().max_length
    10000
    >>> parse_math("x^20000")
    Traceback (most recent call last):
    ...
    symconv.errors.ParseError: answer rejected: exponent 20000 exceeds the limit 10000 at position 1
    """

    max_length: int = 10_000
    max_tokens: int = 4_000
    max_depth: int = 100
    max_digits: int = 1_000
    max_exponent: int = 10_000
    max_factorial: int = 1_000
    max_name_length: int = 64


# --------------------------------------------------------------------------- characters

# Unicode characters with a safe ASCII meaning (anything else non-ASCII is rejected,
# unless NFKC maps it to printable ASCII, e.g. full-width digits).
_UNICODE = {
    "\u2212": "-", "\u2013": "-", "\u00d7": "*", "\u00b7": "*", "\u22c5": "*", "\u2219": "*",
    "\u2217": "*", "\u00f7": "/", "\u2215": "/", "\u2264": "<=", "\u2265": ">=", "\u2260": "!=",
    "\u03c0": " pi ", "\u221e": " oo ", "\u230a": "\u230a", "\u230b": "\u230b",
    "\u2308": "\u2308", "\u2309": "\u2309", "\u221a": " sqrt ", "\u2208": "\u2208",
    "\u2227": " and ", "\u2228": " or ",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2002": " ", "\u2003": " ",
}
_GREEK = ("alpha beta gamma delta epsilon zeta eta theta iota kappa lamda mu nu xi omicron "
          "pi rho sigma tau upsilon phi chi psi omega").split()
for _i, _g in enumerate(_GREEK):
    _UNICODE.setdefault(chr(0x3b1 + _i + (1 if _i >= 17 else 0)), f" {_g} ")
_UNICODE["\u03c2"] = " sigma "  # final sigma
_UNICODE["\u03d5"] = " phi "
_UNICODE["\u0394"] = " Delta "
_UNICODE["\u03a3"] = " Sigma "
_UNICODE["\u03a9"] = " Omega "
_UNICODE["\u03a6"] = " Phi "
_UNICODE["\u0398"] = " Theta "
_UNICODE["\u039b"] = " Lamda "
_UNICODE["\u03a0"] = " Pi "
_SUPERSCRIPT = {"\u2070": "0", "\u00b9": "1", "\u00b2": "2", "\u00b3": "3", "\u2074": "4",
                "\u2075": "5", "\u2076": "6", "\u2077": "7", "\u2078": "8", "\u2079": "9",
                "\u207b": "-"}


def _describe(ch):
    name = unicodedata.name(ch, "unnamed character")
    return f"U+{ord(ch):04X} ({name})"


def _script(ch):
    """'super' or 'sub' with the ASCII meaning of a superscript or subscript character
    (``ⁿ`` is ``('super', 'n')``, ``₂`` is ``('sub', '2')``), else None.

    NFKC folds these characters to plain letters and digits, which would silently
    change the meaning: ``2ⁿ + 1`` would read as ``2n + 1``. They are recognised
    here first, from their Unicode decomposition (``<super> 006E``)."""
    if ch in _SUPERSCRIPT:
        return "super", _SUPERSCRIPT[ch]
    decomposition = unicodedata.decomposition(ch)
    for tag in ("super", "sub"):
        if decomposition.startswith(f"<{tag}> "):
            codes = decomposition.split()[1:]
            if len(codes) != 1:
                return None
            base = chr(int(codes[0], 16))
            if base.isascii():
                meaning = base
            elif base in _UNICODE and _UNICODE[base].strip().isalpha():
                meaning = _UNICODE[base].strip()
            else:
                return None
            if not (meaning.isalnum() or meaning in "+-()"):
                return None
            return tag, meaning
    return None


def _normalise(text, limits):
    """Check characters and map safe Unicode to ASCII; return (text, origin positions).

    A run of superscript characters is an exponent: ``x²`` is ``x^2``,
    ``2ⁿ⁺¹`` is ``2^(n+1)``; a run of subscript characters after a name is
    its subscript: ``k₁`` is ``k_1``."""
    if len(text) > limits.max_length:
        raise ParseError(f"answer rejected: the text has {len(text)} characters, more than "
                         f"the limit {limits.max_length} at position {limits.max_length}",
                         limits.max_length)
    out, origin = [], []
    i, size = 0, len(text)
    while i < size:
        ch = text[i]
        code = ord(ch)
        if code < 128:
            if ch == "\x00":
                raise ParseError(f"answer rejected: NUL byte at position {i}", i)
            if (code < 32 and ch not in "\t\n\r") or code == 127:
                raise ParseError(f"answer rejected: control character U+{code:04X} at position {i}", i)
            out.append(ch)
            origin.append(i)
            i += 1
            continue
        script = _script(ch)
        if script is not None:
            tag, j, body, spans = script[0], i, "", []
            while j < size and (_script(text[j]) or (None,))[0] == tag:
                meaning = _script(text[j])[1]
                if body and body[-1].isalpha() and meaning[0].isalpha():
                    meaning = " " + meaning       # superscript letters are separate names
                body += meaning
                spans += [j] * len(meaning)
                j += 1
            if tag == "super":
                if body.isdigit():
                    mapped, spans = "^" + body, [i] + spans
                elif not body.replace("(", "").replace(")", "").strip():
                    raise ParseError(f"answer rejected: an empty superscript at position {i}", i)
                else:
                    mapped, spans = "^(" + body + ")", [i, i] + spans + [j - 1]
            else:
                if not (out and (out[-1].isalnum() or out[-1] == "_")) or not body.isalnum():
                    raise ParseError(f"answer rejected: a subscript ({_describe(ch)}) must follow "
                                     f"a name and hold letters or digits, at position {i}", i)
                mapped, spans = "_" + body, [i] + spans
            out.extend(mapped)
            origin.extend(spans)
            i = j
            continue
        category = unicodedata.category(ch)
        if ch in _UNICODE:
            mapped = _UNICODE[ch]
        elif category.startswith("C"):
            raise ParseError(f"answer rejected: invisible or control character {_describe(ch)} "
                             f"at position {i}", i)
        elif category == "Zs":
            mapped = " "
        else:
            folded = unicodedata.normalize("NFKC", ch)
            if len(folded) == 1 and 32 < ord(folded) < 127 and folded not in "\\'\"`":
                mapped = folded
            else:
                raise ParseError(f"answer rejected: unsupported character {_describe(ch)} "
                                 f"at position {i}", i)
        out.extend(mapped)
        origin.extend([i] * len(mapped))
        i += 1
    origin.append(len(text))
    return "".join(out), origin


def normalized_text(text, limits=None):
    """The text as the parser reads it: safe Unicode mapped to its ASCII meaning
    (full-width digits and stops, ``\u2212``, ``\u00d7``, Greek letters, ...).

    Checks on the *written form* of an answer (no decimal point, a fraction in lowest
    terms) must look at this text, not the raw one: ``0\uff0e75`` is the decimal 0.75.

    >>> normalized_text("0\uff0e75 \u2212 \uff11")
    '0.75 - 1'
    """
    return _normalise(text, limits or _DEFAULT_LIMITS)[0]


# --------------------------------------------------------------------------- tokens

class _Tok:
    __slots__ = ("kind", "value", "pos", "whole")

    def __init__(self, kind, value, pos, whole=False):
        self.kind = kind    # 'num' 'name' 'op' 'cmd' 'begin' 'end' 'eof'
        self.value = value
        self.pos = pos      # offset in the original text
        self.whole = whole  # a name from \alpha or \operatorname{..}: never split

    def __repr__(self):
        return f"_Tok({self.kind!r}, {self.value!r}, {self.pos})"

    def show(self):
        if self.kind == "eof":
            return "end of input"
        if self.kind == "cmd":
            return f"'\\{self.value}'"
        return f"'{self.value}'"


_GREEK_CMDS = {g: g for g in _GREEK if g not in ("omicron",)}
_GREEK_CMDS.update({"lambda": "lamda", "varepsilon": "epsilon", "vartheta": "theta",
                    "varphi": "phi", "varrho": "rho", "varsigma": "sigma", "varpi": "pi",
                    "Gamma": "Gamma", "Delta": "Delta", "Theta": "Theta", "Lambda": "Lamda",
                    "Xi": "Xi", "Pi": "Pi", "Sigma": "Sigma", "Phi": "Phi", "Psi": "Psi",
                    "Omega": "Omega", "Upsilon": "Upsilon", "infty": "oo"})
# LaTeX commands that become operator tokens
_CMD_OPS = {"cdot": "*", "times": "*", "ast": "*", "div": "/", "le": "<=", "leq": "<=",
            "leqslant": "<=", "ge": ">=", "geq": ">=", "geqslant": ">=", "ne": "!=",
            "neq": "!=", "lt": "<", "gt": ">", "lfloor": "\u230a", "rfloor": "\u230b",
            "lceil": "\u2308", "rceil": "\u2309", "lvert": "|", "rvert": "|", "vert": "|",
            "{": "\\{", "}": "\\}", "\\": "\\\\", "in": "\u2208"}
# LaTeX commands that become words of a condition (\\begin{cases} rows, case lists)
_CMD_WORDS = {"land": "and", "wedge": "and", "lor": "or", "vee": "or", "partial": "d"}
# LaTeX commands that are dropped (sizing, spacing, display style)
_CMD_SKIP = {"left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr",
             "biggl", "biggr", "Biggl", "Biggr", "displaystyle", "textstyle", "limits",
             "nolimits", "quad", "qquad", ",", ";", ":", "!", " ", "(", ")", "[", "]"}
# LaTeX commands kept as 'cmd' tokens and handled by the parser
_CMD_KEEP = {"frac", "dfrac", "tfrac", "sqrt", "sum", "int", "sin", "cos", "tan", "exp",
             "log", "ln", "max", "min", "sinh", "cosh", "tanh"}
# commands whose braced argument is a plain name
_CMD_NAME = {"operatorname", "mathrm", "text", "textrm", "mathit", "mathbf", "mathsf", "rm"}
# words of case lists and conditions ("t for t >= 0, 0 otherwise", "x if x > 0 else 0",
# "0 <= t and t < 1", Piecewise((t, t >= 0), (0, True))): Python keywords among them are
# plain words to this parser, which never executes anything; in an operand position
# they are refused
_CASE_WORDS = {"for", "if", "when", "where", "else", "otherwise", "elsewhere", "and", "or",
               "in", "True", "False"}
# words that may stand together in \text{...} ('\text{for all other } t')
_TEXT_WORDS = _CASE_WORDS | {"all", "other", "any", "values", "of", "the", "rest"}
_NOT_ALLOWED = (set(keyword.kwlist) | {"eval", "exec", "compile", "open", "getattr",
                                       "setattr", "delattr", "globals", "locals", "vars",
                                       "breakpoint", "exit", "quit"}) - _CASE_WORDS
_MATRIX_ENVS = {"bmatrix", "pmatrix", "matrix", "Bmatrix", "vmatrix", "array", "cases"}
_TWO_CHAR = {"**": "^", "//": "//", "==": "=", "<=": "<=", ">=": ">=", "!=": "!=", "=<": "<=", "=>": ">="}
_ONE_CHAR = set("+-*/^()[]{},=<>!|;\u230a\u230b\u2308\u2309\u2208")
_FORBIDDEN = {"'": "strings are not allowed", '"': "strings are not allowed",
              "`": "backquotes are not allowed", ":": "':' (slices, annotations) is not allowed",
              "@": "'@' is not allowed", "#": "'#' is not allowed", "%": "'%' is not allowed",
              "~": "'~' is not allowed", "?": "'?' is not allowed", "&": "'&' is only allowed in "
              "a LaTeX matrix", "$": "'$' is only allowed around LaTeX"}


def _tokenize(text, origin, latex, limits):
    toks = []
    i, n = 0, len(text)

    def err(msg, at):
        pos = origin[at]
        raise ParseError(f"answer rejected: {msg} at position {pos}", pos)

    def push(kind, value, at, whole=False):
        if len(toks) >= limits.max_tokens:
            err(f"more than {limits.max_tokens} tokens", at)
        toks.append(_Tok(kind, value, origin[at], whole))

    while i < n:
        ch = text[i]
        if ch in " \t\r\n" or (latex and ch == "$"):
            i += 1
            continue
        if ch.isdigit() or (ch == "." and i + 1 < n and text[i + 1].isdigit()):
            if ch == "." and i > 0 and (text[i - 1].isalnum() or text[i - 1] in "_)]}"):
                err("'.' (attribute access) is not allowed", i)
            j = i
            while j < n and text[j].isdigit():
                j += 1
            if j < n and text[j] == ".":
                if j + 1 < n and (text[j + 1].isalpha() or text[j + 1] in "_."):
                    err("'.' (attribute access) is not allowed", j)
                j += 1
                while j < n and text[j].isdigit():
                    j += 1
            # scientific notation: e/E, optional sign, at least one digit
            if j < n and text[j] in "eE":
                k = j + 1
                if k < n and text[k] in "+-":
                    k += 1
                if k < n and text[k].isdigit():
                    while k < n and text[k].isdigit():
                        k += 1
                    j = k
            literal = text[i:j]
            digits = sum(c.isdigit() for c in literal)
            if digits > limits.max_digits:
                err(f"a number with {digits} digits exceeds the limit of {limits.max_digits} digits", i)
            if "." in literal[1:] and j < n and text[j] == ".":
                err("'.' (attribute access) is not allowed", j)
            push("num", literal, i)
            i = j
            continue
        if ch.isalpha() or ch == "_":
            j = i
            if latex:
                while j < n and text[j].isalpha():
                    j += 1
                if j == i:          # '_' in LaTeX is the subscript operator
                    push("op", "_", i)
                    i += 1
                    continue
            else:
                while j < n and (text[j].isalnum() or text[j] == "_"):
                    j += 1
            name = text[i:j]
            if not latex and name.endswith("_") and not name.startswith("_") and "__" not in name \
                    and j < n and text[j] == "{":
                push("name", name[:-1], i)        # x_{1}: subscript written with braces
                push("op", "_", j - 1)
                i = j
                continue
            if name.startswith("_") or name.endswith("_") or "__" in name:
                err("names must not start or end with '_' (dunder names are not allowed)", i)
            if name in _NOT_ALLOWED:
                err(f"'{name}' is not allowed (answers are mathematics, not Python)", i)
            if len(name) > limits.max_name_length:
                err(f"a name longer than {limits.max_name_length} characters", i)
            push("name", name, i)
            i = j
            continue
        if ch == "\\":
            if not latex:
                err("'\\' (LaTeX) is not allowed when latex=False", i)
            j = i + 1
            while j < n and text[j].isalpha():
                j += 1
            if j == i + 1:
                if j >= n:
                    err("a lone '\\' at the end", i)
                j += 1
            cmd = text[i + 1:j]
            if cmd in ("left", "right") and j < n and text[j] == ".":
                i = j + 1
                continue
            if cmd in _CMD_SKIP:
                i = j
                continue
            if cmd in _CMD_OPS:
                push("op", _CMD_OPS[cmd], i)
                i = j
                continue
            if cmd in _CMD_WORDS:
                push("name", _CMD_WORDS[cmd], i, True)
                i = j
                continue
            if cmd in _GREEK_CMDS:
                push("name", _GREEK_CMDS[cmd], i, True)
                i = j
                continue
            if cmd in _CMD_KEEP:
                push("cmd", cmd, i)
                i = j
                continue
            if cmd in _CMD_NAME or cmd in ("begin", "end"):
                k = j
                while k < n and text[k] in " \t":
                    k += 1
                if k >= n or text[k] != "{":
                    err(f"'\\{cmd}' must be followed by '{{'", j)
                close = text.find("}", k + 1)
                if close < 0:
                    err(f"missing '}}' after '\\{cmd}{{'", k)
                inner = text[k + 1:close].strip()
                if cmd in ("begin", "end"):
                    if inner not in _MATRIX_ENVS:
                        err(f"LaTeX environment '{inner}' is not allowed (only "
                            f"{', '.join(sorted(_MATRIX_ENVS))})", k + 1)
                    push(cmd, inner, i)
                    if cmd == "begin" and inner == "array":
                        # the column specification, \begin{array}{ll}: layout only
                        m = close + 1
                        while m < n and text[m] in " \t":
                            m += 1
                        if m < n and text[m] == "{":
                            spec_end = text.find("}", m + 1)
                            spec = text[m + 1:spec_end] if spec_end > 0 else "?"
                            if spec_end < 0 or any(c not in "lcr| " for c in spec):
                                err("the column specification of an array must be letters "
                                    "l, c, r (e.g. {ll})", m)
                            close = spec_end
                else:
                    words = ("".join(" " if c in ",.;:" else c for c in inner).split()
                             if cmd == "text" else [inner])
                    if not words and cmd == "text":
                        i = close + 1
                        continue
                    if len(words) > 1 and not all(w in _TEXT_WORDS for w in words):
                        err(f"only a plain name, or words of a case such as 'for all other', "
                            f"is allowed inside '\\{cmd}{{...}}'", k + 1)
                    for word in words:
                        if not word.isascii() or not word.isalpha():
                            err(f"only a plain name is allowed inside '\\{cmd}{{...}}'", k + 1)
                        if len(word) > limits.max_name_length:
                            err(f"a name longer than {limits.max_name_length} characters", k + 1)
                        if word in _NOT_ALLOWED:
                            err(f"'{word}' is not allowed (answers are mathematics, not Python)",
                                k + 1)
                        push("name", word, i, True)
                i = close + 1
                continue
            err(f"LaTeX command '\\{cmd}' is not allowed", i)
        if ch == "&" and latex:
            push("op", "&", i)
            i += 1
            continue
        two = text[i:i + 2]
        if two in _TWO_CHAR:
            push("op", _TWO_CHAR[two], i)
            i += 2
            continue
        if ch in _ONE_CHAR:
            push("op", ch, i)
            i += 1
            continue
        if ch == ".":
            rest = text[i + 1:].lstrip(" \t")
            if latex and (not rest or rest[0] in "\\$&"):
                i += 1                     # a full stop ending a LaTeX formula or row
                continue
            err("'.' (attribute access) is not allowed", i)
        if ch in _FORBIDDEN:
            err(_FORBIDDEN[ch], i)
        err(f"unexpected character {ch!r}", i)
    toks.append(_Tok("eof", None, origin[n]))
    return toks


# --------------------------------------------------------------------------- sizes

def _coefficient_digits(expr):
    """Digits bound of the largest numeric coefficient in ``expr`` (of the number itself,
    of a product's numeric factor, or of the largest over a sum's terms)."""
    if isinstance(expr, sp.Add):
        bounds = [_coefficient_digits(term) for term in expr.args]
        return None if any(b is None for b in bounds) else max(bounds)
    if isinstance(expr, sp.Mul):
        expr = expr.as_coeff_Mul()[0]
    elif isinstance(expr, sp.Expr) and expr.free_symbols:
        return 0.0
    return _digits_bound(expr)


def _digits_bound(expr, depth=0):
    """Upper bound on log10 of the numerator and denominator of a numeric expression
    (about its number of digits); ``None`` when it has free symbols or is not understood."""
    if depth > 200:
        return None
    if isinstance(expr, sp.Integer):
        p = abs(int(expr))
        return math.log10(p) if p > 1 else 0.0
    if isinstance(expr, sp.Rational):
        return max(_digits_bound(sp.Integer(expr.p)), _digits_bound(sp.Integer(expr.q)))
    if isinstance(expr, sp.Float):
        return 20.0
    if expr in (sp.pi, sp.E, sp.I, sp.oo, -sp.oo, sp.zoo, sp.nan):
        return 1.0
    if isinstance(expr, sp.Pow):
        b = _digits_bound(expr.base, depth + 1)
        e = _digits_bound(expr.exp, depth + 1)
        if b is None or e is None:
            return None
        if e > 7:
            return math.inf
        return b * _exponent_value_bound(expr.exp)
    if isinstance(expr, (sp.Mul, sp.Add)):
        total = 0.0
        for a in expr.args:
            d = _digits_bound(a, depth + 1)
            if d is None:
                return None
            total += d
        return total + math.log10(len(expr.args))
    if isinstance(expr, sp.factorial):
        d = _digits_bound(expr.args[0], depth + 1)
        if d is None:
            return None
        if d > 7:
            return math.inf
        v = 10.0 ** d
        return v * math.log10(v + 1)
    return None


def _costly(expr):
    """Whether SymPy's automatic evaluation of a function of ``expr`` may run for long:
    it holds a Sum/Integral/Product (evaluated term by term or numerically), a power with
    a high integer exponent (re/im of it expand the power), or an exponential of a large
    or unbounded number (its integer part has a huge number of digits)."""
    if not isinstance(expr, sp.Basic):
        return False
    if expr.has(sp.Sum, sp.Integral, sp.Product):
        return True
    for p in expr.atoms(sp.Pow):
        if p.exp.is_Integer and abs(p.exp) > 64:
            return True
    for e in expr.atoms(sp.exp):
        if e.args[0].is_number:
            d = _digits_bound(e.args[0])
            if d is None or d > 3:
                return True
    return False


def _exponent_value_bound(exp):
    """Upper bound on |exp| for a numeric exponent whose digits are already bounded."""
    if isinstance(exp, sp.Rational):
        return abs(exp.p)
    return 10.0 ** (_digits_bound(exp) or 0)


# --------------------------------------------------------------------------- parser

def _is_condition(x):
    """A relation, a conjunction/disjunction of them, or True/False (a SymPy Symbol is
    also a ``Boolean``: not a condition here)."""
    return isinstance(x, Boolean) and not isinstance(x, sp.Expr)


def _kind_name(x):
    """What a parsed object is, in words (for messages)."""
    if _is_condition(x):
        return "a condition"
    if isinstance(x, sp.MatrixBase):
        return "a matrix"
    return {list: "a list", tuple: "a tuple"}.get(type(x), "an expression")


_BP_OR, _BP_AND = 4, 6
_BP_REL, _BP_ADD, _BP_MUL, _BP_UNARY, _BP_POW, _BP_POSTFIX = 10, 20, 30, 35, 40, 50
_INEQUALITIES = ("<", "<=", ">", ">=")
_CASE_START = ("for", "if", "when", "where")
_OTHERWISE = ("otherwise", "else", "elsewhere")
_MAX_PIECES = 32
_MAX_ORDER = 8          # of a derivative: Derivative(exp(t^2), t, t, ...) grows fast
_RELATIONS = {"=": sp.Eq, "<": sp.Lt, "<=": sp.Le, ">": sp.Gt, ">=": sp.Ge, "!=": sp.Ne}
_CONSTANTS = {"pi": sp.pi, "e": sp.E, "E": sp.E, "I": sp.I, "oo": sp.oo, "inf": sp.oo,
              "infinity": sp.oo, "infty": sp.oo}
# single-letter constants that are symbols with ``letters_are_symbols=True``
_LETTER_CONSTANTS = ("e", "E", "I", "j")
# builtin functions that may be applied without parentheses to the next operand
_PREFIX_FUNCS = {"sqrt", "sin", "cos", "tan", "exp", "log", "ln", "sinh", "cosh", "tanh"}
# builtins whose meaning is a convention: with unknown_functions='multiply' (the grader,
# which names the conventions in its feedback) they are unknown unless an alias names one
_CONVENTION_FUNCS = {"sinc"}
_SINC_NOTE = "sinc(t) = sin(pi t)/(pi t), normalised as NumPy's numpy.sinc"
# other names people write for the known functions: name -> what to write instead
_FUNCTION_SYNONYMS = {
    "step": "u", "Step": "u", "U": "u", "unitstep": "u", "heaviside": "Heaviside",
    "theta": "u", "Theta": "u", "epsilon": "u", "sigma": "u",
    "dirac": "delta", "Dirac": "delta", "impulse": "delta", "Delta": "delta", "d": "delta",
    "Rect": "rect", "rectangle": "rect", "Pi": "rect", "Tri": "tri", "triangle": "tri",
    "Lambda": "tri", "Lamda": "tri", "r": "ramp", "Ramp": "ramp", "R": "ramp",
    "Sign": "sign", "signum": "sign", "Sinc": "sinc", "si": "Si", "SI": "Si",
    "Exp": "exp", "Sin": "sin", "Cos": "cos", "Log": "log", "arcsin": "asin",
}
# builtin function names that are plain symbols when not called
_SYMBOL_LIKE = {"u", "H", "delta"}
# functions that may be called with brackets, x[n]
_BRACKET_FUNCS = {"u", "H", "Heaviside", "delta", "DiracDelta", "KroneckerDelta", "rect",
                  "tri", "ramp", "sinc"}


class _Parser:
    def __init__(self, toks, *, discrete, functions, symbols, latex, limits, evaluate,
                 aliases=None, unknown_functions="error", letters_are_symbols=False, source=""):
        self.toks = toks
        self.aliases = aliases or {}
        self.strict_calls = unknown_functions == "error"
        self.letters = bool(letters_are_symbols)
        self.source = source
        self.i = 0
        self.discrete = discrete
        self.functions = functions
        self.symbols = symbols
        self.latex = latex
        self.limits = limits
        self.ev = evaluate
        self.depth = 0
        self.abs_depth = 0
        self.in_integral = 0

    # ---- token helpers
    @property
    def tok(self):
        return self.toks[self.i]

    def peek(self, k=1):
        return self.toks[min(self.i + k, len(self.toks) - 1)]

    def advance(self):
        t = self.toks[self.i]
        if t.kind != "eof":
            self.i += 1
        return t

    def is_op(self, value, tok=None):
        t = tok or self.tok
        return t.kind == "op" and t.value == value

    def expect(self, value, opener=None):
        if self.tok.kind == "name" and self.tok.value in _CASE_WORDS - {"True", "False"}:
            self.fail(f"'{self.tok.value}' is not allowed here (answers are mathematics, not "
                      f"Python; cases are written 't for t >= 0, 0 otherwise')", self.tok.pos)
        if not self.is_op(value):
            where = f" to close the {opener.show()} at position {opener.pos}" if opener else ""
            self.fail(f"expected '{value}'{where}, but found {self.tok.show()}", self.tok.pos,
                      syntax=True)
        return self.advance()

    def fail(self, msg, pos, syntax=False):
        prefix = "cannot parse" if syntax else "answer rejected"
        raise ParseError(f"{prefix}: {msg} at position {pos}", pos)

    # ---- entry
    def parse(self):
        if self.tok.kind == "eof":
            self.fail("the answer is empty", 0, syntax=True)
        first = self.parse_expr(0)
        if self.tok.kind == "name" and self.tok.value in _CASE_START + _OTHERWISE:
            result = self.case_list(first)
        elif self.is_op(","):
            items = [first]
            while self.is_op(","):
                self.advance()
                if self.tok.kind == "eof":
                    break
                items.append(self.parse_expr(0))
            result = tuple(items)
        else:
            result = first
        if self.tok.kind != "eof":
            t = self.tok
            if t.kind == "num":
                self.fail(f"missing operator before the number {t.show()}", t.pos, syntax=True)
            self.fail(f"unexpected {t.show()}", t.pos, syntax=True)
        return result

    # ---- cases and conditions
    def is_word(self, *words):
        return self.tok.kind == "name" and self.tok.value in words

    def case_list(self, first):
        """``t for t >= 0, 0 otherwise`` (also ``if``/``when``, ``;`` between the
        cases, ``else``/``elsewhere``) and ``t if t >= 0 else 0``: a Piecewise."""
        start = self.tok.pos
        pieces, value = [], first
        while True:
            cond = self.case_condition()
            pieces.append((value, cond, self.tok.pos))
            if cond is sp.true:
                while self.is_op(",") or self.is_op(";"):
                    self.advance()
                break
            if self.is_word("else"):
                self.advance()
                value = self.parse_expr(0)
                if self.is_word(*_CASE_START):
                    continue
                pieces.append((value, sp.true, self.tok.pos))
                break
            if self.is_op(",") or self.is_op(";"):
                self.advance()
                if self.tok.kind == "eof":
                    break
                value = self.parse_expr(0)
                if not self.is_word(*_CASE_START, *_OTHERWISE):
                    self.fail("each case needs a condition ('for t >= 0') or 'otherwise'",
                              self.tok.pos, syntax=True)
                continue
            break
        return self.piecewise(pieces, start)

    def case_condition(self, start_word_needed=True):
        """The condition of one case: ``for <condition>``, ``otherwise``, ``for all
        other t``; in a LaTeX ``cases`` row the leading word is optional."""
        if self.is_word(*_OTHERWISE):
            self.advance()
            return sp.true
        if self.is_word(*_CASE_START):
            self.advance()
        elif start_word_needed:
            self.fail("expected 'for', 'if' or 'otherwise'", self.tok.pos, syntax=True)
        if self.is_word("all", "other", "any", *_OTHERWISE):
            # 'for all other t', 'for other values of t': the remaining case
            while self.tok.kind == "name" and not self.is_word("and", "or"):
                self.advance()
            return sp.true
        t = self.tok
        cond = self.parse_expr(0)
        if not _is_condition(cond):
            self.fail(f"a case needs a condition such as t >= 0, but got {_kind_name(cond)}",
                      t.pos, syntax=True)
        return cond

    def interval_condition(self, x, t):
        """``t in [0, 1)``, ``t \\in (a, b]``: the conjunction of two inequalities."""
        if not (self.is_op("[") or self.is_op("(")):
            self.fail("'in' must be followed by an interval such as [0, 1)", self.tok.pos,
                      syntax=True)
        opener = self.advance()
        lo = self.parse_expr(_BP_REL)
        self.expect(",", opener)
        hi = self.parse_expr(_BP_REL)
        if not (self.is_op("]") or self.is_op(")")):
            self.fail(f"expected ']' or ')' to close the interval at position {opener.pos}",
                      self.tok.pos, syntax=True)
        closer = self.advance()
        self.scalar(x, t.pos)
        low = self.relation("<=" if opener.value == "[" else "<", lo, x, t.pos)
        high = self.relation("<=" if closer.value == "]" else "<", x, hi, t.pos)
        return sp.And(low, high)

    def piecewise(self, pieces, pos):
        """A Piecewise from ``[(value, condition, position), ...]``, checked."""
        if len(pieces) > _MAX_PIECES:
            self.fail(f"more than {_MAX_PIECES} cases", pos)
        args = []
        for value, cond, at in pieces:
            self.scalar(value, at, "a value for each case")
            if not _is_condition(cond):
                self.fail(f"a case needs a condition such as t >= 0, but got {_kind_name(cond)}",
                          at, syntax=True)
            if cond.has(sp.Piecewise) or cond.atoms(sp.Sum, sp.Integral):
                # SymPy rewrites such a condition into sets (exponential in the nesting)
                self.fail("a condition must not contain a piecewise function, a sum or an "
                          "integral", at)
            args.append((value, cond))
        return sp.Piecewise(*args, evaluate=self.ev)

    # ---- Pratt core
    def parse_expr(self, min_bp):
        self.depth += 1
        if self.depth > self.limits.max_depth:
            self.fail(f"nesting deeper than {self.limits.max_depth} levels", self.tok.pos)
        wraps = 0   # '!' and '//' wrap ``left`` in a function: each counts as a level
        try:
            left = self.nud()
            while True:
                t = self.tok
                if (t.kind == "name" and t.value in ("and", "or")) or self.is_op("&") \
                        or (self.is_op("|") and _is_condition(left)):
                    if self.latex and self.is_op("&") and not _is_condition(left):
                        break                 # a column separator of a LaTeX matrix
                    conj = t.value in ("and", "&")
                    if (_BP_AND if conj else _BP_OR) <= min_bp:
                        break
                    self.advance()
                    right = self.parse_expr(_BP_AND if conj else _BP_OR)
                    for side in (left, right):
                        if not _is_condition(side):
                            self.fail(f"'{t.value}' joins conditions such as t >= 0, but got "
                                      f"{_kind_name(side)}", t.pos, syntax=True)
                    left = (sp.And if conj else sp.Or)(left, right)
                    continue
                if t.kind == "name" and t.value == "in" and isinstance(left, sp.Expr):
                    if _BP_REL <= min_bp:
                        break
                    self.advance()
                    left = self.interval_condition(left, t)
                    continue
                if t.kind == "op" and t.value in ("!", "//"):
                    if self.depth + wraps + 1 > self.limits.max_depth:
                        self.fail(f"nesting deeper than {self.limits.max_depth} levels", t.pos)
                if self.in_integral and self.at_differential():
                    break
                if t.kind == "op":
                    v = t.value
                    if v in ("+", "-"):
                        if _BP_ADD <= min_bp:
                            break
                        # collect the whole flat sum and build it once: adding term by
                        # term re-flattens the growing Add at every '+' (quadratic)
                        terms, first = [left], t.pos
                        while self.tok.kind == "op" and self.tok.value in ("+", "-") \
                                and not (self.in_integral and self.at_differential()):
                            op = self.tok
                            self.advance()
                            right = self.parse_expr(_BP_ADD)
                            terms.append((self.neg(right, op.pos) if op.value == "-" else right,
                                          op.pos))
                        left = self.add_terms(terms[0], terms[1:], first)
                        continue
                    if v in ("*", "/", "//"):
                        if _BP_MUL <= min_bp:
                            break
                        if v in ("*", "/") and not isinstance(left, sp.MatrixBase):
                            left = self.product_chain(left)
                            continue
                        self.advance()
                        right = self.parse_expr(_BP_MUL)
                        if v == "*":
                            left = self.mul(left, right, t.pos)
                        elif v == "/":
                            left = self.div(left, right, t.pos)
                        else:
                            wraps += 1
                            quotient = self.div(left, right, t.pos)
                            if wraps > 1 and isinstance(quotient, sp.Expr) and quotient.free_symbols:
                                # a chain a//b//c: floor of a floor quotient, which SymPy
                                # cannot simplify anyway; evaluating it costs more per level
                                left = sp.floor(quotient, evaluate=False)
                            else:
                                left = self.call_builtin("floor", [quotient], t.pos)
                        continue
                    if v == "^":
                        if _BP_POW <= min_bp:
                            break
                        self.advance()
                        right = self.exponent()
                        left = self.power(left, right, t.pos)
                        continue
                    if v == "!":
                        if _BP_POSTFIX <= min_bp:
                            break
                        self.advance()
                        wraps += 1
                        left = self.call_builtin("factorial", [left], t.pos)
                        continue
                    if v in _RELATIONS:
                        if _BP_REL <= min_bp:
                            break
                        self.advance()
                        right = self.parse_expr(_BP_REL)
                        left = self.relation(v, left, right, t.pos)
                        while self.tok.kind == "op" and self.tok.value in _RELATIONS:
                            op = self.tok
                            if v not in _INEQUALITIES or op.value not in _INEQUALITIES:
                                self.fail("chained relations are not supported (except "
                                          "inequalities such as 0 <= t < 1)", op.pos, syntax=True)
                            self.advance()
                            further = self.parse_expr(_BP_REL)
                            left = sp.And(left, self.relation(op.value, right, further, op.pos))
                            right = further
                        continue
                    if v == "\u2208":
                        if _BP_REL <= min_bp:
                            break
                        self.advance()
                        left = self.interval_condition(left, t)
                        continue
                    if v == "|" and self.abs_depth > 0:
                        break
                if self.starts_atom(t):
                    if _BP_MUL <= min_bp:
                        break
                    if not isinstance(left, sp.MatrixBase):
                        left = self.product_chain(left)
                        continue
                    right = self.parse_expr(_BP_MUL)
                    left = self.mul(left, right, t.pos)
                    continue
                if t.kind == "num":
                    self.fail(f"missing operator before the number {t.show()}", t.pos, syntax=True)
                break
            return left
        finally:
            self.depth -= 1

    def starts_atom(self, t):
        if t.kind == "name":
            return t.value not in _CASE_WORDS
        if t.kind == "begin":
            return True
        if t.kind == "cmd":
            return True
        if t.kind == "op":
            return t.value in ("(", "\u230a", "\u2308") or (t.value in "{[" and self.latex) \
                or (t.value == "|" and self.abs_depth == 0)
        return False

    def at_differential(self):
        t = self.tok
        if t.kind != "name":
            return False
        if t.value == "d":
            return self.peek().kind == "name"
        return len(t.value) == 2 and t.value[0] == "d" and t.value[1].isalpha()

    # ---- prefix positions
    def nud(self):
        t = self.advance()
        k, v = t.kind, t.value
        if k == "num":
            return self.number(t)
        if k == "name":
            return self.name(t)
        if k == "cmd":
            return self.command(t)
        if k == "begin":
            return self.latex_matrix(t)
        if k == "op":
            if v == "-":
                operand = self.parse_expr(_BP_UNARY)
                return self.neg(operand, t.pos)
            if v == "+":
                operand = self.parse_expr(_BP_UNARY)
                self.scalar(operand, t.pos)
                return operand
            if v == "(":
                return self.paren(t)
            if v == "[":
                return self.bracket(t)
            if v == "{":
                if self.latex:
                    inner = self.parse_expr(0)
                    self.expect("}", t)
                    return inner
                return self.set_literal(t, "}")
            if v == "\\{":
                if self.tok.kind == "begin" and self.tok.value in ("array", "cases"):
                    # \left\{ \begin{array}{ll} ... \end{array} \right. : a case list
                    cases = self.latex_cases(self.advance())
                    if self.is_op("\\}"):
                        self.advance()
                    return cases
                return self.set_literal(t, "\\}")
            if v == "|":
                self.abs_depth += 1
                try:
                    inner = self.parse_expr(0)
                finally:
                    self.abs_depth -= 1
                self.expect("|", t)
                return self.call_builtin("Abs", [inner], t.pos)
            if v in ("\u230a", "\u2308"):
                inner = self.parse_expr(0)
                close = "\u230b" if v == "\u230a" else "\u2309"
                self.expect(close, t)
                return self.call_builtin("floor" if v == "\u230a" else "ceiling", [inner], t.pos)
        if k == "eof":
            self.fail("the answer ends too early", t.pos, syntax=True)
        self.fail(f"unexpected {t.show()}", t.pos, syntax=True)

    def number(self, t):
        text = t.value
        if text.endswith("."):
            text = text[:-1]
        mantissa, _, exp10 = text.replace("E", "e").partition("e")
        value = sp.Rational(mantissa) if "." in mantissa else sp.Integer(mantissa)
        if exp10:
            e = int(exp10)
            if abs(e) > self.limits.max_digits:
                self.fail(f"exponent 10^{e} exceeds the limit of {self.limits.max_digits} digits", t.pos)
            value = value * sp.Integer(10) ** e
        return value

    def exponent(self):
        if self.latex or self.is_op("{"):
            return self.latex_arg("exponent")
        return self.parse_expr(_BP_POW - 1)

    # ---- names
    def symbol(self, name):
        if name in self.symbols:
            return self.symbols[name]
        if "_" in name and name.replace("_", "") in self.symbols:
            return self.symbols[name.replace("_", "")]      # k_1 (or k₁) for a declared k1
        if self.letters and name in _LETTER_CONSTANTS:
            pass                      # a single letter in an entry list is a symbol
        elif name in _CONSTANTS:
            return _CONSTANTS[name]
        elif name == "j" and not self.discrete:
            return sp.I
        if self.discrete:
            return sp.Symbol(name, integer=True)
        return sp.Symbol(name)

    def name(self, t):
        name = t.value
        if name in _CASE_WORDS and name not in self.symbols:
            if name in ("True", "False"):
                return sp.true if name == "True" else sp.false
            self.fail(f"'{name}' can only join cases or conditions, as in 't for t >= 0, 0 "
                      f"otherwise' or '0 <= t and t < 1'", t.pos, syntax=True)
        if self.is_op("_"):
            return self.subscript(t)
        if name in self.symbols:
            return self.symbols[name]
        if name in self.functions:
            return self.call_declared(t)
        if name in self.aliases and (self.is_op("(") or self.is_op("[")):
            return self.call_alias(t)
        if name in _BUILTINS and (self.strict_calls or name not in _CONVENTION_FUNCS):
            nxt = self.tok
            if self.is_op("(") or (self.is_op("[") and name in _BRACKET_FUNCS):
                return self.call(t)
            if name in _SYMBOL_LIKE:
                return self.symbol(name)
            if name in _PREFIX_FUNCS:
                if nxt.kind == "eof" or not (self.starts_atom(nxt) or nxt.kind == "num"
                                             or self.is_op("-")):
                    self.fail(f"function '{name}' needs an argument", nxt.pos, syntax=True)
                arg = self.parse_expr(_BP_UNARY)
                return self.call_builtin(name, [arg], t.pos)
            self.fail(f"function '{name}' must be followed by '('", nxt.pos, syntax=True)
        if self.letters and name in ("e", "E") and self.is_op("^"):
            return sp.E                # e^t: Euler's number even where letters are symbols
        if self.is_op("(") and self.strict_calls and not self.is_constant(name) \
                and not (self.symbols and name.isalpha() and all(c in self.symbols for c in name)):
            self.unknown_function(t)
        if name in _CONSTANTS or len(name) == 1:
            return self.symbol(name)
        if self.latex and name.isalpha() and not t.whole:
            return self.split_name(t)
        if self.symbols and name.isalpha() and all(c in self.symbols for c in name):
            return self.split_name(t)
        return self.symbol(name)

    def split_name(self, t):
        result = None
        for offset, ch in enumerate(t.value):
            atom = self.symbol(ch)
            result = atom if result is None else self.mul(result, atom, t.pos + offset)
        return result

    def subscript(self, t):
        """``x_1``, ``x_{n}`` -> Symbol('x_1'), 'x_n'; ``x_{n-k}`` for a declared function."""
        under = self.advance()
        if t.value in self.functions:
            arg = self.latex_arg()
            return self.apply_function(t, [arg])
        if t.value == "delta" and self.latex and self.is_op("{"):
            pair = self.kronecker_indices()
            if pair is not None:
                return sp.KroneckerDelta(*pair)
        pieces = []
        if self.is_op("{"):
            opener = self.advance()
            while self.tok.kind in ("name", "num"):
                pieces.append(self.advance().value)
            if not pieces or not self.is_op("}"):
                self.fail("a subscript must be a name or a number (declare a function with "
                          "functions=... to write x_{n-k})", under.pos, syntax=True)
            self.expect("}", opener)
        elif self.tok.kind in ("name", "num"):
            nxt = self.tok
            pieces.append(nxt.value[0])
            if len(nxt.value) > 1 and self.latex:
                self.toks[self.i] = _Tok(nxt.kind, nxt.value[1:], nxt.pos + 1)
            else:
                pieces[-1] = nxt.value
                self.advance()
        else:
            self.fail("a subscript must be a name or a number", under.pos, syntax=True)
        name = f"{t.value}_{''.join(pieces)}"
        if len(name) > self.limits.max_name_length:
            self.fail(f"a name longer than {self.limits.max_name_length} characters", t.pos)
        if self.is_op("(") and self.strict_calls and name not in self.symbols \
                and name.replace("_", "") not in self.symbols:
            self.unknown_function(_Tok("name", name, t.pos))
        return self.symbol(name)

    def is_constant(self, name):
        """Whether ``name`` is a constant here (``pi(n + 1)`` multiplies)."""
        if self.letters and name in _LETTER_CONSTANTS:
            return False
        return name in _CONSTANTS or (name == "j" and not self.discrete)

    def unknown_function(self, t):
        """Refuse ``name(...)`` for a name that is neither a known function nor declared:
        it used to be read as a product (``sinc(t)`` as ``sinc*t``), silently."""
        name = t.value
        opener = self.tok
        depth, k, close = 0, self.i, None
        while self.toks[k].kind != "eof":
            tok = self.toks[k]
            if tok.kind == "op" and tok.value in ("(", "[", "{"):
                depth += 1
            elif tok.kind == "op" and tok.value in (")", "]", "}"):
                depth -= 1
                if depth == 0:
                    close = tok
                    break
            k += 1
        group = "(...)"
        if close is not None and self.source and close.pos < len(self.source):
            written = self.source[opener.pos:close.pos + 1]
            if len(written) <= 40 and written.isascii():
                group = written
        message = f"unknown function '{name}'"
        guess = suggest_function(name, extra=tuple(self.functions) + tuple(self.aliases))
        if guess:
            message += f"; did you mean '{guess}'?"
            if guess == "sinc":
                message += f" ({_SINC_NOTE})"
        message += (f" (known functions: {', '.join(known_function_names(self.functions, self.aliases))}"
                    f"; declare '{name}' as a function, e.g. functions=('{name}',), or "
                    f"write {name}*{group} for a product)")
        self.fail(message, t.pos, syntax=True)

    def kronecker_indices(self):
        """``\\delta_{n,k}``, ``\\delta_{n k}`` (as sympy.latex prints KroneckerDelta) or
        ``\\delta_{n-k,0}``: the two indices, or None (then ``delta_{..}`` is a name)."""
        toks, i = self.toks, self.i
        simple = ("num", "name")
        if toks[i + 1].kind in simple and toks[i + 2].kind in simple \
                and toks[i + 3].kind == "op" and toks[i + 3].value == "}" \
                and (toks[i + 1].kind == "num" or len(toks[i + 1].value) == 1 or toks[i + 1].whole):
            first, second = toks[i + 1], toks[i + 2]
            self.i = i + 4
            return [self.number(x) if x.kind == "num" else self.symbol(x.value)
                    for x in (first, second)]
        depth, k = 0, i + 1
        while toks[k].kind != "eof":       # a comma at the top level of the group
            if toks[k].kind == "op" and toks[k].value in ("{", "(", "["):
                depth += 1
            elif toks[k].kind == "op" and toks[k].value in ("}", ")", "]"):
                if depth == 0:
                    return None
                depth -= 1
            elif depth == 0 and toks[k].kind == "op" and toks[k].value == ",":
                break
            k += 1
        else:
            return None
        opener = self.advance()
        first = self.scalar(self.parse_expr(0), opener.pos)
        self.expect(",", opener)
        second = self.scalar(self.parse_expr(0), opener.pos)
        self.expect("}", opener)
        return [first, second]

    # ---- calls
    def call_args(self, opener):
        close = ")" if opener.value == "(" else "]"
        args = []
        if self.is_op(close):
            self.advance()
            return args
        while True:
            args.append(self.parse_expr(0))
            if self.is_op(","):
                self.advance()
                continue
            self.expect(close, opener)
            return args

    def call_declared(self, t):
        if not (self.is_op("(") or self.is_op("[")):
            self.fail(f"function '{t.value}' must be followed by '(' or '['", self.tok.pos,
                      syntax=True)
        opener = self.advance()
        args = self.call_args(opener)
        return self.apply_function(t, args)

    def apply_function(self, t, args):
        if not args:
            self.fail(f"function '{t.value}' needs at least one argument", t.pos, syntax=True)
        for a in args:
            self.scalar(a, t.pos)
        return self.functions[t.value](*args)

    def call(self, t):
        opener = self.advance()
        args = self.call_args(opener)
        return self.call_builtin(t.value, args, t.pos)

    def call_alias(self, t):
        """Another notation for a signal (``theta(t)`` for ``u(t)`` when asked for)."""
        opener = self.advance()
        args = self.call_args(opener)
        target = self.aliases[t.value]
        if target == "u":
            target = "H"               # theta(n, 1), as sympy.latex prints Heaviside(n, 1)
        if target in _SINC:
            if len(args) != 1:
                self.fail(f"function '{t.value}' takes 1 argument(s), but got {len(args)}", t.pos,
                          syntax=True)
            x = self.scalar(args[0], t.pos)
            return sp.sinc(sp.pi * x if target == "normalized sinc" else x)
        return self.call_builtin(target, args, t.pos)

    def call_builtin(self, name, args, pos):
        spec = _BUILTINS[name]
        lo, hi, build = spec
        if not lo <= len(args) <= hi:
            want = str(lo) if lo == hi else (f"{lo} or more" if hi == math.inf else f"{lo} to {hi}")
            self.fail(f"function '{name}' takes {want} argument(s), but got {len(args)}", pos,
                      syntax=True)
        return build(self, args, pos)

    # ---- LaTeX
    def latex_arg(self, what="argument"):
        """One LaTeX argument: a braced group, or a single character or command."""
        t = self.tok
        if self.is_op("{"):
            opener = self.advance()
            inner = self.parse_expr(0)
            self.expect("}", opener)
            return inner
        if t.kind == "num" and self.latex and len(t.value) > 1:
            if what != "fraction":
                self.fail(f"write a multi-digit {what} in braces, e.g. ^{{{t.value}}}", t.pos,
                          syntax=True)
            if not t.value[:2].isdigit():
                self.fail(f"write this {what} in braces", t.pos, syntax=True)
            self.toks[self.i] = _Tok("num", t.value[1:], t.pos + 1)
            return sp.Integer(t.value[0])
        if t.kind == "name" and self.latex and len(t.value) > 1 and not t.whole \
                and not (t.value in self.symbols or t.value in _CONSTANTS
                         or t.value in self.functions or t.value in _BUILTINS):
            self.toks[self.i] = _Tok("name", t.value[1:], t.pos + 1)
            return self.symbol(t.value[0])
        if self.is_op("-"):
            op = self.advance()
            return self.neg(self.latex_arg(what), op.pos)
        if t.kind in ("num", "name", "cmd") or self.is_op("(") or self.is_op("|") \
                or self.is_op("\u230a") or self.is_op("\u2308"):
            self.depth += 1
            try:
                return self.nud()
            finally:
                self.depth -= 1
        self.fail(f"expected an {what}, but found {t.show()}", t.pos, syntax=True)

    def command(self, t):
        c = t.value
        if c in ("frac", "dfrac", "tfrac"):
            operator = self.derivative_operator()
            if operator is not None:
                var, order = operator
                body = self.parse_expr(_BP_ADD)
                return self.derivative(body, [var] * order, t.pos)
            num = self.latex_arg("fraction")
            den = self.latex_arg("fraction")
            return self.div(num, den, t.pos)
        if c == "sqrt":
            if self.is_op("["):
                opener = self.advance()
                index = self.parse_expr(0)
                self.expect("]", opener)
                arg = self.latex_arg()
                return self.call_builtin("root", [arg, index], t.pos)
            return self.call_builtin("sqrt", [self.latex_arg()], t.pos)
        if c == "sum":
            return self.latex_sum(t)
        if c == "int":
            return self.latex_integral(t)
        # named functions: \sin x, \sin(x), \sin^2 x, \log_2 x, \max(a, b)
        base = None
        power = None
        while self.is_op("_") or self.is_op("^"):
            op = self.advance()
            if op.value == "_":
                if c != "log" or base is not None:
                    self.fail(f"'\\{c}' does not take a subscript", op.pos, syntax=True)
                base = self.latex_arg("subscript")
            else:
                power = self.latex_arg("exponent")
        if self.is_op("("):
            opener = self.advance()
            args = self.call_args(opener)
        elif c in ("max", "min"):
            self.fail(f"'\\{c}' must be followed by '('", self.tok.pos, syntax=True)
        else:
            if not (self.starts_atom(self.tok) or self.tok.kind == "num" or self.is_op("-")):
                self.fail(f"'\\{c}' needs an argument", self.tok.pos, syntax=True)
            args = [self.parse_expr(_BP_UNARY)]
        if base is not None:
            args = args + [base]
        value = self.call_builtin(c, args, t.pos)
        if power is not None:
            value = self.power(value, power, t.pos)
        return value

    def derivative_operator(self):
        """After ``\\frac``: ``{d}{dt}`` or ``{d^2}{dt^2}`` (also with ``\\partial``) is the
        derivative operator in ``t``, applied to the product that follows (up to the next
        ``+``/``-``, as ``\\sum``'s body). Returns ``(variable, order)`` and consumes the
        two groups, or ``None`` (a fraction). A declared variable ``d`` keeps its
        meaning (``\\frac{d}{dt}`` is then ``d/(d t)``)."""
        if "d" in self.symbols or "d" in self.functions:
            return None
        toks, i = self.toks, self.i

        def op(k, value):
            return toks[k].kind == "op" and toks[k].value == value

        def name(k):
            return toks[k].kind == "name"

        def order_at(k):   # '^' digit after d or after the variable: (order, next index)
            if op(k, "^") and toks[k + 1].kind == "num" and toks[k + 1].value.isdigit():
                return int(toks[k + 1].value), k + 2
            return 1, k

        if not (op(i, "{") and name(i + 1) and toks[i + 1].value == "d"):
            return None
        order, k = order_at(i + 2)
        if not op(k, "}") or not op(k + 1, "{"):
            return None
        k += 2
        if name(k) and len(toks[k].value) == 2 and toks[k].value[0] == "d":
            var, k = toks[k].value[1], k + 1          # {dt}
        elif name(k) and toks[k].value == "d" and name(k + 1) and len(toks[k + 1].value) == 1:
            var, k = toks[k + 1].value, k + 2         # {d t}, {\partial t}
        else:
            return None
        again, k = order_at(k)
        if not op(k, "}") or again != order or not 1 <= order <= _MAX_ORDER:
            return None
        variable = self.symbol(var)
        if not isinstance(variable, sp.Symbol):
            return None
        self.i = k + 1
        return variable, order

    def derivative(self, body, variables, pos):
        self.scalar(body, pos)
        if len(variables) > _MAX_ORDER:
            self.fail(f"a derivative of order {len(variables)} exceeds the limit {_MAX_ORDER}", pos)
        return sp.Derivative(body, *variables)

    def limits_pair(self, t):
        lower = upper = None
        while self.is_op("_") or self.is_op("^"):
            op = self.advance()
            if op.value == "_":
                if lower is not None:
                    self.fail("two lower limits", op.pos, syntax=True)
                lower = self.latex_arg("limit")
            else:
                if upper is not None:
                    self.fail("two upper limits", op.pos, syntax=True)
                upper = self.latex_arg("limit")
        return lower, upper

    def latex_sum(self, t):
        lower, upper = self.limits_pair(t)
        if not isinstance(lower, sp.Eq) or not isinstance(lower.lhs, sp.Symbol) or upper is None:
            self.fail("a sum needs limits written \\sum_{k=a}^{b}", t.pos, syntax=True)
        body = self.parse_expr(_BP_ADD)
        return self.make_sum(body, lower.lhs, lower.rhs, upper, t.pos)

    def latex_integral(self, t):
        lower, upper = self.limits_pair(t)
        if (lower is None) != (upper is None):
            self.fail("an integral needs both limits or none", t.pos, syntax=True)
        self.in_integral += 1
        try:
            body = self.parse_expr(_BP_REL)
        finally:
            self.in_integral -= 1
        if not self.at_differential():
            self.fail("an integral needs a differential such as 'd\\tau' or 'dt' after the "
                      "integrand", self.tok.pos, syntax=True)
        d = self.advance()
        if d.value == "d":
            var_tok = self.advance()
            var = var_tok.value
        else:
            var = d.value[1]
        variable = self.symbol(var)
        if not isinstance(variable, sp.Symbol):
            self.fail(f"the integration variable must be a name, but got '{var}'", d.pos, syntax=True)
        limits = (variable,) if lower is None else (variable, lower, upper)
        self.scalar(body, t.pos)
        return self.not_a_bare_number(sp.Integral(body, limits), t.pos)

    def environment_ends(self, env):
        """True after consuming the ``\\end{env}`` that closes ``\\begin{env}``; False
        when the environment goes on; an error for a mismatched ``\\end`` or none."""
        if self.tok.kind == "end":
            end = self.advance()
            if end.value != env:
                self.fail(f"'\\end{{{end.value}}}' does not match '\\begin{{{env}}}'",
                          end.pos, syntax=True)
            return True
        if self.tok.kind == "eof":
            self.fail(f"missing '\\end{{{env}}}'", self.tok.pos, syntax=True)
        return False

    def latex_cases(self, t):
        """``\\begin{cases} t & t \\ge 0 \\\\ 0 & \\text{otherwise} \\end{cases}``: one
        case per row, the value, ``&``, then the condition (``\\text{for}``/``if`` in
        front and a comma or full stop after it are allowed), ``otherwise``/``else``
        for the last one."""
        env = t.value
        pieces = []
        while True:
            if self.environment_ends(env):
                break
            at = self.tok.pos
            value = self.parse_expr(0)
            while self.is_op(","):
                self.advance()
            if not self.is_op("&"):
                self.fail(f"each row of '{env}' is 'value & condition', but found "
                          f"{self.tok.show()}", self.tok.pos, syntax=True)
            self.advance()
            cond = self.case_condition(start_word_needed=False)
            while self.is_op(",") or self.is_op(";"):
                self.advance()
            pieces.append((value, cond, at))
            if self.is_op("\\\\"):
                self.advance()
            elif self.tok.kind != "end":
                self.fail(f"expected '\\\\' or '\\end{{{env}}}', but found {self.tok.show()}",
                          self.tok.pos, syntax=True)
        if not pieces:
            self.fail("an empty case list", t.pos, syntax=True)
        return self.piecewise(pieces, t.pos)

    def latex_matrix(self, t):
        env = t.value
        if env == "cases":
            return self.latex_cases(t)
        rows, row = [], []
        while True:
            if self.environment_ends(env):
                break
            row.append(self.parse_expr(0))
            if self.is_op("&"):
                self.advance()
                continue
            if self.is_op("\\\\"):
                self.advance()
                rows.append(row)
                row = []
                continue
            if self.tok.kind != "end":
                self.fail(f"expected '&', '\\\\' or '\\end{{{env}}}', but found {self.tok.show()}",
                          self.tok.pos, syntax=True)
        if row:
            rows.append(row)
        if not rows:
            self.fail("an empty matrix", t.pos, syntax=True)
        matrix = self.matrix(rows, t.pos)
        if env == "vmatrix":
            # vertical bars around a matrix: its determinant
            if matrix.shape[0] != matrix.shape[1] or matrix.shape[0] > 5:
                self.fail(f"a vmatrix is a determinant, of a square matrix of size at most 5, "
                          f"but this one is {matrix.shape[0]}x{matrix.shape[1]} (write "
                          f"\\begin{{bmatrix}} for a matrix)", t.pos, syntax=True)
            return matrix.det(method="berkowitz") if self.ev else sp.Determinant(matrix)
        return matrix

    # ---- brackets and containers
    def paren(self, t):
        if self.is_op(")"):
            self.advance()
            return ()
        first = self.parse_expr(0)
        if self.is_op(")"):
            self.advance()
            return first
        items = [first]
        while self.is_op(","):
            self.advance()
            if self.is_op(")"):
                break
            items.append(self.parse_expr(0))
        self.expect(")", t)
        return tuple(items)

    def bracket(self, t):
        rows, items = [], []
        if self.is_op("]"):
            self.advance()
            return []
        while True:
            items.append(self.parse_expr(0))
            if self.is_op(","):
                self.advance()
                if self.is_op("]"):
                    break
                continue
            if self.is_op(";"):
                self.advance()
                rows.append(items)
                items = []
                continue
            break
        self.expect("]", t)
        if rows:
            rows.append(items)
            return self.matrix(rows, t.pos)
        if self.latex and len(items) == 1 and not isinstance(items[0], list):
            # in LaTeX, square brackets group: e^{-t}\left[u(t) - u(t-1)\right], and
            # \left[\begin{matrix}..\end{matrix}\right] is sympy.latex's matrix
            return items[0]
        if all(isinstance(x, list) for x in items):
            return self.matrix(items, t.pos)
        if any(isinstance(x, (list, sp.MatrixBase)) for x in items):
            self.fail("a list mixes rows and single entries", t.pos, syntax=True)
        return items

    def matrix(self, rows, pos):
        width = len(rows[0])
        for r in rows:
            if len(r) != width:
                self.fail(f"matrix rows must all have the same length, but got lengths "
                          f"{[len(x) for x in rows]}", pos, syntax=True)
            for x in r:
                self.scalar(x, pos)
        if width == 0:
            self.fail("a matrix row is empty", pos, syntax=True)
        return sp.Matrix(rows)

    def set_literal(self, t, close):
        items = []
        if self.is_op(close):
            self.advance()
            return sp.EmptySet
        while True:
            item = self.parse_expr(0)
            if isinstance(item, tuple):
                item = sp.Tuple(*item)
            elif isinstance(item, (list, sp.MatrixBase, sp.Set)) or not isinstance(item, sp.Basic):
                self.fail("a set may hold numbers, expressions and tuples only", t.pos, syntax=True)
            items.append(item)
            if self.is_op(","):
                self.advance()
                continue
            self.expect(close, t)
            return sp.FiniteSet(*items)

    # ---- building blocks (type checks and size guards)
    def scalar(self, x, pos, what="an expression"):
        if isinstance(x, sp.Expr) and not isinstance(x, sp.MatrixBase):
            return x
        kind = {list: "a list", tuple: "a tuple"}.get(type(x))
        if kind is None:
            if isinstance(x, sp.MatrixBase):
                kind = "a matrix"
            elif isinstance(x, sp.Set):
                kind = "a set"
            elif isinstance(x, (sp.core.relational.Relational, sp.logic.boolalg.Boolean)):
                kind = "an equation or relation"
            else:
                kind = type(x).__name__
        self.fail(f"{kind} cannot be used here, {what} is expected", pos, syntax=True)

    def neg(self, x, pos):
        if isinstance(x, sp.MatrixBase):
            return -x
        self.scalar(x, pos)
        if isinstance(x, sp.Number):
            return -x
        return sp.Mul(sp.S.NegativeOne, x, evaluate=self.ev)

    def add(self, a, b, pos):
        if isinstance(a, sp.MatrixBase) and isinstance(b, sp.MatrixBase):
            if a.shape != b.shape:
                self.fail(f"matrix shapes {a.shape} and {b.shape} do not match", pos, syntax=True)
            return a + b
        self.scalar(a, pos)
        self.scalar(b, pos)
        if not self.ev and isinstance(a, sp.Add):   # keep a + b + c flat when unevaluated
            return sp.Add(*a.args, b, evaluate=False)
        return sp.Add(a, b, evaluate=self.ev)

    def add_terms(self, left, rest, pos):
        """``left + t1 + t2 + ...`` for ``rest = [(t1, pos1), ...]``, built as one node."""
        if isinstance(left, sp.MatrixBase) or any(isinstance(b, sp.MatrixBase) for b, _ in rest):
            for b, at in rest:
                left = self.add(left, b, at)
            return left
        self.scalar(left, pos)
        for b, at in rest:
            self.scalar(b, at)
        head = list(left.args) if not self.ev and isinstance(left, sp.Add) else [left]
        return sp.Add(*head, *(b for b, _ in rest), evaluate=self.ev)

    def mul(self, a, b, pos):
        am, bm = isinstance(a, sp.MatrixBase), isinstance(b, sp.MatrixBase)
        if am or bm:
            if am and bm and a.shape[1] != b.shape[0]:
                self.fail(f"matrix shapes {a.shape} and {b.shape} cannot be multiplied", pos,
                          syntax=True)
            if not am:
                self.scalar(a, pos)
            if not bm:
                self.scalar(b, pos)
            return a * b
        self.scalar(a, pos)
        self.scalar(b, pos)
        self.check_size(a, b, pos)
        if not self.ev and isinstance(a, sp.Mul) and a.args[0] is not sp.S.NegativeOne:
            return sp.Mul(*a.args, b, evaluate=False)
        return sp.Mul(a, b, evaluate=self.ev)

    def product_chain(self, left):
        """``left * f1 / f2 ...`` (``*``, ``/`` and implicit multiplication), built as
        one node: :meth:`mul` factor by factor re-flattens (and when evaluating
        re-sorts) the growing product at every factor, which is quadratic (1,800
        distinct factors took 10 s), and :meth:`div` nests (``x/y/y/...`` 1,900 deep
        could not even be printed). The digits of all numeric coefficients together
        are bounded, as in :meth:`check_size`.

        Unevaluated, the node is flat, ``Mul(a, b, c**-1)`` for ``a*b/c``, except that
        a leading ``-a`` stays one factor (``Mul(-a, b)``). Evaluated, the factors are
        multiplied one at a time while the product is a number or a sum (so that
        ``2*(x + 1)*y`` distributes the 2 as SymPy does pairwise), and the rest is
        multiplied in one ``Mul``; the result can differ from the pairwise one only in
        form (``x/x*2*(y + 1)*z`` keeps ``2*z*(y + 1)``), never in value.
        """
        self.scalar(left, self.tok.pos)
        if self.ev:
            head, factors = left, []
        else:
            flat = isinstance(left, sp.Mul) and left.args[0] is not sp.S.NegativeOne
            head, factors = None, (list(left.args) if flat else [left])
        digits = _coefficient_digits(left)
        while not (self.in_integral and self.at_differential()):
            t = self.tok
            divide = t.kind == "op" and t.value == "/"
            if t.kind == "op" and t.value == "*" or divide:
                self.advance()
            elif not self.starts_atom(t):
                break
            right = self.parse_expr(_BP_MUL)
            if isinstance(right, sp.MatrixBase):
                built = sp.Mul(*factors, evaluate=False) if head is None else sp.Mul(head, *factors)
                return self.div(built, right, t.pos) if divide else self.mul(built, right, t.pos)
            self.scalar(right, t.pos)
            if divide:
                right = self.power(right, sp.S.NegativeOne, t.pos)
            more = _coefficient_digits(right)
            digits = None if digits is None or more is None else digits + more
            if digits is not None and digits > self.limits.max_digits:
                self.fail(f"a product with about {int(digits) + 1} digits exceeds the limit "
                          f"of {self.limits.max_digits} digits", t.pos)
            if head is not None and not factors and (
                    head.is_Rational or head.as_coeff_Mul()[1].is_Add):
                head = sp.Mul(head, right)
                digits = _coefficient_digits(head)
            else:
                factors.append(right)
        if head is None:
            return sp.Mul(*factors, evaluate=False)
        return sp.Mul(head, *factors) if factors else head

    def check_size(self, a, b, pos):
        """Refuse a product of numbers whose exact value would exceed ``max_digits``
        (each factor may be within the limits, ``10^999*10^999*...`` is not)."""
        # the numeric coefficients multiply even when symbols are around (x*10^999*10^999,
        # and a number times a sum distributes over its terms)
        da, db = _coefficient_digits(a), _coefficient_digits(b)
        if da is not None and db is not None and da + db > self.limits.max_digits:
            self.fail(f"a product with about {int(da + db) + 1} digits exceeds the limit of "
                      f"{self.limits.max_digits} digits", pos)

    def div(self, a, b, pos):
        self.scalar(b, pos)
        if isinstance(a, sp.MatrixBase):
            return a / b
        self.scalar(a, pos)
        inverse = self.power(b, sp.S.NegativeOne, pos)
        self.check_size(a, inverse, pos)
        return sp.Mul(a, inverse, evaluate=self.ev)

    def power(self, base, exp, pos):
        self.scalar(base, pos, "a number or expression base")
        self.scalar(exp, pos, "a number or expression exponent")
        lim = self.limits
        e_digits = _digits_bound(exp)
        if e_digits is not None and e_digits <= 7 and isinstance(base, sp.Pow) \
                and _digits_bound(base.exp) is not None:
            # (x^a)^b is x^(a*b) once evaluated: the combined exponent must be in bounds
            inner = base.exp
            if _digits_bound(inner) > 7 or \
                    _exponent_value_bound(inner) * _exponent_value_bound(exp) > lim.max_exponent:
                self.fail(f"the exponent of a power of a power exceeds the limit "
                          f"{lim.max_exponent}", pos)
        if e_digits is not None:
            if e_digits > 7 or _exponent_value_bound(exp) > lim.max_exponent:
                shown = exp if e_digits <= 7 else "a huge number"
                self.fail(f"exponent {shown} exceeds the limit {lim.max_exponent}", pos)
            b_digits = _digits_bound(base)
            if b_digits is not None:
                size = b_digits * _exponent_value_bound(exp)
                if size > lim.max_digits:
                    self.fail(f"a power with about {int(size) + 1} digits exceeds the limit of "
                              f"{lim.max_digits} digits", pos)
                if not (isinstance(exp, sp.Integer) or b_digits <= 20):
                    return sp.Pow(base, exp, evaluate=False)   # roots of huge integers factor slowly
        return sp.Pow(base, exp, evaluate=self.ev)

    def relation(self, op, a, b, pos):
        for x in (a, b):
            if not isinstance(x, (sp.Expr, sp.MatrixBase)):
                self.scalar(x, pos, "an expression on each side of a relation")
        if op != "=" and (isinstance(a, sp.MatrixBase) or isinstance(b, sp.MatrixBase)):
            self.fail("matrices can only be compared with '='", pos, syntax=True)
        if isinstance(a, sp.MatrixBase) or isinstance(b, sp.MatrixBase):
            return sp.Eq(sp.ImmutableMatrix(a) if isinstance(a, sp.MatrixBase) else a,
                         sp.ImmutableMatrix(b) if isinstance(b, sp.MatrixBase) else b,
                         evaluate=False)
        return _RELATIONS[op](a, b, evaluate=False)

    def small_int(self, x, pos, what):
        """The value of a numeric argument that must stay small (factorial, binomial)."""
        d = _digits_bound(x)
        if d is None:
            return None
        if d > 7:
            self.fail(f"{what} of a huge number exceeds the limit {self.limits.max_factorial}", pos)
        value = abs(sp.N(x, 15)) if not isinstance(x, sp.Rational) else abs(x)
        if value > self.limits.max_factorial:
            self.fail(f"{what} of {x} exceeds the limit {self.limits.max_factorial}", pos)
        return value

    def func(self, cls, args, pos):
        """Apply a SymPy function; unevaluated when a numeric argument is huge (except
        floor and ceiling of a rational number: an exact integer division, cheap at any
        size within the digit limits, where SymPy's evaluation of the unevaluated form
        would run out of float precision)."""
        ev = self.ev
        if ev and cls in (sp.floor, sp.ceiling) and len(args) == 1 and isinstance(args[0], sp.Rational):
            p, q = int(args[0].p), int(args[0].q)
            return sp.Integer(p // q if cls is sp.floor else -((-p) // q))
        for a in args:
            self.scalar(a, pos, "an expression argument")
            d = _digits_bound(a)
            if (d is not None and d > 50) or _costly(a):
                ev = False
        return cls(*args, evaluate=ev)

    def make_sum(self, body, var, lo, hi, pos):
        self.scalar(body, pos)
        self.scalar(lo, pos)
        self.scalar(hi, pos)
        if not isinstance(var, sp.Symbol):
            self.fail("the summation index must be a name", pos, syntax=True)
        if not var.is_integer and var.name not in self.symbols:
            index = sp.Symbol(var.name, integer=True)
            body = body.xreplace({var: index})
            var = index
        return self.not_a_bare_number(sp.Sum(body, (var, lo, hi)), pos)

    def not_a_bare_number(self, operator, pos):
        """Refuse a sum or integral without free variables (see the module notes).

        Such an object is a number that SymPy would evaluate numerically whenever it is
        printed (ordering the terms of a sum calls ``complex()`` on numeric factors) or
        compared: Euler-Maclaurin or quadrature that may run for minutes, and for
        infinite sums ``hypsum``, which generates, compiles and runs Python code from the
        expression. An answer gives the value instead."""
        if not operator.free_symbols and not operator.atoms(AppliedUndef):
            kind = "sum" if isinstance(operator, sp.Sum) else "integral"
            over = ", ".join(lim[0].name for lim in operator.limits)
            self.fail(f"the {kind} over {over} has no free variable: it is a number, so "
                      f"write its value instead (numeric {kind}s are not evaluated)", pos)
        return operator

    # signal builders: the same SymPy forms as symconv.signals
    def step(self, x, pos):
        self.scalar(x, pos)
        return self.func(sp.Heaviside, [x, sp.S.One] if self.discrete else [x], pos)

    def ramp(self, x, pos):
        return sp.Mul(x, self.step(x, pos), evaluate=self.ev)

    def rect(self, x, pos):
        # Heaviside(x + 1/2) - Heaviside(x - 1/2) with SymPy's half-maximum edges, in
        # both modes (for integer x the edges are never hit), as symconv.signals.rect
        half = sp.Rational(1, 2)
        ev = self.ev
        return sp.Add(self.func(sp.Heaviside, [sp.Add(x, half, evaluate=ev)], pos),
                      sp.Mul(-1, self.func(sp.Heaviside, [sp.Add(x, -half, evaluate=ev)], pos),
                             evaluate=ev),
                      evaluate=ev)

    def tri(self, x, pos):
        # 1 - |x| on |x| < 1, else 0, as symconv.signals.tri
        if x.has(sp.Piecewise):
            # SymPy rewrites a condition holding a Piecewise (|tri(x)| < 1) into sets and
            # simplifies it even when unevaluated: exponential in the nesting depth
            self.fail("tri of an expression containing tri (a piecewise function) is not "
                      "supported", pos)
        ev = False if _costly(x) else self.ev
        size = sp.Abs(x, evaluate=ev)
        return sp.Piecewise((sp.Add(1, sp.Mul(-1, size, evaluate=ev), evaluate=ev),
                             sp.Lt(size, 1, evaluate=ev)), (0, True), evaluate=ev)


# ---- builtin functions: name -> (min args, max args, builder(parser, args, pos))

def _factorial(p, args, pos):
    p.small_int(args[0], pos, "factorial")
    return sp.factorial(p.scalar(args[0], pos), evaluate=p.ev)


def _binomial(p, args, pos):
    for a in args:
        p.small_int(a, pos, "binomial")
    return sp.binomial(*[p.scalar(a, pos) for a in args], evaluate=p.ev)


def _log(p, args, pos):
    return p.func(sp.log, args, pos)


def _sqrt(p, args, pos):
    return p.power(args[0], sp.Rational(1, 2), pos)


def _root(p, args, pos):
    p.scalar(args[1], pos)
    return p.power(args[0], p.power(args[1], sp.S.NegativeOne, pos), pos)


def _delta(p, args, pos):
    if p.discrete:
        return sp.KroneckerDelta(p.scalar(args[0], pos), 0)
    return p.func(sp.DiracDelta, [args[0]], pos)


def _heaviside(p, args, pos):
    return p.func(sp.Heaviside, args, pos)


def _kronecker(p, args, pos):
    second = args[1] if len(args) == 2 else sp.S.Zero
    return sp.KroneckerDelta(p.scalar(args[0], pos), p.scalar(second, pos))


def _sum(p, args, pos):
    body, var, lo, hi = _limits_form(p, args, pos, "sum", need_bounds=True)
    return p.make_sum(body, var, lo, hi, pos)


def _integral(p, args, pos):
    body, var, lo, hi = _limits_form(p, args, pos, "integrate", need_bounds=False)
    p.scalar(body, pos)
    if lo is None:
        return sp.Integral(body, var)
    p.scalar(lo, pos)
    p.scalar(hi, pos)
    return p.not_a_bare_number(sp.Integral(body, (var, lo, hi)), pos)


def _limits_form(p, args, pos, name, need_bounds):
    """Read body, (var, lo, hi) | body, var, lo, hi | body, var."""
    body, rest = args[0], list(args[1:])
    if len(rest) == 1 and isinstance(rest[0], tuple):
        rest = list(rest[0])
    if len(rest) == 3:
        var, lo, hi = rest
    elif len(rest) == 1 and not need_bounds:
        var, lo, hi = rest[0], None, None
    else:
        p.fail(f"'{name}' needs limits written as {name}(body, (k, a, b))", pos, syntax=True)
    if not isinstance(var, sp.Symbol):
        p.fail(f"the variable of '{name}' must be a name", pos, syntax=True)
    return body, var, lo, hi


def _derivative(p, args, pos):
    for a in args:
        p.scalar(a, pos)
    if not all(isinstance(v, sp.Symbol) for v in args[1:]):
        p.fail("Derivative(expr, x, ...) takes variable names after the expression", pos,
               syntax=True)
    return p.derivative(args[0], list(args[1:]), pos)


def _matrix(p, args, pos):
    rows = args[0]
    if isinstance(rows, sp.MatrixBase):
        return rows
    if not isinstance(rows, list) or not rows:
        p.fail("Matrix(...) takes a list of rows", pos, syntax=True)
    if not all(isinstance(r, list) for r in rows):
        rows = [[x] for x in rows]  # a column, as sympy.Matrix([1, 2]) means
    return p.matrix(rows, pos)


def _eq(p, args, pos):
    return p.relation("=", args[0], args[1], pos)


def _piecewise(p, args, pos):
    pieces = []
    for a in args:
        if not (isinstance(a, tuple) and len(a) == 2):
            p.fail("Piecewise takes (value, condition) pairs, e.g. Piecewise((t, t >= 0), "
                   "(0, True))", pos, syntax=True)
        pieces.append((a[0], a[1], pos))
    return p.piecewise(pieces, pos)


def _logic(cls):
    def build(p, args, pos):
        for a in args:
            if not _is_condition(a):
                p.fail(f"{cls.__name__} joins conditions such as t >= 0, but got "
                       f"{_kind_name(a)}", pos, syntax=True)
        return cls(*args)
    return build


_MINMAX_EVALUATED = 8   # SymPy's Max/Min compare every pair of symbolic arguments


def _minmax(cls):
    def build(p, args, pos):
        symbolic = [a for a in args if isinstance(a, sp.Basic) and a.free_symbols]
        if len(symbolic) > _MINMAX_EVALUATED:
            for a in args:
                p.scalar(a, pos, "an expression argument")
            return cls(*args, evaluate=False)   # values at points still evaluate
        return p.func(cls, args, pos)
    return build


def _sinc(p, args, pos):
    # NumPy's normalisation, sin(pi x)/(pi x), the alias target 'normalized sinc'
    x = p.scalar(args[0], pos)
    return p.func(sp.sinc, [p.mul(sp.pi, x, pos)], pos)


def _unary(cls):
    def build(p, args, pos):
        return p.func(cls, args, pos)
    return build


_INF = math.inf
_BUILTINS = {
    "floor": (1, 1, _unary(sp.floor)), "ceil": (1, 1, _unary(sp.ceiling)),
    "ceiling": (1, 1, _unary(sp.ceiling)), "abs": (1, 1, _unary(sp.Abs)),
    "Abs": (1, 1, _unary(sp.Abs)), "sqrt": (1, 1, _sqrt), "root": (2, 2, _root),
    "exp": (1, 1, _unary(sp.exp)), "log": (1, 2, _log), "ln": (1, 1, _log),
    "sin": (1, 1, _unary(sp.sin)), "cos": (1, 1, _unary(sp.cos)), "tan": (1, 1, _unary(sp.tan)),
    "sinh": (1, 1, _unary(sp.sinh)), "cosh": (1, 1, _unary(sp.cosh)),
    "tanh": (1, 1, _unary(sp.tanh)), "Si": (1, 1, _unary(sp.Si)), "sinc": (1, 1, _sinc),
    "sign": (1, 1, _unary(sp.sign)), "sgn": (1, 1, _unary(sp.sign)),
    "max": (1, _INF, _minmax(sp.Max)), "min": (1, _INF, _minmax(sp.Min)),
    "Max": (1, _INF, _minmax(sp.Max)), "Min": (1, _INF, _minmax(sp.Min)),
    "Mod": (2, 2, _unary(sp.Mod)), "mod": (2, 2, _unary(sp.Mod)),
    "factorial": (1, 1, _factorial), "binomial": (2, 2, _binomial),
    "conjugate": (1, 1, _unary(sp.conjugate)), "conj": (1, 1, _unary(sp.conjugate)),
    "re": (1, 1, _unary(sp.re)), "im": (1, 1, _unary(sp.im)),
    "u": (1, 1, lambda p, a, pos: p.step(a[0], pos)),
    "H": (1, 2, lambda p, a, pos: p.step(a[0], pos) if len(a) == 1 else _heaviside(p, a, pos)),
    "Heaviside": (1, 2, _heaviside), "delta": (1, 1, _delta),
    "DiracDelta": (1, 2, lambda p, a, pos: p.func(sp.DiracDelta, a, pos)),
    "KroneckerDelta": (1, 2, _kronecker),
    "rect": (1, 1, lambda p, a, pos: p.rect(p.scalar(a[0], pos), pos)),
    "tri": (1, 1, lambda p, a, pos: p.tri(p.scalar(a[0], pos), pos)),
    "ramp": (1, 1, lambda p, a, pos: p.ramp(p.scalar(a[0], pos), pos)),
    "sum": (2, 4, _sum), "Sum": (2, 4, _sum),
    "integrate": (2, 4, _integral), "Integral": (2, 4, _integral),
    "Derivative": (2, _INF, _derivative), "Matrix": (1, 1, _matrix), "Eq": (2, 2, _eq),
    "Piecewise": (1, _MAX_PIECES, _piecewise), "And": (2, 8, _logic(sp.And)),
    "Or": (2, 8, _logic(sp.Or)),
}


# --------------------------------------------------------------------------- public API

#: targets an alias may name: a signal or function of this grammar, or one of the two
#: conventions of sinc (sin(pi x)/(pi x), as NumPy; sin(x)/x, as SymPy)
_SINC = ("normalized sinc", "unnormalized sinc")
ALIAS_TARGETS = ("u", "delta", "rect", "tri", "ramp", "sign", "abs", "exp") + _SINC
#: the usual other names of the signals, that a grader may accept (``aliases=``)
SIGNAL_ALIASES = {"theta": "u", "Theta": "u", "Lamda": "tri", "Pi": "rect", "step": "u"}


# builtins that are notation rather than functions a user names in an error message
_STRUCTURAL = {"Sum", "Integral", "Derivative", "Matrix", "Eq", "Piecewise", "And", "Or",
               "integrate", "sum"}


def known_function_names(functions=(), aliases=()):
    """The function names the parser knows, sorted (for messages and help texts):
    the builtins, then the declared ``functions`` and ``aliases``.

    >>> "sinc" in known_function_names() and "Si" in known_function_names()
    True
    """
    names = sorted(set(_BUILTINS) - _STRUCTURAL, key=lambda n: (n.lower(), n))
    extra = sorted(set(functions) | set(aliases))
    return names + [n for n in extra if n not in names]


def suggest_function(name, extra=()):
    """The known function nearest to an unknown ``name``, or None.

    >>> suggest_function("step"), suggest_function("sinh_"), suggest_function("f")
    ('u', 'sinh', None)
    """
    import difflib

    if name in _FUNCTION_SYNONYMS:
        return _FUNCTION_SYNONYMS[name]
    known = [n for n in _BUILTINS if n not in _STRUCTURAL] + list(extra)
    for k in known:
        if k.lower() == name.lower():
            return k
    if len(name) < 3:
        return None
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.75)
    return close[0] if close else None


def _check_aliases(aliases):
    out = {}
    for name, target in (aliases or {}).items():
        if not isinstance(name, str) or not name.isidentifier() or name.startswith("_") \
                or name in _NOT_ALLOWED or name in _CASE_WORDS:
            raise ParseError(f"an alias must be a plain name, but got {name!r}")
        if target not in ALIAS_TARGETS:
            raise ParseError(f"the alias {name!r} must name one of {', '.join(ALIAS_TARGETS)}, "
                             f"but got {target!r}")
        out[name] = target
    return out


def _check_options(discrete, functions, symbols, latex, limits):
    if latex not in ("auto", True, False):
        raise ParseError(f"latex must be 'auto', True or False, but got {latex!r}")
    if limits is None:
        limits = _DEFAULT_LIMITS
    elif isinstance(limits, dict):
        limits = ParseLimits(**limits)
    elif not isinstance(limits, ParseLimits):
        raise ParseError(f"limits must be a ParseLimits or a dict, but got {limits!r}")
    if isinstance(functions, str):
        functions = (functions,)
    funcs = {}
    for f in functions or ():
        if isinstance(f, str):
            name, obj = f, None
        elif isinstance(f, sp.core.function.UndefinedFunction):
            name, obj = f.__name__, f
        else:
            raise ParseError(f"functions must hold names or sympy Functions, but got {f!r}")
        if not name.isidentifier() or name.startswith("_") or name.endswith("_"):
            raise ParseError(f"a function name must be a plain identifier, but got {name!r}")
        funcs[name] = obj or sp.Function(name)
    syms = {}
    for name, value in (symbols or {}).items():
        if not isinstance(name, str) or not isinstance(value, sp.Basic):
            raise ParseError(f"symbols must map names to SymPy objects, but got {name!r}: {value!r}")
        syms[name] = value
    return funcs, syms, limits


_DEFAULT_LIMITS = ParseLimits()


def parse_math(text, *, discrete=False, functions=(), symbols=None, latex="auto", limits=None,
               evaluate=True, aliases=None, unknown_functions="error", letters_are_symbols=False):
    """Parse untrusted mathematical text into SymPy objects, safely.

    Parameters
    ----------
    text : str
        Plain math (``floor((n+2p-k)/s)+1``, ``2^n``, ``[1, 2]``) or LaTeX.
    discrete : bool, default False
        If True, undeclared names are integer symbols, ``u(x)``/``u[x]`` is
        ``Heaviside(x, 1)`` and ``delta(x)`` is ``KroneckerDelta(x, 0)``; otherwise names
        are plain symbols, ``u(x)`` is ``Heaviside(x)`` and ``delta(x)`` is
        ``DiracDelta(x)``. ``H(x)`` is a synonym of ``u(x)``; ``Heaviside(x)`` always
        means SymPy's ``Heaviside(x)`` (value 1/2 at 0) and ``Heaviside(x, h0)`` is explicit.
    functions : iterable of str or sympy Function, default ()
        Names that become undefined functions (``f(n - m)``, ``x[n - k]``).
    symbols : dict, optional
        Names mapped to ready-made SymPy objects (to carry assumptions); these override
        constants and built-in functions of the same name.
    latex : {'auto', True, False}, default 'auto'
        'auto' reads the text as LaTeX when it contains ``\\``, ``$`` or ``&``; False
        rejects backslashes.
    limits : ParseLimits or dict, optional
        Resource bounds (defaults: :class:`ParseLimits`).
    evaluate : bool, default True
        If False, sums, products and powers are built unevaluated, keeping the form
        as written (used to check required answer forms).
    aliases : dict, optional
        Other names of signals, ``{name: target}`` with a target in ``ALIAS_TARGETS``:
        ``name(x)`` (or ``name[x]``) then means ``target(x)`` unless ``name`` is a
        declared symbol or function. ``SIGNAL_ALIASES`` holds the usual ones
        (``theta``/``Theta``/``step`` for ``u``, ``Lamda`` for ``tri``, ``Pi`` for ``rect``);
        the grader uses them. Without aliases ``theta(t)`` is an unknown function.
    unknown_functions : {'error', 'multiply'}, default 'error'
        What ``name(...)`` means for a name that is neither a known function, nor a
        declared function or alias, nor a declared symbol, nor a constant (``pi(n + 1)``
        multiplies). 'error': a ``ParseError`` that lists the known functions and
        suggests the nearest ("unknown function 'step'; did you mean 'u'?"); for a
        product, declare the name in ``symbols`` (``a(t + 1)`` is then ``a*(t + 1)``) or
        write ``a*(t + 1)``. 'multiply': the reading before strict input, a product
        (``sinc(t)`` is ``sinc*t``), for a caller that reports unknown names itself, as
        the grader does; ``sinc`` is then unknown as well (its normalisation is a
        convention the grader's feedback names), unless an alias names it.
    letters_are_symbols : bool, default False
        If True, the single letters ``e``, ``E``, ``I`` and ``j`` are symbols, as the
        other letters (for lists of symbolic entries: ``[[a, b, c], [d, e, f]]``), except
        ``e`` (or ``E``) as the base of a power, ``e^t``, which stays Euler's number;
        ``exp(t)`` is always the exponential.

    Returns
    -------
    sympy.Expr, sympy.Eq (or another relation), sympy.Matrix, sympy.FiniteSet, list, tuple
        ``[a, b]`` is a list, ``[[a, b], [c, d]]`` a Matrix, ``{a, b}`` a FiniteSet,
        ``(a, b)`` or ``a, b`` a tuple.

    Raises
    ------
    ParseError
        ``"answer rejected: <reason> at position <i>"`` for forbidden input and
        exceeded limits, ``"cannot parse: <reason> at position <i>"`` for malformed
        input; ``error.position`` holds ``i``.

    Examples
    --------
    >>> parse_math("2n + 1")
    2*n + 1
    >>> parse_math("2^3 + 1.5")
    19/2
    >>> parse_math("u[n] - u[n - 3]", discrete=True)
    Heaviside(n, 1) - Heaviside(n - 3, 1)
    >>> parse_math("sum(f(k)*g(n-k), (k, -oo, oo))", functions=("f", "g"))
    Sum(f(k)*g(-k + n), (k, -oo, oo))
    >>> parse_math(r"\\int_{-\\infty}^{\\infty} f(\\tau) g(t-\\tau)\\, d\\tau", functions=("f", "g"))
    Integral(f(tau)*g(t - tau), (tau, -oo, oo))
    >>> parse_math(r"\\begin{bmatrix} 1 & 0 \\\\ 0 & 1 \\end{bmatrix}")
    Matrix([
    [1, 0],
    [0, 1]])
    >>> parse_math("{1, 2}"), parse_math("[1, 2]"), parse_math("n = 2k")
    ({1, 2}, [1, 2], Eq(n, 2*k))
    >>> parse_math("2(n+1)", evaluate=False)
    2*(n + 1)
    >>> parse_math(r"\\Lambda(t) + \\theta(t)", aliases=SIGNAL_ALIASES)
    Piecewise((1 - Abs(t), Abs(t) < 1), (0, True)) + Heaviside(t)
    >>> parse_math("10^10^10")
    Traceback (most recent call last):
    ...
    symconv.errors.ParseError: answer rejected: exponent a huge number exceeds the limit 10000 at position 2
    >>> parse_math("().__class__")
    Traceback (most recent call last):
    ...
    symconv.errors.ParseError: answer rejected: '.' (attribute access) is not allowed at position 2
    >>> parse_math(r"\\input{/etc/passwd}")
    Traceback (most recent call last):
    ...
    symconv.errors.ParseError: answer rejected: LaTeX command '\\input' is not allowed at position 0
    """
    if not isinstance(text, str):
        raise ParseError(f"text must be a str, but got {type(text).__name__}")
    if unknown_functions not in ("error", "multiply"):
        raise ParseError(f"unknown_functions must be 'error' or 'multiply', but got "
                         f"{unknown_functions!r}")
    funcs, syms, limits = _check_options(discrete, functions, symbols, latex, limits)
    norm, origin = _normalise(text, limits)
    use_latex = latex is True or (latex == "auto" and any(c in norm for c in "\\$&"))
    toks = _tokenize(norm, origin, use_latex, limits)
    parser = _Parser(toks, discrete=bool(discrete), functions=funcs, symbols=syms,
                     latex=use_latex, limits=limits, evaluate=bool(evaluate),
                     aliases=_check_aliases(aliases), unknown_functions=unknown_functions,
                     letters_are_symbols=letters_are_symbols, source=text)
    try:
        return parser.parse()
    except ParseError:
        raise
    except (ValueError, TypeError, ArithmeticError, NotImplementedError, AttributeError,
            IndexError, KeyError, RecursionError) as exc:
        # SymPy refused to build an object (Max of complex numbers, DiracDelta(I), ...)
        pos = parser.tok.pos
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ParseError(f"cannot parse: SymPy cannot build this expression ({reason[:120]}) "
                         f"at position {pos}", pos) from None
