from marketplace.accounts.models import User
from marketplace.extensions import db
from tests.helpers import AuthActions, page_text, post_form


def test_home_page_speaks_indonesian_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert '<html lang="id">' in page_text(response)
    assert "Beli langsung dari koperasi produsen Indonesia" in page_text(response)


def test_the_language_switch_is_remembered_for_the_session(client):
    response = post_form(client, "/language", {"locale": "en", "next": "/login"}, token_from="/")
    assert response.headers["Location"] == "/login"
    page = page_text(client.get("/"))
    assert '<html lang="en">' in page
    assert "Buy directly from Indonesian producer cooperatives" in page


def test_the_language_switch_is_remembered_for_a_signed_in_person(client, app, buyer):
    AuthActions(client).login(buyer)
    post_form(client, "/language", {"locale": "en", "next": "/"}, token_from="/")
    assert db.session.get(User, buyer.id).preferred_locale == "en"
    AuthActions(client).logout()
    fresh_browser = app.test_client()
    AuthActions(fresh_browser).login(buyer)
    assert '<html lang="en">' in page_text(fresh_browser.get("/account"))


def test_an_unknown_language_or_an_outside_next_changes_nothing(client):
    response = post_form(client, "/language", {"locale": "xx", "next": "https://evil.example"},
                         token_from="/")
    assert response.headers["Location"] == "/"
    assert '<html lang="id">' in page_text(client.get("/"))


def test_the_language_switch_needs_its_csrf_token(client):
    assert client.post("/language", data={"locale": "en"}).status_code == 400


def test_navigation_follows_the_role(client, admin, officer):
    assert "Masuk" in page_text(client.get("/"))
    AuthActions(client).login(officer)
    assert "Pengadaan" in page_text(client.get("/"))
    AuthActions(client).logout()
    AuthActions(client).login(admin)
    assert "Verifikasi" in page_text(client.get("/"))


def test_health_check_answers_when_the_database_does(client):
    assert client.get("/healthz").json == {"status": "ok"}
