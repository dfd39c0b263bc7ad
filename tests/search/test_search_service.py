from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from marketplace.catalog.models import Availability, CertificationKind, ProductStatus
from marketplace.catalog.services import products as product_services
from marketplace.catalog.services import stock
from marketplace.cooperatives.models import CooperativeStatus
from marketplace.core.timeutil import local_today
from marketplace.extensions import db
from marketplace.search.models import SearchEntry
from marketplace.search.services.indexer import rebuild_index
from marketplace.search.services.query import SearchRequest, search_products
from marketplace.search.services.text import normalize, query_words
from tests.factories import category, create_cooperative, create_member, create_product, owner_of


@pytest.fixture(autouse=True, params=[True, False], ids=["facet columns", "database counts"])
def counted_either_way(request, app):
    """Every search here is checked with the workers' facet columns and with the database counting."""
    app.config["SEARCH_FACET_COLUMNS"] = request.param


def found(**args) -> list[str]:
    db.session.commit()  # the index follows every committed change
    return [entry.name for entry in search_products(SearchRequest.from_args(MultiDict(args))).entries]


def test_text_is_folded_to_plain_lower_case_words():
    assert normalize("Batik Tulis CAFÉ — Sukowati!") == "batik tulis cafe sukowati"
    assert query_words('"batik" OR tenun* NEAR(x) -- ; DROP TABLE') == ["batik", "or", "tenun", "near", "x",
                                                                          "drop", "table"]
    assert len(query_words("kata " * 50)) == 8


def test_only_public_products_are_searchable_and_the_index_follows_every_change(app):
    cooperative = create_cooperative()
    product = create_product(cooperative, name="Batik tulis Sukowati", status="draft")
    assert found(q="batik") == []
    product_services.change_product_status(owner_of(cooperative), product, ProductStatus.ACTIVE)
    assert found(q="batik") == ["Batik tulis Sukowati"]
    details = product_services.ProductDetails.of(product)
    details.name = "Kain tenun ikat"
    product_services.update_product(owner_of(cooperative), product, details)
    assert found(q="batik") == [] and found(q="tenun") == ["Kain tenun ikat"]
    cooperative.status = CooperativeStatus.SUSPENDED
    db.session.commit()
    assert found(q="tenun") == []


def test_prefixes_accents_and_case_all_match(app):
    create_product(name="Kopi Gayo Arabika", description="Biji kopi sangrai dari Café Takengon")
    assert found(q="kop") == ["Kopi Gayo Arabika"]
    assert found(q="CAFE") == ["Kopi Gayo Arabika"]
    assert found(q="café takeng") == ["Kopi Gayo Arabika"]


def test_name_matches_rank_above_description_matches(app):
    create_product(name="Tas kulit sapi", description="Dijahit tangan, cocok dengan batik")
    create_product(name="Kain batik cap", description="Motif parang")
    assert found(q="batik") == ["Kain batik cap", "Tas kulit sapi"]


def test_cooperative_and_region_words_find_products(app):
    cooperative = create_cooperative(name="Koperasi Produsen Tunas Sukowati Jaya")
    create_product(cooperative, name="Keranjang bambu")
    assert found(q="sukowati") == ["Keranjang bambu"]
    assert found(q="sragen") == ["Keranjang bambu"]


def test_filters_combine_and_facets_count_what_remains(app):
    sragen = create_cooperative()
    lamongan = create_cooperative(province_code="35", regency_code="35.24", is_pesantren=True,
                                  pesantren_name="PP Sunan Drajat", opop_participant=True)
    create_product(sragen, name="Batik Sragen", category_id=category("batik").id, base_price=450_000)
    create_product(lamongan, name="Madu hutan", category_id=category("madu").id, base_price=95_000,
                   certifications={CertificationKind.HALAL: ("ID351100", local_today() + timedelta(days=30))})
    create_product(lamongan, name="Madu kedaluwarsa", category_id=category("madu").id, base_price=90_000,
                   certifications={CertificationKind.HALAL: ("ID351101", local_today() - timedelta(days=1))})
    assert sorted(found(province="35")) == ["Madu hutan", "Madu kedaluwarsa"]
    assert found(cert="halal") == ["Madu hutan"]
    assert found(opop="1", max_price="92000") == ["Madu kedaluwarsa"]
    assert found(category=str(category("hasil-pertanian").id), min_price="91.000") == ["Madu hutan"]
    result = search_products(SearchRequest.from_args(MultiDict({"province": "35"})))
    provinces = {code: count for code, _label, count in result.facets["province"].counts}
    assert provinces == {"33": 1, "35": 2}  # a facet ignores its own filter, so other choices stay visible
    assert {kind: count for kind, _label, count in result.facets["cert"].counts}["halal"] == 1
    assert [(code, count) for code, _label, count in result.facets["regency"].counts] == [("35.24", 2)]
    assert found(province="35", regency="35.24") and not found(province="35", regency="35.09")


def test_ready_stock_means_enough_on_hand_for_the_minimum_order(app):
    product = create_product(name="Nastar", min_order_quantity=5, tiers=[])
    create_product(name="Sepatu kulit", availability=Availability.MADE_TO_ORDER, lead_time_days=14,
                   weekly_capacity=40, tiers=[])
    assert found(availability="ready_stock") == []
    stock.receive_stock(owner_of(product.cooperative), product, member_id=create_member(product.cooperative).id,
                        quantity=5, received_on=local_today())
    assert found(availability="ready_stock") == ["Nastar"]
    assert found(availability="made_to_order") == ["Sepatu kulit"]


def test_sorting_and_paging(app):
    for price in (30_000, 10_000, 20_000):
        create_product(name=f"Produk {price}", base_price=price, tiers=[])
    assert found(sort="price_asc") == ["Produk 10000", "Produk 20000", "Produk 30000"]
    assert found(sort="price_desc")[0] == "Produk 30000"
    assert found(sort="newest")[0] == "Produk 20000"
    assert found(q="produk", sort="price_asc") == ["Produk 10000", "Produk 20000", "Produk 30000"]
    assert found(q="produk", sort="price_desc") == ["Produk 30000", "Produk 20000", "Produk 10000"]
    assert found(page="999") == found()  # past the end: the last page, not an error


def test_matching_cooperatives_are_listed_beside_products(app):
    create_cooperative(name="Kopontren Sunan Drajat")
    create_cooperative(name="Kopontren Waiting", status="pending")
    result = search_products(SearchRequest.from_args(MultiDict({"q": "kopontren"})))
    assert [cooperative.name for cooperative in result.cooperatives] == ["Kopontren Sunan Drajat"]


def test_cooperatives_are_found_by_any_part_of_their_name_and_follow_every_rename(app, monkeypatch):
    from marketplace.search.services import backends

    laweyan = create_cooperative(name="Koperasi Batik Laweyan")
    create_cooperative(name="Koperasi Tenun Troso")
    create_cooperative(name="Koperasi Batik Menunggu", status="pending")

    def named(q: str) -> list[str]:
        db.session.commit()
        return [cooperative.name for cooperative in search_products(SearchRequest(q=q)).cooperatives]

    assert named("batik") == ["Koperasi Batik Laweyan"]
    assert named("LAWEY tik") == ["Koperasi Batik Laweyan"]
    assert named("ba") == ["Koperasi Batik Laweyan"]  # under three letters: the names are read one by one
    assert named("kain") == []
    laweyan.name = "Koperasi Wastra Laweyan"
    assert named("batik") == [] and named("wastra") == ["Koperasi Wastra Laweyan"]
    monkeypatch.setattr(backends, "MOST_NAMES_LOOKED_UP", 1)  # more names hold "koperasi": read in order instead
    assert named("koperasi") == ["Koperasi Tenun Troso", "Koperasi Wastra Laweyan"]


def test_rebuilding_gives_the_same_index(app):
    create_product(name="Batik A")
    create_product(name="Batik B", status="draft")
    before = found(q="batik")
    assert rebuild_index(db.session) == 1
    db.session.commit()
    assert found(q="batik") == before == ["Batik A"]


def test_a_misspelt_word_still_finds_close_names_on_postgresql(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("typo tolerance uses pg_trgm; SQLite answers with no results and suggestions")
    create_product(name="Keranjang anyaman bambu")
    result = search_products(SearchRequest.from_args(MultiDict({"q": "keranjng"})))
    assert result.typo_fallback and [entry.name for entry in result.entries] == ["Keranjang anyaman bambu"]


text_inputs = st.one_of(st.text(max_size=600), st.sampled_from([
    '"', "'", "*", "AND", "NOT batik", "(", ")", "NEAR(a b)", "batik:*", "a & b | !c", "%", "_", "\\", "';--",
    "\x00", "‮", "batik^2", "{title}: x", "' OR 1=1 --"]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=text_inputs, category_value=st.text(max_size=30), page_number=st.text(max_size=12),
       price=st.text(max_size=20), sort=st.text(max_size=12), cert=st.lists(st.text(max_size=10), max_size=3))
def test_no_input_breaks_the_search(app, q, category_value, page_number, price, sort, cert):
    if db.session.query(SearchEntry).count() == 0:
        create_product(name="Batik tulis")
    args = MultiDict([("q", q), ("category", category_value), ("page", page_number), ("min_price", price),
                      ("sort", sort), ("province", category_value), *[("cert", value) for value in cert]])
    result = search_products(SearchRequest.from_args(args))
    assert result.total >= 0 and result.request.page >= 1


@pytest.fixture
def small_catalogue(app):
    sragen, lamongan = create_cooperative(), create_cooperative(province_code="35", regency_code="35.24",
                                                                  is_pesantren=True, pesantren_name="PP Sunan Drajat")
    for index, (cooperative, slug) in enumerate([(sragen, "batik"), (sragen, "tenun"), (lamongan, "madu"),
                                                 (lamongan, "batik"), (sragen, "madu"), (lamongan, "kopi-dan-teh")]):
        create_product(cooperative, name=f"Batik dan madu {index}", category_id=category(slug).id,
                       base_price=40_000 + 10_000 * index, tiers=[],
                       availability=Availability.MADE_TO_ORDER if index % 3 == 0 else Availability.READY_STOCK,
                       lead_time_days=14 if index % 3 == 0 else None, weekly_capacity=40 if index % 3 == 0 else None)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(words=st.sampled_from(["", "batik", "madu", "dan"]),
       category_slug=st.sampled_from([None, "kain-dan-wastra", "batik", "madu", "hasil-pertanian"]),
       province=st.sampled_from([None, "33", "35"]), regency=st.sampled_from([None, "35.24", "33.14"]),
       availability=st.sampled_from([None, "ready_stock", "made_to_order"]), kopontren=st.booleans())
def test_counting_in_one_pass_gives_what_counting_each_chosen_facet_apart_gives(
        small_catalogue, words, category_slug, province, regency, availability, kopontren):
    from marketplace.search.services.backends import backend_for
    from marketplace.search.services.query import _count

    args = {"q": words, "category": str(category(category_slug).id) if category_slug else None,
            "province": province, "regency": regency, "availability": availability, "kopontren": "1" if kopontren
            else None}
    request = SearchRequest.from_args(MultiDict({key: value for key, value in args.items() if value}))
    backend = backend_for(db.engine.dialect.name)
    matching = backend.condition(query_words(words)) if words else None
    one_pass = _count(request, local_today(), matching, one_pass=True)
    apart = _count(request, local_today(), matching, one_pass=False)
    assert one_pass[0] == apart[0] == search_products(request).total
    for name in ("category", "province", "regency", "type", "availability", "halal", "kopontren"):
        assert +one_pass[1][name] == +apart[1][name], name  # + drops the zero counts


def test_ranking_is_bounded_yet_every_match_keeps_one_place(app, monkeypatch):
    from marketplace.search.services import query

    monkeypatch.setattr(query, "RANK_CANDIDATES", query.PER_PAGE)
    cooperative = create_cooperative()
    for index in range(2 * query.PER_PAGE + 5):
        create_product(cooperative, name=f"Keranjang {index}", description="keranjang " * (index % 4), tiers=[])
    pages = [found(q="keranjang", page=str(page)) for page in (1, 2, 3)]
    names = [name for page in pages for name in page]
    assert len(names) == len(set(names)) == 2 * query.PER_PAGE + 5
    newest = {f"Keranjang {index}" for index in range(query.PER_PAGE + 5, 2 * query.PER_PAGE + 5)}
    assert set(pages[0]) == newest  # the page ranked is the newest matches; the rest follow, newest first
    assert pages[1] == [f"Keranjang {index}" for index in range(query.PER_PAGE + 4, 4, -1)]


def test_close_names_are_tried_only_when_the_words_alone_find_nothing(app):
    create_product(name="Keranjang anyaman bambu", category_id=category("anyaman").id)
    filtered = search_products(SearchRequest.from_args(MultiDict({"q": "keranjng", "province": "35"})))
    assert filtered.total == 0 and not filtered.typo_fallback


def test_searches_are_shared_for_a_while_but_cards_are_always_fresh(app):
    from marketplace.core.cache import DataCache, LocalStore

    app.config.update(SEARCH_FACET_CACHE_SECONDS=60, SEARCH_RESULT_CACHE_SECONDS=30)
    app.extensions["data_cache"] = DataCache(LocalStore())
    try:
        product = create_product(name="Madu hutan", base_price=95_000, tiers=[])
        first = search_products(SearchRequest.from_args(MultiDict({"q": "madu"})))
        create_product(name="Madu randu", tiers=[])
        details = product_services.ProductDetails.of(product)
        details.base_price = 99_000
        product_services.update_product(owner_of(product.cooperative), product, details)
        db.session.commit()
        again = search_products(SearchRequest.from_args(MultiDict({"q": "madu"})))
        assert again.total == first.total == 1  # what matched is kept for a while…
        assert [entry.base_price for entry in again.entries] == [99_000]  # …but the card is read fresh
        assert search_products(SearchRequest.from_args(MultiDict({"q": "madu", "sort": "newest"}))).total == 1
        app.extensions["data_cache"].clear()
        assert search_products(SearchRequest.from_args(MultiDict({"q": "madu"}))).total == 2
    finally:
        app.config.update(SEARCH_FACET_CACHE_SECONDS=0, SEARCH_RESULT_CACHE_SECONDS=0)
