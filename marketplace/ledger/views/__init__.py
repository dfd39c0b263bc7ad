from marketplace.ledger.views import manage, member, reports, savings, shu  # noqa: F401
