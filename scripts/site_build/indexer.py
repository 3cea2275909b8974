"""Run the Pagefind binary (from the `pagefind[bin]` package) over a folder of HTML pages."""

from __future__ import annotations

import subprocess
from pathlib import Path

from ..errors import SiteError

INSTALL = "install it with `python -m pip install -r requirements.txt` (it ships in `pagefind[bin]`)"


def pagefind_binary() -> Path:
    """Return the Pagefind executable that pagefind_bin ships; raise SiteError when it is not installed."""
    try:
        from pagefind_bin import get_executable  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except ImportError:
        raise SiteError(f"the Pagefind binary is missing; {INSTALL}") from None
    return Path(get_executable())


def run_pagefind(pages: Path, bundle: Path, binary: Path | None = None) -> None:
    """Index the HTML pages under `pages` into the search bundle folder `bundle`; raise SiteError if Pagefind fails."""
    command = [str(binary or pagefind_binary()), "--site", str(pages), "--output-path", str(bundle),
               "--force-language", "en", "--quiet"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as error:
        raise SiteError(f"{command[0]}: cannot run Pagefind ({error.strerror}); {INSTALL}") from None
    if result.returncode != 0:
        output = (result.stderr or result.stdout).strip().splitlines()
        raise SiteError(f"Pagefind failed with exit {result.returncode} indexing {pages}: "
                        f"{output[-1] if output else 'no output'}")
