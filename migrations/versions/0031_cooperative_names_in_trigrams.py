"""Cooperative names in trigrams on SQLite (an FTS5 table kept by triggers), so a search finds the cooperatives whose name holds its words without scanning every name; PostgreSQL has its trigram index since 0027

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-07 05:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None

# Copied, so the revision never changes meaning with the application.
SCHEMA = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS cooperative_names_fts USING fts5("
    "name, content='cooperatives', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER IF NOT EXISTS cooperative_names_fts_added AFTER INSERT ON cooperatives BEGIN "
    "INSERT INTO cooperative_names_fts(rowid, name) VALUES (new.id, new.name); END",
    "CREATE TRIGGER IF NOT EXISTS cooperative_names_fts_removed AFTER DELETE ON cooperatives BEGIN "
    "INSERT INTO cooperative_names_fts(cooperative_names_fts, rowid, name) VALUES ('delete', old.id, old.name); END",
    "CREATE TRIGGER IF NOT EXISTS cooperative_names_fts_renamed AFTER UPDATE OF name ON cooperatives BEGIN "
    "INSERT INTO cooperative_names_fts(cooperative_names_fts, rowid, name) VALUES ('delete', old.id, old.name); "
    "INSERT INTO cooperative_names_fts(rowid, name) VALUES (new.id, new.name); END",
    "INSERT INTO cooperative_names_fts(cooperative_names_fts) VALUES ('rebuild')",
)
DROP = ("DROP TRIGGER IF EXISTS cooperative_names_fts_added", "DROP TRIGGER IF EXISTS cooperative_names_fts_removed",
        "DROP TRIGGER IF EXISTS cooperative_names_fts_renamed", "DROP TABLE IF EXISTS cooperative_names_fts")


def upgrade():
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        for statement in SCHEMA:
            connection.execute(sa.text(statement))


def downgrade():
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        for statement in DROP:
            connection.execute(sa.text(statement))
