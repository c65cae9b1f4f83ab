"""The answer corpus (tests/data/grading_corpus.jsonl): every answer gets its expected
outcome, and hostile answers leave no trace."""

import collections
import json
import os
import subprocess
import time
from pathlib import Path

from symconv.grading import grade, load_keys

DATA = Path(__file__).parent / "data"
KEYS = load_keys(DATA / "grading_keys.toml")


def expand(answer):
    """Corpus rows store huge hostile strings compactly."""
    if isinstance(answer, dict):
        text = answer["repeat"] * answer["times"]
        if "then" in answer:
            text += answer["then"] + answer["close"] * answer["times"]
        return text
    return answer


def load_corpus():
    with open(DATA / "grading_corpus.jsonl", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


CORPUS = load_corpus()


def expected_score(row):
    points = KEYS[row["part"]].points
    if row["status"] == "correct":
        return points
    return row.get("credit", 0.0) * points


def test_corpus_is_large_and_covers_every_kind():
    assert len(CORPUS) >= 300
    kinds = collections.Counter(row["category"] for row in CORPUS)
    for kind in ("equivalent form", "anticipated mistake", "unanticipated wrong", "malformed",
                 "hostile", "too slow", "wrong form", "wrong type", "unknown variable"):
        assert kinds[kind] > 0, kind
    assert kinds["hostile"] >= 70
    statuses = collections.Counter(row["status"] for row in CORPUS)
    assert set(statuses) == {"correct", "partial", "incorrect", "invalid", "timeout"}
    assert {row["part"] for row in CORPUS} <= set(KEYS)


def test_every_corpus_answer_gets_its_expected_outcome(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    spawned = []

    def forbidden(*args, **kwargs):
        spawned.append(args)
        raise AssertionError("grading tried to run a process")

    for name in ("system", "popen", "execv", "execve", "execvp", "fork", "spawnv"):
        if hasattr(os, name):
            monkeypatch.setattr(os, name, forbidden)
    monkeypatch.setattr(subprocess, "Popen", forbidden)

    failures = []
    for row in CORPUS:
        text = expand(row["answer"])
        limit = 1.0 if row["status"] == "timeout" else 10.0
        start = time.monotonic()
        result = grade(text, KEYS[row["part"]], time_limit=limit)
        elapsed = time.monotonic() - start
        want = (row["status"], expected_score(row))
        got = (result.status, result.score)
        if got[0] != want[0] or abs(got[1] - want[1]) > 1e-9:
            failures.append(f"#{row['id']} {row['part']} {text[:60]!r}: expected {want}, got {got}: "
                            f"{result.feedback[:120]} [{row['note']}]")
        if row["category"] == "hostile" and elapsed > 1.0:
            failures.append(f"#{row['id']} hostile answer took {elapsed:.2f} s")
        if row["status"] == "timeout" and elapsed > limit + 1.5:
            failures.append(f"#{row['id']} timeout answer took {elapsed:.2f} s (limit {limit})")
    assert not failures, "\n".join(failures)
    assert spawned == []
    assert list(tmp_path.iterdir()) == []            # no file created by any answer
    assert not os.path.exists("/tmp/pwned") or os.path.getmtime("/tmp/pwned") < time.time() - 3600


def test_invalid_answers_explain_what_was_wrong_and_where():
    for row in CORPUS:
        if row["status"] != "invalid" or not isinstance(row["answer"], str) or not row["answer"].strip():
            continue
        result = grade(row["answer"], KEYS[row["part"]])
        if KEYS[row["part"]].type in ("text", "proof"):
            continue
        assert "could not be read" in result.feedback, row
        # where: a position, or the whole answer (a condition such as a < b < c is no value)
        assert "at position" in result.feedback or "ends too early" in result.feedback \
            or "is a condition" in result.feedback, row
