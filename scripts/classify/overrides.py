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

from ..curated.entries import FieldProblem
from ..curated.schema import Rule
from ..errors import CollectionError
from ..paper import Paper, Record, split_version
from ..taxonomy import SLUG
from ..text_policy import character_problem
from ..yamlfile import load_yaml
from .relevance import RelevanceRules, assign_tags

SECTIONS = ("include", "exclude", "tags")


@dataclass(frozen=True)
class Overrides:
    """Validated overrides: versionless ID -> reason (include, exclude) and ID -> corrected tags."""

    include: dict[str, str] = field(default_factory=dict)
    exclude: dict[str, str] = field(default_factory=dict)
    tags: dict[str, tuple[str, ...]] = field(default_factory=dict)


# ---------------------------------------------------------------- field rules (the Spec style of curated/schema.py)


def entry_id(value: object) -> str:
    """The versionless arXiv ID of an entry."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise FieldProblem(f"expected an arXiv ID like \"2501.12345\", got {value!r}")
    try:
        return split_version(value)[0]
    except ValueError as error:
        raise FieldProblem(str(error)) from None


def reason(value: object) -> str:
    """Why the maintainers decided so: one text, free of hidden characters."""
    if not isinstance(value, str):
        raise FieldProblem(f"expected text, got {value!r}; quote it")
    problem = character_problem(value)
    if problem:
        raise FieldProblem(problem)
    return value.strip()


def tag_list(value: object) -> tuple[str, ...]:
    """A corrected tag list (empty means: no tags) of distinct slugs."""
    if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
        raise FieldProblem(f"expected a list like [jailbreak, evaluation], got {value!r}")
    for tag in value:
        if not SLUG.match(tag):
            raise FieldProblem(f"{tag!r} is not a tag; use the slugs of config.yaml's taxonomy")
    if len(set(value)) != len(value):
        raise FieldProblem(f"{value!r} repeats a tag; list each once")
    return tuple(value)


@dataclass(frozen=True)
class EntrySpec:
    """How the entries of one list are read: their field rules and which fields they need."""

    rules: dict[str, Rule]
    required: tuple[str, ...]


SPECS = {
    "include": EntrySpec({"id": entry_id, "reason": reason}, required=("id",)),
    "exclude": EntrySpec({"id": entry_id, "reason": reason}, required=("id",)),
    "tags": EntrySpec({"id": entry_id, "tags": tag_list, "reason": reason}, required=("id", "tags")),
}


# ---------------------------------------------------------------- reading, every problem at once


def load_overrides(path: Path) -> Overrides:
    """Read and validate the overrides file; a missing or empty file means no overrides."""
    if not path.exists():
        return Overrides()
    return parse_overrides(load_yaml(path, CollectionError), str(path))


def parse_overrides(raw: object, source: str) -> Overrides:
    """Validate parsed YAML; raise CollectionError naming the file, the entry and the fix (and how many more)."""
    overrides, problems = read_overrides(raw, source)
    if overrides is None:
        more = f" (and {len(problems) - 1} more; fix them all before rerunning)" if len(problems) > 1 else ""
        raise CollectionError(problems[0] + more)
    return overrides


def read_overrides(raw: object, source: str) -> tuple[Overrides | None, list[str]]:
    """Return the overrides (None on any problem) and every problem, one line each."""
    if raw is None:
        return Overrides(), []
    if not isinstance(raw, dict):
        return None, [f"{source}: expected a mapping with lists {', '.join(SECTIONS)}, got {type(raw).__name__}"]
    problems = [f"{source}: {key}: unknown list; allowed lists: {', '.join(SECTIONS)}"
                for key in sorted(str(key) for key in raw if key not in SECTIONS)]
    entries: dict[str, dict[str, Record]] = {}
    for section in SECTIONS:
        entries[section], section_problems = read_section(raw.get(section), section, source)
        problems += section_problems
    overrides = Overrides(
        include={paper_id: entry.get("reason", "") for paper_id, entry in entries["include"].items()},
        exclude={paper_id: entry.get("reason", "") for paper_id, entry in entries["exclude"].items()},
        tags={paper_id: entry["tags"] for paper_id, entry in entries["tags"].items()},
    )
    problems += conflict_problems(overrides, source)
    return (None, problems) if problems else (overrides, [])


def read_section(raw: object, section: str, source: str) -> tuple[dict[str, Record], list[str]]:
    """Validate one list of entries; return versionless ID -> entry, in file order, and the problems."""
    if raw is None:
        return {}, []
    if not isinstance(raw, list):
        return {}, [f"{source}: {section}: expected a list of entries like "
                    f"- {{id: \"2501.12345\", reason: \"...\"}}, got {type(raw).__name__}"]
    entries: dict[str, Record] = {}
    problems: list[str] = []
    for index, item in enumerate(raw):
        where = f"{source}: {section}[{index}]"
        entry, entry_problems = check_entry(item, section, where)
        problems += entry_problems
        if entry is None:
            continue
        if entry["id"] in entries:
            problems.append(f"{where}: {entry['id']} is listed twice in {section}; keep one entry")
        entries[entry["id"]] = entry
    return entries, problems


def check_entry(item: object, section: str, where: str) -> tuple[Record | None, list[str]]:
    """Validate one entry against its spec: a bare ID, or a mapping with an id (and tags for the tags list)."""
    spec = SPECS[section]
    if isinstance(item, (str, int, float)) and section != "tags":
        item = {"id": item}
    if not isinstance(item, dict):
        return None, [f"{where}: expected {{id: \"2501.12345\", ...}}, got {item!r}"]
    problems = [f"{where}: {key}: unknown key; allowed keys: {', '.join(spec.rules)}"
                for key in sorted(str(key) for key in item if key not in spec.rules)]
    entry: Record = {}
    for name, rule in spec.rules.items():
        if name in item or name in spec.required:
            try:
                entry[name] = rule(item.get(name))
            except FieldProblem as problem:
                problems.append(f"{where}: {name}: {problem}")
    return (None, problems) if problems else (entry, [])


def check_known_tags(overrides: Overrides, slugs: tuple[str, ...], source: str) -> None:
    """Refuse a corrected tag that config.yaml's taxonomy does not define."""
    for paper_id, tags in overrides.tags.items():
        for tag in tags:
            if tag not in slugs:
                raise CollectionError(f"{source}: {paper_id}: tags: unknown tag {tag!r}; the taxonomy in config.yaml "
                                      f"has: {', '.join(slugs)}")


def conflict_problems(overrides: Overrides, source: str) -> list[str]:
    """Report an ID that is both included and excluded, or excluded and given tags."""
    problems = []
    for paper_id in overrides.exclude:
        if paper_id in overrides.include:
            problems.append(f"{source}: {paper_id} is in both include and exclude; remove it from one of them")
        if paper_id in overrides.tags:
            problems.append(f"{source}: {paper_id} is excluded and also given tags; remove its tags entry")
    return problems


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
