from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from marketplace.cooperatives import bp
from marketplace.cooperatives.forms import ConfirmForm
from marketplace.cooperatives.models import InvitationPurpose
from marketplace.cooperatives.services import members as member_services
from marketplace.cooperatives.services import staff as staff_services
from marketplace.core.errors import DomainError
from marketplace.core.i18n import gettext as _
from marketplace.core.unit_of_work import unit_of_work


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def invitation(token):
    """Anyone may open the link; accepting needs an account with the invited email address."""
    try:
        invitation = staff_services.invitation_for_token(token)
    except DomainError as error:
        return render_template("cooperatives/invitation.html", error=error.message, invitation=None), 410
    form = ConfirmForm()
    if current_user.is_authenticated and form.validate_on_submit():
        try:
            with unit_of_work():
                staff_services.accept_invitation(current_user, token)
        except DomainError as error:
            flash(error.message, "error")
        else:
            if invitation.purpose == InvitationPurpose.STAFF:
                flash(_("Welcome to %(name)s.", name=invitation.cooperative.name), "success")
                return redirect(url_for("cooperatives.dashboard", slug=invitation.cooperative.slug))
            flash(_("Your account is now linked to your member record."), "success")
            return redirect(url_for("cooperatives.my_memberships"))
    return render_template("cooperatives/invitation.html", invitation=invitation, form=form, error=None)


@bp.route("/my/memberships")
@login_required
def my_memberships():
    """What a member producer sees of themself: their own records only."""
    return render_template("cooperatives/my_memberships.html",
                           members=member_services.members_of_user(current_user))
