"""Filter figures: precision and recall, primary-tag accuracy, hit rate, tags per paper, spread and per-tag figures."""

from __future__ import annotations

import pytest

from scripts.classify.metrics import Outcome, figures

SLUGS = ("jailbreak", "privacy", "alignment")
OUTCOMES = [
    Outcome("1", "jailbreak", True, ("jailbreak", "alignment")),  # primary right
    Outcome("1", "privacy", True, ("alignment", "privacy")),      # hit, primary wrong
    Outcome("1", "alignment", True, ("jailbreak",)),              # miss
    Outcome("1", "other", True, ("privacy",)),                    # hit by definition, no primary to get right
    Outcome("1", "privacy", False, ()),                           # false negative
    Outcome("0", "-", True, ("jailbreak",)),                      # false positive
    Outcome("0", "-", False, ()),
    Outcome("B", "privacy", True, ("privacy",)),                  # ignored
]


def test_figures_count_each_outcome_once():
    result = figures(OUTCOMES, [o.tags for o in OUTCOMES if o.kept], SLUGS)
    assert (result.tp, result.fp, result.fn, result.borderline) == (4, 1, 1, 1)
    assert (result.precision, result.recall) == (0.8, 0.8)
    assert result.primary_accuracy == pytest.approx(1 / 3)
    assert result.hit_rate == 0.75
    assert result.tags_per_paper == pytest.approx(8 / 6)
    assert (result.top_tag, result.top_tag_share) == ("jailbreak", 0.5)  # 3 of 6 kept papers; ties go alphabetical


def test_per_tag_precision_and_recall_over_kept_on_topic_papers():
    per_tag = figures(OUTCOMES, [], SLUGS).per_tag
    assert per_tag["jailbreak"] == (0.5, 1.0, 1)
    assert per_tag["privacy"] == (1.0, 1.0, 1)
    assert per_tag["alignment"] == (0.0, 0.0, 1)


def test_no_outcomes_give_zeros_not_errors():
    result = figures([], [], SLUGS)
    assert (result.precision, result.recall, result.tags_per_paper, result.top_tag) == (0.0, 0.0, 0.0, "-")
