"""Tests of the explorer site builder (``symconv explore``) that need no browser.

The page itself is exercised in Chromium by tests/test_explore_browser.py.
"""

import hashlib
import json
import pathlib
import random
import re

import pytest
import sympy as sp

import symconv as sc
from symconv.cli import main
from symconv.errors import SymconvError
from symconv.explore import build_site, tables

VENDOR = pathlib.Path(tables.__file__).parent / "vendor" / "katex"
# URIs that KaTeX names as XML namespaces (never fetched)
NAMESPACES = {"http://www.w3.org/1998/Math/MathML", "http://www.w3.org/2000/svg"}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return build_site(tmp_path_factory.mktemp("explore") / "site", check=False)


def test_cli_writes_the_site(tmp_path, capsys):
    status = main(["explore", "--out", str(tmp_path / "out"), "--no-check"])
    out, err = capsys.readouterr()
    assert status == 0 and err == ""
    assert out.startswith("wrote 28 files (")
    assert "not checked against symconv's matrices (--no-check)" in out
    index = (tmp_path / "out" / "index.html").read_text()
    assert 'id="output-size"' in index and 'id="cell-formula"' in index


def test_cli_refuses_a_file_as_output(tmp_path, capsys):
    target = tmp_path / "taken"
    target.write_text("x")
    assert main(["explore", "--out", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.strip() == (f"symconv explore: error: the output of symconv explore must be a folder, "
                           f"but got the file {str(target)!r}")


def test_site_is_small_and_self_contained(site):
    files = [p for p in site.path.rglob("*") if p.is_file()]
    assert site.files == len(files) and site.bytes == sum(p.stat().st_size for p in files)
    assert site.bytes < 800_000  # measured 658 KiB: KaTeX ~590 KiB, data.js ~85 KiB
    # every address in the generated files is a relative path or one of KaTeX's namespaces
    for path in files:
        if path.suffix in (".html", ".js", ".css"):
            urls = set(re.findall(r"(?:https?|wss?|ftp)://[^\s\"')]*", path.read_text("utf-8")))
            assert urls <= NAMESPACES, (path.name, urls - NAMESPACES)
    index = (site.path / "index.html").read_text()
    for ref in re.findall(r'(?:src|href)="([^"]+)"', index):
        if ref:
            assert (site.path / ref).is_file(), ref
    css = (site.path / "katex" / "katex.min.css").read_text()
    woff2 = re.findall(r"url\((fonts/[^)]+\.woff2)\)", css)
    assert len(woff2) == 20 and all((site.path / "katex" / f).is_file() for f in woff2)


def test_vendored_katex_matches_its_manifest():
    manifest = json.loads((VENDOR / "MANIFEST.json").read_text())
    assert manifest["version"] == "0.19.1" and manifest["tarball_integrity"].startswith("sha512-")
    assert "MIT License" in (VENDOR / "LICENSE").read_text()
    on_disk = {str(p.relative_to(VENDOR)) for p in VENDOR.rglob("*") if p.is_file()}
    assert on_disk == set(manifest["sha256"]) | {"MANIFEST.json"}
    for name, digest in manifest["sha256"].items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name


def test_size_table_is_symconv_at_every_index():
    table = tables.size_table()
    rng = random.Random(16)
    all_settings = list(tables.settings())
    assert len(table["sizes"]) == len(all_settings) == 4 * 16 * 5 * 3 * 5 * 3
    for mode, n, k, s, p, d in rng.sample(all_settings, 400) + [(0, 7, 3, 2, 1, 1)]:
        value = table["sizes"][tables.setting_index(mode, n, k, s, p, d)]
        try:
            if mode == 0:
                expected = sc.conv_output_size(n, k, stride=s, padding=p, dilation=d)
            else:
                expected = sc.conv_transpose_output_size(n, k, stride=s, padding=p,
                                                         output_padding=mode - 1, dilation=d)
        except SymconvError as exc:
            assert value < 0 and table["errors"][-1 - value] == str(exc)
        else:
            assert value == expected


def test_error_templates_round_trip():
    table = tables.size_table()
    data = tables.page_data()
    rebuilt = []
    for index, numbers in data["errors"]:
        parts = data["templates"][index].split("%")
        text = parts[0] + "".join(num + part for num, part in zip(numbers, parts[1:]))
        rebuilt.append(text)
    assert rebuilt == table["errors"]


def test_geometry_check_catches_a_wrong_rule(monkeypatch):
    wrong = {mode: dict(fields) for mode, fields in tables.GEOMETRY.items()}
    wrong["transposed"]["flip"] = sp.Integer(0)  # forget that the kernel is flipped
    monkeypatch.setattr(tables, "GEOMETRY", wrong)
    with pytest.raises(AssertionError, match="disagrees with symconv's matrix"):
        tables.check_geometry()


def test_geometry_is_exported_as_javascript():
    js = tables.geometry_js()
    assert "conv: {L: function (n, k, s, lo, hi, d, op) { return hi + lo + n; }" in js
    assert "return 2*d*(k - 1) + op + s*(n - 1) + 1;" in js


def test_size_formulas_are_symconvs_symbolic_rules():
    formulas = tables.size_formulas()
    n, k, s, lo, hi, d = sp.symbols("n k s lo hi d", integer=True, nonnegative=True)
    expected = sc.conv_output_size(n, k, stride=s, padding=(lo, hi), dilation=d)
    assert formulas["conv"]["text"] == str(expected)
    # the template with numbers put in, read back by SymPy, gives symconv's integer answer
    values = dict(n=7, k=3, s=2, lo=1, hi=1, d=1)
    template = formulas["conv"]["template"]
    filled = re.sub(r"@(\w+)@", lambda m: str(values[m.group(1)]), template)
    assert filled == r"\left\lfloor{\frac{- 1 \cdot \left(3 - 1\right) + 1 + 1 + 7 - 1}{2}}\right\rfloor + 1"
    assert sc.conv_output_size(7, 3, stride=2, padding=1) == 4


def test_kernels():
    a, b, c = sp.symbols("a b c")
    assert tables.kernel_values("letters", (3,)) == [a, b, c]
    assert tables.kernel_values("letters", (5, 5))[4][4] == sp.Symbol("w_{4,4}")
    assert tables.kernel_values("edge", (3, 3)) == [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]  # Sobel
    assert tables.kernel_values("edge", (2,)) == [-1, 1]
    assert tables.kernel_values("deriv", (5,)) == sc.derivative_kernel(1, accuracy=4).tolist()
    assert tables.kernel_values("deriv", (1, 3)) == [[-sp.Rational(1, 2), 0, sp.Rational(1, 2)]]
    with pytest.raises(SymconvError, match="must be 1 row high, but got kernel size 3x3"):
        tables.kernel_values("deriv", (3, 3))
    with pytest.raises(SymconvError, match="at least 2 wide, but got kernel width 1"):
        tables.kernel_values("edge", (1,))
    table = tables.kernel_table()
    entry = table["deriv:3"]["entries"][0]
    assert (entry["lead"], entry["cont"], entry["leadTex"]) == ("-1/2·", " - 1/2·", r"-\frac{1}{2} \cdot ")
    assert table["letters:3"]["entries"][1]["cont"] == " + b·"
    assert table["edge:1x1"] == {"error": "the edge detector must be at least 2 wide, but got kernel width 1"}
