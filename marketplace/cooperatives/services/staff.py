"""The people who run a cooperative: invitations by email, roles, and the rule that a board member remains."""

from collections.abc import Mapping
from functools import cache
from types import MappingProxyType

import sqlalchemy as sa

from marketplace.accounts.models import User
from marketplace.accounts.services import normalize_email
from marketplace.cooperatives.models import (
    Cooperative,
    CooperativeAudit,
    Invitation,
    InvitationPurpose,
    Member,
    StaffMembership,
    StaffRole,
)
from marketplace.cooperatives.permissions import Capability, can, require_capability
from marketplace.core.audit import record_audit
from marketplace.core.errors import Conflict, NotFound, NotPermitted
from marketplace.core.i18n import gettext as _
from marketplace.core.invitations import (
    INVITATION_VALID_DAYS,
    InvitationLinks,
    require_invited_address,
)
from marketplace.core.mail import send_mail_after_commit
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db

invitation_links = InvitationLinks(
    Invitation, salt="cooperative-invitation",
    expired_message=lambda: _("This invitation has expired. Ask the cooperative to send a new one."))


def memberships_of(user: User) -> list[StaffMembership]:
    return list(db.session.scalars(
        sa.select(StaffMembership).join(Cooperative).where(StaffMembership.user_id == user.id)
        .order_by(Cooperative.name)
    ))


def cooperative_ids_of_staff(user: User) -> list[int]:
    """The cooperatives a person works for (they may not buy from those)."""
    return list(db.session.scalars(sa.select(StaffMembership.cooperative_id).where(StaffMembership.user_id == user.id)))


@cache
def connection_columns() -> Mapping[str, sa.ColumnElement]:
    """Whether a person works for any cooperative, and whether they are linked to a member record: columns
    correlated to `User`, which the header of every page reads (`accounts.services.user_for_session` reads them
    with the signed-in person, in the same query). The same objects every time, so that query is built once."""
    return MappingProxyType({"staff": sa.exists().where(StaffMembership.user_id == User.id),
                             "member": sa.exists().where(Member.user_id == User.id)})


def connections_of(user: User) -> tuple[bool, bool]:
    """`connection_columns` of this person: as read with them when the request began, or in one small query."""
    known = getattr(user, "loaded_with", None) or {}
    if "staff" in known and "member" in known:
        return bool(known["staff"]), bool(known["member"])
    is_staff, is_member = db.session.execute(sa.select(*connection_columns().values())
                                             .where(User.id == user.id)).one()
    return bool(is_staff), bool(is_member)


def staff_of(cooperative: Cooperative) -> list[StaffMembership]:
    return list(db.session.scalars(
        sa.select(StaffMembership).join(User).where(StaffMembership.cooperative_id == cooperative.id)
        .order_by(StaffMembership.role, User.name)
    ))


def open_invitations(cooperative: Cooperative, purpose: InvitationPurpose = InvitationPurpose.STAFF) -> list:
    return list(db.session.scalars(
        sa.select(Invitation).where(Invitation.cooperative_id == cooperative.id, Invitation.purpose == purpose,
                                    Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
        .order_by(Invitation.created_at.desc())
    ))


invitation_token = invitation_links.token
invitation_for_token = invitation_links.open_invitation


def _send_invitation(invitation: Invitation, accept_url_for, locale: str) -> None:
    send_mail_after_commit(invitation.email, f"invitation_{invitation.purpose.value}", locale=locale,
              invitation=invitation, accept_url=accept_url_for(invitation_token(invitation)),
              valid_days=INVITATION_VALID_DAYS)


def invite_staff(actor: User, cooperative: Cooperative, *, email: str, role: StaffRole, accept_url_for,
                 locale: str = "id") -> Invitation:
    """Owners invite staff by email; an earlier open invitation to the same address is replaced."""
    if not can(actor, cooperative, Capability.MANAGE_STAFF):
        raise NotPermitted(_("Only the cooperative's board invites staff."))
    email = normalize_email(email)
    already = db.session.scalar(
        sa.select(StaffMembership).join(User).where(StaffMembership.cooperative_id == cooperative.id,
                                                    User.email == email))
    if already is not None:
        raise Conflict(_("%(email)s is already staff of this cooperative.", email=email))
    _revoke_open(cooperative, InvitationPurpose.STAFF, email=email)
    invitation = Invitation(cooperative_id=cooperative.id, purpose=InvitationPurpose.STAFF, email=email,
                            role=role, invited_by_id=actor.id)
    db.session.add(invitation)
    record_audit(CooperativeAudit.STAFF_INVITED, actor=actor, target=cooperative, email=email, role=str(role))
    db.session.flush()  # the invitation's id goes into the link
    _send_invitation(invitation, accept_url_for, locale)
    return invitation


def invite_member_account(actor: User, member: Member, *, email: str, accept_url_for,
                          locale: str = "id") -> Invitation:
    """A member may get a login of their own, to see their own products, earnings and payouts."""
    cooperative = member.cooperative
    require_capability(actor, cooperative, Capability.MANAGE_MEMBERS)
    if member.user_id is not None:
        raise Conflict(_("This member already has an account."))
    email = normalize_email(email)
    _revoke_open(cooperative, InvitationPurpose.MEMBER, member_id=member.id)
    invitation = Invitation(cooperative_id=cooperative.id, purpose=InvitationPurpose.MEMBER, email=email,
                            member_id=member.id, invited_by_id=actor.id)
    db.session.add(invitation)
    record_audit(CooperativeAudit.MEMBER_ACCOUNT_INVITED, actor=actor, target=member, email=email)
    db.session.flush()  # the invitation's id goes into the link
    _send_invitation(invitation, accept_url_for, locale)
    return invitation


def _revoke_open(cooperative: Cooperative, purpose: InvitationPurpose, **match) -> None:
    query = sa.select(Invitation).where(Invitation.cooperative_id == cooperative.id, Invitation.purpose == purpose,
                                        Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
    for column, value in match.items():
        query = query.where(getattr(Invitation, column) == value)
    for invitation in db.session.scalars(query):
        invitation.revoked_at = utcnow()


def accept_invitation(user: User, token: str) -> Invitation:
    """The invited person, signed in with the invited address, joins as staff or is linked to their member record."""
    invitation = invitation_for_token(token)
    require_invited_address(normalize_email(user.email), invitation)
    if invitation.purpose == InvitationPurpose.STAFF:
        if db.session.scalar(sa.select(StaffMembership).where(
                StaffMembership.cooperative_id == invitation.cooperative_id,
                StaffMembership.user_id == user.id)) is None:
            db.session.add(StaffMembership(cooperative_id=invitation.cooperative_id, user_id=user.id,
                                           role=invitation.role))
        record_audit(CooperativeAudit.STAFF_JOINED, actor=user, target=invitation.cooperative,
                     role=str(invitation.role))
    else:
        member = invitation.member
        if member.user_id not in (None, user.id):
            raise Conflict(_("This member record is already linked to another account."))
        member.user_id = user.id
        record_audit(CooperativeAudit.MEMBER_ACCOUNT_LINKED, actor=user, target=member)
    invitation.accepted_at = utcnow()
    invitation.accepted_by_id = user.id
    return invitation


def revoke_invitation(actor: User, cooperative: Cooperative, invitation_id: int) -> None:
    invitation = db.session.scalar(sa.select(Invitation).where(Invitation.id == invitation_id,
                                                               Invitation.cooperative_id == cooperative.id))
    if invitation is None:
        raise NotFound(_("This invitation does not exist."))
    needed = Capability.MANAGE_STAFF if invitation.purpose == InvitationPurpose.STAFF else Capability.MANAGE_MEMBERS
    require_capability(actor, cooperative, needed)
    if invitation.is_open:
        invitation.revoked_at = utcnow()
        record_audit(CooperativeAudit.INVITATION_REVOKED, actor=actor, target=cooperative, email=invitation.email)


def _staff_membership(cooperative: Cooperative, membership_id: int) -> StaffMembership:
    membership = db.session.scalar(sa.select(StaffMembership).where(
        StaffMembership.id == membership_id, StaffMembership.cooperative_id == cooperative.id))
    if membership is None:
        raise NotFound(_("This person is not staff of this cooperative."))
    return membership


def _board_count(cooperative: Cooperative) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(StaffMembership).where(
        StaffMembership.cooperative_id == cooperative.id, StaffMembership.role == StaffRole.BOARD)) or 0


def change_staff_role(actor: User, cooperative: Cooperative, membership_id: int, role: StaffRole) -> None:
    """The board changes roles; its last member here keeps the role, so the cooperative is never left without one."""
    if not can(actor, cooperative, Capability.MANAGE_STAFF):
        raise NotPermitted(_("Only the cooperative's board changes roles."))
    membership = _staff_membership(cooperative, membership_id)
    if membership.role == role:
        return
    if membership.role == StaffRole.BOARD and _board_count(cooperative) == 1:
        raise Conflict(_("The cooperative needs at least one board member here. Give someone else the board role "
                         "first."), code="last_board_member")
    old_role = membership.role
    membership.role = role
    record_audit(CooperativeAudit.STAFF_ROLE_CHANGED, actor=actor, target=cooperative, user_id=membership.user_id,
                 old=str(old_role), new=str(role))


def remove_staff(actor: User, cooperative: Cooperative, membership_id: int) -> None:
    """The board removes staff; anyone may leave; the board's last member here can be neither removed nor leave."""
    membership = _staff_membership(cooperative, membership_id)
    leaving_themself = membership.user_id == actor.id
    if not leaving_themself and not can(actor, cooperative, Capability.MANAGE_STAFF):
        raise NotPermitted(_("Only the cooperative's board removes staff."))
    if membership.role == StaffRole.BOARD and _board_count(cooperative) == 1:
        raise Conflict(_("The cooperative needs at least one board member here. Give someone else the board role "
                         "first."), code="last_board_member")
    record_audit(CooperativeAudit.STAFF_REMOVED, actor=actor, target=cooperative, user_id=membership.user_id,
                 role=str(membership.role))
    db.session.delete(membership)
