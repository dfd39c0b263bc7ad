"""Sales as the cooperative reads them: by member, by product, by month, for a period — from the journal, so a
reversed sale no longer counts."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from marketplace.cooperatives.models import Cooperative, Member
from marketplace.core.csv_files import BYTE_ORDER_MARK, csv_line
from marketplace.extensions import db
from marketplace.ledger.models import Account, Allocation, JournalEntry, JournalKind, JournalLine
from marketplace.ordering.models import OrderLine

GROUPINGS = ("member", "product", "month")


@dataclass(frozen=True)
class SalesRow:
    label: str
    units: int
    amount: int  # for members: what they earned; otherwise what buyers paid for the goods


def _sales_entries(cooperative: Cooperative, since: date | None, until: date | None):
    conditions = [JournalEntry.cooperative_id == cooperative.id,
                  JournalEntry.kind.in_([JournalKind.SALE, JournalKind.REVERSAL, JournalKind.REFUND])]
    if since:
        conditions.append(JournalEntry.booked_on >= since)
    if until:
        conditions.append(JournalEntry.booked_on <= until)
    return conditions


def _sign():
    """How an entry counts units: a refund gives money back, the goods stay sold."""
    return sa.case((JournalEntry.kind == JournalKind.REVERSAL, -1), (JournalEntry.kind == JournalKind.REFUND, 0),
                   else_=1)


def sales_query(cooperative: Cooperative, by: str, *, since: date | None = None,
                until: date | None = None) -> sa.Select:
    """(label, units, amount) rows, largest amount first (by month: in calendar order)."""
    conditions = _sales_entries(cooperative, since, until)
    if by == "member":
        return (sa.select(Member.full_name + " (" + Member.member_number + ")",
                          sa.func.coalesce(sa.func.sum(_sign() * Allocation.quantity), 0),
                          -sa.func.sum(JournalLine.amount))
                .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
                .join(Member, Member.id == JournalLine.member_id)
                .outerjoin(Allocation, sa.and_(Allocation.order_line_id == JournalEntry.order_line_id,
                                               Allocation.member_id == JournalLine.member_id))
                .where(JournalLine.account == Account.MEMBER_PAYABLE, *conditions)
                .group_by(Member.id, Member.full_name, Member.member_number)
                .order_by(-sa.func.sum(JournalLine.amount).desc(), Member.member_number))
    if by == "product":
        return (sa.select(OrderLine.product_name, sa.func.sum(_sign() * OrderLine.quantity),
                          sa.func.sum(JournalLine.amount))
                .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
                .join(OrderLine, OrderLine.id == JournalEntry.order_line_id)
                .where(JournalLine.account == Account.SALES, *conditions)
                .group_by(OrderLine.product_id, OrderLine.product_name)
                .order_by(sa.func.sum(JournalLine.amount).desc(), OrderLine.product_name))
    year, month = sa.extract("year", JournalEntry.booked_on), sa.extract("month", JournalEntry.booked_on)
    return (sa.select(sa.cast(year, sa.Integer) * 100 + sa.cast(month, sa.Integer),
                      sa.func.sum(_sign() * OrderLine.quantity), sa.func.sum(JournalLine.amount))
            .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
            .join(OrderLine, OrderLine.id == JournalEntry.order_line_id)
            .where(JournalLine.account == Account.SALES, *conditions)
            .group_by(year, month).order_by(year, month))


def _row(by: str, label, units, amount) -> SalesRow:
    if by == "month":
        label = f"{int(label) // 100}-{int(label) % 100:02d}"
    return SalesRow(label=str(label), units=int(units or 0), amount=int(amount or 0))


def sales_rows(cooperative: Cooperative, by: str, *, since=None, until=None, limit: int | None = None) -> list:
    query = sales_query(cooperative, by, since=since, until=until)
    if limit:
        query = query.limit(limit)
    return [_row(by, *row) for row in db.session.execute(query)]


def sales_csv_lines(cooperative: Cooperative, by: str, *, since=None, until=None) -> Iterator[str]:
    """Streamed in batches: a report over years of sales holds only one batch in memory."""
    yield BYTE_ORDER_MARK + csv_line([{"member": "anggota", "product": "produk", "month": "bulan"}[by], "unit",
                                      "pendapatan_anggota" if by == "member" else "penjualan"])
    result = db.session.execute(sales_query(cooperative, by, since=since, until=until)
                                .execution_options(yield_per=1000))
    for row in result:
        sales = _row(by, *row)
        yield csv_line([sales.label, sales.units, sales.amount])
