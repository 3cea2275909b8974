"""The configured arXiv query evaluated locally: which papers would `arxiv.all_of`, `exclude` and `fields` return?

arXiv's semantics as scripts/ingest/fetch.py builds the query: every `all_of` group must match (AND), any term of a
group will do (OR), and a paper matching any `exclude` term is dropped (ANDNOT). A term matches in any of the
configured fields (ti: title, abs: abstract), case-insensitively, as whole words: arXiv splits text at spaces and
punctuation, so the quoted phrase "red-teaming" is the words `red teaming` in a row. Plurals are folded as
Lucene's minimal English stemmer folds them (an assumption about arXiv's index, not checked against it). Categories (`cat:`) and the
submission window are not checked here: the corpus records no categories.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..config import ArxivSettings
from ..paper import Paper
from .terms import Term, TermMatcher, words_of

# arXiv field prefix -> the Paper attribute it searches.
FIELD_ATTRIBUTES = {"ti": "title", "abs": "summary"}
EXCLUDE = "exclude"


@dataclass(frozen=True)
class QueryMatcher:
    """The query's term groups as one matcher; labels `all_of:N` and `exclude`."""

    groups: int
    fields: tuple[str, ...]
    matcher: TermMatcher


def query_matcher(settings: ArxivSettings) -> QueryMatcher:
    """Compile the term part of the configured query."""
    terms = [(exact(term), f"all_of:{index}") for index, group in enumerate(settings.all_of) for term in group]
    terms += [(exact(term), EXCLUDE) for term in settings.exclude]
    fields = tuple(field for field in settings.fields if field in FIELD_ATTRIBUTES)
    return QueryMatcher(groups=len(settings.all_of), fields=fields, matcher=TermMatcher(terms))


def exact(term: str) -> Term:
    """A query term as whole (stemmed) words in a row: arXiv matches quoted phrases word by word."""
    return Term(words=tuple(stemmed(term)), prefix=False)


def stemmed(text: str) -> list[str]:
    """The words of a text with plural endings removed, as arXiv's search index folds `models` into `model`."""
    return [plural_stem(word) for word in words_of(text)]


def plural_stem(word: str) -> str:
    """Strip an English plural ending as Lucene's EnglishMinimalStemmer does: -ies to -y (not after a or e), -s off,
    except after u or s and in -aes, -ees, -ies, -oes; words under three letters are left alone."""
    if len(word) < 3 or word[-1] != "s" or word[-2] in "us":
        return word
    if word[-2] == "e":
        if len(word) > 3 and word[-3] == "i" and word[-4] not in "ae":
            return word[:-3] + "y"
        if word[-3] in "iaoe":
            return word
    return word[:-1]


def matches(paper: Paper, query: QueryMatcher) -> bool:
    """Whether the query would return the paper (its categories and date aside)."""
    found: set[str] = set()
    for field in query.fields:
        found.update(query.matcher.count(stemmed(getattr(paper, FIELD_ATTRIBUTES[field]))))
    return EXCLUDE not in found and all(f"all_of:{index}" in found for index in range(query.groups))


def unchecked_fields(settings: ArxivSettings) -> tuple[str, ...]:
    """Configured fields the corpus cannot check (only title and abstract are recorded)."""
    return tuple(field for field in settings.fields if field not in FIELD_ATTRIBUTES)


@dataclass(frozen=True)
class Cost:
    """What the query returns a day and what one scheduled run fetches."""

    per_day: float
    per_run: float
    requests: int


def cost(matched: int, days: int, settings: ArxivSettings, lookback_days: int) -> Cost:
    """Estimate results and requests per daily run from `matched` papers over `days` days of submissions: each run
    reads the day since the last run plus `lookback_days` before it."""
    per_day = matched / days if days else 0.0
    per_run = per_day * (lookback_days + 1)
    return Cost(per_day=per_day, per_run=per_run, requests=max(1, math.ceil(per_run / settings.page_size)))
