"""Batches an instructor can trust (issue 12): resume never serves a stale grade,
unknown parts are loud, and SIGTERM/SIGINT stop a run within a second, leaving no
process behind and keeping every finished row."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from symconv.cli import main
from symconv.grading import load_keys
from symconv.grading.batch import grade_batch

ROOT = Path(__file__).resolve().parents[1]
KEYS_PATH = ROOT / "tests" / "data" / "grading_keys.toml"
KEYS = load_keys(KEYS_PATH)
SLOW = "floor((n + 2p - k)/s) + sum(j^j, (j, s, 3000)) - sum(j^j, (j, s + 1, 3000))"


def read_jsonl(path):
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


# ---------------------------------------------------------------- resume is keyed on content

def test_resume_regrades_rows_whose_answer_changed(tmp_path):
    out = tmp_path / "out.jsonl"
    rows = [{"student": "a", "part": "full-length", "answer": "n + m - 1"},
            {"student": "b", "part": "full-length", "answer": "n + m"}]
    first = grade_batch(rows, KEYS, workers=0, out=out)
    assert [r["status"] for r in first.results] == ["correct", "partial"]
    rows[1] = dict(rows[1], answer="m + n - 1")            # b fixed the answer
    again = grade_batch(rows, KEYS, workers=0, out=out)
    assert again.summary["resumed"] == 1 and again.summary["changed"] == 1
    assert [r["status"] for r in again.results] == ["correct", "correct"]
    assert "REGRADED: 1 row" in str(again)
    assert [r["status"] for r in read_jsonl(out)] == ["correct", "correct"]


def test_resume_regrades_every_row_of_a_changed_key(tmp_path):
    out = tmp_path / "out.jsonl"
    rows = [{"student": s, "part": "q", "answer": "7"} for s in "abc"]
    keys = {"q": {"type": "integer", "answer": "7"}}
    assert grade_batch(rows, keys, workers=0, out=out).summary["counts"]["correct"] == 3
    keys = {"q": {"type": "integer", "answer": "8"}}              # the key was corrected
    again = grade_batch(rows, keys, workers=0, out=out)
    assert again.summary["changed"] == 3 and again.summary["resumed"] == 0
    assert again.summary["counts"]["incorrect"] == 3
    # unchanged: everything from the previous run, nothing regraded
    third = grade_batch(rows, keys, workers=0, out=out)
    assert (third.summary["resumed"], third.summary["changed"], third.summary["graded"]) == (3, 0, 0)


# ---------------------------------------------------------------- unknown parts are loud

def test_unknown_parts_are_reported_per_row_in_the_summary_and_by_the_exit_status(tmp_path, capsys):
    answers = tmp_path / "a.csv"
    answers.write_text("student,part,answer\nada,conv-size,floor((n+2p-k)/s)+1\n"
                       "ada,out_size,floor((n+2p-k)/s)+1\nben,out_size,1\n")
    out, book = tmp_path / "o.jsonl", tmp_path / "g.csv"
    code = main(["grade", "--key", str(KEYS_PATH), "--answers", str(answers), "--out", str(out),
                 "--workers", "0", "--csv", str(book)])
    captured = capsys.readouterr()
    assert code == 3
    assert "UNKNOWN PARTS: 'out_size' (2 rows)" in captured.out
    assert "--allow-unknown-parts" in captured.err
    rows = read_jsonl(out)
    assert rows[1]["status"] == "invalid" and "no answer key for part 'out_size'" in rows[1]["feedback"]
    assert "did you mean 'conv-size'" in rows[1]["feedback"] or "the key file has" in rows[1]["feedback"]
    assert "out_size" not in book.read_text().splitlines()[0]        # no gradebook column
    code = main(["grade", "--key", str(KEYS_PATH), "--answers", str(answers), "--out", str(out),
                 "--workers", "0", "--allow-unknown-parts"])
    assert code == 0


# ---------------------------------------------------------------- signals

def _children(pid):
    found = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found |= {int(x) for x in (task / "children").read_text().split()}
        except OSError:
            pass
    return found


def _alive(pid):
    try:
        with open(f"/proc/{pid}/status") as fh:
            state = [line for line in fh if line.startswith("State:")][0]
        return "Z" not in state.split()[1]
    except (OSError, IndexError):
        return False


def _run_and_signal(tmp_path, sig, to_group):
    rows = [{"student": f"fast{i}", "part": "full-length", "answer": "n + m - 1"} for i in range(6)]
    rows += [{"student": f"slow{i}", "part": "conv-size", "answer": SLOW} for i in range(30)]
    answers = tmp_path / "answers.jsonl"
    answers.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "out.jsonl"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "symconv", "grade", "--key", str(KEYS_PATH),
                             "--answers", str(answers), "--out", str(out), "--workers", "2",
                             "--time-limit", "20"], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        workers = set()
        while time.monotonic() < deadline:
            workers |= _children(proc.pid)
            if out.exists() and len(out.read_text().splitlines()) >= 6 and len(workers) >= 2:
                break
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.05)
        else:
            pytest.fail("the batch did not start grading in time")
        time.sleep(0.3)                    # both workers are now inside a slow answer
        workers |= _children(proc.pid)
        kept_before = len(out.read_text().splitlines())
        start = time.monotonic()
        if to_group:
            os.killpg(proc.pid, sig)       # what Ctrl-C at a terminal does
        else:
            proc.send_signal(sig)
        proc.wait(timeout=30)
        elapsed = time.monotonic() - start
        stderr = proc.stderr.read().decode()
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    time.sleep(0.2)
    return proc.returncode, elapsed, workers, kept_before, out, stderr


@pytest.mark.parametrize("sig, to_group, status", [(signal.SIGTERM, False, 143),
                                                   (signal.SIGINT, True, 130)])
def test_a_signal_stops_the_batch_within_a_second(tmp_path, sig, to_group, status):
    code, elapsed, workers, kept_before, out, stderr = _run_and_signal(tmp_path, sig, to_group)
    assert code == status, stderr
    assert elapsed < 1.0, f"shutdown took {elapsed:.2f} s"
    assert len(workers) >= 2
    assert not [pid for pid in workers if _alive(pid)], "a worker outlived the batch"
    kept = read_jsonl(out)                                  # every line complete
    assert len(kept) >= kept_before >= 6
    assert all(r["status"] == "correct" for r in kept if r["student"].startswith("fast"))
    assert "run the same command again" in stderr


def test_huge_floor_answers_get_a_grade_in_a_batch_too():
    rows = [{"student": "x", "part": "param-count", "answer": a}
            for a in ("floor(10^999/7)", "ceil(10^500/3)", "floor(10^999*sqrt(2))", "15")]
    report = grade_batch(rows, KEYS, workers=1, time_limit=10)
    assert [r["status"] for r in report.results] == ["incorrect"] * 3 + ["correct"]
    for r in report.results:
        assert "crashed" not in r["feedback"] and "Precision" not in r["feedback"]
