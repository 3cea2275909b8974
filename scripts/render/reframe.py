"""After a change to the templates alone, frame each page of a month anew around the list of papers it already holds.

The code makes the lists (and the BibTeX, and how a month splits into pages) from the month's data; the templates
only put a head and a tail around each page's list. So when neither the data nor the code changed since a page was
written, its list is the one a full render would make, and only its frame needs rendering: rendered.json records where
each page's list lies and the digest of the page, checked before the list is taken (a page edited or missing since is
rendered in full). The new frame is staged alone, to be written around the list in place (see store.files).
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from ..store.archive import Summary
from ..store.files import Frame, Staged, plain_file, read_bytes
from ..store.freshness import PageRecord, Pages, framed_digest, list_digest, page_digest
from ..taxonomy import Domain
from .domains import domain_values
from .listing import DOMAINS_DIR, frame, month_values, page_name


class Reframed(NamedTuple):
    """The new frames of a month's pages that changed (staged, or listed as None when not written), and where every
    page holds its list."""

    staged: Staged
    records: Pages


Group = tuple[str, str, list[str], Domain | None]  # a page sequence: template, folder prefix, file names, domain


class Listed(NamedTuple):
    """A page on disk, where its list lies in it, the list's digest and how many papers it holds."""

    page: bytes
    start: int
    end: int
    digest: bytes
    papers: int


def recorded_lists(articles: Path, on_disk: list[Path], pages: Pages) -> dict[str, Listed] | None:
    """Return the list each of a month's pages on disk holds, by path under articles/; None when the pages on disk are
    not exactly the recorded ones, unchanged, each a plain file (its frame is written in place)."""
    found = {path.relative_to(articles).as_posix(): path for path in on_disk}
    if set(found) != set(pages):
        return None
    lists = {}
    for key, path in found.items():
        record, data = pages[key], read_bytes(path) if plain_file(path) else None
        if data is None or not 0 <= record.start <= record.end <= len(data):
            return None
        listed = list_digest(data, record.start, record.end)
        if page_digest(data, record.start, record.end, listed) != record.digest:
            return None
        lists[key] = Listed(data, record.start, record.end, listed, record.papers)
    return lists


def numbered(stem: str, keys: set[str], prefix: str = "") -> list[str]:
    """Return the file names of the consecutive pages stem.md, stem-p2.md, ... whose paths (prefix + name) are in keys."""
    names: list[str] = []
    while prefix + (name := page_name(stem, len(names) + 1)) in keys:
        names.append(name)
    return names


def page_groups(month: str, keys: set[str], taxonomy: tuple[Domain, ...]) -> list[Group]:
    """Return each page sequence of a month (its own, then each domain's): template, folder prefix, file names and
    domain; empty when some key belongs to none of them."""
    folder = f"{DOMAINS_DIR}/"
    groups: list[Group] = [("month.md.j2", "", numbered(month, keys), None)]
    groups += [("domain_month.md.j2", folder, names, domain) for domain in taxonomy
               if (names := numbered(f"{domain.slug}-{month}", keys, folder))]
    if sum(len(names) for _, _, names, _ in groups) != len(keys):
        return []
    return groups


def reframed(articles: Path, month: str, taxonomy: tuple[Domain, ...], on_disk: list[Path], pages: Pages,
             summary: Summary, write: bool = True) -> Reframed | None:
    """Return the current templates' frames of a month's pages around the lists they hold, staged where they changed
    (with `write` False, only listed), and the pages' new records (the BibTeX file is left as it is); None when a page on
    disk is not the one recorded, or the month has no page of its own."""
    lists = recorded_lists(articles, on_disk, pages)
    groups = page_groups(month, set(lists), taxonomy) if lists is not None else []
    if lists is None or not groups or not groups[0][2] or not (articles / f"{month}.bib").exists():
        return None
    staged: Staged = {}
    records: Pages = {}
    for template, prefix, names, domain in groups:
        total = sum(lists[prefix + name].papers for name in names)
        if domain is None and total != summary["count"]:
            return None
        for number, name in enumerate(names, start=1):
            values = (month_values(month, number, names, total, summary["tags"]) if domain is None
                      else domain_values(domain, month, number, names, total))
            head, tail = frame(template, **values)
            old = lists[prefix + name]
            view = memoryview(old.page)
            if head != view[:old.start] or tail != view[old.end:]:
                staged[articles / prefix / name] = Frame(head, tail, old.start, old.end) if write else None
            end = len(head) + old.end - old.start
            records[prefix + name] = PageRecord(len(head), end, old.papers, framed_digest(head, old.digest, tail))
    return Reframed(staged, records)
