"""The eleven networks users bring (issue 20), written twice: in the layer vocabulary and
as torch.nn modules.

For each network the test compares

* the parameter totals (``sum(p.numel())`` against the table's total),
* per-layer shapes at three input sizes: every row whose name is a torch module name
  that ran (forward hooks on the meta device) has that module's output shape, and the
  outputs agree,
* the validity range: for every input size n from 1 to 300, torch runs if and only if
  n lies in the range symconv derives symbolically (``ShapeTable.valid``).

``python tests/test_eleven_networks.py`` prints the table that
docs/tutorials/layers-and-shapes.md shows.
"""

import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch", reason="PyTorch is the oracle of these tests; not installed")
nn = torch.nn

sys.path.insert(0, str(Path(__file__).resolve().parent))

from test_architectures_modern_torch import (  # noqa: E402
    DenseBlock,
    Discriminator,
    Generator,
    Inception,
    SqueezeExcitation,
    hooked_shapes,
    runs,
)
from test_architectures_torch import Bottleneck, Fire, InvertedResidual, UNet  # noqa: E402

from symconv import architectures as A  # noqa: E402
from symconv.nn.architectures import catalogue as C  # noqa: E402
from symconv.nn.architectures import modern as M  # noqa: E402

LIMIT = 300


def named(prefix, layers):
    import dataclasses

    return [dataclasses.replace(x, name=f"{prefix}.{x.name}" if prefix else x.name)
            for x in layers]


# ---------------------------------------------------------------------------
# the eleven networks: (vocabulary layers, torch module, input channels, spatial rank)
# ---------------------------------------------------------------------------

def squeezenet_fire():
    layers = [A.Conv(64, 3, 2, name="0"), A.Activation(name="1"),
              A.Pool(3, 2, ceil_mode=True, name="2"), C._fire(16, 64, 64, name="3")]
    torch_net = nn.Sequential(nn.Conv2d(3, 64, 3, 2), nn.ReLU(),
                              nn.MaxPool2d(3, 2, ceil_mode=True), Fire(64, 16, 64, 64))
    return layers, torch_net, 3, 2


def inception_block():
    layers = [A.Pool(3, 2, ceil_mode=True, name="0"),
              M._inception(64, 96, 128, 16, 32, 32, name="1")]
    torch_net = nn.Sequential(nn.MaxPool2d(3, 2, ceil_mode=True),
                              Inception(192, 64, 96, 128, 16, 32, 32))
    return layers, torch_net, 192, 2


def densenet_block():
    layers = [A.Conv(64, 7, 2, 3, bias=False, name="0"), A.Pool(3, 2, 1, name="1"),
              M._dense_block(6, 32, 4, "2"),
              *named("3", [A.BatchNorm(name="0"), A.Activation(name="1"),
                           A.Conv(128, 1, bias=False, name="2"), A.Pool(2, mode="avg", name="3")])]
    torch_net = nn.Sequential(nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.MaxPool2d(3, 2, 1),
                              DenseBlock(6, 64),
                              nn.Sequential(nn.BatchNorm2d(256), nn.ReLU(),
                                            nn.Conv2d(256, 128, 1, bias=False), nn.AvgPool2d(2)))
    return layers, torch_net, 3, 2


def unet():
    widths = (4, 4, 4, 4, 4)
    return list(C._unet(3, 2, widths)), UNet(widths), 3, 2


class SEResidual(nn.Module):
    def __init__(self, c=32):
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(c)
        self.relu = nn.ReLU()
        self.se = SqueezeExcitation(c, c // 4)

    def forward(self, x):
        return torch.relu(x + self.se(self.relu(self.bn(self.conv(x)))))


def se_block():
    graph = A.Graph([
        A.Node(A.Conv(32, 3, padding=1, bias=False), name="conv"),
        A.Node(A.BatchNorm(), name="bn"), A.Node(A.Activation(), name="relu"),
        A.Node(M._squeeze_excitation(32, 8, "relu", "sigmoid", None), name="se"),
        A.Node(A.Add("relu"), ("input", "se"), "add")], name="")
    return [graph], SEResidual(), 32, 2


class Gated(nn.Module):
    # a WaveNet layer: causal dilated filter and gate, tanh * sigmoid, 1x1 residual
    def __init__(self, c=16, d=2):
        super().__init__()
        self.filter = nn.Sequential(nn.ConstantPad1d((d, 0), 0.0), nn.Conv1d(c, c, 2, dilation=d))
        self.gate = nn.Sequential(nn.ConstantPad1d((d, 0), 0.0), nn.Conv1d(c, c, 2, dilation=d))
        self.res = nn.Conv1d(c, c, 1)

    def forward(self, x):
        z = torch.tanh(self.filter(x)) * torch.sigmoid(self.gate(x))
        return x + self.res(z)


def wavenet_gated():
    graph = A.Graph([
        A.Node(A.Conv(16, 2, padding="causal", dilation=2), ("input",), "filter.1"),
        A.Node(A.Activation("tanh"), name="tanh"),
        A.Node(A.Conv(16, 2, padding="causal", dilation=2), ("input",), "gate.1"),
        A.Node(A.Activation("sigmoid"), name="sigmoid"),
        A.Node(A.Multiply(), ("tanh", "sigmoid"), "gated"),
        A.Node(A.Conv(16, 1), name="res"),
        A.Node(A.Add(), ("input", "res"), "add")], name="")
    return [graph], Gated(), 16, 1


def mobilenet_inverted_residual():
    def block(inp, out, stride, t, name):
        hidden = inp * t
        body = (C._conv_bn_act(hidden, 1, name="conv.0")
                + C._conv_bn_act(hidden, 3, stride, groups=hidden, name="conv.1")
                + [A.Conv(out, 1, bias=False, name="conv.2"), A.BatchNorm(name="conv.3")])
        if stride == 1 and inp == out:
            return [A.Residual(tuple(body), (), None, name=name)]
        return named(name, body)

    layers = block(16, 24, 2, 6, "0") + block(24, 24, 1, 6, "1")
    torch_net = nn.Sequential(InvertedResidual(16, 24, 2, 6), InvertedResidual(24, 24, 1, 6))
    return layers, torch_net, 16, 2


class ViTStem(nn.Module):
    def __init__(self, d=64, patch=16, tokens=196):
        super().__init__()
        self.conv_proj = nn.Conv2d(3, d, patch, patch)
        self.class_token = nn.Parameter(torch.zeros(1, 1, d))
        self.pos_embedding = nn.Parameter(torch.zeros(1, tokens + 1, d))
        self.ln = nn.LayerNorm(d)

    def forward(self, x):
        x = self.conv_proj(x).flatten(2).transpose(1, 2)
        x = torch.cat([self.class_token.expand(x.shape[0], -1, -1), x], dim=1)
        return self.ln(x + self.pos_embedding)[:, 0]


def vit_stem():
    layers = [A.Conv(64, 16, 16, name="conv_proj"), A.Flatten(start_dim=2, name="flatten"),
              A.Permute((0, 2, 1), name="transpose"), A.ClassToken(name="class_token"),
              A.PositionEmbedding(197, name="pos_embedding"), A.LayerNorm(64, name="ln"),
              A.Slice(1, index=0, name="select")]
    return layers, ViTStem(), 3, 2


def dcgan():
    # generator then discriminator: a 100-d code map (100, n, n) -> image -> score map
    layers = named("0", M._dcgan_generator()) + named("1", M._dcgan_discriminator())
    return layers, nn.Sequential(Generator(), Discriminator()), 100, 2


class TCN(nn.Module):
    # Bai et al. 2018: residual blocks of two causal dilated convolutions (weight norm),
    # a 1x1 shortcut when the width changes; the last time step feeds a linear layer
    def __init__(self, widths=(8, 16, 16), k=3, classes=10):
        super().__init__()
        wn = nn.utils.parametrizations.weight_norm
        blocks, inp = [], 4
        for i, out in enumerate(widths):
            d = 2 ** i
            blocks.append(nn.ModuleDict(dict(
                pad1=nn.ConstantPad1d(((k - 1) * d, 0), 0.0), conv1=wn(nn.Conv1d(inp, out, k, dilation=d)),
                pad2=nn.ConstantPad1d(((k - 1) * d, 0), 0.0), conv2=wn(nn.Conv1d(out, out, k, dilation=d)),
                **({"downsample": nn.Conv1d(inp, out, 1)} if inp != out else {}))))
            inp = out
        self.blocks = nn.ModuleList(blocks)
        self.linear = nn.Linear(inp, classes)

    def forward(self, x):
        for b in self.blocks:
            y = torch.relu(b["conv1"](b["pad1"](x)))
            y = torch.relu(b["conv2"](b["pad2"](y)))
            x = torch.relu(y + (b["downsample"](x) if "downsample" in b else x))
        return self.linear(x[:, :, -1])


def causal_tcn():
    layers, inp = [], 4
    for i, out in enumerate((8, 16, 16)):
        d = 2 ** i
        main = (A.Conv(out, 3, padding="causal", dilation=d, weight_norm=True, name="conv1"),
                A.Activation(name="relu1"),
                A.Conv(out, 3, padding="causal", dilation=d, weight_norm=True, name="conv2"),
                A.Activation(name="relu2"))
        short = (A.Conv(out, 1, name="downsample"),) if inp != out else ()
        layers.append(A.Residual(main, short, "relu", name=f"blocks.{i}"))
        inp = out
    layers += [A.Slice(2, index=-1, name="last"), A.Linear(10, name="linear")]
    return layers, TCN(), 4, 1


def resnext_block():
    layers = [A.bottleneck(256, 128, 2, name="0", groups=32, base_width=4),
              A.bottleneck(512, 128, 1, name="1", groups=32, base_width=4)]
    torch_net = nn.Sequential(Bottleneck(256, 128, 2, 32, 4), Bottleneck(512, 128, 1, 32, 4))
    return layers, torch_net, 256, 2


NETWORKS = {
    "SqueezeNet fire": squeezenet_fire, "Inception block": inception_block,
    "DenseNet block": densenet_block, "U-Net": unet, "SE block": se_block,
    "WaveNet gated 1-D conv": wavenet_gated, "MobileNet inverted residual": mobilenet_inverted_residual,
    "ViT stem": vit_stem, "DCGAN (G then D)": dcgan, "causal TCN": causal_tcn,
    "ResNeXt block": resnext_block,
}
SIZES = {"ViT stem": (224, 230, 239), "U-Net": (16, 48, 96)}


def _tried(valid, full):
    """The input sizes tried in torch: every n <= LIMIT for the docs' table (``full``); in
    the suite every n <= 64, every 5th beyond, and both sides of each edge of symconv's
    valid set (the sizes where a wrong range would show), to keep the suite quick."""
    if full:
        return range(1, LIMIT + 1)
    ours = [n for n in range(1, LIMIT + 2) if n in valid]
    edges = {n + d for i, n in enumerate(ours) for d in (-1, 0, 1)
             if i == 0 or i == len(ours) - 1 or ours[i - 1] != n - 1 or ours[(i + 1) % len(ours)] != n + 1}
    return sorted({*range(1, 65), *range(65, LIMIT + 1, 5), *(n for n in edges if 1 <= n <= LIMIT)})


def compare(title, full=False):
    """Everything the test checks, as a dict (also the row of the docs' table)."""
    layers, module, channels, ndim = NETWORKS[title]()
    module = module.to("meta").eval()
    table = A.infer_shapes(layers, (1, channels, *("n",) * ndim))
    (symbol,) = table.symbols
    valid = table.valid[symbol]
    tried = _tried(valid, full)
    torch_ok = [n for n in tried if runs(module, (1, channels, *(n,) * ndim))]
    ours = [n for n in tried if n in valid]
    sizes = SIZES.get(title) or tuple(torch_ok[i] for i in (0, len(torch_ok) // 3, -1))
    compared, agree = 0, True
    for size in sizes:
        y, shapes = hooked_shapes(module, torch.empty((1, channels, *(size,) * ndim), device="meta"))
        concrete = table.substitute({symbol: size})
        for row in concrete.rows:
            if row.name in shapes:
                compared += 1
                agree &= row.output_shape == shapes[row.name]
        agree &= concrete.output_shape == tuple(y.shape)
    return dict(title=title, rows=len(table.rows), compared=compared, sizes=sizes, shapes=agree,
                total=table.total_params, torch_total=sum(p.numel() for p in module.parameters()),
                validity=table.validity_text().replace("valid for integer ", ""),
                same_range=ours == torch_ok, torch_ok=torch_ok)


@pytest.mark.parametrize("title", list(NETWORKS))
def test_network_matches_torch(title):
    result = compare(title)
    assert result["shapes"], result
    assert result["compared"] >= 2 * len(result["sizes"]), result
    assert result["total"] == result["torch_total"]
    assert result["same_range"], (result["validity"], result["torch_ok"][:20])


@pytest.mark.parametrize("title", list(NETWORKS))
def test_from_torch_reads_each_network_as_written_by_hand(title):
    # the torch module alone (no hand-written layers) gives the same table's essentials
    layers, module, channels, ndim = NETWORKS[title]()
    shape = (1, channels, *("n",) * ndim)
    by_hand = A.infer_shapes(layers, shape)
    traced = A.from_torch(module.to("meta").eval(), shape)
    assert traced.total_params == by_hand.total_params
    assert traced.output_shape == by_hand.output_shape
    assert traced.valid == by_hand.valid


def test_unet_validity_is_periodic():
    layers, _module, channels, ndim = unet()
    table = A.infer_shapes(layers, (1, channels, *("n",) * ndim))
    assert table.validity_text() == "valid for integer n >= 16 with n ≡ 0 (mod 16)"


if __name__ == "__main__":
    print("| network | rows (compared with torch at 3 sizes) | params (symconv = torch) | "
          "valid n (symconv) | same as torch for n ≤ 300 |")
    print("|---|---|---|---|---|")
    for title in NETWORKS:
        r = compare(title, full=True)
        ok = "yes" if r["shapes"] else "NO"
        print(f"| {r['title']} | {r['rows']} ({r['compared']} rows at n = "
              f"{', '.join(map(str, r['sizes']))}: {ok}) | {r['total']:,} "
              f"{'=' if r['total'] == r['torch_total'] else '≠'} {r['torch_total']:,} | "
              f"{r['validity']} | {'yes' if r['same_range'] else 'NO'} |")
