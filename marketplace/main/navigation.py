"""What the header offers a person, decided once per page in one small query."""

from dataclasses import dataclass

import sqlalchemy as sa

from marketplace.cooperatives.models import Member, StaffMembership
from marketplace.extensions import db


@dataclass(frozen=True)
class Navigation:
    staff_of_a_cooperative: bool = False
    linked_member: bool = False


def navigation_for(user) -> Navigation:
    if not user.is_authenticated or user.is_admin:
        return Navigation()
    staff = sa.exists().where(StaffMembership.user_id == user.id)
    member = sa.exists().where(Member.user_id == user.id)
    row = db.session.execute(sa.select(staff, member)).one()
    return Navigation(staff_of_a_cooperative=row[0], linked_member=row[1])
