"""Signed, expiring links for email verification, password reset and change of email.

Each token carries a fingerprint of the account state it acts on (the verification date,
the password hash, the pending address). Using the link changes that state, so a link
works once: afterwards its fingerprint no longer matches and it is refused as used.
"""

import enum
import hashlib
import hmac

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ecommunity.accounts.models import User
from ecommunity.extensions import db


class Purpose(enum.StrEnum):
    VERIFY_EMAIL = "verify-email"
    RESET_PASSWORD = "reset-password"  # noqa: S105 - a salt name, not a password
    CHANGE_EMAIL = "change-email"


_MAX_AGE_SETTING = {
    Purpose.VERIFY_EMAIL: "EMAIL_TOKEN_MAX_AGE",
    Purpose.RESET_PASSWORD: "RESET_TOKEN_MAX_AGE",
    Purpose.CHANGE_EMAIL: "EMAIL_TOKEN_MAX_AGE",
}


class TokenError(Exception):
    """A link that cannot be used; `user` is set when the link was genuine."""

    reason = "invalid"

    def __init__(self, user: User | None = None):
        super().__init__(self.reason)
        self.user = user


class TokenExpired(TokenError):
    reason = "expired"


class TokenUsed(TokenError):
    reason = "used"


def _serializer(purpose: Purpose) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"ecommunity.accounts.{purpose}")


def fingerprint(purpose: Purpose, user: User) -> str:
    """A digest of the state that using the link changes (never the raw hash, tokens are readable)."""
    if purpose == Purpose.VERIFY_EMAIL:
        parts = [user.email, str(user.email_verified_at or "")]
    elif purpose == Purpose.RESET_PASSWORD:
        parts = [user.email, user.password_hash]
    else:
        parts = [user.email, user.pending_email or "", user.password_hash]
    return hashlib.sha256("\x1f".join([str(purpose), *parts]).encode()).hexdigest()[:32]


def make_token(purpose: Purpose, user: User, **extra) -> str:
    """A URL-safe token for `user`, valid until its max age passes or the account state moves on."""
    return _serializer(purpose).dumps({"id": user.id, "fp": fingerprint(purpose, user), **extra})


def read_token(purpose: Purpose, token: str) -> tuple[User, dict]:
    """The account and payload of a valid token; raises TokenError, TokenExpired or TokenUsed."""
    serializer = _serializer(purpose)
    max_age = current_app.config[_MAX_AGE_SETTING[purpose]]
    expired = False
    try:
        data = serializer.loads(token, max_age=max_age)
    except SignatureExpired:
        expired = True
        _, data = serializer.loads_unsafe(token)
    except BadSignature:
        raise TokenError() from None
    user = _user_of(data)
    if user is None:
        raise TokenError()
    if not hmac.compare_digest(str(data.get("fp", "")), fingerprint(purpose, user)):
        raise TokenUsed(user)
    if expired:
        raise TokenExpired(user)
    return user, data


def _user_of(data) -> User | None:
    if not isinstance(data, dict) or not isinstance(data.get("id"), int):
        return None
    return db.session.get(User, data["id"])
