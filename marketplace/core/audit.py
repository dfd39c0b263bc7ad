"""The audit log: who did what to which object, when — readable by an inspector.

An audit row is added to the same session as the change it records, so both commit or neither does.
"""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import has_request_context, request
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.i18n import lazy_gettext as _l
from marketplace.core.labelled_enum import LabelledEnum
from marketplace.core.timeutil import UTCDateTime, utcnow
from marketplace.extensions import db

# Each domain declares its own audited actions (a LabelledEnum decorated with `register_audit_actions`) in its
# models; the log stores the value and reads it back as words through this registry.
_ACTION_LABELS: dict[str, Any] = {}


def register_audit_actions(actions: type[LabelledEnum]) -> type[LabelledEnum]:
    """Make a domain's actions readable in the audit log; a value may belong to one domain only."""
    for action in actions:
        known = _ACTION_LABELS.get(action.value)
        if known is not None and known is not action.lazy_label:
            raise ValueError(f"audit action {action.value!r} is declared twice")
        _ACTION_LABELS[action.value] = action.lazy_label
    return actions


def audit_action_choices() -> list[tuple[str, Any]]:
    """Every registered action with its label, in the order the domains declared them."""
    return list(_ACTION_LABELS.items())


class SystemActor:
    """Work done by no person — webhooks, commands run from cron or by the operator: the audit log says
    "system" instead of leaving the actor blank."""

    id = None
    is_system = True
    name = _l("System")

    def __repr__(self) -> str:
        return "<SystemActor>"


SYSTEM = SystemActor()


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
    # True for work done by no person (SYSTEM); an empty actor otherwise means someone not signed in.
    by_system: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Where the person acted from (the address the request came from), for the history an auditor reads.
    ip_address: Mapped[str | None] = mapped_column(sa.String(45))

    actor = relationship("User", lazy="joined")

    __table_args__ = (sa.Index("ix_audit_events_target", "target_type", "target_id"),)

    @property
    def label(self) -> str:
        """What happened, in the reader's language; the stored code when it has no label."""
        label = _ACTION_LABELS.get(self.action)
        return str(label) if label is not None else self.action

    @property
    def actor_name(self) -> str:
        """Who did it: the person, "system", or "—" for someone not signed in (a failed sign-in)."""
        if self.actor is not None:
            return self.actor.name
        return str(SYSTEM.name) if self.by_system else "—"

    def __repr__(self) -> str:
        return f"<AuditEvent {self.action} {self.target_type}:{self.target_id} by {self.actor_id}>"


def record_audit(
    action: LabelledEnum,
    *,
    actor=None,
    target=None,
    **details: Any,
) -> AuditEvent:
    """Add an audit row to the current transaction; the unit of work's commit makes it permanent.

    `actor` is the person who acted, `SYSTEM` for work done by no person, or None for someone not signed in."""
    target_type = target_id = None
    if target is not None:
        if hasattr(target, "__tablename__") and target.id is None:
            db.session.flush()  # a new object gets its id, so the audit row can point at it
        target_type = getattr(target, "__tablename__", type(target).__name__)
        target_id = str(getattr(target, "id", target))
    by_system = isinstance(actor, SystemActor)
    if actor is not None and not by_system and actor.id is None:
        db.session.flush()
    event = AuditEvent(
        occurred_at=utcnow(),
        actor_id=None if by_system else getattr(actor, "id", None),
        by_system=by_system,
        action=str(action),
        target_type=target_type,
        target_id=target_id,
        details={key: value for key, value in details.items() if value is not None},
        ip_address=_request_address() if not by_system else None,
    )
    db.session.add(event)
    return event


def _request_address() -> str | None:
    """The address of the request being answered (behind the proxy, as ProxyFix gives it); None outside one."""
    return (request.remote_addr or None) if has_request_context() else None
