"""Render the README block and the archive pages from templates/ (Jinja2, StrictUndefined)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from functools import cache, lru_cache
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from ..taxonomy import SLUG, Domain
from .markdown import AUTOLINK_HINTS, SPECIALS, align_tables, cell, contains_any, escape, html_text, is_plain, joined_if_plain, plain, shorten

if TYPE_CHECKING:
    import jinja2

    from ..paper import Listed
    from ..store.archive import Summary

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
PAGE_BUDGET = 400 * 1024  # bytes of rows per archive page; GitHub stops rendering Markdown at 500 KiB
ROW_OVERHEAD = 96  # the list item around the pieces: date and title marks, line break, <details> wrapper
TITLE_LIMIT, AUTHOR_LIMIT, SUMMARY_LIMIT, VENUE_LIMIT = 300, 120, 300, 60
DOMAINS_DIR = "domains"  # under articles/: one page (or more) per domain of the taxonomy
SHOWN_AUTHORS = 3


def markdown_environment(templates: Path) -> jinja2.Environment:
    """Return a Jinja2 environment for Markdown templates in a folder: strict, no HTML autoescape (cells are escaped)."""
    import jinja2  # here, not at the top: a run that renders nothing does without its 0.03 s import

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # a run renders with the templates it started with: no stat of the file at every page
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
    """The escaped pieces of one paper's list item (attributes, which templates read fastest); summary is HTML text."""

    date: str
    title: str
    url: str
    venue: str
    authors: str
    tags: str
    summary: str
    code: str


def tag_link(tag: str, domains: str) -> str:
    """Return a tag as a code-styled link to its domain page in the folder `domains`; a tag that is no slug stays
    inert code (it may start a line, where escaped text could still open a block)."""
    return f"[`{tag}`]({domains}{tag}.md)" if SLUG.match(tag) else "`" + (plain(tag).replace("`", "'") or "?") + "`"


@lru_cache(maxsize=4096)  # a month's papers share a few combinations of tags
def tag_links(tags: tuple[str, ...], domains: str) -> str:
    """Return the links of a paper's tags, or 'untagged'."""
    return " ".join(tag_link(tag, domains) for tag in tags) if tags else "untagged"


def paper_row(paper: Listed, domains: str = f"{DOMAINS_DIR}/") -> Row:
    """Return the escaped pieces of one paper's list item; tags link into the folder `domains`."""
    return Row(  # in field order: a NamedTuple built from keywords takes twice as long
        paper.published[:10],
        cell(paper.title, TITLE_LIMIT) or "(untitled)",
        paper.url,
        cell(paper.venue, VENUE_LIMIT) if paper.venue else "",
        author_cell(paper.authors),
        tag_links(paper.tags, domains),
        html_text(paper.summary, SUMMARY_LIMIT) or "-",
        paper.code_urls[0] if paper.code_urls else "",
    )


def paper_rows(papers: Sequence[Listed], domains: str = f"{DOMAINS_DIR}/") -> list[Row]:
    """Return what paper_row returns for each paper, with titles, author names and abstracts checked for escaping in
    one scan of the month's each (the usual case: none needs any), and cell by cell only where some do."""
    titles = text_cells([paper.title for paper in papers], TITLE_LIMIT)
    if titles is None:
        return [paper_row(paper, domains) for paper in papers]
    summaries = html_cells([paper.summary for paper in papers], SUMMARY_LIMIT)
    if summaries is None:
        summaries = [html_text(paper.summary, SUMMARY_LIMIT) for paper in papers]
    return column_rows(papers, titles, summaries, domains)


def column_rows(papers: Sequence[Listed], titles: list[str], summaries: list[str], domains: str) -> list[Row]:
    """Return paper_row of each paper, given its title and abstract cells: author names checked in one scan (a string a
    paper), each venue and each combination of tags made once a month."""
    names_plain = unescaped([" ".join(paper.authors) for paper in papers if paper.authors])
    venues = {venue: cell(venue, VENUE_LIMIT) if venue else "" for venue in {paper.venue for paper in papers}}
    links = {tags: tag_links(tags, domains) for tags in {paper.tags for paper in papers}}
    return [Row(paper.published[:10], title or "(untitled)", paper.url, venues[paper.venue],
                usual_author_cell(paper.authors) if names_plain else author_cell(paper.authors),
                links[paper.tags], summary or "-", paper.code_urls[0] if paper.code_urls else "")
            for paper, title, summary in zip(papers, titles, summaries, strict=True)]


def unescaped(texts: list[str]) -> bool:
    """True when cell() would change none of the texts but to shorten them: plain, no Markdown or HTML special, and
    nothing GitHub would autolink."""
    joined = joined_if_plain(texts)
    return joined is not None and not contains_any(joined, SPECIALS) and not any(
        hint in joined for hint in AUTOLINK_HINTS)


def shown_heads(texts: list[str], limit: int) -> tuple[list[str], str] | None:
    """Return each text as far as a cell of `limit` characters reads it, and all those joined by spaces, when none
    needs cleaning (is_plain, checked in one scan) and none is cut short by it; else None."""
    reach = limit + 16  # as in shown_plain(): a long text is cleaned only this far, and stripped of the spaces it ends with
    heads = [text if len(text) <= reach else text[:reach].rstrip(" ") for text in texts]
    joined = joined_if_plain(heads)
    if joined is None or any(len(head) <= limit for head, text in zip(heads, texts, strict=True) if len(text) > limit):
        return None
    return heads, joined


def shortened(heads: list[str], limit: int) -> list[str]:
    """Return shorten(head, limit) of every head (one call a head that is too long, none for the others)."""
    return [head if len(head) <= limit else shorten(head, limit) for head in heads]


def text_cells(texts: list[str], limit: int) -> list[str] | None:
    """Return cell(text, limit) of every text when none needs cleaning or escaping as far as cell() reads it (only
    shortening), else None."""
    shown = shown_heads(texts, limit)
    if shown is None or contains_any(shown[1], SPECIALS) or any(hint in shown[1] for hint in AUTOLINK_HINTS):
        return None
    return shortened(shown[0], limit)


def html_cells(texts: list[str], limit: int) -> list[str] | None:
    """Return html_text(text, limit) of every text when none needs cleaning or escaping as far as it reads it (only
    shortening), else None."""
    shown = shown_heads(texts, limit)
    if shown is None or contains_any(shown[1], "&<>"):
        return None
    return shortened(shown[0], limit)


def usual_author_cell(authors: tuple[str, ...]) -> str:
    """Return author_cell(authors) for names none of which needs escaping or cleaning."""
    shown = ", ".join(authors[:SHOWN_AUTHORS])
    if len(shown) > AUTHOR_LIMIT or " ," in shown or shown[-1:] == " ":
        return author_cell(authors)
    return shown + (" et al." if len(authors) > SHOWN_AUTHORS else "") if shown else "-"


def item_text(row: Row, tags: str | None = None) -> str:
    """Return one paper's list item, date first (with `tags` in place of the row's when given); every piece arrives
    escaped, the abstract as HTML text: inside <details> it is raw HTML, so a paper's text can open no tag and no link."""
    return (item_head(row.date, row.title, row.url, row.venue) + (row.tags if tags is None else tags)
            + item_tail(row.authors, row.code, row.summary))


def item_head(date: str, title: str, url: str, venue: str) -> str:
    """Return the part of a list item before its tags: date, title, venue (escaped pieces of a Row)."""
    return f"- {date} · [**{title}**]({url}){f' *{venue}*' if venue else ''}\\\n  "


def item_tail(authors: str, code: str, summary: str) -> str:
    """Return the part of a list item after its tags: authors, code link, abstract (escaped pieces of a Row)."""
    return f" · {authors}{f' · [Code]({code})' if code else ''}\n  <details><summary>Abstract</summary>{summary}</details>\n"


class Item(NamedTuple):
    """One paper's list item as rendered, and the bytes it counts toward a page's budget."""

    text: str
    size: int


def utf8_size(text: str) -> int:
    """Return the bytes text takes in UTF-8 (without encoding it when it is ASCII; a lone surrogate counted as the 3 bytes
    it would take, for the page that holds it to be refused when written, naming it)."""
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def row_size(row: Row) -> int:
    """Estimate the bytes one rendered row takes."""
    return utf8_size("".join(row)) + ROW_OVERHEAD


def paper_item(row: Row, tags: str | None = None, size: int = 0) -> Item:
    """Return a row's list item and its size (with `tags` in place of the row's when given; `size` the row's when
    already measured), rendered once for every page it appears on."""
    if tags is None:
        return Item(item_text(row), size or row_size(row))
    return Item(item_text(row, tags), (size or row_size(row)) - utf8_size(row.tags) + utf8_size(tags))


def month_items(papers: Sequence[Listed]) -> tuple[list[Item], list[Item | None]]:
    """Return each paper's list item as its month page shows it (paper_item of its paper_row), and as its domain pages
    show it, tags linking within the domains' folder (None for a paper with no tag): column by column for a month whose
    titles and abstracts need no escaping (the usual case), else row by row."""
    titles = text_cells([paper.title for paper in papers], TITLE_LIMIT)
    summaries = html_cells([paper.summary for paper in papers], SUMMARY_LIMIT) if titles is not None else None
    if titles is None or summaries is None:
        return row_items(papers, paper_rows(papers))
    rows = column_rows(papers, titles, summaries, f"{DOMAINS_DIR}/")
    domain_links: dict[tuple[str, ...], tuple[str, int]] = {}  # each combination of tags as domain pages link it
    for paper, row in zip(papers, rows, strict=True):
        if paper.tags not in domain_links:
            links = tag_links(paper.tags, "")
            domain_links[paper.tags] = (links, utf8_size(links) - utf8_size(row.tags))  # and the bytes it adds
    heads = [item_head(row.date, row.title, row.url, row.venue) for row in rows]
    tails = [item_tail(row.authors, row.code, row.summary) for row in rows]
    sizes = column_sizes(rows)
    items = [Item(head + row.tags + tail, size) for head, tail, row, size in zip(heads, tails, rows, sizes, strict=True)]
    tagged = [Item(head + domain_links[paper.tags][0] + tail, size + domain_links[paper.tags][1]) if paper.tags else None
              for paper, head, tail, size in zip(papers, heads, tails, sizes, strict=True)]
    return items, tagged


def column_sizes(rows: list[Row]) -> list[int]:
    """Return row_size of each row, where titles and abstracts are ASCII but for the ellipsis (3 bytes in UTF-8) that
    may end them, as text_cells and html_cells make them: by length when the other pieces are ASCII too."""
    pieces = [row.date + row.url + row.venue + row.authors + row.tags + row.code for row in rows]
    if not "".join(pieces).isascii():
        return [row_size(row) for row in rows]
    return [ROW_OVERHEAD + len(piece) + len(row.title) + len(row.summary) + 2 * (row.title[-1:] == "…")
            + 2 * (row.summary[-1:] == "…") for row, piece in zip(rows, pieces, strict=True)]


def row_items(papers: Sequence[Listed], rows: list[Row]) -> tuple[list[Item], list[Item | None]]:
    """Return month_items from the papers' rows, one at a time."""
    items = [paper_item(row) for row in rows]
    return items, [paper_item(row, tag_links(paper.tags, ""), item.size) if paper.tags else None
                   for paper, row, item in zip(papers, rows, items, strict=True)]


def papers_list(items: Sequence[Item]) -> str:
    """Return the list of the items, as a page shows it (an item starts with "- " and ends with one line break)."""
    if not items:
        return ""
    return "".join([item.text for item in items[:-1]] + [items[-1].text.rstrip()]).lstrip()  # "".join(...).strip() copied it


def chunk_items(items: list[Item], budget: int = PAGE_BUDGET) -> list[list[Item]]:
    """Split items into pages whose items fit the byte budget (at least one item a page), in order: each page takes
    items while their sizes add up to the budget, found by bisection in the running totals."""
    totals = list(accumulate(item.size for item in items))
    pages: list[list[Item]] = []
    start, used = 0, 0  # the first item of the next page, and the sizes of the items before it
    while start < len(items):
        end = max(bisect_right(totals, used + budget, start), start + 1)
        pages.append(items[start:end])
        start, used = end, totals[end - 1]
    return pages or [[]]


def page_name(month: str, number: int) -> str:
    """Return the file name of one page of a month: 2025-05.md, then 2025-05-p2.md, ..."""
    return f"{month}.md" if number == 1 else f"{month}-p{number}.md"


PagePlan = list[tuple[str, list[Item], dict[str, object]]]  # each page: file name, its items, its template's other values
LIST_MARK = "\x00papers\x00"  # where framed() has a template put its list: no template or escaped text holds NUL


def month_plan(month: str, papers: Sequence[Listed], tag_counts: dict[str, int], items: list[Item]) -> PagePlan:
    """Return each page of a month's papers (newest first): its file name, its items and the values month.md.j2 shows."""
    pages = chunk_items(items)
    names = [page_name(month, number) for number in range(1, len(pages) + 1)]
    return [(name, page_items, month_values(month, number, names, len(papers), tag_counts))
            for number, (name, page_items) in enumerate(zip(names, pages, strict=True), start=1)]


def month_values(month: str, number: int, names: list[str], total: int, tag_counts: dict[str, int]) -> dict[str, object]:
    """Return the values month.md.j2 shows around the list of one page (`number` of `names`) of a month."""
    return {"month": month, "number": number, "names": names, "total": total, "tag_counts": tag_counts,
            "links": {tag: tag_link(tag, f"{DOMAINS_DIR}/") for tag in tag_counts}, "bib": f"{month}.bib"}


def month_pages(month: str, papers: Sequence[Listed], tag_counts: dict[str, int],
                items: list[Item] | None = None) -> dict[str, str]:
    """Render a month's papers (newest first; `items` their list items when already made) into one or more pages,
    keyed by file name."""
    items = [paper_item(row) for row in paper_rows(papers)] if items is None else items
    return {name: render("month.md.j2", papers=papers_list(page_items), **values)
            for name, page_items, values in month_plan(month, papers, tag_counts, items)}


def frame(template: str, **values: object) -> tuple[bytes, bytes]:
    """Return, as UTF-8, what a template puts before and after the list of a page with these values."""
    head, _, tail = render(template, papers=LIST_MARK, **values).partition(LIST_MARK)
    return head.encode("utf-8"), tail.encode("utf-8")


def framed(template: str, items: Sequence[Item], encoded: dict[int, bytes], **values: object) -> Framed:
    """Return render(template, papers=papers_list(items), ...) as UTF-8, each item encoded once for all the pages it is
    on (kept in `encoded` by the item's identity) and the page joined once, as bytes, with where its list lies; raise
    UnicodeEncodeError as str.encode does."""
    head, tail = frame(template, **values)
    data = []
    for item in items:
        if (chunk := encoded.get(id(item))) is None:
            chunk = encoded[id(item)] = item.text.encode("utf-8")
        data.append(chunk)
    if data:  # papers_list strips the list's ends: an item starts with "- " and ends with its line break
        data[-1] = data[-1].rstrip()
    page = b"".join([head, *data, tail])
    return Framed(page, len(head), len(page) - len(tail))


class Framed(NamedTuple):
    """A page as UTF-8, and where its list of papers starts and ends in it."""

    data: bytes
    start: int
    end: int


def domain_counts(index: dict[str, Summary], taxonomy: tuple[Domain, ...]) -> list[tuple[Domain, int]]:
    """Return each domain with the number of archived papers tagged with it, in reader order, from the index alone."""
    return [(domain, sum(entry["tags"].get(domain.slug, 0) for entry in index.values())) for domain in taxonomy]


def domain_links(counts: list[tuple[Domain, int]], domains: str) -> str:
    """Return one line linking every domain page with its count: [Jailbreaks](domains/jailbreak.md) 412 · ..."""
    return " · ".join(f"[{cell(domain.name)}]({domains}{domain.slug}.md) {count}" for domain, count in counts)


def latest_block(papers: Sequence[Listed], total: int, counts: list[tuple[Domain, int]] | None = None) -> str:
    """Render the README block of the newest papers, with a line linking every domain page.

    Titles link the versioned abstract page, so a paper that is also in a curated section of the README
    never repeats its versionless link (awesome-lint rejects duplicate links).
    """
    prefix = f"articles/{DOMAINS_DIR}/"
    rows = [paper_row(paper, prefix)._replace(url=f"{paper.url}v{paper.version}") for paper in papers]
    return align_tables(render("latest_papers.md.j2", papers=papers_list([paper_item(row) for row in rows]),
                               shown=len(rows), total=total, domains=domain_links(counts or [], prefix)))


def archive_index(index: dict[str, Summary], taxonomy: tuple[Domain, ...], rejected_count: int) -> str:
    """Render articles/README.md: months newest first with counts, and every domain with its count and page."""
    months = sorted(index, reverse=True)
    counts = [(domain, cell(domain.name), cell(domain.description), count)
              for domain, count in domain_counts(index, taxonomy)]
    return render("archive_index.md.j2", months=months, index=index, counts=counts, folder=DOMAINS_DIR,
                  total=sum(entry["count"] for entry in index.values()), rejected_count=rejected_count)
