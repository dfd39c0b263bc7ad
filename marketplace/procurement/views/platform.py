"""Platform administrators: the agencies waiting for verification, and the national rules and tax rates."""

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from marketplace.accounts.permissions import admin_required
from marketplace.core.audit import AuditEvent
from marketplace.core.errors import DomainError, InvalidDetails
from marketplace.core.i18n import gettext as _
from marketplace.core.pagination import paginate
from marketplace.core.query_args import QueryArgs
from marketplace.core.timeutil import local_today
from marketplace.core.unit_of_work import unit_of_work
from marketplace.core.views import attach_field_errors, flash_refusal, render_form
from marketplace.extensions import db
from marketplace.procurement import bp
from marketplace.procurement.forms import ConfirmForm, PlatformRuleForm, RejectAgencyForm
from marketplace.procurement.models import AgencyStatus, RuleKey
from marketplace.procurement.services import agencies, rules


@bp.route("/admin/agencies")
@admin_required
def agency_queue():
    status = QueryArgs(request.args).choice("status", ["", *(item.value for item in AgencyStatus)],
                                            default=AgencyStatus.PENDING.value)
    page = paginate(agencies.verification_queue(AgencyStatus(status) if status else None))
    return render_template("procurement/admin_queue.html", page=page, status=status,
                           status_labels=AgencyStatus.labels())


@bp.route("/admin/agencies/<int:agency_id>")
@admin_required
def agency_review(agency_id):
    agency = agencies.agency_by_id(agency_id)
    trail = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.target_type == "agencies",
                                                           AuditEvent.target_id == str(agency.id))
                               .order_by(AuditEvent.occurred_at.desc()).limit(50)).all()
    return render_template("procurement/admin_agency.html", agency=agency, officers=agencies.officers_of(agency),
                           official_address=agencies.has_official_address, trail=trail,
                           confirm_form=ConfirmForm(), reject_form=RejectAgencyForm())


@bp.route("/admin/agencies/<int:agency_id>/verify", methods=["POST"])
@admin_required
def verify_agency(agency_id):
    agency = agencies.agency_by_id(agency_id)
    if ConfirmForm().validate_on_submit():
        try:
            with unit_of_work():
                agencies.verify_agency(current_user, agency)
        except DomainError as error:
            flash_refusal(error)
        else:
            flash(_("%(name)s is verified: its officers may now order.", name=agency.name), "success")
    return redirect(url_for("procurement.agency_review", agency_id=agency.id))


@bp.route("/admin/agencies/<int:agency_id>/reject", methods=["POST"])
@admin_required
def reject_agency(agency_id):
    agency = agencies.agency_by_id(agency_id)
    form = RejectAgencyForm()
    if not form.validate_on_submit():
        flash(" ".join(str(error) for error in form.reason.errors) or _("Check the form."), "error")
        return redirect(url_for("procurement.agency_review", agency_id=agency.id))
    try:
        with unit_of_work():
            agencies.reject_agency(current_user, agency, form.reason.data)
    except DomainError as error:
        flash_refusal(error)
    else:
        flash(_("%(name)s has been told why its registration was rejected.", name=agency.name), "success")
    return redirect(url_for("procurement.agency_review", agency_id=agency.id))


@bp.route("/admin/procurement/rules", methods=["GET", "POST"])
@admin_required
def platform_rules():
    form = PlatformRuleForm()
    if request.method == "GET":
        form.valid_from.data = local_today()
    if form.validate_on_submit():
        key = RuleKey(form.key.data)
        try:
            with unit_of_work():
                rules.set_rule(current_user, key, form.parsed_value, form.valid_from.data, source=form.source.data)
        except InvalidDetails as error:
            attach_field_errors(form, error)
        except DomainError as error:
            flash_refusal(error)
        else:
            flash(_("“%(rule)s” has a new value from %(date)s.", rule=key.label,
                    date=form.valid_from.data.strftime("%d-%m-%Y")), "success")
            return redirect(url_for("procurement.platform_rules"))
    return render_form("procurement/admin_rules.html", form, in_force=rules.rules_in_force(local_today()),
                       page=paginate(rules.rule_history(), per_page=50))
