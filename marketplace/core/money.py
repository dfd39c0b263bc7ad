"""Money is an integer number of rupiah. Every rounding rule lives here, once."""

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

from babel.numbers import format_decimal
from num2words import num2words

# Indonesian writing, whatever the interface language: "Rp 1.250.000".
RUPIAH_LOCALE = "id_ID"


def format_rupiah(amount: int | None) -> str:
    if amount is None:
        return "—"
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise TypeError(f"rupiah amounts are whole integers, got {type(amount).__name__}")
    # What babel's format_currency(amount, "IDR", format="¤ #,##0", currency_digits=False, locale="id_ID")
    # writes, without its cost (a page of results formats dozens of prices); a test holds the two equal.
    return f"{'-' if amount < 0 else ''}Rp {_grouped(abs(amount))}"


def format_number(value: int | float | Decimal | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{'-' if value < 0 else ''}{_grouped(abs(value))}"  # as format_decimal(locale="id_ID") writes
    return _with_decimals(value, 3)


def _with_decimals(value: float | Decimal, most: int) -> str:
    """What babel's format_decimal(value, locale="id_ID") writes with at most `most` decimals (its pattern
    "#,##0.###", or "#,##0.##" for percentages), without its cost (about 30 µs; a supplier card writes two):
    rounded half to even, trailing zeros dropped, a decimal comma. A test holds the two equal."""
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if not number.is_finite():
        return format_decimal(value, locale=RUPIAH_LOCALE)
    rounded = number.quantize(Decimal(1).scaleb(-most), rounding=ROUND_HALF_EVEN)
    whole, _, fraction = f"{abs(rounded):f}".partition(".")
    fraction = fraction.rstrip("0")
    sign = "-" if rounded.is_signed() else ""  # babel writes "-0" for a negative that rounds to nothing
    return f"{sign}{_grouped(int(whole))}{',' if fraction else ''}{fraction}"


def _grouped(whole: int) -> str:
    """1250000 → `1.250.000`: thousands grouped with dots, the Indonesian way."""
    return f"{whole:,}".replace(",", ".")


def parse_rupiah(text: str) -> int:
    """Whole rupiah typed the Indonesian way: `125.000`, `Rp 1.250.000` or `125000` → 125000; ValueError else."""
    cleaned = text.strip().replace("Rp", "").replace("rp", "").replace(".", "").replace(" ", "")
    if not cleaned.isdigit():
        raise ValueError(text)
    return int(cleaned)


def round_rupiah(value: Decimal | int) -> int:
    """Half a rupiah rounds up, as Indonesian invoices do."""
    return int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def parse_percent(text: str) -> int:
    """`43,56`, `43.56`, `43,56 %` or `43` percent → basis points (4356); ValueError for anything else, or more
    than two decimals, or outside 0–100 %."""
    cleaned = text.replace("%", "").replace(" ", "").replace(",", ".")
    try:
        value = Decimal(cleaned)
    except ArithmeticError:
        raise ValueError(f"not a percentage: {text!r}") from None
    if not value.is_finite() or value.as_tuple().exponent < -2 or not 0 <= value <= 100:  # type: ignore[operator]
        raise ValueError(f"not a percentage between 0 and 100 with at most two decimals: {text!r}")
    return int(value * 100)


def format_percent(basis_points: int | None) -> str:
    """4356 basis points → `43,56%` (Indonesian decimal comma)."""
    if basis_points is None:
        return "—"
    return f"{_with_decimals(Decimal(basis_points) / 100, 2)}%"


def percent_of(amount: int, basis_points: int) -> int:
    """`basis_points` of `amount`, in whole rupiah: 150 basis points is 1.5%."""
    return round_rupiah(Decimal(amount) * Decimal(basis_points) / Decimal(10_000))


def rupiah_in_words(amount: int, language: str = "id") -> str:
    """An amount as a receipt (kuitansi) writes it out — "Lima belas juta rupiah" — so a figure cannot be altered
    alone; English for English readers."""
    if amount < 0:
        raise ValueError("an amount written out is never negative")
    words = num2words(amount, lang="id" if language.startswith("id") else "en")
    return f"{words} rupiah".capitalize()
