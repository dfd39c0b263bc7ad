"""Demo data for `flask seed-demo`: believable Indonesian people and, as domains arrive, their things.

Idempotent: every record is looked up by a natural key first and only created when missing.
"""

from marketplace.accounts import services as account_services
from marketplace.accounts.models import AccountKind, User
from marketplace.core.audit import AuditAction, record_audit
from marketplace.extensions import db

DEMO_USERS = [
    ("admin@pasarkoperasi.id", "Rina Kusumawardani", AccountKind.ADMIN, "+6281210000001"),
    ("pengurus@tunassukowati.id", "Sri Lestari", AccountKind.COOPERATIVE_STAFF, "+6281329000002"),
    ("pembeli@contoh.id", "Budi Santoso", AccountKind.BUYER, "+6281510000003"),
    ("pengadaan@mojokertokota.go.id", "Ahmad Fauzi", AccountKind.GOVERNMENT_OFFICER,
     "+6281330000004"),
]


def seed_demo(*, password: str) -> list[str]:
    report = []
    for email, name, kind, phone in DEMO_USERS:
        user = account_services.find_user_by_email(email)
        if user is not None:
            report.append(f"exists  {email}")
            continue
        user = User(email=email, name=name, kind=kind, phone=phone,
                    password_hash=account_services.hash_password(password))
        db.session.add(user)
        record_audit(AuditAction.USER_CREATED_BY_CLI, target=user, kind=str(kind), demo=True)
        report.append(f"created {email} ({kind.value}), password: {password}")
    db.session.commit()
    return report
