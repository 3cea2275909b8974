"""python -m scripts.evaluate: metrics on a tiny hand-made labelled corpus, clear failures, and the shared dev set."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from scripts import evaluate

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(__file__).resolve().parents[3] / "shared"
DEV_LABELS = SHARED / "data" / "relevance-dev.tsv"
DEV_CORPUS = SHARED / "data" / "arxiv-corpus.json"

CONFIG = """\
arxiv:
  categories: [cs.CL]
  all_of: [[jailbreak], [LLM]]
relevance:
  threshold: 4
  require: [[model]]
  groups:
    model: {title: 0, abstract: 0, terms: [LLM*]}
    risk: {title: 4, abstract: 2, terms: [jailbreak*, backdoor*, guardrail*]}
tags:
  min_score: 1
taxonomy:
  - {slug: jailbreak, name: Jailbreaks, description: Jailbreak attacks., terms: [jailbreak*]}
  - {slug: backdoor, name: Backdoors, description: Backdoor attacks., terms: [backdoor*]}
"""

RECORDS = [
    {"id": "2501.00001v2", "title": "Jailbreaking LLMs", "authors": ["A"], "published": "2025-01-02",
     "summary": "Attacks on LLM safety."},                                          # kept, on-topic, tag hit
    {"id": "2501.00002", "title": "Backdoors in LLM agents", "authors": [], "published": "2025-01-03T10:00:00Z",
     "summary": "Triggers."},                                                        # kept, on-topic, labelled jailbreak
    {"id": "2501.00003", "title": "LLM guardrails for robots", "authors": [], "published": "2025-01-04",
     "summary": "Planning."},                                                        # kept, off-topic
    {"id": "2501.00004", "title": "Safety of LLM outputs", "authors": [], "published": "2025-01-05",
     "summary": "Harm."},                                                            # rejected, on-topic
    {"id": "2501.00005", "title": "Jailbreak", "authors": [], "published": "2025-01-06",
     "summary": "No model named."},                                                  # rejected, borderline
    {"id": "2501.00006", "title": "Unlabelled LLM jailbreak", "authors": [], "published": "2025-01-07",
     "summary": ""},                                                                 # kept, not labelled
]

LABELS = "id\tlabel\tdomain\n2501.00001\t1\tjailbreak\n2501.00002v1\t1\tjailbreak\n2501.00003\t0\t-\n" \
         "2501.00004\t1\tother\n2501.00005\tB\tjailbreak\n"


@pytest.fixture
def files(tmp_path):
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "corpus.json").write_text(json.dumps(RECORDS), encoding="utf-8")
    (tmp_path / "labels.tsv").write_text(LABELS, encoding="utf-8")
    return tmp_path


def run(files: Path, *extra: str) -> int:
    return evaluate.main([str(files / "labels.tsv"), str(files / "corpus.json"), "--config", str(files / "config.yaml"),
                          *extra])


def test_prints_precision_recall_tag_figures_and_what_the_query_misses(files, capsys):
    assert run(files) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "precision 0.667  recall 0.667  F1 0.667"
    assert lines[1] == "TP 2  FP 1  FN 1  (borderline ignored: 1)"
    assert lines[2].startswith("primary-tag accuracy 0.500  hit rate 0.500 ")
    assert lines[3] == "tags per kept paper 0.75  most frequent tag jailbreak on 50% of kept papers"
    assert lines[4] == "per tag (precision / recall / labelled papers): jailbreak 1.00/0.50/2, backdoor 0.00/0.00/0"
    # all_of [[jailbreak], [LLM]]: "Jailbreaking" is another word to arXiv, and 2501.00004 has neither term.
    assert lines[5].startswith("arXiv query: misses 3 of 3 labelled on-topic papers (terms in ti, abs; categories not")
    assert lines[6].startswith("arXiv query cost: returns 1 of 6 corpus papers over 6 days: ~0.2 a day, ~1 results in "
                               "1 request(s) per daily run")
    assert lines[7] == "end to end (query, then filter): precision 0.000  recall 0.000"
    assert lines[8].startswith("corpus: 4 of 6 papers accepted by the rules, classified in ")


def test_a_comment_header_is_skipped(files, capsys):
    (files / "labels.tsv").write_text("# labels\n# id, label, domain\n" + LABELS.split("\n", 1)[1], encoding="utf-8")
    assert run(files) == 0
    assert capsys.readouterr().out.splitlines()[1] == "TP 2  FP 1  FN 1  (borderline ignored: 1)"


def test_errors_lists_false_positives_negatives_and_papers_the_query_loses(files, capsys):
    assert run(files, "--errors") == 0
    lines = capsys.readouterr().out.splitlines()[9:]
    assert lines == ["FP    4.00 2501.00003 [] LLM guardrails for robots",
                     "FN    0.00 2501.00004 [] Safety of LLM outputs  (score 0)",
                     "LOST    4.00 2501.00001 [jailbreak] Jailbreaking LLMs",
                     "LOST    4.00 2501.00002 [backdoor] Backdoors in LLM agents",
                     "LOST    0.00 2501.00004 [] Safety of LLM outputs  (score 0)"]


@pytest.mark.parametrize("breakage,message", [
    (lambda files: (files / "labels.tsv").unlink(), "labels.tsv: file not found"),
    (lambda files: (files / "corpus.json").unlink(), "corpus.json: file not found"),
    (lambda files: (files / "corpus.json").write_text("[{", encoding="utf-8"), "corpus.json: not readable as JSON"),
    (lambda files: (files / "corpus.json").write_text("{}", encoding="utf-8"), "expected a JSON list of paper records"),
    (lambda files: (files / "corpus.json").write_text('[{"id": "x", "title": "t", "summary": "s"}]', encoding="utf-8"),
     "corpus.json: record 0: 'x' is not an arXiv ID"),
    (lambda files: (files / "corpus.json").write_text('[{"id": "2501.00001", "title": "t", "summary": "s", "authors": "A"}]',
                                                      encoding="utf-8"), "corpus.json: record 0: authors: expected a list"),
    (lambda files: (files / "labels.tsv").write_text("2501.00001\tyes\tjailbreak\n", encoding="utf-8"),
     "labels.tsv:1: expected `id<TAB>label<TAB>domain` with label 1, 0 or B"),
    (lambda files: (files / "labels.tsv").write_text("2501.00001\t1\tjailbreaks\n", encoding="utf-8"),
     "labels.tsv:1: unknown domain 'jailbreaks'"),
    (lambda files: (files / "labels.tsv").write_text("2501.00001\t1\tother\n2501.00001\t0\t-\n", encoding="utf-8"),
     "labels.tsv:2: 2501.00001 is labelled twice"),
    (lambda files: (files / "labels.tsv").write_text("2509.99999\t1\tother\n", encoding="utf-8"),
     "labels.tsv: 1 labelled IDs are not in"),
    (lambda files: (files / "config.yaml").write_text("arxiv:\n  categories: [cs.CL]\n  all_of: [[a]]\n", encoding="utf-8"),
     "config.yaml: relevance: section missing"),
    (lambda files: (files / "config.yaml").write_text(CONFIG.replace("threshold: 4", "threshold: x"), encoding="utf-8"),
     "config.yaml: relevance.threshold: expected a number"),
])
def test_a_missing_or_bad_file_exits_non_zero_with_one_clear_line(files, capsys, breakage, message):
    breakage(files)
    assert run(files) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and message in captured.err and captured.err.count("\n") == 1


@pytest.mark.skipif(not SHARED.exists(), reason="needs the shared labelled data in ../shared")
def test_the_shipped_filter_meets_the_targets_on_the_dev_set(capsys):
    started = time.perf_counter()
    assert evaluate.main([str(DEV_LABELS), str(DEV_CORPUS), "--config", str(REPO / "config.yaml")]) == 0
    seconds = time.perf_counter() - started
    lines = capsys.readouterr().out.splitlines()
    precision, recall = float(lines[0].split()[1]), float(lines[0].split()[3])
    primary, hit_rate = float(lines[2].split()[2]), float(lines[2].split()[5])
    assert precision >= 0.90 and recall >= 0.90 and primary >= 0.70 and hit_rate >= 0.85, lines
    assert seconds < 20, f"evaluate took {seconds:.1f} s on the dev corpus"
