"""Indexes for search, the directories and the header of signed-in pages: facets covered (SQLite), cooperative names (trigrams on PostgreSQL), products by times ordered, members with an account

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06 06:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None

# Copied, so the revision never changes meaning with the application.
FACET_INDEX_COLUMNS = ("product_id", "parent_category_id", "province_code", "regency_code", "cooperative_type",
                       "availability", "in_stock", "category_id", "halal_until", "pirt_until", "bpom_md_until",
                       "sni_until", "is_pesantren", "opop_participant", "local_content", "base_price")


def upgrade():
    op.drop_index('ix_members_user_id', table_name='members')
    op.create_index('ix_members_user_id', 'members', ['user_id'], unique=False,
                    sqlite_where=sa.text('user_id IS NOT NULL'), postgresql_where=sa.text('user_id IS NOT NULL'))
    with op.batch_alter_table('cooperatives', schema=None) as batch_op:
        batch_op.create_index('ix_cooperatives_status_name', ['status', 'name'], unique=False)
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.create_index('ix_products_most_ordered', ['order_count', 'id'], unique=False)
    connection = op.get_bind()
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        connection.execute(sa.text("CREATE INDEX IF NOT EXISTS cooperatives_name_trigram "
                                   "ON cooperatives USING gin (name gin_trgm_ops)"))
    else:
        connection.execute(sa.text(f"CREATE INDEX IF NOT EXISTS search_entries_facets "
                                   f"ON search_entries ({', '.join(FACET_INDEX_COLUMNS)})"))


def downgrade():
    op.drop_index('ix_members_user_id', table_name='members')
    op.create_index('ix_members_user_id', 'members', ['user_id'], unique=False)
    with op.batch_alter_table('cooperatives', schema=None) as batch_op:
        batch_op.drop_index('ix_cooperatives_status_name')
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_index('ix_products_most_ordered')
    connection = op.get_bind()
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("DROP INDEX IF EXISTS cooperatives_name_trigram"))
    else:
        connection.execute(sa.text("DROP INDEX IF EXISTS search_entries_facets"))
