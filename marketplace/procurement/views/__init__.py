from marketplace.procurement.views import agencies, oversight, papers, platform, purchase_orders, received  # noqa: F401
