"""The audit trail: candidates the relevance filter turned down in recent runs, kept in articles/data/rejected.json
(bounded) and listed on articles/rejected.md with the one override line that promotes each."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

from ..errors import ArchiveError
from ..paper import Paper, Record, abs_url, split_version
from ..render.listing import render
from ..render.markdown import cell
from ..store.archive import SCHEMA, dump_json, read_json

TITLE_LIMIT = 200
RECENT_DAYS = 30  # the audit lists rejections of the last month of runs
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
WHY_LIMIT = 160
ENTRY_TYPES: dict[str, type | tuple[type, ...]] = {"id": str, "title": str, "score": (int, float), "date": str, "url": str}


def empty_rejected() -> Record:
    """Return the record of a list that has rejected nothing yet."""
    return {"schema": SCHEMA, "candidates": []}


def load_rejected(path: Path) -> Record:
    """Read and check articles/data/rejected.json; a missing file is an empty record."""
    if not path.exists():
        return empty_rejected()
    data = read_json(path)
    candidates = data.get("candidates")
    if not isinstance(candidates, list):
        raise ArchiveError(f"{path}: \"candidates\" must be a list; delete the file to start the record afresh")
    for index, entry in enumerate(candidates):
        problem = entry_problem(entry)
        if problem:
            raise ArchiveError(f"{path}: candidates[{index}]: {problem}; delete the entry or the file")
    return data


def entry_problem(entry: object) -> str:
    """Return what is wrong with one recorded candidate, or an empty string."""
    if not isinstance(entry, dict):
        return f"expected an object, got {type(entry).__name__}"
    for key, kind in ENTRY_TYPES.items():
        if isinstance(entry.get(key), bool) or not isinstance(entry.get(key), kind):
            return f"{key} is missing or not a {'number' if key == 'score' else 'string'}"
    try:
        split_version(entry["id"])
    except ValueError:
        return f"id {entry['id']!r} is not an arXiv ID"
    if not DAY.match(entry["date"]) or not valid_day(entry["date"][:10]):
        return f"date {entry['date']!r} does not start with a YYYY-MM-DD day"
    if "why" in entry and not isinstance(entry["why"], str):
        return "why is not a string"
    return ""


def valid_day(text: str) -> bool:
    """True when text is a real calendar day written YYYY-MM-DD."""
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def candidate(paper: Paper, run_date: str) -> Record:
    """Return the record of one rejected paper, with the evidence that weighed most when the filter recorded it."""
    record: Record = {"id": paper.id, "title": paper.title, "score": paper.score, "date": run_date, "url": paper.url}
    why = paper.extra.get("why")
    return {**record, "why": why} if isinstance(why, str) and why else record


def merge_rejected(existing: Record, rejected: list[Paper], run_date: str, limit: int,
                   settled: frozenset[str] | set[str] = frozenset()) -> Record:
    """Return the record with this run's rejected papers added: one entry per paper (its latest rejection), the
    best-scoring `limit` of those rejected within RECENT_DAYS of the newest run, highest score first; IDs in `settled`
    (archived or overridden since) are dropped."""
    recorded = {entry["id"]: entry for entry in existing.get("candidates", [])}
    # A paper turned down again with the same score keeps its entry (and date), so a rerun changes no byte.
    latest = {paper.id: candidate(paper, run_date) for paper in rejected
              if paper.id not in recorded or recorded[paper.id]["score"] != paper.score}
    kept = [entry for entry in recorded.values() if entry["id"] not in latest]
    entries = recent([entry for entry in kept + list(latest.values()) if entry["id"] not in settled])
    return {"schema": SCHEMA, "candidates": ranked(entries)[:max(limit, 0)]}


def recent(entries: list[Record]) -> list[Record]:
    """Return the entries rejected within RECENT_DAYS of the newest one: measured on the record, not on the clock."""
    if not entries:
        return []
    newest = max(date.fromisoformat(entry["date"][:10]) for entry in entries)
    cutoff = (newest - timedelta(days=RECENT_DAYS)).isoformat()
    return [entry for entry in entries if entry["date"][:10] >= cutoff]


def ranked(entries: list[Record]) -> list[Record]:
    """Return the entries highest score first, then by the run that first recorded them, then by ID: one order for any
    input order, in which a rerun's ties never displace what is already recorded."""
    return sorted(entries, key=lambda entry: (-entry["score"], entry["date"], entry["id"]))


def rejected_json(data: Record) -> str:
    """Serialise the record the way every data file is stored."""
    return dump_json(data)


def page_row(entry: Record) -> dict[str, str]:
    """Return the escaped pieces of one candidate's list item; the link is rebuilt from the checked ID."""
    paper_id = split_version(entry["id"])[0]
    return {
        "date": cell(entry["date"][:16].replace("T", " ")),
        "score": f"{entry['score']:g}",
        "title": cell(entry["title"], TITLE_LIMIT) or "(untitled)",
        "url": abs_url(paper_id),
        "id": paper_id,
        "why": cell(entry.get("why", ""), WHY_LIMIT),
    }


def runs(rows: list[dict[str, str]]) -> list[tuple[str, list[dict[str, str]]]]:
    """Group candidate rows by the run that turned them down, newest run first, keeping their order within a run."""
    grouped: dict[str, list[dict[str, str]]] = {}
    for row in sorted(rows, key=lambda row: row["date"], reverse=True):  # stable: score order stays within a run
        grouped.setdefault(row["date"], []).append(row)
    return list(grouped.items())


def rejected_page(data: Record, threshold: float) -> str:
    """Render articles/rejected.md: the recorded candidates by run, each with the override line that promotes it."""
    rows = [page_row(entry) for entry in data.get("candidates", [])]
    return render("rejected.md.j2", runs=runs(rows), total=len(rows), threshold=f"{threshold:g}", days=RECENT_DAYS)
