"""One small mail service, with an outbox in the database.

A service asks for a message with `send_mail_after_commit`: it is rendered at once from
`templates/mail/<name>.txt`, in the recipient's language and from the data as the action sees it, and written to
the `outgoing_mail` table in the action's own transaction. So a message exists exactly when the action
committed, and a mail server that is slow or down neither slows the action nor loses the message.

Delivery hands a queued message to a backend: SMTP when `MAIL_SERVER` is set, otherwise the log and
`instance/outbox/`; tests use the memory backend and read `app.extensions["mail_outbox"]`. With
`MAIL_DELIVERY = "after_commit"` (the default, so `make run` needs nothing else) the request that queued a message
tries it right after its commit; with `"worker"` requests only queue, and `flask send-mail --loop` delivers.
Either way `flask send-mail` retries what failed, with growing pauses, and a delivered message leaves the table.
"""

import logging
import smtplib
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import NamedTuple
from uuid import uuid4

import sqlalchemy as sa
from flask import current_app, has_request_context, render_template, url_for
from flask_babel import force_locale
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column

from marketplace.core.timeutil import UTCDateTime, utcnow
from marketplace.core.unit_of_work import after_commit, unit_of_work
from marketplace.extensions import db

log = logging.getLogger(__name__)

# A message the request that queued it will try: the worker leaves it alone this long, so the two never both send
# it; should the request's process die first, the worker picks it up afterwards.
REQUEST_DELIVERY_GRACE = timedelta(minutes=2)
# A batch the worker claims is its own for this long; a worker that died mid-batch leaves it to the next one.
WORKER_CLAIM = timedelta(minutes=5)
FIRST_RETRY_PAUSE = timedelta(minutes=1)
LONGEST_RETRY_PAUSE = timedelta(hours=6)


SUBJECT_LENGTH = 300


class OutgoingMail(db.Model):
    """A message waiting to be delivered, or one whose delivery keeps failing (`attempts`, `last_error`)."""

    __tablename__ = "outgoing_mail"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(sa.String(320))
    subject: Mapped[str] = mapped_column(sa.String(SUBJECT_LENGTH))
    body: Mapped[str] = mapped_column(sa.Text)
    message_id: Mapped[str] = mapped_column(sa.String(200))
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(sa.Text)

    def __repr__(self) -> str:
        return f"<OutgoingMail {self.id} to {self.recipient} attempts={self.attempts}>"


def send_mail(to: str, template: str, *, locale: str = "id", **context) -> EmailMessage:
    """Render `mail/<template>.txt` (first line `Subject: …`) in `locale` and send it now, outside any outbox: for
    the operator's own checks, never for what an action promises a person."""
    message = render_mail(to, template, locale=locale, **context)
    _deliver(message)
    return message


def send_mail_after_commit(to: str, template: str, *, locale: str = "id", **context) -> OutgoingMail:
    """What services use: the message is rendered now and queued in the action's transaction, so it is sent only
    once that transaction has committed — never for an action that was rolled back, and never lost after one that
    committed."""
    subject, body = _render(template, locale, context)
    now = utcnow()
    request_delivers = current_app.config["MAIL_DELIVERY"] == "after_commit"
    queued = OutgoingMail(
        recipient=to, subject=subject[:SUBJECT_LENGTH], body=body, message_id=_new_message_id(),
        queued_at=now, next_attempt_at=now + REQUEST_DELIVERY_GRACE if request_delivers else now, attempts=0,
    )
    db.session.add(queued)
    if request_delivers:
        _deliver_after_commit(queued)
    return queued


def _deliver_after_commit(queued: OutgoingMail) -> None:
    """Every message an action queued is delivered by one callback after its commit, from what is still in memory:
    one statement afterwards forgets them all."""
    session = db.session()
    batch = session.info.get(_AFTER_COMMIT_BATCH_KEY)
    if batch is None:
        batch = session.info[_AFTER_COMMIT_BATCH_KEY] = []

        def deliver_batch() -> None:
            session.info.pop(_AFTER_COMMIT_BATCH_KEY, None)
            deliver_and_record([QueuedMessage(sa.inspect(mail).identity[0], 0, *fields) for mail, fields in batch])

        after_commit(deliver_batch)
    batch.append((queued, (queued.recipient, queued.subject, queued.body, queued.message_id)))


_AFTER_COMMIT_BATCH_KEY = "mail_delivered_after_commit"


@event.listens_for(Session, "after_soft_rollback")
def _forget_mail_rolled_back(session, previous_transaction) -> None:
    if not previous_transaction.nested:
        session.info.pop(_AFTER_COMMIT_BATCH_KEY, None)


def render_mail(to: str, template: str, *, locale: str = "id", **context) -> EmailMessage:
    subject, body = _render(template, locale, context)
    return _message(to, subject, body, _new_message_id())


def _new_message_id() -> str:
    return make_msgid(domain="pasarkoperasi.id")


def _render(template: str, locale: str, context: dict) -> tuple[str, str]:
    with force_locale(locale):
        rendered = render_template(f"mail/{template}.txt", **context)
    subject_line, _, body = rendered.partition("\n")
    if not subject_line.startswith("Subject:"):
        raise ValueError(f"mail template {template!r} must start with a 'Subject:' line")
    return subject_line.removeprefix("Subject:").strip(), body.lstrip("\n")


def _message(to: str, subject: str, body: str, message_id: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Message-ID"] = message_id
    message.set_content(body)
    return message


class QueuedMessage(NamedTuple):
    """What delivering one queued message needs, read once: delivery holds no ORM object across its commits."""

    id: int
    attempts: int
    recipient: str
    subject: str
    body: str
    message_id: str


def deliver_and_record(pending: list[QueuedMessage]) -> tuple[int, int]:
    """Send each message, then, in a unit of work of its own, forget the delivered ones and put the others off:
    (sent, failed). Called with no transaction open, so none is held while a mail server is waited on."""
    delivered: list[int] = []
    failed: list[tuple[QueuedMessage, str]] = []
    for mail in pending:
        try:
            _deliver(_message(mail.recipient, mail.subject, mail.body, mail.message_id))
        except Exception as error:
            log.warning("mail %s to %s not delivered: %s", mail.id, mail.recipient, error)
            failed.append((mail, f"{type(error).__name__}: {error}"[:2000]))
        else:
            delivered.append(mail.id)
    now = utcnow()
    with unit_of_work():
        if delivered:
            db.session.execute(sa.delete(OutgoingMail).where(OutgoingMail.id.in_(delivered)))
        for mail, reason in failed:
            db.session.execute(
                sa.update(OutgoingMail).where(OutgoingMail.id == mail.id)
                .values(attempts=mail.attempts + 1, last_error=reason,
                        next_attempt_at=now + retry_pause(mail.attempts + 1))
            )
    return len(delivered), len(failed)


def retry_pause(attempts: int) -> timedelta:
    """How long a message that failed `attempts` times waits: doubling from a minute, at most six hours apart, so
    a mail server down for a day is tried about a dozen times and nothing is ever dropped."""
    return min(FIRST_RETRY_PAUSE * 2 ** max(attempts - 1, 0), LONGEST_RETRY_PAUSE)


def claim_due_mail(limit: int) -> list[QueuedMessage]:
    """Up to `limit` messages due now, claimed for this worker by putting them off for `WORKER_CLAIM`; the caller's
    unit of work commits the claim before delivering, so a second worker at the same moment takes other rows (SKIP
    LOCKED on PostgreSQL; SQLite lets one writer in at a time)."""
    now = utcnow()
    due = [QueuedMessage(*row) for row in db.session.execute(
        sa.select(OutgoingMail.id, OutgoingMail.attempts, OutgoingMail.recipient, OutgoingMail.subject,
                  OutgoingMail.body, OutgoingMail.message_id)
        .where(OutgoingMail.next_attempt_at <= now)
        .order_by(OutgoingMail.next_attempt_at, OutgoingMail.id).limit(limit)
        .with_for_update(skip_locked=True)
    )]
    if due:
        db.session.execute(sa.update(OutgoingMail).where(OutgoingMail.id.in_([mail.id for mail in due]))
                           .values(next_attempt_at=now + WORKER_CLAIM))
    return due


def waiting_mail_summary() -> tuple[int, int]:
    """(messages waiting, of which failed at least once) — what the operator watches."""
    waiting, failed = db.session.execute(
        sa.select(sa.func.count(), sa.func.count().filter(OutgoingMail.attempts > 0))
    ).one()
    return waiting, failed


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
        path = outbox / f"{stamp}-{uuid4().hex[:8]}.eml"
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
