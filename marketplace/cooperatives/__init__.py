"""Cooperatives and their members: registration, verification, staff, the member registry, public profiles."""

from flask import Blueprint

bp = Blueprint("cooperatives", __name__)

from marketplace.cooperatives import views  # noqa: E402,F401
