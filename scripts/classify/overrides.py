"""Maintainer overrides of the relevance filter (collection/overrides.yaml): include, exclude, correct tags.

The file has up to three lists, each entry one line a contributor can add by pull request:

    include:   # always keep, whatever the score (fetched by ID when the arXiv query never returned it)
      - {id: "2501.12345", reason: "on-topic, though the abstract never names a model"}
    exclude:   # always drop, also from the archive
      - {id: "2502.00001", reason: "robot controller; LLM only mentioned"}
    tags:      # replace the tags the rules gave
      - {id: "2503.00002", tags: [jailbreak, evaluation], reason: "a red-teaming benchmark"}

An entry may also be a bare ID string. IDs must be quoted: YAML reads 2501.12340 as a number and drops the zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import CollectionError
from ..paper import Paper, split_version
from ..yamlfile import load_yaml
from ..taxonomy import SLUG
from .relevance import RelevanceRules, assign_tags

SECTIONS = ("include", "exclude", "tags")
ENTRY_KEYS = {"include": ("id", "reason"), "exclude": ("id", "reason"), "tags": ("id", "tags", "reason")}


@dataclass(frozen=True)
class Overrides:
    """Validated overrides: versionless ID -> reason (include, exclude) and ID -> corrected tags."""

    include: dict[str, str] = field(default_factory=dict)
    exclude: dict[str, str] = field(default_factory=dict)
    tags: dict[str, tuple[str, ...]] = field(default_factory=dict)


def load_overrides(path: Path) -> Overrides:
    """Read and validate the overrides file; a missing or empty file means no overrides."""
    if not path.exists():
        return Overrides()
    return parse_overrides(load_yaml(path, CollectionError), str(path))


def parse_overrides(raw: object, source: str) -> Overrides:
    """Validate parsed YAML; raise CollectionError naming the file, the entry and the fix."""
    if raw is None:
        return Overrides()
    if not isinstance(raw, dict):
        raise CollectionError(f"{source}: expected a mapping with lists {', '.join(SECTIONS)}, got {type(raw).__name__}")
    unknown = sorted(str(key) for key in raw if key not in SECTIONS)
    if unknown:
        raise CollectionError(f"{source}: {unknown[0]}: unknown list; allowed lists: {', '.join(SECTIONS)}")
    entries = {section: parse_section(raw.get(section), section, source) for section in SECTIONS}
    overrides = Overrides(
        include={paper_id: entry.get("reason", "") for paper_id, entry in entries["include"].items()},
        exclude={paper_id: entry.get("reason", "") for paper_id, entry in entries["exclude"].items()},
        tags={paper_id: entry["tags"] for paper_id, entry in entries["tags"].items()},
    )
    check_conflicts(overrides, source)
    return overrides


def parse_section(raw: object, section: str, source: str) -> dict[str, dict]:
    """Validate one list of entries; return versionless ID -> entry, in file order."""
    if raw is None:
        return {}
    if not isinstance(raw, list):
        raise CollectionError(f"{source}: {section}: expected a list of entries like "
                              f"- {{id: \"2501.12345\", reason: \"...\"}}, got {type(raw).__name__}")
    entries: dict[str, dict] = {}
    for index, item in enumerate(raw):
        where = f"{source}: {section}[{index}]"
        entry = parse_entry(item, section, where)
        paper_id = entry["id"]
        if paper_id in entries:
            raise CollectionError(f"{where}: {paper_id} is listed twice in {section}; keep one entry")
        entries[paper_id] = entry
    return entries


def parse_entry(item: object, section: str, where: str) -> dict:
    """Validate one entry: a bare ID, or a mapping with an id (and tags for the tags list)."""
    if isinstance(item, (str, int, float)) and section != "tags":
        item = {"id": item}
    if not isinstance(item, dict):
        raise CollectionError(f"{where}: expected {{id: \"2501.12345\", ...}}, got {item!r}")
    unknown = sorted(str(key) for key in item if key not in ENTRY_KEYS[section])
    if unknown:
        raise CollectionError(f"{where}: {unknown[0]}: unknown key; allowed keys: {', '.join(ENTRY_KEYS[section])}")
    entry = {"id": parse_id(item.get("id"), where)}
    reason = item.get("reason", "")
    if not isinstance(reason, str):
        raise CollectionError(f"{where}: reason: expected text, got {reason!r}; quote it")
    if reason:
        entry["reason"] = reason.strip()
    if section == "tags":
        entry["tags"] = parse_tag_list(item.get("tags"), where)
    return entry


def parse_id(raw: object, where: str) -> str:
    """Return the versionless arXiv ID of an entry, or raise CollectionError saying how to write it."""
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        raise CollectionError(f"{where}: id {raw!r} was read as a number; quote it, e.g. id: \"2501.12340\"")
    if not isinstance(raw, str):
        raise CollectionError(f"{where}: id: expected an arXiv ID like \"2501.12345\", got {raw!r}")
    try:
        return split_version(raw)[0]
    except ValueError:
        raise CollectionError(f"{where}: id {raw!r} is not an arXiv ID; write it like \"2501.12345\"") from None


def parse_tag_list(raw: object, where: str) -> tuple[str, ...]:
    """Validate a corrected tag list (empty means: no tags)."""
    if not isinstance(raw, list) or not all(isinstance(tag, str) for tag in raw):
        raise CollectionError(f"{where}: tags: expected a list like [jailbreak, evaluation], got {raw!r}")
    for tag in raw:
        if not SLUG.match(tag):
            raise CollectionError(f"{where}: tags: {tag!r} is not a tag; use the slugs of config.yaml's taxonomy")
    if len(set(raw)) != len(raw):
        raise CollectionError(f"{where}: tags: {raw!r} repeats a tag; list each once")
    return tuple(raw)


def check_known_tags(overrides: Overrides, slugs: tuple[str, ...], source: str) -> None:
    """Refuse a corrected tag that config.yaml's taxonomy does not define."""
    for paper_id, tags in overrides.tags.items():
        for tag in tags:
            if tag not in slugs:
                raise CollectionError(f"{source}: {paper_id}: tags: unknown tag {tag!r}; the taxonomy in config.yaml "
                                      f"has: {', '.join(slugs)}")


def check_conflicts(overrides: Overrides, source: str) -> None:
    """Refuse an ID that is both included and excluded, or excluded and given tags."""
    for paper_id in overrides.exclude:
        if paper_id in overrides.include:
            raise CollectionError(f"{source}: {paper_id} is in both include and exclude; remove it from one of them")
        if paper_id in overrides.tags:
            raise CollectionError(f"{source}: {paper_id} is excluded and also given tags; remove its tags entry")


def apply_overrides(accepted: list[Paper], rejected: list[Paper], overrides: Overrides,
                    rules: RelevanceRules | None = None) -> tuple[list[Paper], list[Paper]]:
    """Return (accepted, rejected) after the overrides: excluded papers move to rejected, included ones to
    accepted (tagged by `rules` when given), and corrected tags replace the rules' tags.

    Works as well on archived papers: apply_overrides(archived, [], overrides) returns (keep, drop)."""
    kept = [paper for paper in accepted if paper.id not in overrides.exclude]
    promoted = [tagged(paper, rules) for paper in rejected if paper.id in overrides.include]
    dropped = [paper for paper in accepted if paper.id in overrides.exclude]
    still_rejected = [paper for paper in rejected if paper.id not in overrides.include]
    return [corrected(paper, overrides) for paper in kept + promoted], still_rejected + dropped


def tagged(paper: Paper, rules: RelevanceRules | None) -> Paper:
    """Give a promoted paper the tags the rules would give it."""
    if rules is None:
        return paper
    extra = {key: value for key, value in paper.extra.items() if key != "why"}  # the reason it was rejected
    return paper.with_changes(tags=assign_tags(paper, rules), extra=extra)


def corrected(paper: Paper, overrides: Overrides) -> Paper:
    """Replace a paper's tags with the maintainers' correction, if there is one."""
    tags = overrides.tags.get(paper.id)
    return paper if tags is None or tags == paper.tags else paper.with_changes(tags=tags)


def missing_includes(overrides: Overrides, known_ids: set[str]) -> list[str]:
    """Return the included IDs not among `known_ids` (to fetch them by ID), sorted."""
    return sorted(set(overrides.include) - known_ids)
