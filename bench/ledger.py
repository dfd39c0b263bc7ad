"""Benchmark: the ledger of one cooperative with 2,000 members and 10,000 completed orders — a member's yearly
statement, the sales-by-member report and the SHU calculation, each timed, with the process's peak memory.

    python -m bench.ledger [--members 2000] [--orders 10000]
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/some_db python -m bench.ledger

Without BENCH_DATABASE_URL a throwaway database is created on the local PostgreSQL and dropped afterwards.
"""

import argparse
import os
import re
import secrets
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from bench.__main__ import BIN, run
from bench.checkouts import create_database, drop_database

YEAR = 2025


def peak_memory_mb() -> float:
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024


def seed(members: int, orders: int) -> dict:
    """A year of trade, written in bulk through Core statements (the journal refuses only changes, not inserts)."""
    import sqlalchemy as sa

    from marketplace.accounts.models import AccountKind, User
    from marketplace.catalog.models import Availability, Product, ProductStatus, Unit
    from marketplace.catalog.services.categories import ensure_default_categories
    from marketplace.cooperatives.models import Cooperative, CooperativeStatus, CooperativeType, Member
    from marketplace.core.timeutil import utcnow
    from marketplace.extensions import db
    from marketplace.ledger.models import Allocation, JournalEntry, JournalLine, SavingsSetting
    from marketplace.ordering.models import Checkout, Order, OrderLine, OrderStatus, PaymentMethod

    ensure_default_categories()
    now = utcnow()
    cooperative = Cooperative(slug="bench-ledger", name="Koperasi Bench Buku Besar", order_prefix="BL",
                              cooperative_type=CooperativeType.PRODUCER, street_address="Jl. Bench",
                              province_code="33", regency_code="33.14", phone="+6281200000000",
                              email="ledger@bench.id", status=CooperativeStatus.VERIFIED, verified_at=now)
    buyer = User(email="pembeli@bench.id", name="Pembeli", kind=AccountKind.BUYER, password_hash="x",
                 email_verified_at=now)
    db.session.add_all([cooperative, buyer])
    db.session.flush()
    category_id = db.session.scalar(sa.text("select min(id) from categories where parent_id is not null"))
    product = Product(cooperative_id=cooperative.id, slug="bench-ledger-produk", name="Tas anyaman", sku="BL-1",
                      category_id=category_id, unit=Unit.PIECE, base_price=100_000, status=ProductStatus.ACTIVE,
                      availability=Availability.MADE_TO_ORDER, lead_time_days=7, weekly_capacity=100)
    checkout = Checkout(reference="CO-BENCHLEDGER", idempotency_key="bench-ledger", buyer_id=buyer.id,
                        payment_method=PaymentMethod.ON_DELIVERY, recipient_name="Pembeli", phone="+6281200000000",
                        province_code="33", regency_code="33.14", street_address="Jl. Bench")
    db.session.add_all([product, checkout, SavingsSetting(cooperative_id=cooperative.id, pokok_amount=100_000,
                                                          wajib_monthly_amount=10_000)])
    db.session.flush()
    first_member = (db.session.scalar(sa.select(sa.func.max(Member.id))) or 0) + 1
    db.session.execute(sa.insert(Member), [
        {"id": first_member + index, "cooperative_id": cooperative.id, "member_number": f"M-{index:05d}",
         "full_name": f"Anggota {index}", "joined_on": date(2020, 1, 1), "status": "active",
         "payout_method": "cash", "public_name_consent": False, "created_at": now, "updated_at": now}
        for index in range(members)])
    db.session.execute(sa.insert(Order), [
        {"number": f"BL-{YEAR}-{index:06d}", "cooperative_id": cooperative.id, "year": YEAR, "sequence": index,
         "checkout_id": checkout.id, "buyer_id": buyer.id, "status": OrderStatus.COMPLETED,
         "payment_method": PaymentMethod.ON_DELIVERY, "delivery_method": "pickup", "delivery_fee": 0,
         "subtotal": 100_000 * (1 + index % 3), "total": 100_000 * (1 + index % 3), "buyer_note": "",
         "placed_at": now, "ship_by": date(YEAR, 12, 31), "verification_code": secrets.token_hex(8),
         "updated_at": now} for index in range(1, orders + 1)])
    order_ids = db.session.scalars(sa.select(Order.id).where(Order.cooperative_id == cooperative.id)
                                   .order_by(Order.id)).all()
    db.session.execute(sa.insert(OrderLine), [
        {"order_id": order_id, "product_id": product.id, "product_name": product.name, "sku": product.sku,
         "unit": "pcs", "availability": "made_to_order", "unit_price": 100_000, "quantity": 1 + index % 3,
         "line_total": 100_000 * (1 + index % 3)} for index, order_id in enumerate(order_ids)])
    lines = db.session.execute(sa.select(OrderLine.id, OrderLine.quantity, OrderLine.line_total)
                               .where(OrderLine.order_id.in_(order_ids)).order_by(OrderLine.id)).all()
    db.session.execute(sa.insert(Allocation), [
        {"order_line_id": line_id, "member_id": first_member + index % members, "quantity": quantity,
         "source": "staff", "recorded_at": now} for index, (line_id, quantity, _total) in enumerate(lines)])
    first_entry = (db.session.scalar(sa.select(sa.func.max(JournalEntry.id))) or 0) + 1
    entries, journal_lines = [], []
    for index, (line_id, _quantity, total) in enumerate(lines):
        margin = total // 10
        entries.append({"id": first_entry + index, "cooperative_id": cooperative.id, "kind": "sale",
                        "order_line_id": line_id, "booked_on": date(YEAR, 1, 1) + timedelta(days=index % 365),
                        "booked_at": now, "memo": f"BL-{YEAR}-{index + 1:06d} · Tas anyaman"})
        journal_lines += [
            {"entry_id": first_entry + index, "account": "sales", "member_id": None, "amount": total},
            {"entry_id": first_entry + index, "account": "member_payable",
             "member_id": first_member + index % members, "amount": -(total - margin)},
            {"entry_id": first_entry + index, "account": "cooperative_margin", "member_id": None, "amount": -margin}]
    savings_start = first_entry + len(lines)
    for index in range(members):
        for month in range(13):  # pokok once, then twelve months of wajib
            entry_id = savings_start + index * 13 + month
            entries.append({"id": entry_id, "cooperative_id": cooperative.id, "kind": "savings_deposit",
                            "booked_on": date(YEAR, max(month, 1), 5), "booked_at": now, "memo": "",
                            "savings_month": date(YEAR, month, 1) if month else None})
            account, amount = ("simpanan_pokok", 100_000) if month == 0 else ("simpanan_wajib", 10_000)
            journal_lines += [{"entry_id": entry_id, "account": "cash", "member_id": None, "amount": amount},
                              {"entry_id": entry_id, "account": account, "member_id": first_member + index,
                               "amount": -amount}]
    for start in range(0, len(entries), 5000):
        db.session.execute(sa.insert(JournalEntry), entries[start:start + 5000])
    for start in range(0, len(journal_lines), 5000):
        db.session.execute(sa.insert(JournalLine), journal_lines[start:start + 5000])
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("ANALYZE")
    return {"cooperative_id": cooperative.id, "member_id": first_member, "entries": len(entries),
            "lines": len(journal_lines)}


def timed(action, runs: int = 5) -> tuple[float, float]:
    action()  # warm up
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), max(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--orders", type=int, default=10_000)
    arguments = parser.parse_args()
    database, created = create_database(os.environ.get("BENCH_DATABASE_URL"))
    workdir = tempfile.mkdtemp(prefix="pasar-bench-ledger-")
    os.environ.update({"FLASK_APP": "marketplace", "APP_ENV": "development", "SECRET_KEY": secrets.token_hex(32),
                       "DATABASE_URL": database, "INSTANCE_PATH": workdir})
    try:
        run([str(BIN / "flask"), "db", "upgrade"], dict(os.environ))
        from flask import Flask

        from marketplace import create_app
        from marketplace.cooperatives.models import Cooperative, Member
        from marketplace.extensions import db
        from marketplace.ledger.services import journal, reports, shu
        from marketplace.ledger.services.documents import statement_pdf

        app: Flask = create_app()
        with app.app_context():
            started = time.perf_counter()
            data = seed(arguments.members, arguments.orders)
            print(f"{arguments.members} members, {arguments.orders} completed orders, {data['entries']} journal "
                  f"entries, {data['lines']} lines ({time.perf_counter() - started:.0f} s)")
            cooperative = db.session.get(Cooperative, data["cooperative_id"])
            member = db.session.get(Member, data["member_id"])
            since, until = date(YEAR, 1, 1), date(YEAR, 12, 31)
            shares = {"reserve": 2500, "jasa_usaha": 3000, "jasa_modal": 2000, "board": 1000, "employees": 500,
                      "education": 500, "social": 500}
            with app.test_request_context():
                measurements = [
                    ("a member's yearly statement (page of 50)", lambda: db.session.execute(
                        journal.statement_of(member, since=since, until=until).limit(50)).all()),
                    ("… its opening and closing balances",
                     lambda: journal.statement_totals(member, since=since, until=until)),
                    ("… the whole year as a PDF", lambda: statement_pdf(
                        member, cooperative, journal.statement_rows(member, since=since, until=until),
                        journal.statement_totals(member, since=since, until=until), since=since, until=until)),
                    ("sales by member (first 200 rows)",
                     lambda: reports.sales_rows(cooperative, "member", since=since, until=until, limit=200)),
                    ("sales by member, the whole CSV streamed",
                     lambda: sum(1 for _line in reports.sales_csv_lines(cooperative, "member", since=since,
                                                                        until=until))),
                    ("the SHU of the year for every member",
                     lambda: shu.distribute(cooperative, YEAR, 250_000_000, shares)),
                ]
                print(f"\n{'what':44} {'median ms':>10} {'slowest ms':>11}")
                for label, action in measurements:
                    median, slowest = timed(action)
                    print(f"{label:44} {median:10.1f} {slowest:11.1f}")
            print(f"\npeak memory of this process (VmHWM): {peak_memory_mb():.0f} MB")
            db.engine.dispose()
    finally:
        drop_database(created)


if __name__ == "__main__":
    main()
