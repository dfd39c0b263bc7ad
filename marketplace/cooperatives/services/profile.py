"""Registering a cooperative, keeping its profile, and its verification status."""

from dataclasses import dataclass, fields
from datetime import date

import sqlalchemy as sa

from marketplace.accounts.models import User
from marketplace.cooperatives.models import (
    Cooperative,
    CooperativeAudit,
    CooperativeDocument,
    CooperativeStatus,
    CooperativeType,
    DocumentKind,
    LegalForm,
    MembershipArea,
    StaffMembership,
    StaffRole,
    rat_due_year,
)
from marketplace.cooperatives.permissions import Capability, require_capability
from marketplace.cooperatives.services.order_prefix import assign_order_prefix
from marketplace.core.audit import record_audit
from marketplace.core.documents import clean_document, keep_privately
from marketplace.core.errors import DomainError, InvalidDetails, NotFound, NotPermitted, TransitionNotAllowed
from marketplace.core.i18n import gettext as _
from marketplace.core.images import discard_image_after_commit, store_image
from marketplace.core.mail import send_mail_after_commit
from marketplace.core.regions import is_regency_of
from marketplace.core.text import unique_slug
from marketplace.core.timeutil import local_today, utcnow, zone_of_province
from marketplace.core.unit_of_work import refused_by_database
from marketplace.extensions import db

LOGO_WIDTHS = (96, 192, 384)
# What a verification checks: changing any of it sends a verified cooperative back to verification (money will
# flow to the bank account, taxes follow the tax identity).
VERIFIED_FIELDS = ("legal_form", "nik_koperasi", "nik_valid_until", "legal_decree_number", "legal_decree_date", "nib",
                   "npwp", "nitku", "is_pkp", "pp55_certificate_number", "pp55_valid_from", "pp55_valid_until",
                   "bank_name", "bank_account_number", "bank_account_holder")


class InvalidCooperativeDetails(InvalidDetails):
    pass


@dataclass
class CooperativeDetails:
    """Everything a cooperative states about itself, already parsed (identifiers as digits)."""

    name: str
    cooperative_type: CooperativeType
    street_address: str
    province_code: str
    regency_code: str
    phone: str
    email: str
    legal_form: LegalForm = LegalForm.COOPERATIVE
    membership_area: MembershipArea | None = MembershipArea.REGENCY
    is_syariah: bool = False
    is_pesantren: bool = False
    pesantren_name: str | None = None
    opop_participant: bool = False
    opop_level: str | None = None
    nik_koperasi: str | None = None
    nik_valid_until: date | None = None
    legal_decree_number: str | None = None
    legal_decree_date: date | None = None
    nib: str | None = None
    npwp: str | None = None
    nitku: str | None = None
    is_pkp: bool = False
    pp55_certificate_number: str | None = None
    pp55_valid_from: date | None = None
    pp55_valid_until: date | None = None
    postal_code: str | None = None
    bank_name: str | None = None
    bank_account_number: str | None = None
    bank_account_holder: str | None = None
    description: str = ""
    founded_year: int | None = None
    member_count: int = 0

    @classmethod
    def of(cls, cooperative: Cooperative) -> "CooperativeDetails":
        return cls(**{field.name: getattr(cooperative, field.name) for field in fields(cls)})


def _problems(details: CooperativeDetails, cooperative: Cooperative | None) -> dict[str, str]:
    problems: dict[str, str] = {}
    if not is_regency_of(details.regency_code, details.province_code):
        problems["regency_code"] = _("Choose a regency or city in the chosen province.")
    if details.legal_form == LegalForm.COOPERATIVE:
        # The legal entity is the SK AHU with its deed; the business licence is the NIB. The NIK koperasi comes
        # only after years of reported RATs, so a young cooperative has none.
        required = {
            "legal_decree_number": _("Enter the number of the legal entity decree (SK AHU)."),
            "legal_decree_date": _("Enter the date of the legal entity decree."),
            "nib": _("A cooperative with legal status has a NIB."),
            "membership_area": _("Choose where the members come from."),
        }
        problems.update({name: message for name, message in required.items() if not getattr(details, name)})
    if details.nik_koperasi and not details.nik_valid_until:
        problems["nik_valid_until"] = _("Enter until when the NIK koperasi certificate is valid.")
    if details.nik_valid_until and not details.nik_koperasi:
        problems["nik_koperasi"] = _("Enter the NIK koperasi this validity date belongs to.")
    if details.nitku and (not details.npwp or not details.nitku.startswith(details.npwp)):
        problems["nitku"] = _("A NITKU is the cooperative's 16-digit NPWP followed by 6 digits.")
    pp55 = (details.pp55_certificate_number, details.pp55_valid_from, details.pp55_valid_until)
    if any(pp55) and not all(pp55):
        problems["pp55_certificate_number"] = _("Enter the PP 55/2022 certificate's number and both its dates.")
    elif all(pp55) and details.pp55_valid_until < details.pp55_valid_from:  # type: ignore[operator]
        problems["pp55_valid_until"] = _("The certificate ends before it starts.")
    if all(pp55) and not details.npwp:
        problems["npwp"] = _("A cooperative with a PP 55/2022 certificate has an NPWP.")
    if details.is_pesantren and not details.pesantren_name:
        problems["pesantren_name"] = _("Enter the name of the pesantren.")
    if details.opop_participant and not details.is_pesantren:
        problems["opop_participant"] = _("Only pesantren cooperatives take part in One Pesantren One Product.")
    if details.is_pkp and not details.npwp:
        problems["npwp"] = _("A VAT-registered (PKP) cooperative has an NPWP.")
    today = local_today(zone_of_province(details.province_code))
    if details.legal_decree_date and details.legal_decree_date > today:
        problems["legal_decree_date"] = _("This date is in the future.")
    if details.founded_year and details.founded_year > today.year:
        problems["founded_year"] = _("The founding year is in the future.")
    bank_fields = (details.bank_name, details.bank_account_number, details.bank_account_holder)
    if any(bank_fields) and not all(bank_fields):
        problems["bank_account_number"] = _("Fill in the bank, the account number and the account holder together.")
    problems.update(_taken_identifiers(details, cooperative))
    return problems


def _taken_identifiers(details: CooperativeDetails, cooperative: Cooperative | None) -> dict[str, str]:
    messages = {
        "nik_koperasi": _("Another cooperative is already registered with this NIK koperasi."),
        "nib": _("Another cooperative is already registered with this NIB."),
        "npwp": _("Another cooperative is already registered with this NPWP."),
    }
    taken = {}
    for name, message in messages.items():
        value = getattr(details, name)
        if not value:
            continue
        column = getattr(Cooperative, name)
        query = sa.select(Cooperative.id).where(column == value)
        if cooperative is not None:
            query = query.where(Cooperative.id != cooperative.id)
        if db.session.scalar(query) is not None:
            taken[name] = message
    return taken


def register_cooperative(owner: User, details: CooperativeDetails) -> Cooperative:
    """Anyone signed in (but a platform admin) may register a cooperative; they take its board role here.

    The cooperative starts `pending`: it can prepare its catalog but is not public until verified.
    """
    if owner.is_admin:
        raise NotPermitted(_("Platform administrators cannot register a cooperative themselves."))
    if not owner.email_verified:
        raise NotPermitted(_("Confirm your email address first: open the link we sent you, or ask for a new one "
                             "on My account."), code="email_not_verified")
    problems = _problems(details, None)
    if problems:
        raise InvalidCooperativeDetails(problems)
    cooperative = Cooperative(slug=unique_slug(Cooperative.slug, details.name), status=CooperativeStatus.PENDING,
                              status_changed_at=utcnow(), **vars(details))
    with _explaining_duplicates(details, None):
        db.session.add(cooperative)
        db.session.add(StaffMembership(cooperative=cooperative, user_id=owner.id, role=StaffRole.BOARD))
    assign_order_prefix(cooperative)
    record_audit(CooperativeAudit.COOPERATIVE_REGISTERED, actor=owner, target=cooperative, name=cooperative.name)
    return cooperative


def _explaining_duplicates(details: CooperativeDetails, cooperative: Cooperative | None):
    """Two registrations of the same NIK at the same moment: the database refuses one; say why."""
    return refused_by_database(lambda: InvalidCooperativeDetails(
        _taken_identifiers(details, cooperative)
        or {"name": _("This cooperative was registered at the same moment by someone else.")}))


def update_cooperative(actor: User, cooperative: Cooperative, details: CooperativeDetails) -> list[str]:
    """Staff with the right to edit the profile change it; returns the names of the changed fields.

    Changing the legal identity of a verified cooperative sends it back to verification.
    """
    require_capability(actor, cooperative, Capability.EDIT_PROFILE)
    problems = _problems(details, cooperative)
    if problems:
        raise InvalidCooperativeDetails(problems)
    changed = [name for name, value in vars(details).items() if getattr(cooperative, name) != value]
    if not changed:
        return []
    with _explaining_duplicates(details, cooperative):
        for name in changed:
            setattr(cooperative, name, getattr(details, name))
    identity_changed = sorted(set(changed) & set(VERIFIED_FIELDS))
    if identity_changed and cooperative.status == CooperativeStatus.VERIFIED:
        _set_status(cooperative, CooperativeStatus.PENDING, actor=actor,
                    reason=_("The legal identity, tax identity or bank account changed and must be verified "
                             "again."))
    record_audit(CooperativeAudit.COOPERATIVE_UPDATED, actor=actor, target=cooperative, fields=changed)
    return changed


def _logo_in_use(base_key: str) -> bool:
    return db.session.scalar(sa.select(Cooperative.id).where(
        Cooperative.logo["base_key"].as_string() == base_key).limit(1)) is not None


def set_logo(actor: User, cooperative: Cooperative, data: bytes) -> None:
    require_capability(actor, cooperative, Capability.EDIT_PROFILE)
    stored = store_image(data, prefix="logos", widths=LOGO_WIDTHS)
    replaced = cooperative.logo_image
    cooperative.logo = stored.as_dict()
    if replaced is not None and replaced.base_key != stored.base_key:
        discard_image_after_commit(replaced, still_used=_logo_in_use)
    record_audit(CooperativeAudit.COOPERATIVE_LOGO_CHANGED, actor=actor, target=cooperative)


def add_document(actor: User, cooperative: Cooperative, *, kind: DocumentKind, filename: str,
                 data: bytes) -> CooperativeDocument:
    """Verification documents are PDF files that open, or real photos, cleaned of their author's metadata
    (`core.documents`); they are stored privately under random names."""
    require_capability(actor, cooperative, Capability.EDIT_PROFILE)
    stored = keep_privately(clean_document(data), folder=f"documents/{cooperative.id}", filename=filename,
                            fallback_name="document")
    document = CooperativeDocument(cooperative_id=cooperative.id, kind=kind, uploaded_by_id=actor.id, **stored)
    db.session.add(document)
    record_audit(CooperativeAudit.COOPERATIVE_DOCUMENT_ADDED, actor=actor, target=cooperative, kind=str(kind))
    return document


def documents_of(cooperative: Cooperative) -> list[CooperativeDocument]:
    return list(db.session.scalars(
        sa.select(CooperativeDocument).where(CooperativeDocument.cooperative_id == cooperative.id)
        .order_by(CooperativeDocument.uploaded_at.desc())
    ))


def document_of(actor: User, cooperative: Cooperative, document_id: int) -> CooperativeDocument:
    require_capability(actor, cooperative, Capability.VIEW_DOCUMENTS)
    document = db.session.scalar(sa.select(CooperativeDocument).where(
        CooperativeDocument.id == document_id, CooperativeDocument.cooperative_id == cooperative.id))
    if document is None:
        raise NotFound(_("This document does not exist."))
    return document


# The verification state machine: from → the states it may move to.
STATUS_TRANSITIONS: dict[CooperativeStatus, set[CooperativeStatus]] = {
    CooperativeStatus.PENDING: {CooperativeStatus.VERIFIED, CooperativeStatus.REJECTED},
    CooperativeStatus.REJECTED: {CooperativeStatus.PENDING},
    CooperativeStatus.VERIFIED: {CooperativeStatus.SUSPENDED, CooperativeStatus.PENDING},
    CooperativeStatus.SUSPENDED: {CooperativeStatus.VERIFIED},
}
REASON_REQUIRED = {CooperativeStatus.REJECTED, CooperativeStatus.SUSPENDED}


def _set_status(cooperative: Cooperative, new_status: CooperativeStatus, *, actor: User | None,
                reason: str | None) -> None:
    old_status = cooperative.status
    if new_status not in STATUS_TRANSITIONS[old_status]:
        raise TransitionNotAllowed(_("A cooperative that is %(current)s cannot become %(new)s.",
                                     current=old_status.label, new=new_status.label))
    cooperative.status = new_status
    cooperative.status_reason = reason
    cooperative.status_changed_at = utcnow()
    if new_status == CooperativeStatus.VERIFIED:
        cooperative.verified_at = cooperative.status_changed_at
    record_audit(CooperativeAudit.COOPERATIVE_STATUS_CHANGED, actor=actor, target=cooperative,
                 old=str(old_status), new=str(new_status), reason=reason)


def change_status(admin: User, cooperative: Cooperative, new_status: CooperativeStatus,
                  reason: str | None = None) -> None:
    """Platform administrators verify, reject (with a reason), suspend (with a reason) and reinstate.

    The board is told by email, in its members' languages.
    """
    if not admin.is_admin:
        raise NotPermitted(_("Only platform administrators verify or suspend cooperatives."))
    reason = (reason or "").strip() or None
    if new_status in REASON_REQUIRED and not reason:
        raise DomainError(_("Give the reason: the cooperative will read it."), code="reason_required")
    _set_status(cooperative, new_status, actor=admin, reason=reason)
    for owner in owners_of(cooperative):
        send_mail_after_commit(owner.email, "cooperative_status", locale=owner.preferred_locale, user=owner,
                  cooperative=cooperative, status=new_status, reason=reason)


def resubmit_for_verification(actor: User, cooperative: Cooperative) -> None:
    """After a rejection, the cooperative corrects its profile and asks again."""
    require_capability(actor, cooperative, Capability.EDIT_PROFILE)
    _set_status(cooperative, CooperativeStatus.PENDING, actor=actor, reason=None)
    record_audit(CooperativeAudit.COOPERATIVE_RESUBMITTED, actor=actor, target=cooperative)


def owners_of(cooperative: Cooperative) -> list[User]:
    return list(db.session.scalars(
        sa.select(User).join(StaffMembership, StaffMembership.user_id == User.id).where(
            StaffMembership.cooperative_id == cooperative.id, StaffMembership.role == StaffRole.BOARD)
    ))


@dataclass(frozen=True)
class Badge:
    kind: str
    label: str


# What `badges_of` reads: a page that loads only some of a cooperative's columns loads these.
BADGE_COLUMNS = (Cooperative.status, Cooperative.last_rat_book_year, Cooperative.nik_koperasi,
                 Cooperative.nik_valid_until, Cooperative.province_code, Cooperative.is_syariah,
                 Cooperative.is_pesantren, Cooperative.opop_participant)


def badges_of(cooperative: Cooperative, today: date | None = None) -> list[Badge]:
    """Badges are derived from the record, never typed in (from `BADGE_COLUMNS`; the time zone is the
    province's)."""
    badges = []
    if cooperative.status == CooperativeStatus.VERIFIED:
        badges.append(Badge("verified", _("Verified")))
    if cooperative.last_rat_book_year is not None and cooperative.last_rat_book_year >= rat_due_year(today):
        badges.append(Badge("rat", _("RAT Tahun Buku %(year)d", year=cooperative.last_rat_book_year)))
    if cooperative.nik_koperasi and cooperative.nik_valid_until and cooperative.nik_valid_until >= (
            today or local_today(cooperative.time_zone)):
        badges.append(Badge("nik", _("NIK koperasi")))
    if cooperative.is_syariah:
        badges.append(Badge("syariah", _("Syariah")))
    if cooperative.is_pesantren:
        badges.append(Badge("kopontren", _("Kopontren")))
    if cooperative.opop_participant:
        badges.append(Badge("opop", _("OPOP")))
    return badges

