import pytest
from playwright.sync_api import Page, expect

from marketplace.accounts.models import AccountKind
from tests.browser.helpers import SCREENSHOTS, assert_fits_the_screen, sign_in
from tests.factories import create_user

pytestmark = pytest.mark.browser


def test_an_agency_registers_is_verified_and_invites_its_ppk(page: Page, base_url):
    create_user(kind=AccountKind.GOVERNMENT_OFFICER, email="dewi@mojokertokota.go.id", name="Dewi Kartika")
    create_user(kind=AccountKind.ADMIN, email="admin@pasarkoperasi.id", name="Rina")
    sign_in(page, base_url, "dewi@mojokertokota.go.id")
    page.goto(base_url + "/agencies/mine")
    page.get_by_role("link", name="Daftarkan instansi").click()
    page.get_by_label("Nama instansi").fill("Dinas Pendidikan Kota Mojokerto")
    page.get_by_label("Tingkat").select_option(value="regency_city")
    page.get_by_label("Provinsi").select_option(label="Jawa Timur")
    page.get_by_label("Kabupaten atau kota").select_option(label="Kota Mojokerto")
    page.get_by_label("Alamat instansi").fill("Jl. Gajah Mada 145, Mojokerto")
    page.get_by_label("Domain email resmi").fill("mojokertokota.go.id")
    page.get_by_label("Nama satuan kerja (satker)").fill("Sekretariat Dinas Pendidikan")
    page.get_by_label("Kode satker").fill("12345")  # one digit short
    page.get_by_label("NPWP bendahara").fill("00.123.456.7-602.000")
    page.get_by_label("Alamat satuan kerja").fill("Jl. Gajah Mada 145")
    page.get_by_label("NIP Anda").fill("198503152010011002")
    page.get_by_label("Pejabat Pengadaan (PP)").check()
    page.get_by_role("button", name="Daftarkan instansi").click()
    expect(page.locator(".field-error .errors").first).to_contain_text("6 digit")
    assert_fits_the_screen(page)
    page.get_by_label("Kode satker").fill("123456")
    page.get_by_role("button", name="Daftarkan instansi").click()
    expect(page.locator(".flashes .flash")).to_contain_text("menunggu verifikasi")
    assert_fits_the_screen(page)
    page.screenshot(path=f"{SCREENSHOTS}/agency-pending-phone.png", full_page=True)

    page.context.clear_cookies()
    sign_in(page, base_url, "admin@pasarkoperasi.id")
    page.goto(base_url + "/admin/agencies")
    page.get_by_role("link", name="Dinas Pendidikan Kota Mojokerto").click()
    expect(page.locator("main")).to_contain_text("alamat resmi")
    assert_fits_the_screen(page)
    page.screenshot(path=f"{SCREENSHOTS}/admin-agency-phone.png", full_page=True)
    page.get_by_role("button", name="Verifikasi instansi").click()
    expect(page.locator(".flashes .flash")).to_contain_text("telah diverifikasi")
    page.goto(base_url + "/admin/procurement/rules")
    expect(page.locator("main")).to_contain_text("Rp 200.000.000")
    assert_fits_the_screen(page)
    page.screenshot(path=f"{SCREENSHOTS}/admin-procurement-rules-phone.png", full_page=True)

    page.context.clear_cookies()
    sign_in(page, base_url, "dewi@mojokertokota.go.id")
    page.goto(base_url + "/agencies/mine")
    page.get_by_label("Alamat email resmi").fill("ppk@mojokertokota.go.id")
    page.get_by_label("Pejabat Pembuat Komitmen (PPK)").check()
    page.get_by_role("button", name="Kirim undangan").click()
    expect(page.locator(".flashes .flash")).to_contain_text("ppk@mojokertokota.go.id")
    page.get_by_label("Batas pembelian langsung instansi ini").fill("150.000.000")
    page.get_by_label("Berlaku sejak").fill("2026-12-01")
    page.get_by_role("button", name="Tetapkan batas").click()
    expect(page.locator("main")).to_contain_text("Rp 150.000.000")
    assert_fits_the_screen(page)
    page.screenshot(path=f"{SCREENSHOTS}/agency-verified-phone.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=f"{SCREENSHOTS}/agency-verified-desktop.png", full_page=True)
