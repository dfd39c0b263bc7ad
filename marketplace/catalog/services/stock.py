"""Stock lots: goods received from members, corrected with reasons, never edited or deleted.

`Product.stock_on_hand` is the sum of the lots' remaining quantities; every change to a lot changes it in the
same transaction with an atomic UPDATE, so concurrent entries cannot lose one another.
"""

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import lazyload, selectinload

from marketplace.accounts.models import User
from marketplace.catalog.models import AdjustmentReason, CatalogAudit, Product, StockAdjustment, StockLot
from marketplace.catalog.services.products import MAX_QUANTITY
from marketplace.cooperatives.models import Member, MemberStatus
from marketplace.cooperatives.permissions import Capability, require_capability
from marketplace.core.audit import record_audit
from marketplace.core.errors import Conflict, DomainError, NotFound
from marketplace.core.i18n import gettext as _
from marketplace.core.timeutil import local_today
from marketplace.extensions import db

# Which way each reason may move a lot.
REASON_SIGNS = {
    AdjustmentReason.DAMAGED: -1,
    AdjustmentReason.WITHDRAWN: -1,
    AdjustmentReason.RETURNED: 1,
    AdjustmentReason.COUNTED: 0,  # either way
}


def _move_on_hand(product_id: int, quantity_change: int, *, orders_change: int = 0) -> None:
    values = {"stock_on_hand": Product.stock_on_hand + quantity_change}
    if orders_change:
        values["order_count"] = Product.order_count + orders_change
    db.session.execute(sa.update(Product).where(Product.id == product_id).values(**values))


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
    # The product's row first, then the lot's (only it: no joined member), in the order a checkout locks them, so
    # a correction and a checkout wait for each other rather than deadlock, and two corrections cannot both spend
    # the same units.
    lock_products([product.id])
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


class OutOfStock(Conflict):
    """Fewer units are left than a buyer asked for (another buyer was quicker)."""


# A locked product is read again for its stock, status and prices; its photos, certificates and producers are not
# (they load on their own if a page asks for them).
ONLY_WHAT_A_SALE_READS = (selectinload(Product.tiers), lazyload(Product.images), lazyload(Product.certifications),
                           lazyload(Product.producers))


def lock_products(product_ids) -> dict[int, Product]:
    """Lock the products' rows, always in id order, so two checkouts sharing products wait for each other instead
    of deadlocking; the rows are read again, as they are now. (On SQLite the unit of work holds the one write
    lock, which serialises checkouts just the same.)"""
    products = db.session.scalars(
        sa.select(Product).where(Product.id.in_(sorted(set(product_ids)))).order_by(Product.id)
        .options(*ONLY_WHAT_A_SALE_READS).with_for_update(of=Product).execution_options(populate_existing=True))
    return {product.id: product for product in products}


def take_stock(product: Product, quantity: int) -> list[tuple[StockLot, int]]:
    """Sell `quantity` units of a product locked with `lock_products`: taken from its lots oldest first, and one
    more order counted for it. Returns which lots gave how many (attribution starts here). Refuses, changing
    nothing, when fewer units are left."""
    if quantity > product.stock_on_hand:
        if product.stock_on_hand == 0:
            message = _("%(name)s is sold out.", name=product.name)
        else:
            message = _("Only %(count)d left of %(name)s.", count=product.stock_on_hand, name=product.name)
        raise OutOfStock(message, code="out_of_stock")
    # Lots are locked in id order too (the fixed order: product id, then lot id); they are spent oldest first.
    lots = list(db.session.scalars(
        sa.select(StockLot).where(StockLot.product_id == product.id, StockLot.quantity_remaining > 0)
        .order_by(StockLot.id).options(lazyload(StockLot.member), lazyload(StockLot.adjustments))
        .with_for_update(of=StockLot).execution_options(populate_existing=True)))
    taken: list[tuple[StockLot, int]] = []
    wanted = quantity
    for lot in sorted(lots, key=lambda lot: (lot.received_on, lot.id)):
        if wanted == 0:
            break
        portion = min(wanted, lot.quantity_remaining)
        lot.quantity_remaining -= portion
        taken.append((lot, portion))
        wanted -= portion
    if wanted:  # the lots disagree with stock_on_hand: never sell what no member handed in
        raise OutOfStock(_("Only %(count)d left of %(name)s.", count=quantity - wanted, name=product.name),
                         code="out_of_stock")
    _move_on_hand(product.id, -quantity, orders_change=1)
    db.session.expire(product, ["stock_on_hand", "order_count"])
    return taken


def give_back_stock(returns: list[tuple[int, int]]) -> None:
    """Put units back into the lots they came from (a cancelled, rejected or expired order): (lot id, units)."""
    by_lot: dict[int, int] = {}
    for lot_id, quantity in returns:
        by_lot[lot_id] = by_lot.get(lot_id, 0) + quantity
    if not by_lot:
        return
    # The same order as a checkout's (products, then lots), or a checkout and a cancellation could deadlock.
    lock_products(db.session.scalars(sa.select(StockLot.product_id).where(StockLot.id.in_(by_lot))).all())
    lots = db.session.scalars(sa.select(StockLot).where(StockLot.id.in_(sorted(by_lot))).order_by(StockLot.id)
                              .options(lazyload(StockLot.member)).with_for_update(of=StockLot)
                              .execution_options(populate_existing=True))
    on_hand: dict[int, int] = {}
    for lot in lots:
        lot.quantity_remaining += by_lot[lot.id]
        on_hand[lot.product_id] = on_hand.get(lot.product_id, 0) + by_lot[lot.id]
    for product_id, quantity in sorted(on_hand.items()):
        _move_on_hand(product_id, quantity)


def count_orders_of(product_id: int, change: int) -> None:
    """One more (or one fewer) order includes this product: the "most ordered" sort reads it."""
    db.session.execute(sa.update(Product).where(Product.id == product_id)
                       .values(order_count=Product.order_count + change))
