"""`flask db upgrade` from an empty database must give exactly the models, on SQLite and PostgreSQL."""

import warnings
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy.schema import CreateIndex

from marketplace import create_app
from marketplace.core.migrations import include_in_migrations
from marketplace.extensions import db
from tests.conftest import make_config


@pytest.fixture
def empty_database_url(database_url, tmp_path):
    url = sa.make_url(database_url)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    name = f"{url.database}_migrations"
    server = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with server.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    server.dispose()


def pending_operations(app) -> list:
    with db.engine.connect() as connection, warnings.catch_warnings():
        # SQLite's indexes on expressions cannot be reflected, so Alembic skips them (with a warning):
        # test_indexes_on_expressions_are_the_models_own compares those.
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index")
        warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression-based index")
        context = MigrationContext.configure(connection, opts={"compare_type": True,
                                                               "include_name": include_in_migrations})
        return compare_metadata(context, db.metadata)


def test_upgrade_from_empty_equals_the_models(empty_database_url):
    app = create_app(make_config(empty_database_url))
    with app.app_context():
        upgrade()
        assert pending_operations(app) == []
        db.engine.dispose()


def test_every_revision_downgrades_and_upgrades_again(empty_database_url):
    app = create_app(make_config(empty_database_url))
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert pending_operations(app) == []
        db.engine.dispose()


def indexes_on_expressions() -> list[sa.Index]:
    return [index for table in db.metadata.tables.values() for index in table.indexes
            if any(not isinstance(element, sa.Column) for element in index.expressions)]


def test_indexes_on_expressions_are_the_models_own(empty_database_url):
    app = create_app(make_config(empty_database_url))
    with app.app_context():
        upgrade()
        assert indexes_on_expressions(), "nothing to check: drop this test or the filter in pending_operations"
        with db.engine.connect() as connection:
            for index in indexes_on_expressions():
                if connection.dialect.name == "sqlite":
                    made = connection.execute(sa.text("SELECT sql FROM sqlite_master WHERE name = :name"),
                                              {"name": index.name}).scalar()
                    assert made == str(CreateIndex(index).compile(dialect=connection.dialect)).strip()
                else:  # Alembic compares them on PostgreSQL; here only that they were made
                    assert index.name in {found["name"] for found in
                                          sa.inspect(connection).get_indexes(index.table.name)}
        db.engine.dispose()


def test_cooperative_names_stay_in_their_trigram_table_after_upgrade(empty_database_url):
    """The table is kept by triggers on `cooperatives`: a revision that rebuilds that table (SQLite's batch mode)
    drops them, and must make them again."""
    if not empty_database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL reads cooperative names through a trigram index")
    app = create_app(make_config(empty_database_url))
    with app.app_context():
        upgrade()
    with app.app_context(), db.engine.begin() as connection, warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index")
        insert_row(connection, "cooperatives", id=7, name="Koperasi Batik Laweyan", slug="laweyan",
                   province_code="33", regency_code="33.14")
        connection.execute(sa.text("UPDATE cooperatives SET name = 'Koperasi Wastra Laweyan' WHERE id = 7"))
        named = lambda word: connection.execute(sa.text(  # noqa: E731
            "SELECT rowid FROM cooperative_names_fts WHERE name LIKE :word"), {"word": f"%{word}%"}).scalars().all()
        assert (named("batik"), named("wastra")) == ([], [7])
        connection.execute(sa.text("DELETE FROM cooperatives WHERE id = 7"))
        assert named("wastra") == []
    with app.app_context():
        db.engine.dispose()


def insert_row(connection, table_name: str, **values) -> None:
    """A row with the given values, and plain ones for every other required column of the table as it is."""
    table = sa.Table(table_name, sa.MetaData(), autoload_with=connection)
    for column in table.columns:
        if column.name in values or column.nullable or column.server_default is not None:
            continue
        python_type = column.type.python_type
        values[column.name] = {bool: False, int: 1, str: "x", date: date(2026, 1, 1),
                               datetime: datetime(2026, 1, 1, tzinfo=UTC)}.get(python_type, "x")
    connection.execute(table.insert().values(**values))


def test_upgrading_keeps_the_rows_of_tables_it_rebuilds(empty_database_url):
    """SQLite rebuilds a table to change a foreign key: its rows, and the rows of tables pointing at it, stay."""
    app = create_app(make_config(empty_database_url))
    with app.app_context():
        upgrade(revision="0006")
        with db.engine.begin() as connection:
            insert_row(connection, "categories", id=900, slug="uji")
            insert_row(connection, "cooperatives", id=1, slug="tunas", province_code="33", regency_code="33.14",
                       name="Koperasi Produsen Tunas Sukowati Jaya",
                       cooperative_type="produsen", npwp="912345670527000", last_rat_on=date(2026, 3, 14))
            insert_row(connection, "cooperatives", id=2, slug="up2k", province_code="35", regency_code="35.09",
                       name="UP2K",
                       cooperative_type="pra_koperasi")
            insert_row(connection, "members", id=1, cooperative_id=1, full_name="Suparmi")
            insert_row(connection, "members", id=2, cooperative_id=1, full_name="Joko", member_number="A-2",
                       status="left", left_on=date(2024, 1, 1), public_name_consent=True)
            insert_row(connection, "users", id=1, email="sri@contoh.id", kind="cooperative_staff",
                       preferred_locale="id")
            insert_row(connection, "staff_memberships", cooperative_id=1, user_id=1, role="owner")
            insert_row(connection, "products", id=1, cooperative_id=1, category_id=900, slug="tas", sku="T-1")
            insert_row(connection, "product_producers", product_id=1, member_id=1)
            insert_row(connection, "stock_lots", id=1, product_id=1, member_id=1, quantity_received=5,
                       quantity_remaining=5)
        upgrade()
        with db.engine.connect() as connection:
            def rows(sql):
                return [tuple(row) for row in connection.execute(sa.text(sql))]

            assert rows("SELECT full_name FROM members ORDER BY id") == [("Suparmi",), ("Joko",)]
            for table in ("products", "product_producers", "stock_lots"):
                assert connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar() == 1, table
            # What later revisions carried over: the 16-digit NPWP, the RAT as a row of its book year, the legal
            # form of a pre-cooperative group, the board role, a leaver's reason, a consent on record.
            assert rows("SELECT npwp, last_rat_book_year, legal_form FROM cooperatives ORDER BY id") == [
                ("0912345670527000", 2025, "koperasi"), (None, None, "pra_koperasi")]
            assert rows("SELECT cooperative_id, book_year FROM rat_meetings") == [(1, 2025)]
            assert rows("SELECT role FROM staff_memberships") == [("board",)]
            assert rows("SELECT leaving_reason FROM members WHERE id = 2") == [("resigned",)]
            assert rows("SELECT member_id, given FROM member_consent_changes") in ([(2, True)], [(2, 1)])
            # Cooperatives registered before ordering got their order letters.
            assert rows("SELECT order_prefix FROM cooperatives ORDER BY id") == [("TSJ",), ("UKO",)]
        db.engine.dispose()


def test_revisions_do_not_import_the_application():
    """A revision runs as written for ever: code it imported could change under it and change its meaning."""
    versions = Path(__file__).resolve().parents[1] / "migrations" / "versions"
    for revision in versions.glob("*.py"):
        text = revision.read_text()
        assert "from marketplace" not in text and "import marketplace" not in text, revision.name
