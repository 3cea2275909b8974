"""The renderer's identity: every source under scripts/ and templates/ and the libraries that shape the output."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scripts.store import freshness

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the renderer's folders."""
    for folder in freshness.RENDERER_FOLDERS:
        shutil.copytree(REPO / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


@pytest.mark.parametrize("name", ["scripts/paper.py", "scripts/store/archive.py", "scripts/config.py",
                                  "templates/month.md.j2", "templates/collection/_domains.md.j2"])
def test_a_change_to_any_source_changes_the_digest(tree: Path, name: str):
    before = freshness.source_digest(tree)
    path = tree / name
    path.write_bytes(path.read_bytes() + b"\n# changed\n")
    assert freshness.source_digest(tree) != before


def test_a_new_module_changes_the_digest_and_caches_do_not(tree: Path):
    before = freshness.source_digest(tree)
    (tree / "scripts" / "__pycache__").mkdir(exist_ok=True)
    (tree / "scripts" / "__pycache__" / "paper.cpython-311.pyc").write_bytes(b"\0compiled")
    (tree / "scripts" / ".paper.py.swp").write_bytes(b"swap")
    assert freshness.source_digest(tree) == before
    (tree / "scripts" / "render" / "extra.py").write_text("X = 1\n", encoding="utf-8")
    assert freshness.source_digest(tree) != before


def test_line_endings_do_not_change_the_digest(tree: Path):
    before = freshness.source_digest(tree)
    for path in freshness.renderer_files(tree):
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert freshness.source_digest(tree) == before
    assert freshness.month_digest(b'{\r\n  "papers": []\r\n}\r\n') == freshness.month_digest(b'{\n  "papers": []\n}\n')


def test_library_versions_are_part_of_the_digest(tree: Path, monkeypatch):
    before = freshness.source_digest(tree)
    assert any(line.startswith("jinja2 3.") for line in freshness.library_versions())
    real = freshness.metadata.version
    monkeypatch.setattr(freshness.metadata, "version", lambda name: "9.9" if name == "jinja2" else real(name))
    assert freshness.source_digest(tree) != before


def test_the_digest_covers_every_module_the_pages_import():
    names = {path.relative_to(REPO).as_posix() for path in freshness.renderer_files(REPO)}
    assert {"scripts/paper.py", "scripts/store/archive.py", "scripts/render/listing.py"} <= names
    assert "templates/month.md.j2" in names
    assert not [name for name in names if "__pycache__" in name]


@pytest.mark.parametrize("name", ["templates/month.md.j2", "templates/site/index.html.j2", "scripts/render/listing.py"])
def test_the_code_digest_leaves_the_templates_out(tree: Path, name: str):
    code, templates = freshness.source_digest(tree, freshness.CODE_FOLDERS), \
        freshness.source_digest(tree, freshness.TEMPLATE_FOLDERS, libraries=False)
    path = tree / name
    path.write_bytes(path.read_bytes() + b"\n# changed\n")
    in_code = name.startswith("scripts/")
    assert (freshness.source_digest(tree, freshness.CODE_FOLDERS) != code) is in_code
    assert (freshness.source_digest(tree, freshness.TEMPLATE_FOLDERS, libraries=False) != templates) is not in_code
