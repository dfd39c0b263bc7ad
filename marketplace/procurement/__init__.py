"""Government procurement: agencies and their officers in named roles, and the dated rules and tax rates
government purchases follow."""

from flask import Blueprint

bp = Blueprint("procurement", __name__)

from marketplace.procurement import hooks, views  # noqa: E402,F401
