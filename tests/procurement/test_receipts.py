"""Receiving a government order: a handover record (BAST) per delivery by the agency's receiver of goods, never
more than was ordered; the order is received once everything ordered is accepted, and only then."""

from datetime import timedelta

import pytest

from marketplace.core.errors import Conflict, InvalidDetails, NotPermitted
from marketplace.core.timeutil import local_today
from marketplace.core.unit_of_work import unit_of_work
from marketplace.extensions import db
from marketplace.ordering.models import OrderStatus
from marketplace.ordering.services import lifecycle
from marketplace.ordering.services.lifecycle import OrderAction, perform
from marketplace.procurement.models import HandoverRecord, PurchaseOrderStatus
from marketplace.procurement.services import receipts
from marketplace.procurement.services.receipts import DeliveredLine
from tests.factories import add_officer, create_agency, create_cooperative, create_product, owner_of
from tests.helpers import refused
from tests.procurement.journey import accepted

S = PurchaseOrderStatus


@pytest.fixture
def agency(officer):
    return create_agency(officer, roles=("pp",))


@pytest.fixture
def receiver(agency):
    return add_officer(agency, "receiver")


@pytest.fixture
def po(officer, agency):
    cooperative = create_cooperative()
    shelf = create_product(cooperative, base_price=1_500_000, tiers=[])
    mats = create_product(cooperative, base_price=85_000, tiers=[])
    return accepted(officer, agency, (shelf, 10), (mats, 40))


def handover(receiver, po, *units, received_on=None, condition="", photos=()):
    """`units`: (delivered, accepted) for each line of the order, in order; None leaves a line out."""
    delivered = [DeliveredLine(line.id, *pair) for line, pair in zip(po.lines, units, strict=True) if pair]
    with unit_of_work():
        return receipts.record_handover(receiver, po, delivered, received_on=received_on or local_today(),
                                        condition=condition, photos=photos)


def ship(po):
    with unit_of_work():
        perform(po.order, OrderAction.SHIP, owner_of(po.cooperative), carrier="Kurir koperasi",
                tracking_number="KK-001")


def test_each_delivery_gets_its_own_bast_and_the_last_one_receives_the_order(app, po, receiver, outbox):
    shelf_line, mats_line = po.lines
    first = handover(receiver, po, (6, 6), (40, 38), condition="Dua tikar basah terkena hujan")
    assert (first.number, first.sequence, first.accepted_total) == (f"BAST-{po.number}-1", 1,
                                                                     6 * 1_500_000 + 38 * 85_000)
    assert po.status == S.ACCEPTED and po.order.status == OrderStatus.ACCEPTED  # partial: nothing moves
    assert receipts.accepted_so_far(po) == {shelf_line.id: 6, mats_line.id: 38}
    assert outbox[-1]["To"] == po.cooperative.email and "38 dari 40" in outbox[-1].get_content()

    with refused("not_shipped_yet", Conflict):  # the last delivery waits for the cooperative's "handed over"
        handover(receiver, po, (4, 4), (2, 2))
    db.session.rollback()
    assert len(po.handovers) == 1
    ship(po)
    last = handover(receiver, po, (4, 4), (2, 2))
    assert last.number == f"BAST-{po.number}-2"
    assert po.status == S.RECEIVED and po.order.status == OrderStatus.DELIVERED
    assert receipts.received_value(po) == po.total
    with refused("not_receivable", Conflict):
        handover(receiver, po, (1, 1), None)


def test_never_more_than_was_ordered_and_every_mistake_at_once(app, po, receiver):
    shelf_line, mats_line = po.lines
    handover(receiver, po, (8, 8), None)
    with pytest.raises(InvalidDetails) as refusal:
        handover(receiver, po, (3, 3), (5, 6), received_on=local_today() + timedelta(days=1))
    assert set(refusal.value.field_errors) == {f"line-{shelf_line.id}", f"line-{mats_line.id}", "received_on"}
    assert "Hanya 2 unit" in refusal.value.field_errors[f"line-{shelf_line.id}"]
    db.session.rollback()
    with pytest.raises(InvalidDetails) as no_reason:
        handover(receiver, po, None, (10, 7))
    assert set(no_reason.value.field_errors) == {"condition"}
    db.session.rollback()
    with pytest.raises(InvalidDetails) as nothing:
        handover(receiver, po, (0, 0), None)
    assert set(nothing.value.field_errors) == {"lines"}
    db.session.rollback()
    with pytest.raises(InvalidDetails) as before_sent:
        handover(receiver, po, (1, 1), None, received_on=po.sent_at.date() - timedelta(days=1))
    assert set(before_sent.value.field_errors) == {"received_on"}
    db.session.rollback()
    assert db.session.query(HandoverRecord).count() == 1 and receipts.accepted_so_far(po)[shelf_line.id] == 8


def test_only_the_agencys_receiver_signs_a_bast(app, po, officer, agency, receiver):
    delivered = [DeliveredLine(po.lines[0].id, 1, 1)]
    others = {
        "the PP who ordered": officer,
        "a PPK of the agency": add_officer(agency, "ppk"),
        "the cooperative": owner_of(po.cooperative),
        "another agency's receiver": add_officer(create_agency(satker_code="654321"), "receiver"),
    }
    for who, user in others.items():
        with refused("role_required", NotPermitted):
            receipts.record_handover(user, po, delivered, received_on=local_today(), condition="")
        db.session.rollback()
        assert not receipts.may_record_handover(user, po), who
    assert receipts.may_record_handover(receiver, po)
    assert not po.handovers


def test_the_receiver_and_no_button_of_the_pp_receives_a_government_order(app, po, officer, receiver):
    ship(po)
    order = po.order
    # The PP is the order's buyer, but a government order is received with a BAST, not the buyer's button.
    assert OrderAction.CONFIRM_RECEIPT not in lifecycle.allowed_actions(order, officer)
    with refused("condition_not_met"):
        perform(order, OrderAction.CONFIRM_RECEIPT, officer)
    db.session.rollback()
    # Nor does the daily round mark it delivered after N days: only the BAST does.
    assert not lifecycle.perform_if_still_due(order.id, OrderAction.CONFIRM_RECEIPT)
    db.session.rollback()
    assert order.status == OrderStatus.SHIPPED
    handover(receiver, po, (10, 10), (40, 40))
    assert order.status == OrderStatus.DELIVERED and po.status == S.RECEIVED



def test_photos_are_kept_with_the_bast_without_the_cameras_location(app, po, receiver):
    import io

    from PIL import Image

    from marketplace.core.storage import get_private_storage
    from marketplace.procurement.services.receipts import MAX_PHOTOS_PER_HANDOVER, UploadedPhoto
    from tests.factories import gps_exif, picture_bytes

    photo = UploadedPhoto("rak.jpg", picture_bytes(exif=gps_exif()))
    with pytest.raises(InvalidDetails) as too_many:
        handover(receiver, po, (1, 1), None, photos=[photo] * (MAX_PHOTOS_PER_HANDOVER + 1))
    assert set(too_many.value.field_errors) == {"photos"}
    db.session.rollback()
    with pytest.raises(InvalidDetails) as not_a_photo:
        handover(receiver, po, (1, 1), None, photos=[UploadedPhoto("virus.exe", b"MZ\x90\x00 not a picture")])
    assert set(not_a_photo.value.field_errors) == {"photos"}
    db.session.rollback()
    assert not po.handovers

    record = handover(receiver, po, (2, 2), None, photos=[photo, UploadedPhoto("tikar.png", picture_bytes("PNG"))])
    assert [stored.original_filename for stored in record.photos] == ["rak.jpg", "tikar.png"]
    kept = get_private_storage().read(record.photos[0].storage_key)
    with Image.open(io.BytesIO(kept)) as image:
        assert not image.getexif().get_ifd(0x8825)  # no GPS position left


def test_the_history_says_from_where_each_step_was_taken(app, officer, agency):
    from tests.helpers import csrf_token_from, page_text, signed_in
    from tests.procurement.journey import drafted

    po, = drafted(officer, agency, (create_product(create_cooperative(), tiers=[]), 2))
    pp = signed_in(app, officer)
    base = f"/agencies/{agency.id}/purchase-orders/{po.id}"
    pp.post(f"{base}/submit", data={"csrf_token": csrf_token_from(pp, base)},
            environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert "dari 203.0.113.7" in page_text(pp.get(base))
