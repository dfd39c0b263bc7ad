"""The agency's dashboard: a fiscal year's spend and its breakdowns, open orders by step, cooperatives waiting
for payment; its CSV; the year's goods and services budget recorded by the agency's administrator."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from marketplace.core.errors import DomainError, InvalidDetails
from marketplace.core.i18n import gettext as _
from marketplace.core.pagination import paginate_rows
from marketplace.core.query_args import QueryArgs
from marketplace.core.timeutil import local_today
from marketplace.core.unit_of_work import unit_of_work
from marketplace.core.views import attach_field_errors, flash_refusal, private_download
from marketplace.procurement import bp
from marketplace.procurement.forms import BudgetForm
from marketplace.procurement.models import OfficerRole
from marketplace.procurement.services import oversight
from marketplace.procurement.views.agencies import agency_seen_by_current_user


def _year() -> int:
    this_year = local_today().year
    return QueryArgs(request.args).number("year", minimum=this_year - 10, maximum=this_year + 1) or this_year


def _render_dashboard(agency, officer, year: int, *, budget_form=None, status_code=200):
    budget = oversight.budget_of(agency, year)
    return render_template(
        "procurement/dashboard.html", agency=agency, year=year, this_year=local_today().year,
        summary=oversight.summary(agency, year), by_cooperative=oversight.spend_by_cooperative(agency, year),
        by_region=oversight.spend_by_region(agency, year), by_category=oversight.spend_by_category(agency, year),
        by_month=oversight.spend_by_month(agency, year), open_steps=oversight.open_steps(agency),
        waiting=paginate_rows(oversight.awaiting_payment_query(agency), per_page=20),
        days_waiting=oversight.days_waiting,
        may_set_budget=officer is not None and officer.holds(OfficerRole.AGENCY_ADMIN),
        budget_form=budget_form or BudgetForm(year=year, amount=budget.amount if budget else None),
    ), status_code


@bp.route("/agencies/<int:agency_id>/dashboard")
@login_required
def agency_dashboard(agency_id):
    agency, officer = agency_seen_by_current_user(agency_id)
    return _render_dashboard(agency, officer, _year())


@bp.route("/agencies/<int:agency_id>/dashboard.csv")
@login_required
def agency_dashboard_csv(agency_id):
    agency, _officer = agency_seen_by_current_user(agency_id)
    year = _year()
    return private_download(oversight.purchase_orders_csv_lines(agency, year),
                            f"pesanan-pembelian-{agency.id}-{year}.csv", "text/csv")


@bp.route("/agencies/<int:agency_id>/budget", methods=["POST"])
@login_required
def record_budget(agency_id):
    agency, officer = agency_seen_by_current_user(agency_id)
    form = BudgetForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                oversight.record_budget(current_user, agency, year=form.year.data, amount=form.amount.data)
        except InvalidDetails as error:
            attach_field_errors(form, error)
        except DomainError as error:
            flash_refusal(error)
            return redirect(url_for("procurement.agency_dashboard", agency_id=agency.id))
        else:
            flash(_("The budget of %(year)s is recorded.", year=form.year.data), "success")
            return redirect(url_for("procurement.agency_dashboard", agency_id=agency.id, year=form.year.data))
    year = form.year.data if isinstance(form.year.data, int) else local_today().year
    return _render_dashboard(agency, officer, year, budget_form=form, status_code=422)
