"""Invoicing and paying a government order. Once everything ordered is received (the BASTs), the cooperative
issues its invoice for the value received, with the tax lines of that day written down; the agency's treasurer
records the payment — the SP2D for a direct transfer (LS), the payment's reference for petty cash or the
government card — for the net payable, after the taxes they withhold. The payment is recorded on the order of
the ordering domain as for any order, which completes it (it was delivered), and the purchase order with it."""

from datetime import date

from marketplace.accounts.models import User
from marketplace.cooperatives.permissions import Capability, can, require_capability
from marketplace.core.audit import SYSTEM
from marketplace.core.errors import Conflict, InvalidDetails, NotFound
from marketplace.core.i18n import gettext as _
from marketplace.core.mail import send_mail_after_commit
from marketplace.core.money import format_rupiah
from marketplace.core.timeutil import format_date_local, local_today, utcnow
from marketplace.ordering.models import Order, OrderStatus
from marketplace.ordering.services.lifecycle import OrderAction, perform
from marketplace.ordering.services.numbers import random_code
from marketplace.payments.models import CardPayment, CardPaymentStatus
from marketplace.payments.services import card
from marketplace.payments.services.card import StartedPayment, card_payment_of
from marketplace.payments.services.invoices import SP2D_NUMBER
from marketplace.payments.services.received import record_received
from marketplace.procurement.models import (
    OfficerRole,
    PaymentMechanism,
    ProcurementInvoice,
    PurchaseOrder,
    PurchaseOrderStatus,
)
from marketplace.procurement.services.agencies import officer_in, require_role
from marketplace.procurement.services.purchase_orders import locked, officers_holding, paper_by_code, transition
from marketplace.procurement.services.receipts import purchase_order_of, received_value
from marketplace.procurement.services.taxes import tax_lines

S = PurchaseOrderStatus
# A payment reference other than an SP2D: a transfer's number or a card slip's, as the treasurer writes it.
PAYMENT_REFERENCE_MAX = 60


def issue_invoice(user: User, po: PurchaseOrder) -> ProcurementInvoice:
    """The cooperative invoices what the agency received; the tax lines are those of today's rates."""
    require_capability(user, po.cooperative, Capability.MANAGE_MONEY)
    po = locked(po)
    if po.status != S.RECEIVED:
        raise Conflict(_("An invoice is issued once everything ordered has been received with handover records "
                         "(BAST), and only once."), code="not_invoiceable")
    cooperative = po.cooperative
    if not (cooperative.bank_account_number and cooperative.bank_name):
        raise Conflict(_("Add the cooperative's bank account in its settings first: the treasurer pays into it."),
                       code="bank_account_missing")
    today = local_today()
    lines = tax_lines(received_value(po), cooperative, today, po.agency)
    invoice = ProcurementInvoice(
        purchase_order_id=po.id, number=f"INV/{po.number}", verification_code=random_code(16), issued_on=today,
        issued_by_id=user.id, price=lines.price, vat_base=lines.vat_base, vat_statutory_rate=lines.vat_statutory_rate,
        vat=lines.vat, withheld=lines.withheld, withheld_rate=lines.withheld_rate,
        withheld_amount=lines.withheld_amount, total=lines.total, net_payable=lines.net_payable,
        bank_name=cooperative.bank_name, bank_account_number=cooperative.bank_account_number,
        bank_account_holder=cooperative.bank_account_holder or cooperative.name)
    po.invoice = invoice
    transition(po, S.INVOICED, user, number=invoice.number, total=invoice.total, net_payable=invoice.net_payable)
    for treasurer in officers_holding(po.agency, OfficerRole.TREASURER, besides=user):
        send_mail_after_commit(treasurer.user.email, "purchase_order_invoiced",
                               locale=treasurer.user.preferred_locale, po=po, invoice=invoice)
    return invoice


def _payable_by(user: User, po: PurchaseOrder) -> PurchaseOrder:
    """The purchase order, locked, when this treasurer may pay it now: received with BASTs and invoiced."""
    require_role(user, po.agency, OfficerRole.TREASURER)
    po = locked(po)
    if po.status != S.INVOICED or po.invoice is None:
        raise Conflict(_("A payment is recorded once the goods are received with a BAST and the cooperative has "
                         "invoiced them."), code="not_payable")
    return po


def record_payment(user: User, po: PurchaseOrder, *, reference: str, paid_on: date | None,
                   amount: int | None) -> ProcurementInvoice:
    """The treasurer records what the agency paid: never before the goods were received and invoiced, always the
    invoice's net payable, dated neither before the invoice nor in the future."""
    po = _payable_by(user, po)
    invoice = po.invoice
    reference = " ".join((reference or "").split())
    errors = {}
    if po.payment_mechanism == PaymentMechanism.LS:
        if not SP2D_NUMBER.match(reference):
            errors["reference"] = _("Enter the SP2D number as printed (letters, digits, / . -).")
    elif not reference or len(reference) > PAYMENT_REFERENCE_MAX:
        errors["reference"] = _("Enter the payment's reference (the transfer's or the card slip's number).")
    if paid_on is None or paid_on > local_today() or paid_on < invoice.issued_on:
        errors["paid_on"] = _("Enter the payment's date: not before the invoice (%(date)s), not in the future.",
                              date=format_date_local(invoice.issued_on))
    if amount != invoice.net_payable:
        errors["amount"] = _("The invoice's net payable is %(net)s (its total less the tax you withhold): pay and "
                             "record that amount.", net=format_rupiah(invoice.net_payable))
    if errors:
        raise InvalidDetails(errors, code="payment_invalid")
    assert paid_on is not None and amount is not None
    started = card_payment_of(po.order)
    if started is not None and started.status != CardPaymentStatus.CANCELLED:
        card.abandon_failed_card_payment(started)  # refused while the card may still go through (see below)
    _paid(po, user, reference=reference, paid_on=paid_on, amount=amount)
    return invoice


def _paid(po: PurchaseOrder, actor, *, reference: str, paid_on: date, amount: int,
          card_payment: CardPayment | None = None) -> None:
    """The invoice paid: written on it, the purchase order paid, and the order's payment recorded as for any
    order (which completes it: it was delivered), the cooperative told."""
    invoice = po.invoice
    invoice.payment_reference, invoice.paid_on, invoice.paid_amount = reference, paid_on, amount
    invoice.paid_recorded_by_id = card_payment.started_by_id if card_payment is not None else actor.id
    invoice.paid_recorded_at = utcnow()
    transition(po, S.PAID, actor, reference=reference, paid_on=paid_on.isoformat(), amount=amount)
    ls = po.payment_mechanism == PaymentMechanism.LS
    record_received(po.order, received_on=paid_on, reference=reference, reference_date=paid_on if ls else None,
                    actor=actor if card_payment is None else None, amount=amount, card_payment=card_payment)
    if ls:
        note = _("Paid by %(agency)s: SP2D %(number)s of %(date)s.", agency=po.agency.name, number=reference,
                 date=paid_on.isoformat())
    else:
        note = _("Paid by %(agency)s on %(date)s, reference %(number)s.", agency=po.agency.name, number=reference,
                 date=paid_on.isoformat())
    # The treasurer is neither the cooperative nor the buyer: the payment is a fact recorded for the order.
    perform(po.order, OrderAction.CONFIRM_PAYMENT, SYSTEM, note=note)
    send_mail_after_commit(po.cooperative.email, "purchase_order_paid", po=po, invoice=invoice)


def start_card_payment(user: User, po: PurchaseOrder) -> StartedPayment:
    """The treasurer pays a KKP purchase order's invoice with the government card, for the net payable; the
    card processor's signed event then records the payment (`paid_by_card`)."""
    po = _payable_by(user, po)
    if po.payment_mechanism != PaymentMechanism.KKP:
        raise Conflict(_("This purchase order is paid by %(mechanism)s, not with the government card.",
                         mechanism=po.payment_mechanism.label), code="not_kkp")
    return card.start_invoice_card_payment(user, po.order, po.invoice.net_payable, reference=po.invoice.number)


def may_record_by_hand(po: PurchaseOrder) -> bool:
    """Whether the invoice may be recorded paid by hand: not while a card payment started for it may still go
    through (a refused or cancelled one may be given up)."""
    started = card_payment_of(po.order) if po.order is not None else None
    return started is None or started.status in (CardPaymentStatus.FAILED, CardPaymentStatus.CANCELLED)


def may_issue_invoice(user: User, po: PurchaseOrder) -> bool:
    return po.status == S.RECEIVED and can(user, po.cooperative, Capability.MANAGE_MONEY)


def may_record_payment(user: User, po: PurchaseOrder) -> bool:
    officer = officer_in(user, po.agency)
    return (po.status == S.INVOICED and officer is not None and officer.holds(OfficerRole.TREASURER)
            and po.agency.is_verified)


def invoice_by_verification_code(code: str) -> ProcurementInvoice:
    return paper_by_code(ProcurementInvoice, code)


def invoice_of(po: PurchaseOrder) -> ProcurementInvoice:
    if po.invoice is None:
        raise NotFound(_("This purchase order has no invoice yet."))
    return po.invoice


# Hooks into ordering and payments (registered in procurement.hooks) -------------------------------------------

def complete_with_its_order(order: Order, action, source, target, actor) -> None:
    if target != OrderStatus.COMPLETED:
        return
    po = purchase_order_of(order)
    if po is not None and po.status == S.PAID:
        transition(po, S.COMPLETED, actor)


def paid_by_card(order: Order, payment: CardPayment) -> None:
    """The card processor says a government card paid this order's invoice."""
    po = purchase_order_of(order)
    if po is None:
        return
    po = locked(po)
    if po.status == S.INVOICED and po.invoice is not None:
        _paid(po, SYSTEM, reference=payment.intent_id, paid_on=local_today(), amount=payment.amount,
              card_payment=payment)


def paid_by_the_treasurer(order: Order) -> str | None:
    if purchase_order_of(order) is None:
        return None
    return _("The agency's treasurer records the payment of a government purchase order, with its SP2D, on the "
             "purchase order.")
