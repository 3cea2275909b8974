"""Which months need their pages rendered: a digest of each month's data and of the code that renders it."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from .archive import SCHEMA, dump_json, read_json

RENDERED_NAME = "rendered.json"
PACKAGE = Path(__file__).resolve().parent
# Everything a month page or .bib is rendered with: a change to any of these re-renders every month.
RENDERER_SOURCES = ("scripts/render.py", "scripts/markdown.py", "scripts/bibtex.py", "scripts/site.py",
                    "templates/_table.md.j2", "templates/month.md.j2")


@lru_cache(maxsize=1)
def renderer_digest() -> str:
    """Return the digest of the renderer's source files."""
    digest = hashlib.sha256()
    for name in RENDERER_SOURCES:
        digest.update((PACKAGE.parent / name).read_bytes())
    return digest.hexdigest()


def month_digest(data: bytes) -> str:
    """Return the digest of one month's data file as rendered by the current renderer."""
    return hashlib.sha256(renderer_digest().encode() + data).hexdigest()[:32]


def load_rendered(data_dir: Path) -> dict[str, str]:
    """Return the digest each month's pages were last rendered from (empty when unknown)."""
    path = data_dir / RENDERED_NAME
    return read_json(path).get("months", {}) if path.exists() else {}


def rendered_output(data_dir: Path, digests: dict[str, str]) -> dict[Path, str]:
    """Return the file that records the digests the pages now reflect."""
    return {data_dir / RENDERED_NAME: dump_json({"months": dict(sorted(digests.items())), "schema": SCHEMA})}


def months_to_render(data_dir: Path, data_texts: dict[Path, str | None], live: list[str], changed: set[str],
                     full: bool, force: bool) -> tuple[list[str], dict[str, str]]:
    """Return the months to render and every live month's digest.

    An incremental run renders the changed months. A full run also renders every month whose data or renderer
    changed since its pages were written, or whose page is missing; `force` renders them all.
    """
    recorded = load_rendered(data_dir)
    digests = {month: recorded[month] for month in live if month in recorded}
    candidates = live if full else [month for month in live if month in changed]
    render = []
    for month in candidates:
        path = data_dir / f"{month}.json"
        text = data_texts.get(path)
        data = text.encode("utf-8", "surrogatepass") if text is not None else path.read_bytes()  # the write refuses surrogates
        digests[month] = month_digest(data)
        page = data_dir.parent / f"{month}.md"
        if force or month in changed or digests[month] != recorded.get(month) or not page.exists():
            render.append(month)
    return render, digests
