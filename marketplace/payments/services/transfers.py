"""Bank transfer to the cooperative: the buyer sends proof, the cooperative's staff confirm what arrived. An amount
that does not match keeps the order unpaid, with the difference on its timeline."""

from datetime import date

import sqlalchemy as sa

from marketplace.accounts.models import User
from marketplace.cooperatives.permissions import Capability, require_capability
from marketplace.core.audit import record_audit
from marketplace.core.documents import clean_document, keep_privately
from marketplace.core.errors import InvalidDetails, NotFound, NotPermitted, TransitionNotAllowed
from marketplace.core.i18n import gettext as _
from marketplace.core.money import format_rupiah
from marketplace.core.timeutil import local_today
from marketplace.extensions import db
from marketplace.ordering.models import Order, OrderStatus, PaymentMethod
from marketplace.ordering.services.lifecycle import OrderAction, perform
from marketplace.payments.models import PaymentAudit, TransferProof
from marketplace.payments.services.received import record_received

MAX_PROOFS_PER_ORDER = 5


def add_transfer_proof(buyer: User, order: Order, *, filename: str, data: bytes) -> TransferProof:
    if order.buyer_id != buyer.id:
        raise NotFound(_("This order does not exist."))
    if order.payment_method != PaymentMethod.BANK_TRANSFER or order.status != OrderStatus.AWAITING_PAYMENT:
        raise TransitionNotAllowed(_("This order is not waiting for a bank transfer."), code="not_awaiting_transfer")
    if len(proofs_of(order)) >= MAX_PROOFS_PER_ORDER:
        raise InvalidDetails({"file": _("At most five proofs per order.")}, code="too_many_proofs")
    clean = clean_document(data)  # a PDF that opens or a real photo, cleaned of metadata; refused otherwise
    proof = TransferProof(order_id=order.id, uploaded_by_id=buyer.id,
                          **keep_privately(clean, folder=f"transfer-proofs/{order.id}", filename=filename,
                                           fallback_name="bukti"))
    db.session.add(proof)
    record_audit(PaymentAudit.TRANSFER_PROOF_ADDED, actor=buyer, target=order)
    return proof


def proofs_of(order: Order) -> list[TransferProof]:
    return list(db.session.scalars(sa.select(TransferProof).where(TransferProof.order_id == order.id)
                                   .order_by(TransferProof.id)))


def proof_of(order: Order, proof_id: int) -> TransferProof:
    proof = db.session.scalar(sa.select(TransferProof).where(TransferProof.id == proof_id,
                                                             TransferProof.order_id == order.id))
    if proof is None:
        raise NotFound(_("This proof does not exist."))
    return proof


def confirm_transfer(actor: User, order: Order, *, amount: int | None, received_on: date | None) -> bool:
    """The cooperative's staff say what arrived. The right amount marks the order paid (through the order's one
    transition); another amount keeps it unpaid, with a note the buyer reads. Returns whether it was paid."""
    require_capability(actor, order.cooperative, Capability.MANAGE_MONEY)
    if order.payment_method != PaymentMethod.BANK_TRANSFER:
        raise NotPermitted(_("This order is not paid by bank transfer."), code="not_bank_transfer")
    if order.paid_at is not None:
        raise TransitionNotAllowed(_("The payment of this order is already recorded."), code="already_paid")
    errors = {}
    if amount is None or amount <= 0:
        errors["amount"] = _("Enter the amount that arrived.")
    if received_on is None or received_on > local_today(order.cooperative.time_zone):
        errors["received_on"] = _("Enter the day the money arrived (not in the future).")
    if errors:
        raise InvalidDetails(errors, code="transfer_details_invalid")
    assert amount is not None
    if amount != order.total:
        note = _("The transfer received (%(received)s) does not match the order total (%(total)s): the order "
                 "stays unpaid until the difference is settled.", received=format_rupiah(amount),
                 total=format_rupiah(order.total))
        record_audit(PaymentAudit.TRANSFER_NOT_MATCHING, actor=actor, target=order, received=amount,
                     expected=order.total, note=note)
        return False
    assert received_on is not None
    record_received(order, received_on=received_on, reference=order.number, actor=actor)
    perform(order, OrderAction.CONFIRM_PAYMENT, actor,
            note=_("Transfer of %(amount)s received on %(date)s.", amount=format_rupiah(amount),
                   date=received_on.isoformat() if received_on else ""))
    return True
