"""The public shop window: pages that show several domains at once (the home page, a product, a cooperative's
profile) and the header every page carries. It may import every domain; no domain imports it."""

from flask import Blueprint

bp = Blueprint("storefront", __name__)

from marketplace.storefront import views  # noqa: E402,F401
