"""The platform administrators' money pages: what is owed to each cooperative and paying it out, card refunds,
refunds due, unpaid invoices, the platform fee and the buyers who may pay on invoice."""

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from marketplace.accounts.permissions import admin_required
from marketplace.cooperatives.models import Cooperative
from marketplace.core.errors import DomainError, InvalidDetails, NotFound
from marketplace.core.i18n import gettext as _
from marketplace.core.pagination import paginate, paginate_rows
from marketplace.core.query_args import QueryArgs
from marketplace.core.timeutil import local_today
from marketplace.core.unit_of_work import unit_of_work
from marketplace.core.views import attach_field_errors, flash_refusal, render_form
from marketplace.extensions import db
from marketplace.ordering.models import Order
from marketplace.ordering.services import invoice_terms
from marketplace.payments import bp
from marketplace.payments.forms import FeeRateForm, InvoiceTermsForm, RefundForm, SettlementForm
from marketplace.payments.services import invoices, received, refunds, settlement


@bp.route("/admin/payments")
@admin_required
def overview():
    return render_template("payments/admin_overview.html", totals=settlement.reconciliation(),
                           page=paginate_rows(settlement.positions_query(), per_page=30),
                           as_position=settlement.as_position, refunds_due=refunds.refunds_due(),
                           fee=received.fee_rate_on(local_today()))


@bp.route("/admin/payments/cooperatives/<int:cooperative_id>", methods=["GET", "POST"])
@admin_required
def cooperative_account(cooperative_id):
    cooperative = db.session.get(Cooperative, cooperative_id)
    if cooperative is None:
        raise NotFound(_("This cooperative does not exist."))
    form = SettlementForm()
    if request.method == "GET":
        form.paid_on.data = local_today()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                settlement.record_settlement(current_user, cooperative, amount=form.amount.data,
                                             paid_on=form.paid_on.data, reference=form.reference.data or "")
        except InvalidDetails as error:
            attach_field_errors(form, error)
        else:
            flash(_("The payout to %(name)s has been recorded.", name=cooperative.name), "success")
            return redirect(url_for("payments.cooperative_account", cooperative_id=cooperative.id))
    return render_form("payments/admin_cooperative.html", form, cooperative=cooperative,
                       position=settlement.position_of(cooperative),
                       page=paginate(settlement.settlements_query(cooperative), per_page=30),
                       refunds_due=refunds.refunds_due(cooperative))


@bp.route("/admin/payments/orders/<number>", methods=["GET", "POST"])
@admin_required
def admin_order(number):
    order = db.session.scalar(sa.select(Order).where(Order.number == number))
    if order is None:
        raise NotFound(_("This order does not exist."))
    form = RefundForm()
    if request.method == "GET":
        form.refunded_on.data = local_today(order.cooperative.time_zone)
    if form.validate_on_submit():
        try:
            with unit_of_work():
                refunds.refund_order(current_user, order, amount=form.amount.data, reason=form.reason.data or "",
                                     reference=form.reference.data or "", refunded_on=form.refunded_on.data)
        except InvalidDetails as error:
            attach_field_errors(form, error)
        except DomainError as error:
            flash_refusal(error)
        else:
            flash(_("The refund has been made and the buyer told."), "success")
            return redirect(url_for("payments.admin_order", number=number))
    payment = received.payment_of(order)
    return render_form("payments/admin_order.html", form, order=order, payment=payment,
                       refunds=refunds.refunds_of(order), refundable=refunds.refundable(order))


@bp.route("/admin/payments/invoices")
@admin_required
def admin_invoices():
    overdue = QueryArgs(request.args).choice("show", ["", "overdue"], default="overdue") == "overdue"
    page = paginate(invoices.unpaid_invoices_query(overdue_only=overdue), per_page=30)
    return render_template("payments/admin_invoices.html", page=page, overdue=overdue,
                           days_overdue=invoices.days_overdue)


@bp.route("/admin/payments/fee", methods=["GET", "POST"])
@admin_required
def platform_fee():
    form = FeeRateForm()
    if request.method == "GET":
        form.valid_from.data = local_today()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                received.set_fee_rate(current_user, valid_from=form.valid_from.data,
                                      basis_points=form.basis_points, today=local_today())
        except InvalidDetails as error:
            attach_field_errors(form, error)
        else:
            flash(_("The platform fee has been set."), "success")
            return redirect(url_for("payments.platform_fee"))
    return render_form("payments/admin_fee.html", form, rates=received.fee_rates(),
                       today_rate=received.fee_rate_on(local_today()))


@bp.route("/admin/payments/invoice-terms", methods=["GET", "POST"])
@admin_required
def terms():
    form = InvoiceTermsForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                granted = invoice_terms.grant_terms(current_user, email=form.email.data or "",
                                                    institution=form.institution.data or "", days=form.days.data)
        except InvalidDetails as error:
            attach_field_errors(form, error)
        else:
            flash(_("%(name)s may now pay on invoice within %(days)d days.", name=granted.buyer.name,
                    days=granted.days), "success")
            return redirect(url_for("payments.terms"))
    return render_form("payments/admin_terms.html", form,
                       page=paginate(invoice_terms.terms_query(), per_page=50))


@bp.route("/admin/payments/invoice-terms/<int:terms_id>/withdraw", methods=["POST"])
@admin_required
def withdraw_terms(terms_id):
    with unit_of_work():
        invoice_terms.withdraw_terms(current_user, terms_id)
    flash(_("Payment on invoice withdrawn: orders already placed keep their terms."), "success")
    return redirect(url_for("payments.terms"))
