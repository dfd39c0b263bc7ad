import pytest
from playwright.sync_api import Page, expect

from marketplace.accounts.models import AccountKind
from tests.browser.helpers import SCREENSHOTS, assert_fits_the_screen, sign_in
from tests.factories import category, create_cooperative, create_member, create_user, picture_bytes

pytestmark = pytest.mark.browser


def test_staff_put_a_product_on_sale_from_a_phone(page: Page, base_url, tmp_path):
    owner = create_user(kind=AccountKind.COOPERATIVE_STAFF, email="sri@tunassukowati.id")
    cooperative = create_cooperative(owner)
    create_member(cooperative, full_name="Suparmi", public_name_consent=True)
    category()
    sign_in(page, base_url, "sri@tunassukowati.id")
    page.goto(f"{base_url}/manage/{cooperative.slug}/products")
    expect(page.locator(".empty")).to_contain_text("Belum ada produk")
    page.get_by_role("link", name="Tambah produk").first.click()
    page.get_by_label("Nama produk").fill("Keranjang anyaman bambu")
    page.get_by_label("Kategori").select_option(label="Anyaman")
    page.get_by_label("SKU (kode produk Anda sendiri)").fill("ANY-01")
    page.get_by_label("Harga per unit (Rp)").fill("85.000")
    page.get_by_label("Mulai jumlah 1").fill("12")
    page.get_by_label("Harga satuan (Rp) 1").fill("78.000")
    page.get_by_label("Mulai jumlah 2").fill("50")
    page.get_by_label("Harga satuan (Rp) 2").fill("90.000")
    page.get_by_label("Suparmi").check()
    page.get_by_role("button", name="Simpan").click()
    expect(page.locator("#tiers-errors")).to_contain_text("harus lebih rendah")
    assert_fits_the_screen(page)
    page.screenshot(path=f"{SCREENSHOTS}/product-form-error-phone.png", full_page=True)
    page.get_by_label("Harga satuan (Rp) 2").fill("70.000")
    page.get_by_role("button", name="Simpan").click()
    expect(page.locator(".flash")).to_contain_text("disimpan sebagai draf")

    page.get_by_role("link", name="Foto (0)").click()
    photo = tmp_path / "keranjang.jpg"
    photo.write_bytes(picture_bytes(size=(1200, 900)))
    page.get_by_label("Foto", exact=True).set_input_files(str(photo))
    page.get_by_role("button", name="Unggah").click()
    expect(page.locator(".photo-grid img")).to_have_count(1)

    page.get_by_role("link", name="Stok (0)").click()
    page.get_by_label("Dari anggota").select_option(index=1)
    expect(page.get_by_label("Dari anggota")).to_contain_text("Suparmi")
    page.get_by_label("Jumlah diterima").fill("40")
    page.get_by_role("button", name="Catat setoran barang").click()
    expect(page.locator(".flash")).to_contain_text("40 unit diterima")
    assert_fits_the_screen(page)
    page.screenshot(path=f"{SCREENSHOTS}/stock-phone.png", full_page=True)

    page.get_by_role("link", name="Rincian dan harga").click()
    page.get_by_role("button", name="Aktifkan (dijual)").click()
    expect(page.locator(".flash")).to_contain_text("kini berstatus: Aktif")

    page.goto(f"{base_url}/cooperatives/{cooperative.slug}")
    page.get_by_role("link", name="Keranjang anyaman bambu").click()
    expect(page.locator(".price").first).to_have_text("Rp 85.000 / buah (pcs)")
    expect(page.locator(".price-table")).to_contain_text("50 atau lebih")
    expect(page.get_by_text("Stok siap: 40 tersedia")).to_be_visible()
    page.get_by_label("Harga untuk jumlah tertentu").fill("60")
    page.get_by_role("button", name="Hitung").click()
    expect(page.get_by_text("60 × Rp 70.000 = Rp 4.200.000")).to_be_visible()
    assert_fits_the_screen(page)
    page.screenshot(path=f"{SCREENSHOTS}/product-page-phone.png", full_page=True)
