from marketplace.procurement.views import agencies, platform  # noqa: F401
