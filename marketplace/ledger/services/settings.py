"""The cooperative's margin: the share of each sale it keeps before the members' earnings."""

import sqlalchemy as sa

from marketplace.accounts.models import User
from marketplace.cooperatives.models import Cooperative
from marketplace.cooperatives.permissions import Capability, require_capability
from marketplace.core.audit import record_audit
from marketplace.core.errors import InvalidDetails, NotFound
from marketplace.core.i18n import gettext as _
from marketplace.extensions import db
from marketplace.ledger.models import LedgerAudit, MarginSetting
from marketplace.ledger.services.journal import DEFAULT_MARGIN_BASIS_POINTS


def cooperative_margin(cooperative: Cooperative) -> int:
    basis_points = db.session.scalar(sa.select(MarginSetting.margin_basis_points).where(
        MarginSetting.cooperative_id == cooperative.id, MarginSetting.product_id.is_(None)))
    return DEFAULT_MARGIN_BASIS_POINTS if basis_points is None else basis_points


def set_cooperative_margin(actor: User, cooperative: Cooperative, basis_points: int | None) -> None:
    """Applies to orders completed from now on; what was booked stays as it was."""
    require_capability(actor, cooperative, Capability.MANAGE_MONEY)
    if basis_points is None or not 0 <= basis_points <= 10_000:
        raise InvalidDetails({"margin": _("Enter a percentage between 0 and 100, like 10.")}, code="margin_invalid")
    setting = db.session.scalar(sa.select(MarginSetting).where(MarginSetting.cooperative_id == cooperative.id,
                                                              MarginSetting.product_id.is_(None)))
    before = setting.margin_basis_points if setting else None
    if setting is None:
        setting = MarginSetting(cooperative_id=cooperative.id, product_id=None)
        db.session.add(setting)
    setting.margin_basis_points = basis_points
    db.session.flush()
    record_audit(LedgerAudit.MARGIN_CHANGED, actor=actor, target=cooperative, before=before, after=basis_points)


def product_rules(cooperative: Cooperative) -> dict[int, MarginSetting]:
    """The products whose margin differs from the cooperative's, by product id."""
    settings = db.session.scalars(sa.select(MarginSetting).where(MarginSetting.cooperative_id == cooperative.id,
                                                                 MarginSetting.product_id.is_not(None)))
    return {setting.product_id: setting for setting in settings if setting.product_id is not None}


def set_product_rule(actor: User, cooperative: Cooperative, product_id: int, *, margin_basis_points: int | None,
                     member_unit_price: int | None) -> None:
    """A product's own margin, or a fixed price per unit its member receives; neither: the cooperative's margin."""
    from marketplace.catalog.models import Product

    require_capability(actor, cooperative, Capability.MANAGE_MONEY)
    product = db.session.scalar(sa.select(Product).where(Product.id == product_id,
                                                         Product.cooperative_id == cooperative.id))
    if product is None:
        raise NotFound(_("This product does not exist in this cooperative."))
    if margin_basis_points is not None and member_unit_price is not None:
        raise InvalidDetails({"margin": _("Give either a margin or a member price, not both.")},
                             code="two_rules")
    if margin_basis_points is not None and not 0 <= margin_basis_points <= 10_000:
        raise InvalidDetails({"margin": _("Enter a percentage between 0 and 100, like 10.")}, code="margin_invalid")
    if member_unit_price is not None and not 0 < member_unit_price <= product.base_price:
        raise InvalidDetails({"member_price": _("A member price is above Rp 0 and at most the product's price.")},
                             code="member_price_invalid")
    setting = db.session.scalar(sa.select(MarginSetting).where(MarginSetting.product_id == product.id))
    if margin_basis_points is None and member_unit_price is None:
        if setting is not None:
            db.session.delete(setting)
    else:
        if setting is None:
            setting = MarginSetting(cooperative_id=cooperative.id, product_id=product.id)
            db.session.add(setting)
        setting.margin_basis_points, setting.member_unit_price = margin_basis_points, member_unit_price
    db.session.flush()
    record_audit(LedgerAudit.MARGIN_CHANGED, actor=actor, target=product, margin=margin_basis_points,
                 member_price=member_unit_price)
