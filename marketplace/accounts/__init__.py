from flask import Blueprint

bp = Blueprint("accounts", __name__)

from marketplace.accounts import views  # noqa: E402,F401  (routes register on import)
