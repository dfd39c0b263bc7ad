"""Every route, asked with real ids, unknown ids or nonsense, and posted empty or with junk: never a 500."""

import pytest

from marketplace.accounts.models import AccountKind
from marketplace.sourcing.services import shortlists
from tests.factories import (
    create_agency,
    create_cooperative,
    create_member,
    create_product,
    create_user,
    owner_of,
    place_order,
    receive,
)
from tests.helpers import AuthActions, csrf_token_from

JUNK = {"q": "'\"<script>%00", "page": "-1", "category": "x", "province": "../", "status": "??", "item": "a",
        "quantity": "1e9", "next": "//evil.example", "cert": "nope", "sort": "drop", "capacity": "-3"}


@pytest.fixture
def world(app):
    cooperative = create_cooperative()
    owner = owner_of(cooperative)
    member = create_member(cooperative)
    product = create_product(cooperative)
    shortlist = shortlists.create_shortlist(owner, "Uji")
    item = shortlists.add_to_shortlist(owner, shortlist, product_id=product.id)
    receive(product, 5)
    buyer = create_user()
    checkout = place_order(buyer, (product, 1))
    order = checkout.orders[0]
    agency = create_agency()
    purchase_order = _purchase_order_of(agency, product)
    values = {"slug": [cooperative.slug, "tidak-ada"], "member_id": [member.id, 999999],
              "product_id": [product.id, 999999], "shortlist_id": [shortlist.id, 999999],
              "item_id": [item.id, 999999], "cooperative_id": [cooperative.id, 999999], "image_id": [999999],
              "document_id": [999999], "membership_id": [999999], "invitation_id": [999999],
              "category_id": [999999], "token": ["bukan-token"], "locale": ["en", "xx"], "action": ["alt", "x"],
              "key": ["logos/none.webp", "private/x"], "number": [order.number, "X-2026-000009"],
              "reference": [checkout.reference, "CO-NONE"], "code": [order.verification_code, "NONE"],
              "payout_id": [999999], "proof_id": [999999], "terms_id": [999999],
              "agency_id": [agency.id, 999999], "officer_id": [999999],
              "purchase_order_id": [purchase_order.id, 999999], "sequence": [1, 999999],
              "document": ["surat-pesanan", "counter-offers", "invoice", "receipt"], "photo_id": [999999]}
    return owner, values


def _purchase_order_of(agency, product):
    from marketplace.accounts.models import User
    from marketplace.core.unit_of_work import unit_of_work
    from marketplace.extensions import db
    from marketplace.procurement.services.purchase_orders import drafts_from_shortlist

    pp = db.session.get(User, agency.registered_by_id)
    with unit_of_work():
        shortlist = shortlists.create_shortlist(pp, "Pengadaan")
        shortlists.add_to_shortlist(pp, shortlist, product_id=product.id)
    with unit_of_work():
        return drafts_from_shortlist(pp, agency, shortlist)[0]


def _paths(app, values, method):
    for rule in app.url_map.iter_rules():
        if method not in rule.methods or rule.endpoint in {"static"} or rule.endpoint.startswith("_"):
            continue
        choices = [{}]
        for argument in rule.arguments:
            choices = [{**chosen, argument: value} for chosen in choices for value in values.get(argument, ["x"])]
        for arguments in choices:
            yield rule.endpoint, rule.build(arguments, append_unknown=False)[1]


@pytest.mark.parametrize("who", ["stranger", "owner", "admin"])
def test_no_get_route_answers_500(app, world, who):
    owner, values = world
    client = app.test_client()
    if who == "owner":
        AuthActions(client).login(owner)
    elif who == "admin":
        AuthActions(client).login(create_user(kind=AccountKind.ADMIN))
    for endpoint, path in _paths(app, values, "GET"):
        for query in ({}, JUNK):
            response = client.get(path, query_string=query)
            assert response.status_code < 500, f"{endpoint} {path} {query}: {response.status_code}"


def test_no_post_route_answers_500_to_empty_or_junk_forms(app, world):
    owner, values = world
    client = app.test_client()
    AuthActions(client).login(owner)
    token = csrf_token_from(client, "/")
    for endpoint, path in _paths(app, values, "POST"):
        if endpoint in {"accounts.logout", "accounts.change_password"}:
            continue  # they would end this session
        for data in ({}, JUNK):
            response = client.post(path, data={"csrf_token": token, **data})
            assert response.status_code < 500, f"{endpoint} {path} {data}: {response.status_code}"
