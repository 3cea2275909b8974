"""Make untrusted paper text safe on GitHub: inside a list item or a curated table cell, and as <details> text."""

from __future__ import annotations

import re

from ..text_policy import INVISIBLE

# HTML specials become entities; Markdown punctuation that could open a link, code span, emphasis or math, or end a
# cell, gets a backslash.
ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
BACKSLASHED = "|\\`*_[]$~"
ESCAPES = str.maketrans({**ENTITIES, **{char: "\\" + char for char in BACKSLASHED}})
SPECIALS = BACKSLASHED + "".join(ENTITIES)
# GitHub's Markdown (cmark-gfm with its autolink extension) links bare `scheme://`, `www.` and e-mail addresses. A
# backslash before the colon or the dot stops the first two. E-mail addresses are found after backslash escapes and
# entities are resolved (https://github.github.com/gfm/#extended-email-autolink), so their @ becomes the look-alike
# FULLWIDTH COMMERCIAL AT.
AUTOLINK = re.compile(r"(?P<colon>:(?=//))|(?P<www>(?i:www)(?=\.))|(?<=[A-Za-z0-9.+_-])@(?=[\\A-Za-z0-9_.-]*\.)")
AUTOLINK_HINTS = ("://", "@", "ww.", "WW.", "wW.", "Ww.")
FULLWIDTH_AT = "\uff20"


def contains_any(text: str, characters: str) -> bool:
    """True when text contains one of the characters (a substring search each: three times faster than a regex)."""
    for character in characters:  # noqa: SIM110 -- the loop beats any() over a generator here
        if character in text:
            return True
    return False


ASCII_CONTROLS = "".join(map(chr, range(32))) + "\x7f"  # the ASCII characters str.isprintable rejects
LONG_TEXT = 1000  # from about this length, 33 substring searches scan ASCII faster than str.isprintable


def printable_ascii(text: str) -> bool:
    """True when text is ASCII without control characters."""
    if not text.isascii():
        return False
    return text.isprintable() if len(text) < LONG_TEXT else not contains_any(text, ASCII_CONTROLS)


def is_plain(text: str) -> bool:
    """True when text has nothing for plain() to change: printable ASCII, single spaces, no edge spaces."""
    if len(text) >= LONG_TEXT:
        return printable_ascii(text) and "  " not in text and text[:1] != " " and text[-1:] != " "
    return text.isascii() and text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " "


def joined_if_plain(texts: list[str]) -> str | None:
    """Return the texts joined by spaces when is_plain holds for each (one scan of all, not one a text), else None.

    An edge space or an empty text makes a double space where they join: the check of the whole is that of each, and
    fails (too often, never wrongly) only for an empty text.
    """
    joined = " ".join(texts)
    return joined if is_plain(joined) else None


def plain(text: str) -> str:
    """Collapse whitespace (a newline ends a list item or a table row) and drop invisible and control characters."""
    return text if is_plain(text) else " ".join(INVISIBLE.sub(" ", text).split())


def shorten(text: str, limit: int) -> str:
    """Cut text to at most `limit` characters at a word boundary, marking the cut with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,.;:") + "…"


def shown_plain(text: str, limit: int) -> str:
    """Return shorten(plain(text), limit), or plain(text) with no limit."""
    if limit and len(text) > limit + 16:
        # plain() of a prefix is a prefix of plain() of the whole, so a long abstract is cleaned only as far as shown.
        head = plain(text[: limit + 16])
        text = head if len(head) > limit else plain(text)
    else:
        text = plain(text)
    return shorten(text, limit) if limit else text


def cell(text: str, limit: int = 0) -> str:
    """Return text escaped for one line of Markdown (a list item or a table cell): no HTML, links, math or breaks."""
    return escape(shown_plain(text, limit))


def escape(text: str) -> str:
    """Return plain text with its HTML and Markdown specials escaped and its would-be autolinks broken."""
    text = text.translate(ESCAPES) if contains_any(text, SPECIALS) else text
    return AUTOLINK.sub(unlink, text) if any(hint in text for hint in AUTOLINK_HINTS) else text


def unlink(match: re.Match[str]) -> str:
    """Return the replacement that keeps one autolink trigger from linking: a backslash, or the look-alike @."""
    if match["colon"]:
        return "\\:"
    if match["www"]:
        return str(match["www"]) + "\\"
    return FULLWIDTH_AT


# Pipe tables padded the way awesome-lint's table-pipe-alignment rule measures them.

def utf16_width(value: str) -> int:
    """Length as JavaScript counts it, which is how awesome-lint measures table cells."""
    return len(value.encode("utf-16-le")) // 2


def split_row(line: str) -> list[str]:
    """Cells of one pipe-table row, splitting only on unescaped pipes."""
    return [part.strip() for part in re.split(r"(?<!\\)\|", line.strip())[1:-1]]


def is_delimiter(line: str) -> bool:
    """True for a table's header-delimiter row, e.g. | --- | --- |."""
    return bool(re.fullmatch(r"\|(\s*:?-+:?\s*\|)+", line.strip()))


def aligned(rows: list[list[str]]) -> list[str]:
    """Pad table rows so every pipe lines up; rows[1] is the delimiter row, short rows get empty cells."""
    count = len(rows[0])
    rows = [(row + [""] * count)[:count] for row in rows]
    content = rows[:1] + rows[2:]
    widths = [max(3, *(utf16_width(row[column]) for row in content)) for column in range(count)]
    lines = []
    for number, row in enumerate(rows):
        padded = ["-" * width if number == 1 else row[column] + " " * (width - utf16_width(row[column]))
                  for column, width in enumerate(widths)]
        lines.append("| " + " | ".join(padded) + " |")
    return lines


def align_tables(markdown: str) -> str:
    """Return markdown with every pipe table padded so awesome-lint's table-pipe-alignment passes."""
    lines, output, index = markdown.split("\n"), [], 0
    while index < len(lines):
        if lines[index].startswith("|") and index + 1 < len(lines) and is_delimiter(lines[index + 1]):
            end = index + 2
            while end < len(lines) and lines[end].startswith("|"):
                end += 1
            output += aligned([split_row(line) for line in lines[index:end]])
            index = end
        else:
            output.append(lines[index])
            index += 1
    return "\n".join(output)


def html_text(text: str, limit: int = 0) -> str:
    """Return text cleaned, shortened and escaped for one line of raw HTML (inside <details>): no tags, no entities."""
    text = shown_plain(text, limit)
    if "&" not in text and "<" not in text and ">" not in text:
        return text
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
