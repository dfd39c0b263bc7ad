"""Agencies and their officers: registration, verification by the platform, invitations with roles, and the
checks every procurement step starts with (this person holds this role in this verified agency)."""

from dataclasses import dataclass

import sqlalchemy as sa

from marketplace.accounts.models import AccountKind, User
from marketplace.accounts.services import normalize_email
from marketplace.core.audit import record_audit
from marketplace.core.errors import Conflict, InvalidDetails, NotFound, NotPermitted
from marketplace.core.i18n import gettext as _
from marketplace.core.identifiers import parse_nip, parse_npwp, parse_satker_code
from marketplace.core.invitations import INVITATION_VALID_DAYS, InvitationLinks, require_invited_address
from marketplace.core.mail import send_mail_after_commit
from marketplace.core.regions import is_regency_of
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db
from marketplace.procurement.models import (
    Agency,
    AgencyInvitation,
    AgencyLevel,
    AgencyStatus,
    ApprovalPolicy,
    Officer,
    OfficerRole,
    OfficerRoleGrant,
    ProcurementAudit,
    SpendingUnit,
)

# Official addresses end in these; anything else is shown to the verifier as worth a second look.
OFFICIAL_DOMAIN_SUFFIXES = (".go.id", ".desa.id", ".mil.id", ".polri.go.id")

invitation_links = InvitationLinks(
    AgencyInvitation, salt="agency-invitation",
    expired_message=lambda: _("This invitation has expired. Ask the agency to send a new one."))


@dataclass(frozen=True)
class AgencyDetails:
    name: str
    level: AgencyLevel
    province_code: str | None
    regency_code: str | None
    street_address: str
    email_domain: str | None


@dataclass(frozen=True)
class SpendingUnitDetails:
    name: str
    satker_code: str
    treasurer_npwp: str
    street_address: str


def has_official_address(email: str) -> bool:
    """A verification hint: an address at a government domain. Not proof: such an address can be anyone's."""
    return normalize_email(email).endswith(OFFICIAL_DOMAIN_SUFFIXES)


def _check_agency(details: AgencyDetails, errors: dict[str, str]) -> None:
    if not details.name.strip():
        errors["name"] = _("Enter the agency's name.")
    if not details.street_address.strip():
        errors["street_address"] = _("Enter the agency's address.")
    if details.level != AgencyLevel.MINISTRY and not details.province_code:
        errors["province_code"] = _("Choose the agency's province.")
    if details.level in (AgencyLevel.REGENCY_CITY, AgencyLevel.VILLAGE) and not details.regency_code:
        errors["regency_code"] = _("Choose the agency's regency or city.")
    elif details.regency_code and not is_regency_of(details.regency_code, details.province_code):
        errors["regency_code"] = _("Choose a regency or city in the chosen province.")


def _spending_unit(details: SpendingUnitDetails, errors: dict[str, str]) -> SpendingUnit:
    unit = SpendingUnit(name=details.name.strip()[:200], street_address=details.street_address.strip()[:300])
    if not unit.name:
        errors["unit_name"] = _("Enter the name of the spending unit (satker).")
    try:
        unit.satker_code = parse_satker_code(details.satker_code)
    except ValueError:
        errors["satker_code"] = _("A satker code has 6 digits.")
    else:
        if db.session.scalar(sa.select(SpendingUnit.id).where(SpendingUnit.satker_code == unit.satker_code)):
            errors["satker_code"] = _("This satker is already registered. Ask its agency administrator to invite "
                                      "you.")
    try:
        unit.treasurer_npwp = parse_npwp(details.treasurer_npwp)
    except ValueError:
        errors["treasurer_npwp"] = _("An NPWP has 15 or 16 digits.")
    if not unit.street_address:
        errors["unit_address"] = _("Enter the spending unit's address.")
    return unit


def _parsed_nip(raw: str, errors: dict[str, str]) -> str:
    try:
        return parse_nip(raw)
    except ValueError:
        errors["nip"] = _("A NIP has 18 digits: birth date, appointment month, sex and a serial number.")
        return ""


def register_agency(user: User, agency_details: AgencyDetails, unit_details: SpendingUnitDetails, *, nip: str,
                    roles: set[OfficerRole]) -> Agency:
    """A government officer registers their agency and its first satker; they become its administrator, with
    the roles they hold. It waits for a platform administrator before anyone in it may order."""
    if not user.has_kind(AccountKind.GOVERNMENT_OFFICER):
        raise NotPermitted(_("Only accounts of government procurement officers register an agency."),
                           code="not_a_government_officer")
    if not user.email_verified:
        raise NotPermitted(_("Confirm your email address first (we sent you a link), then register your agency."),
                           code="email_not_verified")
    errors: dict[str, str] = {}
    _check_agency(agency_details, errors)
    unit = _spending_unit(unit_details, errors)
    nip_digits = _parsed_nip(nip, errors)
    if errors:
        raise InvalidDetails(errors, code="agency_details_invalid")
    agency = Agency(name=agency_details.name.strip()[:200], level=agency_details.level,
                    province_code=agency_details.province_code or None,
                    regency_code=agency_details.regency_code or None,
                    street_address=agency_details.street_address.strip()[:300],
                    email_domain=(agency_details.email_domain or "").strip().lower().lstrip("@")[:120] or None,
                    registered_by_id=user.id, status=AgencyStatus.PENDING)
    agency.spending_units.append(unit)
    db.session.add(agency)
    officer = Officer(agency=agency, user_id=user.id, nip=nip_digits)
    officer.grants = [OfficerRoleGrant(role=role) for role in sorted({*roles, OfficerRole.AGENCY_ADMIN})]
    db.session.add(officer)
    record_audit(ProcurementAudit.AGENCY_REGISTERED, actor=user, target=agency, name=agency.name,
                 satker=unit.satker_code)
    return agency


def verification_queue(status: AgencyStatus | None = AgencyStatus.PENDING):
    query = sa.select(Agency).order_by(Agency.created_at.desc(), Agency.id.desc())
    return query.where(Agency.status == status) if status is not None else query


def agency_by_id(agency_id: int) -> Agency:
    agency = db.session.get(Agency, agency_id)
    if agency is None:
        raise NotFound(_("This agency does not exist."))
    return agency


def _notify_registrant(agency: Agency) -> None:
    registrant = db.session.get(User, agency.registered_by_id) if agency.registered_by_id else None
    if registrant is not None:
        send_mail_after_commit(registrant.email, "agency_status", locale=registrant.preferred_locale, agency=agency)


def verify_agency(admin: User, agency: Agency) -> None:
    if not admin.is_admin:
        raise NotPermitted(_("Only platform administrators verify agencies."))
    if agency.status == AgencyStatus.VERIFIED:
        raise Conflict(_("This agency is already verified."), code="already_verified")
    agency.status, agency.verified_at, agency.verified_by_id = AgencyStatus.VERIFIED, utcnow(), admin.id
    agency.rejection_reason = None
    record_audit(ProcurementAudit.AGENCY_VERIFIED, actor=admin, target=agency)
    _notify_registrant(agency)


def reject_agency(admin: User, agency: Agency, reason: str) -> None:
    if not admin.is_admin:
        raise NotPermitted(_("Only platform administrators verify agencies."))
    if not (reason or "").strip():
        raise InvalidDetails({"reason": _("Say why, so the agency can put it right.")}, code="reason_required")
    if agency.status != AgencyStatus.PENDING:
        raise Conflict(_("Only an agency waiting for verification can be rejected."), code="not_pending")
    agency.status, agency.rejection_reason = AgencyStatus.REJECTED, reason.strip()[:500]
    record_audit(ProcurementAudit.AGENCY_REJECTED, actor=admin, target=agency, reason=agency.rejection_reason)
    _notify_registrant(agency)


def officer_records_of(user: User) -> list[Officer]:
    return list(db.session.scalars(sa.select(Officer).join(Agency).where(Officer.user_id == user.id)
                                   .order_by(Agency.name)))


def officer_in(user: User, agency: Agency) -> Officer | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(sa.select(Officer).where(Officer.agency_id == agency.id, Officer.user_id == user.id))


def require_role(user: User, agency: Agency, role: OfficerRole, *, verified: bool = True) -> Officer:
    """The officer record of `user` in `agency` when they hold `role` there (and, for anything that spends, the
    agency is verified); NotPermitted otherwise, saying which."""
    officer = officer_in(user, agency)
    if officer is None or not officer.holds(role):
        raise NotPermitted(_("This needs the role “%(role)s” in %(agency)s.", role=role.label, agency=agency.name),
                           code="role_required")
    if verified and not agency.is_verified:
        raise NotPermitted(_("%(agency)s is waiting for the platform's verification.", agency=agency.name),
                           code="agency_not_verified")
    return officer


def officers_of(agency: Agency) -> list[Officer]:
    return list(db.session.scalars(sa.select(Officer).join(User).where(Officer.agency_id == agency.id)
                                   .order_by(User.name)))


def open_invitations(agency: Agency) -> list[AgencyInvitation]:
    return list(db.session.scalars(sa.select(AgencyInvitation).where(
        AgencyInvitation.agency_id == agency.id, AgencyInvitation.accepted_at.is_(None),
        AgencyInvitation.revoked_at.is_(None)).order_by(AgencyInvitation.created_at.desc())))


def _checked_roles(roles: set[OfficerRole], spending_limit: int | None) -> None:
    if not roles:
        raise InvalidDetails({"roles": _("Choose at least one role.")}, code="roles_required")
    if spending_limit is not None and spending_limit < 0:
        raise InvalidDetails({"spending_limit": _("Enter an amount of zero or more.")}, code="amount_negative")
    if spending_limit is not None and OfficerRole.PP not in roles:
        raise InvalidDetails({"spending_limit": _("Only a procurement official (PP) has a spending limit.")},
                             code="limit_without_pp")


def invite_officer(actor: User, agency: Agency, *, email: str, roles: set[OfficerRole],
                   spending_limit: int | None, accept_url_for, locale: str = "id") -> AgencyInvitation:
    require_role(actor, agency, OfficerRole.AGENCY_ADMIN, verified=False)
    _checked_roles(roles, spending_limit)
    email = normalize_email(email)
    already = db.session.scalar(sa.select(Officer.id).join(User).where(Officer.agency_id == agency.id,
                                                                       User.email == email))
    if already is not None:
        raise Conflict(_("%(email)s is already an officer of this agency.", email=email), code="already_officer")
    for earlier in open_invitations(agency):
        if earlier.email == email:
            earlier.revoked_at = utcnow()
    invitation = AgencyInvitation(agency_id=agency.id, email=email, roles=sorted(str(role) for role in roles),
                                  spending_limit=spending_limit, invited_by_id=actor.id)
    db.session.add(invitation)
    record_audit(ProcurementAudit.OFFICER_INVITED, actor=actor, target=agency, email=email,
                 roles=invitation.roles)
    db.session.flush()  # the invitation's id goes into the link
    send_mail_after_commit(email, "invitation_officer", locale=locale, invitation=invitation, inviter=actor,
                           accept_url=accept_url_for(invitation_links.token(invitation)),
                           valid_days=INVITATION_VALID_DAYS)
    return invitation


invitation_for_token = invitation_links.open_invitation


def accept_invitation(user: User, token: str, *, nip: str) -> Officer:
    invitation = invitation_for_token(token)
    require_invited_address(normalize_email(user.email), invitation)
    if user.is_admin:
        raise NotPermitted(_("Platform administrators do not act for agencies."), code="admin_cannot_be_officer")
    errors: dict[str, str] = {}
    nip_digits = _parsed_nip(nip, errors)
    if nip_digits and db.session.scalar(sa.select(Officer.id).where(Officer.agency_id == invitation.agency_id,
                                                                    Officer.nip == nip_digits)):
        errors["nip"] = _("Another officer of this agency has this NIP.")
    if errors:
        raise InvalidDetails(errors, code="officer_details_invalid")
    if officer_in(user, invitation.agency) is not None:
        raise Conflict(_("You are already an officer of this agency."), code="already_officer")
    officer = Officer(agency_id=invitation.agency_id, user_id=user.id, nip=nip_digits,
                      spending_limit=invitation.spending_limit)
    officer.grants = [OfficerRoleGrant(role=OfficerRole(role)) for role in invitation.roles]
    db.session.add(officer)
    invitation.accepted_at = utcnow()
    record_audit(ProcurementAudit.OFFICER_JOINED, actor=user, target=invitation.agency, roles=invitation.roles)
    return officer


def _officer_of_agency(agency: Agency, officer_id: int) -> Officer:
    officer = db.session.scalar(sa.select(Officer).where(Officer.id == officer_id, Officer.agency_id == agency.id))
    if officer is None:
        raise NotFound(_("This person is not an officer of this agency."))
    return officer


def _administrators_left(agency: Agency, without: Officer) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(OfficerRoleGrant).join(Officer)
        .where(Officer.agency_id == agency.id, Officer.id != without.id,
               OfficerRoleGrant.role == OfficerRole.AGENCY_ADMIN)) or 0


def change_officer_roles(actor: User, agency: Agency, officer_id: int, *, roles: set[OfficerRole],
                         spending_limit: int | None) -> Officer:
    """The agency administrator changes roles; the agency always keeps an administrator."""
    require_role(actor, agency, OfficerRole.AGENCY_ADMIN, verified=False)
    _checked_roles(roles, spending_limit)
    officer = _officer_of_agency(agency, officer_id)
    if OfficerRole.AGENCY_ADMIN not in roles and officer.holds(OfficerRole.AGENCY_ADMIN) \
            and not _administrators_left(agency, officer):
        raise Conflict(_("The agency needs an administrator. Give someone else that role first."),
                       code="last_agency_admin")
    old = sorted(str(role) for role in officer.roles)
    kept = [grant for grant in officer.grants if grant.role in roles]
    officer.grants = kept + [OfficerRoleGrant(role=role) for role in sorted(roles - officer.roles)]
    officer.spending_limit = spending_limit
    record_audit(ProcurementAudit.OFFICER_ROLES_CHANGED, actor=actor, target=agency, user_id=officer.user_id,
                 old=old, new=sorted(str(role) for role in roles), spending_limit=spending_limit)
    return officer


def remove_officer(actor: User, agency: Agency, officer_id: int) -> None:
    officer = _officer_of_agency(agency, officer_id)
    if officer.user_id != actor.id:
        require_role(actor, agency, OfficerRole.AGENCY_ADMIN, verified=False)
    if officer.holds(OfficerRole.AGENCY_ADMIN) and not _administrators_left(agency, officer):
        raise Conflict(_("The agency needs an administrator. Give someone else that role first."),
                       code="last_agency_admin")
    record_audit(ProcurementAudit.OFFICER_REMOVED, actor=actor, target=agency, user_id=officer.user_id)
    db.session.delete(officer)


def revoke_invitation(actor: User, agency: Agency, invitation_id: int) -> None:
    require_role(actor, agency, OfficerRole.AGENCY_ADMIN, verified=False)
    invitation = db.session.scalar(sa.select(AgencyInvitation).where(AgencyInvitation.id == invitation_id,
                                                                    AgencyInvitation.agency_id == agency.id))
    if invitation is None:
        raise NotFound(_("This invitation does not exist."))
    if invitation.is_open:
        invitation.revoked_at = utcnow()
        record_audit(ProcurementAudit.INVITATION_REVOKED, actor=actor, target=agency, email=invitation.email)


def change_approval_policy(actor: User, agency: Agency, policy: ApprovalPolicy) -> None:
    require_role(actor, agency, OfficerRole.AGENCY_ADMIN, verified=False)
    if agency.approval_policy != policy:
        record_audit(ProcurementAudit.AGENCY_SETTINGS_CHANGED, actor=actor, target=agency,
                     approval_policy=str(policy), before=str(agency.approval_policy))
        agency.approval_policy = policy
