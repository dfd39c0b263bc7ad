import threading
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marketplace.accounts.models import User
from marketplace.catalog.models import AdjustmentReason, Product, StockAdjustment, StockLot
from marketplace.catalog.services import stock
from marketplace.cooperatives.models import MemberStatus
from marketplace.core.errors import DomainError, NotFound, NotPermitted
from marketplace.core.timeutil import local_today
from marketplace.core.unit_of_work import unit_of_work
from marketplace.extensions import db
from tests.factories import create_cooperative, create_member, create_product, create_user, owner_of
from tests.helpers import refused


def on_hand_from_lots(product) -> int:
    return db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(StockLot.quantity_remaining), 0))
                             .where(StockLot.product_id == product.id))


def test_receiving_stock_creates_a_lot_attributed_to_the_member(app):
    product = create_product()
    suparmi = create_member(product.cooperative, full_name="Suparmi")
    lot = stock.receive_stock(owner_of(product.cooperative), product, member_id=suparmi.id, quantity=30,
                              received_on=local_today(), note="setoran pertama")
    assert (lot.member, lot.quantity_received, lot.quantity_remaining) == (suparmi, 30, 30)
    assert product.stock_on_hand == 30


@pytest.mark.parametrize("quantity, received_on, message", [
    (0, local_today(), "quantity_out_of_range"),
    (-3, local_today(), "quantity_out_of_range"),
    (5, local_today() + timedelta(days=1), "date_in_future"),
])
def test_bad_receipts_are_refused_and_nothing_is_written(app, quantity, received_on, message):
    product = create_product()
    member = create_member(product.cooperative)
    with refused(message):
        stock.receive_stock(owner_of(product.cooperative), product, member_id=member.id, quantity=quantity,
                            received_on=received_on)
    assert db.session.query(StockLot).count() == 0 and product.stock_on_hand == 0


def test_stock_from_a_member_of_another_cooperative_or_a_former_member_is_refused(app):
    product = create_product()
    outsider = create_member(create_cooperative())
    former = create_member(product.cooperative, status=MemberStatus.LEFT, left_on=date(2024, 1, 1))
    for member in (outsider, former):
        with pytest.raises(DomainError):
            stock.receive_stock(owner_of(product.cooperative), product, member_id=member.id, quantity=5,
                                received_on=local_today())


def test_outsiders_cannot_record_stock(app):
    product = create_product()
    member = create_member(product.cooperative)
    with pytest.raises(NotPermitted):
        stock.receive_stock(create_user(), product, member_id=member.id, quantity=5, received_on=local_today())


def test_adjustments_have_a_direction_and_never_empty_a_lot_below_zero(app):
    product = create_product()
    owner = owner_of(product.cooperative)
    lot = stock.receive_stock(owner, product, member_id=create_member(product.cooperative).id, quantity=10,
                              received_on=local_today())
    stock.adjust_stock(owner, product, lot_id=lot.id, quantity_change=-2, reason=AdjustmentReason.DAMAGED)
    with refused("reason_only_lowers"):
        stock.adjust_stock(owner, product, lot_id=lot.id, quantity_change=2, reason=AdjustmentReason.DAMAGED)
    with refused("reason_only_raises"):
        stock.adjust_stock(owner, product, lot_id=lot.id, quantity_change=-1, reason=AdjustmentReason.RETURNED)
    with refused("not_enough_in_lot"):
        stock.adjust_stock(owner, product, lot_id=lot.id, quantity_change=-9, reason=AdjustmentReason.COUNTED)
    stock.adjust_stock(owner, product, lot_id=lot.id, quantity_change=3, reason=AdjustmentReason.COUNTED)
    assert (lot.quantity_received, lot.quantity_remaining, product.stock_on_hand) == (10, 11, 11)
    assert db.session.query(StockAdjustment).count() == 2


def test_a_lot_of_another_product_cannot_be_adjusted_through_this_one(app):
    product, other = create_product(), create_product()
    owner = owner_of(other.cooperative)
    lot = stock.receive_stock(owner, other, member_id=create_member(other.cooperative).id, quantity=5,
                              received_on=local_today())
    with pytest.raises((NotFound, NotPermitted)):
        stock.adjust_stock(owner_of(product.cooperative), product, lot_id=lot.id, quantity_change=-1,
                           reason=AdjustmentReason.DAMAGED)


def test_lots_are_listed_oldest_first_and_summed_per_member(app):
    product = create_product()
    owner = owner_of(product.cooperative)
    suparmi, joko = create_member(product.cooperative, full_name="Suparmi"), create_member(product.cooperative,
                                                                                           full_name="Joko")
    stock.receive_stock(owner, product, member_id=joko.id, quantity=5, received_on=local_today())
    stock.receive_stock(owner, product, member_id=suparmi.id, quantity=7, received_on=local_today() - timedelta(3))
    stock.receive_stock(owner, product, member_id=joko.id, quantity=2, received_on=local_today() - timedelta(1))
    assert [lot.quantity_received for lot in stock.lots_of(product)] == [7, 2, 5]
    assert [(member.full_name, quantity) for member, quantity in stock.stock_by_member(product)] == [
        ("Joko", 7), ("Suparmi", 7)]


operations = st.lists(st.one_of(
    st.tuples(st.just("receive"), st.integers(min_value=1, max_value=50)),
    st.tuples(st.just("adjust"), st.integers(min_value=-60, max_value=60).filter(bool),
              st.sampled_from(list(AdjustmentReason)))), max_size=12)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations)
def test_on_hand_always_equals_what_the_lots_hold(app, steps):
    product = create_product()  # each example starts from its own product: nothing carries over between examples
    owner = owner_of(product.cooperative)
    member = create_member(product.cooperative)
    for step in steps:
        try:
            with unit_of_work():
                if step[0] == "receive":
                    stock.receive_stock(owner, product, member_id=member.id, quantity=step[1],
                                        received_on=local_today())
                elif (lots := stock.lots_of(product)):
                    stock.adjust_stock(owner, product, lot_id=lots[-1].id, quantity_change=step[1],
                                       reason=step[2])
        except DomainError:
            pass  # refused and rolled back whole
        db.session.refresh(product)
        assert product.stock_on_hand == on_hand_from_lots(product) >= 0


def test_concurrent_stock_entries_lose_nothing(app):
    """Real threads, each a request of its own, on SQLite (the write lock a unit takes) and on PostgreSQL (row
    locks)."""
    product = create_product()
    owner_id, product_id = owner_of(product.cooperative).id, product.id
    member_id = create_member(product.cooperative).id
    with unit_of_work():
        lot = stock.receive_stock(owner_of(product.cooperative), product, member_id=member_id, quantity=100,
                                  received_on=local_today())
    lot_id = lot.id
    errors = []

    def worker(index):
        with app.app_context():
            try:
                with unit_of_work():
                    actor = db.session.get(User, owner_id)
                    target = db.session.get(Product, product_id)
                    if index % 2:
                        stock.receive_stock(actor, target, member_id=member_id, quantity=3,
                                            received_on=local_today())
                    else:
                        stock.adjust_stock(actor, target, lot_id=lot_id, quantity_change=-7,
                                           reason=AdjustmentReason.DAMAGED)
            except Exception as error:  # a lock timeout or a 500 would show here, not only a refusal
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.session.rollback()  # end this session's read snapshot to see what the threads committed
    product = db.session.get(Product, product_id)
    # 10 receipts of 3 and 10 corrections of -7 against a lot of 100: all succeed, nothing is lost.
    assert errors == []
    assert product.stock_on_hand == 100 + 30 - 70 == on_hand_from_lots(product)
    assert db.session.get(StockLot, lot_id).quantity_remaining == 30
