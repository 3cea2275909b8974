"""Maintainer corrections in the update: overrides on archived papers, and the audit trail of rejections."""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..layout import Layout
from ..paper import Paper, Record
from ..store.archive import Archive
from . import rejections
from .overrides import Overrides, apply_overrides, check_known_tags, load_overrides, missing_includes


def load(root: Path, slugs: tuple[str, ...]) -> tuple[Overrides, str]:
    """Return the validated overrides (tags among `slugs`) and a digest of their file ('' when there is none)."""
    path = Layout(root).overrides
    # Line endings normalised: a checkout with CRLF endings (core.autocrlf) must not look like an edited file.
    digest = hashlib.sha256(path.read_bytes().replace(b"\r\n", b"\n")).hexdigest() if path.exists() else ""
    overrides = load_overrides(path)
    check_known_tags(overrides, slugs, str(path))
    return overrides, digest


def needs_full_pass(archive: Archive, digest: str) -> bool:
    """Tell whether the overrides changed since they were last applied to the whole archive."""
    return bool(archive.state.get("overrides", "") != digest)


def apply_to_archive(archive: Archive, overrides: Overrides) -> tuple[list[Paper], list[str]]:
    """Apply overrides to every archived paper; return the papers dropped and the included IDs not archived."""
    dropped: list[Paper] = []
    known: set[str] = set()
    for month in archive.all_months():
        papers = archive.month(month)
        known.update(papers)
        keep, drop = apply_overrides(list(papers.values()), [], overrides)
        for paper in drop:
            archive.remove(paper)
        for paper in keep:
            if paper != papers[paper.id]:
                archive.put(paper)
        dropped += drop
    return dropped, missing_includes(overrides, known)


def correct_one(paper: Paper, overrides: Overrides) -> Paper | None:
    """Return an archived paper with its overrides applied, or None when it is excluded."""
    keep, _ = apply_overrides([paper], [], overrides)
    return keep[0] if keep else None


def audit_data(root: Path, rejected: list[Paper], accepted_ids: set[str], overrides: Overrides, run_date: str,
               limit: int) -> tuple[dict[Path, str], Record]:
    """Return the updated record of rejected candidates, as its file's text and as data."""
    settled = accepted_ids | set(overrides.include) | set(overrides.exclude)
    path = Layout(root).rejected_data
    data = rejections.merge_rejected(rejections.load_rejected(path), rejected, run_date, limit, settled)
    return {path: rejections.rejected_json(data)}, data


def audit_page(root: Path, data: Record, threshold: float) -> dict[Path, str]:
    """Return the review page of the rejected candidates."""
    return {Layout(root).rejected_page: rejections.rejected_page(data, threshold)}
