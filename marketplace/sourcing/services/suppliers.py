"""The supplier directory: verified cooperatives an officer can filter by what the procurement needs."""

from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy.orm import load_only

from marketplace.cooperatives.models import Cooperative, CooperativeStatus, has_products_on_sale, rat_due_year
from marketplace.cooperatives.services.profile import BADGE_COLUMNS
from marketplace.cooperatives.services.rat import dormant_condition
from marketplace.core.pagination import RowPage, paginate_keys_first
from marketplace.core.query_args import QueryArgs
from marketplace.core.timeutil import local_today
from marketplace.search.services.offers import (
    CERTIFICATE_KINDS,
    offer_summary_column,
    offer_summary_from,
    offers_exist,
)

# "record": suppliers with products on sale and a track record of completed orders first (an officer's first look
# should not be newly verified cooperatives with nothing to sell); "name": A to Z.
SUPPLIER_SORTS = ("record", "name")
SUPPLIERS_PER_PAGE = 20
# What a supplier card shows of its cooperative besides the badges: only these are read, and touching another
# column raises rather than quietly querying (the description and the bank details are half a row's bytes).
CARD_COLUMNS = (Cooperative.id, Cooperative.slug, Cooperative.name, Cooperative.cooperative_type,
                Cooperative.regency_code, Cooperative.member_count, Cooperative.completed_orders,
                Cooperative.on_time_orders, Cooperative.rating_count, Cooperative.rating_total)


@dataclass(frozen=True)
class SupplierFilters:
    province: str | None = None
    regency: str | None = None
    category: int | None = None
    certificate: str | None = None
    min_weekly_capacity: int | None = None
    ready_stock: bool = False
    rat_recent: bool = False
    kopontren: bool = False
    include_dormant: bool = False
    sort: str = "record"

    @classmethod
    def from_args(cls, args) -> "SupplierFilters":
        read = QueryArgs(args)
        return cls(province=read.region_code("province"), regency=read.region_code("regency"),
                   category=read.number("category", maximum=10**9),
                   certificate=read.choice("cert", CERTIFICATE_KINDS),
                   min_weekly_capacity=read.number("capacity", maximum=10**7), ready_stock=read.flag("stock"),
                   rat_recent=read.flag("rat"), kopontren=read.flag("kopontren"),
                   include_dormant=read.flag("dormant"), sort=read.choice("sort", SUPPLIER_SORTS, "record") or "record")

    @property
    def active(self) -> bool:
        return replace(self, sort="record") != SupplierFilters()


def suppliers_page(filters: SupplierFilters, today: date | None = None) -> RowPage:
    """A page of the directory, each item a verified cooperative and what it offers (`OfferSummary`): the
    count, the page's rows and their offers read in one statement."""
    page = paginate_keys_first(_suppliers_query(filters, today or local_today()), Cooperative,
                               per_page=SUPPLIERS_PER_PAGE)
    page.items = [(cooperative, offer_summary_from(offer)) for cooperative, offer in page.items]
    return page


@lru_cache(maxsize=256)
def _suppliers_query(filters: SupplierFilters, today: date) -> sa.Select:
    """Built once per filters and day: building a statement and working out its cache key cost more than running
    it, and the same statement object lets pagination keep its count and keys statements too."""
    query = (sa.select(Cooperative, offer_summary_column(Cooperative.id, today))
             .options(load_only(*CARD_COLUMNS, *BADGE_COLUMNS, raiseload=True))
             .where(Cooperative.status == CooperativeStatus.VERIFIED))
    if filters.province:
        query = query.where(Cooperative.province_code == filters.province)
    if filters.regency:
        query = query.where(Cooperative.regency_code == filters.regency)
    if filters.rat_recent:
        query = query.where(Cooperative.last_rat_book_year >= rat_due_year(today))
    if not filters.include_dormant:
        # Dormant cooperatives (no RAT for three book years) stay out of what procurement sees first.
        query = query.where(sa.not_(dormant_condition(today)))
    if filters.kopontren:
        query = query.where(Cooperative.is_pesantren.is_(True))
    if filters.category or filters.certificate or filters.ready_stock:
        query = query.where(offers_exist(Cooperative.id, today=today, category_id=filters.category,
                                         certificate=filters.certificate, in_stock=filters.ready_stock))
    if filters.min_weekly_capacity:  # by any made-to-order product, not only one matching the filters above
        query = query.where(offers_exist(Cooperative.id, today=today,
                                         min_weekly_capacity=filters.min_weekly_capacity))
    if filters.sort == "name":
        return query.order_by(Cooperative.name, Cooperative.id)
    return query.order_by(has_products_on_sale().desc(), Cooperative.completed_orders.desc(),
                          Cooperative.on_time_orders.desc(), Cooperative.name, Cooperative.id)
