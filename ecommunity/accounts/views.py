"""Account pages. (Being built: sign-up, login, profile, directory, review.)"""

from flask import Blueprint

bp = Blueprint("accounts", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    return "login"


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    return "signup"


@bp.post("/logout")
def logout():
    return "logout"


@bp.get("/profile")
def profile():
    return "profile"


@bp.get("/members")
def directory():
    return "members"


@bp.get("/secretariat/accounts")
def review_list():
    return "review"
