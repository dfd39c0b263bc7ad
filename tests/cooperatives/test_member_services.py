from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marketplace.cooperatives.models import Cooperative, LeavingReason, Member, MemberStatus, PayoutMethod
from marketplace.cooperatives.services import member_csv, members
from marketplace.cooperatives.services.members import InvalidMemberDetails, MemberDetails
from marketplace.core.errors import NotFound, NotPermitted
from marketplace.extensions import db
from tests.factories import add_staff, create_cooperative, create_member, owner_of


def details(**overrides) -> MemberDetails:
    values = dict(member_number="A-001", full_name="Siti Aminah", joined_on=date(2021, 2, 9),
                  national_id="3314015708900001")
    values.update(overrides)
    return MemberDetails(**values)


def test_the_board_adds_and_edits_members(app):
    cooperative = create_cooperative()
    owner = owner_of(cooperative)
    member = members.add_member(owner, cooperative, details())
    changed = members.update_member(owner, member, details(full_name="Siti Aminah Rahayu", skills="tenun"))
    assert changed == ["full_name", "skills"]


def test_plain_staff_see_but_do_not_change_the_registry(app):
    cooperative = create_cooperative()
    clerk = add_staff(cooperative, "staff")
    with pytest.raises(NotPermitted):
        members.add_member(clerk, cooperative, details())
    member = create_member(cooperative)
    assert members.member_of(clerk, cooperative, member.id) == member


@pytest.mark.parametrize("overrides, field", [
    ({"joined_on": date(2099, 1, 1)}, "joined_on"),
    ({"status": MemberStatus.LEFT}, "left_on"),
    ({"left_on": date(2022, 1, 1)}, "left_on"),
    ({"status": MemberStatus.LEFT, "left_on": date(2020, 1, 1)}, "left_on"),
    ({"payout_method": PayoutMethod.BANK}, "payout_account_number"),
])
def test_inconsistent_member_details_are_refused(app, overrides, field):
    cooperative = create_cooperative()
    with pytest.raises(InvalidMemberDetails) as refused:
        members.add_member(owner_of(cooperative), cooperative, details(**overrides))
    assert field in refused.value.field_errors
    assert db.session.query(Member).count() == 0


def test_member_number_and_nik_are_unique_within_a_cooperative_only(app):
    ours, theirs = create_cooperative(), create_cooperative()
    members.add_member(owner_of(ours), ours, details())
    with pytest.raises(InvalidMemberDetails) as refused:
        members.add_member(owner_of(ours), ours, details())
    assert set(refused.value.field_errors) == {"member_number", "national_id"}
    members.add_member(owner_of(theirs), theirs, details())  # the same person may belong to two cooperatives


def test_a_member_of_another_cooperative_is_not_found_by_id(app):
    ours, theirs = create_cooperative(), create_cooperative()
    their_member = create_member(theirs)
    with pytest.raises(NotFound):
        members.member_of(owner_of(ours), ours, their_member.id)


def test_search_and_filters(app):
    cooperative = create_cooperative()
    create_member(cooperative, full_name="Suparmi", village="Banaran", skills="anyaman bambu")
    create_member(cooperative, full_name="Joko Susilo", gender="L", village="Krikilan", skills="mebel jati",
                  national_id=None)
    found = lambda **kw: [m.full_name for m in db.session.scalars(members.members_query(cooperative, **kw))]  # noqa: E731
    assert found(search="BAMBU") == ["Suparmi"]
    assert found(search="krikilan") == ["Joko Susilo"]
    assert found(gender="L") == ["Joko Susilo"]
    assert found(status="nonsense") == ["Suparmi", "Joko Susilo"]


CSV_HEADER = (
    "nomor_anggota,nama_lengkap,nik,jenis_kelamin,desa,tanggal_bergabung,"
    "metode_pembayaran,nomor_rekening,bank_atau_dompet\n"
)


def test_a_valid_csv_imports_every_row(app):
    cooperative = create_cooperative()
    text = CSV_HEADER + (
        "A-001,Suparmi,3314015708900001,P,Banaran,2021-02-09,tunai,,\n"
        "A-002,Joko Susilo,3314010101800002,L,Krikilan,09/02/2021,transfer_bank,002101000123456,BRI\n"
    )
    assert member_csv.import_members(owner_of(cooperative), cooperative, text) == 2
    joko = db.session.scalar(db.select(Member).where(Member.member_number == "A-002"))
    assert (joko.payout_method, joko.joined_on) == (PayoutMethod.BANK, date(2021, 2, 9))


def test_a_csv_with_one_bad_row_imports_nothing_and_reports_each_row(app):
    cooperative = create_cooperative()
    create_member(cooperative, member_number="A-009", national_id=None)
    text = CSV_HEADER + (
        "A-001,Suparmi,3314015708900001,P,Banaran,2021-02-09,tunai,,\n"
        "A-002,Joko,12345,X,Krikilan,kemarin,cek,,\n"
        "A-001,Tukiyem,,P,Banaran,2021-02-09,,,\n"
        "A-009,Wagiman,,L,Sambirejo,2021-02-09,,,\n"
        ",,,,,,,,\n"
    )
    preview = member_csv.preview_member_import(owner_of(cooperative), cooperative, text)
    assert [row.line for row in preview.rows if row.errors] == [3, 4, 5]
    joko_errors = " ".join(preview.rows[1].errors)
    for expected in ("NIK harus berupa 16 digit", "jenis_kelamin", "bukan tanggal", "metode_pembayaran"):
        assert expected in joko_errors
    assert "sama dengan baris 2" in " ".join(preview.rows[2].errors)
    assert "sudah dipakai" in " ".join(preview.rows[3].errors)
    with pytest.raises(member_csv.MemberImportRefused):
        member_csv.import_members(owner_of(cooperative), cooperative, text)
    assert db.session.query(Member).count() == 1


@pytest.mark.parametrize("text, message", [
    ("", "Berkas kosong"),
    ("nama_lengkap,tanggal_bergabung\nSiti,2021-01-01\n", "Kolom wajib tidak ada: nomor_anggota"),
    ("nomor_anggota,nama_lengkap,tanggal_bergabung,warna_favorit\n", "Kolom tidak dikenal: warna_favorit"),
    ("nomor_anggota,nama_lengkap,tanggal_bergabung\n", "tidak berisi baris anggota"),
])
def test_files_of_the_wrong_shape_are_refused_whole(app, text, message):
    cooperative = create_cooperative()
    preview = member_csv.preview_member_import(owner_of(cooperative), cooperative, text)
    assert not preview.is_valid
    assert message in " ".join(preview.file_errors)


def test_english_headers_and_semicolons_are_understood(app):
    cooperative = create_cooperative()
    text = "member_number;full_name;joined_on\nB-1;Sri Wahyuningsih;2022-05-01\n"
    assert member_csv.import_members(owner_of(cooperative), cooperative, text) == 1


def test_export_reimports_into_another_cooperative(app):
    source, target = create_cooperative(), create_cooperative()
    create_member(source, full_name="Suparmi", public_name_consent=True)
    create_member(source, full_name="Joko", status=MemberStatus.LEFT, left_on=date(2024, 1, 1))
    exported = "".join(member_csv.export_member_rows(owner_of(source), source))
    assert exported.startswith("\ufeffnomor_anggota,")
    assert "keluar" in exported and ",ya" in exported
    assert member_csv.import_members(owner_of(target), target, exported) == 2


def test_export_leaves_out_the_nik_for_those_who_may_not_see_it(app):
    cooperative = create_cooperative()
    create_member(cooperative, national_id="3314015708900001")
    clerk = add_staff(cooperative, "staff")
    exported = "".join(member_csv.export_member_rows(clerk, cooperative))
    assert "3314015708900001" not in exported and ",nik," not in exported
    assert "nomor_rekening" not in exported  # account numbers only for those who handle money


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(text=st.text(max_size=300) | st.sampled_from([CSV_HEADER + "A,B,C,D,E,F,G,H,I\n", "\ufeff;;;\n\"\n"]))
def test_no_file_content_crashes_the_import_check(app, text):
    cooperative = db.session.scalar(db.select(Cooperative)) or create_cooperative()
    preview = member_csv.preview_member_import(owner_of(cooperative), cooperative, text)
    assert preview.is_valid or preview.error_count > 0
    assert db.session.query(Member).count() == 0


def test_leaving_needs_a_reason_and_only_leaving_has_one(app):
    cooperative = create_cooperative()
    owner = owner_of(cooperative)
    base = dict(member_number="K-1", full_name="Sumarni", joined_on=date(2020, 1, 1))
    with pytest.raises(InvalidMemberDetails) as refusal:
        members.add_member(owner, cooperative, MemberDetails(**base, status=MemberStatus.LEFT,
                                                                     left_on=date(2025, 6, 1)))
    assert "leaving_reason" in refusal.value.field_errors
    with pytest.raises(InvalidMemberDetails) as refusal:
        members.add_member(owner, cooperative, MemberDetails(**base, leaving_reason=LeavingReason.DECEASED))
    assert "leaving_reason" in refusal.value.field_errors
    member = members.add_member(owner, cooperative, MemberDetails(
        **base, status=MemberStatus.LEFT, left_on=date(2025, 6, 1), leaving_reason=LeavingReason.DECEASED))
    assert member.leaving_reason == LeavingReason.DECEASED


def test_consent_to_be_named_keeps_when_it_was_given_and_withdrawn_and_by_whom(app):
    cooperative = create_cooperative()
    owner = owner_of(cooperative)
    member = members.add_member(owner, cooperative, MemberDetails(
        member_number="K-2", full_name="Sumarni", joined_on=date(2020, 1, 1), public_name_consent=True))
    details = MemberDetails.of(member)
    details.public_name_consent = False
    members.update_member(owner, member, details)
    details.village = "Banaran"  # another change records no consent
    members.update_member(owner, member, details)
    history = members.consent_history(member)
    assert [change.given for change in history] == [False, True]
    assert {change.recorded_by_id for change in history} == {owner.id}
