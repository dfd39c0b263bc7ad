"""What other domains may hook into ordering without ordering knowing them (they sit above it): things to do when
an order is placed or moves, in the same transaction, and conditions an order must meet before it ships.

The ledger registers here (allocations from the lots an order took, earnings booked when an order completes);
the app factory imports it, so the hooks are in place before any request."""

from collections.abc import Callable

_placed: list[Callable] = []
_moved: list[Callable] = []
_before_shipping: list[Callable] = []
_before_expiring: list[Callable] = []
_before_receiving: list[Callable] = []
_acting_for_buyer: list[Callable] = []
_wrapped_in: list[Callable] = []


def when_placed(listener: Callable) -> Callable:
    """`listener(order)` runs once the order, its lines and lot consumptions are written."""
    _placed.append(listener)
    return listener


def when_moved(listener: Callable) -> Callable:
    """`listener(order, action, source, target, actor)` runs after every move, before its audit row."""
    _moved.append(listener)
    return listener


def before_shipping(check: Callable) -> Callable:
    """`check(order)` returns why the order may not ship yet, or None."""
    _before_shipping.append(check)
    return check


def before_expiring(check: Callable) -> Callable:
    """`check(order)` returns False when an unpaid order may not expire yet (money may be on its way)."""
    _before_expiring.append(check)
    return check


def before_receiving(check: Callable) -> Callable:
    """`check(order, actor)` returns why this actor may not confirm the order's receipt, or None (a government
    order is received with a handover record by the agency's receiver, not with the buyer's button)."""
    _before_receiving.append(check)
    return check


def acting_for_buyer(check: Callable) -> Callable:
    """`check(order, actor)` returns True when the actor acts for the order's buyer (an agency's receiver of
    goods for the PP who ordered)."""
    _acting_for_buyer.append(check)
    return check


def wrapping_pages(provider: Callable) -> Callable:
    """`provider(order_ids, side)` returns {order id: [(label, url)]}: the pages of what wraps these orders (a
    government purchase order), for the "buyer" or the "cooperative" side, in one query for a page of orders."""
    _wrapped_in.append(provider)
    return provider


def pages_wrapping(orders, side: str) -> dict[int, list[tuple[str, str]]]:
    ids = [order.id for order in orders]
    found: dict[int, list[tuple[str, str]]] = {}
    for provider in _wrapped_in if ids else ():
        for order_id, links in provider(ids, side).items():
            found.setdefault(order_id, []).extend(links)
    return found


def why_not_receive(order, actor) -> str | None:
    for check in _before_receiving:
        refusal = check(order, actor)
        if refusal:
            return refusal
    return None


def acts_for_buyer(order, actor) -> bool:
    return any(check(order, actor) for check in _acting_for_buyer)


def may_expire(order) -> bool:
    return all(check(order) for check in _before_expiring)


def order_placed(order) -> None:
    for listener in _placed:
        listener(order)


def order_moved(order, action, source, target, actor) -> None:
    for listener in _moved:
        listener(order, action, source, target, actor)


def why_not_ship(order) -> str | None:
    for check in _before_shipping:
        refusal = check(order)
        if refusal:
            return refusal
    return None
