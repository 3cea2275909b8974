"""The one schema of collection/*.yaml: field rules and a Spec a file, reporting every problem at once."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from ..paper import split_version
from ..taxonomy import SLUG
from ..text_policy import forbidden_character
from .entries import (
    EXAMPLE_HOSTS,
    MODALITIES,
    PLACEHOLDERS,
    UNKNOWN,
    URL,
    Domain,
    FieldProblem,
    ReasoningModel,
    Reference,
    Resource,
    Survey,
    Tool,
)

# What a URL may hold and still be a plain Markdown link target: ASCII, no space, quote, backslash, pipe, bracket,
# brace, caret or backtick (they end a table cell or a link, or escape the character after them).
CONTROL_NAMES = {"\r": "carriage return", "\0": "NUL", "\x1b": "escape", "\t": "tab", "\x7f": "delete"}
URL_CHARACTERS = re.compile(r"[A-Za-z0-9\-._~:/?#@!$&*+,;=%]*")

# ---------------------------------------------------------------- field rules

Rule = Callable[[object], object]  # returns the checked value or raises FieldProblem


def visible(value: str) -> str:
    """Refuse a control, bidi or zero-width character, naming it and where it is."""
    char = forbidden_character(value)
    if char is not None:
        name = CONTROL_NAMES.get(char) or unicodedata.name(char, "a control character").lower()
        raise FieldProblem(f"contains U+{ord(char):04X} ({name}) at character {value.index(char) + 1}; delete it "
                           "(invisible characters can reorder or hide text, or break the page)")
    return value


def text(value: object) -> str:
    """A non-empty single line of text that is not a placeholder."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise FieldProblem(f"must be text, not {describe(value)}")
    value = str(value).strip()
    if not value or "\n" in value:
        raise FieldProblem("must be one non-empty line of text")
    visible(value)
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


def choice(*allowed: str) -> Callable[[object], str]:
    """A rule accepting one of the allowed words."""

    def rule(value: object) -> str:
        if not isinstance(value, str) or value not in allowed:
            raise FieldProblem(f"{value!r} is not allowed; write one of: {', '.join(allowed)}")
        return value

    return rule


@dataclass(frozen=True)
class or_unknown:  # a rule like its neighbours, so named like them
    """A rule that also accepts '-' for an unknown fact."""

    rule: Rule
    allows_unknown = True

    def __call__(self, value: object) -> object:
        return UNKNOWN if value == UNKNOWN else self.rule(value)


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
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise FieldProblem(f"must be an arXiv ID in quotes, not {describe(value)}")
    try:
        versionless, _ = split_version(value)
    except ValueError as error:
        raise FieldProblem(str(error)) from None
    if versionless != str(value).strip():
        raise FieldProblem(f"{value!r} has a version suffix; write '{versionless}' so the link follows the latest version")
    return versionless


def https_url(value: object) -> str:
    """An absolute https:// URL to a real host."""
    if not isinstance(value, str):
        raise FieldProblem(f"must be an https:// URL, not {describe(value)}")
    url = value.strip()
    bad = URL_CHARACTERS.sub("", url)
    if bad and url.startswith("https://"):
        raise FieldProblem(f"{url!r} contains {bad[0]!r}, which cannot stand in a Markdown link or table; "
                           "percent-encode it (e.g. %7C for |, %5C for \\, %20 for a space)")
    match = URL.match(url)
    if match is None:
        raise FieldProblem(f"{value!r} is not a full https:// URL; write it like https://github.com/owner/repo")
    if EXAMPLE_HOSTS.match(match["host"]):
        raise FieldProblem(f"{value!r} points at a placeholder host; link the real page")
    return url


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


def tag_slugs(value: object) -> tuple[str, ...]:
    """A non-empty list of distinct tag slugs (checked against config.yaml's taxonomy once every file is read)."""
    if not isinstance(value, list) or not value:
        raise FieldProblem(f"must be a list of taxonomy slugs like [jailbreak, backdoor], not {describe(value)}")
    slugs = tuple(text(item) for item in value)
    for slug in slugs:
        if not SLUG.match(slug):
            raise FieldProblem(f"{slug!r} is not a tag slug; use a slug of config.yaml's taxonomy, e.g. jailbreak")
    if len(set(slugs)) != len(slugs):
        raise FieldProblem(f"{value!r} repeats a tag; list each once")
    return slugs


def describe(value: object) -> str:
    """Name a YAML value's kind for an error message."""
    kinds = {dict: "a mapping", list: "a list", bool: "true/false", type(None): "an empty value"}
    return kinds.get(type(value), f"{type(value).__name__} {value!r}")


# ---------------------------------------------------------------- schema


@dataclass(frozen=True)
class Spec:
    """How one collection file is read: its entry type, its field rules, and whether entries need a link."""

    kind: type
    rules: dict[str, Rule]
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
    "domains": Spec(Domain, {"name": text, "description": sentence, "parts": parts, "tags": tag_slugs}),
}
