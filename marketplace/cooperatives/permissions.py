"""What each staff role may do in its cooperative, and what platform administrators may see."""

from enum import StrEnum

import sqlalchemy as sa

from marketplace.cooperatives.models import StaffMembership, StaffRole
from marketplace.core.errors import NotPermitted
from marketplace.core.i18n import gettext as _
from marketplace.extensions import db


class Capability(StrEnum):
    VIEW_DASHBOARD = "view_dashboard"
    VIEW_MEMBERS = "view_members"
    VIEW_NATIONAL_IDS = "view_national_ids"
    VIEW_ACCOUNT_NUMBERS = "view_account_numbers"
    VIEW_CATALOG = "view_catalog"
    VIEW_DOCUMENTS = "view_documents"
    EDIT_PROFILE = "edit_profile"
    MANAGE_CATALOG = "manage_catalog"
    MANAGE_ORDERS = "manage_orders"
    MANAGE_MEMBERS = "manage_members"
    MANAGE_MONEY = "manage_money"
    MANAGE_STAFF = "manage_staff"


_EVERY_STAFF_ROLE = {Capability.VIEW_DASHBOARD, Capability.VIEW_MEMBERS, Capability.VIEW_CATALOG,
                     Capability.MANAGE_CATALOG, Capability.MANAGE_ORDERS}
_READ_EVERYTHING = {Capability.VIEW_DASHBOARD, Capability.VIEW_MEMBERS, Capability.VIEW_CATALOG,
                    Capability.VIEW_NATIONAL_IDS, Capability.VIEW_ACCOUNT_NUMBERS, Capability.VIEW_DOCUMENTS}
_MANAGEMENT = _EVERY_STAFF_ROLE | _READ_EVERYTHING | {Capability.EDIT_PROFILE, Capability.MANAGE_MEMBERS,
                                                      Capability.MANAGE_MONEY}

ROLE_CAPABILITIES: dict[StaffRole, frozenset[Capability]] = {
    StaffRole.BOARD: frozenset(_MANAGEMENT | {Capability.MANAGE_STAFF}),
    StaffRole.MANAGER: frozenset(_MANAGEMENT),
    StaffRole.STAFF: frozenset(_EVERY_STAFF_ROLE),
    # Pengawas oversee: they read members, catalog, documents (and later orders, ledgers, SHU); they change nothing.
    StaffRole.SUPERVISOR: frozenset(_READ_EVERYTHING),
}

# Platform administrators verify and monitor: they may look, not run the cooperative.
PLATFORM_ADMIN_CAPABILITIES = frozenset({Capability.VIEW_DASHBOARD, Capability.VIEW_MEMBERS,
                                         Capability.VIEW_NATIONAL_IDS, Capability.VIEW_DOCUMENTS})


def membership_of(user, cooperative) -> StaffMembership | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        sa.select(StaffMembership).where(
            StaffMembership.cooperative_id == cooperative.id, StaffMembership.user_id == user.id
        )
    )


def capabilities_of(user, cooperative) -> frozenset[Capability]:
    membership = membership_of(user, cooperative)
    granted = ROLE_CAPABILITIES[membership.role] if membership else frozenset()
    if getattr(user, "is_admin", False):
        granted = granted | PLATFORM_ADMIN_CAPABILITIES
    return granted


def can(user, cooperative, capability: Capability) -> bool:
    return capability in capabilities_of(user, cooperative)


def require_capability(user, cooperative, capability: Capability) -> None:
    """For services: refuse with a message when the person's role does not allow the action."""
    if not can(user, cooperative, capability):
        raise NotPermitted(_("Your role in this cooperative does not allow this."))
