"""One update at a time per checkout: an exclusive, non-blocking lock file."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import LockError


@contextmanager
def exclusive(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on path for the duration of the block; raise LockError if another process holds it."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        raise LockError(f"{path}: cannot open the lock file ({error.strerror}); remove it or fix its permissions, then rerun") from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockError(f"{path}: another update is running on this checkout; wait for it to finish, then rerun") from None
        yield
    finally:
        os.close(handle)
