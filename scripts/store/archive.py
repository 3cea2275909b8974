"""The archive under articles/data/: one JSON file per month of first submission, plus a small index and state."""

from __future__ import annotations

import gc
import json
import re
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any, TypeVar

import msgspec

from ..errors import ArchiveError
from ..layout import INDEX_NAME, STATE_NAME, month_path
from ..paper import RECORD_FIELDS, REQUIRED_KEYS, Listed, Paper, Record, abs_url
from .files import check_encodable

Listing = TypeVar("Listing", bound=Listed)  # a Paper or a record decoded to render: sorting keeps which

SCHEMA = 1
MONTH_FILE = re.compile(r"^(\d{4}-\d{2})\.json$")
REQUIRED = frozenset(REQUIRED_KEYS)
# A month's index entry: {"count": int, "foreign": [ID, ...], "primary": {slug: int}, "tags": {slug: int}}; "foreign"
# lists the month's papers filed away from the months their arXiv IDs point to (see home_months).
Summary = dict[str, Any]
# Unchanged months kept in memory besides the changed ones: a full render walks every month once, so memory stays
# at a few months instead of the whole archive; a month read again later is re-read from disk.
UNCHANGED_KEPT = 4
METADATA = ("title", "authors", "summary", "updated", "categories", "comment", "journal_ref", "published")
# A record's ID line as dump_json writes it (keys sorted, indent 2; strings never hold a raw newline), found without
# parsing the month: 0.4 s for 100,000 papers (212 MB), where parsing every month takes 2.6 s.
ID_LINE = re.compile(rb'\n      "id": "([^"\\\n]+)",?\n')
# An arXiv ID's year and month of submission: 2505.01234 (from 2007), hep-th/9901001 or math.GT/0309136 (before); an
# ID is taken at its first digits, as is_home reads it.
ID_MONTH = re.compile(r"^(?:(\d\d)(\d\d)\.|[a-z-]+(?:\.[A-Z]{2})?/(\d\d)(\d\d))")


def dump_json(data: object) -> str:
    """Serialise data the way every archive file is stored: sorted keys, indent 2, trailing newline."""
    try:
        return (msgspec.json.format(msgspec.json.encode(data, order="sorted"), indent=2) + b"\n").decode("utf-8")
    except (TypeError, UnicodeEncodeError):
        # msgspec refuses a lone surrogate and types JSON lacks: json writes the first (files.check_encodable then
        # names it) and raises TypeError for the second.
        return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def read_json(path: Path, raw: bytes | None = None) -> Record:
    """Read a schema-1 JSON object from the archive (or from its bytes, already read); raise ArchiveError naming the file and the fix."""
    raw = path.read_bytes() if raw is None else raw
    try:
        data = msgspec.json.decode(raw)
    except (msgspec.DecodeError, UnicodeDecodeError):  # msgspec 0.21 raises the latter for bytes that are not UTF-8
        data = read_unusual_json(path, raw)
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        found = data.get("schema") if isinstance(data, dict) else type(data).__name__
        raise ArchiveError(f"{path}: unknown schema {found!r}; this version reads schema {SCHEMA}: update scripts/ or restore it with `git checkout -- {path}`")
    return data


def read_unusual_json(path: Path, raw: bytes) -> object:
    """Decode what msgspec refused with json, for its error message; raise ArchiveError, or ListError for a lone
    surrogate, if json reads it but it cannot be written back as it was (NaN, a \\ud800 escape)."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ArchiveError(f"{path}: not UTF-8; restore it with `git checkout -- {path}`") from None
    except json.JSONDecodeError as error:
        raise ArchiveError(f"{path}: corrupt JSON (line {error.lineno}: {error.msg}); restore it with `git checkout -- {path}`") from None
    try:
        text = json.dumps(data, ensure_ascii=False, allow_nan=False)
    except ValueError:
        raise ArchiveError(f"{path}: holds NaN or Infinity, which JSON has no number for; "
                           "replace it with a number") from None
    check_encodable(path, text)
    return data


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a month's records are built: they hold no cycles, and the collector
    would otherwise scan them again and again as they pile up (a third of the time spent loading a month)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class StoredRecord(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """A record exactly as the archive writes it: every key, of the exact type (checked by msgspec as it decodes)."""

    id: str
    version: int
    title: str
    authors: tuple[str, ...]
    published: str
    updated: str
    summary: str
    categories: tuple[str, ...]
    tags: tuple[str, ...]
    score: int | float  # kept as written: 1 stays 1
    comment: str
    journal_ref: str
    code_urls: tuple[str, ...]
    venue: str
    stored_url: str = msgspec.field(name="url")  # the page links the URL made from the ID, as a Paper does

    @property
    def url(self) -> str:
        """The versionless abstract-page URL."""
        return abs_url(self.id)

    @property
    def sort_key(self) -> tuple[str, str]:
        """Newest first when sorted in reverse: first-submission time, then ID."""
        return (self.published, self.id)


class StoredMonth(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """A month file exactly as the archive writes it."""

    papers: list[StoredRecord]
    schema: int


STORED_MONTH = msgspec.json.Decoder(StoredMonth)


def read_month(path: Path, raw: bytes | None = None) -> dict[str, Paper]:
    """Read and validate a month file (or its bytes, already read); return its papers by ID."""
    raw = path.read_bytes() if raw is None else raw
    with collector_paused():
        stored = stored_month(path, raw)
        return stored_papers(stored.papers) if stored is not None else parse_month(path, read_json(path, raw))


def read_records(path: Path, raw: bytes) -> Sequence[Listed]:
    """Return a month file's records to render: as decoded when the file is exactly as the archive writes it (no Paper
    built), else as read_month reads them (naming any problem)."""
    with collector_paused():
        stored = stored_month(path, raw)
        if stored is None:
            return list(parse_month(path, read_json(path, raw)).values())
        if len({record.id for record in stored.papers}) < len(stored.papers):
            return list(stored_papers(stored.papers).values())  # one record an ID, the last, as read_month keeps
        return stored.papers


def stored_month(path: Path, raw: bytes) -> StoredMonth | None:
    """Return a month file decoded, when it is exactly as the archive writes it (every key, every type, every record
    in this month); else None: anything else is read key by key."""
    try:
        stored = STORED_MONTH.decode(raw)
    except (msgspec.DecodeError, UnicodeDecodeError):
        return None
    month = path.stem
    if stored.schema != SCHEMA or not all(record.published.startswith(month) for record in stored.papers):
        return None
    return stored


def stored_papers(records: list[StoredRecord]) -> dict[str, Paper]:
    """Return Papers, by ID, of records msgspec has checked (filled directly, as Paper.from_dict fills stored ones)."""
    papers: dict[str, Paper] = {}
    new, fields = object.__new__, RECORD_FIELDS
    for record in records:
        paper = new(Paper)
        values = paper.__dict__
        values.update(zip(fields, (record.id, record.version, record.title, record.authors, record.published,
                                   record.updated, record.summary, record.categories, record.tags, record.score,
                                   record.comment, record.journal_ref, record.code_urls, record.venue), strict=True))
        values["extra"] = {}
        papers[record.id] = paper
    return papers


def sort_newest_first(papers: Iterable[Listing]) -> list[Listing]:
    """Sort papers newest first by first-submission time, then by ID (stable and deterministic)."""
    return sorted(papers, key=lambda paper: paper.sort_key, reverse=True)


def parse_month(path: Path, data: Record) -> dict[str, Paper]:
    """Validate a month file's records and return them by ID."""
    papers: dict[str, Paper] = {}
    for record in checked_records(path, data):
        paper = Paper.from_dict(record)
        papers[paper.id] = paper
    return papers


def checked_records(path: Path, data: dict[str, Any]) -> list[dict[str, Any]]:
    """Return a month file's records, raising ArchiveError naming the first one of the wrong shape."""
    records = data.get("papers")
    if not isinstance(records, list):
        raise ArchiveError(f"{path}: \"papers\" must be a list; restore the file with `git checkout -- {path}`")
    month = path.stem  # a Path property that costs as much as checking a record: read it once
    for index, record in enumerate(records):
        if not (isinstance(record, dict) and REQUIRED.issubset(record)):
            missing = [key for key in REQUIRED_KEYS if not isinstance(record, dict) or key not in record]
            raise ArchiveError(f"{path}: papers[{index}] lacks {', '.join(missing)}; restore the file with `git checkout -- {path}`")
        problem = record_problem(record, month)
        if problem:
            raise ArchiveError(f"{path}: papers[{index}]: {problem}; restore the file with `git checkout -- {path}`")
    return records


def file_summary(path: Path) -> dict[str, Any]:
    """Return the index entry of one month file, its records checked but no Paper built."""
    with collector_paused():
        records = checked_records(path, read_json(path))
    return tag_summary([record["tags"] for record in records], foreign_ids((record["id"], path.stem) for record in records))


RECORD_TYPES = {"id": str, "version": int, "title": str, "authors": list, "published": str, "updated": str,
                "summary": str, "categories": list, "tags": list}
EXACT_TYPES = tuple(RECORD_TYPES.values())


def record_problem(record: Record, month: str) -> str:
    """Return what is wrong with one archived record's types or month, or an empty string."""
    if tuple(map(type, map(record.__getitem__, RECORD_TYPES))) == EXACT_TYPES and record["published"].startswith(month):
        return ""  # the usual case, checked at C speed: exact JSON types (bool is not int here) and the right month
    for key, kind in RECORD_TYPES.items():
        value = record[key]
        if isinstance(value, bool) or not isinstance(value, kind):
            return f"{key} should be {kind.__name__}, not {type(value).__name__}"
    if not record["published"].startswith(month):
        return f"published {record['published']!r} belongs in {record['published'][:7]}.json, not {month}.json"
    return ""


def month_summary(papers: Collection[Listed]) -> Summary:
    """Return the index entry of one month: paper count, count per tag, count per primary (first) tag, and the papers
    filed away from their IDs' months."""
    return tag_summary([paper.tags for paper in papers], foreign_ids((paper.id, paper.published[:7]) for paper in papers))


def home_months(paper_id: str) -> tuple[str, ...]:
    """Return the months a paper is filed in (that of its first submission, UTC) when its arXiv ID says when it was
    submitted: the ID's month or either next to it (arXiv numbers by its own clock); none for an ID of another form."""
    match = ID_MONTH.match(paper_id)
    if match is None:
        return ()
    year, month = (int(match[1]), int(match[2])) if match[1] else (int(match[3]), int(match[4]))
    if not 1 <= month <= 12:
        return ()
    number = (year + (2000 if match[1] or year < 91 else 1900)) * 12 + month - 1  # old IDs: 1991 to 2007
    return tuple(f"{step // 12:04d}-{step % 12 + 1:02d}" for step in (number - 1, number, number + 1))


def is_home(paper_id: str, month: str) -> bool:
    """Say whether a paper filed in a month (YYYY-MM) is where its arXiv ID points."""
    if paper_id[4:5] == "." and paper_id[:4] == month[2:4] + month[5:7]:
        return True  # the usual case, without the pattern: 2505.01234 in 2025-05
    return month in home_months(paper_id)


def foreign_ids(filed: Iterable[tuple[str, str]]) -> list[str]:
    """Return, sorted, the IDs of the papers (ID, month filed in) whose IDs point to other months."""
    return sorted(paper_id for paper_id, month in filed if not is_home(paper_id, month))


def tag_summary(tag_lists: Sequence[Sequence[str]], foreign: list[str]) -> Summary:
    """Return the index entry of a month whose papers carry these tag lists (primary domain first), and of which those
    `foreign` are filed away from their IDs' months."""
    tags = Counter(chain.from_iterable(tag_lists))
    primary = Counter([paper_tags[0] for paper_tags in tag_lists if paper_tags])
    return {"count": len(tag_lists), "foreign": foreign, "primary": dict(sorted(primary.items())),
            "tags": dict(sorted(tags.items()))}


def adjust_summary(entry: Summary, removed: Paper | None, added: Paper | None) -> Summary:
    """Return a month's index entry after one record is removed, added or replaced, without recounting the month."""
    tags, primary = dict(entry["tags"]), dict(entry["primary"])
    for paper, step in ((removed, -1), (added, 1)):
        for tag in paper.tags if paper is not None else ():
            tags[tag] = tags.get(tag, 0) + step
        if paper is not None and paper.tags:
            primary[paper.tags[0]] = primary.get(paper.tags[0], 0) + step
    count = entry["count"] + (added is not None) - (removed is not None)
    foreign = set(entry["foreign"]) - ({removed.id} if removed is not None else set())
    if added is not None and not is_home(added.id, added.published[:7]):
        foreign.add(added.id)
    return {"count": count, "foreign": sorted(foreign),
            "primary": {tag: number for tag, number in sorted(primary.items()) if number},
            "tags": {tag: number for tag, number in sorted(tags.items()) if number}}


def merge_paper(existing: Paper | None, incoming: Paper) -> Paper | None:
    """Return the record to store for an incoming version, or None when it changes nothing."""
    if existing is None:
        return incoming
    if incoming.version < existing.version:
        return None
    if all(getattr(existing, name) == getattr(incoming, name) for name in ("version", *METADATA)):
        return None
    return existing.with_changes(version=incoming.version, **{name: getattr(incoming, name) for name in METADATA})


@dataclass
class Archive:
    """The archive on disk, with months loaded on demand and the set of months changed in memory."""

    data_dir: Path
    months: dict[str, dict[str, Paper]] = field(default_factory=dict)
    changed: set[str] = field(default_factory=set)
    index: dict[str, Summary] = field(default_factory=dict)
    state: Record = field(default_factory=dict)
    # The paper IDs (UTF-8) of the month files an ID was looked up in outside its own month (None before the first
    # such lookup); a month in memory is looked up there instead (it may have changed since).
    file_ids: dict[str, set[bytes]] | None = None
    unindexed: set[str] = field(default_factory=set)  # months with a file whose index entry is not counted yet
    shrunk: set[str] = field(default_factory=set)  # months a record was removed from

    @classmethod
    def open(cls, data_dir: Path) -> Archive:
        """Open the archive: read the small index and state files and list the month files."""
        archive = cls(data_dir)
        on_disk = archive.months_on_disk()
        index_path, state_path = data_dir / INDEX_NAME, data_dir / STATE_NAME
        archive.index = read_json(index_path).get("months", {}) if index_path.exists() else {}
        archive.state = read_json(state_path) if state_path.exists() else {"schema": SCHEMA}
        # An index written before it counted primary domains or listed foreign IDs is recounted once, as after a crash.
        if sorted(archive.index) != on_disk or any("primary" not in entry or not isinstance(entry.get("foreign"), list)
                                                   for entry in archive.index.values()):
            archive.rebuild_index(on_disk)
        return archive

    def months_on_disk(self) -> list[str]:
        """Return the months that have a data file, oldest first."""
        if not self.data_dir.is_dir():
            return []
        return sorted(m.group(1) for path in self.data_dir.iterdir() if (m := MONTH_FILE.match(path.name)))

    def rebuild_index(self, months: list[str]) -> None:
        """Recount the index from the month files (after a crash or a hand edit), leaving the files as they are.

        A month in memory is counted now; the others when a render worker reads the file (record_summary), or at the
        latest when the index is next read (complete_index), so a full render reads each file once.
        """
        self.index = {month: month_summary(self.months[month].values()) for month in months if month in self.months}
        self.unindexed = set(months) - set(self.index)

    def record_summary(self, month: str, entry: dict[str, Any]) -> None:
        """Take the index entry of a month whose file was read elsewhere, if it is still to be counted."""
        if month in self.unindexed:
            self.index[month] = entry
            self.unindexed.discard(month)

    def complete_index(self) -> None:
        """Count the months whose index entries are still unknown, from their files."""
        for month in sorted(self.unindexed):
            self.index[month] = file_summary(month_path(self.data_dir, month))
        self.unindexed.clear()

    def month(self, month: str) -> dict[str, Paper]:
        """Return one month's papers by ID, reading its file unless it is in memory; never edit it but through put/remove."""
        if month not in self.months:
            path = month_path(self.data_dir, month)
            self.months[month] = read_month(path) if path.exists() else {}
            self.forget_unchanged(keep=month)
        return self.months[month]

    def forget_unchanged(self, keep: str) -> None:
        """Drop the longest-held unchanged months from memory beyond UNCHANGED_KEPT (their files hold the same)."""
        unchanged = [month for month in self.months if month not in self.changed and month != keep]
        for month in unchanged[:max(0, len(unchanged) - UNCHANGED_KEPT + 1)]:
            del self.months[month]

    def get(self, paper: Paper) -> Paper | None:
        """Return the archived record with the paper's ID, in whichever month it is filed."""
        found = self.month(paper.month).get(paper.id)
        if found is not None:
            return found
        months = self.months_of(paper.id)
        return self.month(min(months)).get(paper.id) if months else None

    def months_of(self, paper_id: str) -> set[str]:
        """Return the months that hold a paper ID (two only in an archive written before IDs were unique across
        months): of the month files, only those of the months its ID points to, those the index lists it in as
        foreign and those not counted yet are read, once each, for their IDs (no ID is decoded)."""
        self.file_ids = {} if self.file_ids is None else self.file_ids
        key = paper_id.encode("utf-8", "surrogatepass")
        found = {month for month, papers in self.months.items() if paper_id in papers}
        candidates = {*home_months(paper_id), *self.unindexed,
                      *(month for month, entry in self.index.items() if paper_id in entry["foreign"])}
        for month in sorted(candidates - set(self.months)):
            if month not in self.file_ids and (path := month_path(self.data_dir, month)).exists():
                self.file_ids[month] = set(ID_LINE.findall(path.read_bytes()))
            if key in self.file_ids.get(month, ()):
                found.add(month)
        return found

    def put(self, paper: Paper) -> None:
        """Store a record in its month and mark the month changed; copies filed in other months are removed."""
        if paper.id not in self.month(paper.month) or self.file_ids is not None:
            for month in sorted(self.months_of(paper.id) - {paper.month}):
                self.remove(self.month(month)[paper.id])
        papers = self.month(paper.month)  # after the other months: reading them may have dropped this one from memory
        self.update_summary(paper.month, papers.get(paper.id), paper)
        papers[paper.id] = paper

    def remove(self, paper: Paper) -> None:
        """Drop a record from its month and mark the month changed."""
        papers = self.month(paper.month)
        if paper.id in papers:
            self.update_summary(paper.month, papers[paper.id], None)
            del papers[paper.id]
            self.shrunk.add(paper.month)

    def update_summary(self, month: str, removed: Paper | None, added: Paper | None) -> None:
        """Keep a month's index entry current through one change: recount it at its first change, then adjust it."""
        if month not in self.changed or month not in self.index:
            self.index[month] = month_summary(self.months[month].values())
            self.unindexed.discard(month)
        self.index[month] = adjust_summary(self.index[month], removed, added)
        self.changed.add(month)

    def live_index(self) -> dict[str, Summary]:
        """Return the index entries of the months that hold papers, oldest first."""
        self.complete_index()
        return {month: entry for month, entry in sorted(self.index.items()) if entry["count"]}

    def all_months(self) -> list[str]:
        """Return every month that holds papers (or may: its file is not counted yet), newest first."""
        known = (month for month, entry in self.index.items() if entry["count"])
        return sorted({*known, *self.unindexed}, reverse=True)

    def newest(self, count: int) -> list[Paper]:
        """Return the newest `count` papers, reading only the newest months needed."""
        papers: list[Paper] = []
        for month in self.all_months():
            if len(papers) >= count:
                break
            papers += self.month(month).values()
        return sort_newest_first(papers)[:count]

    def data_outputs(self) -> dict[Path, str | None]:
        """Return the text of every changed data file; None marks a month file to delete."""
        return {**self.month_data_outputs(), **self.index_outputs()}

    def month_data_outputs(self) -> dict[Path, str | None]:
        """Return the text of every changed month file, or None for one to delete (its records are all gone)."""
        outputs: dict[Path, str | None] = {}
        # Months that lost a record last: a crash between two of these files can leave a paper that moved month in
        # both files, never in neither.
        for month in sorted(self.changed, key=lambda month: (month in self.shrunk, month)):
            papers = self.month(month)
            records = [paper.to_dict() for paper in sort_newest_first(papers.values())]
            outputs[month_path(self.data_dir, month)] = dump_json({"papers": records, "schema": SCHEMA}) if records else None
        return outputs

    def index_outputs(self) -> dict[Path, str]:
        """Return the text of the index and state files."""
        return {self.data_dir / INDEX_NAME: dump_json({"months": self.live_index(), "schema": SCHEMA}),
                self.data_dir / STATE_NAME: dump_json(self.state)}
