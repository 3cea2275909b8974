"""Building the site: a complete site or none, one clear error line, and never deleting a folder it did not build."""

import importlib.util
from pathlib import Path

import pytest

from scripts import site
from scripts.config import load_config
from scripts.errors import ArchiveError, SiteError
from scripts.paper import Paper
from scripts.site_build.build import Shard, build_site, plan_shards, site_title
from scripts.site_build.page import Facets, pages_url, search_page
from scripts.store.archive import Archive
from scripts.store.files import write_changed
from tests.taxonomy import taxonomy

needs_pagefind = pytest.mark.skipif(importlib.util.find_spec("pagefind_bin") is None,
                                    reason="the Pagefind binary is not installed (pip install 'pagefind[bin]')")


def archived(root, count=3):
    """Write `count` papers into the project's archive, spread over two years."""
    archive = Archive.open(root / "articles" / "data")
    for number in range(count):
        year = 2024 + number % 2
        archive.put(Paper(id=f"{year % 100}05.{number + 1:05d}", version=1, title=f"Paper {number} on jailbreaks",
                          authors=("Ada Lovelace",), published=f"{year}-05-0{number % 9 + 1}T10:00:00Z",
                          updated=f"{year}-05-0{number % 9 + 1}T10:00:00Z", summary="An abstract.",
                          tags=("jailbreak",)))
    write_changed(archive.data_outputs())


@needs_pagefind
def test_a_site_holds_the_page_its_files_and_one_fragment_a_paper(project):
    archived(project, 3)
    built = build_site(project, project / "_site", shard_papers=2)
    out = project / "_site"
    assert built.papers == 3
    assert {path.name for path in out.iterdir()} == {"index.html", "site.css", "search.js", "pagefind"}
    bundles = sorted(path.name for path in (out / "pagefind").iterdir())
    assert bundles == ["2024-05--2024-05", "2025-05--2025-05"]  # two shards: the test asks for 2 papers a shard
    assert sum(len(list((out / "pagefind" / name / "fragment").iterdir())) for name in bundles) == 3
    assert all((out / "pagefind" / name / "pagefind.js").is_file() for name in bundles)
    assert '"path": "pagefind/2025-05--2025-05/"' in (out / "index.html").read_text(encoding="utf-8")
    assert not list(project.glob("._site.*"))  # no staging folder left behind


@needs_pagefind
def test_a_rebuild_replaces_the_old_site_whole(project):
    archived(project, 3)
    build_site(project, project / "_site")
    (project / "_site" / "stale.html").write_text("old", encoding="utf-8")
    archived(project, 1)
    build_site(project, project / "_site")
    assert not (project / "_site" / "stale.html").exists()


def test_an_unreadable_archive_gives_one_error_line_and_no_site(project, capsys):
    archived(project, 3)
    month = sorted((project / "articles" / "data").glob("2025-*.json"))[0]
    month.write_text("{not json", encoding="utf-8")
    assert site.main(["--root", str(project), "--out", str(project / "_site")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and month.name in err[0] and "git checkout" in err[0]
    assert not (project / "_site").exists()
    assert [path.name for path in project.iterdir() if path.name.startswith(".")] == []


def test_a_failed_build_leaves_the_previous_site_untouched(project):
    out = project / "_site"
    out.mkdir()
    for name, text in (("index.html", "previous"), ("search.js", "")):
        (out / name).write_text(text, encoding="utf-8")
    archived(project, 2)
    next((project / "articles" / "data").glob("2025-*.json")).write_text("[]", encoding="utf-8")
    with pytest.raises(ArchiveError, match="schema"):
        build_site(project, out)
    assert (out / "index.html").read_text(encoding="utf-8") == "previous"


def test_it_never_replaces_a_folder_it_did_not_build(project):
    (project / "notes").mkdir()
    (project / "notes" / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(SiteError, match=r"not a site built by scripts\.site"):
        build_site(project, project / "notes")
    assert (project / "notes" / "keep.txt").read_text(encoding="utf-8") == "mine"


def test_an_empty_archive_builds_a_page_that_says_so(project):
    built = build_site(project, project / "_site")
    assert built.papers == 0
    assert "No papers are archived yet." in (project / "_site" / "index.html").read_text(encoding="utf-8")


def test_the_page_escapes_configured_text_and_names_every_domain():
    domains = taxonomy({"jailbreak": ["jailbreak"], "privacy": ["privacy"]})
    hostile = domains[0].__class__(slug="misuse", name="Misuse </script><b>", description='"><script>x()</script>',
                                   terms=("misuse",))
    html = search_page("List <i>", "https://github.com/o/r", (*domains, hostile), Facets())
    assert "<b>" not in html and "<i>" not in html and "<script>x()" not in html
    assert html.count("<script") == 3  # search.js and the JSON of domain names and bundles, nothing else
    assert "Misuse \\u003c/script\\u003e\\u003cb\\u003e" in html  # names as JSON, unable to close the element
    assert "Jailbreak" in html and "Privacy" in html and 'href="https://github.com/o/r"' in html


def test_the_title_is_the_readmes_heading_without_badges(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# Awesome LRM Safety [![Awesome](https://awesome.re/badge.svg)](https://awesome.re)\n",
                      encoding="utf-8")
    assert site_title(readme, "https://github.com/o/r") == "Awesome LRM Safety"
    assert site_title(tmp_path / "absent.md", "https://github.com/o/my-list") == "my-list"


def test_the_readme_links_to_the_pages_site_of_the_configured_repository():
    root = Path(__file__).resolve().parents[3]
    url = pages_url(load_config(root / "config.yaml").list.repository_url)
    assert url == "https://awesome-lrm-safety.github.io/awesome-lrm-safety/"
    head = (root / "README.md").read_text(encoding="utf-8").split("## Contents", 1)[0]
    assert f"[Search the whole archive]({url})" in head
    assert pages_url("https://github.com/Some-Owner/list") == "https://some-owner.github.io/list/"


def test_shards_group_months_newest_first_without_passing_the_limit():
    counts = {"2024-01": 5, "2024-02": 5, "2024-03": 12, "2024-04": 3, "2024-05": 4}
    assert plan_shards(counts, 10) == [Shard(("2024-05", "2024-04"), 7), Shard(("2024-03",), 12),
                                       Shard(("2024-02", "2024-01"), 10)]
    assert plan_shards({}, 10) == []
    assert Shard(("2024-05", "2024-04"), 7).manifest() == {"path": "pagefind/2024-04--2024-05/", "from": "2024-04",
                                                           "to": "2024-05", "papers": 7}


def test_a_failing_pagefind_gives_a_clear_error_and_no_site(project, monkeypatch, tmp_path):
    failing = tmp_path / "pagefind"
    failing.write_text("#!/bin/sh\necho 'Error: out of disk' >&2\nexit 3\n", encoding="utf-8")
    failing.chmod(0o755)
    monkeypatch.setattr("scripts.site_build.indexer.pagefind_binary", lambda: failing)
    archived(project, 2)
    with pytest.raises(SiteError, match=r"Pagefind failed with exit 3 .*: Error: out of disk"):
        build_site(project, project / "_site", shard_papers=1)
    assert not (project / "_site").exists()
    assert [path.name for path in project.iterdir() if path.name.startswith(".")] == []
