"""File output at the edge: write only what changed; stage many files, then put all in place under the caller's journal.

Most files are staged in a temp file beside them, put in place by a rename: readers see the old or the new file, never
part of one. A caller may instead stage a generated page that the journal's repair renders again from the data (the
update: the pages of the months it changed, and pages framed anew) to be written over in place, when it is a plain
file (no link): its new content kept in memory, or only its new head and tail. Creating and replacing a file costs
ten times or more what rewriting it does on some disks (a thousand pages: over a second); a run killed while writing
such a page can leave it cut short, and the next run, finding the journal, renders it again.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import stat
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import NamedTuple

from ..errors import ListError


class Frame(NamedTuple):
    """A new head and tail for a file, around the bytes from start to end it holds now."""

    head: bytes
    tail: bytes
    start: int
    end: int


# A target file -> the temp file beside it that holds its new content, the new content itself or a new frame (to be
# written over the file in place), or None when the target is to be deleted.
Staged = dict[Path, Path | bytes | Frame | None]
# create_temp's names: "." + the name of a file the list writes + "." + 8 random hex digits + ".tmp" (hidden, and
# ignored by .gitignore); nothing else is ever swept.
TEMP_NAME = re.compile(r"^\..+\.(?:md|json|bib|xml|svg|yaml)\.[0-9a-f]{8}\.tmp$")


def read_text(path: Path) -> str | None:
    """Return a file's text, or None when it does not exist."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def read_bytes(path: Path) -> bytes | None:
    """Return a file's bytes, or None when it does not exist."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def encoded(path: Path, text: str) -> bytes:
    """Return text as UTF-8, or raise ListError naming the file if it cannot be (a lone surrogate, e.g. from a
    \\ud800 escape in JSON)."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ListError(f"{path}: cannot write U+{ord(error.object[error.start]):04X} (character {error.start}), which is not "
                        "valid Unicode; correct the record that holds it, then rerun") from None


def check_encodable(path: Path, text: str | None) -> None:
    """Raise ListError if text cannot be written as UTF-8."""
    encoded(path, text or "")


def write_temp(path: Path, data: bytes) -> Path:
    """Write data to a new hidden temp file in path's folder (created if need be); return the temp file's path."""
    try:
        temp, handle = create_temp(path)
    except OSError as error:
        raise write_error(path, error) from error
    try:
        write_all(handle, data)
        # No fsync: the rename alone keeps a killed process from leaving a partial file, which is the failure that
        # matters here; a power cut also loses the uncommitted checkout (on ext4, auto_da_alloc still flushes a file
        # replaced by rename).
    except BaseException as error:
        temp.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise write_error(path, error) from error
        raise
    finally:
        os.close(handle)
    return temp


def write_all(handle: int, data: bytes, offset: int | None = None) -> None:
    """Write all of data to an open file, at its position or at `offset`."""
    with memoryview(data) as view:
        written = 0
        while written < len(view):  # os.write may write less than asked
            rest = view[written:]
            written += os.write(handle, rest) if offset is None else os.pwrite(handle, rest, offset + written)


def overwrite(path: Path, data: bytes) -> None:
    """Write data over a file in place (creating it if it has gone), then cut the file to that length."""
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o644)
    try:
        write_all(handle, data)
        os.ftruncate(handle, len(data))
    finally:
        os.close(handle)


def reframe_file(path: Path, frame: Frame) -> None:
    """Write a new head and tail around the bytes from start to end a file holds, in place; those bytes are read and
    moved only when the head's length changed."""
    handle = os.open(path, os.O_RDWR | os.O_CLOEXEC | os.O_NOFOLLOW)
    try:
        length, moved = frame.end - frame.start, len(frame.head) != frame.start
        kept = os.pread(handle, length, frame.start) if moved else b""
        if os.fstat(handle).st_size < frame.end or (moved and len(kept) != length):
            raise OSError(errno.EIO, "the file is shorter than when it was read")
        write_all(handle, frame.head, 0)
        if kept:
            write_all(handle, kept, len(frame.head))
        write_all(handle, frame.tail, len(frame.head) + length)
        os.ftruncate(handle, len(frame.head) + length + len(frame.tail))
    finally:
        os.close(handle)


def plain_file(path: Path) -> bool:
    """Tell whether path is a regular file of one name (no symbolic or hard link): what may be written over in place."""
    try:
        status = os.lstat(path)
    except FileNotFoundError:
        return False
    return stat.S_ISREG(status.st_mode) and status.st_nlink == 1


def create_temp(path: Path) -> tuple[Path, int]:
    """Create a new hidden temp file beside path (and the folder, if missing): its path and an open descriptor."""
    for _ in range(100):
        temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")  # as TEMP_NAME matches
        try:
            return temp, os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
        except FileExistsError:
            continue
        except FileNotFoundError:
            path.parent.mkdir(parents=True, exist_ok=True)
    raise FileExistsError(errno.EEXIST, "no unused temp file name", str(path.parent))


def write_error(path: Path, error: OSError, doing: str = "write") -> ListError:
    """Return the error of a file that could not be written (or deleted)."""
    return ListError(f"{path}: could not {doing} ({error.strerror}); check free disk space and permissions, then rerun")


def put_in_place(target: Path, temp: Path | bytes | Frame | None) -> None:
    """Replace target by its staged temp file (readers see old or new, never partial), write its staged content or
    frame over it in place, or delete it for None."""
    if temp is None:
        target.unlink(missing_ok=True)
    elif isinstance(temp, Frame):
        reframe_file(target, temp)
    elif isinstance(temp, bytes):
        overwrite(target, temp)
    else:
        os.replace(temp, target)


def write_atomic(path: Path, text: str) -> None:
    """Write text to path via a temp file in the same folder and a rename, so readers see old or new, never partial."""
    with Staging() as staging:
        staging.add({path: write_temp(path, encoded(path, text))})
        staging.commit()


def stage_changed(outputs: Mapping[Path, str | bytes | None], write: bool = True,
                  on_disk: Mapping[Path, bytes] | None = None, in_place: bool = False) -> Staged:
    """Stage every output whose content differs from disk (`on_disk`: the bytes of files just read, not read again):
    its new text (or UTF-8 bytes) in a temp file beside it (with `in_place`, a plain file that exists keeps its new
    content in memory, to be written over it), or None for a file to delete; with `write` False, only list them (every
    value None). What was staged is removed on any error."""
    staged: Staged = {}
    known = on_disk or {}
    try:
        for path, text in outputs.items():
            if text is None:
                if path.exists():
                    staged[path] = None
                continue
            data = text if isinstance(text, bytes) else encoded(path, text)
            current = known[path] if path in known else read_bytes(path)
            if current != data:
                over = in_place and current is not None and plain_file(path)
                staged[path] = None if not write else data if over else write_temp(path, data)
    except BaseException:
        discard(staged)
        raise
    return staged


def discard(staged: Staged) -> None:
    """Remove the temp files of staged outputs."""
    for temp in staged.values():
        if isinstance(temp, Path):
            temp.unlink(missing_ok=True)


def remove_stale_temps(folders: set[Path]) -> list[Path]:
    """Remove the temp files a killed run left in these folders (call it holding the update lock: no run is writing);
    return those that could not be removed."""
    kept = []
    for folder in folders:
        for path in folder.glob(".*.tmp") if folder.is_dir() else ():
            if TEMP_NAME.match(path.name):
                try:
                    path.unlink(missing_ok=True)
                except OSError:
                    kept.append(path)
    return kept


class Staging:
    """New contents staged beside their files (or in memory), put in place together by commit(); when the block ends
    without a commit (an error anywhere), every staged temp file is removed and no file has changed."""

    def __init__(self, write: bool = True) -> None:
        self.write = write
        self.files: Staged = {}

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        discard(self.files)
        self.files = {}

    def add(self, staged: Staged, first: bool = False) -> None:
        """Take over outputs staged elsewhere (by a render worker), to be put in place after those staged so far (with
        `first`, before them); a target staged again keeps its newer content."""
        discard({path: self.files[path] for path in staged if path in self.files})
        self.files.update(staged)
        if first:
            self.files = {**staged, **self.files}

    def stage(self, outputs: Mapping[Path, str | bytes | None], first: bool = False, in_place: bool = False) -> None:
        """Stage every output that differs from disk (with `first`, to be put in place before those staged so far;
        `in_place`, see stage_changed); an output given again replaces what was staged for it, even when it now
        matches the disk."""
        discard({path: self.files.pop(path) for path in outputs if path in self.files})
        self.add(stage_changed(outputs, self.write, in_place=in_place), first)

    def commit(self) -> list[Path]:
        """Put every staged file in place, in the order staged; return their paths."""
        done: list[Path] = []
        for target, temp in self.files.items():
            try:
                put_in_place(target, temp)
            except OSError as error:
                raise write_error(target, error, "write" if temp is not None else "delete") from error
            done.append(target)
        self.files = {}
        return done


def write_changed(outputs: dict[Path, str | None]) -> list[Path]:
    """Write (or, for None, delete) every output whose content changed; return the paths touched, in order."""
    with Staging() as staging:
        staging.stage(outputs)
        return staging.commit()
