"""GitHub Actions' run files: the one writer of the job summary and the step outputs."""

from __future__ import annotations

from collections.abc import Mapping

SUMMARY = "GITHUB_STEP_SUMMARY"
OUTPUT = "GITHUB_OUTPUT"


def append(environ: Mapping[str, str], variable: str, text: str) -> None:
    """Append text to the file GitHub Actions names in `variable`; do nothing outside Actions (variable unset)."""
    path = environ.get(variable)
    if path:
        with open(path, "a", encoding="utf-8") as stream:
            stream.write(text)
