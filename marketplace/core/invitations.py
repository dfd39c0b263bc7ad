"""Signed invitation links, shared by every place that invites a person by email (cooperative staff, agency
officers). The link names the invitation and the address it went to, expires after two weeks, and opens only an
invitation that is still open: accepted or withdrawn ones are refused, so a forwarded old link grants nothing."""

from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from marketplace.core.errors import DomainError, NotPermitted
from marketplace.core.i18n import gettext as _
from marketplace.extensions import db

INVITATION_MAX_AGE = 14 * 24 * 60 * 60
INVITATION_VALID_DAYS = INVITATION_MAX_AGE // 86400


class InvalidInvitation(DomainError):
    pass


class EmailInvitation(Protocol):
    id: int
    email: str

    @property
    def is_open(self) -> bool: ...


InvitationT = TypeVar("InvitationT", bound=EmailInvitation)


class InvitationLinks(Generic[InvitationT]):
    """One kind of invitation: its own salt keeps a staff link from ever opening an officer invitation."""

    def __init__(self, model: type[InvitationT], *, salt: str, expired_message: Callable[[], str]):
        self.model = model
        self.salt = salt
        self.expired_message = expired_message

    def _serializer(self) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=self.salt)

    def token(self, invitation: InvitationT) -> str:
        return self._serializer().dumps({"invitation": invitation.id, "email": invitation.email})

    def open_invitation(self, token: str) -> InvitationT:
        try:
            payload = self._serializer().loads(token, max_age=INVITATION_MAX_AGE)
        except SignatureExpired:
            raise InvalidInvitation(self.expired_message()) from None
        except BadSignature:
            raise InvalidInvitation(_("This invitation link is not valid.")) from None
        invitation = db.session.get(self.model, payload.get("invitation")) if isinstance(payload, dict) else None
        if invitation is None or not invitation.is_open:
            raise InvalidInvitation(_("This invitation has already been used or was withdrawn."))
        return invitation


def require_invited_address(signed_in_email: str, invitation: EmailInvitation) -> None:
    """Only the person the invitation went to accepts it; both addresses arrive normalised."""
    if signed_in_email != invitation.email:
        raise NotPermitted(_("This invitation was sent to %(email)s. Sign in with that address to accept it.",
                             email=invitation.email), code="invitation_for_another_email")
