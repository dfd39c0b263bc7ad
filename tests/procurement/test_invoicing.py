"""Invoicing and paying a government order: the cooperative invoices what was received with the tax lines of
the day; the agency's treasurer pays the net payable and records the SP2D, never before the BAST and the invoice;
the order is paid like any other and completes, and the purchase order with it."""

from datetime import date, timedelta

import pytest

from marketplace.core.errors import Conflict, InvalidDetails, NotPermitted
from marketplace.core.timeutil import local_today
from marketplace.core.unit_of_work import unit_of_work
from marketplace.extensions import db
from marketplace.ordering.models import OrderStatus
from marketplace.payments.services import invoices as cooperative_invoices
from marketplace.payments.services.received import payment_of
from marketplace.procurement.models import PaymentMechanism, ProcurementInvoice, PurchaseOrderStatus, WithheldTax
from marketplace.procurement.services import invoicing
from marketplace.procurement.services import purchase_orders as orders
from tests.factories import add_officer, create_agency, create_cooperative, create_product, owner_of
from tests.helpers import refused
from tests.procurement.journey import accepted, received

S = PurchaseOrderStatus
SP2D = "250101301001234/2026"


@pytest.fixture
def agency(officer):
    return create_agency(officer, roles=("pp",))


@pytest.fixture
def treasurer(agency):
    return add_officer(agency, "treasurer")


def cooperative_with(**attributes):
    cooperative = create_cooperative()
    for name, value in {"bank_name": "Bank Jatim", "bank_account_number": "0011223344",
                        "bank_account_holder": "Koperasi Produsen Tunas", **attributes}.items():
        setattr(cooperative, name, value)
    db.session.commit()
    return cooperative


def received_from(cooperative, officer, agency, price: int, quantity: int):
    return received(officer, agency, (create_product(cooperative, base_price=price, tiers=[]), quantity))


def invoiced(po):
    with unit_of_work():
        return invoicing.issue_invoice(owner_of(po.cooperative), po)


def pay(treasurer, po, *, reference=SP2D, paid_on=None, amount=None):
    with unit_of_work():
        return invoicing.record_payment(treasurer, po, reference=reference, paid_on=paid_on or local_today(),
                                        amount=po.invoice.net_payable if amount is None else amount)


def test_a_vat_registered_cooperative_invoices_what_was_received(app, officer, agency, treasurer, outbox):
    po = received_from(cooperative_with(is_pkp=True), officer, agency, 1_500_000, 10)
    invoice = invoiced(po)
    assert (invoice.number, po.status) == (f"INV/{po.number}", S.INVOICED)
    # 12% of a base of 11/12 of the price; PPh 22 at 1.5% of the price before VAT; all rounded down.
    assert (invoice.price, invoice.vat_base, invoice.vat, invoice.total) == (15_000_000, 13_750_000, 1_650_000,
                                                                            16_650_000)
    assert (invoice.withheld, invoice.withheld_amount, invoice.net_payable) == (WithheldTax.INCOME_TAX, 225_000,
                                                                               16_425_000)
    assert invoice.bank_account_number == "0011223344"
    assert outbox[-1]["To"] == treasurer.email and "Rp 16.425.000" in outbox[-1].get_content()
    with refused("not_invoiceable", Conflict):
        invoicing.issue_invoice(owner_of(po.cooperative), po)


def test_a_small_business_certificate_and_a_small_purchase_change_the_tax(app, officer, agency):
    certified = cooperative_with(pp55_certificate_number="KET-00123/PP55/2026", pp55_valid_from=date(2026, 1, 1),
                                 pp55_valid_until=date(2028, 12, 31))
    final = invoiced(received_from(certified, officer, agency, 5_000_000, 10))
    assert (final.vat, final.withheld, final.withheld_amount) == (0, WithheldTax.SMALL_BUSINESS_FINAL, 250_000)
    small = invoiced(received_from(cooperative_with(), officer, agency, 150_000, 10))
    assert (small.total, small.withheld, small.withheld_amount, small.net_payable) == (1_500_000, WithheldTax.NONE,
                                                                                      0, 1_500_000)


def test_no_invoice_before_everything_is_received_nor_without_an_account(app, officer, agency):
    cooperative = cooperative_with()
    po = accepted(officer, agency, (create_product(cooperative, tiers=[]), 4))
    with refused("not_invoiceable", Conflict):
        invoicing.issue_invoice(owner_of(cooperative), po)
    db.session.rollback()
    without_account = received_from(create_cooperative(), officer, agency, 100_000, 3)
    with refused("bank_account_missing", Conflict):
        invoicing.issue_invoice(owner_of(without_account.cooperative), without_account)
    db.session.rollback()
    with refused("not_permitted", NotPermitted):
        invoicing.issue_invoice(owner_of(cooperative), without_account)  # another cooperative's staff
    db.session.rollback()
    assert db.session.query(ProcurementInvoice).count() == 0


def test_the_treasurer_pays_only_after_the_bast_and_the_invoice(app, officer, agency, treasurer):
    cooperative = cooperative_with()
    po = accepted(officer, agency, (create_product(cooperative, tiers=[]), 4))
    with refused("not_payable", Conflict):
        invoicing.record_payment(treasurer, po, reference=SP2D, paid_on=local_today(), amount=1)
    db.session.rollback()
    po = received_from(cooperative, officer, agency, 100_000, 3)
    with refused("not_payable", Conflict):  # received, but not invoiced yet
        invoicing.record_payment(treasurer, po, reference=SP2D, paid_on=local_today(), amount=300_000)
    db.session.rollback()
    invoiced(po)
    for someone in (officer, add_officer(agency, "ppk"), owner_of(cooperative),
                    add_officer(create_agency(satker_code="654321"), "treasurer")):
        with refused("role_required", NotPermitted):
            invoicing.record_payment(someone, po, reference=SP2D, paid_on=local_today(), amount=300_000)
        db.session.rollback()
    assert po.status == S.INVOICED and po.order.paid_at is None


def test_a_payment_with_mistakes_is_refused_with_all_of_them(app, officer, agency, treasurer):
    po = received_from(cooperative_with(is_pkp=True), officer, agency, 1_500_000, 10)
    invoice = invoiced(po)
    with pytest.raises(InvalidDetails) as refusal:
        pay(treasurer, po, reference="SP2D?", paid_on=local_today() + timedelta(days=1), amount=invoice.total)
    assert set(refusal.value.field_errors) == {"reference", "paid_on", "amount"}
    assert "Rp 16.425.000" in refusal.value.field_errors["amount"]
    db.session.rollback()
    with pytest.raises(InvalidDetails) as before_invoice:
        pay(treasurer, po, paid_on=invoice.issued_on - timedelta(days=1))
    assert set(before_invoice.value.field_errors) == {"paid_on"}
    db.session.rollback()
    assert po.status == S.INVOICED and invoice.paid_on is None and payment_of(po.order) is None


def test_paid_the_order_is_paid_like_any_other_and_completes_with_its_purchase_order(app, officer, agency,
                                                                                      treasurer, outbox):
    po = received_from(cooperative_with(is_pkp=True), officer, agency, 1_500_000, 10)
    invoiced(po)
    staff = owner_of(po.cooperative)
    invoice = pay(treasurer, po)
    assert (invoice.payment_reference, invoice.paid_amount) == (SP2D, 16_425_000)
    order = po.order
    assert order.paid_at is not None and payment_of(order).reference == SP2D
    # Delivered and paid, the order completes at once, and the purchase order with it; the history keeps both.
    assert order.status == OrderStatus.COMPLETED and po.status == S.COMPLETED
    steps = [event.action for event in orders.history_of(po)]
    assert steps[-3:] == ["purchase_order.invoiced", "purchase_order.paid", "purchase_order.completed"]
    assert outbox[-1]["To"] == po.cooperative.email
    with refused("not_payable", Conflict):
        pay(treasurer, po)
    db.session.rollback()
    with refused("recorded_elsewhere", NotPermitted):  # the cooperative does not record it a second time
        cooperative_invoices.record_invoice_payment(staff, order, amount=order.total, paid_on=local_today(),
                                                    reference=SP2D, reference_date=local_today())


def test_petty_cash_takes_a_reference_instead_of_an_sp2d(app, officer, agency, treasurer):
    po = received_from(cooperative_with(), officer, agency, 100_000, 3)
    po.payment_mechanism = PaymentMechanism.UP_GU
    db.session.commit()
    invoiced(po)
    with pytest.raises(InvalidDetails) as refusal:
        pay(treasurer, po, reference="")
    assert set(refusal.value.field_errors) == {"reference"}
    db.session.rollback()
    assert pay(treasurer, po, reference="Kas UP 0042").payment_reference == "Kas UP 0042"


def test_an_invoice_day_without_a_recorded_rate_is_refused_not_guessed(app, officer, agency):
    import sqlalchemy as sa

    from marketplace.procurement.models import ProcurementRule, RuleKey

    po = received_from(cooperative_with(is_pkp=True), officer, agency, 1_000_000, 2)
    db.session.execute(sa.update(ProcurementRule).where(ProcurementRule.key == RuleKey.VAT_STATUTORY_RATE,
                                                        ProcurementRule.valid_until.is_(None))
                       .values(valid_until=local_today() - timedelta(days=1)))  # the rate in force ran out
    db.session.commit()
    with refused("rule_missing"):
        invoicing.issue_invoice(owner_of(po.cooperative), po)
    db.session.rollback()
    assert po.status == S.RECEIVED and db.session.query(ProcurementInvoice).count() == 0
