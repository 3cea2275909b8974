"""The domain pages under articles/domains/: for each domain of the taxonomy a front page (what it covers, its count,
its months, its newest papers) and one page per month of its papers (jailbreak-2025-05.md, then -p2.md, ...).

A month's papers appear only on that month's domain pages, so a changed month re-renders its own domain pages (from
the papers already read to render its month page) and the small front pages, whose counts come from the index."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..paper import Listed, Paper
from ..store.archive import Archive, Summary, sort_newest_first
from ..taxonomy import Domain
from .listing import DOMAINS_DIR, Item, PagePlan, chunk_items, month_items, page_name, paper_item, paper_row, papers_list, render
from .markdown import cell

NEWEST = 20  # papers on a domain's front page, from its newest month
# A domain's month page: <slug>-<YYYY-MM>.md, then -p2.md, ...
MONTH_PAGE = re.compile(r"^([a-z0-9-]+)-(\d{4}-\d{2})(-p\d+)?\.md$")


def month_counts(index: dict[str, dict[str, Any]], slug: str) -> dict[str, int]:
    """Return the domain's paper count per month, newest first, from the index alone."""
    return {month: index[month]["tags"][slug] for month in sorted(index, reverse=True)
            if index[month]["tags"].get(slug)}


def domain_month_plan(domain: Domain, month: str, items: list[Item]) -> PagePlan:
    """Return each page of one domain's list items of one month (newest first): its file name, its items and the values
    domain_month.md.j2 shows."""
    pages = chunk_items(items)
    names = [page_name(f"{domain.slug}-{month}", number) for number in range(1, len(pages) + 1)]
    return [(name, page_items, domain_values(domain, month, number, names, len(items)))
            for number, (name, page_items) in enumerate(zip(names, pages, strict=True), start=1)]


def domain_values(domain: Domain, month: str, number: int, names: list[str], total: int) -> dict[str, object]:
    """Return the values domain_month.md.j2 shows around the list of one page (`number` of `names`) of a domain's month."""
    return {"slug": domain.slug, "name": cell(domain.name), "month": month, "number": number, "names": names,
            "total": total}


def domain_month_pages(domain: Domain, month: str, items: list[Item]) -> dict[str, str]:
    """Render one domain's list items of one month (newest first) into pages keyed by file name."""
    return {name: render("domain_month.md.j2", papers=papers_list(page_items), **values)
            for name, page_items, values in domain_month_plan(domain, month, items)}


def domain_items(papers: Sequence[Listed], tagged: list[Item | None], taxonomy: tuple[Domain, ...]) -> dict[str, list[Item]]:
    """Return each domain's list items of a month's papers (`tagged`: each paper's item as domain pages show it), in
    taxonomy and paper order; each paper's item is rendered once for all its domains."""
    lists: dict[str, list[Item]] = {domain.slug: [] for domain in taxonomy}
    for paper, item in zip(papers, tagged, strict=True):
        if item is not None:
            for tag in dict.fromkeys(paper.tags):
                if tag in lists:
                    lists[tag].append(item)
    return lists


def month_domain_plans(month: str, papers: Sequence[Listed], taxonomy: tuple[Domain, ...],
                       tagged: list[Item | None]) -> list[PagePlan]:
    """Return the pages of each domain with papers in one month (papers newest first; `tagged` their items as domain
    pages show them), in taxonomy order."""
    lists = domain_items(papers, tagged, taxonomy)
    return [domain_month_plan(domain, month, lists[domain.slug]) for domain in taxonomy if lists[domain.slug]]


def month_domain_outputs(articles: Path, month: str, papers: Sequence[Listed], taxonomy: tuple[Domain, ...],
                         tagged: list[Item | None] | None = None) -> dict[Path, str]:
    """Return the text of every domain's pages of one month (papers newest first; `tagged` their items as domain pages
    show them, when already made); build.month_outputs adds None for the pages left over from when the month held more
    papers."""
    lists = domain_items(papers, month_items(papers)[1] if tagged is None else tagged, taxonomy)
    return {articles / DOMAINS_DIR / name: text for domain in taxonomy if lists[domain.slug]
            for name, text in domain_month_pages(domain, month, lists[domain.slug]).items()}


def newest_papers(archive: Archive, month: str, slug: str, read: dict[str, list[Paper]]) -> list[Paper]:
    """Return the domain's newest papers of one month, read through the archive (so the feed and the README, which
    show the newest month too, read it no more) once for all domains through `read`."""
    if month not in read:
        read[month] = list(archive.month(month).values())
    return sort_newest_first(paper for paper in read[month] if slug in paper.tags)[:NEWEST]


def front_page(domain: Domain, counts: dict[str, int], newest: list[Paper]) -> str:
    """Render a domain's front page: description, count, a link to each month's page, its newest papers."""
    return render("domain.md.j2", slug=domain.slug, name=cell(domain.name), description=cell(domain.description),
                  total=sum(counts.values()), counts=counts, shown=len(newest),
                  papers=papers_list([paper_item(paper_row(paper, "")) for paper in newest]),
                  newest_month=next(iter(counts), ""))


def front_outputs(articles: Path, archive: Archive, taxonomy: tuple[Domain, ...]) -> dict[Path, str | None]:
    """Return every domain's front page, reading only each domain's newest month; None for the pages of domains the
    taxonomy no longer has, and for month pages of months that no longer hold papers."""
    folder, index = articles / DOMAINS_DIR, archive.live_index()
    outputs: dict[Path, str | None] = {}
    read: dict[str, list[Paper]] = {}
    for domain in taxonomy:
        counts = month_counts(index, domain.slug)
        newest = newest_papers(archive, next(iter(counts)), domain.slug, read) if counts else []
        outputs[folder / f"{domain.slug}.md"] = front_page(domain, counts, newest)
    outputs.update(dict.fromkeys(left_over_pages(articles, index, taxonomy)))
    return outputs


def left_over_pages(articles: Path, index: dict[str, Summary], taxonomy: tuple[Domain, ...]) -> list[Path]:
    """Return the pages under domains/ of domains the taxonomy no longer has, and of months that no longer hold papers."""
    folder, known = articles / DOMAINS_DIR, {domain.slug for domain in taxonomy}
    left: list[Path] = []
    # Names, not Paths: this folder of a thousand pages is listed at every run; a Path is made only for a page returned.
    for name in sorted(os.listdir(folder)) if folder.is_dir() else ():
        if not name.endswith(".md"):
            continue
        match = MONTH_PAGE.match(name)
        if match[1] not in known or match[2] not in index if match else name[:-3] not in known:
            left.append(folder / name)
    return left


def domain_pages_stale(articles: Path, taxonomy: tuple[Domain, ...]) -> bool:
    """True when a domain has no front page yet (pages never rendered, a domain added to the taxonomy)."""
    return any(not (articles / DOMAINS_DIR / f"{domain.slug}.md").exists() for domain in taxonomy)
