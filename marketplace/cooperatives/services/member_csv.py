"""Member registry as CSV: export streamed, import all-or-nothing with a row-by-row report.

Headers are Indonesian (the export's own), and their English names are accepted too.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from marketplace.accounts.models import User
from marketplace.cooperatives.models import (
    Cooperative,
    CooperativeAudit,
    Gender,
    LeavingReason,
    Member,
    MemberStatus,
    PayoutMethod,
)
from marketplace.cooperatives.permissions import Capability, can, require_capability
from marketplace.cooperatives.services.members import MemberDetails, iterate_members, member_problems, record_consent
from marketplace.core.audit import record_audit
from marketplace.core.csv_files import BYTE_ORDER_MARK, ImportPreview, csv_line, read_table
from marketplace.core.errors import DomainError
from marketplace.core.i18n import gettext as _
from marketplace.core.identifiers import parse_national_id
from marketplace.core.unit_of_work import refused_by_database
from marketplace.core.validators import normalize_indonesian_phone
from marketplace.extensions import db

MAX_IMPORT_ROWS = 5000

# column (as exported) → (field, English alias)
COLUMNS = {
    "nomor_anggota": ("member_number", "member_number"),
    "nama_lengkap": ("full_name", "full_name"),
    "nik": ("national_id", "national_id"),
    "jenis_kelamin": ("gender", "gender"),
    "desa": ("village", "village"),
    "kecamatan": ("district", "district"),
    "keahlian": ("skills", "skills"),
    "telepon": ("phone", "phone"),
    "tanggal_bergabung": ("joined_on", "joined_on"),
    "status": ("status", "status"),
    "tanggal_keluar": ("left_on", "left_on"),
    "alasan_keluar": ("leaving_reason", "leaving_reason"),
    "metode_pembayaran": ("payout_method", "payout_method"),
    "bank_atau_dompet": ("payout_provider", "payout_provider"),
    "nomor_rekening": ("payout_account_number", "payout_account_number"),
    "nama_pemilik_rekening": ("payout_account_holder", "payout_account_holder"),
    "nama_boleh_tampil": ("public_name_consent", "public_name_consent"),
}
REQUIRED_COLUMNS = ("nomor_anggota", "nama_lengkap", "tanggal_bergabung")
_FIELD_TO_COLUMN = {field_name: column for column, (field_name, _alias) in COLUMNS.items()}
_ALIASES = {alias: column for column, (_field, alias) in COLUMNS.items()}
_STATUS_WORDS = {"aktif": "active", "tidak_aktif": "inactive", "nonaktif": "inactive", "keluar": "left"}
_LEAVING_WORDS = {"mengundurkan_diri": "resigned", "diberhentikan": "removed", "meninggal": "deceased"}
_PAYOUT_WORDS = {"tunai": "cash", "transfer_bank": "bank", "dompet_digital": "ewallet", "e-wallet": "ewallet"}
_YES = {"ya", "y", "yes", "1", "true", "benar"}
_NO = {"tidak", "t", "no", "0", "false", "", "salah"}


class MemberImportRefused(DomainError):
    def __init__(self, message: str, preview: "ImportPreview | None" = None):
        super().__init__(message)
        self.preview = preview


@dataclass
class ImportRow:
    line: int
    values: dict[str, str]
    details: MemberDetails | None = None
    errors: list[str] = field(default_factory=list)


def _parse_date(text: str) -> date:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def _parse_row(values: dict[str, str]) -> tuple[MemberDetails | None, list[str]]:
    errors = []
    get = lambda column: (values.get(column) or "").strip()  # noqa: E731

    def parse(column, parser, message):
        text = get(column)
        if not text:
            return None
        try:
            return parser(text)
        except (ValueError, KeyError):
            errors.append(message)
            return None

    for column in REQUIRED_COLUMNS:
        if not get(column):
            errors.append(_("The column %(column)s is empty.", column=column))
    joined_on = parse("tanggal_bergabung", _parse_date,
                      _("%(column)s is not a date (use 2024-07-31 or 31/07/2024).", column="tanggal_bergabung"))
    left_on = parse("tanggal_keluar", _parse_date,
                    _("%(column)s is not a date (use 2024-07-31 or 31/07/2024).", column="tanggal_keluar"))
    national_id = parse("nik", parse_national_id, _("The NIK must be 16 digits from a KTP."))
    phone = parse("telepon", normalize_indonesian_phone, _("The phone number is not an Indonesian number."))
    gender = parse("jenis_kelamin", lambda text: Gender(text.upper()[:1]),
                   _("jenis_kelamin must be L or P."))
    status = parse("status", lambda text: MemberStatus(_STATUS_WORDS.get(text.lower(), text.lower())),
                   _("status must be aktif, tidak_aktif or keluar."))
    leaving_reason = parse("alasan_keluar",
                           lambda text: LeavingReason(_LEAVING_WORDS.get(text.lower(), text.lower())),
                           _("alasan_keluar must be mengundurkan_diri, diberhentikan or meninggal."))
    payout = parse("metode_pembayaran", lambda text: PayoutMethod(_PAYOUT_WORDS.get(text.lower(), text.lower())),
                   _("metode_pembayaran must be tunai, transfer_bank or dompet_digital."))
    consent_text = get("nama_boleh_tampil").lower()
    if consent_text not in _YES | _NO:
        errors.append(_("nama_boleh_tampil must be ya or tidak."))
    for column, limit in (("nomor_anggota", 30), ("nama_lengkap", 160), ("desa", 120), ("kecamatan", 120),
                          ("keahlian", 255), ("bank_atau_dompet", 80), ("nomor_rekening", 32),
                          ("nama_pemilik_rekening", 160)):
        if len(get(column)) > limit:
            errors.append(_("%(column)s is longer than %(limit)d characters.", column=column, limit=limit))
    if errors:
        return None, errors
    return MemberDetails(
        member_number=get("nomor_anggota"), full_name=get("nama_lengkap"), joined_on=joined_on,
        national_id=national_id, gender=gender, village=get("desa") or None, district=get("kecamatan") or None,
        skills=get("keahlian") or None, phone=phone, status=status or MemberStatus.ACTIVE, left_on=left_on,
        leaving_reason=leaving_reason,
        payout_method=payout or PayoutMethod.CASH, payout_provider=get("bank_atau_dompet") or None,
        payout_account_number=get("nomor_rekening") or None,
        payout_account_holder=get("nama_pemilik_rekening") or None,
        public_name_consent=consent_text in _YES,
    ), []


def preview_member_import(actor: User, cooperative: Cooperative, text: str) -> ImportPreview:
    """Parse and check every row, against the registry and against the other rows; write nothing."""
    require_capability(actor, cooperative, Capability.MANAGE_MEMBERS)
    records, file_errors = read_table(
        text, known=list(COLUMNS), required=REQUIRED_COLUMNS, aliases=_ALIASES, max_rows=MAX_IMPORT_ROWS,
        too_many=_("A file may hold at most %(count)d members. Split it into several files.", count=MAX_IMPORT_ROWS))
    preview = ImportPreview(rows=[], file_errors=file_errors)
    seen: dict[str, dict[str, int]] = {"member_number": {}, "national_id": {}}
    for line, values in enumerate(records, start=2):
        details, errors = _parse_row(values)
        row = ImportRow(line=line, values=values, details=details, errors=errors)
        if details is not None:
            row.errors.extend(member_problems(cooperative, details).values())
            for column in seen:
                value = getattr(details, column)
                if value and value in seen[column]:
                    row.errors.append(_("Same %(column)s as line %(line)d.", column=_FIELD_TO_COLUMN[column],
                                        line=seen[column][value]))
                elif value:
                    seen[column][value] = line
        preview.rows.append(row)
    if not records and not file_errors:
        preview.file_errors.append(_("The file has no member rows."))
    return preview


def import_members(actor: User, cooperative: Cooperative, text: str) -> int:
    """Add every row as a member, or none of them when any row is wrong."""
    preview = preview_member_import(actor, cooperative, text)
    if not preview.is_valid:
        raise MemberImportRefused(_("Nothing was imported: %(count)d problems must be fixed first.",
                                    count=preview.error_count), preview)
    # Someone may add one of these member numbers while the file is being checked.
    with refused_by_database(lambda: MemberImportRefused(
            _("Nothing was imported: the registry changed meanwhile. Check the file again."),
            preview_member_import(actor, cooperative, text))):
        imported = [Member(cooperative_id=cooperative.id, **vars(row.details)) for row in preview.rows]
        db.session.add_all(imported)
    for member in imported:
        if member.public_name_consent:
            record_consent(actor, member)
    record_audit(CooperativeAudit.MEMBERS_IMPORTED, actor=actor, target=cooperative, count=len(preview.rows))
    return len(preview.rows)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, date):
        return value.isoformat()
    return getattr(value, "value", value)


_EXPORT_WORDS = {"status": {v: k for k, v in _STATUS_WORDS.items() if k != "nonaktif"},
                 "leaving_reason": {v: k for k, v in _LEAVING_WORDS.items()},
                 "payout_method": {v: k for k, v in _PAYOUT_WORDS.items() if k != "e-wallet"}}


def export_member_rows(actor: User, cooperative: Cooperative) -> Iterator[str]:
    """The registry as CSV lines, generated batch by batch; the NIK only for those who may see it, and bank
    account numbers only for those who handle the cooperative's money."""
    require_capability(actor, cooperative, Capability.VIEW_MEMBERS)
    hidden = set()
    if not can(actor, cooperative, Capability.VIEW_NATIONAL_IDS):
        hidden.add("nik")
    if not can(actor, cooperative, Capability.VIEW_ACCOUNT_NUMBERS):
        hidden.add("nomor_rekening")
    columns = [column for column in COLUMNS if column not in hidden]
    yield BYTE_ORDER_MARK + csv_line(columns)
    for member in iterate_members(cooperative):
        cells = []
        for column in columns:
            field_name = COLUMNS[column][0]
            value = _cell(getattr(member, field_name))
            cells.append(_EXPORT_WORDS.get(field_name, {}).get(value, value))
        yield csv_line(cells)


def import_template() -> str:
    example = ["A-001", "Siti Aminah", "3314015708900001", "P", "Banaran", "Kalijambe", "anyaman bambu",
               "081234567890", "2021-02-09", "aktif", "", "", "transfer_bank", "BRI", "002101000123456",
               "Siti Aminah", "ya"]
    return BYTE_ORDER_MARK + csv_line(list(COLUMNS)) + csv_line(example)
