"""Every public page costs the same number of SQL statements however much data there is (no N+1)."""

import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from marketplace.catalog.models import CertificationKind
from marketplace.extensions import db
from tests.factories import category, complete_order, create_cooperative, create_member, create_product, create_user
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
         "/suppliers", "/suppliers?cert=halal", "{product}", "{cooperative}",
         "/search?q=bat&category={category}&province=33&page=2", "/search?q=motif&sort=most_ordered",
         "/search?category={category}&availability=ready_stock", "/search?q=batk"]


# Anonymous visitors and signed-in buyers both (the page cache is off in tests, so each request is computed);
# on PostgreSQL too when the suite runs there.
@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
@pytest.mark.parametrize("address", PAGES)
def test_a_page_costs_the_same_statements_with_more_data(app, address, signed_in):
    def cost(client, products):
        path = address.format(product=f"/products/{products[0].slug}",
                              cooperative=f"/cooperatives/{products[0].cooperative.slug}",
                              category=category("kain-dan-wastra").id)
        client.get(path)  # warm up: caches and first-time loads
        with counting_statements() as statements:
            assert client.get(path).status_code == 200
        # Regions come from the reference list: joining `regions` cost PostgreSQL 2 ms of planning a statement.
        assert not [statement for statement in statements if re.search(r"\b(FROM|JOIN) regions\b", statement)]
        return len(statements)

    client = app.test_client()
    if signed_in:
        AuthActions(client).login(create_user())
    small = cost(client, grow(2, 2))
    large = cost(client, grow(8, 4))
    assert large == small, f"{address}: {small} statements with little data, {large} with more"


@pytest.mark.parametrize("address", ["/suppliers", "/suppliers?kopontren=1&sort=name", "/cooperatives"])
def test_a_directory_page_reads_its_count_and_its_rows_in_one_statement(app, address):
    grow(5, 1)
    client = app.test_client()

    def statements_on_cooperatives(path: str, shows: str) -> list[str]:
        client.get(path)
        with counting_statements() as statements:
            response = client.get(path)
        assert response.status_code == 200 and shows in response.get_data(as_text=True)
        return [statement for statement in statements if re.search(r"\bFROM cooperatives\b", statement)]

    listing = statements_on_cooperatives(address, shows="Koperasi Batik 4")
    # The count, the page's keys, its rows (and on the supplier directory each card's offer) in one statement.
    assert len(listing) == 1 and "count(*)" in listing[0]
    assert ("search_entries" in listing[0]) == address.startswith("/suppliers")
    past_the_end = statements_on_cooperatives(address + ("&" if "?" in address else "?") + "page=40", shows="")
    assert len(past_the_end) == 2  # no rows on the page: then the count alone, so the page still knows the total


@pytest.mark.parametrize("address, empty_state", [
    ("/suppliers?province=35", "Tidak ada penyedia terverifikasi"),
    ("/cooperatives?province=35", "Tidak ada koperasi terverifikasi")])
def test_an_empty_directory_is_one_statement_and_says_so(app, address, empty_state):
    grow(2, 1)  # all in Central Java: East Java's list is empty
    client = app.test_client()
    client.get(address)
    with counting_statements() as statements:
        response = client.get(address)
    assert response.status_code == 200 and "Koperasi Batik" not in response.get_data(as_text=True)
    assert empty_state in response.get_data(as_text=True)
    # An empty first page is an empty list: no count is asked after it.
    assert len([statement for statement in statements if re.search(r"\bFROM cooperatives\b", statement)]) == 1


MANAGEMENT_PAGES = ["/manage/{slug}/products", "/manage/{slug}/members", "/manage/{slug}/rat", "/manage/{slug}",
                    "/manage/{slug}/products/{product}/stock"]


@pytest.mark.parametrize("address", MANAGEMENT_PAGES)
def test_a_management_page_costs_the_same_statements_with_more_data(app, address):
    from datetime import date

    from marketplace.catalog.services import stock
    from tests.factories import owner_of

    cooperative = create_cooperative(name="Koperasi Tunas")
    owner = owner_of(cooperative)

    def grow_cooperative(count: int):
        for index in range(count):
            member = create_member(cooperative, full_name=f"Anggota {index}")
            product = create_product(cooperative, name=f"Tas {index}-{count}", producer_ids=[member.id])
            stock.receive_stock(owner, product, member_id=member.id, quantity=3, received_on=date(2026, 11, 1))
        db.session.commit()
        return product

    def cost(client, product):
        path = address.format(slug=cooperative.slug, product=product.id)
        client.get(path)
        with counting_statements() as statements:
            assert client.get(path).status_code == 200
        return len(statements)

    client = app.test_client()
    AuthActions(client).login(owner)
    small = cost(client, grow_cooperative(2))
    large = cost(client, grow_cooperative(8))
    assert large == small, f"{address}: {small} statements with little data, {large} with more"


def test_the_dormant_list_costs_the_same_statements_with_more_cooperatives(app):
    admin = create_user(kind="admin")
    client = app.test_client()
    AuthActions(client).login(admin)

    def cost(count: int) -> int:
        for index in range(count):
            create_cooperative(name=f"Koperasi Diam {count}-{index}", last_rat_book_year=2018, founded_year=2000)
        client.get("/admin/dormant")
        with counting_statements() as statements:
            assert client.get("/admin/dormant").status_code == 200
        return len(statements)

    assert cost(2) == cost(8)


ORDER_PAGES = ["/manage/{slug}/orders", "/manage/{slug}/orders?status=placed", "/manage/{slug}/orders/{number}",
               "/orders", "/orders/{number}", "/cart", "/checkout"]


@pytest.mark.parametrize("address", ORDER_PAGES)
def test_order_pages_cost_the_same_statements_with_more_orders(app, address):
    from tests.factories import owner_of, place_order, receive
    from tests.helpers import signed_in

    cooperative = create_cooperative(name="Koperasi Tunas")
    buyer = create_user()
    products = []

    def grow_orders(count: int):
        for index in range(count):
            product = create_product(cooperative, name=f"Tas {count}-{index}", tiers=[])
            receive(product, 50)
            products.append(product)
        for _ in range(count):
            order = place_order(buyer, *[(product, 1) for product in products[-count:]]).orders[0]
        from marketplace.ordering.services.cart import StoredCart, add_to_cart

        for product in products[-count:]:
            add_to_cart(StoredCart(buyer), product.slug, 1)  # a cart with as many lines, for /cart and /checkout
        db.session.commit()
        return order

    def cost(client, order):
        path = address.format(slug=cooperative.slug, number=order.number)
        client.get(path)
        with counting_statements() as statements:
            assert client.get(path).status_code == 200
        return len(statements)

    client = signed_in(app, owner_of(cooperative) if address.startswith("/manage") else buyer)
    small = cost(client, grow_orders(2))
    large = cost(client, grow_orders(6))
    assert large == small, f"{address}: {small} statements with little data, {large} with more"


LEDGER_PAGES = ["/manage/{slug}/ledger", "/manage/{slug}/ledger/members/{member}", "/manage/{slug}/savings",
                "/manage/{slug}/shu?shu=1000000", "/manage/{slug}/reports/sales",
                "/manage/{slug}/reports/sales?by=product", "/manage/{slug}/orders/{number}/allocations",
                "/my/earnings"]


@pytest.mark.parametrize("address", LEDGER_PAGES)
def test_ledger_pages_cost_the_same_statements_with_more_members_and_sales(app, address):
    from datetime import date

    from marketplace.ledger.models import Account
    from marketplace.ledger.services import savings
    from tests.factories import owner_of, place_order, receive
    from tests.helpers import signed_in

    cooperative = create_cooperative(name="Koperasi Tunas")
    staff_user = owner_of(cooperative)
    buyer = create_user()
    person = create_user()
    first = create_member(cooperative, user_id=person.id, joined_on=date(2025, 1, 1))

    def grow_ledger(count: int):
        for index in range(count):
            member = first if index == 0 and count == 2 else create_member(cooperative, joined_on=date(2025, 1, 1))
            product = create_product(cooperative, name=f"Tas {count}-{index}", tiers=[])
            receive(product, 3, member=member)
            receive(product, 3, member=first)
            order = place_order(buyer, (product, 4)).orders[0]
            complete_order(order, buyer)
            savings.record_savings(staff_user, cooperative, savings.SavingsMovement(
                member_id=member.id, account=Account.SIMPANAN_SUKARELA, amount=10_000, on=date(2026, 1, 5)))
        db.session.commit()
        return order

    def cost(client, order):
        path = address.format(slug=cooperative.slug, member=first.id, number=order.number)
        client.get(path)
        with counting_statements() as statements:
            assert client.get(path).status_code == 200
        return len(statements)

    client = signed_in(app, person if address.startswith("/my") else staff_user)
    small = cost(client, grow_ledger(2))
    large = cost(client, grow_ledger(6))
    assert large == small, f"{address}: {small} statements with little data, {large} with more"
