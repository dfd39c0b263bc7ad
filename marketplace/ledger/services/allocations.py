"""Which members made each order line. Ready-stock lines are allocated from the lots they took, when the order is
placed; made-to-order lines by staff, until the order ships. The quantities always add up to the line's."""

from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa

from marketplace.accounts.models import User
from marketplace.catalog.models import StockLot
from marketplace.cooperatives.models import Member, MemberStatus
from marketplace.cooperatives.permissions import Capability, require_capability
from marketplace.core.audit import record_audit
from marketplace.core.errors import InvalidDetails, NotFound, TransitionNotAllowed
from marketplace.core.i18n import gettext as _
from marketplace.extensions import db
from marketplace.ledger.models import Allocation, AllocationSource, LedgerAudit
from marketplace.ordering.models import LotConsumption, Order, OrderLine, OrderStatus

# Staff may change who made what until the goods leave the cooperative.
EDITABLE_STATUSES = frozenset({OrderStatus.AWAITING_PAYMENT, OrderStatus.PLACED, OrderStatus.ACCEPTED,
                               OrderStatus.IN_PRODUCTION})


def allocate_from_lots(order: Order) -> None:
    """A ready-stock line is made by the members whose lots it took, unit for unit."""
    line_ids = [line.id for line in order.lines if line.availability == "ready_stock"]
    if not line_ids:
        return
    taken: dict[tuple[int, int], int] = defaultdict(int)
    rows = db.session.execute(
        sa.select(LotConsumption.order_line_id, StockLot.member_id, LotConsumption.quantity)
        .join(StockLot, StockLot.id == LotConsumption.lot_id).where(LotConsumption.order_line_id.in_(line_ids)))
    for line_id, member_id, quantity in rows:
        taken[(line_id, member_id)] += quantity
    db.session.add_all(Allocation(order_line_id=line_id, member_id=member_id, quantity=quantity,
                                  source=AllocationSource.STOCK_LOT)
                       for (line_id, member_id), quantity in sorted(taken.items()))


def allocations_of(order: Order) -> dict[int, list[Allocation]]:
    """Each line's allocations, by line id, in one query."""
    found: dict[int, list[Allocation]] = {line.id: [] for line in order.lines}
    for allocation in db.session.scalars(
            sa.select(Allocation).where(Allocation.order_line_id.in_(list(found))).order_by(Allocation.id)):
        found[allocation.order_line_id].append(allocation)
    return found


def unallocated_lines(order: Order) -> list[tuple[OrderLine, int]]:
    """(line, units allocated) for every line whose allocations do not yet add up to its quantity."""
    allocated = allocations_of(order)
    return [(line, total) for line in order.lines
            if (total := sum(allocation.quantity for allocation in allocated[line.id])) != line.quantity]


def why_not_ship(order: Order) -> str | None:
    missing = unallocated_lines(order)
    if not missing:
        return None
    line, allocated = missing[0]
    return _("Say which members made %(name)s first: %(allocated)d of %(quantity)d units are allocated.",
             name=line.product_name, allocated=allocated, quantity=line.quantity)


@dataclass(frozen=True)
class Share:
    member_id: int
    quantity: int


def allocate_line(actor: User, order: Order, line_id: int, shares: list[Share]) -> list[Allocation]:
    """Staff say which members made a made-to-order line: the shares replace the line's allocation and must add
    up to its quantity, each to an active member of the order's cooperative."""
    require_capability(actor, order.cooperative, Capability.MANAGE_ORDERS)
    line = next((line for line in order.lines if line.id == line_id), None)
    if line is None:
        raise NotFound(_("This order has no such line."))
    if line.availability == "ready_stock":
        raise TransitionNotAllowed(_("Ready-stock goods are allocated from the members' stock lots."),
                                   code="allocated_from_lots")
    if order.status not in EDITABLE_STATUSES:
        raise TransitionNotAllowed(_("The goods have left the cooperative: the allocation can no longer change."),
                                   code="allocation_closed")
    merged: dict[int, int] = defaultdict(int)
    for share in shares:
        if share.quantity < 0:
            raise InvalidDetails({"shares": _("A quantity cannot be negative.")}, code="negative_quantity")
        if share.quantity:
            merged[share.member_id] += share.quantity
    members = {member.id: member for member in db.session.scalars(
        sa.select(Member).where(Member.id.in_(list(merged)), Member.cooperative_id == order.cooperative_id))}
    if set(merged) - set(members):
        raise InvalidDetails({"shares": _("Choose members of this cooperative.")}, code="foreign_member")
    inactive = [member.full_name for member in members.values() if member.status != MemberStatus.ACTIVE]
    if inactive:
        raise InvalidDetails({"shares": _("%(names)s is not an active member.", names=", ".join(sorted(inactive)))},
                             code="member_not_active")
    if sum(merged.values()) != line.quantity:
        raise InvalidDetails({"shares": _("The quantities add up to %(total)d; the line has %(quantity)d units.",
                                          total=sum(merged.values()), quantity=line.quantity)},
                             code="quantities_do_not_add_up")
    db.session.execute(sa.delete(Allocation).where(Allocation.order_line_id == line.id))
    allocations = [Allocation(order_line_id=line.id, member_id=member_id, quantity=quantity,
                              source=AllocationSource.STAFF, recorded_by_id=actor.id)
                   for member_id, quantity in sorted(merged.items())]
    db.session.add_all(allocations)
    db.session.flush()
    record_audit(LedgerAudit.ALLOCATION_CHANGED, actor=actor, target=order, line=line.id,
                 shares={str(member_id): quantity for member_id, quantity in sorted(merged.items())})
    return allocations


def suggested_members(order: Order, line: OrderLine) -> list[Member]:
    """Who to offer first: the product's producers, then whoever the line is allocated to now."""
    from marketplace.catalog.models import product_producers

    producer_ids = db.session.scalars(sa.select(product_producers.c.member_id)
                                      .where(product_producers.c.product_id == line.product_id))
    allocated_ids = db.session.scalars(sa.select(Allocation.member_id).where(Allocation.order_line_id == line.id))
    ids = set(producer_ids) | set(allocated_ids)
    if not ids:
        return []
    return list(db.session.scalars(sa.select(Member).where(Member.id.in_(ids), Member.cooperative_id ==
                                                           order.cooperative_id).order_by(Member.full_name)))
