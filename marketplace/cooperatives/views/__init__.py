"""The cooperatives blueprint's routes: public pages, the staff's management pages, members, invitations."""

from marketplace.cooperatives.views import invitations, manage, members, public  # noqa: F401
