import pytest

from marketplace.accounts.models import User
from marketplace.extensions import db
from tests.helpers import AuthActions, page_text, post_form


def test_home_page_speaks_indonesian_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert '<html lang="id">' in page_text(response)
    assert "Beli langsung dari koperasi produsen Indonesia" in page_text(response)


def test_the_language_switch_is_remembered_for_the_session(client):
    response = client.get("/language/en?next=/login")
    assert response.headers["Location"] == "/login"
    page = page_text(client.get("/"))
    assert '<html lang="en">' in page
    assert "Buy directly from Indonesian producer cooperatives" in page


def test_the_language_switch_is_remembered_for_a_signed_in_person(client, app, buyer):
    AuthActions(client).login(buyer)
    client.get("/language/en?next=/")  # a GET changes this browser's pages only
    assert db.session.get(User, buyer.id).preferred_locale == "id"
    response = post_form(client, "/account/language/en?next=/account", {}, token_from="/")
    assert response.headers["Location"] == "/account"
    assert db.session.get(User, buyer.id).preferred_locale == "en"
    AuthActions(client).logout()
    fresh_browser = app.test_client()
    AuthActions(fresh_browser).login(buyer)
    assert '<html lang="en">' in page_text(fresh_browser.get("/account"))


def test_an_unknown_language_or_an_outside_next_changes_nothing(client):
    response = client.get("/language/xx?next=https://evil.example")
    assert response.headers["Location"] == "/"
    assert '<html lang="id">' in page_text(client.get("/"))


def test_the_language_switch_is_a_plain_link_that_keeps_the_page(client):
    page = page_text(client.get("/cooperatives?province=33"))
    assert 'href="/language/en?next=/cooperatives?province%3D33"' in page
    assert client.post("/language/en").status_code == 405


def test_navigation_follows_the_role(client, admin, officer):
    assert "Masuk" in page_text(client.get("/"))
    AuthActions(client).login(officer)
    assert "Instansi saya" in page_text(client.get("/"))
    AuthActions(client).logout()
    AuthActions(client).login(admin)
    assert "Verifikasi" in page_text(client.get("/"))


def test_the_header_knows_a_persons_cooperative_ties_from_the_query_that_signs_them_in(app):
    """A staff member and a linked member see their own links; what the header needs of the person is read with
    them, so no page asks for it apart."""
    import sqlalchemy as sa

    from marketplace.accounts.models import AccountKind
    from tests.factories import create_cooperative, create_member, create_user, owner_of
    from tests.helpers import signed_in

    cooperative = create_cooperative()
    member_person = create_user(kind=AccountKind.BUYER)
    create_member(cooperative, user_id=member_person.id)
    buyer = create_user(kind=AccountKind.BUYER)
    db.session.commit()
    statements: list[str] = []

    def capture(_connection, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", capture)
    try:
        for person, shown, hidden in ((owner_of(cooperative), "Koperasi saya", "Keanggotaan saya"),
                                      (member_person, "Keanggotaan saya", "Koperasi saya"),
                                      (buyer, None, "Keanggotaan saya")):
            client = signed_in(app, person)
            statements.clear()
            text = page_text(client.get("/cooperatives"))
            if shown:
                assert shown in text
            assert hidden not in text
            reading_ties = [statement for statement in statements if "staff_memberships" in statement]
            assert len(reading_ties) == 1 and "sign_in_sessions" in reading_ties[0]
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", capture)


def test_health_check_answers_when_the_database_does(client):
    assert client.get("/healthz").json == {"status": "ok"}


def test_public_pages_are_cached_for_anonymous_visitors_only(app, client, buyer):
    from marketplace.core.cache import LocalStore, PageCache

    app.config["PAGE_CACHE_SECONDS"] = 30
    app.extensions["page_cache"] = PageCache(LocalStore())
    try:
        first, second = client.get("/cooperatives"), client.get("/cooperatives")
        assert (first.headers["X-Page-Cache"], second.headers["X-Page-Cache"]) == ("miss", "hit")
        assert second.get_data() == first.get_data()
        assert "Content-Security-Policy" in second.headers
        client.get("/language/en?next=/")
        assert client.get("/cooperatives").headers["X-Page-Cache"] == "miss"  # each language cached apart
        assert client.get("/nowhere").status_code == 404
        signed_in = app.test_client()
        AuthActions(signed_in).login(buyer)
        assert "X-Page-Cache" not in signed_in.get("/cooperatives").headers
    finally:
        app.config["PAGE_CACHE_SECONDS"] = 0


def test_an_unreachable_cache_is_a_miss_not_an_error(app, client):
    from marketplace.core.cache import DataCache, PageCache, RedisStore

    store = RedisStore("redis://127.0.0.1:1/0")  # nothing listens there
    app.config.update(PAGE_CACHE_SECONDS=30, SEARCH_FACET_CACHE_SECONDS=60, SEARCH_RESULT_CACHE_SECONDS=30)
    app.extensions.update(page_cache=PageCache(store), data_cache=DataCache(store))
    try:
        assert client.get("/search?q=batik").status_code == 200
        assert client.get("/cooperatives").headers["X-Page-Cache"] == "miss"
        assert DataCache(store).remember("k", 30, lambda: {"computed": True}) == {"computed": True}
    finally:
        app.config.update(PAGE_CACHE_SECONDS=0, SEARCH_FACET_CACHE_SECONDS=0, SEARCH_RESULT_CACHE_SECONDS=0)


def test_redis_keeps_one_cache_for_every_worker(app):
    import redis

    from marketplace.core.cache import DataCache, RedisStore

    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/15", socket_connect_timeout=0.25).ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    one_worker, another = DataCache(RedisStore("redis://127.0.0.1:6379/15")), DataCache(RedisStore(
        "redis://127.0.0.1:6379/15"))
    one_worker.clear()
    one_worker.set("search:x", {"ids": [3, 1, 2]}, 30)
    assert another.get("search:x") == {"ids": [3, 1, 2]}
    assert another.remember("search:x", 30, lambda: {"ids": []}) == {"ids": [3, 1, 2]}
    another.clear()
    assert one_worker.get("search:x") is None
