"""Maintainer corrections in the update: overrides on archived papers, and the audit trail of rejections."""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..store.archive import Archive
from . import rejections
from .overrides import Overrides, apply_overrides, load_overrides, missing_includes

OVERRIDES_PATH = Path("collection") / "overrides.yaml"
REJECTED_DATA = Path("articles") / "data" / rejections.REJECTED_NAME
REJECTED_PAGE = Path("articles") / "rejected.md"


def load(root: Path) -> tuple[Overrides, str]:
    """Return the validated overrides and a digest of their file ('' when there is none)."""
    path = root / OVERRIDES_PATH
    # Line endings normalised: a checkout with CRLF endings (core.autocrlf) must not look like an edited file.
    digest = hashlib.sha256(path.read_bytes().replace(b"\r\n", b"\n")).hexdigest() if path.exists() else ""
    return load_overrides(path), digest


def needs_full_pass(archive: Archive, digest: str) -> bool:
    """Tell whether the overrides changed since they were last applied to the whole archive."""
    return archive.state.get("overrides", "") != digest


def apply_to_archive(archive: Archive, overrides: Overrides) -> tuple[list, list[str]]:
    """Apply overrides to every archived paper; return the papers dropped and the included IDs not archived."""
    dropped, known = [], set()
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


def correct_one(paper, overrides: Overrides):
    """Return an archived paper with its overrides applied, or None when it is excluded."""
    keep, _ = apply_overrides([paper], [], overrides)
    return keep[0] if keep else None


def audit_outputs(root: Path, rejected: list, accepted_ids: set[str], overrides: Overrides, run_date: str,
                  limit: int, threshold: float) -> tuple[dict[Path, str], int]:
    """Return the updated record of rejected candidates and its review page, and how many it lists."""
    settled = accepted_ids | set(overrides.include) | set(overrides.exclude)
    data = rejections.merge_rejected(rejections.load_rejected(root / REJECTED_DATA), rejected, run_date, limit, settled)
    pages = {root / REJECTED_DATA: rejections.rejected_json(data), root / REJECTED_PAGE: rejections.rejected_page(data, threshold)}
    return pages, len(data["candidates"])
