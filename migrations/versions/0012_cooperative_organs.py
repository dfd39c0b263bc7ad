"""A cooperative's organs: the staff roles owner and admin become board (pengurus) and manager (pengelola); a
supervisor (pengawas) role is added. Existing memberships and open invitations are carried over.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-24 19:05:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

RENAMED = (("owner", "board"), ("admin", "manager"))


def upgrade():
    for table in ("staff_memberships", "invitations"):
        for old, new in RENAMED:
            op.execute(f"UPDATE {table} SET role = '{new}' WHERE role = '{old}'")


def downgrade():
    for table in ("staff_memberships", "invitations"):
        op.execute(f"UPDATE {table} SET role = 'staff' WHERE role = 'supervisor'")
        for old, new in RENAMED:
            op.execute(f"UPDATE {table} SET role = '{old}' WHERE role = '{new}'")
