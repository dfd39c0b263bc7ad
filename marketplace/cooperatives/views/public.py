from flask import render_template, request

from marketplace.cooperatives import bp
from marketplace.cooperatives.models import Cooperative, CooperativeType
from marketplace.cooperatives.services.directory import (
    CooperativeFilters,
    public_cooperatives_query,
)
from marketplace.cooperatives.services.profile import badges_of
from marketplace.core.cache import cached_public_page
from marketplace.core.pagination import paginate_keys_first
from marketplace.core.regions import regencies_of


@bp.route("/cooperatives")
@cached_public_page
def directory():
    filters = CooperativeFilters.from_args(request.args)
    page = paginate_keys_first(public_cooperatives_query(filters), Cooperative, per_page=24)
    return render_template(
        "cooperatives/directory.html", page=page, filters=filters,
        has_regencies=bool(regencies_of(filters.province)), type_labels=CooperativeType.labels(),
        badges={cooperative.id: badges_of(cooperative) for cooperative in page.items},
    )

