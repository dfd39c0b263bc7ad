"""A checkout's card payment and the Stripe events already processed."""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.audit import register_audit_actions
from marketplace.core.database import enum_column
from marketplace.core.labelled_enum import LabelledEnum
from marketplace.core.timeutil import UTCDateTime, utcnow
from marketplace.extensions import db


class CardPaymentStatus(LabelledEnum):
    PENDING = "pending", _l("Waiting for the card")
    SUCCEEDED = "succeeded", _l("Paid")
    FAILED = "failed", _l("Declined")
    MISMATCH = "mismatch", _l("Amount does not match: an administrator checks it")
    CANCELLED = "cancelled", _l("Cancelled: the orders expired unpaid")


class CardPayment(db.Model):
    """One PaymentIntent per checkout: it pays every supplier order the checkout placed."""

    __tablename__ = "card_payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    checkout_id: Mapped[int] = mapped_column(sa.ForeignKey("checkouts.id", ondelete="RESTRICT"), unique=True)
    intent_id: Mapped[str] = mapped_column(sa.String(255), unique=True)
    amount: Mapped[int] = mapped_column(sa.BigInteger)  # whole rupiah
    currency: Mapped[str] = mapped_column(sa.String(3), default="idr")
    status: Mapped[CardPaymentStatus] = mapped_column(enum_column(CardPaymentStatus, "card_payment_status"),
                                                      default=CardPaymentStatus.PENDING)
    failure_message: Mapped[str | None] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    checkout = relationship("Checkout", lazy="joined")

    __table_args__ = (sa.CheckConstraint("amount > 0", name="card_amount_positive"),)


class StripeEvent(db.Model):
    """A webhook event already taken in: its id is unique, so the same event twice is processed once."""

    __tablename__ = "stripe_events"

    id: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(80))
    intent_id: Mapped[str | None] = mapped_column(sa.String(255), index=True)
    outcome: Mapped[str] = mapped_column(sa.String(40), default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


@register_audit_actions
class PaymentAudit(LabelledEnum):
    CARD_PAYMENT_STARTED = "payment.card_started", _l("Card payment started")
    CARD_PAYMENT_SUCCEEDED = "payment.card_succeeded", _l("Card payment received")
    CARD_PAYMENT_FAILED = "payment.card_failed", _l("Card payment declined")
    CARD_PAYMENT_MISMATCH = "payment.card_mismatch", _l("Card payment amount does not match")
    STRIPE_EVENT_UNKNOWN = "payment.stripe_unknown", _l("Stripe event for an unknown payment")
    CARD_PAYMENT_CANCELLED = "payment.card_cancelled", _l("Card payment cancelled as the orders expired")
    TRANSFER_PROOF_ADDED = "payment.transfer_proof_added", _l("Proof of transfer sent")
    TRANSFER_NOT_MATCHING = "payment.transfer_not_matching", _l("Transfer received does not match the order")


class TransferProof(db.Model):
    """What a buyer sends to show they transferred the money: a photo or a PDF, cleaned and stored privately."""

    __tablename__ = "transfer_proofs"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id", ondelete="RESTRICT"), index=True)
    storage_key: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(64))
    original_filename: Mapped[str] = mapped_column(sa.String(255))
    size_bytes: Mapped[int]
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
