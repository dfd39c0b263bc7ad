"""Ordering: the cart, one checkout into one supplier order per cooperative, stock taken from members' lots, and
the order's life cycle from placement to completion."""

from flask import Blueprint

bp = Blueprint("ordering", __name__)

from marketplace.ordering import views  # noqa: E402,F401
