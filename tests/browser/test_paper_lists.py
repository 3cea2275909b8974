"""The paper lists as a reader sees them on GitHub: the README's newest papers, a month page and a domain page,
rendered by GitHub's parser and stylesheet in headless chromium at README width (880 px) and on a phone (412 px)."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from scripts.paper import Paper
from scripts.render import listing
from scripts.render.domains import domain_month_pages, front_page
from scripts.taxonomy import Domain

from .gfm import PHONE_WIDTH, README_WIDTH, layout

TAGS = ["jailbreak", "prompt-injection", "reasoning-safety", "agent-safety", "guardrails", "alignment", "evaluation"]
WORDS = ["Chain-of-Thought", "Hijacking", "Jailbreaks", "Reasoning", "Models", "Safety", "Alignment", "Overthinking",
         "Attacks", "Guardrails", "Agents", "Prompt", "Injection", "Multimodal", "Large", "Language", "Robust",
         "Monitoring", "Benchmark", "Deceptive", "Refusal", "Evaluating"]
TAXONOMY = tuple(Domain(slug, slug.replace("-", " ").capitalize(), "What the domain covers, in one line.", (slug,))
                 for slug in TAGS)
MAX_HEIGHT = 2500  # the 20 newest at README width


def realistic_papers(count: int, seed: int = 16) -> list[Paper]:
    """Papers shaped like arXiv's: 60-140 character titles, 3-9 authors, 900-1,600 character abstracts, 1-3 tags,
    a code link on one paper in twenty; newest first."""
    rng = random.Random(seed)
    papers = []
    for number in range(count):
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14)))[:140]
        abstract = " ".join(rng.choice(WORDS).lower() for _ in range(rng.randint(100, 180))) + "."
        authors = tuple(f"{rng.choice(WORDS)} {rng.choice(WORDS)}son" for _ in range(rng.randint(3, 9)))
        papers.append(Paper(id=f"2608.{10000 + number:05d}", version=1, title=title, authors=authors,
                            published=f"2026-08-{28 - number * 27 // count:02d}T12:00:00Z",
                            updated="2026-08-29T00:00:00Z", summary=abstract,
                            tags=tuple(rng.sample(TAGS, rng.randint(1, 3))),
                            venue="NeurIPS 2026" if number % 7 == 0 else "",
                            code_urls=(f"https://github.com/lab/repo{number}",) if number % 20 == 3 else ()))
    return papers


def readme_block() -> str:
    """The README's Latest Papers section as the renderer writes it."""
    return "## Latest Papers\n\n" + listing.latest_block(realistic_papers(20), 1552, [(d, 100) for d in TAXONOMY])


def month_page() -> str:
    return listing.month_pages("2026-08", realistic_papers(20), dict.fromkeys(TAGS, 5))["2026-08.md"]


def domain_page() -> str:
    return front_page(TAXONOMY[0], {f"2026-{month:02d}": 20 for month in range(8, 0, -1)}, realistic_papers(20))


def domain_month_page() -> str:
    items = [listing.paper_item(listing.paper_row(paper, "")) for paper in realistic_papers(20)]
    return domain_month_pages(TAXONOMY[0], "2026-08", items)["jailbreak-2026-08.md"]


PAGES = {"readme": readme_block, "month": month_page, "domain": domain_page, "domain month": domain_month_page}


@pytest.mark.parametrize("name", PAGES)
def test_twenty_papers_fit_in_2500_px_at_readme_width_with_no_date_wrapped(page, name):
    measured = layout(page, PAGES[name](), README_WIDTH)
    assert measured["height"] <= MAX_HEIGHT, measured["height"]
    assert len(measured["dates"]) >= 20 and measured["wrapped"] == []
    assert measured["overflow"] <= 0


@pytest.mark.parametrize("name", PAGES)
def test_nothing_overflows_a_phone_and_no_date_wraps(page, name):
    measured = layout(page, PAGES[name](), PHONE_WIDTH)
    assert measured["overflow"] <= 0, measured["overflow"]
    assert len(measured["dates"]) >= 20 and measured["wrapped"] == []


def test_the_abstract_is_one_click_away_and_its_text_is_inert(page):
    hostile = replace(realistic_papers(1)[0], summary='<a href="https://evil.example">x</a> [y](https://evil.example) '
                                                      "https://evil.example <img src=x> **bold** &amp; </details>")
    layout(page, "## Latest Papers\n\n" + listing.latest_block([hostile], 1), README_WIDTH)
    details = page.locator("details")
    assert details.count() == 1 and not details.evaluate("element => element.open")
    page.locator("summary").click()
    assert details.evaluate("element => element.open")
    text = details.inner_text()
    assert text.startswith("Abstract") and '<a href="https://evil.example">x</a>' in text and "&amp;" in text
    assert details.locator("a, img, strong").count() == 0


def test_a_code_link_appears_only_on_the_paper_that_has_code(page):
    layout(page, readme_block(), README_WIDTH)
    assert page.locator("a", has_text="Code").count() == 1
