"""The GitHub workflows: pinned actions, least privilege, no template injection, and two linters run offline."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
GITHUB = ROOT / ".github"
WORKFLOWS = sorted((GITHUB / "workflows").glob("*.y*ml"))
DEPENDABOT = GITHUB / "dependabot.yml"
USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<ref>[^\s#]+)\s*(?:#\s*(?P<comment>.*))?$")
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(?:/[\w./-]+)?@[0-9a-f]{40}$")
VERSION_COMMENT = re.compile(r"^v\d+\.\d+\.\d+$")
CRON = re.compile(r"^(?P<minute>\d+) (?P<hour>\d+) \* \* (?P<days>\S+)$")
UNSAFE_TRIGGERS = {"pull_request_target", "workflow_run"}
# A zizmor finding is printed as e.g. `warning[artipacked]: ...`.
FINDING = re.compile(r"^(?:info|help|note|warning|error)\[[a-z0-9-]+\]", re.MULTILINE)


def load(path: Path) -> dict:
    """Parse a workflow; PyYAML reads the key `on` as True, so put it back under 'on'."""
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in workflow:
        workflow["on"] = workflow.pop(True)
    return workflow


def steps(workflow: dict):
    """Yield (job name, step) for every step of every job."""
    for name, job in workflow["jobs"].items():
        for step in job.get("steps", []):
            yield name, step


def tool(name: str) -> str:
    """Return the path of a command-line tool from requirements-dev.txt, preferring this interpreter's environment."""
    search = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    found = shutil.which(name, path=search)
    if found is None:
        pytest.fail(f"{name} is not installed; run `python -m pip install -r requirements-dev.txt`")
    return found


def run(*command: str) -> subprocess.CompletedProcess:
    """Run a linter offline and capture everything it prints."""
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False, timeout=120)


def zizmor(target: Path | str) -> subprocess.CompletedProcess:
    """Audit with zizmor offline, ignoring configuration files and ignore comments: every finding counts."""
    return run(tool("zizmor"), "--offline", "--no-progress", "--no-config", "--no-ignores", "--color=never", str(target))


def test_both_workflows_exist():
    assert {path.name for path in WORKFLOWS} >= {"update.yml", "ci.yml"}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda path: path.name)
def test_every_action_is_pinned_to_a_full_commit_sha_with_its_version(path):
    text = path.read_text(encoding="utf-8")
    lines = [match for line in text.splitlines() if (match := USES_LINE.match(line))]
    parsed = [step["uses"] for _, step in steps(load(path)) if "uses" in step]
    assert parsed, f"{path.name} uses no action; this check would prove nothing"
    assert sorted(match["ref"] for match in lines) == sorted(parsed), f"{path.name}: write each `uses:` on a line of its own"
    for match in lines:
        assert PINNED.match(match["ref"]), f"{path.name}: {match['ref']} is not pinned to a 40-character commit SHA"
        assert VERSION_COMMENT.match(match["comment"] or ""), f"{path.name}: {match['ref']} needs a `# vX.Y.Z` comment"


def test_each_action_is_pinned_to_the_same_commit_everywhere():
    pins: dict[str, set[str]] = {}
    for path in WORKFLOWS:
        for line in path.read_text(encoding="utf-8").splitlines():
            if match := USES_LINE.match(line):
                action, _, sha = match["ref"].partition("@")
                pins.setdefault(action, set()).add(f"{sha} {match['comment']}")
    assert {"actions/checkout", "actions/setup-python", "actions/setup-node"} <= set(pins)
    assert {action: versions for action, versions in pins.items() if len(versions) > 1} == {}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda path: path.name)
def test_no_expression_is_expanded_inside_a_run_script(path):
    scripts = [step["run"] for _, step in steps(load(path)) if "run" in step]
    assert scripts
    for script in scripts:
        assert "${{ github.event" not in script and "${{ inputs" not in script
        assert "${{" not in script, f"{path.name}: pass values to run scripts through env:, not ${{{{ }}}}: {script!r}"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda path: path.name)
def test_no_trigger_runs_untrusted_code_with_secrets(path):
    triggers = load(path)["on"]
    assert not UNSAFE_TRIGGERS & set(triggers if isinstance(triggers, (dict, list)) else [triggers])


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda path: path.name)
def test_permissions_are_least_privilege(path):
    workflow = load(path)
    assert workflow["permissions"] in ({}, {"contents": "read"})
    for name, job in workflow["jobs"].items():
        granted = job.get("permissions")
        assert isinstance(granted, dict), f"{path.name}: job {name} must state its permissions"
        writes = {scope for scope, level in granted.items() if level == "write"}
        expected = {("update.yml", "update"): {"contents"},
                    ("update.yml", "deploy"): {"pages", "id-token"}}.get((path.name, name), set())
        assert writes == expected, f"{path.name}: job {name} may write {sorted(expected)}, not {sorted(writes)}"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda path: path.name)
def test_no_checkout_leaves_the_token_on_disk(path):
    checkouts = [step for _, step in steps(load(path)) if step.get("uses", "").startswith("actions/checkout@")]
    assert checkouts
    assert all(step.get("with", {}).get("persist-credentials") is False for step in checkouts)


def test_update_runs_after_the_arxiv_announcement_on_announcement_days():
    schedule = load(GITHUB / "workflows" / "update.yml")["on"]["schedule"]
    assert schedule
    for entry in schedule:
        match = CRON.match(entry["cron"])
        assert match, f"unexpected cron {entry['cron']!r}"
        # Announcements: 00:00 UTC (daylight time) or 01:00 UTC (winter), Monday to Friday UTC.
        assert 2 <= int(match["hour"]) <= 23 and match["days"] == "1-5"
        assert match["minute"] not in {"0", "00"}, "start off the hour: GitHub delays scheduled runs at busy times"


def test_update_backfills_through_an_env_variable_and_never_overlaps():
    workflow = load(GITHUB / "workflows" / "update.yml")
    since = workflow["on"]["workflow_dispatch"]["inputs"]["since"]
    assert since["type"] == "string" and since["required"] is False
    assert workflow["concurrency"]["cancel-in-progress"] is False
    by_id = {step.get("id"): step for _, step in steps(workflow)}
    assert by_id["update"]["env"] == {"SINCE": "${{ inputs.since }}"}
    assert '--since "$SINCE"' in by_id["update"]["run"]


def test_update_publishes_only_after_a_successful_update_and_validation():
    workflow_steps = [step for _, step in steps(load(GITHUB / "workflows" / "update.yml"))]
    commands = [step.get("run", "") for step in workflow_steps]
    order = [next(i for i, command in enumerate(commands) if marker in command)
             for marker in ("scripts.update", "scripts.validate", "scripts.publish")]
    assert order == sorted(order)
    assert all("if" not in step and "continue-on-error" not in step for step in workflow_steps)
    publish = workflow_steps[order[2]]
    assert publish["env"]["GITHUB_TOKEN"] == "${{ github.token }}"
    assert sum("GITHUB_TOKEN" in step.get("env", {}) for step in workflow_steps) == 1


def test_ci_runs_tests_validation_awesome_lint_and_both_linters():
    workflow = load(GITHUB / "workflows" / "ci.yml")
    assert {"pull_request", "push"} <= set(workflow["on"])
    commands = "\n".join(step.get("run", "") for _, step in steps(workflow))
    for command in ("pip install --require-hashes --no-deps -r requirements-dev.txt", "python -m pytest -q -rs",
                    "python -m scripts.validate", "npm ci", "awesome-lint", "zizmor --offline",
                    "--builtin-schema vendor.github-workflows", "ruff check", "mypy"):
        assert command in commands


def test_zizmor_finds_nothing_in_the_workflows():
    result = zizmor(".github")
    output = result.stdout + result.stderr
    assert result.returncode == 0 and not FINDING.search(output), output
    for path in [*WORKFLOWS, DEPENDABOT]:
        assert f"completed {path.relative_to(ROOT)}" in output


def test_zizmor_does_catch_an_unsafe_workflow(tmp_path):
    unsafe = tmp_path / "unsafe.yml"
    unsafe.write_text(
        "on:\n  workflow_dispatch:\n    inputs:\n      since: {type: string}\n"
        "jobs:\n  go:\n    runs-on: ubuntu-24.04\n    steps:\n"
        "      - uses: actions/checkout@v4\n      - run: echo ${{ inputs.since }}\n",
        encoding="utf-8",
    )
    found = set(re.findall(r"\[([a-z0-9-]+)\]", zizmor(unsafe).stdout))
    assert {"template-injection", "unpinned-uses", "artipacked"} <= found


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda path: path.name)
def test_the_workflow_schema_accepts_every_workflow(path):
    result = run(tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(path))
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_dependabot_schema_accepts_the_dependabot_config():
    config = yaml.safe_load(DEPENDABOT.read_text(encoding="utf-8"))
    assert [update["package-ecosystem"] for update in config["updates"]] == ["github-actions", "pip"]
    result = run(tool("check-jsonschema"), "--builtin-schema", "vendor.dependabot", str(DEPENDABOT))
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_workflow_schema_does_reject_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  go:\n    runs-on: ubuntu-24.04\n    stepz: []\n", encoding="utf-8")
    assert run(tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(broken)).returncode != 0


# ---------------------------------------------------------------- locked dependencies

LOCKED = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>\S+) \\$")


def locked(path: Path) -> dict[str, int]:
    """Return each package a pip-compile lock pins with how many hashes it lists; fail on a line that is not a pin."""
    pins: dict[str, int] = {}
    name = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if match := LOCKED.match(line):
            name = match["name"].lower().replace("_", "-")
            pins[name] = 0
        else:
            assert line.startswith("    --hash=sha256:") and name, f"{path.name}: not a pinned, hashed line: {line!r}"
            pins[name] += 1
    return pins


def required(path: Path) -> set[str]:
    """Return the package names a .in file asks for directly."""
    names = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        requirement = line.split("#", 1)[0].strip()
        if requirement and not requirement.startswith("-"):
            names.add(re.split(r"[<>=!~\[ ;]", requirement, maxsplit=1)[0].lower().replace("_", "-"))
    return names


@pytest.mark.parametrize("stem", ["requirements", "requirements-dev"])
def test_each_lock_pins_every_package_with_hashes(stem):
    pins = locked(ROOT / f"{stem}.txt")
    assert pins and all(count >= 1 for count in pins.values()), pins
    assert required(ROOT / f"{stem}.in") <= set(pins)
    assert f"--output-file={stem}.txt" in (ROOT / f"{stem}.txt").read_text(encoding="utf-8")  # pip-compile's header


def test_the_dev_lock_installs_the_same_runtime_versions_as_the_nightly_run():
    runtime = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    development = (ROOT / "requirements-dev.txt").read_text(encoding="utf-8")
    pins = [line.split(" ")[0] for line in runtime.splitlines() if LOCKED.match(line)]
    assert pins and all(f"\n{pin} \\" in development for pin in pins)
    assert required(ROOT / "requirements.in") >= {"arxiv", "jinja2", "pyyaml"}


def test_the_workflows_install_only_from_the_locks_and_dependabot_keeps_them_current():
    commands = {path.name: "\n".join(step.get("run", "") for _, step in steps(load(path))) for path in WORKFLOWS}
    assert "pip install --require-hashes --no-deps -r requirements.txt" in commands["update.yml"]
    assert "pip install --require-hashes --no-deps -r requirements-dev.txt" in commands["ci.yml"]
    installs = [line for text in commands.values() for line in text.splitlines() if "pip install" in line]
    assert all("--require-hashes" in line for line in installs), installs
    config = yaml.safe_load(DEPENDABOT.read_text(encoding="utf-8"))
    ecosystems = {update["package-ecosystem"] for update in config["updates"]}
    assert ecosystems == {"github-actions", "pip"}


def test_the_search_site_deploys_after_the_update_from_the_default_branch_alone():
    jobs = load(GITHUB / "workflows" / "update.yml")["jobs"]
    default_branch = "github.ref == format('refs/heads/{0}', github.event.repository.default_branch)"
    assert jobs["site"]["needs"] == "update" and jobs["deploy"]["needs"] == "site"
    assert jobs["site"]["if"] == jobs["deploy"]["if"] == default_branch
    assert jobs["site"]["permissions"] == {"contents": "read"}
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert [step["run"] for step in jobs["site"]["steps"] if "run" in step][-1] == "python -m scripts.site --out _site"
    uses = [step.get("uses", "").split("@")[0] for job in ("site", "deploy") for step in jobs[job]["steps"]]
    assert uses[-2:] == ["actions/upload-pages-artifact", "actions/deploy-pages"]
    assert not any("pages" in job.get("permissions", {}) for name, job in jobs.items() if name != "deploy")
