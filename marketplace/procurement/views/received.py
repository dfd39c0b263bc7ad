"""The cooperative's side of a government order: the Surat Pesanan it received, accepted, declined or answered
with a counter-offer, and the invoice it issues once everything is received."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from marketplace.cooperatives.permissions import Capability
from marketplace.cooperatives.views.access import cooperative_for
from marketplace.core.errors import DomainError, InvalidDetails
from marketplace.core.i18n import gettext as _
from marketplace.core.money import parse_rupiah
from marketplace.core.pagination import paginate
from marketplace.core.unit_of_work import unit_of_work
from marketplace.core.views import attach_field_errors, flash_refusal
from marketplace.procurement import bp
from marketplace.procurement.forms import ConfirmForm, CounterOfferForm, DeclinePurchaseOrderForm
from marketplace.procurement.services import invoicing, receipts
from marketplace.procurement.services import purchase_orders as orders
from marketplace.procurement.services.documents import tax_rows
from marketplace.procurement.services.purchase_orders import ProposedLine
from marketplace.procurement.views.flow import button_action, form_action


@bp.route("/manage/<slug>/purchase-orders")
@login_required
def cooperative_purchase_orders(slug):
    cooperative = cooperative_for(slug, Capability.VIEW_DASHBOARD)
    page = paginate(orders.received_query(cooperative), per_page=25)
    return render_template("procurement/cooperative_purchase_orders.html", cooperative=cooperative, page=page)


def _render_received(cooperative, po, *, decline_form=None, offer_form=None, offer_errors=None, status_code=200):
    return render_template(
        "procurement/cooperative_purchase_order.html", cooperative=cooperative, po=po,
        may_invoice=invoicing.may_issue_invoice(current_user, po), received_value=receipts.received_value(po),
        tax_rows=tax_rows(po.invoice) if po.invoice else [],
        paper_url=lambda document, sequence=None: url_for(
            "procurement.cooperative_paper", slug=cooperative.slug, purchase_order_id=po.id, document=document,
            sequence=sequence),
        photo_url=lambda photo: url_for("procurement.cooperative_handover_photo", slug=cooperative.slug,
                                        purchase_order_id=po.id, sequence=photo.handover.sequence, photo_id=photo.id),
        history=orders.history_of(po), confirm_form=ConfirmForm(),
        decline_form=decline_form or DeclinePurchaseOrderForm(),
        offer_form=offer_form or CounterOfferForm(deliver_by=po.deliver_by), offer_errors=offer_errors or {},
    ), status_code


@bp.route("/manage/<slug>/purchase-orders/<int:purchase_order_id>")
@login_required
def cooperative_purchase_order(slug, purchase_order_id):
    cooperative = cooperative_for(slug, Capability.VIEW_DASHBOARD)
    return _render_received(cooperative, orders.received_by(cooperative, purchase_order_id))


def _received_for_action(slug, purchase_order_id):
    cooperative = cooperative_for(slug, Capability.MANAGE_ORDERS)
    return cooperative, orders.received_by(cooperative, purchase_order_id)


def _back_to_received(po):
    return redirect(url_for("procurement.cooperative_purchase_order", slug=po.cooperative.slug,
                            purchase_order_id=po.id))


@bp.route("/manage/<slug>/purchase-orders/<int:purchase_order_id>/accept", methods=["POST"])
@login_required
def accept_purchase_order(slug, purchase_order_id):
    _cooperative, po = _received_for_action(slug, purchase_order_id)
    return button_action(lambda: orders.accept_as_cooperative(current_user, po),
                         back=lambda: _back_to_received(po),
                         done=lambda: _("Accepted. It is order %(number)s in your orders, to prepare and deliver like "
                                        "any other.", number=po.order.number),
                         then=lambda: redirect(url_for("ordering.manage_order", slug=slug, number=po.order.number)))


@bp.route("/manage/<slug>/purchase-orders/<int:purchase_order_id>/decline", methods=["POST"])
@login_required
def decline_purchase_order(slug, purchase_order_id):
    cooperative, po = _received_for_action(slug, purchase_order_id)
    form = DeclinePurchaseOrderForm()
    return form_action(form, lambda: orders.decline(current_user, po, form.reason.data),
                       done=_("Declined. The agency has been told why."), back=lambda: _back_to_received(po),
                       again=lambda: _render_received(cooperative, po, decline_form=form, status_code=422))


def _proposed_lines(po) -> list[ProposedLine]:
    proposed = []
    for line in po.lines:
        quantity_text = request.form.get(f"quantity-{line.id}", "").strip()
        try:
            price = parse_rupiah(request.form.get(f"price-{line.id}", ""))
        except ValueError:
            price = None
        proposed.append(ProposedLine(line.id, int(quantity_text) if quantity_text.isdigit() else None, price))
    return proposed


@bp.route("/manage/<slug>/purchase-orders/<int:purchase_order_id>/counter-offer", methods=["POST"])
@login_required
def counter_offer(slug, purchase_order_id):
    cooperative, po = _received_for_action(slug, purchase_order_id)
    form = CounterOfferForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                orders.counter_offer(current_user, po, _proposed_lines(po), deliver_by=form.deliver_by.data,
                                     note=form.note.data)
        except InvalidDetails as error:
            # Errors of single lines show in the lines' table; the date and the note beside their fields.
            attach_field_errors(form, InvalidDetails({name: message for name, message in error.field_errors.items()
                                                      if name in form._fields}))
            return _render_received(cooperative, po, offer_form=form, offer_errors=error.field_errors,
                                    status_code=422)
        except DomainError as error:
            flash_refusal(error)
        else:
            flash(_("Your counter-offer has gone to the agency. Nothing changes until its PP accepts it."),
                  "success")
            return _back_to_received(po)
    return _render_received(cooperative, po, offer_form=form, status_code=422)


@bp.route("/manage/<slug>/purchase-orders/<int:purchase_order_id>/invoice", methods=["POST"])
@login_required
def issue_invoice(slug, purchase_order_id):
    cooperative = cooperative_for(slug, Capability.MANAGE_MONEY)
    po = orders.received_by(cooperative, purchase_order_id)
    return button_action(lambda: invoicing.issue_invoice(current_user, po), back=lambda: _back_to_received(po),
                         done=lambda: _("Invoice %(number)s is issued; the agency's treasurer has been told.",
                                        number=po.invoice.number))
