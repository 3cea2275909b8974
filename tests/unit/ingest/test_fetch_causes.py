"""How fetch names a failure's cause, and reads Retry-After: the pieces the fault matrix cannot reach offline."""

from __future__ import annotations

import email.utils
import socket
from datetime import UTC, datetime, timedelta

import pytest
import requests
import urllib3

from scripts.ingest import fetch

URL = "https://export.arxiv.org/api/query"


def wrapped(reason: BaseException) -> requests.ConnectionError:
    """An error wrapped the way requests wraps urllib3's, which wraps the socket's."""
    pool = urllib3.HTTPSConnectionPool("export.arxiv.org")
    return requests.ConnectionError(urllib3.exceptions.MaxRetryError(pool, URL, reason=reason))


def name_resolution() -> BaseException:
    unknown = socket.gaierror(-2, "Name or service not known")
    error = urllib3.exceptions.NameResolutionError("export.arxiv.org", None, unknown)
    error.__cause__ = unknown
    return error


@pytest.mark.parametrize("error,cause,words", [
    (wrapped(name_resolution()), "dns", "the name export.arxiv.org does not resolve (DNS)"),
    (requests.exceptions.SSLError(wrapped(urllib3.exceptions.SSLError("certificate verify failed"))), "tls",
     "the TLS handshake with export.arxiv.org failed"),
    (requests.exceptions.ConnectTimeout("connect timed out"), "timeout", "timed out waiting for export.arxiv.org"),
    (wrapped(urllib3.exceptions.NewConnectionError(None, "refused")), "connection",
     "connection failed to export.arxiv.org"),
    (requests.ConnectionError(ConnectionRefusedError(111, "Connection refused")), "refused",
     "export.arxiv.org refused the connection"),
    (requests.ConnectionError(ConnectionResetError(104, "reset")), "reset", "export.arxiv.org reset the connection"),
])
def test_a_failure_is_named_by_its_real_cause_and_host(error, cause, words):
    assert fetch.kind(error) == cause
    assert words in fetch.describe(error, URL)
    assert "arXiv may be down" not in fetch.advice(error, URL)


def test_retry_after_reads_seconds_and_http_dates_and_ignores_nonsense():
    assert fetch.retry_after("120") == 120
    soon = email.utils.format_datetime(datetime.now(UTC) + timedelta(seconds=60), usegmt=True)
    assert 55 <= (fetch.retry_after(soon) or 0) <= 60
    past = email.utils.format_datetime(datetime.now(UTC) - timedelta(days=1), usegmt=True)
    assert fetch.retry_after(past) == 0
    assert [fetch.retry_after(value) for value in (None, "", "soon", "-5")] == [None] * 4


@pytest.mark.parametrize("text,problem", [
    ("2025-13-45", "is not an RFC 3339 timestamp"),
    ("2025-02-30T00:00:00Z", "is not a valid date"),
    ("9999-12-31T23:59:59-05:00", "is not a valid date"),
    ("1990-12-31T23:59:59Z", "is outside 1991-01-01"),
    ("2026-01-03T00:00:01Z", "is outside 1991-01-01 .. 2026-01-03"),
])
def test_dates_arxiv_cannot_hold_are_named(text, problem):
    latest = datetime(2026, 1, 3, tzinfo=UTC)
    assert problem in (fetch.date_problem(text, latest) or "")


def test_dates_arxiv_can_hold_pass():
    latest = datetime(2026, 1, 3, tzinfo=UTC)
    moments = ("1991-08-14T00:00:00Z", "2026-01-02T18:00:00-05:00")
    assert [fetch.date_problem(text, latest) for text in moments] == [None, None]
