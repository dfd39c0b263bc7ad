from marketplace.ledger.views import manage, member  # noqa: F401
