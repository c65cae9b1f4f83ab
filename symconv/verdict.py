"""The one vocabulary of verification: :class:`Status`.

Every check in symconv ends in one of four states, whatever it checked:

``proven``
    established exactly (symbolically), for every value of the symbols;
``confirmed``
    not decided symbolically, but agreed with an independent computation on the
    instances shown (seeded, with a stated tolerance): strong evidence, not a proof;
``refuted``
    a concrete instance (a counterexample) shows it is wrong;
``unverified``
    neither decided nor testable: nothing is claimed.

Results keep the words of their own trade where a reader expects them -- a numeric
cross-check *agrees* or *disagrees*, a grade is *equivalent* or *not equivalent* -- and
each family maps them to :class:`Status` through :meth:`Status.of` (its ``verdict``
property), so the exercise catalogue, :func:`symconv.explain` and the reports combine
them with one rule: the weakest wins (:func:`weakest`).

>>> Status.of("agree"), Status.of("not verified"), Status.of("proven")
(<Status.CONFIRMED: 'confirmed'>, <Status.UNVERIFIED: 'unverified'>, <Status.PROVEN: 'proven'>)
>>> weakest(["proven", Status.CONFIRMED, "proven"])
<Status.CONFIRMED: 'confirmed'>
>>> Status.REFUTED == "refuted"
True
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum

from symconv.errors import SymconvError

__all__ = ["Status", "ORDER", "weakest"]


class Status(str, Enum):
    """How far a claim was established (a ``str``: it compares equal to its word)."""

    PROVEN = "proven"
    CONFIRMED = "confirmed"
    REFUTED = "refuted"
    UNVERIFIED = "unverified"

    def __str__(self) -> str:
        return self.value

    @classmethod
    def of(cls, word: str | Status) -> Status:
        """The status a family's own word stands for (see the module notes)."""
        if isinstance(word, Status):
            return word
        try:
            return _WORDS[word]
        except (KeyError, TypeError):
            raise SymconvError(f"a verification status must be one of "
                               f"{', '.join(sorted(_WORDS))}, but got {word!r}") from None


#: weakest first: what :func:`weakest` and the catalogue's summaries order by
ORDER = (Status.REFUTED, Status.UNVERIFIED, Status.CONFIRMED, Status.PROVEN)

_WORDS = {
    # proofs, kernels, exercises
    "proven": Status.PROVEN, "confirmed": Status.CONFIRMED, "refuted": Status.REFUTED,
    "unverified": Status.UNVERIFIED,
    # a proof whose steps are proven or only confirmed (its top line: PLAUSIBLE)
    "plausible": Status.CONFIRMED, "undecided": Status.UNVERIFIED,
    # numeric cross-checks (symconv.verify)
    "agree": Status.CONFIRMED, "disagree": Status.REFUTED, "not verified": Status.UNVERIFIED,
}


def weakest(statuses: Iterable[str | Status]) -> Status:
    """The weakest of ``statuses`` (a chain of claims is only as good as its weakest);
    ``unverified`` when there are none."""
    found = [Status.of(s) for s in statuses]
    return min(found, key=ORDER.index) if found else Status.UNVERIFIED
