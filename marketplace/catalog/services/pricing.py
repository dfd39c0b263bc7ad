"""Wholesale pricing: the unit price at a quantity, and what makes a tier table valid."""

from collections.abc import Sequence
from dataclasses import dataclass

from marketplace.core.i18n import gettext as _

# Far above any cooperative's price, and safely inside the payment processor's 12-digit limit.
MAX_UNIT_PRICE = 1_000_000_000
# The largest quantity a buyer may ask a price for on a product page; beyond it nothing is quoted.
MAX_ASKED_QUANTITY = 1_000_000


def unit_price_at(base_price: int, tiers: Sequence[tuple[int, int]], quantity: int) -> int:
    """The price of one unit when `quantity` units are bought: the deepest tier reached, else the base."""
    price = base_price
    for min_quantity, tier_price in sorted(tiers):
        if quantity >= min_quantity:
            price = tier_price
    return price


def tier_problems(base_price: int, min_order_quantity: int, tiers: Sequence[tuple[int, int]]) -> list[str]:
    """Tiers start above one unit, never below the minimum order, and get cheaper as quantity grows."""
    problems = []
    previous_quantity, previous_price = 0, base_price
    for min_quantity, price in tiers:
        if min_quantity < 2:
            problems.append(_("A wholesale tier starts at 2 units or more."))
        elif min_quantity < min_order_quantity:
            problems.append(_("The tier from %(quantity)d units is below the minimum order of %(moq)d.",
                              quantity=min_quantity, moq=min_order_quantity))
        if min_quantity <= previous_quantity:
            problems.append(_("Tier quantities must go up: %(quantity)d comes after %(previous)d.",
                              quantity=min_quantity, previous=previous_quantity))
        if price <= 0 or price > MAX_UNIT_PRICE:
            problems.append(_("A tier price must be between Rp 1 and Rp 1.000.000.000."))
        elif price >= previous_price:
            problems.append(_("The price from %(quantity)d units must be lower than the price before it.",
                              quantity=min_quantity))
        previous_quantity, previous_price = min_quantity, price
    return problems


def price_bands(base_price: int, min_order_quantity: int, tiers: Sequence[tuple[int, int]]) -> list[tuple]:
    """The price table a buyer reads: (from quantity, up to quantity or None, unit price)."""
    starts = [(min_order_quantity, base_price), *sorted(tiers)]
    # A tier that starts at the minimum order replaces the base price for every quantity one may buy.
    starts = [start for index, start in enumerate(starts)
              if index + 1 == len(starts) or starts[index + 1][0] > start[0]]
    bands = []
    for index, (start, price) in enumerate(starts):
        end = starts[index + 1][0] - 1 if index + 1 < len(starts) else None
        bands.append((start, end, price))
    return bands


def tier_pairs(product) -> list[tuple[int, int]]:
    return [(tier.min_quantity, tier.unit_price) for tier in product.tiers]


@dataclass(frozen=True)
class Quote:
    quantity: int
    unit_price: int
    total: int
    below_minimum: bool


def quote(product, quantity: int) -> Quote:
    """What `quantity` units of a product cost at its wholesale tiers, and whether it is below the minimum order."""
    unit_price = unit_price_at(product.base_price, tier_pairs(product), quantity)
    return Quote(quantity=quantity, unit_price=unit_price, total=unit_price * quantity,
                 below_minimum=quantity < product.min_order_quantity)


def quote_asked(product, asked: int | None) -> Quote | None:
    """The price of a quantity a buyer asked for on the product page, raised to the minimum order; nothing for
    no quantity or an absurd one."""
    if asked is None or not 0 < asked <= MAX_ASKED_QUANTITY:
        return None
    return quote(product, max(asked, product.min_order_quantity))
