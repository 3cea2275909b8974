"""The Atom 1.0 feed of the newest papers (RFC 4287)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ..errors import ArchiveError
from ..paper import Paper

ATOM = "http://www.w3.org/2005/Atom"
# Characters XML 1.0 forbids (C0 controls other than tab, newline, carriage return; surrogates; U+FFFE, U+FFFF).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
ATOM_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$")


def xml_text(text: str) -> str:
    """Return text without characters XML 1.0 cannot hold, whitespace runs collapsed to one space."""
    return " ".join(NOT_XML.sub("", text).split())


def checked_time(value: str, what: str) -> str:
    """Return an RFC 3339 time unchanged, or raise ArchiveError naming what holds the bad value."""
    if not ATOM_TIME.match(value or ""):
        raise ArchiveError(
            f"feed: {what} is {value!r}, not an ISO 8601 UTC time like 2025-05-16T17:59:46Z; "
            "fix that record in articles/data/ or re-fetch the paper"
        )
    return value


def add_text(parent: ET.Element, name: str, text: str, **attributes: str) -> ET.Element:
    """Append an Atom child element holding XML-safe text."""
    child = ET.SubElement(parent, name, attributes)
    child.text = xml_text(text)
    return child


def add_link(parent: ET.Element, href: str, rel: str, **attributes: str) -> None:
    """Append an Atom link element."""
    ET.SubElement(parent, "link", {"href": xml_text(href), "rel": rel, **attributes})


def render_entry(feed: ET.Element, paper: Paper) -> None:
    """Append one paper as an Atom entry: ID, title, links, authors, dates, tags and abstract."""
    entry = ET.SubElement(feed, "entry")
    add_text(entry, "id", paper.url)
    add_text(entry, "title", paper.title, type="text")
    add_link(entry, paper.url, "alternate", type="text/html")
    for code_url in paper.code_urls:
        add_link(entry, code_url, "related", title="Code")
    add_text(entry, "published", checked_time(paper.published, f"paper {paper.id} key 'published'"))
    add_text(entry, "updated", checked_time(paper.updated, f"paper {paper.id} key 'updated'"))
    for name in paper.authors:
        author = ET.SubElement(entry, "author")
        add_text(author, "name", name)
    for tag in paper.tags:
        ET.SubElement(entry, "category", {"term": xml_text(tag)})
    add_text(entry, "summary", paper.summary, type="text")


def render_feed(papers: list[Paper], feed_url: str, site_url: str, title: str, updated: str) -> str:
    """Return an Atom 1.0 document listing the papers in the order given; `updated` is the newest paper's time."""
    # Tags stay unprefixed: the root declares Atom as the default namespace.
    feed = ET.Element("feed", {"xmlns": ATOM})
    add_text(feed, "id", feed_url)
    add_text(feed, "title", title, type="text")
    add_text(feed, "updated", checked_time(updated, "the feed's updated time"))
    add_link(feed, feed_url, "self", type="application/atom+xml")
    add_link(feed, site_url, "alternate", type="text/html")
    # RFC 4287 wants an author on the feed when an entry may lack one (a paper without listed authors).
    author = ET.SubElement(feed, "author")
    add_text(author, "name", title)
    for paper in papers:
        render_entry(feed, paper)
    ET.indent(feed, space="  ")
    body = ET.tostring(feed, encoding="unicode")
    return f'<?xml version="1.0" encoding="utf-8"?>\n{body}\n'
