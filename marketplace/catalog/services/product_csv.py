"""Products as CSV: export streamed; import creates or updates by SKU, all rows or none, with a report."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from marketplace.accounts.models import User
from marketplace.catalog.models import (
    Availability,
    CatalogAudit,
    Category,
    CertificationKind,
    Product,
    ProductStatus,
    Unit,
)
from marketplace.catalog.services.products import (
    InvalidProductDetails,
    ProductDetails,
    change_product_status,
    create_product,
    product_problems,
    update_product,
)
from marketplace.cooperatives.models import Cooperative
from marketplace.cooperatives.permissions import Capability, require_capability
from marketplace.core.audit import record_audit
from marketplace.core.csv_files import BYTE_ORDER_MARK, ImportPreview, csv_line, read_table
from marketplace.core.errors import DomainError
from marketplace.core.i18n import gettext as _
from marketplace.core.money import format_percent, parse_percent
from marketplace.core.unit_of_work import refused_by_database
from marketplace.extensions import db

MAX_IMPORT_ROWS = 5000
COLUMNS = ["sku", "nama", "kategori", "satuan", "harga", "minimal_order", "harga_grosir", "status", "ketersediaan",
           "lama_produksi_hari", "kapasitas_per_minggu", "berat_gram", "produk_dalam_negeri", "tkdn_persen",
           "tkdn_nomor", "halal_nomor", "halal_berlaku_sampai", "pirt_nomor", "bpom_md_nomor", "sni_nomor",
           "deskripsi"]
REQUIRED = ("sku", "nama", "kategori", "satuan", "harga")
_YES = {"ya", "y", "yes", "1", "true"}
_NO = {"tidak", "t", "no", "0", "false", ""}
_AVAILABILITY = {"stok": Availability.READY_STOCK, "ready_stock": Availability.READY_STOCK,
                 "pesanan": Availability.MADE_TO_ORDER, "made_to_order": Availability.MADE_TO_ORDER}
_AVAILABILITY_WORD = {Availability.READY_STOCK: "stok", Availability.MADE_TO_ORDER: "pesanan"}


class ProductImportRefused(DomainError):
    def __init__(self, message: str, preview: "ImportPreview"):
        super().__init__(message)
        self.preview = preview


@dataclass
class ProductImportRow:
    line: int
    values: dict[str, str]
    details: ProductDetails | None = None
    status: ProductStatus | None = None
    existing: Product | None = None
    errors: list[str] = field(default_factory=list)


def _whole_number(text: str) -> int:
    cleaned = text.replace(".", "").replace(" ", "").removeprefix("Rp").removeprefix("rp")
    if not cleaned.isdigit():
        raise ValueError(text)
    return int(cleaned)


def _tiers(text: str) -> list[tuple[int, int]]:
    """`12:45000; 50:40000` → [(12, 45000), (50, 40000)]."""
    tiers = []
    for part in filter(None, (piece.strip() for piece in text.split(";"))):
        quantity, _sep, price = part.partition(":")
        tiers.append((_whole_number(quantity), _whole_number(price)))
    return tiers


def _parse(values: dict[str, str], categories: dict[str, int]) -> tuple[ProductDetails | None, ProductStatus | None,
                                                                        list[str]]:
    errors: list[str] = []
    get = lambda column: (values.get(column) or "").strip()  # noqa: E731

    def parse(column, parser, message, default=None):
        text = get(column)
        if not text:
            return default
        try:
            return parser(text)
        except (ValueError, KeyError):
            errors.append(message)
            return default

    for column in REQUIRED:
        if not get(column):
            errors.append(_("The column %(column)s is empty.", column=column))
    category_id = parse("kategori", lambda text: categories[text.lower()],
                        _("kategori must be a category code from the list (for example: batik)."))
    unit = parse("satuan", lambda text: Unit(text.lower()), _("satuan must be one of: %(units)s.",
                                                              units=", ".join(unit.value for unit in Unit)))
    price = parse("harga", _whole_number, _("harga must be a whole number of rupiah, like 125000."))
    moq = parse("minimal_order", _whole_number, _("minimal_order must be a whole number."), 1)
    tiers = parse("harga_grosir", _tiers, _("harga_grosir must look like 12:45000; 50:40000."), [])
    status = parse("status", lambda text: ProductStatus(text.lower()),
                   _("status must be draft, active or archived."), ProductStatus.DRAFT)
    availability = parse("ketersediaan", lambda text: _AVAILABILITY[text.lower()],
                         _("ketersediaan must be stok or pesanan."), Availability.READY_STOCK)
    lead_time = parse("lama_produksi_hari", _whole_number, _("lama_produksi_hari must be a whole number."))
    capacity = parse("kapasitas_per_minggu", _whole_number, _("kapasitas_per_minggu must be a whole number."))
    weight = parse("berat_gram", _whole_number, _("berat_gram must be a whole number."))
    tkdn = parse("tkdn_persen", parse_percent, _("tkdn_persen must be a percentage between 0 and 100, like 43,56."))
    halal_expiry = parse("halal_berlaku_sampai", date.fromisoformat,
                         _("halal_berlaku_sampai must be a date like 2027-12-31."))
    local_text = get("produk_dalam_negeri").lower()
    if local_text not in _YES | _NO:
        errors.append(_("produk_dalam_negeri must be ya or tidak."))
    if len(get("nama")) > 160 or len(get("sku")) > 40 or len(get("deskripsi")) > 5000:
        errors.append(_("nama has at most 160 characters, sku 40 and deskripsi 5000."))
    if errors:
        return None, None, errors
    certifications = {kind: (get(column), halal_expiry if kind == CertificationKind.HALAL else None)
                      for kind, column in ((CertificationKind.HALAL, "halal_nomor"),
                                           (CertificationKind.PIRT, "pirt_nomor"),
                                           (CertificationKind.BPOM_MD, "bpom_md_nomor"),
                                           (CertificationKind.SNI, "sni_nomor")) if get(column)}
    details = ProductDetails(
        name=get("nama"), category_id=category_id, unit=unit, base_price=price, sku=get("sku"),
        availability=availability, min_order_quantity=moq, description=get("deskripsi"), weight_grams=weight,
        lead_time_days=lead_time, weekly_capacity=capacity, local_content=local_text in _YES, tiers=tiers,
        tkdn_basis_points=tkdn, tkdn_certificate_number=get("tkdn_nomor") or None, certifications=certifications)
    return details, status, []


def preview_product_import(actor: User, cooperative: Cooperative, text: str) -> ImportPreview:
    require_capability(actor, cooperative, Capability.MANAGE_CATALOG)
    records, file_errors = read_table(
        text, known=COLUMNS, required=REQUIRED, max_rows=MAX_IMPORT_ROWS,
        too_many=_("A file may hold at most %(count)d products. Split it into several files.", count=MAX_IMPORT_ROWS))
    preview = ImportPreview(rows=[], file_errors=file_errors)
    categories = dict(db.session.execute(
        sa.select(sa.func.lower(Category.slug), Category.id).where(Category.is_active.is_(True))).all())
    existing = {product.sku: product for product in db.session.scalars(
        sa.select(Product).where(Product.cooperative_id == cooperative.id,
                                 Product.sku.in_([record.get("sku", "").strip() for record in records])))}
    seen: dict[str, int] = {}
    for line, values in enumerate(records, start=2):
        details, status, errors = _parse(values, categories)
        row = ProductImportRow(line=line, values=values, details=details, status=status, errors=errors)
        if details is not None:
            row.existing = existing.get(details.sku)
            row.errors.extend(product_problems(cooperative, details, row.existing).values())
            if details.sku in seen:
                row.errors.append(_("Same %(column)s as line %(line)d.", column="sku", line=seen[details.sku]))
            seen.setdefault(details.sku, line)
        preview.rows.append(row)
    if not records and not file_errors:
        preview.file_errors.append(_("The file has no product rows."))
    return preview


def import_products(actor: User, cooperative: Cooperative, text: str) -> tuple[int, int]:
    """Create new SKUs and update existing ones; returns (created, updated). Nothing is written on any error."""
    preview = preview_product_import(actor, cooperative, text)
    if not preview.is_valid:
        raise ProductImportRefused(_("Nothing was imported: %(count)d problems must be fixed first.",
                                     count=preview.error_count), preview)
    def changed_meanwhile() -> ProductImportRefused:
        return ProductImportRefused(_("Nothing was imported: the catalog changed meanwhile. Check the file again."),
                                    preview_product_import(actor, cooperative, text))

    created = updated = 0
    try:
        with refused_by_database(changed_meanwhile):
            for row in preview.rows:
                if row.existing is None:
                    product = create_product(actor, cooperative, row.details)
                    created += 1
                else:
                    product = row.existing
                    if update_product(actor, product, row.details) or product.status != row.status:
                        updated += 1
                if product.status != row.status:
                    change_product_status(actor, product, row.status)
    except InvalidProductDetails:
        raise changed_meanwhile() from None
    record_audit(CatalogAudit.PRODUCTS_IMPORTED, actor=actor, target=cooperative, created=created, updated=updated)
    return created, updated


def _row_of(product: Product) -> list:
    certifications = {certification.kind: certification for certification in product.certifications}
    halal = certifications.get(CertificationKind.HALAL)
    return [
        product.sku, product.name, product.category.slug, product.unit.value, product.base_price,
        product.min_order_quantity, "; ".join(f"{t.min_quantity}:{t.unit_price}" for t in product.tiers),
        product.status.value, _AVAILABILITY_WORD[product.availability], product.lead_time_days or "",
        product.weekly_capacity or "", product.weight_grams or "", "ya" if product.local_content else "tidak",
        format_percent(product.tkdn_basis_points).rstrip("%") if product.tkdn_basis_points is not None else "",
        product.tkdn_certificate_number or "",
        halal.number if halal else "", halal.expires_on.isoformat() if halal and halal.expires_on else "",
        *(certifications[kind].number if kind in certifications else ""
          for kind in (CertificationKind.PIRT, CertificationKind.BPOM_MD, CertificationKind.SNI)),
        product.description,
    ]


def export_product_rows(actor: User, cooperative: Cooperative, batch_size: int = 500) -> Iterator[str]:
    """The catalog as CSV lines, batch by batch, in the import's own format."""
    require_capability(actor, cooperative, Capability.VIEW_CATALOG)
    yield BYTE_ORDER_MARK + csv_line(COLUMNS)
    last_id = 0
    while True:
        batch = list(db.session.scalars(sa.select(Product).where(Product.cooperative_id == cooperative.id,
                                                                 Product.id > last_id)
                                        .order_by(Product.id).limit(batch_size)))
        if not batch:
            return
        for product in batch:
            yield csv_line(_row_of(product))
        last_id = batch[-1].id
        for product in batch:
            db.session.expunge(product)


def import_template() -> str:
    example = ["TSJ-ANY-01", "Keranjang anyaman bambu", "anyaman", "pcs", "85000", "1", "12:78000; 50:70000",
               "active", "stok", "", "", "450", "ya", "", "", "", "", "", "", "",
               "Keranjang serbaguna dari bambu apus."]
    return BYTE_ORDER_MARK + csv_line(COLUMNS) + csv_line(example)

