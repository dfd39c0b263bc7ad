"""Keeping the search index true: every commit that touches a product, its cooperative, its category, its
certificates or photos re-indexes those products inside the same transaction (a `before_commit` hook), so the
index can never show what the database no longer says."""

from datetime import date, timedelta
from itertools import chain
from typing import cast

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session, aliased

from marketplace.catalog.models import (
    Category,
    PriceTier,
    Product,
    ProductCertification,
    ProductImage,
    ProductStatus,
    StockLot,
    product_producers,
)
from marketplace.cooperatives.models import Cooperative, CooperativeStatus, Member
from marketplace.core.regions import Region
from marketplace.core.timeutil import utcnow
from marketplace.search.models import SearchChange, SearchEntry
from marketplace.search.services.backends import backend_for
from marketplace.search.services.columns import WRITTEN_IN_THIS_TRANSACTION, record_changes
from marketplace.search.services.text import normalize

DIRTY_PRODUCTS = "search_dirty_products"
DIRTY_COOPERATIVES = "search_dirty_cooperatives"
DIRTY_CATEGORIES = "search_dirty_categories"
# Products whose stock lots alone changed (a sale, a delivery from a member): the index holds only whether they
# are in stock, so they are re-indexed only when that flips.
STOCK_MOVED = "search_stock_moved"
BATCH = 2000


def _collect_changes(session: Session, _flush_context) -> None:
    products = session.info.setdefault(DIRTY_PRODUCTS, set())
    cooperatives = session.info.setdefault(DIRTY_COOPERATIVES, set())
    categories = session.info.setdefault(DIRTY_CATEGORIES, set())
    stock_moved = session.info.setdefault(STOCK_MOVED, set())
    for instance in chain(session.new, session.dirty, session.deleted):
        if isinstance(instance, Product):
            products.add(instance.id)
        elif isinstance(instance, StockLot):
            stock_moved.add(instance.product_id)
        elif isinstance(instance, ProductCertification | ProductImage | PriceTier):
            products.add(instance.product_id)
        elif isinstance(instance, Cooperative):
            cooperatives.add(instance.id)
        elif isinstance(instance, Category):
            categories.add(instance.id)


def _reindex_before_commit(session: Session) -> None:
    session.flush()
    products = session.info.pop(DIRTY_PRODUCTS, set())
    cooperatives = session.info.pop(DIRTY_COOPERATIVES, set())
    categories = session.info.pop(DIRTY_CATEGORIES, set())
    stock_moved = session.info.pop(STOCK_MOVED, set()) - products
    if stock_moved:
        products |= _in_stock_flipped(session, stock_moved)
    if cooperatives:
        products |= set(session.scalars(sa.select(Product.id).where(Product.cooperative_id.in_(cooperatives))))
    if categories:
        products |= set(session.scalars(sa.select(Product.id).where(Product.category_id.in_(categories))))
    products.discard(None)
    if products:
        reindex_products(session, sorted(products))


def _in_stock_flipped(session: Session, product_ids: set) -> set:
    """The indexed products among these whose "in stock" no longer matches their stock."""
    in_stock_now = Product.stock_on_hand >= Product.min_order_quantity
    return set(session.scalars(
        sa.select(Product.id).join(SearchEntry, SearchEntry.product_id == Product.id)
        .where(Product.id.in_(sorted(product_ids)), SearchEntry.in_stock != in_stock_now)))


def _forget_changes(session: Session, *_args) -> None:
    for key in (DIRTY_PRODUCTS, DIRTY_COOPERATIVES, DIRTY_CATEGORIES, STOCK_MOVED, WRITTEN_IN_THIS_TRANSACTION):
        session.info.pop(key, None)


def _transaction_ended(session: Session) -> None:
    session.info.pop(WRITTEN_IN_THIS_TRANSACTION, None)


def register_index_hooks(session_class) -> None:
    event.listen(session_class, "after_flush", _collect_changes)
    event.listen(session_class, "before_commit", _reindex_before_commit)
    event.listen(session_class, "after_commit", _transaction_ended)
    event.listen(session_class, "after_rollback", _forget_changes)


def _documents(connection: sa.Connection, product_ids: list[int]) -> tuple[list[dict], list[dict]]:
    """(search entries, text rows) of the public products among these ids, in five queries per batch."""
    province, regency = aliased(Region), aliased(Region)
    category, parent = aliased(Category), aliased(Category)
    rows = connection.execute(
        sa.select(Product.id, Product.name, Product.description, Product.slug, Product.unit, Product.base_price,
                  Product.min_order_quantity, Product.availability, Product.stock_on_hand, Product.local_content,
                  Product.created_at, Product.lead_time_days, Product.weekly_capacity, Product.category_id,
                  category.name_id.label("c_id"), category.name_en.label("c_en"), category.parent_id,
                  parent.name_id.label("p_id"),
                  Cooperative.id.label("cooperative_id"), Cooperative.name.label("cooperative_name"),
                  Cooperative.slug.label("cooperative_slug"), Cooperative.province_code, Cooperative.regency_code,
                  Cooperative.cooperative_type, Cooperative.is_pesantren, Cooperative.opop_participant,
                  Cooperative.pesantren_name, province.name.label("province_name"),
                  regency.name.label("regency_name"))
        .join(Cooperative, Cooperative.id == Product.cooperative_id)
        .join(category, category.id == Product.category_id).outerjoin(parent, parent.id == category.parent_id)
        .join(province, province.code == Cooperative.province_code)
        .join(regency, regency.code == Cooperative.regency_code)
        .where(Product.id.in_(product_ids), Product.status == ProductStatus.ACTIVE,
               Cooperative.status == CooperativeStatus.VERIFIED)).all()
    if not rows:
        return [], []
    ids = [row.id for row in rows]
    certificates: dict[int, dict[str, date]] = {}
    for product_id, kind, number, expires_on in connection.execute(
            sa.select(ProductCertification.product_id, ProductCertification.kind, ProductCertification.number,
                      ProductCertification.expires_on).where(ProductCertification.product_id.in_(ids))):
        if number:
            certificates.setdefault(product_id, {})[str(kind.value if hasattr(kind, "value") else kind)] = (
                expires_on or date.max)
    covers = {product_id: (image, alt) for product_id, image, alt in connection.execute(
        sa.select(ProductImage.product_id, ProductImage.image, ProductImage.alt_text)
        .where(ProductImage.product_id.in_(ids), ProductImage.position == 0))}
    skills: dict[int, list[str]] = {}
    for product_id, skill in connection.execute(
            sa.select(product_producers.c.product_id, Member.skills)
            .join(Member, Member.id == product_producers.c.member_id)
            .where(product_producers.c.product_id.in_(ids), Member.skills.is_not(None))):
        skills.setdefault(product_id, []).append(skill)
    entries, texts = [], []
    for row in rows:
        held = certificates.get(row.id, {})
        cover_image, cover_alt = covers.get(row.id, (None, None))
        entries.append({
            "product_id": row.id, "cooperative_id": row.cooperative_id, "category_id": row.category_id,
            "parent_category_id": row.parent_id, "province_code": row.province_code,
            "regency_code": row.regency_code, "cooperative_type": _value(row.cooperative_type),
            "is_pesantren": row.is_pesantren, "opop_participant": row.opop_participant,
            "base_price": row.base_price, "availability": _value(row.availability),
            "in_stock": row.stock_on_hand >= row.min_order_quantity, "local_content": row.local_content,
            "halal_until": held.get("halal"), "pirt_until": held.get("pirt"), "bpom_md_until": held.get("bpom_md"),
            "sni_until": held.get("sni"), "created_at": row.created_at, "name": row.name, "slug": row.slug,
            "unit": _value(row.unit), "cooperative_name": row.cooperative_name,
            "cooperative_slug": row.cooperative_slug, "regency_name": row.regency_name,
            "min_order_quantity": row.min_order_quantity, "lead_time_days": row.lead_time_days,
            "weekly_capacity": row.weekly_capacity, "cover_image": cover_image, "cover_alt": cover_alt,
        })
        body = " ".join(filter(None, [row.description, row.c_id, row.c_en, row.p_id, row.cooperative_name,
                                      row.regency_name, row.province_name, row.pesantren_name,
                                      *skills.get(row.id, [])]))
        texts.append({"product_id": row.id, "name": normalize(row.name), "body": normalize(body)})
    return entries, texts


def _value(value) -> str:
    return value.value if hasattr(value, "value") else value


def reindex_products(session: Session, product_ids: list[int], record: bool = True) -> None:
    """Replace the index rows of these products: public ones are (re)written, others removed; with `record`,
    each is noted as changed for the workers' facet columns."""
    connection = session.connection()
    backend = backend_for(connection.dialect.name)
    for start in range(0, len(product_ids), BATCH):
        chunk = product_ids[start:start + BATCH]
        connection.execute(sa.delete(SearchEntry).where(SearchEntry.product_id.in_(chunk)))
        backend.delete(connection, chunk)
        entries, texts = _documents(connection, chunk)
        if entries:
            backend.write(connection, entries, texts)
        if record:
            record_changes(session, backend, chunk, utcnow())


def rebuild_index(session: Session) -> int:
    """Rebuild the whole index from the products; returns how many products are searchable."""
    backend = backend_for(session.get_bind().dialect.name)
    connection = session.connection()
    backend.ensure_schema(connection)
    connection.execute(sa.delete(SearchEntry))
    backend.drop_schema(connection)
    backend.ensure_schema(connection)
    last_id = 0
    while True:
        ids = list(session.scalars(sa.select(Product.id).where(Product.id > last_id).order_by(Product.id)
                                   .limit(BATCH)))
        if not ids:
            break
        reindex_products(session, ids, record=False)
        last_id = ids[-1]
    # Earlier changes say nothing a full load will not; one mark tells every worker to load everything.
    connection.execute(sa.delete(SearchChange))
    record_changes(session, backend, [None], utcnow())
    return session.scalar(sa.select(sa.func.count()).select_from(SearchEntry)) or 0


def prune_changes(session: Session, older_than: timedelta) -> int:
    """Forget changes older than `older_than` (every worker has read them: see `columns.CHANGES_KEPT`)."""
    result = session.execute(sa.delete(SearchChange).where(SearchChange.changed_at < utcnow() - older_than))
    return cast(sa.CursorResult, result).rowcount


def ensure_search_schema(connection: sa.Connection) -> None:
    backend_for(connection.dialect.name).ensure_schema(connection)
