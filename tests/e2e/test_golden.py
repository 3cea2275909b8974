"""Golden tests: copy a before/ tree, re-render it, and compare every file with after/.

Set UPDATE_GOLDEN=1 to rewrite after/ from the current output, then review the diff in git.
"""

from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

import pytest

from scripts import update
from tests.conftest import snapshot as tree_snapshot

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
CASES = sorted(path.name for path in GOLDEN.iterdir() if (path / "before").is_dir())


def snapshot(root: Path) -> dict[str, bytes]:
    """Return the tree without articles/data/rendered.json, whose digests change with the renderer's source."""
    return {name: data for name, data in tree_snapshot(root).items() if name != "articles/data/rendered.json"}


def diff(expected: dict[str, bytes], actual: dict[str, bytes]) -> str:
    """Return a readable unified diff of two file trees."""
    lines = []
    for name in sorted(set(expected) | set(actual)):
        old = expected.get(name, b"").decode("utf-8", "replace").splitlines(keepends=True)
        new = actual.get(name, b"").decode("utf-8", "replace").splitlines(keepends=True)
        lines += difflib.unified_diff(old, new, f"after/{name}", f"output/{name}")
    return "".join(lines)


@pytest.mark.parametrize("case", CASES)
def test_rendered_tree_matches_golden(case, tmp_path, monkeypatch):
    monkeypatch.delenv("ARXIV_API_URL", raising=False)
    work = tmp_path / case
    shutil.copytree(GOLDEN / case / "before", work)
    assert update.main(["--root", str(work), "--no-fetch"]) == 0
    actual = snapshot(work)
    expected_dir = GOLDEN / case / "after"
    if os.environ.get("UPDATE_GOLDEN"):
        shutil.rmtree(expected_dir, ignore_errors=True)
        shutil.copytree(work, expected_dir, ignore=shutil.ignore_patterns(".update.lock", "rendered.json"))
    expected = snapshot(expected_dir)
    assert actual == expected, diff(expected, actual)


@pytest.mark.parametrize("case", CASES)
def test_golden_output_is_stable(case, tmp_path):
    work = tmp_path / case
    shutil.copytree(GOLDEN / case / "after", work)
    before = snapshot(work)
    assert update.main(["--root", str(work), "--no-fetch"]) == 0
    assert snapshot(work) == before
