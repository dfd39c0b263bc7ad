"""Order numbers without gaps per cooperative and year (TSJ-2026-000123)."""

import secrets

from marketplace.cooperatives.models import Cooperative
from marketplace.core.sequences import next_in_sequence
from marketplace.ordering.models import OrderNumberCounter

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread on paper


def order_prefix_of(cooperative: Cooperative) -> str:
    """Given at registration. A cooperative loaded some other way without one is numbered `K-<id>`: unique (given
    letters never hold a hyphen), and a checkout never writes the cooperative's row (its lock would make
    checkouts at that cooperative wait on each other, and deadlock)."""
    return cooperative.order_prefix or f"K-{cooperative.id}"


def next_order_number(cooperative: Cooperative, year: int) -> tuple[int, str]:
    """The next number of the year, counted under the counter row's lock in the caller's transaction: a
    rolled-back checkout hands its number back, so the numbers stay without gaps."""
    sequence = next_in_sequence(OrderNumberCounter, cooperative_id=cooperative.id, year=year)
    return sequence, f"{order_prefix_of(cooperative)}-{year}-{sequence:06d}"


def random_code(length: int) -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(length))
