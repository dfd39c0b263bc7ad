"""Column helpers the models share, JSON constructs for reading small collections and summaries with their parent,
and the connection settings SQLite needs to behave like a real database."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, QueryableAttribute, mapped_column

from marketplace.core.timeutil import UTCDateTime, utcnow


class StoredUpload:
    """The columns of a file someone uploaded that we keep in private storage (a scan, a proof, a photo)."""

    storage_key: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(64))
    original_filename: Mapped[str] = mapped_column(sa.String(255))
    size_bytes: Mapped[int]
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


def enum_column(enum_class, name: str) -> sa.Enum:
    """A string column holding a StrEnum's values (not a native enum type: adding a value needs no ALTER TYPE)."""
    return sa.Enum(enum_class, name=name, native_enum=False, length=24,
                   values_callable=lambda members: [member.value for member in members])


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, connection_record):
    if type(dbapi_connection).__module__.split(".")[0] != "sqlite3":
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")  # off by default in SQLite
    cursor.execute("PRAGMA busy_timeout = 5000")  # wait for a writer instead of failing at once
    cursor.execute("PRAGMA journal_mode = WAL")  # readers do not block the writer
    cursor.close()
    # pysqlite begins a transaction only before an INSERT or UPDATE, so a SAVEPOINT issued first would open (and
    # its RELEASE commit) the whole transaction. SQLAlchemy emits BEGIN itself instead (the documented recipe).
    dbapi_connection.isolation_level = None


SQLITE_BEGIN_IMMEDIATE = {"sqlite_begin": "IMMEDIATE"}


@event.listens_for(Engine, "begin")
def _begin_sqlite_transaction(connection):
    """`BEGIN IMMEDIATE` takes SQLite's one write lock at once, waiting (busy_timeout) for another writer to
    finish: units of work ask for it, so their reads and writes are serialised as PostgreSQL's row locks would
    keep them apart. Plain reads use `BEGIN` and never wait."""
    if connection.dialect.name != "sqlite":
        return
    options = connection.get_execution_options()
    if options.get("isolation_level") == "AUTOCOMMIT":
        return
    connection.exec_driver_sql("BEGIN IMMEDIATE" if options.get("sqlite_begin") == "IMMEDIATE" else "BEGIN")


class _named_json_values(sa.sql.functions.FunctionElement):
    """`name=column` pairs the JSON constructs below build their objects from; each construct says how its
    object is wrapped on PostgreSQL and on SQLite (`{}` is the object's arguments)."""

    type = sa.JSON()
    inherit_cache = True
    postgresql: str
    sqlite: str

    def __init__(self, **columns: sa.ColumnElement | QueryableAttribute):
        pairs = [element for name, column in columns.items() for element in (sa.literal_column(f"'{name}'"), column)]
        super().__init__(*pairs)


class json_rows(_named_json_values):
    """An aggregate: the rows of a (sub)query as one JSON array of objects, `[]` for none.

    `json_rows(name=column, ...)` in a correlated scalar subquery reads a parent's small collection in the
    parent's own statement instead of one statement per collection. Order is not kept: sort the parsed list.
    """

    inherit_cache = True
    postgresql = "coalesce(json_agg(json_build_object({})), '[]')"
    sqlite = "json_group_array(json_object({}))"


class json_object(_named_json_values):
    """One JSON object of named values. `json_object(name=aggregate, ...)` in a correlated scalar subquery reads a
    summary of each listed row's children (counts, a maximum) in the list's own statement; over no children, the
    aggregates' own values (a count 0, a maximum null)."""

    inherit_cache = True
    postgresql = "json_build_object({})"
    sqlite = "json_object({})"


def _json_object_arguments(element: _named_json_values, compiler, wrap_json_for_sqlite: bool, **kw) -> str:
    arguments = []
    for clause in element.clauses:
        text = compiler.process(clause, **kw)
        if wrap_json_for_sqlite and isinstance(clause.type, sa.JSON):
            text = f"json({text})"  # a JSON column is text to SQLite: nest it as an object, not as a string
        arguments.append(text)
    return ", ".join(arguments)


@compiles(json_rows, "postgresql")
@compiles(json_object, "postgresql")
def _named_json_values_postgresql(element, compiler, **kw) -> str:
    return element.postgresql.format(_json_object_arguments(element, compiler, False, **kw))


@compiles(json_rows)
@compiles(json_object)
def _named_json_values_sqlite(element, compiler, **kw) -> str:
    return element.sqlite.format(_json_object_arguments(element, compiler, True, **kw))
