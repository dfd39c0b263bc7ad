"""Placing a checkout: one supplier order per cooperative, stock taken from members' lots, in one transaction.

Prices, fees and stock are read again on the server under row locks; the page the buyer confirmed carries a
fingerprint of what it showed, and nothing is placed unless it still matches."""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app

from marketplace.accounts.models import User
from marketplace.catalog.models import Availability, Product
from marketplace.catalog.services.stock import count_orders_of, lock_products, take_stock
from marketplace.cooperatives.models import Cooperative
from marketplace.core.audit import record_audit
from marketplace.core.errors import Conflict, DomainError, InvalidDetails, NotPermitted
from marketplace.core.i18n import gettext as _
from marketplace.core.mail import send_mail_after_commit
from marketplace.core.regions import is_regency_of
from marketplace.core.timeutil import local_today, utcnow
from marketplace.core.unit_of_work import refused_by_database
from marketplace.extensions import db
from marketplace.ordering.models import (
    PAY_FIRST_METHODS,
    Checkout,
    DeliveryMethod,
    LotConsumption,
    Order,
    OrderAudit,
    OrderLine,
    OrderStatus,
    PaymentMethod,
)
from marketplace.ordering.services import events
from marketplace.ordering.services.cart import CartContents, CartStore, cart_contents, remove_ordered_lines
from marketplace.ordering.services.delivery import delivery_options
from marketplace.ordering.services.invoice_terms import terms_of
from marketplace.ordering.services.numbers import next_order_number, random_code

# A ready-stock order is handed over (shipped or ready for pickup) within this many days of being placed.
READY_STOCK_DISPATCH_DAYS = 2


class AlreadyPlaced(Conflict):
    """The same "place order" came twice (a double click, a replayed form): the first checkout stands."""

    def __init__(self, checkout: Checkout):
        super().__init__(_("This order was already placed."))
        self.checkout = checkout


class CheckoutChanged(Conflict):
    """Prices, fees or what can be ordered changed since the buyer's review: they must look again."""


@dataclass(frozen=True)
class Address:
    recipient_name: str
    phone: str
    province_code: str
    regency_code: str
    street_address: str
    postal_code: str | None = None


@dataclass(frozen=True)
class SupplierChoice:
    delivery_method: DeliveryMethod
    note: str = ""


@dataclass
class CheckoutPlan:
    """What the review page shows and placing creates: the cart as it is now, with each cooperative's fee."""

    contents: CartContents
    address: Address
    payment_method: PaymentMethod
    choices: dict[int, SupplierChoice]
    fees: dict[int, int] = field(default_factory=dict)
    invoice_terms_days: int | None = None

    @property
    def total(self) -> int:
        return self.contents.total + sum(self.fees.values())

    @property
    def fingerprint(self) -> str:
        """Everything a price on the review page depends on; a change to any of them changes this."""
        shown = [[group.cooperative.id, str(self.choices[group.cooperative.id].delivery_method),
                  self.fees[group.cooperative.id],
                  [[entry.product.id, entry.quantity, entry.quote.unit_price] for entry in group.orderable]]
                 for group in self.contents.groups if group.orderable]
        return hashlib.sha256(json.dumps([shown, str(self.payment_method)]).encode()).hexdigest()[:32]


def require_buyer(user: User) -> None:
    if user.is_admin:
        raise NotPermitted(_("Platform administrators do not buy here."), code="admin_cannot_order")
    if not user.email_verified:
        raise NotPermitted(_("Confirm your email address first (we sent you a link), then place your order."),
                           code="email_not_verified")


def plan_checkout(user: User, store: CartStore, address: Address, payment_method: PaymentMethod,
                  choices: dict[int, SupplierChoice]) -> CheckoutPlan:
    """Check the address, the cart and each cooperative's delivery choice; refuse with every reason at once."""
    contents = cart_contents(store, user)
    if not any(group.orderable for group in contents.groups):
        raise DomainError(_("Your cart has nothing that can be ordered."), code="cart_empty")
    blocking = [entry for entry in contents.entries if entry.problem and entry.on_sale]
    if blocking:  # a quantity to change in the cart (more than is left, below the minimum) comes first
        raise DomainError(" ".join(entry.problem or "" for entry in blocking), code=blocking[0].problem_code)
    errors: dict[str, str] = {}
    if not is_regency_of(address.regency_code, address.province_code):
        errors["regency_code"] = _("Choose a regency or city in the chosen province.")
    plan = CheckoutPlan(contents=contents, address=address, payment_method=payment_method, choices=choices)
    if payment_method == PaymentMethod.ON_INVOICE:
        terms = terms_of(user)
        if terms is None:
            errors["payment_method"] = _("Paying on invoice needs payment terms agreed for your institution; "
                                         "choose another way to pay.")
        else:
            plan.invoice_terms_days = terms.days
    options = delivery_options([group.cooperative.id for group in contents.groups], address.province_code)
    for group in contents.groups:
        if not group.orderable:
            continue
        cooperative_id = group.cooperative.id
        choice = choices.get(cooperative_id)
        offered = {option.method: option.fee for option in options[cooperative_id]}
        if choice is None or choice.delivery_method not in offered:
            errors[f"delivery_{cooperative_id}"] = _("Choose how %(cooperative)s hands over your goods.",
                                                     cooperative=group.cooperative.name)
        elif offered[choice.delivery_method] is None:
            errors[f"delivery_{cooperative_id}"] = _(
                "%(cooperative)s does not send by courier to this province; choose another way.",
                cooperative=group.cooperative.name)
        else:
            plan.fees[cooperative_id] = offered[choice.delivery_method] or 0
    if errors:
        raise InvalidDetails(errors, code="checkout_not_ready")
    return plan


def _existing_checkout(idempotency_key: str) -> Checkout | None:
    return db.session.scalar(sa.select(Checkout).where(Checkout.idempotency_key == idempotency_key))


def place_checkout(user: User, store: CartStore, address: Address, payment_method: PaymentMethod,
                   choices: dict[int, SupplierChoice], *, idempotency_key: str, fingerprint: str) -> Checkout:
    """Place the reviewed cart: one order per cooperative. Everything happens in the caller's one transaction —
    orders, stock taken, lot consumptions, audit rows — so a refusal anywhere leaves nothing behind."""
    require_buyer(user)
    existing = _existing_checkout(idempotency_key)
    if existing is not None:
        raise AlreadyPlaced(existing) if existing.buyer_id == user.id else Conflict(_("This form has expired."))
    checkout = Checkout(reference=f"CO-{random_code(10)}", idempotency_key=idempotency_key, buyer_id=user.id,
                        payment_method=payment_method, recipient_name=address.recipient_name, phone=address.phone,
                        province_code=address.province_code, regency_code=address.regency_code,
                        street_address=address.street_address, postal_code=address.postal_code)
    # Written first: the same form sent twice at once waits here for the first, then finds it placed.
    try:
        with refused_by_database(lambda: Conflict("duplicate checkout")):
            db.session.add(checkout)
    except Conflict:
        placed = _existing_checkout(idempotency_key)
        if placed is not None and placed.buyer_id == user.id:
            raise AlreadyPlaced(placed) from None
        raise Conflict(_("This form has expired.")) from None

    lock_products(store.lines())
    plan = plan_checkout(user, store, address, payment_method, choices)
    if plan.fingerprint != fingerprint:
        raise CheckoutChanged(_("Prices, delivery fees or availability changed since you looked. Check the new "
                                "figures below and confirm again."), code="checkout_changed")
    with db.session.no_autoflush:  # the orders are written once, numbered, at the end
        orders = [_supplier_order(user, checkout, plan, group) for group in plan.contents.groups if group.orderable]
        # Numbers last: the counter row stays locked only for the rest of this transaction, so other checkouts at
        # the same cooperative wait as little as possible.
        for order in orders:
            order.sequence, order.number = next_order_number(order.cooperative, order.year)
    checkout.total = plan.total
    remove_ordered_lines(store, [entry.product.id for group in plan.contents.groups for entry in group.orderable])
    db.session.flush()
    for order in orders:
        events.order_placed(order)
        record_audit(OrderAudit.ORDER_PLACED, actor=user, target=order, to=str(order.status), total=order.total,
                     checkout=checkout.reference)
    _notify_placed(user, checkout)
    return checkout


def _supplier_order(user: User, checkout: Checkout, plan: CheckoutPlan, group) -> Order:
    """The order for one cooperative's lines, with the stock it takes; numbered by the caller."""
    cooperative = group.cooperative
    today = local_today(cooperative.time_zone)
    now = utcnow()
    pay_first = plan.payment_method in PAY_FIRST_METHODS
    lead_days = group.lead_time_days
    order = Order(
        cooperative=cooperative, year=today.year, checkout=checkout,
        buyer_id=user.id, status=OrderStatus.AWAITING_PAYMENT if pay_first else OrderStatus.PLACED,
        payment_method=plan.payment_method, delivery_method=plan.choices[cooperative.id].delivery_method,
        delivery_fee=plan.fees[cooperative.id], subtotal=group.subtotal,
        total=group.subtotal + plan.fees[cooperative.id], buyer_note=plan.choices[cooperative.id].note.strip(),
        placed_at=now, verification_code=random_code(16),
        payment_due_at=now + timedelta(hours=current_app.config["ORDER_PAYMENT_HOURS"]) if pay_first else None,
        invoice_terms_days=plan.invoice_terms_days,
        ship_by=today + timedelta(days=lead_days if lead_days is not None else READY_STOCK_DISPATCH_DAYS),
    )
    db.session.add(order)
    for entry in sorted(group.orderable, key=lambda entry: entry.product.id):
        _add_line(order, entry.product, entry.quantity, entry.quote.unit_price)
    return order


def _add_line(order: Order, product: Product, quantity: int, unit_price: int) -> None:
    """A line snapshot of a product locked with `lock_products`; ready stock is taken from the members' lots
    (oldest first) and recorded as lot consumptions, made-to-order goods only count the order."""
    line = OrderLine(product_id=product.id, product_name=product.name, sku=product.sku, unit=str(product.unit),
                     availability=str(product.availability), lead_time_days=product.lead_time_days,
                     unit_price=unit_price, quantity=quantity, line_total=unit_price * quantity)
    order.lines.append(line)
    if product.availability == Availability.READY_STOCK:  # counts the order too
        for lot, taken in take_stock(product, quantity):
            line.consumptions.append(LotConsumption(lot_id=lot.id, quantity=taken))
    else:
        count_orders_of(product.id, 1)


@dataclass(frozen=True)
class AgreedLine:
    product_id: int
    quantity: int
    unit_price: int


def place_agreed_order(buyer: User, cooperative: Cooperative, lines: list[AgreedLine], address: Address, *,
                       ship_by: date, note: str, invoice_terms_days: int, idempotency_key: str) -> Order:
    """An order whose lines and prices were agreed before it reached the cart's path — a government purchase
    order the cooperative accepted. It is an ordinary order from here on: paid on invoice, the stock taken from
    the members' lots under the same row locks, numbered, placed and accepted, in the caller's transaction.
    Refused, changing nothing, when ready stock has run short."""
    if _existing_checkout(idempotency_key) is not None:
        raise Conflict(_("This order was already placed."), code="already_placed")
    checkout = Checkout(reference=f"CO-{random_code(10)}", idempotency_key=idempotency_key, buyer_id=buyer.id,
                        payment_method=PaymentMethod.ON_INVOICE, recipient_name=address.recipient_name,
                        phone=address.phone, province_code=address.province_code,
                        regency_code=address.regency_code, street_address=address.street_address,
                        postal_code=address.postal_code)
    db.session.add(checkout)
    products = lock_products(line.product_id for line in lines)
    now = utcnow()
    order = Order(cooperative=cooperative, year=local_today(cooperative.time_zone).year, checkout=checkout,
                  buyer_id=buyer.id, status=OrderStatus.PLACED, payment_method=PaymentMethod.ON_INVOICE,
                  delivery_method=DeliveryMethod.ARRANGED, delivery_fee=0,
                  subtotal=sum(line.unit_price * line.quantity for line in lines),
                  total=sum(line.unit_price * line.quantity for line in lines), buyer_note=note.strip()[:1000],
                  placed_at=now, verification_code=random_code(16), invoice_terms_days=invoice_terms_days,
                  ship_by=ship_by)
    db.session.add(order)
    with db.session.no_autoflush:
        for line in sorted(lines, key=lambda line: line.product_id):
            _add_line(order, products[line.product_id], line.quantity, line.unit_price)
        order.sequence, order.number = next_order_number(cooperative, order.year)
    checkout.total = order.total
    db.session.flush()
    events.order_placed(order)
    record_audit(OrderAudit.ORDER_PLACED, actor=buyer, target=order, to=str(order.status), total=order.total,
                 checkout=checkout.reference)
    return order


def _notify_placed(user: User, checkout: Checkout) -> None:
    send_mail_after_commit(user.email, "order_placed_buyer", locale=user.preferred_locale, checkout=checkout,
                           buyer=user)
    for order in checkout.orders:
        send_mail_after_commit(order.cooperative.email, "order_placed_cooperative", order=order)
