"""Terminal text: what a user typed, made safe to print (no SymPy import)."""

import unicodedata

__all__ = ["terminal_text"]


def terminal_text(text: str) -> str:
    r"""``text`` with every control or format character except newline and tab written
    as an escape, for printing text that came from a user to a terminal.

    Escape sequences (``[2J`` clears the screen, others retitle the window or worse)
    and bidirectional overrides (which make text display in another order than it
    reads) are shown, not obeyed.

    >>> print(terminal_text("step 2\x1b[2J\u202egnp.exe"))
    step 2\x1b[2J\u202egnp.exe
    """
    return "".join(ch if ch in "\n\t" or unicodedata.category(ch)[0] != "C"
                   else (f"\\x{ord(ch):02x}" if ord(ch) < 256 else f"\\u{ord(ch):04x}")
                   for ch in text)
