"""Which language a page speaks: the signed-in person's choice, else this browser session's, else Indonesian."""

from flask import current_app, has_request_context, session
from flask_login import current_user

SESSION_LOCALE_KEY = "locale"


def supported_locales() -> dict[str, str]:
    return current_app.config["LANGUAGES"]


def select_locale() -> str:
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():
        return default
    if current_user.is_authenticated and current_user.preferred_locale in supported_locales():
        return current_user.preferred_locale
    chosen = session.get(SESSION_LOCALE_KEY)
    if chosen in supported_locales():
        return chosen
    return default


def select_timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]
