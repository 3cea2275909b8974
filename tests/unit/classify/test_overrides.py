"""Maintainer overrides: validation of collection/overrides.yaml and their effect on new and archived papers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scripts.classify import corrections
from scripts.classify.overrides import (
    Overrides,
    apply_overrides,
    load_overrides,
    missing_includes,
    parse_overrides,
    read_overrides,
)
from scripts.classify.relevance import parse_rules
from scripts.errors import CollectionError
from scripts.paper import Paper
from tests.taxonomy import taxonomy

REPO = Path(__file__).resolve().parents[3]


def paper(paper_id: str, title: str = "A paper", tags: tuple[str, ...] = (), summary: str = "") -> Paper:
    return Paper(id=paper_id, version=1, title=title, authors=("A. Author",), published="2025-01-02T00:00:00Z",
                 updated="2025-01-02T00:00:00Z", summary=summary, tags=tags)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "overrides.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_entries_may_be_mappings_or_bare_ids_and_versions_are_dropped(tmp_path):
    overrides = load_overrides(write(tmp_path, """\
include:
  - {id: "2501.00001v3", reason: "  on-topic  "}
  - "2501.00002"
exclude:
  - {id: "hep-th/9901001"}
tags:
  - {id: "2501.00003", tags: [jailbreak, evaluation], reason: "benchmark"}
  - {id: "2501.00004", tags: []}
"""))
    assert overrides == Overrides(include={"2501.00001": "on-topic", "2501.00002": ""}, exclude={"hep-th/9901001": ""},
                                  tags={"2501.00003": ("jailbreak", "evaluation"), "2501.00004": ()})


@pytest.mark.parametrize("text", ["", "# nothing yet\n", "include: []\nexclude: []\ntags: []\n", "include:\n"])
def test_an_empty_file_means_no_overrides(tmp_path, text):
    assert load_overrides(write(tmp_path, text)) == Overrides()


def test_a_missing_file_means_no_overrides(tmp_path):
    assert load_overrides(tmp_path / "absent.yaml") == Overrides()


def test_the_shipped_file_loads():
    assert isinstance(load_overrides(REPO / "collection" / "overrides.yaml"), Overrides)


@pytest.mark.parametrize("text,message", [
    ("include:\n  - {id: 2501.12340}\n", "include[0]: id: 2501.1234 was read as a number, which drops trailing zeros; quote it"),
    ("include:\n  - 2501.12340\n", "include[0]: id: 2501.1234 was read as a number, which drops trailing zeros; quote it"),
    ("exclude:\n  - {id: \"arXiv:2501.1\"}\n", "exclude[0]: id: 'arXiv:2501.1' is not an arXiv ID; write it like"),
    ("include:\n  - {reason: x}\n", "include[0]: id: expected an arXiv ID"),
    ("include:\n  - \"2501.00001\"\n  - {id: \"2501.00001v2\"}\n", "include[1]: 2501.00001 is listed twice in include"),
    ("tags:\n  - {id: \"2501.00001\", tags: [Jail_breaks]}\n", "tags[0]: tags: 'Jail_breaks' is not a tag; use the slugs"),
    ("tags:\n  - {id: \"2501.00001\", tags: jailbreak}\n", "tags[0]: tags: expected a list like [jailbreak, evaluation]"),
    ("tags:\n  - {id: \"2501.00001\", tags: [misuse, misuse]}\n", "repeats a tag"),
    ("tags:\n  - \"2501.00001\"\n", "tags[0]: expected {id: \"2501.12345\", ...}"),
    ("include:\n  - {id: \"2501.00001\", why: x}\n", "include[0]: why: unknown key; allowed keys: id, reason"),
    ("include:\n  - {id: \"2501.00001\", reason: 3}\n", "include[0]: reason: expected text"),
    ("include: \"2501.00001\"\n", "include: expected a list of entries"),
    ("includes: []\n", "includes: unknown list; allowed lists: include, exclude, tags"),
    ("- \"2501.00001\"\n", "expected a mapping with lists include, exclude, tags"),
    ("include: [\"2501.00001\"]\nexclude: [\"2501.00001v2\"]\n", "2501.00001 is in both include and exclude; remove it"),
    ("exclude: [\"2501.00001\"]\ntags:\n  - {id: \"2501.00001\", tags: []}\n", "excluded and also given tags"),
])
def test_bad_entries_name_file_entry_and_fix(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(CollectionError) as error:
        load_overrides(path)
    assert str(error.value).startswith(str(path)) and message in str(error.value)


def test_invalid_yaml_names_the_file(tmp_path):
    path = write(tmp_path, "include: [\n")
    with pytest.raises(CollectionError, match=re.escape("overrides.yaml: line")):
        load_overrides(path)


def test_exclude_drops_include_promotes_and_tags_are_corrected():
    overrides = parse_overrides({"include": ["2501.00002"], "exclude": ["2501.00001"],
                                 "tags": [{"id": "2501.00003", "tags": ["misuse"]}]}, "overrides.yaml")
    accepted = [paper("2501.00001", tags=("jailbreak",)), paper("2501.00003", tags=("jailbreak",))]
    rejected = [paper("2501.00002"), paper("2501.00004")]
    kept, dropped = apply_overrides(accepted, rejected, overrides)
    assert [(p.id, p.tags) for p in kept] == [("2501.00003", ("misuse",)), ("2501.00002", ())]
    assert [p.id for p in dropped] == ["2501.00004", "2501.00001"]


def test_promoted_papers_are_tagged_by_the_rules_unless_corrected():
    rules = parse_rules({"threshold": 100, "groups": {"any": {"title": 1, "abstract": 1, "terms": ["paper"]}}},
                        {}, taxonomy({"backdoor": ["backdoor*"], "privacy": ["privacy"]}), "config.yaml")
    overrides = parse_overrides({"include": ["2501.00001", "2501.00002"],
                                 "tags": [{"id": "2501.00002", "tags": ["privacy"]}]}, "overrides.yaml")
    rejected = [paper("2501.00001", "Backdoors in agents"), paper("2501.00002", "Backdoors again")]
    kept, dropped = apply_overrides([], rejected, overrides, rules)
    assert [(p.id, p.tags) for p in kept] == [("2501.00001", ("backdoor",)), ("2501.00002", ("privacy",))]
    assert dropped == []


def test_overrides_apply_to_archived_papers_alone():
    archived = [paper("2501.00001", tags=("fairness",)), paper("2501.00002", tags=("fairness",))]
    overrides = parse_overrides({"exclude": ["2501.00001"], "tags": [{"id": "2501.00002", "tags": ["alignment"]}]},
                                "overrides.yaml")
    keep, drop = apply_overrides(archived, [], overrides)
    assert [(p.id, p.tags) for p in keep] == [("2501.00002", ("alignment",))] and [p.id for p in drop] == ["2501.00001"]


def test_no_overrides_change_nothing():
    accepted, rejected = [paper("2501.00001", tags=("misuse",))], [paper("2501.00002")]
    assert apply_overrides(accepted, rejected, Overrides()) == (accepted, rejected)


def test_included_ids_never_fetched_are_reported_for_fetching_by_id():
    overrides = parse_overrides({"include": ["2501.00003", "2501.00001", "2501.00002"]}, "overrides.yaml")
    assert missing_includes(overrides, {"2501.00002"}) == ["2501.00001", "2501.00003"]


def test_a_tag_the_taxonomy_lacks_is_refused_with_the_slugs_it_has(tmp_path):
    (tmp_path / "collection").mkdir()
    write(tmp_path / "collection", "tags:\n  - {id: \"2501.00001\", tags: [jailbreaks]}\n")
    with pytest.raises(CollectionError) as error:
        corrections.load(tmp_path, ("jailbreak", "privacy"))
    assert str(error.value).endswith("2501.00001: tags: unknown tag 'jailbreaks'; the taxonomy in config.yaml has: "
                                     "jailbreak, privacy")
    write(tmp_path / "collection", "tags:\n  - {id: \"2501.00001\", tags: [privacy]}\n")
    assert corrections.load(tmp_path, ("jailbreak", "privacy"))[0].tags == {"2501.00001": ("privacy",)}


def test_every_problem_is_reported_at_once_like_the_collection_files():
    raw = {"include": [2501.1, {"id": "2501.00002", "why": "x"}], "exclude": ["2501.00003", "2501.00003"],
           "tags": [{"id": "2501.00004", "tags": ["Not A Slug"]}], "extra": []}
    overrides, problems = read_overrides(raw, "overrides.yaml")
    assert overrides is None
    assert problems == [
        "overrides.yaml: extra: unknown list; allowed lists: include, exclude, tags",
        "overrides.yaml: include[0]: id: 2501.1 was read as a number, which drops trailing zeros; quote it, e.g. '2402.04249'",
        "overrides.yaml: include[1]: why: unknown key; allowed keys: id, reason",
        "overrides.yaml: exclude[1]: 2501.00003 is listed twice in exclude; keep one entry",
        "overrides.yaml: tags[0]: tags: 'Not A Slug' is not a tag; use the slugs of config.yaml's taxonomy",
    ]
    with pytest.raises(CollectionError, match=re.escape(problems[0] + " (and 4 more; fix them all before rerunning)")):
        parse_overrides(raw, "overrides.yaml")
