"""Queries behind the operator screens."""

import sqlalchemy as sa

from marketplace.cooperatives.models import Cooperative, CooperativeStatus
from marketplace.core.audit import AuditEvent
from marketplace.core.errors import NotFound
from marketplace.core.i18n import gettext as _
from marketplace.core.mail import OutgoingMail
from marketplace.extensions import db


def verification_queue_query(status: str | None) -> sa.Select:
    """Cooperatives by status, the longest-waiting first; all of them when no status is given."""
    query = sa.select(Cooperative)
    if status in {item.value for item in CooperativeStatus}:
        query = query.where(Cooperative.status == status)
    return query.order_by(Cooperative.status_changed_at.asc(), Cooperative.id)


def cooperative_for_review(cooperative_id: int) -> Cooperative:
    """Any cooperative, whatever its status: platform administrators review them all."""
    cooperative = db.session.get(Cooperative, cooperative_id)
    if cooperative is None:
        raise NotFound(_("This cooperative does not exist."))
    return cooperative


def status_counts() -> dict[str, int]:
    rows = db.session.execute(sa.select(Cooperative.status, sa.func.count()).group_by(Cooperative.status))
    return {str(status): count for status, count in rows}


def audit_trail_of(cooperative: Cooperative, limit: int = 50) -> list[AuditEvent]:
    return list(db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.target_type == Cooperative.__tablename__,
                                    AuditEvent.target_id == str(cooperative.id))
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()).limit(limit)))


def audit_log_query(action: str | None = None) -> sa.Select:
    query = sa.select(AuditEvent)
    if action:
        query = query.where(AuditEvent.action == action)
    return query.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())


def waiting_mail_query() -> sa.Select:
    """Messages not delivered yet: those the mail server keeps refusing first, then the oldest."""
    return sa.select(OutgoingMail).order_by(OutgoingMail.attempts.desc(), OutgoingMail.queued_at, OutgoingMail.id)
