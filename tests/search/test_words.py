"""The words each worker holds in memory find exactly what the text index finds, rank it by BM25 as SQLite's FTS5
ranks it, and follow every change to the words."""

import math

import numpy as np
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marketplace.catalog.services import products as product_services
from marketplace.core.timeutil import local_today
from marketplace.extensions import db
from marketplace.search.models import SearchEntry
from marketplace.search.services import columns as columns_module
from marketplace.search.services.backends import backend_for
from marketplace.search.services.columns import Counted, facet_columns
from marketplace.search.services.query import SearchRequest
from marketplace.search.services.words import BM25_B, BM25_K1, NAME_WEIGHT, split_words
from tests.factories import create_cooperative, create_product, owner_of


def backend():
    return backend_for(db.engine.dialect.name)


def ranked_in_memory(words: list[str]) -> dict[int, float]:
    db.session.rollback()  # a fresh snapshot: what was committed
    counted = facet_columns().count(db.session, backend(), SearchRequest(q=" ".join(words)), local_today(), words)
    assert counted.ranks is not None
    return dict(zip(counted.passing.tolist(), counted.ranks.tolist(), strict=True))


def found_by_the_text_index(words: list[str]) -> set[int]:
    return set(db.session.scalars(sa.select(SearchEntry.product_id).where(backend().condition(words))))


def bm25_by_the_book(words: list[str]) -> dict[int, float]:
    """BM25 as FTS5 documents it, written out plainly over every entry's words as the text index holds them."""
    product_ids = list(db.session.scalars(sa.select(SearchEntry.product_id)))
    documents = {product_id: (split_words(name), split_words(rest))
                 for product_id, name, rest in backend().word_rows(db.session.connection(), product_ids)}
    rows = len(documents)
    average_length = sum(len(name) + len(rest) for name, rest in documents.values()) / rows

    def frequency(word: str, name: list[str], rest: list[str]) -> float:
        return (NAME_WEIGHT * sum(held.startswith(word) for held in name)
                + sum(held.startswith(word) for held in rest))

    holding = {word: sum(1 for name, rest in documents.values() if frequency(word, name, rest)) for word in words}
    ranks = {}
    for product_id, (name, rest) in documents.items():
        if not all(frequency(word, name, rest) for word in words):
            continue
        score = 0.0
        for word in words:
            idf = max(math.log((rows - holding[word] + 0.5) / (holding[word] + 0.5)), 1e-6)
            found = frequency(word, name, rest)
            score += idf * found * (BM25_K1 + 1) / (
                found + BM25_K1 * (1 - BM25_B + BM25_B * (len(name) + len(rest)) / average_length))
        ranks[product_id] = -score
    return ranks


@pytest.fixture
def worded_catalogue(app):
    """Names and descriptions sharing words, repeating them, with accents, digits and words of one letter."""
    weavers = create_cooperative(name="Koperasi Tenun Sukowati")
    grocers = create_cooperative(name="Koperasi Kopi Gayo")
    for index, (name, description) in enumerate([
            ("Kain batik tulis", "Batik tulis halus, batik asli Sragen"),
            ("Batik cap 2024", "Kain katun, motif parang"),
            ("Kain tenun ikat", "Tenun ikat dari Sumba, kain tebal"),
            ("Kopi Gayo arabika", "Biji kopi sangrai dari Café Takengon"),
            ("Kopi robusta", "Kopi bubuk, cocok dengan kue batik"),
            ("Madu hutan", "Madu murni, tanpa campuran"),
            ("Tas anyaman", "Tas dari pandan, motif batik"),
            ("Keripik tempe", "Renyah, kemasan 250 g"),
    ]):
        create_product(weavers if index % 2 == 0 else grocers, name=name, description=description, tiers=[])
    db.session.commit()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(words=st.lists(st.sampled_from(["batik", "bat", "b", "kain", "ka", "kopi", "tenun", "sukowati", "cafe",
                                       "2024", "g", "madu", "motif", "tidakada"]), min_size=1, max_size=3))
def test_memory_finds_what_the_text_index_finds_and_ranks_it_by_bm25(worded_catalogue, words):
    in_memory = ranked_in_memory(words)
    assert set(in_memory) == found_by_the_text_index(words)
    assert in_memory == pytest.approx(bm25_by_the_book(words), rel=1e-9)


@pytest.mark.parametrize("words", [["batik"], ["kain", "batik"], ["k"], ["kopi", "gayo"], ["tenun"]])
def test_on_sqlite_the_ranks_are_those_of_fts5_itself(worded_catalogue, words):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's own ranking is ts_rank; memory ranks by BM25 on both databases")
    ranked = backend().ranked(words, None, []).subquery()
    by_fts5 = dict(db.session.execute(sa.select(ranked.c.product_id, ranked.c.rank)).all())
    assert ranked_in_memory(words) == pytest.approx(by_fts5, rel=1e-9)


def test_changed_words_are_found_at_once_and_other_changes_leave_the_words_alone(app):
    cooperative = create_cooperative()
    renamed = create_product(cooperative, name="Batik tulis", description="Kain halus", base_price=90_000, tiers=[])
    create_product(cooperative, name="Kain tenun", description="Batik dan tenun", tiers=[])
    assert set(ranked_in_memory(["batik"])) == {renamed.id, renamed.id + 1}
    words = facet_columns().words
    details = product_services.ProductDetails.of(renamed)
    details.base_price = 95_000
    product_services.update_product(owner_of(cooperative), renamed, details)
    db.session.commit()
    assert ranked_in_memory(["batik"]) == pytest.approx(bm25_by_the_book(["batik"]))
    assert words.overlaid_documents == 0  # a price: the same words
    details.name, details.description = "Songket Palembang", "Songket benang emas"
    product_services.update_product(owner_of(cooperative), renamed, details)
    db.session.commit()
    assert set(ranked_in_memory(["batik"])) == {renamed.id + 1}
    assert ranked_in_memory(["songket"]) == pytest.approx(bm25_by_the_book(["songket"]))
    assert ranked_in_memory(["kain"]) == pytest.approx(bm25_by_the_book(["kain"]))  # the lengths followed too
    assert words.overlaid_documents == 1
    added = create_product(cooperative, name="Songket Silungkang", tiers=[])
    assert set(ranked_in_memory(["song"])) == {renamed.id, added.id}
    assert ranked_in_memory(["song"]) == pytest.approx(bm25_by_the_book(["song"]))


def test_past_enough_changed_words_everything_is_loaded_again(app, monkeypatch):
    monkeypatch.setattr(columns_module, "MOST_DOCUMENTS_OVERLAID", 1)
    cooperative = create_cooperative()
    products = [create_product(cooperative, name=f"Batik {index}", tiers=[]) for index in range(3)]
    assert len(ranked_in_memory(["batik"])) == 3
    for product in products[:2]:
        details = product_services.ProductDetails.of(product)
        details.name = f"Lurik {product.id}"
        product_services.update_product(owner_of(cooperative), product, details)
    db.session.commit()
    assert set(ranked_in_memory(["lurik"])) == {products[0].id, products[1].id}
    assert facet_columns().words.overlaid_documents == 0  # two overlaid were too many: loaded afresh
    assert ranked_in_memory(["batik"]) == pytest.approx(bm25_by_the_book(["batik"]))


@given(products=st.lists(st.tuples(st.integers(1, 10**6), st.sampled_from([-3.5, -2.0, -1.25, 0.0])),
                         unique_by=lambda product: product[0], max_size=60),
       candidates=st.integers(1, 40), offset=st.integers(0, 70), count=st.integers(1, 30))
def test_a_page_by_relevance_ranks_the_newest_and_then_follows_newest_first(products, candidates, offset, count):
    passing = Counted(total=len(products), counters={},
                      passing=np.array([product_id for product_id, _rank in products], dtype=np.int64),
                      prices=np.zeros(len(products), dtype=np.int64),
                      ranks=np.array([rank for _product_id, rank in products], dtype=np.float64))
    rank_of = dict(products)
    newest_first = sorted(rank_of, reverse=True)
    in_order = sorted(newest_first[:candidates], key=lambda product_id: (rank_of[product_id], product_id)) + \
        newest_first[candidates:]
    assert passing.by_relevance(offset, count, candidates) == in_order[offset:offset + count]
