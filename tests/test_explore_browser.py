"""The explorer page in a real browser: Debian's chromium, headless, driven by selenium.

Install the browser with ``scripts/setup-browser.sh`` (chromium + chromium-driver from
Debian; nothing is downloaded at test time) and selenium with the ``test`` extra. Without
them these tests skip and say which piece is missing.

Every expectation is computed here by symconv itself (sizes from the shape functions,
formulas from :func:`symconv.conv_matrix` / :func:`symconv.conv_transpose_matrix` times a
symbolic input), never copied from the page's data.
"""

import base64
import json
import os
import random
import re
import shutil
import tempfile
import time

import pytest
import sympy as sp
from sympy.parsing.sympy_parser import parse_expr

import symconv as sc
from symconv.errors import SymconvError
from symconv.explore import build_site, tables


def _find(names, env):
    found = os.environ.get(env)
    if found:
        return found if os.path.exists(found) else None
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    return None


CHROMIUM = _find(["chromium", "chromium-browser"], "SYMCONV_CHROMIUM")
CHROMEDRIVER = _find(["chromedriver"], "SYMCONV_CHROMEDRIVER")
try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    SELENIUM = True
except ImportError:  # pragma: no cover - depends on the machine
    SELENIUM = False

_missing = [what for what, ok in (("the selenium package (pip install -e '.[test]')", SELENIUM),
                                  ("chromium (scripts/setup-browser.sh)", CHROMIUM),
                                  ("chromedriver (scripts/setup-browser.sh)", CHROMEDRIVER)) if not ok]
pytestmark = pytest.mark.skipif(bool(_missing), reason="browser tests need " + ", ".join(_missing))

LETTERS = {name: sp.Symbol(name) for name in "abcdefghijklmnopqrstuvw"}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return build_site(tmp_path_factory.mktemp("explore") / "site", check=False).path


@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="symconv-chromium-")
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--window-size=1300,1400"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def load(browser, site, query=""):
    browser.get((site / "index.html").as_uri() + query)
    return browser


def text(browser, element_id):
    return browser.find_element(By.ID, element_id).text


def formula_of(browser):
    return browser.find_element(By.ID, "cell-formula").get_attribute("data-formula")


def sizes_shown(browser):
    return [int(v) for v in re.findall(r"[0-9]+", text(browser, "output-size"))]


# ---------------------------------------------------------------------------
# what symconv says
# ---------------------------------------------------------------------------

def parse_formula(formula):
    """``'y[1,2] = a·x[1,3] - 1/2·x[1,4]'`` -> (``(1, 2)``, SymPy expression in X_i_j)."""
    left, right = formula.split(" = ")
    cell = tuple(int(v) for v in re.fullmatch(r"y\[([0-9,]+)\]", left).group(1).split(","))
    right = re.sub(r"x\[([0-9,]+)\]", lambda m: "X_" + m.group(1).replace(",", "_"), right)
    right = re.sub(r"w_\{(\d+),(\d+)\}", r"w_\1_\2", right).replace("·", "*")
    return cell, parse_expr(right, local_dict=dict(LETTERS), evaluate=True)


def _plain(value):
    return sp.Symbol(re.sub(r"w_\{(\d+),(\d+)\}", r"w_\1_\2", value.name)) \
        if isinstance(value, sp.Symbol) else value


def symconv_matrix(kernel, n, s=1, p=0, d=1, t=0, op=0):
    """symconv's matrix for the page's setting (kernel symbols renamed for the parser)."""
    kernel = [[_plain(v) for v in row] for row in kernel] if isinstance(kernel[0], list) \
        else [_plain(v) for v in kernel]
    if t:
        return sc.conv_transpose_matrix(kernel, n, stride=s, padding=p, output_padding=op, dilation=d)
    return sc.conv_matrix(kernel, n, stride=s, padding=p, dilation=d)


def expected_row(kernel, n, cell, s=1, p=0, d=1, t=0, op=0):
    """Row ``cell`` of symconv's matrix times a symbolic input ``X_i`` / ``X_i_j``."""
    M = symconv_matrix(kernel, n, s, p, d, t, op)
    shape = (n,) if isinstance(n, int) else tuple(n)
    row = cell[0] if len(shape) == 1 else cell[0] * _size(kernel, shape, s, p, d, t, op, axis=1) + cell[1]
    xs = [sp.Symbol("X_" + "_".join(map(str, idx))) for idx in _indices(shape)]
    return sp.expand((M[row, :] * sp.Matrix(xs))[0])


def _indices(shape):
    if len(shape) == 1:
        return [(i,) for i in range(shape[0])]
    return [(i, j) for i in range(shape[0]) for j in range(shape[1])]


def _pair(value, axis):
    if isinstance(value, (tuple, list)):
        return value[axis]
    return value


def _size(kernel, shape, s, p, d, t, op, axis):
    k = (len(kernel), len(kernel[0]))[axis] if isinstance(kernel[0], list) else len(kernel)
    args = dict(stride=_pair(s, axis), padding=_pair(p, axis), dilation=_pair(d, axis))
    if t:
        return sc.conv_transpose_output_size(shape[axis], k, output_padding=_pair(op, axis), **args)
    return sc.conv_output_size(shape[axis], k, **args)


# ---------------------------------------------------------------------------
# the page
# ---------------------------------------------------------------------------

def test_issue_example_1d(browser, site):
    load(browser, site, "?n=7&k=3&s=2&p=1&d=1&t=0")
    assert sizes_shown(browser) == [sc.conv_output_size(7, 3, stride=2, padding=1, dilation=1)] == [4]
    a, b, c = sp.symbols("a b c")
    for cell in (2, 0, 3):
        browser.find_element(By.ID, f"out-{cell}").click()
        got_cell, got = parse_formula(formula_of(browser))
        assert got_cell == (cell,)
        assert sp.expand(got - expected_row([a, b, c], 7, (cell,), s=2, p=1)) == 0
        assert f"c={cell}" in browser.execute_script("return location.search")
    assert formula_of(browser) == "y[3] = a·x[5] + b·x[6]"  # the last window runs into the padding
    # rendered by KaTeX, from the same LaTeX the page recorded
    box = browser.find_element(By.ID, "cell-formula")
    assert box.find_elements(By.CSS_SELECTOR, ".katex .katex-html")
    annotation = box.find_element(By.CSS_SELECTOR, "annotation").get_attribute("textContent")
    assert annotation == box.get_attribute("data-tex") == "y_{3} = a \\cdot x_{5} + b \\cdot x_{6}"
    assert browser.find_element(By.ID, "error").get_attribute("hidden") == "true"
    # the size formula with the numbers substituted ends in symconv's answer
    assert "= 4" in browser.find_element(By.CSS_SELECTOR, "#size-formula annotation").get_attribute("textContent")


def test_issue_example_2d(browser, site):
    load(browser, site, "?n=7x9&k=3&s=2&p=1&c=1,2")
    expected = [sc.conv_output_size(n, 3, stride=2, padding=1) for n in (7, 9)]
    assert sizes_shown(browser) == expected == [4, 5]
    formula = formula_of(browser)
    assert formula.startswith("y[1,2] = a·x[1,3] + b·x[1,4] + c·x[1,5] + d·x[2,3]")
    kernel = tables.kernel_values("letters", (3, 3))
    _, got = parse_formula(formula)
    assert sp.expand(got - expected_row(kernel, (7, 9), (1, 2), s=2, p=1)) == 0
    browser.find_element(By.ID, "out-3-4").click()
    _, got = parse_formula(formula_of(browser))
    assert sp.expand(got - expected_row(kernel, (7, 9), (3, 4), s=2, p=1)) == 0
    # the matrix view highlights that row: 4*5 rows, 7*9 columns
    row = browser.find_element(By.CSS_SELECTOR, "#matrix tr.selected")
    assert row.find_element(By.TAG_NAME, "th").text == "y[3,4]"
    assert len(row.find_elements(By.TAG_NAME, "td")) == 63
    M = symconv_matrix(kernel, (7, 9), s=2, p=1)
    assert [td.text for td in row.find_elements(By.CSS_SELECTOR, "td")] == [str(v) for v in M[3 * 5 + 4, :]]
    assert [td.text for td in row.find_elements(By.CSS_SELECTOR, "td.nz")] == ["a", "b", "d", "e"]


def test_transposed_with_output_padding(browser, site):
    load(browser, site, "?n=4&k=3&s=2&p=1&d=1&t=1&op=1")
    assert sizes_shown(browser) == [sc.conv_transpose_output_size(4, 3, stride=2, padding=1, output_padding=1)]
    a, b, c = sp.symbols("a b c")
    for cell in range(8):
        browser.find_element(By.ID, f"out-{cell}").click()
        _, got = parse_formula(formula_of(browser))
        assert sp.expand(got - expected_row([a, b, c], 4, (cell,), s=2, p=1, t=1, op=1)) == 0
    # the window is drawn over the zero-inserted input: x0 0 x1 0 x2 0 x3
    cells = browser.find_elements(By.CSS_SELECTOR, "#frame .cell")
    kinds = [("x" if "x" in c.get_attribute("class").split() else
              "z" if "inserted" in c.get_attribute("class") else "p") for c in cells]
    assert "".join(kinds) == "ppxzxzxzxppp"


def test_numeric_kernels(browser, site):
    load(browser, site, "?n=6x5&k=3&s=1&p=1&w=edge&c=2,0")
    sobel = [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]
    _, got = parse_formula(formula_of(browser))
    assert sp.expand(got - expected_row(sobel, (6, 5), (2, 0), p=1)) == 0
    load(browser, site, "?n=9&k=5&s=1&p=same&d=2&w=deriv&c=4")
    deriv = sc.derivative_kernel(1, accuracy=4).tolist()
    _, got = parse_formula(formula_of(browser))
    assert sp.expand(got - expected_row(deriv, 9, (4,), p="same", d=2)) == 0
    assert "1/12" in formula_of(browser)


def test_error_messages_are_symconvs(browser, site):
    cases = [("?n=2&k=5", lambda: sc.conv_output_size(2, 5)),
             ("?n=5&k=3&s=2&t=1&op=2", lambda: sc.conv_transpose_output_size(5, 3, stride=2, output_padding=2)),
             ("?n=7&k=3&s=2&p=same", lambda: sc.conv_output_size(7, 3, stride=2, padding="same")),
             ("?n=7x2&k=3x5", lambda: sc.conv_matrix([[0] * 5] * 3, (7, 2)))]
    for query, call in cases:
        with pytest.raises(SymconvError) as info:
            call()
        load(browser, site, query)
        assert text(browser, "error-message") == str(info.value), query
        assert browser.find_element(By.ID, "error").get_attribute("class") == "symconv"
        assert text(browser, "output-size") == "—"
        assert browser.find_element(By.ID, "cell-formula").get_attribute("data-formula") is None
    # outside the precomputed grid the page says so in its own words
    load(browser, site, "?n=40")
    assert browser.find_element(By.ID, "error").get_attribute("class") == "page"
    assert text(browser, "error-message") == \
        'n must be an integer from 1 to 16 on this page (the range symconv explore precomputed), but got "40"'


def test_slider_and_controls(browser, site):
    load(browser, site, "?n=7&k=3&s=2&p=1&d=1&t=0")
    slider = browser.find_element(By.ID, "k-0")
    slider.send_keys(Keys.ARROW_RIGHT)
    assert slider.get_attribute("value") == "4"
    assert sizes_shown(browser) == [sc.conv_output_size(7, 4, stride=2, padding=1)]
    assert "k=4" in browser.execute_script("return location.search")
    browser.find_element(By.ID, "n-0").send_keys(Keys.ARROW_LEFT, Keys.ARROW_LEFT)  # n = 5
    assert sizes_shown(browser) == [sc.conv_output_size(5, 4, stride=2, padding=1)]
    browser.find_element(By.ID, "transposed").click()
    assert sizes_shown(browser) == [sc.conv_transpose_output_size(5, 4, stride=2, padding=1)]
    browser.find_element(By.ID, "op-0").send_keys(Keys.ARROW_RIGHT)
    assert sizes_shown(browser) == [sc.conv_transpose_output_size(5, 4, stride=2, padding=1, output_padding=1)]
    # the shared link reloads the same state
    link = browser.find_element(By.ID, "share").get_attribute("href")
    browser.get(link)
    assert sizes_shown(browser) == [sc.conv_transpose_output_size(5, 4, stride=2, padding=1, output_padding=1)]
    # the animation steps the selected cell
    load(browser, site, "?n=7&k=3&c=0")
    browser.find_element(By.ID, "play").click()
    deadline = time.time() + 5
    while formula_of(browser).startswith("y[0]") and time.time() < deadline:
        time.sleep(0.1)
    browser.find_element(By.ID, "play").click()
    assert not formula_of(browser).startswith("y[0]")


def test_page_rule_against_symconv_on_the_grid(browser, site):
    """The page's own lookups (window.symconvExplorer) for every 1-D setting, and formulas
    for a sample of 1-D and 2-D settings, against symconv computed here."""
    load(browser, site)
    grid = tables.GRID
    queries, expected = [], []
    for t, op in [(0, 0)] + [(1, o) for o in grid["op"]]:
        for n in grid["n"]:
            for k in grid["k"]:
                for s in grid["s"]:
                    for p in grid["p"]:
                        for d in grid["d"]:
                            queries.append(f"?n={n}&k={k}&s={s}&p={p}&d={d}&t={t}&op={op}")
                            try:
                                if t:
                                    size = sc.conv_transpose_output_size(n, k, stride=s, padding=p,
                                                                         output_padding=op, dilation=d)
                                else:
                                    size = sc.conv_output_size(n, k, stride=s, padding=p, dilation=d)
                                expected.append({"sizes": [size], "error": None})
                            except SymconvError as exc:
                                expected.append({"sizes": None, "error": str(exc)})
    got = browser.execute_script(
        "return arguments[0].map(function (q) { var r = window.symconvExplorer.check(q);"
        " return {sizes: r.sizes, error: r.error}; });", queries)
    assert len(got) == len(expected) == 14400
    mismatches = [(q, g, e) for q, g, e in zip(queries, got, expected) if g != e]
    assert not mismatches, mismatches[:3]

    rng = random.Random(2024)
    samples = []
    for _ in range(160):
        dims = rng.choice((1, 2))
        pick = {name: [rng.choice(grid[name]) for _ in range(dims)] for name in ("n", "k", "s", "p", "d", "op")}
        kind = rng.choice(("letters", "letters", "edge", "deriv"))
        if kind == "deriv" and dims == 2:
            pick["k"][0] = 1
        samples.append((dims, pick, rng.randrange(2), kind))
    checked = 0
    for dims, pick, t, kind in samples:
        query = "?" + "&".join(f"{name}={'x'.join(map(str, values))}" for name, values in pick.items())
        query += f"&t={t}&w={kind}"
        n, k = tuple(pick["n"]), tuple(pick["k"])
        args = {name: (tuple(pick[name]) if dims == 2 else pick[name][0]) for name in ("s", "d", "op")}
        padding = tuple((v, v) if v != "same" else "same" for v in pick["p"]) if dims == 2 else pick["p"][0]
        try:
            kernel = tables.kernel_values(kind, k)
            if dims == 2 and "same" in pick["p"]:
                continue  # conv_matrix takes 'same' for all axes or none; covered in 1-D
            if t:
                M = sc.conv_transpose_matrix(kernel, n if dims == 2 else n[0], stride=args["s"],
                                             padding=padding, output_padding=args["op"],
                                             dilation=args["d"])
            else:
                M = sc.conv_matrix(kernel, n if dims == 2 else n[0], stride=args["s"],
                                   padding=padding, dilation=args["d"])
        except SymconvError:
            continue
        p_arg = tuple(pick["p"]) if dims == 2 else pick["p"][0]
        sizes = [M.rows] if dims == 1 else \
            [_size(kernel, n, args["s"], p_arg, args["d"], t, args["op"], axis=a) for a in range(2)]
        cell = [rng.randrange(v) for v in sizes]
        result = browser.execute_script("return window.symconvExplorer.check(arguments[0], arguments[1]);",
                                         query, cell)
        assert result["sizes"] == sizes, query
        got_cell, got = parse_formula(result["formula"])
        row = cell[0] * sizes[1] + cell[1] if dims == 2 else cell[0]
        xs = [sp.Symbol("X_" + "_".join(map(str, idx))) for idx in _indices(n)]
        kernel_plain = M[row, :].applyfunc(_plain)
        assert sp.expand(got - (kernel_plain * sp.Matrix(xs))[0]) == 0, (query, cell)
        checked += 1
    assert checked > 60


def test_offline_screenshot_and_console(browser, site, tmp_path):
    browser.get_log("performance")  # drop what came before
    browser.get_log("browser")
    load(browser, site, "?n=7x9&k=3&s=2&p=1&c=1,2")
    browser.execute_async_script("document.fonts.ready.then(arguments[arguments.length - 1]);")
    requests = [json.loads(entry["message"])["message"] for entry in browser.get_log("performance")]
    urls = [m["params"]["request"]["url"] for m in requests if m["method"] == "Network.requestWillBeSent"]
    assert any(u.endswith("/katex/katex.min.js") for u in urls)
    outside = [u for u in urls if not u.startswith(("file:", "data:", "chrome:", "about:"))]
    assert outside == []
    fonts = browser.execute_script(
        "return Array.from(document.fonts).filter(function (f) { return f.status !== 'unloaded'; })"
        ".map(function (f) { return [f.family, f.status]; });")
    assert fonts and all(status == "loaded" for _family, status in fonts), fonts
    severe = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert severe == []

    png = browser.get_screenshot_as_png()
    (tmp_path / "explorer.png").write_bytes(png)
    if os.environ.get("SYMCONV_EXPLORE_SCREENSHOT"):
        with open(os.environ["SYMCONV_EXPLORE_SCREENSHOT"], "wb") as handle:
            handle.write(png)
    # decode the screenshot with the browser's own PNG decoder: luminance spread and colours
    stats = browser.execute_async_script("""
        var done = arguments[arguments.length - 1], img = new Image();
        img.onload = function () {
          var c = document.createElement('canvas'); c.width = img.width; c.height = img.height;
          var g = c.getContext('2d'); g.drawImage(img, 0, 0);
          var px = g.getImageData(0, 0, c.width, c.height).data, n = 0, sum = 0, sq = 0, colours = {};
          for (var i = 0; i < px.length; i += 16) {
            var y = 0.299 * px[i] + 0.587 * px[i + 1] + 0.114 * px[i + 2];
            n++; sum += y; sq += y * y; colours[(px[i] >> 4) + ',' + (px[i + 1] >> 4) + ',' + (px[i + 2] >> 4)] = 1;
          }
          var mean = sum / n;
          done({width: c.width, height: c.height, std: Math.sqrt(sq / n - mean * mean),
                colours: Object.keys(colours).length});
        };
        img.src = 'data:image/png;base64,' + arguments[0];
    """, base64.b64encode(png).decode())
    assert stats["width"] >= 800 and stats["height"] >= 800
    assert stats["std"] > 15 and stats["colours"] > 20, stats
