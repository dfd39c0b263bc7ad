from flask import render_template, request

from marketplace.core.cache import cached_public_page
from marketplace.search import bp
from marketplace.search.services.query import SearchRequest, search_products, suggestion_for_empty


@bp.route("/search")
@cached_public_page
def search():
    search_request = SearchRequest.from_args(request.args)
    result = search_products(search_request)
    return render_template(
        "search/results.html", result=result, search=result.request,
        suggestions=suggestion_for_empty(search_request) if not result.total else [],
    )
