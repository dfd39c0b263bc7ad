"""A cooperative's money pages: an order's payment and refunds, unpaid invoices, and what the platform owes it."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from marketplace.cooperatives.permissions import Capability
from marketplace.cooperatives.views.access import cooperative_for
from marketplace.core.errors import DomainError, InvalidDetails
from marketplace.core.i18n import gettext as _
from marketplace.core.pagination import paginate
from marketplace.core.query_args import QueryArgs
from marketplace.core.timeutil import local_today
from marketplace.core.unit_of_work import unit_of_work
from marketplace.core.views import attach_field_errors, flash_refusal
from marketplace.ordering.models import PaymentMethod
from marketplace.ordering.services.queries import order_of_cooperative
from marketplace.payments import bp
from marketplace.payments.forms import InvoicePaymentForm, RefundForm
from marketplace.payments.services import invoices, refunds, settlement
from marketplace.payments.services.received import payment_of


@bp.route("/manage/<slug>/orders/<number>/payment", methods=["GET", "POST"])
@login_required
def order_payment(slug, number):
    cooperative = cooperative_for(slug, Capability.VIEW_DASHBOARD)
    order = order_of_cooperative(cooperative, number)
    today = local_today(cooperative.time_zone)
    invoice_form, refund_form = InvoicePaymentForm(prefix="invoice"), RefundForm(prefix="refund")
    if request.method == "GET":
        invoice_form.paid_on.data = refund_form.refunded_on.data = today
    status = 200
    try:
        if request.method == "POST" and request.form.get("what") == "invoice" and invoice_form.validate_on_submit():
            with unit_of_work():
                invoices.record_invoice_payment(current_user, order, amount=invoice_form.amount.data,
                                                paid_on=invoice_form.paid_on.data,
                                                reference=invoice_form.reference.data or "",
                                                reference_date=invoice_form.reference_date.data)
            flash(_("Payment recorded: order %(number)s is paid.", number=number), "success")
            return redirect(url_for("payments.order_payment", slug=slug, number=number))
        if request.method == "POST" and request.form.get("what") == "refund" and refund_form.validate_on_submit():
            with unit_of_work():
                refunds.refund_order(current_user, order, amount=refund_form.amount.data,
                                     reason=refund_form.reason.data or "", reference=refund_form.reference.data or "",
                                     refunded_on=refund_form.refunded_on.data)
            flash(_("The refund has been recorded and the buyer told."), "success")
            return redirect(url_for("payments.order_payment", slug=slug, number=number))
    except InvalidDetails as error:
        attach_field_errors(invoice_form if request.form.get("what") == "invoice" else refund_form, error)
    except DomainError as error:
        flash_refusal(error)
    if invoice_form.errors or refund_form.errors:
        status = 422
    payment = payment_of(order)
    return render_template(
        "payments/order_payment.html", cooperative=cooperative, order=order, payment=payment,
        refunds=refunds.refunds_of(order), refundable=refunds.refundable(order),
        may_refund=refunds.may_refund(current_user, order, payment), invoice_form=invoice_form,
        refund_form=refund_form, needs_sp2d=invoices.needs_sp2d(order),
        recorded_elsewhere=invoices.why_not_record_here(order),
        on_invoice=order.payment_method == PaymentMethod.ON_INVOICE), status


@bp.route("/manage/<slug>/invoices")
@login_required
def unpaid_invoices(slug):
    cooperative = cooperative_for(slug, Capability.VIEW_DASHBOARD)
    overdue = QueryArgs(request.args).choice("show", ["", "overdue"]) == "overdue"
    page = paginate(invoices.unpaid_invoices_query(cooperative, overdue_only=overdue), per_page=30)
    return render_template("payments/invoices.html", cooperative=cooperative, page=page, overdue=overdue,
                           days_overdue=invoices.days_overdue)


@bp.route("/manage/<slug>/settlement")
@login_required
def cooperative_settlement(slug):
    cooperative = cooperative_for(slug, Capability.VIEW_DASHBOARD)
    return render_template("payments/cooperative_settlement.html", cooperative=cooperative,
                           position=settlement.position_of(cooperative),
                           page=paginate(settlement.settlements_query(cooperative), per_page=30),
                           refunds_due=refunds.refunds_due(cooperative))
