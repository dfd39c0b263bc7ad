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


def open_surat_pesanan(page: Page, base_url: str, email: str, list_url: str) -> None:
    """Signed in afresh as `email`, the purchase order opened from its list."""
    page.context.clear_cookies()
    sign_in(page, base_url, email)
    page.goto(list_url)
    page.get_by_role("link", name="SP-123456-").click()


def test_a_pp_orders_from_a_shortlist_and_another_officer_approves(page: Page, base_url):
    from datetime import timedelta

    from marketplace.core.timeutil import local_today
    from marketplace.extensions import db
    from marketplace.sourcing.services import shortlists
    from tests.factories import add_officer, create_agency, create_cooperative, create_product, owner_of, receive

    pp = create_user(kind=AccountKind.GOVERNMENT_OFFICER, email="dewi@mojokertokota.go.id", name="Dewi Kartika")
    agency = create_agency(pp)
    add_officer(agency, "ppk", user=create_user(kind=AccountKind.GOVERNMENT_OFFICER, name="Bambang Sutrisno",
                                                email="bambang@mojokertokota.go.id"))
    add_officer(agency, "receiver", user=create_user(kind=AccountKind.GOVERNMENT_OFFICER, name="Sri Wahyuni",
                                                     email="sri@mojokertokota.go.id"))
    add_officer(agency, "treasurer", user=create_user(kind=AccountKind.GOVERNMENT_OFFICER, name="Agus Salim",
                                                      email="agus@mojokertokota.go.id"))
    cooperative = create_cooperative(name="Koperasi Produsen Tunas Sukowati Jaya")
    cooperative.is_pkp, cooperative.bank_name, cooperative.bank_account_number = True, "Bank Jatim", "0011223344"
    shortlist = shortlists.create_shortlist(pp, "Perpustakaan SDN 2")
    for product, quantity in ((create_product(cooperative, name="Rak buku jati 5 susun", base_price=1_450_000,
                                              tiers=[(10, 1_300_000)]), 12),
                              (create_product(cooperative, name="Tikar pandan 2 × 3 m", base_price=85_000,
                                              tiers=[]), 30)):
        shortlists.add_to_shortlist(pp, shortlist, product_id=product.id).wanted_quantity = quantity
    db.session.commit()
    for item in shortlist.items:
        receive(item.product, 40)
    staff_email = owner_of(cooperative).email

    sign_in(page, base_url, "dewi@mojokertokota.go.id")
    page.goto(f"{base_url}/agencies/{agency.id}")
    page.get_by_role("link", name="Pesanan pembelian").click()
    page.get_by_role("button", name="Buat draf pesanan pembelian").click()
    expect(page.locator(".flashes .flash")).to_contain_text("Draf pesanan pembelian")
    expect(page.locator("table.order-lines")).to_contain_text("Rp 15.600.000")
    page.get_by_role("button", name="Ajukan").click()
    expect(page.locator(".flashes .flash")).to_contain_text("kode RUP")
    page.get_by_label("Kode RUP").fill("RUP-2026-0412")
    page.get_by_label("Kode anggaran (kode rekening / MAK)").fill("5.2.02.01.01.0024")
    page.get_by_label("Dikirim paling lambat").fill((local_today() + timedelta(days=21)).isoformat())
    page.get_by_label("Untuk apa barang diperlukan").fill("Perabot perpustakaan SDN 2 Mojokerto")
    page.get_by_label("Penerima barang di lokasi").fill("Sri Wahyuni")
    page.get_by_label("Nomor teleponnya").fill("0812 3456 7890")
    page.get_by_role("button", name="Simpan rincian").click()
    page.get_by_role("button", name="Ajukan").click()
    expect(page.locator(".flashes .flash")).to_contain_text("PPK instansi akan menyetujuinya")
    assert_fits_the_screen(page)
    page.screenshot(path=f"{SCREENSHOTS}/purchase-order-submitted-phone.png", full_page=True)

    page.context.clear_cookies()
    sign_in(page, base_url, "bambang@mojokertokota.go.id")
    page.goto(f"{base_url}/agencies/{agency.id}/purchase-orders?status=submitted")
    page.get_by_role("link", name="DRAF-").click()
    page.get_by_role("button", name="Setujui dan kirim ke koperasi").click()
    expect(page.locator(".flashes .flash")).to_contain_text("SP-123456-")
    expect(page.locator(".timeline")).to_contain_text("Disetujui PPK")
    assert_fits_the_screen(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=f"{SCREENSHOTS}/purchase-order-sent-desktop.png", full_page=True)

    # The cooperative asks a little more for the shelves; the PP agrees, and it becomes an ordinary order.
    page.set_viewport_size({"width": 390, "height": 844})
    page.context.clear_cookies()
    sign_in(page, base_url, staff_email)
    page.goto(f"{base_url}/manage/{cooperative.slug}/purchase-orders")
    page.get_by_role("link", name="SP-123456-").click()
    shelves = page.get_by_role("group", name="Rak buku jati 5 susun")
    shelves.get_by_label("Harga satuan").fill("1.350.000")
    page.get_by_label("Apa yang Anda ubah dan alasannya").fill("Harga kayu jati naik bulan ini")
    page.get_by_role("button", name="Kirim penawaran balik").click()
    expect(page.locator(".flashes .flash")).to_contain_text("Penawaran balik Anda telah dikirim")
    assert_fits_the_screen(page)
    page.screenshot(path=f"{SCREENSHOTS}/purchase-order-counter-offer-phone.png", full_page=True)

    page.context.clear_cookies()
    sign_in(page, base_url, "dewi@mojokertokota.go.id")
    page.goto(f"{base_url}/agencies/{agency.id}/purchase-orders")
    page.get_by_role("link", name="SP-123456-").click()
    expect(page.locator("main")).to_contain_text("Rp 18.750.000")  # 12 × 1.350.000 + 30 × 85.000
    page.get_by_role("button", name="Terima penawaran balik").click()
    expect(page.locator(".flashes .flash")).to_contain_text("Penawaran balik diterima")
    page.get_by_role("link", name="Ikuti pesanannya").click()
    expect(page.locator("main")).to_contain_text("Rp 16.200.000")
    assert_fits_the_screen(page)
    page.screenshot(path=f"{SCREENSHOTS}/purchase-order-became-order-phone.png", full_page=True)

    # The first delivery arrives: the receiver of goods accepts the shelves but two mats came wet.
    open_surat_pesanan(page, base_url, "sri@mojokertokota.go.id", f"{base_url}/agencies/{agency.id}/purchase-orders")
    page.get_by_label("Unit Rak buku jati 5 susun yang dikirim").fill("12")
    page.get_by_label("Unit Rak buku jati 5 susun yang diterima").fill("12")
    page.get_by_label("Unit Tikar pandan 2 × 3 m yang dikirim").fill("20")
    page.get_by_label("Unit Tikar pandan 2 × 3 m yang diterima").fill("18")
    page.get_by_label("Tanggal barang tiba").fill(local_today().isoformat())
    page.get_by_role("button", name="Buat berita acara serah terima").click()
    expect(page.locator(".field-error").first).to_contain_text("Katakan apa yang salah")
    page.get_by_label("Kondisi barang").fill("Dua tikar basah terkena hujan, dikembalikan")
    page.get_by_role("button", name="Buat berita acara serah terima").click()
    expect(page.locator(".flashes .flash")).to_contain_text("BAST-SP-123456-")
    expect(page.locator("main")).to_contain_text("diterima Rp 17.730.000")  # 12 × 1.350.000 + 18 × 85.000
    expect(page.locator("table.order-lines").last).to_contain_text("12 buah (pcs)")
    assert_fits_the_screen(page)
    page.screenshot(path=f"{SCREENSHOTS}/purchase-order-handover-phone.png", full_page=True)

    # The cooperative hands over the rest; the receiver's second BAST completes the delivery.
    open_surat_pesanan(page, base_url, staff_email, f"{base_url}/manage/{cooperative.slug}/purchase-orders")
    expect(page.locator("main")).to_contain_text("BAST-SP-123456-")
    page.get_by_role("link", name="Buka pesanan").click()
    page.get_by_role("button", name="Tandai sudah dikirim").click()
    open_surat_pesanan(page, base_url, "sri@mojokertokota.go.id", f"{base_url}/agencies/{agency.id}/purchase-orders")
    page.get_by_label("Unit Tikar pandan 2 × 3 m yang dikirim").fill("12")
    page.get_by_label("Unit Tikar pandan 2 × 3 m yang diterima").fill("12")
    page.get_by_label("Tanggal barang tiba").fill(local_today().isoformat())
    page.get_by_role("button", name="Buat berita acara serah terima").click()
    expect(page.locator(".flashes .flash")).to_contain_text("-2 sudah dibuat")
    expect(page.locator("h1 .badge")).to_contain_text("Diterima lengkap")

    # The cooperative invoices what was received; the treasurer pays the net payable with the SP2D.
    open_surat_pesanan(page, base_url, staff_email, f"{base_url}/manage/{cooperative.slug}/purchase-orders")
    page.get_by_role("button", name="Terbitkan tagihan").click()
    expect(page.locator(".flashes .flash")).to_contain_text("INV/SP-123456-")
    expect(page.locator("main")).to_contain_text("Rp 18.750.000")  # 16.200.000 + 30 × 85.000, before VAT
    open_surat_pesanan(page, base_url, "agus@mojokertokota.go.id", f"{base_url}/agencies/{agency.id}/purchase-orders")
    page.get_by_label("Nomor SP2D").fill("250101301001234/2026")
    page.get_by_label("Tanggal SP2D atau pembayaran").fill(local_today().isoformat())
    page.get_by_label("Jumlah yang dibayarkan ke koperasi").fill("20.000.000")
    page.get_by_role("button", name="Catat pembayaran").click()
    expect(page.locator(".field-error").first).to_contain_text("bersih")
    page.get_by_label("Jumlah yang dibayarkan ke koperasi").fill("Rp 20.531.250")  # 18.750.000 + PPN − PPh 22
    page.get_by_role("button", name="Catat pembayaran").click()
    expect(page.locator(".flashes .flash")).to_contain_text("Pembayaran sudah dicatat")
    expect(page.locator("h1 .badge")).to_contain_text("Selesai")
    assert_fits_the_screen(page)
    page.screenshot(path=f"{SCREENSHOTS}/purchase-order-paid-phone.png", full_page=True)

    # The agency's administrator reads the year: where the money went, against the small-business target.
    page.context.clear_cookies()
    sign_in(page, base_url, "dewi@mojokertokota.go.id")
    page.goto(f"{base_url}/agencies/{agency.id}")
    page.get_by_role("link", name="Dasbor belanja").click()
    expect(page.locator("main")).to_contain_text("Koperasi Produsen Tunas Sukowati Jaya")
    page.get_by_text("Catat anggaran belanja barang dan jasa tahun ini").click()
    page.get_by_label("Anggaran belanja barang dan jasa").fill("75.000.000")
    page.get_by_role("button", name="Simpan anggaran").click()
    expect(page.locator(".flashes .flash")).to_contain_text("sudah dicatat")
    expect(page.locator("main")).to_contain_text("25%")  # 18.750.000 of 75.000.000; the target is 40%
    assert_fits_the_screen(page)
    page.screenshot(path=f"{SCREENSHOTS}/agency-dashboard-phone.png", full_page=True)
