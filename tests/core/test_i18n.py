"""Language and time zone: the user's setting, then the switcher, then Accept-Language."""

import re
from datetime import UTC, datetime

import pytest
from flask_babel import format_datetime, refresh
from flask_login import login_user

from tests.conftest import submit


def _lang(response) -> str:
    return re.search(r'<html lang="(\w+)"', response.get_data(as_text=True)).group(1)


@pytest.mark.parametrize(("header", "expected"), [
    ("fr-FR,fr;q=0.9,en;q=0.5", "fr"), ("es-EC,es;q=0.8", "es"), ("de-DE,de", "en"), ("", "en"),
])
def test_the_browser_language_is_used_for_anonymous_readers(client, header, expected):
    assert _lang(client.get("/", headers={"Accept-Language": header})) == expected


def test_the_switcher_overrides_the_browser_language(client):
    response = submit(client, "/language", {"language": "es", "next": "/healthz"}, page="/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/healthz"
    assert _lang(client.get("/", headers={"Accept-Language": "fr"})) == "es"


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example"])
def test_the_switcher_never_redirects_to_another_site(client, target):
    response = submit(client, "/language", {"language": "fr", "next": target}, page="/")
    assert response.headers["Location"] == "/"


def test_the_switcher_refuses_an_unknown_language(client):
    submit(client, "/language", {"language": "xx", "next": "/"}, page="/")
    assert _lang(client.get("/")) == "en"


def test_a_logged_in_users_setting_wins_and_the_switcher_updates_it(client, login_as):
    user = login_as(language="fr")
    assert _lang(client.get("/", headers={"Accept-Language": "es"})) == "fr"

    submit(client, "/language", {"language": "es", "next": "/"}, page="/")
    assert user.language == "es"
    assert _lang(client.get("/")) == "es"


def test_every_page_has_the_language_switcher(client):
    html = client.get("/no-such-page").get_data(as_text=True)
    for code, name in (("en", "English"), ("fr", "Français"), ("es", "Español")):
        assert f'value="{code}"' in html and name in html


def test_times_are_shown_in_the_users_time_zone(app, make_user):
    user = make_user(timezone="Pacific/Fiji", language="fr")
    meeting = datetime(2026, 3, 10, 6, 0, tzinfo=UTC)  # 09:00 in Nairobi
    with app.test_request_context("/"):
        login_user(user)
        refresh()
        assert format_datetime(meeting, "HH:mm") == "18:00"  # Fiji keeps UTC+12 all year since 2022
        assert format_datetime(meeting, "EEEE") == "mardi"
