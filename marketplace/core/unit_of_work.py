"""One transaction per action.

A request, CLI command or job opens one `unit_of_work()`; the services it calls add and flush, never commit.
The unit commits once at the end, or rolls everything back when anything raises, so several services can be
combined into one all-or-nothing action (a checkout takes stock, writes orders and audit rows together).

What must not happen for an action that was rolled back — an email, a file removed from storage — is
registered with `after_commit()` and runs only once the commit has succeeded.
"""

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from marketplace.core.database import SQLITE_BEGIN_IMMEDIATE
from marketplace.extensions import db

log = logging.getLogger(__name__)

_PENDING_KEY = "after_commit_pending"
_READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class WriteOnSafeRequest(RuntimeError):
    """A GET (or HEAD) tried to commit: reading a page must never change anything."""


def after_commit(callback: Callable[[], object]) -> None:
    """Run `callback` after the current transaction commits; forget it if the transaction rolls back."""
    db.session.info.setdefault(_PENDING_KEY, []).append(callback)


def _take_pending(session) -> list[Callable[[], object]]:
    return session.info.pop(_PENDING_KEY, [])


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Commit what the block did, once, or roll all of it back; then run the after-commit callbacks."""
    session = db.session()  # the request's own session behind the scoped proxy
    _begin_writing(session)
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise
    for callback in _take_pending(session):
        try:
            callback()
        except Exception:  # the change is committed; a failed email must not turn it into an error page
            log.exception("after-commit callback %r failed", callback)


def _begin_writing(session) -> None:
    """On SQLite, a unit starts its own transaction with the write lock (see `core.database`); what the view read
    before is read again inside it. PostgreSQL needs nothing: its row locks and constraints do the work."""
    if session.get_bind().dialect.name != "sqlite":
        return
    if session.info.get(_WROTE_KEY) or session.new or session.dirty or session.deleted:
        return  # this transaction already wrote (a test's own setup): carry on in it rather than lose it
    if session.in_transaction():
        session.rollback()
    session.connection(execution_options=SQLITE_BEGIN_IMMEDIATE)


@contextmanager
def refused_by_database(make_error: Callable[[], Exception]) -> Iterator[None]:
    """Run the block in a savepoint: when the database refuses it (a unique key taken by a concurrent
    request), the block alone is undone and `make_error()` is raised, while the outer transaction lives on."""
    session = db.session
    session.flush()  # earlier work is not part of what may be refused
    try:
        with session.begin_nested():
            yield
    except IntegrityError:
        raise make_error() from None


_WROTE_KEY = "wrote_in_transaction"


@event.listens_for(Session, "after_soft_rollback")
def _forget_work_rolled_back(session, previous_transaction) -> None:
    if not previous_transaction.nested:
        session.info.pop(_PENDING_KEY, None)
        session.info.pop(_WROTE_KEY, None)


@event.listens_for(Session, "after_flush")
def _remember_a_write(session, flush_context) -> None:
    session.info[_WROTE_KEY] = True


@event.listens_for(Session, "after_commit")
def _forget_the_write_once_committed(session) -> None:
    session.info.pop(_WROTE_KEY, None)  # a flush during the commit itself (the search index) is committed too


def end_reading_with_commit(app) -> None:
    """Register `end_reading`; after Flask-SQLAlchemy, so that it runs before the session is removed."""
    app.teardown_appcontext(end_reading)


def end_reading(exception: BaseException | None = None) -> None:
    """A request whose transaction only read ends it with COMMIT instead of the ROLLBACK that closing the session
    sends. For a transaction that wrote nothing the two are the same to the database, but psycopg forgets every
    prepared statement of its connection on a ROLLBACK (one may have undone the DDL they depend on), and prepares a
    statement only after five runs: ended by a rollback, no request's statements were ever prepared, and
    PostgreSQL parsed and planned every statement of every page afresh. Anything written, pending or raised still
    ends in a rollback."""
    if exception is not None or not db.session.registry.has():
        return
    session = db.session()
    if (not session.in_transaction() or session.info.get(_WROTE_KEY) or session.info.get(_PENDING_KEY)
            or session.new or session.dirty or session.deleted):
        return
    try:
        session.commit()
    except Exception:  # the connection failed: closing the session rolls back, as it always did
        log.exception("ending a read-only transaction failed")


@event.listens_for(Session, "before_commit")
def _refuse_commit_on_safe_request(session) -> None:
    wrote = session.info.pop(_WROTE_KEY, False) or session.new or session.dirty or session.deleted
    if wrote and has_request_context() and request.method in _READ_ONLY_METHODS:
        raise WriteOnSafeRequest(f"{request.method} {request.path} tried to write; a GET never writes")
