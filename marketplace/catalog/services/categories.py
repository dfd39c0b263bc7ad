"""The category tree, kept by platform administrators."""

from dataclasses import dataclass
from functools import cache

import sqlalchemy as sa

from marketplace.accounts.models import User
from marketplace.catalog.models import CatalogAudit, Category, Product
from marketplace.core.audit import record_audit
from marketplace.core.errors import DomainError, NotFound, NotPermitted
from marketplace.core.i18n import gettext as _
from marketplace.core.text import unique_slug
from marketplace.extensions import db

# The tree a fresh installation starts with: what these cooperatives make and what buyers look for.
# (slug, Indonesian, English, children)
DEFAULT_CATEGORIES = [
    ("kain-dan-wastra", "Kain dan wastra", "Textiles", [
        ("batik", "Batik", "Batik"), ("tenun", "Tenun", "Woven cloth (tenun)"),
        ("songket", "Songket", "Songket")]),
    ("kerajinan", "Kerajinan", "Crafts", [
        ("anyaman", "Anyaman", "Weaving and basketry (anyaman)"), ("ukiran-kayu", "Ukiran kayu", "Wood carving"),
        ("gerabah", "Gerabah dan keramik", "Pottery and ceramics"), ("bambu", "Kerajinan bambu", "Bamboo crafts"),
        ("kulit", "Kerajinan kulit", "Leather goods"), ("mebel", "Mebel", "Furniture")]),
    ("fesyen", "Fesyen dan konveksi", "Fashion and garments", [
        ("fesyen-muslim", "Fesyen muslim", "Muslim fashion"), ("konveksi", "Konveksi", "Garment making"),
        ("seragam", "Seragam", "Uniforms"), ("alas-kaki", "Alas kaki", "Footwear")]),
    ("pangan", "Makanan dan minuman", "Food and drink", [
        ("makanan-olahan", "Makanan olahan", "Processed food"), ("minuman", "Minuman", "Drinks"),
        ("kue-dan-camilan", "Kue dan camilan", "Cakes and snacks"), ("jamu-dan-herbal", "Jamu dan herbal",
                                                                         "Jamu and herbal products")]),
    ("hasil-pertanian", "Hasil pertanian", "Farm produce", [
        ("beras-dan-biji-bijian", "Beras dan biji-bijian", "Rice and grains"),
        ("kopi-dan-teh", "Kopi dan teh", "Coffee and tea"), ("madu", "Madu", "Honey"),
        ("pupuk-organik", "Pupuk organik", "Organic fertiliser")]),
    ("perlengkapan-kantor", "Perlengkapan kantor", "Office supplies", [
        ("alat-tulis", "Alat tulis", "Stationery"), ("map-dan-arsip", "Map dan arsip", "Folders and files")]),
    ("suvenir", "Suvenir dan merchandise", "Souvenirs and merchandise", [
        ("cendera-mata", "Cendera mata", "Keepsakes"), ("tas-dan-dompet", "Tas dan dompet", "Bags and wallets")]),
]


def ensure_default_categories() -> int:
    """Create the categories of the default tree that are missing; returns how many were created."""
    created = 0
    for position, (slug, name_id, name_en, children) in enumerate(DEFAULT_CATEGORIES):
        parent = db.session.scalar(sa.select(Category).where(Category.slug == slug))
        if parent is None:
            parent = Category(slug=slug, name_id=name_id, name_en=name_en, position=position)
            db.session.add(parent)
            db.session.flush()
            created += 1
        for child_position, (child_slug, child_id, child_en) in enumerate(children):
            if db.session.scalar(sa.select(Category.id).where(Category.slug == child_slug)) is None:
                db.session.add(Category(slug=child_slug, name_id=child_id, name_en=child_en, parent_id=parent.id,
                                        position=child_position))
                created += 1
    return created


@dataclass
class CategoryNode:
    category: Category
    children: list[Category]


@cache
def _categories_in_order(include_inactive: bool) -> sa.Select:
    """Built once: the search page and the supplier directory ask on every request."""
    query = sa.select(Category).order_by(Category.position, Category.name_id)
    return query if include_inactive else query.where(Category.is_active.is_(True))


def category_tree(include_inactive: bool = False) -> list[CategoryNode]:
    """Top-level categories with their children, in their set order, from one query."""
    categories = list(db.session.scalars(_categories_in_order(include_inactive)))
    children: dict[int, list[Category]] = {}
    for category in categories:
        if category.parent_id is not None:
            children.setdefault(category.parent_id, []).append(category)
    return [CategoryNode(category, children.get(category.id, []))
            for category in categories if category.parent_id is None]


def category_by_id(category_id: int) -> Category:
    category = db.session.get(Category, category_id)
    if category is None:
        raise NotFound(_("This category does not exist."))
    return category


def save_category(admin: User, *, category_id: int | None, name_id: str, name_en: str, parent_id: int | None,
                  position: int, is_active: bool) -> Category:
    if not admin.is_admin:
        raise NotPermitted(_("Only platform administrators edit categories."))
    name_id, name_en = name_id.strip(), name_en.strip()
    if not name_id or not name_en:
        raise DomainError(_("Give the category a name in both languages."))
    if category_id:
        category = db.session.get(Category, category_id)
    else:
        category = Category(slug=unique_slug(Category.slug, name_id))
    if category is None:
        raise NotFound(_("This category does not exist."))
    if parent_id is not None:
        parent = db.session.get(Category, parent_id)
        if parent is None or parent.parent_id is not None or parent_id == category.id:
            raise DomainError(_("A category can only sit under a top-level category."))
        has_children = category.id is not None and db.session.scalar(
            sa.select(Category.id).where(Category.parent_id == category.id)) is not None
        if has_children:
            raise DomainError(_("This category has sub-categories, so it stays at the top level."))
    if not is_active and category.id is not None and db.session.scalar(
            sa.select(Product.id).where(Product.category_id == category.id, Product.status == "active")) is not None:
        raise DomainError(_("Active products still use this category. Move them first."))
    category.name_id, category.name_en, category.parent_id = name_id[:80], name_en[:80], parent_id
    category.position, category.is_active = position, is_active
    db.session.add(category)
    record_audit(CatalogAudit.CATEGORY_CHANGED, actor=admin, target=category, name=category.name_id)
    return category
