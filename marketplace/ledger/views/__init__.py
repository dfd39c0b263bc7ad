from marketplace.ledger.views import manage  # noqa: F401
