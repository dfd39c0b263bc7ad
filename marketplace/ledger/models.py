"""Allocations of order lines to members, the append-only journal, payouts, and margin settings."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.audit import register_audit_actions
from marketplace.core.database import enum_column
from marketplace.core.i18n import lazy_gettext as _l
from marketplace.core.labelled_enum import LabelledEnum
from marketplace.core.timeutil import UTCDateTime, utcnow
from marketplace.extensions import db


class AllocationSource(LabelledEnum):
    STOCK_LOT = "stock_lot", _l("From the member's stock lot")
    STAFF = "staff", _l("Allocated by staff")


class Allocation(db.Model):
    """How many units of an order line a member made. For every line the quantities add up to the line's."""

    __tablename__ = "allocations"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_line_id: Mapped[int] = mapped_column(sa.ForeignKey("order_lines.id", ondelete="RESTRICT"), index=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id", ondelete="RESTRICT"), index=True)
    quantity: Mapped[int]
    source: Mapped[AllocationSource] = mapped_column(enum_column(AllocationSource, "allocation_source"))
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    member = relationship("Member", lazy="joined")

    __table_args__ = (
        sa.UniqueConstraint("order_line_id", "member_id"),
        sa.CheckConstraint("quantity > 0", name="allocated_quantity_positive"),
    )


class Account(LabelledEnum):
    """The accounts a cooperative's marketplace journal moves money between."""

    SALES = "sales", _l("Sales through the marketplace")  # what buyers owe or paid for goods
    MEMBER_PAYABLE = "member_payable", _l("Owed to members")  # per member: earned, not yet paid out
    COOPERATIVE_MARGIN = "cooperative_margin", _l("Cooperative's margin")
    CASH = "cash", _l("Cash and bank")
    # A member's savings (UU 25/1992 art. 41), held by the cooperative: per member.
    SIMPANAN_POKOK = "simpanan_pokok", _l("Principal savings (simpanan pokok)")
    SIMPANAN_WAJIB = "simpanan_wajib", _l("Compulsory savings (simpanan wajib)")
    SIMPANAN_SUKARELA = "simpanan_sukarela", _l("Voluntary savings (simpanan sukarela)")


MEMBER_ACCOUNTS = frozenset({Account.MEMBER_PAYABLE, Account.SIMPANAN_POKOK, Account.SIMPANAN_WAJIB,
                             Account.SIMPANAN_SUKARELA})
SAVINGS_ACCOUNTS = (Account.SIMPANAN_POKOK, Account.SIMPANAN_WAJIB, Account.SIMPANAN_SUKARELA)


class JournalKind(LabelledEnum):
    SALE = "sale", _l("Sale attributed to members")
    REVERSAL = "reversal", _l("Reversal")
    # Money given back to the buyer: the members' earnings and the margin fall in proportion; the units stay sold.
    REFUND = "refund", _l("Refund to the buyer")
    PAYOUT = "payout", _l("Payout to a member")
    SAVINGS_DEPOSIT = "savings_deposit", _l("Savings deposit")
    SAVINGS_WITHDRAWAL = "savings_withdrawal", _l("Savings withdrawal")


class JournalEntry(db.Model):
    """One posting: its lines add up to zero. Never updated or deleted (the database refuses); a mistake or a
    refund is answered by a reversing entry."""

    __tablename__ = "journal_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(sa.ForeignKey("cooperatives.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[JournalKind] = mapped_column(enum_column(JournalKind, "journal_kind"))
    order_line_id: Mapped[int | None] = mapped_column(sa.ForeignKey("order_lines.id", ondelete="RESTRICT"),
                                                      index=True)
    payout_id: Mapped[int | None] = mapped_column(sa.ForeignKey("payouts.id", ondelete="RESTRICT"), index=True)
    reverses_id: Mapped[int | None] = mapped_column(sa.ForeignKey("journal_entries.id", ondelete="RESTRICT"),
                                                    unique=True)
    booked_on: Mapped[date]
    booked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    booked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    memo: Mapped[str] = mapped_column(sa.String(255), default="")
    # The month a deposit of simpanan wajib pays for (its first day); arrears are counted from these.
    savings_month: Mapped[date | None]

    lines = relationship("JournalLine", order_by="JournalLine.id", lazy="selectin", back_populates="entry")

    __table_args__ = (sa.Index("ix_journal_entries_cooperative_booked", "cooperative_id", "booked_on", "id"),)


class JournalLine(db.Model):
    """A signed amount on one account (debits positive, credits negative); per member on the members' account."""

    __tablename__ = "journal_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("journal_entries.id", ondelete="RESTRICT"), index=True)
    account: Mapped[Account] = mapped_column(enum_column(Account, "ledger_account"))
    member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id", ondelete="RESTRICT"))
    amount: Mapped[int] = mapped_column(sa.BigInteger)

    entry = relationship("JournalEntry", back_populates="lines")
    member = relationship("Member")

    __table_args__ = (
        sa.CheckConstraint("amount <> 0", name="journal_amount_not_zero"),
        sa.CheckConstraint("(account in ('member_payable', 'simpanan_pokok', 'simpanan_wajib', 'simpanan_sukarela'))"
                           " = (member_id is not null)", name="member_on_member_account"),
        sa.Index("ix_journal_lines_member_account", "member_id", "account"),
    )


class SavingsSetting(db.Model):
    """What the cooperative's AD/ART sets: simpanan pokok once on joining, simpanan wajib every month."""

    __tablename__ = "savings_settings"

    cooperative_id: Mapped[int] = mapped_column(sa.ForeignKey("cooperatives.id", ondelete="CASCADE"),
                                                primary_key=True)
    pokok_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    wajib_monthly_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    # Months before this one are not counted as owed (the month the cooperative started keeping savings here).
    wajib_counted_from: Mapped[date | None]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    __table_args__ = (sa.CheckConstraint("pokok_amount >= 0 and wajib_monthly_amount >= 0",
                                         name="savings_amounts_not_negative"),)


class PayoutMethod(LabelledEnum):
    CASH = "cash", _l("Cash")
    BANK_TRANSFER = "bank_transfer", _l("Bank transfer")
    EWALLET = "ewallet", _l("E-wallet")


class Payout(db.Model):
    """Money the cooperative paid a member from what they earned."""

    __tablename__ = "payouts"

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(sa.ForeignKey("cooperatives.id", ondelete="RESTRICT"), index=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id", ondelete="RESTRICT"), index=True)
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    method: Mapped[PayoutMethod] = mapped_column(enum_column(PayoutMethod, "ledger_payout_method"))
    paid_on: Mapped[date]
    reference: Mapped[str] = mapped_column(sa.String(80), default="")
    paid_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    member = relationship("Member", lazy="joined")
    paid_by = relationship("User")

    __table_args__ = (sa.CheckConstraint("amount > 0", name="payout_positive"),)


class MarginSetting(db.Model):
    """The share of a sale the cooperative keeps, per cooperative, and per product where it differs; or a fixed
    price per unit the member receives for a product."""

    __tablename__ = "margin_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(sa.ForeignKey("cooperatives.id", ondelete="CASCADE"))
    product_id: Mapped[int | None] = mapped_column(sa.ForeignKey("products.id", ondelete="CASCADE"), unique=True)
    margin_basis_points: Mapped[int | None]
    member_unit_price: Mapped[int | None] = mapped_column(sa.BigInteger)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    __table_args__ = (
        sa.CheckConstraint("margin_basis_points is null or margin_basis_points between 0 and 10000",
                           name="margin_is_a_percentage"),
        sa.CheckConstraint("member_unit_price is null or member_unit_price > 0", name="member_price_positive"),
        sa.CheckConstraint("(margin_basis_points is null) <> (member_unit_price is null)", name="one_rule"),
        sa.Index("uq_margin_settings_cooperative_default", "cooperative_id", unique=True,
                 sqlite_where=sa.text("product_id is null"), postgresql_where=sa.text("product_id is null")),
    )


# Posted journal rows are never changed or removed: the database itself refuses, on both engines.
_APPEND_ONLY = {
    "postgresql": [
        """CREATE OR REPLACE FUNCTION refuse_changing_posted_entries() RETURNS trigger AS $$
           BEGIN RAISE EXCEPTION 'posted journal entries are never changed: book a reversal'; END;
           $$ LANGUAGE plpgsql""",
        "CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION refuse_changing_posted_entries()",
    ],
    "sqlite": [
        "CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
        "BEGIN SELECT RAISE(ABORT, 'posted journal entries are never changed: book a reversal'); END",
        "CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
        "BEGIN SELECT RAISE(ABORT, 'posted journal entries are never changed: book a reversal'); END",
    ],
}


def append_only_statements(dialect: str, table: str) -> list[str]:
    return [statement.format(table=table) for statement in _APPEND_ONLY.get(dialect, [])]


def _make_append_only(table, connection, **_kwargs) -> None:
    for statement in append_only_statements(connection.dialect.name, table.name):
        connection.exec_driver_sql(statement)


for _table in (JournalEntry.__table__, JournalLine.__table__):
    event.listen(_table, "after_create", _make_append_only)


@register_audit_actions
class LedgerAudit(LabelledEnum):
    ALLOCATION_CHANGED = "ledger.allocation_changed", _l("Allocation to members changed")
    SALE_BOOKED = "ledger.sale_booked", _l("Member earnings booked")
    SALE_REVERSED = "ledger.sale_reversed", _l("Member earnings reversed")
    PAYOUT_RECORDED = "ledger.payout_recorded", _l("Payout to a member recorded")
    MARGIN_CHANGED = "ledger.margin_changed", _l("Cooperative margin changed")
    SAVINGS_RECORDED = "ledger.savings_recorded", _l("Savings deposit or withdrawal recorded")
    SAVINGS_IMPORTED = "ledger.savings_imported", _l("Savings imported")
    SAVINGS_SETTINGS_CHANGED = "ledger.savings_settings_changed", _l("Savings amounts changed")
