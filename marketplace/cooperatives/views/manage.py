"""The staff's pages: register, dashboard, profile, logo, documents, staff and roles."""

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from wtforms import SelectChoice

from marketplace.cooperatives import bp
from marketplace.cooperatives.forms import (
    ConfirmForm,
    CooperativeForm,
    DocumentForm,
    LogoForm,
    RatForm,
    RoleForm,
    StaffInvitationForm,
)
from marketplace.cooperatives.models import StaffRole
from marketplace.cooperatives.permissions import Capability, capabilities_of
from marketplace.cooperatives.services import profile as profile_services
from marketplace.cooperatives.services import rat as rat_services
from marketplace.cooperatives.services import staff as staff_services
from marketplace.cooperatives.services.members import active_member_count
from marketplace.cooperatives.services.profile import CooperativeDetails, InvalidCooperativeDetails
from marketplace.cooperatives.services.rat import InvalidRat
from marketplace.cooperatives.views.access import CURRENT_COOPERATIVE_KEY, cooperative_for, region_choices
from marketplace.core.errors import DomainError, NotPermitted
from marketplace.core.i18n import gettext as _
from marketplace.core.unit_of_work import unit_of_work
from marketplace.core.views import attach_field_errors, errors_text, private_file, render_form
from marketplace.extensions import limit_uploads


def _cooperative_form(**kwargs) -> CooperativeForm:
    province_choices, regency_choices = region_choices()
    return CooperativeForm(province_choices=province_choices, regency_choices=regency_choices, **kwargs)


@bp.route("/cooperatives/register", methods=["GET", "POST"])
@login_required
def register():
    form = _cooperative_form()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                cooperative = profile_services.register_cooperative(current_user, form.details())
        except InvalidCooperativeDetails as error:
            attach_field_errors(form, error)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("%(name)s is registered. Upload the legal documents so we can verify it.",
                    name=cooperative.name), "success")
            return redirect(url_for("cooperatives.dashboard", slug=cooperative.slug))
    return render_form("cooperatives/register.html", form)


@bp.route("/manage")
@login_required
def my_cooperatives():
    memberships = staff_services.memberships_of(current_user)
    if len(memberships) == 1:
        return redirect(url_for("cooperatives.dashboard", slug=memberships[0].cooperative.slug))
    return render_template("cooperatives/my_cooperatives.html", memberships=memberships,
                           current_slug=session.get(CURRENT_COOPERATIVE_KEY))


@bp.route("/manage/<slug>")
@login_required
def dashboard(slug):
    cooperative = cooperative_for(slug, Capability.VIEW_DASHBOARD)
    return render_template(
        "cooperatives/dashboard.html", cooperative=cooperative, badges=profile_services.badges_of(cooperative),
        capabilities=capabilities_of(current_user, cooperative), active_members=active_member_count(cooperative),
        documents=profile_services.documents_of(cooperative), resubmit_form=ConfirmForm(),
        standing=rat_services.rat_standing(cooperative),
        memberships=staff_services.memberships_of(current_user),
    )


@bp.route("/manage/<slug>/profile", methods=["GET", "POST"])
@login_required
def edit_profile(slug):
    cooperative = cooperative_for(slug, Capability.EDIT_PROFILE)
    form = _cooperative_form(obj=CooperativeDetails.of(cooperative))
    if form.validate_on_submit():
        try:
            with unit_of_work():
                changed = profile_services.update_cooperative(current_user, cooperative, form.details())
        except InvalidCooperativeDetails as error:
            attach_field_errors(form, error)
        else:
            flash(_("The profile has been saved.") if changed else _("Nothing was changed."), "success")
            return redirect(url_for("cooperatives.dashboard", slug=cooperative.slug))
    return render_form("cooperatives/edit_profile.html", form, cooperative=cooperative, logo_form=LogoForm())


@bp.route("/manage/<slug>/logo", methods=["POST"])
@limit_uploads
@login_required
def upload_logo(slug):
    cooperative = cooperative_for(slug, Capability.EDIT_PROFILE)
    form = LogoForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                profile_services.set_logo(current_user, cooperative, form.logo.data.read())
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("The logo has been updated."), "success")
    else:
        flash(errors_text(form.logo), "error")
    return redirect(url_for("cooperatives.edit_profile", slug=cooperative.slug))


@bp.route("/manage/<slug>/documents", methods=["GET", "POST"])
@limit_uploads
@login_required
def documents(slug):
    cooperative = cooperative_for(slug, Capability.VIEW_DOCUMENTS)
    form = DocumentForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                profile_services.add_document(current_user, cooperative, kind=form.kind.data,
                                              filename=form.document.data.filename or "",
                                              data=form.document.data.read())
        except DomainError as error:
            form.document.errors = [error.message]
        else:
            flash(_("The document has been uploaded."), "success")
            return redirect(url_for("cooperatives.documents", slug=cooperative.slug))
    return render_form("cooperatives/documents.html", form, cooperative=cooperative,
                       documents=profile_services.documents_of(cooperative))


@bp.route("/manage/<slug>/documents/<int:document_id>")
@login_required
def download_document(slug, document_id):
    cooperative = cooperative_for(slug, Capability.VIEW_DOCUMENTS)
    return private_file(profile_services.document_of(current_user, cooperative, document_id))


@bp.route("/manage/<slug>/resubmit", methods=["POST"])
@login_required
def resubmit(slug):
    cooperative = cooperative_for(slug, Capability.EDIT_PROFILE)
    if ConfirmForm().validate_on_submit():
        try:
            with unit_of_work():
                profile_services.resubmit_for_verification(current_user, cooperative)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("Sent for verification again."), "success")
    return redirect(url_for("cooperatives.dashboard", slug=cooperative.slug))


@bp.route("/manage/<slug>/staff", methods=["GET", "POST"])
@login_required
def staff(slug):
    cooperative = cooperative_for(slug, Capability.VIEW_DASHBOARD)
    form = StaffInvitationForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                staff_services.invite_staff(
                    current_user, cooperative, email=form.email.data, role=StaffRole(form.role.data),
                    accept_url_for=lambda token: url_for("cooperatives.invitation", token=token, _external=True),
                    locale=current_user.preferred_locale)
        except NotPermitted:
            raise  # someone without the right to invite: the 403 page says why
        except DomainError as error:
            form.email.errors = [error.message]
        else:
            flash(_("The invitation has been sent to %(email)s.", email=form.email.data), "success")
            return redirect(url_for("cooperatives.staff", slug=cooperative.slug))
    return render_form(
        "cooperatives/staff.html", form, cooperative=cooperative, staff=staff_services.staff_of(cooperative),
        invitations=staff_services.open_invitations(cooperative), role_labels=StaffRole.labels(),
        can_manage=Capability.MANAGE_STAFF in capabilities_of(current_user, cooperative),
    )


@bp.route("/manage/<slug>/staff/<int:membership_id>/role", methods=["POST"])
@login_required
def change_role(slug, membership_id):
    cooperative = cooperative_for(slug, Capability.MANAGE_STAFF)
    form = RoleForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                staff_services.change_staff_role(current_user, cooperative, membership_id, StaffRole(form.role.data))
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("The role has been changed."), "success")
    return redirect(url_for("cooperatives.staff", slug=cooperative.slug))


@bp.route("/manage/<slug>/staff/<int:membership_id>/remove", methods=["POST"])
@login_required
def remove_staff(slug, membership_id):
    cooperative = cooperative_for(slug, Capability.VIEW_DASHBOARD)
    if ConfirmForm().validate_on_submit():
        try:
            with unit_of_work():
                staff_services.remove_staff(current_user, cooperative, membership_id)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("The person no longer works for this cooperative here."), "success")
            if not capabilities_of(current_user, cooperative):
                return redirect(url_for("storefront.home"))
    return redirect(url_for("cooperatives.staff", slug=cooperative.slug))


@bp.route("/manage/<slug>/invitations/<int:invitation_id>/revoke", methods=["POST"])
@login_required
def revoke_invitation(slug, invitation_id):
    cooperative = cooperative_for(slug, Capability.VIEW_DASHBOARD)
    if ConfirmForm().validate_on_submit():
        try:
            with unit_of_work():
                staff_services.revoke_invitation(current_user, cooperative, invitation_id)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("The invitation has been withdrawn."), "success")
    return redirect(request.referrer if request.referrer and request.referrer.startswith(request.host_url)
                    else url_for("cooperatives.staff", slug=cooperative.slug))


@bp.route("/manage/<slug>/rat", methods=["GET", "POST"])
@login_required
def rats(slug):
    """RATs by book year: the board records each; everyone who runs or supervises the cooperative reads them."""
    cooperative = cooperative_for(slug, Capability.VIEW_DASHBOARD)
    minutes = [SelectChoice(document.id, f"{document.original_filename} ({document.uploaded_at:%d-%m-%Y})")
               for document in rat_services.minutes_documents_of(cooperative)]
    form = RatForm(minutes_choices=minutes)
    if form.validate_on_submit():
        try:
            with unit_of_work():
                rat = rat_services.record_rat(current_user, cooperative, form.details())
        except InvalidRat as error:
            attach_field_errors(form, error)
        else:
            flash(_("The RAT for book year %(year)d is recorded.", year=rat.book_year), "success")
            return redirect(url_for("cooperatives.rats", slug=cooperative.slug))
    return render_form("cooperatives/rats.html", form, cooperative=cooperative, rats=rat_services.rats_of(cooperative),
                       standing=rat_services.rat_standing(cooperative))
