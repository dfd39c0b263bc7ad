"""Cooperatives and their members: registration, verification, staff, the member registry, public profiles."""

from flask import Blueprint

bp = Blueprint("cooperatives", __name__)


@bp.app_context_processor
def _role_helpers():
    from marketplace.cooperatives.views.access import may

    return {"may": may}

from marketplace.cooperatives import views  # noqa: E402,F401
