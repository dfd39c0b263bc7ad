"""The buyer's side: the cart, checkout, and their orders."""

import secrets

from flask import Response, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, user_logged_in

from marketplace.cooperatives.views.access import region_choices
from marketplace.core.errors import DomainError, InvalidDetails
from marketplace.core.i18n import gettext as _
from marketplace.core.pagination import paginate
from marketplace.core.unit_of_work import unit_of_work
from marketplace.core.validators import is_safe_redirect_target
from marketplace.core.views import attach_field_errors, errors_text, flash_refusal, private_download, render_form
from marketplace.ordering import bp
from marketplace.ordering.forms import AddToCartForm, CartQuantityForm, RatingForm, TransitionForm, checkout_form
from marketplace.ordering.services import cart as carts
from marketplace.ordering.services import events, lifecycle, queries
from marketplace.ordering.services.checkout import AlreadyPlaced, CheckoutChanged, place_checkout, plan_checkout
from marketplace.ordering.services.delivery import delivery_options, settings_of
from marketplace.ordering.services.documents import invoice_number, invoice_pdf
from marketplace.ordering.services.invoice_terms import terms_of
from marketplace.sourcing.services.shortlists import shortlist_of


def _cart() -> carts.CartStore:
    return carts.cart_for(current_user, session)


def _back(default: str):
    target = request.form.get("next") or request.args.get("next")
    return redirect(target if target and is_safe_redirect_target(target) else default)


@bp.route("/cart")
def cart():
    contents = carts.cart_contents(_cart(), current_user)
    return render_template("ordering/cart.html", contents=contents, quantity_form=CartQuantityForm())


@bp.route("/cart/add", methods=["POST"])
def add_to_cart():
    form = AddToCartForm()
    if not form.validate_on_submit():
        flash(errors_text(form.quantity, form.product) or _("Enter a quantity."), "error")
        return _back(url_for("ordering.cart"))
    try:
        with unit_of_work():
            product = carts.add_to_cart(_cart(), form.product.data, form.quantity.data)
    except DomainError as error:
        flash_refusal(error)
        return _back(url_for("ordering.cart"))
    flash(_("%(name)s is in your cart.", name=product.name), "success")
    return _back(url_for("ordering.cart"))


@bp.route("/cart/lines/<int:product_id>", methods=["POST"])
def change_cart_line(product_id):
    form = CartQuantityForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                carts.change_quantity(_cart(), product_id, form.quantity.data)
        except DomainError as error:
            flash_refusal(error)
        else:
            flash(_("The quantity has been changed."), "success")
    else:
        flash(errors_text(form.quantity), "error")
    return redirect(url_for("ordering.cart"))


@bp.route("/cart/lines/<int:product_id>/remove", methods=["POST"])
def remove_cart_line(product_id):
    with unit_of_work():
        carts.remove_from_cart(_cart(), product_id)
    flash(_("The product has been removed from your cart."), "success")
    return redirect(url_for("ordering.cart"))


@bp.route("/cart/accept-prices", methods=["POST"])
def accept_prices():
    with unit_of_work():
        carts.accept_current_prices(_cart())
    return redirect(url_for("ordering.cart"))


@bp.route("/shortlists/<int:shortlist_id>/to-cart", methods=["POST"])
@login_required
def shortlist_to_cart(shortlist_id):
    shortlist = shortlist_of(current_user, shortlist_id)
    with unit_of_work():
        added, refusals = carts.add_shortlist_to_cart(_cart(), shortlist)
    if added:
        flash(_("%(count)d products of the shortlist are in your cart.", count=len(added)), "success")
    for refusal in refusals:
        flash(refusal, "error")
    return redirect(url_for("ordering.cart"))


@user_logged_in.connect
def _merge_cart_on_sign_in(sender, user, **extra):
    """What an anonymous visitor put in the cart is still there once they sign in."""
    if session.get(carts.SESSION_KEY):
        with unit_of_work():
            carts.merge_into_stored_cart(carts.SessionCart(session), user)


def _with_region_choices(form):
    """The province and regency lists are only needed to show the form (the service checks the codes)."""
    form.set_region_choices(*region_choices())
    return form


def _prefilled(form) -> None:
    form.recipient_name.data = current_user.name
    form.phone.data = current_user.phone


@bp.route("/checkout", methods=["GET", "POST"])
@login_required
def checkout():
    store = _cart()
    cooperative_ids = carts.cooperative_ids_in(store)
    if not cooperative_ids:
        # Placed already (a double click, the back button after placing): show what was placed.
        replayed = queries.checkout_with_key(current_user, request.form.get("idempotency_key"))
        if replayed is not None:
            return redirect(url_for("ordering.checkout_placed", reference=replayed.reference))
        flash(_("Your cart is empty."), "info")
        return redirect(url_for("ordering.cart"))
    form = checkout_form(delivery_options(cooperative_ids, request.form.get("province_code")),
                         card_payments=bool(current_app.config.get("STRIPE_SECRET_KEY")),
                         invoice_terms_days=getattr(terms_of(current_user), "days", None))
    if request.method == "GET":
        _prefilled(form)
    plan, notice = None, None
    if form.validate_on_submit():
        try:
            if form.place.data and form.idempotency_key.data:
                with unit_of_work():
                    reference = place_checkout(current_user, store, form.address(), form.payment(),
                                               form.choices(), idempotency_key=form.idempotency_key.data,
                                               fingerprint=form.fingerprint.data or "").reference
                return redirect(url_for("ordering.checkout_placed", reference=reference))
            plan = plan_checkout(current_user, store, form.address(), form.payment(), form.choices())
        except AlreadyPlaced as placed:
            return redirect(url_for("ordering.checkout_placed", reference=placed.checkout.reference))
        except CheckoutChanged as changed:
            notice = changed.message
            try:
                plan = plan_checkout(current_user, store, form.address(), form.payment(), form.choices())
            except InvalidDetails as error:
                attach_field_errors(form, error)
        except InvalidDetails as error:
            attach_field_errors(form, error)
        except DomainError as error:
            flash_refusal(error)
            return redirect(url_for("ordering.cart"))
    if plan is not None:
        form.fingerprint.data = plan.fingerprint
        form.idempotency_key.data = secrets.token_urlsafe(24)
    contents = plan.contents if plan is not None else carts.cart_contents(store, current_user)
    return render_form("ordering/checkout.html", _with_region_choices(form), contents=contents, plan=plan,
                       notice=notice,
                       pickup={group.cooperative.id: settings_of(group.cooperative.id).pickup_instructions
                               for group in contents.groups})


@bp.route("/checkouts/<reference>")
@login_required
def checkout_placed(reference):
    checkout = queries.checkout_of_buyer(current_user, reference)
    return render_template("ordering/checkout_placed.html", checkout=checkout)


@bp.route("/orders")
@login_required
def my_orders():
    page = paginate(queries.orders_of_buyer(current_user), per_page=20)
    return render_template("ordering/my_orders.html", page=page)


@bp.route("/orders/<number>")
@login_required
def order(number):
    order = queries.order_of_buyer(current_user, number)
    return render_template("ordering/order.html", order=order, timeline=lifecycle.timeline_of(order),
                           actions=lifecycle.allowed_actions(order, current_user), form=TransitionForm(),
                           rating_form=RatingForm(), wrapped=events.pages_wrapping([order], "buyer").get(order.id, []))


_BUYER_ACTIONS = {"cancel": lifecycle.OrderAction.CANCEL, "receive": lifecycle.OrderAction.CONFIRM_RECEIPT}
_DONE = {"cancel": _("The order has been cancelled."), "receive": _("Thank you: receipt is confirmed.")}


@bp.route("/orders/<number>/<action>", methods=["POST"])
@login_required
def buyer_action(number, action):
    order = queries.order_of_buyer(current_user, number)
    if action not in _BUYER_ACTIONS:
        abort(404)
    form = TransitionForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                lifecycle.perform(order, _BUYER_ACTIONS[action], current_user, note=form.note.data or "")
        except DomainError as error:
            flash_refusal(error)
        else:
            flash(str(_DONE[action]), "success")
    else:
        flash(errors_text(form.note), "error")
    return redirect(url_for("ordering.order", number=number))


@bp.route("/orders/<number>/rate", methods=["POST"])
@login_required
def rate(number):
    order = queries.order_of_buyer(current_user, number)
    form = RatingForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                lifecycle.rate_order(order, current_user, rating=int(form.rating.data),
                                     comment=form.comment.data or "")
        except DomainError as error:
            flash_refusal(error)
        else:
            flash(_("Thank you for your rating."), "success")
    else:
        flash(errors_text(form.rating, form.comment), "error")
    return redirect(url_for("ordering.order", number=number))


@bp.route("/orders/<number>/reorder", methods=["POST"])
@login_required
def reorder(number):
    order = queries.order_of_buyer(current_user, number)
    with unit_of_work():
        added, refusals = carts.add_order_to_cart(_cart(), order)
    if added:
        flash(_("%(count)d products are back in your cart at today's prices.", count=len(added)), "success")
    for refusal in refusals:
        flash(refusal, "error")
    return redirect(url_for("ordering.cart"))


def pdf_response(content: bytes, filename: str) -> Response:
    return private_download(content, filename, "application/pdf", inline=True)


def verify_url_of(order) -> str:
    return url_for("ordering.verify_document", code=order.verification_code, _external=True)


@bp.route("/orders/<number>/invoice.pdf")
@login_required
def invoice(number):
    order = queries.order_of_buyer(current_user, number)
    return pdf_response(invoice_pdf(order, verify_url_of(order)), f"{invoice_number(order).replace('/', '-')}.pdf")
