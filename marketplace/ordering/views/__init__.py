from marketplace.ordering.views import buyer, manage, public  # noqa: F401
