"""A product's photos: up to eight, in the order staff choose, each with alternative text."""

import sqlalchemy as sa

from marketplace.accounts.models import User
from marketplace.catalog.models import CatalogAudit, Product, ProductImage
from marketplace.cooperatives.permissions import Capability, require_capability
from marketplace.core.audit import record_audit
from marketplace.core.errors import DomainError, NotFound
from marketplace.core.i18n import gettext as _
from marketplace.core.images import discard_image_after_commit, store_image
from marketplace.extensions import db

MAX_IMAGES = 8
PRODUCT_IMAGE_WIDTHS = (160, 320, 640, 1280)


def add_product_image(actor: User, product: Product, data: bytes, alt_text: str = "") -> ProductImage:
    require_capability(actor, product.cooperative, Capability.MANAGE_CATALOG)
    if len(product.images) >= MAX_IMAGES:
        raise DomainError(_("A product has at most %(count)d photos. Remove one first.", count=MAX_IMAGES),
                          code="too_many_photos")
    stored = store_image(data, prefix="products", widths=PRODUCT_IMAGE_WIDTHS)
    image = ProductImage(product_id=product.id, image=stored.as_dict(), alt_text=(alt_text or product.name)[:200],
                         position=len(product.images))
    db.session.add(image)
    record_audit(CatalogAudit.PRODUCT_IMAGE_ADDED, actor=actor, target=product)
    _reorder_done(product)
    return image


def product_photo_in_use(base_key: str) -> bool:
    """Whether any product still shows this picture (the same file uploaded for two products is kept once)."""
    return db.session.scalar(sa.select(ProductImage.id).where(
        ProductImage.image["base_key"].as_string() == base_key).limit(1)) is not None


def _reorder_done(product: Product) -> None:
    """Write the photos' new order, and let `product.images` read it back in that order."""
    db.session.flush()
    db.session.expire(product, ["images"])


def _image_of(product: Product, image_id: int) -> ProductImage:
    image = db.session.scalar(sa.select(ProductImage).where(ProductImage.id == image_id,
                                                            ProductImage.product_id == product.id))
    if image is None:
        raise NotFound(_("This photo does not belong to this product."))
    return image


def move_product_image(actor: User, product: Product, image_id: int, offset: int) -> None:
    """Move a photo one place earlier (-1) or later (+1); the first photo is the cover."""
    require_capability(actor, product.cooperative, Capability.MANAGE_CATALOG)
    images = list(product.images)
    image = _image_of(product, image_id)
    index = images.index(image)
    target = min(max(index + offset, 0), len(images) - 1)
    images.insert(target, images.pop(index))
    for position, item in enumerate(images):
        item.position = position
    _reorder_done(product)


def update_alt_text(actor: User, product: Product, image_id: int, alt_text: str) -> None:
    require_capability(actor, product.cooperative, Capability.MANAGE_CATALOG)
    text = (alt_text or "").strip()
    if not text:
        raise DomainError(_("Describe the photo for people who cannot see it."))
    _image_of(product, image_id).alt_text = text[:200]


def remove_product_image(actor: User, product: Product, image_id: int) -> None:
    require_capability(actor, product.cooperative, Capability.MANAGE_CATALOG)
    removed = _image_of(product, image_id)
    remaining = [image for image in product.images if image.id != removed.id]
    db.session.delete(removed)
    discard_image_after_commit(removed.stored, still_used=product_photo_in_use)
    for position, item in enumerate(remaining):
        item.position = position
    record_audit(CatalogAudit.PRODUCT_IMAGE_REMOVED, actor=actor, target=product)
    _reorder_done(product)
