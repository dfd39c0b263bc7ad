"""Accounts: registration, sign-in, passwords. Each function states the rule it enforces."""

import hmac
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from functools import lru_cache
from typing import cast

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from werkzeug.security import check_password_hash, generate_password_hash

from marketplace.accounts.models import SELF_REGISTERED_KINDS, AccountAudit, AccountKind, SignInSession, User
from marketplace.core.audit import SYSTEM, record_audit
from marketplace.core.errors import Conflict, DomainError, NotPermitted
from marketplace.core.i18n import gettext as _
from marketplace.core.mail import send_mail_after_commit
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db

PASSWORD_RESET_SALT = "password-reset"
EMAIL_VERIFICATION_SALT = "email-verification"
EMAIL_VERIFICATION_MAX_AGE = 3 * 24 * 60 * 60

# The handful of passwords every list of leaked passwords starts with, plus this site's own words.
COMMON_PASSWORDS = frozenset(
    {
        "1234567890", "12345678910", "123456789a", "qwertyuiop", "password123", "passw0rd123",
        "iloveyou123", "bismillah123", "indonesia123", "koperasi123", "pasarkoperasi",
        "0123456789", "1111111111", "abcdefghij", "password12", "qwerty1234", "admin12345",
    }
)


class WeakPassword(DomainError):
    pass


class InvalidToken(DomainError):
    pass


def normalize_email(email: str) -> str:
    return email.strip().lower()


def password_problems(password: str, email: str | None = None) -> dict[str, str]:
    """Why a password would be refused, by code: too short, too common, or made from the person's own email."""
    problems = {}
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        problems["password_too_short"] = _("Use at least %(count)d characters.", count=minimum)
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(lowered)) <= 2:
        problems["password_too_common"] = _("This password is too easy to guess. Choose another.")
    if email:
        email = normalize_email(email)
        local_part = email.split("@", 1)[0]
        if lowered == email or (len(local_part) >= 4 and local_part in lowered):
            problems["password_contains_email"] = _("The password must not contain your email address.")
    return problems


def _check_password_allowed(password: str, email: str) -> None:
    problems = password_problems(password, email)
    if problems:
        raise WeakPassword(" ".join(problems.values()), code=next(iter(problems)))


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalize_email(email)))


def email_is_taken(email: str) -> bool:
    return find_user_by_email(email) is not None


def register_user(
    *,
    email: str,
    name: str,
    password: str,
    kind: AccountKind,
    phone: str | None = None,
    locale: str = "id",
) -> User:
    """Anyone may register as a buyer, cooperative staff or government officer — never as an admin."""
    if kind not in SELF_REGISTERED_KINDS:
        raise NotPermitted(_("This kind of account cannot be registered here."))
    user = _create_user(email=email, name=name, password=password, kind=kind, phone=phone,
                        locale=locale)
    record_audit(AccountAudit.USER_REGISTERED, actor=user, target=user, kind=str(kind))
    return user


def create_admin(*, email: str, name: str, password: str) -> User:
    """Administrators are made from the command line by someone who already runs the server."""
    user = _create_user(email=email, name=name, password=password, kind=AccountKind.ADMIN)
    user.email_verified_at = utcnow()  # the operator vouches for the address
    record_audit(AccountAudit.USER_CREATED_BY_CLI, actor=SYSTEM, target=user, kind=str(AccountKind.ADMIN))
    return user


def _create_user(*, email, name, password, kind, phone=None, locale="id") -> User:
    email = normalize_email(email)
    if email_is_taken(email):
        raise Conflict(_("An account with this email address already exists. Log in instead."))
    _check_password_allowed(password, email)
    user = User(
        email=email,
        name=name.strip(),
        phone=(phone or "").strip() or None,
        password_hash=hash_password(password),
        kind=kind,
        preferred_locale=locale if locale in current_app.config["LANGUAGES"] else "id",
    )
    db.session.add(user)
    return user


# A real hash of a random password, so signing in as a stranger costs as much time as a real account.
_TIMING_DUMMY_HASH = None


def _dummy_hash() -> str:
    global _TIMING_DUMMY_HASH
    if _TIMING_DUMMY_HASH is None:
        _TIMING_DUMMY_HASH = hash_password("not-a-real-password-for-timing")
    return _TIMING_DUMMY_HASH


def authenticate(email: str, password: str) -> User | None:
    """The user whose email and password match and whose account is active; None otherwise.

    Unknown email, wrong password and a deactivated account look the same to the caller, so the
    sign-in page cannot be used to learn who has an account.
    """
    user = find_user_by_email(email)
    if user is None:
        check_password_hash(_dummy_hash(), password)
        record_audit(AccountAudit.USER_LOGIN_FAILED, reason="unknown_email")
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        record_audit(AccountAudit.USER_LOGIN_FAILED, target=user,
                     reason="wrong_password" if user.active else "inactive")
        return None
    return user


def record_login(user: User) -> None:
    """A successful sign-in opens a sign-in session of its own (see `SignInSession`)."""
    user.last_login_at = utcnow()
    token = secrets.token_urlsafe(32)
    db.session.add(SignInSession(user_id=user.id, token_hash=SignInSession.hash_of(token)))
    user.sign_in_token = token
    record_audit(AccountAudit.USER_LOGGED_IN, actor=user, target=user)


def user_for_session(session_user_id: str, also: Mapping[str, sa.ColumnElement] | None = None) -> User | None:
    """The active account whose open sign-in session and password the session cookie names; None otherwise
    (signed out, signed out everywhere, password changed, account deactivated). One query per request, which
    also reads `also` (columns about the user, correlated to `User`) into `user.loaded_with`, by name."""
    user_id, _separator, rest = session_user_id.partition(".")
    fingerprint, _separator, token = rest.partition(".")
    if not user_id.isdigit() or not token:
        return None
    extra = also or {}
    row = db.session.execute(_sign_in_statement(tuple(extra.values())),
                             {"user_id": int(user_id), "token_hash": SignInSession.hash_of(token)}).first()
    if row is None or not hmac.compare_digest(row[0].session_fingerprint, fingerprint):
        return None
    user = row[0]
    user.sign_in_token = token
    user.loaded_with = dict(zip(extra, row[1:], strict=True))
    return user


@lru_cache(maxsize=16)
def _sign_in_statement(also: tuple[sa.ColumnElement, ...]) -> sa.Select:
    """Built once per set of extra columns (the same objects every request): building the statement and its cache
    key afresh cost a signed-in page about 0.5 ms, more than running it."""
    return (sa.select(User, *also).join(SignInSession, SignInSession.user_id == User.id)
            .where(User.id == sa.bindparam("user_id"), SignInSession.token_hash == sa.bindparam("token_hash"),
                   SignInSession.ended_at.is_(None)))


def prune_sign_in_sessions(*, older_than: timedelta, now: datetime | None = None) -> int:
    """Forget sign-in sessions that ended, or began longer ago than any cookie lasts; returns how many.
    Safe to run from cron, and twice at once."""
    cutoff = (now or utcnow()) - older_than
    result = db.session.execute(sa.delete(SignInSession).where(
        sa.or_(SignInSession.ended_at.is_not(None), SignInSession.started_at < cutoff)))
    return cast(sa.CursorResult, result).rowcount


def sign_out(user: User) -> None:
    """Ends this browser's sign-in session on the server, not only its cookie."""
    if user.sign_in_token:
        db.session.execute(sa.update(SignInSession).where(
            SignInSession.token_hash == SignInSession.hash_of(user.sign_in_token), SignInSession.ended_at.is_(None))
            .values(ended_at=utcnow()))
    record_audit(AccountAudit.USER_LOGGED_OUT, actor=user, target=user)


def sign_out_everywhere(user: User) -> int:
    """Ends every sign-in session of the account (a lost phone, a shared computer); returns how many."""
    result = db.session.execute(sa.update(SignInSession).where(
        SignInSession.user_id == user.id, SignInSession.ended_at.is_(None)).values(ended_at=utcnow()))
    ended = cast(sa.CursorResult, result).rowcount
    record_audit(AccountAudit.USER_SIGNED_OUT_EVERYWHERE, actor=user, target=user, sessions=ended)
    return ended


def change_password(user: User, *, current_password: str, new_password: str) -> None:
    """Changing a password needs the current one; every reset link sent before stops working."""
    if not check_password_hash(user.password_hash, current_password):
        raise NotPermitted(_("Your current password is not correct."))
    _set_password(user, new_password)
    record_audit(AccountAudit.USER_PASSWORD_CHANGED, actor=user, target=user)


def _set_password(user: User, new_password: str) -> None:
    _check_password_allowed(new_password, user.email)
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()


def update_profile(user: User, *, name: str, phone: str | None, locale: str) -> None:
    if locale not in current_app.config["LANGUAGES"]:
        raise DomainError(_("Choose one of the offered languages."))
    user.name = name.strip()
    user.phone = (phone or "").strip() or None
    user.preferred_locale = locale
    record_audit(AccountAudit.USER_PROFILE_UPDATED, actor=user, target=user)


def set_preferred_locale(user: User, locale: str) -> None:
    if locale in current_app.config["LANGUAGES"] and user.preferred_locale != locale:
        user.preferred_locale = locale


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=PASSWORD_RESET_SALT)


def make_password_reset_token(user: User) -> str:
    return _reset_serializer().dumps({"user": user.id, "pw": user.session_fingerprint})


def request_password_reset(email: str, *, reset_url_for) -> None:
    """Email a signed, expiring reset link when the address belongs to an active account.

    The caller shows the same answer whether or not it does. `reset_url_for(token)` builds the link.
    """
    user = find_user_by_email(email)
    if user is None or not user.active:
        return
    token = make_password_reset_token(user)
    send_mail_after_commit(
        user.email,
        "password_reset",
        locale=user.preferred_locale,
        user=user,
        reset_url=reset_url_for(token),
        valid_minutes=current_app.config["PASSWORD_RESET_MAX_AGE"] // 60,
    )
    record_audit(AccountAudit.USER_PASSWORD_RESET_REQUESTED, target=user)


def _verification_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=EMAIL_VERIFICATION_SALT)


def request_email_verification(user: User, *, verify_url_for) -> None:
    """Email a signed link that confirms the address (sent after the commit). `verify_url_for(token)` builds it."""
    if user.email_verified:
        return
    token = _verification_serializer().dumps({"user": user.id, "email": user.email})
    send_mail_after_commit(user.email, "email_verification", locale=user.preferred_locale, user=user,
                           verify_url=verify_url_for(token), valid_days=EMAIL_VERIFICATION_MAX_AGE // 86400)


def verify_email(token: str) -> User:
    """The link's account, its address confirmed; the link must be recent and for the address the account
    has now."""
    try:
        payload = _verification_serializer().loads(token, max_age=EMAIL_VERIFICATION_MAX_AGE)
    except SignatureExpired:
        raise InvalidToken(_("This confirmation link has expired. Sign in and ask for a new one."),
                           code="verification_link_expired") from None
    except BadSignature:
        raise InvalidToken(_("This confirmation link is not valid."), code="verification_link_not_valid") from None
    user = db.session.get(User, payload.get("user")) if isinstance(payload, dict) else None
    if user is None or not user.active or user.email != payload.get("email"):
        raise InvalidToken(_("This confirmation link is not valid."), code="verification_link_not_valid")
    if not user.email_verified:
        user.email_verified_at = utcnow()
        record_audit(AccountAudit.USER_EMAIL_VERIFIED, actor=user, target=user)
    return user


def user_for_reset_token(token: str) -> User:
    try:
        payload = _reset_serializer().loads(
            token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"]
        )
    except SignatureExpired:
        raise InvalidToken(_("This reset link has expired. Ask for a new one."), code="reset_link_expired") from None
    except BadSignature:
        raise InvalidToken(_("This reset link is not valid or has already been used."),
                           code="reset_link_not_valid") from None
    user = db.session.get(User, payload.get("user")) if isinstance(payload, dict) else None
    if (
        user is None
        or not user.active
        or not hmac.compare_digest(str(payload.get("pw")), user.session_fingerprint)
    ):
        raise InvalidToken(_("This reset link is not valid or has already been used."), code="reset_link_not_valid")
    return user


def reset_password(token: str, new_password: str) -> User:
    user = user_for_reset_token(token)
    _set_password(user, new_password)
    record_audit(AccountAudit.USER_PASSWORD_RESET, actor=user, target=user)
    return user
