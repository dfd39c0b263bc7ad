import re

import pytest

from marketplace.accounts import services
from marketplace.accounts.models import User
from marketplace.extensions import db
from tests.factories import DEFAULT_PASSWORD, create_user
from tests.helpers import AuthActions, page_text, post_form

GOOD_REGISTRATION = {
    "name": "Siti Aminah",
    "email": "siti@contoh.id",
    "phone": "0812-3456-7890",
    "kind": "cooperative_staff",
    "password": "anyaman-bambu-99",
    "confirm": "anyaman-bambu-99",
}


def test_registering_signs_the_person_in(client):
    response = post_form(client, "/register", GOOD_REGISTRATION, follow_redirects=True)
    assert response.status_code == 200
    assert "Akun Anda sudah siap" in page_text(response)
    user = db.session.scalar(db.select(User))
    assert user.email == "siti@contoh.id"
    assert user.phone == "+6281234567890"
    assert user.kind == "cooperative_staff"
    assert client.get("/account").status_code == 200


@pytest.mark.parametrize("field, value, message", [
    ("email", "bukan-email", "Masukkan alamat email yang valid"),
    ("email", "", "Masukkan alamat email Anda."),
    ("name", "", "Masukkan nama Anda."),
    ("phone", "12345", "Masukkan nomor telepon Indonesia"),
    ("kind", "admin", "Not a valid choice"),
    ("password", "pendek", "Gunakan minimal 10 karakter."),
    ("confirm", "lain-sandinya-1", "Kedua kata sandi tidak sama."),
])
def test_bad_registration_input_shows_the_field_error_and_saves_nothing(client, field, value, message):
    response = post_form(client, "/register", {**GOOD_REGISTRATION, field: value})
    assert response.status_code == 422
    assert message in page_text(response)
    assert "Belum ada yang disimpan" in page_text(response)
    assert db.session.query(User).count() == 0


def test_registering_a_taken_email_says_so_and_changes_nothing(client):
    create_user(email="siti@contoh.id", name="Pemilik Lama")
    response = post_form(client, "/register", {**GOOD_REGISTRATION, "email": "SITI@contoh.id"})
    assert response.status_code == 422
    assert "Sudah ada akun dengan alamat email ini" in page_text(response)
    assert db.session.query(User).count() == 1


def test_login_and_logout(client, buyer):
    auth = AuthActions(client)
    response = auth.login(buyer)
    assert response.status_code == 302
    assert "Budi Santoso" in page_text(client.get("/account"))
    assert auth.logout().status_code == 302
    assert client.get("/account").status_code == 302


def test_login_errors_do_not_reveal_whether_the_email_exists(client, buyer):
    wrong_password = AuthActions(client).login(buyer, "bukan-sandinya")
    unknown_email = AuthActions(client).login("tidak.ada@contoh.id", "bukan-sandinya")
    assert wrong_password.status_code == unknown_email.status_code == 422
    for response in (wrong_password, unknown_email):
        assert "Email atau kata sandi salah." in page_text(response)


def test_login_follows_a_local_next_but_never_an_outside_one(client, buyer):
    token = AuthActions(client)
    response = post_form(client, "/login?next=/account",
                         {"email": buyer.email, "password": DEFAULT_PASSWORD})
    assert response.headers["Location"] == "/account"
    token.logout()
    response = post_form(client, "/login?next=https://evil.example/",
                         {"email": buyer.email, "password": DEFAULT_PASSWORD})
    assert response.headers["Location"] == "/"


def test_a_protected_page_sends_a_stranger_to_sign_in_and_back(client):
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_logout_by_get_asks_first_and_changes_nothing(client, buyer):
    AuthActions(client).login(buyer)
    response = client.get("/logout")
    assert response.status_code == 200
    assert "Keluar dari akun?" in page_text(response)
    assert client.get("/account").status_code == 200


def test_profile_update_and_its_validation(client, buyer):
    AuthActions(client).login(buyer)
    response = post_form(client, "/account", {"name": "", "phone": "", "preferred_locale": "id"})
    assert response.status_code == 422
    response = post_form(client, "/account",
                         {"name": "Budi S.", "phone": "0813 1111 2222", "preferred_locale": "en"},
                         follow_redirects=True)
    assert "Your profile has been saved." in page_text(response)
    db.session.refresh(buyer)
    assert (buyer.name, buyer.phone, buyer.preferred_locale) == ("Budi S.", "+6281311112222", "en")


def test_changing_the_password_signs_out_other_devices_but_not_this_one(client, app, buyer):
    other_device = app.test_client()
    AuthActions(other_device).login(buyer)
    AuthActions(client).login(buyer)
    response = post_form(client, "/account/password", {
        "current_password": DEFAULT_PASSWORD, "password": "batik-tulis-2026", "confirm": "batik-tulis-2026",
    })
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert other_device.get("/account").status_code == 302


def test_changing_the_password_with_a_wrong_current_one_changes_nothing(client, buyer):
    AuthActions(client).login(buyer)
    old_hash = buyer.password_hash
    response = post_form(client, "/account/password", {
        "current_password": "bukan-sandinya", "password": "batik-tulis-2026", "confirm": "batik-tulis-2026",
    })
    assert response.status_code == 422
    assert "Kata sandi Anda saat ini salah." in page_text(response)
    db.session.refresh(buyer)
    assert buyer.password_hash == old_hash


def test_forgotten_password_journey(client, buyer, outbox):
    response = post_form(client, "/password/forgot", {"email": buyer.email})
    assert response.status_code == 302
    link = re.search(r"http://localhost(/password/reset/\S+)", outbox[0].get_content()).group(1)
    assert client.get(link).status_code == 200
    response = post_form(client, link, {"password": "ukiran-jepara-7", "confirm": "ukiran-jepara-7"})
    assert response.headers["Location"] == "/login"
    assert AuthActions(client).login(buyer, "ukiran-jepara-7").status_code == 302
    again = client.get(link, follow_redirects=True)
    assert "sudah pernah dipakai" in page_text(again)


def test_forgotten_password_answers_the_same_for_unknown_addresses(client, outbox):
    response = post_form(client, "/password/forgot", {"email": "tidak.ada@contoh.id"},
                         follow_redirects=True)
    assert "Jika alamat ini terdaftar" in page_text(response)
    assert outbox == []


def test_reset_rejects_a_weak_new_password_and_keeps_the_old(client, buyer):
    token = services.make_password_reset_token(buyer)
    response = post_form(client, f"/password/reset/{token}", {"password": "123", "confirm": "123"})
    assert response.status_code == 422
    assert AuthActions(client).login(buyer).status_code == 302


def test_a_deactivated_user_is_signed_out_on_the_next_request(client, buyer):
    AuthActions(client).login(buyer)
    buyer.active = False
    db.session.commit()
    assert client.get("/account").status_code == 302
