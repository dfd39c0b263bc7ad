"""Refunds: through Stripe for card money (against localstripe), recorded transfers otherwise; never more than was
paid, and the members' earnings booked for the order fall with them."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask import current_app

from marketplace.core.audit import AuditEvent
from marketplace.core.unit_of_work import unit_of_work
from marketplace.extensions import db
from marketplace.ledger.models import JournalEntry, JournalKind
from marketplace.ledger.services.journal import member_balance
from marketplace.ordering.models import Order, OrderStatus
from marketplace.payments.models import OrderPayment, Refund, RefundMethod
from marketplace.payments.services import card, refunds
from tests.factories import (
    add_staff,
    complete_order,
    create_member,
    create_product,
    create_user,
    owner_of,
    place_order,
    receive,
)
from tests.helpers import at_the_same_moment, csrf_token_from, page_text, refused, signed_in
from tests.payments.stripe_helpers import deliver, event, stripe_client


def paid_by_card(buyer, client, *lines):
    """A card checkout paid for real at localstripe, Stripe's success delivered as a signed event."""
    checkout = place_order(buyer, *lines, payment="card")
    with current_app.test_request_context(method="POST"), unit_of_work():
        payment = card.start_card_payment(buyer, checkout, payment_method="pm_card_visa").payment
    stripe_client().v1.payment_intents.confirm(payment.intent_id)
    response = deliver(client, event(payment.intent_id, amount=payment.amount * 100, event_id=f"evt_{payment.id}"))
    assert response.json["outcome"] == "paid"
    return checkout, payment


def _refund_page(app, user, order):
    staff = signed_in(app, user)
    url = f"/admin/payments/orders/{order.number}"
    return staff, url, csrf_token_from(staff, url)


def test_an_administrator_refunds_card_money_in_parts_and_the_ledger_follows(stripe_app, buyer, admin, client,
                                                                           outbox):
    product = create_product(base_price=85_000, tiers=[])
    member = create_member(product.cooperative)
    receive(product, 10, member=member)
    checkout, payment = paid_by_card(buyer, client, (product, 2))
    order = complete_order(checkout.orders[0], buyer)
    assert order.status == OrderStatus.COMPLETED
    earned = member_balance(member.id)
    assert earned == 153_000  # Rp 170.000 less the cooperative's 10%

    staff, url, token = _refund_page(stripe_app, admin, order)
    response = staff.post(url, data={"csrf_token": token, "amount": "51.000", "reason": "Satu tikar rusak"})
    assert response.status_code == 302
    at_stripe = stripe_client().v1.refunds.list(params={"payment_intent": payment.intent_id}).data
    assert [refund.amount for refund in at_stripe] == [5_100_000]  # hundredths of a rupiah
    db.session.expire_all()
    assert db.session.get(Order, order.id).refunded_amount == 51_000
    assert member_balance(member.id) == earned - 45_900  # the member gives back their share of the goods' price
    assert "Rp 51.000" in outbox[-1].get_content() and "Satu tikar rusak" in outbox[-1].get_content()

    # More than is left: refused before anything moves at Stripe.
    response = staff.post(url, data={"csrf_token": token, "amount": "119.001", "reason": "Semua"})
    assert response.status_code == 422 and "Rp 119.000" in page_text(response)
    assert len(stripe_client().v1.refunds.list(params={"payment_intent": payment.intent_id}).data) == 1
    staff.post(url, data={"csrf_token": token, "amount": "119.000", "reason": "Semua dikembalikan"})
    db.session.expire_all()
    assert db.session.get(Order, order.id).refunded_amount == 170_000
    assert member_balance(member.id) == 0  # two partial refunds add up exactly to a full one
    refund_entries = db.session.scalars(sa.select(JournalEntry).where(JournalEntry.kind == JournalKind.REFUND)).all()
    assert len(refund_entries) == 2 and all(sum(line.amount for line in entry.lines) == 0 for entry in refund_entries)
    response = staff.post(url, data={"csrf_token": token, "amount": "1", "reason": "Lagi"})
    assert response.status_code == 422 and "seluruhnya" in page_text(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Refund)) == 2


def test_a_refund_made_at_stripe_is_recorded_once_however_often_stripe_reports_it(stripe_app, buyer, client):
    product = create_product(base_price=85_000, tiers=[])
    receive(product, 10)
    checkout, payment = paid_by_card(buyer, client, (product, 2))
    order = checkout.orders[0]
    made = stripe_client().v1.refunds.create(params={"payment_intent": payment.intent_id, "amount": 2_000_000,
                                                     "metadata": {"order": order.number}})
    charge_refunded = {"id": "evt_refund_1", "object": "event", "type": "charge.refunded", "data": {"object": {
        "id": made.charge, "object": "charge", "payment_intent": payment.intent_id, "amount_refunded": 2_000_000}}}
    assert deliver(client, charge_refunded).json["outcome"] == "refund_recorded"
    assert deliver(client, charge_refunded).json["outcome"] == "duplicate"
    assert deliver(client, {**charge_refunded, "id": "evt_refund_2"}).json["outcome"] == "refund_known"
    recorded = db.session.scalars(sa.select(Refund)).all()
    assert [(refund.amount, refund.stripe_refund_id, refund.method) for refund in recorded] == [
        (20_000, made.id, RefundMethod.CARD)]
    assert db.session.get(Order, order.id).refunded_amount == 20_000


def test_a_refund_at_stripe_that_matches_no_order_is_flagged_not_guessed(stripe_app, buyer, client):
    cooperative_product = create_product(base_price=85_000, tiers=[])
    other = create_product(base_price=60_000, tiers=[])
    receive(cooperative_product, 5)
    receive(other, 5)
    checkout, payment = paid_by_card(buyer, client, (cooperative_product, 1), (other, 1))
    assert len(checkout.orders) == 2
    stripe_client().v1.refunds.create(params={"payment_intent": payment.intent_id, "amount": 1_000_000})
    body = {"id": "evt_refund_x", "object": "event", "type": "refund.created", "data": {"object": {
        "id": "re_x", "object": "refund", "payment_intent": payment.intent_id, "amount": 1_000_000}}}
    assert deliver(client, body).json["outcome"] == "refund_known"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Refund)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "payment.stripe_refund_unmatched")) == 1


def test_a_cooperative_records_the_transfer_it_made_back_and_may_not_refund_card_money(app, buyer, outbox):
    product = create_product(base_price=85_000, tiers=[])
    receive(product, 10)
    order = place_order(buyer, (product, 2), payment="bank_transfer").orders[0]
    owner = owner_of(order.cooperative)
    staff = signed_in(app, owner)
    url = f"/manage/{order.cooperative.slug}/orders/{order.number}/payment"
    token = csrf_token_from(staff, url)
    response = staff.post(url, data={"csrf_token": token, "what": "refund", "refund-amount": "10.000",
                                     "refund-reason": "Ongkir", "refund-reference": "TRF-1",
                                     "refund-refunded_on": "2026-11-20"})
    assert "belum dibayar" in page_text(response)  # nothing to refund yet
    with unit_of_work():
        from marketplace.payments.services.transfers import confirm_transfer

        confirm_transfer(owner, order, amount=170_000, received_on=date(2026, 11, 20))
    assert db.session.scalar(sa.select(OrderPayment.reference).where(OrderPayment.order_id == order.id)) == \
        order.number
    missing = staff.post(url, data={"csrf_token": token, "what": "refund", "refund-amount": "10.000",
                                    "refund-reason": "Ongkir"})
    assert missing.status_code == 422 and "referensi" in page_text(missing).lower()
    staff.post(url, data={"csrf_token": token, "what": "refund", "refund-amount": "10.000", "refund-reason": "Ongkir",
                          "refund-reference": "TRF-1", "refund-refunded_on": "2026-11-21"})
    refund = db.session.scalar(sa.select(Refund))
    assert (refund.amount, refund.method, refund.reference) == (10_000, RefundMethod.TRANSFER, "TRF-1")
    assert "Rp 10.000" in page_text(signed_in(app, buyer).get(f"/orders/{order.number}"))
    # Nobody else: a stranger gets 403, the buyer cannot reach the cooperative's page.
    assert signed_in(app, create_user()).get(url).status_code == 403
    assert signed_in(app, buyer).get(url).status_code == 403


def test_card_money_is_refunded_only_by_the_platform_and_never_beyond_what_was_paid(stripe_app, buyer, client):
    product = create_product(base_price=85_000, tiers=[])
    receive(product, 10)
    checkout, _payment = paid_by_card(buyer, client, (product, 2))
    order = checkout.orders[0]
    with refused("refund_not_allowed"):
        refunds.refund_order(owner_of(order.cooperative), order, amount=1_000, reason="x")
    db.session.rollback()
    admin = create_user(kind="admin")
    for amount, reason, code in ((0, "x", "refund_invalid"), (170_001, "x", "refund_invalid"),
                                 (1_000, "  ", "refund_invalid")):
        with refused(code):
            refunds.refund_order(admin, order, amount=amount, reason=reason)
        db.session.rollback()
    unpaid = place_order(buyer, (product, 1), payment="on_delivery").orders[0]
    with refused("not_paid"):
        refunds.refund_order(admin, unpaid, amount=1_000, reason="x")


@pytest.mark.parametrize("ending", ["cancel", "expire"])
def test_money_that_arrives_for_an_order_that_ended_is_listed_as_a_refund_due(stripe_app, buyer, admin, client,
                                                                                ending):
    from marketplace.core.audit import SYSTEM
    from marketplace.core.timeutil import utcnow
    from marketplace.ordering.services.lifecycle import OrderAction, perform

    product = create_product(base_price=85_000, tiers=[])
    receive(product, 10)
    checkout = place_order(buyer, (product, 2), payment="card")
    with current_app.test_request_context(method="POST"), unit_of_work():
        payment = card.start_card_payment(buyer, checkout, payment_method="pm_card_visa").payment
    order = checkout.orders[0]
    with unit_of_work():
        if ending == "cancel":
            perform(order, OrderAction.CANCEL, buyer, note="Salah pesan")
        else:
            order.payment_due_at = utcnow() - timedelta(seconds=1)
            perform(order, OrderAction.EXPIRE, SYSTEM)
    stripe_client().v1.payment_intents.confirm(payment.intent_id)
    assert deliver(client, event(payment.intent_id, amount=17_000_000)).json["outcome"] == "paid"
    assert db.session.get(Order, order.id).status in (OrderStatus.CANCELLED, OrderStatus.EXPIRED)
    assert [row[0].number for row in refunds.refunds_due()] == [order.number]
    overview = signed_in(stripe_app, admin).get("/admin/payments")
    assert order.number in page_text(overview)


def test_two_refunds_of_what_is_left_at_the_same_moment_give_it_back_once(app, buyer):
    """Two staff members record the same transfer back at once: the order's row lock lets only one through."""
    from marketplace.payments.services.transfers import confirm_transfer

    product = create_product(base_price=85_000, tiers=[])
    receive(product, 10)
    order = place_order(buyer, (product, 2), payment="bank_transfer").orders[0]
    owner = owner_of(order.cooperative)
    with unit_of_work():
        confirm_transfer(owner, order, amount=170_000, received_on=date(2026, 11, 20))
    refunders = [owner.id, add_staff(order.cooperative, "manager").id]
    db.session.commit()
    order_id = order.id

    def refund(actor):
        refunds.refund_order(actor, db.session.get(Order, order_id), amount=170_000, reason="Barang habis",
                             reference=f"TRF-{actor.id}", refunded_on=date(2026, 11, 21))

    results = at_the_same_moment(app, refund, refunders, success="refunded")
    assert results == ["refund_invalid", "refunded"]
    assert db.session.scalar(sa.select(sa.func.sum(Refund.amount))) == 170_000
    assert db.session.get(Order, order_id).refunded_amount == 170_000
