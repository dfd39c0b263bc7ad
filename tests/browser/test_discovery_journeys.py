import pytest
from playwright.sync_api import Page, expect

from marketplace.accounts.models import AccountKind
from marketplace.catalog.models import CertificationKind
from tests.browser.helpers import SCREENSHOTS, assert_fits_the_screen, sign_in
from tests.factories import category, create_cooperative, create_product, create_user

pytestmark = pytest.mark.browser


def test_an_officer_searches_filters_shortlists_and_compares(page: Page, base_url):
    create_user(kind=AccountKind.GOVERNMENT_OFFICER, email="pengadaan@kota.go.id")
    sragen = create_cooperative(name="Koperasi Tunas Sukowati Jaya")
    lamongan = create_cooperative(name="Kopontren Sunan Drajat", province_code="35", regency_code="35.24",
                                  is_pesantren=True, pesantren_name="PP Sunan Drajat", opop_participant=True)
    create_product(sragen, name="Kemeja batik seragam", category_id=category("seragam").id, base_price=185_000,
                   tiers=[(100, 165_000)])
    create_product(lamongan, name="Batik Paciran", category_id=category("batik").id, base_price=250_000, tiers=[],
                   certifications={CertificationKind.SNI: ("SNI 8302:2016", None)})
    sign_in(page, base_url, "pengadaan@kota.go.id")

    page.goto(base_url + "/")
    page.get_by_label("Cari produk dan koperasi").fill("batik")
    page.keyboard.press("Enter")
    expect(page.locator(".results")).to_contain_text("2 produk untuk “batik”")
    page.locator(".facets summary").click()  # folded on a phone, so the results come first
    page.locator(".facets").get_by_role("link", name="Jawa Timur").click()
    expect(page.locator(".product-card")).to_have_count(1)
    expect(page).to_have_url(f"{base_url}/search?q=batik&province=35")
    assert_fits_the_screen(page)
    page.screenshot(path=f"{SCREENSHOTS}/search-phone.png", full_page=True)

    page.get_by_role("link", name="Batik Paciran").click()
    page.get_by_role("button", name="Simpan ke daftar pilihan baru").click()
    expect(page.locator(".flash")).to_contain_text("Ditambahkan ke “Daftar pilihan saya”")
    page.goto(base_url + "/search?q=kemeja")
    page.get_by_role("link", name="Kemeja batik seragam").click()
    page.get_by_role("button", name="Simpan ke daftar pilihan").click()

    page.goto(base_url + "/shortlists")
    page.get_by_role("link", name="Daftar pilihan saya").click()
    uniform = page.locator(".shortlist-item", has_text="Kemeja batik seragam")
    uniform.get_by_label("Jumlah yang dibutuhkan").fill("120")
    uniform.get_by_role("button", name="Simpan").click()
    expect(page.locator(".flash")).to_contain_text("sudah disimpan")
    page.get_by_role("button", name="Bandingkan").click()
    expect(page.locator("table.compare")).to_contain_text("Rp 165.000")
    expect(page.locator("table.compare")).to_contain_text("Rp 19.800.000")
    assert_fits_the_screen(page)
    page.screenshot(path=f"{SCREENSHOTS}/compare-phone.png", full_page=True)
    with page.expect_download() as download:
        page.goto(page.url.split("/compare")[0])
        page.get_by_role("link", name="PDF").click()
    assert download.value.suggested_filename == "daftar-pilihan-daftar-pilihan-saya.pdf"


def test_the_supplier_directory_on_a_phone(page: Page, base_url):
    cooperative = create_cooperative(name="Koperasi Tunas Sukowati Jaya")
    create_product(cooperative, name="Seragam", category_id=category("seragam").id, availability="made_to_order",
                   lead_time_days=30, weekly_capacity=400, tiers=[])
    page.goto(base_url + "/suppliers")
    page.get_by_label("Sanggup membuat minimal (unit per minggu)").fill("300")
    page.get_by_role("button", name="Tampilkan").click()
    expect(page.locator(".supplier-card")).to_contain_text("400 per minggu")
    assert_fits_the_screen(page)
    page.screenshot(path=f"{SCREENSHOTS}/suppliers-phone.png", full_page=True)
