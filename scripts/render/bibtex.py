"""BibTeX @misc entries for archived arXiv papers, with keys that never change between runs."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from ..errors import ArchiveError
from ..paper import Listed, split_version
from .markdown import contains_any, is_plain, joined_if_plain, printable_ascii

# LaTeX replacements that keep every brace balanced, so BibTeX's brace counting never sees a stray { or }.
LATEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "_": r"\_",
    "$": r"\$",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
SPECIAL = re.compile("|".join(re.escape(character) for character in LATEX_SPECIALS))
# Control characters, surrogates and non-characters: never wanted in a .bib file (surrogates cannot even be written).
UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
LINE_BREAKS = re.compile("[\t\n\r\x0b\x0c\x85\u2028\u2029]")
# Letters NFKD does not reduce to ASCII.
ASCII_LETTERS = str.maketrans(
    {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
)
NOT_ALNUM = re.compile(r"[^a-z0-9]")
TITLE_WORD = re.compile(r"[^\s\-:/]+")  # words split at spaces, hyphens, colons and slashes
KEY_UNSAFE = re.compile(r"[^A-Za-z0-9.-]")
NEW_STYLE_IDS = re.compile(r"[0-9]{4}\.[0-9]{5}(?:\n[0-9]{4}\.[0-9]{5})*")  # one a line, key-safe, valid since 2015 (shorter IDs: the slow path)
SPLITTING_WORD = re.compile(r"(?:^|\s)(?:and|others)(?:\s|$)", re.IGNORECASE)
SPECIAL_CHARACTERS = "".join(LATEX_SPECIALS)
NAME_SUFFIXES = frozenset(("jr", "sr", "ii", "iii", "iv"))
STOP_WORDS = frozenset(
    "a an the on of in for to and or with without towards toward via is are be do does can when what why how "
    "your my our we not from by at as into".split()
)


def ascii_fold(text: str) -> str:
    """Return the lowercase ASCII letters and digits of text, accents removed (Łukasz -> lukasz)."""
    if text.isascii():
        if text.isalnum():
            return text.lower()  # an ordinary ASCII word: nothing to remove
        return NOT_ALNUM.sub("", text.lower())  # NFKD cannot change ASCII
    decomposed = unicodedata.normalize("NFKD", text.lower().translate(ASCII_LETTERS))
    return NOT_ALNUM.sub("", decomposed.encode("ascii", "ignore").decode("ascii"))


def first_author_surname(authors: tuple[str, ...]) -> str:
    """Return the folded surname of the first author (last name word, skipping Jr., III...), or "anon"."""
    for word in reversed(authors[0].replace(",", " ").split() if authors else []):
        folded = ascii_fold(word)
        if folded and folded not in NAME_SUFFIXES:
            return folded
    return "anon"


def first_title_word(title: str) -> str:
    """Return the folded first title word that is not a stop word, at most 20 characters; "" when none."""
    for match in TITLE_WORD.finditer(title):  # lazily: the first word is usually the one
        folded = ascii_fold(match[0])
        if folded and folded not in STOP_WORDS:
            return folded[:20]
    return ""


def citation_key(paper: Listed) -> str:
    """Return surname + year + title word + arXiv ID, e.g. "lovelace2025reasoning-2505.11494": unique and stable."""
    identifier = KEY_UNSAFE.sub("-", paper.id)
    return f"{first_author_surname(paper.authors)}{paper_year(paper)}{first_title_word(paper.title)}-{identifier}"


def paper_year(paper: Listed) -> str:
    """Return the year of first submission, or raise ArchiveError when `published` does not start with one."""
    published = paper.published or ""
    if not (published[:4].isdecimal() and published[4:5] == "-"):
        raise ArchiveError(
            f"bibtex: paper {paper.id} key 'published' is {paper.published!r}, not a time like 2025-05-16T17:59:46Z; "
            "fix that record in articles/data/ or re-fetch the paper"
        )
    return paper.published[:4]


def bib_text(text: str) -> str:
    """Return text for a braced BibTeX field: one line, printable, LaTeX specials escaped, braces balanced."""
    if is_plain(text) and not contains_any(text, SPECIAL_CHARACTERS):
        return text  # nothing to change (the usual case)
    printable = " ".join(UNPRINTABLE.sub("", LINE_BREAKS.sub(" ", text)).split())
    return SPECIAL.sub(lambda match: LATEX_SPECIALS[match[0]], printable)


def braced_name(escaped: str) -> str:
    """Brace an escaped author name when BibTeX would split or reorder it."""
    if "," in escaped or SPLITTING_WORD.search(escaped):
        return f"{{{escaped}}}"
    return escaped


def names_unchanged(authors: Sequence[str]) -> bool:
    """True when no name is empty and bib_text and braced_name would leave every name as it is (the usual case)."""
    return joined_names_unchanged(" | ".join(authors))


def joined_names_unchanged(joined: str) -> bool:
    """names_unchanged of the names joined by " | " (one scan of all names instead of one a name)."""
    spaced = " " + joined + " "
    if not printable_ascii(spaced) or "  " in spaced or contains_any(spaced, SPECIAL_CHARACTERS + ","):
        return False  # a non-ASCII or control character, a double or edge space, an empty name, a special or a comma
    lowered = spaced.lower()
    return " and " not in lowered and " others " not in lowered


def author_field(authors: tuple[str, ...]) -> str:
    """Return the escaped authors joined by "and" (empty names dropped), each braced where BibTeX would split it."""
    if names_unchanged(authors):
        return " and ".join(authors)
    return " and ".join(braced_name(escaped) for escaped in map(bib_text, authors) if escaped)


def checked_id(paper: Listed) -> str:
    """Return the paper's versionless arXiv ID, or raise ArchiveError when it is not one."""
    try:
        versionless = split_version(paper.id)[0] == paper.id
    except ValueError:
        versionless = False
    if not versionless:
        raise ArchiveError(
            f"bibtex: paper key 'id' is {paper.id!r}, not a versionless arXiv ID like 2505.11494; "
            "fix that record in articles/data/"
        )
    return paper.id


def render_entry(paper: Listed) -> str:
    """Return one @misc entry: title, authors, year, arXiv eprint, primary class, URL and venue note."""
    arxiv_id = checked_id(paper)
    lines = [f"@misc{{{citation_key(paper)}", f"  title = {{{{{bib_text(paper.title)}}}}}"]
    authors = author_field(paper.authors)
    if authors:
        lines.append(f"  author = {{{authors}}}")
    lines += (f"  year = {{{paper_year(paper)}}}", f"  eprint = {{{arxiv_id}}}", "  archivePrefix = {arXiv}")
    if paper.categories:
        lines.append(f"  primaryClass = {{{bib_text(paper.categories[0])}}}")
    lines.append(f"  url = {{{paper.url}}}")
    venue = bib_text(paper.venue) if paper.venue else ""
    if venue:
        lines.append(f"  note = {{{venue}}}")
    return ",\n".join(lines) + "\n}\n"


def render_bibtex(papers: Sequence[Listed]) -> str:
    """Return a .bib file with one @misc entry per paper, in the order given; raise ArchiveError on a repeated ID."""
    if len({paper.id for paper in papers}) < len(papers):
        seen: set[str] = set()
        for paper in papers:
            if paper.id in seen:
                raise ArchiveError(f"bibtex: paper {paper.id} is listed twice; keep one record per ID in articles/data/")
            seen.add(paper.id)
    if not usual_month(papers):
        return "\n".join(render_entry(paper) for paper in papers)
    return "\n".join(map(usual_entry, papers))


def usual_month(papers: Sequence[Listed]) -> bool:
    """True when every paper has a new-style ID, and title, first category and authors that bib_text and author_field
    leave as they are (the usual case), checked in one scan of all the month's IDs, and one of the texts."""
    if not NEW_STYLE_IDS.fullmatch("\n".join([paper.id for paper in papers])):
        return False
    texts = [paper.title for paper in papers] + [paper.categories[0] for paper in papers if paper.categories]
    joined = joined_if_plain(texts)
    return (joined is not None and not contains_any(joined, SPECIAL_CHARACTERS)
            and joined_names_unchanged(" | ".join([" | ".join(paper.authors) for paper in papers if paper.authors])))


def usual_entry(paper: Listed) -> str:
    """Return render_entry(paper) for a paper of a month usual_month accepted: only its venue may need escaping."""
    published, authors, categories = paper.published, paper.authors, paper.categories
    year = published[:4]
    if not (year.isdecimal() and published[4:5] == "-"):
        year = paper_year(paper)  # raises
    author = f"  author = {{{' and '.join(authors)}}},\n" if authors else ""
    primary = f"  primaryClass = {{{categories[0]}}},\n" if categories else ""
    venue = bib_text(paper.venue) if paper.venue else ""
    note = f",\n  note = {{{venue}}}" if venue else ""
    return (f"@misc{{{usual_surname(authors)}{year}{usual_title_word(paper.title)}-{paper.id},\n"
            f"  title = {{{{{paper.title}}}}},\n{author}  year = {{{year}}},\n  eprint = {{{paper.id}}},\n"
            f"  archivePrefix = {{arXiv}},\n{primary}  url = {{{paper.url}}}{note}\n}}\n")


def usual_surname(authors: tuple[str, ...]) -> str:
    """Return first_author_surname(authors) for names usual_month accepted (printable ASCII, no comma)."""
    last = authors[0].rpartition(" ")[2] if authors else ""
    if last.isalnum() and (folded := last.lower()) not in NAME_SUFFIXES:
        return folded  # an ASCII word, the last of the name: what ascii_fold keeps of it
    return first_author_surname(authors)


def usual_title_word(title: str) -> str:
    """Return first_title_word(title) for a title usual_month accepted (printable ASCII, single spaces)."""
    first = title.partition(" ")[0]
    if first.isalnum() and (folded := first.lower()) not in STOP_WORDS:
        return folded[:20]  # the first word, with no hyphen, colon or slash to split it further
    return first_title_word(title)
