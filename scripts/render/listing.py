"""Render the README block and the archive pages from templates/ (Jinja2, StrictUndefined)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import jinja2

from ..paper import Paper
from .markdown import SPECIALS, align_tables, cell, contains_any, escape, is_plain, joined_if_plain, shorten

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


@lru_cache(maxsize=None)
def environment() -> jinja2.Environment:
    """Return the environment of templates/, built once."""
    return markdown_environment(TEMPLATES)


def render(template: str, **context) -> str:
    """Render one template by name."""
    return environment().get_template(template).render(**context)


def author_cell(authors) -> str:
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


def paper_row(paper) -> Row:
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


def paper_rows(papers: list[Paper]) -> list[Row]:
    """Return what paper_row returns for each paper, with titles, abstracts and author names checked for escaping in
    one scan of the month's each (the usual case: none needs any), and cell by cell only where some do."""
    titles = text_cells([paper.title for paper in papers], TITLE_LIMIT)
    summaries = text_cells([paper.summary for paper in papers], SUMMARY_LIMIT)
    if titles is None or summaries is None:
        return [paper_row(paper) for paper in papers]
    names_plain = unescaped([name for paper in papers for name in paper.authors])
    return [Row(paper.published[:10], title or "(untitled)", paper.url,
                cell(paper.venue, VENUE_LIMIT) if paper.venue else "",
                usual_author_cell(paper.authors) if names_plain else author_cell(paper.authors),
                "`" + "` `".join(paper.tags) + "`" if paper.tags else "-",
                summary or "-", paper.code_urls[0] if paper.code_urls else "")
            for paper, title, summary in zip(papers, titles, summaries, strict=True)]


def unescaped(texts: list[str]) -> bool:
    """True when cell() would change none of the texts but to shorten them: plain, and no Markdown or HTML special."""
    joined = joined_if_plain(texts)
    return joined is not None and not contains_any(joined, SPECIALS)


def text_cells(texts: list[str], limit: int) -> list[str] | None:
    """Return cell(text, limit) of every text when none needs cleaning or escaping as far as cell() reads it (only
    shortening), else None."""
    reach = limit + 16  # as in cell(): a long text is cleaned only this far, and stripped of the spaces it ends with
    heads = [text if len(text) <= reach else text[:reach].rstrip(" ") for text in texts]
    if not unescaped(heads) or any(len(head) <= limit < len(text) for head, text in zip(heads, texts, strict=True)):
        return None
    return [shorten(head, limit) for head in heads]


def usual_author_cell(authors: tuple[str, ...]) -> str:
    """Return author_cell(authors) for names none of which needs escaping or cleaning."""
    shown = ", ".join(authors[:SHOWN_AUTHORS])
    if len(shown) > AUTHOR_LIMIT or " ," in shown or shown[-1:] == " ":
        return author_cell(authors)
    return shown + (" et al." if len(authors) > SHOWN_AUTHORS else "") if shown else "-"


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


def month_pages(month: str, papers: list, tag_counts: dict) -> dict[str, str]:
    """Render a month's papers (newest first) into one or more pages, keyed by file name."""
    pages = chunk_rows(paper_rows(papers))
    names = [page_name(month, number) for number in range(1, len(pages) + 1)]
    return {
        name: render("month.md.j2", month=month, rows=rows, number=number, names=names,
                     total=len(papers), tag_counts=tag_counts, bib=f"{month}.bib")
        for number, (name, rows) in enumerate(zip(names, pages), start=1)
    }


def latest_block(papers: list, total: int) -> str:
    """Render the README block of the newest papers, tables padded as awesome-lint wants.

    Titles link the versioned abstract page, so a paper that is also in a curated section of the README
    never repeats its versionless link (awesome-lint rejects duplicate links).
    """
    rows = [paper_row(paper)._replace(url=f"{paper.url}v{paper.version}") for paper in papers]
    return align_tables(render("latest_papers.md.j2", rows=rows, total=total))


def archive_index(index: dict, domains: list[str], rejected_count: int) -> str:
    """Render articles/README.md: months newest first with counts, and counts per domain."""
    months = sorted(index, reverse=True)
    totals = {tag: sum(entry["tags"].get(tag, 0) for entry in index.values()) for tag in domains}
    return render("archive_index.md.j2", months=months, index=index, totals=totals,
                  total=sum(entry["count"] for entry in index.values()), rejected_count=rejected_count)
