"""Signed Stripe events as Stripe sends them, and the official library pointed at localstripe."""

import hashlib
import hmac
import json
import time

import stripe
from flask import current_app

from tests.payments.conftest import SECRET_KEY, WEBHOOK_SECRET


def signed(payload: dict, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> tuple[bytes, str]:
    body = json.dumps(payload).encode()
    timestamp = timestamp or int(time.time())
    signature = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return body, f"t={timestamp},v1={signature}"


def event(intent_id: str, *, kind="payment_intent.succeeded", amount=17_000_000, event_id="evt_1", currency="idr"):
    return {"id": event_id, "object": "event", "type": kind, "data": {"object": {
        "id": intent_id, "object": "payment_intent", "amount": amount, "amount_received": amount,
        "currency": currency, "last_payment_error": None}}}


def deliver(client, payload: dict):
    """Post a signed event to the webhook, as Stripe does."""
    body, header = signed(payload)
    return client.post("/payments/stripe/webhook", data=body, headers={"Stripe-Signature": header},
                       content_type="application/json")


def stripe_client():
    return stripe.StripeClient(SECRET_KEY, base_addresses={"api": current_app.config["STRIPE_API_BASE"]},
                               max_network_retries=0)
