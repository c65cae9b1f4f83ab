"""Tests of the ``symconv shapes`` command (called in-process through symconv.cli.main)."""

import json

import pytest

from symconv import architectures as A
from symconv.cli import main


def run(capsys, *argv):
    status = main(["shapes", *argv])
    out, err = capsys.readouterr()
    return status, out, err


def test_catalogue_table(capsys):
    status, out, err = run(capsys, "lenet5")
    assert status == 0 and err == ""
    lines = out.splitlines()
    assert lines[1] == "input (1, 1, 32, 32)"
    assert any(line.split()[:2] == ["conv1", "conv"] and line.endswith("156") for line in lines)
    assert "total params 61,706" in out
    assert lines[-1] == "valid for this input size"


def test_symbolic_input(capsys):
    status, out, _ = run(capsys, "alexnet", "--input", "3,n,n")
    assert status == 0
    assert "(1, 64, floor((n - 7)/4) + 1, floor((n - 7)/4) + 1)" in out
    assert "(1, 256, floor((n - 63)/32) + 1, floor((n - 63)/32) + 1)" in out
    assert out.splitlines()[-1] == "valid for integer n >= 63"
    assert "total params 61,100,840" in out


def test_two_symbols_and_batch(capsys):
    status, out, _ = run(capsys, "resnet18", "--input", "3, h, w", "--batch", "8")
    assert status == 0
    assert "input (8, 3, h, w)" in out
    assert "(8, 64, floor((h - 1)/4) + 1, floor((w - 1)/4) + 1)" in out
    assert out.splitlines()[-1] == "valid for integer h >= 1, w >= 1"


def test_latex(capsys):
    status, out, _ = run(capsys, "vgg11", "--input", "3,n,n", "--latex")
    assert status == 0
    assert out.startswith(r"\begin{tabular}{llll}")
    assert out.rstrip().endswith(r"\end{tabular}")
    assert r"\texttt{features.0}" in out and "132{,}863{,}336" in out
    assert r"valid for integer n $\geq$ 32" in out
    assert ">=" not in out


def test_list(capsys):
    status, out, _ = run(capsys, "--list")
    assert status == 0
    assert [line.split()[0] for line in out.splitlines()] == A.names()
    assert "11,689,512 params" in out


def _ok_lines(out):
    return [line for line in out.splitlines() if line.rstrip().endswith(" OK")]


def test_check_lenet5_at_32(capsys):
    status, out, _ = run(capsys, "lenet5", "--input", "1,n,n", "--check", "32")
    assert status == 0
    assert "check at n=32" in out
    assert len(_ok_lines(out)) == 12
    assert out.splitlines()[-1] == "all 12 layers match the table"


def test_check_default_input_becomes_symbolic(capsys):
    # no --input: the table is drawn for 1,n,n and checked at n = 34
    status, out, _ = run(capsys, "lenet5", "--check", "34")
    assert status == 0
    assert "input (1, 1, n, n)" in out and "check at n=34" in out
    assert out.splitlines()[-1] == "all 12 layers match the table"


@pytest.mark.parametrize("arch, size, rows", [("resnet18", 32, 61), ("alexnet", 63, 22)])
def test_check_small_sizes(capsys, arch, size, rows):
    status, out, _ = run(capsys, arch, "--input", "3,n,n", "--check", str(size))
    assert status == 0, out[-2000:]
    assert len(_ok_lines(out)) == rows
    assert out.splitlines()[-1] == f"all {rows} layers match the table"


def test_check_concrete_input(capsys):
    status, out, _ = run(capsys, "resnet18", "--input", "3,40,33", "--check")
    assert status == 0
    assert "check at 40x33" in out
    assert out.splitlines()[-1] == "all 61 layers match the table"


def test_check_reports_mismatch(capsys, monkeypatch):
    # a deliberately broken executor step: flatten keeps one axis too many
    monkeypatch.setattr(A.Flatten, "forward", lambda self, x, rng: x.reshape(x.shape[0], 1, -1))
    status, out, _ = run(capsys, "lenet5", "--input", "1,n,n", "--check", "32")
    assert status == 1
    assert "flatten  MISMATCH: table (1, 400), executor (1, 1, 400)" in out
    assert "disagree with the symbolic table" in out.splitlines()[-1]


def test_check_outside_valid_sizes(capsys):
    status, out, err = run(capsys, "alexnet", "--input", "3,n,n", "--check", "62")
    assert status == 2
    assert "layer 'features.12' is invalid at n=62" in err
    assert "valid for integer n >= 63" in err


@pytest.mark.parametrize("argv, message", [
    (["alexnet", "--input", "__import__('os').system('echo pwned')"], "--input entries must be"),
    (["alexnet", "--input", "3,n+1,n"], "'n+1'"),
    (["alexnet", "--input", "3,0,224"], "'0'"),
    (["alexnet", "--input", "3"], "at least one spatial size"),
    (["alexnet", "--input", "3,n,n", "--check"], "--check needs a size N"),
    (["alexnet", "--check", "x"], "--check must be a positive integer"),
    (["alexnet", "--input", "3,224,224", "--check", "100"], "has none"),
    (["inception_v3"], "architecture must be one of"),
    ([], "ARCH must be"),
    (["alexnet", "--batch", "0"], "--batch"),
])
def test_bad_arguments(capsys, argv, message):
    status, out, err = run(capsys, *argv)
    assert status == 2
    assert message in err
    assert "pwned" not in out


def test_json_network(capsys, tmp_path):
    spec = {
        "name": "tiny",
        "input": [1, 28, 28],
        "layers": [
            {"type": "conv", "out_channels": 6, "kernel_size": 5, "padding": 2, "name": "c1"},
            {"type": "relu"},
            {"type": "maxpool", "kernel_size": 2},
            {"type": "residual",
             "main": [{"type": "conv", "out_channels": 6, "kernel_size": 3, "padding": 1}],
             "shortcut": []},
            {"type": "flatten"},
            {"type": "linear", "out_features": 10},
        ],
    }
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(spec))
    status, out, _ = run(capsys, str(path))
    assert status == 0
    assert out.startswith("tiny")
    assert "total params " + f"{156 + 6 * 6 * 9 + 6 + 6 * 14 * 14 * 10 + 10:,}" in out
    status, out, _ = run(capsys, str(path), "--input", "1,n,n", "--check", "20")
    assert status == 0
    assert "(1, 6, floor(n/2), floor(n/2))" in out
    assert "1176" not in out.split("check at")[0]   # the flatten size is symbolic here
    assert out.splitlines()[-1] == "all 7 layers match the table"


def test_json_without_input_needs_input(capsys, tmp_path):
    path = tmp_path / "bare.json"
    path.write_text(json.dumps([{"type": "conv", "out_channels": 2, "kernel_size": 3}]))
    status, _, err = run(capsys, str(path))
    assert status == 2 and "--input must be given" in err
    status, out, _ = run(capsys, str(path), "--input", "1,5,5")
    assert status == 0 and "(1, 2, 3, 3)" in out and out.startswith("bare")
    missing = tmp_path / "missing.json"
    status, _, err = run(capsys, str(missing))
    assert status == 2 and "readable" in err


TCN = {"name": "tcn", "input": [1, 100], "layers": [
    {"type": "conv", "out_channels": 4, "kernel_size": 3, "padding": "causal"},
    {"type": "graph", "name": "gate", "nodes": [
        {"type": "conv", "out_channels": 4, "kernel_size": 2, "padding": [1, 0], "name": "f"},
        {"type": "tanh", "name": "ft"},
        {"type": "conv", "out_channels": 4, "kernel_size": 2, "padding": "causal",
         "inputs": ["input"], "name": "g"},
        {"type": "sigmoid", "name": "gs"},
        {"type": "mul", "inputs": ["ft", "gs"], "name": "z"}]},
    {"type": "conv", "out_channels": 2, "kernel_size": 1}]}


def test_check_1d_json_keeps_the_time_axis_concrete(capsys, tmp_path):
    import json

    path = tmp_path / "tcn.json"
    path.write_text(json.dumps(TCN))
    assert main(["shapes", str(path), "--check", "37"]) == 0
    out = capsys.readouterr().out
    assert "input (1, 1, 37)" in out and "floor" not in out and " n" not in out
    assert "all 7 layers match the table" in out


def test_check_fails_where_the_merge_fails(capsys):
    assert main(["shapes", "unet", "--check", "48"]) == 0
    assert "all 67 layers match the table" in capsys.readouterr().out
    assert main(["shapes", "unet", "--input", "3,n,n", "--check", "40"]) != 0
    assert "invalid at n=40" in capsys.readouterr().err


def test_latex_long_tables_use_longtable(capsys):
    assert main(["shapes", "resnet50", "--latex"]) == 0
    out = capsys.readouterr().out
    assert "usepackage{longtable}" in out and r"\begin{longtable}{llll}" in out
    assert r"\endhead" in out and out.rstrip().endswith(r"\end{longtable}")


def test_help_lists_every_layer_type(capsys):
    from symconv.nn.architectures.io import _ALIASES, _TYPES
    from symconv.commands.shapes import _EPILOG

    listed = {line.split()[0].rstrip(",") for line in _EPILOG.splitlines()
              if line.startswith("  ") and not line.startswith("   ")}
    listed |= {w.rstrip(",") for line in _EPILOG.splitlines() if line.startswith("  add,")
               for w in line.split()[:2]}
    assert set(_TYPES) <= listed, set(_TYPES) - listed
    shorthands = _EPILOG[_EPILOG.index("Shorthands:"):_EPILOG.index("Every layer")]
    assert {a for a in _ALIASES if "_" not in a or a == "leaky_relu"} - {
        "conv2d", "convtranspose", "deconv", "adaptive_avg_pool", "adaptive_max_pool",
        "batch_norm", "layer_norm", "group_norm", "pixelshuffle", "hard_swish",
        "hard_sigmoid"} <= set(shorthands.replace(",", " ").replace(".", " ").split())


@pytest.mark.parametrize("argv, message", [
    (["shapes", "lenet5", "--input", "3,32,32"],
     "lenet5: layer 'conv1' expected input to have 1 channels, but got 3"),
    (["shapes", "resnet50", "--input", "3,n"], "--input for resnet50 must have 3 entries"),
    (["shapes", "vgg17"], "did you mean 'vgg19'?"),
    (["shapes", "lenet5", "--inptu", "1,n,n"], "unrecognized argument '--inptu'; did you mean '--input'?"),
])
def test_catalogue_inputs_are_checked_like_pytorch(capsys, argv, message):
    from symconv.cli import main

    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == "" and message in err and len(err.strip().splitlines()) == 1


def test_check_is_validated_before_the_table_is_printed(capsys):
    from symconv.cli import main

    assert main(["shapes", "alexnet", "--input", "3,n,n", "--check"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "--check needs a size N" in err


def test_api_refuses_a_catalogue_input_of_the_wrong_channels_or_rank():
    import symconv as sc
    from symconv.errors import ShapeError

    with pytest.raises(ShapeError, match="expected input to have 1 channels, but got 3"):
        sc.infer_shapes("lenet5", (3, 32, 32))
    with pytest.raises(ShapeError, match=r"takes an input \(C, S1, S2\)"):
        sc.infer_shapes("resnet50", (3, "n"))
    assert sc.infer_shapes("lenet5", (1, "n", "n")).input_shape[:2] == (1, 1)
