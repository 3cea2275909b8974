"""The learned part of the filter: a linear model over a paper's words and its rule scores, read from a committed JSON
file that `python -m scripts.classify.train` rebuilds from the shipped labels. Inference is plain Python."""

from __future__ import annotations

import itertools
import json
import math
import operator
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError

MODEL_VERSION = 1
RULE_PREFIX = "rule:"
Features = dict[str, float]


@dataclass(frozen=True)
class LinearModel:
    """Weights of one logistic regression per class (one class: on-topic; several: the domains)."""

    classes: tuple[str, ...]
    bias: tuple[float, ...]
    weights: dict[str, tuple[float, ...]]
    flat: dict[str, float] = field(default_factory=dict)  # a one-class model's weights as plain numbers

    def __post_init__(self) -> None:
        if len(self.classes) == 1:
            object.__setattr__(self, "flat", {name: row[0] for name, row in self.weights.items()})

    def margins(self, features: Features) -> list[float]:
        """Return each class's linear score. The sums run in C: the weight rows of the paper's features are
        transposed into one column per class and multiplied by the feature values with operator.mul."""
        known = [(row, value) for name, value in features.items() if (row := self.weights.get(name)) is not None]
        if not known:
            return list(self.bias)
        rows, values = zip(*known, strict=True)
        return [bias + sum(map(operator.mul, column, values))
                for bias, column in zip(self.bias, zip(*rows, strict=True), strict=True)]


@dataclass(frozen=True)
class LearnedModel:
    """The committed model: inverse document frequencies, the relevance model and the domain model."""

    idf: dict[str, float]
    relevance: LinearModel
    domains: LinearModel
    source: str

    def judge(self, features: Features) -> tuple[float, list[tuple[float, str]]]:
        """Return the on-topic probability and each feature's contribution to it (see `evidence`)."""
        flat = self.relevance.flat
        products = list(map(operator.mul, map(flat.get, features, itertools.repeat(0.0)), features.values()))
        return sigmoid(self.relevance.bias[0] + sum(products)), list(zip(products, features, strict=True))

    def domain_probabilities(self, features: Features) -> dict[str, float]:
        """Return domain -> probability (softmax over the domain classes)."""
        margins = self.domains.margins(features)
        top = max(margins)
        exps = [math.exp(margin - top) for margin in margins]
        total = sum(exps)
        return {name: value / total for name, value in zip(self.domains.classes, exps, strict=True)}


def sigmoid(margin: float) -> float:
    """The logistic function, safe for large margins."""
    return 1 / (1 + math.exp(-margin)) if margin >= 0 else math.exp(margin) / (1 + math.exp(margin))


def text_tokens(words: dict[str, list[str]]) -> Counter[str]:
    """Return the counted tokens of a paper: its words, title words also marked as such (word pairs measured no
    better on cross-validation and cost twice the time)."""
    marked = ["title:" + word for word in words.get("title", [])]
    return Counter([word for field_words in words.values() for word in field_words] + marked)


def text_features(tokens: Counter[str], idf: dict[str, float]) -> Features:
    """Return the L2-normalised sublinear TF-IDF of the tokens the model knows (named by the token itself: no token
    contains `rule:`, the prefix of the rule features)."""
    weights = map(idf.get, tokens)
    raw = {token: weight if count == 1 else (1 + math.log(count)) * weight
           for token, count, weight in zip(tokens, tokens.values(), weights, strict=True) if weight is not None}
    scale = 1 / (math.sqrt(sum(value * value for value in raw.values())) or 1.0)
    return {token: value * scale for token, value in raw.items()}


def rule_features(group_counts: Mapping[str, Mapping[str, int]], tag_points: dict[str, float], score: float,
                  max_hits: int) -> Features:
    """Return the rule evidence as features: the rule score, each group's capped hits per field, each tag's score."""
    features = {RULE_PREFIX + "score": score / 10}
    for field_name, hits in group_counts.items():
        for label, number in hits.items():
            features[f"{RULE_PREFIX}{label}:{field_name}"] = min(number, max_hits) / max_hits
    for slug, points in tag_points.items():
        features[f"{RULE_PREFIX}tag:{slug}"] = points / 10
    return features


def load_model(path: Path) -> LearnedModel:
    """Read a model file written by scripts.classify.train; raise ConfigError naming the file and the fix."""
    fix = "rebuild it with `python -m scripts.classify.train` or remove relevance.model from config.yaml"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: model file not found; {fix}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ConfigError(f"{path}: not a readable model ({error}); {fix}") from None
    if not isinstance(data, dict) or data.get("version") != MODEL_VERSION:
        raise ConfigError(f"{path}: not a version {MODEL_VERSION} model; {fix}")
    try:
        return LearnedModel(idf=dict(data["idf"]), relevance=linear(data["relevance"]),
                            domains=linear(data["domains"]), source=str(path))
    except (KeyError, TypeError, ValueError) as error:
        raise ConfigError(f"{path}: malformed model ({error!r}); {fix}") from None


def linear(data: dict[str, Any]) -> LinearModel:
    """Build a LinearModel from its JSON form."""
    classes = tuple(str(name) for name in data["classes"])
    weights = {name: tuple(float(value) for value in (row.split() if isinstance(row, str) else row))
               for name, row in data["weights"].items()}
    if any(len(row) != len(classes) for row in weights.values()) or len(data["bias"]) != len(classes):
        raise ValueError("weight rows and classes differ in length")
    return LinearModel(classes=classes, bias=tuple(float(value) for value in data["bias"]), weights=weights)


def readable(feature: str) -> str:
    """Return a feature's name as the audit page shows it: a quoted term, or the rule it stands for."""
    if feature.startswith(RULE_PREFIX):
        return feature[len(RULE_PREFIX):]
    return f'title "{feature[6:]}"' if feature.startswith("title:") else f'"{feature}"'


def evidence(contributions: list[tuple[float, str]], count: int = 4) -> str:
    """Return the features that moved a decision most: half of `count` against, the rest for, e.g.
    `-"robot", -group:other_subject:abstract, +score, +"jailbreak"`."""
    ordered = sorted(contributions)  # in C; faster than heapq's Python loop for a few hundred items
    against = [item for item in ordered[:count // 2] if item[0] < 0]
    support = [item for item in ordered[::-1][:count - len(against)] if item[0] > 0]
    return ", ".join(f"{'+' if value > 0 else '-'}{readable(name)}" for value, name in against + support)
