"""The Paper record: what the archive stores for one arXiv paper."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

# New-style IDs (0704.0001 on) and old-style IDs (hep-th/9901001), each with an optional version.
# https://info.arxiv.org/help/arxiv_identifier.html
# ASCII digits only: Python's \d matches fullwidth and Arabic-Indic digits, an ID no arXiv link resolves.
ARXIV_ID = re.compile(r"^(?P<id>\d{4}\.\d{4,5}|[a-z][a-z.-]*(?:\.[A-Z]{2})?/\d{7})(?:v(?P<version>\d+))?$", re.ASCII)

Record = dict[str, Any]  # a JSON object as the archive stores it; its values are checked when a month file is read

REQUIRED_KEYS = ("id", "version", "title", "authors", "published", "updated", "summary", "url", "categories", "tags")


def split_version(arxiv_id: object) -> tuple[str, int]:
    """The one arXiv-ID rule: return the versionless ID and the version (1 when absent) of an ID as arXiv, a data
    file or a maintainer wrote it; raise ValueError saying what is wrong and how to write it."""
    if isinstance(arxiv_id, (int, float)) and not isinstance(arxiv_id, bool):
        raise ValueError(f"{arxiv_id!r} was read as a number, which drops trailing zeros; quote it, e.g. '2402.04249'")
    match = ARXIV_ID.match(arxiv_id.strip()) if isinstance(arxiv_id, str) else None
    if match is None:
        raise ValueError(f"{arxiv_id!r} is not an arXiv ID; write it like '2402.04249' (old style: 'hep-th/9901001')")
    versionless = match["id"]
    if len(versionless) == 9 and versionless[4] == "." and versionless[:4] >= "1501":
        raise ValueError(f"{arxiv_id!r} is not an arXiv ID: since 2015 the number after the dot has 5 digits, e.g. '2402.04249'")
    return versionless, int(match["version"] or 1)


def abs_url(arxiv_id: str) -> str:
    """Return the canonical abstract-page URL of a versionless arXiv ID."""
    return f"https://arxiv.org/abs/{arxiv_id}"


class Listed(Protocol):
    """A paper as its list item and its BibTeX entry read it: a Paper, or a month file's record as decoded (no Paper
    built for it)."""

    @property
    def id(self) -> str: ...
    @property
    def version(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def authors(self) -> tuple[str, ...]: ...
    @property
    def published(self) -> str: ...
    @property
    def summary(self) -> str: ...
    @property
    def categories(self) -> tuple[str, ...]: ...
    @property
    def tags(self) -> tuple[str, ...]: ...
    @property
    def venue(self) -> str: ...
    @property
    def code_urls(self) -> tuple[str, ...]: ...
    @property
    def url(self) -> str: ...
    @property
    def sort_key(self) -> tuple[str, str]: ...


@dataclass(frozen=True)
class Paper:
    """One arXiv paper as archived: versionless ID plus the metadata of its latest version."""

    id: str
    version: int
    title: str
    authors: tuple[str, ...]
    published: str
    updated: str
    summary: str
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    score: float = 0.0
    comment: str = ""
    journal_ref: str = ""
    code_urls: tuple[str, ...] = ()
    venue: str = ""
    extra: Record = field(default_factory=dict, compare=False, hash=False)

    @property
    def url(self) -> str:
        """The versionless abstract-page URL."""
        return abs_url(self.id)

    @property
    def month(self) -> str:
        """The month of first submission, YYYY-MM: the archive shard this paper lives in."""
        return self.published[:7]

    @property
    def sort_key(self) -> tuple[str, str]:
        """Newest first when sorted in reverse: first-submission time, then ID."""
        return (self.published, self.id)

    def with_changes(self, **changes: Any) -> Paper:
        """Return a copy with the given fields replaced."""
        return replace(self, **changes)

    def to_dict(self) -> Record:
        """Return the JSON-ready record (lists, not tuples; url included)."""
        record = dict(self.__dict__)  # the fields, as a plain dataclass keeps them (dataclasses.asdict deep-copies: 4x slower)
        del record["extra"]
        for key in TUPLE_FIELDS:
            record[key] = list(record[key])
        record["url"] = self.url
        return {**self.extra, **record} if self.extra else record

    @classmethod
    def from_dict(cls, record: Record) -> Paper:
        """Build a Paper from an archive record; unknown keys are kept in `extra`."""
        if record.keys() == STORED_KEYS:
            return cls._from_stored(record)
        values = {key: record[key] for key in RECORD_FIELDS if key in record}
        for key in TUPLE_FIELDS:
            if key in values:
                values[key] = tuple(values[key])
        extra = {key: value for key, value in record.items() if key not in RECORD_KEYS and key != "url"}
        return cls(**values, extra=extra)

    @classmethod
    def _from_stored(cls, record: Record) -> Paper:
        """Build a Paper from a record with exactly the stored keys, as the archive writes them.

        Fills the instance's fields directly: the frozen __init__ sets each of the 15 fields through
        object.__setattr__, which was a third of the cost of loading a month file.
        """
        paper = object.__new__(cls)
        fields = paper.__dict__
        fields.update(record)
        del fields["url"]
        for key in TUPLE_FIELDS:
            fields[key] = tuple(fields[key])
        fields["extra"] = {}
        return paper


RECORD_FIELDS = tuple(name for name in Paper.__dataclass_fields__ if name != "extra")
RECORD_KEYS = frozenset(RECORD_FIELDS)
STORED_KEYS = RECORD_KEYS | {"url"}  # what to_dict writes when there are no extra keys
TUPLE_FIELDS = ("authors", "categories", "tags", "code_urls")  # stored as JSON lists
