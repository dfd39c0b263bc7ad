"""Demo orders: a buyer's checkouts in several states, so the order pages have something to show on first run."""

import sqlalchemy as sa

from marketplace.accounts.services import find_user_by_email
from marketplace.catalog.models import Product, ProductStatus
from marketplace.cooperatives.models import Cooperative, StaffMembership, StaffRole
from marketplace.extensions import db
from marketplace.ordering.models import DeliveryMethod, InvoiceTerms, Order, PaymentMethod
from marketplace.ordering.services.cart import StoredCart, add_to_cart
from marketplace.ordering.services.checkout import Address, SupplierChoice, place_checkout, plan_checkout
from marketplace.ordering.services.delivery import DeliveryDetails, update_delivery_settings
from marketplace.ordering.services.lifecycle import OrderAction, perform, rate_order

BUYER_EMAIL = "pembeli@contoh.id"
OFFICER_EMAIL = "pengadaan@mojokertokota.go.id"
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
    if tunas is not None:
        report.extend(_seed_savings(tunas))
        report.extend(_seed_invoice_order(tunas))
    return report


def _seed_invoice_order(cooperative: Cooperative) -> list[str]:
    """A government office with 30-day terms, and an order of theirs delivered and waiting for its invoice to be
    paid (with an SP2D), so the invoice pages have something to show."""
    officer = find_user_by_email(OFFICER_EMAIL)
    product = db.session.scalar(sa.select(Product).where(Product.cooperative_id == cooperative.id,
                                                         Product.status == ProductStatus.ACTIVE).order_by(Product.id))
    if officer is None or product is None:
        return []
    db.session.add(InvoiceTerms(buyer_id=officer.id, institution="Dinas Koperasi, UKM dan Perdagangan Kota Mojokerto",
                                days=30))
    db.session.flush()
    store = StoredCart(officer)
    add_to_cart(store, product.slug, max(20, product.min_order_quantity))
    choices = {cooperative.id: SupplierChoice(DeliveryMethod.COURIER, "Untuk bingkisan tamu dinas.")}
    plan = plan_checkout(officer, store, ADDRESS, PaymentMethod.ON_INVOICE, choices)
    order = place_checkout(officer, store, ADDRESS, PaymentMethod.ON_INVOICE, choices,
                           idempotency_key="demo-checkout-invoice", fingerprint=plan.fingerprint).orders[0]
    staff = _owner(cooperative)
    perform(order, OrderAction.ACCEPT, staff)
    perform(order, OrderAction.SHIP, staff, carrier="JNE", tracking_number="JNE0987654321")
    perform(order, OrderAction.CONFIRM_RECEIPT, officer)
    return [f"created order {order.number} on invoice, due {order.payment_due_at:%Y-%m-%d}"]


def _seed_savings(cooperative: Cooperative) -> list[str]:
    """The cooperative's savings amounts and a few months of members' deposits; some members fall behind."""
    from datetime import date

    from marketplace.cooperatives.models import Member
    from marketplace.core.timeutil import local_today
    from marketplace.ledger.models import Account
    from marketplace.ledger.services.savings import SavingsMovement, record_savings, set_savings_amounts

    def months_ago(count: int) -> date:
        today = local_today(cooperative.time_zone)
        index = today.year * 12 + today.month - 1 - count
        return date(index // 12, index % 12 + 1, 1)

    staff = _owner(cooperative)
    set_savings_amounts(staff, cooperative, pokok=100_000, wajib_monthly=20_000, counted_from=months_ago(5))
    members = list(db.session.scalars(sa.select(Member).where(Member.cooperative_id == cooperative.id,
                                                             Member.status == "active").order_by(Member.id)))
    for index, member in enumerate(members):
        record_savings(staff, cooperative, SavingsMovement(member_id=member.id, account=Account.SIMPANAN_POKOK,
                                                           amount=100_000, on=months_ago(5)))
        for month in range(5, index % 3, -1):  # the later members are a month or two behind
            record_savings(staff, cooperative, SavingsMovement(
                member_id=member.id, account=Account.SIMPANAN_WAJIB, amount=20_000, on=months_ago(month),
                month=months_ago(month)))
    return [f"recorded savings of {len(members)} members of {cooperative.name}"]
