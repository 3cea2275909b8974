"""The fault matrix: every arXiv fault alone and in the middle of paging, and crashes while writing.

Each fault either lets the run finish with every paper, or makes it exit non-zero with every file byte-identical;
either way the next clean run ends with the complete archive: no paper lost, none duplicated.
"""

from __future__ import annotations

import email.utils
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from scripts import config, update
from scripts.ingest import fetch
from scripts.store import files
from tests.conftest import REPO, make_project, project_config, snapshot
from tests.fake_arxiv import (
    FakePaper,
    bad_date,
    deep_xml,
    dripping,
    dropped,
    empty_page,
    error_entry,
    http_status,
    huge_text,
    make_papers,
    malformed,
    new_submission,
    rate_limited,
    refused,
    repeated_within,
    reset_before_answer,
    reset_mid_body,
    shifted_back,
    slow,
    stated_total,
    truncated,
    vanished_results,
    without,
)

START, END = "<!-- LATEST_PAPERS_START -->", "<!-- LATEST_PAPERS_END -->"
PAPER_LINK = re.compile(r"\]\(https://arxiv\.org/abs/([^)\s]+?)(?:v\d+)?\)")  # README links name the version

# Faults a retry gets past, and the words the run's error names them with when they never stop.
FAULTS = {
    "HTTP 503": (http_status(503), "HTTP 503"),
    "HTTP 429": (http_status(429), "HTTP 429"),
    "HTTP 502": (http_status(502), "HTTP 502"),
    "connection dropped": (dropped, "connection failed"),
    "connection reset": (reset_before_answer, "connection failed"),
    "connection reset mid-body": (reset_mid_body, "connection broken while reading the answer"),
    "empty page": (empty_page, "page"),
    "results vanish mid-paging": (vanished_results, "page"),
    "truncated feed": (truncated, "truncated feed"),
    "mismatched tag": (malformed("mismatched tag"), "malformed feed"),
    "bare ampersand": (malformed("bare ampersand"), "malformed feed"),
    "bad character reference": (malformed("bad character reference"), "malformed feed"),
    "not a feed": (malformed("not a feed"), "malformed feed"),
    "no result count": (malformed("no total"), "no result count"),
    "total changes between pages": (new_submission, "the result count kept changing"),
    "error entry": (error_entry, "arXiv rejected the query: incorrect id format"),  # a verdict on the query: not retried
    # Answers the client's own parser reads as "no papers" or counts wrong (issue 12):
    "nested 300 deep": (deep_xml(300), "feed nested over 16 elements deep"),
    "11 MB text node": (huge_text(11_000_000), "a text node over 1,000,000 characters in <summary>"),
    "paper twice on a page": (repeated_within, "appears twice on the page"),
    "results shifted back 5": (shifted_back(5), "results kept shifting between pages"),
    "impossible date": (bad_date("2025-13-45T10:00:00Z"), "<published> '2025-13-45T10:00:00Z' is not a valid date"),
    "not a timestamp": (bad_date("2025-13-45"), "<published> '2025-13-45' is not an RFC 3339 timestamp"),
    "year 9999": (bad_date("9999-12-31T23:59:59-05:00"), "<published> '9999-12-31T23:59:59-05:00' is not a valid date"),
    "year 1985": (bad_date("1985-06-01T00:00:00Z"), "<published> '1985-06-01T00:00:00Z' is outside 1991-01-01 .."),
    "entry without <id>": (without("id"), "the arxiv client read 9 entries and a total of "),
    "entry without <published>": (without("published"), "<published> '' is not an RFC 3339 timestamp"),
    "year 2099": (bad_date("2099-06-01T00:00:00Z", "updated"),
                  "<updated> '2099-06-01T00:00:00Z' is outside 1991-01-01 .."),
}
# A stated total that contradicts the entries: on the first page it is refused and retried; later it is a changed
# total, and the window is read again.
FIRST_PAGE_FAULTS = {
    "total below the entries": (stated_total(3), "the page holds 10 entries from result 1, but totalResults says 3"),
    "zero total with entries": (stated_total(0), "the page holds 10 entries from result 1, but totalResults says 0"),
}
SLOW_FAULTS = {
    "timeout": (slow(1.6), "timed out"),
    "slow body": (dripping(0.3), "timed out"),
}
# Every fault in the middle of paging; the ones whose handling depends on the page also on the first and last page.
PASSING = [(name, 2) for name in FAULTS if name != "error entry"] + [
    (name, 1) for name in ("HTTP 429", "connection reset", "empty page", "not a feed", "no result count",
                           "total changes between pages", "nested 300 deep", "11 MB text node", "paper twice on a page",
                           "year 9999", "total below the entries", "zero total with entries")
] + [(name, 2) for name in FIRST_PAGE_FAULTS] + [
    (name, 3) for name in ("empty page", "truncated feed", "paper twice on a page")
]
# One fault of each kind of failure the run reports (the rest fail the same way).
LASTING = ["HTTP 503", "connection reset", "connection reset mid-body", "empty page", "truncated feed", "mismatched tag",
           "not a feed", "no result count", "total changes between pages", "error entry", "nested 300 deep",
           "11 MB text node", "paper twice on a page", "results shifted back 5", "impossible date", "not a timestamp",
           "year 9999", "year 1985", "year 2099", "entry without <id>", "entry without <published>"]


# ---------------------------------------------------------------- helpers


def recent_papers(count: int, hours_ago: int, first_number: int) -> list[FakePaper]:
    """Papers submitted an hour apart from `hours_ago` hours before now (inside the first-run and look-back windows)."""
    start = datetime.now(UTC) - timedelta(hours=hours_ago)
    return make_papers(count, start=f"{start:%Y-%m-%dT%H:%M:00Z}", step_hours=1, first_number=first_number)


def setup_project(root: Path, retries: int = 1) -> Path:
    """A project whose config retries `retries` times with a one-second timeout."""
    return make_project(root, config=project_config(page_size=10, retries=retries, timeout=1))


def run_update(root: Path, *args: str) -> int:
    """Run the update in-process on a project tree."""
    return update.main(["--root", str(root), *args])


def data_records(root: Path) -> list[dict]:
    """Every archived record, in file order."""
    records = []
    for path in sorted((root / "articles" / "data").glob("[0-9][0-9][0-9][0-9]-[0-9][0-9].json")):
        records += json.loads(path.read_text(encoding="utf-8"))["papers"]
    return records


def archived_ids(root: Path) -> list[str]:
    """Every archived paper ID, in file order (duplicates kept, so a test can see them)."""
    return [record["id"] for record in data_records(root)]


def assert_complete(root: Path, papers: list[FakePaper]) -> None:
    """The archive holds every paper exactly once, and README, pages and data agree."""
    ids = archived_ids(root)
    assert len(ids) == len(set(ids)), "a paper is archived twice"
    assert sorted(ids) == sorted(paper.id for paper in papers)
    titles = {record["id"]: record["title"] for record in data_records(root)}
    assert titles == {paper.id: " ".join(paper.title.split()) for paper in papers}, "a title was damaged on the way"
    assert_consistent(root)


def assert_consistent(root: Path) -> None:
    """README shows the 20 newest archived papers in order, every archived paper is on exactly one month page,
    and the index counts match the data files."""
    records = data_records(root)
    newest = sorted(records, key=lambda record: (record["published"], record["id"]), reverse=True)[:20]
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert readme.count(START) == 1 and readme.count(END) == 1
    block = readme.split(START)[1].split(END)[0]
    assert PAPER_LINK.findall(block) == [record["id"] for record in newest]
    linked = [paper_id for path in (root / "articles").glob("[0-9]*.md")
              for paper_id in PAPER_LINK.findall(path.read_text(encoding="utf-8"))]
    assert sorted(linked) == sorted(record["id"] for record in records)
    index = json.loads((root / "articles" / "data" / "index.json").read_text(encoding="utf-8"))["months"]
    by_month: dict[str, int] = {}
    for record in records:
        by_month[record["published"][:7]] = by_month.get(record["published"][:7], 0) + 1
    assert {month: entry["count"] for month, entry in index.items()} == by_month
    assert not list(root.rglob("*.tmp")), "a temporary file was left behind"


def faults_from(api, first: int, fault, count: int = 40) -> dict:
    """Schedule `fault` for `count` requests from the `first`-th request of the next run on."""
    offset = len(api.requests)
    return {offset + number: fault for number in range(first, first + count)}


class RecordingClock:
    """Stands in for fetch's `time` module: records back-off pauses instead of sleeping; calls a hook on each."""

    def __init__(self, hook=None):
        self.pauses: list[float] = []
        self.hook = hook

    def sleep(self, seconds: float) -> None:
        self.pauses.append(seconds)
        if self.hook:
            self.hook(len(self.pauses))

    def __getattr__(self, name):
        return getattr(time, name)


@pytest.fixture(autouse=True)
def stop_a_restarted_api(fake_arxiv):
    """Stop the fake API at the end even when a test restarted it on its port (conftest only stops the first)."""
    yield
    fake_arxiv.go_offline()


@pytest.fixture
def baseline(fake_arxiv, tmp_path):
    """A project that archived 15 recent papers (two pages); the API then gains 15 more and a v2 of the first."""
    root = setup_project(tmp_path / "project")
    fake_arxiv.papers = recent_papers(15, hours_ago=160, first_number=0)
    assert run_update(root) == 0
    fake_arxiv.papers += recent_papers(15, hours_ago=80, first_number=100)
    first = fake_arxiv.papers[0]
    first.version, first.title, first.updated = 2, "Revised: " + first.title, fake_arxiv.papers[-1].published
    return root


# ---------------------------------------------------------------- arXiv faults


@pytest.mark.parametrize("name,position", PASSING, ids=[f"{name} on page {position}" for name, position in PASSING])
def test_a_passing_fault_is_retried_and_the_run_keeps_every_paper(fake_arxiv, tmp_path, name, position):
    root = setup_project(tmp_path / "project")
    fake_arxiv.papers = recent_papers(25, hours_ago=150, first_number=0)
    fake_arxiv.faults = {position: {**FAULTS, **FIRST_PAGE_FAULTS}[name][0]}
    assert run_update(root) == 0
    assert_complete(root, fake_arxiv.papers)


def test_a_slow_answer_times_out_and_is_retried(fake_arxiv, tmp_path):
    root = setup_project(tmp_path / "project")
    fake_arxiv.papers = recent_papers(25, hours_ago=150, first_number=0)
    fake_arxiv.faults = {2: SLOW_FAULTS["slow body"][0]}
    began = time.monotonic()
    assert run_update(root) == 0
    assert time.monotonic() - began < 2.5, "the slow answer was waited out instead of timed out"
    assert len(fake_arxiv.requests) == 4
    assert_complete(root, fake_arxiv.papers)


@pytest.mark.parametrize("name", [*LASTING, "timeout"])
def test_a_lasting_fault_changes_no_byte_and_the_next_run_catches_up(fake_arxiv, baseline, capsys, name):
    fault, words = {**FAULTS, **SLOW_FAULTS}[name]
    if name == "timeout":  # one try is enough to see the timeout, and keeps the test fast
        (baseline / "config.yaml").write_text(project_config(page_size=10, retries=0, timeout=1), encoding="utf-8")
    before = snapshot(baseline)
    fake_arxiv.faults = faults_from(fake_arxiv, 2, fault)
    assert run_update(baseline) == 1
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.startswith("error: ") and words in error and fake_arxiv.url.split("/api")[0] in error
    assert snapshot(baseline) == before
    fake_arxiv.faults = {}
    assert run_update(baseline) == 0
    assert_complete(baseline, fake_arxiv.papers)
    revised = [record for record in data_records(baseline) if record["id"] == fake_arxiv.papers[0].id]
    assert [(record["version"], record["title"][:9]) for record in revised] == [(2, "Revised: ")]


@pytest.mark.parametrize("name", ["connection reset", "mismatched tag", "nested 300 deep", "11 MB text node",
                                  *FIRST_PAGE_FAULTS])  # test_update covers 503, truncated, empty, error
@pytest.mark.parametrize("since", [False, True], ids=["scheduled", "--since"])
def test_a_lasting_fault_on_the_first_page_changes_no_byte(fake_arxiv, baseline, capsys, name, since):
    """A first page the client would read as "no papers" must fail: read so with --since, the watermark would move."""
    fault, words = {**FAULTS, **FIRST_PAGE_FAULTS}[name]
    before = snapshot(baseline)
    fake_arxiv.faults = faults_from(fake_arxiv, 1, fault)
    args = ("--since", (datetime.now(UTC) - timedelta(days=30)).strftime("%Y-%m-%d")) if since else ()
    assert run_update(baseline, *args) == 1
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.startswith("error: ") and words in error and "page 1 (results 1-10)" in error
    assert snapshot(baseline) == before
    fake_arxiv.faults = {}
    assert run_update(baseline) == 0
    assert_complete(baseline, fake_arxiv.papers)


def test_failures_back_off_doubling_longer_after_429_then_fail_with_the_url(fake_arxiv, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ARXIV_DELAY_SECONDS", "0.01")
    clock = RecordingClock()
    monkeypatch.setattr(fetch, "time", clock)
    root = setup_project(tmp_path / "project", retries=3)
    fake_arxiv.papers = recent_papers(25, hours_ago=150, first_number=0)
    fake_arxiv.faults = {2: http_status(503), 3: http_status(429), 4: http_status(503)}
    assert run_update(root) == 0
    assert clock.pauses == pytest.approx([0.02, 0.2, 0.08])  # doubling per try; five times longer after a 429
    assert_complete(root, fake_arxiv.papers)
    clock.pauses.clear()
    before = snapshot(root)
    fake_arxiv.faults = faults_from(fake_arxiv, 3, http_status(429))
    assert run_update(root) == 1
    assert clock.pauses == pytest.approx([0.1, 0.2, 0.4])
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error == (f"error: {fake_arxiv.url}, page 3 (results 21-30): HTTP 429 after 4 tries; "
                     "arXiv is limiting requests from this address; rerun later")
    assert snapshot(root) == before


def test_a_refused_connection_is_retried_until_the_api_is_back(fake_arxiv, tmp_path, monkeypatch):
    root = setup_project(tmp_path / "project", retries=2)
    fake_arxiv.papers = recent_papers(25, hours_ago=150, first_number=0)
    clock = RecordingClock(hook=lambda pause: fake_arxiv.go_online() if pause == 2 else None)
    monkeypatch.setattr(fetch, "time", clock)
    fake_arxiv.faults = {2: refused}
    assert run_update(root) == 0
    assert len(clock.pauses) == 2  # the dropped request, then one refused outright
    assert len(fake_arxiv.requests) == 4  # a refused connection never reaches the server
    assert_complete(root, fake_arxiv.papers)


def test_a_refused_api_fails_cleanly_and_the_next_run_catches_up(fake_arxiv, baseline, capsys):
    before = snapshot(baseline)
    fake_arxiv.faults = faults_from(fake_arxiv, 2, refused, count=1)
    assert run_update(baseline) == 1
    error = capsys.readouterr().err
    assert "refused the connection after 2 tries" in error and "check ARXIV_API_URL" in error
    assert snapshot(baseline) == before
    fake_arxiv.go_online()
    assert run_update(baseline) == 0
    assert_complete(baseline, fake_arxiv.papers)


def test_an_empty_first_answer_keeps_the_watermark_so_the_next_run_catches_up(fake_arxiv, baseline):
    before = snapshot(baseline)
    fake_arxiv.faults = faults_from(fake_arxiv, 1, vanished_results, count=1)
    assert run_update(baseline) == 0  # arXiv said "no results": indistinguishable from a quiet day
    assert snapshot(baseline) == before
    assert run_update(baseline) == 0
    assert_complete(baseline, fake_arxiv.papers)


def test_a_total_that_changes_between_pages_rereads_the_window(fake_arxiv, tmp_path, caplog):
    root = setup_project(tmp_path / "project")
    fake_arxiv.papers = recent_papers(25, hours_ago=150, first_number=0)
    fake_arxiv.faults = {2: new_submission, 5: new_submission}
    assert run_update(root) == 0
    assert caplog.text.count("result count changed between pages") == 2
    assert len(fake_arxiv.papers) == 27
    assert_complete(root, fake_arxiv.papers)


def test_an_oversized_window_is_split_and_faults_inside_it_are_retried(fake_arxiv, tmp_path, monkeypatch):
    monkeypatch.setattr(fetch, "MAX_RESULTS_PER_QUERY", 20)
    root = setup_project(tmp_path / "project")
    fake_arxiv.papers = make_papers(60)
    fake_arxiv.faults = {3: http_status(503), 6: truncated, 9: new_submission}
    assert run_update(root, "--since", "2025-01-01") == 0
    assert len(fake_arxiv.papers) == 61
    assert_complete(root, fake_arxiv.papers)
    queries = {request.query for request in fake_arxiv.requests}
    assert len(queries) >= 4  # the window was read in several parts


def test_an_abstract_that_mentions_the_error_url_is_a_paper_not_an_error(fake_arxiv, tmp_path):
    root = setup_project(tmp_path / "project")
    fake_arxiv.papers = recent_papers(3, hours_ago=50, first_number=0)
    fake_arxiv.papers[1].summary = "Jailbreaks of language models; see http://arxiv.org/api/errors#incorrect_id for the API."
    fake_arxiv.papers[2].title = "Error"
    assert run_update(root) == 0
    assert_complete(root, fake_arxiv.papers)


def test_a_bad_date_fails_naming_the_paper_after_retries(fake_arxiv, baseline, capsys):
    before = snapshot(baseline)
    fake_arxiv.faults = faults_from(fake_arxiv, 2, bad_date("2025-13-45"))
    assert run_update(baseline) == 1
    error = capsys.readouterr().err.strip().splitlines()[-1]
    named = re.search(r"page 2 \(results 11-20\): paper (\S+)v\d: <published> '2025-13-45' is not an RFC 3339 "
                      r"timestamp after 2 tries; arXiv served a damaged entry; rerun later", error)
    assert named and named.group(1) in {paper.id for paper in fake_arxiv.papers}, error
    assert len(fake_arxiv.requests) == 2 + 3  # the baseline's two requests; now page 1, then page 2 twice
    assert snapshot(baseline) == before


def test_a_paper_served_with_a_new_first_submission_month_moves_and_is_never_archived_twice(fake_arxiv, tmp_path):
    root = setup_project(tmp_path / "project")
    fake_arxiv.papers = make_papers(30, start="2025-03-20T00:00:00Z", step_hours=20)  # 2025-03 and 2025-04
    assert run_update(root, "--since", "2025-01-01") == 0
    moved, back = fake_arxiv.papers[2], fake_arxiv.papers[25]
    assert (moved.published[:7], back.published[:7]) == ("2025-03", "2025-04")
    moved.published, moved.version = "2025-05-02T10:00:00Z", 2  # a corrected date, with a new version
    back.published = "2025-02-27T08:00:00Z"  # same version: the date alone changed
    assert run_update(root, "--since", "2025-01-01") == 0
    assert_complete(root, fake_arxiv.papers)
    months = {record["id"]: record["published"][:7] for record in data_records(root)}
    assert (months[moved.id], months[back.id]) == ("2025-05", "2025-02")
    before = snapshot(root)
    assert run_update(root, "--no-fetch") == 0 and snapshot(root) == before  # settled: nothing left to move


def test_a_paper_archived_twice_before_ids_were_unique_is_stored_once_when_served_again(fake_arxiv, tmp_path):
    root = setup_project(tmp_path / "project")
    fake_arxiv.papers = make_papers(30, start="2025-03-20T00:00:00Z", step_hours=20)
    assert run_update(root, "--since", "2025-01-01") == 0
    data = root / "articles" / "data"
    march, april = (json.loads((data / f"2025-0{month}.json").read_text(encoding="utf-8")) for month in (3, 4))
    copy = {**march["papers"][0], "published": "2025-04-30T12:00:00Z"}  # the duplicate an older version could write
    april["papers"].append(copy)
    (data / "2025-04.json").write_text(json.dumps(april, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    assert archived_ids(root).count(copy["id"]) == 2
    served = next(paper for paper in fake_arxiv.papers if paper.id == copy["id"])
    served.version, served.title = served.version + 1, "Revised: " + served.title
    fake_arxiv.papers.append(make_papers(1, start="2025-04-20T00:00:00Z", first_number=500)[0])  # a new paper
    assert run_update(root, "--since", "2025-01-01") == 0
    assert_complete(root, fake_arxiv.papers)


def test_large_pages_that_keep_failing_are_halved_for_the_rest_of_the_run(fake_arxiv, tmp_path, caplog):
    root = make_project(tmp_path / "project", config=project_config(page_size=400, retries=1, timeout=5))
    fake_arxiv.papers = make_papers(500, step_hours=3)
    fake_arxiv.faults = {1: truncated, 2: truncated}
    assert run_update(root, "--since", "2025-01-01") == 0
    assert_complete(root, fake_arxiv.papers)
    asked = [(request.start, request.max_results) for request in fake_arxiv.requests]
    assert asked == [(0, 400), (0, 400), (0, 200), (200, 200), (400, 200)]
    assert "page 1 (results 1-400): large pages keep failing; asking for 200 results a page" in caplog.text


def test_server_forced_short_pages_complete_and_halve_the_page_size(fake_arxiv, tmp_path, caplog):
    root = make_project(tmp_path / "project", config=project_config(page_size=600, retries=1, timeout=5))
    fake_arxiv.papers = make_papers(700, step_hours=3)
    fake_arxiv.max_page = 150
    assert run_update(root, "--since", "2025-01-01") == 0
    assert_complete(root, fake_arxiv.papers)
    asked = [(request.start, request.max_results) for request in fake_arxiv.requests]
    assert asked == [(0, 600), (0, 600), (150, 300), (150, 300), (300, 150), (450, 150), (600, 150)]
    assert caplog.text.count(") after 2 tries: continuing from result ") == 2
    assert "asking for 300 results a page for the rest of the run" in caplog.text
    assert "asking for 150 results a page for the rest of the run" in caplog.text


def test_three_429s_with_retry_after_are_waited_out_and_complete(fake_arxiv, tmp_path, monkeypatch):
    clock = RecordingClock()
    monkeypatch.setattr(fetch, "time", clock)
    root = setup_project(tmp_path / "project", retries=3)
    fake_arxiv.papers = recent_papers(25, hours_ago=150, first_number=0)
    soon = email.utils.format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    fake_arxiv.faults = {2: rate_limited("7"), 3: rate_limited(soon), 4: rate_limited("86400")}
    assert run_update(root) == 0
    assert clock.pauses[0] == 7 and 25 <= clock.pauses[1] <= 30
    assert clock.pauses[2] == fetch.RETRY_AFTER_CAP  # a day's Retry-After is capped
    assert_complete(root, fake_arxiv.papers)


def test_pauses_past_the_runs_wait_budget_fail_cleanly(fake_arxiv, baseline, monkeypatch, capsys):
    clock = RecordingClock()
    monkeypatch.setattr(fetch, "time", clock)
    monkeypatch.setattr(fetch, "WAIT_BUDGET_SECONDS", 500)
    (baseline / "config.yaml").write_text(project_config(page_size=10, retries=3, timeout=1), encoding="utf-8")
    before = snapshot(baseline)
    fake_arxiv.faults = faults_from(fake_arxiv, 2, rate_limited("200"))
    assert run_update(baseline) == 1
    assert clock.pauses == [200, 200]
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.endswith("page 2 (results 11-20): HTTP 429; pausing 200 s more would pass the 500 s this run may wait "
                          "between tries; arXiv is limiting requests from this address; rerun later")
    assert snapshot(baseline) == before


def test_a_name_that_does_not_resolve_is_retried_once_and_named(fake_arxiv, baseline, monkeypatch, capsys):
    monkeypatch.setenv("ARXIV_API_URL", "http://export.arxiv.invalid/api/query")
    monkeypatch.setenv("ARXIV_DELAY_SECONDS", "0.5")
    clock = RecordingClock()
    monkeypatch.setattr(fetch, "time", clock)
    real, lookups = socket.getaddrinfo, []

    def offline(host, *args, **kwargs):
        if host == "export.arxiv.invalid":
            lookups.append(host)
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", offline)
    (baseline / "config.yaml").write_text(project_config(page_size=10, retries=3, timeout=1), encoding="utf-8")
    before, asked = snapshot(baseline), len(fake_arxiv.requests)
    assert run_update(baseline) == 1
    assert len(lookups) == 2 and clock.pauses == [0.5]  # once more after the delay; no doubling series
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error == ("error: http://export.arxiv.invalid/api/query, page 1 (results 1-10): connection failed: the name "
                     "export.arxiv.invalid does not resolve (DNS) after 2 tries; check this machine's network and DNS, "
                     "or the host in ARXIV_API_URL; rerun once export.arxiv.invalid resolves")
    assert "arXiv may be down" not in error and "results from" not in error
    assert snapshot(baseline) == before and len(fake_arxiv.requests) == asked


def test_a_failed_tls_handshake_is_named_with_the_host(fake_arxiv, baseline, monkeypatch, capsys):
    monkeypatch.setenv("ARXIV_API_URL", fake_arxiv.url.replace("http://", "https://"))  # TLS to a plain HTTP server
    before = snapshot(baseline)
    assert run_update(baseline) == 1
    host = fake_arxiv.url.split("/")[2]
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert f"page 1 (results 1-10): connection failed: the TLS handshake with {host} failed after 2 tries; " in error
    assert "check the system clock, the CA certificates and any proxy" in error
    assert snapshot(baseline) == before


@pytest.mark.parametrize("key,terms,shown", [
    ("all_of[0]", "[jailbreak)OR(all:physics]", "'jailbreak)OR(all:physics' contains ')'"),
    ("all_of[1]", "[LLM(s)]", "'LLM(s)' contains '('"),
    ("all_of[0]", "[ti:jailbreak]", "'ti:jailbreak' contains ':'"),
    ("all_of[0]", "['\"red team\"']", "contains '\"'"),
    ("all_of[0]", "[jailbreak*]", "contains '*'"),
    ("all_of[0]", "['[2025 TO 2026]']", "contains '['"),
    ("all_of[0]", "[safety OR physics]", "contains an arXiv query operator"),
    ("exclude", "[battery, 'cell)']", "'cell)' contains ')'"),
])
def test_a_term_that_changes_the_query_structure_is_refused_at_load(fake_arxiv, project, capsys, *, key, terms, shown):
    groups = {"all_of[0]": f"[{terms}, [LLM]]", "all_of[1]": f"[[jailbreak], {terms}]"}.get(key, "[[jailbreak], [LLM]]")
    exclude = terms if key == "exclude" else "[battery]"
    (project / "config.yaml").write_text(f"arxiv:\n  categories: [cs.CL]\n  all_of: {groups}\n  exclude: {exclude}\n")
    before = snapshot(project)
    assert run_update(project) == 1
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert f"config.yaml: arxiv.{key}: term " in error and shown in error, error
    assert "letters, digits, spaces, hyphens and periods" in error or "lower case" in error
    assert snapshot(project) == before and fake_arxiv.requests == []


@pytest.mark.parametrize("settings,shown", [
    ("delay_seconds: 3\n  retries: 10", "arxiv.retries: 10 retries with delay_seconds 3 could pause 30690 s"),
    ("delay_seconds: 30\n  retries: 3", "arxiv.retries: 3 retries with delay_seconds 30 could pause 2100 s"),
    ("delay_seconds: 600", "arxiv.delay_seconds: 600 is out of range; allowed: 0 to 60"),
    ("timeout_seconds: 900\n  retries: 3", "arxiv.timeout_seconds: 4 tries of 900 s each plus 210 s of pauses"),
])
def test_retry_settings_that_could_outlast_the_workflow_are_refused(fake_arxiv, project, capsys, monkeypatch, *,
                                                                    settings, shown):
    monkeypatch.delenv("ARXIV_DELAY_SECONDS")
    (project / "config.yaml").write_text(f"arxiv:\n  categories: [cs.CL]\n  all_of: [[jailbreak]]\n  {settings}\n")
    assert run_update(project) == 1
    error = capsys.readouterr().err
    assert shown in error, error
    assert "out of range" in shown or "the update workflow stops after 60 minutes" in error, error
    assert fake_arxiv.requests == []


def test_the_wait_budget_fits_the_workflow_timeout():
    workflow = (REPO / ".github" / "workflows" / "update.yml").read_text(encoding="utf-8")
    minutes = [int(value) for value in re.findall(r"timeout-minutes:\s*(\d+)", workflow)]
    assert minutes, "no timeout-minutes in .github/workflows/update.yml"
    assert max(minutes) * 60 == config.WORKFLOW_SECONDS, "set WORKFLOW_SECONDS in scripts/config.py to the timeout"
    assert config.WAIT_BUDGET_SECONDS < config.PAGE_BUDGET_SECONDS < config.WORKFLOW_SECONDS


# ---------------------------------------------------------------- crashes while writing


class FrozenClock(datetime):
    """datetime whose now() is fixed, so two runs write the same watermark."""

    frozen = datetime.now(UTC).replace(second=0, microsecond=0)

    @classmethod
    def now(cls, tz=None):
        return cls.frozen if tz else cls.frozen.replace(tzinfo=None)


def count_writes(monkeypatch) -> list[Path]:
    """Record every file put in place (written or deleted) from now on."""
    real, written = files.put_in_place, []

    def counting(target, temp):
        written.append(target)
        real(target, temp)

    monkeypatch.setattr(files, "put_in_place", counting)
    return written


def fail_write(monkeypatch, number: int) -> None:
    """Make the `number`-th file put in place from now on fail as a full disk would."""
    real, calls = files.put_in_place, {"count": 0}

    def failing(target, temp):
        calls["count"] += 1
        if calls["count"] == number:
            raise OSError(28, "No space left on device")
        real(target, temp)

    monkeypatch.setattr(files, "put_in_place", failing)


@pytest.fixture
def crash_setup(fake_arxiv, baseline, tmp_path, monkeypatch):
    """The baseline project, a reference copy brought up to date without faults, and the writes that took."""
    monkeypatch.setattr(FrozenClock, "frozen", datetime.now(UTC).replace(second=0, microsecond=0))
    monkeypatch.setattr(update, "datetime", FrozenClock)
    reference = tmp_path / "reference"
    shutil.copytree(baseline, reference)
    with monkeypatch.context() as patch:
        writes = count_writes(patch)
        assert run_update(reference) == 0
    return baseline, reference, writes


def test_every_crash_point_leaves_old_or_new_files_and_the_next_run_repairs(fake_arxiv, crash_setup, tmp_path, monkeypatch):
    baseline, reference, writes = crash_setup
    old, new = snapshot(baseline), snapshot(reference)
    assert len(writes) >= 7  # pending journal, data, index, state, pages, archive index, README
    for number in range(1, len(writes) + 1):
        crashed = tmp_path / f"crash-{number}"
        shutil.copytree(baseline, crashed)
        with monkeypatch.context() as patch:
            fail_write(patch, number)
            assert run_update(crashed) == 1, number
        state = snapshot(crashed)
        for name, content in state.items():
            assert name == "articles/data/pending.json" or content in (old.get(name), new.get(name)), (number, name)
        assert set(old) - set(state) <= set(new), number  # nothing that should stay was deleted
        assert ("articles/data/pending.json" in state) == (number > 1), number
        assert run_update(crashed) == 0, number
        repaired = snapshot(crashed)
        # A crash after the data but before state.json keeps the older watermark: the next run only reads further back.
        assert repaired["articles/data/state.json"] in (old["articles/data/state.json"], new["articles/data/state.json"])
        assert {**repaired, "articles/data/state.json": b""} == {**new, "articles/data/state.json": b""}, number
        assert_complete(crashed, fake_arxiv.papers)


def test_a_page_cut_short_while_written_in_place_is_repaired_by_the_next_run(fake_arxiv, crash_setup, monkeypatch,
                                                                            capsys):
    baseline, reference, _ = crash_setup
    old, new = snapshot(baseline), snapshot(reference)
    real, cut = files.overwrite, []

    def cut_short(path, data):  # the disk fills halfway through the first page written over in place
        if cut:
            return real(path, data)
        cut.append(path.relative_to(baseline).as_posix())
        with open(path, "r+b") as handle:
            handle.write(data[:len(data) // 2])
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(files, "overwrite", cut_short)
        capsys.readouterr()
        assert run_update(baseline) == 1
    assert f"{cut[0]}: could not write (No space left on device)" in capsys.readouterr().err
    state = snapshot(baseline)
    assert cut[0].startswith("articles/2") and state[cut[0]] not in (old[cut[0]], new[cut[0]])  # cut short
    assert "articles/data/pending.json" in state  # so the next run renders every page again
    assert all(state[name] == new[name] for name in new if name.startswith("articles/data/2"))  # the data came first
    assert run_update(baseline) == 0
    repaired = snapshot(baseline)
    assert {**repaired, "articles/data/state.json": b""} == {**new, "articles/data/state.json": b""}
    assert_complete(baseline, fake_arxiv.papers)


KILLER = """\
import os, sys
from pathlib import Path
from scripts.store import files
from scripts import update
real, calls = files.put_in_place, {"count": 0}
def dying(target, temp):
    calls["count"] += 1
    if calls["count"] == int(os.environ["KILL_AT_WRITE"]):
        os._exit(137)  # like SIGKILL: no cleanup, no finally blocks; the files staged but not put in place stay
    real(target, temp)
files.put_in_place = dying
sys.exit(update.main(sys.argv[1:]))
"""


@pytest.mark.parametrize("kill_at", [4])
def test_a_process_killed_mid_write_is_repaired_by_the_next_run(fake_arxiv, baseline, tmp_path, kill_at):
    old = snapshot(baseline)
    env = {**os.environ, "PYTHONPATH": str(REPO), "KILL_AT_WRITE": str(kill_at)}
    result = subprocess.run([sys.executable, "-c", KILLER, "--root", str(baseline)], env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 137, result.stderr
    state = {name: content for name, content in snapshot(baseline).items() if not name.endswith(".tmp")}
    assert "articles/data/pending.json" in state
    assert list(baseline.rglob(".*.tmp"))  # the files staged and never put in place
    changed = [name for name, content in state.items() if content != old.get(name) and not name.endswith("pending.json")]
    assert len(changed) == kill_at - 2  # the journal first, then whole files only
    assert run_update(baseline) == 0
    assert not (baseline / "articles" / "data" / "pending.json").exists()
    assert not list(baseline.rglob("*.tmp"))  # the killed run's temp files are swept by the run that rewrote them
    assert_complete(baseline, fake_arxiv.papers)


def test_a_journal_left_after_the_last_file_is_removed_by_the_next_run(fake_arxiv, baseline, caplog):
    (baseline / "articles" / "data" / "pending.json").write_text('{"render": "all", "schema": 1}\n')
    assert run_update(baseline, "--no-fetch") == 0  # everything re-rendered, nothing to change
    assert not (baseline / "articles" / "data" / "pending.json").exists()
    caplog.clear()
    assert run_update(baseline, "--no-fetch") == 0
    assert "stopped while writing" not in caplog.text



def test_an_interrupt_while_files_are_put_in_place_is_repaired_by_the_next_run(fake_arxiv, baseline, monkeypatch, capsys):
    real, calls = files.put_in_place, {"count": 0}

    def interrupted(target, temp):
        calls["count"] += 1
        if calls["count"] == 3:  # the journal, one file, then Ctrl-C
            raise KeyboardInterrupt
        real(target, temp)

    monkeypatch.setattr(files, "put_in_place", interrupted)
    capsys.readouterr()
    assert run_update(baseline) == 130
    assert "interrupted while putting files in place" in capsys.readouterr().err
    assert not list(baseline.rglob("*.tmp"))  # the files not yet in place were removed
    monkeypatch.setattr(files, "put_in_place", real)
    assert run_update(baseline) == 0
    assert not (baseline / "articles" / "data" / "pending.json").exists()
    assert_complete(baseline, fake_arxiv.papers)
