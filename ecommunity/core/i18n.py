"""Choosing the reader's language and time zone; formatting helpers for templates."""

from functools import cache, cached_property

from babel.support import Translations
from flask import Request, current_app, g, has_request_context, request, session
from flask_babel import get_locale, get_translations
from flask_login import current_user
from wtforms.i18n import messages_path

LANGUAGE_NAMES = {"en": "English", "fr": "Français", "es": "Español"}


def select_locale() -> str:
    """The user's setting, then the language picked on this browser, then Accept-Language."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands and background threads
        return languages[0]
    if current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    chosen = session.get("language")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or languages[0]


def select_timezone() -> str:
    if not has_request_context():
        return "UTC"
    if current_user.is_authenticated and current_user.timezone:
        return current_user.timezone
    return session.get("timezone") or "UTC"


def _page_translations():
    """The catalogue of this request's language, looked up once per request, not once per string.

    Kept where Flask-Babel keeps its locale, so that `flask_babel.refresh()` forgets it too.
    """
    babel_state = g.get("_flask_babel")
    translations = getattr(babel_state, "babel_translations", None)
    if translations is None:
        translations = get_translations()
        if babel_state is not None:
            babel_state.babel_translations = translations
    return translations


def install_template_gettext(app) -> None:
    """Replace Flask-Babel's template gettext: it resolved the catalogue for each of a page's strings."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda string: _page_translations().ugettext(string),
        ngettext=lambda singular, plural, n: _page_translations().ungettext(singular, plural, n),
        pgettext=lambda context, string: _page_translations().upgettext(context, string),
        npgettext=lambda context, singular, plural, n: _page_translations().unpgettext(context, singular, plural, n),
        newstyle=True,
    )


@cache
def _wtforms_catalogue(locale: str) -> Translations:
    return Translations.load(messages_path(), [locale], domain="wtforms")


class CatalogueCachingRequest(Request):
    """The app's request class. Flask-WTF looks for WTForms' messages (field errors) on the request
    and, finding none, read the catalogue file again on every request that built a form (1.6 ms)."""

    @cached_property
    def wtforms_translations(self) -> Translations:
        return _wtforms_catalogue(str(get_locale()))
