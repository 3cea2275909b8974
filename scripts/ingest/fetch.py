"""Fetch papers from the arXiv API: the only module that imports `arxiv`.

Contract: a fetch returns every result its query holds, once each, or raises one FetchError that names the URL or
the paper and the fix. Completeness is judged by evidence: unique versionless IDs counted against a total that
every page reports alike, and each page read twice (by our own bounded parser and by the client's).
"""

from __future__ import annotations

import email.utils
import http.client
import logging
import re
import socket
import ssl
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from xml.parsers import expat

import arxiv
import requests
import urllib3

from ..config import PAGE_BUDGET_SECONDS, WAIT_BUDGET_SECONDS, ArxivSettings
from ..errors import FetchError
from ..paper import Paper, split_version

log = logging.getLogger("update")

# The API returns at most 30000 results for one query, in pages of at most 2000:
# https://info.arxiv.org/help/api/user-manual.html#3112-start-and-max_results-paging
MAX_RESULTS_PER_QUERY = 30000
WINDOW_REREADS = 2
ID_BATCH = 200
READ_CHUNK = 1 << 16  # bytes read at most between checks of a response's deadline and size
# A page of 2000 entries is a few MB; a small gzip answer can inflate to gigabytes and exhaust memory before any parse.
MAX_BODY = 50_000_000
SMALLEST_HALVED_PAGE = 100  # large pages that keep failing are halved down to this size, no further
RETRY_AFTER_CAP = 300  # seconds: the most a Retry-After header makes one pause
# arXiv's feeds nest four deep (feed/entry/author/name) and its longest text is an abstract of a few KB. The client's
# lxml parser silently returns an empty feed past 256 levels or for a text node over 10 MB; ours refuses far earlier.
MAX_DEPTH = 16
MAX_TEXT = 1_000_000
EARLIEST = datetime(1991, 1, 1, tzinfo=UTC)  # arXiv opened in August 1991
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})")
# arXiv's error entry has an id like http://arxiv.org/api/errors#incorrect_id_format; paper text is escaped, so it
# can't contain "<id>" and an abstract that merely mentions such a URL is not mistaken for an error.
ERROR_ENTRY = re.compile(rb"<id>[^<]*/api/errors#")
ATOM, OPENSEARCH = "http://www.w3.org/2005/Atom", "http://a9.com/-/spec/opensearch/1.1/"
FEED, ENTRY, TOTAL = f"{ATOM} feed", f"{ATOM} entry", f"{OPENSEARCH} totalResults"
ENTRY_FIELDS = {f"{ATOM} id": "id", f"{ATOM} published": "published", f"{ATOM} updated": "updated"}
ARXIV = "http://arxiv.org/schemas/atom"
# Elements the client reads as text: it reads only up to a first child node, so a child cuts the text short.
TEXT_ONLY = frozenset({*ENTRY_FIELDS, TOTAL, *(f"{ATOM} {name}" for name in ("title", "summary", "name")),
                       *(f"{ARXIV} {name}" for name in ("comment", "journal_ref", "doi", "affiliation"))})

PageCallback = Callable[[int, list[Paper]], None]


class _Retryable(Exception):
    """A response worth asking for again: truncated, malformed, contradictory or short."""


class _BadEntry(_Retryable):
    """An entry arXiv should never send (a date it cannot hold): retried, then reported by paper."""


class _Short(_Retryable):
    """A page with fewer entries than it should hold; after the retries it is accepted as it came."""

    def __init__(self, message: str, papers: list[Paper], reported: int):
        super().__init__(message)
        self.papers, self.reported = papers, reported


class _Reread(Exception):
    """The results moved while paging (the total changed, or a paper came back on a later page): read again."""

    seen, final = "results moved while paging", "the results kept moving while paging"


class _TotalChanged(_Reread):
    seen, final = "result count changed between pages", "the result count kept changing while paging"


class _Shifted(_Reread):
    seen, final = "results shifted between pages", "results kept shifting between pages"


class _OutsideWindow(_Reread):
    seen, final = "a paper from outside the window came back", "papers from outside the window kept coming back"


class _WindowTooLarge(Exception):
    """The window holds more results than one query may return: it must be split."""


@dataclass
class FeedScan:
    """What our own bounded parse found in a page: the stated total and each entry's id and dates."""

    total: int | None = None
    entries: list[dict[str, str]] = field(default_factory=list)


class _Scanner:
    """An expat pass over a feed that refuses DTDs, deep nesting and huge text instead of silently dropping them."""

    def __init__(self) -> None:
        self.scan, self.length = FeedScan(), 0
        self.stack: list[str] = []
        self.text: list[str] = []
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.buffer_text, parser.buffer_size = True, 1 << 16
        parser.StartDoctypeDeclHandler = self.refuse_doctype
        parser.StartElementHandler, parser.EndElementHandler = self.start, self.end
        parser.CharacterDataHandler = self.characters
        parser.CommentHandler = parser.ProcessingInstructionHandler = self.refuse_inside_text
        self.parser = parser

    def refuse_doctype(self, *_args: object) -> None:
        raise _Retryable("malformed feed (a DOCTYPE declaration, which arXiv never sends)")

    def refuse_inside_text(self, *_args: object) -> None:
        """Refuse a comment or processing instruction in a text element: the client reads its text only up to it."""
        if len(self.stack) > 1 and self.stack[-1] in TEXT_ONLY:
            raise _Retryable(f"malformed feed (a comment or processing instruction in <{self.stack[-1].split()[-1]}>, "
                             "which arXiv never sends; the client would cut the text short)")

    def start(self, name: str, _attributes: object) -> None:
        self.stack.append(name)
        self.text, self.length = [], 0
        if len(self.stack) > MAX_DEPTH:
            raise _Retryable(f"feed nested over {MAX_DEPTH} elements deep "
                             "(arXiv's nest 4; the client would read no papers)")
        if len(self.stack) > 1 and self.stack[-2] in TEXT_ONLY:
            raise _Retryable(f"malformed feed (an element in <{self.stack[-2].split()[-1]}>, which arXiv never "
                             "sends; the client would cut the text short)")
        if self.stack == [FEED, ENTRY]:
            self.scan.entries.append({})

    def characters(self, data: str) -> None:
        self.length += len(data)
        if self.length > MAX_TEXT:
            raise _Retryable(f"a text node over {MAX_TEXT:,} characters in <{self.stack[-1].split()[-1]}> "
                             "(the client would read no papers)")
        self.text.append(data)

    def end(self, name: str) -> None:
        text = "".join(self.text).strip()
        if self.stack == [FEED, TOTAL]:
            self.scan.total = int(text) if text.isdigit() else None
        elif len(self.stack) == 3 and self.stack[1] == ENTRY and name in ENTRY_FIELDS:
            self.scan.entries[-1].setdefault(ENTRY_FIELDS[name], text)  # the first copy: the one the client reads
        self.stack.pop()
        self.text, self.length = [], 0


def scan_feed(body: bytes) -> FeedScan:
    """Parse a feed with our limits; raise _Retryable when it is truncated, malformed, too deep or too large."""
    if not body.rstrip().endswith(b"</feed>"):
        raise _Retryable(f"truncated feed ({len(body)} bytes, no closing </feed>)")
    scanner = _Scanner()
    try:
        scanner.parser.Parse(body, True)
    except expat.ExpatError as error:
        raise _Retryable(f"malformed feed (line {error.lineno}: {expat.errors.messages[error.code]})") from None
    if scanner.scan.total is None:
        raise _Retryable("no result count (opensearch:totalResults) in the feed")
    return scanner.scan


def check_dates(scan: FeedScan, latest: datetime) -> None:
    """Raise _BadEntry naming the paper when an entry's date is one arXiv cannot hold (1991 .. clock + 1 day)."""
    for entry in scan.entries:
        for name in ("published", "updated"):
            problem = date_problem(entry.get(name, ""), latest)
            if problem:
                paper = entry.get("id", "?").split("/abs/")[-1]
                raise _BadEntry(f"paper {paper}: <{name}> {entry.get(name, '')!r} {problem}")


def date_problem(text: str, latest: datetime) -> str | None:
    """Return why an Atom timestamp is unusable, or None."""
    if not RFC3339.fullmatch(text):
        return "is not an RFC 3339 timestamp"
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)
    except (ValueError, OverflowError):
        return "is not a valid date"
    if not EARLIEST <= moment <= latest:
        return f"is outside {EARLIEST:%Y-%m-%d} .. {latest:%Y-%m-%d}, the dates arXiv can hold"
    return None


def retry_after(value: str | None) -> float | None:
    """Return the seconds a Retry-After header asks for (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    if re.fullmatch(r"[0-9]+", value.strip()):  # ASCII digits: str.isdigit() also takes '²', which float() refuses
        return float(value.strip())
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())


class _CheckedSession(requests.Session):
    """A session that bounds each answer's total time, and scans each answer with our limits before the client
    parses it (the client's parser recovers from broken XML silently, dropping or mangling text, or whole feeds)."""

    def __init__(self, timeout: float, latest: datetime):
        super().__init__()
        self.timeout, self.latest = timeout, latest
        self.scan: FeedScan | None = None
        self.retry_after: float | None = None

    def get(self, url: str | bytes, **kwargs: Any) -> requests.Response:
        self.scan, self.retry_after = None, None
        deadline = time.monotonic() + self.timeout
        response = super().get(url, timeout=self.timeout, stream=True, **kwargs)
        body = read_body(response, deadline, self.timeout)
        response._content = body  # where requests keeps a body it has read, so .content returns it
        # arXiv reports a bad query as an Atom entry titled "Error" whose id is .../api/errors#... (with HTTP 400),
        # which the client would otherwise skip as an entry without <published>, reading "no results".
        if ERROR_ENTRY.search(body):
            raise FetchError(f"{endpoint(str(url))}: arXiv rejected the query: {error_summary(body)}; "
                             "fix the arxiv section of config.yaml")
        if response.status_code != 200:
            self.retry_after = retry_after(response.headers.get("Retry-After"))
            return response
        self.scan = scan_feed(body)
        check_dates(self.scan, self.latest)
        return response


def read_body(response: requests.Response, deadline: float, timeout: float) -> bytes:
    """Read a streamed answer, giving up when the whole of it takes longer than the timeout (a trickle never ends)
    or inflates past MAX_BODY bytes."""
    chunks, size = [], 0
    with response:
        # read1 returns after one socket read: iter_content waits for a whole chunk, which a byte sent just inside
        # each socket timeout stretches to hours before the deadline is looked at.
        while chunk := read1(response):
            size += len(chunk)
            if time.monotonic() > deadline:
                raise requests.Timeout(f"the answer took over {timeout:g} s")
            if size > MAX_BODY:
                raise _Retryable(f"an answer over {MAX_BODY:,} bytes (arXiv's largest pages are a few MB)")
            chunks.append(chunk)
    return b"".join(chunks)


def read1(response: requests.Response) -> bytes:
    """Read what one socket read brings (decoded), raising urllib3's errors as requests' own iter_content does."""
    try:
        return bytes(response.raw.read1(READ_CHUNK, decode_content=True))
    except urllib3.exceptions.ReadTimeoutError as error:
        raise requests.Timeout(error) from error
    except urllib3.exceptions.SSLError as error:
        raise requests.exceptions.SSLError(error) from error
    except urllib3.exceptions.DecodeError as error:
        raise requests.exceptions.ContentDecodingError(error) from error
    except urllib3.exceptions.ProtocolError as error:
        raise requests.exceptions.ChunkedEncodingError(error) from error


def error_summary(body: bytes) -> str:
    """Return the text of the <summary> in an arXiv error entry."""
    match = re.search(rb"<summary[^>]*>(.*?)</summary>", body, re.S)
    return match.group(1).decode("utf-8", "replace").strip() if match else "unknown error"


class _CheckedClient(arxiv.Client):
    """arxiv.Client fetching one page at a time, with our session; paging, retries and checks are ours."""

    def __init__(self, settings: ArxivSettings, latest: datetime):
        super().__init__(page_size=settings.page_size, delay_seconds=settings.delay_seconds, num_retries=0)
        self.query_url_format = settings.api_url + "?{}"
        self.checked = _CheckedSession(settings.timeout_seconds, latest)
        self._session = self.checked

    def read(self, search: arxiv.Search, start: int, size: int) -> tuple[list[Paper], int]:
        """Return one page's papers and stated total, after checking the client read what our scan found."""
        try:  # first_page=True: the client never judges an empty page itself; check_page does
            feed = self._parse_feed(self._format_url(search, start, size), first_page=True)
        except (ValueError, OverflowError) as error:  # the client's date parser, on anything check_dates let through
            raise _Retryable(f"the arxiv client could not read the page ({error})") from None
        scan = self.checked.scan
        if scan is None or scan.total is None:
            raise _Retryable("the page was not scanned before the client parsed it")
        if feed.malformed or (len(feed.results), feed.header.total_results) != (len(scan.entries), scan.total):
            raise _Retryable(f"the arxiv client read {len(feed.results)} entries and a total of "
                             f"{feed.header.total_results} from a page that holds {len(scan.entries)} entries "
                             f"and a total of {scan.total}")
        return [to_paper(result) for result in feed.results], scan.total


def check_page(papers: list[Paper], reported: int, start: int, size: int, *, total: int | None,
               seen: dict[str, Paper]) -> None:
    """Raise unless a page is consistent with itself, with the pages before it and with its stated total."""
    ids = [paper.id for paper in papers]
    if total is not None and reported != total:
        raise _TotalChanged(f"{total} -> {reported}")
    if len(ids) > size:
        raise _Retryable(f"the page holds {len(ids)} entries, more than the {size} asked for")
    if start + len(ids) > reported:
        raise _Retryable(f"the page holds {len(ids)} entries from result {start + 1}, but totalResults says {reported}")
    repeated = next((paper_id for index, paper_id in enumerate(ids) if paper_id in ids[:index]), None)
    if repeated:
        raise _Retryable(f"paper {repeated} appears twice on the page")
    earlier = next((paper_id for paper_id in ids if paper_id in seen), None)
    if earlier:
        raise _Shifted(f"paper {earlier} came back on a later page")
    expected = min(size, reported - start)
    if not ids and expected:
        raise _Retryable(f"short page (0 of {expected} results)")
    if len(ids) < expected:
        raise _Short(f"short page ({len(ids)} of {expected} results)", papers, reported)


def causes(error: BaseException) -> list[BaseException]:
    """Return an error and everything it wraps (requests wraps urllib3, which wraps socket errors)."""
    found: list[BaseException] = []
    pending: list[object] = [error]
    while pending:
        current = pending.pop()
        if not isinstance(current, BaseException) or any(current is seen for seen in found):
            continue  # ssl.SSLError's reason is a string, and most args are
        found.append(current)
        pending += [current.__cause__, current.__context__, getattr(current, "reason", None), *current.args]
    return found


def kind(error: BaseException) -> str:
    """Classify a failure by its real cause: entry, http, dns, tls, timeout, refused, encoding, broken, reset, dropped
    or page."""
    if isinstance(error, _BadEntry):
        return "entry"
    chain = causes(error)
    checks: list[tuple[str, type[BaseException] | tuple[type[BaseException], ...]]] = [("http", arxiv.HTTPError), ("dns", socket.gaierror),
              ("tls", (requests.exceptions.SSLError, ssl.SSLError)),
              ("timeout", (requests.Timeout, socket.timeout)), ("refused", ConnectionRefusedError),
              ("encoding", requests.exceptions.ContentDecodingError),
              ("broken", requests.exceptions.ChunkedEncodingError), ("reset", ConnectionResetError),
              ("dropped", http.client.RemoteDisconnected)]
    for name, types in checks:
        if any(isinstance(item, types) for item in chain):
            return name
    return "connection" if isinstance(error, requests.ConnectionError) else "page"


def describe(error: BaseException, url: str) -> str:
    """Return a short description of a fetch failure that names its cause and the host."""
    host = urlsplit(url).netloc
    return {
        "http": f"HTTP {getattr(error, 'status', '?')}",
        "dns": f"connection failed: the name {urlsplit(url).hostname} does not resolve (DNS)",
        "tls": f"connection failed: the TLS handshake with {host} failed",
        "timeout": f"timed out waiting for {host}",
        "refused": f"connection failed: {host} refused the connection",
        "encoding": "the answer's compression (Content-Encoding) is damaged",
        "broken": "connection broken while reading the answer",
        "reset": f"connection failed: {host} reset the connection",
        "dropped": f"connection failed: {host} closed the connection without answering",
        "connection": f"connection failed to {host}",
    }.get(kind(error), str(error) or type(error).__name__)


def advice(error: BaseException, url: str) -> str:
    """Return what a person can do about a fetch failure."""
    found = kind(error)
    if found == "http" and getattr(error, "status", 0) == 429:
        return "arXiv is limiting requests from this address; rerun later"
    return {
        "http": "arXiv may be down; rerun later",
        "dns": f"check this machine's network and DNS, or the host in ARXIV_API_URL; "
               f"rerun once {urlsplit(url).hostname} resolves",
        "tls": "check the system clock, the CA certificates and any proxy in between; rerun after",
        "timeout": "arXiv is slow; rerun later, or raise arxiv.timeout_seconds in config.yaml",
        "refused": "nothing answers there: check ARXIV_API_URL, or rerun when the API is back",
        "page": "arXiv served damaged pages; rerun later",
        "encoding": "arXiv, or a proxy in between, served a damaged compressed answer; rerun later",
        "entry": "arXiv served a damaged entry; rerun later, and report the paper to help@arxiv.org if it lasts",
    }.get(found, "the network or arXiv failed; rerun later")


class _Run:
    """One fetch: the client, the page size (halved when large pages keep failing) and the run's wait budget."""

    def __init__(self, settings: ArxivSettings, on_page: PageCallback):
        self.settings, self.on_page = settings, on_page
        self.page_size = settings.page_size
        self.waited = 0.0
        self.client = _CheckedClient(settings, datetime.now(UTC) + timedelta(days=1))

    def window(self, start: datetime, end: datetime) -> list[Paper]:
        """Return every paper submitted in [start, end], splitting windows arXiv can't serve in one query."""
        search = arxiv.Search(query=build_query(self.settings, start, end), max_results=None,
                              sort_by=arxiv.SortCriterion.SubmittedDate, sort_order=arxiv.SortOrder.Ascending)
        for _ in range(WINDOW_REREADS + 1):
            try:
                return check_window(self.search(search), start, end)
            except _WindowTooLarge as error:
                if end - start < timedelta(hours=2):
                    raise FetchError(f"{self.settings.api_url}: {error} results in under two hours; "
                                     "narrow arxiv.all_of in config.yaml") from None
                middle = start + (end - start) / 2
                log.info("window %s..%s holds %s results: splitting", start.date(), end.date(), error)
                halves = self.window(start, middle) + self.window(middle, end)  # both hold the minute `middle`
                return list({paper.id: paper for paper in halves}.values())
            except _Reread as error:
                moved = error
                log.warning("%s (%s): reading the window again", error.seen, error)
        raise FetchError(f"{self.settings.api_url}: {moved.final}; rerun later")

    def search(self, search: arxiv.Search) -> list[Paper]:
        """Page through one search; return its papers once each, complete by the total every page reported."""
        seen: dict[str, Paper] = {}
        total: int | None = None
        start, number = 0, 0
        while total is None or start < total:
            number += 1
            papers, reported = self.page(search, start, number, total, seen)
            if total is None and reported > MAX_RESULTS_PER_QUERY:
                raise _WindowTooLarge(reported)
            total = reported
            seen.update((paper.id, paper) for paper in papers)
            self.on_page(number, papers)
            start += len(papers)
        if len(seen) != total:
            raise FetchError(f"{self.settings.api_url}: {len(seen)} unique papers where arXiv reported {total}; "
                             "rerun later")
        return list(seen.values())

    def page(self, search: arxiv.Search, start: int, number: int, total: int | None,
             seen: dict[str, Paper]) -> tuple[list[Paper], int]:
        """Return one checked page: retried while it fails, halved while large pages fail, accepted when short."""
        tries, attempts, began = 0, 0, time.monotonic()
        while True:
            attempts += 1
            size = min(self.page_size, search.max_results or self.page_size)
            where = f"{self.settings.api_url}, page {number} (results {start + 1}-{start + size})"
            try:
                papers, reported = self.client.read(search, start, size)
                check_page(papers, reported, start, size, total=total, seen=seen)
                return papers, reported
            except _Short as short:
                if tries >= self.settings.retries:
                    log.warning("%s: %s after %d tries: continuing from result %d",
                                where, short, tries + 1, start + len(short.papers) + 1)
                    self.halve(where)
                    return short.papers, short.reported
                error: Exception = short
            except (arxiv.HTTPError, requests.RequestException, _Retryable) as failed:
                error = failed
                if tries + 1 >= self.tries_allowed(error):
                    if halvable(error) and self.halve(where):
                        self.check_page_time(where, error, began, attempts)
                        tries = 0
                        continue
                    raise FetchError(f"{where}: {describe(error, self.settings.api_url)} after {tries + 1} tries; "
                                     f"{advice(error, self.settings.api_url)}") from None
            self.check_page_time(where, error, began, attempts)
            self.wait(where, error, tries)
            tries += 1

    def check_page_time(self, where: str, error: Exception, began: float, attempts: int) -> None:
        """Raise before a try that could take one page past PAGE_BUDGET_SECONDS: each halving starts the page's
        tries afresh, so without this a page timing out at every size could outlast the workflow."""
        spent = time.monotonic() - began
        if spent + self.settings.timeout_seconds > PAGE_BUDGET_SECONDS:
            url = self.settings.api_url
            raise FetchError(f"{where}: {describe(error, url)} after {attempts} tries in {spent:.0f} s; another try "
                             f"could pass the {PAGE_BUDGET_SECONDS} s one page may take; {advice(error, url)}")

    def tries_allowed(self, error: Exception) -> int:
        """Return how many tries a failure earns: a name that does not resolve gets one more, not a back-off series."""
        return min(2, self.settings.retries + 1) if kind(error) == "dns" else self.settings.retries + 1

    def halve(self, where: str) -> bool:
        """Halve the page size for the rest of the run, when it is still above the smallest; log it."""
        if self.page_size // 2 < SMALLEST_HALVED_PAGE:
            return False
        self.page_size //= 2
        log.warning("%s: large pages keep failing; asking for %d results a page for the rest of the run",
                    where, self.page_size)
        return True

    def wait(self, where: str, error: Exception, tries: int) -> None:
        """Pause before the next try: doubling back-off (longer after 429), at least Retry-After (capped), in budget."""
        if kind(error) == "dns":
            pause = self.settings.delay_seconds
        else:
            pause = self.settings.backoff(tries, rate_limited=getattr(error, "status", 0) == 429)
            asked = self.client.checked.retry_after
            if asked is not None:
                pause = max(pause, min(asked, RETRY_AFTER_CAP))
        if self.waited + pause > WAIT_BUDGET_SECONDS:
            url = self.settings.api_url
            raise FetchError(f"{where}: {describe(error, url)}; pausing {pause:.0f} s more would pass the "
                             f"{WAIT_BUDGET_SECONDS} s this run may wait between tries; {advice(error, url)}")
        self.waited += pause
        log.warning("retrying in %.3g s after %s", pause, describe(error, self.settings.api_url))
        time.sleep(pause)


def check_window(papers: list[Paper], start: datetime, end: datetime) -> list[Paper]:
    """Return the papers, or raise _OutsideWindow when one was first submitted outside [start, end] (a day's
    leeway): counted against the total, it would stand in for a paper of the window."""
    low, high = iso(start - timedelta(days=1)), iso(end + timedelta(days=1))
    outside = next((paper for paper in papers if not low <= paper.published <= high), None)
    if outside is not None:
        raise _OutsideWindow(f"paper {outside.id} was first submitted {outside.published}, outside "
                             f"{iso(start)} .. {iso(end)}")
    return papers


def halvable(error: Exception) -> bool:
    """Tell whether a smaller page might get past a failure: damaged, short or slow pages; not refusals, bad entries."""
    return (isinstance(error, _Retryable) and not isinstance(error, _BadEntry)) or kind(error) in ("timeout", "broken")


def endpoint(url: str) -> str:
    """Return a request URL without its query (the full query is too long to read)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def to_paper(result: arxiv.Result) -> Paper:
    """Convert an arxiv.Result to a Paper (versionless ID, whitespace-normalised text)."""
    try:
        paper_id, version = split_version(result.get_short_id())
    except ValueError as error:
        raise _BadEntry(f"{result.entry_id}: {error}") from None  # retried, then reported as a damaged entry
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
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


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
    """Return every paper submitted in [start, end], once each, or raise FetchError."""
    return _Run(settings, on_page).window(start, end)


def fetch_ids(settings: ArxivSettings, ids: list[str], on_page: PageCallback) -> list[Paper]:
    """Return the papers with the given versionless IDs (for maintainer includes)."""
    run, papers = _Run(settings, on_page), []
    for offset in range(0, len(ids), ID_BATCH):
        batch = ids[offset:offset + ID_BATCH]
        found = {paper.id: paper for paper in run.search(arxiv.Search(id_list=batch, max_results=len(batch)))}
        missing = [paper_id for paper_id in batch if paper_id not in found]
        if missing:  # left out, it would never be asked for again: the overrides are then marked applied
            raise FetchError(f"{settings.api_url}: arXiv returned no paper for {', '.join(missing)}, asked for by ID; "
                             "check the included IDs in collection/overrides.yaml (mistyped or withdrawn), then rerun")
        papers += [found[paper_id] for paper_id in batch]
    return papers
