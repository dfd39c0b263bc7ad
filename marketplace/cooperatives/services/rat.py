"""The annual members' meeting (RAT) by book year, and what follows from it: the badge, an overdue RAT, and
dormancy (no RAT for three book years in a row: Permenkop 9/2018; authorities dissolve such cooperatives)."""

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from marketplace.accounts.models import User
from marketplace.cooperatives.models import (
    Cooperative,
    CooperativeAudit,
    CooperativeDocument,
    DocumentKind,
    LegalForm,
    RatMeeting,
    rat_due_year,
)
from marketplace.cooperatives.permissions import Capability, require_capability
from marketplace.core.audit import record_audit
from marketplace.core.errors import Conflict, InvalidDetails
from marketplace.core.i18n import gettext as _
from marketplace.core.timeutil import local_today
from marketplace.core.unit_of_work import refused_by_database
from marketplace.extensions import db

DORMANT_AFTER_YEARS = 3
MAX_SHU = 10**15


class InvalidRat(InvalidDetails):
    pass


@dataclass
class RatDetails:
    book_year: int
    held_on: date
    members_present: int | None = None
    shu_decided: int | None = None
    minutes_document_id: int | None = None


def rats_of(cooperative: Cooperative) -> list[RatMeeting]:
    return list(db.session.scalars(sa.select(RatMeeting).where(RatMeeting.cooperative_id == cooperative.id)
                                   .order_by(RatMeeting.book_year.desc())))


def minutes_documents_of(cooperative: Cooperative) -> list[CooperativeDocument]:
    """The cooperative's uploaded RAT minutes (berita acara), newest first: what a RAT record may point to."""
    return list(db.session.scalars(sa.select(CooperativeDocument).where(
        CooperativeDocument.cooperative_id == cooperative.id, CooperativeDocument.kind == DocumentKind.RAT_MINUTES)
        .order_by(CooperativeDocument.uploaded_at.desc())))


def record_rat(actor: User, cooperative: Cooperative, details: RatDetails, today: date | None = None) -> RatMeeting:
    """The board records a RAT for a closed book year, once per book year, held after the year closed."""
    require_capability(actor, cooperative, Capability.EDIT_PROFILE)
    today = today or local_today(cooperative.time_zone)
    problems = {}
    if details.book_year >= today.year:
        problems["book_year"] = _("Book year %(year)d has not closed yet: its RAT comes after 31 December.",
                                  year=details.book_year)
    elif details.book_year < 1900:
        problems["book_year"] = _("Enter the book year as four digits, like 2025.")
    if details.held_on > today:
        problems["held_on"] = _("This date is in the future.")
    elif "book_year" not in problems and details.held_on <= date(details.book_year, 12, 31):
        problems["held_on"] = _("A RAT accounts for a book year after it has closed: hold it in %(next)d or later.",
                                next=details.book_year + 1)
    if details.members_present is not None and details.members_present < 0:
        problems["members_present"] = _("Enter how many members attended (0 or more).")
    if details.shu_decided is not None and abs(details.shu_decided) > MAX_SHU:
        problems["shu_decided"] = _("Enter the SHU in whole rupiah.")
    if details.minutes_document_id is not None and details.minutes_document_id not in {
            document.id for document in minutes_documents_of(cooperative)}:
        problems["minutes_document_id"] = _("Choose minutes of the RAT uploaded among this cooperative's documents.")
    if _recorded(cooperative, details.book_year):
        problems["book_year"] = _("The RAT for book year %(year)d is already recorded.", year=details.book_year)
    if problems:
        raise InvalidRat(problems)
    rat = RatMeeting(cooperative_id=cooperative.id, recorded_by_id=actor.id, **vars(details))
    with refused_by_database(lambda: Conflict(_("The RAT for book year %(year)d is already recorded.",
                                                year=details.book_year), code="rat_already_recorded")):
        db.session.add(rat)
    cooperative.last_rat_book_year = max(cooperative.last_rat_book_year or 0, details.book_year)
    record_audit(CooperativeAudit.RAT_RECORDED, actor=actor, target=cooperative, book_year=details.book_year)
    return rat


def _recorded(cooperative: Cooperative, book_year: int) -> bool:
    return db.session.scalar(sa.select(RatMeeting.id).where(RatMeeting.cooperative_id == cooperative.id,
                                                            RatMeeting.book_year == book_year)) is not None


def _start_year(cooperative: Cooperative) -> int | None:
    """The first book year a cooperative had to account for: the year it was founded or became a legal body."""
    years = [year for year in (cooperative.founded_year,
                               cooperative.legal_decree_date.year if cooperative.legal_decree_date else None) if year]
    return max(years) if years else None


@dataclass
class RatStanding:
    """What a cooperative's RATs say about it today."""

    last_book_year: int | None
    current: bool
    overdue_book_year: int | None = None
    dormant: bool = False
    missed_book_years: list[int] = field(default_factory=list)


def rat_standing(cooperative: Cooperative, today: date | None = None) -> RatStanding:
    today = today or local_today(cooperative.time_zone)
    due = rat_due_year(today)
    last = cooperative.last_rat_book_year
    current = last is not None and last >= due
    if cooperative.legal_form != LegalForm.COOPERATIVE:
        return RatStanding(last_book_year=last, current=current)  # no RAT is owed before becoming a legal body
    start = _start_year(cooperative)
    owed = [year for year in range(due, due - DORMANT_AFTER_YEARS, -1) if start is None or year >= start]
    missed = [year for year in owed if last is None or year > last]
    return RatStanding(last_book_year=last, current=current, overdue_book_year=due if due in missed else None,
                       dormant=len(owed) == DORMANT_AFTER_YEARS and len(missed) == DORMANT_AFTER_YEARS,
                       missed_book_years=missed)


def dormant_condition(today: date | None = None):
    """A WHERE clause: legal cooperatives owing a RAT for each of the last three due book years and holding none.
    The same test as `rat_standing(...).dormant`, whose first owed year is the later of the founding year and the
    decree's year (`_start_year`)."""
    oldest_owed = rat_due_year(today) - DORMANT_AFTER_YEARS + 1
    # "Started by the oldest owed year" is written as two plain comparisons, not as a year worked out from the
    # decree date: a directory's count tests every verified cooperative, and PostgreSQL's EXTRACT gives a numeric.
    # The RAT test comes first: most cooperatives held a recent one, so a database stops there.
    return sa.and_(Cooperative.legal_form == LegalForm.COOPERATIVE,
                   sa.or_(Cooperative.last_rat_book_year.is_(None), Cooperative.last_rat_book_year < oldest_owed),
                   sa.or_(Cooperative.founded_year.is_(None), Cooperative.founded_year <= oldest_owed),
                   sa.or_(Cooperative.legal_decree_date.is_(None),
                          Cooperative.legal_decree_date < date(oldest_owed + 1, 1, 1)))


def dormant_cooperatives_query(today: date | None = None) -> sa.Select:
    """For platform administrators: the dormant cooperatives, longest silent first."""
    return sa.select(Cooperative).where(dormant_condition(today)).order_by(
        Cooperative.last_rat_book_year.asc().nulls_first(), Cooperative.name)
