"""The arXiv query evaluated locally: AND of groups, OR within one, ANDNOT of exclusions, whole words and phrases."""

from __future__ import annotations

from dataclasses import replace

import pytest

from scripts.classify.query import cost, matches, plural_stem, query_matcher, unchecked_fields
from scripts.config import ArxivSettings
from scripts.paper import Paper

SETTINGS = ArxivSettings(categories=("cs.CL",), all_of=(("jailbreak", "red-teaming"), ("language model", "LLM")),
                         exclude=("battery",), fields=("ti", "abs"), delay_seconds=3, page_size=2000, retries=1,
                         timeout_seconds=10, lookback_days=7, first_run_days=14, api_url="http://localhost/api")


def paper(title: str, summary: str = "") -> Paper:
    return Paper(id="2501.00001", version=1, title=title, authors=(), published="2025-01-01T00:00:00Z",
                 updated="2025-01-01T00:00:00Z", summary=summary)


@pytest.mark.parametrize("title,summary,expected", [
    ("A jailbreak of an LLM", "", True),                       # one term of each group
    ("A jailbreak", "We study large language models.", True),  # groups match in any field; plurals folded
    ("Red teaming an LLM", "", True),                          # the quoted phrase "red-teaming" is two words in a row
    ("A jailbreak", "", False),                                # the second group is missing
    ("Jailbreaking LLMs", "", False),                          # no wildcard: jailbreaking is another word
    ("A jailbreak of an LLM for battery design", "", False),  # ANDNOT
    ("Language modelling jailbreak", "", False),               # the phrase needs the whole word
    ("JAILBREAK the llm", "", True),                           # case-insensitive
])
def test_matches_follows_arxiv_boolean_semantics(title, summary, expected):
    assert matches(paper(title, summary), query_matcher(SETTINGS)) is expected


def test_only_the_configured_fields_are_searched():
    title_only = query_matcher(replace(SETTINGS, fields=("ti",)))
    assert not matches(paper("A jailbreak", "of an LLM"), title_only)
    assert matches(paper("A jailbreak of an LLM", ""), title_only)
    assert unchecked_fields(replace(SETTINGS, fields=("ti", "co"))) == ("co",)


@pytest.mark.parametrize("word,stem", [("models", "model"), ("policies", "policy"), ("status", "status"),
                                       ("class", "class"), ("agents", "agent"), ("llms", "llm"), ("gas", "ga"),
                                       ("analyses", "analyse"), ("goes", "goes"), ("agrees", "agrees"),
                                       ("toes", "toes"), ("plays", "play"), ("is", "is")])  # as Lucene's minimal stemmer
def test_plural_stem(word, stem):
    assert plural_stem(word) == stem


def test_cost_counts_a_run_as_its_day_plus_the_lookback():
    estimate = cost(matched=600, days=100, settings=SETTINGS, lookback_days=7)
    assert (estimate.per_day, estimate.per_run, estimate.requests) == (6.0, 48.0, 1)
    assert cost(matched=60000, days=100, settings=SETTINGS, lookback_days=7).requests == 3
