from marketplace.procurement.views import agencies, platform, purchase_orders  # noqa: F401
