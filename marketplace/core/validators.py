"""Parsing of Indonesian identifiers and contact details, shared by forms and services."""

import re
from urllib.parse import urlsplit

_PHONE_SEPARATORS = re.compile(r"[\s\-().]")


def normalize_indonesian_phone(raw: str) -> str:
    """`0812-3456-7890`, `62812…` or `+62 812…` → `+6281234567890`; ValueError when it is not a phone."""
    digits = _PHONE_SEPARATORS.sub("", raw.strip())
    if digits.startswith("+62"):
        national = digits[3:]
    elif digits.startswith("62"):
        national = digits[2:]
    elif digits.startswith("0"):
        national = digits[1:]
    else:
        raise ValueError("phone must start with 0, 62 or +62")
    if not national.isdigit() or not 8 <= len(national) <= 12 or national.startswith("0"):
        raise ValueError("not an Indonesian phone number")
    return f"+62{national}"


def is_safe_redirect_target(target: str | None) -> bool:
    """Only paths on this site: `/orders/1`, never `//evil.example` or `https://evil.example`."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    # Browsers drop tabs and newlines inside URLs, so "/\t/evil.example" would become "//evil.example".
    if any(character.isspace() or ord(character) < 32 for character in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc
