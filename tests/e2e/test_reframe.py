"""A change to the templates alone frames every page anew around the list it holds, as a full render would write it."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from scripts import update
from scripts.render import build, domains, listing
from tests.conftest import REPO, make_project, project_config, snapshot
from tests.e2e.test_domains import RELEVANCE
from tests.fake_arxiv import make_papers

MONTHS = ["2025-03", "2025-04", "2025-05"]


def run_update(root: Path, *args: str) -> int:
    return update.main(["--root", str(root), *args])


@pytest.fixture
def paged(monkeypatch):
    """Pages of about 3 KB of papers: every month, and the domain's months, split over several pages."""
    real = listing.chunk_items

    def small(items, budget=0):
        return real(items, 3000)

    monkeypatch.setattr(listing, "chunk_items", small)
    monkeypatch.setattr(domains, "chunk_items", small)


@pytest.fixture
def plans(monkeypatch) -> list[str]:
    """The months whose pages are planned from their papers, as a full render does (a re-framing plans none)."""
    planned: list[str] = []
    month_plan, domain_plan = listing.month_plan, domains.domain_month_plan
    monkeypatch.setattr(listing, "month_plan", lambda month, *rest: planned.append(month) or month_plan(month, *rest))
    monkeypatch.setattr(domains, "domain_month_plan",
                        lambda domain, month, items: planned.append(month) or domain_plan(domain, month, items))
    return planned


def edited_templates(folder: Path) -> Path:
    """Return a copy of templates/ whose month and domain month pages have a new first line and a new last line."""
    shutil.copytree(REPO / "templates", folder)
    for name in ("month.md.j2", "domain_month.md.j2"):
        path = folder / name
        path.write_text("<!-- framed anew -->\n" + path.read_text(encoding="utf-8") + "\nEnd of {{ month }}.\n",
                        encoding="utf-8")
    return folder


def month_pages(project: Path) -> dict[str, bytes]:
    """Every month page and domain month page by path under articles/."""
    articles = project / "articles"
    return {path.relative_to(articles).as_posix(): path.read_bytes()
            for path in [*articles.glob("20*.md"), *articles.glob("domains/*-20*.md")]}


@pytest.fixture
def rendered(fake_arxiv, tmp_path, paged) -> Path:
    """A project with three months of papers tagged with a domain, each month over several pages, rendered."""
    project = make_project(tmp_path / "project", config=project_config() + RELEVANCE)
    fake_arxiv.papers = make_papers(300)
    assert run_update(project, "--since", "2025-01-01") == 0
    assert len(month_pages(project)) > 20
    return project


@pytest.mark.parametrize("parallel", [False, True])
def test_a_template_change_frames_every_page_anew_as_a_full_render_writes_it(rendered, tmp_path, monkeypatch, plans,
                                                                              change_renderer, parallel):
    if parallel:
        monkeypatch.setattr(build, "PARALLEL_MONTHS", 2)
        monkeypatch.setattr(build.os, "cpu_count", lambda: 2)
    bibtex = {path.name: path.stat().st_mtime_ns for path in (rendered / "articles").glob("*.bib")}
    change_renderer("templates", edited_templates(tmp_path / "templates"))
    assert run_update(rendered, "--no-fetch") == 0
    assert plans == []  # no month's papers read, rendered or split into pages again
    pages = month_pages(rendered)
    assert {name[:8] for name in pages} == {"2025-03.", "2025-03-", "2025-04.", "2025-04-", "2025-05.", "domains/"}
    for name, page in pages.items():
        month = re.search(r"\d{4}-\d{2}", name)[0].encode()
        assert page.startswith(b"<!-- framed anew -->\n#") and page.endswith(b"\n\nEnd of " + month + b".\n"), name
    assert {path.name: path.stat().st_mtime_ns for path in (rendered / "articles").glob("*.bib")} == bibtex
    assert update.stale_outputs(rendered) == []  # a full render of every page agrees, byte for byte, rendered.json too
    before = snapshot(rendered)
    assert run_update(rendered, "--no-fetch") == 0 and snapshot(rendered) == before


def test_a_page_changed_since_it_was_written_is_rendered_in_full(rendered, tmp_path, plans, change_renderer):
    articles = rendered / "articles"
    edited = articles / "2025-04-p2.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("**", "__", 2), encoding="utf-8")
    (articles / "domains" / "jailbreak-2025-05.md").unlink()
    change_renderer("templates", edited_templates(tmp_path / "templates"))
    assert run_update(rendered, "--no-fetch") == 0
    assert sorted(set(plans)) == ["2025-04", "2025-05"]  # 2025-03 is framed anew; the others rendered in full
    assert update.stale_outputs(rendered) == []
    assert (articles / "domains" / "jailbreak-2025-05.md").exists()


def test_a_code_change_renders_every_month_in_full(rendered, plans, change_renderer):
    change_renderer("code")
    assert run_update(rendered, "--no-fetch") == 0
    assert sorted(set(plans)) == MONTHS


@pytest.mark.parametrize("damage", ["no pages", "older format", "bad records", "pages not a map", "wrong span",
                                    "data changed"])
def test_without_a_trustworthy_record_a_template_change_renders_in_full(rendered, tmp_path, plans, change_renderer,
                                                                         damage):
    data = rendered / "articles" / "data"
    record = json.loads((data / "rendered.json").read_text(encoding="utf-8"))
    if damage == "no pages":
        del record["pages"]["2025-04"]
    elif damage == "older format":
        del record["pages"], record["code"]
    elif damage == "bad records":
        record["pages"]["2025-04"]["2025-04.md"] = ["0", 1, 2, "x"]
    elif damage == "pages not a map":
        record["pages"] = ["2025-04"]
    elif damage == "wrong span":  # recorded as the page is (same digest), but the list said to lie elsewhere
        record["pages"]["2025-04"]["2025-04.md"][1] += 10**6
    else:
        month = data / "2025-04.json"
        month.write_text(month.read_text(encoding="utf-8").replace("Part 1", "Part One"), encoding="utf-8")
    (data / "rendered.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    change_renderer("templates", edited_templates(tmp_path / "templates"))
    assert run_update(rendered, "--no-fetch") == 0
    assert sorted(set(plans)) == (MONTHS if damage in ("older format", "pages not a map") else ["2025-04"])
    assert update.stale_outputs(rendered) == []
    if damage == "data changed":
        assert any(b"Part One" in page for name, page in month_pages(rendered).items() if "2025-04" in name)


def test_the_record_says_where_each_page_holds_its_list(rendered):
    record = json.loads((rendered / "articles" / "data" / "rendered.json").read_text(encoding="utf-8"))
    assert sorted(record["pages"]) == MONTHS
    articles = rendered / "articles"
    for month, pages in record["pages"].items():
        assert sorted(pages) == sorted(name for name in month_pages(rendered) if month in name)
        for name, (start, end, papers, _digest) in pages.items():
            listed = (articles / name).read_bytes()[start:end].decode("utf-8")
            assert listed.startswith("- 2025-") and listed.endswith("</details>")
            assert len(re.findall(r"^- 2025-", listed, re.MULTILINE)) == papers


def test_a_page_that_is_a_link_is_rendered_in_full_and_never_written_through(rendered, tmp_path, plans,
                                                                           change_renderer):
    page = rendered / "articles" / "2025-04.md"
    kept = tmp_path / "kept-2025-04.md"  # the same bytes, so the record still matches; but a frame written in place
    shutil.copy2(page, kept)  # would go through the link into this file
    page.unlink()
    page.symlink_to(kept)
    change_renderer("templates", edited_templates(tmp_path / "templates"))
    assert run_update(rendered, "--no-fetch") == 0
    assert sorted(set(plans)) == ["2025-04"]  # that month rendered in full, the others framed anew
    assert not page.is_symlink() and page.read_bytes().startswith(b"<!-- framed anew -->")
    assert not kept.read_bytes().startswith(b"<!-- framed anew -->")
    assert update.stale_outputs(rendered) == []
