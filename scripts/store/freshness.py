"""Which months need their pages rendered: a digest of each month's data and of the code that renders it."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from .archive import SCHEMA, dump_json, month_path, read_json

RENDERED_NAME = "rendered.json"
PACKAGE = Path(__file__).resolve().parents[1]
# Everything a month page or .bib is rendered with: a change to any of these re-renders every month.
RENDERER_SOURCES = ("scripts/render/listing.py", "scripts/render/markdown.py", "scripts/render/bibtex.py",
                    "scripts/render/build.py",
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
    digest = hashlib.sha256(renderer_digest().encode())
    digest.update(data)  # not prefixed by concatenation: that copied every month's file once more
    return digest.hexdigest()[:32]


def load_rendered(data_dir: Path) -> tuple[str, dict[str, str]]:
    """Return the renderer digest every page was last brought up to, and the digest each month was rendered from."""
    path = data_dir / RENDERED_NAME
    recorded = read_json(path) if path.exists() else {}
    return recorded.get("renderer", ""), recorded.get("months", {})


def renderer_changed(data_dir: Path) -> bool:
    """True when the renderer or its templates changed since the pages were last brought up to date (or it is unknown)."""
    return load_rendered(data_dir)[0] != renderer_digest()


def rendered_output(data_dir: Path, digests: dict[str, str]) -> dict[Path, str]:
    """Return the file that records the digests the pages now reflect, and the renderer they were all rendered with."""
    months = dict(sorted(digests.items()))
    return {data_dir / RENDERED_NAME: dump_json({"months": months, "renderer": renderer_digest(), "schema": SCHEMA})}


def months_to_render(data_dir: Path, data_texts: dict[Path, str | None], live: list[str], changed: set[str],
                     full: bool, force: bool) -> tuple[list[str], dict[str, str]]:
    """Return the months to render and the digests known so far.

    After a renderer or template change, or with `force`, every month is rendered, without reading any file here:
    each month's digest is taken as its file is read for rendering. Otherwise an incremental run renders the changed
    months, and a full run also every month whose data changed since its pages were written, or whose page is missing.
    """
    recorded_renderer, recorded = load_rendered(data_dir)
    changed_live = [month for month in live if month in changed]
    digests = {month: recorded[month] for month in live if month in recorded}
    for month in changed_live:
        path = month_path(data_dir, month)
        text = data_texts.get(path)
        data = text.encode("utf-8", "surrogatepass") if text is not None else path.read_bytes()  # the write refuses surrogates
        digests[month] = month_digest(data)
    if force or recorded_renderer != renderer_digest():
        return list(live), {month: digests[month] for month in changed_live}
    if not full:
        return changed_live, digests
    render = []
    for month in live:
        if month not in changed:
            digests[month] = month_digest(month_path(data_dir, month).read_bytes())
        if month in changed or digests[month] != recorded.get(month) or not (data_dir.parent / f"{month}.md").exists():
            render.append(month)
    return render, digests
