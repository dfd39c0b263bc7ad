"""Members' savings: deposits and withdrawals as journal entries, the rules of pokok and wajib, arrears, the
all-or-nothing import."""

from datetime import date

import pytest
import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.ledger.models import Account, JournalEntry
from marketplace.ledger.services import savings
from marketplace.ledger.services.savings import SavingsMovement
from tests.factories import create_cooperative, create_member, owner_of
from tests.helpers import page_text, refused, signed_in


@pytest.fixture
def cooperative(app):
    cooperative = create_cooperative()
    savings.set_savings_amounts(owner_of(cooperative), cooperative, pokok=100_000, wajib_monthly=20_000,
                                counted_from=date(2026, 7, 1))
    db.session.commit()
    return cooperative


def _record(cooperative, member, account, amount, *, on=date(2026, 11, 1), month=None):
    return savings.record_savings(owner_of(cooperative), cooperative, SavingsMovement(
        member_id=member.id, account=account, amount=amount, on=on, month=month))


def test_deposits_and_withdrawals_follow_the_rules_of_each_kind(cooperative):
    member = create_member(cooperative, joined_on=date(2026, 1, 10))
    _record(cooperative, member, Account.SIMPANAN_POKOK, 100_000)
    _record(cooperative, member, Account.SIMPANAN_WAJIB, 20_000, month=date(2026, 7, 1))
    _record(cooperative, member, Account.SIMPANAN_SUKARELA, 50_000)
    _record(cooperative, member, Account.SIMPANAN_SUKARELA, -30_000)
    assert savings.savings_balances(member.id) == {Account.SIMPANAN_POKOK: 100_000,
                                                   Account.SIMPANAN_WAJIB: 20_000,
                                                   Account.SIMPANAN_SUKARELA: 20_000}
    for account, amount, month in ((Account.SIMPANAN_SUKARELA, -20_001, None),  # more than saved
                                   (Account.SIMPANAN_POKOK, -100_000, None),  # only on leaving
                                   (Account.SIMPANAN_WAJIB, 20_000, None),  # which month?
                                   (Account.SIMPANAN_SUKARELA, 0, None)):
        with refused("savings_refused"):
            _record(cooperative, member, account, amount, month=month)
    with refused("savings_refused"):
        _record(cooperative, member, Account.SIMPANAN_SUKARELA, 5_000, on=date(2099, 1, 1))
    member.status, member.left_on = "left", date(2026, 11, 2)
    member.leaving_reason = "resigned"
    with refused("savings_refused"):  # a partial return would leave pokok below its amount
        _record(cooperative, member, Account.SIMPANAN_POKOK, -40_000)
    _record(cooperative, member, Account.SIMPANAN_POKOK, -100_000)  # returned in full on leaving
    for entry in db.session.scalars(sa.select(JournalEntry)):
        assert sum(line.amount for line in entry.lines) == 0


def test_members_behind_on_simpanan_wajib_are_listed_with_months_owed(cooperative):
    early = create_member(cooperative, full_name="Sejak Awal", joined_on=date(2020, 3, 1))
    recent = create_member(cooperative, full_name="Baru", joined_on=date(2026, 10, 15))
    paid_up = create_member(cooperative, full_name="Lunas", joined_on=date(2026, 11, 1))
    _record(cooperative, paid_up, Account.SIMPANAN_WAJIB, 20_000, month=date(2026, 11, 1))
    _record(cooperative, early, Account.SIMPANAN_WAJIB, 40_000, month=date(2026, 7, 1))
    owed = {member.full_name: (months, amount)
            for member, months, amount in savings.arrears(cooperative, today=date(2026, 11, 24))}
    # Counted from July 2026 (when the cooperative started): five months, two paid.
    assert owed == {"Sejak Awal": (3, 60_000), "Baru": (2, 40_000)}
    assert recent.full_name in owed


def test_the_import_saves_every_row_or_none(cooperative):
    first = create_member(cooperative, member_number="A-1")
    create_member(cooperative, member_number="A-2")
    good = ("nomor_anggota,jenis,jumlah,tanggal,bulan,keterangan\n"
            "A-1,pokok,100.000,2026-11-01,,\nA-1,wajib,20000,2026-11-01,2026-11,\nA-2,sukarela,5000,2026-11-02,,\n")
    bad = good + "A-9,sukarela,5000,2026-11-02,,\nA-2,sukarela,-9000,2026-11-03,,\nA-1,emas,1,2026-11-01,,\n"
    with refused("savings_import_refused") as caught:
        savings.import_savings(owner_of(cooperative), cooperative, bad)
    message = caught.value.message
    assert "Baris 5: tidak ada anggota bernomor “A-9”." in message and "Baris 6: Simpanan di situ hanya" in message
    assert "Baris 7: jenisnya pokok, wajib atau sukarela." in message
    assert db.session.scalar(sa.select(sa.func.count()).select_from(JournalEntry)) == 0
    assert savings.import_savings(owner_of(cooperative), cooperative, good) == 3
    assert savings.savings_balances(first.id)[Account.SIMPANAN_POKOK] == 100_000
    with refused("savings_columns_missing"):
        savings.import_savings(owner_of(cooperative), cooperative, "nama,jumlah\nX,1\n")


def test_the_savings_page_shows_arrears_and_records_a_deposit(app, cooperative):
    member = create_member(cooperative, full_name="Suparmi", joined_on=date(2026, 9, 1))
    staff = signed_in(app, owner_of(cooperative))
    url = f"/manage/{cooperative.slug}/savings"
    page = page_text(staff.get(url))
    assert "Suparmi" in page and "Rp 20.000" in page
    from tests.helpers import csrf_token_from

    token = csrf_token_from(staff, url)
    refused_page = staff.post(url, data={"csrf_token": token, "movement-member": member.id,
                                         "movement-account": "simpanan_wajib", "movement-direction": "deposit",
                                         "movement-amount": "20.000", "movement-on": "2026-11-20"})
    assert refused_page.status_code == 422
    done = staff.post(url, data={"csrf_token": token, "movement-member": member.id,
                                 "movement-account": "simpanan_wajib", "movement-direction": "deposit",
                                 "movement-amount": "20.000", "movement-on": "2026-11-20",
                                 "movement-month": "2026-09"})
    assert done.status_code == 302
    assert savings.savings_balances(member.id)[Account.SIMPANAN_WAJIB] == 20_000
