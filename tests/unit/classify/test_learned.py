"""The learned part: one command rebuilds it from labels, byte for byte the same; the filter then explains itself."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scripts.classify import train
from scripts.classify.learned import load_model
from scripts.classify.relevance import classify, decide
from scripts.config import load_config
from scripts.errors import ConfigError
from scripts.paper import Paper

pytest.importorskip("sklearn", reason="rebuilding the model needs scikit-learn (requirements-dev.txt)")

CONFIG = """\
arxiv:
  categories: [cs.CL]
  all_of: [[jailbreak], [LLM]]
relevance:
  threshold: 4
  require: [[model]]
  model: labels/model.json
  model_keep: 0.5
  model_veto: 0.5
  groups:
    model: {title: 0, abstract: 0, terms: [LLM*]}
    risk: {title: 4, abstract: 2, terms: [jailbreak*, privacy]}
tags:
  min_score: 1
  secondary_ratio: 0.5
taxonomy:
  - {slug: jailbreak, name: Jailbreaks, description: Jailbreak attacks., terms: [jailbreak*]}
  - {slug: privacy, name: Privacy, description: Privacy leaks., terms: [privacy, leak*]}
"""

TOPICS = {
    "jailbreak": ("1", "Jailbreak prompts against LLM chat models", "We craft jailbreak prompts that bypass refusals."),
    "privacy": ("1", "Privacy leakage of LLM training data", "We extract memorized personal data and leak it."),
    "-": ("0", "Protein folding with LLM embeddings", "We predict structures of molecules quickly."),
}


def records() -> list[dict]:
    found = []
    for index in range(36):
        domain = list(TOPICS)[index % 3]
        label, title, summary = TOPICS[domain]
        found.append({"id": f"2501.{index + 1:05d}", "title": f"{title} {index}", "summary": f"{summary} Case {index}.",
                      "published": "2025-01-02", "label": label, "domain": domain})
    return found


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    labels = tmp_path / "labels"
    labels.mkdir()
    rows = records()
    (labels / "labels.tsv").write_text("# id, label, domain\n" + "".join(
        f"{row['id']}\t{row['label']}\t{row['domain']}\n" for row in rows), encoding="utf-8")
    shard = [{key: row[key] for key in ("id", "title", "summary", "published")} for row in rows]
    (labels / "papers-1.json").write_text(json.dumps(shard), encoding="utf-8")
    return tmp_path


def rebuild(project: Path) -> bytes:
    labels = project / "labels" / "labels.tsv"
    assert train.main(["--config", str(project / "config.yaml"), "--labels", str(labels)]) == 0
    return (project / "labels" / "model.json").read_bytes()


def test_the_rebuild_command_is_deterministic(project):
    first = rebuild(project)
    assert rebuild(project) == first
    assert json.loads(first)["trained_on"] == 36


def test_the_rebuilt_model_decides_tags_and_explains(project):
    rebuild(project)
    rules = load_config(project / "config.yaml").relevance
    assert rules is not None and rules.model is not None
    on_topic = Paper(id="2502.00001", version=1, title="New jailbreak prompts for LLM chat models", authors=(),
                     published="2025-02-01T00:00:00Z", updated="2025-02-01T00:00:00Z",
                     summary="We craft jailbreak prompts that bypass refusals.")
    off_topic = on_topic.with_changes(id="2502.00002", title="Protein folding with LLM embeddings",
                                      summary="We predict structures of molecules quickly.")
    decision = decide(on_topic, rules)
    assert decision.kept and decision.tags[0] == "jailbreak" and 0 <= decision.score <= 100
    accepted, rejected = classify([on_topic, off_topic], rules)
    assert [paper.id for paper in accepted] == ["2502.00001"]
    why = rejected[0].extra["why"]  # the rule score, the probability and the strongest evidence, e.g. -"protein"
    assert why.startswith("score ") and "; learned " in why and '"' in why


def test_cross_validation_reports_rules_and_learned_figures_with_spread(project, capsys):
    assert train.main(["--config", str(project / "config.yaml"), "--labels", str(project / "labels" / "labels.tsv"),
                       "--cv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].startswith("5-fold stratified cross-validation")
    assert lines[2].split()[0] == "rules" and lines[3].split()[0] == "learned" and "±" in lines[3]


def test_a_missing_or_broken_model_file_is_a_config_error_naming_the_fix(project):
    with pytest.raises(ConfigError, match=r"model\.json: model file not found; rebuild it with"):
        load_config(project / "config.yaml")
    (project / "labels" / "model.json").write_text('{"version": 1}', encoding="utf-8")
    with pytest.raises(ConfigError, match="malformed model"):
        load_model(project / "labels" / "model.json")


def test_a_model_trained_for_another_taxonomy_is_refused(project):
    rebuild(project)
    config = project / "config.yaml"
    config.write_text(CONFIG.replace("slug: privacy, name: Privacy", "slug: leaks, name: Leaks"), encoding="utf-8")
    with pytest.raises(ConfigError, match="predicts domain 'privacy', which taxonomy: lacks; rebuild"):
        load_config(config)


def test_maintainer_overrides_count_as_labels(project):
    (project / "collection").mkdir()
    (project / "collection" / "overrides.yaml").write_text(
        'include:\n  - {id: "2501.00003", reason: "on-topic after all"}\n'
        'exclude:\n  - {id: "2501.00001", reason: "off-topic"}\n'
        'tags:\n  - {id: "2501.00003", tags: [privacy], reason: "a leak"}\n', encoding="utf-8")
    labels, papers = train.labelled(project, project / "labels" / "labels.tsv", ("jailbreak", "privacy"))
    assert labels["2501.00001"] == ("0", "-") and labels["2501.00003"] == ("1", "privacy")
    assert labels["2501.00002"] == ("1", "privacy") and len(papers) == 36
