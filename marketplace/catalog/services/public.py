"""What buyers may see of the catalog: active products of verified cooperatives, nothing else."""

from datetime import date
from functools import cache

import sqlalchemy as sa
from flask_babel import gettext as _

from marketplace.catalog.models import CertificationKind, Product, ProductCertification, ProductStatus
from marketplace.cooperatives.models import Cooperative, CooperativeStatus
from marketplace.core.errors import NotFound
from marketplace.core.timeutil import local_today
from marketplace.extensions import db


def public_products_query() -> sa.Select:
    return (sa.select(Product).join(Cooperative, Cooperative.id == Product.cooperative_id)
            .where(Product.status == ProductStatus.ACTIVE, Cooperative.status == CooperativeStatus.VERIFIED))


@cache
def _public_product_by_slug() -> sa.Select:
    """Built once with a parameter: every product page asks, and building it cost more than running it."""
    return public_products_query().where(Product.slug == sa.bindparam("slug"))


def public_product_by_slug(slug: str) -> Product:
    product = db.session.scalar(_public_product_by_slug(), {"slug": slug})
    if product is None:
        raise NotFound(_("This product does not exist or is not on sale."))
    return product


def public_products_of(cooperative: Cooperative) -> sa.Select:
    return public_products_query().where(Product.cooperative_id == cooperative.id).order_by(Product.name,
                                                                                             Product.id)


def valid_certifications(product: Product, today: date | None = None) -> list[ProductCertification]:
    return [certification for certification in product.certifications if certification.is_valid(today)]


def has_valid_certification(kind: CertificationKind, today: date | None = None):
    """A WHERE clause: the product holds an unexpired certificate of this kind (for filters)."""
    today = today or local_today()
    return sa.exists().where(ProductCertification.product_id == Product.id, ProductCertification.kind == kind,
                             sa.or_(ProductCertification.expires_on.is_(None),
                                    ProductCertification.expires_on >= today))
