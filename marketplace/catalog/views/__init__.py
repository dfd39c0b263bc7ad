"""The catalog blueprint's routes: the staff's product pages and the public product page."""

from marketplace.catalog.views import manage, public  # noqa: F401
