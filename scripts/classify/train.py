"""Rebuild the learned part of the filter from the shipped labels, or cross-validate it against the rules alone.

Usage: python -m scripts.classify.train [--cv] [--config config.yaml]

Reads collection/labels/labels.tsv (id, label, domain), the title and abstract of those papers from
collection/labels/papers-*.json, and collection/overrides.yaml (include = on-topic, exclude = off-topic, tags = the
domain; their text comes from the label shards or the archive). Writes relevance.model (collection/labels/model.json).
Needs scikit-learn (requirements-dev.txt); the update only reads the written JSON. Deterministic: the same labels,
config and library versions give the same bytes.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..config import parse_relevance
from ..errors import ConfigError, ListError
from ..evaluate import load_corpus, load_labels
from ..paper import Paper
from ..store.archive import read_month
from ..taxonomy import parse_taxonomy
from ..yamlfile import load_yaml
from .learned import MODEL_VERSION, RULE_PREFIX, LearnedModel, linear, rule_features, text_features, text_tokens
from .metrics import SUMMARY_FIELDS, Figures, Outcome, figures
from .overrides import load_overrides
from .relevance import RelevanceRules, decide, field_counts, field_words, score_counts, tag_scores

LABELS = Path("collection/labels/labels.tsv")
PAPERS_GLOB = "papers-*.json"
OVERRIDES = Path("collection/overrides.yaml")
SEED = 20261202
FOLDS = 5
MIN_DF = 3  # a token must occur in this many training papers to be a feature
MAX_TOKENS = 12000  # and be among this many most frequent ones (keeps the committed model small)
C_RELEVANCE = 16.0  # inverse regularisation strength of the on-topic model
C_DOMAINS = 16.0  # and of the domain model
PRECISION = 3  # decimals kept of each weight


@dataclass(frozen=True)
class Example:
    """One labelled paper with its token counts and rule features (computed once, shared by every fold)."""

    paper: Paper
    label: str
    domain: str
    tokens: dict[str, int]
    rules: dict[str, float]


def load_papers(folder: Path) -> dict[str, Paper]:
    """Read the label shards' arXiv metadata (id, title, summary, published) into Papers."""
    papers: dict[str, Paper] = {}
    for path in sorted(folder.glob(PAPERS_GLOB)):  # each shard read as evaluate reads a corpus: errors name the file
        papers.update((paper.id, paper) for paper in load_corpus(path))
    return papers


def archived_papers(root: Path) -> dict[str, Paper]:
    """Every paper of the archive under articles/data/, by ID."""
    papers: dict[str, Paper] = {}
    for path in sorted((root / "articles" / "data").glob("[0-9][0-9][0-9][0-9]-[0-9][0-9].json")):
        papers.update(read_month(path))
    return papers


def labelled(root: Path, labels_path: Path,
             slugs: tuple[str, ...]) -> tuple[dict[str, tuple[str, str]], dict[str, Paper]]:
    """Return ID -> (label, domain) from the labels file overlaid with the overrides, and the papers' text."""
    labels = {paper_id: (label.label, label.domain) for paper_id, label in load_labels(labels_path, slugs).items()}
    overrides = load_overrides(root / OVERRIDES)
    for paper_id in overrides.include:
        labels[paper_id] = ("1", overrides.tags.get(paper_id, (labels.get(paper_id, ("", "other"))[1],))[0])
    for paper_id in overrides.exclude:
        labels[paper_id] = ("0", "-")
    for paper_id, tags in overrides.tags.items():
        if paper_id not in overrides.include and labels.get(paper_id, ("0",))[0] != "0":
            labels[paper_id] = (labels[paper_id][0], tags[0])
    papers = load_papers(labels_path.parent)
    if set(labels) - set(papers):
        papers = {**archived_papers(root), **papers}
    return labels, papers


def examples(labels: dict[str, tuple[str, str]], papers: dict[str, Paper], rules: RelevanceRules) -> list[Example]:
    """Compute the token counts and rule features of every labelled paper whose text is known, sorted by ID."""
    found = []
    for paper_id in sorted(labels):
        paper = papers.get(paper_id)
        if paper is None:
            continue
        words = field_words(paper)
        counts = field_counts(words, rules.group_matcher)
        tags = tag_scores(field_counts(words, rules.tag_matcher), rules)
        features = rule_features(counts, tags, score_counts(counts, rules), rules.max_hits)
        found.append(Example(paper, *labels[paper_id], tokens=dict(text_tokens(words)), rules=features))
    return found


def inverse_frequencies(train: list[Example]) -> dict[str, float]:
    """Smoothed IDF of the MAX_TOKENS most frequent tokens in at least MIN_DF training papers."""
    frequency: dict[str, int] = {}
    for example in train:
        for token in example.tokens:
            frequency[token] = frequency.get(token, 0) + 1
    total = len(train)
    common = sorted((item for item in frequency.items() if item[1] >= MIN_DF), key=lambda item: (-item[1], item[0]))
    return {token: round(math.log((1 + total) / (1 + count)) + 1, 3) for token, count in sorted(common[:MAX_TOKENS])}


def fit(train: list[Example], slugs: tuple[str, ...]) -> dict[str, Any]:
    """Train the on-topic and domain models; return the model file's JSON data."""
    import numpy
    from sklearn.feature_extraction import DictVectorizer  # type: ignore[import-untyped]
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
    from sklearn.multiclass import OneVsRestClassifier  # type: ignore[import-untyped]

    idf = inverse_frequencies(train)
    rows = [{**text_features(example.tokens, idf), **example.rules} for example in train]  # type: ignore[arg-type]
    vectorizer = DictVectorizer(sort=True)
    matrix = vectorizer.fit_transform(rows)
    names = list(vectorizer.get_feature_names_out())
    sure = [index for index, example in enumerate(train) if example.label in ("0", "1")]
    on_topic = LogisticRegression(C=C_RELEVANCE, solver="liblinear", class_weight="balanced")
    on_topic.fit(matrix[sure], [train[index].label == "1" for index in sure])
    topical = [index for index, example in enumerate(train) if example.label != "0" and example.domain in slugs]
    domains = OneVsRestClassifier(LogisticRegression(C=C_DOMAINS, solver="liblinear"))
    domains.fit(matrix[topical], [train[index].domain for index in topical])
    domain_bias = [float(estimator.intercept_[0]) for estimator in domains.estimators_]
    domain_coef = numpy.vstack([estimator.coef_[0] for estimator in domains.estimators_])
    if len(domains.classes_) == 2:  # one estimator: the second class against the first
        domain_bias, domain_coef = [-domain_bias[0], domain_bias[0]], numpy.vstack([-domain_coef[0], domain_coef[0]])
    used = {name for name in names if not name.startswith(RULE_PREFIX)}
    return {
        "version": MODEL_VERSION,
        "idf": {token: value for token, value in idf.items() if token in used},
        "relevance": weights_json(["on-topic"], on_topic.intercept_[:1], on_topic.coef_[:1], names),
        "domains": weights_json(list(domains.classes_), domain_bias, domain_coef, names),
        "trained_on": len(train),
    }


def weights_json(classes: list[str], bias: Any, coef: Any, names: list[str]) -> dict[str, Any]:
    """Return one linear model as JSON: each feature's weights as a space-separated string, near-zero rows dropped."""
    weights = {}
    for column, name in enumerate(names):
        row = [round(float(coef[index, column]), PRECISION) for index in range(len(classes))]
        if any(row):
            weights[name] = " ".join(f"{value:g}" for value in row)
    return {"classes": [str(name) for name in classes], "bias": [round(float(value), PRECISION) for value in bias],
            "weights": weights}


def model_from(data: dict[str, Any], source: str) -> LearnedModel:
    """Build the in-memory model from the JSON data `fit` returns."""
    return LearnedModel(idf=data["idf"], relevance=linear(data["relevance"]), domains=linear(data["domains"]),
                        source=source)


def model_text(data: dict[str, Any]) -> str:
    """Serialise the model sorted, one trailing newline, indented by one space (not two, as the archive is: it keeps
    the committed model small)."""
    return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def outcome(example: Example, rules: RelevanceRules) -> tuple[Outcome, tuple[str, ...] | None]:
    """Return the filter's outcome on one example, and its tags when kept (None when not)."""
    decision = decide(example.paper, rules)
    result = Outcome(example.label, example.domain, decision.kept, decision.tags)
    return result, (decision.tags if decision.kept else None)


def fold_figures(test: list[Example], rules: RelevanceRules) -> Figures:
    """Score one configuration of the filter on the held-out fold."""
    results = [outcome(example, rules) for example in test]
    return figures([item[0] for item in results], [tags for _, tags in results if tags is not None], rules.tags)


def folds(items: list[Example]) -> list[tuple[list[Example], list[Example]]]:
    """The fixed split: FOLDS stratified folds (by label) of the examples, shuffled with SEED."""
    from sklearn.model_selection import StratifiedKFold  # type: ignore[import-untyped]

    splitter = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=SEED)
    strata = [example.label for example in items]
    return [([items[i] for i in train], [items[i] for i in test]) for train, test in splitter.split(items, strata)]


def cross_validate(items: list[Example], rules: RelevanceRules) -> dict[str, list[Figures]]:
    """Return per-fold figures of the rules alone and of the rules with the learned part."""
    base = replace(rules, model=None)
    found: dict[str, list[Figures]] = {"rules": [], "learned": []}
    for index, (train, test) in enumerate(folds(items)):
        learned = replace(rules, model=model_from(fit(train, rules.tags), f"fold {index + 1}"))
        found["rules"].append(fold_figures(test, base))
        found["learned"].append(fold_figures(test, learned))
    return found


def spread_lines(found: dict[str, list[Figures]]) -> list[str]:
    """Return one line per configuration: each figure's mean and standard deviation over the folds."""
    lines = [f"{FOLDS}-fold stratified cross-validation (seed {SEED}), mean ± standard deviation:"]
    for name, per_fold in found.items():
        cells = [f"{field} {statistics.mean(values):.3f}±{statistics.stdev(values):.3f}"
                 for field in SUMMARY_FIELDS for values in [[getattr(item, field) for item in per_fold]]]
        lines.append(f"  {name:8} " + "  ".join(cells))
    return lines


def rules_alone(config_path: Path) -> tuple[RelevanceRules, Path | None]:
    """Return config.yaml's rules without the learned part (whose file may not exist yet) and relevance.model."""
    raw = load_yaml(config_path, ConfigError, unique_keys=True)
    relevance = raw.get("relevance") if isinstance(raw, dict) else None
    if not isinstance(raw, dict) or not isinstance(relevance, dict) or "taxonomy" not in raw:
        raise ConfigError(f"{config_path}: relevance: and taxonomy: sections are required; the learned part reads "
                          "the rules' scores and predicts the taxonomy's domains")
    name = relevance.get("model")
    raw = {**raw, "relevance": {key: value for key, value in relevance.items() if key != "model"}}
    rules = parse_relevance(raw, parse_taxonomy(raw["taxonomy"], str(config_path)), config_path)
    if rules is None or (name is not None and not isinstance(name, str)):
        raise ConfigError(f"{config_path}: relevance.model: expected a file name like collection/labels/model.json")
    return rules, (config_path.parent / name if name else None)


def run(config_path: Path, labels_path: Path, cv: bool) -> list[str]:
    """Cross-validate, or rebuild the model file relevance.model names; return the lines to print."""
    rules, target = rules_alone(config_path)
    root = config_path.parent
    labels, papers = labelled(root, labels_path, rules.tags)
    items = examples(labels, papers, rules)
    lines = [f"{len(items)} labelled papers with text ({len(labels) - len(items)} without, skipped)"]
    if cv:
        return lines + spread_lines(cross_validate(items, rules))
    if target is None:
        raise ConfigError(f"{config_path}: relevance.model: not set; name the file to write, e.g. "
                          "collection/labels/model.json")
    target.write_text(model_text(fit(items, rules.tags)), encoding="utf-8")
    return [*lines, f"wrote {target} ({target.stat().st_size // 1024} KB)"]


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m scripts.classify.train", description=__doc__.split("\n")[0])
    parser.add_argument("--config", type=Path, default=Path("config.yaml"), help="config file (default: config.yaml)")
    parser.add_argument("--labels", type=Path, default=LABELS, help=f"labels TSV (default: {LABELS})")
    parser.add_argument("--cv", action="store_true", help="cross-validate instead of writing the model")
    args = parser.parse_args(argv)
    try:
        lines = run(args.config, args.labels, args.cv)
    except ListError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
