"""The search page and its static files, rendered from templates/site/ (Jinja2, HTML autoescape on)."""

from __future__ import annotations

import shutil
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import jinja2

from ..paper import Paper
from ..taxonomy import Domain
from .records import filter_values

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "site"
STATIC = ("site.css", "search.js")
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December")


@dataclass
class Facets:
    """How many archived papers carry each filter value: the counts the search page offers before any search."""

    papers: int = 0
    newest: str = ""
    counts: dict[str, Counter[str]] = field(default_factory=dict)

    def add(self, paper: Paper) -> None:
        """Count one paper's filter values."""
        self.papers += 1
        self.newest = max(self.newest, paper.published[:10])
        for key, value in filter_values(paper):
            self.counts.setdefault(key, Counter())[value] += 1

    def values(self, key: str, newest_first: bool = False) -> list[tuple[str, int]]:
        """Return (value, count) of one filter, sorted by value (newest first for years)."""
        return sorted(self.counts.get(key, Counter()).items(), reverse=newest_first)


@cache
def environment() -> jinja2.Environment:
    """Return the HTML environment of templates/site/: strict, everything autoescaped."""
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), undefined=jinja2.StrictUndefined,
                              autoescape=True, keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)


def search_page(title: str, repository_url: str, taxonomy: tuple[Domain, ...], facets: Facets,
                shards: list[dict[str, str | int]] | None = None) -> str:
    """Return the HTML of the search page."""
    domains = [{"slug": domain.slug, "name": domain.name, "description": domain.description,
                "count": facets.counts.get("domain", Counter())[domain.slug]} for domain in taxonomy]
    months = [(value, MONTH_NAMES[int(value) - 1], count) for value, count in facets.values("month")]
    return environment().get_template("index.html.j2").render(
        title=title, repository_url=repository_url, domains=domains, facets=facets, months=months,
        years=facets.values("year", newest_first=True), venues=facets.values("venue"),
        with_code=facets.counts.get("code", Counter())["yes"],
        names={domain.slug: domain.name for domain in taxonomy}, shards=shards or [])


def write_page(site: Path, html: str) -> None:
    """Write the search page and copy its static files into the site folder."""
    site.mkdir(parents=True, exist_ok=True)
    (site / "index.html").write_text(html, encoding="utf-8")
    for name in STATIC:
        shutil.copyfile(TEMPLATES / name, site / name)


def pages_url(repository_url: str) -> str:
    """Return the GitHub Pages address of a github.com repository: https://OWNER.github.io/REPO/."""
    owner, _, repo = repository_url.removeprefix("https://github.com/").strip("/").partition("/")
    return f"https://{owner.lower()}.github.io/{repo}/"
