"""The member registry (anggota): who belongs to the cooperative and how they are paid."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from marketplace.accounts.models import User
from marketplace.cooperatives.models import (
    ConsentChange,
    Cooperative,
    CooperativeAudit,
    Gender,
    LeavingReason,
    Member,
    MemberStatus,
    PayoutMethod,
)
from marketplace.cooperatives.permissions import Capability, require_capability
from marketplace.core.audit import record_audit
from marketplace.core.errors import InvalidDetails, NotFound
from marketplace.core.i18n import gettext as _
from marketplace.core.timeutil import local_today
from marketplace.core.unit_of_work import refused_by_database
from marketplace.extensions import db


class InvalidMemberDetails(InvalidDetails):
    pass


@dataclass
class MemberDetails:
    member_number: str
    full_name: str
    joined_on: date
    national_id: str | None = None
    gender: Gender | None = None
    village: str | None = None
    district: str | None = None
    skills: str | None = None
    phone: str | None = None
    status: MemberStatus = MemberStatus.ACTIVE
    left_on: date | None = None
    leaving_reason: LeavingReason | None = None
    payout_method: PayoutMethod = PayoutMethod.CASH
    payout_provider: str | None = None
    payout_account_number: str | None = None
    payout_account_holder: str | None = None
    public_name_consent: bool = False

    @classmethod
    def of(cls, member: Member) -> "MemberDetails":
        return cls(**{name: getattr(member, name) for name in cls.__dataclass_fields__})


def member_problems(cooperative: Cooperative, details: MemberDetails, member: Member | None = None,
                    today: date | None = None) -> dict[str, str]:
    """Rules across fields and against the registry; field formats are checked where input is parsed."""
    today = today or local_today(cooperative.time_zone)
    problems: dict[str, str] = {}
    if details.joined_on > today:
        problems["joined_on"] = _("The joining date is in the future.")
    if details.status == MemberStatus.LEFT and details.left_on is None:
        problems["left_on"] = _("Enter the date the member left.")
    if details.status != MemberStatus.LEFT and details.left_on is not None:
        problems["left_on"] = _("Only a member who left has a leaving date.")
    if details.status == MemberStatus.LEFT and details.leaving_reason is None:
        problems["leaving_reason"] = _("Choose why the membership ended.")
    if details.status != MemberStatus.LEFT and details.leaving_reason is not None:
        problems["leaving_reason"] = _("Only a member who left has a reason for leaving.")
    if details.left_on and details.left_on < details.joined_on:
        problems["left_on"] = _("The leaving date is before the joining date.")
    if details.payout_method in (PayoutMethod.BANK, PayoutMethod.EWALLET) and not (
            details.payout_provider and details.payout_account_number):
        problems["payout_account_number"] = _("For a transfer, enter the bank or e-wallet and the account number.")
    for column, message in (
        ("member_number", _("Another member already has this member number.")),
        ("national_id", _("Another member is already registered with this NIK.")),
    ):
        value = getattr(details, column)
        if value and _taken(cooperative, column, value, member):
            problems[column] = message
    return problems


def _taken(cooperative: Cooperative, column: str, value: str, member: Member | None) -> bool:
    query = sa.select(Member.id).where(Member.cooperative_id == cooperative.id, getattr(Member, column) == value)
    if member is not None:
        query = query.where(Member.id != member.id)
    return db.session.scalar(query) is not None



def add_member(actor: User, cooperative: Cooperative, details: MemberDetails) -> Member:
    require_capability(actor, cooperative, Capability.MANAGE_MEMBERS)
    problems = member_problems(cooperative, details)
    if problems:
        raise InvalidMemberDetails(problems)
    member = Member(cooperative_id=cooperative.id, **vars(details))
    with _explaining_duplicates(cooperative, details):
        db.session.add(member)
    if member.public_name_consent:
        record_consent(actor, member)
    record_audit(CooperativeAudit.MEMBER_ADDED, actor=actor, target=member, member_number=member.member_number)
    return member


def record_consent(actor: User | None, member: Member) -> None:
    """Keep when the member's consent to be named publicly was given or withdrawn, and who recorded it."""
    db.session.add(ConsentChange(member_id=member.id, given=member.public_name_consent,
                                 recorded_by_id=getattr(actor, "id", None)))


def consent_history(member: Member) -> list[ConsentChange]:
    return list(db.session.scalars(sa.select(ConsentChange).where(ConsentChange.member_id == member.id)
                                   .order_by(ConsentChange.changed_at.desc(), ConsentChange.id.desc())))


def _explaining_duplicates(cooperative: Cooperative, details: MemberDetails, member: Member | None = None):
    """Two people saving the same member number at once: the database refuses one; say why."""
    return refused_by_database(lambda: InvalidMemberDetails(
        member_problems(cooperative, details, member)
        or {"member_number": _("Another member already has this member number.")}))


def update_member(actor: User, member: Member, details: MemberDetails) -> list[str]:
    require_capability(actor, member.cooperative, Capability.MANAGE_MEMBERS)
    problems = member_problems(member.cooperative, details, member)
    if problems:
        raise InvalidMemberDetails(problems)
    changed = [name for name, value in vars(details).items() if getattr(member, name) != value]
    if changed:
        with _explaining_duplicates(member.cooperative, details, member):
            for name in changed:
                setattr(member, name, getattr(details, name))
        if "public_name_consent" in changed:
            record_consent(actor, member)
        # Field names only: the audit log must not become a second copy of personal data.
        record_audit(CooperativeAudit.MEMBER_UPDATED, actor=actor, target=member, fields=changed)
    return changed


def member_of(actor: User, cooperative: Cooperative, member_id: int) -> Member:
    """A member of this cooperative, for someone who may see the registry; never another cooperative's."""
    require_capability(actor, cooperative, Capability.VIEW_MEMBERS)
    member = db.session.scalar(sa.select(Member).where(Member.id == member_id,
                                                       Member.cooperative_id == cooperative.id))
    if member is None:
        raise NotFound(_("This member does not exist in this cooperative."))
    return member


def members_query(cooperative: Cooperative, *, search: str | None = None, status: str | None = None,
                  gender: str | None = None) -> sa.Select:
    query = sa.select(Member).where(Member.cooperative_id == cooperative.id)
    if search:
        pattern = f"%{search.strip().lower()}%"
        query = query.where(sa.or_(sa.func.lower(Member.full_name).like(pattern),
                                   sa.func.lower(Member.member_number).like(pattern),
                                   sa.func.lower(Member.village).like(pattern),
                                   sa.func.lower(Member.skills).like(pattern)))
    if status in {item.value for item in MemberStatus}:
        query = query.where(Member.status == status)
    if gender in {item.value for item in Gender}:
        query = query.where(Member.gender == gender)
    return query.order_by(Member.member_number, Member.id)


def iterate_members(cooperative: Cooperative, batch_size: int = 500) -> Iterator[Member]:
    """All members, fetched in batches so an export of any size holds only one batch in memory."""
    last_id = 0
    while True:
        batch = list(db.session.scalars(
            sa.select(Member).where(Member.cooperative_id == cooperative.id, Member.id > last_id)
            .order_by(Member.id).limit(batch_size)))
        if not batch:
            return
        yield from batch
        last_id = batch[-1].id
        for member in batch:
            db.session.expunge(member)


def members_of_user(user: User) -> list[Member]:
    """The member records linked to a person's account: what a member producer sees of themself."""
    return list(db.session.scalars(sa.select(Member).where(Member.user_id == user.id).order_by(Member.id)))


def member_register(actor: User, cooperative: Cooperative, *, active_only: bool) -> list[Member]:
    """The cooperative's members by name, for choosing producers and who supplied a delivery."""
    require_capability(actor, cooperative, Capability.VIEW_MEMBERS)
    query = sa.select(Member).where(Member.cooperative_id == cooperative.id).order_by(Member.full_name, Member.id)
    if active_only:
        query = query.where(Member.status == MemberStatus.ACTIVE)
    return list(db.session.scalars(query))


def active_member_count(cooperative: Cooperative) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Member).where(
        Member.cooperative_id == cooperative.id, Member.status == MemberStatus.ACTIVE)) or 0
