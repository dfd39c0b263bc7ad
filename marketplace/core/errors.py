"""Domain errors that services raise, and the error pages (HTML or JSON by `Accept`)."""

import logging
import re

from flask import Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError
from werkzeug.http import HTTP_STATUS_CODES

from marketplace.core.i18n import gettext as _
from marketplace.core.i18n import lazy_gettext as _l

log = logging.getLogger(__name__)


_CAPITAL = re.compile(r"(?<!^)(?=[A-Z])")


class DomainError(Exception):
    """A business rule said no. The message is written for the person who asked, in their language; the code
    is stable (`out_of_stock`, `reason_required`) for programs, API clients and tests to tell refusals apart.

    Each subclass has a code of its own (its name in snake case); a raise gives a narrower one where one kind of
    error has several reasons."""

    http_status = 400
    code = "domain_error"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "code" not in cls.__dict__:
            cls.code = _CAPITAL.sub("_", cls.__name__).lower()

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class InvalidDetails(DomainError):
    """Several fields can be wrong at once; `field_errors` says which and why, for the form to show."""

    def __init__(self, field_errors: dict[str, str], *, code: str | None = None):
        super().__init__(" ".join(field_errors.values()), code=code)
        self.field_errors = field_errors


class NotPermitted(DomainError):
    http_status = 403


class NotFound(DomainError):
    http_status = 404


class TransitionNotAllowed(DomainError):
    http_status = 409


class Conflict(DomainError):
    http_status = 409


ERROR_TEXTS = {
    400: (_l("Bad request"), _l("The request could not be understood. Check what you entered and try again.")),
    403: (_l("Access denied"), _l("You do not have permission to open this page.")),
    404: (_l("Page not found"), _l("The page you are looking for does not exist or has been moved.")),
    405: (_l("Method not allowed"), _l("This address does not accept that kind of request.")),
    409: (_l("Conflict"), _l("This action conflicts with the current state of the data.")),
    413: (_l("File too large"), _l("What you sent is larger than we accept. Choose a smaller file and try again.")),
    429: (_l("Too many attempts"), _l("You have tried too many times. Wait a minute, then try again.")),
    500: (
        _l("Something went wrong"),
        _l("An error on our side stopped this request. It has been logged; please try again later."),
    ),
}


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and (
        request.accept_mimetypes["application/json"] > request.accept_mimetypes["text/html"]
    )


def error_response(status: int, message: str | None = None, code: str | None = None):
    title, default_message = ERROR_TEXTS.get(status, ERROR_TEXTS[500])
    message = message or str(default_message)
    if wants_json():
        body = {"status": status, "code": code or HTTP_STATUS_CODES.get(status, "error").lower().replace(" ", "_"),
                "title": str(title), "message": message}
        return jsonify(error=body), status
    return render_template("errors/error.html", status=status, title=title, message=message), status


def handle_untrusted_host(error: SecurityError):
    """A Host header outside TRUSTED_HOSTS: no page can be built for a host we are not (its links would point
    there), so the answer is a bare 400."""
    return Response("400 Bad Request: this site does not answer to that host name.\n", status=400,
                    mimetype="text/plain")


def handle_http_exception(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    return error_response(error.code)


def handle_csrf_error(error: CSRFError):
    return error_response(
        400,
        _(
            "This form has expired or did not come from this site, so nothing was saved. "
            "Go back, reload the page and try again."
        ),
    )


def handle_domain_error(error: DomainError):
    return error_response(error.http_status, error.message, error.code)


def handle_unexpected_error(error: Exception):
    if isinstance(error, SecurityError):
        return handle_untrusted_host(error)
    if isinstance(error, HTTPException):
        return handle_http_exception(error)
    log.exception("unhandled error on %s %s", request.method, request.path)
    return error_response(InternalServerError.code)


def register_error_handlers(app) -> None:
    app.register_error_handler(SecurityError, handle_untrusted_host)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(Exception, handle_unexpected_error)
