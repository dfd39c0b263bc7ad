import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import SCREENSHOTS, assert_fits_the_screen, sign_in
from tests.factories import create_cooperative, create_product, create_user, owner_of, picture_bytes, receive

pytestmark = pytest.mark.browser


def test_a_buyer_fills_a_cart_across_two_cooperatives_pays_by_transfer_and_the_cooperative_accepts(
        page: Page, base_url):
    create_user(email="pembeli@contoh.id", name="Budi Santoso")
    tunas = create_cooperative(name="Koperasi Tunas Sukowati Jaya", bank_name="BRI",
                               bank_account_number="002101000734561", bank_account_holder="Kop Tunas Sukowati")
    drajat = create_cooperative(name="Kopontren Sunan Drajat", province_code="35", regency_code="35.24")
    tas = create_product(tunas, name="Tas anyaman pandan", base_price=120_000, tiers=[(10, 100_000)])
    receive(tas, 30)
    create_product(drajat, name="Seragam batik santri", base_price=185_000, tiers=[], availability="made_to_order",
                   lead_time_days=21, weekly_capacity=200)

    # Anonymous: the cart lives in the session and follows the buyer into their account.
    page.goto(f"{base_url}/products/{tas.slug}")
    page.get_by_label("Jumlah (buah (pcs))").fill("12")
    page.get_by_role("button", name="Masukkan ke keranjang").click()
    expect(page.locator(".flash")).to_contain_text("Tas anyaman pandan sudah ada di keranjang Anda.")
    page.goto(f"{base_url}/search?q=seragam")
    page.get_by_role("button", name="Masukkan ke keranjang").click()
    page.goto(f"{base_url}/cart")
    expect(page.locator(".cart-group")).to_have_count(2)
    expect(page.locator("main")).to_contain_text("Rp 1.200.000")
    assert_fits_the_screen(page)
    page.screenshot(path=f"{SCREENSHOTS}/cart-phone.png", full_page=True)

    sign_in(page, base_url, "pembeli@contoh.id")
    page.goto(f"{base_url}/cart")
    page.get_by_role("link", name="Checkout").click()
    page.get_by_label("Telepon penerima").fill("0812-3456-7890")
    page.get_by_label("Provinsi").select_option(label="Jawa Timur")
    page.get_by_label("Kabupaten atau kota").select_option(label="Kota Mojokerto")
    page.get_by_label("Alamat lengkap").fill("Jl. Gajah Mada 145, Kel. Sentanan, Kec. Magersari")
    page.get_by_label("Transfer bank ke koperasi (bayar dulu)").check()
    page.get_by_role("button", name="Periksa pesanan").click()
    expect(page.locator(".cart-summary")).to_contain_text("Rp 1.385.000")
    assert_fits_the_screen(page)
    page.screenshot(path=f"{SCREENSHOTS}/checkout-review-phone.png", full_page=True)
    page.get_by_role("button", name="Buat pesanan").click()

    expect(page.locator("h1")).to_have_text("Terima kasih, pesanan Anda sudah dibuat")
    expect(page.locator("main")).to_contain_text("rekening BRI 002101000734561")
    assert_fits_the_screen(page)
    page.screenshot(path=f"{SCREENSHOTS}/checkout-placed-phone.png", full_page=True)
    number = page.locator("main h2 a").first.inner_text()

    page.get_by_role("link", name="Pesanan saya").first.click()
    expect(page.locator(".order-cards li")).to_have_count(2)

    # The buyer sends a photo of the transfer slip from the order page.
    page.get_by_role("link", name=number).click()
    page.get_by_label("Bukti transfer Anda (foto atau PDF)").set_input_files(
        files=[{"name": "bukti-transfer.jpg", "mimeType": "image/jpeg", "buffer": picture_bytes()}])
    page.get_by_role("button", name="Kirim bukti").click()
    expect(page.locator("main")).to_contain_text("1 bukti terkirim; koperasi memeriksanya.")
    assert_fits_the_screen(page)

    # The cooperative sees the order in its inbox and confirms the transfer, then accepts.
    page.context.clear_cookies()
    sign_in(page, base_url, owner_of(tunas).email)
    page.goto(f"{base_url}/manage/{tunas.slug}/orders")
    expect(page.locator(".status-tabs")).to_contain_text("Menunggu pembayaran 1")
    page.get_by_role("link", name=number).click()
    expect(page.get_by_role("link", name="Bukti 1")).to_be_visible()
    page.get_by_role("button", name="Konfirmasi pembayaran diterima").click()
    page.get_by_role("button", name="Terima pesanan").click()
    expect(page.locator(".flash")).to_contain_text("sekarang: Diterima")
    expect(page.locator(".timeline")).to_contain_text("Pembayaran diterima")
    assert_fits_the_screen(page)
    page.screenshot(path=f"{SCREENSHOTS}/manage-order-phone.png", full_page=True)
