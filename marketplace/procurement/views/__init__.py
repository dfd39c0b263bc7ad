from marketplace.procurement.views import agencies, oversight, platform, purchase_orders  # noqa: F401
