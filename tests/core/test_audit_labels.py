from marketplace.accounts.models import AccountAudit
from marketplace.catalog.models import CatalogAudit
from marketplace.cooperatives.models import CooperativeAudit
from marketplace.core.audit import SYSTEM, AuditEvent, audit_action_choices, record_audit
from marketplace.extensions import db
from marketplace.ledger.models import LedgerAudit
from marketplace.ordering.models import OrderAudit
from marketplace.payments.models import PaymentAudit
from marketplace.procurement.models import ProcurementAudit


def test_every_domains_audit_actions_read_as_words_for_an_inspector(app):
    registered = dict(audit_action_choices())
    every_domain = (AccountAudit, CooperativeAudit, CatalogAudit, OrderAudit, LedgerAudit, PaymentAudit,
                    ProcurementAudit)
    for actions in every_domain:
        assert {action.value for action in actions} <= set(registered)
    assert len(registered) == sum(len(actions) for actions in every_domain)
    with app.test_request_context():
        assert AuditEvent(action="cooperative.status_changed").label == "Status verifikasi berubah"
        assert AuditEvent(action="something.else").label == "something.else"


def test_work_done_by_no_person_is_recorded_as_the_system(app):
    event = record_audit(AccountAudit.USER_DEACTIVATED, actor=SYSTEM)
    anonymous = record_audit(AccountAudit.USER_LOGIN_FAILED)
    db.session.flush()
    with app.test_request_context():
        assert (event.actor_id, event.by_system, event.actor_name) == (None, True, "Sistem")
        assert (anonymous.by_system, anonymous.actor_name) == (False, "—")
