"""Rendering solutions: LaTeX (through :mod:`symconv.latex`) and terminal text.

All prose (prompts, explanations, model answers, notes, captions) goes through
:func:`symconv.latex.prose` (escaped text, with the ASCII formulas in it typeset as math),
titles through :func:`symconv.latex.escape_text`; all
mathematics through :func:`symconv.latex.expr_latex` or the ``.latex()`` method of a
library object.
"""

import html
import re
import textwrap

import numpy as np
import sympy as sp

from symconv.latex import escape_text, expr_latex, prose

__all__ = ["figure_latex", "answer_latex", "answer_text", "solution_latex", "solution_text",
           "solution_html",
           "solution_math", "status_text", "STATUS_TEXT"]

STATUS_TEXT = {"proven": "proven",
               "confirmed": "confirmed (numerically or on finitely many cases)",
               "unverified": "unverified", "refuted": "REFUTED",
               "written": "written answer (not auto-gradable)"}


def status_text(item):
    """The status of a part or solution in words; a confirmed one says how it was confirmed
    ('confirmed numerically', 'confirmed on finitely many cases', or both)."""
    return item.status_text if item.status == "confirmed" else STATUS_TEXT[item.status]


def _is_matrix_like(value):
    return (isinstance(value, list) and value and all(isinstance(r, list) for r in value)
            and all(not isinstance(x, list) for r in value for x in r)
            and len({len(r) for r in value}) == 1)


def answer_latex(value):
    """Math-mode LaTeX of an answer (SymPy object, int, list, nested list, tuple)."""
    if isinstance(value, (sp.NDimArray, np.ndarray)):
        value = value.tolist()
    if isinstance(value, sp.MatrixBase) or _is_matrix_like(value):
        return expr_latex(sp.Matrix(value))
    if isinstance(value, list):
        if value and all(isinstance(v, list) for v in value):
            return r",\; ".join(answer_latex(v) for v in value)
        return r"\left[" + r",\; ".join(answer_latex(v) for v in value) + r"\right]"
    if isinstance(value, tuple):
        return r"\left(" + ", ".join(answer_latex(v) for v in value) + r"\right)"
    if isinstance(value, str):
        return r"\text{" + escape_text(value) + "}"
    return expr_latex(value)


def answer_text(value):
    """A terminal rendering of an answer."""
    if isinstance(value, (sp.NDimArray, np.ndarray)):
        value = value.tolist()
    if isinstance(value, sp.MatrixBase):
        value = value.tolist()
    if _is_matrix_like(value):
        cells = [[sp.sstr(x) for x in row] for row in value]
        width = max(len(c) for row in cells for c in row)
        return "\n".join("[" + "  ".join(c.rjust(width) for c in row) + "]" for row in cells)
    if isinstance(value, list) and value and all(isinstance(v, list) for v in value):
        return "\n\n".join(answer_text(v) for v in value)
    if isinstance(value, (list, tuple)):
        inner = ", ".join(sp.sstr(v) if not isinstance(v, (list, tuple)) else answer_text(v)
                          for v in value)
        return f"[{inner}]" if isinstance(value, list) else f"({inner})"
    if isinstance(value, str):
        return value
    return sp.sstr(value)


# ---------------------------------------------------------------------------
# LaTeX
# ---------------------------------------------------------------------------

def _paragraphs(text):
    return "\n\n".join(prose(p) for p in text.split("\n\n"))


# a derivation line as symconv.proofs writes it: "  &= <math> && <note>"
_ALIGN_NOTE_LINE = re.compile(r"^(  &=? .*?) && (\\text\{.*\})( \\\\)?$")


def _fit_derivations(tex):
    r"""Justifications of ``align*`` derivations as ``\tag*``: set flush right on their
    line when it has room, and by amsmath on a line of their own below it when it has
    not, so that a long line no longer pushes every justification off the page (in a
    ``&&`` column, each sits right of the widest line of the whole derivation).

    Only blocks whose every line has the form the proofs module writes are changed;
    the mathematics and the notes are kept verbatim."""
    def block(match):
        lines = match.group(1).split("\n")
        if not all(line.startswith(("  & ", "  &= ")) for line in lines):
            return match.group(0)
        out = []
        for line in lines:
            m = _ALIGN_NOTE_LINE.match(line)
            out.append(m.group(1) + r" \tag*{" + m.group(2) + "}" + (m.group(3) or "")
                       if m else line)
        return "\\begin{align*}\n" + "\n".join(out) + "\n\\end{align*}"

    return re.sub(r"\\begin\{align\*\}\n(.*?)\n\\end\{align\*\}", block, tex, flags=re.S)


def _show_latex(obj, caption):
    out = []
    if caption:
        out.append(_paragraphs(caption))
    latex_method = getattr(obj, "latex", None)
    if callable(latex_method) and not isinstance(obj, (sp.Basic, sp.MatrixBase)):
        from symconv.nn.kernels import Kernel

        tex = _fit_derivations(latex_method())
        if tex.lstrip().startswith(r"\begin{tabular}"):
            tex = "{\\small\n\\begin{center}\n" + tex + "\n\\end{center}\n}"
        elif isinstance(obj, Kernel):   # Kernel.latex() is bare math: display it
            tex = "\\[\n" + tex + "\n\\]"
        out.append(tex)
    elif isinstance(obj, str):
        out.append(_paragraphs(obj))
    elif isinstance(obj, list) and obj and all(isinstance(r, (list, tuple)) for r in obj) \
            and all(isinstance(c, str) for c in obj[0]):
        out.append(_table(obj))
    else:
        out.append("\\[\n" + answer_latex(obj) + "\n\\]")
    return "\n\n".join(out)


def _table(rows, colspec=None):
    """A small tabular from rows of cells (strings are escaped, other cells are math)."""
    ncols = max(len(r) for r in rows)
    colspec = colspec or "l" * ncols

    def cell(v):
        return escape_text(v) if isinstance(v, str) else "$" + answer_latex(v) + "$"

    lines = ["{\\small", r"\begin{center}", r"\begin{tabular}{" + colspec + "}", r"\hline"]
    for i, row in enumerate(rows):
        cells = [cell(v) for v in row] + [""] * (ncols - len(row))
        lines.append(" & ".join(cells) + r" \\")
        if i == 0:
            lines.append(r"\hline")
    lines += [r"\hline", r"\end{tabular}", r"\end{center}", "}"]
    return "\n".join(lines)


def _key_summary(part):
    k = part.key
    n = len(k.get("mistakes", ()))
    pts = k.get("points", 1)
    text = f"Answer key: type {k['type']}, {pts:g} point{'s' if pts != 1 else ''}"
    if n:
        credits = ", ".join(f"{m['credit']:g}" for m in k["mistakes"])
        text += f", {n} anticipated mistake{'s' if n != 1 else ''} (credit {credits})"
    rules = []
    if k.get("closed_form"):
        rules.append("closed form required")
    if k.get("operations"):
        rules.append("built only from " + ", ".join(k["operations"]))
    if k.get("forbidden"):
        rules.append("without " + ", ".join(k["forbidden"]))
    for name, count in k.get("at_most", {}).items():
        rules.append(f"at most {count} {name}")
    if rules:
        text += "; " + "; ".join(rules)
    return text + f"; part id {part.id}."


def _part_latex(part):
    out = []
    head = f"({part.label})" if part.label is not None else "Answer"
    prompt = prose(part.prompt) if part.prompt else ""
    out.append(r"\paragraph{" + escape_text(head) + "} " + prompt)
    if part.written:
        out.append(r"\emph{Model answer.} " + _paragraphs(part.answer))
    else:
        out.append("\\[\n" + answer_latex(part.answer) + "\n\\]")
    if part.note:
        out.append(_paragraphs(part.note))
    lines = [r"\emph{Verification: " + escape_text(status_text(part)) + r".}"]
    for check in part.checks:
        lines.append(prose(str(check)))
    if part.key is not None:
        lines.append(escape_text(_key_summary(part)))
    else:
        lines.append(escape_text("Not auto-gradable: no answer key."))
    out.append("{\\small " + "\\par\n".join(lines) + "\\par}")
    return "\n\n".join(out)


def figure_latex(figure, path):
    r"""A ``figure`` float: ``\includegraphics`` of ``path`` (relative to the .tex file)
    with the figure's caption, which also goes into the list of figures."""
    caption = prose(figure.caption)
    return "\n".join([r"\begin{figure}[!htbp]", r"\centering",
                      r"\includegraphics[width=0.8\textwidth,height=0.42\textheight,"
                      r"keepaspectratio]{" + path + "}",
                      r"\caption{" + caption + "}", r"\end{figure}"])


def solution_latex(solution, figures=None, toc=False):
    """The LaTeX of one solved exercise (a section of the solutions document).

    ``figures`` maps a declared figure's name to the path of its drawn PDF (relative to
    the document); figures not in it are left out (a standalone exercise has none).
    ``toc``: the section goes into the table of contents, with a link target
    (``\\phantomsection``: the document must load ``hyperref``)."""
    ex = solution.exercise
    heading = escape_text(f"{ex.id}: {ex.title}")
    out = [r"\section*{" + heading + "}"
           + ("\n" + r"\phantomsection\addcontentsline{toc}{section}{" + heading + "}"
              if toc else ""),
           r"{\small\emph{" + prose(f"Topic {ex.topic}; source: {ex.source}; "
                                    f"status: {status_text(solution)}.") + "}}",
           _paragraphs(ex.prompt),
           r"\subsection*{Solution}"]
    for kind, item in solution.blocks:
        if kind == "text":
            out.append(_paragraphs(item))
        elif kind == "show":
            out.append(_show_latex(*item))
        elif kind == "figure":
            if figures and item.name in figures:
                out.append(figure_latex(item, figures[item.name]))
        else:
            out.append(_part_latex(item))
    return "\n\n".join(out)


# ---------------------------------------------------------------------------
# terminal text
# ---------------------------------------------------------------------------

def _wrap(text, indent=""):
    return "\n\n".join(textwrap.fill(p, 88, initial_indent=indent, subsequent_indent=indent)
                       for p in text.split("\n\n"))


def _indent(text, prefix):
    return "\n".join(prefix + line if line else line for line in text.splitlines())


def solution_text(solution):
    """A readable terminal rendering of a solution."""
    ex = solution.exercise
    out = [f"{ex.id}: {ex.title}",
           f"topic {ex.topic} | source: {ex.source} | status: {status_text(solution)}",
           "", _wrap(ex.prompt), "", "Solution", "--------"]
    for kind, item in solution.blocks:
        if kind == "text":
            out += [_wrap(item), ""]
        elif kind == "show":
            obj, caption = item
            if caption:
                out.append(_wrap(caption))
            shown = str(obj) if not isinstance(obj, (sp.Basic, list, tuple)) else answer_text(obj)
            out += [_indent(shown, "    "), ""]
        elif kind == "figure":
            out += [_wrap(f"[figure in the solutions book: {item.caption}]"), ""]
        else:
            part = item
            head = f"({part.label}) " if part.label is not None else ""
            if part.prompt:
                out.append(_wrap(head + part.prompt))
                head = ""
            if part.written:
                out.append(_wrap(part.answer, "    "))
            else:
                shown = answer_text(part.answer)
                if "\n" in shown:
                    out += [f"{head}answer:", _indent(shown, "    ")]
                else:
                    out.append(f"{head}answer: {shown}")
            if part.note:
                out.append(_wrap(part.note, "    "))
            out.append(f"    verification: {status_text(part)}")
            for check in part.checks:
                out.append(textwrap.fill(str(check), 88, initial_indent="      - ",
                                         subsequent_indent="        "))
            if part.key is not None:
                out.append("    " + _key_summary(part))
                if part.text is not None and part.key["type"] != "proof":
                    out.append(f"    typed as: {part.text}")
            else:
                out.append("    not auto-gradable (no answer key)")
            out.append("")
    return "\n".join(out).rstrip() + "\n"


# ---------------------------------------------------------------------------
# notebook displays
# ---------------------------------------------------------------------------

def _part_head(part):
    return f"({part.label}) " if part.label is not None else ""


def solution_math(solution):
    r"""Display math for a notebook (``_repr_latex_``): the title, then each part's answer
    with its verification status, as one ``aligned`` block. Written answers are named,
    not reproduced (prose belongs in the HTML display and in :func:`solution_latex`)."""
    ex = solution.exercise

    def text(t):
        return r"\text{" + escape_text(t) + "}"

    rows = [r"&" + text(f"{ex.id}: {ex.title} ({status_text(solution)})")]
    for part in solution.parts:
        head = text(_part_head(part) or "answer ")
        shown = "" if part.written else answer_latex(part.answer) + r"\quad "
        rows.append(rf"&{head}\quad {shown}{text('[' + status_text(part) + ']')}")
    return r"$$\begin{aligned}" + "\\\\\n".join(rows) + r"\end{aligned}$$"


def solution_html(solution):
    """An HTML rendering for a notebook (``_repr_html_``): what :func:`solution_text`
    prints, with every piece of text escaped."""
    esc = html.escape
    ex = solution.exercise

    def paragraphs(t):
        return "".join(f"<p>{esc(p)}</p>" for p in t.split("\n\n"))

    def pre(t):
        return f"<pre>{esc(t)}</pre>"

    out = [f"<div><h4>{esc(ex.id)}: {esc(ex.title)}</h4>",
           f"<p><em>topic {esc(ex.topic)} | source: {esc(ex.source)} | status: "
           f"{esc(status_text(solution))}</em></p>", paragraphs(ex.prompt),
           "<h5>Solution</h5>"]
    for kind, item in solution.blocks:
        if kind == "text":
            out.append(paragraphs(item))
        elif kind == "show":
            obj, caption = item
            if caption:
                out.append(paragraphs(caption))
            out.append(pre(str(obj) if not isinstance(obj, (sp.Basic, list, tuple))
                           else answer_text(obj)))
        elif kind == "figure":
            continue        # drawn only in the solutions book
        else:
            part = item
            head = _part_head(part)
            if part.prompt:
                out.append(f"<p><strong>{esc(head)}</strong>{esc(part.prompt)}</p>")
            elif head:
                out.append(f"<p><strong>{esc(head)}</strong></p>")
            out.append(paragraphs(part.answer) if part.written
                       else "<p>answer:</p>" + pre(answer_text(part.answer)))
            if part.note:
                out.append(paragraphs(part.note))
            checks = "".join(f"<li>{esc(str(c))}</li>" for c in part.checks)
            key = _key_summary(part) if part.key is not None else \
                "not auto-gradable (no answer key)"
            out.append(f"<p>verification: {esc(status_text(part))}</p>"
                       + (f"<ul>{checks}</ul>" if checks else "") + f"<p>{esc(key)}</p>")
    out.append("</div>")
    return "".join(out)
