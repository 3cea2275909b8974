"""A hostile arXiv beyond the fault matrix: answers that slip past a check one way or another (issue 12 red team).

Each answer, served by the fake arXiv through the real `arxiv` client, must end as the matrix's do: the run finishes
with every paper once, or exits 1 with one `error:` line naming the URL or the paper, and every file byte-identical.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest

from scripts import config
from scripts.ingest import fetch
from tests.conftest import REPO, make_project, project_config, snapshot
from tests.e2e import test_faults
from tests.e2e.test_faults import (
    RecordingClock,
    assert_complete,
    data_records,
    faults_from,
    recent_papers,
    run_update,
    setup_project,
)
from tests.fake_arxiv import (
    Reply,
    feed_xml,
    first_entry_edited,
    gzip_bomb,
    make_papers,
    rate_limited,
    shifted_back,
    slow,
    trickling,
    vanished_results,
)

baseline, stop_a_restarted_api = test_faults.baseline, test_faults.stop_a_restarted_api  # the matrix's fixtures


def last_error(capsys) -> str:
    """The run's last line on stderr, which must be its one error line."""
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines and lines[-1].startswith("error: "), lines[-3:]
    return lines[-1]


def test_an_answer_trickled_a_byte_at_a_time_is_cut_off_at_the_timeout(fake_arxiv, baseline, capsys):
    """Each byte comes before the socket's timeout, so only a deadline on the whole answer ends it."""
    before = snapshot(baseline)
    fake_arxiv.faults = faults_from(fake_arxiv, 2, trickling(0.2))
    began = time.monotonic()
    assert run_update(baseline) == 1
    assert time.monotonic() - began < 8, "a trickling answer was waited out instead of timed out"
    assert "page 2 (results 11-20): timed out waiting for" in last_error(capsys)
    assert snapshot(baseline) == before
    fake_arxiv.faults = {}
    assert run_update(baseline) == 0
    assert_complete(baseline, fake_arxiv.papers)


def test_a_gzip_answer_that_inflates_past_the_size_limit_is_refused_and_retried(fake_arxiv, tmp_path, caplog):
    """60 KB on the wire, 60 MB inflated: read whole, a bomb of a few MB more would exhaust the runner's memory."""
    root = setup_project(tmp_path / "project")
    fake_arxiv.papers = recent_papers(25, hours_ago=150, first_number=0)
    fake_arxiv.faults = {2: gzip_bomb(60_000_000)}
    assert run_update(root) == 0
    assert "an answer over 50,000,000 bytes" in caplog.text
    assert_complete(root, fake_arxiv.papers)


def test_a_gzip_encoded_page_is_read_like_a_plain_one(fake_arxiv, tmp_path):
    root = setup_project(tmp_path / "project")
    fake_arxiv.papers = recent_papers(25, hours_ago=150, first_number=0)
    fake_arxiv.faults = {2: gzip_bomb(0), 3: gzip_bomb(0)}
    assert run_update(root) == 0
    assert len(fake_arxiv.requests) == 3
    assert_complete(root, fake_arxiv.papers)


FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def entry_edit(edit):
    """A fault: the normal page with its first entry passed through `edit`."""
    return lambda api, request: first_entry_edited(api, request, edit)


def id_digits(table):
    """An edit: the entry's arXiv ID written in other digits (Python's \\d and int() read them as 0-9)."""
    return lambda entry: re.sub(r"(<id>http://arxiv\.org/abs/)([^<]+)",
                                lambda match: match.group(1) + match.group(2).translate(table), entry)


@pytest.mark.parametrize("table", [FULLWIDTH, ARABIC_INDIC], ids=["fullwidth", "arabic-indic"])
def test_an_id_in_lookalike_digits_is_a_damaged_entry_not_another_paper(fake_arxiv, baseline, capsys, table):
    """Read as an ID, '２６１１.10010' would be archived beside 2611.10010, under a link that leads nowhere."""
    before = snapshot(baseline)
    fake_arxiv.faults = faults_from(fake_arxiv, 2, entry_edit(id_digits(table)))
    assert run_update(baseline) == 1
    error = last_error(capsys)
    assert "page 2 (results 11-20): http://arxiv.org/abs/" in error and "not an arXiv ID" in error, error
    assert "after 2 tries; arXiv served a damaged entry" in error, error
    assert snapshot(baseline) == before
    fake_arxiv.faults = {}
    assert run_update(baseline) == 0
    assert_complete(baseline, fake_arxiv.papers)


def test_an_entry_with_two_published_dates_is_checked_by_the_one_the_client_reads(fake_arxiv, baseline, capsys):
    """The client reads an element's first copy; a check of the last let a date from 1985 into the archive."""
    before = snapshot(baseline)
    first = "<published>1985-06-01T00:00:00Z</published><published>"
    second = entry_edit(lambda entry: entry.replace("<published>", first, 1))
    fake_arxiv.faults = faults_from(fake_arxiv, 2, second)
    assert run_update(baseline) == 1
    assert "<published> '1985-06-01T00:00:00Z' is outside 1991-01-01 .." in last_error(capsys)
    assert snapshot(baseline) == before


def test_an_included_id_arxiv_does_not_return_fails_naming_it_instead_of_being_forgotten(fake_arxiv, tmp_path, capsys):
    """Fetched by ID, a paper arXiv leaves out was dropped and the overrides marked applied: never asked for again."""
    root = setup_project(tmp_path / "project")
    fake_arxiv.papers = recent_papers(25, hours_ago=150, first_number=0)
    older = make_papers(1, start="2024-01-10T00:00:00Z", first_number=7)[0]  # outside the window: fetched by ID
    fake_arxiv.papers.append(older)
    overrides = root / "collection" / "overrides.yaml"
    overrides.parent.mkdir(parents=True)
    overrides.write_text(f'include:\n  - "{older.id}"\n  - "2401.99999"\n', encoding="utf-8")
    before = snapshot(root)
    assert run_update(root) == 1
    error = last_error(capsys)
    assert "2401.99999" in error and "collection/overrides.yaml" in error and older.id not in error, error
    assert snapshot(root) == before
    overrides.write_text(f'include:\n  - "{older.id}"\n', encoding="utf-8")
    assert run_update(root) == 0
    assert_complete(root, fake_arxiv.papers)


def test_a_page_that_times_out_at_every_size_stops_within_the_page_budget(fake_arxiv, tmp_path, monkeypatch, capsys):
    """Each halving started the tries afresh: 800, 400, 200 and 100 results a page, twice each, 8 timeouts in all.
    At the defaults (2000 a page, 4 tries of 120 s) that is five sizes; at timeout_seconds 500, 2.8 h for one page."""
    monkeypatch.setattr(fetch, "PAGE_BUDGET_SECONDS", 2.5)
    root = make_project(tmp_path / "project", config=project_config(page_size=800, retries=1, timeout=1))
    fake_arxiv.papers = make_papers(900, step_hours=3)
    before = snapshot(root)
    fake_arxiv.faults = faults_from(fake_arxiv, 1, slow(1.5))
    assert run_update(root, "--since", "2025-01-01") == 1
    error = last_error(capsys)
    assert "page 1 (results 1-" in error and "timed out waiting for" in error, error
    assert "another try could pass the 2.5 s one page may take" in error, error
    assert len(fake_arxiv.requests) <= 3
    assert snapshot(root) == before


# ---------------------------------------------------------------- answers the fetch step already survives


def other_namespace(api, request):
    """The normal page in another XML namespace than Atom's."""
    status, body = api.page(request)
    return status, body.replace('xmlns="http://www.w3.org/2005/Atom"', 'xmlns="http://www.w3.org/2005/Atom/2"', 1)


def nested_entry(api, request):
    """The page's second entry nested inside its first (the client and our scan read only the outer one)."""
    status, body = api.page(request)
    first = body.index("</entry>")
    second_end = body.index("</entry>", first + 1)
    second = body[first + len("</entry>\n"):second_end + len("</entry>")]
    return status, body[:first] + second + "</entry>\n" + body[second_end + len("</entry>\n"):]


def two_totals(api, request):
    """The page with a second, contradicting opensearch:totalResults after the first."""
    status, body = api.page(request)
    return status, re.sub(r"(<opensearch:totalResults>\d+</opensearch:totalResults>)",
                          r"\1<opensearch:totalResults>10</opensearch:totalResults>", body, count=1)


def html_page(api, request):
    """A 200 with an HTML body (a proxy's or a captive portal's page)."""
    return 200, "<!DOCTYPE html><html><body><h1>Rate exceeded.</h1></body></html>\n"


def other_version_twice(api, request):
    """The page's last entry replaced by its first under another version (same versionless ID twice)."""
    status, body = api.page(request)
    entries = re.findall(r"<entry>.*?</entry>\n", body, re.S)
    again = re.sub(r"v(\d+)</id>", lambda match: f"v{int(match.group(1)) + 1}</id>", entries[0], count=1)
    return status, body.replace(entries[-1], again)


def total_shrinks(api, request):
    """The normal page, under a total one lower than the first page's (a paper withdrawn while paging)."""
    selected = api.matching(request)
    return 200, feed_xml(selected[request.start:request.start + request.max_results], len(selected) - 1, request.start)


def latin1_feed(api, request):
    """The normal page encoded as ISO-8859-1, as its XML declaration says."""
    _status, body = api.page(request)
    body = body.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"', 1)
    return Reply(200, raw=body.encode("iso-8859-1"))


def spaced_id(api, request):
    """The first entry's <id> padded with spaces and a newline."""
    return first_entry_edited(api, request, lambda entry: re.sub(r"<id>([^<]+)</id>", r"<id>  \1 \n</id>", entry))


def foreign_host(api, request):
    """The first entry's <id> on another host."""
    return first_entry_edited(api, request, lambda entry: entry.replace("<id>http://arxiv.org/abs/",
                                                                        "<id>https://mirror.example/abs/"))


SURVIVED = {
    "feed in another namespace": (other_namespace, "no result count"),
    "an entry nested in another": (nested_entry, "results kept shifting between pages"),
    "two contradicting totals": (two_totals, "the arxiv client read 10 entries and a total of "),
    "200 with an HTML body": (html_page, "truncated feed"),
    "one paper in two versions on a page": (other_version_twice, "appears twice on the page"),
    "page shifted back a whole page": (shifted_back(10), "results kept shifting between pages"),
    "total shrinks between pages": (total_shrinks, "10 entries from result 21, but totalResults says 29"),
    "<id> on another host": (foreign_host, "'https://mirror.example/abs/"),
}


@pytest.mark.parametrize("name", SURVIVED)
def test_a_survived_answer_once_is_retried_and_the_run_keeps_every_paper(fake_arxiv, tmp_path, name):
    root = setup_project(tmp_path / "project")
    fake_arxiv.papers = recent_papers(25, hours_ago=150, first_number=0)
    fake_arxiv.faults = {2: SURVIVED[name][0]}
    assert run_update(root) == 0
    assert_complete(root, fake_arxiv.papers)


@pytest.mark.parametrize("name", SURVIVED)
def test_a_survived_answer_that_lasts_changes_no_byte(fake_arxiv, baseline, capsys, name):
    fault, words = SURVIVED[name]
    before = snapshot(baseline)
    fake_arxiv.faults = faults_from(fake_arxiv, 2, fault)
    assert run_update(baseline) == 1
    error = last_error(capsys)
    assert words in error and fake_arxiv.url.split("/api")[0] in error, error
    assert snapshot(baseline) == before


@pytest.mark.parametrize("fault", [latin1_feed, spaced_id], ids=["ISO-8859-1 feed", "spaces around the id"])
def test_an_odd_but_valid_page_is_read_whole(fake_arxiv, tmp_path, fault):
    root = setup_project(tmp_path / "project")
    fake_arxiv.papers = recent_papers(25, hours_ago=150, first_number=0)
    for paper in fake_arxiv.papers:
        paper.title += " über Sprachmodelle"
    fake_arxiv.faults = {1: fault, 2: fault, 3: fault}
    assert run_update(root) == 0
    assert len(fake_arxiv.requests) == 3
    assert_complete(root, fake_arxiv.papers)


def test_old_style_ids_and_three_thousand_authors_are_archived_whole(fake_arxiv, tmp_path):
    root = setup_project(tmp_path / "project")
    fake_arxiv.papers = recent_papers(12, hours_ago=150, first_number=0)
    for number, paper in enumerate(fake_arxiv.papers[:6]):
        paper.id = f"hep-th/99010{number:02d}" if number % 2 else f"math.GT/03091{number:02d}"
    fake_arxiv.papers[7].authors = tuple(f"Author {number}" for number in range(3000))
    assert run_update(root) == 0
    assert_complete(root, fake_arxiv.papers)
    record = next(record for record in data_records(root) if record["id"] == fake_arxiv.papers[7].id)
    assert len(record["authors"]) == 3000


def test_the_run_stops_at_a_total_that_is_an_exact_multiple_of_the_page_size(fake_arxiv, tmp_path):
    root = setup_project(tmp_path / "project")
    fake_arxiv.papers = recent_papers(20, hours_ago=150, first_number=0)
    assert run_update(root) == 0
    assert [request.start for request in fake_arxiv.requests] == [0, 10]  # no third request for an empty page
    assert_complete(root, fake_arxiv.papers)


@pytest.mark.parametrize("value", ["0", "-5", "9" * 400, "soon", "Thu, 01 Jan 1970 00:00:00 GMT"])
def test_an_odd_retry_after_is_read_as_no_wait_or_capped(fake_arxiv, tmp_path, monkeypatch, value):
    clock = RecordingClock()
    monkeypatch.setattr(fetch, "time", clock)
    root = setup_project(tmp_path / "project")
    fake_arxiv.papers = recent_papers(25, hours_ago=150, first_number=0)
    fake_arxiv.faults = {2: rate_limited(value)}
    assert run_update(root) == 0
    assert len(clock.pauses) == 1 and 0 <= clock.pauses[0] <= fetch.RETRY_AFTER_CAP
    assert_complete(root, fake_arxiv.papers)


# ---------------------------------------------------------------- answers accepted wrongly before their fix


def test_an_empty_answer_to_a_backfill_keeps_the_watermark(fake_arxiv, baseline):
    """arXiv's hiccup of "no results at all": read with --since, it moved the watermark to now, so no later run
    looked back past the look-back days at the papers the backfill should have brought."""
    state = baseline / "articles" / "data" / "state.json"
    older = (datetime.now(UTC) - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:00Z")
    state.write_text(re.sub(r'"watermark": "[^"]+"', f'"watermark": "{older}"', state.read_text()))
    before = snapshot(baseline)
    fake_arxiv.faults = faults_from(fake_arxiv, 1, vanished_results, count=1)
    since = (datetime.now(UTC) - timedelta(days=30)).strftime("%Y-%m-%d")
    assert run_update(baseline, "--since", since) == 0  # indistinguishable from an empty window: nothing to write
    assert snapshot(baseline) == before
    assert run_update(baseline) == 0
    assert_complete(baseline, fake_arxiv.papers)


def test_a_paper_in_the_minute_a_window_is_split_at_is_returned_once(fake_arxiv, tmp_path, monkeypatch):
    """submittedDate ranges include both ends, to the minute: both halves of a split window hold that minute."""
    monkeypatch.setattr(fetch, "MAX_RESULTS_PER_QUERY", 20)
    fake_arxiv.papers = make_papers(30, start="2025-03-01T00:00:00Z", step_hours=1)  # 2025-03-01 00:00 .. 03-02 05:00
    fake_arxiv.papers[12].published = "2025-03-01T12:00:30Z"  # the middle of the window, to the minute
    settings = config.load_config(setup_project(tmp_path / "project") / "config.yaml").arxiv
    start, end = datetime(2025, 3, 1, tzinfo=UTC), datetime(2025, 3, 2, tzinfo=UTC)
    papers = fetch.fetch_window(settings, start, end, lambda number, page: None)
    ids = [paper.id for paper in papers]
    assert len({request.query for request in fake_arxiv.requests}) == 3  # the whole window, then its two halves
    assert sorted(ids) == sorted(paper.id for paper in fake_arxiv.papers if paper.published < "2025-03-02T00:01")


def test_a_retry_after_in_other_digits_is_no_wait_and_the_429_is_named(fake_arxiv, baseline, capsys):
    """'²' passes str.isdigit() but not float(): the error blamed the client's parse instead of naming the 429."""
    before = snapshot(baseline)
    fake_arxiv.faults = faults_from(fake_arxiv, 2, rate_limited("\u00b2"))
    assert run_update(baseline) == 1
    error = last_error(capsys)
    assert "page 2 (results 11-20): HTTP 429 after 2 tries; arXiv is limiting requests" in error, error
    assert snapshot(baseline) == before


def test_an_update_killed_while_a_page_is_on_its_way_changes_no_byte(fake_arxiv, baseline):
    """Nothing is written before the whole window is fetched: a kill mid-page leaves the old files, and no lock."""
    before = snapshot(baseline)
    fake_arxiv.faults = faults_from(fake_arxiv, 2, slow(0.8), count=1)
    asked = len(fake_arxiv.requests)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen([sys.executable, "-m", "scripts.update", "--root", str(baseline)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while len(fake_arxiv.requests) < asked + 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    assert process.wait(timeout=10) == -signal.SIGKILL
    assert len(fake_arxiv.requests) == asked + 2  # killed while page 2 was on its way
    assert snapshot(baseline) == before
    assert run_update(baseline) == 0
    assert_complete(baseline, fake_arxiv.papers)


@pytest.mark.parametrize("inside", ["<!-- a comment -->", "<?arxiv note?>", "<b>x</b>", '<a:b xmlns:a="urn:x"/>'],
                         ids=["comment", "processing instruction", "element", "element in another namespace"])
def test_a_node_inside_a_title_is_refused_not_read_as_a_shorter_title(fake_arxiv, tmp_path, inside):
    """The client reads an element's text up to its first child node: 'Jail<!-- -->break' came through as 'Jail'."""
    root = setup_project(tmp_path / "project")
    fake_arxiv.papers = recent_papers(25, hours_ago=150, first_number=0)
    fake_arxiv.faults = {2: entry_edit(lambda entry: entry.replace("<title>Jailbreak", f"<title>Jail{inside}break"))}
    assert run_update(root) == 0
    assert len(fake_arxiv.requests) == 4  # page 2 refused once, then read again
    assert_complete(root, fake_arxiv.papers)


def test_a_last_page_slower_than_the_timeout_once_is_retried_and_complete(fake_arxiv, tmp_path):
    root = setup_project(tmp_path / "project")
    fake_arxiv.papers = recent_papers(25, hours_ago=150, first_number=0)
    fake_arxiv.faults = {3: slow(1.6)}
    assert run_update(root) == 0
    assert [request.start for request in fake_arxiv.requests] == [0, 10, 20, 20]
    assert_complete(root, fake_arxiv.papers)


def test_an_entry_updated_before_it_was_published_is_archived_as_served(fake_arxiv, tmp_path):
    """Not refused: nothing derives from the order of the two dates (recorded as accepted, not fixed)."""
    root = setup_project(tmp_path / "project")
    fake_arxiv.papers = recent_papers(25, hours_ago=150, first_number=0)
    fake_arxiv.papers[3].updated = "2020-01-01T00:00:00Z"
    assert run_update(root) == 0
    assert_complete(root, fake_arxiv.papers)
    record = next(record for record in data_records(root) if record["id"] == fake_arxiv.papers[3].id)
    assert record["updated"] == "2020-01-01T00:00:00Z"


def test_a_paper_from_outside_the_window_standing_in_for_one_inside_is_refused(fake_arxiv, baseline, capsys):
    """Counted against the window's total, a 2019 paper took the place of one of the window's: the total matched."""
    before = snapshot(baseline)
    swap = entry_edit(lambda entry: re.sub(r"<(published|updated)>[^<]+<", r"<\1>2019-05-01T10:00:00Z<", entry))
    fake_arxiv.faults = faults_from(fake_arxiv, 2, swap)
    assert run_update(baseline) == 1
    error = last_error(capsys)
    assert error.endswith("papers from outside the window kept coming back; rerun later"), error
    assert snapshot(baseline) == before
    fake_arxiv.faults = faults_from(fake_arxiv, 2, swap, count=1)  # once: the window is read again
    assert run_update(baseline) == 0
    assert_complete(baseline, fake_arxiv.papers)


def test_a_damaged_gzip_answer_is_named_as_such(fake_arxiv, baseline, capsys):
    before = snapshot(baseline)
    damaged = lambda api, request: Reply(200, raw=b"not gzip at all", headers={"Content-Encoding": "gzip"})  # noqa: E731
    fake_arxiv.faults = faults_from(fake_arxiv, 2, damaged)
    assert run_update(baseline) == 1
    error = last_error(capsys)
    assert "page 2 (results 11-20): the answer's compression (Content-Encoding) is damaged after 2 tries; " in error
    assert "served a damaged compressed answer" in error, error
    assert snapshot(baseline) == before
