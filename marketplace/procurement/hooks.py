"""Procurement's part in an order's life, hooked into ordering and payments (which do not know procurement): a
government order is received with a handover record by the agency's receiver of goods, who acts for the PP who
ordered; its payment is recorded by the agency's treasurer (or by the card processor, for the government
card), not by the cooperative; the purchase order completes
with its order; the order's pages link to the purchase order."""

from flask import url_for

from marketplace.core.i18n import gettext as _
from marketplace.ordering.services import events
from marketplace.payments.services.card import when_invoice_paid_by_card
from marketplace.payments.services.invoices import payment_recorded_elsewhere
from marketplace.procurement.services.invoicing import complete_with_its_order, paid_by_card, paid_by_the_treasurer
from marketplace.procurement.services.receipts import (
    purchase_orders_wrapping,
    receiver_acts_for_buyer,
    why_not_received_yet,
)

events.acting_for_buyer(receiver_acts_for_buyer)
events.before_receiving(why_not_received_yet)
events.when_moved(complete_with_its_order)
payment_recorded_elsewhere(paid_by_the_treasurer)
when_invoice_paid_by_card(paid_by_card)


@events.wrapping_pages
def _purchase_order_pages(order_ids: list[int], side: str) -> dict[int, list[tuple[str, str]]]:
    """A government order links to its purchase order: the Surat Pesanan with its BASTs, invoice and papers."""
    found: dict[int, list[tuple[str, str]]] = {}
    for po in purchase_orders_wrapping(order_ids):
        if po.order_id is None:
            continue
        if side == "cooperative":
            url = url_for("procurement.cooperative_purchase_order", slug=po.cooperative.slug, purchase_order_id=po.id)
        else:
            url = url_for("procurement.purchase_order", agency_id=po.agency_id, purchase_order_id=po.id)
        found[po.order_id] = [(_("Government order: Surat Pesanan %(number)s", number=po.number), url)]
    return found
