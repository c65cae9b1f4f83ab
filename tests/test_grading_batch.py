"""Batch grading: isolated workers, limits, crash retry, resume, exports, CLI, Dask."""

import csv
import json
import os
import pickle
import signal
import threading
import time
from pathlib import Path

import pytest

from symconv.cli import main
from symconv.grading import load_keys
from symconv.grading.batch import IsolatedGrader, grade_batch, read_answers, write_gradebook, \
    write_gradescope

DATA = Path(__file__).parent / "data"
KEYS_PATH = DATA / "grading_keys.toml"
KEYS = load_keys(KEYS_PATH)


def corpus_rows():
    from tests.test_grading_corpus import CORPUS, expand, expected_score

    rows = []
    for row in CORPUS:
        rows.append({"student": f"s{row['id'] % 37}", "part": row["part"],
                     "answer": expand(row["answer"]), "_expected": (row["status"], expected_score(row))})
    return rows


def write_jsonl(path, rows):
    with open(path, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps({k: r[k] for k in ("student", "part", "answer")}) + "\n")


def read_jsonl(path):
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory):
    """The whole corpus through `symconv grade` with two isolated workers."""
    tmp = tmp_path_factory.mktemp("batch")
    rows = corpus_rows()
    answers = tmp / "answers.jsonl"
    write_jsonl(answers, rows)
    out, gs, book = tmp / "results.jsonl", tmp / "results.json", tmp / "grades.csv"
    cwd = os.getcwd()
    os.chdir(tmp)
    try:
        code = main(["grade", "--key", str(KEYS_PATH), "--answers", str(answers), "--out", str(out),
                     "--gradescope", str(gs), "--csv", str(book), "--workers", "2",
                     "--time-limit", "3"])
    finally:
        os.chdir(cwd)
    return {"code": code, "rows": rows, "out": out, "gs": gs, "book": book, "tmp": tmp}


def test_cli_grades_every_row_with_the_expected_outcome(corpus_run, capsys):
    assert corpus_run["code"] == 0
    results = read_jsonl(corpus_run["out"])
    rows = corpus_run["rows"]
    assert len(results) == len(rows)                              # rows in = rows out
    assert [r["row"] for r in results] == list(range(len(rows)))  # input order
    bad = []
    for row, res in zip(rows, results):
        assert (res["student"], res["part"]) == (row["student"], row["part"])
        status, score = row["_expected"]
        if res["status"] != status or abs(res["score"] - score) > 1e-9:
            bad.append((row["answer"][:50], row["_expected"], res["status"], res["score"],
                        res["feedback"][:80]))
        assert set(res) >= {"student", "part", "score", "max_score", "status", "feedback"}
    assert not bad, bad
    # hostile answers left nothing in the working directory
    assert sorted(p.name for p in corpus_run["tmp"].iterdir()) == \
        ["answers.jsonl", "grades.csv", "results.json", "results.jsonl"]


def test_gradescope_and_gradebook_exports(corpus_run):
    doc = json.loads(corpus_run["gs"].read_text())
    results = read_jsonl(corpus_run["out"])
    students = {r["student"] for r in results}
    assert set(doc) == students
    some = doc["s0"]
    assert set(some) >= {"score", "tests"}
    for test in some["tests"]:
        assert set(test) >= {"name", "score", "max_score", "output", "visibility"}
        assert test["visibility"] == "visible"
    mine = [r for r in results if r["student"] == "s0"]
    assert some["score"] == pytest.approx(sum(r["score"] for r in mine))
    with open(corpus_run["book"], newline="") as fh:
        table = list(csv.reader(fh))
    assert table[0][0] == "student" and table[0][-2:] == ["total", "max_total"]
    assert len(table) == 1 + len(students)
    assert set(table[0][1:-2]) >= {r["part"] for r in results}


def test_single_student_gradescope_file_is_the_standard_object(tmp_path):
    results = [{"row": 0, "student": "ada", "part": "q1", "score": 1.0, "max_score": 2.0,
                "status": "partial", "feedback": "close", "seconds": 0.01}]
    doc = write_gradescope(results, tmp_path / "r.json")
    assert doc["score"] == 1.0 and doc["tests"][0]["max_score"] == 2.0
    assert json.loads((tmp_path / "r.json").read_text()) == doc
    text = write_gradebook(results, tmp_path / "g.csv")
    assert text.splitlines() == ["student,q1,total,max_total", "ada,1,1,2"]


def test_resume_skips_graded_rows_and_repairs_a_torn_line(tmp_path):
    rows = [{"student": f"st{i}", "part": "full-length", "answer": a}
            for i, a in enumerate(["n + m - 1", "n + m", "n m", "m + n - 1", "(", "n+m-1"] * 2)]
    out = tmp_path / "out.jsonl"
    first = grade_batch(rows, KEYS, workers=0, out=out)
    lines = out.read_text().splitlines(keepends=True)
    assert len(lines) == len(rows)
    # simulate a run killed while writing: 4 complete lines and a torn fifth
    out.write_text("".join(lines[:4]) + lines[4][:17])
    second = grade_batch(rows, KEYS, workers=1, out=out)
    assert second.summary["resumed"] == 4 and second.summary["graded"] == len(rows) - 4
    final = read_jsonl(out)
    assert [r["row"] for r in final] == list(range(len(rows)))
    strip = lambda r: {k: v for k, v in r.items() if k != "seconds"}  # noqa: E731
    assert [strip(r) for r in final] == [strip(r) for r in first.results]
    third = grade_batch(rows, KEYS, workers=1, out=out)
    assert third.summary["graded"] == 0 and len(read_jsonl(out)) == len(rows)


def test_malformed_input_rows_still_get_an_output_row(tmp_path):
    path = tmp_path / "answers.jsonl"
    path.write_text('{"student": "a", "part": "full-length", "answer": "n+m-1"}\n'
                    'not json\n'
                    '{"student": "b", "part": "no-such-part", "answer": "1"}\n'
                    '{"part": "full-length", "answer": "1"}\n'
                    '{"student": "c", "part": "full-length", "answer": 7}\n')
    rows = read_answers(path)
    report = grade_batch(rows, KEYS, workers=0)
    statuses = [r["status"] for r in report.results]
    assert statuses == ["correct", "invalid", "invalid", "invalid", "incorrect"]
    assert "not valid JSON" in report.results[1]["feedback"]
    assert "no answer key" in report.results[2]["feedback"]
    csv_path = tmp_path / "answers.csv"
    csv_path.write_text('student,part,answer\nd,full-length,"n + m - 1"\ne,full-length\n')
    report = grade_batch(csv_path, KEYS, workers=0)
    assert [r["status"] for r in report.results] == ["correct", "invalid"]


def test_summary_counts_histogram_and_slowest():
    rows = [{"student": "x", "part": "conv-size", "answer": a}
            for a in ["floor((n+2p-k)/s)+1", "floor((n+2p-k)/s)", "n", "((("]]
    report = grade_batch(rows, KEYS, workers=0)
    s = report.summary
    assert s["counts"] == {"correct": 1, "partial": 1, "incorrect": 1, "invalid": 1, "timeout": 0}
    assert s["histogram"]["100%"] == 1 and s["histogram"]["26-50%"] == 1 and s["histogram"]["0%"] == 2
    assert len(s["slowest"]) == 4 and s["rows_in"] == s["rows_out"] == 4
    assert "outcomes: correct 1" in str(report)


def test_worker_hard_limit_crash_retry_and_memory_limit():
    blob = pickle.dumps(KEYS)
    with IsolatedGrader(blob, time_limit=1.0, grace=1.0) as g:
        assert g.grade("full-length", "n + m - 1")["status"] == "correct"
        # a worker that stops answering (frozen: signals cannot help) is killed
        os.kill(g.proc.pid, signal.SIGSTOP)
        start = time.monotonic()
        r = g.grade("full-length", "n + m", 1.0)
        assert r["status"] == "timeout" and "worker was stopped" in r["feedback"]
        assert time.monotonic() - start < 5
        assert g.grade("full-length", "n + m")["status"] == "partial"   # a fresh worker
        # a worker that died between answers is replaced
        g.proc.kill()
        g.proc.wait()
        assert g.grade("full-length", "m + n - 1")["status"] == "correct"
        # a worker that dies while grading: the answer is retried once in a new worker
        restarts = g.restarts
        proc = g.proc
        threading.Timer(0.3, proc.kill).start()
        r = g.grade("conv-size", "floor((n+2p-k)/s) + sum(j^j, (j, s, 3000)) - "
                                 "sum(j^j, (j, s+1, 3000))", 2.0)
        assert g.proc is not proc and g.restarts == restarts + 1
        assert r["status"] == "timeout"                  # the retry ran into the time limit
    # an answer whose evaluation needs gigabytes hits the memory limit, not the machine
    with IsolatedGrader(blob, time_limit=20.0, memory_limit=300 << 20) as g:
        r = g.grade("conv-size", "floor((n+2p-k)/s)+1 + sum(2^j, (j, s, 10^10)) - "
                                 "sum(2^j, (j, s+1, 10^10)) - 2^s", 2.0)
        assert r["status"] == "timeout" and "memory limit" in r["feedback"]
        assert g.grade("conv-size", "floor((n+2p-k)/s)+1")["status"] == "correct"


def test_cli_reports_bad_arguments(tmp_path, capsys):
    answers = tmp_path / "a.csv"
    answers.write_text("student,part,answer\na,full-length,n+m-1\n")
    assert main(["grade", "--key", str(tmp_path / "none.toml"), "--answers", str(answers),
                 "--out", str(tmp_path / "o.jsonl")]) == 2
    assert "cannot read the key file" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    bad.write_text("who,what\n1,2\n")
    assert main(["grade", "--key", str(KEYS_PATH), "--answers", str(bad),
                 "--out", str(tmp_path / "o.jsonl")]) == 2
    assert "must have the columns" in capsys.readouterr().err
    assert main(["grade", "--key", str(KEYS_PATH), "--answers", str(answers),
                 "--out", str(tmp_path / "o.jsonl"), "--workers", "0", "--summary-json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["counts"]["correct"] == 1


def test_scheduler_without_distributed_names_the_extra(tmp_path, capsys, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "distributed", None)
    answers = tmp_path / "a.csv"
    answers.write_text("student,part,answer\na,full-length,n+m-1\n")
    out = tmp_path / "o.jsonl"
    assert main(["grade", "--key", str(KEYS_PATH), "--answers", str(answers), "--out", str(out),
                 "--scheduler", "tcp://127.0.0.1:1"]) == 2
    err = capsys.readouterr().err
    assert "pip install 'symconv[dask]'" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1 and not out.exists()


def test_dask_cluster_gives_the_same_results():
    distributed = pytest.importorskip("distributed")
    rows = [r for r in corpus_rows() if r["_expected"][0] != "timeout"][::9]
    local = grade_batch(rows, KEYS, workers=2)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster:
        remote = grade_batch(rows, KEYS, scheduler=cluster.scheduler_address, chunk_size=8)
    strip = lambda r: {k: v for k, v in r.items() if k != "seconds"}  # noqa: E731
    assert [strip(r) for r in remote.results] == [strip(r) for r in local.results]
    assert len(remote.results) == len(rows)


def test_summary_escapes_control_characters_of_student_ids():
    """Student ids come from the answers file: an escape sequence in one must be shown
    in the printed summary, not sent to the terminal."""
    from symconv.grading.batch import format_summary

    summary = {"rows_in": 1, "rows_out": 1, "resumed": 0, "graded": 1,
               "counts": {"correct": 1}, "histogram": {}, "seconds": 0.1,
               "answers_per_second": 10.0,
               "slowest": [{"row": 0, "student": "eve\x1b[2J\u202e", "part": "q",
                            "status": "correct", "seconds": 0.1}]}
    text = format_summary(summary)
    assert "\x1b" not in text and "\u202e" not in text
    assert "eve\\x1b[2J\\u202e" in text
