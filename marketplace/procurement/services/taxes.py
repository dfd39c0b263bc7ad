"""The tax lines of a government purchase: VAT the way invoices now state it, and the income tax the treasurer
withholds. Every rate comes from the dated rules of the invoice's day; every amount is rounded down to the rupiah.

- VAT: a seller that is not VAT-registered (not PKP) charges none. Otherwise the tax base (DPP) is the price
  times effective / statutory rate — 11/12 of the price since 2025 — and VAT is the statutory rate of that base,
  so 11% of the price in effect.
- Withheld: PPh 22 (1.5%) of the price before VAT; instead the 0.5% final tax when the seller holds a valid
  PP 55/2022 certificate on that day; no PPh 22 on a purchase of at most Rp 2.000.000 not split across invoices.
"""

from dataclasses import dataclass
from datetime import date

from marketplace.cooperatives.models import Cooperative
from marketplace.procurement.models import Agency, RuleKey, WithheldTax
from marketplace.procurement.services.rules import FULL_RATE, rule_value


@dataclass(frozen=True)
class TaxRates:
    """The rates that hold for one seller on one day (basis points, and the exemption in rupiah)."""

    vat_statutory: int  # 0 when the seller is not PKP
    vat_effective: int
    withheld: WithheldTax
    withheld_rate: int
    income_tax_exempt_up_to: int


@dataclass(frozen=True)
class TaxLines:
    price: int  # the goods and delivery, before VAT
    vat_base: int  # DPP
    vat: int  # PPN
    withheld: WithheldTax
    withheld_rate: int
    withheld_amount: int
    vat_statutory_rate: int

    @property
    def total(self) -> int:
        """What the invoice asks for: the price and its VAT."""
        return self.price + self.vat

    @property
    def net_payable(self) -> int:
        """What reaches the cooperative: the total less what the treasurer withholds and pays to the state."""
        return self.total - self.withheld_amount


def compute_tax_lines(price: int, rates: TaxRates, *, split_across_invoices: bool = False) -> TaxLines:
    if price < 0:
        raise ValueError("a price is never negative")
    if rates.vat_statutory:
        vat_base = price * rates.vat_effective // rates.vat_statutory
        vat = vat_base * rates.vat_statutory // FULL_RATE
    else:
        vat_base = vat = 0
    withheld, withheld_rate = rates.withheld, rates.withheld_rate
    if withheld == WithheldTax.INCOME_TAX and price <= rates.income_tax_exempt_up_to and not split_across_invoices:
        withheld, withheld_rate = WithheldTax.NONE, 0
    return TaxLines(price=price, vat_base=vat_base, vat=vat, withheld=withheld, withheld_rate=withheld_rate,
                    withheld_amount=price * withheld_rate // FULL_RATE, vat_statutory_rate=rates.vat_statutory)


def holds_small_business_certificate(cooperative: Cooperative, on: date) -> bool:
    """The cooperative's PP 55/2022 certificate (kept with its legal identity) is valid on that day."""
    return bool(cooperative.pp55_certificate_number and cooperative.pp55_valid_from and cooperative.pp55_valid_until
                and cooperative.pp55_valid_from <= on <= cooperative.pp55_valid_until)


def tax_rates(cooperative: Cooperative, on: date, agency: Agency | None = None) -> TaxRates:
    """The rates for this seller on this day; RuleMissing when a rate has no value that day."""
    if cooperative.is_pkp:
        vat_statutory = rule_value(RuleKey.VAT_STATUTORY_RATE, on, agency)
        vat_effective = rule_value(RuleKey.VAT_EFFECTIVE_RATE, on, agency)
    else:
        vat_statutory = vat_effective = 0
    if holds_small_business_certificate(cooperative, on):
        withheld, rate = WithheldTax.SMALL_BUSINESS_FINAL, rule_value(RuleKey.SMALL_BUSINESS_FINAL_TAX_RATE, on,
                                                                     agency)
    else:
        withheld, rate = WithheldTax.INCOME_TAX, rule_value(RuleKey.INCOME_TAX_WITHHELD_RATE, on, agency)
    return TaxRates(vat_statutory=vat_statutory, vat_effective=vat_effective, withheld=withheld, withheld_rate=rate,
                    income_tax_exempt_up_to=rule_value(RuleKey.INCOME_TAX_EXEMPT_UP_TO, on, agency))


def tax_lines(price: int, cooperative: Cooperative, on: date, agency: Agency | None = None, *,
              split_across_invoices: bool = False) -> TaxLines:
    return compute_tax_lines(price, tax_rates(cooperative, on, agency), split_across_invoices=split_across_invoices)
