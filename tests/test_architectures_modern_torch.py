"""The modern catalogue entries against PyTorch.

The networks are written here as small torch.nn code following torchvision's source
(module names included; torchvision itself is not needed). For each, on the meta device
at several input sizes, every module that runs has its output shape (a forward hook)
compared with the row of the same name in the symbolic table substituted at that size,
and the torch modules that run must almost all have a row. Parameter totals are compared
with ``sum(p.numel())`` and with the totals torchvision publishes for its models (the
DCGAN pair: the totals of PyTorch's DCGAN tutorial, 3,576,704 and 2,765,568, which the
layer list gives by hand too). The smallest valid size is compared with the smallest
size at which the torch network runs.
"""

import sys
from functools import partial
from pathlib import Path

import pytest

torch = pytest.importorskip("torch", reason="PyTorch is the oracle of these tests; not installed")
nn = torch.nn
F = torch.nn.functional

from symconv import architectures as A  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

from test_architectures_torch import FROM_TORCH, fx_shapes  # noqa: E402


# ---------------------------------------------------------------------------
# torchvision-style definitions
# ---------------------------------------------------------------------------

def make_divisible(v, divisor=8):
    new = max(divisor, int(v + divisor / 2) // divisor * divisor)
    return new + divisor if new < 0.9 * v else new


class ConvNormAct(nn.Sequential):
    def __init__(self, inp, out, k=3, stride=1, groups=1, norm=nn.BatchNorm2d, act=nn.ReLU,
                 bias=None):
        layers = [nn.Conv2d(inp, out, k, stride, (k - 1) // 2, groups=groups,
                            bias=norm is None if bias is None else bias)]
        if norm is not None:
            layers.append(norm(out))
        if act is not None:
            layers.append(act())
        super().__init__(*layers)


class SqueezeExcitation(nn.Module):
    def __init__(self, channels, squeeze, act=nn.ReLU, scale=nn.Sigmoid):
        super().__init__()
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(channels, squeeze, 1)
        self.fc2 = nn.Conv2d(squeeze, channels, 1)
        self.activation = act()
        self.scale_activation = scale()

    def forward(self, x):
        s = self.scale_activation(self.fc2(self.activation(self.fc1(self.avgpool(x)))))
        return s * x


class StochasticDepth(nn.Module):
    def forward(self, x):
        return x      # evaluation mode


class V3Block(nn.Module):
    def __init__(self, inp, k, exp, out, se, act, stride):
        super().__init__()
        norm = partial(nn.BatchNorm2d, eps=0.001, momentum=0.01)
        act = nn.Hardswish if act == "HS" else nn.ReLU
        layers = []
        if exp != inp:
            layers.append(ConvNormAct(inp, exp, 1, norm=norm, act=act))
        layers.append(ConvNormAct(exp, exp, k, stride, exp, norm=norm, act=act))
        if se:
            layers.append(SqueezeExcitation(exp, make_divisible(exp // 4), scale=nn.Hardsigmoid))
        layers.append(ConvNormAct(exp, out, 1, norm=norm, act=None))
        self.block = nn.Sequential(*layers)
        self.use_res = stride == 1 and inp == out

    def forward(self, x):
        y = self.block(x)
        return y + x if self.use_res else y


LARGE = [(16, 3, 16, 16, 0, "RE", 1), (16, 3, 64, 24, 0, "RE", 2), (24, 3, 72, 24, 0, "RE", 1),
         (24, 5, 72, 40, 1, "RE", 2), (40, 5, 120, 40, 1, "RE", 1), (40, 5, 120, 40, 1, "RE", 1),
         (40, 3, 240, 80, 0, "HS", 2), (80, 3, 200, 80, 0, "HS", 1), (80, 3, 184, 80, 0, "HS", 1),
         (80, 3, 184, 80, 0, "HS", 1), (80, 3, 480, 112, 1, "HS", 1),
         (112, 3, 672, 112, 1, "HS", 1), (112, 5, 672, 160, 1, "HS", 2),
         (160, 5, 960, 160, 1, "HS", 1), (160, 5, 960, 160, 1, "HS", 1)]
SMALL = [(16, 3, 16, 16, 1, "RE", 2), (16, 3, 72, 24, 0, "RE", 2), (24, 3, 88, 24, 0, "RE", 1),
         (24, 5, 96, 40, 1, "HS", 2), (40, 5, 240, 40, 1, "HS", 1), (40, 5, 240, 40, 1, "HS", 1),
         (40, 5, 120, 48, 1, "HS", 1), (48, 5, 144, 48, 1, "HS", 1), (48, 5, 288, 96, 1, "HS", 2),
         (96, 5, 576, 96, 1, "HS", 1), (96, 5, 576, 96, 1, "HS", 1)]


class MobileNetV3(nn.Module):
    def __init__(self, settings, last_channel):
        super().__init__()
        norm = partial(nn.BatchNorm2d, eps=0.001, momentum=0.01)
        layers = [ConvNormAct(3, 16, 3, 2, norm=norm, act=nn.Hardswish)]
        layers += [V3Block(*s) for s in settings]
        last = 6 * settings[-1][3]
        layers.append(ConvNormAct(settings[-1][3], last, 1, norm=norm, act=nn.Hardswish))
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(nn.Linear(last, last_channel), nn.Hardswish(),
                                        nn.Dropout(0.2), nn.Linear(last_channel, 1000))

    def forward(self, x):
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


class MBConv(nn.Module):
    def __init__(self, t, k, stride, inp, out):
        super().__init__()
        exp = inp * t
        layers = []
        if exp != inp:
            layers.append(ConvNormAct(inp, exp, 1, act=nn.SiLU))
        layers.append(ConvNormAct(exp, exp, k, stride, exp, act=nn.SiLU))
        layers.append(SqueezeExcitation(exp, max(1, inp // 4), act=nn.SiLU))
        layers.append(ConvNormAct(exp, out, 1, act=None))
        self.block = nn.Sequential(*layers)
        self.stochastic_depth = StochasticDepth()
        self.use_res = stride == 1 and inp == out

    def forward(self, x):
        y = self.block(x)
        if self.use_res:
            y = self.stochastic_depth(y)
            y = y + x
        return y


class EfficientNetB0(nn.Module):
    def __init__(self):
        super().__init__()
        layers = [ConvNormAct(3, 32, 3, 2, act=nn.SiLU)]
        for t, k, s, inp, out, count in [(1, 3, 1, 32, 16, 1), (6, 3, 2, 16, 24, 2),
                                         (6, 5, 2, 24, 40, 2), (6, 3, 2, 40, 80, 3),
                                         (6, 5, 1, 80, 112, 3), (6, 5, 2, 112, 192, 4),
                                         (6, 3, 1, 192, 320, 1)]:
            layers.append(nn.Sequential(*[MBConv(t, k, s if i == 0 else 1, inp if i == 0 else out,
                                                 out) for i in range(count)]))
        layers.append(ConvNormAct(320, 1280, 1, act=nn.SiLU))
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(1280, 1000))

    def forward(self, x):
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


class DenseLayer(nn.Module):
    def __init__(self, inp, growth=32, bn_size=4):
        super().__init__()
        self.norm1 = nn.BatchNorm2d(inp)
        self.relu1 = nn.ReLU()
        self.conv1 = nn.Conv2d(inp, bn_size * growth, 1, bias=False)
        self.norm2 = nn.BatchNorm2d(bn_size * growth)
        self.relu2 = nn.ReLU()
        self.conv2 = nn.Conv2d(bn_size * growth, growth, 3, padding=1, bias=False)

    def forward(self, features):
        x = torch.cat(features, 1)
        return self.conv2(self.relu2(self.norm2(self.conv1(self.relu1(self.norm1(x))))))


class DenseBlock(nn.ModuleDict):
    def __init__(self, count, inp):
        super().__init__({f"denselayer{i + 1}": DenseLayer(inp + i * 32) for i in range(count)})

    def forward(self, x):
        features = [x]
        for layer in self.values():
            features.append(layer(features))
        return torch.cat(features, 1)


class DenseNet121(nn.Module):
    def __init__(self):
        super().__init__()
        f = nn.Sequential()
        f.add_module("conv0", nn.Conv2d(3, 64, 7, 2, 3, bias=False))
        f.add_module("norm0", nn.BatchNorm2d(64))
        f.add_module("relu0", nn.ReLU())
        f.add_module("pool0", nn.MaxPool2d(3, 2, 1))
        c = 64
        for i, count in enumerate((6, 12, 24, 16), start=1):
            f.add_module(f"denseblock{i}", DenseBlock(count, c))
            c += count * 32
            if i != 4:
                t = nn.Sequential()
                t.add_module("norm", nn.BatchNorm2d(c))
                t.add_module("relu", nn.ReLU())
                t.add_module("conv", nn.Conv2d(c, c // 2, 1, bias=False))
                t.add_module("pool", nn.AvgPool2d(2, 2))
                f.add_module(f"transition{i}", t)
                c //= 2
        f.add_module("norm5", nn.BatchNorm2d(c))
        self.features = f
        self.classifier = nn.Linear(c, 1000)

    def forward(self, x):
        x = F.adaptive_avg_pool2d(F.relu(self.features(x)), (1, 1))
        return self.classifier(torch.flatten(x, 1))


class BasicConv2d(nn.Module):
    def __init__(self, inp, out, k, **kwargs):
        super().__init__()
        self.conv = nn.Conv2d(inp, out, k, bias=False, **kwargs)
        self.bn = nn.BatchNorm2d(out, eps=0.001)

    def forward(self, x):
        return F.relu(self.bn(self.conv(x)))


class Inception(nn.Module):
    def __init__(self, inp, ch1, red3, ch3, red5, ch5, proj):
        super().__init__()
        self.branch1 = BasicConv2d(inp, ch1, 1)
        self.branch2 = nn.Sequential(BasicConv2d(inp, red3, 1), BasicConv2d(red3, ch3, 3, padding=1))
        self.branch3 = nn.Sequential(BasicConv2d(inp, red5, 1), BasicConv2d(red5, ch5, 3, padding=1))
        self.branch4 = nn.Sequential(nn.MaxPool2d(3, 1, 1, ceil_mode=True), BasicConv2d(inp, proj, 1))

    def forward(self, x):
        return torch.cat([self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)], 1)


class GoogLeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = BasicConv2d(3, 64, 7, stride=2, padding=3)
        self.maxpool1 = nn.MaxPool2d(3, 2, ceil_mode=True)
        self.conv2 = BasicConv2d(64, 64, 1)
        self.conv3 = BasicConv2d(64, 192, 3, padding=1)
        self.maxpool2 = nn.MaxPool2d(3, 2, ceil_mode=True)
        self.inception3a = Inception(192, 64, 96, 128, 16, 32, 32)
        self.inception3b = Inception(256, 128, 128, 192, 32, 96, 64)
        self.maxpool3 = nn.MaxPool2d(3, 2, ceil_mode=True)
        self.inception4a = Inception(480, 192, 96, 208, 16, 48, 64)
        self.inception4b = Inception(512, 160, 112, 224, 24, 64, 64)
        self.inception4c = Inception(512, 128, 128, 256, 24, 64, 64)
        self.inception4d = Inception(512, 112, 144, 288, 32, 64, 64)
        self.inception4e = Inception(528, 256, 160, 320, 32, 128, 128)
        self.maxpool4 = nn.MaxPool2d(2, 2, ceil_mode=True)
        self.inception5a = Inception(832, 256, 160, 320, 32, 128, 128)
        self.inception5b = Inception(832, 384, 192, 384, 48, 128, 128)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.dropout = nn.Dropout(0.2)
        self.fc = nn.Linear(1024, 1000)

    def forward(self, x):
        for name in ("conv1", "maxpool1", "conv2", "conv3", "maxpool2", "inception3a",
                     "inception3b", "maxpool3", "inception4a", "inception4b", "inception4c",
                     "inception4d", "inception4e", "maxpool4", "inception5a", "inception5b",
                     "avgpool"):
            x = getattr(self, name)(x)
        return self.fc(self.dropout(torch.flatten(x, 1)))


def channel_shuffle(x, groups):
    b, c, h, w = x.size()
    x = x.view(b, groups, c // groups, h, w).transpose(1, 2).contiguous()
    return x.view(b, -1, h, w)


class ShuffleUnit(nn.Module):
    def __init__(self, inp, oup, stride):
        super().__init__()
        self.stride = stride
        bf = oup // 2
        if stride > 1:
            self.branch1 = nn.Sequential(
                nn.Conv2d(inp, inp, 3, stride, 1, groups=inp, bias=False), nn.BatchNorm2d(inp),
                nn.Conv2d(inp, bf, 1, bias=False), nn.BatchNorm2d(bf), nn.ReLU())
        else:
            self.branch1 = nn.Sequential()
        self.branch2 = nn.Sequential(
            nn.Conv2d(inp if stride > 1 else bf, bf, 1, bias=False), nn.BatchNorm2d(bf), nn.ReLU(),
            nn.Conv2d(bf, bf, 3, stride, 1, groups=bf, bias=False), nn.BatchNorm2d(bf),
            nn.Conv2d(bf, bf, 1, bias=False), nn.BatchNorm2d(bf), nn.ReLU())

    def forward(self, x):
        if self.stride == 1:
            x1, x2 = x.chunk(2, dim=1)
            out = torch.cat((x1, self.branch2(x2)), 1)
        else:
            out = torch.cat((self.branch1(x), self.branch2(x)), 1)
        return channel_shuffle(out, 2)


class ShuffleNetV2(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Sequential(nn.Conv2d(3, 24, 3, 2, 1, bias=False), nn.BatchNorm2d(24), nn.ReLU())
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        inp = 24
        for stage, (repeats, out) in enumerate(zip((4, 8, 4), (116, 232, 464)), start=2):
            units = [ShuffleUnit(inp, out, 2)] + [ShuffleUnit(out, out, 1) for _ in range(repeats - 1)]
            setattr(self, f"stage{stage}", nn.Sequential(*units))
            inp = out
        self.conv5 = nn.Sequential(nn.Conv2d(464, 1024, 1, bias=False), nn.BatchNorm2d(1024), nn.ReLU())
        self.fc = nn.Linear(1024, 1000)

    def forward(self, x):
        x = self.maxpool(self.conv1(x))
        x = self.conv5(self.stage4(self.stage3(self.stage2(x))))
        return self.fc(x.mean([2, 3]))


class Permute(nn.Module):
    def __init__(self, dims):
        super().__init__()
        self.dims = dims

    def forward(self, x):
        return torch.permute(x, self.dims)


class LayerNorm2d(nn.LayerNorm):
    def forward(self, x):
        x = x.permute(0, 2, 3, 1)
        x = F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)
        return x.permute(0, 3, 1, 2)


class CNBlock(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.block = nn.Sequential(
            nn.Conv2d(dim, dim, 7, padding=3, groups=dim), Permute([0, 2, 3, 1]),
            nn.LayerNorm(dim, eps=1e-6), nn.Linear(dim, 4 * dim), nn.GELU(),
            nn.Linear(4 * dim, dim), Permute([0, 3, 1, 2]))
        self.layer_scale = nn.Parameter(torch.ones(dim, 1, 1) * 1e-6)
        self.stochastic_depth = StochasticDepth()

    def forward(self, x):
        return self.stochastic_depth(self.layer_scale * self.block(x)) + x


class ConvNeXtTiny(nn.Module):
    def __init__(self):
        super().__init__()
        layers = [nn.Sequential(nn.Conv2d(3, 96, 4, 4), LayerNorm2d(96, eps=1e-6))]
        widths = (96, 192, 384, 768)
        for stage, (dim, depth) in enumerate(zip(widths, (3, 3, 9, 3))):
            layers.append(nn.Sequential(*[CNBlock(dim) for _ in range(depth)]))
            if stage < 3:
                layers.append(nn.Sequential(LayerNorm2d(dim, eps=1e-6),
                                            nn.Conv2d(dim, widths[stage + 1], 2, 2)))
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(LayerNorm2d(768, eps=1e-6), nn.Flatten(1),
                                        nn.Linear(768, 1000))

    def forward(self, x):
        return self.classifier(self.avgpool(self.features(x)))


class Generator(nn.Module):
    # PyTorch's DCGAN tutorial (nz=100, ngf=64, nc=3)
    def __init__(self, nz=100, ngf=64, nc=3):
        super().__init__()
        self.main = nn.Sequential(
            nn.ConvTranspose2d(nz, ngf * 8, 4, 1, 0, bias=False), nn.BatchNorm2d(ngf * 8), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 8, ngf * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 4), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 2), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf), nn.ReLU(True),
            nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False), nn.Tanh())

    def forward(self, x):
        return self.main(x)


class Discriminator(nn.Module):
    def __init__(self, nc=3, ndf=64):
        super().__init__()
        self.main = nn.Sequential(
            nn.Conv2d(nc, ndf, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 2), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 2, ndf * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 4), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 4, ndf * 8, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 8), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 8, 1, 4, 1, 0, bias=False), nn.Sigmoid())

    def forward(self, x):
        return self.main(x)


# name: (torch module, torchvision's published total, sizes to compare, channels,
#        names of torch modules that may run without a row of their own)
MODELS = {
    "mobilenet_v3_small": (lambda: MobileNetV3(SMALL, 1024), 2_542_856, (1, 37, 224), 3),
    "mobilenet_v3_large": (lambda: MobileNetV3(LARGE, 1280), 5_483_032, (1, 37, 224), 3),
    "efficientnet_b0": (EfficientNetB0, 5_288_548, (1, 33, 224), 3),
    "densenet121": (DenseNet121, 7_978_856, (29, 64, 224), 3),
    "googlenet": (GoogLeNet, 6_624_904, (15, 50, 224), 3),
    "shufflenet_v2_x1_0": (ShuffleNetV2, 2_278_604, (1, 45, 224), 3),
    "convnext_tiny": (ConvNeXtTiny, 28_589_128, (32, 67, 224), 3),
    "dcgan_generator": (Generator, 3_576_704, (1, 2, 5), 100),
    "dcgan_discriminator": (Discriminator, 2_765_568, (64, 100, 128), 3),
}


def hooked_shapes(model, x):
    """Output shape of every named module that ran (the last call, for modules run twice)."""
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


def runs(model, shape):
    try:
        with torch.no_grad():
            model(torch.empty(shape, device="meta"))
        return True
    except RuntimeError:
        return False


@pytest.mark.parametrize("name", list(MODELS))
def test_modern_catalogue_matches_torch(name):
    build, published, sizes, channels = MODELS[name]
    model = build().to("meta").eval()
    symbolic = A.infer_shapes(name, (channels, "n", "n"))
    assert symbolic.total_params == sum(p.numel() for p in model.parameters()) == published
    leaves = {n for n, m in model.named_modules() if n and not list(m.children())}
    for size in sizes:
        y, shapes = hooked_shapes(model, torch.empty((1, channels, size, size), device="meta"))
        table = symbolic.substitute({"n": size})
        rows = {row.name: row.output_shape for row in table.rows}
        compared = [n for n in shapes if n in rows]
        for n in compared:
            assert rows[n] == shapes[n], (name, size, n)
        ran_leaves = [n for n in shapes if n in leaves]
        missing = [n for n in ran_leaves if n not in rows]
        assert not missing, (name, missing[:5])
        assert table.output_shape == tuple(y.shape)
    # the smallest valid size is the smallest size at which torch runs
    (n,) = symbolic.symbols
    smallest = symbolic.smallest[n]
    assert runs(model, (1, channels, smallest, smallest))
    if smallest > 1:
        assert not runs(model, (1, channels, smallest - 1, smallest - 1))


def test_modern_catalogue_listed():
    for name in MODELS:
        assert name in A.names()


@pytest.mark.parametrize("name, size", [("shufflenet_v2_x1_0", 32), ("mobilenet_v3_small", 32),
                                        ("efficientnet_b0", 32), ("googlenet", 32),
                                        ("densenet121", 32), ("dcgan_generator", 1)])
def test_modern_catalogue_runs_on_the_executor(name, size):
    # the NumPy executor (what `symconv shapes NAME --check N` runs) produces every row's shape
    import numpy as np

    channels = MODELS[name][3]
    table = A.infer_shapes(name, (1, channels, size, size))
    x = np.random.default_rng(0).standard_normal((1, channels, size, size), dtype=np.float32)
    _, produced = A.run_numpy(A.get(name).layers, x)
    assert produced == [(r.name, r.output_shape) for r in table.rows]


@pytest.mark.parametrize("name", list(MODELS))
def test_from_torch_reproduces_the_modern_catalogue(name):
    build, published, _, channels = MODELS[name]
    model = build().to("meta").eval()
    traced = A.from_torch(model, (1, channels, "n", "n"))
    entry = A.infer_shapes(name, (channels, "n", "n"))
    assert traced.total_params == entry.total_params == published
    assert traced.output_shape == entry.output_shape
    assert traced.valid == entry.valid


def test_every_catalogue_entry_is_reproduced_by_from_torch():
    # the two parametrised from_torch tests cover the whole catalogue between them
    assert sorted(set(MODELS) | set(FROM_TORCH)) == sorted(A.names())


@pytest.mark.parametrize("name, sizes", [("shufflenet_v2_x1_0", (1, 45, 97)),
                                         ("convnext_tiny", (32, 67, 101))])
def test_from_torch_rows_match_every_torch_node(name, sizes):
    # the traced table at concrete sizes against the shape torch gives every fx node:
    # the channel shuffle's view/transpose/view, the chunk pieces, permutes, the
    # functional layer norms and the layer-scale products included
    build, _, _, channels = MODELS[name]
    model = build().to("meta").eval()
    traced = A.from_torch(model, (1, channels, "n", "n"))
    names = {row.name for row in traced.rows}
    for size in sizes:
        shapes = fx_shapes(model, torch.empty((1, channels, size, size), device="meta"))
        table = traced.substitute({"n": size})
        compared = [row for row in table.rows if row.name in shapes]
        assert len(compared) == len(table.rows), [r.name for r in table.rows if r.name not in shapes]
        for row in compared:
            assert row.output_shape == shapes[row.name], (name, size, row.name)
        # every tensor torch computes has a row, but for the values that are not layers:
        # x.contiguous() is x, and get_attr/size nodes give no tensor of their own
        assert set(shapes) - names <= {n for n in shapes if n.startswith("contiguous")}


def opaque_scale(x):
    # a function fx keeps as one call (torch.fx.wrap): its body is unknown to from_torch
    return x * 2


torch.fx.wrap("opaque_scale")


class _Lambda(nn.Module):
    def __init__(self, forward, param=None):
        super().__init__()
        self.body = forward
        if param is not None:
            self.p = nn.Parameter(torch.ones(param))

    def forward(self, x):
        return self.body(self, x)


def _unflatten_spatial(m, x):
    b, c, h, w = x.shape
    return x.flatten(2).view(b, c, h, w)


class Siamese(nn.Module):
    """One convolution applied twice: PyTorch counts its parameters once."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(4, 4, 3, padding=1)
        self.relu = nn.ReLU()

    def forward(self, x):
        return self.relu(self.conv(self.relu(self.conv(x))))


def test_from_torch_counts_a_module_called_twice_once():
    model = Siamese()
    table = A.from_torch(model, (1, 4, "n", "n"))
    assert table.total_params == sum(p.numel() for p in model.parameters()) == 148
    assert [r.params for r in table.rows] == [148, 0, 0, 0]
    assert "the parameters of 'conv'" in table.rows[2].description
    assert A.receptive_field(A.graph_from_torch(model, (1, 4, "n", "n"))).size == 5


class ScaledShift(nn.Module):
    """Arithmetic with numbers, as attention and normalisation code writes it."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(4, 4, 3)

    def forward(self, x):
        y = self.conv(x * 0.5)
        y = 1 - y / 8
        return torch.sub(y, 2) ** 2


def test_from_torch_maps_arithmetic_with_numbers():
    model = ScaledShift()
    table = A.from_torch(model, (1, 4, "n", "n"))
    assert [r.description for r in table.rows] == [
        "multiply by 0.5", "conv 4->4, 3x3", "divide by 8", "1 - x", "subtract 2",
        "raise to the power 2"]
    assert table.total_params == 148 and table.validity_text() == "valid for integer n >= 3"
    import numpy as np

    x = np.random.default_rng(1).standard_normal((1, 4, 7, 7)).astype(np.float32)
    graph = A.graph_from_torch(model, (1, 4, "n", "n"))
    with torch.no_grad():
        want = tuple(model(torch.from_numpy(x)).shape)
    assert A.run_numpy([graph], x)[1][-1][1] == want == (1, 4, 5, 5)


@pytest.mark.parametrize("forward, param, message", [
    (lambda m, x: torch.nonzero(x), None, "cannot map the call 'nonzero'"),   # data-dependent size
    (lambda m, x: x if x.sum() > 0 else -x, None, "could not trace"),      # data-dependent flow
    (lambda m, x: opaque_scale(x), None, "cannot map the call 'opaque_scale'"),
    (lambda m, x: x // 2, None, "expected 'floordiv' of size values"),
    (lambda m, x: x - m.p, (4, 1, 1), r"expected 'sub' of size values .* model tensor 'p'"),
    (lambda m, x: x.chunk(2, dim=2)[0], None,
     "expected the size of the chunked axis 2 to be an integer fixed by the model"),
    (_unflatten_spatial, None, "holds more than one size that depends on the input"),
    (lambda m, x: x.view(x.size(0), -1, 3), None, "needs 3 to divide the element count"),
])
def test_from_torch_refuses_what_it_cannot_map(forward, param, message):
    from symconv.errors import SymconvError

    with pytest.raises(SymconvError, match=message):
        A.from_torch(_Lambda(forward, param).to("meta"), (1, 4, "n", "n"))
