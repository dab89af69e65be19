"""The own profile: what it shows, editing it, and a change of email that is verified again."""

import re

import pytest

from tests.accounts.conftest import account, mailed_link, sign_in, text
from tests.conftest import PASSWORD, login, submit

EDIT = {
    "full_name": "Ñusta Mamani Ávila",
    "country": "PE",
    "region": "south-central-america-caribbean",
    "instruments": ["cms", "high-andean-flamingos"],
    "organisation": "SERFOR",
    "position": "Especialista en fauna",
    "language": "es",
    "timezone": "America/Lima",
}


def test_the_profile_shows_the_own_details(client, make_user):
    user = make_user(full_name="Nguyễn Thị Hoa", country="VN", region="asia", instruments=["cms", "iosea"],
                     organisation="Viet Nam Environment Administration", position="Officer")
    sign_in(client, user)
    page = text(client.get("/profile"))
    for expected in ("Nguyễn Thị Hoa", "Viet Nam", "Asia", "IOSEA Marine Turtles MOU", "Officer", user.email):
        assert expected in page


def test_editing_the_profile(client, make_user):
    user = make_user()
    sign_in(client, user)
    form = client.get("/profile/edit").get_data(as_text=True)
    assert f'value="{user.full_name}"' in form
    assert re.search(r'<input checked [^>]*value="cms"', form)
    assert not re.search(r'<input [^>]*value="aewa"[^>]*checked', form)

    response = submit(client, "/profile/edit", EDIT)
    assert response.status_code == 302 and response.headers["Location"] == "/profile"
    saved = account(user.email)
    assert (saved.full_name, saved.country, saved.region, saved.language, saved.timezone) == (
        "Ñusta Mamani Ávila", "PE", "south-central-america-caribbean", "es", "America/Lima")
    assert saved.instruments == ["cms", "high-andean-flamingos"]
    page = client.get("/profile")
    assert '<html lang="es">' in page.get_data(as_text=True)
    assert "Ñusta Mamani Ávila" in text(page)


def test_instruments_can_be_dropped_and_added(client, make_user):
    user = make_user(instruments=["cms", "aewa", "raptors"])
    sign_in(client, user)
    submit(client, "/profile/edit", {**EDIT, "instruments": ["aewa", "sharks"]})
    assert account(user.email).instruments == ["aewa", "sharks"]


@pytest.mark.parametrize(("changes", "field"), [
    ({"timezone": "Nowhere/Special"}, "timezone"),
    ({"full_name": ""}, "full_name"),
    ({"instruments": []}, "instruments"),
    ({"country": "EU"}, "country"),
])
def test_profile_mistakes_are_marked_beside_the_field(client, make_user, changes, field):
    user = make_user()
    sign_in(client, user)
    response = submit(client, "/profile/edit", {**EDIT, **changes})
    assert response.status_code == 400
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert account(user.email).full_name == user.full_name


def test_a_change_of_email_is_verified_at_the_new_address(client, mailbox, make_user):
    user = make_user(email="old@example.org")
    sign_in(client, user)
    response = submit(client, "/profile/email", {"new_email": "New@Example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert "new@example.org" in text(client.get("/profile"))
    assert account("old@example.org").pending_email == "new@example.org"

    link = mailed_link(mailbox, "new@example.org", "/profile/email/confirm/")
    [notice] = mailbox.to("old@example.org")
    assert "new@example.org" in mailbox.text_of(notice)
    assert mailbox.links_in(notice) == []

    response = client.get(link)
    assert response.status_code == 302
    moved = account("new@example.org")
    assert moved is not None and moved.id == user.id and moved.pending_email is None
    assert account("old@example.org") is None

    assert client.get(link).status_code == 400  # used
    submit(client, "/logout", {}, page="/")
    assert login(client, "old@example.org").status_code == 400
    assert login(client, "new@example.org").status_code == 302


def test_the_confirmation_link_works_without_being_logged_in(client, app, mailbox, make_user):
    user = make_user(email="old@example.org")
    sign_in(client, user)
    submit(client, "/profile/email", {"new_email": "new@example.org", "password": PASSWORD})
    other_device = app.test_client()
    response = other_device.get(mailed_link(mailbox, "new@example.org", "/profile/email/confirm/"))
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert account("new@example.org").id == user.id


def test_a_newer_email_request_replaces_the_older_link(client, mailbox, make_user):
    user = make_user(email="old@example.org")
    sign_in(client, user)
    submit(client, "/profile/email", {"new_email": "first@example.org", "password": PASSWORD})
    first = mailed_link(mailbox, "first@example.org", "/profile/email/confirm/")
    submit(client, "/profile/email", {"new_email": "second@example.org", "password": PASSWORD})
    assert client.get(first).status_code == 400
    assert account("old@example.org").email == "old@example.org"


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"new_email": "taken@example.org", "password": PASSWORD}, "new_email", "already exists"),
    ({"new_email": "TAKEN@example.org", "password": PASSWORD}, "new_email", "already exists"),
    ({"new_email": "old@example.org", "password": PASSWORD}, "new_email", "already your email"),
    ({"new_email": "not an address", "password": PASSWORD}, "new_email", "valid email"),
    ({"new_email": "fresh@example.org", "password": "wrong password"}, "password", "not correct"),
])
def test_email_change_mistakes_are_marked_beside_the_field(client, mailbox, make_user, data, field, message):
    make_user(email="taken@example.org")
    user = make_user(email="old@example.org")
    sign_in(client, user)
    response = submit(client, "/profile/email", data)
    assert response.status_code == 400
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert message in text(response)
    mailbox.deliver()
    assert mailbox.messages == []


def test_an_address_taken_meanwhile_is_explained(client, mailbox, make_user):
    user = make_user(email="old@example.org")
    sign_in(client, user)
    submit(client, "/profile/email", {"new_email": "new@example.org", "password": PASSWORD})
    link = mailed_link(mailbox, "new@example.org", "/profile/email/confirm/")
    make_user(email="new@example.org")
    response = client.get(link)
    assert response.status_code == 400
    assert "Another account now uses this email address" in text(response)
    assert account("old@example.org").id == user.id


def test_a_new_name_is_found_in_the_directory(client, make_user):
    user = make_user(full_name="Old Name")
    sign_in(client, user)
    submit(client, "/profile/edit", EDIT)
    assert "Ñusta Mamani Ávila" in text(client.get("/members?q=nusta"))
    assert "Ñusta Mamani Ávila" not in text(client.get("/members?q=old"))
