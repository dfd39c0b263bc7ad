"""Purchase orders: drafted from a shortlist, one per cooperative; submitted complete; approved by a PPK who did
not prepare them; refused above the ceiling; flagged when they look split; numbered when sent."""

import itertools
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from marketplace.core.errors import Conflict, InvalidDetails, NotPermitted
from marketplace.core.timeutil import local_today
from marketplace.core.unit_of_work import unit_of_work
from marketplace.extensions import db
from marketplace.procurement.models import (
    ApprovalPolicy,
    OfficerRole,
    PurchaseOrder,
    PurchaseOrderStatus,
    RuleKey,
)
from marketplace.procurement.services import purchase_orders as orders
from marketplace.procurement.services.agencies import change_officer_roles, officer_in
from marketplace.procurement.services.rules import set_rule
from tests.factories import (
    add_officer,
    create_agency,
    create_cooperative,
    create_product,
    create_user,
    owner_of,
    receive,
)
from tests.helpers import at_the_same_moment, refused
from tests.procurement.journey import details, drafted, sent, submitted

S = PurchaseOrderStatus
_names = itertools.count(1)


@pytest.fixture
def agency(officer):
    return create_agency(officer, roles=("pp",))


def test_a_pp_drafts_one_order_per_cooperative_at_wholesale_prices(app, officer, agency):
    first, second = create_cooperative(), create_cooperative()
    shelf = create_product(first, base_price=1_500_000, tiers=[(10, 1_350_000)], min_order_quantity=2)
    desk = create_product(first, base_price=900_000, tiers=[])
    mats = create_product(second, base_price=85_000, tiers=[])
    drafts = drafted(officer, agency, (shelf, 10), (desk, None), (mats, 40), complete=False)
    by_cooperative = {po.cooperative_id: po for po in drafts}
    assert set(by_cooperative) == {first.id, second.id}
    ours = by_cooperative[first.id]
    assert [(line.quantity, line.unit_price) for line in ours.lines] == [(10, 1_350_000), (1, 900_000)]
    assert ours.total == 14_400_000 and ours.status == S.DRAFT and ours.number is None
    assert ours.delivery_regency_code == "35.76" and ours.prepared_by_id == officer.id


def test_submitting_asks_for_what_is_missing_and_changes_nothing(app, officer, agency):
    po, = drafted(officer, agency, (create_product(create_cooperative()), 5), complete=False)
    with pytest.raises(InvalidDetails) as refused_submission:
        orders.submit(officer, po)
    assert set(refused_submission.value.field_errors) == {"rup_code", "budget_code", "deliver_by", "recipient_name"}
    db.session.rollback()
    assert db.session.get(PurchaseOrder, po.id).status == S.DRAFT
    with pytest.raises(InvalidDetails) as bad:
        orders.update_details(officer, po, details(agency, fiscal_year=2011, delivery_regency_code="33.14",
                                                   deliver_by=date(2020, 1, 1), spending_unit_id=999999,
                                                   budget_code="4.1.01 (pendapatan)"))
    assert set(bad.value.field_errors) == {"fiscal_year", "delivery_regency_code", "deliver_by", "spending_unit_id",
                                           "budget_code"}
    db.session.rollback()
    for written, kept in (("5.1.02.01.01.0024", "5.1.02.01.01.0024"), ("4471.qdc.001.051.a.525112",
                                                                        "4471.QDC.001.051.A.525112")):
        with unit_of_work():
            orders.update_details(officer, po, details(agency, budget_code=written))
        assert po.budget_code == kept


def test_the_ppk_approves_but_never_an_order_they_prepared(app, officer, agency, outbox):
    with unit_of_work():
        # The PP is a PPK too: one person may hold both roles, but not approve their own order.
        change_officer_roles(officer, agency, officer_in(officer, agency).id,
                             roles={OfficerRole.AGENCY_ADMIN, OfficerRole.PP, OfficerRole.PPK}, spending_limit=None)
    ppk = add_officer(agency, "ppk")
    po = submitted(officer, agency, (create_product(create_cooperative()), 5))
    assert po.status == S.SUBMITTED and outbox[-1]["To"] == ppk.email
    with refused("separation_of_duties", NotPermitted):
        orders.approve(officer, po)
    with refused("role_required", NotPermitted):
        orders.approve(add_officer(agency, "receiver"), po)
    with refused("role_required", NotPermitted):
        orders.approve(add_officer(create_agency(satker_code="654321"), "ppk"), po)  # another agency's PPK
    db.session.rollback()
    with unit_of_work():
        orders.approve(ppk, po)
    assert po.status == S.SENT and po.decided_by_id == ppk.id
    assert po.number == f"SP-123456-{local_today().year}-00001"
    assert po.cooperative.email in {message["To"] for message in outbox}
    actions = [event.action for event in orders.history_of(po)]
    assert actions == ["purchase_order.drafted", "purchase_order.changed", "purchase_order.submitted",
                       "purchase_order.approved", "purchase_order.sent"]
    with refused("not_submitted", Conflict):
        orders.approve(add_officer(agency, "ppk"), po)


def test_a_rejection_says_why_and_the_pp_puts_it_right(app, officer, agency):
    ppk = add_officer(agency, "ppk")
    po = submitted(officer, agency, (create_product(create_cooperative()), 5))
    with refused("reason_required", InvalidDetails):
        orders.reject(ppk, po, "   ")
    db.session.rollback()
    with unit_of_work():
        orders.reject(ppk, po, "Kode anggaran salah")
    assert po.status == S.REJECTED and po.rejection_reason == "Kode anggaran salah"
    with refused("not_a_draft", Conflict):
        orders.update_details(officer, po, details(agency))
    with unit_of_work():
        orders.reopen(officer, po)
        orders.update_details(officer, po, details(agency, budget_code="5.2.02.02"))
        orders.submit(officer, po)
    assert po.status == S.SUBMITTED and po.decided_by_id is None


def test_above_the_ceiling_is_refused_with_the_reason(app, officer, agency, admin):
    cooperative = create_cooperative()
    po, = drafted(officer, agency, (create_product(cooperative, base_price=50_000_000, tiers=[]), 5))
    with refused("above_ceiling", Conflict) as refusal:
        orders.submit(officer, po)
    assert "Rp 200.000.000" in refusal.value.message
    db.session.rollback()
    small, = drafted(officer, agency, (create_product(cooperative, base_price=30_000_000, tiers=[]), 5))
    with unit_of_work():
        set_rule(officer, RuleKey.DIRECT_PURCHASE_CEILING, 100_000_000, local_today(), agency=agency)
    with refused("above_ceiling", Conflict):
        orders.submit(officer, small)  # Rp 150.000.000 is under the law's ceiling, not under the agency's


def test_orders_that_look_split_go_to_the_ppk_who_must_say_they_checked(app, officer, agency):
    agency.approval_policy = ApprovalPolicy.ABOVE_PP_LIMIT
    db.session.commit()
    with unit_of_work():
        officer_in(officer, agency).spending_limit = 150_000_000
    ppk = add_officer(agency, "ppk")
    cooperative = create_cooperative()
    chairs = create_product(cooperative, base_price=1_000_000, tiers=[])
    first = submitted(officer, agency, (chairs, 120))
    assert first.status == S.SENT and first.decided_by_id is None  # within the PP's own limit
    other_goods = submitted(officer, agency, (create_product(cooperative, base_price=1_000_000, tiers=[]), 100))
    assert other_goods.status == S.SENT and other_goods.possible_split_of == []
    second = submitted(officer, agency, (chairs, 100))
    assert second.status == S.SUBMITTED and second.possible_split_of == [first.number]
    with refused("split_not_checked", InvalidDetails):
        orders.approve(ppk, second)
    db.session.rollback()
    with unit_of_work():
        orders.approve(ppk, second, split_checked=True)
    assert second.status == S.SENT
    assert second.number.endswith("-00003")  # numbers without gaps per satker and year


def test_a_changed_price_stops_submission_until_the_pp_takes_it(app, officer, agency):
    product = create_product(create_cooperative(), base_price=100_000, tiers=[])
    po, = drafted(officer, agency, (product, 10))
    product.base_price = 120_000
    db.session.commit()
    assert [change.unit_price_now for change in orders.price_changes(po)] == [120_000]
    with refused("prices_changed", Conflict):
        orders.submit(officer, po)
    db.session.rollback()
    with unit_of_work():
        orders.update_prices(officer, po)
        orders.submit(officer, po)
    assert po.total == 1_200_000 and po.status == S.SUBMITTED


def test_quantities_keep_the_minimum_and_a_line_and_only_the_preparer_edits(app, officer, agency):
    cooperative = create_cooperative()
    po, = drafted(officer, agency, (create_product(cooperative, min_order_quantity=5, tiers=[]), 5),
                  (create_product(cooperative, tiers=[]), 2))
    first, second = po.lines
    with refused("quantities_invalid", InvalidDetails):
        orders.change_quantities(officer, po, {first.id: 3, second.id: -1})
    with refused("last_line", Conflict):
        orders.change_quantities(officer, po, {first.id: 0, second.id: 0})
    with refused("not_the_preparer", NotPermitted):
        orders.change_quantities(add_officer(agency, "pp"), po, {first.id: 6})
    db.session.rollback()
    with unit_of_work():
        orders.change_quantities(officer, po, {first.id: 0, second.id: 12})
    assert [(line.quantity, line.line_total) for line in po.lines] == [(12, 12 * 85_000)] and po.total == 1_020_000


def test_nobody_outside_the_agency_sees_its_purchase_orders(app, officer, agency, buyer):
    po, = drafted(officer, agency, (create_product(create_cooperative()), 5))
    assert orders.purchase_order_for(officer, agency, po.id) == po
    assert orders.purchase_order_for(create_user(kind="admin"), agency, po.id) == po
    for stranger in (buyer, add_officer(create_agency(satker_code="654321"), "pp")):
        with refused("not_found"):
            orders.purchase_order_for(stranger, agency, po.id)


def test_two_ppks_deciding_at_once_decide_once(app, officer, agency):
    ppks = [add_officer(agency, "ppk").id for _ in range(4)]
    po = submitted(officer, agency, (create_product(create_cooperative()), 5))
    po_id = po.id

    def approve(ppk):
        orders.approve(ppk, db.session.get(PurchaseOrder, po_id))

    outcomes = at_the_same_moment(app, approve, ppks, success="approved")
    assert outcomes.count("approved") == 1 and set(outcomes) == {"approved", "not_submitted"}
    sent = db.session.scalar(sa.select(sa.func.count()).select_from(PurchaseOrder).where(
        PurchaseOrder.number.is_not(None)))
    assert sent == 1


def test_the_cooperative_accepts_and_it_becomes_an_ordinary_order_from_the_members_lots(app, officer, agency):
    from marketplace.ordering.models import OrderStatus, PaymentMethod

    cooperative = create_cooperative()
    shelf = create_product(cooperative, base_price=1_500_000, tiers=[(10, 1_350_000)])
    receive(shelf, 4)
    receive(shelf, 10)
    po = sent(officer, agency, (shelf, 12))
    staff = owner_of(cooperative)
    with refused("not_permitted", NotPermitted):
        orders.accept_as_cooperative(owner_of(create_cooperative()), po)
    db.session.rollback()
    with unit_of_work():
        orders.accept_as_cooperative(staff, po)
    order = po.order
    assert po.status == S.ACCEPTED and order.status == OrderStatus.ACCEPTED
    assert (order.buyer_id, order.payment_method, order.total) == (officer.id, PaymentMethod.ON_INVOICE, 16_200_000)
    assert [(line.quantity, line.unit_price) for line in order.lines] == [(12, 1_350_000)]
    assert sorted(consumption.quantity for consumption in order.lines[0].consumptions) == [4, 8]  # oldest lot first
    assert shelf.stock_on_hand == 2
    with refused("not_waiting_for_the_cooperative", Conflict):
        orders.accept_as_cooperative(staff, po)


def test_short_stock_refuses_acceptance_and_changes_nothing(app, officer, agency):
    cooperative = create_cooperative()
    mats = create_product(cooperative, tiers=[])
    receive(mats, 3)
    po = sent(officer, agency, (mats, 5))
    with pytest.raises(Conflict):
        orders.accept_as_cooperative(owner_of(cooperative), po)
    db.session.rollback()
    assert db.session.get(PurchaseOrder, po.id).status == S.SENT and mats.stock_on_hand == 3


def test_counter_offers_keep_every_version_and_change_nothing_until_the_pp_accepts(app, officer, agency, outbox):
    from marketplace.procurement.services.purchase_orders import ProposedLine

    cooperative = create_cooperative()
    chairs = create_product(cooperative, base_price=400_000, tiers=[], availability="made_to_order",
                            lead_time_days=14, weekly_capacity=20)
    po = sent(officer, agency, (chairs, 40))
    staff, line = owner_of(cooperative), po.lines[0]
    with refused("counter_offer_invalid", InvalidDetails):
        orders.counter_offer(staff, po, [ProposedLine(line.id, 0, None)], deliver_by=None, note="x")
    with refused("offer_changes_nothing", Conflict):
        orders.counter_offer(staff, po, [ProposedLine(line.id, 40, 400_000)], deliver_by=None, note="sama")
    db.session.rollback()
    later = po.deliver_by + timedelta(days=10)
    with unit_of_work():
        orders.counter_offer(staff, po, [ProposedLine(line.id, 40, 450_000)], deliver_by=later,
                             note="Harga kayu naik; perlu 10 hari lagi")
    assert po.status == S.COUNTER_OFFERED and line.unit_price == 400_000  # nothing taken yet
    with refused("note_required", InvalidDetails):
        orders.refuse_counter_offer(officer, po, "")
    db.session.rollback()
    with unit_of_work():
        orders.refuse_counter_offer(officer, po, "Anggaran tidak cukup")
    assert po.status == S.SENT
    with unit_of_work():
        orders.counter_offer(staff, po, [ProposedLine(line.id, 36, 420_000)], deliver_by=later,
                             note="36 kursi dengan harga 420.000")
    with refused("not_the_preparer", NotPermitted):
        orders.take_counter_offer(add_officer(agency, "pp"), po)
    db.session.rollback()
    with unit_of_work():
        orders.take_counter_offer(officer, po)
    assert [offer.version for offer in po.offers] == [1, 2]
    assert [str(offer.answer) for offer in po.offers] == ["refused", "taken"]
    assert (po.status, po.total, po.deliver_by) == (S.ACCEPTED, 36 * 420_000, later)
    assert [(line.quantity, line.unit_price) for line in po.order.lines] == [(36, 420_000)]
    assert outbox[-1]["To"] == cooperative.email


def test_a_counter_offer_cannot_lift_the_order_over_the_ceiling(app, officer, agency):
    from marketplace.procurement.services.purchase_orders import ProposedLine

    cooperative = create_cooperative()
    po = sent(officer, agency, (create_product(cooperative, base_price=1_900_000, tiers=[],
                                               availability="made_to_order", lead_time_days=7,
                                               weekly_capacity=50), 100))
    with unit_of_work():
        orders.counter_offer(owner_of(cooperative), po, [ProposedLine(po.lines[0].id, 100, 2_100_000)],
                             deliver_by=None, note="Harga baru")
    with refused("above_ceiling", Conflict):
        orders.take_counter_offer(officer, po)
    db.session.rollback()
    assert db.session.get(PurchaseOrder, po.id).status == S.COUNTER_OFFERED


def test_the_cooperative_declines_with_a_reason(app, officer, agency):
    cooperative = create_cooperative()
    po = sent(officer, agency, (create_product(cooperative), 5))
    with refused("reason_required", InvalidDetails):
        orders.decline(owner_of(cooperative), po, " ")
    db.session.rollback()
    with unit_of_work():
        orders.decline(owner_of(cooperative), po, "Kapasitas produksi penuh sampai Februari")
    assert po.status == S.DECLINED and po.order_id is None


def test_a_negotiation_stops_after_ten_counter_offers(app, officer, agency):
    from marketplace.procurement.services.purchase_orders import MAX_COUNTER_OFFERS, ProposedLine

    cooperative = create_cooperative()
    po = sent(officer, agency, (create_product(cooperative, base_price=100_000, tiers=[]), 5))
    staff = owner_of(cooperative)
    for version in range(MAX_COUNTER_OFFERS):
        with unit_of_work():
            orders.counter_offer(staff, po, [ProposedLine(po.lines[0].id, 5, 100_001 + version)], deliver_by=None,
                                 note=f"Versi {version + 1}")
        with unit_of_work():
            orders.refuse_counter_offer(officer, po, "Tetap")
    with refused("too_many_offers", Conflict):
        orders.counter_offer(staff, po, [ProposedLine(po.lines[0].id, 5, 99_000)], deliver_by=None, note="Lagi")
    db.session.rollback()
    assert len(po.offers) == MAX_COUNTER_OFFERS and po.status == S.SENT


def test_officer_invitations_are_limited_per_account(app, officer, agency):
    from tests.helpers import csrf_token_from, signed_in

    app.config["MESSAGE_RATE_LIMIT"] = "3 per minute"
    admin_page = signed_in(app, officer)
    token = csrf_token_from(admin_page, f"/agencies/{agency.id}")
    answers = [admin_page.post(f"/agencies/{agency.id}/officers/invite", data={
        "csrf_token": token, "email": f"staf{number}@mojokertokota.go.id", "roles": "receiver"}).status_code
        for number in range(4)]
    assert answers[:3] == [302, 302, 302] and answers[3] == 429
