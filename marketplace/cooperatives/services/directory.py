"""What the public sees of cooperatives: only verified ones, filtered by what buyers look for."""

from dataclasses import dataclass
from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy.orm import load_only

from marketplace.cooperatives.models import Cooperative, CooperativeStatus, CooperativeType, rat_due_year
from marketplace.cooperatives.permissions import Capability, can
from marketplace.cooperatives.services.profile import BADGE_COLUMNS
from marketplace.core.errors import NotFound
from marketplace.core.i18n import gettext as _
from marketplace.core.query_args import QueryArgs
from marketplace.extensions import db


@dataclass(frozen=True)
class CooperativeFilters:
    province: str | None = None
    regency: str | None = None
    cooperative_type: str | None = None
    kopontren: bool = False
    opop: bool = False
    rat_recent: bool = False

    @classmethod
    def from_args(cls, args) -> "CooperativeFilters":
        read = QueryArgs(args)
        return cls(province=read.region_code("province"), regency=read.region_code("regency"),
                   cooperative_type=read.choice("type", (item.value for item in CooperativeType)),
                   kopontren=read.flag("kopontren"), opop=read.flag("opop"), rat_recent=read.flag("rat"))

    @property
    def active(self) -> bool:
        return any(vars(self).values())


# What a directory card shows of a cooperative besides its badges: only these are read, and touching another
# column raises rather than quietly querying.
CARD_COLUMNS = (Cooperative.id, Cooperative.slug, Cooperative.name, Cooperative.logo, Cooperative.cooperative_type,
                Cooperative.regency_code)


def public_cooperatives_query(filters: CooperativeFilters) -> sa.Select:
    return _public_cooperatives_query(filters, rat_due_year())


@lru_cache(maxsize=256)
def _public_cooperatives_query(filters: CooperativeFilters, due_year: int) -> sa.Select:
    """Built once per filters (and RAT year): building a statement and working out its cache key cost more than
    running it, and the same statement object lets pagination keep its count and keys statements too."""
    query = (sa.select(Cooperative).options(load_only(*CARD_COLUMNS, *BADGE_COLUMNS, raiseload=True))
             .where(Cooperative.status == CooperativeStatus.VERIFIED))
    if filters.province:
        query = query.where(Cooperative.province_code == filters.province)
    if filters.regency:
        query = query.where(Cooperative.regency_code == filters.regency)
    if filters.cooperative_type:
        query = query.where(Cooperative.cooperative_type == filters.cooperative_type)
    if filters.kopontren:
        query = query.where(Cooperative.is_pesantren.is_(True))
    if filters.opop:
        query = query.where(Cooperative.opop_participant.is_(True))
    if filters.rat_recent:
        query = query.where(Cooperative.last_rat_book_year >= due_year)
    return query.order_by(Cooperative.name, Cooperative.id)


def visible_cooperative(viewer, slug: str) -> tuple[Cooperative, bool]:
    """A cooperative's public profile and whether the viewer is one of its insiders (its staff or a platform
    admin). One not yet (or no longer) verified is seen by its insiders only; to anyone else it does not exist."""
    cooperative = cooperative_by_slug(slug)
    is_insider = can(viewer, cooperative, Capability.VIEW_DASHBOARD)
    if not cooperative.is_public and not is_insider:
        raise NotFound(_("This cooperative does not exist."))
    return cooperative, is_insider


def cooperative_by_slug(slug: str) -> Cooperative:
    cooperative = db.session.scalar(sa.select(Cooperative).where(Cooperative.slug == slug))
    if cooperative is None:
        raise NotFound(_("This cooperative does not exist."))
    return cooperative
