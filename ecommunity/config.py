"""Settings read from the environment, with embedded defaults for a newcomer's machine."""

import os
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"

# A key that is fine on a laptop and refused anywhere else (see check_production_settings).
DEV_SECRET_KEY = "dev-only-insecure-key-change-me"


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def engine_options(url: str, options: dict) -> dict:
    """The engine options for this database.

    PostgreSQL: plan each prepared statement once (psycopg prepares a query run five times).
    The listing queries join up to six tables: planning them costs 1-5 ms, up to ten times their
    execution, and PostgreSQL's default keeps re-planning those whose generic plan it guesses dearer.
    SQLite: wait up to 30 s for the write lock (pysqlite's default is 5 s), so that a crowd of
    workshop registrations queues for the lock instead of failing with "database is locked".
    """
    if url.startswith("postgresql"):
        connect_args = {"options": "-c plan_cache_mode=force_generic_plan", **options.get("connect_args", {})}
        # Transactions begin at the first write or lock (database.begin_transactions_when_needed).
        return {"isolation_level": "AUTOCOMMIT", **options, "connect_args": connect_args}
    if url.startswith("sqlite"):
        return {**options, "connect_args": {"timeout": 30, **options.get("connect_args", {})}}
    return options


def database_url_from(value: str | None) -> str:
    """Normalise DATABASE_URL: default to SQLite in instance/, use psycopg 3 for PostgreSQL."""
    if not value:
        return f"sqlite:///{INSTANCE_DIR / 'ecommunity.sqlite3'}"
    for prefix in ("postgres://", "postgresql://"):
        if value.startswith(prefix):
            return "postgresql+psycopg://" + value[len(prefix):]
    return value


class Config:
    """Base settings; every value can be overridden from the environment."""

    def __init__(self) -> None:
        env = os.environ
        self.SECRET_KEY = env.get("SECRET_KEY", "")
        self.DEBUG = _bool("FLASK_DEBUG", False)
        self.TESTING = False
        self.SQLALCHEMY_DATABASE_URI = database_url_from(env.get("DATABASE_URL"))
        # Recycling instead of pre-ping: a ping costs a round trip on every request.
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_recycle": 1800}
        self.SEARCH_INDEX_DIR = env.get("SEARCH_INDEX_DIR", str(INSTANCE_DIR / "search-index"))
        # Decoded postings of common words kept by each worker thread's searcher (see search/engine.py).
        self.SEARCH_CACHE_MB = _int("SEARCH_CACHE_MB", 64)
        # Uploaded training documents: outside static/, served through a view that checks access.
        self.LIBRARY_DIR = env.get("LIBRARY_DIR", str(INSTANCE_DIR / "library"))
        self.LIBRARY_MAX_BYTES = _int("LIBRARY_MAX_BYTES", 20 * 1024 * 1024)

        # Mail: without MAIL_SERVER, messages are printed to the console by the sender.
        self.MAIL_SERVER = env.get("MAIL_SERVER", "")
        self.MAIL_PORT = _int("MAIL_PORT", 25)
        self.MAIL_USERNAME = env.get("MAIL_USERNAME", "")
        self.MAIL_PASSWORD = env.get("MAIL_PASSWORD", "")
        self.MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
        self.MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
        self.MAIL_TIMEOUT = _int("MAIL_TIMEOUT", 20)
        self.MAIL_DEFAULT_SENDER = env.get(
            "MAIL_DEFAULT_SENDER", "CMS Family e-community <no-reply@ecommunity.localhost>"
        )
        # "background": a thread in each web process drains the outbox (make run);
        # "command": `flask mail send --loop` does it (production); "off": tests drive it.
        self.MAIL_DELIVERY = env.get("MAIL_DELIVERY", "background")

        self.RATELIMIT_STORAGE_URI = env.get("RATELIMIT_STORAGE_URI", "memory://")
        self.RATELIMIT_KEY_PREFIX = env.get("RATELIMIT_KEY_PREFIX", "ecommunity")
        self.RATELIMIT_HEADERS_ENABLED = True
        self.LOGIN_RATE_LIMIT_ACCOUNT = env.get("LOGIN_RATE_LIMIT_ACCOUNT", "5 per 15 minutes")
        self.LOGIN_RATE_LIMIT_ADDRESS = env.get("LOGIN_RATE_LIMIT_ADDRESS", "30 per 15 minutes")
        # New topics and replies of one member (the secretariat is not limited): stops a
        # runaway script or a spammer with a stolen account, never a person typing.
        self.FORUM_POST_RATE_LIMIT = env.get("FORUM_POST_RATE_LIMIT", "10 per minute;60 per hour")

        self.SITE_URL = env.get("SITE_URL", "")
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE
        self.REMEMBER_COOKIE_DURATION = timedelta(days=30)
        self.PERMANENT_SESSION_LIFETIME = timedelta(days=14)
        self.WTF_CSRF_TIME_LIMIT = None  # tied to the session instead, so slow typists keep their post
        self.MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 25 * 1024 * 1024)

        self.BABEL_DEFAULT_LOCALE = "en"
        self.BABEL_DEFAULT_TIMEZONE = "UTC"
        self.BABEL_TRANSLATION_DIRECTORIES = str(PROJECT_ROOT / "ecommunity" / "translations")
        self.LANGUAGES = ("en", "fr", "es")

        self.EMAIL_TOKEN_MAX_AGE = _int("EMAIL_TOKEN_MAX_AGE", 3 * 24 * 3600)
        self.RESET_TOKEN_MAX_AGE = _int("RESET_TOKEN_MAX_AGE", 2 * 3600)
        self.PAGE_SIZE = 20


class DevelopmentConfig(Config):
    """What `make run` uses: a local key, cookies over plain http."""

    def __init__(self) -> None:
        super().__init__()
        self.DEBUG = True
        self.SECRET_KEY = self.SECRET_KEY or DEV_SECRET_KEY
        self.SESSION_COOKIE_SECURE = False
        self.REMEMBER_COOKIE_SECURE = False


class TestConfig(Config):
    """Settings for the test suite: its own database, mail driven by the tests."""

    def __init__(self) -> None:
        super().__init__()
        self.TESTING = True
        self.SECRET_KEY = "test-secret-key"
        self.SQLALCHEMY_DATABASE_URI = database_url_from(
            os.environ.get("TEST_DATABASE_URL") or "sqlite://"
        )
        self.MAIL_DELIVERY = "off"
        self.MAIL_SERVER = ""
        self.SESSION_COOKIE_SECURE = False
        self.REMEMBER_COOKIE_SECURE = False
        self.SERVER_NAME = None
        self.RATELIMIT_STORAGE_URI = "memory://"
        # Counters outlive a test's app in the process-wide limiter; the pace test sets its own.
        self.FORUM_POST_RATE_LIMIT = "1000 per minute"


class InsecureSettings(RuntimeError):
    """Raised when the app would start in production with settings that are unsafe."""


def check_production_settings(config: dict) -> None:
    """Refuse to run outside debug and testing with a missing or default secret key."""
    if config.get("DEBUG") or config.get("TESTING"):
        return
    key = config.get("SECRET_KEY") or ""
    if not key or key == DEV_SECRET_KEY or len(key) < 16:
        raise InsecureSettings(
            "SECRET_KEY is missing, too short or the development default. "
            "Set SECRET_KEY in the environment, e.g. "
            "SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')"
        )
