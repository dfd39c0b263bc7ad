"""What each person may see of orders: a buyer their own, a cooperative's staff their cooperative's."""

from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import lazyload, selectinload

from marketplace.accounts.models import User
from marketplace.cooperatives.models import Cooperative
from marketplace.core.errors import NotFound
from marketplace.core.i18n import gettext as _
from marketplace.extensions import db
from marketplace.ordering.models import Checkout, Order, OrderLine, OrderStatus


def orders_of_buyer(user: User) -> sa.Select:
    """A page of the buyer's orders: the rows come straight off the (buyer, placed) index; what each card shows
    loads in one query per relation for the page, never joined into the scan of all their orders."""
    return (sa.select(Order).where(Order.buyer_id == user.id)
            .options(lazyload(Order.buyer), lazyload(Order.checkout), lazyload(Order.lines),
                     selectinload(Order.cooperative))
            .order_by(Order.placed_at.desc(), Order.id.desc()))


def order_of_buyer(user: User, number: str) -> Order:
    order = db.session.scalar(sa.select(Order).where(Order.number == number, Order.buyer_id == user.id))
    if order is None:
        raise NotFound(_("This order does not exist."))
    return order


def checkout_of_buyer(user: User, reference: str) -> Checkout:
    checkout = db.session.scalar(sa.select(Checkout).where(Checkout.reference == reference,
                                                           Checkout.buyer_id == user.id))
    if checkout is None:
        raise NotFound(_("This order does not exist."))
    return checkout


def checkout_with_key(user: User, idempotency_key: str | None) -> Checkout | None:
    if not idempotency_key:
        return None
    return db.session.scalar(sa.select(Checkout).where(Checkout.idempotency_key == idempotency_key,
                                                       Checkout.buyer_id == user.id))


def inbox_query(cooperative: Cooperative, *, status: str | None = None, search: str | None = None,
                placed_on: date | None = None) -> sa.Select:
    query = (sa.select(Order).where(Order.cooperative_id == cooperative.id)
             .options(lazyload(Order.cooperative), lazyload(Order.buyer), selectinload(Order.checkout),
                      selectinload(Order.lines).lazyload(OrderLine.consumptions))
             .order_by(Order.placed_at.desc(), Order.id.desc()))
    if status:
        query = query.where(Order.status == OrderStatus(status))
    if search:
        query = query.where(Order.number.ilike(f"%{search.strip()}%"))
    if placed_on:
        start = datetime.combine(placed_on, time.min, tzinfo=cooperative.time_zone)
        query = query.where(Order.placed_at >= start, Order.placed_at < start + timedelta(days=1))
    return query


def counts_by_status(cooperative: Cooperative) -> dict[OrderStatus, int]:
    rows = db.session.execute(sa.select(Order.status, sa.func.count()).where(Order.cooperative_id == cooperative.id)
                              .group_by(Order.status)).all()
    counts = dict.fromkeys(OrderStatus, 0)
    counts.update(dict(rows))
    return counts


def order_of_cooperative(cooperative: Cooperative, number: str) -> Order:
    order = db.session.scalar(sa.select(Order).where(Order.number == number,
                                                     Order.cooperative_id == cooperative.id))
    if order is None:
        raise NotFound(_("This order does not exist."))
    return order


def orders_placed_on(cooperative: Cooperative, day: date, limit: int = 200) -> list[Order]:
    """A day's orders still to be packed (for printing their packing slips together)."""
    to_pack = (OrderStatus.PLACED, OrderStatus.ACCEPTED, OrderStatus.IN_PRODUCTION)
    return list(db.session.scalars(inbox_query(cooperative, placed_on=day).where(Order.status.in_(to_pack))
                                   .limit(limit)))


def order_by_verification_code(code: str) -> Order:
    order = db.session.scalar(sa.select(Order).where(Order.verification_code == code.upper()))
    if order is None:
        raise NotFound(_("No document carries this code. Check it against the paper."))
    return order
