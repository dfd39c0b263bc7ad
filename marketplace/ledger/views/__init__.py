from marketplace.ledger.views import manage, member, savings, shu  # noqa: F401
