"""Browsing by domain through a real update: every domain's front page, its month pages, the links that reach them,
and which domain pages a small update renders again."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scripts import update
from scripts.render import domains
from tests.conftest import make_project, project_config
from tests.fake_arxiv import make_papers

LINK = re.compile(r"\]\(([^)\s]+)\)")
# Relevance rules that keep every test paper, so papers are tagged by the taxonomy's terms (jailbreak* here).
RELEVANCE = "relevance:\n  threshold: 0\n  groups:\n    topic: {title: 1, abstract: 1, terms: [jailbreak*]}\n"


@pytest.fixture
def project(tmp_path):
    """A throwaway project whose papers get domain tags."""
    return make_project(tmp_path / "project", config=project_config() + RELEVANCE)


def run_update(root: Path, *args: str) -> int:
    """Run the update in-process on a project tree."""
    return update.main(["--root", str(root), *args])


def relative_links(path: Path) -> list[str]:
    """Every relative link target of a Markdown file, without its #fragment."""
    return [target.split("#")[0] for target in LINK.findall(path.read_text(encoding="utf-8"))
            if "://" not in target and not target.startswith("#")]


def test_every_domain_page_and_month_page_is_linked_and_every_link_resolves(fake_arxiv, project):
    fake_arxiv.papers = make_papers(60, step_hours=36)  # three months, every title names a jailbreak
    assert run_update(project, "--since", "2025-01-01") == 0
    folder = project / "articles" / "domains"
    front = (folder / "jailbreak.md").read_text(encoding="utf-8")
    assert front.startswith("# Jailbreaks\n\nAttacks that talk a model out of its refusals")
    assert "60 papers tagged `jailbreak`." in front
    months = re.findall(r"\[(\d{4}-\d{2})\]\(jailbreak-\1\.md\) (\d+)", front)
    assert [month for month, _ in months] == ["2025-05", "2025-04", "2025-03"] and sum(int(n) for _, n in months) == 60
    for month, count in months:
        page = (folder / f"jailbreak-{month}.md").read_text(encoding="utf-8")
        assert len(re.findall(r"\]\(https://arxiv\.org/abs/", page)) == int(count)
        dates = re.findall(r"^- (\d{4}-\d{2}-\d{2}) ·", page, flags=re.M)
        assert dates == sorted(dates, reverse=True) and {date[:7] for date in dates} == {month}
    readme = (project / "README.md").read_text(encoding="utf-8")
    assert "Browse by domain: [Jailbreaks](articles/domains/jailbreak.md) 60 ·" in readme
    assert "[`jailbreak`](domains/jailbreak.md)" in (project / "articles" / "2025-04.md").read_text(encoding="utf-8")
    archive_front = (project / "articles" / "README.md").read_text(encoding="utf-8")
    assert "[Jailbreaks](domains/jailbreak.md) `jailbreak`: 60 papers." in archive_front
    pages = [project / "README.md", *(project / "articles").glob("*.md"), *folder.glob("*.md")]
    generated = project.resolve() / "articles"
    for page in pages:
        for target in relative_links(page):
            resolved = (page.parent / target).resolve()
            if resolved.is_relative_to(generated) or resolved.name == "README.md":  # not the curated files
                assert resolved.exists(), f"{page.name} links {target}, which does not exist"


def test_a_small_update_renders_only_the_changed_months_domain_pages(fake_arxiv, project, monkeypatch):
    fake_arxiv.papers = make_papers(60, step_hours=36)
    assert run_update(project, "--since", "2025-01-01") == 0
    folder = project / "articles" / "domains"
    before = {path.name: path.read_bytes() for path in folder.glob("*.md")}
    rendered: list[str] = []
    real = domains.domain_month_plan
    monkeypatch.setattr(domains, "domain_month_plan",
                        lambda domain, month, rows: rendered.append(month) or real(domain, month, rows))
    fake_arxiv.papers = make_papers(1, start="2025-05-30T00:00:00Z", first_number=900)
    assert run_update(project, "--since", "2025-05-29") == 0
    assert set(rendered) == {"2025-05"}
    after = {path.name: path.read_bytes() for path in folder.glob("*.md")}
    changed = sorted(name for name in after if after[name] != before.get(name))
    assert changed == ["jailbreak-2025-05.md", "jailbreak.md"]
    assert "61 papers tagged `jailbreak`." in (folder / "jailbreak.md").read_text(encoding="utf-8")


def test_a_domain_dropped_from_the_taxonomy_loses_its_pages(fake_arxiv, project):
    fake_arxiv.papers = make_papers(10)
    assert run_update(project, "--since", "2025-01-01") == 0
    folder = project / "articles" / "domains"
    assert (folder / "jailbreak-2025-03.md").exists()
    config = project / "config.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(re.sub(r"  - slug: jailbreak\n(    .*\n)+", "", text, count=1), encoding="utf-8")
    (folder / "misuse.md").unlink()  # a front page is missing, so the domain pages are brought up to date
    assert run_update(project, "--no-fetch") == 0
    assert not (folder / "jailbreak.md").exists() and not (folder / "jailbreak-2025-03.md").exists()
    assert (folder / "misuse.md").exists()


@pytest.mark.parametrize("parallel", [False, True])
def test_pages_left_over_from_a_longer_month_are_deleted_when_it_is_rendered(fake_arxiv, project, monkeypatch, parallel):
    from scripts.render import build
    fake_arxiv.papers = make_papers(40, step_hours=50)
    assert run_update(project, "--since", "2025-01-01") == 0
    articles = project / "articles"
    leftovers = [articles / "2025-03-p9.md", articles / "domains" / "jailbreak-2025-03-p9.md",
                 articles / "domains" / "jailbreak-2025-04-p2.md"]
    kept = [articles / "2025-03-p9.md.orig", articles / "domains" / "notes-on-2025-03.txt"]
    for path in leftovers + kept:
        path.write_text("left over\n")
    (articles / "data" / "rendered.json").unlink()  # every month rendered again
    if parallel:
        monkeypatch.setattr(build, "PARALLEL_MONTHS", 2)
        monkeypatch.setattr(build.os, "cpu_count", lambda: 2)
    assert run_update(project, "--no-fetch") == 0
    assert [path.name for path in leftovers if path.exists()] == []
    assert all(path.exists() for path in kept)
    assert (articles / "2025-03.md").exists() and (articles / "domains" / "jailbreak-2025-03.md").exists()
