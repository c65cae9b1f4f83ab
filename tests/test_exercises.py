"""The exercise catalogue: every exercise solves, verifies, renders, and grades itself.

Each exercise is solved once per test session (``Exercise.solve`` caches per process);
the module-scoped fixtures below build the shared objects once.
"""

import os
import re
import shutil
import tomllib

import pytest

import symconv.exercises as ex
from symconv.exercises import _keys
from symconv.grading import grade, load_keys
from symconv.errors import SymconvError
from symconv.latex import compile_pdf, escape_text

EXERCISES = ex.all_exercises()
IDS = [e.id for e in EXERCISES]


@pytest.fixture(scope="module")
def solved():
    solutions, failures = ex.solve_all()
    assert not failures, failures
    return {s.exercise.id: s for s in solutions}


@pytest.fixture(scope="module")
def exported(solved):
    text = ex.export_keys(solved.values())
    return load_keys(tomllib.loads(text))


def _gradable(solved):
    return [p for s in solved.values() for p in s.parts if p.gradable]


# --------------------------------------------------------------------------- the catalogue

def test_catalogue_size_and_topics():
    assert 40 <= len(EXERCISES) <= 70
    assert len(set(IDS)) == len(IDS)
    assert {e.topic for e in EXERCISES} == set(ex.TOPICS)
    for e in EXERCISES:
        assert re.fullmatch(r"(d2l-\d+\.\d+\.\d+|[a-z0-9]+(-[a-z0-9]+)+)", e.id), e.id
        assert e.prompt and e.title and e.source


def test_get_and_errors():
    assert ex.get("IMAGES-CORR2D").id == "images-corr2d"
    with pytest.raises(SymconvError, match="catalogue"):
        ex.get("no-such-exercise")
    with pytest.raises(SymconvError, match="topic must be one of"):
        ex.all_exercises("nope")


@pytest.mark.parametrize("exercise_id", IDS)
def test_exercise_solves_and_verifies(solved, exercise_id):
    sol = solved[exercise_id]
    assert sol.parts
    for part in sol.parts:
        if part.written:
            assert isinstance(part.answer, str) and len(part.answer) > 80
            assert part.key is None
        else:
            # none silently unverified: every computed answer carries a passing check
            assert part.checks, part.id
            assert part.status in ("proven", "confirmed"), (part.id, [str(c) for c in part.checks])
        for check in part.checks:
            assert check.status != "refuted", (part.id, str(check))
            if check.status == "confirmed":
                # numeric or finite-grid confirmation says so, with its tolerance
                assert check.tolerance is not None, (part.id, str(check))
                if check.method in ("crosscheck", "numeric"):
                    assert check.seed is not None, (part.id, str(check))
    assert sol.status in ("proven", "confirmed", "written")
    # the summary status is the weakest part
    statuses = [p.status for p in sol.parts if p.status != "written"]
    if statuses:
        order = ex.STATUS_ORDER
        assert sol.status == min(statuses, key=order.index)


def test_written_answers_are_marked_not_gradable(solved):
    written = [s for s in solved.values() if not s.gradable]
    assert written, "the discursive questions must be in the catalogue"
    for s in written:
        assert all(p.written for p in s.parts)


def test_statuses_are_not_all_the_same(solved):
    counts = ex.summarize(solved.values())
    assert counts["unverified"] == 0 and counts["refuted"] == 0
    assert counts["proven"] > 20 and counts["confirmed"] > 3 and counts["written"] > 3
    assert counts["gradable parts"] > 50


# --------------------------------------------------------------------------- grading

def _assert_grades(part, k, text_of):
    """The reference gets full marks; each mistake exactly its promised credit."""
    r = grade(part.text, k)
    assert r.status == "correct" and r.score == k.points, (part.id, part.text, str(r))
    for i, m in enumerate(k.mistakes):
        r = grade(text_of(i, m), k)
        assert r.mistake == i, (part.id, i, text_of(i, m), str(r))
        assert r.score == pytest.approx(m.credit * k.points), (part.id, i, str(r))
        assert r.status == ("partial" if m.credit > 0 else "incorrect")
        assert r.feedback == m.feedback


def test_in_memory_keys_grade_the_reference(solved):
    """The written form of every answer is equivalent to the object the library computed."""
    for part in _gradable(solved):
        k = part.answer_key()
        r = grade(part.text, k)
        assert r.status == "correct" and r.score == k.points, (part.id, part.text, str(r))
        for i, m in enumerate(part.key.get("mistakes", ())):
            if "_text" in m:  # a hand-written form of a computed mistake: check it
                r = grade(m["_text"], k)
                assert r.mistake == i, (part.id, m["_text"], str(r))


def test_exported_keys_grade_reference_and_mistakes(solved, exported):
    parts = _gradable(solved)
    assert set(exported) == {p.id for p in parts}
    for part in parts:
        k = exported[part.id]
        _assert_grades(part, k, lambda i, m: m.answer)


def test_mistakes_are_wrong_answers(solved):
    for part in _gradable(solved):
        for m in part.key.get("mistakes", ()):
            assert 0 <= m["credit"] < 1
            assert m["feedback"].strip()


def test_toml_round_trip_of_strange_strings():
    text = _keys._toml_value('a "quoted" \\ back\nslash\x7f and ∞')
    assert tomllib.loads("x = " + text)["x"] == 'a "quoted" \\ back\nslash\x7f and ∞'
    assert _keys._toml_key("d2l-7.2.1.a") == '"d2l-7.2.1.a"'
    assert tomllib.loads(f"[p.{_keys._toml_key('d2l-7.2.1.a')}]\nv = {{ n = {{ min = 1 }} }}") \
        == {"p": {"d2l-7.2.1.a": {"v": {"n": {"min": 1}}}}}


# --------------------------------------------------------------------------- LaTeX

def test_prompts_use_only_printable_characters():
    for e in EXERCISES:
        assert escape_text(e.prompt).count("?") == e.prompt.count("?"), e.id


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed")
def test_combined_document_compiles(solved, tmp_path):
    tex = ex.solutions_document(list(solved.values()))
    for s in solved.values():
        assert escape_text(s.exercise.title) in tex
    out = compile_pdf(tex, tmp_path / "solutions.pdf")  # raises on errors and undefined cs
    assert out.stat().st_size > 10_000


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed")
def test_notebook_displays_of_every_solution(solved, tmp_path):
    import html.parser

    class Tags(html.parser.HTMLParser):
        def __init__(self):
            super().__init__()
            self.stack, self.errors = [], []

        def handle_starttag(self, tag, attrs):
            self.stack.append(tag)

        def handle_endtag(self, tag):
            if self.stack and self.stack[-1] == tag:
                self.stack.pop()
            else:
                self.errors.append((tag, self.stack[-1:]))

    bodies = []
    for s in solved.values():
        assert "\n" not in repr(s) and len(repr(s)) <= 200, repr(s)
        tags = Tags()
        tags.feed(s._repr_html_())
        tags.close()
        assert tags.errors == [] and tags.stack == [], (s.exercise.id, tags.errors, tags.stack)
        tex = s._repr_latex_()
        assert tex.startswith("$$\\begin{aligned}") and tex.endswith("\\end{aligned}$$")
        bodies.append(f"% {s.exercise.id}\n\\[\n{tex[2:-2]}\n\\]")
    tex = ("\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n\\begin{document}\n"
           + "\n".join(bodies) + "\n\\end{document}\n")
    assert compile_pdf(tex, tmp_path / "displays.pdf").stat().st_size > 10_000


# --------------------------------------------------------------------------- own words

def _ngrams(text, n=8):
    words = re.findall(r"[a-z]+", text.lower())
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


@pytest.mark.skipif(not os.path.isdir("/work/shared/seeds"), reason="source notes not present")
def test_prompts_are_in_our_own_words(solved):
    seeds = set()
    for name in os.listdir("/work/shared/seeds"):
        with open(os.path.join("/work/shared/seeds", name), encoding="utf-8") as fh:
            seeds |= _ngrams(fh.read())
    for s in solved.values():
        texts = [s.exercise.prompt] + [p.answer for p in s.parts if p.written] + \
            [item for kind, item in s.blocks if kind == "text"]
        for text in texts:
            common = _ngrams(text) & seeds
            assert not common, (s.exercise.id, sorted(common)[:3])


# --------------------------------------------------------------------------- docs

def test_readme_lists_every_exercise():
    readme = os.path.join(os.path.dirname(ex.__file__), "README.md")
    with open(readme, encoding="utf-8") as fh:
        text = fh.read()
    for e in EXERCISES:
        assert f"`{e.id}`" in text, e.id
    for topic in ex.TOPICS:
        assert f"**{topic}**" in text, topic


def test_doctests_of_the_package():
    import doctest

    from symconv.exercises import _keys as keys_module

    for module in (ex, keys_module):
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.failed == 0 and result.attempted > 0, module.__name__
