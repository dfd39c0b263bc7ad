"""An agency's own pages: registering it, its officers and their roles, invitations, and its rules."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from marketplace.accounts.models import AccountKind
from marketplace.accounts.permissions import kind_required
from marketplace.cooperatives.views.access import region_choices
from marketplace.core.errors import DomainError, InvalidDetails
from marketplace.core.i18n import gettext as _
from marketplace.core.timeutil import local_today
from marketplace.core.unit_of_work import unit_of_work
from marketplace.core.views import attach_field_errors, errors_text, flash_refusal, render_form
from marketplace.extensions import limit_messages
from marketplace.procurement import bp
from marketplace.procurement.forms import (
    AcceptOfficerInvitationForm,
    AgencyCeilingForm,
    AgencyRegistrationForm,
    ApprovalPolicyForm,
    ConfirmForm,
    InviteOfficerForm,
    OfficerRolesForm,
)
from marketplace.procurement.models import Agency, AgencyLevel, ApprovalPolicy, OfficerRole, RuleKey
from marketplace.procurement.services import agencies, rules
from marketplace.procurement.services.agencies import AgencyDetails, SpendingUnitDetails


def agency_seen_by_current_user(agency_id: int) -> tuple[Agency, object]:
    """The agency and the person's officer record in it: 404 for an unknown agency, 403 for someone who is
    neither its officer nor a platform administrator."""
    agency = agencies.agency_by_id(agency_id)
    officer = agencies.officer_in(current_user, agency)
    if officer is None and not current_user.is_admin:
        abort(403)
    return agency, officer


def _region_fields(form) -> None:
    province_choices, regency_choices = region_choices()
    form.province_code.choices = [("", _("— choose —")), *province_choices]
    form.regency_code.choices = [("", _("— choose —")), *regency_choices]


@bp.route("/agencies/register", methods=["GET", "POST"])
@limit_messages
@kind_required(AccountKind.GOVERNMENT_OFFICER)
def register_agency():
    form = AgencyRegistrationForm()
    _region_fields(form)
    if form.validate_on_submit():
        details = AgencyDetails(name=form.name.data, level=AgencyLevel(form.level.data),
                                province_code=form.province_code.data or None,
                                regency_code=form.regency_code.data or None,
                                street_address=form.street_address.data, email_domain=form.email_domain.data)
        unit = SpendingUnitDetails(name=form.unit_name.data, satker_code=form.satker_code.data,
                                   treasurer_npwp=form.treasurer_npwp.data, street_address=form.unit_address.data)
        try:
            with unit_of_work():
                agency = agencies.register_agency(current_user, details, unit, nip=form.nip.data,
                                                  roles={OfficerRole(role) for role in form.roles.data})
        except InvalidDetails as error:
            attach_field_errors(form, error)
        except DomainError as error:
            flash_refusal(error)
        else:
            flash(_("%(name)s is registered. A platform administrator verifies it before anyone in it can order.",
                    name=agency.name), "success")
            return redirect(url_for("procurement.agency", agency_id=agency.id))
    return render_form("procurement/register.html", form)


@bp.route("/agencies/mine")
@login_required
def my_agencies():
    records = agencies.officer_records_of(current_user)
    if len(records) == 1:
        return redirect(url_for("procurement.agency", agency_id=records[0].agency_id))
    return render_template("procurement/my_agencies.html", records=records)


@bp.route("/agencies/<int:agency_id>")
@login_required
def agency(agency_id):
    agency, officer = agency_seen_by_current_user(agency_id)
    is_admin_here = officer is not None and officer.holds(OfficerRole.AGENCY_ADMIN)
    policy_form = ApprovalPolicyForm(approval_policy=agency.approval_policy.value)
    ceiling_form = AgencyCeilingForm(valid_from=local_today())
    return render_template(
        "procurement/agency.html", agency=agency, officer=officer, is_admin_here=is_admin_here,
        officers=agencies.officers_of(agency), invitations=agencies.open_invitations(agency),
        rules=rules.rules_in_force(local_today(), agency), invite_form=InviteOfficerForm(),
        roles_form=OfficerRolesForm(), policy_form=policy_form, ceiling_form=ceiling_form,
        official_address=agencies.has_official_address)


def _back_to(agency: Agency):
    return redirect(url_for("procurement.agency", agency_id=agency.id))


@bp.route("/agencies/<int:agency_id>/officers/invite", methods=["POST"])
@limit_messages
@login_required
def invite_officer(agency_id):
    agency, _officer = agency_seen_by_current_user(agency_id)
    form = InviteOfficerForm()
    if not form.validate_on_submit():
        flash(errors_text(form.email, form.roles, form.spending_limit) or _("Check the form."), "error")
        return _back_to(agency)
    try:
        with unit_of_work():
            agencies.invite_officer(
                current_user, agency, email=form.email.data, roles={OfficerRole(role) for role in form.roles.data},
                spending_limit=form.spending_limit.data, locale=current_user.preferred_locale,
                accept_url_for=lambda token: url_for("procurement.invitation", token=token, _external=True))
    except DomainError as error:
        flash_refusal(error)
    else:
        flash(_("An invitation has been sent to %(email)s.", email=form.email.data), "success")
    return _back_to(agency)


@bp.route("/agencies/<int:agency_id>/officers/<int:officer_id>", methods=["POST"])
@login_required
def change_roles(agency_id, officer_id):
    agency, _officer = agency_seen_by_current_user(agency_id)
    form = OfficerRolesForm()
    if not form.validate_on_submit():
        flash(errors_text(form.roles, form.spending_limit) or _("Check the form."), "error")
        return _back_to(agency)
    try:
        with unit_of_work():
            agencies.change_officer_roles(current_user, agency, officer_id,
                                          roles={OfficerRole(role) for role in form.roles.data},
                                          spending_limit=form.spending_limit.data)
    except DomainError as error:
        flash_refusal(error)
    else:
        flash(_("The roles have been changed."), "success")
    return _back_to(agency)


@bp.route("/agencies/<int:agency_id>/officers/<int:officer_id>/remove", methods=["POST"])
@login_required
def remove_officer(agency_id, officer_id):
    agency, _officer = agency_seen_by_current_user(agency_id)
    if ConfirmForm().validate_on_submit():
        try:
            with unit_of_work():
                agencies.remove_officer(current_user, agency, officer_id)
        except DomainError as error:
            flash_refusal(error)
        else:
            flash(_("The officer has been removed."), "success")
            if agencies.officer_in(current_user, agency) is None and not current_user.is_admin:
                return redirect(url_for("procurement.my_agencies"))
    return _back_to(agency)


@bp.route("/agencies/<int:agency_id>/invitations/<int:invitation_id>/revoke", methods=["POST"])
@login_required
def revoke_invitation(agency_id, invitation_id):
    agency, _officer = agency_seen_by_current_user(agency_id)
    if ConfirmForm().validate_on_submit():
        try:
            with unit_of_work():
                agencies.revoke_invitation(current_user, agency, invitation_id)
        except DomainError as error:
            flash_refusal(error)
        else:
            flash(_("The invitation has been withdrawn."), "success")
    return _back_to(agency)


@bp.route("/agencies/<int:agency_id>/approval", methods=["POST"])
@login_required
def change_approval_policy(agency_id):
    agency, _officer = agency_seen_by_current_user(agency_id)
    form = ApprovalPolicyForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                agencies.change_approval_policy(current_user, agency, ApprovalPolicy(form.approval_policy.data))
        except DomainError as error:
            flash_refusal(error)
        else:
            flash(_("Saved: %(policy)s.", policy=agency.approval_policy.label), "success")
    return _back_to(agency)


@bp.route("/agencies/<int:agency_id>/ceiling", methods=["POST"])
@login_required
def set_ceiling(agency_id):
    agency, _officer = agency_seen_by_current_user(agency_id)
    form = AgencyCeilingForm()
    if not form.validate_on_submit():
        flash(errors_text(form.ceiling, form.valid_from) or _("Check the form."), "error")
        return _back_to(agency)
    try:
        with unit_of_work():
            agencies.require_role(current_user, agency, OfficerRole.AGENCY_ADMIN, verified=False)
            rules.set_rule(current_user, RuleKey.DIRECT_PURCHASE_CEILING, form.ceiling.data, form.valid_from.data,
                           agency=agency, source=_("Agency's own rule"))
    except DomainError as error:
        flash_refusal(error)
    else:
        flash(_("The agency's ceiling has been set."), "success")
    return _back_to(agency)


@bp.route("/agencies/invitations/<token>", methods=["GET", "POST"])
def invitation(token):
    """Anyone may open the link; accepting needs an account with the invited address."""
    try:
        invitation = agencies.invitation_for_token(token)
    except DomainError as error:
        return render_template("procurement/invitation.html", error=error.message, invitation=None), 410
    form = AcceptOfficerInvitationForm()
    if request.method == "POST" and not current_user.is_authenticated:
        abort(401)
    if current_user.is_authenticated and form.validate_on_submit():
        try:
            with unit_of_work():
                officer = agencies.accept_invitation(current_user, token, nip=form.nip.data)
        except InvalidDetails as error:
            attach_field_errors(form, error)
        except DomainError as error:
            flash_refusal(error)
        else:
            flash(_("Welcome to %(name)s.", name=invitation.agency.name), "success")
            return redirect(url_for("procurement.agency", agency_id=officer.agency_id))
    return render_form("procurement/invitation.html", form, invitation=invitation, error=None)
