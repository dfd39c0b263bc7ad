"""What the platform owes each cooperative from the card payments it collected for it, and what it paid out.

For every cooperative: collected = refunded + platform fee + settled + owed. Owed is what is left; of it, the part
for orders the buyer has received may be paid out now, the rest waits for delivery (and a closed order's money
waits for its refund). For the whole platform the same holds against the card payments themselves:
paid in = settled + owed + refunded + fees, which `reconciliation` checks from the tables each figure lives in."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from marketplace.accounts.models import User
from marketplace.cooperatives.models import Cooperative
from marketplace.core.audit import record_audit
from marketplace.core.errors import InvalidDetails, NotPermitted
from marketplace.core.i18n import gettext as _
from marketplace.core.money import format_rupiah
from marketplace.core.timeutil import local_today
from marketplace.extensions import db
from marketplace.ordering.models import Order, OrderStatus
from marketplace.payments.models import (
    CardPayment,
    CardPaymentStatus,
    CollectedBy,
    OrderPayment,
    PaymentAudit,
    Refund,
    Settlement,
)

# The buyer has the goods: the cooperative's money can go to it.
_SETTLEABLE = (OrderStatus.DELIVERED, OrderStatus.COMPLETED)


@dataclass(frozen=True)
class Position:
    """One cooperative's account with the platform (whole rupiah)."""

    cooperative: Cooperative
    collected: int
    refunded: int
    fees: int
    settleable: int  # received orders' money, net of refunds and fees, before payouts
    settled: int

    @property
    def owed(self) -> int:
        return self.collected - self.refunded - self.fees - self.settled

    @property
    def payable_now(self) -> int:
        return max(0, self.settleable - self.settled)

    @property
    def waiting(self) -> int:
        return self.owed - self.payable_now


def _fee():
    return (OrderPayment.amount - Order.refunded_amount) * OrderPayment.fee_basis_points // 10_000


def _collected_by_cooperative() -> sa.Subquery:
    net = OrderPayment.amount - Order.refunded_amount - _fee()
    return (sa.select(OrderPayment.cooperative_id.label("cooperative_id"),
                      sa.func.sum(OrderPayment.amount).label("collected"),
                      sa.func.sum(Order.refunded_amount).label("refunded"),
                      sa.func.sum(_fee()).label("fees"),
                      sa.func.sum(sa.case((Order.status.in_(_SETTLEABLE), net), else_=0)).label("settleable"))
            .join(Order, Order.id == OrderPayment.order_id)
            .where(OrderPayment.collected_by == CollectedBy.PLATFORM)
            .group_by(OrderPayment.cooperative_id).subquery())


def _settled_by_cooperative() -> sa.Subquery:
    return (sa.select(Settlement.cooperative_id.label("cooperative_id"),
                      sa.func.sum(Settlement.amount).label("settled"))
            .group_by(Settlement.cooperative_id).subquery())


def positions_query(cooperative: Cooperative | None = None) -> sa.Select:
    """(cooperative, collected, refunded, fees, settleable, settled) rows, the largest amount owed first."""
    collected, settled = _collected_by_cooperative(), _settled_by_cooperative()
    settled_amount = sa.func.coalesce(settled.c.settled, 0)
    query = (sa.select(Cooperative, collected.c.collected, collected.c.refunded, collected.c.fees,
                       collected.c.settleable, settled_amount)
             .join(collected, collected.c.cooperative_id == Cooperative.id)
             .outerjoin(settled, settled.c.cooperative_id == Cooperative.id))
    if cooperative is not None:
        query = query.where(Cooperative.id == cooperative.id)
    owed = collected.c.collected - collected.c.refunded - collected.c.fees - settled_amount
    return query.order_by(owed.desc(), Cooperative.id)


def as_position(row) -> Position:
    cooperative, collected, refunded, fees, settleable, settled = row
    return Position(cooperative, int(collected or 0), int(refunded or 0), int(fees or 0), int(settleable or 0),
                    int(settled or 0))


def position_of(cooperative: Cooperative) -> Position:
    row = db.session.execute(positions_query(cooperative)).first()
    return as_position(row) if row is not None else Position(cooperative, 0, 0, 0, 0, 0)


def settlements_query(cooperative: Cooperative | None = None) -> sa.Select:
    query = sa.select(Settlement)
    if cooperative is not None:
        query = query.where(Settlement.cooperative_id == cooperative.id)
    return query.order_by(Settlement.paid_on.desc(), Settlement.id.desc())


def record_settlement(admin: User, cooperative: Cooperative, *, amount: int | None, paid_on: date | None,
                      reference: str) -> Settlement:
    """A payout to the cooperative, at most what it may be paid now. The cooperative's row is locked, so two
    administrators paying at once cannot pay the same money twice."""
    if not admin.is_admin:
        raise NotPermitted(_("Only platform administrators pay cooperatives out."))
    db.session.execute(sa.select(Cooperative.id).where(Cooperative.id == cooperative.id).with_for_update())
    position = position_of(cooperative)
    reference = (reference or "").strip()
    errors = {}
    if amount is None or amount <= 0:
        errors["amount"] = _("Enter the amount paid out.")
    elif amount > position.payable_now:
        errors["amount"] = _("At most %(amount)s can be paid out now (the money of orders the buyers have received).",
                             amount=format_rupiah(position.payable_now))
    if paid_on is None or paid_on > local_today():
        errors["paid_on"] = _("Enter the day of the transfer (not in the future).")
    if not reference:
        errors["reference"] = _("Enter the transfer's reference.")
    if errors:
        raise InvalidDetails(errors, code="settlement_invalid")
    settlement = Settlement(cooperative_id=cooperative.id, amount=amount, paid_on=paid_on, reference=reference[:120],
                            recorded_by_id=admin.id)
    db.session.add(settlement)
    db.session.flush()
    record_audit(PaymentAudit.SETTLED, actor=admin, target=cooperative, amount=amount, reference=settlement.reference)
    return settlement


@dataclass(frozen=True)
class Reconciliation:
    paid_in: int
    settled: int
    owed: int
    refunded: int
    fees: int

    @property
    def difference(self) -> int:
        return self.paid_in - (self.settled + self.owed + self.refunded + self.fees)


def reconciliation() -> Reconciliation:
    """Each figure from its own table: card payments received, payouts, refunds made, fees and what is owed."""
    paid_in = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(CardPayment.amount), 0))
                                .where(CardPayment.status == CardPaymentStatus.SUCCEEDED))
    settled = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(Settlement.amount), 0)))
    refunded = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(Refund.amount), 0))
                                 .join(OrderPayment, OrderPayment.id == Refund.order_payment_id)
                                 .where(OrderPayment.collected_by == CollectedBy.PLATFORM))
    collected = _collected_by_cooperative()
    totals = db.session.execute(sa.select(sa.func.coalesce(sa.func.sum(collected.c.collected), 0),
                                          sa.func.coalesce(sa.func.sum(collected.c.refunded), 0),
                                          sa.func.coalesce(sa.func.sum(collected.c.fees), 0))).one()
    collected_total, refunded_on_orders, fees = (int(total or 0) for total in totals)
    settled_total = int(settled or 0)
    return Reconciliation(paid_in=int(paid_in or 0), settled=settled_total, refunded=int(refunded or 0), fees=fees,
                          owed=collected_total - refunded_on_orders - fees - settled_total)
