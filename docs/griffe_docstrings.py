"""A Griffe extension used by the docs build: makes reStructuredText-flavoured docstrings
render well as Markdown.

symconv's docstrings are written for ``help()``, doctest and numpy-style tools; some
constructs mean nothing to Markdown. Before mkdocstrings renders a docstring this
extension rewrites, outside fenced code:

* doctest blocks (``>>>`` lines and their output, up to a blank line) become fenced
  ``pycon`` code blocks, so outputs such as ``[1, 2][0]`` are shown verbatim instead of
  being read as Markdown links;
* ``.. math::`` directives become display math (``\\[ ... \\]``, rendered by KaTeX
  through ``pymdownx.arithmatex``);
* Sphinx roles (``:func:`~symconv.conv```) become inline code (``conv``);
* a paragraph ending in ``::`` (reStructuredText's literal-block marker) ends in ``:``;
* reStructuredText "simple tables" (columns framed by ``=====  =====`` rules) become
  Markdown tables;
* definition lists (a term, its definition indented on the next lines) become bullet
  lists, except inside the numpy sections (Parameters, Returns, ...) that Griffe parses.

The docstrings themselves are untouched; ``help()`` and doctest see them as written.
"""

import re

import griffe

_ROLE = re.compile(r":(?:py:)?(?:func|class|meth|mod|attr|data|obj|exc|const|term|ref):"
                   r"`(~?)([^`<]+?)(?:\s*<([^>]+)>)?`")


_BORDER = re.compile(r"^[ \t]*=+(?: +=+)+[ \t]*$")


def _columns(border):
    """Start positions of the columns of a simple-table border line."""
    return [m.start() for m in re.finditer(r"=+", border)]


def _cells(line, starts):
    """Split a table row at the column starts, never inside a word.

    Text that overflows its column pushes the boundary right to the next space; the
    last column must start after a gap of two spaces (so a long middle cell that runs
    past the last column's start stays in one piece).
    """
    bounds = []
    for n, start in enumerate(starts[1:], start=2):
        gap = "  " if n == len(starts) else " "
        pos = start
        while pos < len(line) and line[max(pos - len(gap), 0):pos] != gap:
            pos += 1
        bounds.append(max(pos, bounds[-1] if bounds else 0))
    edges = [starts[0]] + bounds + [len(line)]
    return [line[a:b].strip() for a, b in zip(edges, edges[1:])]


def _table(lines, indent):
    """A simple table (its lines, borders included) as Markdown table lines."""
    borders = [i for i, line in enumerate(lines) if _BORDER.match(line)]
    starts = _columns(lines[borders[0]])
    rows, header_end = [], borders[1] if len(borders) > 2 else None
    for i, line in enumerate(lines):
        if i in borders or not line.strip():
            continue
        cells = _cells(line, starts)
        if rows and not cells[0] and (header_end is None or i > header_end or len(rows) > 1):
            rows[-1] = [f"{old} {new}".strip() for old, new in zip(rows[-1], cells)]
        else:
            rows.append(cells)
    def fmt(cells):
        return indent + "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"
    out = [fmt(rows[0]), indent + "|" + "---|" * len(starts)]
    out += [fmt(r) for r in rows[1:]]
    return out


# numpy-style sections whose "name : type" entries Griffe parses itself
_NUMPY_SECTIONS = {"parameters", "other parameters", "returns", "yields", "receives",
                   "raises", "warns", "attributes", "methods", "examples", "see also"}
_NOT_A_TERM = re.compile(r"^(?:[*+-] |\d+[.)] |>>>|```|\||\.\. |#)")


def _indent_of(line):
    return len(line) - len(line.lstrip())


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
    section = ""
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        indent = line[:len(line) - len(line.lstrip())]
        if (i + 1 < len(lines) and stripped and re.fullmatch(r"-{3,}", lines[i + 1].strip())
                and not fenced):
            section = stripped.lower()
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
        if _BORDER.match(line):
            # a simple table: up to the third border (or the second, without a header)
            block, borders, j = [], 0, i
            while j < len(lines):
                if _BORDER.match(lines[j]):
                    borders += 1
                block.append(lines[j])
                j += 1
                if borders == 3 or (borders == 2 and (j >= len(lines) or not lines[j].strip())):
                    break
            if borders >= 2:
                out.extend(_ROLE.sub(_role, t) for t in _table(block, indent))
                i = j
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
        if (section not in _NUMPY_SECTIONS and stripped and not _NOT_A_TERM.match(stripped)
                and (not out or not out[-1].strip() or out[-1].lstrip().startswith("- **")
                     or re.fullmatch(r"-{3,}", out[-1].strip()))
                and i + 1 < len(lines) and lines[i + 1].strip()
                and _indent_of(lines[i + 1]) > len(indent)
                and not re.fullmatch(r"-{3,}", lines[i + 1].strip())
                and not stripped.endswith("::")):
            # a definition-list entry: the term, then its indented definition
            body, j = [], i + 1
            while j < len(lines) and lines[j].strip() and _indent_of(lines[j]) > len(indent):
                body.append(lines[j].strip())
                j += 1
            text = _ROLE.sub(_role, " ".join(body))
            out.append(f"{indent}- **{_ROLE.sub(_role, stripped)}**: {text}")
            i = j
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
