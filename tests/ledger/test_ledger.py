"""Attribution and the members' ledger: allocations add up, earnings plus margin are the line total to the rupiah,
the journal is append-only, payouts never exceed what a member is owed."""

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.exc import DatabaseError

from marketplace.catalog.models import Availability
from marketplace.core.errors import DomainError, NotFound, NotPermitted
from marketplace.core.unit_of_work import unit_of_work
from marketplace.extensions import db
from marketplace.ledger.models import Allocation, AllocationSource, JournalEntry, JournalLine, Payout, PayoutMethod
from marketplace.ledger.services import allocations, journal
from marketplace.ledger.services.journal import PayoutDetails, split_by_largest_remainder, split_line
from marketplace.ledger.services.settings import set_cooperative_margin
from marketplace.ordering.models import OrderStatus
from marketplace.ordering.services.lifecycle import OrderAction, perform
from tests.factories import (
    add_staff,
    complete_order,
    create_cooperative,
    create_member,
    create_product,
    create_user,
    owner_of,
    place_order,
    receive,
)
from tests.helpers import refused


@given(total=st.integers(min_value=0, max_value=10**12),
       weights=st.lists(st.integers(min_value=1, max_value=10**6), min_size=1, max_size=40))
def test_largest_remainder_shares_add_up_exactly_and_stay_within_a_rupiah(total, weights):
    shares = split_by_largest_remainder(total, weights)
    assert sum(shares) == total
    for share, weight in zip(shares, weights, strict=True):
        exact = total * weight / sum(weights)
        assert exact - 1 < share < exact + 1


@given(unit_price=st.integers(min_value=1, max_value=10**9), quantity=st.integers(min_value=1, max_value=10**4),
       margin=st.integers(min_value=0, max_value=10_000), members=st.integers(min_value=1, max_value=12),
       data=st.data())
def test_members_earnings_and_the_margin_are_the_line_total_to_the_rupiah(unit_price, quantity, margin, members,
                                                                           data):
    cuts = sorted(data.draw(st.lists(st.integers(min_value=1, max_value=max(1, quantity - 1)), max_size=members - 1,
                                     unique=True)))
    units = [b - a for a, b in zip([0, *cuts], [*cuts, quantity], strict=True) if b > a]
    split = split_line(unit_price * quantity, quantity, list(enumerate(units, start=1)), margin_basis_points=margin,
                       member_unit_price=None)
    assert sum(split.member_earnings.values()) + split.margin == unit_price * quantity
    assert split.margin == unit_price * quantity * margin // 10_000


def test_a_fixed_member_price_pays_members_that_and_leaves_the_rest_as_margin():
    split = split_line(1_000_000, 10, [(1, 6), (2, 4)], margin_basis_points=None, member_unit_price=80_000)
    assert split.member_earnings == {1: 480_000, 2: 320_000} and split.margin == 200_000


@pytest.fixture
def cooperative(app):
    return create_cooperative(name="Koperasi Batik Sragen")


def _deliver_and_pay(order, buyer):
    complete_order(order, buyer)


def test_ready_stock_is_allocated_from_the_lots_it_took_and_booked_when_the_order_completes(cooperative, buyer):
    suparmi, joko = create_member(cooperative, full_name="Suparmi"), create_member(cooperative, full_name="Joko")
    product = create_product(cooperative, base_price=100_000, tiers=[])
    receive(product, 3, member=suparmi, received_on=date(2026, 1, 1))
    receive(product, 5, member=joko, received_on=date(2026, 2, 1))
    order = place_order(buyer, (product, 5)).orders[0]
    [line] = order.lines
    assert {(allocation.member_id, allocation.quantity, allocation.source)
            for allocation in allocations.allocations_of(order)[line.id]} == {
        (suparmi.id, 3, AllocationSource.STOCK_LOT), (joko.id, 2, AllocationSource.STOCK_LOT)}

    _deliver_and_pay(order, buyer)
    assert order.status == OrderStatus.COMPLETED
    # 10% margin by default: Rp 50.000 of Rp 500.000; the rest by units made.
    assert (journal.member_balance(suparmi.id), journal.member_balance(joko.id)) == (270_000, 180_000)
    for entry in db.session.scalars(sa.select(JournalEntry)):
        assert sum(line.amount for line in entry.lines) == 0
    with refused("already_booked"):
        journal.book_completed_order(order)


def test_made_to_order_goods_ship_only_once_staff_say_who_made_them(cooperative, buyer):
    artisans = [create_member(cooperative, full_name=f"Pembatik {index}") for index in range(12)]
    shirts = create_product(cooperative, name="Kemeja batik", base_price=150_000, tiers=[],
                            availability=Availability.MADE_TO_ORDER, lead_time_days=30, weekly_capacity=100)
    order = place_order(buyer, (shirts, 300)).orders[0]
    staff = owner_of(cooperative)
    perform(order, OrderAction.ACCEPT, staff)
    perform(order, OrderAction.START_PRODUCTION, staff)
    with refused("condition_not_met"):
        perform(order, OrderAction.SHIP, staff)
    line = order.lines[0]
    shares = [allocations.Share(member.id, 25) for member in artisans]
    allocations.allocate_line(staff, order, line.id, shares)
    perform(order, OrderAction.SHIP, staff)
    with refused("allocation_closed"):
        allocations.allocate_line(staff, order, line.id, shares)
    perform(order, OrderAction.CONFIRM_RECEIPT, buyer)
    perform(order, OrderAction.CONFIRM_PAYMENT, staff)
    # Rp 45.000.000 less 10%: Rp 40.500.000 across twelve artisans, Rp 3.375.000 each.
    assert {journal.member_balance(member.id) for member in artisans} == {3_375_000}


@pytest.mark.parametrize(("case", "code"), [("other_cooperative", "foreign_member"), ("left", "member_not_active"),
                                            ("short", "quantities_do_not_add_up"),
                                            ("negative", "negative_quantity")])
def test_allocations_that_do_not_hold_are_refused_and_change_nothing(cooperative, buyer, case, code):
    member = create_member(cooperative)
    product = create_product(cooperative, tiers=[], availability=Availability.MADE_TO_ORDER, lead_time_days=7,
                             weekly_capacity=50)
    order = place_order(buyer, (product, 10)).orders[0]
    shares = {"other_cooperative": [allocations.Share(create_member(create_cooperative()).id, 10)],
              "left": [allocations.Share(create_member(cooperative, status="left", left_on=date(2026, 1, 1)).id,
                                         10)],
              "short": [allocations.Share(member.id, 9)],
              "negative": [allocations.Share(member.id, 11), allocations.Share(member.id, -1)]}[case]
    with refused(code):
        allocations.allocate_line(owner_of(cooperative), order, order.lines[0].id, shares)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Allocation)) == 0


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(quantities=st.lists(st.integers(min_value=0, max_value=8), min_size=1, max_size=4))
def test_whatever_staff_enter_a_line_is_allocated_in_full_or_not_at_all(cooperative, quantities):
    buyer = create_user()
    members = [create_member(cooperative) for _ in quantities]
    product = create_product(cooperative, tiers=[], availability=Availability.MADE_TO_ORDER, lead_time_days=7,
                             weekly_capacity=50)
    order = place_order(buyer, (product, 10)).orders[0]
    line = order.lines[0]
    with contextlib.suppress(DomainError):  # refused: then nothing at all is allocated
        allocations.allocate_line(owner_of(cooperative), order, line.id,
                                  [allocations.Share(member.id, units) for member, units in
                                   zip(members, quantities, strict=True)])
    allocated = sum(db.session.scalars(sa.select(Allocation.quantity).where(Allocation.order_line_id == line.id)))
    assert allocated in (0, line.quantity)
    assert (allocated == line.quantity) == (sum(quantities) == line.quantity)
    db.session.rollback()


def test_a_completed_sale_undone_is_reversed_never_edited_and_the_database_refuses_edits(cooperative, buyer):
    member = create_member(cooperative)
    product = create_product(cooperative, base_price=40_000, tiers=[])
    receive(product, 5, member=member)
    order = place_order(buyer, (product, 2)).orders[0]
    _deliver_and_pay(order, buyer)
    assert journal.member_balance(member.id) == 72_000
    with unit_of_work():
        journal.reverse_order(order, owner_of(cooperative), memo="Barang dikembalikan")
    assert journal.member_balance(member.id) == 0
    assert journal.reverse_order(order) == []  # nothing left to reverse
    db.session.commit()
    for statement in ("UPDATE journal_lines SET amount = 1", "DELETE FROM journal_entries"):
        with pytest.raises(DatabaseError):
            db.session.execute(sa.text(statement))
        db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(JournalLine)) == 6


def test_the_cooperatives_margin_applies_to_orders_completed_afterwards(cooperative, buyer):
    member = create_member(cooperative)
    product = create_product(cooperative, base_price=100_000, tiers=[])
    receive(product, 5, member=member)
    with unit_of_work():
        set_cooperative_margin(owner_of(cooperative), cooperative, 2_500)
    order = place_order(buyer, (product, 1)).orders[0]
    _deliver_and_pay(order, buyer)
    assert journal.member_balance(member.id) == 75_000
    with refused("margin_invalid"):
        set_cooperative_margin(owner_of(cooperative), cooperative, 10_001)


def _owed(cooperative, buyer, amount_units=5):
    member = create_member(cooperative)
    product = create_product(cooperative, base_price=100_000, tiers=[])
    receive(product, amount_units, member=member)
    _deliver_and_pay(place_order(buyer, (product, amount_units)).orders[0], buyer)
    return member  # owed Rp 450.000 for five units


def test_payouts_are_recorded_and_never_exceed_the_balance(cooperative, buyer):
    member = _owed(cooperative, buyer)
    staff = owner_of(cooperative)
    details = PayoutDetails(member_id=member.id, amount=450_001, method=PayoutMethod.BANK_TRANSFER,
                            paid_on=date(2026, 11, 20), reference="TRF-1")
    for amount in (450_001, 0, -5):
        with refused("payout_refused"):
            journal.record_payout(staff, cooperative, PayoutDetails(**{**vars(details), "amount": amount}))
    with refused("payout_refused"):
        journal.record_payout(staff, cooperative, PayoutDetails(**{**vars(details), "amount": 1,
                                                                  "paid_on": date(2099, 1, 1)}))
    with pytest.raises(NotFound):
        journal.record_payout(staff, cooperative, PayoutDetails(**{**vars(details), "amount": 1,
                                                                  "member_id": create_member(create_cooperative()).id}))
    journal.record_payout(staff, cooperative, PayoutDetails(**{**vars(details), "amount": 200_000}))
    assert journal.member_balance(member.id) == 250_000
    with pytest.raises(NotPermitted):
        journal.record_payout(add_staff(cooperative, "staff"), cooperative,
                              PayoutDetails(**{**vars(details), "amount": 1}))  # staff may not pay out


def test_two_staff_paying_the_same_member_at_once_cannot_pay_more_than_owed(app, cooperative, buyer):
    member = _owed(cooperative, buyer)
    payers = [owner_of(cooperative).id, add_staff(cooperative, "manager").id]
    db.session.commit()
    cooperative_id, member_id = cooperative.id, member.id  # read here: the threads have sessions of their own
    start = threading.Barrier(2)

    def pay(user_id):
        from marketplace.accounts.models import User
        from marketplace.cooperatives.models import Cooperative

        with app.app_context():
            try:
                actor = db.session.get(User, user_id)
                place = db.session.get(Cooperative, cooperative_id)
                db.session.rollback()
                start.wait(timeout=30)
                with unit_of_work():
                    journal.record_payout(actor, place, PayoutDetails(
                        member_id=member_id, amount=300_000, method=PayoutMethod.CASH, paid_on=date(2026, 11, 20)))
                return "paid"
            except DomainError as error:
                return error.code
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = sorted(pool.map(pay, payers))
    db.session.commit()
    assert results == ["paid", "payout_refused"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Payout)) == 1
    assert journal.member_balance(member.id) == 150_000


def test_a_product_may_have_its_own_margin_or_a_fixed_member_price(cooperative, buyer):
    from marketplace.ledger.services.settings import set_product_rule

    member = create_member(cooperative)
    fixed = create_product(cooperative, base_price=100_000, tiers=[])
    own = create_product(cooperative, base_price=100_000, tiers=[])
    for product in (fixed, own):
        receive(product, 5, member=member)
    staff = owner_of(cooperative)
    set_product_rule(staff, cooperative, fixed.id, margin_basis_points=None, member_unit_price=70_000)
    set_product_rule(staff, cooperative, own.id, margin_basis_points=0, member_unit_price=None)
    for margin, price, code in ((1000, 70_000, "two_rules"), (None, 100_001, "member_price_invalid"),
                                (10_001, None, "margin_invalid")):
        with refused(code):
            set_product_rule(staff, cooperative, fixed.id, margin_basis_points=margin, member_unit_price=price)
    with pytest.raises(NotFound):
        set_product_rule(staff, cooperative, create_product(create_cooperative()).id, margin_basis_points=0,
                         member_unit_price=None)
    _deliver_and_pay(place_order(buyer, (fixed, 1), (own, 1)).orders[0], buyer)
    assert journal.member_balance(member.id) == 70_000 + 100_000
