"""A hostile arXiv beyond the fault matrix: answers that slip past a check one way or another (issue 12 red team).

Each answer, served by the fake arXiv through the real `arxiv` client, must end as the matrix's do: the run finishes
with every paper once, or exits 1 with one `error:` line naming the URL or the paper, and every file byte-identical.
"""

from __future__ import annotations

import re
import time

import pytest

from scripts.ingest import fetch
from tests.conftest import make_project, project_config, snapshot
from tests.e2e import test_faults
from tests.e2e.test_faults import assert_complete, faults_from, recent_papers, run_update, setup_project
from tests.fake_arxiv import first_entry_edited, gzip_bomb, make_papers, slow, trickling

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
