"""Faceted search over the index: filters from the query string, text matching, facet counts, sorting.

Every filter value is checked against what it may be; anything else is ignored rather than refused, so a
bookmarked or hand-edited address always gives a normal page.
"""

from collections import Counter
from dataclasses import dataclass, field, fields, replace
from datetime import date
from functools import cached_property
from urllib.parse import urlencode

import numpy as np
import sqlalchemy as sa
from flask import current_app

from marketplace.catalog.models import Availability, Category, CertificationKind, Product
from marketplace.cooperatives.models import Cooperative, CooperativeStatus, CooperativeType
from marketplace.core.cache import data_cache
from marketplace.core.i18n import current_locale
from marketplace.core.query_args import QueryArgs
from marketplace.core.regions import region_name
from marketplace.core.timeutil import local_today
from marketplace.extensions import db
from marketplace.search.models import SearchEntry
from marketplace.search.services.backends import backend_for, ranked_ids_of
from marketplace.search.services.columns import Counted, facet_columns, facet_columns_in_use
from marketplace.search.services.text import query_words

PER_PAGE = 24
MAX_PAGE = 400
SORTS = ("relevance", "price_asc", "price_desc", "newest", "most_ordered")
CERTIFICATE_COLUMNS = {
    CertificationKind.HALAL.value: SearchEntry.halal_until, CertificationKind.PIRT.value: SearchEntry.pirt_until,
    CertificationKind.BPOM_MD.value: SearchEntry.bpom_md_until, CertificationKind.SNI.value: SearchEntry.sni_until,
}
MAX_PRICE = 10**12


def certificate_names() -> dict[str, str]:
    """Each certificate kind the index filters by, with its name in the reader's language, in the index's order."""
    return {kind: CertificationKind(kind).label for kind in CERTIFICATE_COLUMNS}


# Each field's name in the query string, in the order links write them.
ARG_NAMES = {"q": "q", "category": "category", "province": "province", "regency": "regency",
             "cooperative_type": "type", "kopontren": "kopontren", "opop": "opop", "certificates": "cert",
             "local": "local", "availability": "availability", "min_price": "min_price", "max_price": "max_price",
             "sort": "sort", "page": "page"}


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
        _check_fields(changes)
        args = {}
        for name, arg in ARG_NAMES.items():
            value = _arg_value(name, changes[name] if name in changes else getattr(self, name))
            if value is not None:
                args[arg] = value
        return args

    def href(self, **changes) -> str:
        """A link to this search with changes, relative to the search page (`?q=batik&province=35`): a page
        draws sixty-odd of these, so they skip the router, and only the changed fields are encoded again."""
        _check_fields(changes)
        encoded = self._encoded_args
        parts = [_encoded_arg(name, changes[name]) if name in changes else encoded[name] for name in ARG_NAMES]
        return "?" + "&".join(part for part in parts if part)

    @cached_property
    def _encoded_args(self) -> dict[str, str]:
        return {name: _encoded_arg(name, getattr(self, name)) for name in ARG_NAMES}

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


def _check_fields(changes: dict) -> None:
    unknown = changes.keys() - ARG_NAMES.keys()
    if unknown:
        raise TypeError(f"SearchRequest has no field {', '.join(sorted(unknown))}")


def _arg_value(name: str, value):
    """A field's value as the query string writes it; None when a link leaves it out (its default)."""
    if name in ("kopontren", "opop", "local"):
        return "1" if value else None
    if name == "certificates":
        return list(value) or None
    if name == "sort":
        return value if value != "relevance" else None
    if name == "page":
        return value if value > 1 else None
    return None if value in (None, "") else value


def _encoded_arg(name: str, value) -> str:
    value = _arg_value(name, value)
    return "" if value is None else urlencode({ARG_NAMES[name]: value}, doseq=True)


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
    """Every condition of the request but `skip`: one facet's filter, or "facets" for all of them."""
    conditions = [] if skip == "facets" else [condition for name, condition in _facet_filters(request).items()
                                              if name != skip]
    if request.kopontren:
        conditions.append(SearchEntry.is_pesantren.is_(True))
    if request.opop:
        conditions.append(SearchEntry.opop_participant.is_(True))
    for certificate in request.certificates:
        conditions.append(CERTIFICATE_COLUMNS[certificate] >= today)
    if request.local:
        conditions.append(SearchEntry.local_content.is_(True))
    if request.min_price is not None:
        conditions.append(SearchEntry.base_price >= request.min_price)
    if request.max_price is not None:
        conditions.append(SearchEntry.base_price <= request.max_price)
    return conditions


def _facet_filters(request: SearchRequest) -> dict:
    """The chosen filters that are also facets, each as one condition (a facet ignores its own filter)."""
    chosen: dict = {}
    if request.category:
        chosen["category"] = sa.or_(SearchEntry.category_id == request.category,
                                    SearchEntry.parent_category_id == request.category)
    if request.province:
        chosen["province"] = SearchEntry.province_code == request.province
    if request.regency:
        chosen["regency"] = SearchEntry.regency_code == request.regency
    if request.cooperative_type:
        chosen["type"] = SearchEntry.cooperative_type == request.cooperative_type
    if request.availability:
        available = SearchEntry.availability == request.availability
        if request.availability == Availability.READY_STOCK.value:
            available = sa.and_(available, SearchEntry.in_stock.is_(True))
        chosen["availability"] = available
    return chosen


def search_products(request: SearchRequest, today: date | None = None) -> SearchResult:
    today = today or local_today()
    backend = backend_for(db.engine.dialect.name)
    words = query_words(request.q)
    found = data_cache().remember(_cache_key("found", today, request),
                                  current_app.config["SEARCH_RESULT_CACHE_SECONDS"],
                                  lambda: _find(request, backend, words, today))
    by_id = {entry.product_id: entry for entry in db.session.scalars(
        sa.select(SearchEntry).where(SearchEntry.product_id.in_(found["ids"])))} if found["ids"] else {}
    cooperatives = list(db.session.scalars(sa.select(Cooperative).where(
        Cooperative.id.in_(found["cooperative_ids"])).order_by(Cooperative.name))) if found["cooperative_ids"] else []
    return SearchResult(request=replace(request, page=found["page"]), total=found["total"],
                        entries=[by_id[product_id] for product_id in found["ids"] if product_id in by_id],
                        facets=_facets_from(found["facets"]), cooperatives=cooperatives,
                        typo_fallback=found["typo_fallback"])


def _cache_key(kind: str, today: date, request: SearchRequest) -> str:
    return f"search:{kind}:{today.isoformat()}:{current_locale()}:{request.as_args()}"


def _find(request: SearchRequest, backend, words: list[str], today: date) -> dict:
    """Which products (ids, in order) a page shows, how many match in all, and the facets: plain data that
    can be kept in the cache and shared between workers; the cards themselves are always read fresh."""
    matching, typo_fallback = (backend.condition(words) if words else None), False
    passing: list[Counted] = []  # what passes every filter, when the facet columns counted it
    close_ranked: list[tuple] = []  # the close names' (ids, ranks), when the facet columns counted them
    counted = _counted(request, today, matching, backend, words, passing=passing)
    if words and not counted["total"] and not request.active_filters:
        # The words match nothing at all: try names that come close (PostgreSQL's trigrams). With filters
        # chosen, the page suggests loosening them instead.
        similar = backend.similar_names(words)
        if similar is not None:
            close = similar.subquery()
            matching = SearchEntry.product_id.in_(sa.select(close.c.product_id))

            def close_ids():
                close_ranked.append(ranked_ids_of(db.session.connection(), close))
                return close_ranked[0][0]

            counted = _counted(request, today, matching, backend, words=None, cacheable=False,
                               close_ids=close_ids)
            typo_fallback = True
    page = min(request.page, max(1, -(-counted["total"] // PER_PAGE)))
    request = replace(request, page=page)
    if typo_fallback and close_ranked:  # ranked already: the names' similarity came with their ids
        close_ids_found, ranks = close_ranked[0]
        in_order = close_ids_found[np.lexsort((close_ids_found, ranks))]
        ids = in_order[(page - 1) * PER_PAGE:page * PER_PAGE].tolist()
    elif typo_fallback:
        ids = _page_ranked_by(similar, request)
    elif words and request.sort == "relevance":
        if not passing and counted["total"] and facet_columns_in_use(db.session()):  # the counts came from the cache
            passing.append(facet_columns().count(db.session(), backend, request, today, words))
        ids = _page_by_relevance(request, backend, words, today, matching, counted["total"],
                                 passing[0] if passing else None)
    elif words and passing and request.sort in ("price_asc", "price_desc"):
        # The matches, already counted in memory, sorted there: in the database a broad word's matches are
        # read again along the price index (7–17 ms).
        ids = passing[0].by_price((page - 1) * PER_PAGE, PER_PAGE, descending=request.sort == "price_desc")
    else:
        ids = _page_sorted(request, today, matching)
    return {**counted, "page": page, "ids": ids, "typo_fallback": typo_fallback,
            "cooperative_ids": _matching_cooperatives(backend, words)}


def _base(request: SearchRequest, today: date, matching, *columns) -> sa.Select:
    statement = sa.select(*columns).select_from(SearchEntry).where(*_filtered(request, today))
    return statement.where(matching) if matching is not None else statement


SORT_ORDERS: dict[str, list] = {
    "price_asc": [SearchEntry.base_price, SearchEntry.product_id],
    "price_desc": [SearchEntry.base_price.desc(), SearchEntry.product_id],
    "newest": [SearchEntry.created_at.desc(), SearchEntry.product_id.desc()],
    "relevance": [SearchEntry.created_at.desc(), SearchEntry.product_id.desc()],  # without words: newest first
}


def _page_sorted(request: SearchRequest, today: date, matching) -> list[int]:
    statement = _base(request, today, matching, SearchEntry.product_id)
    if request.sort == "most_ordered":
        # How often a product is ordered lives on the product (ordering keeps it), not in the search index.
        statement = statement.join(Product, Product.id == SearchEntry.product_id)
        order: list = [Product.order_count.desc(), Product.id.desc()]
    else:
        order = SORT_ORDERS[request.sort]
    return list(db.session.scalars(statement.order_by(*order).limit(PER_PAGE)
                                   .offset((request.page - 1) * PER_PAGE)))


# Text ranking is worked out for at most this many matches: the newest ones (50 pages). A word found in a tenth
# of a large catalogue would otherwise be ranked in full on every search, for differences nobody pages to see;
# the rest follow, newest first, so every match still has one place in the order.
RANK_CANDIDATES = 50 * PER_PAGE


def _page_by_relevance(request: SearchRequest, backend, words: list[str], today: date, matching,
                       total: int, passing: Counted | None) -> list[int]:
    """`passing`, when known: the products passing the words and filters, as the facet columns counted and
    ranked them; then the page is read off in memory."""
    offset = (request.page - 1) * PER_PAGE
    if not total:
        return []
    if passing is not None:
        return passing.by_relevance(offset, PER_PAGE, RANK_CANDIDATES)
    if offset >= RANK_CANDIDATES:  # past the ranked matches, the rest follow newest first
        return list(db.session.scalars(_base(request, today, matching, SearchEntry.product_id)
                                       .order_by(SearchEntry.product_id.desc()).limit(PER_PAGE).offset(offset)))
    newest = RANK_CANDIDATES if total > RANK_CANDIDATES else None  # the count says whether a bound is needed
    return _page_ranked_by(backend.ranked(words, newest=newest, where=_filtered(request, today)), request)


def _page_ranked_by(ranked: sa.Select, request: SearchRequest) -> list[int]:
    ranks = ranked.subquery("ranks")
    return list(db.session.scalars(sa.select(ranks.c.product_id).order_by(ranks.c.rank, ranks.c.product_id)
                                   .limit(PER_PAGE).offset((request.page - 1) * PER_PAGE)))


FACET_COLUMNS = {"category": SearchEntry.parent_category_id, "province": SearchEntry.province_code,
                 "type": SearchEntry.cooperative_type, "availability": SearchEntry.availability}
FLAG_COLUMNS = {"kopontren": SearchEntry.is_pesantren, "opop": SearchEntry.opop_participant,
                "local": SearchEntry.local_content}


def _counted(request: SearchRequest, today: date, matching, backend, words: list[str] | None,
             cacheable: bool = True, passing: list[Counted] | None = None, close_ids=None) -> dict:
    """The total and every facet's counts, kept for a short while (page and order do not change them).

    `words` are what `matching` asks for; None when it asks for names close to a misspelt word, whose ids
    `close_ids()` gives. The worker's facet columns count, unless this transaction has itself written to the
    index (the columns must only ever hold what is committed) or they are turned off: then the database does.
    What the columns found passing every filter is added to `passing`, for ranking and sorting.
    """
    def count() -> dict:
        if (words is not None or close_ids is not None) and facet_columns_in_use(db.session()):
            counted = facet_columns().count(db.session(), backend, request, today, words or [],
                                            matching=close_ids() if close_ids else None)
            total, counters = counted.total, counted.counters
            if passing is not None:
                passing.append(counted)
        else:
            total, counters = _count(request, today, matching, backend.counts_in_one_pass)
        return {"total": total, "facets": _facets(counters)}

    seconds = current_app.config["SEARCH_FACET_CACHE_SECONDS"] if cacheable else 0
    return data_cache().remember(_cache_key("counts", today, replace(request, page=1, sort="relevance")), seconds,
                                 count)


def _count(request: SearchRequest, today: date, matching, one_pass: bool) -> tuple[int, dict[str, Counter]]:
    """The total and every facet's counts. A facet ignores its own filter, so a chosen category still shows its
    siblings.

    In one pass (`one_pass`, with words): the matching rows are grouped by the facet columns and by whether each
    chosen facet filter holds, and a facet counts the groups passing every *other* chosen filter. Otherwise the
    rows passing every filter are counted, and each chosen facet again without its own filter: without words a
    chosen filter (a category, a province) is what makes the rows few, and each extra count reads one column's
    index.
    """
    chosen = _facet_filters(request)
    if one_pass and matching is not None:
        return _count_rows(request, today, matching, chosen, skip="facets")
    total, counters = _count_rows(request, today, matching, {}, skip=None)

    def count_by(column, skip: str | None) -> Counter:
        statement = (sa.select(column, sa.func.count()).select_from(SearchEntry)
                     .where(*_filtered(request, today, skip=skip)).group_by(column))
        return Counter(dict(db.session.execute(statement.where(matching) if matching is not None else statement)
                            .all()))

    for name in chosen:
        counters[name] = count_by(FACET_COLUMNS.get(name, SearchEntry.regency_code), skip=name)
    if request.province and "regency" not in chosen:
        counters["regency"] = count_by(SearchEntry.regency_code, skip=None)
    return total, counters


def _count_rows(request: SearchRequest, today: date, matching, chosen: dict,
                skip: str | None) -> tuple[int, dict[str, Counter]]:
    """One grouped pass over the rows passing every filter but `skip`, split by whether each `chosen` filter
    holds (see `_count`)."""
    group_columns = [*FACET_COLUMNS.values()]
    if chosen and (request.province or request.regency):
        group_columns.append(SearchEntry.regency_code)  # within a chosen province, its regencies are a facet
    tests = [sa.case((condition, 1), else_=0) for condition in chosen.values()]
    sums = [sa.func.count(sa.case((column >= today, 1))) for column in CERTIFICATE_COLUMNS.values()] + [
        sa.func.count(sa.case((column.is_(True), 1))) for column in FLAG_COLUMNS.values()]
    statement = (sa.select(*group_columns, *tests, sa.func.count(), *sums).select_from(SearchEntry)
                 .where(*_filtered(request, today, skip=skip)).group_by(*group_columns, *tests))
    if matching is not None:
        statement = statement.where(matching)
    counters = {name: Counter() for name in [*FACET_COLUMNS, "regency", *CERTIFICATE_COLUMNS, *FLAG_COLUMNS]}
    total, names, flags = 0, list(chosen), [*CERTIFICATE_COLUMNS, *FLAG_COLUMNS]
    for row in db.session.execute(statement):
        cells: tuple = tuple(row)
        values, held = cells[:len(group_columns)], cells[len(group_columns):len(group_columns) + len(names)]
        count, sums_of_row = cells[len(group_columns) + len(names)], cells[len(group_columns) + len(names) + 1:]
        failed = [name for name, holds in zip(names, held, strict=True) if not holds]
        if len(failed) > 1:
            continue
        for name, value in zip(FACET_COLUMNS, values, strict=False):
            if not failed or failed == [name]:
                counters[name][value] += count
        if len(values) > len(FACET_COLUMNS) and (not failed or failed == ["regency"]):
            counters["regency"][values[-1]] += count
        if not failed:
            total += count
            for name, flag_count in zip(flags, sums_of_row, strict=True):
                counters[name][True] += flag_count
    return total, counters


def _facets(counters: dict[str, Counter]) -> dict[str, list]:
    """Each facet as [value, label, count] rows: plain data, with the labels in the request's language."""
    category_names = dict(db.session.execute(sa.select(Category.id, Category.name_column())).all())
    provinces = counters["province"].most_common(40)
    regencies = counters["regency"].most_common(60)
    certificate_labels = certificate_names()
    facets = {
        "regency": [(code, region_name(code) or code, count) for code, count in regencies],
        "category": sorted(((value, category_names.get(value, "—"), count)
                            for value, count in counters["category"].items() if value), key=lambda item: -item[2]),
        "province": [(code, region_name(code) or code, count) for code, count in provinces],
        "type": [(value, CooperativeType(value).label, count) for value, count in counters["type"].most_common()],
        "availability": [(value, Availability(value).label, count)
                         for value, count in counters["availability"].most_common()],
        "cert": [(kind, certificate_labels[kind], counters[kind][True]) for kind in CERTIFICATE_COLUMNS],
        "flags": [(name, None, counters[name][True]) for name in FLAG_COLUMNS],
    }
    return {name: [[value, None if label is None else str(label), count] for value, label, count in rows]
            for name, rows in facets.items()}


def _facets_from(data: dict[str, list]) -> dict[str, Facet]:
    return {name: Facet(name, [tuple(row) for row in rows]) for name, rows in data.items()}


def _matching_cooperatives(backend, words: list[str], limit: int = 4) -> list[int]:
    """Verified cooperatives whose name holds every word, first by name: the back end's trigrams narrow which
    names are read."""
    if not words:
        return []
    query = sa.select(Cooperative.id).where(Cooperative.status == CooperativeStatus.VERIFIED)
    named = backend.cooperatives_named(db.session.connection(), words)
    if named == []:
        return []  # no name holds the words
    if named is not None:
        query = query.where(Cooperative.id.in_(named))
    for word in words:
        query = query.where(backend.contains(Cooperative.name, word))
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

