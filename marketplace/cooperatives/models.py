from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.audit import register_audit_actions
from marketplace.core.database import StoredUpload, enum_column
from marketplace.core.i18n import lazy_gettext as _l
from marketplace.core.images import StoredImage
from marketplace.core.labelled_enum import LabelledEnum
from marketplace.core.regions import RegionOf
from marketplace.core.timeutil import UTCDateTime, local_today, utcnow, zone_of_province
from marketplace.extensions import db


def rat_due_year(today: date | None = None) -> int:
    """The latest book year whose RAT is due by now. UU 25/1992 art. 26: the accountability RAT is held within six
    months after the book year closes, so by 30 June for the usual calendar year."""
    today = today or local_today()
    return today.year - 1 if today > date(today.year, 6, 30) else today.year - 2


class CooperativeType(LabelledEnum):
    PRODUCER = "produsen", _l("Producer cooperative (produsen)")
    CONSUMER = "konsumen", _l("Consumer cooperative (konsumen)")
    MARKETING = "pemasaran", _l("Marketing cooperative (pemasaran)")
    SERVICES = "jasa", _l("Services cooperative (jasa)")
    SAVINGS_AND_LOAN = "simpan_pinjam", _l("Savings and loan cooperative (simpan pinjam)")
    MULTI_PURPOSE = "serba_usaha", _l("Multi-purpose cooperative (serba usaha)")


class LegalForm(LabelledEnum):
    """Whether the group is a cooperative with legal-entity status, or a group on its way to becoming one."""

    COOPERATIVE = "koperasi", _l("Cooperative with legal-entity status (badan hukum)")
    PRE_COOPERATIVE = "pra_koperasi", _l("Pre-cooperative group (UP2K, PKK, KUBE…), not yet a legal body")


class MembershipArea(LabelledEnum):
    """Where members may come from (wilayah keanggotaan): it decides which office supervises the cooperative."""

    REGENCY = "kabupaten_kota", _l("One regency or city (supervised by its cooperative office)")
    PROVINCE = "provinsi", _l("Several regencies in one province (supervised by the province)")
    NATIONAL = "nasional", _l("Several provinces (supervised by the ministry)")


class CooperativeStatus(LabelledEnum):
    PENDING = "pending", _l("Awaiting verification")
    VERIFIED = "verified", _l("Verified")
    REJECTED = "rejected", _l("Rejected")
    SUSPENDED = "suspended", _l("Suspended")


class Cooperative(db.Model):
    __tablename__ = "cooperatives"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(90), unique=True)
    name: Mapped[str] = mapped_column(sa.String(160))
    legal_form: Mapped[LegalForm] = mapped_column(enum_column(LegalForm, "legal_form"),
                                                  default=LegalForm.COOPERATIVE, server_default="koperasi")
    # The line of business (jenis koperasi).
    cooperative_type: Mapped[CooperativeType] = mapped_column(enum_column(CooperativeType, "cooperative_type"),
                                                              index=True)
    is_syariah: Mapped[bool] = mapped_column(default=False, server_default=sa.false())  # pola syariah
    membership_area: Mapped[MembershipArea | None] = mapped_column(enum_column(MembershipArea, "membership_area"))
    is_pesantren: Mapped[bool] = mapped_column(default=False, index=True)
    pesantren_name: Mapped[str | None] = mapped_column(sa.String(160))
    opop_participant: Mapped[bool] = mapped_column(default=False, index=True)
    opop_level: Mapped[str | None] = mapped_column(sa.String(60))

    # Legal identity. Digits only; each unique when given. A pre-cooperative group has none yet. The NIK koperasi
    # comes later in a cooperative's life (after RATs reported for years in a row) and is renewed yearly.
    nik_koperasi: Mapped[str | None] = mapped_column(sa.String(16), unique=True)
    nik_valid_until: Mapped[date | None]
    legal_decree_number: Mapped[str | None] = mapped_column(sa.String(100))
    legal_decree_date: Mapped[date | None]
    nib: Mapped[str | None] = mapped_column(sa.String(13), unique=True)
    npwp: Mapped[str | None] = mapped_column(sa.String(16), unique=True)  # always the 16-digit form
    nitku: Mapped[str | None] = mapped_column(sa.String(22), unique=True)  # the NPWP + a place-of-business code
    is_pkp: Mapped[bool] = mapped_column(default=False)
    # Surat Keterangan PP 55/2022: while valid, government buyers withhold the 0.5% final tax instead of PPh 22.
    pp55_certificate_number: Mapped[str | None] = mapped_column(sa.String(60))
    pp55_valid_from: Mapped[date | None]
    pp55_valid_until: Mapped[date | None]

    street_address: Mapped[str] = mapped_column(sa.String(255))
    province_code: Mapped[str] = mapped_column(sa.ForeignKey("regions.code"), index=True)
    regency_code: Mapped[str] = mapped_column(sa.ForeignKey("regions.code"), index=True)
    postal_code: Mapped[str | None] = mapped_column(sa.String(5))
    phone: Mapped[str] = mapped_column(sa.String(32))
    email: Mapped[str] = mapped_column(sa.String(254))

    bank_name: Mapped[str | None] = mapped_column(sa.String(80))
    bank_account_number: Mapped[str | None] = mapped_column(sa.String(20))
    bank_account_holder: Mapped[str | None] = mapped_column(sa.String(160))

    description: Mapped[str] = mapped_column(sa.Text, default="")
    founded_year: Mapped[int | None]
    member_count: Mapped[int] = mapped_column(default=0)
    # The latest book year whose RAT is recorded (see RatMeeting), kept by the RAT service for quick filters.
    last_rat_book_year: Mapped[int | None] = mapped_column(index=True)
    # The letters its order numbers start with (TSJ-2026-000123); given with its first order.
    order_prefix: Mapped[str | None] = mapped_column(sa.String(8), unique=True)
    # Its track record as a supplier, kept by ordering in the same transaction as each order's change.
    completed_orders: Mapped[int] = mapped_column(default=0, server_default="0")
    on_time_orders: Mapped[int] = mapped_column(default=0, server_default="0")
    rating_count: Mapped[int] = mapped_column(default=0, server_default="0")
    rating_total: Mapped[int] = mapped_column(default=0, server_default="0")
    # How many of its products are on sale (active), kept by the catalog in the same transaction as each change of
    # a product's status, so the supplier directory can list those with something to sell first from an index.
    products_on_sale: Mapped[int] = mapped_column(default=0, server_default="0")
    logo: Mapped[dict | None] = mapped_column(sa.JSON)

    status: Mapped[CooperativeStatus] = mapped_column(enum_column(CooperativeStatus, "cooperative_status"),
                                                      default=CooperativeStatus.PENDING, index=True)
    status_reason: Mapped[str | None] = mapped_column(sa.Text)
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    province = RegionOf("province_code")
    regency = RegionOf("regency_code")
    staff = relationship("StaffMembership", back_populates="cooperative", cascade="all, delete-orphan")

    __table_args__ = (
        sa.CheckConstraint("member_count >= 0", name="member_count_not_negative"),
        sa.CheckConstraint("founded_year is null or founded_year between 1896 and 2100", name="founded_year_range"),
        sa.Index("ix_cooperatives_status_region", "status", "province_code", "regency_code"),
        # The cooperative directory of one province, in its order (by name): a page is read in order and the
        # reading stops, instead of sorting the province's hundreds of cooperatives for every page.
        sa.Index("ix_cooperatives_status_province_name", "status", "province_code", "name", "id"),
        # Search lists the first verified cooperatives, by name, whose name holds the words: read from this
        # narrow index in name order, stopping at the first few (SQLite; PostgreSQL also has a trigram index).
        sa.Index("ix_cooperatives_status_name", "status", "name"),
        # Whether a cooperative is dormant (see rat.dormant_condition), read from this narrow index alone: the
        # supplier directory counts its verified, not dormant cooperatives without reading their rows.
        sa.Index("ix_cooperatives_status_rat", "status", "last_rat_book_year", "legal_form", "founded_year",
                 "legal_decree_date"),
    )

    @property
    def logo_image(self) -> StoredImage | None:
        return StoredImage.from_dict(self.logo)

    @property
    def is_public(self) -> bool:
        return self.status == CooperativeStatus.VERIFIED

    @property
    def is_legal_body(self) -> bool:
        return self.legal_form == LegalForm.COOPERATIVE

    @property
    def can_receive_government_orders(self) -> bool:
        """Government buyers order from legal bodies only: a pre-cooperative group must first become one."""
        return self.is_legal_body

    @property
    def time_zone(self) -> ZoneInfo:
        """Where the cooperative keeps its days: its staff's "today" (a delivery received, a member joining)."""
        return zone_of_province(self.province_code)

    @property
    def on_time_rate(self) -> int | None:
        """The share of completed orders handed over by the promised day, in basis points; None before any."""
        return self.on_time_orders * 10_000 // self.completed_orders if self.completed_orders else None

    @property
    def average_rating(self) -> float | None:
        return round(self.rating_total / self.rating_count, 1) if self.rating_count else None

    def __repr__(self) -> str:
        return f"<Cooperative {self.slug} {self.status}>"


def has_products_on_sale():
    """`products_on_sale > 0`, with the 0 written out: a database matches an ORDER BY to an index on an expression
    only when the two are written alike, and a bound parameter is not."""
    return Cooperative.products_on_sale > sa.literal_column("0")


# Carried at the end of the supplier directory's indexes, so that a page however deep is found from the index
# alone, not from the rows of every cooperative it skips: the columns `rat.dormant_condition` tests, and
# products_on_sale itself (PostgreSQL's index-only scan needs the column an indexed expression is made of).
SUPPLIER_INDEX_TAIL = (Cooperative.legal_form, Cooperative.last_rat_book_year, Cooperative.founded_year,
                       Cooperative.legal_decree_date, Cooperative.products_on_sale)
# The supplier directory's order ("record"): with products on sale, then by track record, then by name. In this
# index the database reads a page's cooperatives in order and stops, instead of sorting every verified one.
# (PostgreSQL wants the expression in parentheses; its ORDER BY matches it all the same.)
sa.Index("ix_cooperatives_supplier_order", Cooperative.status, sa.Grouping(has_products_on_sale()).desc(),
         Cooperative.completed_orders.desc(), Cooperative.on_time_orders.desc(), Cooperative.name, Cooperative.id,
         *SUPPLIER_INDEX_TAIL)
# The same order within one province, for the supplier directory of a province.
sa.Index("ix_cooperatives_province_supplier_order", Cooperative.status, Cooperative.province_code,
         sa.Grouping(has_products_on_sale()).desc(), Cooperative.completed_orders.desc(),
         Cooperative.on_time_orders.desc(), Cooperative.name, Cooperative.id, *SUPPLIER_INDEX_TAIL)


class RatMeeting(db.Model):
    """The annual members' meeting (Rapat Anggota Tahunan) that accounted for one book year: when it was held,
    how many members came, the SHU it decided, and its minutes (berita acara)."""

    __tablename__ = "rat_meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(sa.ForeignKey("cooperatives.id", ondelete="RESTRICT"), index=True)
    book_year: Mapped[int]
    held_on: Mapped[date]
    members_present: Mapped[int | None]
    # The year's surplus (sisa hasil usaha) the meeting decided, in rupiah; negative for a loss.
    shu_decided: Mapped[int | None] = mapped_column(sa.BigInteger)
    minutes_document_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("cooperative_documents.id", ondelete="SET NULL"))
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    cooperative = relationship("Cooperative")
    minutes_document = relationship("CooperativeDocument")

    __table_args__ = (
        sa.UniqueConstraint("cooperative_id", "book_year"),
        sa.CheckConstraint("members_present is null or members_present >= 0", name="members_present_not_negative"),
    )


class StaffRole(LabelledEnum):
    """A cooperative has no owner: its organs are the members' meeting, the board (pengurus) and the supervisors
    (pengawas); the board may appoint managers (pengelola). UU 25/1992 art. 21, 32."""

    BOARD = "board", _l("Board (pengurus)")
    MANAGER = "manager", _l("Manager (pengelola)")
    STAFF = "staff", _l("Staff")
    SUPERVISOR = "supervisor", _l("Supervisor (pengawas): reads everything, changes nothing")


class StaffMembership(db.Model):
    """A person working for a cooperative, with the role that decides what they may change."""

    __tablename__ = "staff_memberships"

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(sa.ForeignKey("cooperatives.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[StaffRole] = mapped_column(enum_column(StaffRole, "staff_role"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    cooperative = relationship("Cooperative", back_populates="staff")
    user = relationship("User", lazy="joined")

    __table_args__ = (sa.UniqueConstraint("cooperative_id", "user_id"),)


class InvitationPurpose(StrEnum):
    STAFF = "staff"
    MEMBER = "member"


class Invitation(db.Model):
    """An emailed, signed link that makes its holder staff of a cooperative, or links a member's account."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(sa.ForeignKey("cooperatives.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[InvitationPurpose] = mapped_column(enum_column(InvitationPurpose, "invitation_purpose"))
    email: Mapped[str] = mapped_column(sa.String(254))
    role: Mapped[StaffRole | None] = mapped_column(enum_column(StaffRole, "staff_role"))
    member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id", ondelete="CASCADE"))
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    cooperative = relationship("Cooperative")
    member = relationship("Member")
    invited_by = relationship("User", foreign_keys=[invited_by_id])

    __table_args__ = (
        sa.CheckConstraint("(purpose = 'staff') = (role is not null)", name="staff_invitation_has_role"),
        sa.CheckConstraint("(purpose = 'member') = (member_id is not null)", name="member_invitation_has_member"),
    )

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None


class DocumentKind(LabelledEnum):
    DEED = "akta_pendirian", _l("Deed of establishment (akta pendirian)")
    LEGAL_DECREE = "legal_decree", _l("Legal entity decree (SK badan hukum)")
    NIB = "nib", _l("Business registration (NIB)")
    NPWP = "npwp", _l("Tax number card (NPWP)")
    SPPKP = "sppkp", _l("VAT registration (SPPKP)")
    PP55_CERTIFICATE = "pp55", _l("Small-business final tax certificate (Surat Keterangan PP 55/2022)")
    NIK_CERTIFICATE = "nik_koperasi", _l("NIK koperasi certificate")
    BANK_PROOF = "bank_account", _l("Proof of the settlement bank account")
    RAT_MINUTES = "rat_minutes", _l("Minutes of the RAT (berita acara RAT)")
    OTHER = "other", _l("Other document")


class CooperativeDocument(StoredUpload, db.Model):
    """A scan submitted for verification; kept private to the cooperative's staff and platform admins."""

    __tablename__ = "cooperative_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(sa.ForeignKey("cooperatives.id", ondelete="CASCADE"), index=True)
    kind: Mapped[DocumentKind] = mapped_column(enum_column(DocumentKind, "document_kind"))
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))


class MemberStatus(LabelledEnum):
    ACTIVE = "active", _l("Active")
    # Still a member (savings, votes at the RAT), not supplying goods for now: illness, migration for work, …
    INACTIVE = "inactive", _l("Inactive")
    LEFT = "left", _l("Left")


class LeavingReason(LabelledEnum):
    """Why membership ended (UU 25/1992 art. 19: a member leaves by resigning, by removal, or by death)."""

    RESIGNED = "resigned", _l("Resigned")
    REMOVED = "removed", _l("Removed by the cooperative")
    DECEASED = "deceased", _l("Deceased")


class Gender(LabelledEnum):
    FEMALE = "P", _l("Female")
    MALE = "L", _l("Male")


class PayoutMethod(LabelledEnum):
    BANK = "bank", _l("Bank transfer")
    EWALLET = "ewallet", _l("E-wallet")
    CASH = "cash", _l("Cash at the cooperative")


class Member(db.Model):
    """An anggota: a person who belongs to the cooperative and makes the goods it sells."""

    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Members carry stock lots and (later) earnings: a cooperative with members cannot vanish under them.
    cooperative_id: Mapped[int] = mapped_column(sa.ForeignKey("cooperatives.id", ondelete="RESTRICT"), index=True)
    member_number: Mapped[str] = mapped_column(sa.String(30))
    full_name: Mapped[str] = mapped_column(sa.String(160))
    national_id: Mapped[str | None] = mapped_column(sa.String(16))
    gender: Mapped[Gender | None] = mapped_column(enum_column(Gender, "gender"))
    village: Mapped[str | None] = mapped_column(sa.String(120))
    district: Mapped[str | None] = mapped_column(sa.String(120))
    skills: Mapped[str | None] = mapped_column(sa.String(255))
    phone: Mapped[str | None] = mapped_column(sa.String(32))
    joined_on: Mapped[date]
    status: Mapped[MemberStatus] = mapped_column(enum_column(MemberStatus, "member_status"),
                                                 default=MemberStatus.ACTIVE, index=True)
    left_on: Mapped[date | None]
    leaving_reason: Mapped[LeavingReason | None] = mapped_column(enum_column(LeavingReason, "leaving_reason"))
    payout_method: Mapped[PayoutMethod] = mapped_column(enum_column(PayoutMethod, "payout_method"),
                                                        default=PayoutMethod.CASH)
    payout_provider: Mapped[str | None] = mapped_column(sa.String(80))  # bank or e-wallet name
    payout_account_number: Mapped[str | None] = mapped_column(sa.String(32))
    payout_account_holder: Mapped[str | None] = mapped_column(sa.String(160))
    public_name_consent: Mapped[bool] = mapped_column(default=False)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    cooperative = relationship("Cooperative")
    user = relationship("User")

    __table_args__ = (
        sa.UniqueConstraint("cooperative_id", "member_number"),
        sa.UniqueConstraint("cooperative_id", "national_id"),
        sa.CheckConstraint("(status = 'left') = (left_on is not null)", name="left_members_have_a_date"),
        sa.CheckConstraint("(status = 'left') = (leaving_reason is not null)", name="left_members_have_a_reason"),
        sa.Index("ix_members_cooperative_name", "cooperative_id", "full_name"),
        # Most members have no account: indexing only those who do keeps "is this person a member anywhere" (the
        # header of every signed-in page) an index lookup; SQLite's planner scanned the table once it had counted
        # thousands of empty values under one key.
        sa.Index("ix_members_user_id", "user_id", sqlite_where=sa.text("user_id IS NOT NULL"),
                 postgresql_where=sa.text("user_id IS NOT NULL")),
    )

    @property
    def public_name(self) -> str | None:
        """The name shown on product pages, only with the member's consent."""
        return self.full_name if self.public_name_consent else None


class ConsentChange(db.Model):
    """When a member gave or withdrew consent to be named publicly, and who recorded it (UU 27/2022 on personal
    data: consent is shown to have been given, and can be withdrawn)."""

    __tablename__ = "member_consent_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id", ondelete="CASCADE"), index=True)
    given: Mapped[bool]
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    recorded_by = relationship("User")


@register_audit_actions
class CooperativeAudit(LabelledEnum):
    """What the audit log records of cooperatives."""

    COOPERATIVE_REGISTERED = "cooperative.registered", _l("Cooperative registered")
    COOPERATIVE_UPDATED = "cooperative.updated", _l("Cooperative profile changed")
    COOPERATIVE_RESUBMITTED = "cooperative.resubmitted", _l("Sent for verification again")
    COOPERATIVE_STATUS_CHANGED = "cooperative.status_changed", _l("Verification status changed")
    COOPERATIVE_LOGO_CHANGED = "cooperative.logo_changed", _l("Logo changed")
    COOPERATIVE_DOCUMENT_ADDED = "cooperative.document_added", _l("Document uploaded")
    RAT_RECORDED = "cooperative.rat_recorded", _l("RAT recorded")
    STAFF_INVITED = "staff.invited", _l("Staff invited")
    STAFF_JOINED = "staff.joined", _l("Staff joined")
    STAFF_ROLE_CHANGED = "staff.role_changed", _l("Staff role changed")
    STAFF_REMOVED = "staff.removed", _l("Staff removed")
    INVITATION_REVOKED = "invitation.revoked", _l("Invitation withdrawn")
    MEMBER_ADDED = "member.added", _l("Member added")
    MEMBER_UPDATED = "member.updated", _l("Member data changed")
    MEMBERS_IMPORTED = "member.imported", _l("Members imported")
    MEMBER_ACCOUNT_INVITED = "member.account_invited", _l("Member invited to a login")
    MEMBER_ACCOUNT_LINKED = "member.account_linked", _l("Member login linked")
