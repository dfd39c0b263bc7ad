"""On PostgreSQL, keep the search words in search_entries itself (no join when searching)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 13:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    connection = op.get_bind()
    if connection.dialect.name != "postgresql":
        return  # SQLite keeps its FTS5 table
    # The layout as this revision made it (copied, so the revision never changes meaning with the application).
    connection.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    connection.execute(sa.text("ALTER TABLE search_entries ADD COLUMN IF NOT EXISTS search_name text, "
                               "ADD COLUMN IF NOT EXISTS search_document tsvector"))
    connection.execute(sa.text("CREATE INDEX IF NOT EXISTS search_entries_document "
                               "ON search_entries USING gin (search_document)"))
    connection.execute(sa.text("CREATE INDEX IF NOT EXISTS search_entries_name_trigram "
                               "ON search_entries USING gin (search_name gin_trgm_ops)"))
    old_table = connection.execute(sa.text("SELECT to_regclass('product_search_text')")).scalar()
    if old_table:
        connection.execute(sa.text(
            "UPDATE search_entries AS entry SET search_name = old.name, search_document = old.document "
            "FROM product_search_text AS old WHERE old.product_id = entry.product_id"))
        connection.execute(sa.text("DROP TABLE product_search_text"))


def downgrade():
    connection = op.get_bind()
    if connection.dialect.name != "postgresql":
        return
    connection.execute(sa.text(
        "CREATE TABLE IF NOT EXISTS product_search_text (product_id integer PRIMARY KEY, name text NOT NULL, "
        "document tsvector NOT NULL)"))
    connection.execute(sa.text(
        "INSERT INTO product_search_text (product_id, name, document) SELECT product_id, search_name, "
        "search_document FROM search_entries WHERE search_document IS NOT NULL ON CONFLICT DO NOTHING"))
    connection.execute(sa.text("CREATE INDEX IF NOT EXISTS product_search_text_document "
                               "ON product_search_text USING gin (document)"))
    connection.execute(sa.text("CREATE INDEX IF NOT EXISTS product_search_text_name_trigram "
                               "ON product_search_text USING gin (name gin_trgm_ops)"))
    connection.execute(sa.text("ALTER TABLE search_entries DROP COLUMN IF EXISTS search_name, "
                               "DROP COLUMN IF EXISTS search_document"))
