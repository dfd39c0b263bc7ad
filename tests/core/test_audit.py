from marketplace.accounts.models import AccountAudit
from marketplace.core.audit import AuditEvent, record_audit
from marketplace.extensions import db
from tests.factories import create_user


def test_an_audit_row_names_actor_target_and_details(app):
    actor = create_user(name="Rina")
    target = create_user(name="Budi")
    record_audit(AccountAudit.USER_DEACTIVATED, actor=actor, target=target, reason="spam")
    db.session.commit()
    event = db.session.scalar(db.select(AuditEvent))
    assert event.actor == actor
    assert (event.target_type, event.target_id) == ("users", str(target.id))
    assert event.details == {"reason": "spam"}
    assert event.occurred_at.tzinfo is not None


def test_an_audit_row_is_lost_with_the_change_it_records(app):
    user = create_user()
    user.active = False
    record_audit(AccountAudit.USER_DEACTIVATED, target=user)
    db.session.rollback()
    assert db.session.query(AuditEvent).count() == 0
    assert db.session.get(type(user), user.id).active is True
