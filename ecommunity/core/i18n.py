"""Choosing the reader's language and time zone; formatting helpers for templates."""

from flask import current_app, has_request_context, request, session
from flask_login import current_user

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
