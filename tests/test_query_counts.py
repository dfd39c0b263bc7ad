"""Every public page costs the same number of SQL statements however much data there is (no N+1)."""

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from marketplace.catalog.models import CertificationKind
from marketplace.extensions import db
from tests.factories import category, create_cooperative, create_member, create_product, create_user
from tests.helpers import AuthActions


@contextmanager
def counting_statements():
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def grow(cooperatives: int, products_each: int):
    created = []
    for index in range(cooperatives):
        cooperative = create_cooperative(name=f"Koperasi Batik {index}", is_pesantren=index % 2 == 0,
                                         pesantren_name="PP" if index % 2 == 0 else None,
                                         opop_participant=index % 2 == 0)
        member = create_member(cooperative, public_name_consent=True)
        for number in range(products_each):
            created.append(create_product(cooperative, name=f"Batik motif {index}-{number}",
                                          category_id=category("batik").id, producer_ids=[member.id],
                                          certifications={CertificationKind.HALAL: (f"H{index}{number}", None)}))
    return created


PAGES = ["/", "/search?q=batik", "/search?q=batik&cert=halal&province=33&sort=price_asc", "/cooperatives",
         "/suppliers", "/suppliers?cert=halal", "{product}", "{cooperative}"]


@pytest.mark.parametrize("address", PAGES)
def test_a_page_costs_the_same_statements_with_more_data(app, address):
    def cost(client, products):
        path = address.format(product=f"/products/{products[0].slug}",
                           cooperative=f"/cooperatives/{products[0].cooperative.slug}")
        client.get(path)  # warm up: caches and first-time loads
        with counting_statements() as statements:
            assert client.get(path).status_code == 200
        return len(statements)

    client = app.test_client()
    AuthActions(client).login(create_user())
    small = cost(client, grow(2, 2))
    large = cost(client, grow(8, 4))
    assert large == small, f"{address}: {small} statements with little data, {large} with more"
