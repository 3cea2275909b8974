"""Which pages need rendering: a digest of each month's data and of the code that renders it, and of what the front
pages are rendered from."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import NamedTuple

from ..layout import RENDERED_NAME, month_path
from ..taxonomy import Domain
from .archive import SCHEMA, dump_json, read_json
from .files import read_bytes

PACKAGE = Path(__file__).resolve().parents[1]
# Everything a page is rendered with: every source file under these folders, and the libraries that shape the text.
# The code (scripts/, the libraries, the taxonomy) makes the list items, the BibTeX and how a month splits into pages; the
# templates only frame each page's list. A change to the code re-renders every month; a change to the templates alone
# re-frames every page around the list it holds (render.reframe).
RENDERER_FOLDERS = ("scripts", "templates")
CODE_FOLDERS, TEMPLATE_FOLDERS = ("scripts",), ("templates",)
RENDERER_LIBRARIES = ("jinja2", "markupsafe", "pyyaml")


def renderer_files(root: Path, folders: tuple[str, ...] = RENDERER_FOLDERS) -> list[Path]:
    """Return every source file under the folders by path (caches, editor backups and dotfiles left out)."""
    files = []
    for folder in folders:
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


def source_digest(root: Path, folders: tuple[str, ...] = RENDERER_FOLDERS, libraries: bool = True) -> str:
    """Return the digest of the sources under root's folders (and the libraries' versions), line endings normalised so
    every checkout agrees."""
    digest = hashlib.sha256()
    for path in renderer_files(root, folders):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes().replace(b"\r\n", b"\n") + b"\0")
    for line in library_versions() if libraries else ():
        digest.update(line.encode() + b"\0")
    return digest.hexdigest()


@lru_cache(maxsize=1)
def source_identity() -> str:
    """Return the digest of the code and libraries this checkout renders with."""
    return source_digest(PACKAGE.parent, CODE_FOLDERS)


@lru_cache(maxsize=1)
def templates_identity() -> str:
    """Return the digest of the templates this checkout renders with."""
    return source_digest(PACKAGE.parent, TEMPLATE_FOLDERS, libraries=False)


@lru_cache(maxsize=4)
def code_digest(taxonomy: tuple[Domain, ...] = ()) -> str:
    """Return the identity of what makes every page's list: the code, and the taxonomy config.yaml gives (each domain's
    slug, name and description appear on month and domain pages; its terms only tag papers)."""
    shown = [[domain.slug, domain.name, domain.description] for domain in taxonomy]
    return hashlib.sha256((source_identity() + json.dumps(shown, ensure_ascii=False)).encode()).hexdigest()


@lru_cache(maxsize=4)
def renderer_digest(taxonomy: tuple[Domain, ...] = ()) -> str:
    """Return the identity of what every page is rendered with: the code and taxonomy, and the templates."""
    return hashlib.sha256((code_digest(taxonomy) + templates_identity()).encode()).hexdigest()


def month_digest(data: bytes, taxonomy: tuple[Domain, ...] = ()) -> str:
    """Return the digest of one month's data file as the current code renders it (templates aside: a page keeps its
    list when only they change)."""
    digest = hashlib.sha256(code_digest(taxonomy).encode())
    # not prefixed by concatenation: that copied every month once more; and a file with no CR is not scanned for CRLF
    # (bytes.replace takes 1.9 ms on a 2.3 MB month, the search for a CR 0.02 ms)
    digest.update(data.replace(b"\r\n", b"\n") if b"\r" in data else data)
    return digest.hexdigest()[:32]


class PageRecord(NamedTuple):
    """Where a written page's list lies (bytes start to end), how many papers it holds, and the digest of the page."""

    start: int
    end: int
    papers: int
    digest: str


Pages = dict[str, PageRecord]  # a month's pages by path under articles/: 2025-05.md, domains/jailbreak-2025-05.md, ...


class Front(NamedTuple):
    """What the front pages made from the papers (README's blocks of them, the archive index, feed and chart, the
    domain front pages, the rejected candidates' page) were last rendered from, and the digest of each as written
    (README aside: it holds a person's text), by path."""

    inputs: str
    files: dict[str, str]


NO_FRONT = Front("", {})  # no record: the front pages are rendered


class Rendered(NamedTuple):
    """What rendered.json records: the renderer and the code every page was brought up to, the digest each month was
    rendered from, each month's pages, and the front pages."""

    renderer: str
    code: str
    months: dict[str, str]
    pages: dict[str, Pages]
    front: Front = NO_FRONT


def page_digest(page: bytes, start: int, end: int, listed: bytes | None = None) -> str:
    """Return the digest of a page as written, made of the digests of its head, its list (bytes start to end; `listed`
    that digest, when known) and its tail: a page framed anew around a list already checked is not read again."""
    view = memoryview(page)
    return framed_digest(view[:start], list_digest(page, start, end) if listed is None else listed, view[end:])


def framed_digest(head: bytes | memoryview, listed: bytes, tail: bytes | memoryview) -> str:
    """Return the digest of the page made of a head, a list whose digest is `listed`, and a tail."""
    parts = hashlib.sha256(head).digest() + listed + hashlib.sha256(tail).digest()
    return hashlib.sha256(parts).hexdigest()[:32]


def page_record(page: bytes, start: int, end: int, papers: int, listed: bytes | None = None) -> PageRecord:
    """Return the record of a page whose list of `papers` papers lies from start to end (`listed`: its digest, when
    known)."""
    return PageRecord(start, end, papers, page_digest(page, start, end, listed))


def list_digest(page: bytes, start: int, end: int) -> bytes:
    """Return the digest of the list of a page (bytes start to end), as page_digest takes it."""
    return hashlib.sha256(memoryview(page)[start:end]).digest()


def load_rendered(data_dir: Path) -> Rendered:
    """Return what rendered.json records (nothing for a file of an older format: its months are then rendered anew)."""
    path = data_dir / RENDERED_NAME
    recorded = read_json(path) if path.exists() else {}
    listed = recorded.get("pages")
    pages = {month: {name: PageRecord(*row) for name, row in rows.items() if well_formed(row)}
             for month, rows in (listed.items() if isinstance(listed, dict) else ()) if isinstance(rows, dict)}
    return Rendered(recorded.get("renderer", ""), recorded.get("code", ""), recorded.get("months", {}), pages,
                    read_front(recorded.get("front")))


def read_front(front: object) -> Front:
    """Return the front pages' record as rendered_output writes it, or none (they are then rendered) for another."""
    if not isinstance(front, dict) or not isinstance(inputs := front.get("inputs"), str) or \
            not isinstance(files := front.get("files"), dict) or \
            not all(isinstance(digest, str) for digest in files.values()):
        return NO_FRONT
    return Front(inputs, files)


def well_formed(row: object) -> bool:
    """True for a page record as rendered_output writes it: [start, end, papers, digest]."""
    return (isinstance(row, list) and len(row) == 4 and all(type(value) is int for value in row[:3])
            and isinstance(row[3], str))


def rendered_output(data_dir: Path, digests: dict[str, str], pages: dict[str, Pages],
                    taxonomy: tuple[Domain, ...] = (), front: Front | None = None) -> dict[Path, str]:
    """Return the file that records the digests the pages now reflect, the renderer and code they were all rendered
    with, where each page holds its list, and what the front pages were rendered from."""
    front = front or NO_FRONT
    record = {"code": code_digest(taxonomy), "front": {"files": dict(sorted(front.files.items())), "inputs": front.inputs},
              "months": dict(sorted(digests.items())),
              "pages": {month: {name: list(row) for name, row in sorted(rows.items())}
                        for month, rows in sorted(pages.items()) if month in digests},
              "renderer": renderer_digest(taxonomy), "schema": SCHEMA}
    return {data_dir / RENDERED_NAME: dump_json(record)}


def months_to_render(data_dir: Path, data_texts: dict[Path, str | None], live: list[str], changed: set[str],
                     full: bool, force: bool, taxonomy: tuple[Domain, ...] = (),
                     rendered: Rendered | None = None) -> tuple[list[str], dict[str, str]]:
    """Return the months to render and the digests known so far (`rendered`: what rendered.json holds, when read).

    After a renderer or template change, or with `force`, every month is rendered, without reading any file here:
    each month's digest is taken as its file is read for rendering. Otherwise an incremental run renders the changed
    months, and a full run also every month whose data changed since its pages were written, or whose page is missing.
    """
    recorded_renderer, _, recorded, *_ = load_rendered(data_dir) if rendered is None else rendered
    changed_live = [month for month in live if month in changed]
    digests = {month: recorded[month] for month in live if month in recorded}
    for month in changed_live:
        path = month_path(data_dir, month)
        text = data_texts.get(path)
        data = utf8(text) if text is not None else path.read_bytes()  # the write refuses surrogates
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


def utf8(text: str | bytes) -> bytes:
    """Return text as UTF-8 (a lone surrogate kept, for the write to refuse it naming the file), bytes as they are."""
    return text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text


def text_digest(text: str | bytes) -> str:
    """Return the digest of a file's content, as the front pages' record keeps it."""
    return hashlib.sha256(utf8(text)).hexdigest()[:32]


def front_inputs(config_path: Path, data_texts: Mapping[Path, str | bytes], checked: str,
                 taxonomy: tuple[Domain, ...] = ()) -> str:
    """Return the digest of what the front pages made from the papers are rendered from: the code and templates,
    config.yaml, the data files as this run leaves them (`data_texts`: the index, the rejected candidates, the month
    files the pages show papers of, and README's blocks of them), and the day arXiv was last checked (README may
    show it)."""
    digest = hashlib.sha256(f"{renderer_digest(taxonomy)}\0{checked}\0".encode())
    digest.update(b"config\0" + (read_bytes(config_path) or b"").replace(b"\r\n", b"\n") + b"\0")
    for path, text in sorted(data_texts.items()):
        digest.update(f"{path.name}\0".encode() + utf8(text) + b"\0")
    return digest.hexdigest()


def front_record(root: Path, inputs: str, outputs: dict[Path, str | None]) -> Front:
    """Return the record of the front pages just rendered from `inputs` (those deleted left out: a front render
    deletes what is left over, see build.front_pages_present)."""
    return Front(inputs, {path.relative_to(root).as_posix(): text_digest(text) for path, text in outputs.items()
                          if text is not None})


def front_unchanged(root: Path, front: Front, inputs: str) -> bool:
    """Tell whether the front pages were last rendered from these inputs and each is still as then written (none
    edited or deleted; a page left over is build.front_pages_present's to find)."""
    if not front.files or front.inputs != inputs:
        return False
    for name, digest in front.files.items():
        data = read_bytes(root / name)
        if data is None or text_digest(data) != digest:
            return False
    return True
