"""The order's life cycle: every (state, actor, action) is allowed or refused as the table says, and each move
records who did it, gives stock back where the sale is off, and keeps the cooperative's track record."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from marketplace.catalog.models import StockLot
from marketplace.cooperatives.models import Cooperative
from marketplace.core.audit import SYSTEM, AuditEvent
from marketplace.core.errors import DomainError, NotFound, NotPermitted, TransitionNotAllowed
from marketplace.core.timeutil import utcnow
from marketplace.core.unit_of_work import unit_of_work
from marketplace.extensions import db
from marketplace.ordering.models import LotConsumption, Order, OrderStatus
from marketplace.ordering.services import lifecycle
from marketplace.ordering.services.lifecycle import MOVES, Actor, OrderAction, perform
from tests.factories import add_staff, create_product, create_user, owner_of, place_order, receive
from tests.helpers import refused


@pytest.fixture
def order(app, buyer):
    product = create_product(base_price=50_000, tiers=[])
    receive(product, 10)
    return place_order(buyer, (product, 4)).orders[0]


def _actor(order, role):
    return {Actor.BUYER: order.buyer, Actor.COOPERATIVE: owner_of(order.cooperative), Actor.SYSTEM: SYSTEM}[role]


def _set_up(order, status):
    """Put the order in `status` with the facts that state implies (a made-to-order line for production)."""
    order.status = status
    order.paid_at = utcnow() if status in (OrderStatus.DELIVERED, OrderStatus.COMPLETED) else None
    db.session.commit()


def _move_allowed(action, status, role, order):
    move = next((move for move in MOVES if move.action == action and move.source == status), None)
    if move is None or role not in move.actors:
        return False
    if action == OrderAction.START_PRODUCTION:
        return False  # the order under test has only ready-stock lines
    if action == OrderAction.CONFIRM_PAYMENT:
        return order.paid_at is None
    if action == OrderAction.COMPLETE:
        return order.paid_at is not None
    return True


@pytest.mark.parametrize("status", list(OrderStatus))
def test_every_state_actor_and_action_is_either_allowed_or_refused_as_the_table_says(order, status):
    allowed_count = {True: 0, False: 0}
    for role in Actor:
        for action in OrderAction:
            _set_up(order, status)
            expected = _move_allowed(action, status, role, order)
            # The buttons a page shows agree with what the service allows.
            assert (action in lifecycle.allowed_actions(order, _actor(order, role))) == expected, (status, role, action)
            note = "Stok bahan baku habis" if action in (OrderAction.REJECT, OrderAction.CANCEL) else ""
            carrier = {"carrier": "JNE", "tracking_number": "JNE123"} if action == OrderAction.SHIP else {}
            try:
                with unit_of_work():
                    perform(order, action, _actor(order, role), note=note, **carrier)
            except DomainError as error:
                assert not expected, f"{status} {role} {action} was refused: {error.message}"
                db.session.refresh(order)
                assert order.status == status, "a refused move changed nothing"
            else:
                assert expected, f"{status} {role} {action} should have been refused"
            allowed_count[expected] += 1
    assert allowed_count[True] >= 1 or status in (OrderStatus.COMPLETED, OrderStatus.CANCELLED, OrderStatus.EXPIRED,
                                                  OrderStatus.REJECTED)


def test_a_stranger_or_another_cooperative_cannot_touch_the_order(order):
    stranger = create_user()
    other_staff = owner_of(create_product().cooperative)
    for person in (stranger, other_staff):
        with pytest.raises(NotFound):
            perform(order, OrderAction.CANCEL, person)
    assert db.session.get(Order, order.id).status == OrderStatus.PLACED


def test_a_supervisor_reads_but_cannot_act_and_staff_cannot_confirm_money(order):
    supervisor = add_staff(order.cooperative, "supervisor")
    staff = add_staff(order.cooperative, "staff")
    with refused("condition_not_met"):
        perform(order, OrderAction.ACCEPT, supervisor)
    with refused("condition_not_met"):
        perform(order, OrderAction.CONFIRM_PAYMENT, staff)
    perform(order, OrderAction.ACCEPT, staff)
    assert order.status == OrderStatus.ACCEPTED


def test_the_buyer_cannot_accept_their_own_order_and_the_cooperative_cannot_confirm_receipt(order):
    with refused("actor_not_allowed", NotPermitted):
        perform(order, OrderAction.ACCEPT, order.buyer)
    perform(order, OrderAction.ACCEPT, owner_of(order.cooperative))
    perform(order, OrderAction.SHIP, owner_of(order.cooperative))
    with refused("actor_not_allowed", NotPermitted):
        perform(order, OrderAction.CONFIRM_RECEIPT, owner_of(order.cooperative))


def test_reject_and_cancel_by_the_cooperative_need_a_reason(order):
    with refused("reason_required"):
        perform(order, OrderAction.REJECT, owner_of(order.cooperative))
    assert db.session.get(Order, order.id).status == OrderStatus.PLACED


def test_a_courier_shipment_needs_carrier_and_tracking_number(app, buyer):
    from marketplace.ordering.services.delivery import DeliveryDetails, update_delivery_settings

    product = create_product(tiers=[])
    receive(product, 5)
    update_delivery_settings(owner_of(product.cooperative), product.cooperative, DeliveryDetails(
        offers_pickup=True, offers_arranged=True, pickup_instructions="", rates={"33": 15_000}))
    order = place_order(buyer, (product, 1), delivery="courier").orders[0]
    perform(order, OrderAction.ACCEPT, owner_of(order.cooperative))
    with refused("tracking_required"):
        perform(order, OrderAction.SHIP, owner_of(order.cooperative), carrier="JNE")
    perform(order, OrderAction.SHIP, owner_of(order.cooperative), carrier="JNE", tracking_number="JP123")
    assert (order.carrier, order.tracking_number) == ("JNE", "JP123")


@pytest.mark.parametrize("how", ["buyer_cancels", "cooperative_rejects", "expires"])
def test_an_order_that_ends_without_a_sale_gives_its_units_back_to_the_same_lots(app, buyer, how):
    product = create_product(tiers=[])
    old_lot = receive(product, 3, received_on=date(2026, 1, 1))
    new_lot = receive(product, 5, received_on=date(2026, 2, 1))
    order = place_order(buyer, (product, 4), payment="bank_transfer" if how == "expires" else "on_delivery").orders[0]
    db.session.refresh(old_lot)
    db.session.refresh(new_lot)
    assert (old_lot.quantity_remaining, new_lot.quantity_remaining) == (0, 4)
    with unit_of_work():
        if how == "buyer_cancels":
            perform(order, OrderAction.CANCEL, buyer, note="Salah pesan")
        elif how == "cooperative_rejects":
            perform(order, OrderAction.REJECT, owner_of(order.cooperative), note="Bahan habis")
        else:
            perform(order, OrderAction.EXPIRE, SYSTEM)
    for lot in (old_lot, new_lot, product):
        db.session.refresh(lot)
    assert (old_lot.quantity_remaining, new_lot.quantity_remaining, product.stock_on_hand) == (3, 5, 8)
    assert product.order_count == 0
    assert all(consumption.returned_at for consumption in db.session.scalars(sa.select(LotConsumption)))
    # A second cancellation cannot give the units back twice.
    with pytest.raises(TransitionNotAllowed):
        perform(order, OrderAction.CANCEL, buyer)
    assert db.session.scalar(sa.select(sa.func.sum(StockLot.quantity_remaining))) == 8


def test_every_move_is_on_the_timeline_with_who_from_and_to(order, outbox):
    staff = owner_of(order.cooperative)
    with unit_of_work():
        perform(order, OrderAction.ACCEPT, staff)
    with unit_of_work():
        perform(order, OrderAction.SHIP, staff)
    with unit_of_work():
        perform(order, OrderAction.CONFIRM_RECEIPT, order.buyer)
    events = lifecycle.timeline_of(order)
    assert [event.action for event in events] == ["order.placed", "order.accepted", "order.shipped", "order.delivered"]
    assert events[1].actor_id == staff.id and events[1].details["from"] == "placed"
    assert events[3].details == {"from": "shipped", "to": "delivered"}
    assert [message["To"] for message in outbox[-3:]] == [order.buyer.email] * 3


def test_delivered_and_paid_completes_and_counts_on_the_track_record(order):
    staff = owner_of(order.cooperative)
    perform(order, OrderAction.ACCEPT, staff)
    perform(order, OrderAction.SHIP, staff)
    perform(order, OrderAction.CONFIRM_RECEIPT, order.buyer)
    assert order.status == OrderStatus.DELIVERED  # paid on delivery: not yet recorded
    perform(order, OrderAction.CONFIRM_PAYMENT, staff)
    assert order.status == OrderStatus.COMPLETED
    cooperative = db.session.get(Cooperative, order.cooperative_id)
    db.session.refresh(cooperative)
    assert (cooperative.completed_orders, cooperative.on_time_orders, cooperative.on_time_rate) == (1, 1, 10_000)


def test_a_late_shipment_is_not_on_time(order):
    staff = owner_of(order.cooperative)
    order.ship_by = date.today() - timedelta(days=3)
    perform(order, OrderAction.ACCEPT, staff)
    perform(order, OrderAction.CONFIRM_PAYMENT, staff)
    perform(order, OrderAction.SHIP, staff)
    perform(order, OrderAction.CONFIRM_RECEIPT, order.buyer)
    cooperative = db.session.get(Cooperative, order.cooperative_id)
    db.session.refresh(cooperative)
    assert (cooperative.completed_orders, cooperative.on_time_orders) == (1, 0)


def test_only_the_buyer_rates_once_after_delivery(order):
    staff = owner_of(order.cooperative)
    with refused("not_delivered", TransitionNotAllowed):
        lifecycle.rate_order(order, order.buyer, rating=5)
    for action, actor in ((OrderAction.ACCEPT, staff), (OrderAction.SHIP, staff),
                          (OrderAction.CONFIRM_RECEIPT, order.buyer)):
        perform(order, action, actor)
    with refused("actor_not_allowed", NotPermitted):
        lifecycle.rate_order(order, staff, rating=5)  # a cooperative rating its own order
    for stars in (0, 6, -1):
        with refused("rating_out_of_range"):
            lifecycle.rate_order(order, order.buyer, rating=stars)
    lifecycle.rate_order(order, order.buyer, rating=4, comment="Rapi")
    with refused("already_rated", TransitionNotAllowed):
        lifecycle.rate_order(order, order.buyer, rating=1)
    cooperative = db.session.get(Cooperative, order.cooperative_id)
    db.session.refresh(cooperative)
    assert (cooperative.rating_count, cooperative.average_rating) == (1, 4.0)


def test_notes_to_the_buyer_come_only_from_staff(order, outbox):
    with refused("actor_not_allowed", NotPermitted):
        lifecycle.add_note(order, order.buyer, "Halo")
    with refused("note_invalid"):
        lifecycle.add_note(order, owner_of(order.cooperative), "   ")
    with unit_of_work():
        lifecycle.add_note(order, owner_of(order.cooperative), "Barang dikirim besok pagi.")
    assert outbox[-1]["To"] == order.buyer.email
    assert lifecycle.timeline_of(order)[-1].details["note"] == "Barang dikirim besok pagi."


def _run(app, *args):
    result = CliRunner().invoke(app.cli, ["expire-orders", *args], obj=None, catch_exceptions=False)
    db.session.expire_all()
    return result


def test_the_daily_command_expires_unpaid_orders_confirms_old_shipments_and_completes(app, buyer):
    product = create_product(tiers=[])
    receive(product, 10)
    unpaid = place_order(buyer, (product, 2), payment="bank_transfer").orders[0]
    not_due = place_order(buyer, (product, 1), payment="bank_transfer").orders[0]
    shipped = place_order(buyer, (product, 1)).orders[0]
    staff = owner_of(product.cooperative)
    for action in (OrderAction.ACCEPT, OrderAction.CONFIRM_PAYMENT, OrderAction.SHIP):
        perform(shipped, action, staff)
    unpaid.payment_due_at = utcnow() - timedelta(minutes=1)
    shipped.shipped_at = utcnow() - timedelta(days=app.config["ORDER_RECEIPT_DAYS"] + 1)
    db.session.commit()

    result = _run(app)
    assert "expire: 1" in result.output and "confirm_receipt: 1" in result.output
    assert db.session.get(Order, unpaid.id).status == OrderStatus.EXPIRED
    assert db.session.get(Order, not_due.id).status == OrderStatus.AWAITING_PAYMENT
    assert db.session.get(Order, shipped.id).status == OrderStatus.COMPLETED  # it was paid already
    db.session.refresh(product)
    assert product.stock_on_hand == 10 - 1 - 1
    # Run again: nothing more happens, nothing is given back twice.
    again = _run(app)
    assert "expire: 0" in again.output
    db.session.refresh(product)
    assert product.stock_on_hand == 8
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "order.expired", AuditEvent.by_system.is_(True))) == 1


def test_perform_if_still_due_skips_an_order_someone_already_moved(order):
    perform(order, OrderAction.CANCEL, order.buyer)
    assert lifecycle.perform_if_still_due(order.id, OrderAction.EXPIRE) is False
    assert lifecycle.perform_if_still_due(999_999, OrderAction.EXPIRE) is False
