"""The renderer's and the archive's shortcuts for the usual case give exactly what the plain, one-step-at-a-time definitions give.

Each shortcut (a cell cleaned only as far as it is shown, authors escaped at once, author names checked in one scan,
a stored record loaded without the dataclass __init__, indented JSON written by msgspec instead of json)
is compared with the obvious definition on hostile text.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scripts.errors import ArchiveError
from scripts.paper import Paper
from scripts.render import bibtex
from scripts.render import listing as render
from scripts.render.markdown import AUTOLINK, ESCAPES, html_text, plain, shorten, unlink
from scripts.store.archive import dump_json, read_json, read_month, read_records, record_problem
from scripts.store.files import Staging

# Characters that exercise every branch: spaces and breaks to collapse, specials to escape, invisible characters,
# commas and the words BibTeX splits names on.
PIECES = [" ", "  ", "\n", "\t", "\u2028", "\u200b", "\x00", "\ud800", "a", "Z", "é", "|", "\\", "$", "*", "_", "`",
          "[", "]", "~", "&", "<", ">", "{", "}", "%", "#", "^", ",", ".", ";", ":", "-", "and", "AND", "others",
          "Jr.", "Ada", "Lovelace", "x" * 70]
TEXT = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)
# Mostly clean names, so the shortcut (not only the fallback) is taken often.
CLEAN = st.lists(st.sampled_from(["Ada", "Lovelace", " ", "-", ".", "and", "Others", "|", "x" * 50, "ada@b.org"]),
                max_size=6).map("".join)
NAMES = st.tuples(*[st.one_of(CLEAN, TEXT)] * 2) | st.lists(st.one_of(CLEAN, CLEAN, TEXT), max_size=6).map(tuple)


def reference_cell(text: str, limit: int = 0) -> str:
    """A cell by definition: clean the whole text, cut it, escape it, break its would-be autolinks."""
    cleaned = plain(text)
    return AUTOLINK.sub(unlink, (shorten(cleaned, limit) if limit else cleaned).translate(ESCAPES))


@settings(max_examples=400, deadline=None)
@given(TEXT, st.sampled_from([0, 3, 20, 60, 120, 240]))
def test_cell_equals_its_definition(text, limit):
    assert render.cell(text, limit) == reference_cell(text, limit)


@settings(max_examples=400, deadline=None)
@given(TEXT, st.sampled_from([0, 3, 20, 60, 120, 300]))
def test_abstract_excerpt_cleaned_as_far_as_shown_equals_its_definition(text, limit):
    cleaned = plain(text)
    expected = (shorten(cleaned, limit) if limit else cleaned).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert html_text(text, limit) == expected


@settings(max_examples=400, deadline=None)
@given(NAMES)
def test_authors_escaped_at_once_equal_names_escaped_one_by_one(authors):
    shown = ", ".join(reference_cell(name, render.AUTHOR_LIMIT) for name in authors[: render.SHOWN_AUTHORS])
    expected = shown + (" et al." if len(authors) > render.SHOWN_AUTHORS else "") if shown else "-"
    assert render.author_cell(authors) == expected


@settings(max_examples=400, deadline=None)
@given(NAMES)
def test_bibtex_names_checked_in_one_scan_equal_names_escaped_one_by_one(authors):
    expected = " and ".join(bibtex.braced_name(name) for name in map(bibtex.bib_text, authors) if name)
    assert bibtex.author_field(authors) == expected


def test_names_shortcut_is_taken_for_clean_names_only():
    assert bibtex.names_unchanged(("Ada Lovelace", "Alan Turing"))
    for names in [("Ada Lovelace", ""), ("Ada ", "Alan"), ("Smith, John",), ("Tom and Jerry",), ("Łukasz",), ()]:
        assert not bibtex.names_unchanged(names), names


STORED = {"id": "2505.11494", "version": 2, "title": "T", "authors": ["A B"], "published": "2025-05-16T17:59:46Z",
          "updated": "2025-05-20T00:00:00Z", "summary": "S", "categories": ["cs.CL"], "tags": ["jailbreak"],
          "score": 9.5, "comment": "", "journal_ref": "", "code_urls": [], "venue": "", "url": "https://arxiv.org/abs/2505.11494"}


def test_stored_record_loads_like_the_constructor_and_stays_frozen():
    loaded = Paper.from_dict(dict(STORED))
    built = Paper(**{key: tuple(value) if isinstance(value, list) else value for key, value in STORED.items() if key != "url"})
    assert loaded == built and repr(loaded) == repr(built) and hash(loaded) == hash(built)
    assert loaded.extra == {} and loaded.to_dict() == STORED
    with pytest.raises(dataclasses.FrozenInstanceError):
        loaded.title = "changed"  # type: ignore[misc]


def test_extra_and_missing_keys_take_the_general_path():
    with_extra = Paper.from_dict({**STORED, "note": "kept"})
    assert with_extra.extra == {"note": "kept"} and with_extra.to_dict()["note"] == "kept"
    assert Paper.from_dict({key: value for key, value in STORED.items() if key != "venue"}).venue == ""


@pytest.mark.parametrize("key, value, message", [
    ("version", True, "version should be int, not bool"),
    ("authors", ("A",), "authors should be list, not tuple"),
    ("published", "2025-06-01T00:00:00Z", "belongs in 2025-06.json"),
])
def test_record_checks_report_what_the_quick_check_rejects(key, value, message):
    assert record_problem(dict(STORED), "2025-05") == ""
    assert message in record_problem({**STORED, key: value}, "2025-05")


# Floats whose repr has no exponent: json writes 1e-07 and 1e+16 where msgspec writes 1e-7 and 1e16 (the one change
# of the archive's byte format, made when msgspec replaced json; the archive stores no such number).
PLAIN_FLOATS = st.floats(allow_nan=False, allow_infinity=False).filter(lambda number: "e" not in repr(number))
JSON_SCALARS = (st.none() | st.booleans() | st.integers() | PLAIN_FLOATS
                | st.text(st.characters(exclude_categories=[]), max_size=30))
JSON_VALUES = st.recursive(JSON_SCALARS, lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=30)


@settings(max_examples=500, deadline=None)
@given(JSON_VALUES)
def test_indented_json_is_byte_for_byte_what_json_dumps_writes(value):
    assert dump_json(value) == json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("value", [{"a": 2 ** 70}, {"a": "\ud800 lone surrogate"}])
def test_values_msgspec_refuses_are_left_to_json_dumps(value):
    assert dump_json(value) == json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def test_types_json_cannot_write_still_fail():
    with pytest.raises(TypeError):
        dump_json({"a": object()})


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(max_size=8), JSON_VALUES, max_size=4))
def test_what_is_written_reads_back_the_same(value):
    text = dump_json({**value, "schema": 1})
    if any("\ud800" <= character <= "\udfff" for character in text):
        return  # a lone surrogate is refused when written (files.check_encodable) and when read
    assert read_json(Path("x.json"), text.encode("utf-8")) == json.loads(text)


# ---------------------------------------------------------------- a month at a time: one scan of all its texts

# Mostly clean titles and abstracts, so a whole month passes the one-scan check often; sometimes one hostile text.
# Would-be autolinks (a URL, an e-mail address, www.) need no escaping but must still be unlinked.
CLEAN_TEXT = st.lists(st.sampled_from(["Safety", "of", "reasoning", " ", ".", "x" * 90, "http://a.b", "ada@b.org", "www.b"]),
                      max_size=12).map("".join)
MONTH_TEXTS = st.lists(st.one_of(CLEAN_TEXT, CLEAN_TEXT, CLEAN_TEXT, TEXT), max_size=6)


@settings(max_examples=400, deadline=None)
@given(MONTH_TEXTS, st.sampled_from([3, 20, 60, 240, 300]))
def test_cells_of_a_month_at_once_equal_cells_one_by_one(texts, limit):
    cells = render.text_cells(texts, limit)
    assert cells is None or cells == [render.cell(text, limit) for text in texts]


def test_the_month_shortcut_is_taken_for_clean_texts_only():
    shown_clean = ["Safety of reasoning", "x " * 200, "x " * 128 + "  beyond what is shown"]
    assert render.text_cells(shown_clean, 240) is not None
    for texts in [["a", ""], ["a ", "b"], ["a", " b"], ["a|b"], ["é"], ["a\nb"], ["x " * 50 + "  " + "y" * 200]]:
        assert render.text_cells(texts, 240) is None, texts


# The macro every page rendered its list with before each item was rendered once, in Python (templates/_papers.md.j2).
PAPERS_MACRO = """\
{% macro papers_list(rows) -%}
{% for row in rows %}
- {{ row.date }} · [**{{ row.title }}**]({{ row.url }}){% if row.venue %} *{{ row.venue }}*{% endif %}\\
  {{ row.tags }} · {{ row.authors }}{% if row.code %} · [Code]({{ row.code }}){% endif %}

  <details><summary>Abstract</summary>{{ row.summary }}</details>
{% endfor %}
{%- endmacro %}
{{ papers_list(rows) | trim }}"""


PIECE_TEXT = TEXT.map(lambda text: text.replace("\ud800", ""))  # a row's pieces are encodable: row_size encodes them


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(*[st.one_of(PIECE_TEXT, st.just(""))] * 8).map(lambda fields: render.Row(*fields)),
                max_size=4), PIECE_TEXT)
def test_list_items_rendered_once_equal_the_template_macro(rows, tags):
    expected = render.markdown_environment(render.TEMPLATES).from_string(PAPERS_MACRO).render(rows=rows)
    assert render.papers_list([render.paper_item(row) for row in rows]) == expected
    for row in rows:
        assert render.paper_item(row, tags) == render.paper_item(row._replace(tags=tags))
        assert render.paper_item(row).size == len("".join(row).encode("utf-8")) + render.ROW_OVERHEAD


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(*[st.one_of(PIECE_TEXT, st.just(""))] * 8).map(lambda fields: render.Row(*fields)),
                min_size=1, max_size=6), st.sampled_from([30, 400 * 1024]))
def test_pages_joined_as_bytes_equal_the_pages_as_text(rows, budget):
    items = [render.paper_item(row) for row in rows]
    papers = [object()] * len(items)  # month_plan counts them only
    if budget < 400 * 1024:  # several pages, each item on one
        items = [item._replace(size=budget) for item in items]
    encoded: dict[int, bytes] = {}
    plan = render.month_plan("2025-05", papers, {"jailbreak": 2}, items)
    pages = {name: render.framed("month.md.j2", page_items, encoded, **values) for name, page_items, values in plan}
    as_text = render.month_pages("2025-05", papers, {"jailbreak": 2}, items)
    assert {name: page.data for name, page in pages.items()} == {name: text.encode("utf-8") for name, text in as_text.items()}
    for name, page_items, _ in plan:  # the span recorded for a later re-framing is exactly the page's list
        assert pages[name].data[pages[name].start:pages[name].end] == render.papers_list(page_items).encode("utf-8")


def test_a_page_that_cannot_be_encoded_is_refused_naming_it(tmp_path):
    from scripts.errors import ListError
    from scripts.render import build
    from scripts.store.files import stage_changed
    paper = Paper(id="2505.11494", version=1, title="T", authors=("A B",), published="2025-05-16T17:59:46Z",
                  updated="2025-05-16T17:59:46Z", summary="S", tags=("jailbreak",), code_urls=("https://x.org/\ud800",))
    outputs, records = build.month_outputs(tmp_path, "2025-05", [paper], {"jailbreak": 1})
    assert records == {}  # a page that cannot be written is not recorded
    with pytest.raises(ListError, match=re.escape(f"{tmp_path / '2025-05.md'}: cannot write U+D800 (character ")):
        stage_changed(outputs)
    assert list(tmp_path.iterdir()) == []


def month_papers(titles: list[str], names: list[tuple[str, ...]], ids: list[str]) -> list[Paper]:
    """Return papers of one month with the given titles, authors and IDs (abstracts taken from the titles)."""
    return [Paper(id=identifier, version=1, title=title, authors=authors, published="2025-05-01T00:00:00Z",
                  updated="2025-05-01T00:00:00Z", summary=title * 3, categories=("cs.CL",) if number % 2 else (),
                  venue="IEEE S&P 2026" if number % 3 == 0 else "", tags=("jailbreak",) if number % 2 else ())
            for number, (title, authors, identifier) in enumerate(zip(titles, names, ids, strict=False))]


SOME_IDS = ["2505.11494", "2505.0001", "hep-th/9901001", "2505.11495", "2505.11496", "2505.1v2", "2505.11497"]
IDS = st.lists(st.sampled_from(SOME_IDS),
               min_size=6, max_size=6, unique=True) | st.just([f"2505.{number:05d}" for number in range(6)])


@settings(max_examples=300, deadline=None)
@given(MONTH_TEXTS, st.lists(NAMES, min_size=6, max_size=6), IDS)
def test_rows_and_bibtex_of_a_month_at_once_equal_them_paper_by_paper(titles, names, ids):
    papers = month_papers(titles, names, ids)
    assert render.paper_rows(papers) == [render.paper_row(paper) for paper in papers]
    try:
        expected = "\n".join(bibtex.render_entry(paper) for paper in papers)
    except ArchiveError as error:
        with pytest.raises(ArchiveError, match=re.escape(str(error))):
            bibtex.render_bibtex(papers)
    else:
        assert bibtex.render_bibtex(papers) == expected


def test_the_bibtex_month_shortcut_is_taken_for_usual_months_only():
    usual = month_papers(["Safety of reasoning"] * 3, [("Ada Lovelace",), (), ("Alan Turing", "Grace Hopper")],
                         ["2505.00001", "2505.00002", "2505.00003"])
    assert bibtex.usual_month(usual)
    assert not bibtex.usual_month([*usual[:2], usual[2].with_changes(id="hep-th/9901001")])
    assert not bibtex.usual_month([*usual[:2], usual[2].with_changes(title="50% of {it}")])
    assert not bibtex.usual_month([*usual[:2], usual[2].with_changes(authors=("Smith, John",))])


LISTED = ("id", "version", "title", "authors", "published", "summary", "categories", "tags", "venue", "code_urls", "url",
          "sort_key")


@pytest.mark.parametrize("change", [{}, {"url": "https://evil.example/"}, {"note": "a key the archive never writes"},
                                    {"score": True}, {"published": "2025-06-01T00:00:00Z"}])
def test_records_read_to_render_are_what_read_month_reads(tmp_path, change):
    path = tmp_path / "2025-05.json"
    records = [STORED, {**STORED, "id": "2505.11495", "title": "[a] `b` | c", "authors": ["Łukasz Kaiser"],
                        "code_urls": ["https://github.com/a/b"], **change}]
    path.write_text(json.dumps({"papers": records, "schema": 1}), encoding="utf-8")
    try:
        papers = list(read_month(path).values())
    except ArchiveError as error:
        with pytest.raises(ArchiveError, match=re.escape(str(error))):
            read_records(path, path.read_bytes())
        return
    decoded = read_records(path, path.read_bytes())
    assert [[getattr(record, name) for name in LISTED] for record in decoded] == \
        [[getattr(paper, name) for name in LISTED] for paper in papers]  # the URL made from the ID, never the stored one
    assert render.month_items(list(decoded)) == render.month_items(papers)
    assert bibtex.render_bibtex(list(decoded)) == bibtex.render_bibtex(papers)


def test_a_record_repeated_in_a_month_file_is_read_to_render_once_as_read_month_keeps_it(tmp_path):
    path = tmp_path / "2025-05.json"
    second = {**STORED, "id": "2505.11495"}
    path.write_text(dump_json({"papers": [STORED, second, {**STORED, "title": "T again"}], "schema": 1}), encoding="utf-8")
    decoded = read_records(path, path.read_bytes())
    assert [(record.id, record.title) for record in decoded] == [(paper.id, paper.title) for paper in read_month(path).values()]
    assert [record.title for record in decoded] == ["T again", "T"]


def test_a_month_file_as_the_archive_writes_it_loads_as_record_by_record(tmp_path):
    path = tmp_path / "2025-05.json"
    records = [STORED, {**STORED, "id": "2505.11495", "score": 1, "authors": ["Łukasz Kaiser", "A B"]}]
    path.write_text(dump_json({"papers": records, "schema": 1}), encoding="utf-8")
    loaded = read_month(path)
    expected = {record["id"]: Paper.from_dict(dict(record)) for record in records}
    assert loaded == expected
    assert [paper.__dict__ for paper in loaded.values()] == [paper.__dict__ for paper in expected.values()]
    assert type(loaded["2505.11495"].score) is int  # written back as 1, not 1.0


@pytest.mark.parametrize("change", [{"note": "kept"}, {"version": True}, {"score": True}, {"authors": ["A", 3]}])
def test_a_month_file_not_as_the_archive_writes_it_takes_the_general_path(tmp_path, change):
    path = tmp_path / "2025-05.json"
    path.write_text(json.dumps({"papers": [{**STORED, **change}], "schema": 1}), encoding="utf-8")
    try:
        expected = {paper.id: paper for paper in [Paper.from_dict({**STORED, **change})]}
        problem = record_problem({**STORED, **change}, "2025-05")
    except TypeError:
        expected, problem = {}, "unhashable"
    if problem:
        with pytest.raises(ArchiveError):
            read_month(path)
    else:
        loaded = read_month(path)
        assert loaded == expected and loaded["2505.11494"].extra == expected["2505.11494"].extra


def written(outputs: dict[Path, str | bytes | None]) -> dict[Path, bytes]:
    """Write a month's outputs (bytes or text) where they belong; return the pages among them by path."""
    pages = {}
    for path, data in outputs.items():
        if data is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
            if path.suffix == ".md":
                pages[path] = path.read_bytes()
    return pages


@settings(max_examples=150, deadline=None)
@given(MONTH_TEXTS.filter(lambda titles: titles and not any("\ud800" in title for title in titles)),
       st.lists(NAMES.filter(lambda names: not any("\ud800" in name for name in names)), min_size=6, max_size=6),
       st.sampled_from([60, 400 * 1024]))
def test_pages_framed_anew_around_their_lists_equal_the_pages_rendered_in_full(titles, names, budget):
    import tempfile

    from scripts.render import build, domains, reframe
    from scripts.store.archive import month_summary
    from tests.taxonomy import taxonomy

    domain_list = taxonomy({"jailbreak": [], "misuse": []})
    papers = [paper.with_changes(tags=("misuse", "jailbreak") if number % 3 else paper.tags)
              for number, paper in enumerate(month_papers(titles, names, [f"2505.{n:05d}" for n in range(6)]))]
    summary = month_summary(papers)
    with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as patch:
        articles, templates = Path(folder) / "articles", Path(folder) / "templates"
        chunk_items = render.chunk_items
        patch.setattr(render, "chunk_items", lambda items, _budget=0: chunk_items(items, budget))
        patch.setattr(domains, "chunk_items", lambda items, _budget=0: chunk_items(items, budget))
        outputs, records = build.month_outputs(articles, "2025-05", papers, summary["tags"], domain_list, [])
        written(outputs)
        # templates whose frames hold text of every width in UTF-8, before and after each list
        for path in (build.listing.TEMPLATES).glob("*.j2"):
            templates.mkdir(exist_ok=True)
            (templates / path.name).write_text("Über {{ month }} ✓ 𝔘\n" + path.read_text(encoding="utf-8") + "\n— fin\n",
                                               encoding="utf-8")
        patch.setattr(render, "environment", lambda: render.markdown_environment(templates))
        on_disk = build.pages_on_disk(articles)["2025-05"]
        framed = reframe.reframed(articles, "2025-05", domain_list, on_disk, records, summary)
        expected, expected_records = build.month_outputs(articles, "2025-05", papers, summary["tags"], domain_list, [])
        assert framed is not None
        assert set(framed.staged) == set(on_disk)  # every frame changed: each list moved to follow a longer head
        with Staging() as staging:  # written in place around the lists on disk
            staging.add(framed.staged)
            staging.commit()
        assert {path: path.read_bytes() for path in on_disk} == {path: data for path, data in expected.items()
                                                                 if path.suffix == ".md"}
    assert framed.records == expected_records


def reference_chunks(sizes: list[int], budget: int) -> list[list[int]]:
    """Pages by definition: one item at a time, a new page when the next item would pass the budget."""
    pages: list[list[int]] = [[]]
    used = 0
    for size in sizes:
        if pages[-1] and used + size > budget:
            pages.append([])
            used = 0
        pages[-1].append(size)
        used += size
    return pages


@given(st.lists(st.integers(min_value=0, max_value=50), max_size=60), st.integers(min_value=0, max_value=120))
def test_pages_are_split_as_one_item_at_a_time_would_split_them(sizes: list[int], budget: int) -> None:
    items = [render.Item(f"- {number}\n", size) for number, size in enumerate(sizes)]
    pages = render.chunk_items(items, budget)
    assert [[item.size for item in page] for page in pages] == reference_chunks(sizes, budget)
    assert [item for page in pages for item in page] == items


# Words joined by single spaces, long enough to be cut short: months whose every title and abstract is plain take
# the column-by-column path.
PLAIN_TEXT = st.lists(st.sampled_from(["Safety", "of", "reasoning", "x" * 90, "a.b"]), min_size=1, max_size=12).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(PLAIN_TEXT, max_size=6) | MONTH_TEXTS, st.lists(NAMES, min_size=6, max_size=6), IDS)
def test_list_items_of_a_month_at_once_equal_them_paper_by_paper(titles, names, ids):
    papers = month_papers(titles, names, ids)
    assert render.month_items(papers) == render.row_items(papers, [render.paper_row(paper) for paper in papers])
