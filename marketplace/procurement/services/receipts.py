"""Receiving a government order: each delivery gets its own handover record (BAST, berita acara serah terima),
written by the agency's receiver of goods with what was delivered and what was accepted. Once everything ordered
is accepted, the order of the ordering domain is received through its one transition function."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from marketplace.accounts.models import User
from marketplace.core.audit import record_audit
from marketplace.core.documents import CleanDocument, InvalidDocument, clean_document, keep_privately
from marketplace.core.errors import Conflict, InvalidDetails, NotFound
from marketplace.core.i18n import gettext as _
from marketplace.core.mail import send_mail_after_commit
from marketplace.core.timeutil import local_today
from marketplace.extensions import db
from marketplace.ordering.models import Order, OrderStatus
from marketplace.ordering.services.lifecycle import OrderAction, perform
from marketplace.ordering.services.numbers import random_code
from marketplace.procurement.models import (
    HandoverPhoto,
    HandoverRecord,
    OfficerRole,
    ProcurementAudit,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
)
from marketplace.procurement.services.agencies import officer_in, require_role
from marketplace.procurement.services.purchase_orders import locked, paper_by_code, transition

# Before the cooperative marks the goods handed over, deliveries may still be received in part.
_RECEIVABLE = (OrderStatus.ACCEPTED, OrderStatus.IN_PRODUCTION, OrderStatus.SHIPPED)


# Photos a receiver may keep with one BAST (each a photo or a scanned PDF of at most 5 MB).
MAX_PHOTOS_PER_HANDOVER = 5


@dataclass(frozen=True)
class UploadedPhoto:
    filename: str
    data: bytes


@dataclass(frozen=True)
class DeliveredLine:
    line_id: int
    delivered: int | None
    accepted: int | None


def accepted_so_far(po: PurchaseOrder) -> dict[int, int]:
    """Units accepted of each line over every handover record of the order."""
    accepted = {line.id: 0 for line in po.lines}
    for record in po.handovers:
        for entry in record.lines:
            accepted[entry["line_id"]] = accepted.get(entry["line_id"], 0) + entry["accepted"]
    return accepted


def received_value(po: PurchaseOrder) -> int:
    return sum(record.accepted_total for record in po.handovers)


def record_handover(user: User, po: PurchaseOrder, delivered: list[DeliveredLine], *, received_on: date | None,
                    condition: str, photos: Sequence[UploadedPhoto] = (),
                    records_seen: int | None = None) -> HandoverRecord:
    """`records_seen`: how many BASTs the receiver's page showed; a form sent twice (a double click, a page sent
    again) finds one more and is refused, so one delivery is never recorded twice."""
    require_role(user, po.agency, OfficerRole.RECEIVER)
    po = locked(po)
    if po.status != PurchaseOrderStatus.ACCEPTED or po.order is None or po.order.status not in _RECEIVABLE:
        raise Conflict(_("Goods are received once the cooperative has accepted the order and until everything "
                         "ordered is received."), code="not_receivable")
    if records_seen is not None and records_seen != len(po.handovers):
        raise Conflict(_("A handover record was written meanwhile (%(number)s). Check the list before recording "
                         "another delivery.", number=po.handovers[-1].number if po.handovers else ""),
                       code="handover_already_recorded")
    lines: dict[int, PurchaseOrderLine] = {line.id: line for line in po.lines}
    so_far = accepted_so_far(po)
    errors: dict[str, str] = {}
    written: list[dict[str, Any]] = []
    for entry in delivered:
        line = lines.get(entry.line_id)
        if line is None:
            raise NotFound(_("This line is not on the purchase order."))
        left = line.quantity - so_far[line.id]
        if entry.delivered is None or entry.accepted is None or not 0 <= entry.accepted <= entry.delivered:
            errors[f"line-{line.id}"] = _("Enter the units delivered and, of them, the units accepted.")
        elif entry.accepted > left:
            errors[f"line-{line.id}"] = _("Only %(left)s units of %(product)s are still to be received.",
                                          left=left, product=line.product_name)
        elif entry.delivered:
            written.append({"line_id": line.id, "product_name": line.product_name, "unit": line.unit,
                            "delivered": entry.delivered, "accepted": entry.accepted, "unit_price": line.unit_price})
    if not errors and not written:
        errors["lines"] = _("Enter what was delivered.")
    today = local_today()
    if received_on is None or received_on > today or (po.sent_at and received_on < po.sent_at.date()):
        errors["received_on"] = _("Enter the day the goods arrived: not before the order was sent, not in the "
                                  "future.")
    condition = " ".join((condition or "").split())[:1000]
    refused_some = any(entry.delivered is not None and entry.accepted is not None and entry.accepted < entry.delivered
                       for entry in delivered)
    if refused_some and not condition:
        errors["condition"] = _("Say what was wrong with the goods that were not accepted.")
    cleaned: list[tuple[UploadedPhoto, CleanDocument]] = []
    if len(photos) > MAX_PHOTOS_PER_HANDOVER:
        errors["photos"] = _("At most %(count)s photos per handover record.", count=MAX_PHOTOS_PER_HANDOVER)
    else:
        try:
            cleaned = [(photo, clean_document(photo.data)) for photo in photos]
        except InvalidDocument as refusal:
            errors["photos"] = refusal.message
    if errors:
        raise InvalidDetails(errors, code="handover_invalid")
    completes = all(so_far[line.id] + sum(entry["accepted"] for entry in written if entry["line_id"] == line.id)
                    == line.quantity for line in po.lines)
    if completes and po.order.status != OrderStatus.SHIPPED:
        raise Conflict(_("This delivery completes the order, but the cooperative has not marked it handed over "
                         "yet. Ask it to do so, then record this handover."), code="not_shipped_yet")
    sequence = len(po.handovers) + 1
    record = HandoverRecord(purchase_order_id=po.id, sequence=sequence, number=f"BAST-{po.number}-{sequence}",
                            received_on=received_on, received_by_id=user.id, condition=condition, lines=written,
                            accepted_total=sum(entry["accepted"] * entry["unit_price"] for entry in written),
                            verification_code=random_code(16))
    po.handovers.append(record)
    for photo, clean in cleaned:  # written only now that every check has passed
        record.photos.append(HandoverPhoto(**keep_privately(clean, folder=f"handover-photos/{po.id}",
                                                            filename=photo.filename, fallback_name="foto")))
    record_audit(ProcurementAudit.HANDOVER_RECORDED, actor=user, target=po, number=record.number,
                 accepted_total=record.accepted_total)
    if completes:
        transition(po, PurchaseOrderStatus.RECEIVED, user, received_value=received_value(po))
        perform(po.order, OrderAction.CONFIRM_RECEIPT, user)
    send_mail_after_commit(po.cooperative.email, "handover_recorded", po=po, record=record)
    return record


def may_record_handover(user: User, po: PurchaseOrder) -> bool:
    """Whether the page offers this person the handover form (record_handover decides in any case)."""
    officer = officer_in(user, po.agency)
    return (officer is not None and officer.holds(OfficerRole.RECEIVER) and po.agency.is_verified
            and po.status == PurchaseOrderStatus.ACCEPTED and po.order is not None
            and po.order.status in _RECEIVABLE)


def handover_of(po: PurchaseOrder, sequence: int) -> HandoverRecord:
    record = next((record for record in po.handovers if record.sequence == sequence), None)
    if record is None:
        raise NotFound(_("This handover record does not exist."))
    return record


def photo_of(record: HandoverRecord, photo_id: int) -> HandoverPhoto:
    photo = next((photo for photo in record.photos if photo.id == photo_id), None)
    if photo is None:
        raise NotFound(_("This photo does not exist."))
    return photo


def handover_by_verification_code(code: str) -> HandoverRecord:
    return paper_by_code(HandoverRecord, code)


# Hooks into ordering (registered in procurement.hooks) --------------------------------------------------------

def purchase_order_of(order: Order) -> PurchaseOrder | None:
    return db.session.scalar(sa.select(PurchaseOrder).where(PurchaseOrder.order_id == order.id))


def purchase_orders_wrapping(order_ids: list[int]) -> list[PurchaseOrder]:
    return list(db.session.scalars(sa.select(PurchaseOrder).where(PurchaseOrder.order_id.in_(order_ids))))


def receiver_acts_for_buyer(order: Order, actor) -> bool:
    po = purchase_order_of(order)
    if po is None:
        return False
    officer = officer_in(actor, po.agency)
    return officer is not None and officer.holds(OfficerRole.RECEIVER)


def why_not_received_yet(order: Order, actor) -> str | None:
    po = purchase_order_of(order)
    if po is None or po.status == PurchaseOrderStatus.RECEIVED:
        return None
    return _("A government order is received with a handover record (BAST) by the agency's receiver of goods.")
