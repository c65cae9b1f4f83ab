"""The command line's printing: did-you-mean, help texts, LaTeX-only output, wrapping."""

import pytest

from symconv.cli import build_parser, main


def test_unknown_command_suggests_the_nearest(capsys):
    assert main(["cnov", "t", "t"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "symconv: error: unknown command 'cnov'; did you mean 'conv'?"
    assert "\n" not in err


def test_unknown_command_without_a_near_name_lists_the_commands(capsys):
    assert main(["zzzz"]) == 2
    err = capsys.readouterr().err
    assert "unknown command 'zzzz'" in err and "mlp-to-conv" in err


@pytest.mark.parametrize("command", ["mlp-to-conv", "matrix"])
def test_every_option_has_help(command):
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for action in sub.choices[command]._actions:
        assert action.help, f"{command} {action.option_strings} has no help text"


def test_kernel_options_have_help():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    kinds = next(a for a in sub.choices["kernel"]._actions if a.dest == "kind")
    for kind, p in kinds.choices.items():
        for action in p._actions:
            assert action.help, f"kernel {kind} {action.option_strings} has no help text"


def test_kernel_latex_prints_latex_only(capsys):
    assert main(["kernel", "derivative", "--order", "2", "--latex"]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert lines[0].startswith(r"\frac{d^{2}}")
    assert len(lines) > 2 and all(line.startswith("% ") for line in lines[1:])


def test_mlp_to_conv_wraps_long_lines():
    from symconv.commands.mlp_to_conv import _wrapped

    line = "  stage: " + " + ".join(f"w_{i}*x_{i}" for i in range(200))
    out = _wrapped(line + "\nshort", 300)
    assert all(len(part) <= 300 for part in out.splitlines())
    assert out.splitlines()[1].startswith("      ")  # indent of the line + 4
    assert out.replace("\n      ", " ").split() == (line + "\nshort").split()
    assert _wrapped(line, 0) == line
