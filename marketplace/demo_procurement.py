"""Demo government purchasing: a verified agency with its PP, PPK, receiver of goods and treasurer, the year's
budget, and purchase orders at several steps (paid and completed, received and invoiced, sent to a cooperative,
waiting for the PPK), so the procurement pages and the agency's dashboard have something to show on first run.
Everything goes through the services, as people would do it."""

from datetime import timedelta

import sqlalchemy as sa

from marketplace.accounts.models import User
from marketplace.accounts.services import find_user_by_email
from marketplace.catalog.models import Product, ProductStatus
from marketplace.cooperatives.models import Cooperative, StaffMembership, StaffRole
from marketplace.core.timeutil import local_today
from marketplace.extensions import db
from marketplace.ordering.services.lifecycle import OrderAction, perform
from marketplace.procurement.models import Agency, AgencyLevel, OfficerRole, PaymentMechanism, PurchaseOrder
from marketplace.procurement.services import agencies, invoicing, oversight, receipts
from marketplace.procurement.services import purchase_orders as orders
from marketplace.procurement.services.agencies import AgencyDetails, SpendingUnitDetails
from marketplace.procurement.services.purchase_orders import PurchaseOrderDetails
from marketplace.sourcing.services import shortlists

ADMIN_EMAIL = "admin@pasarkoperasi.id"
PP_EMAIL = "pengadaan@mojokertokota.go.id"
# (email, role, NIP); the accounts are among the demo users.
OFFICERS = [
    ("ppk@mojokertokota.go.id", OfficerRole.PPK, "197806122005011003"),
    ("penerima@mojokertokota.go.id", OfficerRole.RECEIVER, "198211042009012004"),
    ("bendahara@mojokertokota.go.id", OfficerRole.TREASURER, "198905172014021005"),
]
# (cooperative slug, what the order is for, how far it goes, [(product index, quantity)])
PURCHASES = [
    ("koperasi-produsen-tunas-sukowati-jaya", "Keranjang dan tikar untuk ruang baca SD negeri", "paid", [(0, 12)]),
    ("kopontren-sunan-drajat", "Bingkisan tamu Hari Pendidikan Nasional", "invoiced", [(0, 20)]),
    ("kopontren-al-hidayah-mojokerto", "Perlengkapan kegiatan pramuka", "sent", [(0, 15)]),
    ("koperasi-produsen-tunas-sukowati-jaya", "Rak dan wadah arsip sekolah", "submitted", [(1, 10)]),
]


def seed_demo_procurement() -> list[str]:
    pp, admin = find_user_by_email(PP_EMAIL), find_user_by_email(ADMIN_EMAIL)
    if pp is None or admin is None or db.session.scalar(sa.select(Agency.id).limit(1)) is not None:
        return []
    agency = agencies.register_agency(
        pp, AgencyDetails(name="Dinas Pendidikan Kota Mojokerto", level=AgencyLevel.REGENCY_CITY,
                          province_code="35", regency_code="35.76", street_address="Jl. Gajah Mada 145, Mojokerto",
                          email_domain="mojokertokota.go.id"),
        SpendingUnitDetails(name="Sekretariat Dinas Pendidikan", satker_code="421537",
                            treasurer_npwp="00.123.456.7-602.000", street_address="Jl. Gajah Mada 145, Mojokerto"),
        nip="198503152010011002", roles={OfficerRole.PP})
    agencies.verify_agency(admin, agency)
    people: dict[OfficerRole, User] = {}
    for email, role, nip in OFFICERS:
        user = find_user_by_email(email)
        if user is None:
            continue
        invitation = agencies.invite_officer(pp, agency, email=email, roles={role}, spending_limit=None,
                                             accept_url_for=lambda token: f"/agencies/invitations/{token}")
        agencies.accept_invitation(user, agencies.invitation_links.token(invitation), nip=nip)
        people[role] = user
    oversight.record_budget(pp, agency, year=local_today().year, amount=2_500_000_000)
    report = [f"created agency {agency.name} with {len(people) + 1} officers"]
    for slug, purpose, step, wanted in PURCHASES:
        po = _purchase(pp, agency, slug, purpose, wanted)
        if po is not None:
            _walk(po, step, pp, people)
            report.append(f"created purchase order {po.reference} ({po.status.value})")
    return report


def _owner(cooperative: Cooperative) -> User:
    return db.session.scalars(sa.select(StaffMembership).where(StaffMembership.cooperative_id == cooperative.id,
                                                               StaffMembership.role == StaffRole.BOARD)).one().user


def _purchase(pp: User, agency: Agency, slug: str, purpose: str, wanted: list[tuple[int, int]]):
    cooperative = db.session.scalar(sa.select(Cooperative).where(Cooperative.slug == slug))
    if cooperative is None:
        return None
    products = list(db.session.scalars(sa.select(Product).where(
        Product.cooperative_id == cooperative.id, Product.status == ProductStatus.ACTIVE).order_by(Product.id)))
    shortlist = shortlists.create_shortlist(pp, purpose)
    for index, quantity in wanted:
        if index < len(products):
            item = shortlists.add_to_shortlist(pp, shortlist, product_id=products[index].id)
            # Never more than the members' lots hold: the demo's own orders have taken some already.
            item.wanted_quantity = max(min(quantity, products[index].stock_on_hand),
                                       products[index].min_order_quantity)
    drafts = orders.drafts_from_shortlist(pp, agency, shortlist)
    if not drafts:
        return None
    po = drafts[0]
    orders.update_details(pp, po, PurchaseOrderDetails(
        spending_unit_id=agency.spending_units[0].id, rup_code=f"RUP-{local_today().year}-{po.id:05d}",
        budget_code="5.1.02.01.01.0024", fiscal_year=local_today().year, delivery_province_code="35",
        delivery_regency_code="35.76", delivery_address="SDN Sentanan 2, Jl. Gajah Mada 20, Mojokerto",
        deliver_by=local_today() + timedelta(days=21), justification=purpose, payment_mechanism=PaymentMechanism.LS,
        recipient_name="Sri Wahyuni", recipient_phone="0812 3456 7890"))
    orders.submit(pp, po)
    return po


def _walk(po: PurchaseOrder, step: str, pp: User, people: dict[OfficerRole, User]) -> None:
    ppk, receiver, treasurer = (people.get(role) for role in (OfficerRole.PPK, OfficerRole.RECEIVER,
                                                             OfficerRole.TREASURER))
    if step == "submitted" or ppk is None:
        return
    orders.approve(ppk, po)
    if step == "sent" or receiver is None or treasurer is None:
        return
    staff = _owner(po.cooperative)
    orders.accept_as_cooperative(staff, po)
    perform(po.order, OrderAction.SHIP, staff, carrier="Kurir koperasi", tracking_number="")
    receipts.record_handover(receiver, po, [receipts.DeliveredLine(line.id, line.quantity, line.quantity)
                                            for line in po.lines], received_on=local_today(), condition="")
    invoicing.issue_invoice(staff, po)
    if step == "paid":
        invoicing.record_payment(treasurer, po, reference=f"{local_today():%y%m%d}301001234/{local_today().year}",
                                 paid_on=local_today(), amount=po.invoice.net_payable)
