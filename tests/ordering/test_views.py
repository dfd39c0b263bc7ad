"""The buyer's and the cooperative's order pages, driven as a browser would."""

import re

import pytest
import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.ordering.models import Checkout, Order, OrderStatus
from marketplace.ordering.services.cart import StoredCart
from marketplace.sourcing.services import shortlists
from tests.factories import (
    SHIPPING_ADDRESS,
    add_staff,
    create_cooperative,
    create_product,
    create_user,
    owner_of,
    place_order,
    receive,
)
from tests.helpers import AuthActions, csrf_token_from, page_text, post_form, signed_in


@pytest.fixture
def product(app):
    product = create_product(name="Tas anyaman pandan", base_price=120_000, tiers=[(10, 100_000)])
    receive(product, 30)
    return product


def _add(client, product, quantity, **extra):
    return post_form(client, "/cart/add", {"product": product.slug, "quantity": quantity, **extra},
                     token_from=f"/products/{product.slug}")


def _hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}" type="hidden" value="([^"]*)"', html).group(1)


def _checkout_form(product, **overrides):
    return {**SHIPPING_ADDRESS, "payment_method": "on_delivery", f"delivery_{product.cooperative_id}": "pickup",
            f"note_{product.cooperative_id}": "Tolong dibungkus rapi", **overrides}


def _review_and_place(client, product, **overrides):
    review = post_form(client, "/checkout", {**_checkout_form(product, **overrides), "review": "1"})
    assert review.status_code == 200, page_text(review)
    html = page_text(review)
    data = {**_checkout_form(product, **overrides), "place": "1", "csrf_token": csrf_token_from(client, "/checkout"),
            "fingerprint": _hidden(html, "fingerprint"), "idempotency_key": _hidden(html, "idempotency_key")}
    return review, data


def test_an_anonymous_cart_follows_the_buyer_into_their_account_and_checks_out(client, product, buyer, outbox):
    response = _add(client, product, 12, next=f"/products/{product.slug}")
    assert response.status_code == 302
    cart = page_text(client.get("/cart"))
    assert "Tas anyaman pandan" in cart and "Rp 1.200.000" in cart  # the tier price from 10 units
    assert client.get("/checkout").status_code == 302  # sign in first
    AuthActions(client).login(buyer)
    assert StoredCart(buyer).lines() == {product.id: (12, 100_000)}

    review, data = _review_and_place(client, product)
    assert "Rp 1.200.000" in page_text(review) and "Buat pesanan" in page_text(review)
    placed = client.post("/checkout", data=data)
    assert placed.status_code == 302 and "/checkouts/CO-" in placed.location
    replay = client.post("/checkout", data=data)  # a double click, or the back button and send again
    assert replay.location == placed.location
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Checkout)) == 1

    order = db.session.scalar(sa.select(Order))
    page = page_text(client.get(placed.location))
    assert order.number in page
    assert order.buyer_note == "Tolong dibungkus rapi"
    assert order.number in page_text(client.get("/orders"))
    detail = client.get(f"/orders/{order.number}")
    assert detail.status_code == 200 and "Riwayat" in page_text(detail)
    invoice = client.get(f"/orders/{order.number}/invoice.pdf")
    assert invoice.status_code == 200 and invoice.data.startswith(b"%PDF")
    assert {message["To"] for message in outbox} >= {buyer.email, product.cooperative.email}


def test_a_price_changed_before_placing_is_shown_and_must_be_confirmed(client, product, buyer):
    AuthActions(client).login(buyer)
    _add(client, product, 2)
    _review, data = _review_and_place(client, product)
    product.base_price = 130_000
    db.session.commit()
    response = client.post("/checkout", data=data)
    assert response.status_code == 200
    assert "berubah" in page_text(response) and "Rp 260.000" in page_text(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 0


def test_checkout_refuses_bad_details_with_messages_and_places_nothing(client, product, buyer):
    AuthActions(client).login(buyer)
    _add(client, product, 1)
    response = post_form(client, "/checkout", {**_checkout_form(product, phone="12", recipient_name=""),
                                               "review": "1"})
    assert response.status_code == 422
    assert "Masukkan nama penerima barang." in page_text(response)
    elsewhere = post_form(client, "/checkout", {**_checkout_form(product, regency_code="35.78"), "review": "1"})
    assert elsewhere.status_code == 422
    assert "Pilih kabupaten atau kota di provinsi yang dipilih." in page_text(elsewhere)
    unknown = post_form(client, "/checkout", {**_checkout_form(product), "payment_method": "bitcoin",
                                              f"delivery_{product.cooperative_id}": "drone", "review": "1"})
    assert unknown.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 0


def test_a_sold_out_product_at_checkout_sends_the_buyer_back_to_the_cart_with_the_reason(client, product, buyer):
    AuthActions(client).login(buyer)
    _add(client, product, 5)
    _review, data = _review_and_place(client, product)
    place_order(create_user(), (product, 28))
    response = client.post("/checkout", data=data, follow_redirects=True)
    assert "tinggal 2" in page_text(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order).where(Order.buyer_id == buyer.id)) == 0


@pytest.mark.parametrize("quantity", ["0", "-1", "abc", "1000001", ""])
def test_nonsense_quantities_are_refused_and_change_nothing(client, product, quantity):
    response = _add(client, product, quantity)
    assert response.status_code == 302
    assert "Masukkan jumlah" in page_text(client.get("/cart"))
    assert "Tas anyaman pandan" not in page_text(client.get("/cart"))


def test_cart_lines_change_and_go(client, product):
    _add(client, product, 1)
    token = csrf_token_from(client, "/cart")
    client.post(f"/cart/lines/{product.id}", data={"csrf_token": token, "quantity": "31"})
    assert "tinggal 30" in page_text(client.get("/cart"))
    client.post(f"/cart/lines/{product.id}", data={"csrf_token": token, "quantity": "3"})
    assert "Rp 360.000" in page_text(client.get("/cart"))
    assert client.post("/cart/lines/999999/remove", data={"csrf_token": token}).status_code == 404
    client.post(f"/cart/lines/{product.id}/remove", data={"csrf_token": token})
    assert "Keranjang Anda kosong" in page_text(client.get("/cart"))


def test_a_whole_shortlist_goes_into_the_cart_in_one_click(client, product, buyer):
    other = create_product(min_order_quantity=5, tiers=[])
    receive(other, 50)
    shortlist = shortlists.create_shortlist(buyer, "Seragam kantor")
    shortlists.add_to_shortlist(buyer, shortlist, product_id=product.id)
    item = shortlists.add_to_shortlist(buyer, shortlist, product_id=other.id)
    shortlists.update_item(buyer, shortlist, item.id, note="", wanted_quantity=20)
    db.session.commit()
    AuthActions(client).login(buyer)
    post_form(client, f"/shortlists/{shortlist.id}/to-cart", {}, token_from=f"/shortlists/{shortlist.id}")
    assert StoredCart(buyer).lines() == {product.id: (1, 120_000), other.id: (20, other.base_price)}
    stranger = signed_in(client.application, create_user())
    assert post_form(stranger, f"/shortlists/{shortlist.id}/to-cart", {}).status_code == 404


def test_another_buyers_order_and_another_cooperatives_order_are_not_found(app, product, buyer):
    order = place_order(buyer, (product, 1)).orders[0]
    stranger = signed_in(app, create_user())
    for path in (f"/orders/{order.number}", f"/orders/{order.number}/invoice.pdf"):
        assert stranger.get(path).status_code == 404
    assert post_form(stranger, f"/orders/{order.number}/cancel", {}, token_from="/").status_code == 404
    other_cooperative = create_cooperative()
    other_staff = signed_in(app, owner_of(other_cooperative))
    assert other_staff.get(f"/manage/{other_cooperative.slug}/orders/{order.number}").status_code == 404
    assert other_staff.get(f"/manage/{product.cooperative.slug}/orders/{order.number}").status_code == 403
    assert db.session.get(Order, order.id).status == OrderStatus.PLACED


def test_the_cooperative_works_its_orders_from_the_inbox(app, product, buyer, outbox):
    order = place_order(buyer, (product, 2)).orders[0]
    staff = signed_in(app, owner_of(product.cooperative))
    inbox = page_text(staff.get(f"/manage/{product.cooperative.slug}/orders"))
    assert order.number in inbox and "Dibuat" in inbox
    base = f"/manage/{product.cooperative.slug}/orders/{order.number}"
    token = csrf_token_from(staff, base)
    refused = staff.post(f"{base}/act/ship", data={"csrf_token": token}, follow_redirects=True)
    assert "tidak bisa dilakukan sekarang" in page_text(refused)
    assert staff.post(f"{base}/act/nonsense", data={"csrf_token": token}).status_code == 302
    staff.post(f"{base}/act/accept", data={"csrf_token": token})
    staff.post(f"{base}/act/ship", data={"csrf_token": token})
    assert db.session.get(Order, order.id).status == OrderStatus.SHIPPED
    staff.post(f"{base}/note", data={"csrf_token": token, "note": "Sudah kami titipkan ke kurir."})
    assert outbox[-1]["To"] == buyer.email
    filtered = page_text(staff.get(f"/manage/{product.cooperative.slug}/orders?status=shipped"))
    assert order.number in filtered
    assert order.number not in page_text(staff.get(f"/manage/{product.cooperative.slug}/orders?status=placed"))
    for path in (f"{base}/packing-slip.pdf", f"{base}/invoice.pdf",
                 f"/manage/{product.cooperative.slug}/packing-slips.pdf?date=2026-13-45"):
        response = staff.get(path)
        assert response.status_code == 200 and response.data.startswith(b"%PDF"), path


def test_the_buyer_confirms_receipt_rates_and_orders_again(app, product, buyer):
    order = place_order(buyer, (product, 2)).orders[0]
    staff = signed_in(app, owner_of(product.cooperative))
    base = f"/manage/{product.cooperative.slug}/orders/{order.number}"
    token = csrf_token_from(staff, base)
    for action in ("accept", "ship"):
        staff.post(f"{base}/act/{action}", data={"csrf_token": token})
    client = signed_in(app, buyer)
    token = csrf_token_from(client, f"/orders/{order.number}")
    client.post(f"/orders/{order.number}/receive", data={"csrf_token": token})
    assert db.session.get(Order, order.id).status == OrderStatus.DELIVERED
    client.post(f"/orders/{order.number}/rate", data={"csrf_token": token, "rating": "9"})
    assert db.session.get(Order, order.id).rating is None
    client.post(f"/orders/{order.number}/rate", data={"csrf_token": token, "rating": "5", "comment": "Bagus"})
    assert db.session.get(Order, order.id).rating == 5
    # Staff cannot rate the order, not even through the buyer's address.
    assert staff.post(f"/orders/{order.number}/rate", data={"csrf_token": token, "rating": "1"}).status_code in (
        400, 404)
    client.post(f"/orders/{order.number}/reorder", data={"csrf_token": token})
    assert StoredCart(buyer).lines()[product.id][0] == 2


def test_anyone_holding_the_invoice_checks_its_status_with_the_code(app, client, product, buyer):
    order = place_order(buyer, (product, 1)).orders[0]
    page = page_text(client.get(f"/documents/verify/{order.verification_code}"))
    assert order.number in page and "Dibuat" in page and buyer.email not in page
    assert client.get("/documents/verify/NOTACODE").status_code == 404


def test_delivery_settings_are_kept_and_bad_fees_are_refused(app, product):
    staff = signed_in(app, owner_of(product.cooperative))
    url = f"/manage/{product.cooperative.slug}/delivery"
    response = post_form(staff, url, {"offers_pickup": "y", "rate_33": "Rp 15.000", "rate_35": "25000"})
    assert response.status_code == 302
    page = page_text(staff.get(url))
    assert 'value="15.000"' in page and 'value="25.000"' in page
    bad = post_form(staff, url, {"rate_33": "lima ribu"})
    assert bad.status_code == 422
    nothing = post_form(staff, url, {})
    assert nothing.status_code == 422 and "paling sedikit satu cara" in page_text(nothing)
    supervisor = signed_in(app, add_staff(product.cooperative, "supervisor"))
    assert post_form(supervisor, url, {"offers_pickup": "y"}).status_code == 403


def test_forms_on_cached_pages_carry_each_visitors_own_token(app, product):
    app.config["PAGE_CACHE_SECONDS"] = 30
    app.extensions["page_cache"].clear()
    first, second = app.test_client(), app.test_client()
    assert first.get(f"/products/{product.slug}").headers["X-Page-Cache"] == "miss"
    assert second.get(f"/products/{product.slug}").headers["X-Page-Cache"] == "hit"
    for client in (first, second):
        assert _add(client, product, 1).status_code == 302
        assert "Tas anyaman pandan" in page_text(client.get("/cart"))
