"""The home page's showcases: categories by how many products they hold, cooperatives by province."""

import pytest

from marketplace.catalog.services import products as product_services
from marketplace.cooperatives.models import CooperativeStatus
from marketplace.extensions import db
from marketplace.search.services.showcase import cooperatives_by_region, featured_categories
from tests.factories import category, create_cooperative, create_product, owner_of
from tests.helpers import page_text


@pytest.fixture(autouse=True, params=[True, False], ids=["facet columns", "database counts"])
def counted_either_way(request, app):
    app.config["SEARCH_FACET_COLUMNS"] = request.param


def counts() -> dict[str, int]:
    return {category.slug: count for category, count in featured_categories(limit=40) if count}


def test_categories_are_counted_by_their_public_products_and_follow_every_change(app, client):
    sragen = create_cooperative(name="Koperasi Sragen")
    for name in ("Batik tulis", "Batik cap", "Tenun ikat"):
        create_product(sragen, name=name, category_id=category("batik" if "Batik" in name else "tenun").id)
    create_product(sragen, name="Keranjang", category_id=category("anyaman").id)
    create_product(sragen, name="Draf", category_id=category("anyaman").id, status="draft")
    db.session.commit()
    assert counts() == {"kain-dan-wastra": 3, "kerajinan": 1}
    assert [category.slug for category, _count in featured_categories(limit=2)] == ["kain-dan-wastra", "kerajinan"]

    basket = db.session.scalar(db.select(product_services.Product).where(product_services.Product.name == "Keranjang"))
    product_services.change_product_status(owner_of(sragen), basket, product_services.ProductStatus.ARCHIVED)
    db.session.commit()
    assert counts() == {"kain-dan-wastra": 3}
    sragen.status = CooperativeStatus.SUSPENDED
    db.session.commit()
    assert counts() == {}
    assert "Kain dan wastra" in page_text(client.get("/"))  # still listed, with nothing in it


def test_provinces_are_counted_by_verified_cooperatives_most_first_then_by_name(app, client):
    create_cooperative(name="Koperasi A", province_code="35", regency_code="35.24")
    create_cooperative(name="Koperasi B", province_code="35", regency_code="35.24")
    create_cooperative(name="Koperasi C", province_code="11", regency_code="11.01")
    create_cooperative(name="Koperasi D", province_code="33", regency_code="33.14")
    create_cooperative(name="Koperasi E", province_code="33", regency_code="33.14", status="pending")
    regions = [(province.code, province.name, count) for province, count in cooperatives_by_region()]
    assert regions == [("35", "Jawa Timur", 2), ("11", "Aceh", 1), ("33", "Jawa Tengah", 1)]
    assert [(province.code, count) for province, count in cooperatives_by_region(limit=1)] == [("35", 2)]
    assert "Jawa Timur" in page_text(client.get("/"))
