"""Tests of symconv.architectures and infer_shapes: parameter totals, shapes, validity.

Independent references: the parameter totals torchvision publishes for its models,
hand counts of single layers, brute-force scans of the input sizes for which the
integer inference succeeds, and (when PyTorch is installed) the same networks built
from torch.nn modules on the 'meta' device, whose shapes and parameter counts come
from PyTorch itself.
"""

import json

import numpy as np
import pytest
import sympy as sp

from symconv import architectures as A
from symconv.errors import ShapeError, SymconvError
from symconv.nn.architectures import infer_shapes

n = sp.Symbol("n", integer=True, positive=True)

# published by torchvision (sum of p.numel() over model.parameters()) and, for LeNet-5,
# the hand count 156 + 2,416 + 48,120 + 10,164 + 850
PUBLISHED = {
    "lenet5": 61_706,
    "alexnet": 61_100_840,
    "vgg11": 132_863_336,
    "vgg13": 133_047_848,
    "vgg16": 138_357_544,
    "vgg19": 143_667_240,
    "resnet18": 11_689_512,
    "resnet34": 21_797_672,
    "resnet50": 25_557_032,
    "resnet101": 44_549_160,
    "resnet152": 60_192_808,
    "resnext50_32x4d": 25_028_904,
    "squeezenet1_1": 1_235_496,
    "mobilenet_v2": 3_504_872,
}
# torchvision's published totals (the DCGAN pair: PyTorch's DCGAN tutorial)
MODERN = {
    "mobilenet_v3_small": 2_542_856,
    "mobilenet_v3_large": 5_483_032,
    "efficientnet_b0": 5_288_548,
    "densenet121": 7_978_856,
    "googlenet": 6_624_904,
    "shufflenet_v2_x1_0": 2_278_604,
    "convnext_tiny": 28_589_128,
    "dcgan_generator": 3_576_704,
    "dcgan_discriminator": 2_765_568,
}


@pytest.mark.parametrize("name", list(PUBLISHED))
def test_parameter_totals_match_published(name):
    table = infer_shapes(name)
    assert table.total_params == PUBLISHED[name]
    assert table.total_params == sum(row.params for row in table.rows)
    assert table.output_shape == ((1, 10) if name == "lenet5" else (1, 1000))


def test_catalogue_is_complete():
    assert A.names() == [*PUBLISHED, "unet", *MODERN]
    assert A.get("ResNet-50") is A.get("resnet50")
    with pytest.raises(SymconvError, match="architecture must be one of"):
        A.get("inception_v3")


@pytest.mark.parametrize("name", list(MODERN))
def test_modern_totals_match_published(name):
    table = infer_shapes(name)
    assert table.total_params == MODERN[name] == sum(row.params for row in table.rows)


def test_dcgan_totals_by_hand():
    # generator: 4x4 transposed convolutions without bias, batch norm after all but the last
    g = 100 * 512 * 16 + 512 * 256 * 16 + 256 * 128 * 16 + 128 * 64 * 16 + 64 * 3 * 16
    assert infer_shapes("dcgan_generator").total_params == g + 2 * (512 + 256 + 128 + 64)
    d = 3 * 64 * 16 + 64 * 128 * 16 + 128 * 256 * 16 + 256 * 512 * 16 + 512 * 1 * 16
    assert infer_shapes("dcgan_discriminator").total_params == d + 2 * (128 + 256 + 512)
    assert infer_shapes("dcgan_generator").output_shape == (1, 3, 64, 64)


def test_single_layer_hand_counts():
    rows = {r.name: r for r in infer_shapes("alexnet").rows}
    assert rows["features.0"].params == 64 * 3 * 11 * 11 + 64
    assert rows["features.0"].output_shape == (1, 64, 55, 55)
    assert rows["features.2"].output_shape == (1, 64, 27, 27)
    assert rows["features.12"].output_shape == (1, 256, 6, 6)
    assert rows["classifier.1"].params == 9216 * 4096 + 4096
    rows = {r.name: r for r in infer_shapes("resnet50").rows}
    assert rows["conv1"].params == 64 * 3 * 49
    assert rows["bn1"].params == 128
    assert rows["layer1.0.downsample.0"].params == 64 * 256
    assert rows["layer2.0.conv2"].output_shape == (1, 128, 28, 28)   # v1.5: stride on the 3x3
    assert rows["layer2.0.conv1"].output_shape == (1, 128, 56, 56)
    assert rows["layer4.2"].output_shape == (1, 2048, 7, 7)
    assert rows["fc"].params == 2048 * 1000 + 1000
    lenet = {r.name: r for r in infer_shapes("lenet5").rows}
    assert lenet["conv2"].params == 6 * 16 * 25 + 16       # full C3 connections
    assert lenet["pool2"].output_shape == (1, 16, 5, 5)


def test_resnet_block_structure():
    names = [r.name for r in infer_shapes("resnet18").rows]
    blocks = [x for x in names if x.count(".") == 1 and x.startswith("layer")]
    assert blocks == [f"layer{s}.{i}" for s in range(1, 5) for i in range(2)]
    downsamples = sorted({x.rsplit(".", 2)[0] for x in names if "downsample" in x})
    assert downsamples == ["layer2.0", "layer3.0", "layer4.0"]
    names50 = [r.name for r in infer_shapes("resnet50").rows]
    # in a bottleneck network the first block of every stage changes the width
    assert sorted({x.rsplit(".", 2)[0] for x in names50 if "downsample" in x}) == [
        "layer1.0", "layer2.0", "layer3.0", "layer4.0"]
    counts = {s: len({x.split(".")[1] for x in infer_shapes("resnet152").rows
                      for x in [x.name] if x.startswith(f"layer{s}.")}) for s in range(1, 5)}
    assert counts == {1: 3, 2: 8, 3: 36, 4: 3}


# ---------------------------------------------------------------------------
# symbolic tables: substitution agrees with the integer tables
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("name, sizes", [
    ("lenet5", [32, 33, 35]), ("alexnet", [63, 64, 100, 224, 227]),
    ("vgg11", [32, 47, 224]), ("resnet18", [1, 2, 7, 33, 224]), ("resnet50", [5, 64, 224]),
])
def test_symbolic_table_substitutes_to_integer_table(name, sizes):
    channels = A.get(name).input_shape[0]
    symbolic = infer_shapes(name, (channels, n, n))
    for size in sizes:
        concrete = infer_shapes(name, (channels, size, size))
        substituted = symbolic.substitute({n: size})
        assert [r.output_shape for r in substituted.rows] == [r.output_shape for r in concrete.rows]
        assert substituted.total_params == concrete.total_params


def _valid_sizes_by_brute_force(name, upper):
    channels = A.get(name).input_shape[0]
    good = []
    for size in range(1, upper):
        try:
            infer_shapes(name, (channels, size, size))
        except ShapeError:
            continue
        good.append(size)
    return good


@pytest.mark.parametrize("name, upper, expected", [
    ("lenet5", 80, sp.Range(32, 36)),
    ("alexnet", 140, sp.Range(63, sp.oo)),
    ("vgg16", 80, sp.Range(32, sp.oo)),
    ("resnet34", 20, sp.Range(1, sp.oo)),
])
def test_validity_matches_brute_force_scan(name, upper, expected):
    channels = A.get(name).input_shape[0]
    table = infer_shapes(name, (channels, "n", "n"))
    (symbol,) = table.symbols
    assert table.valid == {symbol: expected}
    assert table.smallest == {symbol: int(expected.inf)}
    good = _valid_sizes_by_brute_force(name, upper)
    assert good == [v for v in range(1, upper) if v in expected]


def test_validity_text_and_coupled_conditions():
    assert infer_shapes("alexnet", (3, "n", "n")).validity_text() == "valid for integer n >= 63"
    assert infer_shapes("lenet5", (1, "n", "n")).validity_text() == "valid for integer 32 <= n <= 35"
    table = infer_shapes("lenet5", (1, "h", "w"))
    assert table.valid is None and len(table.coupled) == 1
    text = table.validity_text()
    assert text.startswith("valid for integer h >= 16, w >= 16 and when")
    assert "= 400 (fc1)" in text
    # the coupled condition is exactly the brute-force truth on a grid
    h, w = table.symbols
    for hv in range(14, 40, 3):
        for wv in range(14, 40, 2):
            try:
                infer_shapes("lenet5", (1, hv, wv))
                ok = True
            except ShapeError:
                ok = False
            expected = all(c.xreplace({h: hv, w: wv}) is sp.true for _, c in table.constraints) \
                and hv >= 16 and wv >= 16
            assert ok == expected, (hv, wv)


def test_numeric_input_has_no_conditions():
    table = infer_shapes("vgg11", (3, 64, 64))
    assert table.constraints == [] and table.valid == {} and table.symbols == []
    assert table.validity_text() == "valid for this input size"


def test_impossible_sizes_raise_with_layer_name():
    with pytest.raises(ShapeError, match=r"layer 'features.5' \(pool\) with input \(1, 192, 1, 1\)"):
        infer_shapes("alexnet", (3, 20, 20))
    with pytest.raises(ShapeError, match=r"layer 'fc1'.*expects 400 input features, but got 784"):
        infer_shapes("lenet5", (1, 40, 40))
    with pytest.raises(ShapeError, match="conv expects 3 input channels, but got 1|"
                                         "expects"):
        infer_shapes([A.Conv(4, 3, in_channels=3)], (1, 1, 8, 8))


def test_no_valid_size_is_an_error():
    # 2*(n - 2)**2 is even, never 7: SymPy decides this one itself
    layers = [A.Conv(2, 3), A.Flatten(), A.Linear(5, in_features=7)]
    with pytest.raises(ShapeError, match=r"layer '2' \(linear\).*expects 7 input features"):
        infer_shapes(layers, (1, 1, "n", "n"))
    # (n - 2)**2 = 7 has no integer solution, which only the search finds
    layers = [A.Conv(1, 3), A.Flatten(), A.Linear(5, in_features=7)]
    with pytest.raises(ShapeError, match="no input size n makes every layer valid"):
        infer_shapes(layers, (1, 1, "n", "n"))
    # and the solvable neighbour: (n - 2)**2 = 9 at n = 5 only
    layers = [A.Conv(1, 3), A.Flatten(), A.Linear(5, in_features=9)]
    table = infer_shapes(layers, (1, 1, "n", "n"))
    assert table.valid == {n: sp.Range(5, 6)}
    assert table.validity_text() == "valid for integer n = 5"


# ---------------------------------------------------------------------------
# user networks: layer objects, mappings and JSON
# ---------------------------------------------------------------------------

TINY = [
    {"type": "conv", "out_channels": 8, "kernel_size": 3, "padding": 1, "name": "c1"},
    {"type": "bn"},
    {"type": "relu"},
    {"type": "residual",
     "main": [{"type": "conv", "out_channels": 16, "kernel_size": 3, "stride": 2, "padding": 1},
              {"type": "relu"},
              {"type": "conv", "out_channels": 16, "kernel_size": 3, "padding": 1}],
     "shortcut": [{"type": "conv", "out_channels": 16, "kernel_size": 1, "stride": 2}]},
    {"type": "maxpool", "kernel_size": 3, "stride": 2, "ceil_mode": True},
    {"type": "conv_transpose", "out_channels": 4, "kernel_size": 4, "stride": 2, "padding": 1},
    {"type": "adaptive_avg_pool", "output_size": [2, 2]},
    {"type": "flatten"},
    {"type": "fc", "out_features": 3},
]


def test_user_layer_list_from_mappings():
    table = infer_shapes(TINY, (2, 3, 17, 17))
    got = [(r.name, r.output_shape, r.params) for r in table.rows]
    assert got == [
        ("c1", (2, 8, 17, 17), 8 * 3 * 9 + 8),
        ("1", (2, 8, 17, 17), 16),
        ("2", (2, 8, 17, 17), 0),
        ("3.0", (2, 16, 9, 9), 16 * 8 * 9 + 16),
        ("3.1", (2, 16, 9, 9), 0),
        ("3.2", (2, 16, 9, 9), 16 * 16 * 9 + 16),
        ("3.shortcut.0", (2, 16, 9, 9), 16 * 8 + 16),   # unnamed shortcut layers: unique names
        ("3", (2, 16, 9, 9), 0),
        ("4", (2, 16, 4, 4), 0),                   # ceil((9 - 3)/2) + 1 = 4
        ("5", (2, 4, 8, 8), 16 * 4 * 16 + 4),
        ("6", (2, 4, 2, 2), 0),
        ("7", (2, 16), 0),
        ("8", (2, 3), 16 * 3 + 3),
    ]


def test_json_round_trip():
    arch = A.layers_from_json(json.dumps({"name": "tiny", "input": [3, 17, 17], "layers": TINY}))
    assert arch.name == "tiny" and arch.input_shape == (3, 17, 17)
    again = A.layers_from_json(json.dumps([layer.to_dict() for layer in arch.layers]))
    assert again.layers == arch.layers
    assert infer_shapes(arch).total_params == infer_shapes(TINY, (1, 3, 17, 17)).total_params
    for name in ("resnet50", "alexnet"):
        layers = A.get(name).layers
        rebuilt = A.layers_from_json(json.dumps([layer.to_dict() for layer in layers])).layers
        assert rebuilt == layers


@pytest.mark.parametrize("text, match", [
    ("[{\"type\": \"conv\", \"kernel_size\": 3}]", "out_channels"),
    ("[{\"type\": \"conv\", \"out_channels\": 2, \"kernel_size\": 3, \"colour\": 1}]", "colour"),
    ("[{\"type\": \"pool\", \"kernel_size\": 2, \"mode\": \"median\"}]", "pool mode"),
    ("[{\"type\": \"conv\", \"out_channels\": \"__import__('os')\", \"kernel_size\": 3}]", "out_channels"),
    ("{\"layers\": 3}", "'layers' list"),
    ("[1, 2]", "mapping with a 'type'"),
    ("not json", "valid JSON"),
    ("{\"layers\": [], \"weights\": 1}", "keys must be among"),
])
def test_bad_json_is_rejected(text, match):
    with pytest.raises(SymconvError, match=match):
        A.layers_from_json(text)


def test_residual_paths_must_agree():
    block = A.Residual([A.Conv(4, 3)])          # main shrinks by 2, shortcut is the identity
    with pytest.raises(ShapeError, match="both paths must give the same shape"):
        infer_shapes([block], (1, 4, 10, 10))
    with pytest.raises(ShapeError, match="both paths"):
        infer_shapes([block], (1, 4, "n", "n"))
    # agreement SymPy cannot decide: floor((n + 1)/2) versus floor(n/2), equal for even n
    # only; solved over the integers as a periodic condition
    odd = A.Residual([A.Pool(2, 2, ceil_mode=True)], [A.Pool(2, 2)], activation=None)
    table = infer_shapes([odd], (1, 1, "n", "n"))
    assert table.valid == {n: sp.Range(2, sp.oo, 2)}
    assert table.validity_text() == "valid for integer n >= 2 with n ≡ 0 (mod 2)"
    assert table.substitute({"n": 8}).output_shape == (1, 1, 4, 4)
    with pytest.raises(ShapeError, match="invalid at n=7"):
        table.substitute({"n": 7})


def test_symbolic_channels_and_batch():
    N, c = sp.symbols("N c", integer=True, positive=True)
    table = infer_shapes([A.Conv(8, 3, padding=1), A.BatchNorm()], (N, c, n, n))
    assert table.output_shape == (N, 8, n, n)
    assert sp.expand(table.total_params - (8 * c * 9 + 8 + 16)) == 0
    assert table.valid == {N: sp.Range(1, sp.oo), c: sp.Range(1, sp.oo), n: sp.Range(1, sp.oo)}


def test_rendering():
    table = infer_shapes("alexnet", (3, "n", "n"))
    text = str(table)
    lines = text.splitlines()
    assert lines[0].startswith("alexnet")
    assert "features.0    conv 3->64, 11x11/4, pad 2  (1, 64, floor((n - 7)/4) + 1, " in text
    assert "total params 61,100,840" in text
    assert lines[-1] == "valid for integer n >= 63"
    # aligned columns: every row's params column ends at the same place
    body = [line for line in lines if line.startswith(("features", "classifier", "avgpool"))]
    assert len({len(line) for line in body}) == 1
    latex = table.latex()
    assert latex.startswith(r"\begin{tabular}{llll}") and latex.endswith(r"\end{tabular}")
    assert r"\left\lfloor{\frac{n - 7}{4}}\right\rfloor + 1" in latex
    assert "61{,}100{,}840" in latex
    assert latex.count(r"\\") == len(table.rows) + 3
    assert table._repr_latex_().startswith("$$\\begin{array}")
    assert "<table>" in table._repr_html_() and "61,100,840" in table._repr_html_()
    assert repr(table).startswith("<ShapeTable alexnet: 22 rows")


def test_latex_table_compiles(tmp_path):
    import shutil
    import subprocess

    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex not installed")
    body = infer_shapes("lenet5", (1, "n", "n")).latex()
    tex = tmp_path / "t.tex"
    tex.write_text("\\documentclass{article}\\usepackage{amsmath}\\begin{document}\n"
                   f"{body}\n\\end{{document}}\n")
    done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", tex.name],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout[-2000:]


def test_string_input_entries_are_identifiers_only():
    with pytest.raises(SymconvError, match="identifier"):
        infer_shapes("alexnet", (3, "n+1", "n"))
    with pytest.raises(SymconvError, match="input_shape"):
        infer_shapes("alexnet", (3, 0, 224))


# ---------------------------------------------------------------------------
# PyTorch as an independent reference (skipped without torch)
# ---------------------------------------------------------------------------

def _torch_module(layer, in_channels, ndim):
    """Build the torch.nn equivalent of one (non-residual) layer spec."""
    import torch.nn as nn

    meta = {"device": "meta"}
    if isinstance(layer, A.Conv):
        conv_cls = {1: nn.Conv1d, 2: nn.Conv2d, 3: nn.Conv3d}[ndim]
        return conv_cls(in_channels, layer.out_channels, layer.kernel_size, layer.stride,
                        layer.padding, layer.dilation, layer.groups, layer.bias, **meta)
    if isinstance(layer, A.Pool):
        cls = nn.MaxPool2d if layer.mode == "max" else nn.AvgPool2d
        if layer.mode == "max":
            return cls(layer.kernel_size, layer.stride, layer.padding, layer.dilation,
                       ceil_mode=layer.ceil_mode)
        return cls(layer.kernel_size, layer.stride, layer.padding, ceil_mode=layer.ceil_mode)
    if isinstance(layer, A.AdaptivePool):
        return nn.AdaptiveAvgPool2d(layer.output_size)
    if isinstance(layer, A.Linear):
        return nn.LazyLinear(layer.out_features, layer.bias) if layer.in_features is None \
            else nn.Linear(layer.in_features, layer.out_features, layer.bias, **meta)
    if isinstance(layer, A.BatchNorm):
        return nn.BatchNorm2d(in_channels, **meta).eval()
    if isinstance(layer, A.Flatten):
        return nn.Flatten()
    return nn.Identity()


def _torch_trace(layers, x):
    """Run the layers on a meta tensor: [(shape, n_params)] per row, like trace()."""
    out = []
    for layer in layers:
        if isinstance(layer, A.Residual):
            y, inner = _torch_trace(layer.main, x)
            short, side = _torch_trace(layer.shortcut, x) if layer.shortcut else (x, [])
            out += inner + side
            x = y + short
            out.append((tuple(x.shape), 0))
            continue
        module = _torch_module(layer, x.shape[1], x.dim() - 2)
        if isinstance(module, __import__("torch").nn.LazyLinear):
            module = __import__("torch").nn.Linear(x.shape[-1], layer.out_features, layer.bias,
                                                   device="meta")
        x = module(x)
        out.append((tuple(x.shape), sum(p.numel() for p in module.parameters())))
    return x, out


@pytest.mark.parametrize("name, size", [
    ("lenet5", 32), ("alexnet", 224), ("alexnet", 67), ("vgg11", 224), ("vgg19", 50),
    ("resnet18", 224), ("resnet18", 1), ("resnet50", 97), ("resnet152", 224),
])
def test_against_pytorch_meta_modules(name, size, torch):
    arch = A.get(name)
    x = torch.empty((1, arch.input_shape[0], size, size), device="meta")
    _, reference = _torch_trace(arch.layers, x)
    table = infer_shapes(name, (arch.input_shape[0], size, size))
    assert [(r.output_shape, r.params) for r in table.rows] == reference


def test_pool_sizes_against_pytorch_grid(torch):
    from symconv.nn.shapes import pool_output_size

    for size in range(1, 14):
        for k in range(1, 5):
            for s in range(1, 4):
                for p in range(0, k // 2 + 1):
                    for d in (1, 2):
                        for ceil_mode in (False, True):
                            x = torch.empty((1, 1, size), device="meta")
                            try:
                                expected = torch.nn.functional.max_pool1d(
                                    x, k, s, p, d, ceil_mode=ceil_mode).shape[-1]
                            except RuntimeError:
                                expected = None
                            try:
                                got = pool_output_size(size, k, s, p, d, ceil_mode)
                            except ShapeError:
                                got = None
                            if expected == 0:
                                expected = None
                            assert got == expected, (size, k, s, p, d, ceil_mode)


# ---------------------------------------------------------------------------
# the NumPy run used by `symconv shapes --check`
# ---------------------------------------------------------------------------

def test_run_numpy_follows_the_table_on_a_mixed_network():
    np = pytest.importorskip("numpy")
    for size in (9, 16, 17, 23):
        table = infer_shapes(TINY, (2, 3, size, size))
        x = np.random.default_rng(1).standard_normal((2, 3, size, size), dtype=np.float32)
        y, produced = A.run_numpy(TINY, x)
        assert produced == [(r.name, r.output_shape) for r in table.rows]
        assert y.dtype == np.float32 and np.isfinite(y).all()


def test_run_numpy_residual_mismatch_is_reported():
    np = pytest.importorskip("numpy")
    block = A.Residual([A.Conv(2, 3)])
    with pytest.raises(ShapeError, match="the paths gave arrays of shapes"):
        A.run_numpy([block], np.zeros((1, 2, 6, 6), dtype=np.float32))


def test_adaptive_pool_values_against_pytorch(torch):
    np = pytest.importorskip("numpy")
    rng = np.random.default_rng(3)
    for shape, out in [((1, 2, 7, 5), (3, 2)), ((2, 1, 13, 13), (6, 6)), ((1, 3, 4, 4), (7, 7))]:
        x = rng.standard_normal(shape, dtype=np.float32)
        for mode, fn in (("avg", torch.nn.functional.adaptive_avg_pool2d),
                         ("max", lambda t, o: torch.nn.functional.adaptive_max_pool2d(t, o))):
            got = A.AdaptivePool(out, mode).forward(x, rng)
            expected = fn(torch.from_numpy(x), out).numpy()
            np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)


# ---------------------------------------------------------------------------
# layer graphs (torch-free checks; tests/test_architectures_torch.py compares with torch)
# ---------------------------------------------------------------------------

GRAPH_JSON = {"type": "graph", "name": "g", "nodes": [
    {"type": "conv", "out_channels": 4, "kernel_size": 3, "padding": 1, "name": "enc"},
    {"type": "maxpool", "kernel_size": 2, "name": "down"},
    {"type": "upsample", "scale_factor": 2, "name": "up"},
    {"type": "cat", "inputs": ["enc", "up"], "name": "cat"},
    {"type": "conv", "out_channels": 4, "kernel_size": 1, "name": "mix"},
    {"type": "add", "inputs": ["mix", "enc"], "name": "sum"}]}


def test_graph_json_round_trip_and_validity():
    graph = A.layer_from_dict(GRAPH_JSON)
    assert A.layer_from_dict(json.loads(json.dumps(graph.to_dict()))) == graph
    table = infer_shapes([graph, A.Flatten()], (1, 3, "n", "n"))
    assert [r.name for r in table.rows] == ["g.enc", "g.down", "g.up", "g.cat", "g.mix",
                                            "g.sum", "1"]
    assert table.validity_text() == "valid for integer n >= 2 with n ≡ 0 (mod 2)"
    # the integer inference agrees with the solved range for every n up to 60
    for size in range(1, 61):
        try:
            infer_shapes([graph], (1, 3, size, size))
            ok = True
        except ShapeError:
            ok = False
        assert ok == (size in table.valid[n]), size


def test_graph_errors_say_what_was_expected():
    with pytest.raises(SymconvError, match="reads 'nope', but no node before it"):
        A.Graph([A.Node(A.Conv(2, 1), ("nope",), "a")])
    with pytest.raises(SymconvError, match="expects at least 2 inputs, but got 1"):
        A.Graph([A.Node(A.Concat(), ("input",), "c")])
    with pytest.raises(SymconvError, match="appears twice"):
        A.Graph([A.Node(A.Conv(2, 1), name="a"), A.Node(A.Conv(2, 1), name="a")])
    cat = A.branches([A.Conv(4, 3)], [A.Conv(4, 1)])     # 3x3 valid vs 1x1: never agree
    with pytest.raises(ShapeError, match=r"concat '0.cat' axis 2.*differ by"):
        infer_shapes([cat], (1, 3, "n", "n"))
    with pytest.raises(ShapeError, match="expected sizes to agree, but got 6 and 8"):
        infer_shapes([cat], (1, 3, 8, 8))


def test_never_agreeing_periodic_merge_is_an_error():
    # 2*floor(n/2) + 1 = n has solutions (odd n >= 3); 2*floor(n/2) + 1 = n - 1 has none
    g = A.Graph([A.Node(A.Pool(2), name="p"), A.Node(A.ConvTranspose(1, 2, 2, output_padding=1), name="u"),
                 A.Node(A.Add(), ("input", "u"), "sum")])
    assert infer_shapes([g], (1, 1, "n", "n")).validity_text() == \
        "valid for integer n >= 3 with n ≡ 1 (mod 2)"
    g = A.Graph([A.Node(A.Pool(2), name="p"),
                 A.Node(A.ConvTranspose(1, 2, 2, output_padding=1), name="u"),
                 A.Node(A.Slice(2, 0, -1), ("input",), "q"),
                 A.Node(A.Slice(3, 0, -1), name="r"),
                 A.Node(A.Add(), ("r", "u"), "sum")])
    with pytest.raises(ShapeError, match="no input size n makes the merged sizes agree"):
        infer_shapes([g], (1, 1, "n", "n"))


def test_check_runs_graph_catalogue_entries_on_numpy():
    np = pytest.importorskip("numpy")
    table = infer_shapes("squeezenet1_1", (3, 33, 33))
    x = np.random.default_rng(0).standard_normal((1, 3, 33, 33), dtype=np.float32)
    y, produced = A.run_numpy(A.get("squeezenet1_1").layers, x)
    assert produced == [(r.name, r.output_shape) for r in table.rows]


def test_causal_and_bare_pair_padding_on_1d():
    rows = infer_shapes([A.Conv(2, 3, padding="causal", dilation=4), A.Conv(2, 7, padding=(6, 0))],
                        (1, 1, "t")).rows
    t = sp.Symbol("t", integer=True, positive=True)
    assert [r.output_shape for r in rows] == [(1, 2, t), (1, 2, t)]
    with pytest.raises(SymconvError, match="causal"):
        infer_shapes([A.Conv(2, 3, padding="causal")], (1, 1, 8, 8))


def test_from_torch_without_torch_says_so(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(SymconvError, match="from_torch needs PyTorch"):
        A.from_torch(object(), (1, 3, 8, 8))


def test_channel_shuffle_as_view_layers_equals_channel_shuffle():
    # ShuffleNet's view(b, g, c/g, h, w) -> transpose(1, 2) -> view(b, -1, h, w), written
    # with view_layers, runs on the executor to the same values as ChannelShuffle
    import numpy as np

    shape = (1, 12, n, n)
    split = A.view_layers(shape, (1, 3, 4, n, n))
    merge = A.view_layers((1, 4, 3, n, n), (1, -1, n, n))
    assert split == [A.Unflatten(1, (3, 4))] and merge == [A.Flatten(1, 2)]
    layers = [*split, A.Permute((0, 2, 1, 3, 4)), *merge]
    table = infer_shapes(layers, shape)
    assert table.output_shape == shape and table.validity_text() == "valid for integer n >= 1"
    x = np.random.default_rng(0).standard_normal((2, 12, 5, 5), dtype=np.float32)
    got, produced = A.run_numpy(layers, x)
    assert produced == [(r.name, r.output_shape) for r in infer_shapes(layers, x.shape).rows]
    np.testing.assert_array_equal(got, A.ChannelShuffle(3).forward(x, None))


def test_view_layers_and_unflatten_rules():
    # a view of (n, 4) as (4, n) is one merge and one split; -1 takes what is left
    assert A.view_layers((1, 4, n), (1, n, 4)) == [A.Flatten(1, 2), A.Unflatten(1, (-1, 4))]
    assert A.view_layers((2, 3, 4), (6, 4)) == [A.Flatten(0, 1)]
    assert A.view_layers((1, 8), (1, 8, 1, 1)) == [A.Unflatten(1, (8, 1, 1))]
    assert A.view_layers((1, 8, n), (1, 8, n)) == []
    for target, message in [((1, 5, n), "keep the element count"),
                            ((1, -1, 3), "needs 3 to divide"),
                            ((1, -1, -1), "at most one -1")]:
        with pytest.raises(SymconvError, match=message):
            A.view_layers((1, 4, n), target)
    with pytest.raises(SymconvError, match="more than one size that depends on the input"):
        A.view_layers((1, 4, n * n), (1, 4, n, n))
    # a symbolic axis split with -1 must be a multiple of the fixed sizes
    table = infer_shapes([A.Unflatten(2, (2, -1))], (1, 3, "n"))
    assert table.output_shape == (1, 3, 2, sp.floor(n / 2))
    assert table.validity_text() == "valid for integer n >= 2 with n ≡ 0 (mod 2)"
    with pytest.raises(ShapeError, match="needs a size that is a multiple of 2"):
        infer_shapes([A.Unflatten(2, (2, -1))], (1, 3, 7))
    with pytest.raises(SymconvError, match="at most one -1"):
        A.Unflatten(1, (-1, -1))


def test_learned_tensor_broadcasts_and_round_trips():
    layer = A.LearnedTensor((8, 1, 1), name="gamma")
    table = infer_shapes([layer, A.LearnedTensor((1, 8, 1, 1), "add", params=False)],
                         (1, 8, "n", "n"))
    assert table.output_shape == (1, 8, n, n) and table.total_params == 8
    assert [r.description for r in table.rows] == ["multiply by learned 8x1x1",
                                                   "add tensor 1x8x1x1"]
    with pytest.raises(ShapeError, match="expected sizes to agree"):
        infer_shapes([layer], (1, 4, 5, 5))
    for item in (layer, A.Unflatten(1, (2, -1))):
        assert A.layer_from_dict(json.loads(json.dumps(item.to_dict()))) == item


def test_shared_layer_counts_its_parameters_once_and_round_trips():
    conv = A.Conv(8, 3, padding=1, in_channels=8)
    table = infer_shapes([conv, A.Shared(conv, owner="0")], (1, 8, "n", "n"))
    assert [r.params for r in table.rows] == [584, 0] and table.total_params == 584
    assert table.rows[1].description == "conv 8->8, 3x3, pad 1 (the parameters of '0')"
    assert table.rows[1].kind == "conv"
    shared = A.Shared(A.Linear(10, in_features=8), owner="fc")
    assert shared.in_features == 8                      # attributes read through
    assert A.layer_from_dict(json.loads(json.dumps(shared.to_dict()))) == shared
    with pytest.raises(SymconvError, match="must wrap a layer specification"):
        A.Shared("conv", owner="0")


def test_scalar_layer_keeps_the_shape_and_computes_its_operation():
    x = np.array([[1.0, 2.0, 4.0]], dtype=np.float32)
    rng = np.random.default_rng(0)
    cases = [(A.Scalar("add", 1), [2, 3, 5]), (A.Scalar("subtract", 1, reverse=True), [0, -1, -3]),
             (A.Scalar("divide", 2), [0.5, 1, 2]), (A.Scalar("divide", 4, reverse=True), [4, 2, 1]),
             (A.Scalar("power", 2), [1, 4, 16]), (A.Scalar("multiply", -1), [-1, -2, -4])]
    for layer, want in cases:
        got = layer.forward(x, rng)
        assert got.dtype == np.float32 and got.tolist() == [want], layer
        assert A.layer_from_dict(json.loads(json.dumps(layer.to_dict()))) == layer
    table = infer_shapes([A.Scalar("multiply", 0.125)], (1, 3, "n"))
    assert table.output_shape == (1, 3, n) and table.total_params == 0
    with pytest.raises(SymconvError, match="scalar op must be one of"):
        A.Scalar("modulo", 2)
    with pytest.raises(SymconvError, match="value must be a number, but got 'x'"):
        A.Scalar("add", "x")


def test_pad_layer_shapes_conditions_and_refusals():
    reflect = A.Pad(((2, 2), (0, 1)), "reflect")
    table = infer_shapes([reflect], (1, 3, "n", "n"))
    assert table.output_shape == (1, 3, n + 4, n + 1)
    assert table.validity_text() == "valid for integer n >= 3"
    with pytest.raises(ShapeError, match="reflect padding by 2 needs a size of at least 3, but got 2"):
        infer_shapes([reflect], (1, 3, 2, 5))
    x = np.arange(5, dtype=np.float32).reshape(1, 1, 5)
    assert A.Pad(((1, 2),), "circular").forward(x, None).tolist() == [[[4, 0, 1, 2, 3, 4, 0, 1]]]
    assert A.Pad(((2, 0),), value=-1).forward(x, None).tolist() == [[[-1, -1, 0, 1, 2, 3, 4]]]
    assert A.layer_from_dict(json.loads(json.dumps(reflect.to_dict()))) == reflect
    with pytest.raises(SymconvError, match=r"pad padding must be a \(lo, hi\) pair"):
        A.Pad((1, 1))
    with pytest.raises(SymconvError, match="pad mode must be one of"):
        A.Pad(((1, 1),), "mirror")
    with pytest.raises(ShapeError, match="one per spatial axis"):
        infer_shapes([A.Pad(((1, 1),))], (1, 3, 4, 4))


def test_receptive_field_of_networks():
    from symconv import receptive_field

    # VGG16 pool5: 212 (the gradient support in torch, as the issue records)
    assert receptive_field("vgg16").size == 212
    assert receptive_field(infer_shapes("vgg16")).size == 212
    assert receptive_field(list(A.get("vgg16").layers)).size == 212
    # a fire module's two paths: the 3x3 path is the larger one
    assert receptive_field([A.branches([A.Conv(4, 1)], [A.Conv(4, 3, padding=1)])]).size == 3
    with pytest.raises(ShapeError, match="conv_transpose"):
        receptive_field("unet")
    # 2-D geometry given per axis (as from_torch gives it), and a layer used twice
    conv = A.Conv(4, (3, 3), padding=(1, 1))
    assert receptive_field([conv, A.Shared(conv, "0"), A.Pool((2, 2))]).size == 6
    wide = receptive_field([A.Conv(4, (1, 7), padding=(0, 3))])
    assert wide.size == 1 and "differs between spatial axes" in wide.notes[0]


def test_receptive_field_reports_branches_and_refuses_upsampling():
    from symconv import receptive_field

    rf = receptive_field("googlenet")
    assert rf.path[:3] == ("conv1.conv", "maxpool1", "conv2.conv")
    merge, sizes, kept = rf.branches[0]
    assert merge == "inception3a.cat" and [label for label, _ in sizes] == [
        "branch1.relu", "branch2.1.relu", "branch3.1.relu", "branch4.1.relu"]
    assert kept == max(sizes, key=lambda x: x[1])[0]
    assert rf.notes == ("stopped at 'avgpool' (adaptive_pool): it sees the whole input",)
    text = rf.report()
    assert "merge 'inception3a.cat'" in text and "kept branch2.1.relu" in text
    # a residual block: the main path (3x3 convolutions) outgrows the 1x1 shortcut
    r18 = receptive_field("resnet18")
    assert all(kept == "main" for _, _, kept in r18.branches)
    # upsampling: refused, naming the layer
    for net in ("unet", "dcgan_generator"):
        with pytest.raises(ShapeError, match=r"cannot pass layer '.*' \(conv_transpose\)"):
            receptive_field(net)
    with pytest.raises(ShapeError, match=r"layer 'up' \(upsample\)"):
        receptive_field([A.Conv(4, 3), A.Upsample(scale_factor=2, name="up")])
    # tuples keep working and report no path
    assert receptive_field([(3, 1), (3, 1)]).path == ()
