"""What the home page shows beside the search box: categories, OPOP products, cooperatives by region."""

import sqlalchemy as sa

from marketplace.catalog.services.categories import category_tree
from marketplace.cooperatives.models import Cooperative, CooperativeStatus
from marketplace.core.regions import ReferenceRegion, provinces
from marketplace.extensions import db
from marketplace.search.models import SearchEntry
from marketplace.search.services.backends import backend_for
from marketplace.search.services.columns import facet_columns, facet_columns_in_use


def featured_categories(limit: int = 8) -> list[tuple]:
    """Top-level categories with how many public products each holds, largest first: counted over the worker's
    facet columns (counting the index's rows in the database read all of them, 7–11 ms a home page)."""
    if facet_columns_in_use(db.session()):
        counts = facet_columns().products_by_parent_category(db.session(), backend_for(db.engine.dialect.name))
    else:
        counts = dict(db.session.execute(sa.select(SearchEntry.parent_category_id, sa.func.count())
                                          .group_by(SearchEntry.parent_category_id)).all())
    nodes = [(node.category, counts.get(node.category.id, 0)) for node in category_tree()]
    return sorted(nodes, key=lambda item: (-item[1], item[0].position))[:limit]


def opop_products(limit: int = 8) -> list[SearchEntry]:
    return list(db.session.scalars(sa.select(SearchEntry).where(SearchEntry.opop_participant.is_(True))
                                   .order_by(SearchEntry.created_at.desc(), SearchEntry.product_id.desc())
                                   .limit(limit)))


def cooperatives_by_region(limit: int = 10) -> list[tuple[ReferenceRegion, int]]:
    """(province, number of verified cooperatives), most first: counted from the cooperatives' (status, province)
    index alone, the provinces named from the reference list."""
    by_code = {province.code: province for province in provinces()}
    counts = db.session.execute(sa.select(Cooperative.province_code, sa.func.count())
                                .where(Cooperative.status == CooperativeStatus.VERIFIED)
                                .group_by(Cooperative.province_code)).all()
    found = [(by_code[code], count) for code, count in counts if code in by_code]
    return sorted(found, key=lambda item: (-item[1], item[0].name))[:limit]
