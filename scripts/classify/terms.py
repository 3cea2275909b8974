"""Whole-word term matching: count, for each label, the occurrences of its terms in a text."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Set
from dataclasses import dataclass

# A word is a run of letters or digits: hyphens, spaces and punctuation between words are all equivalent.
WORD = re.compile(r"[^\W_]+")
# For ASCII text (nearly all abstracts) the same split, faster: every character but a-z and 0-9 becomes a space.
ASCII_SEPARATORS = str.maketrans({code: " " for code in range(128) if not (chr(code).islower() or chr(code).isdigit())})
# What a term may contain: words joined by spaces, hyphens or punctuation, and an optional `*` ending the last word.
TERM = re.compile(r"^[^\W_]+(?:[\s\-./'’]+[^\W_]+)*\*?$")


@dataclass(frozen=True)
class Term:
    """One term: its lowercased words, and whether the last word may have any ending."""

    words: tuple[str, ...]
    prefix: bool

    @property
    def needle(self) -> str:
        """The term as it appears in a joined text (words separated by two spaces, see `joined`)."""
        return " " + "  ".join(self.words) + ("" if self.prefix else " ")


def words_of(text: str) -> list[str]:
    """Return the lowercased words of a text."""
    lowered = text.lower()
    return lowered.translate(ASCII_SEPARATORS).split() if lowered.isascii() else WORD.findall(lowered)


def joined(words: list[str]) -> str:
    """Join words with two spaces and pad with one, so adjacent occurrences of a needle do not share a space."""
    return " " + "  ".join(words) + " "


def parse_term(term: str) -> Term | None:
    """Return the Term a config string describes, or None when it is not a valid term."""
    if not isinstance(term, str) or not TERM.match(term.strip()):
        return None
    return Term(words=tuple(words_of(term)), prefix=term.strip().endswith("*"))


class TermMatcher:
    """Counts, for each label, the occurrences of its terms in a list of words.

    One-word terms are looked up per distinct word. A phrase is searched for (str.count on the joined words) only
    when its first word occurs and its second word occurs too (or, for an open second word, a word it begins).
    What each distinct word matches is worked out once and remembered.
    """

    def __init__(self, terms: list[tuple[Term, str]]):
        self.exact: dict[str, list[str]] = {}
        self.prefixes: dict[str, list[tuple[str, str]]] = {}
        self.phrases: dict[str, dict[str, list[tuple[str, str]]]] = {}
        self.phrase_stems: dict[str, set[str]] = {}
        for term, label in terms:
            first = term.words[0]
            if len(term.words) > 1:
                second = term.words[1]
                self.phrases.setdefault(first, {}).setdefault(second, []).append((term.needle, label))
                if term.prefix and len(term.words) == 2:
                    self.phrase_stems.setdefault(second[:2], set()).add(second)
            elif term.prefix:
                self.prefixes.setdefault(first[:2], []).append((first, label))
            else:
                self.exact.setdefault(first, []).append(label)
        self.seconds = {first: frozenset(by_second) for first, by_second in self.phrases.items()}
        self.seen: set[str] = set()
        self.single: dict[str, list[str]] = {}
        self.stems_of: dict[str, set[str]] = {}

    def learn(self, word: str) -> None:
        """Record the one-word-term labels and the open phrase endings that `word` matches."""
        self.seen.add(word)
        heads = (word[:2], word[:1]) if len(word) > 1 else (word,)
        labels = self.exact.get(word, []) + [label for head in heads for stem, label in self.prefixes.get(head, ())
                                             if word.startswith(stem)]
        if labels:
            self.single[word] = labels
        stems = {stem for head in heads for stem in self.phrase_stems.get(head, ()) if word.startswith(stem)}
        if stems:
            self.stems_of[word] = stems

    def count(self, words: list[str]) -> dict[str, int]:
        """Return label -> number of occurrences of the label's terms in `words`."""
        frequency = Counter(words)
        present = frequency.keys()
        if not self.seen.issuperset(present):  # walks the few words here, not the whole vocabulary
            for word in set(present).difference(self.seen):
                self.learn(word)
        counts: dict[str, int] = {}
        for word in present & self.single.keys():
            for label in self.single[word]:
                counts[label] = counts.get(label, 0) + frequency[word]
        firsts = present & self.phrases.keys()
        if firsts:
            self.count_phrases(words, present, firsts, counts)
        return counts

    def count_phrases(self, words: list[str], present: Set[str], firsts: set[str], counts: dict[str, int]) -> None:
        """Add to `counts` the occurrences of phrases whose first word is in `firsts` and whose second may be present."""
        stems = set().union(*(self.stems_of[word] for word in present & self.stems_of.keys()))
        text = None
        for first in firsts:
            candidates = self.seconds[first]
            for second in (present & candidates) | (stems & candidates):
                for needle, label in self.phrases[first][second]:
                    text = text or joined(words)
                    hits = text.count(needle)
                    if hits:
                        counts[label] = counts.get(label, 0) + hits
