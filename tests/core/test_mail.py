from email import message_from_bytes
from types import SimpleNamespace

from marketplace.core.mail import send_mail


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
