"""Which months need their pages rendered: a digest of each month's data and of the code that renders it."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from ..layout import RENDERED_NAME, month_path
from ..taxonomy import Domain
from .archive import SCHEMA, dump_json, read_json

PACKAGE = Path(__file__).resolve().parents[1]
# Everything a page is rendered with: every source file under these folders, and the libraries that shape the text.
# A change to any of them re-renders every month.
RENDERER_FOLDERS = ("scripts", "templates")
RENDERER_LIBRARIES = ("jinja2", "markupsafe", "pyyaml")


def renderer_files(root: Path) -> list[Path]:
    """Return every source file under the renderer folders by path (caches, editor backups and dotfiles left out)."""
    files = []
    for folder in RENDERER_FOLDERS:
        for path in (root / folder).rglob("*"):
            parts = path.relative_to(root).parts
            if path.is_file() and not any(part.startswith(".") or part == "__pycache__" for part in parts) \
                    and not path.name.endswith(("~", ".pyc")):
                files.append(path)
    return sorted(files, key=lambda path: path.relative_to(root).as_posix())


def library_versions() -> list[str]:
    """Return 'name version' for each library that shapes the output ('missing' when one is not installed)."""
    versions = []
    for name in RENDERER_LIBRARIES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} missing")
    return versions


def source_digest(root: Path) -> str:
    """Return the digest of the renderer's sources under root, line endings normalised so every checkout agrees."""
    digest = hashlib.sha256()
    for path in renderer_files(root):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes().replace(b"\r\n", b"\n") + b"\0")
    for line in library_versions():
        digest.update(line.encode() + b"\0")
    return digest.hexdigest()


@lru_cache(maxsize=1)
def source_identity() -> str:
    """Return the digest of the code, templates and libraries this checkout renders with."""
    return source_digest(PACKAGE.parent)


@lru_cache(maxsize=4)
def renderer_digest(taxonomy: tuple[Domain, ...] = ()) -> str:
    """Return the identity of what every page is rendered with: the sources, and the taxonomy config.yaml gives
    (each domain's slug, name and description appear on month and domain pages; its terms only tag papers)."""
    shown = [[domain.slug, domain.name, domain.description] for domain in taxonomy]
    return hashlib.sha256((source_identity() + json.dumps(shown, ensure_ascii=False)).encode()).hexdigest()


def month_digest(data: bytes, taxonomy: tuple[Domain, ...] = ()) -> str:
    """Return the digest of one month's data file as rendered by the current renderer."""
    digest = hashlib.sha256(renderer_digest(taxonomy).encode())
    # not prefixed by concatenation: that copied every month once more; and a file with no CR is not scanned for CRLF
    # (bytes.replace takes 1.9 ms on a 2.3 MB month, the search for a CR 0.02 ms)
    digest.update(data.replace(b"\r\n", b"\n") if b"\r" in data else data)
    return digest.hexdigest()[:32]


def load_rendered(data_dir: Path) -> tuple[str, dict[str, str]]:
    """Return the renderer digest every page was last brought up to, and the digest each month was rendered from."""
    path = data_dir / RENDERED_NAME
    recorded = read_json(path) if path.exists() else {}
    return recorded.get("renderer", ""), recorded.get("months", {})


def renderer_changed(data_dir: Path, taxonomy: tuple[Domain, ...] = ()) -> bool:
    """True when the renderer, its templates or the taxonomy changed since the pages were last brought up to date (or
    it is unknown)."""
    return load_rendered(data_dir)[0] != renderer_digest(taxonomy)


def rendered_output(data_dir: Path, digests: dict[str, str], taxonomy: tuple[Domain, ...] = ()) -> dict[Path, str]:
    """Return the file that records the digests the pages now reflect, and the renderer they were all rendered with."""
    months = dict(sorted(digests.items()))
    record = {"months": months, "renderer": renderer_digest(taxonomy), "schema": SCHEMA}
    return {data_dir / RENDERED_NAME: dump_json(record)}


def months_to_render(data_dir: Path, data_texts: dict[Path, str | None], live: list[str], changed: set[str],
                     full: bool, force: bool, taxonomy: tuple[Domain, ...] = ()) -> tuple[list[str], dict[str, str]]:
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
        digests[month] = month_digest(data, taxonomy)
    if force or recorded_renderer != renderer_digest(taxonomy):
        return list(live), {month: digests[month] for month in changed_live}
    if not full:
        return changed_live, digests
    render = []
    for month in live:
        if month not in changed:
            digests[month] = month_digest(month_path(data_dir, month).read_bytes(), taxonomy)
        if month in changed or digests[month] != recorded.get(month) or not (data_dir.parent / f"{month}.md").exists():
            render.append(month)
    return render, digests
