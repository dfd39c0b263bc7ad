"""Orders paid on invoice: they go ahead unpaid, the invoice falls due the agreed days after receipt, and the
cooperative records the payment with its reference — for a government office, the SP2D number and date."""

import re
from collections.abc import Callable
from datetime import date

import sqlalchemy as sa

from marketplace.accounts.models import AccountKind, User
from marketplace.cooperatives.models import Cooperative
from marketplace.cooperatives.permissions import Capability, require_capability
from marketplace.core.audit import record_audit
from marketplace.core.errors import InvalidDetails, NotPermitted, TransitionNotAllowed
from marketplace.core.i18n import gettext as _
from marketplace.core.money import format_rupiah
from marketplace.core.timeutil import local_today, utcnow
from marketplace.ordering.models import CLOSED_STATUSES, Order, PaymentMethod
from marketplace.ordering.services.lifecycle import OrderAction, perform
from marketplace.payments.models import PaymentAudit
from marketplace.payments.services.received import record_received

# An SP2D number as treasuries print it: digits, letters and the separators they use (/ . -), e.g.
# 250101301001234/2026 or 00123T/012.0/2026.
SP2D_NUMBER = re.compile(r"^[0-9A-Za-z][0-9A-Za-z./-]{3,59}$")


# Checks from the domains above: `check(order)` says why the cooperative does not record this order's payment
# itself (a government purchase order's is recorded by the agency's treasurer), or None.
_recorded_elsewhere: list[Callable[[Order], str | None]] = []


def payment_recorded_elsewhere(check: Callable[[Order], str | None]) -> Callable[[Order], str | None]:
    _recorded_elsewhere.append(check)
    return check


def why_not_record_here(order: Order) -> str | None:
    return next((refusal for check in _recorded_elsewhere if (refusal := check(order))), None)


def needs_sp2d(order: Order) -> bool:
    """A government office pays through its treasury: the SP2D is the proof the money was released."""
    return order.buyer.kind == AccountKind.GOVERNMENT_OFFICER


def record_invoice_payment(actor: User, order: Order, *, amount: int | None, paid_on: date | None,
                           reference: str, reference_date: date | None) -> None:
    require_capability(actor, order.cooperative, Capability.MANAGE_MONEY)
    if (elsewhere := why_not_record_here(order)) is not None:
        raise NotPermitted(elsewhere, code="recorded_elsewhere")
    if order.payment_method != PaymentMethod.ON_INVOICE:
        raise NotPermitted(_("This order is not paid on invoice."), code="not_on_invoice")
    if order.paid_at is not None:
        raise TransitionNotAllowed(_("The payment of this order is already recorded."), code="already_paid")
    if order.status in CLOSED_STATUSES:
        raise TransitionNotAllowed(_("This order is closed: nothing is due on it."), code="order_closed")
    today = local_today(order.cooperative.time_zone)
    reference = (reference or "").strip()
    errors = {}
    if amount is None or amount <= 0:
        errors["amount"] = _("Enter the amount paid.")
    elif amount != order.total:
        errors["amount"] = _("The amount paid (%(paid)s) is not the invoice total (%(total)s): record the payment "
                             "once the whole invoice is paid.", paid=format_rupiah(amount),
                             total=format_rupiah(order.total))
    if paid_on is None or paid_on > today:
        errors["paid_on"] = _("Enter the day the money arrived (not in the future).")
    if needs_sp2d(order):
        if not SP2D_NUMBER.match(reference):
            errors["reference"] = _("Enter the SP2D number as printed (letters, digits, / . -).")
        if reference_date is None or reference_date > today:
            errors["reference_date"] = _("Enter the SP2D date (not in the future).")
        elif paid_on is not None and reference_date > paid_on:
            errors["reference_date"] = _("The SP2D is dated before the money arrives.")
    elif not reference:
        errors["reference"] = _("Enter the payment's reference (the transfer's number or note).")
    if errors:
        raise InvalidDetails(errors, code="invoice_payment_invalid")
    assert paid_on is not None
    record_received(order, received_on=paid_on, reference=reference,
                    reference_date=reference_date if needs_sp2d(order) else None, actor=actor)
    if needs_sp2d(order):
        note = _("Invoice paid: SP2D %(number)s of %(date)s.", number=reference,
                 date=reference_date.isoformat() if reference_date else "")
    else:
        note = _("Invoice paid on %(date)s, reference %(reference)s.", date=paid_on.isoformat(), reference=reference)
    perform(order, OrderAction.CONFIRM_PAYMENT, actor, note=note)
    record_audit(PaymentAudit.INVOICE_PAID, actor=actor, target=order, amount=amount, reference=reference)


def unpaid_invoices_query(cooperative: Cooperative | None = None, *, overdue_only: bool = False) -> sa.Select:
    """Invoices not paid yet, the longest overdue first (those not yet due — goods not received — last)."""
    query = sa.select(Order).where(Order.payment_method == PaymentMethod.ON_INVOICE, Order.paid_at.is_(None),
                                   Order.status.not_in(CLOSED_STATUSES))
    if cooperative is not None:
        query = query.where(Order.cooperative_id == cooperative.id)
    if overdue_only:
        query = query.where(Order.payment_due_at < utcnow())
    return query.order_by(Order.payment_due_at.is_(None), Order.payment_due_at, Order.id)


def days_overdue(order: Order) -> int:
    if order.payment_due_at is None or order.paid_at is not None:
        return 0
    return max(0, (utcnow() - order.payment_due_at).days)
