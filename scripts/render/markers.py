"""Replace the generated block between `<!-- NAME_START -->` and `<!-- NAME_END -->` markers."""

from __future__ import annotations

from ..errors import MarkerError


def marker_pair(name: str) -> tuple[str, str]:
    """Return the start and end marker comments of a block name such as LATEST_PAPERS."""
    return f"<!-- {name}_START -->", f"<!-- {name}_END -->"


def find_block(text: str, name: str, source: str) -> tuple[int, int]:
    """Return the span between a block's markers; raise MarkerError naming the file if they are not exactly once, in order."""
    start, end = marker_pair(name)
    for marker in (start, end):
        count = text.count(marker)
        if count != 1:
            found = "is missing" if count == 0 else f"appears {count} times"
            raise MarkerError(f"{source}: marker {marker} {found}; keep exactly one {start} and one {end}, in that order")
    begin, finish = text.index(start) + len(start), text.index(end)
    if begin > finish:
        raise MarkerError(f"{source}: {end} comes before {start}; put the start marker first")
    return begin, finish


def replace_block(text: str, name: str, content: str, source: str) -> str:
    """Return text with the block `name` replaced by content (surrounded by blank lines)."""
    begin, finish = find_block(text, name, source)
    return text[:begin] + "\n" + content.strip("\n") + "\n" + text[finish:]
