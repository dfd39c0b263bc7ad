"""Money is an integer number of rupiah. Every rounding rule lives here, once."""

from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_currency, format_decimal

# Indonesian writing, whatever the interface language: "Rp 1.250.000".
RUPIAH_LOCALE = "id_ID"


def format_rupiah(amount: int | None) -> str:
    if amount is None:
        return "—"
    if not isinstance(amount, int):
        raise TypeError(f"rupiah amounts are whole integers, got {type(amount).__name__}")
    return format_currency(
        amount, "IDR", format="¤ #,##0", currency_digits=False, locale=RUPIAH_LOCALE
    )


def format_number(value: int | float | Decimal | None) -> str:
    if value is None:
        return "—"
    return format_decimal(value, locale=RUPIAH_LOCALE)


def round_rupiah(value: Decimal | int) -> int:
    """Half a rupiah rounds up, as Indonesian invoices do."""
    return int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def percent_of(amount: int, basis_points: int) -> int:
    """`basis_points` of `amount`, in whole rupiah: 150 basis points is 1.5%."""
    return round_rupiah(Decimal(amount) * Decimal(basis_points) / Decimal(10_000))
