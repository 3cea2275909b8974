"""The one character policy: which characters text may not carry, for maintainers' files and for rendered paper text."""

from __future__ import annotations

import re
import unicodedata

# Bidi overrides/isolates and zero-width characters can reorder or hide text around them; C0/C1 controls have no place in a
# cell, and a lone surrogate (from a \ud800 escape in JSON) cannot even be written as UTF-8. Rendering blanks these out of
# paper text, which arXiv supplies and nobody can fix.
INVISIBLE = re.compile("[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ud800-\udfff]")


def forbidden_character(text: str) -> str | None:
    """The first character maintainer-written text may not hold: Unicode category C (controls, format characters such
    as bidi and zero-width ones, surrogates, private-use and unassigned code points) or a line or paragraph
    separator, or None."""
    if text.isascii() and text.isprintable():
        return None  # the usual case, at C speed
    return next((char for char in text if unicodedata.category(char)[0] == "C" or char in "\u2028\u2029"), None)


def character_problem(text: str) -> str:
    """Say which forbidden character text holds and how to fix it, or return '' when it holds none."""
    char = forbidden_character(text)
    if char is None:
        return ""
    name = unicodedata.name(char, "a control or unassigned character")
    return f"contains U+{ord(char):04X} ({name}) at character {text.index(char) + 1}, which can hide or reorder text; delete it"
