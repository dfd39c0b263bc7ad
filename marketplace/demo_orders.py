"""Demo orders: a buyer's checkouts in several states, so the order pages have something to show on first run."""

import sqlalchemy as sa

from marketplace.accounts.services import find_user_by_email
from marketplace.catalog.models import Product, ProductStatus
from marketplace.cooperatives.models import Cooperative, StaffMembership, StaffRole
from marketplace.extensions import db
from marketplace.ordering.models import DeliveryMethod, Order, PaymentMethod
from marketplace.ordering.services.cart import StoredCart, add_to_cart
from marketplace.ordering.services.checkout import Address, SupplierChoice, place_checkout, plan_checkout
from marketplace.ordering.services.delivery import DeliveryDetails, update_delivery_settings
from marketplace.ordering.services.lifecycle import OrderAction, perform, rate_order

BUYER_EMAIL = "pembeli@contoh.id"
ADDRESS = Address(recipient_name="Budi Santoso", phone="+6281510000003", province_code="35",
                  regency_code="35.76", street_address="Jl. Gajah Mada 145, Kel. Sentanan, Kec. Magersari",
                  postal_code="61314")
# (cooperative slug, payment, delivery, what happens after, [(product SKU, quantity)])
DEMO_CHECKOUTS = [
    ("koperasi-produsen-tunas-sukowati-jaya", PaymentMethod.ON_DELIVERY, DeliveryMethod.COURIER, "completed", 0, 12),
    ("kopontren-sunan-drajat", PaymentMethod.ON_DELIVERY, DeliveryMethod.ARRANGED, "accepted", 0, 24),
    ("koperasi-produsen-tunas-sukowati-jaya", PaymentMethod.BANK_TRANSFER, DeliveryMethod.PICKUP, "awaiting", 1, 2),
]


def _owner(cooperative: Cooperative):
    return db.session.scalars(sa.select(StaffMembership).where(StaffMembership.cooperative_id == cooperative.id,
                                                               StaffMembership.role == StaffRole.BOARD)).one().user


def seed_demo_orders() -> list[str]:
    buyer = find_user_by_email(BUYER_EMAIL)
    if buyer is None or db.session.scalar(sa.select(Order.id).where(Order.buyer_id == buyer.id).limit(1)):
        return []
    report = []
    tunas = db.session.scalar(sa.select(Cooperative).where(Cooperative.slug == DEMO_CHECKOUTS[0][0]))
    if tunas is not None:
        update_delivery_settings(_owner(tunas), tunas, DeliveryDetails(
            offers_pickup=True, offers_arranged=True, rates={"33": 15_000, "35": 30_000, "31": 45_000},
            pickup_instructions="Kantor koperasi, Senin–Sabtu 08.00–15.00, temui Bu Sri."))
    for index, (slug, payment, delivery, outcome, product_index, quantity) in enumerate(DEMO_CHECKOUTS):
        cooperative = db.session.scalar(sa.select(Cooperative).where(Cooperative.slug == slug))
        if cooperative is None:
            continue
        products = list(db.session.scalars(sa.select(Product).where(
            Product.cooperative_id == cooperative.id, Product.status == ProductStatus.ACTIVE).order_by(Product.id)))
        if len(products) <= product_index:
            continue
        product = products[product_index]
        store = StoredCart(buyer)
        add_to_cart(store, product.slug, max(quantity, product.min_order_quantity))
        choices = {cooperative.id: SupplierChoice(delivery, "Mohon dikemas rapi, untuk kantor.")}
        plan = plan_checkout(buyer, store, ADDRESS, payment, choices)
        checkout = place_checkout(buyer, store, ADDRESS, payment, choices, idempotency_key=f"demo-checkout-{index}",
                                  fingerprint=plan.fingerprint)
        order = checkout.orders[0]
        staff = _owner(cooperative)
        if outcome in ("accepted", "completed"):
            perform(order, OrderAction.ACCEPT, staff)
        if outcome == "completed":
            perform(order, OrderAction.SHIP, staff, carrier="JNE", tracking_number="JNE0123456789")
            perform(order, OrderAction.CONFIRM_RECEIPT, buyer)
            perform(order, OrderAction.CONFIRM_PAYMENT, staff)
            rate_order(order, buyer, rating=5, comment="Anyaman rapi, pengiriman cepat.")
        report.append(f"created order {order.number} ({order.status.value})")
    return report
