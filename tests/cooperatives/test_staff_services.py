import pytest

from marketplace.accounts.models import AccountKind
from marketplace.cooperatives.models import StaffMembership, StaffRole
from marketplace.cooperatives.services import staff
from marketplace.core.errors import Conflict, NotFound, NotPermitted
from marketplace.core.invitations import InvalidInvitation
from marketplace.core.unit_of_work import unit_of_work
from marketplace.extensions import db
from tests.factories import add_staff, create_cooperative, create_member, create_user, owner_of
from tests.helpers import refused


def link(token: str) -> str:
    return f"http://localhost/invitations/{token}"


def test_an_owner_invites_staff_who_join_with_the_invited_email(app, outbox):
    cooperative = create_cooperative()
    with unit_of_work():  # the email leaves once the invitation is saved
        invitation = staff.invite_staff(owner_of(cooperative), cooperative, email="Dewi@Contoh.id",
                                        role=StaffRole.MANAGER, accept_url_for=link)
    assert invitation.email == "dewi@contoh.id"
    assert outbox[0]["To"] == "dewi@contoh.id"
    token = outbox[0].get_content().split("/invitations/")[1].split()[0]
    stranger = create_user(email="orang.lain@contoh.id")
    with refused("invitation_for_another_email", NotPermitted):
        staff.accept_invitation(stranger, token)
    dewi = create_user(email="dewi@contoh.id", kind=AccountKind.BUYER)
    staff.accept_invitation(dewi, token)
    membership = db.session.scalar(db.select(StaffMembership).where(StaffMembership.user_id == dewi.id))
    assert membership.role == StaffRole.MANAGER
    with pytest.raises(InvalidInvitation):
        staff.accept_invitation(dewi, token)


def test_only_owners_invite(app):
    cooperative = create_cooperative()
    board_member = add_staff(cooperative, "manager")
    with pytest.raises(NotPermitted):
        staff.invite_staff(board_member, cooperative, email="a@contoh.id", role=StaffRole.STAFF, accept_url_for=link)


def test_inviting_someone_already_on_staff_is_refused(app):
    cooperative = create_cooperative()
    clerk = add_staff(cooperative)
    with pytest.raises(Conflict):
        staff.invite_staff(owner_of(cooperative), cooperative, email=clerk.email.upper(), role=StaffRole.STAFF,
                           accept_url_for=link)


def test_a_new_invitation_replaces_the_open_one_to_the_same_address(app):
    cooperative = create_cooperative()
    owner = owner_of(cooperative)
    first = staff.invite_staff(owner, cooperative, email="a@contoh.id", role=StaffRole.STAFF, accept_url_for=link)
    first_token = staff.invitation_token(first)
    staff.invite_staff(owner, cooperative, email="a@contoh.id", role=StaffRole.MANAGER, accept_url_for=link)
    assert [invitation.role for invitation in staff.open_invitations(cooperative)] == [StaffRole.MANAGER]
    with pytest.raises(InvalidInvitation):
        staff.invitation_for_token(first_token)


def test_a_tampered_or_withdrawn_invitation_is_refused(app):
    cooperative = create_cooperative()
    owner = owner_of(cooperative)
    invitation = staff.invite_staff(owner, cooperative, email="a@contoh.id", role=StaffRole.STAFF,
                                    accept_url_for=link)
    token = staff.invitation_token(invitation)
    with pytest.raises(InvalidInvitation):
        staff.invitation_for_token("x" + token[1:])
    staff.revoke_invitation(owner, cooperative, invitation.id)
    with pytest.raises(InvalidInvitation):
        staff.invitation_for_token(token)


def test_the_last_owner_can_be_neither_demoted_nor_removed(app):
    cooperative = create_cooperative()
    owner = owner_of(cooperative)
    membership = db.session.scalar(db.select(StaffMembership).where(StaffMembership.user_id == owner.id))
    with refused("last_board_member", Conflict):
        staff.change_staff_role(owner, cooperative, membership.id, StaffRole.MANAGER)
    with pytest.raises(Conflict):
        staff.remove_staff(owner, cooperative, membership.id)
    second_owner = add_staff(cooperative, "board")
    staff.remove_staff(owner, cooperative, membership.id)  # leaving is allowed once another owner exists
    assert [m.user_id for m in staff.staff_of(cooperative)] == [second_owner.id]


def test_staff_may_leave_but_not_remove_others(app):
    cooperative = create_cooperative()
    clerk = add_staff(cooperative)
    colleague = add_staff(cooperative)
    colleague_membership = db.session.scalar(db.select(StaffMembership).where(StaffMembership.user_id == colleague.id))
    with pytest.raises(NotPermitted):
        staff.remove_staff(clerk, cooperative, colleague_membership.id)
    own = db.session.scalar(db.select(StaffMembership).where(StaffMembership.user_id == clerk.id))
    staff.remove_staff(clerk, cooperative, own.id)
    assert len(staff.staff_of(cooperative)) == 2


def test_staff_of_another_cooperative_cannot_be_reached_by_id(app):
    ours, theirs = create_cooperative(), create_cooperative()
    their_clerk = add_staff(theirs)
    their_membership = db.session.scalar(db.select(StaffMembership).where(StaffMembership.user_id == their_clerk.id))
    with pytest.raises(NotFound):
        staff.remove_staff(owner_of(ours), ours, their_membership.id)


def test_a_member_links_their_own_account(app, outbox):
    cooperative = create_cooperative()
    member = create_member(cooperative, full_name="Suparmi")
    with unit_of_work():
        staff.invite_member_account(owner_of(cooperative), member, email="suparmi@contoh.id", accept_url_for=link)
    assert "Halo Suparmi," in outbox[0].get_content()
    suparmi = create_user(email="suparmi@contoh.id")
    token = staff.invitation_token(staff.open_invitations(cooperative, "member")[0])
    staff.accept_invitation(suparmi, token)
    assert member.user_id == suparmi.id
    with pytest.raises(Conflict):
        staff.invite_member_account(owner_of(cooperative), member, email="lain@contoh.id", accept_url_for=link)
