from flask import abort, render_template, request
from flask_login import current_user

from marketplace.catalog.services.public import public_products_of
from marketplace.cooperatives import bp
from marketplace.cooperatives.models import CooperativeType
from marketplace.cooperatives.permissions import Capability, can
from marketplace.cooperatives.services.directory import (
    CooperativeFilters,
    cooperative_by_slug,
    public_cooperatives_query,
)
from marketplace.cooperatives.services.members import active_member_count
from marketplace.cooperatives.services.profile import badges_of
from marketplace.core.cache import cached_public_page
from marketplace.core.errors import NotFound
from marketplace.core.pagination import paginate
from marketplace.core.regions import provinces, regencies_of


@bp.route("/cooperatives")
@cached_public_page
def directory():
    filters = CooperativeFilters.from_args(request.args)
    page = paginate(public_cooperatives_query(filters), per_page=24)
    return render_template(
        "cooperatives/directory.html", page=page, filters=filters, provinces=provinces(),
        regencies=regencies_of(filters.province), type_labels=CooperativeType.labels(),
        badges={cooperative.id: badges_of(cooperative) for cooperative in page.items},
    )


@bp.route("/cooperatives/<slug>")
@cached_public_page
def profile(slug):
    try:
        cooperative = cooperative_by_slug(slug)
    except NotFound:
        abort(404)
    # Not yet (or no longer) public: only its own staff and platform admins see the page.
    is_insider = can(current_user, cooperative, Capability.VIEW_DASHBOARD)
    if not cooperative.is_public and not is_insider:
        abort(404)
    products = paginate(public_products_of(cooperative), per_page=12) if cooperative.is_public else None
    return render_template(
        "cooperatives/profile.html", cooperative=cooperative, badges=badges_of(cooperative),
        registered_members=active_member_count(cooperative), is_insider=is_insider,
        show_contact=current_user.is_authenticated, products=products,
    )
