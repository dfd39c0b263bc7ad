import pytest
from flask import Blueprint

from marketplace import create_app
from marketplace.accounts.models import AccountKind
from marketplace.accounts.permissions import admin_required, kind_required
from tests.conftest import RequestLikeABrowserClient, make_config
from tests.factories import create_user
from tests.helpers import AuthActions


@pytest.fixture
def guarded_app(app, database_url):
    """A second app on the same database, with one route per permission helper."""
    guarded = create_app(make_config(database_url))
    guarded.test_client_class = RequestLikeABrowserClient
    routes = Blueprint("guarded", __name__)

    @routes.route("/guarded/officers")
    @kind_required(AccountKind.GOVERNMENT_OFFICER)
    def officers_only():
        return "officers"

    @routes.route("/guarded/sellers")
    @kind_required(AccountKind.COOPERATIVE_STAFF)
    def sellers_only():
        return "sellers"

    @routes.route("/guarded/admin")
    @admin_required
    def admins_only():
        return "admins"

    guarded.register_blueprint(routes)
    return guarded


MATRIX = {
    # route: the kinds that get 200; every other signed-in kind gets 403
    "/guarded/officers": {AccountKind.GOVERNMENT_OFFICER, AccountKind.ADMIN},
    "/guarded/sellers": {AccountKind.COOPERATIVE_STAFF, AccountKind.ADMIN},
    "/guarded/admin": {AccountKind.ADMIN},
}


@pytest.mark.parametrize("route", MATRIX)
@pytest.mark.parametrize("kind", list(AccountKind))
def test_each_kind_of_account_gets_exactly_its_routes(guarded_app, route, kind):
    user = create_user(kind=kind)
    client = guarded_app.test_client()
    AuthActions(client).login(user)
    response = client.get(route)
    expected = 200 if kind in MATRIX[route] else 403
    assert response.status_code == expected
    if expected == 403:
        assert "Anda tidak berhak membuka halaman ini." in response.get_data(as_text=True)


@pytest.mark.parametrize("route", MATRIX)
def test_a_stranger_is_asked_to_sign_in(guarded_app, route):
    response = guarded_app.test_client().get(route)
    assert response.status_code == 302
    assert "/login?next=" in response.headers["Location"]
