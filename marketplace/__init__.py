"""Pasar Koperasi: the application factory, the only place that wires things together."""

import logging
from collections.abc import Mapping
from pathlib import Path

from flask import Flask, g, has_request_context
from flask_login import current_user
from werkzeug.local import LocalProxy
from werkzeug.middleware.proxy_fix import ProxyFix

from marketplace.config import (
    DEFAULT_INSTANCE_PATH,
    PROJECT_ROOT,
    Config,
    config_for_environment,
    default_database_uri,
    ensure_mail_delivery,
    ensure_secret_key,
    ensure_trusted_hosts,
)
from marketplace.core.i18n import current_locale
from marketplace.extensions import babel, csrf, db, limiter, login_manager, migrate


def create_app(config: type[Config] | Mapping | None = None) -> Flask:
    """Build the application. `config` is a Config class, or a mapping of overrides for tests."""
    app = Flask(
        __name__,
        instance_path=str(DEFAULT_INSTANCE_PATH),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    configure(app, config)
    register_extensions(app)
    register_blueprints(app)
    register_template_helpers(app)
    register_error_handlers(app)
    register_commands(app)
    register_shell_context(app)
    return app


def configure(app: Flask, config) -> None:
    if isinstance(config, type):
        app.config.from_object(config)
    else:
        app.config.from_object(config_for_environment())
        if config:
            app.config.from_mapping(config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    ensure_secret_key(app)
    ensure_trusted_hosts(app)
    ensure_mail_delivery(app)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = default_database_uri(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql") and not app.config[
            "DATABASE_PREPARED_STATEMENTS"]:
        options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            **options, "connect_args": {**options.get("connect_args", {}), "prepare_threshold": None}}
    if app.config["PROXY_FIX"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO)


def register_extensions(app: Flask) -> None:
    from marketplace.core.cache import init_page_cache
    from marketplace.core.i18n import install_kept_translations, select_locale, select_timezone
    from marketplace.core.migrations import include_in_migrations, render_migration_item
    from marketplace.core.storage import init_storage
    from marketplace.core.unit_of_work import end_reading_with_commit

    db.init_app(app)
    end_reading_with_commit(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True,
                     compare_type=True, render_item=render_migration_item, include_name=include_in_migrations)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone,
                   default_translation_directories=str(PROJECT_ROOT / "translations"))
    install_kept_translations(app, babel)
    limiter.init_app(app)
    init_storage(app)
    init_page_cache(app)
    login_manager.init_app(app)
    _configure_login(app)
    _import_models()
    register_search_index_hooks()


_search_index_hooks_registered = False


def register_search_index_hooks() -> None:
    from sqlalchemy.orm import Session

    from marketplace.search.services.indexer import register_index_hooks

    global _search_index_hooks_registered
    if not _search_index_hooks_registered:  # global listeners: once per process, however many apps
        register_index_hooks(Session)
        _search_index_hooks_registered = True


def _configure_login(app: Flask) -> None:
    from marketplace.accounts.services import user_for_session
    from marketplace.cooperatives.services.staff import connection_columns
    from marketplace.core.i18n import lazy_gettext as _l

    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to open this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(session_user_id: str):
        # What the header needs of the person is read with them: one query instead of two on every page.
        return user_for_session(session_user_id, also=connection_columns())


def _import_models() -> None:
    """Every model module, so metadata (and Alembic) sees all tables."""
    import marketplace.accounts.models
    import marketplace.core.audit
    import marketplace.core.database
    import marketplace.core.mail
    import marketplace.core.regions
    import marketplace.core.unit_of_work  # its session listeners: after-commit callbacks, no writes on a GET
    import marketplace.ledger.models
    import marketplace.ordering.models
    import marketplace.payments.models
    import marketplace.procurement.models
    import marketplace.search.models
    import marketplace.sourcing.models  # noqa: F401


def register_blueprints(app: Flask) -> None:
    from marketplace.accounts import bp as accounts_bp
    from marketplace.admin import bp as admin_bp
    from marketplace.catalog import bp as catalog_bp
    from marketplace.cooperatives import bp as cooperatives_bp
    from marketplace.ledger import bp as ledger_bp
    from marketplace.main import bp as main_bp
    from marketplace.ordering import bp as ordering_bp
    from marketplace.payments import bp as payments_bp
    from marketplace.procurement import bp as procurement_bp
    from marketplace.search import bp as search_bp
    from marketplace.sourcing import bp as sourcing_bp
    from marketplace.storefront import bp as storefront_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(storefront_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(cooperatives_bp)
    app.register_blueprint(catalog_bp)
    app.register_blueprint(search_bp)
    app.register_blueprint(sourcing_bp)
    app.register_blueprint(ordering_bp)
    app.register_blueprint(ledger_bp)
    app.register_blueprint(payments_bp)
    app.register_blueprint(procurement_bp)
    app.register_blueprint(admin_bp)


def _navigation_of_this_request():
    from marketplace.storefront.navigation import navigation_for

    if "navigation" not in g:
        g.navigation = navigation_for(current_user)
    return g.navigation


def register_template_helpers(app: Flask) -> None:
    from marketplace.core.identifiers import format_npwp
    from marketplace.core.images import image_srcset, image_url
    from marketplace.core.mail import external_url
    from marketplace.core.money import format_number, format_percent, format_rupiah
    from marketplace.core.pickers import province_options, regency_options
    from marketplace.core.security import register_security_headers
    from marketplace.core.timeutil import format_date_local, format_datetime_local
    from marketplace.core.urls import fixed_url, url_for_slug

    app.add_template_filter(format_rupiah, "rupiah")
    app.add_template_filter(format_number, "number")
    app.add_template_filter(format_percent, "percent")
    app.add_template_filter(format_datetime_local, "datetime")
    app.add_template_filter(format_date_local, "date")
    app.add_template_filter(format_npwp, "npwp")
    app.add_template_global(image_srcset)
    app.add_template_global(image_url)
    app.add_template_global(external_url)
    app.add_template_global(url_for_slug)
    app.add_template_global(fixed_url)
    app.add_template_global(province_options)
    app.add_template_global(regency_options)
    from marketplace.payments.services.transfers import proofs_of

    app.add_template_global(proofs_of, "transfer_proofs_of")  # the order pages list a transfer's proofs

    @app.context_processor
    def inject_layout_helpers():
        if not has_request_context():
            return {}
        return {
            "current_locale": str(current_locale()),
            "languages": app.config["LANGUAGES"],
            # Worked out only when a page's header reads it: an email rendered in a request asks no query for it.
            "nav": LocalProxy(_navigation_of_this_request),
        }

    register_security_headers(app)


def register_error_handlers(app: Flask) -> None:
    from marketplace.core.errors import register_error_handlers as register

    register(app)


def register_commands(app: Flask) -> None:
    from marketplace.cli import register_cli

    register_cli(app)


def register_shell_context(app: Flask) -> None:
    from marketplace.accounts.models import User
    from marketplace.core.audit import AuditEvent

    app.shell_context_processor(lambda: {"db": db, "User": User, "AuditEvent": AuditEvent})
