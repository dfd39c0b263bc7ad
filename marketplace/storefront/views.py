"""Public pages composed from several domains; each reads what it shows through the domains' services."""

from flask import render_template, request
from flask_login import current_user

from marketplace.catalog.services.pricing import price_bands, quote_asked, tier_pairs
from marketplace.catalog.services.public import public_product_page, public_products_of
from marketplace.cooperatives.services.directory import visible_cooperative
from marketplace.cooperatives.services.members import active_member_count
from marketplace.cooperatives.services.profile import badges_of
from marketplace.cooperatives.services.rat import rat_standing
from marketplace.core.cache import cached_public_page
from marketplace.core.pagination import paginate
from marketplace.core.query_args import QueryArgs
from marketplace.ledger.services.journal import members_credited_column
from marketplace.search.services.showcase import cooperatives_by_region, featured_categories, opop_products
from marketplace.sourcing.services.shortlists import shortlists_of
from marketplace.storefront import bp


@bp.route("/")
@cached_public_page
def home():
    return render_template("storefront/home.html", categories=featured_categories(), opop=opop_products(),
                           regions=cooperatives_by_region())


@bp.route("/products/<slug>")
@cached_public_page
def product(slug):
    page = public_product_page(slug, members_credited_column())
    product = page.product
    (members_credited,) = page.also
    return render_template(
        "storefront/product.html", product=product, images=page.images,
        cooperative_badges=badges_of(product.cooperative), certifications=page.valid_certifications(),
        bands=price_bands(product.base_price, product.min_order_quantity, tier_pairs(page)),
        quote=quote_asked(page, QueryArgs(request.args).number("quantity", maximum=10**13)),
        producers=page.producers, members_credited=members_credited,
        my_shortlists=shortlists_of(current_user) if current_user.is_authenticated else [],
    )


@bp.route("/cooperatives/<slug>")
@cached_public_page
def cooperative(slug):
    cooperative, is_insider = visible_cooperative(current_user, slug)
    products = paginate(public_products_of(cooperative), per_page=12) if cooperative.is_public else None
    return render_template(
        "storefront/cooperative.html", cooperative=cooperative, badges=badges_of(cooperative),
        registered_members=active_member_count(cooperative), is_insider=is_insider,
        show_contact=current_user.is_authenticated, products=products, rat=rat_standing(cooperative),
    )
