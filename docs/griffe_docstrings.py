"""A Griffe extension used by the docs build: makes reStructuredText-flavoured docstrings
render well as Markdown.

symconv's docstrings are written for ``help()``, doctest and numpy-style tools; some
constructs mean nothing to Markdown. Before mkdocstrings renders a docstring this
extension rewrites, outside fenced code:

* doctest blocks (``>>>`` lines and their output, up to a blank line) become fenced
  ``pycon`` code blocks, so outputs such as ``[1, 2][0]`` are shown verbatim instead of
  being read as Markdown links;
* ``.. math::`` directives become display math (``\\[ ... \\]``, rendered by MathJax
  through ``pymdownx.arithmatex``);
* Sphinx roles (``:func:`~symconv.conv```) become inline code (``conv``);
* a paragraph ending in ``::`` (reStructuredText's literal-block marker) ends in ``:``.

The docstrings themselves are untouched; ``help()`` and doctest see them as written.
"""

import re

import griffe

_ROLE = re.compile(r":(?:py:)?(?:func|class|meth|mod|attr|data|obj|exc|const|term|ref):"
                   r"`(~?)([^`<]+?)(?:\s*<([^>]+)>)?`")


def _role(match):
    tilde, target, explicit = match.groups()
    if explicit:               # :ref:`text <target>` -> text
        return f"`{target.strip()}`"
    name = target.strip()
    if tilde:
        name = name.split(".")[-1]
    return f"`{name}`"


def rewrite(text):
    """The Markdown-friendly form of one docstring (pure function, tested)."""
    lines = text.split("\n")
    out = []
    i = 0
    fenced = False
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        indent = line[:len(line) - len(line.lstrip())]
        if stripped.startswith("```"):
            fenced = not fenced
            out.append(line)
            i += 1
            continue
        if fenced:
            out.append(line)
            i += 1
            continue
        if stripped.startswith(">>>"):
            block = []
            while i < len(lines) and lines[i].strip():
                block.append(lines[i])
                i += 1
            out.append(f"{indent}```pycon")
            out.extend(block)
            out.append(f"{indent}```")
            continue
        if stripped.startswith(".. math::"):
            body = [stripped[len(".. math::"):].strip()]
            i += 1
            while i < len(lines) and (not lines[i].strip() or
                                      len(lines[i]) - len(lines[i].lstrip()) > len(indent)):
                body.append(lines[i].strip())
                i += 1
            body = [b for b in body if b]
            while out and not out[-1].strip() and body == []:
                break
            out.append(f"{indent}\\[")
            out.extend(f"{indent}{b}" for b in body)
            out.append(f"{indent}\\]")
            out.append("")
            continue
        line = _ROLE.sub(_role, line)
        if line.rstrip().endswith("::") and not line.strip() == "::":
            line = line.rstrip()[:-1]
        elif line.strip() == "::":
            line = ""
        out.append(line)
        i += 1
    return "\n".join(out)


class MarkdownDocstrings(griffe.Extension):
    """Apply :func:`rewrite` to every docstring Griffe loads."""

    def on_instance(self, *, obj, **kwargs):
        if obj.docstring is not None:
            obj.docstring.value = rewrite(obj.docstring.value)
