"""Fetch papers from the arXiv API: the only module that imports `arxiv`."""

from __future__ import annotations

import logging
import re
import time
from datetime import datetime, timedelta, timezone
from typing import Callable, Iterable
from urllib.parse import parse_qs, urlsplit
from xml.parsers import expat

import arxiv
import requests

from ..config import ArxivSettings
from ..errors import FetchError
from ..paper import Paper, split_version

log = logging.getLogger("update")

# The API returns at most 30000 results for one query, in pages of at most 2000:
# https://info.arxiv.org/help/api/user-manual.html#3112-start-and-max_results-paging
MAX_RESULTS_PER_QUERY = 30000
TOTAL_CHANGE_RESTARTS = 2
ID_BATCH = 200
READ_CHUNK = 1024  # bytes read between checks of a response's deadline
# arXiv's error entry has an id like http://arxiv.org/api/errors#incorrect_id_format; paper text is escaped, so it
# can't contain "<id>" and an abstract that merely mentions such a URL is not mistaken for an error.
ERROR_ENTRY = re.compile(rb"<id>[^<]*/api/errors#")
TOTAL_RESULTS = re.compile(rb"<(?:\w+:)?totalResults\b[^>]*>\s*\d+\s*</(?:\w+:)?totalResults>")

PageCallback = Callable[[int, list[Paper]], None]


class _Retryable(Exception):
    """A response worth asking for again: truncated, malformed or short."""


class _TotalChanged(Exception):
    """arXiv's result count changed between pages: the window must be read again."""


class _WindowTooLarge(Exception):
    """The window holds more results than one query may return: it must be split."""


class _CheckedSession(requests.Session):
    """A session that bounds each answer's total time and rejects error entries and damaged feeds before the client
    parses them (the client's parser recovers from broken XML silently, dropping or mangling text)."""

    def __init__(self, timeout: float):
        super().__init__()
        self.timeout = timeout

    def get(self, url, **kwargs):
        deadline = time.monotonic() + self.timeout
        response = super().get(url, timeout=self.timeout, stream=True, **kwargs)
        body = read_body(response, deadline, self.timeout)
        response._content = body  # where requests keeps a body it has read, so .content returns it
        # arXiv reports a bad query as an Atom entry titled "Error" whose id is .../api/errors#...,
        # which the client would otherwise skip as an entry without <published>, reading "no results".
        if ERROR_ENTRY.search(body):
            raise FetchError(f"{short_url(url)}: arXiv rejected the query: {error_summary(body)}; fix the arxiv section of config.yaml")
        if response.status_code == 200:
            check_feed(body)
        return response


def read_body(response: requests.Response, deadline: float, timeout: float) -> bytes:
    """Read a streamed answer, giving up when the whole of it takes longer than the timeout (a trickle never ends)."""
    chunks = []
    with response:
        for chunk in response.iter_content(READ_CHUNK):
            if time.monotonic() > deadline:
                raise requests.Timeout(f"the answer took over {timeout:g} s")
            chunks.append(chunk)
    return b"".join(chunks)


def check_feed(body: bytes) -> None:
    """Raise _Retryable unless body is a complete, well-formed Atom feed that states its result count."""
    if not body.rstrip().endswith(b"</feed>"):
        raise _Retryable(f"truncated feed ({len(body)} bytes, no closing </feed>)")
    problem = xml_problem(body)
    if problem:
        raise _Retryable(f"malformed feed ({problem})")
    if not TOTAL_RESULTS.search(body):
        raise _Retryable("no result count (opensearch:totalResults) in the feed")


def xml_problem(body: bytes) -> str | None:
    """Return why body is not well-formed XML (no DTDs allowed), or None when it is."""
    parser = expat.ParserCreate()

    def refuse_doctype(*_args) -> None:
        raise ValueError("a DOCTYPE declaration, which arXiv never sends")

    parser.StartDoctypeDeclHandler = refuse_doctype
    try:
        parser.Parse(body, True)
    except expat.ExpatError as error:
        return f"line {error.lineno}: {expat.errors.messages[error.code]}"
    except ValueError as error:
        return str(error)
    return None


def error_summary(body: bytes) -> str:
    """Return the text of the <summary> in an arXiv error entry."""
    match = re.search(rb"<summary[^>]*>(.*?)</summary>", body, re.S)
    return match.group(1).decode("utf-8", "replace").strip() if match else "unknown error"


class _CheckedClient(arxiv.Client):
    """arxiv.Client with backoff retries, page-completeness checks and a per-page callback."""

    def __init__(self, settings: ArxivSettings, on_page: PageCallback):
        super().__init__(page_size=settings.page_size, delay_seconds=settings.delay_seconds, num_retries=0)
        self.query_url_format = settings.api_url + "?{}"
        self._session = _CheckedSession(settings.timeout_seconds)
        self.retries, self.on_page = settings.retries, on_page
        self.pages, self.first_total = 0, 0

    def _parse_feed(self, url: str, first_page: bool = True, _try_index: int = 0):
        for attempt in range(self.retries + 1):
            try:
                feed = super()._parse_feed(url, first_page=first_page, _try_index=0)
                self.check_page(url, feed, first_page)
                break
            except (arxiv.HTTPError, arxiv.UnexpectedEmptyPageError, requests.RequestException, _Retryable) as error:
                if attempt == self.retries:
                    raise FetchError(f"{short_url(url)}: {describe(error)} after {attempt + 1} tries; arXiv may be down, rerun later") from None
                pause = self.delay_seconds * 2 ** (attempt + 1)
                log.warning("retrying in %.0f s after %s", pause, describe(error))
                time.sleep(pause)
        self.pages += 1
        self.on_page(self.pages, [to_paper(result) for result in feed.results])
        return feed

    def check_page(self, url: str, feed, first_page: bool) -> None:
        """Raise unless the page holds every result its header promises."""
        if feed.malformed:
            raise _Retryable(f"malformed feed ({feed.error})")
        total = feed.header.total_results
        if first_page:
            self.first_total = total
            if total > MAX_RESULTS_PER_QUERY:
                raise _WindowTooLarge(total)
        elif total != self.first_total:
            raise _TotalChanged(f"{self.first_total} -> {total}")
        start = int(parse_qs(urlsplit(url).query).get("start", ["0"])[0])
        expected = max(0, min(self.page_size, total - start))
        if len(feed.results) < expected:
            raise _Retryable(f"short page ({len(feed.results)} of {expected} results)")


def short_url(url: str) -> str:
    """Return the endpoint and paging position of a request URL (the full query is too long to read)."""
    parts = urlsplit(url)
    start = parse_qs(parts.query).get("start", ["0"])[0]
    return f"{parts.scheme}://{parts.netloc}{parts.path} (results from {start})"


def describe(error: Exception) -> str:
    """Return a short human description of a fetch failure."""
    if isinstance(error, arxiv.HTTPError):
        return f"HTTP {error.status}"
    if isinstance(error, arxiv.UnexpectedEmptyPageError):
        return "empty page in the middle of the results"
    if isinstance(error, requests.Timeout):
        return "timed out"
    if isinstance(error, requests.ConnectionError):
        return "connection failed"
    if isinstance(error, requests.exceptions.ChunkedEncodingError):
        return "connection broken while reading the answer"
    return str(error) or type(error).__name__


def to_paper(result: arxiv.Result) -> Paper:
    """Convert an arxiv.Result to a Paper (versionless ID, whitespace-normalised text)."""
    try:
        paper_id, version = split_version(result.get_short_id())
    except ValueError as error:
        raise FetchError(f"{result.entry_id}: {error}; the API answered an entry that is not a paper") from None
    return Paper(
        id=paper_id,
        version=version,
        title=" ".join(result.title.split()),
        authors=tuple(" ".join(author.name.split()) for author in result.authors),
        published=iso(result.published),
        updated=iso(result.updated),
        summary=" ".join(result.summary.split()),
        categories=tuple(result.categories),
        comment=" ".join((result.comment or "").split()),
        journal_ref=" ".join((result.journal_ref or "").split()),
    )


def iso(moment: datetime) -> str:
    """Format a datetime as ISO 8601 UTC with a Z suffix."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def quote_term(field: str, term: str) -> str:
    """Return `field:term`, quoting phrases and hyphenated terms."""
    return f'{field}:"{term}"' if re.search(r"[\s-]", term) else f"{field}:{term}"


def any_of(settings: ArxivSettings, terms: Iterable[str]) -> str:
    """Return a parenthesised OR of the terms over the configured fields."""
    return "(" + " OR ".join(quote_term(field, term) for term in terms for field in settings.fields) + ")"


def build_query(settings: ArxivSettings, start: datetime, end: datetime) -> str:
    """Return the boolean search_query for one submittedDate window."""
    parts = ["(" + " OR ".join(f"cat:{category}" for category in settings.categories) + ")"]
    parts += [any_of(settings, group) for group in settings.all_of]
    parts.append(f"submittedDate:[{start:%Y%m%d%H%M} TO {end:%Y%m%d%H%M}]")
    query = " AND ".join(parts)
    if settings.exclude:
        query += " ANDNOT " + any_of(settings, settings.exclude)
    return query


def fetch_window(settings: ArxivSettings, start: datetime, end: datetime, on_page: PageCallback) -> list[Paper]:
    """Return every paper submitted in [start, end], splitting windows arXiv can't serve in one query."""
    search = arxiv.Search(query=build_query(settings, start, end), max_results=None,
                          sort_by=arxiv.SortCriterion.SubmittedDate, sort_order=arxiv.SortOrder.Ascending)
    for attempt in range(TOTAL_CHANGE_RESTARTS + 1):
        try:
            return run_search(settings, search, on_page)
        except _WindowTooLarge as error:
            if end - start < timedelta(hours=2):
                raise FetchError(f"{settings.api_url}: {error} results in under two hours; narrow arxiv.all_of in config.yaml") from None
            middle = start + (end - start) / 2
            log.info("window %s..%s holds %s results: splitting", start.date(), end.date(), error)
            return fetch_window(settings, start, middle, on_page) + fetch_window(settings, middle, end, on_page)
        except _TotalChanged as error:
            log.warning("result count changed between pages (%s): reading the window again", error)
    raise FetchError(f"{settings.api_url}: the result count kept changing while paging; rerun later")


def fetch_ids(settings: ArxivSettings, ids: list[str], on_page: PageCallback) -> list[Paper]:
    """Return the papers with the given versionless IDs (for maintainer includes)."""
    papers = []
    for offset in range(0, len(ids), ID_BATCH):
        batch = ids[offset:offset + ID_BATCH]
        search = arxiv.Search(id_list=batch, max_results=len(batch))
        papers += run_search(settings, search, on_page)
    return papers


def run_search(settings: ArxivSettings, search: arxiv.Search, on_page: PageCallback) -> list[Paper]:
    """Page through one search and return its papers, converted once, page by page."""
    papers: list[Paper] = []

    def collect(page_number: int, page: list[Paper]) -> None:
        papers.extend(page)
        on_page(page_number, page)

    for _ in _CheckedClient(settings, collect).results(search):
        pass
    return papers
