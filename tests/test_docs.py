"""The documentation cannot go stale: every example runs, the site builds strictly.

* Every ``pycon`` block of the docs pages written for symconv (the getting-started page,
  the tutorials, the comparison page, ...) is run as one doctest per page (blocks of a
  page share their names), with ELLIPSIS and NORMALIZE_WHITESPACE; numbers at rounding
  noise level (``|x| < 1e-10`` printed in scientific notation) compare equal.
* Every ``console`` block is run: ``$ symconv ...`` lines are executed (as
  ``python -m symconv ...``) in a scratch directory holding the page's files (fenced
  blocks with a ``title="name"``), and their output must match (a line ``...`` matches
  any lines).
* ``docs/tutorial.ipynb`` is executed with nbclient and its fresh outputs must equal the
  outputs stored in the notebook (the ones the site shows).
* ``mkdocs build --strict`` builds the site into a temporary directory: warnings
  (broken links, missing anchors, docstrings that do not render) are errors.

Refresh the stored outputs after a deliberate change with
``python tests/test_docs.py --refresh docs/tutorials/signals.md`` (rewrites the pycon
outputs of a page with what the code prints now) or ``--refresh-notebook``; review the
diff before committing it.
"""

import doctest
import importlib.util
import json
import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
NOTEBOOK = DOCS / "tutorial.ipynb"
# pages owned by other helpers (their examples are theirs to keep running)
OTHERS = {"benchmarks.md", "answer-keys.md", "conventions.md"}

FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<ticks>```+)(?P<info>[^\n`]*)\n(?P<body>.*?)^(?P=indent)(?P=ticks)[ \t]*$",
                   re.S | re.M)
TINY = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?e-(?:1\d|[2-9]\d|\d{3})\b")


def our_pages():
    return sorted(p for p in DOCS.rglob("*.md") if p.relative_to(DOCS).as_posix() not in OTHERS)


def fences(text):
    """(info string, body) of every fenced block, in order."""
    out = []
    for m in FENCE.finditer(text):
        indent = m.group("indent")
        body = m.group("body")
        if indent:
            body = "\n".join(line[len(indent):] if line.startswith(indent) else line
                             for line in body.split("\n"))
        out.append((m.group("info").strip(), body))
    return out


def fence_title(info):
    m = re.search(r'title="([^"]+)"', info)
    return m.group(1) if m else None


def normalise(text):
    """Rounding-noise numbers (printed like 4.07e-20) all read as <tiny>."""
    return TINY.sub("<tiny>", text)


class _Checker(doctest.OutputChecker):
    def check_output(self, want, got, optionflags):
        return super().check_output(normalise(want), normalise(got), optionflags)


def pycon_source(page):
    return "\n".join(body for info, body in fences(page.read_text(encoding="utf-8"))
                     if info.split()[:1] == ["pycon"])


def console_blocks(page):
    return [body for info, body in fences(page.read_text(encoding="utf-8"))
            if info.split()[:1] == ["console"]]


def page_files(page):
    return {fence_title(info): body for info, body in fences(page.read_text(encoding="utf-8"))
            if fence_title(info)}


EXAMPLE_PAGES = [p for p in our_pages() if pycon_source(p).strip() or console_blocks(p)]


def _ids(pages):
    return [p.relative_to(DOCS).as_posix() for p in pages]


def _lines_match(want, got):
    """``want`` lines against ``got`` lines; a want line '...' matches any run of lines."""
    if not want:
        return not got
    if want[0].strip() == "...":
        return any(_lines_match(want[1:], got[i:]) for i in range(len(got) + 1))
    if not got:
        return False
    pattern = re.escape(normalise(want[0].rstrip())).replace(re.escape("..."), ".*")
    return re.fullmatch(pattern, normalise(got[0].rstrip())) is not None and \
        _lines_match(want[1:], got[1:])


def _console_steps(block):
    steps = []
    for line in block.split("\n"):
        if line.startswith("$ "):
            steps.append((line[2:], []))
        elif steps:
            steps[-1][1].append(line)
    for _command, want in steps:
        while want and not want[-1].strip():
            want.pop()
    return steps


def _run_command(command, cwd):
    """Run ``symconv ARGS`` in this process (``symconv.cli.main``), in directory ``cwd``.

    In-process saves an interpreter start per example; the code path is the command's
    own (argument parsing, the command module, error handling), exactly as typed.
    """
    import contextlib
    import io

    from symconv.cli import main

    argv = shlex.split(command)
    if argv[0] != "symconv":
        raise AssertionError(f"console examples may only run symconv, not {command!r}")
    buffer = io.StringIO()
    here = os.getcwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
            try:
                code = main(argv[1:])
            except SystemExit as exc:       # --help and argparse errors
                code = exc.code
    finally:
        os.chdir(here)
    return code, buffer.getvalue()


@pytest.mark.parametrize("page", EXAMPLE_PAGES, ids=_ids(EXAMPLE_PAGES))
def test_page_examples_run(page, tmp_path, monkeypatch):
    """The page's pycon and console blocks, in page order, in one scratch directory."""
    monkeypatch.chdir(tmp_path)
    blocks = fences(page.read_text(encoding="utf-8"))
    for info, body in blocks:
        if fence_title(info):
            (tmp_path / fence_title(info)).write_text(body, encoding="utf-8")
    globs = {"__name__": "__docs__"}
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(checker=_Checker(), optionflags=doctest.ELLIPSIS
                                   | doctest.NORMALIZE_WHITESPACE)
    ran = 0
    for number, (info, body) in enumerate(blocks):
        kind = info.split()[:1]
        if kind == ["pycon"]:
            test = parser.get_doctest(body, globs, f"{page.name} block {number}", str(page), 0)
            report = []
            runner.run(test, out=report.append, clear_globs=False)
            globs.update(test.globs)   # get_doctest copied them: carry the names on
            assert runner.failures == 0, "".join(report)
            ran += len(test.examples)
        elif kind == ["console"]:
            for command, want in _console_steps(body):
                code, got = _run_command(command, tmp_path)
                got_lines = got.rstrip("\n").split("\n") if got.strip() else []
                assert _lines_match(want, got_lines), (
                    f"{page.name}: $ {command}\n--- expected\n" + "\n".join(want)
                    + f"\n--- got (exit status {code})\n" + got)
                ran += 1
    assert ran


# --------------------------------------------------------------------------- the notebook

def _cell_outputs(cell):
    """Comparable outputs of a code cell: stream text and the plain/latex/html data.

    Consecutive stream chunks are merged (how output is chunked depends on flushes) and
    rounding-noise numbers are normalised.
    """
    out = []
    for o in cell.get("outputs", []):
        kind = o["output_type"]
        if kind == "stream":
            text = "".join(o["text"]) if isinstance(o["text"], list) else o["text"]
            if out and out[-1][:2] == ("stream", o["name"]):
                out[-1] = ("stream", o["name"], out[-1][2] + text)
            else:
                out.append(("stream", o["name"], text))
        elif kind in ("execute_result", "display_data"):
            data = o.get("data", {})
            out.append((kind, tuple(sorted(
                (mime, normalise("".join(v) if isinstance(v, list) else v))
                for mime, v in data.items() if mime in ("text/plain", "text/latex", "text/html")))))
        elif kind == "error":
            out.append(("error", o["ename"], o["evalue"]))
    return [("stream", o[1], normalise(o[2])) if o[0] == "stream" else o for o in out]


def execute_notebook(path=NOTEBOOK, timeout=120):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                     record_timing=False,
                                     resources={"metadata": {"path": str(ROOT)}})
    client.execute()
    return nb


def test_notebook_outputs_are_current():
    stored = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    t0 = time.perf_counter()
    fresh = execute_notebook()
    seconds = time.perf_counter() - t0
    old_cells = [c for c in stored["cells"] if c["cell_type"] == "code"]
    new_cells = [c for c in fresh["cells"] if c["cell_type"] == "code"]
    assert len(old_cells) == len(new_cells) >= 8
    for i, (old, new) in enumerate(zip(old_cells, new_cells)):
        assert not any(o["output_type"] == "error" for o in new.get("outputs", [])), \
            f"code cell {i} raised:\n{new['outputs']}"
        assert _cell_outputs(new) == _cell_outputs(old), (
            f"code cell {i} ({''.join(old['source'])[:60]!r}) prints something else now; "
            "refresh with: python tests/test_docs.py --refresh-notebook")
    assert seconds < 60, f"the notebook took {seconds:.0f} s; keep it under ~30 s"


def test_notebook_tours_the_promised_topics():
    source = "\n".join("".join(c["source"]) for c in
                       json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"])
    for needle in ("verify=True", "infer_shapes", "conv_matrix", "theorem(", "grade(",
                   "explain("):
        assert needle in source, needle


# --------------------------------------------------------------------------- the site

def _load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_docstring_rewriting_for_markdown():
    pytest.importorskip("griffe")
    rewrite = _load(DOCS / "griffe_docstrings.py", "griffe_docstrings").rewrite
    text = ("Intro::\n\n    x = 1\n\n>>> [1, 2][0]\n1\n\nSee :func:`~symconv.nn.shapes.conv_output_size`"
            " and :class:`symconv.proofs.Derivation`.\n\n.. math:: a = b\n   + c\n\nEnd.")
    out = rewrite(text)
    assert "Intro:\n" in out and "Intro::" not in out
    assert "```pycon\n>>> [1, 2][0]\n1\n```" in out
    assert "`conv_output_size`" in out and "`symconv.proofs.Derivation`" in out
    assert "\\[\na = b\n+ c\n\\]" in out
    assert out.endswith("End.")
    fenced = "```python\n>>> not touched\n```"
    assert rewrite(fenced) == fenced
    table = ("=====  =================\nname   meaning\n=====  =================\n"
             "u      the unit step, value\n       1/2 at 0\nrect   a | box\n"
             "=====  =================\n\nAfter.")
    deflist = ("Statuses\n--------\ncorrect\n    full points,\n    no doubt.\npartial\n    some.\n\n"
               "Parameters\n----------\nx : int\n    kept for Griffe.")
    assert rewrite(deflist) == ("Statuses\n--------\n- **correct**: full points, no doubt.\n"
                                "- **partial**: some.\n\nParameters\n----------\nx : int\n"
                                "    kept for Griffe.")
    assert rewrite(table) == ("| name | meaning |\n|---|---|\n"
                              "| u | the unit step, value 1/2 at 0 |\n| rect | a \\| box |\n\nAfter.")


def test_notebook_page_shows_every_cell():
    hooks = _load(DOCS / "hooks.py", "docs_hooks")
    notebook = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    page = hooks.notebook_markdown(notebook)
    for cell in notebook["cells"]:
        assert "".join(cell["source"]).strip() in page


def test_every_public_module_has_an_api_page():
    import symconv

    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    public = ["signals", "signals.continuous", "signals.discrete", "numeric", "nn.shapes",
              "nn.layers", "nn.matrix", "nn.kernels", "nn.architectures", "proofs",
              "proofs.theorems", "proofs.reindex", "verify", "latex", "parsing", "grading",
              "explain", "errors"]
    for name in public:
        page = DOCS / "api" / f"{name.replace('.', '-')}.md"
        if name == "nn.architectures":
            page = DOCS / "api" / "architectures.md"   # documented under its public name
        assert page.exists() and f"::: symconv.{name}" in page.read_text(encoding="utf-8")
        assert f"api/{page.name}" in config
    assert "::: exercises" in (DOCS / "api" / "exercises.md").read_text(encoding="utf-8")
    assert "api/exercises.md" in config
    index = (DOCS / "api" / "index.md").read_text(encoding="utf-8")
    for name in symconv.__all__:
        assert f"`{name}`" in index, f"api/index.md does not mention {name}"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    pytest.importorskip("mkdocs")
    pytest.importorskip("mkdocstrings")
    out = tmp_path_factory.mktemp("site")
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir",
                           str(out), "--config-file", str(ROOT / "mkdocs.yml")],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    return proc, out


def test_site_builds_with_warnings_as_errors(site):
    proc, out = site
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "WARNING" not in proc.stderr, proc.stderr
    for page in ("index.html", "getting-started/index.html", "tutorial-notebook/index.html",
                 "api/verify/index.html", "comparison/index.html", "tutorial.ipynb"):
        assert (out / page).exists(), page


def test_site_quickstart_is_the_readme_quickstart(site):
    proc, out = site
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quickstart", 1)[1]
    commands = next(body for info, body in fences(section) if info.startswith("bash"))
    import html

    page = html.unescape(re.sub(r"<[^>]+>", "", (out / "getting-started" / "index.html")
                                .read_text(encoding="utf-8")))
    for line in commands.strip().splitlines():
        assert line.strip() in page, line


def test_api_pages_render_docstrings(site):
    proc, out = site
    text = (out / "api" / "verify" / "index.html").read_text(encoding="utf-8")
    assert 'id="symconv.verify.checked.conv"' in text and "Heaviside" in text
    assert 'class="arithmatex"' in text          # the .. math:: directives became math


def _tags(html, name):
    return re.findall(r"<" + name + r"\b[^>]*>", html)


def _attr(tag, name):
    found = re.search(r"\b" + name + r"\s*=\s*[\"']([^\"']*)[\"']", tag)
    return found.group(1) if found else None


def _is_external(url):
    return url is not None and re.match(r"(?i)(https?:)?//", url.strip()) is not None


def test_site_loads_nothing_from_the_network(site):
    """Offline, every page works: no script, style sheet or font comes from another host."""
    proc, out = site
    assert proc.returncode == 0, proc.stderr
    external = []
    for page in sorted(out.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        for tag in _tags(html, "script") + _tags(html, "img") + _tags(html, "iframe"):
            if _is_external(_attr(tag, "src")):
                external.append((page.relative_to(out), tag))
        for tag in _tags(html, "link"):
            rel = (_attr(tag, "rel") or "").lower()
            if any(r in rel for r in ("stylesheet", "preload", "icon", "modulepreload")) \
                    and _is_external(_attr(tag, "href")):
                external.append((page.relative_to(out), tag))
        assert "mathjax" not in html.lower(), page
    for sheet in sorted(out.rglob("*.css")):
        css = sheet.read_text(encoding="utf-8", errors="replace")
        for url in re.findall(r"(?:url\(|@import\s+)\s*[\"']?([^\"')\s;]+)", css):
            if _is_external(url):
                external.append((sheet.relative_to(out), url))
    assert external == [], external


def test_math_pages_use_the_bundled_katex(site):
    """Pages with math load KaTeX from the site, and the site serves the pinned files."""
    import hashlib

    proc, out = site
    katex = ROOT / "symconv" / "explore" / "vendor" / "katex"
    manifest = json.loads((katex / "MANIFEST.json").read_text(encoding="utf-8"))
    for name, digest in manifest["sha256"].items():
        served = out / "js" / "katex" / name
        assert served.is_file(), name
        assert hashlib.sha256(served.read_bytes()).hexdigest() == digest, name
    math_pages = [p for p in sorted(out.rglob("*.html"))
                  if 'class="arithmatex"' in p.read_text(encoding="utf-8")]
    assert len(math_pages) >= 5, math_pages
    for page in math_pages:
        html = page.read_text(encoding="utf-8")
        scripts = [(page.parent / _attr(t, "src")).resolve() for t in _tags(html, "script")
                   if _attr(t, "src")]
        sheets = [(page.parent / _attr(t, "href")).resolve() for t in _tags(html, "link")
                  if "stylesheet" in (_attr(t, "rel") or "")]
        for wanted, found in (("js/katex/katex.min.js", scripts), ("js/katex-render.js", scripts),
                              ("js/katex/katex.min.css", sheets)):
            target = (out / wanted).resolve()
            assert target in found and target.is_file(), (page, wanted)
        # the renderer runs after KaTeX is loaded
        assert scripts.index((out / "js/katex-render.js").resolve()) \
            > scripts.index((out / "js/katex/katex.min.js").resolve())


def test_every_formula_of_the_site_renders_with_the_bundled_katex(site, tmp_path):
    """Each formula of the site, as js/katex-render.js hands it over, is read by KaTeX
    without an error (run with Node.js; skipped without it)."""
    import shutil

    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed: formulas not rendered")
    proc, out = site
    script = tmp_path / "check.js"
    script.write_text(r"""
const fs = require("fs"), path = require("path");
const katex = require(process.argv[2]);
let count = 0; const bad = [];
const unescape = s => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"')
  .replace(/&#39;/g, "'").replace(/&amp;/g, "&");
function walk(dir) {
  for (const f of fs.readdirSync(dir)) {
    const p = path.join(dir, f);
    if (fs.statSync(p).isDirectory()) walk(p);
    else if (p.endsWith(".html")) check(p);
  }
}
function check(p) {
  const html = fs.readFileSync(p, "utf8");
  const re = /<(span|div) class="arithmatex">([\s\S]*?)<\/\1>/g;
  let m;
  while ((m = re.exec(html))) {
    let tex = unescape(m[2]).trim(), display = m[1] === "div";
    if (tex.startsWith("\\(") || tex.startsWith("\\[")) { display = tex[1] === "["; tex = tex.slice(2, -2); }
    count++;
    try { katex.renderToString(tex, {displayMode: display, throwOnError: true}); }
    catch (e) { bad.push(p + ": " + tex.slice(0, 80) + ": " + e.message.slice(0, 120)); }
  }
}
walk(process.argv[3]);
console.log(JSON.stringify({count, bad}));
""", encoding="utf-8")
    run = subprocess.run([node, str(script), str(out / "js" / "katex" / "katex.min.js"), str(out)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["count"] >= 20 and result["bad"] == [], result


# --------------------------------------------------------------------------- refreshing

def _refresh_page(path):
    """Rewrite the expected output of every pycon example of a page with the actual one."""
    import contextlib
    import io

    text = path.read_text(encoding="utf-8")
    globs = {"__name__": "__docs__"}
    parser = doctest.DocTestParser()
    cwd = os.getcwd()
    os.chdir(ROOT)

    def run(example):
        buffer = io.StringIO()
        shown = []

        def hook(value):
            if value is not None:
                shown.append(repr(value))

        old = sys.displayhook
        sys.displayhook = hook
        try:
            with contextlib.redirect_stdout(buffer):
                exec(compile(example.source, "<docs>", "single"), globs)
        except Exception as exc:   # shown as doctest shows it
            return buffer.getvalue() + "Traceback (most recent call last):\n    ...\n" + \
                "".join(__import__("traceback").format_exception_only(type(exc), exc))
        finally:
            sys.displayhook = old
        return buffer.getvalue() + "".join(s + "\n" for s in shown)

    def render(block):
        out = []
        for ex in parser.get_examples(block):
            src = ex.source.rstrip("\n").split("\n")
            out.append(">>> " + src[0])
            out += ["... " + line for line in src[1:]]
            got = run(ex)
            out += got.rstrip("\n").split("\n") if got.strip() else []
        return "\n".join(out) + "\n"

    def replace(m):
        if m.group("info").strip().split()[:1] != ["pycon"]:
            return m.group(0)
        return f"{m.group('indent')}{m.group('ticks')}{m.group('info')}\n{render(m.group('body'))}" \
               f"{m.group('indent')}{m.group('ticks')}"

    try:
        path.write_text(FENCE.sub(replace, text), encoding="utf-8")
    finally:
        os.chdir(cwd)


def _refresh_notebook():
    import nbformat

    nb = execute_notebook()
    for cell in nb.cells:
        cell.metadata.pop("execution", None)      # timestamps would make every refresh a diff
    nbformat.write(nb, NOTEBOOK)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--refresh"]:
        for name in sys.argv[2:]:
            _refresh_page(Path(name).resolve())
    elif sys.argv[1:2] == ["--refresh-notebook"]:
        _refresh_notebook()
    else:
        sys.exit(__doc__)


def test_site_shows_the_figures_its_pages_make(site):
    """Every figure marker became an image of an SVG drawn at build time from the page's
    own code; getting started opens with one."""
    import xml.etree.ElementTree as ET

    sys.path.insert(0, str(DOCS))
    try:
        import hooks
    finally:
        sys.path.remove(str(DOCS))
    proc, out = site
    assert proc.returncode == 0, proc.stdout + proc.stderr
    found = 0
    for page in our_pages():
        text = page.read_text(encoding="utf-8")
        markers = list(hooks.FIGURE_MARKER.finditer(text))
        rel = page.relative_to(DOCS).as_posix()
        html_page = out / rel.replace(".md", "") / "index.html" if rel != "index.md" \
            else out / "index.html"
        shown = html_page.read_text(encoding="utf-8") if markers else ""
        for k, marker in enumerate(markers, start=1):
            svg = out / hooks.figure_path(rel, k)
            root = ET.fromstring(svg.read_bytes())          # a well-formed SVG document
            assert root.tag.endswith("svg") and len(root.iter().__next__()) > 0
            assert f'{Path(hooks.figure_path(rel, k)).name}"' in shown, (rel, k)
            assert "<!-- figure:" not in shown
            found += 1
    assert found >= 9
    start = (out / "getting-started" / "index.html").read_text(encoding="utf-8")
    body = start.split('role="main"', 1)[-1]
    assert body.index("<img") < body.index("Install"), "getting started opens with a figure"


def test_figure_markers_run_the_code_above_them():
    sys.path.insert(0, str(DOCS))
    try:
        import hooks
    finally:
        sys.path.remove(str(DOCS))
    page = ("```pycon\n>>> from symconv.plot import plot_kernel\n"
            ">>> fig = plot_kernel([1, -2, 1])\n```\n\n<!-- figure: fig | a stencil -->\n\n"
            "<!-- figure: nothing | not a figure -->\n")
    with pytest.raises(ValueError, match="names 'nothing', which must hold a matplotlib Figure"):
        hooks.page_figures(page, "demo.md")
    (svg, caption), = hooks.page_figures(page.rsplit("<!-- figure: nothing", 1)[0], "demo.md")
    assert svg.startswith(b"<?xml") and b"<svg" in svg and caption == "a stencil"
