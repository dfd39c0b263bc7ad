from flask import render_template, request

from marketplace.catalog.services.categories import category_tree
from marketplace.cooperatives.models import CooperativeType
from marketplace.core.cache import cached_public_page
from marketplace.core.regions import provinces
from marketplace.search import bp
from marketplace.search.services.query import SORTS, SearchRequest, search_products, suggestion_for_empty


@bp.route("/search")
@cached_public_page
def search():
    search_request = SearchRequest.from_args(request.args)
    result = search_products(search_request)
    return render_template(
        "search/results.html", result=result, search=result.request, categories=category_tree(),
        provinces=provinces(), type_labels=CooperativeType.labels(), sorts=SORTS,
        suggestions=suggestion_for_empty(search_request) if not result.total else [],
    )
