"""MkDocs hooks for the symconv site (``hooks:`` in mkdocs.yml).

* ``docs/tutorial.ipynb`` is the tutorial notebook; the test suite executes it and checks
  that its stored outputs are exactly what a fresh run produces. :func:`on_files` renders
  that notebook (its cells and stored outputs) as the page ``tutorial-notebook.md``, so
  the site shows the same tour without needing a notebook plugin.
* The Quickstart commands live in ``README.md``. A page that contains the marker
  ``<!-- quickstart -->`` gets the README's Quickstart code block in its place
  (:func:`on_page_markdown`), so the site and the README can never disagree.
* Figures are drawn from the pages' own code: a page with markers
  ``<!-- figure: NAME | caption -->`` has its ``pycon`` examples run (in order, as the
  tests run them) up to each marker, and the matplotlib figure then held by ``NAME`` is
  written as ``figures/<page>-<k>.svg`` next to the page (:func:`on_files`) and shown
  with its caption in place of the marker (:func:`on_page_markdown`); a marker above
  the code that makes its figure (a page opening with a picture) gets the figure that
  name holds after all of the page's examples. The pictures are
  made at every build, so they cannot drift from the code shown above them.
* Math is typeset by KaTeX served from the site, so pages work offline: :func:`on_files`
  adds the pinned copy that the explorer vendors (``symconv/explore/vendor/katex/``,
  checked against its ``MANIFEST.json``) as ``js/katex/``, which ``mkdocs.yml`` loads
  together with ``js/katex-render.js``. Nothing is duplicated in git.
* :func:`on_post_build` writes the interactive explorer (``symconv explore``) into the
  site's ``explore/`` folder, which ``explorer.md`` links to.
"""

import contextlib
import io
import json
import os
import re

from mkdocs.structure.files import File

NOTEBOOK = "tutorial.ipynb"
PAGE = "tutorial-notebook.md"


def _text(value):
    return "".join(value) if isinstance(value, list) else value


def _fence(text, lang=""):
    text = text.rstrip("\n")
    ticks = "```"
    while ticks in text:
        ticks += "`"
    return f"{ticks}{lang}\n{text}\n{ticks}"


def _output(out):
    kind = out.get("output_type")
    if kind == "stream":
        return _fence(_text(out["text"]), "text")
    if kind == "error":
        return _fence(f"{out['ename']}: {out['evalue']}", "text")
    data = out.get("data", {})
    if "text/html" in data:
        return '<div class="nb-output">' + _text(data["text/html"]) + "</div>"
    if "text/latex" in data:
        tex = _text(data["text/latex"]).strip()
        for left, right in (("$$", "$$"), ("$", "$")):
            if tex.startswith(left) and tex.endswith(right):
                tex = tex[len(left):-len(right)]
                break
        return "\\[\n" + tex.replace("\\displaystyle", "").strip() + "\n\\]"
    if "text/plain" in data:
        return _fence(_text(data["text/plain"]), "text")
    return ""


def notebook_markdown(notebook):
    """The notebook (a parsed .ipynb mapping) as one Markdown page."""
    parts = ["<!-- generated from docs/tutorial.ipynb by docs/hooks.py; edit the notebook -->",
             "",
             "!!! note",
             f"    This page is the notebook [`{NOTEBOOK}`]({NOTEBOOK}) (download it to run it "
             "yourself). The test suite executes it on every run and checks that the outputs "
             "shown here are exactly what a fresh run prints.",
             ""]
    for cell in notebook["cells"]:
        source = _text(cell.get("source", ""))
        if cell["cell_type"] == "markdown":
            parts += [source, ""]
        elif cell["cell_type"] == "code":
            parts += [_fence(source, "python"), ""]
            for out in cell.get("outputs", []):
                rendered = _output(out)
                if rendered:
                    parts += [rendered, ""]
    return "\n".join(parts)


FIGURE_MARKER = re.compile(r"<!--\s*figure:\s*(?P<name>[A-Za-z_]\w*)\s*\|\s*(?P<caption>.*?)\s*-->")
PYCON = re.compile(r"^```pycon[^\n]*\n(?P<body>.*?)^```[ \t]*$", re.S | re.M)
#: page source path (relative to docs/) -> [(figure path relative to docs/, caption)]
_FIGURES = {}


def figure_path(page_uri, index):
    """Where figure ``index`` (from 1) of a page goes, relative to docs/."""
    folder, name = os.path.split(page_uri)
    stem = os.path.splitext(name)[0]
    return os.path.join(folder, "figures", f"{stem}-{index}.svg").replace(os.sep, "/")


def page_figures(text, origin="<page>"):
    """Run a page's ``pycon`` examples in order and collect, at each figure marker, the
    figure held by the marked name: ``[(svg bytes, caption), ...]``.

    Examples run one by one in a fresh namespace, as doctest would run them; an example
    that raises (a page may show an error on purpose) is skipped here, since the test
    suite checks every output. A marked name that holds no figure is an error."""
    import doctest

    from symconv.plot import figure_bytes

    parser = doctest.DocTestParser()
    namespace = {"__name__": "__docs__"}
    done = 0
    out = []
    for marker in FIGURE_MARKER.finditer(text):
        for block in PYCON.finditer(text, done, marker.start()):
            for example in parser.get_examples(block.group("body")):
                try:
                    with contextlib.redirect_stdout(io.StringIO()):
                        exec(compile(example.source, origin, "exec"), namespace)
                except Exception:  # noqa: BLE001  (outputs are the tests' business)
                    pass
        done = marker.end()
        fig = namespace.get(marker.group("name"))
        if not hasattr(fig, "savefig"):
            # a marker may show a figure that the code further down makes (a page that
            # opens with a picture): run the rest of the page's examples, then look again
            for block in PYCON.finditer(text, done):
                for example in parser.get_examples(block.group("body")):
                    try:
                        with contextlib.redirect_stdout(io.StringIO()):
                            exec(compile(example.source, origin, "exec"), namespace)
                    except Exception:  # noqa: BLE001
                        pass
            done = len(text)
            fig = namespace.get(marker.group("name"))
        if not hasattr(fig, "savefig"):
            raise ValueError(f"{origin}: the figure marker names {marker.group('name')!r}, "
                             f"which must hold a matplotlib Figure after the examples above "
                             f"it, but holds {type(fig).__name__}")
        out.append((figure_bytes(fig, "svg"), marker.group("caption")))
    return out


KATEX_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                         "symconv", "explore", "vendor", "katex")
KATEX_URI = "js/katex"


def katex_files():
    """``{path inside js/katex/: absolute source path}`` of the vendored KaTeX, each file
    checked against the sha256 that ``MANIFEST.json`` records (a mismatch is an error:
    the site must serve exactly the pinned release)."""
    import hashlib

    with open(os.path.join(KATEX_DIR, "MANIFEST.json"), encoding="utf-8") as handle:
        manifest = json.load(handle)
    out = {}
    for name, digest in sorted(manifest["sha256"].items()):
        source = os.path.join(KATEX_DIR, *name.split("/"))
        with open(source, "rb") as handle:
            actual = hashlib.sha256(handle.read()).hexdigest()
        if actual != digest:
            raise ValueError(f"{source} has sha256 {actual}, but MANIFEST.json records {digest}")
        out[name] = source
    return out


def on_files(files, config):
    for name, source in katex_files().items():
        files.append(File.generated(config, f"{KATEX_URI}/{name}", abs_src_path=source))
    path = os.path.join(config["docs_dir"], NOTEBOOK)
    with open(path, encoding="utf-8") as handle:
        notebook = json.load(handle)
    files.append(File.generated(config, PAGE, content=notebook_markdown(notebook)))
    _FIGURES.clear()
    for page in list(files.documentation_pages()):
        if page.abs_src_path is None:
            continue
        with open(page.abs_src_path, encoding="utf-8") as handle:
            text = handle.read()
        if not FIGURE_MARKER.search(text):
            continue
        entries = []
        for index, (svg, caption) in enumerate(page_figures(text, page.src_uri), start=1):
            target = figure_path(page.src_uri, index)
            files.append(File.generated(config, target, content=svg))
            entries.append((target, caption))
        _FIGURES[page.src_uri] = entries
    return files


def _figure_markdown(page_uri, target, caption):
    rel = os.path.relpath(target, os.path.dirname(page_uri) or ".").replace(os.sep, "/")
    return f"![{caption}]({rel})\n\n*{caption}*"


QUICKSTART_MARKER = "<!-- quickstart -->"


def readme_quickstart(readme_text):
    """The first fenced code block of the README's "## Quickstart" section."""
    section = readme_text.split("## Quickstart", 1)
    if len(section) < 2:
        raise ValueError("README.md has no '## Quickstart' section")
    body = re.split(r"^## ", section[1], maxsplit=1, flags=re.M)[0]
    match = re.search(r"^```[^\n]*\n.*?^```", body, re.S | re.M)
    if match is None:
        raise ValueError("README.md's Quickstart section has no code block")
    return match.group(0)


def on_page_markdown(markdown, page, config, files):
    entries = iter(_FIGURES.get(page.file.src_uri, ()))

    def figure(match):
        target, caption = next(entries)
        return _figure_markdown(page.file.src_uri, target, caption)

    markdown = FIGURE_MARKER.sub(figure, markdown)
    if QUICKSTART_MARKER in markdown:
        root = os.path.dirname(config["config_file_path"])
        with open(os.path.join(root, "README.md"), encoding="utf-8") as handle:
            block = readme_quickstart(handle.read())
        markdown = markdown.replace(QUICKSTART_MARKER, block)
    return markdown


def on_post_build(config):
    from symconv.explore import build_site

    build_site(os.path.join(config["site_dir"], "explore"), check=False)
