"""Auto-grading of student answers: safe parsing, equivalence, answer keys, batches.

>>> import symconv.grading as sg
>>> key = {"type": "expression", "answer": "2n + 1", "points": 1,
...        "variables": {"n": {"domain": "integer", "min": 0, "max": 20}}}
>>> sg.grade("1 + n + n", key).status
'correct'
>>> r = sg.grade("2n", key)
>>> r.status, r.feedback
('incorrect', 'The answer differs from the expected one by the constant -1.')

See :func:`grade`, :func:`equivalent`, :func:`parse_answer`, :class:`AnswerKey`,
:func:`load_keys` and :func:`grade_batch`; the key format is documented in
``docs/answer-keys.md``.
"""

from symconv.grading.equivalence import TrailEntry, Verdict, equivalent
from symconv.grading.grader import STATUSES, GradeResult, grade, parse_answer
from symconv.grading.keys import AnswerKey, Mistake, Variable, as_key, load_keys

__all__ = ["parse_answer", "equivalent", "grade", "grade_batch", "AnswerKey", "Mistake",
           "Variable", "load_keys", "as_key", "GradeResult", "Verdict", "TrailEntry",
           "STATUSES"]


def __getattr__(name):
    if name in ("grade_batch", "BatchReport"):
        from symconv.grading import batch

        return getattr(batch, name)
    raise AttributeError(f"module 'symconv.grading' has no attribute {name!r}")
