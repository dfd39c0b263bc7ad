"""The member registry pages: list, add, edit, account invitation, CSV import and export."""

from flask import Response, flash, redirect, render_template, request, stream_with_context, url_for
from flask_login import current_user, login_required

from marketplace.cooperatives import bp
from marketplace.cooperatives.forms import (
    ConfirmForm,
    MemberAccountInvitationForm,
    MemberForm,
    MemberImportConfirmForm,
    MemberImportForm,
)
from marketplace.cooperatives.models import Gender, InvitationPurpose, MemberStatus
from marketplace.cooperatives.permissions import Capability, capabilities_of
from marketplace.cooperatives.services import member_csv
from marketplace.cooperatives.services import members as member_services
from marketplace.cooperatives.services import staff as staff_services
from marketplace.cooperatives.services.members import InvalidMemberDetails, MemberDetails
from marketplace.cooperatives.views.access import cooperative_for
from marketplace.core.csv_files import decode_upload
from marketplace.core.errors import DomainError
from marketplace.core.i18n import gettext as _
from marketplace.core.identifiers import mask_account_number, mask_national_id
from marketplace.core.pagination import paginate
from marketplace.core.query_args import QueryArgs
from marketplace.core.unit_of_work import unit_of_work
from marketplace.core.views import attach_field_errors, errors_text, render_form
from marketplace.extensions import limit_uploads


@bp.route("/manage/<slug>/members")
@login_required
def members(slug):
    cooperative = cooperative_for(slug, Capability.VIEW_MEMBERS)
    read = QueryArgs(request.args)
    search = read.text("q")
    status = read.choice("status", (item.value for item in MemberStatus))
    gender = read.choice("gender", (item.value for item in Gender))
    page = paginate(member_services.members_query(cooperative, search=search, status=status, gender=gender))
    capabilities = capabilities_of(current_user, cooperative)
    return render_template(
        "cooperatives/members.html", cooperative=cooperative, page=page, search=search, status=status,
        gender=gender, status_labels=MemberStatus.labels(), capabilities=capabilities,
        show_national_id=Capability.VIEW_NATIONAL_IDS in capabilities, mask=mask_national_id,
    )


@bp.route("/manage/<slug>/members/new", methods=["GET", "POST"])
@login_required
def new_member(slug):
    cooperative = cooperative_for(slug, Capability.MANAGE_MEMBERS)
    form = MemberForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                member = member_services.add_member(current_user, cooperative, form.details())
        except InvalidMemberDetails as error:
            attach_field_errors(form, error)
        else:
            flash(_("%(name)s has been added as member %(number)s.", name=member.full_name,
                    number=member.member_number), "success")
            return redirect(url_for("cooperatives.members", slug=cooperative.slug))
    return render_form("cooperatives/member_form.html", form, cooperative=cooperative, member=None)


@bp.route("/manage/<slug>/members/<int:member_id>", methods=["GET", "POST"])
@login_required
def member(slug, member_id):
    cooperative = cooperative_for(slug, Capability.VIEW_MEMBERS)
    member = member_services.member_of(current_user, cooperative, member_id)
    capabilities = capabilities_of(current_user, cooperative)
    if Capability.MANAGE_MEMBERS not in capabilities:
        return render_template("cooperatives/member_detail.html", cooperative=cooperative, member=member,
                               show_national_id=Capability.VIEW_NATIONAL_IDS in capabilities,
                               show_account_number=Capability.VIEW_ACCOUNT_NUMBERS in capabilities,
                               mask_account=mask_account_number, mask=mask_national_id,
                               consents=member_services.consent_history(member))
    form = MemberForm(obj=MemberDetails.of(member))
    if form.validate_on_submit():
        try:
            with unit_of_work():
                member_services.update_member(current_user, member, form.details())
        except InvalidMemberDetails as error:
            attach_field_errors(form, error)
        else:
            flash(_("The member's data has been saved."), "success")
            return redirect(url_for("cooperatives.members", slug=cooperative.slug))
    invitations = [invitation for invitation in
                   staff_services.open_invitations(cooperative, InvitationPurpose.MEMBER)
                   if invitation.member_id == member.id]
    return render_form("cooperatives/member_form.html", form, cooperative=cooperative, member=member,
                       account_form=MemberAccountInvitationForm(), invitations=invitations,
                       confirm_form=ConfirmForm(), consents=member_services.consent_history(member))


@bp.route("/manage/<slug>/members/<int:member_id>/account", methods=["POST"])
@login_required
def invite_member_account(slug, member_id):
    cooperative = cooperative_for(slug, Capability.MANAGE_MEMBERS)
    member = member_services.member_of(current_user, cooperative, member_id)
    form = MemberAccountInvitationForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                staff_services.invite_member_account(
                    current_user, member, email=form.email.data, locale=current_user.preferred_locale,
                    accept_url_for=lambda token: url_for("cooperatives.invitation", token=token, _external=True))
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("The invitation has been sent to %(email)s.", email=form.email.data), "success")
    else:
        flash(errors_text(form.email) or _("Enter an email address."), "error")
    return redirect(url_for("cooperatives.member", slug=cooperative.slug, member_id=member.id))


@bp.route("/manage/<slug>/members/export.csv")
@login_required
def export_members(slug):
    cooperative = cooperative_for(slug, Capability.VIEW_MEMBERS)
    rows = member_csv.export_member_rows(current_user, cooperative)
    return Response(stream_with_context(rows), mimetype="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="anggota-{cooperative.slug}.csv"',
        "Cache-Control": "no-store",
    })


@bp.route("/manage/<slug>/members/import-template.csv")
@login_required
def member_import_template(slug):
    cooperative_for(slug, Capability.MANAGE_MEMBERS)
    return Response(member_csv.import_template(), mimetype="text/csv; charset=utf-8", headers={
        "Content-Disposition": 'attachment; filename="contoh-impor-anggota.csv"'})


@bp.route("/manage/<slug>/members/import", methods=["GET", "POST"])
@limit_uploads
@login_required
def import_members(slug):
    """Step 1: upload and see every row checked. Step 2 (import_members_confirm) writes them all."""
    cooperative = cooperative_for(slug, Capability.MANAGE_MEMBERS)
    form = MemberImportForm()
    preview = None
    if form.validate_on_submit():
        text = decode_upload(form.file.data.read())
        if text is None:
            form.file.errors = [_("The file is not readable text. Save it as CSV (UTF-8) and try again.")]
        else:
            preview = member_csv.preview_member_import(current_user, cooperative, text)
            return render_template("cooperatives/member_import.html", form=form, cooperative=cooperative,
                                   preview=preview, confirm_form=MemberImportConfirmForm(content=text),
                                   mask=mask_national_id), 200 if preview.is_valid else 422
    return render_form("cooperatives/member_import.html", form, cooperative=cooperative, preview=None)


@bp.route("/manage/<slug>/members/import/confirm", methods=["POST"])
@login_required
def import_members_confirm(slug):
    cooperative = cooperative_for(slug, Capability.MANAGE_MEMBERS)
    form = MemberImportConfirmForm()
    if not form.validate_on_submit():
        flash(_("The file to import is missing. Upload it again."), "error")
        return redirect(url_for("cooperatives.import_members", slug=cooperative.slug))
    try:
        with unit_of_work():
            count = member_csv.import_members(current_user, cooperative, form.content.data)
    except member_csv.MemberImportRefused as error:
        flash(error.message, "error")
        return render_template("cooperatives/member_import.html", form=MemberImportForm(), cooperative=cooperative,
                               preview=error.preview, confirm_form=form, mask=mask_national_id), 422
    flash(_("%(count)d members have been imported.", count=count), "success")
    return redirect(url_for("cooperatives.members", slug=cooperative.slug))
