"""The cooperative's ledger pages: allocating order lines to members, balances, statements, payouts, margin."""

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms import SelectChoice

from marketplace.catalog.services.products import products_of_cooperative
from marketplace.cooperatives.permissions import Capability
from marketplace.cooperatives.services.members import member_of, member_register
from marketplace.cooperatives.views.access import cooperative_for
from marketplace.core.errors import DomainError, InvalidDetails
from marketplace.core.i18n import gettext as _
from marketplace.core.pagination import paginate_rows
from marketplace.core.query_args import QueryArgs
from marketplace.core.timeutil import local_today
from marketplace.core.unit_of_work import unit_of_work
from marketplace.core.views import attach_field_errors, errors_text, flash_refusal, private_download, render_form
from marketplace.ledger import bp
from marketplace.ledger.forms import AllocationForm, MarginForm, PayAllForm, PayoutForm, ProductRuleForm
from marketplace.ledger.models import PayoutMethod
from marketplace.ledger.services import allocations as allocation_services
from marketplace.ledger.services import journal
from marketplace.ledger.services.documents import bank_batch_csv_lines, payout_slip_pdf, statement_pdf
from marketplace.ledger.services.settings import (
    cooperative_margin,
    product_rules,
    set_cooperative_margin,
    set_product_rule,
)
from marketplace.ordering.services.queries import order_of_cooperative


@bp.route("/manage/<slug>/orders/<number>/allocations", methods=["GET", "POST"])
@login_required
def allocations(slug, number):
    cooperative = cooperative_for(slug, Capability.VIEW_DASHBOARD)
    order = order_of_cooperative(cooperative, number)
    form = AllocationForm()
    if form.validate_on_submit():
        line_id = request.form.get("line", type=int)
        shares = [allocation_services.Share(member_id=member_id, quantity=quantity)
                  for member_id, quantity in zip(request.form.getlist("member", type=int),
                                                 request.form.getlist("quantity", type=_whole_number), strict=False)
                  if member_id and quantity is not None]
        try:
            with unit_of_work():
                allocation_services.allocate_line(current_user, order, line_id or 0, shares)
        except DomainError as error:
            flash_refusal(error)
        else:
            flash(_("The allocation has been saved."), "success")
        return redirect(url_for("ledger.allocations", slug=slug, number=number))
    lines = [(line, allocation_services.suggested_members(order, line)) for line in order.lines]
    return render_template("ledger/allocations.html", cooperative=cooperative, order=order, lines=lines, form=form,
                           allocated=allocation_services.allocations_of(order),
                           members=member_register(current_user, cooperative, active_only=True),
                           editable=order.status in allocation_services.EDITABLE_STATUSES)


def _whole_number(value: str) -> int:
    value = (value or "").strip()
    if not value:
        return 0
    return int(value.replace(".", ""))  # ValueError drops the row; the service checks the total


@bp.route("/manage/<slug>/ledger")
@login_required
def balances(slug):
    cooperative = cooperative_for(slug, Capability.VIEW_MEMBERS)
    page = paginate_rows(journal.balances_query(cooperative), per_page=30)
    pay_all_form = PayAllForm()
    pay_all_form.paid_on.data = local_today(cooperative.time_zone)
    rule_form = ProductRuleForm()
    rule_form.product.choices = [SelectChoice(product.id, f"{product.name} ({product.sku})")
                                 for product in products_of_cooperative(cooperative)]
    return render_template("ledger/balances.html", cooperative=cooperative, page=page,
                           margin=cooperative_margin(cooperative), margin_form=MarginForm(), pay_all_form=pay_all_form,
                           rule_form=rule_form, rules=product_rules(cooperative),
                           product_names={choice.value: choice.label for choice in rule_form.product.choices})


@bp.route("/manage/<slug>/ledger/members/<int:member_id>", methods=["GET", "POST"])
@login_required
def member_statement(slug, member_id):
    cooperative = cooperative_for(slug, Capability.VIEW_MEMBERS)
    member = member_of(current_user, cooperative, member_id)
    form = PayoutForm()
    if request.method == "GET":
        form.paid_on.data = local_today(cooperative.time_zone)
    if form.validate_on_submit():
        try:
            with unit_of_work():
                journal.record_payout(current_user, cooperative, form.details(member.id))
        except InvalidDetails as error:
            attach_field_errors(form, error)
        except DomainError as error:
            flash_refusal(error)
        else:
            flash(_("The payout has been recorded."), "success")
            return redirect(url_for("ledger.member_statement", slug=slug, member_id=member.id))
    read = QueryArgs(request.args)
    since, until = read.date("since"), read.date("until")
    page = paginate_rows(journal.statement_of(member, since=since, until=until), per_page=50)
    return render_form("ledger/statement.html", form, cooperative=cooperative, member=member, page=page,
                       balance=journal.member_balance(member.id), since=since, until=until,
                       totals=journal.statement_totals(member, since=since, until=until))


@bp.route("/manage/<slug>/ledger/members/<int:member_id>/statement.pdf")
@login_required
def member_statement_pdf(slug, member_id):
    cooperative = cooperative_for(slug, Capability.VIEW_MEMBERS)
    member = member_of(current_user, cooperative, member_id)
    return statement_pdf_response(member, cooperative)


def statement_pdf_response(member, cooperative) -> Response:
    read = QueryArgs(request.args)
    since, until = read.date("since"), read.date("until")
    rows = journal.statement_rows(member, since=since, until=until)
    content = statement_pdf(member, cooperative, rows, journal.statement_totals(member, since=since, until=until),
                            since=since, until=until)
    return private_download(content, f"statement-{member.member_number}.pdf", "application/pdf", inline=True)


@bp.route("/manage/<slug>/ledger/margin", methods=["POST"])
@login_required
def margin(slug):
    cooperative = cooperative_for(slug, Capability.VIEW_MEMBERS)
    form = MarginForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                set_cooperative_margin(current_user, cooperative, form.margin.data)
        except DomainError as error:
            flash_refusal(error)
        else:
            flash(_("The margin has been saved; it applies to orders completed from now on."), "success")
    else:
        flash(" ".join(str(error) for error in form.margin.errors), "error")
    return redirect(url_for("ledger.balances", slug=slug))


@bp.route("/manage/<slug>/ledger/pay-all", methods=["POST"])
@login_required
def pay_all(slug):
    cooperative = cooperative_for(slug, Capability.VIEW_MEMBERS)
    form = PayAllForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                payouts = journal.pay_every_balance(current_user, cooperative, method=PayoutMethod(form.method.data),
                                                    paid_on=form.paid_on.data, reference=form.reference.data or "")
        except DomainError as error:
            flash_refusal(error)
        else:
            flash(_("%(count)d payouts recorded.", count=len(payouts)), "success")
    else:
        flash(errors_text(form.method, form.paid_on, form.reference), "error")
    return redirect(url_for("ledger.balances", slug=slug))


@bp.route("/manage/<slug>/ledger/bank-batch.csv")
@login_required
def bank_batch(slug):
    cooperative = cooperative_for(slug, Capability.VIEW_ACCOUNT_NUMBERS)
    return private_download(bank_batch_csv_lines(cooperative), f"transfer-{cooperative.slug}.csv", "text/csv")


@bp.route("/manage/<slug>/ledger/payouts/<int:payout_id>/slip.pdf")
@login_required
def payout_slip(slug, payout_id):
    cooperative = cooperative_for(slug, Capability.VIEW_MEMBERS)
    payout = journal.payout_of(cooperative, payout_id)
    return private_download(payout_slip_pdf(payout, cooperative), f"payout-{payout.id}.pdf", "application/pdf",
                            inline=True)


@bp.route("/manage/<slug>/ledger/product-rules", methods=["POST"])
@login_required
def product_rule(slug):
    cooperative = cooperative_for(slug, Capability.VIEW_MEMBERS)
    form = ProductRuleForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                set_product_rule(current_user, cooperative, form.product.data, margin_basis_points=form.margin.data,
                                 member_unit_price=form.member_price.data)
        except DomainError as error:
            flash_refusal(error)
        else:
            flash(_("The product's rule has been saved; it applies to orders completed from now on."), "success")
    else:
        flash(errors_text(form.product, form.margin, form.member_price), "error")
    return redirect(url_for("ledger.balances", slug=slug))
