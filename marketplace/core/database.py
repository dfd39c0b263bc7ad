"""Connection settings the embedded SQLite default needs to behave like a real database."""

from sqlalchemy import event
from sqlalchemy.engine import Engine


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, connection_record):
    if type(dbapi_connection).__module__.split(".")[0] != "sqlite3":
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")  # off by default in SQLite
    cursor.execute("PRAGMA busy_timeout = 5000")  # wait for a writer instead of failing at once
    cursor.execute("PRAGMA journal_mode = WAL")  # readers do not block the writer
    cursor.close()
