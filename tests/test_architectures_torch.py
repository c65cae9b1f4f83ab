"""The graph catalogue entries and the new vocabulary against PyTorch.

PyTorch is the oracle: the same networks are written here as small torch.nn code with
torchvision's module names (torchvision itself is not needed), run at several input
sizes, and every module's output shape (a forward hook per named module) is compared
with the row of the same name in the symbolic table substituted at that size; parameter
totals are compared with ``sum(p.numel())``. Validity ranges are compared with the sizes
at which the torch network runs, for every n up to a bound.
"""

import pytest

torch = pytest.importorskip("torch", reason="PyTorch is the oracle of these tests; not installed")
nn = torch.nn
F = torch.nn.functional

import numpy as np  # noqa: E402
import sympy as sp  # noqa: E402

from symconv import architectures as A  # noqa: E402
from symconv.errors import ShapeError, SymconvError  # noqa: E402


# ---------------------------------------------------------------------------
# torchvision-style definitions (written from torchvision's source layout)
# ---------------------------------------------------------------------------

class Fire(nn.Module):
    def __init__(self, inplanes, squeeze, e1, e3):
        super().__init__()
        self.squeeze = nn.Conv2d(inplanes, squeeze, 1)
        self.squeeze_activation = nn.ReLU()
        self.expand1x1 = nn.Conv2d(squeeze, e1, 1)
        self.expand1x1_activation = nn.ReLU()
        self.expand3x3 = nn.Conv2d(squeeze, e3, 3, padding=1)
        self.expand3x3_activation = nn.ReLU()

    def forward(self, x):
        x = self.squeeze_activation(self.squeeze(x))
        return torch.cat([self.expand1x1_activation(self.expand1x1(x)),
                          self.expand3x3_activation(self.expand3x3(x))], 1)


class SqueezeNet11(nn.Module):
    def __init__(self):
        super().__init__()
        pool = dict(kernel_size=3, stride=2, ceil_mode=True)
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, 3, stride=2), nn.ReLU(), nn.MaxPool2d(**pool),
            Fire(64, 16, 64, 64), Fire(128, 16, 64, 64), nn.MaxPool2d(**pool),
            Fire(128, 32, 128, 128), Fire(256, 32, 128, 128), nn.MaxPool2d(**pool),
            Fire(256, 48, 192, 192), Fire(384, 48, 192, 192), Fire(384, 64, 256, 256),
            Fire(512, 64, 256, 256))
        self.classifier = nn.Sequential(nn.Dropout(0.5), nn.Conv2d(512, 1000, 1), nn.ReLU(),
                                        nn.AdaptiveAvgPool2d((1, 1)))

    def forward(self, x):
        return torch.flatten(self.classifier(self.features(x)), 1)


def cna(inp, out, k=3, stride=1, groups=1):
    return nn.Sequential(nn.Conv2d(inp, out, k, stride, (k - 1) // 2, groups=groups, bias=False),
                         nn.BatchNorm2d(out), nn.ReLU6())


class InvertedResidual(nn.Module):
    def __init__(self, inp, oup, stride, t):
        super().__init__()
        hidden = int(round(inp * t))
        self.use_res = stride == 1 and inp == oup
        layers = [cna(inp, hidden, 1)] if t != 1 else []
        layers += [cna(hidden, hidden, 3, stride, hidden), nn.Conv2d(hidden, oup, 1, bias=False),
                   nn.BatchNorm2d(oup)]
        self.conv = nn.Sequential(*layers)

    def forward(self, x):
        return x + self.conv(x) if self.use_res else self.conv(x)


class MobileNetV2(nn.Module):
    def __init__(self):
        super().__init__()
        features = [cna(3, 32, 3, 2)]
        inp = 32
        for t, c, count, s in [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
                               (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]:
            for i in range(count):
                features.append(InvertedResidual(inp, c, s if i == 0 else 1, t))
                inp = c
        features.append(cna(inp, 1280, 1))
        self.features = nn.Sequential(*features)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(1280, 1000))

    def forward(self, x):
        return self.classifier(self.flatten(self.avgpool(self.features(x))))


class Bottleneck(nn.Module):
    def __init__(self, inplanes, planes, stride, groups, base_width):
        super().__init__()
        width = int(planes * (base_width / 64.0)) * groups
        self.conv1 = nn.Conv2d(inplanes, width, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(width, width, 3, stride, 1, groups=groups, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.relu2 = nn.ReLU()
        self.conv3 = nn.Conv2d(width, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.downsample = None
        if stride != 1 or inplanes != planes * 4:
            self.downsample = nn.Sequential(nn.Conv2d(inplanes, planes * 4, 1, stride, bias=False),
                                            nn.BatchNorm2d(planes * 4))

    def forward(self, x):
        y = self.relu1(self.bn1(self.conv1(x)))
        y = self.relu2(self.bn2(self.conv2(y)))
        y = self.bn3(self.conv3(y))
        return torch.relu(y + (x if self.downsample is None else self.downsample(x)))


def double(inp, out):
    return nn.Sequential(nn.Conv2d(inp, out, 3, padding=1, bias=False), nn.BatchNorm2d(out),
                         nn.ReLU(), nn.Conv2d(out, out, 3, padding=1, bias=False),
                         nn.BatchNorm2d(out), nn.ReLU())


class UNet(nn.Module):
    """The padded U-Net with skips concatenated as they are (no cropping, no padding)."""

    def __init__(self, widths=(64, 128, 256, 512, 1024)):
        super().__init__()
        self.inc = double(3, widths[0])
        self.down = nn.ModuleList(nn.Sequential(nn.MaxPool2d(2), double(a, b))
                                  for a, b in zip(widths, widths[1:]))
        rev = widths[::-1]
        self.ups = nn.ModuleList(nn.ConvTranspose2d(a, b, 2, 2) for a, b in zip(rev, rev[1:]))
        self.upconv = nn.ModuleList(double(2 * b, b) for b in rev[1:])
        self.outc = nn.Conv2d(widths[0], 2, 1)

    def forward(self, x):
        skips = [self.inc(x)]
        for down in self.down:
            skips.append(down(skips[-1]))
        x = skips.pop()
        for up, conv in zip(self.ups, self.upconv):
            x = conv(torch.cat([skips.pop(), up(x)], 1))
        return self.outc(x)


class LeNet5(nn.Module):
    # the catalogue's LeNet-5 (not in torchvision): tanh, 2x2 average pooling, 32x32 grey
    def __init__(self):
        super().__init__()
        self.conv1, self.act1, self.pool1 = nn.Conv2d(1, 6, 5), nn.Tanh(), nn.AvgPool2d(2)
        self.conv2, self.act2, self.pool2 = nn.Conv2d(6, 16, 5), nn.Tanh(), nn.AvgPool2d(2)
        self.flatten = nn.Flatten()
        self.fc1, self.act3 = nn.Linear(400, 120), nn.Tanh()
        self.fc2, self.act4 = nn.Linear(120, 84), nn.Tanh()
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool1(self.act1(self.conv1(x)))
        x = self.flatten(self.pool2(self.act2(self.conv2(x))))
        return self.fc3(self.act4(self.fc2(self.act3(self.fc1(x)))))


class AlexNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, 11, 4, 2), nn.ReLU(), nn.MaxPool2d(3, 2),
            nn.Conv2d(64, 192, 5, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2),
            nn.Conv2d(192, 384, 3, padding=1), nn.ReLU(), nn.Conv2d(384, 256, 3, padding=1),
            nn.ReLU(), nn.Conv2d(256, 256, 3, padding=1), nn.ReLU(), nn.MaxPool2d(3, 2))
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(), nn.Linear(256 * 6 * 6, 4096), nn.ReLU(), nn.Dropout(),
            nn.Linear(4096, 4096), nn.ReLU(), nn.Linear(4096, 1000))

    def forward(self, x):
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


VGG_CONFIGS = {"vgg11": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
               "vgg13": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
               "vgg16": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M",
                         512, 512, 512, "M"],
               "vgg19": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512,
                         512, "M", 512, 512, 512, 512, "M"]}


class VGG(nn.Module):
    def __init__(self, config):
        super().__init__()
        layers, inp = [], 3
        for v in config:
            if v == "M":
                layers.append(nn.MaxPool2d(2, 2))
            else:
                layers += [nn.Conv2d(inp, v, 3, padding=1), nn.ReLU()]
                inp = v
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096), nn.ReLU(), nn.Dropout(), nn.Linear(4096, 4096),
            nn.ReLU(), nn.Dropout(), nn.Linear(4096, 1000))

    def forward(self, x):
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


class BasicBlock(nn.Module):
    def __init__(self, inplanes, planes, stride, groups=1, base_width=64):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or inplanes != planes:
            self.downsample = nn.Sequential(nn.Conv2d(inplanes, planes, 1, stride, bias=False),
                                            nn.BatchNorm2d(planes))

    def forward(self, x):
        y = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
        return self.relu(y + (x if self.downsample is None else self.downsample(x)))


class ResNet(nn.Module):
    # torchvision.models.ResNet (v1.5: the stride on the bottleneck's 3x3 convolution)
    def __init__(self, block, expansion, counts, groups=1, base_width=64):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU()
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        inplanes = 64
        for stage, (planes, count) in enumerate(zip((64, 128, 256, 512), counts), start=1):
            blocks = []
            for i in range(count):
                stride = 2 if (i == 0 and stage > 1) else 1
                blocks.append(block(inplanes, planes, stride, groups, base_width))
                inplanes = planes * expansion
            setattr(self, f"layer{stage}", nn.Sequential(*blocks))
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(512 * expansion, 1000)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        for stage in range(1, 5):
            x = getattr(self, f"layer{stage}")(x)
        return self.fc(torch.flatten(self.avgpool(x), 1))


def ResNeXt50():
    # torchvision.models.resnext50_32x4d
    return ResNet(Bottleneck, 4, (3, 4, 6, 3), groups=32, base_width=4)


def _hooked_shapes(model, x):
    shapes = {}
    hooks = [module.register_forward_hook(
        lambda m, i, o, name=name: shapes.__setitem__(name, tuple(o.shape)))
        for name, module in model.named_modules() if name]
    try:
        with torch.no_grad():
            y = model(x)
    finally:
        for h in hooks:
            h.remove()
    return y, shapes


MODELS = {"squeezenet1_1": SqueezeNet11, "mobilenet_v2": MobileNetV2,
          "resnext50_32x4d": ResNeXt50}


@pytest.mark.parametrize("name, sizes", [
    ("squeezenet1_1", [17, 64, 224]), ("mobilenet_v2", [1, 33, 224]),
    ("resnext50_32x4d", [1, 50, 224]),
])
def test_catalogue_rows_match_torch(name, sizes):
    model = MODELS[name]().to("meta").eval()
    symbolic = A.infer_shapes(name, (3, "n", "n"))
    assert sum(p.numel() for p in model.parameters()) == symbolic.total_params
    for size in sizes:
        y, shapes = _hooked_shapes(model, torch.empty((1, 3, size, size), device="meta"))
        table = symbolic.substitute({"n": size})
        matched = [row for row in table.rows if row.name in shapes]
        assert len(matched) >= 0.8 * len(table.rows), (len(matched), len(table.rows))
        for row in matched:
            assert row.output_shape == shapes[row.name], (size, row.name)
        assert table.output_shape == tuple(y.shape)


def _unet_meta(widths):
    return UNet(widths).to("meta").eval()


def test_unet_rows_total_and_validity_match_torch():
    model = _unet_meta((64, 128, 256, 512, 1024))
    table = A.infer_shapes("unet", (3, "n", "n"))
    assert sum(p.numel() for p in model.parameters()) == table.total_params == 31_037_698
    assert table.validity_text() == "valid for integer n >= 16 with n ≡ 0 (mod 16)"
    for size in (16, 48, 256):
        y, _ = _hooked_shapes(model, torch.empty((1, 3, size, size), device="meta"))
        assert tuple(y.shape) == table.substitute({"n": size}).output_shape


def test_unet_validity_range_is_where_torch_runs():
    # a narrow U-Net (same graph, fewer channels) on real tensors, every n up to 300
    widths = (2, 2, 2, 2, 2)
    model = UNet(widths).to("meta").eval()
    import symconv.nn.architectures.catalogue as C

    table = A.infer_shapes(A.Architecture("tiny_unet", C._unet(3, 2, widths)), (1, 3, "n", "n"))
    (symbol,) = table.symbols
    torch_ok, ours = [], []
    for size in range(1, 301):
        try:
            with torch.no_grad():
                model(torch.empty((1, 3, size, size), device="meta"))
            torch_ok.append(size)
        except RuntimeError:
            pass
        if size in table.valid[symbol]:
            ours.append(size)
    assert ours == torch_ok == list(range(16, 301, 16))


# ---------------------------------------------------------------------------
# the vocabulary, layer by layer
# ---------------------------------------------------------------------------

VOCABULARY = [
    (A.Activation("relu6"), lambda c: nn.ReLU6(), 2),
    (A.Activation("swish"), lambda c: nn.SiLU(), 2),
    (A.Activation("hardswish"), lambda c: nn.Hardswish(), 2),
    (A.Activation("hardsigmoid"), lambda c: nn.Hardsigmoid(), 2),
    (A.Activation("elu", alpha=0.5), lambda c: nn.ELU(0.5), 2),
    (A.Activation("leaky_relu", negative_slope=0.2), lambda c: nn.LeakyReLU(0.2), 2),
    (A.PReLU(4), lambda c: nn.PReLU(4), 2),
    (A.PReLU(), lambda c: nn.PReLU(), 2),
    (A.Upsample(scale_factor=2), lambda c: nn.Upsample(scale_factor=2), 2),
    (A.Upsample(scale_factor=2, mode="bilinear"),
     lambda c: nn.Upsample(scale_factor=2, mode="bilinear"), 2),
    (A.Upsample(size=(5, 7), mode="bilinear", align_corners=True),
     lambda c: nn.Upsample(size=(5, 7), mode="bilinear", align_corners=True), 2),
    (A.Upsample(size=(6, 9)), lambda c: nn.Upsample(size=(6, 9)), 2),
    (A.Upsample(scale_factor=1.5), lambda c: nn.Upsample(scale_factor=1.5), 2),
    (A.PixelShuffle(2), lambda c: nn.PixelShuffle(2), 2),
    (A.GroupNorm(2), lambda c: nn.GroupNorm(2, c), 2),
    (A.Conv(6, 3, padding="causal", dilation=2), lambda c: nn.Sequential(
        nn.ConstantPad1d((4, 0), 0.0), nn.Conv1d(c, 6, 3, dilation=2)), 1),
    (A.Conv(6, 7, padding=(6, 0)), lambda c: nn.Sequential(
        nn.ConstantPad1d((6, 0), 0.0), nn.Conv1d(c, 6, 7)), 1),
    (A.Conv(6, 3, weight_norm=True), lambda c: nn.utils.parametrizations.weight_norm(
        nn.Conv2d(c, 6, 3)), 2),
    (A.Flatten(start_dim=2), lambda c: nn.Flatten(2), 2),
    (A.Slice(2, 1, -1), lambda c: _Lambda(lambda x: x[:, :, 1:-1]), 2),
    (A.Pad(((2, 1), (0, 3)), value=0.5), lambda c: nn.ConstantPad2d((0, 3, 2, 1), 0.5), 2),
    (A.Pad(((2, 2), (1, 0)), "reflect"), lambda c: nn.ReflectionPad2d((1, 0, 2, 2)), 2),
    (A.Pad(((1, 2),), "replicate"), lambda c: nn.ReplicationPad1d((1, 2)), 1),
    (A.Pad(((3, 1), (2, 2)), "circular"), lambda c: nn.CircularPad2d((2, 2, 3, 1)), 2),
]


class _Lambda(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x)


@pytest.mark.parametrize("layer, build, ndim", VOCABULARY,
                         ids=[f"{v[0].kind}-{i}" for i, v in enumerate(VOCABULARY)])
def test_vocabulary_shapes_params_values_match_torch(layer, build, ndim):
    channels = 4
    module = build(channels).eval()
    rng = np.random.default_rng(0)
    symbolic = A.infer_shapes([layer], (1, channels, *("n",) * ndim))
    for size in (3, 8, 13):
        x = rng.standard_normal((2, channels, *(size,) * ndim), dtype=np.float32)
        with torch.no_grad():
            expected = module(torch.from_numpy(x)).numpy()
        table = A.infer_shapes([layer], x.shape)
        assert table.output_shape == expected.shape
        assert symbolic.substitute({"n": size}).output_shape[1:] == expected.shape[1:]
        assert table.total_params == sum(p.numel() for p in module.parameters())
        if layer.kind in ("conv",):
            continue     # random weights differ; the shape is what is compared
        got, _ = A.run_numpy([layer], x, rng)
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


def test_layernorm_permute_tokens_vit_stem_against_torch():
    # a ViT-B/16-style stem: patchify, flatten(2), transpose(1, 2), class token, position
    # embedding, layer norm (parameter counts as torchvision's VisionTransformer)
    layers = [A.Conv(768, 16, 16), A.Flatten(start_dim=2), A.Permute((0, 2, 1)),
              A.ClassToken(), A.PositionEmbedding(197), A.LayerNorm(768), A.Slice(1, index=0)]
    table = A.infer_shapes(layers, (1, 3, 224, 224))
    assert [r.output_shape for r in table.rows] == [
        (1, 768, 14, 14), (1, 768, 196), (1, 196, 768), (1, 197, 768), (1, 197, 768),
        (1, 197, 768), (1, 768)]
    conv = nn.Conv2d(3, 768, 16, 16)
    expected = (sum(p.numel() for p in conv.parameters()) + 768 + 197 * 768
                + sum(p.numel() for p in nn.LayerNorm(768).parameters()))
    assert table.total_params == expected
    symbolic = A.infer_shapes(layers, (1, 3, "n", "n"))
    assert symbolic.valid == {sp.Symbol("n", integer=True, positive=True): sp.Range(224, 240)}
    x = torch.randn(2, 5, 7)
    ln = A.LayerNorm(7, elementwise_affine=False)
    np.testing.assert_allclose(ln.forward(x.numpy(), None),
                               torch.nn.functional.layer_norm(x, (7,)).numpy(), atol=1e-5)


def test_merges_against_torch_broadcasting():
    # squeeze-and-excitation: (N, C, 1, 1) gates (N, C, H, W)
    se = A.Graph([A.Node(A.AdaptivePool(1), name="pool"), A.Node(A.Conv(2, 1), name="fc1"),
                  A.Node(A.Activation(), name="relu"), A.Node(A.Conv(8, 1), name="fc2"),
                  A.Node(A.Activation("hardsigmoid"), name="gate"),
                  A.Node(A.Multiply(), ("input", "gate"), "scale")])
    table = A.infer_shapes([se], (1, 8, "n", "n"))
    assert table.output_shape[2:] == table.input_shape[2:]
    assert table.validity_text() == "valid for integer n >= 1"
    x = np.random.default_rng(1).standard_normal((1, 8, 5, 5), dtype=np.float32)
    y, produced = A.run_numpy([se], x)
    assert produced == [(r.name, r.output_shape) for r in A.infer_shapes([se], x.shape).rows]
    # a residual whose paths can never agree: torch refuses at every size, symconv at once
    bad = A.Graph([A.Node(A.Conv(8, 3), name="c"), A.Node(A.Add(), ("input", "c"), "sum")])
    with pytest.raises(ShapeError, match="differ by"):
        A.infer_shapes([bad], (1, 8, "n", "n"))
    with pytest.raises(RuntimeError):
        torch.zeros(1, 8, 5, 5) + torch.zeros(1, 8, 3, 3)


# ---------------------------------------------------------------------------
# from_torch: torch modules to symbolic tables
# ---------------------------------------------------------------------------

def fx_shapes(model, x):
    """Output shape of every fx node of ``model`` at input ``x`` (``ShapeProp``), keyed as
    from_torch names its rows: the module's qualified name for its first call, else the
    node's name."""
    from torch.fx.passes.shape_prop import ShapeProp

    traced = torch.fx.symbolic_trace(model)
    with torch.no_grad():
        ShapeProp(traced).propagate(x)
    shapes = {}
    for node in traced.graph.nodes:
        meta = node.meta.get("tensor_meta")
        if node.op in ("call_module", "call_function", "call_method") and hasattr(meta, "shape"):
            first = node.op == "call_module" and node.target not in shapes
            shapes[node.target if first else node.name] = tuple(meta.shape)
    return shapes


def _resnet(counts, block=Bottleneck, expansion=4, **kwargs):
    return lambda: ResNet(block, expansion, counts, **kwargs)


#: catalogue name -> (torchvision-style definition, input channels, sizes to compare)
FROM_TORCH = {
    "lenet5": (LeNet5, 1, (32, 35)),
    "alexnet": (AlexNet, 3, (63, 224)),
    **{name: (lambda c=config: VGG(c), 3, (32, 100)) for name, config in VGG_CONFIGS.items()},
    "resnet18": (_resnet((2, 2, 2, 2), BasicBlock, 1), 3, (1, 64)),
    "resnet34": (_resnet((3, 4, 6, 3), BasicBlock, 1), 3, (1, 64)),
    "resnet50": (_resnet((3, 4, 6, 3)), 3, (1, 64)),
    "resnet101": (_resnet((3, 4, 23, 3)), 3, (1, 64)),
    "resnet152": (_resnet((3, 8, 36, 3)), 3, (1, 64)),
    "resnext50_32x4d": (ResNeXt50, 3, (32, 64)),
    "squeezenet1_1": (SqueezeNet11, 3, (32, 64)),
    "mobilenet_v2": (MobileNetV2, 3, (32, 64)),
    "unet": (UNet, 3, (32, 64)),
}


@pytest.mark.parametrize("name", list(FROM_TORCH))
def test_from_torch_reproduces_the_catalogue(name):
    build, channels, sizes = FROM_TORCH[name]
    model = build().to("meta").eval()
    traced = A.from_torch(model, (1, channels, "n", "n"))
    entry = A.infer_shapes(name, (channels, "n", "n"))
    assert traced.total_params == entry.total_params == sum(p.numel() for p in model.parameters())
    assert traced.output_shape == entry.output_shape
    assert traced.valid == entry.valid
    for size in sizes:
        x = torch.empty((1, channels, size, size), device="meta")
        shapes = fx_shapes(model, x)
        table = traced.substitute({"n": size})
        assert [row.name for row in table.rows if row.name not in shapes] == []
        assert all(row.output_shape == shapes[row.name] for row in table.rows)
        assert table.output_shape == tuple(model(x).shape)


class _ShapeOps(nn.Module):
    # the shape operations from_torch follows: sizes and arithmetic on them, a channel
    # shuffle by view/transpose/reshape, split + cat, unflatten/flatten, a learned scale
    # and shift, a functional layer norm with the weight and bias of an uncalled module,
    # a crop by indexing, and a classifier after reshape(b, -1)
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.gamma = nn.Parameter(torch.ones(8, 1, 1))
        self.shift = nn.Parameter(torch.zeros(1, 8, 1, 1))
        self.norm = nn.LayerNorm(8)
        self.pool = nn.AdaptiveAvgPool2d(2)
        self.fc = nn.Linear(32, 10)

    def forward(self, x):
        x = self.conv(x)
        b, c, h, w = x.size()
        x = x.view(b, 2, c // 2, h, w).transpose(1, 2).reshape(b, -1, h, w)
        a, z = torch.split(x, [3, 5], dim=1)
        x = torch.cat([z, a], 1).unflatten(1, (2, 4)).flatten(1, 2)
        x = self.gamma * x + self.shift
        y = nn.functional.layer_norm(x.permute(0, 2, 3, 1), (8,), self.norm.weight, self.norm.bias)
        x = y.permute(0, 3, 1, 2)[:, :, 1:]
        return self.fc(self.pool(x).reshape(x.shape[0], -1))


class _LastStep(nn.Module):
    # a TCN head: the last time step x[:, :, -1] feeds a linear layer
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(4, 6, 3, dilation=2)
        self.fc = nn.Linear(6, 2)

    def forward(self, x):
        return self.fc(torch.relu(self.conv(x))[:, :, -1])


@pytest.mark.parametrize("cls, channels, ndim, sizes", [(_ShapeOps, 3, 2, (2, 9, 30)),
                                                        (_LastStep, 4, 1, (5, 17))])
def test_from_torch_follows_shape_operations(cls, channels, ndim, sizes):
    model = cls().eval()
    table = A.from_torch(model, (1, channels, *("n",) * ndim))
    assert table.total_params == sum(p.numel() for p in model.parameters())
    for size in sizes:
        x = torch.randn((1, channels, *(size,) * ndim))
        shapes = fx_shapes(model, x)
        rows = table.substitute({"n": size}).rows
        assert [r.name for r in rows if r.name not in shapes] == []
        assert all(r.output_shape == shapes[r.name] for r in rows)
    # the valid range is where torch runs
    (n,) = table.symbols
    ok = []
    for size in range(1, 12):
        try:
            with torch.no_grad():
                model(torch.zeros((1, channels, *(size,) * ndim)))
            ok.append(size)
        except RuntimeError:
            pass
    assert [size for size in range(1, 12) if size in table.valid[n]] == ok


def test_from_torch_rows_of_the_shape_operations():
    table = A.from_torch(_ShapeOps(), (1, 3, "n", "n"))
    kinds = {row.name: (row.kind, row.params) for row in table.rows}
    assert kinds["view"] == ("unflatten", 0) and kinds["reshape"] == ("flatten", 0)
    assert kinds["transpose"] == ("permute", 0)
    assert [kinds[f"getitem_{i}"] for i in (4, 5, 6)] == [("slice", 0)] * 3
    assert kinds["mul"] == ("learned_tensor", 8) and kinds["add"] == ("learned_tensor", 8)
    assert kinds["layer_norm"] == ("layernorm", 16)
    assert table.validity_text() == "valid for integer n >= 2"


class _SE(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(4, 8, 3, padding=1)
        self.pool = nn.AdaptiveAvgPool1d(1)
        self.fc = nn.Conv1d(8, 8, 1)

    def forward(self, x):
        y = torch.relu(self.conv(x))
        return y * torch.sigmoid(self.fc(self.pool(y)))


class _Custom(nn.Module):
    def forward(self, x):
        return x % 2          # no layer computes a remainder


class _Padded(nn.Module):
    """Every way a network pads before a convolution."""

    def __init__(self):
        super().__init__()
        self.reflect = nn.Conv2d(3, 4, 3, padding=2, padding_mode="reflect")
        self.zero = nn.ZeroPad2d((1, 0, 0, 1))
        self.circular = nn.Conv2d(4, 4, 5, padding="same", padding_mode="circular")

    def forward(self, x):
        x = self.zero(self.reflect(x))
        return self.circular(F.pad(x, (0, 0, 3, 3), mode="replicate"))


def test_from_torch_pads_as_torch_does():
    model = _Padded().eval()
    table = A.from_torch(model, (1, 3, "n", "n"))
    assert [r.kind for r in table.rows] == ["pad", "conv", "pad", "pad", "pad", "conv"]
    assert table.total_params == sum(p.numel() for p in model.parameters())
    n = sp.Symbol("n", integer=True, positive=True)
    runs_in_torch = []
    for size in range(1, 12):
        try:
            with torch.no_grad():
                y = model(torch.zeros(1, 3, size, size))
        except RuntimeError:
            continue
        runs_in_torch.append(size)
        assert table.substitute({n: size}).output_shape == tuple(y.shape)
    # reflection by 2 needs n >= 3; the 5x5 circular 'same' convolution needs 2 <= size
    assert [s for s in range(1, 12) if s in table.valid[n]] == runs_in_torch


def test_from_torch_merges_and_refusals():
    table = A.from_torch(_SE(), (1, 4, "t"))
    t = sp.Symbol("t", integer=True, positive=True)
    assert table.output_shape == (1, 8, t)
    assert table.total_params == sum(p.numel() for p in _SE().parameters())
    with pytest.raises(SymconvError, match="cannot map the call 'mod'"):
        A.from_torch(_Custom(), (1, 1, 4))
    with pytest.raises(SymconvError, match=r"cannot map module 'rnn' \(LSTM\)"):
        A.from_torch(_with_lstm(), (1, 3))


def _with_lstm():
    m = nn.Sequential(nn.Linear(3, 3))
    m.add_module("rnn", nn.LSTM(3, 3))
    return m
