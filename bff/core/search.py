"""Finding a life event by the words residents use: names, colloquial words, pinyin.

The index is built once when the catalog is loaded (:func:`build_index`); a query is ranked
against it by :func:`rank`, a pure function with no IO. What a bundle is found by, strongest first:

- its name (身后一件事, After a death);
- its ``search_terms`` from the catalog: synonyms and everyday words (身后事, 丧葬, 生孩子, pension);
- the name of its life-cycle category (身后, Retirement);
- the names of its items (死亡医学证明, Driving licence cancellation);
- its summary.

Chinese words match as they are written and by their pinyin: the full spelling from any syllable
on ("shenhoushi", "houshi") and the initials ("shs"), in any case; pinyin typed with spaces
("shen hou shi") is tried as one word first. A query is split on spaces and punctuation and every
word must match; only when no bundle matches them all, the bundles matching some of them are
given (a pasted "出生、退休、身后事" still finds all three). A word may also be a whole sentence that
contains a Chinese term ("我家老人去世了" finds 去世). A bundle's score is the sum over the query's
words of its best match, weighted by where the match was and how close it was.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from pypinyin import lazy_pinyin

from bff.core.errors import ValidationFailed
from bff.core.text import Text

# Where a word was found: a bundle's own name outweighs a word in one of its items.
NAME, TERM, CATEGORY, ITEM, SUMMARY = 10.0, 8.0, 5.0, 4.0, 2.0
# How it matched: the whole term, its start, inside it, pinyin, or the term inside a longer query.
EXACT, PREFIX, INSIDE, PINYIN, INITIALS, CONTAINED = 1.0, 0.8, 0.6, 0.7, 0.5, 0.5
MAX_QUERY_LENGTH = 100
MAX_WORDS = 8
MIN_LETTERS = 2  # one Latin letter would match half the catalog (inside words, as a pinyin start)
MIN_CONTAINED = 2  # a one-character term inside a sentence ("事") says nothing

TOO_LONG = Text(f"搜索词请不要超过 {MAX_QUERY_LENGTH} 个字。",
                f"Please use at most {MAX_QUERY_LENGTH} characters to search.")

_SPLIT = re.compile(r"[\s,，、;；。.!！?？/|+]+")
_CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class Term:
    """One searchable text of a bundle, prepared for matching."""

    text: str  # normalised: NFKC, lower case
    weight: float
    spellings: tuple[str, ...] = ()  # full pinyin from each syllable on: shenhoushi, houshi, shi
    initials: tuple[str, ...] = ()  # initials from each syllable on: shs, hs


@dataclass(frozen=True)
class Entry:
    code: str
    terms: tuple[Term, ...]


@dataclass(frozen=True)
class SearchIndex:
    entries: tuple[Entry, ...] = ()


@dataclass(frozen=True)
class Hit:
    code: str
    score: float


def normalise(text: str) -> str:
    """Full-width letters to half-width, lower case, no surrounding space."""
    return unicodedata.normalize("NFKC", text).strip().lower()


def check_query(query: str) -> str:
    """The query as given, or a field-level error on ``q`` when it is too long to be a search."""
    if len(query) > MAX_QUERY_LENGTH:
        raise ValidationFailed(TOO_LONG, errors={"q": [TOO_LONG]}, code="query_too_long")
    return query


def query_words(query: str) -> list[str]:
    """The words of a query, normalised, at most :data:`MAX_WORDS`."""
    return [word for word in _SPLIT.split(normalise(query)) if word][:MAX_WORDS]


def make_term(text: str, weight: float) -> Term:
    text = normalise(text)
    if not _CJK.search(text):
        return Term(text, weight)
    syllables = [s for s in lazy_pinyin(text, errors="ignore") if s.isascii() and s.isalpha()]
    spellings = tuple("".join(syllables[i:]) for i in range(len(syllables)))
    initials = tuple("".join(s[0] for s in syllables[i:]) for i in range(len(syllables)))
    return Term(text, weight, spellings, initials)


def build_entry(code: str, texts: Iterable[tuple[str, float]]) -> Entry:
    """A bundle's terms; the same text twice keeps its stronger place."""
    best: dict[str, float] = {}
    for text, weight in texts:
        key = normalise(text)
        if key and weight > best.get(key, 0.0):
            best[key] = weight
    return Entry(code, tuple(make_term(text, weight) for text, weight in best.items()))


def build_index(entries: Mapping[str, Iterable[tuple[str, float]]]) -> SearchIndex:
    """The index of every bundle: ``{code: [(text, weight), …]}`` in the catalog's order."""
    return SearchIndex(tuple(build_entry(code, texts) for code, texts in entries.items()))


def match(term: Term, word: str) -> float:
    """How well one query word matches one term (0: not at all), before the term's weight."""
    if word == term.text:
        return EXACT
    if word.isascii() and len(word) < MIN_LETTERS:
        return 0.0
    if term.text.startswith(word):
        return PREFIX
    if word in term.text:
        return INSIDE
    if word.isascii() and word.isalpha():
        if any(spelling.startswith(word) for spelling in term.spellings):
            return PINYIN
        if any(initials.startswith(word) for initials in term.initials):
            return INITIALS
    elif len(term.text) >= MIN_CONTAINED and _CJK.search(term.text) and term.text in word:
        return CONTAINED
    return 0.0


def best_match(entry: Entry, word: str) -> float:
    return max((term.weight * match(term, word) for term in entry.terms), default=0.0)


def score(entry: Entry, words: list[str], *, every: bool = True) -> float:
    """The sum of each word's best match; with ``every``, 0 when any word matches nothing."""
    matches = [best_match(entry, word) for word in words]
    return 0.0 if every and 0.0 in matches else sum(matches)


def rank(index: SearchIndex, query: str) -> list[Hit]:
    """The bundles the query finds, best first; equal scores keep the catalog's order."""
    words = query_words(query)
    if not words:
        return []
    attempts = [(words, True), (words, False)]
    if len(words) > 1 and all(word.isascii() and word.isalpha() for word in words):
        attempts.insert(0, (["".join(words)], True))  # pinyin typed syllable by syllable
    for attempt, every in attempts:
        hits = [Hit(entry.code, value) for entry in index.entries if (value := score(entry, attempt, every=every)) > 0]
        if hits:
            return sorted(hits, key=lambda hit: -hit.score)
    return []
