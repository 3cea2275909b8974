"""Make untrusted paper text safe inside one GFM table cell."""

from __future__ import annotations

import re

# Bidi overrides/isolates and zero-width characters can reorder or hide text around them; C0/C1 controls have no place in a
# cell, and a lone surrogate (from a \ud800 escape in JSON) cannot even be written as UTF-8.
INVISIBLE = re.compile("[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ud800-\udfff]")
HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
# Markdown punctuation that could open a link, code span, emphasis, math or end a cell; escaped with a backslash.
MARKDOWN = re.compile(r"([\\`*_\[\]|$~])")


def plain(text: str) -> str:
    """Collapse whitespace (newlines end a table) and drop invisible and control characters."""
    if text.isascii() and text.isprintable() and "  " not in text and text == text.strip():
        return text  # already plain (the usual case): skip the regex, which scans every character
    return " ".join(INVISIBLE.sub(" ", text).split())


def shorten(text: str, limit: int) -> str:
    """Cut text to at most `limit` characters at a word boundary, marking the cut with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,.;:") + "…"


def cell(text: str, limit: int = 0) -> str:
    """Return text escaped for a GFM table cell: no HTML, no links, no math, no cell breaks."""
    text = plain(text)
    if limit:
        text = shorten(text, limit)
    text = "".join(HTML.get(char, char) for char in text) if any(char in text for char in "&<>") else text
    return MARKDOWN.sub(r"\\\1", text)
