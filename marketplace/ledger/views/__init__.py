from marketplace.ledger.views import manage, member, savings  # noqa: F401
