"""Shortlists: a buyer's own lists of products and suppliers, with notes, compared side by side."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from marketplace.accounts.models import User
from marketplace.catalog.models import Product, ProductStatus
from marketplace.catalog.services.pricing import quote
from marketplace.catalog.services.public import valid_certifications
from marketplace.cooperatives.models import Cooperative, CooperativeStatus
from marketplace.cooperatives.services.profile import badges_of
from marketplace.core.errors import Conflict, DomainError, NotFound
from marketplace.core.i18n import gettext as _
from marketplace.core.unit_of_work import refused_by_database
from marketplace.extensions import db
from marketplace.sourcing.models import Shortlist, ShortlistItem

MAX_COMPARED = 4
MAX_ITEMS = 200


def shortlists_of(actor: User) -> list[Shortlist]:
    return list(db.session.scalars(sa.select(Shortlist).where(Shortlist.owner_id == actor.id)
                                   .order_by(Shortlist.updated_at.desc(), Shortlist.id.desc())))


def shortlist_of(actor: User, shortlist_id: int) -> Shortlist:
    """The person's own shortlist; anyone else's is not found, whatever its id."""
    shortlist = db.session.scalar(sa.select(Shortlist).where(Shortlist.id == shortlist_id,
                                                             Shortlist.owner_id == actor.id))
    if shortlist is None:
        raise NotFound(_("This shortlist does not exist."))
    return shortlist


def create_shortlist(actor: User, name: str) -> Shortlist:
    name = " ".join((name or "").split())[:120]
    if not name:
        raise DomainError(_("Give the shortlist a name."))
    shortlist = Shortlist(owner_id=actor.id, name=name)
    with refused_by_database(lambda: Conflict(_("You already have a shortlist with this name."))):
        db.session.add(shortlist)
    return shortlist


def add_to_shortlist(actor: User, shortlist: Shortlist, *, product_id: int | None = None,
                     cooperative_id: int | None = None, note: str = "") -> ShortlistItem:
    """Only what is public can be shortlisted: an active product of a verified cooperative, or such a cooperative."""
    if shortlist.owner_id != actor.id:
        raise NotFound(_("This shortlist does not exist."))
    if (product_id is None) == (cooperative_id is None):
        raise DomainError(_("Choose a product or a supplier to add."))
    if len(shortlist.items) >= MAX_ITEMS:
        raise DomainError(_("A shortlist holds at most %(count)d items.", count=MAX_ITEMS))
    if product_id is not None:
        product = db.session.get(Product, product_id)
        if product is None or product.status != ProductStatus.ACTIVE or not product.cooperative.is_public:
            raise NotFound(_("This product is not on sale."))
        duplicate = any(item.product_id == product_id for item in shortlist.items)
    else:
        cooperative = db.session.get(Cooperative, cooperative_id)
        if cooperative is None or cooperative.status != CooperativeStatus.VERIFIED:
            raise NotFound(_("This supplier is not listed."))
        duplicate = any(item.cooperative_id == cooperative_id for item in shortlist.items)
    if duplicate:
        raise Conflict(_("It is already on this shortlist."))
    item = ShortlistItem(product_id=product_id, cooperative_id=cooperative_id, note=(note or "").strip()[:500])
    shortlist.items.append(item)
    db.session.flush()
    return item


def _item_of(shortlist: Shortlist, item_id: int) -> ShortlistItem:
    item = next((item for item in shortlist.items if item.id == item_id), None)
    if item is None:
        raise NotFound(_("This item is not on the shortlist."))
    return item


def update_item(actor: User, shortlist: Shortlist, item_id: int, *, note: str, wanted_quantity: int | None) -> None:
    item = _item_of(shortlist_of(actor, shortlist.id), item_id)
    if wanted_quantity is not None and not 1 <= wanted_quantity <= 10_000_000:
        raise DomainError(_("Enter a quantity of 1 or more."))
    item.note = (note or "").strip()[:500]
    item.wanted_quantity = wanted_quantity


def remove_item(actor: User, shortlist: Shortlist, item_id: int) -> None:
    shortlist = shortlist_of(actor, shortlist.id)
    shortlist.items.remove(_item_of(shortlist, item_id))  # an item taken off its list is deleted
    db.session.flush()


def delete_shortlist(actor: User, shortlist: Shortlist) -> None:
    db.session.delete(shortlist_of(actor, shortlist.id))


@dataclass
class ComparedOffer:
    """One column of the comparison, already worked out for the wanted quantity."""

    item: ShortlistItem
    title: str
    cooperative: Cooperative
    quantity: int | None = None
    unit_price: int | None = None
    total: int | None = None
    below_minimum: bool = False
    min_order_quantity: int | None = None
    availability: str = ""
    certificates: list[str] | None = None
    still_on_sale: bool = True


def compare(shortlist: Shortlist, item_ids: list[int], today: date | None = None) -> list[ComparedOffer]:
    """Up to four items side by side; a product's price is the tier price at the item's wanted quantity."""
    chosen = [item for item in shortlist.items if item.id in set(item_ids)][:MAX_COMPARED]
    offers = []
    for item in chosen:
        if item.product is not None:
            product = item.product
            priced = quote(product, item.wanted_quantity or product.min_order_quantity)
            offers.append(ComparedOffer(
                item=item, title=product.name, cooperative=product.cooperative, quantity=priced.quantity,
                unit_price=priced.unit_price, total=priced.total, below_minimum=priced.below_minimum,
                min_order_quantity=product.min_order_quantity,
                availability=(_("Ready stock: %(count)s available", count=product.stock_on_hand)
                              if product.availability.value == "ready_stock"
                              else _("Made to order: ready in about %(days)d days", days=product.lead_time_days or 0)),
                certificates=[f"{c.kind.label} {c.number}" for c in valid_certifications(product, today)],
                still_on_sale=product.status == ProductStatus.ACTIVE and product.cooperative.is_public))
        else:
            cooperative = item.cooperative
            offers.append(ComparedOffer(item=item, title=cooperative.name, cooperative=cooperative,
                                        availability=", ".join(badge.label for badge in badges_of(cooperative, today)),
                                        certificates=[], still_on_sale=cooperative.is_public))
    return offers
