"""Every purchase-order action, tried by every kind of person at the step where it applies: only the role it
belongs to gets through; for everyone else the answer is a refusal and nothing in the order or its history
changes."""

import pytest
import sqlalchemy as sa

from marketplace.core.audit import AuditEvent
from marketplace.core.timeutil import local_today
from marketplace.core.unit_of_work import unit_of_work
from marketplace.extensions import db, limiter
from marketplace.procurement.models import PurchaseOrder, PurchaseOrderStatus
from marketplace.procurement.services import invoicing
from marketplace.procurement.services import purchase_orders as orders
from tests.factories import (
    add_officer,
    add_staff,
    create_agency,
    create_cooperative,
    create_product,
    create_user,
    owner_of,
    receive,
)
from tests.helpers import csrf_token_from, signed_in
from tests.procurement.journey import accepted, drafted, received, sent, submitted

S = PurchaseOrderStatus
PEOPLE = ("preparer", "another_pp", "ppk", "receiver", "treasurer", "agency_admin", "other_agency_officer",
          "cooperative_owner", "cooperative_supervisor", "other_cooperative", "buyer")


def _at(step: str, pp, agency, cooperative) -> PurchaseOrder:
    product = create_product(cooperative, base_price=200_000, tiers=[])
    wanted = (product, 3)
    if step == "draft":
        return drafted(pp, agency, wanted)[0]
    if step == "submitted":
        return submitted(pp, agency, wanted)
    if step in ("sent", "counter_offered"):
        receive(product, 3)  # for the acceptance that may follow
    if step == "sent":
        return sent(pp, agency, wanted)
    if step == "counter_offered":
        po = sent(pp, agency, wanted)
        with unit_of_work():
            orders.counter_offer(owner_of(cooperative), po, [orders.ProposedLine(po.lines[0].id, 3, 210_000)],
                                 deliver_by=None, note="Harga bahan naik")
        return po
    if step == "accepted":
        return accepted(pp, agency, wanted)
    po = received(pp, agency, wanted)
    if step == "invoiced":
        with unit_of_work():
            invoicing.issue_invoice(owner_of(cooperative), po)
    return po


def _nothing(po) -> dict:
    return {}


def _one_unit_received(po) -> dict:
    line = po.lines[0].id
    return {f"delivered-{line}": "1", f"accepted-{line}": "1", "received_on": local_today().isoformat()}


def _net_paid(po) -> dict:
    return {"reference": "250101301001234/2026", "paid_on": local_today().isoformat(),
            "amount": str(po.invoice.net_payable)}


# (step, "agency" or "cooperative" side, the path after the order's address there, the form, who may)
ACTIONS = [
    ("draft", "agency", "submit", _nothing, "preparer"),
    ("draft", "agency", "cancel", _nothing, "preparer"),
    ("submitted", "agency", "approve", _nothing, "ppk"),
    ("submitted", "agency", "reject", lambda po: {"reason": "RUP belum sesuai"}, "ppk"),
    ("submitted", "agency", "reopen", _nothing, "preparer"),
    ("sent", "cooperative", "accept", _nothing, "cooperative_owner"),
    ("sent", "cooperative", "decline", lambda po: {"reason": "Stok bahan habis"}, "cooperative_owner"),
    ("counter_offered", "agency", "counter-offer/accept", _nothing, "preparer"),
    ("counter_offered", "agency", "counter-offer/refuse", lambda po: {"note": "Harga tetap"}, "preparer"),
    ("accepted", "agency", "handovers", _one_unit_received, "receiver"),
    ("received", "cooperative", "invoice", _nothing, "cooperative_owner"),
    ("invoiced", "agency", "payment", _net_paid, "treasurer"),
]


@pytest.mark.parametrize(("step", "side", "action", "fields", "allowed"), ACTIONS,
                         ids=[f"{step}-{action}" for step, _side, action, _fields, _allowed in ACTIONS])
def test_only_the_role_an_action_belongs_to_gets_through(app, officer, step, side, action, fields, allowed):
    agency = create_agency(officer, roles=("pp",))
    cooperative = create_cooperative()
    cooperative.is_pkp, cooperative.bank_name, cooperative.bank_account_number = True, "Bank Jatim", "0011223344"
    db.session.commit()
    po = _at(step, officer, agency, cooperative)
    other_cooperative = create_cooperative()
    people = {
        "preparer": officer, "another_pp": add_officer(agency, "pp"), "ppk": add_officer(agency, "ppk"),
        "receiver": add_officer(agency, "receiver"), "treasurer": add_officer(agency, "treasurer"),
        "agency_admin": add_officer(agency, "agency_admin"),
        "other_agency_officer": add_officer(create_agency(satker_code="654321"), "pp", "ppk", "receiver",
                                           "treasurer"),
        "cooperative_owner": owner_of(cooperative), "cooperative_supervisor": add_staff(cooperative, "supervisor"),
        "other_cooperative": owner_of(other_cooperative), "buyer": create_user(),
    }
    data = fields(po)
    base = (f"/agencies/{agency.id}/purchase-orders/{po.id}" if side == "agency"
            else f"/manage/{cooperative.slug}/purchase-orders/{po.id}")

    def history() -> int:
        return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
            AuditEvent.target_type == "purchase_orders", AuditEvent.target_id == str(po.id)))

    for who in (*[person for person in PEOPLE if person != allowed], allowed):
        limiter.reset()  # a dozen people signing in from one address: not what the sign-in limit is for
        client = signed_in(app, people[who])
        before = (history(), db.session.get(PurchaseOrder, po.id).status)
        response = client.post(f"{base}/{action}", data={"csrf_token": csrf_token_from(client, "/"), **data})
        assert response.status_code < 500, (who, response.status_code)
        db.session.expire_all()
        after = (history(), db.session.get(PurchaseOrder, po.id).status)
        if who == allowed:
            assert after[0] > before[0], f"{who} should be able to {action} at {step}"
        else:
            assert after == before, f"{who} must not {action} at {step}"
    anonymous = app.test_client().post(f"{base}/{action}", data=data)
    assert anonymous.status_code in (302, 400, 401)
