"""Products: creating and keeping them, their price history, and their status."""

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import lazyload

from marketplace.accounts.models import User
from marketplace.catalog.models import (
    Availability,
    CatalogAudit,
    Category,
    CertificationKind,
    PriceChange,
    PriceTier,
    Product,
    ProductCertification,
    ProductStatus,
    StockLot,
    Unit,
)
from marketplace.catalog.services.images import product_photo_in_use
from marketplace.catalog.services.pricing import MAX_UNIT_PRICE, tier_pairs, tier_problems
from marketplace.cooperatives.models import Cooperative, Member
from marketplace.cooperatives.permissions import Capability, require_capability
from marketplace.core.audit import record_audit
from marketplace.core.errors import Conflict, InvalidDetails, NotFound, TransitionNotAllowed
from marketplace.core.i18n import gettext as _
from marketplace.core.images import discard_image_after_commit
from marketplace.core.text import unique_slug
from marketplace.core.unit_of_work import refused_by_database
from marketplace.extensions import db

MAX_QUANTITY = 1_000_000


class InvalidProductDetails(InvalidDetails):
    pass


@dataclass
class ProductDetails:
    name: str
    category_id: int
    unit: Unit
    base_price: int
    sku: str
    availability: Availability
    min_order_quantity: int = 1
    description: str = ""
    weight_grams: int | None = None
    lead_time_days: int | None = None
    weekly_capacity: int | None = None
    local_content: bool = False
    tkdn_basis_points: int | None = None
    tkdn_certificate_number: str | None = None
    tiers: list[tuple[int, int]] = field(default_factory=list)
    certifications: dict[CertificationKind, tuple[str, date | None]] = field(default_factory=dict)
    producer_ids: list[int] = field(default_factory=list)

    @classmethod
    def of(cls, product: Product) -> "ProductDetails":
        return cls(
            name=product.name, category_id=product.category_id, unit=product.unit, base_price=product.base_price,
            sku=product.sku, availability=product.availability, min_order_quantity=product.min_order_quantity,
            description=product.description, weight_grams=product.weight_grams,
            lead_time_days=product.lead_time_days, weekly_capacity=product.weekly_capacity,
            local_content=product.local_content, tkdn_basis_points=product.tkdn_basis_points,
            tkdn_certificate_number=product.tkdn_certificate_number,
            tiers=tier_pairs(product),
            certifications={cert.kind: (cert.number, cert.expires_on) for cert in product.certifications},
            producer_ids=[member.id for member in product.producers],
        )


def product_problems(cooperative: Cooperative, details: ProductDetails, product: Product | None = None) -> dict:
    problems: dict[str, str] = {}
    if not 0 < details.base_price <= MAX_UNIT_PRICE:
        problems["base_price"] = _("The price must be between Rp 1 and Rp 1.000.000.000.")
    if not 1 <= details.min_order_quantity <= MAX_QUANTITY:
        problems["min_order_quantity"] = _("The minimum order is at least 1.")
    if "base_price" not in problems:
        tier_errors = tier_problems(details.base_price, details.min_order_quantity, details.tiers)
        if tier_errors:
            problems["tiers"] = " ".join(dict.fromkeys(tier_errors))
    if details.availability == Availability.MADE_TO_ORDER:
        if not details.lead_time_days:
            problems["lead_time_days"] = _("A made-to-order product needs a lead time in days.")
        if not details.weekly_capacity:
            problems["weekly_capacity"] = _("A made-to-order product needs a production capacity per week.")
    category = db.session.get(Category, details.category_id)
    if category is None or not category.is_active:
        problems["category_id"] = _("Choose a category from the list.")
    if details.producer_ids:
        found = set(db.session.scalars(sa.select(Member.id).where(
            Member.id.in_(details.producer_ids), Member.cooperative_id == cooperative.id)))
        if found != set(details.producer_ids):
            problems["producer_ids"] = _("Producers must be members of this cooperative.")
    if details.tkdn_basis_points is not None and not details.tkdn_certificate_number:
        problems["tkdn_certificate_number"] = _("Enter the number of the TKDN certificate for this percentage.")
    elif details.tkdn_certificate_number and details.tkdn_basis_points is None:
        problems["tkdn_basis_points"] = _("Enter the TKDN percentage the certificate states.")
    if details.tkdn_basis_points is not None and not details.local_content:
        problems["local_content"] = _("A product with a TKDN certificate is a domestic product: tick the box.")
    for kind, (number, expires_on) in details.certifications.items():
        if expires_on and not number:
            problems[f"{kind.value}_number"] = _("Enter the certificate number for this expiry date.")
    query = sa.select(Product.id).where(Product.cooperative_id == cooperative.id, Product.sku == details.sku)
    if product is not None:
        query = query.where(Product.id != product.id)
    if db.session.scalar(query) is not None:
        problems["sku"] = _("Another product of this cooperative already uses this SKU.")
    return problems


def _apply(product: Product, details: ProductDetails) -> None:
    for name in ("name", "category_id", "unit", "base_price", "sku", "availability", "min_order_quantity",
                 "description", "weight_grams", "lead_time_days", "weekly_capacity", "local_content",
                 "tkdn_basis_points", "tkdn_certificate_number"):
        setattr(product, name, getattr(details, name))
    # Keep the rows of tiers that stay, so the flush never inserts a quantity before deleting its old row.
    existing_tiers = {tier.min_quantity: tier for tier in product.tiers}
    tiers = []
    for quantity, price in sorted(details.tiers):
        tier = existing_tiers.pop(quantity, None) or PriceTier(min_quantity=quantity)
        tier.unit_price = price
        tiers.append(tier)
    product.tiers = tiers
    existing = {certification.kind: certification for certification in product.certifications}
    kept = []
    for kind, (number, expires_on) in details.certifications.items():
        if not number:
            continue
        certification = existing.get(kind) or ProductCertification(kind=kind)
        certification.number, certification.expires_on = number, expires_on
        kept.append(certification)
    product.certifications = kept
    product.producers = list(db.session.scalars(sa.select(Member).where(Member.id.in_(details.producer_ids)))) \
        if details.producer_ids else []


def _tier_list(product: Product) -> list[list[int]]:
    return [[tier.min_quantity, tier.unit_price] for tier in product.tiers]


def _explaining_duplicates(details: ProductDetails, cooperative: Cooperative, product: Product | None):
    """The same SKU saved twice at the same moment (a double submit): the database refuses one; say why."""
    return refused_by_database(lambda: InvalidProductDetails(product_problems(cooperative, details, product) or {
        "sku": _("Another product of this cooperative already uses this SKU.")}))


def create_product(actor: User, cooperative: Cooperative, details: ProductDetails) -> Product:
    """A new product starts as a draft, visible only to the cooperative's staff."""
    require_capability(actor, cooperative, Capability.MANAGE_CATALOG)
    problems = product_problems(cooperative, details)
    if problems:
        raise InvalidProductDetails(problems)
    product = Product(cooperative_id=cooperative.id, slug=unique_slug(Product.slug, details.name, max_length=100,
                                                  alternative=cooperative.slug[:20].rstrip("-")),
                      status=ProductStatus.DRAFT)
    with _explaining_duplicates(details, cooperative, None):
        _apply(product, details)
        db.session.add(product)
    db.session.add(PriceChange(product_id=product.id, changed_by_id=actor.id, old_base_price=None,
                               new_base_price=product.base_price, old_tiers=[], new_tiers=_tier_list(product)))
    record_audit(CatalogAudit.PRODUCT_CREATED, actor=actor, target=product, sku=product.sku)
    return product


def update_product(actor: User, product: Product, details: ProductDetails) -> list[str]:
    """Saves the changes; a change of base price or tiers is kept in the price history."""
    cooperative = product.cooperative
    require_capability(actor, cooperative, Capability.MANAGE_CATALOG)
    problems = product_problems(cooperative, details, product)
    if problems:
        raise InvalidProductDetails(problems)
    before = ProductDetails.of(product)
    changed = [name for name, value in vars(details).items() if getattr(before, name) != value]
    if not changed:
        return []
    old_price, old_tiers = product.base_price, _tier_list(product)
    with _explaining_duplicates(details, cooperative, product):
        _apply(product, details)
    if old_price != product.base_price or old_tiers != _tier_list(product):
        db.session.add(PriceChange(product_id=product.id, changed_by_id=actor.id, old_base_price=old_price,
                                   new_base_price=product.base_price, old_tiers=old_tiers,
                                   new_tiers=_tier_list(product)))
        record_audit(CatalogAudit.PRODUCT_PRICE_CHANGED, actor=actor, target=product, old=old_price,
                     new=product.base_price)
    record_audit(CatalogAudit.PRODUCT_UPDATED, actor=actor, target=product, fields=changed)
    return changed


def duplicate_product(actor: User, product: Product) -> Product:
    """A copy to start a similar product from: a draft, without stock or photos, with a fresh SKU."""
    details = ProductDetails.of(product)
    details.name = _("Copy of %(name)s", name=product.name)[:160]
    base_sku, suffix = f"{product.sku}-COPY"[:36], 1
    details.sku = base_sku
    while db.session.scalar(sa.select(Product.id).where(Product.cooperative_id == product.cooperative_id,
                                                        Product.sku == details.sku)) is not None:
        suffix += 1
        details.sku = f"{base_sku}{suffix}"
    return create_product(actor, product.cooperative, details)


def delete_product(actor: User, product: Product) -> None:
    """Only a draft that never held stock may be deleted. Stock lots (and the members they are attributed to)
    are history: a product that had any is archived instead, and the database refuses it anyway."""
    require_capability(actor, product.cooperative, Capability.MANAGE_CATALOG)
    if product.status != ProductStatus.DRAFT:
        raise Conflict(_("Only a draft can be deleted. Put the product back to draft, or archive it."))
    has_lots = db.session.scalar(sa.select(StockLot.id).where(StockLot.product_id == product.id).limit(1))
    if has_lots is not None:
        raise Conflict(_("This product has received stock, which stays on record. Archive it instead."))
    record_audit(CatalogAudit.PRODUCT_DELETED, actor=actor, target=product.cooperative, sku=product.sku,
                 name=product.name)
    for image in product.images:
        discard_image_after_commit(image.stored, still_used=product_photo_in_use)
    db.session.delete(product)
    db.session.flush()


STATUS_TRANSITIONS = {
    ProductStatus.DRAFT: {ProductStatus.ACTIVE, ProductStatus.ARCHIVED},
    ProductStatus.ACTIVE: {ProductStatus.DRAFT, ProductStatus.ARCHIVED},
    ProductStatus.ARCHIVED: {ProductStatus.ACTIVE, ProductStatus.DRAFT},
}


def change_product_status(actor: User, product: Product, new_status: ProductStatus) -> None:
    require_capability(actor, product.cooperative, Capability.MANAGE_CATALOG)
    if new_status not in STATUS_TRANSITIONS[product.status]:
        raise TransitionNotAllowed(_("This product is already %(status)s.", status=product.status.label))
    old_status = product.status
    product.status = new_status
    if (old_status == ProductStatus.ACTIVE) != (new_status == ProductStatus.ACTIVE):
        # An increment, not a recount: two products of one cooperative changed at the same moment both count.
        db.session.execute(sa.update(Cooperative).where(Cooperative.id == product.cooperative_id).values(
            products_on_sale=Cooperative.products_on_sale + (1 if new_status == ProductStatus.ACTIVE else -1)))
    record_audit(CatalogAudit.PRODUCT_STATUS_CHANGED, actor=actor, target=product, old=str(old_status),
                 new=str(new_status))


def product_of(actor: User, cooperative: Cooperative, product_id: int) -> Product:
    """A product of this cooperative for its staff and supervisors; another cooperative's product is not found."""
    require_capability(actor, cooperative, Capability.VIEW_CATALOG)
    product = db.session.scalar(sa.select(Product).where(Product.id == product_id,
                                                         Product.cooperative_id == cooperative.id))
    if product is None:
        raise NotFound(_("This product does not exist in this cooperative."))
    return product


def price_history(product: Product) -> list[PriceChange]:
    return list(db.session.scalars(sa.select(PriceChange).where(PriceChange.product_id == product.id)
                                   .order_by(PriceChange.changed_at.desc(), PriceChange.id.desc()).limit(50)))


def staff_products_query(cooperative: Cooperative, *, search: str | None = None, status: str | None = None,
                         category_id: int | None = None, low_stock: bool = False) -> sa.Select:
    query = sa.select(Product).where(Product.cooperative_id == cooperative.id)
    if search:
        pattern = f"%{search.strip().lower()}%"
        query = query.where(sa.or_(sa.func.lower(Product.name).like(pattern), sa.func.lower(Product.sku).like(pattern)))
    if status in {item.value for item in ProductStatus}:
        query = query.where(Product.status == status)
    if category_id:
        query = query.where(Product.category_id == category_id)
    if low_stock:
        query = query.where(Product.availability == Availability.READY_STOCK,
                            Product.stock_on_hand < Product.min_order_quantity)
    return query.order_by(Product.status, Product.name, Product.id)


def products_of_cooperative(cooperative: Cooperative) -> list[Product]:
    """Every product of the cooperative by name (for a chooser), without their photos and tiers."""
    return list(db.session.scalars(sa.select(Product).where(Product.cooperative_id == cooperative.id)
                                   .options(lazyload("*")).order_by(Product.name, Product.id)))
