"""Giving money back: full or partial, with a reason, never more than was paid. Card money goes back through
Stripe (the platform collected it, so its administrators refund it); money the cooperative received it gives back
by transfer and records here. Either way the members' earnings booked for the order fall in proportion."""

from datetime import date

import sqlalchemy as sa

from marketplace.accounts.models import User
from marketplace.cooperatives.models import Cooperative
from marketplace.cooperatives.permissions import Capability, can
from marketplace.core.audit import SYSTEM, record_audit
from marketplace.core.errors import Conflict, DomainError, InvalidDetails, NotFound, NotPermitted
from marketplace.core.i18n import gettext as _
from marketplace.core.mail import send_mail_after_commit
from marketplace.core.money import format_rupiah
from marketplace.core.timeutil import local_today
from marketplace.core.unit_of_work import refused_by_database
from marketplace.extensions import db
from marketplace.ledger.services.journal import match_refunds
from marketplace.ordering.models import Order, OrderStatus
from marketplace.payments.models import (
    CardPayment,
    CollectedBy,
    OrderPayment,
    PaymentAudit,
    Refund,
    RefundMethod,
)
from marketplace.payments.services import gateway
from marketplace.payments.services.received import payment_of

MAX_REASON_LENGTH = 500


def refundable(order: Order) -> int:
    """What can still be given back on the order: what was paid less what was refunded."""
    payment = payment_of(order)
    return payment.amount - order.refunded_amount if payment is not None else 0


def may_refund(actor, order: Order, payment: OrderPayment | None) -> bool:
    if payment is None or actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if payment.collected_by == CollectedBy.PLATFORM:
        return actor.is_admin
    return actor.is_admin or can(actor, order.cooperative, Capability.MANAGE_MONEY)


def refund_order(actor: User, order: Order, *, amount: int | None, reason: str, reference: str = "",
                 refunded_on: date | None = None) -> Refund:
    order = _locked(order)
    payment = payment_of(order, lock=True)
    if payment is None:
        raise DomainError(_("This order has not been paid: there is nothing to refund."), code="not_paid")
    if not may_refund(actor, order, payment):
        raise NotPermitted(_("Card payments are refunded by the platform's administrators.")
                           if payment.collected_by == CollectedBy.PLATFORM
                           else _("Your role in this cooperative does not allow this."), code="refund_not_allowed")
    today = local_today(order.cooperative.time_zone)
    reason, reference = (reason or "").strip(), (reference or "").strip()
    by_card = payment.collected_by == CollectedBy.PLATFORM
    left = payment.amount - order.refunded_amount
    errors = {}
    if amount is None or amount <= 0:
        errors["amount"] = _("Enter the amount to refund.")
    elif amount > left:
        errors["amount"] = (_("At most %(amount)s can still be refunded on this order.", amount=format_rupiah(left))
                            if left else _("This order's payment has been refunded in full already."))
    if not reason:
        errors["reason"] = _("Say why the money goes back: the buyer reads it.")
    elif len(reason) > MAX_REASON_LENGTH:
        errors["reason"] = _("Keep the reason under %(max)d characters.", max=MAX_REASON_LENGTH)
    if not by_card:
        if refunded_on is None or refunded_on > today:
            errors["refunded_on"] = _("Enter the day the money was transferred back (not in the future).")
        if not reference:
            errors["reference"] = _("Enter the reference of the transfer back to the buyer.")
    if errors:
        raise InvalidDetails(errors, code="refund_invalid")
    assert amount is not None
    if by_card:
        card_payment = db.session.get(CardPayment, payment.card_payment_id)
        assert card_payment is not None
        # Last, once everything else is checked: nothing at Stripe moves for a refund this action would refuse.
        stripe_refund = gateway.refund_intent(card_payment.intent_id, amount, order_number=order.number,
                                              reason=reason)
        refund = Refund(order_payment_id=payment.id, order_id=order.id, amount=amount, method=RefundMethod.CARD,
                        reason=reason[:MAX_REASON_LENGTH], stripe_refund_id=stripe_refund.id,
                        reference=stripe_refund.id, refunded_on=today, recorded_by_id=actor.id)
    else:
        refund = Refund(order_payment_id=payment.id, order_id=order.id, amount=amount,
                        method=RefundMethod.TRANSFER, reason=reason, reference=reference[:120],
                        refunded_on=refunded_on or today, recorded_by_id=actor.id)
    _book(order, refund, actor)
    return refund


def _locked(order: Order) -> Order:
    locked = db.session.scalar(sa.select(Order).where(Order.id == order.id).with_for_update(of=Order)
                               .execution_options(populate_existing=True))
    if locked is None:
        raise NotFound(_("This order does not exist."))
    return locked


def _book(order: Order, refund: Refund, actor) -> None:
    """The refund, the order's refunded total and the ledger's matching entries, in the caller's transaction."""
    with refused_by_database(lambda: Conflict(_("This refund is already recorded."), code="refund_recorded")):
        db.session.add(refund)
    order.refunded_amount += refund.amount
    db.session.flush()
    match_refunds(order, actor)
    record_audit(PaymentAudit.REFUNDED, actor=actor, target=order, amount=refund.amount, method=str(refund.method),
                 note=refund.reason)
    send_mail_after_commit(order.buyer.email, "refund", locale=order.buyer.preferred_locale, order=order,
                           refund=refund)


def take_stripe_refunds(intent_id: str | None) -> str:
    """Stripe reports refunds (made here, or by someone in Stripe's dashboard): any not recorded yet is recorded
    against its order (the order number rides in the refund's metadata; a checkout of one order needs none).
    One that cannot be matched, or that is more than the order has left, is flagged for an administrator."""
    card_payment = db.session.scalar(sa.select(CardPayment).where(CardPayment.intent_id == intent_id)) \
        if intent_id else None
    if card_payment is None:
        record_audit(PaymentAudit.STRIPE_EVENT_UNKNOWN, actor=SYSTEM, intent=intent_id, event="refund")
        return "unknown_intent"
    payments = list(db.session.scalars(sa.select(OrderPayment).where(OrderPayment.card_payment_id == card_payment.id)
                                       .order_by(OrderPayment.id)))
    recorded = 0
    for stripe_refund in gateway.refunds_of_intent(card_payment.intent_id):
        refund_id, metadata = stripe_refund["id"], stripe_refund.get("metadata") or {}
        if stripe_refund.get("status") not in ("succeeded", "pending") or _is_recorded(refund_id):
            continue
        number = metadata.get("order")
        matching = [payment for payment in payments if payment.order.number == number] if number else payments
        amount = gateway.from_stripe_amount(int(stripe_refund["amount"]))
        if len(matching) != 1 or amount <= 0:
            record_audit(PaymentAudit.STRIPE_REFUND_UNMATCHED, actor=SYSTEM, target=card_payment.subject,
                         refund=refund_id, amount=stripe_refund["amount"])
            continue
        order = _locked(matching[0].order)
        if _is_recorded(refund_id):  # recorded by the refund that made it while this waited for the lock
            continue
        if amount > matching[0].amount - order.refunded_amount:
            record_audit(PaymentAudit.STRIPE_REFUND_UNMATCHED, actor=SYSTEM, target=order, refund=refund_id,
                         amount=amount)
            continue
        reason = metadata.get("reason") or _("Refunded at the card processor.")
        _book(order, Refund(order_payment_id=matching[0].id, order_id=order.id, amount=amount,
                            method=RefundMethod.CARD, reason=str(reason)[:MAX_REASON_LENGTH],
                            stripe_refund_id=refund_id, reference=refund_id,
                            refunded_on=local_today(order.cooperative.time_zone)), SYSTEM)
        recorded += 1
    return "refund_recorded" if recorded else "refund_known"


def _is_recorded(stripe_refund_id: str) -> bool:
    return db.session.scalar(sa.select(Refund.id).where(Refund.stripe_refund_id == stripe_refund_id)) is not None


def refunds_of(order: Order) -> list[Refund]:
    return list(db.session.scalars(sa.select(Refund).where(Refund.order_id == order.id).order_by(Refund.id)))


def refunds_due_query(cooperative: Cooperative | None = None) -> sa.Select:
    """Paid orders that ended without a sale (cancelled, rejected, or expired while the card payment came in) and
    still hold the buyer's money."""
    query = (sa.select(Order, OrderPayment).join(OrderPayment, OrderPayment.order_id == Order.id)
             .where(Order.status.in_([OrderStatus.CANCELLED, OrderStatus.REJECTED, OrderStatus.EXPIRED]),
                    Order.refunded_amount < OrderPayment.amount))
    if cooperative is not None:
        query = query.where(Order.cooperative_id == cooperative.id)
    return query.order_by(Order.closed_at, Order.id)


def refunds_due(cooperative: Cooperative | None = None, limit: int = 50) -> list:
    return list(db.session.execute(refunds_due_query(cooperative).limit(limit)))
