"""Card payments through the official stripe library against localstripe, with real signed webhooks."""

import base64
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa
import stripe
from flask import current_app

from marketplace.core.audit import AuditEvent
from marketplace.core.errors import DomainError
from marketplace.core.unit_of_work import unit_of_work
from marketplace.extensions import db
from marketplace.ordering.models import Order, OrderStatus
from marketplace.payments.models import CardPayment, CardPaymentStatus, StripeEvent
from marketplace.payments.services import card, gateway
from tests.factories import create_product, place_order, receive
from tests.helpers import refused
from tests.payments.conftest import SECRET_KEY, WEBHOOK_SECRET
from tests.payments.stripe_helpers import event, signed, stripe_client


@pytest.fixture
def card_checkout(stripe_app, buyer):
    product = create_product(base_price=85_000, tiers=[])
    receive(product, 10)
    return place_order(buyer, (product, 2), payment="card")


def test_rupiah_become_stripes_hundredths_in_one_place(app):
    with app.test_request_context():
        assert gateway.to_stripe_amount(1_250_000) == 125_000_000
        with refused("card_amount_too_small"):
            gateway.to_stripe_amount(9_999)
        with refused("card_amount_too_large"):
            gateway.to_stripe_amount(10_000_000_000)
        with pytest.raises(TypeError):
            gateway.to_stripe_amount(12.5)
        assert gateway.from_stripe_amount(125_000_000) == 1_250_000 and gateway.from_stripe_amount(150) == -1


def _register_webhook(localstripe: str, url: str) -> None:
    data = f"url={url}&secret={WEBHOOK_SECRET}".encode()
    request = urllib.request.Request(f"{localstripe}/_config/webhooks/pasar", data=data, method="POST")
    request.add_header("Authorization", "Basic " + base64.b64encode(f"{SECRET_KEY}:".encode()).decode())
    urllib.request.urlopen(request, timeout=5)


def _wait_for(predicate, seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        db.session.rollback()
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_a_card_payment_end_to_end_through_a_real_signed_webhook(card_checkout, buyer, localstripe, webhook_server):
    _register_webhook(localstripe, f"{webhook_server}/payments/stripe/webhook")
    order = card_checkout.orders[0]
    assert order.status == OrderStatus.AWAITING_PAYMENT
    with current_app.test_request_context(method="POST"), unit_of_work():
        started = card.start_card_payment(buyer, card_checkout, payment_method="pm_card_visa")
    assert started.client_secret and started.payment.amount == 170_000
    stripe_client().v1.payment_intents.confirm(started.payment.intent_id)  # what the browser's card form does

    assert _wait_for(lambda: db.session.get(Order, order.id).status == OrderStatus.PLACED)
    assert db.session.get(CardPayment, started.payment.id).status == CardPaymentStatus.SUCCEEDED
    assert db.session.get(Order, order.id).paid_at is not None


def test_a_declined_card_tells_the_buyer_and_leaves_the_order_waiting(card_checkout, buyer, localstripe,
                                                                        webhook_server, outbox):
    _register_webhook(localstripe, f"{webhook_server}/payments/stripe/webhook")
    with current_app.test_request_context(method="POST"), unit_of_work():
        started = card.start_card_payment(buyer, card_checkout, payment_method="pm_card_chargeCustomerFail")
    with pytest.raises(stripe.CardError):
        stripe_client().v1.payment_intents.confirm(started.payment.intent_id)
    assert _wait_for(lambda: db.session.get(CardPayment, started.payment.id).status == CardPaymentStatus.FAILED)
    assert db.session.get(Order, card_checkout.orders[0].id).status == OrderStatus.AWAITING_PAYMENT


def _start(card_checkout, buyer):
    with current_app.test_request_context(method="POST"), unit_of_work():
        return card.start_card_payment(buyer, card_checkout, payment_method="pm_card_visa").payment


def test_the_same_event_twice_or_replayed_is_processed_once(card_checkout, buyer, client):
    payment = _start(card_checkout, buyer)
    body, header = signed(event(payment.intent_id))
    first = client.post("/payments/stripe/webhook", data=body, headers={"Stripe-Signature": header},
                        content_type="application/json")
    again = client.post("/payments/stripe/webhook", data=body, headers={"Stripe-Signature": header},
                        content_type="application/json")
    assert (first.json["outcome"], again.json["outcome"]) == ("paid", "duplicate")
    later = client.post("/payments/stripe/webhook", data=signed(event(payment.intent_id, event_id="evt_2"))[0],
                        headers={"Stripe-Signature": signed(event(payment.intent_id, event_id="evt_2"))[1]},
                        content_type="application/json")
    assert later.json["outcome"] == "already_paid"  # a second event about the same money changes nothing
    confirmations = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                                      .where(AuditEvent.action == "order.payment_confirmed"))
    assert confirmations == 1


@pytest.mark.parametrize("case", ["forged", "stale", "missing"])
def test_a_forged_or_stale_signature_is_refused_with_400(card_checkout, buyer, client, case):
    payment = _start(card_checkout, buyer)
    body, header = signed(event(payment.intent_id), secret="whsec_someone_else") if case == "forged" else \
        signed(event(payment.intent_id), timestamp=int(time.time()) - 3600)
    headers = {} if case == "missing" else {"Stripe-Signature": header}
    response = client.post("/payments/stripe/webhook", data=body, headers=headers, content_type="application/json")
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StripeEvent)) == 0
    assert db.session.get(Order, card_checkout.orders[0].id).status == OrderStatus.AWAITING_PAYMENT


@pytest.mark.parametrize(("amount", "currency"), [(16_999_900, "idr"), (17_000_000, "usd"), (17_000_050, "idr")])
def test_an_amount_or_currency_that_does_not_match_is_flagged_not_paid(card_checkout, buyer, client, amount,
                                                                        currency):
    payment = _start(card_checkout, buyer)
    body, header = signed(event(payment.intent_id, amount=amount, currency=currency))
    response = client.post("/payments/stripe/webhook", data=body, headers={"Stripe-Signature": header},
                           content_type="application/json")
    assert response.json["outcome"] == "mismatch"
    assert db.session.get(CardPayment, payment.id).status == CardPaymentStatus.MISMATCH
    assert db.session.get(Order, card_checkout.orders[0].id).status == OrderStatus.AWAITING_PAYMENT


def test_an_event_for_an_unknown_payment_is_taken_in_and_recorded(stripe_app, client):
    body, header = signed(event("pi_nobody_knows"))
    response = client.post("/payments/stripe/webhook", data=body, headers={"Stripe-Signature": header},
                           content_type="application/json")
    assert response.status_code == 200 and response.json["outcome"] == "unknown_intent"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "payment.stripe_unknown")) == 1


def test_only_the_buyer_pays_their_card_checkout(card_checkout, stripe_app):
    from tests.factories import create_user

    stranger = create_user()
    with stripe_app.test_request_context(method="POST"), pytest.raises(DomainError):
        card.start_card_payment(stranger, card_checkout)


def test_the_same_event_to_two_workers_at_once_is_processed_once(card_checkout, buyer, stripe_app):
    payment = _start(card_checkout, buyer)
    db.session.commit()
    body, header = signed(event(payment.intent_id))
    start = threading.Barrier(2)

    def deliver(_index):
        with stripe_app.app_context():
            client = stripe_app.test_client()
            start.wait(timeout=30)
            outcome = client.post("/payments/stripe/webhook", data=body, headers={"Stripe-Signature": header},
                                  content_type="application/json").json["outcome"]
            db.session.remove()
            return outcome

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(deliver, range(2)))
    assert outcomes == ["duplicate", "paid"]
    db.session.rollback()
    assert db.session.get(Order, card_checkout.orders[0].id).status == OrderStatus.PLACED


def test_an_unpaid_card_checkout_expires_only_once_its_payment_is_cancelled(card_checkout, buyer):
    from marketplace.core.timeutil import utcnow
    from marketplace.ordering.services.lifecycle import OrderAction, perform_if_still_due

    order = card_checkout.orders[0]
    payment = _start(card_checkout, buyer)
    stripe_client().v1.payment_intents.confirm(payment.intent_id)  # paid at the last moment; no webhook yet
    order.payment_due_at = utcnow()
    db.session.commit()
    with unit_of_work():
        assert perform_if_still_due(order.id, OrderAction.EXPIRE) is False
    assert db.session.get(Order, order.id).status == OrderStatus.AWAITING_PAYMENT


def test_a_card_checkout_nobody_paid_expires_and_its_intent_is_cancelled(stripe_app, buyer):
    from marketplace.core.timeutil import utcnow
    from marketplace.ordering.services.lifecycle import OrderAction, perform_if_still_due

    product = create_product(base_price=85_000, tiers=[])
    receive(product, 10)
    checkout = place_order(buyer, (product, 2), payment="card")
    payment = _start(checkout, buyer)
    order = checkout.orders[0]
    order.payment_due_at = utcnow()
    db.session.commit()
    with unit_of_work():
        assert perform_if_still_due(order.id, OrderAction.EXPIRE) is True
    assert db.session.get(CardPayment, payment.id).status == CardPaymentStatus.CANCELLED
    assert stripe_client().v1.payment_intents.retrieve(payment.intent_id).status == "canceled"
