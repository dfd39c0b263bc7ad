"""Fixtures: one application per test session, a clean database for every test, users of each kind.

The suite runs on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set.
"""

import os

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from marketplace import create_app
from marketplace.accounts.models import AccountKind
from marketplace.config import TestingConfig
from marketplace.core.regions import load_regions
from marketplace.extensions import db, limiter
from marketplace.ledger.models import append_only_statements
from marketplace.procurement.services.rules import ensure_default_rules
from marketplace.search.services.backends import backend_for
from marketplace.search.services.columns import forget_facet_columns
from tests.factories import DEFAULT_PASSWORD, create_user
from tests.helpers import AuthActions


def pytest_report_header(config):
    return f"database: {os.environ.get('TEST_DATABASE_URL') or 'SQLite (temporary file)'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    return os.environ.get("TEST_DATABASE_URL") or (
        f"sqlite:///{tmp_path_factory.mktemp('database') / 'test.db'}"
    )


def make_config(database_url: str, **overrides) -> type:
    settings = {"SQLALCHEMY_DATABASE_URI": database_url, **overrides}
    return type("TestConfig", (TestingConfig,), settings)


class RequestLikeABrowserClient(FlaskClient):
    """Each request runs in its own application context, as in production.

    Without this, a request would reuse the test's context and its `g`, so the signed-in user and the
    chosen language of one request would leak into the next. The test's own work is committed first and its
    session expired afterwards, so the request reads what the test set up and the test reads what it wrote.
    """

    def open(self, *args, **kwargs):
        # What the test set up through services is one finished action before the browser asks for a page
        # (services flush, never commit), as it would be in production.
        db.session.commit()
        with self.application.app_context():
            response = super().open(*args, **kwargs)
            # A streamed body (CSV exports) is read while its request still runs, as a server would.
            response.was_streamed = response.is_streamed
            if response.is_streamed:
                response.make_sequence()
        db.session.expire_all()
        return response


@pytest.fixture(scope="session")
def session_app(database_url, tmp_path_factory):
    os.environ.setdefault("INSTANCE_PATH", str(tmp_path_factory.mktemp("instance")))
    app = create_app(make_config(database_url))
    app.test_client_class = RequestLikeABrowserClient
    with app.app_context():
        search_backend = backend_for(db.engine.dialect.name)
        if db.engine.dialect.name == "sqlite":
            with db.engine.begin() as connection:
                search_backend.drop_schema(connection)
        db.drop_all()
        db.create_all()
        with db.engine.begin() as connection:
            search_backend.drop_schema(connection)
            search_backend.ensure_schema(connection)
        load_regions()
        db.session.commit()
    yield app
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


REFERENCE_TABLES = {"regions"}
APPEND_ONLY_TABLES = ("journal_entries", "journal_lines")  # loaded once per session, like the migration does


def _empty_all_tables() -> None:
    tables = [table for table in db.metadata.sorted_tables if table.name not in REFERENCE_TABLES]
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{table.name}"' for table in tables)
        db.session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        # The journal refuses deletes (append-only): its triggers step aside while a test's rows are cleared.
        for name in APPEND_ONLY_TABLES:
            db.session.execute(sa.text(f"DROP TRIGGER IF EXISTS {name}_no_update"))
            db.session.execute(sa.text(f"DROP TRIGGER IF EXISTS {name}_no_delete"))
        # A reversal points at the entry it reverses, and SQLite checks RESTRICT row by row: reversals go first.
        db.session.execute(sa.text("DELETE FROM journal_lines"))
        db.session.execute(sa.text("DELETE FROM journal_entries WHERE reverses_id IS NOT NULL"))
        for table in reversed(tables):
            db.session.execute(table.delete())
        db.session.execute(sa.text("DELETE FROM product_search_fts"))
        for name in APPEND_ONLY_TABLES:
            for statement in append_only_statements("sqlite", name):
                db.session.execute(sa.text(statement))
    db.session.commit()


@pytest.fixture
def app(session_app):
    settings = dict(session_app.config)  # a test may change settings; the next one starts from these
    caches = {name: session_app.extensions[name] for name in ("page_cache", "data_cache")}  # …and caches
    with session_app.app_context():
        ensure_default_rules()  # the law as migration 0020 loads it; each test may add values of its own
        db.session.commit()
        yield session_app
        db.session.rollback()
        _empty_all_tables()
        db.session.remove()
    session_app.config.clear()
    session_app.config.update(settings)
    session_app.extensions.update(caches)
    for cache in caches.values():
        cache.clear()
    forget_facet_columns(session_app)  # the tables were emptied behind the search index's back
    session_app.extensions["mail_outbox"] = []
    limiter.reset()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def outbox(app):
    app.extensions["mail_outbox"] = []
    return app.extensions["mail_outbox"]


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def buyer(app):
    return create_user(kind=AccountKind.BUYER, email="pembeli@contoh.id", name="Budi Santoso")


@pytest.fixture
def cooperative_staff(app):
    return create_user(kind=AccountKind.COOPERATIVE_STAFF, email="pengurus@koperasi.id",
                       name="Sri Lestari")


@pytest.fixture
def officer(app):
    return create_user(kind=AccountKind.GOVERNMENT_OFFICER, email="pengadaan@kota.go.id",
                       name="Ahmad Fauzi")


@pytest.fixture
def admin(app):
    return create_user(kind=AccountKind.ADMIN, email="admin@pasarkoperasi.id",
                       name="Rina Kusumawardani")


@pytest.fixture
def password() -> str:
    return DEFAULT_PASSWORD
