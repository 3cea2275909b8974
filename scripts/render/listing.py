"""Render the README block and the archive pages from templates/ (Jinja2, StrictUndefined)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import jinja2

from .markdown import align_tables, cell, escape, is_plain

if TYPE_CHECKING:
    from ..paper import Paper
    from ..store.archive import Summary

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
PAGE_BUDGET = 400 * 1024  # bytes of rows per archive page; GitHub stops rendering Markdown at 500 KiB
ROW_OVERHEAD = 64
TITLE_LIMIT, AUTHOR_LIMIT, SUMMARY_LIMIT, VENUE_LIMIT = 300, 120, 240, 60
SHOWN_AUTHORS = 3


def markdown_environment(templates: Path) -> jinja2.Environment:
    """Return a Jinja2 environment for Markdown templates in a folder: strict, no HTML autoescape (cells are escaped)."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@cache
def environment() -> jinja2.Environment:
    """Return the environment of templates/, built once."""
    return markdown_environment(TEMPLATES)


def render(template: str, **context: object) -> str:
    """Render one template by name."""
    return environment().get_template(template).render(**context)


def author_cell(authors: Sequence[str]) -> str:
    """Return the first few authors, then 'et al.', escaped."""
    shown = ", ".join(authors[:SHOWN_AUTHORS])
    if len(shown) <= AUTHOR_LIMIT and is_plain(shown) and " ," not in shown:
        shown = escape(shown)  # no name to clean or cut (the usual case): escape them at once, not one by one
    else:
        shown = ", ".join(cell(name, AUTHOR_LIMIT) for name in authors[:SHOWN_AUTHORS])
    return shown + (" et al." if len(authors) > SHOWN_AUTHORS else "") if shown else "-"


class Row(NamedTuple):
    """The escaped cells of one paper's table row (attributes, which templates read fastest)."""

    date: str
    title: str
    url: str
    venue: str
    authors: str
    tags: str
    summary: str
    code: str


def paper_row(paper: Paper) -> Row:
    """Return the escaped cells of one paper's table row."""
    return Row(  # in field order: a NamedTuple built from keywords takes twice as long
        paper.published[:10],
        cell(paper.title, TITLE_LIMIT) or "(untitled)",
        paper.url,
        cell(paper.venue, VENUE_LIMIT) if paper.venue else "",
        author_cell(paper.authors),
        "`" + "` `".join(paper.tags) + "`" if paper.tags else "-",
        cell(paper.summary, SUMMARY_LIMIT) or "-",
        paper.code_urls[0] if paper.code_urls else "",
    )


def row_size(row: Row) -> int:
    """Estimate the bytes one rendered row takes."""
    return len("".join(row).encode("utf-8")) + ROW_OVERHEAD


def chunk_rows(rows: list[Row], budget: int = PAGE_BUDGET) -> list[list[Row]]:
    """Split rows into pages whose rows fit the byte budget (at least one row a page)."""
    pages: list[list[Row]] = [[]]
    used = 0
    for row in rows:
        size = row_size(row)
        if pages[-1] and used + size > budget:
            pages.append([])
            used = 0
        pages[-1].append(row)
        used += size
    return pages


def page_name(month: str, number: int) -> str:
    """Return the file name of one page of a month: 2025-05.md, then 2025-05-p2.md, ..."""
    return f"{month}.md" if number == 1 else f"{month}-p{number}.md"


def month_pages(month: str, papers: list[Paper], tag_counts: dict[str, int]) -> dict[str, str]:
    """Render a month's papers (newest first) into one or more pages, keyed by file name."""
    pages = chunk_rows([paper_row(paper) for paper in papers])
    names = [page_name(month, number) for number in range(1, len(pages) + 1)]
    return {
        name: render("month.md.j2", month=month, rows=rows, number=number, names=names,
                     total=len(papers), tag_counts=tag_counts, bib=f"{month}.bib")
        for number, (name, rows) in enumerate(zip(names, pages, strict=True), start=1)
    }


def latest_block(papers: list[Paper], total: int) -> str:
    """Render the README block of the newest papers, tables padded as awesome-lint wants.

    Titles link the versioned abstract page, so a paper that is also in a curated section of the README
    never repeats its versionless link (awesome-lint rejects duplicate links).
    """
    rows = [paper_row(paper)._replace(url=f"{paper.url}v{paper.version}") for paper in papers]
    return align_tables(render("latest_papers.md.j2", rows=rows, total=total))


def archive_index(index: dict[str, Summary], domains: list[str], rejected_count: int) -> str:
    """Render articles/README.md: months newest first with counts, and counts per domain."""
    months = sorted(index, reverse=True)
    totals = {tag: sum(entry["tags"].get(tag, 0) for entry in index.values()) for tag in domains}
    return render("archive_index.md.j2", months=months, index=index, totals=totals,
                  total=sum(entry["count"] for entry in index.values()), rejected_count=rejected_count)
