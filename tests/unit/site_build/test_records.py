"""A paper's page for Pagefind: everything escaped, the filters and meta the search page relies on."""

from html.parser import HTMLParser

from hypothesis import given
from hypothesis import strategies as st

from scripts.paper import Paper
from scripts.site_build.records import code_url, filter_values, meta_fields, paper_page

HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)> & "quoted" </main>'


def make_paper(**changes) -> Paper:
    """Return a plain paper, with the given fields changed."""
    paper = Paper(id="2505.11494", version=2, title="The Hidden Risks of Large Reasoning Models",
                  authors=("Kaiwen Zhou", "Xin Eric Wang"), published="2025-05-16T17:59:46Z",
                  updated="2025-06-02T08:00:00Z", summary="An abstract.", categories=("cs.CL",),
                  tags=("reasoning-safety", "jailbreak"), venue="ICLR 2026",
                  code_urls=("https://github.com/example/code",))
    return paper.with_changes(**changes)


class Elements(HTMLParser):
    """Collects the start tags of a page and the text inside elements carrying a Pagefind attribute."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.marked: list[tuple[str, str]] = []
        self.open: list[str | None] = []
        self.text: dict[int, str] = {}

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        attributes = dict(attrs)
        mark = next((f"{key}={value}" for key, value in attributes.items()
                     if key in ("data-pagefind-meta", "data-pagefind-filter", "data-pagefind-sort")), None)
        self.open.append(mark)
        if mark:
            self.marked.append((mark, ""))

    def handle_endtag(self, tag):
        if self.open:
            self.open.pop()

    def handle_data(self, data):
        if self.open and self.open[-1] and self.marked and self.marked[-1][0] == self.open[-1]:
            self.marked[-1] = (self.marked[-1][0], self.marked[-1][1] + data)


def parse(page: str) -> Elements:
    """Parse a page."""
    parser = Elements()
    parser.feed(page)
    return parser


def test_the_page_carries_meta_filters_and_the_sort_date():
    marked = parse(paper_page(make_paper())).marked
    assert ("data-pagefind-meta=title", "The Hidden Risks of Large Reasoning Models") in marked
    assert ("data-pagefind-meta=authors", "Kaiwen Zhou, Xin Eric Wang") in marked
    assert ("data-pagefind-meta=id", "2505.11494") in marked
    assert ("data-pagefind-meta=code", "https://github.com/example/code") in marked
    assert ("data-pagefind-sort=date", "2025-05-16T17:59:46Z") in marked
    filters = {(mark.split("=", 1)[1], text) for mark, text in marked if mark.startswith("data-pagefind-filter")}
    assert filters == {("domain", "reasoning-safety"), ("domain", "jailbreak"), ("year", "2025"), ("month", "05"),
                       ("code", "yes"), ("venue", "ICLR 2026")}


def test_hostile_text_stays_text_in_every_field():
    paper = make_paper(title=HOSTILE, authors=(HOSTILE,), summary=HOSTILE, venue=HOSTILE)
    parsed = parse(paper_page(paper))
    assert "script" not in parsed.tags and "img" not in parsed.tags
    assert parsed.tags.count("main") == 1
    assert ("data-pagefind-meta=title", HOSTILE.strip()) in parsed.marked
    assert ("data-pagefind-filter=venue", HOSTILE.strip()) in parsed.marked


@given(st.text(min_size=1, max_size=80))
def test_no_title_adds_an_element(title):
    assert parse(paper_page(make_paper(title=title))).tags == parse(paper_page(make_paper())).tags


def test_only_web_links_become_code_links():
    assert code_url(make_paper(code_urls=("javascript:alert(1)", "https://github.com/a/b"))) == "https://github.com/a/b"
    assert code_url(make_paper(code_urls=('https://x.org/"onmouseover=alert(1)',))) == ""
    no_code = make_paper(code_urls=("data:text/html,<script>alert(1)</script>",))
    assert ("code", "no") in filter_values(no_code) and "code" not in dict(filter_values(no_code)).values()
    assert meta_fields(no_code)["code"] == ""


def test_the_bibtex_meta_is_the_papers_entry():
    entry = meta_fields(make_paper())["bibtex"]
    assert entry.startswith("@misc{zhou2025hidden-2505.11494,") and "eprint = {2505.11494}" in entry


def test_no_venue_no_venue_filter_and_line_breaks_fold():
    assert "venue" not in dict(filter_values(make_paper(venue="")))
    assert ("venue", "ACL 2025 Findings") in filter_values(make_paper(venue="ACL 2025\n  Findings"))
