"""Procurement's part in an order's life, hooked into ordering and payments (which do not know procurement): a
government order is received with a handover record by the agency's receiver of goods, who acts for the PP who
ordered; its payment is recorded by the agency's treasurer, not by the cooperative; the purchase order completes
with its order."""

from marketplace.ordering.services import events
from marketplace.payments.services.invoices import payment_recorded_elsewhere
from marketplace.procurement.services.invoicing import complete_with_its_order, paid_by_the_treasurer
from marketplace.procurement.services.receipts import receiver_acts_for_buyer, why_not_received_yet

events.acting_for_buyer(receiver_acts_for_buyer)
events.before_receiving(why_not_received_yet)
events.when_moved(complete_with_its_order)
payment_recorded_elsewhere(paid_by_the_treasurer)
