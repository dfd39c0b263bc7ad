import pytest
from flask import Blueprint, abort

from marketplace import create_app
from marketplace.core.errors import NotPermitted
from tests.conftest import make_config
from tests.helpers import page_text, post_form

JSON = {"Accept": "application/json"}


def test_unknown_route_gets_the_indonesian_404_page(client):
    response = client.get("/tidak-ada")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in page_text(response)
    assert '<html lang="id">' in page_text(response)


def test_unknown_route_answers_json_to_a_json_client(client):
    response = client.get("/tidak-ada", headers=JSON)
    assert response.status_code == 404
    assert response.json["error"]["status"] == 404
    assert response.json["error"]["title"] == "Halaman tidak ditemukan"


def test_wrong_method_gets_405(client):
    response = client.delete("/login")
    assert response.status_code == 405
    assert "Metode tidak diizinkan" in page_text(response)
    assert client.delete("/login", headers=JSON).json["error"]["status"] == 405


def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(client, app):
    from marketplace.accounts.models import User
    from marketplace.extensions import db

    response = client.post("/register", data={"name": "A", "email": "a@contoh.id",
                                              "kind": "buyer", "password": "x" * 12})
    assert response.status_code == 400
    assert "Formulir ini sudah kedaluwarsa" in page_text(response)
    assert db.session.query(User).count() == 0
    json_response = client.post("/login", data={}, headers=JSON)
    assert json_response.status_code == 400
    assert "kedaluwarsa" in json_response.json["error"]["message"]


def test_an_oversized_request_gets_413(client, app):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    try:
        response = client.post("/login", data={"email": "x" * 4096})
    finally:
        app.config["MAX_CONTENT_LENGTH"] = 8 * 1024 * 1024
    assert response.status_code == 413
    assert "Berkas terlalu besar" in page_text(response)


@pytest.fixture
def failing_app(database_url):
    app = create_app(make_config(database_url, TESTING=False, PROPAGATE_EXCEPTIONS=False))
    boom = Blueprint("boom", __name__)

    @boom.route("/boom")
    def explode():
        raise RuntimeError("database on fire")

    @boom.route("/forbidden-by-rule")
    def forbidden_by_rule():
        raise NotPermitted("Only the owner may do this.", code="owner_only")

    @boom.route("/bad")
    def bad():
        abort(400)

    app.register_blueprint(boom)
    return app


def test_an_unexpected_error_gets_a_500_page_without_details(failing_app):
    response = failing_app.test_client().get("/boom")
    assert response.status_code == 500
    assert "Terjadi kesalahan" in page_text(response)
    assert "database on fire" not in page_text(response)
    json_response = failing_app.test_client().get("/boom", headers=JSON)
    assert json_response.json["error"]["status"] == 500


def test_a_domain_rule_refusal_becomes_a_403_with_its_message(failing_app):
    response = failing_app.test_client().get("/forbidden-by-rule")
    assert response.status_code == 403
    assert "Only the owner may do this." in page_text(response)
    answer = failing_app.test_client().get("/forbidden-by-rule", headers=JSON).json["error"]
    assert (answer["status"], answer["code"], answer["message"]) == (403, "owner_only", "Only the owner may do this.")
    assert failing_app.test_client().get("/boom", headers=JSON).json["error"]["code"] == "internal_server_error"


def test_error_pages_speak_english_after_the_switch(client):
    client.get("/language/en?next=/")
    response = client.get("/tidak-ada")
    assert "Page not found" in page_text(response)
    assert '<html lang="en">' in page_text(response)


def test_too_many_login_attempts_get_429(client, app):
    for _attempt in range(10):
        assert post_form(client, "/login", {"email": "a@contoh.id", "password": "salah"}).status_code == 422
    response = post_form(client, "/login", {"email": "a@contoh.id", "password": "salah"})
    assert response.status_code == 429
    assert "Terlalu banyak percobaan" in page_text(response)
