"""Curated text that would hide, reorder or break what a reader sees is refused; Mermaid labels stay in their node."""

from __future__ import annotations

import re

import pytest
import yaml

from scripts.curated.entries import Collections, Domain
from scripts.curated.readme import environment, mermaid_label, render_template
from scripts.validate import main
from tests.unit.curated.test_collection import REPO, copy_project, only_problem, rewrite

HIDDEN = [("\r", "U+000D (carriage return)"), ("\0", "U+0000 (NUL)"), ("\x1b", "U+001B (escape)"),
          ("\u202e", "U+202E (right-to-left override)"), ("\u2066", "U+2066 (left-to-right isolate)"),
          ("\u200b", "U+200B (zero width space)"), ("\ufeff", "U+FEFF (zero width no-break space)"),
          ("\u2028", "U+2028 (line separator)"), ("\x07", "U+0007 (a control character)")]


@pytest.mark.parametrize("char, named", HIDDEN)
def test_a_hidden_character_in_a_name_is_refused_with_file_entry_and_field(tmp_path, char, named):
    root = copy_project(tmp_path)
    rewrite(root, "domains", lambda entries: entries[1].update(name=f"Backdoor{char}attacks"))
    problem = only_problem(root)
    assert problem.startswith("collection/domains.yaml: entry 2 ") and "field 'name': contains " + named in problem
    assert "at character 9; delete it" in problem


@pytest.mark.parametrize("stem, field, index", [("domains", "parts", 0), ("datasets", "description", 0),
                                                ("reasoning_models", "organisation", 2)])
def test_hidden_characters_are_refused_in_every_text_field(tmp_path, stem, field, index):
    root = copy_project(tmp_path)

    def change(entries):
        value = entries[index][field]
        entries[index][field] = [f"{value[0]}\r"[:-1] + "\u202e" + value[0]] if field == "parts" else "\u202e" + value

    rewrite(root, stem, change)
    problem = only_problem(root)
    assert problem.startswith(f"collection/{stem}.yaml: entry {index + 1} ")
    assert f"field '{field}': contains U+202E" in problem


def test_validate_refuses_a_carriage_return_instead_of_failing_forever(tmp_path, capsys):
    root = copy_project(tmp_path)
    rewrite(root, "domains", lambda entries: entries[0].update(name="Backdoor\rattacks"))
    assert main(["--root", str(root)]) == 1
    errors = capsys.readouterr().err.splitlines()
    assert len(errors) == 1 and "collection/domains.yaml: entry 1" in errors[0] and "carriage return" in errors[0]


@pytest.mark.parametrize("url, bad", [
    ("https://github.com/owner/repo|x", "'|'"), ("https://github.com/owner/repo\\", "'\\\\'"),
    ("https://github.com/owner/a\\)b", "'\\\\'"), ("https://github.com/owner/[x]", "'['"),
    ("https://github.com/owner/repo\u202e", "'\\u202e'"), ("https://github.com/owner/r\u00e9po", "'é'"),
    ("https://github.com/owner/{x}", "'{'"), ("https://github.com/owner/^x", "'^'"),
])
def test_a_url_that_cannot_be_a_plain_link_target_is_refused(tmp_path, url, bad):
    root = copy_project(tmp_path)
    rewrite(root, "tools", lambda entries: entries[0].update(url=url))
    problem = only_problem(root)
    assert "tools.yaml: entry 1 'EasyJailbreak'" in problem and "field 'url'" in problem
    assert f"contains {bad}, which cannot stand in a Markdown link or table; percent-encode it" in problem


def test_the_repository_urls_are_all_plain_link_targets():
    for path in (REPO / "collection").glob("*.yaml"):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            if isinstance(entry, dict) and isinstance(entry.get("url"), str) and entry["url"] != "-":
                assert re.fullmatch(r"[A-Za-z0-9\-._~:/?#@!$&*+,;=%]+", entry["url"]), (path.name, entry["url"])


HOSTILE_LABEL = 'A"]\n```\n# Heading [link](https://evil.example) ![t](https://evil.example/t.png)\r\x00\x1b\u202e`**b**`#35;&<x>'


def test_a_mermaid_label_stays_one_line_of_visible_text_inside_its_quotes():
    label = mermaid_label(HOSTILE_LABEL)
    assert '"' not in label and "`" not in label and "<" not in label and ">" not in label
    assert not re.search("[\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069\u200b-\u200f]", label)
    assert label.startswith("A#quot;] #96;#96;#96; #35; Heading")
    assert label.endswith("#96;**b**#96;#35;35;#amp;#lt;x#gt;")


def test_a_hostile_domain_name_cannot_leave_the_mermaid_fence(tmp_path):
    cmarkgfm = pytest.importorskip("cmarkgfm", reason="cmarkgfm (GitHub's parser) is not installed")
    from cmarkgfm.cmark import Options
    collections = Collections(reasoning_models=(), datasets=(), surveys=(), tools=(), references=(),
                              domains=(Domain(HOSTILE_LABEL, "A description.", (HOSTILE_LABEL,), ("jailbreak",)),))
    markdown = render_template(environment(REPO), "_domains.md.j2", collections)
    fence = markdown.split("```mermaid\n", 1)[1].split("\n```\n", 1)[0]
    assert "```" not in fence and "\r" not in fence and "\0" not in markdown
    html = cmarkgfm.markdown_to_html_with_extensions(fence.join(["```mermaid\n", "\n```\n"]),
                                                     options=Options.CMARK_OPT_UNSAFE,
                                                     extensions=["autolink", "table", "strikethrough", "tagfilter"])
    assert html.count("<pre") == 1 and "<h1" not in html and "<a " not in html and "<img" not in html
    assert all(line.startswith("    ") or line in ("flowchart LR",) for line in fence.split("\n"))
