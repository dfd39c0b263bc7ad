"""What the search index knows of each cooperative's public offer, for other domains to ask without reading its
columns: the supplier directory filters and summarises cooperatives through these functions."""

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from marketplace.catalog.models import Availability
from marketplace.core.database import json_object
from marketplace.search.models import SearchEntry
from marketplace.search.services.query import CERTIFICATE_COLUMNS, certificate_names

CERTIFICATE_KINDS = tuple(CERTIFICATE_COLUMNS)
# What other domains use, the certificates' names included (`query.certificate_names`, which the facets use too).
__all__ = ["CERTIFICATE_KINDS", "OfferSummary", "certificate_names", "offer_summary_column", "offer_summary_from",
           "offers_exist"]


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


def offer_summary_column(cooperative_id, today: date) -> sa.ScalarSelect:
    """A subquery correlated to a cooperative's id column (`cooperative_id`): what its public products offer (how
    many, how many in stock, valid certificate kinds, top-level categories, the largest weekly capacity made to
    order) as one JSON object, for a list of cooperatives to read in its own statement; `offer_summary_from` reads
    it. From the index table alone: joining the products for their capacity cost PostgreSQL a lookup per product."""
    made_to_order = SearchEntry.availability == Availability.MADE_TO_ORDER.value
    certificate_counts = {kind: sa.func.count(sa.case((column >= today, 1)))
                          for kind, column in CERTIFICATE_COLUMNS.items()}
    return (sa.select(json_object(
                products=sa.func.count(), in_stock=sa.func.count(sa.case((SearchEntry.in_stock, 1))),
                categories=sa.func.aggregate_strings(sa.cast(SearchEntry.parent_category_id, sa.Text), ","),
                capacity=sa.func.max(sa.case((made_to_order, SearchEntry.weekly_capacity))), **certificate_counts))
            .where(SearchEntry.cooperative_id == cooperative_id).scalar_subquery())


def offer_summary_from(values: dict) -> OfferSummary:
    categories = values["categories"]
    return OfferSummary(
        products=values["products"], in_stock=values["in_stock"], max_weekly_capacity=values["capacity"],
        categories=sorted({int(category_id) for category_id in categories.split(",")}) if categories else [],
        certificates=[kind for kind in CERTIFICATE_KINDS if values[kind]])
