from decimal import Decimal

import pytest
from babel.numbers import parse_decimal
from hypothesis import given
from hypothesis import strategies as st

from marketplace.core.money import format_number, format_percent, format_rupiah, percent_of, round_rupiah


def test_rupiah_is_written_the_indonesian_way():
    assert format_rupiah(1_250_000) == "Rp 1.250.000"
    assert format_rupiah(0) == "Rp 0"
    assert format_rupiah(999) == "Rp 999"
    assert format_rupiah(-50_000) == "-Rp 50.000"


def test_missing_amount_shows_a_dash():
    assert format_rupiah(None) == "—"


def test_rupiah_refuses_fractions_because_money_is_whole_rupiah():
    with pytest.raises(TypeError):
        format_rupiah(1250.5)


@given(st.integers(min_value=0, max_value=10**15))
def test_every_formatted_amount_reads_back_as_the_same_number(amount):
    text = format_rupiah(amount)
    assert text.startswith("Rp ")
    assert ",00" not in text
    assert int(parse_decimal(text.removeprefix("Rp "), locale="id_ID")) == amount


def test_numbers_use_dots_for_thousands_and_comma_for_decimals():
    assert format_number(1_250_000.75) == "1.250.000,75"


def test_half_a_rupiah_rounds_up():
    assert round_rupiah(10) == 10
    assert percent_of(50_000_000, 50) == 250_000  # 0.5% final tax on Rp 50.000.000
    assert percent_of(50_000_000, 150) == 750_000  # PPh 22 at 1.5%
    assert percent_of(1, 5_000) == 1  # Rp 0,5 rounds up to Rp 1


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_the_quick_formats_write_exactly_what_babel_writes(amount):
    from babel.numbers import format_currency, format_decimal

    assert format_rupiah(amount) == format_currency(amount, "IDR", format="¤ #,##0", currency_digits=False,
                                                    locale="id_ID")
    assert format_number(amount) == format_decimal(amount, locale="id_ID")


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False)
       | st.decimals(min_value=-(10**12), max_value=10**12, allow_nan=False, places=5)
       | st.sampled_from([0.0005, 0.0015, -0.0004, 2.5, Decimal("-0.0001"), Decimal("1.2345"), 4.35, -0.0]))
def test_numbers_with_decimals_are_written_exactly_as_babel_writes_them(value):
    from babel.numbers import format_decimal

    assert format_number(value) == format_decimal(value, locale="id_ID")


@given(st.integers(min_value=-10_000_000, max_value=10_000_000))
def test_percentages_are_written_exactly_as_babel_writes_them(basis_points):
    from babel.numbers import format_decimal

    assert format_percent(basis_points) == (
        f"{format_decimal(Decimal(basis_points) / 100, format='#,##0.##', locale='id_ID')}%")
    assert format_percent(4356) == "43,56%" and format_percent(10_000) == "100%" and format_percent(5) == "0,05%"
