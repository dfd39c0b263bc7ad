"""Payments: card payments through Stripe, confirmed by verified webhooks processed exactly once."""

from flask import Blueprint

bp = Blueprint("payments", __name__)

from marketplace.payments import hooks, views  # noqa: E402,F401
