"""Times are stored as timezone-aware UTC and shown in Western Indonesia Time unless told otherwise."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from flask_babel import get_locale

JAKARTA = ZoneInfo("Asia/Jakarta")
ZONE_ABBREVIATIONS = {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA",
                      "Asia/Jayapura": "WIT"}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp that always goes in and comes out as aware UTC, on SQLite as on PostgreSQL."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use an aware UTC time")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _locale_name() -> str:
    return str(get_locale() or "id")


def format_datetime_local(value: datetime | None, zone: str = "Asia/Jakarta") -> str:
    """`23 Nov 2026 19.05 WIB` in Indonesian, `23 Nov 2026, 19:05 WIB` in English."""
    if value is None:
        return "—"
    pattern = "d MMM y HH.mm" if _locale_name() == "id" else "d MMM y, HH:mm"
    text = babel_format_datetime(value, pattern, tzinfo=ZoneInfo(zone), locale=_locale_name())
    return f"{text} {ZONE_ABBREVIATIONS.get(zone, zone)}"


def format_date_local(value: date | datetime | None, style: str = "long") -> str:
    """`22 November 2026`; `style="full"` adds the weekday."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = value.astimezone(JAKARTA).date()
    return babel_format_date(value, style, locale=_locale_name())
