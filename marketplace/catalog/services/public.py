"""What buyers may see of the catalog: active products of verified cooperatives, nothing else."""

from dataclasses import dataclass
from datetime import date
from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, lazyload, raiseload
from sqlalchemy.orm.attributes import set_committed_value

from marketplace.catalog.models import (
    CertificationKind,
    PriceTier,
    Product,
    ProductCertification,
    ProductImage,
    ProductStatus,
    certificate_in_force,
    product_producers,
)
from marketplace.cooperatives.models import Cooperative, CooperativeStatus, Member
from marketplace.cooperatives.services.profile import BADGE_COLUMNS
from marketplace.core.database import json_rows
from marketplace.core.errors import NotFound
from marketplace.core.i18n import gettext as _
from marketplace.core.timeutil import local_today
from marketplace.extensions import db

# A product's collections a buyer sees: `with_details` loads them as ORM objects for a product read whole (adding
# to the cart); the product page reads them as plain values in its own statement (`public_product_page`).
DETAIL_COLLECTIONS = (Product.tiers, Product.certifications, Product.images, Product.producers)
# What a product page shows of its cooperative besides the badges: only these are read (a third of its columns;
# each column costs the driver and the ORM a little on every page), and touching another raises.
PAGE_COOPERATIVE_COLUMNS = (Cooperative.id, Cooperative.slug, Cooperative.name, Cooperative.province_code,
                            Cooperative.regency_code)


def public_products_query() -> sa.Select:
    return (sa.select(Product).join(Cooperative, Cooperative.id == Product.cooperative_id)
            .where(Product.status == ProductStatus.ACTIVE, Cooperative.status == CooperativeStatus.VERIFIED))


def _public_products_with_cooperative() -> sa.Select:
    """The products with their cooperative read from the join the visibility test makes (the joined relationship
    would join the table a second time)."""
    return public_products_query().options(contains_eager(Product.cooperative))


@cache
def _public_product_by_slug() -> sa.Select:
    """Built once with a parameter: every addition to a cart asks, and building it cost more than running it.
    The collections come from `with_details`."""
    return (_public_products_with_cooperative().where(Product.slug == sa.bindparam("slug"))
            .options(*(lazyload(collection) for collection in DETAIL_COLLECTIONS)))


def public_product_by_slug(slug: str) -> Product:
    product = db.session.scalar(_public_product_by_slug(), {"slug": slug})
    if product is None:
        raise NotFound(_("This product does not exist or is not on sale."))
    with_details([product])
    return product


@cache
def _detail_statements() -> tuple[tuple[str, sa.Select], ...]:
    """Each collection a product page shows, for many products at once, in the order its relationship gives.
    Built once with a parameter: SQLAlchemy's selectin loader builds its statement afresh on every load, which
    cost 0.3–0.6 ms a collection against 0.15 ms for these (half of a product page's time went on loading)."""
    ids = sa.bindparam("product_ids", expanding=True)
    return (
        ("tiers", sa.select(PriceTier.product_id, PriceTier).where(PriceTier.product_id.in_(ids))
         .order_by(PriceTier.min_quantity, PriceTier.id)),
        ("certifications", sa.select(ProductCertification.product_id, ProductCertification)
         .where(ProductCertification.product_id.in_(ids)).order_by(ProductCertification.kind, ProductCertification.id)),
        ("images", sa.select(ProductImage.product_id, ProductImage).where(ProductImage.product_id.in_(ids))
         .order_by(ProductImage.position, ProductImage.id)),
        ("producers", sa.select(product_producers.c.product_id, Member)
         .join(Member, Member.id == product_producers.c.member_id)
         .where(product_producers.c.product_id.in_(ids)).order_by(Member.full_name, Member.id)),
    )


def with_details(products: list[Product]) -> list[Product]:
    """Fills the products' price tiers, certificates, pictures and producers, one statement per collection
    however many products there are: what `lazy="selectin"` would load, at half the cost."""
    by_id = {product.id: product for product in products}
    if by_id:
        for key, statement in _detail_statements():
            found: dict[int, list] = {product_id: [] for product_id in by_id}
            for product_id, child in db.session.execute(statement, {"product_ids": list(by_id)}):
                found[product_id].append(child)
            for product_id, children in found.items():
                set_committed_value(by_id[product_id], key, children)
    return products


@dataclass(frozen=True)
class PageTier:
    min_quantity: int
    unit_price: int


@dataclass(frozen=True)
class PageCertificate:
    kind: CertificationKind
    number: str
    expires_on: date | None

    def is_valid(self, today: date | None = None) -> bool:
        return certificate_in_force(self.expires_on, today)


@dataclass(frozen=True)
class PagePicture:
    image: dict
    alt_text: str


@dataclass(frozen=True)
class PageProducer:
    full_name: str
    village: str | None


@dataclass(frozen=True)
class ProductPage:
    """A public product as its page shows it: the product with its cooperative and category, and its collections
    as plain values. The pricing functions take it as they take a product (`base_price`, `min_order_quantity`,
    `tiers`)."""

    product: Product
    tiers: list[PageTier]
    certifications: list[PageCertificate]
    images: list[PagePicture]
    producers: list[PageProducer]  # the members who agreed to be named, no one else
    # What the caller's correlated columns (`public_product_page(slug, *also)`) said of this product.
    also: tuple = ()

    @property
    def base_price(self) -> int:
        return self.product.base_price

    @property
    def min_order_quantity(self) -> int:
        return self.product.min_order_quantity

    def valid_certifications(self, today: date | None = None) -> list[PageCertificate]:
        return [certification for certification in self.certifications if certification.is_valid(today)]


@cache
def _public_product_page(also: tuple[sa.ScalarSelect, ...]) -> sa.Select:
    """One statement for the whole page: each collection arrives as a JSON array beside the product's row (four
    statements fewer a page: on PostgreSQL each was a round trip and a cursor's worth of work), and so do the
    other domains' figures in `also`. Touching one of the product's own collections, or a column of its
    cooperative the page does not show, raises rather than quietly querying."""
    tiers = (sa.select(json_rows(id=PriceTier.id, min_quantity=PriceTier.min_quantity,
                                 unit_price=PriceTier.unit_price))
             .where(PriceTier.product_id == Product.id).scalar_subquery())
    certifications = (sa.select(json_rows(id=ProductCertification.id, kind=ProductCertification.kind,
                                          number=ProductCertification.number,
                                          expires_on=ProductCertification.expires_on))
                      .where(ProductCertification.product_id == Product.id).scalar_subquery())
    images = (sa.select(json_rows(id=ProductImage.id, image=ProductImage.image, alt_text=ProductImage.alt_text,
                                  position=ProductImage.position))
              .where(ProductImage.product_id == Product.id).scalar_subquery())
    producers = (sa.select(json_rows(id=Member.id, full_name=Member.full_name, village=Member.village))
                 .select_from(product_producers).join(Member, Member.id == product_producers.c.member_id)
                 .where(product_producers.c.product_id == Product.id, Member.public_name_consent.is_(True))
                 .scalar_subquery())
    return (public_products_query().options(contains_eager(Product.cooperative).load_only(
                *PAGE_COOPERATIVE_COLUMNS, *BADGE_COLUMNS, raiseload=True))
            .where(Product.slug == sa.bindparam("slug"))
            .add_columns(tiers, certifications, images, producers, *also)
            .options(*(raiseload(collection) for collection in DETAIL_COLLECTIONS)))


def public_product_page(slug: str, *also: sa.ScalarSelect) -> ProductPage:
    """The page of a product on sale. `also`: subqueries correlated to `Product.id` that other domains read of
    the product (each built once, as the statement is kept per set of them)."""
    row = db.session.execute(_public_product_page(also), {"slug": slug}).one_or_none()
    if row is None:
        raise NotFound(_("This product does not exist or is not on sale."))
    product, tiers, certifications, images, producers, *also_values = row
    # The same orders the relationships give (an aggregate keeps none).
    return ProductPage(
        product=product,
        tiers=[PageTier(tier["min_quantity"], tier["unit_price"])
               for tier in sorted(tiers, key=lambda tier: (tier["min_quantity"], tier["id"]))],
        certifications=[
            PageCertificate(CertificationKind(held["kind"]), held["number"],
                            date.fromisoformat(held["expires_on"]) if held["expires_on"] else None)
            for held in sorted(certifications, key=lambda held: (held["kind"], held["id"]))],
        images=[PagePicture(picture["image"], picture["alt_text"])
                for picture in sorted(images, key=lambda picture: (picture["position"], picture["id"]))],
        producers=[PageProducer(member["full_name"], member["village"])
                   for member in sorted(producers, key=lambda member: (member["full_name"], member["id"]))],
        also=tuple(also_values),
    )


def public_products_of(cooperative: Cooperative) -> sa.Select:
    """A cooperative's products as cards: each card shows its cover picture, so only the pictures are loaded."""
    return (_public_products_with_cooperative().where(Product.cooperative_id == cooperative.id)
            .order_by(Product.name, Product.id)
            .options(*(lazyload(collection) for collection in DETAIL_COLLECTIONS if collection is not Product.images)))


def valid_certifications(product: Product, today: date | None = None) -> list[ProductCertification]:
    return [certification for certification in product.certifications if certification.is_valid(today)]


def has_valid_certification(kind: CertificationKind, today: date | None = None):
    """A WHERE clause: the product holds an unexpired certificate of this kind (for filters)."""
    today = today or local_today()
    return sa.exists().where(ProductCertification.product_id == Product.id, ProductCertification.kind == kind,
                             sa.or_(ProductCertification.expires_on.is_(None),
                                    ProductCertification.expires_on >= today))
