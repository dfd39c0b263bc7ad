"""Paying a card checkout in the browser, and Stripe's webhook."""

from flask import abort, current_app, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from marketplace.core.errors import DomainError
from marketplace.core.unit_of_work import unit_of_work
from marketplace.core.views import flash_refusal
from marketplace.extensions import csrf, limiter
from marketplace.ordering.services.queries import checkout_of_buyer
from marketplace.payments import bp
from marketplace.payments.services import card, gateway

# The card page loads Stripe.js and its frames from Stripe; every other page keeps the strict policy.
CARD_PAGE_POLICY = ("default-src 'self'; script-src 'self' https://js.stripe.com; "
                    "frame-src https://js.stripe.com https://hooks.stripe.com; "
                    "connect-src 'self' https://api.stripe.com; "
                    "style-src 'self' 'unsafe-inline'; img-src 'self' data: https://*.stripe.com; object-src 'none'; "
                    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


@bp.route("/payments/checkouts/<reference>/card", methods=["POST"])
@login_required
def pay_by_card(reference):
    if not current_app.config.get("STRIPE_SECRET_KEY"):
        abort(404)
    checkout = checkout_of_buyer(current_user, reference)
    try:
        with unit_of_work():
            started = card.start_card_payment(current_user, checkout)
    except DomainError as error:
        flash_refusal(error)
        return render_template("payments/card.html", checkout=checkout, started=None), 400
    response = make_response(render_template("payments/card.html", checkout=checkout, started=started,
                                             publishable_key=current_app.config.get("STRIPE_PUBLISHABLE_KEY")))
    response.headers["Content-Security-Policy"] = CARD_PAGE_POLICY
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/payments/stripe/webhook", methods=["POST"])
@csrf.exempt  # Stripe signs its requests; the signature is checked instead
@limiter.exempt
def stripe_webhook():
    if not current_app.config.get("STRIPE_WEBHOOK_SECRET"):
        abort(404)
    try:
        event = gateway.verified_event(request.get_data(), request.headers.get("Stripe-Signature"))
    except (ValueError, gateway.SignatureError):
        return jsonify({"error": _("The signature does not verify.")}), 400
    with unit_of_work():
        outcome = card.take_event(event)
    return jsonify({"received": True, "outcome": outcome})
