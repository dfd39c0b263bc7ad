import pytest
from playwright.sync_api import Page, expect

from marketplace.extensions import db
from marketplace.ordering.services.lifecycle import OrderAction, perform
from tests.browser.helpers import SCREENSHOTS, assert_fits_the_screen, sign_in
from tests.factories import create_cooperative, create_member, create_product, create_user, owner_of, place_order

pytestmark = pytest.mark.browser


def test_staff_allocate_a_made_to_order_line_then_pay_the_artisans_on_a_phone(page: Page, base_url):
    cooperative = create_cooperative(name="Koperasi Batik Sragen")
    artisans = [create_member(cooperative, full_name=name) for name in ("Sri Wahyuni", "Tri Handayani")]
    shirts = create_product(cooperative, name="Kemeja batik tulis", base_price=150_000, tiers=[],
                            availability="made_to_order", lead_time_days=21, weekly_capacity=50,
                            producer_ids=[artisans[0].id])
    buyer = create_user(email="pembeli@contoh.id")
    order = place_order(buyer, (shirts, 10)).orders[0]
    staff = owner_of(cooperative)
    perform(order, OrderAction.ACCEPT, staff)
    db.session.commit()

    sign_in(page, base_url, staff.email)
    page.goto(f"{base_url}/manage/{cooperative.slug}/orders/{order.number}")
    page.get_by_role("link", name="Siapa yang membuat").click()
    page.get_by_label("Unit oleh Sri Wahyuni").fill("6")
    page.locator("select[name=member]").first.select_option(label=f"Tri Handayani ({artisans[1].member_number})")
    page.locator("input[name=quantity]").nth(1).fill("4")
    page.get_by_role("button", name="Simpan alokasi").click()
    expect(page.locator(".flash")).to_contain_text("Alokasi sudah disimpan")
    expect(page.locator("main")).to_contain_text("Teralokasi penuh")
    assert_fits_the_screen(page)
    page.screenshot(path=f"{SCREENSHOTS}/allocation-phone.png", full_page=True)

    db.session.rollback()  # read what the browser saved, not this test's older snapshot
    for action, actor in ((OrderAction.SHIP, staff), (OrderAction.CONFIRM_RECEIPT, buyer),
                          (OrderAction.CONFIRM_PAYMENT, staff)):
        perform(order, action, actor)
    db.session.commit()
    page.goto(f"{base_url}/manage/{cooperative.slug}/ledger")
    expect(page.locator("table")).to_contain_text("Rp 810.000")  # six of ten shirts, less the 10% margin
    assert_fits_the_screen(page)
    page.screenshot(path=f"{SCREENSHOTS}/earnings-phone.png", full_page=True)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Catat pembayaran").click()
    expect(page.locator(".flash")).to_contain_text("2 pembayaran dicatat")

    for path in ("savings", "shu", "reports/sales"):
        page.goto(f"{base_url}/manage/{cooperative.slug}/{path}")
        assert_fits_the_screen(page)
    page.screenshot(path=f"{SCREENSHOTS}/sales-report-phone.png", full_page=True)
