"""Maintainer corrections in the update: overrides on archived papers, and the audit trail of rejections."""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..layout import Layout
from ..paper import Paper
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


def audit_outputs(root: Path, rejected: list[Paper], accepted_ids: set[str], overrides: Overrides, run_date: str,
                  limit: int, threshold: float) -> tuple[dict[Path, str], int]:
    """Return the updated record of rejected candidates and its review page, and how many it lists."""
    settled = accepted_ids | set(overrides.include) | set(overrides.exclude)
    layout = Layout(root)
    data = rejections.merge_rejected(rejections.load_rejected(layout.rejected_data), rejected, run_date, limit, settled)
    pages = {layout.rejected_data: rejections.rejected_json(data), layout.rejected_page: rejections.rejected_page(data, threshold)}
    return pages, len(data["candidates"])
