"""Orders feed discovery: the supplier directory and comparison show each cooperative's track record, the directory
opens on suppliers with goods and a record, and search sorts by how often products are ordered."""

import re

from marketplace.extensions import db
from marketplace.ordering.services.lifecycle import OrderAction, perform, rate_order
from marketplace.sourcing.services import shortlists
from tests.factories import (
    complete_order,
    create_cooperative,
    create_product,
    create_user,
    place_order,
    receive,
)
from tests.helpers import page_text, signed_in


def _completed_order(buyer, product, stars=None):
    order = place_order(buyer, (product, 1)).orders[0]
    complete_order(order, buyer)
    if stars:
        rate_order(order, buyer, rating=stars)
    db.session.commit()
    return order


def test_the_directory_opens_on_suppliers_with_goods_and_a_track_record(app, officer):
    create_cooperative(name="Koperasi Aaa Baru Terverifikasi")  # verified yesterday, nothing on sale
    with_goods = create_cooperative(name="Koperasi Mmm Dengan Barang")
    create_product(with_goods, tiers=[])
    proven = create_cooperative(name="Koperasi Zzz Terbukti")
    product = create_product(proven, tiers=[])
    receive(product, 10)
    buyer = create_user()
    _completed_order(buyer, product, stars=5)
    _completed_order(buyer, product, stars=4)

    page = page_text(signed_in(app, officer).get("/suppliers"))
    names = re.findall(r"Koperasi (Aaa|Mmm|Zzz)", page)
    assert names[:3] == ["Zzz", "Mmm", "Aaa"]
    assert "2 pesanan selesai" in page and "100% tepat waktu" in page and "★ 4,5" in page
    by_name = page_text(signed_in(app, officer).get("/suppliers?sort=name"))
    assert re.findall(r"Koperasi (Aaa|Mmm|Zzz)", by_name)[:3] == ["Aaa", "Mmm", "Zzz"]


def test_the_comparison_and_the_profile_show_the_track_record(app, officer):
    product = create_product(tiers=[])
    receive(product, 5)
    _completed_order(create_user(), product, stars=3)
    shortlist = shortlists.create_shortlist(officer, "ATK")
    item = shortlists.add_to_shortlist(officer, shortlist, product_id=product.id)
    db.session.commit()
    client = signed_in(app, officer)
    compared = page_text(client.get(f"/shortlists/{shortlist.id}/compare?item={item.id}"))
    assert "1 pesanan selesai" in compared and "★ 3" in compared
    assert "1 pesanan selesai" in page_text(client.get(f"/cooperatives/{product.cooperative.slug}"))


def test_search_sorts_by_most_ordered(app, client):
    cooperative = create_cooperative()
    rarely = create_product(cooperative, name="Tas rotan jarang", tiers=[])
    often = create_product(cooperative, name="Tas rotan laris", tiers=[])
    for product in (rarely, often):
        receive(product, 10)
    buyer = create_user()
    place_order(buyer, (often, 1))
    place_order(buyer, (often, 1))
    place_order(buyer, (rarely, 1))
    page = page_text(client.get("/search?q=rotan&sort=most_ordered"))
    assert page.index("Tas rotan laris") < page.index("Tas rotan jarang")


def test_search_shows_a_product_sold_out_by_orders_and_back_when_an_order_is_cancelled(app, client):
    product = create_product(name="Tas rotan terakhir", tiers=[])
    receive(product, 2)
    buyer = create_user()
    order = place_order(buyer, (product, 1)).orders[0]
    assert "Stok habis" not in page_text(client.get("/search?q=rotan"))  # one left: in stock, nothing re-indexed
    last = place_order(buyer, (product, 1)).orders[0]
    assert "Stok habis" in page_text(client.get("/search?q=rotan"))
    perform(last, OrderAction.CANCEL, buyer)
    db.session.commit()
    assert "Stok habis" not in page_text(client.get("/search?q=rotan"))
    assert order.status.value == "placed"
