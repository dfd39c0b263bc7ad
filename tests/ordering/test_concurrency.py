"""Stock never oversells, numbers never skip, a checkout is placed once — with real parallel transactions.

Proven on PostgreSQL (row locks); on SQLite the same tests run too, where each unit of work takes the database's one
write lock, so the answer must be the same."""

import http.cookiejar
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from marketplace.accounts.models import User
from marketplace.catalog.models import Product, StockLot
from marketplace.core.errors import DomainError
from marketplace.core.unit_of_work import unit_of_work
from marketplace.extensions import db, limiter
from marketplace.ordering.models import Checkout, DeliveryMethod, LotConsumption, Order, PaymentMethod
from marketplace.ordering.services.cart import StoredCart, add_to_cart
from marketplace.ordering.services.checkout import (
    AlreadyPlaced,
    SupplierChoice,
    place_checkout,
    plan_checkout,
)
from tests.factories import DEFAULT_PASSWORD, SHIPPING_ADDRESS, create_product, create_user, receive


def _address():
    from marketplace.ordering.services.checkout import Address

    return Address(**SHIPPING_ADDRESS)


def _ready_buyer(*lines) -> tuple[int, str]:
    """A buyer with these lines in a stored cart, and the fingerprint of the review they saw."""
    buyer = create_user()
    store = StoredCart(buyer)
    for product, quantity in lines:
        add_to_cart(store, product.slug, quantity)
    choices = {product.cooperative_id: SupplierChoice(DeliveryMethod.PICKUP) for product, _ in lines}
    fingerprint = plan_checkout(buyer, store, _address(), PaymentMethod.ON_DELIVERY, choices).fingerprint
    db.session.commit()
    return buyer.id, fingerprint


def _race(app, buyers: list[tuple[int, str]], *, keys: list[str] | None = None) -> list[str]:
    """Every buyer places their checkout at the same moment, each in its own thread and transaction."""
    start = threading.Barrier(len(buyers))

    def place(index: int) -> str:
        buyer_id, fingerprint = buyers[index]
        with app.app_context():
            try:
                buyer = db.session.get(User, buyer_id)
                store = StoredCart(buyer)
                choices = {product_id: SupplierChoice(DeliveryMethod.PICKUP) for product_id in
                           {db.session.get(Product, pid).cooperative_id for pid in store.lines()}}
                db.session.rollback()  # hold no snapshot or lock while waiting at the start line
                start.wait(timeout=30)
                with unit_of_work():
                    place_checkout(buyer, store, _address(), PaymentMethod.ON_DELIVERY, choices,
                                   idempotency_key=keys[index] if keys else f"race-{index}",
                                   fingerprint=fingerprint)
                return "placed"
            except AlreadyPlaced:
                return "already_placed"
            except DomainError as error:
                return error.code
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=len(buyers)) as pool:
        results = list(pool.map(place, range(len(buyers))))
    _read_afresh()
    return results


def _read_afresh() -> None:
    """End the test's own read transaction: on SQLite it would keep showing the rows as they were before."""
    db.session.commit()
    db.session.expire_all()


def test_thirty_buyers_racing_for_the_last_five_units_buy_exactly_five(app):
    product = create_product(tiers=[])
    receive(product, 2, received_on=date(2026, 1, 1))
    receive(product, 3, received_on=date(2026, 2, 1))
    buyers = [_ready_buyer((product, 1)) for _ in range(30)]

    results = _race(app, buyers)

    assert results.count("placed") == 5, results
    assert set(results) == {"placed", "out_of_stock"}
    db.session.expire_all()
    assert db.session.get(Product, product.id).stock_on_hand == 0
    assert db.session.scalar(sa.select(sa.func.sum(StockLot.quantity_remaining))) == 0
    assert db.session.scalar(sa.select(sa.func.sum(LotConsumption.quantity))) == 5


def test_carts_sharing_products_in_any_order_never_deadlock_and_never_oversell(app):
    first, second = create_product(tiers=[]), create_product(tiers=[])
    receive(first, 12)
    receive(second, 12)
    # Half the buyers put the products in one order, half in the other; rows are locked by id all the same.
    buyers = [_ready_buyer((first, 1), (second, 1)) if index % 2 else _ready_buyer((second, 1), (first, 1))
              for index in range(16)]

    results = _race(app, buyers)

    assert results.count("placed") == 12 and set(results) <= {"placed", "out_of_stock"}, results
    db.session.expire_all()
    assert {db.session.get(Product, first.id).stock_on_hand, db.session.get(Product, second.id).stock_on_hand} == {0}


def test_checkouts_spanning_different_cooperatives_at_once_never_deadlock(app):
    """Each checkout locks its products, then the number counters of its cooperatives, then writes orders that
    point at those cooperatives: with carts over one, two or three cooperatives in every combination, none waits
    in a circle (a checkout never writes a cooperative's row)."""
    from tests.factories import create_cooperative

    products = [create_product(create_cooperative(name=f"Koperasi {name}"), tiers=[])
                for name in ("Anyaman", "Batik", "Cengkeh")]
    for product in products:
        receive(product, 100)
    carts = [[0], [1], [2], [0, 1], [1, 2], [0, 2], [2, 0, 1], [1, 0]] * 3
    buyers = [_ready_buyer(*[(products[index], 1) for index in cart]) for cart in carts]

    results = _race(app, buyers)

    assert results == ["placed"] * len(carts), results
    for product in products:
        sequences = sorted(db.session.scalars(sa.select(Order.sequence).where(
            Order.cooperative_id == product.cooperative_id)))
        assert sequences == list(range(1, len(sequences) + 1))


def test_order_numbers_given_at_the_same_moment_are_gapless(app):
    product = create_product(tiers=[])
    receive(product, 100)
    results = _race(app, [_ready_buyer((product, 1)) for _ in range(12)])
    assert results == ["placed"] * 12
    sequences = sorted(db.session.scalars(sa.select(Order.sequence)))
    assert sequences == list(range(1, 13))


def test_the_same_checkout_sent_twice_at_once_is_placed_once(app):
    product = create_product(tiers=[])
    receive(product, 10)
    buyer = _ready_buyer((product, 1))
    results = _race(app, [buyer, buyer], keys=["same-key", "same-key"])
    assert sorted(results) in (["already_placed", "placed"], ["cart_empty", "placed"]), results
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Checkout)) == 1
    db.session.expire_all()
    assert db.session.get(Product, product.id).stock_on_hand == 9


# Over HTTP: a real server, thirty browsers, each with its own session -------------------------------------------

class Browser:
    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(self.base + path))

    def post(self, path: str, data: dict) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode()
        return self._open(urllib.request.Request(self.base + path, data=body, method="POST"))

    def _open(self, request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def token(self, path: str) -> str:
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', self.get(path)[1]).group(1)


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    limiter.enabled = False  # thirty sign-ins from one address in a second are this test, not an attack
    yield f"http://127.0.0.1:{server.server_port}"
    limiter.enabled = True
    server.shutdown()


def test_thirty_buyers_over_http_race_for_five_units_and_the_rest_are_told_how_many_are_left(app, live_server):
    product = create_product(name="Batik tulis Sragen", tiers=[])
    receive(product, 5)
    people = [create_user(email=f"pembeli{index}@contoh.id") for index in range(30)]
    db.session.commit()
    form = {**SHIPPING_ADDRESS, "payment_method": "on_delivery", f"delivery_{product.cooperative_id}": "pickup"}

    browsers, placements = [], []
    for person in people:
        browser = Browser(live_server)
        browser.post("/login", {"email": person.email, "password": DEFAULT_PASSWORD,
                                "csrf_token": browser.token("/login")})
        browser.post("/cart/add", {"product": product.slug, "quantity": "1",
                                   "csrf_token": browser.token(f"/products/{product.slug}")})
        status, review = browser.post("/checkout", {**form, "review": "1", "csrf_token": browser.token("/checkout")})
        assert status == 200, review[:500]
        hidden = {name: re.search(rf'name="{name}" type="hidden" value="([^"]*)"', review).group(1)
                  for name in ("csrf_token", "fingerprint", "idempotency_key")}
        browsers.append(browser)
        placements.append({**form, **hidden, "place": "1"})

    start = threading.Barrier(len(browsers))

    def place(index: int) -> tuple[int, str]:
        start.wait(timeout=30)
        return browsers[index].post("/checkout", placements[index])

    with ThreadPoolExecutor(max_workers=len(browsers)) as pool:
        answers = list(pool.map(place, range(len(browsers))))
    _read_afresh()

    assert all(status == 200 for status, _page in answers), [status for status, _page in answers]
    placed = [page for _status, page in answers if "Terima kasih, pesanan Anda sudah dibuat" in page]
    told = [page for _status, page in answers if "Batik tulis Sragen tinggal" in page or
            "Batik tulis Sragen habis terjual" in page]
    assert (len(placed), len(told)) == (5, 25)
    db.session.expire_all()
    assert db.session.get(Product, product.id).stock_on_hand == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 5
