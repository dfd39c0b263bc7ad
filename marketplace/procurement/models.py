"""Government buyers: agencies (instansi) with their spending units (satker), the officers who act for them in
named roles, and the rules and tax rates purchases follow — kept as data with dates of validity."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.audit import register_audit_actions
from marketplace.core.database import StoredUpload, enum_column
from marketplace.core.i18n import lazy_gettext as _l
from marketplace.core.labelled_enum import LabelledEnum
from marketplace.core.regions import RegionOf
from marketplace.core.timeutil import UTCDateTime, utcnow
from marketplace.extensions import db


class AgencyLevel(LabelledEnum):
    MINISTRY = "ministry", _l("Ministry or national institution")
    PROVINCE = "province", _l("Provincial government")
    REGENCY_CITY = "regency_city", _l("Regency or city government")
    VILLAGE = "village", _l("Village government")
    STATE_ENTERPRISE = "state_enterprise", _l("State-owned enterprise")


class AgencyStatus(LabelledEnum):
    PENDING = "pending", _l("Waiting for verification")
    VERIFIED = "verified", _l("Verified")
    REJECTED = "rejected", _l("Rejected")


class ApprovalPolicy(LabelledEnum):
    EVERY_ORDER = "every_order", _l("Every purchase order is approved by a PPK")
    ABOVE_PP_LIMIT = "above_pp_limit", _l("Only orders above the PP's spending limit need a PPK")


class Agency(db.Model):
    """An instansi. It may order only once a platform administrator has verified it."""

    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    level: Mapped[AgencyLevel] = mapped_column(enum_column(AgencyLevel, "agency_level"))
    # A ministry is national: no region. Every other level has its province, and below it its regency or city.
    province_code: Mapped[str | None] = mapped_column(sa.ForeignKey("regions.code"))
    regency_code: Mapped[str | None] = mapped_column(sa.ForeignKey("regions.code"))
    street_address: Mapped[str] = mapped_column(sa.String(300))
    # The address domain officers' official email should end with: a hint for the verifier, not proof.
    email_domain: Mapped[str | None] = mapped_column(sa.String(120))
    approval_policy: Mapped[ApprovalPolicy] = mapped_column(enum_column(ApprovalPolicy, "approval_policy"),
                                                            default=ApprovalPolicy.EVERY_ORDER)
    status: Mapped[AgencyStatus] = mapped_column(enum_column(AgencyStatus, "agency_status"),
                                                 default=AgencyStatus.PENDING, index=True)
    rejection_reason: Mapped[str | None] = mapped_column(sa.String(500))
    registered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    verified_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    province = RegionOf("province_code")
    regency = RegionOf("regency_code")
    spending_units = relationship("SpendingUnit", back_populates="agency", order_by="SpendingUnit.name",
                                  cascade="all, delete-orphan")

    __table_args__ = (
        sa.CheckConstraint("level = 'ministry' or province_code is not null", name="agency_region_known"),
    )

    @property
    def is_verified(self) -> bool:
        return self.status == AgencyStatus.VERIFIED

    @property
    def region_name(self) -> str:
        return ", ".join(region.name for region in (self.regency, self.province) if region is not None)


class SpendingUnit(db.Model):
    """A satker: the unit that holds the budget (DIPA/DPA), with its own treasurer."""

    __tablename__ = "spending_units"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    satker_code: Mapped[str] = mapped_column(sa.String(6), unique=True)
    treasurer_npwp: Mapped[str] = mapped_column(sa.String(16))  # always the 16-digit form
    street_address: Mapped[str] = mapped_column(sa.String(300))

    agency = relationship("Agency", back_populates="spending_units")


class OfficerRole(LabelledEnum):
    AGENCY_ADMIN = "agency_admin", _l("Agency administrator")
    PP = "pp", _l("Procurement official (PP)")
    PPK = "ppk", _l("Commitment official (PPK)")
    RECEIVER = "receiver", _l("Receiver of goods")
    TREASURER = "treasurer", _l("Treasurer (bendahara)")


class Officer(db.Model):
    """A person acting for an agency. Their roles are rows of their own, so "the PPKs of this agency" is a query."""

    __tablename__ = "officers"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    nip: Mapped[str] = mapped_column(sa.String(18))  # Nomor Induk Pegawai, 18 digits
    # What a PP may commit on their own, in rupiah; no limit set means every order goes to a PPK.
    spending_limit: Mapped[int | None] = mapped_column(sa.BigInteger)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    agency = relationship("Agency", lazy="joined")
    user = relationship("User", lazy="joined")
    grants = relationship("OfficerRoleGrant", cascade="all, delete-orphan", lazy="selectin")

    __table_args__ = (
        sa.UniqueConstraint("agency_id", "user_id", name="one_officer_record_per_agency"),
        sa.UniqueConstraint("agency_id", "nip", name="one_nip_per_agency"),
        sa.CheckConstraint("spending_limit is null or spending_limit >= 0", name="spending_limit_not_negative"),
    )

    @property
    def roles(self) -> frozenset[OfficerRole]:
        return frozenset(grant.role for grant in self.grants)

    def holds(self, role: OfficerRole) -> bool:
        return role in self.roles


class OfficerRoleGrant(db.Model):
    __tablename__ = "officer_roles"

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(sa.ForeignKey("officers.id", ondelete="CASCADE"), index=True)
    role: Mapped[OfficerRole] = mapped_column(enum_column(OfficerRole, "officer_role"))

    __table_args__ = (sa.UniqueConstraint("officer_id", "role", name="one_grant_per_role"),)


class AgencyInvitation(db.Model):
    """An agency administrator invites an officer by email, naming the roles they will hold."""

    __tablename__ = "agency_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    roles: Mapped[list[str]] = mapped_column(sa.JSON)
    spending_limit: Mapped[int | None] = mapped_column(sa.BigInteger)
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    agency = relationship("Agency", lazy="joined")

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None

    @property
    def role_labels(self) -> list[str]:
        return [OfficerRole(role).label for role in self.roles]


class RuleKey(LabelledEnum):
    """Every threshold and rate a purchase follows. Rates are basis points (150 = 1.5%); amounts are rupiah."""

    DIRECT_PURCHASE_CEILING = "direct_purchase_ceiling", _l("Ceiling for a direct purchase")
    VAT_STATUTORY_RATE = "vat_statutory_rate", _l("VAT rate stated on the invoice")
    VAT_EFFECTIVE_RATE = "vat_effective_rate", _l("VAT as a share of the price")
    INCOME_TAX_WITHHELD_RATE = "income_tax_withheld_rate", _l("PPh 22 withheld by the treasurer")
    SMALL_BUSINESS_FINAL_TAX_RATE = "small_business_tax_rate", _l("Final tax of small businesses (PP 55/2022)")
    INCOME_TAX_EXEMPT_UP_TO = "income_tax_exempt_up_to", _l("No PPh 22 on a purchase of at most")
    SMALL_BUSINESS_SHARE_TARGET = "small_business_share", _l(
        "Share of the goods and services budget to spend with small businesses and cooperatives")

    @property
    def is_rate(self) -> bool:
        return self not in (RuleKey.DIRECT_PURCHASE_CEILING, RuleKey.INCOME_TAX_EXEMPT_UP_TO)


class ProcurementRule(db.Model):
    """One value of one rule over a span of dates: the platform's (no agency) or one agency's own."""

    __tablename__ = "procurement_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[RuleKey] = mapped_column(enum_column(RuleKey, "procurement_rule_key"))
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    value: Mapped[int] = mapped_column(sa.BigInteger)
    valid_from: Mapped[date] = mapped_column(sa.Date)
    valid_until: Mapped[date | None] = mapped_column(sa.Date)  # the last day it holds; none: until changed
    source: Mapped[str] = mapped_column(sa.String(200), default="")  # the regulation it comes from
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        sa.CheckConstraint("value >= 0", name="rule_value_not_negative"),
        sa.CheckConstraint("valid_until is null or valid_until >= valid_from", name="rule_dates_in_order"),
        sa.Index("ix_procurement_rules_lookup", "key", "agency_id", "valid_from"),
    )


class AgencyBudget(db.Model):
    """An agency's budget for goods and services in a fiscal year, as its administrator records it: the base of
    the share it must spend with small businesses and cooperatives."""

    __tablename__ = "agency_budgets"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id", ondelete="CASCADE"))
    fiscal_year: Mapped[int]
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    __table_args__ = (sa.UniqueConstraint("agency_id", "fiscal_year", name="one_budget_per_year"),
                      sa.CheckConstraint("amount > 0", name="budget_positive"))


class PurchaseOrderStatus(LabelledEnum):
    DRAFT = "draft", _l("Draft")
    SUBMITTED = "submitted", _l("Waiting for the PPK")
    REJECTED = "rejected", _l("Rejected by the PPK")
    SENT = "sent", _l("Sent to the cooperative")
    COUNTER_OFFERED = "counter_offered", _l("Counter-offer to answer")
    ACCEPTED = "accepted", _l("Accepted by the cooperative")
    RECEIVED = "received", _l("Received in full (BAST)")
    INVOICED = "invoiced", _l("Invoiced, waiting for payment")
    PAID = "paid", _l("Paid by the treasurer")
    COMPLETED = "completed", _l("Completed")
    DECLINED = "declined", _l("Declined by the cooperative")
    CANCELLED = "cancelled", _l("Cancelled")


class PaymentMechanism(LabelledEnum):
    LS = "ls", _l("Direct transfer after SP2D (LS)")
    UP_GU = "up_gu", _l("Petty cash (UP/GU)")
    KKP = "kkp", _l("Government credit card (KKP)")


class WithheldTax(LabelledEnum):
    NONE = "none", _l("Nothing withheld")
    INCOME_TAX = "pph22", _l("PPh 22 withheld")
    SMALL_BUSINESS_FINAL = "pp55", _l("Final tax withheld (PP 55/2022)")


class PurchaseOrderCounter(db.Model):
    """The last Surat Pesanan number a satker gave in a year (numbered when sent, without gaps)."""

    __tablename__ = "purchase_order_counters"

    spending_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("spending_units.id", ondelete="CASCADE"),
                                                  primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(default=0)


class PurchaseOrder(db.Model):
    """What a PP prepares for one cooperative, a PPK approves and the cooperative receives as a Surat Pesanan.
    The people are users, not officer records, so the history stays whole when someone leaves the agency."""

    __tablename__ = "purchase_orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(sa.String(40), unique=True)  # given when sent
    # Printed on the Surat Pesanan: anyone holding the paper checks the order's status with it.
    verification_code: Mapped[str | None] = mapped_column(sa.String(24), unique=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id", ondelete="RESTRICT"), index=True)
    spending_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("spending_units.id", ondelete="RESTRICT"))
    cooperative_id: Mapped[int] = mapped_column(sa.ForeignKey("cooperatives.id", ondelete="RESTRICT"), index=True)
    status: Mapped[PurchaseOrderStatus] = mapped_column(enum_column(PurchaseOrderStatus, "purchase_order_status"),
                                                        default=PurchaseOrderStatus.DRAFT, index=True)
    prepared_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    rup_code: Mapped[str] = mapped_column(sa.String(40), default="")  # the procurement plan's entry (RUP)
    budget_code: Mapped[str] = mapped_column(sa.String(80), default="")  # kode rekening / MAK
    fiscal_year: Mapped[int]
    delivery_province_code: Mapped[str | None] = mapped_column(sa.ForeignKey("regions.code"))
    delivery_regency_code: Mapped[str | None] = mapped_column(sa.ForeignKey("regions.code"))
    delivery_address: Mapped[str] = mapped_column(sa.String(300), default="")
    recipient_name: Mapped[str] = mapped_column(sa.String(120), default="")  # who receives the goods there
    recipient_phone: Mapped[str] = mapped_column(sa.String(32), default="")
    deliver_by: Mapped[date | None] = mapped_column(sa.Date)
    justification: Mapped[str] = mapped_column(sa.String(1000), default="")
    payment_mechanism: Mapped[PaymentMechanism] = mapped_column(enum_column(PaymentMechanism, "payment_mechanism"),
                                                                default=PaymentMechanism.LS)
    total: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    # Earlier orders that, with this one, look like one need split to stay under the ceiling; the PPK sees them.
    possible_split_of: Mapped[list] = mapped_column(sa.JSON, default=list)
    rejection_reason: Mapped[str | None] = mapped_column(sa.String(500))  # the PPK's
    decline_reason: Mapped[str | None] = mapped_column(sa.String(500))  # the cooperative's
    # The order of the ordering domain this became when the cooperative accepted: stock, allocation, the ledger,
    # delivery and payment all follow it there.
    order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("orders.id", ondelete="RESTRICT"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    # When it reached its present status: how long it has waited there, on the agency's dashboard.
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    agency = relationship("Agency", lazy="joined")
    spending_unit = relationship("SpendingUnit")
    cooperative = relationship("Cooperative")
    prepared_by = relationship("User", foreign_keys=[prepared_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    order = relationship("Order")
    lines = relationship("PurchaseOrderLine", cascade="all, delete-orphan", order_by="PurchaseOrderLine.id",
                         back_populates="purchase_order")
    offers = relationship("CounterOffer", cascade="all, delete-orphan", order_by="CounterOffer.version",
                          back_populates="purchase_order")
    handovers = relationship("HandoverRecord", order_by="HandoverRecord.sequence", back_populates="purchase_order")
    invoice = relationship("ProcurementInvoice", uselist=False, back_populates="purchase_order")

    @property
    def open_offer(self) -> "CounterOffer | None":
        return self.offers[-1] if self.offers and self.offers[-1].answer is None else None

    __table_args__ = (
        sa.CheckConstraint("total >= 0", name="purchase_order_total_not_negative"),
        sa.Index("ix_purchase_orders_split_check", "agency_id", "cooperative_id", "submitted_at"),
    )

    @property
    def reference(self) -> str:
        """The Surat Pesanan number once sent; before that the draft's own number, so people can talk of it."""
        return self.number or f"DRAF-{self.id}"


class PurchaseOrderLine(db.Model):
    """One product at the price the PP saw (its wholesale tier for the quantity), kept as written."""

    __tablename__ = "purchase_order_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    purchase_order_id: Mapped[int] = mapped_column(sa.ForeignKey("purchase_orders.id", ondelete="CASCADE"),
                                                   index=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id", ondelete="RESTRICT"), index=True)
    product_name: Mapped[str] = mapped_column(sa.String(200))
    sku: Mapped[str] = mapped_column(sa.String(64))
    unit: Mapped[str] = mapped_column(sa.String(40))
    quantity: Mapped[int]
    unit_price: Mapped[int] = mapped_column(sa.BigInteger)
    line_total: Mapped[int] = mapped_column(sa.BigInteger)

    purchase_order = relationship("PurchaseOrder", back_populates="lines")
    product = relationship("Product")

    __table_args__ = (
        sa.UniqueConstraint("purchase_order_id", "product_id", name="one_line_per_product"),
        sa.CheckConstraint("quantity > 0", name="purchase_order_quantity_positive"),
        sa.CheckConstraint("unit_price >= 0 and line_total = unit_price * quantity",
                           name="line_total_is_price_times_quantity"),
    )


class OfferAnswer(LabelledEnum):
    TAKEN = "taken", _l("Accepted by the PP")
    REFUSED = "refused", _l("Refused by the PP")


class CounterOffer(db.Model):
    """One version of what the cooperative proposes instead of the Surat Pesanan: prices, quantities or the date.
    Every version is kept; nothing in one takes effect until the PP accepts it."""

    __tablename__ = "purchase_order_counter_offers"

    id: Mapped[int] = mapped_column(primary_key=True)
    purchase_order_id: Mapped[int] = mapped_column(sa.ForeignKey("purchase_orders.id", ondelete="CASCADE"),
                                                   index=True)
    version: Mapped[int]
    # [{"line_id", "product_name", "quantity", "unit_price"}] for every line, as proposed.
    lines: Mapped[list] = mapped_column(sa.JSON)
    deliver_by: Mapped[date | None] = mapped_column(sa.Date)
    total: Mapped[int] = mapped_column(sa.BigInteger)
    note: Mapped[str] = mapped_column(sa.String(1000), default="")
    offered_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    offered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    answer: Mapped[OfferAnswer | None] = mapped_column(enum_column(OfferAnswer, "counter_offer_answer"))
    answer_note: Mapped[str] = mapped_column(sa.String(500), default="")
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    purchase_order = relationship("PurchaseOrder", back_populates="offers")
    offered_by = relationship("User", foreign_keys=[offered_by_id])
    answered_by = relationship("User", foreign_keys=[answered_by_id])

    __table_args__ = (sa.UniqueConstraint("purchase_order_id", "version", name="one_offer_per_version"),)


class HandoverRecord(db.Model):
    """A BAST (berita acara serah terima): one delivery as the agency's receiver of goods found it — units
    delivered and accepted per line, the condition of what was refused. Never changed once written."""

    __tablename__ = "handover_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    purchase_order_id: Mapped[int] = mapped_column(sa.ForeignKey("purchase_orders.id", ondelete="RESTRICT"),
                                                   index=True)
    sequence: Mapped[int]
    number: Mapped[str] = mapped_column(sa.String(60), unique=True)
    received_on: Mapped[date] = mapped_column(sa.Date)
    received_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    condition: Mapped[str] = mapped_column(sa.String(1000), default="")
    # [{"line_id", "product_name", "unit", "delivered", "accepted", "unit_price"}] for each line delivered.
    lines: Mapped[list] = mapped_column(sa.JSON)
    accepted_total: Mapped[int] = mapped_column(sa.BigInteger)
    verification_code: Mapped[str] = mapped_column(sa.String(24), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    purchase_order = relationship("PurchaseOrder", back_populates="handovers")
    received_by = relationship("User")
    photos = relationship("HandoverPhoto", order_by="HandoverPhoto.id", back_populates="handover")

    __table_args__ = (sa.UniqueConstraint("purchase_order_id", "sequence", name="one_handover_per_sequence"),
                      sa.CheckConstraint("accepted_total >= 0", name="handover_total_not_negative"))


class HandoverPhoto(StoredUpload, db.Model):
    """A photo (or scan) the receiver took of a delivery, kept with its BAST in private storage, without the
    camera's metadata."""

    __tablename__ = "handover_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    handover_id: Mapped[int] = mapped_column(sa.ForeignKey("handover_records.id", ondelete="RESTRICT"), index=True)

    handover = relationship("HandoverRecord", back_populates="photos")


class ProcurementInvoice(db.Model):
    """The cooperative's invoice for what the agency received, with the tax lines of its day written down (a rate
    changed later never changes an invoice issued), the account to pay into, and — once the treasurer pays — the
    SP2D or payment reference. The receipt (kuitansi) is drawn from it."""

    __tablename__ = "procurement_invoices"

    id: Mapped[int] = mapped_column(primary_key=True)
    purchase_order_id: Mapped[int] = mapped_column(sa.ForeignKey("purchase_orders.id", ondelete="RESTRICT"),
                                                   unique=True)
    number: Mapped[str] = mapped_column(sa.String(60), unique=True)
    verification_code: Mapped[str] = mapped_column(sa.String(24), unique=True)
    issued_on: Mapped[date] = mapped_column(sa.Date)
    issued_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    price: Mapped[int] = mapped_column(sa.BigInteger)  # the value received, before VAT
    vat_base: Mapped[int] = mapped_column(sa.BigInteger)  # DPP
    vat_statutory_rate: Mapped[int]  # basis points
    vat: Mapped[int] = mapped_column(sa.BigInteger)
    withheld: Mapped[WithheldTax] = mapped_column(enum_column(WithheldTax, "withheld_tax"))
    withheld_rate: Mapped[int]  # basis points
    withheld_amount: Mapped[int] = mapped_column(sa.BigInteger)
    total: Mapped[int] = mapped_column(sa.BigInteger)  # price and VAT
    net_payable: Mapped[int] = mapped_column(sa.BigInteger)  # what the treasurer transfers
    bank_name: Mapped[str] = mapped_column(sa.String(80))
    bank_account_number: Mapped[str] = mapped_column(sa.String(20))
    bank_account_holder: Mapped[str] = mapped_column(sa.String(160))
    # Written by the agency's treasurer: the SP2D (LS) or the payment's reference (UP/GU, KKP).
    payment_reference: Mapped[str | None] = mapped_column(sa.String(60))
    paid_on: Mapped[date | None] = mapped_column(sa.Date)
    paid_amount: Mapped[int | None] = mapped_column(sa.BigInteger)
    paid_recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    paid_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    purchase_order = relationship("PurchaseOrder", back_populates="invoice")
    issued_by = relationship("User", foreign_keys=[issued_by_id])
    paid_recorded_by = relationship("User", foreign_keys=[paid_recorded_by_id])

    __table_args__ = (
        sa.CheckConstraint("price >= 0 and vat >= 0 and withheld_amount >= 0", name="invoice_amounts_not_negative"),
        sa.CheckConstraint("net_payable = total - withheld_amount", name="invoice_net_adds_up"),
    )

    @property
    def receipt_number(self) -> str:
        return self.number.replace("INV/", "KWT/", 1)


@register_audit_actions
class ProcurementAudit(LabelledEnum):
    AGENCY_REGISTERED = "agency.registered", _l("Agency registered")
    AGENCY_VERIFIED = "agency.verified", _l("Agency verified")
    AGENCY_REJECTED = "agency.rejected", _l("Agency registration rejected")
    AGENCY_SETTINGS_CHANGED = "agency.settings_changed", _l("Agency settings changed")
    SPENDING_UNIT_ADDED = "agency.spending_unit_added", _l("Spending unit (satker) added")
    OFFICER_INVITED = "agency.officer_invited", _l("Officer invited")
    OFFICER_JOINED = "agency.officer_joined", _l("Officer joined")
    OFFICER_ROLES_CHANGED = "agency.officer_roles_changed", _l("Officer roles changed")
    OFFICER_REMOVED = "agency.officer_removed", _l("Officer removed")
    INVITATION_REVOKED = "agency.invitation_revoked", _l("Officer invitation withdrawn")
    RULE_SET = "procurement.rule_set", _l("Procurement rule or tax rate set")
    PURCHASE_ORDER_DRAFTED = "purchase_order.drafted", _l("Purchase order drafted")
    PURCHASE_ORDER_CHANGED = "purchase_order.changed", _l("Purchase order changed")
    PURCHASE_ORDER_SUBMITTED = "purchase_order.submitted", _l("Submitted to the PPK")
    PURCHASE_ORDER_APPROVED = "purchase_order.approved", _l("Approved by the PPK")
    PURCHASE_ORDER_APPROVED_WITHIN_LIMIT = "purchase_order.approved_within_limit", _l(
        "Within the PP's spending limit: no PPK needed")
    PURCHASE_ORDER_REJECTED = "purchase_order.rejected", _l("Rejected by the PPK")
    PURCHASE_ORDER_REOPENED = "purchase_order.reopened", _l("Reopened as a draft")
    PURCHASE_ORDER_SENT = "purchase_order.sent", _l("Sent to the cooperative as a Surat Pesanan")
    PURCHASE_ORDER_CANCELLED = "purchase_order.cancelled", _l("Purchase order cancelled")
    PURCHASE_ORDER_ACCEPTED = "purchase_order.accepted", _l("Accepted by the cooperative")
    PURCHASE_ORDER_DECLINED = "purchase_order.declined", _l("Declined by the cooperative")
    COUNTER_OFFERED = "purchase_order.counter_offered", _l("Counter-offer made")
    COUNTER_OFFER_TAKEN = "purchase_order.counter_offer_taken", _l("Counter-offer accepted by the PP")
    COUNTER_OFFER_REFUSED = "purchase_order.counter_offer_refused", _l("Counter-offer refused by the PP")
    HANDOVER_RECORDED = "purchase_order.handover_recorded", _l("Handover recorded (BAST)")
    PURCHASE_ORDER_RECEIVED = "purchase_order.received", _l("Everything ordered received")
    PURCHASE_ORDER_INVOICED = "purchase_order.invoiced", _l("Invoice issued by the cooperative")
    PURCHASE_ORDER_PAID = "purchase_order.paid", _l("Payment recorded by the treasurer")
    PURCHASE_ORDER_COMPLETED = "purchase_order.completed", _l("Purchase order completed")
    BUDGET_RECORDED = "agency.budget_recorded", _l("Goods and services budget recorded")
