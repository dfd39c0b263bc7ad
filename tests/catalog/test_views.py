import io

import pytest

from marketplace.accounts.models import AccountKind
from marketplace.catalog.models import Product, ProductStatus, StockLot
from marketplace.catalog.services import product_csv, stock
from marketplace.core.timeutil import local_today
from marketplace.extensions import db
from tests.factories import (
    add_staff,
    category,
    create_cooperative,
    create_member,
    create_product,
    create_user,
    owner_of,
    picture_bytes,
)
from tests.helpers import AuthActions, csrf_token_from, page_text, post_form, signed_in

GOOD_PRODUCT = {
    "name": "Keranjang anyaman bambu", "sku": "ANY-01", "unit": "pcs", "base_price": "85.000",
    "min_order_quantity": "1", "availability": "ready_stock", "description": "Bambu apus.",
    "tiers-0-min_quantity": "12", "tiers-0-unit_price": "Rp 78.000",
    "tiers-1-min_quantity": "50", "tiers-1-unit_price": "70000",
}


def test_staff_create_a_product_with_tiers_through_the_form(app):
    cooperative = create_cooperative()
    clerk = add_staff(cooperative, "staff")
    client = signed_in(app, clerk)
    response = post_form(client, f"/manage/{cooperative.slug}/products/new",
                         {**GOOD_PRODUCT, "category_id": category().id})
    assert response.status_code == 302
    product = db.session.scalar(db.select(Product))
    assert (product.base_price, [(t.min_quantity, t.unit_price) for t in product.tiers]) == (
        85_000, [(12, 78_000), (50, 70_000)])
    assert product.status == ProductStatus.DRAFT


@pytest.mark.parametrize("changes, message", [
    ({"base_price": "dua ratus"}, "Masukkan jumlah dalam rupiah tanpa desimal"),
    ({"base_price": ""}, "Masukkan harga."),
    ({"tiers-0-unit_price": ""}, "Setiap jenjang harga grosir memerlukan jumlah dan harga"),
    ({"tiers-1-unit_price": "90000"}, "harus lebih rendah"),
    ({"min_order_quantity": "24"}, "di bawah minimal pembelian"),
    ({"availability": "made_to_order"}, "memerlukan lama produksi"),
    ({"category_id": "999999"}, "Pilih kategori dari daftar"),
    ({"min_order_quantity": "0"}, "Masukkan minimal pembelian"),
])
def test_bad_product_input_is_explained_and_nothing_is_saved(app, changes, message):
    cooperative = create_cooperative()
    client = signed_in(app, owner_of(cooperative))
    response = post_form(client, f"/manage/{cooperative.slug}/products/new",
                         {**GOOD_PRODUCT, "category_id": category().id, **changes})
    assert response.status_code == 422
    assert message in page_text(response)
    assert db.session.query(Product).count() == 0


def test_the_edit_form_shows_the_saved_prices_and_history(app):
    product = create_product(base_price=1_250_000, tiers=[(10, 1_100_000)])
    client = signed_in(app, owner_of(product.cooperative))
    page = page_text(client.get(f"/manage/{product.cooperative.slug}/products/{product.id}"))
    assert 'value="1.250.000"' in page and 'value="1.100.000"' in page
    assert "Riwayat harga" in page and "Rp 1.250.000" in page


def test_receiving_and_correcting_stock_through_the_pages(app):
    product = create_product()
    member = create_member(product.cooperative, full_name="Suparmi")
    client = signed_in(app, owner_of(product.cooperative))
    base = f"/manage/{product.cooperative.slug}/products/{product.id}/stock"
    bad = post_form(client, base + "/receive", {"member_id": member.id, "quantity": "0",
                                                "received_on": local_today().isoformat()}, token_from=base)
    assert bad.status_code == 422 and db.session.query(StockLot).count() == 0
    post_form(client, base + "/receive", {"member_id": member.id, "quantity": "12",
                                          "received_on": local_today().isoformat()}, token_from=base)
    lot = db.session.scalar(db.select(StockLot))
    refused = post_form(client, base + "/adjust", {"lot_id": lot.id, "quantity_change": "-20", "reason": "damaged"},
                        token_from=base, follow_redirects=True)
    assert "Hanya tersisa 12 unit" in page_text(refused)
    post_form(client, base + "/adjust", {"lot_id": lot.id, "quantity_change": "-2", "reason": "damaged",
                                         "note": "pecah"}, token_from=base)
    page = page_text(client.get(base))
    assert "Suparmi: <strong>10</strong>" in page and "pecah" in page


def test_photos_upload_reorder_and_refuse_non_images(app):
    product = create_product()
    client = signed_in(app, owner_of(product.cooperative))
    url = f"/manage/{product.cooperative.slug}/products/{product.id}/photos"
    token = csrf_token_from(client, url)
    bomb_like = client.post(url, data={"csrf_token": token, "photo": (io.BytesIO(b"not an image"), "x.jpg")})
    assert bomb_like.status_code == 422 and "bukan gambar" in page_text(bomb_like)
    for index in range(2):
        client.post(url, data={"csrf_token": token, "alt_text": f"foto {index}",
                               "photo": (io.BytesIO(picture_bytes(size=(300 + index, 200))), "f.jpg")})
    db.session.refresh(product)
    second = product.images[1]
    client.post(f"{url}/{second.id}/earlier", data={"csrf_token": token})
    db.session.refresh(product)
    assert product.images[0].id == second.id
    assert client.post(f"{url}/{second.id}/explode", data={"csrf_token": token}).status_code == 404
    assert client.post(f"{url}/999999/remove", data={"csrf_token": token}).status_code == 404


def test_the_public_product_page_shows_prices_stock_certificates_and_consenting_producers(app, client):
    cooperative = create_cooperative(name="Koperasi Tunas Sukowati Jaya")
    named = create_member(cooperative, full_name="Suparmi", public_name_consent=True)
    private = create_member(cooperative, full_name="Rahasia Sekali", public_name_consent=False)
    product = create_product(cooperative, producer_ids=[named.id, private.id])
    stock.receive_stock(owner_of(cooperative), product, member_id=named.id, quantity=40, received_on=local_today())
    page = page_text(client.get(f"/products/{product.slug}"))
    assert "Rp 85.000" in page and "12–49" in page and "50 atau lebih" in page
    assert "Stok siap: 40 tersedia" in page
    assert "Suparmi" in page and "Rahasia Sekali" not in page
    quote = page_text(client.get(f"/products/{product.slug}?quantity=60"))
    assert "60 × Rp 70.000 = Rp 4.200.000" in quote
    assert client.get(f"/products/{product.slug}?quantity=abc").status_code == 200
    assert client.get(f"/products/{product.slug}?quantity=99999999999").status_code == 200
    # The page reads only some of the cooperative's columns: its own staff, whose menu reads their cooperative,
    # see the same page.
    staff_page = page_text(signed_in(app, owner_of(cooperative)).get(f"/products/{product.slug}"))
    assert "Suparmi" in staff_page and "Koperasi Tunas Sukowati Jaya" in staff_page


@pytest.mark.parametrize("product_status, cooperative_status", [
    ("draft", "verified"), ("archived", "verified"), ("active", "pending"), ("active", "suspended")])
def test_hidden_products_are_404_for_everyone_on_the_public_page(app, client, product_status, cooperative_status):
    product = create_product(create_cooperative(status=cooperative_status), status=product_status)
    assert client.get(f"/products/{product.slug}").status_code == 404
    assert signed_in(app, owner_of(product.cooperative)).get(f"/products/{product.slug}").status_code == 404


CATALOG_ROUTES = [
    ("GET", "/manage/{slug}/products"), ("GET", "/manage/{slug}/products/new"),
    ("POST", "/manage/{slug}/products/new"), ("GET", "/manage/{slug}/products/{product}"),
    ("POST", "/manage/{slug}/products/{product}"), ("POST", "/manage/{slug}/products/{product}/status"),
    ("POST", "/manage/{slug}/products/{product}/duplicate"), ("GET", "/manage/{slug}/products/{product}/stock"),
    ("POST", "/manage/{slug}/products/{product}/stock/receive"),
    ("POST", "/manage/{slug}/products/{product}/stock/adjust"), ("GET", "/manage/{slug}/products/{product}/photos"),
    ("GET", "/manage/{slug}/products/export.csv"), ("GET", "/manage/{slug}/products/import"),
    ("POST", "/manage/{slug}/products/import/confirm"),
]


@pytest.mark.parametrize("method, template", CATALOG_ROUTES, ids=[f"{m} {p}" for m, p in CATALOG_ROUTES])
def test_every_staff_role_may_keep_the_catalog_and_nobody_else(app, method, template):
    product = create_product(create_cooperative(status="pending"), status="draft")
    path = template.format(slug=product.cooperative.slug, product=product.id)
    people = {
        "owner": (owner_of(product.cooperative), True),
        "clerk": (add_staff(product.cooperative, "staff"), True),
        "other cooperative": (owner_of(create_cooperative()), False),
        "buyer": (create_user(kind=AccountKind.BUYER), False),
        "platform admin": (create_user(kind=AccountKind.ADMIN), False),
    }
    for name, (person, allowed) in people.items():
        client = app.test_client()
        AuthActions(client).login(person)
        response = client.get(path) if method == "GET" else client.post(
            path, data={"csrf_token": csrf_token_from(client, "/")})
        assert (response.status_code not in (403, 404)) if allowed else response.status_code == 403, name
    stranger = app.test_client()
    response = stranger.get(path) if method == "GET" else stranger.post(
        path, data={"csrf_token": csrf_token_from(stranger, "/")})
    assert response.status_code == 302


def test_another_cooperatives_product_id_is_404_under_ours(app):
    ours = create_cooperative()
    theirs = create_product(create_cooperative())
    client = signed_in(app, owner_of(ours))
    assert client.get(f"/manage/{ours.slug}/products/{theirs.id}").status_code == 404
    assert client.get(f"/manage/{ours.slug}/products/{theirs.id}/stock").status_code == 404


def test_the_cooperative_profile_lists_its_public_products(app, client):
    cooperative = create_cooperative()
    create_product(cooperative, name="Keranjang pandan")
    create_product(cooperative, name="Konsep rahasia", status="draft")
    page = page_text(client.get(f"/cooperatives/{cooperative.slug}"))
    assert "Keranjang pandan" in page and "Konsep rahasia" not in page


def test_admin_keeps_the_category_tree(app):
    category()
    admin = signed_in(app, create_user(kind=AccountKind.ADMIN))
    assert "Anyaman" in page_text(admin.get("/admin/categories"))
    response = post_form(admin, "/admin/categories", {"name_id": "Rotan", "name_en": "Rattan",
                                                      "parent_id": category("kerajinan").id, "position": "9",
                                                      "is_active": "y"})
    assert response.status_code == 302
    refused = post_form(admin, "/admin/categories", {"name_id": "", "name_en": "X", "parent_id": ""})
    assert refused.status_code == 422
    create_product(category_id=category("batik").id)
    hide = post_form(admin, f"/admin/categories/{category('batik').id}",
                     {"name_id": "Batik", "name_en": "Batik", "parent_id": category("kain-dan-wastra").id})
    assert "Masih ada produk aktif" in page_text(hide)
    staff = signed_in(app, owner_of(create_cooperative()))
    assert staff.get("/admin/categories").status_code == 403


def test_a_product_file_that_is_not_text_is_refused(app):
    cooperative = create_cooperative()
    client = signed_in(app, owner_of(cooperative))
    url = f"/manage/{cooperative.slug}/products/import"
    response = client.post(url, data={"csrf_token": csrf_token_from(client, url),
                                      "file": (io.BytesIO(b"\x81\x8d\x8f\x90\x9d"), "produk.csv")})
    assert response.status_code == 422
    assert "tidak dapat dibaca sebagai teks" in page_text(response)


def test_a_tkdn_typed_the_indonesian_way_is_kept_and_shown_on_the_product_page(app, client):
    cooperative = create_cooperative()
    owner_client = signed_in(app, owner_of(cooperative))
    response = post_form(owner_client, f"/manage/{cooperative.slug}/products/new", {
        **GOOD_PRODUCT, "category_id": category().id, "unit": "pasang", "local_content": "y",
        "tkdn_basis_points": "43,56", "tkdn_certificate_number": "TKDN-2026/0456"})
    assert response.status_code == 302
    product = db.session.scalar(db.select(Product))
    assert (product.unit.value, product.tkdn_basis_points) == ("pasang", 4356)
    bad = post_form(owner_client, f"/manage/{cooperative.slug}/products/{product.id}", {
        **GOOD_PRODUCT, "category_id": category().id, "tkdn_basis_points": "120", "local_content": "y"})
    assert bad.status_code == 422 and "antara 0 dan 100" in page_text(bad)
    product.status = ProductStatus.ACTIVE
    db.session.commit()
    page = page_text(client.get(f"/products/{product.slug}"))
    assert "TKDN 43,56%" in page and "pasang" in page
    exported = "".join(product_csv.export_product_rows(owner_of(cooperative), cooperative))
    assert '"43,56",TKDN-2026/0456' in exported
    preview = product_csv.preview_product_import(owner_of(cooperative), cooperative, exported)
    assert preview.is_valid and preview.rows[0].details.tkdn_basis_points == 4356
