"""The ``symconv conv`` / ``symconv corr`` commands, run through ``symconv.cli.main``."""

import pytest
import sympy as sp

from symconv.cli import main
from symconv.commands._signal_args import parse_assumptions
from symconv.errors import ParseError


def run(capsys, *argv):
    """Exit status, stdout without the input-interpretation line, stderr."""
    status = main(list(argv))
    out, err = capsys.readouterr()
    first, _, rest = out.partition("\n")
    if first.startswith(("input: ", "% input: ")):
        out = rest
    return status, out, err


def test_every_result_starts_with_what_was_read(capsys):
    main(["conv", "exp(-t)*u(t)", "rect(t)"])
    assert capsys.readouterr().out.splitlines()[0] == (
        "input: conv(exp(-t)*u(t), rect(t)) in t, continuous time")
    main(["corr", "a^n*u[n]", "u[n]", "--discrete", "--assume", "0<a<1", "--latex"])
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith(r"% input: $\operatorname{corr}\left(a^{n} u\left[n\right]")
    assert first.endswith("in n, discrete time; assuming 0<a<1")
    main(["conv", "[1, 2]", "[x, y]"])
    assert capsys.readouterr().out.splitlines()[0] == "input: conv([1, 2], [x, y]) finite sequences"


@pytest.mark.parametrize("argv, message", [
    (["conv", "exp(-t)*u(t)", "rect(t)", "--var", "x"], "must be a formula in the variable x"),
    (["conv", "x", "y"], "contains x and not t; use --var x"),
    (["conv", "a^n*u(n)", "u(n)"], "use --var n --discrete"),
    (["conv", "exp(-t)*u(t)", "u(t)", "--discrete"], "drop --discrete"),
    (["conv", "", "u(t)"], "the first signal is empty"),
])
def test_signals_without_the_variable_are_refused(capsys, argv, message):
    status, out, err = run(capsys, *argv)
    assert status == 2 and out == "" and message in err and len(err.splitlines()) == 1


def test_assume_integer_or_bounds_are_used(capsys):
    status, out, _ = run(capsys, "conv", "a^n*u(n)", "u(n)", "--assume", "n integer")
    assert status == 0 and "Heaviside(n, 1)" in out           # discrete time in n
    status, out, _ = run(capsys, "conv", "a^n*u(n)", "u(n)", "--discrete", "--assume",
                         "0<a<1")
    assert status == 0 and "Eq(a, 1)" not in out             # a < 1 settles the case a = 1


def test_continuous_exponentials_with_assumptions(capsys):
    status, out, _ = run(capsys, "conv", "exp(-a*t)*u(t)", "exp(-b*t)*u(t)", "--var", "t",
                         "--assume", "a>0,b>0")
    assert status == 0
    t = sp.Symbol("t", real=True)
    a, b = sp.symbols("a b", positive=True)
    first = out.strip().splitlines()[0]
    # the printed closed form, read back with the printed symbols' assumptions
    value = sp.sympify(first, locals={"t": t, "a": a, "b": b})
    expected = (sp.exp(-a * t) - sp.exp(-b * t)) / (b - a) * sp.Heaviside(t)
    generic = value.subs({a: 1, b: 3})
    assert sp.simplify(generic - expected.subs({a: 1, b: 3})) == 0
    assert sp.simplify(value.subs({a: 2, b: 2}) - t * sp.exp(-2 * t) * sp.Heaviside(t)) == 0


def test_check_prints_an_agreeing_report(capsys):
    status, out, _ = run(capsys, "conv", "rect(t)", "rect(t)", "--check")
    assert status == 0
    assert "AGREES" in out and "seed 0" in out and "tolerance" in out


def test_latex_output(capsys):
    status, out, _ = run(capsys, "conv", "rect(t)", "rect(t)", "--latex")
    assert status == 0
    assert out.startswith(r"\begin{cases}") and "t + 1" in out


def test_sequences_full_and_modes(capsys):
    status, out, _ = run(capsys, "conv", "[1,2,3]", "[x,y]", "--mode", "full")
    assert status == 0
    assert out.strip() == "[x, 2*x + y, 3*x + 2*y, 3*y]"
    status, out, _ = run(capsys, "conv", "[1,2,3]", "[x,y]", "--mode", "valid")
    assert out.strip() == "[2*x + y, 3*x + 2*y]"
    status, out, _ = run(capsys, "corr", "[1,2,3]", "[x,y]", "--assume", "x real, y real")
    assert out.strip() == "[x + 2*y, 2*x + 3*y]"
    status, out, _ = run(capsys, "conv", "[1,2,3]", "[x,y]", "--period", "2", "--check")
    assert status == 0 and out.splitlines()[0] == "[4*x + 2*y, 2*x + 4*y]"
    assert "AGREES" in out


def test_correlation_of_complex_sequence_entries_is_checked(capsys):
    status, out, _ = run(capsys, "corr", "[1,2,3]", "[x,y]", "--check", "--seed", "5")
    assert status == 0
    assert "conjugate(x)" in out and "seed 5" in out and "AGREES" in out


def test_discrete_by_flag_and_by_assumption(capsys):
    status, out, _ = run(capsys, "conv", "a^n*u(n)", "b^n*u(n)", "--discrete",
                         "--assume", "a>0,b>0", "--check")
    assert status == 0, out
    assert "discrete conv" in out and "AGREES" in out
    status, out2, _ = run(capsys, "conv", "a^k*u(k)", "b^k*u(k)", "--var", "k",
                          "--assume", "k integer, a>0, b>0")
    assert status == 0
    assert "Heaviside(k, 1)" in out2


def test_corr_continuous(capsys):
    status, out, _ = run(capsys, "corr", "exp(-a*t)*u(t)", "exp(-a*t)*u(t)", "--assume",
                         "a>0", "--check")
    assert status == 0
    assert out.splitlines()[0] == "exp(-a*Abs(t))/(2*a)"
    assert "continuous corr" in out


def test_unsafe_or_malformed_input_is_refused(capsys):
    status, _, err = run(capsys, "conv", "__import__('os').system('true')", "t")
    assert status == 2 and "first signal" in err
    status, _, err = run(capsys, "conv", "t", "exp(", "--var", "t")
    assert status == 2 and "second signal" in err
    status, _, err = run(capsys, "conv", "[1,2]", "t")
    assert status == 2 and "two sequences or two formulas" in err
    status, _, err = run(capsys, "conv", "t*u(t)", "u(t)", "--mode", "full")
    assert status == 2 and "sequences only" in err
    status, _, err = run(capsys, "conv", "t", "t", "--assume", "a >> 1")
    assert status == 2 and "--assume" in err
    status, _, err = run(capsys, "conv", "t", "t", "--assume", "a>0, a<0")
    assert status == 2 and "inconsistent" in err
    status, _, err = run(capsys, "conv", "t", "t", "--var", "1x")
    assert status == 2 and "--var" in err
    status, _, err = run(capsys, "conv", "[[1,2],[3,4]]", "[1]")
    assert status == 2 and "one-dimensional" in err


def test_check_that_cannot_verify_exits_1(capsys):
    # two non-decaying signals: no closed form, and no numeric reference either
    status, out, _ = run(capsys, "conv", "cos(t)", "1", "--check", "--time-limit", "2",
                         "--method", "pieces")
    assert status == 1
    assert "NOT VERIFIED" in out


def test_parse_assumptions():
    assert parse_assumptions("") == {}
    assert parse_assumptions("a>=0; b<=0, c!=0, d<0") == {
        "a": {"nonnegative": True}, "b": {"nonpositive": True}, "c": {"nonzero": True},
        "d": {"negative": True}}
    assert parse_assumptions("N integer positive") == {"N": {"integer": True, "positive": True}}
    with pytest.raises(ParseError) as info:
        parse_assumptions("a>0, b bogus")
    assert "unknown property 'bogus'" in str(info.value) and info.value.position == 5
    with pytest.raises(ParseError):
        parse_assumptions("import os")


@pytest.mark.parametrize("exc", [RecursionError("maximum recursion depth exceeded"),
                                 TypeError("cannot determine truth value\nof Relational"),
                                 ValueError("math domain error")])
def test_any_engine_failure_is_a_one_line_error(capsys, monkeypatch, exc):
    from symconv.signals import continuous as symbolic

    def fail(*args, **kwargs):
        raise exc

    monkeypatch.setattr(symbolic, "conv", fail)
    status, out, err = run(capsys, "conv", "u(t)", "u(t)")
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("symconv conv: error:")
    assert type(exc).__name__ in err or "nested too deeply" in err


def test_a_result_too_large_to_print_is_a_one_line_error(capsys):
    huge = "*".join(["10^999"] * 5)           # an integer of 4996 digits
    for argv in (["corr", f"[{huge}, {huge}]", "[1, 2]"],
                 ["corr", f"[{huge}, {huge}]", "[1, 2]", "--latex"]):
        status, out, err = run(capsys, *argv)
        assert status == 2 and out == ""
        assert err.count("\n") == 1 and "Traceback" not in err


def test_pretty_prints_a_piecewise_result_as_a_case_table(capsys):
    status, out, _ = run(capsys, "conv", "rect(t/2)", "rect(t/3)", "--pretty", "--width", "60")
    lines = out.rstrip("\n").splitlines()
    assert status == 0 and lines[0].startswith("⎧") and lines[-1].startswith("⎩")
    assert "t + 5/2  for t < -1/2" in out and "otherwise" in out
    assert all(len(line) <= 60 for line in lines)
    plain = run(capsys, "conv", "rect(t/2)", "rect(t/3)")[1]
    assert plain.startswith("Piecewise(")


def test_unknown_functions_are_refused_and_function_declares_one(capsys):
    status, out, err = run(capsys, "conv", "step(t)", "rect(t)")
    assert status == 2 and "unknown function 'step'; did you mean 'u'?" in err
    status, out, err = run(capsys, "conv", "f(t)", "delta(t - 1)")
    assert status == 2 and "--function NAME" in err
    status, out, _ = run(capsys, "conv", "f(t)", "delta(t - 1)", "--function", "f")
    assert status == 0 and out.strip() == "f(t - 1)"
    status, out, _ = run(capsys, "conv", "sinc(t)", "delta(t)")
    assert status == 0 and out.strip() == "sinc(pi*t)"      # NumPy's normalisation
