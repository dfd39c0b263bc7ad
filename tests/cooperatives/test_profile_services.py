from datetime import date

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from marketplace.accounts.models import AccountKind
from marketplace.cooperatives.models import (
    Cooperative,
    CooperativeDocument,
    CooperativeStatus,
    DocumentKind,
    LegalForm,
    StaffMembership,
    StaffRole,
)
from marketplace.cooperatives.services import profile, rat
from marketplace.cooperatives.services.profile import InvalidCooperativeDetails, badges_of
from marketplace.core.audit import AuditEvent
from marketplace.core.errors import NotPermitted, TransitionNotAllowed
from marketplace.core.identifiers import parse_npwp
from marketplace.core.unit_of_work import unit_of_work
from marketplace.extensions import db
from tests.factories import add_staff, cooperative_details, create_cooperative, create_user, owner_of
from tests.helpers import refused


def test_registration_makes_the_person_owner_of_a_pending_cooperative(app):
    owner = create_user(kind=AccountKind.COOPERATIVE_STAFF)
    cooperative = profile.register_cooperative(owner, cooperative_details(name="Koperasi Tunas Sukowati Jaya"))
    assert cooperative.status == CooperativeStatus.PENDING
    assert cooperative.slug == "koperasi-tunas-sukowati-jaya"
    membership = db.session.scalar(db.select(StaffMembership))
    assert (membership.user_id, membership.role) == (owner.id, StaffRole.BOARD)
    assert db.session.scalar(db.select(AuditEvent.action)) == "cooperative.registered"


def test_the_same_name_gets_a_distinct_address(app):
    first = create_cooperative(name="Koperasi Sejahtera")
    second = create_cooperative(name="Koperasi Sejahtera")
    assert (first.slug, second.slug) == ("koperasi-sejahtera", "koperasi-sejahtera-2")


@pytest.mark.parametrize("identifier", ["nik_koperasi", "nib", "npwp"])
def test_an_identifier_already_registered_is_refused_and_nothing_is_written(app, identifier):
    first = create_cooperative()
    with pytest.raises(InvalidCooperativeDetails) as refused:
        create_cooperative(**{identifier: getattr(first, identifier)})
    assert identifier in refused.value.field_errors
    assert "sudah terdaftar" in refused.value.field_errors[identifier]
    assert db.session.query(Cooperative).count() == 1


def test_a_regency_outside_the_province_is_refused(app):
    with pytest.raises(InvalidCooperativeDetails) as refused:
        create_cooperative(province_code="35", regency_code="33.14")  # Sragen is in Central Java
    assert "regency_code" in refused.value.field_errors


def test_an_unknown_region_is_refused(app):
    with pytest.raises(InvalidCooperativeDetails):
        create_cooperative(province_code="33", regency_code="33.99")


def test_a_legal_cooperative_needs_its_decree_and_nib_but_a_pre_cooperative_does_not(app):
    with pytest.raises(InvalidCooperativeDetails) as refused:
        create_cooperative(legal_decree_number=None, legal_decree_date=None, nib=None, membership_area=None)
    assert set(refused.value.field_errors) == {"legal_decree_number", "legal_decree_date", "nib", "membership_area"}
    young = create_cooperative(nik_koperasi=None, nik_valid_until=None)  # no NIK koperasi yet: still welcome
    assert young.nik_koperasi is None and young.can_receive_government_orders
    group = create_cooperative(legal_form=LegalForm.PRE_COOPERATIVE, nik_koperasi=None, nik_valid_until=None,
                               legal_decree_number=None, legal_decree_date=None, nib=None, npwp=None,
                               membership_area=None, status="pending")
    assert group.nik_koperasi is None and not group.can_receive_government_orders


@pytest.mark.parametrize("overrides, field", [
    ({"is_pesantren": True, "pesantren_name": None}, "pesantren_name"),
    ({"opop_participant": True}, "opop_participant"),
    ({"is_pkp": True, "npwp": None}, "npwp"),
    ({"nik_valid_until": None}, "nik_valid_until"),
    ({"nik_koperasi": None}, "nik_koperasi"),
    ({"nitku": "1234567890123456000000"}, "nitku"),
    ({"pp55_certificate_number": "KET-00123/PP55/WPJ.11/2026"}, "pp55_certificate_number"),
    ({"pp55_certificate_number": "KET-1", "pp55_valid_from": date(2026, 1, 1), "pp55_valid_until": date(2025, 1, 1)},
     "pp55_valid_until"),
    ({"bank_name": "BRI", "bank_account_number": None, "bank_account_holder": None}, "bank_account_number"),
])
def test_inconsistent_details_are_refused_with_the_field(app, overrides, field):
    with pytest.raises(InvalidCooperativeDetails) as refused:
        create_cooperative(**overrides)
    assert field in refused.value.field_errors


def test_a_platform_admin_cannot_register_a_cooperative(app):
    with pytest.raises(NotPermitted):
        profile.register_cooperative(create_user(kind=AccountKind.ADMIN), cooperative_details())


def test_only_the_board_edits_the_profile(app):
    cooperative = create_cooperative()
    clerk = add_staff(cooperative, "staff")
    with pytest.raises(NotPermitted):
        profile.update_cooperative(clerk, cooperative, cooperative_details(name="Nama Baru"))
    board_member = add_staff(cooperative, "manager")
    details = profile.CooperativeDetails.of(cooperative)
    details.description = "Anyaman bambu dan mebel jati."
    assert profile.update_cooperative(board_member, cooperative, details) == ["description"]


def test_changing_the_legal_identity_of_a_verified_cooperative_sends_it_back_to_verification(app):
    cooperative = create_cooperative(status="verified")
    owner = db.session.scalar(db.select(StaffMembership)).user
    details = profile.CooperativeDetails.of(cooperative)
    details.npwp = "013456789012345"
    profile.update_cooperative(owner, cooperative, details)
    assert cooperative.status == CooperativeStatus.PENDING


def test_the_verification_state_machine(app, outbox):
    admin = create_user(kind=AccountKind.ADMIN)
    cooperative = create_cooperative(status="pending")
    with refused("reason_required"):
        profile.change_status(admin, cooperative, CooperativeStatus.REJECTED, "  ")
    with unit_of_work():
        profile.change_status(admin, cooperative, CooperativeStatus.REJECTED, "NIB tidak terbaca.")
    assert cooperative.status_reason == "NIB tidak terbaca."
    with pytest.raises(TransitionNotAllowed), unit_of_work():
        profile.change_status(admin, cooperative, CooperativeStatus.VERIFIED)
    owner = db.session.scalar(db.select(StaffMembership)).user
    with unit_of_work():
        profile.resubmit_for_verification(owner, cooperative)
    with unit_of_work():
        profile.change_status(admin, cooperative, CooperativeStatus.VERIFIED)
    assert cooperative.verified_at is not None
    for status, reason in ((CooperativeStatus.SUSPENDED, "Barang tidak dikirim."), (CooperativeStatus.VERIFIED, None)):
        with unit_of_work():  # each decision is its own action, and its email leaves after it is saved
            profile.change_status(admin, cooperative, status, reason)
    actions = [event.details.get("new") for event in db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "cooperative.status_changed").order_by(AuditEvent.id))]
    assert actions == ["rejected", "pending", "verified", "suspended", "verified"]
    assert [message["To"] for message in outbox] == [owner.email] * 4
    assert "NIB tidak terbaca." in outbox[0].get_content()


def test_only_platform_admins_change_the_status(app):
    cooperative = create_cooperative(status="pending")
    owner = db.session.scalar(db.select(StaffMembership)).user
    with pytest.raises(NotPermitted):
        profile.change_status(owner, cooperative, CooperativeStatus.VERIFIED)


@pytest.mark.parametrize("last_book_year, today, current, overdue, dormant", [
    (2025, date(2026, 11, 23), True, None, False),
    (2024, date(2026, 6, 30), True, None, False),  # the RAT for 2025 is due by 30 June: not yet overdue
    (2024, date(2026, 7, 1), False, 2025, False),
    (2023, date(2026, 7, 1), False, 2025, False),  # 2023 is the oldest of the last three book years due
    (2022, date(2026, 7, 1), False, 2025, True),   # none for 2023, 2024, 2025: dormant
    (2022, date(2026, 6, 30), False, 2024, False),  # until 30 June only 2022–2024 are due
    (None, date(2026, 7, 1), False, 2025, True),
])
def test_rat_standing_follows_the_book_year_and_the_30_june_deadline(app, last_book_year, today, current, overdue,
                                                                       dormant):
    cooperative = Cooperative(legal_form=LegalForm.COOPERATIVE, founded_year=2009, last_rat_book_year=last_book_year)
    standing = rat.rat_standing(cooperative, today)
    assert (standing.current, standing.overdue_book_year, standing.dormant) == (current, overdue, dormant)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(legal_form=st.sampled_from(LegalForm), founded_year=st.none() | st.integers(2015, 2027),
       decree_date=st.none() | st.dates(date(2015, 1, 1), date(2027, 12, 31)),
       last_book_year=st.none() | st.integers(2015, 2026), today=st.dates(date(2024, 1, 1), date(2027, 12, 31)))
# Founded in 2020, a legal body since 2024: on 1 July 2026 it owes 2024 and 2025 only, so it is not yet dormant.
@example(legal_form=LegalForm.COOPERATIVE, founded_year=2020, decree_date=date(2024, 5, 2), last_book_year=None,
         today=date(2026, 7, 1))
def test_the_databases_dormancy_test_agrees_with_a_cooperatives_standing(app, legal_form, founded_year, decree_date,
                                                                       last_book_year, today):
    """The supplier directory and the administrators' list of dormant cooperatives ask the database; a profile
    asks `rat_standing`. A cooperative founded before its decree owes RATs from the decree's year in both."""
    cooperative = db.session.scalar(sa.select(Cooperative)) or create_cooperative()
    cooperative.legal_form, cooperative.founded_year = legal_form, founded_year
    cooperative.legal_decree_date, cooperative.last_rat_book_year = decree_date, last_book_year
    db.session.flush()
    in_database = db.session.scalar(sa.select(sa.exists().where(Cooperative.id == cooperative.id,
                                                                rat.dormant_condition(today))))
    assert in_database == rat.rat_standing(cooperative, today).dormant


def test_a_young_cooperative_or_a_pre_cooperative_group_is_never_dormant(app):
    young = Cooperative(legal_form=LegalForm.COOPERATIVE, founded_year=2024, last_rat_book_year=None)
    assert rat.rat_standing(young, date(2026, 7, 1)).missed_book_years == [2025, 2024]
    assert not rat.rat_standing(young, date(2026, 7, 1)).dormant
    group = Cooperative(legal_form=LegalForm.PRE_COOPERATIVE, founded_year=2000, last_rat_book_year=None)
    assert not rat.rat_standing(group, date(2026, 7, 1)).dormant


def test_a_rat_is_recorded_once_per_closed_book_year_after_it_closed(app):
    cooperative = create_cooperative(last_rat_book_year=None)
    owner = owner_of(cooperative)
    today = date(2026, 11, 24)
    for details, field in ((rat.RatDetails(2026, date(2026, 11, 1)), "book_year"),
                           (rat.RatDetails(2025, date(2025, 12, 20)), "held_on"),
                           (rat.RatDetails(2025, date(2026, 12, 1)), "held_on"),
                           (rat.RatDetails(2025, date(2026, 3, 1), members_present=-1), "members_present")):
        with pytest.raises(rat.InvalidRat) as refusal:
            rat.record_rat(owner, cooperative, details, today=today)
        assert field in refusal.value.field_errors
    rat.record_rat(owner, cooperative, rat.RatDetails(2025, date(2026, 3, 1), 40, 12_500_000), today=today)
    assert cooperative.last_rat_book_year == 2025
    with pytest.raises(rat.InvalidRat) as refusal:
        rat.record_rat(owner, cooperative, rat.RatDetails(2025, date(2026, 4, 1)), today=today)
    assert "book_year" in refusal.value.field_errors
    rat.record_rat(owner, cooperative, rat.RatDetails(2024, date(2025, 3, 1)), today=today)
    assert cooperative.last_rat_book_year == 2025  # an older year recorded later keeps the latest
    with pytest.raises(NotPermitted):
        rat.record_rat(add_staff(cooperative, "supervisor"), cooperative, rat.RatDetails(2023, date(2024, 3, 1)))
    other = create_cooperative()
    theirs = CooperativeDocument(cooperative_id=other.id, kind=DocumentKind.RAT_MINUTES, original_filename="ba.pdf",
                                 storage_key="documents/x.pdf", content_type="application/pdf", size_bytes=1)
    db.session.add(theirs)
    db.session.flush()
    with pytest.raises(rat.InvalidRat) as refusal:  # another cooperative's minutes cannot be pointed to
        rat.record_rat(owner, cooperative, rat.RatDetails(2023, date(2024, 3, 1), minutes_document_id=theirs.id),
                       today=today)
    assert "minutes_document_id" in refusal.value.field_errors


def test_badges_are_derived_from_the_record(app):
    cooperative = create_cooperative(is_pesantren=True, pesantren_name="PP Sunan Drajat", opop_participant=True,
                                     last_rat_book_year=2025)
    kinds = [badge.kind for badge in badges_of(cooperative, today=date(2026, 11, 23))]
    assert kinds == ["verified", "rat", "nik", "kopontren", "opop"]  # the NIK certificate runs to March 2027
    assert badges_of(cooperative, today=date(2026, 11, 23))[1].label == "RAT Tahun Buku 2025"
    cooperative.status = CooperativeStatus.SUSPENDED
    assert [badge.kind for badge in badges_of(cooperative, today=date(2028, 1, 1))] == ["kopontren", "opop"]


def test_a_duplicate_that_slips_past_the_check_is_still_refused_by_the_database(app, monkeypatch):
    first = create_cooperative()
    monkeypatch.setattr(profile, "_taken_identifiers", lambda details, cooperative: {})
    with pytest.raises(InvalidCooperativeDetails):
        create_cooperative(nik_koperasi=first.nik_koperasi)
    assert db.session.query(Cooperative).count() == 1


def test_one_taxpayer_typed_in_either_npwp_form_is_one_taxpayer(app):
    create_cooperative(npwp=parse_npwp("01.234.567.8-901.000"))
    with pytest.raises(InvalidCooperativeDetails) as refused:
        create_cooperative(npwp=parse_npwp("0012 3456 7890 1000"))
    assert "npwp" in refused.value.field_errors
    assert parse_npwp("01.234.567.8-901.000") == "0012345678901000"


@pytest.mark.parametrize("changes", [
    {"bank_account_number": "002101000999999"}, {"is_pkp": True}, {"npwp": "0912345670527999"},
    {"pp55_certificate_number": "KET-1", "pp55_valid_from": date(2026, 1, 1), "pp55_valid_until": date(2026, 12, 31)},
])
def test_changing_the_bank_account_or_the_tax_identity_sends_a_verified_cooperative_back(app, changes):
    cooperative = create_cooperative(bank_name="BRI", bank_account_number="002101000123456",
                                     bank_account_holder="Kop Tunas", npwp="0912345670527000")
    details = profile.CooperativeDetails.of(cooperative)
    for name, value in changes.items():
        setattr(details, name, value)
    profile.update_cooperative(owner_of(cooperative), cooperative, details)
    assert cooperative.status == CooperativeStatus.PENDING


def test_the_nik_koperasi_is_a_badge_while_its_certificate_is_valid(app):
    cooperative = create_cooperative(nik_valid_until=date(2027, 3, 31))
    assert "nik" in {badge.kind for badge in badges_of(cooperative, today=date(2027, 3, 31))}
    assert "nik" not in {badge.kind for badge in badges_of(cooperative, today=date(2027, 4, 1))}
