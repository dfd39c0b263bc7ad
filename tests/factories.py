"""Test data, made through the same models the application uses."""

import itertools

from marketplace.accounts.models import AccountKind, User
from marketplace.accounts.services import hash_password
from marketplace.extensions import db

DEFAULT_PASSWORD = "rahasia-yang-panjang"
_sequence = itertools.count(1)


def create_user(
    *,
    kind: AccountKind = AccountKind.BUYER,
    email: str | None = None,
    name: str = "Siti Aminah",
    password: str = DEFAULT_PASSWORD,
    locale: str = "id",
    active: bool = True,
) -> User:
    user = User(
        email=email or f"orang{next(_sequence)}@contoh.id",
        name=name,
        kind=kind,
        password_hash=hash_password(password),
        preferred_locale=locale,
        active=active,
    )
    db.session.add(user)
    db.session.commit()
    return user
