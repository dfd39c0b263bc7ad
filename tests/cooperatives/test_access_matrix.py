"""Every cooperative route, every kind of person: who gets in, who gets 403, who is sent to sign in."""

import pytest

from marketplace.accounts.models import AccountKind
from marketplace.cooperatives.models import CooperativeDocument, Invitation, Member
from marketplace.extensions import db
from tests.factories import add_staff, create_cooperative, create_member, create_user, owner_of
from tests.helpers import AuthActions, csrf_token_from

PEOPLE = ("owner", "board", "clerk", "other_owner", "buyer", "platform_admin")
BOARD = {"owner", "board"}
ALL_STAFF = BOARD | {"clerk"}

# (method, path, who may) — {slug}, {member}, {document}, {membership}, {id} are filled in per test
ROUTES = [
    ("GET", "/manage/{slug}", ALL_STAFF | {"platform_admin"}),
    ("GET", "/manage/{slug}/profile", BOARD),
    ("POST", "/manage/{slug}/profile", BOARD),
    ("POST", "/manage/{slug}/logo", BOARD),
    ("GET", "/manage/{slug}/documents", BOARD | {"platform_admin"}),
    ("GET", "/manage/{slug}/documents/{document}", BOARD | {"platform_admin"}),
    ("POST", "/manage/{slug}/resubmit", BOARD),
    ("GET", "/manage/{slug}/staff", ALL_STAFF | {"platform_admin"}),
    ("POST", "/manage/{slug}/staff", ALL_STAFF | {"platform_admin"}),
    ("POST", "/manage/{slug}/staff/{membership}/role", {"owner"}),
    ("GET", "/manage/{slug}/members", ALL_STAFF | {"platform_admin"}),
    ("GET", "/manage/{slug}/members/new", BOARD),
    ("POST", "/manage/{slug}/members/new", BOARD),
    ("GET", "/manage/{slug}/members/{member}", ALL_STAFF | {"platform_admin"}),
    ("POST", "/manage/{slug}/members/{member}/account", BOARD),
    ("GET", "/manage/{slug}/members/export.csv", ALL_STAFF | {"platform_admin"}),
    ("GET", "/manage/{slug}/members/import", BOARD),
    ("GET", "/manage/{slug}/members/import-template.csv", BOARD),
    ("POST", "/manage/{slug}/members/import/confirm", BOARD),
    ("GET", "/admin/cooperatives", {"platform_admin"}),
    ("GET", "/admin/cooperatives/{id}", {"platform_admin"}),
    ("POST", "/admin/cooperatives/{id}/status", {"platform_admin"}),
    ("GET", "/admin/audit", {"platform_admin"}),
    ("GET", "/admin/mail", {"platform_admin"}),
]


@pytest.fixture
def world(app, tmp_path):
    owner = create_user(kind=AccountKind.COOPERATIVE_STAFF, email="owner@contoh.id")
    cooperative = create_cooperative(owner)
    other_owner = create_user(kind=AccountKind.COOPERATIVE_STAFF, email="other@contoh.id")
    create_cooperative(other_owner)
    people = {
        "owner": owner,
        "board": add_staff(cooperative, "manager"),
        "clerk": add_staff(cooperative, "staff"),
        "other_owner": other_owner,
        "buyer": create_user(kind=AccountKind.BUYER),
        "platform_admin": create_user(kind=AccountKind.ADMIN),
    }
    member = create_member(cooperative)
    document = CooperativeDocument(cooperative_id=cooperative.id, kind="nib", original_filename="nib.pdf",
                                   storage_key="private/documents/test.pdf", content_type="application/pdf",
                                   size_bytes=9)
    db.session.add(document)
    db.session.commit()
    from marketplace.core.storage import get_storage

    get_storage().save("private/documents/test.pdf", b"%PDF-1.4\n")
    clerk_membership = next(m for m in cooperative.staff if m.user_id == people["clerk"].id)
    values = {"slug": cooperative.slug, "member": member.id, "document": document.id,
              "membership": clerk_membership.id, "id": cooperative.id}
    return people, values


def _request(client, method, path):
    if method == "GET":
        return client.get(path)
    return client.post(path, data={"csrf_token": csrf_token_from(client, "/")})


@pytest.mark.parametrize("method, template, allowed", ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES])
def test_every_person_gets_exactly_the_access_their_role_gives(app, world, method, template, allowed):
    people, values = world
    path = template.format(**values)
    for name in PEOPLE:
        client = app.test_client()
        AuthActions(client).login(people[name])
        status = _request(client, method, path).status_code
        if name in allowed:
            assert status not in (403, 404), f"{name} was refused {method} {path}"
        else:
            assert status == 403, f"{name} got {status} on {method} {path}"


@pytest.mark.parametrize("method, template, _allowed", ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES])
def test_a_stranger_is_sent_to_sign_in(app, world, method, template, _allowed):
    _people, values = world
    client = app.test_client()
    response = _request(client, method, template.format(**values))
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_guessing_another_cooperatives_member_or_document_id_gets_404(app, world):
    people, values = world
    theirs = create_cooperative(create_user(kind=AccountKind.COOPERATIVE_STAFF))
    their_member = create_member(theirs)
    client = app.test_client()
    AuthActions(client).login(people["owner"])
    assert client.get(f"/manage/{values['slug']}/members/{their_member.id}").status_code == 404
    assert client.get(f"/manage/{values['slug']}/documents/999999").status_code == 404
    assert client.get(f"/manage/{theirs.slug}/members/{their_member.id}").status_code == 403
    assert client.get("/manage/no-such-cooperative").status_code == 404


def test_only_the_board_sees_a_members_full_nik(app, world):
    people, values = world
    national_id = db.session.get(Member, values["member"]).national_id
    for name, full in (("owner", True), ("board", True), ("clerk", False), ("platform_admin", True)):
        client = app.test_client()
        AuthActions(client).login(people[name])
        page = client.get(f"/manage/{values['slug']}/members").get_data(as_text=True)
        assert (national_id in page) is full, name
        assert full or f"3314••••••••{national_id[-4:]}" in page


def test_a_supervisor_reads_everything_and_changes_nothing(app):
    from datetime import date

    from marketplace.catalog.models import Product
    from marketplace.catalog.services import stock
    from tests.factories import category, create_product

    cooperative = create_cooperative()
    member = create_member(cooperative, national_id="3314015708900001", payout_method="bank",
                           payout_provider="BRI", payout_account_number="002101000123456")
    product = create_product(cooperative, name="Tas pandan")
    stock.receive_stock(owner_of(cooperative), product, member_id=member.id, quantity=5,
                        received_on=date(2026, 11, 1))
    supervisor = add_staff(cooperative, "supervisor")
    client = app.test_client()
    AuthActions(client).login(supervisor)
    slug = cooperative.slug
    for path in (f"/manage/{slug}", f"/manage/{slug}/members", f"/manage/{slug}/members/{member.id}",
                 f"/manage/{slug}/products", f"/manage/{slug}/products/{product.id}",
                 f"/manage/{slug}/products/{product.id}/stock", f"/manage/{slug}/documents",
                 f"/manage/{slug}/members/export.csv", f"/manage/{slug}/products/export.csv", f"/manage/{slug}/staff"):
        assert client.get(path).status_code == 200, path
    assert f"/manage/{slug}/products/new" not in client.get(f"/manage/{slug}/products").get_data(as_text=True)
    assert "/stock/receive" not in client.get(f"/manage/{slug}/products/{product.id}/stock").get_data(as_text=True)
    member_page = client.get(f"/manage/{slug}/members/{member.id}").get_data(as_text=True)
    assert "3314015708900001" in member_page and "002101000123456" in member_page  # reads in full
    token = csrf_token_from(client, f"/manage/{slug}/products")
    refusals = [
        client.post(f"/manage/{slug}/products/new", data={"csrf_token": token, "name": "X", "sku": "X-1",
                                                          "category_id": category().id}),
        client.post(f"/manage/{slug}/products/{product.id}", data={"csrf_token": token, "name": "Diubah",
                                                                   "sku": "Y", "unit": "pcs", "base_price": "1",
                                                                   "min_order_quantity": "1",
                                                                   "availability": "ready_stock",
                                                                   "category_id": category().id}),
        client.post(f"/manage/{slug}/members/new", data={"csrf_token": token, "member_number": "Z-1"}),
        client.post(f"/manage/{slug}/profile", data={"csrf_token": token, "name": "Diubah"}),
        client.post(f"/manage/{slug}/rat", data={"csrf_token": token, "book_year": "2024", "held_on": "2025-03-01"}),
    ]
    assert [response.status_code for response in refusals] == [403] * len(refusals)
    invite = client.post(f"/manage/{slug}/staff", data={"csrf_token": token, "email": "x@contoh.id", "role": "staff"})
    assert invite.status_code == 403 and "Hanya pengurus" in invite.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Product, product.id).name == "Tas pandan"
    assert db.session.query(Invitation).count() == 0
