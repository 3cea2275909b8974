"""The relevance step: term matching, scoring, requirements, tags, config validation, and the shipped rules on
hand-written example papers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scripts.classify.relevance import assign_tags, classify, parse_rules, score
from scripts.classify.terms import TermMatcher, parse_term, words_of
from scripts.config import load_config
from scripts.errors import ConfigError
from scripts.paper import Paper
from scripts.taxonomy import slugs
from tests.taxonomy import taxonomy

REPO = Path(__file__).resolve().parents[3]


def paper(title: str, summary: str = "", paper_id: str = "2501.00001") -> Paper:
    """A hand-written example paper."""
    return Paper(id=paper_id, version=1, title=title, authors=("A. Author",), published="2025-01-02T00:00:00Z",
                 updated="2025-01-02T00:00:00Z", summary=summary)


def small_rules(**changes) -> object:
    """Rules small enough to reason about: a model gate, one risk group, one negative group, three tags."""
    relevance = {
        "threshold": 5, "max_hits": 2, "require": [["model"]],
        "groups": {
            "model": {"title": 0, "abstract": 0, "terms": ["LLM*", "language model*"]},
            "risk": {"title": 4, "abstract": 1, "terms": ["jailbreak*", "red team*", "unsafe"]},
            "off": {"title": -4, "abstract": -1, "terms": ["robot*"]},
        },
    }
    tags = {"title": 3, "abstract": 1, "min_score": 2, "max_tags": 2}
    rules = {"jailbreak": ["jailbreak*"], "evaluation": ["benchmark*", "red team*"], "guardrails": ["guard*"]}
    relevance.update(changes.pop("relevance", {}))
    tags.update(changes.pop("tags", {}))
    return parse_rules(relevance, tags, taxonomy(changes.pop("rules", rules)), "config.yaml")


def counts(terms: list[str], text: str) -> dict:
    matcher = TermMatcher([(parse_term(term), term) for term in terms])
    return matcher.count(words_of(text))


# ---------------------------------------------------------------- term matching


def test_terms_match_whole_words_ignoring_case_hyphens_and_punctuation():
    found = counts(["red team", "LLM", "chain of thought"], "Red-Team the llm; Chain-of-Thought, red  team. LLMs")
    assert found == {"red team": 2, "LLM": 1, "chain of thought": 1}


def test_a_star_lets_the_last_word_continue_and_nothing_else():
    found = counts(["jailbreak*", "attack", "red team*"], "Jailbreaking jailbreaks attacker attacks red-teaming")
    assert found == {"jailbreak*": 2, "red team*": 1}


def test_adjacent_and_repeated_phrases_are_all_counted():
    assert counts(["safety alignment"], "safety alignment safety alignment and safety-alignment") == {"safety alignment": 3}


def test_a_phrase_and_a_shorter_term_both_count_and_labels_stay_apart():
    matcher = TermMatcher([(parse_term("harmful"), "a"), (parse_term("harmful prompt*"), "a"),
                           (parse_term("harmful"), "b")])
    assert matcher.count(words_of("Harmful prompts are harmful")) == {"a": 3, "b": 2}


def test_words_outside_ascii_match_too():
    assert counts(["sécurité", "模型"], "La sécurité des modèles 模型") == {"sécurité": 1, "模型": 1}


@pytest.mark.parametrize("term", ["", "  ", "jail**", "*jail", "red * team", "a_b", 7, "a*b"])
def test_malformed_terms_are_refused(term):
    assert parse_term(term) is None


# ---------------------------------------------------------------- scoring and classification


def test_title_hits_weigh_more_than_abstract_hits_and_hits_are_capped():
    rules = small_rules()
    assert score(paper("Jailbreak an LLM", "A language model."), rules) == 4
    assert score(paper("An LLM", "Jailbreak jailbreaks jailbreaking unsafe."), rules) == 2  # max_hits 2 per field
    assert score(paper("An LLM on a robot", "jailbreak"), rules) == -3


def test_classify_keeps_papers_reaching_the_threshold_with_score_and_tags_set():
    rules = small_rules()
    kept = paper("Jailbreak benchmark for LLMs", "We red-team language models with jailbreaks.", "2501.00001")
    weak = paper("An LLM for recipes", "Unsafe kitchens.", "2501.00002")
    accepted, rejected = classify([kept, weak], rules)
    assert [(p.id, p.score, p.tags) for p in accepted] == [("2501.00001", 6, ("jailbreak", "evaluation"))]
    assert [(p.id, p.score, p.tags) for p in rejected] == [("2501.00002", 1, ())]


def test_a_paper_without_a_required_term_is_rejected_whatever_its_score():
    accepted, rejected = classify([paper("Jailbreak red team jailbreak", "jailbreak red-teaming unsafe")], small_rules())
    assert accepted == [] and rejected[0].score == 2 * 4 + 2 * 1  # three hits per field, two counted


def test_require_accepts_any_of_the_listed_groups():
    robot = paper("Jailbreak red team", "A robot, jailbreak, jailbreak.")
    assert classify([robot], small_rules())[0] == []
    accepted, _ = classify([robot], small_rules(relevance={"require": [["model", "off"]]}))
    assert [p.score for p in accepted] == [2 * 4 + 2 * 1 - 1]


def test_no_papers_give_no_results():
    assert classify([], small_rules()) == ([], [])


# ---------------------------------------------------------------- tags


def test_tags_reaching_min_score_come_best_first_and_are_capped():
    rules = small_rules()
    tags = assign_tags(paper("A guard for jailbreak benchmarks", "benchmark benchmark guard"), rules)
    assert tags == ("evaluation", "guardrails")  # evaluation 3+2, guardrails 3+1, jailbreak 3: two kept


def test_tied_tags_follow_config_order():
    rules = small_rules(tags={"max_tags": 3})
    assert assign_tags(paper("x", "jailbreak benchmark guard"), rules) == ("jailbreak",)
    assert assign_tags(paper("x", "jailbreak jailbreak benchmark benchmark"), rules) == ("jailbreak", "evaluation")


def test_without_a_tag_reaching_min_score_the_best_single_tag_is_given():
    assert assign_tags(paper("x", "guard"), small_rules()) == ("guardrails",)
    assert assign_tags(paper("x", "nothing relevant"), small_rules()) == ()


# ---------------------------------------------------------------- config validation


@pytest.mark.parametrize("relevance,tags,message", [
    ({"threshold": "x"}, {}, "config.yaml: relevance.threshold: expected a number from -10000 to 10000, got 'x'"),
    ({"treshold": 5}, {}, "config.yaml: relevance.treshold: unknown key; allowed keys: threshold, max_hits, require, groups"),
    ({"groups": {}}, {}, "config.yaml: relevance.groups: expected a mapping of group name"),
    ({"groups": {"model": {"title": 1, "abstract": 1, "terms": []}}}, {}, "relevance.groups.model.terms: expected a non-empty list"),
    ({"groups": {"model": {"title": 1, "abstract": 1, "terms": ["jail**"]}}}, {}, "'jail**' is not a term"),
    ({"groups": {"model": {"title": 1, "terms": ["x"]}}}, {}, "relevance.groups.model.abstract: expected a number"),
    ({"groups": {"model": {"title": 1, "abstract": 1, "weight": 2, "terms": ["x"]}}}, {},
     "relevance.groups.model.weight: unknown key; allowed keys: title, abstract, terms"),
    ({"require": [["nope"]]}, {}, "relevance.require: 'nope' is not a group; groups: model, risk, off"),
    ({"require": "model"}, {}, "relevance.require: expected a list of group-name lists like [[model]]"),
    ({"max_hits": 0}, {}, "relevance.max_hits: 0 is out of range"),
    ({}, {"rules": {"jailbreak": ["x"]}}, "config.yaml: tags.rules: unknown key; allowed keys: title, abstract, "),
    ({}, {"max_tags": 4}, "tags.max_tags: 4 is out of range; allowed: 1 to 3"),
    ({}, {"colour": 1}, "tags.colour: unknown key; allowed keys: title, abstract, min_score, max_tags"),
])
def test_bad_rules_name_file_key_and_fix(relevance, tags, message):
    with pytest.raises(ConfigError) as error:
        small_rules(relevance=relevance, tags=tags)
    assert message in str(error.value)


def test_a_taxonomy_term_that_is_not_a_term_names_its_domain():
    with pytest.raises(ConfigError, match=r"config.yaml: taxonomy\[1\].terms: 'jail\*\*' is not a term"):
        small_rules(rules={"privacy": ["privacy"], "jailbreak": ["jail**"]})


def test_tags_without_a_taxonomy_are_refused():
    with pytest.raises(ConfigError, match=re.escape("config.yaml: taxonomy: section is required with `tags:`")):
        parse_rules({"threshold": 1, "groups": {"a": {"title": 1, "abstract": 1, "terms": ["x"]}}}, {}, (), "config.yaml")


def test_a_section_that_is_not_a_mapping_is_refused():
    with pytest.raises(ConfigError, match=re.escape("config.yaml: relevance: expected a mapping of settings, got list")):
        parse_rules([], {}, taxonomy({"jailbreak": ["jailbreak*"]}), "config.yaml")


# ---------------------------------------------------------------- the shipped rules


@pytest.fixture(scope="module")
def shipped():
    return load_config(REPO / "config.yaml", environ={}).relevance


def test_the_shipped_config_tags_with_exactly_the_known_slugs(shipped):
    assert shipped.tags == slugs(load_config(REPO / "config.yaml", environ={}).taxonomy)
    assert len(shipped.tags) == 13


@pytest.mark.parametrize("title,summary,tag", [
    ("Breaking the guard: multi-turn jailbreaks of reasoning models",
     "We show that large reasoning models can be jailbroken by a multi-turn attack that hides a harmful request "
     "across turns; the attack success rate exceeds prior work and defenses based on refusal training fail.",
     "jailbreak"),
    ("Poisoned tools: indirect prompt injection against LLM agents",
     "Agents that read web pages follow instructions injected by attackers. We build a benchmark of injected "
     "instructions and evaluate defenses for LLM agents that use tools.", "prompt-injection"),
    ("A lightweight guard model for moderating chatbot outputs",
     "We train a safety classifier that flags unsafe responses of large language models and compare it with "
     "existing guardrails on moderation benchmarks.", "guardrails"),
])
def test_the_shipped_rules_keep_and_tag_safety_papers(shipped, title, summary, tag):
    accepted, _ = classify([paper(title, summary)], shipped)
    assert len(accepted) == 1 and tag in accepted[0].tags


@pytest.mark.parametrize("title,summary", [
    ("Safe trajectory planning for delivery robots with control barrier functions",
     "We guarantee collision avoidance for mobile robots in crowded traffic using a safety filter."),
    ("Faster math reasoning with shorter chains of thought",
     "We compress the chain of thought of large language models, improving accuracy and efficiency on math "
     "benchmarks; safety is left to future work."),
    ("Forecasting battery degradation in electric vehicles",
     "A transformer predicts the state of health of lithium-ion batteries to improve vehicle safety."),
])
def test_the_shipped_rules_drop_papers_where_safety_is_not_about_the_model(shipped, title, summary):
    accepted, rejected = classify([paper(title, summary)], shipped)
    assert accepted == [] and len(rejected) == 1
