"""Times are stored as timezone-aware UTC and shown in Western Indonesia Time unless told otherwise."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime

from marketplace.core.i18n import current_locale

JAKARTA = ZoneInfo("Asia/Jakarta")  # WIB, UTC+7: the platform's default
MAKASSAR = ZoneInfo("Asia/Makassar")  # WITA, UTC+8
JAYAPURA = ZoneInfo("Asia/Jayapura")  # WIT, UTC+9
ZONE_ABBREVIATIONS = {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA",
                      "Asia/Jayapura": "WIT"}

# Provinces by their Kemendagri code outside WIB: Bali, Nusa Tenggara, South/East/North Kalimantan and Sulawesi
# keep WITA; Maluku and Papua keep WIT.
_WITA_PROVINCES = frozenset({"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"})
_WIT_PROVINCES = frozenset({"81", "82", "91", "92", "93", "94", "95", "96", "97"})


def utcnow() -> datetime:
    return datetime.now(UTC)


def local_today(zone: ZoneInfo = JAKARTA) -> date:
    """Today's date where people are — never the server's UTC date, which is yesterday until 07:00 WIB."""
    return utcnow().astimezone(zone).date()


def zone_of_province(province_code: str | None) -> ZoneInfo:
    """The time zone a cooperative keeps, from its province (Kalimantan Timur is WITA, Papua WIT)."""
    code = (province_code or "")[:2]
    if code in _WITA_PROVINCES:
        return MAKASSAR
    if code in _WIT_PROVINCES:
        return JAYAPURA
    return JAKARTA


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
    return str(current_locale() or "id")


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
