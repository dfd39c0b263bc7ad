"""What the header offers a person, decided once per page in one small query."""

from dataclasses import dataclass

from marketplace.cooperatives.services.staff import connections_of


@dataclass(frozen=True)
class Navigation:
    staff_of_a_cooperative: bool = False
    linked_member: bool = False


def navigation_for(user) -> Navigation:
    if not user.is_authenticated or user.is_admin:
        return Navigation()
    is_staff, is_member = connections_of(user)
    return Navigation(staff_of_a_cooperative=is_staff, linked_member=is_member)
