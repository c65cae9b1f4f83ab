"""The symconv exercise catalogue, installed as :mod:`symconv.exercises`.

Every exercise states its prompt in the project's own words and computes its solution by
calling the library; see ``exercises/README.md`` for the format.

>>> import symconv.exercises as ex
>>> e = ex.get("images-corr2d")
>>> e.topic
'images'
>>> sol = e.solve()
>>> sol.part().answer
Matrix([
[19, 25],
[37, 43]])
>>> sol.status
'proven'

Public functions
----------------
:func:`all_exercises` (optionally one topic), :func:`get`, :func:`topics`,
:func:`solve_all`, :func:`summarize`, :func:`solutions_document`, :func:`export_keys`.
Each :class:`Exercise` has :meth:`~Exercise.solve`, returning a :class:`Solution` whose
parts carry the answer, its verification (:class:`Check` objects), the answer key in the
grading format and a LaTeX rendering.
"""

import time

from ._keys import export_keys, keys_toml
from ._registry import (STATUS_ORDER, TOPICS, Check, Exercise, Part, Solution, all_exercises,
                        get, topics)

__all__ = ["Exercise", "Solution", "Part", "Check", "all_exercises", "get", "topics",
           "solve_all", "summarize", "solutions_document", "export_keys", "keys_toml",
           "TOPICS", "STATUS_ORDER"]


def solve_all(topic=None, progress=None, solved=None):
    """Solve every exercise (optionally one topic).

    Parameters
    ----------
    topic : str, optional
    progress : callable, optional
        Called as ``progress(index, total, exercise)`` before each exercise and
        ``progress(total, total, None)`` at the end.
    solved : callable, optional
        Called as ``solved(solution)`` right after each exercise is solved (the solutions
        book starts drawing figures while the next exercises are solved).

    Returns
    -------
    (list of Solution, list of (Exercise, str))
        The solutions, and the exercises that raised an error with its message.
    """
    exercises = all_exercises(topic)
    solutions, failures = [], []
    for i, e in enumerate(exercises):
        if progress is not None:
            progress(i, len(exercises), e)
        try:
            solution = e.solve()
        except Exception as exc:  # reported, never hidden: the summary counts it
            failures.append((e, f"{type(exc).__name__}: {exc}"))
            continue
        solutions.append(solution)
        if solved is not None:
            solved(solution)
    if progress is not None:
        progress(len(exercises), len(exercises), None)
    return solutions, failures


#: how :func:`summarize` splits the confirmed solutions (by ``Solution.confirmed_by``)
CONFIRMED_COUNTS = {("numerically",): "confirmed numerically",
                    ("on finitely many cases",): "confirmed on finitely many cases",
                    ("numerically", "on finitely many cases"): "confirmed both ways"}


def summarize(solutions):
    """Counts by status, plus gradable parts and not-auto-gradable exercises.

    ``'confirmed'`` counts every confirmed solution; it is split into ``'confirmed
    numerically'`` (agreement with an independent numeric computation), ``'confirmed on
    finitely many cases'`` (exact agreement of a general formula on a finite grid of
    cases or one instance: not a proof for all values) and ``'confirmed both ways'``.
    """
    counts = {s: 0 for s in ("proven", "confirmed", "unverified", "refuted", "written")}
    counts.update({label: 0 for label in CONFIRMED_COUNTS.values()})
    for sol in solutions:
        counts[sol.status] += 1
        if sol.status == "confirmed":
            counts[CONFIRMED_COUNTS[sol.confirmed_by]] += 1
    counts["not auto-gradable"] = sum(1 for sol in solutions if not sol.gradable)
    counts["gradable parts"] = sum(1 for sol in solutions for p in sol.parts if p.gradable)
    counts["exercises"] = len(solutions)
    return counts


_INTRO = """Every answer below was computed by calling symconv, and every answer carries its \
verification. "Proven" means established exactly: a derivation whose every step was \
checked by symconv.proofs, an identity SymPy decided, or exact agreement with an \
independent computation of the same object (plain loops over the entries, written \
separately from the library). "Confirmed numerically" means agreement with an \
independent numeric computation (the NumPy executor or quadrature), with the tolerance \
and seed stated. "Confirmed on finitely many cases" means that a general formula agreed \
exactly with an independent count at every case of a finite grid (or on one instance): \
evidence, not a proof for all values. \
Discursive questions have a written model answer and no answer key; every other part has \
an answer key (with anticipated mistakes and their partial credit) in keys.toml, usable \
with 'symconv grade'."""


def solutions_document(solutions, title="symconv: solutions to the exercise catalogue",
                       figures=None):
    """One standalone LaTeX document with every solution (via :func:`symconv.latex.document`).

    ``figures`` maps the names of drawn figures (:attr:`Solution.figures`) to their PDF
    paths relative to the document; with it the book loads ``graphicx``, has a list of
    figures and shows each figure where its exercise declared it. The book has a table
    of contents and PDF links (``hyperref``)."""
    from symconv.latex import document

    counts = summarize(solutions)
    stamp = time.strftime("%Y-%m-%d")
    items = [_Raw(r"\sloppy"), _Raw(r"{\setlength{\parskip}{0pt}\tableofcontents}"), _INTRO,
             f"Summary ({stamp}): {counts['exercises']} exercises; {counts['proven']} proven, "
             f"{counts['confirmed numerically']} confirmed numerically, "
             f"{counts['confirmed on finitely many cases']} confirmed on finitely many cases, "
             f"{counts['confirmed both ways']} confirmed both ways, {counts['unverified']} unverified, "
             f"{counts['refuted']} refuted, {counts['written']} with a written answer only; "
             f"{counts['not auto-gradable']} not auto-gradable; {counts['gradable parts']} "
             f"gradable parts."]
    for topic, description in topics().items():
        rows = [("Exercise", "Title", "Status")]
        rows += [(s.exercise.id, s.exercise.title, _SHORT.get(s.status, s.status_text))
                 for s in solutions if s.exercise.topic == topic]
        if len(rows) > 1:
            items.append(_Heading(f"{topic}: {description}", rows))
    if figures is None:
        items.extend(_WithFigures(s, {}) for s in solutions)
        return document(items, title=title, packages=("hyperref",))
    items.insert(2, _Raw(r"\listoffigures"))
    items.extend(_WithFigures(s, figures) for s in solutions)
    return document(items, title=title, packages=("graphicx", "hyperref"))


class _WithFigures:
    """A solution rendered with its drawn figures."""

    def __init__(self, solution, figures):
        self.solution, self.figures = solution, figures

    def latex(self):
        from ._render import solution_latex

        return solution_latex(self.solution, figures=self.figures, toc=True)


_SHORT = {"written": "written answer"}


class _Heading:
    """A topic heading with its table of exercises (rendered by ``.latex()``)."""

    def __init__(self, text, rows):
        self.text, self.rows = text, rows

    def latex(self):
        from symconv.latex import escape_text

        from ._render import _table

        return (r"\subsection*{" + escape_text(self.text) + "}\n"
                + _table(self.rows, r"p{0.28\textwidth} p{0.4\textwidth} p{0.22\textwidth}"))


class _Raw:
    """A fixed LaTeX command written by this module (never user text)."""

    def __init__(self, tex):
        self.tex = tex

    def latex(self):
        return self.tex
