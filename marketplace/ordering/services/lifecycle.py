"""The order's life cycle. `perform()` is the one function that changes an order's status: it checks that the
move is allowed from the current state and for this actor, writes the audit row (the order's timeline) in the
same transaction, and sends the email once the transaction has committed."""

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

import sqlalchemy as sa

from marketplace.catalog.services.stock import count_orders_of, give_back_stock
from marketplace.cooperatives.models import Cooperative
from marketplace.cooperatives.permissions import Capability, can
from marketplace.core.audit import SYSTEM, AuditEvent, SystemActor, record_audit
from marketplace.core.errors import DomainError, InvalidDetails, NotFound, NotPermitted, TransitionNotAllowed
from marketplace.core.i18n import gettext as _
from marketplace.core.i18n import lazy_gettext as _l
from marketplace.core.mail import send_mail_after_commit
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db
from marketplace.ordering.models import (
    DeliveryMethod,
    LotConsumption,
    Order,
    OrderAudit,
    OrderLine,
    OrderStatus,
)
from marketplace.ordering.services import events

S = OrderStatus


class Actor(StrEnum):
    BUYER = "buyer"
    COOPERATIVE = "cooperative"
    SYSTEM = "system"


class OrderAction(StrEnum):
    CONFIRM_PAYMENT = "confirm_payment"
    EXPIRE = "expire"
    ACCEPT = "accept"
    REJECT = "reject"
    START_PRODUCTION = "start_production"
    SHIP = "ship"
    CONFIRM_RECEIPT = "confirm_receipt"
    COMPLETE = "complete"
    CANCEL = "cancel"


ACTION_LABELS = {
    OrderAction.CONFIRM_PAYMENT: _l("Confirm payment received"),
    OrderAction.EXPIRE: _l("Expire unpaid order"),
    OrderAction.ACCEPT: _l("Accept order"),
    OrderAction.REJECT: _l("Reject order"),
    OrderAction.START_PRODUCTION: _l("Start production"),
    OrderAction.SHIP: _l("Mark as shipped"),
    OrderAction.CONFIRM_RECEIPT: _l("Confirm receipt"),
    OrderAction.COMPLETE: _l("Complete order"),
    OrderAction.CANCEL: _l("Cancel order"),
}


@dataclass(frozen=True)
class Move:
    """One allowed move: from a state, by these actors, to a state (the same state: nothing but a fact
    recorded, as a payment received on delivery)."""

    action: OrderAction
    source: OrderStatus
    target: OrderStatus
    actors: frozenset[Actor]


_COOPERATIVE, _BUYER, _SYSTEM = frozenset({Actor.COOPERATIVE}), frozenset({Actor.BUYER}), frozenset({Actor.SYSTEM})
_PAYMENT_CONFIRMERS = frozenset({Actor.COOPERATIVE, Actor.SYSTEM})  # the cooperative's bank, later a webhook

MOVES: tuple[Move, ...] = (
    Move(OrderAction.CONFIRM_PAYMENT, S.AWAITING_PAYMENT, S.PLACED, _PAYMENT_CONFIRMERS),
    # Paid on delivery or pickup: the money is recorded where the order stands.
    *(Move(OrderAction.CONFIRM_PAYMENT, state, state, _PAYMENT_CONFIRMERS)
      for state in (S.PLACED, S.ACCEPTED, S.IN_PRODUCTION, S.SHIPPED, S.DELIVERED)),
    Move(OrderAction.EXPIRE, S.AWAITING_PAYMENT, S.EXPIRED, _SYSTEM),
    Move(OrderAction.ACCEPT, S.PLACED, S.ACCEPTED, _COOPERATIVE),
    Move(OrderAction.REJECT, S.PLACED, S.REJECTED, _COOPERATIVE),
    Move(OrderAction.START_PRODUCTION, S.ACCEPTED, S.IN_PRODUCTION, _COOPERATIVE),
    Move(OrderAction.SHIP, S.ACCEPTED, S.SHIPPED, _COOPERATIVE),
    Move(OrderAction.SHIP, S.IN_PRODUCTION, S.SHIPPED, _COOPERATIVE),
    # The buyer confirms, or the daily command does it N days after shipping.
    Move(OrderAction.CONFIRM_RECEIPT, S.SHIPPED, S.DELIVERED, frozenset({Actor.BUYER, Actor.SYSTEM})),
    Move(OrderAction.COMPLETE, S.DELIVERED, S.COMPLETED, _SYSTEM),
    # A buyer may cancel until the cooperative accepts; the cooperative until it ships.
    Move(OrderAction.CANCEL, S.AWAITING_PAYMENT, S.CANCELLED, frozenset({Actor.BUYER, Actor.COOPERATIVE})),
    Move(OrderAction.CANCEL, S.PLACED, S.CANCELLED, frozenset({Actor.BUYER, Actor.COOPERATIVE})),
    Move(OrderAction.CANCEL, S.ACCEPTED, S.CANCELLED, _COOPERATIVE),
    Move(OrderAction.CANCEL, S.IN_PRODUCTION, S.CANCELLED, _COOPERATIVE),
)
_MOVES_BY_KEY = {(move.action, move.source): move for move in MOVES}

# The cooperative's staff need this right for each action; confirming money received needs the money right.
_CAPABILITY = dict.fromkeys(OrderAction, Capability.MANAGE_ORDERS) | {
    OrderAction.CONFIRM_PAYMENT: Capability.MANAGE_MONEY}

_AUDIT = {
    OrderAction.CONFIRM_PAYMENT: OrderAudit.ORDER_PAYMENT_CONFIRMED,
    OrderAction.EXPIRE: OrderAudit.ORDER_EXPIRED,
    OrderAction.ACCEPT: OrderAudit.ORDER_ACCEPTED,
    OrderAction.REJECT: OrderAudit.ORDER_REJECTED,
    OrderAction.START_PRODUCTION: OrderAudit.ORDER_IN_PRODUCTION,
    OrderAction.SHIP: OrderAudit.ORDER_SHIPPED,
    OrderAction.CONFIRM_RECEIPT: OrderAudit.ORDER_DELIVERED,
    OrderAction.COMPLETE: OrderAudit.ORDER_COMPLETED,
    OrderAction.CANCEL: OrderAudit.ORDER_CANCELLED,
}

# Moves that end the order without a sale: the units go back to the lots they came from.
_GIVES_STOCK_BACK = {S.CANCELLED, S.REJECTED, S.EXPIRED}


def actor_role(order: Order, actor) -> Actor | None:
    if isinstance(actor, SystemActor):
        return Actor.SYSTEM
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    if actor.id == order.buyer_id:
        return Actor.BUYER
    if can(actor, order.cooperative, Capability.VIEW_DASHBOARD):
        return Actor.COOPERATIVE
    if events.acts_for_buyer(order, actor):
        return Actor.BUYER
    return None


def allowed_actions(order: Order, actor) -> list[OrderAction]:
    """What this person may do to the order now (the buttons a page shows; `perform` decides in any case)."""
    role = actor_role(order, actor)
    actions = []
    for action in OrderAction:
        move = _MOVES_BY_KEY.get((action, order.status))
        if move is None or role not in move.actors or _guard_refusal(order, move, actor, role) is not None:
            continue
        actions.append(action)
    return actions


def _guard_refusal(order: Order, move: Move, actor, role: Actor) -> str | None:
    """Conditions beyond state and actor; None when the move may go ahead."""
    if role == Actor.COOPERATIVE and not can(actor, order.cooperative, _CAPABILITY[move.action]):
        return _("Your role in this cooperative does not allow this.")
    if move.action == OrderAction.CONFIRM_PAYMENT and order.paid_at is not None:
        return _("The payment of this order is already recorded.")
    if move.action == OrderAction.START_PRODUCTION and not order.has_made_to_order_lines:
        return _("Only orders with made-to-order goods go into production.")
    if move.action == OrderAction.COMPLETE and order.paid_at is None:
        return _("An order completes once it is delivered and paid.")
    if move.action == OrderAction.SHIP:
        return events.why_not_ship(order)
    if move.action == OrderAction.CONFIRM_RECEIPT:
        return events.why_not_receive(order, actor)
    return None


def _locked(order: Order) -> Order:
    """The order's row, locked and read again: two people acting on one order at once take turns."""
    locked = db.session.scalar(sa.select(Order).where(Order.id == order.id).with_for_update(of=Order)
                               .execution_options(populate_existing=True))
    if locked is None:
        raise NotFound(_("This order does not exist."))
    return locked


def perform(order: Order, action: OrderAction, actor, *, note: str = "", carrier: str = "",
            tracking_number: str = "") -> Order:
    """Move the order by `action`, done by `actor` (a user, or SYSTEM); refuses, changing nothing, a move the
    state or the actor does not allow."""
    order = _locked(order)
    role = actor_role(order, actor)
    if role is None:
        raise NotFound(_("This order does not exist."))
    move = _MOVES_BY_KEY.get((action, order.status))
    if move is None:
        raise TransitionNotAllowed(_("This order is “%(status)s”: “%(action)s” is not possible now.",
                                     status=order.status.label, action=ACTION_LABELS[action]),
                                   code="transition_not_allowed")
    if role not in move.actors:
        raise NotPermitted(_("“%(action)s” is not yours to do on this order.", action=ACTION_LABELS[action]),
                           code="actor_not_allowed")
    refusal = _guard_refusal(order, move, actor, role)
    if refusal is not None:
        raise DomainError(refusal, code="condition_not_met")
    note = note.strip()
    details = _apply(order, move, role, note=note, carrier=carrier.strip(), tracking_number=tracking_number.strip())
    events.order_moved(order, action, move.source, move.target, actor)
    record_audit(_AUDIT[action], actor=actor, target=order, **{"from": str(move.source), "to": str(move.target)},
                 note=note or None, **details)
    if move.target != move.source:
        _notify_buyer(order)
    if order.status == S.DELIVERED and order.paid_at is not None:
        perform(order, OrderAction.COMPLETE, SYSTEM)
    return order


def _apply(order: Order, move: Move, role: Actor, *, note: str, carrier: str, tracking_number: str) -> dict:
    now = utcnow()
    details: dict = {}
    if move.action in (OrderAction.REJECT, OrderAction.CANCEL) and role == Actor.COOPERATIVE and not note:
        raise InvalidDetails({"note": _("Tell the buyer why.")}, code="reason_required")
    if move.action == OrderAction.SHIP:
        if order.delivery_method == DeliveryMethod.COURIER and not (carrier and tracking_number):
            raise InvalidDetails({"carrier": _("Enter the courier and the tracking number.")},
                                 code="tracking_required")
        order.carrier, order.tracking_number = carrier or None, tracking_number or None
        order.shipped_at = now
        details = {"carrier": carrier or None, "tracking_number": tracking_number or None}
    elif move.action == OrderAction.CONFIRM_PAYMENT:
        order.paid_at = now
    elif move.action == OrderAction.ACCEPT:
        order.accepted_at = now
    elif move.action == OrderAction.CONFIRM_RECEIPT:
        order.delivered_at = now
        if order.invoice_terms_days is not None and order.paid_at is None:
            order.payment_due_at = now + timedelta(days=order.invoice_terms_days)  # the invoice's due date
    elif move.action == OrderAction.COMPLETE:
        order.completed_at = now
        _count_completed(order)
    if move.target in _GIVES_STOCK_BACK:
        order.closed_at, order.close_reason = now, note or None
        _give_stock_back(order, now)
    order.status = move.target
    db.session.flush()
    return details


def _give_stock_back(order: Order, now) -> None:
    consumptions = db.session.scalars(
        sa.select(LotConsumption).join(OrderLine, OrderLine.id == LotConsumption.order_line_id)
        .where(OrderLine.order_id == order.id, LotConsumption.returned_at.is_(None))).all()
    give_back_stock([(consumption.lot_id, consumption.quantity) for consumption in consumptions])
    for consumption in consumptions:
        consumption.returned_at = now
    for line in order.lines:
        count_orders_of(line.product_id, -1)


def _count_completed(order: Order) -> None:
    """The cooperative's track record: one more completed order, on time when handed over by the promised day."""
    handed_over = order.shipped_at or order.delivered_at or utcnow()
    on_time = handed_over.astimezone(order.cooperative.time_zone).date() <= order.ship_by
    db.session.execute(sa.update(Cooperative).where(Cooperative.id == order.cooperative_id).values(
        completed_orders=Cooperative.completed_orders + 1,
        on_time_orders=Cooperative.on_time_orders + (1 if on_time else 0)))


def _notify_buyer(order: Order) -> None:
    buyer = order.buyer
    send_mail_after_commit(buyer.email, "order_status", locale=buyer.preferred_locale, order=order,
                           status_label=order.status, close_reason=order.close_reason)


# ---- what is not a move: notes and ratings ----

MAX_NOTE_LENGTH = 1000


def add_note(order: Order, actor, note: str) -> None:
    """A note from the cooperative to the buyer: on the order's timeline, and sent by email."""
    order = _locked(order)
    if actor_role(order, actor) != Actor.COOPERATIVE or not can(actor, order.cooperative, Capability.MANAGE_ORDERS):
        raise NotPermitted(_("Only the cooperative's staff write notes to the buyer."), code="actor_not_allowed")
    note = note.strip()
    if not note or len(note) > MAX_NOTE_LENGTH:
        raise InvalidDetails({"note": _("Write a note of at most 1000 characters.")}, code="note_invalid")
    record_audit(OrderAudit.ORDER_NOTE_ADDED, actor=actor, target=order, note=note)
    buyer = order.buyer
    send_mail_after_commit(buyer.email, "order_note", locale=buyer.preferred_locale, order=order, note=note)


def rate_order(order: Order, actor, *, rating: int, comment: str = "") -> None:
    """The buyer rates a delivered order once (1–5, with a comment); the cooperative's average follows."""
    order = _locked(order)
    if actor_role(order, actor) != Actor.BUYER:
        raise NotPermitted(_("Only the buyer who placed the order rates it."), code="actor_not_allowed")
    if order.status not in (S.DELIVERED, S.COMPLETED):
        raise TransitionNotAllowed(_("You can rate an order once you have received it."), code="not_delivered")
    if order.rating is not None:
        raise TransitionNotAllowed(_("You have already rated this order."), code="already_rated")
    if not 1 <= rating <= 5:
        raise InvalidDetails({"rating": _("Choose 1 to 5 stars.")}, code="rating_out_of_range")
    order.rating, order.rating_comment, order.rated_at = rating, comment.strip() or None, utcnow()
    db.session.execute(sa.update(Cooperative).where(Cooperative.id == order.cooperative_id).values(
        rating_count=Cooperative.rating_count + 1, rating_total=Cooperative.rating_total + rating))
    record_audit(OrderAudit.ORDER_RATED, actor=actor, target=order, rating=rating)


def timeline_of(order: Order) -> list[AuditEvent]:
    return list(db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.target_type == Order.__tablename__,
                                    AuditEvent.target_id == str(order.id)).order_by(AuditEvent.id)))


# ---- what the daily command does ----

def due_for_expiry(now=None) -> list[int]:
    now = now or utcnow()
    return list(db.session.scalars(sa.select(Order.id).where(Order.status == S.AWAITING_PAYMENT,
                                                            Order.payment_due_at <= now).order_by(Order.id)))


def due_for_receipt(days: int, now=None) -> list[int]:
    cutoff = (now or utcnow()) - timedelta(days=days)
    return list(db.session.scalars(sa.select(Order.id).where(Order.status == S.SHIPPED, Order.shipped_at <= cutoff)
                                   .order_by(Order.id)))


def due_for_completion() -> list[int]:
    return list(db.session.scalars(sa.select(Order.id).where(Order.status == S.DELIVERED,
                                                            Order.paid_at.is_not(None)).order_by(Order.id)))


def perform_if_still_due(order_id: int, action: OrderAction) -> bool:
    """For the command: act on one order if it is still in a state that allows it (another run, or a person,
    may have moved it since it was listed)."""
    order = db.session.get(Order, order_id)
    if order is None:
        return False
    order = _locked(order)
    if (action, order.status) not in _MOVES_BY_KEY:
        return False
    if action == OrderAction.COMPLETE and order.paid_at is None:
        return False
    if action == OrderAction.EXPIRE and not events.may_expire(order):
        return False  # a card payment may still arrive: the next round looks again
    if action == OrderAction.CONFIRM_RECEIPT and events.why_not_receive(order, SYSTEM):
        return False  # received only with a handover record, whenever the agency's receiver writes it
    perform(order, action, SYSTEM)
    return True
