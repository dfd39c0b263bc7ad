"""The supplier directory: verified cooperatives an officer can filter by what the procurement needs."""

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from marketplace.catalog.models import Availability, Product, ProductStatus
from marketplace.cooperatives.models import Cooperative, CooperativeStatus, rat_recent_since
from marketplace.core.query_args import QueryArgs
from marketplace.core.timeutil import local_today
from marketplace.extensions import db
from marketplace.search.models import SearchEntry
from marketplace.search.services.query import CERTIFICATE_COLUMNS


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

    @classmethod
    def from_args(cls, args) -> "SupplierFilters":
        read = QueryArgs(args)
        return cls(province=read.region_code("province"), regency=read.region_code("regency"),
                   category=read.number("category", maximum=10**9),
                   certificate=read.choice("cert", CERTIFICATE_COLUMNS),
                   min_weekly_capacity=read.number("capacity", maximum=10**7), ready_stock=read.flag("stock"),
                   rat_recent=read.flag("rat"), kopontren=read.flag("kopontren"))

    @property
    def active(self) -> bool:
        return self != SupplierFilters()


def suppliers_query(filters: SupplierFilters, today: date | None = None) -> sa.Select:
    today = today or local_today()
    query = sa.select(Cooperative).where(Cooperative.status == CooperativeStatus.VERIFIED)
    if filters.province:
        query = query.where(Cooperative.province_code == filters.province)
    if filters.regency:
        query = query.where(Cooperative.regency_code == filters.regency)
    if filters.rat_recent:
        query = query.where(Cooperative.last_rat_on >= rat_recent_since(today))
    if filters.kopontren:
        query = query.where(Cooperative.is_pesantren.is_(True))
    offers = sa.select(SearchEntry.product_id).where(SearchEntry.cooperative_id == Cooperative.id)
    if filters.category:
        offers = offers.where(sa.or_(SearchEntry.category_id == filters.category,
                                     SearchEntry.parent_category_id == filters.category))
    if filters.certificate:
        offers = offers.where(CERTIFICATE_COLUMNS[filters.certificate] >= today)
    if filters.ready_stock:
        offers = offers.where(SearchEntry.in_stock.is_(True))
    if filters.category or filters.certificate or filters.ready_stock:
        query = query.where(offers.exists())
    if filters.min_weekly_capacity:
        query = query.where(sa.select(Product.id).where(
            Product.cooperative_id == Cooperative.id, Product.status == ProductStatus.ACTIVE,
            Product.availability == Availability.MADE_TO_ORDER,
            Product.weekly_capacity >= filters.min_weekly_capacity).exists())
    return query.order_by(Cooperative.name, Cooperative.id)


@dataclass
class SupplierFacts:
    products: int = 0
    in_stock: int = 0
    categories: list[int] = field(default_factory=list)
    certificates: list[str] = field(default_factory=list)
    max_weekly_capacity: int | None = None


def supplier_facts(cooperative_ids: list[int], today: date | None = None) -> dict[int, SupplierFacts]:
    """What each listed supplier offers, in two grouped queries however many suppliers the page holds."""
    today = today or local_today()
    facts = {cooperative_id: SupplierFacts() for cooperative_id in cooperative_ids}
    if not cooperative_ids:
        return facts
    certificate_counts = [sa.func.count(sa.case((column >= today, 1))) for column in CERTIFICATE_COLUMNS.values()]
    rows = db.session.execute(
        sa.select(SearchEntry.cooperative_id, sa.func.count(), sa.func.count(sa.case((SearchEntry.in_stock, 1))),
                  *certificate_counts)
        .where(SearchEntry.cooperative_id.in_(cooperative_ids)).group_by(SearchEntry.cooperative_id))
    for cooperative_id, products, in_stock, *certificates in rows:
        entry = facts[cooperative_id]
        entry.products, entry.in_stock = products, in_stock
        entry.certificates = [kind for kind, count in zip(CERTIFICATE_COLUMNS, certificates, strict=True) if count]
    category_rows = db.session.execute(
        sa.select(SearchEntry.cooperative_id, SearchEntry.parent_category_id).distinct()
        .where(SearchEntry.cooperative_id.in_(cooperative_ids)))
    for cooperative_id, category_id in category_rows:
        if category_id:
            facts[cooperative_id].categories.append(category_id)
    capacity_rows = db.session.execute(
        sa.select(Product.cooperative_id, sa.func.max(Product.weekly_capacity))
        .where(Product.cooperative_id.in_(cooperative_ids), Product.status == ProductStatus.ACTIVE,
               Product.availability == Availability.MADE_TO_ORDER).group_by(Product.cooperative_id))
    for cooperative_id, capacity in capacity_rows:
        facts[cooperative_id].max_weekly_capacity = capacity
    return facts
