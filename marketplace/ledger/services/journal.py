"""The append-only journal: member earnings and the cooperative's margin booked when an order completes, reversed
(never edited) when a completed sale is undone, and payouts to members. Balances are sums of journal lines."""

from dataclasses import dataclass
from datetime import date
from functools import cache

import sqlalchemy as sa

from marketplace.accounts.models import User
from marketplace.catalog.models import Product
from marketplace.cooperatives.models import Cooperative, Member
from marketplace.cooperatives.permissions import Capability, require_capability
from marketplace.core.audit import record_audit
from marketplace.core.errors import Conflict, DomainError, InvalidDetails, NotFound
from marketplace.core.i18n import gettext as _
from marketplace.core.timeutil import local_today
from marketplace.extensions import db
from marketplace.ledger.models import (
    Account,
    Allocation,
    JournalEntry,
    JournalKind,
    JournalLine,
    LedgerAudit,
    MarginSetting,
    Payout,
    PayoutMethod,
)
from marketplace.ordering.models import Order, OrderLine

MAX_PAYOUT = 10_000_000_000
DEFAULT_MARGIN_BASIS_POINTS = 1000  # 10%, until the cooperative sets its own


def split_by_largest_remainder(total: int, weights: list[int]) -> list[int]:
    """`total` rupiah shared in proportion to `weights`, in whole rupiah that add up to `total` exactly: each gets
    the whole part of its share, and the rupiah left over go to the largest remainders (earlier first on ties)."""
    weight_sum = sum(weights)
    if weight_sum <= 0:
        raise ValueError("weights must add up to more than zero")
    shares = [total * weight // weight_sum for weight in weights]
    remainders = sorted(range(len(weights)), key=lambda index: (-(total * weights[index] % weight_sum), index))
    for index in remainders[:total - sum(shares)]:
        shares[index] += 1
    return shares


@dataclass(frozen=True)
class LineSplit:
    """How one line's total is shared: each member's earning, and the cooperative's margin."""

    member_earnings: dict[int, int]
    margin: int


def margin_rule(cooperative_id: int, product_id: int) -> tuple[int | None, int | None]:
    """(margin in basis points, member price per unit): the product's own rule, else the cooperative's."""
    settings = db.session.scalars(sa.select(MarginSetting).where(
        MarginSetting.cooperative_id == cooperative_id,
        sa.or_(MarginSetting.product_id == product_id, MarginSetting.product_id.is_(None)))).all()
    chosen = next((setting for setting in settings if setting.product_id == product_id), None) or next(
        (setting for setting in settings if setting.product_id is None), None)
    if chosen is None:
        return DEFAULT_MARGIN_BASIS_POINTS, None
    return chosen.margin_basis_points, chosen.member_unit_price


def split_line(line_total: int, quantity: int, allocations: list[tuple[int, int]], *,
               margin_basis_points: int | None, member_unit_price: int | None) -> LineSplit:
    """Rounded once per line: the members' earnings plus the margin are the line total, to the rupiah."""
    if member_unit_price is not None:
        earnings = {member_id: member_unit_price * units for member_id, units in allocations}
        return LineSplit(member_earnings=earnings, margin=line_total - sum(earnings.values()))
    margin = line_total * (margin_basis_points or 0) // 10_000
    shares = split_by_largest_remainder(line_total - margin, [units for _member, units in allocations])
    return LineSplit(member_earnings={member_id: share for (member_id, _units), share in zip(allocations, shares,
                                                                                             strict=True)},
                     margin=margin)


def _post(entry: JournalEntry, lines: list[tuple[Account, int | None, int]]) -> JournalEntry:
    lines = [(account, member_id, amount) for account, member_id, amount in lines if amount]
    if sum(amount for _account, _member, amount in lines) != 0:
        raise ValueError("a journal entry's lines must add up to zero")
    entry.lines = [JournalLine(account=account, member_id=member_id, amount=amount)
                   for account, member_id, amount in lines]
    db.session.add(entry)
    return entry


def book_completed_order(order: Order, actor=None) -> list[JournalEntry]:
    """One entry per line: the sale, credited to the members who made it and to the cooperative's margin."""
    line_ids = [line.id for line in order.lines]
    if db.session.scalar(sa.select(JournalEntry.id).where(JournalEntry.order_line_id.in_(line_ids),
                                                          JournalEntry.kind == JournalKind.SALE).limit(1)):
        raise Conflict(_("This order's earnings are already booked."), code="already_booked")
    allocations: dict[int, list[tuple[int, int]]] = {line_id: [] for line_id in line_ids}
    for allocation in db.session.scalars(sa.select(Allocation).where(Allocation.order_line_id.in_(line_ids))
                                         .order_by(Allocation.member_id)):
        allocations[allocation.order_line_id].append((allocation.member_id, allocation.quantity))
    today = local_today(order.cooperative.time_zone)
    entries = []
    for line in order.lines:
        if sum(units for _member, units in allocations[line.id]) != line.quantity:
            raise DomainError(_("%(name)s is not fully allocated to members.", name=line.product_name),
                              code="allocation_incomplete")
        basis_points, member_price = margin_rule(order.cooperative_id, line.product_id)
        split = split_line(line.line_total, line.quantity, allocations[line.id],
                           margin_basis_points=basis_points, member_unit_price=member_price)
        entry = JournalEntry(cooperative_id=order.cooperative_id, kind=JournalKind.SALE, order_line_id=line.id,
                             booked_on=today, booked_by_id=getattr(actor, "id", None),
                             memo=f"{order.number} · {line.product_name}"[:255])
        entries.append(_post(entry, [(Account.SALES, None, line.line_total),
                                     *[(Account.MEMBER_PAYABLE, member_id, -amount)
                                       for member_id, amount in split.member_earnings.items()],
                                     (Account.COOPERATIVE_MARGIN, None, -split.margin)]))
    db.session.flush()
    record_audit(LedgerAudit.SALE_BOOKED, actor=actor, target=order, entries=len(entries))
    return entries


def reverse_order(order: Order, actor=None, *, memo: str = "") -> list[JournalEntry]:
    """Undo a completed order's bookings with entries of the opposite sign (goods returned): what refunds already
    took off is not taken off twice."""
    sales = _unreversed_sales(order)
    refunded = _refund_lines_by_sale(order)
    today = local_today(order.cooperative.time_zone)
    reversals = []
    for sale in sales:
        already = refunded.get(sale.order_line_id or 0, {})
        remaining = [(line.account, line.member_id, -line.amount - already.get((line.account, line.member_id), 0))
                     for line in sale.lines]
        reversals.append(_post(JournalEntry(cooperative_id=sale.cooperative_id, kind=JournalKind.REVERSAL,
                                            order_line_id=sale.order_line_id, reverses_id=sale.id, booked_on=today,
                                            booked_by_id=getattr(actor, "id", None),
                                            memo=(memo or f"Pembatalan {order.number}")[:255]), remaining))
    db.session.flush()
    if reversals:
        record_audit(LedgerAudit.SALE_REVERSED, actor=actor, target=order, entries=len(reversals))
    return reversals


def match_refunds(order: Order, actor=None) -> list[JournalEntry]:
    """Bring the order's refund entries up to what was given back to the buyer (`Order.refunded_amount`): the goods
    are refunded before the delivery fee, shared over the lines by their totals; within a line each member gives
    back their share rounded down and the cooperative's margin takes the rupiah left. Idempotent: it posts only the
    difference, so partial refunds one after another add up exactly to a full one."""
    sales = {sale.order_line_id: sale for sale in db.session.scalars(sa.select(JournalEntry).where(
        JournalEntry.order_line_id.in_([line.id for line in order.lines]), JournalEntry.kind == JournalKind.SALE))}
    if not sales:
        return []  # not booked yet: booking on completion calls this again
    returned = set(db.session.scalars(sa.select(JournalEntry.order_line_id).where(
        JournalEntry.order_line_id.in_(sales), JournalEntry.kind == JournalKind.REVERSAL)))
    lines = [line for line in order.lines if line.id in sales]
    goods = min(order.refunded_amount, sum(line.line_total for line in lines))
    targets = split_by_largest_remainder(goods, [line.line_total for line in lines]) if goods else [0] * len(lines)
    already = _refund_lines_by_sale(order)
    today = local_today(order.cooperative.time_zone)
    entries = []
    for line, target in zip(lines, targets, strict=True):
        if line.id in returned:
            continue
        wanted = _refund_share(sales[line.id], line.line_total, target)
        posted = already.get(line.id, {})
        difference = [(account, member_id, amount - posted.get((account, member_id), 0))
                      for (account, member_id), amount in (dict.fromkeys(posted, 0) | wanted).items()]
        if any(amount for _account, _member, amount in difference):
            entries.append(_post(JournalEntry(cooperative_id=order.cooperative_id, kind=JournalKind.REFUND,
                                              order_line_id=line.id, booked_on=today,
                                              booked_by_id=getattr(actor, "id", None),
                                              memo=f"Refund {order.number} · {line.product_name}"[:255]),
                                 difference))
    db.session.flush()
    return entries


def _refund_share(sale: JournalEntry, line_total: int, target: int) -> dict[tuple[Account, int | None], int]:
    """The refund entry's lines when `target` of the line's total has been given back."""
    wanted: dict[tuple[Account, int | None], int] = {(Account.SALES, None): -target}
    for line in sale.lines:
        if line.account == Account.SALES or line.account == Account.COOPERATIVE_MARGIN:
            continue
        share = abs(line.amount) * target // line_total
        wanted[(line.account, line.member_id)] = share if line.amount < 0 else -share
    wanted[(Account.COOPERATIVE_MARGIN, None)] = -sum(wanted.values())
    return wanted


def _refund_lines_by_sale(order: Order) -> dict[int, dict[tuple[Account, int | None], int]]:
    rows = db.session.execute(
        sa.select(JournalEntry.order_line_id, JournalLine.account, JournalLine.member_id,
                  sa.func.sum(JournalLine.amount))
        .join(JournalLine, JournalLine.entry_id == JournalEntry.id)
        .where(JournalEntry.order_line_id.in_([line.id for line in order.lines]),
               JournalEntry.kind == JournalKind.REFUND)
        .group_by(JournalEntry.order_line_id, JournalLine.account, JournalLine.member_id))
    posted: dict[int, dict[tuple[Account, int | None], int]] = {}
    for line_id, account, member_id, amount in rows:
        posted.setdefault(line_id or 0, {})[(account, member_id)] = int(amount)
    return posted


def _unreversed_sales(order: Order) -> list[JournalEntry]:
    reversed_ids = sa.select(JournalEntry.reverses_id).where(JournalEntry.reverses_id.is_not(None))
    return list(db.session.scalars(sa.select(JournalEntry).where(
        JournalEntry.order_line_id.in_([line.id for line in order.lines]), JournalEntry.kind == JournalKind.SALE,
        JournalEntry.id.not_in(reversed_ids)).order_by(JournalEntry.id)))


def member_balance(member_id: int) -> int:
    """What the cooperative owes the member: earnings less payouts (credits are negative, so the sign flips)."""
    total = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(JournalLine.amount), 0)).where(
        JournalLine.member_id == member_id, JournalLine.account == Account.MEMBER_PAYABLE))
    return -int(total or 0)


def balances_query(cooperative: Cooperative) -> sa.Select:
    """(member, earned, paid, balance) for every member of the cooperative, largest balance first."""
    earned = sa.func.coalesce(sa.func.sum(sa.case((JournalLine.amount < 0, -JournalLine.amount), else_=0)), 0)
    paid = sa.func.coalesce(sa.func.sum(sa.case((JournalLine.amount > 0, JournalLine.amount), else_=0)), 0)
    balance = sa.func.coalesce(-sa.func.sum(JournalLine.amount), 0)
    return (sa.select(Member, earned.label("earned"), paid.label("paid"), balance.label("balance"))
            .outerjoin(JournalLine, sa.and_(JournalLine.member_id == Member.id,
                                            JournalLine.account == Account.MEMBER_PAYABLE))
            .where(Member.cooperative_id == cooperative.id).group_by(Member.id)
            .order_by(balance.desc(), Member.full_name, Member.id))


@dataclass(frozen=True)
class PayoutDetails:
    member_id: int
    amount: int
    method: PayoutMethod
    paid_on: date
    reference: str = ""


def record_payout(actor: User, cooperative: Cooperative, details: PayoutDetails) -> Payout:
    """Pay a member from their balance. The member's row is locked first, so two staff paying the same member at
    the same moment take turns and the second sees what the first paid: a payout above the balance is refused."""
    require_capability(actor, cooperative, Capability.MANAGE_MONEY)
    member = db.session.scalar(sa.select(Member).where(Member.id == details.member_id,
                                                       Member.cooperative_id == cooperative.id)
                               .with_for_update(of=Member).execution_options(populate_existing=True))
    if member is None:
        raise NotFound(_("This member does not exist in this cooperative."))
    errors = {}
    if not 1 <= details.amount <= MAX_PAYOUT:
        errors["amount"] = _("Enter an amount above Rp 0.")
    elif details.amount > (balance := member_balance(member.id)):
        errors["amount"] = _("%(name)s is owed %(balance)s; pay at most that.", name=member.full_name,
                             balance=_rupiah(balance))
    if details.paid_on > local_today(cooperative.time_zone):
        errors["paid_on"] = _("The payment date is in the future.")
    if errors:
        raise InvalidDetails(errors, code="payout_refused")
    payout = Payout(cooperative_id=cooperative.id, member_id=member.id, amount=details.amount,
                    method=details.method, paid_on=details.paid_on, reference=details.reference.strip(),
                    paid_by_id=actor.id)
    db.session.add(payout)
    db.session.flush()
    _post(JournalEntry(cooperative_id=cooperative.id, kind=JournalKind.PAYOUT, payout_id=payout.id,
                       booked_on=details.paid_on, booked_by_id=actor.id,
                       memo=f"{member.member_number} · {details.reference.strip()}"[:255]),
          [(Account.MEMBER_PAYABLE, member.id, details.amount), (Account.CASH, None, -details.amount)])
    db.session.flush()
    record_audit(LedgerAudit.PAYOUT_RECORDED, actor=actor, target=payout, member_id=member.id, amount=details.amount)
    return payout


def _rupiah(amount: int) -> str:
    from marketplace.core.money import format_rupiah

    return format_rupiah(amount)


def statement_of(member: Member, *, since: date | None = None, until: date | None = None) -> sa.Select:
    """A member's statement: every line on the member's accounts (earnings, payouts, savings) with its entry and,
    for a sale, the units the member made, oldest first (a page of it, or streamed into a PDF)."""
    query = (sa.select(JournalLine, JournalEntry, Allocation.quantity)
             .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
             .outerjoin(Allocation, sa.and_(Allocation.order_line_id == JournalEntry.order_line_id,
                                            Allocation.member_id == JournalLine.member_id))
             .where(JournalLine.member_id == member.id)
             .order_by(JournalEntry.booked_on, JournalEntry.id, JournalLine.id))
    if since:
        query = query.where(JournalEntry.booked_on >= since)
    if until:
        query = query.where(JournalEntry.booked_on <= until)
    return query


def recent_lines_of(member: Member, limit: int = 50) -> list:
    """The member's latest lines — earnings with the units they made, payouts, savings — newest first."""
    return list(db.session.execute(statement_of(member).order_by(None).order_by(
        JournalEntry.booked_on.desc(), JournalEntry.id.desc(), JournalLine.id.desc()).limit(limit)).all())


@cache
def members_credited_column() -> sa.ScalarSelect:
    """How many members made the units buyers ordered of the product in the enclosing statement (from real
    allocations): a product page reads it in the product's own statement. Built once: every product page asks."""
    return (sa.select(sa.func.count(sa.distinct(Allocation.member_id)))
            .join(OrderLine, OrderLine.id == Allocation.order_line_id)
            .where(OrderLine.product_id == Product.id).scalar_subquery())


def members_with_balance(cooperative: Cooperative) -> list[tuple[Member, int]]:
    """Every member the cooperative owes something, in member-number order (a bank batch, a payout run)."""
    balance = -sa.func.sum(JournalLine.amount)
    rows = db.session.execute(
        sa.select(Member, balance).join(JournalLine, sa.and_(JournalLine.member_id == Member.id,
                                                             JournalLine.account == Account.MEMBER_PAYABLE))
        .where(Member.cooperative_id == cooperative.id).group_by(Member.id).having(balance > 0)
        .order_by(Member.member_number, Member.id))
    return [(member, int(amount)) for member, amount in rows]


def pay_every_balance(actor: User, cooperative: Cooperative, *, method: PayoutMethod, paid_on: date,
                      reference: str = "") -> list[Payout]:
    """One payout per member with a balance, each of their whole balance, in one transaction."""
    require_capability(actor, cooperative, Capability.MANAGE_MONEY)
    payouts = []
    for member, _balance in members_with_balance(cooperative):
        # Re-read under the member's lock: a payout recorded meanwhile lowers what is paid now.
        locked = db.session.scalar(sa.select(Member).where(Member.id == member.id).with_for_update(of=Member))
        owed = member_balance(member.id)
        if locked is not None and owed > 0:
            payouts.append(record_payout(actor, cooperative, PayoutDetails(
                member_id=member.id, amount=owed, method=method, paid_on=paid_on, reference=reference)))
    if not payouts:
        raise DomainError(_("No member has a balance to pay."), code="nothing_to_pay")
    return payouts


def payout_of(cooperative: Cooperative, payout_id: int) -> Payout:
    payout = db.session.scalar(sa.select(Payout).where(Payout.id == payout_id,
                                                       Payout.cooperative_id == cooperative.id))
    if payout is None:
        raise NotFound(_("This payout does not exist."))
    return payout


@dataclass(frozen=True)
class StatementTotals:
    opening: dict[Account, int]
    closing: dict[Account, int]


def statement_totals(member: Member, *, since: date | None, until: date | None) -> StatementTotals:
    """What the member was owed and had saved on each account before the period, and at its end."""
    def balances(before: date | None, through: date | None) -> dict[Account, int]:
        query = (sa.select(JournalLine.account, sa.func.sum(JournalLine.amount))
                 .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
                 .where(JournalLine.member_id == member.id).group_by(JournalLine.account))
        if before is not None:
            query = query.where(JournalEntry.booked_on < before)
        if through is not None:
            query = query.where(JournalEntry.booked_on <= through)
        found = {account: -int(total) for account, total in db.session.execute(query)}
        return {account: found.get(account, 0) for account in MEMBER_ACCOUNT_ORDER}

    opening = balances(since, None) if since else dict.fromkeys(MEMBER_ACCOUNT_ORDER, 0)
    return StatementTotals(opening=opening, closing=balances(None, until))


MEMBER_ACCOUNT_ORDER = (Account.MEMBER_PAYABLE, Account.SIMPANAN_POKOK, Account.SIMPANAN_WAJIB,
                        Account.SIMPANAN_SUKARELA)


STATEMENT_PDF_ROWS = 5000  # a statement longer than this is asked for by period


def statement_rows(member: Member, *, since: date | None, until: date | None) -> list:
    return list(db.session.execute(statement_of(member, since=since, until=until).limit(STATEMENT_PDF_ROWS)).all())
