from flask import Response, flash, redirect, render_template, request, stream_with_context, url_for
from flask_login import current_user, login_required

from marketplace.catalog.services.categories import category_tree
from marketplace.cooperatives.services.profile import badges_of
from marketplace.core.cache import cached_public_page
from marketplace.core.errors import DomainError
from marketplace.core.i18n import gettext as _
from marketplace.core.query_args import QueryArgs
from marketplace.core.text import slugify
from marketplace.core.unit_of_work import unit_of_work
from marketplace.core.validators import is_safe_redirect_target
from marketplace.core.views import errors_text, flash_refusal, render_form
from marketplace.search.services.offers import certificate_names as index_certificate_names
from marketplace.sourcing import bp
from marketplace.sourcing.forms import AddToShortlistForm, ItemForm, ShortlistForm
from marketplace.sourcing.services import exports, shortlists
from marketplace.sourcing.services.suppliers import SupplierFilters, suppliers_page


@bp.route("/suppliers")
@cached_public_page
def suppliers():
    filters = SupplierFilters.from_args(request.args)
    page = suppliers_page(filters)
    categories = category_tree()
    names = {node.category.id: node.category.name for node in categories}
    certificate_names = index_certificate_names()
    return render_template(
        "sourcing/suppliers.html", page=page, filters=filters, categories=categories,
        goods={cooperative.id: ", ".join(sorted(names[c] for c in offer.categories if c in names))
               for cooperative, offer in page.items},
        certificates_held={cooperative.id: ", ".join(certificate_names[kind] for kind in offer.certificates)
                           for cooperative, offer in page.items},
        badges={cooperative.id: badges_of(cooperative) for cooperative, _offer in page.items},
        certificate_names=certificate_names,
        my_shortlists=shortlists.shortlists_of(current_user) if current_user.is_authenticated else [],
    )


def _shortlist(shortlist_id: int):
    return shortlists.shortlist_of(current_user, shortlist_id)


@bp.route("/shortlists", methods=["GET", "POST"])
@login_required
def my_shortlists():
    form = ShortlistForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                shortlist = shortlists.create_shortlist(current_user, form.name.data)
        except DomainError as error:
            form.name.errors = [error.message]
        else:
            return redirect(url_for("sourcing.shortlist", shortlist_id=shortlist.id))
    return render_form("sourcing/shortlists.html", form, shortlists=shortlists.shortlists_of(current_user))


@bp.route("/shortlists/add", methods=["POST"])
@login_required
def add_to_shortlist():
    form = AddToShortlistForm()
    back = request.form.get("next")
    back = back if is_safe_redirect_target(back) else url_for("sourcing.my_shortlists")
    if not form.validate_on_submit():
        flash(_("Choose a shortlist."), "error")
        return redirect(back)
    try:
        with unit_of_work():  # a new shortlist is kept only if the item goes onto it
            if form.shortlist_id.data and form.shortlist_id.data.isdigit():
                shortlist = shortlists.shortlist_of(current_user, int(form.shortlist_id.data))
            else:
                shortlist = shortlists.create_shortlist(current_user, form.new_name.data or _("My shortlist"))
            shortlists.add_to_shortlist(
                current_user, shortlist,
                product_id=int(form.product_id.data) if (form.product_id.data or "").isdigit() else None,
                cooperative_id=int(form.cooperative_id.data) if (form.cooperative_id.data or "").isdigit() else None)
    except DomainError as error:
        flash_refusal(error)
    else:
        flash(_("Added to “%(name)s”.", name=shortlist.name), "success")
    return redirect(back)


@bp.route("/shortlists/<int:shortlist_id>")
@login_required
def shortlist(shortlist_id):
    shortlist = _shortlist(shortlist_id)
    return render_template("sourcing/shortlist.html", shortlist=shortlist, item_form=ItemForm(),
                           max_compared=shortlists.MAX_COMPARED)


@bp.route("/shortlists/<int:shortlist_id>/items/<int:item_id>", methods=["POST"])
@login_required
def update_item(shortlist_id, item_id):
    shortlist = _shortlist(shortlist_id)
    form = ItemForm()
    if request.form.get("action") != "remove" and not form.validate_on_submit():
        flash(errors_text(form.wanted_quantity, form.note), "error")
        return redirect(url_for("sourcing.shortlist", shortlist_id=shortlist.id))
    try:
        with unit_of_work():
            if request.form.get("action") == "remove":
                shortlists.remove_item(current_user, shortlist, item_id)
            else:
                shortlists.update_item(current_user, shortlist, item_id, note=form.note.data or "",
                                       wanted_quantity=form.wanted_quantity.data)
    except DomainError as error:
        flash_refusal(error)
    else:
        flash(_("The shortlist has been saved."), "success")
    return redirect(url_for("sourcing.shortlist", shortlist_id=shortlist.id))


@bp.route("/shortlists/<int:shortlist_id>/delete", methods=["POST"])
@login_required
def delete_shortlist(shortlist_id):
    with unit_of_work():
        shortlists.delete_shortlist(current_user, _shortlist(shortlist_id))
    flash(_("The shortlist has been deleted."), "success")
    return redirect(url_for("sourcing.my_shortlists"))


@bp.route("/shortlists/<int:shortlist_id>/compare")
@login_required
def compare(shortlist_id):
    shortlist = _shortlist(shortlist_id)
    wanted = QueryArgs(request.args).numbers("item", maximum=2**62)
    wanted = wanted or [item.id for item in shortlist.items]
    if len(wanted) > shortlists.MAX_COMPARED:
        flash(_("At most %(count)d items are compared at once; the first ones are shown.",
                count=shortlists.MAX_COMPARED), "info")
    return render_template("sourcing/compare.html", shortlist=shortlist,
                           offers=shortlists.compare(shortlist, wanted))


def _filename(shortlist, extension: str) -> str:
    return f"daftar-pilihan-{slugify(shortlist.name, max_length=50)}.{extension}"


@bp.route("/shortlists/<int:shortlist_id>/export.csv")
@login_required
def export_csv(shortlist_id):
    shortlist = _shortlist(shortlist_id)
    return Response(stream_with_context(exports.shortlist_csv_lines(shortlist)), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{_filename(shortlist, "csv")}"',
                             "Cache-Control": "no-store"})


@bp.route("/shortlists/<int:shortlist_id>/export.pdf")
@login_required
def export_pdf(shortlist_id):
    shortlist = _shortlist(shortlist_id)
    return Response(exports.shortlist_pdf(shortlist, current_user.name), mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{_filename(shortlist, "pdf")}"',
                             "Cache-Control": "no-store"})
