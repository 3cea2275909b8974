"""BibTeX entries: stable keys, and every entry parses (bibtexparser, pybtex, and BibTeX itself when installed)."""

import re
import shutil
import subprocess

import bibtexparser
import pybtex.database
import pytest
from bibtexparser.bparser import BibTexParser
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scripts.errors import ArchiveError
from scripts.paper import Paper
from scripts.render.bibtex import citation_key, render_bibtex

KEY = re.compile(r"^[a-z0-9]+-[A-Za-z0-9.-]+$")
# The inverse of the escaping, written independently of scripts/bibtex.py.
LATEX_TO_TEXT = {
    r"\textbackslash{}": "\\",
    r"\textbraceleft{}": "{",
    r"\textbraceright{}": "}",
    r"\textasciitilde{}": "~",
    r"\textasciicircum{}": "^",
}


def make_paper(**changes) -> Paper:
    """Return a plain paper, with the given fields changed."""
    paper = Paper(
        id="2505.11494",
        version=2,
        title="The Hidden Risks of Large Reasoning Models",
        authors=("Kaiwen Zhou", "Chengzhi Liu", "Xin Eric Wang"),
        published="2025-05-16T17:59:46Z",
        updated="2025-06-02T08:00:00Z",
        summary="An abstract.",
        categories=("cs.CL", "cs.AI"),
        venue="ICLR 2026",
    )
    return paper.with_changes(**changes)


def parse_entries(text: str) -> list[dict]:
    """Parse with bibtexparser, which silently drops entries it cannot read."""
    return bibtexparser.loads(text, parser=BibTexParser(common_strings=False)).entries


def decode(value: str) -> str:
    """Undo the LaTeX escaping of a parsed field value."""
    return re.sub(r"\\text[a-z]+\{\}|\\[%&#_$]", lambda match: LATEX_TO_TEXT.get(match[0], match[0][1:]), value)


def expected_text(text: str) -> str:
    """What a field should read after escaping and decoding: line breaks as spaces, control characters gone."""
    text = re.sub("[\t\n\r\x0b\x0c\x85\u2028\u2029]", " ", text)
    return " ".join(re.sub("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]", "", text).split())


def test_plain_entry_fields_round_trip():
    [entry] = parse_entries(render_bibtex([make_paper()]))
    assert entry["ENTRYTYPE"] == "misc"
    assert entry["ID"] == "zhou2025hidden-2505.11494"
    assert entry["title"] == "{The Hidden Risks of Large Reasoning Models}"
    assert entry["author"] == "Kaiwen Zhou and Chengzhi Liu and Xin Eric Wang"
    assert (entry["year"], entry["eprint"], entry["archiveprefix"]) == ("2025", "2505.11494", "arXiv")
    assert (entry["primaryclass"], entry["note"]) == ("cs.CL", "ICLR 2026")
    assert entry["url"] == "https://arxiv.org/abs/2505.11494"


def test_optional_fields_are_left_out_when_empty():
    [entry] = parse_entries(render_bibtex([make_paper(authors=(), categories=(), venue="")]))
    assert not {"author", "primaryclass", "note"} & entry.keys()
    assert entry["ID"] == "anon2025hidden-2505.11494"


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"authors": ("Łukasz Kaiser",), "title": "On the Safety of o1"}, "kaiser2025safety-2505.11494"),
        ({"authors": ("José Álvarez-Núñez",), "title": "¿Qué? Jailbreaks"}, "alvareznunez2025que-2505.11494"),
        ({"authors": ("Martin Luther King Jr.",), "title": "A: B"}, "king2025b-2505.11494"),
        ({"authors": ("张伟",), "title": "安全"}, "anon2025-2505.11494"),
        ({"id": "hep-th/9901001", "title": "$\\alpha$-Safety"}, "zhou2025alpha-hep-th-9901001"),
    ],
)
def test_citation_keys_are_ascii_and_readable(changes, key):
    assert citation_key(make_paper(**changes)) == key
    assert KEY.match(key)


def test_keys_do_not_depend_on_other_papers():
    twin = make_paper(id="2505.20000")
    alone = render_bibtex([make_paper()])
    together = render_bibtex([twin, make_paper()])
    assert alone in together
    assert [entry["ID"] for entry in parse_entries(together)] == ["zhou2025hidden-2505.20000", "zhou2025hidden-2505.11494"]


def test_same_papers_give_the_same_bytes():
    papers = [make_paper(), make_paper(id="2505.20000", title="Another One")]
    assert render_bibtex(papers) == render_bibtex(list(papers))
    assert render_bibtex([]) == ""


def test_repeated_ids_and_bad_records_raise_archive_errors():
    with pytest.raises(ArchiveError, match=re.escape("2505.11494 is listed twice")):
        render_bibtex([make_paper(), make_paper(title="Other")])
    with pytest.raises(ArchiveError, match=re.escape("'id' is '2505.11494v2'")):
        render_bibtex([make_paper(id="2505.11494v2")])
    with pytest.raises(ArchiveError, match="'published' is 'May 2025'"):
        render_bibtex([make_paper(published="May 2025")])


def test_names_bibtex_would_split_or_reorder_stay_whole():
    authors = ("Research and Safety Team", "Smith, Jr., John", "others", "Ann Lee")
    text = render_bibtex([make_paper(authors=authors)])
    persons = pybtex.database.parse_string(text, "bibtex").entries["team2025hidden-2505.11494"].persons["author"]
    assert len(persons) == 4
    assert str(persons[3]) == "Lee, Ann"


PIECES = [
    *"{}{{}}\\%&#_$~^@\",=|<>\x00\x01\x1b\x7f\x85\u2028\ud800\ufffe",
    " and ", " AND ", ",", "others", "\\textbf{", "$\\alpha$", "}}}", "{{{", "\n", "\r\n", "\t", "%\n", "@misc{x,",
]
HOSTILE = st.lists(st.one_of(st.sampled_from(PIECES), st.characters(), st.text(max_size=6)), max_size=16).map("".join)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(titles=st.lists(HOSTILE, min_size=1, max_size=3), authors=st.lists(HOSTILE, max_size=4), venue=HOSTILE)
def test_hostile_titles_and_authors_parse_and_round_trip(titles, authors, venue):
    papers = [
        make_paper(id=f"2505.{number:05d}", title=title, authors=tuple(authors), venue=venue)
        for number, title in enumerate(titles)
    ]
    text = render_bibtex(papers)
    text.encode("utf-8")
    entries = parse_entries(text)
    assert [entry["ID"] for entry in entries] == [citation_key(paper) for paper in papers]
    names = [expected_text(name) for name in authors if expected_text(name)]
    strict = pybtex.database.parse_string(text, "bibtex")
    for paper, entry in zip(papers, entries, strict=True):
        assert KEY.match(entry["ID"])
        assert decode(entry["title"][1:-1]) == expected_text(paper.title)
        assert decode(entry.get("note", "")) == expected_text(venue)
        parsed_names = [name[1:-1] if name.startswith("{") else name for name in split_names(entry.get("author", ""))]
        assert [decode(name) for name in parsed_names] == names
        assert len(strict.entries[entry["ID"]].persons.get("author", [])) == len(names)


def split_names(field: str) -> list[str]:
    """Split an author field on " and " at brace depth 0, as BibTeX does."""
    names, depth, start = [], 0, 0
    for position, character in enumerate(field):
        depth += {"{": 1, "}": -1}.get(character, 0)
        if depth == 0 and field[position : position + 5].lower() == " and ":
            names.append(field[start:position])
            start = position + 5
    return [*names, field[start:]] if field else []


# A BibTeX style of our own that prints each entry's key, title, author count and names, one per line.
CHECK_BST = """
ENTRY { title author year note } {} {}
INTEGERS { i n }
FUNCTION {not} { { #0 } { #1 } if$ }
FUNCTION {misc}
{ "KEY " cite$ * write$ newline$
  "TITLE " title * write$ newline$
  author empty$ { #0 'n := } { author num.names$ 'n := } if$
  "AUTHORS " n int.to.str$ * write$ newline$
  #1 'i :=
  { i n > not } { "NAME " author i "{ff }{vv }{ll}{, jj}" format.name$ * write$ newline$ i #1 + 'i := } while$
}
FUNCTION {default.type} { misc }
READ
ITERATE {call.type$}
"""


@pytest.mark.skipif(shutil.which("bibtex") is None, reason="BibTeX is not installed (apt-get install texlive-binaries; .ci/run does it)")
def test_bibtex_itself_reads_every_entry_without_errors(tmp_path):
    papers = [
        make_paper(),
        make_paper(id="2505.00001", title="Unbalanced { brace, 100% & $x_1$ \\cmd # ~^ Ünïcødé", authors=("Ann Lee",)),
        make_paper(id="2505.00002", title="}} closing first {{", authors=("R and D Team", "Smith, Jr., John")),
    ]
    (tmp_path / "refs.bib").write_text(render_bibtex(papers), encoding="utf-8")
    (tmp_path / "check.bst").write_text(CHECK_BST, encoding="utf-8")
    (tmp_path / "main.aux").write_text("\\citation{*}\n\\bibstyle{check}\n\\bibdata{refs}\n", encoding="utf-8")
    env = {"PATH": "/usr/bin:/bin", "BSTINPUTS": str(tmp_path), "BIBINPUTS": str(tmp_path)}
    run = subprocess.run(["bibtex", "main"], cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout
    output = " ".join((tmp_path / "main.bbl").read_text(encoding="utf-8").split())
    assert output.count("KEY ") == 3
    assert "AUTHORS 3" in output and output.count("AUTHORS 1") == 1 and "AUTHORS 2" in output
    assert "NAME {R and D Team} NAME {Smith, Jr., John}" in output
    assert "TITLE {Unbalanced \\textbraceleft{} brace, 100\\% \\& \\$x\\_1\\$" in output
