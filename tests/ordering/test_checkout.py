"""One checkout, one order per cooperative, stock from members' lots, all in one transaction."""

from datetime import date

import pytest
import sqlalchemy as sa

from marketplace.catalog.models import Availability, Product, ProductStatus, StockLot
from marketplace.cooperatives.models import CooperativeStatus
from marketplace.core.audit import AuditEvent
from marketplace.core.errors import DomainError, NotFound, NotPermitted
from marketplace.core.unit_of_work import unit_of_work
from marketplace.extensions import db
from marketplace.ordering.models import (
    Checkout,
    DeliveryMethod,
    LotConsumption,
    Order,
    OrderLine,
    OrderNumberCounter,
    OrderStatus,
    PaymentMethod,
)
from marketplace.ordering.services.cart import StoredCart, add_to_cart, cart_contents
from marketplace.ordering.services.checkout import (
    AlreadyPlaced,
    CheckoutChanged,
    SupplierChoice,
    place_checkout,
    plan_checkout,
)
from marketplace.ordering.services.delivery import DeliveryDetails, update_delivery_settings
from marketplace.ordering.services.numbers import order_prefix_of
from tests.factories import (
    SHIPPING_ADDRESS,
    add_staff,
    create_cooperative,
    create_member,
    create_product,
    create_user,
    owner_of,
    place_order,
    receive,
)
from tests.helpers import refused


def address():
    from marketplace.ordering.services.checkout import Address

    return Address(**SHIPPING_ADDRESS)


@pytest.fixture
def two_cooperatives(app):
    tenun = create_cooperative(name="Koperasi Tenun Sumba Jaya")
    anyaman = create_cooperative(name="Koperasi Produsen Anyaman Sragen")
    kain = create_product(tenun, name="Kain tenun ikat", base_price=450_000, tiers=[])
    keranjang = create_product(anyaman, base_price=85_000, tiers=[(12, 78_000)])
    receive(kain, 3, received_on=date(2026, 2, 1))
    receive(keranjang, 10, received_on=date(2026, 1, 2))
    receive(keranjang, 10, received_on=date(2026, 3, 2))
    return tenun, anyaman, kain, keranjang


def test_a_checkout_places_one_order_per_cooperative_with_snapshots_lots_and_audit(buyer, two_cooperatives, outbox):
    tenun, anyaman, kain, keranjang = two_cooperatives
    checkout = place_order(buyer, (kain, 2), (keranjang, 12))

    orders = {order.cooperative_id: order for order in checkout.orders}
    assert set(orders) == {tenun.id, anyaman.id}
    tenun_order, anyaman_order = orders[tenun.id], orders[anyaman.id]
    year = date.today().year
    assert tenun_order.number == f"TSJ-{year}-000001"
    assert anyaman_order.number == f"AS-{year}-000001"  # "Koperasi Produsen" says nothing of which one
    assert tenun_order.status == OrderStatus.PLACED  # paid on delivery: nothing to wait for
    [line] = anyaman_order.lines
    assert (line.product_name, line.sku, line.unit, line.unit_price, line.quantity, line.line_total) == (
        keranjang.name, keranjang.sku, "pcs", 78_000, 12, 936_000)  # the wholesale tier, recomputed on the server
    assert anyaman_order.total == anyaman_order.subtotal == 936_000
    assert checkout.total == 2 * 450_000 + 936_000

    # Stock came from the oldest lot first, and says from which member.
    consumptions = db.session.scalars(sa.select(LotConsumption).where(LotConsumption.order_line_id == line.id)).all()
    oldest = db.session.scalar(sa.select(StockLot).where(StockLot.product_id == keranjang.id)
                               .order_by(StockLot.received_on))
    assert [(consumption.lot_id, consumption.quantity) for consumption in consumptions] == [(oldest.id, 10),
                                                                                             (oldest.id + 1, 2)]
    db.session.refresh(keranjang)
    assert keranjang.stock_on_hand == 8 and keranjang.order_count == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "order.placed")) == 2
    assert StoredCart(buyer).lines() == {}
    assert {message["To"] for message in outbox} == {buyer.email, tenun.email, anyaman.email}


def test_order_numbers_have_no_gaps_per_cooperative_and_year_even_when_a_checkout_fails(buyer, two_cooperatives):
    _, anyaman, kain, keranjang = two_cooperatives
    first = place_order(buyer, (keranjang, 1)).orders[0].number
    with pytest.raises(DomainError), unit_of_work():
        # The basket is sold out at the other cooperative: nothing of this checkout may remain, its number neither.
        place_order(buyer, (keranjang, 1), (kain, 3), commit=False)
        db.session.execute(sa.update(Product).where(Product.id == kain.id).values(stock_on_hand=1))
        raise DomainError("boom")
    second = place_order(buyer, (keranjang, 1)).orders[0].number
    assert first.endswith("-000001") and second.endswith("-000002")
    assert db.session.scalar(sa.select(OrderNumberCounter.last_number)
                             .where(OrderNumberCounter.cooperative_id == anyaman.id)) == 2


def test_a_refusal_anywhere_leaves_nothing_behind(buyer, two_cooperatives):
    tenun, anyaman, kain, keranjang = two_cooperatives
    store = StoredCart(buyer)
    add_to_cart(store, keranjang.slug, 5)
    add_to_cart(store, kain.slug, 3)
    db.session.commit()
    choices = {tenun.id: SupplierChoice(DeliveryMethod.PICKUP), anyaman.id: SupplierChoice(DeliveryMethod.PICKUP)}
    fingerprint = plan_checkout(buyer, store, address(), PaymentMethod.ON_DELIVERY, choices).fingerprint
    # Another buyer takes two of the three pieces of cloth meanwhile.
    place_order(create_user(), (kain, 2))
    with refused("out_of_stock"), unit_of_work():
        place_checkout(buyer, store, address(), PaymentMethod.ON_DELIVERY, choices, idempotency_key="k1",
                       fingerprint=fingerprint)
    db.session.refresh(keranjang)
    assert keranjang.stock_on_hand == 20  # the basket's units were not taken either
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Checkout).where(Checkout.buyer_id == buyer.id)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order).where(Order.buyer_id == buyer.id)) == 0
    assert len(StoredCart(buyer).lines()) == 2  # the cart is still there to fix


def test_the_same_place_order_sent_twice_makes_one_checkout(buyer, two_cooperatives):
    _, _, _, keranjang = two_cooperatives
    first = place_order(buyer, (keranjang, 1), key="double-click")
    store = StoredCart(buyer)
    add_to_cart(store, keranjang.slug, 1)
    with pytest.raises(AlreadyPlaced) as caught:
        place_checkout(buyer, store, address(), PaymentMethod.ON_DELIVERY,
                       {keranjang.cooperative_id: SupplierChoice(DeliveryMethod.PICKUP)},
                       idempotency_key="double-click", fingerprint="anything")
    assert caught.value.checkout.id == first.id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Checkout)) == 1


def test_a_price_changed_since_the_review_is_not_placed(buyer, two_cooperatives):
    _, anyaman, _, keranjang = two_cooperatives
    store = StoredCart(buyer)
    add_to_cart(store, keranjang.slug, 2)
    choices = {anyaman.id: SupplierChoice(DeliveryMethod.PICKUP)}
    seen = plan_checkout(buyer, store, address(), PaymentMethod.ON_DELIVERY, choices)
    keranjang.base_price = 95_000
    db.session.commit()
    with refused("checkout_changed", CheckoutChanged), unit_of_work():
        place_checkout(buyer, store, address(), PaymentMethod.ON_DELIVERY, choices, idempotency_key="k",
                       fingerprint=seen.fingerprint)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 0
    again = plan_checkout(buyer, store, address(), PaymentMethod.ON_DELIVERY, choices)
    assert again.total == 190_000 and again.contents.entries[0].price_changed
    checkout = place_checkout(buyer, store, address(), PaymentMethod.ON_DELIVERY, choices, idempotency_key="k2",
                              fingerprint=again.fingerprint)
    assert checkout.orders[0].lines[0].unit_price == 95_000


@pytest.mark.parametrize("change", ["archived", "suspended"])
def test_a_product_no_longer_on_sale_is_left_out_and_the_buyer_confirms_again(buyer, two_cooperatives, change):
    tenun, anyaman, kain, keranjang = two_cooperatives
    store = StoredCart(buyer)
    add_to_cart(store, keranjang.slug, 1)
    add_to_cart(store, kain.slug, 1)
    choices = {tenun.id: SupplierChoice(DeliveryMethod.PICKUP), anyaman.id: SupplierChoice(DeliveryMethod.PICKUP)}
    seen = plan_checkout(buyer, store, address(), PaymentMethod.ON_DELIVERY, choices)
    if change == "archived":
        kain.status = ProductStatus.ARCHIVED
    else:
        tenun.status = CooperativeStatus.SUSPENDED
    db.session.commit()
    with refused("checkout_changed", CheckoutChanged), unit_of_work():
        place_checkout(buyer, store, address(), PaymentMethod.ON_DELIVERY, choices, idempotency_key="k",
                       fingerprint=seen.fingerprint)
    again = plan_checkout(buyer, store, address(), PaymentMethod.ON_DELIVERY, choices)
    assert [entry.product.id for entry in again.contents.entries if not entry.on_sale] == [kain.id]
    checkout = place_checkout(buyer, store, address(), PaymentMethod.ON_DELIVERY, choices, idempotency_key="k2",
                              fingerprint=again.fingerprint)
    assert [order.cooperative_id for order in checkout.orders] == [anyaman.id]
    assert list(StoredCart(buyer).lines()) == [kain.id]  # what was not ordered stays in the cart


@pytest.mark.parametrize(("quantity", "code"), [(0, "quantity_out_of_range"), (-3, "quantity_out_of_range"),
                                                (10**9, "quantity_out_of_range"), (21, "out_of_stock")])
def test_quantities_that_make_no_sense_are_refused(buyer, two_cooperatives, quantity, code):
    _, _, _, keranjang = two_cooperatives
    with refused(code):
        add_to_cart(StoredCart(buyer), keranjang.slug, quantity)
    assert StoredCart(buyer).lines() == {}


def test_below_the_minimum_order_is_refused_in_the_cart_and_at_checkout(buyer, app):
    product = create_product(min_order_quantity=10, tiers=[], availability=Availability.MADE_TO_ORDER,
                             lead_time_days=21, weekly_capacity=100)
    store = StoredCart(buyer)
    with refused("below_minimum"):
        add_to_cart(store, product.slug, 5)
    add_to_cart(store, product.slug, 10)
    store.put(product.id, 4, product.base_price)  # a quantity lowered some other way (the minimum rose)
    with refused("below_minimum"):
        plan_checkout(buyer, store, address(), PaymentMethod.ON_DELIVERY,
                      {product.cooperative_id: SupplierChoice(DeliveryMethod.PICKUP)})


def test_made_to_order_lines_take_no_stock_and_promise_the_lead_time(buyer, app):
    product = create_product(availability=Availability.MADE_TO_ORDER, lead_time_days=21, weekly_capacity=100)
    order = place_order(buyer, (product, 300)).orders[0]
    assert order.lines[0].consumptions == []
    assert (order.ship_by - order.placed_at.date()).days in (20, 21, 22)  # the cooperative's day may differ


def test_staff_cannot_order_from_their_own_cooperative(two_cooperatives):
    tenun, _, kain, _ = two_cooperatives
    staff = owner_of(tenun)
    store = StoredCart(staff)
    add_to_cart(store, kain.slug, 1)
    assert not cart_contents(store, staff).can_check_out
    with refused("cart_empty"):
        plan_checkout(staff, store, address(), PaymentMethod.ON_DELIVERY,
                      {tenun.id: SupplierChoice(DeliveryMethod.PICKUP)})


def test_who_may_not_buy(app, two_cooperatives):
    keranjang = two_cooperatives[3]
    from marketplace.accounts.models import AccountKind

    for person, code in ((create_user(verified=False), "email_not_verified"),
                         (create_user(kind=AccountKind.ADMIN), "admin_cannot_order")):
        with refused(code, NotPermitted):
            place_order(person, (keranjang, 1))


def test_courier_fees_come_from_the_cooperatives_rates_for_the_destination_province(buyer, two_cooperatives):
    _, anyaman, _, keranjang = two_cooperatives
    update_delivery_settings(owner_of(anyaman), anyaman, DeliveryDetails(
        offers_pickup=False, offers_arranged=False, pickup_instructions="", rates={"33": 25_000, "35": 60_000}))
    checkout = place_order(buyer, (keranjang, 2), delivery="courier")
    order = checkout.orders[0]
    assert (order.delivery_method, order.delivery_fee, order.total) == (DeliveryMethod.COURIER, 25_000, 195_000)
    store = StoredCart(buyer)
    add_to_cart(store, keranjang.slug, 1)
    far = address().__class__(**{**SHIPPING_ADDRESS, "province_code": "94", "regency_code": "94.71"})
    with refused("checkout_not_ready") as caught:
        plan_checkout(buyer, store, far, PaymentMethod.ON_DELIVERY,
                      {anyaman.id: SupplierChoice(DeliveryMethod.COURIER)})
    assert f"delivery_{anyaman.id}" in caught.value.field_errors
    with refused("checkout_not_ready"):  # pickup is not offered by this cooperative
        plan_checkout(buyer, store, address(), PaymentMethod.ON_DELIVERY,
                      {anyaman.id: SupplierChoice(DeliveryMethod.PICKUP)})


def test_a_regency_outside_the_province_is_refused(buyer, two_cooperatives):
    _, anyaman, _, keranjang = two_cooperatives
    store = StoredCart(buyer)
    add_to_cart(store, keranjang.slug, 1)
    wrong = address().__class__(**{**SHIPPING_ADDRESS, "regency_code": "35.78"})
    with refused("checkout_not_ready") as caught:
        plan_checkout(buyer, store, wrong, PaymentMethod.ON_DELIVERY,
                      {anyaman.id: SupplierChoice(DeliveryMethod.PICKUP)})
    assert "regency_code" in caught.value.field_errors


def test_bank_transfer_orders_wait_for_payment_until_a_deadline(buyer, two_cooperatives, app):
    _, _, _, keranjang = two_cooperatives
    order = place_order(buyer, (keranjang, 1), payment="bank_transfer").orders[0]
    assert order.status == OrderStatus.AWAITING_PAYMENT
    hours = (order.payment_due_at - order.placed_at).total_seconds() / 3600
    assert hours == app.config["ORDER_PAYMENT_HOURS"]


def test_order_prefixes_are_given_at_registration_and_unique_across_cooperatives(app):
    first = create_cooperative(name="Koperasi Tenun Sumba Jaya")
    second = create_cooperative(name="Koperasi Tani Sejahtera Jaya")
    assert (first.order_prefix, second.order_prefix) == ("TSJ", "TSJ2")
    assert order_prefix_of(first) == "TSJ"
    second.order_prefix = None  # loaded in bulk without letters: numbered by id, never clashing with given ones
    assert order_prefix_of(second) == f"K-{second.id}"


def test_a_product_with_orders_cannot_be_deleted_only_archived(buyer, two_cooperatives):
    keranjang = two_cooperatives[3]
    place_order(buyer, (keranjang, 1))
    line = db.session.scalar(sa.select(OrderLine))
    assert line.product_id == keranjang.id
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        db.session.execute(sa.delete(Product).where(Product.id == keranjang.id))
    db.session.rollback()


def test_a_product_not_on_sale_cannot_be_added(buyer, app):
    draft = create_product(status="draft")
    with pytest.raises(NotFound):
        add_to_cart(StoredCart(buyer), draft.slug, 1)


def test_a_member_of_the_cooperative_can_buy_as_an_ordinary_buyer(app, two_cooperatives):
    _, anyaman, _, keranjang = two_cooperatives
    person = create_user()
    create_member(anyaman, user_id=person.id)
    assert place_order(person, (keranjang, 1)).orders[0].cooperative_id == anyaman.id
    add_staff(anyaman, user=create_user())  # staff of the same cooperative are the ones refused (above)
