import sqlalchemy as sa
from flask import abort, current_app, jsonify, redirect, request, send_file, session, url_for

from marketplace.core.i18n import SESSION_LOCALE_KEY
from marketplace.core.storage import get_storage
from marketplace.core.validators import is_safe_redirect_target
from marketplace.extensions import csrf, db, limiter
from marketplace.main import bp

MEDIA_MAX_AGE = 365 * 24 * 60 * 60


@bp.route("/language/<locale>")
def set_language(locale):
    """A plain link: it changes only how pages read, so pages need no form for it and stay cacheable.

    A GET never writes, so it changes this browser's session only; a signed-in person's switch is a small
    form that also keeps the choice for emails (`accounts.set_language`)."""
    if locale in current_app.config["LANGUAGES"]:
        session[SESSION_LOCALE_KEY] = locale
    target = request.args.get("next")
    return redirect(target if is_safe_redirect_target(target) else url_for("storefront.home"))


@bp.route("/media/<path:key>")
def media(key):
    """Public uploads (logos, product photos); content-hashed names never change, so browsers keep them."""
    path = get_storage().servable_path(key)
    if path is None:
        abort(404)
    return send_file(path, max_age=MEDIA_MAX_AGE)


@bp.route("/healthz")
@csrf.exempt
@limiter.exempt
def health():
    """For load balancers: answers 200 when the database answers."""
    db.session.execute(sa.text("SELECT 1"))
    return jsonify(status="ok")
