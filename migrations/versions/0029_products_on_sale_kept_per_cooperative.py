"""Products on sale kept per cooperative; the supplier directory's order and its dormancy test as indexes

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-06 23:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cooperatives', schema=None) as batch_op:
        batch_op.add_column(sa.Column('products_on_sale', sa.Integer(), server_default='0', nullable=False))
    op.execute("UPDATE cooperatives SET products_on_sale = (SELECT count(*) FROM products "
               "WHERE products.cooperative_id = cooperatives.id AND products.status = 'active')")
    # Written as the models write it, so each database gets the text SQLAlchemy gives it (SQLite cannot reflect
    # an index on an expression; the tests compare this one's text with the models').
    on_sale = sa.Grouping(sa.column('products_on_sale', sa.Integer) > sa.literal_column('0'))
    op.create_index('ix_cooperatives_supplier_order', 'cooperatives',
                    ['status', on_sale.desc(), sa.desc(sa.column('completed_orders')),
                     sa.desc(sa.column('on_time_orders')), 'name', 'id'], unique=False)
    op.create_index('ix_cooperatives_status_rat', 'cooperatives',
                    ['status', 'last_rat_book_year', 'legal_form', 'founded_year', 'legal_decree_date'], unique=False)


def downgrade():
    op.drop_index('ix_cooperatives_status_rat', table_name='cooperatives')
    op.drop_index('ix_cooperatives_supplier_order', table_name='cooperatives')
    with op.batch_alter_table('cooperatives', schema=None) as batch_op:
        batch_op.drop_column('products_on_sale')
