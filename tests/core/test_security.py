from marketplace import create_app
from marketplace.config import ProductionConfig
from tests.conftest import make_config
from tests.factories import create_user
from tests.helpers import AuthActions


def test_every_page_carries_a_strict_content_security_policy(client):
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_pages_contain_no_inline_scripts_or_styles(client):
    html = client.get("/login").get_data(as_text=True)
    assert "<script>" not in html and "<script " not in html.replace('<script src=', '')
    assert "style=" not in html and "<style" not in html


def test_session_cookie_is_httponly_and_samesite_lax(client, app):
    user = create_user()
    response = AuthActions(client).login(user)
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("session="))
    assert "HttpOnly" in session_cookie
    assert "SameSite=Lax" in session_cookie
    assert "Secure" not in session_cookie  # plain http in development and tests


def test_production_marks_cookies_secure(database_url):
    config = type("ProductionTest", (ProductionConfig,),
                  {"SECRET_KEY": "x" * 32, "SQLALCHEMY_DATABASE_URI": database_url, "TRUSTED_HOSTS": ["localhost"]})
    app = create_app(config)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    assert "Strict-Transport-Security" in app.test_client().get("/healthz").headers


def test_with_trusted_hosts_a_forged_host_header_gets_no_page_and_no_reset_link(app, outbox):
    create_user(email="ana@contoh.id")
    app.config["TRUSTED_HOSTS"] = ["pasarkoperasi.id"]
    try:
        client = app.test_client()
        forged = client.post("/password/forgot", data={"email": "ana@contoh.id"},
                             headers={"Host": "jahat.example"})
        assert forged.status_code == 400 and outbox == []
        assert client.get("/login", headers={"Host": "pasarkoperasi.id"}).status_code == 200
    finally:
        app.config["TRUSTED_HOSTS"] = None


def test_remember_me_sets_a_lasting_cookie_only_when_asked(client, app):
    user = create_user()
    plain = AuthActions(client).login(user)
    assert not any(c.startswith("remember_token=") for c in plain.headers.getlist("Set-Cookie"))
    other_client = create_app(make_config(app.config["SQLALCHEMY_DATABASE_URI"])).test_client()
    remembered = AuthActions(other_client).login(user, remember="y")
    assert any(c.startswith("remember_token=") and "HttpOnly" in c
               for c in remembered.headers.getlist("Set-Cookie"))
