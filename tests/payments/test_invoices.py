"""Paying on invoice: only buyers with terms an administrator granted; the invoice falls due the agreed days after
receipt; overdue invoices are listed; a government office's payment is recorded with its SP2D."""

from datetime import date, timedelta

import sqlalchemy as sa

from marketplace.accounts.models import AccountKind
from marketplace.core.timeutil import local_today, utcnow
from marketplace.core.unit_of_work import unit_of_work
from marketplace.extensions import db
from marketplace.ledger.models import JournalEntry, JournalKind
from marketplace.ordering.models import InvoiceTerms, Order, OrderStatus
from marketplace.ordering.services.invoice_terms import grant_terms
from marketplace.ordering.services.lifecycle import OrderAction, perform
from marketplace.payments.models import OrderPayment
from marketplace.payments.services.invoices import record_invoice_payment, unpaid_invoices_query
from tests.factories import create_product, create_user, owner_of, place_order, receive
from tests.helpers import csrf_token_from, page_text, refused, signed_in


def _officer():
    return create_user(kind=AccountKind.GOVERNMENT_OFFICER, email="pp@sragenkab.go.id", name="Sri Wahyuni")


def _deliver(order, buyer):
    staff = owner_of(order.cooperative)
    for action, actor in ((OrderAction.ACCEPT, staff), (OrderAction.SHIP, staff), (OrderAction.CONFIRM_RECEIPT, buyer)):
        with unit_of_work():
            perform(order, action, actor)
    return order


def test_an_administrator_grants_terms_and_only_then_the_buyer_may_pay_on_invoice(app, admin):
    officer = _officer()
    product = create_product(base_price=85_000, tiers=[])
    receive(product, 10)
    with refused("checkout_not_ready"):
        place_order(officer, (product, 1), payment="on_invoice")
    db.session.rollback()
    checkout_page = signed_in(app, officer)
    checkout_page.post("/cart/add", data={"csrf_token": csrf_token_from(checkout_page, "/"),
                                          "product": product.slug, "quantity": "1"})
    before = checkout_page.get("/checkout")
    assert before.status_code == 200 and "Transfer bank" in page_text(before)
    assert "Dengan faktur" not in page_text(before)

    page = signed_in(app, admin)
    token = csrf_token_from(page, "/admin/payments/invoice-terms")
    for bad in ({"email": "nobody@x.id", "institution": "Dinas", "days": "30"},
                {"email": officer.email, "institution": "", "days": "30"},
                {"email": officer.email, "institution": "Dinas", "days": "120"}):
        assert page.post("/admin/payments/invoice-terms", data={"csrf_token": token, **bad}).status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InvoiceTerms)) == 0
    assert page.post("/admin/payments/invoice-terms", data={
        "csrf_token": token, "email": officer.email, "institution": "Dinas Koperasi Kab. Sragen",
        "days": "30"}).status_code == 302
    assert "Dengan faktur: bayar dalam 30 hari" in page_text(checkout_page.get("/checkout"))
    assert signed_in(app, officer).get("/admin/payments/invoice-terms").status_code == 403

    order = place_order(officer, (product, 2), payment="on_invoice").orders[0]
    assert (order.status, order.invoice_terms_days, order.payment_due_at) == (OrderStatus.PLACED, 30, None)


def test_the_invoice_falls_due_after_receipt_is_listed_when_overdue_and_is_paid_with_an_sp2d(app, admin):
    officer = _officer()
    with unit_of_work():
        grant_terms(admin, email=officer.email, institution="Dinas Koperasi Kab. Sragen", days=14)
    product = create_product(base_price=85_000, tiers=[])
    receive(product, 10)
    order = _deliver(place_order(officer, (product, 2), payment="on_invoice").orders[0], officer)
    assert order.status == OrderStatus.DELIVERED and order.paid_at is None  # goes ahead unpaid
    due = order.payment_due_at
    assert due is not None and abs((due - order.delivered_at) - timedelta(days=14)) < timedelta(seconds=1)
    assert db.session.scalars(unpaid_invoices_query(order.cooperative, overdue_only=True)).all() == []

    order.payment_due_at = utcnow() - timedelta(days=3)
    db.session.commit()
    staff = signed_in(app, owner_of(order.cooperative))
    overdue = page_text(staff.get(f"/manage/{order.cooperative.slug}/invoices", query_string={"show": "overdue"}))
    assert order.number in overdue and ">3<" in overdue
    assert order.number in page_text(signed_in(app, admin).get("/admin/payments/invoices"))
    assert "Terlambat" in page_text(signed_in(app, officer).get(f"/orders/{order.number}"))

    url = f"/manage/{order.cooperative.slug}/orders/{order.number}/payment"
    token = csrf_token_from(staff, url)
    today = local_today().isoformat()
    base = {"csrf_token": token, "what": "invoice", "invoice-amount": "170.000", "invoice-paid_on": today}
    for bad, message in (({"invoice-reference": "x"}, "nomor SP2D"),
                         ({"invoice-reference": "250101301001234/2026"}, "tanggal SP2D"),
                         ({"invoice-reference": "250101301001234/2026", "invoice-reference_date": "2099-01-01"},
                          "tanggal SP2D"),
                         ({"invoice-amount": "100.000", "invoice-reference": "250101301001234/2026",
                           "invoice-reference_date": today}, "bukan total faktur")):
        response = staff.post(url, data={**base, **bad})
        assert response.status_code == 422 and message in page_text(response), bad
    assert db.session.get(Order, order.id).paid_at is None
    assert staff.post(url, data={**base, "invoice-reference": "250101301001234/2026",
                                 "invoice-reference_date": today}).status_code == 302
    db.session.expire_all()
    paid = db.session.get(Order, order.id)
    assert paid.status == OrderStatus.COMPLETED  # delivered and paid: the members' earnings are booked
    assert db.session.scalar(sa.select(sa.func.count()).select_from(JournalEntry)
                             .where(JournalEntry.kind == JournalKind.SALE)) == 1
    payment = db.session.scalar(sa.select(OrderPayment).where(OrderPayment.order_id == order.id))
    assert (payment.reference, payment.reference_date, payment.amount) == ("250101301001234/2026", local_today(),
                                                                            170_000)
    assert "SP2D 250101301001234/2026" in page_text(signed_in(app, officer).get(f"/orders/{order.number}"))
    with refused("already_paid"):
        record_invoice_payment(owner_of(order.cooperative), paid, amount=170_000, paid_on=local_today(),
                               reference="again", reference_date=local_today())


def test_a_business_invoice_needs_a_reference_and_staff_without_the_money_right_cannot_record_it(app, admin,
                                                                                                 buyer):
    from tests.factories import add_staff

    with unit_of_work():
        grant_terms(admin, email=buyer.email, institution="CV Maju Jaya", days=30)
    product = create_product(base_price=85_000, tiers=[])
    receive(product, 10)
    order = place_order(buyer, (product, 2), payment="on_invoice").orders[0]
    clerk = add_staff(order.cooperative, role="staff")
    with refused("not_permitted"):
        record_invoice_payment(clerk, order, amount=170_000, paid_on=local_today(), reference="TRF",
                               reference_date=None)
    with refused("invoice_payment_invalid"):
        record_invoice_payment(owner_of(order.cooperative), order, amount=170_000, paid_on=local_today(),
                               reference=" ", reference_date=None)
    with refused("invoice_payment_invalid"):
        record_invoice_payment(owner_of(order.cooperative), order, amount=170_000,
                               paid_on=date(2099, 1, 1), reference="TRF-9", reference_date=None)
    with unit_of_work():
        record_invoice_payment(owner_of(order.cooperative), order, amount=170_000, paid_on=local_today(),
                               reference="TRF-9", reference_date=None)
    assert db.session.get(Order, order.id).paid_at is not None
