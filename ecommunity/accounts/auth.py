"""Flask-Login wiring and the role checks every view uses."""

from functools import wraps

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ecommunity.accounts.models import User
from ecommunity.extensions import db, login_manager

login_manager.login_view = "accounts.login"
login_manager.login_message = _l("Please log in to see this page.")
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Sessions carry "id.version": a password change ends every other session."""
    raw_id, _, version = user_id.partition(".")
    if not raw_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(raw_id))
    if user is None or user.session_version != int(version) or not user.is_active:
        return None
    return user


def secretariat_required(view):
    """Only secretariat staff and admins; others get 403, anonymous readers the login page."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_secretariat:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def admin_required(view):
    """Only administrators."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped
