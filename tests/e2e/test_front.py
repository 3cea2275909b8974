"""A run that changes nothing the front pages made from the papers are rendered from renders none of them; any such
change renders them all; the curated pages are rendered at every run."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scripts import update
from scripts.render import build
from tests.conftest import REPO, make_project, project_config, snapshot
from tests.e2e.test_domains import RELEVANCE
from tests.e2e.test_reframe import edited_templates
from tests.fake_arxiv import make_papers


def run_update(root: Path, *args: str) -> int:
    return update.main(["--root", str(root), *args])


@pytest.fixture
def front_renders(monkeypatch) -> list[Path]:
    """The project roots whose front pages a run rendered, in order."""
    rendered: list[Path] = []
    real = build.site_outputs
    monkeypatch.setattr(build, "site_outputs", lambda root, *rest, **named: rendered.append(root) or real(root, *rest, **named))
    return rendered


@pytest.fixture
def settled(fake_arxiv, tmp_path) -> Path:
    """A project with papers tagged with domains, brought up to date and run once more, so that nothing is left to do."""
    project = make_project(tmp_path / "project", config=project_config() + RELEVANCE)
    fake_arxiv.papers = make_papers(40)
    assert run_update(project, "--since", "2025-01-01") == 0
    assert run_update(project, "--since", "2025-01-01") == 0
    return project


def test_a_run_with_nothing_new_renders_no_front_page_and_writes_nothing(settled, front_renders, caplog):
    before = snapshot(settled)
    assert run_update(settled, "--since", "2025-01-01") == 0
    assert run_update(settled, "--no-fetch") == 0  # a full check of every month's data finds nothing either
    assert front_renders == [] and snapshot(settled) == before
    assert "wrote 0 files" in caplog.text
    assert update.stale_outputs(settled) == []  # what a forced render of everything would write: the same


def test_a_run_that_renders_nothing_does_not_import_the_template_engine(settled):
    probe = ("import sys\nfrom scripts import update\nstatus = update.main(sys.argv[1:])\n"
             "print(status, sorted(name for name in ('jinja2', 'multiprocessing') if name in sys.modules))")
    result = subprocess.run([sys.executable, "-c", probe, "--root", str(settled), "--since", "2025-01-01"], cwd=REPO,
                            env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "0 []", result.stderr


def edit_archive_index(project: Path) -> None:
    path = project / "articles" / "README.md"
    path.write_text(path.read_text(encoding="utf-8") + "A line someone added by hand.\n", encoding="utf-8")


def delete_feed(project: Path) -> None:
    (project / "articles" / "feed.xml").unlink()


def edit_readme_text(project: Path) -> None:
    path = project / "README.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Intro.", "An introduction, rewritten."), encoding="utf-8")


def edit_config(project: Path) -> None:
    path = project / "config.yaml"
    path.write_text(re.sub(r"readme_papers: \d+", "readme_papers: 3", path.read_text(encoding="utf-8")), encoding="utf-8")


def drop_front_record(project: Path) -> None:
    path = project / "articles" / "data" / "rendered.json"
    recorded = json.loads(path.read_text(encoding="utf-8"))
    recorded["front"] = {"files": ["not", "a", "map"], "inputs": 1}
    path.write_text(json.dumps(recorded), encoding="utf-8")


def add_stray_month_page(project: Path) -> None:
    (project / "articles" / "2019-01.md").write_text("# A month without papers\n", encoding="utf-8")


def add_stray_domain_page(project: Path) -> None:
    (project / "articles" / "domains" / "jailbreak-2019-01.md").write_text("# Gone\n", encoding="utf-8")


def edit_newest_month_file(project: Path) -> None:  # a hand edit pushed without a re-render: the README lists it
    path = sorted((project / "articles" / "data").glob("20*.json"))[-1]
    records = json.loads(path.read_text(encoding="utf-8"))
    records["papers"][0]["title"] = "A Title Corrected by Hand"
    path.write_text(json.dumps(records, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def crlf_readme(project: Path) -> None:
    path = project / "README.md"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))


@pytest.mark.parametrize("change", [edit_archive_index, delete_feed, edit_config, drop_front_record, add_stray_month_page,
                                    add_stray_domain_page, edit_newest_month_file, crlf_readme])
def test_a_change_to_what_the_front_pages_are_rendered_from_or_to_one_of_them_renders_them(settled, front_renders,
                                                                                            change):
    assert "readme_papers: 20" in (settled / "config.yaml").read_text(encoding="utf-8")
    change(settled)
    today = datetime.now(UTC).strftime("%Y-%m-%d")  # a window with no paper: a hand edit of the data stays
    assert run_update(settled, "--since", today) == 0
    assert front_renders == [settled]
    stale = {path.relative_to(settled).as_posix() for path in update.stale_outputs(settled)}
    if change is edit_newest_month_file:  # a run that fetches trusts the month pages of months it did not change
        month = sorted((settled / "articles" / "data").glob("20*.json"))[-1].stem
        stale = {name for name in stale if month not in name and name != "articles/data/rendered.json"}
    assert stale == set()  # every front page as a full render writes it, the record too
    readme = (settled / "README.md").read_text(encoding="utf-8")
    assert len(re.findall(r"^- ", readme, re.MULTILINE)) == (3 if change is edit_config else 20)
    assert ("A Title Corrected by Hand" in readme) == (change is edit_newest_month_file)
    assert b"\r" not in (settled / "README.md").read_bytes()
    assert not (settled / "articles" / "2019-01.md").exists()
    assert not (settled / "articles" / "domains" / "jailbreak-2019-01.md").exists()
    before, front_renders[:] = snapshot(settled), []
    assert run_update(settled, "--since", today) == 0  # and then nothing again
    assert front_renders == [] and snapshot(settled) == before


def test_a_persons_text_in_readme_needs_no_render_and_leaves_the_record_true(settled, front_renders):
    edit_readme_text(settled)  # as a pull request would, without running the update
    assert update.stale_outputs(settled) == []  # what validate checks: nothing to re-render, rendered.json included
    front_renders[:] = []
    assert run_update(settled, "--since", "2025-01-01") == 0
    assert front_renders == []
    assert "An introduction, rewritten." in (settled / "README.md").read_text(encoding="utf-8")


def test_a_template_change_renders_the_front_pages(settled, front_renders, change_renderer, tmp_path):
    change_renderer("templates", edited_templates(tmp_path / "templates"))
    assert run_update(settled, "--since", "2025-01-01") == 0
    assert front_renders == [settled]


def test_a_new_paper_renders_the_front_pages(settled, fake_arxiv, front_renders):
    fake_arxiv.papers += make_papers(1, start="2025-03-20T00:00:00Z", first_number=900)
    assert run_update(settled, "--since", "2025-01-01") == 0
    assert front_renders == [settled]
    assert fake_arxiv.papers[-1].title in (settled / "README.md").read_text(encoding="utf-8")


# ---------------------------------------------------------------- the repository's own front pages


@pytest.fixture
def repository(fake_arxiv, tmp_path) -> Path:
    """A copy of this repository's list (README with its blocks, config, collections, templates, data), settled."""
    project = tmp_path / "list"
    for name in ("articles", "assets", "collection", "templates"):
        shutil.copytree(REPO / name, project / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("README.md", "config.yaml"):
        shutil.copy2(REPO / name, project / name)
    fake_arxiv.papers = []
    assert run_update(project) == 0
    return project


class Clock(datetime):
    """datetime whose now() is the moment in `at`."""

    at = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

    @classmethod
    def now(cls, tz=None):
        return cls.at if tz else cls.at.replace(tzinfo=None)


def test_an_edited_collection_renders_the_curated_pages_and_leaves_the_record_alone(repository, front_renders):
    """A pull request editing a collection re-renders its pages, README's blocks among them, and nothing else: the
    record in rendered.json that the daily runs rewrite stays as it is, so the two never conflict."""
    recorded = (repository / "articles" / "data" / "rendered.json").read_bytes()
    path = repository / "collection" / "tools.yaml"
    text = path.read_text(encoding="utf-8")
    name = re.search(r"^- name: (.+)$", text, re.MULTILINE)[1]
    path.write_text(text.replace(f"- name: {name}\n", f"- name: {name} Renamed\n", 1), encoding="utf-8")
    assert run_update(repository, "--no-fetch") == 0
    assert front_renders == []  # the pages made from the papers are left alone
    assert f"{name} Renamed" in (repository / "collection" / "tools.md").read_text(encoding="utf-8")
    assert f"{name} Renamed" in (repository / "README.md").read_text(encoding="utf-8")
    assert (repository / "articles" / "data" / "rendered.json").read_bytes() == recorded
    assert update.stale_outputs(repository) == []


def test_a_new_readme_heading_renders_the_contents_block(repository):
    path = repository / "README.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n## A Section Added by Hand\n\nIts text.\n", encoding="utf-8")
    assert run_update(repository) == 0
    assert "[A Section Added by Hand](#a-section-added-by-hand)" in path.read_text(encoding="utf-8")
    assert update.stale_outputs(repository) == []


def test_the_next_days_check_renders_the_readme_that_shows_it_and_a_second_run_that_day_renders_nothing(
        repository, front_renders, monkeypatch):
    monkeypatch.setattr(update, "datetime", Clock)
    for day, renders in ((10, 1), (10, 1), (11, 2)):
        monkeypatch.setattr(Clock, "at", datetime(2026, 12, day, 15, 47, tzinfo=UTC))
        assert run_update(repository) == 0
        assert len(front_renders) == renders, day
        assert f"on 2026-12-{day} (UTC)" in (repository / "README.md").read_text(encoding="utf-8")
