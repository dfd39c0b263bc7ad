"""What the home page shows beside the search box: categories, OPOP products, cooperatives by region."""

import sqlalchemy as sa

from marketplace.catalog.services.categories import category_tree
from marketplace.cooperatives.models import Cooperative, CooperativeStatus
from marketplace.core.regions import Region
from marketplace.extensions import db
from marketplace.search.models import SearchEntry


def featured_categories(limit: int = 8) -> list[tuple]:
    """Top-level categories with how many public products each holds, largest first."""
    counts = dict(db.session.execute(sa.select(SearchEntry.parent_category_id, sa.func.count())
                                      .group_by(SearchEntry.parent_category_id)).all())
    nodes = [(node.category, counts.get(node.category.id, 0)) for node in category_tree()]
    return sorted(nodes, key=lambda item: (-item[1], item[0].position))[:limit]


def opop_products(limit: int = 8) -> list[SearchEntry]:
    return list(db.session.scalars(sa.select(SearchEntry).where(SearchEntry.opop_participant.is_(True))
                                   .order_by(SearchEntry.created_at.desc(), SearchEntry.product_id.desc())
                                   .limit(limit)))


def cooperatives_by_region(limit: int = 10) -> list[tuple]:
    """(province, number of verified cooperatives), most first."""
    return list(db.session.execute(
        sa.select(Region, sa.func.count(Cooperative.id)).join(Cooperative, Cooperative.province_code == Region.code)
        .where(Cooperative.status == CooperativeStatus.VERIFIED).group_by(Region.code)
        .order_by(sa.func.count(Cooperative.id).desc(), Region.name).limit(limit)).all())
