"""Configuration, read once from the environment.

Every setting can be overridden by an environment variable of the same name; the README lists them all.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE_PATH = Path(os.environ.get("INSTANCE_PATH") or PROJECT_ROOT / "instance")


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


class Config:
    APP_ENV = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
    # The connection returned last is handed out first (LIFO): a worker's few busy connections keep their prepared
    # statements and PostgreSQL's caches warm, and the rest stay idle instead of each warming up in turn.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "pool_use_lifo": True}
    # PostgreSQL: psycopg prepares a statement a connection has run five times, so the hot pages' statements are
    # parsed and planned once per connection. Off ("0") behind a pooler that hands one client's statements to
    # several server connections (PgBouncer in transaction mode before 1.21, without max_prepared_statements).
    DATABASE_PREPARED_STATEMENTS = _env_bool("DATABASE_PREPARED_STATEMENTS", True)

    # Uploads are the largest bodies we accept; anything above answers 413.
    MAX_CONTENT_LENGTH = _env_int("MAX_CONTENT_LENGTH", 8 * 1024 * 1024)

    UPLOAD_ROOT = os.environ.get("UPLOAD_ROOT")  # default: <instance>/uploads
    PRIVATE_UPLOAD_ROOT = os.environ.get("PRIVATE_UPLOAD_ROOT")  # default: <instance>/private_uploads
    # Pictures above this many pixels are refused before they are decoded (decompression bombs, and the CPU and
    # memory a huge picture costs a worker). 24 million is a 6000×4000 camera photo; a product photo needs less.
    IMAGE_MAX_PIXELS = _env_int("IMAGE_MAX_PIXELS", 24_000_000)
    # Uploads (photos, logos, documents, spreadsheets) per signed-in account, on top of the size limits.
    UPLOAD_RATE_LIMIT = os.environ.get("UPLOAD_RATE_LIMIT", "30 per minute; 300 per hour")
    # Invitations and agency registrations: each writes to someone else (an invitee, the platform's verifiers).
    MESSAGE_RATE_LIMIT = os.environ.get("MESSAGE_RATE_LIMIT", "10 per minute; 100 per day")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_DURATION = timedelta(days=_env_int("REMEMBER_COOKIE_DAYS", 30))
    PERMANENT_SESSION_LIFETIME = timedelta(days=14)

    # A form's token lasts a working day: a page left open since the morning still posts; a stolen token expires.
    WTF_CSRF_TIME_LIMIT = _env_int("CSRF_TIME_LIMIT_SECONDS", 12 * 60 * 60)

    BABEL_DEFAULT_LOCALE = "id"
    BABEL_DEFAULT_TIMEZONE = "Asia/Jakarta"
    LANGUAGES = {"id": "Bahasa Indonesia", "en": "English"}

    PASSWORD_MIN_LENGTH = _env_int("PASSWORD_MIN_LENGTH", 10)
    # Werkzeug's default (scrypt) in production; tests choose a faster method.
    PASSWORD_HASH_METHOD = os.environ.get("PASSWORD_HASH_METHOD", "scrypt")
    PASSWORD_RESET_MAX_AGE = _env_int("PASSWORD_RESET_MAX_AGE", 60 * 60)

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ENABLED = _env_bool("RATELIMIT_ENABLED", True)
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute; 50 per hour")
    PASSWORD_RESET_RATE_LIMIT = os.environ.get("PASSWORD_RESET_RATE_LIMIT", "5 per minute; 20 per hour")
    REGISTER_RATE_LIMIT = os.environ.get("REGISTER_RATE_LIMIT", "5 per minute; 30 per hour")

    MAIL_BACKEND = os.environ.get("MAIL_BACKEND")  # smtp, file or memory; smtp when MAIL_SERVER is set
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = _env_int("MAIL_PORT", 587)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", True)
    MAIL_DEFAULT_SENDER = os.environ.get(
        "MAIL_DEFAULT_SENDER", "Pasar Koperasi <no-reply@pasarkoperasi.id>"
    )
    # Every message is queued in the database with the action that caused it. "after_commit": the request then
    # delivers it itself (nothing else to run); "worker": requests only queue and `flask send-mail --loop`
    # delivers, so no page ever waits on the mail server. `flask send-mail` from cron retries failures in both.
    MAIL_DELIVERY = os.environ.get("MAIL_DELIVERY", "after_commit")

    # The address printed in emails; request context gives it in pages.
    SERVER_NAME = os.environ.get("SERVER_NAME")
    # Host names the site answers to (`pasarkoperasi.id,www.pasarkoperasi.id`); any other Host header gets 400, so
    # a link in an email (password reset, invitation) can never be built on an attacker's host name.
    TRUSTED_HOSTS = [host.strip() for host in os.environ.get("TRUSTED_HOSTS", "").split(",") if host.strip()] or None
    PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "http")

    # Behind one reverse proxy: trust its X-Forwarded-For/-Proto/-Host so limits and links are right.
    PROXY_FIX = _env_bool("PROXY_FIX", False)

    # Public pages as anonymous visitors see them are served from a cache this long (0 turns it off).
    PAGE_CACHE_SECONDS = _env_int("PAGE_CACHE_SECONDS", 30)
    # Where the page cache and the search cache live: Redis, shared by every worker and host (`redis://…/0`);
    # without it each worker keeps its own. PAGE_CACHE_REDIS_URL is this setting's earlier name.
    CACHE_REDIS_URL = os.environ.get("CACHE_REDIS_URL") or os.environ.get("PAGE_CACHE_REDIS_URL")

    # Search, for everyone (signed in or not): a search's total and facet counts are reused this long, and the
    # products a page of results shows (their order) this long. Cards are always read fresh, so a changed price
    # or stock shows at once; a product's place in a filtered or sorted list may lag by at most these times.
    SEARCH_FACET_CACHE_SECONDS = _env_int("SEARCH_FACET_CACHE_SECONDS", 60)
    SEARCH_RESULT_CACHE_SECONDS = _env_int("SEARCH_RESULT_CACHE_SECONDS", 30)
    # Each worker keeps the search entries' facet columns and words in memory (about 11 + 25 MB at 100,000
    # products), finds, counts and ranks a search's matches there, brought up to date from the index's change log
    # before every search. Off: the database does (ranking by ts_rank rather than BM25 on PostgreSQL).
    SEARCH_FACET_COLUMNS = _env_bool("SEARCH_FACET_COLUMNS", True)

    # Card payments through Stripe: without a secret key, card payment is simply not offered.
    STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY")
    STRIPE_PUBLISHABLE_KEY = os.environ.get("STRIPE_PUBLISHABLE_KEY")
    STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET")
    STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE")  # another Stripe-compatible server (tests, staging)
    # The smallest card payment taken, in rupiah: a charge must convert to at least Stripe's settlement minimum.
    STRIPE_MINIMUM_RUPIAH = _env_int("STRIPE_MINIMUM_RUPIAH", 10_000)

    # An order paid by bank transfer waits this long for the money, then expires and its stock goes back.
    ORDER_PAYMENT_HOURS = _env_int("ORDER_PAYMENT_HOURS", 48)
    # A shipped order the buyer has not confirmed counts as received this many days after shipping.
    ORDER_RECEIPT_DAYS = _env_int("ORDER_RECEIPT_DAYS", 14)

    DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "koperasi-demo-2026")


class DevelopmentConfig(Config):
    pass


class ProductionConfig(Config):
    APP_ENV = "production"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "https")


class TestingConfig(Config):
    APP_ENV = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    MAIL_BACKEND = "memory"
    RATELIMIT_STORAGE_URI = "memory://"
    SEARCH_FACET_CACHE_SECONDS = 0
    SEARCH_RESULT_CACHE_SECONDS = 0
    PAGE_CACHE_SECONDS = 0


CONFIGS = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "testing": TestingConfig,
}


def config_for_environment() -> type[Config]:
    name = os.environ.get("APP_ENV", "development").strip().lower()
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"APP_ENV must be one of {', '.join(CONFIGS)}, not {name!r}") from None


class ConfigurationError(RuntimeError):
    pass


def ensure_secret_key(app) -> None:
    """Production must be given a SECRET_KEY; elsewhere one is generated once and kept in instance/."""
    if app.config.get("SECRET_KEY"):
        return
    if app.config["APP_ENV"] == "production":
        raise ConfigurationError(
            "SECRET_KEY is not set. Production refuses to start without one: "
            "set SECRET_KEY to a long random value (python -c 'import secrets; print(secrets.token_hex(32))')."
        )
    key_file = Path(app.instance_path) / "secret_key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    app.config["SECRET_KEY"] = key_file.read_text().strip()


def ensure_trusted_hosts(app) -> None:
    """Production must know its own name: SERVER_NAME, or TRUSTED_HOSTS, or both."""
    if app.config["APP_ENV"] != "production" or app.config.get("SERVER_NAME") or app.config.get("TRUSTED_HOSTS"):
        return
    raise ConfigurationError(
        "Neither SERVER_NAME nor TRUSTED_HOSTS is set. Production refuses to start without them: links in "
        "emails would follow whatever Host header a request sends. Set TRUSTED_HOSTS=pasarkoperasi.id (and "
        "SERVER_NAME for links sent outside a request).")


MAIL_DELIVERY_MODES = ("after_commit", "worker")


def ensure_mail_delivery(app) -> None:
    if app.config["MAIL_DELIVERY"] not in MAIL_DELIVERY_MODES:
        raise ConfigurationError(
            f"MAIL_DELIVERY must be one of {', '.join(MAIL_DELIVERY_MODES)}, not {app.config['MAIL_DELIVERY']!r}.")


def default_database_uri(app) -> str:
    return f"sqlite:///{Path(app.instance_path) / 'pasar_koperasi.db'}"
