"""A checkout's card payment and the Stripe events already processed."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.audit import register_audit_actions
from marketplace.core.database import StoredUpload, enum_column
from marketplace.core.i18n import lazy_gettext as _l
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
    """One PaymentIntent per checkout, paying every supplier order the checkout placed; or one per order paid on
    invoice by card (a government office's card, KKP), paying what that invoice asks."""

    __tablename__ = "card_payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    checkout_id: Mapped[int | None] = mapped_column(sa.ForeignKey("checkouts.id", ondelete="RESTRICT"), unique=True)
    order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("orders.id", ondelete="RESTRICT"), unique=True)
    started_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    intent_id: Mapped[str] = mapped_column(sa.String(255), unique=True)
    amount: Mapped[int] = mapped_column(sa.BigInteger)  # whole rupiah
    currency: Mapped[str] = mapped_column(sa.String(3), default="idr")
    status: Mapped[CardPaymentStatus] = mapped_column(enum_column(CardPaymentStatus, "card_payment_status"),
                                                      default=CardPaymentStatus.PENDING)
    failure_message: Mapped[str | None] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    checkout = relationship("Checkout", lazy="joined")
    order = relationship("Order")
    started_by = relationship("User")

    __table_args__ = (sa.CheckConstraint("amount > 0", name="card_amount_positive"),
                      sa.CheckConstraint("(checkout_id is null) <> (order_id is null)", name="card_pays_one_thing"))

    @property
    def subject(self):
        """What it pays, for the audit: the checkout, or the order whose invoice it pays."""
        return self.checkout if self.checkout_id is not None else self.order


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
    CARD_PAYMENT_ABANDONED = "payment.card_abandoned", _l("Refused card payment cancelled: the invoice was paid "
                                                          "another way")
    TRANSFER_PROOF_ADDED = "payment.transfer_proof_added", _l("Proof of transfer sent")
    TRANSFER_NOT_MATCHING = "payment.transfer_not_matching", _l("Transfer received does not match the order")
    INVOICE_PAID = "payment.invoice_paid", _l("Invoice payment recorded")
    REFUNDED = "payment.refunded", _l("Refund to the buyer")
    STRIPE_REFUND_UNMATCHED = "payment.stripe_refund_unmatched", _l("Refund at Stripe to check: no order found")
    SETTLED = "payment.settled", _l("Paid out to the cooperative")
    PLATFORM_FEE_SET = "payment.platform_fee_set", _l("Platform fee changed")


class TransferProof(StoredUpload, db.Model):
    """What a buyer sends to show they transferred the money: a photo or a PDF, cleaned and stored privately."""

    __tablename__ = "transfer_proofs"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id", ondelete="RESTRICT"), index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))


class CollectedBy(LabelledEnum):
    PLATFORM = "platform", _l("The platform (settled to the cooperative later)")
    COOPERATIVE = "cooperative", _l("The cooperative directly")


class OrderPayment(db.Model):
    """The money an order was paid with: one per order (a second payment of one order is refused by the database),
    always the order's total (a different amount keeps the order unpaid). What was given back is on the order.
    Card money is collected by the platform, which owes it to the cooperative less its fee; transfers, cash on
    delivery and paid invoices reach the cooperative directly."""

    __tablename__ = "order_payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id", ondelete="RESTRICT"), unique=True)
    cooperative_id: Mapped[int] = mapped_column(sa.ForeignKey("cooperatives.id", ondelete="RESTRICT"))
    method: Mapped[str] = mapped_column(sa.String(24))  # the order's payment method when it was paid
    collected_by: Mapped[CollectedBy] = mapped_column(enum_column(CollectedBy, "collected_by"))
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    received_on: Mapped[date]
    # The transfer's reference, the PaymentIntent, or for a government invoice the SP2D number (and its date).
    reference: Mapped[str] = mapped_column(sa.String(120), default="")
    reference_date: Mapped[date | None]
    card_payment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("card_payments.id", ondelete="RESTRICT"),
                                                        index=True)
    # The platform's fee on money it collected, at the rate in force that day; what is refunded carries no fee.
    fee_basis_points: Mapped[int] = mapped_column(default=0)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    order = relationship("Order", lazy="joined")

    __table_args__ = (
        sa.CheckConstraint("amount > 0", name="order_payment_positive"),
        sa.CheckConstraint("fee_basis_points between 0 and 10000", name="fee_rate_in_range"),
        sa.Index("ix_order_payments_cooperative_collected", "cooperative_id", "collected_by"),
    )

    @property
    def fee(self) -> int:
        return fee_on(self.amount - self.order.refunded_amount, self.fee_basis_points)


def fee_on(amount: int, basis_points: int) -> int:
    """Rounded down: the cooperative never loses a rupiah to rounding."""
    return amount * basis_points // 10_000


class RefundMethod(LabelledEnum):
    CARD = "card", _l("Back to the card")
    TRANSFER = "transfer", _l("Bank transfer to the buyer")


class Refund(db.Model):
    """Money given back to a buyer, with why. Card refunds go through Stripe (its refund id is unique here, so a
    refund Stripe reports twice is recorded once); others are transfers the cooperative made and records."""

    __tablename__ = "refunds"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_payment_id: Mapped[int] = mapped_column(sa.ForeignKey("order_payments.id", ondelete="RESTRICT"),
                                                  index=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id", ondelete="RESTRICT"), index=True)
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    method: Mapped[RefundMethod] = mapped_column(enum_column(RefundMethod, "refund_method"))
    reason: Mapped[str] = mapped_column(sa.String(500))
    stripe_refund_id: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    reference: Mapped[str] = mapped_column(sa.String(120), default="")
    refunded_on: Mapped[date]
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    order = relationship("Order", lazy="joined")

    __table_args__ = (sa.CheckConstraint("amount > 0", name="refund_positive"),)


class Settlement(db.Model):
    """Money the platform paid out to a cooperative from the card payments it collected for it."""

    __tablename__ = "settlements"

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(sa.ForeignKey("cooperatives.id", ondelete="RESTRICT"), index=True)
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    paid_on: Mapped[date]
    reference: Mapped[str] = mapped_column(sa.String(120))
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    cooperative = relationship("Cooperative", lazy="joined")

    __table_args__ = (sa.CheckConstraint("amount > 0", name="settlement_positive"),)


class PlatformFeeRate(db.Model):
    """The platform's fee on card money it collects, from a day on (none recorded: no fee)."""

    __tablename__ = "platform_fee_rates"

    id: Mapped[int] = mapped_column(primary_key=True)
    valid_from: Mapped[date] = mapped_column(unique=True)
    basis_points: Mapped[int]
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (sa.CheckConstraint("basis_points between 0 and 10000", name="platform_fee_in_range"),)
