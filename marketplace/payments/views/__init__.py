from marketplace.payments.views import card, cooperative, platform  # noqa: F401
