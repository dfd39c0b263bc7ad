"""The cooperative's margin: the share of each sale it keeps before the members' earnings."""

import sqlalchemy as sa
from flask_babel import gettext as _

from marketplace.accounts.models import User
from marketplace.cooperatives.models import Cooperative
from marketplace.cooperatives.permissions import Capability, require_capability
from marketplace.core.audit import record_audit
from marketplace.core.errors import InvalidDetails
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
