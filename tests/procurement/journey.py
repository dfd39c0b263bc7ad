"""A purchase order walked to a given step, for the tests of the steps after it."""

import itertools
from datetime import timedelta

from marketplace.core.timeutil import local_today
from marketplace.core.unit_of_work import unit_of_work
from marketplace.procurement.models import PaymentMechanism, PurchaseOrder
from marketplace.procurement.services import purchase_orders as orders
from marketplace.procurement.services.purchase_orders import PurchaseOrderDetails
from marketplace.sourcing.services import shortlists
from tests.factories import add_officer, owner_of, receive

_names = itertools.count(1)


def details(agency, **overrides) -> PurchaseOrderDetails:
    values = dict(spending_unit_id=agency.spending_units[0].id, rup_code="RUP-2026-0412", budget_code="5.2.02.01",
                  fiscal_year=local_today().year, delivery_province_code="35", delivery_regency_code="35.76",
                  delivery_address="SDN 2 Mojokerto, Jl. Majapahit 10", deliver_by=local_today() + timedelta(days=30),
                  justification="Meja dan rak untuk perpustakaan sekolah", payment_mechanism=PaymentMechanism.LS,
                  recipient_name="Sri Wahyuni", recipient_phone="0812 3456 7890")
    values.update(overrides)
    return PurchaseOrderDetails(**values)


def drafted(pp, agency, *wanted, complete=True) -> list[PurchaseOrder]:
    """Drafts from a new shortlist of (product, quantity) pairs, with their details filled in."""
    with unit_of_work():
        shortlist = shortlists.create_shortlist(pp, f"Perpustakaan sekolah {next(_names)}")
        for product, quantity in wanted:
            item = shortlists.add_to_shortlist(pp, shortlist, product_id=product.id)
            item.wanted_quantity = quantity
    with unit_of_work():
        drafts = orders.drafts_from_shortlist(pp, agency, shortlist)
        if complete:
            for po in drafts:
                orders.update_details(pp, po, details(agency))
    return drafts


def submitted(pp, agency, *wanted) -> PurchaseOrder:
    po, = drafted(pp, agency, *wanted)
    with unit_of_work():
        orders.submit(pp, po)
    return po


def sent(pp, agency, *wanted) -> PurchaseOrder:
    po = submitted(pp, agency, *wanted)
    with unit_of_work():
        orders.approve(add_officer(agency, "ppk"), po)
    return po


def accepted(pp, agency, *wanted) -> PurchaseOrder:
    """Sent and accepted by the cooperative, with the ready stock it needed received first."""
    for product, quantity in wanted:
        receive(product, quantity)
    po = sent(pp, agency, *wanted)
    with unit_of_work():
        orders.accept_as_cooperative(owner_of(po.cooperative), po)
    return po


def received(pp, agency, *wanted) -> PurchaseOrder:
    """Accepted, handed over by the cooperative and received in full with one BAST by a new receiver."""
    from marketplace.ordering.services.lifecycle import OrderAction, perform
    from marketplace.procurement.services.receipts import DeliveredLine, record_handover

    po = accepted(pp, agency, *wanted)
    with unit_of_work():
        perform(po.order, OrderAction.SHIP, owner_of(po.cooperative), carrier="Kurir koperasi",
                tracking_number="KK-001")
    with unit_of_work():
        record_handover(add_officer(agency, "receiver"), po,
                        [DeliveredLine(line.id, line.quantity, line.quantity) for line in po.lines],
                        received_on=local_today(), condition="")
    return po
