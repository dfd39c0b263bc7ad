"""The ledger: every order line attributed to the member producers who made it, what each member earned and was
paid, as append-only double-entry journals."""

from flask import Blueprint

bp = Blueprint("ledger", __name__)

from marketplace.ledger import hooks, views  # noqa: E402,F401
