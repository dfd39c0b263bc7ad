"""Discovery: the search index of public products, the search page with facets, the home page's showcases."""

from flask import Blueprint

bp = Blueprint("search", __name__)

from marketplace.search import views  # noqa: E402,F401
