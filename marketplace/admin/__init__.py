"""Operator screens: the verification queue, suspensions, the audit log."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from marketplace.admin import views  # noqa: E402,F401
