"""python -m scripts.validate: exit codes, one line per problem naming file and fix, nothing written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from scripts import validate
from scripts.validate import main
from tests.conftest import snapshot
from tests.unit.curated.test_collection import REPO, copy_project, rewrite

RERENDER = "run python -m scripts.update --no-fetch"


def copy_rendered_project(tmp_path: Path) -> Path:
    """A copy of the repository's collections with their committed pages and README."""
    root = copy_project(tmp_path)
    for page in (REPO / "collection").glob("*.md"):
        (root / "collection" / page.name).write_text(page.read_text(encoding="utf-8"), encoding="utf-8")
    return root


def run(root: Path, capsys) -> tuple[int, list[str], str]:
    """Run the validator on root; return its exit code, stderr lines and stdout."""
    code = main(["--root", str(root)])
    captured = capsys.readouterr()
    return code, captured.err.splitlines(), captured.out


def test_repository_is_valid(capsys):
    code, errors, out = run(REPO, capsys)
    assert (code, errors) == (0, [])
    assert out.startswith("OK: ") and out.count("\n") == 1


def test_command_line_exit_codes(tmp_path):
    good = subprocess.run([sys.executable, "-m", "scripts.validate", "--root", str(REPO)],
                          cwd=REPO, capture_output=True, text=True, check=False)
    assert good.returncode == 0 and good.stdout.startswith("OK: ") and good.stderr == ""
    root = copy_rendered_project(tmp_path)
    rewrite(root, "tools", lambda entries: entries[0].update(url="https://example.com/tool"))
    bad = subprocess.run([sys.executable, "-m", "scripts.validate", "--root", str(root)],
                         cwd=REPO, capture_output=True, text=True, check=False)
    assert bad.returncode == 1 and bad.stdout == ""
    assert bad.stderr.splitlines() == [
        "collection/tools.yaml: entry 1 'EasyJailbreak' (line 1): field 'url': "
        "'https://example.com/tool' points at a placeholder host; link the real page"]


def test_bad_entries_fail_with_one_line_each_and_write_nothing(tmp_path, capsys):
    root = copy_rendered_project(tmp_path)
    rewrite(root, "datasets", lambda entries: entries[0].pop("targets"))
    rewrite(root, "surveys", lambda entries: entries[1].update(paper="2503.21614v2"))
    rewrite(root, "tools", lambda entries: entries.append(dict(entries[1])))
    before = snapshot(root)
    code, errors, out = run(root, capsys)
    assert code == 1 and out == ""
    assert len(errors) == 4, errors
    assert errors[0].startswith("collection/datasets.yaml: entry 1 'Red Teaming with LMs'") and "'targets' is missing" in errors[0]
    assert errors[1].startswith("collection/surveys.yaml: entry 2") and "has a version suffix" in errors[1]
    assert errors[2].startswith("collection/tools.yaml: entry 8 'WildGuard'") and "same name as" in errors[2]
    assert "URL github.com/allenai/wildguard is already listed at collection/tools.yaml: entry 2 'WildGuard'" in errors[3]
    assert snapshot(root) == before


def test_stale_page_names_page_data_and_fix(tmp_path, capsys):
    root = copy_rendered_project(tmp_path)
    page = root / "collection" / "datasets.md"
    page.write_text(page.read_text(encoding="utf-8").replace("HarmBench", "HarmBench (edited by hand)"), encoding="utf-8")
    code, errors, _ = run(root, capsys)
    assert code == 1
    assert errors == [f"collection/datasets.md is out of date with collection/datasets.yaml; {RERENDER}"]


def test_data_changed_without_rerendering(tmp_path, capsys):
    root = copy_rendered_project(tmp_path)
    rewrite(root, "surveys", lambda entries: entries[0].update(description="A new summary of the survey."))
    code, errors, _ = run(root, capsys)
    assert code == 1
    assert errors == [f"collection/surveys.md is out of date with collection/surveys.yaml; {RERENDER}",
                      f"README.md block SURVEYS_REASONING is out of date with collection/surveys.yaml; {RERENDER}"]


def test_hand_edited_readme_block_and_heading(tmp_path, capsys):
    root = copy_rendered_project(tmp_path)
    readme = root / "README.md"
    text = readme.read_text(encoding="utf-8")
    text = text.replace("| Grok 4 ", "| Grok 4 (beta) ", 1).replace("## FAQ\n", "## Questions\n")
    readme.write_text(text, encoding="utf-8")
    code, errors, _ = run(root, capsys)
    assert code == 1
    assert errors == [f"README.md block CLOSED_MODELS is out of date with collection/reasoning_models.yaml; {RERENDER}",
                      f"README.md block CONTENTS is out of date with the README headings; {RERENDER}"]


def test_missing_page_and_broken_marker(tmp_path, capsys):
    root = copy_rendered_project(tmp_path)
    (root / "collection" / "tools.md").unlink()
    assert run(root, capsys)[1] == [f"collection/tools.md is missing; {RERENDER}"]
    readme = root / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8").replace("<!-- REFERENCES_END -->", ""), encoding="utf-8")
    code, errors, _ = run(root, capsys)
    assert code == 1 and len(errors) == 1
    assert "marker <!-- REFERENCES_END --> is missing" in errors[0]


def test_bad_config_is_reported_with_collection_problems(tmp_path, capsys):
    root = copy_rendered_project(tmp_path)
    config = yaml.safe_load((root / "config.yaml").read_text(encoding="utf-8"))
    config["arxiv"]["page_size"] = "lots"
    (root / "config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    rewrite(root, "references", lambda entries: entries[0].update(url="ftp://mirror.org/list"))
    code, errors, _ = run(root, capsys)
    assert code == 1 and len(errors) == 2, errors
    assert errors[0].startswith("collection/references.yaml: entry 1 'Awesome-LRM-Safety'")
    assert "config.yaml" in errors[1] and "page_size" in errors[1]


# ---------------------------------------------------------------- the contributor path around the check

FORMS = sorted((REPO / ".github" / "ISSUE_TEMPLATE").glob("*.yml"))


def test_issue_forms_and_config_match_githubs_schemas():
    from tests.e2e.test_workflows import run, tool
    forms = [str(path) for path in FORMS if path.name != "config.yml"]
    assert len(forms) == 3
    checked = run(tool("check-jsonschema"), "--builtin-schema", "vendor.github-issue-forms", *forms)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    config = run(tool("check-jsonschema"), "--builtin-schema", "vendor.github-issue-config",
                 str(REPO / ".github" / "ISSUE_TEMPLATE" / "config.yml"))
    assert config.returncode == 0, config.stdout + config.stderr


def test_forms_and_pull_request_template_name_every_collection_file():
    from scripts.curated.schema import SPECS
    correction = yaml.safe_load((REPO / ".github" / "ISSUE_TEMPLATE" / "report-correction.yml").read_text(encoding="utf-8"))
    files = next(item for item in correction["body"] if item.get("id") == "file")["attributes"]["options"]
    template = (REPO / ".github" / "pull_request_template.md").read_text(encoding="utf-8")
    for stem in SPECS:
        assert f"collection/{stem}.yaml" in files
        assert f"`{stem}.yaml`" in template


def test_validate_lists_every_problem_of_the_overrides_file(tmp_path):
    root = tmp_path
    (root / "collection").mkdir()
    (root / "collection" / "overrides.yaml").write_text('include:\n  - 2501.10\nexclude:\n  - {id: "x"}\n', encoding="utf-8")
    problems = validate.overrides_problems(root)
    assert problems == [
        f"{root}/collection/overrides.yaml: include[0]: id: 2501.1 was read as a number, which drops trailing zeros; "
        "quote it, e.g. '2402.04249'",
        f"{root}/collection/overrides.yaml: exclude[0]: id: 'x' is not an arXiv ID; write it like '2402.04249' "
        "(old style: 'hep-th/9901001')"]
