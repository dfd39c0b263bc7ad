"""Benchmark: checkouts per second on PostgreSQL with many buyers at once on shared products, and the order pages
with 10,000 orders — each as a ratio to a hello-world route measured in the same run.

    python -m bench.checkouts [--buyers 600] [--concurrency 16] [--orders 10000]
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/some_db python -m bench.checkouts

Without BENCH_DATABASE_URL a throwaway database is created on the local PostgreSQL and dropped afterwards.
Every buyer signs in, fills a cart of three products (one of them a "hot" product with too little stock for
everyone), reviews the checkout, and then all of them press "place order" at once. The run ends by checking that
no unit was oversold: every product's stock equals its lots, and its lots equal what was received less what the
placed orders took.
"""

import argparse
import contextlib
import http.cookiejar
import os
import random
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.__main__ import BIN, ensure_wrk, peak_memory_mb, run, start_server

ADDRESS = {"recipient_name": "Pembeli Uji", "phone": "+6281234567890", "province_code": "33",
           "regency_code": "33.14", "street_address": "Jl. Raya Sukowati 12, Sragen", "postal_code": "57211"}
_HIDDEN = re.compile(r'name="(csrf_token|fingerprint|idempotency_key)" type="hidden" value="([^"]*)"')
_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Browser:
    """One person's browser: their own cookies, forms sent as a browser sends them."""

    def __init__(self, base: str):
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def open(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(urllib.request.Request(self.base + path, data=body), timeout=120) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def token(self, path: str) -> str:
        return _TOKEN.search(self.open(path)[1]).group(1)

    def session_cookie(self) -> str:
        return "; ".join(f"{cookie.name}={cookie.value}" for cookie in self.cookies)


def create_database(url: str | None) -> tuple[str, str | None]:
    if url:
        return url, None
    import psycopg

    name = f"pasar_bench_orders_{os.getpid()}"
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", name


def drop_database(name: str | None) -> None:
    if name is None:
        return
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def seed(env: dict, *, buyers: int, products: int, hot_stock: int, orders: int) -> dict:
    """Cooperatives, products with members' lots, buyers, and `orders` past orders of one buyer at one
    cooperative (for the inbox and history pages) — written through the models, in bulk where it pays."""
    os.environ.update(env)
    from datetime import date

    import sqlalchemy as sa

    from marketplace import create_app
    from marketplace.accounts.models import AccountKind, User
    from marketplace.accounts.services import hash_password
    from marketplace.catalog.models import Availability, Product, ProductStatus, StockLot, Unit
    from marketplace.catalog.services.categories import ensure_default_categories
    from marketplace.cooperatives.models import (
        Cooperative,
        CooperativeStatus,
        CooperativeType,
        Member,
        StaffMembership,
        StaffRole,
    )
    from marketplace.core.timeutil import utcnow
    from marketplace.extensions import db
    from marketplace.ordering.models import (
        Checkout,
        DeliveryMethod,
        Order,
        OrderLine,
        OrderNumberCounter,
        OrderStatus,
        PaymentMethod,
    )

    app = create_app({"PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    password = "bench-password-1"
    with app.app_context():
        password_hash = hash_password(password)
        ensure_default_categories()
        category_id = db.session.scalar(sa.text("select min(id) from categories where parent_id is not null"))
        staff = User(email="staf@bench.id", name="Staf Bench", kind=AccountKind.COOPERATIVE_STAFF,
                     password_hash=password_hash, email_verified_at=utcnow())
        db.session.add(staff)
        cooperatives = []
        for index in range(4):
            cooperative = Cooperative(
                slug=f"bench-koperasi-{index}", name=f"Koperasi Bench {index}", order_prefix=f"BK{index}",
                cooperative_type=CooperativeType.PRODUCER,
                street_address="Jl. Bench", province_code="33", regency_code="33.14", phone="+6281329000002",
                email=f"koperasi{index}@bench.id", status=CooperativeStatus.VERIFIED, verified_at=utcnow())
            db.session.add(cooperative)
            cooperatives.append(cooperative)
        db.session.flush()
        db.session.add(StaffMembership(cooperative_id=cooperatives[0].id, user_id=staff.id, role=StaffRole.BOARD))
        members = [Member(cooperative_id=cooperative.id, member_number="A-001", full_name="Anggota Bench",
                          joined_on=date(2020, 1, 1)) for cooperative in cooperatives]
        db.session.add_all(members)
        db.session.flush()
        catalog = []
        for index in range(products):
            cooperative, member = cooperatives[index % 4], members[index % 4]
            stock = hot_stock if index == 0 else 1_000_000
            product = Product(cooperative_id=cooperative.id, slug=f"bench-produk-{index}", name=f"Produk bench {index}",
                              category_id=category_id, unit=Unit.PIECE, base_price=25_000 + index * 500,
                              sku=f"B-{index:04d}", status=ProductStatus.ACTIVE,
                              availability=Availability.READY_STOCK, stock_on_hand=stock)
            db.session.add(product)
            db.session.flush()
            # Several lots per product, so a checkout walks and locks more than one.
            for part in (stock // 2, stock - stock // 2):
                db.session.add(StockLot(product_id=product.id, member_id=member.id, quantity_received=part,
                                        quantity_remaining=part, received_on=date(2026, 1, 1)))
            catalog.append(product.slug)
        people = [{"email": f"pembeli{index}@bench.id", "name": f"Pembeli {index}", "kind": AccountKind.BUYER,
                   "password_hash": password_hash, "preferred_locale": "id", "active": True,
                   "email_verified_at": utcnow(), "created_at": utcnow(), "updated_at": utcnow(),
                   "password_changed_at": utcnow()} for index in range(buyers + 1)]
        db.session.execute(sa.insert(User), people)
        history_buyer = db.session.scalar(sa.select(User).where(User.email == f"pembeli{buyers}@bench.id"))
        checkout = Checkout(reference="CO-BENCHHIST", idempotency_key="bench-history", buyer_id=history_buyer.id,
                            payment_method=PaymentMethod.ON_DELIVERY, **ADDRESS)
        db.session.add(checkout)
        db.session.flush()
        first = db.session.scalar(sa.select(Product).where(Product.slug == "bench-produk-4"))
        cooperative = cooperatives[0]
        now = utcnow()
        order_rows = [{"number": f"{index:06d}-HIS", "cooperative_id": cooperative.id, "year": 2026,
                       "sequence": index, "checkout_id": checkout.id, "buyer_id": history_buyer.id,
                       "status": random.choice(list(OrderStatus)), "payment_method": PaymentMethod.ON_DELIVERY,
                       "delivery_method": DeliveryMethod.PICKUP, "delivery_fee": 0, "subtotal": first.base_price,
                       "total": first.base_price, "buyer_note": "", "placed_at": now, "ship_by": date(2026, 12, 1),
                       "verification_code": secrets.token_hex(8).upper(), "updated_at": now}
                      for index in range(1, orders + 1)]
        db.session.execute(sa.insert(Order), order_rows)
        db.session.add(OrderNumberCounter(cooperative_id=cooperative.id, year=2026, last_number=orders))
        order_ids = db.session.scalars(sa.select(Order.id).where(Order.buyer_id == history_buyer.id)).all()
        db.session.execute(sa.insert(OrderLine), [
            {"order_id": order_id, "product_id": first.id, "product_name": first.name, "sku": first.sku,
             "unit": "pcs", "availability": "ready_stock", "unit_price": first.base_price, "quantity": 1,
             "line_total": first.base_price} for order_id in order_ids])
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("ANALYZE")  # as autovacuum would after a bulk load
        db.engine.dispose()
    return {"password": password, "products": catalog, "cooperative_slug": "bench-koperasi-0",
            "history_email": f"pembeli{buyers}@bench.id", "staff_email": "staf@bench.id"}


def prepare(base: str, index: int, data: dict, rng: random.Random) -> tuple[Browser, dict] | None:
    """Sign in, fill the cart (the hot product for a third of the buyers), review: ready to press "place"."""
    browser = Browser(base)
    browser.open("/login", {"email": f"pembeli{index}@bench.id", "password": data["password"],
                            "csrf_token": browser.token("/login")})
    token = browser.token("/cart")
    chosen = rng.sample(data["products"][1:], 2) + ([data["products"][0]] if index % 3 == 0 else [])
    for slug in chosen:
        browser.open("/cart/add", {"product": slug, "quantity": str(rng.randint(1, 3)), "csrf_token": token})
    cooperatives = {int(number) for number in re.findall(r'name="delivery_(\d+)"', browser.open("/checkout")[1])}
    form = {**ADDRESS, "payment_method": "on_delivery", "csrf_token": token,
            **{f"delivery_{cooperative}": "pickup" for cooperative in cooperatives}}
    status, review = browser.open("/checkout", {**form, "review": "1"})
    hidden = dict(_HIDDEN.findall(review))
    if status != 200 or "idempotency_key" not in hidden:
        return None
    return browser, {**form, **hidden, "place": "1"}


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU the processes have used so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def pids_of(*names: str) -> list[int]:
    found = []
    for name in names:
        found += [int(pid) for pid in subprocess.run(["pgrep", "-f", name], capture_output=True,
                                                     text=True).stdout.split()]
    return found


def prepare_service_buyers(env: dict, data: dict, first: int, count: int) -> list[tuple[int, str]]:
    """Buyers for the checkout service measured without HTTP: a stored cart and the fingerprint of its review."""
    os.environ.update(env)
    import sqlalchemy as sa

    from marketplace import create_app
    from marketplace.accounts.models import AccountKind, User
    from marketplace.core.errors import DomainError
    from marketplace.core.timeutil import utcnow
    from marketplace.extensions import db
    from marketplace.ordering.models import DeliveryMethod, PaymentMethod
    from marketplace.ordering.services.cart import StoredCart, add_to_cart, cooperative_ids_in
    from marketplace.ordering.services.checkout import Address, SupplierChoice, plan_checkout

    app = create_app()
    plans = []
    with app.app_context():
        password_hash = db.session.scalar(sa.select(User.password_hash).limit(1))
        db.session.execute(sa.insert(User), [
            {"email": f"layanan{index}@bench.id", "name": f"Pembeli layanan {index}", "kind": AccountKind.BUYER,
             "password_hash": password_hash, "preferred_locale": "id", "active": True, "email_verified_at": utcnow(),
             "created_at": utcnow(), "updated_at": utcnow(), "password_changed_at": utcnow()}
            for index in range(first, first + count)])
        for index in range(first, first + count):
            rng = random.Random(index)
            buyer = db.session.scalar(sa.select(User).where(User.email == f"layanan{index}@bench.id"))
            store = StoredCart(buyer)
            chosen = rng.sample(data["products"][1:], 2) + ([data["products"][0]] if index % 3 == 0 else [])
            for slug in chosen:
                with contextlib.suppress(DomainError):  # the hot product sold out in the run over HTTP
                    add_to_cart(store, slug, rng.randint(1, 3))
            choices = {cooperative_id: SupplierChoice(DeliveryMethod.PICKUP)
                       for cooperative_id in cooperative_ids_in(store)}
            plan = plan_checkout(buyer, store, Address(**ADDRESS), PaymentMethod.ON_DELIVERY, choices)
            plans.append((buyer.id, plan.fingerprint))
            db.session.commit()
        db.engine.dispose()
    return plans


def service_worker(env: dict, plans: list[tuple[int, str]], threads: int, start_at: float) -> tuple:
    """One process (as one gunicorn worker would be) placing checkouts from `threads` threads at once."""
    os.environ.update(env)
    from marketplace import create_app
    from marketplace.accounts.models import User
    from marketplace.core.errors import DomainError
    from marketplace.core.unit_of_work import unit_of_work
    from marketplace.extensions import db
    from marketplace.ordering.models import DeliveryMethod, PaymentMethod
    from marketplace.ordering.services.cart import StoredCart, cooperative_ids_in
    from marketplace.ordering.services.checkout import Address, SupplierChoice, place_checkout

    app = create_app()
    outcomes: list[str] = []
    lock = threading.Lock()

    def place_share(share: list[tuple[int, str]]) -> None:
        with app.app_context():
            time.sleep(max(0.0, start_at - time.time()))
            for buyer_id, fingerprint in share:
                try:
                    buyer = db.session.get(User, buyer_id)
                    store = StoredCart(buyer)
                    choices = {cooperative_id: SupplierChoice(DeliveryMethod.PICKUP)
                               for cooperative_id in cooperative_ids_in(store)}
                    with unit_of_work():
                        place_checkout(buyer, store, Address(**ADDRESS), PaymentMethod.ON_DELIVERY, choices,
                                       idempotency_key=f"service-{buyer_id}", fingerprint=fingerprint)
                    outcome = "placed"
                except DomainError as error:
                    outcome = error.code
                except Exception as error:  # counted, and the run fails: a checkout must never crash
                    outcome = f"error: {type(error).__name__}"
                finally:
                    db.session.remove()
                with lock:
                    outcomes.append(outcome)

    with app.app_context():
        db.engine.dispose()
    time.sleep(max(0.0, start_at - time.time()))
    cpu_at_start = time.process_time()  # the application's start-up is not a checkout's cost
    workers = [threading.Thread(target=place_share, args=(plans[index::threads],)) for index in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return outcomes, time.time(), time.process_time() - cpu_at_start


def measure_service(env: dict, plans: list, processes: int, threads: int) -> tuple[float, list[str], float]:
    """Checkouts per second through the service itself, `processes` × `threads` at once (no HTTP, no forms)."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    start_at = time.time() + 8  # every process has imported the application and is waiting
    with context.Pool(processes) as pool:
        results = pool.starmap(service_worker, [(env, plans[index::processes], threads, start_at)
                                                for index in range(processes)])
    outcomes = [outcome for result in results for outcome in result[0]]
    elapsed = max(result[1] for result in results) - start_at
    cpu_ms = sum(result[2] for result in results) * 1000 / max(len(outcomes), 1)
    return len(outcomes) / elapsed, outcomes, cpu_ms


def wrk_rate(wrk: str, url: str, duration: int, cookie: str | None = None) -> float:
    command = [wrk, "-t2", "-c16", f"-d{duration}s"] + (["-H", f"Cookie: {cookie}"] if cookie else []) + [url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def oversold_units(env: dict) -> tuple[int, int]:
    """(units oversold, products checked): stock never below zero, always equal to the lots, and the lots equal
    to what was received less what the placed (not given back) orders took."""
    os.environ.update(env)
    import sqlalchemy as sa

    from marketplace import create_app
    from marketplace.extensions import db

    app = create_app()
    with app.app_context():
        rows = db.session.execute(sa.text("""
            select p.id, p.stock_on_hand,
                   (select coalesce(sum(quantity_remaining), 0) from stock_lots where product_id = p.id),
                   (select coalesce(sum(quantity_received), 0) from stock_lots where product_id = p.id),
                   (select coalesce(sum(c.quantity), 0) from lot_consumptions c join stock_lots l on l.id = c.lot_id
                     where l.product_id = p.id and c.returned_at is null)
            from products p""")).all()
        db.engine.dispose()
    wrong = sum(abs(received - taken - remaining) + abs(on_hand - remaining) + max(0, -on_hand)
                for _id, on_hand, remaining, received, taken in rows)
    return wrong, len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--buyers", type=int, default=600)
    parser.add_argument("--products", type=int, default=40)
    parser.add_argument("--hot-stock", type=int, default=150, help="units of the product a third of buyers want")
    parser.add_argument("--concurrency", type=int, default=16, help="buyers pressing 'place order' at once")
    parser.add_argument("--orders", type=int, default=10_000, help="past orders in the inbox and history")
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    arguments = parser.parse_args()
    wrk = ensure_wrk()
    database, created = create_database(os.environ.get("BENCH_DATABASE_URL"))
    workdir = Path(tempfile.mkdtemp(prefix="pasar-bench-orders-"))
    env = {**os.environ, "FLASK_APP": "marketplace", "APP_ENV": "production", "SECRET_KEY": secrets.token_hex(32),
           "DATABASE_URL": database, "INSTANCE_PATH": str(workdir), "SESSION_COOKIE_SECURE": "0",
           "TRUSTED_HOSTS": "127.0.0.1", "MAIL_BACKEND": "memory", "RATELIMIT_ENABLED": "0",
           "LOGIN_RATE_LIMIT": "100000 per minute",
           # As deployed (docs/DEPLOYMENT.md): requests queue their mail; the worker's cost is measured after.
           "MAIL_DELIVERY": "worker"}
    server = None
    try:
        run([str(BIN / "flask"), "db", "upgrade"], env)
        data = seed(env, buyers=arguments.buyers, products=arguments.products, hot_stock=arguments.hot_stock,
                    orders=arguments.orders)
        server, base = start_server(env, arguments.workers)
        wrk_rate(wrk, base + "/_bench/hello", 1)  # every worker up and warm before anything is measured
        baseline = wrk_rate(wrk, base + "/_bench/hello", arguments.duration)

        started = time.perf_counter()
        rng = random.Random(2026)
        with ThreadPoolExecutor(max_workers=8) as pool:
            ready = [entry for entry in pool.map(lambda index: prepare(base, index, data, random.Random(index)),
                                                  range(arguments.buyers)) if entry]
        rng.shuffle(ready)
        print(f"{len(ready)} buyers signed in with a reviewed cart ({time.perf_counter() - started:.0f} s)")

        answers: list[tuple[int, str]] = []
        lock = threading.Lock()
        start = threading.Barrier(arguments.concurrency)
        queue = iter(ready)

        def press_place(_worker: int) -> None:
            start.wait()
            while True:
                with lock:
                    entry = next(queue, None)
                if entry is None:
                    return
                browser, form = entry
                status, page = browser.open("/checkout", form)
                with lock:
                    answers.append((status, page))

        app_workers = [int(pid) for pid in subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True,
                                                           text=True).stdout.split()]
        database_processes = pids_of("postgres")
        cpu_before = (cpu_seconds(app_workers), cpu_seconds(database_processes), time.process_time())
        began = time.perf_counter()
        with ThreadPoolExecutor(max_workers=arguments.concurrency) as pool:
            list(pool.map(press_place, range(arguments.concurrency)))
        elapsed = time.perf_counter() - began
        cpu_spent = (cpu_seconds(app_workers) - cpu_before[0], cpu_seconds(database_processes) - cpu_before[1],
                     time.process_time() - cpu_before[2])
        placed = sum(1 for status, page in answers if status == 200 and "pesanan Anda sudah dibuat" in page)
        refused = sum(1 for status, page in answers if status == 200 and ("tinggal" in page or "habis" in page))
        errors = sum(1 for status, _page in answers if status >= 500)

        service_plans = prepare_service_buyers(env, data, arguments.buyers + 1, arguments.buyers)
        service_rate, service_outcomes, service_cpu = measure_service(env, service_plans, arguments.workers, 8)

        staff, history = Browser(base), Browser(base)
        for browser, email in ((staff, data["staff_email"]), (history, data["history_email"])):
            browser.open("/login", {"email": email, "password": data["password"],
                                    "csrf_token": browser.token("/login")})
        pages = [("order inbox (10,000 orders)", f"/manage/{data['cooperative_slug']}/orders", staff),
                 ("inbox, one status", f"/manage/{data['cooperative_slug']}/orders?status=placed", staff),
                 ("buyer's order history", "/orders", history),
                 ("last page of the history", "/orders?page=500", history)]
        page_rates = [(label, wrk_rate(wrk, base + path, arguments.duration, browser.session_cookie()))
                      for label, path, browser in pages]
        workers = [int(pid) for pid in subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True,
                                                       text=True).stdout.split()]
        memory = [peak_memory_mb(pid) for pid in workers]
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
    wrong, checked = oversold_units(env)
    mail_started = time.perf_counter()
    mail_report = run([str(BIN / "flask"), "send-mail", "--batch", "200"], env).strip()
    mail_seconds = time.perf_counter() - mail_started
    drop_database(created)
    shutil.rmtree(workdir, ignore_errors=True)

    rate = len(answers) / elapsed
    print(f"\n'place order' pressed by {len(answers)} buyers, {arguments.concurrency} at a time, on "
          f"{arguments.products} shared products (gunicorn {arguments.workers} gthread workers × 4, PostgreSQL)")
    print(f"{'what':34} {'per second':>11} {'× baseline':>11}")
    print(f"{'baseline: hello-world route':34} {baseline:11.0f} {1:11.3f}")
    print(f"{'checkouts answered':34} {rate:11.1f} {rate / baseline:11.4f}")
    print(f"{'checkouts placed':34} {placed / elapsed:11.1f} {placed / elapsed / baseline:11.4f}")
    print(f"placed {placed}, told 'only N left' {refused}, server errors {errors}; "
          f"units oversold {wrong} (checked {checked} products)")
    app_cpu, database_cpu, client_cpu = (seconds * 1000 / max(len(answers), 1) for seconds in cpu_spent)
    print(f"CPU per checkout: application {app_cpu:.1f} ms, PostgreSQL {database_cpu:.1f} ms, "
          f"the buyers' browsers (this process) {client_cpu:.1f} ms — on {os.cpu_count()} cores")
    service_errors = [outcome for outcome in service_outcomes if outcome.startswith("error")]
    print(f"\nthe checkout service without HTTP ({arguments.workers} processes × 8 threads, the same database):")
    print(f"{'checkouts answered':34} {service_rate:11.1f} {service_rate / baseline:11.4f}")
    print(f"placed {service_outcomes.count('placed')}, told 'only N left' {service_outcomes.count('out_of_stock')}, "
          f"errors {len(service_errors)}; CPU per checkout in the application: {service_cpu:.1f} ms")
    errors += len(service_errors)
    print(f"\n{'order pages, signed in':34} {'req/s':>11} {'× baseline':>11}")
    for label, page_rate in page_rates:
        print(f"{label:34} {page_rate:11.0f} {page_rate / baseline:11.3f}")
    print("peak memory per worker (VmHWM): " + ", ".join(f"{value:.0f} MB" for value in memory))
    print(f"the mail worker afterwards, the queued messages of the run (one process, start-up included): "
          f"{mail_report} — {mail_seconds:.1f} s")
    if wrong or errors:
        sys.exit("oversold units or server errors: see above")


if __name__ == "__main__":
    main()
