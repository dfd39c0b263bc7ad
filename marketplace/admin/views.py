from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from marketplace.accounts.permissions import admin_required
from marketplace.admin import bp, services
from marketplace.catalog.forms import CategoryForm
from marketplace.catalog.services.categories import category_by_id, category_tree, save_category
from marketplace.cooperatives.forms import StatusChangeForm
from marketplace.cooperatives.models import CooperativeStatus
from marketplace.cooperatives.services import profile as profile_services
from marketplace.cooperatives.services.rat import dormant_cooperatives_query, rat_standing
from marketplace.cooperatives.services.staff import staff_of
from marketplace.core.audit import audit_action_choices
from marketplace.core.errors import DomainError
from marketplace.core.i18n import gettext as _
from marketplace.core.identifiers import format_npwp
from marketplace.core.mail import waiting_mail_summary
from marketplace.core.pagination import paginate
from marketplace.core.query_args import QueryArgs
from marketplace.core.unit_of_work import unit_of_work
from marketplace.core.views import render_form


@bp.route("/cooperatives")
@admin_required
def cooperatives():
    # The queue opens on the cooperatives waiting; `?status=` (empty) lists all of them.
    status = QueryArgs(request.args).choice("status", ["", *(item.value for item in CooperativeStatus)],
                                            default=CooperativeStatus.PENDING.value)
    page = paginate(services.verification_queue_query(status or None))
    return render_template("admin/cooperatives.html", page=page, status=status, counts=services.status_counts(),
                           status_labels=CooperativeStatus.labels())


@bp.route("/cooperatives/<int:cooperative_id>")
@admin_required
def cooperative(cooperative_id):
    cooperative = services.cooperative_for_review(cooperative_id)
    return render_template(
        "admin/cooperative.html", cooperative=cooperative, badges=profile_services.badges_of(cooperative),
        documents=profile_services.documents_of(cooperative), staff=staff_of(cooperative),
        trail=services.audit_trail_of(cooperative), form=StatusChangeForm(), format_npwp=format_npwp,
        transitions=sorted(profile_services.STATUS_TRANSITIONS[cooperative.status]),
    )


@bp.route("/cooperatives/<int:cooperative_id>/status", methods=["POST"])
@admin_required
def change_status(cooperative_id):
    cooperative = services.cooperative_for_review(cooperative_id)
    form = StatusChangeForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                profile_services.change_status(current_user, cooperative, CooperativeStatus(form.status.data),
                                               form.reason.data)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("%(name)s is now: %(status)s.", name=cooperative.name, status=cooperative.status.label),
                  "success")
    else:
        flash(_("Choose an action."), "error")
    return redirect(url_for("admin.cooperative", cooperative_id=cooperative.id))


@bp.route("/audit")
@admin_required
def audit_log():
    action = QueryArgs(request.args).text("action", max_length=64) or None
    page = paginate(services.audit_log_query(action), per_page=50)
    return render_template("admin/audit_log.html", page=page, action=action,
                           actions=audit_action_choices())


def _category_form(**kwargs) -> CategoryForm:
    parents = [SelectChoice(node.category.id, node.category.name) for node in category_tree(include_inactive=True)]
    return CategoryForm(parent_choices=parents, **kwargs)


@bp.route("/categories", methods=["GET", "POST"])
@admin_required
def categories():
    form = _category_form()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                save_category(current_user, category_id=None, name_id=form.name_id.data, name_en=form.name_en.data,
                              parent_id=form.parent_id.data, position=form.position.data or 0,
                              is_active=form.is_active.data)
        except DomainError as error:
            form.name_id.errors = [error.message]
        else:
            flash(_("The category has been saved."), "success")
            return redirect(url_for("admin.categories"))
    return render_form("admin/categories.html", form, tree=category_tree(include_inactive=True))


@bp.route("/categories/<int:category_id>", methods=["GET", "POST"])
@admin_required
def edit_category(category_id):
    category = category_by_id(category_id)
    form = _category_form(obj=category)
    if form.validate_on_submit():
        try:
            with unit_of_work():
                save_category(current_user, category_id=category.id, name_id=form.name_id.data,
                              name_en=form.name_en.data, parent_id=form.parent_id.data,
                              position=form.position.data or 0, is_active=form.is_active.data)
        except DomainError as error:
            form.name_id.errors = [error.message]
        else:
            flash(_("The category has been saved."), "success")
            return redirect(url_for("admin.categories"))
    return render_form("admin/category.html", form, category=category)


@bp.route("/dormant")
@admin_required
def dormant():
    """Cooperatives with no RAT for three book years in a row, with the book years missed."""
    page = paginate(dormant_cooperatives_query(), per_page=50)
    return render_template("admin/dormant.html", page=page,
                           standings={cooperative.id: rat_standing(cooperative) for cooperative in page.items})


@bp.route("/mail")
@admin_required
def outgoing_mail():
    """The mail outbox: what waits for delivery and why the mail server refused it."""
    waiting, failing = waiting_mail_summary()
    return render_template("admin/mail.html", page=paginate(services.waiting_mail_query(), per_page=50),
                           waiting=waiting, failing=failing)
