"""Paying a KKP purchase order with the government card: the treasurer starts a card payment for the invoice's
net payable; the card processor's signed event (through the official library's verification, against
localstripe) records it once, on the purchase order and on its order, as money the platform settles to the
cooperative."""

import pytest
from flask import current_app

from marketplace.core.errors import Conflict, NotPermitted
from marketplace.core.timeutil import local_today
from marketplace.core.unit_of_work import unit_of_work
from marketplace.extensions import db
from marketplace.ordering.models import OrderStatus
from marketplace.payments.models import CardPayment, CardPaymentStatus, CollectedBy
from marketplace.payments.services import settlement
from marketplace.payments.services.received import payment_of
from marketplace.procurement.models import PaymentMechanism, PurchaseOrder, PurchaseOrderStatus
from marketplace.procurement.services import invoicing
from tests.factories import add_officer, create_agency, create_cooperative, create_product, owner_of
from tests.helpers import csrf_token_from, page_text, refused, signed_in
from tests.payments.conftest import localstripe, stripe_app, webhook_server  # noqa: F401 (fixtures)
from tests.payments.stripe_helpers import deliver, event, stripe_client
from tests.procurement.journey import received

S = PurchaseOrderStatus


@pytest.fixture
def kkp_order(stripe_app, officer):  # noqa: F811 (the fixture imported above)
    agency = create_agency(officer)
    cooperative = create_cooperative()
    cooperative.is_pkp, cooperative.bank_name, cooperative.bank_account_number = True, "Bank Jatim", "0011223344"
    db.session.commit()
    po = received(officer, agency, (create_product(cooperative, base_price=1_500_000, tiers=[]), 10))
    po.payment_mechanism = PaymentMechanism.KKP
    db.session.commit()
    with unit_of_work():
        invoicing.issue_invoice(owner_of(cooperative), po)
    return po


def _start(treasurer, po):
    with current_app.test_request_context(method="POST"), unit_of_work():
        return invoicing.start_card_payment(treasurer, po).payment


def test_a_signed_event_pays_the_invoice_once_as_money_the_platform_settles(kkp_order, client):
    po = kkp_order
    treasurer = add_officer(po.agency, "treasurer")
    payment = _start(treasurer, po)
    assert (payment.order_id, payment.amount, payment.started_by_id) == (po.order_id, 16_425_000, treasurer.id)
    assert _start(treasurer, po).id == payment.id  # asked again: the same intent, to try another card on
    with refused("card_payment_started", Conflict):  # nor is it recorded by hand meanwhile
        invoicing.record_payment(treasurer, po, reference="KKP-0001", paid_on=local_today(), amount=16_425_000)
    db.session.rollback()

    wrong = deliver(client, event(payment.intent_id, amount=16_650_000 * 100, event_id="evt_wrong"))
    assert wrong.json["outcome"] == "mismatch"
    db.session.expire_all()
    assert db.session.get(PurchaseOrder, po.id).status == S.INVOICED
    db.session.get(CardPayment, payment.id).status = CardPaymentStatus.PENDING  # an administrator looked
    db.session.commit()

    first = deliver(client, event(payment.intent_id, amount=16_425_000 * 100, event_id="evt_paid"))
    again = deliver(client, event(payment.intent_id, amount=16_425_000 * 100, event_id="evt_paid"))
    assert (first.json["outcome"], again.json["outcome"]) == ("paid", "duplicate")
    db.session.expire_all()
    po = db.session.get(PurchaseOrder, po.id)
    assert po.status == S.COMPLETED and po.order.status == OrderStatus.COMPLETED
    assert (po.invoice.payment_reference, po.invoice.paid_amount) == (payment.intent_id, 16_425_000)
    assert po.invoice.paid_recorded_by_id == treasurer.id
    recorded = payment_of(po.order)
    assert (recorded.collected_by, recorded.amount, recorded.card_payment_id) == (CollectedBy.PLATFORM, 16_425_000,
                                                                                 payment.id)
    assert settlement.reconciliation().difference == 0


def test_after_a_refused_card_the_invoice_may_be_paid_another_way(kkp_order, client):
    po = kkp_order
    treasurer = add_officer(po.agency, "treasurer")
    payment = _start(treasurer, po)
    failed = deliver(client, event(payment.intent_id, kind="payment_intent.payment_failed", event_id="evt_failed"))
    assert failed.json["outcome"] == "failed"
    db.session.expire_all()
    po = db.session.get(PurchaseOrder, po.id)
    with current_app.test_request_context(method="POST"), unit_of_work():
        invoicing.record_payment(treasurer, po, reference="KKP-EDC-0042", paid_on=local_today(), amount=16_425_000)
    assert db.session.get(CardPayment, payment.id).status == CardPaymentStatus.CANCELLED
    assert stripe_client().v1.payment_intents.retrieve(payment.intent_id).status == "canceled"
    assert po.status == S.COMPLETED and payment_of(po.order).collected_by == CollectedBy.COOPERATIVE


def test_only_the_treasurer_and_only_a_kkp_order(kkp_order, officer):
    po = kkp_order
    for someone in (officer, add_officer(po.agency, "ppk"), owner_of(po.cooperative)):
        with refused("role_required", NotPermitted):
            invoicing.start_card_payment(someone, po)
        db.session.rollback()
    po.payment_mechanism = PaymentMechanism.LS
    db.session.commit()
    with refused("not_kkp", Conflict):
        invoicing.start_card_payment(add_officer(po.agency, "treasurer"), po)
    db.session.rollback()
    assert db.session.query(CardPayment).count() == 0


def test_the_treasurer_pays_on_the_card_form_end_to_end(kkp_order, app, localstripe, webhook_server):  # noqa: F811
    from tests.payments.test_card import _register_webhook, _wait_for

    po = kkp_order
    _register_webhook(localstripe, f"{webhook_server}/payments/stripe/webhook")
    treasurer = signed_in(app, add_officer(po.agency, "treasurer"))
    base = f"/agencies/{po.agency_id}/purchase-orders/{po.id}"
    page = page_text(treasurer.get(base))
    assert "Bayar dengan kartu" in page
    form = treasurer.post(f"{base}/card", data={"csrf_token": csrf_token_from(treasurer, base)})
    assert form.status_code == 200 and "Rp 16.425.000" in page_text(form)
    assert "js.stripe.com" in form.headers["Content-Security-Policy"]
    intent_id = db.session.query(CardPayment).one().intent_id
    client = stripe_client()
    client.v1.payment_intents.update(intent_id, params={"payment_method": "pm_card_visa"})
    client.v1.payment_intents.confirm(intent_id)  # what the card form does in the browser
    assert _wait_for(lambda: db.session.get(PurchaseOrder, po.id).status == S.COMPLETED)
