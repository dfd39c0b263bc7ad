"""The year-end SHU (sisa hasil usaha) for the RAT: each member's transactions through the marketplace in the
book year (the basis of jasa usaha), their capital in simpanan pokok + wajib at the year's end (the basis of jasa
modal), and the share of the year's SHU each member receives by the percentages the AD/ART sets.

Member share = pool_JU × T_i / ΣT + pool_JM × S_i / ΣS, each pool rounded once by largest remainder so it is
shared out to the rupiah (docs/SHU.md works an example)."""

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from marketplace.cooperatives.models import Cooperative, Member, RatMeeting
from marketplace.core.errors import InvalidDetails
from marketplace.core.i18n import gettext as _
from marketplace.core.i18n import lazy_gettext as _l
from marketplace.extensions import db
from marketplace.ledger.models import Account, JournalEntry, JournalKind, JournalLine
from marketplace.ledger.services.journal import split_by_largest_remainder

# The funds an AD/ART usually divides the SHU into; jasa usaha and jasa modal go to members.
FUNDS = (
    ("reserve", _l("Reserve (cadangan)")),
    ("jasa_usaha", _l("Members, by transactions (jasa usaha)")),
    ("jasa_modal", _l("Members, by capital (jasa modal)")),
    ("board", _l("Board and supervisors")),
    ("employees", _l("Employees")),
    ("education", _l("Cooperative education")),
    ("social", _l("Social and regional development")),
)
MAX_SHU = 10**13


@dataclass
class MemberShare:
    member: Member
    transactions: int
    capital: int
    jasa_usaha: int = 0
    jasa_modal: int = 0

    @property
    def total(self) -> int:
        return self.jasa_usaha + self.jasa_modal


@dataclass
class ShuDistribution:
    book_year: int
    shu: int
    percentages: dict[str, int]  # basis points per fund
    funds: dict[str, int] = field(default_factory=dict)
    members: list[MemberShare] = field(default_factory=list)

    @property
    def total_transactions(self) -> int:
        return sum(share.transactions for share in self.members)

    @property
    def total_capital(self) -> int:
        return sum(share.capital for share in self.members)


def shu_decided(cooperative: Cooperative, book_year: int) -> int | None:
    """The SHU the RAT for that book year decided (recorded with the RAT), if any."""
    return db.session.scalar(sa.select(RatMeeting.shu_decided).where(RatMeeting.cooperative_id == cooperative.id,
                                                                     RatMeeting.book_year == book_year))


def member_transactions(cooperative: Cooperative, book_year: int) -> dict[int, int]:
    """What each member's goods earned through the marketplace in the year, reversals taken off."""
    start, end = date(book_year, 1, 1), date(book_year, 12, 31)
    rows = db.session.execute(
        sa.select(JournalLine.member_id, -sa.func.sum(JournalLine.amount))
        .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
        .where(JournalEntry.cooperative_id == cooperative.id, JournalLine.account == Account.MEMBER_PAYABLE,
               JournalEntry.kind.in_([JournalKind.SALE, JournalKind.REVERSAL, JournalKind.REFUND]),
               JournalEntry.booked_on.between(start, end))
        .group_by(JournalLine.member_id))
    return {member_id: int(total) for member_id, total in rows if member_id is not None and total and total > 0}


def member_capital(cooperative: Cooperative, book_year: int) -> dict[int, int]:
    """Each member's simpanan pokok + wajib at the end of the year."""
    rows = db.session.execute(
        sa.select(JournalLine.member_id, -sa.func.sum(JournalLine.amount))
        .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
        .where(JournalEntry.cooperative_id == cooperative.id,
               JournalLine.account.in_([Account.SIMPANAN_POKOK, Account.SIMPANAN_WAJIB]),
               JournalEntry.booked_on <= date(book_year, 12, 31))
        .group_by(JournalLine.member_id))
    return {member_id: int(total) for member_id, total in rows if member_id is not None and total and total > 0}


def distribute(cooperative: Cooperative, book_year: int, shu: int | None,
               percentages: dict[str, int]) -> ShuDistribution:
    """Work out the year's SHU by fund and by member; refuses percentages that do not make 100% together."""
    errors = {}
    if shu is None or not 0 <= shu <= MAX_SHU:
        errors["shu"] = _("Enter the year's SHU in whole rupiah.")
    if any(not 0 <= value <= 10_000 for value in percentages.values()):
        errors["jasa_usaha"] = _("Each share is a percentage between 0 and 100.")
    elif sum(percentages.values()) != 10_000:
        errors["jasa_usaha"] = _("The shares add up to %(total)s%%; together they must make 100%%.",
                                 total=f"{sum(percentages.values()) / 100:g}".replace(".", ","))
    if errors:
        raise InvalidDetails(errors, code="shu_shares_invalid")
    assert shu is not None
    names = [name for name, _label in FUNDS]
    amounts = split_by_largest_remainder(shu, [percentages.get(name, 0) for name in names]) if shu else [0] * len(
        names)
    distribution = ShuDistribution(book_year=book_year, shu=shu, percentages=percentages,
                                   funds=dict(zip(names, amounts, strict=True)))
    transactions = member_transactions(cooperative, book_year)
    capital = member_capital(cooperative, book_year)
    ids = sorted(set(transactions) | set(capital))
    members = {member.id: member for member in db.session.scalars(
        sa.select(Member).where(Member.id.in_(ids)))} if ids else {}
    shares = [MemberShare(member=members[member_id], transactions=transactions.get(member_id, 0),
                          capital=capital.get(member_id, 0)) for member_id in ids]
    for pool, basis, attribute in (("jasa_usaha", "transactions", "jasa_usaha"),
                                   ("jasa_modal", "capital", "jasa_modal")):
        weights = [getattr(share, basis) for share in shares]
        if distribution.funds[pool] and sum(weights):
            for share, amount in zip(shares, split_by_largest_remainder(distribution.funds[pool], weights),
                                     strict=True):
                setattr(share, attribute, amount)
    distribution.members = sorted(shares, key=lambda share: (share.member.member_number, share.member.id))
    return distribution
