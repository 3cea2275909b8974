"""Measure the relevance filter and the domain tags against hand labels: precision, recall, F1 and tag hit rate.

Usage: python -m scripts.evaluate LABELS.tsv CORPUS.json [--config config.yaml] [--errors]

LABELS.tsv: one paper a line, tab-separated `id  label  domain` (label 1 on-topic, 0 off-topic, B borderline and
ignored; domain one of the tag names or `other`, `-` when off-topic); a first line `id label domain` is skipped.
CORPUS.json: a list of {id, title, authors, published, summary} records, the papers the labels refer to.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from .classify.relevance import RelevanceRules, assign_tags, classify
from .config import load_config
from .errors import ConfigError, EvaluationError, ListError
from .paper import Paper, split_version

LABEL_VALUES = ("1", "0", "B")
# A labelled domain of `other` means on-topic but outside the thirteen tags: any tags (or none) count as a hit.
ANY_DOMAIN = "other"


@dataclass(frozen=True)
class Label:
    """One hand label: on-topic (1), off-topic (0) or borderline (B), and the domain of an on-topic paper."""

    label: str
    domain: str


@dataclass
class Result:
    """What one evaluation counted."""

    tp: list[Paper] = field(default_factory=list)
    fp: list[Paper] = field(default_factory=list)
    fn: list[Paper] = field(default_factory=list)
    borderline: int = 0
    tag_hits: int = 0
    tagged_all_hits: int = 0
    on_topic: int = 0


def parse_labels(text: str, source: str, domains: tuple[str, ...]) -> dict[str, Label]:
    """Parse a labels TSV; raise EvaluationError naming the file, line and fix."""
    labels = {}
    for number, line in enumerate(text.splitlines(), start=1):
        cells = [cell.strip() for cell in line.split("\t")]
        if not line.strip() or (number == 1 and cells[:2] == ["id", "label"]):
            continue
        if len(cells) != 3 or cells[1] not in LABEL_VALUES:
            raise EvaluationError(f"{source}:{number}: expected `id<TAB>label<TAB>domain` with label 1, 0 or B, "
                                  f"got {line!r}")
        paper_id, _ = checked_id(cells[0], f"{source}:{number}")
        domain = cells[2]
        if cells[1] != "0" and domain not in (*domains, ANY_DOMAIN):
            raise EvaluationError(f"{source}:{number}: unknown domain {domain!r}; use one of "
                                  f"{', '.join((*domains, ANY_DOMAIN))}")
        if paper_id in labels:
            raise EvaluationError(f"{source}:{number}: {paper_id} is labelled twice; keep one line per paper")
        labels[paper_id] = Label(cells[1], domain)
    return labels


def checked_id(raw_id: str, where: str) -> tuple[str, int]:
    """Return the versionless arXiv ID and version of raw_id, or raise EvaluationError naming where it came from."""
    try:
        return split_version(raw_id)
    except ValueError as error:
        raise EvaluationError(f"{where}: {error}") from None


def paper_from_record(record: object, where: str) -> Paper:
    """Build a Paper from one corpus record (dates without a time are taken as midnight UTC)."""
    if not isinstance(record, dict) or not all(isinstance(record.get(key), str) for key in ("id", "title", "summary")):
        raise EvaluationError(f"{where}: expected an object with string id, title and summary")
    authors = record.get("authors") or []
    if not isinstance(authors, list) or not all(isinstance(name, str) for name in authors):
        raise EvaluationError(f"{where}: authors: expected a list of names, got {authors!r}")
    paper_id, version = checked_id(record["id"], where)
    published = str(record.get("published", ""))
    if len(published) == 10:
        published += "T00:00:00Z"
    return Paper(id=paper_id, version=version, title=record["title"], authors=tuple(authors),
                 published=published, updated=published, summary=record["summary"])


def load_corpus(path: Path) -> list[Paper]:
    """Read the corpus JSON into Papers; raise EvaluationError naming the file on any problem."""
    try:
        records = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EvaluationError(f"{path}: file not found; pass the corpus JSON the labels were drawn from") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise EvaluationError(f"{path}: not readable as JSON ({error}); pass a JSON list of paper records") from None
    if not isinstance(records, list):
        raise EvaluationError(f"{path}: expected a JSON list of paper records, got {type(records).__name__}")
    return [paper_from_record(record, f"{path}: record {index}") for index, record in enumerate(records)]


def load_labels(path: Path, domains: tuple[str, ...]) -> dict[str, Label]:
    """Read and parse a labels TSV whose domains are among `domains`."""
    try:
        return parse_labels(path.read_text(encoding="utf-8"), str(path), domains)
    except FileNotFoundError:
        raise EvaluationError(f"{path}: file not found; pass a TSV of id, label, domain lines") from None
    except (OSError, UnicodeDecodeError) as error:
        raise EvaluationError(f"{path}: cannot read ({error}); save it as UTF-8 text") from None


def tag_hit(paper: Paper, label: Label) -> bool:
    """Whether the labelled domain is among the paper's tags (always, for the catch-all domain)."""
    return label.domain == ANY_DOMAIN or label.domain in paper.tags


def evaluate(labels: dict[str, Label], accepted: list[Paper], rejected: list[Paper], rules: RelevanceRules) -> Result:
    """Count true and false positives, false negatives and tag hits of a classified corpus against the labels."""
    result = Result()
    for paper, kept in [(paper, True) for paper in accepted] + [(paper, False) for paper in rejected]:
        label = labels.get(paper.id)
        if label is None:
            continue
        if label.label == "B":
            result.borderline += 1
        elif label.label == "0":
            result.fp += [paper] if kept else []
        else:
            result.on_topic += 1
            (result.tp if kept else result.fn).append(paper)
            result.tag_hits += kept and tag_hit(paper, label)
            result.tagged_all_hits += tag_hit(paper.with_changes(tags=assign_tags(paper, rules)), label)
    return result


def ratio(part: float, whole: float) -> float:
    """Return part / whole, or 0 when whole is 0."""
    return part / whole if whole else 0.0


def report_lines(result: Result, corpus_size: int, accepted: int, seconds: float) -> list[str]:
    """Return the printed summary of an evaluation."""
    tp, fp, fn = len(result.tp), len(result.fp), len(result.fn)
    precision, recall = ratio(tp, tp + fp), ratio(tp, tp + fn)
    f1 = ratio(2 * precision * recall, precision + recall)
    return [
        f"precision {precision:.3f}  recall {recall:.3f}  F1 {f1:.3f}",
        f"TP {tp}  FP {fp}  FN {fn}  (borderline ignored: {result.borderline})",
        f"tag hit rate {ratio(result.tag_hits, tp):.3f} ({result.tag_hits} of {tp} accepted on-topic papers)",
        f"tag hit rate if every on-topic paper were tagged {ratio(result.tagged_all_hits, result.on_topic):.3f} "
        f"({result.tagged_all_hits} of {result.on_topic})",
        f"corpus: {accepted} of {corpus_size} papers accepted, classified in {seconds:.2f} s",
    ]


def error_lines(result: Result) -> list[str]:
    """Return one line per false positive and false negative: score, tags, ID and title."""
    lines = []
    for kind, papers in (("FP", result.fp), ("FN", result.fn)):
        for paper in sorted(papers, key=lambda paper: -paper.score):
            lines.append(f"{kind} {paper.score:7.2f} {paper.id} [{' '.join(paper.tags)}] {paper.title}")
    return lines


def run(labels_path: Path, corpus_path: Path, config_path: Path, show_errors: bool) -> list[str]:
    """Evaluate the configured rules on a labelled corpus; return the lines to print."""
    config = load_config(config_path)
    rules = config.relevance
    if rules is None:
        raise ConfigError(f"{config_path}: relevance: section missing; add relevance and tags rules to evaluate them")
    labels, papers = load_labels(labels_path, rules.tags), load_corpus(corpus_path)
    known = {paper.id for paper in papers}
    missing = sorted(set(labels) - known)
    if missing:
        raise EvaluationError(f"{labels_path}: {len(missing)} labelled IDs are not in {corpus_path} "
                              f"(first: {missing[0]}); pass the corpus the labels were drawn from")
    started = time.perf_counter()
    accepted, rejected = classify(papers, rules)
    seconds = time.perf_counter() - started
    result = evaluate(labels, accepted, rejected, rules)
    lines = report_lines(result, len(papers), len(accepted), seconds)
    return lines + (error_lines(result) if show_errors else [])


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m scripts.evaluate", description=__doc__.split("\n")[0])
    parser.add_argument("labels", type=Path, help="TSV of id, label (1/0/B), domain")
    parser.add_argument("corpus", type=Path, help="JSON list of paper records (id, title, authors, published, summary)")
    parser.add_argument("--config", type=Path, default=Path("config.yaml"), help="config file (default: config.yaml)")
    parser.add_argument("--errors", action="store_true", help="also list every false positive and false negative")
    args = parser.parse_args(argv)
    try:
        lines = run(args.labels, args.corpus, args.config, args.errors)
    except ListError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
