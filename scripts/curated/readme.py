"""Render the collection pages and the README blocks made from them."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from ..paper import abs_url
from ..render.listing import markdown_environment
from ..render.markdown import align_tables, cell
from ..render.markers import find_block, replace_block
from ..taxonomy import Domain
from .entries import COLLECTION_DIR, README, TEMPLATE_DIR, TOC_SKIPPED, Collections, arxiv_month, entry_link
from .load import configured_taxonomy
from .schema import SPECS

if TYPE_CHECKING:
    import jinja2

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
# Characters with a meaning in a quoted Mermaid label (or in the HTML it becomes), written as Mermaid entity codes.
MERMAID_CODES = {"&": "#amp;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "#": "#35;", "`": "#96;"}


def mermaid_label(value: str) -> str:
    """Text safe inside a quoted Mermaid node label: one line of visible text, Mermaid's and HTML's specials as
    Mermaid entity codes (#quot; and the like), so no label can end its node, the fence or open a Markdown string."""
    return "".join(MERMAID_CODES.get(char) or mermaid_char(char) for char in value)


def mermaid_char(char: str) -> str:
    """One character of a Mermaid label: any space or line break as a space, controls and invisible ones dropped."""
    if char.isspace():
        return " "
    return "" if unicodedata.category(char)[0] == "C" else char


def heading_anchor(heading: str) -> str:
    """GitHub's anchor of a heading's text (as heading_slugs makes it, for a heading seen once)."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


def environment(root: Path, taxonomy: tuple[Domain, ...] | None = None) -> jinja2.Environment:
    """The Jinja2 environment for templates/collection/, with the filters its templates use and config.yaml's
    taxonomy (`taxonomy`: slug to domain) that the curated domains map onto."""
    env = markdown_environment(root / TEMPLATE_DIR)
    env.filters.update(cell=cell, link=entry_link, month=arxiv_month, mermaid=mermaid_label, abs_url=abs_url,
                       anchor=heading_anchor)
    taxonomy = configured_taxonomy(root) if taxonomy is None else taxonomy
    env.globals["taxonomy"] = {domain.slug: domain for domain in taxonomy or ()}
    return env


def render_template(env: jinja2.Environment, name: str, collections: Collections) -> str:
    """Render one template with the collections and align its tables."""
    return align_tables(env.get_template(name).render(c=collections))


def heading_slugs(markdown: str) -> list[tuple[int, str, str]]:
    """(level, text, GitHub anchor) of every ATX heading outside code fences, in order."""
    headings: list[tuple[int, str, str]] = []
    used: Counter[str] = Counter()
    fence = ""
    for line in markdown.split("\n"):
        marker = re.match(r"^ {0,3}(`{3,}|~{3,})", line)
        if marker and not fence:
            fence = marker[1]
        elif marker and marker[1][0] == fence[0] and len(marker[1]) >= len(fence):
            fence = ""
        heading = None if fence or marker else re.match(r"^(#{1,6})\s+(.+?)(?:\s+#+)?\s*$", line)
        if heading:
            slug = heading_anchor(heading[2])
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


def render_collection_outputs(root: Path, collections: Collections, readme_text: str,
                              taxonomy: tuple[Domain, ...] | None = None) -> dict[Path, str]:
    """Full expected text of every collection/*.md page and of README.md (the LATEST_PAPERS block untouched), the
    curated domains mapped onto `taxonomy` (root's config.yaml's when not given)."""
    env = environment(root, taxonomy)
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
