"""scripts/taxonomy.py: the domains of config.yaml's `taxonomy:` section."""

from __future__ import annotations

import pytest

from scripts.errors import ConfigError
from scripts.taxonomy import Domain, parse_taxonomy, slugs

GOOD = {"slug": "agent-safety", "name": "Agent safety", "description": "Safety of LLM agents.", "terms": ["agent*"]}


def test_domains_keep_reader_order_and_their_fields():
    taxonomy = parse_taxonomy([GOOD, {**GOOD, "slug": "privacy", "name": "Privacy"}], "config.yaml")
    assert taxonomy[0] == Domain("agent-safety", "Agent safety", "Safety of LLM agents.", ("agent*",))
    assert slugs(taxonomy) == ("agent-safety", "privacy")


@pytest.mark.parametrize(("raw", "message"), [
    ([], "config.yaml: taxonomy: expected a list of domains"),
    ({"jailbreak": ["x"]}, "config.yaml: taxonomy: expected a list of domains"),
    ([{**GOOD, "slug": "Agent Safety"}], "config.yaml: taxonomy[0].slug: 'Agent Safety' is not a slug; use lowercase"),
    ([{**GOOD, "slug": "a--b"}], "taxonomy[0].slug: 'a--b' is not a slug"),
    ([GOOD, {**GOOD, "name": "Other"}], "taxonomy[1]: 'agent-safety' repeats the slug or name of 'agent-safety'"),
    ([GOOD, {**GOOD, "slug": "x", "name": "AGENT SAFETY"}], "taxonomy[1]: 'x' repeats the slug or name"),
    ([{**GOOD, "colour": "red"}], "taxonomy[0].colour: unknown key; allowed keys: slug, name, description, terms"),
    ([{k: v for k, v in GOOD.items() if k != "name"}], "taxonomy[0].name: expected a non-empty string"),
    ([{**GOOD, "description": "a\nb"}], "taxonomy[0].description: expected one line"),
    ([{**GOOD, "terms": []}], "taxonomy[0].terms: expected a non-empty list of terms"),
    ([{**GOOD, "name": "Agent\rsafety"}], "taxonomy[0].name: expected one line of at most 300 characters, without"),
    ([{**GOOD, "description": "Safety\u202e of agents."}], "taxonomy[0].description: expected one line"),
    ([{**GOOD, "slug": f"d{i}", "name": f"D{i}"} for i in range(41)], "41 domains; at most 40"),
])
def test_a_bad_taxonomy_names_the_entry_and_the_fix(raw, message):
    with pytest.raises(ConfigError) as error:
        parse_taxonomy(raw, "config.yaml")
    assert message in str(error.value)
