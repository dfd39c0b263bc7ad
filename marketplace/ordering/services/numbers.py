"""Order numbers without gaps per cooperative and year (TSJ-2026-000123), and the letters they start with."""

import secrets

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from marketplace.cooperatives.models import Cooperative
from marketplace.core.errors import Conflict
from marketplace.core.text import slugify
from marketplace.core.unit_of_work import refused_by_database
from marketplace.extensions import db
from marketplace.ordering.models import OrderNumberCounter

# Words every cooperative's name carries: they say nothing about which one it is.
_COMMON_WORDS = {"koperasi", "kop", "kopontren", "pondok", "pesantren", "ponpes", "primer", "sekunder", "dan",
                 "produsen", "konsumen", "serba", "usaha", "kelompok"}
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread on paper


def _initials(name: str) -> str:
    words = [word for word in slugify(name, max_length=160).split("-") if word not in _COMMON_WORDS]
    initials = "".join(word[0] for word in words[:4]).upper()
    return initials if len(initials) >= 2 else (initials + "KOP")[:3]


def _prefix_candidates(cooperative: Cooperative):
    base = _initials(cooperative.name)
    yield base
    for number in range(2, 100):
        yield f"{base[:5]}{number}"
    yield f"K{cooperative.id}"


def order_prefix_of(cooperative: Cooperative) -> str:
    """The cooperative's order-number letters, given with its first order; a cooperative that took the same
    letters at the same moment makes the database refuse, and the next free letters are tried."""
    if cooperative.order_prefix:
        return cooperative.order_prefix
    for candidate in _prefix_candidates(cooperative):
        taken = db.session.scalar(sa.select(Cooperative.id).where(Cooperative.order_prefix == candidate))
        if taken is not None:
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
    raise RuntimeError("no free order prefix")  # cannot happen: K<id> is unique


def next_order_number(cooperative: Cooperative, year: int) -> tuple[int, str]:
    """The next number of the year, counted under the counter row's lock in the caller's transaction: a
    rolled-back checkout hands its number back, so the numbers stay without gaps."""
    values = {"cooperative_id": cooperative.id, "year": year, "last_number": 0}
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    db.session.execute(insert(OrderNumberCounter).values(**values).on_conflict_do_nothing())
    counter = db.session.scalars(
        sa.select(OrderNumberCounter).where(OrderNumberCounter.cooperative_id == cooperative.id,
                                            OrderNumberCounter.year == year)
        .with_for_update().execution_options(populate_existing=True)).one()
    counter.last_number += 1
    sequence = counter.last_number
    return sequence, f"{order_prefix_of(cooperative)}-{year}-{sequence:06d}"


def random_code(length: int) -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(length))
