"""Attacks and careless input that once got through, kept as regression cases (docs/SECURITY.md)."""

import csv
import io
import threading
from pathlib import Path

import pypdf
import pytest
import sqlalchemy as sa
from PIL import Image

from marketplace.accounts.models import AccountKind, User
from marketplace.catalog.models import Product
from marketplace.catalog.services import images, product_csv
from marketplace.cooperatives.models import DocumentKind, Member, PayoutMethod
from marketplace.cooperatives.services import member_csv, profile
from marketplace.core.csv_files import csv_line, decode_upload
from marketplace.core.documents import InvalidDocument
from marketplace.core.errors import NotPermitted
from marketplace.core.images import InvalidImage, open_verified_image, store_image
from marketplace.core.storage import get_private_storage, get_storage
from marketplace.core.unit_of_work import unit_of_work
from marketplace.extensions import db
from tests.factories import (
    add_staff,
    category,
    cooperative_details,
    create_cooperative,
    create_member,
    create_product,
    create_user,
    gps_exif,
    owner_of,
    pdf_bytes,
    picture_bytes,
)
from tests.helpers import AuthActions, csrf_token_from, page_text, post_form, refused, signed_in

PDF = pdf_bytes(author="Sekretaris Koperasi")


# 1. Private documents stay private -------------------------------------------------------------------------------

def test_a_verification_document_is_stored_outside_the_public_uploads_under_a_random_name(app):
    cooperative = create_cooperative()
    document = profile.add_document(owner_of(cooperative), cooperative, kind=DocumentKind.NIB, filename="nib.pdf",
                                    data=PDF)
    path = get_private_storage().local_path(document.storage_key)
    assert path.read_bytes().startswith(b"%PDF-")
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


# 9. A removed photo or a replaced logo is no longer served -----------------------------------------------------------

def test_a_removed_photo_is_deleted_after_the_commit_unless_another_product_shows_it(app, client):
    cooperative = create_cooperative()
    owner = owner_of(cooperative)
    first, second = create_product(cooperative), create_product(cooperative)
    shared, own = picture_bytes(size=(300, 200)), picture_bytes(size=(320, 200))
    with unit_of_work():
        shared_on_first = images.add_product_image(owner, first, shared)
        images.add_product_image(owner, second, shared)
        own_photo = images.add_product_image(owner, first, own)
    own_key, shared_key = own_photo.stored.key(320), shared_on_first.stored.key(300)
    assert client.get(f"/media/{own_key}").status_code == 200
    with unit_of_work():
        images.remove_product_image(owner, first, own_photo.id)
        images.remove_product_image(owner, first, shared_on_first.id)
    assert client.get(f"/media/{own_key}").status_code == 404
    assert client.get(f"/media/{shared_key}").status_code == 200  # the second product still shows it


def test_a_photo_removal_that_is_rolled_back_keeps_its_files(app, client):
    product = create_product()
    owner = owner_of(product.cooperative)
    with unit_of_work():
        photo = images.add_product_image(owner, product, picture_bytes(size=(300, 200)))
    key = photo.stored.key(300)
    with pytest.raises(RuntimeError), unit_of_work():
        images.remove_product_image(owner, product, photo.id)
        raise RuntimeError("a later step failed")
    assert client.get(f"/media/{key}").status_code == 200


def test_a_replaced_logo_is_no_longer_served(app, client):
    cooperative = create_cooperative()
    with unit_of_work():
        profile.set_logo(owner_of(cooperative), cooperative, picture_bytes(size=(400, 400)))
    old_key = cooperative.logo_image.key(96)
    with unit_of_work():
        profile.set_logo(owner_of(cooperative), cooperative, picture_bytes(size=(410, 400)))
    assert client.get(f"/media/{old_key}").status_code == 404
    assert client.get(f"/media/{cooperative.logo_image.key(96)}").status_code == 200


# 7. One upload cannot cost a worker seconds and hundreds of megabytes ------------------------------------------------

def test_a_small_file_of_too_many_pixels_is_refused_before_it_is_decoded(app):
    huge = picture_bytes("PNG", size=(6300, 6300))
    assert len(huge) < 1_000_000  # small on the wire, 40 megapixels once decoded
    with refused("too_many_pixels", InvalidImage):
        store_image(huge, prefix="test", widths=(160, 1280))


def test_a_large_camera_jpeg_is_decoded_at_a_reduced_scale(app):
    photo = picture_bytes("JPEG", size=(5600, 4200))
    assert open_verified_image(photo, needed_width=1280).size == (2800, 2100)  # JPEG draft: half the scale
    stored = store_image(photo, prefix="test", widths=(160, 1280))
    assert stored.widths == (160, 1280) and (stored.width, stored.height) == (2800, 2100)


def test_uploads_are_limited_per_account(app):
    product = create_product()
    client = signed_in(app, owner_of(product.cooperative))
    url = f"/manage/{product.cooperative.slug}/products/{product.id}/photos"
    app.config["UPLOAD_RATE_LIMIT"] = "2 per minute"
    try:
        statuses = [client.post(url, data={"csrf_token": csrf_token_from(client, url), "alt_text": "foto",
                                           "photo": (io.BytesIO(picture_bytes(size=(200 + n, 200))), "a.jpg")}
                                ).status_code for n in range(3)]
    finally:
        app.config["UPLOAD_RATE_LIMIT"] = "30 per minute; 300 per hour"
    assert statuses == [302, 302, 429]


# 11. Addresses are confirmed before an account can register a cooperative; registration is rate-limited ------------

REGISTRATION = {"name": "Siti Aminah", "email": "siti@contoh.id", "phone": "", "kind": "cooperative_staff",
                "password": "anyaman-bambu-99", "confirm": "anyaman-bambu-99"}


def test_a_new_account_confirms_its_address_by_the_emailed_link_before_registering_a_cooperative(app, outbox):
    client = app.test_client()
    post_form(client, "/register", REGISTRATION)
    siti = db.session.scalar(sa.select(User).where(User.email == "siti@contoh.id"))
    assert siti.email_verified_at is None
    with pytest.raises(NotPermitted) as refusal:
        profile.register_cooperative(siti, cooperative_details())
    assert refusal.value.code == "email_not_verified"
    link = outbox[-1].get_content().split("http://localhost")[1].split()[0]
    assert client.get(link).status_code == 200  # a page with a button: opening a link changes nothing
    db.session.refresh(siti)
    assert siti.email_verified_at is None
    post_form(client, link, {}, token_from=link)
    db.session.refresh(siti)
    assert siti.email_verified_at is not None
    assert profile.register_cooperative(siti, cooperative_details()).id is not None


def test_a_confirmation_link_for_an_address_the_account_no_longer_has_is_refused(app, outbox):
    client = app.test_client()
    post_form(client, "/register", REGISTRATION)
    link = outbox[-1].get_content().split("http://localhost")[1].split()[0]
    siti = db.session.scalar(sa.select(User).where(User.email == "siti@contoh.id"))
    siti.email = "siti.baru@contoh.id"
    db.session.commit()
    response = post_form(client, link, {}, token_from=link, follow_redirects=True)
    assert "tidak berlaku" in page_text(response)
    db.session.refresh(siti)
    assert siti.email_verified_at is None


def test_registration_is_rate_limited(app):
    app.config["RATELIMIT_ENABLED"] = True
    client = app.test_client()
    statuses = [post_form(client, "/register", {**REGISTRATION, "email": f"orang{n}@contoh.id"}).status_code
                for n in range(7)]
    assert 429 in statuses


# 13. Documents: a PDF must open, and what a document says about its author stays behind ---------------------------

def test_a_pdf_that_does_not_open_is_refused_whatever_its_first_bytes(app):
    cooperative = create_cooperative()
    for broken in (b"%PDF-1.4\n1 0 obj", PDF[: len(PDF) // 2], b"%PDF-" + b"\x00" * 200):
        with refused("damaged_pdf", InvalidDocument):
            profile.add_document(owner_of(cooperative), cooperative, kind=DocumentKind.NIB, filename="nib.pdf",
                                 data=broken)


def test_a_stored_pdf_loses_its_author_and_a_stored_photo_its_gps_position(app):
    cooperative = create_cooperative()
    owner = owner_of(cooperative)
    pdf = profile.add_document(owner, cooperative, kind=DocumentKind.NIB, filename="nib.pdf", data=PDF)
    stored_pdf = get_private_storage().read(pdf.storage_key)
    assert pypdf.PdfReader(io.BytesIO(PDF)).metadata.author == "Sekretaris Koperasi"
    assert not (pypdf.PdfReader(io.BytesIO(stored_pdf)).metadata or {}).get("/Author")
    assert b"Sekretaris Koperasi" not in stored_pdf
    photo = profile.add_document(owner, cooperative, kind=DocumentKind.NPWP, filename="npwp.jpg",
                                 data=picture_bytes(exif=gps_exif()))
    with Image.open(io.BytesIO(get_private_storage().read(photo.storage_key))) as stored_photo:
        assert not stored_photo.getexif().get_ifd(0x8825)
        assert photo.content_type == "image/jpeg"


def test_a_decompression_bomb_caught_by_pillow_itself_says_too_many_pixels(app, monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100_000)  # Pillow refuses above twice this, while opening
    app.config["IMAGE_MAX_PIXELS"] = 10**9
    with refused("too_many_pixels", InvalidImage):
        store_image(picture_bytes("PNG", size=(1000, 1000)), prefix="test", widths=(96,))


# 4. Double submits and races: the database's refusal becomes the form's message, never a 500 -----------------------

def submit_at_once(app, clients: list, url: str, data: dict) -> list:
    """The same form sent by several browsers at the same moment (real threads, each its own request)."""
    tokens = [csrf_token_from(client, url) for client in clients]
    db.session.commit()
    start = threading.Barrier(len(clients))
    responses: list = [None] * len(clients)

    def send(index: int) -> None:
        with app.app_context():
            start.wait()
            response = clients[index].post(url, data={**data, "csrf_token": tokens[index]})
            responses[index] = (response.status_code, page_text(response))

    threads = [threading.Thread(target=send, args=(index,)) for index in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return responses


def test_the_same_product_saved_four_times_at_once_is_created_once(app):
    cooperative = create_cooperative()
    owner = owner_of(cooperative)
    form = {"name": "Keranjang anyaman bambu", "sku": "ANY-01", "unit": "pcs", "base_price": "85.000",
            "min_order_quantity": "1", "availability": "ready_stock", "category_id": category().id}
    responses = submit_at_once(app, [signed_in(app, owner) for _ in range(4)],
                               f"/manage/{cooperative.slug}/products/new", form)
    statuses = sorted(status for status, _page in responses)
    assert statuses == [302, 422, 422, 422], statuses
    assert all("SKU" in page for status, page in responses if status == 422)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Product)) == 1


def test_the_same_member_number_saved_at_once_is_added_once(app):
    cooperative = create_cooperative()
    owner = owner_of(cooperative)
    form = {"member_number": "A-001", "full_name": "Suparmi", "joined_on": "2021-02-09", "status": "active",
            "payout_method": "cash", "gender": "P"}
    responses = submit_at_once(app, [signed_in(app, owner) for _ in range(3)],
                               f"/manage/{cooperative.slug}/members/new", form)
    assert sorted(status for status, _page in responses) == [302, 422, 422], responses
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Member)) == 1
