"""The one character policy: curated text, override reasons and config texts refuse the same characters."""

import pytest

from scripts.classify.overrides import load_overrides
from scripts.config import load_config
from scripts.curated.entries import FieldProblem
from scripts.curated.schema import text
from scripts.errors import CollectionError, ConfigError
from scripts.text_policy import character_problem, forbidden_character

HIDDEN = ["\u202e", "\u200b", "\u2066", "\x00", "\x1b", "\r", "\t", "\ufeff", "\ue000", "\u00ad"]


@pytest.mark.parametrize("char", HIDDEN)
def test_controls_bidi_zero_width_and_private_use_are_named(char):
    assert forbidden_character(f"safe{char}text") == char
    assert character_problem(f"safe{char}text").startswith(f"contains U+{ord(char):04X} (")
    assert "at character 5" in character_problem(f"safe{char}text") and "delete it" in character_problem(f"ab{char}")


@pytest.mark.parametrize("clean", ["Plain ASCII.", "Émile Zola, 東京, emoji 🙂", "a\u00a0b", ""])
def test_ordinary_text_passes(clean):
    assert forbidden_character(clean) is None and character_problem(clean) == ""


def test_curated_text_refuses_a_bidi_override():
    with pytest.raises(FieldProblem, match=r"U\+202E"):
        text("name\u202eevil")


def test_an_override_reason_refuses_a_zero_width_space(tmp_path):
    path = tmp_path / "overrides.yaml"
    path.write_text('include:\n  - {id: "2501.00001", reason: "fine\u200bprint"}\n', encoding="utf-8")
    with pytest.raises(CollectionError) as error:
        load_overrides(path)
    assert f"{path}: include[0]: reason: contains U+200B (ZERO WIDTH SPACE)" in str(error.value)


def test_a_config_domain_name_refuses_a_bidi_isolate(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text('arxiv:\n  categories: [cs.CL]\n  all_of: [[safety]]\ntaxonomy:\n'
                    '  - {slug: misuse, name: "Mis\u2066use", description: "Harmful use.", terms: [misuse]}\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"taxonomy\[0\]\.name: expected one line .* without control characters"):
        load_config(path, environ={})
