"""The catalog: categories, products with wholesale tiers, member-supplied stock lots, photos."""

from flask import Blueprint

bp = Blueprint("catalog", __name__)

from marketplace.catalog import views  # noqa: E402,F401
