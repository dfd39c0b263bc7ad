"""Procurement's part in an order's life, hooked into ordering (which does not know procurement): a government
order is received with a handover record by the agency's receiver of goods, who acts for the PP who ordered."""

from marketplace.ordering.services import events
from marketplace.procurement.services.receipts import receiver_acts_for_buyer, why_not_received_yet

events.acting_for_buyer(receiver_acts_for_buyer)
events.before_receiving(why_not_received_yet)
