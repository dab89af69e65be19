"""Site-wide pages: home, language switch, health check."""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, session
from flask_login import current_user
from sqlalchemy import text

from ecommunity.core.forms import LanguageForm
from ecommunity.extensions import db
from ecommunity.search.engine import index_state

bp = Blueprint("core", __name__)


@bp.get("/")
def home():
    return render_template("core/home.html")


@bp.post("/language")
def set_language():
    """Remember the chosen language for this browser and, when logged in, in the profile."""
    form = LanguageForm()
    if form.validate_on_submit():
        session["language"] = form.language.data
        if current_user.is_authenticated:
            current_user.language = form.language.data
            db.session.commit()
    return redirect(safe_next(request.form.get("next")))


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except Exception:  # noqa: BLE001 - reported, not raised: this is the health check
        database = "unavailable"
        db.session.rollback()
    search = index_state(current_app.config["SEARCH_INDEX_DIR"])
    healthy = database == "ok"
    body = {"status": "ok" if healthy else "degraded", "database": database, "search_index": search}
    return jsonify(body), 200 if healthy else 503


def safe_next(target: str | None, default: str = "/") -> str:
    """Only same-site paths, so a crafted link cannot send people elsewhere after a form."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target:
        return default
    return target
