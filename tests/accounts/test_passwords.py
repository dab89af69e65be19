"""Forgotten and changed passwords: links by mail that work once, sessions that end."""

import time

import pytest
from itsdangerous import TimestampSigner

from ecommunity.accounts.models import AccountStatus
from tests.accounts.conftest import account, mailed_link, sign_in, text
from tests.conftest import PASSWORD, login, submit

NEW = "a brand new passphrase"
SAME_ANSWER = "If an account exists for"


def test_reset_by_mail_link(client, mailbox, make_user):
    user = make_user(email="ingrid@example.org")
    response = submit(client, "/password/forgot", {"email": "Ingrid@example.org"})
    assert response.status_code == 302
    assert SAME_ANSWER in text(client.get(response.headers["Location"]))

    link = mailed_link(mailbox, user.email, "/password/reset/")
    page = client.get(link)
    assert page.status_code == 200 and user.email in text(page)
    response = submit(client, link, {"password": NEW, "password_confirm": NEW})
    assert response.status_code == 302 and response.headers["Location"] == "/login"

    assert login(client, user.email, PASSWORD).status_code == 400
    assert login(client, user.email, NEW).status_code == 302


def test_a_reset_link_works_once(client, mailbox, make_user):
    user = make_user()
    submit(client, "/password/forgot", {"email": user.email})
    link = mailed_link(mailbox, user.email, "/password/reset/")
    submit(client, link, {"password": NEW, "password_confirm": NEW})

    response = client.get(link)
    assert response.status_code == 400
    assert "already used" in text(response)
    assert 'action="/password/forgot"' in response.get_data(as_text=True)
    another = "yet another passphrase"
    response = submit(client, link, {"password": another, "password_confirm": another}, page="/password/forgot")
    assert response.status_code == 400
    assert login(client, user.email, NEW).status_code == 302


def test_an_expired_reset_link_offers_a_new_one(client, app, mailbox, make_user):
    user = make_user()
    submit(client, "/password/forgot", {"email": user.email})
    link = mailed_link(mailbox, user.email, "/password/reset/")
    app.config["RESET_TOKEN_MAX_AGE"] = -1
    response = client.get(link)
    assert response.status_code == 400
    assert "This link has expired" in text(response)
    assert 'action="/password/forgot"' in response.get_data(as_text=True)


def test_using_one_reset_link_makes_the_earlier_ones_stale(client, mailbox, make_user, monkeypatch):
    user = make_user()
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda signer: int(time.time()) - 600)
    submit(client, "/password/forgot", {"email": user.email})
    monkeypatch.undo()
    earlier = mailed_link(mailbox, user.email, "/password/reset/")
    submit(client, "/password/forgot", {"email": user.email})
    later = mailed_link(mailbox, user.email, "/password/reset/")
    assert earlier != later

    submit(client, later, {"password": NEW, "password_confirm": NEW})
    response = client.get(earlier)
    assert response.status_code == 400 and "already used" in text(response)


def test_forgot_password_says_the_same_for_unknown_addresses(client, mailbox, make_user):
    make_user(email="known@example.org")
    answers = []
    for address in ("known@example.org", "unknown@example.org"):
        response = submit(client, "/password/forgot", {"email": address})
        assert response.status_code == 302
        answers.append(text(client.get(response.headers["Location"])).replace(address, "ADDRESS"))
    assert answers[0] == answers[1]
    mailbox.deliver()
    assert [m["To"] for m in mailbox.messages] == ["known@example.org"]


def test_a_reset_ends_every_session(client, app, mailbox, make_user):
    user = make_user()
    elsewhere = app.test_client()
    sign_in(elsewhere, user)
    assert elsewhere.get("/profile").status_code == 200
    submit(client, "/password/forgot", {"email": user.email})
    submit(client, mailed_link(mailbox, user.email, "/password/reset/"), {"password": NEW, "password_confirm": NEW})
    assert elsewhere.get("/profile").status_code == 302


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"password": "short", "password_confirm": "short"}, "password", "between 10 and 200"),
    ({"password": NEW, "password_confirm": NEW + "!"}, "password_confirm", "not the same"),
])
def test_a_weak_or_mistyped_new_password_is_refused_beside_the_field(client, mailbox, make_user, data, field, message):
    user = make_user()
    submit(client, "/password/forgot", {"email": user.email})
    link = mailed_link(mailbox, user.email, "/password/reset/")
    response = submit(client, link, data)
    assert response.status_code == 400
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert message in text(response)
    assert client.get(link).status_code == 200  # still usable


def test_changing_the_password_ends_other_sessions_and_keeps_this_one(client, app, mailbox, make_user):
    user = make_user()
    login(client, user.email)
    other_device = app.test_client()
    login(other_device, user.email, remember="y")
    assert other_device.get("/profile").status_code == 200

    response = submit(client, "/profile/password",
                      {"current_password": PASSWORD, "password": NEW, "password_confirm": NEW})
    assert response.status_code == 302 and response.headers["Location"] == "/profile"
    assert client.get("/profile").status_code == 200
    assert other_device.get("/profile").status_code == 302
    with other_device.session_transaction() as session:
        session.clear()  # only the remember-me cookie is left: it must not log in either
    assert other_device.get("/profile").status_code == 302

    mailbox.deliver()
    [notice] = mailbox.to(user.email)
    assert "password" in notice["Subject"]
    submit(client, "/logout", {}, page="/")
    assert login(client, user.email, NEW).status_code == 302


def test_a_remembered_login_survives_its_own_password_change(client, make_user):
    user = make_user()
    login(client, user.email, remember="y")
    submit(client, "/profile/password", {"current_password": PASSWORD, "password": NEW, "password_confirm": NEW})
    with client.session_transaction() as session:
        session.clear()
    assert client.get("/profile").status_code == 200


def test_changing_the_password_needs_the_current_one(client, login_as):
    user = login_as()
    response = submit(client, "/profile/password",
                      {"current_password": "not it at all", "password": NEW, "password_confirm": NEW})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="current_password-error"' in html and "This password is not correct." in html
    assert account(user.email).session_version == 1


def test_reset_links_go_to_accounts_in_any_state(client, mailbox, make_user):
    user = make_user(status=AccountStatus.PENDING)
    submit(client, "/password/forgot", {"email": user.email})
    assert mailed_link(mailbox, user.email, "/password/reset/")
