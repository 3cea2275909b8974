"""The Atom feed: valid for feedparser and strict XML parsers, papers in the given order, hostile text escaped."""

import xml.etree.ElementTree as ET

import feedparser
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scripts.errors import ArchiveError
from scripts.paper import Paper
from scripts.render.feed import render_feed, xml_text

FEED_URL = "https://example.org/list/articles/feed.xml"
SITE_URL = "https://example.org/list"
ATOM = "{http://www.w3.org/2005/Atom}"


def make_paper(number: int, **changes) -> Paper:
    """Return a plausible paper whose ID and dates grow with number."""
    paper = Paper(
        id=f"2505.{11490 + number:05d}",
        version=1,
        title=f"Reasoning Traces Leak Unsafe Plans, Part {number}",
        authors=("Ada Lovelace", "Alan Turing"),
        published=f"2025-05-{10 + number:02d}T12:00:00Z",
        updated=f"2025-05-{10 + number:02d}T13:30:00Z",
        summary="We study how chain-of-thought\nreasoning models reveal harmful plans.",
        categories=("cs.CL", "cs.AI"),
        tags=("jailbreak", "reasoning-safety"),
        code_urls=("https://github.com/org/repo",),
    )
    return paper.with_changes(**changes)


def render(papers, updated="2025-06-01T00:00:00Z"):
    """Render the test feed."""
    return render_feed(papers, FEED_URL, SITE_URL, "Awesome LRM Safety", updated)


def test_feed_parses_without_bozo_and_keeps_the_given_order():
    papers = [make_paper(number) for number in (5, 3, 4, 1)]
    parsed = feedparser.parse(render(papers, updated=papers[0].updated))
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert [entry.id for entry in parsed.entries] == [paper.url for paper in papers]
    assert parsed.feed.title == "Awesome LRM Safety"
    assert parsed.feed.updated == papers[0].updated


def test_entry_carries_title_link_authors_dates_tags_and_abstract():
    paper = make_paper(2)
    entry = feedparser.parse(render([paper])).entries[0]
    assert entry.title == paper.title
    assert entry.link == "https://arxiv.org/abs/2505.11492"
    assert [author.name for author in entry.authors] == ["Ada Lovelace", "Alan Turing"]
    assert (entry.published, entry.updated) == (paper.published, paper.updated)
    assert [tag.term for tag in entry.tags] == ["jailbreak", "reasoning-safety"]
    assert entry.summary == "We study how chain-of-thought reasoning models reveal harmful plans."
    assert {"href": "https://github.com/org/repo", "rel": "related"}.items() <= entry.links[1].items()


def test_feed_is_strict_atom_xml_with_self_and_alternate_links():
    root = ET.fromstring(render([make_paper(1)]).encode("utf-8"))
    assert root.tag == f"{ATOM}feed"
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links == {"self": FEED_URL, "alternate": SITE_URL}
    assert root.find(f"{ATOM}author/{ATOM}name").text == "Awesome LRM Safety"
    assert len(root.findall(f"{ATOM}entry")) == 1


def test_empty_feed_is_still_valid():
    parsed = feedparser.parse(render([]))
    assert not parsed.bozo and parsed.entries == [] and parsed.version == "atom10"


def test_same_papers_give_the_same_bytes():
    papers = [make_paper(number) for number in range(3, 0, -1)]
    assert render(papers) == render(list(papers))
    assert render(papers) != render(papers[:2])


def test_illegal_xml_characters_are_dropped():
    paper = make_paper(1, title="Bell\x07 and\x00 back\x1fspace\ufffe", authors=("Nul\x00l Author",))
    text = render([paper])
    ET.fromstring(text.encode("utf-8"))
    entry = feedparser.parse(text).entries[0]
    assert entry.title == "Bell and backspace"
    assert entry.authors[0].name == "Null Author"


@pytest.mark.parametrize("field", ["published", "updated"])
def test_malformed_dates_raise_an_archive_error_naming_the_paper(field):
    with pytest.raises(ArchiveError, match=rf"2505\.11491 key '{field}'.*2025-05-16T17:59:46Z"):
        render([make_paper(1, **{field: "16 May 2025"})])


def test_malformed_feed_time_raises_an_archive_error():
    with pytest.raises(ArchiveError, match="feed's updated time"):
        render([make_paper(1)], updated="2025-06-01")


PIECES = [*"<>&'\"|\\{}%$#_~^\x00\x01\x0b\x0c\x1b\x7f\x85\u2028\ufffe\uffff\ud800", "]]>", "<![CDATA[", "&amp;", "\r\n"]
HOSTILE = st.lists(st.one_of(st.sampled_from(PIECES), st.characters(), st.text(max_size=5)), max_size=20).map("".join)


@settings(max_examples=200, deadline=None)
@given(title=HOSTILE, author=HOSTILE, summary=HOSTILE, tag=HOSTILE)
def test_hostile_text_survives_as_plain_text(title, author, summary, tag):
    paper = make_paper(1, title=title, authors=(author,), summary=summary, tags=(tag,))
    text = render([paper])
    root = ET.fromstring(text.encode("utf-8"))
    entry = root.find(f"{ATOM}entry")
    assert (entry.find(f"{ATOM}title").text or "") == xml_text(title)
    assert (entry.find(f"{ATOM}author/{ATOM}name").text or "") == xml_text(author)
    assert (entry.find(f"{ATOM}summary").text or "") == xml_text(summary)
    assert entry.find(f"{ATOM}category").get("term") == xml_text(tag)
    parsed = feedparser.parse(text)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.entries[0].id == paper.url
