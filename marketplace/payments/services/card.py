"""Card payments: one PaymentIntent per checkout (or per order paid on invoice by card), and Stripe's signed
events processed exactly once.

An event's id is written first under a unique key: the same event sent twice, replayed later, or delivered to two
workers at the same moment is taken in once (the second waits on the first's insert, then finds it). The payment
row is locked before it changes, so events about one payment take turns whatever order they come in."""

import logging
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from marketplace.accounts.models import User
from marketplace.core.audit import SYSTEM, record_audit
from marketplace.core.errors import Conflict, DomainError, NotPermitted
from marketplace.core.i18n import gettext as _
from marketplace.core.mail import send_mail_after_commit
from marketplace.core.timeutil import local_today
from marketplace.core.unit_of_work import refused_by_database
from marketplace.extensions import db
from marketplace.ordering.models import Checkout, Order, OrderStatus, PaymentMethod
from marketplace.ordering.services.lifecycle import OrderAction, perform_if_still_due
from marketplace.payments.models import CardPayment, CardPaymentStatus, PaymentAudit, StripeEvent
from marketplace.payments.services import gateway
from marketplace.payments.services.received import record_received
from marketplace.payments.services.refunds import take_stripe_refunds

log = logging.getLogger(__name__)

# Stripe reports a refund with any of these (which ones depends on the account's API version): each makes the
# refunds of the PaymentIntent be read back and any not recorded yet be recorded.
REFUND_EVENTS = frozenset({"charge.refunded", "charge.refund.updated", "refund.created", "refund.updated"})


def amount_due(checkout: Checkout) -> int:
    """What the checkout's orders still waiting for payment add up to."""
    return sum(order.total for order in checkout.orders if order.status == OrderStatus.AWAITING_PAYMENT)


@dataclass(frozen=True)
class StartedPayment:
    payment: CardPayment
    client_secret: str  # handed to the browser's card form, never stored


def start_card_payment(buyer: User, checkout: Checkout, *, payment_method: str | None = None) -> StartedPayment:
    """The PaymentIntent for a card checkout (made once; asked again, the same one is returned)."""
    if checkout.buyer_id != buyer.id or checkout.payment_method != PaymentMethod.CARD:
        raise NotPermitted(_("This checkout is not paid by card."), code="not_card_checkout")
    existing = db.session.scalar(sa.select(CardPayment).where(CardPayment.checkout_id == checkout.id))
    if existing is not None:
        return StartedPayment(existing, gateway.client_secret_of(existing.intent_id))
    amount = amount_due(checkout)
    if amount <= 0:
        raise DomainError(_("Nothing is left to pay for this checkout."), code="nothing_to_pay")
    intent = gateway.create_intent(amount, reference=checkout.reference, payment_method=payment_method)
    payment = CardPayment(checkout_id=checkout.id, intent_id=intent.id, amount=amount, currency="idr")
    with refused_by_database(lambda: Conflict(_("This checkout's payment was started at the same moment."))):
        db.session.add(payment)
    record_audit(PaymentAudit.CARD_PAYMENT_STARTED, actor=buyer, target=checkout, intent=intent.id, amount=amount)
    return StartedPayment(payment, intent.client_secret)


# `listener(order, payment)` runs, in the webhook's unit of work, when a card pays an order's invoice: the domain
# that asked for the payment (procurement, for a government card) records it where it belongs.
_invoice_paid: list[Callable] = []


def when_invoice_paid_by_card(listener: Callable) -> Callable:
    _invoice_paid.append(listener)
    return listener


def start_invoice_card_payment(payer: User, order: Order, amount: int, *, reference: str) -> StartedPayment:
    """The PaymentIntent for an order's invoice paid by card, for `amount` (what the invoice asks once the tax
    withheld is taken off); the caller has checked the payer may pay it. Asked again, the same one is returned,
    so a card refused once can be tried again on it."""
    if order.payment_method != PaymentMethod.ON_INVOICE or order.paid_at is not None:
        raise Conflict(_("This order's invoice is not waiting for a card payment."), code="not_card_payable")
    existing = card_payment_of(order)
    if existing is not None:
        if existing.amount != amount:
            raise Conflict(_("A card payment of another amount was started for this invoice."),
                           code="card_amount_changed")
        return StartedPayment(existing, gateway.client_secret_of(existing.intent_id))
    intent = gateway.create_intent(amount, reference=reference)
    payment = CardPayment(order_id=order.id, intent_id=intent.id, amount=amount, currency="idr",
                          started_by_id=payer.id)
    with refused_by_database(lambda: Conflict(_("This invoice's card payment was started at the same moment."))):
        db.session.add(payment)
    record_audit(PaymentAudit.CARD_PAYMENT_STARTED, actor=payer, target=order, intent=intent.id, amount=amount)
    return StartedPayment(payment, intent.client_secret)


def card_payment_of(order: Order) -> CardPayment | None:
    """The card payment started for this order's invoice, if any."""
    return db.session.scalar(sa.select(CardPayment).where(CardPayment.order_id == order.id))


def abandon_failed_card_payment(payment: CardPayment) -> None:
    """An invoice whose card was refused is paid another way: its intent is cancelled so the card cannot go
    through later as well. Refused while the card payment may still succeed."""
    if payment.status != CardPaymentStatus.FAILED:
        raise Conflict(_("A card payment was started for this invoice: it is recorded when the card processor "
                         "confirms it."), code="card_payment_started")
    if not gateway.cancel_intent(payment.intent_id):
        raise Conflict(_("The card payment could not be cancelled at the card processor; try again in a moment."),
                       code="card_payment_not_cancelled")
    payment.status = CardPaymentStatus.CANCELLED
    record_audit(PaymentAudit.CARD_PAYMENT_ABANDONED, actor=SYSTEM, target=payment.subject, intent=payment.intent_id)


def take_event(event) -> str:
    """Process a verified event once; returns what was done ("duplicate" when it was already taken in)."""
    event = event.to_dict() if hasattr(event, "to_dict") else event  # the library's objects are not dicts
    subject = event["data"]["object"]
    intent = subject if event["type"].startswith("payment_intent.") else None
    about_refund = event["type"] in REFUND_EVENTS
    intent_id = intent["id"] if intent is not None else subject.get("payment_intent") if about_refund else None
    try:
        with refused_by_database(lambda: Conflict("duplicate event")):
            db.session.add(StripeEvent(id=event["id"], kind=event["type"], intent_id=intent_id))
    except Conflict:
        return "duplicate"
    if about_refund:
        outcome = take_stripe_refunds(intent_id)
    else:
        outcome = "ignored" if intent is None else _apply_intent_event(event["type"], intent)
    db.session.execute(sa.update(StripeEvent).where(StripeEvent.id == event["id"]).values(outcome=outcome))
    return outcome


def _orders_paid_by(payment: CardPayment) -> list[Order]:
    """The orders the intent's amount was made of: those waiting for payment when it started. A card checkout's
    orders leave `awaiting_payment` only through this payment, by expiring or by being cancelled, so they are the
    ones still waiting and those closed since the payment started."""
    return list(db.session.scalars(
        sa.select(Order).where(Order.checkout_id == payment.checkout_id, sa.or_(
            Order.status == OrderStatus.AWAITING_PAYMENT,
            sa.and_(Order.status.in_([OrderStatus.EXPIRED, OrderStatus.CANCELLED]), Order.paid_at.is_(None),
                    Order.closed_at >= payment.created_at)))
        .order_by(Order.id).with_for_update(of=Order)))


def _apply_intent_event(kind: str, intent) -> str:
    payment = db.session.scalar(sa.select(CardPayment).where(CardPayment.intent_id == intent["id"])
                                .with_for_update(of=CardPayment).execution_options(populate_existing=True))
    if payment is None:
        record_audit(PaymentAudit.STRIPE_EVENT_UNKNOWN, actor=SYSTEM, intent=intent["id"], event=kind)
        return "unknown_intent"
    if payment.status == CardPaymentStatus.SUCCEEDED:
        return "already_paid"  # a late or repeated event changes nothing once the money is in
    if kind == "payment_intent.succeeded":
        received = gateway.from_stripe_amount(int(intent.get("amount_received") or intent["amount"]))
        if received != payment.amount or str(intent["currency"]).lower() != payment.currency:
            payment.status = CardPaymentStatus.MISMATCH
            record_audit(PaymentAudit.CARD_PAYMENT_MISMATCH, actor=SYSTEM, target=payment.subject,
                         expected=payment.amount, received=received, currency=str(intent["currency"]))
            return "mismatch"
        if payment.order_id is not None:
            return _invoice_paid_by_card(payment)
        covered = _orders_paid_by(payment)
        if sum(order.total for order in covered) != payment.amount:
            payment.status = CardPaymentStatus.MISMATCH
            record_audit(PaymentAudit.CARD_PAYMENT_MISMATCH, actor=SYSTEM, target=payment.subject,
                         expected=sum(order.total for order in covered), received=received, currency="idr")
            return "mismatch"
        payment.status, payment.failure_message = CardPaymentStatus.SUCCEEDED, None
        received_on = local_today(covered[0].cooperative.time_zone) if covered else local_today()
        for order in covered:
            record_received(order, received_on=received_on, reference=payment.intent_id, card_payment=payment)
            # Orders still waiting move on; one that expired or was cancelled meanwhile stays closed, and its money
            # waits on the list of refunds due.
            if order.status == OrderStatus.AWAITING_PAYMENT:
                perform_if_still_due(order.id, OrderAction.CONFIRM_PAYMENT)
        record_audit(PaymentAudit.CARD_PAYMENT_SUCCEEDED, actor=SYSTEM, target=payment.subject,
                     amount=payment.amount)
        return "paid"
    if kind == "payment_intent.payment_failed":
        error = intent.get("last_payment_error") or {}
        payment.status = CardPaymentStatus.FAILED
        payment.failure_message = str(error.get("message") or "")[:255] or None
        if payment.checkout is not None:  # an invoice's payer sees the refusal on the page they paid from
            buyer = payment.checkout.buyer
            send_mail_after_commit(buyer.email, "card_payment_failed", locale=buyer.preferred_locale,
                                   checkout=payment.checkout)
        record_audit(PaymentAudit.CARD_PAYMENT_FAILED, actor=SYSTEM, target=payment.subject)
        return "failed"
    return "ignored"


def _invoice_paid_by_card(payment: CardPayment) -> str:
    """The right amount arrived for an order's invoice: the domain that asked for it records it."""
    order = db.session.scalars(sa.select(Order).where(Order.id == payment.order_id).with_for_update(of=Order)
                               .execution_options(populate_existing=True)).one()
    if order.paid_at is not None:  # recorded paid some other way meanwhile: the money is to be given back
        payment.status = CardPaymentStatus.MISMATCH
        record_audit(PaymentAudit.CARD_PAYMENT_MISMATCH, actor=SYSTEM, target=order, expected=0,
                     received=payment.amount, currency="idr")
        return "mismatch"
    payment.status, payment.failure_message = CardPaymentStatus.SUCCEEDED, None
    for listener in _invoice_paid:
        listener(order, payment)
    record_audit(PaymentAudit.CARD_PAYMENT_SUCCEEDED, actor=SYSTEM, target=order, amount=payment.amount)
    return "paid"
