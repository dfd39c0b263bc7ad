"""The staff's catalog pages: products, prices, stock lots, photos, CSV import and export."""

from flask import Response, abort, flash, redirect, render_template, request, stream_with_context, url_for
from flask_login import current_user, login_required
from wtforms import SelectChoice

from marketplace.catalog import bp
from marketplace.catalog.forms import (
    AdjustStockForm,
    AltTextForm,
    ProductForm,
    ProductImageForm,
    ProductImportConfirmForm,
    ProductImportForm,
    ProductStatusForm,
    ReceiveStockForm,
)
from marketplace.catalog.models import AdjustmentReason, ProductStatus
from marketplace.catalog.services import images as image_services
from marketplace.catalog.services import product_csv
from marketplace.catalog.services import products as product_services
from marketplace.catalog.services import stock as stock_services
from marketplace.catalog.services.categories import category_tree
from marketplace.catalog.services.products import InvalidProductDetails, ProductDetails
from marketplace.cooperatives.permissions import Capability
from marketplace.cooperatives.services.members import member_register
from marketplace.cooperatives.views.access import cooperative_for
from marketplace.core.csv_files import decode_upload
from marketplace.core.errors import DomainError
from marketplace.core.i18n import gettext as _
from marketplace.core.pagination import paginate
from marketplace.core.query_args import QueryArgs
from marketplace.core.unit_of_work import unit_of_work
from marketplace.core.views import attach_field_errors, errors_text, flash_refusal, render_form
from marketplace.extensions import limit_uploads


def _product(slug: str, product_id: int):
    """Read access is enough to open a product (supervisors read); every change is checked by its service."""
    cooperative = cooperative_for(slug, Capability.VIEW_CATALOG)
    return cooperative, product_services.product_of(current_user, cooperative, product_id)


def _category_choices():
    return [SelectChoice(child.id, child.name, optgroup=node.category.name)
            for node in category_tree() for child in (node.children or [node.category])]


def _member_choices(cooperative, *, active_only: bool):
    return [SelectChoice(member.id, f"{member.full_name} ({member.member_number})")
            for member in member_register(current_user, cooperative, active_only=active_only)]


def _product_form(cooperative, **kwargs) -> ProductForm:
    return ProductForm(category_choices=_category_choices(),
                       member_choices=_member_choices(cooperative, active_only=False), **kwargs)


@bp.route("/manage/<slug>/products")
@login_required
def products(slug):
    cooperative = cooperative_for(slug, Capability.VIEW_CATALOG)
    read = QueryArgs(request.args)
    search, low_stock = read.text("q"), read.flag("low")
    status = read.choice("status", (item.value for item in ProductStatus))
    category = read.number("category", maximum=10**9)
    page = paginate(product_services.staff_products_query(
        cooperative, search=search, status=status, category_id=category, low_stock=low_stock))
    return render_template("catalog/manage_products.html", cooperative=cooperative, page=page, search=search,
                           status=status, category=category, low_stock=low_stock, categories=category_tree(),
                           statuses=list(ProductStatus))


@bp.route("/manage/<slug>/products/new", methods=["GET", "POST"])
@login_required
def new_product(slug):
    cooperative = cooperative_for(slug, Capability.MANAGE_CATALOG)
    form = _product_form(cooperative)
    if form.validate_on_submit():
        try:
            with unit_of_work():
                product = product_services.create_product(current_user, cooperative, form.details())
        except InvalidProductDetails as error:
            attach_field_errors(form, error)
        else:
            flash(_("%(name)s is saved as a draft. Add photos and stock, then make it active.", name=product.name),
                  "success")
            return redirect(url_for("catalog.edit_product", slug=slug, product_id=product.id))
    return render_form("catalog/product_form.html", form, cooperative=cooperative, product=None)


@bp.route("/manage/<slug>/products/<int:product_id>", methods=["GET", "POST"])
@login_required
def edit_product(slug, product_id):
    cooperative, product = _product(slug, product_id)
    form = _product_form(cooperative)
    if request.method == "GET":
        form.fill_from(ProductDetails.of(product))
    if form.validate_on_submit():
        try:
            with unit_of_work():
                changed = product_services.update_product(current_user, product, form.details())
        except InvalidProductDetails as error:
            attach_field_errors(form, error)
        else:
            flash(_("The product has been saved.") if changed else _("Nothing was changed."), "success")
            return redirect(url_for("catalog.edit_product", slug=slug, product_id=product.id))
    return render_form("catalog/product_form.html", form, cooperative=cooperative, product=product,
                       history=product_services.price_history(product), status_form=ProductStatusForm(),
                       transitions=sorted(product_services.STATUS_TRANSITIONS[product.status]))


@bp.route("/manage/<slug>/products/<int:product_id>/status", methods=["POST"])
@login_required
def change_product_status(slug, product_id):
    _cooperative, product = _product(slug, product_id)
    form = ProductStatusForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                product_services.change_product_status(current_user, product, ProductStatus(form.status.data))
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("%(name)s is now: %(status)s.", name=product.name, status=product.status.label), "success")
    else:
        flash(_("Choose an action."), "error")
    return redirect(url_for("catalog.edit_product", slug=slug, product_id=product.id))


@bp.route("/manage/<slug>/products/<int:product_id>/duplicate", methods=["POST"])
@login_required
def duplicate_product(slug, product_id):
    _cooperative, product = _product(slug, product_id)  # CSRFProtect has checked the token of every POST
    with unit_of_work():
        copy = product_services.duplicate_product(current_user, product)
    flash(_("A copy has been made. Change what differs, then save."), "success")
    return redirect(url_for("catalog.edit_product", slug=slug, product_id=copy.id))


@bp.route("/manage/<slug>/products/<int:product_id>/delete", methods=["POST"])
@login_required
def delete_product(slug, product_id):
    _cooperative, product = _product(slug, product_id)
    name = product.name
    try:
        with unit_of_work():
            product_services.delete_product(current_user, product)
    except DomainError as error:
        flash_refusal(error)
        return redirect(url_for("catalog.edit_product", slug=slug, product_id=product_id))
    flash(_("%(name)s has been deleted.", name=name), "success")
    return redirect(url_for("catalog.products", slug=slug))


@bp.route("/manage/<slug>/products/<int:product_id>/stock")
@login_required
def stock(slug, product_id):
    cooperative, product = _product(slug, product_id)
    return _render_stock(cooperative, product, ReceiveStockForm(
        member_choices=_member_choices(cooperative, active_only=True)))


def _render_stock(cooperative, product, receive_form, status=200):
    return render_template(
        "catalog/stock.html", cooperative=cooperative, product=product, receive_form=receive_form,
        adjust_form=AdjustStockForm(), lots=stock_services.lots_of(product),
        by_member=stock_services.stock_by_member(product)), status


@bp.route("/manage/<slug>/products/<int:product_id>/stock/receive", methods=["POST"])
@login_required
def receive_stock(slug, product_id):
    cooperative, product = _product(slug, product_id)
    form = ReceiveStockForm(member_choices=_member_choices(cooperative, active_only=True))
    if form.validate_on_submit():
        try:
            with unit_of_work():
                stock_services.receive_stock(current_user, product, member_id=form.member_id.data,
                                             quantity=form.quantity.data, received_on=form.received_on.data,
                                             note=form.note.data)
        except DomainError as error:
            form.quantity.errors = [error.message]
        else:
            flash(_("%(count)d units received. Stock on hand: %(total)d.", count=form.quantity.data,
                    total=product.stock_on_hand), "success")
            return redirect(url_for("catalog.stock", slug=slug, product_id=product.id))
    return _render_stock(cooperative, product, form, 422)


@bp.route("/manage/<slug>/products/<int:product_id>/stock/adjust", methods=["POST"])
@login_required
def adjust_stock(slug, product_id):
    _cooperative, product = _product(slug, product_id)
    form = AdjustStockForm()
    if form.validate_on_submit() and form.lot_id.data.isdigit():
        try:
            with unit_of_work():
                stock_services.adjust_stock(current_user, product, lot_id=int(form.lot_id.data),
                                            quantity_change=form.quantity_change.data,
                                            reason=AdjustmentReason(form.reason.data), note=form.note.data)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("The lot has been corrected. Stock on hand: %(total)d.", total=product.stock_on_hand),
                  "success")
    else:
        flash(errors_text(form.quantity_change) or _("Enter how many units change, for example -2."), "error")
    return redirect(url_for("catalog.stock", slug=slug, product_id=product.id))


@bp.route("/manage/<slug>/products/<int:product_id>/photos", methods=["GET", "POST"])
@limit_uploads
@login_required
def photos(slug, product_id):
    cooperative, product = _product(slug, product_id)
    form = ProductImageForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                image_services.add_product_image(current_user, product, form.photo.data.read(), form.alt_text.data)
        except DomainError as error:
            form.photo.errors = [error.message]
        else:
            flash(_("The photo has been added."), "success")
            return redirect(url_for("catalog.photos", slug=slug, product_id=product.id))
    return render_form("catalog/photos.html", form, cooperative=cooperative, product=product,
                       alt_form=AltTextForm(), max_images=image_services.MAX_IMAGES)


@bp.route("/manage/<slug>/products/<int:product_id>/photos/<int:image_id>/<action>", methods=["POST"])
@login_required
def photo_action(slug, product_id, image_id, action):
    _cooperative, product = _product(slug, product_id)
    if action not in {"earlier", "later", "alt", "remove"}:
        abort(404)
    try:
        with unit_of_work():
            if action == "alt":
                image_services.update_alt_text(current_user, product, image_id, AltTextForm().alt_text.data or "")
            elif action == "remove":
                image_services.remove_product_image(current_user, product, image_id)
            else:
                image_services.move_product_image(current_user, product, image_id,
                                                  -1 if action == "earlier" else 1)
    except DomainError as error:
        flash_refusal(error)
    else:
        flash(_("The photos have been updated."), "success")
    return redirect(url_for("catalog.photos", slug=slug, product_id=product.id))


@bp.route("/manage/<slug>/products/export.csv")
@login_required
def export_products(slug):
    cooperative = cooperative_for(slug, Capability.VIEW_CATALOG)
    rows = product_csv.export_product_rows(current_user, cooperative)
    return Response(stream_with_context(rows), mimetype="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="produk-{cooperative.slug}.csv"', "Cache-Control": "no-store"})


@bp.route("/manage/<slug>/products/import-template.csv")
@login_required
def product_import_template(slug):
    cooperative_for(slug, Capability.MANAGE_CATALOG)
    return Response(product_csv.import_template(), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="contoh-impor-produk.csv"'})


@bp.route("/manage/<slug>/products/import", methods=["GET", "POST"])
@limit_uploads
@login_required
def import_products(slug):
    cooperative = cooperative_for(slug, Capability.MANAGE_CATALOG)
    form = ProductImportForm()
    if form.validate_on_submit():
        text = decode_upload(form.file.data.read())
        if text is None:
            form.file.errors = [_("The file is not readable text. Save it as CSV (UTF-8) and try again.")]
        else:
            preview = product_csv.preview_product_import(current_user, cooperative, text)
            return render_template("catalog/import.html", form=form, cooperative=cooperative, preview=preview,
                                   confirm_form=ProductImportConfirmForm(content=text)), (
                200 if preview.is_valid else 422)
    return render_form("catalog/import.html", form, cooperative=cooperative, preview=None)


@bp.route("/manage/<slug>/products/import/confirm", methods=["POST"])
@login_required
def import_products_confirm(slug):
    cooperative = cooperative_for(slug, Capability.MANAGE_CATALOG)
    form = ProductImportConfirmForm()
    if not form.validate_on_submit():
        flash(_("The file to import is missing. Upload it again."), "error")
        return redirect(url_for("catalog.import_products", slug=slug))
    try:
        with unit_of_work():
            created, updated = product_csv.import_products(current_user, cooperative, form.content.data)
    except product_csv.ProductImportRefused as error:
        flash(error.message, "error")
        return render_template("catalog/import.html", form=ProductImportForm(), cooperative=cooperative,
                               preview=error.preview, confirm_form=form), 422
    flash(_("%(created)d products created, %(updated)d updated.", created=created, updated=updated), "success")
    return redirect(url_for("catalog.products", slug=slug))
