"""The agency's dashboard: the year's spend and where it went, the share against the small-business target, open
orders by step, cooperatives waiting for payment, and the CSV of the year's orders."""

import csv
import io
from datetime import UTC, timedelta

import pytest

from marketplace.core.errors import InvalidDetails, NotPermitted
from marketplace.core.timeutil import local_today, utcnow
from marketplace.core.unit_of_work import unit_of_work
from marketplace.extensions import db
from marketplace.procurement.models import AgencyBudget, PurchaseOrderStatus
from marketplace.procurement.services import oversight
from tests.factories import add_officer, create_agency, create_cooperative, create_product
from tests.helpers import csrf_token_from, page_text, refused, signed_in
from tests.procurement.journey import accepted, drafted, received

S = PurchaseOrderStatus


@pytest.fixture
def agency(officer):
    return create_agency(officer, roles=("pp",))  # who registers it administers it


@pytest.fixture
def year():
    return local_today().year


def test_spend_is_what_cooperatives_accepted_broken_down_every_way(app, officer, agency, year):
    jateng = create_cooperative(name="Koperasi Tunas Sukowati")
    pesantren = create_cooperative(name="Kopontren Al-Hikmah", is_pesantren=True, pesantren_name="Al-Hikmah",
                                   province_code="35", regency_code="35.76")
    accepted(officer, agency, (create_product(jateng, base_price=1_000_000, tiers=[]), 6))
    received(officer, agency, (create_product(pesantren, base_price=500_000, tiers=[]), 4))
    drafted(officer, agency, (create_product(jateng, base_price=9_000_000, tiers=[]), 1))  # a draft is no spend

    summary = oversight.summary(agency, year)
    assert (summary.total, summary.orders, summary.pesantren) == (8_000_000, 2, 2_000_000)
    assert summary.pesantren_share == 2_500 and summary.budget is None and summary.target == 4_000
    assert [(row.label, row.amount) for row in oversight.spend_by_cooperative(agency, year)] == [
        ("Koperasi Tunas Sukowati", 6_000_000), ("Kopontren Al-Hikmah", 2_000_000)]
    assert [(row.label, row.amount) for row in oversight.spend_by_region(agency, year)] == [
        ("Jawa Tengah", 6_000_000), ("Jawa Timur", 2_000_000)]
    assert sum(row.amount for row in oversight.spend_by_category(agency, year)) == 8_000_000
    months = oversight.spend_by_month(agency, year)
    assert sum(row.amount for row in months) == 8_000_000 and all(row.amount for row in months)


def test_months_follow_the_agencys_clock_not_utc(app, officer, agency, year):
    from datetime import datetime

    po = accepted(officer, agency, (create_product(create_cooperative(), base_price=1_000_000, tiers=[]), 2))
    # 18.30 UTC on 30 April is 01.30 WIB on 1 May in Mojokerto: May's spend.
    po.sent_at = datetime(year, 4, 30, 18, 30, tzinfo=UTC)
    db.session.commit()
    assert [(row.label, row.amount) for row in oversight.spend_by_month(agency, year)] == [
        (f"Mei {year}", 2_000_000)]
    assert oversight.summary(agency, year - 1).total == 0


def test_the_budget_gives_the_share_against_the_target_and_only_the_admin_records_it(app, officer, agency, year):
    accepted(officer, agency, (create_product(create_cooperative(), base_price=1_000_000, tiers=[]), 10))
    with refused("role_required", NotPermitted):
        oversight.record_budget(add_officer(agency, "pp"), agency, year=year, amount=100_000_000)
    db.session.rollback()
    with pytest.raises(InvalidDetails) as refusal:
        oversight.record_budget(officer, agency, year=1999, amount=0)
    assert set(refusal.value.field_errors) == {"year", "amount"}
    db.session.rollback()
    assert db.session.query(AgencyBudget).count() == 0
    with unit_of_work():
        oversight.record_budget(officer, agency, year=year, amount=25_000_000)
    with unit_of_work():
        oversight.record_budget(officer, agency, year=year, amount=50_000_000)  # corrected, not added
    summary = oversight.summary(agency, year)
    assert (summary.budget, summary.budget_share) == (50_000_000, 2_000)  # 20% of the budget; the target is 40%


def test_open_orders_by_step_and_cooperatives_waiting_for_payment(app, officer, agency):
    cooperative = create_cooperative()
    drafted(officer, agency, (create_product(cooperative, tiers=[]), 2))
    accepted(officer, agency, (create_product(cooperative, tiers=[]), 3))
    waiting = received(officer, agency, (create_product(cooperative, tiers=[]), 5))
    waiting.status_changed_at = utcnow() - timedelta(days=9)
    db.session.commit()
    steps = {step.status: step for step in oversight.open_steps(agency)}
    assert {status: step.orders for status, step in steps.items()} == {S.DRAFT: 1, S.ACCEPTED: 1, S.RECEIVED: 1}
    assert steps[S.RECEIVED].oldest_days == 9
    rows = db.session.execute(oversight.awaiting_payment_query(agency)).all()
    assert [(po.id, received_on) for po, received_on in rows] == [(waiting.id, local_today())]
    assert oversight.days_waiting(local_today() - timedelta(days=12)) == 12


def test_the_dashboard_page_and_its_csv_for_the_agency_only(app, officer, agency, buyer, year):
    cooperative = create_cooperative(name="Koperasi Tunas")
    po = received(officer, agency, (create_product(cooperative, base_price=750_000, tiers=[]), 4))
    admin_page = signed_in(app, officer)
    page = page_text(admin_page.get(f"/agencies/{agency.id}/dashboard"))
    assert "Rp 3.000.000" in page and po.number in page and "menunggu" in page
    bad = admin_page.post(f"/agencies/{agency.id}/budget", data={
        "csrf_token": csrf_token_from(admin_page, f"/agencies/{agency.id}/dashboard"), "year": str(year),
        "amount": "banyak"})
    assert bad.status_code == 422 and "rupiah" in page_text(bad)
    admin_page.post(f"/agencies/{agency.id}/budget", data={
        "csrf_token": csrf_token_from(admin_page, f"/agencies/{agency.id}/dashboard"), "year": str(year),
        "amount": "Rp 30.000.000"})
    assert "10%" in page_text(admin_page.get(f"/agencies/{agency.id}/dashboard?year={year}"))

    exported = admin_page.get(f"/agencies/{agency.id}/dashboard.csv?year={year}")
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff"))))
    assert [(row["surat_pesanan"], row["nilai"], row["nilai_diterima"], row["status"]) for row in rows] == [
        (po.number, "3000000", "3000000", "received")]
    assert rows[0]["koperasi"] == "Koperasi Tunas" and rows[0]["hari_menunggu_bayar"] == "0"

    assert signed_in(app, buyer).get(f"/agencies/{agency.id}/dashboard").status_code == 403
    other = signed_in(app, add_officer(create_agency(satker_code="654321"), "pp"))
    assert other.get(f"/agencies/{agency.id}/dashboard.csv").status_code == 403
    pp = signed_in(app, add_officer(agency, "pp"))
    assert "Catat anggaran" not in page_text(pp.get(f"/agencies/{agency.id}/dashboard"))
