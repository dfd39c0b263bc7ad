from marketplace.core.audit import AUDIT_ACTION_LABELS, AuditAction, AuditEvent


def test_every_audit_action_reads_as_words_for_an_inspector(app):
    assert set(AUDIT_ACTION_LABELS) == set(AuditAction)
    with app.test_request_context():
        assert AuditEvent(action="cooperative.status_changed").label == "Status verifikasi berubah"
        assert AuditEvent(action="something.else").label == "something.else"
