"""Two updates on one checkout: one runs, the other stops at the lock with a clear message; nothing is corrupted."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from scripts import update
from scripts.store.lock import exclusive
from tests.conftest import REPO, snapshot, snapshot_but_watermark
from tests.e2e.test_faults import assert_complete
from tests.fake_arxiv import make_papers, slow

LOCK_WORDS = "another update is running on this checkout"


def start_update(project, *args: str) -> subprocess.Popen:
    """Start `python -m scripts.update` in its own process on a project tree."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, "-m", "scripts.update", *args], cwd=project, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_request(api, count: int, seconds: float = 10) -> None:
    """Wait until the fake API has received `count` requests."""
    deadline = time.monotonic() + seconds
    while len(api.requests) < count:
        assert time.monotonic() < deadline, "the update never reached arXiv"
        time.sleep(0.01)


def test_an_update_stops_at_a_held_lock_and_writes_nothing(fake_arxiv, project, capsys):
    fake_arxiv.papers = make_papers(5)
    before = snapshot(project)
    lock = project / "articles" / "data" / ".update.lock"
    with exclusive(lock):
        assert update.main(["--root", str(project), "--since", "2025-01-01"]) == 1
    error = capsys.readouterr().err.strip().splitlines()
    assert error == [f"error: {lock}: {LOCK_WORDS}; wait for it to finish, then rerun"]
    assert snapshot(project) == before and fake_arxiv.requests == []
    assert update.main(["--root", str(project), "--since", "2025-01-01"]) == 0  # released with the block
    assert_complete(project, fake_arxiv.papers)


def test_two_updates_started_at_once_one_runs_the_other_names_the_lock(fake_arxiv, project):
    fake_arxiv.papers = make_papers(30)
    fake_arxiv.faults = {number: slow(0.8) for number in range(1, 5)}  # the winner holds the lock while arXiv is slow
    first, second = start_update(project, "--since", "2025-01-01"), start_update(project, "--since", "2025-01-01")
    results = [(process.wait(timeout=30), process.stderr.read()) for process in (first, second)]
    for process in (first, second):
        process.stdout.close()
        process.stderr.close()
    assert sorted(status for status, _ in results) == [0, 1]
    loser = next(error for status, error in results if status == 1)
    assert loser.strip() == f"error: articles/data/.update.lock: {LOCK_WORDS}; wait for it to finish, then rerun"
    assert len(fake_arxiv.requests) == 1  # the loser never asked arXiv
    assert_complete(project, fake_arxiv.papers)
    fake_arxiv.faults = {}
    before = snapshot_but_watermark(project)
    assert update.main(["--root", str(project), "--since", "2025-01-01"]) == 0
    assert snapshot_but_watermark(project) == before


def test_the_lock_of_a_killed_update_does_not_block_the_next(fake_arxiv, project):
    fake_arxiv.papers = make_papers(30)
    fake_arxiv.faults = {1: slow(3)}
    before = snapshot(project)
    holder = start_update(project, "--since", "2025-01-01")
    wait_for_request(fake_arxiv, 1)
    holder.kill()  # SIGKILL while it holds the lock: no cleanup runs
    holder.communicate(timeout=10)
    assert snapshot(project) == before  # it died before writing
    assert (project / "articles" / "data" / ".update.lock").exists()
    assert update.main(["--root", str(project), "--since", "2025-01-01"]) == 0  # the kernel released the lock
    assert_complete(project, fake_arxiv.papers)


def test_a_lock_path_that_cannot_be_opened_is_a_clear_error(fake_arxiv, project, capsys):
    lock = project / "articles" / "data" / ".update.lock"
    lock.mkdir(parents=True)
    before = snapshot(project)
    assert update.main(["--root", str(project), "--since", "2025-01-01"]) == 1
    error = capsys.readouterr().err.strip().splitlines()
    assert error == [f"error: {lock}: cannot open the lock file (Is a directory); remove it or fix its permissions, then rerun"]
    assert snapshot(project) == before and fake_arxiv.requests == []
