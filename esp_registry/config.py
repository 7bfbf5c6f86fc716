"""Settings from the environment, in one place."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def database_url(instance_path: str) -> str:
    """DATABASE_URL, or an SQLite file in instance/ (the embedded default)."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return "sqlite:///" + str(Path(instance_path) / "esp_registry.db")
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants the driver named.
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def secret_key(instance_path: str) -> str:
    """SECRET_KEY, or one kept in instance/ so restarts and several workers share it."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Exclusive create: of several workers starting at once, one writes and all read it.
        try:
            with open(path, "x", encoding="ascii") as handle:
                handle.write(secrets.token_hex(32))
            path.chmod(0o600)
        except FileExistsError:
            pass
    return path.read_text(encoding="ascii").strip()


def badge_signing_key(instance_path: str) -> str:
    """BADGE_SIGNING_KEY (an Ed25519 private key as PEM or JWK), or one generated once and
    kept in instance/ like the secret key, so every badge the demo signs stays verifiable."""
    if os.environ.get("BADGE_SIGNING_KEY", "").strip():
        return os.environ["BADGE_SIGNING_KEY"].strip()
    path = Path(instance_path) / "badge_signing_key.pem"
    if not path.exists():
        from esp_registry.badges.keys import generate_pem

        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with open(path, "x", encoding="ascii") as handle:
                handle.write(generate_pem())
            path.chmod(0o600)
        except FileExistsError:
            pass
    return path.read_text(encoding="ascii").strip()


def redis_url() -> str:
    """REDIS_URL: the worker's queue lives in Redis when set, else in an SQLite file."""
    return os.environ.get("REDIS_URL", "").strip()


def rate_limit_storage() -> str:
    """RATELIMIT_STORAGE_URI, else Redis when REDIS_URL is set, else this process's memory
    (right for one process only: gunicorn.conf.py refuses several workers with it)."""
    explicit = os.environ.get("RATELIMIT_STORAGE_URI", "").strip()
    if explicit:
        return explicit
    return redis_url() or "memory://"


def trusted_proxies() -> int:
    value = os.environ.get("TRUSTED_PROXIES", "0").strip() or "0"
    if not value.isascii() or not value.isdigit() or int(value) > 10:
        raise ValueError(f"TRUSTED_PROXIES must be a number of proxies, 0 to 10, not {value!r}")
    return int(value)


def from_environment(instance_path: str) -> dict[str, object]:
    env = os.environ.get
    secret = secret_key(instance_path)
    return {
        "SECRET_KEY": secret,
        # Signs Open Badges 3.0 credentials (Ed25519); its public half is /badges/jwks.json.
        "BADGE_SIGNING_KEY": badge_signing_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "PUBLIC_BASE_URL": env("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        "MAIL_SERVER": env("MAIL_SERVER", "127.0.0.1"),
        "MAIL_PORT": int(env("MAIL_PORT", "8025")),
        "MAIL_USERNAME": env("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": env("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": env("MAIL_USE_TLS", "0") == "1",
        "MAIL_DEFAULT_SENDER": env(
            "MAIL_DEFAULT_SENDER", "ESP Registry <no-reply@esp-registry.test>"
        ),
        # "smtp" sends; "console" prints each e-mail to the worker's output (`make run`).
        "MAIL_BACKEND": env("MAIL_BACKEND", "smtp").strip().lower(),
        "MAIL_TIMEOUT": float(env("MAIL_TIMEOUT", "15")),
        # Nudge the worker after a commit that wrote e-mails; its every-minute run is the backstop.
        "WORKER_ENQUEUE": env("WORKER_ENQUEUE", "1") == "1",
        "REDIS_URL": redis_url(),
        # Counters shared by every process: REDIS_URL when set (see gunicorn.conf.py).
        "RATELIMIT_STORAGE_URI": rate_limit_storage(),
        "RATELIMIT_KEY_PREFIX": env("RATELIMIT_KEY_PREFIX", "esp-registry"),
        # Refused sign-ins only, never successful ones (one school network shares an address).
        "LOGIN_FAILURES_PER_ACCOUNT": env("LOGIN_FAILURES_PER_ACCOUNT", "10 per 15 minutes"),
        "LOGIN_FAILURES_PER_ADDRESS": env("LOGIN_FAILURES_PER_ADDRESS", "100 per 15 minutes"),
        "SIGNUP_RATE_LIMIT": env("SIGNUP_RATE_LIMIT", "60 per hour"),
        # How many reverse proxies in front of the app may set X-Forwarded-For (0: none).
        "TRUSTED_PROXIES": trusted_proxies(),
        # A sign-in unused this long is ended (the cookie alone no longer opens anything).
        "SESSION_IDLE_DAYS": int(env("SESSION_IDLE_DAYS", "14")),
        # Seconds an e-mailed link works: setting a new password, confirming an address.
        "PASSWORD_RESET_MAX_AGE": 3600,
        "EMAIL_LINK_MAX_AGE": 7 * 24 * 3600,
        "PASSWORD_RESET_RATE_LIMIT": env("PASSWORD_RESET_RATE_LIMIT", "5 per hour"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env("SESSION_COOKIE_SECURE", "0") == "1",
        "REMEMBER_COOKIE_SECURE": env("SESSION_COOKIE_SECURE", "0") == "1",
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": "UTC",
        # Whose calendar says "today" for mentoring (log dates, two-year ends): one zone.
        "MENTORING_TIMEZONE": env("MENTORING_TIMEZONE", "UTC"),
        # Days a bulk certificate print (one PDF per offering) is kept before the daily clean-up.
        "CERTIFICATE_PRINTS_KEEP_DAYS": max(1, int(env("CERTIFICATE_PRINTS_KEEP_DAYS", "7"))),
        "LANGUAGES": ["en", "es"],
        # Uploaded files (proof of outside training): a directory on this server by default
        # (outside the web root); an fsspec URL such as s3://bucket/prefix for object storage.
        "UPLOAD_STORAGE_URL": env("UPLOAD_STORAGE_URL", "").strip()
        or str(Path(instance_path) / "uploads"),
    }
