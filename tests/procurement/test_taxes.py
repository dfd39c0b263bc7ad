"""Tax lines of a government purchase: VAT as invoices now state it, and what the treasurer withholds."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace.procurement.models import RuleKey
from marketplace.procurement.services.rules import RuleMissing, set_rule
from marketplace.procurement.services.taxes import TaxRates, WithheldTax, compute_tax_lines, tax_lines
from tests.factories import create_cooperative

RATES_2026 = TaxRates(vat_statutory=1_200, vat_effective=1_100, withheld=WithheldTax.INCOME_TAX, withheld_rate=150,
                      income_tax_exempt_up_to=2_000_000)


def test_vat_is_twelve_percent_of_eleven_twelfths_and_pph22_is_withheld():
    lines = compute_tax_lines(50_000_000, RATES_2026)
    assert (lines.vat_base, lines.vat, lines.withheld_amount) == (45_833_333, 5_499_999, 750_000)
    assert lines.total == 55_499_999 and lines.net_payable == 54_749_999


def test_small_purchases_carry_no_pph22_unless_split():
    assert compute_tax_lines(2_000_000, RATES_2026).withheld == WithheldTax.NONE
    split = compute_tax_lines(2_000_000, RATES_2026, split_across_invoices=True)
    assert (split.withheld, split.withheld_amount) == (WithheldTax.INCOME_TAX, 30_000)
    assert compute_tax_lines(2_000_001, RATES_2026).withheld_amount == 30_000


@given(price=st.integers(min_value=0, max_value=10**13))
def test_every_amount_is_whole_rupiah_rounded_down_and_never_above_the_effective_rate(price):
    lines = compute_tax_lines(price, RATES_2026)
    assert lines.vat <= price * 11 // 100 and price * 11 / 100 - lines.vat < 2
    assert lines.withheld_amount == (0 if price <= 2_000_000 else price * 15 // 1000)
    assert lines.net_payable == price + lines.vat - lines.withheld_amount


def test_rates_come_from_the_invoice_day_and_the_sellers_certificate(app):
    pkp = create_cooperative(is_pkp=True)
    assert tax_lines(1_200_000_000 // 100, pkp, date(2024, 6, 1)).vat == 1_320_000  # 11% of the whole price
    assert tax_lines(12_000_000, pkp, date(2026, 6, 1)).vat_base == 11_000_000
    small = create_cooperative(pp55_certificate_number="S-123/PP55/2024", pp55_valid_from=date(2024, 1, 1),
                               pp55_valid_until=date(2026, 12, 31))
    inside, after = tax_lines(50_000_000, small, date(2026, 3, 1)), tax_lines(50_000_000, small, date(2027, 1, 1))
    assert (inside.vat, inside.withheld, inside.withheld_amount) == (0, WithheldTax.SMALL_BUSINESS_FINAL, 250_000)
    assert (after.withheld, after.withheld_amount) == (WithheldTax.INCOME_TAX, 750_000)
    with pytest.raises(RuleMissing):
        tax_lines(1_000_000, pkp, date(2009, 12, 31))  # before any recorded rate: refused, not guessed


def test_a_new_rate_closes_the_old_one_and_earlier_days_keep_theirs(app, admin):
    pkp = create_cooperative(is_pkp=True)
    set_rule(admin, RuleKey.INCOME_TAX_WITHHELD_RATE, 200, date(2027, 1, 1), source="PMK baru")
    assert tax_lines(10_000_000, pkp, date(2026, 12, 31)).withheld_amount == 150_000
    assert tax_lines(10_000_000, pkp, date(2027, 1, 1)).withheld_amount == 200_000
