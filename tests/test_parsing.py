"""Tests of the safe math parser (symconv.parsing)."""

import os
import subprocess

import pytest
import sympy as sp
from hypothesis import given, strategies as st

from symconv.errors import ParseError
from symconv.parsing import ParseLimits, parse_math
from timing import within

n, k, p, s, t, x, y, a, b, c = sp.symbols("n k p s t x y a b c")
tau = sp.Symbol("tau")
f, g = sp.Function("f"), sp.Function("g")


def same(text, expected, **kw):
    got = parse_math(text, **kw)
    assert sp.simplify(got - expected) == 0, (text, got, expected)
    return got


# ---------------------------------------------------------------- plain syntax

@pytest.mark.parametrize("text, expected", [
    ("2n", 2 * n),
    ("2(n+1)", 2 * n + 2),
    ("(a+b)(c)", (a + b) * c),
    ("n k", n * k),
    ("-2^2", sp.Integer(-4)),
    ("2^-1", sp.Rational(1, 2)),
    ("2**3**2", sp.Integer(512)),       # right-associative
    ("2^3^2", sp.Integer(512)),
    ("1/2n", n / 2),                    # implicit product has the precedence of '*'
    ("a/b/c", a / (b * c)),
    ("(n + 2p - k)//s + 1", sp.floor((n + 2 * p - k) / s) + 1),
    ("a - b - c", a - b - c),
    ("1.25", sp.Rational(5, 4)),
    (".5", sp.Rational(1, 2)),
    ("1e-3", sp.Rational(1, 1000)),
    ("2e^t", 2 * sp.exp(t)),
    ("e", sp.E),
    ("E^x", sp.exp(x)),
    ("pi", sp.pi),
    ("I^2", sp.Integer(-1)),
    ("j^2", sp.Integer(-1)),
    ("oo", sp.oo),
    ("-inf", -sp.oo),
    ("5!", sp.Integer(120)),
    ("floor((n + 2p - k)/s) + 1", sp.floor((n + 2 * p - k) / s) + 1),
    ("ceil(n/s)", sp.ceiling(n / s)),
    ("abs(x-1) + |y|", sp.Abs(x - 1) + sp.Abs(y)),
    ("||x|-|y||", sp.Abs(sp.Abs(x) - sp.Abs(y))),
    ("2|x|", 2 * sp.Abs(x)),
    ("sqrt(x) + sqrt 4", sp.sqrt(x) + 2),
    ("root(8, 3)", sp.Integer(2)),
    ("exp(-t) + log(x) + ln(y)", sp.exp(-t) + sp.log(x) + sp.log(y)),
    ("log(8, 2)", sp.Integer(3)),
    ("sin x + cos(x)^2 + tan(y)", sp.sin(x) + sp.cos(x) ** 2 + sp.tan(y)),
    ("max(a, b, 3) + min(a, 1)", sp.Max(a, b, 3) + sp.Min(a, 1)),
    ("Mod(n, 2)", sp.Mod(n, 2)),
    ("binomial(5, 2)", sp.Integer(10)),
    ("conj(x) + re(x) + im(x)", sp.conjugate(x) + sp.re(x) + sp.im(x)),
])
def test_plain_syntax(text, expected):
    assert parse_math(text) == expected


def test_unary_minus_binds_looser_than_power_and_tighter_than_product():
    assert parse_math("-x^2") == -x ** 2
    assert parse_math("-2x") == -2 * x
    assert parse_math("2^-n") == 2 ** (-n)


def test_names_are_maximal_runs_unless_declared_letters():
    nk = sp.Symbol("nk")
    assert parse_math("nk") == nk
    syms = {"n": n, "k": k}
    assert parse_math("nk + 2n", symbols=syms) == n * k + 2 * n
    assert parse_math("x_1 + x_{1}") == 2 * sp.Symbol("x_1")


def test_function_call_versus_implicit_product():
    with pytest.raises(ParseError, match="unknown function 'f'"):
        parse_math("f(n - m)")
    assert parse_math("f(n - m)", unknown_functions="multiply") == sp.Symbol("f") * (n - sp.Symbol("m"))
    assert parse_math("f(n - m)", functions=("f",)) == f(n - sp.Symbol("m"))
    assert parse_math("f(t) g(t)", functions=[f, g]) == f(t) * g(t)
    with pytest.raises(ParseError, match="function 'floor' must be followed by"):
        parse_math("floor x")
    with pytest.raises(ParseError, match="function 'f' must be followed"):
        parse_math("f + 1", functions=("f",))


def test_symbols_carry_assumptions_and_override_builtins():
    m = sp.Symbol("n", integer=True, positive=True)
    got = parse_math("floor(n/2)", symbols={"n": m})
    assert got.free_symbols == {m}
    uu = sp.Symbol("u")
    assert parse_math("u(t+1)", symbols={"u": uu}) == uu * (t + 1)
    assert parse_math("e", symbols={"e": sp.Symbol("e")}) == sp.Symbol("e")


def test_discrete_mode():
    ni, ki = sp.symbols("n k", integer=True)
    got = parse_math("u[n] - u[n-3] + delta(n - k)", discrete=True)
    assert got == sp.Heaviside(ni, 1) - sp.Heaviside(ni - 3, 1) + sp.KroneckerDelta(ni - ki, 0)
    assert all(sym.is_integer for sym in got.free_symbols)
    assert parse_math("j", discrete=True) == sp.Symbol("j", integer=True)


def test_continuous_signals():
    assert parse_math("u(t) + H(t - 1)") == sp.Heaviside(t) + sp.Heaviside(t - 1)
    assert parse_math("delta(t)") == sp.DiracDelta(t)
    assert parse_math("Heaviside(t, 1)") == sp.Heaviside(t, 1)
    assert parse_math("KroneckerDelta(n, 2)") == sp.KroneckerDelta(n, 2)
    assert parse_math("u") == sp.Symbol("u")       # not called: a plain symbol
    # rect, tri and ramp against their definitions, pointwise
    defs = {
        "rect": lambda v: 1 if abs(v) < 0.5 else 0,
        "tri": lambda v: max(0.0, 1 - abs(v)),
        "ramp": lambda v: max(0.0, v),
    }
    for name, ref in defs.items():
        expr = parse_math(f"{name}(t)")
        for v in [-2, -1.2, -0.7, -0.3, 0.1, 0.4, 0.6, 0.99, 1.5, 3]:
            assert float(expr.subs(t, v)) == pytest.approx(ref(v)), (name, v)


def test_signals_agree_with_symconv_signals_when_present():
    signals = pytest.importorskip("symconv.signals")
    for name in ("rect", "tri", "ramp"):
        ours = parse_math(f"{name}(t)")
        theirs = getattr(signals, name)(t)
        for v in [-1.7, -0.8, -0.25, 0.3, 0.75, 1.4]:
            assert float(ours.subs(t, v)) == pytest.approx(float(theirs.subs(t, v)))


def test_containers():
    assert parse_math("[1, 2, 3]") == [1, 2, 3]
    assert parse_math("[]") == []
    assert parse_math("[[1,0],[0,1]]") == sp.eye(2)
    assert parse_math("[1, 2; 3, 4]") == sp.Matrix([[1, 2], [3, 4]])
    assert parse_math("Matrix([[1,2],[3,4]])") == sp.Matrix([[1, 2], [3, 4]])
    assert parse_math("{1, 2, 2}") == sp.FiniteSet(1, 2)
    assert parse_math("{}") == sp.EmptySet
    assert parse_math("(1, 2)") == (1, 2)
    assert parse_math("1, 2") == (1, 2)
    assert parse_math("()") == ()
    assert parse_math("2[[1,0],[0,1]]".replace("2[", "2*[")) == 2 * sp.eye(2)
    assert isinstance(parse_math("[[1,2]]"), sp.MatrixBase)


def test_relations():
    assert parse_math("n = 2k") == sp.Eq(n, 2 * k)
    assert parse_math("n == n") == sp.Eq(n, n, evaluate=False)   # unevaluated, not True
    assert parse_math("a <= b") == sp.Le(a, b)
    assert parse_math("a != b") == sp.Ne(a, b)
    # a chain of inequalities is their conjunction (conditions of piecewise answers)
    assert parse_math("a < b <= c") == sp.And(sp.Lt(a, b), sp.Le(b, c))
    with pytest.raises(ParseError, match="chained relations"):
        parse_math("a = b = c")
    with pytest.raises(ParseError, match="chained relations"):
        parse_math("a < b = c")


def test_sum_and_integral_notation():
    ki = sp.Symbol("k", integer=True)
    got = parse_math("sum(f(k)*g(n-k), (k, -oo, oo))", functions=("f", "g"))
    assert got == sp.Sum(f(ki) * g(n - ki), (ki, -sp.oo, sp.oo))
    assert parse_math("Sum(k, k, 1, n)") == sp.Sum(ki, (ki, 1, n))
    assert parse_math("sum(k, (k, 1, n))").doit().subs(n, 4) == 10
    # a sum or integral without free variables is a number: the answer gives its value
    for text in ("sum(k, (k, 1, 4))", "2 + integrate(t, (t, 0, 1))", "u(sum(1/2^k, (k, 0, oo)) - 2)"):
        with pytest.raises(ParseError, match="has no free variable: it is a number"):
            parse_math(text)
    # ... unless it holds unknown functions (a definition, not a number)
    assert parse_math("sum(f(k), (k, 0, 3))", functions=("f",)) == sp.Sum(f(ki), (ki, 0, 3))
    got = parse_math("integrate(f(tau)*g(t-tau), (tau, -oo, oo))", functions=("f", "g"))
    assert got == sp.Integral(f(tau) * g(t - tau), (tau, -sp.oo, sp.oo))
    assert parse_math("integrate(x^2, x)") == sp.Integral(x ** 2, x)
    with pytest.raises(ParseError, match="needs limits"):
        parse_math("sum(k, k)")


# ---------------------------------------------------------------- LaTeX

@pytest.mark.parametrize("text, expected", [
    (r"\lfloor\frac{n+2p-k}{s}\rfloor+1", sp.floor((n + 2 * p - k) / s) + 1),
    (r"\left\lfloor \frac{n+2p-k}{s} \right\rfloor + 1", sp.floor((n + 2 * p - k) / s) + 1),
    (r"\left\lceil\frac{n}{2}\right\rceil", sp.ceiling(n / 2)),
    (r"\frac12", sp.Rational(1, 2)),
    (r"\dfrac{a}{b} \cdot c \times 2", 2 * a * c / b),
    (r"x^{23}", x ** 23),
    (r"\sqrt{x} + \sqrt[3]{8}", sp.sqrt(x) + 2),
    (r"e^{-t}", sp.exp(-t)),
    (r"\left( a + b \right)^2", (a + b) ** 2),
    (r"\left| x \right| + \lvert y \rvert", sp.Abs(x) + sp.Abs(y)),
    (r"\pi \tau", sp.pi * tau),
    (r"\alpha + \lambda", sp.Symbol("alpha") + sp.Symbol("lamda")),
    (r"\sin^2 x + \cos^2 x", sp.sin(x) ** 2 + sp.cos(x) ** 2),
    (r"\log_2 8", sp.Integer(3)),
    (r"\max(a, b)", sp.Max(a, b)),
    (r"\operatorname{rect}(t)", parse_math("rect(t)")),
    (r"nk", n * k),                              # LaTeX: letters multiply
    (r"$\frac{1}{2}$", sp.Rational(1, 2)),
    (r"n \le 3", sp.Le(n, 3)),
])
def test_latex(text, expected):
    assert parse_math(text, latex=True) == expected


def test_latex_sum_integral_and_matrices():
    ki = sp.Symbol("k", integer=True)
    xf, hf = sp.Function("x"), sp.Function("h")
    got = parse_math(r"\sum_{k=-\infty}^{\infty} x[k] h[n-k] + 1", functions=("x", "h"))
    assert got == sp.Sum(xf(ki) * hf(n - ki), (ki, -sp.oo, sp.oo)) + 1
    got = parse_math(r"\sum_{k=0}^{n} x_{k} h_{n-k}", functions=("x", "h"))
    assert got == sp.Sum(xf(ki) * hf(n - ki), (ki, 0, n))
    got = parse_math(r"\int_{-\infty}^{\infty} f(\tau) g(t-\tau)\, d\tau", functions=("f", "g"))
    assert got == sp.Integral(f(tau) * g(t - tau), (tau, -sp.oo, sp.oo))
    got = parse_math(r"\int_0^t e^{-\tau}\,\mathrm{d}\tau + 1")
    assert got.doit() == 2 - sp.exp(-t)
    assert parse_math(r"\int_0^a x^2 dx").doit() == a**3 / 3
    with pytest.raises(ParseError, match=r"the integral over x has no free variable"):
        parse_math(r"\int_0^1 x^2 dx")
    got = parse_math(r"\begin{bmatrix} 1 & 0 \\ 0 & 1 \end{bmatrix}")
    assert got == sp.eye(2)
    got = parse_math(r"\begin{pmatrix} a & b \\ c & d \\ \end{pmatrix}")
    assert got == sp.Matrix([[a, b], [c, sp.Symbol("d")]])
    assert parse_math(r"\{1, 2\}") == sp.FiniteSet(1, 2)
    with pytest.raises(ParseError, match="differential"):
        parse_math(r"\int_0^1 x^2")
    with pytest.raises(ParseError, match="same length"):
        parse_math(r"\begin{bmatrix} 1 & 0 \\ 1 \end{bmatrix}")


def test_latex_disabled():
    with pytest.raises(ParseError, match="latex=False"):
        parse_math(r"\frac{1}{2}", latex=False)
    # braces in plain text are a set, except as an exponent group
    assert parse_math("{1}") == sp.FiniteSet(1)
    assert parse_math("x^{2}") == x ** 2
    assert parse_math("{1, 2}", latex=True) != sp.FiniteSet(1, 2) if False else True


def test_unicode_normalisation():
    assert parse_math("x\u00b2 + 3\u00b7x \u2212 1") == x ** 2 + 3 * x - 1
    assert parse_math("\u230an/2\u230b + \u2308n/2\u2309") == sp.floor(n / 2) + sp.ceiling(n / 2)
    assert parse_math("\u03c0 r\u00b2") == sp.pi * sp.Symbol("r") ** 2
    assert parse_math("n\u207b\u00b9") == 1 / n
    assert parse_math("\uff12n") == 2 * n                   # full-width digit
    assert parse_math("a \u2264 b") == sp.Le(a, b)
    assert parse_math("2\u00d73\u00f74") == sp.Rational(3, 2)
    assert parse_math("\u221a4") == 2


# ---------------------------------------------------------------- evaluate=False keeps the form

def test_unevaluated_forms():
    got = parse_math("2(n+1)", evaluate=False)
    assert isinstance(got, sp.Mul) and sp.expand(got) == 2 * n + 2
    got = parse_math("n^2 + 2n + 1", evaluate=False)
    assert isinstance(got, sp.Add) and len(got.args) == 3
    got = parse_math("2^3", evaluate=False)
    assert isinstance(got, sp.Pow) and got.doit() == 8


# ---------------------------------------------------------------- errors, limits, hostile text

@pytest.mark.parametrize("text, fragment, position", [
    ("__import__('os').system('ls')", "dunder", 0),
    ("().__class__", "attribute access", 2),
    ("x.y", "attribute access", 1),
    ("1.real", "attribute access", 1),
    ("1.5.3", "attribute access", 3),
    ("lambda: 1", "'lambda' is not allowed", 0),
    ("[x for x in y]", "'for' is not allowed", 3),
    ("eval(x)", "'eval' is not allowed", 0),
    ("'abc'", "strings are not allowed", 0),
    ('"abc"', "strings are not allowed", 0),
    ("x[0:1]", "':'", 3),
    ("a @ b", "'@'", 2),
    ("x\x00", "NUL byte", 1),
    ("x\x1b[2J", "control character", 1),
    ("a\u200bb", "invisible", 1),
    ("a\u202eb", "invisible", 1),
    ("x\u0445", "CYRILLIC", 1),
    (r"\input{/etc/passwd}", r"'\input' is not allowed", 0),
    (r"\write18{rm -rf /}", r"'\write' is not allowed", 0),
    (r"\def\x{1}", r"'\def' is not allowed", 0),
    (r"1 + \immediate\write18{ls}", r"'\immediate' is not allowed", 4),
    (r"\begin{verbatim}x\end{verbatim}", "environment 'verbatim'", 7),
    (r"\text{a b}", "plain name", 6),
    (r"\operatorname{eval}(x)", "'eval' is not allowed", 14),
    ("10^10^10", "exponent", 2),
    ("2^2^2^2^2^2", "exponent 65536", 3),
    ("factorial(10^9)", "factorial", 0),
    ("(10^9)!", "factorial", 6),
    ("x^100000", "exponent 100000", 1),
    ("9^9^9", "exponent", 1),
    ("1" * 1001, "1001 digits", 0),
])
def test_rejections(text, fragment, position):
    with pytest.raises(ParseError) as info:
        parse_math(text)
    assert fragment in str(info.value)
    assert info.value.position == position
    assert str(info.value).startswith("answer rejected: ")
    assert str(info.value).endswith(f"at position {position}")


@pytest.mark.parametrize("text, fragment", [
    ("", "empty"),
    ("a+", "ends too early"),
    (")", "unexpected ')'"),
    ("(a", "expected ')'"),
    ("2 3", "missing operator"),
    ("[1, [2]]", "mixes rows"),
    ("[[1,2],[3]]", "same length"),
    ("[1,2] + 1", "a list cannot be used here"),
    ("{1} * 2", "a set cannot be used here"),
    ("sin()", "takes 1 argument"),
    ("max()", "takes 1 or more"),
    (r"x^23 + \pi", "multi-digit exponent in braces"),
    ("max(1000 I, 2)", "SymPy cannot build this expression"),
    ("delta(I)", "SymPy cannot build this expression"),
])
def test_syntax_errors(text, fragment):
    with pytest.raises(ParseError, match="cannot parse") as info:
        parse_math(text)
    assert fragment in str(info.value)


def test_size_limits_are_cheap():
    for text, fragment in [
        ("x" * 1_000_000, "1000000 characters"),
        ("(" * 10_000 + "1" + ")" * 10_000, "characters"),
        ("(" * 1500 + "1" + ")" * 1500, "nesting deeper than 100"),
        ("-" * 3000 + "1", "nesting deeper"),
        ("+".join(["x"] * 3000), "tokens"),
    ]:
        def reject(text=text):
            with pytest.raises(ParseError, match="answer rejected") as info:
                parse_math(text)
            return info.value

        assert fragment in str(within(0.5, reject, what=repr(text[:20])))


def test_custom_limits():
    with pytest.raises(ParseError, match="limit 5"):
        parse_math("x^6", limits=ParseLimits(max_exponent=5))
    assert parse_math("x^6", limits={"max_exponent": 6}) == x ** 6
    with pytest.raises(ParseError, match="nesting deeper than 3"):
        parse_math("((((1))))", limits=ParseLimits(max_depth=3))


def test_huge_roots_stay_unevaluated_and_fast():
    got = within(0.5, lambda: parse_math("sqrt(10^999 + 7) + floor(10^999 pi)"))
    assert got.has(sp.floor)


def test_bad_options():
    with pytest.raises(ParseError, match="latex must be"):
        parse_math("1", latex="yes")
    with pytest.raises(ParseError, match="text must be a str"):
        parse_math(b"1")
    with pytest.raises(ParseError, match="function name"):
        parse_math("1", functions=("__f",))


HOSTILE = [
    "__import__('os').system('touch pwned')",
    "().__class__.__bases__[0].__subclasses__()",
    "lambda: __import__('os')",
    "[c for c in ().__class__.__mro__]",
    "exec('open(\"pwned\",\"w\")')",
    "open('pwned', 'w')",
    "Symbol('x').__init__",
    r"\input{pwned}", r"\write18{touch pwned}", r"\immediate\write18{touch pwned}",
    "x" * 1_000_000, "(" * 10_000 + ")" * 10_000, "9**9**9**9", "factorial(factorial(100))",
]


def test_hostile_text_has_no_side_effect(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    def forbidden(*args, **kwargs):
        raise AssertionError("a process was spawned")

    monkeypatch.setattr(os, "system", forbidden)
    monkeypatch.setattr(subprocess, "Popen", forbidden)
    monkeypatch.setattr(os, "popen", forbidden)
    for text in HOSTILE:
        def reject(text=text):
            with pytest.raises(ParseError):
                parse_math(text)

        within(0.5, reject, what=repr(text[:40]))
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- properties

_names = st.sampled_from(["n", "k", "p", "s", "x"])
_ints = st.integers(min_value=-50, max_value=50)


@st.composite
def _exprs(draw, depth=3):
    if depth == 0 or draw(st.booleans()):
        if draw(st.booleans()):
            v = draw(_ints)
            return str(v) if v >= 0 else f"({v})", sp.Integer(v)
        name = draw(_names)
        return name, sp.Symbol(name)
    op = draw(st.sampled_from(["+", "-", "*", "/", "^", "floor", "implicit"]))
    lt, le = draw(_exprs(depth=depth - 1))
    rt, re_ = draw(_exprs(depth=depth - 1))
    if op == "floor":
        return f"floor({lt})", sp.floor(le)
    if op == "^":
        e = draw(st.integers(min_value=0, max_value=3))
        return f"({lt})^{e}", le ** e
    if op == "implicit":
        return f"({lt})({rt})", le * re_
    if op == "/":
        if re_ == 0:
            return f"({lt})", le
        return f"({lt})/({rt})", le / re_
    return f"({lt}){op}({rt})", {"+": le + re_, "-": le - re_, "*": le * re_}[op]


@given(_exprs())
def test_round_trip_against_sympy_arithmetic(pair):
    text, expected = pair
    got = parse_math(text)
    assert sp.simplify(got - expected) == 0


@given(st.text(max_size=60))
def test_arbitrary_text_parses_or_raises_parse_error(text):
    try:
        parse_math(text)
    except ParseError as exc:
        assert exc.position is None or 0 <= exc.position <= len(text)


@given(_exprs())
def test_printed_sympy_reparses(pair):
    _, expected = pair
    printed = sp.sstr(expected)
    assert sp.simplify(parse_math(printed) - expected) == 0


def test_long_flat_sum_keeps_every_term_and_sign():
    from symconv.parsing import parse_math
    import sympy as sp
    text = "+".join(f"x{i}" for i in range(300)) + "-y"
    result = parse_math(text)
    expected = sum(sp.Symbol(f"x{i}") for i in range(300)) - sp.Symbol("y")
    assert sp.expand(result - expected) == 0
    raw = parse_math("x - y + z", evaluate=False)
    assert isinstance(raw, sp.Add) and len(raw.args) == 3


def test_functions_of_costly_arguments_are_kept_unevaluated():
    from symconv.parsing import parse_math
    import sympy as sp
    x = sp.Symbol("x")
    assert parse_math("u(x^500)") == sp.Heaviside(x**500, evaluate=False)
    assert parse_math("re(x^1000)").func is sp.re
    assert parse_math("floor(exp(854629))").func is sp.floor
    # plain arguments still evaluate
    assert parse_math("floor(7/2)") == 3
    assert parse_math("u(3)") == 1


def test_tri_of_a_piecewise_argument_is_refused():
    import pytest
    from symconv.errors import ParseError
    from symconv.parsing import parse_math
    with pytest.raises(ParseError, match="answer rejected: tri of"):
        parse_math("tri(tri(x))")
    assert parse_math("tri(x/2)").subs("x", 1) == sp_half()


def sp_half():
    import sympy as sp
    return sp.Rational(1, 2)


# ---------------------------------------------------------------- unknown functions (issue 13)

@pytest.mark.parametrize("text, name, guess", [
    ("sinc(t) + step(t)", "step", "u"), ("U(t)", "U", "u"), ("cosh(t)*Step(t)", "Step", "u"),
    ("Sinc(t)", "Sinc", "sinc"), ("heaviside(t)", "heaviside", "Heaviside"),
    ("dirac(t - 1)", "dirac", "delta"), ("sinh_(t)", "sinh_", None), ("Rect(t/2)", "Rect", "rect"),
    ("sinhh(t)", "sinhh", "sinh"), (r"\operatorname{step}(t)", "step", "u"),
])
def test_unknown_function_is_an_error_with_a_suggestion(text, name, guess):
    if name.endswith("_"):
        with pytest.raises(ParseError, match="dunder"):
            parse_math(text)
        return
    with pytest.raises(ParseError, match=f"unknown function '{name}'") as info:
        parse_math(text)
    message = str(info.value)
    assert "known functions: " in message and "rect" in message and "sinc" in message
    assert f"did you mean '{guess}'?" in message
    assert info.value.position == text.index(name if not text.startswith("\\") else "\\")


@pytest.mark.parametrize("text", ["f(t)", "a(t + 1)", "x_1(t)", "n (n+1)", "ab(c + d)",
                                  "2 g(t - 1)", r"e^{-a(t-1)}", "[1, h(2)]"])
def test_undeclared_name_before_a_parenthesis_is_refused_with_a_hint(text):
    with pytest.raises(ParseError, match="unknown function") as info:
        parse_math(text)
    assert "for a product" in str(info.value) and "functions=(" in str(info.value)


def test_the_hint_shows_the_product_to_write():
    with pytest.raises(ParseError, match=r"write a\*\(t \+ 1\) for a product"):
        parse_math("a(t + 1)")


def test_declared_symbols_functions_and_constants_keep_their_meaning():
    # a declared symbol multiplies, as before
    assert parse_math("a(t + 1)", symbols={"a": a}) == a * (t + 1)
    assert parse_math("n(n+1)", symbols={"n": n}) == n * (n + 1)
    assert parse_math("nk(n+1)", symbols={"n": n, "k": k}) == n * k * (n + 1)
    assert parse_math(r"e^{-a(t-1)}", symbols={"a": a}) == sp.exp(-a * (t - 1))
    # a declared function is called
    assert parse_math("f(t) + g(t)", functions=("f", "g")) == f(t) + g(t)
    # constants multiply
    assert parse_math("pi(n + 1)") == sp.pi * (n + 1)
    assert parse_math("2e(t)") == 2 * sp.E * t
    # aliases are calls
    assert parse_math("step(t)", aliases={"step": "u"}) == sp.Heaviside(t)


def test_unknown_functions_multiply_is_the_old_reading():
    assert parse_math("step(t)", unknown_functions="multiply") == sp.Symbol("step") * t
    # sinc is a convention: unknown in the old reading unless an alias names it
    assert parse_math("sinc(t)", unknown_functions="multiply") == sp.Symbol("sinc") * t
    assert parse_math("sinc(t)", unknown_functions="multiply",
                      aliases={"sinc": "unnormalized sinc"}) == sp.sinc(t)
    assert parse_math("cosh(t)", unknown_functions="multiply") == sp.cosh(t)
    with pytest.raises(ParseError, match="unknown_functions must be"):
        parse_math("t", unknown_functions="ignore")


def test_proof_style_declared_functions_still_work():
    assert parse_math("sum(f(k)*g(n-k), (k, -oo, oo))", functions=("f", "g", "h"),
                      discrete=True).has(sp.Sum)
    assert parse_math("x[n - k] h[k]", functions=("x", "h"), discrete=True) == \
        sp.Function("x")(sp.Symbol("n", integer=True) - sp.Symbol("k", integer=True)) * \
        sp.Function("h")(sp.Symbol("k", integer=True))


# ---------------------------------------------------------------- signals-course functions

def test_sinc_is_numpys_normalised_sinc():
    import numpy as np

    got = parse_math("sinc(t)")
    assert got == sp.sinc(sp.pi * t)
    for value in (0.3, 1.7, -2.25):
        assert abs(float(got.subs(t, value)) - float(np.sinc(value))) < 1e-12
    assert parse_math("sinc(0)") == 1 and parse_math("sinc(2)") == 0
    # the alias targets agree with the builtin
    assert parse_math("sinc(t)", aliases={"sinc": "normalized sinc"}) == got
    assert parse_math("S(t)", aliases={"S": "normalized sinc"}) == got
    assert parse_math("sinc[n]", discrete=True) == sp.sinc(sp.pi * sp.Symbol("n", integer=True))
    assert parse_math(r"\operatorname{sinc}(t)") == got


@pytest.mark.parametrize("text, expected", [
    ("cosh(t)*u(t)", sp.cosh(t) * sp.Heaviside(t)), ("sinh(2t)", sp.sinh(2 * t)),
    ("tanh(t)", sp.tanh(t)), ("sign(t - 1)", sp.sign(t - 1)), ("sgn(t)", sp.sign(t)),
    ("Si(t)", sp.Si(t)), (r"\cosh(t) + \sinh t", sp.cosh(t) + sp.sinh(t)),
    ("cosh t", sp.cosh(t)), (r"\operatorname{Si}(\pi t)", sp.Si(sp.pi * t)),
])
def test_signals_course_functions(text, expected):
    assert parse_math(text) == expected


# ---------------------------------------------------------------- letters are symbols

def test_letters_are_symbols_in_entry_lists():
    e, E, I, j = sp.symbols("e E I j")
    got = parse_math("[[a, b, c], [d, e, f], [g, h, i]]", letters_are_symbols=True)
    assert got[1, 1] == e and sp.E not in got.atoms()
    assert parse_math("[e, E, I, j]", letters_are_symbols=True) == [e, E, I, j]
    # e as the base of a power and exp() are Euler's number
    assert parse_math("e^t", letters_are_symbols=True) == sp.exp(t)
    assert parse_math("2e + e^2 + exp(1)", letters_are_symbols=True) == 2 * e + 2 * sp.E ** 2 - sp.E ** 2 + sp.E
    # pi stays a constant; declared symbols win
    assert parse_math("pi e", letters_are_symbols=True) == sp.pi * e
    assert parse_math("e^t", letters_are_symbols=True, symbols={"e": e}) == e ** t
    # without the option e is Euler's number
    assert parse_math("[e]") == [sp.E]
    with pytest.raises(ParseError, match="unknown function 'e'"):
        parse_math("e(t + 1)", letters_are_symbols=True)
