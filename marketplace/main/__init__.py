"""What belongs to no domain: the language switch, uploaded media, the health check."""

from flask import Blueprint

bp = Blueprint("main", __name__)

from marketplace.main import views  # noqa: E402,F401
