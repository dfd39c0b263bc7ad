"""The ledger's part in an order's life, hooked into ordering (which does not know the ledger)."""

from marketplace.ledger.services.allocations import allocate_from_lots, why_not_ship
from marketplace.ledger.services.journal import book_completed_order, match_refunds
from marketplace.ordering.models import OrderStatus
from marketplace.ordering.services import events


@events.when_placed
def _allocate_ready_stock(order) -> None:
    allocate_from_lots(order)


@events.before_shipping
def _allocated_before_shipping(order) -> str | None:
    return why_not_ship(order)


@events.when_moved
def _book_when_completed(order, action, source, target, actor) -> None:
    if target == OrderStatus.COMPLETED and source != OrderStatus.COMPLETED:
        book_completed_order(order, actor)
        if order.refunded_amount:  # given back before it completed: the earnings booked fall by as much
            match_refunds(order, actor)
