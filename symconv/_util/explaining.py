"""Text helpers for the ``__explain__`` methods of result classes (see
:func:`symconv.explain`): every class that :func:`symconv.explain` understands says
in its own module how it was obtained and checked, with these helpers for layout.

>>> wrap("a long sentence that is wrapped", "  ", width=16)
['  a long', '    sentence', '    that is', '    wrapped']
>>> short("x" * 10, limit=8)
'xxxxx...'
"""

from __future__ import annotations

import textwrap

__all__ = ["WIDTH", "wrap", "short"]

#: the width of explain()'s text
WIDTH = 88


def wrap(text: str, indent: str = "", subsequent: str | None = None,
         width: int = WIDTH) -> list[str]:
    """Fill ``text`` to the width; ``subsequent`` indents the continuation lines (default:
    ``indent`` plus two spaces)."""
    sub = indent + "  " if subsequent is None else subsequent
    return textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=sub,
                         break_long_words=False, break_on_hyphens=False) or [indent.rstrip()]


def short(value: object, limit: int = 300) -> str:
    """``value`` on one line (SymPy objects in ``sstr`` form), cut to ``limit`` characters."""
    if hasattr(value, "free_symbols"):
        from symconv._util.sympy_safety import sstr

        text = sstr(value)
    else:
        text = str(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 3] + "..."
