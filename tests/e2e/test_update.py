"""End-to-end tests of `python -m scripts.update` against the fake arXiv on loopback."""

from __future__ import annotations

import concurrent.futures
import json
import subprocess
import sys
from pathlib import Path

import pytest

from scripts import update
from scripts.store.archive import Archive
from tests.conftest import REPO, make_project, snapshot, snapshot_but_watermark
from tests.fake_arxiv import FakePaper, empty_page, error_entry, http_status, make_papers, truncated


def run_update(root, *args: str) -> int:
    """Run the update in-process on a project tree."""
    return update.main(["--root", str(root), *args])


def archived_ids(root) -> list[str]:
    """Return every archived paper ID, in file order."""
    ids = []
    for path in sorted((root / "articles" / "data").glob("20*.json")):
        ids += [record["id"] for record in json.loads(path.read_text())["papers"]]
    return ids


def latest_block(root) -> str:
    """Return the README text between the LATEST_PAPERS markers."""
    text = (root / "README.md").read_text()
    return text.split("<!-- LATEST_PAPERS_START -->")[1].split("<!-- LATEST_PAPERS_END -->")[0]


def test_backfill_archives_every_paper_once_across_pages(fake_arxiv, project):
    fake_arxiv.papers = make_papers(300)
    assert run_update(project, "--since", "2025-01-01") == 0
    ids = archived_ids(project)
    assert sorted(ids) == sorted(paper.id for paper in fake_arxiv.papers)
    assert len(fake_arxiv.requests) == 6  # 300 results in pages of 50: one request a page, no extra
    block = latest_block(project)
    assert block.count("https://arxiv.org/abs/") == 20
    newest = sorted(fake_arxiv.papers, key=lambda paper: paper.published)[-20:]
    assert all(f"https://arxiv.org/abs/{paper.id}v1)" in block for paper in newest)


def test_every_paper_not_in_the_readme_is_on_an_archive_page(fake_arxiv, project):
    fake_arxiv.papers = make_papers(300)
    run_update(project, "--since", "2025-01-01")
    pages = "".join(path.read_text() for path in (project / "articles").glob("20*.md"))
    assert all(pages.count(f"https://arxiv.org/abs/{paper.id})") == 1 for paper in fake_arxiv.papers)
    index = (project / "articles" / "README.md").read_text()
    assert "[2025-03](2025-03.md) | 149" in index


def test_second_run_changes_no_byte(fake_arxiv, project):
    fake_arxiv.papers = make_papers(120)
    run_update(project, "--since", "2025-01-01")
    before = snapshot(project)
    assert run_update(project) == 0
    assert snapshot(project) == before
    blanked = snapshot_but_watermark(project)
    assert run_update(project, "--since", "2025-01-01") == 0
    assert snapshot_but_watermark(project) == blanked  # a backfill moves the watermark to this minute, nothing else


def test_window_starts_at_watermark_minus_lookback(fake_arxiv, project):
    fake_arxiv.papers = make_papers(3)
    run_update(project, "--since", "2025-01-01")
    assert "submittedDate:[202501010000 TO " in fake_arxiv.requests[0].query
    run_update(project)
    state = json.loads((project / "articles" / "data" / "state.json").read_text())
    watermark = state["watermark"]
    from datetime import datetime, timedelta
    expected = datetime.strptime(watermark, "%Y-%m-%dT%H:%M:%SZ") - timedelta(days=7)
    assert f"submittedDate:[{expected:%Y%m%d%H%M} TO " in fake_arxiv.requests[-1].query


def test_query_uses_fields_groups_and_exclusions(fake_arxiv, project):
    run_update(project, "--since", "2025-01-01")
    query = fake_arxiv.requests[0].query
    assert query.startswith("(cat:cs.CL OR cat:cs.CR) AND (ti:jailbreak OR abs:jailbreak OR ti:\"red teaming\"")
    assert "ANDNOT (ti:battery OR abs:battery)" in query


def test_new_version_replaces_old_in_place(fake_arxiv, project):
    paper = FakePaper(id="2505.11494", published="2025-05-16T17:59:46Z", title="Old Title")
    fake_arxiv.papers = [paper]
    run_update(project, "--since", "2025-05-01")
    paper.version, paper.title, paper.updated = 2, "New Title", "2025-06-01T00:00:00Z"
    assert run_update(project, "--since", "2025-05-01") == 0
    records = json.loads((project / "articles" / "data" / "2025-05.json").read_text())["papers"]
    assert [(r["id"], r["version"], r["title"], r["updated"]) for r in records] == [
        ("2505.11494", 2, "New Title", "2025-06-01T00:00:00Z")]
    assert "New Title" in latest_block(project) and "Old Title" not in latest_block(project)


def test_older_version_never_overwrites_newer(fake_arxiv, project):
    paper = FakePaper(id="2505.11494", published="2025-05-16T17:59:46Z", title="Second", version=2)
    fake_arxiv.papers = [paper]
    run_update(project, "--since", "2025-05-01")
    paper.version, paper.title = 1, "First"
    run_update(project, "--since", "2025-05-01")
    assert json.loads((project / "articles" / "data" / "2025-05.json").read_text())["papers"][0]["title"] == "Second"


def test_old_style_ids_are_versionless(fake_arxiv, project):
    fake_arxiv.papers = [FakePaper(id="hep-th/9901001", published="2025-02-01T00:00:00Z", version=3)]
    run_update(project, "--since", "2025-01-01")
    record = json.loads((project / "articles" / "data" / "2025-02.json").read_text())["papers"][0]
    assert (record["id"], record["version"], record["url"]) == ("hep-th/9901001", 3, "https://arxiv.org/abs/hep-th/9901001")


@pytest.mark.parametrize("fault", [http_status(503), http_status(429), truncated, empty_page])
def test_transient_fault_is_retried_and_nothing_is_lost(fake_arxiv, project, fault):
    fake_arxiv.papers = make_papers(120)
    fake_arxiv.faults = {2: fault}
    assert run_update(project, "--since", "2025-01-01") == 0
    assert sorted(archived_ids(project)) == sorted(paper.id for paper in fake_arxiv.papers)


@pytest.mark.parametrize("fault,message", [(http_status(503), "HTTP 503"), (truncated, "truncated feed"),
                                           (empty_page, "short page (0 of 50 results)"), (error_entry, "arXiv rejected the query")])
def test_persistent_fault_fails_and_leaves_every_file(fake_arxiv, project, capsys, fault, message):
    fake_arxiv.papers = make_papers(60)
    run_update(project, "--since", "2025-01-01")
    before = snapshot(project)
    fake_arxiv.papers += make_papers(60, start="2025-06-01T00:00:00Z")
    fake_arxiv.faults = dict.fromkeys(range(2, 10), fault)
    assert run_update(project, "--since", "2025-01-01") == 1
    assert message in capsys.readouterr().err
    assert snapshot(project) == before
    fake_arxiv.faults = {}
    assert run_update(project, "--since", "2025-01-01") == 0
    assert sorted(archived_ids(project)) == sorted(paper.id for paper in fake_arxiv.papers)


def test_error_entry_on_first_page_is_not_read_as_no_results(fake_arxiv, project, capsys):
    fake_arxiv.faults = {1: error_entry}
    before = snapshot(project)
    assert run_update(project, "--since", "2025-01-01") == 1
    assert "incorrect id format" in capsys.readouterr().err
    assert snapshot(project) == before


def test_unreachable_api_fails_cleanly(project, monkeypatch, capsys):
    monkeypatch.setenv("ARXIV_API_URL", "http://127.0.0.1:9/api/query")
    monkeypatch.setenv("ARXIV_DELAY_SECONDS", "0")
    before = snapshot(project)
    assert run_update(project) == 1
    assert "connection failed" in capsys.readouterr().err
    assert snapshot(project) == before


@pytest.mark.parametrize("readme,problem", [
    ("# List\n", "is missing"),
    ("<!-- LATEST_PAPERS_START -->\n<!-- LATEST_PAPERS_END -->\n<!-- LATEST_PAPERS_END -->\n", "appears 2 times"),
    ("<!-- LATEST_PAPERS_END -->\n<!-- LATEST_PAPERS_START -->\n", "comes before"),
])
def test_bad_markers_fail_before_fetching(fake_arxiv, project, capsys, readme, problem):
    (project / "README.md").write_text(readme)
    before = snapshot(project)
    assert run_update(project) == 1
    error = capsys.readouterr().err
    assert "README.md" in error and problem in error
    assert fake_arxiv.requests == [] and snapshot(project) == before


@pytest.mark.parametrize("content,problem", [("{not json", "corrupt JSON"), ('{"schema": 9, "papers": []}', "unknown schema 9"),
                                             ('{"schema": 1, "papers": [{"id": "x"}]}', "lacks version")])
def test_corrupt_archive_is_never_reset(fake_arxiv, project, capsys, content, problem):
    fake_arxiv.papers = make_papers(10)
    run_update(project, "--since", "2025-01-01")
    (project / "articles" / "data" / "2025-03.json").write_text(content)
    before = snapshot(project)
    assert run_update(project, "--since", "2025-01-01") == 1
    error = capsys.readouterr().err
    assert "articles/data/2025-03.json" in error and problem in error and "git checkout" in error
    assert snapshot(project) == before


@pytest.mark.parametrize("config,problem", [
    ("arxiv:\n  categories: [cs.CL]\n  all_of: [[a]]\n  page_size: 5000\n", "arxiv.page_size: 5000 is out of range"),
    ("arxiv:\n  categories: [cs.CL]\n  all_of: [[a]]\n  delay: 3\n", "arxiv.delay: unknown key"),
    ("arxiv:\n  categories: cs.CL\n  all_of: [[a]]\n", "arxiv.categories: expected a list"),
    ("arxiv:\n  categories: [cs.CL]\n", "arxiv.all_of: expected a list of term groups"),
    ("list:\n  readme_papers: twenty\narxiv: {}\n", "list.readme_papers: expected a whole number"),
    ("arxiv: [\n", "invalid YAML"),
    ("a: &x [1]\nb: *x\n", "aliases"),
])
def test_broken_config_names_file_and_key(fake_arxiv, project, capsys, config, problem):
    (project / "config.yaml").write_text(config)
    before = snapshot(project)
    assert run_update(project) == 1
    error = capsys.readouterr().err
    assert "config.yaml" in error and problem in error
    assert snapshot(project) == before and fake_arxiv.requests == []


def test_dry_run_reports_and_writes_nothing(fake_arxiv, project, caplog):
    fake_arxiv.papers = make_papers(30)
    before = snapshot(project)
    assert run_update(project, "--since", "2025-01-01", "--dry-run") == 0
    assert snapshot(project) == before
    assert "new 30" in caplog.text and "would write" in caplog.text


def test_empty_archive_says_so(fake_arxiv, project):
    assert run_update(project, "--no-fetch") == 0
    assert "No papers yet" in latest_block(project)
    assert fake_arxiv.requests == []


def test_step_summary_and_outputs(fake_arxiv, project, tmp_path, monkeypatch):
    fake_arxiv.papers = make_papers(4)
    summary, outputs = tmp_path / "summary.md", tmp_path / "outputs"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    run_update(project, "--since", "2025-01-01")
    assert "| 4 | 4 | 0 | 0 |" in summary.read_text()
    assert outputs.read_text() == "new=4\nupdated=0\n"


def test_interrupted_write_is_repaired_by_the_next_run(fake_arxiv, project, monkeypatch):
    fake_arxiv.papers = make_papers(100)
    from scripts.store import files
    real, calls = files.put_in_place, {"count": 0}

    def failing(target, temp):
        calls["count"] += 1
        if calls["count"] == 4:  # the journal, two files, then a full disk
            raise OSError(28, "No space left on device")
        real(target, temp)

    monkeypatch.setattr(files, "put_in_place", failing)
    assert run_update(project, "--since", "2025-01-01") == 1
    monkeypatch.setattr(files, "put_in_place", real)
    assert (project / "articles" / "data" / "pending.json").exists()
    assert run_update(project) == 0
    assert not (project / "articles" / "data" / "pending.json").exists()
    assert sorted(archived_ids(project)) == sorted(paper.id for paper in fake_arxiv.papers)
    pages = "".join(path.read_text() for path in (project / "articles").glob("20*.md"))
    assert all(f"/abs/{paper.id})" in pages for paper in fake_arxiv.papers)


def test_a_month_that_fails_in_a_render_worker_leaves_every_file_as_it_was(fake_arxiv, tmp_path, monkeypatch, capsys):
    from scripts.render import build as site
    fake_arxiv.papers = make_papers(400, step_hours=30)
    project = make_project(tmp_path / "project")
    run_update(project, "--since", "2025-01-01")
    march = project / "articles" / "data" / "2025-03.json"
    march.write_text(march.read_text().replace('"title": "', '"title": "\\ud800 ', 1))  # a lone surrogate, as JSON escapes it
    (project / "articles" / "data" / "rendered.json").unlink()  # every month rendered again
    for page in (project / "articles").glob("20*.md"):
        page.write_text("stale\n")  # and staged
    before = snapshot(project)
    monkeypatch.setattr(site, "PARALLEL_MONTHS", 2)
    monkeypatch.setattr(site.os, "cpu_count", lambda: 2)
    capsys.readouterr()
    assert update.main(["--root", str(project), "--no-fetch"]) == 1
    assert "cannot write U+D800" in capsys.readouterr().err
    assert snapshot(project) == before  # no page, no journal and no temp file: the other workers' files were removed
    assert len(list((project / "articles").glob("20*.md"))) > 10


def test_an_interrupt_while_the_workers_render_leaves_no_file_changed(fake_arxiv, tmp_path, monkeypatch, capsys):
    from scripts.render import build as site
    fake_arxiv.papers = make_papers(400, step_hours=30)
    project = make_project(tmp_path / "project")
    run_update(project, "--since", "2025-01-01")
    (project / "articles" / "data" / "rendered.json").unlink()
    for page in (project / "articles").glob("20*.md"):
        page.write_text("stale\n")  # so that every month is staged
    before = snapshot(project)
    real_wait = concurrent.futures.wait

    def interrupted(futures):
        real_wait(futures)
        raise KeyboardInterrupt  # Ctrl-C once the workers have staged their months

    monkeypatch.setattr(concurrent.futures, "wait", interrupted)  # as the render imports it, when it starts workers
    monkeypatch.setattr(site, "PARALLEL_MONTHS", 2)
    monkeypatch.setattr(site.os, "cpu_count", lambda: 2)
    capsys.readouterr()
    assert update.main(["--root", str(project), "--no-fetch"]) == 130
    assert capsys.readouterr().err.strip() == "error: interrupted before writing anything; every file is as it was"
    assert snapshot(project) == before  # and no temp file left


def test_merge_archive_unions_two_runs(fake_arxiv, tmp_path):
    first, second = make_project(tmp_path / "a"), make_project(tmp_path / "b")
    fake_arxiv.papers = make_papers(10)
    run_update(first, "--since", "2025-01-01")
    fake_arxiv.papers = make_papers(10, start="2025-08-01T00:00:00Z")
    run_update(second, "--since", "2025-07-01")
    assert run_update(first, "--no-fetch", "--merge-archive", str(second / "articles" / "data")) == 0
    assert len(set(archived_ids(first))) == 20
    assert Archive.open(first / "articles" / "data").index["2025-08"]["count"] == 10


def test_cli_runs_as_a_module(fake_arxiv, project):
    fake_arxiv.papers = make_papers(5)
    result = subprocess.run([sys.executable, "-m", "scripts.update", "--since", "2025-01-01"], cwd=project,
                            env={**__import__("os").environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "page 1: 5 results, 5 not yet archived" in result.stderr
    bad = subprocess.run([sys.executable, "-m", "scripts.update", "--since", "yesterday"], cwd=project,
                         env={**__import__("os").environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, check=False)
    assert bad.returncode != 0 and "expected a date like" in bad.stderr


def test_resetting_the_data_folder_resets_every_page(fake_arxiv, project):
    fake_arxiv.papers = make_papers(100)
    run_update(project, "--since", "2025-01-01")
    import shutil
    shutil.rmtree(project / "articles" / "data")
    assert (project / "articles" / "domains" / "jailbreak.md").exists()
    assert run_update(project, "--no-fetch") == 0
    left = sorted(path.name for path in (project / "articles").iterdir())
    assert left == ["README.md", "data", "domains", "feed.xml", "rejected.md"]
    # every domain keeps a page, now saying it has no papers, so the links to it still lead somewhere
    assert "No archived paper carries this domain yet." in (project / "articles" / "domains" / "jailbreak.md").read_text()
    assert "No papers yet" in latest_block(project)


def test_full_render_skips_only_months_whose_data_and_renderer_are_unchanged(fake_arxiv, project, monkeypatch,
                                                                             change_renderer):
    from scripts.render import listing as render
    fake_arxiv.papers = make_papers(300)
    run_update(project, "--since", "2025-01-01")
    rendered = []
    real = render.month_plan
    monkeypatch.setattr(render, "month_plan", lambda month, *rest: rendered.append(month) or real(month, *rest))
    assert run_update(project, "--no-fetch") == 0 and rendered == []
    (project / "articles" / "2025-04.md").unlink()
    data = project / "articles" / "data" / "2025-03.json"
    data.write_text(data.read_text().replace("Part 0", "Part Zero"))
    assert run_update(project, "--no-fetch") == 0
    assert sorted(rendered) == ["2025-03", "2025-04"]
    assert "Part Zero" in (project / "articles" / "2025-03.md").read_text()
    rendered.clear()
    change_renderer("code")
    assert run_update(project, "--no-fetch") == 0
    assert sorted(rendered) == ["2025-03", "2025-04", "2025-05"]
    rendered.clear()  # the digests taken while rendering match the files: nothing to do next time
    assert run_update(project, "--no-fetch") == 0 and rendered == []


def test_an_update_after_a_renderer_change_renders_every_month(fake_arxiv, project, monkeypatch, caplog, change_renderer):
    from scripts.render import listing as render
    fake_arxiv.papers = make_papers(300)
    run_update(project, "--since", "2025-01-01")
    fake_arxiv.papers = make_papers(301)[-1:]  # one new paper, in the newest month
    rendered = []
    real = render.month_plan
    monkeypatch.setattr(render, "month_plan", lambda month, *rest: rendered.append(month) or real(month, *rest))
    before = json.loads((project / "articles" / "data" / "rendered.json").read_text())
    change_renderer("code")
    with caplog.at_level("INFO"):
        assert run_update(project) == 0
    assert sorted(rendered) == ["2025-03", "2025-04", "2025-05"]
    assert "templates changed since the pages were written: rendering every month" in caplog.text
    recorded = json.loads((project / "articles" / "data" / "rendered.json").read_text())
    assert recorded["renderer"] != before["renderer"] and recorded["code"] != before["code"]
    assert sorted(recorded["months"]) == sorted(recorded["pages"]) == ["2025-03", "2025-04", "2025-05"]
    rendered.clear()
    assert run_update(project) == 0 and rendered == []


def test_renaming_a_domain_in_the_config_rerenders_every_page_that_shows_it(fake_arxiv, project):
    fake_arxiv.papers = make_papers(120)
    assert run_update(project, "--since", "2025-01-01") == 0
    config = project / "config.yaml"
    config.write_text(config.read_text().replace("name: Jailbreaks", "name: Jailbreak attacks"))
    assert run_update(project, "--no-fetch") == 0
    pages = [path for path in (project / "articles").rglob("*.md") if "Jailbreaks" in path.read_text()]
    assert pages == []  # the domain's front page, its month pages and the archive front page all follow the config
    assert "Jailbreak attacks" in (project / "articles" / "domains" / "jailbreak.md").read_text()
    before = snapshot(project)
    assert run_update(project, "--no-fetch") == 0 and snapshot(project) == before  # and then settle


def test_parallel_month_rendering_matches_serial(fake_arxiv, tmp_path, monkeypatch):
    from scripts.render import build as site
    fake_arxiv.papers = make_papers(400, step_hours=30)
    serial = make_project(tmp_path / "serial")
    run_update(serial, "--since", "2025-01-01")
    (serial / "articles" / "data" / "rendered.json").unlink()
    for page in (serial / "articles").glob("20*.md"):
        page.write_text("stale\n")
    import shutil
    parallel = Path(shutil.copytree(serial, tmp_path / "parallel"))
    monkeypatch.setattr(site, "PARALLEL_MONTHS", 10**6)
    assert run_update(serial, "--no-fetch") == 0
    monkeypatch.setattr(site, "PARALLEL_MONTHS", 2)
    monkeypatch.setattr(site.os, "cpu_count", lambda: 2)
    assert run_update(parallel, "--no-fetch") == 0
    assert len(list((parallel / "articles").glob("20*.md"))) > 10
    assert snapshot(parallel) == snapshot(serial)
