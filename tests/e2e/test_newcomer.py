"""What a newcomer and a reader see: the README's instructions, the last check date, and clear log words."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import yaml

from scripts import update
from scripts.render.markers import find_block
from tests.conftest import README, REPO, make_project, snapshot
from tests.fake_arxiv import make_papers

BLOCK = "<!-- LAST_CHECKED_START -->\n<!-- LAST_CHECKED_END -->\n\n"
CHECKED_README = README.replace("## Latest Papers\n\n", "## Latest Papers\n\n" + BLOCK)


def section(text: str, heading: str) -> str:
    """Return one ## section of a Markdown text."""
    return text.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]


def test_run_it_yourself_starts_with_a_venv_and_runs_every_test_it_can():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    instructions = section(readme, "Run It Yourself")
    venv = "python3 -m venv .venv && . .venv/bin/activate && python -m pip install -r requirements-dev.txt"
    assert venv in instructions
    assert "python -m pytest -q -rs" in instructions and "npm ci" in instructions and ".ci/lock" in instructions
    ci_run = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "python -m pytest -q -rs" in ci_run and "npm ci" in ci_run and "--require-hashes" in ci_run
    assert not re.search(r"pytest -q(?! -rs)", ci_run)  # -q alone hides why tests were skipped


def test_the_readme_shows_the_workflow_badge_and_the_last_check():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    repository = yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))["list"]["repository_url"]
    workflow = f"{repository}/actions/workflows/update.yml"
    badge = f"[![Update]({workflow}/badge.svg)]({workflow})"
    assert readme.split("\n", 1)[0].endswith(badge)
    begin, end = find_block(readme, "LAST_CHECKED", "README.md")
    latest = section(readme, "Latest Papers")
    assert latest.index("LAST_CHECKED_START") < latest.index("LATEST_PAPERS")
    note = readme[begin:end].strip()
    assert note == "The list has not checked arXiv yet." or note.startswith("Last checked arXiv for new papers on ")


def test_a_fetching_run_records_the_day_it_checked_and_reruns_change_nothing(fake_arxiv, tmp_path):
    project = make_project(tmp_path / "project")
    (project / "README.md").write_text(CHECKED_README, encoding="utf-8")
    fake_arxiv.papers = make_papers(5)
    assert update.main(["--root", str(project), "--since", "2025-01-01"]) == 0
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    readme = (project / "README.md").read_text(encoding="utf-8")
    note = f"Last checked arXiv for new papers on {today} (UTC)."
    assert f"<!-- LAST_CHECKED_START -->\n{note}\n<!-- LAST_CHECKED_END -->" in readme
    before = snapshot(project)
    assert update.main(["--root", str(project), "--no-fetch"]) == 0
    assert snapshot(project) == before
    assert update.main(["--root", str(project)]) == 0  # nothing new the same day: not a byte changes
    assert snapshot(project) == before


def test_a_project_without_the_block_renders_as_before(fake_arxiv, project):
    fake_arxiv.papers = make_papers(2)
    assert update.main(["--root", str(project), "--since", "2025-01-01"]) == 0
    assert "LAST_CHECKED" not in (project / "README.md").read_text(encoding="utf-8")


def test_the_log_says_not_yet_archived_per_page_and_new_only_in_the_summary(fake_arxiv, project, caplog):
    fake_arxiv.papers = make_papers(3)
    with caplog.at_level("INFO"):
        assert update.main(["--root", str(project), "--since", "2025-01-01"]) == 0
    lines = caplog.text.splitlines()
    assert any(line.endswith("page 1: 3 results, 3 not yet archived") for line in lines)
    assert sum(" new " in f" {line} " for line in lines) == 1  # the closing summary alone says "new"
