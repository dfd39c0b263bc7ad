"""Demo data for `flask seed-demo`: the cooperatives the founding news items speak of, with their members.

Idempotent: every record is looked up by a natural key first and only created when missing.
Names, numbers and identifiers are invented; regions and codes are real.
"""

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from marketplace.accounts import services as account_services
from marketplace.accounts.models import AccountAudit, AccountKind, User
from marketplace.cooperatives.models import (
    Cooperative,
    CooperativeAudit,
    CooperativeStatus,
    CooperativeType,
    Gender,
    LegalForm,
    Member,
    MemberStatus,
    PayoutMethod,
    RatMeeting,
    StaffMembership,
    StaffRole,
)
from marketplace.cooperatives.services.order_prefix import assign_order_prefix
from marketplace.core.audit import SYSTEM, record_audit
from marketplace.core.timeutil import utcnow
from marketplace.demo_catalog import seed_demo_catalog
from marketplace.demo_orders import seed_demo_orders
from marketplace.demo_procurement import seed_demo_procurement
from marketplace.extensions import db

DEMO_USERS = [
    ("admin@pasarkoperasi.id", "Rina Kusumawardani", AccountKind.ADMIN, "+6281210000001"),
    ("pengurus@tunassukowati.id", "Sri Lestari", AccountKind.COOPERATIVE_STAFF, "+6281329000002"),
    ("pembeli@contoh.id", "Budi Santoso", AccountKind.BUYER, "+6281510000003"),
    ("pengadaan@mojokertokota.go.id", "Ahmad Fauzi", AccountKind.GOVERNMENT_OFFICER, "+6281330000004"),
    ("ppk@mojokertokota.go.id", "Bambang Sutrisno", AccountKind.GOVERNMENT_OFFICER, "+6281330000011"),
    ("penerima@mojokertokota.go.id", "Sri Wahyuni", AccountKind.GOVERNMENT_OFFICER, "+6281330000012"),
    ("bendahara@mojokertokota.go.id", "Agus Salim", AccountKind.GOVERNMENT_OFFICER, "+6281330000013"),
    ("kopontren@sunandrajat.id", "Muhammad Ilham Habibi", AccountKind.COOPERATIVE_STAFF, "+6285731000005"),
    ("pengurus@alhidayah-mojokerto.id", "Nur Aini Rahmawati", AccountKind.COOPERATIVE_STAFF, "+6281217000006"),
    ("pengurus@darulfalah-mojokerto.id", "Abdul Rohman", AccountKind.COOPERATIVE_STAFF, "+6281331000007"),
    ("koperasi@dharmawanita-tangerang.id", "Ratna Dewi Anggraini", AccountKind.COOPERATIVE_STAFF,
     "+6281288000008"),
    ("up2k.kebonsari@gmail.com", "Suwarni Handayani", AccountKind.COOPERATIVE_STAFF, "+6282233000009"),
    ("suparmi@tunassukowati.id", "Suparmi", AccountKind.BUYER, "+6281329000010"),
]


@dataclass
class DemoCooperative:
    owner_email: str
    values: dict
    members: list[tuple] = field(default_factory=list)  # (number, name, gender, village, skills, joined)


def _nik(region: str, day: int, month: int, year: int, serial: int, gender: Gender) -> str:
    birth_day = day + 40 if gender == Gender.FEMALE else day
    return f"{region}{birth_day:02d}{month:02d}{year % 100:02d}{serial:04d}"


DEMO_COOPERATIVES = [
    DemoCooperative(
        "pengurus@tunassukowati.id",
        dict(slug="koperasi-produsen-tunas-sukowati-jaya", name="Koperasi Produsen Tunas Sukowati Jaya",
             cooperative_type=CooperativeType.PRODUCER, nik_koperasi="3314020210000017",
             nik_valid_until=date(2027, 3, 31),
             legal_decree_number="AHU-0003127.AH.01.26.TAHUN 2020", legal_decree_date=date(2020, 11, 12),
             nib="9120002731945", npwp="912345670527000", is_pkp=False,
             street_address="Jl. Solo-Purwodadi Km. 14, Desa Banaran, Kec. Kalijambe", province_code="33",
             regency_code="33.14", postal_code="57275", phone="+6281329000002", email="pengurus@tunassukowati.id",
             bank_name="BRI", bank_account_number="002101000734561", bank_account_holder="Kop Prod Tunas Sukowati Jaya",
             description="Koperasi para pengrajin Kalijambe, Sragen: anyaman bambu, mebel kayu jati dan batik.\n"
                         "Didampingi Dinas Koperasi UKM Provinsi Jawa Tengah sejak 2021.",
             founded_year=2020, member_count=48, last_rat_book_year=2025,
             status=CooperativeStatus.VERIFIED),
        [("TSJ-001", "Suparmi", Gender.FEMALE, "Banaran", "anyaman bambu", date(2020, 11, 20)),
         ("TSJ-002", "Joko Susilo", Gender.MALE, "Banaran", "mebel kayu jati", date(2020, 11, 20)),
         ("TSJ-003", "Dwi Astuti", Gender.FEMALE, "Krikilan", "batik tulis", date(2021, 2, 9)),
         ("TSJ-004", "Slamet Riyadi", Gender.MALE, "Trobayan", "ukiran kayu", date(2021, 2, 9)),
         ("TSJ-005", "Tukiyem", Gender.FEMALE, "Banaran", "anyaman pandan", date(2021, 6, 1)),
         ("TSJ-006", "Wagiman", Gender.MALE, "Sambirejo", "gerabah", date(2022, 1, 15))],
    ),
    DemoCooperative(
        "kopontren@sunandrajat.id",
        dict(slug="kopontren-sunan-drajat", name="Kopontren Sunan Drajat", is_syariah=True,
             cooperative_type=CooperativeType.MARKETING, is_pesantren=True,
             pesantren_name="Pondok Pesantren Sunan Drajat", opop_participant=True, opop_level="Scale Up",
             nik_koperasi="3524130309000002",
             nik_valid_until=date(2027, 3, 31), legal_decree_number="503/BH/XVI.23/1996",
             legal_decree_date=date(1996, 5, 20), nib="8120112650277", npwp="013456789645000", is_pkp=True,
             street_address="Jl. Raya Banjaranyar, Kec. Paciran", province_code="35", regency_code="35.24",
             postal_code="62264", phone="+6285731000005", email="kopontren@sunandrajat.id",
             bank_name="Bank Jatim", bank_account_number="0281023456", bank_account_holder="Kopontren Sunan Drajat",
             description="Unit usaha pesantren: air minum dalam kemasan, pupuk organik, madu dan jamu.\n"
                         "Mendampingi kopontren lain dalam program One Pesantren One Product.",
             founded_year=1996, member_count=320, last_rat_book_year=2025, status=CooperativeStatus.VERIFIED),
        [("SD-0001", "Ahmad Syaifuddin", Gender.MALE, "Banjaranyar", "pengemasan air minum", date(2015, 7, 1)),
         ("SD-0002", "Siti Nur Aisyah", Gender.FEMALE, "Banjaranyar", "jamu tradisional", date(2017, 8, 17)),
         ("SD-0003", "Muhammad Rizki Maulana", Gender.MALE, "Paciran", "madu", date(2019, 1, 10)),
         ("SD-0004", "Fatimatuz Zahro", Gender.FEMALE, "Sendangagung", "konveksi", date(2020, 3, 2))],
    ),
    DemoCooperative(
        "pengurus@alhidayah-mojokerto.id",
        dict(slug="kopontren-al-hidayah-mojokerto", name="Kopontren Al Hidayah Mojokerto",
             cooperative_type=CooperativeType.PRODUCER, is_pesantren=True,
             pesantren_name="Pondok Pesantren Al Hidayah", opop_participant=True, opop_level="Start Up",
             nik_koperasi="3576010405000013",
             nik_valid_until=date(2027, 3, 31), legal_decree_number="AHU-0007791.AH.01.29.TAHUN 2019",
             legal_decree_date=date(2019, 4, 5), nib="9120209812345", npwp="924681357602000",
             street_address="Jl. Empunala No. 45, Kec. Magersari", province_code="35", regency_code="35.76",
             postal_code="61319", phone="+6281217000006", email="pengurus@alhidayah-mojokerto.id",
             description="Santri membuat sepatu dan sandal kulit, serta kue kering untuk oleh-oleh Mojokerto.",
             founded_year=2019, member_count=62, last_rat_book_year=2024, status=CooperativeStatus.VERIFIED),
        [("AH-01", "Nur Hidayati", Gender.FEMALE, "Gunung Gedangan", "kue kering", date(2019, 5, 1)),
         ("AH-02", "Muhammad Faizal Amin", Gender.MALE, "Kedundung", "sepatu kulit", date(2019, 5, 1)),
         ("AH-03", "Lailatul Fitriyah", Gender.FEMALE, "Meri", "bordir", date(2022, 9, 12))],
    ),
    DemoCooperative(
        "pengurus@darulfalah-mojokerto.id",
        dict(slug="kopontren-darul-falah-mojokerto", name="Kopontren Darul Falah Mojokerto",
             cooperative_type=CooperativeType.CONSUMER, is_pesantren=True,
             pesantren_name="Pondok Pesantren Darul Falah",
             legal_decree_number="AHU-0012044.AH.01.29.TAHUN 2023",
             legal_decree_date=date(2023, 6, 11), nib="1206230045671",
             street_address="Jl. Raya Surodinawan No. 12, Kec. Prajurit Kulon", province_code="35",
             regency_code="35.76", phone="+6281331000007", email="pengurus@darulfalah-mojokerto.id",
             description="Kopontren peserta klinik pelatihan Kota Mojokerto 2023.", founded_year=2023,
             member_count=35, last_rat_book_year=2024, status=CooperativeStatus.PENDING),
        [("DF-01", "Abdul Rohman", Gender.MALE, "Surodinawan", "anyaman mendong", date(2023, 7, 1))],
    ),
    DemoCooperative(
        "koperasi@dharmawanita-tangerang.id",
        dict(slug="koperasi-wanita-dharma-wanita-kabupaten-tangerang",
             name="Koperasi Wanita Dharma Wanita Persatuan Kabupaten Tangerang",
             cooperative_type=CooperativeType.MARKETING,
             nik_koperasi="3603040808000032",
             nik_valid_until=date(2027, 3, 31), legal_decree_number="518/BH/XI/DISKOP/2009",
             legal_decree_date=date(2009, 8, 8), nib="8120004417736", npwp="021987654451000",
             street_address="Jl. H. Abdul Hamid, Kec. Tigaraksa", province_code="36", regency_code="36.03",
             postal_code="15720", phone="+6281288000008", email="koperasi@dharmawanita-tangerang.id",
             description="Memasarkan produk ibu-ibu anggota: makanan olahan, batik Tangerang dan kerajinan.",
             founded_year=2009, member_count=210, last_rat_book_year=2021, status=CooperativeStatus.VERIFIED),
        [("DW-101", "Ratna Dewi Anggraini", Gender.FEMALE, "Tigaraksa", "kue basah", date(2010, 1, 4)),
         ("DW-102", "Yuyun Yuningsih", Gender.FEMALE, "Cikupa", "batik Tangerang", date(2014, 9, 1))],
    ),
    DemoCooperative(
        "up2k.kebonsari@gmail.com",
        dict(slug="kelompok-up2k-pkk-kebonsari-jember", name="Kelompok UP2K PKK Kebonsari Jember",
             legal_form=LegalForm.PRE_COOPERATIVE, membership_area=None, cooperative_type=CooperativeType.PRODUCER,
             street_address="Kelurahan Kebonsari, Kec. Sumbersari",
             province_code="35", regency_code="35.09", phone="+6282233000009", email="up2k.kebonsari@gmail.com",
             description="Usaha ekonomi keluarga PKK: keripik, sambal pecel dan tas anyaman. "
                         "Sedang bersiap menjadi koperasi.",
             founded_year=2024, member_count=18, status=CooperativeStatus.PENDING),
        [("UP-01", "Suwarni Handayani", Gender.FEMALE, "Kebonsari", "keripik singkong", date(2024, 9, 18)),
         ("UP-02", "Endang Lestari", Gender.FEMALE, "Kebonsari", "sambal pecel", date(2024, 9, 18))],
    ),
]


def _ensure_user(email: str, name: str, kind: AccountKind, phone: str, password: str, report: list[str]) -> User:
    user = account_services.find_user_by_email(email)
    if user is not None:
        report.append(f"exists  {email}")
        return user
    user = User(email=email, name=name, kind=kind, phone=phone, password_hash=account_services.hash_password(password),
                email_verified_at=utcnow())
    db.session.add(user)
    record_audit(AccountAudit.USER_CREATED_BY_CLI, actor=SYSTEM, target=user, kind=str(kind), demo=True)
    report.append(f"created {email} ({kind.value}), password: {password}")
    return user


# RATs by book year: (book year, held on, members present, SHU decided). Al Hidayah's RAT for 2025 is overdue;
# the Tangerang women's cooperative has held none since book year 2021, so it is dormant.
DEMO_RATS = {
    "koperasi-produsen-tunas-sukowati-jaya": [(2024, date(2025, 3, 8), 41, 38_500_000),
                                              (2025, date(2026, 3, 14), 44, 42_750_000)],
    "kopontren-sunan-drajat": [(2024, date(2025, 2, 2), 251, 310_000_000), (2025, date(2026, 1, 25), 268, 356_400_000)],
    "kopontren-al-hidayah-mojokerto": [(2024, date(2025, 12, 20), 50, 18_200_000)],
    "kopontren-darul-falah-mojokerto": [(2024, date(2025, 4, 12), 9, 2_150_000)],
    "koperasi-wanita-dharma-wanita-kabupaten-tangerang": [(2021, date(2022, 3, 19), 122, 11_000_000)],
}


def _ensure_cooperative(demo: DemoCooperative, report: list[str]) -> Cooperative:
    cooperative = db.session.scalar(sa.select(Cooperative).where(Cooperative.slug == demo.values["slug"]))
    if cooperative is not None:
        report.append(f"exists  {cooperative.name}")
        return cooperative
    now = utcnow()
    cooperative = Cooperative(status_changed_at=now, **demo.values)
    if cooperative.status == CooperativeStatus.VERIFIED:
        cooperative.verified_at = now
    db.session.add(cooperative)
    owner = account_services.find_user_by_email(demo.owner_email)
    db.session.add(StaffMembership(cooperative=cooperative, user_id=owner.id, role=StaffRole.BOARD))
    for book_year, held_on, present, shu in DEMO_RATS.get(cooperative.slug, []):
        db.session.add(RatMeeting(cooperative=cooperative, book_year=book_year, held_on=held_on,
                                  members_present=present, shu_decided=shu, recorded_by_id=owner.id))
    assign_order_prefix(cooperative)
    record_audit(CooperativeAudit.COOPERATIVE_REGISTERED, actor=owner, target=cooperative, demo=True)
    report.append(f"created {cooperative.name} ({cooperative.status.value})")
    return cooperative


def _ensure_members(cooperative: Cooperative, demo: DemoCooperative) -> None:
    existing = set(db.session.scalars(sa.select(Member.member_number).where(Member.cooperative_id == cooperative.id)))
    region = cooperative.regency_code.replace(".", "") + "01"
    for serial, (number, name, gender, village, skills, joined_on) in enumerate(demo.members, start=1):
        if number in existing:
            continue
        db.session.add(Member(
            cooperative_id=cooperative.id, member_number=number, full_name=name, gender=gender, village=village,
            skills=skills, joined_on=joined_on, status=MemberStatus.ACTIVE,
            national_id=_nik(region, 1 + serial * 3 % 28, 1 + serial * 5 % 12, 1970 + serial * 4, serial, gender),
            payout_method=PayoutMethod.BANK if serial % 2 else PayoutMethod.EWALLET,
            payout_provider="BRI" if serial % 2 else "DANA",
            payout_account_number=f"{3000000000 + serial * 7919}" if serial % 2 else f"08123450{serial:04d}",
            payout_account_holder=name, public_name_consent=serial % 3 != 0,
        ))


def seed_demo(*, password: str) -> list[str]:
    report: list[str] = []
    for email, name, kind, phone in DEMO_USERS:
        _ensure_user(email, name, kind, phone, password, report)
    db.session.flush()
    for demo in DEMO_COOPERATIVES:
        cooperative = _ensure_cooperative(demo, report)
        db.session.flush()
        _ensure_members(cooperative, demo)
    db.session.flush()
    suparmi = db.session.scalar(sa.select(Member).where(Member.member_number == "TSJ-001"))
    if suparmi is not None and suparmi.user_id is None:
        suparmi.user_id = account_services.find_user_by_email("suparmi@tunassukowati.id").id
    db.session.flush()
    report.extend(seed_demo_catalog())
    db.session.flush()
    report.extend(seed_demo_orders())
    db.session.flush()
    report.extend(seed_demo_procurement())
    return report
