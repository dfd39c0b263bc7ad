"""Members' savings (simpanan, UU 25/1992 art. 41): pokok paid once on joining and returned only on leaving,
wajib every month in the amount the cooperative sets, sukarela deposited and withdrawn at will. Every deposit
and withdrawal is a journal entry; balances and arrears are read from the journal."""

import csv
import io
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from marketplace.accounts.models import User
from marketplace.cooperatives.models import Cooperative, Member, MemberStatus
from marketplace.cooperatives.permissions import Capability, require_capability
from marketplace.core.audit import record_audit
from marketplace.core.errors import InvalidDetails, NotFound
from marketplace.core.i18n import gettext as _
from marketplace.core.money import format_rupiah
from marketplace.core.timeutil import local_today
from marketplace.extensions import db
from marketplace.ledger.models import (
    SAVINGS_ACCOUNTS,
    Account,
    JournalEntry,
    JournalKind,
    JournalLine,
    LedgerAudit,
    SavingsSetting,
)

MAX_SAVINGS_AMOUNT = 10_000_000_000
KIND_WORDS = {"pokok": Account.SIMPANAN_POKOK, "wajib": Account.SIMPANAN_WAJIB, "sukarela": Account.SIMPANAN_SUKARELA}


def savings_setting(cooperative: Cooperative) -> SavingsSetting:
    return db.session.get(SavingsSetting, cooperative.id) or SavingsSetting(
        cooperative_id=cooperative.id, pokok_amount=0, wajib_monthly_amount=0, wajib_counted_from=None)


def set_savings_amounts(actor: User, cooperative: Cooperative, *, pokok: int, wajib_monthly: int,
                        counted_from: date | None) -> None:
    require_capability(actor, cooperative, Capability.MANAGE_MONEY)
    if not (0 <= pokok <= MAX_SAVINGS_AMOUNT and 0 <= wajib_monthly <= MAX_SAVINGS_AMOUNT):
        raise InvalidDetails({"pokok": _("Enter amounts in whole rupiah, Rp 0 or more.")}, code="savings_invalid")
    setting = db.session.get(SavingsSetting, cooperative.id)
    if setting is None:
        setting = SavingsSetting(cooperative_id=cooperative.id)
        db.session.add(setting)
    setting.pokok_amount, setting.wajib_monthly_amount = pokok, wajib_monthly
    setting.wajib_counted_from = counted_from.replace(day=1) if counted_from else None
    db.session.flush()
    record_audit(LedgerAudit.SAVINGS_SETTINGS_CHANGED, actor=actor, target=cooperative, pokok=pokok,
                 wajib=wajib_monthly)


def savings_balances(member_id: int) -> dict[Account, int]:
    """What the member has saved in each kind (credits on the member's savings accounts)."""
    rows = db.session.execute(sa.select(JournalLine.account, sa.func.sum(JournalLine.amount)).where(
        JournalLine.member_id == member_id, JournalLine.account.in_(SAVINGS_ACCOUNTS)).group_by(JournalLine.account))
    balances = dict.fromkeys(SAVINGS_ACCOUNTS, 0)
    balances.update({account: -int(total) for account, total in rows})
    return balances


@dataclass(frozen=True)
class SavingsMovement:
    member_id: int
    account: Account
    amount: int  # positive: a deposit; negative: a withdrawal
    on: date
    month: date | None = None  # for simpanan wajib: the month paid for
    reference: str = ""


def _member(cooperative: Cooperative, member_id: int) -> Member:
    member = db.session.scalar(sa.select(Member).where(Member.id == member_id, Member.cooperative_id ==
                                                       cooperative.id).with_for_update(of=Member))
    if member is None:
        raise NotFound(_("This member does not exist in this cooperative."))
    return member


def _problems(cooperative: Cooperative, member: Member, movement: SavingsMovement, setting: SavingsSetting,
              balances: dict[Account, int]) -> dict[str, str]:
    problems = {}
    if movement.amount == 0 or abs(movement.amount) > MAX_SAVINGS_AMOUNT:
        problems["amount"] = _("Enter an amount above Rp 0.")
    if movement.on > local_today(cooperative.time_zone):
        problems["on"] = _("The date is in the future.")
    if movement.amount > 0 and member.status != MemberStatus.ACTIVE:
        problems["member"] = _("%(name)s is not an active member.", name=member.full_name)
    if movement.account == Account.SIMPANAN_WAJIB and movement.amount > 0 and movement.month is None:
        problems["month"] = _("Say which month this simpanan wajib pays for.")
    if movement.amount < 0:
        left = balances[movement.account] + movement.amount
        if left < 0:
            problems["amount"] = _("Only %(amount)s is saved there.", amount=format_rupiah(balances[movement.account]))
        elif movement.account in (Account.SIMPANAN_POKOK, Account.SIMPANAN_WAJIB) and \
                member.status == MemberStatus.ACTIVE:
            problems["amount"] = _("Simpanan pokok and wajib are returned only when a member leaves.")
        elif movement.account == Account.SIMPANAN_POKOK and 0 < left < setting.pokok_amount:
            problems["amount"] = _("This would leave simpanan pokok below its amount of %(amount)s.",
                                   amount=format_rupiah(setting.pokok_amount))
    return problems


def record_savings(actor: User, cooperative: Cooperative, movement: SavingsMovement) -> JournalEntry:
    """A deposit or a withdrawal, refused with the reason when the rules of savings do not allow it."""
    require_capability(actor, cooperative, Capability.MANAGE_MONEY)
    member = _member(cooperative, movement.member_id)
    problems = _problems(cooperative, member, movement, savings_setting(cooperative),
                         savings_balances(member.id))
    if problems:
        raise InvalidDetails(problems, code="savings_refused")
    entry = _post_savings(cooperative, member, movement, actor)
    record_audit(LedgerAudit.SAVINGS_RECORDED, actor=actor, target=member, account=str(movement.account),
                 amount=movement.amount)
    return entry


def _post_savings(cooperative: Cooperative, member: Member, movement: SavingsMovement, actor: User) -> JournalEntry:
    entry = JournalEntry(cooperative_id=cooperative.id,
                         kind=JournalKind.SAVINGS_DEPOSIT if movement.amount > 0 else JournalKind.SAVINGS_WITHDRAWAL,
                         booked_on=movement.on, booked_by_id=actor.id,
                         savings_month=movement.month.replace(day=1) if movement.month else None,
                         memo=f"{member.member_number} · {movement.reference.strip()}"[:255])
    entry.lines = [JournalLine(account=Account.CASH, amount=movement.amount),
                   JournalLine(account=movement.account, member_id=member.id, amount=-movement.amount)]
    db.session.add(entry)
    db.session.flush()
    return entry


def _months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + 1


def arrears(cooperative: Cooperative, today: date | None = None) -> list[tuple[Member, int, int]]:
    """Active members behind on simpanan wajib: (member, months owed, amount owed), most months first. A month is
    owed from the later of joining and the month the cooperative started counting."""
    setting = savings_setting(cooperative)
    if not setting.wajib_monthly_amount:
        return []
    today = today or local_today(cooperative.time_zone)
    paid = dict(db.session.execute(
        sa.select(JournalLine.member_id, sa.func.coalesce(-sa.func.sum(JournalLine.amount), 0))
        .join(Member, Member.id == JournalLine.member_id)
        .where(Member.cooperative_id == cooperative.id, JournalLine.account == Account.SIMPANAN_WAJIB)
        .group_by(JournalLine.member_id)).all())
    owing = []
    for member in db.session.scalars(sa.select(Member).where(Member.cooperative_id == cooperative.id,
                                                            Member.status == MemberStatus.ACTIVE)):
        start = max(member.joined_on.replace(day=1), setting.wajib_counted_from or member.joined_on.replace(day=1))
        due_months = max(0, _months_between(start, today))
        months_paid = int(paid.get(member.id, 0)) // setting.wajib_monthly_amount
        if due_months > months_paid:
            months = due_months - months_paid
            owing.append((member, months, months * setting.wajib_monthly_amount))
    owing.sort(key=lambda row: (-row[1], row[0].member_number))
    return owing


# ---- the savings spreadsheet: all or nothing ----

COLUMNS = ("nomor_anggota", "jenis", "jumlah", "tanggal", "bulan", "keterangan")


def import_savings(actor: User, cooperative: Cooperative, text: str) -> int:
    """Deposits (positive amounts) and withdrawals (negative) from a spreadsheet. Every row is checked first; one
    wrong row and nothing is written, with the reason for each wrong row by its line number."""
    require_capability(actor, cooperative, Capability.MANAGE_MONEY)
    reader = csv.DictReader(io.StringIO(text))
    missing = [column for column in COLUMNS[:4] if column not in (reader.fieldnames or [])]
    if missing:
        raise InvalidDetails({"file": _("The file needs the columns %(columns)s.", columns=", ".join(COLUMNS))},
                             code="savings_columns_missing")
    members = {member.member_number: member for member in db.session.scalars(
        sa.select(Member).where(Member.cooperative_id == cooperative.id))}
    setting = savings_setting(cooperative)
    running: dict[tuple[int, Account], int] = {}
    movements, errors = [], []
    for number, row in enumerate(reader, start=2):
        try:
            member = members[(row.get("nomor_anggota") or "").strip()]
        except KeyError:
            errors.append(_("Line %(line)d: no member numbered “%(number)s”.", line=number,
                            number=(row.get("nomor_anggota") or "").strip()))
            continue
        account = KIND_WORDS.get((row.get("jenis") or "").strip().lower())
        try:
            amount = int((row.get("jumlah") or "").replace(".", "").replace("Rp", "").strip())
            on = date.fromisoformat((row.get("tanggal") or "").strip())
            month_text = (row.get("bulan") or "").strip()
            month = date.fromisoformat(f"{month_text}-01") if month_text else None
        except ValueError:
            errors.append(_("Line %(line)d: amount, date (2026-11-24) or month (2026-11) cannot be read.", line=number))
            continue
        if account is None:
            errors.append(_("Line %(line)d: the kind is pokok, wajib or sukarela.", line=number))
            continue
        movement = SavingsMovement(member_id=member.id, account=account, amount=amount, on=on, month=month,
                                   reference=(row.get("keterangan") or "")[:80])
        key = (member.id, account)
        if key not in running:
            running.update({(member.id, kind): value for kind, value in savings_balances(member.id).items()})
        balances = {kind: running[(member.id, kind)] for kind in SAVINGS_ACCOUNTS}
        problems = _problems(cooperative, member, movement, setting, balances)
        if problems:
            errors.append(_("Line %(line)d: %(problems)s", line=number, problems=" ".join(problems.values())))
            continue
        running[key] += amount
        movements.append((member, movement))
    if errors:
        raise InvalidDetails({"file": " ".join(errors[:20])}, code="savings_import_refused")
    if not movements:
        raise InvalidDetails({"file": _("The file has no rows.")}, code="savings_import_empty")
    for member, movement in movements:
        _post_savings(cooperative, member, movement, actor)
    record_audit(LedgerAudit.SAVINGS_IMPORTED, actor=actor, target=cooperative, rows=len(movements))
    return len(movements)


def savings_overview(cooperative: Cooperative) -> sa.Select:
    """(member, pokok, wajib, sukarela) for every member, for a paginated page."""
    def total(account):
        return sa.func.coalesce(-sa.func.sum(sa.case((JournalLine.account == account, JournalLine.amount),
                                                     else_=0)), 0)

    return (sa.select(Member, total(Account.SIMPANAN_POKOK), total(Account.SIMPANAN_WAJIB),
                      total(Account.SIMPANAN_SUKARELA))
            .outerjoin(JournalLine, sa.and_(JournalLine.member_id == Member.id,
                                            JournalLine.account.in_(SAVINGS_ACCOUNTS)))
            .where(Member.cooperative_id == cooperative.id).group_by(Member.id)
            .order_by(Member.member_number, Member.id))
