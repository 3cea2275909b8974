"""Measure the arXiv query, the relevance filter and the domain tags against hand labels: precision, recall, F1,
primary-tag accuracy, hit rate, tags per paper, per-tag figures, and the labelled papers the query itself misses.

Usage: python -m scripts.evaluate LABELS.tsv CORPUS.json [--config config.yaml] [--errors]

LABELS.tsv: one paper a line, tab-separated `id  label  domain` (label 1 on-topic, 0 off-topic, B borderline and
ignored; domain one of the taxonomy slugs or `other`, `-` when off-topic); lines starting with `#` and a first
line `id label domain` are skipped.
CORPUS.json: a list of {id, title, authors, published, summary} records, the papers the labels refer to.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from .classify.metrics import ANY_DOMAIN, Outcome, figures, summary_lines
from .classify.query import cost, matches, query_matcher, unchecked_fields
from .classify.relevance import classify
from .config import ArxivSettings, load_config
from .errors import ConfigError, EvaluationError, ListError
from .paper import Paper, split_version

LABEL_VALUES = ("1", "0", "B")


@dataclass(frozen=True)
class Label:
    """One hand label: on-topic (1), off-topic (0) or borderline (B), and the domain of an on-topic paper."""

    label: str
    domain: str


def parse_labels(text: str, source: str, domains: tuple[str, ...]) -> dict[str, Label]:
    """Parse a labels TSV; raise EvaluationError naming the file, line and fix."""
    labels = {}
    for number, line in enumerate(text.splitlines(), start=1):
        cells = [cell.strip() for cell in line.split("\t")]
        if not line.strip() or line.startswith("#") or (number == 1 and cells[:2] == ["id", "label"]):
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


def outcomes(labels: dict[str, Label], accepted: list[Paper], rejected: list[Paper],
             returned: set[str] | None = None) -> list[Outcome]:
    """The labelled papers' outcomes; with `returned`, a paper the query would not return counts as rejected."""
    found = []
    for paper, kept in [(paper, True) for paper in accepted] + [(paper, False) for paper in rejected]:
        label = labels.get(paper.id)
        if label is not None:
            found.append(Outcome(label.label, label.domain, kept and (returned is None or paper.id in returned),
                                 paper.tags))
    return found


def query_lines(papers: list[Paper], labels: dict[str, Label], settings: ArxivSettings) -> tuple[list[str], set[str]]:
    """Report what the configured arXiv query would return of the corpus and of the on-topic labels, and its cost."""
    compiled = query_matcher(settings)
    returned = {paper.id for paper in papers if matches(paper, compiled)}
    on_topic = [paper_id for paper_id, label in labels.items() if label.label == "1"]
    lost = [paper_id for paper_id in on_topic if paper_id not in returned]
    days = corpus_days(papers)
    estimate = cost(len(returned), days, settings, settings.lookback_days)
    skipped = unchecked_fields(settings)
    return [
        f"arXiv query: misses {len(lost)} of {len(on_topic)} labelled on-topic papers (terms in "
        f"{', '.join(compiled.fields)}; categories not checked, the corpus has none"
        + (f"; fields {', '.join(skipped)} not checked" if skipped else "") + ")",
        f"arXiv query cost: returns {len(returned)} of {len(papers)} corpus papers over {days} days: "
        f"~{estimate.per_day:.1f} a day, ~{estimate.per_run:.0f} results in {estimate.requests} request(s) per daily "
        f"run ({settings.lookback_days} days of lookback; a lower bound, the corpus is itself a keyword sample)",
    ], returned


def corpus_days(papers: list[Paper]) -> int:
    """Days from the first to the last submission in the corpus, both included."""
    dates = sorted(paper.published[:10] for paper in papers if len(paper.published) >= 10)
    if not dates:
        return 0
    first, last = (datetime.date.fromisoformat(value) for value in (dates[0], dates[-1]))
    return (last - first).days + 1


def error_lines(labels: dict[str, Label], accepted: list[Paper], rejected: list[Paper],
                returned: set[str]) -> list[str]:
    """Return one line per false positive, false negative and on-topic paper the query loses: score, tags, ID, title."""
    def kind(paper: Paper, kept: bool) -> str:
        label = labels[paper.id].label
        return "FP" if kept and label == "0" else "FN" if not kept and label == "1" else ""

    both = [(paper, True) for paper in accepted] + [(paper, False) for paper in rejected]
    listed = [(kind(paper, kept), paper) for paper, kept in both if paper.id in labels]
    listed += [("LOST", paper) for paper in accepted + rejected
               if paper.id in labels and labels[paper.id].label == "1" and paper.id not in returned]
    lines = []
    for name in ("FP", "FN", "LOST"):
        chosen = sorted((item for item in listed if item[0] == name), key=lambda item: (-item[1].score, item[1].id))
        for _, paper in chosen:
            why = paper.extra.get("why", "")
            lines.append(f"{name} {paper.score:7.2f} {paper.id} [{' '.join(paper.tags)}] {paper.title}"
                         + (f"  ({why})" if why else ""))
    return lines


def run(labels_path: Path, corpus_path: Path, config_path: Path, show_errors: bool) -> list[str]:
    """Evaluate the configured query and filter on a labelled corpus; return the lines to print."""
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
    archive_tags = [paper.tags for paper in accepted]
    alone = figures(outcomes(labels, accepted, rejected), archive_tags, rules.tags)
    query, returned = query_lines(papers, labels, config.arxiv)
    through = figures(outcomes(labels, accepted, rejected, returned), archive_tags, rules.tags)
    decider = f"rules and the learned part ({rules.model.source})" if rules.model else "rules"
    lines = summary_lines(alone) + query + [
        f"end to end (query, then filter): precision {through.precision:.3f}  recall {through.recall:.3f}",
        f"corpus: {len(accepted)} of {len(papers)} papers accepted by the {decider}, classified in {seconds:.2f} s",
    ]
    return lines + (error_lines(labels, accepted, rejected, returned) if show_errors else [])


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
