"""The facet columns each worker keeps in memory count what the database counts, and never fall behind it."""

import threading
from datetime import timedelta

import numpy as np
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from marketplace.catalog.models import Availability, CertificationKind, Product, ProductStatus
from marketplace.catalog.services import products as product_services
from marketplace.cooperatives.models import CooperativeType
from marketplace.core.timeutil import local_today, utcnow
from marketplace.core.unit_of_work import unit_of_work
from marketplace.extensions import db
from marketplace.search.models import SearchChange
from marketplace.search.services.backends import backend_for
from marketplace.search.services.columns import CHANGES_KEPT, Counted, FacetColumns, facet_columns
from marketplace.search.services.indexer import rebuild_index, reindex_products
from marketplace.search.services.query import SearchRequest, _count, search_products
from marketplace.search.services.text import query_words
from tests.factories import category, create_cooperative, create_product, owner_of


def counted_by_database(request: SearchRequest) -> tuple[int, dict]:
    backend = backend_for(db.engine.dialect.name)
    words = query_words(request.q)
    total, counters = _count(request, local_today(), backend.condition(words) if words else None,
                             backend.counts_in_one_pass)
    return total, {name: +counter for name, counter in counters.items()}  # + drops the zero counts


def counted_by_columns(request: SearchRequest, columns: FacetColumns | None = None) -> tuple[int, dict]:
    counted = (columns or facet_columns()).count(db.session, backend_for(db.engine.dialect.name), request,
                                                 local_today(), query_words(request.q))
    return counted.total, {name: +counter for name, counter in counted.counters.items()}


def total_by_columns(**args) -> int:
    db.session.rollback()  # a fresh snapshot: what other sessions committed
    return counted_by_columns(SearchRequest.from_args(MultiDict(args)))[0]


@pytest.fixture
def varied_catalogue(app):
    """Products differing in every way a search filters or counts by."""
    today = local_today()
    places = [create_cooperative(), create_cooperative(province_code="35", regency_code="35.24", is_pesantren=True,
                                                       pesantren_name="PP Sunan Drajat", opop_participant=True),
              create_cooperative(cooperative_type=CooperativeType.CONSUMER, province_code="35", regency_code="35.78")]
    slugs = ["batik", "tenun", "madu", "kopi-dan-teh", "anyaman"]
    for index in range(15):
        certificates = {}
        if index % 3 == 0:
            certificates[CertificationKind.HALAL] = (f"ID{index:08d}", today + timedelta(days=30 * (index - 4)))
        if index % 4 == 1:
            certificates[CertificationKind.PIRT] = (f"P-{index}", None)
        create_product(places[index % 3], name=f"{['Batik', 'Madu', 'Kopi'][index % 3]} dan kain {index}",
                       category_id=category(slugs[index % 5]).id, base_price=20_000 + 15_000 * index, tiers=[],
                       availability=Availability.MADE_TO_ORDER if index % 4 == 0 else Availability.READY_STOCK,
                       lead_time_days=14 if index % 4 == 0 else None, weekly_capacity=40 if index % 4 == 0 else None,
                       min_order_quantity=1 + index % 2, local_content=index % 5 == 2, certifications=certificates)
    db.session.commit()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(words=st.sampled_from(["", "batik", "madu", "dan", "kai", "tidak-ada"]),
       category_slug=st.sampled_from([None, "kain-dan-wastra", "batik", "madu"]),
       province=st.sampled_from([None, "33", "35"]), regency=st.sampled_from([None, "35.24", "33.14", "35.78"]),
       cooperative_type=st.sampled_from([None, "produsen", "konsumen"]),
       availability=st.sampled_from([None, "ready_stock", "made_to_order"]),
       flags=st.lists(st.sampled_from(["kopontren", "opop", "local"]), unique=True),
       certificates=st.lists(st.sampled_from(["halal", "pirt", "sni"]), unique=True),
       min_price=st.sampled_from([None, "50000"]), max_price=st.sampled_from([None, "150000"]))
def test_the_columns_count_what_the_database_counts(varied_catalogue, words, category_slug, province, regency,
                                                    cooperative_type, availability, flags, certificates, min_price,
                                                    max_price):
    args = MultiDict({"q": words, "category": str(category(category_slug).id) if category_slug else "",
                      "province": province or "", "regency": regency or "", "type": cooperative_type or "",
                      "availability": availability or "", "min_price": min_price or "", "max_price": max_price or "",
                      **dict.fromkeys(flags, "1")})
    for certificate in certificates:
        args.add("cert", certificate)
    request = SearchRequest.from_args(args)
    assert counted_by_columns(request) == counted_by_database(request)


def test_a_fresh_worker_loads_the_columns_and_then_reads_only_what_changed(app):
    first, second = create_product(name="Madu hutan", base_price=95_000, tiers=[]), create_product(tiers=[])
    db.session.commit()
    columns = facet_columns()
    assert counted_by_columns(SearchRequest(q="madu"), columns)[0] == 1
    applied = []
    original = columns._apply
    columns._apply = lambda session, backend, product_ids: (applied.append(set(product_ids)),
                                                            original(session, backend, product_ids))
    details = product_services.ProductDetails.of(first)
    details.base_price = 120_000
    product_services.update_product(owner_of(first.cooperative), first, details)
    db.session.commit()
    assert total_by_columns(q="madu", max_price="100000") == 0
    assert applied == [{first.id}]  # one product read again, not the catalogue
    product_services.change_product_status(owner_of(second.cooperative), second, ProductStatus.ARCHIVED)
    db.session.commit()
    assert total_by_columns() == 1
    assert applied[-1] == {second.id} and total_by_columns() == 1 and applied[-1] == set()


def test_columns_that_have_not_looked_for_half_a_day_load_everything_again(app):
    """The log is pruned after a day: columns idle for longer than half of that cannot trust it."""
    create_product(name="Madu hutan", tiers=[])
    db.session.commit()
    columns = facet_columns()
    assert total_by_columns(q="madu") == 1
    loads = []
    original = columns._load_everything
    columns._load_everything = lambda *args: (loads.append(1), original(*args))
    assert total_by_columns(q="madu") == 1 and loads == []
    columns._looked_at -= CHANGES_KEPT.total_seconds() / 2 + 1
    assert total_by_columns(q="madu") == 1 and loads == [1]


def test_what_a_transaction_writes_counts_only_once_it_is_committed(app):
    create_product(name="Kopi Gayo", tiers=[])
    db.session.commit()
    assert total_by_columns(q="kopi") == 1
    draft = create_product(name="Kopi Toraja", tiers=[], status="draft")
    db.session.commit()
    db.session.execute(sa.update(Product).where(Product.id == draft.id).values(status=ProductStatus.ACTIVE))
    reindex_products(db.session, [draft.id])  # written to the index, not yet committed
    result = search_products(SearchRequest(q="kopi"))
    assert result.total == 2  # counted by the database: this transaction sees its own entry
    db.session.rollback()
    # The columns never took in what was rolled back (the words alone would hide it: the text went with it).
    assert total_by_columns() == total_by_columns(q="kopi") == 1


def test_a_rebuilt_index_is_loaded_again_whole(app):
    create_product(name="Tas rotan", tiers=[])
    db.session.commit()
    assert total_by_columns(q="rotan") == 1
    db.session.execute(sa.delete(SearchChange))
    db.session.commit()
    db.session.execute(sa.update(Product).values(name="Tas pandan"))  # behind the indexer's back
    rebuild_index(db.session)
    db.session.commit()
    assert total_by_columns(q="rotan") == 0 and total_by_columns(q="pandan") == 1
    assert db.session.scalars(sa.select(SearchChange.product_id)).all() == [None]  # one mark: load it all


def test_changes_older_than_a_day_are_pruned_from_cron(app):
    old = create_product(tiers=[])
    db.session.commit()
    db.session.execute(sa.update(SearchChange).values(changed_at=utcnow() - timedelta(days=1, minutes=1)))
    recent = create_product(tiers=[])
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["prune-search-changes"])
    assert result.exit_code == 0, result.output
    assert "search index changes forgotten" in result.output
    kept = set(db.session.scalars(sa.select(SearchChange.product_id)))
    assert recent.id in kept and old.id not in kept


def test_a_change_committed_after_a_later_one_is_not_missed(app):
    """On PostgreSQL an earlier transaction can commit after a later one: a reader that had moved past the
    later one's change must still read the earlier one's."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: its changes are committed in the order they are written")
    cheap = [create_product(base_price=10_000, tiers=[]).id for _ in range(2)]
    db.session.commit()
    assert total_by_columns(max_price="50000") == 2
    with Session(db.engine) as slow, Session(db.engine) as quick:
        slow.execute(sa.update(Product).where(Product.id == cheap[0]).values(base_price=90_000))
        reindex_products(slow, [cheap[0]])  # its change has the smaller id, and waits
        quick.execute(sa.update(Product).where(Product.id == cheap[1]).values(base_price=90_000))
        reindex_products(quick, [cheap[1]])
        quick.commit()
        assert total_by_columns(max_price="50000") == 1
        slow.commit()
    assert total_by_columns(max_price="50000") == 0


def test_columns_keep_up_with_many_writers_at_once(app):
    """Real threads, each a request changing prices, while another keeps counting: at the end the columns
    count exactly what the database does."""
    cooperative = create_cooperative()
    product_ids = [create_product(cooperative, base_price=10_000, tiers=[], sku=f"W-{index}").id
                   for index in range(16)]
    db.session.commit()
    owner_id = owner_of(cooperative).id
    errors: list[Exception] = []
    writing = threading.Event()

    def reprice(ids: list[int], price: int) -> None:
        from marketplace.accounts.models import User

        with app.app_context():
            try:
                for product_id in ids:
                    with unit_of_work():
                        product = db.session.get(Product, product_id)
                        details = product_services.ProductDetails.of(product)
                        details.base_price = price
                        product_services.update_product(db.session.get(User, owner_id), product, details)
            except Exception as error:
                errors.append(error)
            finally:
                db.session.remove()

    def keep_counting() -> None:
        with app.app_context():
            try:
                while writing.is_set():
                    search_products(SearchRequest(max_price=50_000))
                    db.session.rollback()
            except Exception as error:
                errors.append(error)
            finally:
                db.session.remove()

    writing.set()
    counter = threading.Thread(target=keep_counting)
    counter.start()
    writers = [threading.Thread(target=reprice, args=(product_ids[index::4], 60_000 + index)) for index in range(4)]
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join()
    writing.clear()
    counter.join()
    assert errors == []
    request = SearchRequest(max_price=50_000)
    db.session.rollback()
    assert counted_by_columns(request) == counted_by_database(request)
    assert counted_by_columns(request)[0] == 0  # every product was repriced above the limit
    assert total_by_columns(min_price="60000") == 16


@given(ids=st.lists(st.integers(1, 10**6), unique=True, max_size=80), offset=st.integers(0, 90),
       count=st.integers(1, 30))
def test_the_newest_passing_ids_are_those_a_full_sort_gives(ids, offset, count):
    passing = Counted(total=len(ids), counters={}, passing=np.array(ids, dtype=np.int64),
                      prices=np.zeros(len(ids), dtype=np.int64))
    assert passing.newest(offset, count) == sorted(ids, reverse=True)[offset:offset + count]


@given(products=st.lists(st.tuples(st.integers(1, 10**6), st.sampled_from([5_000, 10_000, 25_000])),
                         unique_by=lambda product: product[0], max_size=60),
       offset=st.integers(0, 70), count=st.integers(1, 30))
def test_passing_ids_by_price_are_in_the_order_the_database_gives(products, offset, count):
    passing = Counted(total=len(products), counters={},
                      passing=np.array([product_id for product_id, _price in products], dtype=np.int64),
                      prices=np.array([price for _product_id, price in products], dtype=np.int64))
    lowest_first = [product_id for _price, product_id in sorted((price, product_id) for product_id, price in products)]
    highest_first = [product_id for _price, product_id in sorted((-price, product_id)
                                                                 for product_id, price in products)]
    assert passing.by_price(offset, count, descending=False) == lowest_first[offset:offset + count]
    assert passing.by_price(offset, count, descending=True) == highest_first[offset:offset + count]
