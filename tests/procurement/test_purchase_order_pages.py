"""The purchase order pages as officers and cooperatives use them: bad input explained, nothing changed by it,
each person shown only what they may do."""

import io
from datetime import timedelta

from pypdf import PdfReader

from marketplace.core.timeutil import local_today
from marketplace.extensions import db
from marketplace.procurement.models import PurchaseOrder, PurchaseOrderStatus
from marketplace.sourcing.services import shortlists
from tests.factories import (
    add_officer,
    create_agency,
    create_cooperative,
    create_product,
    owner_of,
    picture_bytes,
    receive,
)
from tests.helpers import csrf_token_from, page_text, signed_in


def shortlisted(pp, *products):
    shortlist = shortlists.create_shortlist(pp, "Perpustakaan")
    for product in products:
        shortlists.add_to_shortlist(pp, shortlist, product_id=product.id).wanted_quantity = 12
    db.session.commit()
    return shortlist


def test_a_pp_drafts_completes_and_submits_and_a_ppk_approves(app, officer):
    agency = create_agency(officer)
    ppk = add_officer(agency, "ppk")
    cooperative = create_cooperative()
    shortlist = shortlisted(officer, create_product(cooperative, base_price=85_000, tiers=[(12, 78_000)]))
    pp = signed_in(app, officer)
    base = f"/agencies/{agency.id}/purchase-orders"
    token = csrf_token_from(pp, base)
    drafted = pp.post(base, data={"csrf_token": token, "shortlist_id": shortlist.id})
    po = db.session.scalar(db.select(PurchaseOrder))
    assert drafted.headers["Location"].endswith(f"{base}/{po.id}")
    page = page_text(pp.get(f"{base}/{po.id}"))
    assert "Rp 78.000" in page and "Rp 936.000" in page

    bad = pp.post(f"{base}/{po.id}/details", data={
        "csrf_token": token, "spending_unit_id": "999999", "fiscal_year": "1999", "delivery_province_code": "35",
        "delivery_regency_code": "33.14", "deliver_by": "2020-01-01", "payment_mechanism": "ls"})
    assert bad.status_code == 422
    text = page_text(bad)
    assert "Tahun anggaran" in text and "tidak boleh di masa lalu" in text
    db.session.refresh(po)
    assert po.rup_code == "" and po.fiscal_year == local_today().year

    refused = pp.post(f"{base}/{po.id}/submit", data={"csrf_token": token}, follow_redirects=True)
    assert "kode RUP" in page_text(refused)
    pp.post(f"{base}/{po.id}/details", data={
        "csrf_token": token, "spending_unit_id": agency.spending_units[0].id, "rup_code": "RUP-2026-0412",
        "budget_code": "5.2.02.01", "fiscal_year": local_today().year, "delivery_province_code": "35",
        "delivery_regency_code": "35.76", "delivery_address": "SDN 2 Mojokerto", "recipient_name": "Sri Wahyuni",
        "recipient_phone": "0812-3456-7890",
        "deliver_by": (local_today() + timedelta(days=20)).isoformat(), "justification": "Perpustakaan",
        "payment_mechanism": "ls"})
    submitted = pp.post(f"{base}/{po.id}/submit", data={"csrf_token": token}, follow_redirects=True)
    assert "PPK" in page_text(submitted)
    assert "Setujui dan kirim" not in page_text(pp.get(f"{base}/{po.id}"))  # never their own order

    approver = signed_in(app, ppk)
    assert "Setujui dan kirim" in page_text(approver.get(f"{base}/{po.id}"))
    no_reason = approver.post(f"{base}/{po.id}/reject", data={"csrf_token": csrf_token_from(approver, base)})
    assert no_reason.status_code == 422 and "alasannya" in page_text(no_reason)
    approver.post(f"{base}/{po.id}/approve", data={"csrf_token": csrf_token_from(approver, base)})
    db.session.refresh(po)
    assert po.status == PurchaseOrderStatus.SENT

    assert po.recipient_phone == "+6281234567890"

    staff = signed_in(app, owner_of(cooperative))
    listed = page_text(staff.get(f"/manage/{cooperative.slug}/purchase-orders"))
    assert po.number in listed and agency.name in listed
    received = f"/manage/{cooperative.slug}/purchase-orders/{po.id}"
    staff_token = csrf_token_from(staff, received)
    line = po.lines[0]
    bad_offer = staff.post(f"{received}/counter-offer", data={
        "csrf_token": staff_token, f"quantity-{line.id}": "banyak", f"price-{line.id}": "Rp 80.000", "note": ""})
    assert bad_offer.status_code == 422
    assert "Masukkan jumlah unit bulat" in page_text(bad_offer) and not po.offers
    short = staff.post(f"{received}/accept", data={"csrf_token": staff_token}, follow_redirects=True)
    assert "stok" in page_text(short).lower()  # nothing in stock: refused, the order stays to be answered
    db.session.refresh(po)
    assert po.status == PurchaseOrderStatus.SENT
    receive(line.product, 20)
    accepted = staff.post(f"{received}/accept", data={"csrf_token": staff_token})
    db.session.refresh(po)
    assert po.status == PurchaseOrderStatus.ACCEPTED
    assert accepted.headers["Location"].endswith(f"/manage/{cooperative.slug}/orders/{po.order.number}")
    assert po.order.number in page_text(pp.get(f"{base}/{po.id}"))
    assert f"Pesanan pemerintah: Surat Pesanan {po.number}" in page_text(pp.get(f"/orders/{po.order.number}"))
    inbox = page_text(staff.get(f"/manage/{cooperative.slug}/orders"))
    assert f"Pesanan pemerintah: Surat Pesanan {po.number}" in inbox
    assert f"/manage/{cooperative.slug}/purchase-orders/{po.id}" in inbox


def test_strangers_see_nothing_and_cooperatives_see_no_drafts(app, officer, buyer):
    agency = create_agency(officer)
    cooperative = create_cooperative()
    shortlist = shortlisted(officer, create_product(cooperative))
    pp = signed_in(app, officer)
    base = f"/agencies/{agency.id}/purchase-orders"
    pp.post(base, data={"csrf_token": csrf_token_from(pp, base), "shortlist_id": shortlist.id})
    po = db.session.scalar(db.select(PurchaseOrder))
    stranger = signed_in(app, buyer)
    assert stranger.get(base).status_code == 403
    assert stranger.get(f"{base}/{po.id}").status_code == 403
    other_pp = signed_in(app, add_officer(create_agency(satker_code="654321"), "pp"))
    assert other_pp.get(f"{base}/{po.id}").status_code == 403
    staff = signed_in(app, owner_of(cooperative))
    assert staff.get(f"/manage/{cooperative.slug}/purchase-orders/{po.id}").status_code == 404
    someone_elses = pp.post(base, data={"csrf_token": csrf_token_from(pp, base),
                                        "shortlist_id": shortlisted(buyer, create_product(cooperative)).id},
                            follow_redirects=True)
    assert "tidak ada" in page_text(someone_elses).lower()


def test_the_surat_pesanan_prints_and_anyone_holding_it_checks_its_status(app, officer):
    from marketplace.core.unit_of_work import unit_of_work
    from marketplace.procurement.services import purchase_orders as orders
    from tests.procurement.journey import details

    agency = create_agency(officer)
    cooperative = create_cooperative()
    shortlist = shortlisted(officer, create_product(cooperative, name="Rak buku jati", tiers=[]))
    with unit_of_work():
        po, = orders.drafts_from_shortlist(officer, agency, shortlist)
    pp = signed_in(app, officer)
    base = f"/agencies/{agency.id}/purchase-orders/{po.id}"
    assert pp.get(f"{base}/surat-pesanan.pdf").status_code == 404  # a draft has no Surat Pesanan
    with unit_of_work():
        orders.update_details(officer, po, details(agency))
        orders.submit(officer, po)
    with unit_of_work():
        orders.approve(add_officer(agency, "ppk"), po)
    printed = pp.get(f"{base}/surat-pesanan.pdf")
    assert printed.status_code == 200 and printed.mimetype == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(printed.data)).pages)
    for expected in (po.number, "Rak buku jati", cooperative.name, agency.name, "RUP-2026-0412", po.verification_code):
        assert expected in text
    assert pp.get(f"{base}/surat-pesanan.pdf").data == printed.data  # the same order prints the same paper
    staff = signed_in(app, owner_of(cooperative))
    assert staff.get(f"/manage/{cooperative.slug}/purchase-orders/{po.id}/surat-pesanan.pdf").status_code == 200
    anyone = app.test_client()
    checked = page_text(anyone.get(f"/documents/purchase-orders/{po.verification_code}"))
    assert po.number in checked and "Dikirim ke koperasi" in checked
    assert anyone.get("/documents/purchase-orders/BUKAN-KODE").status_code == 404


def test_another_cooperatives_staff_can_neither_see_nor_answer_a_surat_pesanan(app, officer):
    from marketplace.core.unit_of_work import unit_of_work
    from marketplace.procurement.services import purchase_orders as orders
    from tests.procurement.journey import details

    agency = create_agency(officer)
    cooperative, other = create_cooperative(), create_cooperative()
    shortlist = shortlisted(officer, create_product(cooperative, tiers=[]))
    with unit_of_work():
        po, = orders.drafts_from_shortlist(officer, agency, shortlist)
        orders.update_details(officer, po, details(agency))
        orders.submit(officer, po)
    with unit_of_work():
        orders.approve(add_officer(agency, "ppk"), po)
    outsider = signed_in(app, owner_of(other))
    token = csrf_token_from(outsider, f"/manage/{other.slug}/purchase-orders")
    received = f"/manage/{other.slug}/purchase-orders/{po.id}"
    for path in (received, f"{received}/surat-pesanan.pdf"):
        assert outsider.get(path).status_code == 404
    assert outsider.post(f"/manage/{other.slug}/purchase-orders/{po.id}/accept",
                         data={"csrf_token": token}).status_code == 404
    assert outsider.post(f"/manage/{cooperative.slug}/purchase-orders/{po.id}/accept",
                         data={"csrf_token": token}).status_code == 403
    db.session.refresh(po)
    assert po.status == PurchaseOrderStatus.SENT and po.order_id is None


def test_the_receiver_records_deliveries_and_both_sides_print_the_bast(app, officer):
    from marketplace.core.unit_of_work import unit_of_work
    from marketplace.ordering.services.lifecycle import OrderAction, perform
    from tests.procurement.journey import accepted

    agency = create_agency(officer)
    cooperative = create_cooperative()
    chairs = create_product(cooperative, name="Kursi rotan", base_price=450_000, tiers=[])
    po = accepted(officer, agency, (chairs, 10))
    line = po.lines[0]
    receiver = signed_in(app, add_officer(agency, "receiver"))
    base = f"/agencies/{agency.id}/purchase-orders/{po.id}"
    assert "Catat pengiriman (BAST)" in page_text(receiver.get(base))
    assert "Catat pengiriman (BAST)" not in page_text(signed_in(app, officer).get(base))  # the PP is no receiver
    token = csrf_token_from(receiver, base)

    too_many = receiver.post(f"{base}/handovers", data={
        "csrf_token": token, f"delivered-{line.id}": "12", f"accepted-{line.id}": "11",
        "received_on": local_today().isoformat()})
    assert too_many.status_code == 422
    text = page_text(too_many)
    assert "Hanya 10 unit Kursi rotan" in text and "Katakan apa yang salah" in text
    no_date = receiver.post(f"{base}/handovers", data={
        "csrf_token": token, f"delivered-{line.id}": "banyak", "received_on": ""})
    assert no_date.status_code == 422 and "hari barang tiba" in page_text(no_date)
    db.session.refresh(po)
    assert not po.handovers

    delivery = {"csrf_token": token, f"delivered-{line.id}": "6", f"accepted-{line.id}": "5", "records_seen": "0",
                "received_on": local_today().isoformat(), "condition": "Satu kursi kakinya patah"}
    written = receiver.post(f"{base}/handovers", data={
        **delivery, "photos": [(io.BytesIO(picture_bytes()), "kursi-patah.jpg")]},
        content_type="multipart/form-data", follow_redirects=True)
    record = po.handovers[0]
    again = receiver.post(f"{base}/handovers", data=delivery, follow_redirects=True)  # the same form, sent twice
    assert "ditulis sementara itu" in page_text(again)
    db.session.refresh(po)
    assert len(po.handovers) == 1
    photo_path = f"{base}/handovers/1/photos/{record.photos[0].id}"
    assert receiver.get(photo_path).mimetype == "image/jpeg"
    assert record.number in page_text(written) and "Rp 2.250.000" in page_text(written)
    printed = receiver.get(f"{base}/handovers/1.pdf")
    assert printed.status_code == 200 and printed.mimetype == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(printed.data)).pages)
    for expected in (record.number, po.number, "Kursi rotan", "Satu kursi kakinya patah", cooperative.name,
                     record.verification_code):
        assert expected in text
    assert receiver.get(f"{base}/handovers/1.pdf").data == printed.data
    assert receiver.get(f"{base}/handovers/2.pdf").status_code == 404

    staff = signed_in(app, owner_of(cooperative))
    received = f"/manage/{cooperative.slug}/purchase-orders/{po.id}"
    assert record.number in page_text(staff.get(received))
    assert staff.get(f"{received}/handovers/1.pdf").status_code == 200
    assert staff.get(f"{received}/handovers/1/photos/{record.photos[0].id}").status_code == 200
    other = create_cooperative()
    assert signed_in(app, owner_of(other)).get(
        f"/manage/{other.slug}/purchase-orders/{po.id}/handovers/1.pdf").status_code == 404
    assert signed_in(app, owner_of(other)).get(
        f"/manage/{other.slug}/purchase-orders/{po.id}/handovers/1/photos/{record.photos[0].id}").status_code == 404
    checked = page_text(app.test_client().get(f"/documents/handovers/{record.verification_code}"))
    assert record.number in checked and "Rp 2.250.000" in checked

    with unit_of_work():
        perform(po.order, OrderAction.SHIP, owner_of(cooperative), carrier="Kurir koperasi", tracking_number="K1")
    receiver.post(f"{base}/handovers", data={
        "csrf_token": token, f"delivered-{line.id}": "5", f"accepted-{line.id}": "5",
        "received_on": local_today().isoformat()})
    db.session.refresh(po)
    assert po.status == PurchaseOrderStatus.RECEIVED and len(po.handovers) == 2
    assert "Catat pengiriman (BAST)" not in page_text(receiver.get(base))


def test_the_cooperative_invoices_and_the_treasurer_records_the_sp2d(app, officer):
    from tests.procurement.journey import received

    agency = create_agency(officer)
    cooperative = create_cooperative()
    cooperative.is_pkp, cooperative.bank_name, cooperative.bank_account_number = True, "Bank Jatim", "0011223344"
    db.session.commit()
    po = received(officer, agency, (create_product(cooperative, name="Rak buku jati", base_price=1_500_000,
                                                   tiers=[]), 10))
    staff = signed_in(app, owner_of(cooperative))
    received_page = f"/manage/{cooperative.slug}/purchase-orders/{po.id}"
    assert "Terbitkan tagihan" in page_text(staff.get(received_page))
    issued = staff.post(f"{received_page}/invoice", data={"csrf_token": csrf_token_from(staff, received_page)},
                        follow_redirects=True)
    text = page_text(issued)
    assert f"INV/{po.number}" in text and "Rp 1.650.000" in text and "Rp 16.425.000" in text
    printed = staff.get(f"{received_page}/invoice.pdf")
    assert printed.status_code == 200
    invoice_text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(printed.data)).pages)
    for expected in (f"INV/{po.number}", "Rak buku jati", "13.750.000", "1.650.000", "225.000", "16.425.000",
                     "0011223344", po.handovers[0].number, po.invoice.verification_code):
        assert expected in invoice_text
    receipt = staff.get(f"{received_page}/receipt.pdf")
    receipt_text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(receipt.data)).pages)
    assert f"KWT/{po.number}" in receipt_text and "Enam belas juta enam ratus lima puluh ribu rupiah" in receipt_text

    payment_page = page_text(staff.get(f"/manage/{cooperative.slug}/orders/{po.order.number}/payment"))
    assert "dicatat oleh bendahara instansi" in payment_page and "Catat pembayaran faktur" not in payment_page

    treasurer = signed_in(app, add_officer(agency, "treasurer"))
    base = f"/agencies/{agency.id}/purchase-orders/{po.id}"
    assert "Catat pembayaran" in page_text(treasurer.get(base))
    assert "Catat pembayaran" not in page_text(signed_in(app, officer).get(base))  # the PP is no treasurer
    token = csrf_token_from(treasurer, base)
    wrong = treasurer.post(f"{base}/payment", data={"csrf_token": token, "reference": "?", "paid_on": "",
                                                    "amount": "16.650.000"})
    assert wrong.status_code == 422
    assert "nomor SP2D" in page_text(wrong) and "Rp 16.425.000" in page_text(wrong)
    junk = treasurer.post(f"{base}/payment", data={"csrf_token": token, "reference": "250101301001234/2026",
                                                   "paid_on": "kemarin", "amount": "banyak"})
    assert junk.status_code == 422
    db.session.refresh(po)
    assert po.status == PurchaseOrderStatus.INVOICED
    paid = treasurer.post(f"{base}/payment", data={
        "csrf_token": token, "reference": "250101301001234/2026", "paid_on": local_today().isoformat(),
        "amount": "Rp 16.425.000"}, follow_redirects=True)
    assert "250101301001234/2026" in page_text(paid)
    db.session.refresh(po)
    assert po.status == PurchaseOrderStatus.COMPLETED
    checked = page_text(app.test_client().get(f"/documents/invoices/{po.invoice.verification_code}"))
    assert f"INV/{po.number}" in checked and "Selesai" in checked
    assert treasurer.get(f"{base}/receipt.pdf").status_code == 200
    other = create_cooperative()
    assert signed_in(app, owner_of(other)).get(
        f"/manage/{other.slug}/purchase-orders/{po.id}/invoice.pdf").status_code == 404


def test_the_counter_offer_summary_prints_every_version_with_its_answer(app, officer):
    from marketplace.core.unit_of_work import unit_of_work
    from marketplace.procurement.services import purchase_orders as orders
    from tests.procurement.journey import sent

    agency = create_agency(officer)
    cooperative = create_cooperative()
    po = sent(officer, agency, (create_product(cooperative, name="Meja belajar", base_price=600_000, tiers=[]), 5))
    pp = signed_in(app, officer)
    base = f"/agencies/{agency.id}/purchase-orders/{po.id}"
    assert pp.get(f"{base}/counter-offers.pdf").status_code == 404  # never negotiated
    line = po.lines[0].id
    with unit_of_work():
        orders.counter_offer(owner_of(cooperative), po, [orders.ProposedLine(line, 5, 650_000)], deliver_by=None,
                             note="Harga kayu mahoni naik")
    with unit_of_work():
        orders.refuse_counter_offer(officer, po, "Anggaran tidak cukup")
    with unit_of_work():
        orders.counter_offer(owner_of(cooperative), po, [orders.ProposedLine(line, 4, 600_000)], deliver_by=None,
                             note="Empat meja saja")
    printed = pp.get(f"{base}/counter-offers.pdf")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(printed.data)).pages)
    for expected in ("Harga kayu mahoni naik", "Anggaran tidak cukup", "Empat meja saja", "650.000", "2.400.000",
                     po.number):
        assert expected in text
    staff = signed_in(app, owner_of(cooperative))
    assert staff.get(f"/manage/{cooperative.slug}/purchase-orders/{po.id}/counter-offers.pdf").data == printed.data


def test_a_pp_turns_the_cart_into_purchase_orders_one_per_cooperative(app, officer):
    from marketplace.ordering.services.cart import StoredCart, add_to_cart

    agency = create_agency(officer)
    first, second = create_cooperative(), create_cooperative()
    chairs = create_product(first, name="Kursi rotan", base_price=450_000, tiers=[])
    mats = create_product(second, name="Tikar pandan", base_price=85_000, tiers=[], min_order_quantity=10)
    receive(chairs, 10)
    receive(mats, 20)
    add_to_cart(StoredCart(officer), chairs.slug, 6)
    add_to_cart(StoredCart(officer), mats.slug, 12)
    db.session.commit()
    pp = signed_in(app, officer)
    base = f"/agencies/{agency.id}/purchase-orders"
    assert "Keranjang Anda berisi 2 produk" in page_text(pp.get(base))
    drafted = pp.post(f"{base}/from-cart", data={"csrf_token": csrf_token_from(pp, base)}, follow_redirects=True)
    assert "2 draf pesanan pembelian" in page_text(drafted)
    drafts = db.session.scalars(db.select(PurchaseOrder).order_by(PurchaseOrder.cooperative_id)).all()
    assert [(po.cooperative_id, [(line.product_name, line.quantity) for line in po.lines]) for po in drafts] == [
        (first.id, [("Kursi rotan", 6)]), (second.id, [("Tikar pandan", 12)])]
    assert StoredCart(officer).lines() == {}  # what became a purchase order left the cart
    empty = pp.post(f"{base}/from-cart", data={"csrf_token": csrf_token_from(pp, base)}, follow_redirects=True)
    assert "Keranjang Anda tidak berisi produk" in page_text(empty)
    receiver = signed_in(app, add_officer(agency, "receiver"))
    refused = receiver.post(f"{base}/from-cart", data={"csrf_token": csrf_token_from(receiver, base)},
                            follow_redirects=True)
    assert db.session.query(PurchaseOrder).count() == 2 and "PP" in page_text(refused)
