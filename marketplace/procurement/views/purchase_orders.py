"""Purchase orders on the agency's side: the list, a PP's drafts from a shortlist or the cart, the order page where
the PP completes and submits, a PPK approves or rejects, the PP answers a counter-offer, the receiver records
each delivery (BAST) and the treasurer pays."""

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from marketplace.cooperatives.views.access import region_choices
from marketplace.core.errors import DomainError, InvalidDetails
from marketplace.core.i18n import gettext as _
from marketplace.core.pagination import paginate
from marketplace.core.query_args import QueryArgs
from marketplace.core.unit_of_work import unit_of_work
from marketplace.core.views import attach_field_errors, errors_text, flash_refusal
from marketplace.extensions import limit_uploads
from marketplace.ordering.services.cart import cart_for
from marketplace.payments.views.card import card_page
from marketplace.procurement import bp
from marketplace.procurement.forms import (
    ApprovePurchaseOrderForm,
    ConfirmForm,
    DraftFromShortlistForm,
    HandoverForm,
    PaymentForm,
    PurchaseOrderDetailsForm,
    RefuseCounterOfferForm,
    RejectPurchaseOrderForm,
)
from marketplace.procurement.models import OfficerRole, PaymentMechanism, PurchaseOrderStatus
from marketplace.procurement.services import invoicing, receipts
from marketplace.procurement.services import purchase_orders as orders
from marketplace.procurement.services.documents import (
    tax_rows,
)
from marketplace.procurement.services.purchase_orders import PurchaseOrderDetails
from marketplace.procurement.views.agencies import agency_seen_by_current_user
from marketplace.procurement.views.flow import button_action, form_action
from marketplace.sourcing.services import shortlists


def _shortlist_choices() -> list[tuple[int, str]]:
    return [(shortlist.id, shortlist.name) for shortlist in shortlists.shortlists_of(current_user)]


@bp.route("/agencies/<int:agency_id>/purchase-orders")
@login_required
def purchase_orders(agency_id):
    agency, officer = agency_seen_by_current_user(agency_id)
    status = QueryArgs(request.args).choice("status", (item.value for item in PurchaseOrderStatus))
    page = paginate(orders.purchase_orders_query(agency, PurchaseOrderStatus(status) if status else None),
                    per_page=25)
    draft_form = DraftFromShortlistForm()
    draft_form.shortlist_id.choices = _shortlist_choices()
    may_prepare = officer is not None and officer.holds(OfficerRole.PP) and agency.is_verified
    return render_template("procurement/purchase_orders.html", agency=agency, officer=officer, page=page,
                           status=status, counts=orders.counts_by_status(agency), draft_form=draft_form,
                           cart_lines=len(cart_for(current_user, session).lines()) if may_prepare else 0,
                           may_prepare=may_prepare)


def _after_drafting(agency, drafts):
    flash(_("%(count)s draft purchase orders, one per cooperative. Complete each, then submit it.",
            count=len(drafts)) if len(drafts) > 1 else _("A draft purchase order. Complete it, then submit it."),
          "success")
    if len(drafts) == 1:
        return redirect(url_for("procurement.purchase_order", agency_id=agency.id, purchase_order_id=drafts[0].id))
    return redirect(url_for("procurement.purchase_orders", agency_id=agency.id,
                            status=PurchaseOrderStatus.DRAFT.value))


@bp.route("/agencies/<int:agency_id>/purchase-orders/from-cart", methods=["POST"])
@login_required
def draft_purchase_orders_from_cart(agency_id):
    agency, _officer = agency_seen_by_current_user(agency_id)
    back = redirect(url_for("procurement.purchase_orders", agency_id=agency.id))
    if not ConfirmForm().validate_on_submit():
        flash(_("The form had expired. Try again."), "error")
        return back
    try:
        with unit_of_work():
            drafts = orders.drafts_from_cart(current_user, agency, cart_for(current_user, session))
    except DomainError as error:
        flash_refusal(error)
        return back
    return _after_drafting(agency, drafts)


@bp.route("/agencies/<int:agency_id>/purchase-orders", methods=["POST"])
@login_required
def draft_purchase_orders(agency_id):
    agency, _officer = agency_seen_by_current_user(agency_id)
    form = DraftFromShortlistForm()
    form.shortlist_id.choices = _shortlist_choices()
    if not form.validate_on_submit():
        flash(errors_text(form.shortlist_id) or _("Check the form."), "error")
        return redirect(url_for("procurement.purchase_orders", agency_id=agency.id))
    try:
        with unit_of_work():
            shortlist = shortlists.shortlist_of(current_user, form.shortlist_id.data)
            drafts = orders.drafts_from_shortlist(current_user, agency, shortlist)
    except DomainError as error:
        flash_refusal(error)
        return redirect(url_for("procurement.purchase_orders", agency_id=agency.id))
    return _after_drafting(agency, drafts)


def _details_form(po, data=None) -> PurchaseOrderDetailsForm:
    form = PurchaseOrderDetailsForm(formdata=data, obj=po if data is None else None)
    if data is None:
        form.payment_mechanism.data = po.payment_mechanism.value
        form.delivery_province_code.data = po.delivery_province_code or ""
        form.delivery_regency_code.data = po.delivery_regency_code or ""
    form.spending_unit_id.choices = [(unit.id, f"{unit.name} · {unit.satker_code}")
                                     for unit in po.agency.spending_units]
    province_choices, regency_choices = region_choices()
    form.delivery_province_code.choices = [("", _("— choose —")), *province_choices]
    form.delivery_regency_code.choices = [("", _("— choose —")), *regency_choices]
    return form


def _render_purchase_order(agency, officer, po, *, details_form=None, approve_form=None, reject_form=None,
                           refuse_offer_form=None, handover_form=None, handover_errors=None, payment_form=None,
                           status_code=200):
    holds = officer.roles if officer is not None else frozenset()
    is_preparer = po.prepared_by_id == current_user.id and OfficerRole.PP in holds
    may_decide = (OfficerRole.PPK in holds and po.status == PurchaseOrderStatus.SUBMITTED
                  and po.prepared_by_id != current_user.id)
    editable = is_preparer and po.status == PurchaseOrderStatus.DRAFT
    return render_template(
        "procurement/purchase_order.html", agency=agency, po=po, is_preparer=is_preparer, editable=editable,
        may_decide=may_decide, details_form=details_form or (_details_form(po) if editable else None),
        approve_form=approve_form or ApprovePurchaseOrderForm(), reject_form=reject_form or RejectPurchaseOrderForm(),
        confirm_form=ConfirmForm(), history=orders.history_of(po), show_where=True,
        ceiling=orders.ceiling_for(agency),
        refuse_offer_form=refuse_offer_form or RefuseCounterOfferForm(),
        may_receive=receipts.may_record_handover(current_user, po), accepted_so_far=receipts.accepted_so_far(po),
        handover_form=handover_form or HandoverForm(), handover_errors=handover_errors or {},
        may_pay=invoicing.may_record_payment(current_user, po), payment_form=payment_form or _payment_form(po),
        card_payment=invoicing.card_payment_of(po.order) if po.order else None,
        records_by_hand=invoicing.may_record_by_hand(po),
        cards_accepted=bool(current_app.config.get("STRIPE_SECRET_KEY")),
        paper_url=lambda document, sequence=None: url_for(
            "procurement.purchase_order_paper", agency_id=agency.id, purchase_order_id=po.id, document=document,
            sequence=sequence),
        photo_url=lambda photo: url_for("procurement.handover_photo", agency_id=agency.id, purchase_order_id=po.id,
                                        sequence=photo.handover.sequence, photo_id=photo.id),
        tax_rows=tax_rows(po.invoice) if po.invoice else [],
        price_changes={change.line.id: change.unit_price_now for change in orders.price_changes(po)}
        if editable else {},
        unavailable={line.id for line in orders.unavailable_lines(po)} if editable else set(),
    ), status_code


def purchase_order_seen(agency_id: int, purchase_order_id: int):
    agency, officer = agency_seen_by_current_user(agency_id)
    return agency, officer, orders.purchase_order_for(current_user, agency, purchase_order_id)


@bp.route("/agencies/<int:agency_id>/purchase-orders/<int:purchase_order_id>")
@login_required
def purchase_order(agency_id, purchase_order_id):
    return _render_purchase_order(*purchase_order_seen(agency_id, purchase_order_id))


def _back_to_order(po):
    return redirect(url_for("procurement.purchase_order", agency_id=po.agency_id, purchase_order_id=po.id))


@bp.route("/agencies/<int:agency_id>/purchase-orders/<int:purchase_order_id>/details", methods=["POST"])
@login_required
def purchase_order_details(agency_id, purchase_order_id):
    agency, officer, po = purchase_order_seen(agency_id, purchase_order_id)
    form = _details_form(po, request.form)

    def save():
        orders.update_details(current_user, po, PurchaseOrderDetails(
            spending_unit_id=form.spending_unit_id.data, rup_code=form.rup_code.data or "",
            budget_code=form.budget_code.data or "", fiscal_year=form.fiscal_year.data,
            delivery_province_code=form.delivery_province_code.data or "",
            delivery_regency_code=form.delivery_regency_code.data or "",
            delivery_address=form.delivery_address.data or "", deliver_by=form.deliver_by.data,
            justification=form.justification.data or "",
            payment_mechanism=PaymentMechanism(form.payment_mechanism.data),
            recipient_name=form.recipient_name.data or "", recipient_phone=form.recipient_phone.data or ""))

    return form_action(form, save, done=_("Saved."), back=lambda: _back_to_order(po),
                       again=lambda: _render_purchase_order(agency, officer, po, details_form=form,
                                                            status_code=422))


@bp.route("/agencies/<int:agency_id>/purchase-orders/<int:purchase_order_id>/quantities", methods=["POST"])
@login_required
def purchase_order_quantities(agency_id, purchase_order_id):
    _agency, _officer, po = purchase_order_seen(agency_id, purchase_order_id)
    quantities: dict[int, int | None] = {}
    for line in po.lines:
        raw = request.form.get(f"quantity-{line.id}")
        if raw is not None:
            quantities[line.id] = int(raw) if raw.strip().isdigit() else None
    return button_action(lambda: orders.change_quantities(current_user, po, quantities),
                         back=lambda: _back_to_order(po), done=_("The quantities and the total have been updated."))


@bp.route("/agencies/<int:agency_id>/purchase-orders/<int:purchase_order_id>/prices", methods=["POST"])
@login_required
def purchase_order_prices(agency_id, purchase_order_id):
    _agency, _officer, po = purchase_order_seen(agency_id, purchase_order_id)
    return button_action(lambda: orders.update_prices(current_user, po), back=lambda: _back_to_order(po),
                         done=_("Today's prices are on the order. Check the total, then submit."))


@bp.route("/agencies/<int:agency_id>/purchase-orders/<int:purchase_order_id>/submit", methods=["POST"])
@login_required
def submit_purchase_order(agency_id, purchase_order_id):
    _agency, _officer, po = purchase_order_seen(agency_id, purchase_order_id)
    return button_action(lambda: orders.submit(current_user, po), back=lambda: _back_to_order(po),
                         done=lambda: _("Sent to the cooperative as Surat Pesanan %(number)s.", number=po.number)
                         if po.status == PurchaseOrderStatus.SENT
                         else _("Submitted. A PPK of the agency approves it."))


@bp.route("/agencies/<int:agency_id>/purchase-orders/<int:purchase_order_id>/approve", methods=["POST"])
@login_required
def approve_purchase_order(agency_id, purchase_order_id):
    agency, officer, po = purchase_order_seen(agency_id, purchase_order_id)
    form = ApprovePurchaseOrderForm()
    if not form.validate_on_submit():
        flash(_("The form had expired. Try again."), "error")
        return _back_to_order(po)
    try:
        with unit_of_work():
            orders.approve(current_user, po, split_checked=form.split_checked.data)
    except InvalidDetails as error:
        attach_field_errors(form, error)
        return _render_purchase_order(agency, officer, po, approve_form=form, status_code=422)
    except DomainError as error:
        flash_refusal(error)
    else:
        flash(_("Approved. It has gone to the cooperative as Surat Pesanan %(number)s.", number=po.number),
              "success")
    return _back_to_order(po)


@bp.route("/agencies/<int:agency_id>/purchase-orders/<int:purchase_order_id>/reject", methods=["POST"])
@login_required
def reject_purchase_order(agency_id, purchase_order_id):
    agency, officer, po = purchase_order_seen(agency_id, purchase_order_id)
    form = RejectPurchaseOrderForm()
    return form_action(form, lambda: orders.reject(current_user, po, form.reason.data),
                       done=_("Rejected. The PP has been told why."), back=lambda: _back_to_order(po),
                       again=lambda: _render_purchase_order(agency, officer, po, reject_form=form, status_code=422))


@bp.route("/agencies/<int:agency_id>/purchase-orders/<int:purchase_order_id>/reopen", methods=["POST"])
@login_required
def reopen_purchase_order(agency_id, purchase_order_id):
    _agency, _officer, po = purchase_order_seen(agency_id, purchase_order_id)
    return button_action(lambda: orders.reopen(current_user, po), back=lambda: _back_to_order(po),
                         done=_("It is a draft again: change it, then submit."))


@bp.route("/agencies/<int:agency_id>/purchase-orders/<int:purchase_order_id>/cancel", methods=["POST"])
@login_required
def cancel_purchase_order(agency_id, purchase_order_id):
    _agency, _officer, po = purchase_order_seen(agency_id, purchase_order_id)
    return button_action(lambda: orders.cancel(current_user, po), back=lambda: _back_to_order(po),
                         done=_("The purchase order has been cancelled."))




# The PP's answer to a counter-offer ---------------------------------------------------------------------------

@bp.route("/agencies/<int:agency_id>/purchase-orders/<int:purchase_order_id>/counter-offer/accept",
          methods=["POST"])
@login_required
def take_counter_offer(agency_id, purchase_order_id):
    _agency, _officer, po = purchase_order_seen(agency_id, purchase_order_id)
    return button_action(lambda: orders.take_counter_offer(current_user, po), back=lambda: _back_to_order(po),
                         done=_("Counter-offer accepted. The cooperative now prepares the goods."))


@bp.route("/agencies/<int:agency_id>/purchase-orders/<int:purchase_order_id>/counter-offer/refuse",
          methods=["POST"])
@login_required
def refuse_counter_offer(agency_id, purchase_order_id):
    agency, officer, po = purchase_order_seen(agency_id, purchase_order_id)
    form = RefuseCounterOfferForm()
    return form_action(form, lambda: orders.refuse_counter_offer(current_user, po, form.note.data),
                       done=_("The order stays as it was; the cooperative has been told why."),
                       back=lambda: _back_to_order(po),
                       again=lambda: _render_purchase_order(agency, officer, po, refuse_offer_form=form,
                                                            status_code=422))


# Receiving the goods: a handover record (BAST) per delivery, by the agency's receiver of goods ----------------

def _delivered_lines(po) -> list[receipts.DeliveredLine]:
    def units(name: str) -> int | None:
        text = request.form.get(name, "").strip()
        return int(text) if text.isdigit() else None

    return [receipts.DeliveredLine(line.id, units(f"delivered-{line.id}"), units(f"accepted-{line.id}"))
            for line in po.lines if request.form.get(f"delivered-{line.id}", "").strip()
            or request.form.get(f"accepted-{line.id}", "").strip()]


@bp.route("/agencies/<int:agency_id>/purchase-orders/<int:purchase_order_id>/handovers", methods=["POST"])
@limit_uploads
@login_required
def record_handover(agency_id, purchase_order_id):
    agency, officer, po = purchase_order_seen(agency_id, purchase_order_id)
    form = HandoverForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                photos = [receipts.UploadedPhoto(upload.filename or "", upload.read())
                          for upload in request.files.getlist("photos") if upload and upload.filename]
                record = receipts.record_handover(current_user, po, _delivered_lines(po),
                                                  received_on=form.received_on.data, condition=form.condition.data,
                                                  photos=photos, records_seen=form.records_seen.data)
        except InvalidDetails as error:
            attach_field_errors(form, InvalidDetails({name: message for name, message in error.field_errors.items()
                                                      if name in form._fields}))
            return _render_purchase_order(agency, officer, po, handover_form=form,
                                          handover_errors=error.field_errors, status_code=422)
        except DomainError as error:
            flash_refusal(error)
        else:
            flash(_("Handover record %(number)s is written. Print it for both sides to sign.",
                    number=record.number), "success")
        return _back_to_order(po)
    return _render_purchase_order(agency, officer, po, handover_form=form, status_code=422)


# Invoicing (the cooperative) and paying (the agency's treasurer) ----------------------------------------------

def _payment_form(po, data=None) -> PaymentForm:
    form = PaymentForm(formdata=data)
    if data is None and po.invoice is not None:
        form.amount.data = po.invoice.net_payable
    return form


@bp.route("/agencies/<int:agency_id>/purchase-orders/<int:purchase_order_id>/card", methods=["POST"])
@login_required
def pay_with_government_card(agency_id, purchase_order_id):
    """The treasurer pays a KKP order's invoice with the government card, on the card processor's form."""
    if not current_app.config.get("STRIPE_SECRET_KEY"):
        abort(404)
    _agency, _officer, po = purchase_order_seen(agency_id, purchase_order_id)
    if not ConfirmForm().validate_on_submit():
        flash(_("The form had expired. Try again."), "error")
        return _back_to_order(po)
    back = url_for("procurement.purchase_order", agency_id=agency_id, purchase_order_id=po.id)
    page = {"subject": _("Invoice %(number)s", number=po.invoice.number if po.invoice else po.reference),
            "return_url": url_for("procurement.purchase_order", agency_id=agency_id, purchase_order_id=po.id,
                                  _external=True), "back_url": back}
    try:
        with unit_of_work():
            started = invoicing.start_card_payment(current_user, po)
    except DomainError as error:
        flash_refusal(error)
        return card_page(None, status=400, **page)
    return card_page(started, **page)


@bp.route("/agencies/<int:agency_id>/purchase-orders/<int:purchase_order_id>/payment", methods=["POST"])
@login_required
def record_payment(agency_id, purchase_order_id):
    agency, officer, po = purchase_order_seen(agency_id, purchase_order_id)
    form = _payment_form(po, request.form)
    return form_action(form, lambda: invoicing.record_payment(current_user, po, reference=form.reference.data or "",
                       paid_on=form.paid_on.data, amount=form.amount.data),
                        done=_("The payment is recorded; the cooperative has been told."),
                        back=lambda: _back_to_order(po),
                        again=lambda: _render_purchase_order(agency, officer, po, payment_form=form, status_code=422))




