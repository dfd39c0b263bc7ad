"""One transaction per action: services combine into one all-or-nothing unit; side effects wait for the commit."""

from datetime import date

import pytest
import sqlalchemy as sa

from marketplace.catalog.models import PriceChange, Product
from marketplace.catalog.services import stock
from marketplace.catalog.services.products import create_product
from marketplace.core.audit import AuditEvent
from marketplace.core.errors import Conflict, DomainError
from marketplace.core.mail import send_mail_after_commit
from marketplace.core.unit_of_work import WriteOnSafeRequest, after_commit, refused_by_database, unit_of_work
from marketplace.extensions import db
from marketplace.sourcing.models import Shortlist
from marketplace.sourcing.services.shortlists import create_shortlist
from tests.factories import create_cooperative, create_user, owner_of, product_details


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_a_service_failing_after_another_succeeded_leaves_nothing_behind(app):
    cooperative = create_cooperative()
    owner = owner_of(cooperative)
    audit_rows_before = count(AuditEvent)
    with pytest.raises(DomainError), unit_of_work():
        product = create_product(owner, cooperative, product_details(name="Tas anyaman pandan"))
        assert product.id is not None  # the first service flushed its rows
        stock.receive_stock(owner, product, member_id=999_999, quantity=5, received_on=date(2026, 11, 1))
    assert count(Product) == 0 and count(PriceChange) == 0
    assert count(AuditEvent) == audit_rows_before


def test_the_unit_commits_everything_its_services_did_once(app):
    cooperative = create_cooperative()
    with unit_of_work():
        create_product(owner_of(cooperative), cooperative, product_details(sku="TAS-1"))
        create_product(owner_of(cooperative), cooperative, product_details(sku="TAS-2"))
    db.session.rollback()  # nothing left uncommitted to lose
    assert count(Product) == 2


def test_mail_and_other_after_commit_work_waits_for_the_commit_and_is_dropped_on_rollback(app, outbox):
    user = create_user(email="ana@contoh.id", name="Ana")
    ran = []
    with pytest.raises(RuntimeError), app.test_request_context(method="POST"), unit_of_work():
        send_mail_after_commit(user.email, "password_reset", user=user, reset_url="http://x/r/1", valid_minutes=60)
        after_commit(lambda: ran.append("rolled back"))
        raise RuntimeError("a later step failed")
    assert outbox == [] and ran == []
    with app.test_request_context(method="POST"), unit_of_work():
        send_mail_after_commit(user.email, "password_reset", user=user, reset_url="http://x/r/1", valid_minutes=60)
        after_commit(lambda: ran.append("committed"))
        assert outbox == []  # not before the commit
    assert [message["To"] for message in outbox] == ["ana@contoh.id"] and ran == ["committed"]


def test_a_failing_after_commit_callback_does_not_undo_the_committed_action(app):
    def broken():
        raise OSError("mail server down")

    with unit_of_work():
        create_shortlist(create_user(), "Seragam")
        after_commit(broken)
    assert count(Shortlist) == 1


def test_a_refusal_by_the_database_undoes_only_its_own_block(app):
    buyer = create_user()
    with unit_of_work():
        create_shortlist(buyer, "Parsel")
        with pytest.raises(Conflict):
            create_shortlist(buyer, "Parsel")  # the unique (owner, name) key, refused inside a savepoint
        create_shortlist(buyer, "Seragam")
    assert sorted(db.session.scalars(sa.select(Shortlist.name))) == ["Parsel", "Seragam"]


def test_refused_by_database_turns_the_integrity_error_into_the_given_error(app):
    buyer = create_user()
    db.session.add(Shortlist(owner_id=buyer.id, name="Sama"))
    db.session.flush()
    with pytest.raises(Conflict, match="taken"), refused_by_database(lambda: Conflict("taken")):
        db.session.add(Shortlist(owner_id=buyer.id, name="Sama"))


def test_a_get_request_never_writes(app):
    buyer = create_user()
    with app.test_request_context("/admin/categories", method="GET"), pytest.raises(WriteOnSafeRequest), \
            unit_of_work():
        create_shortlist(buyer, "Ditulis saat GET")
    assert count(Shortlist) == 0


@pytest.fixture
def transaction_ends(app):
    """How each transaction on the engine ended: "commit" or "rollback"."""
    endings = []
    listeners = {"commit": lambda connection: endings.append("commit"),
                 "rollback": lambda connection: endings.append("rollback")}
    for name, listener in listeners.items():
        sa.event.listen(db.engine, name, listener)
    yield endings
    for name, listener in listeners.items():
        sa.event.remove(db.engine, name, listener)


def test_a_request_that_only_read_ends_its_transaction_with_a_commit(app, transaction_ends):
    from marketplace.core.unit_of_work import end_reading

    create_user()
    transaction_ends.clear()  # the setup's own commit
    with app.test_request_context("/", method="GET"):
        assert db.session.scalar(sa.select(sa.func.count(Shortlist.id))) == 0
        end_reading(None)
    assert transaction_ends == ["commit"]


def test_a_request_that_wrote_pended_or_raised_still_ends_in_a_rollback(app, transaction_ends):
    from marketplace.core.unit_of_work import end_reading

    buyer = create_user()
    transaction_ends.clear()
    with app.test_request_context("/", method="GET"):  # flushed outside a unit of work: never committed
        db.session.add(Shortlist(owner_id=buyer.id, name="Tanpa unit"))
        db.session.flush()
        end_reading(None)
        db.session.remove()
    with app.test_request_context("/", method="GET"):
        db.session.add(Shortlist(owner_id=buyer.id, name="Belum dikirim"))
        end_reading(None)
        db.session.remove()
    with app.test_request_context("/", method="GET"):
        db.session.scalar(sa.select(Shortlist.id))
        end_reading(RuntimeError("the view failed"))
        db.session.remove()
    assert "commit" not in transaction_ends
    assert count(Shortlist) == 0


def test_postgresql_prepares_the_statements_pages_repeat(app):
    """Ended by a rollback, psycopg forgot its prepared statements after every request: none was ever prepared."""
    from marketplace.core.unit_of_work import end_reading

    if db.engine.dialect.name != "postgresql":
        pytest.skip("statements are prepared by psycopg on PostgreSQL")
    statement = sa.text("SELECT count(*) FROM shortlists WHERE name <> 'prepared-statement-probe'")
    prepared = []
    for _ in range(6 * 16):  # psycopg prepares on a connection's sixth run; the pool hands out up to 15 in turn
        with app.test_request_context("/", method="GET"):
            db.session.scalar(statement)
            prepared = db.session.scalars(sa.text("SELECT statement FROM pg_prepared_statements")).all()
            end_reading(None)
            db.session.remove()
    assert any("prepared-statement-probe" in text for text in prepared)
