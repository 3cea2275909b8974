"""A fresh clone settles: `update --no-fetch` and `validate` on a real `git clone` of this tree change nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.test_publish import GIT_ENV

REPO = Path(__file__).resolve().parents[2]


def git(cwd: Path, *args: str) -> str:
    """Run git with a fixed identity and no user configuration; return stdout."""
    env = {**os.environ, **GIT_ENV}
    result = subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True)
    return result.stdout


def tree_files() -> list[str]:
    """Return the files of this checkout as they are now (tracked and new, not ignored, not deleted)."""
    if not (REPO / ".git").exists():
        pytest.skip("not a git checkout: there is no tree to clone")
    listed = git(REPO, "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    return sorted({name for name in listed if name and (REPO / name).is_file()})


@pytest.fixture
def origin(tmp_path: Path) -> Path:
    """A repository holding one commit of this checkout's current files."""
    origin = tmp_path / "origin"
    for name in tree_files():
        (origin / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, origin / name)
    git(origin, "init", "--quiet", "--initial-branch=main")
    git(origin, "add", "--all")
    git(origin, "commit", "--quiet", "-m", "snapshot")
    return origin


def run(clone: Path, *command: str) -> subprocess.CompletedProcess:
    """Run a scripts command inside the clone, with the clone's own code."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    return subprocess.run([sys.executable, "-m", *command], cwd=clone, env=env, capture_output=True, text=True,
                          check=False)


@pytest.mark.parametrize("autocrlf", ["false", "true"])
def test_a_fresh_clone_renders_to_itself(origin: Path, tmp_path: Path, autocrlf: str):
    clone = tmp_path / "clone"
    git(tmp_path, "-c", f"core.autocrlf={autocrlf}", "clone", "--quiet", str(origin), str(clone))
    git(clone, "config", "core.autocrlf", autocrlf)
    update = run(clone, "scripts.update", "--no-fetch")
    assert update.returncode == 0, update.stderr
    assert "wrote 0 files" in update.stderr and "renderer or its templates changed" not in update.stderr
    assert git(clone, "status", "--porcelain", "--untracked-files=all") == ""
    validate = run(clone, "scripts.validate")
    assert validate.returncode == 0, validate.stderr


def test_validate_finds_a_stale_month_page_and_a_renderer_change(fake_arxiv, tmp_path, monkeypatch):
    from scripts import update
    from scripts.store import freshness
    from tests.conftest import make_project
    from tests.fake_arxiv import make_papers
    project = make_project(tmp_path / "project")
    fake_arxiv.papers = make_papers(120)
    assert update.main(["--root", str(project), "--since", "2025-01-01"]) == 0
    assert update.stale_outputs(project) == []
    page = project / "articles" / "2025-03.md"
    page.write_text(page.read_text(encoding="utf-8") + "A line added by hand.\n", encoding="utf-8")
    assert update.stale_outputs(project) == [page]  # a hand edit (or a page an older renderer wrote) is caught
    page.unlink()
    assert update.main(["--root", str(project), "--no-fetch"]) == 0
    monkeypatch.setattr(freshness, "renderer_digest", lambda taxonomy=(): "any change under scripts/ or templates/")
    stale = {path.relative_to(project).as_posix() for path in update.stale_outputs(project)}
    assert stale == {"articles/data/rendered.json"}  # same pages, but the record of what rendered them is stale
