"""The supplier directory from its indexes: each product's weekly capacity in the search index; the dormancy
test's columns and products on sale at the end of the directory's order indexes

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-07 17:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0033'
down_revision = '0032'
branch_labels = None
depends_on = None

# See SUPPLIER_INDEX_TAIL in the models.
INDEX_TAIL = ['legal_form', 'last_rat_book_year', 'founded_year', 'legal_decree_date', 'products_on_sale']


def _order_indexes(tail: list[str]) -> None:
    # Written as the models write them (see 0029).
    on_sale = sa.Grouping(sa.column('products_on_sale', sa.Integer) > sa.literal_column('0'))
    record = [on_sale.desc(), sa.desc(sa.column('completed_orders')), sa.desc(sa.column('on_time_orders')),
              'name', 'id']
    op.create_index('ix_cooperatives_supplier_order', 'cooperatives',
                    ['status', *record, *tail], unique=False)
    op.create_index('ix_cooperatives_province_supplier_order', 'cooperatives',
                    ['status', 'province_code', *record, *tail], unique=False)


def _drop_order_indexes() -> None:
    op.drop_index('ix_cooperatives_province_supplier_order', table_name='cooperatives')
    op.drop_index('ix_cooperatives_supplier_order', table_name='cooperatives')


def upgrade():
    op.add_column('search_entries', sa.Column('weekly_capacity', sa.Integer(), nullable=True))
    op.execute("UPDATE search_entries SET weekly_capacity = (SELECT weekly_capacity FROM products "
               "WHERE products.id = search_entries.product_id)")
    _drop_order_indexes()
    _order_indexes(INDEX_TAIL)
    op.execute('ANALYZE cooperatives')


def downgrade():
    _drop_order_indexes()
    _order_indexes([])
    # Not in a batch: copying the table on SQLite would reflect the cooperatives it refers to, whose expression
    # indexes SQLite cannot reflect. Both databases add and drop a column in place.
    op.drop_column('search_entries', 'weekly_capacity')
