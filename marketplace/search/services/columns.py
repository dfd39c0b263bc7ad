"""The search entries' facet columns, held in each worker's memory as arrays, so a search counts its total and
every facet over its matching products without reading those products' rows again.

Counting in the database read every matching row (a broad word matches 10–20% of the catalogue) and grouped
them: two thirds of an uncached search. Here the matching products come from the words held beside the columns
(`words.WordIndex`, which also ranks them), and each facet is one vectorised count over an array.

The columns and words are never stale: before every count they apply what the index recorded since they last looked
(`SearchChange`, written by the indexer in the same transaction as the entries). They are not a cache but a
replica of the index, so they count what the database would.
"""

import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from marketplace.catalog.models import Availability, CertificationKind
from marketplace.search.models import SearchChange, SearchEntry
from marketplace.search.services.words import MOST_DOCUMENTS_OVERLAID, WordIndex

# Changes are kept this long (`flask prune-search-changes`); columns that have not looked for half of it load
# everything again rather than trust that nothing they needed was pruned.
CHANGES_KEPT = timedelta(days=1)
# Past this many changed products at once, loading everything again is as quick as applying them one by one.
MOST_CHANGES_APPLIED = 20_000
WRITTEN_IN_THIS_TRANSACTION = "search_index_written"
# The certificates' dates are read as the database gives them (text on SQLite, dates on PostgreSQL) and turned
# into day numbers by numpy in one go: turning 400,000 of them into `date` objects first was half a full load.
_LOADED = (SearchEntry.product_id, SearchEntry.category_id, SearchEntry.parent_category_id,
           SearchEntry.province_code, SearchEntry.regency_code, SearchEntry.cooperative_type,
           SearchEntry.availability, SearchEntry.in_stock, SearchEntry.is_pesantren, SearchEntry.opop_participant,
           SearchEntry.local_content, SearchEntry.base_price,
           *(sa.type_coerce(getattr(SearchEntry, f"{kind.value}_until"), sa.String).label(kind.value)
             for kind in CertificationKind))
CERTIFICATES = tuple(kind.value for kind in CertificationKind)  # in `_LOADED`'s order
FLAGS = {"kopontren": "is_pesantren", "opop": "opop_participant", "local": "local_content"}
CODED = ("province_code", "regency_code", "cooperative_type", "availability")  # text kept as small numbers
_COLUMN_TYPES = {"product_id": np.int64, "category_id": np.int32, "parent_category_id": np.int32,
                 "province_code": np.int32, "regency_code": np.int32, "cooperative_type": np.int32,
                 "availability": np.int32, "in_stock": np.bool_, "is_pesantren": np.bool_, "opop_participant": np.bool_,
                 "local_content": np.bool_, "base_price": np.int64, "halal": np.int64, "pirt": np.int64,
                 "bpom_md": np.int64, "sni": np.int64}
# A certificate column holds the day it is valid until, in days since 1970; none is numpy's "not a time", the
# smallest number there is, so it is before every day.


@dataclass
class Counted:
    total: int
    counters: dict[str, Counter]  # facet → {value: count}, as `query._count` gives them
    passing: np.ndarray  # the ids of the products passing the words and every filter, in no order
    prices: np.ndarray  # their base prices, in the same order
    ranks: np.ndarray | None = None  # their BM25 for the words (lower first), in the same order; None without words

    def newest(self, offset: int, count: int) -> list[int]:
        """The passing ids from `offset` on, newest (highest id) first: only those up to the last one asked
        for are sorted."""
        wanted = min(offset + count, len(self.passing))
        if not wanted:
            return []
        top = np.partition(self.passing, len(self.passing) - wanted)[len(self.passing) - wanted:]
        return np.sort(top)[::-1][offset:offset + count].tolist()

    def by_relevance(self, offset: int, count: int, candidates: int) -> list[int]:
        """The passing ids from `offset` on by rank (then by id, as the database orders them), among the newest
        `candidates` of them; past those, the rest follow newest first (`query.RANK_CANDIDATES`)."""
        if offset >= candidates or self.ranks is None:
            return self.newest(offset, count)
        wanted = min(candidates, len(self.passing))
        if not wanted:
            return []
        newest = np.argpartition(self.passing, len(self.passing) - wanted)[len(self.passing) - wanted:]
        order = np.lexsort((self.passing[newest], self.ranks[newest]))
        ranked = self.passing[newest[order[offset:offset + count]]].tolist()
        return ranked + self.newest(candidates, offset + count - candidates) if offset + count > candidates \
            else ranked

    def by_price(self, offset: int, count: int, descending: bool) -> list[int]:
        """The passing ids from `offset` on, by price (then by id, as the database orders them)."""
        order = np.lexsort((self.passing, -self.prices if descending else self.prices))
        return self.passing[order[offset:offset + count]].tolist()


class FacetColumns:
    """One worker's copy of the entries' facet columns. Rows are slots; a product keeps its slot while it stays
    searchable, a removed product's slot is only marked empty, and a full load packs them again."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loaded = False
        self._mark: int = 0
        self._looked_at = 0.0

    # Reading and keeping up to date

    def _empty(self, capacity: int) -> None:
        self.columns = {name: np.zeros(capacity, dtype=kind) for name, kind in _COLUMN_TYPES.items()}
        self.present = np.zeros(capacity, dtype=np.bool_)
        self.slot_of = np.full(1024, -1, dtype=np.int32)  # by product id
        self.used = 0
        self.codes: dict[str, dict[str, int]] = {name: {} for name in CODED}
        self.values: dict[str, list[str]] = {name: [""] for name in CODED}  # code 0 is "none"
        self.words = WordIndex()

    def _code(self, column: str, value: str | None) -> int:
        if value is None:
            return 0
        known = self.codes[column]
        if value not in known:
            known[value] = len(self.values[column])
            self.values[column].append(value)
        return known[value]

    def _store(self, rows: Sequence) -> None:
        """Write these entries (rows of `_LOADED`) into their products' slots, a column at a time."""
        if not rows:
            return
        ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
        if ids.max() >= len(self.slot_of):
            grown = np.full(max(int(ids.max()) + 1, 2 * len(self.slot_of)), -1, dtype=np.int32)
            grown[:len(self.slot_of)] = self.slot_of
            self.slot_of = grown
        slots = self.slot_of[ids]
        new = slots < 0
        added = int(np.count_nonzero(new))
        if self.used + added > len(self.present):
            capacity = max(self.used + added, 2 * len(self.present))
            self.present = np.concatenate([self.present, np.zeros(capacity - len(self.present), dtype=np.bool_)])
            for name, column in self.columns.items():
                self.columns[name] = np.concatenate([column, np.zeros(capacity - len(column), dtype=column.dtype)])
        slots[new] = np.arange(self.used, self.used + added)
        self.slot_of[ids[new]] = slots[new]
        self.used += added
        self.present[slots] = True
        (_ids, category_ids, parent_ids, provinces, regencies, cooperative_types, availabilities, in_stock,
         is_pesantren, opop, local, prices, *certificates) = zip(*rows, strict=True)
        columns = self.columns
        columns["product_id"][slots] = ids
        columns["category_id"][slots] = category_ids
        columns["parent_category_id"][slots] = [parent_id or 0 for parent_id in parent_ids]
        for name, values in (("province_code", provinces), ("regency_code", regencies),
                             ("cooperative_type", cooperative_types), ("availability", availabilities)):
            columns[name][slots] = [self._code(name, value) for value in values]
        for name, values in (("in_stock", in_stock), ("is_pesantren", is_pesantren), ("opop_participant", opop),
                             ("local_content", local), ("base_price", prices)):
            columns[name][slots] = values
        for name, dates in zip(CERTIFICATES, certificates, strict=True):
            columns[name][slots] = np.array(dates, dtype="datetime64[D]").astype(np.int64)

    def _load_everything(self, session: Session, backend) -> None:
        mark = backend.change_mark(session.connection())  # before reading: what comes later is read again
        self._loaded = False  # until the last row is in: a load that fails half way is started again
        self._empty(1024)
        # Streamed a batch at a time, so loading 100,000 entries holds no more than 5,000 of them as objects.
        result = session.connection().execute(sa.select(*_LOADED).order_by(SearchEntry.product_id)
                                              .execution_options(yield_per=5000))
        for rows in result.partitions():
            self._store(rows)
        self.words.load(backend.word_postings(session.connection()), self.slot_of, len(self.present))
        self._mark, self._loaded = mark, True

    def _slots_of_products(self, rows: Sequence) -> np.ndarray:
        """The slots of the products whose ids begin these rows (all stored already)."""
        return self.slot_of[np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))]

    def _apply(self, session: Session, backend, product_ids: set[int]) -> None:
        ids = sorted(product_ids)
        found = set()
        for start in range(0, len(ids), 1000):
            rows = session.connection().execute(sa.select(*_LOADED)
                                                .where(SearchEntry.product_id.in_(ids[start:start + 1000])))
            batch = rows.all()
            found.update(row[0] for row in batch)
            self._store(batch)
            texts = backend.word_rows(session.connection(), ids[start:start + 1000])
            self.words.replace(self._slots_of_products(texts), texts)
        for product_id in product_ids - found:
            if product_id < len(self.slot_of) and self.slot_of[product_id] >= 0:
                self.present[self.slot_of[product_id]] = False

    def _bring_up_to_date(self, session: Session, backend) -> None:
        now = time.monotonic()
        if not self._loaded or now - self._looked_at > CHANGES_KEPT.total_seconds() / 2:
            self._load_everything(session, backend)
        else:
            mark, changed = backend.changes_since(session.connection(), self._mark)
            if None in changed or len(changed) > MOST_CHANGES_APPLIED:
                self._load_everything(session, backend)
            else:
                self._apply(session, backend, changed)
                self._mark = mark
                if self.words.overlaid_documents > MOST_DOCUMENTS_OVERLAID:
                    self._load_everything(session, backend)
        self._looked_at = now

    # Counting

    def products_by_parent_category(self, session: Session, backend) -> dict[int | None, int]:
        """How many searchable products each top-level category holds (None: those filed at the top level)."""
        with self._lock:
            self._bring_up_to_date(session, backend)
            tally = np.bincount(self.columns["parent_category_id"][:self.used][self.present[:self.used]])
        return {int(value) or None: int(tally[value]) for value in np.nonzero(tally)[0]}

    def count(self, session: Session, backend, request, today: date, words: list[str],
              matching: np.ndarray | None = None) -> Counted:
        """The total and every facet's counts of `request` (a `query.SearchRequest`): a facet ignores its own
        filter, so a chosen province still shows the others. The products counted are those holding the words
        (then ranked for them too), or those of `matching` when given (names close to a misspelt word)."""
        with self._lock:
            self._bring_up_to_date(session, backend)
            present = self.present[:self.used]
            frequencies: list[np.ndarray] = []
            if matching is not None:
                matched = self.slot_of[matching[matching < len(self.slot_of)]]
                matched = matched[matched >= 0]
            elif words:
                holding = present.copy()
                for word in words:
                    frequencies.append(self.words.frequencies(word, self.used))
                    holding &= frequencies[-1] > 0
                matched = np.flatnonzero(holding)
            else:
                matched = None
            counted, passing_slots = self._count(request, today, matched)
            if frequencies:
                counted.ranks = self.words.ranks(frequencies, passing_slots, present)
            return counted

    def _count(self, request, today: date, matched: np.ndarray | None) -> tuple[Counted, np.ndarray]:
        """What `count` gives, for the products in the `matched` slots (all when None), and the passing slots."""
        columns, used = self.columns, self.used
        day = _day_number(today)
        # When the words match a small part of the catalogue (a broad word: a tenth), only their slots are read,
        # each column gathered once; otherwise whole columns, the words as one more condition.
        slots = None
        rows = self.present[:used].copy()
        if matched is not None:
            if 4 * len(matched) < used:
                slots = matched[rows[matched]]
                rows = np.ones(len(slots), dtype=np.bool_)
            else:
                words_hold = np.zeros(used, dtype=np.bool_)
                words_hold[matched] = True
                rows &= words_hold
        gathered: dict[str, np.ndarray] = {}

        def column(name: str) -> np.ndarray:
            if name not in gathered:
                gathered[name] = columns[name][:used] if slots is None else columns[name][slots]
            return gathered[name]

        for name, flag_column in FLAGS.items():
            if getattr(request, name):
                rows &= column(flag_column)
        for certificate in request.certificates:
            rows &= column(certificate) >= day
        if request.min_price is not None:
            rows &= column("base_price") >= request.min_price
        if request.max_price is not None:
            rows &= column("base_price") <= request.max_price

        facet_filters: dict[str, np.ndarray] = {}
        if request.category:
            facet_filters["category"] = ((column("category_id") == request.category)
                                         | (column("parent_category_id") == request.category))
        for facet, attribute, coded in (("province", "province", "province_code"),
                                        ("regency", "regency", "regency_code"),
                                        ("type", "cooperative_type", "cooperative_type")):
            value = getattr(request, attribute)
            if value:
                facet_filters[facet] = column(coded) == self.codes[coded].get(value, -1)
        if request.availability:
            available = column("availability") == self.codes["availability"].get(request.availability, -1)
            if request.availability == Availability.READY_STOCK.value:
                available &= column("in_stock")
            facet_filters["availability"] = available

        def passing(skip: str | None) -> np.ndarray:
            selected = rows.copy()
            for name, condition in facet_filters.items():
                if name != skip:
                    selected &= condition
            return selected

        everything = passing(None)
        counters: dict[str, Counter] = {}
        for facet, coded in (("category", "parent_category_id"), ("province", "province_code"),
                             ("type", "cooperative_type"), ("availability", "availability"),
                             ("regency", "regency_code")):
            if facet == "regency" and not (request.province or request.regency):
                counters[facet] = Counter()
                continue
            selected = passing(facet) if facet in facet_filters else everything
            tally = np.bincount(column(coded)[selected])
            present = np.nonzero(tally)[0]
            # In the order of the values, as the database groups them, so equal counts keep one order everywhere.
            counted: dict
            if coded == "parent_category_id":
                counted = {int(value) or None: int(tally[value]) for value in present}
            else:
                names = self.values[coded]
                counted = {names[value] or None: int(tally[value]) for value in present}
            counters[facet] = Counter(dict(sorted(counted.items(), key=lambda item: (item[0] is None, item[0]))))
        for certificate in CERTIFICATES:
            counters[certificate] = Counter({True: int(np.count_nonzero(column(certificate)[everything] >= day))})
        for flag, flag_column in FLAGS.items():
            counters[flag] = Counter({True: int(np.count_nonzero(column(flag_column)[everything]))})
        return (Counted(total=int(np.count_nonzero(everything)), counters=counters,
                        passing=column("product_id")[everything], prices=column("base_price")[everything]),
                np.flatnonzero(everything) if slots is None else slots[everything])


def _day_number(day: date) -> int:
    return int(np.datetime64(day, "D").astype(np.int64))


def facet_columns_in_use(session: Session) -> bool:
    """Whether the worker's columns may answer: they are turned on, and this transaction has not written the index
    itself (the columns only ever hold what is committed; such a transaction is counted by the database)."""
    return bool(current_app.config["SEARCH_FACET_COLUMNS"]) and not session.info.get(WRITTEN_IN_THIS_TRANSACTION)


def facet_columns() -> FacetColumns:
    """This application's columns in this worker (each worker process keeps its own)."""
    columns = current_app.extensions.get("search_facet_columns")
    if columns is None:
        columns = current_app.extensions.setdefault("search_facet_columns", FacetColumns())
    return columns


def forget_facet_columns(app) -> None:
    """Drop a worker's columns, to load afresh on the next search (after the tables were emptied behind the
    index's back, as the tests do)."""
    app.extensions.pop("search_facet_columns", None)


def record_changes(session: Session, backend, product_ids: Sequence[int | None], now: datetime) -> None:
    """Note these products' entries as changed (None: the whole index), in the writing transaction."""
    connection = session.connection()
    transaction_id = backend.transaction_id(connection)
    connection.execute(sa.insert(SearchChange), [{"product_id": product_id, "transaction_id": transaction_id,
                                                  "changed_at": now} for product_id in product_ids])
    session.info[WRITTEN_IN_THIS_TRANSACTION] = True
