"""The audit trail of rejected candidates: a bounded record, its page, and promoting a false negative end to end."""

from __future__ import annotations

import json
import re

import pytest
from markdown_it import MarkdownIt

from scripts.classify.overrides import apply_overrides, load_overrides
from scripts.classify.rejections import empty_rejected, load_rejected, merge_rejected, rejected_json, rejected_page
from scripts.classify.relevance import classify, parse_rules
from scripts.errors import ArchiveError
from scripts.paper import Paper
from tests.taxonomy import taxonomy

MARKDOWN = MarkdownIt("commonmark").enable(["table"])
RUN1, RUN2 = "2026-05-01T06:00:00Z", "2026-05-01T18:00:00Z"


def paper(paper_id: str, score: float, title: str = "A paper", summary: str = "") -> Paper:
    return Paper(id=paper_id, version=1, title=title, authors=("A. Author",), published="2026-04-30T00:00:00Z",
                 updated="2026-04-30T00:00:00Z", summary=summary, score=score)


def ids(record: dict) -> list[tuple[str, str]]:
    return [(entry["id"], entry["date"]) for entry in record["candidates"]]


def test_a_run_adds_its_candidates_highest_score_first():
    first = merge_rejected(empty_rejected(), [paper("2501.00001", 2), paper("2501.00002", 5)], RUN1, 10)
    second = merge_rejected(first, [paper("2501.00003", 1), paper("2501.00004", 2)], RUN2, 10)
    assert ids(second) == [("2501.00002", RUN1), ("2501.00001", RUN1), ("2501.00004", RUN2), ("2501.00003", RUN2)]
    assert second["candidates"][3] == {"id": "2501.00003", "title": "A paper", "score": 1, "date": RUN2,
                                       "url": "https://arxiv.org/abs/2501.00003"}


def test_a_paper_rejected_again_keeps_only_its_latest_entry():
    first = merge_rejected(empty_rejected(), [paper("2501.00001", 2)], RUN1, 10)
    second = merge_rejected(first, [paper("2501.00001", 3)], RUN2, 10)
    assert [(entry["id"], entry["score"], entry["date"]) for entry in second["candidates"]] == [("2501.00001", 3, RUN2)]


def test_the_record_is_bounded_keeping_the_best_scores():
    first = merge_rejected(empty_rejected(), [paper(f"2501.0000{n}", n) for n in range(1, 6)], RUN1, 4)
    assert [entry["score"] for entry in first["candidates"]] == [5, 4, 3, 2]
    second = merge_rejected(first, [paper("2502.00001", 3), paper("2502.00002", -3)], RUN2, 4)
    assert ids(second) == [("2501.00005", RUN1), ("2501.00004", RUN1), ("2501.00003", RUN1), ("2502.00001", RUN2)]
    assert merge_rejected(second, [paper("2503.00001", 1)], RUN2, 0) == empty_rejected()


def test_a_rerun_in_a_later_minute_keeps_the_same_best_near_misses():
    # The old order (newest run first) swapped the kept entries between the best and the worst on alternate reruns.
    candidates = [paper(f"2501.{n:05d}", n % 57) for n in range(3000)]
    runs = ["2026-05-01T06:00Z", "2026-05-01T06:01Z", "2026-05-01T06:02Z", "2026-05-02T06:00Z"]
    records = [merge_rejected(empty_rejected(), candidates, runs[0], 500)]
    for run in runs[1:]:
        records.append(merge_rejected(records[-1], list(reversed(candidates)), run, 500))
    assert all(rejected_json(record) == rejected_json(records[0]) for record in records)
    best = sorted((n % 57 for n in range(3000)), reverse=True)[:500]
    assert [entry["score"] for entry in records[0]["candidates"]] == best


def test_rejections_older_than_a_month_before_the_newest_run_age_out():
    first = merge_rejected(empty_rejected(), [paper("2501.00001", 9)], "2026-03-01T06:00Z", 10)
    later = merge_rejected(first, [paper("2501.00002", 1)], "2026-03-31T06:00Z", 10)
    assert [entry["id"] for entry in later["candidates"]] == ["2501.00001", "2501.00002"]
    month_on = merge_rejected(later, [paper("2501.00003", 1)], "2026-04-01T06:00Z", 10)
    assert [entry["id"] for entry in month_on["candidates"]] == ["2501.00002", "2501.00003"]
    # A run that rejects nothing changes nothing, however late it comes: the clock alone moves no entry.
    assert merge_rejected(month_on, [], "2027-01-01T00:00Z", 10) == month_on


def test_settled_papers_leave_the_record():
    first = merge_rejected(empty_rejected(), [paper("2501.00001", 2), paper("2501.00002", 5)], RUN1, 10)
    assert ids(merge_rejected(first, [], RUN2, 10, settled={"2501.00002"})) == [("2501.00001", RUN1)]


def test_the_record_round_trips_through_its_file(tmp_path):
    record = merge_rejected(empty_rejected(), [paper("2501.00001", 2.5, "Ünïcode")], RUN1, 10)
    text = rejected_json(record)
    assert text == json.dumps(record, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    path = tmp_path / "rejected.json"
    path.write_text(text, encoding="utf-8")
    assert load_rejected(path) == record
    assert load_rejected(tmp_path / "absent.json") == empty_rejected()


@pytest.mark.parametrize("text,message", [
    ("{", "corrupt JSON"),
    ('{"schema": 2, "candidates": []}', "unknown schema 2"),
    ('{"schema": 1}', '"candidates" must be a list'),
    ('{"schema": 1, "candidates": [{"id": "2501.00001"}]}', "candidates[0]: title is missing or not a string"),
    ('{"schema": 1, "candidates": [{"id": "x", "title": "t", "score": 1, "date": "d", "url": "u"}]}',
     "candidates[0]: id 'x' is not an arXiv ID"),
    ('{"schema": 1, "candidates": [{"id": "2501.00001", "title": "t", "score": true, "date": "d", "url": "u"}]}',
     "candidates[0]: score is missing or not a number"),
    ('{"schema": 1, "candidates": [{"id": "2501.00001", "title": "t", "score": 1, "date": "2026-13-01", "url": "u"}]}',
     "candidates[0]: date '2026-13-01' does not start with a YYYY-MM-DD day"),
])
def test_a_damaged_record_names_the_file_and_the_fix(tmp_path, text, message):
    path = tmp_path / "rejected.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ArchiveError) as error:
        load_rejected(path)
    assert str(error.value).startswith(str(path)) and message in str(error.value)


def candidate_items(page: str) -> list[str]:
    """The source line of every candidate on the page: one list item each."""
    return [line for line in page.split("\n") if line.startswith("- `- {id: ")]


def test_the_page_escapes_hostile_titles_and_reasons_and_keeps_one_line_per_candidate():
    hostile = "Pipes | and\nnewlines <script>alert(1)</script> $x$ [link](http://evil)"
    rejected = paper("2501.00001", 7.5, hostile).with_changes(extra={"why": f'score 7.5; learned 12%: -"{hostile}"'})
    record = merge_rejected(empty_rejected(), [rejected], RUN1, 10)
    assert record["candidates"][0]["why"].startswith("score 7.5; learned 12%")
    record["candidates"][0]["url"] = "javascript:alert(1)"
    page = rejected_page(record, 9)
    assert candidate_items(page) == ['- `- {id: "2501.00001", reason: ""}` 7.5 · [Pipes \\| and newlines &lt;script&gt;'
                                     'alert(1)&lt;/script&gt; \\$x\\$ \\[link\\](http\\://evil)](https://arxiv.org/abs/2501.00001)'
                                     ' · why: score 7.5; learned 12%: -"Pipes \\| and newlines &lt;script&gt;alert(1)&lt;/script&gt; '
                                     '\\$x\\$ \\[link\\](http\\://evil)"']
    html = MARKDOWN.render(page)
    assert "<script" not in html and "javascript:" not in html and 'href="http://evil"' not in html
    assert "score reaches 9" in page


def test_candidates_are_grouped_by_run_newest_open_each_line_ready_to_paste():
    record = merge_rejected(empty_rejected(), [paper("2501.00001", 7.5, "Old")], RUN1, 10)
    record = merge_rejected(record, [paper("2501.00002", 3, "New"), paper("2501.00003", 8, "Newer")], RUN2, 10)
    page = rejected_page(record, 9)
    summaries = [line for line in page.split("\n") if line.startswith("<details")]
    assert summaries == [f"<details open><summary>Run of {RUN2[:16].replace('T', ' ')}: 2 candidates</summary>",
                         f"<details><summary>Run of {RUN1[:16].replace('T', ' ')}: 1 candidate</summary>"]
    assert [line.split('"')[1] for line in candidate_items(page)] == ["2501.00003", "2501.00002", "2501.00001"]
    assert page.count("</details>") == 2 and "3 best-scoring candidates it turned down" in page


def test_an_empty_record_says_so():
    page = rejected_page(empty_rejected(), 9)
    assert candidate_items(page) == [] and "No candidates were turned down" in page


def test_a_false_negative_is_promoted_with_the_line_from_the_page(tmp_path):
    rules = parse_rules({"threshold": 5, "require": [["model"]], "groups": {
        "model": {"title": 0, "abstract": 0, "terms": ["LLM*"]},
        "risk": {"title": 4, "abstract": 1, "terms": ["jailbreak*", "guardrail*"]}}},
        {}, taxonomy({"guardrails": ["guardrail*"]}), "config.yaml")
    near_miss = paper("2501.00042", 0, "Guardrails for LLMs", "We study LLM outputs.")
    accepted, rejected = classify([near_miss], rules)
    assert accepted == [] and rejected[0].score == 4
    page = rejected_page(merge_rejected(empty_rejected(), rejected, RUN1, 10), rules.threshold)
    line = re.search(r"`(- \{id: .*\})`", page).group(1)
    overrides_file = tmp_path / "overrides.yaml"
    overrides_file.write_text(f"include:\n  {line}\n", encoding="utf-8")
    promoted, still_rejected = apply_overrides(accepted, rejected, load_overrides(overrides_file), rules)
    assert [(p.id, p.tags) for p in promoted] == [("2501.00042", ("guardrails",))] and still_rejected == []
