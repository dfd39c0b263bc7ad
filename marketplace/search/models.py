from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.core.timeutil import UTCDateTime
from marketplace.extensions import db


class SearchEntry(db.Model):
    """One row per public product, flattened for filtering and facet counts without joins.

    Only active products of verified cooperatives have a row; the text index (FTS5 on SQLite, tsvector on
    PostgreSQL, see `search.backends`) holds the words under the same product id.
    """

    __tablename__ = "search_entries"

    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id", ondelete="CASCADE"), primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(sa.ForeignKey("cooperatives.id", ondelete="CASCADE"), index=True)
    category_id: Mapped[int] = mapped_column(index=True)
    parent_category_id: Mapped[int | None] = mapped_column(index=True)
    province_code: Mapped[str] = mapped_column(sa.String(13), index=True)
    regency_code: Mapped[str] = mapped_column(sa.String(13), index=True)
    cooperative_type: Mapped[str] = mapped_column(sa.String(24))
    is_pesantren: Mapped[bool]
    opop_participant: Mapped[bool]
    base_price: Mapped[int] = mapped_column(sa.BigInteger, index=True)
    availability: Mapped[str] = mapped_column(sa.String(24))
    in_stock: Mapped[bool]
    local_content: Mapped[bool]
    halal_until: Mapped[date | None]  # date.max when the certificate has no expiry
    pirt_until: Mapped[date | None]
    bpom_md_until: Mapped[date | None]
    sni_until: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)

    # What a result card shows, so a page of results needs no further queries.
    name: Mapped[str] = mapped_column(sa.String(160))
    slug: Mapped[str] = mapped_column(sa.String(120))
    unit: Mapped[str] = mapped_column(sa.String(24))
    cooperative_name: Mapped[str] = mapped_column(sa.String(160))
    cooperative_slug: Mapped[str] = mapped_column(sa.String(90))
    regency_name: Mapped[str] = mapped_column(sa.String(80))
    min_order_quantity: Mapped[int]
    lead_time_days: Mapped[int | None]
    # Units a week a made-to-order product can be made in: the supplier directory sums up and filters by what
    # each cooperative can make from this table alone.
    weekly_capacity: Mapped[int | None]
    cover_image: Mapped[dict | None] = mapped_column(sa.JSON)
    cover_alt: Mapped[str | None] = mapped_column(sa.String(200))


class SearchChange(db.Model):
    """One product whose entry was written or removed, so every worker's in-memory facet columns
    (`search.columns`) can bring themselves up to date by reading only what changed since they last looked.

    A row without a product means the whole index was rebuilt. `transaction_id` is PostgreSQL's id of the
    writing transaction: there, ids from a sequence are not handed out in commit order, so a reader asks for the
    changes of every transaction its last snapshot could not yet see (`backends.PostgresBackend`). SQLite has one
    writer at a time, so its ids are in commit order and this stays empty.
    """

    __tablename__ = "search_changes"
    __table_args__ = {"sqlite_autoincrement": True}  # an id is never handed out twice, even after a prune

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True)
    product_id: Mapped[int | None]
    transaction_id: Mapped[int | None] = mapped_column(sa.BigInteger, index=True)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
