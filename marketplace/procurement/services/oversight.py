"""What an agency's dashboard shows of a fiscal year: where its money went (by cooperative, region, category and
month), the share that went to cooperatives and to pesantren cooperatives against the small-business target,
its open orders by step and how long they have waited, and the cooperatives still waiting for payment after
handing the goods over. Everything is counted in the database, a page at a time; the CSV export streams."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import format_date
from sqlalchemy.orm import contains_eager

from marketplace.accounts.models import User
from marketplace.catalog.models import Category, Product
from marketplace.cooperatives.models import Cooperative
from marketplace.core.audit import record_audit
from marketplace.core.csv_files import BYTE_ORDER_MARK, csv_line
from marketplace.core.errors import InvalidDetails
from marketplace.core.i18n import gettext as _
from marketplace.core.regions import Region
from marketplace.core.timeutil import local_today, utcnow, zone_of_province
from marketplace.extensions import db
from marketplace.ordering.models import Order
from marketplace.procurement.models import (
    Agency,
    AgencyBudget,
    HandoverRecord,
    OfficerRole,
    ProcurementAudit,
    ProcurementInvoice,
    PurchaseOrder,
    PurchaseOrderLine,
    RuleKey,
)
from marketplace.procurement.models import PurchaseOrderStatus as S
from marketplace.procurement.services.agencies import require_role
from marketplace.procurement.services.rules import FULL_RATE, RuleMissing, rule_value

# Spend: what cooperatives accepted to deliver, whether or not it is paid yet.
SPENT = (S.ACCEPTED, S.RECEIVED, S.INVOICED, S.PAID, S.COMPLETED)
# Orders still moving, and who has them.
OPEN = (S.DRAFT, S.SUBMITTED, S.REJECTED, S.SENT, S.COUNTER_OFFERED, S.ACCEPTED, S.RECEIVED, S.INVOICED)
# Goods received, money not paid yet: the cooperative is waiting.
AWAITING_PAYMENT = (S.RECEIVED, S.INVOICED)
TOP = 10  # rows per breakdown on the page; the CSV has every order


@dataclass(frozen=True)
class SpendSummary:
    total: int
    orders: int
    pesantren: int
    paid: int
    budget: int | None
    target: int | None  # basis points of the budget

    @property
    def pesantren_share(self) -> int | None:
        """Basis points of the spend that went to pesantren cooperatives."""
        return self.pesantren * FULL_RATE // self.total if self.total else None

    @property
    def budget_share(self) -> int | None:
        """Basis points of the year's goods and services budget spent with cooperatives here."""
        return self.total * FULL_RATE // self.budget if self.budget else None


@dataclass(frozen=True)
class SpendRow:
    label: str
    amount: int
    orders: int


def _year(agency: Agency, year: int):
    return (PurchaseOrder.agency_id == agency.id, PurchaseOrder.fiscal_year == year)


def _spent(agency: Agency, year: int):
    return (*_year(agency, year), PurchaseOrder.status.in_(SPENT))


def budget_of(agency: Agency, year: int) -> AgencyBudget | None:
    return db.session.scalar(sa.select(AgencyBudget).where(AgencyBudget.agency_id == agency.id,
                                                           AgencyBudget.fiscal_year == year))


def summary(agency: Agency, year: int) -> SpendSummary:
    total, orders, pesantren = db.session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(PurchaseOrder.total), 0), sa.func.count(),
                  sa.func.coalesce(sa.func.sum(sa.case((Cooperative.is_pesantren, PurchaseOrder.total), else_=0)), 0))
        .join(Cooperative, Cooperative.id == PurchaseOrder.cooperative_id).where(*_spent(agency, year))).one()
    paid = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(ProcurementInvoice.paid_amount), 0))
        .join(PurchaseOrder, PurchaseOrder.id == ProcurementInvoice.purchase_order_id).where(*_year(agency, year)))
    budget = budget_of(agency, year)
    try:
        target = rule_value(RuleKey.SMALL_BUSINESS_SHARE_TARGET, date(year, 12, 31), agency)
    except RuleMissing:
        target = None
    return SpendSummary(total=int(total), orders=orders, pesantren=int(pesantren), paid=int(paid or 0),
                        budget=budget.amount if budget else None, target=target)


def spend_by_cooperative(agency: Agency, year: int, limit: int | None = TOP) -> list[SpendRow]:
    query = (sa.select(Cooperative.name, sa.func.sum(PurchaseOrder.total), sa.func.count())
             .join(Cooperative, Cooperative.id == PurchaseOrder.cooperative_id).where(*_spent(agency, year))
             .group_by(Cooperative.id, Cooperative.name).order_by(sa.func.sum(PurchaseOrder.total).desc()).limit(limit))
    return [SpendRow(name, int(amount), count) for name, amount, count in db.session.execute(query)]


def spend_by_region(agency: Agency, year: int, limit: int | None = TOP) -> list[SpendRow]:
    """By the cooperative's province: where the money went to work."""
    query = (sa.select(Region.name, sa.func.sum(PurchaseOrder.total), sa.func.count())
             .join(Cooperative, Cooperative.id == PurchaseOrder.cooperative_id)
             .join(Region, Region.code == Cooperative.province_code).where(*_spent(agency, year))
             .group_by(Region.code, Region.name).order_by(sa.func.sum(PurchaseOrder.total).desc()).limit(limit))
    return [SpendRow(name, int(amount), count) for name, amount, count in db.session.execute(query)]


def spend_by_category(agency: Agency, year: int, limit: int | None = TOP) -> list[SpendRow]:
    """By the product's category, from the lines at their agreed prices."""
    amount = sa.func.sum(PurchaseOrderLine.quantity * PurchaseOrderLine.unit_price)
    query = (sa.select(Category, amount, sa.func.count(sa.distinct(PurchaseOrder.id)))
             .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.purchase_order_id)
             .join(Product, Product.id == PurchaseOrderLine.product_id)
             .join(Category, Category.id == Product.category_id).where(*_spent(agency, year))
             .group_by(Category.id).order_by(amount.desc()).limit(limit))
    return [SpendRow(category.name, int(total), count) for category, total, count in db.session.execute(query)]


def _local_month(column, zone: ZoneInfo):
    """The year-month (`2026-12`) of a UTC timestamp on the agency's clock: an order sent at 01.00 WIB on the
    first of a month belongs to that month, not to the one before as in UTC."""
    if db.session.get_bind().dialect.name == "postgresql":
        return sa.func.to_char(sa.func.timezone(zone.key, column), "YYYY-MM")
    offset = utcnow().astimezone(zone).utcoffset() or timedelta()  # Indonesia keeps no summer time
    hours = int(offset.total_seconds() // 3600)
    return sa.func.strftime("%Y-%m", column, f"{hours:+d} hours")


def spend_by_month(agency: Agency, year: int) -> list[SpendRow]:
    """The months the fiscal year's orders were sent in, on the agency's clock, in order (an order of the year may
    be sent in the December before)."""
    month = _local_month(PurchaseOrder.sent_at, zone_of_province(agency.province_code))
    rows = db.session.execute(sa.select(month, sa.func.sum(PurchaseOrder.total), sa.func.count())
                              .where(*_spent(agency, year)).group_by(month).order_by(month))
    return [SpendRow(format_date(date(int(key[:4]), int(key[5:7]), 1), "MMMM y"), int(amount), count)
            for key, amount, count in rows if key]


@dataclass(frozen=True)
class OpenStep:
    status: S
    orders: int
    oldest_days: int


def open_steps(agency: Agency) -> list[OpenStep]:
    """Open orders of every year by the step they wait at, with the longest wait in days."""
    now = utcnow()
    rows = db.session.execute(sa.select(PurchaseOrder.status, sa.func.count(), sa.func.min(
        PurchaseOrder.status_changed_at)).where(PurchaseOrder.agency_id == agency.id,
                                                PurchaseOrder.status.in_(OPEN)).group_by(PurchaseOrder.status))
    found = {status: (count, oldest) for status, count, oldest in rows}
    return [OpenStep(status, found[status][0], max(0, (now - found[status][1]).days))
            for status in OPEN if status in found]


def open_orders_query(agency: Agency) -> sa.Select:
    """Open orders, the longest waiting first."""
    return (sa.select(PurchaseOrder).where(PurchaseOrder.agency_id == agency.id, PurchaseOrder.status.in_(OPEN))
            .order_by(PurchaseOrder.status_changed_at, PurchaseOrder.id))


def _received_on():
    return (sa.select(sa.func.max(HandoverRecord.received_on))
            .where(HandoverRecord.purchase_order_id == PurchaseOrder.id).scalar_subquery())


def awaiting_payment_query(agency: Agency) -> sa.Select:
    """Cooperatives that handed everything over and wait to be paid: the PO (with its order, which knows when
    payment is due and whether it is overdue) and the day the last goods arrived; the longest waiting first."""
    received_on = _received_on().label("received_on")
    return (sa.select(PurchaseOrder, received_on)
            .join(Order, Order.id == PurchaseOrder.order_id).options(contains_eager(PurchaseOrder.order))
            .where(PurchaseOrder.agency_id == agency.id, PurchaseOrder.status.in_(AWAITING_PAYMENT))
            .order_by(received_on, PurchaseOrder.id))


def days_waiting(received_on: date | None) -> int:
    return max(0, (local_today() - received_on).days) if received_on else 0


def record_budget(user: User, agency: Agency, *, year: int | None, amount: int | None) -> AgencyBudget:
    """The agency's administrator records (or corrects) the year's goods and services budget."""
    require_role(user, agency, OfficerRole.AGENCY_ADMIN)
    this_year = local_today().year
    errors = {}
    if year is None or not this_year - 5 <= year <= this_year + 1:
        errors["year"] = _("Enter a fiscal year between %(first)s and %(last)s.", first=this_year - 5,
                           last=this_year + 1)
    if amount is None or amount <= 0:
        errors["amount"] = _("Enter the budget in whole rupiah, like 2.500.000.000.")
    if errors:
        raise InvalidDetails(errors, code="budget_invalid")
    assert year is not None and amount is not None
    budget = budget_of(agency, year) or AgencyBudget(agency_id=agency.id, fiscal_year=year)
    budget.amount, budget.recorded_by_id = amount, user.id
    db.session.add(budget)
    db.session.flush()
    record_audit(ProcurementAudit.BUDGET_RECORDED, actor=user, target=agency, fiscal_year=year, amount=amount)
    return budget


CSV_COLUMNS = ["surat_pesanan", "status", "koperasi", "koperasi_pesantren", "provinsi_koperasi", "satker",
               "kode_rup", "kode_anggaran", "dikirim", "nilai", "nilai_diterima", "tagihan", "dibayar_bersih",
               "tanggal_bayar", "referensi_bayar", "hari_menunggu_bayar"]


def purchase_orders_csv_lines(agency: Agency, year: int) -> Iterator[str]:
    """Every purchase order of the year that left the PP's hands, a row each, streamed in batches."""
    yield BYTE_ORDER_MARK + csv_line(CSV_COLUMNS)
    received_total = (sa.select(sa.func.coalesce(sa.func.sum(HandoverRecord.accepted_total), 0))
                      .where(HandoverRecord.purchase_order_id == PurchaseOrder.id).scalar_subquery())
    query = (sa.select(PurchaseOrder.number, PurchaseOrder.status, Cooperative.name, Cooperative.is_pesantren,
                       Region.name, PurchaseOrder.spending_unit_id, PurchaseOrder.rup_code, PurchaseOrder.budget_code,
                       PurchaseOrder.sent_at, PurchaseOrder.total, received_total, ProcurementInvoice.number,
                       ProcurementInvoice.paid_amount, ProcurementInvoice.paid_on,
                       ProcurementInvoice.payment_reference, _received_on())
             .join(Cooperative, Cooperative.id == PurchaseOrder.cooperative_id)
             .join(Region, Region.code == Cooperative.province_code)
             .outerjoin(ProcurementInvoice, ProcurementInvoice.purchase_order_id == PurchaseOrder.id)
             .where(*_year(agency, year), PurchaseOrder.number.is_not(None))
             .order_by(PurchaseOrder.sent_at, PurchaseOrder.id).execution_options(yield_per=500))
    satkers = {unit.id: unit.satker_code for unit in agency.spending_units}
    for (number, status, cooperative, pesantren, province, unit_id, rup, budget_code, sent_at, total, received,
         invoice, paid, paid_on, reference, received_on) in db.session.execute(query):
        waiting = days_waiting(received_on) if status in AWAITING_PAYMENT else ""
        yield csv_line([number, str(status), cooperative, "ya" if pesantren else "tidak", province,
                        satkers.get(unit_id, ""), rup, budget_code, sent_at.date().isoformat() if sent_at else "",
                        total, received, invoice or "", paid if paid is not None else "",
                        paid_on.isoformat() if paid_on else "", reference or "", waiting])
