"""Score, filter and tag papers with the term rules of config.yaml (`relevance:` and `tags:`)."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ConfigError
from ..paper import Paper
from ..schema import Section
from ..taxonomy import Domain
from .terms import Term, TermMatcher, parse_term, words_of

# Config name of each scored field -> the Paper attribute it reads.
FIELDS = {"title": "title", "abstract": "summary"}
RELEVANCE_KEYS = ("threshold", "max_hits", "require", "groups")
GROUP_KEYS = ("title", "abstract", "terms")
TAGS_KEYS = ("title", "abstract", "min_score", "max_tags")

Counts = dict[str, dict[str, int]]  # field -> label ("group:NAME" or "tag:SLUG") -> hits


@dataclass(frozen=True)
class Group:
    """A named list of alternative terms; each hit earns the points of the field it occurs in."""

    name: str
    points: dict[str, float]


@dataclass(frozen=True)
class RelevanceRules:
    """The validated rules: weighted term groups, requirements, a threshold, and term lists for the domain tags."""

    threshold: float
    max_hits: int
    require: tuple[tuple[str, ...], ...]
    groups: tuple[Group, ...]
    tag_points: dict[str, float]
    tag_min_score: float
    max_tags: int
    tags: tuple[str, ...]
    group_matcher: TermMatcher
    tag_matcher: TermMatcher
    points: dict[str, dict[str, float]]  # counting label ("group:NAME") -> points per field


def parse_rules(section: object, tags_section: object, taxonomy: tuple[Domain, ...], source: str) -> RelevanceRules:
    """Validate the `relevance:` and `tags:` sections of config.yaml; raise ConfigError naming file, key and fix."""
    relevance = Section(section, "relevance", source, RELEVANCE_KEYS)
    tagging = Section(tags_section, "tags", source, TAGS_KEYS)
    group_terms: list[tuple[Term, str]] = []
    tag_terms: list[tuple[Term, str]] = []
    groups = parse_groups(relevance, group_terms)
    tags = parse_tags(taxonomy, tag_terms, source)
    return RelevanceRules(
        threshold=relevance.number("threshold", None, -10000, 10000),
        max_hits=relevance.integer("max_hits", 5, 1, 1000),
        require=parse_require(relevance, groups),
        groups=groups,
        tag_points={field: tagging.number(field, 1, 0, 1000) for field in FIELDS},
        tag_min_score=tagging.number("min_score", 1, 0, 10000),
        max_tags=tagging.integer("max_tags", min(3, len(tags)), 1, len(tags)),
        tags=tags,
        group_matcher=TermMatcher(group_terms),
        tag_matcher=TermMatcher(tag_terms),
        points={f"group:{group.name}": group.points for group in groups},
    )


def parse_groups(relevance: Section, terms: list[tuple[Term, str]]) -> tuple[Group, ...]:
    """Validate `relevance.groups` (name -> title and abstract points, terms); add their terms to `terms`."""
    raw = relevance.raw.get("groups")
    if not isinstance(raw, dict) or not raw:
        raise relevance.fail("groups", "expected a mapping of group name -> {title: points, abstract: points, terms: [...]}")
    groups = []
    for name, settings in raw.items():
        group = Section(settings, f"relevance.groups.{name}", relevance.source, GROUP_KEYS)
        terms.extend((term, f"group:{name}") for term in parse_terms(group, "terms", group.raw.get("terms")))
        points = {field: group.number(field, None, -1000, 1000) for field in FIELDS}
        groups.append(Group(name=str(name), points=points))
    return tuple(groups)


def parse_require(relevance: Section, groups: tuple[Group, ...]) -> tuple[tuple[str, ...], ...]:
    """Validate `relevance.require`: a list of group-name lists; a paper must match a group of every list."""
    raw = relevance.raw.get("require", [])
    names = [group.name for group in groups]
    example = f"[[{names[0]}]]"
    if not isinstance(raw, list) or not all(isinstance(item, list) and item for item in raw):
        raise relevance.fail("require", f"expected a list of group-name lists like {example}, got {raw!r}")
    for alternatives in raw:
        for name in alternatives:
            if name not in names:
                raise relevance.fail("require", f"{name!r} is not a group; groups: {', '.join(names)}")
    return tuple(tuple(alternatives) for alternatives in raw)


def parse_tags(taxonomy: tuple[Domain, ...], terms: list[tuple[Term, str]], source: str) -> tuple[str, ...]:
    """Add each taxonomy domain's terms to `terms`; return the slugs in reader order."""
    if not taxonomy:
        raise ConfigError(f"{source}: taxonomy: section is required with `tags:`; list the domains papers are tagged with")
    for index, domain in enumerate(taxonomy):
        section = Section({"terms": list(domain.terms)}, f"taxonomy[{index}]", source, ("terms",))
        terms.extend((term, f"tag:{domain.slug}") for term in parse_terms(section, "terms", list(domain.terms)))
    return tuple(domain.slug for domain in taxonomy)


def parse_terms(section: Section, key: str, raw: object) -> list[Term]:
    """Validate one list of terms."""
    if not isinstance(raw, list) or not raw:
        raise section.fail(key, f"expected a non-empty list of terms, got {raw!r}")
    parsed = []
    for term in raw:
        pattern = parse_term(term)
        if pattern is None:
            raise section.fail(key, f"{term!r} is not a term; use words separated by spaces or hyphens, "
                                    "optionally ending in *")
        parsed.append(pattern)
    return parsed


def field_words(paper: Paper) -> dict[str, list[str]]:
    """Return field -> the lowercased words of the paper's title and abstract."""
    return {field: words_of(getattr(paper, attribute)) for field, attribute in FIELDS.items()}


def field_counts(words: dict[str, list[str]], matcher: TermMatcher) -> Counts:
    """Return field -> label -> hits of one matcher's terms."""
    return {field: matcher.count(text_words) for field, text_words in words.items()}


def score_counts(counts: Counts, rules: RelevanceRules) -> float:
    """Return the relevance score of a paper's counts: per group and field, the hits (at most max_hits) times the points."""
    total = 0.0
    for field, hits in counts.items():
        for label, number in hits.items():
            points = rules.points.get(label)
            if points is not None:
                total += points[field] * min(number, rules.max_hits)
    return round(total, 2)


def tag_scores(counts: Counts, rules: RelevanceRules) -> dict[str, float]:
    """Return tag -> points: per field, the hits of its terms (at most max_hits) times the tag points of that field."""
    scores: dict[str, float] = {}
    for field, hits in counts.items():
        for label, number in hits.items():
            if label.startswith("tag:"):
                slug = label[4:]
                scores[slug] = scores.get(slug, 0.0) + rules.tag_points[field] * min(number, rules.max_hits)
    return scores


def missing_groups(counts: Counts, rules: RelevanceRules) -> tuple[str, ...]:
    """Return the `require` entries (alternatives joined by "|") none of whose groups occur in the paper."""
    matched = {label for field_hits in counts.values() for label in field_hits}
    return tuple("|".join(alternatives) for alternatives in rules.require
                 if not any(f"group:{name}" in matched for name in alternatives))


def tags_from_counts(counts: Counts, rules: RelevanceRules) -> tuple[str, ...]:
    """Return the tags scoring at least min_score, best first (config order breaks ties), at most max_tags;
    when none does, the single best tag with any hit."""
    ranked = sorted(tag_scores(counts, rules).items(), key=lambda item: (-item[1], rules.tags.index(item[0])))
    chosen = [slug for slug, points in ranked if points >= rules.tag_min_score and points > 0]
    if not chosen and ranked and ranked[0][1] > 0:
        chosen = [ranked[0][0]]
    return tuple(chosen[:rules.max_tags])


def score(paper: Paper, rules: RelevanceRules) -> float:
    """Return the paper's relevance score."""
    return score_counts(field_counts(field_words(paper), rules.group_matcher), rules)


def assign_tags(paper: Paper, rules: RelevanceRules) -> tuple[str, ...]:
    """Return the domain tags the tag rules give the paper."""
    return tags_from_counts(field_counts(field_words(paper), rules.tag_matcher), rules)


def classify(papers: list[Paper], rules: RelevanceRules) -> tuple[list[Paper], list[Paper]]:
    """Split papers into (accepted, with score and tags set) and (rejected, with score set)."""
    accepted, rejected = [], []
    for paper in papers:
        words = field_words(paper)
        counts = field_counts(words, rules.group_matcher)
        points = score_counts(counts, rules)
        if points >= rules.threshold and not missing_groups(counts, rules):
            tags = tags_from_counts(field_counts(words, rules.tag_matcher), rules)
            accepted.append(paper.with_changes(score=points, tags=tags))
        else:
            rejected.append(paper.with_changes(score=points))
    return accepted, rejected
