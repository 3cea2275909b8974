"""Load config.yaml into typed, validated settings; apply environment overrides."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .classify.relevance import RelevanceRules, parse_rules
from .errors import ConfigError
from .schema import Section
from .taxonomy import Domain, parse_taxonomy
from .yamlfile import load_yaml

DEFAULT_API_URL = "https://export.arxiv.org/api/query"
ARXIV_MAX_PAGE = 2000
FIELD_PREFIXES = ("ti", "abs", "au", "co", "jr", "cat", "all")
CATEGORY = re.compile(r"^[a-z-]+(\.[A-Za-z-]+)?$")
SECTIONS = ("list", "arxiv", "relevance", "tags", "taxonomy", "audit")
# Terms are letters, digits, spaces, hyphens and periods: anything else (parentheses, colons, quotes, brackets) can
# restructure arXiv's boolean query and silently drop the category filter. AND, OR and ANDNOT are its operators.
TERM = re.compile(r"[^\W_](?:[\w .-]*[^\W_.-])?")
OPERATORS = frozenset({"AND", "OR", "ANDNOT"})
# The scheduled update must finish inside its workflow's limit (.github/workflows/update.yml: timeout-minutes: 60).
WORKFLOW_SECONDS = 60 * 60
WAIT_BUDGET_SECONDS = 20 * 60  # the most one run pauses between tries, whatever arXiv answers
PAGE_BUDGET_SECONDS = 40 * 60  # one page's worst case: every try timing out, plus every pause
RATE_LIMITED_FACTOR = 5  # HTTP 429 (too many requests) backs off five times longer than 503
MAX_DELAY_SECONDS = 60


@dataclass(frozen=True)
class ListSettings:
    """How the list presents itself."""

    readme_papers: int
    repository_url: str


@dataclass(frozen=True)
class ArxivSettings:
    """What to ask arXiv, and how politely."""

    categories: tuple[str, ...]
    all_of: tuple[tuple[str, ...], ...]
    exclude: tuple[str, ...]
    fields: tuple[str, ...]
    delay_seconds: float
    page_size: int
    retries: int
    timeout_seconds: float
    lookback_days: int
    first_run_days: int
    api_url: str

    def backoff(self, attempt: int, rate_limited: bool) -> float:
        """Seconds to pause after failed try `attempt` (from 0): the delay doubled per try, longer after HTTP 429."""
        return self.delay_seconds * (1 << (attempt + 1)) * (RATE_LIMITED_FACTOR if rate_limited else 1)

    def worst_wait(self) -> float:
        """Seconds one page can pause in all when every try is answered HTTP 429 (Retry-After aside)."""
        return sum(self.backoff(attempt, rate_limited=True) for attempt in range(self.retries))


@dataclass(frozen=True)
class Config:
    """The whole validated configuration."""

    path: Path
    list: ListSettings
    arxiv: ArxivSettings
    relevance: RelevanceRules | None
    taxonomy: tuple[Domain, ...]
    audit_limit: int


def parse_list(raw: object, source: Path) -> ListSettings:
    """Validate the `list:` section."""
    section = Section(raw, "list", source, ("readme_papers", "repository_url"))
    url = section.text("repository_url", "https://github.com/awesome-lrm-safety/awesome-lrm-safety")
    if not url.startswith("https://"):
        raise section.fail("repository_url", f"expected an https:// URL, got {url!r}")
    return ListSettings(readme_papers=section.integer("readme_papers", 20, 1, 200), repository_url=url.rstrip("/"))


def parse_term_groups(section: Section) -> tuple[tuple[str, ...], ...]:
    """Validate `arxiv.all_of`: a non-empty list of non-empty term lists."""
    groups = section.raw.get("all_of")
    if not isinstance(groups, list) or not groups:
        raise section.fail("all_of", "expected a list of term groups, e.g. [[safety, jailbreak], [LLM, agent]]")
    checked = []
    for index, group in enumerate(groups):
        if not isinstance(group, list) or not group or not all(isinstance(term, str) and term.strip() for term in group):
            raise section.fail(f"all_of[{index}]", f"expected a non-empty list of terms, got {group!r}")
        checked.append(check_terms(section, f"all_of[{index}]", group))
    return tuple(checked)


def check_terms(section: Section, key: str, terms: list[object]) -> tuple[str, ...]:
    """Return the stripped terms; refuse any that could change the query's structure, naming the key and the fix."""
    for term in (str(term).strip() for term in terms):
        if not TERM.fullmatch(term):
            bad = next((char for char in term if not (char.isalnum() or char in " .-")), None)
            problem = f"contains {bad!r}, which changes the structure of arXiv's query" if bad else \
                "must start and end with a letter or digit"
            raise section.fail(key, f"term {term!r} {problem}; use letters, digits, spaces, hyphens and periods only "
                                    "(phrases are quoted automatically; write variants like LLM and LLMs as two terms)")
        if OPERATORS.intersection(term.split()):
            raise section.fail(key, f"term {term!r} contains an arXiv query operator (AND, OR, ANDNOT); "
                                    "write it in lower case or split it into separate terms")
    return tuple(str(term).strip() for term in terms)


def parse_arxiv(raw: object, source: Path, environ: Mapping[str, str]) -> ArxivSettings:
    """Validate the `arxiv:` section and apply ARXIV_API_URL / ARXIV_DELAY_SECONDS."""
    allowed = ("categories", "all_of", "exclude", "fields", "delay_seconds", "page_size", "retries",
               "timeout_seconds", "lookback_days", "first_run_days")
    section = Section(raw, "arxiv", source, allowed)
    settings = ArxivSettings(
        categories=section.words("categories", pattern=CATEGORY),
        all_of=parse_term_groups(section),
        exclude=check_terms(section, "exclude", list(section.words("exclude", []))),
        fields=section.words("fields", ["ti", "abs"], pattern=re.compile(f"^({'|'.join(FIELD_PREFIXES)})$")),
        delay_seconds=env_delay(environ, section.number("delay_seconds", 3.0, 0, MAX_DELAY_SECONDS)),
        page_size=section.integer("page_size", ARXIV_MAX_PAGE, 1, ARXIV_MAX_PAGE),
        retries=section.integer("retries", 3, 0, 10),
        timeout_seconds=section.number("timeout_seconds", 120, 1, 3600),
        lookback_days=section.integer("lookback_days", 7, 0, 365),
        first_run_days=section.integer("first_run_days", 14, 1, 3650),
        api_url=env_api_url(environ),
    )
    check_wait_budget(section, settings)
    return settings


def check_wait_budget(section: Section, settings: ArxivSettings) -> None:
    """Refuse retry settings under which one failing page could outlast the update workflow's time limit."""
    wait, tries = settings.worst_wait(), settings.retries + 1
    limit = f"the update workflow stops after {WORKFLOW_SECONDS // 60} minutes"
    if wait > WAIT_BUDGET_SECONDS:
        raise section.fail("retries", f"{settings.retries} retries with delay_seconds {settings.delay_seconds:g} "
                                      f"could pause {wait:.0f} s on one page when arXiv answers HTTP 429, more than "
                                      f"the {WAIT_BUDGET_SECONDS} s a run may wait ({limit}); "
                                      "lower retries or delay_seconds")
    worst = tries * settings.timeout_seconds + wait
    if worst > PAGE_BUDGET_SECONDS:
        raise section.fail("timeout_seconds", f"{tries} tries of {settings.timeout_seconds:g} s each plus {wait:.0f} s "
                                              f"of pauses could spend {worst:.0f} s on one page, more than "
                                              f"{PAGE_BUDGET_SECONDS} s ({limit}); lower timeout_seconds or retries")


def env_delay(environ: Mapping[str, str], configured: float) -> float:
    """Return ARXIV_DELAY_SECONDS when set (validated), else the configured delay."""
    value = environ.get("ARXIV_DELAY_SECONDS")
    if value is None:
        return configured
    try:
        delay = float(value)
    except ValueError:
        raise ConfigError(f"environment ARXIV_DELAY_SECONDS: expected seconds as a number, got {value!r}") from None
    if not 0 <= delay <= MAX_DELAY_SECONDS:
        raise ConfigError(f"environment ARXIV_DELAY_SECONDS: {delay} is out of range; "
                          f"allowed: 0 to {MAX_DELAY_SECONDS}")
    return delay


def env_api_url(environ: Mapping[str, str]) -> str:
    """Return ARXIV_API_URL when set (validated), else arXiv's own endpoint."""
    url = environ.get("ARXIV_API_URL", DEFAULT_API_URL)
    if not re.fullmatch(r"https?://[^\s?#]+", url):
        raise ConfigError(f"environment ARXIV_API_URL: expected the full query endpoint like {DEFAULT_API_URL}, got {url!r}")
    return url


def parse_relevance(raw: dict[object, object], taxonomy: tuple[Domain, ...], source: Path) -> RelevanceRules | None:
    """Validate the `relevance:` and `tags:` sections; None (keep everything) when both are absent."""
    if "relevance" not in raw and "tags" not in raw:
        return None
    return parse_rules(raw.get("relevance", {}), raw.get("tags", {}), taxonomy, str(source))


def load_config(path: Path, environ: Mapping[str, str] | None = None) -> Config:
    """Load and validate config.yaml; raise ConfigError naming file and key on any problem."""
    environ = os.environ if environ is None else environ
    raw = load_yaml(path, ConfigError, unique_keys=True)
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping with sections {', '.join(SECTIONS)}; got {type(raw).__name__}")
    unknown = sorted(str(key) for key in raw if key not in SECTIONS)
    if unknown:
        raise ConfigError(f"{path}: {unknown[0]}: unknown section; allowed sections: {', '.join(SECTIONS)}")
    if "arxiv" not in raw:
        raise ConfigError(f"{path}: arxiv: section is required (categories and all_of at least)")
    audit = Section(raw.get("audit", {}), "audit", path, ("keep_rejected",))
    taxonomy = parse_taxonomy(raw["taxonomy"], str(path)) if "taxonomy" in raw else ()
    return Config(
        path=path,
        list=parse_list(raw.get("list", {}), path),
        arxiv=parse_arxiv(raw["arxiv"], path, environ),
        relevance=parse_relevance(raw, taxonomy, path),
        taxonomy=taxonomy,
        audit_limit=audit.integer("keep_rejected", 500, 0, 5000),
    )
