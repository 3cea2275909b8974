"""The fake arXiv against the real format, and the `arxiv` client internals scripts/ingest/fetch.py relies on.

tests/fixtures/arxiv_page.xml and arxiv_error.xml are written from the API manual and the facts of recorded arXiv
answers. The fake's pages must have their structure, and fetch must read them whole; if an `arxiv` release changes
a private part fetch.py builds on, the internals tests fail naming fetch.py and what changed.
"""

from __future__ import annotations

import inspect
from datetime import UTC, datetime
from pathlib import Path
from xml.etree import ElementTree

import arxiv
import pytest
import requests

from scripts.config import ArxivSettings
from scripts.errors import FetchError
from scripts.ingest import fetch
from tests.fake_arxiv import FakePaper, error_xml, feed_xml

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
PAGE, ERROR = (FIXTURES / "arxiv_page.xml").read_bytes(), (FIXTURES / "arxiv_error.xml").read_bytes()


def structure(xml: bytes) -> set[tuple[str, tuple[str, ...]]]:
    """Return every element path of a document (namespace-qualified) with the attribute names it carries."""
    found: set[tuple[str, tuple[str, ...]]] = set()

    def walk(element: ElementTree.Element, path: str) -> None:
        here = f"{path}/{element.tag}"
        found.add((here, tuple(sorted(element.attrib))))
        for child in element:
            walk(child, here)

    walk(ElementTree.fromstring(xml), "")
    return found


def header_order(xml: bytes) -> list[str]:
    """Return the tags of the feed's children before its first entry, in order."""
    return [child.tag for child in ElementTree.fromstring(xml) if not child.tag.endswith("}entry")]


def fake_page() -> bytes:
    """The fake's page for two papers like the fixture's: one plain, one with comment, journal reference and DOI."""
    plain = FakePaper(id="2510.04321", published="2025-10-06T17:42:10Z", categories=("cs.CL", "cs.CR"))
    full = FakePaper(id="2511.01234", published="2025-11-03T14:20:31Z", version=2, comment="12 pages",
                     journal_ref="Proceedings, pp. 10-21", doi="10.5555/x", categories=("cs.CR", "cs.AI"))
    return feed_xml([plain, full], 2, 0).encode("utf-8")


def settings(url: str) -> ArxivSettings:
    return ArxivSettings(categories=("cs.CL",), all_of=(("jailbreak",),), exclude=(), fields=("ti",), delay_seconds=0,
                         page_size=50, retries=0, timeout_seconds=5, lookback_days=7, first_run_days=14, api_url=url)


def test_the_fake_serves_pages_of_the_fixtures_structure():
    assert structure(fake_page()) == structure(PAGE)
    assert header_order(fake_page()) == header_order(PAGE)


def test_the_fake_serves_error_feeds_of_the_fixtures_structure():
    fake = error_xml("incorrect id format for 2511.1234").encode("utf-8")
    assert structure(fake) == structure(ERROR)
    assert header_order(fake) == header_order(ERROR)


def test_fetch_reads_the_fixture_page_whole(fake_arxiv):
    fake_arxiv.faults = {1: lambda api, request: (200, PAGE.decode("utf-8"))}
    pages: list[int] = []
    papers = fetch.fetch_window(settings(fake_arxiv.url), datetime(2025, 10, 1, tzinfo=UTC),
                                datetime(2025, 12, 1, tzinfo=UTC), lambda number, page: pages.append(len(page)))
    assert pages == [2]
    first, second = papers
    assert (first.id, first.version) == ("2510.04321", 1)
    assert (first.published, first.updated) == ("2025-10-06T17:42:10Z", "2025-10-06T17:42:10Z")
    assert first.title == "Refusal Drift: How Reasoning Traces Erode Safety Training"
    assert first.authors == ("Ngozi Okafor", "Tomás Ferreira") and first.categories == ("cs.CL", "cs.CR")
    assert "five open reasoning models & three jailbreak families" in first.summary
    assert "longer than 2<sup>10</sup> tokens" in first.summary
    assert (first.comment, first.journal_ref) == ("", "")
    assert (second.id, second.version) == ("2511.01234", 2)
    assert (second.published, second.updated) == ("2025-11-03T14:20:31Z", "2025-11-20T09:03:55Z")
    assert second.comment == "12 pages, 4 figures; accepted at an ACL 2026 workshop"
    assert second.journal_ref == "Proceedings of the Workshop on Trustworthy NLP, pp. 10-21"
    assert second.authors == ("Mei Lin", "Jonas Berg", "Priya Raman")


def test_the_fixture_error_feed_is_a_refusal_naming_arxivs_message(fake_arxiv):
    fake_arxiv.faults = {1: lambda api, request: (400, ERROR.decode("utf-8"))}
    refusal = r"arXiv rejected the query: incorrect id format for 2511\.1234; fix the arxiv section"
    with pytest.raises(FetchError, match=refusal):
        fetch.fetch_ids(settings(fake_arxiv.url), ["2511.1234"], lambda number, page: None)
    assert len(fake_arxiv.requests) == 1  # a verdict on the query: not retried


# ---------------------------------------------------------------- the private arxiv internals fetch.py builds on


def relied_on(what: str) -> str:
    """The message of an internals test: what fetch.py relies on, and where to adapt it."""
    return (f"scripts/ingest/fetch.py relies on {what}, which arxiv {arxiv.__version__} changed: "
            "adapt _CheckedClient and _CheckedSession in scripts/ingest/fetch.py (or pin arxiv in requirements.txt)")


def parameters(function) -> list[str]:
    return list(inspect.signature(function).parameters)


def test_client_methods_fetch_py_calls_keep_their_signatures():
    assert parameters(arxiv.Client._parse_feed)[:3] == ["self", "url", "first_page"], \
        relied_on("arxiv.Client._parse_feed(url, first_page)")
    assert parameters(arxiv.Client._format_url) == ["self", "search", "start", "page_size"], \
        relied_on("arxiv.Client._format_url(search, start, page_size)")
    assert {"page_size", "delay_seconds", "num_retries"} <= set(parameters(arxiv.Client.__init__)), \
        relied_on("arxiv.Client(page_size, delay_seconds, num_retries)")


def test_client_attributes_fetch_py_replaces_still_exist():
    client = arxiv.Client()
    assert isinstance(getattr(client, "_session", None), requests.Session), \
        relied_on("arxiv.Client._session, a requests.Session")
    assert "{}" in getattr(client, "query_url_format", ""), relied_on("arxiv.Client.query_url_format, a format string")
    response = requests.Response()
    response._content = b"<feed/>"
    assert response.content == b"<feed/>", relied_on("requests.Response._content holding a body already read")


class _Recorder(requests.Session):
    """A session that answers every get with a canned status and body, and records the calls."""

    def __init__(self, status: int, body: bytes):
        super().__init__()
        self.status, self.body, self.calls = status, body, []

    def get(self, url, **kwargs):
        self.calls.append(url)
        response = requests.Response()
        response.status_code, response._content = self.status, self.body
        return response


def test_parse_feed_asks_through_the_session_once_and_reads_its_content():
    client = arxiv.Client(page_size=50, delay_seconds=0, num_retries=0)
    client._session = session = _Recorder(200, PAGE)
    feed = client._parse_feed(client._format_url(arxiv.Search(query="ti:jailbreak"), 20, 50), first_page=True)
    assert len(session.calls) == 1, relied_on("_parse_feed asking through self._session.get once per try")
    assert "start=20" in session.calls[0], relied_on("_format_url's start")
    assert "max_results=50" in session.calls[0], relied_on("_format_url's max_results")
    assert (feed.header.total_results, len(feed.results), feed.malformed) == (2, 2, False), \
        relied_on("_parse_feed returning header.total_results, results and malformed, parsed from response.content")
    assert feed.results[1].get_short_id() == "2511.01234v2", relied_on("Result.get_short_id()")


def test_parse_feed_with_no_retries_raises_http_error_with_its_status_after_one_try():
    client = arxiv.Client(page_size=50, delay_seconds=0, num_retries=0)
    client._session = session = _Recorder(503, b"busy")
    with pytest.raises(arxiv.HTTPError) as raised:
        client._parse_feed(client._format_url(arxiv.Search(query="ti:x"), 0, 50), first_page=True)
    assert getattr(raised.value, "status", None) == 503, relied_on("arxiv.HTTPError.status")
    assert len(session.calls) == 1, relied_on("num_retries=0 meaning a single try in _parse_feed")


def test_an_empty_first_page_is_returned_not_raised():
    client = arxiv.Client(page_size=50, delay_seconds=0, num_retries=0)
    client._session = _Recorder(200, feed_xml([], 0, 0).encode("utf-8"))
    feed = client._parse_feed(client._format_url(arxiv.Search(query="ti:x"), 0, 50), first_page=True)
    assert feed.results == [], relied_on("_parse_feed(first_page=True) returning an empty page for fetch.py to judge")
