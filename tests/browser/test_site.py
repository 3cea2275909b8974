"""The search site in a real browser: headless Debian Chromium, through Playwright, on the built site on loopback.

Self-contained: the fixtures below build a small site from a crafted archive and serve it; nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import functools
import http.server
import importlib.util
import threading

import pytest

from scripts.paper import Paper
from scripts.site_build.build import build_site
from scripts.store.archive import Archive
from scripts.store.files import write_changed
from tests.conftest import make_project

HOSTILE = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script> Hostile zeppelin'

if importlib.util.find_spec("playwright") is None:
    pytest.skip("Playwright for Python is not installed (pip install -r requirements-dev.txt)", allow_module_level=True)
if importlib.util.find_spec("pagefind_bin") is None:
    pytest.skip("the Pagefind binary is not installed (pip install 'pagefind[bin]')", allow_module_level=True)

from playwright.sync_api import Page  # noqa: E402


def paper(paper_id: str, title: str, published: str, tags: tuple[str, ...], *, venue: str = "", code: str = "",
          authors: tuple[str, ...] = ("Ada Lovelace",), summary: str = "An abstract about models.") -> Paper:
    """Return an archived paper."""
    return Paper(id=paper_id, version=1, title=title, authors=authors, published=published, updated=published,
                 summary=summary, categories=("cs.CL",), tags=tags, venue=venue, code_urls=(code,) if code else ())


PAPERS = {
    "A": paper("2501.00001", "Zeppelin attacks on reasoning models", "2025-01-10T10:00:00Z", ("jailbreak",),
               venue="ICLR 2026", code="https://github.com/example/zeppelin"),
    "B": paper("2502.00002", "Zeppelin defences for agents", "2025-02-11T10:00:00Z", ("agent-safety",)),
    "C": paper("2403.00003", "Zeppelin privacy audit", "2024-03-12T10:00:00Z", ("privacy", "jailbreak"),
               venue="NeurIPS 2024", code="https://github.com/example/audit"),
    "D": paper("2504.00004", HOSTILE, "2025-04-01T10:00:00Z", ("misuse",), authors=(HOSTILE,), summary=HOSTILE),
    "E": paper("hep-th/9901001", "Quasar lensing, unrelated", "1999-01-05T10:00:00Z", ("evaluation",),
               authors=("Grace Hopper",)),
}
TITLES = {key: " ".join(value.title.split()) for key, value in PAPERS.items()}


@pytest.fixture(scope="module")
def site_url(tmp_path_factory):
    """Build the site of PAPERS and serve it on a free loopback port; yield its base URL."""
    root = make_project(tmp_path_factory.mktemp("site") / "project")
    archive = Archive.open(root / "articles" / "data")
    for each in PAPERS.values():
        archive.put(each)
    write_changed(archive.data_outputs())
    out = build_site(root, root / "_site", shard_papers=2).out  # three bundles: searches cross them
    handler = functools.partial(QuietHandler, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site without logging every request."""

    def log_message(self, format, *args):
        """Say nothing."""


@pytest.fixture
def page(chromium, site_url):
    """A fresh page on the search site; every request that is not for the site is recorded and refused."""
    context = chromium.new_context()
    outside: list[str] = []

    def guard(route):
        if route.request.url.startswith(site_url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    opened = context.new_page()
    opened.outside = outside  # type: ignore[attr-defined]
    opened.goto(site_url)
    opened.wait_for_selector("body[data-ready=true]")
    yield opened
    context.close()


def settled(page: Page, action) -> list[str]:
    """Do an action that starts a search, wait until its results show, and return the result titles."""
    before = page.get_attribute("#results", "data-serial") or ""
    action()
    # A selector, not a JavaScript predicate: the page's Content-Security-Policy forbids evaluating strings.
    page.wait_for_selector(f"#results[data-serial]:not([data-serial='{before}'])", state="attached")
    return [" ".join(text.split()) for text in page.locator("#results li h3").all_text_contents()]


def search(page: Page, term: str) -> list[str]:
    """Type a search term and return the result titles."""
    return settled(page, lambda: page.fill("#q", term))


def test_a_word_finds_its_papers_and_only_those(page):
    assert search(page, "quasar") == [TITLES["E"]]
    assert sorted(search(page, "zeppelin")) == sorted(TITLES[key] for key in "ABCD")
    assert page.text_content("#status") == "4 papers found"


def test_results_come_newest_first_by_default(page):
    assert search(page, "zeppelin") == [TITLES[key] for key in "DBAC"]


FILTERS = {  # filter: (set it, clear it, the zeppelin papers it leaves)
    "domain": (lambda page: page.check("input[name=domain][value=jailbreak]"),
               lambda page: page.uncheck("input[name=domain][value=jailbreak]"), "AC"),
    "year": (lambda page: page.select_option("#year", "2024"), lambda page: page.select_option("#year", ""), "C"),
    "month": (lambda page: page.select_option("#month", "02"), lambda page: page.select_option("#month", ""), "B"),
    "venue": (lambda page: page.select_option("#venue", "ICLR 2026"),
              lambda page: page.select_option("#venue", ""), "A"),
    "code": (lambda page: page.check("#code"), lambda page: page.uncheck("#code"), "AC"),
}


@pytest.mark.parametrize("name", FILTERS)
def test_each_filter_narrows_the_results(page, name):
    set_filter, clear_filter, expected = FILTERS[name]
    everything = set(search(page, "zeppelin"))
    narrowed = set(settled(page, lambda: set_filter(page)))
    assert narrowed == {TITLES[key] for key in expected} and narrowed < everything
    assert set(settled(page, lambda: clear_filter(page))) == everything


def test_a_filter_alone_lists_its_papers(page):
    assert settled(page, lambda: page.check("input[name=domain][value=evaluation]")) == [TITLES["E"]]


def test_a_result_links_to_its_arxiv_page_code_and_bibtex(page):
    search(page, "attacks")
    result = page.locator("#results li").first
    assert result.locator("h3 a").get_attribute("href") == "https://arxiv.org/abs/2501.00001"
    assert result.locator("a", has_text="Code").get_attribute("href") == "https://github.com/example/zeppelin"
    result.locator("summary").click()
    assert "eprint = {2501.00001}" in result.locator("pre").text_content()
    assert search(page, "quasar") and page.locator("#results li h3 a").get_attribute("href") == \
        "https://arxiv.org/abs/hep-th/9901001"


def test_following_a_result_opens_the_arxiv_page(chromium, site_url):
    context = chromium.new_context()
    context.route("https://arxiv.org/**", lambda route: route.fulfill(body="<title>arXiv stand-in</title>",
                                                                      content_type="text/html"))
    opened = context.new_page()
    opened.goto(site_url + "?q=quasar")
    opened.wait_for_selector("#results li h3 a")
    with opened.expect_navigation():
        opened.click("#results li h3 a")
    assert opened.url == "https://arxiv.org/abs/hep-th/9901001"
    context.close()


def test_a_title_holding_html_or_a_script_shows_as_text(page):
    assert search(page, "hostile") == [" ".join(HOSTILE.split())]
    assert page.locator("#results img, #results script").count() == 0
    assert page.evaluate("window.pwned") is None
    assert "window.pwned=2" in page.locator("#results li .facts").first.text_content()


def test_no_request_leaves_the_site(page):
    search(page, "zeppelin")
    page.locator("#results summary").first.click()
    settled(page, lambda: page.select_option("#sort", "relevance"))
    page.wait_for_load_state("networkidle")
    assert page.outside == []  # type: ignore[attr-defined]
