"""Paying a card checkout in the browser, and Stripe's webhook."""

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from marketplace.cooperatives.permissions import Capability
from marketplace.cooperatives.views.access import cooperative_for
from marketplace.core.errors import DomainError, InvalidDetails
from marketplace.core.i18n import gettext as _
from marketplace.core.unit_of_work import unit_of_work
from marketplace.core.views import flash_refusal, private_file
from marketplace.extensions import csrf, limit_uploads, limiter
from marketplace.ordering.services.queries import checkout_of_buyer, order_of_buyer, order_of_cooperative
from marketplace.payments import bp
from marketplace.payments.forms import TransferForm
from marketplace.payments.services import card, gateway, transfers

# The card page loads Stripe.js and its frames from Stripe; every other page keeps the strict policy.
CARD_PAGE_POLICY = ("default-src 'self'; script-src 'self' https://js.stripe.com; "
                    "frame-src https://js.stripe.com https://hooks.stripe.com; "
                    "connect-src 'self' https://api.stripe.com; "
                    "style-src 'self' 'unsafe-inline'; img-src 'self' data: https://*.stripe.com; object-src 'none'; "
                    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def card_page(started, *, subject: str, return_url: str, back_url: str, status: int = 200):
    """The page with the card form for a started payment (None: refused, the flashed reason shows); the only
    page whose policy lets Stripe's script and frames in."""
    response = make_response(render_template(
        "payments/card.html", started=started, subject=subject, return_url=return_url, back_url=back_url,
        publishable_key=current_app.config.get("STRIPE_PUBLISHABLE_KEY")), status)
    if started is not None:
        response.headers["Content-Security-Policy"] = CARD_PAGE_POLICY
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/payments/checkouts/<reference>/card", methods=["POST"])
@login_required
def pay_by_card(reference):
    if not current_app.config.get("STRIPE_SECRET_KEY"):
        abort(404)
    checkout = checkout_of_buyer(current_user, reference)
    page = {"subject": _("Checkout %(reference)s", reference=checkout.reference),
            "return_url": url_for("ordering.checkout_placed", reference=checkout.reference, _external=True),
            "back_url": url_for("ordering.checkout_placed", reference=checkout.reference)}
    try:
        with unit_of_work():
            started = card.start_card_payment(current_user, checkout)
    except DomainError as error:
        flash_refusal(error)
        return card_page(None, status=400, **page)
    return card_page(started, **page)


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


@bp.route("/orders/<number>/transfer-proof", methods=["POST"])
@login_required
@limit_uploads
def send_transfer_proof(number):
    order = order_of_buyer(current_user, number)
    upload = request.files.get("proof")
    try:
        if upload is None or not upload.filename:
            raise InvalidDetails({"file": _("Choose the photo or PDF of your transfer.")}, code="no_file")
        with unit_of_work():
            transfers.add_transfer_proof(current_user, order, filename=upload.filename, data=upload.read())
    except DomainError as error:
        flash_refusal(error)
    else:
        flash(_("Thank you: the cooperative will check your transfer."), "success")
    return redirect(url_for("ordering.order", number=number))


@bp.route("/manage/<slug>/orders/<number>/transfer", methods=["POST"])
@login_required
def confirm_transfer(slug, number):
    cooperative = cooperative_for(slug, Capability.VIEW_DASHBOARD)
    order = order_of_cooperative(cooperative, number)
    form = TransferForm()
    if not form.validate_on_submit():
        flash(" ".join(str(error) for field in (form.amount, form.received_on) for error in field.errors), "error")
        return redirect(url_for("ordering.manage_order", slug=slug, number=number))
    try:
        with unit_of_work():
            paid = transfers.confirm_transfer(current_user, order, amount=form.amount.data,
                                              received_on=form.received_on.data)
    except DomainError as error:
        flash_refusal(error)
    else:
        if paid:
            flash(_("Payment recorded: order %(number)s is paid.", number=number), "success")
        else:
            flash(_("The amount does not match the order total; the order stays unpaid and the buyer sees why."),
                  "error")
    return redirect(url_for("ordering.manage_order", slug=slug, number=number))


@bp.route("/manage/<slug>/orders/<number>/transfer-proofs/<int:proof_id>")
@login_required
def transfer_proof(slug, number, proof_id):
    cooperative = cooperative_for(slug, Capability.VIEW_DASHBOARD)
    return private_file(transfers.proof_of(order_of_cooperative(cooperative, number), proof_id))
