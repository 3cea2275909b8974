"""The audit trail: candidates the relevance filter turned down in recent runs, kept in articles/data/rejected.json
(bounded) and listed on articles/rejected.md with the one override line that promotes each."""

from __future__ import annotations

from pathlib import Path

from ..errors import ArchiveError
from ..paper import Paper, abs_url, split_version
from ..render.listing import render
from ..render.markdown import cell
from ..store.archive import SCHEMA, dump_json, read_json

REJECTED_NAME = "rejected.json"
TITLE_LIMIT = 200
WHY_LIMIT = 160
ENTRY_TYPES = {"id": str, "title": str, "score": (int, float), "date": str, "url": str}


def empty_rejected() -> dict:
    """Return the record of a list that has rejected nothing yet."""
    return {"schema": SCHEMA, "candidates": []}


def load_rejected(path: Path) -> dict:
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
    if "why" in entry and not isinstance(entry["why"], str):
        return "why is not a string"
    return ""


def candidate(paper: Paper, run_date: str) -> dict:
    """Return the record of one rejected paper, with the evidence that weighed most when the filter recorded it."""
    record = {"id": paper.id, "title": paper.title, "score": paper.score, "date": run_date, "url": paper.url}
    why = paper.extra.get("why")
    return {**record, "why": why} if isinstance(why, str) and why else record


def merge_rejected(existing: dict, rejected: list[Paper], run_date: str, limit: int,
                   settled: frozenset[str] | set[str] = frozenset()) -> dict:
    """Return the record with this run's rejected papers added: one entry per paper (its latest rejection), newest
    run first and highest score first within a run, at most `limit` entries; IDs in `settled` (archived or
    overridden since) are dropped."""
    recorded = {entry["id"]: entry for entry in existing.get("candidates", [])}
    # A paper turned down again with the same score keeps its entry (and date), so a quiet run changes no byte.
    latest = {paper.id: candidate(paper, run_date) for paper in rejected
              if paper.id not in recorded or recorded[paper.id]["score"] != paper.score}
    kept = [entry for entry in recorded.values() if entry["id"] not in latest]
    entries = [entry for entry in kept + list(latest.values()) if entry["id"] not in settled]
    entries.sort(key=lambda entry: (entry["date"], entry["score"], entry["id"]), reverse=True)
    return {"schema": SCHEMA, "candidates": entries[:max(limit, 0)]}


def rejected_json(data: dict) -> str:
    """Serialise the record the way every data file is stored."""
    return dump_json(data)


def page_row(entry: dict) -> dict:
    """Return the escaped cells of one candidate's table row; the link is rebuilt from the checked ID."""
    paper_id = split_version(entry["id"])[0]
    return {
        "date": cell(entry["date"][:16].replace("T", " ")),
        "score": f"{entry['score']:g}",
        "title": cell(entry["title"], TITLE_LIMIT) or "(untitled)",
        "url": abs_url(paper_id),
        "id": paper_id,
        "why": cell(entry.get("why", ""), WHY_LIMIT),
    }


def rejected_page(data: dict, threshold: float) -> str:
    """Render articles/rejected.md: the recorded candidates with the override line that promotes each."""
    rows = [page_row(entry) for entry in data.get("candidates", [])]
    return render("rejected.md.j2", rows=rows, threshold=f"{threshold:g}")
