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


def test_progress_bar_only_on_a_terminal():
    from symconv.exercises._cli import ProgressBar

    exercises = ex.all_exercises("pooling")
    tty, pipe = _Terminal(), io.StringIO()
    for stream in (tty, pipe):
        bar = ProgressBar(stream)
        for i, e in enumerate(exercises):
            bar(i, len(exercises), e)
        bar(len(exercises), len(exercises), None)
    assert pipe.getvalue() == ""
    text = tty.getvalue()
    assert text.count("\r") == len(exercises) + 1
    assert f"{len(exercises)}/{len(exercises)} done" in text and text.endswith(" s\n")
    assert "[" + "#" * 30 + "]" in text


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
