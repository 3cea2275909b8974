"""The domain pages under articles/domains/: every archived paper of one domain of the taxonomy, newest first."""

from __future__ import annotations

from pathlib import Path

from ..store.archive import Archive, month_path, read_month, sort_newest_first
from ..taxonomy import Domain
from .listing import DOMAINS_DIR, chunk_rows, paper_row, page_name, render
from .markdown import cell


def domain_pages(domain: Domain, papers: list) -> dict[str, str]:
    """Render a domain's papers (newest first) into one or more pages, keyed by file name: jailbreak.md, jailbreak-p2.md."""
    pages = chunk_rows([paper_row(paper, "") for paper in papers])
    names = [page_name(domain.slug, number) for number in range(1, len(pages) + 1)]
    return {
        name: render("domain.md.j2", slug=domain.slug, name=cell(domain.name), description=cell(domain.description),
                     rows=rows, number=number, names=names, total=len(papers))
        for number, (name, rows) in enumerate(zip(names, pages), start=1)
    }


def papers_by_domain(archive: Archive, months: list[str], slugs: set[str]) -> dict[str, list]:
    """Return the papers of each domain, newest first, reading each month with papers of one of them once."""
    found: dict[str, list] = {slug: [] for slug in slugs}
    for month in months:
        if not slugs & set(archive.index.get(month, {}).get("tags", {})):
            continue  # the index says no paper of this month carries one of the domains
        papers = archive.month(month).values() if month in archive.changed else read_month(
            month_path(archive.data_dir, month)).values()
        for paper in papers:
            for tag in paper.tags:
                if tag in found:
                    found[tag].append(paper)
    return {slug: sort_newest_first(papers) for slug, papers in found.items()}


def domain_outputs(articles: Path, archive: Archive, taxonomy: tuple[Domain, ...]) -> dict[Path, str | None]:
    """Return every domain's pages, plus None for any other page left in articles/domains/ (a shorter or removed domain)."""
    folder = articles / DOMAINS_DIR
    found = papers_by_domain(archive, sorted(archive.live_index()), {domain.slug for domain in taxonomy})
    outputs: dict[Path, str | None] = {}
    for domain in taxonomy:  # every domain has a page, empty or not, so links to it always lead somewhere
        outputs.update({folder / name: text for name, text in domain_pages(domain, found[domain.slug]).items()})
    if folder.is_dir():
        outputs.update({path: None for path in folder.glob("*.md") if path not in outputs})
    return outputs


def domain_pages_stale(articles: Path, taxonomy: tuple[Domain, ...]) -> bool:
    """True when a domain has no first page yet (pages never rendered, a domain added to the taxonomy); a changed
    month makes them stale too, which the caller knows."""
    return any(not (articles / DOMAINS_DIR / f"{domain.slug}.md").exists() for domain in taxonomy)
