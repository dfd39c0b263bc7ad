"""The cart: stored for a signed-in buyer, kept in the session for an anonymous visitor, merged on sign-in, and
priced live through the catalog's one price rule."""

from collections.abc import MutableMapping
from dataclasses import dataclass, field
from itertools import groupby

import sqlalchemy as sa

from marketplace.catalog.models import Availability, Product, ProductStatus
from marketplace.catalog.services.pricing import Quote, quote
from marketplace.catalog.services.products import MAX_QUANTITY
from marketplace.catalog.services.public import public_product_by_slug
from marketplace.catalog.services.stock import ONLY_WHAT_A_SALE_READS
from marketplace.cooperatives.models import Cooperative, CooperativeStatus
from marketplace.cooperatives.services.staff import cooperative_ids_of_staff
from marketplace.core.errors import DomainError, NotFound
from marketplace.core.i18n import gettext as _
from marketplace.extensions import db
from marketplace.ordering.models import Cart, CartLine
from marketplace.sourcing.models import Shortlist

# The session cookie carries an anonymous cart; this keeps it far below a cookie's 4 KB.
MAX_CART_LINES = 50
SESSION_KEY = "cart"


class CartStore:
    """Where a cart's lines live: {product id: (quantity, unit price the buyer saw)}."""

    def lines(self) -> dict[int, tuple[int, int]]:
        raise NotImplementedError

    def put(self, product_id: int, quantity: int, price_seen: int) -> None:
        raise NotImplementedError

    def remove(self, product_id: int) -> None:
        raise NotImplementedError

    def remove_all(self, product_ids: set[int]) -> None:
        for product_id in product_ids:
            self.remove(product_id)


class SessionCart(CartStore):
    def __init__(self, session: MutableMapping):
        self.session = session

    def lines(self) -> dict[int, tuple[int, int]]:
        stored = self.session.get(SESSION_KEY) or {}
        lines = {}
        for key, value in stored.items():
            try:
                lines[int(key)] = (int(value[0]), int(value[1]))
            except (TypeError, ValueError, IndexError):
                continue  # a cookie from an older version: drop the line rather than fail
        return lines

    def _save(self, lines: dict[int, tuple[int, int]]) -> None:
        # Assigned anew (not changed in place) so the session knows it must be saved.
        self.session[SESSION_KEY] = {str(key): list(value) for key, value in lines.items()}

    def put(self, product_id: int, quantity: int, price_seen: int) -> None:
        self._save({**self.lines(), product_id: (quantity, price_seen)})

    def remove(self, product_id: int) -> None:
        self.remove_all({product_id})

    def remove_all(self, product_ids: set[int]) -> None:
        self._save({key: value for key, value in self.lines().items() if key not in product_ids})

    def clear(self) -> None:
        self.session.pop(SESSION_KEY, None)


class StoredCart(CartStore):
    def __init__(self, user):
        self.user = user
        self._cart = None

    def _find(self) -> Cart | None:
        if self._cart is None:
            self._cart = db.session.scalar(sa.select(Cart).where(Cart.user_id == self.user.id))
        return self._cart

    def lines(self) -> dict[int, tuple[int, int]]:
        cart = self._find()
        return {line.product_id: (line.quantity, line.price_seen) for line in cart.lines} if cart else {}

    def put(self, product_id: int, quantity: int, price_seen: int) -> None:
        cart = self._find()
        if cart is None:
            cart = self._cart = Cart(user_id=self.user.id)
            db.session.add(cart)
        for line in cart.lines:
            if line.product_id == product_id:
                line.quantity, line.price_seen = quantity, price_seen
                break
        else:
            cart.lines.append(CartLine(product_id=product_id, quantity=quantity, price_seen=price_seen))
        db.session.flush()

    def remove(self, product_id: int) -> None:
        self.remove_all({product_id})

    def remove_all(self, product_ids: set[int]) -> None:
        cart = self._find()
        if cart is not None:
            for line in [line for line in cart.lines if line.product_id in product_ids]:
                cart.lines.remove(line)
            db.session.flush()


def cart_for(user, session: MutableMapping) -> CartStore:
    return StoredCart(user) if user is not None and user.is_authenticated else SessionCart(session)


@dataclass
class CartEntry:
    product: Product
    quantity: int
    price_seen: int
    quote: Quote
    # Why the line cannot be ordered as it is (no longer on sale, below the minimum, more than is left).
    problem: str | None = None
    problem_code: str | None = None
    on_sale: bool = True

    @property
    def price_changed(self) -> bool:
        return self.on_sale and self.quote.unit_price != self.price_seen

    @property
    def is_ready_stock(self) -> bool:
        return self.product.availability == Availability.READY_STOCK


@dataclass
class CartGroup:
    """The lines of one cooperative: they become one supplier order."""

    cooperative: Cooperative
    entries: list[CartEntry] = field(default_factory=list)

    @property
    def orderable(self) -> list[CartEntry]:
        return [entry for entry in self.entries if entry.on_sale]

    @property
    def subtotal(self) -> int:
        return sum(entry.quote.total for entry in self.orderable)

    @property
    def lead_time_days(self) -> int | None:
        days = [entry.product.lead_time_days or 0 for entry in self.orderable if not entry.is_ready_stock]
        return max(days) if days else None


@dataclass
class CartContents:
    groups: list[CartGroup]

    @property
    def entries(self) -> list[CartEntry]:
        return [entry for group in self.groups for entry in group.entries]

    @property
    def total(self) -> int:
        return sum(group.subtotal for group in self.groups)

    @property
    def is_empty(self) -> bool:
        return not self.groups

    @property
    def problems(self) -> list[CartEntry]:
        return [entry for entry in self.entries if entry.problem]

    @property
    def can_check_out(self) -> bool:
        """Something to order, and nothing that must be fixed first (a line no longer on sale is left out)."""
        return any(group.orderable for group in self.groups) and not any(
            entry.problem and entry.on_sale for entry in self.entries)


def _problem_of(entry: CartEntry, staff_of: set[int]) -> tuple[str, str] | None:
    """(code, message) of what stands in the way of ordering the line as it is; None when nothing does."""
    product = entry.product
    if product.status != ProductStatus.ACTIVE or product.cooperative.status != CooperativeStatus.VERIFIED:
        entry.on_sale = False
        return "not_on_sale", _("%(name)s is no longer on sale; it will not be ordered.", name=product.name)
    if product.cooperative_id in staff_of:
        entry.on_sale = False
        return "own_cooperative", _("You work for %(cooperative)s: its goods cannot be ordered from your own "
                                    "account.", cooperative=product.cooperative.name)
    if entry.quote.below_minimum:
        return "below_minimum", _("The minimum order for %(name)s is %(count)d.", name=product.name,
                                  count=product.min_order_quantity)
    if entry.is_ready_stock and entry.quantity > product.stock_on_hand:
        if product.stock_on_hand == 0:
            return "out_of_stock", _("%(name)s is sold out.", name=product.name)
        return "out_of_stock", _("Only %(count)d left of %(name)s.", count=product.stock_on_hand, name=product.name)
    return None


def cooperative_ids_in(store: CartStore) -> list[int]:
    """The cooperatives whose goods are in the cart (one supplier order each), in one small query."""
    lines = store.lines()
    if not lines:
        return []
    return list(db.session.scalars(sa.select(Product.cooperative_id).where(Product.id.in_(lines)).distinct()
                                   .order_by(Product.cooperative_id)))


def cart_contents(store: CartStore, user=None) -> CartContents:
    """The cart grouped by cooperative, priced now, with what stands in the way of ordering each line."""
    lines = store.lines()
    if not lines:
        return CartContents(groups=[])
    products = db.session.scalars(sa.select(Product).where(Product.id.in_(lines))
                                  .options(*ONLY_WHAT_A_SALE_READS)).all()
    staff_of = set(cooperative_ids_of_staff(user)) if user is not None and user.is_authenticated else set()
    entries = []
    for product in products:
        quantity, price_seen = lines[product.id]
        entry = CartEntry(product=product, quantity=quantity, price_seen=price_seen, quote=quote(product, quantity))
        entry.problem_code, entry.problem = _problem_of(entry, staff_of) or (None, None)
        entries.append(entry)
    entries.sort(key=lambda entry: (entry.product.cooperative.name, entry.product.cooperative_id,
                                    entry.product.name, entry.product.id))
    groups = [CartGroup(cooperative=entries_of[0].product.cooperative, entries=entries_of)
              for entries_of in (list(group) for _key, group in
                                 groupby(entries, key=lambda entry: entry.product.cooperative_id))]
    return CartContents(groups=groups)


def _checked_quantity(product: Product, quantity: int) -> int:
    if not 1 <= quantity <= MAX_QUANTITY:
        raise DomainError(_("The quantity must be between 1 and 1.000.000."), code="quantity_out_of_range")
    if quantity < product.min_order_quantity:
        raise DomainError(_("The minimum order for %(name)s is %(count)d.", name=product.name,
                            count=product.min_order_quantity), code="below_minimum")
    if product.availability == Availability.READY_STOCK and quantity > product.stock_on_hand:
        if product.stock_on_hand == 0:
            raise DomainError(_("%(name)s is sold out.", name=product.name), code="out_of_stock")
        raise DomainError(_("Only %(count)d left of %(name)s.", count=product.stock_on_hand, name=product.name),
                          code="out_of_stock")
    return quantity


def add_to_cart(store: CartStore, slug: str, quantity: int) -> Product:
    """Add units of a product on sale (more of it when it is in the cart already)."""
    product = public_product_by_slug(slug)
    lines = store.lines()
    if product.id not in lines and len(lines) >= MAX_CART_LINES:
        raise DomainError(_("Your cart holds at most %(count)d products. Order these first.",
                            count=MAX_CART_LINES), code="cart_full")
    in_cart = lines.get(product.id, (0, 0))[0]
    total = _checked_quantity(product, in_cart + quantity)
    store.put(product.id, total, quote(product, total).unit_price)
    return product


def change_quantity(store: CartStore, product_id: int, quantity: int) -> Product:
    """Set a line's quantity; the price the buyer now sees becomes the one they agreed to."""
    lines = store.lines()
    if product_id not in lines:
        raise NotFound(_("This product is not in your cart."))
    product = db.session.get(Product, product_id)
    if product is None:
        raise NotFound(_("This product is not in your cart."))
    store.put(product.id, _checked_quantity(product, quantity), quote(product, quantity).unit_price)
    return product


def remove_from_cart(store: CartStore, product_id: int) -> None:
    if product_id not in store.lines():
        raise NotFound(_("This product is not in your cart."))
    store.remove(product_id)


def accept_current_prices(store: CartStore) -> None:
    """The buyer has seen the prices as they are now: they become the prices the cart compares against."""
    for product_id, (quantity, _seen) in store.lines().items():
        product = db.session.get(Product, product_id)
        if product is not None:
            store.put(product_id, quantity, quote(product, quantity).unit_price)


def merge_into_stored_cart(session_cart: SessionCart, user) -> int:
    """On sign-in: the lines gathered while anonymous join the buyer's stored cart (quantities added together,
    within the limits); returns how many lines came over."""
    lines = session_cart.lines()
    if not lines:
        return 0
    stored = StoredCart(user)
    existing = stored.lines()
    products = {product.id: product for product in
                db.session.scalars(sa.select(Product).where(Product.id.in_(lines)))}
    merged = 0
    for product_id, (quantity, price_seen) in lines.items():
        product = products.get(product_id)
        if product is None or (product_id not in existing and len(existing) + merged >= MAX_CART_LINES):
            continue
        total = min(existing.get(product_id, (0, 0))[0] + quantity, MAX_QUANTITY)
        stored.put(product_id, total, price_seen if product_id not in existing else existing[product_id][1])
        merged += 1
    session_cart.clear()
    return merged


def add_shortlist_to_cart(store: CartStore, shortlist: Shortlist) -> tuple[list[Product], list[str]]:
    """Every product of a shortlist at its wanted quantity (at least the minimum order), in one click; a product
    already in the cart keeps the larger quantity. What cannot be added is said, and the rest is added."""
    added, refusals = [], []
    for item in shortlist.items:
        if not item.is_product:
            continue
        product = item.product
        wanted = max(item.wanted_quantity or 0, product.min_order_quantity)
        in_cart = store.lines().get(product.id, (0, 0))[0]
        try:
            added.append(add_to_cart(store, product.slug, max(wanted - in_cart, 0)) if wanted > in_cart
                         else product)
        except NotFound:
            refusals.append(_("%(name)s is no longer on sale.", name=product.name))
        except DomainError as error:
            refusals.append(error.message)
    return added, refusals


def remove_ordered_lines(store: CartStore, product_ids) -> None:
    store.remove_all(set(product_ids))


def add_order_to_cart(store: CartStore, order) -> tuple[list[Product], list[str]]:
    """Order again: each line of a past order goes back into the cart at today's price."""
    added, refusals = [], []
    for line in order.lines:
        product = db.session.get(Product, line.product_id)
        try:
            if product is None:
                raise NotFound("")
            added.append(add_to_cart(store, product.slug, max(line.quantity, product.min_order_quantity)))
        except NotFound:
            refusals.append(_("%(name)s is no longer on sale.", name=line.product_name))
        except DomainError as error:
            refusals.append(error.message)
    return added, refusals
