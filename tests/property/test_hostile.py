"""Hostile input: paper text that tries to break the Markdown, and configuration and collection files that try to
break the loader. Pages stay well-formed (parsed with markdown-it-py, GFM tables on); bad files fail with one clear line
naming the file and the key, and nothing is written."""

from __future__ import annotations

import html
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from scripts import update
from scripts.curated.load import load_collections
from scripts.errors import CollectionError, ConfigError
from scripts.ingest.links import extract_code_urls, extract_venue
from scripts.paper import Paper
from scripts.render import listing as render
from scripts.render import markdown
from scripts.render.markdown import FULLWIDTH_AT, cell, html_text, shorten
from scripts.render.markers import marker_pair, replace_block
from scripts.yamlfile import MAX_DEPTH, MAX_YAML_BYTES, load_yaml
from tests.conftest import README, REPO, snapshot
from tests.fake_arxiv import FakePaper

MARKDOWN = MarkdownIt("commonmark").enable(["table", "strikethrough"])
START, END = marker_pair("LATEST_PAPERS")
PAGE_LIMIT = 500 * 1024  # GitHub stops rendering a Markdown file beyond 500 KiB

# Pieces of text that mean something to Markdown, HTML, GitHub or the README's own markers.
FRAGMENTS = [
    "|", "\\", "\\|", "`", "``", "\n", "\r\n", "\t", " ", "<script>alert(1)</script>", "<b>", "</td>", "<img src=x onerror=alert(1)>",
    "[link](https://evil.example/)", "[x](javascript:alert(1))", "![img](https://evil.example/a.png)", "<https://evil.example>",
    "$x^2$", "$$\\int_0^1$$", "\\(a+b\\)", "\\frac{1}{2}", START, END, "<!--", "-->", "\u202e", "\u202d", "\u2066", "\u2069",
    "\u200b", "\u200d", "\ufeff", "\u2028", "\ud800", "&amp;", "&#124;", "&lt;", "&", "*", "**", "_", "~~", "#", "> ", "- ", "1. ", "---",
    "| --- |", "{{ x }}", "{% raw %}", "é", "\U0001d518", "e\u0301", "\u05d0\u05d1", "https://github.com/org/repo",
    "accepted at ICLR 2025", "[Code](https://github.com/evil/x)",
]
# Tags as the archive may hold them: taxonomy slugs, and hand-edited ones that are not slugs at all.
TAGS = ["jailbreak", "prompt-injection", "a-b", "Not a slug", "`x`](javascript:alert(1))", "# heading", "- item", "<b>"]
hostile_text = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=6)), max_size=12).map("".join)
long_text = st.tuples(hostile_text, st.integers(0, 1)).map(
    lambda pair: (pair[0] + " padding ") * (10_000 // (len(pair[0]) + 9) + 1) if pair[1] else pair[0])


# ---------------------------------------------------------------- reading the rendered Markdown


def gfm_cells(line: str) -> list[str]:
    """Split a table row as GFM does (a pipe right after a backslash is text, every other pipe divides cells) and
    return the pieces; a row written with outer pipes gives an empty first and last piece."""
    cells, current, escaped = [], "", False
    for char in line.strip():
        if char == "|" and not escaped:
            cells.append(current)
            current = ""
        else:
            current += char
        escaped = char == "\\"
    return [*cells, current]


def plain(text: str) -> str:
    """The cleaned text, read with the look-alike @ that keeps an e-mail address from linking as an @."""
    return markdown.plain(text).replace(FULLWIDTH_AT, "@")


def inline_text(tokens) -> str:
    """The text a reader sees in a run of inline tokens (the look-alike @ read as @)."""
    text = "".join(token.content for token in tokens if token.type in ("text", "code_inline", "softbreak"))
    return text.replace(FULLWIDTH_AT, "@")


def paper_items(tokens) -> list[tuple[list, list[str]]]:
    """Every top-level list item: the inline tokens of its first paragraph and its HTML blocks."""
    items, depth, current = [], 0, None
    for token in tokens:
        if token.type == "list_item_open":
            depth += 1
            if depth == 1:
                current = ([], [])
                items.append(current)
        elif token.type == "list_item_close":
            depth -= 1
        elif current is not None and depth == 1 and token.type == "inline" and not current[0]:
            current[0].extend(token.children)
        elif current is not None and depth == 1 and token.type == "html_block":
            current[1].append(token.content.strip())
    return items


def check_page(text: str, papers: list[Paper], versioned: bool) -> None:
    """Assert a page shows each paper as one intact list item that reads as the paper's text, and nothing else."""
    tokens = MARKDOWN.parse(text)
    items = [item for item in paper_items(tokens) if any(child.attrs.get("href", "").startswith("https://arxiv.org/abs/")
                                                          for child in item[0] if child.type == "link_open")]
    assert len(items) == len(papers)
    for (inline, blocks), paper in zip(items, papers, strict=True):
        check_item(inline, paper, versioned)
        assert blocks == [details(paper)], blocks  # the abstract's excerpt, as inert HTML text, and no other HTML
    html = [token.content.strip() for token in tokens if token.type == "html_block"]
    html += [child.content for token in tokens if token.children for child in token.children if child.type == "html_inline"]
    assert all(block in (START, END) or block.startswith("<details><summary>Abstract</summary>") for block in html), html
    allowed = {paper.url + (f"v{paper.version}" if versioned else "") for paper in papers}
    allowed |= {paper.code_urls[0] for paper in papers if paper.code_urls}
    for token in tokens:
        for child in token.children or []:
            target = child.attrs.get("href") or child.attrs.get("src") or ""
            if child.type in ("link_open", "image") and ":" in target.split("/")[0]:
                assert target in allowed, target  # every absolute link is a paper's arXiv page or its code
            elif child.type == "image":
                assert target == "assets/img/trend.svg", target


def details(paper: Paper) -> str:
    """The <details> line a paper's abstract should render as: plain, shortened, with &, < and > as entities."""
    shown = shorten(markdown.plain(paper.summary), render.SUMMARY_LIMIT) or "-"  # raw HTML: no autolink to defuse
    return f"<details><summary>Abstract</summary>{html.escape(shown, quote=False)}</details>"


def check_item(inline: list, paper: Paper, versioned: bool) -> None:
    """Assert one item reads exactly as the paper's (plain, shortened) text: date, title link, venue, domain links,
    authors and code link, with no markup from the paper."""
    inline = [token for token in inline if token.type != "text" or token.content]  # markdown-it adds empty texts
    assert inline[0].type == "text" and inline[0].content == f"{paper.published[:10]} · "
    assert [token.type for token in inline[1:3]] == ["link_open", "strong_open"]
    assert inline[1].attrs["href"] == paper.url + (f"v{paper.version}" if versioned else "")
    closing = next(index for index, token in enumerate(inline) if token.type == "strong_close")
    assert inline[closing + 1].type == "link_close"
    title = inline[3:closing]
    assert inline_text(title) == (shorten(plain(paper.title), render.TITLE_LIMIT) or "(untitled)")
    brk = next(index for index, token in enumerate(inline) if token.type == "hardbreak")
    venue = shorten(plain(paper.venue), render.VENUE_LIMIT)
    assert inline_text(inline[closing + 2:brk]) == (f" {venue}" if venue else "")
    assert {token.type for token in inline[closing + 2:brk]} <= {"text", "em_open", "em_close"}
    rest = inline[brk + 1:]
    tags = [token.attrs["href"] for token in rest if token.type == "link_open" and token.attrs["href"].endswith(".md")]
    assert [href.rsplit("/", 1)[-1] for href in tags] == [f"{tag}.md" for tag in paper.tags if render.SLUG.match(tag)]
    assert sum(token.type == "code_inline" for token in rest) == len(paper.tags)  # each tag once, as inert code
    code = [token.attrs["href"] for token in rest if token.type == "link_open" and not token.attrs["href"].endswith(".md")]
    assert code == list(paper.code_urls[:1])
    shown = " ".join(tag if render.SLUG.match(tag) else plain(tag).replace("`", "'") or "?" for tag in paper.tags)
    line = f"{shown or 'untagged'} · {expected_authors(paper.authors)}" + (" · Code" if code else "")
    assert inline_text(rest).strip() == line.strip()  # a line's end is trimmed
    assert {token.type for token in rest} <= {"text", "softbreak", "link_open", "link_close", "code_inline"}
    for token in title:
        assert token.type in ("text", "softbreak"), token.type  # no emphasis, code, link, image or HTML from the paper


def expected_authors(names) -> str:
    """What the Authors cell should read: the first three names as plain text, then 'et al.'."""
    shown = ", ".join(shorten(plain(name), render.AUTHOR_LIMIT) for name in names[:render.SHOWN_AUTHORS])
    return shown + (" et al." if len(names) > render.SHOWN_AUTHORS else "") if shown else "-"


# ---------------------------------------------------------------- hostile papers, rendered directly


@st.composite
def hostile_papers(draw) -> list[Paper]:
    """One to five papers of hostile text, newest first, with code links and venues found as the pipeline finds them."""
    papers = []
    for number in range(draw(st.integers(1, 5))):
        summary, comment = draw(long_text), draw(hostile_text)
        papers.append(Paper(
            id=f"2505.{19999 - number:05d}", version=draw(st.integers(1, 12)), title=draw(long_text),
            authors=tuple(draw(st.lists(hostile_text, max_size=5))), published=f"2025-05-{28 - number:02d}T12:00:00Z",
            updated="2025-06-01T00:00:00Z", summary=summary, comment=comment, categories=("cs.CL",),
            code_urls=extract_code_urls(summary, comment), venue=extract_venue(comment, ""),
            tags=tuple(draw(st.lists(st.sampled_from(TAGS), max_size=3, unique=True)))))
    return papers


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(hostile_papers())
def test_hostile_papers_keep_the_readme_block_and_its_table_intact(papers):
    readme = replace_block(README, "LATEST_PAPERS", render.latest_block(papers, len(papers)), "README.md")
    assert readme.count(START) == 1 and readme.count(END) == 1
    assert readme.split(START)[0] == README.split(START)[0] and readme.split(END)[1] == README.split(END)[1]
    assert len(readme.encode("utf-8")) < PAGE_LIMIT
    check_page(readme, papers, versioned=True)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(hostile_papers())
def test_hostile_papers_keep_the_month_pages_intact(papers):
    pages = render.month_pages("2025-05", papers, {"jailbreak": len(papers)})
    assert list(pages) == ["2025-05.md"]
    check_page(pages["2025-05.md"], papers, versioned=False)


@settings(max_examples=150, deadline=None)
@given(hostile_text, st.sampled_from([0, 10, 240]))
def test_an_escaped_cell_reads_as_its_text_and_keeps_the_row(text, limit):
    row = f"| a | {cell(text, limit) or '-'} | b |"
    tokens = MARKDOWN.parse(f"| A | B | C |\n| --- | --- | --- |\n{row}\n")
    assert len(gfm_cells(row)) == 5
    inlines = [token for token in tokens if token.type == "inline"][3:]
    shown = shorten(plain(text), limit) if limit else plain(text)
    assert [inline_text(token.children) for token in inlines] == ["a", shown or "-", "b"]
    assert all(child.type in ("text", "softbreak") for token in inlines for child in token.children)


def test_huge_papers_stay_under_githubs_rendering_limit():
    wide = "\u00e9|<b>" * 2500  # 10,000 characters that all grow when escaped
    papers = [Paper(id=f"2505.{10000 + number:05d}", version=1, title=wide, authors=(wide,) * 100,
                    published=f"2025-05-{1 + number % 28:02d}T{number % 24:02d}:00:00Z", updated="2025-05-30T00:00:00Z",
                    summary=wide, code_urls=("https://github.com/org/repo",), venue="ICLR 2025")
              for number in range(250)]
    papers.sort(key=lambda paper: paper.sort_key, reverse=True)
    readme = replace_block(README, "LATEST_PAPERS", render.latest_block(papers[:20], len(papers)), "README.md")
    assert len(readme.encode("utf-8")) < PAGE_LIMIT
    pages = render.month_pages("2025-05", papers, {})
    assert len(pages) > 1
    assert all(len(text.encode("utf-8")) < PAGE_LIMIT for text in pages.values())
    linked = "".join(pages.values())
    assert all(linked.count(f"({paper.url})") == 1 for paper in papers)


# ---------------------------------------------------------------- hostile papers, through the real update


PIPELINE_PAPERS = [
    FakePaper(id="2505.20001", published="2025-05-20T10:00:00Z",
              title=f"Jailbreaks | {END} <script>alert(1)</script> [click](javascript:alert(1)) $x^2$ `rm -rf` \\ *bold*",
              summary="Line one\nline two | cell <img src=x onerror=alert(1)> \u202eevil\u202c \u200bhidden " + "long " * 2000,
              authors=("Eve | <b>", "Mallory `x`", "[Trent](https://evil.example)", "Fourth Author"),
              comment="Code: https://github.com/org/repo. Accepted at ICLR 2025 <b>oral</b>"),
    FakePaper(id="2505.20002", published="2025-05-21T10:00:00Z", title=f"{START} Red Teaming \u05d0\u05d1 \\frac{{a}}{{b}}",
              summary="Abstract with &amp; entities &#124; and a [link](https://evil.example) and ~~strike~~.",
              authors=("\u202eRTL Name",)),
    FakePaper(id="2505.20003", published="2025-05-22T10:00:00Z", title="\t  \n  ", summary="", authors=()),
]


def test_hostile_papers_through_the_real_update(fake_arxiv, project):
    fake_arxiv.papers = PIPELINE_PAPERS
    assert update.main(["--root", str(project), "--since", "2025-05-01"]) == 0
    records = json.loads((project / "articles" / "data" / "2025-05.json").read_text(encoding="utf-8"))["papers"]
    papers = [Paper.from_dict(record) for record in records]
    assert [paper.id for paper in papers] == ["2505.20003", "2505.20002", "2505.20001"]
    assert papers[2].title == " ".join(PIPELINE_PAPERS[0].title.split())  # the data keeps the text, only the page escapes it
    assert papers[2].code_urls == ("https://github.com/org/repo",) and papers[2].venue.startswith("ICLR 2025")
    readme = (project / "README.md").read_text(encoding="utf-8")
    assert readme.count(START) == 1 and readme.count(END) == 1
    check_page(readme, papers, versioned=True)
    check_page((project / "articles" / "2025-05.md").read_text(encoding="utf-8"), papers, versioned=False)
    before = snapshot(project)
    assert update.main(["--root", str(project), "--since", "2025-05-01"]) == 0
    assert snapshot(project) == before


# ---------------------------------------------------------------- hostile configuration

ARXIV = "arxiv:\n  categories: [cs.CL]\n  all_of: [[jailbreak]]\n"
HOSTILE_CONFIGS = {
    "huge whole number": (ARXIV + "  retries: " + "9" * 40 + "\n", "arxiv.retries: " + "9" * 40 + " is out of range"),
    "huge float": (ARXIV + "  delay_seconds: 1.0e+400\n", "arxiv.delay_seconds: inf is out of range"),
    "not a number": (ARXIV + "  timeout_seconds: .nan\n", "arxiv.timeout_seconds: nan is out of range"),
    "negative": (ARXIV + "  lookback_days: -1\n", "arxiv.lookback_days: -1 is out of range"),
    "zero papers": ("list:\n  readme_papers: 0\n" + ARXIV, "list.readme_papers: 0 is out of range"),
    "boolean for a number": (ARXIV + "  retries: yes\n", "arxiv.retries: expected a whole number"),
    "float for a whole number": (ARXIV + "  page_size: 10.5\n", "arxiv.page_size: expected a whole number"),
    "date for a number": (ARXIV + "  delay_seconds: 2025-01-01\n", "arxiv.delay_seconds: expected a number"),
    "bytes for a list": (ARXIV + "  exclude: !!binary aGVsbG8=\n", "arxiv.exclude: expected a list"),
    "nested list": ("arxiv:\n  categories: [cs.CL, [cs.CR]]\n  all_of: [[a]]\n", "arxiv.categories: expected a list"),
    "term group not a list": ("arxiv:\n  categories: [cs.CL]\n  all_of: [jailbreak]\n", "arxiv.all_of[0]: expected"),
    "query syntax as category": ("arxiv:\n  categories: ['cs.CL OR all:*']\n  all_of: [[a]]\n", "arxiv.categories: 'cs.CL OR all:*' is not allowed"),
    "unknown field prefix": (ARXIV + "  fields: [title]\n", "arxiv.fields: 'title' is not allowed"),
    "unknown section": (ARXIV + "arxv: {}\n", "arxv: unknown section"),
    "unknown key": ("list:\n  readme_paper: 20\n" + ARXIV, "list.readme_paper: unknown key"),
    "number as key": (ARXIV + "  1: 2\n", "arxiv.1: unknown key"),
    "section not a mapping": ("list: [20]\n" + ARXIV, "list: expected a mapping"),
    "empty file": ("", "expected a mapping"),
    "list at the top": ("- arxiv\n", "expected a mapping"),
    "python object tag": ("arxiv: !!python/object/apply:os.system ['true']\n", "line 1: invalid YAML"),
    "alias bomb": ("a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                   "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n" + ARXIV, "line 2: invalid YAML (aliases"),
    "merge key": ("base: &base {retries: 1}\n" + ARXIV + "  <<: *base\n", "invalid YAML (aliases"),
    "deep nesting": ("arxiv:\n  categories: " + "[" * 600 + "]" * 600 + "\n", f"nested more than {MAX_DEPTH} levels"),
    "deep mappings": ("arxiv:\n  categories: " + "{a: " * 600 + "1" + "}" * 600 + "\n", f"nested more than {MAX_DEPTH} levels"),
    "control character": (ARXIV.replace("jailbreak", "jail\x07break"), "line 3: character U+0007 is not allowed"),
    "tab indentation": ("arxiv:\n\tcategories: [cs.CL]\n", "line 2: invalid YAML"),
}


@pytest.mark.parametrize("name", HOSTILE_CONFIGS)
def test_hostile_config_names_file_and_key_and_writes_nothing(fake_arxiv, project, capsys, name):
    text, words = HOSTILE_CONFIGS[name]
    (project / "config.yaml").write_text(text, encoding="utf-8")
    check_refused(project, fake_arxiv, capsys, "config.yaml", words)


@pytest.mark.parametrize("content,words", [
    (b"arxiv:\n  categories: [cs.CL]\n  all_of: [[caf\xe9]]\n", "byte 44 is not UTF-8"),
    ("arxiv: {}\n".encode("utf-16"), "byte 0 is not UTF-8"),
    (b"# " + b"x" * MAX_YAML_BYTES + b"\n", "too large for a settings file"),
], ids=["latin-1 byte", "utf-16", "oversized"])
def test_config_bytes_that_are_not_utf8_or_too_many(fake_arxiv, project, capsys, content, words):
    (project / "config.yaml").write_bytes(content)
    check_refused(project, fake_arxiv, capsys, "config.yaml", words)


def test_a_config_that_is_a_folder(fake_arxiv, project, capsys):
    (project / "config.yaml").unlink()
    (project / "config.yaml").mkdir()
    check_refused(project, fake_arxiv, capsys, "config.yaml", "cannot read")


@pytest.mark.parametrize("variable,value,words", [
    ("ARXIV_DELAY_SECONDS", "nan", "ARXIV_DELAY_SECONDS: nan is out of range"),
    ("ARXIV_DELAY_SECONDS", "inf", "ARXIV_DELAY_SECONDS: inf is out of range"),
    ("ARXIV_DELAY_SECONDS", "soon", "ARXIV_DELAY_SECONDS: expected seconds as a number"),
    ("ARXIV_API_URL", "file:///etc/passwd", "ARXIV_API_URL: expected the full query endpoint"),
    ("ARXIV_API_URL", "http://127.0.0.1:9/api/query?x=1", "ARXIV_API_URL: expected the full query endpoint"),
    ("ARXIV_API_URL", "http://127.0.0.1:9/api/query\n", "ARXIV_API_URL: expected the full query endpoint"),
])
def test_hostile_environment_overrides(fake_arxiv, project, capsys, monkeypatch, variable, value, words):
    monkeypatch.setenv(variable, value)
    check_refused(project, fake_arxiv, capsys, "environment", words)


def test_load_yaml_can_refuse_a_key_written_twice(tmp_path):
    path = tmp_path / "settings.yaml"
    path.write_text("arxiv:\n  retries: 1\n  page_size: 10\n  retries: 5\n", encoding="utf-8")
    assert load_yaml(path, ConfigError) == {"arxiv": {"retries": 5, "page_size": 10}}  # YAML's own rule: the last wins
    with pytest.raises(ConfigError, match=r"settings\.yaml: line 4: invalid YAML \(key 'retries' is written twice; keep one\)"):
        load_yaml(path, ConfigError, unique_keys=True)
    path.write_text("- {name: a}\n- {name: b}\n", encoding="utf-8")
    assert load_yaml(path, ConfigError, unique_keys=True) == [{"name": "a"}, {"name": "b"}]


def test_a_config_key_written_twice_is_an_error_not_a_silent_override(fake_arxiv, project, capsys):
    (project / "config.yaml").write_text(ARXIV + "  retries: 1\n  retries: 9\n", encoding="utf-8")
    check_refused(project, fake_arxiv, capsys, "config.yaml", "key 'retries' is written twice")


def check_refused(project: Path, fake_arxiv, capsys, where: str, words: str) -> None:
    """Assert the update exits 1 with one error line naming `where` and saying `words`, asking arXiv nothing, writing nothing."""
    before = snapshot(project)
    assert update.main(["--root", str(project)]) == 1
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and error[0].startswith("error: ") and where in error[0] and words in error[0], error
    assert snapshot(project) == before and fake_arxiv.requests == []


# ---------------------------------------------------------------- hostile collection files


@pytest.fixture
def curated_project(tmp_path) -> Path:
    """A copy of the repository's curated collections, their templates, README and config."""
    root = tmp_path / "repo"
    shutil.copytree(REPO / "collection", root / "collection")
    shutil.copytree(REPO / "templates" / "collection", root / "templates" / "collection")
    for name in ("README.md", "config.yaml"):
        shutil.copy(REPO / name, root / name)
    return root


TOOL = "- name: {name}\n  url: {url}\n  paper: {paper}\n  description: {description}\n"


def tool(name="Probe", url="https://github.com/org/probe", paper="'-'", description="Tool that probes the loader.") -> str:
    """One tools.yaml entry, with any field replaced."""
    return TOOL.format(name=name, url=url, paper=paper, description=description)


HOSTILE_COLLECTIONS = {
    "alias bomb": ("x: &a [1, 1]\ny: [*a, *a]\n", "line 2: invalid YAML (aliases"),
    "deep nesting": ("- " + "[" * 600 + "]" * 600 + "\n", f"nested more than {MAX_DEPTH} levels"),
    "mapping at the top": ("name: Probe\n", "expected a non-empty list of entries"),
    "name is a list": (tool(name="[a, b]"), "field 'name': must be text, not a list"),
    "paper is a huge number": (tool(paper="9" * 30), "field 'paper': " + "9" * 30 + " was read as a number"),
    "unknown field": (tool() + "  stars: 5\n", "unknown field 'stars'"),
    "newline in text": (tool(description='"Tool that\\n| breaks | tables |."'), "field 'description': must be one non-empty line"),
    "javascript url": (tool(url="javascript:alert(1)"), "field 'url': 'javascript:alert(1)' is not a full https:// URL"),
    "control character": (tool(name="Pro\x07be"), "character U+0007 is not allowed"),
}


@pytest.mark.parametrize("name", HOSTILE_COLLECTIONS)
def test_hostile_collection_file_names_file_entry_and_field(tmp_path, name):
    text, words = HOSTILE_COLLECTIONS[name]
    shutil.copytree(REPO / "collection", tmp_path / "collection")
    (tmp_path / "collection" / "tools.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(CollectionError) as caught:
        load_collections(tmp_path)
    assert "collection/tools.yaml" in str(caught.value) and words in str(caught.value) and "\n" not in str(caught.value)


def test_a_hostile_collection_file_stops_the_update_before_anything_is_written(fake_arxiv, curated_project, capsys):
    (curated_project / "collection" / "tools.yaml").write_bytes(tool(name="Caf\xe9").encode("latin-1"))
    before = snapshot(curated_project)
    assert update.main(["--root", str(curated_project), "--no-fetch"]) == 1
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and "collection/tools.yaml: byte 11 is not UTF-8" in error[0], error
    assert snapshot(curated_project) == before and fake_arxiv.requests == []


def test_a_collection_url_cannot_smuggle_html_into_the_readme(fake_arxiv, curated_project, capsys):
    tools = curated_project / "collection" / "tools.yaml"
    tools.write_text(tools.read_text(encoding="utf-8") + "\n" + tool(url="https://attacker.dev/a)<b>x</b>"),
                     encoding="utf-8")
    status = update.main(["--root", str(curated_project), "--no-fetch"])
    readme = (curated_project / "README.md").read_text(encoding="utf-8")
    raw = [child.content for token in MARKDOWN.parse(readme) for child in token.children or [] if child.type == "html_inline"]
    assert (status == 1 and "field 'url'" in capsys.readouterr().err) or (status == 0 and raw == [])


# ---------------------------------------------------------------- hostile archive records


def write_record(project: Path, **changes) -> Path:
    """Write an archive month holding one record with some fields replaced; return the file."""
    record = {"id": "2503.10000", "version": 1, "title": "A title", "authors": ["Ada Lovelace"],
              "published": "2025-03-01T00:00:00Z", "updated": "2025-03-01T00:00:00Z", "summary": "An abstract.",
              "url": "https://arxiv.org/abs/2503.10000", "categories": ["cs.CL"], "tags": [], **changes}
    path = project / "articles" / "data" / "2025-03.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"schema": 1, "papers": [record]}), encoding="utf-8")
    return path


def test_archive_bytes_that_are_not_utf8(fake_arxiv, project, capsys):
    path = write_record(project)
    path.write_bytes(path.read_bytes().replace(b"A title", b"A t\xefitle"))
    before = snapshot(project)
    assert update.main(["--root", str(project), "--no-fetch"]) == 1
    assert "2025-03.json: not UTF-8" in capsys.readouterr().err
    assert snapshot(project) == before


def test_an_archive_record_with_a_lone_surrogate_fails_before_any_page_or_data_file(fake_arxiv, project, capsys):
    path = write_record(project, title="A \ud800 title")  # json.dumps writes it as the escape \\ud800, which json reads back
    before = snapshot(project)
    assert update.main(["--root", str(project), "--no-fetch"]) == 1
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and error[0].startswith(f"error: {path}: cannot write U+D800 (character ")
    assert error[0].endswith("which is not valid Unicode; correct the record that holds it, then rerun")
    assert snapshot(project) == before  # not even the journal: every file is staged (and refused) before it is written


def test_an_archive_record_of_the_wrong_type_is_a_clear_error(fake_arxiv, project, capsys):
    fake_arxiv.papers = [FakePaper(id="2503.10000", published="2025-03-01T00:00:00Z", version=2)]
    write_record(project, version="2")
    before = snapshot(project)
    assert update.main(["--root", str(project), "--since", "2025-03-01"]) == 1
    assert "2025-03.json: papers[0]" in capsys.readouterr().err
    assert snapshot(project) == before


def test_a_record_in_the_wrong_month_file_is_not_archived_twice(fake_arxiv, project, capsys):
    fake_arxiv.papers = [FakePaper(id="2505.10000", published="2025-05-01T00:00:00Z")]
    write_record(project, id="2505.10000", published="2025-05-01T00:00:00Z", url="https://arxiv.org/abs/2505.10000")
    status = update.main(["--root", str(project), "--since", "2025-03-01"])
    ids = [record["id"] for path in (project / "articles" / "data").glob("20*.json")
           for record in json.loads(path.read_text(encoding="utf-8"))["papers"]]
    assert (status == 1 and "2025-03.json" in capsys.readouterr().err) or ids == ["2505.10000"]


@settings(max_examples=150, deadline=None)
@given(hostile_text)
def test_an_abstract_in_details_is_inert_text_under_githubs_parser(text):
    cmarkgfm = pytest.importorskip("cmarkgfm", reason="cmarkgfm is not installed (pip install -r requirements-dev.txt)")
    from cmarkgfm.cmark import Options

    excerpt = html_text(text, render.SUMMARY_LIMIT)
    source = f"- 2025-05-01 · [**T**](https://arxiv.org/abs/2505.00001)\\\n  x\n  <details><summary>Abstract</summary>{excerpt}</details>\n- next\n"
    rendered = cmarkgfm.markdown_to_html_with_extensions(
        source, options=Options.CMARK_OPT_UNSAFE, extensions=["table", "autolink", "strikethrough", "tagfilter"])
    inside = rendered.split("<summary>Abstract</summary>")[1].split("</details>")[0]
    assert "<" not in inside and ">" not in inside  # no tag of the paper's, no autolink
    assert html.unescape(inside) == shorten(plain(text), render.SUMMARY_LIMIT)
    assert rendered.count("<li>") == 2  # the next item is still an item
