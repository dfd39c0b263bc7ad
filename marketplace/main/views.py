import sqlalchemy as sa
from flask import abort, jsonify, redirect, render_template, send_file, session, url_for
from flask_login import current_user

from marketplace.accounts import services as account_services
from marketplace.core.i18n import SESSION_LOCALE_KEY
from marketplace.core.storage import PRIVATE_PREFIX, get_storage
from marketplace.core.validators import is_safe_redirect_target
from marketplace.extensions import csrf, db, limiter
from marketplace.main import bp
from marketplace.main.forms import LanguageForm

MEDIA_MAX_AGE = 365 * 24 * 60 * 60


@bp.route("/")
def home():
    return render_template("main/home.html")


@bp.route("/language", methods=["POST"])
def set_language():
    form = LanguageForm()
    if form.validate_on_submit():
        session[SESSION_LOCALE_KEY] = form.locale.data
        if current_user.is_authenticated:
            account_services.set_preferred_locale(current_user, form.locale.data)
    target = form.next.data
    return redirect(target if is_safe_redirect_target(target) else url_for("main.home"))


@bp.route("/media/<path:key>")
def media(key):
    """Public uploads (logos, product photos); content-hashed names never change, so browsers keep them."""
    storage = get_storage()
    if key.startswith(PRIVATE_PREFIX) or not storage.exists(key):
        abort(404)
    return send_file(storage.local_path(key), max_age=MEDIA_MAX_AGE)


@bp.route("/healthz")
@csrf.exempt
@limiter.exempt
def health():
    """For load balancers: answers 200 when the database answers."""
    db.session.execute(sa.text("SELECT 1"))
    return jsonify(status="ok")
