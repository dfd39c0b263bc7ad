"""Faceted search over the index: filters from the query string, text matching, facet counts, sorting.

Every filter value is checked against what it may be; anything else is ignored rather than refused, so a
bookmarked or hand-edited address always gives a normal page.
"""

import time
from collections import Counter, OrderedDict
from dataclasses import dataclass, field, fields, replace
from datetime import date

import sqlalchemy as sa
from flask import current_app
from flask_babel import get_locale

from marketplace.catalog.models import Availability, Category, CertificationKind, Product
from marketplace.cooperatives.models import Cooperative, CooperativeStatus, CooperativeType
from marketplace.core.query_args import QueryArgs
from marketplace.core.regions import Region
from marketplace.core.timeutil import local_today
from marketplace.extensions import db
from marketplace.search.models import SearchEntry
from marketplace.search.services.backends import backend_for
from marketplace.search.services.text import query_words

PER_PAGE = 24
MAX_PAGE = 400
SORTS = ("relevance", "price_asc", "price_desc", "newest", "most_ordered")
CERTIFICATE_COLUMNS = {
    CertificationKind.HALAL.value: SearchEntry.halal_until, CertificationKind.PIRT.value: SearchEntry.pirt_until,
    CertificationKind.BPOM_MD.value: SearchEntry.bpom_md_until, CertificationKind.SNI.value: SearchEntry.sni_until,
}
MAX_PRICE = 10**12


@dataclass(frozen=True)
class SearchRequest:
    q: str = ""
    category: int | None = None
    province: str | None = None
    regency: str | None = None
    cooperative_type: str | None = None
    kopontren: bool = False
    opop: bool = False
    certificates: tuple[str, ...] = ()
    local: bool = False
    availability: str | None = None
    min_price: int | None = None
    max_price: int | None = None
    sort: str = "relevance"
    page: int = 1

    @classmethod
    def from_args(cls, args) -> "SearchRequest":
        read = QueryArgs(args)
        return cls(
            q=read.text("q", max_length=200),
            category=read.number("category", maximum=10**9),
            province=read.region_code("province"), regency=read.region_code("regency"),
            cooperative_type=read.choice("type", (t.value for t in CooperativeType)),
            kopontren=read.flag("kopontren"), opop=read.flag("opop"),
            certificates=read.choices("cert", CERTIFICATE_COLUMNS),
            local=read.flag("local"),
            availability=read.choice("availability", (a.value for a in Availability)),
            min_price=read.number("min_price", maximum=MAX_PRICE),
            max_price=read.number("max_price", maximum=MAX_PRICE),
            sort=read.choice("sort", SORTS) or "relevance",
            page=read.number("page", minimum=1, maximum=MAX_PAGE) or 1,
        )

    def as_args(self, **changes) -> dict:
        """The query string of this search (with changes), for links that keep every other filter."""
        request = replace(self, **changes)
        args = {"q": request.q, "category": request.category, "province": request.province,
                "regency": request.regency, "type": request.cooperative_type,
                "kopontren": "1" if request.kopontren else None, "opop": "1" if request.opop else None,
                "cert": list(request.certificates) or None, "local": "1" if request.local else None,
                "availability": request.availability, "min_price": request.min_price,
                "max_price": request.max_price, "sort": request.sort if request.sort != "relevance" else None,
                "page": request.page if request.page > 1 else None}
        return {key: value for key, value in args.items() if value not in (None, "", [])}

    def toggled_certificates(self, kind: str) -> tuple[str, ...]:
        chosen = set(self.certificates) ^ {kind}
        return tuple(sorted(chosen & set(CERTIFICATE_COLUMNS)))

    def flag(self, name: str) -> bool:
        return bool(getattr(self, name)) if name in {"kopontren", "opop", "local"} else False

    @property
    def active_filters(self) -> list[str]:
        defaults = SearchRequest()
        return [f.name for f in fields(self) if f.name not in ("q", "sort", "page")
                and getattr(self, f.name) != getattr(defaults, f.name)]


@dataclass
class Facet:
    name: str
    counts: list[tuple] = field(default_factory=list)  # (value, label, count)


@dataclass
class SearchResult:
    request: SearchRequest
    entries: list[SearchEntry]
    total: int
    facets: dict[str, Facet]
    cooperatives: list[Cooperative]
    typo_fallback: bool = False

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PER_PAGE))


def _filtered(request: SearchRequest, today: date, skip: str | None = None) -> list:
    conditions = []
    if request.category and skip != "category":
        conditions.append(sa.or_(SearchEntry.category_id == request.category,
                                 SearchEntry.parent_category_id == request.category))
    if request.province and skip != "province":
        conditions.append(SearchEntry.province_code == request.province)
    if request.regency and skip != "regency":
        conditions.append(SearchEntry.regency_code == request.regency)
    if request.cooperative_type and skip != "type":
        conditions.append(SearchEntry.cooperative_type == request.cooperative_type)
    if request.kopontren:
        conditions.append(SearchEntry.is_pesantren.is_(True))
    if request.opop:
        conditions.append(SearchEntry.opop_participant.is_(True))
    for certificate in request.certificates:
        conditions.append(CERTIFICATE_COLUMNS[certificate] >= today)
    if request.local:
        conditions.append(SearchEntry.local_content.is_(True))
    if request.availability and skip != "availability":
        conditions.append(SearchEntry.availability == request.availability)
        if request.availability == Availability.READY_STOCK.value:
            conditions.append(SearchEntry.in_stock.is_(True))
    if request.min_price is not None:
        conditions.append(SearchEntry.base_price >= request.min_price)
    if request.max_price is not None:
        conditions.append(SearchEntry.base_price <= request.max_price)
    return conditions


def search_products(request: SearchRequest, today: date | None = None) -> SearchResult:
    today = today or local_today()
    backend = backend_for(db.engine.dialect.name)
    words = query_words(request.q)
    # Counting and faceting need only which products match; the ranking is computed for the shown page only.
    matching, ranked, typo_fallback = None, None, False
    if words:
        matching, ranked = backend.condition(words), backend.ranked(words)

    def base(*columns, skip=None):
        statement = sa.select(*columns).select_from(SearchEntry).where(*_filtered(request, today, skip))
        return statement.where(matching) if matching is not None else statement

    total, facets = _counts(request, base, today, cacheable=not words)
    similar = backend.similar_names(words) if words and not total else None
    if similar is not None:
        # Nothing matched the words exactly: try names that come close (PostgreSQL's trigrams).
        ranked, typo_fallback = similar, True
        matching = SearchEntry.product_id.in_(sa.select(similar.subquery().c.product_id))
        total, facets = _counts(request, base, today, cacheable=False)
    page = min(request.page, max(1, -(-total // PER_PAGE)))
    statement = base(SearchEntry)
    orders: dict[str, list] = {
        "price_asc": [SearchEntry.base_price, SearchEntry.product_id],
        "price_desc": [SearchEntry.base_price.desc(), SearchEntry.product_id],
        "newest": [SearchEntry.created_at.desc(), SearchEntry.product_id.desc()],
    }
    if request.sort == "most_ordered":
        # How often a product is ordered lives on the product (ordering keeps it), not in the search index.
        statement = statement.join(Product, Product.id == SearchEntry.product_id)
        orders["most_ordered"] = [Product.order_count.desc(), SearchEntry.product_id.desc()]
    order = orders.get(request.sort)
    if order is None and ranked is not None and not request.active_filters:
        # Nothing but words: the text index ranks and pages by itself, then the page's rows are fetched.
        ranks = ranked.subquery("ranks")
        ids = list(db.session.scalars(sa.select(ranks.c.product_id).order_by(ranks.c.rank, ranks.c.product_id)
                                      .limit(PER_PAGE).offset((page - 1) * PER_PAGE)))
        by_id = {entry.product_id: entry for entry in db.session.scalars(
            sa.select(SearchEntry).where(SearchEntry.product_id.in_(ids)))}
        entries = [by_id[product_id] for product_id in ids if product_id in by_id]
        return SearchResult(request=replace(request, page=page), entries=entries, total=total, facets=facets,
                            cooperatives=_matching_cooperatives(words), typo_fallback=typo_fallback)
    if order is None and ranked is not None:
        ranks = ranked.subquery("ranks")
        statement = statement.join(ranks, ranks.c.product_id == SearchEntry.product_id)
        order = [ranks.c.rank, SearchEntry.product_id]
    order = order or [SearchEntry.created_at.desc(), SearchEntry.product_id.desc()]
    entries = list(db.session.scalars(statement.order_by(*order).limit(PER_PAGE).offset((page - 1) * PER_PAGE)))
    return SearchResult(request=replace(request, page=page), entries=entries, total=total, facets=facets,
                        cooperatives=_matching_cooperatives(words), typo_fallback=typo_fallback)


FACET_COLUMNS = {"category": SearchEntry.parent_category_id, "province": SearchEntry.province_code,
                 "type": SearchEntry.cooperative_type, "availability": SearchEntry.availability}
FLAG_COLUMNS = {"kopontren": SearchEntry.is_pesantren, "opop": SearchEntry.opop_participant,
                "local": SearchEntry.local_content}
_browse_cache: OrderedDict = OrderedDict()
BROWSE_CACHE_ENTRIES = 256


def _counts(request: SearchRequest, base, today: date, cacheable: bool) -> tuple[int, dict]:
    """The total and every facet's counts from one pass over the matching rows.

    A facet whose own filter is chosen is counted again without that filter, so the other choices stay
    visible. Browsing without words (the catalog, a category, a province: few combinations, many rows) keeps
    its counts for a short while.
    """
    cache_seconds = current_app.config["SEARCH_FACET_CACHE_SECONDS"]
    key = (today, str(get_locale()), replace(request, page=1, sort="relevance"))
    if cacheable and cache_seconds:
        cached = _browse_cache.get(key)
        if cached and time.monotonic() - cached[0] < cache_seconds:
            return cached[1], cached[2]
    # One scan, grouped by the four facet columns together (a few thousand groups at most), rolled up here.
    sums = [sa.func.count(sa.case((column >= today, 1))) for column in CERTIFICATE_COLUMNS.values()] + [
        sa.func.count(sa.case((column.is_(True), 1))) for column in FLAG_COLUMNS.values()]
    counters = {name: Counter() for name in [*FACET_COLUMNS, *CERTIFICATE_COLUMNS, *FLAG_COLUMNS]}
    total = 0
    grouped = base(*FACET_COLUMNS.values(), sa.func.count(), *sums).group_by(*FACET_COLUMNS.values())
    for *values, count, flag_0, flag_1, flag_2, flag_3, flag_4, flag_5, flag_6 in db.session.execute(grouped):
        total += count
        for name, value in zip(FACET_COLUMNS, values, strict=True):
            counters[name][value] += count
        for name, flag in zip([*CERTIFICATE_COLUMNS, *FLAG_COLUMNS],
                              (flag_0, flag_1, flag_2, flag_3, flag_4, flag_5, flag_6), strict=True):
            counters[name][True] += flag
    chosen = {"category": request.category, "province": request.province, "type": request.cooperative_type,
              "availability": request.availability}
    for name, column in FACET_COLUMNS.items():
        if chosen[name]:
            counters[name] = Counter(dict(db.session.execute(base(column, sa.func.count(), skip=name)
                                                             .group_by(column)).all()))
    if request.province:
        # Within a chosen province, its regencies and cities become a facet too.
        counters["regency"] = Counter(dict(db.session.execute(
            base(SearchEntry.regency_code, sa.func.count(), skip="regency").group_by(SearchEntry.regency_code)).all()))
    facets = _facets(counters)
    if cacheable and cache_seconds:
        _browse_cache[key] = (time.monotonic(), total, facets)
        while len(_browse_cache) > BROWSE_CACHE_ENTRIES:
            _browse_cache.popitem(last=False)
    return total, facets


def _facets(counters: dict[str, Counter]) -> dict[str, Facet]:
    category_names = {category.id: category.name for category in db.session.scalars(sa.select(Category))}
    provinces = counters["province"].most_common(40)
    province_names = dict(db.session.execute(sa.select(Region.code, Region.name).where(
        Region.code.in_([code for code, _count in provinces]))).all()) if provinces else {}
    certificate_labels = {kind.value: kind.label for kind in CertificationKind}
    regencies = counters.get("regency", Counter()).most_common(60)
    regency_names = dict(db.session.execute(sa.select(Region.code, Region.name).where(
        Region.code.in_([code for code, _count in regencies]))).all()) if regencies else {}
    return {
        "regency": Facet("regency", [(code, regency_names.get(code, code), count) for code, count in regencies]),
        "category": Facet("category", sorted(((value, category_names.get(value, "—"), count)
                                              for value, count in counters["category"].items() if value),
                                             key=lambda item: -item[2])),
        "province": Facet("province", [(code, province_names.get(code, code), count) for code, count in provinces]),
        "type": Facet("type", [(value, CooperativeType(value).label, count)
                               for value, count in counters["type"].most_common()]),
        "availability": Facet("availability", [(value, Availability(value).label, count)
                                               for value, count in counters["availability"].most_common()]),
        "cert": Facet("cert", [(kind, certificate_labels[kind], counters[kind][True]) for kind in CERTIFICATE_COLUMNS]),
        "flags": Facet("flags", [(name, None, counters[name][True]) for name in FLAG_COLUMNS]),
    }


def _matching_cooperatives(words: list[str], limit: int = 4) -> list[Cooperative]:
    """Verified cooperatives whose name holds every word (a small table: a plain LIKE is enough)."""
    if not words:
        return []
    query = sa.select(Cooperative).where(Cooperative.status == CooperativeStatus.VERIFIED)
    for word in words:
        query = query.where(sa.func.lower(Cooperative.name).like(f"%{word}%"))
    return list(db.session.scalars(query.order_by(Cooperative.name).limit(limit)))


def suggestion_for_empty(request: SearchRequest) -> list[tuple[str, dict]]:
    """What to loosen when nothing matched: each active filter, removed one at a time."""
    suggestions = []
    for name in request.active_filters:
        default = getattr(SearchRequest(), name)
        suggestions.append((name, request.as_args(**{name: default, "page": 1})))
    if request.q and not request.active_filters:
        suggestions.append(("q", request.as_args(q="", page=1)))
    return suggestions

