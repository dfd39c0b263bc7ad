"""Stock lots: goods received from members, corrected with reasons, never edited or deleted.

`Product.stock_on_hand` is the sum of the lots' remaining quantities; every change to a lot changes it in the
same transaction with an atomic UPDATE, so concurrent entries cannot lose one another.
"""

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import lazyload

from marketplace.accounts.models import User
from marketplace.catalog.models import AdjustmentReason, CatalogAudit, Product, StockAdjustment, StockLot
from marketplace.catalog.services.products import MAX_QUANTITY
from marketplace.cooperatives.models import Member, MemberStatus
from marketplace.cooperatives.permissions import Capability, require_capability
from marketplace.core.audit import record_audit
from marketplace.core.errors import DomainError, NotFound
from marketplace.core.timeutil import local_today
from marketplace.extensions import db

# Which way each reason may move a lot.
REASON_SIGNS = {
    AdjustmentReason.DAMAGED: -1,
    AdjustmentReason.WITHDRAWN: -1,
    AdjustmentReason.RETURNED: 1,
    AdjustmentReason.COUNTED: 0,  # either way
}


def _move_on_hand(product_id: int, quantity_change: int) -> None:
    db.session.execute(sa.update(Product).where(Product.id == product_id)
                       .values(stock_on_hand=Product.stock_on_hand + quantity_change))


def receive_stock(actor: User, product: Product, *, member_id: int, quantity: int, received_on: date,
                  note: str | None = None) -> StockLot:
    """Record goods a member handed in: a new lot, attributed to that member."""
    require_capability(actor, product.cooperative, Capability.MANAGE_CATALOG)
    member = db.session.scalar(sa.select(Member).where(Member.id == member_id,
                                                       Member.cooperative_id == product.cooperative_id))
    if member is None:
        raise DomainError(_("Choose a member of this cooperative."))
    if member.status != MemberStatus.ACTIVE:
        raise DomainError(_("%(name)s is not an active member.", name=member.full_name))
    if not 1 <= quantity <= MAX_QUANTITY:
        raise DomainError(_("The quantity must be between 1 and 1.000.000."), code="quantity_out_of_range")
    if received_on > local_today(product.cooperative.time_zone):
        raise DomainError(_("The date received is in the future."), code="date_in_future")
    lot = StockLot(product_id=product.id, member_id=member.id, quantity_received=quantity,
                   quantity_remaining=quantity, received_on=received_on, note=(note or "").strip() or None,
                   recorded_by_id=actor.id)
    db.session.add(lot)
    _move_on_hand(product.id, quantity)
    record_audit(CatalogAudit.STOCK_RECEIVED, actor=actor, target=product, lot_quantity=quantity,
                 member_id=member.id)
    db.session.expire(product, ["stock_on_hand"])  # moved by the UPDATE above
    return lot


def adjust_stock(actor: User, product: Product, *, lot_id: int, quantity_change: int, reason: AdjustmentReason,
                 note: str | None = None) -> StockAdjustment:
    """Correct a lot with a reason; a lot never goes below zero."""
    require_capability(actor, product.cooperative, Capability.MANAGE_CATALOG)
    # Lock the lot row (only it: no joined member) so two corrections cannot both spend the same units.
    lot = db.session.scalar(sa.select(StockLot).where(StockLot.id == lot_id, StockLot.product_id == product.id)
                            .options(lazyload(StockLot.member)).with_for_update(of=StockLot))
    if lot is None:
        raise NotFound(_("This stock lot does not exist for this product."))
    sign = REASON_SIGNS[reason]
    if quantity_change == 0 or abs(quantity_change) > MAX_QUANTITY:
        raise DomainError(_("Enter how many units change."))
    if sign and quantity_change * sign < 0:
        if sign < 0:
            raise DomainError(_("“%(reason)s” can only lower stock.", reason=reason.label), code="reason_only_lowers")
        raise DomainError(_("“%(reason)s” can only raise stock.", reason=reason.label), code="reason_only_raises")
    if lot.quantity_remaining + quantity_change < 0:
        raise DomainError(_("Only %(count)d units are left in this lot.", count=lot.quantity_remaining),
                          code="not_enough_in_lot")
    adjustment = StockAdjustment(lot_id=lot.id, quantity_change=quantity_change, reason=reason,
                                 note=(note or "").strip() or None, recorded_by_id=actor.id)
    db.session.add(adjustment)
    lot.quantity_remaining += quantity_change
    _move_on_hand(product.id, quantity_change)
    record_audit(CatalogAudit.STOCK_ADJUSTED, actor=actor, target=product, lot_id=lot.id, change=quantity_change,
                 reason=str(reason))
    db.session.expire(product, ["stock_on_hand"])
    return adjustment


def lots_of(product: Product) -> list[StockLot]:
    """Lots in the order they will be sold from: oldest first."""
    return list(db.session.scalars(sa.select(StockLot).where(StockLot.product_id == product.id)
                                   .order_by(StockLot.received_on, StockLot.id)))


def stock_by_member(product: Product) -> list[tuple[Member, int]]:
    rows = db.session.execute(
        sa.select(Member, sa.func.sum(StockLot.quantity_remaining)).join(StockLot, StockLot.member_id == Member.id)
        .where(StockLot.product_id == product.id).group_by(Member.id).order_by(Member.full_name))
    return [(member, int(total or 0)) for member, total in rows]
