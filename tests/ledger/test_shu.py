"""The SHU for the RAT, as docs/SHU.md works it out."""

from datetime import date

import pytest

from marketplace.extensions import db
from marketplace.ledger.models import Account
from marketplace.ledger.services import savings, shu
from marketplace.ledger.services.savings import SavingsMovement
from tests.factories import (
    complete_order,
    create_cooperative,
    create_member,
    create_product,
    owner_of,
    place_order,
    receive,
)
from tests.helpers import page_text, refused, signed_in

SHARES = {"reserve": 2500, "jasa_usaha": 3000, "jasa_modal": 2000, "board": 1000, "employees": 500,
          "education": 500, "social": 500}


@pytest.fixture
def year_of_trade(app, buyer):
    """Ani sold three baskets and Budi one (Rp 100.000 each, 10% margin); Citra sold nothing but saves."""
    cooperative = create_cooperative(name="Koperasi Anyaman Sragen")
    ani, budi, citra = (create_member(cooperative, full_name=name, member_number=number, joined_on=date(2025, 1, 1))
                        for name, number in (("Ani", "A-1"), ("Budi", "A-2"), ("Citra", "A-3")))
    product = create_product(cooperative, base_price=100_000, tiers=[])
    receive(product, 3, member=ani, received_on=date(2026, 1, 1))
    receive(product, 1, member=budi, received_on=date(2026, 2, 1))
    order = place_order(buyer, (product, 4)).orders[0]
    staff = owner_of(cooperative)
    complete_order(order, buyer)
    for member, account, amount in ((ani, Account.SIMPANAN_POKOK, 100_000), (ani, Account.SIMPANAN_WAJIB, 20_000),
                                    (budi, Account.SIMPANAN_POKOK, 100_000), (citra, Account.SIMPANAN_POKOK, 100_000),
                                    (citra, Account.SIMPANAN_WAJIB, 80_000)):
        savings.record_savings(staff, cooperative, SavingsMovement(
            member_id=member.id, account=account, amount=amount, on=date(2026, 3, 1),
            month=date(2026, 3, 1) if account == Account.SIMPANAN_WAJIB else None))
    db.session.commit()
    return cooperative, ani, budi, citra


def test_the_worked_example_of_the_docs(year_of_trade):
    cooperative = year_of_trade[0]
    distribution = shu.distribute(cooperative, date.today().year, 10_000_000, SHARES)
    assert distribution.funds == {"reserve": 2_500_000, "jasa_usaha": 3_000_000, "jasa_modal": 2_000_000,
                                  "board": 1_000_000, "employees": 500_000, "education": 500_000, "social": 500_000}
    shares = {share.member.full_name: (share.transactions, share.capital, share.jasa_usaha, share.jasa_modal,
                                       share.total) for share in distribution.members}
    assert shares == {"Ani": (270_000, 120_000, 2_250_000, 600_000, 2_850_000),
                      "Budi": (90_000, 100_000, 750_000, 500_000, 1_250_000),
                      "Citra": (0, 180_000, 0, 900_000, 900_000)}


def test_pools_are_shared_out_to_the_rupiah(year_of_trade):
    cooperative = year_of_trade[0]
    distribution = shu.distribute(cooperative, date.today().year, 1_000_001, SHARES)
    assert sum(distribution.funds.values()) == 1_000_001
    assert sum(share.jasa_usaha for share in distribution.members) == distribution.funds["jasa_usaha"]
    assert sum(share.jasa_modal for share in distribution.members) == distribution.funds["jasa_modal"]


@pytest.mark.parametrize("shares", [{**SHARES, "social": 1500}, {**SHARES, "social": 0}, {**SHARES, "board": -1}])
def test_shares_that_do_not_make_100_percent_are_refused(year_of_trade, shares):
    with refused("shu_shares_invalid"):
        shu.distribute(year_of_trade[0], date.today().year, 10_000_000, shares)


def test_the_calculator_page_csv_and_appendix(app, year_of_trade):
    cooperative = year_of_trade[0]
    client = signed_in(app, owner_of(cooperative))
    query = {"year": date.today().year, "shu": "10000000", **{name: f"{value / 100:g}" for name, value in
                                                              SHARES.items()}}
    page = client.get(f"/manage/{cooperative.slug}/shu", query_string=query)
    assert page.status_code == 200 and "Rp 2.850.000" in page_text(page)
    csv_text = client.get(f"/manage/{cooperative.slug}/shu.csv", query_string=query).get_data(as_text=True)
    assert "A-1,Ani,270000,120000,2250000,600000,2850000" in csv_text
    pdf = client.get(f"/manage/{cooperative.slug}/shu.pdf", query_string=query)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    too_much = client.get(f"/manage/{cooperative.slug}/shu", query_string={**query, "social": "15"})
    assert too_much.status_code == 422 and "110%" in page_text(too_much)
