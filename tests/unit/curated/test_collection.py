"""Curated collections: each kind of bad entry is caught with a precise message; rendering is deterministic and local."""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

import pytest
import yaml

from scripts.config import load_config
from scripts.curated.entries import Collections, ReasoningModel
from scripts.curated.load import curated_arxiv_ids, find_collection_problems, load_collections
from scripts.curated.readme import contents_block, heading_slugs, render_collection_outputs
from scripts.errors import CollectionError, MarkerError
from scripts.render.markdown import align_tables, utf16_width
from scripts.render.markers import find_block

REPO = Path(__file__).resolve().parents[3]
SHARED = REPO.parent / "shared"


def copy_project(tmp_path: Path) -> Path:
    """Copy what the collections need (YAML, rendered pages, templates, README, config) into a fresh root."""
    root = tmp_path / "repo"
    shutil.copytree(REPO / "collection", root / "collection", ignore=shutil.ignore_patterns("overrides.yaml"))
    shutil.copytree(REPO / "templates" / "collection", root / "templates" / "collection")
    for name in ("README.md", "config.yaml"):
        shutil.copy(REPO / name, root / name)
    return root


def rewrite(root: Path, stem: str, change) -> None:
    """Load a collection file, let `change` edit its list of entries, write it back."""
    path = root / "collection" / f"{stem}.yaml"
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(entries)
    path.write_text(yaml.safe_dump(entries, sort_keys=False, allow_unicode=True), encoding="utf-8")


def only_problem(root: Path) -> str:
    """The single problem found under root (fails if there are none or several)."""
    problems = find_collection_problems(root)
    assert len(problems) == 1, problems
    return problems[0]


# ---------------------------------------------------------------- the real data


def test_repository_collections_load_as_typed_entries():
    collections = load_collections(REPO)
    assert isinstance(collections, Collections)
    assert {model.access for model in collections.reasoning_models} == {"open", "closed"}
    r1 = next(model for model in collections.reasoning_models if model.name == "DeepSeek-R1")
    assert r1 == ReasoningModel("DeepSeek-R1", "DeepSeek", "2025-01-22", "open", "GRPO", ("text",), "2501.12948", "-")
    assert {entry.targets for entry in collections.datasets} == {"llm", "reasoning"}
    assert {entry.topic for entry in collections.surveys} == {"reasoning", "safety"}
    assert collections.tools and collections.references and collections.domains


def test_repository_data_has_no_placeholders():
    texts = [path.read_text(encoding="utf-8").lower() for path in (REPO / "collection").glob("*.yaml")]
    texts.append((REPO / "README.md").read_text(encoding="utf-8").lower())
    for text in texts:
        assert "example.com" not in text and "coming soon" not in text.replace('"coming soon"', "")


@pytest.mark.skipif(not SHARED.exists(), reason="../shared (the evaluation corpus) is not available")
def test_curated_2025_papers_are_confirmed_by_the_corpus_or_listed_in_facts():
    import json
    import re
    corpus = {paper["id"] for paper in json.loads((SHARED / "data" / "arxiv-corpus.json").read_text(encoding="utf-8"))}
    facts = set(re.findall(r"\b\d{4}\.\d{4,5}\b", (SHARED / "facts.md").read_text(encoding="utf-8")))
    # Confirmed by hand against the arXiv abstract pages (the corpus misses them): see the issue 4 report.
    checked_by_hand = {"2501.11223", "2503.06072"}
    unconfirmed = sorted(paper for paper in curated_arxiv_ids(load_collections(REPO))
                         if paper >= "2501" and paper not in corpus | facts | checked_by_hand)
    assert unconfirmed == []


# ---------------------------------------------------------------- bad input, one kind at a time


def test_malformed_yaml_names_file_and_line(tmp_path):
    root = copy_project(tmp_path)
    path = root / "collection" / "tools.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "- name: [unclosed\n", encoding="utf-8")
    problem = only_problem(root)
    assert "tools.yaml" in problem and "line" in problem and "invalid YAML" in problem
    with pytest.raises(CollectionError, match=re.escape("tools.yaml")):
        load_collections(root)


def test_missing_field_names_entry_and_field(tmp_path):
    root = copy_project(tmp_path)
    rewrite(root, "datasets", lambda entries: entries[2].pop("paper"))
    problem = only_problem(root)
    assert problem.startswith("collection/datasets.yaml: entry 3 'HarmBench' (line ")
    assert "field 'paper' is missing; add it (write '-' if the fact is unknown)" in problem


def test_wrong_type_names_the_expected_shape(tmp_path):
    root = copy_project(tmp_path)
    rewrite(root, "reasoning_models", lambda entries: entries[0].update(modality=42))
    problem = only_problem(root)
    assert "reasoning_models.yaml: entry 1 'DeepSeek-R1'" in problem
    assert "field 'modality': must be a list like [text, image] or '-', not int 42" in problem


def test_entry_that_is_not_a_mapping(tmp_path):
    root = copy_project(tmp_path)
    rewrite(root, "references", lambda entries: entries.append("just a string"))
    assert "references.yaml: entry 7" in only_problem(root) and "not a set of fields" in only_problem(root)


@pytest.mark.parametrize("url, hint", [
    ("http://github.com/owner/repo", "not a full https:// URL"),
    ("github.com/owner/repo", "not a full https:// URL"),
    ("https://example.com/reasonguard", "placeholder host"),
    ("https://github.com/owner/repo with space", "contains ' ', which cannot stand in a Markdown link"),
])
def test_bad_url_is_rejected(tmp_path, url, hint):
    root = copy_project(tmp_path)
    rewrite(root, "tools", lambda entries: entries[0].update(url=url))
    problem = only_problem(root)
    assert "tools.yaml: entry 1 'EasyJailbreak'" in problem and "field 'url'" in problem and hint in problem


@pytest.mark.parametrize("paper, hint", [
    ("2402.4249", "since 2015 the number after the dot has 5 digits"),
    ("24020.4249", "is not an arXiv ID; write it like '2402.04249'"),
    ("2402.04249v2", "has a version suffix; write '2402.04249'"),
    ("arXiv:2402.04249", "is not an arXiv ID"),
    (2410.0902, "was read as a number"),
])
def test_bad_arxiv_id_is_rejected(tmp_path, paper, hint):
    root = copy_project(tmp_path)
    rewrite(root, "surveys", lambda entries: entries[0].update(paper=paper))
    problem = only_problem(root)
    assert "surveys.yaml: entry 1 'Efficient Inference for Large Reasoning Models: A Survey'" in problem
    assert "field 'paper'" in problem and hint in problem


def test_unquoted_arxiv_id_in_the_file_is_caught(tmp_path):
    root = copy_project(tmp_path)
    path = root / "collection" / "tools.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("paper: '2403.12171'", "paper: 2403.12170"), encoding="utf-8")
    assert "was read as a number, which drops trailing zeros; quote it" in only_problem(root)


def test_duplicate_name_within_a_file(tmp_path):
    root = copy_project(tmp_path)
    rewrite(root, "datasets", lambda entries: entries.append({**entries[2], "paper": "2402.99999"}))
    problem = only_problem(root)
    assert "entry 40 'HarmBench'" in problem and "same name as collection/datasets.yaml: entry 3 'HarmBench'" in problem


def test_duplicate_arxiv_id_across_files(tmp_path):
    root = copy_project(tmp_path)
    rewrite(root, "tools", lambda entries: entries.append(
        {"name": "HarmBench code", "url": "-", "paper": "2402.04249", "description": "Evaluation code for the benchmark."}))
    problem = only_problem(root)
    assert problem.startswith("collection/tools.yaml: entry 8 'HarmBench code'")
    assert "arXiv ID 2402.04249 is already listed at collection/datasets.yaml: entry 3 'HarmBench'" in problem


def test_arxiv_url_counts_as_its_id_and_urls_compare_loosely(tmp_path):
    root = copy_project(tmp_path)
    rewrite(root, "tools", lambda entries: entries.extend([
        {"name": "Bench mirror", "url": "https://arxiv.org/abs/2402.04249v3", "paper": "-", "description": "A mirror."},
        {"name": "WildGuard fork", "url": "https://www.GitHub.com/allenai/wildguard/", "paper": "-", "description": "A fork."}]))
    problems = find_collection_problems(root)
    assert len(problems) == 2
    assert "arXiv ID 2402.04249 is already listed" in problems[0]
    assert "URL github.com/allenai/wildguard is already listed at collection/tools.yaml: entry 2 'WildGuard'" in problems[1]


def test_field_written_twice_unknown_field_and_placeholder(tmp_path):
    root = copy_project(tmp_path)
    path = root / "collection" / "references.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("- name: Mermaid\n", "- name: Mermaid\n  name: Mermaid again\n")
    text = text.replace("- name: awesome-lint\n", "- name: awesome-lint\n  homepage: https://github.com/x/y\n")
    text = text.replace("The rules an awesome list is expected to follow.", "Coming soon.")
    path.write_text(text, encoding="utf-8")
    problems = find_collection_problems(root)
    assert any("field 'name' is written twice; keep one" in problem for problem in problems)
    assert any("entry 5 'awesome-lint'" in problem and "unknown field 'homepage'" in problem for problem in problems)
    assert any("entry 4 'Awesome manifesto'" in problem and "is a placeholder" in problem for problem in problems)


@pytest.mark.parametrize("description, hint", [
    ("lowercase start.", "must start with a capital letter"),
    ("No full stop", "must end with a full stop"),
    ('Unbalanced "quote.', "unbalanced quote"),
    ("HarmBench is a benchmark.", "starts with the name"),
])
def test_description_follows_awesome_lint_rules(tmp_path, description, hint):
    root = copy_project(tmp_path)
    rewrite(root, "datasets", lambda entries: entries[2].update(description=description))
    assert hint in only_problem(root)


def test_bad_choice_and_bad_date(tmp_path):
    root = copy_project(tmp_path)
    rewrite(root, "reasoning_models", lambda entries: entries[0].update(access="open-ish", released="2025-02-30"))
    problems = find_collection_problems(root)
    assert any("field 'released': '2025-02-30' is not a date; write it as YYYY-MM-DD" in problem for problem in problems)
    assert any("field 'access': 'open-ish' is not allowed; write one of: open, closed" in problem for problem in problems)


def test_entry_without_any_link(tmp_path):
    root = copy_project(tmp_path)
    rewrite(root, "tools", lambda entries: entries[0].update(url="-", paper="-"))
    assert "both paper and url are '-'; set at least one" in only_problem(root)


def test_missing_empty_and_stray_files(tmp_path):
    root = copy_project(tmp_path)
    (root / "collection" / "surveys.yaml").unlink()
    (root / "collection" / "tools.yaml").write_text("# nothing yet\n", encoding="utf-8")
    (root / "collection" / "dataset.yaml").write_text("- name: typo\n", encoding="utf-8")
    (root / "collection" / "overrides.yaml").write_text("anything: [owned elsewhere]\n", encoding="utf-8")
    problems = find_collection_problems(root)
    assert len(problems) == 3, problems
    assert problems[0].startswith("collection/dataset.yaml: not a collection file")
    assert any(problem.startswith("collection/surveys.yaml: file is missing") for problem in problems)
    assert any(problem.startswith("collection/tools.yaml: expected a non-empty list") for problem in problems)


def test_load_collections_reports_the_first_problem_and_the_count(tmp_path):
    root = copy_project(tmp_path)
    rewrite(root, "datasets", lambda entries: [entry.pop("url") for entry in entries[:3]])
    with pytest.raises(CollectionError, match=r"entry 1 .*field 'url' is missing.*\(and 2 more; run python -m scripts.validate"):
        load_collections(root)


# ---------------------------------------------------------------- rendering


def render(root: Path, readme_text: str | None = None) -> dict[Path, str]:
    """Render every output of the collections under root."""
    readme_text = (root / "README.md").read_text(encoding="utf-8") if readme_text is None else readme_text
    return render_collection_outputs(root, load_collections(root), readme_text)


def test_rendering_is_deterministic_and_ignores_entry_order(tmp_path):
    root = copy_project(tmp_path)
    first = render(root)
    assert render(root) == first
    for stem in ("datasets", "tools", "reasoning_models", "surveys"):
        rewrite(root, stem, lambda entries: random.Random(7).shuffle(entries))
    assert render(root) == first
    assert sorted(path.name for path in first) == sorted(
        ["README.md", "datasets.md", "domains.md", "reasoning_models.md", "references.md", "surveys.md", "tools.md"])


def test_committed_outputs_match_the_data():
    outputs = render(REPO)
    for path, text in outputs.items():
        assert path.read_text(encoding="utf-8") == text, f"{path} is stale; run python -m scripts.update --no-fetch"


def test_readme_blocks_are_replaced_between_markers_only(tmp_path):
    root = copy_project(tmp_path)
    original = (root / "README.md").read_text(encoding="utf-8")
    latest_start, latest_end = find_block(original, "LATEST_PAPERS", "README.md")
    latest = "\n| Date | Paper |\n| --- | --- |\n| 2026-01-01 | [Hand-made row](https://arxiv.org/abs/2601.00001) |\n"
    edited = original[:latest_start] + latest + original[latest_end:]
    start, end = find_block(edited, "DATASETS_LLM", "README.md")
    edited = edited[:start] + "\nstale text\n" + edited[end:]
    edited = edited.replace("## FAQ\n", "## FAQ\n\nA hand-written line outside every block.\n")
    result = render(root, edited)[root / "README.md"]
    assert "stale text" not in result and "A hand-written line outside every block." in result
    assert latest in result
    assert result.replace("A hand-written line outside every block.\n\n", "") == \
        render(root, original[:latest_start] + latest + original[latest_end:])[root / "README.md"]


def test_missing_marker_is_a_marker_error(tmp_path):
    root = copy_project(tmp_path)
    readme = (root / "README.md").read_text(encoding="utf-8").replace("<!-- TOOLS_END -->\n", "")
    with pytest.raises(MarkerError, match="TOOLS_END"):
        render(root, readme)


def test_table_cells_and_list_text_are_escaped(tmp_path):
    root = copy_project(tmp_path)
    rewrite(root, "tools", lambda entries: entries[0].update(description="Splits a | b, hides <script>, costs $5 [sic]."))
    outputs = render(root)
    row = next(line for line in outputs[root / "collection" / "tools.md"].splitlines() if "EasyJailbreak" in line)
    assert r"Splits a \| b, hides &lt;script&gt;, costs \$5 \[sic\]." in row
    assert row.count(" | ") == 2 and row.startswith("| ") and row.endswith(" |")
    assert r"- [EasyJailbreak](https://github.com/EasyJailbreak/EasyJailbreak) - Splits a \| b" in outputs[root / "README.md"]


def test_contents_follow_the_headings():
    readme = "# List\n\n## Contents\n\n## A Section\n### Sub One\n```md\n## Not A Heading\n```\n## Contributing\n### Hidden\n## A Section\n"
    assert contents_block(readme) == "- [A Section](#a-section)\n  - [Sub One](#sub-one)\n- [A Section](#a-section-1)"
    assert [anchor for _, _, anchor in heading_slugs("## What's New?\n## Q&A: 2025\n")] == ["whats-new", "qa-2025"]


def pipe_offsets(line: str) -> list[int]:
    """UTF-16 offsets of the unescaped pipes of a table row, as JavaScript would count them."""
    offsets, position = [], 0
    for index, char in enumerate(line):
        if char == "|" and (index == 0 or line[index - 1] != "\\"):
            offsets.append(position)
        position += utf16_width(char)
    return offsets


def test_align_tables_pads_by_javascript_string_length():
    table = "Text before.\n| A | B |\n| --- | :-: |\n| 𝒪(n) \\| x | 李 |\n| longer cell | b |\nText after."
    lines = align_tables(table).splitlines()
    assert lines[0] == "Text before." and lines[-1] == "Text after."
    assert len({tuple(pipe_offsets(line)) for line in lines[1:-1]}) == 1, lines
    assert lines[2] == "| ----------- | --- |"
    assert "𝒪(n) \\| x" in lines[3]


def test_curated_arxiv_ids_cover_every_linked_paper():
    ids = curated_arxiv_ids(load_collections(REPO))
    assert {"2501.12948", "2402.04249", "2502.05206", "2403.12171"} <= ids
    rendered = "".join(render(REPO).values())
    assert [paper for paper in sorted(ids) if f"(https://arxiv.org/abs/{paper})" not in rendered] == []


# ---------------------------------------------------------------- curated domains map onto the taxonomy


def test_every_curated_domain_maps_onto_configured_tags():
    slugs = {domain.slug for domain in load_config(REPO / "config.yaml").taxonomy}
    domains = load_collections(REPO).domains
    assert all(domain.tags and set(domain.tags) <= slugs for domain in domains)


def test_a_tag_the_taxonomy_lacks_is_one_problem_naming_the_known_slugs(tmp_path):
    root = copy_project(tmp_path)
    rewrite(root, "domains", lambda entries: entries[0].update(tags=["adversarial", "ddos"]))
    problem = only_problem(root)
    assert problem.startswith("collection/domains.yaml: entry 1 'Adversarial attacks'")
    assert "field 'tags': 'ddos' is not a domain of config.yaml's taxonomy; use one of: jailbreak, " in problem


@pytest.mark.parametrize(("tags", "message"), [
    ([], "must be a list of taxonomy slugs"),
    (["Jail Break"], "'Jail Break' is not a tag slug"),
    (["privacy", "privacy"], "repeats a tag"),
])
def test_malformed_tags_are_refused(tmp_path, tags, message):
    root = copy_project(tmp_path)
    rewrite(root, "domains", lambda entries: entries[0].update(tags=tags))
    assert message in only_problem(root)


def test_the_domains_page_says_what_each_tag_covers_and_links_its_papers(tmp_path):
    root = copy_project(tmp_path)
    page = render_collection_outputs(root, load_collections(root), (root / "README.md").read_text())[
        root / "collection" / "domains.md"]
    assert "## Jailbreak attacks" in page
    assert "- [Prompt injection](../articles/domains/prompt-injection.md) `prompt-injection`: Instructions smuggled" in page
    assert "    d2 -.-> t_jailbreak([\"jailbreak\"])" in page and "## Also tagged" in page


def test_the_curated_domain_pages_follow_the_config_the_update_was_given(tmp_path):
    from scripts import update

    root = copy_project(tmp_path)
    other = root / "other.yaml"
    other.write_text((root / "config.yaml").read_text(encoding="utf-8").replace("name: Jailbreaks", "name: Refusal bypass"),
                     encoding="utf-8")
    assert update.main(["--root", str(root), "--no-fetch", "--config", str(other)]) == 0
    domains_page = (root / "collection" / "domains.md").read_text(encoding="utf-8")
    assert "[Refusal bypass](../articles/domains/jailbreak.md)" in domains_page  # not the root config.yaml's name
    assert "[Jailbreaks](" not in domains_page
