from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.timeutil import UTCDateTime, utcnow
from marketplace.extensions import db


class Shortlist(db.Model):
    """A buyer's named list of products and suppliers under consideration, private to its owner."""

    __tablename__ = "shortlists"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    items = relationship("ShortlistItem", order_by="ShortlistItem.id", cascade="all, delete-orphan",
                         lazy="selectin", back_populates="shortlist")

    __table_args__ = (sa.UniqueConstraint("owner_id", "name"),)


class ShortlistItem(db.Model):
    __tablename__ = "shortlist_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    shortlist_id: Mapped[int] = mapped_column(sa.ForeignKey("shortlists.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int | None] = mapped_column(sa.ForeignKey("products.id", ondelete="CASCADE"))
    cooperative_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cooperatives.id", ondelete="CASCADE"))
    wanted_quantity: Mapped[int | None]
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    shortlist = relationship("Shortlist", back_populates="items")
    product = relationship("Product", lazy="joined")
    cooperative = relationship("Cooperative", lazy="joined")

    __table_args__ = (
        sa.CheckConstraint("(product_id is null) <> (cooperative_id is null)", name="one_kind_of_item"),
        sa.CheckConstraint("wanted_quantity is null or wanted_quantity > 0", name="quantity_positive"),
        sa.UniqueConstraint("shortlist_id", "product_id"),
        sa.UniqueConstraint("shortlist_id", "cooperative_id"),
    )

    @property
    def is_product(self) -> bool:
        return self.product_id is not None
