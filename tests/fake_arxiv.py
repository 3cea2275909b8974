"""A fake arXiv API on loopback: serves Atom feeds in arXiv's format, pages them, and injects faults on request."""

from __future__ import annotations

import gzip
import io
import re
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape, quoteattr

WINDOW = re.compile(r"submittedDate:\[(\d{12}) TO (\d{12})\]")
ATOM_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" '
             'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" xmlns:arxiv="http://arxiv.org/schemas/atom">\n')


@dataclass
class FakePaper:
    """One paper the fake API knows, at its current version."""

    id: str
    published: str
    title: str = "A Study of Jailbreak Attacks on Large Language Models"
    summary: str = "We study jailbreak attacks on large language models and propose a defense."
    authors: tuple[str, ...] = ("Ada Lovelace", "Alan Turing")
    version: int = 1
    updated: str = ""
    categories: tuple[str, ...] = ("cs.CL", "cs.CR")
    comment: str = ""
    journal_ref: str = ""
    doi: str = ""


def make_papers(count: int, start: str = "2025-03-01T00:00:00Z", step_hours: int = 5, first_number: int = 0) -> list[FakePaper]:
    """Return `count` distinct papers submitted `step_hours` apart from `start`, numbered from `first_number`."""
    first = datetime.strptime(start, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    papers = []
    for number in range(first_number, first_number + count):
        moment = first + timedelta(hours=step_hours * (number - first_number))
        papers.append(FakePaper(id=f"{moment:%y%m}.{10000 + number:05d}", published=f"{moment:%Y-%m-%dT%H:%M:%SZ}",
                                title=f"Jailbreak Attacks on Large Language Models, Part {number}"))
    return papers


def entry_xml(paper: FakePaper) -> str:
    """Return one <entry> as arXiv writes it (tests/fixtures/arxiv_page.xml shows the same structure)."""
    versioned = f"{paper.id}v{paper.version}"
    authors = "".join(f"<author><name>{escape(name)}</name></author>" for name in paper.authors)
    categories = "".join(f"<category term={quoteattr(term)} scheme=\"http://arxiv.org/schemas/atom\"/>" for term in paper.categories)
    extras = f"<arxiv:comment>{escape(paper.comment)}</arxiv:comment>" if paper.comment else ""
    extras += f"<arxiv:primary_category term={quoteattr(paper.categories[0])}/>"
    if paper.journal_ref:
        extras += f"<arxiv:journal_ref>{escape(paper.journal_ref)}</arxiv:journal_ref>"
    doi = ""
    if paper.doi:
        doi = (f"<arxiv:doi>{escape(paper.doi)}</arxiv:doi>"
               f"<link rel=\"related\" href=\"https://doi.org/{escape(paper.doi)}\" title=\"doi\"/>")
    return (f"<entry><id>http://arxiv.org/abs/{versioned}</id><title>{escape(paper.title)}</title>"
            f"<updated>{paper.updated or paper.published}</updated>"
            f"<link href=\"https://arxiv.org/abs/{versioned}\" rel=\"alternate\" type=\"text/html\"/>"
            f"<link href=\"https://arxiv.org/pdf/{versioned}\" rel=\"related\" type=\"application/pdf\" title=\"pdf\"/>"
            f"<summary>{escape(paper.summary)}</summary>{categories}<published>{paper.published}</published>"
            f"{extras}{authors}{doi}</entry>\n")


def feed_xml(entries: list[FakePaper], total: int, start: int) -> str:
    """Return a whole results page."""
    head = ("<id>https://arxiv.org/api/fake</id><title>arXiv Query: fake</title><updated>2026-11-25T00:00:00Z</updated>"
            f"<link href=\"https://arxiv.org/api/query?start={start}\" type=\"application/atom+xml\"/>"
            f"<opensearch:itemsPerPage>{len(entries)}</opensearch:itemsPerPage>"
            f"<opensearch:totalResults>{total}</opensearch:totalResults>"
            f"<opensearch:startIndex>{start}</opensearch:startIndex>\n")
    return ATOM_HEAD + head + "".join(entry_xml(paper) for paper in entries) + "</feed>\n"


def error_xml(message: str) -> str:
    """Return arXiv's error feed: a single entry titled Error (served with HTTP 400, as arXiv does)."""
    slug = re.sub(r"\W+", "_", message)
    return (ATOM_HEAD + "<id>https://arxiv.org/</id><title>arXiv Search Results</title>"
            "<updated>2026-11-25T00:00:00Z</updated>"
            "<opensearch:itemsPerPage>1</opensearch:itemsPerPage><opensearch:totalResults>1</opensearch:totalResults>"
            "<opensearch:startIndex>0</opensearch:startIndex>\n"
            f"<entry><id>https://arxiv.org/api/errors#{slug}</id><title>Error</title>"
            "<updated>2026-11-25T00:00:00Z</updated>"
            f"<link href=\"https://arxiv.org/api/errors#{slug}\" rel=\"alternate\" type=\"text/html\"/>"
            f"<summary>{escape(message)}</summary><author><name>arXiv api core</name></author></entry>\n</feed>\n")


@dataclass
class Request:
    """What one request asked for."""

    query: str
    start: int
    max_results: int
    id_list: list[str]


@dataclass
class Reply:
    """How to answer one request: a status and body, and optionally how to misbehave while sending them."""

    status: int | None  # None: close the connection without answering
    body: str = ""
    delay: float = 0.0  # seconds to wait before answering (longer than the client's timeout: a timeout)
    drip: float = 0.0  # seconds between ten slices of the body (each gap short, the whole answer slow)
    reset_after: int | None = None  # send this many body bytes (-1: not even the headers), then reset (TCP RST)
    headers: dict[str, str] = field(default_factory=dict)  # extra response headers (Retry-After)
    trickle: float = 0.0  # seconds between single bytes of the body (each gap under the timeout, the whole endless)
    raw: bytes | None = None  # the body's bytes as sent, instead of `body` encoded as UTF-8 (gzip, other charsets)


@dataclass
class FakeArxiv:
    """The server's state: its papers, the requests seen, and faults keyed by request number (1-based)."""

    papers: list[FakePaper] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    faults: dict[int, Callable] = field(default_factory=dict)
    url: str = ""
    server: ThreadingHTTPServer | None = None
    max_page: int | None = None  # serve at most this many entries a page, whatever is asked (arXiv does so at times)

    def matching(self, request: Request) -> list[FakePaper]:
        """Return the papers a request selects, oldest first (sortBy=submittedDate ascending)."""
        if request.id_list:
            return [paper for paper in self.papers if paper.id in request.id_list]
        window = WINDOW.search(request.query)
        low, high = (window.group(1), window.group(2)) if window else ("000000000000", "999999999999")
        stamp = lambda paper: re.sub(r"\D", "", paper.published)[:12]  # noqa: E731
        return sorted((paper for paper in self.papers if low <= stamp(paper) <= high), key=lambda p: (p.published, p.id))

    def respond(self, request: Request) -> Reply:
        """Return the reply to a request, applying a fault if one is scheduled."""
        self.requests.append(request)
        fault = self.faults.get(len(self.requests))
        reply = fault(self, request) if fault is not None else self.page(request)
        return reply if isinstance(reply, Reply) else Reply(*reply)

    def page(self, request: Request) -> tuple[int, str]:
        """Return the normal answer to a request."""
        selected = self.matching(request)
        size = min(request.max_results, self.max_page or request.max_results)
        return 200, feed_xml(selected[request.start:request.start + size], len(selected), request.start)

    def go_offline(self) -> None:
        """Stop listening: from now on connections to the API's port are refused."""
        if self.server is not None:
            server, self.server = self.server, None
            server.shutdown()
            server.server_close()

    def go_online(self) -> None:
        """Listen again on the same port (after go_offline)."""
        if self.server is None:
            port = int(urlsplit(self.url).port)
            serve(self, port)


def http_status(status: int) -> Callable:
    """A fault: answer with an HTTP error status."""
    return lambda api, request: (status, "<html>busy</html>")


def truncated(api: FakeArxiv, request: Request) -> tuple[int, str]:
    """A fault: the normal page, cut off two thirds through."""
    status, body = api.page(request)
    return status, body[: len(body) * 2 // 3]


def empty_page(api: FakeArxiv, request: Request) -> tuple[int, str]:
    """A fault: a well-formed page with no entries (totals still set)."""
    selected = api.matching(request)
    return 200, feed_xml([], len(selected), request.start)


def vanished_results(api: FakeArxiv, request: Request) -> tuple[int, str]:
    """A fault: a well-formed page with no entries that claims there are no results at all (an arXiv hiccup)."""
    return 200, feed_xml([], 0, request.start)


def error_entry(api: FakeArxiv, request: Request) -> tuple[int, str]:
    """A fault: arXiv's error entry."""
    return 400, error_xml("incorrect id format for 1234.1234")


def dropped(api: FakeArxiv, request: Request) -> Reply:
    """A fault: close the connection without answering."""
    return Reply(None)


def reset_before_answer(api: FakeArxiv, request: Request) -> Reply:
    """A fault: reset the connection (TCP RST) before sending a byte."""
    return Reply(200, "", reset_after=-1)


def reset_mid_body(api: FakeArxiv, request: Request) -> Reply:
    """A fault: send the headers and half the page, then reset the connection."""
    status, body = api.page(request)
    return Reply(status, body, reset_after=len(body.encode("utf-8")) // 2)


def refused(api: FakeArxiv, request: Request) -> Reply:
    """A fault: the API goes away; this connection is dropped and later ones are refused until go_online()."""
    api.go_offline()  # from a handler thread: serve_forever runs in another, so shutdown() returns
    return Reply(None)


def slow(seconds: float) -> Callable:
    """A fault: the normal page, but only after `seconds` (longer than the client's timeout: a timeout)."""
    return lambda api, request: Reply(*api.page(request), delay=seconds)


def dripping(seconds: float) -> Callable:
    """A fault: the normal page in ten slices `seconds` apart: every gap short, the whole answer slow."""
    return lambda api, request: Reply(*api.page(request), drip=seconds)


def trickling(seconds: float) -> Callable:
    """A fault: the normal page one byte at a time, `seconds` apart: no read ever times out, the answer never ends."""
    return lambda api, request: Reply(*api.page(request), trickle=seconds)


def gzip_bomb(size: int) -> Callable:
    """A fault: a 200 with the normal page gzip-encoded and followed by `size` spaces (a few KB on the wire)."""
    padding = gzip.compress(b" " * size, compresslevel=9) if size else b""  # a second gzip member, packed once

    def fault(api: FakeArxiv, request: Request) -> Reply:
        _status, body = api.page(request)
        return Reply(200, raw=gzip.compress(body.encode("utf-8")) + padding, headers={"Content-Encoding": "gzip"})

    return fault


def malformed(kind: str) -> Callable:
    """A fault: the normal page (still ending in </feed>) made not well-formed XML in one of several ways."""
    def fault(api: FakeArxiv, request: Request) -> tuple[int, str]:
        status, body = api.page(request)
        title = body.index("</title>", body.index("<entry>"))
        damage = {
            "mismatched tag": body[:title] + "</titel>" + body[title + len("</title>"):],
            "bare ampersand": body[:title] + " & more" + body[title:],
            "bad character reference": body[:title] + " &#xD800;" + body[title:],
            "not a feed": "<html><body>Service unavailable</body></feed>\n",
            "no total": re.sub(r"<opensearch:totalResults>\d+</opensearch:totalResults>", "", body),
        }
        return status, damage[kind]

    return fault


def new_submission(api: FakeArxiv, request: Request) -> tuple[int, str]:
    """A fault: a paper is submitted while the client pages, so this page's total differs from the first page's."""
    newest = max(api.papers, key=lambda paper: paper.published)
    moment = datetime.strptime(newest.published, "%Y-%m-%dT%H:%M:%SZ") + timedelta(minutes=1)
    number = 90000 + len(api.papers)
    api.papers.append(FakePaper(id=f"{moment:%y%m}.{number:05d}", published=f"{moment:%Y-%m-%dT%H:%M:%SZ}",
                                title=f"Jailbreak Attacks Submitted While Paging, Part {number}"))
    return api.page(request)


def rate_limited(retry_after: str) -> Callable:
    """A fault: HTTP 429 with a Retry-After header (seconds, or an HTTP date)."""
    return lambda api, request: Reply(429, "<html>Rate exceeded.</html>", headers={"Retry-After": retry_after})


def first_entry_edited(api: FakeArxiv, request: Request, edit: Callable[[str], str]) -> tuple[int, str]:
    """The normal page with its first entry's XML passed through `edit`."""
    status, body = api.page(request)
    start = body.index("<entry>")
    end = body.index("</entry>", start) + len("</entry>")
    return status, body[:start] + edit(body[start:end]) + body[end:]


def deep_xml(depth: int = 300) -> Callable:
    """A fault: well-formed XML nested `depth` elements deep inside the first entry (lxml gives up past 256)."""
    nest = "<x:n xmlns:x=\"urn:fake\">" + "<x:n>" * (depth - 1) + "</x:n>" * depth
    return lambda api, request: first_entry_edited(
        api, request, lambda entry: entry.replace("</entry>", nest + "</entry>"))


def huge_text(size: int = 11_000_000) -> Callable:
    """A fault: the first entry's abstract padded to `size` characters (lxml drops a text node over 10 MB)."""
    padding = " x" * (size // 2)
    return lambda api, request: first_entry_edited(
        api, request, lambda entry: entry.replace("</summary>", padding + "</summary>"))


def bad_date(text: str, element: str = "published") -> Callable:
    """A fault: the first entry's <published> (or <updated>) replaced by `text`."""
    return lambda api, request: first_entry_edited(
        api, request, lambda entry: re.sub(f"<{element}>[^<]*</{element}>", f"<{element}>{text}</{element}>", entry))


def without(element: str) -> Callable:
    """A fault: the first entry lacks its <element> (the client skips an entry without <id> or <published>)."""
    return lambda api, request: first_entry_edited(
        api, request, lambda entry: re.sub(f"<{element}>[^<]*</{element}>", "", entry, count=1))


def repeated_within(api: FakeArxiv, request: Request) -> tuple[int, str]:
    """A fault: the page's last entry replaced by a second copy of its first (same count, one paper missing)."""
    selected = api.matching(request)
    page = selected[request.start:request.start + request.max_results]
    return 200, feed_xml(page[:-1] + page[:1] if len(page) > 1 else page, len(selected), request.start)


def shifted_back(count: int) -> Callable:
    """A fault: the page starts `count` results early, repeating the end of the page before (results shifting)."""
    def fault(api: FakeArxiv, request: Request) -> tuple[int, str]:
        selected = api.matching(request)
        first = max(0, request.start - count)
        return 200, feed_xml(selected[first:first + request.max_results], len(selected), request.start)

    return fault


def stated_total(total: int) -> Callable:
    """A fault: the normal entries under a totalResults of `total` (lower than served, or 0 with entries)."""
    def fault(api: FakeArxiv, request: Request) -> tuple[int, str]:
        selected = api.matching(request)
        return 200, feed_xml(selected[request.start:request.start + request.max_results], total, request.start)

    return fault


class _Handler(BaseHTTPRequestHandler):
    api: FakeArxiv

    def do_GET(self):
        params = parse_qs(urlsplit(self.path).query)
        request = Request(query=params.get("search_query", [""])[0], start=int(params.get("start", ["0"])[0]),
                          max_results=int(params.get("max_results", ["10"])[0]),
                          id_list=[item for item in params.get("id_list", [""])[0].split(",") if item])
        reply = self.server.api.respond(request)
        try:
            self.answer(reply)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up first (a timeout): nothing to do
            self.close_connection = True

    def answer(self, reply: Reply) -> None:
        """Send a reply, misbehaving as it asks."""
        time.sleep(reply.delay)
        if reply.status is None:  # drop the connection without an answer
            self.close_connection = True
            return None
        if reply.reset_after == -1:
            return self.reset()
        payload = reply.body.encode("utf-8") if reply.raw is None else reply.raw
        self.send_response(reply.status)
        self.send_header("Content-Type", "application/atom+xml; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if reply.reset_after is not None:
            self.wfile.write(payload[:reply.reset_after])
            self.wfile.flush()
            return self.reset()
        slices, gap = (len(payload), reply.trickle) if reply.trickle else (10 if reply.drip else 1, reply.drip)
        size = max(1, -(-len(payload) // slices))
        for offset in range(0, len(payload), size):
            self.wfile.write(payload[offset:offset + size])
            self.wfile.flush()
            time.sleep(gap)
        return None

    def reset(self) -> None:
        """Abort the connection with a TCP RST (SO_LINGER with a zero timeout, then close)."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        for stream in (self.wfile, self.rfile, self.connection):  # the socket closes when its last file does
            stream.close()
        self.wfile, self.rfile = io.BytesIO(), io.BytesIO()  # http.server flushes and closes these afterwards

    def log_message(self, *args):
        pass


def serve(api: FakeArxiv, port: int = 0) -> ThreadingHTTPServer:
    """Start the fake API on a loopback port (free by default) in a daemon thread; set api.url and api.server."""
    server = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
    server.api = api
    api.server = server
    api.url = f"http://127.0.0.1:{server.server_address[1]}/api/query"
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    return server
