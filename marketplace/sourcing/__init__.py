"""Supplier sourcing for procurement officers and business buyers: the supplier directory, shortlists,
side-by-side comparison, and shortlist exports an officer can attach to a procurement file."""

from flask import Blueprint

bp = Blueprint("sourcing", __name__)

from marketplace.sourcing import views  # noqa: E402,F401
