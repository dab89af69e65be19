"""Account operations: sign-up, verification, login, passwords, email, profile and moderation.

Every function takes plain arguments, does its work, flushes and leaves the commit to the
caller. Rules refuse with an AccountError whose message is written for the person.
"""

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, select
from sqlalchemy.orm import selectinload
from sqlalchemy.sql import Select

from ecommunity.accounts.models import AccountStatus, Role, User, UserInstrument, email_key, name_key
from ecommunity.accounts.passwords import hash_password, needs_rehash, verify_password
from ecommunity.accounts.tokens import Purpose, make_token, read_token
from ecommunity.database import utcnow
from ecommunity.extensions import db
from ecommunity.mail.services import queue_templated_mail


class AccountError(Exception):
    """An operation refused by a rule; str(error) is the message to show."""

    message = _l("This action is not possible.")

    def __init__(self, message=None):
        if message is not None:  # a lazy string is only turned into text when shown
            self.message = message
        super().__init__(self.message)

    def __str__(self) -> str:
        return str(self.message)


class EmailTaken(AccountError):
    message = _l("An account with this email address already exists. Log in, or reset your password if you forgot it.")


class SameEmail(AccountError):
    message = _l("This is already your email address.")


class WrongPassword(AccountError):
    message = _l("This password is not correct.")


class InvalidCredentials(AccountError):
    message = _l("The email address or password is not correct.")


class AccountNotActive(AccountError):
    """The right password for an account that may not log in (yet); `user` says why."""

    def __init__(self, user: User):
        super().__init__()
        self.user = user


class ActionRefused(AccountError):
    """A moderation step that the account's state or the acting person's role does not allow."""


# --- looking people up ------------------------------------------------------------------


def find_by_email(email: str) -> User | None:
    """The account with this address, in any letter case."""
    return db.session.scalar(select(User).where(User.email == email_key(email)))


def email_in_use(email: str) -> bool:
    """True when an account already has this address."""
    return find_by_email(email) is not None


def member_query(q: str = "", country: str = "", region: str = "", instrument: str = "") -> Select:
    """Active accounts whose name contains every word of `q` (any case, any accents), filtered."""
    query = select(User).where(User.status == AccountStatus.ACTIVE)
    for word in name_key(q).split():
        query = query.where(User.search_name.contains(word, autoescape=True))
    if country:
        query = query.where(User.country == country)
    if region:
        query = query.where(User.region == region)
    if instrument:
        query = query.where(User.instrument_links.any(UserInstrument.instrument == instrument))
    return query.options(selectinload(User.instrument_links)).order_by(User.search_name, User.id)


def review_query(status: str) -> Select:
    """Accounts for the secretariat: one status, or "all" with pending requests first."""
    query = select(User)
    if status != "all":
        query = query.where(User.status == status)
    pending_first = case((User.status == AccountStatus.PENDING, 0), else_=1)
    return query.options(selectinload(User.decided_by), selectinload(User.instrument_links)).order_by(
        pending_first, User.created_at, User.id)


# --- sign-up and verification -------------------------------------------------------------


def register(
    *, full_name: str, email: str, password: str, country: str, region: str, instruments: list[str],
    organisation: str, position: str, language: str, timezone: str,
) -> User:
    """Create an unverified account and mail it the verification link."""
    if email_in_use(email):
        raise EmailTaken()
    user = User(
        email=email_key(email), full_name=full_name, country=country, region=region,
        organisation=organisation, position=position, language=language, timezone=timezone,
        role=Role.MEMBER, status=AccountStatus.UNVERIFIED, password_hash=hash_password(password),
    )
    _set_instruments(user, instruments)
    db.session.add(user)
    db.session.flush()
    send_verification(user)
    return user


def send_verification(user: User) -> None:
    """Mail the link that confirms the account's address."""
    link = url_for("accounts.verify_email", token=make_token(Purpose.VERIFY_EMAIL, user), _external=True)
    queue_templated_mail(
        user.email, "account_verify", user.language, user=user, link=link,
        hours=link_hours("EMAIL_TOKEN_MAX_AGE"),
    )


def resend_verification(email: str) -> None:
    """Send a new link when an unverified account has this address; otherwise do nothing."""
    user = find_by_email(email)
    if user is not None and user.status == AccountStatus.UNVERIFIED:
        send_verification(user)


def verify_email(token: str) -> User:
    """Confirm the address; the request then waits for the secretariat, who are told."""
    user, _ = read_token(Purpose.VERIFY_EMAIL, token)
    user.email_verified_at = utcnow()
    waiting = user.status == AccountStatus.UNVERIFIED
    if waiting:
        user.status = AccountStatus.PENDING
    db.session.flush()
    if waiting:
        _notify_secretariat(user)
    return user


def _notify_secretariat(applicant: User) -> None:
    staff = db.session.scalars(
        select(User).where(User.role.in_([Role.SECRETARIAT, Role.ADMIN]), User.status == AccountStatus.ACTIVE)
    )
    link = url_for("accounts.review_list", _external=True)
    for person in staff:
        queue_templated_mail(person.email, "account_request_waiting", person.language, applicant=applicant, link=link)


# --- logging in and passwords --------------------------------------------------------------


def authenticate(email: str, password: str) -> User:
    """The account for these credentials; InvalidCredentials or AccountNotActive otherwise."""
    # One exception for unknown addresses and wrong passwords alike, after the same hashing work.
    user = find_by_email(email)
    if not verify_password(user.password_hash if user else None, password):
        raise InvalidCredentials()
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    if not user.is_active:
        raise AccountNotActive(user)
    user.last_login_at = utcnow()
    db.session.flush()
    return user


def request_password_reset(email: str) -> None:
    """Mail a reset link when an account has this address; say nothing either way."""
    user = find_by_email(email)
    if user is None:
        return
    link = url_for("accounts.password_reset", token=make_token(Purpose.RESET_PASSWORD, user), _external=True)
    queue_templated_mail(
        user.email, "account_password_reset", user.language, user=user, link=link,
        hours=link_hours("RESET_TOKEN_MAX_AGE"),
    )


def check_link(purpose: Purpose, token: str) -> User:
    """The account a link is for; raises a TokenError when it is invalid, expired or used."""
    user, _ = read_token(purpose, token)
    return user


def reset_password(token: str, password: str) -> User:
    """Set a new password from a reset link; every session of the account ends."""
    user = check_link(Purpose.RESET_PASSWORD, token)
    _set_password(user, password)
    return user


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Replace the password after checking the current one; other sessions end."""
    if not verify_password(user.password_hash, current_password):
        raise WrongPassword()
    _set_password(user, new_password)
    queue_templated_mail(user.email, "account_password_changed", user.language, user=user)


def _set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    user.session_version += 1
    db.session.flush()


# --- email address and profile --------------------------------------------------------------


def request_email_change(user: User, new_email: str, password: str) -> None:
    """Mail a confirmation link to the new address and tell the old one about the request."""
    if not verify_password(user.password_hash, password):
        raise WrongPassword()
    new_email = email_key(new_email)
    if new_email == user.email:
        raise SameEmail()
    if email_in_use(new_email):
        raise EmailTaken()
    user.pending_email = new_email
    db.session.flush()
    link = url_for(
        "accounts.email_confirm", token=make_token(Purpose.CHANGE_EMAIL, user), _external=True
    )
    queue_templated_mail(
        new_email, "account_email_confirm", user.language, user=user, link=link,
        hours=link_hours("EMAIL_TOKEN_MAX_AGE"),
    )
    queue_templated_mail(user.email, "account_email_change_notice", user.language, user=user, new_email=new_email)


def confirm_email_change(token: str) -> User:
    """Switch the account to the address the link was sent to."""
    user = check_link(Purpose.CHANGE_EMAIL, token)
    if email_in_use(user.pending_email):
        raise EmailTaken()
    user.email = user.pending_email
    user.pending_email = None
    user.email_verified_at = utcnow()
    db.session.flush()
    return user


def update_profile(
    user: User, *, full_name: str, country: str, region: str, instruments: list[str],
    organisation: str, position: str, language: str, timezone: str,
) -> None:
    """Save the person's own description of themselves."""
    user.full_name = full_name
    user.country = country
    user.region = region
    user.organisation = organisation
    user.position = position
    user.language = language
    user.timezone = timezone
    _set_instruments(user, instruments)
    db.session.flush()


def _set_instruments(user: User, codes: list[str]) -> None:
    wanted = set(codes)
    kept = [link for link in user.instrument_links if link.instrument in wanted]
    added = sorted(wanted - {link.instrument for link in kept})
    user.instrument_links = kept + [UserInstrument(instrument=code) for code in added]


# --- moderation by the secretariat -------------------------------------------------------------


def approve(user: User, by: User) -> None:
    """Let a pending (or earlier rejected) request in; the person is told by mail."""
    _require_status(user, AccountStatus.PENDING, AccountStatus.REJECTED)
    _decide(user, AccountStatus.ACTIVE, by)
    link = url_for("accounts.login", _external=True)
    queue_templated_mail(user.email, "account_approved", user.language, user=user, link=link)


def reject(user: User, by: User, reason: str) -> None:
    """Refuse a pending request, with the reason the person receives by mail."""
    _require_status(user, AccountStatus.PENDING)
    _decide(user, AccountStatus.REJECTED, by, reason=reason)
    queue_templated_mail(user.email, "account_rejected", user.language, user=user, reason=reason)


def deactivate(user: User, by: User) -> None:
    """Close an active account; its sessions end at once."""
    _require_status(user, AccountStatus.ACTIVE)
    if user.id == by.id:
        raise ActionRefused(_l("You cannot deactivate your own account."))
    _require_admin_for_admins(user, by)
    if user.is_admin:
        _ensure_an_admin_remains(without=user)
    user.session_version += 1
    _decide(user, AccountStatus.DEACTIVATED, by)


def reactivate(user: User, by: User) -> None:
    """Open a deactivated account again."""
    _require_status(user, AccountStatus.DEACTIVATED)
    _require_admin_for_admins(user, by)
    _decide(user, AccountStatus.ACTIVE, by)


def change_role(user: User, by: User, role: str) -> None:
    """Make someone a member, secretariat or admin; the site always keeps an active admin."""
    if not by.is_admin:
        raise ActionRefused(_l("Only administrators can change roles."))
    role = Role(role)
    if role == user.role:
        return
    if user.is_admin:
        _ensure_an_admin_remains(without=user)
    user.role = role
    db.session.flush()


def _require_status(user: User, *allowed: AccountStatus) -> None:
    if user.status not in allowed:
        raise ActionRefused(_l("This account is no longer in a state that allows this action. Reload the list."))


def _require_admin_for_admins(user: User, by: User) -> None:
    if user.is_admin and not by.is_admin:
        raise ActionRefused(_l("Only administrators can change an administrator's account."))


def _ensure_an_admin_remains(without: User) -> None:
    # Locked on PostgreSQL, so two admins demoting each other at once cannot both succeed.
    admins = db.session.scalars(
        select(User.id).where(User.role == Role.ADMIN, User.status == AccountStatus.ACTIVE).with_for_update()
    ).all()
    if not set(admins) - {without.id}:
        raise ActionRefused(
            _l("The site needs at least one active administrator. Make someone else an administrator first.")
        )


def _decide(user: User, status: AccountStatus, by: User, reason: str = "") -> None:
    user.status = status
    user.rejection_reason = reason
    user.decided_at = utcnow()
    user.decided_by = by
    db.session.flush()


def link_hours(setting: str) -> int:
    """How many hours the links governed by `setting` work, as told to people (at least one)."""
    return max(1, current_app.config[setting] // 3600)
