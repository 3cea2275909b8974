"""Staging many files beside their targets, then putting them in place together, or not at all."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scripts.errors import ListError
from scripts.store import files
from scripts.store.files import Staging, remove_stale_temps, stage_changed


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under folder, hidden ones included, by relative path."""
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "same.md").write_text("same\n")
    (tmp_path / "old.md").write_text("old\n")
    (tmp_path / "gone.md").write_text("gone\n")
    return tmp_path


def outputs(folder: Path) -> dict[Path, str | None]:
    return {folder / "same.md": "same\n", folder / "old.md": "new\n", folder / "sub" / "added.md": "added\n",
            folder / "gone.md": None, folder / "never.md": None}


def test_only_what_differs_is_staged_and_nothing_is_visible_before_the_commit(folder):
    before = tree(folder)
    staged = stage_changed(outputs(folder))
    assert sorted(path.name for path in staged) == ["added.md", "gone.md", "old.md"]
    assert staged[folder / "gone.md"] is None
    assert {name: content for name, content in tree(folder).items() if not Path(name).name.startswith(".")} == before
    files.discard(staged)
    assert tree(folder) == before


def test_a_listing_stage_writes_nothing(folder):
    before = tree(folder)
    staged = stage_changed(outputs(folder), write=False)
    assert sorted(path.name for path in staged) == ["added.md", "gone.md", "old.md"]
    assert set(staged.values()) == {None} and tree(folder) == before


def test_commit_puts_every_staged_file_in_place(folder):
    with Staging() as staging:
        staging.stage(outputs(folder))
        written = staging.commit()
    assert [path.name for path in written] == ["old.md", "added.md", "gone.md"]
    assert tree(folder) == {"same.md": b"same\n", "old.md": b"new\n", "sub/added.md": b"added\n"}


def test_an_error_before_the_commit_leaves_every_file_as_it_was(folder):
    before = tree(folder)
    with pytest.raises(ListError, match=r"cannot write U\+D800"), Staging() as staging:
        staging.stage(outputs(folder))
        staging.stage({folder / "bad.md": "a \ud800 title"})
    assert tree(folder) == before  # and no temp file is left


def test_staged_first_is_put_in_place_first(folder):
    with Staging() as staging:
        staging.stage({folder / "page.md": "page\n"})
        staging.stage({folder / "data.json": "{}\n"}, first=True)
        assert [path.name for path in staging.commit()] == ["data.json", "page.md"]


def test_a_target_staged_twice_keeps_its_newer_content_and_one_temp_file(folder):
    with Staging() as staging:
        staging.stage({folder / "old.md": "first\n"})
        staging.stage({folder / "old.md": "second\n"})
        assert len(list(folder.glob(".old.md.*.tmp"))) == 1
        staging.commit()
    assert (folder / "old.md").read_text() == "second\n"


@pytest.mark.parametrize(("staged", "error", "message"), [
    (outputs, OSError(28, "No space left on device"), r"old\.md: could not write \(No space left on device\)"),
    (lambda folder: {folder / "gone.md": None}, PermissionError(13, "Permission denied"),
     r"gone\.md: could not delete \(Permission denied\)"),
])
def test_a_file_that_cannot_be_put_in_place_is_named_with_what_failed(folder, monkeypatch, staged, error, message):
    def refused(target, temp):
        raise error

    monkeypatch.setattr(files, "put_in_place", refused)
    with pytest.raises(ListError, match=message), Staging() as staging:
        staging.stage(staged(folder))
        staging.commit()
    assert not list(folder.rglob(".*.tmp"))


def test_stale_temp_files_are_removed_and_nothing_else(folder):
    (folder / ".old.md.0f3a9c2e.tmp").write_text("half")
    people = [".notes.tmp", ".notes.draft_v2.tmp", ".old.md.draft_v2.tmp", ".plan.txt.0f3a9c2e.tmp"]
    for name in people:
        (folder / name).write_text("a person's file")
    assert remove_stale_temps({folder, folder / "missing"}) == []
    assert sorted(tree(folder)) == sorted([*people, "gone.md", "old.md", "same.md"])


def test_an_output_staged_again_as_it_is_on_disk_is_no_longer_staged(folder):
    with Staging() as staging:
        staging.stage({folder / "old.md": "a first render\n"})
        staging.stage({folder / "old.md": "old\n"})  # rendered again: now the same as the file
        assert staging.files == {} and not list(folder.glob(".*.tmp"))
        assert staging.commit() == []
    assert (folder / "old.md").read_text() == "old\n"


def test_a_temp_name_already_taken_is_never_overwritten(folder, monkeypatch):
    taken = folder / ".old.md.0000abcd.tmp"
    taken.write_text("someone else's\n")
    names = iter(["0000abcd", "0000abce"])
    monkeypatch.setattr(files.secrets, "token_hex", lambda size: next(names))
    temp = files.write_temp(folder / "old.md", b"new\n")
    assert temp.name == ".old.md.0000abce.tmp" and temp.read_bytes() == b"new\n"
    assert taken.read_text() == "someone else's\n"


def test_a_page_staged_in_place_is_written_over_its_file_and_a_new_one_goes_by_a_temp_file(folder):
    page = folder / "old.md"
    page.write_text("an older and longer page\n")
    inode = page.stat().st_ino
    staged = stage_changed({page: "new\n", folder / "added.md": "added\n", folder / "same.md": "same\n"}, in_place=True)
    assert staged[page] == b"new\n" and isinstance(staged[folder / "added.md"], Path)
    assert page.read_text() == "an older and longer page\n"  # nothing written before the commit
    with Staging() as staging:
        staging.add(staged)
        staging.commit()
    assert page.read_text() == "new\n" and page.stat().st_ino == inode  # the same file, cut to its new length
    assert tree(folder) == {"added.md": b"added\n", "gone.md": b"gone\n", "old.md": b"new\n", "same.md": b"same\n"}


@pytest.mark.parametrize(("head", "tail"), [
    (b"HEAD\n", b"\nnew tail, longer than the old one\n"),  # the head as long as before: the list stays where it is
    (b"HEAD\n", b""),
    (b"a longer head \xe2\x9c\x93\n", b"\nT\n"),  # the list moves right
    (b"h\n", b"\nthe tail\n"),  # the list moves left
    (b"", b""),
])
def test_a_frame_is_written_in_place_around_the_list_the_file_holds(folder, head, tail):
    page = folder / "page.md"
    listed = "".join(f"- paper {number} ✓\n" for number in range(2000)).encode()
    page.write_bytes(b"head\n" + listed + b"\nthe old tail\n")
    inode = page.stat().st_ino
    with Staging() as staging:
        staging.add({page: files.Frame(head, tail, 5, 5 + len(listed))})
        staging.commit()
    assert page.read_bytes() == head + listed + tail and page.stat().st_ino == inode


def test_a_frame_around_bytes_the_file_no_longer_holds_is_refused_and_named(folder):
    page = folder / "page.md"
    page.write_bytes(b"head\nlist\n")
    with pytest.raises(ListError, match=r"page\.md: could not write \(the file is shorter than when it was read\)"), \
            Staging() as staging:
        staging.add({page: files.Frame(b"HEAD\n", b"tail\n", 5, 40)})
        staging.commit()
    assert page.read_bytes() == b"head\nlist\n"


def test_a_page_that_is_a_link_is_replaced_by_a_file_never_written_through(folder):
    outside = folder / "outside.txt"
    outside.write_text("someone else's file\n")
    (folder / "page.md").symlink_to(outside)
    os.link(folder / "old.md", folder / "twin.md")  # a hard link: writing one name in place would change both
    staged = stage_changed({folder / "page.md": "page\n", folder / "old.md": "new\n"}, in_place=True)
    assert all(isinstance(temp, Path) for temp in staged.values())  # by temp file and rename, as any other file
    with Staging() as staging:
        staging.add(staged)
        staging.commit()
    assert outside.read_text() == "someone else's file\n" and not (folder / "page.md").is_symlink()
    assert (folder / "page.md").read_text() == "page\n" and (folder / "twin.md").read_text() == "old\n"
