"""The letters a cooperative's order numbers start with (TSJ in TSJ-2026-000123), given when it registers.

Given then, and not with its first order, so a checkout never has to write the cooperative's row: a checkout
that did would hold that row's lock while other checkouts at the same cooperative wait on it, and deadlock."""

import sqlalchemy as sa

from marketplace.cooperatives.models import Cooperative
from marketplace.core.errors import Conflict
from marketplace.core.text import slugify
from marketplace.core.unit_of_work import refused_by_database
from marketplace.extensions import db

# Words every cooperative's name carries: they say nothing about which one it is.
COMMON_WORDS = frozenset({"koperasi", "kop", "kopontren", "pondok", "pesantren", "ponpes", "primer", "sekunder",
                          "dan", "produsen", "konsumen", "serba", "usaha", "kelompok"})


def initials_of(name: str) -> str:
    """`Koperasi Produsen Tunas Sukowati Jaya` → `TSJ`."""
    words = [word for word in slugify(name, max_length=160).split("-") if word and word not in COMMON_WORDS]
    initials = "".join(word[0] for word in words[:4]).upper()
    return initials if len(initials) >= 2 else (initials + "KOP")[:3]


def _candidates(cooperative: Cooperative):
    base = initials_of(cooperative.name)
    yield base
    for number in range(2, 100):
        yield f"{base[:5]}{number}"
    yield f"K{cooperative.id}"  # unique by construction


def assign_order_prefix(cooperative: Cooperative) -> str:
    """Give the cooperative the first free letters; a cooperative that took the same letters at the same moment
    makes the database refuse, and the next candidate is tried."""
    if cooperative.order_prefix:
        return cooperative.order_prefix
    db.session.flush()  # the cooperative has its id
    for candidate in _candidates(cooperative):
        if db.session.scalar(sa.select(Cooperative.id).where(Cooperative.order_prefix == candidate)) is not None:
            continue
        try:
            with refused_by_database(lambda: Conflict("order prefix taken")):
                db.session.execute(sa.update(Cooperative).where(Cooperative.id == cooperative.id,
                                                                Cooperative.order_prefix.is_(None))
                                   .values(order_prefix=candidate))
        except Conflict:
            continue
        db.session.expire(cooperative, ["order_prefix"])
        return cooperative.order_prefix or candidate
    raise RuntimeError("no free order prefix")  # unreachable: K<id> is free
