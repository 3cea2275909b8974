"""Curated entries: one frozen dataclass a collection file, and the links they carry."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..paper import abs_url

COLLECTION_DIR = "collection"
TEMPLATE_DIR = Path("templates") / "collection"
README = "README.md"
UNKNOWN = "-"
# Files and folders under collection/ that other modules own and read themselves (labels/: the filter's training labels).
OTHER_FILES = frozenset({"overrides.yaml", "labels"})
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
    """One safety domain of the taxonomy diagram, with its sub-types and the taxonomy tags its papers carry."""

    name: str
    description: str
    parts: tuple[str, ...]
    tags: tuple[str, ...]


@dataclass(frozen=True)
class Collections:
    """Every curated collection, validated, in file order."""

    reasoning_models: tuple[ReasoningModel, ...]
    datasets: tuple[Resource, ...]
    surveys: tuple[Survey, ...]
    tools: tuple[Tool, ...]
    references: tuple[Reference, ...]
    domains: tuple[Domain, ...]


Entry = ReasoningModel | Resource | Survey | Tool | Reference | Domain


def entry_link(entry: Entry) -> str:
    """The entry's main link: its url, else its arXiv abstract page, else ''."""
    url, paper = getattr(entry, "url", UNKNOWN), getattr(entry, "paper", UNKNOWN)
    if url != UNKNOWN:
        return url
    return abs_url(paper) if paper != UNKNOWN else ""


def arxiv_month(paper: str) -> str:
    """YYYY-MM of first submission encoded in a new-style arXiv ID, else '-'."""
    match = re.match(r"^(\d{2})(\d{2})\.\d{4,5}$", paper)
    return f"20{match[1]}-{match[2]}" if match else UNKNOWN
