"""Government buyers: agencies (instansi) with their spending units (satker), the officers who act for them in
named roles, and the rules and tax rates purchases follow — kept as data with dates of validity."""

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.audit import register_audit_actions
from marketplace.core.database import enum_column
from marketplace.core.labelled_enum import LabelledEnum
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

    province = relationship("Region", foreign_keys=[province_code], lazy="joined")
    regency = relationship("Region", foreign_keys=[regency_code], lazy="joined")
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
