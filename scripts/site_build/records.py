"""One paper as the HTML page Pagefind indexes: the text to search, meta to show, filters and the date to sort by."""

from __future__ import annotations

import re
from html import escape

from ..paper import Paper
from ..render.bibtex import render_entry
from ..text_policy import INVISIBLE

# Only web links become code links: a record's code URL is arXiv-supplied text, and a javascript: URL would run.
WEB_URL = re.compile(r"^https?://[^\s\"'<>]+$")
# Pagefind filter and meta values are one line of text; line breaks would only split them in the index files.
LINE_BREAKS = re.compile(r"\s+")
PAGE = ('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{id}</title></head><body>'
        '<main data-pagefind-body><h1 data-pagefind-weight="7" data-pagefind-meta="title">{title}</h1>'
        '<p data-pagefind-meta="authors">{authors}</p><p>{summary}</p></main>'
        '<div data-pagefind-ignore>{extras}</div></body></html>\n')


def one_line(text: str) -> str:
    """Return text on one line: the characters the one character policy blanks out of paper text (controls, bidi,
    zero-width) and runs of whitespace folded to one space, as on the Markdown pages."""
    return LINE_BREAKS.sub(" ", INVISIBLE.sub(" ", text)).strip()


def code_url(paper: Paper) -> str:
    """Return the paper's first code link when it is a web URL, else an empty string."""
    return next((url for url in paper.code_urls if WEB_URL.match(url)), "")


def meta_fields(paper: Paper) -> dict[str, str]:
    """Return what a search result shows besides title and authors (all plain text)."""
    return {"id": paper.id, "date": paper.published[:10], "venue": one_line(paper.venue),
            "code": code_url(paper), "domains": " ".join(paper.tags), "bibtex": render_entry(paper)}


def filter_values(paper: Paper) -> list[tuple[str, str]]:
    """Return (filter, value) pairs: each domain, the year and month of first submission, the venue, has code."""
    pairs = [("domain", tag) for tag in paper.tags]
    pairs += [("year", paper.published[:4]), ("month", paper.published[5:7])]
    pairs.append(("code", "yes" if code_url(paper) else "no"))
    if paper.venue.strip():
        pairs.append(("venue", one_line(paper.venue)))
    return pairs


def paper_page(paper: Paper) -> str:
    """Return the HTML page of one paper, every archived text escaped."""
    extras = [f'<span data-pagefind-meta="{key}">{escape(value)}</span>'
              for key, value in meta_fields(paper).items() if value]
    extras += [f'<span data-pagefind-filter="{key}">{escape(value)}</span>' for key, value in filter_values(paper)]
    extras.append(f'<span data-pagefind-sort="date">{escape(paper.published)}</span>')
    return PAGE.format(id=escape(paper.id), title=escape(one_line(paper.title)),
                       authors=escape(", ".join(map(one_line, paper.authors))), summary=escape(one_line(paper.summary)),
                       extras="".join(extras))
