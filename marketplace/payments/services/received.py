"""Money received for orders: one record per paid order, whoever collected it, and the platform's fee on what the
platform collected (at the rate in force that day)."""

from datetime import date

import sqlalchemy as sa

from marketplace.accounts.models import User
from marketplace.core.audit import record_audit
from marketplace.core.errors import Conflict, InvalidDetails, NotPermitted
from marketplace.core.i18n import gettext as _
from marketplace.core.unit_of_work import refused_by_database
from marketplace.extensions import db
from marketplace.ordering.models import Order, PaymentMethod
from marketplace.payments.models import CardPayment, CollectedBy, OrderPayment, PaymentAudit, PlatformFeeRate

MAX_FEE_BASIS_POINTS = 2000  # 20%: anything above is a typo, not a business decision


def fee_rate_on(day: date) -> int:
    """The platform's fee in basis points on `day` (none recorded: no fee)."""
    rate = db.session.scalar(sa.select(PlatformFeeRate.basis_points).where(PlatformFeeRate.valid_from <= day)
                             .order_by(PlatformFeeRate.valid_from.desc()).limit(1))
    return rate or 0


def fee_rates() -> list[PlatformFeeRate]:
    return list(db.session.scalars(sa.select(PlatformFeeRate).order_by(PlatformFeeRate.valid_from.desc())))


def set_fee_rate(admin: User, *, valid_from: date | None, basis_points: int | None, today: date) -> PlatformFeeRate:
    """A new rate from a day on; payments already received keep the rate of their day."""
    if not admin.is_admin:
        raise NotPermitted(_("Only platform administrators set the platform fee."))
    errors = {}
    if valid_from is None or valid_from < today:
        errors["valid_from"] = _("A new fee starts today or later: payments already received keep theirs.")
    if basis_points is None or not 0 <= basis_points <= MAX_FEE_BASIS_POINTS:
        errors["percent"] = _("The fee is between 0%% and %(max)d%%.", max=MAX_FEE_BASIS_POINTS // 100)
    if errors:
        raise InvalidDetails(errors, code="fee_invalid")
    rate = db.session.scalar(sa.select(PlatformFeeRate).where(PlatformFeeRate.valid_from == valid_from))
    rate = rate or PlatformFeeRate(valid_from=valid_from)
    rate.basis_points, rate.recorded_by_id = basis_points, admin.id
    db.session.add(rate)
    db.session.flush()
    record_audit(PaymentAudit.PLATFORM_FEE_SET, actor=admin, valid_from=valid_from.isoformat() if valid_from else None,
                 basis_points=basis_points)
    return rate


def payment_of(order: Order, *, lock: bool = False) -> OrderPayment | None:
    query = sa.select(OrderPayment).where(OrderPayment.order_id == order.id)
    if lock:
        query = query.with_for_update(of=OrderPayment).execution_options(populate_existing=True)
    return db.session.scalar(query)


def record_received(order: Order, *, received_on: date, reference: str = "", reference_date: date | None = None,
                    card_payment: CardPayment | None = None, actor: User | None = None,
                    amount: int | None = None) -> OrderPayment:
    """The order's payment: its total, or `amount` where the payer rightly pays another sum (a government
    treasurer withholds tax and adds VAT). Money a card brought in is collected by the platform, settled to the
    cooperative later. A second payment for the same order is refused (the database's unique key decides even
    when two arrive at the same moment)."""
    by_platform = order.payment_method == PaymentMethod.CARD or card_payment is not None
    payment = OrderPayment(
        order_id=order.id, cooperative_id=order.cooperative_id, method=str(order.payment_method),
        collected_by=CollectedBy.PLATFORM if by_platform else CollectedBy.COOPERATIVE,
        amount=order.total if amount is None else amount,
        received_on=received_on, reference=reference[:120], reference_date=reference_date,
        card_payment_id=card_payment.id if card_payment else None,
        fee_basis_points=fee_rate_on(received_on) if by_platform else 0,
        recorded_by_id=getattr(actor, "id", None))
    with refused_by_database(lambda: Conflict(_("The payment of this order is already recorded."),
                                              code="already_paid")):
        db.session.add(payment)
    return payment
