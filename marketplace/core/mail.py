"""One small mail service.

Messages are rendered from `templates/mail/<name>.txt` in the recipient's language and handed to a
backend: SMTP when `MAIL_SERVER` is set, otherwise written to the log and to `instance/outbox/`.
Tests use the memory backend and read `app.extensions["mail_outbox"]`.
"""

import logging
import smtplib
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from flask import current_app, has_request_context, render_template, url_for
from flask_babel import force_locale

from marketplace.core.timeutil import utcnow
from marketplace.core.unit_of_work import after_commit

log = logging.getLogger(__name__)


def send_mail(to: str, template: str, *, locale: str = "id", **context) -> EmailMessage:
    """Render `mail/<template>.txt` (first line `Subject: …`) in `locale` and send it now."""
    message = render_mail(to, template, locale=locale, **context)
    _deliver(message)
    return message


def send_mail_after_commit(to: str, template: str, *, locale: str = "id", **context) -> EmailMessage:
    """What services use: the message is rendered now, from the data as the action sees it, and sent only
    once the action's transaction has committed — never for an action that was rolled back."""
    message = render_mail(to, template, locale=locale, **context)
    after_commit(lambda: _deliver(message))
    return message


def render_mail(to: str, template: str, *, locale: str = "id", **context) -> EmailMessage:
    with force_locale(locale):
        rendered = render_template(f"mail/{template}.txt", **context)
    subject_line, _, body = rendered.partition("\n")
    if not subject_line.startswith("Subject:"):
        raise ValueError(f"mail template {template!r} must start with a 'Subject:' line")

    message = EmailMessage()
    message["Subject"] = subject_line.removeprefix("Subject:").strip()
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Message-ID"] = make_msgid(domain="pasarkoperasi.id")
    message.set_content(body.lstrip("\n"))
    return message


def _backend_name() -> str:
    configured = current_app.config.get("MAIL_BACKEND")
    if configured:
        return configured
    return "smtp" if current_app.config.get("MAIL_SERVER") else "file"


def _deliver(message: EmailMessage) -> None:
    backend = _backend_name()
    if backend == "memory":
        current_app.extensions.setdefault("mail_outbox", []).append(message)
    elif backend == "file":
        outbox = Path(current_app.instance_path) / "outbox"
        outbox.mkdir(parents=True, exist_ok=True)
        stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
        path = outbox / f"{stamp}.eml"
        path.write_bytes(bytes(message))
        log.info("mail to %s (%s) written to %s", message["To"], message["Subject"], path)
    elif backend == "smtp":
        config = current_app.config
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
            smtp.send_message(message)
    else:
        raise RuntimeError(f"unknown MAIL_BACKEND {backend!r}: use smtp, file or memory")


def external_url(endpoint: str, **values) -> str:
    """A full link for a message; empty when sent outside a request (a cron command) with no SERVER_NAME set, where
    no correct host name is known."""
    if not has_request_context() and not current_app.config.get("SERVER_NAME"):
        return ""
    return url_for(endpoint, _external=True, **values)
