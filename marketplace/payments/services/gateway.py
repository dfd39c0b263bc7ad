"""The only module that speaks to Stripe (through its official library). Our money is whole rupiah; Stripe counts
IDR in hundredths, so the conversion happens here, once."""

import stripe
from flask import current_app

from marketplace.core.errors import DomainError
from marketplace.core.i18n import gettext as _

# Stripe takes at most twelve digits in an amount (in hundredths of a rupiah).
MAX_STRIPE_AMOUNT = 999_999_999_999


def to_stripe_amount(rupiah: int) -> int:
    """Rp 1.250.000 → 125000000: IDR is a two-decimal currency at Stripe. Refuses what Stripe would refuse."""
    if not isinstance(rupiah, int):
        raise TypeError("rupiah amounts are whole integers")
    if rupiah < current_app.config["STRIPE_MINIMUM_RUPIAH"]:
        raise DomainError(_("A card payment must be at least Rp %(minimum)s.",
                            minimum=f"{current_app.config['STRIPE_MINIMUM_RUPIAH']:,}".replace(",", ".")),
                          code="card_amount_too_small")
    if rupiah * 100 > MAX_STRIPE_AMOUNT:
        raise DomainError(_("This amount is too large to pay by card; pay by bank transfer."),
                          code="card_amount_too_large")
    return rupiah * 100


def refund_to_stripe_amount(rupiah: int) -> int:
    """A refund has no minimum, only Stripe's upper bound."""
    if not isinstance(rupiah, int) or rupiah <= 0 or rupiah * 100 > MAX_STRIPE_AMOUNT:
        raise ValueError("a refund is a positive whole rupiah amount Stripe accepts")
    return rupiah * 100


def from_stripe_amount(amount: int) -> int:
    return amount // 100 if amount % 100 == 0 else -1  # hundredths we never ask for: a mismatch


def client() -> stripe.StripeClient:
    base = current_app.config.get("STRIPE_API_BASE")
    return stripe.StripeClient(current_app.config["STRIPE_SECRET_KEY"], max_network_retries=0,
                               base_addresses={"api": base} if base else {})


def create_intent(amount: int, *, reference: str, payment_method: str | None = None):
    params: stripe.params.PaymentIntentCreateParams = {
        "amount": to_stripe_amount(amount), "currency": "idr", "metadata": {"checkout": reference}}
    if payment_method:
        params["payment_method"] = payment_method
    return client().v1.payment_intents.create(params=params)


def cancel_intent(intent_id: str) -> bool:
    """Cancel a PaymentIntent nobody paid; False when it cannot be (it was paid meanwhile, or Stripe is away)."""
    try:
        client().v1.payment_intents.cancel(intent_id)
    except stripe.StripeError:
        return False
    return True


def refund_intent(intent_id: str, amount: int, *, order_number: str, reason: str):
    """Refund part or all of a PaymentIntent; the order's number rides along, so Stripe's report of the refund
    finds its order. Raises DomainError (nothing refunded) when Stripe refuses or cannot be reached."""
    try:
        return client().v1.refunds.create(params={
            "payment_intent": intent_id, "amount": refund_to_stripe_amount(amount),
            "metadata": {"order": order_number, "reason": reason[:450]}})
    except stripe.StripeError as error:
        raise DomainError(_("The card processor refused the refund (%(message)s). Nothing was refunded.",
                            message=error.user_message or error.__class__.__name__),
                          code="stripe_refund_refused") from error


def refunds_of_intent(intent_id: str) -> list[dict]:
    """The PaymentIntent's refunds as plain dicts (id, amount, status, metadata)."""
    return [refund.to_dict() for refund in
            client().v1.refunds.list(params={"payment_intent": intent_id, "limit": 100}).data]


def client_secret_of(intent_id: str) -> str:
    return client().v1.payment_intents.retrieve(intent_id).client_secret or ""


def verified_event(payload: bytes, signature: str | None):
    """The event, if Stripe signed it with our secret recently; raises otherwise."""
    return stripe.Webhook.construct_event(payload, signature or "", current_app.config["STRIPE_WEBHOOK_SECRET"])


SignatureError = stripe.SignatureVerificationError
