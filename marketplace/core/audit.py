"""The audit log: who did what to which object, when — readable by an inspector.

An audit row is added to the same session as the change it records, so both commit or neither does.
"""

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.timeutil import UTCDateTime, utcnow
from marketplace.extensions import db


class AuditAction(StrEnum):
    """Named types of audited events; later domains add theirs here so the list stays readable."""

    USER_REGISTERED = "user.registered"
    USER_LOGGED_IN = "user.logged_in"
    USER_LOGIN_FAILED = "user.login_failed"
    USER_PASSWORD_CHANGED = "user.password_changed"
    USER_PASSWORD_RESET_REQUESTED = "user.password_reset_requested"
    USER_PASSWORD_RESET = "user.password_reset"
    USER_PROFILE_UPDATED = "user.profile_updated"
    USER_CREATED_BY_CLI = "user.created_by_cli"
    USER_DEACTIVATED = "user.deactivated"

    COOPERATIVE_REGISTERED = "cooperative.registered"
    COOPERATIVE_UPDATED = "cooperative.updated"
    COOPERATIVE_RESUBMITTED = "cooperative.resubmitted"
    COOPERATIVE_STATUS_CHANGED = "cooperative.status_changed"
    COOPERATIVE_LOGO_CHANGED = "cooperative.logo_changed"
    COOPERATIVE_DOCUMENT_ADDED = "cooperative.document_added"
    STAFF_INVITED = "staff.invited"
    STAFF_JOINED = "staff.joined"
    STAFF_ROLE_CHANGED = "staff.role_changed"
    STAFF_REMOVED = "staff.removed"
    INVITATION_REVOKED = "invitation.revoked"
    MEMBER_ADDED = "member.added"
    MEMBER_UPDATED = "member.updated"
    MEMBERS_IMPORTED = "member.imported"
    MEMBER_ACCOUNT_INVITED = "member.account_invited"
    MEMBER_ACCOUNT_LINKED = "member.account_linked"

    PRODUCT_CREATED = "product.created"
    PRODUCT_UPDATED = "product.updated"
    PRODUCT_STATUS_CHANGED = "product.status_changed"
    PRODUCT_PRICE_CHANGED = "product.price_changed"
    PRODUCTS_IMPORTED = "product.imported"
    PRODUCT_IMAGE_ADDED = "product.image_added"
    PRODUCT_IMAGE_REMOVED = "product.image_removed"
    STOCK_RECEIVED = "stock.received"
    STOCK_ADJUSTED = "stock.adjusted"
    CATEGORY_CHANGED = "category.changed"


AUDIT_ACTION_LABELS = {
    AuditAction.USER_REGISTERED: _l("Account registered"),
    AuditAction.USER_LOGGED_IN: _l("Signed in"),
    AuditAction.USER_LOGIN_FAILED: _l("Failed sign-in"),
    AuditAction.USER_PASSWORD_CHANGED: _l("Password changed"),
    AuditAction.USER_PASSWORD_RESET_REQUESTED: _l("Password reset asked for"),
    AuditAction.USER_PASSWORD_RESET: _l("Password reset"),
    AuditAction.USER_PROFILE_UPDATED: _l("Profile updated"),
    AuditAction.USER_CREATED_BY_CLI: _l("Account created by the operator"),
    AuditAction.USER_DEACTIVATED: _l("Account deactivated"),
    AuditAction.COOPERATIVE_REGISTERED: _l("Cooperative registered"),
    AuditAction.COOPERATIVE_UPDATED: _l("Cooperative profile changed"),
    AuditAction.COOPERATIVE_RESUBMITTED: _l("Sent for verification again"),
    AuditAction.COOPERATIVE_STATUS_CHANGED: _l("Verification status changed"),
    AuditAction.COOPERATIVE_LOGO_CHANGED: _l("Logo changed"),
    AuditAction.COOPERATIVE_DOCUMENT_ADDED: _l("Document uploaded"),
    AuditAction.STAFF_INVITED: _l("Staff invited"),
    AuditAction.STAFF_JOINED: _l("Staff joined"),
    AuditAction.STAFF_ROLE_CHANGED: _l("Staff role changed"),
    AuditAction.STAFF_REMOVED: _l("Staff removed"),
    AuditAction.INVITATION_REVOKED: _l("Invitation withdrawn"),
    AuditAction.MEMBER_ADDED: _l("Member added"),
    AuditAction.MEMBER_UPDATED: _l("Member data changed"),
    AuditAction.MEMBERS_IMPORTED: _l("Members imported"),
    AuditAction.MEMBER_ACCOUNT_INVITED: _l("Member invited to a login"),
    AuditAction.MEMBER_ACCOUNT_LINKED: _l("Member login linked"),
    AuditAction.PRODUCT_CREATED: _l("Product created"),
    AuditAction.PRODUCT_UPDATED: _l("Product changed"),
    AuditAction.PRODUCT_STATUS_CHANGED: _l("Product status changed"),
    AuditAction.PRODUCT_PRICE_CHANGED: _l("Price changed"),
    AuditAction.PRODUCTS_IMPORTED: _l("Products imported"),
    AuditAction.PRODUCT_IMAGE_ADDED: _l("Photo added"),
    AuditAction.PRODUCT_IMAGE_REMOVED: _l("Photo removed"),
    AuditAction.STOCK_RECEIVED: _l("Stock received"),
    AuditAction.STOCK_ADJUSTED: _l("Stock corrected"),
    AuditAction.CATEGORY_CHANGED: _l("Category changed"),
}


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    target_type: Mapped[str | None] = mapped_column(sa.String(64))
    target_id: Mapped[str | None] = mapped_column(sa.String(64))
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)

    actor = relationship("User", lazy="joined")

    __table_args__ = (sa.Index("ix_audit_events_target", "target_type", "target_id"),)

    @property
    def label(self) -> str:
        """What happened, in the reader's language; the stored code when it has no label."""
        try:
            return str(AUDIT_ACTION_LABELS[AuditAction(self.action)])
        except (ValueError, KeyError):
            return self.action

    def __repr__(self) -> str:
        return f"<AuditEvent {self.action} {self.target_type}:{self.target_id} by {self.actor_id}>"


def record_audit(
    action: AuditAction,
    *,
    actor=None,
    target=None,
    **details: Any,
) -> AuditEvent:
    """Add an audit row to the current transaction; the caller's commit makes it permanent."""
    target_type = target_id = None
    if target is not None:
        if hasattr(target, "__tablename__") and target.id is None:
            db.session.flush()  # a new object gets its id, so the audit row can point at it
        target_type = getattr(target, "__tablename__", type(target).__name__)
        target_id = str(getattr(target, "id", target))
    if actor is not None and actor.id is None:
        db.session.flush()
    event = AuditEvent(
        occurred_at=utcnow(),
        actor_id=getattr(actor, "id", None),
        action=str(action),
        target_type=target_type,
        target_id=target_id,
        details={key: value for key, value in details.items() if value is not None},
    )
    db.session.add(event)
    return event
