"""Figures of a filter's decisions against hand labels: precision, recall, per-tag precision and recall, primary-tag
accuracy, tag hit rate, tags per paper and the share of the most frequent tag."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

# A labelled domain of `other` means on-topic but outside the taxonomy: any tags count as a hit, no primary is right.
ANY_DOMAIN = "other"


@dataclass(frozen=True)
class Outcome:
    """One labelled paper's label (1, 0 or B), labelled domain, and what the filter did: kept or not, its tags."""

    label: str
    domain: str
    kept: bool
    tags: tuple[str, ...]


@dataclass(frozen=True)
class Figures:
    """The figures of one evaluation."""

    tp: int
    fp: int
    fn: int
    borderline: int
    precision: float
    recall: float
    f1: float
    primary_accuracy: float
    hit_rate: float
    tags_per_paper: float
    top_tag: str
    top_tag_share: float
    per_tag: dict[str, tuple[float, float, int]]  # tag -> (precision, recall, labelled on-topic papers)


def ratio(part: float, whole: float) -> float:
    """Return part / whole, or 0 when whole is 0."""
    return part / whole if whole else 0.0


def figures(outcomes: list[Outcome], archive_tags: list[tuple[str, ...]], slugs: tuple[str, ...]) -> Figures:
    """Score labelled outcomes; `archive_tags` are the tags of every kept paper (labelled or not) for the tag spread."""
    tp = sum(o.label == "1" and o.kept for o in outcomes)
    fp = sum(o.label == "0" and o.kept for o in outcomes)
    fn = sum(o.label == "1" and not o.kept for o in outcomes)
    kept_on_topic = [o for o in outcomes if o.label == "1" and o.kept]
    in_taxonomy = [o for o in kept_on_topic if o.domain != ANY_DOMAIN]
    primary = sum(bool(o.tags) and o.tags[0] == o.domain for o in in_taxonomy)
    hits = sum(o.domain == ANY_DOMAIN or o.domain in o.tags for o in kept_on_topic)
    spread = Counter(tag for tags in archive_tags for tag in tags)
    top_tag, top_count = min(spread.items(), key=lambda item: (-item[1], item[0])) if spread else ("-", 0)
    precision, recall = ratio(tp, tp + fp), ratio(tp, tp + fn)
    return Figures(
        tp=tp, fp=fp, fn=fn, borderline=sum(o.label == "B" for o in outcomes),
        precision=precision, recall=recall, f1=ratio(2 * precision * recall, precision + recall),
        primary_accuracy=ratio(primary, len(in_taxonomy)), hit_rate=ratio(hits, len(kept_on_topic)),
        tags_per_paper=ratio(sum(len(tags) for tags in archive_tags), len(archive_tags)),
        top_tag=top_tag, top_tag_share=ratio(top_count, len(archive_tags)),
        per_tag={slug: tag_figures(kept_on_topic, slug) for slug in slugs},
    )


def tag_figures(kept_on_topic: list[Outcome], slug: str) -> tuple[float, float, int]:
    """Return (precision, recall, support) of one tag over the kept on-topic papers with a labelled domain."""
    labelled = [o for o in kept_on_topic if o.domain != ANY_DOMAIN]
    tagged = [o for o in labelled if slug in o.tags]
    relevant = [o for o in labelled if o.domain == slug]
    correct = sum(o.domain == slug for o in tagged)
    return ratio(correct, len(tagged)), ratio(correct, len(relevant)), len(relevant)


SUMMARY_FIELDS = ("precision", "recall", "f1", "primary_accuracy", "hit_rate", "tags_per_paper", "top_tag_share")


def summary_lines(result: Figures) -> list[str]:
    """Return the printed figures of one evaluation."""
    return [
        f"precision {result.precision:.3f}  recall {result.recall:.3f}  F1 {result.f1:.3f}",
        f"TP {result.tp}  FP {result.fp}  FN {result.fn}  (borderline ignored: {result.borderline})",
        f"primary-tag accuracy {result.primary_accuracy:.3f}  hit rate {result.hit_rate:.3f} "
        "(of kept on-topic papers: first tag is the labelled domain / labelled domain among the tags)",
        f"tags per kept paper {result.tags_per_paper:.2f}  most frequent tag {result.top_tag} on "
        f"{result.top_tag_share:.0%} of kept papers",
        "per tag (precision / recall / labelled papers): " + ", ".join(
            f"{slug} {p:.2f}/{r:.2f}/{n}" for slug, (p, r, n) in result.per_tag.items()),
    ]
