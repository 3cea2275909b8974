"""Score, filter and tag papers with the term rules of config.yaml (`relevance:` and `tags:`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError
from ..paper import Paper
from ..schema import Section
from ..taxonomy import Domain
from .learned import LearnedModel, evidence, load_model, rule_features, text_features, text_tokens
from .terms import Term, TermMatcher, parse_term, words_of

# Config name of each scored field -> the Paper attribute it reads.
FIELDS = {"title": "title", "abstract": "summary"}
RELEVANCE_KEYS = ("threshold", "max_hits", "require", "groups", "model", "model_keep", "model_veto")
GROUP_KEYS = ("title", "abstract", "terms")
TAGS_KEYS = ("title", "abstract", "min_score", "max_tags", "secondary_ratio")

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
    secondary_ratio: float = 0.0  # a tag after the first needs at least this share of the first tag's score
    model: LearnedModel | None = None  # the learned part; None: the rules alone decide
    model_keep: float = 0.8  # the learned part keeps a paper the rules turn down from this on-topic probability
    model_veto: float = 0.3  # and drops one the rules keep below this one


@dataclass(frozen=True)
class Decision:
    """What the filter made of one paper: kept or not, its score, its tags and the evidence that weighed most."""

    kept: bool
    score: float
    tags: tuple[str, ...]
    why: str


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
        secondary_ratio=tagging.number("secondary_ratio", 0, 0, 1),
        model=parse_model(relevance, source, tags),
        model_keep=relevance.number("model_keep", 0.8, 0, 1),
        model_veto=relevance.number("model_veto", 0.3, 0, 1),
    )


def parse_model(relevance: Section, source: str, tags: tuple[str, ...]) -> LearnedModel | None:
    """Load `relevance.model`, a path relative to config.yaml's folder, when it is set; its domains must be the
    taxonomy's (a model trained before the taxonomy changed would tag with slugs that no longer exist)."""
    if "model" not in relevance.raw:
        return None
    model = load_model(Path(source).parent / relevance.text("model", ""))
    unknown = sorted(set(model.domains.classes) - set(tags) - {"other"})
    if unknown:
        raise relevance.fail("model", f"{model.source} predicts domain {unknown[0]!r}, which taxonomy: lacks; rebuild "
                                      "it with `python -m scripts.classify.train`")
    return model


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
    """Return the tags scoring at least min_score and secondary_ratio times the best score, best first (config
    order breaks ties), at most max_tags; when none reaches min_score, the single best tag with any hit."""
    return ranked_tags(tag_scores(counts, rules), rules, rules.tag_min_score)


def ranked_tags(scores: dict[str, float], rules: RelevanceRules, minimum: float) -> tuple[str, ...]:
    """Return the primary (best) tag and the others within secondary_ratio of it and at least `minimum`."""
    ranked = sorted(((slug, points) for slug, points in scores.items() if slug in rules.tags and points > 0),
                    key=lambda item: (-item[1], rules.tags.index(item[0])))
    if not ranked:
        return ()
    bar = max(minimum, rules.secondary_ratio * ranked[0][1])
    chosen = [slug for slug, points in ranked if points >= bar] or [ranked[0][0]]
    return tuple(chosen[:rules.max_tags])


def learned_tags(domains: dict[str, float], tag_counts: Counts, rules: RelevanceRules) -> tuple[str, ...]:
    """The domain model's best domain first, then its others within secondary_ratio, then the rules' tags (with the
    same bar on their scores), at most max_tags: on cross-validation the rules' tags added back hits the model's
    second guesses miss, without piling onto the most frequent domain."""
    chosen = list(ranked_tags(domains, rules, 0.0))
    chosen += [slug for slug in tags_from_counts(tag_counts, rules) if slug not in chosen]
    return tuple(chosen[:rules.max_tags])


def decide(paper: Paper, rules: RelevanceRules, tag_rejected: bool = True) -> Decision:
    """Score, filter and tag one paper by the rules; with the learned part, its on-topic probability overrules them
    at the extremes (keep from model_keep, drop below model_veto) and its domain model leads the tags (of a rejected
    paper only with `tag_rejected`)."""
    words = field_words(paper)
    counts = field_counts(words, rules.group_matcher)
    points = score_counts(counts, rules)
    missing = missing_groups(counts, rules)
    tag_counts = field_counts(words, rules.tag_matcher)
    by_rules = points >= rules.threshold and not missing
    why = f"score {points:g}" + (f", no {' or '.join(missing)} term" if missing else "")
    if rules.model is None:
        return Decision(by_rules, points, tags_from_counts(tag_counts, rules), why)
    model = rules.model
    features = text_features(text_tokens(words), model.idf)
    features.update(rule_features(counts, tag_scores(tag_counts, rules), points, rules.max_hits))
    probability, contributions = model.judge(features)
    kept = (by_rules and probability >= rules.model_veto) or probability >= rules.model_keep
    tags = learned_tags(model.domain_probabilities(features), tag_counts, rules) if kept or tag_rejected else ()
    if not kept:
        why = f"{why}; learned {probability:.0%}: {evidence(contributions)}"
    return Decision(kept, points, tags, why)


def score(paper: Paper, rules: RelevanceRules) -> float:
    """Return the paper's relevance score by the rules."""
    return decide(paper, rules).score


def assign_tags(paper: Paper, rules: RelevanceRules) -> tuple[str, ...]:
    """Return the domain tags the filter gives the paper, primary domain first."""
    return decide(paper, rules).tags


def classify(papers: list[Paper], rules: RelevanceRules) -> tuple[list[Paper], list[Paper]]:
    """Split papers into (accepted, with score and tags set) and (rejected, with score and the reason set)."""
    accepted, rejected = [], []
    for paper in papers:
        decision = decide(paper, rules, tag_rejected=False)
        if decision.kept:
            accepted.append(paper.with_changes(score=decision.score, tags=decision.tags))
        else:
            rejected.append(paper.with_changes(score=decision.score, extra={**paper.extra, "why": decision.why}))
    return accepted, rejected
