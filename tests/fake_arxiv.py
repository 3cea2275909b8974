"""A fake arXiv API on loopback: serves Atom feeds in arXiv's format, pages them, and injects faults on request."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable
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


def make_papers(count: int, start: str = "2025-03-01T00:00:00Z", step_hours: int = 5) -> list[FakePaper]:
    """Return `count` distinct papers submitted `step_hours` apart from `start`."""
    first = datetime.strptime(start, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    papers = []
    for number in range(count):
        moment = first + timedelta(hours=step_hours * number)
        papers.append(FakePaper(id=f"{moment:%y%m}.{10000 + number:05d}", published=f"{moment:%Y-%m-%dT%H:%M:%SZ}",
                                title=f"Jailbreak Attacks on Large Language Models, Part {number}"))
    return papers


def entry_xml(paper: FakePaper) -> str:
    """Return one <entry> as arXiv writes it."""
    versioned = f"{paper.id}v{paper.version}"
    authors = "".join(f"<author><name>{escape(name)}</name></author>" for name in paper.authors)
    categories = "".join(f"<category term={quoteattr(term)} scheme=\"http://arxiv.org/schemas/atom\"/>" for term in paper.categories)
    extras = ""
    if paper.comment:
        extras += f"<arxiv:comment>{escape(paper.comment)}</arxiv:comment>"
    if paper.journal_ref:
        extras += f"<arxiv:journal_ref>{escape(paper.journal_ref)}</arxiv:journal_ref>"
    return (f"<entry><id>http://arxiv.org/abs/{versioned}</id><updated>{paper.updated or paper.published}</updated>"
            f"<published>{paper.published}</published><title>{escape(paper.title)}</title>"
            f"<summary>{escape(paper.summary)}</summary>{authors}{extras}"
            f"<link href=\"http://arxiv.org/abs/{versioned}\" rel=\"alternate\" type=\"text/html\"/>"
            f"<arxiv:primary_category term={quoteattr(paper.categories[0])} scheme=\"http://arxiv.org/schemas/atom\"/>"
            f"{categories}</entry>\n")


def feed_xml(entries: list[FakePaper], total: int, start: int) -> str:
    """Return a whole results page."""
    head = (f"<id>http://arxiv.org/api/fake</id><title>ArXiv Query</title><updated>2026-11-25T00:00:00-05:00</updated>"
            f"<opensearch:totalResults>{total}</opensearch:totalResults><opensearch:startIndex>{start}</opensearch:startIndex>"
            f"<opensearch:itemsPerPage>{len(entries)}</opensearch:itemsPerPage>\n")
    return ATOM_HEAD + head + "".join(entry_xml(paper) for paper in entries) + "</feed>\n"


def error_xml(message: str) -> str:
    """Return arXiv's error feed: a single entry titled Error."""
    slug = re.sub(r"\W+", "_", message)
    return (ATOM_HEAD + "<opensearch:totalResults>1</opensearch:totalResults>"
            f"<entry><id>http://arxiv.org/api/errors#{slug}</id><title>Error</title><summary>{escape(message)}</summary>"
            "<updated>2026-11-25T00:00:00-05:00</updated><author><name>arXiv api core</name></author></entry>\n</feed>\n")


@dataclass
class Request:
    """What one request asked for."""

    query: str
    start: int
    max_results: int
    id_list: list[str]


@dataclass
class FakeArxiv:
    """The server's state: its papers, the requests seen, and faults keyed by request number (1-based)."""

    papers: list[FakePaper] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    faults: dict[int, Callable] = field(default_factory=dict)
    url: str = ""

    def matching(self, request: Request) -> list[FakePaper]:
        """Return the papers a request selects, oldest first (sortBy=submittedDate ascending)."""
        if request.id_list:
            return [paper for paper in self.papers if paper.id in request.id_list]
        window = WINDOW.search(request.query)
        low, high = (window.group(1), window.group(2)) if window else ("000000000000", "999999999999")
        stamp = lambda paper: re.sub(r"\D", "", paper.published)[:12]  # noqa: E731
        return sorted((paper for paper in self.papers if low <= stamp(paper) <= high), key=lambda p: (p.published, p.id))

    def respond(self, request: Request) -> tuple[int, str]:
        """Return status and body for a request, applying a fault if one is scheduled."""
        self.requests.append(request)
        fault = self.faults.get(len(self.requests))
        return fault(self, request) if fault is not None else self.page(request)

    def page(self, request: Request) -> tuple[int, str]:
        """Return the normal answer to a request."""
        selected = self.matching(request)
        return 200, feed_xml(selected[request.start:request.start + request.max_results], len(selected), request.start)


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


def error_entry(api: FakeArxiv, request: Request) -> tuple[int, str]:
    """A fault: arXiv's error entry."""
    return 200, error_xml("incorrect id format for 1234.1234")


class _Handler(BaseHTTPRequestHandler):
    api: FakeArxiv

    def do_GET(self):  # noqa: N802 - http.server's naming
        params = parse_qs(urlsplit(self.path).query)
        request = Request(query=params.get("search_query", [""])[0], start=int(params.get("start", ["0"])[0]),
                          max_results=int(params.get("max_results", ["10"])[0]),
                          id_list=[item for item in params.get("id_list", [""])[0].split(",") if item])
        status, body = self.server.api.respond(request)
        if status is None:  # drop the connection without an answer
            self.close_connection = True
            return
        payload = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/atom+xml; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


def serve(api: FakeArxiv) -> ThreadingHTTPServer:
    """Start the fake API on a free loopback port in a daemon thread; set api.url."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.api = api
    api.url = f"http://127.0.0.1:{server.server_address[1]}/api/query"
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    return server
