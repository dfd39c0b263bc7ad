import pytest

from marketplace.accounts import services
from marketplace.accounts.models import AccountAudit, AccountKind, User
from marketplace.core.audit import AuditEvent
from marketplace.core.errors import Conflict, NotPermitted
from marketplace.core.unit_of_work import unit_of_work
from marketplace.extensions import db
from tests.factories import DEFAULT_PASSWORD, create_user


def register(**overrides):
    values = {"email": "Siti@Contoh.ID", "name": " Siti Aminah ", "password": "anyaman-bambu-99",
              "kind": AccountKind.BUYER}
    return services.register_user(**{**values, **overrides})


def audit_actions() -> list[str]:
    return [event.action for event in db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id))]


def test_registration_stores_a_lower_cased_email_and_a_hashed_password(app):
    user = register()
    assert user.email == "siti@contoh.id"
    assert user.name == "Siti Aminah"
    assert user.password_hash != "anyaman-bambu-99"
    assert audit_actions() == [AccountAudit.USER_REGISTERED]


def test_the_same_email_in_other_letters_cannot_register_twice(app):
    register()
    with pytest.raises(Conflict):
        register(email="SITI@contoh.id ")
    assert db.session.query(User).count() == 1


def test_nobody_can_register_as_an_administrator(app):
    with pytest.raises(NotPermitted):
        register(kind=AccountKind.ADMIN)
    assert db.session.query(User).count() == 0


@pytest.mark.parametrize("password, problem", [
    ("pendek", "password_too_short"),
    ("1234567890", "password_too_common"),
    ("aaaaaaaaaaaa", "password_too_common"),
    ("siti@contoh.id", "password_contains_email"),
    ("siti-pass-2026", "password_contains_email"),
])
def test_weak_passwords_are_refused_with_the_reason(app, password, problem):
    with pytest.raises(services.WeakPassword) as refused:
        register(password=password)
    assert refused.value.code == problem and refused.value.message
    assert db.session.query(User).count() == 0


def test_authenticate_accepts_the_right_password_only(app):
    user = create_user(email="budi@contoh.id")
    assert services.authenticate("BUDI@contoh.id", DEFAULT_PASSWORD) == user
    assert services.authenticate("budi@contoh.id", "bukan-sandinya") is None
    assert services.authenticate("tidak.ada@contoh.id", DEFAULT_PASSWORD) is None
    assert audit_actions().count(AccountAudit.USER_LOGIN_FAILED) == 2


def test_a_deactivated_account_cannot_sign_in_even_with_its_password(app):
    create_user(email="budi@contoh.id", active=False)
    assert services.authenticate("budi@contoh.id", DEFAULT_PASSWORD) is None


def test_changing_the_password_needs_the_current_one(app):
    user = create_user()
    with pytest.raises(NotPermitted):
        services.change_password(user, current_password="salah-sandi", new_password="tenun-ikat-2026")
    services.change_password(user, current_password=DEFAULT_PASSWORD, new_password="tenun-ikat-2026")
    assert services.authenticate(user.email, "tenun-ikat-2026") == user


def test_a_reset_token_works_once(app, outbox):
    user = create_user()
    token = services.make_password_reset_token(user)
    services.reset_password(token, "gerabah-kasongan-1")
    assert services.authenticate(user.email, "gerabah-kasongan-1") == user
    with pytest.raises(services.InvalidToken) as refused:
        services.reset_password(token, "gerabah-kasongan-2")
    assert refused.value.code == "reset_link_not_valid"


def test_a_reset_token_expires(app):
    user = create_user()
    token = services.make_password_reset_token(user)
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    try:
        with pytest.raises(services.InvalidToken) as refused:
            services.user_for_reset_token(token)
        assert refused.value.code == "reset_link_expired"
    finally:
        app.config["PASSWORD_RESET_MAX_AGE"] = 3600


def test_a_tampered_reset_token_is_refused(app):
    user = create_user()
    token = services.make_password_reset_token(user)
    with pytest.raises(services.InvalidToken):
        services.user_for_reset_token(("x" if token[0] != "x" else "y") + token[1:])
    with pytest.raises(services.InvalidToken):
        services.user_for_reset_token("not-a-token")


def test_reset_mail_goes_only_to_existing_accounts_in_their_language(app, outbox):
    create_user(email="ana@contoh.id", locale="en", name="Ana")
    with app.test_request_context(method="POST"), unit_of_work():
        services.request_password_reset("nobody@contoh.id", reset_url_for=lambda t: f"/r/{t}")
        services.request_password_reset("ANA@contoh.id", reset_url_for=lambda t: f"http://x/r/{t}")
    assert len(outbox) == 1
    message = outbox[0]
    assert message["To"] == "ana@contoh.id"
    assert message["Subject"] == "Choose a new password for Pasar Koperasi"
    assert "http://x/r/" in message.get_content()
    assert "Hello Ana," in message.get_content()
