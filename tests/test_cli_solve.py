"""``symconv solve`` and ``symconv exercises`` through ``symconv.cli.main``.

The catalogue is solved once per process (``Exercise.solve`` caches), so the commands
below reuse the solutions computed by the first one.
"""

import csv
import io
import json
import shutil
import tomllib

import pytest

import symconv.exercises as ex
from symconv.cli import main
from symconv.grading import load_keys


def _run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    """``symconv solve --all --out DIR`` run once; returns (exit code, stdout, DIR)."""
    out_dir = tmp_path_factory.mktemp("book") / "solutions"
    buffer = io.StringIO()
    import contextlib

    with contextlib.redirect_stdout(buffer):
        code = main(["solve", "--all", "--out", str(out_dir)])
    return code, buffer.getvalue(), out_dir


def test_solve_all_writes_the_book(book):
    code, out, out_dir = book
    assert code == 0, out
    assert (out_dir / "solutions.tex").read_text().startswith(r"\documentclass")
    assert "60 exercises" in out or "exercises in" in out
    solutions = [e.solve() for e in ex.all_exercises()]
    counts = ex.summarize(solutions)
    lines = out.splitlines()

    def row(label):
        found = [line for line in lines if line.startswith(f"  {label:<32} ")]
        assert len(found) == 1, (label, out)
        return int(found[0][35:39])

    assert row("proven") == counts["proven"]
    # a confirmed exercise is counted by how it was confirmed, and only once
    split = [row("confirmed numerically"), row("confirmed on finitely many cases"),
             row("confirmed both ways")]
    assert sum(split) == counts["confirmed"] and min(split[:2]) > 0
    by_basis = [sum(1 for s in solutions if s.confirmed_by == basis)
                for basis in [("numerically",), ("on finitely many cases",),
                              ("numerically", "on finitely many cases")]]
    assert split == by_basis
    assert row("unverified") == 0
    assert row("not auto-gradable") == counts["not auto-gradable"]
    if shutil.which("pdflatex"):
        assert (out_dir / "solutions.pdf").stat().st_size > 10_000
        assert f"wrote {out_dir / 'solutions.pdf'}" in out
    keys = load_keys(str(out_dir / "keys.toml"))
    assert len(keys) == counts["gradable parts"]
    # no unfilled label or value leaks into the key file or the book
    for name in ("keys.toml", "solutions.tex"):
        assert "(None)" not in (out_dir / name).read_text(encoding="utf-8"), name


def test_solve_all_into_a_file_path_is_an_error(capsys, tmp_path):
    target = tmp_path / "afile"
    target.write_text("x")
    code, _out, err = _run(capsys, "solve", "--all", "--out", str(target), "--topic", "pooling",
                           "--no-pdf")
    assert code == 2 and "must be a directory" in err


def test_solve_topic_without_pdf(capsys, tmp_path):
    code, out, _err = _run(capsys, "solve", "--all", "--topic", "pooling", "--no-pdf",
                           "--out", str(tmp_path / "p"))
    assert code == 0
    assert "8 exercises" in out and "PDF not requested" in out
    assert not (tmp_path / "p" / "solutions.pdf").exists()
    tex = (tmp_path / "p" / "solutions.tex").read_text()
    assert "d2l-7.5.1" in tex and "d2l-7.2.1" not in tex


def test_solve_one(capsys):
    code, out, _err = _run(capsys, "solve", "images-corr2d")
    assert code == 0
    assert "[19  25]" in out and "[37  43]" in out
    assert "verification: proven" in out and "part id images-corr2d" in out


def test_solve_one_says_how_an_answer_was_confirmed(capsys):
    # a size formula checked exactly against brute force on a finite grid is not proven,
    # and not a numeric agreement either: the status says which
    code, out, _err = _run(capsys, "solve", "shapes-transposed-size")
    assert code == 0
    assert "status: confirmed on finitely many cases" in out
    assert "verification: confirmed on finitely many cases" in out
    assert "confirmed numerically" not in out
    code, out, _err = _run(capsys, "solve", "d2l-7.3.4")
    assert code == 0 and "status: confirmed numerically" in out
    assert "finitely many" not in out
    code, out, _err = _run(capsys, "solve", "signals-lti-recursive")
    assert "status: confirmed numerically and on finitely many cases" in out


def test_solve_one_latex(capsys):
    code, out, _err = _run(capsys, "solve", "D2L-7.5.3", "--latex")
    assert code == 0
    assert out.startswith(r"\documentclass") and r"\end{document}" in out
    assert "Model answer" in out


def test_solve_errors(capsys):
    code, _out, err = _run(capsys, "solve")
    assert code == 2 and "either an exercise id or --all" in err
    code, _out, err = _run(capsys, "solve", "x", "--all")
    assert code == 2 and "both" in err
    code, _out, err = _run(capsys, "solve", "no-such-thing")
    assert code == 2 and "catalogue" in err
    code, _out, err = _run(capsys, "solve", "images-corr2d", "--out", "d")
    assert code == 2 and "go with --all" in err
    code, _out, err = _run(capsys, "solve", "--all", "--topic", "nope", "--no-pdf")
    assert code == 2 and "topic must be one of" in err


def test_exercises_list_and_show(capsys):
    code, out, _err = _run(capsys, "exercises", "list")
    assert code == 0
    for e in ex.all_exercises():
        assert e.id in out
    assert f"{len(ex.all_exercises())} exercises" in out
    code, out, _err = _run(capsys, "exercises", "list", "--topic", "signals")
    assert "signals-exp-exp" in out and "d2l-7.2.1" not in out
    code, out, _err = _run(capsys, "exercises", "show", "d2l-7.2.1")
    assert code == 0 and "diagonal" in out and "symconv solve d2l-7.2.1" in out
    code, out, _err = _run(capsys, "exercises", "show", "d2l-7.2.1", "--solution")
    assert "verification" in out
    code, _out, err = _run(capsys, "exercises", "show", "d2l-99")
    assert code == 2


def test_exercises_keys_round_trip_through_symconv_grade(capsys, tmp_path):
    keys_file = tmp_path / "keys.toml"
    code, out, _err = _run(capsys, "exercises", "keys", "--out", str(keys_file))
    assert code == 0 and "answer keys" in out
    doc = tomllib.loads(keys_file.read_text())
    assert doc["format_version"] == 1
    keys = load_keys(str(keys_file))
    # a small class: one student types every reference answer, another every first mistake
    parts = [p for e in ex.all_exercises() for p in e.solve().parts if p.gradable]
    answers = tmp_path / "answers.csv"
    with open(answers, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["student", "part", "answer"])
        for p in parts:
            writer.writerow(["ref", p.id, p.text])
            mistakes = p.exported_key().get("mistakes")
            if mistakes:
                writer.writerow(["slip", p.id, mistakes[0]["answer"]])
    results = tmp_path / "results.jsonl"
    code, out, _err = _run(capsys, "grade", "--key", str(keys_file), "--answers", str(answers),
                           "--out", str(results), "--workers", "0")
    assert code == 0, out
    rows = [json.loads(line) for line in results.read_text().splitlines()]
    with open(answers, newline="", encoding="utf-8") as fh:
        assert len(rows) == len(list(csv.DictReader(fh)))
    for row in rows:
        key = keys[row["part"]]
        if row["student"] == "ref":
            assert row["status"] == "correct" and row["score"] == key.points, row
        else:
            assert row["mistake"] == 0, row
            assert row["score"] == pytest.approx(key.mistakes[0].credit * key.points), row


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_is_a_bar_on_a_terminal_and_lines_elsewhere():
    from symconv.exercises._cli import ProgressBar

    exercises = ex.all_exercises("pooling") + ex.all_exercises("channels")[:2]
    tty, pipe = _Terminal(), io.StringIO()
    for stream in (tty, pipe):
        bar = ProgressBar(stream, label="symconv solve")
        for i, e in enumerate(exercises):
            bar(i, len(exercises), e)
        bar(len(exercises), len(exercises), None)
    text = tty.getvalue()
    assert text.count("\r") == len(exercises) + 1
    assert f"{len(exercises)}/{len(exercises)} done" in text and text.endswith(" s\n")
    assert "[" + "#" * 30 + "]" in text and "symconv solve:" not in text
    # not a terminal: no redrawing, one line per topic and one at the end
    lines = pipe.getvalue().splitlines()
    assert "\r" not in pipe.getvalue() and len(lines) == 3, lines
    assert lines[0].startswith("symconv solve: 0/10 exercises done (")
    assert lines[0].endswith(f"topic pooling, starting with {exercises[0].id}")
    assert lines[1].startswith("symconv solve: 8/10 exercises done (")
    assert lines[1].endswith(f"topic channels, starting with {exercises[8].id}")
    assert lines[2].startswith("symconv solve: 10/10 exercises done in ")


def test_progress_lines_keep_coming_while_one_exercise_runs_long():
    import time

    from symconv.exercises._cli import ProgressBar

    first, second = ex.all_exercises("pooling")[:2]
    pipe = io.StringIO()
    bar = ProgressBar(pipe, interval=0.1)
    bar(0, 2, first)
    time.sleep(0.6)                       # a slow exercise
    bar(1, 2, second)
    bar(2, 2, None)
    lines = pipe.getvalue().splitlines()
    still = [line for line in lines if f"still on {first.id}" in line]
    assert len(still) >= 2, lines
    assert lines[-1].startswith("symconv: 2/2 exercises done in ")
    bar.close()
    time.sleep(0.3)                       # the timer has stopped: nothing more is written
    assert pipe.getvalue().splitlines() == lines


def test_solve_reports_progress_when_stderr_is_not_a_terminal(capsys, tmp_path):
    code, _out, err = _run(capsys, "solve", "--all", "--topic", "pooling", "--no-pdf",
                           "--out", str(tmp_path / "p"))
    assert code == 0
    lines = err.splitlines()
    assert lines[0].startswith("symconv solve: 0/8 exercises done (")
    assert "topic pooling" in lines[0]
    assert lines[-1].startswith("symconv solve: 8/8 exercises done in ")


def test_solve_never_overwrites_what_it_did_not_write(capsys, tmp_path):
    out_dir = tmp_path / "book"
    out_dir.mkdir()
    mine = out_dir / "notes.txt"
    mine.write_text("my notes")
    args = ["solve", "--all", "--topic", "pooling", "--no-pdf", "--out", str(out_dir)]
    code, out, err = _run(capsys, *args)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert "notes.txt (not written by symconv solve)" in err and "--force" in err
    assert sorted(p.name for p in out_dir.iterdir()) == ["notes.txt"]
    # --force writes the book beside the user's file, which stays as it was
    code, _out, _err = _run(capsys, *args, "--force")
    assert code == 0 and mine.read_text() == "my notes"
    assert (out_dir / "solutions.tex").is_file() and (out_dir / "keys.toml").is_file()
    # still a foreign file there: refused again without --force
    code, _out, err = _run(capsys, *args)
    assert code == 2 and "notes.txt" in err


def test_solve_reruns_into_its_own_output(capsys, tmp_path):
    import json as _json

    from symconv.exercises._cli import MANIFEST

    out_dir = tmp_path / "book"
    args = ["solve", "--all", "--topic", "pooling", "--no-pdf", "--out", str(out_dir)]
    assert _run(capsys, *args)[0] == 0
    assert _run(capsys, *args)[0] == 0                     # its own files: fine
    manifest = _json.loads((out_dir / MANIFEST).read_text())
    assert sorted(manifest["files"]) == ["keys.toml", "solutions.tex"]
    # an own PDF from an earlier run is removed when no new one is made (never stale)
    pdf = out_dir / "solutions.pdf"
    pdf.write_bytes(b"%PDF-1.5 earlier")
    manifest["files"]["solutions.pdf"] = __import__("hashlib").sha256(pdf.read_bytes()).hexdigest()
    (out_dir / MANIFEST).write_text(_json.dumps(manifest))
    code, out, _err = _run(capsys, *args)
    assert code == 0 and not pdf.exists() and "removed the solutions.pdf of an earlier run" in out
    # a book file the user edited since is theirs now
    tex = out_dir / "solutions.tex"
    tex.write_text(tex.read_text() + "% my remark\n")
    code, _out, err = _run(capsys, *args)
    assert code == 2 and "solutions.tex (changed since symconv solve wrote it)" in err
    assert tex.read_text().endswith("% my remark\n")


def test_a_broken_exercise_is_reported_not_hidden(capsys, monkeypatch, tmp_path):
    from symconv.exercises._registry import Exercise

    def explode(_builder):
        raise ZeroDivisionError("division by zero")

    broken = Exercise("broken-one", "signals", "A broken exercise", "prompt", "test", explode)
    monkeypatch.setattr(ex, "get", lambda _id: broken)
    code, _out, err = _run(capsys, "solve", "broken-one")
    assert code == 2 and "ZeroDivisionError" in err and "broken-one" in err
    pooling = ex.all_exercises("pooling")
    monkeypatch.setattr(ex, "all_exercises", lambda topic=None: pooling[:2] + [broken])
    code, out, _err = _run(capsys, "solve", "--all", "--no-pdf", "--out", str(tmp_path / "b"))
    assert code == 1
    assert f"  {'FAILED to solve':<32}    1" in out and "broken-one: ZeroDivisionError" in out


# ---------------------------------------------------------------------------
# figures in the book (issue 15)
# ---------------------------------------------------------------------------

def _included(tex):
    import re

    return re.findall(r"\\includegraphics\[[^\]]*\]\{([^}]+)\}", tex)


def test_the_book_has_its_figures(book):
    import hashlib
    import re

    from symconv.exercises._cli import MANIFEST

    code, out, out_dir = book
    assert code == 0, out
    tex = (out_dir / "solutions.tex").read_text()
    included = _included(tex)
    declared = [f for e in ex.all_exercises() for f in e.solve().figures]
    assert len(included) >= 30 and len(included) == len(declared)
    assert len(set(included)) == len(included)
    assert r"\usepackage{graphicx}" in tex and r"\listoffigures" in tex
    assert tex.count(r"\caption{") == len(included)
    assert f"wrote {len(included)} figures into" in out
    manifest = json.loads((out_dir / MANIFEST).read_text())["files"]
    for rel in included:
        path = out_dir / rel
        data = path.read_bytes()
        # a PDF file: header, cross-reference table and end marker, one page drawn
        assert data.startswith(b"%PDF-1.") and data.rstrip().endswith(b"%%EOF"), rel
        assert b"startxref" in data and len(re.findall(rb"/Type\s*/Page\b", data)) == 1, rel
        assert manifest[rel] == hashlib.sha256(data).hexdigest()
    # every figure file is one the book shows: nothing else was written into figures/
    assert sorted(p.name for p in (out_dir / "figures").iterdir()) == \
        sorted(rel.split("/")[1] for rel in included)
    # each figure appears where its exercise declared it: after the exercise's heading
    for figure in declared[:5]:
        exercise_id = figure.name.rsplit("-", 1)[0]
        assert tex.index(f"figures/{figure.name}.pdf") > tex.index(r"\section*{"), exercise_id
    if shutil.which("pdflatex"):
        assert (out_dir / "solutions.pdf").stat().st_size > 500_000   # the figures are in


def test_every_topic_with_pictures_declares_them():
    by_topic = {}
    for e in ex.all_exercises():
        by_topic.setdefault(e.topic, []).append(len(e.solve().figures))
    # every signals exercise shows f, g and the result; every padding/stride exercise with
    # a computed size its layer diagram; every learning exercise a loss curve or kernel
    assert all(by_topic["signals"])
    assert sum(map(bool, by_topic["padding-stride"])) >= 8
    assert all(by_topic["learning"]) and all(by_topic["backprop"])
    assert sum(map(bool, by_topic["architectures"])) >= 4


def test_figures_are_own_files_on_a_rerun(capsys, tmp_path):
    import hashlib

    from symconv.exercises._cli import MANIFEST

    out_dir = tmp_path / "book"
    args = ["solve", "--all", "--topic", "backprop", "--no-pdf", "--out", str(out_dir)]
    code, out, _err = _run(capsys, *args)
    assert code == 0, out
    figures = sorted(p.name for p in (out_dir / "figures").iterdir())
    assert figures and all(name.endswith(".pdf") for name in figures)
    assert _run(capsys, *args)[0] == 0                     # its own figures: fine
    # a figure recorded by an earlier run that this run does not draw is removed
    stale = out_dir / "figures" / "old-exercise-1.pdf"
    stale.write_bytes(b"%PDF-1.4 old")
    manifest = json.loads((out_dir / MANIFEST).read_text())
    manifest["files"]["figures/old-exercise-1.pdf"] = hashlib.sha256(stale.read_bytes()).hexdigest()
    (out_dir / MANIFEST).write_text(json.dumps(manifest))
    assert _run(capsys, *args)[0] == 0 and not stale.exists()
    # a file in figures/ that solve did not write is the user's: refused, kept with --force
    mine = out_dir / "figures" / "my-sketch.pdf"
    mine.write_bytes(b"mine")
    code, _out, err = _run(capsys, *args)
    assert code == 2 and "figures/my-sketch.pdf (not written by symconv solve)" in err
    assert _run(capsys, *args, "--force")[0] == 0 and mine.read_bytes() == b"mine"
    # an own figure edited since is the user's too
    mine.unlink()
    edited = out_dir / "figures" / figures[0]
    edited.write_bytes(edited.read_bytes() + b"\n% edited")
    code, _out, err = _run(capsys, *args)
    assert code == 2 and f"figures/{figures[0]} (changed since symconv solve wrote it)" in err


def test_a_figure_that_cannot_be_drawn_is_reported(capsys, monkeypatch, tmp_path):
    from symconv.exercises._registry import Exercise

    def with_bad_figure(s):
        s.figure("A layer that cannot exist.", "plot_layer", 2, 5)   # kernel > input
        s.part(answer=1, checks=[ex.Check("proven", "exact", "1 = 1")])

    bad = Exercise("bad-figure", "pooling", "A bad figure", "prompt", "test", with_bad_figure)
    pooling = ex.all_exercises("pooling")
    monkeypatch.setattr(ex, "all_exercises", lambda topic=None: pooling[:1] + [bad])
    code, out, _err = _run(capsys, "solve", "--all", "--no-pdf", "--out", str(tmp_path / "b"))
    assert code == 1 and "FAILED to draw figure bad-figure-1: ShapeError: " in out
    assert "but got 2 < 5" in out        # the library's own reason, not a traceback
    assert "figures/bad-figure-1.pdf" not in (tmp_path / "b" / "solutions.tex").read_text()


def test_figure_declarations_are_checked():
    from symconv.errors import SymconvError
    from symconv.exercises._registry import Exercise, SolutionBuilder

    builder = SolutionBuilder(Exercise("d2l-7.9.9", "pooling", "t", "p", "s", None))
    with pytest.raises(SymconvError, match="one of plot_signals.*but got 'plot_nothing'"):
        builder.figure("caption", "plot_nothing")
    with pytest.raises(SymconvError, match="needs a caption"):
        builder.figure("  ", "plot_layer", 3, 2)
    first = builder.figure("A layer.", "plot_layer", 3, 2)
    second = builder.figure("Another.", "plot_kernel", [1, -1])
    assert (first.name, second.name) == ("d2l-7-9-9-1", "d2l-7-9-9-2")   # no dots for LaTeX
    assert first.make().axes and second.make().axes
