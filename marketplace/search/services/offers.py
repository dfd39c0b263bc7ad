"""What the search index knows of each cooperative's public offer, for other domains to ask without reading its
columns: the supplier directory filters and summarises cooperatives through these two functions."""

from dataclasses import dataclass, field
from datetime import date
from functools import cache

import sqlalchemy as sa

from marketplace.catalog.models import Availability
from marketplace.extensions import db
from marketplace.search.models import SearchEntry
from marketplace.search.services.query import CERTIFICATE_COLUMNS, certificate_names

CERTIFICATE_KINDS = tuple(CERTIFICATE_COLUMNS)
# What other domains use, the certificates' names included (`query.certificate_names`, which the facets use too).
__all__ = ["CERTIFICATE_KINDS", "OfferSummary", "certificate_names", "offer_summaries", "offers_exist"]


def offers_exist(cooperative_id, *, today: date, category_id: int | None = None, certificate: str | None = None,
                 in_stock: bool = False, min_weekly_capacity: int | None = None):
    """A WHERE clause: the cooperative (`cooperative_id` is its id column) has a public product in the category,
    with a valid certificate of the kind, with stock ready, or made to order at least this many a week — as
    asked, all by one product."""
    offers = sa.select(SearchEntry.product_id).where(SearchEntry.cooperative_id == cooperative_id)
    if category_id:
        offers = offers.where(sa.or_(SearchEntry.category_id == category_id,
                                     SearchEntry.parent_category_id == category_id))
    if certificate in CERTIFICATE_COLUMNS:
        offers = offers.where(CERTIFICATE_COLUMNS[certificate] >= today)
    if in_stock:
        offers = offers.where(SearchEntry.in_stock.is_(True))
    if min_weekly_capacity:
        offers = offers.where(SearchEntry.availability == Availability.MADE_TO_ORDER.value,
                              SearchEntry.weekly_capacity >= min_weekly_capacity)
    return offers.exists()


@dataclass
class OfferSummary:
    products: int = 0
    in_stock: int = 0
    categories: list[int] = field(default_factory=list)
    certificates: list[str] = field(default_factory=list)
    max_weekly_capacity: int | None = None  # the most units a week any made-to-order product can be made in


@cache
def _summary_statement() -> sa.Select:
    """Built once with parameters: the supplier directory asks on every page, and building the statement cost
    more than running it. One statement, not three: on PostgreSQL each costs a round trip. From the index table
    alone: joining the products for their capacity cost PostgreSQL a lookup per product, half the statement."""
    cooperative_ids, today = sa.bindparam("cooperative_ids", expanding=True), sa.bindparam("today", type_=sa.Date)
    certificate_counts = [sa.func.count(sa.case((column >= today, 1))) for column in CERTIFICATE_COLUMNS.values()]
    made_to_order = SearchEntry.availability == Availability.MADE_TO_ORDER.value
    return (sa.select(SearchEntry.cooperative_id, sa.func.count(), sa.func.count(sa.case((SearchEntry.in_stock, 1))),
                      sa.func.aggregate_strings(sa.cast(SearchEntry.parent_category_id, sa.Text), ","),
                      sa.func.max(sa.case((made_to_order, SearchEntry.weekly_capacity))), *certificate_counts)
            .where(SearchEntry.cooperative_id.in_(cooperative_ids)).group_by(SearchEntry.cooperative_id))


def offer_summaries(cooperative_ids: list[int], today: date) -> dict[int, OfferSummary]:
    """Each cooperative's public products: how many, how many in stock, valid certificate kinds, top-level
    categories, the largest weekly capacity made to order — in one grouped query however many cooperatives are
    asked about."""
    summaries = {cooperative_id: OfferSummary() for cooperative_id in cooperative_ids}
    if not cooperative_ids:
        return summaries
    for cooperative_id, products, in_stock, categories, capacity, *certificates in db.session.execute(
            _summary_statement(), {"cooperative_ids": cooperative_ids, "today": today}):
        summary = summaries[cooperative_id]
        summary.products, summary.in_stock, summary.max_weekly_capacity = products, in_stock, capacity
        summary.categories = sorted({int(category_id) for category_id in categories.split(",")}) if categories else []
        summary.certificates = [kind for kind, count in zip(CERTIFICATE_KINDS, certificates, strict=True) if count]
    return summaries
