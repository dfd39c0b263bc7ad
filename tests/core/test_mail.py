import smtplib
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from email import message_from_bytes
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from marketplace.core import mail
from marketplace.core.mail import OutgoingMail, send_mail, send_mail_after_commit
from marketplace.core.timeutil import utcnow
from marketplace.core.unit_of_work import unit_of_work
from marketplace.extensions import db


def test_without_smtp_mail_is_written_to_the_outbox_folder(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_BACKEND", None)
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    with app.test_request_context():
        send_mail("ani@contoh.id", "password_reset", locale="id",
                  user=SimpleNamespace(name="Ani"), reset_url="http://x/r", valid_minutes=60)
    files = list((tmp_path / "outbox").glob("*.eml"))
    assert len(files) == 1
    written = message_from_bytes(files[0].read_bytes())
    assert written["Subject"] == "Buat kata sandi baru untuk Pasar Koperasi"
    assert "Halo Ani," in written.get_payload(decode=True).decode()


def test_mail_is_rendered_in_the_recipients_language(app, outbox):
    with app.test_request_context():
        send_mail("ana@contoh.id", "password_reset", locale="en",
                  user=SimpleNamespace(name="Ana"), reset_url="http://x/r", valid_minutes=60)
    assert outbox[0]["Subject"] == "Choose a new password for Pasar Koperasi"


# The outbox: a message is queued with the action that caused it and leaves the table once delivered.

def _queue_password_reset(app, to="ani@contoh.id"):
    with app.test_request_context(method="POST"), unit_of_work():
        send_mail_after_commit(to, "password_reset", user=SimpleNamespace(name="Ani"), reset_url="http://x/r",
                               valid_minutes=60)


def _waiting() -> list[OutgoingMail]:
    db.session.rollback()
    return list(db.session.scalars(sa.select(OutgoingMail).order_by(OutgoingMail.id)))


def test_a_committed_action_s_message_is_delivered_after_the_commit_and_leaves_the_outbox(app, outbox):
    _queue_password_reset(app)
    assert [message["To"] for message in outbox] == ["ani@contoh.id"]
    assert outbox[0]["Subject"] == "Buat kata sandi baru untuk Pasar Koperasi"
    assert "Halo Ani," in outbox[0].get_content()
    assert _waiting() == []


def test_a_rolled_back_action_queues_nothing(app, outbox):
    with pytest.raises(RuntimeError), app.test_request_context(method="POST"), unit_of_work():
        send_mail_after_commit("ani@contoh.id", "password_reset", user=SimpleNamespace(name="Ani"),
                               reset_url="http://x/r", valid_minutes=60)
        raise RuntimeError("a later step failed")
    _queue_password_reset(app, to="budi@contoh.id")  # the next action does not carry the rolled-back message along
    assert [message["To"] for message in outbox] == ["budi@contoh.id"] and _waiting() == []


def test_a_message_the_mail_server_refused_waits_and_is_sent_by_the_command_once_due(app, outbox, monkeypatch):
    def server_down(message):
        raise OSError("connection refused")

    monkeypatch.setattr(mail, "_deliver", server_down)
    before = utcnow()
    _queue_password_reset(app)  # the action itself succeeds
    [waiting] = _waiting()
    assert waiting.attempts == 1 and "connection refused" in waiting.last_error
    assert waiting.next_attempt_at >= before + mail.FIRST_RETRY_PAUSE

    monkeypatch.undo()
    runner = app.test_cli_runner()
    assert "0 messages sent" in runner.invoke(args=["send-mail"]).output  # not due yet
    waiting.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0 and "1 messages sent, 0 failed" in result.output and "0 waiting" in result.output
    assert [message["To"] for message in outbox] == ["ani@contoh.id"] and _waiting() == []


def test_with_a_worker_requests_only_queue_and_the_worker_sends_each_message_once(app, outbox, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_DELIVERY", "worker")
    _queue_password_reset(app, to="ani@contoh.id")
    _queue_password_reset(app, to="budi@contoh.id")
    assert outbox == [] and len(_waiting()) == 2
    runner = app.test_cli_runner()
    assert "2 messages sent" in runner.invoke(args=["send-mail"]).output
    assert "0 messages sent" in runner.invoke(args=["send-mail"]).output
    assert sorted(message["To"] for message in outbox) == ["ani@contoh.id", "budi@contoh.id"]


def test_two_workers_claiming_at_the_same_moment_never_take_the_same_message(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_DELIVERY", "worker")
    for number in range(20):
        _queue_password_reset(app, to=f"anggota{number}@contoh.id")
    db.session.remove()
    start = threading.Barrier(2)

    def claim() -> list[int]:
        with app.app_context():
            start.wait(timeout=30)
            with unit_of_work():
                claimed = [message.id for message in mail.claim_due_mail(15)]
            db.session.remove()
            return claimed

    with ThreadPoolExecutor(2) as pool:
        first, second = pool.map(lambda _: claim(), range(2))
    assert not set(first) & set(second)
    assert len(first) + len(second) == 20


def test_failed_messages_are_retried_less_and_less_often_but_never_dropped():
    pauses = [mail.retry_pause(attempts) for attempts in range(1, 15)]
    assert pauses[0] == mail.FIRST_RETRY_PAUSE and pauses == sorted(pauses)
    assert pauses[-1] == mail.LONGEST_RETRY_PAUSE



def test_the_operator_sees_what_waits_and_why_the_mail_server_refused_it(app, admin, monkeypatch):
    from tests.helpers import page_text, signed_in

    operator = signed_in(app, admin)
    assert "Semua email sudah terkirim." in page_text(operator.get("/admin/mail"))

    def server_down(message):
        raise smtplib.SMTPRecipientsRefused({"ani@contoh.id": (550, b"mailbox unavailable")})

    monkeypatch.setattr(mail, "_deliver", server_down)
    _queue_password_reset(app)
    page = page_text(operator.get("/admin/mail"))
    assert "1 menunggu, 1 di antaranya pernah ditolak." in page
    assert "ani@contoh.id" in page and "SMTPRecipientsRefused" in page and "mailbox unavailable" in page


def test_a_subject_longer_than_its_column_is_cut_rather_than_refused(app, outbox, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_DELIVERY", "worker")
    monkeypatch.setattr(mail, "_render", lambda template, locale, context: ("Pesanan " * 60, "Isi"))
    _queue_password_reset(app)
    [waiting] = _waiting()
    assert len(waiting.subject) == mail.SUBJECT_LENGTH and waiting.subject.startswith("Pesanan Pesanan")
