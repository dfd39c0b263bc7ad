"""Column helpers the models share, and the connection settings SQLite needs to behave like a real database."""

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine


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
