"""MkDocs hooks for the symconv site (``hooks:`` in mkdocs.yml).

* ``docs/tutorial.ipynb`` is the tutorial notebook; the test suite executes it and checks
  that its stored outputs are exactly what a fresh run produces. :func:`on_files` renders
  that notebook (its cells and stored outputs) as the page ``tutorial-notebook.md``, so
  the site shows the same tour without needing a notebook plugin.
* The Quickstart commands live in ``README.md``. A page that contains the marker
  ``<!-- quickstart -->`` gets the README's Quickstart code block in its place
  (:func:`on_page_markdown`), so the site and the README can never disagree.
* :func:`on_post_build` writes the interactive explorer (``symconv explore``) into the
  site's ``explore/`` folder, which ``explorer.md`` links to.
"""

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


def on_files(files, config):
    path = os.path.join(config["docs_dir"], NOTEBOOK)
    with open(path, encoding="utf-8") as handle:
        notebook = json.load(handle)
    files.append(File.generated(config, PAGE, content=notebook_markdown(notebook)))
    return files


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
    if QUICKSTART_MARKER in markdown:
        root = os.path.dirname(config["config_file_path"])
        with open(os.path.join(root, "README.md"), encoding="utf-8") as handle:
            block = readme_quickstart(handle.read())
        markdown = markdown.replace(QUICKSTART_MARKER, block)
    return markdown


def on_post_build(config):
    from symconv.explore import build_site

    build_site(os.path.join(config["site_dir"], "explore"), check=False)
