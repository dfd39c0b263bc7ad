"""Filters read from a query string, one way everywhere.

Addresses are typed, bookmarked, shared and mangled; a filter value that makes no sense is ignored — the page
shows as if it had not been given — and never answers an error. Every list and search page reads its filters
through `QueryArgs`, so "bad values are ignored" means the same thing on each of them.
"""

import re
from collections.abc import Iterable
from datetime import date

from marketplace.core.text import without_control_characters

_WHOLE_NUMBER = re.compile(r"[0-9]{1,13}")
# Kemendagri codes: province `33`, regency `33.14`, district `33.14.01`, village `33.14.01.2001`.
_REGION_CODE = re.compile(r"[0-9]{2}(\.[0-9]{2}(\.[0-9]{2}(\.[0-9]{4})?)?)?")


class QueryArgs:
    def __init__(self, args):
        self.args = args

    def text(self, name: str, *, max_length: int = 100) -> str:
        """Free text, trimmed, without control characters (a NUL byte is no search word)."""
        return without_control_characters(self.args.get(name) or "").strip()[:max_length]

    def number(self, name: str, *, maximum: int, minimum: int = 0) -> int | None:
        """A whole number written with ASCII digits (`1.250.000` is read as 1250000), capped at `maximum`."""
        value = (self.args.get(name) or "").replace(".", "").strip()
        if not _WHOLE_NUMBER.fullmatch(value) or int(value) < minimum:
            return None
        return min(int(value), maximum)

    def numbers(self, name: str, *, maximum: int) -> list[int]:
        values = (value.strip() for value in self.args.getlist(name))
        return [min(int(value), maximum) for value in values if _WHOLE_NUMBER.fullmatch(value)]

    def region_code(self, name: str) -> str | None:
        value = (self.args.get(name) or "").strip()
        return value if _REGION_CODE.fullmatch(value) else None

    def choice(self, name: str, allowed: Iterable[str], default: str | None = None) -> str | None:
        value = self.args.get(name)
        return value if value in set(allowed) else default

    def choices(self, name: str, allowed: Iterable[str]) -> tuple[str, ...]:
        allowed = set(allowed)
        return tuple(sorted({value for value in self.args.getlist(name) if value in allowed}))

    def date(self, name: str) -> date | None:
        """A day written as `2026-11-24` (what a date input sends), between the years 2000 and 2100."""
        value = (self.args.get(name) or "").strip()
        try:
            day = date.fromisoformat(value) if len(value) == 10 else None
        except ValueError:
            return None
        return day if day is not None and 2000 <= day.year <= 2100 else None

    def flag(self, name: str) -> bool:
        """A tick box in a filter form: `1` means on, anything else off."""
        return self.args.get(name) == "1"
