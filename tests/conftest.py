"""Shared fixtures: a fake arXiv on loopback and a throwaway project tree."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.fake_arxiv import FakeArxiv, serve

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"

TEST_CONFIG = """\
list:
  readme_papers: 20
arxiv:
  categories: [cs.CL, cs.CR]
  all_of:
    - [jailbreak, red teaming]
    - [LLM, language model]
  exclude: [battery]
  page_size: {page_size}
  retries: {retries}
  timeout_seconds: {timeout}
  lookback_days: 7
taxonomy:
  - slug: jailbreak
    name: Jailbreaks
    description: "Attacks that talk a model out of its refusals to elicit harmful output, and the defences that hold them off."
    terms: [jailbreak*]
  - slug: prompt-injection
    name: Prompt injection
    description: "Instructions smuggled into a model's inputs, documents or tool results that hijack what an application or agent does."
    terms: [prompt injection*]
  - slug: adversarial
    name: Adversarial robustness
    description: "Perturbed, typographic or otherwise adversarial inputs that mislead language and vision-language models outside jailbreaks."
    terms: [adversarial attack*]
  - slug: backdoor
    name: Backdoors and poisoning
    description: "Hidden triggers, poisoned training or fine-tuning data, trojans and sleeper agents planted in models."
    terms: [backdoor*]
  - slug: privacy
    name: Privacy
    description: "Leakage of training data, personal information or system prompts, membership inference and unlearning of private data."
    terms: [privacy]
  - slug: alignment
    name: Alignment
    description: "Making models helpful and harmless and keeping them so: safety training, over-refusal, deception, scheming, reward hacking and oversight."
    terms: [alignment]
  - slug: reasoning-safety
    name: Reasoning safety
    description: "Risks specific to large reasoning models and their chains of thought, from unsafe traces to overthinking attacks on o1- and R1-style models."
    terms: [reasoning model*]
  - slug: agent-safety
    name: Agent safety
    description: "Safety of LLM agents that act: tool use, computer and phone use, multi-agent systems and embodied agents driven by language models."
    terms: [agent*]
  - slug: guardrails
    name: Guardrails and monitoring
    description: "Guard and moderation models, safety classifiers, content filters and runtime monitors around model inputs and outputs."
    terms: [guardrail*]
  - slug: evaluation
    name: Safety evaluation
    description: "Benchmarks, red-teaming frameworks, safety cases and evaluations of model risk that no narrower domain covers."
    terms: [benchmark*]
  - slug: hallucination
    name: Hallucination and reliability
    description: "Hallucination, factual errors, truthfulness and calibration as failures of a model's reliability."
    terms: [hallucinat*]
  - slug: fairness
    name: Bias and fairness
    description: "Bias, stereotypes, toxicity and the ethics of what models say about and to people."
    terms: [bias]
  - slug: misuse
    name: Misuse and dual use
    description: "Uplift for cyber, biological and chemical harm, persuasion and fraud, and detecting or watermarking generated content."
    terms: [misuse]
"""

README = """\
# Test List

Intro.

## Latest Papers

<!-- LATEST_PAPERS_START -->
<!-- LATEST_PAPERS_END -->

## After
"""


@pytest.fixture
def fake_arxiv(monkeypatch):
    """A running fake arXiv API; ARXIV_API_URL points at it and the politeness delay is zero."""
    api = FakeArxiv()
    server = serve(api)
    monkeypatch.setenv("ARXIV_API_URL", api.url)
    monkeypatch.setenv("ARXIV_DELAY_SECONDS", "0")
    yield api
    server.shutdown()
    server.server_close()


@pytest.fixture
def change_renderer(monkeypatch):
    """Make the pages' renderer look changed: its code ("code"), or its templates ("templates"; given a folder, the
    pages are rendered with the templates there from then on). The digests cached on top are cleared both ways."""
    from scripts.render import listing
    from scripts.store import freshness

    def clear() -> None:
        freshness.code_digest.cache_clear()
        freshness.renderer_digest.cache_clear()

    def change(kind: str, templates: Path | None = None) -> None:
        clear()
        identity = "source_identity" if kind == "code" else "templates_identity"
        monkeypatch.setattr(freshness, identity, lambda: f"changed {kind} {templates}")
        if templates is not None:
            monkeypatch.setattr(listing, "environment", lambda: listing.markdown_environment(templates))

    yield change
    clear()


def project_config(page_size: int = 50, retries: int = 2, timeout: float = 5) -> str:
    """Return the test projects' config.yaml text (no relevance rules: everything fetched is kept)."""
    return TEST_CONFIG.format(page_size=page_size, retries=retries, timeout=timeout)


def make_project(root: Path, page_size: int = 50, config: str | None = None) -> Path:
    """Write a minimal project (README with markers, config) into root and return it."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "README.md").write_text(README, encoding="utf-8")
    (root / "config.yaml").write_text(config or project_config(page_size), encoding="utf-8")
    return root


@pytest.fixture
def project(tmp_path):
    """A throwaway project tree with a 50-result page size."""
    return make_project(tmp_path / "project")


def snapshot(root: Path) -> dict[str, bytes]:
    """Return every file under root (except the lock) by relative path, for byte-for-byte comparison."""
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*"))
            if path.is_file() and path.name != ".update.lock"}


WATERMARK = re.compile(rb'"watermark": "\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00Z"')


def snapshot_but_watermark(root: Path) -> dict[str, bytes]:
    """A snapshot with the watermark blanked: a --since run moves it to the current minute even when nothing is new,
    so two such runs a minute boundary apart differ there and nowhere else."""
    files = snapshot(root)
    state = "articles/data/state.json"
    if state in files:
        files[state], count = WATERMARK.subn(b'"watermark": "-"', files[state])
        assert count == 1, files[state]
    return files
