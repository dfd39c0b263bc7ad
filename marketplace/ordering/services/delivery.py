"""How each cooperative hands goods over: pickup, courier at flat rates per destination province, or arranged
with the buyer."""

from dataclasses import dataclass

import sqlalchemy as sa

from marketplace.accounts.models import User
from marketplace.cooperatives.models import Cooperative
from marketplace.cooperatives.permissions import Capability, require_capability
from marketplace.core.audit import record_audit
from marketplace.core.errors import InvalidDetails
from marketplace.core.i18n import gettext as _
from marketplace.core.regions import Region, RegionKind
from marketplace.extensions import db
from marketplace.ordering.models import CourierRate, DeliveryMethod, DeliverySettings, OrderAudit

MAX_COURIER_FEE = 100_000_000


def _defaults(cooperative_id: int) -> DeliverySettings:
    """A cooperative that never chose offers pickup and arrangement."""
    return DeliverySettings(cooperative_id=cooperative_id, offers_pickup=True, offers_arranged=True,
                            pickup_instructions="")


def settings_of(cooperative_id: int) -> DeliverySettings:
    return db.session.get(DeliverySettings, cooperative_id) or _defaults(cooperative_id)


def courier_rates_of(cooperative_id: int) -> list[CourierRate]:
    return list(db.session.scalars(sa.select(CourierRate).where(CourierRate.cooperative_id == cooperative_id)
                                   .order_by(CourierRate.province_code)))


@dataclass(frozen=True)
class DeliveryOption:
    method: DeliveryMethod
    fee: int | None  # None: the courier does not go to this province


def delivery_options(cooperative_ids, province_code: str | None) -> dict[int, list[DeliveryOption]]:
    """What each cooperative offers for a delivery to `province_code`, in two queries for the whole cart."""
    ids = sorted(set(cooperative_ids))
    settings = {row.cooperative_id: row for row in
                db.session.scalars(sa.select(DeliverySettings).where(DeliverySettings.cooperative_id.in_(ids)))}
    has_courier = set(db.session.scalars(sa.select(CourierRate.cooperative_id).where(
        CourierRate.cooperative_id.in_(ids)).distinct()))
    fees = dict(db.session.execute(sa.select(CourierRate.cooperative_id, CourierRate.fee).where(
        CourierRate.cooperative_id.in_(ids), CourierRate.province_code == province_code)).all()) \
        if province_code else {}
    options: dict[int, list[DeliveryOption]] = {}
    for cooperative_id in ids:
        setting = settings.get(cooperative_id) or _defaults(cooperative_id)
        offered = []
        if setting.offers_pickup:
            offered.append(DeliveryOption(DeliveryMethod.PICKUP, 0))
        if cooperative_id in has_courier:
            offered.append(DeliveryOption(DeliveryMethod.COURIER, fees.get(cooperative_id)))
        if setting.offers_arranged or not offered:
            offered.append(DeliveryOption(DeliveryMethod.ARRANGED, 0))
        options[cooperative_id] = offered
    return options


@dataclass(frozen=True)
class DeliveryDetails:
    offers_pickup: bool
    offers_arranged: bool
    pickup_instructions: str
    rates: dict[str, int]  # province code → fee


def update_delivery_settings(actor: User, cooperative: Cooperative, details: DeliveryDetails) -> None:
    require_capability(actor, cooperative, Capability.MANAGE_ORDERS)
    errors = {}
    provinces = set(db.session.scalars(sa.select(Region.code).where(Region.kind == RegionKind.PROVINCE)))
    if set(details.rates) - provinces:
        errors["rates"] = _("Choose provinces from the list.")
    if any(not 0 <= fee <= MAX_COURIER_FEE for fee in details.rates.values()):
        errors["rates"] = _("A courier fee must be between Rp 0 and Rp 100.000.000.")
    if not (details.offers_pickup or details.offers_arranged or details.rates):
        errors["offers_pickup"] = _("Offer at least one way of handing the goods over.")
    if errors:
        raise InvalidDetails(errors, code="invalid_delivery_settings")
    settings = db.session.get(DeliverySettings, cooperative.id)
    if settings is None:
        settings = DeliverySettings(cooperative_id=cooperative.id)
        db.session.add(settings)
    settings.offers_pickup = details.offers_pickup
    settings.offers_arranged = details.offers_arranged
    settings.pickup_instructions = details.pickup_instructions.strip()
    existing = {rate.province_code: rate for rate in courier_rates_of(cooperative.id)}
    for code, rate in existing.items():
        if code not in details.rates:
            db.session.delete(rate)
        else:
            rate.fee = details.rates[code]
    for code, fee in details.rates.items():
        if code not in existing:
            db.session.add(CourierRate(cooperative_id=cooperative.id, province_code=code, fee=fee))
    db.session.flush()
    record_audit(OrderAudit.DELIVERY_SETTINGS_CHANGED, actor=actor, target=cooperative,
                 pickup=details.offers_pickup, arranged=details.offers_arranged, courier_provinces=len(details.rates))
