"""What every request and response passes through: control characters refused at the edge, security headers."""

from flask import request

from marketplace.core.errors import error_response
from marketplace.core.i18n import gettext as _

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def add_security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    return response


def refuse_control_characters():
    """A NUL byte is in no name, address or number a person types; PostgreSQL refuses it in text and SQLite
    would keep it. Before any view reads the request: an address holding one is no page (404); a form field
    holding one is refused with a message (400) and nothing is changed. Query-string filters drop control
    characters themselves (`core.query_args`), like any other meaningless filter value."""
    if "\x00" in request.path:
        return error_response(404)
    if request.method not in ("GET", "HEAD", "OPTIONS") and request.mimetype in (
            "application/x-www-form-urlencoded", "multipart/form-data") and any(
            "\x00" in value for value in (*request.form.keys(), *request.form.values())):
        return error_response(400, _("What was sent contains an invisible control character (NUL). Nothing was "
                                     "changed. Type the text again, without pasting it from another program."))
    return None


def register_security_headers(app) -> None:
    app.before_request(refuse_control_characters)
    app.after_request(add_security_headers)
    if app.config.get("SESSION_COOKIE_SECURE"):
        @app.after_request
        def add_hsts(response):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
            return response
