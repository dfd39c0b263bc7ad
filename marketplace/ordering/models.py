"""Carts, checkouts, orders (one per cooperative), their lines and the stock lots each line took."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.audit import register_audit_actions
from marketplace.core.database import enum_column
from marketplace.core.i18n import lazy_gettext as _l
from marketplace.core.labelled_enum import LabelledEnum
from marketplace.core.regions import RegionOf
from marketplace.core.timeutil import UTCDateTime, utcnow
from marketplace.extensions import db


class OrderStatus(LabelledEnum):
    AWAITING_PAYMENT = "awaiting_payment", _l("Awaiting payment")
    PLACED = "placed", _l("Placed")
    ACCEPTED = "accepted", _l("Accepted")
    REJECTED = "rejected", _l("Rejected")
    IN_PRODUCTION = "in_production", _l("In production")
    SHIPPED = "shipped", _l("Shipped")
    DELIVERED = "delivered", _l("Delivered")
    COMPLETED = "completed", _l("Completed")
    CANCELLED = "cancelled", _l("Cancelled")
    EXPIRED = "expired", _l("Expired unpaid")


# Orders in these states are over: nothing moves them any more.
CLOSED_STATUSES = frozenset({OrderStatus.REJECTED, OrderStatus.COMPLETED, OrderStatus.CANCELLED,
                             OrderStatus.EXPIRED})


class PaymentMethod(LabelledEnum):
    BANK_TRANSFER = "bank_transfer", _l("Bank transfer to the cooperative (pay first)")
    ON_DELIVERY = "on_delivery", _l("Pay on delivery or pickup")
    CARD = "card", _l("Card (paid now, online)")
    ON_INVOICE = "on_invoice", _l("On invoice, within the agreed payment terms")


# Paid before the cooperative starts: the orders wait in `awaiting_payment` and expire unpaid.
PAY_FIRST_METHODS = frozenset({PaymentMethod.BANK_TRANSFER, PaymentMethod.CARD})


class DeliveryMethod(LabelledEnum):
    PICKUP = "pickup", _l("Pickup at the cooperative")
    COURIER = "courier", _l("Courier at the cooperative's rate")
    ARRANGED = "arranged", _l("Arranged with the buyer")


class Cart(db.Model):
    """A signed-in buyer's cart, kept between visits; an anonymous visitor's lives in their session."""

    __tablename__ = "carts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    lines = relationship("CartLine", order_by="CartLine.id", cascade="all, delete-orphan", lazy="selectin")


class CartLine(db.Model):
    __tablename__ = "cart_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    cart_id: Mapped[int] = mapped_column(sa.ForeignKey("carts.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id", ondelete="CASCADE"), index=True)
    quantity: Mapped[int]
    # The unit price the buyer saw when adding (or last reviewing) the line: a change since is pointed out.
    price_seen: Mapped[int] = mapped_column(sa.BigInteger)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("cart_id", "product_id"),
        sa.CheckConstraint("quantity > 0", name="cart_quantity_positive"),
    )


class DeliverySettings(db.Model):
    """How a cooperative hands goods over; courier rates per destination province are `CourierRate` rows."""

    __tablename__ = "delivery_settings"

    cooperative_id: Mapped[int] = mapped_column(sa.ForeignKey("cooperatives.id", ondelete="CASCADE"),
                                                primary_key=True)
    offers_pickup: Mapped[bool] = mapped_column(default=True)
    offers_arranged: Mapped[bool] = mapped_column(default=True)
    pickup_instructions: Mapped[str] = mapped_column(sa.String(500), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class CourierRate(db.Model):
    """The cooperative's flat courier fee for one order to a destination province."""

    __tablename__ = "courier_rates"

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(sa.ForeignKey("cooperatives.id", ondelete="CASCADE"), index=True)
    province_code: Mapped[str] = mapped_column(sa.ForeignKey("regions.code"))
    fee: Mapped[int] = mapped_column(sa.BigInteger)

    province = RegionOf("province_code")

    __table_args__ = (
        sa.UniqueConstraint("cooperative_id", "province_code"),
        sa.CheckConstraint("fee >= 0", name="courier_fee_not_negative"),
    )


class Checkout(db.Model):
    """One "place order": the buyer, the delivery address and payment method shared by its supplier orders."""

    __tablename__ = "checkouts"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(20), unique=True)
    # Sent with the form: a double click or a replayed form finds the checkout it already made.
    idempotency_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    buyer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    payment_method: Mapped[PaymentMethod] = mapped_column(enum_column(PaymentMethod, "payment_method"))
    recipient_name: Mapped[str] = mapped_column(sa.String(120))
    phone: Mapped[str] = mapped_column(sa.String(32))
    province_code: Mapped[str] = mapped_column(sa.ForeignKey("regions.code"))
    regency_code: Mapped[str] = mapped_column(sa.ForeignKey("regions.code"))
    street_address: Mapped[str] = mapped_column(sa.String(255))
    postal_code: Mapped[str | None] = mapped_column(sa.String(5))
    total: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    buyer = relationship("User")
    province = RegionOf("province_code")
    regency = RegionOf("regency_code")
    orders = relationship("Order", order_by="Order.id", back_populates="checkout", lazy="selectin")


class OrderNumberCounter(db.Model):
    """The last order number a cooperative gave in a year. Taken under a row lock inside the checkout's
    transaction, so numbers have no gaps: a rolled-back checkout gives its number back."""

    __tablename__ = "order_number_counters"

    cooperative_id: Mapped[int] = mapped_column(sa.ForeignKey("cooperatives.id", ondelete="CASCADE"),
                                                primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(default=0)


class Order(db.Model):
    """A supplier order: what one buyer ordered from one cooperative in one checkout."""

    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(32), unique=True)
    cooperative_id: Mapped[int] = mapped_column(sa.ForeignKey("cooperatives.id", ondelete="RESTRICT"))
    year: Mapped[int]
    sequence: Mapped[int]
    checkout_id: Mapped[int] = mapped_column(sa.ForeignKey("checkouts.id", ondelete="RESTRICT"), index=True)
    buyer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    status: Mapped[OrderStatus] = mapped_column(enum_column(OrderStatus, "order_status"))
    payment_method: Mapped[PaymentMethod] = mapped_column(enum_column(PaymentMethod, "payment_method"))
    delivery_method: Mapped[DeliveryMethod] = mapped_column(enum_column(DeliveryMethod, "delivery_method"))
    delivery_fee: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    subtotal: Mapped[int] = mapped_column(sa.BigInteger)
    total: Mapped[int] = mapped_column(sa.BigInteger)
    buyer_note: Mapped[str] = mapped_column(sa.String(1000), default="")
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Pay first: when the unpaid order expires. On invoice: the invoice's due date, set when the goods arrive.
    payment_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # On invoice: the buyer's payment terms when they ordered (days after receipt).
    invoice_terms_days: Mapped[int | None]
    # What has been given back to the buyer (a refund); kept here so the ledger can follow it without payments.
    refunded_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0, server_default="0")
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The day the cooperative promised to hand the goods over by: on-time delivery is measured against it.
    ship_by: Mapped[date]
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    shipped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    carrier: Mapped[str | None] = mapped_column(sa.String(80))
    tracking_number: Mapped[str | None] = mapped_column(sa.String(80))
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # rejected, cancelled or expired
    close_reason: Mapped[str | None] = mapped_column(sa.String(500))
    rating: Mapped[int | None]
    rating_comment: Mapped[str | None] = mapped_column(sa.String(1000))
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Printed on the invoice: anyone holding the paper can check the order's current status with it.
    verification_code: Mapped[str] = mapped_column(sa.String(24), unique=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    cooperative = relationship("Cooperative", lazy="joined")
    buyer = relationship("User", lazy="joined")
    checkout = relationship("Checkout", back_populates="orders", lazy="joined")
    lines = relationship("OrderLine", order_by="OrderLine.id", back_populates="order", lazy="selectin")

    __table_args__ = (
        sa.UniqueConstraint("cooperative_id", "year", "sequence"),
        sa.CheckConstraint("subtotal >= 0 and delivery_fee >= 0 and total = subtotal + delivery_fee",
                           name="order_totals_add_up"),
        sa.CheckConstraint("rating is null or rating between 1 and 5", name="rating_one_to_five"),
        sa.CheckConstraint("refunded_amount >= 0 and refunded_amount <= total", name="refund_within_total"),
        # The lists' order (newest first, id breaking ties) read straight off an index, for any page.
        sa.Index("ix_orders_cooperative_status_placed", "cooperative_id", "status", "placed_at", "id"),
        sa.Index("ix_orders_cooperative_placed", "cooperative_id", "placed_at", "id"),
        sa.Index("ix_orders_buyer_placed", "buyer_id", "placed_at", "id"),
        sa.Index("ix_orders_status_due", "status", "payment_due_at"),
        # Invoices due and overdue, per cooperative and for the whole platform.
        sa.Index("ix_orders_cooperative_method_due", "cooperative_id", "payment_method", "payment_due_at"),
        sa.Index("ix_orders_method_due", "payment_method", "payment_due_at"),
    )

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    @property
    def is_invoice_overdue(self) -> bool:
        return (self.payment_method == PaymentMethod.ON_INVOICE and self.paid_at is None
                and self.payment_due_at is not None and self.payment_due_at < utcnow())

    @property
    def has_made_to_order_lines(self) -> bool:
        return any(line.availability == "made_to_order" for line in self.lines)


class InvoiceTerms(db.Model):
    """An institution's buyer (a government office, a business with an account) may order now and pay on invoice,
    within these days after receipt. Granted by a platform administrator who checked the institution."""

    __tablename__ = "invoice_terms"

    id: Mapped[int] = mapped_column(primary_key=True)
    buyer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    institution: Mapped[str] = mapped_column(sa.String(200))
    days: Mapped[int]
    granted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    buyer = relationship("User", foreign_keys=[buyer_id], lazy="joined")

    __table_args__ = (sa.CheckConstraint("days between 1 and 90", name="terms_days_in_range"),)


class OrderLine(db.Model):
    """A snapshot of what was bought: the product may change or be archived later; the order does not."""

    __tablename__ = "order_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id", ondelete="RESTRICT"), index=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id", ondelete="RESTRICT"), index=True)
    product_name: Mapped[str] = mapped_column(sa.String(160))
    sku: Mapped[str] = mapped_column(sa.String(40))
    unit: Mapped[str] = mapped_column(sa.String(24))
    availability: Mapped[str] = mapped_column(sa.String(24))
    lead_time_days: Mapped[int | None]
    unit_price: Mapped[int] = mapped_column(sa.BigInteger)
    quantity: Mapped[int]
    line_total: Mapped[int] = mapped_column(sa.BigInteger)

    order = relationship("Order", back_populates="lines")
    consumptions = relationship("LotConsumption", order_by="LotConsumption.id", lazy="selectin",
                                back_populates="line")

    __table_args__ = (
        sa.CheckConstraint("quantity > 0", name="line_quantity_positive"),
        sa.CheckConstraint("unit_price > 0", name="line_price_positive"),
        sa.CheckConstraint("line_total = unit_price * quantity", name="line_total_is_price_times_quantity"),
    )


class LotConsumption(db.Model):
    """Which stock lot (and so which member's goods) an order line took, oldest lot first. When the order is
    cancelled, rejected or expires, the units go back to the same lot and `returned_at` says when."""

    __tablename__ = "lot_consumptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_line_id: Mapped[int] = mapped_column(sa.ForeignKey("order_lines.id", ondelete="RESTRICT"), index=True)
    lot_id: Mapped[int] = mapped_column(sa.ForeignKey("stock_lots.id", ondelete="RESTRICT"), index=True)
    quantity: Mapped[int]
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    line = relationship("OrderLine", back_populates="consumptions")
    lot = relationship("StockLot", lazy="joined")

    __table_args__ = (sa.CheckConstraint("quantity > 0", name="consumed_quantity_positive"),)


@register_audit_actions
class OrderAudit(LabelledEnum):
    """What the audit log records of orders; an order's timeline is read from these rows."""

    ORDER_PLACED = "order.placed", _l("Order placed")
    ORDER_PAYMENT_CONFIRMED = "order.payment_confirmed", _l("Payment received")
    ORDER_EXPIRED = "order.expired", _l("Expired unpaid")
    ORDER_ACCEPTED = "order.accepted", _l("Order accepted")
    ORDER_REJECTED = "order.rejected", _l("Order rejected")
    ORDER_IN_PRODUCTION = "order.in_production", _l("Production started")
    ORDER_SHIPPED = "order.shipped", _l("Order shipped")
    ORDER_DELIVERED = "order.delivered", _l("Receipt confirmed")
    ORDER_COMPLETED = "order.completed", _l("Order completed")
    ORDER_CANCELLED = "order.cancelled", _l("Order cancelled")
    ORDER_NOTE_ADDED = "order.note_added", _l("Note to the buyer")
    ORDER_RATED = "order.rated", _l("Order rated")
    INVOICE_TERMS_GRANTED = "invoice_terms.granted", _l("Payment on invoice granted")
    INVOICE_TERMS_WITHDRAWN = "invoice_terms.withdrawn", _l("Payment on invoice withdrawn")
    DELIVERY_SETTINGS_CHANGED = "delivery.settings_changed", _l("Delivery options changed")
