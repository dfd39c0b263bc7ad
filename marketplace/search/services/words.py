"""The searchable products' words, held in each worker's memory beside the facet columns (`columns.FacetColumns`),
so a search finds and ranks the products holding its words without reading the text index again.

Reading a broad word's matches from the database and ranking the newest of them cost a tenth of the catalogue's
rows twice (PostgreSQL read every matching row's word vector from the table: 4 + 6 ms for `batik` at 100,000
products). Here the words are an inverted index in arrays: the distinct words sorted, and for each word the slots
of the products holding it. A word typed is a prefix of the words it finds, as in both text indexes, so it is one
range of the sorted words and one slice of the postings.

The ranking is BM25 as SQLite's FTS5 computes it (`bm25(product_search_fts, 10.0, 1.0)`: k1 1.2, b 0.75, a word
in the name weighing ten times one elsewhere), on both databases: on SQLite the order is the one the text index
gives, on PostgreSQL it replaces `ts_rank`, which knows neither how rare a word is nor how long a description.

The words come from the text index itself (`backend.word_postings` for a full load, `backend.word_rows` for the
products changed since), so they are split exactly as it split them. They are kept up to date with the facet
columns, from the same log of changes, under the same lock: a product whose words changed is kept in a small
overlay until the next full load; one whose words did not (a price, a stock level, a certificate) costs nothing
here.
"""

from bisect import bisect_left, insort
from collections.abc import Iterable, Sequence
from math import log

import numpy as np

NAME_WEIGHT = 10.0  # a word in the name counts ten times one in the rest, as the text indexes weigh them
BM25_K1, BM25_B = 1.2, 0.75  # FTS5's own constants
# Past this many products whose words changed since the last full load, loading everything again keeps the
# overlay (read word by word in Python) from slowing every search.
MOST_DOCUMENTS_OVERLAID = 2000
OCCURRENCES_PARSED_AT_ONCE = 200_000
_AFTER_EVERY_PREFIX = "\U0010ffff"  # the last code point: word + this sorts after every word beginning so


def split_words(text: str | None) -> list[str]:
    """A text index's words as both split them: on spaces and underscores (which `text.normalize` keeps)."""
    return (text or "").replace("_", " ").split()


class WordIndex:
    """Postings by slot (the facet columns' row of a product). A slot's words are in the postings (`_terms`,
    `_starts`, `_slots`, `_in_name`) as last fully loaded, or, once they changed, in the overlay."""

    def __init__(self) -> None:
        self._terms: list[str] = []  # every distinct word, sorted
        self._starts = np.zeros(1, dtype=np.int64)  # word i's postings are [_starts[i], _starts[i + 1])
        self._slots = np.zeros(0, dtype=np.int32)  # one posting per occurrence, by word
        self._in_name = np.zeros(0, dtype=np.bool_)
        self._lengths = np.zeros(0, dtype=np.int32)  # words in a slot's name and rest together
        self._fingerprints = np.zeros(0, dtype=np.uint64)  # of a slot's words, to see whether they changed
        self._overlaid = np.zeros(0, dtype=np.bool_)  # the slot's words are in the overlay, not the postings
        self._overlay_terms: list[str] = []  # sorted
        self._overlay_postings: dict[str, dict[int, float]] = {}  # word → {slot: weighted occurrences}
        self._overlay_words: dict[int, list[str]] = {}  # slot → its distinct words in the overlay

    @property
    def overlaid_documents(self) -> int:
        return len(self._overlay_words)

    # A full load

    def load(self, batches: Iterable[Sequence], slot_of: np.ndarray, capacity: int) -> None:
        """Hold these words and nothing else: batches of rows (word, occurrences, the occurrences as
        "product id × 2 (+ 1 outside the name),…"), in code point order (`backend.word_postings`), placed in the
        slots `slot_of` gives by product id, all below `capacity`."""
        self._terms, counts, slots, in_name = [], [], [], []
        self._lengths = np.zeros(capacity, dtype=np.int32)
        self._fingerprints = np.zeros(capacity, dtype=np.uint64)
        for rows in batches:
            # A few common words hold most occurrences: a batch is parsed a part of at most about
            # `OCCURRENCES_PARSED_AT_ONCE` occurrences at a time, so a load holds no more than that in temporaries.
            first, held = 0, 0
            for index, row in enumerate(rows):
                held += row[1]
                if held >= OCCURRENCES_PARSED_AT_ONCE or index == len(rows) - 1:
                    part = self._parse(rows[first:index + 1], slot_of)
                    counts.append(part[0])
                    slots.append(part[1])
                    in_name.append(part[2])
                    first, held = index + 1, 0
        self._starts = np.zeros(len(self._terms) + 1, dtype=np.int64)
        np.cumsum(np.concatenate([np.zeros(0, dtype=np.int64), *counts]), out=self._starts[1:])
        self._slots = np.concatenate([np.zeros(0, dtype=np.int32), *slots])
        del slots
        self._in_name = np.concatenate([np.zeros(0, dtype=np.bool_), *in_name])
        self._overlaid = np.zeros(capacity, dtype=np.bool_)
        self._overlay_terms, self._overlay_postings, self._overlay_words = [], {}, {}

    def _parse(self, rows: Sequence, slot_of: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """These words' postings: (occurrences of each word, their slots, whether each is in the name); each
        slot's length and fingerprint take them in."""
        occurrences = np.fromstring(",".join(row[2] for row in rows), dtype=np.int64, sep=",")
        product_ids = occurrences >> 1
        slots = np.full(len(occurrences), -1, dtype=np.int32)
        known = product_ids < len(slot_of)
        slots[known] = slot_of[product_ids[known]]
        kept = slots >= 0  # a product the facet columns do not hold (none, unless the two disagree)
        word_indexes = np.repeat(np.arange(len(rows)), [row[1] for row in rows])[kept]
        slots, in_name = slots[kept], (occurrences[kept] & 1) == 0
        self._terms += [row[0] for row in rows]
        np.add.at(self._lengths, slots, 1)
        word_hashes = np.fromiter((_word_hash(row[0]) for row in rows), dtype=np.uint64, count=len(rows))
        np.add.at(self._fingerprints, slots, _occurrence_hashes(word_hashes[word_indexes], in_name))
        return np.bincount(word_indexes, minlength=len(rows)), slots, in_name

    # Keeping up

    def replace(self, slots: np.ndarray, rows: Sequence) -> None:
        """These slots' documents as they are now, rows of (product id, name words, other words): those whose
        words changed move to the overlay."""
        if not len(rows):
            return
        if int(slots.max()) >= len(self._lengths):
            capacity = max(int(slots.max()) + 1, 2 * len(self._lengths))
            self._lengths = _grown(self._lengths, capacity)
            self._fingerprints = _grown(self._fingerprints, capacity)
            self._overlaid = _grown(self._overlaid, capacity)
        for slot, (_product_id, name, rest) in zip(slots.tolist(), rows, strict=True):
            name_words, rest_words = split_words(name), split_words(rest)
            fingerprint = _fingerprint(name_words, rest_words)
            if int(self._fingerprints[slot]) == fingerprint:
                continue  # the same words (a price, a stock level changed): what is held stays true
            self._forget_overlay(slot)
            weights: dict[str, float] = {}
            for word in name_words:
                weights[word] = weights.get(word, 0.0) + NAME_WEIGHT
            for word in rest_words:
                weights[word] = weights.get(word, 0.0) + 1.0
            for word, weight in weights.items():
                postings = self._overlay_postings.get(word)
                if postings is None:
                    postings = self._overlay_postings[word] = {}
                    insort(self._overlay_terms, word)
                postings[slot] = weight
            self._overlay_words[slot] = list(weights)
            self._overlaid[slot] = True
            self._fingerprints[slot] = fingerprint
            self._lengths[slot] = len(name_words) + len(rest_words)

    def _forget_overlay(self, slot: int) -> None:
        for word in self._overlay_words.pop(slot, []):
            postings = self._overlay_postings[word]
            del postings[slot]
            if not postings:
                del self._overlay_postings[word]
                del self._overlay_terms[bisect_left(self._overlay_terms, word)]

    # Searching

    def frequencies(self, word: str, used: int) -> np.ndarray:
        """For every slot, how often it holds a word beginning with `word`, a name's occurrence counting
        `NAME_WEIGHT` times (FTS5's weighted phrase frequency)."""
        first, last = bisect_left(self._terms, word), bisect_left(self._terms, word + _AFTER_EVERY_PREFIX)
        start, end = int(self._starts[first]), int(self._starts[last])
        weights = np.where(self._in_name[start:end], NAME_WEIGHT, 1.0)
        counts = np.bincount(self._slots[start:end], weights=weights, minlength=used)[:used]
        counts[self._overlaid[:used]] = 0.0  # those slots' postings are out of date: the overlay says
        first = bisect_left(self._overlay_terms, word)
        last = bisect_left(self._overlay_terms, word + _AFTER_EVERY_PREFIX)
        for term in self._overlay_terms[first:last]:
            for slot, weight in self._overlay_postings[term].items():
                counts[slot] += weight
        return counts

    def ranks(self, frequencies: Iterable[np.ndarray], slots: np.ndarray, present: np.ndarray) -> np.ndarray:
        """BM25 of `slots`, negated (lower first, as the databases order ranks), for the words whose
        `frequencies` are given; `present` marks the searchable slots (the rows of the text index)."""
        rows = int(np.count_nonzero(present))
        if not rows:
            return np.zeros(len(slots), dtype=np.float64)
        average_length = float(self._lengths[:len(present)][present].sum()) / rows
        normalised = BM25_K1 * (1 - BM25_B + BM25_B * self._lengths[slots] / average_length)
        score = np.zeros(len(slots), dtype=np.float64)
        for counts in frequencies:
            holding = int(np.count_nonzero(counts[present]))
            idf = log((rows - holding + 0.5) / (holding + 0.5))
            if idf <= 0.0:
                idf = 1e-6  # as FTS5: a word in most rows still counts a little
            found = counts[slots]
            score += idf * (found * (BM25_K1 + 1.0)) / (found + normalised)
        return -score


# A slot's fingerprint is the sum of its occurrences' hashes (so their order does not matter), each the word's
# hash, marked when in the name, times an odd number to spread it; all modulo 2⁶⁴, alike in numpy and Python.
_IN_NAME_MARK = 0x9E3779B97F4A7C15
_SPREAD = 0xBF58476D1CE4E5B9
_MASK = 2**64 - 1


def _word_hash(word: str) -> int:
    return hash(word) & _MASK


def _occurrence_hashes(word_hashes: np.ndarray, in_name: np.ndarray) -> np.ndarray:
    marked = word_hashes ^ (in_name.astype(np.uint64) * np.uint64(_IN_NAME_MARK))
    return marked * np.uint64(_SPREAD)  # wraps around modulo 2⁶⁴, as intended


def _fingerprint(name_words: list[str], rest_words: list[str]) -> int:
    total = sum(((_word_hash(word) ^ _IN_NAME_MARK) * _SPREAD) & _MASK for word in name_words)
    total += sum((_word_hash(word) * _SPREAD) & _MASK for word in rest_words)
    return total & _MASK


def _grown(array: np.ndarray, capacity: int) -> np.ndarray:
    grown = np.zeros(capacity, dtype=array.dtype)
    grown[:len(array)] = array
    return grown
