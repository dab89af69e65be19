"""Logging in and out: one message for every wrong guess, kind words for waiting accounts, limits."""

import re

import pytest

from ecommunity.accounts.models import AccountStatus
from tests.accounts.conftest import account, text
from tests.conftest import PASSWORD, login, submit

WRONG = "The email address or password is not correct."


def test_log_in_and_out(client, make_user):
    user = make_user(email="wanjiru@example.org", full_name="Wanjiru Kamau")
    response = login(client, "Wanjiru@Example.org")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "Welcome, Wanjiru Kamau" in text(client.get("/"))
    assert account(user.email).last_login_at is not None

    response = submit(client, "/logout", {}, page="/")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/profile").status_code == 302


def test_logout_needs_a_post_with_its_token(client, login_as):
    login_as()
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/profile").status_code == 200


def test_login_goes_back_to_the_page_asked_for(client, make_user):
    user = make_user()
    response = client.get("/members?country=KE")
    assert response.status_code == 302
    login_page = response.headers["Location"]
    assert login_page.startswith("/login?next=")
    response = submit(client, login_page, {"email": user.email, "password": PASSWORD,
                                           "next": "/members?country=KE"})
    assert response.headers["Location"] == "/members?country=KE"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example"])
def test_login_never_sends_people_to_another_site(client, make_user, target):
    user = make_user()
    response = login(client, user.email, next=target)
    assert response.headers["Location"] == "/"


def test_the_next_page_survives_on_the_login_form(client):
    html = client.get("/login?next=/members").get_data(as_text=True)
    assert re.search(r'name="next"[^>]*value="/members"', html)


def test_remember_me_sets_a_long_lived_cookie(client, make_user):
    user = make_user()
    login(client, user.email, remember="y")
    assert client.get_cookie("remember_token") is not None

    other = make_user()
    forgetful = client.application.test_client()
    login(forgetful, other.email)
    assert forgetful.get_cookie("remember_token") is None


def test_unknown_address_and_wrong_password_get_the_same_answer(client, make_user):
    user = make_user()
    unknown = login(client, "nobody@example.org", "some password")
    wrong = login(client, user.email, "not the password")
    assert unknown.status_code == wrong.status_code == 400
    assert WRONG in text(unknown) and WRONG in text(wrong)
    strip = lambda page: text(page).replace("nobody@example.org", "EMAIL").replace(user.email, "EMAIL")  # noqa: E731
    assert strip(unknown) == strip(wrong)


@pytest.mark.parametrize(("status", "says"), [
    (AccountStatus.UNVERIFIED, "confirm your email address first"),
    (AccountStatus.PENDING, "waiting for the secretariat's approval"),
    (AccountStatus.REJECTED, "was not approved"),
    (AccountStatus.DEACTIVATED, "Your account is deactivated"),
])
def test_accounts_that_are_not_active_are_told_why_only_with_the_right_password(client, make_user, status, says):
    user = make_user(status=status)
    response = login(client, user.email)
    assert response.status_code == 403
    assert says in text(response)
    assert client.get("/profile").status_code == 302

    response = login(client, user.email, "not the password")
    assert response.status_code == 400
    assert says not in text(response) and WRONG in text(response)


@pytest.mark.parametrize(("data", "field"), [
    ({"email": "", "password": PASSWORD}, "email"),
    ({"email": "someone@example.org", "password": ""}, "password"),
])
def test_empty_login_fields_are_marked(client, data, field):
    response = submit(client, "/login", data)
    assert response.status_code == 400
    assert f'id="{field}-error"' in response.get_data(as_text=True)


def test_a_post_without_its_csrf_token_is_refused_kindly(client, make_user):
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "This form expired or was sent from another site" in text(response)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": "forged"})
    assert response.status_code == 400
    assert client.get("/profile").status_code == 302


def test_logged_in_people_are_sent_on_from_the_login_page(client, login_as):
    login_as()
    response = client.get("/login?next=/members")
    assert response.status_code == 302 and response.headers["Location"] == "/members"


# --- rate limits -------------------------------------------------------------------------------


def test_the_sixth_attempt_on_one_account_is_refused_while_others_still_log_in(client, make_user):
    target = make_user(email="target@example.org")
    bystander = make_user(email="bystander@example.org")
    for _ in range(5):
        assert login(client, "Target@example.org", "guess again").status_code == 400
    response = login(client, target.email)  # even the right password waits now
    assert response.status_code == 429
    assert "Too many attempts" in text(response)

    assert login(client, bystander.email).status_code == 302


def test_one_address_trying_many_accounts_is_slowed_down(make_user, client):
    app = client.application
    app.config["LOGIN_RATE_LIMIT_ADDRESS"] = "3 per 15 minutes"
    people = [make_user() for _ in range(4)]
    for person in people[:3]:
        assert login(client, person.email, "wrong password").status_code == 400
    response = login(client, people[3].email)
    assert response.status_code == 429
    assert "Too many attempts" in text(response)

    elsewhere = app.test_client()
    response = submit(elsewhere, "/login", {"email": people[3].email, "password": PASSWORD},
                      environ_base={"REMOTE_ADDR": "192.0.2.44"})
    assert response.status_code == 302


def test_reading_the_login_page_is_never_limited(client, app):
    app.config["LOGIN_RATE_LIMIT_ADDRESS"] = "1 per 15 minutes"
    for _ in range(5):
        assert client.get("/login").status_code == 200
