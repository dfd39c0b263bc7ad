import hashlib
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.core.audit import register_audit_actions
from marketplace.core.i18n import lazy_gettext as _l
from marketplace.core.labelled_enum import LabelledEnum
from marketplace.core.timeutil import UTCDateTime, utcnow
from marketplace.extensions import db


class AccountKind(LabelledEnum):
    """What a person came to do here; memberships (cooperative staff, agency officer) add the scope."""

    ADMIN = "admin", _l("Platform administrator")
    COOPERATIVE_STAFF = "cooperative_staff", _l("Cooperative staff")
    BUYER = "buyer", _l("Retail or business buyer")
    GOVERNMENT_OFFICER = "government_officer", _l("Government procurement officer")


# People choose their own kind when they register; administrators are only made from the command line.
SELF_REGISTERED_KINDS = (
    AccountKind.BUYER,
    AccountKind.COOPERATIVE_STAFF,
    AccountKind.GOVERNMENT_OFFICER,
)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased (the check constraint holds everyone to it) so uniqueness ignores case.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    phone: Mapped[str | None] = mapped_column(sa.String(32))
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    kind: Mapped[AccountKind] = mapped_column(
        sa.Enum(AccountKind, name="account_kind", native_enum=False, length=32,
                values_callable=lambda kinds: [kind.value for kind in kinds]),
        index=True,
    )
    preferred_locale: Mapped[str] = mapped_column(sa.String(8), default="id")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Set when the person opened the link sent to their address: only then may they register a cooperative
    # (and, later, order).
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        sa.CheckConstraint("email = lower(email)", name="email_lowercase"),
        sa.CheckConstraint("preferred_locale in ('id', 'en')", name="known_locale"),
    )

    # The sign-in session this request came with (not stored on the user's row): set when a person signs in,
    # and by the loader on each request.
    # A type comment, not an annotation: the ORM would take an annotated attribute for a column.
    sign_in_token = None  # type: str | None
    loaded_with = None  # type: dict | None  # columns read with the person (`services.user_for_session`)

    def get_id(self) -> str:
        # What the session cookie (and a "remember me" cookie) carries: the account, a fingerprint of the
        # password it was opened with (changing the password ends every other session), and the sign-in
        # session, which signing out ends on the server.
        return f"{self.id}.{self.session_fingerprint}.{self.sign_in_token or ''}"

    @property
    def session_fingerprint(self) -> str:
        return hashlib.sha256(self.password_hash.encode()).hexdigest()[:12]

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.kind == AccountKind.ADMIN

    def has_kind(self, *kinds: AccountKind) -> bool:
        return self.kind in kinds

    def __repr__(self) -> str:
        return f"<User {self.email} {self.kind}>"


class SignInSession(db.Model):
    """One signed-in browser. Signing out ends it here, on the server: a copied session or "remember me" cookie
    stops working at once. Only a hash of its token is kept, so the table gives no one a way in."""

    __tablename__ = "sign_in_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @staticmethod
    def hash_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()


@register_audit_actions
class AccountAudit(LabelledEnum):
    """What the audit log records of accounts."""

    USER_REGISTERED = "user.registered", _l("Account registered")
    USER_LOGGED_IN = "user.logged_in", _l("Signed in")
    USER_LOGGED_OUT = "user.logged_out", _l("Signed out")
    USER_SIGNED_OUT_EVERYWHERE = "user.signed_out_everywhere", _l("Signed out on every device")
    USER_LOGIN_FAILED = "user.login_failed", _l("Failed sign-in")
    USER_PASSWORD_CHANGED = "user.password_changed", _l("Password changed")
    USER_PASSWORD_RESET_REQUESTED = "user.password_reset_requested", _l("Password reset asked for")
    USER_PASSWORD_RESET = "user.password_reset", _l("Password reset")
    USER_PROFILE_UPDATED = "user.profile_updated", _l("Profile updated")
    USER_EMAIL_VERIFIED = "user.email_verified", _l("Email address confirmed")
    USER_CREATED_BY_CLI = "user.created_by_cli", _l("Account created by the operator")
    USER_DEACTIVATED = "user.deactivated", _l("Account deactivated")
