"""Build the whole site in a staging folder, then put it in place of the output folder in one rename."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ..config import load_config
from ..errors import SiteError
from ..store.archive import Archive
from .indexer import run_pagefind
from .page import Facets, search_page, write_page
from .records import paper_page

BUNDLE = "pagefind"
# Papers per Pagefind bundle. One bundle of 100,000 papers took 11.6 GB and 500 s to build and made a first search
# load 2.7 MB (its page list and sort order alone are 0.86 MB); bundles of consecutive months, searched newest
# first, keep each of those to what one bundle costs.
SHARD_PAPERS = 20000
SHARED_MEMORY = Path("/dev/shm")
PAGE_BYTES = 4096  # a generous size of one paper's page, to check the scratch folder has room
UNSAFE_NAME = re.compile(r"[^A-Za-z0-9.-]")
HEADING = re.compile(r"^#\s+(.+?)(?:\s+\[!\[.*)?$")


@dataclass(frozen=True)
class Shard:
    """Consecutive months indexed as one Pagefind bundle, newest month first."""

    months: tuple[str, ...]
    papers: int

    @property
    def name(self) -> str:
        """The bundle's folder under pagefind/: its oldest and newest month."""
        return f"{self.months[-1]}--{self.months[0]}"

    def manifest(self) -> dict[str, str | int]:
        """What the search page needs to know of the bundle: where it is and which months it holds."""
        return {"path": f"{BUNDLE}/{self.name}/", "from": self.months[-1], "to": self.months[0], "papers": self.papers}


def plan_shards(counts: dict[str, int], limit: int) -> list[Shard]:
    """Group months newest first into shards of at most `limit` papers (a bigger month is a shard of its own)."""
    shards: list[Shard] = []
    months: list[str] = []
    papers = 0
    for month in sorted(counts, reverse=True):
        if months and papers + counts[month] > limit:
            shards.append(Shard(tuple(months), papers))
            months, papers = [], 0
        months.append(month)
        papers += counts[month]
    return [*shards, Shard(tuple(months), papers)] if months else shards


@dataclass(frozen=True)
class Built:
    """What a build produced."""

    out: Path
    papers: int


def site_title(readme: Path, repository_url: str) -> str:
    """Return the list's name: README.md's first heading without its badges, else the repository's name."""
    if readme.is_file():
        for line in readme.read_text(encoding="utf-8").splitlines():
            if match := HEADING.match(line):
                return match.group(1).strip()
    return repository_url.rstrip("/").rsplit("/", 1)[-1]


def scratch_parent(papers: int) -> Path | None:
    """Return shared memory for the pages Pagefind reads when it has room (creating 100,000 small files on disk
    took four times as long), else None for the default temporary folder."""
    try:
        room = shutil.disk_usage(SHARED_MEMORY).free
    except OSError:
        return None
    return SHARED_MEMORY if os.access(SHARED_MEMORY, os.W_OK) and room > 4 * PAGE_BYTES * papers else None


def write_shard(archive: Archive, folder: Path, shard: Shard, facets: Facets) -> None:
    """Write one HTML page per paper of a shard, a folder per month, and count the papers' filter values."""
    for month in shard.months:
        month_folder = folder / month
        month_folder.mkdir(parents=True)
        for paper in archive.month(month).values():
            (month_folder / f"{UNSAFE_NAME.sub('-', paper.id)}.html").write_text(paper_page(paper), encoding="utf-8")
            facets.add(paper)


def replaceable(out: Path) -> bool:
    """True when out is absent, empty, or a site this command built (it never deletes anything else)."""
    if not out.exists():
        return True
    built_here = (out / "search.js").is_file() and (out / "index.html").is_file()
    return out.is_dir() and (built_here or not any(out.iterdir()))


def put_in_place(staging: Path, out: Path) -> None:
    """Replace out with the staging folder: the old site stays whole until the new one is complete."""
    old = staging.with_name(staging.name + ".old")
    if out.exists():
        out.rename(old)
    staging.rename(out)
    shutil.rmtree(old, ignore_errors=True)


def index_archive(archive: Archive, pages: Path, bundles: Path, shards: list[Shard]) -> Facets:
    """Write each shard's pages and start Pagefind on them while the next shard is written, two runs at a time
    (one run leaves a core idle while it writes its files); return the filter counts."""
    facets = Facets()
    with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
        runs = []
        try:
            for shard in shards:
                write_shard(archive, pages / shard.name, shard, facets)
                runs.append(pool.submit(run_pagefind, pages / shard.name, bundles / shard.name))
            for run in runs:
                run.result()
        except BaseException:
            for run in runs:
                run.cancel()
            raise
    return facets


def build_site(root: Path, out: Path, shard_papers: int = SHARD_PAPERS) -> Built:
    """Build the search site of the archive under root into out; raise ListError before touching out on any problem."""
    config = load_config(root / "config.yaml")
    archive = Archive.open(root / "articles" / "data")
    out = out.resolve()
    if not replaceable(out):
        raise SiteError(f"{out}: exists and is not a site built by scripts.site; choose another --out or remove it")
    out.parent.mkdir(parents=True, exist_ok=True)
    shards = plan_shards({month: entry["count"] for month, entry in archive.live_index().items()}, shard_papers)
    total = sum(shard.papers for shard in shards)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    try:
        with tempfile.TemporaryDirectory(prefix="site-pages-", dir=scratch_parent(total)) as scratch:
            facets = index_archive(archive, Path(scratch), staging / BUNDLE, shards)
        title = site_title(root / "README.md", config.list.repository_url)
        manifest = [shard.manifest() for shard in shards]
        write_page(staging, search_page(title, config.list.repository_url, config.taxonomy, facets, manifest))
        put_in_place(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Built(out=out, papers=facets.papers)
