"""Helpers every template can use: assets with cache-busting, names of countries and regions."""

import hashlib
from functools import cache
from pathlib import Path

from flask import current_app, has_request_context, render_template, request, url_for
from flask_babel import format_date, format_datetime, get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from ecommunity.core.i18n import LANGUAGE_NAMES
from ecommunity.core.reference import country_name, instrument_name, region_name
from ecommunity.core.render_cache import render_cache

ONE_YEAR = 365 * 24 * 3600


@cache
def _file_digest(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def asset_url(filename: str) -> str:
    """A static URL that changes with the file's content, so browsers may cache it for a year."""
    if current_app.debug or not has_request_context():  # files change while developing; mails want full URLs
        return _versioned_static_url(filename)
    # Every page asks for the same few; building the URL each time cost a page a tenth of a millisecond.
    urls = current_app.extensions.setdefault("asset_urls", {})
    key = (request.script_root, filename)
    url = urls.get(key)
    if url is None:
        url = urls[key] = _versioned_static_url(filename)
    return url


def _versioned_static_url(filename: str) -> str:
    path = Path(current_app.static_folder) / filename
    version = _file_digest(str(path)) if not current_app.debug else str(path.stat().st_mtime_ns)
    return url_for("static", filename=filename, v=version)


def current_path() -> str:
    """This request's address with its query, for "come back here" links and forms."""
    return request.full_path.rstrip("?") if request else "/"


def template_globals() -> dict:
    locale = get_locale()
    return {
        "asset_url": asset_url,
        "language_names": LANGUAGE_NAMES,
        "current_language": str(locale.language) if locale else "en",
        "current_path": current_path(),
    }


# Stand-ins for the two parts of the header that differ per request; letters only, so escaping keeps them.
_CSRF_SLOT = "ecommunityCsrfTokenSlot"
_PATH_SLOT = "ecommunityCurrentPathSlot"


def site_header() -> Markup:
    """The header and main menu: rendered once per language and kind of reader, then given this
    request's form token and address. Every page has it, and rendering it cost a page 2 ms."""
    reader = ""
    if current_user.is_authenticated:
        reader = "secretariat" if current_user.is_secretariat else "member"
    key = (str(get_locale()), reader)
    html = render_cache("site-header", max_entries=16).get_or_render(key, lambda: render_template(
        "core/_site_header.html", csrf_placeholder=_CSRF_SLOT, path_placeholder=_PATH_SLOT))
    return Markup(html.replace(_CSRF_SLOT, generate_csrf()).replace(_PATH_SLOT, str(escape(current_path()))))  # noqa: S704


def instrument_names(codes) -> str:
    """The instruments of a person or event by name, in the reader's language: "AEWA; EUROBATS"."""
    return "; ".join(str(instrument_name(code)) for code in codes)


def init_app(app) -> None:
    app.config.setdefault("SEND_FILE_MAX_AGE_DEFAULT", ONE_YEAR)
    app.context_processor(template_globals)
    app.jinja_env.globals["site_header"] = site_header
    app.jinja_env.filters.update(
        country=country_name,
        region=region_name,
        instrument=instrument_name,
        instruments=instrument_names,
        datetime=format_datetime,
        date=format_date,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
