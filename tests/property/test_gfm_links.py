"""Paper text rendered by GitHub's own parser (cmark-gfm with autolink, table, strikethrough and tagfilter): no link,
image or HTML ever comes from a title, an author or an abstract."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scripts.paper import Paper
from scripts.render import listing as render
from scripts.render.markdown import FULLWIDTH_AT, cell, plain, shorten
from scripts.render.markers import replace_block
from tests.conftest import README
from tests.property.test_hostile import hostile_papers, hostile_text

cmarkgfm = pytest.importorskip("cmarkgfm", reason="cmarkgfm (GitHub's parser) is missing: install requirements-dev.txt")
from cmarkgfm.cmark import Options  # noqa: E402

EXTENSIONS = ["autolink", "table", "strikethrough", "tagfilter"]
# Pieces that GitHub's autolink extension turns into links, and the characters around them that decide whether it does.
LINKY = ["https://", "http://", "HTTPS://", "ftp://", "www.", "WWW.", "wWw.", "@", "mailto:", "xmpp:", ".", "..", "com",
         "evil.example", "a", "Z9", "_", "\\", "-", "+", " ", "/", ":", "(", ")", "*", "~", "<", ">", "&", "é", ";",
         "|"]
linky_text = st.lists(st.one_of(st.sampled_from(LINKY), st.text(max_size=3)), max_size=16).map("".join)
TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)([^>]*)>")


def github_html(markdown: str) -> str:
    """Render Markdown as github.com does, raw HTML let through so that any HTML from the text shows up."""
    return cmarkgfm.markdown_to_html_with_extensions(markdown, options=Options.CMARK_OPT_UNSAFE, extensions=EXTENSIONS)


def table_cell(text: str) -> str:
    """Return the HTML inside the one body cell of a table holding `text`."""
    page = github_html(f"| A |\n| --- |\n| {text or '-'} |\n")
    match = re.search(r"<td>(.*?)</td>", page, re.S)
    assert match, page
    return match[1]


def readable(text: str) -> str:
    """Text as a reader compares it: the look-alike @ read as @."""
    return text.replace(FULLWIDTH_AT, "@")


@pytest.mark.parametrize("text", [
    "see https://evil.example/a and http://x.org", "www.evil.example/path", "Jane Doe jane.doe@uni.example.edu",
    "mailto:a@b.example", "xmpp:a@b.example", "ftp://files.example", "_www.x.example_", "(www.x.example)", "a_@b.c_d",
    "pass@k and pass@1.5 on GSM8K", "https\\://x.example", "x\\@y.example",
])
def test_known_autolinks_stay_text(text):
    shown = table_cell(cell(text))
    assert "<" not in shown, shown
    assert readable(html.unescape(shown)) == plain(text)


@settings(max_examples=400, deadline=None)
@given(st.one_of(linky_text, hostile_text), st.sampled_from([0, 12, 240]))
def test_an_escaped_cell_forms_no_link_image_or_html_on_github(text, limit):
    shown = table_cell(cell(text, limit))
    assert "<" not in shown, shown  # no <a>, <img>, <code>, <em> or raw HTML: only text and entities
    expected = shorten(plain(text), limit) if limit else plain(text)
    assert readable(html.unescape(shown)) == readable(expected or "-")


def page_links(page: str) -> tuple[set[str], set[str]]:
    """Return the tag names and the link or image targets of a rendered page."""
    names, targets = set(), set()
    for _closing, name, attributes in TAG.findall(github_html(page)):
        names.add(name.lower())
        targets.update(html.unescape(value) for value in re.findall(r'(?:href|src)="([^"]*)"', attributes))
    return names, targets


def allowed_targets(papers: list[Paper], versioned: bool) -> set[str]:
    """Links a page may carry: each paper's arXiv page and its first code link."""
    allowed = {paper.url + (f"v{paper.version}" if versioned else "") for paper in papers}
    return allowed | {paper.code_urls[0] for paper in papers if paper.code_urls}


@st.composite
def linky_papers(draw) -> list[Paper]:
    """Hostile papers whose authors and abstracts also hold bare URLs, www. addresses and e-mail addresses."""
    papers = draw(hostile_papers())
    return [paper.with_changes(authors=tuple(draw(st.lists(linky_text, max_size=4))),
                               summary=draw(linky_text) + paper.summary[:200]) for paper in papers]


PAGE_TAGS = {"p", "h1", "h2", "h3", "table", "thead", "tbody", "tr", "th", "td", "a", "em", "strong", "ul", "li", "img",
             "code", "br", "details", "summary"}  # each abstract folds into <details>, its text escaped


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(linky_papers())
def test_readme_and_month_pages_link_only_to_arxiv_and_code(papers):
    readme = replace_block(README, "LATEST_PAPERS", render.latest_block(papers, len(papers)), "README.md")
    months = render.month_pages("2025-05", papers, {}).values()
    for page, versioned in [(readme, True), *((text, False) for text in months)]:
        names, targets = page_links(page)
        assert names <= PAGE_TAGS, names - PAGE_TAGS
        assert targets - {"assets/img/trend.svg", "../assets/img/trend.svg"} <= allowed_targets(papers, versioned) | \
            {target for target in targets if not re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", target)}


def test_a_template_link_is_still_a_link():
    names, targets = page_links("[arXiv](https://arxiv.org/abs/2501.00001)")
    assert "a" in names and targets == {"https://arxiv.org/abs/2501.00001"}  # the oracle sees links when there are some
