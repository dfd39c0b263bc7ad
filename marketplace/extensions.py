"""Every Flask extension, created unbound; `create_app` binds them to an application."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints let Alembic drop and alter them on every database, SQLite included.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address)


def _account_or_address() -> str:
    """Limits on uploads count per account (several people may share one office's address)."""
    from flask_login import current_user

    if current_user.is_authenticated:
        return f"account:{current_user.id}"
    return get_remote_address()


def limit_uploads(view):
    """Decorate a view that receives files: the account's uploads are limited (UPLOAD_RATE_LIMIT)."""
    from flask import current_app

    return limiter.limit(lambda: current_app.config["UPLOAD_RATE_LIMIT"], key_func=_account_or_address,
                         methods=["POST"])(view)


def limit_messages(view):
    """Decorate a view that makes us write to other people (invitations, registrations a verifier reads): the
    account's messages are limited (MESSAGE_RATE_LIMIT)."""
    from flask import current_app

    return limiter.limit(lambda: current_app.config["MESSAGE_RATE_LIMIT"], key_func=_account_or_address,
                         methods=["POST"])(view)
