from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.audit import register_audit_actions
from marketplace.core.database import enum_column
from marketplace.core.i18n import current_locale
from marketplace.core.i18n import lazy_gettext as _l
from marketplace.core.images import StoredImage
from marketplace.core.labelled_enum import LabelledEnum
from marketplace.core.timeutil import UTCDateTime, local_today, utcnow
from marketplace.extensions import db


class Category(db.Model):
    """A two-level tree of what cooperatives make and buyers look for; kept by platform admins."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name_id: Mapped[str] = mapped_column(sa.String(80))
    name_en: Mapped[str] = mapped_column(sa.String(80))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("categories.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)

    parent = relationship("Category", remote_side=[id])

    @property
    def name(self) -> str:
        return self.name_en if _in_english() else self.name_id

    @classmethod
    def name_column(cls):
        """The name in the request's language, as a column: for reading names alone, without the rows."""
        return cls.name_en if _in_english() else cls.name_id


def _in_english() -> bool:
    locale = current_locale()
    return locale is not None and locale.language == "en"


class Unit(LabelledEnum):
    PIECE = "pcs", _l("piece (pcs)")
    DOZEN = "lusin", _l("dozen (lusin, 12)")
    SCORE = "kodi", _l("score (kodi, 20)")
    KILOGRAM = "kg", _l("kilogram")
    GRAM = "gram", _l("gram")
    LITRE = "liter", _l("litre")
    PACK = "pak", _l("pack")
    SET = "set", _l("set")
    METRE = "meter", _l("metre")
    BOX = "box", _l("box")
    BOTTLE = "botol", _l("bottle")
    SHEET = "lembar", _l("sheet")
    PAIR = "pasang", _l("pair (pasang)")
    SACK = "sak", _l("sack (sak)")
    CARTON = "dus", _l("carton (dus)")
    OUTFIT = "stel", _l("outfit (stel)")
    REAM = "rim", _l("ream (rim, 500 sheets)")


class ProductStatus(LabelledEnum):
    DRAFT = "draft", _l("Draft")
    ACTIVE = "active", _l("Active")
    ARCHIVED = "archived", _l("Archived")


class Availability(LabelledEnum):
    READY_STOCK = "ready_stock", _l("Ready stock")
    MADE_TO_ORDER = "made_to_order", _l("Made to order")


class Product(db.Model):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    # History hangs on these rows (stock lots, later orders): the database refuses to delete them from under it.
    cooperative_id: Mapped[int] = mapped_column(sa.ForeignKey("cooperatives.id", ondelete="RESTRICT"))
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    name: Mapped[str] = mapped_column(sa.String(160))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("categories.id"), index=True)
    unit: Mapped[Unit] = mapped_column(enum_column(Unit, "product_unit"))
    base_price: Mapped[int] = mapped_column(sa.BigInteger)
    min_order_quantity: Mapped[int] = mapped_column(default=1)
    weight_grams: Mapped[int | None]
    sku: Mapped[str] = mapped_column(sa.String(40))
    status: Mapped[ProductStatus] = mapped_column(enum_column(ProductStatus, "product_status"),
                                                  default=ProductStatus.DRAFT)
    availability: Mapped[Availability] = mapped_column(enum_column(Availability, "availability"))
    lead_time_days: Mapped[int | None]
    weekly_capacity: Mapped[int | None]
    # Kept equal to the sum of the lots' remaining quantities by the stock service, in the same transaction.
    stock_on_hand: Mapped[int] = mapped_column(default=0)
    # How many open or completed orders include this product (the "most ordered" sort); kept by ordering.
    order_count: Mapped[int] = mapped_column(default=0, server_default="0")
    local_content: Mapped[bool] = mapped_column(default=False)
    # TKDN (tingkat komponen dalam negeri): the certified share of domestic content, in basis points (4356 is
    # 43,56%), with its certificate number; government buyers report it.
    tkdn_basis_points: Mapped[int | None]
    tkdn_certificate_number: Mapped[str | None] = mapped_column(sa.String(60))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    cooperative = relationship("Cooperative", lazy="joined")
    category = relationship("Category", lazy="joined")
    tiers = relationship("PriceTier", order_by="PriceTier.min_quantity", cascade="all, delete-orphan",
                         lazy="selectin")
    certifications = relationship("ProductCertification", cascade="all, delete-orphan", lazy="selectin",
                                  order_by="ProductCertification.kind")
    images = relationship("ProductImage", order_by="ProductImage.position", cascade="all, delete-orphan",
                          lazy="selectin")
    producers = relationship("Member", secondary="product_producers", lazy="selectin",
                             order_by="Member.full_name")

    __table_args__ = (
        sa.UniqueConstraint("cooperative_id", "sku"),
        # Search's "most ordered" walks this backwards and stops at a page's worth of matching products.
        sa.Index("ix_products_most_ordered", "order_count", "id"),
        sa.CheckConstraint("base_price > 0", name="price_positive"),
        sa.CheckConstraint("min_order_quantity >= 1", name="moq_at_least_one"),
        sa.CheckConstraint("stock_on_hand >= 0", name="stock_not_negative"),
        sa.CheckConstraint("weight_grams is null or weight_grams > 0", name="weight_positive"),
        sa.CheckConstraint("lead_time_days is null or lead_time_days >= 0", name="lead_time_not_negative"),
        sa.CheckConstraint("weekly_capacity is null or weekly_capacity > 0", name="capacity_positive"),
        sa.CheckConstraint("tkdn_basis_points is null or tkdn_basis_points between 0 and 10000",
                           name="tkdn_is_a_percentage"),
        sa.Index("ix_products_cooperative_status", "cooperative_id", "status"),
        sa.Index("ix_products_status_category", "status", "category_id"),
    )

    @property
    def cover_image(self):
        return self.images[0] if self.images else None


class PriceTier(db.Model):
    """From `min_quantity` units on, each unit costs `unit_price` (wholesale)."""

    __tablename__ = "price_tiers"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id", ondelete="CASCADE"), index=True)
    min_quantity: Mapped[int]
    unit_price: Mapped[int] = mapped_column(sa.BigInteger)

    __table_args__ = (
        sa.UniqueConstraint("product_id", "min_quantity"),
        sa.CheckConstraint("min_quantity >= 2", name="tier_quantity_above_one"),
        sa.CheckConstraint("unit_price > 0", name="tier_price_positive"),
    )


class PriceChange(db.Model):
    """The history of a product's prices: who changed what, when. Orders copy prices, so history stays true."""

    __tablename__ = "price_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id", ondelete="CASCADE"), index=True)
    changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    old_base_price: Mapped[int | None] = mapped_column(sa.BigInteger)
    new_base_price: Mapped[int] = mapped_column(sa.BigInteger)
    old_tiers: Mapped[list] = mapped_column(sa.JSON, default=list)
    new_tiers: Mapped[list] = mapped_column(sa.JSON, default=list)

    changed_by = relationship("User")


class CertificationKind(LabelledEnum):
    HALAL = "halal", _l("Halal")
    PIRT = "pirt", _l("P-IRT")
    BPOM_MD = "bpom_md", _l("BPOM MD")
    SNI = "sni", _l("SNI")


def certificate_in_force(expires_on: date | None, today: date | None = None) -> bool:
    """An expired certificate stops counting by itself; no one has to remember to untick it."""
    return expires_on is None or expires_on >= (today or local_today())


class ProductCertification(db.Model):
    __tablename__ = "product_certifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id", ondelete="CASCADE"), index=True)
    kind: Mapped[CertificationKind] = mapped_column(enum_column(CertificationKind, "certification_kind"))
    number: Mapped[str] = mapped_column(sa.String(60))
    expires_on: Mapped[date | None]

    __table_args__ = (
        sa.UniqueConstraint("product_id", "kind"),
        sa.Index("ix_product_certifications_kind_expiry", "kind", "expires_on"),
    )

    def is_valid(self, today: date | None = None) -> bool:
        return certificate_in_force(self.expires_on, today)


product_producers = sa.Table(
    "product_producers",
    db.metadata,
    sa.Column("product_id", sa.ForeignKey("products.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("member_id", sa.ForeignKey("members.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class ProductImage(db.Model):
    __tablename__ = "product_images"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id", ondelete="CASCADE"), index=True)
    image: Mapped[dict] = mapped_column(sa.JSON)
    alt_text: Mapped[str] = mapped_column(sa.String(200), default="")
    position: Mapped[int] = mapped_column(default=0)

    @property
    def stored(self) -> StoredImage | None:
        return StoredImage.from_dict(self.image)


class StockLot(db.Model):
    """Goods a member handed to the cooperative: the root of attribution. Never edited or deleted."""

    __tablename__ = "stock_lots"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id", ondelete="RESTRICT"))
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id", ondelete="RESTRICT"), index=True)
    quantity_received: Mapped[int]
    # What is left of this lot after adjustments (and, later, what orders took); FIFO reads it.
    quantity_remaining: Mapped[int]
    received_on: Mapped[date]
    note: Mapped[str | None] = mapped_column(sa.String(255))
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    member = relationship("Member", lazy="joined")
    recorded_by = relationship("User")
    adjustments = relationship("StockAdjustment", order_by="StockAdjustment.id", lazy="selectin")

    __table_args__ = (
        sa.CheckConstraint("quantity_received > 0", name="received_positive"),
        sa.CheckConstraint("quantity_remaining >= 0", name="remaining_not_negative"),
        sa.Index("ix_stock_lots_fifo", "product_id", "received_on", "id"),
    )


class AdjustmentReason(LabelledEnum):
    DAMAGED = "damaged", _l("Damaged or lost")  # fewer
    WITHDRAWN = "withdrawn", _l("Taken back by the member")  # fewer: the member took goods back
    RETURNED = "returned", _l("Returned into stock")  # more: a buyer's return came back into stock
    COUNTED = "counted", _l("Stock count correction")  # either way: a stock count found a difference


class StockAdjustment(db.Model):
    """A correction to a lot, with its reason; the lot's own row is never rewritten by hand."""

    __tablename__ = "stock_adjustments"

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(sa.ForeignKey("stock_lots.id", ondelete="RESTRICT"), index=True)
    quantity_change: Mapped[int]
    reason: Mapped[AdjustmentReason] = mapped_column(enum_column(AdjustmentReason, "adjustment_reason"))
    note: Mapped[str | None] = mapped_column(sa.String(255))
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    recorded_by = relationship("User")

    __table_args__ = (sa.CheckConstraint("quantity_change <> 0", name="change_not_zero"),)


@register_audit_actions
class CatalogAudit(LabelledEnum):
    """What the audit log records of catalog."""

    PRODUCT_CREATED = "product.created", _l("Product created")
    PRODUCT_UPDATED = "product.updated", _l("Product changed")
    PRODUCT_DELETED = "product.deleted", _l("Draft product deleted")
    PRODUCT_STATUS_CHANGED = "product.status_changed", _l("Product status changed")
    PRODUCT_PRICE_CHANGED = "product.price_changed", _l("Price changed")
    PRODUCTS_IMPORTED = "product.imported", _l("Products imported")
    PRODUCT_IMAGE_ADDED = "product.image_added", _l("Photo added")
    PRODUCT_IMAGE_REMOVED = "product.image_removed", _l("Photo removed")
    STOCK_RECEIVED = "stock.received", _l("Stock received")
    STOCK_ADJUSTED = "stock.adjusted", _l("Stock corrected")
    CATEGORY_CHANGED = "category.changed", _l("Category changed")
