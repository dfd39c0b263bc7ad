"""Settlement: the platform owes each cooperative its card money less refunds and the platform fee; payouts never
exceed what may be paid now; and paid in = settled + owed + refunded + fees, always."""

from datetime import date

import sqlalchemy as sa

from marketplace.accounts.models import AccountKind
from marketplace.cooperatives.models import Cooperative
from marketplace.core.timeutil import local_today
from marketplace.core.unit_of_work import unit_of_work
from marketplace.extensions import db
from marketplace.payments.models import PlatformFeeRate, Settlement
from marketplace.payments.services import refunds, settlement
from marketplace.payments.services.received import fee_rate_on, set_fee_rate
from tests.factories import complete_order, create_product, create_user, owner_of, receive
from tests.helpers import at_the_same_moment, csrf_token_from, page_text, refused, signed_in
from tests.payments.test_refunds import paid_by_card


def _assert_reconciles():
    totals = settlement.reconciliation()
    assert totals.difference == 0, totals
    return totals


def test_owed_fees_refunds_and_payouts_always_reconcile(stripe_app, buyer, admin, client):
    with unit_of_work():
        set_fee_rate(admin, valid_from=local_today(), basis_points=250, today=local_today())  # 2.5%
    weaving, batik = create_product(base_price=85_000, tiers=[]), create_product(base_price=120_000, tiers=[])
    receive(weaving, 10)
    receive(batik, 10)
    checkout, _payment = paid_by_card(buyer, client, (weaving, 2), (batik, 1))
    delivered, waiting = sorted(checkout.orders, key=lambda order: order.total)  # Rp 120.000 and Rp 170.000
    assert (delivered.total, waiting.total) == (120_000, 170_000)
    complete_order(delivered, buyer)
    totals = _assert_reconciles()
    assert (totals.paid_in, totals.fees, totals.owed) == (290_000, 3_000 + 4_250, 290_000 - 7_250)

    position = settlement.position_of(delivered.cooperative)
    assert (position.collected, position.fees, position.payable_now, position.waiting) == (120_000, 3_000, 117_000, 0)
    assert settlement.position_of(waiting.cooperative).payable_now == 0  # the buyer does not have the goods yet

    with unit_of_work():
        refunds.refund_order(admin, delivered, amount=20_000, reason="Warna berbeda")
    position = settlement.position_of(delivered.cooperative)
    assert (position.refunded, position.fees, position.payable_now) == (20_000, 2_500, 97_500)  # no fee on a refund
    _assert_reconciles()

    page = signed_in(stripe_app, admin)
    url = f"/admin/payments/cooperatives/{delivered.cooperative_id}"
    token = csrf_token_from(page, url)
    too_much = page.post(url, data={"csrf_token": token, "amount": "97.501", "paid_on": local_today().isoformat(),
                                    "reference": "BCA-778"})
    assert too_much.status_code == 422 and "Rp 97.500" in page_text(too_much)
    future = page.post(url, data={"csrf_token": token, "amount": "50.000", "paid_on": "2099-01-01",
                                  "reference": "BCA-778"})
    assert future.status_code == 422
    assert page.post(url, data={"csrf_token": token, "amount": "97.500", "paid_on": local_today().isoformat(),
                                "reference": "BCA-778"}).status_code == 302
    assert db.session.scalar(sa.select(sa.func.sum(Settlement.amount))) == 97_500
    totals = _assert_reconciles()
    assert (totals.settled, totals.refunded) == (97_500, 20_000)
    assert settlement.position_of(delivered.cooperative).owed == 0
    overview = page_text(page.get("/admin/payments"))
    assert "angkanya cocok" in overview and delivered.cooperative.name in overview

    # The cooperative sees its own account, and nobody else's.
    staff = signed_in(stripe_app, owner_of(delivered.cooperative))
    mine = page_text(staff.get(f"/manage/{delivered.cooperative.slug}/settlement"))
    assert "BCA-778" in mine and "Rp 97.500" in mine
    assert staff.get(f"/manage/{waiting.cooperative.slug}/settlement").status_code == 403
    assert staff.get("/admin/payments").status_code == 403


def test_the_platform_fee_is_dated_data_set_only_by_administrators(app, admin):
    today = local_today()
    staff = create_user()
    with refused("not_permitted"):
        set_fee_rate(staff, valid_from=today, basis_points=100, today=today)
    for valid_from, basis_points in ((date(2020, 1, 1), 100), (today, 2_001), (today, -1)):
        with refused("fee_invalid"):
            set_fee_rate(admin, valid_from=valid_from, basis_points=basis_points, today=today)
    page = signed_in(app, admin)
    token = csrf_token_from(page, "/admin/payments/fee")
    assert page.post("/admin/payments/fee", data={"csrf_token": token, "percent": "2,5"}).status_code == 422
    assert "antara 0% dan 20%" in page_text(page.post("/admin/payments/fee", data={
        "csrf_token": token, "percent": "25", "valid_from": today.isoformat()}))
    assert page.post("/admin/payments/fee", data={"csrf_token": token, "percent": "2,5",
                                                  "valid_from": today.isoformat()}).status_code == 302
    assert fee_rate_on(today) == 250 and fee_rate_on(date(2020, 1, 1)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PlatformFeeRate)) == 1
    assert "2,5%" in page_text(page.get("/admin/payments/fee"))


def test_two_administrators_paying_a_cooperative_out_at_once_pay_it_once(stripe_app, buyer, admin, client):
    product = create_product(base_price=85_000, tiers=[])
    receive(product, 10)
    checkout, _payment = paid_by_card(buyer, client, (product, 2))
    order = checkout.orders[0]
    complete_order(order, buyer)
    payers = [admin.id, create_user(kind=AccountKind.ADMIN).id]
    db.session.commit()
    cooperative_id = order.cooperative_id

    def pay_out(actor):
        settlement.record_settlement(actor, db.session.get(Cooperative, cooperative_id), amount=170_000,
                                     paid_on=local_today(), reference=f"BCA-{actor.id}")

    results = at_the_same_moment(stripe_app, pay_out, payers, success="settled")
    assert results == ["settled", "settlement_invalid"]
    assert db.session.scalar(sa.select(sa.func.sum(Settlement.amount))) == 170_000
    _assert_reconciles()
