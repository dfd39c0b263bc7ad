"""The catalog blueprint's routes: the staff's product pages (the public product page is the storefront's)."""

from marketplace.catalog.views import manage  # noqa: F401
