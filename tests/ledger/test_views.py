"""The ledger pages as the cooperative's staff use them."""

from datetime import date

from marketplace.catalog.models import Availability
from marketplace.extensions import db
from marketplace.ledger.models import Allocation, Payout
from marketplace.ledger.services import journal
from tests.factories import (
    add_staff,
    complete_order,
    create_cooperative,
    create_member,
    create_product,
    owner_of,
    place_order,
    receive,
)
from tests.helpers import csrf_token_from, page_text, post_form, signed_in


def _completed(buyer, product):
    order = place_order(buyer, (product, 2)).orders[0]
    complete_order(order, buyer)
    db.session.commit()
    return order


def test_staff_see_balances_read_a_statement_and_record_a_payout(app, buyer):
    cooperative = create_cooperative()
    suparmi = create_member(cooperative, full_name="Suparmi")
    product = create_product(cooperative, base_price=50_000, tiers=[])
    receive(product, 5, member=suparmi)
    _completed(buyer, product)
    staff = signed_in(app, owner_of(cooperative))
    balances = page_text(staff.get(f"/manage/{cooperative.slug}/ledger"))
    assert "Suparmi" in balances and "Rp 90.000" in balances
    url = f"/manage/{cooperative.slug}/ledger/members/{suparmi.id}"
    assert "Rp 90.000" in page_text(staff.get(url))
    too_much = post_form(staff, url, {"amount": "100.000", "method": "cash", "paid_on": "2026-11-20"})
    assert too_much.status_code == 422 and "bayar paling banyak sejumlah itu" in page_text(too_much)
    assert db.session.query(Payout).count() == 0
    paid = post_form(staff, url, {"amount": "Rp 40.000", "method": "cash", "paid_on": "2026-11-20",
                                  "reference": "Kwitansi 12"})
    assert paid.status_code == 302
    assert journal.member_balance(suparmi.id) == 50_000
    assert "Kwitansi 12" in page_text(staff.get(url))
    # Staff without the money right read but cannot pay; another cooperative's member is not found.
    clerk = signed_in(app, add_staff(cooperative, "staff"))
    assert post_form(clerk, url, {"amount": "1000", "method": "cash", "paid_on": "2026-11-20"}).status_code == 403
    other = create_cooperative()
    assert staff.get(f"/manage/{other.slug}/ledger").status_code == 403
    assert staff.get(f"/manage/{cooperative.slug}/ledger/members/{create_member(other).id}").status_code == 404


def test_staff_allocate_a_made_to_order_line_on_its_page(app, buyer):
    cooperative = create_cooperative()
    first, second = create_member(cooperative, full_name="Pembatik Satu"), create_member(cooperative,
                                                                                         full_name="Pembatik Dua")
    product = create_product(cooperative, tiers=[], availability=Availability.MADE_TO_ORDER, lead_time_days=14,
                             weekly_capacity=100, producer_ids=[first.id])
    order = place_order(buyer, (product, 10)).orders[0]
    staff = signed_in(app, owner_of(cooperative))
    url = f"/manage/{cooperative.slug}/orders/{order.number}/allocations"
    assert "Pembatik Satu" in page_text(staff.get(url))
    token = csrf_token_from(staff, url)
    line_id = order.lines[0].id
    refused = staff.post(url, data={"csrf_token": token, "line": line_id, "member": [first.id, second.id],
                                    "quantity": ["4", "5"]}, follow_redirects=True)
    assert "Jumlahnya 9; baris pesanan ini berisi 10 unit." in page_text(refused)
    assert db.session.query(Allocation).count() == 0
    staff.post(url, data={"csrf_token": token, "line": line_id, "member": [first.id, second.id],
                          "quantity": ["4", "6"]})
    assert sorted((allocation.member_id, allocation.quantity) for allocation in db.session.query(Allocation)) == [
        (first.id, 4), (second.id, 6)]
    assert "Teralokasi penuh" in page_text(staff.get(url))


def test_a_member_reads_their_own_earnings_and_nobody_elses(app, buyer):
    from tests.factories import create_user

    cooperative = create_cooperative()
    person = create_user(name="Suparmi")
    suparmi = create_member(cooperative, full_name="Suparmi", user_id=person.id)
    other = create_member(cooperative, full_name="Joko Santoso")
    product = create_product(cooperative, base_price=50_000, tiers=[])
    receive(product, 2, member=suparmi)
    receive(product, 2, member=other)
    _completed(buyer, product)  # two units, from Suparmi's older lot
    page = page_text(signed_in(app, person).get("/my/earnings"))
    assert "Rp 90.000" in page and "Joko" not in page and "Simpanan pokok" in page
    stranger = page_text(signed_in(app, create_user()).get("/my/earnings"))
    assert "tidak terhubung" in stranger and "Rp 90.000" not in stranger
    # The product page counts members from real allocations.
    assert "dibuat oleh 1 anggota" in page_text(app.test_client().get(f"/products/{product.slug}"))


def test_staff_pay_every_balance_with_the_banks_transfer_file_and_print_slips(app, buyer):
    cooperative = create_cooperative()
    suparmi = create_member(cooperative, full_name="Suparmi", member_number="A-001", payout_method="bank",
                            payout_provider="BRI", payout_account_number="002101000734561")
    joko = create_member(cooperative, full_name="Joko", member_number="A-002")
    idle = create_member(cooperative, full_name="Belum Setor", member_number="A-003")
    product = create_product(cooperative, base_price=50_000, tiers=[])
    receive(product, 2, member=suparmi, received_on=date(2026, 1, 1))
    receive(product, 2, member=joko, received_on=date(2026, 2, 1))
    order = place_order(buyer, (product, 4)).orders[0]
    staff_user = owner_of(cooperative)
    complete_order(order, buyer)
    db.session.commit()
    staff = signed_in(app, staff_user)
    batch = staff.get(f"/manage/{cooperative.slug}/ledger/bank-batch.csv")
    text = batch.get_data(as_text=True)
    assert "002101000734561" in text and "90000" in text and "Belum Setor" not in text
    clerk = signed_in(app, add_staff(cooperative, "staff"))
    assert clerk.get(f"/manage/{cooperative.slug}/ledger/bank-batch.csv").status_code == 403

    paid = post_form(staff, f"/manage/{cooperative.slug}/ledger/pay-all",
                     {"method": "bank_transfer", "paid_on": "2026-11-20", "reference": "BULK-11"},
                     token_from=f"/manage/{cooperative.slug}/ledger", follow_redirects=True)
    assert "2 pembayaran dicatat" in page_text(paid)
    assert db.session.query(Payout).count() == 2
    assert (journal.member_balance(suparmi.id), journal.member_balance(joko.id),
            journal.member_balance(idle.id)) == (0, 0, 0)
    again = post_form(staff, f"/manage/{cooperative.slug}/ledger/pay-all",
                      {"method": "cash", "paid_on": "2026-11-20"}, token_from=f"/manage/{cooperative.slug}/ledger",
                      follow_redirects=True)
    assert "Tidak ada anggota yang memiliki saldo" in page_text(again)
    payout = db.session.query(Payout).first()
    slip = staff.get(f"/manage/{cooperative.slug}/ledger/payouts/{payout.id}/slip.pdf")
    assert slip.status_code == 200 and slip.data.startswith(b"%PDF")
    other = create_cooperative()
    assert signed_in(app, owner_of(other)).get(
        f"/manage/{other.slug}/ledger/payouts/{payout.id}/slip.pdf").status_code == 404


def test_a_statement_for_a_period_on_the_page_and_as_a_pdf_and_only_for_its_member(app, buyer):
    from marketplace.ledger.models import Account
    from marketplace.ledger.services import savings
    from tests.factories import create_user

    cooperative = create_cooperative()
    person = create_user()
    suparmi = create_member(cooperative, full_name="Suparmi", user_id=person.id, joined_on=date(2025, 1, 1))
    product = create_product(cooperative, base_price=50_000, tiers=[])
    receive(product, 5, member=suparmi)
    _completed(buyer, product)
    savings.record_savings(owner_of(cooperative), cooperative, savings.SavingsMovement(
        member_id=suparmi.id, account=Account.SIMPANAN_POKOK, amount=100_000, on=date(2026, 1, 5)))
    db.session.commit()
    staff = signed_in(app, owner_of(cooperative))
    url = f"/manage/{cooperative.slug}/ledger/members/{suparmi.id}"
    page = page_text(staff.get(url))
    assert "Rp 90.000" in page and "Simpanan pokok" in page
    january = page_text(staff.get(url, query_string={"since": "2026-01-01", "until": "2026-01-31"}))
    assert "Rp 100.000" in january and "Penjualan untuk anggota" not in january
    assert staff.get(f"{url}/statement.pdf").data.startswith(b"%PDF")
    own = signed_in(app, person)
    assert own.get(f"/my/earnings/{suparmi.id}/statement.pdf").data.startswith(b"%PDF")
    other = create_member(cooperative)
    assert own.get(f"/my/earnings/{other.id}/statement.pdf").status_code == 404


def test_sales_by_member_product_and_month_with_a_chart_and_a_csv(app, buyer):
    from marketplace.core.unit_of_work import unit_of_work

    cooperative = create_cooperative()
    ani, budi = create_member(cooperative, full_name="Ani"), create_member(cooperative, full_name="Budi")
    basket = create_product(cooperative, name="Keranjang", base_price=50_000, tiers=[])
    mat = create_product(cooperative, name="Tikar", base_price=30_000, tiers=[])
    receive(basket, 2, member=ani, received_on=date(2026, 1, 1))
    receive(basket, 2, member=budi, received_on=date(2026, 2, 1))
    receive(mat, 5, member=budi)
    _completed(buyer, basket)  # Ani's two baskets
    returned = _completed(buyer, mat)  # Budi's two mats, then returned
    with unit_of_work():
        from marketplace.ledger.services import journal

        journal.reverse_order(returned, owner_of(cooperative))
    staff = signed_in(app, owner_of(cooperative))
    base = f"/manage/{cooperative.slug}/reports/sales"
    by_member = page_text(staff.get(base))
    assert "<svg" in by_member and "Ani" in by_member and "Rp 90.000" in by_member
    by_product = page_text(staff.get(base, query_string={"by": "product"}))
    assert "Keranjang" in by_product and "Rp 100.000" in by_product and "Rp 60.000" not in by_product
    assert "Rp 100.000" in page_text(staff.get(base, query_string={"by": "month"}))
    csv_text = staff.get(f"{base}.csv", query_string={"by": "product"}).get_data(as_text=True)
    assert "Keranjang,2,100000" in csv_text and "Tikar,0,0" in csv_text
    nothing = page_text(staff.get(base, query_string={"since": "2020-01-01", "until": "2020-12-31"}))
    assert "Tidak ada penjualan selesai pada periode ini." in nothing


def test_staff_set_a_products_own_rule_on_the_earnings_page(app):
    cooperative = create_cooperative()
    product = create_product(cooperative, name="Tikar pandan", base_price=80_000, tiers=[])
    staff = signed_in(app, owner_of(cooperative))
    url = f"/manage/{cooperative.slug}/ledger"
    post_form(staff, f"{url}/product-rules", {"product": product.id, "member_price": "60.000"}, token_from=url)
    assert "anggota menerima Rp 60.000 per unit" in page_text(staff.get(url))
    refused = post_form(staff, f"{url}/product-rules", {"product": product.id, "member_price": "90.000"},
                        token_from=url, follow_redirects=True)
    assert "paling tinggi harga produknya" in page_text(refused)


def test_the_product_page_says_how_many_members_made_what_buyers_ordered(app, buyer, client):
    cooperative = create_cooperative(name="Koperasi Tunas")
    suparmi, painem = create_member(cooperative), create_member(cooperative)
    product = create_product(cooperative, tiers=[])
    other = create_product(cooperative, tiers=[])
    receive(product, 1, member=suparmi)
    receive(product, 1, member=painem)
    receive(other, 2, member=suparmi)
    assert "dibuat oleh" not in page_text(client.get(f"/products/{product.slug}"))  # nothing ordered yet
    _completed(buyer, product)
    _completed(buyer, other)
    assert "Pesanan produk ini sejauh ini dibuat oleh 2 anggota Koperasi Tunas." in page_text(
        client.get(f"/products/{product.slug}"))
    assert "dibuat oleh 1 anggota Koperasi Tunas." in page_text(client.get(f"/products/{other.slug}"))
