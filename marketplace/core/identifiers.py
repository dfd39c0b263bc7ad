"""Indonesian registration numbers: parsing to one stored form, display, and masking.

Each `parse_*` returns the stored form (digits only for numeric identifiers) or raises ValueError.
"""

import re

_NON_DIGITS = re.compile(r"[\s.\-/]")
_LEGAL_DECREE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ./\-]{3,98}[A-Za-z0-9]$")


def _digits(raw: str, *, lengths: tuple[int, ...], name: str) -> str:
    digits = _NON_DIGITS.sub("", raw or "")
    if not digits.isdigit() or len(digits) not in lengths:
        raise ValueError(f"{name} must have {' or '.join(map(str, lengths))} digits")
    if len(set(digits)) == 1:
        raise ValueError(f"{name} is not a real number")
    return digits


def parse_nik_koperasi(raw: str) -> str:
    """Nomor Induk Koperasi: 16 digits, issued through the ministry's cooperative database."""
    return _digits(raw, lengths=(16,), name="NIK koperasi")


def parse_nib(raw: str) -> str:
    """Nomor Induk Berusaha from OSS: 13 digits."""
    return _digits(raw, lengths=(13,), name="NIB")


def parse_npwp(raw: str) -> str:
    """NPWP, stored in the 16-digit form used since 2024: an entity's old 15-digit NPWP (01.234.567.8-901.000)
    becomes `0` + those 15 digits, so one taxpayer typed either way is one taxpayer."""
    digits = _digits(raw, lengths=(15, 16), name="NPWP")
    return f"0{digits}" if len(digits) == 15 else digits


def parse_nitku(raw: str) -> str:
    """NITKU: the 16-digit NPWP and a 6-digit place-of-business code (`000000` for the head office)."""
    return _digits(raw, lengths=(22,), name="NITKU")


def format_npwp(digits: str | None) -> str:
    if not digits:
        return ""
    if len(digits) == 15:
        return f"{digits[0:2]}.{digits[2:5]}.{digits[5:8]}.{digits[8]}-{digits[9:12]}.{digits[12:15]}"
    return " ".join(digits[i : i + 4] for i in range(0, len(digits), 4))


def parse_legal_decree_number(raw: str) -> str:
    """The badan hukum decree number, e.g. `AHU-0001234.AH.01.26.TAHUN 2021` or `503/BH/XIV.15/2015`."""
    text = " ".join((raw or "").split())
    if not _LEGAL_DECREE.match(text) or not any(character.isdigit() for character in text):
        raise ValueError("not a decree number")
    return text.upper()


def parse_national_id(raw: str) -> str:
    """A person's NIK (KTP): 16 digits, region code then birth date (day + 40 for women), then a serial."""
    digits = _digits(raw, lengths=(16,), name="NIK")
    province, day, month = int(digits[0:2]), int(digits[6:8]), int(digits[8:10])
    if not 11 <= province <= 96:
        raise ValueError("NIK starts with a province code")
    if not (1 <= day <= 31 or 41 <= day <= 71) or not 1 <= month <= 12:
        raise ValueError("NIK holds a birth date")
    return digits


def parse_nip(raw: str) -> str:
    """A civil servant's NIP: 18 digits — birth date (yyyymmdd), appointment (yyyymm), sex (1 or 2), a serial."""
    digits = _digits(raw, lengths=(18,), name="NIP")
    birth_month, birth_day, appointed_month = int(digits[4:6]), int(digits[6:8]), int(digits[12:14])
    if not (1 <= birth_month <= 12 and 1 <= birth_day <= 31 and 1 <= appointed_month <= 12) or digits[14] not in "12":
        raise ValueError("NIP holds a birth date, an appointment month and the sex")
    return digits


def parse_satker_code(raw: str) -> str:
    """The code of a spending unit (satuan kerja) in the state budget: 6 digits."""
    return _digits(raw, lengths=(6,), name="satker code")


def mask_national_id(digits: str | None) -> str:
    """`3314••••••••0001`: the region and the last four digits, enough to tell people apart."""
    if not digits:
        return ""
    return f"{digits[:4]}{'•' * (len(digits) - 8)}{digits[-4:]}"


def mask_account_number(digits: str | None) -> str:
    """`••••••••3456`: the last four digits, enough for a member to recognise their own account."""
    if not digits:
        return ""
    return f"{'•' * max(len(digits) - 4, 0)}{digits[-4:]}"


def parse_postal_code(raw: str) -> str:
    code = (raw or "").strip()
    if not re.fullmatch(r"[1-9]\d{4}", code):
        raise ValueError("postal code has 5 digits")
    return code


def parse_bank_account_number(raw: str) -> str:
    return _digits(raw, lengths=tuple(range(6, 21)), name="account number")
