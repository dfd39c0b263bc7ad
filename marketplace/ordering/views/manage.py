"""The cooperative's side: the orders inbox, acting on an order, packing slips, delivery settings."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from marketplace.cooperatives.permissions import Capability
from marketplace.cooperatives.views.access import cooperative_for
from marketplace.core.errors import DomainError, InvalidDetails
from marketplace.core.i18n import gettext as _
from marketplace.core.pagination import paginate
from marketplace.core.query_args import QueryArgs
from marketplace.core.regions import provinces
from marketplace.core.timeutil import local_today
from marketplace.core.unit_of_work import unit_of_work
from marketplace.core.views import attach_field_errors, errors_text, flash_refusal, render_form
from marketplace.ordering import bp
from marketplace.ordering.forms import NoteForm, TransitionForm, delivery_settings_form
from marketplace.ordering.models import OrderStatus
from marketplace.ordering.services import events, lifecycle, queries
from marketplace.ordering.services.delivery import courier_rates_of, settings_of, update_delivery_settings
from marketplace.ordering.services.documents import invoice_number, invoice_pdf, packing_slips_pdf
from marketplace.ordering.views.buyer import pdf_response, verify_url_of


@bp.route("/manage/<slug>/orders")
@login_required
def inbox(slug):
    cooperative = cooperative_for(slug, Capability.VIEW_DASHBOARD)
    read = QueryArgs(request.args)
    status = read.choice("status", (item.value for item in OrderStatus))
    search = read.text("q")
    placed_on = read.date("date")
    page = paginate(queries.inbox_query(cooperative, status=status, search=search, placed_on=placed_on),
                    per_page=25)
    return render_template("ordering/inbox.html", cooperative=cooperative, page=page, status=status, search=search,
                           placed_on=placed_on, counts=queries.counts_by_status(cooperative),
                           wrapped=events.pages_wrapping(page.items, "cooperative"),
                           today=local_today(cooperative.time_zone))


@bp.route("/manage/<slug>/orders/<number>")
@login_required
def manage_order(slug, number):
    cooperative = cooperative_for(slug, Capability.VIEW_DASHBOARD)
    order = queries.order_of_cooperative(cooperative, number)
    return render_template("ordering/manage_order.html", cooperative=cooperative, order=order,
                           timeline=lifecycle.timeline_of(order),
                           actions=lifecycle.allowed_actions(order, current_user),
                           form=TransitionForm(), note_form=NoteForm(), action_labels=lifecycle.ACTION_LABELS,
                           wrapped=events.pages_wrapping([order], "cooperative").get(order.id, []))


_STAFF_ACTIONS = {action.value: action for action in (
    lifecycle.OrderAction.ACCEPT, lifecycle.OrderAction.REJECT, lifecycle.OrderAction.START_PRODUCTION,
    lifecycle.OrderAction.SHIP, lifecycle.OrderAction.CANCEL, lifecycle.OrderAction.CONFIRM_PAYMENT)}


@bp.route("/manage/<slug>/orders/<number>/act/<action>", methods=["POST"])
@login_required
def act(slug, number, action):
    cooperative = cooperative_for(slug, Capability.VIEW_DASHBOARD)
    order = queries.order_of_cooperative(cooperative, number)
    chosen = _STAFF_ACTIONS.get(action)
    form = TransitionForm()
    if chosen is None:
        flash(_("Choose an action."), "error")
    elif not form.validate_on_submit():
        flash(errors_text(form.note, form.carrier, form.tracking_number), "error")
    else:
        try:
            with unit_of_work():
                lifecycle.perform(order, chosen, current_user, note=form.note.data or "",
                                  carrier=form.carrier.data or "", tracking_number=form.tracking_number.data or "")
        except DomainError as error:
            flash_refusal(error)
        else:
            flash(_("Order %(number)s is now: %(status)s.", number=order.number, status=order.status.label),
                  "success")
    return redirect(url_for("ordering.manage_order", slug=slug, number=number))


@bp.route("/manage/<slug>/orders/<number>/note", methods=["POST"])
@login_required
def add_note(slug, number):
    cooperative = cooperative_for(slug, Capability.VIEW_DASHBOARD)
    order = queries.order_of_cooperative(cooperative, number)
    form = NoteForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                lifecycle.add_note(order, current_user, form.note.data)
        except DomainError as error:
            flash_refusal(error)
        else:
            flash(_("The note has been sent to the buyer."), "success")
    else:
        flash(errors_text(form.note), "error")
    return redirect(url_for("ordering.manage_order", slug=slug, number=number))


@bp.route("/manage/<slug>/orders/<number>/invoice.pdf")
@login_required
def manage_invoice(slug, number):
    cooperative = cooperative_for(slug, Capability.VIEW_DASHBOARD)
    order = queries.order_of_cooperative(cooperative, number)
    return pdf_response(invoice_pdf(order, verify_url_of(order)), f"{invoice_number(order).replace('/', '-')}.pdf")


@bp.route("/manage/<slug>/orders/<number>/packing-slip.pdf")
@login_required
def packing_slip(slug, number):
    cooperative = cooperative_for(slug, Capability.VIEW_DASHBOARD)
    order = queries.order_of_cooperative(cooperative, number)
    return pdf_response(packing_slips_pdf([order], _("Packing slip %(number)s", number=order.number)),
                        f"packing-slip-{order.number}.pdf")


@bp.route("/manage/<slug>/packing-slips.pdf")
@login_required
def packing_slips(slug):
    cooperative = cooperative_for(slug, Capability.VIEW_DASHBOARD)
    day = QueryArgs(request.args).date("date") or local_today(cooperative.time_zone)
    orders = queries.orders_placed_on(cooperative, day)
    return pdf_response(packing_slips_pdf(orders, _("Packing slips %(date)s", date=day.isoformat())),
                        f"packing-slips-{day.isoformat()}.pdf")


@bp.route("/manage/<slug>/delivery", methods=["GET", "POST"])
@login_required
def delivery_settings(slug):
    cooperative = cooperative_for(slug, Capability.VIEW_DASHBOARD)
    all_provinces = provinces()
    form = delivery_settings_form(all_provinces)
    if request.method == "GET":
        settings = settings_of(cooperative.id)
        form.offers_pickup.data, form.offers_arranged.data = settings.offers_pickup, settings.offers_arranged
        form.pickup_instructions.data = settings.pickup_instructions
        for rate in courier_rates_of(cooperative.id):
            form[f"rate_{rate.province_code}"].data = rate.fee
    if form.validate_on_submit():
        try:
            with unit_of_work():
                update_delivery_settings(current_user, cooperative, form.details())
        except InvalidDetails as error:
            attach_field_errors(form, error)
        except DomainError as error:
            flash_refusal(error)
        else:
            flash(_("The delivery options have been saved."), "success")
            return redirect(url_for("ordering.delivery_settings", slug=slug))
    return render_form("ordering/delivery_settings.html", form, cooperative=cooperative, provinces=all_provinces)
