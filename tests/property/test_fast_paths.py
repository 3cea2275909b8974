"""The renderer's and the archive's shortcuts for the usual case give exactly what the plain, one-step-at-a-time definitions give.

Each shortcut (a cell cleaned only as far as it is shown, authors escaped at once, author names checked in one scan,
a stored record loaded without the dataclass __init__, indented JSON written by msgspec instead of json)
is compared with the obvious definition on hostile text.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scripts.paper import Paper
from scripts.render import bibtex
from scripts.render import listing as render
from scripts.render.markdown import ESCAPES, plain, shorten
from scripts.store.archive import dump_json, read_json, record_problem

# Characters that exercise every branch: spaces and breaks to collapse, specials to escape, invisible characters,
# commas and the words BibTeX splits names on.
PIECES = [" ", "  ", "\n", "\t", "\u2028", "\u200b", "\x00", "\ud800", "a", "Z", "é", "|", "\\", "$", "*", "_", "`",
          "[", "]", "~", "&", "<", ">", "{", "}", "%", "#", "^", ",", ".", ";", ":", "-", "and", "AND", "others",
          "Jr.", "Ada", "Lovelace", "x" * 70]
TEXT = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)
# Mostly clean names, so the shortcut (not only the fallback) is taken often.
CLEAN = st.lists(st.sampled_from(["Ada", "Lovelace", " ", "-", ".", "and", "Others", "|", "x" * 50]), max_size=6).map("".join)
NAMES = st.tuples(*[st.one_of(CLEAN, TEXT)] * 2) | st.lists(st.one_of(CLEAN, CLEAN, TEXT), max_size=6).map(tuple)


def reference_cell(text: str, limit: int = 0) -> str:
    """A cell by definition: clean the whole text, cut it, escape it."""
    cleaned = plain(text)
    return (shorten(cleaned, limit) if limit else cleaned).translate(ESCAPES)


@settings(max_examples=400, deadline=None)
@given(TEXT, st.sampled_from([0, 3, 20, 60, 120, 240]))
def test_cell_equals_its_definition(text, limit):
    assert render.cell(text, limit) == reference_cell(text, limit)


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
