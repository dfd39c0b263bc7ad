"""Agencies and officers: registration, verification, invitations with roles, and who may do what."""

import re

import pytest
import sqlalchemy as sa

from marketplace.core.errors import Conflict, InvalidDetails, NotPermitted
from marketplace.core.invitations import InvalidInvitation
from marketplace.core.unit_of_work import unit_of_work
from marketplace.extensions import db
from marketplace.procurement.models import Agency, AgencyLevel, AgencyStatus, Officer, OfficerRole
from marketplace.procurement.services import agencies
from marketplace.procurement.services.agencies import AgencyDetails, SpendingUnitDetails
from tests.factories import OFFICER_NIP, agency_details, create_agency, create_user, spending_unit_details
from tests.helpers import csrf_token_from, page_text, signed_in

NIP = OFFICER_NIP
AGENCY, UNIT = agency_details(), spending_unit_details()


def registered_agency(officer, *, verified=True) -> Agency:
    return create_agency(officer, verified=verified)


def invite(agency, actor, email, roles, outbox) -> str:
    with unit_of_work():
        agencies.invite_officer(actor, agency, email=email, roles=roles, spending_limit=None,
                                accept_url_for=lambda token: f"http://localhost/agencies/invitations/{token}")
    return re.search(r"/agencies/invitations/(\S+)", outbox[-1].get_content()).group(1)


def test_an_officer_registers_an_agency_that_orders_only_once_verified(app, officer, admin, outbox):
    agency = registered_agency(officer, verified=False)
    assert agency.status == AgencyStatus.PENDING and agency.spending_units[0].treasurer_npwp == "0001234567602000"
    record = agencies.officer_in(officer, agency)
    assert record.roles == {OfficerRole.AGENCY_ADMIN, OfficerRole.PP}
    with pytest.raises(NotPermitted):
        agencies.require_role(officer, agency, OfficerRole.PP)  # not verified yet
    with unit_of_work():
        agencies.verify_agency(admin, agency)
    assert agencies.require_role(officer, agency, OfficerRole.PP) == record
    assert "terverifikasi" in outbox[-1].get_content().lower() or agency.name in outbox[-1]["Subject"]


def test_bad_registration_details_are_all_explained_and_nothing_is_written(app, officer, buyer):
    bad_agency = AgencyDetails(name="", level=AgencyLevel.REGENCY_CITY, province_code="35", regency_code="33.14",
                               street_address="", email_domain=None)
    bad_unit = SpendingUnitDetails(name="", satker_code="12", treasurer_npwp="123", street_address="")
    with pytest.raises(InvalidDetails) as refused:
        agencies.register_agency(officer, bad_agency, bad_unit, nip="1985", roles=set())
    assert set(refused.value.field_errors) == {"name", "street_address", "regency_code", "unit_name", "satker_code",
                                               "treasurer_npwp", "unit_address", "nip"}
    with pytest.raises(NotPermitted):
        agencies.register_agency(buyer, AGENCY, UNIT, nip=NIP, roles=set())
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Agency)) == 0


def test_invited_officers_join_with_their_roles_and_the_agency_keeps_an_administrator(app, officer, outbox):
    agency = registered_agency(officer)
    ppk = create_user(kind="government_officer", email="ppk@mojokertokota.go.id")
    token = invite(agency, officer, "PPK@mojokertokota.go.id", {OfficerRole.PPK}, outbox)
    with pytest.raises(NotPermitted):
        agencies.accept_invitation(create_user(email="lain@contoh.id"), token, nip=NIP)
    with pytest.raises(InvalidDetails):
        agencies.accept_invitation(ppk, token, nip=NIP)  # the registrant's NIP: one person per NIP
    with unit_of_work():
        joined = agencies.accept_invitation(ppk, token, nip="199001012015032001")
    assert joined.roles == {OfficerRole.PPK}
    with pytest.raises(InvalidInvitation):
        agencies.invitation_for_token(token)  # used once
    with pytest.raises(NotPermitted):  # a PPK is not the agency's administrator
        agencies.change_officer_roles(ppk, agency, joined.id, roles={OfficerRole.AGENCY_ADMIN}, spending_limit=None)
    registrant = agencies.officer_in(officer, agency)
    with pytest.raises(Conflict):
        agencies.change_officer_roles(officer, agency, registrant.id, roles={OfficerRole.PP}, spending_limit=None)
    with pytest.raises(Conflict):
        agencies.remove_officer(officer, agency, registrant.id)
    with unit_of_work():
        agencies.change_officer_roles(officer, agency, joined.id, roles={OfficerRole.PPK, OfficerRole.AGENCY_ADMIN},
                                      spending_limit=None)
    with unit_of_work():
        agencies.remove_officer(officer, agency, registrant.id)  # another administrator remains
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Officer)) == 1


def test_only_officers_see_their_agency_and_only_its_administrator_changes_it(app, officer, buyer):
    agency = registered_agency(officer)
    assert signed_in(app, buyer).get(f"/agencies/{agency.id}").status_code == 403
    assert signed_in(app, create_user(kind="admin")).get(f"/agencies/{agency.id}").status_code == 200
    assert signed_in(app, officer).get("/agencies/999").status_code == 404
    page = page_text(signed_in(app, officer).get(f"/agencies/{agency.id}"))
    assert "Dinas Pendidikan Kota Mojokerto" in page and f"/agencies/{agency.id}/officers/invite" in page
    stranger = signed_in(app, create_user(kind="government_officer", email="lain@kab.go.id"))
    token = csrf_token_from(stranger, "/agencies/mine")
    for path in (f"/agencies/{agency.id}/officers/invite", f"/agencies/{agency.id}/approval",
                 f"/agencies/{agency.id}/ceiling", f"/agencies/{agency.id}/officers/1/remove"):
        assert stranger.post(path, data={"csrf_token": token}).status_code == 403, path


def test_registration_page_refuses_bad_input_with_messages_and_creates_the_agency(app, officer):
    client = signed_in(app, officer)
    token = csrf_token_from(client, "/agencies/register")
    form = {"csrf_token": token, "name": "Dinas Koperasi Kabupaten Sragen", "level": "regency_city",
            "province_code": "33", "regency_code": "33.14", "street_address": "Jl. Raya Sukowati 255",
            "email_domain": "sragenkab.go.id", "unit_name": "Dinas Koperasi", "satker_code": "654321",
            "treasurer_npwp": "00.123.456.7-602.000", "unit_address": "Jl. Raya Sukowati 255",
            "nip": "12", "roles": ["pp", "ppk"]}
    refused = client.post("/agencies/register", data=form)
    assert refused.status_code == 422 and "NIP terdiri dari 18 digit" in page_text(refused)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Agency)) == 0
    created = client.post("/agencies/register", data={**form, "nip": NIP}, follow_redirects=True)
    assert created.status_code == 200 and "menunggu verifikasi" in page_text(created).lower()
    assert signed_in(app, create_user(kind="buyer", email="b@contoh.id")).get("/agencies/register").status_code == 403


def test_the_platform_verifies_or_rejects_with_a_reason(app, officer, admin, outbox):
    agency = registered_agency(officer, verified=False)
    client = signed_in(app, admin)
    assert "Dinas Pendidikan" in page_text(client.get("/admin/agencies"))
    token = csrf_token_from(client, f"/admin/agencies/{agency.id}")
    client.post(f"/admin/agencies/{agency.id}/reject", data={"csrf_token": token, "reason": ""})
    assert db.session.get(Agency, agency.id).status == AgencyStatus.PENDING
    client.post(f"/admin/agencies/{agency.id}/reject", data={"csrf_token": token, "reason": "Satker tidak dikenal"})
    assert db.session.get(Agency, agency.id).status == AgencyStatus.REJECTED
    assert signed_in(app, officer).get("/admin/agencies").status_code == 403
