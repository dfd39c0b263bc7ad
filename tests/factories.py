"""Test data, made through the same models the application uses."""

import io
import itertools

from marketplace.accounts.models import AccountKind, User
from marketplace.accounts.services import hash_password
from marketplace.extensions import db

DEFAULT_PASSWORD = "rahasia-yang-panjang"
_sequence = itertools.count(1)


def create_user(
    *,
    kind: AccountKind = AccountKind.BUYER,
    email: str | None = None,
    name: str = "Siti Aminah",
    password: str = DEFAULT_PASSWORD,
    locale: str = "id",
    active: bool = True,
    verified: bool = True,
) -> User:
    from marketplace.core.timeutil import utcnow

    user = User(
        email_verified_at=utcnow() if verified else None,
        email=email or f"orang{next(_sequence)}@contoh.id",
        name=name,
        kind=kind,
        password_hash=hash_password(password),
        preferred_locale=locale,
        active=active,
    )
    db.session.add(user)
    db.session.commit()
    return user


def cooperative_details(**overrides):
    from datetime import date

    from marketplace.cooperatives.models import CooperativeType
    from marketplace.cooperatives.services.profile import CooperativeDetails

    number = next(_sequence)
    values = dict(
        name=f"Koperasi Produsen Maju Bersama {number}", cooperative_type=CooperativeType.PRODUCER,
        street_address="Jl. Solo-Purwodadi Km. 14", province_code="33", regency_code="33.14",
        phone="+6281329000002", email=f"koperasi{number}@contoh.id",
        nik_koperasi=f"3314{number:012d}", nik_valid_until=date(2027, 3, 31),
        legal_decree_number=f"AHU-{number:07d}.AH.01.26.TAHUN 2021",
        legal_decree_date=date(2021, 2, 9), nib=f"91{number:011d}", npwp=f"91{number:013d}",
        member_count=25,
    )
    values.update(overrides)
    return CooperativeDetails(**values)


def create_cooperative(owner: User | None = None, *, status: str = "verified", last_rat_book_year: int | None = 2025,
                       **overrides):
    """A cooperative with its owner, registered through the service, then given `status` and a RAT for
    `last_rat_book_year` (held the following March; None for no RAT)."""
    from datetime import date

    from marketplace.cooperatives.models import CooperativeStatus, RatMeeting
    from marketplace.cooperatives.services.profile import register_cooperative

    owner = owner or create_user(kind=AccountKind.COOPERATIVE_STAFF)
    cooperative = register_cooperative(owner, cooperative_details(**overrides))
    cooperative.status = CooperativeStatus(status)
    if last_rat_book_year is not None:
        db.session.add(RatMeeting(cooperative_id=cooperative.id, book_year=last_rat_book_year,
                                  held_on=date(last_rat_book_year + 1, 3, 14), members_present=20))
        cooperative.last_rat_book_year = last_rat_book_year
    db.session.commit()
    return cooperative


def add_staff(cooperative, role: str = "staff", user: User | None = None) -> User:
    from marketplace.cooperatives.models import StaffMembership, StaffRole

    user = user or create_user(kind=AccountKind.COOPERATIVE_STAFF)
    db.session.add(StaffMembership(cooperative_id=cooperative.id, user_id=user.id, role=StaffRole(role)))
    db.session.commit()
    return user


def create_member(cooperative, **overrides):
    from datetime import date

    from marketplace.cooperatives.models import Gender, LeavingReason, Member

    number = next(_sequence)
    values = dict(member_number=f"A-{number:03d}", full_name="Siti Aminah", gender=Gender.FEMALE,
                  national_id=f"331401570890{number:04d}", village="Banaran", skills="anyaman bambu",
                  joined_on=date(2021, 2, 9))
    values.update(overrides)
    if str(values.get("status")) == "left":
        values.setdefault("leaving_reason", LeavingReason.RESIGNED)
    member = Member(cooperative_id=cooperative.id, **values)
    db.session.add(member)
    db.session.commit()
    return member


def category(slug: str = "anyaman"):
    from marketplace.catalog.models import Category
    from marketplace.catalog.services.categories import ensure_default_categories

    found = db.session.scalar(db.select(Category).where(Category.slug == slug))
    if found is None:
        ensure_default_categories()
        db.session.commit()
        found = db.session.scalar(db.select(Category).where(Category.slug == slug))
    return found


def product_details(**overrides):
    from marketplace.catalog.models import Availability, Unit
    from marketplace.catalog.services.products import ProductDetails

    number = next(_sequence)
    values = dict(name=f"Keranjang anyaman bambu {number}", category_id=category().id, unit=Unit.PIECE,
                  base_price=85_000, sku=f"ANY-{number:04d}", availability=Availability.READY_STOCK,
                  min_order_quantity=1, tiers=[(12, 78_000), (50, 70_000)], weight_grams=450)
    values.update(overrides)
    return ProductDetails(**values)


def create_product(cooperative=None, *, status: str = "active", actor: User | None = None, **overrides):
    """A product through the catalog service, then given `status` through it too."""
    from marketplace.catalog.models import ProductStatus
    from marketplace.catalog.services.products import change_product_status
    from marketplace.catalog.services.products import create_product as create
    from marketplace.cooperatives.models import StaffMembership

    cooperative = cooperative or create_cooperative()
    if actor is None:
        actor = db.session.scalar(db.select(User).join(StaffMembership, StaffMembership.user_id == User.id)
                                  .where(StaffMembership.cooperative_id == cooperative.id))
    product = create(actor, cooperative, product_details(**overrides))
    if status != ProductStatus.DRAFT:
        change_product_status(actor, product, ProductStatus(status))
    db.session.commit()
    return product


def owner_of(cooperative) -> User:
    from marketplace.cooperatives.models import StaffMembership, StaffRole

    return db.session.scalar(db.select(StaffMembership).where(
        StaffMembership.cooperative_id == cooperative.id, StaffMembership.role == StaffRole.BOARD)).user


def picture_bytes(format_name="JPEG", size=(800, 600), mode="RGB", exif=None) -> bytes:
    """A real picture file, as a phone or scanner would send it."""
    from PIL import Image

    buffer = io.BytesIO()
    image = Image.new(mode, size, (200, 120, 40) if mode == "RGB" else (200, 120, 40, 128))
    kwargs = {"exif": exif} if exif is not None else {}
    image.save(buffer, format_name, **kwargs)
    return buffer.getvalue()


def pdf_bytes(*, title: str = "SK Pengesahan Badan Hukum", author: str = "Sekretaris Koperasi") -> bytes:
    """A real one-page PDF, with the author and title a scanner or word processor would leave in it."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    document = canvas.Canvas(buffer)
    document.setTitle(title)
    document.setAuthor(author)
    document.drawString(72, 760, title)
    document.save()
    return buffer.getvalue()


def gps_exif(orientation: int | None = None) -> bytes:
    """EXIF as a phone writes it: where the photo was taken (Sragen), the camera, and its orientation."""
    from PIL import Image

    exif = Image.Exif()
    exif[0x8825] = {1: "S", 2: (7.0, 33.0, 0.0), 3: "E", 4: (110.0, 25.0, 0.0)}  # GPSInfo
    exif[0x010F] = "PhoneMaker"
    if orientation:
        exif[0x0112] = orientation
    return exif.tobytes()


def receive(product, quantity: int, *, member=None, received_on=None):
    """`quantity` units of a product handed in by a member (a new one unless given), through the stock service."""
    from datetime import date

    from marketplace.catalog.services.stock import receive_stock

    member = member or create_member(product.cooperative)
    lot = receive_stock(owner_of(product.cooperative), product, member_id=member.id, quantity=quantity,
                        received_on=received_on or date(2026, 1, 5))
    db.session.commit()
    return lot


SHIPPING_ADDRESS = dict(recipient_name="Budi Santoso", phone="+6281234567890", province_code="33",
                        regency_code="33.14", street_address="Jl. Raya Sukowati 12, Sragen", postal_code="57211")


def place_order(buyer, *lines, payment="on_delivery", delivery="pickup", key=None, commit=True):
    """A checkout of `lines` ((product, quantity), …) by `buyer`, through the cart and checkout services as the
    pages use them, as one unit of work (mail goes out after its commit); returns the checkout."""
    from contextlib import nullcontext

    from marketplace.core.unit_of_work import unit_of_work
    from marketplace.ordering.models import DeliveryMethod, PaymentMethod
    from marketplace.ordering.services.cart import StoredCart, add_to_cart
    from marketplace.ordering.services.checkout import Address, SupplierChoice, place_checkout, plan_checkout

    with unit_of_work() if commit else nullcontext():
        store = StoredCart(buyer)
        for product, quantity in lines:
            add_to_cart(store, product.slug, quantity)
        address = Address(**SHIPPING_ADDRESS)
        choices = {product.cooperative_id: SupplierChoice(DeliveryMethod(delivery)) for product, _ in lines}
        plan = plan_checkout(buyer, store, address, PaymentMethod(payment), choices)
        checkout = place_checkout(buyer, store, address, PaymentMethod(payment), choices,
                                  idempotency_key=key or f"key-{next(_sequence)}", fingerprint=plan.fingerprint)
    return checkout


def complete_order(order, buyer):
    """Accept, ship, receive and (unless paid first) pay an order as its cooperative's owner and its
    buyer would, each move through the order's one transition service in a unit of work of its own."""
    from marketplace.core.unit_of_work import unit_of_work
    from marketplace.ordering.services.lifecycle import OrderAction, perform

    staff = owner_of(order.cooperative)
    for action, actor in ((OrderAction.ACCEPT, staff), (OrderAction.SHIP, staff),
                          (OrderAction.CONFIRM_RECEIPT, buyer), (OrderAction.CONFIRM_PAYMENT, staff)):
        if action == OrderAction.CONFIRM_PAYMENT and order.paid_at is not None:
            break  # paid first (card, transfer): receipt completed it
        with unit_of_work():
            perform(order, action, actor)
    return order


OFFICER_NIP = "198503152010011002"


def agency_details(**overrides):
    from marketplace.procurement.models import AgencyLevel
    from marketplace.procurement.services.agencies import AgencyDetails

    values = dict(name="Dinas Pendidikan Kota Mojokerto", level=AgencyLevel.REGENCY_CITY, province_code="35",
                  regency_code="35.76", street_address="Jl. Gajah Mada 145, Mojokerto",
                  email_domain="mojokertokota.go.id")
    values.update(overrides)
    return AgencyDetails(**values)


def spending_unit_details(**overrides):
    from marketplace.procurement.services.agencies import SpendingUnitDetails

    values = dict(name="Sekretariat Dinas Pendidikan", satker_code="123456",
                  treasurer_npwp="00.123.456.7-602.000", street_address="Jl. Gajah Mada 145")
    values.update(overrides)
    return SpendingUnitDetails(**values)


def create_agency(officer: User | None = None, *, verified: bool = True, roles=("pp",), nip: str = OFFICER_NIP,
                  satker_code: str = "123456", **overrides):
    """An agency registered through the service by `officer` (its administrator, also holding `roles`), then
    verified by a platform administrator unless `verified` is false."""
    from marketplace.core.unit_of_work import unit_of_work
    from marketplace.procurement.models import OfficerRole
    from marketplace.procurement.services import agencies

    officer = officer or create_user(kind=AccountKind.GOVERNMENT_OFFICER)
    with unit_of_work():
        agency = agencies.register_agency(officer, agency_details(**overrides),
                                          spending_unit_details(satker_code=satker_code), nip=nip,
                                          roles={OfficerRole(role) for role in roles})
    if verified:
        with unit_of_work():
            agencies.verify_agency(create_user(kind=AccountKind.ADMIN), agency)
    return agency


def add_officer(agency, *roles: str, user: User | None = None, spending_limit: int | None = None):
    """An officer of `agency` holding `roles`, as if they had accepted an invitation; returns their user."""
    from marketplace.procurement.models import Officer, OfficerRole, OfficerRoleGrant

    user = user or create_user(kind=AccountKind.GOVERNMENT_OFFICER)
    officer = Officer(agency_id=agency.id, user_id=user.id, nip=f"19850315201001{next(_sequence) % 10_000:04d}",
                      spending_limit=spending_limit)
    officer.grants = [OfficerRoleGrant(role=OfficerRole(role)) for role in roles]
    db.session.add(officer)
    db.session.commit()
    return user
