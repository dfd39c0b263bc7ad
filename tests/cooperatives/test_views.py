import io

from marketplace.accounts.models import AccountKind
from marketplace.cooperatives.models import Cooperative, CooperativeDocument, CooperativeStatus, LegalForm, Member
from marketplace.cooperatives.services.directory import CooperativeFilters, public_cooperatives_query
from marketplace.core.pagination import paginate_keys_first
from marketplace.core.storage import get_private_storage
from marketplace.extensions import db
from tests.factories import create_cooperative, create_member, create_user, owner_of, pdf_bytes, picture_bytes
from tests.helpers import AuthActions, csrf_token_from, page_text, post_form, signed_in

REGISTRATION = {
    "name": "Koperasi Produsen Tunas Sukowati Jaya", "legal_form": "koperasi", "cooperative_type": "produsen",
    "membership_area": "kabupaten_kota", "nik_valid_until": "2027-03-31",
    "nik_koperasi": "3314-0202-1000-0017", "legal_decree_number": "AHU-0003127.AH.01.26.TAHUN 2020",
    "legal_decree_date": "2020-11-12", "nib": "9120002731945", "npwp": "91.234.567.0-527.000",
    "street_address": "Jl. Solo-Purwodadi Km. 14", "province_code": "33", "regency_code": "33.14",
    "postal_code": "57275", "phone": "0813 2900 0002", "email": "pengurus@tunassukowati.id",
    "member_count": "48", "description": "Anyaman bambu.",
}


def test_registering_a_cooperative_through_the_form(app):
    person = create_user(kind=AccountKind.COOPERATIVE_STAFF)
    client = signed_in(app, person)
    response = post_form(client, "/cooperatives/register", REGISTRATION)
    assert response.status_code == 302
    cooperative = db.session.scalar(db.select(Cooperative))
    assert response.headers["Location"] == f"/manage/{cooperative.slug}"
    assert (cooperative.nik_koperasi, cooperative.npwp, cooperative.phone) == (
        "3314020210000017", "0912345670527000", "+6281329000002")  # the 16-digit form
    assert cooperative.status == CooperativeStatus.PENDING
    dashboard = page_text(client.get(response.headers["Location"]))
    assert "Menunggu verifikasi" in dashboard and "Unggah dokumen legalitas" in dashboard


def test_bad_registration_input_is_shown_per_field_and_nothing_is_saved(app):
    client = signed_in(app, create_user(kind=AccountKind.COOPERATIVE_STAFF))
    response = post_form(client, "/cooperatives/register", {
        **REGISTRATION, "nik_koperasi": "123", "npwp": "12", "province_code": "35", "phone": "12",
        "postal_code": "0123", "email": "bukan-email"})
    assert response.status_code == 422
    page = page_text(response)
    for message in ("NIK koperasi terdiri dari 16 digit", "NPWP terdiri dari 15 digit", "Kode pos terdiri dari 5 digit",
                    "Masukkan nomor telepon Indonesia", "alamat email yang valid"):
        assert message in page
    assert db.session.query(Cooperative).count() == 0


def test_a_region_mismatch_and_a_duplicate_identifier_are_explained(app):
    create_cooperative(nib="9120002731945")
    client = signed_in(app, create_user(kind=AccountKind.COOPERATIVE_STAFF))
    response = post_form(client, "/cooperatives/register", {**REGISTRATION, "province_code": "35"})
    assert "Pilih kabupaten atau kota di provinsi yang dipilih" in page_text(response)
    assert "NIB ini sudah terdaftar untuk koperasi lain" in page_text(response)
    assert db.session.query(Cooperative).count() == 1


def test_only_verified_cooperatives_are_listed_and_shown_publicly(app, client):
    verified = create_cooperative(name="Koperasi Terbuka", status="verified")
    pending = create_cooperative(name="Koperasi Menunggu", status="pending")
    suspended = create_cooperative(name="Koperasi Dibekukan", status="suspended")
    listing = page_text(client.get("/cooperatives"))
    assert "Koperasi Terbuka" in listing
    assert "Koperasi Menunggu" not in listing and "Koperasi Dibekukan" not in listing
    assert client.get(f"/cooperatives/{verified.slug}").status_code == 200
    assert client.get(f"/cooperatives/{pending.slug}").status_code == 404
    assert client.get(f"/cooperatives/{suspended.slug}").status_code == 404
    insider = signed_in(app, owner_of(pending))
    assert "Sebelum koperasi terverifikasi" in page_text(insider.get(f"/cooperatives/{pending.slug}"))


def test_the_directory_filters_by_region_type_and_badges(app, client):
    create_cooperative(name="Koperasi Sragen", last_rat_book_year=2023)
    create_cooperative(name="Kopontren Lamongan", province_code="35", regency_code="35.24",
                       is_pesantren=True, pesantren_name="PP Sunan Drajat", opop_participant=True,
                       cooperative_type="pemasaran")
    names = lambda query: page_text(client.get(f"/cooperatives?{query}"))  # noqa: E731
    assert "Kopontren Lamongan" not in names("province=33")
    assert "Koperasi Sragen" not in names("regency=35.24")
    assert "Koperasi Sragen" not in names("kopontren=1")
    assert "Kopontren Lamongan" in names("opop=1&type=pemasaran")
    assert "Koperasi Sragen" not in names("rat=1")
    assert "Tidak ada koperasi terverifikasi yang cocok" in names("province=91")
    assert client.get("/cooperatives?province=%27;DROP&type=x&page=abc").status_code == 200
    assert client.get("/cooperatives?page=99999").status_code == 200


def test_contact_details_show_only_to_signed_in_visitors(app, client):
    cooperative = create_cooperative(phone="+6281329000002")
    assert "+6281329000002" not in page_text(client.get(f"/cooperatives/{cooperative.slug}"))
    buyer = signed_in(app, create_user(kind=AccountKind.BUYER))
    assert "+6281329000002" in page_text(buyer.get(f"/cooperatives/{cooperative.slug}"))


def test_logo_upload_is_checked_and_served(app):
    cooperative = create_cooperative()
    client = signed_in(app, owner_of(cooperative))
    token = csrf_token_from(client, f"/manage/{cooperative.slug}/profile")
    bad = client.post(f"/manage/{cooperative.slug}/logo", data={
        "csrf_token": token, "logo": (io.BytesIO(b"GIF89a not really"), "logo.png")}, follow_redirects=True)
    assert "bukan gambar yang dapat kami baca" in page_text(bad)
    assert db.session.get(Cooperative, cooperative.id).logo is None
    good = client.post(f"/manage/{cooperative.slug}/logo", data={
        "csrf_token": token, "logo": (io.BytesIO(picture_bytes()), "logo.jpg")})
    assert good.status_code == 302
    logo = db.session.get(Cooperative, cooperative.id).logo_image
    media = client.get(f"/media/{logo.key(96)}")
    assert media.status_code == 200 and media.mimetype == "image/webp"
    assert "max-age=31536000" in media.headers["Cache-Control"]


def test_private_documents_are_never_served_as_media(app, client):
    assert client.get("/media/private/documents/1/x.pdf").status_code == 404
    assert client.get("/media/../instance/secret_key").status_code == 404


def test_documents_upload_accepts_pdf_and_photos_only(app):
    cooperative = create_cooperative()
    client = signed_in(app, owner_of(cooperative))
    token = csrf_token_from(client, f"/manage/{cooperative.slug}/documents")
    refused = client.post(f"/manage/{cooperative.slug}/documents", data={
        "csrf_token": token, "kind": "nib", "document": (io.BytesIO(b"MZ\x90\x00 an exe"), "nib.pdf")})
    assert refused.status_code == 422
    assert "Unggah dokumen sebagai berkas PDF" in page_text(refused)
    accepted = client.post(f"/manage/{cooperative.slug}/documents", data={
        "csrf_token": token, "kind": "nib", "document": (io.BytesIO(pdf_bytes()), "NIB koperasi.pdf")})
    assert accepted.status_code == 302
    document = db.session.scalar(db.select(CooperativeDocument))
    assert get_private_storage().local_path(document.storage_key).is_file()  # kept apart from public uploads
    download = client.get(f"/manage/{cooperative.slug}/documents/{document.id}")
    assert download.data.startswith(b"%PDF")


def test_admin_verifies_a_cooperative_from_the_queue(app, outbox):
    cooperative = create_cooperative(status="pending", name="Koperasi Menunggu")
    admin = signed_in(app, create_user(kind=AccountKind.ADMIN))
    assert "Koperasi Menunggu" in page_text(admin.get("/admin/cooperatives"))
    detail = admin.get(f"/admin/cooperatives/{cooperative.id}")
    assert "3314" in page_text(detail)
    refused = post_form(admin, f"/admin/cooperatives/{cooperative.id}/status", {"status": "rejected", "reason": ""},
                        token_from=f"/admin/cooperatives/{cooperative.id}", follow_redirects=True)
    assert "Tuliskan alasannya" in page_text(refused)
    assert db.session.get(Cooperative, cooperative.id).status == CooperativeStatus.PENDING
    post_form(admin, f"/admin/cooperatives/{cooperative.id}/status", {"status": "verified"},
              token_from=f"/admin/cooperatives/{cooperative.id}")
    assert db.session.get(Cooperative, cooperative.id).status == CooperativeStatus.VERIFIED
    assert "sudah terverifikasi" in outbox[0].get_content()
    invalid = post_form(admin, f"/admin/cooperatives/{cooperative.id}/status", {"status": "bogus"},
                        token_from=f"/admin/cooperatives/{cooperative.id}", follow_redirects=True)
    assert "Pilih tindakan" in page_text(invalid)


def test_member_form_saves_and_reports_errors(app):
    cooperative = create_cooperative()
    client = signed_in(app, owner_of(cooperative))
    url = f"/manage/{cooperative.slug}/members/new"
    bad = post_form(client, url, {"member_number": "A-1", "full_name": "Suparmi", "joined_on": "2021-02-09",
                                  "national_id": "12", "status": "left", "payout_method": "cash", "gender": ""})
    assert bad.status_code == 422
    assert "NIK terdiri dari 16 digit" in page_text(bad)
    still_bad = post_form(client, url, {"member_number": "A-1", "full_name": "Suparmi", "joined_on": "2021-02-09",
                                        "status": "left", "payout_method": "cash", "gender": ""})
    assert still_bad.status_code == 422
    assert "Masukkan tanggal anggota keluar" in page_text(still_bad)
    good = post_form(client, url, {"member_number": "A-1", "full_name": "Suparmi", "joined_on": "2021-02-09",
                                   "national_id": "3314 0157 0890 0001", "status": "active", "payout_method": "ewallet",
                                   "payout_provider": "DANA", "payout_account_number": "081234567890", "gender": "P"})
    assert good.status_code == 302
    member = db.session.scalar(db.select(Member))
    assert (member.national_id, member.gender) == ("3314015708900001", "P")


def test_csv_import_previews_then_imports_in_one_go(app):
    cooperative = create_cooperative()
    client = signed_in(app, owner_of(cooperative))
    url = f"/manage/{cooperative.slug}/members/import"
    token = csrf_token_from(client, url)
    content = "nomor_anggota,nama_lengkap,tanggal_bergabung\nA-1,Suparmi,2021-02-09\nA-2,Joko,2021-02-10\n"
    preview = client.post(url, data={"csrf_token": token, "file": (io.BytesIO(content.encode()), "anggota.csv")})
    assert preview.status_code == 200
    assert "Semua 2 baris benar" in page_text(preview)
    assert db.session.query(Member).count() == 0
    confirm = client.post(url + "/confirm", data={"csrf_token": token, "content": content}, follow_redirects=True)
    assert "2 anggota berhasil diimpor" in page_text(confirm)
    assert db.session.query(Member).count() == 2


def test_a_csv_with_errors_shows_them_and_offers_no_import_button(app):
    cooperative = create_cooperative()
    client = signed_in(app, owner_of(cooperative))
    url = f"/manage/{cooperative.slug}/members/import"
    token = csrf_token_from(client, url)
    content = "nomor_anggota,nama_lengkap,tanggal_bergabung\nA-1,,2021-02-09\n"
    preview = client.post(url, data={"csrf_token": token, "file": (io.BytesIO(content.encode()), "anggota.csv")})
    assert preview.status_code == 422
    assert "Kolom nama_lengkap kosong" in page_text(preview)
    assert "/members/import/confirm" not in page_text(preview)
    forced = client.post(url + "/confirm", data={"csrf_token": token, "content": content})
    assert forced.status_code == 422
    assert db.session.query(Member).count() == 0
    binary = client.post(url, data={"csrf_token": token, "file": (io.BytesIO(b"\xff\xfe\x00\x81\x8d"), "x.csv")})
    assert binary.status_code in (200, 422)


def test_member_export_streams_csv(app):
    cooperative = create_cooperative()
    create_member(cooperative, full_name="Suparmi")
    client = signed_in(app, owner_of(cooperative))
    response = client.get(f"/manage/{cooperative.slug}/members/export.csv")
    assert response.mimetype == "text/csv"
    assert response.was_streamed
    assert "Suparmi" in response.get_data(as_text=True)


def test_accepting_a_staff_invitation_through_the_link(app, outbox):
    cooperative = create_cooperative()
    owner_client = signed_in(app, owner_of(cooperative))
    post_form(owner_client, f"/manage/{cooperative.slug}/staff", {"email": "dewi@contoh.id", "role": "staff"})
    link = outbox[0].get_content().split("http://localhost")[1].split()[0]
    visitor = app.test_client()
    assert "Masuk, atau buat akun" in page_text(visitor.get(link))
    dewi = create_user(email="dewi@contoh.id")
    AuthActions(visitor).login(dewi)
    accepted = post_form(visitor, link, {})
    assert accepted.headers["Location"] == f"/manage/{cooperative.slug}"
    assert visitor.get(f"/manage/{cooperative.slug}/members").status_code == 200
    assert visitor.get(link).status_code == 410


def test_a_linked_member_sees_only_their_own_record(app):
    cooperative = create_cooperative()
    suparmi_account = create_user(email="suparmi@contoh.id")
    create_member(cooperative, full_name="Suparmi", user_id=suparmi_account.id)
    create_member(cooperative, full_name="Joko Susilo")
    client = signed_in(app, suparmi_account)
    page = page_text(client.get("/my/memberships"))
    assert "Suparmi" in page and "Joko Susilo" not in page
    assert client.get(f"/manage/{cooperative.slug}/members").status_code == 403


def test_long_lists_are_paginated_with_working_links(app, client):
    for number in range(26):
        create_cooperative(name=f"Koperasi Nomor {number:02d}")
    first = page_text(client.get("/cooperatives"))
    assert "Halaman 1 dari 2" in first and 'rel="next"' in first and "26 hasil" in first
    second = page_text(client.get("/cooperatives?page=2"))
    assert "Koperasi Nomor 25" in second and 'rel="prev"' in second
    assert client.get("/suppliers?page=2").status_code == 200


def test_a_directory_read_page_by_page_is_the_whole_list_in_its_order(app):
    for number in range(11):  # named in the reverse of their ids, so the pages' order is not the keys' order
        create_cooperative(name=f"Koperasi Urutan {10 - number:02d}")
    statement = public_cooperatives_query(CooperativeFilters())
    whole = [cooperative.name for cooperative in db.session.scalars(statement)]
    pages = []
    for number in (1, 2, 3, 4, 99):
        with app.test_request_context(f"/cooperatives?page={number}"):
            pages.append(paginate_keys_first(statement, Cooperative, per_page=4))
    assert [[cooperative.name for cooperative in page.items] for page in pages] == [
        whole[0:4], whole[4:8], whole[8:11], [], []]
    assert whole[:2] == ["Koperasi Urutan 00", "Koperasi Urutan 01"]
    assert [(page.total, page.pages) for page in pages] == [(11, 3)] * 5  # past the end: counted, not listed


def test_forms_sent_without_their_file_explain_and_change_nothing(app):
    cooperative = create_cooperative()
    client = signed_in(app, owner_of(cooperative))
    for url, field in ((f"/manage/{cooperative.slug}/documents", "Pilih berkas."),
                       (f"/manage/{cooperative.slug}/members/import", "Pilih berkas CSV.")):
        response = post_form(client, url, {"kind": "nib"})
        assert response.status_code == 422 and field in page_text(response)
    logo = post_form(client, f"/manage/{cooperative.slug}/logo", {}, token_from=f"/manage/{cooperative.slug}/profile",
                     follow_redirects=True)
    assert "Pilih berkas gambar." in page_text(logo)
    assert db.session.query(CooperativeDocument).count() == 0
    assert db.session.get(Cooperative, cooperative.id).logo is None


def test_a_double_submitted_registration_creates_one_cooperative(app):
    client = signed_in(app, create_user(kind=AccountKind.COOPERATIVE_STAFF))
    first = post_form(client, "/cooperatives/register", REGISTRATION)
    second = post_form(client, "/cooperatives/register", REGISTRATION)
    assert first.status_code == 302 and second.status_code == 422
    assert "sudah terdaftar untuk koperasi lain" in page_text(second)
    assert db.session.query(Cooperative).count() == 1


def test_bad_input_on_small_forms_is_flashed_not_a_server_error(app):
    from marketplace.sourcing.services import shortlists

    cooperative = create_cooperative()
    member = create_member(cooperative)
    owner = owner_of(cooperative)
    client = signed_in(app, owner)
    invite = post_form(client, f"/manage/{cooperative.slug}/members/{member.id}/account", {"email": "bukan-email"},
                       token_from=f"/manage/{cooperative.slug}/members/{member.id}", follow_redirects=True)
    assert invite.status_code == 200 and "alamat email yang valid" in page_text(invite)
    from tests.factories import create_product

    product = create_product(cooperative)
    stock_page = f"/manage/{cooperative.slug}/products/{product.id}/stock"
    adjust = post_form(client, stock_page + "/adjust",
                       {"lot_id": "1", "quantity_change": "banyak", "reason": "damaged"},
                       token_from=stock_page, follow_redirects=True)
    assert adjust.status_code == 200
    shortlist = shortlists.create_shortlist(owner, "Uji")
    item = shortlists.add_to_shortlist(owner, shortlist, product_id=product.id)
    update = post_form(client, f"/shortlists/{shortlist.id}/items/{item.id}", {"wanted_quantity": "-5"},
                       token_from=f"/shortlists/{shortlist.id}", follow_redirects=True)
    assert update.status_code == 200 and "Masukkan jumlah 1 atau lebih." in page_text(update)


def test_a_pre_cooperative_group_says_on_its_profile_that_it_cannot_take_government_orders_yet(app, client):
    group = create_cooperative(legal_form=LegalForm.PRE_COOPERATIVE, nik_koperasi=None, nik_valid_until=None,
                               legal_decree_number=None, legal_decree_date=None, nib=None, npwp=None,
                               membership_area=None)
    page = page_text(client.get(f"/cooperatives/{group.slug}"))
    assert "belum berbadan hukum" in page and "surat pesanan" in page
    admin = signed_in(app, create_user(kind=AccountKind.ADMIN))
    assert "Kelompok prakoperasi" in page_text(admin.get(f"/admin/cooperatives/{group.id}"))


def test_rats_are_recorded_by_book_year_and_dormant_cooperatives_are_listed_and_kept_from_buyers(app, client):
    active = create_cooperative(name="Koperasi Rajin RAT")
    silent = create_cooperative(name="Koperasi Lama Diam", last_rat_book_year=2019, founded_year=2009)
    owner_client = signed_in(app, owner_of(active))
    url = f"/manage/{active.slug}/rat"
    refused = post_form(owner_client, url, {"book_year": "2025", "held_on": "2026-04-01"})
    assert refused.status_code == 422 and "sudah dicatat" in page_text(refused)
    recorded = post_form(owner_client, url, {"book_year": "2024", "held_on": "2025-03-01", "members_present": "30",
                                             "shu_decided": "12.500.000"}, follow_redirects=True)
    assert "Tahun Buku 2024 sudah dicatat" in page_text(recorded) and "Rp 12.500.000" in page_text(recorded)
    admin = signed_in(app, create_user(kind=AccountKind.ADMIN))
    dormant_page = page_text(admin.get("/admin/dormant"))
    assert "Koperasi Lama Diam" in dormant_page and "Koperasi Rajin RAT" not in dormant_page
    assert "2025, 2024, 2023" in dormant_page
    assert "Koperasi Lama Diam" not in page_text(client.get("/suppliers"))
    assert "Koperasi Lama Diam" in page_text(client.get("/suppliers?dormant=1"))
    assert "RAT tahun buku 2025 terlambat" not in page_text(client.get(f"/cooperatives/{silent.slug}"))
