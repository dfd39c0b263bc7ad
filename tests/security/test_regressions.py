"""Attacks and careless input that once got through, kept as regression cases (docs/SECURITY.md)."""

import csv
import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from marketplace.accounts.models import AccountKind
from marketplace.catalog.services import product_csv
from marketplace.cooperatives.models import DocumentKind, Member, PayoutMethod
from marketplace.cooperatives.services import member_csv, profile
from marketplace.core.csv_files import csv_line, decode_upload
from marketplace.core.storage import get_private_storage, get_storage
from marketplace.extensions import db
from tests.factories import add_staff, create_cooperative, create_member, create_product, create_user, owner_of
from tests.helpers import AuthActions, csrf_token_from, page_text, post_form, signed_in

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


# 1. Private documents stay private -------------------------------------------------------------------------------

def test_a_verification_document_is_stored_outside_the_public_uploads_under_a_random_name(app):
    cooperative = create_cooperative()
    document = profile.add_document(owner_of(cooperative), cooperative, kind=DocumentKind.NIB, filename="nib.pdf",
                                    data=PDF)
    path = get_private_storage().local_path(document.storage_key)
    assert path.read_bytes() == PDF
    public_root = get_storage().root.resolve()
    assert public_root not in path.resolve().parents
    name = Path(document.storage_key).stem
    assert len(name) >= 30 and not name.isdigit()


@pytest.mark.parametrize("address", [
    "/media/private/documents/1/20261123.pdf",
    "/media/./private/documents/1/20261123.pdf",
    "/media/%2e/private/documents/1/20261123.pdf",
    "/media/products/../private/documents/1/20261123.pdf",
    "/media/products/%2e%2e/private/documents/1/20261123.pdf",
    "/media//private/documents/1/20261123.pdf",
    "/media/PRIVATE/../private/documents/1/20261123.pdf",
    "/media/../../instance/secret_key",
    "/media/%2e%2e/%2e%2e/etc/passwd",
])
def test_no_spelling_of_a_private_path_is_served_by_the_public_media_route(app, client, address):
    # A document kept where earlier versions put them, inside the public root.
    get_storage().save("private/documents/1/20261123.pdf", PDF)
    response = client.get(address, follow_redirects=True)  # `//` is first redirected to its one-slash form
    assert response.status_code == 404
    assert PDF not in response.get_data()


def test_a_document_uploaded_before_the_split_is_still_readable_by_its_cooperative(app):
    cooperative = create_cooperative()
    get_storage().save(f"private/documents/{cooperative.id}/20261123.pdf", PDF)
    document = profile.add_document(owner_of(cooperative), cooperative, kind=DocumentKind.NIB, filename="nib.pdf",
                                    data=PDF)
    document.storage_key = f"private/documents/{cooperative.id}/20261123.pdf"
    client = signed_in(app, owner_of(cooperative))
    response = client.get(f"/manage/{cooperative.slug}/documents/{document.id}")
    assert response.status_code == 200 and response.get_data() == PDF
    assert "no-store" in response.headers["Cache-Control"]


# 2. Spreadsheets that do not run formulas --------------------------------------------------------------------------

def test_exports_neutralise_formulas_and_imports_take_them_back_unchanged(app):
    cooperative = create_cooperative()
    owner = owner_of(cooperative)
    product = create_product(cooperative, name='=HYPERLINK("http://jahat.example","Klik")', sku="-SKU1",
                             status="draft")
    exported = "".join(product_csv.export_product_rows(owner, cooperative))
    row = next(csv.reader(io.StringIO(exported.splitlines()[1])))
    assert row[0] == "'-SKU1" and row[1].startswith("'=HYPERLINK(")
    preview = product_csv.preview_product_import(owner, cooperative, exported)
    assert preview.is_valid, preview.file_errors + [error for row in preview.rows for error in row.errors]
    assert [(row.details.sku, row.details.name) for row in preview.rows] == [("-SKU1", product.name)]


@pytest.mark.parametrize("value, shown", [
    ("=1+1", "'=1+1"), ("+6281234", "'+6281234"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("Batik = cantik", "Batik = cantik"), (125000, "125000"), (None, ""),
])
def test_every_export_line_is_spreadsheet_safe(value, shown):
    assert next(csv.reader(io.StringIO(csv_line([value])))) == [shown]


def test_a_member_export_with_formula_names_is_safe_and_comes_back_the_same(app):
    cooperative = create_cooperative()
    owner = owner_of(cooperative)
    create_member(cooperative, full_name="@Suparmi", phone="+6281329000002")
    exported = "".join(member_csv.export_member_rows(owner, cooperative))
    assert "'@Suparmi" in exported and "'+6281329000002" in exported
    values = member_csv.preview_member_import(owner, create_cooperative(owner), exported).rows[0].details
    assert (values.full_name, values.phone) == ("@Suparmi", "+6281329000002")


# 13 and 5. Spreadsheets refused with a reason ----------------------------------------------------------------------

@pytest.mark.parametrize("text, problem", [
    ("sku,nama,nama\nA,B,C\n", "lebih dari sekali"),
    ("sku,nama,kategori,satuan,harga\nA-1,Tas,anyaman,pcs,1000,tambahan\n", "lebih banyak sel"),
    ("sku,nama,kategori,satuan,harga\nA-1,Tas\x00,anyaman,pcs,1000\n", "karakter kendali"),
])
def test_spreadsheets_of_the_wrong_shape_are_refused_before_anything_is_written(app, text, problem):
    cooperative = create_cooperative()
    preview = product_csv.preview_product_import(owner_of(cooperative), cooperative, text)
    assert not preview.is_valid and problem in " ".join(preview.file_errors)


def test_a_utf16_spreadsheet_is_asked_to_be_saved_as_utf8(app):
    assert decode_upload("sku,nama\nA,Tas\n".encode("utf-16")) is None
    assert decode_upload("sku,nama\nA,Tas\n".encode("utf-16-le")) is None
    assert decode_upload("sku,nama\nA,Café\n".encode("cp1252")) == "sku,nama\nA,Café\n"
    cooperative = create_cooperative()
    client = signed_in(app, owner_of(cooperative))
    url = f"/manage/{cooperative.slug}/products/import"
    response = client.post(url, data={"csrf_token": csrf_token_from(client, url),
                                      "file": (io.BytesIO("sku,nama\n".encode("utf-16")), "produk.csv")})
    assert response.status_code == 422 and "UTF-8" in page_text(response)


# 5. NUL bytes, anywhere ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("address, status", [
    ("/products/abc%00", 404), ("/cooperatives/abc%00", 404), ("/media/logos%00x.webp", 404),
    ("/manage/abc%00/members", 404),
    ("/cooperatives?province=12%00", 200), ("/search?q=%00", 200), ("/search?q=batik%00&page=2%00", 200),
    ("/suppliers?cert=%00&province=%00", 200), ("/cooperatives?type=%00", 200),
])
def test_a_nul_byte_in_an_address_is_no_page_and_in_a_filter_is_ignored(app, client, address, status):
    assert client.get(address).status_code == status


def test_a_nul_byte_in_a_staff_list_filter_or_the_audit_filter_is_ignored(app):
    cooperative = create_cooperative()
    client = signed_in(app, owner_of(cooperative))
    for address in (f"/manage/{cooperative.slug}/members?q=%00", f"/manage/{cooperative.slug}/products?q=a%00"):
        assert client.get(address).status_code == 200
    admin = signed_in(app, create_user(kind=AccountKind.ADMIN))
    assert admin.get("/admin/audit?action=%00").status_code == 200


def test_a_nul_byte_in_a_form_changes_nothing(app):
    cooperative = create_cooperative()
    client = signed_in(app, owner_of(cooperative))
    url = f"/manage/{cooperative.slug}/members/new"
    response = client.post(url, data={"csrf_token": csrf_token_from(client, url), "member_number": "A-9",
                                      "full_name": "Supar\x00mi", "joined_on": "2021-02-09", "status": "active"})
    assert response.status_code == 400 and "NUL" in page_text(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Member)) == 0


# 8. Bank account numbers only for those who handle money -------------------------------------------------------------

def test_plain_staff_see_a_members_account_number_masked_and_export_none(app):
    cooperative = create_cooperative()
    member = create_member(cooperative, payout_method=PayoutMethod.BANK, payout_provider="BRI",
                           payout_account_number="002101000123456")
    clerk = add_staff(cooperative, "staff")
    page = page_text(signed_in(app, clerk).get(f"/manage/{cooperative.slug}/members/{member.id}"))
    assert "002101000123456" not in page and "3456" in page
    assert "002101000123456" not in "".join(member_csv.export_member_rows(clerk, cooperative))
    owner = owner_of(cooperative)
    assert "002101000123456" in "".join(member_csv.export_member_rows(owner, cooperative))


# 10. Signing out ends the session on the server --------------------------------------------------------------------

def copy_of_the_browser(app, client):
    """A second browser holding a copy of the first one's cookies (a stolen or copied cookie)."""
    thief = app.test_client()
    for name in ("session", "remember_token"):
        cookie = client.get_cookie(name)
        if cookie is not None:
            thief.set_cookie(name, cookie.value)
    return thief


def test_a_copied_cookie_stops_working_when_its_owner_signs_out(app):
    buyer = create_user(email="budi@contoh.id")
    client = app.test_client()
    AuthActions(client).login(buyer, remember="y")
    thief = copy_of_the_browser(app, client)
    assert thief.get("/account").status_code == 200
    AuthActions(client).logout()
    assert thief.get("/account").status_code == 302  # to the sign-in page
    assert client.get("/account").status_code == 302


def test_sign_out_everywhere_ends_every_browser_and_a_new_sign_in_works(app):
    buyer = create_user(email="budi@contoh.id")
    laptop, phone = app.test_client(), app.test_client()
    AuthActions(laptop).login(buyer)
    AuthActions(phone).login(buyer)
    response = post_form(phone, "/account/sign-out-everywhere", {}, token_from="/account", follow_redirects=True)
    assert "setiap perangkat" in page_text(response)
    assert laptop.get("/account").status_code == 302 and phone.get("/account").status_code == 302
    AuthActions(laptop).login(buyer)
    assert laptop.get("/account").status_code == 200


def test_form_tokens_have_a_lifetime(app):
    assert 0 < app.config["WTF_CSRF_TIME_LIMIT"] <= 24 * 60 * 60
