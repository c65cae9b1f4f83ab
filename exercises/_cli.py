"""Shared pieces of ``symconv exercises`` and ``symconv solve``: the progress bar, the
verification summary, and writing the solutions book."""

import os
import shutil
import sys
import time
import textwrap

from symconv.errors import SymconvError

__all__ = ["ProgressBar", "summary_lines", "write_book", "listing"]


class ProgressBar:
    """A one-line progress bar on a terminal (nothing at all when the stream is not a TTY)."""

    def __init__(self, stream=None, width=30):
        self.stream = sys.stderr if stream is None else stream
        self.width = width
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self.t0 = time.perf_counter()

    def __call__(self, index, total, exercise):
        if not self.enabled:
            return
        filled = int(self.width * index / max(total, 1))
        bar = "#" * filled + "." * (self.width - filled)
        label = exercise.id if exercise is not None else "done"
        line = f"\r[{bar}] {index}/{total} {label}"
        self.stream.write(line.ljust(72)[:100])
        if exercise is None:
            self.stream.write(f"  {time.perf_counter() - self.t0:.1f} s\n")
        self.stream.flush()


def summary_lines(solutions, failures, seconds):
    """The verification summary printed after solving."""
    from . import summarize

    c = summarize(solutions)
    total = len(solutions) + len(failures)
    rows = [("proven", c["proven"], "exactly: derivation, SymPy identity or exact agreement"),
            ("confirmed numerically", c["confirmed numerically"],
             "numeric reference, within a stated tolerance"),
            ("confirmed on finitely many cases", c["confirmed on finitely many cases"],
             "exact on finitely many cases of a formula: not a proof"),
            ("confirmed both ways", c["confirmed both ways"],
             "numerically and on finitely many cases"),
            ("unverified", c["unverified"], ""),
            ("refuted", c["refuted"], ""),
            ("written answer only", c["written"], ""),
            ("not auto-gradable", c["not auto-gradable"], "no answer key: discursive"),
            ("gradable parts", c["gradable parts"], "answer keys")]
    if failures:
        rows.append(("FAILED to solve", len(failures), ""))
    lines = [f"{total} exercises in {seconds:.1f} s"]
    lines += [f"  {label:<32} {count:>4}" + (f"   ({note})" if note else "")
              for label, count, note in rows]
    if failures:
        for exercise, message in failures:
            lines.append(f"    {exercise.id}: {message}")
    bad = [s for s in solutions if s.status in ("unverified", "refuted")]
    for s in bad:
        lines.append(f"    {s.exercise.id}: {s.status}")
    return lines


def write_book(solutions, out_dir, pdf=True):
    """Write ``solutions.tex`` and ``keys.toml`` (and ``solutions.pdf`` when pdflatex exists).

    Returns ``(written paths, note)``; the note says why no PDF was made, if none was.
    """
    from symconv.latex import compile_pdf

    from . import export_keys, solutions_document

    os.makedirs(out_dir, exist_ok=True)
    tex = solutions_document(solutions)
    tex_path = os.path.join(out_dir, "solutions.tex")
    with open(tex_path, "w", encoding="utf-8") as fh:
        fh.write(tex)
    keys_path = os.path.join(out_dir, "keys.toml")
    export_keys(solutions, keys_path)
    written = [tex_path, keys_path]
    note = None
    if not pdf:
        note = "PDF not requested (--no-pdf)"
    elif shutil.which("pdflatex") is None:
        note = "pdflatex was not found on PATH: no PDF (solutions.tex is complete)"
    else:
        pdf_path = os.path.join(out_dir, "solutions.pdf")
        compile_pdf(tex, pdf_path)
        written.append(pdf_path)
    return written, note


def listing(exercises, topics):
    """Exercise ids and titles grouped by topic."""
    lines = []
    width = max(len(e.id) for e in exercises) if exercises else 0
    for topic, description in topics.items():
        group = [e for e in exercises if e.topic == topic]
        if not group:
            continue
        lines.append(f"{topic}: {description}")
        for e in group:
            lines.append(f"  {e.id.ljust(width)}  {e.title}")
        lines.append("")
    lines.append(f"{len(exercises)} exercises")
    return lines


def describe(exercise):
    """The prompt of one exercise, for ``symconv exercises show``."""
    wrapped = "\n\n".join(textwrap.fill(p, 88) for p in exercise.prompt.split("\n\n"))
    return "\n".join([f"{exercise.id}: {exercise.title}",
                      f"topic {exercise.topic} | source: {exercise.source}", "", wrapped, "",
                      f"(solution: symconv solve {exercise.id})"])


def require_dir_free(path):
    if os.path.exists(path) and not os.path.isdir(path):
        raise SymconvError(f"--out must be a directory, but {path!r} is a file")
