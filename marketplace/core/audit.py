"""The audit log: who did what to which object, when — readable by an inspector.

An audit row is added to the same session as the change it records, so both commit or neither does.
"""

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
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
