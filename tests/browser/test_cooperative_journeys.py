import pytest
from playwright.sync_api import Page, expect

from marketplace.accounts.models import AccountKind
from tests.browser.helpers import SCREENSHOTS, assert_fits_the_screen, sign_in
from tests.factories import create_cooperative, create_member, create_user

pytestmark = pytest.mark.browser

def test_a_cooperative_registers_and_is_verified_then_listed(page: Page, base_url):
    create_user(kind=AccountKind.COOPERATIVE_STAFF, email="sri@tunassukowati.id", name="Sri Lestari")
    create_user(kind=AccountKind.ADMIN, email="admin@pasarkoperasi.id", name="Rina")
    sign_in(page, base_url, "sri@tunassukowati.id")
    page.goto(base_url + "/cooperatives/register")
    page.get_by_label("Nama koperasi").fill("Koperasi Produsen Tunas Sukowati Jaya")
    page.get_by_label("Wilayah keanggotaan").select_option(value="kabupaten_kota")
    page.get_by_label("Nomor SK badan hukum").fill("AHU-0003127.AH.01.26.TAHUN 2020")
    page.get_by_label("Tanggal SK").fill("2020-11-12")
    page.get_by_label("NIB").fill("9120002731945")  # a young cooperative: no NIK koperasi yet
    page.get_by_label("Alamat jalan").fill("Jl. Solo-Purwodadi Km. 14, Banaran, Kalijambe")
    page.get_by_label("Provinsi").select_option(label="Jawa Tengah")
    regency = page.get_by_label("Kabupaten atau kota")
    # Once a province is chosen, only its regencies and cities can be picked.
    expect(regency.locator("option[data-province='35']").first).to_be_disabled()
    regency.select_option(label="Kabupaten Sragen")
    page.get_by_label("Telepon").fill("0813 2900 0002")
    page.get_by_label("Email", exact=True).fill("pengurus@tunassukowati.id")
    page.get_by_role("button", name="Daftarkan koperasi").click()
    expect(page.locator(".flashes .flash")).to_contain_text("sudah terdaftar")
    expect(page.locator(".status-card")).to_contain_text("Menunggu verifikasi")
    assert_fits_the_screen(page)
    page.screenshot(path=f"{SCREENSHOTS}/cooperative-dashboard-pending-phone.png", full_page=True)
    # The board records the RAT that accounted for book year 2025.
    page.get_by_role("link", name="RAT", exact=True).click()
    page.get_by_label("Tahun buku yang dipertanggungjawabkan").fill("2025")
    page.get_by_label("Tanggal rapat").fill("2026-03-14")
    page.get_by_label("Anggota yang hadir").fill("44")
    page.get_by_role("button", name="Catat RAT").click()
    expect(page.locator(".flashes .flash")).to_contain_text("Tahun Buku 2025")
    assert_fits_the_screen(page)
    page.screenshot(path=f"{SCREENSHOTS}/rat-phone.png", full_page=True)

    page.context.clear_cookies()
    sign_in(page, base_url, "admin@pasarkoperasi.id")
    page.goto(base_url + "/admin/cooperatives")
    page.get_by_role("link", name="Koperasi Produsen Tunas Sukowati Jaya").click()
    assert_fits_the_screen(page)
    page.screenshot(path=f"{SCREENSHOTS}/admin-verification-phone.png", full_page=True)
    page.get_by_role("button", name="Verifikasi").click()
    expect(page.locator(".flash")).to_contain_text("Terverifikasi")

    page.context.clear_cookies()
    page.goto(base_url + "/cooperatives?province=33")
    card = page.locator(".cooperative-card", has_text="Tunas Sukowati Jaya")
    expect(card).to_contain_text("Kabupaten Sragen")
    expect(card).to_contain_text("RAT Tahun Buku 2025")
    assert_fits_the_screen(page)
    page.screenshot(path=f"{SCREENSHOTS}/directory-phone.png", full_page=True)


def test_an_owner_imports_members_from_a_spreadsheet(page: Page, base_url, tmp_path):
    owner = create_user(kind=AccountKind.COOPERATIVE_STAFF, email="sri@tunassukowati.id")
    cooperative = create_cooperative(owner)
    create_member(cooperative, member_number="TSJ-001", full_name="Suparmi")
    sign_in(page, base_url, "sri@tunassukowati.id")
    page.goto(f"{base_url}/manage/{cooperative.slug}/members/import")
    bad = tmp_path / "anggota.csv"
    bad.write_text("nomor_anggota,nama_lengkap,tanggal_bergabung\nTSJ-001,Tukiyem,2021-06-01\nTSJ-002,,2021\n")
    page.get_by_label("Berkas CSV").set_input_files(str(bad))
    page.get_by_role("button", name="Periksa berkas").click()
    expect(page.locator(".form-summary")).to_contain_text("Ditemukan 2 masalah")
    expect(page.locator(".row-error")).to_have_count(2)
    assert_fits_the_screen(page)
    page.screenshot(path=f"{SCREENSHOTS}/member-import-errors-phone.png", full_page=True)
    good = tmp_path / "anggota-benar.csv"
    good.write_text("nomor_anggota,nama_lengkap,tanggal_bergabung\nTSJ-002,Tukiyem,2021-06-01\n"
                    "TSJ-003,Wagiman,15/01/2022\n")
    page.get_by_label("Berkas CSV").set_input_files(str(good))
    page.get_by_role("button", name="Periksa berkas").click()
    page.get_by_role("button", name="Impor 2 anggota").click()
    expect(page.locator(".flash")).to_contain_text("2 anggota berhasil diimpor")
    expect(page.locator("table")).to_contain_text("Wagiman")
    assert_fits_the_screen(page)
    page.screenshot(path=f"{SCREENSHOTS}/members-phone.png", full_page=True)
