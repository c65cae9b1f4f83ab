"""The one exception family of symconv.

Every error a user can trigger is a :class:`SymconvError` (a ``ValueError``), and
its message says what was expected and what was given::

    stride must be a positive integer, but got 0

The few subclasses let callers tell the broad kinds apart without parsing text.
"""

from __future__ import annotations

__all__ = ["SymconvError", "ShapeError", "ParseError", "GradingError"]


class SymconvError(ValueError):
    """Base class of every error raised by symconv."""


class ShapeError(SymconvError):
    """An impossible shape or layer configuration (ranks, channels, sizes, padding)."""


class ParseError(SymconvError):
    """Text that could not be parsed safely (student answers, CLI arguments, proof lines).

    ``position`` is the 0-based character offset of the problem when one is known.
    """

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.position = position


class GradingError(SymconvError):
    """A malformed answer key or grading request (never raised for a student's answer)."""
