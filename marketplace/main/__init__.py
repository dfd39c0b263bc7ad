"""Pages that belong to no single domain: the home page, the language switch, the health check."""

from flask import Blueprint

bp = Blueprint("main", __name__)

from marketplace.main import views  # noqa: E402,F401
