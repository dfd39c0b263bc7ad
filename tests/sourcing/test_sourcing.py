import subprocess
from pathlib import Path

import pytest

from marketplace.accounts.models import AccountKind
from marketplace.catalog.models import CertificationKind, ProductStatus
from marketplace.catalog.services.products import change_product_status
from marketplace.core.errors import Conflict, NotFound
from marketplace.extensions import db
from marketplace.sourcing.models import ShortlistItem
from marketplace.sourcing.services import exports, shortlists
from tests.factories import category, create_cooperative, create_product, create_user, owner_of
from tests.helpers import page_text, post_form, signed_in


def test_the_supplier_directory_filters_by_goods_certificates_capacity_and_rat(app, client):

    sragen = create_cooperative(name="Koperasi Sragen", last_rat_book_year=2023)
    create_product(sragen, name="Seragam", category_id=category("seragam").id, availability="made_to_order",
                   lead_time_days=30, weekly_capacity=400, tiers=[])
    lamongan = create_cooperative(name="Kopontren Lamongan", province_code="35", regency_code="35.24",
                                  is_pesantren=True, pesantren_name="PP Sunan Drajat")
    create_product(lamongan, name="Madu", category_id=category("madu").id,
                   certifications={CertificationKind.HALAL: ("ID1", None)})
    create_cooperative(name="Koperasi Menunggu", status="pending")
    names = lambda query: page_text(client.get(f"/suppliers?{query}"))  # noqa: E731
    everyone = names("")
    assert "Koperasi Sragen" in everyone and "Kopontren Lamongan" in everyone and "Koperasi Menunggu" not in everyone
    assert "Kopontren Lamongan" not in names(f"category={category('fesyen').id}")
    assert "Koperasi Sragen" not in names("cert=halal")
    assert "Kopontren Lamongan" not in names("capacity=300") and "Koperasi Sragen" in names("capacity=300")
    assert "Koperasi Sragen" not in names("rat=1")
    assert "Koperasi Sragen" not in names("kopontren=1")
    assert "400 per minggu" in everyone
    lamongan_card = everyone[everyone.index("Kopontren Lamongan"):]
    assert "<dd>Halal</dd>" in lamongan_card and "HALAL" not in lamongan_card  # the certificate's name, as picked
    assert client.get("/suppliers?capacity=-1&cert=x&category=y&province=%27").status_code == 200
    # Sorted and counted on keys, then loaded: cooperatives with products on sale first, past the end an empty page.
    assert everyone.index("Koperasi Sragen") < everyone.index("Kopontren Lamongan")  # both on sale, no record: by name
    for garbled in ("page=99999", "page=abc", "page=-1", "page=0"):
        assert client.get(f"/suppliers?{garbled}").status_code == 200


def test_a_changed_capacity_shows_on_the_card_and_in_the_filter_at_once(app, client):
    """The directory reads each product's capacity from the search index: a change is there with its commit."""
    from marketplace.catalog.models import Availability

    sragen = create_cooperative(name="Koperasi Sragen")
    seragam = create_product(sragen, name="Seragam", category_id=category("seragam").id, availability="made_to_order",
                             lead_time_days=30, weekly_capacity=400, tiers=[])
    names = lambda query: page_text(client.get(f"/suppliers?{query}"))  # noqa: E731
    assert "Koperasi Sragen" not in names("capacity=500")
    seragam.weekly_capacity = 600
    db.session.commit()
    assert "600 per minggu" in names("") and "Koperasi Sragen" in names("capacity=500")
    seragam.availability, seragam.lead_time_days = Availability.READY_STOCK, None  # capacity counts made to order
    db.session.commit()
    assert "600 per minggu" not in names("") and "Koperasi Sragen" not in names("capacity=500")


def test_each_supplier_card_sums_up_only_its_public_offer(app):
    from datetime import timedelta

    from marketplace.core.timeutil import local_today
    from marketplace.sourcing.services.suppliers import SupplierFilters, suppliers_page
    from tests.factories import receive

    sragen = create_cooperative(name="Koperasi Sragen")
    create_product(sragen, name="Seragam", category_id=category("seragam").id, availability="made_to_order",
                   lead_time_days=30, weekly_capacity=400, tiers=[],
                   certifications={CertificationKind.PIRT: ("P-IRT 1", local_today() - timedelta(days=1))})
    create_product(sragen, name="Batik", category_id=category("batik").id, availability="made_to_order",
                   lead_time_days=10, weekly_capacity=150, tiers=[],
                   certifications={CertificationKind.HALAL: ("ID1", None)})
    ready = create_product(sragen, name="Keranjang", category_id=category("anyaman").id, min_order_quantity=2,
                           tiers=[])
    receive(ready, 5)
    create_product(sragen, name="Draf", category_id=category("madu").id, status="draft", availability="made_to_order",
                   lead_time_days=5, weekly_capacity=9000, tiers=[])
    other = create_cooperative(name="Koperasi Lain")
    create_product(other, name="Madu", category_id=category("madu").id, tiers=[])
    empty = create_cooperative(name="Koperasi Kosong")

    with app.test_request_context("/suppliers?sort=name"):  # the page's cards, in one statement with their rows
        page = suppliers_page(SupplierFilters(sort="name"))
    assert [cooperative.name for cooperative, _offer in page.items] == [
        "Koperasi Kosong", "Koperasi Lain", "Koperasi Sragen"] and page.total == 3
    facts = {cooperative.id: offer for cooperative, offer in page.items}
    ours = facts[sragen.id]
    assert (ours.products, ours.in_stock, ours.max_weekly_capacity) == (3, 1, 400)  # the draft's 9,000 is not on sale
    assert ours.certificates == ["halal"]  # the P-IRT expired yesterday
    assert ours.categories == sorted({category("fesyen").id, category("kain-dan-wastra").id,
                                      category("kerajinan").id})
    assert (facts[other.id].products, facts[other.id].max_weekly_capacity) == (1, None)
    assert facts[empty.id] == type(ours)()  # no products: zero counts, no capacity, nothing listed


def test_suppliers_with_products_on_sale_come_first_then_by_track_record(app, client):
    seasoned = create_cooperative(name="Koperasi Berpengalaman")
    seasoned.completed_orders, seasoned.on_time_orders = 40, 38
    last_product = create_product(seasoned, name="Tenun")
    newcomer = create_cooperative(name="Koperasi Baru")
    create_product(newcomer, name="Madu")
    punctual = create_cooperative(name="Koperasi Tepat Waktu")
    punctual.completed_orders, punctual.on_time_orders = 40, 40
    create_product(punctual, name="Keranjang")
    create_cooperative(name="Koperasi Kosong").completed_orders = 90  # nothing on sale, however good its record
    db.session.commit()

    def order():
        text = page_text(client.get("/suppliers"))
        names = ["Koperasi Tepat Waktu", "Koperasi Berpengalaman", "Koperasi Baru", "Koperasi Kosong"]
        return sorted(names, key=text.index)

    assert order() == ["Koperasi Tepat Waktu", "Koperasi Berpengalaman", "Koperasi Baru", "Koperasi Kosong"]
    change_product_status(owner_of(seasoned), last_product, ProductStatus.ARCHIVED)
    db.session.commit()
    assert order() == ["Koperasi Tepat Waktu", "Koperasi Baru", "Koperasi Kosong", "Koperasi Berpengalaman"]


def test_shortlists_belong_to_their_owner_only(app):
    buyer, other = create_user(kind=AccountKind.BUYER), create_user(kind=AccountKind.GOVERNMENT_OFFICER)
    mine = shortlists.create_shortlist(buyer, "Seragam dinas 2027")
    with pytest.raises(NotFound):
        shortlists.shortlist_of(other, mine.id)
    with pytest.raises(Conflict):
        shortlists.create_shortlist(buyer, "  Seragam   dinas 2027 ")
    intruder = signed_in(app, other)
    assert intruder.get(f"/shortlists/{mine.id}").status_code == 404
    assert intruder.get(f"/shortlists/{mine.id}/export.pdf").status_code == 404
    assert post_form(intruder, f"/shortlists/{mine.id}/delete", {}, token_from="/").status_code == 404


def test_only_public_things_can_be_shortlisted_once(app):
    buyer = create_user()
    shortlist = shortlists.create_shortlist(buyer, "Parsel lebaran")
    product = create_product()
    shortlists.add_to_shortlist(buyer, shortlist, product_id=product.id)
    with pytest.raises(Conflict):
        shortlists.add_to_shortlist(buyer, shortlist, product_id=product.id)
    with pytest.raises(NotFound):
        shortlists.add_to_shortlist(buyer, shortlist, product_id=create_product(status="draft").id)
    with pytest.raises(NotFound):
        shortlists.add_to_shortlist(buyer, shortlist, cooperative_id=create_cooperative(status="suspended").id)
    assert db.session.query(ShortlistItem).count() == 1


def test_comparison_prices_each_product_at_the_wanted_quantity(app):
    buyer = create_user(kind=AccountKind.GOVERNMENT_OFFICER)
    shortlist = shortlists.create_shortlist(buyer, "Keranjang")
    cheap = create_product(name="Keranjang A", base_price=85_000, tiers=[(12, 78_000), (50, 70_000)])
    other = create_product(name="Keranjang B", base_price=80_000, tiers=[], min_order_quantity=24)
    first = shortlists.add_to_shortlist(buyer, shortlist, product_id=cheap.id)
    second = shortlists.add_to_shortlist(buyer, shortlist, product_id=other.id)
    supplier = shortlists.add_to_shortlist(buyer, shortlist, cooperative_id=cheap.cooperative_id)
    shortlists.update_item(buyer, shortlist, first.id, note="bagus", wanted_quantity=60)
    offers = shortlists.compare(shortlist, [first.id, second.id, supplier.id])
    assert [(o.title, o.quantity, o.unit_price, o.total) for o in offers[:2]] == [
        ("Keranjang A", 60, 70_000, 4_200_000), ("Keranjang B", 24, 80_000, 1_920_000)]
    assert offers[2].unit_price is None and "Terverifikasi" in offers[2].availability


def test_shortlist_journey_through_the_pages_with_csv_and_pdf(app, tmp_path):
    officer = create_user(kind=AccountKind.GOVERNMENT_OFFICER)
    product = create_product(name="Seragam batik kantor", base_price=185_000, tiers=[(100, 165_000)])
    client = signed_in(app, officer)
    response = post_form(client, "/shortlists/add", {"product_id": product.id, "next": f"/products/{product.slug}"},
                         token_from=f"/products/{product.slug}")
    assert response.headers["Location"] == f"/products/{product.slug}"
    shortlist = shortlists.shortlists_of(officer)[0]
    item = shortlist.items[0]
    post_form(client, f"/shortlists/{shortlist.id}/items/{item.id}", {"note": "untuk satker A",
                                                                       "wanted_quantity": "120"},
              token_from=f"/shortlists/{shortlist.id}")
    compare = page_text(client.get(f"/shortlists/{shortlist.id}/compare?item={item.id}"))
    assert "Rp 165.000" in compare and "Rp 19.800.000" in compare
    csv_text = client.get(f"/shortlists/{shortlist.id}/export.csv").get_data(as_text=True)
    assert "Seragam batik kantor" in csv_text and "19800000" in csv_text and "untuk satker A" in csv_text
    pdf = client.get(f"/shortlists/{shortlist.id}/export.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    path = tmp_path / "shortlist.pdf"
    path.write_bytes(pdf.data)
    if Path("/usr/bin/pdftotext").exists():
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
        assert "Rp 19.800.000" in text and "Seragam batik kantor" in text


def test_bad_shortlist_input_changes_nothing(app):
    buyer = create_user()
    client = signed_in(app, buyer)
    assert post_form(client, "/shortlists", {"name": "   "}, ).status_code == 422
    response = post_form(client, "/shortlists/add", {"product_id": "999999", "next": "https://evil.example"},
                         token_from="/")
    assert response.status_code == 404
    shortlist = shortlists.create_shortlist(buyer, "A")
    bad = post_form(client, f"/shortlists/{shortlist.id}/items/999999", {"note": "x"},
                    token_from=f"/shortlists/{shortlist.id}")
    assert bad.status_code == 404
    assert exports.shortlist_pdf(shortlist, buyer.name).startswith(b"%PDF")  # an empty shortlist still prints


def test_the_comparison_flags_a_quantity_below_the_minimum_order(app):
    buyer = create_user()
    shortlist = shortlists.create_shortlist(buyer, "Seragam")
    product = create_product(name="Seragam", base_price=185_000, tiers=[], min_order_quantity=24)
    item = shortlists.add_to_shortlist(buyer, shortlist, product_id=product.id)
    shortlists.update_item(buyer, shortlist, item.id, note="", wanted_quantity=10)
    page = page_text(signed_in(app, buyer).get(f"/shortlists/{shortlist.id}/compare"))
    assert "di bawah minimal pembelian" in page and "Rp 1.850.000" in page
