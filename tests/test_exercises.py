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
from symconv.latex import compile_pdf, escape_text, overfull_boxes

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
    # raises on errors and undefined control sequences
    out = compile_pdf(tex, tmp_path / "solutions.pdf", log_path=tmp_path / "solutions.log")
    assert out.stat().st_size > 10_000
    log = (tmp_path / "solutions.log").read_text(encoding="latin-1")
    # nothing runs off the page: no line, table or derivation more than 10 pt too wide
    assert overfull_boxes(log, limit=10) == [], overfull_boxes(log, limit=10)
    # a table of contents with links, filled in (pdflatex ran again for it)
    assert "\\tableofcontents" in tex and "{hyperref}" in tex and "No file doc.toc" not in log
    assert tex.count("\\addcontentsline{toc}{section}") == len(solved)


def test_book_prose_has_no_raw_markers(solved):
    tex = ex.solutions_document(list(solved.values()))
    assert "(None)" not in tex and "None" not in tex.replace("Nonetheless", "")
    assert "(not auto-gradable))" not in tex and "Verification: written answer" in tex
    # straight double quotes are typeset as quotes, never as two closing quotes around a word
    assert not re.search(r"(^|\s)''[A-Za-z]", tex)
    # the examples of raw ASCII math now read as math
    assert "K\\textasciicircum{}T" not in tex and "\\ensuremath{X \\star  K^{T}}" in tex
    assert "\\sqrt{" in tex and "t\\textasciicircum{}2" not in tex


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


# --------------------------------------------------------------------------- keys grade what is asked

_LABEL = re.compile(r"(?:^|(?<=[\s.?:;]))\(([a-z])\)\s")


def _question(part):
    """The words of the prompt that concern ``part``: the text before "(a)", the part's own
    "(x) ..." stretch of the exercise prompt, and the part's prompt."""
    prompt = ex.get(part.exercise_id).prompt
    marks = list(_LABEL.finditer(prompt))
    own = prompt
    if part.label is not None and marks:
        own = prompt[:marks[0].start()]
        for mark, after in zip(marks, marks[1:] + [None]):
            if mark.group(1) == part.label:
                own += prompt[mark.start():after.start() if after else len(prompt)]
    return f"{own} {part.prompt or ''}"


def _names_of(obj):
    if isinstance(obj, (list, tuple)):
        return set().union(*(_names_of(x) for x in obj)) if obj else set()
    if hasattr(obj, "free_symbols"):
        return {s.name for s in obj.free_symbols}
    return set()


def _accepted_names(k):
    """The names an answer may use without being refused (declared or in the key's answers)."""
    return set(k.variables) | _names_of(k.reference) | _names_of(k.mistake_values())


#: the form words of the prompts (issue 21's list, plus "formula in" and "with ramps"), what
#: a key must declare to enforce each, and the parts whose wording is not a form statement
FORM_WORDS = {
    "closed form": (r"closed[- ]form", lambda k, q: k.closed_form),
    "using": (r"\busing\b", lambda k, q: bool(k.operations or k.forbidden)),
    "only": (r"\bonly\b", lambda k, q: bool(k.operations or k.forbidden)),
    "one": (r"\busing\b[^.?]*\b(one|two|three|a single|at most)\b", lambda k, q: bool(k.at_most)),
    "with ramps": (r"\bwith (ramps|steps)\b", lambda k, q: bool(k.operations)),
    "exact": (r"\bexact\b", lambda k, q: k.type in ("integer", "rational") or bool(
        {"exact", "exact rational", "lowest terms", "integer literal"} & set(k.forms))),
    "in terms of": (r"\b(in terms of|formula in)\b", None),   # checked against the names
}
FORM_EXEMPT = {
    ("cnn-parameter-count.b", "only"): "'the weights may depend only on the offset' describes "
                                       "the layer being counted, not how to write the count",
    ("cnn-parameter-count.c", "only"): "'only offsets with |a| <= Δ are kept' describes the "
                                       "layer, not the form of the answer",
    ("signals-corr-vs-conv.a", "only"): "'full overlap only' says which outputs are asked for; "
                                        "the key's sequence length (2) enforces it",
    ("signals-corr-vs-conv.b", "only"): "as for part a",
}


def _terms_listed(question):
    found = []
    for m in re.finditer(r"\b(?:in terms of|formula in)\b([^.?;(]*)", question):
        found.append({w for w in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", m.group(1))
                      if w not in ("and", "or")})
    return found


def test_every_form_the_prompt_states_is_enforced_by_the_key(solved, exported):
    problems, seen = [], set()
    for part in _gradable(solved):
        k = exported[part.id]
        if k.type == "proof":
            continue
        question = _question(part)
        for word, (pattern, enforced) in FORM_WORDS.items():
            if not re.search(pattern, question, re.IGNORECASE):
                continue
            seen.add(word)
            if (part.id, word) in FORM_EXEMPT:
                continue
            if word == "in terms of":
                for listed in _terms_listed(question):
                    extra = _accepted_names(k) - listed
                    if extra:
                        problems.append(f"{part.id}: 'in terms of {sorted(listed)}' but the key "
                                        f"accepts {sorted(extra)} too")
            elif not enforced(k, question):
                problems.append(f"{part.id}: the prompt says '{word}' but its key does not "
                                f"enforce it")
    assert not problems, "\n".join(problems)
    # the check is not vacuous: every kind of form statement occurs in the catalogue
    assert seen >= {"closed form", "using", "only", "one", "in terms of", "with ramps"}, seen
    for part_id, _word in FORM_EXEMPT:
        assert part_id in exported, part_id


def test_every_key_of_a_math_answer_refuses_a_restated_question(exported):
    for part_id, k in exported.items():
        if k.type not in ("proof", "text"):
            assert k.closed_form, part_id


#: issue 21: answers that restate the question (value right, question not answered), and
#: answers in the required form, graded against the exported keys
RESTATED = [
    ("d2l-7.5.3.a", "max(a, b)", "a maximum that is not a ReLU"),
    ("d2l-7.5.3.a", "(a+b+Abs(a-b))/2", "an absolute value"),
    ("d2l-7.5.3.a", "(a + b + |a - b|)/2", "an absolute value"),
    ("d2l-7.5.6", "min(a, b)", "a minimum (Min(a, b))"),
    ("d2l-7.5.6", "a + b - max(a, b)", "an addition or subtraction"),
    ("signals-ramp-step", "Integral(tau, (tau, 0, t))*u(t)", "unevaluated integral"),
    ("signals-exp-exp.a", "Integral(exp(-a*tau)*exp(-b*(t - tau)), (tau, 0, t))*u(t)",
     "unevaluated integral"),
    ("signals-exp-exp.a", r"u(t) \int_0^t e^{-a\tau} e^{-b(t-\tau)} d\tau", "unevaluated integral"),
    ("signals-geometric.a", "Sum(a**k*b**(n-k), (k, 0, n))*u[n]", "unevaluated sum"),
    ("signals-lti-recursive.b", "sum((1/2)^k, (k, 0, n)) u[n]", "unevaluated sum"),
]
IN_THE_REQUIRED_FORM = [
    ("d2l-7.5.3.a", "b + max(a - b, 0)"), ("d2l-7.5.3.a", "a + max(b - a, 0)"),
    ("d2l-7.5.3.a", "max(0, a - b) + b"), ("d2l-7.5.6", "-max(-a, -b)"),
    ("d2l-7.5.6", "-max(-b, -a)"), ("signals-ramp-step", "t^2/2 u(t)"),
    ("signals-exp-exp.a", "(e^(-a t) - e^(-b t))/(b - a) u(t)"),
    ("signals-geometric.a", "(a^(n+1) - b^(n+1))/(a - b) u[n]"),
    ("signals-boxes.b", "t u(t) - (t - 1) u(t - 1) - (t - 2) u(t - 2) + (t - 3) u(t - 3)"),
]


@pytest.mark.parametrize("part_id, text, reason", RESTATED)
def test_a_restated_question_gets_no_credit_and_a_reason(exported, part_id, text, reason):
    r = grade(text, exported[part_id])
    assert (r.status, r.score) == ("incorrect", 0), (part_id, text, str(r))
    assert reason in r.feedback, (part_id, text, r.feedback)
    assert "the question asks for" in r.feedback.lower()


@pytest.mark.parametrize("part_id, text", IN_THE_REQUIRED_FORM)
def test_an_answer_in_the_required_form_gets_full_credit(exported, part_id, text):
    r = grade(text, exported[part_id])
    assert r.status == "correct" and r.score == exported[part_id].points, (part_id, text, str(r))


def test_restatements_through_symconv_grade(tmp_path, capsys):
    """The exported keys.toml, as `symconv grade` reads it, refuses the restatements too."""
    import csv
    import json

    from symconv.cli import main

    keys_file = tmp_path / "keys.toml"
    assert main(["exercises", "keys", "--out", str(keys_file)]) == 0
    answers = tmp_path / "answers.csv"
    with open(answers, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["student", "part", "answer"])
        for i, (part_id, text, _reason) in enumerate(RESTATED):
            writer.writerow([f"r{i}", part_id, text])
        for i, (part_id, text) in enumerate(IN_THE_REQUIRED_FORM):
            writer.writerow([f"f{i}", part_id, text])
    results = tmp_path / "results.jsonl"
    code = main(["grade", "--key", str(keys_file), "--answers", str(answers), "--out",
                 str(results), "--workers", "0"])
    capsys.readouterr()
    assert code == 0
    rows = [json.loads(line) for line in results.read_text().splitlines()]
    assert len(rows) == len(RESTATED) + len(IN_THE_REQUIRED_FORM)
    for row in rows:
        if row["student"].startswith("r"):
            assert row["score"] == 0 and "asks for" in row["feedback"], row
        else:
            assert row["status"] == "correct", row


# --------------------------------------------------------------------------- self-contained prompts

def test_exported_prompts_are_self_contained(solved, exported):
    for part_id, k in exported.items():
        assert k.prompt, part_id
        assert "(None)" not in k.prompt and not re.search(r"\(\s*\)", k.prompt), (part_id, k.prompt)
        assert not re.search(r"previous exercise|exercise above|as before|keep the input",
                             k.prompt, re.IGNORECASE), (part_id, k.prompt)
    for s in solved.values():
        labels = [p.label for p in s.parts if p.label is not None]
        for part in s.parts:
            if part.label is not None:      # a labelled part says what it asks for
                assert part.prompt and part.prompt.strip(), part.id
                assert f"({part.label})" in s.exercise.prompt, part.id
        assert len(labels) == len(set(labels)), s.exercise.id
    one = exported["d2l-7.1.6"].prompt
    assert one.endswith("(the graded part: the discrete case)") and "(None)" not in one
    assert exported["signals-lti-recursive.b"].prompt.endswith("(b) step response")
    assert "3δ[n] + 6δ[n - 1] + 9δ[n - 2]" in exported["signals-moving-average.b"].prompt
    assert "adaptive average pooling" in exported["arch-alexnet.d"].prompt


# --------------------------------------------------------------------------- feedback true to its mistake

def _moment_solution(offsets, order):
    """Weights w on ``offsets`` with sum w o^q = q! [q == order] for q = 0..len - 1, or None."""
    import math

    import sympy as sp

    w = sp.symbols(f"w0:{len(offsets)}")
    eqs = [sum(wi * sp.Integer(o) ** q for wi, o in zip(w, offsets))
           - (math.factorial(order) if q == order else 0) for q in range(max(order + 1,
                                                                             len(offsets)))]
    sol = sp.linsolve(eqs, w)
    return None if sol == sp.EmptySet else [sp.nsimplify(v) for v in next(iter(sol))]


def _smallest_centred(order):
    m = 0
    while _moment_solution(list(range(-m, m + 1)), order) is None:
        m += 1
    return 2 * m + 1


def _independent(name):
    """The wrong reasoning each feedback names, recomputed by other means than the exercise
    uses: naive loops (``_brute``), the catalogue's independent shape walk (which does not use
    symconv.nn.shapes, where the exercises get their values), moment equations solved here."""
    from sympy import Matrix

    from symconv import architectures as arch
    from symconv.exercises import _brute
    from symconv.exercises.architectures import walk

    X = [[3 * i + j for j in range(3)] for i in range(3)]
    lenet = arch.get("lenet5").layers[:7]
    alex = [layer for layer in arch.get("alexnet").layers
            if layer.name and layer.name.startswith("features")]
    vgg = [layer for layer in arch.get("vgg16").layers
           if layer.name and layer.name.startswith("features")]

    def conv_same(layer):
        import dataclasses

        return dataclasses.replace(layer, padding=layer.kernel_size // 2) \
            if isinstance(layer, arch.Conv) else layer

    def size_rule_n_minus_k(side):
        for _ in range(2):              # a 5x5 convolution taken as n - 5, then 2x2 pooling
            side = (side - 5) // 2
        return side

    def fixed_classifier():
        return next(n for n in range(11, 400) if _ends_at(alex, n) == (256, 6, 6))

    table = {
        "whole input": lambda: Matrix([[max(max(row) for row in X)]]),
        "stride 2": lambda: Matrix(_brute.pool2d(X, 2, 2, "max")),
        "window sum": lambda: Matrix([[sum(X[i + a][j + b] for a in (0, 1) for b in (0, 1))
                                       for j in (0, 1)] for i in (0, 1)]),
        "n - 5": lambda: 16 * size_rule_n_minus_k(32) ** 2,
        "same padding": lambda: walk([conv_same(layer) for layer in lenet], (1, 32, 32))[0][0],
        "one pooling": lambda: walk([layer for layer in lenet if layer.name != "pool2"],
                                    (1, 32, 32))[0][0],
        "kernel side": lambda: alex[0].kernel_size,
        "fixed classifier": fixed_classifier,
        "no last pooling": lambda: list(walk(alex[:-1], (3, 224, 224))[0]),
        "four poolings": lambda: list(walk(vgg[:-1], (3, 224, 224))[0]),
        "one-sided f'": lambda: _moment_solution([0, 1, 2], 1),
        "centred stencil": lambda: [_smallest_centred(d) for d in range(1, 9)],
    }
    return table[name]()


def _ends_at(layers, n):
    from symconv.exercises.architectures import walk

    try:
        shape = walk(layers, (3, n, n))[0]
    except ValueError:
        return None
    return shape if min(shape[1:]) >= 1 else None


#: (part id, mistake index) -> (words its feedback must say, the wrong reasoning recomputed)
DERIVED_MISTAKES = {
    ("pooling-2x2.a", 1): ("whole 3x3 input", "whole input"),
    ("pooling-2x2.a", 2): ("stride 2", "stride 2"),
    ("pooling-2x2.b", 1): ("window sum", "window sum"),
    ("arch-lenet5.a", 0): ("not n - 5", "n - 5"),
    ("arch-lenet5.a", 1): ("'same') padding", "same padding"),
    ("arch-lenet5.a", 2): ("the second one takes 10 -> 5", "one pooling"),
    ("arch-alexnet.b", 0): ("last max pooling", "no last pooling"),
    ("arch-alexnet.d", 0): ("size of the first kernel", "kernel side"),
    ("arch-alexnet.d", 1): ("without the adaptive pooling", "fixed classifier"),
    ("arch-vgg16.a", 0): ("five poolings", "four poolings"),
    ("d2l-7.2.4.a", 0): ("one-sided first-derivative kernel", "one-sided f'"),
}


def test_mistake_values_follow_from_the_reasoning_their_feedback_names(solved):
    import sympy as sp

    parts = {p.id: p for p in _gradable(solved)}
    for (part_id, index), (words, reasoning) in DERIVED_MISTAKES.items():
        m = parts[part_id].key["mistakes"][index]
        assert words in m["feedback"], (part_id, index, m["feedback"])
        value, expected = m["answer"], _independent(reasoning)
        if isinstance(value, sp.MatrixBase) or isinstance(expected, sp.MatrixBase):
            assert sp.Matrix(value) == sp.Matrix(expected), (part_id, index, value, expected)
        else:
            assert value == expected, (part_id, index, value, expected)
    # d2l-7.2.4.c: the 'centred stencil' mistake is the size of the smallest centred stencil
    m = parts["d2l-7.2.4.c"].key["mistakes"][1]
    d = sp.Symbol("d", integer=True, positive=True)
    formula = m["answer"].xreplace({s: d for s in m["answer"].free_symbols})
    assert [formula.subs(d, k) for k in range(1, 9)] == _independent("centred stencil")
    # d2l-7.5.3.a: "right for a >= b, but for b > a it gives the mean (a + b)/2"
    m = parts["d2l-7.5.3.a"].key["mistakes"][1]
    a, b = sorted(m["answer"].free_symbols, key=lambda s: s.name)
    for va, vb in ((3, 1), (2, 2), (-1, -4), (1, 3), (-5, 2)):
        got = m["answer"].subs({a: va, b: vb})
        assert got == (va if va >= vb else sp.Rational(va + vb, 2)), (va, vb, got)


def test_mistakes_that_agree_with_the_answer_say_where(solved):
    """Report the domain points where a mistake equals the answer; each such mistake must
    say where (``mistake(..., agrees=...)``) so that its feedback can be read against it."""
    from symconv.exercises._audit import agreement_report, mistake_agreement

    parts = _gradable(solved)
    problems = []
    for part in parts:
        found = mistake_agreement(part)
        for i, m in enumerate(part.key.get("mistakes", ())):
            declared = m.get("_agrees")
            if i in found and not declared:
                problems.append(f"{part.id} mistake {i + 1} equals the answer at "
                                f"{found[i][0][:3]} but does not say where (agrees=...)")
            if declared and i not in found:
                problems.append(f"{part.id} mistake {i + 1} says it agrees where "
                                f"{declared!r}, but it never equals the answer on the grid")
    print(agreement_report(parts))
    assert not problems, "\n".join(problems)
    # the case: 2 floor((d + 1)/2) + 1 equals d + 1 exactly for the even d
    c = next(p for p in parts if p.id == "d2l-7.2.4.c")
    agree, compared = mistake_agreement(c)[1]
    assert {int(p["d"]) for p in agree} == set(range(2, 31, 2)) and compared == 30
    assert "when d is even" in c.key["mistakes"][1]["feedback"]
