"""Payments' part in an order's life, hooked into ordering (which does not know payments)."""

import sqlalchemy as sa

from marketplace.accounts.models import User
from marketplace.core.audit import SYSTEM, record_audit
from marketplace.core.timeutil import local_today
from marketplace.extensions import db
from marketplace.ordering.services import events
from marketplace.ordering.services.lifecycle import OrderAction
from marketplace.payments.models import CardPayment, CardPaymentStatus, PaymentAudit
from marketplace.payments.services import gateway
from marketplace.payments.services.received import payment_of, record_received


@events.when_moved
def _record_payment_confirmed(order, action, source, target, actor) -> None:
    """Payments confirmed on the order itself (cash on delivery or pickup) are recorded too; those that come
    through payments with their details (card, transfer, invoice) are recorded before the move."""
    if action == OrderAction.CONFIRM_PAYMENT and payment_of(order) is None:
        record_received(order, received_on=local_today(order.cooperative.time_zone),
                        actor=actor if isinstance(actor, User) else None)


@events.before_expiring
def _cancel_the_card_payment_first(order) -> bool:
    """An unpaid card checkout expires only once its PaymentIntent is cancelled at Stripe: if the buyer paid at the
    last moment, the cancel fails, the orders wait, and the webhook marks them paid."""
    payment = db.session.scalar(sa.select(CardPayment).where(CardPayment.checkout_id == order.checkout_id)
                                .with_for_update(of=CardPayment))
    if payment is None or payment.status in (CardPaymentStatus.CANCELLED, CardPaymentStatus.FAILED):
        return True
    if payment.status != CardPaymentStatus.PENDING or not gateway.cancel_intent(payment.intent_id):
        return False
    payment.status = CardPaymentStatus.CANCELLED
    record_audit(PaymentAudit.CARD_PAYMENT_CANCELLED, actor=SYSTEM, target=payment.subject,
                 intent=payment.intent_id)
    return True
