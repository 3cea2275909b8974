"""README.md passes awesome-lint, also with a full latest-papers list between the markers.

awesome-lint runs in a throwaway git repository with a GitHub remote (its rules ask git for one) and with
Node's fetch disabled, so the run is offline and does not ask the GitHub API about the repository.
Install it with `npm ci` (package.json pins the major version); without it these tests are skipped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from scripts.config import load_config
from scripts.curated.load import curated_arxiv_ids, load_collections
from scripts.paper import Paper
from scripts.render import listing
from scripts.render.markdown import align_tables
from scripts.render.markers import replace_block

REPO = Path(__file__).resolve().parents[2]
AWESOME_LINT = REPO / "node_modules" / ".bin" / "awesome-lint"
REMOTE = "https://github.com/awesome-lrm-safety/awesome-lrm-safety.git"
OFFLINE = "globalThis.fetch = async () => { throw new Error('network disabled in tests'); };\n"

pytestmark = pytest.mark.skipif(
    not AWESOME_LINT.exists() or shutil.which("node") is None or shutil.which("git") is None,
    reason="awesome-lint is not installed (run npm ci at the repository root) or node/git is missing")


def git(repo: Path, *args: str) -> None:
    """Run one git command quietly in repo, without the user's global settings getting in the way."""
    subprocess.run(["git", "-c", "user.name=Lint", "-c", "user.email=lint@localhost", "-c", "commit.gpgsign=false",
                    *args], cwd=repo, check=True, capture_output=True)


def lint(tmp_path: Path, readme_text: str) -> subprocess.CompletedProcess:
    """Lint readme_text as the README of a fresh repository with the list's GitHub remote; return the run."""
    repo = tmp_path / "lint"
    repo.mkdir()
    (repo / "README.md").write_text(readme_text, encoding="utf-8")
    for name in ("LICENSE", "CONTRIBUTING.md"):
        shutil.copy(REPO / name, repo / name)
    git(repo, "init", "-q")
    git(repo, "symbolic-ref", "HEAD", "refs/heads/main")
    git(repo, "add", "README.md", "LICENSE", "CONTRIBUTING.md")
    git(repo, "commit", "-q", "-m", "Snapshot for awesome-lint")
    git(repo, "remote", "add", "origin", REMOTE)
    git(repo, "config", "branch.main.remote", "origin")
    offline = tmp_path / "offline.cjs"
    offline.write_text(OFFLINE, encoding="utf-8")
    env = {**os.environ, "NODE_OPTIONS": f"--require {offline}", "NO_COLOR": "1", "FORCE_COLOR": "0"}
    return subprocess.run([str(AWESOME_LINT), "README.md"], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=180, check=False)


def readme() -> str:
    """The committed README."""
    return (REPO / "README.md").read_text(encoding="utf-8")


def latest_table(first_id: str = "2608.10000") -> str:
    """A realistic 20-row latest-papers block: the pipeline's columns and the characters that break tables."""
    titles = ["H-CoT: Hijacking \\| Chain-of-Thought \\[Safety\\] Reasoning", "Safety Tax: &lt;Alignment&gt; Makes \\$LRMs\\$ *Less*",
              "Über-robust 𝒪(n) Guardrails for Agents", "Reasoning Models Don't Always Say What They Think"]
    month, sequence = first_id.split(".")
    rows = []
    for number in range(20):
        paper = f"{month}.{int(sequence) + number:0{len(sequence)}d}"
        code = f"[Code](https://github.com/lab{number}/repo{number})" if number % 3 else "-"
        rows.append(f"| 2026-08-{20 - number % 19:02d} | [{titles[number % 4]} {number}](https://arxiv.org/abs/{paper})"
                    f"{' *ICLR 2026*' if number % 5 == 0 else ''} | Benoît Malésieux, 李 明, Zoë O'Neil et al. | "
                    f"`jailbreak` `reasoning` | We study jailbreak \\| attacks on o1 and DeepSeek-R1… | {code} |")
    table = "| Date | Paper | Authors | Domains | Abstract (excerpt) | Code |\n| --- | --- | --- | --- | --- | --- |\n"
    intro = "The 20 newest of 123 archived papers. Older papers are in the [archive](articles/README.md).\n\n"
    return intro + table + "\n".join(rows)


def latest_list(first_id: str = "2608.10000") -> str:
    """The real 20-paper block as the renderer writes it: hostile titles, repeated domain links, some code links."""
    titles = ["H-CoT: Hijacking | Chain-of-Thought [Safety] Reasoning", "Safety Tax: <Alignment> Makes $LRMs$ *Less*",
              "Über-robust 𝒪(n) Guardrails for Agents", "Reasoning Models Don't Always Say What They Think"]
    month, sequence = first_id.split(".")
    papers = [Paper(id=f"{month}.{int(sequence) + number:0{len(sequence)}d}", version=1 + number % 3,
                    title=f"{titles[number % 4]} {number}", authors=("Benoît Malésieux", "李 明", "Zoë O'Neil", "Fourth"),
                    published=f"2026-08-{20 - number % 19:02d}T10:00:00Z", updated="2026-08-21T00:00:00Z",
                    summary="We study jailbreak | attacks on o1 and <b>DeepSeek-R1</b> " * 20,
                    tags=("jailbreak", "reasoning-safety")[:1 + number % 2], venue="ICLR 2026" if number % 5 == 0 else "",
                    code_urls=(f"https://github.com/lab{number}/repo{number}",) if number % 3 else ())
              for number in range(20)]
    taxonomy = load_config(REPO / "config.yaml").taxonomy
    return listing.latest_block(papers, 123, [(domain, 10) for domain in taxonomy])


def with_latest(block: str) -> str:
    """The README with block between the LATEST_PAPERS markers."""
    return replace_block(readme(), "LATEST_PAPERS", block, "README.md")


def test_readme_passes_awesome_lint(tmp_path):
    result = lint(tmp_path, readme())
    assert result.returncode == 0, result.stdout + result.stderr


def test_readme_with_a_full_latest_papers_list_passes(tmp_path):
    result = lint(tmp_path, with_latest(latest_list()))
    assert result.returncode == 0, result.stdout + result.stderr


def test_readme_with_an_aligned_table_passes(tmp_path):
    result = lint(tmp_path, with_latest(align_tables(latest_table())))
    assert result.returncode == 0, result.stdout + result.stderr


def test_unaligned_table_fails_so_the_lint_really_runs(tmp_path):
    result = lint(tmp_path, with_latest(latest_table()))
    assert result.returncode == 1
    assert "table-pipe-alignment" in result.stdout


def test_bad_list_item_and_repeated_link_fail(tmp_path):
    text = readme().replace(" - Standardised evaluation framework", " - standardised evaluation framework")
    curated = sorted(curated_arxiv_ids(load_collections(REPO)))[0]
    text = replace_block(text, "LATEST_PAPERS", latest_list(curated).replace(f"{curated}v1)", f"{curated})"), "README.md")
    result = lint(tmp_path, text)
    assert result.returncode == 1
    assert "List item description must start with valid casing" in result.stdout
    assert f"Duplicate link: https://arxiv.org/abs/{curated}" in result.stdout
