"""Read collection/*.yaml through the schema: every problem of every file at once, duplicates across files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import yaml

from ..errors import CollectionError, ConfigError
from ..paper import split_version
from ..taxonomy import Domain, parse_taxonomy, slugs
from ..yamlfile import load_yaml, repeated_keys
from .entries import ARXIV_URL, COLLECTION_DIR, OTHER_FILES, UNKNOWN, Collections, Entry, FieldProblem, entry_link
from .entries import Domain as CuratedDomain
from .schema import SPECS, Spec, describe

# ---------------------------------------------------------------- loading


@dataclass(frozen=True)
class Located:
    """A validated entry with where it came from, for messages about duplicates."""

    entry: Entry
    where: str


def entry_where(source: str, index: int, raw: object, label: str, line: int | None) -> str:
    """Name an entry in messages: file, 1-based position, name and line."""
    name = raw.get(label) if isinstance(raw, dict) else None
    named = f" {str(name)!r}" if isinstance(name, (str, int, float)) and str(name).strip() else ""
    at = f" (line {line})" if line else ""
    return f"{source}: entry {index}{named}{at}"


def entry_lines(path: Path) -> tuple[list[int], list[str]]:
    """Return each top-level entry's line number and any field written twice in one entry."""
    node = yaml.compose(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if not isinstance(node, yaml.SequenceNode):
        return [], []
    lines: list[int] = []
    repeated: list[str] = []
    for item in node.value:
        lines.append(item.start_mark.line + 1)
        if isinstance(item, yaml.MappingNode):
            keys = dict.fromkeys(key.value for key in repeated_keys(item))
            repeated.extend(f"line {item.start_mark.line + 1}: field '{key}'" for key in keys)
    return lines, repeated


def check_entry(raw: object, spec: Spec, where: str) -> tuple[Entry | None, list[str]]:
    """Validate one raw entry against its spec; return the typed entry (or None) and the problems."""
    if not isinstance(raw, dict):
        return None, [f"{where}: is {describe(raw)}, not a set of fields; write it as '- {spec.label}: ...' with one field per line"]
    problems = [f"{where}: unknown field '{key}'; use only: {', '.join(spec.rules)}" for key in raw if key not in spec.rules]
    values: dict[str, object] = {}
    for field, rule in spec.rules.items():
        if field not in raw:
            hint = " (write '-' if the fact is unknown)" if getattr(rule, "allows_unknown", False) else ""
            problems.append(f"{where}: field '{field}' is missing; add it{hint}")
            continue
        try:
            values[field] = rule(raw[field])
        except FieldProblem as problem:
            problems.append(f"{where}: field '{field}': {problem}")
    if problems:
        return None, problems
    entry: Entry = spec.kind(**values)
    return entry, entry_problems(entry, spec, where)


def entry_problems(entry: Entry, spec: Spec, where: str) -> list[str]:
    """Checks that span fields: a link to follow, a description that does not repeat the name."""
    problems = []
    if spec.needs_link and not entry_link(entry):
        problems.append(f"{where}: field 'url': both paper and url are '-'; set at least one so the entry has a link")
    description = getattr(entry, "description", "")
    if description.casefold().startswith(entry.name.casefold()):
        problems.append(f"{where}: field 'description' starts with the name; start with what it is (awesome-lint rule)")
    return problems


def read_file(root: Path, stem: str) -> tuple[list[Located], list[str]]:
    """Load and validate one collection file; return its located entries and its problems."""
    path, source = root / COLLECTION_DIR / f"{stem}.yaml", f"{COLLECTION_DIR}/{stem}.yaml"
    if not path.exists():
        return [], [f"{source}: file is missing; restore it (git checkout -- {source}) or add it with at least one entry"]
    try:
        raw = load_yaml(path, CollectionError)
    except CollectionError as error:
        return [], [str(error)]
    if not isinstance(raw, list) or not raw:
        return [], [f"{source}: expected a non-empty list of entries ('- {SPECS[stem].label}: ...'), found {describe(raw)}"]
    lines, repeated = entry_lines(path)
    problems = [f"{source}: {place} is written twice; keep one" for place in repeated]
    located = []
    for index, item in enumerate(raw, start=1):
        line = lines[index - 1] if index <= len(lines) else None
        where = entry_where(source, index, item, SPECS[stem].label, line)
        entry, entry_issues = check_entry(item, SPECS[stem], where)
        problems += entry_issues
        if entry is not None:
            located.append(Located(entry, where))
    return located, problems


def link_keys(entry: Entry) -> set[str]:
    """Identities an entry links to: its arXiv ID and its normalised URL (an arXiv URL counts as its ID)."""
    keys = set()
    paper, url = getattr(entry, "paper", UNKNOWN), getattr(entry, "url", UNKNOWN)
    if paper != UNKNOWN:
        keys.add(f"arxiv:{paper}")
    if url != UNKNOWN:
        match = ARXIV_URL.match(url)
        linked = versionless_arxiv(match["id"]) if match else ""
        keys.add(f"arxiv:{linked}" if linked else f"url:{normal_url(url)}")
    return keys


def versionless_arxiv(candidate: str) -> str:
    """The versionless arXiv ID the text is, or '' when it is not one."""
    try:
        return split_version(candidate)[0]
    except ValueError:
        return ""


def normal_url(url: str) -> str:
    """Compare URLs without scheme case, host case, 'www.' or a trailing slash."""
    _, _, rest = url.partition("://")
    host, slash, path = rest.partition("/")
    return f"{host.lower().removeprefix('www.')}{slash}{path}".rstrip("/")


def duplicate_problems(files: dict[str, list[Located]]) -> list[str]:
    """Report names repeated within a file and links (arXiv ID or URL) repeated anywhere."""
    problems: list[str] = []
    seen_links: dict[str, str] = {}
    for located in files.values():
        seen_names: dict[str, str] = {}
        for item in located:
            name = " ".join(item.entry.name.casefold().split())
            if name in seen_names:
                problems.append(f"{item.where}: same name as {seen_names[name]}; remove one or merge them")
            seen_names.setdefault(name, item.where)
            for key in sorted(link_keys(item.entry)):
                if key in seen_links:
                    what = key.replace("arxiv:", "arXiv ID ").replace("url:", "URL ")
                    problems.append(f"{item.where}: {what} is already listed at {seen_links[key]}; keep one of them")
                seen_links.setdefault(key, item.where)
    return problems


def stray_files(root: Path) -> list[str]:
    """Report YAML files under collection/ that no one reads (a typo in a file name loses its entries)."""
    known = {f"{stem}.yaml" for stem in SPECS} | OTHER_FILES
    folder = root / COLLECTION_DIR
    found = sorted(path.name for pattern in ("*.yaml", "*.yml") for path in folder.glob(pattern)) if folder.is_dir() else []
    return [f"{COLLECTION_DIR}/{name}: not a collection file; move its entries into one of {', '.join(sorted(known - OTHER_FILES))}"
            for name in found if name not in known]


def configured_taxonomy(root: Path) -> tuple[Domain, ...] | None:
    """The taxonomy of root's config.yaml, or None when it has none to check against (its own problems are
    reported by the config checks)."""
    path = root / "config.yaml"
    try:
        raw = load_yaml(path, ConfigError) if path.exists() else None
        return parse_taxonomy(raw["taxonomy"], str(path)) if isinstance(raw, dict) and "taxonomy" in raw else None
    except ConfigError:
        return None


def tag_problems(root: Path, domains: list[Located], taxonomy: tuple[Domain, ...] | None = None) -> list[str]:
    """Report curated domains mapped onto tags that the taxonomy (given, else root's config.yaml's) does not define."""
    taxonomy = configured_taxonomy(root) if taxonomy is None else taxonomy
    if taxonomy is None:
        return []
    known = slugs(taxonomy)
    return [f"{item.where}: field 'tags': {tag!r} is not a domain of config.yaml's taxonomy; use one of: {', '.join(known)}"
            for item in domains if isinstance(item.entry, CuratedDomain) for tag in item.entry.tags if tag not in known]


def read_collections(root: Path, taxonomy: tuple[Domain, ...] | None = None) -> tuple[Collections | None, list[str]]:
    """Load every collection file; return the collections (None on any problem) and every problem found. Curated
    domains are checked against `taxonomy`, the loaded config's (root's config.yaml when not given)."""
    files, problems = {}, stray_files(root)
    for stem in SPECS:
        files[stem], file_problems = read_file(root, stem)
        problems += file_problems
    problems += duplicate_problems(files) + tag_problems(root, files["domains"], taxonomy)
    if problems:
        return None, problems
    entries = {stem: tuple(item.entry for item in located) for stem, located in files.items()}
    return Collections(**cast("dict[str, Any]", entries)), []  # each file's Spec built entries of its kind


def find_collection_problems(root: Path) -> list[str]:
    """Every problem in the collection files, one line each (empty when all is well)."""
    return read_collections(root)[1]


def load_collections(root: Path, taxonomy: tuple[Domain, ...] | None = None) -> Collections:
    """Load and validate collection/*.yaml; raise CollectionError naming file, entry, field and fix."""
    collections, problems = read_collections(root, taxonomy)
    if collections is None:
        more = f" (and {len(problems) - 1} more; run python -m scripts.validate to list them all)" if len(problems) > 1 else ""
        raise CollectionError(problems[0] + more)
    return collections



def curated_arxiv_ids(collections: Collections) -> frozenset[str]:
    """Every arXiv ID a curated section links, so other blocks can avoid linking it twice (awesome-lint double-link)."""
    ids: set[str] = set()
    for stem in SPECS:
        for entry in getattr(collections, stem):
            ids.update(key.removeprefix("arxiv:") for key in link_keys(entry) if key.startswith("arxiv:"))
    return frozenset(ids)
