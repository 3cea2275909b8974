"""scripts/publish.py against real git: a local bare repository and two clones of it."""

from __future__ import annotations

import base64
import json
import os
import subprocess
from pathlib import Path

import pytest

from scripts import update
from scripts.errors import ListError
from scripts.publish import (
    Git,
    Publisher,
    PublishError,
    auth_env,
    commit_message,
    is_generated,
    main,
    merge_env,
    update_merge,
)
from tests.conftest import make_project
from tests.fake_arxiv import make_papers

ROOT = Path(__file__).resolve().parents[2]
MONTH = "articles/data/2025-05.json"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test Bot",
    "GIT_AUTHOR_EMAIL": "bot@example.invalid",
    "GIT_COMMITTER_NAME": "Test Bot",
    "GIT_COMMITTER_EMAIL": "bot@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


def git(cwd: Path, *args: str) -> str:
    """Run git in cwd with a fixed identity and no user configuration; return stdout."""
    env = {**os.environ, **GIT_ENV}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout.strip()


def write_month(clone: Path, ids: list[str]) -> None:
    """Write a tiny month file holding the given paper IDs and a README listing them."""
    papers = [{"id": paper_id, "title": f"Paper {paper_id}"} for paper_id in sorted(ids)]
    path = clone / MONTH
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"papers": papers, "schema": 1}, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    (clone / "README.md").write_text("# List\n\n" + "".join(f"- {paper_id}\n" for paper_id in sorted(ids)), encoding="utf-8")


def read_ids(data_dir: Path) -> set[str]:
    """Return the paper IDs in every month file of an archive folder."""
    return {paper["id"] for path in data_dir.glob("[0-9]*.json") for paper in json.loads(path.read_text(encoding="utf-8"))["papers"]}


def union_merge(clone: Path):
    """A stand-in for `scripts.update --merge-archive`: union the saved archive's IDs into the checkout's."""

    def merge(saved: Path) -> None:
        write_month(clone, sorted(read_ids(clone / "articles" / "data") | read_ids(saved)))

    return merge


def remote_ids(remote: Path) -> set[str]:
    """Return the paper IDs in the month file at the tip of the bare repository's main branch."""
    text = git(remote, "show", f"main:{MONTH}")
    return {paper["id"] for paper in json.loads(text)["papers"]}


@pytest.fixture
def repos(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A bare 'origin' seeded with one paper, and two clones of it (the workflow run and a concurrent pusher)."""
    remote, seed = tmp_path / "origin.git", tmp_path / "seed"
    git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=main", str(remote))
    git(tmp_path, "init", "--quiet", "--initial-branch=main", str(seed))
    write_month(seed, ["2505.00001"])
    (seed / "config.yaml").write_text("list: {}\n", encoding="utf-8")
    git(seed, "add", "--all")
    git(seed, "commit", "--quiet", "-m", "Seed")
    git(seed, "push", "--quiet", str(remote), "main")
    clones = []
    for name in ("run", "other"):
        git(tmp_path, "clone", "--quiet", str(remote), name)
        clones.append(tmp_path / name)
    return remote, clones[0], clones[1]


def publisher(clone: Path, merge=None, retries: int = 3) -> Publisher:
    """A Publisher for a test clone, with the test identity and a silent log."""
    return Publisher(Git(clone, {**os.environ, **GIT_ENV}), "origin", "main", merge or union_merge(clone), retries, log=lambda _: None)


def commit_and_push(clone: Path, ids: list[str], message: str) -> str:
    """Change the archive in a clone, commit and push it; return the new commit."""
    git(clone, "pull", "--quiet", "--ff-only")
    write_month(clone, ids)
    git(clone, "commit", "--quiet", "--all", "-m", message)
    git(clone, "push", "--quiet", "origin", "main")
    return git(clone, "rev-parse", "HEAD")


def test_commit_message_counts_new_and_updated_papers():
    assert commit_message(12, 3) == "Add 12 new papers (3 updated)"
    assert commit_message(1, 0) == "Add 1 new paper"
    assert commit_message(0, 1) == "Update 1 paper"
    assert commit_message(0, 0) == "Refresh the generated pages"


@pytest.mark.parametrize(
    "path, expected",
    [
        ("README.md", True),
        ("articles/data/2025-05.json", True),
        ("articles/2025/05.md", True),
        ("collection/benchmarks.md", True),
        ("assets/img/papers-per-month.svg", True),
        ("collection/benchmarks.yaml", False),
        ("collection/sub/page.md", False),
        ("articles", False),
        ("config.yaml", False),
        ("docs/README.md", False),
        ("assets/img/logo.png", False),
        ("scripts/update.py", False),
        ("articles/data/.update.lock", False),
        ("articles/.README.md.1234.tmp", False),
    ],
)
def test_only_generated_paths_are_committed(path, expected):
    assert is_generated(path) is expected


def test_auth_env_sends_the_token_as_checkout_does_and_keeps_existing_git_config():
    env = auth_env({"GITHUB_TOKEN": "t0ken", "GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "core.quotepath", "GIT_CONFIG_VALUE_0": "off"})
    assert env["GIT_CONFIG_COUNT"] == "2"
    assert env["GIT_CONFIG_KEY_0"] == "core.quotepath"
    assert env["GIT_CONFIG_KEY_1"] == "http.https://github.com/.extraheader"
    assert env["GIT_CONFIG_VALUE_1"] == "AUTHORIZATION: basic " + base64.b64encode(b"x-access-token:t0ken").decode()
    assert auth_env({"PATH": "/bin"}) == {"PATH": "/bin"}


def test_merge_env_hides_the_token_and_step_files_from_the_update_command():
    env = merge_env(auth_env({"GITHUB_TOKEN": "t0ken", "GITHUB_OUTPUT": "/o", "GITHUB_STEP_SUMMARY": "/s", "PATH": "/bin"}))
    assert env == {"PATH": "/bin"}


def test_nothing_changed_makes_no_commit(repos):
    remote, run, _ = repos
    before = git(remote, "rev-parse", "main")
    (run / "notes.txt").write_text("scratch file a person left behind\n", encoding="utf-8")
    (run / "config.yaml").write_text("list: {readme_papers: 5}\n", encoding="utf-8")
    assert publisher(run).publish(commit_message(0, 0)) is None
    assert git(run, "rev-parse", "HEAD") == before
    assert git(remote, "rev-parse", "main") == before


def test_a_change_is_committed_once_and_pushed(repos):
    remote, run, _ = repos
    before = git(remote, "rev-parse", "main")
    write_month(run, ["2505.00001", "2505.00002", "2505.00003"])
    (run / "notes.txt").write_text("not generated, so not committed\n", encoding="utf-8")
    pushed = publisher(run).publish(commit_message(2, 1))
    assert pushed == git(remote, "rev-parse", "main")
    assert git(remote, "rev-list", "--count", f"{before}..main") == "1"
    assert git(remote, "log", "-1", "--format=%s", "main") == "Add 2 new papers (1 updated)"
    assert git(remote, "show", "--name-only", "--format=", "main").split() == ["README.md", MONTH]
    assert remote_ids(remote) == {"2505.00001", "2505.00002", "2505.00003"}


def test_new_and_deleted_generated_files_are_committed(repos):
    remote, run, _ = repos
    (run / "articles" / "2025-05.md").write_text("# May 2025\n", encoding="utf-8")
    (run / "README.md").unlink()
    assert publisher(run).publish("Refresh the generated pages")
    files = git(remote, "ls-tree", "-r", "--name-only", "main").split()
    assert "articles/2025-05.md" in files and "README.md" not in files


def test_a_concurrent_push_is_merged_and_both_sides_papers_are_kept(repos):
    remote, run, other = repos
    write_month(run, ["2505.00001", "2505.00002"])
    theirs = commit_and_push(other, ["2505.00001", "2505.00099"], "Add 1 new paper")
    pushed = publisher(run).publish(commit_message(1, 0))
    assert pushed == git(remote, "rev-parse", "main")
    assert remote_ids(remote) == {"2505.00001", "2505.00002", "2505.00099"}
    assert git(remote, "rev-parse", "main^") == theirs
    assert git(remote, "log", "-1", "--format=%s", "main") == "Add 1 new paper"
    assert "2505.00099" in git(remote, "show", "main:README.md")


def test_nothing_is_pushed_when_the_other_push_already_holds_every_paper(repos):
    remote, run, other = repos
    write_month(run, ["2505.00001", "2505.00002"])
    theirs = commit_and_push(other, ["2505.00001", "2505.00002"], "A person added the same paper by hand")
    assert publisher(run).publish(commit_message(1, 0)) is None
    assert git(remote, "rev-parse", "main") == theirs


def test_gives_up_after_losing_the_race_on_every_retry(repos):
    remote, run, other = repos
    write_month(run, ["2505.00001", "2505.00002"])
    commit_and_push(other, ["2505.00001", "2505.00100"], "Race 0")
    merges = []

    def merge_while_others_keep_pushing(saved: Path) -> None:
        merges.append(saved)
        union_merge(run)(saved)
        commit_and_push(other, ["2505.00001", f"2505.{101 + len(merges):05d}"], f"Race {len(merges)}")

    with pytest.raises(PublishError, match="lost the race to other commits 3 times"):
        publisher(run, merge_while_others_keep_pushing, retries=2).publish("Add 1 new paper")
    assert len(merges) == 2
    assert "2505.00002" not in remote_ids(remote)


def test_a_push_refused_for_another_reason_is_an_error_not_a_retry(repos):
    remote, run, _ = repos
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'permission denied to github-actions[bot]' >&2\nexit 1\n", encoding="utf-8")
    hook.chmod(0o755)
    write_month(run, ["2505.00001", "2505.00002"])

    def merge_must_not_run(saved: Path) -> None:
        raise AssertionError("a refused push must not be retried")

    with pytest.raises(PublishError, match="Workflow permissions"):
        publisher(run, merge_must_not_run).publish("Add 1 new paper")
    assert remote_ids(remote) == {"2505.00001"}


def test_a_failing_merge_publishes_nothing(repos):
    remote, run, other = repos
    write_month(run, ["2505.00001", "2505.00002"])
    theirs = commit_and_push(other, ["2505.00001", "2505.00099"], "Add 1 new paper")

    def broken_merge(saved: Path) -> None:
        raise ListError(f"{saved}: corrupt month file")

    with pytest.raises(ListError, match="corrupt month file"):
        publisher(run, broken_merge).publish("Add 1 new paper")
    assert git(remote, "rev-parse", "main") == theirs


def test_main_commits_pushes_and_writes_the_job_summary(repos, tmp_path):
    remote, run, _ = repos
    write_month(run, ["2505.00001", "2505.00002"])
    summary = tmp_path / "summary.md"
    environ = {**os.environ, **GIT_ENV, "GITHUB_STEP_SUMMARY": str(summary)}
    status = main(["--root", str(run), "--new", "1", "--updated", ""], environ=environ, merge=union_merge(run))
    assert status == 0
    assert git(remote, "log", "-1", "--format=%s", "main") == "Add 1 new paper"
    assert f"Pushed `{git(remote, 'rev-parse', 'main')[:12]}` to `main`: Add 1 new paper" in summary.read_text(encoding="utf-8")


def test_main_reports_a_failure_with_a_non_zero_status(repos, tmp_path, capsys):
    _, run, _ = repos
    git(run, "checkout", "--quiet", "--detach")
    write_month(run, ["2505.00001", "2505.00002"])
    summary = tmp_path / "summary.md"
    status = main(["--root", str(run)], environ={**os.environ, **GIT_ENV, "GITHUB_STEP_SUMMARY": str(summary)})
    assert status == 1
    assert "HEAD is detached; check out a branch or pass --branch NAME" in capsys.readouterr().err
    assert summary.read_text(encoding="utf-8").startswith("**Publish failed:**")


def test_main_rejects_a_negative_count(capsys):
    with pytest.raises(SystemExit):
        main(["--new", "-1"])
    assert "cannot be negative" in capsys.readouterr().err


def test_a_lost_race_is_merged_by_the_real_update_command(tmp_path, fake_arxiv):
    seed_papers, (theirs, ours) = make_papers(3), make_papers(2, start="2025-04-01T00:00:00Z")
    remote, seed = tmp_path / "origin.git", make_project(tmp_path / "seed")
    (seed / ".gitignore").write_text((ROOT / ".gitignore").read_text(encoding="utf-8"), encoding="utf-8")
    fake_arxiv.papers = seed_papers
    assert update.main(["--root", str(seed), "--since", "2025-01-01"]) == 0
    git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=main", str(remote))
    git(seed, "init", "--quiet", "--initial-branch=main")
    git(seed, "add", "--all")
    git(seed, "commit", "--quiet", "-m", "Seed")
    git(seed, "push", "--quiet", str(remote), "main")
    run, other = tmp_path / "run", tmp_path / "other"
    for clone in (run, other):
        git(tmp_path, "clone", "--quiet", str(remote), clone.name)
    fake_arxiv.papers = [*seed_papers, ours]
    assert update.main(["--root", str(run), "--since", "2025-01-01"]) == 0
    fake_arxiv.papers = [*seed_papers, theirs]
    assert update.main(["--root", str(other), "--since", "2025-01-01"]) == 0
    git(other, "add", "--all")
    git(other, "commit", "--quiet", "-m", "Add 1 new paper")
    git(other, "push", "--quiet", "origin", "main")
    # The clone holds no scripts/: the subprocess finds this project's through PYTHONPATH.
    merge = update_merge(run, {**os.environ, "PYTHONPATH": str(ROOT)})
    assert publisher(run, merge).publish(commit_message(1, 0))
    tip = tmp_path / "tip"
    git(tmp_path, "clone", "--quiet", str(remote), tip.name)
    assert read_ids(tip / "articles" / "data") == {paper.id for paper in [*seed_papers, theirs, ours]}
    assert len({paper.id for paper in [*seed_papers, theirs, ours]}) == 5
    readme = (tip / "README.md").read_text(encoding="utf-8")
    assert f"https://arxiv.org/abs/{ours.id}v1)" in readme and f"https://arxiv.org/abs/{theirs.id}v1)" in readme
    assert git(remote, "log", "--format=%s", "main").splitlines() == ["Add 1 new paper", "Add 1 new paper", "Seed"]
    assert ".update.lock" not in git(remote, "ls-tree", "-r", "--name-only", "main")


# ---------------------------------------------------------------- a lost race merged by intent


def seeded_clones(tmp_path: Path, fake_arxiv, papers) -> tuple[Path, Path, Path]:
    """A bare origin whose archive holds `papers` (from the fake arXiv), and two clones: the run and a maintainer."""
    remote, seed = tmp_path / "origin.git", make_project(tmp_path / "seed")
    (seed / ".gitignore").write_text((ROOT / ".gitignore").read_text(encoding="utf-8"), encoding="utf-8")
    fake_arxiv.papers = papers
    assert update.main(["--root", str(seed), "--since", "2025-01-01"]) == 0
    git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=main", str(remote))
    git(seed, "init", "--quiet", "--initial-branch=main")
    git(seed, "add", "--all")
    git(seed, "commit", "--quiet", "-m", "Seed")
    git(seed, "push", "--quiet", str(remote), "main")
    for name in ("run", "other"):
        git(tmp_path, "clone", "--quiet", str(remote), name)
    return remote, tmp_path / "run", tmp_path / "other"


def edit_records(data_dir: Path, change) -> None:
    """Let `change` edit (or drop, by returning None) every record of every month file, as a person would by hand."""
    for path in data_dir.glob("[0-9]*.json"):
        document = json.loads(path.read_text(encoding="utf-8"))
        document["papers"] = [record for record in map(change, document["papers"]) if record is not None]
        path.write_text(json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")


def archived(data_dir: Path) -> dict[str, dict]:
    """Return every archived record by ID."""
    return {record["id"]: record for path in data_dir.glob("[0-9]*.json")
            for record in json.loads(path.read_text(encoding="utf-8"))["papers"]}


def test_a_lost_race_keeps_an_exclude_a_hand_correction_and_a_deletion(tmp_path, fake_arxiv):
    from dataclasses import replace
    seed_papers, arrivals = make_papers(6), make_papers(2, start="2025-04-01T00:00:00Z", first_number=50)
    remote, run, other = seeded_clones(tmp_path, fake_arxiv, seed_papers)
    excluded, corrected, deleted, revised = (paper.id for paper in seed_papers[:4])
    # The run fetches two new papers and new versions of two archived ones (a maintainer corrects one meanwhile).
    fake_arxiv.papers = [replace(paper, version=2, summary="A revised abstract about jailbreak attacks on LLMs.")
                         if paper.id in (corrected, revised) else paper for paper in seed_papers] + arrivals
    assert update.main(["--root", str(run), "--since", "2025-01-01"]) == 0
    # Meanwhile a maintainer excludes a paper, corrects a title and deletes a record by hand, re-renders and pushes.
    (other / "collection").mkdir()
    (other / "collection" / "overrides.yaml").write_text(f'exclude:\n  - {{id: "{excluded}", reason: "off-topic"}}\n',
                                                          encoding="utf-8")
    edit_records(other / "articles" / "data", lambda record: None if record["id"] == deleted else
                 {**record, "title": "A Corrected Title"} if record["id"] == corrected else record)
    assert update.main(["--root", str(other), "--no-fetch"]) == 0
    git(other, "add", "--all")
    git(other, "commit", "--quiet", "-m", "Exclude one paper, correct a title, delete a record")
    git(other, "push", "--quiet", "origin", "main")
    # Edits the run's checkout holds that publish does not own survive the move to the new tip.
    (run / "notes.txt").write_text("a person's scratch file\n", encoding="utf-8")
    ignore = run / ".gitignore"
    ignore.write_text(ignore.read_text(encoding="utf-8") + "# a local edit\n", encoding="utf-8")
    merge = update_merge(run, {**os.environ, "PYTHONPATH": str(ROOT)})
    assert publisher(run, merge).publish(commit_message(2, 2))
    tip = tmp_path / "tip"
    git(tmp_path, "clone", "--quiet", str(remote), tip.name)
    records = archived(tip / "articles" / "data")
    assert excluded not in records and deleted not in records
    assert records[corrected]["title"] == "A Corrected Title" and records[corrected]["version"] == 2
    assert records[corrected]["summary"].startswith("A revised abstract") and records[revised]["version"] == 2
    assert {paper.id for paper in arrivals} <= set(records) and len(records) == 6
    readme = (tip / "README.md").read_text(encoding="utf-8")
    assert excluded not in readme and deleted not in readme and "A Corrected Title" in readme
    assert update.stale_outputs(tip) == []  # every page matches the merged archive
    assert (run / "notes.txt").exists() and ignore.read_text(encoding="utf-8").endswith("# a local edit\n")


def test_a_lost_race_never_overwrites_an_uncommitted_edit(repos):
    remote, run, other = repos
    (other / "config.yaml").write_text("list: {readme_papers: 3}\n", encoding="utf-8")
    git(other, "commit", "--quiet", "--all", "-m", "A maintainer retunes the list")
    theirs = commit_and_push(other, ["2505.00001", "2505.00099"], "Add 1 new paper")
    write_month(run, ["2505.00001", "2505.00002"])
    (run / "config.yaml").write_text("list: {readme_papers: 7}\n", encoding="utf-8")  # uncommitted, not generated

    def merge_must_not_run(saved: Path) -> None:
        raise AssertionError("the merge must not run over an uncommitted edit")

    with pytest.raises(PublishError, match=r"would overwrite uncommitted changes.*commit or stash them"):
        publisher(run, merge_must_not_run).publish("Add 1 new paper")
    assert (run / "config.yaml").read_text(encoding="utf-8") == "list: {readme_papers: 7}\n"
    assert git(remote, "rev-parse", "main") == theirs


def test_the_saved_contribution_holds_only_what_the_run_changed(repos):
    remote, run, other = repos
    write_month(run, ["2505.00001", "2505.00002"])
    commit_and_push(other, ["2505.00099"], "A person deleted 2505.00001 and added another")
    saved = []

    def merge(path: Path) -> None:
        saved.append((read_ids(path), read_ids(path.parent / "base")))
        union_merge(run)(path)

    publisher(run, merge).publish("x")
    assert saved == [({"2505.00002"}, set())]
    assert remote_ids(remote) == {"2505.00099", "2505.00002"}  # the deletion made meanwhile stays


# ---------------------------------------------------------------- isolation from third-party code


STDLIB_ONLY = """\
import sys
import scripts.publish
ours = sys.stdlib_module_names | {"scripts", "__main__"}
third_party = sorted(name for name in sys.modules if name.split(".")[0] not in ours)
print(third_party, [path for path in sys.path if "site-packages" in path])
"""


def test_publish_runs_on_the_standard_library_alone():
    import sys
    result = subprocess.run([sys.executable, "-E", "-s", "-S", "-c", STDLIB_ONLY], cwd=ROOT, capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[] []"
    usage = subprocess.run([sys.executable, "-E", "-s", "-S", "-m", "scripts.publish", "--help"], cwd=ROOT,
                           capture_output=True, text=True, check=False)
    assert usage.returncode == 0 and "--retries" in usage.stdout


def test_the_workflow_starts_publish_without_site_packages():
    workflow = (ROOT / ".github" / "workflows" / "update.yml").read_text(encoding="utf-8")
    assert "exec python -E -s -S -m scripts.publish" in workflow
    assert "never see it" not in workflow  # the old comment claimed the installed packages could not reach the token


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs Linux /proc")
def test_the_merge_cannot_read_the_token_from_the_publishing_process():
    import sys
    script = ("import ctypes, os, subprocess\nfrom scripts.publish import hide_environment\nhide_environment()\n"
              "print(ctypes.CDLL(None).prctl(3, 0, 0, 0, 0))\n"
              "print(subprocess.run(['cat', f'/proc/{os.getpid()}/environ'], capture_output=True).returncode != 0)\n")
    result = subprocess.run([sys.executable, "-E", "-s", "-S", "-c", script], cwd=ROOT, capture_output=True, text=True,
                            check=False)
    dumpable, unreadable = result.stdout.split()
    assert dumpable == "0"  # PR_GET_DUMPABLE: /proc/<pid>/environ now belongs to root
    assert unreadable == "True" or os.geteuid() == 0  # root reads it anyway; the workflow's runner user cannot
