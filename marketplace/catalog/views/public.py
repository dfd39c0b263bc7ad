
from flask import abort, render_template, request
from flask_login import current_user

from marketplace.catalog import bp
from marketplace.catalog.services.pricing import price_bands, quote, tier_pairs
from marketplace.catalog.services.public import public_product_by_slug, valid_certifications
from marketplace.cooperatives.services.profile import badges_of
from marketplace.core.cache import cached_public_page
from marketplace.core.errors import NotFound
from marketplace.core.timeutil import local_today
from marketplace.sourcing.services.shortlists import shortlists_of

MAX_ASKED_QUANTITY = 1_000_000


@bp.route("/products/<slug>")
@cached_public_page
def product(slug):
    try:
        product = public_product_by_slug(slug)
    except NotFound:
        abort(404)
    asked = request.args.get("quantity", "")
    priced = None
    if asked.isdigit() and 0 < int(asked) <= MAX_ASKED_QUANTITY:
        priced = quote(product, max(int(asked), product.min_order_quantity))
    return render_template(
        "catalog/product.html", product=product, cooperative_badges=badges_of(product.cooperative),
        certifications=valid_certifications(product, local_today()),
        bands=price_bands(product.base_price, product.min_order_quantity, tier_pairs(product)), quote=priced,
        producers=[member for member in product.producers if member.public_name_consent],
        my_shortlists=shortlists_of(current_user) if current_user.is_authenticated else [],
    )
