"""How a view finds the cooperative in its URL and checks the person may act on it."""

from flask import abort, g, session
from flask_login import current_user
from wtforms import SelectChoice

from marketplace.cooperatives.models import Cooperative
from marketplace.cooperatives.permissions import Capability, capabilities_of
from marketplace.cooperatives.services.directory import cooperative_by_slug
from marketplace.core.regions import all_regencies, provinces

CURRENT_COOPERATIVE_KEY = "cooperative_slug"


def cooperative_for(slug: str, capability: Capability) -> Cooperative:
    """404 for an unknown slug, 403 for a cooperative the person has no such right in."""
    cooperative = cooperative_by_slug(slug)
    capabilities = capabilities_of(current_user, cooperative)
    if capability not in capabilities:
        abort(403)
    g.cooperative_capabilities = capabilities  # for templates: `may("manage_catalog")` shows only what one may do
    session[CURRENT_COOPERATIVE_KEY] = cooperative.slug
    return cooperative


def may(capability: str) -> bool:
    """In templates of a cooperative's pages: whether the person's role allows this (buttons shown or hidden;
    the services decide in any case)."""
    return capability in g.get("cooperative_capabilities", frozenset())


def region_choices():
    """Every province, and every regency/city grouped under its province (a script narrows the list)."""
    all_provinces = provinces()
    names = {province.code: province.name for province in all_provinces}
    province_choices = [SelectChoice(province.code, province.name) for province in all_provinces]
    regency_choices = [SelectChoice(region.code, region.name, optgroup=names[region.parent_code],
                                    render_kw={"data-province": region.parent_code})
                       for region in all_regencies()]
    return province_choices, regency_choices
