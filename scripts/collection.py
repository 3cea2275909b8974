"""Curated collections under collection/: load and check the YAML, render the pages and the README blocks."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import jinja2
import yaml

from .errors import CollectionError
from .markdown import align_tables, cell
from .markers import find_block, replace_block
from .paper import abs_url, split_version
from .render import markdown_environment
from .yamlfile import load_yaml

COLLECTION_DIR = "collection"
TEMPLATE_DIR = Path("templates") / "collection"
README = "README.md"
UNKNOWN = "-"
# YAML files under collection/ that other modules own and read themselves.
OTHER_FILES = frozenset({"overrides.yaml"})
PLACEHOLDERS = re.compile(r"\b(coming soon|tbd|todo|fixme|lorem ipsum)\b", re.IGNORECASE)
EXAMPLE_HOSTS = re.compile(r"^(?:[\w-]+\.)*(?:example\.(?:com|org|net)|localhost)$", re.IGNORECASE)
# No spaces, parentheses, angle brackets, quotes or backticks: they could close a Markdown link or open HTML.
URL = re.compile(r"""^https://(?P<host>[A-Za-z0-9.-]+\.[A-Za-z]{2,})(?::\d+)?(?:[/?#][^\s()<>"'`]*)?$""")
ARXIV_URL = re.compile(r"^https?://(?:www\.)?arxiv\.org/(?:abs|pdf)/(?P<id>[^?#]+?)(?:\.pdf)?/?$")
MODALITIES = ("text", "image", "audio", "video")
# Headings the awesome-lint ToC rule leaves out of Contents.
TOC_SKIPPED = frozenset({"Contributing", "Footnotes", "Related Lists"})


class FieldProblem(ValueError):
    """One field's value is unusable; the message says what is wrong and how to write it."""


# ---------------------------------------------------------------- typed entries


@dataclass(frozen=True)
class ReasoningModel:
    """A reasoning model: who released it, when, how open, trained how, reading what."""

    name: str
    organisation: str
    released: str
    access: str
    technique: str
    modality: tuple[str, ...]
    paper: str
    url: str


@dataclass(frozen=True)
class Resource:
    """A dataset, benchmark or key study, aimed at LLMs in general or at reasoning models."""

    name: str
    targets: str
    type: str
    paper: str
    url: str
    description: str


@dataclass(frozen=True)
class Survey:
    """A survey paper on reasoning models or on model safety."""

    title: str
    topic: str
    paper: str
    description: str

    @property
    def name(self) -> str:
        """The title, so every kind of entry has a name."""
        return self.title


@dataclass(frozen=True)
class Tool:
    """A tool or project with code to run."""

    name: str
    url: str
    paper: str
    description: str


@dataclass(frozen=True)
class Reference:
    """A source the list builds on or a standard it follows."""

    name: str
    url: str
    description: str


@dataclass(frozen=True)
class Domain:
    """One safety domain of the taxonomy diagram, with its sub-types."""

    name: str
    description: str
    parts: tuple[str, ...]


@dataclass(frozen=True)
class Collections:
    """Every curated collection, validated, in file order."""

    reasoning_models: tuple[ReasoningModel, ...]
    datasets: tuple[Resource, ...]
    surveys: tuple[Survey, ...]
    tools: tuple[Tool, ...]
    references: tuple[Reference, ...]
    domains: tuple[Domain, ...]


def entry_link(entry) -> str:
    """The entry's main link: its url, else its arXiv abstract page, else ''."""
    url, paper = getattr(entry, "url", UNKNOWN), getattr(entry, "paper", UNKNOWN)
    if url != UNKNOWN:
        return url
    return abs_url(paper) if paper != UNKNOWN else ""


def arxiv_month(paper: str) -> str:
    """YYYY-MM of first submission encoded in a new-style arXiv ID, else '-'."""
    match = re.match(r"^(\d{2})(\d{2})\.\d{4,5}$", paper)
    return f"20{match[1]}-{match[2]}" if match else UNKNOWN


def curated_arxiv_ids(collections: Collections) -> frozenset[str]:
    """Every arXiv ID a curated section links, so other blocks can avoid linking it twice (awesome-lint double-link)."""
    ids = set()
    for stem in SPECS:
        for entry in getattr(collections, stem):
            ids.update(key.removeprefix("arxiv:") for key in link_keys(entry) if key.startswith("arxiv:"))
    return frozenset(ids)


# ---------------------------------------------------------------- field rules


def text(value: object) -> str:
    """A non-empty single line of text that is not a placeholder."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise FieldProblem(f"must be text, not {describe(value)}")
    value = str(value).strip()
    if not value or "\n" in value:
        raise FieldProblem("must be one non-empty line of text")
    if PLACEHOLDERS.search(value):
        raise FieldProblem(f"{value!r} is a placeholder; write the fact, or '-' where the field allows it")
    return value


def sentence(value: object) -> str:
    """Text that awesome-lint accepts as a description: capital first, full stop last, balanced quotes."""
    value = text(value)
    if not (value[0].isupper() or value[0].isdigit() or value[0] == '"'):
        raise FieldProblem(f"{value!r} must start with a capital letter or a digit")
    if value[-1] not in ".!?":
        raise FieldProblem(f"{value!r} must end with a full stop")
    if value.count('"') % 2 or value.count("(") != value.count(")"):
        raise FieldProblem(f"{value!r} has an unbalanced quote or parenthesis")
    return value


def choice(*allowed: str):
    """A rule accepting one of the allowed words."""

    def rule(value: object) -> str:
        if value not in allowed:
            raise FieldProblem(f"{value!r} is not allowed; write one of: {', '.join(allowed)}")
        return value

    return rule


def or_unknown(rule):
    """A rule that also accepts '-' for an unknown fact."""

    def lenient(value: object):
        return UNKNOWN if value == UNKNOWN else rule(value)

    lenient.allows_unknown = True
    return lenient


def release_date(value: object) -> str:
    """A calendar date written YYYY-MM-DD (YAML may hand it over already parsed)."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            pass
    raise FieldProblem(f"{value!r} is not a date; write it as YYYY-MM-DD, e.g. 2025-01-22")


def arxiv_id(value: object) -> str:
    """A versionless arXiv ID written as a quoted string."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise FieldProblem(f"{value!r} was read as a number, which drops trailing zeros; quote it, e.g. '2410.09020'")
    if not isinstance(value, str):
        raise FieldProblem(f"must be an arXiv ID in quotes, not {describe(value)}")
    try:
        versionless, _ = split_version(value)
    except ValueError:
        raise FieldProblem(f"{value!r} is not an arXiv ID; write it like '2402.04249'") from None
    if versionless != value.strip():
        raise FieldProblem(f"{value!r} has a version suffix; write '{versionless}' so the link follows the latest version")
    if re.fullmatch(r"(1[5-9]|[2-9]\d)\d{2}\.\d{4}", versionless):
        raise FieldProblem(f"{value!r} is not an arXiv ID: since 2015 the number after the dot has 5 digits, e.g. '2402.04249'")
    return versionless


def https_url(value: object) -> str:
    """An absolute https:// URL to a real host."""
    if not isinstance(value, str):
        raise FieldProblem(f"must be an https:// URL, not {describe(value)}")
    match = URL.match(value.strip())
    if match is None:
        raise FieldProblem(f"{value!r} is not a full https:// URL; write it like https://github.com/owner/repo")
    if EXAMPLE_HOSTS.match(match["host"]):
        raise FieldProblem(f"{value!r} points at a placeholder host; link the real page")
    return value.strip()


def modality(value: object) -> tuple[str, ...]:
    """A non-empty list of distinct input modalities."""
    if not isinstance(value, list) or not value:
        raise FieldProblem(f"must be a list like [text, image] or '-', not {describe(value)}")
    kinds = tuple(choice(*MODALITIES)(item) for item in value)
    if len(set(kinds)) != len(kinds):
        raise FieldProblem(f"{value!r} repeats a modality; list each once")
    return kinds


def parts(value: object) -> tuple[str, ...]:
    """A list (possibly empty) of short labels."""
    if not isinstance(value, list):
        raise FieldProblem(f"must be a list like [White box, Black box] or [], not {describe(value)}")
    return tuple(text(item) for item in value)


def describe(value: object) -> str:
    """Name a YAML value's kind for an error message."""
    kinds = {dict: "a mapping", list: "a list", bool: "true/false", type(None): "an empty value"}
    return kinds.get(type(value), f"{type(value).__name__} {value!r}")


# ---------------------------------------------------------------- schema


@dataclass(frozen=True)
class Spec:
    """How one collection file is read: its entry type, its field rules, and whether entries need a link."""

    kind: type
    rules: dict
    needs_link: bool = False
    label: str = "name"


SPECS: dict[str, Spec] = {
    "reasoning_models": Spec(ReasoningModel, {
        "name": text, "organisation": text, "released": or_unknown(release_date),
        "access": choice("open", "closed"), "technique": or_unknown(text), "modality": or_unknown(modality),
        "paper": or_unknown(arxiv_id), "url": or_unknown(https_url)}),
    "datasets": Spec(Resource, {
        "name": text, "targets": choice("llm", "reasoning"),
        "type": choice("benchmark", "dataset", "study", "attack", "defence"),
        "paper": or_unknown(arxiv_id), "url": or_unknown(https_url), "description": sentence}, needs_link=True),
    "surveys": Spec(Survey, {
        "title": text, "topic": choice("reasoning", "safety"), "paper": arxiv_id, "description": sentence},
        label="title"),
    "tools": Spec(Tool, {
        "name": text, "url": or_unknown(https_url), "paper": or_unknown(arxiv_id), "description": sentence},
        needs_link=True),
    "references": Spec(Reference, {"name": text, "url": https_url, "description": sentence}),
    "domains": Spec(Domain, {"name": text, "description": sentence, "parts": parts}),
}


# ---------------------------------------------------------------- loading


@dataclass(frozen=True)
class Located:
    """A validated entry with where it came from, for messages about duplicates."""

    entry: object
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
    lines, repeated = [], []
    for item in node.value:
        lines.append(item.start_mark.line + 1)
        if isinstance(item, yaml.MappingNode):
            counts = Counter(key.value for key, _ in item.value)
            repeated.extend(f"line {item.start_mark.line + 1}: field '{key}'" for key, n in counts.items() if n > 1)
    return lines, repeated


def check_entry(raw: object, spec: Spec, where: str) -> tuple[object | None, list[str]]:
    """Validate one raw entry against its spec; return the typed entry (or None) and the problems."""
    if not isinstance(raw, dict):
        return None, [f"{where}: is {describe(raw)}, not a set of fields; write it as '- {spec.label}: ...' with one field per line"]
    problems = [f"{where}: unknown field '{key}'; use only: {', '.join(spec.rules)}" for key in raw if key not in spec.rules]
    values = {}
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
    entry = spec.kind(**values)
    return entry, entry_problems(entry, spec, where)


def entry_problems(entry, spec: Spec, where: str) -> list[str]:
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


def link_keys(entry) -> set[str]:
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
    scheme, _, rest = url.partition("://")
    host, slash, path = rest.partition("/")
    return f"{host.lower().removeprefix('www.')}{slash}{path}".rstrip("/")


def duplicate_problems(files: dict[str, list[Located]]) -> list[str]:
    """Report names repeated within a file and links (arXiv ID or URL) repeated anywhere."""
    problems, seen_links = [], {}
    for stem, located in files.items():
        seen_names = {}
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


def read_collections(root: Path) -> tuple[Collections | None, list[str]]:
    """Load every collection file; return the collections (None on any problem) and every problem found."""
    files, problems = {}, stray_files(root)
    for stem in SPECS:
        files[stem], file_problems = read_file(root, stem)
        problems += file_problems
    problems += duplicate_problems(files)
    if problems:
        return None, problems
    return Collections(**{stem: tuple(item.entry for item in located) for stem, located in files.items()}), []


def find_collection_problems(root: Path) -> list[str]:
    """Every problem in the collection files, one line each (empty when all is well)."""
    return read_collections(root)[1]


def load_collections(root: Path) -> Collections:
    """Load and validate collection/*.yaml; raise CollectionError naming file, entry, field and fix."""
    collections, problems = read_collections(root)
    if problems:
        more = f" (and {len(problems) - 1} more; run python -m scripts.validate to list them all)" if len(problems) > 1 else ""
        raise CollectionError(problems[0] + more)
    return collections


# ---------------------------------------------------------------- rendering

# README block name -> the collection it is rendered from (CONTENTS comes from the README's own headings).
README_BLOCKS = {
    "OPEN_MODELS": "reasoning_models",
    "CLOSED_MODELS": "reasoning_models",
    "SAFETY_DOMAINS": "domains",
    "DATASETS_LLM": "datasets",
    "DATASETS_REASONING": "datasets",
    "SURVEYS_REASONING": "surveys",
    "SURVEYS_SAFETY": "surveys",
    "TOOLS": "tools",
    "REFERENCES": "references",
}
CONTENTS = "CONTENTS"


def mermaid_label(value: str) -> str:
    """Text safe inside a quoted Mermaid node label."""
    return value.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def environment(root: Path) -> jinja2.Environment:
    """The Jinja2 environment for templates/collection/, with the filters its templates use."""
    env = markdown_environment(root / TEMPLATE_DIR)
    env.filters.update(cell=cell, link=entry_link, month=arxiv_month, mermaid=mermaid_label, abs_url=abs_url)
    return env


def render_template(env: jinja2.Environment, name: str, collections: Collections) -> str:
    """Render one template with the collections and align its tables."""
    return align_tables(env.get_template(name).render(c=collections))


def heading_slugs(markdown: str) -> list[tuple[int, str, str]]:
    """(level, text, GitHub anchor) of every ATX heading outside code fences, in order."""
    headings, used, fence = [], Counter(), ""
    for line in markdown.split("\n"):
        marker = re.match(r"^ {0,3}(`{3,}|~{3,})", line)
        if marker and not fence:
            fence = marker[1]
        elif marker and marker[1][0] == fence[0] and len(marker[1]) >= len(fence):
            fence = ""
        heading = None if fence or marker else re.match(r"^(#{1,6})\s+(.+?)(?:\s+#+)?\s*$", line)
        if heading:
            slug = re.sub(r"[^\w\- ]", "", heading[2].lower()).replace(" ", "-")
            headings.append((len(heading[1]), heading[2], slug if not used[slug] else f"{slug}-{used[slug]}"))
            used[slug] += 1
    return headings


def contents_block(readme_text: str) -> str:
    """The Contents list: every ## and ### heading after '## Contents', linked to its anchor."""
    lines, started, listed = [], False, False
    for level, title, anchor in heading_slugs(readme_text):
        if level == 2 and title == "Contents":
            started = True
        elif started and level == 2:
            listed = title not in TOC_SKIPPED
            lines += [f"- [{title}](#{anchor})"] if listed else []
        elif started and level == 3 and listed:
            lines.append(f"  - [{title}](#{anchor})")
    return "\n".join(lines)


def render_readme(env: jinja2.Environment, collections: Collections, readme_text: str) -> str:
    """README text with every collection block and then the Contents block replaced."""
    for block in README_BLOCKS:
        content = render_template(env, f"readme/{block.lower()}.md.j2", collections)
        readme_text = replace_block(readme_text, block, content, README)
    return replace_block(readme_text, CONTENTS, contents_block(readme_text), README)


def render_collection_outputs(root: Path, collections: Collections, readme_text: str) -> dict[Path, str]:
    """Full expected text of every collection/*.md page and of README.md (the LATEST_PAPERS block untouched)."""
    env = environment(root)
    outputs = {root / COLLECTION_DIR / f"{stem}.md": render_template(env, f"pages/{stem}.md.j2", collections)
               for stem in SPECS}
    outputs[root / README] = render_readme(env, collections, readme_text)
    return outputs


def stale_readme_blocks(expected: str, actual: str) -> list[str]:
    """Names of the generated README blocks whose text differs between expected and actual."""
    stale = []
    for block in (*README_BLOCKS, CONTENTS):
        want, have = find_block(expected, block, README), find_block(actual, block, README)
        if expected[want[0]:want[1]] != actual[have[0]:have[1]]:
            stale.append(block)
    return stale
